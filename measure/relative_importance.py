"""Derived importance of attributes for an outcome (overall satisfaction or loyalty): Pearson r, standardised
β, Pratt's measure, Shapley/LMG R² decomposition and Johnson's relative weights, with bootstrap intervals.

Everything is computed from the correlation matrix, so the decompositions do not depend on the scales of the
ratings; with `weights` the correlations are weighted (METHODS §6).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

MAX_EXACT_ATTRIBUTES = 15


@dataclass(frozen=True, slots=True)
class AttributeImportance:
    """Importance of one attribute by every derived measure; shares are percentages of R²."""

    attribute: str
    correlation: float  # Pearson r with the outcome
    beta: float  # standardised regression coefficient
    pratt: float  # β_j · r_j
    lmg: float  # Shapley value of R²
    lmg_share: float  # 100 · lmg / R²
    relative_weight: float  # Johnson's ε_j
    relative_weight_share: float  # 100 · ε_j / R²
    rank: int  # 1 = most important, by relative weight
    lmg_ci_low: float | None  # bootstrap percentile interval, None without bootstrap
    lmg_ci_high: float | None
    relative_weight_ci_low: float | None
    relative_weight_ci_high: float | None
    rank_ci_low: int | None
    rank_ci_high: int | None


@dataclass(frozen=True, slots=True)
class DerivedImportance:
    """Derived importance of several attributes for one outcome."""

    attributes: tuple[AttributeImportance, ...]
    r_squared: float
    n: int  # respondents used (complete cases)
    lmg_method: str  # "exact" (all 2^p subsets) or "permutations" (Monte-Carlo orderings)
    lmg_permutations: int | None  # orderings sampled when lmg_method is "permutations"
    n_bootstrap: int
    confidence: float
    seed: int | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ImportanceFromCorrelations:
    """The R² decompositions computed from a correlation matrix alone (no data, no intervals)."""

    r_squared: float
    beta: tuple[float, ...]
    pratt: tuple[float, ...]
    lmg: tuple[float, ...]
    relative_weights: tuple[float, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)


def relative_weights(correlations: npt.ArrayLike, outcome_correlations: npt.ArrayLike) -> FloatArray:
    """Johnson's relative weights ε_j of the attributes, which sum to R².

    With R_xx = QΛQ', the symmetric square root Λ^{½} := QΛ^{½}Q' relates the attributes to their closest
    orthogonal counterparts; β* = (Λ^{½})⁻¹ r_xy; ε_j = Σ_k (Λ^{½})_jk² β*_k². O(p³), and close to LMG.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor variables in
    multiple regression. Multivariate Behavioral Research 35(1), 1–19.

    Checked against the relative weights of the METHODS §6 test vector.

    Examples
    --------
    >>> weights = relative_weights([[1.0, 0.5], [0.5, 1.0]], [0.6, 0.4])
    >>> [round(float(w), 6) for w in weights], round(float(weights.sum()), 6)  # R² = .28/.75
    ([0.286667, 0.086667], 0.373333)
    """
    matrix, vector = _correlation_input(correlations, outcome_correlations)
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    root = eigenvectors @ np.diag(np.sqrt(eigenvalues)) @ eigenvectors.T
    beta_star = np.linalg.solve(root, vector)
    result: FloatArray = (root**2) @ (beta_star**2)
    return result


def lmg_shapley(
    correlations: npt.ArrayLike,
    outcome_correlations: npt.ArrayLike,
    *,
    n_permutations: int = 5000,
    seed: int | None = None,
    max_exact: int = MAX_EXACT_ATTRIBUTES,
) -> FloatArray:
    """Shapley (LMG) decomposition of R²: each attribute's average R² increment over all orderings.

    φ_j = Σ_{S ⊆ P∖{j}} |S|!(p−|S|−1)!/p! · [R²(S ∪ {j}) − R²(S)], with R²(S) = r_S' R_SS⁻¹ r_S from the
    correlation matrix; Σ φ_j = R². Exact over all 2^p subsets for p ≤ `max_exact` (15); above, the mean
    increment over `n_permutations` random orderings drawn with `seed` (then Σ φ_j = R² still holds exactly,
    each ordering's increments summing to R²).

    References
    ----------
    Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980). Introduction to Bivariate and Multivariate
    Analysis. Scott, Foresman. Lipovetsky, S. & Conklin, M. (2001). ASMBI 17, 319–330.
    Grömping, U. (2006). relaimpo. Journal of Statistical Software 17(1).

    Checked against the METHODS §6 test vector (LMG as R `relaimpo::calc.relimp(type="lmg")` defines it;
    relaimpo itself is not among the reference software, so no relaimpo run backs the vector here).

    Examples
    --------
    >>> shares = lmg_shapley([[1.0, 0.5], [0.5, 1.0]], [0.6, 0.4])
    >>> [round(float(v), 6) for v in shares]  # ½[r₁² + (R² − r₂²)], ½[r₂² + (R² − r₁²)]
    [0.286667, 0.086667]
    """
    matrix, vector = _correlation_input(correlations, outcome_correlations)
    p = vector.size
    if p <= max_exact:
        return _lmg_exact(matrix, vector)
    if n_permutations < 1:
        raise ValueError(f"n_permutations: must be at least 1; got {n_permutations}.")
    return _lmg_permutations(matrix, vector, n_permutations, np.random.default_rng(seed))


def importance_from_correlations(
    correlations: npt.ArrayLike,
    outcome_correlations: npt.ArrayLike,
    *,
    n_permutations: int = 5000,
    seed: int | None = None,
) -> ImportanceFromCorrelations:
    """R², standardised β = R_xx⁻¹ r_xy, Pratt β_j r_j, LMG and relative weights from correlations alone.

    Useful when only a published correlation matrix is at hand; `derived_importance` does the same from
    respondent data and adds bootstrap intervals.

    Examples
    --------
    >>> result = importance_from_correlations([[1.0, 0.5], [0.5, 1.0]], [0.6, 0.4])
    >>> round(result.r_squared, 6), [round(b, 6) for b in result.beta]
    (0.373333, [0.533333, 0.133333])
    """
    matrix, vector = _correlation_input(correlations, outcome_correlations)
    beta = np.linalg.solve(matrix, vector)
    return ImportanceFromCorrelations(
        r_squared=float(beta @ vector),
        beta=tuple(float(b) for b in beta),
        pratt=tuple(float(b * r) for b, r in zip(beta, vector, strict=True)),
        lmg=tuple(float(v) for v in lmg_shapley(matrix, vector, n_permutations=n_permutations, seed=seed)),
        relative_weights=tuple(float(v) for v in relative_weights(matrix, vector)),
    )


def derived_importance(
    outcome: npt.ArrayLike,
    attributes: pd.DataFrame,
    *,
    weights: npt.ArrayLike | None = None,
    n_bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int | None = None,
    n_permutations: int = 5000,
) -> DerivedImportance:
    """Derived importance of each attribute column for the outcome: r, β, Pratt, LMG and relative weights.

    Correlations (weighted when `weights` are given) from the complete cases (listwise deletion). LMG is
    exact up to 15 attributes and estimated from `n_permutations` random orderings above (see
    `lmg_shapley`). With `n_bootstrap` > 0, respondents are resampled with replacement (weights travel with
    their respondent) and percentile intervals at `confidence` are reported for LMG, the relative weights
    and the rank by relative weight; `seed` makes the resampling repeatable and is reported.

    References
    ----------
    Johnson, J. W. (2000). Multivariate Behavioral Research 35(1), 1–19. Grömping, U. (2006). JSS 17(1).
    Pratt, J. W. (1987). Dividing the indivisible. In Foundations of Statistical Inference, 245–260.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> ratings = pd.DataFrame(rng.normal(size=(200, 3)), columns=["staff", "price", "speed"])
    >>> overall = 0.6 * ratings["staff"] + 0.3 * ratings["speed"] + rng.normal(size=200)
    >>> result = derived_importance(overall, ratings)
    >>> [a.attribute for a in sorted(result.attributes, key=lambda a: a.rank)]
    ['staff', 'speed', 'price']
    >>> round(sum(a.lmg for a in result.attributes) - result.r_squared, 12)
    0.0
    """
    names = [str(column) for column in attributes.columns]
    if len(names) < 2:
        raise ValueError(f"attributes: need at least 2 attribute columns; got {names}.")
    table = attributes.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    y = np.asarray(outcome, dtype=float)
    if y.shape != (table.shape[0],):
        raise ValueError(f"outcome: {y.size} values for {table.shape[0]} rows of attributes.")
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != y.shape or np.any(~np.isfinite(w) | (w <= 0)):
        raise ValueError("weights: need one positive weight per respondent.")
    complete = ~np.isnan(y) & ~np.isnan(table).any(axis=1)
    data = np.column_stack([table[complete], y[complete]])
    w = w[complete]
    n = data.shape[0]
    if n <= len(names) + 1:
        raise ValueError(f"attributes: {n} complete responses are too few for {len(names)} attributes.")
    constant = [name for name, column in zip(names, data[:, :-1].T, strict=True) if np.ptp(column) == 0]
    if constant or np.ptp(data[:, -1]) == 0:
        raise ValueError(f"attributes: no variation in {constant or ['outcome']}; drop them.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: must be between 0 and 1; got {confidence}.")

    p = len(names)
    lmg_method = "exact" if p <= MAX_EXACT_ATTRIBUTES else "permutations"
    point = _decompose(data, w, n_permutations, seed)
    _check_not_singular(point.matrix, names)
    intervals = _bootstrap(data, w, n_bootstrap, confidence, seed, n_permutations) if n_bootstrap > 0 else None
    ranks = _ranks(point.relative_weights)
    r_squared = point.r_squared
    attributes_out = []
    for j, name in enumerate(names):
        attributes_out.append(
            AttributeImportance(
                attribute=name,
                correlation=float(point.vector[j]),
                beta=float(point.beta[j]),
                pratt=float(point.beta[j] * point.vector[j]),
                lmg=float(point.lmg[j]),
                lmg_share=100.0 * float(point.lmg[j]) / r_squared,
                relative_weight=float(point.relative_weights[j]),
                relative_weight_share=100.0 * float(point.relative_weights[j]) / r_squared,
                rank=int(ranks[j]),
                lmg_ci_low=None if intervals is None else float(intervals[0][0, j]),
                lmg_ci_high=None if intervals is None else float(intervals[0][1, j]),
                relative_weight_ci_low=None if intervals is None else float(intervals[1][0, j]),
                relative_weight_ci_high=None if intervals is None else float(intervals[1][1, j]),
                rank_ci_low=None if intervals is None else int(intervals[2][0, j]),
                rank_ci_high=None if intervals is None else int(intervals[2][1, j]),
            )
        )
    return DerivedImportance(
        attributes=tuple(attributes_out),
        r_squared=r_squared,
        n=n,
        lmg_method=lmg_method,
        lmg_permutations=None if lmg_method == "exact" else n_permutations,
        n_bootstrap=n_bootstrap,
        confidence=confidence,
        seed=seed,
    )


# ---- internals ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Decomposition:
    matrix: FloatArray
    vector: FloatArray
    beta: FloatArray
    r_squared: float
    lmg: FloatArray
    relative_weights: FloatArray


def _correlation_input(
    correlations: npt.ArrayLike, outcome_correlations: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    matrix = np.asarray(correlations, dtype=float)
    vector = np.asarray(outcome_correlations, dtype=float)
    p = vector.size
    if vector.ndim != 1 or matrix.shape != (p, p):
        raise ValueError(f"correlations: need a {p}×{p} matrix for {p} outcome correlations; got shape {matrix.shape}.")
    if not np.allclose(matrix, matrix.T) or not np.allclose(np.diag(matrix), 1.0):
        raise ValueError("correlations: must be symmetric with ones on the diagonal.")
    eigenvalues = np.linalg.eigvalsh(matrix)
    if eigenvalues.min() <= 1e-10 * max(1.0, eigenvalues.max()):
        raise ValueError(
            f"correlations: the attributes are linearly dependent (smallest eigenvalue {eigenvalues.min():.3g})."
        )
    return matrix, vector


def _check_not_singular(matrix: FloatArray, names: Sequence[str]) -> None:
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    if eigenvalues.min() <= 1e-10 * max(1.0, eigenvalues.max()):
        involved = [names[int(j)] for j in np.flatnonzero(np.abs(eigenvectors[:, 0]) > 0.1)]
        raise ValueError(f"attributes: {involved} are linearly dependent; drop one of them.")


def _weighted_correlations(data: FloatArray, weights: FloatArray) -> FloatArray:
    mean = weights @ data / weights.sum()
    centred = data - mean
    covariance = (centred * weights[:, None]).T @ centred
    scale = np.sqrt(np.diag(covariance))
    result: FloatArray = covariance / np.outer(scale, scale)
    return result


def _r_squared_of_subsets(matrix: FloatArray, vector: FloatArray, subsets: Sequence[tuple[int, ...]]) -> FloatArray:
    """R²(S) for many subsets of one size, solved as one batch."""
    index = np.array(subsets, dtype=np.intp)
    blocks = matrix[index[:, :, None], index[:, None, :]]
    right = vector[index]
    solved = np.linalg.solve(blocks, right[:, :, None])[:, :, 0]
    result: FloatArray = np.sum(solved * right, axis=1)
    return result


def _lmg_exact(matrix: FloatArray, vector: FloatArray) -> FloatArray:
    p = vector.size
    r_squared = np.zeros(1 << p)
    for size in range(1, p + 1):
        subsets = list(itertools.combinations(range(p), size))
        masks = np.array([sum(1 << j for j in subset) for subset in subsets])
        r_squared[masks] = _r_squared_of_subsets(matrix, vector, subsets)
    sizes = np.array([bin(mask).count("1") for mask in range(1 << p)])
    factorial = math.factorial
    order_weight = np.array([factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)])
    shapley = np.zeros(p)
    masks = np.arange(1 << p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gains = r_squared[without | (1 << j)] - r_squared[without]
        shapley[j] = float(np.sum(order_weight[sizes[without]] * gains))
    return shapley


def _lmg_permutations(
    matrix: FloatArray, vector: FloatArray, n_permutations: int, rng: np.random.Generator
) -> FloatArray:
    p = vector.size
    cache: dict[int, float] = {0: 0.0}

    def r_squared(mask: int) -> float:
        if mask not in cache:
            index = [j for j in range(p) if mask >> j & 1]
            sub = matrix[np.ix_(index, index)]
            cache[mask] = float(vector[index] @ np.linalg.solve(sub, vector[index]))
        return cache[mask]

    totals = np.zeros(p)
    for _ in range(n_permutations):
        mask = 0
        previous = 0.0
        for j in rng.permutation(p):
            mask |= 1 << int(j)
            current = r_squared(mask)
            totals[j] += current - previous
            previous = current
    result: FloatArray = totals / n_permutations
    return result


def _decompose(data: FloatArray, weights: FloatArray, n_permutations: int, seed: int | None) -> _Decomposition:
    correlations = _weighted_correlations(data, weights)
    matrix = correlations[:-1, :-1]
    vector = correlations[:-1, -1]
    eigenvalues = np.linalg.eigvalsh(matrix)
    if eigenvalues.min() <= 1e-10 * max(1.0, eigenvalues.max()):
        nan = np.full(vector.size, np.nan)
        return _Decomposition(matrix, vector, nan, math.nan, nan, nan)
    beta = np.asarray(np.linalg.solve(matrix, vector), dtype=np.float64)
    p = vector.size
    if p <= MAX_EXACT_ATTRIBUTES:
        lmg = _lmg_exact(matrix, vector)
    else:
        lmg = _lmg_permutations(matrix, vector, n_permutations, np.random.default_rng(seed))
    return _Decomposition(matrix, vector, beta, float(beta @ vector), lmg, relative_weights(matrix, vector))


def _ranks(values: FloatArray) -> npt.NDArray[np.intp]:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(values.size, dtype=np.intp)
    ranks[order] = np.arange(1, values.size + 1)
    return ranks


def _bootstrap(
    data: FloatArray,
    weights: FloatArray,
    n_bootstrap: int,
    confidence: float,
    seed: int | None,
    n_permutations: int,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    n, p = data.shape[0], data.shape[1] - 1
    lmg = np.empty((n_bootstrap, p))
    weights_rw = np.empty((n_bootstrap, p))
    ranks = np.empty((n_bootstrap, p))
    permutation_seeds = rng.integers(0, 2**32, size=n_bootstrap)
    for b in range(n_bootstrap):
        rows = rng.integers(0, n, size=n)
        sample = data[rows]
        if np.any(np.ptp(sample, axis=0) == 0):
            lmg[b] = weights_rw[b] = ranks[b] = np.nan
            continue
        result = _decompose(sample, weights[rows], n_permutations, int(permutation_seeds[b]))
        lmg[b] = result.lmg
        weights_rw[b] = result.relative_weights
        ranks[b] = _ranks(result.relative_weights) if np.all(np.isfinite(result.relative_weights)) else np.nan
    alpha = (1 - confidence) / 2
    quantiles = [alpha, 1 - alpha]
    return (
        np.nanquantile(lmg, quantiles, axis=0),
        np.nanquantile(weights_rw, quantiles, axis=0),
        np.vstack(
            [
                np.nanquantile(ranks, alpha, axis=0, method="lower"),
                np.nanquantile(ranks, 1 - alpha, axis=0, method="higher"),
            ]
        ),
    )
