"""`loyalty survey validate`: the catalogue of problems a questionnaire file can have.

Each test is a small questionnaire as a researcher would write it, with one mistake; the command must
exit 1 and name the file, the line and the fix. The questionnaires share this header (lines 1–9), so the
first item's lines start at 10:

     1  survey: retail-2026
     2  languages: [zh-Hans, en]
     3  title: {zh-Hans: 零售客户调查, en: Retail customer survey}
     4  attributes:
     5    - {code: price, text: {zh-Hans: 价格, en: Price}}
     6  sections:
     7    - code: main
     8      title: {zh-Hans: 满意度, en: Satisfaction}
     9      items:
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from loyalty.cli import app

HEADER = """\
survey: retail-2026
languages: [zh-Hans, en]
title: {zh-Hans: 零售客户调查, en: Retail customer survey}
attributes:
  - {code: price, text: {zh-Hans: 价格, en: Price}}
sections:
  - code: main
    title: {zh-Hans: 满意度, en: Satisfaction}
    items:
"""

SATISFACTION = """\
- code: sat_overall
  type: rating
  construct: overall_satisfaction
  direction: higher_is_better
  text: {zh-Hans: 总体满意度, en: Overall satisfaction}
  scale: {min: 0, max: 10}
"""

COMPLAINED = """\
- code: complained
  type: single_choice
  construct: complained
  text: {zh-Hans: 您投诉过吗？, en: "Did you complain?"}
  options:
    - {code: 1, text: {zh-Hans: 是, en: "Yes"}}
    - {code: 2, text: {zh-Hans: 否, en: "No"}}
"""


def questionnaire(*items: str, header: str = HEADER) -> str:
    """The header followed by the items, indented under `items:`."""
    return header + "".join(textwrap.indent(textwrap.dedent(item), "      ") for item in items)


def validate(tmp_path: Path, text: str) -> Result:
    path = tmp_path / "retail.yaml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(app, ["survey", "validate", str(path)])


def assert_problem(result: Result, line: int, message: str) -> None:
    assert result.exit_code == 1, result.output
    expected = f"retail.yaml, line {line}: {message}"
    assert expected in result.output, f"{expected!r} not in:\n{result.output}"


def test_a_valid_questionnaire_passes_with_a_summary(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION, COMPLAINED))
    assert result.exit_code == 0, result.output
    assert "is valid: survey retail-2026 version 1, 2 items" in result.output


def test_yaml_that_cannot_be_read_names_line_and_column(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION) + "  text: [unclosed\n")
    assert result.exit_code == 1
    assert "retail.yaml, line 16, column 3: is not valid YAML" in result.output


def test_an_unknown_key_suggests_the_nearest_valid_one(tmp_path: Path) -> None:
    misspelt = SATISFACTION.replace("scale:", "scael:")
    result = validate(tmp_path, questionnaire(misspelt))
    assert_problem(result, 15, "unknown key 'scael'. Did you mean \"scale\"?")


def test_an_unknown_key_at_the_top_suggests_the_nearest_valid_one(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION, header=HEADER.replace("title:", "tittle:")))
    assert_problem(result, 3, "unknown key 'tittle'. Did you mean \"title\"?")


def test_an_unknown_item_type_suggests_the_nearest(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION.replace("type: rating", "type: rateing")))
    assert_problem(result, 11, "unknown item type 'rateing'. Did you mean \"rating\"?")


def test_an_item_without_text_is_reported_at_the_item(tmp_path: Path) -> None:
    without_text = SATISFACTION.replace("  text: {zh-Hans: 总体满意度, en: Overall satisfaction}\n", "")
    result = validate(tmp_path, questionnaire(without_text))
    assert_problem(result, 10, "'text' is missing. Add `text:`.")


def test_a_key_written_twice_is_reported_not_silently_overwritten(tmp_path: Path) -> None:
    twice = SATISFACTION + "  construct: trust\n"
    result = validate(tmp_path, questionnaire(twice))
    assert_problem(result, 16, "key 'construct' appears twice in the same block.")


def test_an_unknown_construct_suggests_the_nearest(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION.replace("overall_satisfaction", "overal_satisfaction")))
    assert_problem(result, 12, "'overal_satisfaction' is not allowed here. Did you mean \"overall_satisfaction\"?")


def test_an_unknown_language_suggests_a_known_one(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION, header=HEADER.replace("[zh-Hans, en]", "[zh-Hans, eng]")))
    assert_problem(result, 2, "'eng' is not allowed here. Did you mean \"en\"?")


def test_a_text_in_an_unknown_language_is_reported(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION.replace("en: Overall", "zh-CN: 总体, en: Overall")))
    assert_problem(result, 14, "'zh-CN' is not a language of loyalty.")


def test_a_comma_inside_an_unquoted_text_gets_a_hint_to_quote_it(tmp_path: Path) -> None:
    result = validate(
        tmp_path, questionnaire(SATISFACTION.replace("en: Overall satisfaction", "en: Overall, all told"))
    )
    assert_problem(result, 14, "'all told' is not a language of loyalty.")
    assert "put the whole text in quotes" in result.output


def test_a_code_that_is_not_an_identifier_is_explained(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION.replace("code: sat_overall", "code: sat overall")))
    assert_problem(result, 10, "code 'sat overall' is not a valid code. A code starts with a letter")


def test_a_survey_id_with_capitals_is_explained(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION, header=HEADER.replace("retail-2026", "Retail 2026")))
    assert_problem(result, 1, "survey id 'Retail 2026' is not valid. Use lower-case letters, digits and hyphens")


def test_a_duplicate_item_code_is_reported_at_the_second(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION, SATISFACTION))
    assert_problem(result, 16, "item code 'sat_overall' is used twice.")


def test_a_grid_row_variable_that_collides_with_an_item_code_is_reported(tmp_path: Path) -> None:
    grid = """\
    - code: sat
      type: rating_grid
      construct: attribute_satisfaction
      direction: higher_is_better
      text: {zh-Hans: 各方面满意度, en: Satisfaction with}
      rows: attributes
      scale: {min: 1, max: 5}
    """
    colliding = SATISFACTION.replace("code: sat_overall", "code: sat_price")
    result = validate(tmp_path, questionnaire(colliding, grid))
    assert_problem(result, 16, "item code 'sat_price' is used twice.")


def test_a_duplicate_option_code_is_reported(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(COMPLAINED.replace("{code: 2,", "{code: 1,")))
    assert_problem(result, 16, "option code '1' is used twice.")


def test_a_show_if_that_cannot_be_read_says_where_reading_stopped(tmp_path: Path) -> None:
    follow_up = SATISFACTION.replace("code: sat_overall", "code: follow_up") + "  show_if: complained = 1\n"
    result = validate(tmp_path, questionnaire(COMPLAINED, follow_up))
    assert_problem(result, 23, "show_if cannot be read: cannot read '= 1' (after 'complained ').")


def test_a_show_if_pointing_forward_is_reported(tmp_path: Path) -> None:
    asks_later = SATISFACTION + "  show_if: complained == 1\n"
    result = validate(tmp_path, questionnaire(asks_later, COMPLAINED))
    assert_problem(result, 16, "show_if refers to 'complained', which comes later in the questionnaire.")


def test_a_show_if_pointing_at_a_missing_item_suggests_the_nearest(tmp_path: Path) -> None:
    follow_up = SATISFACTION.replace("code: sat_overall", "code: follow_up") + "  show_if: complaned == 1\n"
    result = validate(tmp_path, questionnaire(COMPLAINED, follow_up))
    assert_problem(result, 23, "show_if refers to 'complaned', which is not an item. Did you mean \"complained\"?")


def test_a_show_if_on_its_own_answer_is_reported(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION + "  show_if: sat_overall > 5\n"))
    assert_problem(result, 16, "show_if of 'sat_overall' depends on its own answer.")


def test_a_show_if_value_that_is_not_an_option_lists_the_options(tmp_path: Path) -> None:
    follow_up = SATISFACTION.replace("code: sat_overall", "code: follow_up") + "  show_if: complained == 3\n"
    result = validate(tmp_path, questionnaire(COMPLAINED, follow_up))
    assert_problem(result, 23, "3 is not an option of 'complained'. Its option codes are 1, 2.")


def test_a_show_if_value_outside_the_scale_is_reported(tmp_path: Path) -> None:
    follow_up = COMPLAINED + "  show_if: sat_overall > 11\n"
    result = validate(tmp_path, questionnaire(SATISFACTION, follow_up))
    assert_problem(result, 23, "11 is outside the scale of 'sat_overall' (0–10).")


def test_has_on_a_single_choice_suggests_equality(tmp_path: Path) -> None:
    follow_up = SATISFACTION.replace("code: sat_overall", "code: follow_up") + "  show_if: complained has 1\n"
    result = validate(tmp_path, questionnaire(COMPLAINED, follow_up))
    assert_problem(result, 23, "'has' is for multiple-choice answers, and 'complained' is not one.")


def test_a_missing_translation_names_the_language(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(COMPLAINED.replace('{zh-Hans: 否, en: "No"}', "{zh-Hans: 否}")))
    assert_problem(result, 16, "the text has no en version. Add `en: …` here, or remove en from `languages`.")


def test_scale_min_not_below_max_is_reported(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION.replace("{min: 0, max: 10}", "{min: 5, max: 5}")))
    assert_problem(result, 15, "scale min 5 is not below max 5.")


def test_a_label_outside_the_scale_is_reported(tmp_path: Path) -> None:
    labelled = SATISFACTION.replace("max: 10}", "max: 10, labels: {11: {zh-Hans: 极好, en: Superb}}}")
    result = validate(tmp_path, questionnaire(labelled))
    assert_problem(result, 15, "label for 11, which is outside the scale 0–10.")


def test_a_recommend_item_must_be_zero_to_ten(tmp_path: Path) -> None:
    recommend = """\
    - code: recommend
      type: recommend
      construct: recommend
      text: {zh-Hans: 推荐可能性, en: Likelihood to recommend}
      scale: {min: 1, max: 5}
    """
    result = validate(tmp_path, questionnaire(recommend))
    assert_problem(result, 14, "a recommend item is always 0–10, not 1–5.")


def test_a_scale_item_must_say_its_direction(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(SATISFACTION.replace("  direction: higher_is_better\n", "")))
    assert_problem(result, 10, "item 'sat_overall' does not say whether a higher answer is better or worse.")


def test_number_bounds_in_the_wrong_order_are_reported(tmp_path: Path) -> None:
    purchases = """\
    - code: purchases
      type: number
      construct: repeat_purchase
      direction: higher_is_better
      text: {zh-Hans: 购买次数, en: Purchases}
      min: 50
      max: 0
    """
    result = validate(tmp_path, questionnaire(purchases))
    assert_problem(result, 15, "min 50 is not below max 0.")


def test_a_choice_needs_two_options(tmp_path: Path) -> None:
    one_option = COMPLAINED.replace('    - {code: 2, text: {zh-Hans: 否, en: "No"}}\n', "")
    result = validate(tmp_path, questionnaire(one_option))
    assert_problem(result, 14, "a choice needs at least two options.")


def test_grid_rows_from_attributes_need_an_attribute_list(tmp_path: Path) -> None:
    grid = """\
    - code: sat
      type: rating_grid
      construct: attribute_satisfaction
      direction: higher_is_better
      text: {zh-Hans: 各方面满意度, en: Satisfaction with}
      rows: attributes
      scale: {min: 1, max: 5}
    """
    no_attributes = HEADER.replace("attributes:\n  - {code: price, text: {zh-Hans: 价格, en: Price}}\n", "")
    result = CliRunner().invoke(
        app, ["survey", "validate", str(_write(tmp_path, questionnaire(grid, header=no_attributes)))]
    )
    assert_problem(result, 13, "`rows: attributes` but the survey lists no attributes.")


def test_exclusive_on_a_single_choice_is_reported(tmp_path: Path) -> None:
    exclusive = COMPLAINED.replace(
        '{code: 2, text: {zh-Hans: 否, en: "No"}}',
        '{code: 2, exclusive: true, text: {zh-Hans: 否, en: "No"}}',
    )
    result = validate(tmp_path, questionnaire(exclusive))
    assert_problem(result, 16, "`exclusive` means nothing on a single choice")


def test_an_attention_check_answer_must_be_an_option(tmp_path: Path) -> None:
    result = validate(tmp_path, questionnaire(COMPLAINED + "  correct: 7\n"))
    assert_problem(result, 17, "correct answer 7 is not an option code.")


def test_an_empty_section_is_reported(tmp_path: Path) -> None:
    empty = HEADER.replace("    items:\n", "    items: []\n")
    result = validate(tmp_path, empty)
    assert_problem(result, 9, "the section has no items.")


@pytest.mark.parametrize("text", ["", "- just\n- a list\n"])
def test_a_file_that_holds_no_questionnaire_is_reported(tmp_path: Path, text: str) -> None:
    result = validate(tmp_path, text)
    assert result.exit_code == 1
    assert "does not hold a questionnaire" in result.output


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["survey", "validate", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 1
    assert "absent.yaml: no such file." in result.output


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    broken = SATISFACTION.replace("scale: {min: 0, max: 10}", "scale: {min: 10, max: 0}").replace(
        "  direction: higher_is_better\n", ""
    )
    result = validate(tmp_path, questionnaire(broken, COMPLAINED.replace('en: "No"', "")))
    assert result.exit_code == 1
    assert "retail.yaml has 3 problems." in result.output


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "retail.yaml"
    path.write_text(text, encoding="utf-8")
    return path
