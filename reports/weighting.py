"""Survey weights for the report: one wave raked (or post-stratified) to population margins, and the headline
estimates — loyalty index, NPS, mean satisfaction, zone shares — weighted, with linearisation standard errors.

The margin variables name columns of the loaded wave: an item code of the survey (a choice item's
categories are its option codes) or a details column (channel, ip_location), as `loyalty measure weights
--survey S --wave W` reads them. A key joining variables with "*" gives population cells. The models
(thresholds, drivers, scale quality) stay unweighted; `reports.context` says so and why.

`headline_*` give the figure the report states for a wave: the weighted estimate when the wave was weighted,
else the unweighted one, so the executive summary, the trends and the change tests read one source.
Pure: a loaded wave and the margins in, results out; no files, no database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from measure.survey_weights import CalibratedWeights, WeightedEstimate, WeightedNetPromoterScore
    from reports.analysis import ThresholdResult, WaveAnalysis
    from surveys.storage.wave_data import WaveData

_NORMAL_95 = 1.959963984540054


@dataclass(frozen=True)
class WeightingPlan:
    """What a wave is weighted to: the margins file's content, the method and the trimming bounds."""

    margins: dict[str, dict[str, float]]  # variable (or "a*b" cells) → category → population count or share
    population_total: float | None
    method: str  # "raking" or "poststratify"
    trim: tuple[float, float] | None  # multiples of the mean weight
    source: str  # the margins file's name, as the report states it


@dataclass(frozen=True)
class WaveWeighting:
    """The wave's calibrated weights and the headline estimates made with them (None: not measured)."""

    plan: WeightingPlan
    weights: CalibratedWeights
    variables: tuple[str, ...]  # the margin keys, in the order of the margins file
    index: WeightedEstimate | None = None
    nps: WeightedNetPromoterScore | None = None
    satisfaction: WeightedEstimate | None = None
    zone_shares: tuple[tuple[str, WeightedEstimate], ...] = ()  # (zone name, weighted share)


@dataclass(frozen=True)
class Headline:
    """One headline figure of a wave as the report states it."""

    value: float
    standard_error: float
    ci_low: float
    ci_high: float
    n: int
    weighted: bool


def weigh_wave(wave: WaveData, plan: WeightingPlan) -> CalibratedWeights:
    """Calibrate the wave's complete responses to the plan's margins.

    A margin variable the wave does not have, or a respondent without a category, is an InputError naming
    it; margins the data cannot meet (a category with a population figure and no respondents, a category
    of the data without a figure) are the measure's ValueError. The report leaves weighting out with either
    reason and stays unweighted.
    """
    from measure.survey_weights import post_stratified_weights, raked_weights

    categories = margin_categories(wave, plan)
    if plan.method == "poststratify":
        if len(plan.margins) != 1:
            raise InputError(
                f"{plan.source} cannot post-stratify.",
                [
                    Problem(
                        f"{plan.source}:",
                        f"names {len(plan.margins)} margins; post-stratification needs one margin of cells.",
                        'Join the variables into cells (e.g. "gender*age_band"), or use method = "raking".',
                    )
                ],
            )
        (key,) = plan.margins
        return post_stratified_weights(
            categories[key].tolist(), plan.margins[key], population_total=plan.population_total
        )
    return raked_weights(categories, plan.margins, population_total=plan.population_total, trim=plan.trim)


def margin_categories(wave: WaveData, plan: WeightingPlan) -> pd.DataFrame:
    """Each respondent's category of each margin (cells of several variables joined with "*")."""
    import pandas as pd

    from surveys.wave_inputs import segment_column

    problems: list[Problem] = []
    columns: dict[str, list[str]] = {}
    for key in plan.margins:
        names = key.split("*")
        try:
            found = [segment_column(wave, name, f"{plan.source}:") for name in names]
        except InputError as error:
            problems.extend(error.problems)
            continue
        frame = wave.responses[found]
        empty = int(frame.isna().any(axis=1).sum())
        if empty:
            problems.append(
                Problem(
                    f"{plan.source}:",
                    f"{empty} of {len(frame)} complete responses have no answer to {key}; weighting needs every "
                    "respondent's category.",
                    "Make the item required, or leave it out of the margins.",
                )
            )
            continue
        columns[key] = ["*".join(_label(value) for value in row) for row in frame.itertuples(index=False)]
    if problems:
        raise InputError(f"Survey {wave.survey}, wave {wave.wave} cannot be weighted to {plan.source}.", problems)
    return pd.DataFrame(columns, index=wave.responses.index)


def weighted_headlines(
    plan: WeightingPlan,
    weights: CalibratedWeights,
    *,
    respondent_index: np.ndarray | None,
    ratings: np.ndarray | None,
    satisfaction: np.ndarray | None,
    zones: tuple[tuple[str, np.ndarray], ...] = (),
) -> WaveWeighting:
    """The headline estimates with the wave's weights: each argument one value per complete response (NaN
    where the respondent has none); `zones` holds each zone's 0/1 membership (NaN outside the threshold fit)."""
    from measure.survey_weights import weighted_mean, weighted_net_promoter_score, weighted_proportion

    return WaveWeighting(
        plan,
        weights,
        tuple(plan.margins),
        index=None if respondent_index is None else weighted_mean(respondent_index, weights),
        nps=None if ratings is None else weighted_net_promoter_score(ratings, weights),
        satisfaction=None if satisfaction is None else weighted_mean(satisfaction, weights),
        zone_shares=tuple((name, weighted_proportion(member, weights)) for name, member in zones),
    )


def headline_index(analysis: WaveAnalysis) -> Headline | None:
    weighted = analysis.weighting.index if analysis.weighting is not None else None
    if weighted is not None:
        return _from_estimate(weighted)
    if analysis.index is None:
        return None
    o = analysis.index.overall
    return Headline(o.index, o.standard_error, o.ci_low, o.ci_high, o.n, weighted=False)


def headline_nps(analysis: WaveAnalysis) -> Headline | None:
    weighted = analysis.weighting.nps if analysis.weighting is not None else None
    if weighted is not None:
        return Headline(weighted.score, weighted.standard_error, weighted.ci_low, weighted.ci_high, weighted.n, True)
    if analysis.nps is None:
        return None
    s = analysis.nps.score
    return Headline(s.score, s.standard_error, s.ci_low, s.ci_high, s.n, weighted=False)


def headline_satisfaction(analysis: WaveAnalysis) -> Headline | None:
    weighted = analysis.weighting.satisfaction if analysis.weighting is not None else None
    if weighted is not None:
        return _from_estimate(weighted)
    if analysis.satisfaction is None:
        return None
    m = analysis.satisfaction
    return Headline(m.mean, m.standard_error, m.ci_low, m.ci_high, m.n, weighted=False)


def headline_zone_share(analysis: WaveAnalysis, zone: str) -> Headline | None:
    """A zone's share (0–1): weighted with its linearised SE, else the count share with its binomial SE."""
    if analysis.weighting is not None:
        for name, share in analysis.weighting.zone_shares:
            if name == zone:
                return _from_estimate(share)
    if analysis.threshold is None:
        return None
    zones = {z.name: z for z in analysis.threshold.analysis.zones.zones}
    total = sum(z.count for z in zones.values())
    if zone not in zones or total == 0:
        return None
    p = zones[zone].count / total
    se = math.sqrt(p * (1 - p) / total)
    return Headline(p, se, p - _NORMAL_95 * se, p + _NORMAL_95 * se, total, weighted=False)


def zone_membership(threshold: ThresholdResult) -> tuple[tuple[str, np.ndarray], ...]:
    """Each zone's 0/1 membership per complete response, as the zones count them (from inclusive, to
    exclusive but the last); NaN where the respondent is outside the threshold fit."""
    s = np.asarray(threshold.satisfaction, dtype=float)
    y = np.asarray(threshold.loyalty, dtype=float)
    used = ~(np.isnan(s) | np.isnan(y))
    zones = threshold.analysis.zones.zones
    found = []
    for position, zone in enumerate(zones):
        last = position == len(zones) - 1
        inside = (s >= zone.low) & ((s <= zone.high) if last else (s < zone.high))
        found.append((zone.name, np.where(used, inside.astype(float), np.nan)))
    return tuple(found)


def _from_estimate(estimate: WeightedEstimate) -> Headline:
    return Headline(
        estimate.estimate, estimate.standard_error, estimate.ci_low, estimate.ci_high, estimate.n, weighted=True
    )


def _label(value: object) -> str:
    """A category as the margins file names it: whole numbers without '.0' (option codes are integers)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
