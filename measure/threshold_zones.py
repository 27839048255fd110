"""Zones A/B/C along satisfaction (METHODS.md §1.9) and the Jones–Sasser quadrants (§10.4).

Zone A: loyalty collapses below a minimum satisfaction level; zone B: a wide band where it hardly moves
("indifference"); zone C: it rises steeply ("affection"). Zones come from a fitted hinge model when it
passes the rule set, otherwise from Jones & Sasser's fixed zones mapped onto the satisfaction scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from measure.threshold import BreakpointIntervals, HingeFit, complete_cases, default_min_segment

FloatArray = NDArray[np.float64]

__all__ = [
    "JonesSasserQuadrants",
    "ThresholdZones",
    "Zone",
    "jones_sasser_cuts",
    "jones_sasser_quadrants",
    "threshold_zones",
]


@dataclass(frozen=True, slots=True)
class Zone:
    """One zone along satisfaction."""

    name: str  # "A", "B" or "C"
    low: float  # from (inclusive)
    high: float  # to (exclusive, except the last zone)
    slope: float  # average slope of the fitted curve over the zone
    share: float  # (weighted) share of respondents
    mean_loyalty: float  # (weighted) mean loyalty of its respondents; NaN when empty
    count: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the keys `from` and `to` for the bounds."""
        return {
            "name": self.name,
            "from": self.low,
            "to": self.high,
            "slope": self.slope,
            "share": self.share,
            "mean_loyalty": None if math.isnan(self.mean_loyalty) else self.mean_loyalty,
            "count": self.count,
        }


@dataclass(frozen=True, slots=True)
class ThresholdZones:
    """Zones A/B/C, how they were derived, and each respondent's zone."""

    source: str  # "model" (the hinge fit passed §1.9) or "jones-sasser" (fixed zones, the fallback)
    pattern: str  # "A|B|C", "A|B", "B|C", or "none" (no threshold detected)
    zones: tuple[Zone, ...]
    labels: tuple[str, ...]  # per respondent, input order; "" where satisfaction is missing
    reasons: tuple[str, ...]  # why the model did not pass, when source is "jones-sasser"
    flags: tuple[str, ...]  # warnings of §1.9 step 4

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; the per-respondent labels are left out (they can be long)."""
        return {
            "source": self.source,
            "pattern": self.pattern,
            "zones": [zone.as_dict() for zone in self.zones],
            "reasons": list(self.reasons),
            "flags": list(self.flags),
        }


def jones_sasser_cuts(scale_min: float, scale_max: float) -> tuple[float, float]:
    """Cut points of the Jones–Sasser zones mapped proportionally onto a scale.

    On the 5-point scale 1–2 is zone A, 3–4 zone B, 5 zone C; each answer category is an interval of
    one scale point, so the cuts sit at 40 % and 80 % of the span [min − ½, max + ½]:
    c = min − ½ + f·(max − min + 1), f = 0.4, 0.8. A: S < c1, B: c1 ≤ S < c2, C: S ≥ c2.

    Examples
    --------
    >>> jones_sasser_cuts(1, 5), jones_sasser_cuts(1, 10), jones_sasser_cuts(0, 10)
    ((2.5, 4.5), (4.5, 8.5), (3.9, 8.3))
    """
    if not scale_max > scale_min:
        raise ValueError(f"scale_max must exceed scale_min; got {scale_min} and {scale_max}.")
    span = scale_max - scale_min + 1
    return (
        round(scale_min - 0.5 + 0.4 * span, 12),
        round(scale_min - 0.5 + 0.8 * span, 12),
    )


def _summaries(
    s: FloatArray, y: FloatArray, w: FloatArray, names: list[str], edges: list[float], fit: HingeFit
) -> tuple[Zone, ...]:
    zones: list[Zone] = []
    total = w.sum()
    for index, name in enumerate(names):
        low, high = edges[index], edges[index + 1]
        last = index == len(names) - 1
        inside = (s >= low) & ((s <= high) if last else (s < high))
        weight = w[inside].sum()
        fitted = fit.predict(np.array([low, high]))
        slope = float((fitted[1] - fitted[0]) / (high - low)) if high > low else float("nan")
        zones.append(
            Zone(
                name=name,
                low=float(low),
                high=float(high),
                slope=slope,
                share=float(weight / total),
                mean_loyalty=float((w[inside] * y[inside]).sum() / weight) if weight > 0 else float("nan"),
                count=int(inside.sum()),
            )
        )
    return tuple(zones)


def threshold_zones(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    fit: HingeFit,
    *,
    existence_p_value: float,
    selected_by_bic: bool,
    scale: tuple[float, float],
    weights: ArrayLike | None = None,
    intervals: BreakpointIntervals | None = None,
    kink_vanished_share: float | None = None,
    loyalty_max: float | None = None,
    flat_ratio: float = 0.25,
    min_separation: float | None = None,
    alpha: float = 0.05,
) -> ThresholdZones:
    """Zones A/B/C from a hinge fit by the rule set of METHODS.md §1.9, else the Jones–Sasser zones.

    1. Gate: K ≥ 1 chosen by BIC, existence test p < `alpha`, every segment ≥ max(10, 5 % n), the
       breakpoint intervals (profile intervals when given, else the fit's delta intervals) strictly
       inside the satisfaction range, ψ2 − ψ1 ≥ `min_separation` (default 1 scale point on scales of 7
       or more points, else 0.5).
    2. K = 2: zone B = [ψ1, ψ2] when the CI of its slope contains 0 or |b_B| ≤ ρ·min(b_A, b_C)
       (ρ = `flat_ratio`); below ψ1 is zone A when δ1 is significantly < 0 (upper CI bound < 0), above
       ψ2 zone C when δ2 is significantly > 0; a part without a significant change joins zone B.
    3. K = 1: b_1 > b_2 ≈ 0 with δ significantly < 0 → A|B; 0 ≈ b_1 < b_2 with δ significantly > 0 → B|C.
    4. Flags: a negative segment slope, more than 30 % of respondents at the loyalty maximum
       (`loyalty_max`; use the ordinal model then), an interval touching the range, a bootstrap
       kink-vanished share above 20 %.
    5. Otherwise the fixed Jones–Sasser zones (`jones_sasser_cuts` of `scale`), with the reasons.
    Shares and means are weighted; a respondent's zone is read from satisfaction alone, so respondents
    without a loyalty answer are labelled too. Zone slopes are the fitted curve's average slope.

    References
    ----------
    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. Harvard Business Review
    73(6), 88–99.

    Examples
    --------
    >>> import numpy as np
    >>> from measure.threshold import fit_hinge
    >>> s = np.linspace(1, 10, 300)
    >>> y = 1 + 1.2 * s - 1.1 * np.maximum(s - 4, 0) + 1.4 * np.maximum(s - 8, 0) + 0.3 * np.sin(9 * s)
    >>> zones = threshold_zones(s, y, fit_hinge(s, y, 2), existence_p_value=1e-9, selected_by_bic=True,
    ...                         scale=(1, 10))
    >>> zones.pattern, [z.name for z in zones.zones]
    ('A|B|C', ['A', 'B', 'C'])
    """
    raw_satisfaction = np.asarray(satisfaction, dtype=float)
    s, y, w = complete_cases(satisfaction, loyalty, weights)
    scale_min, scale_max = float(scale[0]), float(scale[1])
    if not scale_max > scale_min:
        raise ValueError(f"scale must be (min, max) with max > min; got {scale}.")
    separation = min_separation if min_separation is not None else (1.0 if scale_max - scale_min >= 6 else 0.5)
    from scipy import stats

    k = len(fit.breakpoints)
    reasons: list[str] = []
    flags: list[str] = []
    lows = intervals.low if intervals is not None else fit.breakpoint_ci_low
    highs = intervals.high if intervals is not None else fit.breakpoint_ci_high
    if any(slope < 0 for slope in fit.slopes):
        flags.append("a segment has a negative slope (loyalty falls as satisfaction rises)")
    if loyalty_max is not None and float(w[y >= loyalty_max].sum() / w.sum()) > 0.30:
        flags.append("over 30 % of respondents at the loyalty maximum: prefer the ordinal threshold model")
    if intervals is not None and any(intervals.touches_range):
        flags.append("a breakpoint interval reaches the end of the admissible range")
    if kink_vanished_share is not None and kink_vanished_share > 0.20:
        flags.append(f"the kink vanished in {kink_vanished_share:.0%} of bootstrap replicates")
    if k == 0:
        reasons.append("no breakpoint model selected")
    if not selected_by_bic:
        reasons.append("the breakpoint model is not the one BIC prefers")
    if not existence_p_value < alpha:
        reasons.append(f"the test for a breakpoint is not significant (p = {existence_p_value:.3g})")
    if k and min(fit.segment_counts) < default_min_segment(fit.n):
        reasons.append(f"a segment has fewer than {default_min_segment(fit.n)} respondents")
    if any(not (s.min() < low and high < s.max()) for low, high in zip(lows, highs, strict=True)):
        reasons.append("a breakpoint interval is not strictly inside the satisfaction range")
    if k == 2 and fit.breakpoints[1] - fit.breakpoints[0] < separation:
        reasons.append(f"the breakpoints are less than {separation:g} scale points apart")
    quantile = float(stats.t.ppf(1 - alpha / 2, fit.df_residual)) if fit.df_residual > 0 else math.inf
    change_low = [d - quantile * e for d, e in zip(fit.slope_changes, fit.slope_change_se, strict=True)]
    change_high = [d + quantile * e for d, e in zip(fit.slope_changes, fit.slope_change_se, strict=True)]

    def flat(index: int, reference: float) -> bool:
        contains_zero = fit.slope_ci_low[index] <= 0 <= fit.slope_ci_high[index]
        return contains_zero or abs(fit.slopes[index]) <= flat_ratio * reference

    names: list[str] = []
    edges: list[float] = []
    pattern = "none"
    if not reasons and k == 2:
        if not flat(1, min(fit.slopes[0], fit.slopes[2])):
            reasons.append("the middle segment is not flat (zone B rule)")
        else:
            drop = change_high[0] < 0
            rise = change_low[1] > 0
            if not (drop or rise):
                reasons.append("neither slope change is significant")
            else:
                names = [*(["A"] if drop else []), "B", *(["C"] if rise else [])]
                edges = [
                    float(s.min()),
                    *([fit.breakpoints[0]] if drop else []),
                    *([fit.breakpoints[1]] if rise else []),
                    float(s.max()),
                ]
                pattern = "|".join(names)
    elif not reasons and k == 1:
        if change_high[0] < 0 and flat(1, fit.slopes[0]) and fit.slopes[0] > 0:
            names, pattern = ["A", "B"], "A|B"
        elif change_low[0] > 0 and flat(0, fit.slopes[1]) and fit.slopes[1] > 0:
            names, pattern = ["B", "C"], "B|C"
        else:
            reasons.append("the one-breakpoint pattern is neither A|B nor B|C")
        edges = [float(s.min()), fit.breakpoints[0], float(s.max())]
    if names:
        source = "model"
    else:
        source = "jones-sasser"
        cut_a, cut_c = jones_sasser_cuts(scale_min, scale_max)
        names, edges = ["A", "B", "C"], [scale_min, cut_a, cut_c, scale_max]
        if k == 0 and "no breakpoint model selected" in reasons:
            pattern = "none"
    zones = _summaries(s, y, w, names, edges, fit)
    positions = np.searchsorted(np.asarray(edges[1:-1]), raw_satisfaction, side="right")
    labels = np.where(np.isnan(raw_satisfaction), "", np.asarray(names)[np.minimum(positions, len(names) - 1)])
    return ThresholdZones(
        source=source,
        pattern=pattern if source == "model" else "none",
        zones=zones,
        labels=tuple(str(label) for label in labels),
        reasons=tuple(reasons),
        flags=tuple(flags),
    )


@dataclass(frozen=True, slots=True)
class JonesSasserQuadrants:
    """Jones–Sasser customer types from top-box satisfaction and top-box loyalty."""

    names: tuple[str, ...]  # apostle, mercenary, hostage, defector
    counts: tuple[int, ...]
    shares: tuple[float, ...]  # weighted
    labels: tuple[str, ...]  # per respondent, input order; "" where an answer is missing
    satisfaction_top_box: float  # S ≥ this is top box
    loyalty_top_box: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, without the per-respondent labels."""
        return {
            "quadrants": [
                {"name": name, "count": count, "share": share}
                for name, count, share in zip(self.names, self.counts, self.shares, strict=True)
            ],
            "satisfaction_top_box": self.satisfaction_top_box,
            "loyalty_top_box": self.loyalty_top_box,
        }


def jones_sasser_quadrants(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    *,
    satisfaction_top_box: float,
    loyalty_top_box: float,
    weights: ArrayLike | None = None,
) -> JonesSasserQuadrants:
    """Apostle (top-box satisfaction and loyalty), mercenary (satisfied, not loyal), hostage (loyal, not
    satisfied), defector (neither), METHODS.md §10.4.

    Top box means at or above the given value (5 of 5, or 9–10 of 10: `jones_sasser_cuts(...)[1]`),
    within a relative 1e-9 so that rescaling rounding does not move an answer off the cut.
    Shares are weighted over respondents with both answers.

    References
    ----------
    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. HBR 73(6), 88–99.

    Examples
    --------
    >>> quadrants = jones_sasser_quadrants([5, 5, 2, 1], [5, 1, 5, 2], satisfaction_top_box=5,
    ...                                    loyalty_top_box=5)
    >>> quadrants.labels
    ('apostle', 'mercenary', 'hostage', 'defector')
    """
    raw_s = np.asarray(satisfaction, dtype=float)
    raw_y = np.asarray(loyalty, dtype=float)
    if raw_s.shape != raw_y.shape:
        raise ValueError(f"satisfaction and loyalty must have the same length; got {raw_s.size} and {raw_y.size}.")
    w = np.ones(raw_s.size) if weights is None else np.asarray(weights, dtype=float)
    names = ("apostle", "mercenary", "hostage", "defector")
    complete = ~(np.isnan(raw_s) | np.isnan(raw_y))
    if not complete.any():
        raise ValueError("satisfaction and loyalty have no respondent with both answers.")
    # at or above, with a relative tolerance of 1e-9: a rescaled answer equal to the cut stays top box
    high_s = raw_s >= satisfaction_top_box - 1e-9 * max(1.0, abs(satisfaction_top_box))
    high_y = raw_y >= loyalty_top_box - 1e-9 * max(1.0, abs(loyalty_top_box))
    codes = np.where(high_s, np.where(high_y, 0, 1), np.where(high_y, 2, 3))
    total = w[complete].sum()
    counts = tuple(int((complete & (codes == index)).sum()) for index in range(4))
    shares = tuple(float(w[complete & (codes == index)].sum() / total) for index in range(4))
    labels = tuple(names[code] if ok else "" for code, ok in zip(codes.tolist(), complete.tolist(), strict=True))
    return JonesSasserQuadrants(
        names=names,
        counts=counts,
        shares=shares,
        labels=labels,
        satisfaction_top_box=float(satisfaction_top_box),
        loyalty_top_box=float(loyalty_top_box),
    )
