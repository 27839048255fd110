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

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
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


_KEYS = ("platform_response_id", "answers")  # what a response coded column-wise has of its own
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _sql_literal(value: Any) -> str:
    """A value shared by many rows as an SQL literal in the INSERT: NULL, an integer, or quoted text.

    >>> _sql_literal(None), _sql_literal(3), _sql_literal("it's")
    ('NULL', '3', "'it''s'")
    """
    if value is None:
        return "NULL"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    text = str(value).replace("'", "''")
    return f"'{text}'"


def _copy_text(value: Any) -> str:
    """A value in COPY's text format: \\N for NULL, backslash, tab and line ends escaped.

    >>> _copy_text(None) == "\\\\N", _copy_text(7), _copy_text("a\\tb") == "a\\\\tb"
    (True, '7', True)
    """
    if value is None:
        return "\\N"
    text = str(value)
    if not _COPY_SPECIAL.search(text):
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


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

    def write_prepared(self, prepared: Sequence[Sequence[Any]], plain: Mapping[str, Any] | None = None) -> None:
        """Store rows already as `prepared` gives them: times and JSON columns as the database takes them.

        A row may also be just (platform_response_id, answers JSON text), its other columns those of `plain`
        (a column name to its stored value, the same for every such row): a million responses coded column-wise
        differ in nothing else, and the database is handed the common part once rather than with each row.
        """
        if not prepared:
            return
        table = ResponseRecord.__tablename__
        if self.dialect == "postgresql":
            self._copy(prepared, plain or {})
            return
        cursor = self.driver.cursor()
        try:
            for length, run in itertools.groupby(prepared, key=len):
                if length == len(STORED_COLUMNS):
                    names, marks = ", ".join(STORED_COLUMNS), ", ".join("?" for _ in STORED_COLUMNS)
                else:
                    assert plain is not None, "a row of response id and answers needs the columns it shares"
                    names = ", ".join(("platform_response_id", "answers", *plain))
                    marks = ", ".join(("?", "?", *map(_sql_literal, plain.values())))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", run)
        finally:
            cursor.close()

    def _copy(self, prepared: Sequence[Sequence[Any]], plain: Mapping[str, Any]) -> None:
        """COPY the rows, the response id and answers first: rows of those alone are written as text lines."""
        names = ("platform_response_id", "answers", *(name for name in STORED_COLUMNS if name not in _KEYS))
        shared = "".join(f"\t{_copy_text(plain[name])}" for name in names[2:]) + "\n" if plain else ""
        id_at, answers_at = STORED_COLUMNS.index("platform_response_id"), STORED_COLUMNS.index("answers")
        others = [position for position, name in enumerate(STORED_COLUMNS) if name not in _KEYS]
        table = ResponseRecord.__tablename__
        statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        with self.driver.cursor() as cursor:
            # one COPY per run of rows of the same kind: rows and text lines written into one COPY may be
            # sent in another order than they were written
            for length, run in itertools.groupby(prepared, key=len):
                with cursor.copy(statement) as copy:
                    if length == len(STORED_COLUMNS):
                        for row in run:
                            copy.write_row((row[id_at], row[answers_at], *(row[position] for position in others)))
                        continue
                    pairs = list(run)
                    if _COPY_SPECIAL.search("\x00".join(itertools.chain.from_iterable(pairs))):
                        pairs = [(_copy_text(response_id), _copy_text(answers)) for response_id, answers in pairs]
                    copy.write("".join([f"{response_id}\t{answers}{shared}" for response_id, answers in pairs]))

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
