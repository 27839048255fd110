"""`loyalty invite` and the [serve] settings of `loyalty serve`, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from loyalty.cli import app
from surveys.collection.invitations import token_hash
from surveys.storage.engine import make_engine
from surveys.storage.tables import InvitationRecord

SURVEY = Path(__file__).parents[1] / "surveys" / "data" / "web_survey.yaml"


@pytest.fixture
def workspace(tmp_path: Path, database_url: str) -> Path:
    directory = tmp_path / "workspace"
    assert CliRunner().invoke(app, ["init", str(directory), "--database-url", database_url]).exit_code == 0
    with (directory / "loyalty.toml").open("a", encoding="utf-8") as config:
        config.write('\n[serve]\nbase_url = "https://survey.example.cn/"\nadmin_secret = "0123456789abcdef-long"\n')
    assert run(directory, "survey", "publish", str(SURVEY)).exit_code == 0
    today = datetime.now(UTC).date()
    assert (
        run(directory, "wave", "add", "web-pulse", "2025Q4", "--from", "2025-10-01", "--to", "2025-12-31").exit_code
        == 0
    )
    later = (today + timedelta(days=20)).isoformat()
    assert run(directory, "wave", "add", "web-pulse", "2026Q3", "--to", later).exit_code == 0
    return directory


def run(workspace: Path, *arguments: str) -> Result:
    return CliRunner().invoke(app, ["--workspace", str(workspace), *arguments])


def links(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def stored_invitations(database_url: str) -> list[InvitationRecord]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(InvitationRecord)).all())
    finally:
        engine.dispose()


def test_invite_writes_links_to_the_latest_open_wave_and_stores_only_hashes(
    workspace: Path, tmp_path: Path, database_url: str
) -> None:
    output = tmp_path / "links.csv"
    result = run(workspace, "invite", "--survey", "web-pulse", "--count", "3", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "3 links to web-pulse wave 2026Q3" in result.output
    rows = links(output)
    assert len(rows) == 3
    assert all(row["url"].startswith("https://survey.example.cn/s/") for row in rows)
    tokens = [row["url"].rsplit("/", 1)[1] for row in rows]
    assert len(set(tokens)) == 3
    stored = {record.token_sha256 for record in stored_invitations(database_url)}
    assert stored == {token_hash(token) for token in tokens}


def test_invite_from_contacts_pseudonymises_their_keys(workspace: Path, tmp_path: Path, database_url: str) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("customer_id,姓名\nC-001,张三\nC-002,李四\n", encoding="utf-8-sig")
    output = tmp_path / "links.csv"
    result = run(
        workspace, "invite", "--survey", "web-pulse", "--wave", "2026Q3", "--from", str(contacts), "-o", str(output)
    )
    assert result.exit_code == 0, result.output
    rows = links(output)
    assert [row["contact"] for row in rows] == ["C-001", "C-002"]
    pseudonyms = [record.contact_pseudonym for record in stored_invitations(database_url)]
    assert set(pseudonyms) == {row["contact_pseudonym"] for row in rows}
    assert "C-001" not in str(pseudonyms)


def test_invite_refuses_an_ended_wave_and_bad_contacts(workspace: Path, tmp_path: Path) -> None:
    output = tmp_path / "links.csv"
    ended = run(workspace, "invite", "--survey", "web-pulse", "--wave", "2025Q4", "--count", "1", "-o", str(output))
    assert ended.exit_code == 1
    assert "the wave ended on 2025-12-31" in ended.output
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("customer_id\nC-1\n\nC-1\n", encoding="utf-8")
    refused = run(workspace, "invite", "--survey", "web-pulse", "--from", str(contacts), "-o", str(output))
    assert refused.exit_code == 1
    assert "'C-1' appears more than once" in refused.output
    both = run(workspace, "invite", "--survey", "web-pulse", "-o", str(output))
    assert both.exit_code == 1
    assert not output.exists()


def test_serve_settings_are_checked(workspace: Path) -> None:
    from loyalty.commands.serve import serve_settings
    from loyalty.workspace import WorkspaceOptions, open_workspace
    from surveys.problems import InputError

    settings = serve_settings(open_workspace(WorkspaceOptions(workspace)))
    assert settings.base_url == "https://survey.example.cn"
    assert settings.admin_secret == "0123456789abcdef-long"
    assert settings.open_links is False
    with (workspace / "loyalty.toml").open("a", encoding="utf-8") as config:
        config.write('admin_secrett = "typo"\n')
    with pytest.raises(InputError, match="'admin_secrett' is not a setting"):
        serve_settings(open_workspace(WorkspaceOptions(workspace)))
