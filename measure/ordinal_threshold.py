"""Threshold models for ordinal loyalty and for satisfaction with few levels (METHODS.md §1.8).

* Ordered logit with the hinge in satisfaction: logit P(Y ≤ j) = ζ_j − η,
  η = β1·S + Σ δ_k (S − ψ_k)₊; the breakpoints are profiled (every candidate a full maximum-likelihood
  fit, warm-started from its neighbour).
* Dummy-coded level model: loyalty on one dummy per satisfaction level, for satisfaction with at most
  7 distinct values; runs of adjacent levels whose increments are not significant form the zones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from measure.threshold import complete_cases, default_min_segment

FloatArray = NDArray[np.float64]

__all__ = [
    "LevelModel",
    "OrdinalThresholdFit",
    "fit_ordinal_threshold",
    "level_model",
    "ordinal_threshold_fit_at",
]


@dataclass(frozen=True, slots=True)
class OrdinalThresholdFit:
    """Proportional-odds (ordered logit) model with a hinge in satisfaction."""

    breakpoints: tuple[float, ...]
    coefficients: tuple[float, ...]  # β1, δ1, …: effects on the latent scale
    coefficient_se: tuple[float, ...]
    slopes: tuple[float, ...]  # latent slope per segment, b_1 = β1, b_2 = β1 + δ1, …
    slope_se: tuple[float, ...]
    cutpoints: tuple[float, ...]  # ζ_1 < … < ζ_(J−1)
    cutpoint_se: tuple[float, ...]
    categories: tuple[float, ...]  # the ordered loyalty values
    log_likelihood: float
    parameters: int  # coefficients + cutpoints (+ breakpoints when estimated)
    aic: float
    bic: float
    n: int
    breakpoints_estimated: bool

    def as_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def _ordinal(loyalty: FloatArray) -> tuple[NDArray[np.intp], FloatArray]:
    categories = np.unique(loyalty)
    if categories.size < 2:
        raise ValueError(f"loyalty has only one category ({categories[0]:g}); an ordinal model needs two or more.")
    return np.searchsorted(categories, loyalty), categories


def _negative_log_likelihood(
    theta: FloatArray, design: FloatArray, codes: NDArray[np.intp], levels: int, w: FloatArray
) -> tuple[float, FloatArray]:
    """−ℓ and its gradient in the parameters (β, ζ1, log(ζ2 − ζ1), …)."""
    from scipy import special

    p = design.shape[1]
    beta = theta[:p]
    with np.errstate(over="ignore"):
        increments = np.exp(theta[p + 1 :])
    zeta = np.concatenate(([theta[p]], theta[p] + np.cumsum(increments)))
    eta = design @ beta
    upper_cut = np.concatenate((zeta, [np.inf]))[codes]
    lower_cut = np.concatenate(([-np.inf], zeta))[codes]
    upper = special.expit(upper_cut - eta)
    lower = special.expit(lower_cut - eta)
    probability = np.maximum(upper - lower, 1e-300)
    value = -float((w * np.log(probability)).sum())
    upper_density = upper * (1 - upper)
    lower_density = lower * (1 - lower)
    # d(−log p)/dη = (f(a) − f(b))/p ; d/dζ_j (upper cut) = −f(a)/p ; d/dζ_(j−1) = +f(b)/p
    d_eta = w * (upper_density - lower_density) / probability
    gradient_beta = design.T @ d_eta
    d_zeta = np.zeros(levels - 1)
    np.add.at(d_zeta, codes[codes < levels - 1], -(w * upper_density / probability)[codes < levels - 1])
    np.add.at(d_zeta, codes[codes > 0] - 1, (w * lower_density / probability)[codes > 0])
    # ζ_j = θ_p + Σ_(i<j) exp(θ_(p+i)): dζ_j/dθ_p = 1, dζ_j/dθ_(p+i) = exp(θ_(p+i)) for i ≤ j
    gradient_zeta = np.empty(levels - 1)
    gradient_zeta[0] = d_zeta.sum()
    tail_sums = np.cumsum(d_zeta[::-1])[::-1]
    gradient_zeta[1:] = tail_sums[1:] * increments
    return value, np.concatenate((gradient_beta, gradient_zeta))


def _natural_gradient(
    beta_zeta: FloatArray, design: FloatArray, codes: NDArray[np.intp], levels: int, w: FloatArray
) -> FloatArray:
    """Gradient of −ℓ in (β, ζ) directly, for the Hessian."""
    from scipy import special

    p = design.shape[1]
    beta, zeta = beta_zeta[:p], beta_zeta[p:]
    eta = design @ beta
    upper_cut = np.concatenate((zeta, [np.inf]))[codes]
    lower_cut = np.concatenate(([-np.inf], zeta))[codes]
    upper = special.expit(upper_cut - eta)
    lower = special.expit(lower_cut - eta)
    probability = np.maximum(upper - lower, 1e-300)
    upper_density, lower_density = upper * (1 - upper), lower * (1 - lower)
    d_eta = w * (upper_density - lower_density) / probability
    d_zeta = np.zeros(levels - 1)
    np.add.at(d_zeta, codes[codes < levels - 1], -(w * upper_density / probability)[codes < levels - 1])
    np.add.at(d_zeta, codes[codes > 0] - 1, (w * lower_density / probability)[codes > 0])
    return np.concatenate((design.T @ d_eta, d_zeta))


def _maximise(
    design: FloatArray, codes: NDArray[np.intp], levels: int, w: FloatArray, start: FloatArray | None
) -> tuple[FloatArray, float]:
    from scipy import optimize

    p = design.shape[1]
    if start is None:
        shares = np.cumsum(np.bincount(codes, weights=w, minlength=levels))[:-1] / w.sum()
        shares = np.clip(shares, 1e-6, 1 - 1e-6)
        zeta = np.log(shares / (1 - shares)) + (design.mean(axis=0) @ np.zeros(p))
        start = np.concatenate((np.zeros(p), [zeta[0]], np.log(np.maximum(np.diff(zeta), 1e-3))))
    result = optimize.minimize(
        _negative_log_likelihood,
        start,
        args=(design, codes, levels, w),
        jac=True,
        method="BFGS",
        options={"gtol": 1e-11, "maxiter": 2000},
    )
    return np.asarray(result.x, dtype=float), float(result.fun)


def _design(s: FloatArray, breakpoints: Sequence[float]) -> FloatArray:
    return np.column_stack([s, *[np.maximum(s - p, 0.0) for p in breakpoints]])


def _finish(
    s: FloatArray,
    codes: NDArray[np.intp],
    categories: FloatArray,
    w: FloatArray,
    breakpoints: list[float],
    theta: FloatArray,
    negative_ll: float,
    estimated: bool,
) -> OrdinalThresholdFit:
    design = _design(s, breakpoints)
    p = design.shape[1]
    levels = categories.size
    zeta = np.concatenate(([theta[p]], theta[p] + np.cumsum(np.exp(theta[p + 1 :]))))
    natural = np.concatenate((theta[:p], zeta))
    # observed information: central differences of the analytic gradient
    size = natural.size
    hessian = np.empty((size, size))
    for index in range(size):
        step = 1e-5 * max(1.0, abs(natural[index]))
        plus, minus = natural.copy(), natural.copy()
        plus[index] += step
        minus[index] -= step
        hessian[:, index] = (
            _natural_gradient(plus, design, codes, levels, w) - _natural_gradient(minus, design, codes, levels, w)
        ) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    if np.any(np.linalg.eigvalsh(hessian) <= 0):
        raise ValueError(
            "the ordinal model's information matrix is not positive definite: loyalty categories are "
            "(nearly) determined by satisfaction (quasi-separation); merge sparse categories or use the "
            "hinge model on the scores."
        )
    covariance = np.linalg.inv(hessian)
    se = np.sqrt(np.diag(covariance))
    k = len(breakpoints)
    slope_matrix = np.tril(np.ones((k + 1, k + 1)))
    slopes = slope_matrix @ theta[:p]
    slope_se = np.sqrt(np.einsum("ij,jk,ik->i", slope_matrix, covariance[:p, :p], slope_matrix))
    parameters = p + levels - 1 + (k if estimated else 0)
    log_likelihood = -negative_ll
    n = s.size
    return OrdinalThresholdFit(
        breakpoints=tuple(breakpoints),
        coefficients=tuple(float(v) for v in theta[:p]),
        coefficient_se=tuple(float(v) for v in se[:p]),
        slopes=tuple(float(v) for v in slopes),
        slope_se=tuple(float(v) for v in slope_se),
        cutpoints=tuple(float(v) for v in zeta),
        cutpoint_se=tuple(float(v) for v in se[p:]),
        categories=tuple(float(v) for v in categories),
        log_likelihood=log_likelihood,
        parameters=parameters,
        aic=-2 * log_likelihood + 2 * parameters,
        bic=-2 * log_likelihood + math.log(n) * parameters,
        n=n,
        breakpoints_estimated=estimated,
    )


def ordinal_threshold_fit_at(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    breakpoints: Sequence[float],
    *,
    weights: ArrayLike | None = None,
) -> OrdinalThresholdFit:
    """Ordered logit of ordinal loyalty on satisfaction with the hinge at given breakpoints.

    logit P(Y ≤ j) = ζ_j − η, η = β1·S + Σ δ_k (S − ψ_k)₊ (no intercept: it is absorbed by ζ). Maximum
    likelihood (BFGS, analytic gradient); standard errors from the observed information (central
    differences of the analytic gradient) in (β, ζ), as `MASS::polr(Hess = TRUE)`. With fixed ψ, AIC and
    BIC count only β and ζ (R's polr). Missing values: complete cases; weights as frequency weights.

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. JRSS B 42, 109–142.

    Checked against R `MASS::polr` 7.3-58.2 (METHODS.md §1.8, D1-ord).

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 300)
    >>> y = np.digitize(np.minimum(s, 5) + np.sin(7 * s), [2.5, 3.5, 4.5])
    >>> fit = ordinal_threshold_fit_at(s, y, [5.0])
    >>> fit.slopes[0] > 1, abs(fit.slopes[1]) < fit.slopes[0]
    (True, True)
    """
    s, y, w = complete_cases(satisfaction, loyalty, weights)
    codes, categories = _ordinal(y)
    psi = [float(p) for p in breakpoints]
    theta, value = _maximise(_design(s, psi), codes, categories.size, w, None)
    return _finish(s, codes, categories, w, psi, theta, value, estimated=False)


def fit_ordinal_threshold(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    breakpoints: int,
    *,
    weights: ArrayLike | None = None,
    min_segment: int | None = None,
    grid_points: int = 25,
) -> OrdinalThresholdFit:
    """Ordered logit with K = 0, 1 or 2 hinge breakpoints in satisfaction, ψ by profile likelihood.

    Candidates: `grid_points` quantiles of satisfaction (distinct values), every admissible single value
    or pair (each segment at least `min_segment` respondents, default 5 % and at least 10); each is a
    full maximum-likelihood fit warm-started from the previous one. The best candidate is then refined
    by Nelder–Mead on the profile log-likelihood. AIC/BIC count the K breakpoints as parameters.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 300)
    >>> y = np.digitize(np.minimum(s, 5) + 1.5 * np.sin(7 * s), [2.5, 3.5, 4.5])
    >>> round(fit_ordinal_threshold(s, y, 1).breakpoints[0])
    5
    """
    from scipy import optimize

    if breakpoints not in (0, 1, 2):
        raise ValueError(f"breakpoints must be 0, 1 or 2; got {breakpoints!r}.")
    s, y, w = complete_cases(satisfaction, loyalty, weights)
    codes, categories = _ordinal(y)
    levels = categories.size
    need = default_min_segment(s.size) if min_segment is None else max(int(min_segment), 1)
    if breakpoints == 0:
        theta, value = _maximise(_design(s, []), codes, levels, w, None)
        return _finish(s, codes, categories, w, [], theta, value, estimated=False)
    ordered = np.sort(s)
    distinct = np.unique(s)
    candidates: FloatArray = (
        np.unique(np.quantile(distinct[1:-1], np.linspace(0, 1, grid_points))) if distinct.size > 3 else np.zeros(0)
    )

    def admissible(psi: Sequence[float]) -> bool:
        cuts = np.searchsorted(ordered, psi, side="left")
        return bool(np.all(np.diff(np.concatenate(([0], cuts, [s.size]))) >= need)) and bool(np.all(np.diff(psi) > 0))

    pairs: list[list[float]]
    if breakpoints == 1:
        pairs = [[float(c)] for c in candidates]
    else:
        pairs = [[float(a), float(b)] for a in candidates for b in candidates if a < b]
    pairs = [psi for psi in pairs if admissible(psi)]
    if not pairs:
        raise ValueError(
            f"no position of {breakpoints} breakpoint(s) leaves {need} respondents in every segment "
            f"(n = {s.size}, {distinct.size} distinct satisfaction values)."
        )
    theta, value = _maximise(_design(s, pairs[0]), codes, levels, w, None)
    best: tuple[float, list[float], FloatArray] = (value, pairs[0], theta)
    for psi in pairs[1:]:
        theta, value = _maximise(_design(s, psi), codes, levels, w, theta)
        if value < best[0]:
            best = (value, psi, theta)

    def profile(psi: FloatArray) -> float:
        if not admissible(list(psi)) or psi.min() <= distinct[0] or psi.max() >= distinct[-1]:
            return math.inf
        return _maximise(_design(s, list(psi)), codes, levels, w, best[2])[1]

    refined = optimize.minimize(
        profile,
        np.array(best[1]),
        method="Nelder-Mead",
        options={"xatol": 1e-4, "fatol": 1e-8, "maxiter": 200},
    )
    psi = [float(v) for v in refined.x] if refined.fun < best[0] else best[1]
    theta, value = _maximise(_design(s, psi), codes, levels, w, best[2])
    return _finish(s, codes, categories, w, psi, theta, value, estimated=True)


@dataclass(frozen=True, slots=True)
class LevelModel:
    """Loyalty on one dummy per satisfaction level (few-level satisfaction)."""

    levels: tuple[float, ...]
    counts: tuple[int, ...]
    means: tuple[float, ...]  # (weighted) mean loyalty per level
    mean_se: tuple[float, ...]
    increments: tuple[float, ...]  # mean(level l+1) − mean(level l)
    increment_se: tuple[float, ...]
    increment_p: tuple[float, ...]  # two-sided t test, df = n − number of levels
    runs: tuple[tuple[float, ...], ...]  # adjacent levels joined where the increment is not significant
    df_residual: int
    alpha: float

    def as_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        result = {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}
        result["runs"] = [list(run) for run in self.runs]
        return result


def level_model(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    alpha: float = 0.05,
    max_levels: int = 7,
) -> LevelModel:
    """Dummy-coded satisfaction: mean loyalty per level, the increments between adjacent levels, and the
    runs of levels whose increments are not significant (METHODS.md §1.8, the robust fallback for
    satisfaction with at most 5–7 levels; §12 for a single 5-point item).

    Least squares on one dummy per level (equivalently the level means), pooled σ̂² = SSE/(n − L);
    SE of an increment σ̂·√(1/n_l + 1/n_(l+1)) (weighted: from (X'WX)⁻¹); two-sided t tests on n − L df.

    Examples
    --------
    >>> model = level_model([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], [1, 1.2, 1.1, 0.9, 1.0, 1.2, 3, 3.2, 5, 5.1])
    >>> model.runs
    ((1.0, 2.0, 3.0), (4.0,), (5.0,))
    """
    from scipy import stats

    s, y, w = complete_cases(satisfaction, loyalty, weights)
    values = np.unique(s)
    if values.size > max_levels:
        raise ValueError(
            f"satisfaction has {values.size} distinct values; the level model is for at most {max_levels}. "
            "Use the hinge model."
        )
    index = np.searchsorted(values, s)
    weight_sums = np.bincount(index, weights=w, minlength=values.size)
    means = np.bincount(index, weights=w * y, minlength=values.size) / weight_sums
    counts = np.bincount(index, minlength=values.size)
    df = s.size - values.size
    if df <= 0:
        raise ValueError(f"too few respondents ({s.size}) for {values.size} satisfaction levels.")
    sse = float((w * (y - means[index]) ** 2).sum())
    sigma2 = sse / df
    # with weights, Var(mean_l) = σ²/Σ_l w (weights as analytic weights, as lm(weights=))
    mean_se = np.sqrt(sigma2 / weight_sums)
    increments = np.diff(means)
    increment_se = np.sqrt(mean_se[1:] ** 2 + mean_se[:-1] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_values = 2 * stats.t.sf(np.abs(increments / increment_se), df)
    runs: list[list[float]] = [[float(values[0])]]
    for level, p_value in zip(values[1:], p_values, strict=True):
        if p_value < alpha:
            runs.append([float(level)])
        else:
            runs[-1].append(float(level))
    return LevelModel(
        levels=tuple(float(v) for v in values),
        counts=tuple(int(c) for c in counts),
        means=tuple(float(v) for v in means),
        mean_se=tuple(float(v) for v in mean_se),
        increments=tuple(float(v) for v in increments),
        increment_se=tuple(float(v) for v in increment_se),
        increment_p=tuple(float(v) for v in p_values),
        runs=tuple(tuple(run) for run in runs),
        df_residual=df,
        alpha=alpha,
    )
