"""Storing a finished web response: once, at submit, in one transaction with marking its invitation used.

The response row, the invitation's `used_at` and `response_id`, and the removal of the response in progress
commit together or not at all. Two submissions racing with the same token store one response: the second
collides with the first on the response's unique key (and the invitation is claimed only with a conditional
UPDATE, `used_at IS NULL`); the loser rolls back and is told the link was used. The
respondent is thanked only after the commit: every acknowledged submission is in the database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, inspect, update
from sqlmodel import Session, select

from surveys.storage.tables import InvitationRecord, RespondentRecord, ResponseRecord, WebSessionRecord

SOURCE = "web"
_RESPONSES = ResponseRecord.__table__  # type: ignore[attr-defined]
_INVITATIONS = InvitationRecord.__table__  # type: ignore[attr-defined]
_INSERT_RESPONSE = insert(_RESPONSES).returning(_RESPONSES.c.id)
_CLAIM_INVITATION = (
    update(_INVITATIONS)
    .where(_INVITATIONS.c.id == bindparam("invitation"), _INVITATIONS.c.used_at.is_(None))
    .values(used_at=bindparam("claimed_at"), response_id=bindparam("response"))
)


class AlreadyUsedError(Exception):
    """The invitation's response was stored by an earlier (or concurrent) submission."""


def store_web_response(
    session: Session,
    record: WebSessionRecord,
    answers: dict[str, Any],
    details: dict[str, Any],
    missing: dict[str, str] | None = None,
    now: datetime | None = None,
) -> int:
    """Store the response of `record` and close it; the caller commits. AlreadyUsedError when its invitation has
    been used meanwhile (nothing is stored then: the caller rolls back)."""
    from surveys.collection.sessions import aware

    now = now or datetime.now(UTC)
    if record.invitation_id is not None:
        response_key = f"invitation:{record.invitation_id}"
    else:
        response_key = f"open:{record.key_sha256[:40]}"
    respondent_id = None
    if record.invitation_id is not None:
        invitation = session.get(InvitationRecord, record.invitation_id)
        if invitation is not None and invitation.contact_pseudonym:
            respondent_id = _respondent(session, invitation.contact_pseudonym, now)
    started = aware(record.started_at)
    # The response first: a second submission with the same invitation collides with it on the unique
    # (wave, source, platform_response_id) and waits for this transaction, then fails (IntegrityError).
    connection = session.connection()  # Core statements built once: this is the hot path of a busy survey
    response_id = connection.execute(
        _INSERT_RESPONSE,
        {
            "wave_id": record.wave_id,
            "survey_version_id": record.survey_version_id,
            "respondent_id": respondent_id,
            "batch_id": None,
            "source": SOURCE,
            "platform_response_id": response_key,
            "started_at": started,
            "submitted_at": now,
            "duration_seconds": (now - started).total_seconds(),
            "status": "complete",
            "answers": answers,
            "missing": missing or {},
            "details": {**details, "page_seconds": dict(record.page_seconds)},
        },
    ).scalar_one()
    if record.invitation_id is not None:  # then the claim, which only an unused invitation allows
        claimed = connection.execute(
            _CLAIM_INVITATION, {"invitation": record.invitation_id, "claimed_at": now, "response": response_id}
        )
        if claimed.rowcount != 1:
            raise AlreadyUsedError
    if inspect(record).persistent:  # a one-page response submitted with its first post was never stored
        session.delete(record)
    session.flush()
    return int(response_id)


def _respondent(session: Session, key: str, now: datetime) -> int:
    """The respondent of an invited contact (keys are the workspace's pseudonyms, as on import)."""
    found = session.exec(select(RespondentRecord).where(RespondentRecord.key == key)).first()
    if found is None:
        found = RespondentRecord(key=key, segments={}, created_at=now)
        session.add(found)
        session.flush()
    assert found.id is not None
    return found.id
