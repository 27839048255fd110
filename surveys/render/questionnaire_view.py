"""A questionnaire in one language, laid out for a template: numbered questions, texts, scale points, routing.

The printed questionnaire and the web form read the same view, so a question is numbered, worded and
routed identically on paper and on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from surveys.codebook import Variable, codebook, item_variables, specify_code
from surveys.questionnaire import (
    FreeText,
    ImportanceSatisfactionGrid,
    Item,
    Language,
    MultipleChoice,
    Number,
    Questionnaire,
    Ranking,
    Rating,
    RatingGrid,
    Recommend,
    Scale,
    SingleChoice,
    Text,
)
from surveys.render.phrases import PHRASES
from surveys.show_if import (
    All,
    AnyOf,
    Comparison,
    Condition,
    Contains,
    Membership,
    Not,
    parse_condition,
    to_json,
)


@dataclass(frozen=True, slots=True)
class OptionView:
    code: int
    text: str
    specify: bool
    exclusive: bool


@dataclass(frozen=True, slots=True)
class PointView:
    value: int
    label: str  # empty where the convention leaves the point unlabelled


@dataclass(frozen=True, slots=True)
class RowView:
    code: str  # the variable code of the row's answer
    text: str
    second_code: str = ""  # paired grids: the satisfaction variable of the same attribute


@dataclass(frozen=True, slots=True)
class ItemView:
    number: int
    code: str
    type: str
    text: str
    instruction: str  # tick one / tick all / the item's own instruction
    required: bool
    routing: str  # "Answer only if …", empty when always asked
    show_if: Any  # the condition as JSON data for the web form; None when always asked
    options: list[OptionView] = field(default_factory=list)
    points: list[PointView] = field(default_factory=list)
    second_points: list[PointView] = field(default_factory=list)  # paired grids: the satisfaction scale
    rows: list[RowView] = field(default_factory=list)
    headings: tuple[str, str] = ("", "")  # paired grids: importance and satisfaction headings
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = True
    max_choices: int | None = None
    rank_count: int | None = None
    specify_code: str = ""
    multiline: bool = True
    max_length: int = 0


@dataclass(frozen=True, slots=True)
class SectionView:
    code: str
    title: str
    intro: str
    items: list[ItemView]


@dataclass(frozen=True, slots=True)
class QuestionnaireView:
    survey: str
    version: int
    language: Language
    title: str
    intro: str
    thanks: str
    sections: list[SectionView]
    phrases: dict[str, str]


def questionnaire_view(questionnaire: Questionnaire, language: Language) -> QuestionnaireView:
    """The questionnaire in `language`, numbered Q1, Q2, … in order."""
    if language not in questionnaire.languages:
        raise ValueError(f"language {language!r} is not one of the survey's languages {questionnaire.languages}")
    phrases = PHRASES[language]
    numbers = {item.code: number for number, item in enumerate(questionnaire.items(), start=1)}
    variables = {variable.code: variable for variable in codebook(questionnaire)}
    routing = _Routing(numbers, variables, language)
    sections = []
    for section in questionnaire.sections:
        items = [
            _item_view(questionnaire, item, numbers[item.code], language, phrases, routing) for item in section.items
        ]
        sections.append(SectionView(section.code, section.title[language], _text(section.intro, language), items))
    return QuestionnaireView(
        survey=questionnaire.survey,
        version=questionnaire.version,
        language=language,
        title=questionnaire.title[language],
        intro=_text(questionnaire.intro, language),
        thanks=_text(questionnaire.thanks, language) or phrases["thank_you"],
        sections=sections,
        phrases=phrases,
    )


def _text(text: Text | None, language: Language) -> str:
    return text.get(language, "") if text else ""


def _points(scale: Scale, language: Language) -> list[PointView]:
    return [PointView(value, _text(scale.labels.get(value), language)) for value in range(scale.min, scale.max + 1)]


def _item_view(
    questionnaire: Questionnaire,
    item: Item,
    number: int,
    language: Language,
    phrases: dict[str, str],
    routing: _Routing,
) -> ItemView:
    condition = parse_condition(item.show_if) if item.show_if else None
    base: dict[str, Any] = {
        "number": number,
        "code": item.code,
        "type": item.type,
        "text": item.text[language],
        "instruction": _text(item.instruction, language),
        "required": item.required,
        "routing": phrases["only_if"].format(condition=routing.describe(condition)) if condition else "",
        "show_if": to_json(condition) if condition else None,
    }
    match item:
        case SingleChoice() | MultipleChoice() | Ranking():
            base["options"] = [
                OptionView(option.code, option.text[language], option.specify, option.exclusive)
                for option in item.options
            ]
            if any(option.specify for option in item.options):
                base["specify_code"] = specify_code(item.code)
            if isinstance(item, SingleChoice):
                base["instruction"] = base["instruction"] or phrases["tick_one"]
            elif isinstance(item, MultipleChoice):
                base["max_choices"] = item.max_choices
                default = (
                    phrases["tick_up_to"].format(count=item.max_choices) if item.max_choices else phrases["tick_all"]
                )
                base["instruction"] = base["instruction"] or default
            else:
                base["rank_count"] = item.rank_count
                default = phrases["rank_top"].format(count=item.rank_count) if item.rank_count else phrases["rank"]
                base["instruction"] = base["instruction"] or default
        case Rating() | Recommend():
            base["points"] = _points(item.scale, language)
        case RatingGrid():
            base["points"] = _points(item.scale, language)
            base["rows"] = [
                RowView(variable.code, variable.text[language]) for variable in item_variables(questionnaire, item)
            ]
        case ImportanceSatisfactionGrid():
            variables = item_variables(questionnaire, item)
            half = len(variables) // 2
            base["points"] = _points(item.importance_scale, language)
            base["second_points"] = _points(item.satisfaction_scale, language)
            base["rows"] = [
                RowView(importance.code, importance.text[language], satisfaction.code)
                for importance, satisfaction in zip(variables[:half], variables[half:], strict=True)
            ]
            base["headings"] = (
                _text(item.importance_label, language) or phrases["importance"],
                _text(item.satisfaction_label, language) or phrases["satisfaction"],
            )
        case Number():
            unit = _text(item.unit, language)
            base.update(unit=unit, minimum=item.min, maximum=item.max, integer=item.integer)
        case FreeText():
            base.update(multiline=item.multiline, max_length=item.max_length)
    return ItemView(**base)


class _Routing:
    """Says a show-if condition in words, with question numbers: "Answer only if Q3 is “Yes”"."""

    def __init__(self, numbers: dict[str, int], variables: dict[str, Variable], language: Language) -> None:
        self.numbers = numbers
        self.variables = variables
        self.language = language
        self.phrases = PHRASES[language]

    def describe(self, condition: Condition) -> str:
        phrases = self.phrases
        space = "" if self.language.startswith("zh") else " "
        match condition:
            case Comparison(variable, operator, value):
                number = self._number(variable)
                if self._is_choice(variable) and operator in ("==", "!="):
                    key = "is" if operator == "==" else "is_not"
                    return phrases[key].format(number=number, value=self._option_text(variable, value))
                subject = phrases["answered"].format(number=number) + self._row(variable)
                symbol = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}[operator]
                return f"{subject} {symbol} {value}"
            case Contains(variable, value):
                return phrases["has"].format(number=self._number(variable), value=self._option_text(variable, value))
            case Membership(variable, values, negated):
                separator = "、" if self.language.startswith("zh") else ", "
                listed = separator.join(f"“{self._option_text(variable, value)}”" for value in values)
                return phrases["not_in" if negated else "in"].format(number=self._number(variable), values=listed)
            case All(parts):
                return f"{space}{phrases['and']}{space}".join(self.describe(part) for part in parts)
            case AnyOf(parts):
                return "(" + f"{space}{phrases['or']}{space}".join(self.describe(part) for part in parts) + ")"
            case Not(part):
                return f"{phrases['not']}{space}({self.describe(part)})"

    def _number(self, variable_code: str) -> int:
        return self.numbers[self.variables[variable_code].item_code]

    def _is_choice(self, variable_code: str) -> bool:
        return self.variables[variable_code].kind in ("choice", "choices")

    def _row(self, variable_code: str) -> str:
        variable = self.variables[variable_code]
        if variable.attribute is None:
            return ""
        return f" ({variable.text[self.language]})"

    def _option_text(self, variable_code: str, value: object) -> str:
        for option in self.variables[variable_code].options:
            if option.code == value:
                return option.text[self.language]
        return str(value)
