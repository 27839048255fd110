"""Is there a (further) threshold? Davies' test and the pseudo-score test, as R `segmented` computes them.

Under "no breakpoint" the breakpoint is not identified, so the usual tests do not apply (METHODS.md
§1.5). Both tests here follow `segmented` 1.6-2 line by line, including its choice of evaluation
points, so the p-values agree with R's; `given_breakpoints` tests for one breakpoint more than a fitted
model has (R: the test applied to a `segmented` fit, `more.break = TRUE` for the score test).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from measure.threshold import complete_cases

FloatArray = NDArray[np.float64]

__all__ = ["DaviesTest", "PseudoScoreTest", "davies_test", "pseudo_score_test"]


@dataclass(frozen=True, slots=True)
class DaviesTest:
    """Davies' test for a change in slope (H0: no further breakpoint)."""

    p_value: float  # upper bound, capped at 1
    best_breakpoint: float  # the evaluation point with the largest |statistic| ("'best' at" in R)
    statistic: float  # M = max |t_k|
    evaluation_points: tuple[float, ...]
    statistics: tuple[float, ...]  # t_k (n ≤ 300) or Wald z_k (n > 300) at each point
    distribution: str  # "t" (n ≤ 300, σ unknown) or "normal" (n > 300)
    df: int
    given_breakpoints: tuple[float, ...]

    def as_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class PseudoScoreTest:
    """Muggeo's pseudo-score test for a change in slope (H0: no further breakpoint)."""

    statistic: float
    p_value: float  # two-sided, t distribution on df
    df: int
    given_breakpoints: tuple[float, ...]

    def as_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def _null_design(s: FloatArray, given: Sequence[float]) -> FloatArray:
    return np.column_stack([np.ones_like(s), s, *[np.maximum(s - p, 0.0) for p in given]])


def _wls(design: FloatArray, y: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Coefficients, (X'WX)⁻¹ and residuals of a weighted least-squares fit."""
    gram_inverse: FloatArray = np.linalg.inv(design.T @ (design * w[:, None])).astype(float)
    coefficients = gram_inverse @ (design.T @ (w * y))
    return coefficients, gram_inverse, y - design @ coefficients


def davies_test(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    *,
    given_breakpoints: Sequence[float] = (),
    points: int = 10,
    weights: ArrayLike | None = None,
) -> DaviesTest:
    """Davies' (1987, 2002) test for a change in slope, exactly as `segmented::davies.test` for `lm`.

    Evaluation points ψ_k = seq(sort(S)[2], sort(S)[n−1], length = `points`). At each, fit
    y ~ [(S − ψ_k)₊, X0] with X0 = [1, S, (S − ψ̂_j)₊ for the given breakpoints].
    n ≤ 300 (R's `daviesLM`, σ unknown): t_k = δ̂/(σ̂√[(X'X)⁻¹]₁₁), σ̂² = RSS_k/ν, ν = n − ncol(X0) − 1;
    β_k = Z_k²/(Z_k² + RSS_k), Z_k = δ̂/√[(X'X)⁻¹]₁₁; V = Σ|asin√β_k − asin√β_(k−1)|, M = max|t_k|,
    u = M²/(ν + M²), p = 2·[P(t_ν > M) + V(1−u)^((ν−1)/2)Γ(ν/2+½)/(2Γ(ν/2)√π)].
    n > 300 (R's `daviesGLM`, Gaussian, Wald): z_k = δ̂/√(φ̂[(X'WX)⁻¹]₁₁), V = Σ|z_k − z_(k−1)|,
    p = 2·[Φ(−M) + V·exp(−M²/2)/√(8π)]. The p-value is an upper bound, capped at 1; two-sided.
    Missing values: complete cases. Weights as `lm(weights=)`.

    References
    ----------
    Davies, R. B. (1987). Hypothesis testing when a nuisance parameter is present only under the
    alternative. Biometrika 74, 33–43. Davies, R. B. (2002). Biometrika 89, 484–489.

    Checked against R `segmented::davies.test` 1.6-2 (k = 10).

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 100)
    >>> result = davies_test(s, np.minimum(s, 4) + 0.3 * np.sin(11 * s))
    >>> result.p_value < 1e-6, result.distribution
    (True, 't')
    """
    s, y, w = complete_cases(satisfaction, loyalty, weights)
    given = tuple(float(p) for p in given_breakpoints)
    n = s.size
    if points < 2:
        raise ValueError(f"points must be at least 2; got {points}.")
    if n < 5 + len(given):
        raise ValueError(f"too few respondents ({n}) for a test of a change in slope.")
    ordered = np.sort(s)
    values = np.linspace(ordered[1], ordered[n - 2], points)
    null = _null_design(s, given)
    df = n - null.shape[1] - 1
    statistics = np.full(points, np.nan)
    betas = np.full(points, np.nan)
    for index, psi in enumerate(values):
        design = np.column_stack([np.maximum(s - psi, 0.0), null])
        try:
            coefficients, gram_inverse, residuals = _wls(design, y, w)
        except np.linalg.LinAlgError:
            continue
        rss = float((w * residuals**2).sum())
        if gram_inverse[0, 0] <= 0 or not np.isfinite(gram_inverse[0, 0]):
            continue
        z = coefficients[0] / math.sqrt(gram_inverse[0, 0])
        statistics[index] = z / math.sqrt(rss / df)
        betas[index] = z * z / (z * z + rss)
    ok = ~np.isnan(statistics)
    valid_values, valid = values[ok], statistics[ok]
    if valid.size == 0:
        raise ValueError("satisfaction has too few distinct values for Davies' test.")
    best = int(np.argmax(np.abs(valid)))
    m = float(abs(valid[best]))
    from scipy import special, stats

    if n <= 300:
        variation = float(np.abs(np.diff(np.arcsin(np.sqrt(betas[ok])))).sum())
        u = m * m / (df + m * m)
        log_factor = special.gammaln(df / 2 + 0.5) - special.gammaln(df / 2)
        approximation = variation * (1 - u) ** ((df - 1) / 2) * math.exp(log_factor) / (2 * math.sqrt(math.pi))
        p_value = 2 * (float(stats.t.sf(m, df)) + approximation)
        distribution = "t"
        statistics_out = valid
    else:
        # daviesGLM: Wald z with the dispersion of each alternative fit (residual df n − rank)
        wald = np.full(points, np.nan)
        for index, psi in enumerate(values):
            design = np.column_stack([np.maximum(s - psi, 0.0), null])
            try:
                coefficients, gram_inverse, residuals = _wls(design, y, w)
            except np.linalg.LinAlgError:
                continue
            dispersion = max(float((w * residuals**2).sum()) / (n - design.shape[1]), 1e-10)
            variance = dispersion * gram_inverse[0, 0]
            if not (variance > 0 and math.isfinite(variance)):
                continue  # a near-singular alternative (ψ at the edge of the data): no Wald statistic there
            wald[index] = coefficients[0] / math.sqrt(variance)
        ok = ~np.isnan(wald)
        valid_values, statistics_out = values[ok], wald[ok]
        best = int(np.argmax(np.abs(statistics_out)))
        m = float(abs(statistics_out[best]))
        variation = float(np.abs(np.diff(statistics_out)).sum())
        p_value = 2 * (float(stats.norm.sf(m)) + variation * math.exp(-m * m / 2) / math.sqrt(8 * math.pi))
        distribution = "normal"
    return DaviesTest(
        p_value=min(p_value, 1.0),
        best_breakpoint=float(valid_values[best]),
        statistic=m,
        evaluation_points=tuple(float(v) for v in valid_values),
        statistics=tuple(float(v) for v in statistics_out),
        distribution=distribution,
        df=df,
        given_breakpoints=given,
    )


def pseudo_score_test(
    satisfaction: ArrayLike,
    loyalty: ArrayLike,
    *,
    given_breakpoints: Sequence[float] = (),
    points: int = 10,
    weights: ArrayLike | None = None,
) -> PseudoScoreTest:
    """Muggeo's (2016) pseudo-score test for a change in slope, as `segmented::pscore.test` for `lm`.

    Averaged hinge z̄_i = K⁻¹ Σ_k (S_i − ψ_k)₊ over ψ_k = seq(min S, max S, length = K = `points`);
    with the null design X0 = [1, S, (S − ψ̂_j)₊ for the given breakpoints] and its (weighted) hat
    matrix H: T = z̄'W(I−H)y / (σ̂₀ √(z̄'W(I−H)z̄)), p = 2·P(t_ν > |T|). Without given breakpoints σ̂₀
    and ν are those of the linear fit (ν = n − 2); with K given breakpoints (R: `more.break = TRUE` on
    a segmented fit) those of the segmented fit, σ̂₀² = SSE/(n − 2 − 2K), ν = n − 2 − 2K.
    Missing values: complete cases. With weights the variance is z̄'W(I−H)z̄, the weighted-least-squares
    form; `pscore.test` 1.6-2 computes z̄'W^½(I−H)Wz̄ there, which we do not copy (equal for unit
    weights, where the R check applies).

    References
    ----------
    Muggeo, V. M. R. (2016). Testing with a nuisance parameter present only under the alternative: a
    score-based approach with application to segmented modelling. J. Statist. Comput. Simul. 86,
    3059–3067.

    Checked against R `segmented::pscore.test` 1.6-2 (k = 10).

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 100)
    >>> result = pseudo_score_test(s, np.minimum(s, 4) + 0.3 * np.sin(11 * s))
    >>> result.p_value < 1e-6
    True
    """
    from scipy import stats

    s, y, w = complete_cases(satisfaction, loyalty, weights)
    given = tuple(float(p) for p in given_breakpoints)
    n = s.size
    if points < 2:
        raise ValueError(f"points must be at least 2; got {points}.")
    if n < 5 + 2 * len(given):
        raise ValueError(f"too few respondents ({n}) for a test of a change in slope.")
    values = np.linspace(s.min(), s.max(), points)
    averaged = np.maximum(s[:, None] - values[None, :], 0.0).mean(axis=1)
    null = _null_design(s, given)
    _, _, residuals = _wls(null, y, w)
    _, _, hinge_residuals = _wls(null, averaged, w)
    if given:
        df = n - 2 - 2 * len(given)
        sse = float((w * residuals**2).sum())
    else:
        df = n - null.shape[1]
        sse = float((w * residuals**2).sum())
    sigma = math.sqrt(sse / df)
    score = float((w * averaged * residuals).sum())
    variance = float((w * averaged * hinge_residuals).sum())
    statistic = score / (sigma * math.sqrt(variance))
    return PseudoScoreTest(
        statistic=statistic,
        p_value=float(2 * stats.t.sf(abs(statistic), df)),
        df=df,
        given_breakpoints=given,
    )
