"""`loyalty measure segments ladder|lifecycle|value-matrix|programme`: who the customers are.

Each sub-command classifies the rows of a data file by one scheme of METHODS §10, prints the
distribution, and — given --wave-column and --customer-column — the transition matrix of the customers
seen in both of the last two waves. Rule thresholds are options whose defaults are METHODS'.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loyalty.commands.measure import input_error_from
from loyalty.commands.measure.stored_wave import (
    FlaggedOption,
    IncompleteOption,
    MeasuredWave,
    SurveyOption,
    refuse_in_stored_mode,
)
from loyalty.commands.measure.stored_wave import WaveOption as StoredWaveOption
from loyalty.commands.measure.stored_wave import stored_wave as load_stored_wave
from loyalty.commands.measure.text_width import pad
from loyalty.commands.measure.waves import sorted_waves, two_waves, wave_labels
from loyalty.data_file import numeric_columns, read_data_file, require_columns, yes_no_column
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

group: typer.Typer = typer.Typer(
    help="Segments: loyalty ladder, relationship lifecycle, value matrix, loyalty-programme measures.",
    no_args_is_help=True,
)

DataOption = Annotated[Path | None, typer.Option("--data", help="CSV or Excel file, one row per customer (per wave).")]
CustomerOption = Annotated[
    str | None, typer.Option("--customer-column", help="Customer id: links customers across waves.")
]
WaveOption = Annotated[
    str | None,
    typer.Option("--wave-column", help="Wave of each row: classify each wave, and show transitions."),
]
WavesOption = Annotated[
    str | None, typer.Option("--waves", help="The two waves to compare, earlier first: 'EARLIER,LATER'.")
]
WeightsOption = Annotated[str | None, typer.Option("--weights", help="Column of survey weights.")]
SaveOption = Annotated[
    Path | None, typer.Option("--save", help="Write the file with a column of each row's class to this CSV.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
_INTENTIONS = {
    "more": 1.0,
    "same": 0.0,
    "less": -1.0,
    "更多": 1.0,
    "多": 1.0,
    "增加": 1.0,
    "一样": 0.0,
    "一樣": 0.0,
    "不变": 0.0,
    "不變": 0.0,
    "更少": -1.0,
    "少": -1.0,
    "减少": -1.0,
    "減少": -1.0,
    "1": 1.0,
    "+1": 1.0,
    "0": 0.0,
    "-1": -1.0,
}


@group.command()
def ladder(
    ctx: typer.Context,
    purchases_column: Annotated[str, typer.Option("--purchases-column", help="Purchases so far (lifetime).")],
    months_since_purchase_column: Annotated[
        str | None, typer.Option("--months-since-purchase-column", help="Months since the last purchase.")
    ] = None,
    stopped_column: Annotated[
        str | None, typer.Option("--stopped-column", help="Says they stopped buying (yes/no).")
    ] = None,
    recommend_column: Annotated[
        str | None,
        typer.Option("--recommend-column", help="0–10 likelihood to recommend; adds NPS per stage."),
    ] = None,
    referrals_column: Annotated[
        str | None, typer.Option("--referrals-column", help="People recommended to in the last 12 months.")
    ] = None,
    referral_recorded_column: Annotated[
        str | None,
        typer.Option("--referral-recorded-column", help="A referral recorded in the CRM (yes/no)."),
    ] = None,
    period_columns: Annotated[
        str | None,
        typer.Option("--period-columns", help="Purchases per recent period, oldest first: 'q1,q2,q3,q4'."),
    ] = None,
    category_coverage_column: Annotated[
        str | None, typer.Option("--category-coverage-column", help="Share 0–1 of the categories they use.")
    ] = None,
    share_of_wallet_column: Annotated[
        str | None, typer.Option("--share-of-wallet-column", help="Share of wallet 0–1.")
    ] = None,
    aware_column: Annotated[str | None, typer.Option("--aware-column", help="Non-buyers: aware (yes/no).")] = None,
    need_column: Annotated[str | None, typer.Option("--need-column", help="Non-buyers: has a need (yes/no).")] = None,
    able_column: Annotated[
        str | None, typer.Option("--able-column", help="Non-buyers: can afford and reach it (yes/no).")
    ] = None,
    lapse_months: Annotated[float, typer.Option("--lapse-months", help="Lost after this many months.")] = 12.0,
    advocate_min_recommend: Annotated[
        float, typer.Option("--advocate-min-recommend", help="Advocates recommend at least this.")
    ] = 9.0,
    advocate_min_referrals: Annotated[
        int, typer.Option("--advocate-min-referrals", help="Advocates referred at least this many.")
    ] = 1,
    client_periods: Annotated[
        int, typer.Option("--client-periods", help="Clients buy in each of the last K periods.")
    ] = 4,
    client_min_purchases: Annotated[
        int, typer.Option("--client-min-purchases", help="… at least this many times per period.")
    ] = 1,
    client_min_coverage: Annotated[
        float, typer.Option("--client-min-coverage", help="… and cover this share of their categories …")
    ] = 0.70,
    client_min_wallet: Annotated[
        float, typer.Option("--client-min-wallet", help="… or hold this share of wallet.")
    ] = 0.60,
    repeat_min_purchases: Annotated[
        int, typer.Option("--repeat-min-purchases", help="Repeat customers bought at least this often.")
    ] = 2,
    six_stages: Annotated[
        bool, typer.Option("--six-stages", help="Griffin's six-stage ladder: no 'disqualified prospect'.")
    ] = False,
    data: DataOption = None,
    survey: SurveyOption = None,
    wave: StoredWaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    customer_column: CustomerOption = None,
    wave_column: WaveOption = None,
    waves: WavesOption = None,
    weights: WeightsOption = None,
    save: SaveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Griffin's loyalty ladder: suspect, prospect, first-time and repeat customer, client, advocate, lost.

    Rules, top-down, first match wins: lost (bought, but not for --lapse-months, or stopped);
    advocate (client, referred someone, recommends ≥ 9); client (bought in each of the last
    --client-periods periods, and covers ≥ 70 % of their categories or holds ≥ 60 % of wallet);
    repeat customer (≥ 2 purchases); first-time customer; then non-buyers by the screener:
    disqualified prospect (no need or cannot buy), prospect (aware, need, able), suspect.
    Evidence the file lacks never lifts a customer up the ladder. Yes/no columns take 1/0, yes/no or 是/否.

    Example:

        loyalty measure segments ladder --data docs/examples/customers.csv --purchases-column purchases
        --months-since-purchase-column months_since_purchase --recommend-column recommend
        --referrals-column referrals --period-columns q1,q2,q3,q4 --share-of-wallet-column wallet_share
        --aware-column aware --need-column need --able-column able
        --customer-column customer_id --wave-column wave

    On a stored wave (--survey S --wave W) the columns name the survey's variables: numbers must be
    rated or number items, and yes/no columns single-choice items with options 1 = yes, 2 = no:

        loyalty measure segments ladder --survey retail-2026 --wave 2026Q3
        --purchases-column purchases_12m --recommend-column recommend --referrals-column referral_count
        --aware-column aware
    """
    from measure.loyalty_ladder import LADDER_STAGES, LadderRules, loyalty_ladder

    frame, source, measured = _rows(ctx, data, survey, wave, include_incomplete, include_flagged, wave_column, waves)
    periods = [name.strip() for name in period_columns.split(",")] if period_columns else []
    numeric = [purchases_column, *periods] + [
        name
        for name in (
            months_since_purchase_column,
            recommend_column,
            referrals_column,
            category_coverage_column,
            share_of_wallet_column,
            weights,
        )
        if name
    ]
    yes_no = [
        name for name in (stopped_column, referral_recorded_column, aware_column, need_column, able_column) if name
    ]
    frame = _wave_columns(measured, frame, numeric, yes_no)
    _require(frame, numeric + yes_no, customer_column, wave_column, source)
    numbers = numeric_columns(frame, numeric, source)
    answers = {name: yes_no_column(frame, name) for name in yes_no}
    with input_error_from(source):
        rules = LadderRules(
            lapse_months=lapse_months,
            advocate_min_recommend=advocate_min_recommend,
            advocate_min_referrals=advocate_min_referrals,
            client_periods=client_periods,
            client_min_purchases_per_period=client_min_purchases,
            client_min_category_coverage=client_min_coverage,
            client_min_share_of_wallet=client_min_wallet,
            repeat_min_purchases=repeat_min_purchases,
            include_disqualified_prospect=not six_stages,
        )

    def classify(rows: np.ndarray) -> Any:
        def pick(name: str | None, table: Any) -> Any:
            return None if name is None else table[name][rows].to_numpy()

        return loyalty_ladder(
            numbers[purchases_column][rows].to_numpy(),
            months_since_last_purchase=pick(months_since_purchase_column, numbers),
            stopped_buying=pick(stopped_column, answers),
            recommend=pick(recommend_column, numbers),
            referrals=pick(referrals_column, numbers),
            referral_recorded=pick(referral_recorded_column, answers),
            period_purchases=numbers[periods][rows].to_numpy() if periods else None,
            category_coverage=pick(category_coverage_column, numbers),
            share_of_wallet=pick(share_of_wallet_column, numbers),
            aware=pick(aware_column, answers),
            has_need=pick(need_column, answers),
            able_to_buy=pick(able_column, answers),
            weights=pick(weights, numbers),
            rules=rules,
        )

    output = _classify_by_wave(
        frame,
        numbers,
        source,
        classify,
        "ladder",
        list(LADDER_STAGES),
        customer_column,
        wave_column,
        waves,
        weights,
        recommend_column,
        save,
        extra={"rules": rules.as_dict()},
    )
    _finish(output, as_json, "stage", measured)


@group.command()
def lifecycle(
    ctx: typer.Context,
    tenure_column: Annotated[str, typer.Option("--tenure-column", help="Months since the first purchase.")],
    transactions_column: Annotated[
        str | None, typer.Option("--transactions-column", help="Transactions so far.")
    ] = None,
    trend_column: Annotated[
        str | None,
        typer.Option("--trend-column", help="Spending trend g (slope of log(1 + spend) per period)."),
    ] = None,
    spend_columns: Annotated[
        str | None,
        typer.Option("--spend-columns", help="Spending per period, oldest first: the trend is fitted from them."),
    ] = None,
    intention_column: Annotated[
        str | None, typer.Option("--intention-column", help="Will buy more / same / less (or +1 / 0 / -1).")
    ] = None,
    quality_column: Annotated[
        str | None,
        typer.Option("--quality-column", help="Relationship quality (mean z-score of trust etc.)."),
    ] = None,
    previous_quality_column: Annotated[
        str | None,
        typer.Option("--previous-quality-column", help="Quality last wave (found from the waves when omitted)."),
    ] = None,
    months_since_purchase_column: Annotated[
        str | None, typer.Option("--months-since-purchase-column", help="Months since the last purchase.")
    ] = None,
    lost_column: Annotated[
        str | None,
        typer.Option("--lost-column", help="Customer lost (yes/no); default: in decline at the latest wave."),
    ] = None,
    exploration_months: Annotated[
        float, typer.Option("--exploration-months", help="T1: exploration below this tenure.")
    ] = 6.0,
    exploration_transactions: Annotated[
        int,
        typer.Option("--exploration-transactions", help="Exploration with at most this many transactions."),
    ] = 2,
    trend_tolerance: Annotated[float, typer.Option("--trend-tolerance", help="δ: a trend within ±δ is flat.")] = 0.05,
    trend_confidence: Annotated[
        float,
        typer.Option(
            "--trend-confidence",
            help="A trend fitted from --spend-columns rises or falls only if its t test rejects 0 at this level.",
        ),
    ] = 0.90,
    stability_months: Annotated[
        float, typer.Option("--stability-months", help="T2: stability needs this tenure.")
    ] = 12.0,
    stability_min_quality: Annotated[
        float | None,
        typer.Option("--stability-min-quality", help="Quality needed for stability (default median)."),
    ] = None,
    lapse_months: Annotated[float, typer.Option("--lapse-months", help="Decline after this many months.")] = 12.0,
    quality_drop_sd: Annotated[
        float, typer.Option("--quality-drop-sd", help="A quality drop of this many SDs is decline.")
    ] = 0.5,
    early_stability_periods: Annotated[
        int,
        typer.Option("--early-stability-periods", help="Lost after fewer stable waves: 'early in stability'."),
    ] = 4,
    data: DataOption = None,
    survey: SurveyOption = None,
    wave: StoredWaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    customer_column: CustomerOption = None,
    wave_column: WaveOption = None,
    waves: WavesOption = None,
    weights: WeightsOption = None,
    save: SaveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Relationship lifecycle: exploration (考察期), formation (形成期), stability (稳定期), decline (退化期).

    Rules, top-down: exploration (tenure < 6 months or ≤ 2 transactions); decline (trend < −δ,
    intention "less", no purchase for 12 months, or relationship quality down ≥ 0.5 SD); formation
    (trend > δ, or intention "more" with quality rising); stability (flat trend, quality ≥ median,
    tenure ≥ 12 months); anything else is "unclassified" and counted. A trend fitted from
    --spend-columns (at least 3 periods) rises or falls only when, beyond ±δ, its t test also tells it
    from zero at --trend-confidence: quarter-to-quarter noise alone moves a slope past δ.

    With --wave-column and --customer-column: the transition matrix between the last two waves, last
    wave's quality as --previous-quality-column, and for lost customers (in decline at their latest
    wave, or --lost-column) the stage in which their relationship ended.

    Example:

        loyalty measure segments lifecycle --data docs/examples/customers.csv --tenure-column tenure_months
        --transactions-column transactions --spend-columns spend_q1,spend_q2,spend_q3,spend_q4
        --intention-column intention --quality-column quality --customer-column customer_id --wave-column wave
    """
    import numpy as np

    from measure.lifecycle import (
        LIFECYCLE_STAGES,
        LifecycleRules,
        lost_customer_patterns,
        relationship_lifecycle,
        spend_trend_fit,
    )

    frame, source, measured = _rows(ctx, data, survey, wave, include_incomplete, include_flagged, wave_column, waves)
    spends = [name.strip() for name in spend_columns.split(",")] if spend_columns else []
    if trend_column and spends:
        raise InputError(
            "Give the spending trend one way.",
            [Problem("--trend-column / --spend-columns", "give one of them, not both.")],
        )
    numeric = [tenure_column, *spends] + [
        name
        for name in (
            transactions_column,
            trend_column,
            quality_column,
            previous_quality_column,
            months_since_purchase_column,
            weights,
        )
        if name
    ]
    frame = _wave_columns(measured, frame, numeric, [lost_column] if lost_column else [])
    _require(
        frame,
        numeric + [name for name in (intention_column, lost_column) if name],
        customer_column,
        wave_column,
        source,
    )
    if lost_column and not wave_column:
        raise InputError(
            "--lost-column needs --wave-column.",
            [
                Problem(
                    "--lost-column",
                    "lost-customer patterns follow each customer across waves; name the waves.",
                )
            ],
        )
    numbers = numeric_columns(frame, numeric, source)
    intention = _intentions(frame, intention_column) if intention_column else None
    lost_flags = yes_no_column(frame, lost_column) if lost_column else None
    trend: Any = numbers[trend_column].to_numpy() if trend_column else None
    trend_error: Any = None
    trend_periods: Any = None
    if spends:
        with input_error_from(source):
            fit = spend_trend_fit(numbers[spends].to_numpy())
        trend, trend_error, trend_periods = np.array(fit.slopes), np.array(fit.standard_errors), np.array(fit.periods)
    previous_quality: Any = numbers[previous_quality_column] if previous_quality_column else None
    if previous_quality is None and quality_column and wave_column and customer_column:
        previous_quality = _previous_wave_values(frame, numbers[quality_column], customer_column, wave_column)
    with input_error_from(source):
        rules = LifecycleRules(
            exploration_max_months=exploration_months,
            exploration_max_transactions=exploration_transactions,
            trend_tolerance=trend_tolerance,
            trend_confidence=trend_confidence,
            stability_min_months=stability_months,
            stability_min_quality=stability_min_quality,
            lapse_months=lapse_months,
            quality_drop_sd=quality_drop_sd,
            early_stability_max_periods=early_stability_periods,
        )

    def classify(rows: np.ndarray) -> Any:
        def pick(values: Any) -> Any:
            if values is None:
                return None
            return np.asarray(values)[rows]

        return relationship_lifecycle(
            numbers[tenure_column][rows].to_numpy(),
            transactions=pick(numbers[transactions_column] if transactions_column else None),
            trend=pick(trend),
            trend_standard_error=pick(trend_error),
            trend_periods=pick(trend_periods),
            intention=pick(intention),
            relationship_quality=pick(numbers[quality_column] if quality_column else None),
            previous_relationship_quality=pick(previous_quality),
            months_since_last_purchase=pick(
                numbers[months_since_purchase_column] if months_since_purchase_column else None
            ),
            weights=pick(numbers[weights] if weights else None),
            rules=rules,
        )

    output = _classify_by_wave(
        frame,
        numbers,
        source,
        classify,
        "lifecycle",
        list(LIFECYCLE_STAGES),
        customer_column,
        wave_column,
        waves,
        weights,
        None,
        save,
        extra={"rules": rules.as_dict()},
    )
    if wave_column and customer_column:
        histories = _histories(frame, output.pop("_row_classes"), customer_column, wave_column, lost_flags)
        with input_error_from(source):
            patterns = lost_customer_patterns(
                list(histories.values()), early_stability_max_periods=early_stability_periods
            )
        output["lost_customers"] = [
            {"customer": customer, "pattern": pattern}
            for customer, pattern in zip(histories, patterns.patterns, strict=True)
        ]
        output["lost_patterns"] = [row.as_dict() for row in patterns.distribution]
    output.pop("_row_classes", None)
    _finish(output, as_json, "stage", measured)


@group.command(name="value-matrix")
def value_matrix(
    ctx: typer.Context,
    current_value_column: Annotated[
        str | None,
        typer.Option("--current-value-column", help="Current value CV (last-12-month contribution)."),
    ] = None,
    potential_value_column: Annotated[
        str | None, typer.Option("--potential-value-column", help="Growth potential PV.")
    ] = None,
    revenue_column: Annotated[
        str | None, typer.Option("--revenue-column", help="Without CV: last-12-month revenue …")
    ] = None,
    cost_to_serve_column: Annotated[
        str | None,
        typer.Option("--cost-to-serve-column", help="… minus cost to serve (CV = revenue × margin − cost)."),
    ] = None,
    wallet_column: Annotated[
        str | None, typer.Option("--wallet-column", help="Without PV: the customer's category spend …")
    ] = None,
    share_of_wallet_column: Annotated[
        str | None,
        typer.Option("--share-of-wallet-column", help="… and our share of it (PV = wallet × (1 − share) × margin)."),
    ] = None,
    margin: Annotated[float, typer.Option("--margin", help="Contribution margin for CV and PV.")] = 1.0,
    current_cut: Annotated[
        float | None, typer.Option("--current-cut", help="Business target for high CV (default: median).")
    ] = None,
    potential_cut: Annotated[
        float | None, typer.Option("--potential-cut", help="Business target for high PV (default: median).")
    ] = None,
    language: Annotated[
        str, typer.Option("--language", help="Language of the printed strategies: zh-Hans, zh-Hant or en.")
    ] = "zh-Hans",
    data: DataOption = None,
    survey: SurveyOption = None,
    wave: StoredWaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    customer_column: CustomerOption = None,
    wave_column: WaveOption = None,
    waves: WavesOption = None,
    weights: WeightsOption = None,
    save: SaveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Customer value matrix: current value × growth potential, with a strategy for each class.

    Classes (cut at the medians unless --current-cut/--potential-cut; a value at the cut counts as
    high): key/platinum (high CV, high PV) — maximal retention resources; maintain/gold (high CV,
    low PV) — protect at efficient cost; develop/iron (low CV, high PV) — cross- and up-sell;
    minimal/lead (low, low) — low-cost channels, reprice or let go. The JSON holds each class's name,
    resources and strategy in zh-Hans, zh-Hant and en. With --wave-column and --customer-column, the
    class transitions (class stability) between the last two waves.

    Example:

        loyalty measure segments value-matrix --data docs/examples/customers.csv --revenue-column revenue
        --cost-to-serve-column cost_to_serve --wallet-column wallet --share-of-wallet-column wallet_share
        --margin 0.3 --language en
    """
    from measure.value_matrix import (
        VALUE_CLASSES,
        current_contribution,
        customer_value_matrix,
        wallet_growth_potential,
    )

    if language not in ("zh-Hans", "zh-Hant", "en"):
        raise InputError("Unknown language.", [Problem("--language", f"{language!r}; use zh-Hans, zh-Hant or en.")])
    if (current_value_column is None) == (revenue_column is None):
        raise InputError(
            "Current value needs one source.",
            [Problem("--current-value-column / --revenue-column", "give exactly one of them.")],
        )
    if (potential_value_column is None) == (wallet_column is None):
        raise InputError(
            "Growth potential needs one source.",
            [Problem("--potential-value-column / --wallet-column", "give exactly one of them.")],
        )
    if wallet_column and not share_of_wallet_column:
        raise InputError(
            "Growth potential from the wallet needs our share of it.",
            [Problem("--share-of-wallet-column", "is not given.")],
        )
    frame, source, measured = _rows(ctx, data, survey, wave, include_incomplete, include_flagged, wave_column, waves)
    numeric = [
        name
        for name in (
            current_value_column,
            potential_value_column,
            revenue_column,
            cost_to_serve_column,
            wallet_column,
            share_of_wallet_column,
            weights,
        )
        if name
    ]
    frame = _wave_columns(measured, frame, numeric, [])
    _require(frame, numeric, customer_column, wave_column, source)
    numbers = numeric_columns(frame, numeric, source)
    with input_error_from(source):
        current = (
            numbers[current_value_column].to_numpy()
            if current_value_column
            else current_contribution(
                numbers[revenue_column or ""].to_numpy(),
                margin,
                numbers[cost_to_serve_column].to_numpy() if cost_to_serve_column else 0.0,
            )
        )
        potential = (
            numbers[potential_value_column].to_numpy()
            if potential_value_column
            else wallet_growth_potential(
                numbers[wallet_column or ""].to_numpy(),
                numbers[share_of_wallet_column or ""].to_numpy(),
                margin,
            )
        )

    def classify(rows: np.ndarray) -> Any:
        return customer_value_matrix(
            current[rows],
            potential[rows],
            current_cut=current_cut,
            potential_cut=potential_cut,
            weights=numbers[weights][rows].to_numpy() if weights else None,
        )

    output = _classify_by_wave(
        frame,
        numbers,
        source,
        classify,
        "value_matrix",
        list(VALUE_CLASSES),
        customer_column,
        wave_column,
        waves,
        weights,
        None,
        save,
        extra={},
        classes_field="classes",
        summary_field="summary",
    )
    output.pop("_row_classes", None)
    if measured is not None:
        output["stored_wave"] = measured.as_dict()
    if as_json:
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
        return
    if measured is not None:
        typer.echo(measured.describe())
    suffix = {"zh-Hans": "zh_hans", "zh-Hant": "zh_hant", "en": "en"}[language]
    wave = f", wave {output['wave']}" if output.get("wave") else ""
    cuts = f"CV cut {output['current_cut']:,.2f}, PV cut {output['potential_cut']:,.2f}"
    typer.echo(f"Customer value matrix{wave}: {cuts}")
    for row in output["summary"]:
        typer.echo(
            f"  {pad(row['name_' + suffix], 20)} n {row['count']:>5}  {row['share']:6.1%}  "
            f"value {row['current_value_share']:6.1%}  {row['strategy_' + suffix]}"
        )
    _print_transitions(output)


@group.command()
def programme(
    data: Annotated[Path, typer.Option("--data", help="CRM records: one row per customer per period.")],
    customer_column: Annotated[str, typer.Option("--customer-column", help="Customer id.")],
    period_column: Annotated[str, typer.Option("--period-column", help="Period (e.g. 2026-Q1).")],
    revenue_column: Annotated[str, typer.Option("--revenue-column", help="Revenue of the record.")],
    segment_column: Annotated[
        str | None, typer.Option("--segment-column", help="Tier or segment: measures per tier.")
    ] = None,
    satisfaction_column: Annotated[
        str | None,
        typer.Option("--satisfaction-column", help="The survey's satisfaction index, where known."),
    ] = None,
    confidence: Annotated[float, typer.Option("--confidence", help="Confidence level.")] = 0.95,
    as_json: JsonOption = False,
) -> None:
    """Loyalty-programme measures from CRM records: retention, churn, revenue per customer by tier.

    A customer is active in a period with revenue above 0. Per period (in sorted order) and tier:
    retention = share of last period's active customers active again (counted in the tier they held
    then), churn = 1 − retention, with Wilson intervals; revenue per active customer and its change;
    and, where the records carry it, the mean satisfaction index beside them.

    Example:

        loyalty measure segments programme --data docs/examples/crm_records.csv --customer-column customer_id
        --period-column quarter --revenue-column revenue --segment-column tier
    """
    from measure.programme import loyalty_programme_measures

    source = str(data)
    frame = read_data_file(data)
    numeric = [revenue_column] + ([satisfaction_column] if satisfaction_column else [])
    require_columns(
        frame,
        [customer_column, period_column, *numeric, *([segment_column] if segment_column else [])],
        source,
    )
    numbers = numeric_columns(frame, numeric, source)
    with input_error_from(source):
        result = loyalty_programme_measures(
            frame[customer_column].to_numpy(dtype=object),
            frame[period_column].to_numpy(dtype=object),
            numbers[revenue_column].to_numpy(),
            segments=frame[segment_column].to_numpy(dtype=object) if segment_column else None,
            satisfaction=numbers[satisfaction_column].to_numpy() if satisfaction_column else None,
            confidence=confidence,
        )
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo("period     segment     active  retention  churn   revenue/customer  change   satisfaction")
    for row in result.rows:
        retention = "" if row.retention_rate is None else f"{row.retention_rate:.1%}"
        churn = "" if row.churn_rate is None else f"{row.churn_rate:.1%}"
        per_head = "" if row.revenue_per_customer is None else f"{row.revenue_per_customer:,.1f}"
        growth = "" if row.revenue_per_customer_growth is None else f"{row.revenue_per_customer_growth:+.1%}"
        score = "" if row.satisfaction is None else f"{row.satisfaction:.2f}"
        typer.echo(
            f"{row.period:<10} {row.segment:<10} {row.active:>6}  {retention:>9}  {churn:>6}  "
            f"{per_head:>16}  {growth:>7}  {score:>12}"
        )


def _require(
    frame: pd.DataFrame, columns: list[str], customer_column: str | None, wave_column: str | None, source: str
) -> None:
    require_columns(frame, columns + [name for name in (customer_column, wave_column) if name], source)
    if wave_column and not customer_column:
        raise InputError(
            "--wave-column needs --customer-column.",
            [
                Problem(
                    "--customer-column",
                    "transitions link each customer's rows across waves; name the id column.",
                )
            ],
        )


def _classify_by_wave(
    frame: pd.DataFrame,
    numbers: pd.DataFrame,
    source: str,
    classify: Any,
    scheme: str,
    order: list[str],
    customer_column: str | None,
    wave_column: str | None,
    waves: str | None,
    weights: str | None,
    recommend_column: str | None,
    save: Path | None,
    *,
    extra: dict[str, Any],
    classes_field: str = "stages",
    summary_field: str = "distribution",
) -> dict[str, Any]:
    """Classify every wave separately (or the whole file), then the latest wave's summary on top."""
    import numpy as np
    import pandas as pd

    from measure.net_promoter import net_promoter_by_segment
    from measure.stage_transitions import stage_transitions

    row_classes = np.full(len(frame), "", dtype=object)
    output: dict[str, Any] = {"scheme": scheme}
    with input_error_from(source):
        if wave_column:
            labels = wave_labels(frame[wave_column])
            earlier, later = two_waves(labels, waves, wave_column)
            per_wave = []
            results = {}
            for label in sorted_waves(labels):
                rows = (labels == label).to_numpy()
                result = classify(rows)
                row_classes[rows] = getattr(result, classes_field)
                results[label] = result
                per_wave.append(
                    {"wave": label, summary_field: [row.as_dict() for row in getattr(result, summary_field)]}
                )
            latest = results[later]
            output["wave"] = later
            output.update({key: value for key, value in latest.as_dict().items() if key != classes_field})
            output["waves"] = per_wave
            ids = frame[customer_column].astype(str)
            before = (labels == earlier).to_numpy()
            after = (labels == later).to_numpy()
            moves = stage_transitions(
                pd.Series(row_classes[before], index=ids[before].to_numpy()),
                pd.Series(row_classes[after], index=ids[after].to_numpy()),
                stages=order,
            )
            output["transitions"] = {"earlier_wave": earlier, "later_wave": later, **moves.as_dict()}
            focus = after
        else:
            result = classify(np.ones(len(frame), dtype=bool))
            row_classes[:] = getattr(result, classes_field)
            output.update({key: value for key, value in result.as_dict().items() if key != classes_field})
            focus = np.ones(len(frame), dtype=bool)
        if recommend_column:
            by_stage = net_promoter_by_segment(
                numbers[recommend_column][focus].to_numpy(),
                row_classes[focus],
                weights=numbers[weights][focus].to_numpy() if weights else None,
            )
            rank = {stage: position for position, stage in enumerate(order)}
            output["nps_by_stage"] = [
                row.as_dict() for row in sorted(by_stage, key=lambda row: rank.get(row.segment, len(rank)))
            ]
    output.update(extra)
    # each row's class: by customer id, or by the row's line in the file when there is no id column
    names = (
        frame[customer_column].astype(str) if customer_column else [f"row {index + 2}" for index in range(len(frame))]
    )
    wave_names = wave_labels(frame[wave_column]) if wave_column else [None] * len(frame)
    output["customers"] = [
        {"customer": str(customer), **({"wave": wave} if wave_column else {}), "class": str(value)}
        for customer, wave, value in zip(names, wave_names, row_classes, strict=True)
    ]
    if save is not None:
        frame.assign(**{scheme: row_classes}).to_csv(save, index=False, encoding="utf-8-sig")
        output["saved"] = str(save)
    output["_row_classes"] = row_classes
    return output


def _finish(output: dict[str, Any], as_json: bool, label: str, measured: MeasuredWave | None = None) -> None:
    output.pop("_row_classes", None)
    if measured is not None:
        output["stored_wave"] = measured.as_dict()
    if as_json:
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
        return
    if measured is not None:
        typer.echo(measured.describe())
    wave = f", wave {output['wave']}" if output.get("wave") else ""
    typer.echo(f"{output['scheme'].replace('_', ' ').capitalize()}{wave}")
    for row in output["distribution"]:
        typer.echo(f"  {row['label_en']:<24} {pad(row['label_zh_hans'], 18)} n {row['count']:>5}  {row['share']:6.1%}")
    for row in output.get("nps_by_stage", []):
        flag = "  (insufficient base)" if row["insufficient_base"] else ""
        typer.echo(f"  NPS of {row['segment']:<22} {row['score']:6.1f}  (n {row['n']}){flag}")
    _print_transitions(output)
    for row in output.get("lost_patterns", []):
        typer.echo(f"  lost, {row['label_en']:<34} {pad(row['label_zh_hans'], 18)} n {row['count']:>5}")


def _print_transitions(output: dict[str, Any]) -> None:
    moves = output.get("transitions")
    if not moves:
        return
    typer.echo(
        f"Transitions {moves['earlier_wave']} → {moves['later_wave']} ({moves['linked']} customers in both; "
        f"{moves['stability']:.1%} stayed)"
    )
    stages = moves["stages"]
    width = max(len(stage) for stage in stages) + 2
    typer.echo(" " * width + "".join(f"{stage[:10]:>11}" for stage in stages))
    for stage, counts in zip(stages, moves["counts"], strict=True):
        if any(counts):
            typer.echo(f"{stage:<{width}}" + "".join(f"{count:>11}" for count in counts))


def _intentions(frame: pd.DataFrame, column: str) -> np.ndarray:
    import numpy as np

    values: list[float] = []
    problems: list[Problem] = []
    for index, cell in frame[column].items():
        text = "" if cell is None or cell != cell else str(cell).strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text == "":
            values.append(np.nan)
        elif text in _INTENTIONS:
            values.append(_INTENTIONS[text])
        else:
            values.append(np.nan)
            if len(problems) < 5:
                problems.append(
                    Problem(
                        f"row {int(str(index)) + 2}, column {column}",
                        f"{cell!r} is not more / same / less.",
                        "Write more, same or less (更多/一样/更少), or +1/0/-1.",
                    )
                )
    if problems:
        raise InputError(f"column {column} has answers that are not an intention.", problems)
    return np.asarray(values, dtype=float)


def _previous_wave_values(frame: pd.DataFrame, values: pd.Series, customer_column: str, wave_column: str) -> np.ndarray:
    """Each row's value in the same customer's previous wave (NaN in their first wave)."""
    import numpy as np

    labels = wave_labels(frame[wave_column])
    order = {label: position for position, label in enumerate(sorted_waves(labels))}
    rank = labels.map(lambda label: order.get(label, -1))
    ids = frame[customer_column].astype(str)
    result = np.full(len(frame), np.nan)
    lookup = {(customer, position): value for customer, position, value in zip(ids, rank, values, strict=True)}
    for row, (customer, position) in enumerate(zip(ids, rank, strict=True)):
        if position > 0:
            result[row] = lookup.get((customer, position - 1), np.nan)
    return result


def _histories(
    frame: pd.DataFrame,
    row_classes: np.ndarray,
    customer_column: str,
    wave_column: str,
    lost_flags: pd.Series | None,
) -> dict[str, list[str]]:
    """Stage histories (oldest wave first) of lost customers: in decline at their latest wave, or flagged."""
    labels = wave_labels(frame[wave_column])
    order = {label: position for position, label in enumerate(sorted_waves(labels))}
    table = frame.assign(
        _customer=frame[customer_column].astype(str),
        _rank=labels.map(lambda label: order.get(label, -1)),
        _stage=row_classes,
        _lost=lost_flags if lost_flags is not None else float("nan"),
    )
    table = table[table["_rank"] >= 0].sort_values(["_customer", "_rank"], kind="stable")
    histories: dict[str, list[str]] = {}
    for customer, rows in table.groupby("_customer", sort=True):
        last = rows.iloc[-1]
        lost = last["_lost"] == 1 if lost_flags is not None else last["_stage"] == "decline"
        if lost:
            histories[str(customer)] = [str(stage) for stage in rows["_stage"]]
    return histories


def _rows(
    ctx: typer.Context,
    data: Path | None,
    survey: str | None,
    wave: str | None,
    include_incomplete: bool,
    include_flagged: bool,
    wave_column: str | None,
    waves: str | None,
) -> tuple[pd.DataFrame, str, MeasuredWave | None]:
    """The rows to classify: the data file's, or a stored wave's (complete responses, one wave)."""
    measured = load_stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged)
    if measured is None:
        assert data is not None  # by load_stored_wave
        return read_data_file(data), str(data), None
    refuse_in_stored_mode(
        {"--wave-column": wave_column, "--waves": waves}, "a stored wave is one wave; it is classified as a whole."
    )
    return measured.frame.copy(), measured.source, measured


def _wave_columns(
    measured: MeasuredWave | None, frame: pd.DataFrame, numeric: list[str], yes_no: list[str]
) -> pd.DataFrame:
    """On a stored wave: numbers must be rated or number items (a choice's codes are not counts), and a yes/no
    option names a choice item with options 1 = yes, 2 = no, read as 1/0. A data file is returned as it is."""
    if measured is None:
        return frame
    from surveys.wave_inputs import segment_column

    known = {variable.code: variable for variable in measured.data.codebook}
    problems: list[Problem] = []
    for name in [*numeric, *yes_no]:
        segment_column(measured.data, name, f"column {name}")
    for name in numeric:
        if name in known and known[name].kind not in ("scale", "number"):
            problems.append(Problem(name, f"is a {known[name].kind} item: its answers are option codes, not numbers."))
    for name in yes_no:
        item = known.get(name)
        if item is None or item.kind != "choice" or item.option_codes != (1, 2):
            problems.append(Problem(name, "is not a yes/no item (a single choice with options 1 = yes, 2 = no)."))
        else:
            frame[name] = frame[name].map({1: 1.0, 2: 0.0}, na_action="ignore").astype(float)
    if problems:
        raise InputError(f"{measured.source}: these variables cannot serve here.", problems)
    return frame
