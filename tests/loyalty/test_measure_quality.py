"""`loyalty measure quality`: reason codes for the responses of a data file, nothing deleted."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from loyalty.cli import app

runner = CliRunner()


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    rows = []
    for i in range(40):
        base = 1 + i % 5
        row: dict[str, object] = {f"q{j}": min(5, max(1, base + (j * (i + 1)) % 3 - 1)) for j in range(1, 7)}
        row.update({"seconds": 300 + (i * 37) % 120, "version": "A" if i % 2 else "B", "check": 2})
        row.update({"device": f"d{i}", "submitted": f"2026-11-0{1 + i % 7} 10:{i:02d}:00"})
        rows.append(row)
    rows[5].update({f"q{j}": 4 for j in range(1, 7)})  # straight-liner
    rows[6]["seconds"] = 30  # speeder
    rows[7]["check"] = 5  # failed attention check
    rows[8].update({"device": "d9", "submitted": rows[9]["submitted"]})  # same device, same minute
    path = tmp_path / "answers.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def arguments(path: Path) -> list[str]:
    return [
        "measure", "quality", "--data", str(path), "--grid", "service=q1,q2,q3,q4,q5,q6",
        "--duration-column", "seconds", "--version-column", "version", "--attention", "check=2",
        "--fingerprint-column", "device", "--submitted-column", "submitted",
    ]  # fmt: skip


def test_json_lists_flagged_responses_with_file_lines_and_reasons(answers: Path) -> None:
    result = runner.invoke(app, [*arguments(answers), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    reasons = {response["line"]: response["reasons"] for response in report["responses"]}
    assert "straightlining" in reasons[7]  # row 5 is line 7 of the file
    assert "speeder" in reasons[8]
    assert "attention_check_failed" in reasons[9]
    assert "duplicate_device" in reasons[10]
    assert "duplicate_device" in reasons[11]
    assert report["n"] == 40
    assert {count["reason"] for count in report["counts"]} >= {
        "speeder",
        "straightlining",
        "duplicate_device",
    }


def test_output_keeps_every_row_with_its_reason_codes(answers: Path, tmp_path: Path) -> None:
    output = tmp_path / "screened.csv"
    result = runner.invoke(app, [*arguments(answers), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "responses flagged" in result.output
    written = pd.read_csv(output, keep_default_na=False)
    assert len(written) == 40
    assert str(written.loc[6, "quality_reasons"]).split(";")[0] == "speeder"
    assert written.loc[0, "quality_reasons"] == ""


def test_unknown_attention_column_is_named(answers: Path) -> None:
    result = runner.invoke(
        app,
        ["measure", "quality", "--data", str(answers), "--grid", "q1,q2,q3,q4,q5", "--attention", "chek=2"],
    )
    assert result.exit_code == 1
    assert 'column chek: is not in the file. Did you mean "check"?' in result.output


def test_malformed_reversed_pair_is_explained(answers: Path) -> None:
    result = runner.invoke(
        app, ["measure", "quality", "--data", str(answers), "--grid", "q1,q2,q3,q4,q5", "--reversed", "q1-q6"]
    )
    assert result.exit_code == 1
    assert "is not ITEM:REVERSED" in result.output
