"""The codebook: one variable per answer a respondent gives, derived from the questionnaire.

A grid item holds one variable per row (`importance_price`, `attr_satisfaction_price` …), a choice item
with "other, please specify" one more for the specified text. Importers, the web form, storage and every
measure read answers by these codes, and take scale bounds, directions and constructs from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from surveys.questionnaire import (
    Construct,
    Direction,
    FreeText,
    ImportanceSatisfactionGrid,
    Item,
    MultipleChoice,
    Number,
    Option,
    Questionnaire,
    Ranking,
    Rating,
    RatingGrid,
    Recommend,
    Scale,
    SingleChoice,
    Text,
)

VariableKind = Literal["scale", "choice", "choices", "number", "text", "ranking"]


@dataclass(frozen=True, slots=True)
class Variable:
    """One answer slot: what it holds and how to read it."""

    code: str
    item_code: str
    kind: VariableKind
    construct: Construct
    text: Text  # the row's text for a grid row, the question's otherwise
    item_text: Text  # the question's text
    direction: Direction | None = None
    minimum: float | None = None  # scale or number bounds
    maximum: float | None = None
    scale: Scale | None = None
    options: tuple[Option, ...] = field(default=())
    attribute: str | None = None  # the grid row (service attribute) this variable rates

    @property
    def option_codes(self) -> tuple[int, ...]:
        return tuple(option.code for option in self.options)


def codebook(questionnaire: Questionnaire) -> list[Variable]:
    """Every variable of the questionnaire, in questionnaire order."""
    return [variable for item in questionnaire.items() for variable in item_variables(questionnaire, item)]


def item_variables(questionnaire: Questionnaire, item: Item) -> list[Variable]:
    """The variables one item contributes."""
    match item:
        case Rating() | Recommend():
            return [_scale_variable(item.code, item, item.scale, item.construct, item.direction, item.text)]
        case RatingGrid():
            return [
                _scale_variable(
                    f"{item.code}_{row.code}",
                    item,
                    item.scale,
                    item.construct,
                    item.direction,
                    row.text,
                    row.code,
                )
                for row in questionnaire.grid_rows(item)
            ]
        case ImportanceSatisfactionGrid():
            rows = questionnaire.grid_rows(item)
            importance = [
                _scale_variable(
                    f"{item.code}_importance_{row.code}",
                    item,
                    item.importance_scale,
                    Construct.ATTRIBUTE_IMPORTANCE,
                    Direction.HIGHER_IS_BETTER,
                    row.text,
                    row.code,
                )
                for row in rows
            ]
            satisfaction = [
                _scale_variable(
                    f"{item.code}_satisfaction_{row.code}",
                    item,
                    item.satisfaction_scale,
                    Construct.ATTRIBUTE_SATISFACTION,
                    Direction.HIGHER_IS_BETTER,
                    row.text,
                    row.code,
                )
                for row in rows
            ]
            return importance + satisfaction
        case SingleChoice() | MultipleChoice():
            kind: VariableKind = "choice" if isinstance(item, SingleChoice) else "choices"
            chosen = Variable(
                item.code, item.code, kind, item.construct, item.text, item.text, options=tuple(item.options)
            )
            return [chosen, *_specify_variables(item)]
        case Ranking():
            return [
                Variable(
                    item.code, item.code, "ranking", item.construct, item.text, item.text, options=tuple(item.options)
                )
            ]
        case Number():
            return [
                Variable(
                    item.code,
                    item.code,
                    "number",
                    item.construct,
                    item.text,
                    item.text,
                    direction=item.direction,
                    minimum=item.min,
                    maximum=item.max,
                )
            ]
        case FreeText():
            return [Variable(item.code, item.code, "text", item.construct, item.text, item.text)]
    raise TypeError(f"unknown item type {type(item).__name__}")  # pragma: no cover - the union is closed


def _scale_variable(
    code: str,
    item: Item,
    scale: Scale,
    construct: Construct,
    direction: Direction | None,
    text: Text,
    attribute: str | None = None,
) -> Variable:
    return Variable(
        code,
        item.code,
        "scale",
        construct,
        text,
        item.text,
        direction=direction,
        minimum=scale.min,
        maximum=scale.max,
        scale=scale,
        attribute=attribute,
    )


def specify_code(item_code: str) -> str:
    """The variable holding the text of an item's "other, please specify" option."""
    return f"{item_code}_other"


def _specify_variables(item: SingleChoice | MultipleChoice) -> list[Variable]:
    if not any(option.specify for option in item.options):
        return []
    return [Variable(specify_code(item.code), item.code, "text", item.construct, item.text, item.text)]
