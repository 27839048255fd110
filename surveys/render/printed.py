"""The printable A4 paper questionnaire: questionnaire view → HTML with print CSS → PDF (weasyprint)."""

from __future__ import annotations

import json
from pathlib import Path

from surveys.questionnaire import Language, Questionnaire
from surveys.render.questionnaire_view import questionnaire_view
from templates import environment
from templates.pdf import write_pdf


def printed_questionnaire_html(questionnaire: Questionnaire, language: Language) -> str:
    """The paper questionnaire as HTML with its print CSS (what the PDF is made from)."""
    view = questionnaire_view(questionnaire, language)
    template = environment().get_template("questionnaire/print.html.j2")
    return template.render(view=view, page_content=page_counter_css(view.phrases["page"]))


def write_printed_questionnaire(questionnaire: Questionnaire, language: Language, path: Path) -> None:
    """Write the paper questionnaire in `language` as an A4 PDF with the fonts embedded."""
    write_pdf(printed_questionnaire_html(questionnaire, language), path)


def page_counter_css(phrase: str) -> str:
    """A CSS `content` value for a phrase like "Page {page} of {pages}", with the counters in place.

    >>> page_counter_css("Page {page} of {pages}")
    '"Page " counter(page) " of " counter(pages) ""'
    """
    text = json.dumps(phrase, ensure_ascii=False)
    return text.replace("{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "')
