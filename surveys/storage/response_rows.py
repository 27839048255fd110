"""Writing many responses at once, inside the session's transaction, past the ORM.

An import of a million responses spent more time in SQLAlchemy's per-row bookkeeping (bind processors, JSON
encoding with `json`, parameter dictionaries) than in the database. Here each response is one tuple in
`STORED_COLUMNS` order, its JSON columns encoded with orjson, written through the driver's own bulk path:
`executemany` on SQLite, `COPY … FROM STDIN` on PostgreSQL. Both run on the connection the session already
holds, so the rows belong to the import's one transaction: a rollback, a failed import or a killed process
stores none of them.

The values are stored as the ORM would store them: times through the column type's own conversion (to
UTC; on SQLite in SQLAlchemy's text layout).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

import orjson
from sqlmodel import Session

from surveys.storage.tables import ResponseRecord

_IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache during an import; pages are allocated only as they are used
STORED_COLUMNS = (
    "wave_id",
    "survey_version_id",
    "respondent_id",
    "batch_id",
    "source",
    "platform_response_id",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "status",
    "answers",
    "missing",
    "details",
)


def json_text(value: Any) -> str:
    """`value` as compact JSON text (orjson: UTF-8 as is, several times faster than the json module).

    >>> json_text({"q1": 3, "q9": [1, 4], "q10_other": "面包"})
    '{"q1":3,"q9":[1,4],"q10_other":"面包"}'
    """
    return orjson.dumps(value).decode("utf-8")


class ResponseRowWriter:
    """Appends response rows to the `response` table within `session`'s transaction."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.dialect = connection.dialect.name
        self.driver: Any = cast(Any, connection.connection.driver_connection)  # sqlite3's or psycopg's own
        self.time_text = self._time_layout(session)
        self.cache_size: int | None = None
        if self.dialect == "sqlite":
            # A large import changes index pages all over the file; with SQLite's default 2 MB page cache they
            # are spilled to the WAL and rewritten again and again before the commit. A larger cache for the
            # import only (memory, not durability: the commit still writes and syncs the WAL as before).
            cursor = self.driver.cursor()
            self.cache_size = int(cursor.execute("PRAGMA cache_size").fetchone()[0])
            cursor.execute(f"PRAGMA cache_size = -{_IMPORT_CACHE_KIB}")
            cursor.close()

    def close(self) -> None:
        """Give the connection back as it was (its page cache size)."""
        if self.cache_size is not None:
            self.driver.execute(f"PRAGMA cache_size = {self.cache_size}")

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Store `rows`, each a tuple in STORED_COLUMNS order with answers, missing and details as dicts."""
        self.write_prepared([self.prepared(row) for row in rows])

    def write_prepared(self, prepared: Sequence[Sequence[Any]]) -> None:
        """Store rows already as `prepared` gives them: times and JSON columns as the database takes them."""
        if not prepared:
            return
        names = ", ".join(STORED_COLUMNS)
        table = ResponseRecord.__tablename__
        if self.dialect == "postgresql":
            with self.driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in STORED_COLUMNS)
        cursor = self.driver.cursor()
        try:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared)
        finally:
            cursor.close()

    def prepared(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """A row in STORED_COLUMNS order as the database takes it: times as the column type stores them,
        answers, missing and details as JSON text."""
        *head, started, submitted, duration, status, answers, missing, details = row
        time_text = self.time_text
        return (
            *head,
            None if started is None else time_text(started),
            None if submitted is None else time_text(submitted),
            duration,
            status,
            json_text(answers),
            json_text(missing) if missing else "{}",  # most responses have neither: no encoder call
            json_text(details) if details else "{}",
        )

    def _time_layout(self, session: Session) -> Callable[[datetime], Any]:
        """How an aware time becomes the stored value: the ORM's own conversion for this dialect (UTC; on
        SQLite as SQLAlchemy's text layout)."""
        column_type = ResponseRecord.__table__.c.started_at.type  # type: ignore[attr-defined]
        dialect = session.connection().dialect
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        assert process is not None  # the column type converts to UTC before anything else
        return process  # type: ignore[no-any-return]
