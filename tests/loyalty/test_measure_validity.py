"""`loyalty measure validity` on a data file, checked against lavaan 0.6-14 / semTools 0.5-6 through the
command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from loyalty.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def lavaan(reference: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((reference / "expected" / "lavaan_cfa.json").read_text("utf-8"))
    return loaded


def _validity(reference: Path, *arguments: str) -> Any:
    return runner.invoke(app, ["measure", "validity", "--data", str(reference / "data" / "mobi.csv"), *arguments])


def test_json_gives_fit_loadings_reliability_and_htmt(reference: Path, lavaan: dict[str, Any]) -> None:
    result = _validity(
        reference, "--construct", "CUSA=CUSA1,CUSA2,CUSA3", "--construct", "CUSL=CUSL1,CUSL2,CUSL3", "--json"
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    expected = lavaan["models"]["mobi_CUSA_CUSL_ML"]
    fit = output["fit"]
    for ours, theirs in [
        ("chi_square", "chisq"),
        ("cfi", "cfi"),
        ("tli", "tli"),
        ("rmsea", "rmsea"),
        ("rmsea_ci_low", "rmsea.ci.lower"),
        ("rmsea_ci_high", "rmsea.ci.upper"),
        ("srmr", "srmr"),
    ]:
        assert fit[ours] == pytest.approx(expected["fit_measures"][theirs], abs=1e-3), ours
    assert fit["df"] == 8
    assert [loading["standardized_loading"] for loading in output["loadings"]] == pytest.approx(
        [row["est.std"] for row in expected["loadings"]], abs=1e-3
    )
    reliability = {row["construct"]: row for row in output["reliability"]}
    assert reliability["CUSA"]["composite_reliability"] == pytest.approx(
        expected["composite_reliability_fornell_larcker"]["CUSA"], abs=1e-3
    )
    assert reliability["CUSL"]["average_variance_extracted"] == pytest.approx(
        expected["ave_fornell_larcker"]["CUSL"], abs=1e-3
    )
    assert output["heterotrait_monotrait"][0]["construct_a"] == "CUSA"
    assert output["n"] == 250
    assert output["missing_data"] == "listwise"
    assert output["bartlett_sphericity"]["df"] == 15
    assert len(output["kaiser_meyer_olkin"]["items"]) == 6


def test_readable_table(reference: Path) -> None:
    result = _validity(reference, "--construct", "SAT=CUSA1,CUSA2,CUSA3", "--construct", "LOY=CUSL1,CUSL2,CUSL3")
    assert result.exit_code == 0, result.output
    assert "CFI 0.988" in result.output
    assert "SAT – LOY" in result.output


def test_a_malformed_construct_is_an_input_error(reference: Path) -> None:
    result = _validity(reference, "--construct", "SAT=CUSA1,CUSA2,CUSA3", "--construct", "LOY")
    assert result.exit_code == 1
    assert "'LOY' is not NAME=ITEM,ITEM" in result.output


def test_an_item_in_two_constructs_is_an_input_error(reference: Path) -> None:
    result = _validity(reference, "--construct", "SAT=CUSA1,CUSA2,CUSA3", "--construct", "LOY=CUSA3,CUSL1,CUSL3")
    assert result.exit_code == 1
    assert "CUSA3 is in both SAT and LOY" in result.output


def test_a_misspelt_item_names_the_nearest_column(reference: Path) -> None:
    result = _validity(reference, "--construct", "SAT=CUSA1,CUSA2,CUSA5", "--construct", "LOY=CUSL1,CUSL2,CUSL3")
    assert result.exit_code == 1
    assert "column CUSA5: is not in the file." in result.output


def test_robust_adds_the_mlr_indices(reference: Path, lavaan: dict[str, Any]) -> None:
    constructs = []
    for line in lavaan["models"]["mobi_6factor_MLR"]["model"].strip().splitlines():
        name, items = line.split("=~")
        constructs.append(f"--construct={name.strip()}={','.join(item.strip() for item in items.split('+'))}")
    result = _validity(reference, *constructs, "--robust", "--json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    expected = lavaan["models"]["mobi_6factor_MLR"]["fit_measures"]
    assert output["estimator"] == "MLR"
    assert output["robust_fit"]["chi_square_scaled"] == pytest.approx(expected["chisq.scaled"], abs=1e-3)
    assert output["robust_fit"]["cfi_robust"] == pytest.approx(expected["cfi.robust"], abs=1e-3)
    assert output["robust_fit"]["rmsea_robust"] == pytest.approx(expected["rmsea.robust"], abs=1e-3)
