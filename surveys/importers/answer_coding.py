"""From a platform's cell to our answer value: option labels and codes to option codes, "3分" to 3.

The same rules for every platform. A label is matched to an option's or a scale point's text in any of
the questionnaire's languages (spacing, punctuation and width ignored), or to the option's code; a
platform's code is an option's value or its position, as the ExportTable says. Anything that does not fit
the variable raises AnswerError with what is wrong and how to fix it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from surveys.codebook import Variable
from surveys.importers.column_matching import normalised
from surveys.importers.export_table import Cell, Choice, Missing

ChoiceCodes = Literal["value", "position"]
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*")
_SEPARATORS = re.compile(r"\s*[;,、┋|]\s*")


class AnswerError(ValueError):
    def __init__(self, what: str, fix: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix


@dataclass(frozen=True, slots=True)
class Coded:
    """An answer ready to store: `value` None means absent, with `missing` saying why when known."""

    value: int | float | str | list[int] | None
    missing: Missing | None = None
    specify: str | None = None


def code_answer(cell: Cell, variable: Variable, choice_codes: ChoiceCodes = "value") -> Coded:
    """The stored value of `cell` for `variable`; AnswerError when it does not fit."""
    if cell is None or (isinstance(cell, str) and not cell.strip()) or (isinstance(cell, float) and math.isnan(cell)):
        return Coded(None)
    if isinstance(cell, Missing):
        return Coded(None, missing=cell)
    if variable.kind == "scale":
        return Coded(_scale_point(cell, variable, choice_codes))
    if variable.kind == "choice":
        choice = _single(cell, variable)
        return Coded(_option_code(choice, variable, choice_codes), specify=_specify(choice))
    if variable.kind in ("choices", "ranking"):
        choices = _several(cell)
        codes = [_option_code(choice, variable, choice_codes) for choice in choices]
        if len(set(codes)) != len(codes):
            raise AnswerError(f"option {_repeated(codes)} is given twice.", "Give each option once.")
        specify = next((text for choice in choices if (text := _specify(choice))), None)
        return Coded(codes, specify=specify)
    if variable.kind == "number":
        return Coded(_number(cell, variable))
    return Coded(_text(cell))


def _repeated(codes: list[int]) -> int:
    return next(code for code in codes if codes.count(code) > 1)


def _specify(choice: Choice) -> str | None:
    return choice.specify.strip() if choice.specify and choice.specify.strip() else None


def _single(cell: Cell, variable: Variable) -> Choice:
    if isinstance(cell, tuple):
        if len(cell) != 1:
            raise AnswerError(f"{len(cell)} options given where one is asked.", "Keep the one the respondent chose.")
        return cell[0]
    return _as_choice(cell)


def _several(cell: Cell) -> list[Choice]:
    if isinstance(cell, tuple):
        return list(cell)
    if isinstance(cell, Choice):
        return [cell]
    text = str(cell).strip()
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    return [_as_choice(part) for part in _SEPARATORS.split(text) if part]


def _as_choice(cell: Cell) -> Choice:
    """A plain cell as a label: its digits are an option's code or a scale point, never a position."""
    if isinstance(cell, Choice):
        return cell
    if isinstance(cell, float):
        return Choice(label=str(int(cell)) if cell.is_integer() else repr(cell))
    return Choice(label=str(cell).strip())


def _option_code(choice: Choice, variable: Variable, choice_codes: ChoiceCodes) -> int:
    options = variable.options
    if choice.label is not None:
        wanted = normalised(choice.label)
        for option in options:
            if wanted in {normalised(text) for text in option.text.values()} or wanted == str(option.code):
                return option.code
        if choice.code is None:
            listed = "; ".join(f"{option.code} = {next(iter(option.text.values()))}" for option in options)
            raise AnswerError(f"{choice.label!r} is not an option of the item.", f"The options are {listed}.")
    if choice.code is not None:
        if choice_codes == "position":
            if 1 <= choice.code <= len(options):
                return options[choice.code - 1].code
            raise AnswerError(
                f"option number {choice.code} does not exist: the item has {len(options)} options.",
                "Check that the export belongs to this questionnaire version.",
            )
        if choice.code in variable.option_codes:
            return choice.code
        codes = ", ".join(map(str, variable.option_codes))
        raise AnswerError(f"{choice.code} is not an option code of the item.", f"Its codes are {codes}.")
    raise AnswerError("the cell holds neither an option label nor a code.")


def _scale_point(cell: Cell, variable: Variable, choice_codes: ChoiceCodes) -> int:
    low, high = int(variable.minimum or 0), int(variable.maximum or 0)
    choice = _single(cell, variable)
    point: int | None = None
    if choice.label is not None:
        point = _point_from_label(choice.label, variable)
    if point is None and choice.code is not None:
        point = low + choice.code - 1 if choice_codes == "position" else choice.code
    if point is None:
        raise AnswerError(
            f"{choice.label!r} is not a point of the scale {low}–{high}.", f"Write a whole number from {low} to {high}."
        )
    if not low <= point <= high:
        raise AnswerError(f"{point} is outside the item's scale {low}–{high}.", "Correct the value or the scale.")
    return point


def _point_from_label(label: str, variable: Variable) -> int | None:
    wanted = normalised(label)
    if variable.scale is not None:
        for point, texts in variable.scale.labels.items():
            if wanted in {normalised(text) for text in texts.values()}:
                return point
    numbers = _NUMBER.findall(label)
    if len(numbers) == 1:
        value = float(numbers[0].replace(",", ""))
        if value.is_integer():
            return int(value)
    return None


def _number(cell: Cell, variable: Variable) -> int | float:
    if isinstance(cell, Choice) and cell.label is not None:
        cell = cell.label  # a platform that reads every answer as a choice (问卷星 by text) writes numbers so
    if isinstance(cell, Choice | tuple):
        raise AnswerError("an option where a number is asked.", "Give the number itself.")
    if isinstance(cell, float):
        value = cell
    else:
        numbers = _NUMBER.findall(str(cell))
        if len(numbers) != 1:
            raise AnswerError(f"{str(cell)!r} is not a number.", "Write the number alone, e.g. 12.")
        value = float(numbers[0].replace(",", ""))
    low, high = variable.minimum, variable.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low if low is not None else '…'}–{high if high is not None else '…'}"
        raise AnswerError(f"{value:g} is outside the item's bounds {bounds}.", "Correct the value.")
    return int(value) if value.is_integer() else value


def _text(cell: Cell) -> str:
    if isinstance(cell, Choice):
        return cell.label or (str(cell.code) if cell.code is not None else "")
    if isinstance(cell, tuple):
        return "; ".join(_text(choice) for choice in cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    return str(cell).strip()
