"""Loading one wave for analysis: a DataFrame with one row per response and one column per variable, typed,
plus the codebook that says what each column is. Every analysis reads responses through `load_wave`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Text, cast, select
from sqlmodel import Session, col

from surveys.codebook import Variable, codebook
from surveys.problems import InputError, Problem
from surveys.questionnaire import Questionnaire
from surveys.storage.survey_versions import stored_questionnaire
from surveys.storage.tables import RespondentRecord, ResponseRecord, SurveyVersionRecord
from surveys.storage.waves import find_wave

if TYPE_CHECKING:
    import pandas as pd

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
    # Plain columns, not ORM objects, and the JSON columns as text parsed by orjson: building a million
    # ResponseRecord objects and parsing with json was most of the time a wave took to load.
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
    rows = session.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(RESPONSE_COLUMNS) + 3)]
    base = {name: list(values) for name, values in zip(RESPONSE_COLUMNS, columns, strict=False)}
    newest = max(base["version"], default=None)
    _, questionnaire = stored_questionnaire(session, survey, newest)
    variables = codebook(questionnaire)
    answers, missing, details = (list(map(orjson.loads, texts)) for texts in columns[len(RESPONSE_COLUMNS) :])

    codes = [variable.code for variable in variables]
    frame = pd.concat([pd.DataFrame(base), _typed(answers, variables), _details(details)], axis=1)
    return WaveData(survey, wave, questionnaire, variables, frame, _missing(missing, codes))


def _typed(answers: list[dict[str, Any]], variables: list[Variable]) -> pd.DataFrame:
    """One column per variable, built column by column: scale points and option codes as Int64, numbers as
    Float64, texts as string, lists of options as objects (NaN where absent, as DataFrame.from_records has)."""
    import pandas as pd

    typed: dict[str, Any] = {}
    for variable in variables:
        code = variable.code
        if variable.kind in ("scale", "choice"):
            typed[code] = pd.array([answer.get(code) for answer in answers], dtype="Int64")
        elif variable.kind == "number":
            typed[code] = pd.array([answer.get(code) for answer in answers], dtype="Float64")
        elif variable.kind == "text":
            typed[code] = pd.array([answer.get(code) for answer in answers], dtype="string")
        else:
            typed[code] = pd.Series([answer.get(code, math.nan) for answer in answers], dtype=object)
    return pd.DataFrame(typed, index=pd.RangeIndex(len(answers)), columns=[variable.code for variable in variables])


def _missing(missing: list[dict[str, str]], codes: list[str]) -> pd.DataFrame:
    """Why each absent answer is absent, by variable; a variable no response has a reason for is all NA."""
    import pandas as pd

    given = set().union(*missing) if missing else set()
    count = len(missing)
    reasons = {
        code: pd.array([reason.get(code) for reason in missing], dtype="string")
        if code in given
        else pd.array([None] * count, dtype="string")
        for code in codes
    }
    return pd.DataFrame(reasons, index=pd.RangeIndex(count), columns=codes)


def _details(details: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    names = ("channel", "ip_location", "device_pseudonym")
    return pd.DataFrame({name: [row.get(name) for row in details] for name in names}, dtype="string")
