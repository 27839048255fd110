"""Importing XLSForms: our own exports come back the same; forms from Kobo map as far as they can, and say
what did not; broken workbooks are an InputError naming sheet, row and column."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from openpyxl import Workbook
from pyxform.xls2xform import convert

from surveys.blueprints import blueprint_names, new_questionnaire
from surveys.codebook import codebook
from surveys.problems import InputError
from surveys.questionnaire import (
    LANGUAGES,
    ImportanceSatisfactionGrid,
    MultipleChoice,
    Number,
    Questionnaire,
    RatingGrid,
    Recommend,
    SingleChoice,
)
from surveys.questionnaire_checks import check_questionnaire
from surveys.questionnaire_file import load_questionnaire, parse_questionnaire, questionnaire_yaml
from surveys.render.xlsform import write_xlsform
from surveys.show_if import parse_condition
from surveys.xlsform_import import import_xlsform, language_of

DATA = Path(__file__).parent / "data"


def variables(questionnaire: Questionnaire) -> list[tuple[object, ...]]:
    """What a respondent's answers are stored and scored by: codes, kinds, texts, scales, options."""
    return [
        (
            variable.code,
            variable.kind,
            variable.text,
            variable.construct,
            variable.direction,
            variable.minimum,
            variable.maximum,
            variable.scale,
            variable.options,
        )
        for variable in codebook(questionnaire)
    ]


def conditions(questionnaire: Questionnaire) -> dict[str, object]:
    return {item.code: parse_condition(item.show_if) if item.show_if else None for item in questionnaire.items()}


def resolved_items(questionnaire: Questionnaire) -> list[dict[str, object]]:
    """Every item as data, a grid's `rows: attributes` replaced by the attribute rows it stands for."""
    items = []
    for item in questionnaire.items():
        data = item.model_dump()
        if isinstance(item, RatingGrid | ImportanceSatisfactionGrid):
            data["rows"] = [row.model_dump() for row in questionnaire.grid_rows(item)]
        if item.show_if is not None:  # `not (a >= 9)` and `not a >= 9` are one condition
            data["show_if"] = parse_condition(item.show_if)
        items.append(data)
    return items


def round_trip(questionnaire: Questionnaire, tmp_path: Path) -> tuple[Questionnaire, list[str]]:
    path = tmp_path / "form.xlsx"
    write_xlsform(questionnaire, path)
    result = import_xlsform(path)
    return result.questionnaire, result.unmapped


# --- our own exports ---------------------------------------------------------------------------------


def test_every_item_type_comes_back_with_the_same_codes_types_texts_and_show_if(tmp_path: Path) -> None:
    original = load_questionnaire(DATA / "every_item_type.yaml")
    imported, unmapped = round_trip(original, tmp_path)

    assert resolved_items(imported) == resolved_items(original)  # every field of every item
    assert variables(imported) == variables(original)
    assert [type(item) for item in imported.items()] == [type(item) for item in original.items()]
    assert [item.required for item in imported.items()] == [item.required for item in original.items()]
    assert [item.instruction for item in imported.items()] == [item.instruction for item in original.items()]
    assert [getattr(item, "correct", None) for item in imported.items()] == [
        getattr(item, "correct", None) for item in original.items()
    ]
    assert [getattr(item, "rank_count", None) for item in imported.items()] == [
        getattr(item, "rank_count", None) for item in original.items()
    ]
    assert conditions(imported) == conditions(original)
    assert [(section.code, section.title, section.intro) for section in imported.sections] == [
        (section.code, section.title, section.intro) for section in original.sections
    ]
    assert (imported.survey, imported.version, imported.languages) == (
        "every-item-type",
        3,
        ["zh-Hans", "en"],
    )
    assert (imported.intro, imported.thanks) == (original.intro, original.thanks)
    numbers = [item for item in imported.items() if isinstance(item, Number)]
    assert [(item.unit, item.min, item.max, item.integer) for item in numbers] == [
        ({"zh-Hans": "次", "en": "times"}, 0, 365, True),
        ({"zh-Hans": "元", "en": "yuan"}, 0, None, False),
    ]
    # the XLSForm has one title, in the first language: the only thing said to be lost
    assert unmapped == ["the title '各类题型示例' is in one language in an XLSForm; translate it."]


@pytest.mark.parametrize("blueprint", blueprint_names())
@pytest.mark.parametrize(
    "languages",
    [list(combination) for size in (1, 2, 3) for combination in itertools.combinations(LANGUAGES, size)],
    ids="+".join,
)
def test_every_blueprint_comes_back_item_for_item(blueprint: str, languages: list[str], tmp_path: Path) -> None:
    original = new_questionnaire(blueprint, "pulse-2026", languages).questionnaire
    imported, _ = round_trip(original, tmp_path)
    assert [item.model_dump() for item in imported.items()] == [item.model_dump() for item in original.items()]


# --- a form made in Kobo ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kobo() -> tuple[Questionnaire, list[str]]:
    result = import_xlsform(DATA / "kobo_example.xlsx")
    return result.questionnaire, result.unmapped


def test_the_kobo_fixture_is_a_form_pyxform_accepts() -> None:
    convert(xlsform=str(DATA / "kobo_example.xlsx"), validate=False)


def test_a_kobo_form_becomes_a_valid_questionnaire_that_survives_yaml(
    kobo: tuple[Questionnaire, list[str]],
) -> None:
    questionnaire, _ = kobo
    assert check_questionnaire(questionnaire) == []
    assert parse_questionnaire(questionnaire_yaml(questionnaire)) == questionnaire
    assert questionnaire.languages == ["en", "zh-Hans"]  # default_language first; 中文 (zh) is 简体
    assert questionnaire.intro == {"en": "Thank you for shopping with us.", "zh-Hans": "感谢您在本店购物。"}
    assert questionnaire.thanks == {"en": "Thank you!", "zh-Hans": "谢谢！"}
    assert [section.code for section in questionnaire.sections] == ["section_1", "experience", "about_you"]


def test_kobo_choice_names_become_codes_and_conditions_follow_them(
    kobo: tuple[Questionnaire, list[str]],
) -> None:
    questionnaire, unmapped = kobo
    items = {item.code: item for item in questionnaire.items()}
    consent = items["consent"]
    assert isinstance(consent, SingleChoice)
    assert [(option.code, option.text["zh-Hans"]) for option in consent.options] == [(1, "是"), (2, "否")]
    assert (
        "choices list 'yes_no' (rows 2–3): names that are not distinct whole numbers are coded "
        "yes → 1, no → 2." in unmapped
    )
    # the group's relevant (${consent} = 'yes') is joined to each question's own
    assert items["store"].show_if == "consent == 1"
    assert items["reasons"].show_if == "consent == 1 and nps >= 7"


def test_kobo_scales_grids_other_and_bounds_map(kobo: tuple[Questionnaire, list[str]]) -> None:
    questionnaire, _ = kobo
    items = {item.code: item for item in questionnaire.items()}
    assert isinstance(items["nps"], Recommend)
    assert items["overall_satisfaction"].type == "rating"
    assert items["quality"].type == "rating_grid"
    codes = [variable.code for variable in codebook(questionnaire)]
    assert codes[codes.index("quality_taste") : codes.index("quality_taste") + 3] == [
        "quality_taste",
        "quality_price",
        "quality_service",
    ]
    reasons = items["reasons"]
    assert isinstance(reasons, MultipleChoice)
    assert [(option.code, option.specify, option.exclusive) for option in reasons.options] == [
        (1, False, False),
        (2, False, False),
        (3, True, False),  # the reasons_other text question
        (4, False, True),  # not(selected(., 'none') and count-selected(.) > 1)
    ]
    assert "reasons_other" in codes
    age = items["age"]
    assert isinstance(age, Number)
    assert (age.min, age.max) == (18, 99)  # `. > 17 and . < 100` on an integer


def test_what_a_kobo_form_has_that_loyalty_does_not_is_listed_with_rows(
    kobo: tuple[Questionnaire, list[str]],
) -> None:
    _, unmapped = kobo
    expected = [
        "row 2: 'start' is metadata; not carried over.",
        "row 19: 'promoter' is a calculation; not carried over.",
        "row 25: 'location' is a GPS location; not carried over.",
        "row 26: repeat 'household' is not carried over, nor the 1 row in it (loyalty asks each question once).",
        "row 24: 'district': column choice_filter (\"city = 'sh'\") is not carried over.",
        "settings version 'vQx7pLk2' is not a whole number; the version is 1.",
    ]
    for line in expected:
        assert line in unmapped
    assert any(line.startswith("'Français (fr)'") for line in unmapped)
    assert any("string-length" in line and "'improve'" in line for line in unmapped)
    assert any(
        line.startswith("row 5: 'consent': construct not recognisable; set to demographics") for line in unmapped
    )


# --- small hand-made workbooks ---------------------------------------------------------------------------


def xlsform(
    path: Path,
    survey: list[list[str | None]],
    choices: list[list[str | None]] | None = None,
    settings: list[list[str | None]] | None = None,
    survey_sheet: str = "survey",
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = survey_sheet
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            extra = workbook.create_sheet(title)
            for row in rows:
                extra.append(row)
    workbook.save(path)
    return path


YES_NO: list[list[str | None]] = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("English (en)", "en"),
        ("English", "en"),
        ("中文", "zh-Hans"),
        ("Chinese (Simplified)", "zh-Hans"),
        ("简体中文 (zh-Hans)", "zh-Hans"),
        ("Chinese (zh-CN)", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("繁體中文 (zh-Hant)", "zh-Hant"),
        ("Chinese (zh-TW)", "zh-Hant"),
        ("中文 (zh_HK)", "zh-Hant"),
        ("Chinese (Traditional)", "zh-Hant"),
        ("Español (es)", None),
    ],
)
def test_language_names_as_form_builders_write_them(name: str, language: str | None) -> None:
    assert language_of(name) == language


def test_a_plain_label_column_is_read_by_its_script_and_said(tmp_path: Path) -> None:
    path = xlsform(tmp_path / "f.xlsx", [["type", "name", "label"], ["text", "why", "您为什么选择我们？"]])
    result = import_xlsform(path)
    assert result.questionnaire.languages == ["zh-Hans"]
    assert "the plain `label` column has no language; read as 简体中文 (zh-Hans) from its script." in result.unmapped


def test_a_text_missing_in_one_language_is_filled_and_listed(tmp_path: Path) -> None:
    path = xlsform(
        tmp_path / "f.xlsx",
        [
            ["type", "name", "label::English (en)", "label::中文 (zh)"],
            ["text", "why", "Why us?", "为什么选择我们？"],
            ["text", "more", "Anything else?", None],
        ],
    )
    result = import_xlsform(path)
    assert result.questionnaire.items()[1].text == {"en": "Anything else?", "zh-Hans": "Anything else?"}
    assert any(line.startswith("简体中文 (zh-Hans) texts missing on rows 3") for line in result.unmapped)


def test_a_relevant_on_a_later_question_is_dropped_and_listed(tmp_path: Path) -> None:
    path = xlsform(
        tmp_path / "f.xlsx",
        [
            ["type", "name", "label", "relevant"],
            ["select_one yn", "early", "Early?", "${late} = 'yes'"],
            ["select_one yn", "late", "Late?", None],
        ],
        YES_NO,
    )
    result = import_xlsform(path)
    assert [item.show_if for item in result.questionnaire.items()] == [None, None]
    assert any(line.startswith("row 2: relevant \"${late} = 'yes'\"") for line in result.unmapped)


def test_or_other_becomes_a_specify_option(tmp_path: Path) -> None:
    path = xlsform(
        tmp_path / "f.xlsx",
        [["type", "name", "label"], ["select_one yn or_other", "agree", "Agree?"]],
        YES_NO,
    )
    item = import_xlsform(path).questionnaire.items()[0]
    assert isinstance(item, SingleChoice)
    assert [(option.code, option.specify) for option in item.options] == [(1, False), (2, False), (3, True)]


@pytest.mark.parametrize(
    ("survey", "choices", "where", "what"),
    [
        ([["type", "label"], ["text", "Why?"]], None, "sheet survey, row 1", "has no column 'name'"),
        ([["name", "label"], ["why", "Why?"]], None, "sheet survey, row 1", "has no column 'type'"),
        (
            [["type", "name", "label"], ["select_one colours", "colour", "Colour?"]],
            YES_NO,
            "sheet survey, row 2, column type",
            "list 'colours' is not in the choices sheet",
        ),
        (
            [["type", "name", "label"], ["begin_group", "g", "G"], ["text", "why", "Why?"]],
            None,
            "sheet survey, row 2, column type",
            "begin group 'g' is never ended",
        ),
        (
            [["type", "name", "label"], ["end_group", None, None]],
            None,
            "sheet survey, row 2, column type",
            "end_group closes no open begin group",
        ),
        (
            [["type", "name", "label"], ["text", None, "Why?"]],
            None,
            "sheet survey, row 2, column name",
            "the text row has no name",
        ),
        (
            [["type", "name", "label"], ["select_one yn", "a", "A?"]],
            [["list_name", "name", "label"], ["yn", "1", "Yes"], ["yn", "1", "No"]],
            "sheet choices, row 3, column name",
            "'1' is already a choice of list 'yn'",
        ),
    ],
)
def test_a_broken_workbook_is_an_input_error_with_sheet_row_and_column(
    survey: list[list[str | None]],
    choices: list[list[str | None]] | None,
    where: str,
    what: str,
    tmp_path: Path,
) -> None:
    path = xlsform(tmp_path / "f.xlsx", survey, choices)
    with pytest.raises(InputError) as raised:
        import_xlsform(path)
    assert [(problem.location, what in problem.what) for problem in raised.value.problems] == [(where, True)]


def test_a_workbook_without_a_survey_sheet_or_not_xlsx_is_an_input_error(tmp_path: Path) -> None:
    path = xlsform(tmp_path / "f.xlsx", [["type", "name"]], survey_sheet="questions")
    with pytest.raises(InputError, match="has no sheet named 'survey'"):
        import_xlsform(path)
    with pytest.raises(InputError, match=r"only XLSForms saved as \.xlsx"):
        import_xlsform(tmp_path / "form.xls")
    (tmp_path / "broken.xlsx").write_text("not a workbook")
    with pytest.raises(InputError, match="is not an Excel workbook"):
        import_xlsform(tmp_path / "broken.xlsx")


def test_clashing_names_and_negative_scales_come_back(tmp_path: Path) -> None:
    original = load_questionnaire(DATA / "clashing_names.yaml")
    imported, _ = round_trip(original, tmp_path)
    assert variables(imported) == variables(original)
    assert [section.code for section in imported.sections] == ["recommend_2"]  # the group's name in the form


def test_a_table_of_yes_no_questions_keeps_its_questions_without_the_header(tmp_path: Path) -> None:
    path = xlsform(
        tmp_path / "f.xlsx",
        [
            ["type", "name", "label", "appearance"],
            ["begin_group", "used", "Have you used…", "field-list"],
            ["select_one yn", "used_header", "Have you used…", "label"],
            ["select_one yn", "used_app", "the app?", "list-nolabel"],
            ["select_one yn", "used_web", "the web shop?", "list-nolabel"],
            ["end_group", None, None, None],
        ],
        YES_NO,
    )
    result = import_xlsform(path)
    assert [item.code for item in result.questionnaire.items()] == ["used_app", "used_web"]
    assert "row 3: 'used_header' is a table's header row (appearance label); it holds no answer." in result.unmapped


def test_a_kobo_matrix_a_piped_label_and_clashing_choice_names_are_said(tmp_path: Path) -> None:
    path = xlsform(
        tmp_path / "f.xlsx",
        [
            ["type", "name", "label", "kobo--matrix_list"],
            ["select_one yn", "visited", "Visited?", None],
            ["begin_kobomatrix", "ratings", "Rate", "yn"],
            ["select_one yn", "col", "Column", None],
            ["end_kobomatrix", None, None, None],
            ["text", "why", "Why did you answer ${visited}?", None],
        ],
        [["list_name", "name", "label"], ["yn", "1", "Yes"], ["yn", "01", "Also yes"], ["yn", "2", "No"]],
    )
    result = import_xlsform(path)
    visited = result.questionnaire.items()[0]
    assert isinstance(visited, SingleChoice)
    assert [option.code for option in visited.options] == [1, 3, 2]
    assert (
        "choices list 'yn' (rows 2–4): names that are not distinct whole numbers are coded 01 → 3." in result.unmapped
    )
    assert any(line.startswith("row 3: Kobo matrix 'ratings' is not carried over") for line in result.unmapped)
    assert "row 6: 'why': its label shows an earlier answer (${…}); kept as written." in result.unmapped
