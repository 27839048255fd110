"""`measure.threshold_zones`: zones A/B/C by METHODS.md §1.9 and the Jones–Sasser quadrants (§10.4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from measure.threshold import fit_hinge, hinge_fit_at
from measure.threshold_zones import jones_sasser_cuts, jones_sasser_quadrants, threshold_zones


def d1(reference: Path) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(reference / "data" / "d1_satloy.csv")
    return frame["S"].to_numpy(float), frame["L"].to_numpy(float)


def test_d1_zones_at_segmenteds_breakpoints(reference: Path) -> None:
    s, y = d1(reference)
    fit = hinge_fit_at(s, y, [4.068636, 7.993787])
    zones = threshold_zones(s, y, fit, existence_p_value=2.63e-12, selected_by_bic=True, scale=(1, 10))
    # METHODS §1.9 TV: A = S < 4.07 (slope 1.16), B = [4.07, 7.99] (slope 0.097, CI .030–.165, passes the
    # ρ rule), C = S > 7.99 (slope 1.45)
    assert zones.source == "model"
    assert zones.pattern == "A|B|C"
    a, b, c = zones.zones
    assert (a.high, b.low, b.high, c.low) == pytest.approx((4.068636, 4.068636, 7.993787, 7.993787))
    assert (a.slope, b.slope, c.slope) == pytest.approx((1.1611, 0.0973, 1.4523), abs=1e-4)
    assert (fit.slope_ci_low[1], fit.slope_ci_high[1]) == pytest.approx((0.030, 0.165), abs=5e-4)
    assert sum(zone.share for zone in zones.zones) == pytest.approx(1.0)
    assert sum(zone.count for zone in zones.zones) == s.size
    for zone in zones.zones:
        members = np.array(zones.labels) == zone.name
        assert members.sum() == zone.count
        assert y[members].mean() == pytest.approx(zone.mean_loyalty, rel=1e-12)


def test_no_significant_threshold_falls_back_to_jones_sasser(reference: Path) -> None:
    s, y = d1(reference)
    fit = fit_hinge(s, y, 2)
    zones = threshold_zones(s, y, fit, existence_p_value=0.3, selected_by_bic=True, scale=(1, 10))
    assert zones.source == "jones-sasser"
    assert any("not significant" in reason for reason in zones.reasons)
    assert [(zone.low, zone.high) for zone in zones.zones] == [(1, 4.5), (4.5, 8.5), (8.5, 10)]


def test_missing_satisfaction_gets_no_label() -> None:
    s = np.linspace(1, 10, 120)
    y = np.minimum(s, 5) + 0.2 * np.sin(37 * s)
    fit = fit_hinge(s, y, 1)
    with_missing = np.concatenate((s, [np.nan]))
    zones = threshold_zones(
        with_missing,
        np.concatenate((y, [3.0])),
        fit,
        existence_p_value=1e-6,
        selected_by_bic=True,
        scale=(1, 10),
    )
    assert zones.pattern == "A|B"
    assert zones.labels[-1] == ""
    assert len(zones.labels) == 121


@pytest.mark.parametrize(
    ("scale", "cuts"),
    [((1, 5), (2.5, 4.5)), ((1, 7), (3.3, 6.1)), ((0, 10), (3.9, 8.3)), ((1, 10), (4.5, 8.5))],
)
def test_jones_sasser_zones_map_proportionally(scale: tuple[int, int], cuts: tuple[float, float]) -> None:
    assert jones_sasser_cuts(*scale) == pytest.approx(cuts)


def test_quadrants_with_weights() -> None:
    quadrants = jones_sasser_quadrants(
        [10, 9, 3, 2, np.nan],
        [10, 2, 9, 1, 5],
        satisfaction_top_box=9,
        loyalty_top_box=9,
        weights=[1, 1, 2, 4, 1],
    )
    assert quadrants.labels == ("apostle", "mercenary", "hostage", "defector", "")
    assert quadrants.counts == (1, 1, 1, 1)
    assert quadrants.shares == pytest.approx((0.125, 0.125, 0.25, 0.5))
