"""Pseudonymising personal data on import: a keyed hash, with the key kept in the workspace database.

The same phone number or customer id always becomes the same pseudonym within one workspace (so duplicates
and CRM links still work), but the pseudonym cannot be reversed or matched across workspaces without the
key. HMAC-SHA-256 with a random 256-bit key; 24 hex characters (96 bits) are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from sqlmodel import Session

from surveys.storage.tables import WorkspaceSettingRecord

_SETTING = "pseudonym_key"


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def for_workspace(cls, session: Session) -> Pseudonymiser:
        """The workspace's pseudonymiser; its key is made on first use and never changes afterwards."""
        setting = session.get(WorkspaceSettingRecord, _SETTING)
        if setting is None:
            setting = WorkspaceSettingRecord(key=_SETTING, value=secrets.token_hex(32))
            session.add(setting)
            session.flush()
        return cls(bytes.fromhex(setting.value))

    def pseudonym(self, value: str) -> str:
        """The pseudonym of an identifier; spacing and letter case do not change it.

        >>> Pseudonymiser(b"k" * 32).pseudonym(" 13800138000 ") == Pseudonymiser(b"k" * 32).pseudonym("13800138000")
        True
        """
        canonical = unicodedata.normalize("NFKC", value).strip().casefold()
        return hmac.new(self._key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()[:24]
