"""The root of the `loyalty` command: one sub-application per command group, and the error policy.

Bad user input raises `surveys.problems.InputError`; here it becomes a printed list of problems and
exit code 1. Any other exception is a bug and keeps its traceback, but never with local variables: they
would print respondents' answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
from typer import _click  # typer vendors click; its Context is what TyperGroup.invoke takes

from loyalty.commands import (
    demo,
    export,
    import_customers,
    import_responses,
    measure,
    report,
    serve,
    survey,
    wave,
    workspace,
)
from loyalty.workspace import WorkspaceOptions
from surveys.problems import InputError


class _ReportingInputErrors(typer.core.TyperGroup):
    """Turns `InputError` raised by any sub-command into "Error: …" on stderr and exit code 1."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as problems:
            typer.echo(f"Error: {problems.report()}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_ReportingInputErrors,
    name="loyalty",
    help="Customer-loyalty surveys: design, collect, measure, report.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    workspace_directory: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            envvar="LOYALTY_WORKSPACE",
            help="The workspace folder (default: found upwards).",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="LOYALTY_DATABASE_URL", help="Use this database instead of the workspace's."),
    ] = None,
) -> None:
    """Customer-loyalty surveys: design, collect, measure, report."""
    ctx.obj = WorkspaceOptions(workspace_directory, database_url)


app.command()(workspace.init)
app.command()(workspace.migrate)
app.add_typer(survey.app, name="survey")
app.add_typer(wave.app, name="wave")
app.command(name="import")(import_responses.import_)
app.command(name="import-customers")(import_customers.import_customers)
app.command()(export.export)
app.add_typer(measure.app, name="measure")
app.command()(report.report)
app.command()(demo.demo)
app.command()(serve.serve)
app.command()(serve.invite)


def main() -> None:
    """Entry point of the `loyalty` console script."""
    app()
