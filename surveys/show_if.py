"""Show-if conditions: when an item is asked, written as a small expression over earlier answers.

Grammar (whitespace free, keywords in lower case):

    condition  := either ("or" either)*
    either     := negation ("and" negation)*
    negation   := "not" negation | "(" condition ")" | test
    test       := CODE ("==" | "!=" | "<" | "<=" | ">" | ">=") VALUE
                | CODE "in" "[" VALUE ("," VALUE)* "]"
                | CODE "not" "in" "[" VALUE ("," VALUE)* "]"
                | CODE "has" VALUE                       (a multiple-choice answer includes VALUE)
    VALUE      := a number, or a string in single or double quotes

Examples: `complained == 1`, `recommend <= 6 and tenure_years >= 1`, `reasons has 3`,
`problem_type in [1, 2]`.

An unanswered variable makes every test on it false (so `x != 1` is false when x was skipped): a
follow-up question is only asked of someone who gave the answer it follows up. The XLSForm translation
keeps that meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Value = int | float | str
Operator = Literal["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Comparison:
    variable: str
    operator: Operator
    value: Value


@dataclass(frozen=True, slots=True)
class Membership:
    variable: str
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Contains:
    variable: str
    value: Value


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Condition


Condition = Comparison | Membership | Contains | All | AnyOf | Not


class ShowIfSyntaxError(ValueError):
    """The condition text cannot be read; `position` is the 0-based character where reading stopped."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<operator>==|!=|<=|>=|<|>)
      | (?P<punctuation>[()\[\],])
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "has"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, operator, punctuation, word, keyword, end
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = len(text) - len(text[position:].lstrip())
            raise ShowIfSyntaxError(f"cannot read {text[start : start + 10]!r}", start)
        group = match.lastgroup or ""
        token_text = match.group(group)
        kind = "keyword" if group == "word" and token_text in _KEYWORDS else group
        tokens.append(_Token(kind, token_text, match.start(group)))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self, kind: str, text: str | None = None) -> _Token | None:
        token = self.current
        if token.kind == kind and (text is None or token.text == text):
            self.index += 1
            return token
        return None

    def expect(self, kind: str, text: str | None, what: str) -> _Token:
        token = self.take(kind, text)
        if token is None:
            found = self.current.text or "the end"
            raise ShowIfSyntaxError(f"expected {what} but found {found!r}", self.current.position)
        return token

    def condition(self) -> Condition:
        parts = [self.either()]
        while self.take("keyword", "or"):
            parts.append(self.either())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def either(self) -> Condition:
        parts = [self.negation()]
        while self.take("keyword", "and"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def negation(self) -> Condition:
        if self.take("keyword", "not"):
            return Not(self.negation())
        if self.take("punctuation", "("):
            inner = self.condition()
            self.expect("punctuation", ")", "')'")
            return inner
        return self.test()

    def test(self) -> Condition:
        variable = self.expect("word", None, "an item code").text
        if operator := self.take("operator"):
            return Comparison(variable, operator.text, self.value())  # type: ignore[arg-type]
        if self.take("keyword", "has"):
            return Contains(variable, self.value())
        negated = self.take("keyword", "not") is not None
        if self.take("keyword", "in"):
            return Membership(variable, self.value_list(), negated)
        found = self.current.text or "the end"
        raise ShowIfSyntaxError(
            f"expected ==, !=, <, <=, >, >=, in or has after {variable!r} but found {found!r}",
            self.current.position,
        )

    def value(self) -> Value:
        if token := self.take("number"):
            return float(token.text) if "." in token.text else int(token.text)
        if token := self.take("string"):
            return token.text[1:-1]
        found = self.current.text or "the end"
        raise ShowIfSyntaxError(f"expected a number or a quoted text but found {found!r}", self.current.position)

    def value_list(self) -> tuple[Value, ...]:
        self.expect("punctuation", "[", "'['")
        values = [self.value()]
        while self.take("punctuation", ","):
            values.append(self.value())
        self.expect("punctuation", "]", "']'")
        return tuple(values)


def parse_condition(text: str) -> Condition:
    """Read a show-if condition, or raise ShowIfSyntaxError with the position where reading failed.

    >>> parse_condition("complained == 1 and resolved != 1")
    All(parts=(Comparison(variable='complained', operator='==', value=1), \
Comparison(variable='resolved', operator='!=', value=1)))
    """
    parser = _Parser(text)
    condition = parser.condition()
    if parser.current.kind != "end":
        raise ShowIfSyntaxError(
            f"unexpected {parser.current.text!r}; join tests with 'and' or 'or'", parser.current.position
        )
    return condition


def referenced_variables(condition: Condition) -> list[str]:
    """The variable codes a condition reads, in the order they appear."""
    match condition:
        case Comparison() | Membership() | Contains():
            return [condition.variable]
        case All() | AnyOf():
            return [name for part in condition.parts for name in referenced_variables(part)]
        case Not():
            return referenced_variables(condition.part)


def tested_values(condition: Condition) -> list[tuple[str, Value]]:
    """Each (variable, value) a condition compares against, for checking values against the codebook."""
    match condition:
        case Comparison() | Contains():
            return [(condition.variable, condition.value)]
        case Membership():
            return [(condition.variable, value) for value in condition.values]
        case All() | AnyOf():
            return [pair for part in condition.parts for pair in tested_values(part)]
        case Not():
            return tested_values(condition.part)


def is_shown(condition: Condition, answers: Mapping[str, object]) -> bool:
    """Whether an item with this condition is asked, given the answers so far.

    A multiple-choice answer is a list of option codes; an unanswered variable is absent or None.

    >>> is_shown(parse_condition("reasons has 2 or recommend <= 6"), {"reasons": [1, 2], "recommend": 9})
    True
    """
    match condition:
        case Comparison(variable, operator, value):
            answer = answers.get(variable)
            return answer is not None and _compare(answer, operator, value)
        case Membership(variable, values, negated):
            answer = answers.get(variable)
            if answer is None:
                return False
            inside = any(_compare(answer, "==", value) for value in values)
            return not inside if negated else inside
        case Contains(variable, value):
            answer = answers.get(variable)
            return isinstance(answer, list | tuple | set) and any(_compare(a, "==", value) for a in answer)
        case All(parts):
            return all(is_shown(part, answers) for part in parts)
        case AnyOf(parts):
            return any(is_shown(part, answers) for part in parts)
        case Not(part):
            return not is_shown(part, answers)


def _compare(answer: object, operator: Operator, value: Value) -> bool:
    left: object = answer
    if isinstance(value, int | float) and isinstance(answer, str):
        try:
            left = float(answer)
        except ValueError:
            return False
    if operator == "==":
        return left == value
    if operator == "!=":
        return left != value
    if not isinstance(left, int | float) or not isinstance(value, int | float):
        return False
    return {"<": left < value, "<=": left <= value, ">": left > value, ">=": left >= value}[operator]


def to_xlsform(condition: Condition, choice_variables: frozenset[str]) -> str:
    """The condition as an XLSForm `relevant` expression.

    Choice answers are strings in ODK, so equality with them is written quoted; an unanswered variable
    must make a test false, so `!=` and `not in` also require an answer.

    >>> to_xlsform(parse_condition("complained == 1 and reasons has 3"), frozenset({"complained"}))
    "${complained} = '1' and selected(${reasons}, '3')"
    """

    def literal(variable: str, value: Value) -> str:
        if isinstance(value, str) or variable in choice_variables:
            return f"'{value}'"
        return str(value)

    def render(node: Condition, nested: bool) -> str:
        match node:
            case Comparison(variable, operator, value):
                if operator in ("==", "!="):
                    text = f"${{{variable}}} {'=' if operator == '==' else '!='} {literal(variable, value)}"
                    if operator == "!=":
                        text = f"{text} and ${{{variable}}} != ''"
                        return f"({text})" if nested else text
                    return text
                return f"${{{variable}}} {operator} {value}"
            case Membership(variable, values, negated):
                tests = " or ".join(f"${{{variable}}} = {literal(variable, value)}" for value in values)
                if negated:
                    return f"(not({tests}) and ${{{variable}}} != '')"
                return f"({tests})" if len(values) > 1 else tests
            case Contains(variable, value):
                return f"selected(${{{variable}}}, '{value}')"
            case All(parts):
                text = " and ".join(render(part, True) for part in parts)
                return f"({text})" if nested else text
            case AnyOf(parts):
                text = " or ".join(render(part, True) for part in parts)
                return f"({text})" if nested else text
            case Not(part):
                return f"not({render(part, False)})"

    return render(condition, False)


def to_json(condition: Condition) -> object:
    """The condition as plain JSON data, for the web form's script to evaluate in the browser."""
    match condition:
        case Comparison(variable, operator, value):
            return {"test": operator, "variable": variable, "value": value}
        case Membership(variable, values, negated):
            return {"test": "not in" if negated else "in", "variable": variable, "values": list(values)}
        case Contains(variable, value):
            return {"test": "has", "variable": variable, "value": value}
        case All(parts):
            return {"all": [to_json(part) for part in parts]}
        case AnyOf(parts):
            return {"any": [to_json(part) for part in parts]}
        case Not(part):
            return {"not": to_json(part)}
