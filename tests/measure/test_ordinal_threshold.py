"""`measure.ordinal_threshold`: ordered logit with a hinge (METHODS.md §1.8, D1-ord, R `MASS::polr`
7.3-58.2 via reference/scripts/polr.R) and the dummy-coded level model.

R's polr stops BFGS at reltol 1e-8 (its gradient there is ~6e-4); ours converges to a gradient below
1e-7, so estimates are compared to 3e-5 absolute rather than to every printed digit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from measure.ordinal_threshold import fit_ordinal_threshold, level_model, ordinal_threshold_fit_at


def d1_ord(reference: Path) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(reference / "data" / "d1_satloy.csv")
    i = np.arange(1, frame.shape[0] + 1)
    latent = frame["L"] + 3 * (np.mod(0.7548776662466927 * i, 1) - 0.5) + 1.5 * np.sin(2.3 * i)
    ordinal = 1 + np.digitize(latent, [3, 4.5, 6, 7.5], right=True)  # R cut(): right-closed intervals
    return frame["S"].to_numpy(float), ordinal.astype(float)


def test_d1_ord_counts(reference: Path) -> None:
    _, ordinal = d1_ord(reference)
    assert np.bincount(ordinal.astype(int))[1:].tolist() == [20, 37, 53, 42, 48]


def test_d1_ord_polr_at_fixed_breakpoints(reference: Path) -> None:
    s, ordinal = d1_ord(reference)
    fit = ordinal_threshold_fit_at(s, ordinal, [4, 8])
    # METHODS §1.8: β = (1.423686, −1.319455, 1.634018), SE (0.2325, 0.3146, 0.4995);
    # ζ = (2.210372, 4.174665, 5.896267, 7.291724); logLik −247.5953
    np.testing.assert_allclose(fit.coefficients, [1.423686, -1.319455, 1.634018], atol=3e-5)
    np.testing.assert_allclose(fit.coefficient_se, [0.2325, 0.3146, 0.4995], atol=6e-5)
    np.testing.assert_allclose(fit.cutpoints, [2.210372, 4.174665, 5.896267, 7.291724], atol=3e-5)
    assert fit.log_likelihood == pytest.approx(-247.5953, abs=5e-5)
    assert fit.aic == pytest.approx(509.1906, abs=1e-4)
    linear = ordinal_threshold_fit_at(s, ordinal, [])
    assert linear.log_likelihood == pytest.approx(-258.1411, abs=5e-5)
    assert linear.aic == pytest.approx(526.2822, abs=1e-4)


def test_profiled_breakpoints_do_not_lower_the_likelihood(reference: Path) -> None:
    s, ordinal = d1_ord(reference)
    fixed = ordinal_threshold_fit_at(s, ordinal, [4, 8])
    profiled = fit_ordinal_threshold(s, ordinal, 2, grid_points=12)
    assert profiled.log_likelihood >= fixed.log_likelihood - 1e-9
    assert profiled.breakpoints_estimated
    assert profiled.parameters == fixed.parameters + 2
    assert abs(profiled.breakpoints[0] - 4) < 0.5
    assert abs(profiled.breakpoints[1] - 8) < 0.5


def test_level_model_on_a_five_point_item() -> None:
    satisfaction = np.repeat([1, 2, 3, 4, 5], 20)
    loyalty = np.repeat([2.0, 5.0, 5.1, 5.2, 8.0], 20) + np.tile(np.linspace(-0.5, 0.5, 20), 5)
    model = level_model(satisfaction, loyalty)
    assert model.levels == (1, 2, 3, 4, 5)
    assert model.counts == (20,) * 5
    np.testing.assert_allclose(model.means, [2.0, 5.0, 5.1, 5.2, 8.0], atol=1e-12)
    # pooled SD of linspace(−.5, .5, 20) with n − L = 95 df; SE of a difference of two means
    sigma = np.sqrt(5 * ((np.linspace(-0.5, 0.5, 20) ** 2).sum()) / 95)
    np.testing.assert_allclose(model.increment_se, sigma * np.sqrt(2 / 20), rtol=1e-12)
    assert model.runs == ((1.0,), (2.0, 3.0, 4.0), (5.0,))


def test_level_model_refuses_many_levels() -> None:
    with pytest.raises(ValueError, match="has 10 distinct values"):
        level_model(np.arange(10.0).repeat(3), np.arange(30.0))
