"""Respondent-level composites for the threshold models: satisfaction on its item scale, loyalty 0–100.

Both are derived from the raw answers with each item's scale bounds and direction (METHODS.md §12:
store raw answers, derive reversed and rescaled variables in code), so the same function serves a data
file (bounds given on the command line) and a stored wave (bounds from the codebook).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = ["Composite", "loyalty_composite", "satisfaction_composite"]


@dataclass(frozen=True, slots=True)
class Composite:
    """One composite score per respondent."""

    values: tuple[float, ...]  # NaN where fewer than the required items were answered
    answered: tuple[int, ...]  # items answered per respondent
    items: int
    scale_min: float  # the scale of the composite
    scale_max: float
    missing: int  # respondents without a composite

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as null)."""
        return {
            "values": [None if math.isnan(v) else v for v in self.values],
            "answered": list(self.answered),
            "items": self.items,
            "scale_min": self.scale_min,
            "scale_max": self.scale_max,
            "missing": self.missing,
        }


def _item_matrix(items: ArrayLike, name: str) -> FloatArray:
    try:
        matrix = np.asarray(items, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers (empty cells as NaN).") from None
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise ValueError(f"{name} must be a respondents × items table; got shape {matrix.shape}.")
    return matrix


def _bounds(values: float | Sequence[float], count: int, name: str) -> FloatArray:
    array = np.broadcast_to(np.asarray(values, dtype=float), (count,)).astype(float)
    if array.shape != (count,):
        raise ValueError(f"{name} must be one number or one per item ({count}); got {values!r}.")
    return array


def _oriented(
    items: ArrayLike,
    scale_min: float | Sequence[float],
    scale_max: float | Sequence[float],
    higher_is_better: bool | Sequence[bool],
    name: str,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Items checked against their bounds and reversed where lower is better: (matrix, min, max)."""
    matrix = _item_matrix(items, name)
    count = matrix.shape[1]
    low = _bounds(scale_min, count, "scale_min")
    high = _bounds(scale_max, count, "scale_max")
    if np.any(high <= low):
        raise ValueError(f"scale_max must exceed scale_min for every item; got {low.tolist()} and {high.tolist()}.")
    direction = np.broadcast_to(np.asarray(higher_is_better, dtype=bool), (count,))
    outside = ~np.isnan(matrix) & ((matrix < low) | (matrix > high))
    if outside.any():
        rows, columns = np.nonzero(outside)
        shown = ", ".join(
            f"{matrix[r, c]:g} (respondent {r + 1}, item {c + 1}, scale {low[c]:g}–{high[c]:g})"
            for r, c in zip(rows[:5], columns[:5], strict=True)
        )
        raise ValueError(f"{name} has answers outside the item scale: {shown}.")
    oriented = np.where(direction, matrix, low + high - matrix)
    return oriented, low, high


def _mean_of_answered(values: FloatArray, min_answered: float) -> tuple[FloatArray, NDArray[np.int_]]:
    answered = (~np.isnan(values)).sum(axis=1)
    required = max(1, math.ceil(min_answered * values.shape[1]))
    with np.errstate(invalid="ignore"):
        sums = np.nansum(values, axis=1)
        means = np.where(answered >= required, sums / np.maximum(answered, 1), np.nan)
    return means, answered


def satisfaction_composite(
    items: ArrayLike,
    *,
    scale_min: float | Sequence[float],
    scale_max: float | Sequence[float],
    higher_is_better: bool | Sequence[bool] = True,
    min_answered: float = 0.5,
) -> Composite:
    """Satisfaction per respondent: the mean of the satisfaction items answered, on the item scale.

    Items with lower-is-better wording are reversed (min + max − x). Items on different scales are first
    mapped linearly onto the first item's scale. A respondent gets a value when at least `min_answered`
    of the items (default half, rounded up) are answered; otherwise NaN. METHODS.md §12 (prefer a mean of
    ≥ 2 items: more levels for the breakpoint search).

    Examples
    --------
    >>> nan = float("nan")
    >>> answers = [[7, 8, 9], [10, nan, 8], [1, nan, nan]]
    >>> composite = satisfaction_composite(answers, scale_min=1, scale_max=10)
    >>> composite.values[:2], composite.missing
    ((8.0, 9.0), 1)
    """
    oriented, low, high = _oriented(items, scale_min, scale_max, higher_is_better, "satisfaction items")
    target_low, target_high = float(low[0]), float(high[0])
    on_scale = target_low + (oriented - low) / (high - low) * (target_high - target_low)
    means, answered = _mean_of_answered(on_scale, min_answered)
    return Composite(
        values=tuple(float(v) for v in means),
        answered=tuple(int(a) for a in answered),
        items=int(oriented.shape[1]),
        scale_min=target_low,
        scale_max=target_high,
        missing=int(np.isnan(means).sum()),
    )


def loyalty_composite(
    items: ArrayLike,
    *,
    scale_min: float | Sequence[float],
    scale_max: float | Sequence[float],
    higher_is_better: bool | Sequence[bool] = True,
    min_answered: float = 0.5,
) -> Composite:
    """Loyalty per respondent on 0–100: the mean of the loyalty-outcome items, each rescaled to 0–100.

    Each item (repurchase, recommend, choose again …) becomes 100·(x − min)/(max − min), reversed as
    100·(max − x)/(max − min) where lower is better; the composite is their mean over the items
    answered, when at least `min_answered` of them are (default half, rounded up).

    Checked against reference/data/derived/mobi_composite_{A,C}.csv (R: (mean(CUSL…) − 1)/9·100).

    Examples
    --------
    >>> loyalty_composite([[10, 7], [1, 4]], scale_min=1, scale_max=10).values
    (83.33333333333333, 16.666666666666664)
    """
    oriented, low, high = _oriented(items, scale_min, scale_max, higher_is_better, "loyalty items")
    rescaled = (oriented - low) / (high - low) * 100
    means, answered = _mean_of_answered(rescaled, min_answered)
    return Composite(
        values=tuple(float(v) for v in means),
        answered=tuple(int(a) for a in answered),
        items=int(oriented.shape[1]),
        scale_min=0.0,
        scale_max=100.0,
        missing=int(np.isnan(means).sum()),
    )
