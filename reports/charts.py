"""The report's charts: matplotlib (Agg) figures written as SVG with text kept as text, one palette.

Every chart has a title, axes labelled with their units and its base (n) written in the corner. Labels are
set in the report's language with the matching CJK face first (Noto Sans CJK SC or TC, which also cover
Latin), so no glyph is missing; the PDF embeds the same faces through fontconfig. matplotlib is imported
inside the functions (start-up time is part of the CLI).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from measure.importance_performance import ImportancePerformance
from measure.threshold_analysis import ThresholdAnalysis
from reports.phrases import phrase
from reports.threshold_chart import binned_means

#: The one palette: dark blue for the measure, orange for the contrast, greys for context.
PRIMARY = "#1f4e79"
ACCENT = "#c55a11"
NEUTRAL = "#7f7f7f"
NPS_COLOURS = {"detractor": "#c0504d", "passive": "#bfbfbf", "promoter": "#4f81bd"}
ZONE_COLOURS = {"A": "#f8d7d3", "B": "#eeeeee", "C": "#dcead3"}
QUADRANT_COLOURS = {
    "concentrate here": "#c0504d",
    "keep up the good work": "#4f81bd",
    "low priority": "#7f7f7f",
    "possible overkill": "#9bbb59",
}
FONT_FAMILIES = {
    "zh-Hans": ["Noto Sans CJK SC"],
    "zh-Hant": ["Noto Sans CJK TC"],
    "en": ["Noto Sans CJK SC"],  # its Latin glyphs match the Chinese reports; attribute labels may be Chinese
}


@dataclass(frozen=True)
class TrendPoint:
    """One wave of the trend chart: an estimate with its 95% interval."""

    wave: str
    value: float
    ci_low: float
    ci_high: float


def _svg(language: str, size: tuple[float, float], draw: Callable[[Any], None]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    style: dict[str, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": "loyalty-report",
        "font.family": FONT_FAMILIES[language],
        "font.size": 9,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(style):  # type: ignore[arg-type]
        figure, axes = plt.subplots(figsize=size)
        draw(axes)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # inline in HTML: no XML declaration or doctype


def _base(axes: Any, language: str, n: int) -> None:
    axes.text(
        1.0, 1.01, phrase(language, "base", n=n), transform=axes.transAxes, ha="right", va="bottom", color=NEUTRAL
    )


def nps_distribution_svg(ratings: Sequence[float], language: str) -> str:
    """Bars of the share of each 0–10 recommend rating, coloured detractor / passive / promoter."""
    values = np.asarray(ratings, dtype=float)
    values = values[~np.isnan(values)]
    counts = np.array([(values == point).sum() for point in range(11)])
    shares = 100 * counts / max(values.size, 1)

    def draw(axes: Any) -> None:
        colours = [
            NPS_COLOURS["detractor"] if p <= 6 else NPS_COLOURS["passive"] if p <= 8 else NPS_COLOURS["promoter"]
            for p in range(11)
        ]
        axes.bar(range(11), shares, color=colours, width=0.8)
        axes.set_xticks(range(11))
        axes.set_xlabel(phrase(language, "axis_rating"))
        axes.set_ylabel(phrase(language, "axis_respondents"))
        axes.set_title(phrase(language, "chart_nps"), loc="left", pad=14)
        _base(axes, language, int(values.size))

    return _svg(language, (6.4, 3.0), draw)


def threshold_svg(
    satisfaction: Sequence[float], loyalty: Sequence[float], analysis: ThresholdAnalysis, language: str
) -> str:
    """Binned mean loyalty along satisfaction, the fitted hinge curve, zones shaded and named with shares."""
    s = np.asarray(satisfaction, dtype=float)
    y = np.asarray(loyalty, dtype=float)
    keep = ~(np.isnan(s) | np.isnan(y))
    low, high = analysis.scale

    def draw(axes: Any) -> None:
        for zone in analysis.zones.zones:
            axes.axvspan(zone.low, zone.high, color=ZONE_COLOURS.get(zone.name, "#ffffff"), lw=0)
            axes.text(
                (zone.low + zone.high) / 2,
                0.97,
                f"{zone.name} {zone.share:.0%}",
                transform=axes.get_xaxis_transform(),
                ha="center",
                va="top",
            )
        centres, means, counts = binned_means(s[keep], y[keep])
        largest = max(counts) if counts else 1
        sizes = [10 + 60 * c / largest for c in counts]
        axes.scatter(centres, means, s=sizes, color=NEUTRAL, zorder=3, label=phrase(language, "binned"))
        grid = np.linspace(float(s[keep].min()), float(s[keep].max()), 200)
        axes.plot(grid, analysis.fit.predict(grid), color=PRIMARY, lw=2, zorder=4, label=phrase(language, "fitted"))
        for psi in analysis.fit.breakpoints:
            axes.axvline(psi, color=PRIMARY, ls="--", lw=1)
        axes.set_xlim(low, high)
        axes.set_ylim(0, 105)
        axes.set_xlabel(phrase(language, "axis_satisfaction", low=f"{low:g}", high=f"{high:g}"))
        axes.set_ylabel(phrase(language, "axis_loyalty"))
        axes.set_title(phrase(language, "chart_threshold"), loc="left", pad=14)
        axes.legend(loc="lower right", frameon=False)
        _base(axes, language, int(keep.sum()))

    return _svg(language, (6.4, 3.6), draw)


def importance_performance_svg(
    grid: ImportancePerformance, labels: dict[str, str], scale: tuple[float, float], n: int, language: str
) -> str:
    """The importance–performance quadrant chart: one labelled point per attribute, crosshairs at the means."""

    def draw(axes: Any) -> None:
        for position in grid.attributes:
            colour = QUADRANT_COLOURS.get(position.quadrant, NEUTRAL)
            axes.scatter(position.performance, position.importance, color=colour, s=30, zorder=3)
        axes.axvline(grid.performance_crosshair, color=NEUTRAL, lw=0.8, ls=":")
        axes.axhline(grid.importance_crosshair, color=NEUTRAL, lw=0.8, ls=":")
        performances = [p.performance for p in grid.attributes]
        spread = max(performances) - min(performances)
        axes.set_xlim(min(performances) - 0.15 * spread - 0.05, max(performances) + 0.35 * spread + 0.05)
        axes.set_xlabel(phrase(language, "axis_performance", low=f"{scale[0]:g}", high=f"{scale[1]:g}"))
        axes.set_ylabel(phrase(language, "axis_importance"))
        axes.set_title(phrase(language, "chart_ipa"), loc="left", pad=14)
        _base(axes, language, n)
        _place_labels(
            axes, [(labels.get(p.attribute, p.attribute), p.performance, p.importance) for p in grid.attributes]
        )

    return _svg(language, (6.4, 3.8), draw)


def ladder_svg(stages: Sequence[tuple[str, float]], n: int, language: str) -> str:
    """The loyalty-ladder funnel: one horizontal bar per stage (share of respondents), lowest stage at the
    bottom."""

    def draw(axes: Any) -> None:
        names = [name for name, _ in stages]
        shares = [100 * share for _, share in stages]
        axes.barh(range(len(names)), shares, color=PRIMARY, height=0.7)
        for position, share in enumerate(shares):
            axes.text(share + 0.5, position, f"{share:.1f}%", va="center")
        axes.set_yticks(range(len(names)))
        axes.set_yticklabels(names)
        axes.set_xlim(0, max([*shares, 1.0]) * 1.15)
        axes.set_xlabel(phrase(language, "axis_share"))
        axes.set_title(phrase(language, "chart_ladder"), loc="left", pad=14)
        _base(axes, language, n)

    return _svg(language, (6.4, 3.2), draw)


def trend_svg(index: Sequence[TrendPoint], nps: Sequence[TrendPoint], n: int, language: str) -> str:
    """The loyalty index and NPS per wave with their 95% intervals as error bars."""

    def draw(axes: Any) -> None:
        for points, colour, name, offset in (
            (index, PRIMARY, phrase(language, "loyalty_index"), -0.06),
            (nps, ACCENT, phrase(language, "nps"), 0.06),
        ):
            if not points:
                continue
            x = np.arange(len(points)) + offset
            values = np.array([p.value for p in points])
            errors = np.array([[p.value - p.ci_low for p in points], [p.ci_high - p.value for p in points]])
            axes.errorbar(x, values, yerr=errors, color=colour, marker="o", capsize=3, label=name)
        waves = [p.wave for p in (index or nps)]
        axes.set_xticks(range(len(waves)))
        axes.set_xticklabels(waves)
        axes.axhline(0, color=NEUTRAL, lw=0.6)
        axes.set_xlabel(phrase(language, "wave"))
        axes.set_ylabel(phrase(language, "axis_index"))
        axes.set_title(phrase(language, "chart_trend"), loc="left", pad=14)
        axes.legend(loc="best", frameon=False)
        _base(axes, language, n)

    return _svg(language, (6.4, 3.0), draw)


#: Where a point's label may go, in points from the point (tried in order): right, below, left, further out.
_LABEL_OFFSETS = ((5, 2), (5, -10), (-5, 2), (-5, -10), (5, 12), (5, -20), (-5, 12), (-5, -20), (5, 22), (5, -30))


def _place_labels(axes: Any, points: Sequence[tuple[str, float, float]]) -> None:
    """Label each point at the first offset where the label overlaps no label placed before it."""
    renderer = axes.figure.canvas.get_renderer()
    placed: list[Any] = []
    for text, x, y in sorted(points, key=lambda point: -point[2]):
        label = None
        for dx, dy in _LABEL_OFFSETS:
            if label is not None:
                label.remove()
            label = axes.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=8,
                ha="left" if dx > 0 else "right",
                arrowprops={"arrowstyle": "-", "color": NEUTRAL, "lw": 0.5} if abs(dy) > 10 else None,
            )
            box = label.get_window_extent(renderer).expanded(1.02, 1.1)
            if not any(box.overlaps(other) for other in placed):
                break
        assert label is not None
        placed.append(label.get_window_extent(renderer))


#: The value-matrix tiles: the class's fill, light enough for dark text; key in the measure's blue.
VALUE_CLASS_COLOURS = {"key": "#c9d9ea", "maintain": "#fbe2cf", "develop": "#dcead3", "minimal": "#eeeeee"}


def lifecycle_svg(stages: Sequence[tuple[str, float, int]], n: int, language: str) -> str:
    """The lifecycle stages: one horizontal bar per stage (share of the linked customers, with its count),
    in the order of the relationship, exploration at the top."""

    def draw(axes: Any) -> None:
        names = [name for name, _, _ in stages]
        shares = [100 * share for _, share, _ in stages]
        positions = list(range(len(names)))[::-1]
        axes.barh(positions, shares, color=PRIMARY, height=0.65)
        for position, share, (_, _, count) in zip(positions, shares, stages, strict=True):
            axes.text(share + 0.8, position, f"{share:.1f}% ({count})", va="center")
        axes.set_yticks(positions)
        axes.set_yticklabels(names)
        axes.set_xlim(0, max([*shares, 1.0]) * 1.25)
        axes.set_xlabel(phrase(language, "axis_linked_share"))
        axes.set_title(phrase(language, "chart_lifecycle"), loc="left", pad=14)
        _base(axes, language, n)

    return _svg(language, (6.4, 2.6), draw)


@dataclass(frozen=True)
class ValueTile:
    """One class of the value matrix as the chart shows it."""

    value_class: str  # key, maintain, develop, minimal
    name: str
    share: float
    count: int
    current_value_share: float


def value_matrix_svg(
    tiles: Sequence[ValueTile], current_cut: float, potential_cut: float, n: int, language: str
) -> str:
    """The 2×2 value matrix: current value across, growth potential up, each class a tile with its name,
    share of customers, n and share of revenue; the medians that cut the axes in the tick labels."""
    places = {"minimal": (0, 0), "maintain": (1, 0), "develop": (0, 1), "key": (1, 1)}

    def draw(axes: Any) -> None:
        from matplotlib.patches import Rectangle

        for tile in tiles:
            x, y = places[tile.value_class]
            axes.add_patch(
                Rectangle((x + 0.02, y + 0.02), 0.96, 0.96, color=VALUE_CLASS_COLOURS[tile.value_class], lw=0)
            )
            axes.text(x + 0.5, y + 0.68, tile.name, ha="center", va="center", fontsize=10, fontweight="bold")
            axes.text(
                x + 0.5,
                y + 0.45,
                phrase(language, "tile_share", share=f"{100 * tile.share:.1f}%", n=tile.count),
                ha="center",
                va="center",
            )
            axes.text(
                x + 0.5,
                y + 0.25,
                phrase(language, "tile_revenue", share=f"{100 * tile.current_value_share:.1f}%"),
                ha="center",
                va="center",
                color=NEUTRAL,
            )
        axes.set_xlim(0, 2)
        axes.set_ylim(0, 2)
        axes.set_xticks([0.5, 1.5])
        axes.set_xticklabels(
            [
                phrase(language, "below_cut", cut=f"{current_cut:,.0f}"),
                phrase(language, "at_or_above_cut", cut=f"{current_cut:,.0f}"),
            ]
        )
        axes.set_yticks([0.5, 1.5])
        axes.set_yticklabels(
            [
                phrase(language, "below_cut", cut=f"{potential_cut:,.0f}"),
                phrase(language, "at_or_above_cut", cut=f"{potential_cut:,.0f}"),
            ],
            rotation=90,
            va="center",
        )
        axes.tick_params(length=0)
        axes.set_xlabel(phrase(language, "axis_current_value"))
        axes.set_ylabel(phrase(language, "axis_growth_potential"))
        axes.set_title(phrase(language, "chart_value_matrix"), loc="left", pad=14)
        _base(axes, language, n)

    return _svg(language, (6.4, 3.6), draw)
