"""`loyalty import`: responses from an export file into a wave of a published survey."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loyalty.workspace import WorkspaceOptions, workspace_session
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    from sqlmodel import Session

    from surveys.importers.export_table import ExportTable


def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="The export; for 问卷星 the by-text and by-code pair, or one.")],
    survey: Annotated[str, typer.Option(help="The published survey the responses answer.")],
    wave: Annotated[str, typer.Option(help="The wave, e.g. 2026Q3; made if it does not exist yet.")],
    format: Annotated[
        str, typer.Option("--format", help="auto, or one of wjx, tencent, qualtrics, limesurvey, csv, xlsx, xls, sav.")
    ] = "auto",
    mapping: Annotated[
        Path | None, typer.Option(help="YAML: header → item code (or `ignore`), for columns not matched by themselves.")
    ] = None,
    quarantine: Annotated[
        Path | None, typer.Option(help="Store the valid rows; write the rejected ones here, unchanged, with reasons.")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Check everything, store nothing.")] = False,
    new_survey: Annotated[
        bool, typer.Option(help="The survey is not published yet: infer its questionnaire from the export first.")
    ] = False,
    keep_identifiers: Annotated[
        bool, typer.Option(help="Store IP addresses, names, phones and customer keys as given, not pseudonymised.")
    ] = False,
    timezone: Annotated[str, typer.Option(help="Zone of times written without one.")] = "Asia/Shanghai",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import responses: every row is stored, rejected with its reasons, or counted as a duplicate.

    By default any problem stores nothing and lists every problem (row, column, value, why, how to fix).
    Importing the same file again changes nothing; a newer export adds only the responses not yet stored.

    Example: loyalty import 问卷_0.xls 问卷_2.xls --survey retail-2026 --wave 2026Q3
    """
    from surveys.importers.import_responses import ImportOptions, file_digest, import_responses
    from surveys.importers.read_export import read_export

    options: WorkspaceOptions = ctx.obj
    if len(files) > 2:
        raise InputError(
            "Too many files.", [Problem("FILES", f"{len(files)} files given.", "Give one export, or 问卷星's pair.")]
        )
    settings = ImportOptions(
        survey, wave, read_mapping(mapping) if mapping else {}, quarantine, dry_run, keep_identifiers, timezone
    )
    with workspace_session(options) as session:
        if new_survey:
            _publish_inferred(session, read_export(files, format), survey)
        summary = import_responses(session, read_export(files, format), settings, file_digest(files), _progress())
        if dry_run:
            session.rollback()
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    for note in summary.notes:
        typer.echo(f"Note: {note}")
    if summary.wave_created:
        typer.echo(f"Wave {wave} of {survey} did not exist; it was created.")
    if summary.already_imported:
        typer.echo(f"{summary.source} was imported into {survey} {wave} before; nothing changed.")
        return
    if summary.variables_without_column:
        typer.echo(f"No column for: {', '.join(summary.variables_without_column)}.")
    verb = "would be stored (dry run)" if dry_run else "stored"
    typer.echo(
        f"Read {summary.read} = {summary.stored} {verb} + {summary.rejected} rejected"
        f"{f' (written to {quarantine})' if quarantine and summary.rejected else ''} + {summary.duplicates} duplicates."
    )


def _publish_inferred(session: Session, table: ExportTable, survey: str) -> None:
    from surveys.importers.infer_questionnaire import infer_questionnaire
    from surveys.questionnaire_file import questionnaire_yaml
    from surveys.storage.survey_versions import publish_questionnaire

    inferred = infer_questionnaire(table, survey)
    text = questionnaire_yaml(inferred.questionnaire)
    publish_questionnaire(session, inferred.questionnaire, text)
    typer.echo(f"Survey {survey} version 1 published, inferred from the export. Check these guesses:")
    for note in inferred.notes:
        typer.echo(f"  {note}")


def read_mapping(path: Path) -> dict[str, str]:
    from surveys.yaml_source import read_yaml

    source = read_yaml(path)
    if not isinstance(source.data, dict) or not all(isinstance(value, str) for value in source.data.values()):
        raise InputError(
            f"{path} is not a mapping.",
            [Problem(str(path), "must map each column header to an item code or `ignore`.", "e.g. `Q5: sat_overall`")],
        )
    return {str(header): value for header, value in source.data.items()}


def _progress() -> Callable[[int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(rows: int) -> None:
        sys.stderr.write(f"\r{rows:,} rows read")
        sys.stderr.flush()

    return show
