"""`loyalty demo`: the main job end to end on a fresh machine, in a folder of its own.

It designs this quarter's loyalty questionnaire and renders it for every way it is fielded (the printed PDF
in each language, the web form, the XLSForm for ODK/Kobo); then makes the folder a workspace on SQLite,
publishes the questionnaire, simulates a year of a customer base (`surveys.simulation`: four quarterly
waves with planted thresholds, complaint paths, speeders, straight-liners, duplicates and bad rows, and the
CRM records) and imports it through the same code `loyalty import --quarantine` and `loyalty
import-customers` use: 2026Q1 and 2026Q2 as generic CSV, 2026Q3 as 问卷星's by-text/by-code pair, 2026Q4 as
.xlsx. The simulated base's true age, city-tier and gender counts go to `margins.yaml`, named in the
workspace's `[weighting]` table, so the reports are weighted to them (older customers answer more often).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    from surveys.questionnaire import Questionnaire

DEMO_ATTRIBUTES = "价格,产品质量,服务态度,配送速度,售后服务,线上下单,会员权益,门店环境"
DEMO_LANGUAGES = ["zh-Hans", "zh-Hant", "en"]
DEMO_SEED = 2026
DEMO_ORGANISATION = "示例零售（演示数据）"


def demo(
    directory: Annotated[Path, typer.Argument(help="Folder to write into; made if missing.")] = Path("demo"),
) -> None:
    """The main job end to end: design, render, import a simulated year, and write the quarterly report.

    Renders the questionnaire as PDF (简体, 繁體, English), web form and XLSForm; makes DIR a workspace on
    SQLite; simulates four quarterly waves of a 1,500-customer base and imports them through the real
    importers (rejected rows go to DIR/data/rejected-WAVE.csv); writes the base's population margins to
    DIR/margins.yaml and names them in loyalty.toml's [weighting]; writes the 2026Q4 evaluation report,
    compared with the three quarters before it, weighted to those margins, as PDF in 简体中文 and English.

    Example: loyalty demo demo/
    """
    from loyalty.commands.survey import RenderFormat, render_questionnaire
    from surveys.blueprints import new_questionnaire, parse_attribute_names
    from surveys.questionnaire_file import load_questionnaire, questionnaire_yaml

    if directory.exists() and not directory.is_dir():
        raise InputError("Cannot run the demo.", [Problem(str(directory), "is a file, not a folder.", "")])
    directory.mkdir(parents=True, exist_ok=True)

    design = new_questionnaire(
        "quarterly-loyalty", "demo-2026q4", DEMO_LANGUAGES, parse_attribute_names(DEMO_ATTRIBUTES)
    )
    source = directory / "demo-2026q4.yaml"
    source.write_text(questionnaire_yaml(design.questionnaire), encoding="utf-8")
    questionnaire = load_questionnaire(source)  # the file as a researcher would reload it after editing
    typer.echo(f"Designed {source}: {len(questionnaire.items())} items from the quarterly-loyalty blueprint.")

    outputs = [(RenderFormat.PDF, language, f"questionnaire.{language}.pdf") for language in DEMO_LANGUAGES]
    outputs += [
        (RenderFormat.HTML, "zh-Hans", "web-form.zh-Hans.html"),
        (RenderFormat.XLSFORM, "zh-Hans", "xlsform.xlsx"),
    ]
    for to, language, name in outputs:
        render_questionnaire(questionnaire, to, language, directory / name)  # type: ignore[arg-type]
        typer.echo(f"Wrote {directory / name}")

    _simulate_and_import(directory, questionnaire, source.read_text(encoding="utf-8"))
    _write_reports(directory, questionnaire.survey)


def _write_reports(directory: Path, survey: str) -> None:
    """The 2026Q4 evaluation report, compared with the three quarters before it, in 简体中文 and English."""
    from loyalty.commands.report import write_report
    from loyalty.workspace import WorkspaceOptions, open_workspace

    workspace = open_workspace(WorkspaceOptions(directory))
    reports = []
    for language in ("zh-Hans", "en"):
        typer.echo(f"Writing the 2026Q4 report ({language}) …")
        output = directory / f"report-2026Q4.{language}.pdf"
        for line in write_report(workspace, survey, "2026Q4", ["2026Q1", "2026Q2", "2026Q3"], language, output, False):
            typer.echo(f"  {line}")
        reports.append(output)
    typer.echo("The reports: " + ", ".join(str(path.resolve()) for path in reports))
    typer.echo("Open them with any PDF viewer, e.g. `xdg-open " + str(reports[0]) + "`.")


WEIGHTING_TABLE = """
[weighting]   # written by `loyalty demo`: the reports rake each wave to the simulated base's margins
margins = "{margins}"
method = "raking"
trim = [0.3, 3.0]
"""


def _configure_weighting(directory: Path, margins: str) -> None:
    """Name the margins in the workspace's loyalty.toml, unless it already has a [weighting] table."""
    import tomllib

    from loyalty.workspace import CONFIG_NAME

    config = directory / CONFIG_NAME
    text = config.read_text(encoding="utf-8")
    if "weighting" not in tomllib.loads(text):
        config.write_text(text + WEIGHTING_TABLE.format(margins=margins), encoding="utf-8")


def _simulate_and_import(directory: Path, questionnaire: Questionnaire, questionnaire_text: str) -> None:
    """Workspace, published questionnaire, the simulated files under data/, and their import."""
    from loyalty.workspace import DATABASE_NAME, WorkspaceOptions, create_workspace, workspace_session
    from surveys.importers.customer_records import import_customer_records
    from surveys.importers.import_responses import ImportOptions, file_digest, import_responses
    from surveys.importers.read_export import read_export
    from surveys.simulation import CUSTOMERS, simulate
    from surveys.simulation.files import (
        write_customer_records,
        write_generic_table,
        write_population_margins,
        write_wjx_pair,
    )
    from surveys.storage.survey_versions import publish_questionnaire

    create_workspace(directory, organisation=DEMO_ORGANISATION)
    options = WorkspaceOptions(directory)
    with workspace_session(options) as session:
        published = publish_questionnaire(session, questionnaire, questionnaire_text)
    typer.echo(
        f"Workspace {directory} on SQLite ({directory / DATABASE_NAME}): survey {published.survey} "
        f"version {published.version} {'already published' if published.already_there else 'published'}."
    )

    typer.echo(f"Simulating {CUSTOMERS:,} customers and four quarterly waves (seed {DEMO_SEED}) …")
    simulation = simulate(questionnaire, DEMO_SEED)
    margins = write_population_margins(simulation, directory / "margins.yaml")
    _configure_weighting(directory, margins.name)
    typer.echo(f"Wrote {margins}: the base's age band, city tier and gender counts, the reports' weighting margins.")
    data = directory / "data"
    data.mkdir(exist_ok=True)
    for wave in simulation.waves:
        if wave.period == "2026Q3":
            files, kind = list(write_wjx_pair(wave, questionnaire, data, f"{wave.period}-wjx")), "问卷星 pair"
        elif wave.period == "2026Q4":
            files, kind = [write_generic_table(wave, questionnaire, data / f"{wave.period}.xlsx")], "xlsx"
        else:
            files, kind = [write_generic_table(wave, questionnaire, data / f"{wave.period}.csv")], "CSV"
        crm = write_customer_records(wave, data / f"crm-{wave.period}.csv")
        typer.echo(f"Wrote {', '.join(str(path) for path in files)} ({len(wave.responses)} responses) and {crm}")

        quarantine = data / f"rejected-{wave.period}.csv"
        typer.echo(f"Importing {wave.period} ({kind}) …", nl=False)
        with workspace_session(options) as session:
            summary = import_responses(
                session,
                read_export(files),
                ImportOptions(questionnaire.survey, wave.period, quarantine=quarantine),
                file_digest(files),
            )
        where = f" (rejected rows in {quarantine})" if summary.rejected else ""
        typer.echo(
            f" read {summary.read} = {summary.stored} stored + {summary.rejected} rejected"
            f" + {summary.duplicates} duplicates{where}"
            + (" — imported before, nothing changed" if summary.already_imported else "")
        )
        typer.echo(f"Importing CRM records {wave.period} …", nl=False)
        with workspace_session(options) as session:
            customers = import_customer_records(session, read_export([crm]), file_digest([crm]))
        typer.echo(f" {customers.stored} customer records stored ({customers.replaced} replacing earlier ones).")
