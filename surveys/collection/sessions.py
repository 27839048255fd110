"""Responses in progress: where a respondent is, what they answered so far, how long each page took.

A response in progress is found by its key: the SHA-256 of the invitation token (so the same link resumes on
any device) or, on an open link, the SHA-256 of the browser's session cookie. The browser's session cookie is
random (256 bits), HttpOnly and SameSite=Lax; every form carries a CSRF token that is an HMAC of that cookie
and the response's key under the workspace's web secret, so a form posted from another site, from another
browser, or for another response fails the check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from surveys.storage.tables import WebSessionRecord, WorkspaceSettingRecord

COOKIE_BYTES = 32
_SECRET_SETTING = "web_secret"


def web_secret(session: Session) -> bytes:
    """The workspace's key for CSRF tokens and fingerprints; made on first use, kept in the database so every
    worker process and every restart agrees."""
    setting = session.get(WorkspaceSettingRecord, _SECRET_SETTING)
    if setting is None:
        setting = WorkspaceSettingRecord(key=_SECRET_SETTING, value=secrets.token_hex(32))
        session.add(setting)
        session.flush()
    return bytes.fromhex(setting.value)


def new_cookie() -> str:
    return secrets.token_urlsafe(COOKIE_BYTES)


def csrf_token(secret: bytes, cookie: str, key_sha256: str) -> str:
    """The form token of one browser (`cookie`) answering one response (`key_sha256`).

    >>> csrf_token(b"k", "c", "a") == csrf_token(b"k", "c", "a") != csrf_token(b"k", "c", "b")
    True
    """
    return hmac.new(secret, f"csrf|{cookie}|{key_sha256}".encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: bytes, cookie: str | None, key_sha256: str, posted: str | None) -> bool:
    if not cookie or not posted:
        return False
    return hmac.compare_digest(csrf_token(secret, cookie, key_sha256), posted)


def open_link_key(cookie: str, wave_id: int) -> str:
    """The key of an open-link response in progress: the browser's cookie, per wave."""
    return hashlib.sha256(f"open|{wave_id}|{cookie}".encode()).hexdigest()


def find_web_session(session: Session, key_sha256: str) -> WebSessionRecord | None:
    return session.exec(select(WebSessionRecord).where(WebSessionRecord.key_sha256 == key_sha256)).first()


def start_web_session(
    session: Session | None,
    key_sha256: str,
    wave_id: int,
    survey_version_id: int,
    language: str,
    invitation_id: int | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> WebSessionRecord:
    """A new response in progress, stored in `session` (or, with None, a draft that is not stored yet)."""
    now = now or datetime.now(UTC)
    record = WebSessionRecord(
        key_sha256=key_sha256,
        invitation_id=invitation_id,
        wave_id=wave_id,
        survey_version_id=survey_version_id,
        language=language,
        page=0,
        answers={},
        page_seconds={},
        details=details or {},
        started_at=now,
        page_shown_at=now,
        updated_at=now,
    )
    if session is not None:
        session.add(record)
        session.flush()
    return record


def signed_start(secret: bytes, key_sha256: str, started: datetime, language: str) -> str:
    """The first page's hidden `started` field: when it was shown and in which language, signed, so an invitation's
    first page needs no database write (the response in progress is stored with the first post)."""
    stamp = f"{int(started.timestamp() * 1000)}.{language}"
    signature = hmac.new(secret, f"started|{key_sha256}|{stamp}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{stamp}.{signature}"


def read_signed_start(secret: bytes, key_sha256: str, field: str | None) -> tuple[datetime, str] | None:
    """The time and language of a `signed_start` field; None when it is missing, forged or not plausible.

    >>> from datetime import UTC, datetime
    >>> moment = datetime(2026, 7, 1, tzinfo=UTC)
    >>> read_signed_start(b"k", "a", signed_start(b"k", "a", moment, "zh-Hans")) == (moment, "zh-Hans")
    True
    >>> read_signed_start(b"k", "b", signed_start(b"k", "a", moment, "zh-Hans")) is None
    True
    """
    if not field or field.count(".") != 2:
        return None
    milliseconds, language, signature = field.split(".")
    if not milliseconds.isdigit() or len(milliseconds) > 15:
        return None
    expected = hmac.new(secret, f"started|{key_sha256}|{milliseconds}.{language}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]
    if not hmac.compare_digest(expected, signature):
        return None
    return datetime.fromtimestamp(int(milliseconds) / 1000, UTC), language


def record_page_time(record: WebSessionRecord, section_code: str, now: datetime) -> None:
    """Add the time since the page was shown to its section's total (a page seen twice counts twice)."""
    shown = aware(record.page_shown_at)
    seconds = max(0.0, (now - shown).total_seconds())
    timings = dict(record.page_seconds)
    timings[section_code] = round(float(timings.get(section_code, 0.0)) + seconds, 3)
    record.page_seconds = timings


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
