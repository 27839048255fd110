"""The tables of the workspace database, one class each.

A questionnaire change is a new survey version; a response points at the version it answered and the
wave it belongs to. Answers are one JSON object per response keyed by the codebook's variable codes, so
a new questionnaire version never needs a schema change; `missing` records why an absent answer is
absent (skipped, not shown, screened out), because "no answer" and "not asked" are analysed differently.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class SurveyRecord(SQLModel, table=True):
    __tablename__ = "survey"

    id: str = Field(primary_key=True, max_length=64)  # the questionnaire's `survey` id
    created_at: datetime


class SurveyVersionRecord(SQLModel, table=True):
    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: str = Field(foreign_key="survey.id", index=True, max_length=64)
    version: int
    questionnaire_yaml: str  # the file as published, so any later reader sees exactly what was asked
    sha256: str = Field(max_length=64)
    published_at: datetime


class WaveRecord(SQLModel, table=True):
    __tablename__ = "wave"
    __table_args__ = (UniqueConstraint("survey_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: str = Field(foreign_key="survey.id", index=True, max_length=64)
    label: str = Field(max_length=64)  # e.g. 2026Q3
    starts_on: date | None = None
    ends_on: date | None = None
    created_at: datetime


class RespondentRecord(SQLModel, table=True):
    __tablename__ = "respondent"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=128)  # pseudonymous unless the user kept identifiers
    segments: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class ImportBatchRecord(SQLModel, table=True):
    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int | None = Field(default=None, foreign_key="wave.id", index=True)
    kind: str = Field(max_length=16)  # responses or customers
    file_names: str
    sha256: str = Field(max_length=64)  # of the files' bytes, in order: the same files → the same hash
    format: str = Field(max_length=32)
    read: int
    stored: int
    rejected: int
    duplicates: int
    imported_at: datetime


class ResponseRecord(SQLModel, table=True):
    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("wave_id", "source", "platform_response_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # Survey version and batch are not indexed (migration 0003): nothing looks responses up by them, and each
    # index costs time on every stored response. The wave's index gives a wave's responses in id order.
    wave_id: int = Field(foreign_key="wave.id", index=True)
    survey_version_id: int = Field(foreign_key="survey_version.id")
    respondent_id: int | None = Field(default=None, foreign_key="respondent.id", index=True)
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    source: str = Field(max_length=32)  # wjx, qualtrics, csv, web …
    platform_response_id: str | None = Field(default=None, max_length=128)
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    duration_seconds: float | None = None
    status: str = Field(default="complete", max_length=16)  # complete, partial, screened_out
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    missing: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # What the platform recorded about the response besides answers (channel, IP city, pseudonymised IP …)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CustomerRecord(SQLModel, table=True):
    __tablename__ = "customer_record"
    __table_args__ = (UniqueConstraint("customer_key", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_key: str = Field(index=True, max_length=128)  # pseudonymised like respondent keys
    period: str = Field(max_length=32)  # e.g. 2026Q3 or 2026-09
    purchases: int | None = None
    revenue: float | None = None
    first_purchase: date | None = None
    last_purchase: date | None = None
    churned: bool | None = None
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")


class WorkspaceSettingRecord(SQLModel, table=True):
    __tablename__ = "workspace_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str


class InvitationRecord(SQLModel, table=True):
    """A personal link to one wave: only the SHA-256 of its token is kept, so a stolen database holds no
    usable link. Usable for one submitted response, and only until the wave ends."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(unique=True, max_length=64)
    wave_id: int = Field(foreign_key="wave.id", index=True)
    contact_pseudonym: str | None = Field(default=None, max_length=128)  # from --from contacts.csv
    created_at: datetime
    used_at: datetime | None = None
    response_id: int | None = Field(default=None, foreign_key="response.id")


class WebSessionRecord(SQLModel, table=True):
    """A web response in progress, so a respondent can leave and resume: by the invitation (the same link on
    any device) or, on an open link, by the SHA-256 of the resume cookie. Deleted when the response is stored."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    key_sha256: str = Field(unique=True, max_length=64)  # sha256 of the token, or of the open link's cookie
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id", unique=True)
    wave_id: int = Field(foreign_key="wave.id", index=True)
    survey_version_id: int = Field(foreign_key="survey_version.id")
    language: str = Field(max_length=16)
    page: int = 0  # the section shown last
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    page_seconds: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: datetime
    page_shown_at: datetime  # when the current page was sent: its time is counted at the next post
    updated_at: datetime


class OpenLinkEventRecord(SQLModel, table=True):
    """Starts and submissions on open links, by pseudonymised address: what the per-address rate limit counts."""

    __tablename__ = "open_link_event"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(foreign_key="wave.id")
    address_pseudonym: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # start or submit
    at: datetime = Field(index=True)
