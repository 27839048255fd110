"""`measure.threshold_bootstrap`: a seeded case-resampling bootstrap of the hinge fit (METHODS.md §1.6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from measure.threshold import fit_hinge
from measure.threshold_bootstrap import bootstrap_threshold


def d1(reference: Path) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(reference / "data" / "d1_satloy.csv")
    return frame["S"].to_numpy(float), frame["L"].to_numpy(float)


def test_same_seed_same_intervals_other_seed_other_intervals(reference: Path) -> None:
    s, y = d1(reference)
    fit = fit_hinge(s, y, 2)
    first = bootstrap_threshold(s, y, fit, replicates=25, seed=7)
    again = bootstrap_threshold(s, y, fit, replicates=25, seed=7)
    other = bootstrap_threshold(s, y, fit, replicates=25, seed=8)
    assert first == again
    assert first.seed == 7
    assert first.breakpoint_ci_low != other.breakpoint_ci_low


def test_intervals_cover_the_estimate_and_agree_with_the_delta_method(reference: Path) -> None:
    s, y = d1(reference)
    fit = fit_hinge(s, y, 2)
    boot = bootstrap_threshold(s, y, fit, replicates=100, seed=20240601)
    for index, psi in enumerate(fit.breakpoints):
        assert boot.breakpoint_ci_low[index] < psi < boot.breakpoint_ci_high[index]
        # a strong kink: the bootstrap spread is of the order of segmented's standard error
        assert boot.breakpoint_se[index] == pytest.approx(fit.breakpoint_se[index], rel=0.5)
    for index, slope in enumerate(fit.slopes):
        assert boot.slope_ci_low[index] < slope < boot.slope_ci_high[index]
    assert boot.kink_vanished_share == 0.0
    assert boot.failed == 0
    counts = np.array(fit.segment_counts) / fit.n
    assert np.all(np.array(boot.share_ci_low) <= counts + 0.02)
    assert np.all(counts - 0.02 <= np.array(boot.share_ci_high))


def test_a_flat_line_loses_its_kink_often() -> None:
    s = np.linspace(1, 10, 150)
    y = 0.5 * s + np.sin(17 * s)  # no kink at all
    fit = fit_hinge(s, y, 1)
    boot = bootstrap_threshold(s, y, fit, replicates=100, seed=3)
    assert boot.kink_vanished_share > 0.2


def test_bad_arguments() -> None:
    s = np.linspace(1, 10, 50)
    fit = fit_hinge(s, s, 0)
    with pytest.raises(ValueError, match="replicates must be at least 2"):
        bootstrap_threshold(s, s, fit, replicates=1, seed=1)
    with pytest.raises(ValueError, match="fit was made on 50"):
        bootstrap_threshold(s[:40], s[:40], fit, seed=1)
    with_covariate = fit_hinge(s, s + np.sin(s), 0, covariates=np.sin(3 * s))
    with pytest.raises(ValueError, match="does not take covariates"):
        bootstrap_threshold(s, s, with_covariate, seed=1)
