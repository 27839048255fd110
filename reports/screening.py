"""Response-quality screening of a stored wave, and the wave without its flagged responses.

Issue 6: analyses leave flagged responses out by default and say how many and why; `--include-flagged`
keeps them. The screening is made from the wave itself — the codebook's rating grids and attention checks,
`measure.response_quality.screen_responses` with its default rules — so every `loyalty measure` command on a
stored wave and the report leave out the same responses, reproducibly, without keeping a list that could go
stale when a wave gets more responses. Nothing is deleted: `loyalty measure quality` lists every response's
reason codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from surveys.problems import InputError
from surveys.wave_inputs import rows_kept

if TYPE_CHECKING:
    import pandas as pd

    from measure.response_quality import ResponseQuality
    from surveys.storage.wave_data import WaveData


@dataclass(frozen=True, slots=True)
class FlaggedFilter:
    """What screening found and what the analysis left out: `excluded` is 0 with --include-flagged."""

    flagged: int
    excluded: int
    by_reason: dict[str, int]  # reason code → responses carrying it (a response may carry several)
    not_screened: str | None = None  # why the wave could not be screened (then nothing is flagged)

    def as_dict(self) -> dict[str, object]:
        return {
            "flagged": self.flagged,
            "excluded": self.excluded,
            "by_reason": self.by_reason,
            "not_screened": self.not_screened,
        }

    def describe(self) -> str:
        """One clause for a command's readable output."""
        if self.not_screened is not None:
            return f"not screened for response quality ({self.not_screened})"
        if not self.flagged:
            return "no response flagged by the quality screening"
        return flagged_line(self.flagged, self.excluded, self.by_reason)


def flagged_line(flagged: int, excluded: int, by_reason: Mapping[str, int]) -> str:
    """How many flagged responses were left out (or kept) and why: the one wording of every command, for a
    stored wave's screening and for a data file's quality_reasons column alike."""
    reasons = ", ".join(f"{reason} {count}" for reason, count in by_reason.items())
    if excluded:
        return f"{excluded} flagged responses left out ({reasons}); --include-flagged keeps them"
    return f"{flagged} flagged responses kept (--include-flagged; {reasons})"


def screening_frame(wave: WaveData, numeric: Iterable[str]) -> pd.DataFrame:
    """The wave's responses as the screen reads them: submission times as seconds since the first (no time
    zones to read), and the `numeric` columns (grid items, attention checks) as floats."""
    frame = wave.responses.copy()
    submitted = frame["submitted_at"]
    frame["submitted_at"] = (submitted - submitted.min()).dt.total_seconds()
    for column in numeric:
        frame[column] = frame[column].astype("Float64").astype(float)
    return frame


def screen_wave(wave: WaveData) -> ResponseQuality:
    """Screen the wave's responses (as loaded, in order) with the grids and attention checks its codebook
    names; InputError when the questionnaire has no rating grid to screen."""
    from measure.response_quality import screen_responses
    from surveys.wave_inputs import attention_checks, grids

    found = grids(wave)
    checks = attention_checks(wave)
    frame = screening_frame(wave, [*(c for codes in found.values() for c in codes), *checks])
    durations = frame["duration_seconds"].astype("Float64").astype(float).to_numpy()
    return screen_responses(
        frame,
        grids=found,
        durations=durations,
        versions=frame["version"].to_numpy(),
        attention_checks={code: [str(answer) for answer in answers] for code, answers in checks.items()},
        fingerprints=frame["device_pseudonym"].to_numpy(),
        submitted_at=frame["submitted_at"].to_numpy(),
    )


def without_flagged(
    wave: WaveData, quality: ResponseQuality | None, include_flagged: bool = False
) -> tuple[WaveData, FlaggedFilter]:
    """The wave without the responses `quality` flagged (all of them with `include_flagged`), and the counts.
    `quality` None: the wave could not be screened; every response is kept."""
    if quality is None:
        return wave, FlaggedFilter(0, 0, {})
    flagged = [bool(response.reasons) for response in quality.responses]
    if len(flagged) != len(wave.responses):
        raise ValueError(f"quality: screened {len(flagged)} responses, the wave has {len(wave.responses)}.")
    by_reason = Counter(reason for response in quality.responses for reason in response.reasons)
    counts = FlaggedFilter(sum(flagged), 0 if include_flagged else sum(flagged), dict(sorted(by_reason.items())))
    if include_flagged or not counts.flagged:
        return wave, counts
    return rows_kept(wave, [not flag for flag in flagged]), counts


def screened(wave: WaveData, include_flagged: bool = False) -> tuple[WaveData, FlaggedFilter]:
    """Screen the wave and leave its flagged responses out (unless `include_flagged`); a wave the screening
    cannot judge (no rating grid) is kept whole and the filter says why."""
    try:
        quality = screen_wave(wave)
    except (InputError, ValueError) as error:
        reason = str(error.problems[0]) if isinstance(error, InputError) and error.problems else str(error)
        return wave, FlaggedFilter(0, 0, {}, not_screened=reason)
    return without_flagged(wave, quality, include_flagged)
