"""Case-resampling bootstrap of a hinge fit: percentile intervals and how often a kink vanishes.

METHODS.md §1.6: resample respondents with replacement, refit each replicate with the full global
search (K fixed), and read percentile intervals for the breakpoints, the segment slopes and the shares
of respondents in each segment. The data are sorted once; a replicate is the same sorted data with
frequency weights (how often each respondent was drawn), so no replicate sorts again. Survey weights
stay attached to their respondents in every replicate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from measure.threshold import HingeFit, complete_cases
from measure.threshold_search import Levels, Profile, Resampler

FloatArray = NDArray[np.float64]

__all__ = ["ThresholdBootstrap", "bootstrap_threshold"]


@dataclass(frozen=True, slots=True)
class ThresholdBootstrap:
    """Bootstrap percentile intervals of a hinge fit."""

    replicates: int
    seed: int
    confidence: float
    breakpoint_ci_low: tuple[float, ...]
    breakpoint_ci_high: tuple[float, ...]
    breakpoint_se: tuple[float, ...]  # standard deviation over the replicates
    slope_ci_low: tuple[float, ...]
    slope_ci_high: tuple[float, ...]
    share_ci_low: tuple[float, ...]  # (weighted) share of respondents per segment: S < ψ1 | … | S ≥ ψK
    share_ci_high: tuple[float, ...]
    kink_vanished_share: float  # replicates whose slope change reversed sign or had no admissible fit
    failed: int  # replicates without an admissible fit (counted as vanished, left out of the intervals)

    def as_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def _coefficients(levels: Levels, psi: FloatArray) -> FloatArray:
    """Least-squares coefficients (β0, β1, δ…) on the standardised scale, from the level sums."""
    suffix = levels.suffix
    k = psi.size
    first = np.searchsorted(levels.u, psi, side="right")
    size = 2 + k
    gram = np.zeros((size, size))
    right = np.zeros(size)
    s0, s1, s2, sv, suv, _ = suffix[:, 0]
    gram[0, 0], gram[0, 1], gram[1, 1] = s0, s1, s2
    right[0], right[1] = sv, suv
    for j in range(k):
        t0, t1, t2, tv, tuv, _ = suffix[:, first[j]]
        a = psi[j]
        gram[0, 2 + j] = t1 - a * t0
        gram[1, 2 + j] = t2 - a * t1
        right[2 + j] = tuv - a * tv
        for i in range(j + 1):
            later = max(i, j)
            c0, c1, c2 = suffix[0, first[later]], suffix[1, first[later]], suffix[2, first[later]]
            b = psi[i]
            gram[2 + i, 2 + j] = c2 - (a + b) * c1 + a * b * c0
    gram = np.triu(gram) + np.triu(gram, 1).T
    return np.asarray(np.linalg.solve(gram, right), dtype=float)


def bootstrap_threshold(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    fit: HingeFit,
    *,
    replicates: int = 1000,
    seed: int,
    weights: ArrayLike | None = None,
    min_separation: float = 0.0,
    confidence: float = 0.95,
) -> ThresholdBootstrap:
    """Seeded case-resampling bootstrap of `fit` (K fixed), percentile intervals.

    Each replicate draws n respondents with replacement (numpy `default_rng(seed)`), keeps their
    survey weights, and is refitted with the search of `fit_hinge` under the fit's minimum segment size
    (counted in drawn respondents): exhaustive up to 400 distinct values; above, the exact window search
    warm-started at the full-sample breakpoints plus descent from the best pair of a 100-value grid.
    Intervals: the (1 ± confidence)/2 quantiles of the replicates (percentile method). A kink
    "vanishes" in a replicate when its slope change has the opposite sign to the full-sample one, or
    when no admissible position exists; that share is reported (§1.9 flags it above 20 %). Missing
    values: complete cases, before resampling.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall, ch. 13.

    Examples
    --------
    >>> import numpy as np
    >>> from measure.threshold import fit_hinge
    >>> s = np.linspace(1, 10, 200)
    >>> y = np.minimum(s, 4) + 0.3 * np.sin(13 * s)
    >>> fit = fit_hinge(s, y, 1)
    >>> boot = bootstrap_threshold(s, y, fit, replicates=50, seed=1)
    >>> boot.breakpoint_ci_low[0] < fit.breakpoints[0] < boot.breakpoint_ci_high[0], boot.seed
    (True, 1)
    """
    s, y, w = complete_cases(satisfaction, loyalty, weights)
    if replicates < 2:
        raise ValueError(f"replicates must be at least 2; got {replicates}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}.")
    if fit.covariate_coefficients:
        raise ValueError("the bootstrap does not take covariates yet; fit without them to bootstrap.")
    if s.size != fit.n:
        raise ValueError(f"fit was made on {fit.n} respondents, the data have {s.size}.")
    order = np.argsort(s, kind="stable")
    s, y, w = s[order], y[order], w[order]
    n = s.size
    k = len(fit.breakpoints)
    need = max(fit.min_segment, 1)
    rng = np.random.default_rng(seed)
    breakpoints = np.full((replicates, k), np.nan)
    slopes = np.full((replicates, k + 1), np.nan)
    shares = np.full((replicates, k + 1), np.nan)
    vanished = np.zeros(replicates, dtype=bool)
    failed = 0
    full_changes = np.sign(np.asarray(fit.slope_changes))
    resampler = Resampler(s, y, w)
    for replicate in range(replicates):
        drawn = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        levels = resampler.levels(drawn)
        if resampler.distinct_drawn(levels) < k + 3:
            failed += 1
            vanished[replicate] = True
            continue
        profile = Profile(levels, need, min_separation)
        warm = tuple((p - levels.centre) / levels.scale for p in fit.breakpoints)
        if k == 0:
            psi = np.zeros(0)
            sse = profile.linear_sse
        elif k == 1:
            position, sse = profile.best_one()
            psi = np.array([position])
        else:
            first, second, sse = profile.best_two(
                extra_starts=((warm[0], warm[1]),), grid_levels=100, starts=1, prune=True, radius=20
            )
            psi = np.array([first, second])
        if not np.isfinite(sse):
            failed += 1
            vanished[replicate] = True
            continue
        coefficients = _coefficients(levels, psi)
        breakpoints[replicate] = psi * levels.scale + levels.centre
        slopes[replicate] = np.cumsum(coefficients[1:]) / levels.scale
        vanished[replicate] = bool(np.any(np.sign(coefficients[2:]) != full_changes))
        weight_total = levels.suffix[0, 0]
        beyond = levels.suffix[0, np.searchsorted(levels.u, psi, side="left")]  # weight with S ≥ ψ
        edges = np.concatenate(([weight_total], beyond, [0.0]))
        shares[replicate] = -np.diff(edges) / weight_total
    low_q, high_q = (1 - confidence) / 2, (1 + confidence) / 2

    def quantiles(values: FloatArray) -> tuple[tuple[float, ...], tuple[float, ...]]:
        if values.shape[1] == 0 or np.all(np.isnan(values)):
            return tuple(float("nan") for _ in range(values.shape[1])), tuple(
                float("nan") for _ in range(values.shape[1])
            )
        low = np.nanquantile(values, low_q, axis=0)
        high = np.nanquantile(values, high_q, axis=0)
        return tuple(float(v) for v in low), tuple(float(v) for v in high)

    breakpoint_low, breakpoint_high = quantiles(breakpoints)
    slope_low, slope_high = quantiles(slopes)
    share_low, share_high = quantiles(shares)
    spread = np.nanstd(breakpoints, axis=0, ddof=1) if k and failed < replicates - 1 else np.zeros(k)
    return ThresholdBootstrap(
        replicates=replicates,
        seed=seed,
        confidence=confidence,
        breakpoint_ci_low=breakpoint_low,
        breakpoint_ci_high=breakpoint_high,
        breakpoint_se=tuple(float(v) for v in spread),
        slope_ci_low=slope_low,
        slope_ci_high=slope_high,
        share_ci_low=share_low,
        share_ci_high=share_high,
        kink_vanished_share=float(vanished.mean()),
        failed=failed,
    )
