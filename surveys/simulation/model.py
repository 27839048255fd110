"""The generating model of the demo data: pure, seeded, no I/O. What it plants is in the package docstring."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from surveys.codebook import Variable, item_variables
from surveys.questionnaire import (
    FreeText,
    ImportanceSatisfactionGrid,
    Item,
    MultipleChoice,
    Number,
    Questionnaire,
    Ranking,
    Rating,
    RatingGrid,
    Recommend,
    SingleChoice,
)
from surveys.show_if import Condition, is_shown, parse_condition

FloatArray = npt.NDArray[np.float64]
Answers = dict[str, Any]

CUSTOMERS = 1500
WAVES = ("2026Q1", "2026Q2", "2026Q3", "2026Q4")
QUARTER_STARTS = (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1))
RESPONSE_RATES = (0.50, 0.55, 0.60, 0.52)
PROBLEM_RATE = (0.25, 0.25, 0.33, 0.28)
MEDIAN_SECONDS = 600.0
AGE_RESPONSE_STEP = 0.08  # response probability added per age band above 35–44 (taken off below it)
AGE_IMPRESSION_STEP = 0.25  # the persistent impression g, per age band above 35–44


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The planted satisfaction–loyalty curve: loyalty 0–100 against the satisfaction composite 0–10."""

    lower: float = 4.0
    upper: float = 8.0
    at_lower: float = 57.0  # g(lower)
    slopes: tuple[float, float, float] = (12.0, 1.0, 15.0)  # below lower, between, above upper
    noise: float = 7.0  # SD of the respondent's loyalty around the curve


THRESHOLDS = Thresholds()

# Per attribute: satisfaction mean, stated importance mean, linear effect, penalty (sat ≤ 2), reward (sat = 5)
ATTRIBUTES: dict[str, tuple[float, float, float, float, float]] = {
    "price": (3.3, 4.4, 0.35, 0.0, 0.0),
    "product_quality": (4.0, 4.6, 0.20, -1.4, 0.0),
    "service": (3.8, 4.0, 0.45, 0.0, 0.6),
    "delivery": (3.7, 4.2, 0.15, -1.0, 0.0),
    "after_sales": (3.5, 3.8, 0.20, 0.0, 0.4),
    "online_ordering": (3.9, 3.4, 0.05, 0.0, 0.0),
    "membership": (3.4, 3.0, 0.15, 0.0, 0.7),
    "store_environment": (3.9, 2.8, 0.05, 0.0, 0.0),
}
DRIFT: dict[str, tuple[float, float, float, float]] = {  # added to the satisfaction mean, per wave
    "service": (0.0, 0.0, -0.6, -0.25),
    "after_sales": (0.0, 0.0, -0.5, -0.2),
    "delivery": (0.0, 0.1, 0.2, 0.3),
}
SATISFACTION_BASE = 6.55
PATH_SHIFT = {"none": 0.0, "not_complained": -1.8, "resolved": 0.8, "partly": -0.8, "unresolved": -3.0, "open": -1.5}
RESOLUTION = (("resolved", 0.60), ("partly", 0.15), ("unresolved", 0.17), ("open", 0.08))
QUALITY = {"speeder": 0.025, "straightliner": 0.03, "attention_failed": 0.03, "duplicates": 3}
BAD_VALUES: dict[str, tuple[tuple[str, int], ...]] = {
    "2026Q1": (("sat_overall", 11), ("recommend", 12), ("attr_satisfaction_service", 6), ("share_of_wallet", 150)),
    "2026Q2": (("age_band", 9), ("repurchase", 15), ("attr_importance_price", 0), ("deliberation_days", 400)),
    "2026Q3": (("share_of_wallet", 120), ("deliberation_days", 500), ("purchases_12m", 1500), ("share_of_wallet", 101)),
    "2026Q4": (("sat_ideal", 13), ("city_tier", 12), ("trust_honest", 7), ("purchases_12m", 2000)),
}
TIERS = ("standard", "silver", "gold", "diamond")
CHANNELS = ("online", "store", "omnichannel")
SURVEY_CHANNELS = ("微信", "短信", "App")
LOCATIONS = {  # city tier code → (province-city as 问卷星 writes it), for the IP addresses
    1: ("北京-北京", "上海-上海", "广东-广州", "广东-深圳"),
    2: ("四川-成都", "浙江-杭州", "重庆-重庆", "湖北-武汉", "江苏-苏州", "陕西-西安"),
    3: ("福建-福州", "山东-济南", "湖南-长沙", "辽宁-大连", "江苏-无锡"),
    4: ("江西-赣州", "广西-柳州", "河北-保定", "安徽-芜湖"),
    5: ("河南-周口", "甘肃-天水", "湖北-荆州"),
    6: ("云南-曲靖", "贵州-毕节", "山东-菏泽"),
    7: ("香港-香港", "台湾-台北"),
    8: ("内蒙古-包头",),
}
REASONS = {
    "promoter": ("质量好，用着放心", "服务很贴心", "会员活动实惠", "送货快", "一直在这里买，很信任"),
    "passive": ("总体还可以", "价格有点贵", "和别家差不多", "有时候缺货"),
    "detractor": ("售后太慢了", "客服态度差", "价格太贵", "质量不稳定", "配送经常延误"),
}
IMPROVEMENTS = {
    "price": "价格再优惠一些",
    "product_quality": "保证产品质量稳定",
    "service": "提高客服人员的服务态度",
    "delivery": "加快配送速度",
    "after_sales": "售后处理要更及时",
    "online_ordering": "App下单流程简化一点",
    "membership": "会员积分多一些用处",
    "store_environment": "门店再整洁一些",
}
OTHER_TEXTS = ("包装破损", "发票开错了", "积分没到账", "朋友介绍的渠道")


def planted_loyalty(satisfaction: FloatArray, thresholds: Thresholds = THRESHOLDS) -> FloatArray:
    """The planted curve g(S): loyalty 0–100 at satisfaction composite S (0–10), before noise.

    Examples
    --------
    >>> planted_loyalty(np.array([0.0, 4.0, 6.0, 8.0, 10.0])).tolist()
    [9.0, 57.0, 59.0, 61.0, 91.0]
    """
    s = np.asarray(satisfaction, dtype=np.float64)
    low, high = thresholds.lower, thresholds.upper
    below, between, above = thresholds.slopes
    return (
        thresholds.at_lower
        + below * (np.minimum(s, low) - low)
        + between * (np.clip(s, low, high) - low)
        + above * (np.maximum(s, high) - high)
    )


@dataclass(frozen=True, slots=True)
class SimulatedResponse:
    """One row of a wave's export, with what was planted in it (never written to the files)."""

    response_id: str
    customer_key: str
    submitted_at: datetime  # Beijing time, without a zone, as the platforms write it
    duration_seconds: float
    channel: str
    ip_address: str
    ip_location: str
    answers: Answers  # variable code → value; None when not shown or left empty
    planted: str = "response"  # response, duplicate (of another row), bad (an out-of-range value)
    flags: frozenset[str] = frozenset()  # speeder, straightliner, attention_failed
    satisfaction: float = float("nan")  # the ACSI composite S, 0–10
    loyalty: float = float("nan")  # 10 × mean(repurchase, recommend, cross_buy), 0–100
    path: str = "none"  # complaint path: none, not_complained, resolved, partly, unresolved, open
    bad_variable: str | None = None


@dataclass(frozen=True, slots=True)
class SimulatedWave:
    period: str
    responses: list[SimulatedResponse]
    customer_records: list[dict[str, Any]]  # this quarter's CRM rows

    @property
    def rejected_at_import(self) -> list[SimulatedResponse]:
        """The rows the import must reject: bad values, and repeated customer keys where the file has keys."""
        keyed = self.period != "2026Q3"
        return [r for r in self.responses if r.planted == "bad" or (keyed and r.planted == "duplicate")]


@dataclass(frozen=True, slots=True)
class Simulation:
    seed: int
    customers: list[dict[str, Any]]
    waves: list[SimulatedWave] = field(default_factory=list)


def simulate(questionnaire: Questionnaire, seed: int = 2026, customers: int = CUSTOMERS) -> Simulation:
    """The customer base and its four waves of answers to `questionnaire` (the quarterly-loyalty design)."""
    rng = np.random.default_rng(seed)
    routing = _routing(questionnaire)
    base = _customers(rng, customers)
    attributes = [row.code for row in questionnaire.attributes]
    churned = np.zeros(customers, dtype=bool)
    to_date = np.array([c["purchases_before"] for c in base])
    last = [c["last_purchase_before"] for c in base]
    waves = []
    for quarter, period in enumerate(WAVES):
        state = _quarter_state(rng, base, attributes, quarter)
        z = (state["loyalty"] - 60.0) / 20.0
        rates = np.array([c["rate"] for c in base]) * np.exp(0.5 * z)
        purchases = np.where(churned, 0, rng.poisson(rates))
        churn_now = ~churned & (rng.random(customers) < 1.0 / (1.0 + np.exp(4.2 + 1.6 * z)))
        purchases = np.where(churn_now, rng.binomial(purchases, 0.3), purchases)
        to_date = to_date + purchases
        start = QUARTER_STARTS[quarter]
        records = []
        for i, customer in enumerate(base):
            if purchases[i] > 0:
                last[i] = start + timedelta(days=int(rng.integers(0, 90)))
            revenue = float(purchases[i]) * customer["basket"] * float(rng.lognormal(0.0, 0.25))
            records.append(
                {
                    "customer_id": customer["customer_key"],
                    "period": period,
                    "purchases": int(purchases[i]),
                    "revenue": round(revenue, 2),
                    "first_purchase": customer["first_purchase"],
                    "last_purchase": last[i],
                    "churned": bool(churned[i] or churn_now[i]),
                    "membership_tier": customer["tier"],
                    "channel": customer["channel"],
                }
            )
        tier_step = np.array([TIERS.index(c["tier"]) for c in base])
        age_step = np.array([c["age_band"] for c in base]) - 4  # −2 for 18–24 … +3 for 65 and over
        propensity = RESPONSE_RATES[quarter] + 0.03 * tier_step + AGE_RESPONSE_STEP * age_step
        answering = ~churned & (rng.random(customers) < propensity)
        responses = [
            _response(rng, routing, base[i], state, i, quarter, int(purchases[i]), int(to_date[i]))
            for i in map(int, np.flatnonzero(answering))
        ]
        waves.append(SimulatedWave(period, _planted(rng, responses, period), records))
        churned = churned | churn_now
    return Simulation(seed, base, waves)


def _customers(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    city = rng.choice(np.arange(1, 9), n, p=[0.18, 0.24, 0.22, 0.16, 0.10, 0.08, 0.01, 0.01])
    channel = rng.choice(len(CHANNELS), n, p=[0.45, 0.25, 0.30])
    tier = rng.choice(len(TIERS), n, p=[0.55, 0.25, 0.15, 0.05])
    tenure = np.minimum(rng.exponential(2.5, n), 12.0)
    age = rng.choice(np.arange(2, 8), n, p=[0.12, 0.30, 0.26, 0.17, 0.10, 0.05])
    education = rng.choice(np.arange(1, 6), n, p=[0.10, 0.22, 0.25, 0.33, 0.10])
    income = np.clip(rng.choice(np.arange(1, 7), n, p=[0.08, 0.17, 0.27, 0.23, 0.15, 0.10]) + (city <= 2), 1, 6)
    income = np.where(rng.random(n) < 0.06, 7, income)
    gender = rng.choice([1, 2, 3], n, p=[0.46, 0.51, 0.03])
    basket = 180.0 * np.array([1.0, 1.3, 1.7, 2.4])[tier] * rng.lognormal(0.0, 0.35, n)
    rate = np.array([1.2, 2.0, 3.0, 4.5])[tier]
    # older customers answer more often (`AGE_RESPONSE_STEP`) and are a little more content: an unweighted
    # sample over-states satisfaction, and weighting to the base's age shares corrects it
    impression = rng.normal(0.0, 1.0, n) + AGE_IMPRESSION_STEP * (age - 4)
    customers = []
    for i in range(n):
        days = int(tenure[i] * 365.25)
        customers.append(
            {
                "customer_key": f"C{100001 + i}",
                "city_tier": int(city[i]),
                "channel": CHANNELS[channel[i]],
                "tier": TIERS[tier[i]],
                "tenure_years": float(tenure[i]),
                "first_purchase": date(2026, 1, 1) - timedelta(days=days + 1),
                "last_purchase_before": date(2026, 1, 1) - timedelta(days=int(rng.integers(1, min(days, 90) + 2))),
                "purchases_before": 1 + int(rng.poisson(tenure[i] * 4 * rate[i] * 0.8)),
                "age_band": int(age[i]),
                "education": int(education[i]),
                "income_band": int(income[i]),
                "gender": int(gender[i]),
                "basket": float(basket[i]),
                "rate": float(rate[i]),
                "impression": float(impression[i]),
                "ip_address": _ip_address(rng),
                "ip_location": str(rng.choice(LOCATIONS[int(city[i])])),
                "survey_channel": SURVEY_CHANNELS[int(rng.choice(3, p=[0.6, 0.25, 0.15]))],
            }
        )
    return customers


def _ip_address(rng: np.random.Generator) -> str:
    first = int(rng.choice([36, 39, 58, 59, 60, 61, 101, 106, 111, 112, 113, 114, 115, 116, 117, 119, 120, 183]))
    return ".".join(str(part) for part in (first, *rng.integers(1, 255, 3)))


def _quarter_state(
    rng: np.random.Generator, base: list[dict[str, Any]], attributes: list[str], quarter: int
) -> dict[str, Any]:
    """Every customer's attribute ratings, complaint path, ACSI items and loyalty items this quarter."""
    n = len(base)
    impression = np.array([c["impression"] for c in base])
    satisfaction: dict[str, npt.NDArray[np.int64]] = {}
    importance: dict[str, npt.NDArray[np.int64]] = {}
    true_satisfaction = np.full(n, SATISFACTION_BASE) + rng.normal(0.0, 1.0, n)
    for code in attributes:
        mean, stated, linear, penalty, reward = ATTRIBUTES.get(code, (3.6, 3.5, 0.1, 0.0, 0.0))
        drift = DRIFT.get(code, (0.0, 0.0, 0.0, 0.0))[quarter]
        rated = np.clip(np.rint(mean + drift + 0.75 * impression + rng.normal(0.0, 0.75, n)), 1, 5).astype(np.int64)
        satisfaction[code] = rated
        importance[code] = np.clip(np.rint(stated + rng.normal(0.0, 0.7, n)), 1, 5).astype(np.int64)
        true_satisfaction += linear * (rated - 3.5) + penalty * (rated <= 2) + reward * (rated == 5)
    weak = np.mean([satisfaction[c] for c in ("service", "delivery", "product_quality") if c in satisfaction], axis=0)
    problem = rng.random(n) < np.clip(PROBLEM_RATE[quarter] + 0.08 * (3.5 - weak), 0.02, 0.9)
    complained = problem & (rng.random(n) < 0.5)
    outcome = rng.choice(len(RESOLUTION), n, p=[share for _, share in RESOLUTION])
    path = np.where(
        ~problem, "none", np.where(~complained, "not_complained", np.array([name for name, _ in RESOLUTION])[outcome])
    )
    true_satisfaction += np.array([PATH_SHIFT[p] for p in path])
    acsi = np.clip(np.rint(true_satisfaction[:, None] + rng.normal(0.0, 0.7, (n, 3))), 0, 10).astype(np.int64)
    composite = acsi.mean(axis=1)
    latent = planted_loyalty(composite) + rng.normal(0.0, THRESHOLDS.noise, n)
    offsets = np.array([0.4, 0.2, -0.6])  # repurchase, recommend, cross_buy
    intent = np.clip(np.rint(latent[:, None] / 10 + offsets + rng.normal(0.0, 0.6, (n, 3))), 0, 10).astype(np.int64)
    return {
        "satisfaction": satisfaction,
        "importance": importance,
        "path": path,
        "acsi": acsi,
        "composite": composite,
        "intent": intent,
        "loyalty": intent.mean(axis=1) * 10.0,
        "trust": rng.normal(0.0, 0.4, n),
    }


def _scale(value: float, low: int = 1, high: int = 5) -> int:
    return min(max(round(float(value)), low), high)


def _response(
    rng: np.random.Generator,
    routing: Routing,
    customer: dict[str, Any],
    state: dict[str, Any],
    i: int,
    quarter: int,
    purchases: int,
    to_date: int,
) -> SimulatedResponse:
    loyalty = float(state["loyalty"][i])
    z = (loyalty - 60.0) / 20.0
    s = float(state["composite"][i])
    repurchase, recommend, cross_buy = (int(v) for v in state["intent"][i])
    tenure = customer["tenure_years"] + quarter / 4
    wallet = _scale(45 + 20 * z + rng.normal(0, 15), 0, 100)
    answers: Answers = {
        "aware": 1,
        "need": int(rng.choice([1, 2, 3], p=[0.8, 0.18, 0.02])),
        "able_to_buy": int(rng.choice([1, 2, 3], p=[0.93, 0.05, 0.02])),
        "purchases_to_date": 2 if to_date <= 1 else 3 if to_date <= 5 else 4,
        "tenure": 1 if tenure < 0.5 else 2 if tenure < 1 else 3 if tenure < 3 else 4 if tenure < 5 else 5,
        "share_of_wallet": wallet,
        "main_provider": 1 if wallet > 60 else 2 if wallet >= 35 else 3,
        "purchases_12m": int(min(purchases + rng.poisson(3 * customer["rate"] * np.exp(0.5 * z)), 1000)),
        "deliberation_days": int(min(np.rint(np.exp(1.5 - 0.6 * z + rng.normal(0, 0.6))), 365)),
        "spending_trend": _scale(3 + 0.8 * z + rng.normal(0, 0.8)),
        "sat_overall": int(state["acsi"][i][0]),
        "sat_expectations": int(state["acsi"][i][1]),
        "sat_ideal": int(state["acsi"][i][2]),
        "versus_competitors": _scale(3 + 0.45 * (s - 6.5) + rng.normal(0, 0.7)),
        "price_rise_10": _scale(2.8 + 0.8 * z + rng.normal(0, 0.8)),
        "attention_instructed": 2,
        "competitor_offers_attractive": _scale(3.2 - 0.7 * z + rng.normal(0, 0.8)),
        "buy_without_comparing": _scale(3 + 0.9 * z + rng.normal(0, 0.8)),
        "repurchase": repurchase,
        "cross_buy": cross_buy,
        "stop_buying": _scale(8.5 - loyalty / 10 + rng.normal(0, 1.2), 0, 10),
        "recommend": recommend,
        "gender": customer["gender"],
        "age_band": customer["age_band"],
        "education": customer["education"],
        "city_tier": customer["city_tier"],
        "income_band": customer["income_band"],
    }
    answers["recommended_12m"] = 1 if rng.random() < 1 / (1 + np.exp(-(recommend - 7.5))) else 2
    answers["referral_count"] = 1 + int(rng.poisson(1 + 2 * max(z, 0.0)))
    for code in ("trust_reliable", "trust_honest", "trust_competent", "trust_cares"):
        answers[code] = _scale(3.5 + 0.8 * z + state["trust"][i] + rng.normal(0, 0.5))
    for code, rated in state["satisfaction"].items():
        answers[f"attr_satisfaction_{code}"] = int(rated[i])
        answers[f"attr_importance_{code}"] = int(state["importance"][code][i])
    path = str(state["path"][i])
    answers.update(_complaint_answers(rng, path, quarter, answers))
    group = "promoter" if recommend >= 9 else "passive" if recommend >= 7 else "detractor"
    answers["recommend_reason"] = str(rng.choice(REASONS[group])) if rng.random() < 0.55 else None
    weakest = min(state["satisfaction"], key=lambda code: state["satisfaction"][code][i] + rng.random())
    answers["improvement"] = IMPROVEMENTS.get(weakest) if rng.random() < 0.4 else None
    start = datetime.combine(QUARTER_STARTS[quarter], datetime.min.time())
    submitted = start + timedelta(days=int(rng.integers(10, 80)), seconds=int(rng.integers(8 * 3600, 23 * 3600)))
    return SimulatedResponse(
        response_id="",
        customer_key=customer["customer_key"],
        submitted_at=submitted,
        duration_seconds=float(np.rint(MEDIAN_SECONDS * rng.lognormal(0.0, 0.35))),
        channel=customer["survey_channel"],
        ip_address=customer["ip_address"],
        ip_location=customer["ip_location"],
        answers=_routed(rng, routing, answers),
        satisfaction=s,
        loyalty=loyalty,
        path=path,
    )


def _complaint_answers(rng: np.random.Generator, path: str, quarter: int, answers: Answers) -> Answers:
    if path == "none":
        return {"problem": 2}
    weights = np.array([1.0, 1.2, 0.6, 0.8, 0.8, 0.5, 0.1])  # quality, delivery, price, staff, after-sales, app, other
    if quarter == 2:
        weights[[3, 4]] *= 3.0  # the service problem of 2026Q3
    weights = weights / weights.sum()
    kinds = sorted({int(k) for k in rng.choice(np.arange(1, 8), int(rng.choice([1, 1, 1, 2, 2, 3])), p=weights)})
    found: Answers = {"problem": 1, "problem_type": kinds}
    if 7 in kinds:
        found["problem_type_other"] = str(rng.choice(OTHER_TEXTS))
    if path == "not_complained":
        reasons = sorted({int(k) for k in rng.choice(np.arange(1, 6), int(rng.choice([1, 1, 2])))})
        return {**found, "complained": 2, "not_complained_reason": reasons}
    channels = sorted(
        {int(k) for k in rng.choice(np.arange(1, 7), int(rng.choice([1, 1, 2])), p=[0.3, 0.3, 0.3, 0.02, 0.06, 0.02])}
    )
    resolved = {"resolved": 1, "partly": 2, "unresolved": 3, "open": 4}[path]
    found.update(complained=1, complaint_channel=channels, complaint_resolved=resolved)
    if resolved in (1, 2):
        found["resolution_speed"] = int(
            rng.choice(np.arange(1, 6), p=[0.3, 0.3, 0.25, 0.1, 0.05] if resolved == 1 else [0.05, 0.15, 0.3, 0.3, 0.2])
        )
    found["resolution_satisfaction"] = _scale({1: 4.5, 2: 3.0, 3: 1.5, 4: 2.3}[resolved] + rng.normal(0, 0.6))
    return found


Routing = list[tuple[Item, Condition | None, list[Variable]]]


def _routing(questionnaire: Questionnaire) -> Routing:
    return [
        (item, parse_condition(item.show_if) if item.show_if else None, item_variables(questionnaire, item))
        for item in questionnaire.items()
    ]


def _routed(rng: np.random.Generator, routing: Routing, answers: Answers) -> Answers:
    """Answers in codebook order, routing respected: items not shown are None; a required item the model does
    not know gets an answer drawn evenly from its scale or options, so any variable of the design is filled."""
    routed: Answers = {}
    for item, condition, variables in routing:
        shown = condition is None or is_shown(condition, routed)
        for variable in variables:
            value = answers.get(variable.code) if shown else None
            if shown and value is None and item.required and variable.code == item.code:
                value = _any_answer(rng, item)
            if shown and value is None and item.required and variable.scale is not None:
                value = int(rng.integers(variable.scale.min, variable.scale.max + 1))
            routed[variable.code] = value
    return routed


def _any_answer(rng: np.random.Generator, item: Item) -> Any:
    match item:
        case SingleChoice():
            return int(rng.choice([o.code for o in item.options if not o.specify]))
        case MultipleChoice() | Ranking():
            return [int(rng.choice([o.code for o in item.options if not o.specify]))]
        case Rating() | Recommend():
            return int(rng.integers(item.scale.min, item.scale.max + 1))
        case Number():
            low = int(item.min if item.min is not None else 0)
            return int(min(low + rng.poisson(3), item.max if item.max is not None else low + 3))
        case FreeText():
            return None
        case RatingGrid() | ImportanceSatisfactionGrid():
            return None  # rows are filled one by one
    return None  # pragma: no cover - the union is closed


def _planted(rng: np.random.Generator, responses: list[SimulatedResponse], period: str) -> list[SimulatedResponse]:
    """Speeders, straight-liners, failed attention checks, duplicates and bad rows; then ids in time order."""
    count = len(responses)
    order = rng.permutation(count)
    sizes = [round(QUALITY[name] * count) for name in ("speeder", "straightliner", "attention_failed")]
    bad_values = [(code, value) for code, value in BAD_VALUES[period] if code in responses[0].answers]
    cut = np.cumsum([0, *sizes, len(bad_values), QUALITY["duplicates"]])
    grid = [code for code in responses[0].answers if code.startswith(("attr_importance_", "attr_satisfaction_"))]
    changed = list(responses)
    for index in order[cut[0] : cut[1]]:  # speeders: fast, and the grids answered at random
        r = changed[index]
        answers = {**r.answers, **{code: int(rng.integers(1, 6)) for code in grid}}
        seconds = float(np.rint(MEDIAN_SECONDS * rng.uniform(0.12, 0.3)))
        changed[index] = replace(r, answers=answers, duration_seconds=seconds, flags=r.flags | {"speeder"})
    for index in order[cut[1] : cut[2]]:  # straight-liners: one answer down each grid
        r = changed[index]
        importance, satisfaction = int(rng.choice([4, 5])), int(rng.choice([3, 4]))
        answers = {**r.answers}
        for code in grid:
            answers[code] = importance if code.startswith("attr_importance_") else satisfaction
        changed[index] = replace(r, answers=answers, flags=r.flags | {"straightliner"})
    for index in order[cut[2] : cut[3]]:
        r = changed[index]
        wrong = int(rng.choice([4, 3, 5, 1], p=[0.6, 0.2, 0.15, 0.05]))
        changed[index] = replace(
            r, answers={**r.answers, "attention_instructed": wrong}, flags=r.flags | {"attention_failed"}
        )
    for index, (code, value) in zip(order[cut[3] : cut[4]], bad_values, strict=True):
        r = changed[index]
        changed[index] = replace(r, answers={**r.answers, code: value}, planted="bad", bad_variable=code)
    duplicates = []
    for index in order[cut[4] : cut[5]]:
        r = changed[index]
        later = r.submitted_at + timedelta(seconds=int(rng.integers(30, 150)))
        duplicates.append(
            replace(r, submitted_at=later, duration_seconds=r.duration_seconds * 0.7, planted="duplicate")
        )
    rows = sorted(changed + duplicates, key=lambda r: r.submitted_at)
    prefix = period.replace("Q", "-Q")
    return [replace(r, response_id=f"{prefix}-{number:04d}") for number, r in enumerate(rows, start=1)]
