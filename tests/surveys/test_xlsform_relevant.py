"""Reading XLSForm `relevant` back into show-if: exact for what we write, faithful for the rest."""

from __future__ import annotations

import re

import pytest

from surveys.show_if import is_shown, parse_condition, to_xlsform
from surveys.xlsform_relevant import (
    RelevantVariable,
    UntranslatableRelevant,
    condition_text,
    relevant_condition,
)

VARIABLES = {
    "problem": RelevantVariable("problem", "choice", {"1": 1, "2": 2}),
    "kinds": RelevantVariable("kinds", "choices", {"1": 1, "2": 2, "3": 3, "4": 4}),
    "sat": RelevantVariable("sat", "scale", {str(point): point for point in range(1, 6)}, minimum=1),
    "rec": RelevantVariable("rec", "scale", {str(point): point for point in range(11)}, minimum=0),
    "visits": RelevantVariable("visits", "number"),
    "city": RelevantVariable("city", "text"),
    "consent": RelevantVariable("consent", "choice", {"yes": 1, "no": 2}),
    "q-7": RelevantVariable("q_7", "number"),
}
SELECT_ONE = frozenset({"problem", "sat", "rec", "consent"})


@pytest.mark.parametrize(
    "show_if",
    [
        "problem == 1 and not kinds has 4",
        "problem == 1 and (sat <= 2 or rec in [0, 1, 2])",
        "problem not in [2]",
        "sat != 1",
        "visits >= 1 and sat != 1",
        "not (rec >= 9)",
        "kinds has 1 or kinds has 2",
        "city == 'Shanghai'",
        "not (problem == 1 and visits > 3)",
        "problem in [1, 2] and (visits < 3 or visits > 10.5)",
    ],
)
def test_what_to_xlsform_writes_reads_back_as_the_same_condition(show_if: str) -> None:
    relevant = to_xlsform(parse_condition(show_if), SELECT_ONE)
    assert parse_condition(condition_text(relevant_condition(relevant, VARIABLES))) == parse_condition(
        show_if
    )


@pytest.mark.parametrize(
    ("relevant", "show_if"),
    [
        ("${consent}='yes'", "consent == 1"),  # choice names become option codes
        ("selected(${consent}, 'no')", "consent == 2"),
        ("${problem} != '1'", "not problem == 1"),  # true when unanswered, as in XPath
        ("${problem} != ''", "problem in [1, 2]"),
        ("${kinds} = ''", "not (kinds has 1 or kinds has 2 or kinds has 3 or kinds has 4)"),
        ("3 < ${visits}", "visits > 3"),
        ("${q-7} >= 2", "q_7 >= 2"),  # a name that had to change is followed
        ("(${sat} >= 4) and (${sat} <= 5)", "sat >= 4 and sat <= 5"),
    ],
)
def test_other_forms_of_the_same_tests_are_read(relevant: str, show_if: str) -> None:
    assert condition_text(relevant_condition(relevant, VARIABLES)) == show_if


def test_meaning_is_kept_for_unanswered_questions() -> None:
    condition = relevant_condition("${problem} != '1'", VARIABLES)
    assert is_shown(condition, {})  # XPath: '' != '1' is true
    assert not is_shown(condition, {"problem": 1})


@pytest.mark.parametrize(
    ("relevant", "reason"),
    [
        ("${visits} != ''", "cannot test whether 'visits' was answered"),
        ("${visits} + 1 > 3", "cannot read '+ 1 > 3'"),
        ("${later} = '1'", "${later} is not an earlier question that was imported"),
        ("count-selected(${kinds}) > 1", "cannot read 'count-selected'"),
        ("${kinds} = '1'", "allows several answers"),
        ("${consent} = 'maybe'", "'maybe' is not a choice of ${consent}"),
        ("${sat} > 'high'", "is a number"),
        ("${problem} = '1' and", "cannot read 'the end' as a test"),
    ],
)
def test_expressions_outside_the_show_if_grammar_are_refused_with_the_reason(
    relevant: str, reason: str
) -> None:
    with pytest.raises(UntranslatableRelevant, match=re.escape(reason)):
        relevant_condition(relevant, VARIABLES)
