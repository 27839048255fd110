"""`loyalty measure weights`: rakes a data file to a margins file and reports what survey::rake reports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from loyalty.cli import app

runner = CliRunner()


@pytest.fixture
def synthetic(reference: Path) -> tuple[Path, Path]:
    synthetic = reference / "data" / "synthetic"
    return synthetic / "synth_raking_n3000.csv", synthetic / "synth_raking_margins.json"


def test_json_gives_weights_summary_and_weighted_mean_as_survey(synthetic: tuple[Path, Path], reference: Path) -> None:
    data, margins = synthetic
    result = runner.invoke(
        app,
        [
            "measure",
            "weights",
            "--data",
            str(data),
            "--margins",
            str(margins),
            "--variable",
            "satisfaction",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    expected = json.loads((reference / "expected" / "survey_raking.json").read_text())
    summary = output["weights"]["summary"]
    diagnostics = expected["raked_weights"]["diagnostics"]
    assert summary["minimum"] == pytest.approx(diagnostics["min"], rel=1e-6)
    assert summary["maximum"] == pytest.approx(diagnostics["max"], rel=1e-6)
    assert summary["design_effect"] == pytest.approx(diagnostics["kish_deff"], rel=1e-6)
    assert summary["effective_sample_size"] == pytest.approx(diagnostics["kish_n_eff"], rel=1e-6)
    assert output["weights"]["converged"] is True
    assert output["weights"]["iterations"] >= 1
    assert output["weighted_mean"] == pytest.approx(6.86511, abs=1e-5)
    assert output["standard_error"] == pytest.approx(0.03653, abs=1e-4)
    assert output["standard_error_fixed_weights"] == pytest.approx(0.0402, abs=1e-4)


def test_writes_weights_to_csv_and_reads_yaml_shares(
    tmp_path: Path, synthetic: tuple[Path, Path], reference: Path
) -> None:
    data, _ = synthetic
    margins = tmp_path / "margins.yaml"
    margins.write_text(
        "# shares, scaled to the population total\n"
        "population_total: 1000000\n"
        'age_group: {"18-34": 0.28, "35-49": 0.26, "50-64": 0.25, "65+": 0.21}\n'
        "region: {North: 0.30, South: 0.25, East: 0.25, West: 0.20}\n",
        encoding="utf-8",
    )
    output = tmp_path / "weighted.csv"
    result = runner.invoke(
        app, ["measure", "weights", "--data", str(data), "--margins", str(margins), "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "design effect 1.2263" in result.output
    written = pd.read_csv(output)
    expected = pd.read_csv(reference / "expected" / "survey_raking_weights_synth_n3000.csv")
    assert written["weight"].to_numpy() == pytest.approx(expected["weight"].to_numpy(), rel=1e-6)


def test_trim_reports_trimmed_respondents(synthetic: tuple[Path, Path]) -> None:
    data, margins = synthetic
    result = runner.invoke(
        app,
        [
            "measure",
            "weights",
            "--data",
            str(data),
            "--margins",
            str(margins),
            "--trim",
            "0.55,2.2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    weights = json.loads(result.output)["weights"]
    assert weights["trimmed_count"] > 0
    assert weights["summary"]["maximum"] <= 2.2 * 1e6 / 3000 * (1 + 1e-9)


def test_margin_variable_missing_from_the_data_is_named(tmp_path: Path, synthetic: tuple[Path, Path]) -> None:
    data, _ = synthetic
    margins = tmp_path / "margins.yaml"
    margins.write_text("regoin: {North: 0.5, South: 0.5}\n", encoding="utf-8")
    result = runner.invoke(app, ["measure", "weights", "--data", str(data), "--margins", str(margins)])
    assert result.exit_code == 1
    assert 'column regoin: is named in the margins but not in the file. Did you mean "region"?' in result.output


def test_bad_figures_in_the_margins_file_are_all_reported(tmp_path: Path, synthetic: tuple[Path, Path]) -> None:
    data, _ = synthetic
    margins = tmp_path / "margins.yaml"
    margins.write_text("region: {North: lots, South: -2}\npopulation_total: 0\n", encoding="utf-8")
    result = runner.invoke(app, ["measure", "weights", "--data", str(data), "--margins", str(margins)])
    assert result.exit_code == 1
    assert "margins.yaml has 3 problem(s)" in result.output
    assert "margins.yaml, region, North: 'lots' is not a number." in result.output


def test_category_without_target_is_an_input_error(tmp_path: Path, synthetic: tuple[Path, Path]) -> None:
    data, _ = synthetic
    margins = tmp_path / "margins.yaml"
    margins.write_text("region: {North: 0.5, South: 0.5}\n", encoding="utf-8")
    result = runner.invoke(app, ["measure", "weights", "--data", str(data), "--margins", str(margins)])
    assert result.exit_code == 1
    assert "categories ['East', 'West'] occur in the data but have no target" in result.output


def test_flagged_responses_are_left_out_unless_included(tmp_path: Path, synthetic: tuple[Path, Path]) -> None:
    data, margins = synthetic
    frame = pd.read_csv(data)
    frame["quality_reasons"] = ""
    frame.loc[:9, "quality_reasons"] = "speeder"
    frame.loc[10:11, "quality_reasons"] = "speeder;bot_pattern"
    screened = tmp_path / "screened.csv"
    frame.to_csv(screened, index=False)
    base = ["measure", "weights", "--data", str(screened), "--margins", str(margins), "--json"]
    output = tmp_path / "weighted.csv"
    left_out = json.loads(runner.invoke(app, [*base, "--output", str(output)]).output)
    assert left_out["weights"]["summary"]["n"] == 2988
    assert left_out["flagged_responses"] == {
        "column": "quality_reasons",
        "flagged": 12,
        "excluded": 12,
        "by_reason": {"bot_pattern": 2, "speeder": 12},
    }
    written = pd.read_csv(output)
    assert len(written) == 3000  # every row written; the flagged ones without a weight
    assert written["weight"].isna().sum() == 12
    kept = json.loads(runner.invoke(app, [*base, "--include-flagged"]).output)
    assert kept["weights"]["summary"]["n"] == 3000
    assert kept["flagged_responses"]["excluded"] == 0


def test_cells_of_two_variables_post_stratify_as_methods_d3(tmp_path: Path, reference: Path) -> None:
    margins = tmp_path / "cells.yaml"
    margins.write_text(
        '"gender*age": {"F*A1": 1800, "F*A2": 2000, "F*A3": 1400,\n'
        '               "M*A1": 1200, "M*A2": 2500, "M*A3": 1100}\n',
        encoding="utf-8",
    )
    data = reference / "data" / "d3_rake.csv"
    arguments = [
        "measure",
        "weights",
        "--data",
        str(data),
        "--margins",
        str(margins),
        "--variable",
        "y",
        "--json",
    ]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["weights"]["method"] == "post-stratification"
    assert output["weights"]["summary"]["maximum"] == pytest.approx(360.0)
    assert output["weighted_mean"] == pytest.approx(5.9406, abs=5e-5)
    assert output["standard_error"] == pytest.approx(0.3402, abs=5e-5)
