"""`loyalty survey …`: design questionnaires from the item bank, check them, render them, compare versions."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from surveys.problems import InputError, Problem
from surveys.questionnaire import LANGUAGES, SURVEY_ID_PATTERN, Construct, Language, Questionnaire
from surveys.questionnaire_file import load_questionnaire, questionnaire_yaml

app = typer.Typer(help="Design, check and render questionnaires.", no_args_is_help=True)


class RenderFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"
    XLSFORM = "xlsform"


def _language(questionnaire: Questionnaire, language: str | None) -> Language:
    if language is None:
        return questionnaire.languages[0]
    if language not in questionnaire.languages:
        raise InputError(
            f"Cannot render in {language!r}.",
            [
                Problem(
                    "--lang",
                    f"{language!r} is not a language of survey {questionnaire.survey!r}.",
                    f"Use one of {', '.join(questionnaire.languages)}, or add it to `languages` in the file.",
                )
            ],
        )
    return language


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise InputError(
            f"{path} already exists.",
            [Problem(str(path), "would be overwritten.", "Pass --force to replace it.")],
        )


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="Questionnaire YAML file.")]) -> None:
    """Check a questionnaire file and list every problem with its line and a fix.

    Exits 0 when the file is valid, 1 otherwise.

    Example: loyalty survey validate retail-2026.yaml
    """
    from surveys.codebook import codebook

    questionnaire = load_questionnaire(file)
    items = questionnaire.items()
    typer.echo(
        f"{file} is valid: survey {questionnaire.survey} version {questionnaire.version}, "
        f"{len(items)} items ({len(codebook(questionnaire))} answer variables) in "
        f"{len(questionnaire.sections)} sections, languages {', '.join(questionnaire.languages)}."
    )


@app.command()
def new(
    survey: Annotated[str, typer.Argument(help="Survey id: lower-case letters, digits, hyphens (retail-2026).")],
    blueprint: Annotated[str, typer.Option(help="quarterly-loyalty, nps-pulse or lost-customer.")] = (
        "quarterly-loyalty"
    ),
    attributes: Annotated[
        str | None, typer.Option(help='Service attributes for the grids, comma-separated: "价格,服务,配送".')
    ] = None,
    languages: Annotated[str, typer.Option(help="Comma-separated: zh-Hans, zh-Hant, en.")] = "zh-Hans,en",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write the YAML.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the output file if it exists.")] = False,
) -> None:
    """Write a new, valid questionnaire from a blueprint of the item bank, for you to edit.

    Example: loyalty survey new retail-2026 --blueprint quarterly-loyalty --attributes "价格,服务,配送"
    --languages zh-Hans,en -o retail-2026.yaml
    """
    from surveys.blueprints import new_questionnaire, parse_attribute_names

    output = output or Path(f"{survey}.yaml")
    _refuse_overwrite(output, force)
    _check_survey_id(survey)
    language_list = [language.strip() for language in languages.split(",") if language.strip()]
    names = parse_attribute_names(attributes) if attributes else None
    result = new_questionnaire(blueprint, survey, language_list, names)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(questionnaire_yaml(result.questionnaire), encoding="utf-8")
    typer.echo(f"Wrote {output}: {len(result.questionnaire.items())} items from blueprint {blueprint}.")
    for note in result.notes:
        typer.echo(f"Note: {note}")


def _check_survey_id(survey: str) -> None:
    import re

    if not re.match(SURVEY_ID_PATTERN, survey):
        raise InputError(
            f"Cannot make survey {survey!r}.",
            [
                Problem(
                    "SURVEY",
                    f"{survey!r} is not a valid survey id.",
                    "Use lower-case letters, digits, hyphens.",
                )
            ],
        )


@app.command()
def bank(
    construct: Annotated[str | None, typer.Option(help="Only items of this construct, e.g. trust.")] = None,
    lang: Annotated[str, typer.Option(help="Language of the texts shown.")] = "en",
) -> None:
    """List the item bank: code, construct, type and wording.

    Example: loyalty survey bank --construct trust --lang zh-Hans
    """
    from surveys.bank import load_bank

    if lang not in LANGUAGES:
        raise InputError("Cannot list the bank.", [Problem("--lang", f"{lang!r} is not a language.", "")])
    chosen = None
    if construct is not None:
        try:
            chosen = Construct(construct)
        except ValueError:
            import difflib

            nearest = difflib.get_close_matches(construct, [c.value for c in Construct], n=1)
            hint = f'Did you mean "{nearest[0]}"?' if nearest else f"Constructs: {', '.join(Construct)}."
            raise InputError(
                "Cannot list the bank.", [Problem("--construct", f"{construct!r} is not a construct.", hint)]
            ) from None
    entries = load_bank().by_construct(chosen)
    for entry in entries:
        item = entry.item
        text = item.text.get(lang, "")
        typer.echo(f"{item.code:<28} {item.construct.value:<24} {item.type:<30} {text}")
    typer.echo(f"{len(entries)} items.")


@app.command()
def blueprints() -> None:
    """List the blueprints `loyalty survey new --blueprint` can start from.

    Example: loyalty survey blueprints
    """
    from surveys.blueprints import blueprint_names, load_blueprint

    for name in blueprint_names():
        blueprint = load_blueprint(name)
        count = sum(len(section.items) for section in blueprint.sections)
        typer.echo(f"{name:<20} {count:>3} items  {blueprint.description.get('en', '')}")


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help="Questionnaire YAML file.")],
    to: Annotated[RenderFormat, typer.Option(help="pdf (printable A4), html (web form preview) or xlsform.")],
    lang: Annotated[
        str | None,
        typer.Option(help="Language; default the survey's first. XLSForm holds all, this one default."),
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")] = None,
) -> None:
    """Render a questionnaire as a printable PDF, a web-form preview or an XLSForm for ODK/Kobo.

    Example: loyalty survey render retail-2026.yaml --to pdf --lang zh-Hans -o retail-2026.pdf
    """
    questionnaire = load_questionnaire(file)
    language = _language(questionnaire, lang)
    suffix = {RenderFormat.PDF: ".pdf", RenderFormat.HTML: ".html", RenderFormat.XLSFORM: ".xlsx"}[to]
    output = output or file.with_name(f"{file.stem}.{language}{suffix}")
    output.parent.mkdir(parents=True, exist_ok=True)
    render_questionnaire(questionnaire, to, language, output)
    typer.echo(f"Wrote {output}.")


def render_questionnaire(questionnaire: Questionnaire, to: RenderFormat, language: Language, output: Path) -> None:
    """Write one rendering of the questionnaire (shared by `render` and `demo`)."""
    if to is RenderFormat.PDF:
        from surveys.render.printed import write_printed_questionnaire

        write_printed_questionnaire(questionnaire, language, output)
    elif to is RenderFormat.HTML:
        from surveys.render.web_form import web_form_html

        output.write_text(web_form_html(questionnaire, language), encoding="utf-8")
    else:
        from surveys.render.xlsform import write_xlsform

        # every language of the survey, the chosen one first: it becomes the form's default language
        languages = [language, *(other for other in questionnaire.languages if other != language)]
        write_xlsform(questionnaire, output, languages)


@app.command(name="import-xlsform")
def import_xlsform(
    file: Annotated[Path, typer.Argument(help="An XLSForm .xlsx made in Kobo, ODK or SurveyCTO.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write the YAML.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the output file if it exists.")] = False,
) -> None:
    """Convert an XLSForm made elsewhere into a loyalty questionnaire, listing what does not map.

    Example: loyalty survey import-xlsform kobo-form.xlsx -o kobo-form.yaml
    """
    from surveys.xlsform_import import import_xlsform as convert

    output = output or file.with_suffix(".yaml")
    _refuse_overwrite(output, force)
    result = convert(file)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(questionnaire_yaml(result.questionnaire), encoding="utf-8")
    typer.echo(f"Wrote {output}: {len(result.questionnaire.items())} items.")
    if result.unmapped:
        typer.echo(f"Not mapped or guessed ({len(result.unmapped)}) — check these in the file:")
        for line in result.unmapped:
            typer.echo(f"  {line}")


@app.command()
def publish(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="Questionnaire YAML file.")]) -> None:
    """Store a questionnaire version in the workspace, so responses can be imported or collected for it.

    Publishing the same file again changes nothing; a changed questionnaire needs a new `version:`.

    Example: loyalty survey publish retail-2026.yaml
    """
    from loyalty.workspace import WorkspaceOptions, workspace_session
    from surveys.storage.survey_versions import publish_questionnaire

    questionnaire = load_questionnaire(file)
    options: WorkspaceOptions = ctx.obj
    with workspace_session(options) as session:
        published = publish_questionnaire(session, questionnaire, file.read_text(encoding="utf-8-sig"))
    state = "was already published; nothing changed" if published.already_there else "published"
    typer.echo(f"Survey {published.survey} version {published.version} {state}.")


@app.command(name="list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of objects.")] = False,
) -> None:
    """List the surveys published in the workspace, with their versions, waves and responses.

    Example: loyalty survey list --json
    """
    from loyalty.workspace import WorkspaceOptions, workspace_session
    from surveys.storage.survey_versions import list_surveys

    options: WorkspaceOptions = ctx.obj
    with workspace_session(options) as session:
        surveys = list_surveys(session)
    if as_json:
        typer.echo(json.dumps([survey.as_dict() for survey in surveys], ensure_ascii=False))
        return
    for survey in surveys:
        versions = ",".join(map(str, survey.versions))
        counts = f"{survey.waves:>3} waves {survey.responses:>8} responses"
        typer.echo(f"{survey.survey:<24} v{versions:<8} {counts}  {survey.title}")
    if not surveys:
        typer.echo("No surveys yet: loyalty survey publish FILE.")


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier questionnaire version.")],
    new: Annotated[Path, typer.Argument(help="The later questionnaire version.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
    fail_on_breaking: Annotated[
        bool, typer.Option(help="Exit 2 when a change breaks comparability across waves (for CI checks).")
    ] = False,
) -> None:
    """List items added, removed and changed between two questionnaire versions.

    Changes that break comparability across waves (wording, scale, options, direction, routing) are marked.

    Example: loyalty survey diff retail-2026q3.yaml retail-2026q4.yaml
    """
    from surveys.questionnaire_diff import diff_questionnaires

    result = diff_questionnaires(load_questionnaire(old), load_questionnaire(new))
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        for change in result.survey_changes:
            typer.echo(f"survey {change.aspect}: {change.detail}")
        for code in result.added:
            typer.echo(f"+ {code}  added")
        for code in result.removed:
            typer.echo(f"- {code}  removed  [breaks comparability: its trend ends]")
        for item in result.changed:
            mark = "  [breaks comparability]" if item.breaks_comparability else ""
            typer.echo(f"~ {item.code}{mark}")
            for change in item.changes:
                flag = " !" if change.breaks_comparability else ""
                typer.echo(f"    {change.aspect}: {change.detail}{flag}")
        if not (result.added or result.removed or result.changed or result.survey_changes):
            typer.echo("No differences.")
    if fail_on_breaking and result.breaks_comparability:
        raise typer.Exit(2)
