"""Show-if conditions: reading them, deciding who is asked, and saying the same thing in XLSForm."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.show_if import (
    All,
    AnyOf,
    Comparison,
    Contains,
    Membership,
    Not,
    ShowIfSyntaxError,
    is_shown,
    parse_condition,
    referenced_variables,
    to_json,
    to_xlsform,
)


def test_and_binds_tighter_than_or() -> None:
    assert parse_condition("a == 1 or b == 2 and c == 3") == AnyOf(
        (Comparison("a", "==", 1), All((Comparison("b", "==", 2), Comparison("c", "==", 3))))
    )


def test_parentheses_not_membership_and_has() -> None:
    condition = parse_condition("not (a in [1, 2]) and b not in [3] and reasons has 4 and note == 'x y'")
    assert condition == All(
        (
            Not(Membership("a", (1, 2))),
            Membership("b", (3,), negated=True),
            Contains("reasons", 4),
            Comparison("note", "==", "x y"),
        )
    )
    assert referenced_variables(condition) == ["a", "b", "reasons", "note"]


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("complained = 1", "cannot read '= 1'", 11),
        ("complained ==", "expected a number or a quoted text but found 'the end'", 13),
        ("a == 1 b == 2", "unexpected 'b'; join tests with 'and' or 'or'", 7),
        ("(a == 1", "expected ')' but found 'the end'", 7),
        ("a in 1, 2", "expected '[' but found '1'", 5),
        ("== 1", "expected an item code but found '=='", 0),
    ],
)
def test_unreadable_conditions_say_what_and_where(text: str, message: str, position: int) -> None:
    with pytest.raises(ShowIfSyntaxError) as caught:
        parse_condition(text)
    assert message in str(caught.value)
    assert caught.value.position == position


@pytest.mark.parametrize(
    ("condition", "answers", "shown"),
    [
        ("complained == 1", {"complained": 1}, True),
        ("complained == 1", {"complained": 2}, False),
        ("complained == 1", {}, False),
        ("complained != 1", {}, False),  # a skipped question makes a follow-up not asked
        ("complained != 1", {"complained": 2}, True),
        ("recommend <= 6", {"recommend": 6}, True),
        ("recommend <= 6", {"recommend": "7"}, False),  # form values arrive as text
        ("recommend > 8", {"recommend": None}, False),
        ("reasons has 3", {"reasons": [1, 3]}, True),
        ("reasons has 3", {"reasons": [1]}, False),
        ("problem in [1, 2]", {"problem": 2}, True),
        ("problem not in [1, 2]", {"problem": 3}, True),
        ("problem not in [1, 2]", {}, False),
        ("not (a == 1)", {"a": 2}, True),
        ("a == 1 or b == 1", {"b": 1}, True),
        ("a == 1 and b == 1", {"a": 1}, False),
    ],
)
def test_who_is_asked(condition: str, answers: dict[str, object], shown: bool) -> None:
    assert is_shown(parse_condition(condition), answers) is shown


@pytest.mark.parametrize(
    ("condition", "relevant"),
    [
        ("complained == 1", "${complained} = '1'"),
        ("recommend <= 6", "${recommend} <= 6"),
        ("complained != 1", "${complained} != '1' and ${complained} != ''"),
        ("reasons has 3", "selected(${reasons}, '3')"),
        ("problem in [1, 2]", "(${problem} = '1' or ${problem} = '2')"),
        ("problem not in [1]", "(not(${problem} = '1') and ${problem} != '')"),
        ("a == 1 or b >= 2 and not (c == 1)", "${a} = '1' or (${b} >= 2 and not(${c} = '1'))"),
    ],
)
def test_xlsform_relevant_expressions(condition: str, relevant: str) -> None:
    choices = frozenset({"complained", "problem", "reasons", "a", "c"})
    assert to_xlsform(parse_condition(condition), choices) == relevant


def test_json_form_for_the_browser() -> None:
    assert to_json(parse_condition("a == 1 and not (b has 2)")) == {
        "all": [
            {"test": "==", "variable": "a", "value": 1},
            {"not": {"test": "has", "variable": "b", "value": 2}},
        ]
    }


codes = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda code: code not in {"and", "or", "not", "in", "has"}
)
tests = st.builds(Comparison, codes, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), st.integers(-5, 99))
conditions = st.recursive(
    tests,
    lambda inner: st.one_of(
        st.builds(lambda parts: All(tuple(parts)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda parts: AnyOf(tuple(parts)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(Not, inner),
    ),
    max_leaves=6,
)


def _text(condition: object) -> str:
    match condition:
        case Comparison(variable, operator, value):
            return f"{variable} {operator} {value}"
        case All(parts):
            return " and ".join(f"({_text(part)})" for part in parts)
        case AnyOf(parts):
            return " or ".join(f"({_text(part)})" for part in parts)
        case Not(part):
            return f"not ({_text(part)})"
    raise AssertionError(condition)


@given(conditions, st.dictionaries(codes, st.integers(-5, 99)))
def test_written_conditions_read_back_to_the_same_decision(condition: object, answers: dict[str, int]) -> None:
    parsed = parse_condition(_text(condition))
    assert is_shown(parsed, answers) == is_shown(condition, answers)  # type: ignore[arg-type]
