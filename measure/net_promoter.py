"""Net Promoter Score with honest uncertainty: intervals, weights, and the test between two waves.

NPS is defined on the 0–10 likelihood-to-recommend item only (Reichheld 2003): promoters answer 9–10,
passives 7–8, detractors 0–6. Each respondent scores s = +1, 0 or −1 and NPS = 100·mean(s), a number
between −100 and 100. METHODS.md §4.1 holds the formulas and test vectors used here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

IntervalMethod = Literal["wald", "adjusted_wald", "bootstrap"]
INTERVAL_METHODS: tuple[IntervalMethod, ...] = ("wald", "adjusted_wald", "bootstrap")
RECOMMEND_SCALE = (0, 10)
MINIMUM_BASE = 30


@dataclass(frozen=True, slots=True)
class NetPromoterScore:
    """Net Promoter Score of one sample of 0–10 recommend ratings.

    `promoters`, `passives` and `detractors` are respondent counts (unweighted); the `*_share` fields
    are the shares that enter the score (weighted when weights were given), between 0 and 1.
    """

    score: float  # −100 … 100; the weighted score when weighted
    standard_error: float  # in score points, of the method's estimator
    ci_low: float
    ci_high: float
    n: int  # respondents with a rating
    promoters: int  # count of ratings 9–10
    passives: int  # count of ratings 7–8
    detractors: int  # count of ratings 0–6
    promoter_share: float
    passive_share: float
    detractor_share: float
    method: IntervalMethod
    confidence: float
    weighted: bool
    effective_n: float  # Kish (Σw)²/Σw²; equals n when unweighted
    adjusted_score: float | None  # the adjusted-Wald centre 100(P'−D'); None for other methods
    replicates: int | None  # bootstrap replicates; None for other methods
    seed: int | None  # bootstrap seed; None for other methods
    missing: int  # ratings left out because they were empty
    insufficient_base: bool  # n below the minimum base: show, but do not interpret
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        result = asdict(self)
        result["warnings"] = list(self.warnings)
        return result


@dataclass(frozen=True, slots=True)
class NetPromoterChange:
    """The change in NPS from an earlier to a later wave, with its test.

    `change` is later − earlier. For a panel (`paired=True`) both scores are those of the respondents
    seen in both waves.
    """

    earlier: NetPromoterScore
    later: NetPromoterScore
    change: float  # later − earlier, in score points
    standard_error: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float  # two-sided
    paired: bool
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values, the two waves nested."""
        return {
            "earlier": self.earlier.as_dict(),
            "later": self.later.as_dict(),
            "change": self.change,
            "standard_error": self.standard_error,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "z": self.z,
            "p_value": self.p_value,
            "paired": self.paired,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class SegmentNetPromoter:
    """The NPS of one segment (one value of a grouping column)."""

    segment: str
    result: NetPromoterScore

    def as_dict(self) -> dict[str, Any]:
        """The segment name with its NPS fields."""
        return {"segment": self.segment, **self.result.as_dict()}


def promoter_scores(ratings: ArrayLike, *, argument: str = "ratings") -> NDArray[np.float64]:
    """Each 0–10 rating as +1 (promoter, 9–10), 0 (passive, 7–8) or −1 (detractor, 0–6); NaN stays NaN.

    Parameters
    ----------
    ratings : 0–10 likelihood-to-recommend answers; NaN for no answer.
    argument : the name used in error messages.

    Returns
    -------
    numpy.ndarray of +1.0, 0.0, −1.0 and NaN; 100 × its mean is the NPS.

    Raises
    ------
    ValueError
        A rating that is not a whole number from 0 to 10, shown with the others like it.

    Examples
    --------
    >>> promoter_scores([10, 9, 8, 7, 6, 0]).tolist()
    [1.0, 1.0, 0.0, 0.0, -1.0, -1.0]
    """
    values = _ratings_array(ratings, argument)
    scores = np.where(values >= 9, 1.0, np.where(values >= 7, 0.0, -1.0))
    scores[np.isnan(values)] = np.nan
    return scores


def net_promoter_score(
    ratings: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    method: IntervalMethod = "wald",
    confidence: float = 0.95,
    replicates: int = 10_000,
    seed: int | None = None,
    scale: tuple[float, float] = RECOMMEND_SCALE,
    minimum_base: int = MINIMUM_BASE,
) -> NetPromoterScore:
    """Net Promoter Score of 0–10 recommend ratings, with a confidence interval.

    NPS = 100·(p_P − p_D), promoters 9–10, detractors 0–6; weighted, p = Σw·[group]/Σw.

    Intervals (`method`):

    * ``"wald"``: unweighted, the trinomial variance Var(p̂_P − p̂_D) = [p_P + p_D − (p_P − p_D)²]/n
      (the sample-variance version s²/n with ddof 1 is larger by √(n/(n−1))). Weighted, the Taylor
      linearised variance of the ratio mean of s with the weights treated as fixed, one stage, with
      replacement: z_i = w_i(s_i − s̄_w)/Σw, v = n/(n−1)·Σz_i² (R `survey::svymean` on
      ``svydesign(ids=~1, weights=~w)``). CI = score ± z_{1−α/2}·SE.
    * ``"adjusted_wald"`` (Rocks 2016): add ¾ promoter and ¾ detractor and 3 to n, then the trinomial
      variance on the adjusted shares; the interval is centred on the adjusted score (reported as
      `adjusted_score`; `score` stays the observed NPS). Weighted, n is the Kish effective sample size
      (Σw)²/Σw² and the adjusted counts are shares × that n — an extension of ours, not in the paper.
      It is the method to use when every respondent is a promoter (Wald SE 0).
    * ``"bootstrap"``: percentile interval of `replicates` resamples of respondents (with their
      weights), drawn with `seed`; the SE is the standard deviation of the replicates.

    Missing ratings (NaN) are left out and counted in `missing`. With fewer than `minimum_base` ratings
    the result is flagged `insufficient_base` with a warning.

    Parameters
    ----------
    ratings : array of 0–10 likelihood-to-recommend answers (whole numbers; NaN for no answer).
    weights : survey weights, positive, one per rating; None for an unweighted score.
    method : ``"wald"``, ``"adjusted_wald"`` or ``"bootstrap"``.
    confidence : confidence level of the interval, e.g. 0.95.
    replicates, seed : bootstrap replicates and random seed (both reported in the result).
    scale : (min, max) of the item as the questionnaire defines it. NPS exists only for (0, 10);
        any other scale is refused, so a 1–5 or 1–7 recommend item cannot be scored by mistake.
    minimum_base : the smallest n whose score is interpreted (30 by default).

    Returns
    -------
    NetPromoterScore

    Raises
    ------
    ValueError
        The scale is not 0–10, a rating is not a whole number 0–10, weights are not positive or of
        another length, no rating is present, or the method or confidence is unknown.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12), 46–54.
    Rocks, B. (2016). Interval estimation for the "net promoter score". The American Statistician
    70(4), 365–372.

    Checked against METHODS.md §4.1 test vectors and, weighted, R `survey::svymean` 4.1-1 on the
    raked weights of ``reference/expected/survey_raking.json`` (NPS −20.96, SE 1.524 fixed weights).

    Examples
    --------
    >>> ratings = [10] * 90 + [8] * 60 + [3] * 50
    >>> result = net_promoter_score(ratings)
    >>> round(result.score, 1), round(result.standard_error, 4)
    (20.0, 5.7446)
    >>> round(result.ci_low, 3), round(result.ci_high, 3)
    (8.741, 31.259)
    >>> result.promoters, result.promoter_share
    (90, 0.45)
    """
    low, high = scale
    if (low, high) != RECOMMEND_SCALE:
        raise ValueError(
            f"scale: NPS is defined only on the 0–10 likelihood-to-recommend item; this item's scale is "
            f"{_number(low)}–{_number(high)}. Use the 0–10 recommend item, or another measure for this item."
        )
    if method not in INTERVAL_METHODS:
        raise ValueError(f"method: {method!r} is not one of {', '.join(INTERVAL_METHODS)}.")
    _check_confidence(confidence)
    values = _ratings_array(ratings, "ratings")
    weight_values = _weights_array(weights, len(values))
    present = ~np.isnan(values)
    missing = int((~present).sum())
    values = values[present]
    n = len(values)
    if n == 0:
        raise ValueError("ratings: no rating is present (all are empty).")
    weighted = weight_values is not None
    w = weight_values[present] if weight_values is not None else np.ones(n)
    scores = np.where(values >= 9, 1.0, np.where(values >= 7, 0.0, -1.0))
    total = w.sum()
    promoter_share = float(w[scores == 1].sum() / total)
    detractor_share = float(w[scores == -1].sum() / total)
    passive_share = float(w[scores == 0].sum() / total)
    score = 100.0 * (promoter_share - detractor_share)
    effective_n = float(total**2 / (w**2).sum()) if weighted else float(n)
    critical = float(stats.norm.ppf(0.5 + confidence / 2))

    warnings: list[str] = []
    adjusted_score: float | None = None
    used_replicates: int | None = None
    used_seed: int | None = None
    if method == "wald":
        standard_error = (
            _linearised_standard_error(scores, w)
            if weighted
            else _trinomial_standard_error(promoter_share, detractor_share, n)
        )
        ci_low, ci_high = score - critical * standard_error, score + critical * standard_error
        if standard_error == 0:
            warnings.append(
                "The Wald standard error is 0 (every respondent in one group); use the adjusted-Wald interval."
            )
    elif method == "adjusted_wald":
        base = effective_n + 3
        adjusted_promoters = (promoter_share * effective_n + 0.75) / base
        adjusted_detractors = (detractor_share * effective_n + 0.75) / base
        adjusted_score = 100.0 * (adjusted_promoters - adjusted_detractors)
        standard_error = _trinomial_standard_error(adjusted_promoters, adjusted_detractors, base)
        ci_low = adjusted_score - critical * standard_error
        ci_high = adjusted_score + critical * standard_error
    else:
        if replicates < 100:
            raise ValueError(f"replicates: {replicates} is too few for a bootstrap interval; use ≥ 1000.")
        replicate_scores = _bootstrap_scores(scores, w if weighted else None, replicates, seed)
        standard_error = float(replicate_scores.std(ddof=1))
        ci_low, ci_high = (
            float(value) for value in np.quantile(replicate_scores, [0.5 - confidence / 2, 0.5 + confidence / 2])
        )
        used_replicates, used_seed = replicates, seed

    insufficient_base = n < minimum_base
    if insufficient_base:
        warnings.append(f"Insufficient base: n = {n} is below {minimum_base}; do not interpret this score.")
    if n >= minimum_base and values.max() <= 5:
        warnings.append("Every rating is 5 or less: check that this is the 0–10 recommend item and not a 1–5 item.")
    return NetPromoterScore(
        score=score,
        standard_error=standard_error,
        ci_low=ci_low,
        ci_high=ci_high,
        n=n,
        promoters=int((scores == 1).sum()),
        passives=int((scores == 0).sum()),
        detractors=int((scores == -1).sum()),
        promoter_share=promoter_share,
        passive_share=passive_share,
        detractor_share=detractor_share,
        method=method,
        confidence=confidence,
        weighted=weighted,
        effective_n=effective_n,
        adjusted_score=adjusted_score,
        replicates=used_replicates,
        seed=used_seed,
        missing=missing,
        insufficient_base=insufficient_base,
        warnings=tuple(warnings),
    )


def net_promoter_change(
    earlier: ArrayLike,
    later: ArrayLike,
    *,
    earlier_weights: ArrayLike | None = None,
    later_weights: ArrayLike | None = None,
    paired: bool = False,
    confidence: float = 0.95,
    minimum_base: int = MINIMUM_BASE,
) -> NetPromoterChange:
    """The change in NPS between two waves (later − earlier) with a z test and a Wald interval.

    Independent samples: z = (NPS_later − NPS_earlier)/√(V_earlier + V_later), each V the squared Wald
    standard error of `net_promoter_score` (trinomial unweighted; linearised with fixed weights when
    weighted). Panel (``paired=True``): `earlier[i]` and `later[i]` are the same respondent; the change
    is the mean of d_i = s_later,i − s_earlier,i (×100) and its variance the linearised variance of
    that mean (ddof 1 unweighted: var(d)/n), with one weight per respondent (`later_weights`, or
    `earlier_weights` when only those are given). Pairs with a rating missing in either wave are left
    out. p is two-sided from the standard normal.

    Parameters
    ----------
    earlier, later : 0–10 recommend ratings of the two waves.
    earlier_weights, later_weights : survey weights of each wave, or None.
    paired : True when the two arrays hold the same respondents in the same order.
    confidence : level of the interval of the change.
    minimum_base : passed to each wave's `net_promoter_score`.

    Returns
    -------
    NetPromoterChange

    Raises
    ------
    ValueError
        A rating is not 0–10, or paired arrays differ in length.

    References
    ----------
    Rocks, B. (2016). The American Statistician 70(4), 365–372 (variance of the NPS difference).

    Checked against METHODS.md §4.1: waves 90/60/50 and 100/90/60 give a difference of 4.0 points,
    SE 7.5879, z 0.527, p 0.598.

    Examples
    --------
    >>> first = [10] * 90 + [8] * 60 + [3] * 50
    >>> second = [9] * 100 + [7] * 90 + [6] * 60
    >>> change = net_promoter_change(first, second)
    >>> round(change.change, 1), round(change.standard_error, 4), round(change.p_value, 3)
    (-4.0, 7.5879, 0.598)
    """
    _check_confidence(confidence)
    earlier_values = _ratings_array(earlier, "earlier")
    later_values = _ratings_array(later, "later")
    critical = float(stats.norm.ppf(0.5 + confidence / 2))
    if not paired:
        first = net_promoter_score(earlier_values, weights=earlier_weights, minimum_base=minimum_base)
        second = net_promoter_score(later_values, weights=later_weights, minimum_base=minimum_base)
        change = second.score - first.score
        standard_error = float(np.hypot(first.standard_error, second.standard_error))
    else:
        if len(earlier_values) != len(later_values):
            raise ValueError(
                f"earlier, later: a panel needs one rating per respondent in each wave; got "
                f"{len(earlier_values)} and {len(later_values)} ratings."
            )
        pair_weights = _weights_array(
            later_weights if later_weights is not None else earlier_weights, len(later_values)
        )
        both = ~np.isnan(earlier_values) & ~np.isnan(later_values)
        w = pair_weights[both] if pair_weights is not None else None
        first = net_promoter_score(earlier_values[both], weights=w, minimum_base=minimum_base)
        second = net_promoter_score(later_values[both], weights=w, minimum_base=minimum_base)
        differences = promoter_scores(later_values[both]) - promoter_scores(earlier_values[both])
        if len(differences) < 2:
            raise ValueError(f"earlier, later: {len(differences)} respondent(s) answered in both waves; need 2.")
        change = second.score - first.score
        standard_error = _linearised_standard_error(differences, w if w is not None else np.ones(len(differences)))
    if standard_error > 0:
        z = change / standard_error
        p_value = float(2 * stats.norm.sf(abs(z)))
    else:
        z = 0.0 if change == 0 else float(np.copysign(np.inf, change))
        p_value = 1.0 if change == 0 else 0.0
    return NetPromoterChange(
        earlier=first,
        later=second,
        change=change,
        standard_error=standard_error,
        ci_low=change - critical * standard_error,
        ci_high=change + critical * standard_error,
        z=float(z),
        p_value=p_value,
        paired=paired,
        confidence=confidence,
    )


def net_promoter_by_segment(
    ratings: ArrayLike,
    segments: Sequence[Any] | ArrayLike,
    *,
    weights: ArrayLike | None = None,
    method: IntervalMethod = "wald",
    confidence: float = 0.95,
    replicates: int = 10_000,
    seed: int | None = None,
    minimum_base: int = MINIMUM_BASE,
) -> tuple[SegmentNetPromoter, ...]:
    """The NPS of each segment, segments in sorted order; respondents without a segment are left out.

    Each segment is scored exactly as `net_promoter_score` scores a sample, so small segments carry
    the `insufficient_base` warning; a segment in which nobody gave a rating is left out. Numeric
    segment codes keep their written form (2.0 read from a CSV is segment "2").

    Parameters
    ----------
    ratings : 0–10 recommend answers.
    segments : the segment of each respondent (NaN or None: left out).
    weights, method, confidence, replicates, seed, minimum_base : as in `net_promoter_score`.

    Returns
    -------
    tuple of SegmentNetPromoter, one per segment.

    Raises
    ------
    ValueError
        As `net_promoter_score`, or segments of another length than ratings.

    Examples
    --------
    >>> rows = net_promoter_by_segment([10, 9, 3, 8, 10, 0], ["a", "a", "a", "b", "b", "b"])
    >>> [(row.segment, round(row.result.score, 1)) for row in rows]
    [('a', 33.3), ('b', 0.0)]
    """
    values = _ratings_array(ratings, "ratings")
    labels = np.asarray(segments, dtype=object)
    if len(labels) != len(values):
        raise ValueError(f"segments: {len(labels)} values for {len(values)} ratings; need one per rating.")
    weight_values = _weights_array(weights, len(values))
    known = np.array([not _is_missing(label) for label in labels], dtype=bool)
    text = np.array([_label(label) for label in labels], dtype=object)
    names = sorted(set(text[known]))
    rows = []
    for name in names:
        members = known & (text == name)
        if np.isnan(values[members]).all():
            continue
        rows.append(
            SegmentNetPromoter(
                segment=name,
                result=net_promoter_score(
                    values[members],
                    weights=None if weight_values is None else weight_values[members],
                    method=method,
                    confidence=confidence,
                    replicates=replicates,
                    seed=seed,
                    minimum_base=minimum_base,
                ),
            )
        )
    return tuple(rows)


def _ratings_array(ratings: ArrayLike, argument: str) -> NDArray[np.float64]:
    try:
        values = np.asarray(ratings, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{argument}: every rating must be a number from 0 to 10.") from None
    present = values[~np.isnan(values)]
    bad = present[(present < 0) | (present > 10) | (present != np.round(present))]
    if len(bad):
        shown = ", ".join(_number(value) for value in np.unique(bad)[:5])
        raise ValueError(
            f"{argument}: NPS needs whole-number ratings from 0 to 10 (the likelihood-to-recommend item); "
            f"found {shown} ({len(bad)} rating(s))."
        )
    return values


def _weights_array(weights: ArrayLike | None, n: int) -> NDArray[np.float64] | None:
    if weights is None:
        return None
    values = np.asarray(weights, dtype=float).ravel()
    if len(values) != n:
        raise ValueError(f"weights: {len(values)} weights for {n} ratings; need one per rating.")
    bad = values[~(values > 0) | ~np.isfinite(values)]
    if len(bad):
        shown = ", ".join(_number(value) for value in bad[:5])
        raise ValueError(f"weights: every weight must be a positive number; found {shown}.")
    return values


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: {confidence} is not between 0 and 1 (e.g. 0.95).")


def _trinomial_standard_error(promoter_share: float, detractor_share: float, n: float) -> float:
    variance = (promoter_share + detractor_share - (promoter_share - detractor_share) ** 2) / n
    return 100.0 * float(np.sqrt(max(variance, 0.0)))


def _linearised_standard_error(scores: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """SE (in score points) of the weighted mean of s, weights fixed, one stage, with replacement."""
    n = len(scores)
    if n < 2:
        return float("nan")
    total = weights.sum()
    mean = float((weights * scores).sum() / total)
    linearised = weights * (scores - mean) / total
    return 100.0 * float(np.sqrt(n / (n - 1) * (linearised**2).sum()))


def _bootstrap_scores(
    scores: NDArray[np.float64], weights: NDArray[np.float64] | None, replicates: int, seed: int | None
) -> NDArray[np.float64]:
    generator = np.random.default_rng(seed)
    n = len(scores)
    if weights is None:
        # resampling respondents = drawing the three group counts from the observed multinomial
        shares = np.array([(scores == 1).mean(), (scores == 0).mean(), (scores == -1).mean()])
        counts = generator.multinomial(n, shares, size=replicates)
        result: NDArray[np.float64] = 100.0 * (counts[:, 0] - counts[:, 2]) / n
        return result
    out = np.empty(replicates)
    chunk = max(1, 2_000_000 // n)
    for start in range(0, replicates, chunk):
        size = min(chunk, replicates - start)
        rows = generator.integers(0, n, size=(size, n))
        w = weights[rows]
        out[start : start + size] = 100.0 * (w * scores[rows]).sum(axis=1) / w.sum(axis=1)
    return out


def _label(value: Any) -> str:
    """A segment's name as the user wrote it: 2.0 read from a CSV column with gaps is "2"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _number(value: float) -> str:
    return f"{value:g}"
