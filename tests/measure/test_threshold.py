"""`measure.threshold`: the global hinge fit against the exhaustive R search, segmented, and METHODS §1.

R calls: reference/scripts/04_profile_lse.R (exhaustive profile search, with and without a 5 % minimum
segment), reference/scripts/03_segmented.R (`segmented(lm(y~x), seg.Z=~x, npsi=K,
control=seg.control(n.boot=B, seed=12345))`), METHODS.md §1.3–1.7 test vectors on D1.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from measure.threshold import compare_models, fit_hinge, hinge_fit_at, profile_breakpoint_intervals

PROFILE_DATA = {
    "mobi_A_x_raw_1to10__y_loy3_0to100": "data/derived/mobi_composite_A.csv",
    "mobi_C_x_raw_1to10__y_loy_CUSL1_CUSL3_0to100": "data/derived/mobi_composite_C.csv",
    "synth_pw_cont_n2000": "data/synthetic/synth_pw_cont_n2000.csv",
}
SEGMENTED_DATA = {
    ("segmented_mobi.json", "C_x_raw_1to10__y_loy_CUSL1_CUSL3_0to100"): "data/derived/mobi_composite_C.csv",
    ("segmented_mobi.json", "A_x_raw_1to10__y_loy3_0to100"): "data/derived/mobi_composite_A.csv",
    ("segmented_synth_pw_cont_n2000.json", None): "data/synthetic/synth_pw_cont_n2000.csv",
}


def satisfaction_loyalty(reference: Path, relative: str) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(reference / relative)
    return frame["satisfaction"].to_numpy(float), frame["loyalty"].to_numpy(float)


def d1(reference: Path) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(reference / "data" / "d1_satloy.csv")
    return frame["S"].to_numpy(float), frame["L"].to_numpy(float)


def profile_cases(reference: Path) -> list[tuple[str, str, dict[str, Any]]]:
    results = json.loads((reference / "expected" / "profile_lse_breakpoints.json").read_text())["results"]
    return [
        (name, key, entry)
        for name, variants in results.items()
        if name in PROFILE_DATA
        for key, entry in variants.items()
        if isinstance(entry, dict)
    ]


def test_every_profile_dataset_is_covered(reference: Path) -> None:
    results = json.loads((reference / "expected" / "profile_lse_breakpoints.json").read_text())["results"]
    missing = [name for name in results if name not in PROFILE_DATA]
    # the n = 5000 ordinal and n = 100000 files were not shipped with the reference data
    assert all(not (reference / "data" / "synthetic" / f"{name}.csv").exists() for name in missing)


@pytest.mark.parametrize("variant", ["K1", "K2", "K1_min5pct", "K2_min5pct"])
@pytest.mark.parametrize("dataset", sorted(PROFILE_DATA))
def test_sse_is_the_global_optimum_of_the_exhaustive_search(reference: Path, dataset: str, variant: str) -> None:
    results = json.loads((reference / "expected" / "profile_lse_breakpoints.json").read_text())["results"]
    entry = results[dataset][variant]
    search = entry["search"]
    s, y = satisfaction_loyalty(reference, PROFILE_DATA[dataset])
    fit = fit_hinge(
        s,
        y,
        search["K"],
        min_segment=search["min_n_per_segment"],
        # the R search keeps ψ2 − ψ1 at least one grid step apart
        min_separation=search["grid_step"] if search["K"] == 2 else 0.0,
    )
    optimum = entry["fit"]["sse"]
    assert fit.sse == pytest.approx(optimum, rel=1e-6)
    assert fit.sse <= optimum * (1 + 1e-12)


def test_d1_global_optimum(reference: Path) -> None:
    s, y = d1(reference)
    fit = fit_hinge(s, y, 2, min_segment=0)
    # METHODS §1.3: SSE 24.802279 at ψ = (4.0909, 7.9938);
    # (β0, β1, δ1, δ2) = (1.11600, 1.15449, −1.06067, 1.36125)
    assert fit.sse == pytest.approx(24.802279, rel=1e-7)
    np.testing.assert_allclose(fit.breakpoints, [4.0909, 7.9938], atol=1e-4)
    np.testing.assert_allclose(
        [fit.intercept, fit.slopes[0], *fit.slope_changes], [1.11600, 1.15449, -1.06067, 1.36125], atol=1e-5
    )
    np.testing.assert_allclose(fit.slopes, [1.1545, 0.0938, 1.4551], atol=1e-4)
    assert fit_hinge(s, y, 2).sse == pytest.approx(fit.sse, rel=1e-12)  # the 5 % / 10 minimum does not bind


def test_d1_segmented_standard_errors_at_its_breakpoints(reference: Path) -> None:
    s, y = d1(reference)
    fit = hinge_fit_at(s, y, [4.068636, 7.993787])
    # METHODS §1.4: SE(ψ) 0.108801 / 0.096718; slopes 1.161100/0.097328/1.452300 (SE .048838/.034306/.091087)
    np.testing.assert_allclose(fit.breakpoint_se, [0.108801, 0.096718], rtol=2e-5)
    np.testing.assert_allclose(fit.slopes, [1.161100, 0.097328, 1.452300], atol=5e-5)  # printed to 4 decimals
    np.testing.assert_allclose(fit.slope_se, [0.048838, 0.034306, 0.091087], atol=2e-6)
    assert fit.df_residual == 194
    assert fit.sigma == pytest.approx(0.3576, abs=5e-5)
    np.testing.assert_allclose(fit.breakpoint_ci_low, [3.85405, 7.80303], atol=2e-5)
    np.testing.assert_allclose(fit.breakpoint_ci_high, [4.28322, 8.18454], atol=2e-5)
    assert fit.aic == pytest.approx(164.1437, abs=1e-4)
    assert fit.bic == pytest.approx(187.2319, abs=1e-4)


def segmented_cases() -> list[tuple[str, str | None, str]]:
    return [
        (file, variant, key)
        for (file, variant) in SEGMENTED_DATA
        for key in ("npsi1_nboot0", "npsi1_nboot10", "npsi2_nboot0", "npsi2_nboot10")
    ]


@pytest.mark.parametrize(("file", "variant", "key"), segmented_cases())
def test_matches_segmented_where_it_reached_the_optimum(
    reference: Path, file: str, variant: str | None, key: str
) -> None:
    document = json.loads((reference / "expected" / file).read_text())
    entry = document["variants"][variant] if variant else document
    fitted = entry["fits"][key]
    if "error" in fitted:
        pytest.skip("segmented stopped with an error here")
    s, y = satisfaction_loyalty(reference, SEGMENTED_DATA[(file, variant)])
    number = fitted["npsi"]
    # which optimum did segmented reach: the unconstrained one or the one with the 5 % minimum?
    candidates = [fit_hinge(s, y, number, min_segment=minimum) for minimum in (0, math.ceil(0.05 * s.size))]
    reached = [fit for fit in candidates if fit.sse == pytest.approx(fitted["sse"], rel=1e-7)]
    if not reached:
        assert min(fit.sse for fit in candidates) < fitted["sse"]  # segmented stopped at a local optimum
        return
    fit = reached[0]
    np.testing.assert_allclose(fit.breakpoints, fitted["psi"]["estimate"], rtol=1e-4)
    np.testing.assert_allclose(fit.breakpoint_se, fitted["psi"]["se"], rtol=1e-4)
    np.testing.assert_allclose(fit.slopes, [row["Est."] for row in fitted["slopes"]], rtol=1e-4)
    np.testing.assert_allclose(fit.slope_se, [row["St.Err."] for row in fitted["slopes"]], rtol=1e-4)
    np.testing.assert_allclose(
        fit.segment_intercepts, [row["Est."] for row in fitted["intercepts"]], rtol=1e-4, atol=1e-6
    )
    low = [row["CI(95%).low"] for row in fitted["psi_confint_delta_95"]]
    np.testing.assert_allclose(fit.breakpoint_ci_low, low, rtol=1e-4)
    assert fit.aic == pytest.approx(fitted["AIC"], rel=1e-4)
    assert fit.bic == pytest.approx(fitted["BIC"], rel=1e-4)
    assert fit.df_residual == fitted["df_residual"]
    assert fit.r_squared == pytest.approx(fitted["r_squared"], rel=1e-4)


def test_d1_profile_interval(reference: Path) -> None:
    s, y = d1(reference)
    fit = fit_hinge(s, y, 2)
    intervals = profile_breakpoint_intervals(s, y, fit)
    # METHODS §1.6: ψ1 profile 95 % CI ≈ [3.90, 4.25]
    assert intervals.low[0] == pytest.approx(3.90, abs=0.005)
    assert intervals.high[0] == pytest.approx(4.25, abs=0.005)
    assert intervals.low[1] < fit.breakpoints[1] < intervals.high[1]
    assert intervals.touches_range == (False, False)


def test_d1_model_comparison(reference: Path) -> None:
    s, y = d1(reference)
    comparison = compare_models(s, y)
    # METHODS §1.7 (seg2 there is segmented's local optimum; ours is the global one, so lower)
    np.testing.assert_allclose(comparison.aic[:4], [389.5354, 384.0257, 221.2298, 332.0775], atol=1e-4)
    np.testing.assert_allclose(comparison.bic[:4], [399.4304, 397.2189, 237.7214, 348.5691], atol=1e-4)
    assert comparison.aic[4] < 164.1437
    assert comparison.parameters == (3, 4, 5, 5, 7)
    assert comparison.best_by_bic == "2 breakpoints"


def test_weights_equal_to_repetition(reference: Path) -> None:
    s, y = d1(reference)
    repeat = np.where(np.arange(s.size) % 3 == 0, 2, 1)
    weighted = fit_hinge(s, y, 2, weights=repeat.astype(float), min_segment=0)
    repeated = fit_hinge(np.repeat(s, repeat), np.repeat(y, repeat), 2, min_segment=0)
    np.testing.assert_allclose(weighted.breakpoints, repeated.breakpoints, rtol=1e-9)
    np.testing.assert_allclose(weighted.slopes, repeated.slopes, rtol=1e-9)
    assert weighted.sse == pytest.approx(repeated.sse, rel=1e-9)


@pytest.mark.parametrize(
    ("satisfaction", "loyalty", "breakpoints", "message"),
    [
        ([5.0] * 30, list(range(30)), 1, "satisfaction is constant"),
        (list(range(15)), list(range(15)), 2, "too few for 2 breakpoint"),
        ([float("nan")] * 30, list(range(30)), 1, "no respondent with both answers"),
        (["7", "high", *range(28)], list(range(30)), 1, "'high' (position 1)"),
        (list(range(30)), list(range(30)), 3, "breakpoints must be 0, 1 or 2"),
    ],
)
def test_bad_input_is_a_clear_error(
    satisfaction: list[Any], loyalty: list[Any], breakpoints: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fit_hinge(satisfaction, loyalty, breakpoints)


def test_as_dict_is_json_ready(reference: Path) -> None:
    s, y = d1(reference)
    encoded = json.loads(json.dumps(fit_hinge(s, y, 1).as_dict()))
    assert encoded["breakpoints"] == pytest.approx([3.479814], abs=1e-4) or encoded["sse"] <= 58.60545


def test_covariates_shift_the_level_not_the_thresholds(reference: Path) -> None:
    s, y = d1(reference)
    group = (np.arange(s.size) % 2).astype(float)
    shifted = y + 2.0 * group
    fit = fit_hinge(s, shifted, 2, covariates=group, min_segment=0)
    plain = fit_hinge(s, y, 2, min_segment=0)
    # the group shift is absorbed by γ: the same fit as without it
    np.testing.assert_allclose(fit.covariate_coefficients, [2.0], atol=0.2)
    np.testing.assert_allclose(fit.breakpoints, plain.breakpoints, atol=0.1)
    assert fit.parameters == plain.parameters + 1
    assert fit.df_residual == plain.df_residual - 1
    # no pair of breakpoints near the answer has a lower joint SSE (least squares with the covariate)
    grid = np.linspace(-0.15, 0.15, 13)
    best = min(
        float(np.sum((shifted - design @ np.linalg.lstsq(design, shifted, rcond=None)[0]) ** 2))
        for a in grid
        for b in grid
        for design in [
            np.column_stack(
                [
                    np.ones_like(s),
                    s,
                    np.maximum(s - fit.breakpoints[0] - a, 0),
                    np.maximum(s - fit.breakpoints[1] - b, 0),
                    group,
                ]
            )
        ]
    )
    assert fit.sse <= best * (1 + 1e-9)


def test_missing_covariate_drops_the_respondent(reference: Path) -> None:
    s, y = d1(reference)
    covariate = np.where(np.arange(s.size) == 5, np.nan, (np.arange(s.size) % 3 == 0).astype(float))
    assert fit_hinge(s, y, 1, covariates=covariate).n == s.size - 1
    with pytest.raises(ValueError, match="constant or collinear"):
        fit_hinge(s, y, 1, covariates=np.ones(s.size))
