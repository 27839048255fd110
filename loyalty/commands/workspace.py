"""`loyalty init` and `loyalty migrate`: making a workspace and keeping its database schema current."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loyalty.workspace import WorkspaceOptions, _safe, create_workspace, open_workspace


def init(
    directory: Annotated[Path, typer.Argument(help="The workspace folder; made if missing.")] = Path("."),
    database_url: Annotated[
        str | None,
        typer.Option(help="PostgreSQL instead of the SQLite file, e.g. postgresql://user@host/db.", show_default=False),
    ] = None,
    organisation: Annotated[str, typer.Option(help="Your organisation's name, for report covers.")] = "",
) -> None:
    """Make a workspace: loyalty.toml and a database (SQLite loyalty.db here, or PostgreSQL by URL).

    Running it again on a workspace brings its database schema up to date and changes nothing else.

    Example: loyalty init retail-cx --organisation "某某零售"
    """
    workspace = create_workspace(directory, database_url, organisation)
    typer.echo(f"Workspace ready in {workspace.directory}: database {_safe(workspace.database_url)}.")


def migrate(ctx: typer.Context) -> None:
    """Bring the workspace database's schema up to the version this loyalty needs.

    Example: loyalty migrate
    """
    from surveys.storage.schema import migrate as migrate_schema

    options: WorkspaceOptions = ctx.obj
    workspace = open_workspace(options, check_schema=False)
    engine = workspace.engine()
    try:
        migrate_schema(engine)
    finally:
        engine.dispose()
    typer.echo(f"Schema up to date: {_safe(workspace.database_url)}.")
