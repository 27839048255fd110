"""Migration 0002 (the web-collection tables) on SQLite and PostgreSQL: up, down to 0001 and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from surveys.storage.engine import make_engine
from surveys.storage.schema import _config, is_current, migrate

WEB_TABLES = {"invitation", "web_session", "open_link_event"}


def test_the_web_collection_tables_come_and_go_with_revision_0002(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        assert is_current(engine)
        assert set(inspect(engine).get_table_names()) >= WEB_TABLES
        config = _config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
        tables = set(inspect(engine).get_table_names())
        assert not WEB_TABLES & tables
        assert "response" in tables
        assert not is_current(engine)
        migrate(engine)
        assert set(inspect(engine).get_table_names()) >= WEB_TABLES
        invitation = {column["name"] for column in inspect(engine).get_columns("invitation")}
        assert invitation == {
            "id",
            "token_sha256",
            "wave_id",
            "contact_pseudonym",
            "created_at",
            "used_at",
            "response_id",
        }
    finally:
        engine.dispose()
