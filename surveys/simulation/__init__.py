"""Simulated data for `loyalty demo`: a customer base, its CRM records and four quarterly survey waves.

`simulate(questionnaire, seed)` (in `surveys.simulation.model`) is pure: seeded numpy, no I/O. The writers
in `surveys.simulation.files` turn a wave into the files the real importers read. The model knows the items
of the quarterly-loyalty blueprint by their codes; any other required item (another design, a renamed item)
gets an answer drawn evenly from its scale or options, routing always respected, so every row but the
planted bad ones is a valid response to the questionnaire given. What is planted, exactly:

Customers (1,500; `CUSTOMERS`)
    City tier (the questionnaire's `city_tier` codes 1–8, shares .18/.24/.22/.16/.10/.08/.01/.01), channel
    (online .45, store .25, omnichannel .30), membership tier (standard .55, silver .25, gold .15, diamond
    .05), tenure in years (exponential, mean 2.5, at most 12), gender, age, education, income, a basket size
    (log-normal, median ¥180 × 1.0/1.3/1.7/2.4 by tier) and a base purchase rate per quarter (1.2/2/3/4.5
    by tier), and a persistent impression `g` ~ N(0, 1) + 0.25 × (age band − 35–44, in bands) that colours
    every attribute rating: older customers are a little more content.

Attributes (the survey's 8 grid rows), satisfaction 1–5 = round(mean + drift + 0.75·g + N(0, 0.75))
    means price 3.3, product_quality 4.0, service 3.8, delivery 3.7, after_sales 3.5, online_ordering 3.9,
    membership 3.4, store_environment 3.9. Drift (`DRIFT`): a service problem in 2026Q3 (service −0.6,
    after_sales −0.5), partly recovered in 2026Q4 (−0.25, −0.2); delivery improves +0.1 a quarter.
    Stated importance 1–5 = round(mean + N(0, 0.7)): product_quality 4.6, price 4.4, delivery 4.2, service
    4.0, after_sales 3.8, online_ordering 3.4, membership 3.0, store_environment 2.8.

True satisfaction (0–10 scale), `S* = 6.55 + Σ linear·(sat − 3.5) + Σ penalty·[sat ≤ 2] + Σ reward·[sat = 5]
    + path shift + N(0, 1)`: linear price .35, product_quality .20, service .45, delivery .15, after_sales .20,
    online_ordering .05, membership .15, store_environment .05; basic factors (penalty only) product_quality
    −1.4, delivery −1.0; excitement factors (reward only) service +.6, membership +.7, after_sales +.4.
    The ACSI items sat_overall, sat_expectations, sat_ideal = clip(round(S* + N(0, 0.7)), 0, 10); the
    satisfaction composite S is their mean (0–10). S has mean ≈ 6.5 and SD ≈ 2.3; ≈ 12 % of S lie below 4
    and ≈ 26 % above 8 (2026Q3: 14 % and 21 %).

The threshold curve (`THRESHOLDS`), on the loyalty composite L = 10 × mean(repurchase, recommend, cross_buy):
    L = g(S) + N(0, 7) with g piecewise linear, breakpoints at S = 4.0 and S = 8.0, g(4) = 57, slopes 12 / 1 /
    15 loyalty points per satisfaction point (1.2 / 0.1 / 1.5 on a 0–10 loyalty scale): g(0) = 9, g(8) = 61,
    g(10) = 91. Each of the three items = clip(round(L/10 + offset + N(0, 0.6)), 0, 10), offsets +.4
    (repurchase), +.2 (recommend), −.6 (cross_buy), summing to 0. The curve is planted on the measured S,
    so a two-breakpoint fit on the measured composites recovers it (seed 2026, a year of clean responses:
    ψ = 4.00 and 7.97, slopes 11.5 / 1.0 / 14.4; each wave alone within 0.2 of 4 and 8).

The six loyalty indicators, from z = (L − 60)/20: purchases_12m = this quarter's CRM purchases + Poisson(3λ);
    deliberation_days = round(exp(1.5 − 0.6z + N(0, .6))); buy_without_comparing = round(3 + .9z + N(0, .8));
    price_rise_10 = round(2.8 + .8z + N(0, .8)); competitor_offers_attractive = round(3.2 − .7z + N(0, .8));
    versus_competitors = round(3 + .45(S − 6.5) + N(0, .7)); stop_buying = round(8.5 − L/10 + N(0, 1.2));
    share_of_wallet = round(45 + 20z + N(0, 15)) (main_provider from it: > 60 ours, 35–60 half, else others);
    spending_trend = round(3 + .8z + N(0, .8)); the four trust items = round(3.5 + .8z + t + N(0, .5)),
    t ~ N(0, .4) per respondent; 1–5 items clipped to 1–5, 0–10 items to 0–10.

Complaint path (TARP): problem 25 % (2026Q3 33 %, 2026Q4 28 %; `PROBLEM_RATE`) + 8 points per point the mean
    of the service, delivery and product-quality ratings falls below 3.5; complained 50 % of those; of the
    complainers resolved completely 60 %, partly 15 %, not 17 %, still open 8 %. Shift of S*: no problem 0,
    not complained −1.8, resolved +0.8 (the recovery paradox), partly −0.8, not resolved −3.0, still open
    −1.5, so repurchase intent by path follows TARP: resolved complainers close to customers without a
    problem, well above those who did not complain, and unresolved complainers lowest.

CRM: every customer is simulated every quarter (surveyed or not); purchases ~ Poisson(base rate × exp(0.5z))
    with z from that quarter's loyalty; churn in the quarter with probability 1/(1 + exp(4.2 + 1.6z)) (a
    churner's purchases thinned to 30 %); revenue = purchases × basket × lognormal(0, .25). A churned customer
    buys nothing afterwards, stays in the file with churned = 1, and is not surveyed again.

Waves 2026Q1–2026Q4: each active customer answers with probability .50/.55/.60/.52 (+.03 per tier step, and
    +.08 per age band above 35–44, −.08 per band below), so the panel overlaps between waves and the older,
    more content customers are over-represented: 18–24 year olds are about 8 % of a wave and 12 % of the
    base, and the unweighted NPS of 2026Q4 is about 3 points above the one weighted to the base's age, city
    tier and gender shares (what `loyalty demo` writes to margins.yaml).
    Planted in every wave (`QUALITY`): 2.5 % speeders (duration 0.12–0.3 × the
    median of ~10 minutes; random grid answers), 3 % straight-liners (one value across each attribute grid),
    3 % failed attention checks, 3 duplicate submissions (a copy of another response from the same device
    30–150 s later, same customer key), and 4 bad rows with an out-of-range value (`BAD_VALUES`; in the
    问卷星 wave, numbers typed out of bounds). The generic files carry the customer key, so their duplicates
    are rejected at import; the 问卷星 wave is anonymous, so its duplicates are stored and flagged by the
    quality screen (same device, same answers). Speeders, straight-liners and attention failures are stored
    (they are flagged by `measure/response_quality.py`, not refused by the import). Seed 2026 gives waves of
    779, 868, 883 and 714 rows; the import stores 772, 861, 879 and 707.
"""

from surveys.simulation.model import (
    BAD_VALUES,
    CUSTOMERS,
    DRIFT,
    PROBLEM_RATE,
    QUALITY,
    THRESHOLDS,
    WAVES,
    SimulatedResponse,
    SimulatedWave,
    Simulation,
    planted_loyalty,
    simulate,
)

__all__ = [
    "BAD_VALUES",
    "CUSTOMERS",
    "DRIFT",
    "PROBLEM_RATE",
    "QUALITY",
    "THRESHOLDS",
    "WAVES",
    "SimulatedResponse",
    "SimulatedWave",
    "Simulation",
    "planted_loyalty",
    "simulate",
]
