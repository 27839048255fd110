"""Importance–performance analysis (IPA): each attribute placed by importance and performance into the four
quadrants of Martilla & James, plus the diagonal (gap) variant (METHODS §6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


@dataclass(frozen=True, slots=True)
class AttributePosition:
    """One attribute on the importance–performance grid."""

    attribute: str
    importance: float
    performance: float
    quadrant: str  # concentrate here | keep up the good work | low priority | possible overkill
    importance_z: float  # standardised across the attributes (sample SD)
    performance_z: float
    priority_gap: float  # importance_z − performance_z; > 0 lies above the diagonal: improve
    above_diagonal: bool


@dataclass(frozen=True, slots=True)
class ImportancePerformance:
    """The IPA grid: crosshairs and every attribute's position."""

    attributes: tuple[AttributePosition, ...]
    crosshairs: str  # "mean" (grand means) or "midpoint" (scale midpoints)
    importance_crosshair: float
    performance_crosshair: float
    importance_source: str  # "stated" or the derived measure used, e.g. "relative weights"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)


def importance_performance(
    attributes: Sequence[str],
    importance: npt.ArrayLike,
    performance: npt.ArrayLike,
    *,
    crosshairs: str = "mean",
    importance_scale: tuple[float, float] | None = None,
    performance_scale: tuple[float, float] | None = None,
    importance_source: str = "stated",
) -> ImportancePerformance:
    """Place attributes on the importance–performance grid (Martilla & James 1977).

    x = importance (stated mean rating, or a derived importance such as relative weights), y = mean
    performance. Crosshairs at the grand means of the attributes (`crosshairs="mean"`, data-centred, the
    default) or at the scale midpoints (`"midpoint"`, which needs the scales; derived importance has no
    scale, so its crosshair is then still the mean). A value equal to its crosshair counts as high.
    Quadrants: high importance/low performance "concentrate here"; high/high "keep up the good work";
    low/low "low priority"; low/high "possible overkill". Diagonal variant: both coordinates standardised
    across the attributes (z with sample SD); priority gap = z_importance − z_performance, above the 45° line
    (gap > 0) means improve.

    References
    ----------
    Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. Journal of Marketing 41(1),
    77–79. Bacon, D. R. (2003). A comparison of approaches to importance-performance analysis.
    International Journal of Market Research 45(1), 55–71 (the diagonal model).

    Examples
    --------
    >>> grid = importance_performance(["staff", "price", "speed"], [4.5, 3.0, 4.0], [3.0, 4.5, 4.2])
    >>> [(a.attribute, a.quadrant) for a in grid.attributes]
    [('staff', 'concentrate here'), ('price', 'possible overkill'), ('speed', 'keep up the good work')]
    """
    names = [str(name) for name in attributes]
    x = np.asarray(importance, dtype=float)
    y = np.asarray(performance, dtype=float)
    if x.shape != (len(names),) or y.shape != (len(names),):
        raise ValueError(
            f"importance and performance: need one value per attribute ({len(names)}); got {x.size} and {y.size}."
        )
    if len(names) < 2:
        raise ValueError(f"attributes: need at least 2; got {names}.")
    bad = [name for name, a, b in zip(names, x, y, strict=True) if not (np.isfinite(a) and np.isfinite(b))]
    if bad:
        raise ValueError(f"importance and performance: missing or infinite values for {bad}.")
    if crosshairs == "mean":
        x_cross, y_cross = float(x.mean()), float(y.mean())
    elif crosshairs == "midpoint":
        if performance_scale is None:
            raise ValueError("performance_scale: give (min, max) of the rating scale for midpoint crosshairs.")
        y_cross = sum(performance_scale) / 2
        x_cross = sum(importance_scale) / 2 if importance_scale is not None else float(x.mean())
    else:
        raise ValueError(f"crosshairs: must be 'mean' or 'midpoint'; got {crosshairs!r}.")
    x_z = _standardised(x)
    y_z = _standardised(y)
    positions = tuple(
        AttributePosition(
            attribute=name,
            importance=float(x[j]),
            performance=float(y[j]),
            quadrant=QUADRANTS[(bool(x[j] >= x_cross), bool(y[j] >= y_cross))],
            importance_z=float(x_z[j]),
            performance_z=float(y_z[j]),
            priority_gap=float(x_z[j] - y_z[j]),
            above_diagonal=bool(x_z[j] - y_z[j] > 0),
        )
        for j, name in enumerate(names)
    )
    return ImportancePerformance(
        attributes=positions,
        crosshairs=crosshairs,
        importance_crosshair=x_cross,
        performance_crosshair=y_cross,
        importance_source=importance_source,
    )


def _standardised(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    sd = float(np.std(values, ddof=1))
    if sd == 0:
        return np.zeros_like(values)
    result: npt.NDArray[np.float64] = (values - values.mean()) / sd
    return result
