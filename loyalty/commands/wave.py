"""`loyalty wave …`: the fielding periods of a survey."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from loyalty.workspace import WorkspaceOptions, workspace_session

app = typer.Typer(help="Open and list waves (fielding periods such as 2026Q3).", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    survey: Annotated[str, typer.Argument(help="A published survey id.")],
    label: Annotated[str, typer.Argument(help="The wave's label, e.g. 2026Q3.")],
    starts_on: Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")] = None,
    ends_on: Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day.")] = None,
) -> None:
    """Open a wave of a published survey.

    Example: loyalty wave add retail-2026 2026Q3 --from 2026-07-01 --to 2026-09-30
    """
    from surveys.storage.waves import add_wave

    options: WorkspaceOptions = ctx.obj
    with workspace_session(options) as session:
        add_wave(
            session,
            survey,
            label,
            starts_on.date() if starts_on else None,
            ends_on.date() if ends_on else None,
        )
    typer.echo(f"Wave {label} of {survey} added.")


@app.command(name="list")
def list_(
    ctx: typer.Context,
    survey: Annotated[str | None, typer.Argument(help="Only this survey's waves.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of objects.")] = False,
) -> None:
    """List the waves of the workspace with their response counts.

    Example: loyalty wave list retail-2026 --json
    """
    from surveys.storage.waves import list_waves

    options: WorkspaceOptions = ctx.obj
    with workspace_session(options) as session:
        waves = list_waves(session, survey)
    if as_json:
        typer.echo(json.dumps([wave.as_dict() for wave in waves], ensure_ascii=False))
        return
    for wave in waves:
        period = f"{wave.starts_on or '…'} – {wave.ends_on or '…'}"
        typer.echo(f"{wave.survey:<24} {wave.label:<12} {period:<26} {wave.responses:>8} responses")
    if not waves:
        typer.echo("No waves yet: loyalty wave add SURVEY LABEL.")
