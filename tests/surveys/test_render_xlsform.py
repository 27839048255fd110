"""The XLSForm export: every workbook we write converts with pyxform, as ODK Central and Kobo convert it.

`xform_of` is the one check a test of any questionnaire needs: write the .xlsx, run pyxform on the file,
fail on any warning other than pyxform's known complaint about script subtags, return the XForm XML.
"""

from __future__ import annotations

import itertools
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from surveys.blueprints import blueprint_names, new_questionnaire
from surveys.problems import InputError
from surveys.questionnaire import LANGUAGES, Questionnaire
from surveys.questionnaire_file import load_questionnaire
from surveys.render.xlsform import language_column, write_xlsform, xlsform_sheets

DATA = Path(__file__).parent / "data"
XF = "{http://www.w3.org/2002/xforms}"

# pyxform checks the code in "Name (code)" against single IANA subtags only, so it flags the valid BCP 47
# tags zh-Hans and zh-Hant; ODK Collect reads them fine. Every other warning fails the test.
SUBTAG_WARNING = "do not contain valid machine-readable codes"


def xform_of(questionnaire: Questionnaire, path: Path, languages: list[str] | None = None) -> str:
    """The XForm pyxform makes of the XLSForm we write for `questionnaire`."""
    write_xlsform(questionnaire, path, languages)
    warnings: list[str] = []
    result = convert(xlsform=str(path), warnings=warnings, validate=False)
    assert [warning for warning in warnings if SUBTAG_WARNING not in warning] == []
    return str(result.xform)


def binds(xform: str) -> dict[str, dict[str, str]]:
    """The bind attributes of each question, by the question's name (the last part of its path)."""
    root = ET.fromstring(xform)
    return {bind.attrib["nodeset"].rsplit("/", 1)[-1]: bind.attrib for bind in root.iter(f"{XF}bind")}


def translations(xform: str) -> dict[str, list[str]]:
    """Every itext value in each language of the form."""
    root = ET.fromstring(xform)
    return {
        translation.attrib["lang"]: [value.text or "" for value in translation.iter(f"{XF}value")]
        for translation in root.iter(f"{XF}translation")
    }


def straight_quotes(text: str) -> str:
    for curly, straight in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        text = text.replace(curly, straight)
    return text


LANGUAGE_CHOICES = [
    list(combination)
    for size in range(1, len(LANGUAGES) + 1)
    for combination in itertools.permutations(LANGUAGES, size)
    if size < len(LANGUAGES) or combination in (LANGUAGES, LANGUAGES[::-1])
]


@pytest.mark.parametrize("blueprint", blueprint_names())
@pytest.mark.parametrize("languages", LANGUAGE_CHOICES, ids="+".join)
def test_every_blueprint_in_every_language_converts_with_pyxform(
    blueprint: str, languages: list[str], tmp_path: Path
) -> None:
    questionnaire = new_questionnaire(blueprint, "pulse-2026", languages).questionnaire
    xform = xform_of(questionnaire, tmp_path / "form.xlsx")

    texts = translations(xform)
    assert list(texts) == [language_column(language) for language in languages]
    for item in questionnaire.items():
        for language in languages:
            # pyxform writes curly quotes as straight ones (“不同意” → "不同意")
            assert straight_quotes(item.text[language]) in texts[language_column(language)]  # type: ignore[index]
    assert f'lang="{language_column(languages[0])}" default="true()"' in xform
    assert 'id="pulse-2026"' in xform


@pytest.fixture(scope="module")
def every_item_type() -> Questionnaire:
    return load_questionnaire(DATA / "every_item_type.yaml")


@pytest.fixture(scope="module")
def every_item_xform(every_item_type: Questionnaire, tmp_path_factory: pytest.TempPathFactory) -> str:
    return xform_of(every_item_type, tmp_path_factory.mktemp("xlsform") / "every.xlsx")


def test_show_if_becomes_relevant_with_and_or_in_has_and_not(every_item_xform: str) -> None:
    relevant = {name: bind.get("relevant", "") for name, bind in binds(every_item_xform).items()}
    assert relevant["problem_kinds"] == " /data/experience/problem  = '1'"
    assert relevant["complained"] == (
        " /data/experience/problem  = '1' and not(selected( /data/experience/problem_kinds , '4'))"
    )
    assert relevant["resolution"] == (
        " /data/experience/complained  = '1' and ( /data/experience/sat_overall  <= 2 or "
        "( /data/experience/recommend  = '0' or  /data/experience/recommend  = '1' or "
        " /data/experience/recommend  = '2'))"
    )
    # a grid's condition sits on its group, and `not in` still requires an answer
    assert relevant["attr"] == ("(not( /data/experience/channel  = '9') and  /data/experience/channel  != '')")
    assert relevant["comments"] == "not( /data/experience/recommend  >= 9)"


def test_other_please_specify_is_a_text_asked_only_when_its_option_is_chosen(every_item_xform: str) -> None:
    questions = binds(every_item_xform)
    assert questions["channel_other"]["relevant"] == " /data/experience/channel  = '9'"
    assert questions["problem_kinds_other"]["relevant"] == "selected( /data/experience/problem_kinds , '3')"
    assert questions["channel_other"]["type"] == "string"


def test_bounds_max_choices_and_exclusive_options_become_constraints(every_item_xform: str) -> None:
    questions = binds(every_item_xform)
    assert questions["visits"]["type"] == "int"
    assert questions["visits"]["constraint"] == ". >= 0 and . <= 365"
    assert questions["spend"]["type"] == "decimal"
    assert questions["spend"]["constraint"] == ". >= 0"
    assert questions["problem_kinds"]["constraint"] == (
        "count-selected(.) <= 2 and not(selected(., '4') and count-selected(.) > 1)"
    )
    assert questions["comments"]["constraint"] == "string-length(.) <= 500"
    assert "请填写 0 到 365 之间的数。" in translations(every_item_xform)["简体中文 (zh-Hans)"]


def test_grids_are_tables_named_by_the_codebook(every_item_xform: str) -> None:
    questions = binds(every_item_xform)
    for name in (
        "importance_price",
        "importance_service",
        "attr_importance_staff",
        "attr_importance_speed",
        "attr_satisfaction_staff",
        "attr_satisfaction_speed",
    ):
        assert questions[name]["required"] == "true()"
    body = ET.fromstring(every_item_xform)
    appearances = {
        element.attrib["ref"].rsplit("/", 1)[-1]: element.attrib.get("appearance", "")
        for element in body.iter()
        if "ref" in element.attrib
    }
    assert appearances["importance"] == "field-list"
    assert appearances["importance_header"] == "label"
    assert appearances["importance_price"] == "list-nolabel"
    assert appearances["attr_satisfaction_speed"] == "list-nolabel"
    assert appearances["sat_overall"] == "likert"
    assert appearances["recommend"] == "horizontal-compact"


def test_ranking_is_an_odk_rank_and_texts_are_in_both_languages(every_item_xform: str) -> None:
    assert binds(every_item_xform)["priorities"]["type"] == "odk:rank"
    texts = translations(every_item_xform)
    assert "还有什么想告诉我们的？" in texts["简体中文 (zh-Hans)"]
    assert "Anything else you would like to tell us?" in texts["English (en)"]
    assert "0 – 完全不可能" in texts["简体中文 (zh-Hans)"]  # long scales keep the numbers visible
    assert "Satisfied" in texts["English (en)"]  # short scales show the label alone
    assert "其他（请注明）" in texts["简体中文 (zh-Hans)"]


def test_the_workbook_has_the_three_sheets_with_language_columns(
    every_item_type: Questionnaire, tmp_path: Path
) -> None:
    path = tmp_path / "form.xlsx"
    write_xlsform(every_item_type, path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    survey_header = [cell.value for cell in workbook["survey"][1]]
    assert survey_header[:4] == ["type", "name", "label::简体中文 (zh-Hans)", "label::English (en)"]
    assert "label::繁體中文 (zh-Hant)" not in survey_header
    settings = dict(
        zip(
            [cell.value for cell in workbook["settings"][1]],
            [cell.value for cell in workbook["settings"][2]],
            strict=True,
        )
    )
    assert settings == {
        "form_title": "各类题型示例",
        "form_id": "every-item-type",
        "version": "3",
        "default_language": "简体中文 (zh-Hans)",
    }


def test_one_language_of_the_survey_can_be_chosen(every_item_type: Questionnaire, tmp_path: Path) -> None:
    xform = xform_of(every_item_type, tmp_path / "en.xlsx", ["en"])
    assert list(translations(xform)) == ["English (en)"]
    assert "您对我们的总体满意程度如何？" not in xform


def test_a_language_the_survey_lacks_is_an_input_error(every_item_type: Questionnaire, tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        write_xlsform(every_item_type, tmp_path / "form.xlsx", ["zh-Hant"])
    assert "'zh-Hant' is not a language of survey 'every-item-type'" in raised.value.report()
    assert not (tmp_path / "form.xlsx").exists()


def test_rows_and_groups_get_names_of_their_own_when_a_code_is_taken(tmp_path: Path) -> None:
    questionnaire = load_questionnaire(DATA / "clashing_names.yaml")
    xform = xform_of(questionnaire, tmp_path / "clash.xlsx")
    questions = binds(xform)
    # the section is a group named recommend_2; the grid row `header` keeps the codebook name mood_header,
    # so the table's header row is mood_header_2
    assert "/data/recommend_2/recommend" in {bind["nodeset"] for bind in questions.values()}
    assert questions["mood_header"]["required"] == "true()"
    assert "mood_header_2" in questions
    assert "required" not in questions["mood_header_2"]
    sheets = xlsform_sheets(questionnaire)
    assert [row["name"] for row in sheets.choices if row["list_name"] == "scale_m2_2"] == [
        "-2",
        "-1",
        "0",
        "1",
        "2",
    ]


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate (JavaRosa) needs java on PATH")
@pytest.mark.parametrize("fixture", ["every_item_type.yaml", "clashing_names.yaml"])
def test_odk_validate_loads_the_form_as_odk_collect_would(fixture: str, tmp_path: Path) -> None:
    """pyxform's bundled ODK Validate loads the XForm with JavaRosa, the engine of ODK Collect, which
    parses every relevant and constraint expression; pyxform's conversion alone does not."""
    path = tmp_path / "form.xlsx"
    write_xlsform(load_questionnaire(DATA / fixture), path)
    warnings: list[str] = []
    convert(xlsform=str(path), warnings=warnings, validate=True)  # raises ODKValidateError on a bad form
    assert [warning for warning in warnings if SUBTAG_WARNING not in warning] == []
