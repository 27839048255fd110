"""`loyalty measure reliability` on a data file, checked against psych 2.2.9 through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from loyalty.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def psych(reference: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((reference / "expected" / "reliability_psych.json").read_text("utf-8"))
    return loaded


def test_json_gives_alpha_intervals_and_item_analysis(reference: Path, psych: dict[str, Any]) -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "reliability",
            "--data",
            str(reference / "data" / "mobi.csv"),
            "--items",
            "CUSA1,CUSA2,CUSA3",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Cronbach's alpha" in result.output
    assert "McDonald's omega total" in result.output
    json_result = runner.invoke(
        app,
        [
            "measure",
            "reliability",
            "--data",
            str(reference / "data" / "mobi.csv"),
            "--items",
            "CUSA1,CUSA2,CUSA3",
            "--json",
        ],
    )
    assert json_result.exit_code == 0, json_result.output
    output = json.loads(json_result.output)
    expected = psych["mobi"]["CUSA"]["alpha"]
    assert output["alpha"] == pytest.approx(expected["total"]["raw_alpha"], abs=1e-6)
    assert output["alpha_standardized"] == pytest.approx(expected["total"]["std.alpha"], abs=1e-6)
    assert output["alpha_ci_low"] == pytest.approx(expected["feldt_95"]["lower"], abs=1e-4)
    assert output["alpha_ci_high"] == pytest.approx(expected["feldt_95"]["upper"], abs=1e-4)
    assert output["n"] == 250
    assert output["missing_data"] == "pairwise"
    omega = psych["mobi"]["CUSA"]["omega_cor"]
    assert output["omega_total"] == pytest.approx(omega["omega_total"], abs=1e-3)
    items = output["item_statistics"]
    assert [item["item"] for item in items] == ["CUSA1", "CUSA2", "CUSA3"]
    assert [item["item_rest_r"] for item in items] == pytest.approx(
        [row["r.drop"] for row in expected["item_stats"]], abs=1e-6
    )
    assert [item["alpha_if_deleted"] for item in items] == pytest.approx(
        [row["raw_alpha"] for row in expected["alpha_drop"]], abs=1e-6
    )


def test_reverse_and_listwise_options(reference: Path, psych: dict[str, Any]) -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "reliability",
            "--data",
            str(reference / "data" / "psych_bfi.csv"),
            "--items",
            "C1,C2,C3,C4,C5",
            "--reverse",
            "C4,C5",
            "--scale",
            "1-6",
            "--listwise",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    expected = psych["bfi_complete_case"]["C_cc"]["alpha"]
    assert output["reversed_items"] == ["C4", "C5"]
    assert output["missing_data"] == "listwise"
    assert output["n"] == expected["n_rows"]
    assert output["alpha"] == pytest.approx(expected["total"]["raw_alpha"], abs=1e-6)


def test_reverse_without_scale_is_an_input_error(reference: Path) -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "reliability",
            "--data",
            str(reference / "data" / "psych_bfi.csv"),
            "--items",
            "A1,A2,A3",
            "--reverse",
            "A1",
        ],
    )
    assert result.exit_code == 1
    assert "scale is missing" in result.output


def test_a_misspelt_item_is_reported_with_the_nearest_column(reference: Path) -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "reliability",
            "--data",
            str(reference / "data" / "mobi.csv"),
            "--items",
            "CUSA1,CUSA2,CUSA4",
        ],
    )
    assert result.exit_code == 1
    assert 'column CUSA4: is not in the file. Did you mean "CUSA3"?' in result.output


def test_an_unreadable_scale_is_an_input_error(reference: Path) -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "reliability",
            "--data",
            str(reference / "data" / "mobi.csv"),
            "--items",
            "CUSA1,CUSA2",
            "--reverse",
            "CUSA1",
            "--scale",
            "10-1",
        ],
    )
    assert result.exit_code == 1
    assert "Write it as low-high" in result.output


def test_groups_adds_omega_hierarchical(reference: Path, psych: dict[str, Any]) -> None:
    items = ",".join(f"{trait}{i}" for trait in "ACENO" for i in range(1, 6))
    result = runner.invoke(
        app,
        [
            "measure",
            "reliability",
            "--data",
            str(reference / "data" / "psych_bfi.csv"),
            "--items",
            items,
            "--reverse",
            "A1,C4,C5,E1,E2,O2,O5",
            "--scale",
            "1-6",
            "--groups",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    hierarchical = json.loads(result.output)["omega_hierarchical"]
    expected = psych["bfi_omega_hierarchical_25items"]
    assert hierarchical["omega_hierarchical"] == pytest.approx(expected["omega_h"], abs=1e-3)
    assert hierarchical["omega_total"] == pytest.approx(expected["omega_total"], abs=1e-3)
