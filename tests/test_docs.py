"""The documentation's examples are real: they validate and render."""

from __future__ import annotations

import re
from pathlib import Path

from surveys.questionnaire_file import load_questionnaire
from surveys.render.printed import printed_questionnaire_html

ROOT = Path(__file__).resolve().parents[1]


def test_the_format_guide_shows_the_example_file_verbatim() -> None:
    guide = (ROOT / "docs" / "questionnaire-format.md").read_text(encoding="utf-8")
    block = re.search(r"## A complete example.*?```yaml\n(.*?)```", guide, re.DOTALL)
    assert block is not None
    assert block.group(1) == (ROOT / "docs" / "examples" / "retail-2026.yaml").read_text(encoding="utf-8")


def test_the_example_questionnaire_validates_and_renders_in_each_language() -> None:
    questionnaire = load_questionnaire(ROOT / "docs" / "examples" / "retail-2026.yaml")
    for language in questionnaire.languages:
        assert questionnaire.title[language] in printed_questionnaire_html(questionnaire, language)
