"""Waves: the fielding periods of a survey (2026Q3, 2026Q4 …) that responses belong to and reports compare."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from surveys.problems import InputError, Problem
from surveys.storage.survey_versions import stored_questionnaire
from surveys.storage.tables import ResponseRecord, WaveRecord

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_wave_label(label: str) -> None:
    if not _LABEL.match(label):
        raise InputError(
            f"Cannot use wave {label!r}.",
            [
                Problem(
                    "WAVE",
                    f"{label!r} is not a valid wave label.",
                    "Use letters, digits, . _ -, e.g. 2026Q3.",
                )
            ],
        )


def add_wave(
    session: Session, survey: str, label: str, starts_on: date | None = None, ends_on: date | None = None
) -> WaveRecord:
    """Open a new wave of a published survey."""
    check_wave_label(label)
    stored_questionnaire(session, survey)  # the survey must exist; says so with the nearest name if not
    if starts_on and ends_on and starts_on > ends_on:
        raise InputError(
            f"Cannot add wave {label!r}.",
            [Problem("--from/--to", f"the wave starts on {starts_on} after it ends on {ends_on}.", "Swap them.")],
        )
    if find_wave(session, survey, label) is not None:
        raise InputError(
            f"Cannot add wave {label!r}.",
            [Problem("WAVE", f"survey {survey!r} already has a wave {label!r}.", "See `loyalty wave list`.")],
        )
    wave = WaveRecord(survey_id=survey, label=label, starts_on=starts_on, ends_on=ends_on, created_at=_now())
    session.add(wave)
    session.flush()
    return wave


def find_wave(session: Session, survey: str, label: str) -> WaveRecord | None:
    return session.exec(select(WaveRecord).where(WaveRecord.survey_id == survey, WaveRecord.label == label)).first()


def wave_for_import(session: Session, survey: str, label: str) -> tuple[WaveRecord, bool]:
    """The wave to import into, created when it does not exist yet; the flag says whether it was created."""
    check_wave_label(label)
    wave = find_wave(session, survey, label)
    if wave is not None:
        return wave, False
    return add_wave(session, survey, label), True


@dataclass(frozen=True, slots=True)
class WaveSummary:
    survey: str
    label: str
    starts_on: date | None
    ends_on: date | None
    responses: int

    def as_dict(self) -> dict[str, object]:
        return {
            "survey": self.survey,
            "wave": self.label,
            "from": self.starts_on.isoformat() if self.starts_on else None,
            "to": self.ends_on.isoformat() if self.ends_on else None,
            "responses": self.responses,
        }


def list_waves(session: Session, survey: str | None = None) -> list[WaveSummary]:
    query = select(WaveRecord, func.count(col(ResponseRecord.id))).outerjoin(
        ResponseRecord, col(ResponseRecord.wave_id) == col(WaveRecord.id)
    )
    if survey is not None:
        stored_questionnaire(session, survey)
        query = query.where(WaveRecord.survey_id == survey)
    query = query.group_by(col(WaveRecord.id)).order_by(col(WaveRecord.survey_id), col(WaveRecord.label))
    return [
        WaveSummary(wave.survey_id, wave.label, wave.starts_on, wave.ends_on, int(count))
        for wave, count in session.exec(query).all()
    ]


def _now() -> datetime:
    return datetime.now(UTC)
