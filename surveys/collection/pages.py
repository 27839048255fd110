"""A questionnaire as web pages (one section each), and one posted page turned into checked answers.

The answers of a posted page go through the importers' own validators: `code_answer` for each value (scale
bounds, option codes, numbers) and `ResponseChecker` for the response (show-if routing, required items,
choice limits). Show-if is enforced here, not trusted to the browser: a posted answer to an item whose
condition is false is refused, and answers on other pages that a changed answer made moot are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from surveys.codebook import Variable, item_variables, specify_code
from surveys.collection.messages import MESSAGES
from surveys.importers.answer_coding import AnswerError, code_answer
from surveys.importers.export_table import Cell, Choice
from surveys.importers.response_checks import ResponseChecker
from surveys.questionnaire import (
    FreeText,
    Item,
    Language,
    MultipleChoice,
    Number,
    Questionnaire,
    Ranking,
    SingleChoice,
)
from surveys.render.phrases import PHRASES
from surveys.render.questionnaire_view import QuestionnaireView, questionnaire_view
from surveys.show_if import Condition, is_shown, parse_condition

FORM_FIELDS = frozenset({"csrf_token", "page", "action", "started"})  # the form's own fields besides answers


class MalformedPostError(ValueError):
    """A post no page of ours can produce (unknown field, answer to a hidden item, repeated field): refused
    whole, with a page saying so."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass
class PageResult:
    """A posted page: its coded answers, and the items to correct (item code → message)."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _PageField:
    variable: Variable
    item: Item


class SurveyPages:
    """One stored questionnaire version laid out as pages; built once per version and kept by the app."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.languages: list[Language] = list(questionnaire.languages)
        self.views: dict[str, QuestionnaireView] = {
            language: questionnaire_view(questionnaire, language) for language in self.languages
        }
        self.conditions: dict[str, Condition] = {
            item.code: parse_condition(item.show_if) for item in questionnaire.items() if item.show_if
        }
        self.item_variables: dict[str, list[Variable]] = {
            item.code: item_variables(questionnaire, item) for item in questionnaire.items()
        }
        self.items: dict[str, Item] = {item.code: item for item in questionnaire.items()}
        self.page_items: list[list[Item]] = [list(section.items) for section in questionnaire.sections]
        self.section_codes = [section.code for section in questionnaire.sections]
        self.page_variables: list[set[str]] = [
            {variable.code for item in items for variable in self.item_variables[item.code]}
            for items in self.page_items
        ]
        self.all_variables = set().union(*self.page_variables)
        self.checkers = [ResponseChecker(questionnaire, variables) for variables in self.page_variables]
        self.final_checker = ResponseChecker(questionnaire, self.all_variables)
        self.fields: list[dict[str, _PageField]] = [self._fields(items) for items in self.page_items]

    @property
    def count(self) -> int:
        return len(self.page_items)

    def _fields(self, items: list[Item]) -> dict[str, _PageField]:
        fields = {}
        for item in items:
            for variable in self.item_variables[item.code]:
                fields[variable.code] = _PageField(variable, item)
        return fields

    def shown_items(self, answers: dict[str, Any]) -> set[str]:
        """The conditional items asked, given `answers`."""
        return {code for code, condition in self.conditions.items() if is_shown(condition, answers)}

    def pruned(self, answers: dict[str, Any]) -> dict[str, Any]:
        """`answers` without those to items whose condition is false, repeated until nothing changes (dropping
        one answer can hide the items that depend on it)."""
        kept = dict(answers)
        while True:
            hidden = [
                variable.code
                for code, condition in self.conditions.items()
                if not is_shown(condition, kept)
                for variable in self.item_variables[code]
                if variable.code in kept
            ]
            if not hidden:
                return kept
            for code in hidden:
                del kept[code]

    def read_page(
        self, page: int, posted: Sequence[tuple[str, str]], earlier: dict[str, Any], language: str, *, partial: bool
    ) -> PageResult:
        """The answers of page `page` from the posted (name, value) pairs. `earlier`: the answers so far;
        `partial`: going back, so required items are not asked for yet. MalformedPostError for a post our page
        cannot produce; wrong or missing answers a respondent can fix come back in `errors`."""
        fields = self.fields[page]
        phrases = PHRASES[language]
        values: dict[str, list[str]] = {}
        rankings: dict[str, dict[int, str]] = {}
        unknown = []
        for name, value in posted:
            if name in FORM_FIELDS:
                continue
            if name in fields:
                values.setdefault(name, []).append(value)
                continue
            ranked = self._ranking_field(page, name)
            if ranked is None:
                unknown.append(name)
                continue
            item_code, option_code = ranked
            if option_code in rankings.setdefault(item_code, {}):
                raise MalformedPostError(f"the field {name!r} is sent twice.")
            rankings[item_code][option_code] = value
        if unknown:
            listed = ", ".join(repr(name[:60]) for name in unknown[:10])
            raise MalformedPostError(f"the fields {listed} are not questions of this page.")

        result = PageResult()
        for name, texts in values.items():
            page_field = fields[name]
            variable = page_field.variable
            if variable.kind != "choices" and len(texts) > 1:
                raise MalformedPostError(f"the field {name!r} is sent {len(texts)} times.")
            cell: Cell
            if variable.kind == "choices":
                cell = tuple(Choice(label=text) for text in texts if text.strip())
            else:
                cell = texts[0]
            try:
                coded = code_answer(cell if cell != () else None, variable)
            except AnswerError:
                result.errors[page_field.item.code] = self._invalid(page_field.item, language)
                continue
            if coded.value is None:
                continue
            item = page_field.item
            if isinstance(item, FreeText) and isinstance(coded.value, str) and len(coded.value) > item.max_length:
                result.errors[item.code] = phrases["max_length"].format(count=item.max_length)
                continue
            result.answers[name] = coded.value
        for item_code, positions in rankings.items():
            item = self.items[item_code]
            assert isinstance(item, Ranking)  # _ranking_field admits ranking items only
            self._read_ranking(item, positions, result, language)

        self._drop_unchosen_specify(page, result.answers)
        merged = self.pruned({**self._without_page(earlier, page), **result.answers})
        for item in self.page_items[page]:
            if item.code in self.conditions and item.code not in self.shown_items(merged):
                answered = [v.code for v in self.item_variables[item.code] if v.code in result.answers]
                if answered:
                    raise MalformedPostError(
                        f"{answered[0]!r} answers a question that is not asked of this respondent."
                    )
        if not partial:
            for problem in self.checkers[page].problems(merged, complete=True):
                item_code = self._item_of(problem.variable)
                if item_code in {item.code for item in self.page_items[page]} and item_code not in result.errors:
                    result.errors[item_code] = self._problem_text(item_code, problem.what, language)
        return result

    def _drop_unchosen_specify(self, page: int, answers: dict[str, Any]) -> None:
        """A "please specify" text counts only with its option ticked (it stays typed in when the option is
        unticked, e.g. by an exclusive "none of these")."""
        for item in self.page_items[page]:
            if not isinstance(item, SingleChoice | MultipleChoice):
                continue
            code = specify_code(item.code)
            if code not in answers:
                continue
            chosen = answers.get(item.code)
            ticked = set(chosen) if isinstance(chosen, list) else {chosen}
            if not ticked & {option.code for option in item.options if option.specify}:
                del answers[code]

    def merge(self, earlier: dict[str, Any], page: int, answers: dict[str, Any]) -> dict[str, Any]:
        """The answers so far with page `page` replaced by `answers`, moot answers dropped."""
        return self.pruned({**self._without_page(earlier, page), **answers})

    def final_problems(self, answers: dict[str, Any]) -> dict[int, dict[str, str]]:
        """Before storing: every problem of the whole response, by page (empty when it may be stored)."""
        problems: dict[int, dict[str, str]] = {}
        for problem in self.final_checker.problems(answers, complete=True):
            item_code = self._item_of(problem.variable)
            page = next(index for index, items in enumerate(self.page_items) if any(i.code == item_code for i in items))
            problems.setdefault(page, {})[item_code] = problem.what
        return problems

    def _without_page(self, answers: dict[str, Any], page: int) -> dict[str, Any]:
        return {code: value for code, value in answers.items() if code not in self.page_variables[page]}

    def _ranking_field(self, page: int, name: str) -> tuple[str, int] | None:
        item_code, separator, option = name.rpartition("_rank_")
        if not separator or not option.isdigit():
            return None
        item = self.items.get(item_code)
        if not isinstance(item, Ranking) or item not in self.page_items[page]:
            return None
        code = int(option)
        return (item_code, code) if code in {o.code for o in item.options} else None

    def _read_ranking(self, item: Ranking, positions: dict[int, str], result: PageResult, language: str) -> None:
        places = item.rank_count or len(item.options)
        order: dict[int, int] = {}
        for option_code, text in positions.items():
            if not text.strip():
                continue
            if not text.strip().isdigit() or not 1 <= int(text) <= places or int(text) in order:
                result.errors[item.code] = self._invalid(item, language)
                return
            order[int(text)] = option_code
        if not order:
            return
        if sorted(order) != list(range(1, len(order) + 1)):
            result.errors[item.code] = self._invalid(item, language)
            return
        cell = tuple(Choice(code=order[place]) for place in sorted(order))
        variable = self.item_variables[item.code][0]
        try:
            result.answers[variable.code] = code_answer(cell, variable).value
        except AnswerError:
            result.errors[item.code] = self._invalid(item, language)

    def _item_of(self, variable_code: str) -> str:
        for item_code, variables in self.item_variables.items():
            if item_code == variable_code or any(v.code == variable_code for v in variables):
                return item_code
        return variable_code

    def _invalid(self, item: Item, language: str) -> str:
        phrases = PHRASES[language]
        if isinstance(item, Number):
            if item.min is not None and item.max is not None:
                return phrases["number_between"].format(low=f"{item.min:g}", high=f"{item.max:g}")
            return MESSAGES[language]["number_invalid"]
        return MESSAGES[language]["invalid"]

    def _problem_text(self, item_code: str, what: str, language: str) -> str:
        item = self.items[item_code]
        phrases = PHRASES[language]
        if "required" in what:
            return MESSAGES[language]["required"]
        if isinstance(item, MultipleChoice) and "exclusive" in what:
            exclusive = next(option for option in item.options if option.exclusive)
            texts = {str(code): text for code, text in exclusive.text.items()}
            return phrases["exclusive"].format(option=texts.get(language, ""))
        if isinstance(item, MultipleChoice) and item.max_choices is not None:
            return phrases["max_choices"].format(count=item.max_choices)
        return MESSAGES[language]["invalid"]
