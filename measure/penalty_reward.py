"""Penalty–reward contrast analysis (PRCA): asymmetric effects of attribute performance on an overall
rating, three-factor (Kano) classes and the impact-asymmetry index (METHODS §2.1–2.3).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

FloatArray = npt.NDArray[np.float64]

SMALL_CELL_SHARE = 0.05  # a low or high box holding fewer respondents than this gives unstable estimates


@dataclass(frozen=True, slots=True)
class AttributePenaltyReward:
    """Penalty and reward of one attribute, their test, and its classes."""

    attribute: str
    penalty: float  # −p_j: drop in overall for a bottom-box rating (≥ 0 expected)
    penalty_standard_error: float
    penalty_p_value: float
    reward: float  # r_j: gain in overall for a top-box rating (≥ 0 expected)
    reward_standard_error: float
    reward_p_value: float
    low_share: float  # share of respondents in the bottom boxes
    high_share: float  # share in the top box(es)
    low_vif: float  # variance inflation factor of the low dummy
    high_vif: float
    asymmetry: float  # p_j + r_j = reward − penalty (Wald numerator)
    asymmetry_standard_error: float
    asymmetry_t: float
    asymmetry_p_value: float
    range_of_impact: float  # RIOCS = penalty + reward
    satisfaction_generating_potential: float | None  # SGP = reward / RIOCS; None when RIOCS ≤ 0
    dissatisfaction_generating_potential: float | None  # DGP = penalty / RIOCS
    impact_asymmetry: float | None  # IA = SGP − DGP ∈ [−1, 1]
    three_factor_class: str  # basic | performance | excitement | indifferent (significance + Wald test)
    impact_asymmetry_class: str | None  # basic | performance | excitement by the IA bands
    strong_asymmetry: str | None  # "frustrator" (IA < −strong) or "delighter" (IA > strong), else None
    wrong_sign: bool  # a significantly negative penalty or reward
    small_cell: bool  # low or high box below 5 % of respondents


@dataclass(frozen=True, slots=True)
class PenaltyRewardContrast:
    """PRCA of several attributes on one overall rating (one OLS regression on box dummies)."""

    attributes: tuple[AttributePenaltyReward, ...]
    intercept: float
    r_squared: float
    n: int  # complete cases used
    residual_df: int
    low_at_most: float  # ratings ≤ this are the bottom boxes
    high_at_least: float  # ratings ≥ this are the top box(es)
    alpha: float
    hybrid_band: float
    strong_band: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)


def penalty_reward_contrast(
    overall: npt.ArrayLike,
    ratings: pd.DataFrame,
    *,
    low_at_most: float,
    high_at_least: float,
    alpha: float = 0.05,
    hybrid_band: float = 0.2,
    strong_band: float = 0.7,
) -> PenaltyRewardContrast:
    """Penalty–reward contrast analysis with three-factor classes and the impact-asymmetry index.

    For each attribute j, D_low,j = [rating ≤ `low_at_most`] and D_high,j = [rating ≥ `high_at_least`]
    (the middle is the reference); one OLS regression
    ``overall = a + Σ_j (p_j D_low,j + r_j D_high,j) + e`` gives penalty P_j = −p_j and reward R_j = r_j
    (t tests on n − 2k − 1 df). Conventional boxes: 5-point 1–2 / 5; 10-point 1–4 / 9–10.

    Three-factor class (Matzler & Sauerwein 2002), with "significant" = p < `alpha` in the expected
    direction: both significant → Wald t test of H0: p_j + r_j = 0 decides: not rejected → performance,
    rejected → basic if P > R, excitement if R > P; only P significant → basic; only R → excitement;
    neither → indifferent.

    Impact asymmetry (Mikulić & Prebežac 2008): RIOCS = P + R, SGP = R/RIOCS, DGP = P/RIOCS,
    IA = SGP − DGP; |IA| ≤ `hybrid_band` performance, IA < −band basic, IA > band excitement, and
    |IA| > `strong_band` marks a frustrator/delighter. IA is None when RIOCS ≤ 0 (wrong signs).

    Missing data: complete cases. Edge cases reported, not hidden: boxes holding < 5 % of respondents
    (`small_cell`), VIFs of the dummies, significantly negative penalties or rewards (`wrong_sign`).

    References
    ----------
    Brandt, D. R. (1987). A procedure for identifying value-enhancing service components using customer
    satisfaction survey data. In Add Value to Your Service, AMA, 61–65.
    Matzler, K. & Sauerwein, E. (2002). IJSIM 13(4), 314–332.
    Mikulić, J. & Prebežac, D. (2008). Managing Service Quality 18(6), 559–576.

    Checked against R `lm` (R 4.2.2) on the D4 fixture of METHODS §2.3.

    Examples
    --------
    The D4 fixture of METHODS: A is basic, B performance, C excitement.

    >>> i = np.arange(1, 301)
    >>> def boxes(step, shift):
    ...     return 1 + np.floor(5 * np.mod(step * i + shift, 1.0))
    >>> ratings = pd.DataFrame({"A": boxes(0.6180339887498949, 0), "B": boxes(0.7548776662466927, 0.3),
    ...                         "C": boxes(0.5698402909980532, 0.6)})
    >>> A, B, C = ratings["A"], ratings["B"], ratings["C"]
    >>> overall = (3 - 1.2 * (A <= 2) + 0.2 * (A == 5) - 0.6 * (B <= 2) + 0.6 * (B == 5)
    ...            - 0.1 * (C <= 2) + 1.0 * (C == 5) + 0.4 * np.sin(i))
    >>> prca = penalty_reward_contrast(overall, ratings, low_at_most=2, high_at_least=5)
    >>> [(a.attribute, round(a.impact_asymmetry, 4), a.three_factor_class) for a in prca.attributes]
    [('A', -0.7132, 'basic'), ('B', -0.0004, 'performance'), ('C', 0.8236, 'excitement')]
    """
    names = [str(column) for column in ratings.columns]
    if not names:
        raise ValueError("ratings: give at least one attribute column.")
    if not low_at_most < high_at_least:
        raise ValueError(f"low_at_most ({low_at_most}) must be below high_at_least ({high_at_least}).")
    table = ratings.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    y = np.asarray(overall, dtype=float)
    if y.shape != (table.shape[0],):
        raise ValueError(f"overall: {y.size} values for {table.shape[0]} rows of ratings.")
    complete = ~np.isnan(y) & ~np.isnan(table).any(axis=1)
    table, y = table[complete], y[complete]
    n = y.size
    low = (table <= low_at_most).astype(float)
    high = (table >= high_at_least).astype(float)
    empty = [
        f"{name} ({box})"
        for name, lows, highs in zip(names, low.T, high.T, strict=True)
        for box, column in (("low", lows), ("high", highs))
        if column.sum() == 0 or column.sum() == n
    ]
    if empty:
        raise ValueError(
            f"ratings: no respondents (or all respondents) in the box of {empty}; "
            "widen the boxes with low_at_most / high_at_least."
        )
    k = len(names)
    design = np.column_stack([np.ones(n), *[column for pair in zip(low.T, high.T, strict=True) for column in pair]])
    residual_df = n - design.shape[1]
    if residual_df < 1:
        raise ValueError(f"ratings: {n} complete responses are too few for {k} attributes.")
    gram = design.T @ design
    if np.linalg.matrix_rank(gram) < design.shape[1]:
        raise ValueError("ratings: the box dummies are linearly dependent; widen the boxes or drop an attribute.")
    inverse = np.linalg.inv(gram)
    coefficients = inverse @ design.T @ y
    residuals = y - design @ coefficients
    sigma2 = float(residuals @ residuals) / residual_df
    covariance = sigma2 * inverse
    total = float(np.sum((y - y.mean()) ** 2))
    r_squared = 1 - float(residuals @ residuals) / total
    vifs = _variance_inflation(design[:, 1:])

    results = []
    for j, name in enumerate(names):
        li, hi = 1 + 2 * j, 2 + 2 * j
        p_low, r_high = float(coefficients[li]), float(coefficients[hi])
        se_low, se_high = math.sqrt(covariance[li, li]), math.sqrt(covariance[hi, hi])
        p_value_low = _two_sided(p_low / se_low, residual_df)
        p_value_high = _two_sided(r_high / se_high, residual_df)
        asymmetry = p_low + r_high
        asymmetry_se = math.sqrt(covariance[li, li] + covariance[hi, hi] + 2 * covariance[li, hi])
        asymmetry_t = asymmetry / asymmetry_se
        asymmetry_p = _two_sided(asymmetry_t, residual_df)
        penalty, reward = -p_low, r_high
        penalty_significant = p_value_low < alpha and penalty > 0
        reward_significant = p_value_high < alpha and reward > 0
        wrong_sign = (p_value_low < alpha and penalty < 0) or (p_value_high < alpha and reward < 0)
        three_factor = _three_factor_class(
            penalty_significant, reward_significant, asymmetry_p < alpha, penalty, reward
        )
        range_of_impact = penalty + reward
        sgp = dgp = impact = None
        ia_class = strong = None
        if range_of_impact > 0:
            sgp = reward / range_of_impact
            dgp = penalty / range_of_impact
            impact = sgp - dgp
            ia_class = "basic" if impact < -hybrid_band else "excitement" if impact > hybrid_band else "performance"
            strong = "frustrator" if impact < -strong_band else "delighter" if impact > strong_band else None
        results.append(
            AttributePenaltyReward(
                attribute=name,
                penalty=penalty,
                penalty_standard_error=se_low,
                penalty_p_value=p_value_low,
                reward=reward,
                reward_standard_error=se_high,
                reward_p_value=p_value_high,
                low_share=float(low[:, j].mean()),
                high_share=float(high[:, j].mean()),
                low_vif=float(vifs[2 * j]),
                high_vif=float(vifs[2 * j + 1]),
                asymmetry=asymmetry,
                asymmetry_standard_error=asymmetry_se,
                asymmetry_t=asymmetry_t,
                asymmetry_p_value=asymmetry_p,
                range_of_impact=range_of_impact,
                satisfaction_generating_potential=sgp,
                dissatisfaction_generating_potential=dgp,
                impact_asymmetry=impact,
                three_factor_class=three_factor,
                impact_asymmetry_class=ia_class,
                strong_asymmetry=strong,
                wrong_sign=wrong_sign,
                small_cell=bool(min(low[:, j].mean(), high[:, j].mean()) < SMALL_CELL_SHARE),
            )
        )
    return PenaltyRewardContrast(
        attributes=tuple(results),
        intercept=float(coefficients[0]),
        r_squared=r_squared,
        n=n,
        residual_df=residual_df,
        low_at_most=float(low_at_most),
        high_at_least=float(high_at_least),
        alpha=alpha,
        hybrid_band=hybrid_band,
        strong_band=strong_band,
    )


def _three_factor_class(
    penalty_significant: bool, reward_significant: bool, asymmetric: bool, penalty: float, reward: float
) -> str:
    if penalty_significant and reward_significant:
        if not asymmetric:
            return "performance"
        return "basic" if penalty > reward else "excitement"
    if penalty_significant:
        return "basic"
    if reward_significant:
        return "excitement"
    return "indifferent"


def _two_sided(t: float, df: int) -> float:
    return float(2 * stats.t.sf(abs(t), df))


def _variance_inflation(columns: FloatArray) -> FloatArray:
    """VIF_j = 1 / (1 − R²_j), R²_j from regressing column j on the others with an intercept."""
    n, k = columns.shape
    result = np.empty(k)
    for j in range(k):
        others = np.column_stack([np.ones(n), np.delete(columns, j, axis=1)])
        target = columns[:, j]
        fitted = others @ np.linalg.lstsq(others, target, rcond=None)[0]
        residual = float(np.sum((target - fitted) ** 2))
        total = float(np.sum((target - target.mean()) ** 2))
        result[j] = math.inf if residual == 0 else total / residual
    return result
