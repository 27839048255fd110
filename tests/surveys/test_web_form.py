"""The web-form preview: one self-contained page whose inputs are named by the codebook."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from surveys.codebook import codebook
from surveys.questionnaire_file import load_questionnaire
from surveys.render.web_form import web_form_html

DATA = Path(__file__).parent / "data"


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.show_if: dict[str, object] = {}
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea") and attributes.get("name"):
            self.names.add(str(attributes["name"]))
        if tag == "fieldset" and attributes.get("data-show-if"):
            self.show_if[str(attributes["id"])] = json.loads(str(attributes["data-show-if"]))
        if tag in ("script", "link", "img") and (attributes.get("src") or attributes.get("href")):
            self.external.append(tag)


def test_every_answer_variable_has_an_input_and_nothing_is_loaded_from_elsewhere() -> None:
    questionnaire = load_questionnaire(DATA / "small.yaml")
    parser = _Inputs()
    parser.feed(web_form_html(questionnaire, "zh-Hans"))
    assert {variable.code for variable in codebook(questionnaire)} == parser.names
    assert parser.external == []


def test_conditional_items_carry_their_condition_and_start_hidden() -> None:
    questionnaire = load_questionnaire(DATA / "small.yaml")
    html = web_form_html(questionnaire, "en")
    parser = _Inputs()
    parser.feed(html)
    assert parser.show_if == {
        "item-grid": {
            "all": [
                {"test": "==", "variable": "complained", "value": 1},
                {"test": "<=", "variable": "recommend", "value": 6},
            ]
        }
    }
    assert re.search(r'id="item-grid"[^>]*hidden>', html)


def test_the_preview_cannot_submit_and_says_so() -> None:
    html = web_form_html(load_questionnaire(DATA / "small.yaml"), "en")
    assert "Web form preview: this page submits nothing." in html
    assert '<button type="submit" disabled>' in html


def test_respondent_text_in_the_questionnaire_is_escaped() -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8").replace("Overall satisfaction", "<script>x()</script>")
    path = DATA.parent / "escaped.yaml"
    from surveys.questionnaire_file import parse_questionnaire

    html = web_form_html(parse_questionnaire(text, str(path)), "en")
    assert "<script>x()</script>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
