"""`loyalty measure nps` as a user runs it on a CSV: JSON keys, segments, waves, panel, and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from loyalty.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "answers.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def two_waves() -> pd.DataFrame:
    """METHODS §4.1: wave 1 has 90/60/50 promoters/passives/detractors, wave 2 100/90/60."""
    first = [10] * 90 + [8] * 60 + [2] * 50
    second = [9] * 100 + [7] * 90 + [0] * 60
    return pd.DataFrame({"q7_recommend": first + second, "wave": ["2026-Q1"] * 200 + ["2026-Q2"] * 250})


def test_json_has_the_score_its_interval_and_the_three_groups(tmp_path: Path) -> None:
    path = write(tmp_path, two_waves().head(200))
    result = runner.invoke(app, ["measure", "nps", "--data", str(path), "--column", "q7_recommend", "--json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["score"] == pytest.approx(20.0, abs=1e-9)
    assert output["standard_error"] == pytest.approx(5.7446, abs=5e-5)
    assert output["ci_low"] == pytest.approx(8.741, abs=5e-4)
    assert output["ci_high"] == pytest.approx(31.259, abs=5e-4)
    assert (output["n"], output["promoters"], output["passives"], output["detractors"]) == (200, 90, 60, 50)
    assert output["promoter_share"] == pytest.approx(0.45)


def test_adjusted_wald_from_the_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, two_waves().head(200))
    result = runner.invoke(
        app,
        [
            "measure",
            "nps",
            "--data",
            str(path),
            "--column",
            "q7_recommend",
            "--method",
            "adjusted-wald",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ci_low"] == pytest.approx(8.544, abs=5e-4)


def test_wave_column_compares_the_last_two_waves(tmp_path: Path) -> None:
    frame = pd.concat([two_waves(), pd.DataFrame({"q7_recommend": [5, 10], "wave": ["2025-Q4"] * 2})])
    path = write(tmp_path, frame)
    result = runner.invoke(
        app,
        [
            "measure",
            "nps",
            "--data",
            str(path),
            "--column",
            "q7_recommend",
            "--wave-column",
            "wave",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["wave"] == "2026-Q2"
    assert output["score"] == pytest.approx(16.0, abs=1e-9)
    assert [row["wave"] for row in output["waves"]] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    change = output["change"]
    assert (change["earlier_wave"], change["later_wave"]) == ("2026-Q1", "2026-Q2")
    assert change["change"] == pytest.approx(-4.0, abs=1e-9)
    assert change["standard_error"] == pytest.approx(7.5879, abs=5e-5)
    assert change["p_value"] == pytest.approx(0.598, abs=5e-4)


def test_waves_option_picks_the_two_waves(tmp_path: Path) -> None:
    frame = pd.concat([two_waves(), pd.DataFrame({"q7_recommend": [5, 10], "wave": ["2025-Q4"] * 2})])
    path = write(tmp_path, frame)
    result = runner.invoke(
        app,
        [
            "measure",
            "nps",
            "--data",
            str(path),
            "--column",
            "q7_recommend",
            "--wave-column",
            "wave",
            "--waves",
            "2025-Q4,2026-Q1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["change"]["later_wave"] == "2026-Q1"


def test_panel_respondents_are_compared_paired(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "a", "b", "c", "e"],
            "wave": [1, 1, 1, 1, 2, 2, 2, 2],
            "rec": [10, 6, 8, 9, 10, 9, 6, 3],
        }
    )
    result = runner.invoke(
        app,
        [
            "measure",
            "nps",
            "--data",
            str(write(tmp_path, frame)),
            "--column",
            "rec",
            "--wave-column",
            "wave",
            "--respondent-column",
            "id",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    change = json.loads(result.output)["change"]
    assert change["paired"]
    assert change["earlier"]["n"] == 3  # a, b, c answered both waves
    # a: +1→+1, b: −1→+1, c: 0→−1: differences 0, +2, −1 → mean +1/3
    assert change["change"] == pytest.approx(100 / 3, abs=1e-9)


def test_by_gives_a_score_per_segment_and_flags_small_bases(tmp_path: Path) -> None:
    frame = two_waves().head(200).assign(region=["north", "south"] * 100)
    frame.loc[:9, "region"] = "west"
    result = runner.invoke(
        app,
        [
            "measure",
            "nps",
            "--data",
            str(write(tmp_path, frame)),
            "--column",
            "q7_recommend",
            "--by",
            "region",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    segments = {row["segment"]: row for row in json.loads(result.output)["segments"]}
    assert sorted(segments) == ["north", "south", "west"]
    assert segments["west"]["insufficient_base"]
    assert segments["west"]["score"] == pytest.approx(100.0)


def test_weighted_score_of_the_raking_reference(tmp_path: Path, reference: Path) -> None:
    data = pd.read_csv(reference / "data" / "synthetic" / "synth_raking_n3000.csv")
    weights = pd.read_csv(reference / "expected" / "survey_raking_weights_synth_n3000.csv")
    path = write(tmp_path, data.merge(weights, on="id"))
    result = runner.invoke(
        app,
        ["measure", "nps", "--data", str(path), "--column", "satisfaction", "--weights", "weight", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["score"] == pytest.approx(-20.96, abs=5e-3)


def test_a_recommend_column_that_is_not_zero_to_ten_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, pd.DataFrame({"recommend": [1, 5, 7, 11, 12]}))
    result = runner.invoke(app, ["measure", "nps", "--data", str(path), "--column", "recommend"])
    assert result.exit_code == 1
    assert "whole-number ratings from 0 to 10" in result.output
    assert "found 11, 12" in result.output


def test_a_declared_five_point_item_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, pd.DataFrame({"recommend": [1, 5, 3]}))
    result = runner.invoke(app, ["measure", "nps", "--data", str(path), "--column", "recommend", "--scale", "1-5"])
    assert result.exit_code == 1
    assert "NPS is defined only on the 0–10 likelihood-to-recommend item" in result.output


def test_a_misspelt_column_is_named_with_the_nearest(tmp_path: Path) -> None:
    path = write(tmp_path, pd.DataFrame({"recommend": [1, 5, 7], "region": ["a", "b", "a"]}))
    result = runner.invoke(app, ["measure", "nps", "--data", str(path), "--column", "recomend", "--by", "regoin"])
    assert result.exit_code == 1
    assert 'Did you mean "recommend"?' in result.output
    assert 'Did you mean "region"?' in result.output


def test_customer_loyalty_index_is_added_when_its_items_are_named(tmp_path: Path) -> None:
    frame = pd.DataFrame({"rec": [10, 6], "again": [5, 1], "more": [4, 2]})
    result = runner.invoke(
        app,
        [
            "measure",
            "nps",
            "--data",
            str(write(tmp_path, frame)),
            "--column",
            "rec",
            "--repurchase-column",
            "again",
            "--other-products-column",
            "more",
            "--loyalty-scale",
            "1-5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    index = json.loads(result.output)["customer_loyalty_index"]
    # respondent 1: (100 + 100 + 75)/3, respondent 2: (60 + 0 + 25)/3
    assert index["index"] == pytest.approx((275 / 3 + 85 / 3) / 2, rel=1e-12)


def test_the_documented_example_runs_and_prints_a_table() -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "nps",
            "--data",
            str(EXAMPLES / "nps_waves.csv"),
            "--column",
            "recommend",
            "--wave-column",
            "quarter",
            "--by",
            "region",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "NPS of recommend, wave 2026-Q2" in result.output
    assert "change 2026-Q1 → 2026-Q2" in result.output
