"""Reading XLSForm `relevant` back into show-if: exact for what we write, faithful for the rest."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.show_if import (
    All,
    AnyOf,
    Comparison,
    Condition,
    Contains,
    Membership,
    Not,
    is_shown,
    parse_condition,
    to_xlsform,
)
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
    assert parse_condition(condition_text(relevant_condition(relevant, VARIABLES))) == parse_condition(show_if)


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
def test_expressions_outside_the_show_if_grammar_are_refused_with_the_reason(relevant: str, reason: str) -> None:
    with pytest.raises(UntranslatableRelevant, match=re.escape(reason)):
        relevant_condition(relevant, VARIABLES)


# --- any condition, any answers -----------------------------------------------------------------------

_CHOICE_CODES = {"problem": [1, 2], "sat": [1, 2, 3, 4, 5], "rec": list(range(11))}


def _tests() -> st.SearchStrategy[Condition]:
    choice = st.sampled_from(sorted(_CHOICE_CODES)).flatmap(
        lambda code: st.one_of(
            st.builds(
                Comparison,
                st.just(code),
                st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
                st.sampled_from(_CHOICE_CODES[code]),
            ),
            st.builds(
                Membership,
                st.just(code),
                st.lists(st.sampled_from(_CHOICE_CODES[code]), min_size=1, max_size=3).map(tuple),
                st.booleans(),
            ),
        )
    )
    kinds = st.builds(Contains, st.just("kinds"), st.integers(1, 4))
    visits = st.builds(
        Comparison, st.just("visits"), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), st.integers(0, 5)
    )
    city = st.builds(Comparison, st.just("city"), st.sampled_from(["==", "!="]), st.sampled_from(["a", "b"]))
    return st.one_of(choice, kinds, visits, city)


_CONDITIONS = st.recursive(
    _tests(),
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda parts: All(tuple(parts))),
        st.lists(inner, min_size=2, max_size=3).map(lambda parts: AnyOf(tuple(parts))),
    ),
    max_leaves=6,
)
_ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "problem": st.sampled_from([1, 2]),
        "sat": st.integers(1, 5),
        "rec": st.integers(0, 10),
        "kinds": st.lists(st.integers(1, 4), max_size=4, unique=True),
        "visits": st.integers(0, 5),
        "city": st.sampled_from(["a", "b"]),
    },
)


@given(condition=_CONDITIONS, answers=st.lists(_ANSWERS, min_size=1, max_size=8))
@settings(max_examples=150, deadline=None)
def test_any_condition_read_back_from_its_xlsform_asks_the_same_people(
    condition: Condition, answers: list[dict[str, object]]
) -> None:
    relevant = to_xlsform(condition, SELECT_ONE)
    read_back = relevant_condition(relevant, VARIABLES)
    assert parse_condition(condition_text(read_back)) == read_back
    for answer in answers:
        assert is_shown(read_back, answer) == is_shown(condition, answer), (relevant, answer)
