"""`loyalty measure threshold --data FILE`: the JSON the issue asks for, the table, --by, the plot, and
clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from loyalty.cli import app

REQUIRED_KEYS = {
    "breakpoints",
    "breakpoint_se",
    "slopes",
    "intercept",
    "sse",
    "aic",
    "bic",
    "n",
    "davies_p",
    "pscore_p",
    "selected_breakpoints",
    "zones",
}


def run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["measure", "threshold", *arguments])
    return result.exit_code, result.output


def test_json_on_d1_has_the_issue_keys(reference: Path) -> None:
    code, output = run(
        "--data", str(reference / "data" / "d1_satloy.csv"), "--satisfaction", "S", "--loyalty", "L", "--json"
    )
    assert code == 0, output
    document = json.loads(output)
    assert set(document) >= REQUIRED_KEYS
    assert document["selected_breakpoints"] == 2
    assert document["breakpoints"] == pytest.approx([4.0909, 7.9938], abs=1e-4)
    assert document["davies_p"] == pytest.approx(2.6302e-12, rel=1e-4)
    assert [zone["name"] for zone in document["zones"]] == ["A", "B", "C"]
    assert set(document["zones"][0]) >= {"name", "from", "to", "slope", "share", "mean_loyalty"}
    assert any("scale taken from the answers" in note for note in document["notes"])


def test_mobi_items_as_composites_match_the_r_composites(reference: Path) -> None:
    code, output = run(
        "--data", str(reference / "data" / "mobi.csv"),
        "--satisfaction", "CUSA1,CUSA2,CUSA3",
        "--loyalty", "CUSL1,CUSL3",
        "--satisfaction-scale", "1-10",
        "--loyalty-scale", "1-10",
        "--breakpoints", "1",
        "--min-segment", "0",
        "--json",
    )  # fmt: skip
    assert code == 0, output
    document = json.loads(output)
    profile = json.loads((reference / "expected" / "profile_lse_breakpoints.json").read_text())
    optimum = profile["results"]["mobi_C_x_raw_1to10__y_loy_CUSL1_CUSL3_0to100"]["K1"]["fit"]["sse"]
    assert document["sse"] == pytest.approx(optimum, rel=1e-9)
    assert document["notes"] == []
    quadrants = {row["name"]: row for row in document["jones_sasser_quadrants"]["quadrants"]}
    assert sum(row["count"] for row in quadrants.values()) == 250
    assert document["jones_sasser_quadrants"]["satisfaction_top_box"] == 8.5  # 9–10 of 1–10
    mobi = pd.read_csv(reference / "data" / "mobi.csv")
    satisfied = mobi[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1) >= 8.5
    loyal = mobi[["CUSL1", "CUSL3"]].mean(axis=1) >= 8.5
    assert quadrants["apostle"]["count"] == int((satisfied & loyal).sum())
    assert quadrants["hostage"]["count"] == int((~satisfied & loyal).sum())


def test_table_by_group_bootstrap_and_plot(reference: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(reference / "data" / "d1_satloy.csv")
    frame["region"] = ["north" if i % 2 else "南方" for i in range(len(frame))]
    data = tmp_path / "d1.csv"
    frame.to_csv(data, index=False)
    code, output = run(
        "--data", str(data), "--satisfaction", "S", "--loyalty", "L", "--satisfaction-scale", "1-10",
        "--loyalty-scale", "0-10", "--by", "region", "--bootstrap", "20", "--seed", "5",
        "--plot", str(tmp_path / "zones.svg"),
    )  # fmt: skip
    assert code == 0, output
    assert "region = north" in output
    assert "region = 南方" in output
    assert "bootstrap (20 replicates, seed 5)" in output
    assert (tmp_path / "zones-north.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert (tmp_path / "zones-南方.svg").exists()


@pytest.mark.parametrize(
    ("rows", "arguments", "message"),
    [
        ({"s": [5] * 40, "l": list(range(40))}, [], "satisfaction is constant"),
        ({"s": list(range(12)), "l": list(range(12))}, ["--breakpoints", "2"], "too few for 2 breakpoint"),
        ({"s": [None] * 30, "l": list(range(30))}, [], "every answer is empty"),
        ({"s": ["high", *range(29)], "l": list(range(30))}, [], "'high' is not a number"),
        ({"s": list(range(30)), "l": list(range(30))}, ["--breakpoints", "3"], "Use 0, 1, 2 or auto"),
    ],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path, rows: dict[str, list[object]], arguments: list[str], message: str
) -> None:
    data = tmp_path / "bad.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    code, output = run("--data", str(data), "--satisfaction", "s", "--loyalty", "l", *arguments)
    assert code == 1
    assert output.startswith("Error:")
    assert message in output
    assert "Traceback" not in output


def test_missing_column_names_the_nearest(reference: Path) -> None:
    code, output = run("--data", str(reference / "data" / "mobi.csv"), "--satisfaction", "CUSA", "--loyalty", "CUSL1")
    assert code == 1
    assert "column CUSA" in output
    assert "Did you mean" in output


def test_help_has_an_example() -> None:
    code, output = run("--help")
    assert code == 0
    assert "loyalty measure threshold --data" in output


def test_weights_column_counts_like_repeated_rows(reference: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(reference / "data" / "d1_satloy.csv")
    frame["w"] = [2.0 if i % 4 == 0 else 1.0 for i in range(len(frame))]
    weighted = tmp_path / "weighted.csv"
    frame.to_csv(weighted, index=False)
    repeated = tmp_path / "repeated.csv"
    frame.loc[frame.index.repeat(frame["w"].astype(int))].to_csv(repeated, index=False)
    common = [
        "--satisfaction",
        "S",
        "--loyalty",
        "L",
        "--satisfaction-scale",
        "1-10",
        "--loyalty-scale",
        "0-10",
    ]
    code, output = run("--data", str(weighted), *common, "--weight", "w", "--breakpoints", "2", "--json")
    assert code == 0, output
    code_repeated, output_repeated = run("--data", str(repeated), *common, "--breakpoints", "2", "--json")
    assert code_repeated == 0, output_repeated
    by_weight, by_rows = json.loads(output), json.loads(output_repeated)
    assert by_weight["breakpoints"] == pytest.approx(by_rows["breakpoints"], rel=1e-9)
    assert by_weight["slopes"] == pytest.approx(by_rows["slopes"], rel=1e-9)
    assert [z["share"] for z in by_weight["zones"]] == pytest.approx([z["share"] for z in by_rows["zones"]])


def test_a_group_too_small_is_reported_and_the_others_measured(reference: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(reference / "data" / "d1_satloy.csv")
    frame["shop"] = ["big"] * 190 + ["tiny"] * 10
    data = tmp_path / "shops.csv"
    frame.to_csv(data, index=False)
    arguments = ["--data", str(data), "--satisfaction", "S", "--loyalty", "L", "--by", "shop"]
    code, output = run(*arguments, "--breakpoints", "2", "--json")
    assert code == 0, output
    document = json.loads(output)
    groups = {group["group"]: group for group in document["groups"]}
    assert groups["big"]["selected_breakpoints"] == 2
    assert "too few for 2 breakpoint" in groups["tiny"]["error"]
    assert any(note.startswith("shop = tiny not measured") for note in document["notes"])
    frame["shop"] = ["a"] * 100 + ["b"] * 100
    frame.to_csv(data, index=False)
    code, output = run(*arguments, "--min-segment", "60", "--breakpoints", "2")
    assert code == 1
    assert "no group of shop can be measured" in output


def test_missing_weight_is_an_error_not_a_dropped_row(reference: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(reference / "data" / "d1_satloy.csv")
    frame["w"] = 1.0
    frame.loc[7, "w"] = None
    data = tmp_path / "w.csv"
    frame.to_csv(data, index=False)
    code, output = run("--data", str(data), "--satisfaction", "S", "--loyalty", "L", "--weight", "w")
    assert code == 1
    assert "weights must be positive numbers; positions [7]" in output
