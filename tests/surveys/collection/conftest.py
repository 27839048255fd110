"""A workspace database with the three-page survey `web-pulse` published, an open wave and a closed one, and
the app over it, on SQLite and on PostgreSQL (the `database_url` fixture)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from surveys.collection.app import ServeSettings, create_app
from surveys.collection.invitations import create_invitations
from surveys.questionnaire_file import parse_questionnaire
from surveys.storage.engine import make_engine
from surveys.storage.schema import migrate
from surveys.storage.survey_versions import publish_questionnaire
from surveys.storage.waves import add_wave

SURVEY_FILE = Path(__file__).resolve().parents[1] / "data" / "web_survey.yaml"
ADMIN_SECRET = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@dataclass
class Served:
    engine: Engine
    settings: ServeSettings

    def client(self) -> TestClient:
        return TestClient(create_app(self.engine, self.settings), base_url="http://testserver")

    def invite(self, wave: str = "2026Q3", count: int = 1, contacts: list[str | None] | None = None) -> list[str]:
        """New invitation tokens to `wave`."""
        from surveys.storage.waves import find_wave

        with Session(self.engine) as session:
            record = find_wave(session, "web-pulse", wave)
            assert record is not None
            invitations = create_invitations(
                session, record, self.settings.base_url, contacts if contacts is not None else [None] * count
            )
            session.commit()
        return [invitation.token for invitation in invitations]


def publish_web_survey(engine: Engine) -> None:
    migrate(engine)
    text = SURVEY_FILE.read_text(encoding="utf-8")
    today = datetime.now(UTC).date()
    with Session(engine) as session:
        publish_questionnaire(session, parse_questionnaire(text, str(SURVEY_FILE)), text)
        add_wave(session, "web-pulse", "2025Q4", date(2025, 10, 1), date(2025, 12, 31))
        add_wave(session, "web-pulse", "2026Q3", today - timedelta(days=10), today + timedelta(days=30))
        session.commit()


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    engine = make_engine(database_url)
    publish_web_survey(engine)
    settings = ServeSettings(admin_secret=ADMIN_SECRET, open_links=True, open_link_limit_per_hour=3)
    yield Served(engine, settings)
    engine.dispose()


HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def hidden_fields(html: str) -> dict[str, str]:
    """The form's hidden fields (CSRF token, page, and on an invitation's first page the signed start)."""
    return dict(HIDDEN.findall(html))


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page has no CSRF token"
    return found.group(1)
