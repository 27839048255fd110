"""`loyalty report`: the quarterly loyalty evaluation report of a stored wave, as PDF (or HTML).

Three steps, each one function: measure and build the context (`reports.analysis`, `reports.context`),
render the HTML (`reports.html`), write the PDF (`reports.pdf`). The workspace's `templates/` folder, when
there is one, is searched before the package's templates, so `templates/report/report.css` there rebrands
the report.

Survey weights: each wave is weighted to the population margins the workspace's `[weighting]` table names
for it (or to `--margins FILE` for this run); the headline estimates are then weighted, the models are not.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loyalty.workspace import MarginsSource, Workspace, WorkspaceOptions, open_workspace
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd
    from sqlmodel import Session

    from reports.context import DataFile
    from reports.weighting import WeightingPlan

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
#: Packages whose versions the methods appendix states.
SOFTWARE = ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "jinja2", "weasyprint")


def report(
    ctx: typer.Context,
    survey: Annotated[str, typer.Option("--survey", help="The published survey.")],
    wave: Annotated[str, typer.Option("--wave", help="The wave to report on, e.g. 2026Q3.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the report (PDF, or HTML).")],
    compare: Annotated[
        list[str] | None,
        typer.Option("--compare", help="An earlier wave to compare with; repeat, oldest first."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh-Hans, zh-Hant or en.")] = "zh-Hans",
    html: Annotated[bool, typer.Option("--html", help="Write the same content as one HTML page.")] = False,
    margins: Annotated[
        Path | None,
        typer.Option(
            "--margins",
            help="Population margins (YAML) to weight every reported wave to, instead of loyalty.toml's [weighting].",
        ),
    ] = None,
    include_flagged: Annotated[
        bool,
        typer.Option(
            "--include-flagged",
            help="Keep responses the quality screening flags (left out of every estimate by default).",
        ),
    ] = False,
) -> None:
    """Write the quarterly loyalty evaluation report of a stored wave.

    Every measure the survey supports is run on the wave's complete responses (loyalty index, NPS,
    satisfaction–loyalty thresholds, drivers, complaints, scale quality); a section whose inputs the
    survey lacks is left out with one line saying why. Changes since the last --compare wave are tested.
    Responses the quality screening flags (speeders, straight-liners, bots, duplicates …; see `loyalty
    measure quality`) are counted by reason in the report and left out of every estimate, in every wave,
    unless --include-flagged.

    With population margins (`[weighting]` in loyalty.toml, or --margins FILE for this run: the format of
    `loyalty measure weights --margins`), each wave is raked to them and the index, NPS, satisfaction and
    zone shares are weighted, with linearisation standard errors; margins a wave cannot meet leave it
    unweighted, with the reason in the report.

    Example:

        loyalty report --survey retail-2026 --wave 2026Q3 --compare 2026Q2 --lang zh-Hans -o report.pdf

        loyalty report --survey retail-2026 --wave 2026Q3 --margins margins-2026.yaml -o report.pdf
    """
    if lang not in LANGUAGES:
        raise InputError(
            "--lang is not a report language.",
            [Problem("--lang", f"{lang!r} is not one of {', '.join(LANGUAGES)}.")],
        )
    options = ctx.obj if isinstance(ctx.obj, WorkspaceOptions) else WorkspaceOptions()
    workspace = open_workspace(options)
    for line in write_report(
        workspace, survey, wave, list(compare or []), lang, output, html, margins, include_flagged
    ):
        typer.echo(line)


def write_report(
    workspace: Workspace,
    survey: str,
    wave: str,
    compared_waves: list[str],
    lang: str,
    output: Path,
    html: bool,
    margins: Path | None = None,
    include_flagged: bool = False,
) -> list[str]:
    """Measure the wave, build the context, render and write the report; the lines to show the user.

    Shared by `loyalty report` and `loyalty demo`.
    """
    from sqlmodel import Session

    from reports.analysis import analyse_wave
    from reports.context import build_context
    from reports.html import render_report_html
    from surveys.storage.customer_records import load_customer_records
    from surveys.storage.wave_data import load_wave

    if wave in compared_waves:
        raise InputError(
            "A wave cannot be compared with itself.", [Problem("--compare", f"{wave!r} is the reported wave.")]
        )
    started = time.perf_counter()
    engine = workspace.engine()
    try:
        with Session(engine) as session:
            current = load_wave(session, survey, wave)
            earlier = [load_wave(session, survey, label) for label in compared_waves]
            files = _data_files(session, survey, wave)
            customers = load_customer_records(session, survey, wave)
            earlier_customers = [load_customer_records(session, survey, label) for label in compared_waves]
            files += _customer_files(session, customers)
    finally:
        engine.dispose()
    plans = {label: weighting_plan(workspace, survey, label, margins) for label in [wave, *compared_waves]}
    analysis = analyse_wave(current, weighting=plans[wave], customers=customers, include_flagged=include_flagged)
    if analysis.status.used == 0:
        raise InputError(
            f"Survey {survey}, wave {wave} has no complete responses to report on.",
            [Problem(f"survey {survey}, wave {wave}", "has no complete responses.", "Import responses first.")],
        )
    compared = [
        analyse_wave(loaded, weighting=plans[loaded.wave], customers=records, include_flagged=include_flagged)
        for loaded, records in zip(earlier, earlier_customers, strict=True)
    ]
    context = build_context(
        analysis,
        compared,
        language=lang,
        organisation=workspace.organisation,
        data_files=files,
        software=_software(),
        logo=workspace.logo.as_uri() if workspace.logo else "",
    )
    measured = time.perf_counter()
    branding = workspace.directory / "templates"
    document = render_report_html(context, branding if branding.is_dir() else None)
    if html:
        output.write_text(document, encoding="utf-8")
    else:
        from reports.pdf import write_report_pdf

        write_report_pdf(document, output)
    finished = time.perf_counter()
    timing = f"analysis {measured - started:.1f} s, rendering {finished - measured:.1f} s"
    return [*context.left_out, f"Wrote {output} ({lang}; {timing})."]


def weighting_plan(workspace: Workspace, survey: str, wave: str, margins: Path | None) -> WeightingPlan | None:
    """The margins a wave is weighted to: `--margins`, else the workspace's `[weighting]` for it; None when
    neither names any. A missing or unreadable margins file is an error naming the setting."""
    from loyalty.commands.measure.weights import read_margins
    from reports.weighting import WeightingPlan

    settings = workspace.weighting
    source = (
        MarginsSource(margins, "--margins")
        if margins is not None
        else (settings.margins_for(survey, wave) if settings is not None else None)
    )
    if source is None:
        return None
    if not source.path.is_file():
        raise InputError(
            f"The margins for survey {survey}, wave {wave} cannot be read.",
            [Problem(source.setting, f"{source.path} does not exist.",
                     "Put the margins file there, or change the setting.")],
        )  # fmt: skip
    targets, population_total = read_margins(source.path)
    method = settings.method if settings is not None else "raking"
    trim = settings.trim if settings is not None else None
    return WeightingPlan(targets, population_total, method, trim, source.path.name)


def _data_files(session: Session, survey: str, wave: str) -> list[DataFile]:
    """The wave's import batches: file names, SHA-256 of their bytes, when they were imported."""
    from sqlmodel import col, select

    from reports.context import DataFile
    from surveys.storage.tables import ImportBatchRecord
    from surveys.storage.waves import find_wave

    record = find_wave(session, survey, wave)
    if record is None:
        return []
    batches = session.exec(
        select(ImportBatchRecord).where(ImportBatchRecord.wave_id == record.id).order_by(col(ImportBatchRecord.id))
    ).all()
    return [DataFile(b.file_names, b.sha256, f"{b.imported_at:%Y-%m-%d %H:%M}") for b in batches]


def _customer_files(session: Session, customers: pd.DataFrame) -> list[DataFile]:
    """The CRM import batches the wave's customer records come from."""
    from reports.context import DataFile
    from surveys.storage.customer_records import customer_batches

    batches = customer_batches(session, customers["batch_id"].dropna().astype(int))
    return [DataFile(b.file_names, b.sha256, f"{b.imported_at:%Y-%m-%d %H:%M}") for b in batches]


def _software() -> dict[str, str]:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found
