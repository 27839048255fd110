"""Which waves of a data file to compare: the `--wave-column W [--waves EARLIER,LATER]` options.

Waves are ordered as a user names them: numbers by value, text alphabetically (so 2026-Q1 < 2026-Q2).
Without --waves the last two are compared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd


def wave_labels(values: pd.Series) -> pd.Series:
    """Each row's wave as text ("" where empty); 3.0 read from a CSV becomes "3"."""
    return values.map(_text)


def wave_order(label: str) -> tuple[int, float, str]:
    """Sort key: numbers by value first, then text alphabetically."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def sorted_waves(labels: pd.Series) -> list[str]:
    """The distinct non-empty waves in order."""
    return sorted({label for label in labels if label}, key=wave_order)


def two_waves(labels: pd.Series, waves: str | None, column: str) -> tuple[str, str]:
    """The (earlier, later) waves to compare: those named in --waves, else the last two."""
    present = sorted_waves(labels)
    if waves is not None:
        named = [name.strip() for name in waves.split(",")]
        if len(named) != 2 or any(name not in present for name in named):
            raise InputError(
                "--waves must name two waves of the file.",
                [Problem("--waves", f"{waves!r}; the waves are: {', '.join(present)}.", "Write EARLIER,LATER.")],
            )
        return named[0], named[1]
    if len(present) < 2:
        raise InputError(
            "Two waves are needed for a comparison.",
            [Problem(f"column {column}", f"holds {len(present)} wave(s): {', '.join(present) or 'none'}.")],
        )
    return present[-2], present[-1]


def _text(value: Any) -> str:
    if value is None or value != value:  # NaN
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
