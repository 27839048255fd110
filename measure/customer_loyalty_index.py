"""The three-item Customer Loyalty Index (recommend, repurchase, buy other products), 0–100.

A secondary index beside NPS (METHODS.md §4.2): where NPS uses the recommend item alone, the CLI
averages advocacy (recommend) with purchasing loyalty (repurchase, buy other products). The six-indicator
loyalty index of METHODS §3 is another module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats


@dataclass(frozen=True, slots=True)
class CustomerLoyaltyIndex:
    """The three-item Customer Loyalty Index of one sample, with its item means."""

    index: float  # 0–100, mean over respondents of their rescaled item mean
    standard_error: float
    ci_low: float
    ci_high: float
    n: int  # respondents with all three items
    recommend_mean: float  # on the item's own scale
    repurchase_mean: float
    other_products_mean: float
    recommend_index: float  # the item mean rescaled to 0–100
    repurchase_index: float
    other_products_index: float
    weighted: bool
    confidence: float
    incomplete: int  # respondents left out because an item was empty

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return asdict(self)


def customer_loyalty_index(
    recommend: ArrayLike,
    repurchase: ArrayLike,
    other_products: ArrayLike,
    *,
    recommend_scale: tuple[float, float] = (0, 10),
    repurchase_scale: tuple[float, float] = (0, 10),
    other_products_scale: tuple[float, float] = (0, 10),
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
) -> CustomerLoyaltyIndex:
    """Customer Loyalty Index: the mean of recommend, repurchase and buy-other-products, on 0–100.

    Each item is rescaled by its own scale, 100·(x − min)/(max − min), so items on different scales
    (a 0–10 recommend item with 1–5 purchase items) combine; when the three share one scale this is
    METHODS §4.2's 100·(x̄ − min)/(max − min). A respondent's index is the mean of their three rescaled
    items; only respondents with all three items count (complete cases; the others are counted in
    `incomplete`). The index is the (weighted) mean over respondents.

    Interval: unweighted, mean ± t_{n−1}·s/√n; weighted, the Taylor linearised SE of the ratio mean with
    the weights treated as fixed (as R ``survey::svymean``) and a normal quantile.

    Parameters
    ----------
    recommend, repurchase, other_products : the three items, one value per respondent (NaN if empty).
    recommend_scale, repurchase_scale, other_products_scale : (min, max) of each item's scale.
    weights : survey weights, positive, or None.
    confidence : level of the interval.

    Returns
    -------
    CustomerLoyaltyIndex

    Raises
    ------
    ValueError
        Items of different lengths, a value outside its item's scale, a scale with min ≥ max, bad
        weights, or fewer than two complete respondents.

    References
    ----------
    Hayes, B. E. (2008). Measuring Customer Satisfaction and Loyalty, 3rd ed. ASQ Quality Press
    (advocacy, purchasing and retention loyalty indices).

    Examples
    --------
    >>> result = customer_loyalty_index([10, 6], [4, 2], [5, 1], repurchase_scale=(1, 5),
    ...                                 other_products_scale=(1, 5))
    >>> round(result.index, 2), round(result.recommend_index, 1), result.n
    (60.0, 80.0, 2)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: {confidence} is not between 0 and 1 (e.g. 0.95).")
    named = {
        "recommend": (recommend, recommend_scale),
        "repurchase": (repurchase, repurchase_scale),
        "other_products": (other_products, other_products_scale),
    }
    columns: list[NDArray[np.float64]] = []
    rescaled: list[NDArray[np.float64]] = []
    for name, (values, scale) in named.items():
        array = np.asarray(values, dtype=float).ravel()
        low, high = scale
        if not low < high:
            raise ValueError(f"{name}_scale: min {low:g} must be below max {high:g}.")
        present = array[~np.isnan(array)]
        outside = present[(present < low) | (present > high)]
        if len(outside):
            shown = ", ".join(f"{value:g}" for value in np.unique(outside)[:5])
            raise ValueError(f"{name}: values outside the item's scale {low:g}–{high:g}: {shown}.")
        columns.append(array)
        rescaled.append(100.0 * (array - low) / (high - low))
    lengths = {len(column) for column in columns}
    if len(lengths) != 1:
        raise ValueError(
            f"recommend, repurchase, other_products: need one value per respondent in each; got lengths "
            f"{', '.join(str(len(column)) for column in columns)}."
        )
    n_all = lengths.pop()
    if weights is None:
        w_all = np.ones(n_all)
    else:
        w_all = np.asarray(weights, dtype=float).ravel()
        if len(w_all) != n_all:
            raise ValueError(f"weights: {len(w_all)} weights for {n_all} respondents; need one each.")
        bad = w_all[~(w_all > 0) | ~np.isfinite(w_all)]
        if len(bad):
            raise ValueError(f"weights: every weight must be a positive number; found {bad[0]:g}.")
    complete = np.all([~np.isnan(column) for column in columns], axis=0)
    n = int(complete.sum())
    if n < 2:
        raise ValueError(f"recommend, repurchase, other_products: {n} respondent(s) answered all three; need 2.")
    w = w_all[complete]
    total = w.sum()
    per_respondent = np.mean([column[complete] for column in rescaled], axis=0)
    index = float((w * per_respondent).sum() / total)
    if weights is None:
        standard_error = float(per_respondent.std(ddof=1) / np.sqrt(n))
        critical = float(stats.t.ppf(0.5 + confidence / 2, n - 1))
    else:
        linearised = w * (per_respondent - index) / total
        standard_error = float(np.sqrt(n / (n - 1) * (linearised**2).sum()))
        critical = float(stats.norm.ppf(0.5 + confidence / 2))
    means = [float((w * column[complete]).sum() / total) for column in columns]
    indices = [float((w * column[complete]).sum() / total) for column in rescaled]
    return CustomerLoyaltyIndex(
        index=index,
        standard_error=standard_error,
        ci_low=index - critical * standard_error,
        ci_high=index + critical * standard_error,
        n=n,
        recommend_mean=means[0],
        repurchase_mean=means[1],
        other_products_mean=means[2],
        recommend_index=indices[0],
        repurchase_index=indices[1],
        other_products_index=indices[2],
        weighted=weights is not None,
        confidence=confidence,
        incomplete=n_all - n,
    )
