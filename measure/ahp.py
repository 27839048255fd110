"""Analytic hierarchy process (AHP): priority weights and consistency from pairwise comparisons.

An expert compares the criteria two at a time on Saaty's 1–9 scale: ``a_ij`` says how much more
important criterion i is than criterion j, and ``a_ji = 1 / a_ij``. The weights are the principal right
eigenvector of that matrix; its eigenvalue λmax measures how far the judgments are from perfectly
consistent (λmax = n exactly when every ``a_ik = a_ij · a_jk``).

Three ways to the weights are offered, because Chinese textbooks teach the two approximations:

* ``"eigenvector"`` — the principal eigenvector (Saaty 1977), the default and the reference;
* ``"sum_product"`` — 和积法: normalise each column to sum 1, average each row;
* ``"geometric_mean"`` — 方根法: geometric mean of each row, normalised to sum 1.

For the two approximations λmax is estimated as (1/n) Σ_i (A w)_i / w_i.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

AhpMethod = Literal["eigenvector", "sum_product", "geometric_mean"]
RandomIndexTable = Literal["saaty1980", "saaty2005", "donegan_dodd1991"]

#: Random consistency indices RI(n): the mean CI of random reciprocal matrices of order n.
RANDOM_INDEX: dict[str, dict[int, float]] = {
    # Saaty (1980) The Analytic Hierarchy Process, McGraw-Hill: n = 1 … 10.
    "saaty1980": dict(zip(range(1, 11), (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49), strict=True)),
    # Saaty (2005) as tabulated by the Python package ahpy ('saaty'): n = 3 … 15.
    "saaty2005": {
        1: 0.0,
        2: 0.0,
        **dict(
            zip(
                range(3, 16),
                (0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59),
                strict=True,
            )
        ),
    },
    # Donegan & Dodd (1991) Mathl Comput Modelling 15(10):135–137, ahpy's default ('dd'): n = 3 … 10.
    "donegan_dodd1991": {
        1: 0.0,
        2: 0.0,
        **dict(
            zip(
                range(3, 11),
                (0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055),
                strict=True,
            )
        ),
    },
}

#: Saaty's limit: a consistency ratio above it means the judgments should be revisited.
CONSISTENCY_LIMIT = 0.10

_RECIPROCAL_TOLERANCE = 0.02  # 0.33 · 3 = 0.99 passes for 1/3; 0.5 · 3 does not


@dataclass(frozen=True, slots=True)
class AhpWeights:
    """Priority weights of n criteria from one pairwise-comparison matrix, with its consistency."""

    weights: tuple[float, ...]  # sum to 1, in the order of the matrix rows
    lambda_max: float  # principal eigenvalue (or its approximation)
    consistency_index: float  # CI = (λmax − n) / (n − 1)
    consistency_ratio: float  # CR = CI / RI(n); 0 when n ≤ 2
    random_index: float  # RI(n) from `random_index_table`
    random_index_table: str
    method: str  # eigenvector, sum_product (和积法) or geometric_mean (方根法)
    warning: str  # empty unless an inconsistent matrix (CR > limit) was accepted on request

    def as_dict(self) -> dict[str, object]:
        """The result as plain JSON-ready values."""
        return {
            "weights": list(self.weights),
            "lambda_max": self.lambda_max,
            "consistency_index": self.consistency_index,
            "consistency_ratio": self.consistency_ratio,
            "random_index": self.random_index,
            "random_index_table": self.random_index_table,
            "method": self.method,
            "warning": self.warning,
        }


def pairwise_matrix(matrix: ArrayLike) -> NDArray[np.float64]:
    """Check a pairwise-comparison matrix and return it as floats.

    A valid matrix is square, has only positive finite entries, ones on the diagonal and is reciprocal:
    ``a_ji · a_ij = 1`` (to 2 %, so 0.33 stands for 1/3; write fractions as 1/3 to be exact).

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Judgments row by row; ``matrix[i][j]`` is the importance of criterion i over criterion j.

    Returns
    -------
    numpy.ndarray
        The matrix as a float array.

    Raises
    ------
    ValueError
        Naming every offending entry by its 1-based row and column.

    Examples
    --------
    >>> pairwise_matrix([[1, 3], [1 / 3, 1]]).shape
    (2, 2)
    >>> pairwise_matrix([[1, 3], [2, 1]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: matrix is not reciprocal: row 1, column 2 is 3 but row 2, column 1 is 2 (should be ...).
    """
    array = np.asarray(matrix, dtype=float)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] == 0:
        raise ValueError(f"matrix must be square with at least one row; it has shape {array.shape}.")
    n = array.shape[0]
    bad = [
        f"row {i + 1}, column {j + 1} is {_number(array[i, j])}"
        for i in range(n)
        for j in range(n)
        if not (math.isfinite(array[i, j]) and array[i, j] > 0)
    ]
    if bad:
        raise ValueError(
            "matrix entries must be positive numbers (Saaty's scale 1/9 … 9; a zero has no reciprocal): "
            + "; ".join(bad)
            + "."
        )
    off_diagonal = [f"row {i + 1}, column {i + 1} is {_number(array[i, i])}" for i in range(n) if array[i, i] != 1]
    if off_diagonal:
        raise ValueError("matrix diagonal must be 1 (a criterion against itself): " + "; ".join(off_diagonal) + ".")
    not_reciprocal = [
        f"row {i + 1}, column {j + 1} is {_number(array[i, j])} but row {j + 1}, column {i + 1} is "
        f"{_number(array[j, i])} (should be {_reciprocal(array[i, j])})"
        for i in range(n)
        for j in range(i + 1, n)
        if not math.isclose(array[i, j] * array[j, i], 1, rel_tol=_RECIPROCAL_TOLERANCE)
    ]
    if not_reciprocal:
        raise ValueError("matrix is not reciprocal: " + "; ".join(not_reciprocal) + ".")
    return array


def random_index(n: int, table: RandomIndexTable = "saaty1980") -> float:
    """Saaty's random consistency index RI(n) from a named table.

    Tables: ``"saaty1980"`` (Saaty 1980, n = 1 … 10: 0, 0, .58, .90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49),
    ``"saaty2005"`` (as in the Python package ahpy, n ≤ 15) and ``"donegan_dodd1991"`` (ahpy's default,
    n ≤ 10).

    Examples
    --------
    >>> random_index(6)
    1.24
    >>> random_index(7, "saaty2005")
    1.35
    """
    if table not in RANDOM_INDEX:
        raise ValueError(f"table must be one of {sorted(RANDOM_INDEX)}; got {table!r}.")
    values = RANDOM_INDEX[table]
    if n not in values:
        raise ValueError(
            f"n = {n} criteria has no random index in table {table!r} (it covers n ≤ {max(values)}); "
            "use table 'saaty2005' (n ≤ 15) or split the criteria into a hierarchy."
        )
    return values[n]


def ahp_weights(
    matrix: ArrayLike,
    *,
    method: AhpMethod = "eigenvector",
    random_index_table: RandomIndexTable = "saaty1980",
    consistency_limit: float = CONSISTENCY_LIMIT,
    accept_inconsistent: bool = False,
) -> AhpWeights:
    """Priority weights, λmax, consistency index and ratio of a pairwise-comparison matrix.

    Formula
    -------
    Eigenvector method: ``A w = λmax w`` with w the principal right eigenvector, scaled to Σw = 1.
    和积法 (``"sum_product"``): ``w_i = (1/n) Σ_j a_ij / Σ_k a_kj``. 方根法 (``"geometric_mean"``):
    ``w_i ∝ (Π_j a_ij)^(1/n)``. For both approximations ``λmax ≈ (1/n) Σ_i (A w)_i / w_i``.
    ``CI = (λmax − n)/(n − 1)``, ``CR = CI / RI(n)``; for n ≤ 2 every reciprocal matrix is consistent
    and CR is 0.

    Estimator choices
    -----------------
    The random index comes from `random_index_table` (default Saaty 1980; see `random_index`). A
    matrix with CR above `consistency_limit` (Saaty's 0.10) is refused with a ValueError unless
    ``accept_inconsistent=True``, in which case the weights are returned with a `warning`.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Positive reciprocal judgments (see `pairwise_matrix`).
    method : {"eigenvector", "sum_product", "geometric_mean"}
    random_index_table : {"saaty1980", "saaty2005", "donegan_dodd1991"}
    consistency_limit : float
        The largest acceptable consistency ratio.
    accept_inconsistent : bool
        Return weights even when CR exceeds the limit, with a warning.

    Returns
    -------
    AhpWeights

    References
    ----------
    Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. Journal of
    Mathematical Psychology 15:234–281. Saaty, T. L. (1980). The Analytic Hierarchy Process.
    Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. EJOR 48:9–26 (the
    house-buying example, reproduced in the tests: λmax 9.669, CR 0.169). Checked against the
    published values quoted in the README of the Python package AHPy (github.com/PhilipGriffith/AHPy;
    drinks example: λmax 7.1766, CR 0.022 with Saaty 2005 random indices).

    Examples
    --------
    >>> leader = [[1, 4, 3, 7], [1/4, 1, 1/3, 3], [1/3, 3, 1, 5], [1/7, 1/3, 1/5, 1]]
    >>> result = ahp_weights(leader)
    >>> [round(w, 3) for w in result.weights], round(result.lambda_max, 4), round(result.consistency_ratio, 3)
    ([0.548, 0.127, 0.27, 0.056], 4.1184, 0.044)
    >>> [round(w, 4) for w in ahp_weights(leader, method="sum_product").weights]
    [0.5396, 0.1315, 0.2715, 0.0573]
    """
    array = pairwise_matrix(matrix)
    n = array.shape[0]
    ri = random_index(n, random_index_table)
    if method == "eigenvector":
        eigenvalues, eigenvectors = np.linalg.eig(array)
        principal = int(np.argmax(eigenvalues.real))
        vector = np.abs(eigenvectors[:, principal].real)  # Perron vector: one sign throughout
        weights = vector / vector.sum()
        lambda_max = float(eigenvalues[principal].real)
    elif method in ("sum_product", "geometric_mean"):
        if method == "sum_product":
            weights = (array / array.sum(axis=0)).mean(axis=1)
        else:
            row_means = np.exp(np.log(array).mean(axis=1))
            weights = row_means / row_means.sum()
        lambda_max = float(np.mean(array @ weights / weights))
    else:
        raise ValueError(f"method must be 'eigenvector', 'sum_product' or 'geometric_mean'; got {method!r}.")
    consistency_index = (lambda_max - n) / (n - 1) if n > 1 else 0.0
    consistency_ratio = consistency_index / ri if ri > 0 else 0.0
    warning = ""
    if consistency_ratio > consistency_limit:
        message = (
            f"consistency ratio {consistency_ratio:.3f} is above {consistency_limit:.2f} "
            f"(λmax {lambda_max:.4f}, CI {consistency_index:.4f}, RI {ri} from {random_index_table})"
        )
        if not accept_inconsistent:
            raise ValueError(
                f"matrix judgments are inconsistent: {message}. Revisit the comparisons "
                "(Saaty's limit is 0.10), or accept them knowingly (accept_inconsistent=True)."
            )
        warning = f"Inconsistent judgments accepted on request: {message}."
    return AhpWeights(
        weights=tuple(float(w) for w in weights),
        lambda_max=lambda_max,
        consistency_index=float(consistency_index),
        consistency_ratio=float(consistency_ratio),
        random_index=ri,
        random_index_table=random_index_table,
        method=method,
        warning=warning,
    )


def group_judgments(matrices: Sequence[ArrayLike]) -> NDArray[np.float64]:
    """Combine several experts' pairwise matrices by the element-wise geometric mean (AIJ).

    Formula: ``a_ij = (Π_k a_ij^(k))^(1/K)``. The geometric mean of reciprocal matrices is again
    reciprocal, which the arithmetic mean is not (Aczél & Saaty 1983, J Math Psych 27:93–102;
    Forman & Peniwati 1998, EJOR 108:165–169). Feed the result to `ahp_weights`.

    Examples
    --------
    >>> group_judgments([[[1, 4], [1/4, 1]], [[1, 1], [1, 1]]]).tolist()
    [[1.0, 2.0], [0.5, 1.0]]
    """
    if len(matrices) == 0:
        raise ValueError("matrices must hold at least one expert's matrix; got none.")
    arrays = [pairwise_matrix(matrix) for matrix in matrices]
    shapes = {array.shape for array in arrays}
    if len(shapes) != 1:
        raise ValueError(f"matrices must all have the same size; got shapes {sorted(shapes)}.")
    combined: NDArray[np.float64] = np.exp(np.mean([np.log(array) for array in arrays], axis=0))
    return combined


def _number(value: float) -> str:
    return f"{value:g}"


def _reciprocal(value: float) -> str:
    inverse = 1 / value
    if float(value).is_integer():
        return f"1/{int(value)} ≈ {inverse:.6g}"
    if float(inverse).is_integer():
        return f"{int(inverse)}"
    return f"{inverse:.6g}"
