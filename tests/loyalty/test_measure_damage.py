"""`loyalty measure damage` as a user runs it: on a survey CSV, as a calculator, with errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from loyalty.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
PATH_OPTIONS = [
    "--problem-column",
    "had_problem",
    "--complained-column",
    "complained",
    "--resolved-column",
    "resolved",
    "--repurchase-column",
    "buy_again",
]


def test_methods_vector_as_a_calculator_without_a_survey() -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "damage",
            "--customers",
            "100000",
            "--annual-value",
            "500",
            "--problem-rate",
            "0.25",
            "--complaint-rate",
            "0.30",
            "--resolution-rate",
            "0.60",
            "--repurchase-no-problem",
            "0.83",
            "--repurchase-no-complaint",
            "0.50",
            "--repurchase-resolved",
            "0.90",
            "--repurchase-unresolved",
            "0.40",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["paths"] is None
    assert {rate["source"] for rate in output["rates"]} == {"override"}
    damage = output["damage"]
    assert damage["lost_customers"] == pytest.approx(6_750, abs=1e-6)
    assert damage["revenue_at_risk"] == pytest.approx(3_375_000, abs=1e-4)
    assert damage["loss_per_complaint_rate"] == pytest.approx(-5_000, abs=1e-6)
    assert damage["loss_per_resolution_rate"] == pytest.approx(-3_750, abs=1e-6)


def test_the_documented_survey_example(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "damage",
            "--data",
            str(EXAMPLES / "complaints.csv"),
            *PATH_OPTIONS,
            "--repurchase-min",
            "4",
            "--customers",
            "100000",
            "--annual-value",
            "500",
            "--what-if",
            "resolution-rate=0.7,0.8",
            "--problem-type-column",
            "problem_type",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    groups = {row["group"]: row for row in output["paths"]["groups"]}
    # the example file: 350 without a problem (294 rate 4–5), 80 silent (40), 42 resolved (38), 28 not (10)
    assert groups["no_problem"]["repurchase_rate"] == pytest.approx(294 / 350)
    assert groups["complained_unresolved"]["n"] == 28
    assert groups["complained_unresolved"]["small_cell"]
    rates = {rate["name"]: rate for rate in output["rates"]}
    assert rates["problem_rate"]["value"] == pytest.approx(150 / 500)
    assert rates["complaint_rate"]["value"] == pytest.approx(70 / 150)
    assert [row["value"] for row in output["damage"]["what_if"]] == [0.7, 0.8]
    assert len(output["problem_types"]) == 3


def test_yes_no_answers_in_chinese_and_an_override(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "had_problem": ["否", "否", "是", "是", "是"],
            "complained": ["", "", "否", "是", "是"],
            "resolved": ["", "", "", "是", "否"],
            "buy_again": ["是", "是", "否", "是", "否"],
        }
    )
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(
        app,
        [
            "measure",
            "damage",
            "--data",
            str(path),
            *PATH_OPTIONS,
            "--customers",
            "1000",
            "--annual-value",
            "100",
            "--repurchase-unresolved",
            "0.2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rates = {rate["name"]: rate for rate in json.loads(result.output)["rates"]}
    assert rates["complained_unresolved"] == {
        "name": "complained_unresolved",
        "value": 0.2,
        "source": "override",
    }
    assert rates["complaint_rate"]["value"] == pytest.approx(2 / 3)


def test_an_answer_that_is_not_yes_or_no_is_reported_with_its_row(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"had_problem": ["no", "maybe"], "complained": ["", ""], "resolved": ["", ""], "buy_again": [1, 0]}
    )
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(
        app,
        [
            "measure",
            "damage",
            "--data",
            str(path),
            *PATH_OPTIONS,
            "--customers",
            "1000",
            "--annual-value",
            "100",
        ],
    )
    assert result.exit_code == 1
    assert "row 3, column had_problem: 'maybe' is not a yes/no answer." in result.output


def test_a_rate_given_as_a_percentage_is_refused() -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "damage",
            "--customers",
            "1000",
            "--annual-value",
            "100",
            "--problem-rate",
            "25",
            "--resolution-rate",
            "0.5",
        ],
    )
    assert result.exit_code == 1
    assert "problem_rate: 25 is not a proportion between 0 and 1" in result.output


def test_without_a_survey_the_rates_without_a_default_must_be_given() -> None:
    result = runner.invoke(app, ["measure", "damage", "--customers", "1000", "--annual-value", "100"])
    assert result.exit_code == 1
    assert "problem_rate, resolution_rate: the survey does not estimate it" in result.output


def test_a_what_if_on_an_unknown_rate_lists_the_names() -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "damage",
            "--customers",
            "1000",
            "--annual-value",
            "100",
            "--problem-rate",
            "0.2",
            "--resolution-rate",
            "0.5",
            "--what-if",
            "churn=0.1",
        ],
    )
    assert result.exit_code == 1
    assert "complaint-rate" in result.output


def test_the_readable_table() -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "damage",
            "--data",
            str(EXAMPLES / "complaints.csv"),
            *PATH_OPTIONS,
            "--repurchase-min",
            "4",
            "--customers",
            "100000",
            "--annual-value",
            "500",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Repurchase by complaint path" in result.output
    # 100,000·0.3·[(80/150)(0.84−0.5) + (70/150)(0.6)(0.84−38/42) + (70/150)(0.4)(0.84−10/28)] = 7,600
    assert "lost customers 7,600" in result.output


def test_weights_change_the_survey_rates(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "had_problem": ["no", "no", "yes", "yes"],
            "complained": ["", "", "yes", "yes"],
            "resolved": ["", "", "yes", "no"],
            "buy_again": ["yes", "no", "yes", "no"],
            "w": [3, 1, 1, 1],
        }
    )
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(
        app,
        [
            "measure",
            "damage",
            "--data",
            str(path),
            *PATH_OPTIONS,
            "--weights",
            "w",
            "--customers",
            "1000",
            "--annual-value",
            "100",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    groups = {row["group"]: row for row in output["paths"]["groups"]}
    assert groups["no_problem"]["repurchase_rate"] == pytest.approx(0.75)  # (3·1 + 1·0)/4
    assert output["paths"]["problem_rate"]["estimate"] == pytest.approx(2 / 6)
    assert output["paths"]["weighted"]
