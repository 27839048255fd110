"""`loyalty demo`, the README's main job, end to end from the command line."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from loyalty.cli import app
from surveys.questionnaire_file import load_questionnaire


def test_demo_designs_the_quarterly_questionnaire_and_renders_every_form(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    demo = tmp_path / "demo"
    questionnaire = load_questionnaire(demo / "demo-2026q4.yaml")
    assert questionnaire.languages == ["zh-Hans", "zh-Hant", "en"]
    for language in questionnaire.languages:
        pdf = PdfReader(demo / f"questionnaire.{language}.pdf")
        assert questionnaire.title[language] in pdf.pages[0].extract_text()
    assert (demo / "web-form.zh-Hans.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (demo / "xlsform.xlsx").read_bytes().startswith(b"PK")
    assert f"Wrote {demo / 'xlsform.xlsx'}" in result.output


def test_demo_refuses_a_file_in_place_of_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    target.write_text("not a folder")
    result = CliRunner().invoke(app, ["demo", str(target)])
    assert result.exit_code == 1
    assert "is a file, not a folder." in result.output
