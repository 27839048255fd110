"""The printed A4 questionnaire: real PDFs, read back with pypdf and poppler's pdffonts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from surveys.questionnaire import Questionnaire
from surveys.questionnaire_file import load_questionnaire, parse_questionnaire
from surveys.render.printed import printed_questionnaire_html, write_printed_questionnaire

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def small() -> Questionnaire:
    return load_questionnaire(DATA / "small.yaml")


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def embedded_fonts(path: Path) -> str:
    pdffonts = shutil.which("pdffonts")
    assert pdffonts, "poppler-utils is installed by .ci/setup"
    return subprocess.run([pdffonts, str(path)], check=True, capture_output=True, text=True).stdout


def test_chinese_questions_are_extractable_and_set_in_an_embedded_cjk_font(
    small: Questionnaire, tmp_path: Path
) -> None:
    path = tmp_path / "q.pdf"
    write_printed_questionnaire(small, "zh-Hans", path)
    text = "".join(pdf_text(path))
    for expected in ("零售客户调查", "总体满意度", "推荐可能性", "您投诉过吗", "第1题", "非常满意"):
        assert expected in text
    fonts = embedded_fonts(path)
    # pdftotext finds text even when every glyph is an empty box: the font must be a real, embedded CJK face.
    cjk_lines = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk_lines, fonts
    assert all(" yes yes yes " in line for line in cjk_lines), fonts  # embedded, subset, with ToUnicode


def test_traditional_chinese_uses_the_traditional_face(tmp_path: Path) -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    traditional = text.replace("languages: [zh-Hans, en]", "languages: [zh-Hant]").replace("zh-Hans:", "zh-Hant:")
    questionnaire = parse_questionnaire(traditional)
    path = tmp_path / "q.pdf"
    write_printed_questionnaire(questionnaire, "zh-Hant", path)
    assert "CJK-TC" in embedded_fonts(path) or "CJKtc" in embedded_fonts(path)
    assert "第1題" in "".join(pdf_text(path))


def test_routing_instruction_stands_above_the_conditional_question(small: Questionnaire) -> None:
    html = printed_questionnaire_html(small, "en")
    assert "Answer only if Q3 is “Yes” and the answer to Q2 ≤ 6" in html
    html = printed_questionnaire_html(small, "zh-Hans")
    assert "仅当第3题选“是”并且第2题回答 ≤ 6时回答本题" in html


def test_grids_have_one_row_per_attribute_and_both_scales(small: Questionnaire) -> None:
    html = printed_questionnaire_html(small, "en")
    grid = html[html.index('id="grid"') :]
    assert grid.count('<td class="row-label">') == 2  # price, service
    assert "Importance" in grid
    assert "Satisfaction" in grid


def long_questionnaire(items: int) -> Questionnaire:
    """Many six-option questions, so that the page must break somewhere between them."""
    options = "".join(
        f"          - {{code: {code}, text: {{en: Option {code} of question QNUM}}}}\n" for code in range(1, 7)
    )
    body = "".join(
        f"      - code: q{number}\n        type: single_choice\n        construct: demographics\n"
        f"        text: {{en: Question {number} asks something}}\n        options:\n"
        + options.replace("QNUM", str(number))
        for number in range(1, items + 1)
    )
    return parse_questionnaire(
        "survey: long\nlanguages: [en]\ntitle: {en: Long}\nsections:\n  - code: s\n    title: {en: S}\n"
        "    items:\n" + body
    )


def test_a_page_break_never_splits_an_item(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    write_printed_questionnaire(long_questionnaire(30), "en", path)
    pages = pdf_text(path)
    assert len(pages) >= 3
    for number in range(1, 31):
        holding_question = [index for index, text in enumerate(pages) if f"Question {number} asks" in text]
        holding_last_option = [
            index for index, text in enumerate(pages) if f"Option 6 of question {number} 6\n" in text + "\n"
        ]
        assert holding_question == holding_last_option, f"question {number} is split across pages"


def test_pages_are_numbered_in_the_footer(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    write_printed_questionnaire(long_questionnaire(30), "en", path)
    pages = pdf_text(path)
    assert f"Page 2 of {len(pages)}" in pages[1]
