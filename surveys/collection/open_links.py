"""Open links (no token): a per-address rate limit and a pseudonymised device fingerprint.

Anyone with an open link may answer, so two safeguards: starts and submissions are counted per address
(pseudonymised with the workspace's key, never stored in clear) over the last hour, and each response
carries a device fingerprint (a keyed hash of address, user agent and accepted languages) with the number of
earlier responses of the wave from the same device, so duplicates can be screened like an import's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from surveys.importers.pseudonyms import Pseudonymiser
from surveys.storage.tables import OpenLinkEventRecord

WINDOW = timedelta(hours=1)


def address_pseudonym(pseudonyms: Pseudonymiser, address: str) -> str:
    return pseudonyms.pseudonym(f"address|{address}")


def device_fingerprint(pseudonyms: Pseudonymiser, address: str, user_agent: str, languages: str) -> str:
    return pseudonyms.pseudonym(f"device|{address}|{user_agent}|{languages}")


def within_limit(session: Session, wave_id: int, address: str, kind: str, limit: int) -> bool:
    """Whether `address` may do one more `kind` (start, submit) on the wave's open link; counts it if so."""
    now = datetime.now(UTC)
    count = session.exec(
        select(func.count())
        .select_from(OpenLinkEventRecord)
        .where(
            OpenLinkEventRecord.wave_id == wave_id,
            OpenLinkEventRecord.address_pseudonym == address,
            OpenLinkEventRecord.kind == kind,
            col(OpenLinkEventRecord.at) > now - WINDOW,
        )
    ).one()
    if int(count) >= limit:
        return False
    session.add(OpenLinkEventRecord(wave_id=wave_id, address_pseudonym=address, kind=kind, at=now))
    session.flush()
    return True


def earlier_from_device(session: Session, wave_id: int, fingerprint: str) -> int:
    """How many open-link responses of the wave came from this device before (counted by its submit events)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(OpenLinkEventRecord)
            .where(
                OpenLinkEventRecord.wave_id == wave_id,
                OpenLinkEventRecord.address_pseudonym == fingerprint,
                OpenLinkEventRecord.kind == "device",
            )
        ).one()
    )


def record_device(session: Session, wave_id: int, fingerprint: str) -> None:
    session.add(
        OpenLinkEventRecord(wave_id=wave_id, address_pseudonym=fingerprint, kind="device", at=datetime.now(UTC))
    )
    session.flush()
