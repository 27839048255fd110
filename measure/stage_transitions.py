"""Stage-to-stage transition matrices for customers seen in two waves (ladder stages, lifecycle stages,
value classes): who moved where, and how stable the classification is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True, slots=True)
class StageTransitions:
    """Counts of customers by stage in the earlier wave (rows) and the later wave (columns)."""

    stages: tuple[str, ...]  # row and column order
    counts: tuple[tuple[int, ...], ...]  # counts[i][j]: from stages[i] to stages[j]
    row_shares: tuple[tuple[float, ...], ...]  # each row divided by its total (NaN for an empty row)
    linked: int  # customers in both waves
    only_earlier: int  # customers seen only in the earlier wave
    only_later: int
    stability: float  # share of linked customers on the diagonal (same stage in both waves)

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values (matrices as lists of rows; NaN as null)."""
        return {
            "stages": list(self.stages),
            "counts": [list(row) for row in self.counts],
            "row_shares": [[None if np.isnan(value) else value for value in row] for row in self.row_shares],
            "linked": self.linked,
            "only_earlier": self.only_earlier,
            "only_later": self.only_later,
            "stability": self.stability,
        }


def stage_transitions(earlier: pd.Series, later: pd.Series, *, stages: Sequence[str] | None = None) -> StageTransitions:
    """The transition matrix between two waves' stages, linking customers by the Series' index (ids).

    Only customers present in both waves with a stage in both count (`linked`); the others are
    counted, not dropped silently. Row shares estimate P(later stage | earlier stage).
    `stages` fixes the order (e.g. the ladder from suspect to advocate); stages not listed are
    appended in sorted order.

    Parameters
    ----------
    earlier, later : stage per customer, indexed by customer id.
    stages : the order of rows and columns; None for sorted order.

    Returns
    -------
    StageTransitions

    Raises
    ------
    ValueError
        A customer id that appears twice in one wave, or no customer in both waves.

    Examples
    --------
    >>> before = pd.Series({"a": "repeat_customer", "b": "client", "c": "client", "d": "prospect"})
    >>> after = pd.Series({"a": "client", "b": "client", "c": "lost", "e": "prospect"})
    >>> moves = stage_transitions(before, after, stages=["prospect", "repeat_customer", "client", "lost"])
    >>> moves.counts[2], moves.linked, moves.stability
    ((0, 0, 1, 1), 3, 0.3333333333333333)
    """
    for name, series in (("earlier", earlier), ("later", later)):
        repeated = series.index[series.index.duplicated()]
        if len(repeated):
            raise ValueError(f"{name}: customer {repeated[0]} appears more than once.")
    first = earlier.dropna().astype(str)
    second = later.dropna().astype(str)
    common = first.index.intersection(second.index, sort=False)
    if len(common) == 0:
        raise ValueError("earlier, later: no customer has a stage in both waves; check the customer ids.")
    seen = set(first.unique()) | set(second.unique())
    order = list(stages or [])
    order += sorted(seen - set(order))
    position = {stage: index for index, stage in enumerate(order)}
    counts = np.zeros((len(order), len(order)), dtype=int)
    for customer in common:
        counts[position[first[customer]], position[second[customer]]] += 1
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
    return StageTransitions(
        stages=tuple(order),
        counts=tuple(tuple(int(value) for value in row) for row in counts),
        row_shares=tuple(tuple(float(value) for value in row) for row in shares),
        linked=len(common),
        only_earlier=len(first.index.difference(common)),
        only_later=len(second.index.difference(common)),
        stability=float(np.trace(counts) / len(common)),
    )
