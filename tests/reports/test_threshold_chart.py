"""`reports.threshold_chart`: the SVG keeps text as text and shows every zone."""

from __future__ import annotations

import numpy as np

from measure.threshold_analysis import analyse_threshold
from reports.threshold_chart import threshold_chart_svg


def test_svg_has_zone_names_as_text() -> None:
    s = np.linspace(1, 10, 200)
    y = 1 + 1.2 * s - 1.1 * np.maximum(s - 4, 0) + 1.4 * np.maximum(s - 8, 0) + 0.3 * np.sin(9 * s)
    analysis = analyse_threshold(s, y, scale=(1, 10))
    svg = threshold_chart_svg(s, y, analysis, title="满意度与忠诚度")
    assert svg.startswith("<?xml")
    assert "满意度与忠诚度" in svg  # svg.fonttype none: text stays text
    for zone in analysis.zones.zones:
        assert f"{zone.name} {zone.share:.0%}".replace("%", "%") in svg
