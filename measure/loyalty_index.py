"""The six-indicator loyalty index (0–100): per respondent, per wave and per segment, with intervals.

The pipeline, one function per step (METHODS §3):

1. `measure.indicator_normalisation.normalise_indicators` — raw indicators to 0–1 against anchors;
2. a weighting from `measure.indicator_weights` — equal, AHP, entropy, CRITIC, PCA, combined, or a
   baseline wave's weights reused;
3. `loyalty_index` — ``LI_i = 100 Σ_j w_j z_ij`` over the indicators present, the wave's mean with its
   interval, and the same per segment;
4. `loyalty_index_change` — this wave against the previous one (`paired_index_change` for the panel
   respondents seen in both); `index_sensitivity` — the index under every weighting method side by side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from measure.indicator_normalisation import Indicator, NormalisedIndicators
from measure.indicator_weights import (
    IndicatorWeights,
    critic_weights,
    entropy_weights,
    equal_weights,
    pca_weights,
)

MINIMUM_INDICATORS = 4  # of six: fewer present and the respondent gets no index (METHODS §3.2)

CI_METHOD_UNWEIGHTED = "Student t, n − 1 df: mean ± t·s/√n"
CI_METHOD_WEIGHTED = (
    "Student t, n − 1 df, Taylor linearisation of the weighted mean with weights treated as fixed "
    "(with-replacement, as R survey::svymean on svydesign(ids = ~1, weights = ~w))"
)


@dataclass(frozen=True, slots=True)
class IndexEstimate:
    """The mean loyalty index of one group of respondents (a wave, or a segment of it)."""

    segment: str | None  # None for the whole wave
    index: float  # 0–100
    standard_error: float
    ci_low: float
    ci_high: float
    n: int  # respondents with an index
    n_excluded: int  # respondents left out: fewer than the minimum number of indicators present
    effective_n: float  # Kish (Σw)²/Σw²; equals n without survey weights

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values (NaN becomes null)."""
        return {
            "segment": self.segment,
            "index": _json_number(self.index),
            "standard_error": _json_number(self.standard_error),
            "ci_low": _json_number(self.ci_low),
            "ci_high": _json_number(self.ci_high),
            "n": self.n,
            "n_excluded": self.n_excluded,
            "effective_n": self.effective_n,
        }


@dataclass(frozen=True, slots=True)
class LoyaltyIndex:
    """A wave's loyalty index: the overall estimate, segments, respondents, and how it was built."""

    overall: IndexEstimate
    segments: tuple[IndexEstimate, ...]  # empty unless segments were given
    respondent_index: tuple[float, ...]  # 0–100 per input row; NaN when too few indicators were present
    weights: IndicatorWeights
    indicators: tuple[Indicator, ...]  # with the anchors used, to freeze for later waves
    minimum_indicators: int
    confidence: float
    weighted: bool  # survey weights were used
    ci_method: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: the overall estimate at the top, then weights, anchors, segments, respondents."""
        weights = self.weights.as_dict()
        return {
            "index": _json_number(self.overall.index),
            "standard_error": _json_number(self.overall.standard_error),
            "ci_low": _json_number(self.overall.ci_low),
            "ci_high": _json_number(self.overall.ci_high),
            "n": self.overall.n,
            "n_excluded": self.overall.n_excluded,
            "effective_n": self.overall.effective_n,
            "confidence": self.confidence,
            "ci_method": self.ci_method,
            "weighted": self.weighted,
            "minimum_indicators": self.minimum_indicators,
            **weights,
            "anchors": {item.name: item.as_dict()["anchors"] for item in self.indicators},
            "directions": {item.name: item.direction for item in self.indicators},
            "segments": [segment.as_dict() for segment in self.segments],
            "respondent_index": [_json_number(value) for value in self.respondent_index],
        }


@dataclass(frozen=True, slots=True)
class IndexChange:
    """This wave's index minus the previous wave's, with its t test (Welch's, or paired for a panel)."""

    current: float
    previous: float
    change: float  # current − previous, index points
    standard_error: float  # √(se_current² + se_previous²)
    ci_low: float
    ci_high: float
    statistic: float  # t = change / standard_error
    degrees_of_freedom: float  # Welch–Satterthwaite; n_pairs − 1 when paired
    p_value: float  # two-sided
    confidence: float
    test: str
    n_pairs: int | None = None  # paired: respondents with an index in both waves

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    """The index under one weighting method."""

    method: str
    weights: IndicatorWeights
    overall: IndexEstimate
    segments: tuple[IndexEstimate, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "method": self.method,
            "weights": self.weights.weight_of(),
            **{key: value for key, value in self.overall.as_dict().items() if key != "segment"},
            "segments": [segment.as_dict() for segment in self.segments],
        }


@dataclass(frozen=True, slots=True)
class IndexSensitivity:
    """The wave's index under every weighting method, and how far apart they are."""

    rows: tuple[SensitivityRow, ...]
    spread: float  # largest minus smallest overall index across methods, index points

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {"rows": [row.as_dict() for row in self.rows], "spread": self.spread}


def respondent_loyalty_index(
    scores: pd.DataFrame, weights: IndicatorWeights, *, minimum_indicators: int = MINIMUM_INDICATORS
) -> NDArray[np.float64]:
    """Each respondent's index ``LI_i = 100 Σ_j w_j z_ij / Σ_j w_j`` over the indicators present.

    The weights of missing indicators are dropped and the rest renormalised; a respondent with fewer
    than `minimum_indicators` present (4 of 6, METHODS §3.2) gets NaN.

    Parameters
    ----------
    scores : pandas.DataFrame
        Normalised scores (0–1), one column per weighted indicator, NaN where missing.
    weights : IndicatorWeights
    minimum_indicators : int

    Returns
    -------
    numpy.ndarray
        0–100 per row of `scores`.

    Examples
    --------
    >>> scores = pd.DataFrame({"a": [1.0, 0.5, None], "b": [0.0, None, None]})
    >>> from measure.indicator_weights import equal_weights
    >>> respondent_loyalty_index(scores, equal_weights(["a", "b"]), minimum_indicators=1).tolist()
    [50.0, 50.0, nan]
    """
    missing = [name for name in weights.indicators if name not in scores.columns]
    if missing:
        raise ValueError(f"scores has no column for weighted indicators {missing}; it has {list(scores.columns)}.")
    extra = [str(name) for name in scores.columns if name not in weights.indicators]
    if extra:
        raise ValueError(f"weights give no weight to indicators {extra}; weights cover {list(weights.indicators)}.")
    count = len(weights.indicators)
    if not 1 <= minimum_indicators <= count:
        raise ValueError(f"minimum_indicators must be between 1 and the {count} indicators; got {minimum_indicators}.")
    z = scores[list(weights.indicators)].to_numpy(dtype=float)
    if ((z < 0) | (z > 1)).any():
        raise ValueError("scores must lie in 0–1 (normalise the indicators first).")
    present = ~np.isnan(z)
    w = np.array(weights.weights)
    weight_present = present @ w
    weighted_sum = np.where(present, z, 0.0) @ w
    enough = (present.sum(axis=1) >= minimum_indicators) & (weight_present > 0)
    index = np.full(len(z), np.nan)
    index[enough] = 100 * weighted_sum[enough] / weight_present[enough]
    return index


def mean_index(
    respondent_index: ArrayLike,
    *,
    survey_weights: ArrayLike | None = None,
    confidence: float = 0.95,
    segment: str | None = None,
) -> IndexEstimate:
    """The (weighted) mean of respondents' indices with its standard error and t interval.

    Formula
    -------
    Unweighted: ``ȳ ± t_{n−1} s/√n``. Weighted: ``ȳ_w = Σ w_i y_i / Σ w_i`` with the linearised
    variance ``v = n/(n−1) Σ u_i²``, ``u_i = w_i (y_i − ȳ_w) / Σ w``, the survey weights treated as
    fixed (with-replacement, no finite-population correction), and the same t quantile. With equal
    weights both give the same interval. Missing indices (NaN) are left out, and counted in n_excluded;
    respondents with survey weight 0 are left out of n. n < 2 gives no standard error (NaN).

    Parameters
    ----------
    respondent_index : array_like
        Respondents' indices (0–100), NaN where there is none.
    survey_weights : array_like, optional
        One weight ≥ 0 per respondent.
    confidence : float
    segment : str, optional
        Label carried into the result.

    Returns
    -------
    IndexEstimate

    References
    ----------
    Wolter, K. (2007). Introduction to Variance Estimation, 2nd ed., ch. 6 (Taylor series). Checked
    against R survey 4.1-1 `svymean` on a design with raked weights treated as fixed (reference file
    survey_raking.json: SE 0.0401575).

    Examples
    --------
    >>> estimate = mean_index([60, 70, 80, float("nan")])
    >>> estimate.index, round(estimate.standard_error, 4), estimate.n, estimate.n_excluded
    (70.0, 5.7735, 3, 1)
    """
    values = np.asarray(respondent_index, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"respondent_index must be one-dimensional; got shape {values.shape}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}.")
    if survey_weights is None:
        w = np.ones_like(values)
    else:
        w = np.asarray(survey_weights, dtype=float)
        if w.shape != values.shape:
            raise ValueError(f"survey_weights must have one weight per respondent ({values.shape[0]}); got {w.shape}.")
        bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
        if bad.size:
            raise ValueError(
                f"survey_weights must be finite and ≥ 0; rows {bad[:5].tolist()} are {w[bad[:5]].tolist()}."
            )
    keep = ~np.isnan(values) & (w > 0)
    y, w = values[keep], w[keep]
    n = int(keep.sum())
    excluded = int(np.isnan(values).sum())
    nan = float("nan")
    if n == 0:
        return IndexEstimate(segment, nan, nan, nan, nan, 0, excluded, 0.0)
    total = w.sum()
    mean = float((w * y).sum() / total)
    effective_n = float(total**2 / (w**2).sum())
    if n < 2:
        return IndexEstimate(segment, mean, nan, nan, nan, n, excluded, effective_n)
    u = w * (y - mean) / total
    standard_error = math.sqrt(n / (n - 1) * float((u**2).sum()))
    half_width = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * standard_error
    return IndexEstimate(segment, mean, standard_error, mean - half_width, mean + half_width, n, excluded, effective_n)


def loyalty_index(
    normalised: NormalisedIndicators,
    weights: IndicatorWeights,
    *,
    survey_weights: ArrayLike | None = None,
    segments: ArrayLike | None = None,
    minimum_indicators: int = MINIMUM_INDICATORS,
    confidence: float = 0.95,
) -> LoyaltyIndex:
    """The loyalty index 0–100 of a wave: per respondent, overall and per segment, with intervals.

    Formula
    -------
    ``LI_i = 100 Σ_j w_j z_ij / Σ_{j present} w_j`` (linear, compensatory; METHODS §3.4), computed
    when at least `minimum_indicators` of the indicators are present; the wave's and each segment's
    index is the (survey-weighted) mean of LI_i.

    Estimator choices
    -----------------
    Interval: see `mean_index` (Student t with n − 1 df; linearised variance with survey weights treated
    as fixed). Respondents with too few indicators are excluded and counted (n_excluded); a wave in
    which nobody has enough indicators is a ValueError. Missing segment labels form no segment.

    Parameters
    ----------
    normalised : NormalisedIndicators
        From `normalise_indicators`; its anchors are kept in the result for freezing.
    weights : IndicatorWeights
        For the same indicators.
    survey_weights : array_like, optional
        One non-negative weight per respondent.
    segments : array_like, optional
        One label per respondent (region, tier, …).
    minimum_indicators : int
        Fewest indicators present for a respondent's index (4, for six indicators).
    confidence : float

    Returns
    -------
    LoyaltyIndex

    References
    ----------
    OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6 (linear aggregation).

    Examples
    --------
    >>> from measure.indicator_normalisation import indicator, normalise_indicators
    >>> data = pd.DataFrame({"trust": [5, 4, 2, 3], "churn": [0, 2, 8, 5], "region": list("NNSS")})
    >>> trust = indicator("trust", "higher_is_better", [1, 5])
    >>> churn = indicator("churn", "higher_is_worse", [0, 10])
    >>> scaled = normalise_indicators(data, [trust, churn])
    >>> result = loyalty_index(
    ...     scaled, equal_weights(["trust", "churn"]), segments=data["region"], minimum_indicators=2
    ... )
    >>> [round(value, 6) for value in result.respondent_index]
    [100.0, 77.5, 22.5, 50.0]
    >>> result.overall.index, [(s.segment, s.index) for s in result.segments]
    (62.5, [('N', 88.75), ('S', 36.25)])
    """
    names = [item.name for item in normalised.indicators]
    if set(names) != set(weights.indicators):
        raise ValueError(
            f"weights are for indicators {list(weights.indicators)} but the data have {names}; "
            "a frozen weighting must cover the same indicators."
        )
    index = respondent_loyalty_index(normalised.scores, weights, minimum_indicators=minimum_indicators)
    if np.isnan(index).all():
        raise ValueError(
            f"normalised indicators leave no respondent with at least {minimum_indicators} of "
            f"{len(names)} indicators present; {len(index)} respondents all have fewer."
        )
    survey = None if survey_weights is None else np.asarray(survey_weights, dtype=float)
    overall = mean_index(index, survey_weights=survey, confidence=confidence)
    segment_estimates: list[IndexEstimate] = []
    if segments is not None:
        labels = pd.Series(np.asarray(segments, dtype=object))
        if len(labels) != len(index):
            raise ValueError(f"segments must have one label per respondent ({len(index)}); got {len(labels)}.")
        for label in sorted(labels.dropna().unique(), key=str):
            members = (labels == label).to_numpy()
            segment_estimates.append(
                mean_index(
                    index[members],
                    survey_weights=None if survey is None else survey[members],
                    confidence=confidence,
                    segment=str(label),
                )
            )
    return LoyaltyIndex(
        overall=overall,
        segments=tuple(segment_estimates),
        respondent_index=tuple(float(value) for value in index),
        weights=weights,
        indicators=normalised.indicators,
        minimum_indicators=minimum_indicators,
        confidence=confidence,
        weighted=survey is not None,
        ci_method=CI_METHOD_WEIGHTED if survey is not None else CI_METHOD_UNWEIGHTED,
    )


def index_change(current: IndexEstimate, previous: IndexEstimate, *, confidence: float = 0.95) -> IndexChange:
    """This wave's index minus the previous wave's, with Welch's t test for independent samples.

    Formula
    -------
    ``Δ = ȳ_current − ȳ_previous``, ``SE = √(SE_c² + SE_p²)``, ``t = Δ / SE`` with Welch–Satterthwaite
    ``df = SE⁴ / (SE_c⁴/(n_c − 1) + SE_p⁴/(n_p − 1))``; two-sided p; interval ``Δ ± t_df · SE``.

    Estimator choices
    -----------------
    The waves are independent samples (a panel's repeated respondents would make this conservative).
    The two indices must have been built with the same anchors and weights to be comparable; compare
    `LoyaltyIndex` objects with `loyalty_index_change`, which checks that.

    Parameters
    ----------
    current, previous : IndexEstimate
        The two waves' estimates (index, standard error, n).
    confidence : float

    Returns
    -------
    IndexChange

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different population
    variances are involved. Biometrika 34:28–35.

    Examples
    --------
    >>> now = IndexEstimate(None, 66.0, 1.0, 64.0, 68.0, 200, 0, 200.0)
    >>> before = IndexEstimate(None, 63.0, 1.2, 60.6, 65.4, 180, 0, 180.0)
    >>> change = index_change(now, before)
    >>> round(change.change, 2), round(change.statistic, 3), round(change.p_value, 4)
    (3.0, 1.921, 0.0556)
    """
    for name, estimate in (("current", current), ("previous", previous)):
        if estimate.n < 2 or not math.isfinite(estimate.standard_error):
            raise ValueError(f"{name} needs at least 2 respondents and a standard error; it has n = {estimate.n}.")
    difference = current.index - previous.index
    variance_current, variance_previous = current.standard_error**2, previous.standard_error**2
    standard_error = math.sqrt(variance_current + variance_previous)
    denominator = variance_current**2 / (current.n - 1) + variance_previous**2 / (previous.n - 1)
    df = (variance_current + variance_previous) ** 2 / denominator if denominator > 0 else float("inf")
    if standard_error == 0:
        statistic = 0.0 if difference == 0 else math.copysign(math.inf, difference)
    else:
        statistic = difference / standard_error
    p_value = float(2 * stats.t.sf(abs(statistic), df))
    half_width = float(stats.t.ppf(0.5 + confidence / 2, df)) * standard_error
    return IndexChange(
        current=current.index,
        previous=previous.index,
        change=difference,
        standard_error=standard_error,
        ci_low=difference - half_width,
        ci_high=difference + half_width,
        statistic=statistic,
        degrees_of_freedom=df,
        p_value=p_value,
        confidence=confidence,
        test="Welch t test, independent waves",
    )


def paired_index_change(current: pd.Series, previous: pd.Series, *, confidence: float = 0.95) -> IndexChange:
    """The change in the index of the panel respondents seen in both waves, with the paired t test.

    Formula
    -------
    For the n respondents with an index in both waves, ``d_i = LI_i,current − LI_i,previous``;
    ``Δ = mean(d)``, ``SE = sd(d)/√n`` (ddof = 1), ``t = Δ/SE`` on n − 1 df; interval ``Δ ± t_{n−1}·SE``.

    Estimator choices
    -----------------
    Unweighted; only respondents with an index in both waves count (the rest of each wave is left out,
    so `current` and `previous` in the result are the panel's means, not the waves'). Use
    `index_change` for the waves as wholes.

    Parameters
    ----------
    current, previous : pandas.Series
        Respondents' indices (0–100, NaN where none), indexed by respondent id.
    confidence : float

    Returns
    -------
    IndexChange
        With `n_pairs`.

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika 6:1–25. Same as R
    ``t.test(current, previous, paired = TRUE)``.

    Examples
    --------
    >>> q3 = pd.Series([60.0, 70.0, 55.0, 80.0], index=["a", "b", "c", "d"])
    >>> q4 = pd.Series([65.0, 74.0, 55.0, float("nan"), 90.0], index=["a", "b", "c", "d", "e"])
    >>> change = paired_index_change(q4, q3)
    >>> change.n_pairs, change.change, round(change.p_value, 4)
    (3, 3.0, 0.1885)
    """
    for name, series in (("current", current), ("previous", previous)):
        if series.index.has_duplicates:
            repeated = sorted({str(key) for key in series.index[series.index.duplicated()]})[:5]
            raise ValueError(f"{name} has respondent ids more than once: {repeated}.")
    pairs = pd.concat({"current": current, "previous": previous}, axis=1, join="inner").dropna()
    n = len(pairs)
    if n < 2:
        raise ValueError(f"current and previous share {n} respondent(s) with an index; a paired test needs 2.")
    differences = (pairs["current"] - pairs["previous"]).to_numpy(dtype=float)
    mean = float(differences.mean())
    standard_error = float(differences.std(ddof=1)) / math.sqrt(n)
    if standard_error == 0:
        statistic = 0.0 if mean == 0 else math.copysign(math.inf, mean)
    else:
        statistic = mean / standard_error
    df = n - 1
    half_width = float(stats.t.ppf(0.5 + confidence / 2, df)) * standard_error
    return IndexChange(
        current=float(pairs["current"].mean()),
        previous=float(pairs["previous"].mean()),
        change=mean,
        standard_error=standard_error,
        ci_low=mean - half_width,
        ci_high=mean + half_width,
        statistic=statistic,
        degrees_of_freedom=float(df),
        p_value=float(2 * stats.t.sf(abs(statistic), df)),
        confidence=confidence,
        test="paired t test, respondents in both waves",
        n_pairs=n,
    )


def loyalty_index_change(current: LoyaltyIndex, previous: LoyaltyIndex) -> IndexChange:
    """`index_change` of two waves' indices, after checking they used the same anchors and weights.

    Examples
    --------
    >>> from measure.indicator_normalisation import indicator, normalise_indicators
    >>> trust = [indicator("trust", "higher_is_better", [1, 5])]
    >>> weights = equal_weights(["trust"])
    >>> q1 = loyalty_index(normalise_indicators(pd.DataFrame({"trust": [3, 4, 2, 3]}), trust), weights,
    ...                    minimum_indicators=1)
    >>> q2 = loyalty_index(normalise_indicators(pd.DataFrame({"trust": [4, 5, 3, 4]}), trust), weights,
    ...                    minimum_indicators=1)
    >>> loyalty_index_change(q2, q1).change
    25.0
    """
    if current.indicators != previous.indicators:
        raise ValueError(
            "current and previous were normalised with different anchors: "
            f"{[item.as_dict() for item in current.indicators]} against "
            f"{[item.as_dict() for item in previous.indicators]}. Freeze the previous wave's anchors."
        )
    if current.weights.weight_of() != previous.weights.weight_of():
        raise ValueError(
            f"current and previous used different weights: {current.weights.weight_of()} against "
            f"{previous.weights.weight_of()}. Freeze the previous wave's weights."
        )
    return index_change(current.overall, previous.overall, confidence=current.confidence)


def index_sensitivity(
    normalised: NormalisedIndicators,
    *,
    expert_weights: Mapping[str, IndicatorWeights] | None = None,
    survey_weights: ArrayLike | None = None,
    segments: ArrayLike | None = None,
    minimum_indicators: int = MINIMUM_INDICATORS,
    confidence: float = 0.95,
) -> IndexSensitivity:
    """The index under every weighting method: equal, entropy, CRITIC, PCA, plus any expert weights given.

    Each row is `loyalty_index` with that method's weights derived from the same normalised scores
    (complete cases), so a reader sees whether the headline depends on the weighting. A data-derived
    method that cannot be computed on these data (e.g. PCA with fewer than two varying indicators) is
    left out of the table rather than failing it.

    Parameters
    ----------
    normalised : NormalisedIndicators
    expert_weights : mapping of str to IndicatorWeights, optional
        Further rows, e.g. {"ahp": …}.
    survey_weights, segments, minimum_indicators, confidence
        As in `loyalty_index`.

    Returns
    -------
    IndexSensitivity

    Examples
    --------
    >>> from measure.indicator_normalisation import indicator, normalise_indicators
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    >>> scaled = normalise_indicators(
    ...     data, [indicator("a", "higher_is_better", [1, 5]), indicator("b", "higher_is_better", [1, 5])]
    ... )
    >>> table = index_sensitivity(scaled, minimum_indicators=2)
    >>> [row.method for row in table.rows], table.spread
    (['equal', 'entropy', 'critic', 'pca'], 0.0)
    """
    names = [item.name for item in normalised.indicators]
    candidates: list[tuple[str, IndicatorWeights]] = [("equal", equal_weights(names))]
    for method, derive in (("entropy", entropy_weights), ("critic", critic_weights), ("pca", pca_weights)):
        try:
            candidates.append((method, derive(normalised.scores[names])))
        except ValueError:
            continue
    for label, weighting in (expert_weights or {}).items():
        candidates.append((label, weighting))
    rows: list[SensitivityRow] = []
    for method, weighting in candidates:
        result = loyalty_index(
            normalised,
            weighting,
            survey_weights=survey_weights,
            segments=segments,
            minimum_indicators=minimum_indicators,
            confidence=confidence,
        )
        rows.append(SensitivityRow(method, weighting, result.overall, result.segments))
    values = [row.overall.index for row in rows]
    return IndexSensitivity(tuple(rows), float(max(values) - min(values)))


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else value
