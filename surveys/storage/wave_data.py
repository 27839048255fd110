"""Loading one wave for analysis: a DataFrame with one row per response and one column per variable, typed,
plus the codebook that says what each column is. Every analysis reads responses through `load_wave`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

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
    query = (
        select(ResponseRecord, SurveyVersionRecord.version, RespondentRecord.key)
        .join(SurveyVersionRecord, col(ResponseRecord.survey_version_id) == col(SurveyVersionRecord.id))
        .outerjoin(RespondentRecord, col(ResponseRecord.respondent_id) == col(RespondentRecord.id))
        .where(ResponseRecord.wave_id == record.id)
        .order_by(col(ResponseRecord.id))
    )
    rows = session.exec(query).all()
    newest = max((version for _, version, _ in rows), default=None)
    _, questionnaire = stored_questionnaire(session, survey, newest)
    variables = codebook(questionnaire)

    base: dict[str, list[Any]] = {name: [] for name in RESPONSE_COLUMNS}
    answers: list[dict[str, Any]] = []
    missing: list[dict[str, str]] = []
    details: list[dict[str, Any]] = []
    for response, version, respondent in rows:
        base["response_id"].append(response.id)
        base["respondent"].append(respondent)
        base["source"].append(response.source)
        base["version"].append(version)
        base["status"].append(response.status)
        base["submitted_at"].append(response.submitted_at)
        base["duration_seconds"].append(response.duration_seconds)
        answers.append(response.answers)
        missing.append(response.missing)
        details.append(response.details)

    codes = [variable.code for variable in variables]
    answer_frame = pd.DataFrame.from_records(answers, columns=codes) if answers else pd.DataFrame(columns=codes)
    frame = pd.concat([pd.DataFrame(base), _typed(answer_frame, variables), _details(details)], axis=1)
    missing_frame = pd.DataFrame.from_records(missing, columns=codes) if missing else pd.DataFrame(columns=codes)
    return WaveData(survey, wave, questionnaire, variables, frame, missing_frame.astype("string"))


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


def _details(details: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    names = ("channel", "ip_location", "device_pseudonym")
    return pd.DataFrame({name: [row.get(name) for row in details] for name in names}, dtype="string")
