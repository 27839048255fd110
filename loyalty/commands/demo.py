"""`loyalty demo`: the main job end to end on a fresh machine, in a folder of its own.

Today the main job is designing this quarter's loyalty questionnaire and rendering it for every way it is
fielded: the printed PDF in each language, the web form, and the XLSForm for ODK/Kobo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from surveys.problems import InputError, Problem

DEMO_ATTRIBUTES = "价格,产品质量,服务态度,配送速度,售后服务,线上下单,会员权益,门店环境"
DEMO_LANGUAGES = ["zh-Hans", "zh-Hant", "en"]


def demo(
    directory: Annotated[Path, typer.Argument(help="Folder to write into; made if missing.")] = Path("demo"),
) -> None:
    """Design the quarterly loyalty questionnaire; render it as PDF (简体, 繁體, English), web form, XLSForm.

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
