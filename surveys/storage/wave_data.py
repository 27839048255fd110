"""Loading one wave for analysis: a DataFrame with one row per response and one column per variable, typed,
plus the codebook that says what each column is. Every analysis reads responses through `load_wave`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Text, cast, func, select
from sqlalchemy.sql import ClauseElement
from sqlmodel import Session, col

from surveys.codebook import Variable, codebook
from surveys.problems import InputError, Problem
from surveys.questionnaire import Questionnaire
from surveys.storage.survey_versions import stored_questionnaire
from surveys.storage.tables import RespondentRecord, ResponseRecord, SurveyVersionRecord
from surveys.storage.waves import find_wave

if TYPE_CHECKING:
    import pandas as pd

_BATCH = 50_000  # responses parsed at a time when loading
RESPONSE_COLUMNS = ("response_id", "respondent", "source", "version", "status", "submitted_at", "duration_seconds")


@dataclass(frozen=True)
class WaveData:
    survey: str
    wave: str
    questionnaire: Questionnaire  # the newest version the wave's responses answered
    codebook: list[Variable]
    responses: pd.DataFrame  # RESPONSE_COLUMNS, then one column per variable code, then details (channel …)
    missing: pd.DataFrame  # the same variable columns: why an absent answer is absent (not_shown …), else NA


def load_wave(session: Session, survey: str, wave: str) -> WaveData:
    """The responses of one wave, typed by the codebook: scale points and option codes as nullable integers,
    numbers as floats, multiple choices and rankings as lists of option codes, texts as strings."""
    import pandas as pd

    record = find_wave(session, survey, wave)
    if record is None:
        stored_questionnaire(session, survey)  # says "no such survey" with the nearest name, if that is it
        raise InputError(
            f"No wave {wave!r} of survey {survey!r}.",
            [Problem("--wave", f"{wave!r} is not a wave of {survey!r}.", "See `loyalty wave list`.")],
        )
    # Plain columns through the driver, not ORM objects, and the JSON columns as text parsed by orjson:
    # building a million ResponseRecord objects and parsing with json was most of the time a wave took.
    query = (
        select(
            col(ResponseRecord.id),
            col(RespondentRecord.key),
            col(ResponseRecord.source),
            col(SurveyVersionRecord.version),
            col(ResponseRecord.status),
            col(ResponseRecord.submitted_at),
            col(ResponseRecord.duration_seconds),
            cast(ResponseRecord.answers, Text),
            cast(ResponseRecord.missing, Text),
            cast(ResponseRecord.details, Text),
        )
        .join(SurveyVersionRecord, col(ResponseRecord.survey_version_id) == col(SurveyVersionRecord.id))
        .outerjoin(RespondentRecord, col(ResponseRecord.respondent_id) == col(RespondentRecord.id))
        .where(col(ResponseRecord.wave_id) == record.id)
        .order_by(col(ResponseRecord.id))
    )
    newest = session.execute(
        select(func.max(col(SurveyVersionRecord.version)))
        .join(ResponseRecord, col(ResponseRecord.survey_version_id) == col(SurveyVersionRecord.id))
        .where(col(ResponseRecord.wave_id) == record.id)
    ).scalar()
    _, questionnaire = stored_questionnaire(session, survey, newest)
    variables = codebook(questionnaire)
    codes = [variable.code for variable in variables]

    # A batch at a time, so that only one batch's parsed JSON is held at once: a million responses as dicts
    # took gigabytes. Each batch becomes its typed frames; the frames are joined at the end.
    base: dict[str, list[Any]] = {name: [] for name in RESPONSE_COLUMNS}
    answer_parts = []
    missing: list[tuple[int, dict[str, str]]] = []  # (row, reasons) of the few responses that have any
    details: list[tuple[int, dict[str, Any]]] = []
    for rows in _driver_rows(session, query):
        columns = list(zip(*rows, strict=True))
        first = len(base["response_id"])
        for name, values in zip(RESPONSE_COLUMNS, columns, strict=False):
            base[name].extend(values)
        answers_text, missing_text, details_text = columns[len(RESPONSE_COLUMNS) :]
        answer_parts.append(_answer_frame(list(map(orjson.loads, answers_text)), variables))
        missing += _given(first, missing_text)
        details += _given(first, details_text)
    if not answer_parts:  # an empty wave: the same columns, no rows
        answer_parts.append(_typed(_records([], codes), variables))

    base["submitted_at"] = _stored_times(session, base["submitted_at"])
    count = len(base["response_id"])
    detail_frame = _strings(details, ["channel", "ip_location", "device_pseudonym"], count)
    frame = pd.concat([pd.DataFrame(base), _joined(answer_parts), detail_frame], axis=1)
    return WaveData(survey, wave, questionnaire, variables, frame, _strings(missing, codes, count))


def _driver_rows(session: Session, query: ClauseElement) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `query` in batches, straight from the driver's cursor (server-side on PostgreSQL)."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))  # ids only
    driver: Any = connection.connection.driver_connection
    cursor = driver.cursor(name="load_wave") if connection.dialect.name == "postgresql" else driver.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_BATCH):
            yield rows
    finally:
        cursor.close()


def _stored_times(session: Session, values: list[Any]) -> list[Any]:
    """Times as the ORM would give them: SQLite hands back text, which SQLAlchemy's DateTime reads."""
    column_type = ResponseRecord.__table__.c.submitted_at.type  # type: ignore[attr-defined]
    dialect = session.connection().dialect
    process = column_type.dialect_impl(dialect).result_processor(dialect, None)  # the ORM's, for this dialect
    if process is None:
        return values
    return [None if value is None else process(value) for value in values]


def _given(first: int, texts: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """The JSON objects among `texts` that are not empty, with their row numbers counted from `first`."""
    return [(first + index, orjson.loads(text)) for index, text in enumerate(texts) if text != "{}"]


def _strings(rows: list[tuple[int, dict[str, Any]]], names: list[str], count: int) -> pd.DataFrame:
    """A string column per name: the value each of `rows` has for it, NA elsewhere (and in every other row)."""
    import pandas as pd

    absent = pd.array([None] * count, dtype="string")  # one all-NA column, shared by the names no row has
    columns: dict[str, Any] = {}
    for name in names:
        if not any(name in row for _, row in rows):
            columns[name] = absent
            continue
        values: list[Any] = [None] * count
        for position, row in rows:
            values[position] = row.get(name)
        columns[name] = pd.array(values, dtype="string")
    return pd.DataFrame(columns, index=pd.RangeIndex(count), columns=names)


def _answer_frame(answers: list[dict[str, Any]], variables: list[Variable]) -> pd.DataFrame:
    """The typed answer columns of a batch. Integer variables that every response of the batch answers with
    an integer (the usual rating grid) are read in one step per batch; the others as DataFrame.from_records
    reads them, which infers each column's type value by value and was most of the time of a load."""
    import numpy as np
    import pandas as pd

    integer_codes = [variable.code for variable in variables if variable.kind in ("scale", "choice")]
    matrix = None
    if answers and len(integer_codes) > 1:
        try:
            matrix = np.array(list(map(itemgetter(*integer_codes), answers)))  # one tuple per response, in C
        except KeyError:  # some response has no answer for one of them
            matrix = None
    if matrix is None or matrix.dtype.kind != "i" or matrix.shape != (len(answers), len(integer_codes)):
        return _typed(_records(answers, [variable.code for variable in variables]), variables)
    columns: dict[str, Any] = {
        code: pd.array(matrix[:, position], dtype="Int64") for position, code in enumerate(integer_codes)
    }
    others = [variable for variable in variables if variable.code not in columns]
    if others:
        rest = _typed(_records(answers, [variable.code for variable in others]), others)
        columns.update({variable.code: rest[variable.code] for variable in others})
    return pd.DataFrame(columns, index=pd.RangeIndex(len(answers)), columns=[variable.code for variable in variables])


def _records(rows: list[dict[str, Any]], codes: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame.from_records(rows, columns=codes) if rows else pd.DataFrame(columns=codes)


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _typed(frame: pd.DataFrame, variables: list[Variable]) -> pd.DataFrame:
    typed = frame.copy()
    for variable in variables:
        if variable.kind in ("scale", "choice"):
            typed[variable.code] = typed[variable.code].astype("Int64")
        elif variable.kind == "number":
            typed[variable.code] = typed[variable.code].astype("Float64")
        elif variable.kind == "text":
            typed[variable.code] = typed[variable.code].astype("string")
        else:
            typed[variable.code] = typed[variable.code].astype(object)
    return typed
