"""`loyalty survey new|render|bank|blueprints` as a researcher runs them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from loyalty.cli import app
from surveys.questionnaire_file import load_questionnaire


def run(*arguments: str) -> Result:
    return CliRunner().invoke(app, list(arguments))


def test_new_writes_a_valid_questionnaire_with_glossary_attributes(tmp_path: Path) -> None:
    output = tmp_path / "pulse.yaml"
    result = run(
        "survey", "new", "pulse-2026", "--blueprint", "nps-pulse", "--attributes", "价格，服务、shipping",
        "--languages", "zh-Hans,en", "-o", str(output),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    questionnaire = load_questionnaire(output)
    assert questionnaire.survey == "pulse-2026"
    assert questionnaire.languages == ["zh-Hans", "en"]
    assert [row.code for row in questionnaire.attributes] == ["price", "service", "delivery"]
    assert questionnaire.attributes[0].text == {"zh-Hans": "价格", "en": "Price"}
    assert "zh-Hant" not in questionnaire.title
    assert run("survey", "validate", str(output)).exit_code == 0


def test_new_keeps_an_unknown_attribute_and_says_to_translate_it(tmp_path: Path) -> None:
    output = tmp_path / "pulse.yaml"
    result = run(
        "survey",
        "new",
        "pulse-2026",
        "--blueprint",
        "nps-pulse",
        "--attributes",
        "价格,售后网点",
        "-o",
        str(output),
    )
    assert result.exit_code == 0, result.output
    assert "Note: Attribute '售后网点' is not in the glossary" in result.output
    attributes = load_questionnaire(output).attributes
    assert attributes[1].code == "attribute_2"
    assert attributes[1].text == {"zh-Hans": "售后网点", "en": "售后网点"}


def test_new_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    output = tmp_path / "pulse.yaml"
    output.write_text("mine")
    result = run("survey", "new", "pulse-2026", "--blueprint", "nps-pulse", "-o", str(output))
    assert result.exit_code == 1
    assert "would be overwritten. Pass --force to replace it." in result.output
    assert output.read_text() == "mine"
    assert run("survey", "new", "pulse-2026", "--blueprint", "nps-pulse", "-o", str(output), "--force").exit_code == 0


def test_new_explains_a_wrong_blueprint_language_or_id(tmp_path: Path) -> None:
    output = str(tmp_path / "x.yaml")
    result = run("survey", "new", "pulse-2026", "--blueprint", "nps", "-o", output)
    assert result.exit_code == 1
    assert "'nps' is not a blueprint." in result.output
    result = run("survey", "new", "pulse-2026", "--blueprint", "nps-pulse", "--languages", "zh-CN", "-o", output)
    assert result.exit_code == 1
    assert "'zh-CN' is not a language of loyalty. Use zh-Hans, zh-Hant, en." in result.output
    result = run("survey", "new", "Pulse 2026", "--blueprint", "nps-pulse", "-o", output)
    assert result.exit_code == 1
    assert "'Pulse 2026' is not a valid survey id." in result.output
    assert not Path(output).exists()


def test_render_pdf_and_html_in_a_language_of_the_survey(tmp_path: Path) -> None:
    source = tmp_path / "pulse.yaml"
    assert run("survey", "new", "pulse-2026", "--blueprint", "nps-pulse", "-o", str(source)).exit_code == 0
    pdf = tmp_path / "pulse.pdf"
    result = run("survey", "render", str(source), "--to", "pdf", "--lang", "zh-Hans", "-o", str(pdf))
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    result = run("survey", "render", str(source), "--to", "html", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pulse.en.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_render_in_a_language_the_survey_lacks_is_explained(tmp_path: Path) -> None:
    source = tmp_path / "pulse.yaml"
    run("survey", "new", "pulse-2026", "--blueprint", "nps-pulse", "--languages", "en", "-o", str(source))
    result = run("survey", "render", str(source), "--to", "pdf", "--lang", "zh-Hant")
    assert result.exit_code == 1
    assert "'zh-Hant' is not a language of survey 'pulse-2026'. Use one of en" in result.output


def test_bank_lists_items_and_filters_by_construct() -> None:
    result = run("survey", "bank", "--construct", "recommend", "--lang", "zh-Hans")
    assert result.exit_code == 0, result.output
    assert "您有多大可能向朋友或同事推荐我们" in result.output
    assert "sat_overall" not in result.output
    result = run("survey", "bank", "--construct", "trusst")
    assert result.exit_code == 1
    assert 'Did you mean "trust"?' in result.output


def test_blueprints_are_listed_with_their_size() -> None:
    result = run("survey", "blueprints")
    assert result.exit_code == 0
    assert "nps-pulse" in result.output
