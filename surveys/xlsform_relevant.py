"""XLSForm `relevant` expressions read back into show-if conditions, where they fit the show-if grammar.

For the XLSForm import:

    relevant_condition(expression: str, variables: Mapping[str, RelevantVariable]) -> Condition
    condition_text(condition: Condition) -> str

Read: `${x} = 'v'`, `${x} != 'v'`, `${x} < 3` (and <=, >, >=, with the literal on either side),
`selected(${x}, 'v')`, `${x} != ''` / `${x} = ''` (answered or not), `not(…)`, `and`, `or` and
parentheses. Anything else (other functions, arithmetic, `.`, paths, calculations) raises
UntranslatableRelevant saying what stopped the reading; the importer then drops the condition and lists it.

XPath and show-if differ on unanswered questions: in show-if every test on an unanswered variable is
false. `${x} != '1'` is true in XPath when x is empty, so it is read as `x != 1` only together with the
`${x} != ''` that surveys.show_if.to_xlsform writes beside it; alone, it becomes `not x == 1`, which keeps
XPath's meaning exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from surveys.show_if import All, AnyOf, Comparison, Condition, Contains, Membership, Not, Operator, Value

VariableKind = Literal["choice", "choices", "scale", "number", "text"]


@dataclass(frozen=True, slots=True)
class RelevantVariable:
    """What the importer knows of a question a condition may test."""

    code: str  # the item code in the imported questionnaire (names may have been made valid codes)
    kind: VariableKind
    choice_codes: Mapping[str, int] | None = None  # XLSForm choice name → option code, for choice kinds
    minimum: int | None = None  # for a scale: its lowest point


class UntranslatableRelevant(ValueError):  # noqa: N818  # the name says what happened, as ShowIfSyntaxError does
    """The expression does not fit the show-if grammar; the message says where."""


@dataclass(frozen=True, slots=True)
class _Answered:
    """`${x} != ''`: x has an answer. Show-if has no such test; it is folded away or rewritten."""

    variable: str


_Node = Condition | _Answered

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<variable>\$\{[^}]*\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<operator>!=|<=|>=|=|<|>)
      | (?P<punctuation>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.:-]*)
    )""",
    re.VERBOSE,
)
_FLIPPED: dict[str, Operator] = {"=": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPERATORS: dict[str, Operator] = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def relevant_condition(expression: str, variables: Mapping[str, RelevantVariable]) -> Condition:
    """The show-if condition meaning what the XLSForm `relevant` expression means.

    `variables` maps XLSForm question names to what they became; a name not in it (a later question, a
    calculation, a question that was not imported) makes the expression untranslatable.

    >>> seen = {"complained": RelevantVariable("complained", "choice", {"yes": 1, "no": 2})}
    >>> condition_text(relevant_condition("${complained} = 'yes'", seen))
    'complained == 1'
    """
    tokens = _tokens(expression)
    parser = _Parser(tokens, variables)
    node = parser.expression()
    if parser.current[0] != "end":
        raise UntranslatableRelevant(f"cannot read past {parser.current[1]!r}")
    return _as_condition(_simplified(node), variables)


def condition_text(condition: Condition) -> str:
    """The condition written in the show-if grammar (surveys.show_if.parse_condition reads it back)."""

    def value(value: Value) -> str:
        if isinstance(value, str):
            return f'"{value}"' if "'" in value else f"'{value}'"
        return f"{value:g}" if isinstance(value, float) else str(value)

    def text(node: Condition, inside: str) -> str:
        match node:
            case Comparison(variable, operator, compared):
                return f"{variable} {operator} {value(compared)}"
            case Membership(variable, values, negated):
                listed = ", ".join(value(member) for member in values)
                return f"{variable} {'not in' if negated else 'in'} [{listed}]"
            case Contains(variable, compared):
                return f"{variable} has {value(compared)}"
            case All(parts):
                joined = " and ".join(text(part, "and") for part in parts)
                return f"({joined})" if inside == "not" else joined
            case AnyOf(parts):
                joined = " or ".join(text(part, "or") for part in parts)
                return f"({joined})" if inside in ("and", "not") else joined
            case Not(part):
                return f"not {text(part, 'not')}"

    return text(condition, "")


def _tokens(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while expression[position:].strip():
        match = _TOKEN.match(expression, position)
        if match is None:
            raise UntranslatableRelevant(f"cannot read {expression[position:].strip()[:20]!r}")
        group = match.lastgroup or ""
        tokens.append((group, match.group(group)))
        position = match.end()
    tokens.append(("end", ""))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], variables: Mapping[str, RelevantVariable]) -> None:
        self.tokens = tokens
        self.index = 0
        self.variables = variables

    @property
    def current(self) -> tuple[str, str]:
        return self.tokens[self.index]

    def take(self, kind: str, text: str | None = None) -> str | None:
        token_kind, token_text = self.current
        if token_kind == kind and (text is None or token_text == text):
            self.index += 1
            return token_text
        return None

    def expect(self, kind: str, text: str) -> None:
        if self.take(kind, text) is None:
            raise UntranslatableRelevant(f"expected {text!r} but found {self.current[1] or 'the end'!r}")

    def expression(self) -> _Node:
        parts = [self.conjunction()]
        while self.take("word", "or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))  # type: ignore[arg-type]

    def conjunction(self) -> _Node:
        parts = [self.unary()]
        while self.take("word", "and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else All(tuple(parts))  # type: ignore[arg-type]

    def unary(self) -> _Node:
        if self.take("word", "not"):
            self.expect("punctuation", "(")
            inner = self.expression()
            self.expect("punctuation", ")")
            return Not(inner)  # type: ignore[arg-type]
        if self.take("word", "selected"):
            self.expect("punctuation", "(")
            variable = self.variable()
            self.expect("punctuation", ",")
            literal = self.take("string")
            if literal is None:
                raise UntranslatableRelevant("selected() needs a quoted choice name")
            self.expect("punctuation", ")")
            return self.selected(variable, literal[1:-1])
        if self.take("punctuation", "("):
            inner = self.expression()
            self.expect("punctuation", ")")
            return inner
        return self.comparison()

    def variable(self) -> RelevantVariable:
        token = self.take("variable")
        if token is None:
            raise UntranslatableRelevant(f"expected ${{name}} but found {self.current[1] or 'the end'!r}")
        name = token[2:-1].strip()
        if name not in self.variables:
            raise UntranslatableRelevant(f"${{{name}}} is not an earlier question that was imported")
        return self.variables[name]

    def literal(self) -> tuple[str, str] | None:
        for kind in ("string", "number"):
            text = self.take(kind)
            if text is not None:
                return kind, text
        return None

    def comparison(self) -> _Node:
        if self.current[0] == "variable":
            variable = self.variable()
            operator = self.take("operator")
            if operator is None:
                raise UntranslatableRelevant(f"expected a comparison after ${{{variable.code}}}")
            literal = self.literal()
            if literal is None:
                raise UntranslatableRelevant(f"${{{variable.code}}} is compared with something not a value")
            return self.compared(variable, _OPERATORS[operator], literal)
        literal = self.literal()
        operator = self.take("operator")
        if literal is None or operator is None or self.current[0] != "variable":
            raise UntranslatableRelevant(f"cannot read {self.current[1] or 'the end'!r} as a test")
        return self.compared(self.variable(), _FLIPPED[operator], literal)

    def compared(self, variable: RelevantVariable, operator: Operator, literal: tuple[str, str]) -> _Node:
        kind, text = literal
        if kind == "string" and text[1:-1] == "" and operator in ("==", "!="):
            answered = _Answered(variable.code)
            return answered if operator == "!=" else Not(answered)  # type: ignore[arg-type]
        if variable.kind == "choices":
            raise UntranslatableRelevant(
                f"${{{variable.code}}} allows several answers: compare it with selected(), not {operator}"
            )
        return Comparison(variable.code, operator, _value(variable, kind, text, operator))

    def selected(self, variable: RelevantVariable, name: str) -> _Node:
        value = _value(variable, "string", f"'{name}'", "==")
        if variable.kind == "choices":
            return Contains(variable.code, value)
        return Comparison(variable.code, "==", value)


def _value(variable: RelevantVariable, kind: str, text: str, operator: Operator) -> Value:
    raw = text[1:-1] if kind == "string" else text
    if variable.kind in ("choice", "choices") and variable.choice_codes is not None:
        if operator not in ("==", "!="):
            if _is_number(raw):
                return _number(raw)
            raise UntranslatableRelevant(f"${{{variable.code}}} {operator} {text} compares a choice by order")
        if raw not in variable.choice_codes:
            raise UntranslatableRelevant(f"{raw!r} is not a choice of ${{{variable.code}}}")
        return variable.choice_codes[raw]
    if variable.kind in ("scale", "number"):
        if not _is_number(raw):
            raise UntranslatableRelevant(f"${{{variable.code}}} is a number, compared with {text}")
        return _number(raw)
    return raw


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(?:\.\d+)?", text.strip()) is not None


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


# --- from XPath's shape to show-if's -----------------------------------------------------------------


def _simplified(node: _Node, inside_and: bool = False) -> _Node:
    """Bottom up: nested and/or flattened, `x = a or x = b` as `x in [a, b]`, answered-tests folded.

    `${x} != 'v'` keeps its show-if form `x != v` only where an `and` beside it also asks `${x} != ''`;
    elsewhere it is `not x == v`, true when x is unanswered, as in XPath.
    """
    match node:
        case Comparison(variable, "!=", value) if not inside_and:
            return Not(Comparison(variable, "==", value))
        case AnyOf(parts):
            flat: list[_Node] = []
            for part in (_simplified(part) for part in parts):
                flat.extend(part.parts if isinstance(part, AnyOf) else (part,))
            equalities = [part for part in flat if isinstance(part, Comparison) and part.operator == "=="]
            if len(equalities) == len(flat) and len({part.variable for part in equalities}) == 1:
                return Membership(equalities[0].variable, tuple(part.value for part in equalities))
            return AnyOf(tuple(flat))  # type: ignore[arg-type]
        case All():
            return _folded([_simplified(part, inside_and=True) for part in _conjuncts(node)])
        case Not(part):
            return Not(_simplified(part))  # type: ignore[arg-type]
    return node


def _conjuncts(node: _Node) -> list[_Node]:
    """The parts of an `and`, with `and`s written in parentheses inside it opened up."""
    if isinstance(node, All):
        return [conjunct for part in node.parts for conjunct in _conjuncts(part)]
    return [node]


def _folded(parts: list[_Node]) -> _Node:
    """The parts of an `and`, with `${x} != ''` merged into the tests of x it stands beside."""
    answered = {part.variable for part in parts if isinstance(part, _Answered)}
    result: list[_Node] = []
    for part in parts:
        inner = part.part if isinstance(part, Not) else None
        if isinstance(part, _Answered):
            continue
        if isinstance(part, Comparison) and part.operator == "!=" and part.variable not in answered:
            result.append(Not(Comparison(part.variable, "==", part.value)))
        elif isinstance(inner, Comparison) and inner.operator == "==" and inner.variable in answered:
            result.append(Membership(inner.variable, (inner.value,), negated=True))
        elif isinstance(inner, Membership) and not inner.negated and inner.variable in answered:
            result.append(Membership(inner.variable, inner.values, negated=True))
        else:
            result.append(part)
    tested = {part.variable for part in result if isinstance(part, Comparison | Membership | Contains)}
    result.extend(_Answered(variable) for variable in sorted(answered - tested))
    return result[0] if len(result) == 1 else All(tuple(result))  # type: ignore[arg-type]


def _as_condition(node: _Node, variables: Mapping[str, RelevantVariable]) -> Condition:
    """The node with every remaining answered-test rewritten as a show-if test, or untranslatable."""
    by_code = {variable.code: variable for variable in variables.values()}
    match node:
        case _Answered(code):
            variable = by_code[code]
            if variable.kind in ("choice", "choices") and variable.choice_codes:
                values = tuple(dict.fromkeys(variable.choice_codes.values()))
                if variable.kind == "choice":
                    return Membership(code, values)
                return AnyOf(tuple(Contains(code, value) for value in values))
            if variable.kind == "scale" and variable.minimum is not None:
                return Comparison(code, ">=", variable.minimum)
            raise UntranslatableRelevant(f"show-if cannot test whether {code!r} was answered")
        case All(parts):
            return All(tuple(_as_condition(part, variables) for part in parts))
        case AnyOf(parts):
            return AnyOf(tuple(_as_condition(part, variables) for part in parts))
        case Not(part):
            return Not(_as_condition(part, variables))
    return node
