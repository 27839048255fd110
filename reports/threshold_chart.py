"""The threshold chart: binned mean loyalty along satisfaction, the fitted hinge curve, shaded zones.

Returned as SVG text with text kept as text (`svg.fonttype = "none"`), so a PDF that embeds it stays
searchable; matplotlib is imported inside the function (start-up is part of the interface).
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from measure.threshold_analysis import ThresholdAnalysis

ZONE_COLOURS = {"A": "#f4cccc", "B": "#eeeeee", "C": "#d9ead3"}


def binned_means(
    satisfaction: ArrayLike, loyalty: ArrayLike, bins: int = 20
) -> tuple[list[float], list[float], list[int]]:
    """Mean loyalty per satisfaction bin: every distinct value when there are at most `bins` + 10 of
    them, otherwise `bins` equal-width bins (centres); empty bins are left out.

    Examples
    --------
    >>> binned_means([1, 1, 2, 3], [2.0, 4.0, 5.0, 6.0])
    ([1.0, 2.0, 3.0], [3.0, 5.0, 6.0], [2, 1, 1])
    """
    s = np.asarray(satisfaction, dtype=float)
    y = np.asarray(loyalty, dtype=float)
    keep = ~(np.isnan(s) | np.isnan(y))
    s, y = s[keep], y[keep]
    distinct = np.unique(s)
    if distinct.size <= bins + 10:
        index = np.searchsorted(distinct, s)
        centres = distinct
    else:
        edges = np.linspace(s.min(), s.max(), bins + 1)
        index = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, bins - 1)
        centres = (edges[:-1] + edges[1:]) / 2
    counts = np.bincount(index, minlength=centres.size)
    sums = np.bincount(index, weights=y, minlength=centres.size)
    present = counts > 0
    return (
        [float(v) for v in centres[present]],
        [float(v) for v in sums[present] / counts[present]],
        [int(c) for c in counts[present]],
    )


def threshold_chart_svg(
    satisfaction: ArrayLike, loyalty: ArrayLike, analysis: ThresholdAnalysis, *, title: str = ""
) -> str:
    """SVG of the threshold chart for one analysis: zones shaded and named, binned means sized by
    count, the fitted curve, and dashed lines at the breakpoints."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fonts: dict[str, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": "loyalty",
        # Latin first, then the CJK faces fontconfig finds (fonts-noto-cjk, installed by .ci/setup)
        "font.family": ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK TC"],
    }
    with matplotlib.rc_context(fonts):  # type: ignore[arg-type]
        figure, axes = plt.subplots(figsize=(7, 4.2))
        for zone in analysis.zones.zones:
            axes.axvspan(zone.low, zone.high, color=ZONE_COLOURS.get(zone.name, "#ffffff"), alpha=0.8, lw=0)
            axes.text(
                (zone.low + zone.high) / 2,
                1.0,
                f"{zone.name} {zone.share:.0%}",
                transform=axes.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=9,
            )
        centres, means, counts = binned_means(satisfaction, loyalty)
        largest = max(counts) if counts else 1
        axes.scatter(
            centres,
            means,
            s=[12 + 60 * c / largest for c in counts],
            color="#444444",
            zorder=3,
            label="mean loyalty",
        )
        s = np.asarray(satisfaction, dtype=float)
        grid = np.linspace(np.nanmin(s), np.nanmax(s), 200)
        axes.plot(grid, analysis.fit.predict(grid), color="#1f4e79", lw=2, zorder=4, label="fitted")
        for psi in analysis.fit.breakpoints:
            axes.axvline(psi, color="#1f4e79", ls="--", lw=1)
        axes.set_xlabel("satisfaction")
        axes.set_ylabel("loyalty")
        if title:
            axes.set_title(title, pad=18)
        axes.legend(loc="lower right", frameon=False, fontsize=8)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(figure)
    svg = buffer.getvalue()
    if not math.isfinite(analysis.fit.sse):
        raise ValueError("the analysis has no finite fit to draw.")
    return svg
