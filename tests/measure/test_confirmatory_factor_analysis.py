"""CFA, composite reliability, AVE and HTMT against lavaan 0.6-14 / semTools 0.5-6
(reference/expected/lavaan_cfa.json) and the METHODS §5 Holzinger–Swineford vectors.

Every model of lavaan_cfa.json whose data are in reference/data (ML and MLR) runs through the same
assertions: fit indices, standardised loadings, their standard errors and construct correlations to 1e-3
(the issue's "Done when"), CR and AVE to 1e-3; the MLR model also its scaled and robust indices. The
corp_rep model's data are not in reference/data.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from measure.confirmatory_factor_analysis import (
    ConfirmatoryFactorAnalysis,
    confirmatory_factor_analysis,
    heterotrait_monotrait,
    measurement_model_validity,
)

_REFERENCE = next(
    parent / "shared" / "reference"
    for parent in Path(__file__).resolve().parents
    if (parent / "shared" / "reference").is_dir()
)
_LAVAAN = json.loads((_REFERENCE / "expected" / "lavaan_cfa.json").read_text(encoding="utf-8"))
_DATA_OF_MODEL = {"mobi": "mobi.csv", "satisfaction_bank": "satisfaction_bank.csv"}
_MODELS = [name for name, model in _LAVAAN["models"].items() if name.split("_")[0] in ("mobi", "satisfaction")]
_ROBUST_MODELS = [name for name in _MODELS if _LAVAAN["models"][name]["estimator"] == "MLR"]
_ROBUST_FIELDS = {
    "chisq.scaling.factor": "scaling_factor",
    "chisq.scaled": "chi_square_scaled",
    "pvalue.scaled": "p_value_scaled",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "cfi.robust": "cfi_robust",
    "tli.robust": "tli_robust",
    "rmsea.scaled": "rmsea_scaled",
    "rmsea.robust": "rmsea_robust",
    "rmsea.ci.lower.robust": "rmsea_robust_ci_low",
    "rmsea.ci.upper.robust": "rmsea_robust_ci_high",
}
# lavaan fitMeasures name → our FitIndices field
_FIT_FIELDS = {
    "chisq": "chi_square",
    "df": "df",
    "pvalue": "p_value",
    "baseline.chisq": "baseline_chi_square",
    "baseline.df": "baseline_df",
    "cfi": "cfi",
    "tli": "tli",
    "rmsea": "rmsea",
    "rmsea.ci.lower": "rmsea_ci_low",
    "rmsea.ci.upper": "rmsea_ci_high",
    "rmsea.pvalue": "rmsea_p_value",
    "srmr": "srmr",
    "gfi": "gfi",
    "agfi": "agfi",
    "logl": "log_likelihood",
    "aic": "aic",
    "bic": "bic",
    "npar": "parameters",
}


def constructs_of(lavaan_model: str) -> dict[str, list[str]]:
    """The `F =~ a + b + c` lines of a lavaan model as {F: [a, b, c]}."""
    constructs = {}
    for line in lavaan_model.strip().splitlines():
        construct, items = line.split("=~")
        constructs[construct.strip()] = [item.strip() for item in items.split("+")]
    return constructs


@functools.cache
def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(_REFERENCE / "data" / name)


@functools.cache
def _fitted(model_name: str) -> ConfirmatoryFactorAnalysis:
    model = _LAVAAN["models"][model_name]
    data = _data("mobi.csv" if model_name.startswith("mobi") else "satisfaction_bank.csv")
    return confirmatory_factor_analysis(data, constructs_of(model["model"]), estimator=model["estimator"])


@pytest.fixture(params=_MODELS)
def lavaan_model(request: pytest.FixtureRequest) -> tuple[ConfirmatoryFactorAnalysis, dict[str, Any]]:
    return _fitted(request.param), _LAVAAN["models"][request.param]


class TestCfaMatchesLavaan:
    def test_fit_indices(self, lavaan_model: tuple[ConfirmatoryFactorAnalysis, dict[str, Any]]) -> None:
        result, expected = lavaan_model
        assert result.converged
        assert result.n == expected["n"]
        got = result.fit.as_dict()
        for lavaan_name, field in _FIT_FIELDS.items():
            assert got[field] == pytest.approx(expected["fit_measures"][lavaan_name], abs=1e-3), lavaan_name

    def test_standardized_loadings(self, lavaan_model: tuple[ConfirmatoryFactorAnalysis, dict[str, Any]]) -> None:
        result, expected = lavaan_model
        rows = expected["loadings"]
        assert [(loading.construct, loading.item) for loading in result.loadings] == [
            (row["lhs"], row["rhs"]) for row in rows
        ]
        np.testing.assert_allclose(
            [loading.standardized_loading for loading in result.loadings],
            [row["est.std"] for row in rows],
            atol=1e-3,
        )
        np.testing.assert_allclose(
            [loading.loading for loading in result.loadings], [row["est_unstd"] for row in rows], atol=1e-3
        )

    def test_standard_errors(self, lavaan_model: tuple[ConfirmatoryFactorAnalysis, dict[str, Any]]) -> None:
        result, expected = lavaan_model
        rows = expected["loadings"]
        # lavaan reports 0 for the fixed marker loading; we report no standard error (NaN)
        np.testing.assert_allclose(
            [0.0 if np.isnan(loading.standard_error) else loading.standard_error for loading in result.loadings],
            [row["se_unstd"] for row in rows],
            atol=1e-3,
        )
        np.testing.assert_allclose(
            [loading.standardized_standard_error for loading in result.loadings],
            [row["se"] for row in rows],
            atol=1e-3,
        )
        np.testing.assert_allclose(
            [pair.standard_error for pair in result.factor_correlations],
            [row["se"] for row in expected["factor_correlations"]],
            atol=1e-3,
        )

    def test_construct_correlations(self, lavaan_model: tuple[ConfirmatoryFactorAnalysis, dict[str, Any]]) -> None:
        result, expected = lavaan_model
        got = {(pair.construct_a, pair.construct_b): pair.correlation for pair in result.factor_correlations}
        want = {(row["lhs"], row["rhs"]): row["est.std"] for row in expected["factor_correlations"]}
        assert got == pytest.approx(want, abs=1e-3)

    def test_composite_reliability_and_ave(
        self, lavaan_model: tuple[ConfirmatoryFactorAnalysis, dict[str, Any]]
    ) -> None:
        result, expected = lavaan_model
        by_construct = {construct.construct: construct for construct in result.reliability}
        for name, value in expected["composite_reliability_fornell_larcker"].items():
            assert by_construct[name].composite_reliability == pytest.approx(value, abs=1e-3)
        for name, value in expected["ave_fornell_larcker"].items():
            assert by_construct[name].average_variance_extracted == pytest.approx(value, abs=1e-3)
        for name, value in expected["semTools_compRelSEM_obs_var"].items():
            assert by_construct[name].composite_reliability_observed == pytest.approx(value, abs=1e-3)
        for name, value in expected["semTools_AVE"].items():
            assert by_construct[name].average_variance_extracted_observed == pytest.approx(value, abs=1e-3)

    def test_a_non_positive_definite_construct_covariance_is_reported(
        self, lavaan_model: tuple[ConfirmatoryFactorAnalysis, dict[str, Any]]
    ) -> None:
        result, expected = lavaan_model
        lavaan_warned = any("not positive definite" in warning for warning in expected["warnings"])
        assert any("not positive definite" in warning for warning in result.warnings) == lavaan_warned


@pytest.mark.parametrize("model_name", _ROBUST_MODELS)
def test_robust_fit_indices_match_lavaan_mlr(model_name: str) -> None:
    result, expected = _fitted(model_name), _LAVAAN["models"][model_name]["fit_measures"]
    assert result.estimator == "MLR"
    assert result.robust_fit is not None
    got = result.robust_fit.as_dict()
    for lavaan_name, field in _ROBUST_FIELDS.items():
        assert got[field] == pytest.approx(expected[lavaan_name], abs=1e-3), lavaan_name


def test_ml_has_no_robust_fit() -> None:
    assert _fitted("mobi_6factor_ML").robust_fit is None


def test_htmt2_of_the_mobi_constructs() -> None:
    expected = _LAVAAN["htmt_mobi_6factor"]["matrix"]
    constructs = constructs_of(_LAVAAN["models"]["mobi_6factor_ML"]["model"])
    ratios = heterotrait_monotrait(_data("mobi.csv"), constructs)
    want = {row["construct"]: row for row in expected}
    assert len(ratios) == 15
    for ratio in ratios:
        assert ratio.htmt2 == pytest.approx(want[ratio.construct_a][ratio.construct_b], abs=1e-6)


class TestHolzingerSwinefordVectors:
    """METHODS §5: visual = x1–x3, textual = x4–x6, speed = x7–x9, lavaan ML defaults (n = 301)."""

    constructs: ClassVar[dict[str, list[str]]] = {
        "visual": ["x1", "x2", "x3"],
        "textual": ["x4", "x5", "x6"],
        "speed": ["x7", "x8", "x9"],
    }

    def test_fit_indices(self) -> None:
        abilities = _data("holzinger_swineford_1939.csv")
        fit = confirmatory_factor_analysis(abilities, self.constructs).fit
        assert fit.chi_square == pytest.approx(85.3055218, abs=5e-6)
        assert fit.df == 24
        assert fit.baseline_chi_square == pytest.approx(918.8515893, abs=5e-6)
        assert fit.baseline_df == 36
        assert fit.cfi == pytest.approx(0.9305597, abs=5e-7)
        assert fit.tli == pytest.approx(0.8958395, abs=5e-7)
        assert fit.rmsea == pytest.approx(0.0921215, abs=5e-7)
        assert fit.rmsea_ci_low == pytest.approx(0.071, abs=5e-4)
        assert fit.rmsea_ci_high == pytest.approx(0.114, abs=5e-4)
        assert fit.srmr == pytest.approx(0.0652051, abs=5e-7)
        assert fit.aic == pytest.approx(7517.490, abs=5e-4)
        assert fit.bic == pytest.approx(7595.339, abs=5e-4)

    def test_loadings_reliability_and_ave(self) -> None:
        abilities = _data("holzinger_swineford_1939.csv")
        result = confirmatory_factor_analysis(abilities, self.constructs)
        np.testing.assert_allclose(
            [loading.standardized_loading for loading in result.loadings],
            [0.772, 0.424, 0.581, 0.852, 0.855, 0.838, 0.570, 0.723, 0.665],
            atol=5e-4,
        )
        np.testing.assert_allclose(
            [construct.composite_reliability_observed for construct in result.reliability],
            [0.612, 0.885, 0.686],
            atol=5e-4,
        )
        assert result.reliability[0].composite_reliability == pytest.approx(0.626, abs=5e-4)
        np.testing.assert_allclose(
            [construct.average_variance_extracted_observed for construct in result.reliability],
            [0.371, 0.721, 0.424],
            atol=5e-4,
        )

    def test_htmt_and_htmt2(self) -> None:
        abilities = _data("holzinger_swineford_1939.csv")
        ratios = heterotrait_monotrait(abilities, self.constructs)
        assert [(ratio.construct_a, ratio.construct_b) for ratio in ratios] == [
            ("visual", "textual"),
            ("visual", "speed"),
            ("textual", "speed"),
        ]
        np.testing.assert_allclose([ratio.htmt for ratio in ratios], [0.424, 0.467, 0.290], atol=5e-4)
        np.testing.assert_allclose([ratio.htmt2 for ratio in ratios], [0.384, 0.387, 0.280], atol=5e-4)


def test_listwise_deletion_is_reported() -> None:
    mobi = _data("mobi.csv").copy()
    mobi.loc[:4, "CUSA2"] = np.nan
    result = measurement_model_validity(mobi, {"SAT": ["CUSA1", "CUSA2", "CUSA3"], "LOY": ["CUSL1", "CUSL2", "CUSL3"]})
    assert result.cfa.n == 245
    assert result.cfa.n_dropped == 5
    assert result.as_dict()["missing_data"] == "listwise"


class TestBadInput:
    def test_an_item_on_two_constructs(self) -> None:
        with pytest.raises(ValueError, match="CUSA1 is in both SAT and LOY"):
            confirmatory_factor_analysis(_data("mobi.csv"), {"SAT": ["CUSA1", "CUSA2"], "LOY": ["CUSA1", "CUSL1"]})

    def test_an_unknown_item(self) -> None:
        with pytest.raises(ValueError, match="no columns CUSA9"):
            confirmatory_factor_analysis(_data("mobi.csv"), {"SAT": ["CUSA1", "CUSA2", "CUSA9"]})

    def test_an_unidentified_model(self) -> None:
        with pytest.raises(ValueError, match="define 4 parameters but 2 items give only 3"):
            confirmatory_factor_analysis(_data("mobi.csv"), {"SAT": ["CUSA1", "CUSA2"]})

    def test_a_single_item_construct(self) -> None:
        with pytest.raises(ValueError, match=r"constructs COMPLAINT \(1\) need at least 2 items"):
            confirmatory_factor_analysis(
                _data("mobi.csv"), {"SAT": ["CUSA1", "CUSA2", "CUSA3"], "COMPLAINT": ["CUSCO"]}
            )


def test_alpha_beside_cr_and_ave_is_psychs_alpha() -> None:
    psych = json.loads((_REFERENCE / "expected" / "reliability_psych.json").read_text(encoding="utf-8"))
    result = _fitted("mobi_CUSA_CUSL_ML")
    alphas = {construct.construct: construct.cronbach_alpha for construct in result.reliability}
    assert alphas["CUSA"] == pytest.approx(psych["mobi"]["CUSA"]["alpha"]["total"]["raw_alpha"], abs=1e-6)
    assert alphas["CUSL"] == pytest.approx(psych["mobi"]["CUSL"]["alpha"]["total"]["raw_alpha"], abs=1e-6)


def test_a_reversed_item_flips_its_loading_and_keeps_the_fit() -> None:
    mobi = _data("mobi.csv")
    constructs = {"SAT": ["CUSA1", "CUSA2", "CUSA3"], "LOY": ["CUSL1", "CUSL2", "CUSL3"]}
    turned = mobi.assign(CUSL3=11 - mobi["CUSL3"])  # as if the questionnaire had asked it the other way round
    plain = confirmatory_factor_analysis(mobi, constructs)
    reversed_back = confirmatory_factor_analysis(turned, constructs, reverse=["CUSL3"], scale=(1, 10))
    assert reversed_back.reversed_items == ("CUSL3",)
    assert reversed_back.fit.chi_square == pytest.approx(plain.fit.chi_square, abs=1e-6)
    np.testing.assert_allclose(
        [loading.standardized_loading for loading in reversed_back.loadings],
        [loading.standardized_loading for loading in plain.loadings],
        atol=1e-6,
    )
    unreversed = confirmatory_factor_analysis(turned, constructs)
    assert unreversed.loadings[-1].standardized_loading == pytest.approx(
        -plain.loadings[-1].standardized_loading, abs=1e-6
    )
    assert unreversed.reliability[1].composite_reliability < plain.reliability[1].composite_reliability
