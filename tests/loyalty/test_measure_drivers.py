"""`loyalty measure drivers`: derived importance, IPA and PRCA of a data file in one command."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from loyalty.cli import app

runner = CliRunner()


def test_d4_classes_and_json_keys(reference: Path) -> None:
    data = reference / "data" / "d4_prca.csv"
    result = runner.invoke(
        app, ["measure", "drivers", "--data", str(data), "--outcome", "Y", "--attributes", "A,B,C", "--json"]
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert set(output) >= {"derived_importance", "importance_performance", "penalty_reward"}
    classes = [a["three_factor_class"] for a in output["penalty_reward"]["attributes"]]
    assert classes == ["basic", "performance", "excitement"]  # METHODS §2.3, boxes 1–2 / 5 from the scale
    assert output["penalty_reward"]["r_squared"] == pytest.approx(0.902365, abs=5e-7)
    shares = [a["relative_weight_share"] for a in output["derived_importance"]["attributes"]]
    assert sum(shares) == pytest.approx(100.0)


def test_stated_importance_and_bootstrap(tmp_path: Path) -> None:
    data = tmp_path / "answers.csv"
    rows = []
    for i in range(60):
        staff = 1 + int(5 * ((0.6180339887498949 * i) % 1))
        price = 1 + int(5 * ((0.7548776662466927 * i + 0.3) % 1))
        rows.append({"overall": staff + 0.3 * price + (i % 3) * 0.5, "staff": staff, "price": price})
        rows[-1].update({"imp_staff": 5 - i % 2, "imp_price": 3 + i % 2})
    pd.DataFrame(rows).to_csv(data, index=False)
    arguments = [
        "measure",
        "drivers",
        "--data",
        str(data),
        "--outcome",
        "overall",
        "--attributes",
        "staff,price",
    ]
    arguments += ["--importance-columns", "imp_staff,imp_price", "--bootstrap", "30", "--seed", "4", "--json"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    grid = output["importance_performance"]
    assert grid["importance_source"] == "stated"
    assert [a["importance"] for a in grid["attributes"]] == pytest.approx([4.5, 3.5])
    importance = output["derived_importance"]
    assert importance["seed"] == 4
    assert importance["attributes"][0]["lmg_ci_low"] is not None


def test_readable_table_without_json(reference: Path) -> None:
    data = reference / "data" / "d4_prca.csv"
    result = runner.invoke(app, ["measure", "drivers", "--data", str(data), "--outcome", "Y", "--attributes", "A,B,C"])
    assert result.exit_code == 0, result.output
    assert "excitement" in result.output
    assert "IPA quadrant" in result.output


def test_unknown_attribute_column_is_named(reference: Path) -> None:
    data = reference / "data" / "d4_prca.csv"
    result = runner.invoke(app, ["measure", "drivers", "--data", str(data), "--outcome", "Y", "--attributes", "A,B,D"])
    assert result.exit_code == 1
    assert "column D: is not in the file." in result.output


def test_scale_without_conventional_boxes_asks_for_them(tmp_path: Path) -> None:
    data = tmp_path / "answers.csv"
    pd.DataFrame({"y": [1, 2, 3, 4, 5, 6, 2, 3], "a": [1, 2, 3, 4, 6, 6, 2, 1], "b": [6, 5, 4, 3, 2, 1, 2, 3]}).to_csv(
        data, index=False
    )
    result = runner.invoke(app, ["measure", "drivers", "--data", str(data), "--outcome", "y", "--attributes", "a,b"])
    assert result.exit_code == 1
    assert "no conventional boxes for a scale topping at 6" in result.output


def test_kano_pairs_are_evaluated(tmp_path: Path, reference: Path) -> None:
    frame = pd.read_csv(reference / "data" / "d4_prca.csv")
    # functional "like" (1) for everyone; dysfunctional "dislike" (5) for the first 200, "neutral" (3) after
    frame["kf"] = 1
    frame["kd"] = [5] * 200 + [3] * 100
    data = tmp_path / "d4_kano.csv"
    frame.to_csv(data, index=False)
    arguments = ["measure", "drivers", "--data", str(data), "--outcome", "Y", "--attributes", "A,B,C"]
    result = runner.invoke(app, [*arguments, "--kano", "wifi=kf:kd", "--json"])
    assert result.exit_code == 0, result.output
    kano = json.loads(result.output)["kano"][0]
    assert (kano["one_dimensional"], kano["attractive"]) == (200, 100)
    assert kano["category"] == "one-dimensional"
    assert kano["satisfaction_coefficient"] == pytest.approx(1.0)
    assert kano["dissatisfaction_coefficient"] == pytest.approx(-2 / 3)


def test_flagged_responses_are_left_out_and_reported(tmp_path: Path, reference: Path) -> None:
    frame = pd.read_csv(reference / "data" / "d4_prca.csv")
    frame["quality_reasons"] = ["straightlining" if i % 50 == 0 else "" for i in range(len(frame))]
    data = tmp_path / "screened.csv"
    frame.to_csv(data, index=False)
    arguments = ["measure", "drivers", "--data", str(data), "--outcome", "Y", "--attributes", "A,B,C"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert "6 flagged responses left out (straightlining 6); --include-flagged keeps them" in result.output
    output = json.loads(runner.invoke(app, [*arguments, "--json"]).output)
    assert output["derived_importance"]["n"] == 294
    included = json.loads(runner.invoke(app, [*arguments, "--json", "--include-flagged"]).output)
    assert included["derived_importance"]["n"] == 300


def test_asymmetric_ipa_uses_the_range_of_impact(reference: Path) -> None:
    data = reference / "data" / "d4_prca.csv"
    arguments = ["measure", "drivers", "--data", str(data), "--outcome", "Y", "--attributes", "A,B,C"]
    output = json.loads(runner.invoke(app, [*arguments, "--ipa-importance", "range-of-impact", "--json"]).output)
    grid = output["importance_performance"]
    ranges = [a["range_of_impact"] for a in output["penalty_reward"]["attributes"]]
    assert [a["importance"] for a in grid["attributes"]] == pytest.approx(ranges)
    assert grid["importance_source"].startswith("range of impact")
    # METHODS §2.3: RIOCS = penalty + reward, A 1.18167 + 0.19783
    assert ranges[0] == pytest.approx(1.18167 + 0.19783, abs=1e-5)


def test_unknown_ipa_importance_is_an_input_error(reference: Path) -> None:
    data = reference / "data" / "d4_prca.csv"
    arguments = ["measure", "drivers", "--data", str(data), "--outcome", "Y", "--attributes", "A,B,C"]
    result = runner.invoke(app, [*arguments, "--ipa-importance", "stated"])
    assert result.exit_code == 1
    assert "--importance-columns: is missing." in result.output
