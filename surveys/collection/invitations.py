"""Personal invitation links: random tokens of 256 bits, stored only as their SHA-256, one response each.

A token is shown once, in the links file `loyalty invite` writes; the database keeps its hash, so neither a
database dump nor a backup holds a usable link. A token is good for one submitted response and only while its
wave is open (until the end of `ends_on`, UTC).
"""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from surveys.importers.pseudonyms import Pseudonymiser
from surveys.problems import InputError, Problem
from surveys.storage.survey_versions import stored_questionnaire
from surveys.storage.tables import InvitationRecord, WaveRecord
from surveys.storage.waves import find_wave

TOKEN_BYTES = 32  # 256 bits from the operating system's CSPRNG
_TOKEN_LENGTH = 43  # base64url of 32 bytes, unpadded


def token_hash(token: str) -> str:
    """The SHA-256 (hex) a token is stored and looked up by.

    >>> len(token_hash("x"))
    64
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    """Whether `token` has the shape of one we issue (checked before any database look-up)."""
    return len(token) == _TOKEN_LENGTH and all(c.isalnum() or c in "-_" for c in token)


def wave_is_open(wave: WaveRecord, today: date | None = None) -> bool:
    """A wave is open from `starts_on` through `ends_on` (either may be unset)."""
    today = today or datetime.now(UTC).date()
    return (wave.starts_on is None or wave.starts_on <= today) and (wave.ends_on is None or today <= wave.ends_on)


def latest_open_wave(session: Session, survey: str) -> WaveRecord:
    """The survey's most recently created wave whose end has not passed."""
    stored_questionnaire(session, survey)  # the survey must exist
    today = datetime.now(UTC).date()
    waves = session.exec(
        select(WaveRecord).where(WaveRecord.survey_id == survey).order_by(col(WaveRecord.created_at).desc())
    ).all()
    for wave in waves:
        if wave.ends_on is None or wave.ends_on >= today:
            return wave
    raise InputError(
        f"Survey {survey!r} has no open wave.",
        [Problem("--wave", "every wave of the survey has ended.", f"Open one: loyalty wave add {survey} LABEL.")],
    )


def invitation_wave(session: Session, survey: str, wave_label: str | None) -> WaveRecord:
    """The wave to invite to: the one named (it must not have ended), else the latest open one."""
    if wave_label is None:
        return latest_open_wave(session, survey)
    stored_questionnaire(session, survey)
    wave = find_wave(session, survey, wave_label)
    if wave is None:
        raise InputError(
            f"Cannot invite to wave {wave_label!r}.",
            [Problem("--wave", f"survey {survey!r} has no wave {wave_label!r}.", "See `loyalty wave list`.")],
        )
    if wave.ends_on is not None and wave.ends_on < datetime.now(UTC).date():
        raise InputError(
            f"Cannot invite to wave {wave_label!r}.",
            [Problem("--wave", f"the wave ended on {wave.ends_on}.", "Invite to an open wave.")],
        )
    return wave


@dataclass(frozen=True, slots=True)
class Invitation:
    """A new personal link; `token` exists only here and in the links file."""

    token: str
    url: str
    contact: str | None  # the key from the contacts file, for the mail merge; never stored
    contact_pseudonym: str | None


def create_invitations(
    session: Session, wave: WaveRecord, base_url: str, contacts: list[str | None]
) -> list[Invitation]:
    """One invitation per entry of `contacts` (a contact key, pseudonymised, or None for an anonymous link)."""
    assert wave.id is not None  # a stored wave
    pseudonyms = Pseudonymiser.for_workspace(session)
    now = datetime.now(UTC)
    invitations = []
    records = []
    for contact in contacts:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        pseudonym = pseudonyms.pseudonym(contact) if contact else None
        records.append(
            InvitationRecord(
                token_sha256=token_hash(token), wave_id=wave.id, contact_pseudonym=pseudonym, created_at=now
            )
        )
        invitations.append(Invitation(token, f"{base_url.rstrip('/')}/s/{token}", contact, pseudonym))
    session.add_all(records)
    session.flush()
    return invitations


def read_contacts(path: Path, key_column: str | None) -> list[str]:
    """The contact keys of a CSV file (UTF-8, with or without BOM): the column named `key_column`, else the
    first column whose name says customer, contact, member or id."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        column = key_column or next(
            (
                name
                for name in header
                if any(
                    word in name.casefold() for word in ("customer", "contact", "member", "key", "id", "客户", "会员")
                )
            ),
            None,
        )
        if column is None or column not in header:
            raise InputError(
                f"{path} has no contact key column.",
                [Problem(str(path), f"columns are {', '.join(header) or '(none)'}.", "Name one with --key-column.")],
            )
        keys, problems = [], []
        for row_number, row in enumerate(reader, start=2):
            key = (row.get(column) or "").strip()
            if not key:
                problems.append(Problem(f"row {row_number}, column {column}", "is empty.", "Give every contact a key."))
            else:
                keys.append(key)
    duplicates = sorted(key for key, times in Counter(keys).items() if times > 1)
    for key in duplicates[:20]:
        problems.append(Problem(f"column {column}", f"{key!r} appears more than once.", "Invite each contact once."))
    if problems:
        raise InputError(f"{path}: {len(problems)} problems; no invitations were made.", problems)
    return keys


def write_links(path: Path, invitations: list[Invitation], survey: str, wave: str) -> None:
    """The links file: one row per invitation (UTF-8 with BOM so Excel shows Chinese correctly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("survey", "wave", "contact", "contact_pseudonym", "url"))
        for invitation in invitations:
            contact = invitation.contact or ""
            if contact.startswith(("=", "+", "-", "@")):
                contact = "'" + contact  # a spreadsheet would run it as a formula
            writer.writerow((survey, wave, contact, invitation.contact_pseudonym or "", invitation.url))
