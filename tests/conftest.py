"""Shared fixtures: the reference data beside the repository, and fresh databases on SQLite and PostgreSQL.

Every storage test runs on both engines. PostgreSQL is the real server `.ci/setup` installs and starts;
each test gets a schema of its own, dropped afterwards. Set LOYALTY_TEST_POSTGRES_URL to use another
server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get(
    "LOYALTY_TEST_POSTGRES_URL", "postgresql+psycopg://loyalty:loyalty@127.0.0.1:5432/loyalty_test"
)


@pytest.fixture(scope="session")
def reference() -> Path:
    """The `shared/reference` folder: the first parent of this file that has one."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    pytest.fail("shared/reference not found above the repository")


@pytest.fixture(scope="session")
def samples(reference: Path) -> Path:
    """The `shared/samples` folder: real exports of other survey platforms."""
    return reference.parent / "samples"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of its own, on each engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'loyalty.db'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # a missing server must fail loudly, never skip
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not available ({error}); run .ci/setup")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
