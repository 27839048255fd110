"""`loyalty export`: one wave as labelled data, for SPSS, Excel or anything that reads CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, cast

import typer

from loyalty.workspace import WorkspaceOptions, workspace_session
from surveys.problems import InputError, Problem


def export(
    ctx: typer.Context,
    survey: Annotated[str, typer.Option(help="The survey.")],
    wave: Annotated[str, typer.Option(help="The wave, e.g. 2026Q3.")],
    to: Annotated[str, typer.Option(help="csv, xlsx or sav (SPSS, with variable and value labels).")] = "csv",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of the labels; default the survey's first.")] = None,
    with_identifiers: Annotated[
        bool, typer.Option(help="Include the respondent and device pseudonyms (left out by default).")
    ] = False,
) -> None:
    """Export one wave: a row per response, a column per answer (a 0/1 column per multiple-choice option).

    Example: loyalty export --survey retail-2026 --wave 2026Q3 --to sav -o retail-2026Q3.sav
    """
    from surveys.storage.wave_data import load_wave
    from surveys.wave_export import write_wave

    if to not in ("csv", "xlsx", "sav"):
        raise InputError("Cannot export.", [Problem("--to", f"{to!r} is not a format.", "Use csv, xlsx or sav.")])
    options: WorkspaceOptions = ctx.obj
    with workspace_session(options) as session:
        data = load_wave(session, survey, wave)
    languages = data.questionnaire.languages
    language = next((known for known in languages if known == (lang or languages[0])), None)
    if language is None:
        raise InputError(
            "Cannot export.",
            [Problem("--lang", f"{lang!r} is not a language of {survey}.", f"Use {', '.join(languages)}.")],
        )
    path = output or Path(f"{survey}-{wave}.{to}")
    count = write_wave(data, cast(Literal["csv", "xlsx", "sav"], to), path, language, with_identifiers)
    typer.echo(f"Wrote {count} responses to {path}.")
