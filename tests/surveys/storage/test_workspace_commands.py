"""`loyalty init|migrate`, `loyalty survey publish|list` and `loyalty wave add|list`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from loyalty.cli import app

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def workspace(tmp_path: Path, database_url: str) -> Path:
    directory = tmp_path / "workspace"
    result = CliRunner().invoke(app, ["init", str(directory), "--database-url", database_url])
    assert result.exit_code == 0, result.output
    return directory


def run(workspace: Path, *arguments: str) -> Result:
    return CliRunner().invoke(app, ["--workspace", str(workspace), *arguments])


def test_init_writes_the_config_and_a_current_schema_and_is_idempotent(workspace: Path) -> None:
    assert "[workspace]" in (workspace / "loyalty.toml").read_text(encoding="utf-8")
    again = CliRunner().invoke(app, ["init", str(workspace)])
    assert again.exit_code == 0, again.output
    assert run(workspace, "migrate").exit_code == 0


def test_the_default_database_is_a_sqlite_file_in_wal_mode(tmp_path: Path) -> None:
    import sqlite3

    assert CliRunner().invoke(app, ["init", str(tmp_path)]).exit_code == 0
    with sqlite3.connect(tmp_path / "loyalty.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_publish_stores_a_version_once_and_refuses_a_changed_file_with_the_same_version(
    workspace: Path, tmp_path: Path
) -> None:
    source = tmp_path / "small.yaml"
    source.write_text((DATA / "small.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert "version 1 published." in run(workspace, "survey", "publish", str(source)).output
    assert "already published; nothing changed" in run(workspace, "survey", "publish", str(source)).output

    source.write_text(source.read_text(encoding="utf-8").replace("Overall satisfaction", "Satisfaction"), "utf-8")
    refused = run(workspace, "survey", "publish", str(source))
    assert refused.exit_code == 1
    assert "set `version: 2`, publish again." in refused.output

    source.write_text("version: 2\n" + source.read_text(encoding="utf-8"), encoding="utf-8")
    assert run(workspace, "survey", "publish", str(source)).exit_code == 0
    listed = json.loads(run(workspace, "survey", "list", "--json").output)
    assert listed == [
        {"survey": "retail-2026", "versions": [1, 2], "title": "零售客户调查", "waves": 0, "responses": 0}
    ]


def test_publish_never_stores_an_invalid_questionnaire(workspace: Path, tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text((DATA / "small.yaml").read_text(encoding="utf-8").replace("type: rating", "type: rateing"))
    assert run(workspace, "survey", "publish", str(source)).exit_code == 1
    assert json.loads(run(workspace, "survey", "list", "--json").output) == []


def test_waves_are_added_listed_and_checked(workspace: Path) -> None:
    assert run(workspace, "survey", "publish", str(DATA / "small.yaml")).exit_code == 0
    added = run(workspace, "wave", "add", "retail-2026", "2026Q3", "--from", "2026-07-01", "--to", "2026-09-30")
    assert added.exit_code == 0, added.output
    assert json.loads(run(workspace, "wave", "list", "--json").output) == [
        {"survey": "retail-2026", "wave": "2026Q3", "from": "2026-07-01", "to": "2026-09-30", "responses": 0}
    ]
    twice = run(workspace, "wave", "add", "retail-2026", "2026Q3")
    assert twice.exit_code == 1
    assert "survey 'retail-2026' already has a wave '2026Q3'." in twice.output
    backwards = run(workspace, "wave", "add", "retail-2026", "2026Q4", "--from", "2026-12-31", "--to", "2026-10-01")
    assert "the wave starts on 2026-12-31 after it ends on 2026-10-01." in backwards.output
    unknown = run(workspace, "wave", "add", "retail-2025", "2026Q4")
    assert unknown.exit_code == 1
    assert 'is not a published survey. Did you mean "retail-2026"?' in unknown.output


def test_a_folder_without_a_workspace_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOYALTY_WORKSPACE", raising=False)
    result = CliRunner().invoke(app, ["survey", "list"])
    assert result.exit_code == 1
    assert "Run `loyalty init DIR` first, or pass --workspace DIR." in result.output
