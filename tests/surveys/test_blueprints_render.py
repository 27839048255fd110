"""Every blueprint, in every language, validates and renders; the printed PDF carries every question's words."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from surveys.blueprints import blueprint_names, new_questionnaire
from surveys.questionnaire import LANGUAGES
from surveys.questionnaire_checks import check_questionnaire
from surveys.render.printed import write_printed_questionnaire
from surveys.render.web_form import web_form_html


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("blueprint", blueprint_names())
def test_blueprint_prints_every_question_in_every_language(blueprint: str, tmp_path: Path) -> None:
    questionnaire = new_questionnaire(blueprint, "check-2026", list(LANGUAGES)).questionnaire
    assert check_questionnaire(questionnaire) == []
    for language in LANGUAGES:
        path = tmp_path / f"{language}.pdf"
        write_printed_questionnaire(questionnaire, language, path)
        printed = squeezed("".join(page.extract_text() for page in PdfReader(path).pages))
        absent = [item.code for item in questionnaire.items() if squeezed(item.text[language]) not in printed]
        assert absent == [], f"{blueprint} {language}: questions missing from the PDF text"
        html = web_form_html(questionnaire, language)
        assert all(f'id="item-{item.code}"' in html for item in questionnaire.items())
