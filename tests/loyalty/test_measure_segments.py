"""`loyalty measure segments …` as a user runs it on CSV files: classes, transitions, options, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from loyalty.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def run(*arguments: str) -> Any:
    result = runner.invoke(app, ["measure", "segments", *arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def write(tmp_path: Path, frame: pd.DataFrame) -> str:
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    return str(path)


LADDER = pd.DataFrame(
    {
        "id": ["a", "b", "c", "d", "e", "f", "a", "b", "c", "d", "e", "f"],
        "wave": ["W1"] * 6 + ["W2"] * 6,
        "purchases": [0, 0, 1, 5, 9, 9, 1, 0, 3, 9, 9, 9],
        "months": [None, None, 1, 2, 1, 1, 1, None, 1, 1, 1, 14],
        "recommend": [None, None, 8, 7, 9, 10, 9, None, 6, 9, 10, 3],
        "referrals": [0, 0, 0, 0, 2, 1, 0, 0, 0, 1, 3, 0],
        "q1": [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1],
        "q2": [0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1],
        "q3": [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0],
        "q4": [0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0],
        "wallet": [0, 0, 0.1, 0.5, 0.8, 0.7, 0.1, 0, 0.3, 0.9, 0.9, 0.7],
        "need": ["是", "否", "是", "是", "是", "是", "是", "否", "是", "是", "是", "是"],
        "aware": ["yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes"],
        "able": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    }
)
LADDER_OPTIONS = [
    "--purchases-column",
    "purchases",
    "--months-since-purchase-column",
    "months",
    "--recommend-column",
    "recommend",
    "--referrals-column",
    "referrals",
    "--period-columns",
    "q1,q2,q3,q4",
    "--share-of-wallet-column",
    "wallet",
    "--need-column",
    "need",
    "--aware-column",
    "aware",
    "--able-column",
    "able",
]


def test_ladder_stages_follow_the_cascade(tmp_path: Path) -> None:
    path = write(tmp_path, LADDER[LADDER["wave"] == "W1"])
    output = run("ladder", "--data", path, *LADDER_OPTIONS, "--customer-column", "id")
    stages = {row["customer"]: row["class"] for row in output["customers"]}
    assert stages == {
        "a": "prospect",
        "b": "disqualified_prospect",
        "c": "first_time_customer",
        "d": "repeat_customer",
        "e": "advocate",
        "f": "advocate",
    }
    distribution = {row["stage"]: row["count"] for row in output["distribution"]}
    assert distribution["advocate"] == 2
    assert output["rules"]["lapse_months"] == 12.0


def test_ladder_thresholds_are_options(tmp_path: Path) -> None:
    path = write(tmp_path, LADDER[LADDER["wave"] == "W1"])
    output = run(
        "ladder",
        "--data",
        path,
        *LADDER_OPTIONS,
        "--customer-column",
        "id",
        "--advocate-min-recommend",
        "10",
        "--six-stages",
    )
    stages = {row["customer"]: row["class"] for row in output["customers"]}
    assert stages["e"] == "client"  # recommends 9, below the new bar of 10
    assert stages["b"] == "suspect"  # no "disqualified prospect" on the six-stage ladder
    assert output["rules"]["include_disqualified_prospect"] is False


def test_ladder_transitions_between_waves_and_nps_by_stage(tmp_path: Path) -> None:
    output = run(
        "ladder",
        "--data",
        write(tmp_path, LADDER),
        *LADDER_OPTIONS,
        "--customer-column",
        "id",
        "--wave-column",
        "wave",
    )
    assert output["wave"] == "W2"
    moves = output["transitions"]
    assert (moves["earlier_wave"], moves["later_wave"], moves["linked"]) == ("W1", "W2", 6)
    stages = moves["stages"]
    # f: advocate in W1, lost in W2 (14 months without a purchase)
    assert moves["counts"][stages.index("advocate")][stages.index("lost")] == 1
    # a: prospect → first-time customer
    assert moves["counts"][stages.index("prospect")][stages.index("first_time_customer")] == 1
    nps = {row["segment"]: row for row in output["nps_by_stage"]}
    assert nps["lost"]["score"] == pytest.approx(-100.0)
    assert [row["segment"] for row in output["nps_by_stage"]] == [  # ladder order; no rating, no row
        "first_time_customer",
        "repeat_customer",
        "advocate",
        "lost",
    ]


def test_a_yes_no_column_with_another_answer_is_an_error(tmp_path: Path) -> None:
    frame = LADDER.head(3).assign(need=["yes", "perhaps", "no"])
    result = runner.invoke(app, ["measure", "segments", "ladder", "--data", write(tmp_path, frame), *LADDER_OPTIONS])
    assert result.exit_code == 1
    assert "row 3, column need: 'perhaps' is not a yes/no answer." in result.output


def test_wave_column_without_customer_ids_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "measure",
            "segments",
            "ladder",
            "--data",
            write(tmp_path, LADDER),
            "--purchases-column",
            "purchases",
            "--wave-column",
            "wave",
        ],
    )
    assert result.exit_code == 1
    assert "--wave-column needs --customer-column" in result.output


LIFE = pd.DataFrame(
    {
        "id": ["a", "b", "c", "d", "a", "b", "c", "d", "a", "b", "c", "d"],
        "wave": [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
        "tenure": [3, 20, 30, 30, 6, 23, 33, 33, 9, 26, 36, 36],
        "transactions": [1, 10, 30, 30, 3, 12, 32, 32, 4, 13, 34, 34],
        "trend": [0.0, 0.2, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, -0.2, -0.1, 0.0, 0.0],
        "intention": [
            "same",
            "more",
            "same",
            "same",
            "more",
            "same",
            "same",
            "same",
            "less",
            "less",
            "same",
            "更少",
        ],
        "quality": [0.1, 0.5, 0.9, 0.8, 0.2, 0.7, 0.9, 0.8, -0.5, 0.2, 0.9, 0.8],
    }
)


def test_lifecycle_with_waves_gives_transitions_and_lost_patterns(tmp_path: Path) -> None:
    output = run(
        "lifecycle",
        "--data",
        write(tmp_path, LIFE),
        "--tenure-column",
        "tenure",
        "--transactions-column",
        "transactions",
        "--trend-column",
        "trend",
        "--intention-column",
        "intention",
        "--quality-column",
        "quality",
        "--customer-column",
        "id",
        "--wave-column",
        "wave",
    )
    history = {(row["customer"], row["wave"]): row["class"] for row in output["customers"]}
    assert [history[("a", str(wave))] for wave in (1, 2, 3)] == ["exploration", "formation", "decline"]
    assert [history[("d", str(wave))] for wave in (1, 2, 3)] == ["stability", "stability", "decline"]
    lost = {row["customer"]: row["pattern"] for row in output["lost_customers"]}
    assert lost == {"a": "ended_in_formation", "b": "ended_in_formation", "d": "ended_early_in_stability"}
    assert output["transitions"]["earlier_wave"] == "2"


def test_lifecycle_takes_the_previous_wave_quality_for_the_drop_rule(tmp_path: Path) -> None:
    # c's quality falls from 0.9 to −0.9 in wave 3: a drop of far more than 0.5 SD is decline
    frame = LIFE.copy()
    frame.loc[10, "quality"] = -0.9
    output = run(
        "lifecycle",
        "--data",
        write(tmp_path, frame),
        "--tenure-column",
        "tenure",
        "--transactions-column",
        "transactions",
        "--trend-column",
        "trend",
        "--quality-column",
        "quality",
        "--customer-column",
        "id",
        "--wave-column",
        "wave",
    )
    history = {(row["customer"], row["wave"]): row["class"] for row in output["customers"]}
    assert history[("c", "3")] == "decline"
    assert history[("c", "2")] == "stability"


def test_value_matrix_from_given_values_and_from_revenue_and_wallet(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "cv": [900, 800, 100, 50],
            "pv": [10, 500, 600, 20],
            "revenue": [1000, 1000, 100, 100],
            "cost": [0, 100, 0, 50],
            "wallet": [1000, 5000, 5000, 200],
            "share": [1.0, 0.2, 0.02, 0.5],
        }
    )
    path = write(tmp_path, frame)
    given = run("value-matrix", "--data", path, "--current-value-column", "cv", "--potential-value-column", "pv")
    assert [row["class"] for row in given["customers"]] == ["maintain", "key", "develop", "minimal"]
    assert given["customers"][0]["customer"] == "row 2"
    assert {row["value_class"]: row["strategy_zh_hant"] for row in given["summary"]}["key"].startswith("重點保持")
    derived = run(
        "value-matrix",
        "--data",
        path,
        "--revenue-column",
        "revenue",
        "--cost-to-serve-column",
        "cost",
        "--wallet-column",
        "wallet",
        "--share-of-wallet-column",
        "share",
        "--margin",
        "0.5",
    )
    # CV = 0.5·revenue − cost = 500, 400, 50, 0; PV = 0.5·wallet·(1 − share) = 0, 2000, 2450, 50
    assert derived["current_cut"] == pytest.approx(225.0)
    assert [row["class"] for row in derived["customers"]] == ["maintain", "key", "develop", "minimal"]


def test_value_matrix_needs_one_source_per_axis(tmp_path: Path) -> None:
    path = write(tmp_path, pd.DataFrame({"cv": [1, 2], "pv": [1, 2]}))
    result = runner.invoke(
        app, ["measure", "segments", "value-matrix", "--data", path, "--potential-value-column", "pv"]
    )
    assert result.exit_code == 1
    assert "give exactly one of them" in result.output


def test_save_writes_the_classes_beside_the_data(tmp_path: Path) -> None:
    path = write(tmp_path, pd.DataFrame({"cv": [900, 800, 100, 50], "pv": [10, 500, 600, 20]}))
    saved = tmp_path / "classes.csv"
    run(
        "value-matrix",
        "--data",
        path,
        "--current-value-column",
        "cv",
        "--potential-value-column",
        "pv",
        "--save",
        str(saved),
    )
    assert pd.read_csv(saved)["value_matrix"].tolist() == ["maintain", "key", "develop", "minimal"]


def test_programme_measures_from_crm_records(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "customer": ["a", "b", "c", "a", "c", "d"],
            "quarter": ["Q1", "Q1", "Q1", "Q2", "Q2", "Q2"],
            "revenue": [100, 50, 80, 120, 40, 60],
            "tier": ["gold", "silver", "silver", "gold", "silver", "silver"],
        }
    )
    output = run(
        "programme",
        "--data",
        write(tmp_path, frame),
        "--customer-column",
        "customer",
        "--period-column",
        "quarter",
        "--revenue-column",
        "revenue",
        "--segment-column",
        "tier",
    )
    rows = {(row["period"], row["segment"]): row for row in output["rows"]}
    assert rows[("Q2", "all")]["retention_rate"] == pytest.approx(2 / 3)
    assert rows[("Q2", "silver")]["churn_rate"] == pytest.approx(0.5)
    assert rows[("Q2", "silver")]["revenue_per_customer"] == pytest.approx(50.0)
    assert rows[("Q2", "gold")]["revenue_per_customer_change"] == pytest.approx(20.0)


@pytest.mark.parametrize(
    "arguments",
    [
        [
            "ladder",
            "--data",
            str(EXAMPLES / "customers.csv"),
            "--purchases-column",
            "purchases",
            "--months-since-purchase-column",
            "months_since_purchase",
            "--recommend-column",
            "recommend",
            "--referrals-column",
            "referrals",
            "--period-columns",
            "q1,q2,q3,q4",
            "--share-of-wallet-column",
            "wallet_share",
            "--aware-column",
            "aware",
            "--need-column",
            "need",
            "--able-column",
            "able",
            "--customer-column",
            "customer_id",
            "--wave-column",
            "wave",
        ],
        [
            "lifecycle",
            "--data",
            str(EXAMPLES / "customers.csv"),
            "--tenure-column",
            "tenure_months",
            "--transactions-column",
            "transactions",
            "--spend-columns",
            "spend_q1,spend_q2,spend_q3,spend_q4",
            "--intention-column",
            "intention",
            "--quality-column",
            "quality",
            "--customer-column",
            "customer_id",
            "--wave-column",
            "wave",
        ],
        [
            "value-matrix",
            "--data",
            str(EXAMPLES / "customers.csv"),
            "--revenue-column",
            "revenue",
            "--cost-to-serve-column",
            "cost_to_serve",
            "--wallet-column",
            "wallet",
            "--share-of-wallet-column",
            "wallet_share",
            "--margin",
            "0.3",
            "--language",
            "en",
        ],
        [
            "programme",
            "--data",
            str(EXAMPLES / "crm_records.csv"),
            "--customer-column",
            "customer_id",
            "--period-column",
            "quarter",
            "--revenue-column",
            "revenue",
            "--segment-column",
            "tier",
        ],
    ],
    ids=["ladder", "lifecycle", "value-matrix", "programme"],
)
def test_the_documented_examples_print_a_table(arguments: list[str]) -> None:
    result = runner.invoke(app, ["measure", "segments", *arguments])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) >= 4


def test_lost_column_without_waves_is_an_error(tmp_path: Path) -> None:
    frame = LIFE.assign(gone=["no"] * 12)
    result = runner.invoke(
        app,
        [
            "measure",
            "segments",
            "lifecycle",
            "--data",
            write(tmp_path, frame),
            "--tenure-column",
            "tenure",
            "--lost-column",
            "gone",
        ],
    )
    assert result.exit_code == 1
    assert "--lost-column needs --wave-column" in result.output


def test_lost_column_marks_the_lost_customers(tmp_path: Path) -> None:
    frame = LIFE.assign(gone=["no"] * 8 + ["no", "no", "yes", "no"])
    output = run(
        "lifecycle",
        "--data",
        write(tmp_path, frame),
        "--tenure-column",
        "tenure",
        "--transactions-column",
        "transactions",
        "--trend-column",
        "trend",
        "--quality-column",
        "quality",
        "--customer-column",
        "id",
        "--wave-column",
        "wave",
        "--lost-column",
        "gone",
    )
    # only c is flagged lost; stable in waves 1–3 (three waves < 4): ended early in stability
    assert output["lost_customers"] == [{"customer": "c", "pattern": "ended_early_in_stability"}]
