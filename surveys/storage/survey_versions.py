"""Publishing questionnaires into the workspace and reading them back, version by version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from surveys.problems import InputError, Problem
from surveys.questionnaire import Questionnaire
from surveys.questionnaire_file import parse_questionnaire
from surveys.storage.tables import ResponseRecord, SurveyRecord, SurveyVersionRecord, WaveRecord


@dataclass(frozen=True, slots=True)
class Published:
    survey: str
    version: int
    already_there: bool  # the same content was published before: nothing changed


def publish_questionnaire(session: Session, questionnaire: Questionnaire, questionnaire_yaml: str) -> Published:
    """Store a questionnaire version. Publishing the same file again changes nothing; a changed file must
    carry a new `version:`, so responses always point at exactly what their respondents saw."""
    digest = hashlib.sha256(questionnaire_yaml.encode("utf-8")).hexdigest()
    if session.get(SurveyRecord, questionnaire.survey) is None:
        session.add(SurveyRecord(id=questionnaire.survey, created_at=datetime.now(UTC)))
        session.flush()
    existing = session.exec(
        select(SurveyVersionRecord).where(
            SurveyVersionRecord.survey_id == questionnaire.survey,
            SurveyVersionRecord.version == questionnaire.version,
        )
    ).first()
    if existing is not None:
        if existing.sha256 == digest:
            return Published(questionnaire.survey, questionnaire.version, already_there=True)
        latest = latest_version_number(session, questionnaire.survey)
        raise InputError(
            f"Survey {questionnaire.survey!r} version {questionnaire.version} is already published.",
            [
                Problem(
                    "version",
                    f"the stored version {questionnaire.version} differs from this file.",
                    f"A changed questionnaire is a new version: set `version: {latest + 1}`, publish again.",
                )
            ],
        )
    session.add(
        SurveyVersionRecord(
            survey_id=questionnaire.survey,
            version=questionnaire.version,
            questionnaire_yaml=questionnaire_yaml,
            sha256=digest,
            published_at=datetime.now(UTC),
        )
    )
    session.flush()
    return Published(questionnaire.survey, questionnaire.version, already_there=False)


def latest_version_number(session: Session, survey: str) -> int:
    latest = session.exec(
        select(func.max(SurveyVersionRecord.version)).where(SurveyVersionRecord.survey_id == survey)
    ).one()
    return int(latest or 0)


def stored_questionnaire(session: Session, survey: str, version: int | None = None) -> tuple[int, Questionnaire]:
    """The stored questionnaire (the newest version unless one is named) with its record id."""
    query = select(SurveyVersionRecord).where(SurveyVersionRecord.survey_id == survey)
    if version is not None:
        query = query.where(SurveyVersionRecord.version == version)
    record = session.exec(query.order_by(col(SurveyVersionRecord.version).desc())).first()
    if record is None or record.id is None:
        raise InputError(f"No survey {survey!r} in this workspace.", [_unknown_survey(session, survey, version)])
    return record.id, parse_questionnaire(record.questionnaire_yaml, f"survey {survey} version {record.version}")


def _unknown_survey(session: Session, survey: str, version: int | None) -> Problem:
    import difflib

    known = list(session.exec(select(SurveyRecord.id)).all())
    if survey in known and version is not None:
        return Problem("survey", f"survey {survey!r} has no version {version}.", "See `loyalty survey list`.")
    nearest = difflib.get_close_matches(survey, known, n=1)
    hint = f'Did you mean "{nearest[0]}"?' if nearest else "Publish it first: loyalty survey publish FILE."
    return Problem("survey", f"{survey!r} is not a published survey.", hint)


@dataclass(frozen=True, slots=True)
class SurveySummary:
    survey: str
    versions: list[int]
    title: str
    waves: int
    responses: int

    def as_dict(self) -> dict[str, object]:
        return {
            "survey": self.survey,
            "versions": self.versions,
            "title": self.title,
            "waves": self.waves,
            "responses": self.responses,
        }


def list_surveys(session: Session) -> list[SurveySummary]:
    summaries = []
    for survey in session.exec(select(SurveyRecord).order_by(col(SurveyRecord.id))).all():
        versions = list(
            session.exec(
                select(SurveyVersionRecord.version)
                .where(SurveyVersionRecord.survey_id == survey.id)
                .order_by(col(SurveyVersionRecord.version))
            ).all()
        )
        _, questionnaire = stored_questionnaire(session, survey.id)
        waves = session.exec(
            select(func.count()).select_from(WaveRecord).where(WaveRecord.survey_id == survey.id)
        ).one()
        responses = session.exec(
            select(func.count())
            .select_from(ResponseRecord)
            .join(WaveRecord, col(ResponseRecord.wave_id) == col(WaveRecord.id))
            .where(WaveRecord.survey_id == survey.id)
        ).one()
        title = questionnaire.title[questionnaire.languages[0]]
        summaries.append(SurveySummary(survey.id, versions, title, int(waves), int(responses)))
    return summaries
