"""Aligning table columns that hold Chinese text: a CJK character takes two terminal columns."""

from __future__ import annotations

import unicodedata


def pad(text: str, width: int) -> str:
    """Left-align `text` in `width` terminal columns, counting wide (CJK) characters as two."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - used)
