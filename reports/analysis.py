"""Every measure a stored wave supports, run the way its `loyalty measure … --survey S --wave W` command runs it.

The inputs come from `surveys.wave_inputs` (the same selections by construct as the measure commands), the
statistics from `measure/`. A section whose inputs the survey lacks is not computed: its reason (the
InputError's message and first problem) is kept in `left_out`, so the report can say why in one line.
Pure: a loaded `WaveData` in, results out; no files, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from reports.screening import FlaggedFilter, screen_wave, without_flagged
from surveys.problems import InputError
from surveys.questionnaire import Construct
from surveys.storage.wave_data import WaveData
from surveys.wave_inputs import StatusFilter, complete_responses

if TYPE_CHECKING:
    import pandas as pd

    from measure.importance_performance import ImportancePerformance
    from measure.lifecycle import Lifecycle
    from measure.loyalty_index import IndexSensitivity, LoyaltyIndex
    from measure.loyalty_ladder import LoyaltyLadder
    from measure.market_damage import ComplaintPaths, SurveyMarketDamage
    from measure.net_promoter import NetPromoterScore, SegmentNetPromoter
    from measure.penalty_reward import PenaltyRewardContrast
    from measure.relative_importance import DerivedImportance
    from measure.reliability import ScaleReliability
    from measure.response_quality import ResponseQuality
    from measure.threshold_analysis import ThresholdAnalysis
    from measure.value_matrix import ValueMatrix
    from reports.weighting import WaveWeighting, WeightingPlan
    from surveys.customer_inputs import CustomerInputs

#: The report's seed for every resampling step (threshold bootstrap), stated in the methods appendix.
SEED = 20260701
#: TARP defaults the complaint section states: a year's value per customer is not known from a survey.
CUSTOMER_BASE = 10_000.0
#: Indicator names of the loyalty index, by construct (as `loyalty measure index` names them).
INDICATOR_NAMES = {
    "repeat_purchase": "repeat_purchases",
    "deliberation_time": "deliberation_time",
    "price_sensitivity": "price_sensitivity",
    "competitor_attitude": "competitor_attitude",
    "churn_intent": "churn",
    "trust": "trust",
}
#: Growth potential reads a share of wallet below this as this: the wallet gap would otherwise be unbounded.
SHARE_OF_WALLET_FLOOR = 0.05


@dataclass(frozen=True)
class Satisfaction:
    """Overall satisfaction as a 0–100 composite of the overall-satisfaction items, per respondent."""

    values: tuple[float, ...]
    mean: float
    standard_error: float
    ci_low: float
    ci_high: float
    n: int


@dataclass(frozen=True)
class ThresholdResult:
    analysis: ThresholdAnalysis
    satisfaction: tuple[float, ...]  # the satisfaction composite on its scale, per respondent
    loyalty: tuple[float, ...]  # the loyalty composite, 0–100


@dataclass(frozen=True)
class NetPromoterResult:
    score: NetPromoterScore
    ratings: tuple[float, ...]  # the 0–10 answers (NaN where empty)
    item: str


@dataclass(frozen=True)
class DriverResult:
    outcome: str
    importance: DerivedImportance
    grid: ImportancePerformance
    penalty_reward: PenaltyRewardContrast


@dataclass(frozen=True)
class ComplaintResult:
    paths: ComplaintPaths
    damage: SurveyMarketDamage
    repurchase_min: float  # a repurchase answer at least this counts as "will buy again"


@dataclass(frozen=True)
class LadderResult:
    ladder: LoyaltyLadder
    purchase_item: str
    purchase_bands: tuple[float, ...]  # lower bound read for each purchase-history option; empty for numbers
    n: int  # respondents with a purchase history
    crm_linked: int = 0  # of them, placed with their CRM records (periods, recency, churned flag)
    crm_periods: tuple[str, ...] = ()  # the last K periods up to the wave whose purchases the client rule reads
    as_of: date | None = None  # recency is measured to this day (the end of the wave's period)
    nps_by_stage: tuple[SegmentNetPromoter, ...] = ()  # ladder order; stages without a rating have no row
    crm_keys: tuple[str, ...] = ()  # stored respondent keys of the CRM-placed respondents …
    crm_stages: tuple[str, ...] = ()  # … and their stages: what links the ladder across waves


@dataclass(frozen=True)
class LifecycleResult:
    """Lifecycle stages of the respondents linked to CRM records (METHODS §10.2)."""

    lifecycle: Lifecycle
    inputs: CustomerInputs
    n: int  # respondents linked to CRM records
    trend_from_survey: int  # of them, whose spending trend is the survey's more/less rating (under 3 periods)


@dataclass(frozen=True)
class ValueMatrixResult:
    """The value matrix of the linked respondents: current value = revenue in the last 12 months, growth
    potential = the wallet gap, revenue × (1 − share of wallet) / share of wallet, × repurchase intent."""

    matrix: ValueMatrix
    inputs: CustomerInputs
    n: int  # respondents with both values (the matrix's base)
    current_value: tuple[float, ...]  # per linked respondent, in `inputs.customers` order
    potential_value: tuple[float, ...]


@dataclass(frozen=True)
class ReliabilityRow:
    construct: str
    result: ScaleReliability


@dataclass(frozen=True)
class WaveAnalysis:
    """The results of one wave; a section's result is None when its inputs are missing (reason in left_out)."""

    wave: WaveData  # complete responses, less the flagged ones unless the report includes them
    status: StatusFilter
    flagged: FlaggedFilter = field(default_factory=lambda: FlaggedFilter(0, 0, {}))
    quality: ResponseQuality | None = None
    satisfaction: Satisfaction | None = None
    nps: NetPromoterResult | None = None
    index: LoyaltyIndex | None = None
    index_segment: str | None = None
    indicator_scores: dict[str, float] = field(default_factory=dict)  # mean normalised score, 0–100
    sensitivity: IndexSensitivity | None = None
    threshold: ThresholdResult | None = None
    drivers: DriverResult | None = None
    complaints: ComplaintResult | None = None
    ladder: LadderResult | None = None
    lifecycle: LifecycleResult | None = None
    value_matrix: ValueMatrixResult | None = None
    reliability: tuple[ReliabilityRow, ...] = ()
    left_out: dict[str, str] = field(default_factory=dict)
    weighting: WaveWeighting | None = None  # None: no margins given, or they could not be met (see left_out)


def analyse_wave(
    loaded: WaveData,
    *,
    seed: int = SEED,
    bootstrap: int = 0,
    weighting: WeightingPlan | None = None,
    customers: pd.DataFrame | None = None,
    include_flagged: bool = False,
) -> WaveAnalysis:
    """Run every section's measures on the complete responses of `loaded`; sections without inputs are
    left out with their reason. With `weighting`, the headline estimates are also made with weights raked
    to its margins (left out with the reason when the wave cannot be weighted to them). `customers`: the
    stored CRM records of the wave's respondents (`surveys.storage.customer_records.load_customer_records`),
    for the lifecycle stages and value matrix. Responses the quality screening flags are left out of every
    estimate unless `include_flagged` (issue 6); the screening itself covers all complete responses."""
    complete, status = complete_responses(loaded)
    results: dict[str, object] = {}
    left_out: dict[str, str] = {}
    try:
        results["quality"] = screen_wave(complete)
    except (InputError, ValueError) as error:
        left_out["quality"] = _reason(error)
    wave, flagged = without_flagged(complete, results.get("quality"), include_flagged)  # type: ignore[arg-type]
    steps = (
        ("satisfaction", _satisfaction),
        ("nps", _nps),
        ("index", _index),
        ("threshold", lambda w: _threshold(w, seed, bootstrap)),
        ("drivers", _drivers),
        ("complaints", _complaints),
    )
    for name, step in steps:
        try:
            results[name] = step(wave)
        except (InputError, ValueError) as error:
            left_out[name] = _reason(error)
    index = results.get("index")
    if index is not None:
        results["index"], results["index_segment"], results["sensitivity"], results["indicator_scores"] = index  # type: ignore[misc]
    if weighting is not None:
        try:
            results["weighting"] = _weighting(wave, weighting, results)
        except (InputError, ValueError) as error:
            left_out["weighting"] = _reason(error)
    customer_results, customer_reasons, linked = _customer_analyses(wave, customers)
    results.update(customer_results)
    left_out.update(customer_reasons)
    try:
        results["ladder"] = _ladder(wave, linked)
    except (InputError, ValueError) as error:
        left_out["ladder"] = _reason(error)
    rows = _reliability(wave)
    if not rows:
        left_out["reliability"] = f"survey {wave.survey} has no construct with three or more rated items"
    return WaveAnalysis(wave, status, flagged, reliability=rows, left_out=left_out, **results)  # type: ignore[arg-type]


def _weighting(wave: WaveData, plan: WeightingPlan, results: dict[str, object]) -> WaveWeighting:
    """Weights raked to the plan's margins and the headline estimates made with them."""
    from measure.loyalty_index import LoyaltyIndex
    from reports.weighting import weigh_wave, weighted_headlines, zone_membership

    weights = weigh_wave(wave, plan)
    index, nps, satisfaction = results.get("index"), results.get("nps"), results.get("satisfaction")
    threshold = results.get("threshold")
    zones = zone_membership(threshold) if isinstance(threshold, ThresholdResult) else ()
    return weighted_headlines(
        plan,
        weights,
        respondent_index=np.array(index.respondent_index, dtype=float) if isinstance(index, LoyaltyIndex) else None,
        ratings=np.array(nps.ratings, dtype=float) if isinstance(nps, NetPromoterResult) else None,
        satisfaction=np.array(satisfaction.values, dtype=float) if isinstance(satisfaction, Satisfaction) else None,
        zones=zones,
    )


def _reason(error: Exception) -> str:
    """Why a section is left out: the input the survey lacks, or (a measure's ValueError) that the wave's
    data could not be measured, marked with a leading "!" so the report can word it as such."""
    if isinstance(error, InputError) and error.problems:
        problem = error.problems[0]
        return f"{problem.location} {problem.what}".strip()
    return f"!{error}"


def _satisfaction(wave: WaveData) -> Satisfaction:
    from measure.composites import satisfaction_composite
    from surveys.wave_inputs import threshold_inputs

    frame, columns, _, scales = threshold_inputs(wave)
    low, high = scales["satisfaction"]
    composite = satisfaction_composite(frame[columns].to_numpy(float), scale_min=low, scale_max=high)
    values = np.array(composite.values, dtype=float)
    percent = (values - low) / (high - low) * 100
    present = percent[~np.isnan(percent)]
    mean = float(present.mean())
    se = float(present.std(ddof=1) / np.sqrt(present.size))
    return Satisfaction(tuple(float(v) for v in percent), mean, se, mean - 1.96 * se, mean + 1.96 * se, present.size)


def _nps(wave: WaveData) -> NetPromoterResult:
    from measure.net_promoter import net_promoter_score
    from surveys.wave_inputs import recommend_item

    item = recommend_item(wave)
    ratings = wave.responses[item.code].astype("Float64").astype(float).to_numpy()
    score = net_promoter_score(ratings, method="wald", scale=(float(item.minimum or 0), float(item.maximum or 10)))
    return NetPromoterResult(score, tuple(float(r) for r in ratings), item.code)


def _index(wave: WaveData) -> tuple[LoyaltyIndex, str | None, IndexSensitivity, dict[str, float]]:
    import pandas as pd

    from measure.indicator_normalisation import indicator, indicator_values_from_items, normalise_indicators
    from measure.indicator_weights import equal_weights
    from measure.loyalty_index import index_sensitivity, loyalty_index
    from surveys.wave_inputs import aligned_values, loyalty_indicators, segment_values

    chosen, _ = loyalty_indicators(wave)
    numbers = pd.DataFrame(index=wave.responses.index)
    columns: dict[str, tuple[str, ...]] = {}
    definitions = []
    for item in chosen:
        name = INDICATOR_NAMES[str(item.construct)]
        values = (
            aligned_values(wave.responses, item.items)
            if item.mixed_directions
            else wave.responses[item.items.codes].astype("Float64").astype(float)
        )
        numbers[list(values.columns)] = values
        columns[name] = tuple(item.items.codes)
        definitions.append(indicator(name, str(item.direction), list(item.anchors)))
    values = indicator_values_from_items(numbers, columns)
    normalised = normalise_indicators(values, definitions)
    segment = "channel"  # every stored response has its collection channel
    channel = segment_values(wave, segment).astype(object)
    labels = channel.where(channel.notna(), None).to_numpy()
    weights = equal_weights(list(columns))  # the default of `loyalty measure index`
    result = loyalty_index(normalised, weights, segments=labels)
    scores = {str(name): 100 * float(normalised.scores[name].mean()) for name in normalised.scores.columns}
    return result, segment, index_sensitivity(normalised, segments=labels), scores


def _threshold(wave: WaveData, seed: int, bootstrap: int) -> ThresholdResult:
    from measure.composites import loyalty_composite, satisfaction_composite
    from measure.threshold_analysis import analyse_threshold
    from measure.threshold_zones import jones_sasser_cuts
    from surveys.wave_inputs import threshold_inputs

    frame, satisfaction_columns, loyalty_columns, scales = threshold_inputs(wave)
    sat_low, sat_high = scales["satisfaction"]
    loy_low, loy_high = scales["loyalty"]
    loyalty_top_box = (jones_sasser_cuts(loy_low, loy_high)[1] - loy_low) / (loy_high - loy_low) * 100
    sat = satisfaction_composite(frame[satisfaction_columns].to_numpy(float), scale_min=sat_low, scale_max=sat_high)
    loy = loyalty_composite(frame[loyalty_columns].to_numpy(float), scale_min=loy_low, scale_max=loy_high)
    analysis = analyse_threshold(
        np.array(sat.values),
        np.array(loy.values),
        scale=(sat_low, sat_high),
        bootstrap_replicates=bootstrap,
        seed=seed,
        loyalty_max=100.0,
        loyalty_top_box=loyalty_top_box,
    )
    return ThresholdResult(analysis, tuple(float(v) for v in sat.values), tuple(float(v) for v in loy.values))


def _drivers(wave: WaveData) -> DriverResult:
    from measure.importance_performance import importance_performance
    from measure.penalty_reward import penalty_reward_contrast
    from measure.relative_importance import derived_importance
    from surveys.wave_inputs import attribute_pairs, named_items, rated_items

    # the first overall-satisfaction item (the overall rating; the others are ACSI's expectation and ideal)
    outcome = rated_items(wave, Construct.OVERALL_SATISFACTION, "driver analysis needs an overall rating").variables[0]
    pairs = attribute_pairs(wave)
    names = [pair.satisfaction.code for pair in pairs]
    bounds = named_items(wave, names, "attributes").common_scale("the importance–performance grid")
    renamed = {pair.satisfaction.code: pair.attribute for pair in pairs}
    numbers = wave.responses[[outcome.code, *names]].astype("Float64").astype(float).rename(columns=renamed)
    attributes = [renamed[name] for name in names]
    ratings = numbers[attributes]
    importance = derived_importance(numbers[outcome.code].to_numpy(), ratings)
    complete = numbers.notna().all(axis=1)
    performance = ratings[complete].mean().to_numpy()
    low, high = bounds
    prca = penalty_reward_contrast(
        numbers[outcome.code].to_numpy(), ratings, low_at_most=low + (high - low) * 0.4, high_at_least=high
    )
    grid = importance_performance(
        attributes,
        np.array([a.relative_weight_share for a in importance.attributes]),
        performance,
        performance_scale=bounds,
        importance_source="relative weights (% of R²)",
    )
    return DriverResult(outcome.code, importance, grid, prca)


def _complaints(wave: WaveData) -> ComplaintResult:
    from measure.market_damage import complaint_paths, market_damage_from_survey
    from surveys.wave_inputs import complaint_path, yes_no_values

    path = complaint_path(wave)
    frame = wave.responses
    repurchase_min = float(path.repurchase.maximum or 0) - 1  # the top two scale points
    ratings = frame[path.repurchase.code].astype("Float64").astype(float)
    repurchase = (ratings >= repurchase_min).astype(float).where(ratings.notna())
    paths = complaint_paths(
        yes_no_values(frame, path.problem, [1], [2]),
        yes_no_values(frame, path.complained, [1], [2]),
        yes_no_values(frame, path.resolved, path.resolved_codes, path.unresolved_codes),
        repurchase,
    )
    damage = market_damage_from_survey(paths, customers=CUSTOMER_BASE)
    return ComplaintResult(paths, damage, repurchase_min)


def _ladder(wave: WaveData, crm: CustomerInputs | None = None) -> LadderResult:
    """METHODS §10.1 on the survey's answers and, for respondents with CRM records (`crm`), on the records:
    purchases so far = the higher of the records and the survey's band, purchases in each of the last K
    periods up to the wave (K = client_periods; a period without a record is unknown, so not regular),
    months since the last purchase as of the wave's end, and the churned flag as "stopped buying".
    Respondents without records are placed by their answers alone. NPS per stage from the 0–10 item."""
    import pandas as pd

    from measure.loyalty_ladder import LADDER_STAGES, LadderRules, loyalty_ladder
    from measure.net_promoter import net_promoter_by_segment
    from surveys.wave_inputs import ladder_inputs

    rules = LadderRules()
    inputs = ladder_inputs(wave)
    index = wave.responses.index
    purchases = inputs.purchases.astype(float).copy()
    months = pd.Series(np.nan, index=index)
    stopped = pd.Series(np.nan, index=index)
    periods = pd.DataFrame(np.nan, index=index, columns=range(rules.client_periods))
    recent: tuple[str, ...] = ()
    if crm is not None:
        rows = crm.customers.index
        on_record = crm.customers["transactions"].to_numpy(float)
        purchases.loc[rows] = np.fmax(purchases.loc[rows].to_numpy(float), on_record)
        months.loc[rows] = crm.customers["months_since_last_purchase"].to_numpy(float)
        stopped.loc[rows] = crm.customers["churned"].to_numpy(float)
        recent = crm.periods[-rules.client_periods :]
        columns = range(rules.client_periods - len(recent), rules.client_periods)  # fewer periods: the first unknown
        periods.loc[rows, list(columns)] = crm.purchases_by_period[list(recent)].to_numpy(float)
    known = purchases.notna().to_numpy()

    def rows_of(series: pd.Series | None) -> np.ndarray | None:
        return None if series is None else series[known].to_numpy()

    ladder = loyalty_ladder(
        purchases[known].to_numpy(),
        months_since_last_purchase=months[known].to_numpy() if crm is not None else None,
        stopped_buying=stopped[known].to_numpy() if crm is not None else None,
        period_purchases=periods[known].to_numpy() if crm is not None else None,
        recommend=rows_of(inputs.recommend),
        referrals=rows_of(inputs.referrals),
        share_of_wallet=rows_of(inputs.share_of_wallet),
        aware=rows_of(inputs.aware),
        has_need=rows_of(inputs.has_need),
        able_to_buy=rows_of(inputs.able_to_buy),
        rules=rules,
    )
    by_stage: tuple[SegmentNetPromoter, ...] = ()
    if inputs.recommend is not None:
        rank = {stage: position for position, stage in enumerate(LADDER_STAGES)}
        found = net_promoter_by_segment(inputs.recommend[known].to_numpy(float), np.array(ladder.stages, dtype=object))
        by_stage = tuple(sorted(found, key=lambda row: rank.get(row.segment, len(rank))))
    placed = pd.Series(ladder.stages, index=index[known])
    on_crm = placed.loc[placed.index.intersection(crm.customers.index, sort=False)] if crm is not None else placed[:0]
    keys = wave.responses.loc[on_crm.index, "respondent"].astype(str)
    return LadderResult(
        ladder,
        inputs.purchase_item,
        inputs.purchase_bands,
        int(known.sum()),
        crm_linked=len(on_crm),
        crm_periods=recent,
        as_of=None if crm is None else crm.as_of,
        nps_by_stage=by_stage,
        crm_keys=tuple(keys),
        crm_stages=tuple(str(stage) for stage in on_crm),
    )


def _customer_analyses(
    wave: WaveData, records: pd.DataFrame | None
) -> tuple[dict[str, object], dict[str, str], CustomerInputs | None]:
    """Lifecycle and value matrix from the CRM records linked to the wave's respondents, or the reason
    each is left out; and the linked inputs themselves (None when none), which the ladder reads too."""
    from surveys.customer_inputs import customer_inputs

    if records is None:
        reason = f"survey {wave.survey}, wave {wave.wave} was measured without its customer records"
        return {}, {"lifecycle": reason, "value_matrix": reason}, None
    try:
        inputs = customer_inputs(wave, records)
    except InputError as error:
        return {}, {"lifecycle": _reason(error), "value_matrix": _reason(error)}, None
    results: dict[str, object] = {}
    reasons: dict[str, str] = {}
    for name, step in (("lifecycle", _lifecycle), ("value_matrix", _value_matrix)):
        try:
            results[name] = step(inputs)
        except (InputError, ValueError) as error:
            reasons[name] = _reason(error)
    return results, reasons, inputs


def _lifecycle(inputs: CustomerInputs) -> LifecycleResult:
    """METHODS §10.2 on CRM records: tenure from the first purchase, recency from the last, transactions on
    record (or the survey's purchases-so-far band when higher), the trend g fitted to log(1 + revenue) over
    the periods of the last 12 months with its standard error (rising or falling only beyond ±δ and at
    the rules' t-test level; the survey's more/same/less rating as ±2δ/0, compared with δ alone, where
    fewer than three periods are on record), relationship quality = mean z-score of trust and satisfaction."""
    from measure.lifecycle import LifecycleRules, relationship_lifecycle, spend_trend_fit

    rules = LifecycleRules()
    customers = inputs.customers
    fit = spend_trend_fit(inputs.spend_by_period[list(inputs.periods_12m)].to_numpy(float))
    trend = np.array(fit.slopes)
    survey_trend = customers["spending_trend"].to_numpy(float) * 2 * rules.trend_tolerance
    from_survey = np.isnan(trend) & ~np.isnan(survey_trend)
    lifecycle = relationship_lifecycle(
        customers["tenure_months"].to_numpy(float),
        transactions=customers["transactions"].to_numpy(float),
        trend=np.where(from_survey, survey_trend, trend),
        trend_standard_error=np.array(fit.standard_errors),
        trend_periods=np.array(fit.periods, dtype=float),
        relationship_quality=relationship_quality(customers[["trust", "satisfaction"]].to_numpy(float)),
        months_since_last_purchase=customers["months_since_last_purchase"].to_numpy(float),
        rules=rules,
    )
    return LifecycleResult(lifecycle, inputs, len(customers), int(from_survey.sum()))


def relationship_quality(components: np.ndarray) -> np.ndarray | None:
    """RQ per respondent: the mean of the z-scores (sample mean and SD, ddof 1) of the columns that have any
    answer; None when none has. A respondent's unanswered components are left out of their mean."""
    present = [column for column in components.T if np.isfinite(column).sum() >= 2]
    if not present:
        return None
    scores = np.column_stack([(c - np.nanmean(c)) / np.nanstd(c, ddof=1) for c in present])
    counts = np.isfinite(scores).sum(axis=1)
    totals = np.nansum(scores, axis=1)
    return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)


def _value_matrix(inputs: CustomerInputs) -> ValueMatrixResult:
    """METHODS §10.3 with margin and cost to serve unknown: CV = revenue in the last 12 months; PV = the
    wallet the revenue implies less what we have of it, CV / s × (1 − s) (s = share of wallet, read as at
    least 5%), times the repurchase intent (0–1) when the survey asks it. Both cut at their medians."""
    from measure.value_matrix import customer_value_matrix, wallet_growth_potential
    from surveys.problems import Problem

    customers = inputs.customers
    if inputs.share_of_wallet_item is None:
        raise InputError(
            "No share of wallet.",
            [Problem("the survey", "has no share-of-wallet number item; growth potential needs it")],
        )
    current = customers["revenue_12m"].to_numpy(float)
    share = customers["share_of_wallet"].to_numpy(float)
    wallet = current / np.maximum(share, SHARE_OF_WALLET_FLOOR)
    potential = wallet_growth_potential(wallet, share, 1.0)
    if inputs.repurchase_item is not None:
        potential = potential * customers["repurchase"].to_numpy(float)
    matrix = customer_value_matrix(current, potential)
    known = int((~np.isnan(current) & ~np.isnan(potential)).sum())
    return ValueMatrixResult(
        matrix, inputs, known, tuple(float(v) for v in current), tuple(float(v) for v in potential)
    )


#: Rated constructs whose items are not reflective indicators of one trait: the importance of different
#: attributes need not correlate (a customer may value price and not speed), so an alpha of them would be read
#: as a scale's quality when it only measures how alike the attributes are. Stated in the section.
NOT_A_SCALE = frozenset({str(Construct.ATTRIBUTE_IMPORTANCE)})


def _reliability(wave: WaveData) -> tuple[ReliabilityRow, ...]:
    from measure.reliability import scale_reliability
    from surveys.wave_inputs import constructs_with_items, rated_items

    rows = []
    for name in constructs_with_items(wave, 3):
        if name in NOT_A_SCALE:
            continue
        items = rated_items(wave, _construct(name), "reliability")
        try:
            bounds = items.common_scale("reversing items") if items.reversed_codes else None
            frame = wave.responses[items.codes].astype("Float64").astype(float)
            rows.append(ReliabilityRow(name, scale_reliability(frame, reverse=items.reversed_codes, scale=bounds)))
        except (InputError, ValueError):
            continue
    return tuple(rows)


def _construct(name: str) -> Construct:
    return Construct(name)
