"""The whole threshold analysis of one sample: choose K, fit, test, compare, zones, bootstrap.

One function composes the pieces of `measure.threshold*` the way a report and the command line need
them, so that the stored-wave mode and the data-file mode share it (arrays in, one dataclass out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from numpy.typing import ArrayLike

from measure.threshold import (
    BreakpointIntervals,
    HingeFit,
    ModelComparison,
    compare_models,
    complete_cases,
    fit_hinge,
    profile_breakpoint_intervals,
)
from measure.threshold_bootstrap import ThresholdBootstrap, bootstrap_threshold
from measure.threshold_tests import DaviesTest, PseudoScoreTest, davies_test, pseudo_score_test
from measure.threshold_zones import (
    JonesSasserQuadrants,
    ThresholdZones,
    jones_sasser_cuts,
    jones_sasser_quadrants,
    threshold_zones,
)

__all__ = ["ThresholdAnalysis", "analyse_threshold"]


@dataclass(frozen=True, slots=True)
class ThresholdAnalysis:
    """Satisfaction–loyalty threshold analysis of one sample."""

    fit: HingeFit  # the selected (or requested) model
    requested_breakpoints: str  # "0", "1", "2" or "auto"
    selected_breakpoints: int
    fits: tuple[HingeFit, ...]  # K = 0, 1, 2 (those that could be fitted)
    comparison: ModelComparison
    davies: DaviesTest  # H0: no breakpoint
    pseudo_score: PseudoScoreTest  # H0: no breakpoint
    davies_more: DaviesTest | None  # H0: no second breakpoint, given the best one-breakpoint fit
    pseudo_score_more: PseudoScoreTest | None
    intervals: BreakpointIntervals
    zones: ThresholdZones
    bootstrap: ThresholdBootstrap | None
    quadrants: JonesSasserQuadrants | None  # when the loyalty top box is known
    scale: tuple[float, float]

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of `loyalty measure threshold --json` (labels per respondent left out)."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            if isinstance(value, dict):
                return {key: clean(item) for key, item in value.items()}
            if isinstance(value, list | tuple):
                return [clean(item) for item in value]
            return value

        fit = self.fit
        result = {
            "n": fit.n,
            "requested_breakpoints": self.requested_breakpoints,
            "selected_breakpoints": self.selected_breakpoints,
            "breakpoints": list(fit.breakpoints),
            "breakpoint_se": list(fit.breakpoint_se),
            "breakpoint_ci_delta": [
                list(pair) for pair in zip(fit.breakpoint_ci_low, fit.breakpoint_ci_high, strict=True)
            ],
            "breakpoint_ci_profile": [list(pair) for pair in zip(self.intervals.low, self.intervals.high, strict=True)],
            "intercept": fit.intercept,
            "slopes": list(fit.slopes),
            "slope_se": list(fit.slope_se),
            "sse": fit.sse,
            "sigma": fit.sigma,
            "r_squared": fit.r_squared,
            "aic": fit.aic,
            "bic": fit.bic,
            "min_segment": fit.min_segment,
            "segment_counts": list(fit.segment_counts),
            "davies_p": self.davies.p_value,
            "davies_best_at": self.davies.best_breakpoint,
            "pscore_p": self.pseudo_score.p_value,
            "pscore_statistic": self.pseudo_score.statistic,
            "one_more_breakpoint_davies_p": None if self.davies_more is None else self.davies_more.p_value,
            "one_more_breakpoint_pscore_p": None if self.pseudo_score_more is None else self.pseudo_score_more.p_value,
            "model_comparison": self.comparison.as_dict(),
            "zones": [zone.as_dict() for zone in self.zones.zones],
            "zone_source": self.zones.source,
            "zone_pattern": self.zones.pattern,
            "zone_reasons": list(self.zones.reasons),
            "flags": list(self.zones.flags),
            "satisfaction_scale": list(self.scale),
            "bootstrap": None if self.bootstrap is None else self.bootstrap.as_dict(),
            "jones_sasser_quadrants": None if self.quadrants is None else self.quadrants.as_dict(),
        }
        cleaned: dict[str, Any] = clean(result)
        return cleaned


def analyse_threshold(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    *,
    scale: tuple[float, float],
    breakpoints: int | str = "auto",
    weights: ArrayLike | None = None,
    min_segment: int | None = None,
    bootstrap_replicates: int = 0,
    seed: int = 20240601,
    loyalty_max: float | None = None,
    loyalty_top_box: float | None = None,
    alpha: float = 0.05,
) -> ThresholdAnalysis:
    """Fit K = 0, 1, 2, test for breakpoints, pick K (or take the requested one), derive the zones.

    Automatic K (METHODS.md §1.7): one breakpoint is kept when its BIC is at least 2 below the linear
    model's and Davies' test rejects "no breakpoint" at `alpha`; two when their BIC is at least 2 below
    the best simpler model's and the pseudo-score test for one more breakpoint (given the one-breakpoint
    fit, `more.break = TRUE` in R) rejects at `alpha`. Zones follow §1.9 with the existence test's p
    (Davies for K = 1; the larger of Davies and the one-more test for K = 2). The bootstrap runs only when
    `bootstrap_replicates` > 0, with `seed`. With `loyalty_top_box`, the Jones–Sasser quadrants use it
    and the satisfaction top box of the scale (`jones_sasser_cuts(*scale)[1]`: 5 of 5, 9–10 of 10).

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 300)
    >>> y = 1 + 1.2 * s - 1.1 * np.maximum(s - 4, 0) + 1.4 * np.maximum(s - 8, 0) + 0.3 * np.sin(9 * s)
    >>> analysis = analyse_threshold(s, y, scale=(1, 10))
    >>> analysis.selected_breakpoints, [zone.name for zone in analysis.zones.zones]
    (2, ['A', 'B', 'C'])
    """
    if breakpoints not in (0, 1, 2, "0", "1", "2", "auto"):
        raise ValueError(f"breakpoints must be 0, 1, 2 or 'auto'; got {breakpoints!r}.")
    s, y, w = complete_cases(satisfaction, loyalty, weights)
    fits: dict[int, HingeFit] = {0: fit_hinge(s, y, 0, weights=w, min_segment=min_segment)}
    errors: dict[int, str] = {}
    for number in (1, 2):
        try:
            fits[number] = fit_hinge(s, y, number, weights=w, min_segment=min_segment)
        except ValueError as error:
            errors[number] = str(error)
    davies = davies_test(s, y, weights=w)
    pseudo = pseudo_score_test(s, y, weights=w)
    davies_more = pseudo_more = None
    if 1 in fits:
        davies_more = davies_test(s, y, given_breakpoints=fits[1].breakpoints, weights=w)
        pseudo_more = pseudo_score_test(s, y, given_breakpoints=fits[1].breakpoints, weights=w)
    comparison = compare_models(s, y, weights=w, hinge_fits=[fits[k] for k in (1, 2) if k in fits])
    bic = {k: fit.bic for k, fit in fits.items()}
    selected = 0
    if 1 in fits and bic[1] <= bic[0] - 2 and davies.p_value < alpha:
        selected = 1
    if (
        2 in fits
        and bic[2] <= min(bic[k] for k in fits if k < 2) - 2
        and min(davies.p_value, pseudo.p_value) < alpha
        and pseudo_more is not None
        and pseudo_more.p_value < alpha
    ):
        selected = 2
    requested = str(breakpoints)
    chosen = selected if requested == "auto" else int(requested)
    if chosen not in fits:
        raise ValueError(errors[chosen])
    fit = fits[chosen]
    intervals = profile_breakpoint_intervals(s, y, fit, weights=w)
    bootstrap = (
        bootstrap_threshold(s, y, fit, replicates=bootstrap_replicates, seed=seed, weights=w)
        if bootstrap_replicates > 0
        else None
    )
    existence = davies.p_value
    if chosen == 2:
        existence = max(davies.p_value, pseudo_more.p_value if pseudo_more is not None else 1.0)
    zones = threshold_zones(  # the raw arrays: every respondent with a satisfaction value gets a label
        satisfaction,
        loyalty,
        fit,
        existence_p_value=existence,
        selected_by_bic=chosen == min(bic, key=lambda k: bic[k]),
        scale=scale,
        weights=weights,
        intervals=intervals,
        kink_vanished_share=None if bootstrap is None else bootstrap.kink_vanished_share,
        loyalty_max=loyalty_max,
        alpha=alpha,
    )
    quadrants = (
        None
        if loyalty_top_box is None
        else jones_sasser_quadrants(
            satisfaction,
            loyalty,
            satisfaction_top_box=jones_sasser_cuts(*scale)[1],
            loyalty_top_box=loyalty_top_box,
            weights=weights,
        )
    )
    return ThresholdAnalysis(
        fit=fit,
        requested_breakpoints=requested,
        selected_breakpoints=chosen,
        fits=tuple(fits[k] for k in sorted(fits)),
        comparison=comparison,
        davies=davies,
        pseudo_score=pseudo,
        davies_more=davies_more,
        pseudo_score_more=pseudo_more,
        intervals=intervals,
        zones=zones,
        bootstrap=bootstrap,
        quadrants=quadrants,
        scale=(float(scale[0]), float(scale[1])),
    )
