"""Survey weights: post-stratification and raking to population margins, trimming, the Kish design effect,
and weighted means, proportions and NPS with calibration-aware (linearisation) standard errors.

The variance estimator is the one-stage, with-replacement Taylor linearisation of R `survey` (no finite
population correction, divisor n − 1). For calibrated weights the linearised scores are first residualised
against the calibration groups, as `survey:::svyrecvar` does for `rake()` and `postStratify()` designs, so
the standard error reflects that the margins are known; the standard error that treats the final weights as
fixed design weights is reported beside it.

Checked against R `survey` 4.1-1 (`rake`, `postStratify`, `calibrate(calfun="raking")`, `svymean`) on
`synth_raking_n3000.csv` and the D3 fixture of METHODS §8.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_NORMAL_95 = 1.959963984540054
_SHARES_SUM_TOLERANCE = 1e-6
_RESIDUALISING_CYCLES = 10  # what survey:::svyrecvar uses for raked designs


@dataclass(frozen=True, slots=True)
class MarginFit:
    """One category of one margin: the population target, the weighted total reached, the sample count."""

    variable: str
    category: str
    target: float
    achieved: float
    sample_count: int


@dataclass(frozen=True, slots=True)
class WeightSummary:
    """Distribution of a set of weights and what it costs in precision (Kish 1992)."""

    n: int
    total: float
    minimum: float
    maximum: float
    mean: float
    coefficient_of_variation: float  # sample SD (divisor n − 1) over the mean, as R sd()/mean()
    design_effect: float  # Kish: n Σw² / (Σw)² = 1 + CV² (population CV)
    effective_sample_size: float  # (Σw)² / Σw²
    ratio_max_min: float


@dataclass(frozen=True, slots=True)
class CalibratedWeights:
    """Weights calibrated to population margins (raking) or cells (post-stratification), with diagnostics.

    `groups` holds, for each calibration variable, the category index of every respondent (in the order of
    the variable's categories in `margins`); the weighted estimators use it for calibration-aware SEs.
    """

    method: str  # "raking" or "post-stratification"
    weights: tuple[float, ...]
    design_weights: tuple[float, ...]
    summary: WeightSummary
    margins: tuple[MarginFit, ...]
    groups: tuple[tuple[int, ...], ...]
    iterations: int
    converged: bool
    max_relative_margin_error: float
    tolerance: float
    trim_low: float | None  # bounds as multiples of the mean weight; None when not trimmed
    trim_high: float | None
    trimmed_count: int  # respondents whose weight was cut at least once
    weights_within_bounds: bool

    def as_dict(self, include_weights: bool = True) -> dict[str, Any]:
        """JSON-ready dict; `include_weights=False` leaves out the per-respondent weights."""
        result: dict[str, Any] = {
            "method": self.method,
            "summary": asdict(self.summary),
            "margins": [asdict(margin) for margin in self.margins],
            "iterations": self.iterations,
            "converged": self.converged,
            "max_relative_margin_error": self.max_relative_margin_error,
            "tolerance": self.tolerance,
            "trim_low": self.trim_low,
            "trim_high": self.trim_high,
            "trimmed_count": self.trimmed_count,
            "weights_within_bounds": self.weights_within_bounds,
        }
        if include_weights:
            result["weights"] = list(self.weights)
        return result


@dataclass(frozen=True, slots=True)
class WeightedEstimate:
    """A weighted mean or proportion with its linearised standard errors."""

    estimate: float
    standard_error: float  # calibration-aware when the weights are calibrated, else = fixed-weights SE
    standard_error_fixed_weights: float  # final weights treated as fixed design weights
    ci_low: float  # normal 95 % interval from `standard_error`
    ci_high: float
    n: int  # respondents with an answer
    calibration_aware: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class WeightedNetPromoterScore:
    """Weighted NPS (−100 … 100) with the weighted shares of promoters and detractors."""

    score: float
    standard_error: float
    standard_error_fixed_weights: float
    ci_low: float
    ci_high: float
    promoters: float  # weighted share, 0 … 1
    promoters_standard_error: float
    detractors: float
    detractors_standard_error: float
    n: int
    calibration_aware: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)


def weight_summary(weights: npt.ArrayLike) -> WeightSummary:
    """Summarise weights: range, CV, Kish design effect and effective sample size.

    deff_w = n Σw² / (Σw)² = 1 + CV²(w) (population CV); n_eff = (Σw)² / Σw² = n / deff_w.
    The reported `coefficient_of_variation` uses the sample SD (divisor n − 1), as R `sd(w)/mean(w)`.

    References
    ----------
    Kish, L. (1992). Weighting for unequal P_i. Journal of Official Statistics 8(2), 183–200.

    Examples
    --------
    >>> summary = weight_summary([1.0, 1.0, 2.0, 4.0])
    >>> round(summary.design_effect, 4), round(summary.effective_sample_size, 4)
    (1.375, 2.9091)
    """
    values = _positive_weights(weights, "weights")
    n = values.size
    total = float(values.sum())
    mean = total / n
    squares = float(np.sum(values**2))
    sd = float(np.std(values, ddof=1)) if n > 1 else 0.0
    return WeightSummary(
        n=n,
        total=total,
        minimum=float(values.min()),
        maximum=float(values.max()),
        mean=mean,
        coefficient_of_variation=sd / mean,
        design_effect=n * squares / total**2,
        effective_sample_size=total**2 / squares,
        ratio_max_min=float(values.max() / values.min()),
    )


def raked_weights(
    categories: pd.DataFrame,
    margins: Mapping[str, Mapping[str, float]],
    *,
    design_weights: npt.ArrayLike | None = None,
    population_total: float | None = None,
    trim: tuple[float, float] | None = None,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> CalibratedWeights:
    """Rake weights to population margins by iterative proportional fitting (Deming–Stephan).

    For each margin m and category c in turn, w_i ← w_i · T_mc / Σ_{i∈c} w_i; a cycle visits every
    margin once, and cycles repeat until max_{m,c} |Σ_{i∈c} w_i − T_mc| / T_mc < `tolerance` (checked after
    each cycle) or `max_iterations` cycles have run (then `converged` is False; nothing is raised). Raking is
    calibration with the raking distance (Deville & Särndal 1992) and gives the weights of R `survey::rake`.

    Targets per margin are counts, or shares when they sum to 1 (within 1e-6): shares are multiplied by
    `population_total`, or by the total of the design weights when it is not given (so weights then average
    1 with the default design weights of 1). All margins must describe the same total.

    Trimming (`trim=(low, high)`, multiples of the mean weight, e.g. (0.3, 3.0)): after every cycle,
    weights outside [low·w̄, high·w̄] are set to the bound and raking goes on, until a cycle ends with the
    margins met and every weight within the bounds (1e-9 relative slack), i.e. trimming and re-raking
    alternate until both hold (Battaglia et al. 2009; the capping of ANES raking). The mean w̄ = total/n
    is fixed by the margins, so the bounds are too. Bounds the margins cannot live with leave
    `converged` False after `max_iterations` cycles.

    Parameters
    ----------
    categories
        One column per margin variable (named as in `margins`), one row per respondent; values are compared
        as text, so 1 and "1" are the same category. Missing values are an error.
    margins
        {variable: {category: target}}; every category in the data must have a target; a category with a
        positive target and no respondents is an error (raking cannot reach it).
    design_weights
        Starting (base) weights d_i = 1/π_i; all 1 when not given. The raked weights do not depend on their
        scale.

    References
    ----------
    Deming, W. E. & Stephan, F. F. (1940). Annals of Mathematical Statistics 11, 427–444.
    Deville, J.-C. & Särndal, C.-E. (1992). JASA 87, 376–382.
    Battaglia, M. P. et al. (2009). Practical considerations in raking survey data. Survey Practice 2(5).

    Checked against R `survey::rake` 4.1-1 (control maxit 1000, epsilon 1e-10): weights to 1e-6 relative on
    `synth_raking_n3000.csv`; the D3 cell weights of METHODS §8.

    Examples
    --------
    >>> sample = pd.DataFrame({"gender": ["F", "F", "M", "M", "M"], "age": ["y", "o", "y", "o", "o"]})
    >>> raked = raked_weights(sample, {"gender": {"F": 0.5, "M": 0.5}, "age": {"y": 0.4, "o": 0.6}})
    >>> [(fit.category, round(fit.achieved, 6)) for fit in raked.margins]
    [('F', 2.5), ('M', 2.5), ('y', 2.0), ('o', 3.0)]
    >>> raked.converged, [round(w, 4) for w in raked.weights]
    (True, [1.2056, 1.2944, 0.7944, 0.8528, 0.8528])
    """
    if not margins:
        raise ValueError("margins: give at least one margin, e.g. {'gender': {'F': 0.52, 'M': 0.48}}.")
    n = len(categories)
    start = _design_weights(design_weights, n)
    names, groups, targets = _margin_groups(categories, margins, start, population_total)
    if trim is not None:
        low, high = trim
        if not (0 <= low < 1 < high):
            raise ValueError(f"trim: bounds must satisfy 0 ≤ low < 1 < high (multiples of the mean); got {trim}.")

    bounds = None
    if trim is not None:
        mean = float(targets[0].sum()) / n
        bounds = (trim[0] * mean, trim[1] * mean)
    # raking does not depend on the scale of the start; starting at the target total means only weights
    # the margins push outside the bounds count as trimmed
    scaled = start * float(targets[0].sum()) / float(start.sum())
    weights, iterations, error, trimmed = _rake(scaled, groups, targets, tolerance, max_iterations, bounds)
    within = True
    if bounds is not None:
        slack = 1e-9 * bounds[1]
        within = bool(np.all((weights >= bounds[0] - slack) & (weights <= bounds[1] + slack)))

    return CalibratedWeights(
        method="raking",
        weights=tuple(float(w) for w in weights),
        design_weights=tuple(float(w) for w in start),
        summary=weight_summary(weights),
        margins=_margin_fits(names, margins, groups, targets, weights),
        groups=tuple(tuple(int(g) for g in group) for group in groups),
        iterations=iterations,
        converged=error < tolerance,
        max_relative_margin_error=error,
        tolerance=tolerance,
        trim_low=None if trim is None else float(trim[0]),
        trim_high=None if trim is None else float(trim[1]),
        trimmed_count=int(trimmed.sum()),
        weights_within_bounds=within,
    )


def post_stratified_weights(
    strata: npt.ArrayLike,
    population: Mapping[str, float],
    *,
    design_weights: npt.ArrayLike | None = None,
    population_total: float | None = None,
) -> CalibratedWeights:
    """Post-stratify: w_i = d_i · N_h / Σ_{i∈h} d_i for the post-stratum h of respondent i.

    `strata` gives each respondent's cell label (combine several variables into one label, e.g.
    "F/A1", for full-cell post-stratification); `population` gives N_h as counts or shares (as in
    `raked_weights`). Every cell with respondents needs a population figure, and every cell with a positive
    population figure needs respondents: R `postStratify` stops with "Some strata absent" in that case, and
    so does this function (collapse cells with few respondents, n_h < 20–30, before weighting).

    References
    ----------
    Holt, D. & Smith, T. M. F. (1979). Post stratification. JRSS A 142(1), 33–46.

    Checked against R `survey::postStratify` 4.1-1 on the D3 fixture (METHODS §8).

    Examples
    --------
    >>> weighted = post_stratified_weights(["a", "a", "b"], {"a": 60, "b": 40})
    >>> list(weighted.weights)
    [30.0, 30.0, 40.0]
    """
    labels = pd.DataFrame({"stratum": _as_labels(strata, "strata")})
    n = len(labels)
    start = _design_weights(design_weights, n)
    names, groups, targets = _margin_groups(labels, {"stratum": population}, start, population_total)
    totals = np.bincount(groups[0], weights=start, minlength=targets[0].size)
    weights = start * (targets[0] / totals)[groups[0]]
    error = _margin_error(weights, groups, targets)
    return CalibratedWeights(
        method="post-stratification",
        weights=tuple(float(w) for w in weights),
        design_weights=tuple(float(w) for w in start),
        summary=weight_summary(weights),
        margins=_margin_fits(names, {"stratum": population}, groups, targets, weights),
        groups=tuple(tuple(int(g) for g in group) for group in groups),
        iterations=1,
        converged=True,
        max_relative_margin_error=error,
        tolerance=0.0,
        trim_low=None,
        trim_high=None,
        trimmed_count=0,
        weights_within_bounds=True,
    )


def weighted_mean(values: npt.ArrayLike, weights: CalibratedWeights | npt.ArrayLike) -> WeightedEstimate:
    """Weighted (ratio) mean ȳ_w = Σ w y / Σ w with its linearised standard error.

    Scores z_i = w_i (y_i − ȳ_w) / Σw; v(ȳ_w) = n/(n−1) Σ (z_i − z̄)² (one stage, with replacement, no
    finite population correction). With `CalibratedWeights` the scores are first residualised against the
    calibration groups — for raking, z_i ← z_i − w_i · mean_{c(i)}(z/w) over each margin's categories,
    cycling the margins 10 times; for post-stratification once, with the mean weighted by the design
    weights — as R `survey` does, which gives `standard_error`; `standard_error_fixed_weights` treats the
    final weights as fixed design weights. With plain weights both are the fixed-weights SE.

    Missing values (NaN) are left out of the estimate. With calibrated weights, respondents without an
    answer stay in the variance with score 0 and count in n (survey's domain treatment of a calibrated
    design); the fixed-weights SE uses the answered respondents only. Interval: normal, 95 %.

    References
    ----------
    Deville, J.-C. & Särndal, C.-E. (1992). JASA 87, 376–382. Lumley, T. (2010). Complex Surveys, ch. 7.

    Checked against R `survey::svymean` 4.1-1 on a `rake()` design (SE 0.0365278) and on a design with the
    raked weights fixed (SE 0.0401575), `synth_raking_n3000.csv`.

    Examples
    --------
    >>> estimate = weighted_mean([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 3.0])
    >>> estimate.estimate, round(estimate.standard_error, 6)
    (3.0, 0.720082)
    """
    y = _as_floats(values, "values")
    if isinstance(weights, CalibratedWeights):
        w = np.asarray(weights.weights, dtype=float)
        if w.size != y.size:
            raise ValueError(f"values: {y.size} values for {w.size} weights.")
    else:
        w = _positive_weights(weights, "weights")
        if w.size != y.size:
            raise ValueError(f"values: {y.size} values for {w.size} weights.")
    answered = ~np.isnan(y)
    if answered.sum() < 2:
        raise ValueError(f"values: need at least 2 answers, got {int(answered.sum())}.")
    mean = float(np.sum(w[answered] * y[answered]) / np.sum(w[answered]))
    scores = np.where(answered, w * (np.where(answered, y, 0.0) - mean), 0.0) / np.sum(w[answered])
    fixed = _with_replacement_se(scores[answered])
    calibration_aware = isinstance(weights, CalibratedWeights)
    if isinstance(weights, CalibratedWeights):
        standard_error = _with_replacement_se(_calibration_residuals(scores, weights))
    else:
        standard_error = fixed
    return WeightedEstimate(
        estimate=mean,
        standard_error=standard_error,
        standard_error_fixed_weights=fixed,
        ci_low=mean - _NORMAL_95 * standard_error,
        ci_high=mean + _NORMAL_95 * standard_error,
        n=int(answered.sum()),
        calibration_aware=calibration_aware,
    )


def weighted_proportion(indicator: npt.ArrayLike, weights: CalibratedWeights | npt.ArrayLike) -> WeightedEstimate:
    """Weighted share of respondents with indicator 1 (0/1 or True/False; NaN = no answer).

    The weighted mean of the 0/1 indicator, with the SEs of `weighted_mean`; the 95 % interval is the
    normal (Wald) interval of `survey::svymean`, not clipped to [0, 1].

    Examples
    --------
    >>> share = weighted_proportion([1, 0, 0, 1], [2.0, 1.0, 1.0, 2.0])
    >>> round(share.estimate, 4)
    0.6667
    """
    y = _as_floats(indicator, "indicator")
    answered = y[~np.isnan(y)]
    odd = sorted(set(answered[(answered != 0) & (answered != 1)].tolist()))
    if odd:
        raise ValueError(f"indicator: values must be 0 or 1; got {odd[:5]}.")
    return weighted_mean(y, weights)


def weighted_net_promoter_score(
    ratings: npt.ArrayLike, weights: CalibratedWeights | npt.ArrayLike
) -> WeightedNetPromoterScore:
    """Weighted Net Promoter Score from 0–10 ratings: 100 × (promoter share − detractor share).

    Promoters rate 9–10, detractors 0–6 (Reichheld 2003). The score is the weighted mean of
    s_i = 100·([y_i ≥ 9] − [y_i ≤ 6]) and its SE the linearised SE of that mean (METHODS §8), calibration
    aware when the weights are calibrated; the shares come with their own SEs.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12), 46–54.

    Checked against R `survey::svymean(~nps_score, rake(...))` 4.1-1: NPS −20.9566, SE 1.40255 on
    `synth_raking_n3000.csv`.

    Examples
    --------
    >>> nps = weighted_net_promoter_score([10, 9, 7, 3], [1.0, 1.0, 1.0, 1.0])
    >>> nps.score, nps.promoters, nps.detractors
    (25.0, 0.5, 0.25)
    """
    y = _as_floats(ratings, "ratings")
    answered = y[~np.isnan(y)]
    odd = sorted(set(answered[(answered < 0) | (answered > 10) | (answered != np.round(answered))].tolist()))
    if odd:
        raise ValueError(f"ratings: NPS needs whole numbers 0–10; got {odd[:5]}.")
    missing = np.isnan(y)
    promoter = np.where(missing, np.nan, (y >= 9).astype(float))
    detractor = np.where(missing, np.nan, (y <= 6).astype(float))
    score = weighted_mean(100.0 * (promoter - detractor), weights)
    promoters = weighted_mean(promoter, weights)
    detractors = weighted_mean(detractor, weights)
    return WeightedNetPromoterScore(
        score=score.estimate,
        standard_error=score.standard_error,
        standard_error_fixed_weights=score.standard_error_fixed_weights,
        ci_low=score.ci_low,
        ci_high=score.ci_high,
        promoters=promoters.estimate,
        promoters_standard_error=promoters.standard_error,
        detractors=detractors.estimate,
        detractors_standard_error=detractors.standard_error,
        n=score.n,
        calibration_aware=score.calibration_aware,
    )


# ---- internals ------------------------------------------------------------------------------------------


def _as_floats(values: npt.ArrayLike, name: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be numbers; got {list(np.asarray(values).ravel()[:5])}.") from None
    if array.ndim != 1:
        raise ValueError(f"{name}: must be one-dimensional; got shape {array.shape}.")
    return array


def _positive_weights(weights: npt.ArrayLike, name: str) -> FloatArray:
    array = _as_floats(weights, name)
    if array.size == 0:
        raise ValueError(f"{name}: no weights given.")
    bad = array[~np.isfinite(array) | (array <= 0)]
    if bad.size:
        raise ValueError(f"{name}: weights must be positive and finite; got {sorted(set(bad.tolist()))[:5]}.")
    return array


def _design_weights(design_weights: npt.ArrayLike | None, n: int) -> FloatArray:
    if n == 0:
        raise ValueError("categories: no respondents.")
    if design_weights is None:
        return np.ones(n)
    start = _positive_weights(design_weights, "design_weights")
    if start.size != n:
        raise ValueError(f"design_weights: {start.size} weights for {n} respondents.")
    return start


def _as_labels(values: Any, name: str) -> list[str]:
    series = pd.Series(values)
    missing = series.isna()
    if missing.any():
        rows = [int(i) for i in np.flatnonzero(missing.to_numpy())[:5]]
        raise ValueError(f"{name}: {int(missing.sum())} missing value(s), at positions {rows}.")
    return [_label(value) for value in series]


def _label(value: Any) -> str:
    """Category label as text; whole floats lose their '.0' so 1.0 in a CSV matches a target named 1."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _margin_groups(
    categories: pd.DataFrame,
    margins: Mapping[str, Mapping[str, float]],
    start: FloatArray,
    population_total: float | None,
) -> tuple[list[str], list[IntArray], list[FloatArray]]:
    """Category index of each respondent per margin and the target counts, after checking everything."""
    problems: list[str] = []
    names: list[str] = []
    groups: list[IntArray] = []
    targets: list[FloatArray] = []
    absent = [name for name in margins if name not in categories.columns]
    if absent:
        raise ValueError(
            f"categories: no column for margin(s) {absent}; columns are {list(map(str, categories.columns))}."
        )
    if population_total is not None and not (math.isfinite(population_total) and population_total > 0):
        raise ValueError(f"population_total: must be a positive number; got {population_total}.")
    for name, target in margins.items():
        labels = _as_labels(categories[name], f"categories[{name!r}]")
        keys = [_label(key) for key in target]
        values = np.array([float(v) for v in target.values()], dtype=float)
        negative = [key for key, v in zip(keys, values, strict=True) if not (math.isfinite(v) and v >= 0)]
        if negative:
            problems.append(f"margin {name}: targets must be non-negative numbers; see {negative}.")
            continue
        index = {key: position for position, key in enumerate(keys)}
        unknown = sorted(set(labels) - set(index))
        if unknown:
            problems.append(f"margin {name}: categories {unknown} occur in the data but have no target.")
            continue
        group = np.array([index[label] for label in labels], dtype=np.intp)
        counts = np.bincount(group, minlength=len(keys))
        empty = [key for key, count, v in zip(keys, counts, values, strict=True) if count == 0 and v > 0]
        if empty:
            problems.append(
                f"margin {name}: categories {empty} have a population target but no respondents; "
                "merge them with a neighbouring category."
            )
            continue
        if abs(values.sum() - 1.0) <= _SHARES_SUM_TOLERANCE:
            scale = population_total if population_total is not None else float(start.sum())
            values = values * scale
        elif population_total is not None and abs(values.sum() / population_total - 1) > 1e-6:
            problems.append(
                f"margin {name}: counts sum to {values.sum():g}, not population_total {population_total:g}."
            )
            continue
        names.append(name)
        groups.append(group)
        targets.append(values)
    if problems:
        raise ValueError("margins: " + " ".join(problems))
    totals = [float(t.sum()) for t in targets]
    if max(totals) - min(totals) > 1e-6 * max(totals):
        described = ", ".join(f"{name} {total:g}" for name, total in zip(names, totals, strict=True))
        raise ValueError(f"margins: the margins describe different population totals ({described}).")
    return names, groups, targets


def _margin_error(weights: FloatArray, groups: Sequence[IntArray], targets: Sequence[FloatArray]) -> float:
    error = 0.0
    for group, target in zip(groups, targets, strict=True):
        achieved = np.bincount(group, weights=weights, minlength=target.size)
        positive = target > 0
        error = max(error, float(np.max(np.abs(achieved[positive] - target[positive]) / target[positive])))
    return error


def _rake(
    weights: FloatArray,
    groups: Sequence[IntArray],
    targets: Sequence[FloatArray],
    tolerance: float,
    max_iterations: int,
    bounds: tuple[float, float] | None = None,
) -> tuple[FloatArray, int, float, npt.NDArray[np.bool_]]:
    """Raked weights, cycles run, final max relative margin error, and who was ever trimmed."""
    raked = weights.copy()
    trimmed = np.zeros(raked.size, dtype=bool)
    iterations = 0
    while True:
        error = _margin_error(raked, groups, targets)
        outside = np.zeros(raked.size, dtype=bool)
        if bounds is not None:
            slack = 1e-9 * bounds[1]
            outside = (raked < bounds[0] - slack) | (raked > bounds[1] + slack)
        if (error < tolerance and not outside.any()) or iterations >= max_iterations:
            return raked, iterations, error, trimmed
        if bounds is not None:
            trimmed |= outside
            raked = np.clip(raked, bounds[0], bounds[1])
        for group, target in zip(groups, targets, strict=True):
            achieved = np.bincount(group, weights=raked, minlength=target.size)
            factor = np.divide(target, achieved, out=np.zeros_like(target), where=achieved > 0)
            raked = raked * factor[group]
        iterations += 1


def _margin_fits(
    names: Sequence[str],
    margins: Mapping[str, Mapping[str, float]],
    groups: Sequence[IntArray],
    targets: Sequence[FloatArray],
    weights: FloatArray,
) -> tuple[MarginFit, ...]:
    fits: list[MarginFit] = []
    for name, group, target in zip(names, groups, targets, strict=True):
        achieved = np.bincount(group, weights=weights, minlength=target.size)
        counts = np.bincount(group, minlength=target.size)
        for position, key in enumerate(margins[name]):
            fits.append(
                MarginFit(
                    variable=name,
                    category=_label(key),
                    target=float(target[position]),
                    achieved=float(achieved[position]),
                    sample_count=int(counts[position]),
                )
            )
    return tuple(fits)


def _calibration_residuals(scores: FloatArray, calibrated: CalibratedWeights) -> FloatArray:
    """survey:::svyrecvar's residualisation of linearised scores against the calibration groups."""
    weights = np.asarray(calibrated.weights, dtype=float)
    groups = [np.asarray(group, dtype=np.intp) for group in calibrated.groups]
    residual = scores.copy()
    if calibrated.method == "post-stratification":
        design = np.asarray(calibrated.design_weights, dtype=float)
        group = groups[0]
        means = _group_means(group, residual / weights, design)
        return residual - weights * means[group]
    for _ in range(_RESIDUALISING_CYCLES):
        for group in groups:
            means = _group_means(group, residual / weights, np.ones_like(weights))
            residual = residual - weights * means[group]
    return residual


def _group_means(group: IntArray, values: FloatArray, weights: FloatArray) -> FloatArray:
    sums = np.bincount(group, weights=values * weights)
    sizes = np.bincount(group, weights=weights, minlength=sums.size)
    return np.divide(sums, sizes, out=np.zeros_like(sums), where=sizes > 0)


def _with_replacement_se(scores: FloatArray) -> float:
    n = scores.size
    centred = scores - scores.mean()
    return math.sqrt(n / (n - 1) * float(np.sum(centred**2)))
