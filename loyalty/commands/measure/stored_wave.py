"""`--survey S --wave W`: measuring a stored wave instead of a data file (`--data FILE`).

Exactly one of the two modes. A stored wave is loaded through the workspace (`load_wave`), and by default
only its complete responses are measured, less those the quality screening flags (`reports.screening`,
the same screening the report uses; `--include-flagged` keeps them); the output says how many were left
out, by status and by reason. What each measure takes from the codebook is chosen in `surveys.wave_inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loyalty.workspace import WorkspaceOptions, workspace_session
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from reports.screening import FlaggedFilter
    from surveys.storage.wave_data import WaveData
    from surveys.wave_inputs import StatusFilter

SurveyOption = Annotated[
    str | None, typer.Option("--survey", help="Measure a stored wave of this published survey (with --wave).")
]
WaveOption = Annotated[str | None, typer.Option("--wave", help="The stored wave to measure, e.g. 2026Q3.")]
IncompleteOption = Annotated[
    bool,
    typer.Option(
        "--include-incomplete",
        help="Stored wave: measure partial and screened-out responses too (only complete ones by default).",
    ),
]

FlaggedOption = Annotated[
    bool,
    typer.Option(
        "--include-flagged",
        help="Keep responses the quality screening flags: a stored wave's own screening, or a data file's "
        "quality_reasons column (`loyalty measure quality --output`). Left out by default.",
    ),
]


@dataclass(frozen=True)
class MeasuredWave:
    """The wave being measured (complete responses only, unless asked otherwise) and what was left out."""

    data: WaveData
    status: StatusFilter
    flagged: FlaggedFilter | None = None  # None: not screened (`loyalty measure quality` itself)

    @property
    def frame(self) -> pd.DataFrame:
        return self.data.responses

    @property
    def source(self) -> str:
        return f"survey {self.data.survey}, wave {self.data.wave}"

    def as_dict(self) -> dict[str, object]:
        flagged = {} if self.flagged is None else {"flagged": self.flagged.as_dict()}
        return {"survey": self.data.survey, "wave": self.data.wave, **self.status.as_dict(), **flagged}

    def describe(self) -> str:
        """One line for the readable output."""
        left_out = ", ".join(f"{count} {status}" for status, count in self.status.excluded.items())
        used = self.status.used_by_status
        excluded = 0 if self.flagged is None else self.flagged.excluded
        measured = f"{self.status.used - excluded} of {self.status.used}" if excluded else str(self.status.used)
        if set(used) == {"complete"}:
            text = f"{self.source}: {measured} complete responses measured"
        else:
            statuses = ", ".join(f"{count} {status}" for status, count in used.items())
            text = f"{self.source}: {measured} responses measured ({statuses})"
        if left_out:
            text += f"; left out: {left_out} (--include-incomplete keeps them)"
        if self.flagged is not None:
            text += f"; {self.flagged.describe()}"
        return text


def stored_wave(
    ctx: typer.Context,
    data: Path | None,
    survey: str | None,
    wave: str | None,
    include_incomplete: bool = False,
    include_flagged: bool = False,
    *,
    screen: bool = True,
    flags_in_files: bool = False,
) -> MeasuredWave | None:
    """None when measuring `--data FILE`; the loaded wave for `--survey S --wave W`; InputError unless exactly
    one of the two was given. A stored wave is screened and its flagged responses left out unless
    `include_flagged` (`screen=False`: the quality command, which reports the screening itself);
    `flags_in_files`: the command reads a data file's quality_reasons column, so --include-flagged means
    something with --data too."""
    if data is not None and (survey is not None or wave is not None):
        given = " ".join(option for option, value in (("--survey", survey), ("--wave", wave)) if value is not None)
        raise InputError(
            "Measure either a data file or a stored wave, not both.",
            [Problem(f"--data and {given}", "were both given.", "Give --data FILE, or --survey S --wave W.")],
        )
    if data is not None:
        if include_incomplete:
            raise InputError(
                "--include-incomplete is for a stored wave.",
                [Problem("--include-incomplete", "a data file is measured as it is.", "Leave the option out.")],
            )
        if include_flagged and not flags_in_files:
            raise InputError(
                "--include-flagged is for a stored wave here.",
                [Problem("--include-flagged", "this command measures a data file as it is.", "Leave the option out.")],
            )
        return None
    if survey is None or wave is None:
        missing = "--wave" if survey is not None else "--survey" if wave is not None else "--data or --survey/--wave"
        raise InputError(
            "Nothing to measure.",
            [Problem(missing, "is not given.", "Give --data FILE, or --survey S --wave W for a stored wave.")],
        )
    from surveys.storage.wave_data import load_wave
    from surveys.wave_inputs import complete_responses

    options: WorkspaceOptions = ctx.obj if isinstance(ctx.obj, WorkspaceOptions) else WorkspaceOptions()
    with workspace_session(options) as session:
        loaded = load_wave(session, survey, wave)
    kept, status = complete_responses(loaded, include_incomplete)
    if status.used == 0:
        raise InputError(
            f"Survey {survey}, wave {wave} has no responses to measure.",
            [
                Problem(
                    f"survey {survey}, wave {wave}",
                    "has no complete responses." if status.excluded else "has no responses yet.",
                    "Import responses first, or give --include-incomplete.",
                )
            ],
        )
    if not screen:
        return MeasuredWave(kept, status)
    from reports.screening import screened

    kept, flagged = screened(kept, include_flagged)
    return MeasuredWave(kept, status, flagged)


def refuse_in_stored_mode(options: dict[str, object], why: str) -> None:
    """InputError for file-mode options given with a stored wave (what they set comes from the codebook)."""
    given = [name for name, value in options.items() if value not in (None, False, "", [])]
    if given:
        raise InputError(
            f"{', '.join(given)} cannot be used with a stored wave.",
            [Problem(name, why) for name in given],
        )


def need_in_file_mode(options: dict[str, object]) -> None:
    """InputError for options a data file needs but that were not given."""
    absent = [name for name, value in options.items() if value is None]
    if absent:
        raise InputError(
            f"{', '.join(absent)} {'is' if len(absent) == 1 else 'are'} needed with --data.",
            [Problem(name, "is not given.", "Name the file's columns.") for name in absent],
        )
