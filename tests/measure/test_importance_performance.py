"""Importance–performance analysis: quadrants at means or midpoints, and the diagonal gap."""

from __future__ import annotations

import pytest

from measure.importance_performance import importance_performance


def test_quadrants_at_grand_means() -> None:
    grid = importance_performance(["staff", "price", "speed", "decor"], [4.6, 3.1, 4.2, 2.9], [3.2, 4.4, 4.1, 3.0])
    assert grid.importance_crosshair == pytest.approx(3.7)
    assert grid.performance_crosshair == pytest.approx(3.675)
    assert {a.attribute: a.quadrant for a in grid.attributes} == {
        "staff": "concentrate here",
        "price": "possible overkill",
        "speed": "keep up the good work",
        "decor": "low priority",
    }


def test_midpoint_crosshairs_move_every_attribute_above_the_midpoint() -> None:
    grid = importance_performance(
        ["staff", "price"],
        [4.6, 3.1],
        [3.2, 4.4],
        crosshairs="midpoint",
        importance_scale=(1, 5),
        performance_scale=(1, 5),
    )
    assert grid.importance_crosshair == 3.0
    assert [a.quadrant for a in grid.attributes] == ["keep up the good work", "keep up the good work"]


def test_diagonal_gap_is_standardised_importance_minus_performance() -> None:
    grid = importance_performance(["a", "b", "c"], [1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
    # z of (1, 2, 3) with sample SD 1 is (−1, 0, 1)
    assert [a.priority_gap for a in grid.attributes] == pytest.approx([-2.0, 0.0, 2.0])
    assert [a.above_diagonal for a in grid.attributes] == [False, False, True]


def test_midpoints_need_the_performance_scale() -> None:
    with pytest.raises(ValueError, match="performance_scale"):
        importance_performance(["a", "b"], [1.0, 2.0], [3.0, 2.0], crosshairs="midpoint")
