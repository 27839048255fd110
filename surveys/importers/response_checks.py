"""The checks on one whole response, after each answer fits its variable: routing, required, limits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from surveys.codebook import Variable, item_variables
from surveys.questionnaire import Item, MultipleChoice, Questionnaire, Ranking
from surveys.show_if import Condition, is_shown, parse_condition


@dataclass(frozen=True, slots=True)
class ResponseProblem:
    variable: str  # the variable (or item) code the problem is about
    what: str
    fix: str = ""


class ResponseChecker:
    """Checks responses against one questionnaire; built once per import."""

    def __init__(self, questionnaire: Questionnaire, provided: set[str]) -> None:
        # `provided`: the variables the export has a column for. A required item the export does not carry
        # at all is reported once for the import (as a column), not once per row.
        self.items: list[tuple[Item, Condition | None, list[Variable]]] = [
            (item, parse_condition(item.show_if) if item.show_if else None, item_variables(questionnaire, item))
            for item in questionnaire.items()
        ]
        self.provided = provided
        # Most items can only be wrong in a complete response that leaves them unanswered: no routing, no
        # limits on a list of options. Unless some item has those, a response that answers every required
        # variable needs no item-by-item walk, which was a third of an import's time on a million rows.
        self.walks_every_item = any(
            condition is not None or isinstance(item, MultipleChoice | Ranking) for item, condition, _ in self.items
        )
        self.required_codes = frozenset(
            variable.code
            for item, _, variables in self.items
            if item.required
            for variable in variables
            if variable.code in provided and not (variable.kind == "text" and variable.code != item.code)
        )

    def problems(self, answers: dict[str, object], complete: bool) -> Iterator[ResponseProblem]:
        if not self.walks_every_item and (not complete or self._all_answered(answers)):
            return
        for item, condition, variables in self.items:
            shown = condition is None or is_shown(condition, answers)
            answered = [variable for variable in variables if answers.get(variable.code) is not None]
            if not shown and answered:
                yield ResponseProblem(
                    answered[0].code,
                    f"is answered although its condition `{item.show_if}` is false for this response.",
                    "Check the routing, or the answers it depends on.",
                )
            if shown and complete and item.required:
                for variable in variables:
                    if variable.kind == "text" and variable.code != item.code:
                        continue  # the "please specify" text is never required on its own
                    if variable.code in self.provided and answers.get(variable.code) is None:
                        yield ResponseProblem(
                            variable.code,
                            "is required but not answered in a complete response.",
                            "Mark the response partial, or make the item optional (required: false).",
                        )
            yield from _limits(item, answers)

    def _all_answered(self, answers: dict[str, object]) -> bool:
        if not self.required_codes <= answers.keys():
            return False
        return None not in map(answers.__getitem__, self.required_codes)  # the loop in C


def _limits(item: Item, answers: dict[str, object]) -> Iterator[ResponseProblem]:
    value = answers.get(item.code)
    if not isinstance(value, list):
        return
    if isinstance(item, MultipleChoice):
        if item.max_choices is not None and len(value) > item.max_choices:
            yield ResponseProblem(item.code, f"has {len(value)} options ticked; at most {item.max_choices} may be.")
        exclusive = {option.code for option in item.options if option.exclusive}
        if len(value) > 1 and exclusive & set(value):
            yield ResponseProblem(
                item.code, "combines an exclusive option (e.g. “none of these”) with others.", "Keep one or the other."
            )
    if isinstance(item, Ranking) and item.rank_count is not None and len(value) > item.rank_count:
        yield ResponseProblem(item.code, f"ranks {len(value)} options; only the top {item.rank_count} are asked.")
