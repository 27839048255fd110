"""Satisfaction–loyalty threshold models: continuous hinge regression at its global least-squares optimum.

`L = β0 + β1·S + Σ_k δ_k (S − ψ_k)₊ + ε` with K = 0, 1 or 2 breakpoints ψ1 < ψ2 (METHODS.md §1.2).
The breakpoints are found by the exhaustive profile search of `measure.threshold_search` (§1.3), which
reaches the global optimum where R `segmented` and the Python peers stop at local ones; standard errors,
slopes, intervals and information criteria are then computed as `segmented` computes them (§1.4–1.7).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from measure.threshold_search import Position, Profile, collapse_levels, search_breakpoints

FloatArray = NDArray[np.float64]

__all__ = [
    "BreakpointIntervals",
    "HingeFit",
    "ModelComparison",
    "compare_models",
    "default_min_segment",
    "fit_hinge",
    "hinge_fit_at",
    "profile_breakpoint_intervals",
]


def default_min_segment(n: int) -> int:
    """The default minimum segment size: 5 % of the observations and at least 10.

    Examples
    --------
    >>> default_min_segment(100), default_min_segment(1000)
    (10, 50)
    """
    return max(10, math.ceil(0.05 * n))


@dataclass(frozen=True, slots=True)
class HingeFit:
    """A continuous hinge regression of loyalty on satisfaction with K = 0, 1 or 2 breakpoints."""

    breakpoints: tuple[float, ...]  # ψ1 < ψ2, on the satisfaction scale
    breakpoint_se: tuple[float, ...]  # as segmented: SE of the coefficient of −δ_k·I(S > ψ_k)
    breakpoint_ci_low: tuple[float, ...]  # delta (Wald) interval, t on df_residual
    breakpoint_ci_high: tuple[float, ...]
    intercept: float  # β0, the first segment's intercept
    slopes: tuple[float, ...]  # slope of each segment, b_1 = β1, b_2 = β1 + δ1, …
    slope_se: tuple[float, ...]
    slope_ci_low: tuple[float, ...]
    slope_ci_high: tuple[float, ...]
    slope_changes: tuple[float, ...]  # δ_k = b_(k+1) − b_k
    slope_change_se: tuple[float, ...]
    segment_intercepts: tuple[float, ...]  # β0 − Σ_(j<k) δ_j ψ_j, as segmented's intercept()
    segment_counts: tuple[int, ...]  # observations with S < ψ1 | ψ1 ≤ S < ψ2 | S ≥ ψ2
    covariate_coefficients: tuple[float, ...]  # γ of the optional covariates (empty without)
    covariate_se: tuple[float, ...]
    sse: float  # (weighted) residual sum of squares
    sigma: float  # residual standard error on df_residual
    df_residual: int  # n − 2 − 2K, as segmented
    r_squared: float
    log_likelihood: float  # Gaussian, −n/2·[ln 2π + ln(SSE/n) + 1]
    parameters: int  # 2 + K coefficients + covariates + K breakpoints + σ
    aic: float
    bic: float
    n: int
    min_segment: int
    confidence: float

    def predict(self, satisfaction: ArrayLike) -> FloatArray:
        """Fitted loyalty at the given satisfaction values (with covariates: at covariates = 0)."""
        s = np.asarray(satisfaction, dtype=float)
        fitted = self.intercept + self.slopes[0] * s
        for psi, delta in zip(self.breakpoints, self.slope_changes, strict=True):
            fitted = fitted + delta * np.maximum(s - psi, 0.0)
        return np.asarray(fitted, dtype=float)

    def as_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def _floats(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}.")
    if array.dtype.kind in "fiub":
        return array.astype(float)
    numbers = np.empty(array.size)
    bad: list[str] = []
    for index, value in enumerate(array.tolist()):
        if value is None:
            numbers[index] = np.nan
            continue
        try:
            numbers[index] = float(value)
        except (TypeError, ValueError):
            numbers[index] = np.nan
            bad.append(f"{value!r} (position {index})")
    if bad:
        raise ValueError(f"{name} must be numbers; not numbers: {', '.join(bad[:5])}.")
    return numbers


def complete_cases(
    satisfaction: ArrayLike, loyalty: ArrayLike, weights: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Satisfaction, loyalty and weights of the respondents with both answers, checked.

    Raises ValueError naming the argument: lengths differ, text, no complete pair, negative or missing
    weights, a constant satisfaction.
    """
    s = _floats(satisfaction, "satisfaction")
    y = _floats(loyalty, "loyalty")
    if s.size != y.size:
        raise ValueError(f"satisfaction and loyalty must have the same length; got {s.size} and {y.size}.")
    w = np.ones(s.size) if weights is None else _floats(weights, "weights")
    if w.size != s.size:
        raise ValueError(f"weights must have one value per respondent; got {w.size} for {s.size}.")
    for name, array in (("satisfaction", s), ("loyalty", y)):
        infinite = np.flatnonzero(np.isinf(array))
        if infinite.size:
            raise ValueError(f"{name} has infinite values at positions {infinite[:5].tolist()}.")
    keep = ~(np.isnan(s) | np.isnan(y))
    if not keep.any():
        raise ValueError(f"satisfaction and loyalty have no respondent with both answers (n = {s.size}).")
    bad_weight = np.flatnonzero(keep & ~(np.isfinite(w) & (w > 0)))
    if bad_weight.size:
        raise ValueError(
            f"weights must be positive numbers; positions {bad_weight[:5].tolist()} have {w[bad_weight[:5]].tolist()}."
        )
    s, y, w = s[keep], y[keep], w[keep]
    if np.ptp(s) == 0:
        raise ValueError(f"satisfaction is constant ({s[0]:g} for all {s.size} respondents); no slope can be fitted.")
    return s, y, w


def _with_covariates(
    satisfaction: ArrayLike, loyalty: ArrayLike, weights: ArrayLike | None, covariates: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    """`complete_cases` that also drops respondents with a missing covariate and returns the covariates
    (n × q) of the respondents kept."""
    if covariates is None:
        s, y, w = complete_cases(satisfaction, loyalty, weights)
        return s, y, w, None
    try:
        z = np.asarray(covariates, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("covariates must be numbers (make dummies of categories first).") from None
    if z.ndim == 1:
        z = z[:, None]
    raw = _floats(satisfaction, "satisfaction").copy()
    if z.ndim != 2 or z.shape[0] != raw.size:
        raise ValueError(f"covariates must have one row per respondent ({raw.size}); got shape {z.shape}.")
    missing = np.isnan(z).any(axis=1)
    raw[missing] = np.nan  # a respondent without a covariate is not a complete case
    keep = ~(np.isnan(raw) | np.isnan(_floats(loyalty, "loyalty")))
    s, y, w = complete_cases(raw, loyalty, weights)
    z = z[keep]
    centred = z - z.mean(axis=0)
    if z.shape[1] and np.linalg.matrix_rank(np.column_stack([np.ones(s.size), s, centred])) < 2 + z.shape[1]:
        raise ValueError("covariates are constant or collinear with satisfaction; drop one of them.")
    return s, y, w, z


def _basis(s: FloatArray, breakpoints: Sequence[float]) -> FloatArray:
    return np.column_stack([np.ones_like(s), s, *[np.maximum(s - psi, 0.0) for psi in breakpoints]])


def _normal_equations(design: FloatArray, y: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted least squares through the normal equations (hinge designs are well conditioned; the
    residual sum of squares is computed from the residuals, so it keeps full precision)."""
    weighted = design * w[:, None]
    gram = design.T @ weighted
    try:
        return np.asarray(np.linalg.solve(gram, weighted.T @ y), dtype=float)
    except np.linalg.LinAlgError:
        root = np.sqrt(w)
        return np.asarray(np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0], dtype=float)


def _segment_counts(s: FloatArray, breakpoints: Sequence[float]) -> tuple[int, ...]:
    cuts = np.searchsorted(np.sort(s), np.asarray(breakpoints, dtype=float), side="left")
    edges = [0, *cuts.tolist(), s.size]
    return tuple(int(edges[k + 1] - edges[k]) for k in range(len(edges) - 1))


def _information(sse: float, weights: FloatArray, n: int, parameters: int) -> tuple[float, float, float]:
    # Gaussian log-likelihood of a (weighted) least-squares fit, as R's logLik.lm: the weights enter as
    # + ½ Σ log w (zero for unit weights).
    log_likelihood = -n / 2 * (math.log(2 * math.pi) + math.log(sse / n) + 1) + 0.5 * float(np.log(weights).sum())
    return (
        log_likelihood,
        -2 * log_likelihood + 2 * parameters,
        -2 * log_likelihood + math.log(n) * parameters,
    )


def hinge_fit_at(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    breakpoints: Sequence[float],
    *,
    weights: ArrayLike | None = None,
    min_segment: int = 0,
    confidence: float = 0.95,
    covariates: ArrayLike | None = None,
) -> HingeFit:
    """Hinge regression with the breakpoints fixed at given values, with segmented-compatible SEs.

    The coefficients are (weighted) least squares on [1, S, (S−ψ_1)₊, …]. The breakpoint standard
    errors are those of R `segmented` (Muggeo 2003, §1.4 of METHODS.md): refit with the extra columns
    V_k = −δ̂_k·I(S > ψ_k); the standard error of the coefficient of V_k is SE(ψ̂_k). All standard errors
    come from that augmented fit with σ̂² = SSE / (n − 2 − 2K − q), q covariates (columns of
    `covariates`, entered linearly as in `lm(y ~ x + covariates)` before `segmented`). Slopes
    b_j = β1 + Σ_(k<j) δ_k with SE from a'Va. Delta intervals: estimate ± t_(df, (1+confidence)/2)·SE.
    Information criteria count 2 + K coefficients, q covariates, K breakpoints and σ (R
    `logLik.segmented`). Missing values: complete cases.

    References
    ----------
    Muggeo, V. M. R. (2003). Estimating regression models with unknown break-points. Statistics in
    Medicine 22, 3055–3071.

    Checked against R `segmented::segmented` 1.6-2 (summary, slope, intercept, confint, AIC, BIC).

    Examples
    --------
    >>> import numpy as np
    >>> s = np.arange(1.0, 11.0).repeat(3)
    >>> fit = hinge_fit_at(s, np.minimum(s, 4.0) + 0.5 * s + 0.1 * np.tile([-1.0, 0.0, 1.0], 10), [4.0])
    >>> [round(b, 6) for b in fit.slopes]
    [1.5, 0.5]
    """
    s, y, w, z = _with_covariates(satisfaction, loyalty, weights, covariates)
    psi = [float(p) for p in breakpoints]
    if any(not (s.min() < p < s.max()) for p in psi):
        raise ValueError(f"breakpoints must lie inside the satisfaction range ({s.min():g}, {s.max():g}); got {psi}.")
    if sorted(psi) != psi or len(set(psi)) != len(psi):
        raise ValueError(f"breakpoints must be increasing; got {psi}.")
    return _fit_at(s, y, w, psi, min_segment, confidence, z)


def _fit_at(
    s: FloatArray,
    y: FloatArray,
    w: FloatArray,
    psi: list[float],
    min_segment: int,
    confidence: float,
    covariates: FloatArray | None = None,
) -> HingeFit:
    from scipy import stats

    n, k = s.size, len(psi)
    z = np.zeros((n, 0)) if covariates is None else covariates
    q = z.shape[1]
    x = np.column_stack([_basis(s, psi), z])
    coefficients = _normal_equations(x, y, w)
    residuals = y - x @ coefficients
    sse = float((w * residuals**2).sum())
    df_residual = n - 2 - 2 * k - q
    if df_residual <= 0:
        raise ValueError(f"too few respondents ({n}) for {k} breakpoint(s) and {q} covariate(s).")
    deltas = coefficients[2 : 2 + k]
    jumps = [-delta * (s > p) for delta, p in zip(deltas, psi, strict=True)]
    augmented = np.column_stack([x, *jumps]) if k else x
    gram = augmented.T @ (augmented * w[:, None])
    sigma2 = sse / df_residual
    covariance = sigma2 * np.linalg.pinv(gram)
    slope_matrix = np.tril(np.ones((k + 1, k + 1)))  # b_j = β1 + Σ_(k<j) δ_k
    slope_cov = covariance[1 : k + 2, 1 : k + 2]
    slopes = slope_matrix @ coefficients[1 : k + 2]
    slope_se = np.sqrt(np.einsum("ij,jk,ik->i", slope_matrix, slope_cov, slope_matrix))
    psi_se = np.sqrt(np.diag(covariance)[k + 2 + q :]) if k else np.zeros(0)
    covariate_se = np.sqrt(np.diag(covariance)[k + 2 : k + 2 + q])
    quantile = float(stats.t.ppf((1 + confidence) / 2, df_residual))
    weighted_mean = float((w * y).sum() / w.sum())
    total = float((w * (y - weighted_mean) ** 2).sum())
    parameters = 2 + 2 * k + q + 1
    log_likelihood, aic, bic = _information(sse, w, n, parameters)
    intercepts = [float(coefficients[0])]
    for delta, p in zip(deltas, psi, strict=True):
        intercepts.append(intercepts[-1] - float(delta) * p)
    return HingeFit(
        breakpoints=tuple(psi),
        breakpoint_se=tuple(float(v) for v in psi_se),
        breakpoint_ci_low=tuple(p - quantile * float(e) for p, e in zip(psi, psi_se, strict=True)),
        breakpoint_ci_high=tuple(p + quantile * float(e) for p, e in zip(psi, psi_se, strict=True)),
        intercept=float(coefficients[0]),
        slopes=tuple(float(v) for v in slopes),
        slope_se=tuple(float(v) for v in slope_se),
        slope_ci_low=tuple(float(b - quantile * e) for b, e in zip(slopes, slope_se, strict=True)),
        slope_ci_high=tuple(float(b + quantile * e) for b, e in zip(slopes, slope_se, strict=True)),
        slope_changes=tuple(float(v) for v in deltas),
        slope_change_se=tuple(float(math.sqrt(covariance[j, j])) for j in range(2, 2 + k)),
        segment_intercepts=tuple(intercepts),
        segment_counts=_segment_counts(s, psi),
        covariate_coefficients=tuple(float(v) for v in coefficients[2 + k :]),
        covariate_se=tuple(float(v) for v in covariate_se),
        sse=sse,
        sigma=math.sqrt(sigma2),
        df_residual=df_residual,
        r_squared=1 - sse / total if total > 0 else float("nan"),
        log_likelihood=log_likelihood,
        parameters=parameters,
        aic=aic,
        bic=bic,
        n=n,
        min_segment=min_segment,
        confidence=confidence,
    )


def _resolve_min_segment(min_segment: int | None, n: int, number: int) -> int:
    need = default_min_segment(n) if min_segment is None else int(min_segment)
    if need < 0:
        raise ValueError(f"min_segment must be 0 or more; got {min_segment}.")
    if n < (number + 1) * max(need, 1) or n < 2 * number + 3:
        raise ValueError(
            f"{n} respondents are too few for {number} breakpoint(s) with at least {need} respondents per "
            f"segment; lower min_segment or the number of breakpoints."
        )
    return need


def fit_hinge(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    breakpoints: int,
    *,
    weights: ArrayLike | None = None,
    min_segment: int | None = None,
    min_separation: float = 0.0,
    confidence: float = 0.95,
    covariates: ArrayLike | None = None,
) -> HingeFit:
    """Hinge regression with K = 0, 1 or 2 breakpoints at the global least-squares optimum.

    `L = β0 + β1·S + Σ_k δ_k (S − ψ_k)₊ + ε`. The breakpoints minimise the (weighted) residual sum of
    squares over every admissible position (METHODS.md §1.3): data sorted once, O(1) residual sum of
    squares per candidate from suffix sums, exact optimum inside each gap between adjacent satisfaction
    values (Hudson 1966); see `measure.threshold_search`. Exact for one breakpoint and, for two, up to
    400 distinct satisfaction values (every survey composite); above that a grid with exact local
    refinement (see there for how it was checked). Admissible: ψ between the second smallest and
    the second largest distinct satisfaction value, ψ2 − ψ1 ≥ `min_separation`, and every segment
    (S < ψ1 | ψ1 ≤ S < ψ2 | S ≥ ψ2) holding at least `min_segment` respondents (default 5 % and at least
    10; never fewer than 1). Standard errors, slopes and intervals as in `hinge_fit_at`.

    Covariates (n × q, e.g. segment dummies: `L = … + x'γ`) are fitted by backfitting: the exact
    search on L − x'γ̂, then least squares of L on the hinge basis and x at the breakpoints found, until
    the SSE stops falling (each round lowers it). The cost: one full search per round (typically 2–5),
    and the result is optimal in ψ given γ̂ and in (β, γ) given ψ — a joint optimum the search cannot
    certify globally, because with shared covariates the O(1) sums of the search no longer separate.
    Missing values: complete cases. Weights: survey weights, used as least-squares weights.

    References
    ----------
    Hudson, D. J. (1966). Fitting segmented curves whose join points have to be estimated. JASA 61,
    1097–1129. Muggeo, V. M. R. (2003). Statistics in Medicine 22, 3055–3071.

    Checked against the exhaustive search in reference/scripts/04_profile_lse.R (SSE never above it) and
    R `segmented::segmented` 1.6-2 where segmented reaches the same optimum.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 200)
    >>> loyalty = 1 + 1.2 * s - 1.1 * np.maximum(s - 4, 0) + 1.4 * np.maximum(s - 8, 0)
    >>> fit = fit_hinge(s, loyalty + 0.01 * np.sin(7 * s), 2)
    >>> [round(p, 2) for p in fit.breakpoints], [round(b, 2) for b in fit.slopes]
    ([4.0, 8.0], [1.2, 0.1, 1.5])
    """
    if breakpoints not in (0, 1, 2):
        raise ValueError(f"breakpoints must be 0, 1 or 2; got {breakpoints!r}.")
    s, y, w, z = _with_covariates(satisfaction, loyalty, weights, covariates)
    need = _resolve_min_segment(min_segment, s.size, breakpoints)
    if breakpoints == 0:
        return _fit_at(s, y, w, [], need, confidence, z)
    if z is None:
        psi = _global_breakpoints(s, y, w, breakpoints, need, min_separation)
        return _fit_at(s, y, w, psi, need, confidence)
    gamma = _normal_equations(np.column_stack([_basis(s, []), z]), y, w)[2:]
    previous = math.inf
    for _ in range(50):
        psi = _global_breakpoints(s, y - z @ gamma, w, breakpoints, need, min_separation)
        design = np.column_stack([_basis(s, psi), z])
        coefficients = _normal_equations(design, y, w)
        sse = float((w * (y - design @ coefficients) ** 2).sum())
        gamma = coefficients[2 + breakpoints :]
        if not sse < previous * (1 - 1e-12):
            break
        previous = sse
    return _fit_at(s, y, w, psi, need, confidence, z)


def _global_breakpoints(
    s: FloatArray, y: FloatArray, w: FloatArray, breakpoints: int, need: int, min_separation: float
) -> list[float]:
    """The search of `measure.threshold_search`, with its failures as clear errors."""
    levels = collapse_levels(s, y, w)
    if levels.x.size < breakpoints + 3:
        raise ValueError(
            f"satisfaction has only {levels.x.size} distinct values "
            f"({', '.join(f'{v:g}' for v in levels.x)}); "
            f"{breakpoints} breakpoint(s) need at least {breakpoints + 3}."
        )
    found = search_breakpoints(levels, breakpoints, max(need, 1), min_separation)
    if not math.isfinite(found.sse):
        raise ValueError(
            f"no position of {breakpoints} breakpoint(s) leaves {need} respondents in every segment "
            f"(n = {s.size}, {levels.x.size} distinct satisfaction values); lower min_segment."
        )
    return _settle_side(s, y, w, list(found.breakpoints), max(need, 1))


def _settle_side(s: FloatArray, y: FloatArray, w: FloatArray, psi: list[float], need: int) -> list[float]:
    """Put a breakpoint that sits exactly on a data value just beside it, on the side segmented rests on.

    The SSE is continuous but has a kink there, so the segmented standard error (which uses I(S > ψ))
    depends on the side. Of the sides that keep `need` respondents per segment (S < ψ on the left), take
    the one where Muggeo's update step |γ̂/δ̂| is smaller: the fixed point segmented's iteration settles
    on. The shift is 1e-12 of the satisfaction spread, far below any reported digit.
    """
    values = np.unique(s)
    shift = 1e-12 * float(np.ptp(s))
    result = list(psi)
    ordered = np.sort(s)
    for index, value in enumerate(psi):
        position = int(np.searchsorted(values, value))
        if position >= values.size or values[position] != value:
            continue
        best: tuple[float, float] | None = None
        for moved in (value - shift, value + shift):
            trial = list(result)
            trial[index] = moved
            cuts = np.searchsorted(ordered, trial, side="left")
            if np.any(np.diff(np.concatenate(([0], cuts, [s.size]))) < need):
                continue
            step = _muggeo_step(s, y, w, trial)[index]
            if best is None or step < best[0]:
                best = (step, moved)
        if best is not None:
            result[index] = best[1]
    return result


def _muggeo_step(s: FloatArray, y: FloatArray, w: FloatArray, psi: list[float]) -> FloatArray:
    x = _basis(s, psi)
    augmented = np.column_stack([x, *[-1.0 * (s > p) for p in psi]])
    coefficients = _normal_equations(augmented, y, w)
    k = len(psi)
    return np.asarray(np.abs(coefficients[2 + k :] / coefficients[2 : 2 + k]), dtype=float)


@dataclass(frozen=True, slots=True)
class BreakpointIntervals:
    """Profile-likelihood (profile-F) confidence intervals of the breakpoints."""

    low: tuple[float, ...]
    high: tuple[float, ...]
    touches_range: tuple[bool, ...]  # the interval reached the admissible range of ψ
    sse_cutoff: float  # SSE_min·(1 + F_(1,ν;confidence)/ν)
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def profile_breakpoint_intervals(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    fit: HingeFit,
    *,
    weights: ArrayLike | None = None,
    min_separation: float = 0.0,
) -> BreakpointIntervals:
    """Profile-F intervals {ψ_k : min over the other breakpoint of SSE ≤ SSE_min·(1 + F_(1,ν)/ν)}.

    ν = n − 2 − 2K (the fit's df_residual). The profile is exact (the other breakpoint re-optimised
    globally at every ψ_k, under the fit's minimum segment size); the interval is the connected set around
    ψ̂_k, found by stepping outward on a 400-point grid and bisecting the crossing to 1e-7 of the
    admissible range. METHODS.md §1.6.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 200)
    >>> y = 1 + np.minimum(s, 4) + 0.3 * np.sin(5 * s)
    >>> fit = fit_hinge(s, y, 1)
    >>> ci = profile_breakpoint_intervals(s, y, fit)
    >>> ci.low[0] < fit.breakpoints[0] < ci.high[0]
    True
    """
    from scipy import stats

    s, y, w = complete_cases(satisfaction, loyalty, weights)
    if not fit.breakpoints:
        return BreakpointIntervals((), (), (), fit.sse, fit.confidence)
    levels = collapse_levels(s, y, w)
    profile = Profile(levels, max(fit.min_segment, 1), min_separation)
    nu = fit.df_residual
    cutoff = fit.sse * (1 + float(stats.f.ppf(fit.confidence, 1, nu)) / nu)
    lows: list[float] = []
    highs: list[float] = []
    touches: list[bool] = []
    for index, psi in enumerate(fit.breakpoints):

        def profile_sse(value: float, index: int = index) -> float:
            u = (value - levels.centre) / levels.scale
            return _profile_value(profile, u, index, len(fit.breakpoints))

        bounds = []
        touched = False
        for edge in (levels.lower, levels.upper):
            inside, bound = psi, psi
            steps = np.linspace(psi, edge, 401)[1:]
            crossed = False
            for value in steps:
                if profile_sse(float(value)) > cutoff:
                    bound, crossed = float(value), True
                    break
                inside = float(value)
            if not crossed:
                bounds.append(edge)
                touched = True
                continue
            resolution = 1e-7 * (levels.upper - levels.lower)
            while abs(bound - inside) > resolution:
                middle = (inside + bound) / 2
                if profile_sse(middle) > cutoff:
                    bound = middle
                else:
                    inside = middle
            bounds.append(inside)
        lows.append(bounds[0])
        highs.append(bounds[1])
        touches.append(touched)
    return BreakpointIntervals(tuple(lows), tuple(highs), tuple(touches), cutoff, fit.confidence)


def _profile_value(profile: Profile, u: float, index: int, number: int) -> float:
    if number == 1:
        position = Position.of(profile.levels, u, 1)
        feasible = bool(profile.feasible(position)[0])
        return float(profile.sse_one(position)[0]) if feasible else math.inf
    return profile.best_given(u, fixed_is_first=index == 0)[1]


@dataclass(frozen=True, slots=True)
class ModelComparison:
    """Linear, quadratic, cubic, one- and two-breakpoint fits compared by AIC and BIC."""

    models: tuple[str, ...]  # "linear", "quadratic", "cubic", "1 breakpoint", "2 breakpoints"
    sse: tuple[float, ...]
    parameters: tuple[int, ...]
    log_likelihood: tuple[float, ...]
    aic: tuple[float, ...]
    bic: tuple[float, ...]
    best_by_aic: str
    best_by_bic: str

    def as_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def compare_models(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    hinge_fits: Sequence[HingeFit] | None = None,
    min_segment: int | None = None,
) -> ModelComparison:
    """AIC and BIC of the linear, quadratic, cubic, one- and two-breakpoint models (METHODS.md §1.7).

    Gaussian log-likelihood −n/2·[ln 2π + ln(SSE/n) + 1] (+ ½ Σ ln w with weights, as R), p counting
    σ and one parameter per breakpoint: linear 3, quadratic 4, cubic 5, one breakpoint 5, two 7 (R's
    `logLik` df). The breakpoint models are the global fits of `fit_hinge` unless given in `hinge_fits`.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 120)
    >>> comparison = compare_models(s, np.minimum(s, 5) + 0.2 * np.sin(37 * s))
    >>> comparison.best_by_bic
    '1 breakpoint'
    """
    s, y, w = complete_cases(satisfaction, loyalty, weights)
    n = s.size
    names: list[str] = []
    sse: list[float] = []
    parameters: list[int] = []
    root = np.sqrt(w)
    for degree, name in ((1, "linear"), (2, "quadratic"), (3, "cubic")):
        design = np.column_stack([s**power for power in range(degree + 1)])
        coefficients = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
        names.append(name)
        sse.append(float((w * (y - design @ coefficients) ** 2).sum()))
        parameters.append(degree + 2)
    fits = list(hinge_fits) if hinge_fits is not None else []
    if hinge_fits is None:
        for number in (1, 2):
            try:
                fits.append(fit_hinge(s, y, number, weights=w, min_segment=min_segment))
            except ValueError:
                continue
    for fit in fits:
        k = len(fit.breakpoints)
        names.append("1 breakpoint" if k == 1 else f"{k} breakpoints")
        sse.append(fit.sse)
        parameters.append(fit.parameters)
    information = [_information(value, w, n, p) for value, p in zip(sse, parameters, strict=True)]
    aic = tuple(item[1] for item in information)
    bic = tuple(item[2] for item in information)
    return ModelComparison(
        models=tuple(names),
        sse=tuple(sse),
        parameters=tuple(parameters),
        log_likelihood=tuple(item[0] for item in information),
        aic=aic,
        bic=bic,
        best_by_aic=names[int(np.argmin(aic))],
        best_by_bic=names[int(np.argmin(bic))],
    )
