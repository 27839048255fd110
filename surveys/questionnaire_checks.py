"""The rules of a questionnaire that span items, each check collecting every problem it finds.

The model (surveys.questionnaire) checks each value; these check the whole: codes unique, show-if
conditions pointing back at answers that exist, every text in every language, scales that make sense.
Each problem carries the path into the file so the caller can say which line it is on.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from surveys.codebook import Variable, item_variables
from surveys.questionnaire import (
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
from surveys.show_if import (
    All,
    AnyOf,
    Condition,
    Contains,
    Not,
    ShowIfSyntaxError,
    parse_condition,
    referenced_variables,
    tested_values,
)
from surveys.yaml_source import DataPath

ItemPath = DataPath


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem at a path into the questionnaire file."""

    path: DataPath
    what: str
    fix: str = ""


def check_questionnaire(questionnaire: Questionnaire) -> list[Finding]:
    """Every cross-item problem of a structurally valid questionnaire, in file order."""
    return [
        *_check_languages(questionnaire),
        *_check_codes(questionnaire),
        *_check_items(questionnaire),
        *_check_show_if(questionnaire),
    ]


def _located_items(questionnaire: Questionnaire) -> Iterator[tuple[ItemPath, Item]]:
    for section_index, section in enumerate(questionnaire.sections):
        for item_index, item in enumerate(section.items):
            yield ("sections", section_index, "items", item_index), item


# --- every text in every language -----------------------------------------------------------------


def _texts(questionnaire: Questionnaire) -> Iterator[tuple[DataPath, Text]]:
    yield ("title",), questionnaire.title
    if questionnaire.intro:
        yield ("intro",), questionnaire.intro
    if questionnaire.thanks:
        yield ("thanks",), questionnaire.thanks
    for index, attribute in enumerate(questionnaire.attributes):
        yield ("attributes", index, "text"), attribute.text
    for section_index, section in enumerate(questionnaire.sections):
        yield ("sections", section_index, "title"), section.title
        if section.intro:
            yield ("sections", section_index, "intro"), section.intro
    for path, item in _located_items(questionnaire):
        yield from _item_texts(path, item)


def _item_texts(path: ItemPath, item: Item) -> Iterator[tuple[DataPath, Text]]:
    yield (*path, "text"), item.text
    if item.instruction:
        yield (*path, "instruction"), item.instruction
    if isinstance(item, SingleChoice | MultipleChoice | Ranking):
        for index, option in enumerate(item.options):
            yield (*path, "options", index, "text"), option.text
    if isinstance(item, RatingGrid | ImportanceSatisfactionGrid) and isinstance(item.rows, list):
        for index, row in enumerate(item.rows):
            yield (*path, "rows", index, "text"), row.text
    for scale_key, scale in _scales(item):
        for point, label in scale.labels.items():
            yield (*path, scale_key, "labels", point), label
    if isinstance(item, Number) and item.unit:
        yield (*path, "unit"), item.unit
    if isinstance(item, ImportanceSatisfactionGrid):
        if item.importance_label:
            yield (*path, "importance_label"), item.importance_label
        if item.satisfaction_label:
            yield (*path, "satisfaction_label"), item.satisfaction_label


def _check_languages(questionnaire: Questionnaire) -> Iterator[Finding]:
    if len(set(questionnaire.languages)) != len(questionnaire.languages):
        yield Finding(("languages",), "a language is listed twice.", "List each language once.")
    if not questionnaire.languages:
        yield Finding(("languages",), "no language is listed.", "List at least one of zh-Hans, zh-Hant, en.")
    for path, text in _texts(questionnaire):
        for language in questionnaire.languages:
            if not text.get(language, "").strip():
                yield Finding(
                    path,
                    f"the text has no {language} version.",
                    f"Add `{language}: …` here, or remove {language} from `languages`.",
                )


# --- unique codes ----------------------------------------------------------------------------------


def _check_codes(questionnaire: Questionnaire) -> Iterator[Finding]:
    yield from _duplicates(
        [(("sections", index, "code"), section.code) for index, section in enumerate(questionnaire.sections)],
        "section code",
    )
    yield from _duplicates(
        [(("attributes", index, "code"), row.code) for index, row in enumerate(questionnaire.attributes)],
        "attribute code",
    )
    variables: list[tuple[DataPath, str]] = []
    for path, item in _located_items(questionnaire):
        variables.append(((*path, "code"), item.code))
        variables.extend(
            ((*path, "code"), variable.code)
            for variable in item_variables(questionnaire, item)
            if variable.code != item.code
        )
        if isinstance(item, SingleChoice | MultipleChoice | Ranking):
            yield from _duplicates(
                [((*path, "options", index, "code"), str(option.code)) for index, option in enumerate(item.options)],
                "option code",
            )
        if isinstance(item, RatingGrid | ImportanceSatisfactionGrid) and isinstance(item.rows, list):
            yield from _duplicates(
                [((*path, "rows", index, "code"), row.code) for index, row in enumerate(item.rows)],
                "row code",
            )
    yield from _duplicates(variables, "item code")


def _duplicates(located_codes: list[tuple[DataPath, str]], what: str) -> Iterator[Finding]:
    first_seen: dict[str, DataPath] = {}
    for path, code in located_codes:
        if code in first_seen and first_seen[code] != path:
            yield Finding(path, f"{what} {code!r} is used twice.", f"Give each {what.split()[0]} its own code.")
        first_seen.setdefault(code, path)


# --- each item's own sense -------------------------------------------------------------------------


def _scales(item: Item) -> list[tuple[str, Scale]]:
    if isinstance(item, Rating | Recommend | RatingGrid):
        return [("scale", item.scale)]
    if isinstance(item, ImportanceSatisfactionGrid):
        return [("importance_scale", item.importance_scale), ("satisfaction_scale", item.satisfaction_scale)]
    return []


def _check_items(questionnaire: Questionnaire) -> Iterator[Finding]:
    for section_index, section in enumerate(questionnaire.sections):
        if not section.items:
            yield Finding(("sections", section_index, "items"), "the section has no items.", "Add items or remove it.")
    for path, item in _located_items(questionnaire):
        yield from _check_scales(path, item)
        yield from _check_options(path, item)
        if isinstance(item, Rating | RatingGrid | Number) and item.direction is None:
            yield Finding(
                path,
                f"item {item.code!r} does not say whether a higher answer is better or worse.",
                "Add `direction: higher_is_better` or `direction: higher_is_worse`.",
            )
        if isinstance(item, RatingGrid | ImportanceSatisfactionGrid) and item.rows == "attributes":
            if not questionnaire.attributes:
                yield Finding(
                    (*path, "rows"),
                    "`rows: attributes` but the survey lists no attributes.",
                    "Add an `attributes:` list at the top of the file, or give the rows here.",
                )
        elif isinstance(item, RatingGrid | ImportanceSatisfactionGrid) and not item.rows:
            yield Finding((*path, "rows"), "the grid has no rows.", "Add rows or `rows: attributes`.")
        if isinstance(item, Number) and item.min is not None and item.max is not None and item.min >= item.max:
            yield Finding((*path, "min"), f"min {item.min:g} is not below max {item.max:g}.", "Swap or correct them.")


def _check_scales(path: ItemPath, item: Item) -> Iterator[Finding]:
    for key, scale in _scales(item):
        if scale.min >= scale.max:
            yield Finding(
                (*path, key, "min"),
                f"scale min {scale.min} is not below max {scale.max}.",
                "Swap or correct them.",
            )
            continue
        for point in scale.labels:
            if not scale.min <= point <= scale.max:
                yield Finding(
                    (*path, key, "labels", point),
                    f"label for {point}, which is outside the scale {scale.min}–{scale.max}.",
                    "Label only points of the scale.",
                )
    if isinstance(item, Recommend) and (item.scale.min, item.scale.max) != (0, 10):
        yield Finding(
            (*path, "scale"),
            f"a recommend item is always 0–10, not {item.scale.min}–{item.scale.max}.",
            "Remove `scale:` or use `type: rating` for another scale; NPS needs 0–10.",
        )
    if isinstance(item, Rating) and item.correct is not None and not item.scale.min <= item.correct <= item.scale.max:
        yield Finding((*path, "correct"), f"correct answer {item.correct} is outside the scale.", "")


def _check_options(path: ItemPath, item: Item) -> Iterator[Finding]:
    if not isinstance(item, SingleChoice | MultipleChoice | Ranking):
        return
    if len(item.options) < 2:
        yield Finding((*path, "options"), "a choice needs at least two options.", "Add options.")
    if isinstance(item, SingleChoice):
        yield from _exclusive_on_single_choice(path, item.options)
        if item.correct is not None and item.correct not in {option.code for option in item.options}:
            yield Finding((*path, "correct"), f"correct answer {item.correct} is not an option code.", "")
    if isinstance(item, Ranking) and item.rank_count is not None and not 1 <= item.rank_count <= len(item.options):
        yield Finding((*path, "rank_count"), f"rank_count {item.rank_count} is not between 1 and the options.", "")
    if isinstance(item, MultipleChoice) and item.max_choices is not None and item.max_choices < 1:
        yield Finding((*path, "max_choices"), "max_choices must be at least 1.", "")


def _exclusive_on_single_choice(path: ItemPath, options: list[Option]) -> Iterator[Finding]:
    for index, option in enumerate(options):
        if option.exclusive:
            yield Finding(
                (*path, "options", index, "exclusive"),
                "`exclusive` means nothing on a single choice: only one option can be ticked anyway.",
                "Remove it.",
            )


# --- show-if ----------------------------------------------------------------------------------------


def _check_show_if(questionnaire: Questionnaire) -> Iterator[Finding]:
    earlier: dict[str, Variable] = {}
    all_codes = {
        variable.code: variable for item in questionnaire.items() for variable in item_variables(questionnaire, item)
    }
    for path, item in _located_items(questionnaire):
        if item.show_if is not None:
            yield from _check_condition((*path, "show_if"), item, earlier, all_codes)
        for variable in item_variables(questionnaire, item):
            earlier[variable.code] = variable


def _check_condition(
    path: DataPath, item: Item, earlier: dict[str, Variable], all_codes: dict[str, Variable]
) -> Iterator[Finding]:
    text = item.show_if or ""
    try:
        condition = parse_condition(text)
    except ShowIfSyntaxError as error:
        pointer = text[: error.position]
        yield Finding(path, f"show_if cannot be read: {error} (after {pointer!r}).", _SHOW_IF_HINT)
        return
    for code in dict.fromkeys(referenced_variables(condition)):
        if code in earlier:
            continue
        if code == item.code or (code in all_codes and all_codes[code].item_code == item.code):
            yield Finding(path, f"show_if of {item.code!r} depends on its own answer.", "Point it at an earlier item.")
        elif code in all_codes:
            yield Finding(
                path,
                f"show_if refers to {code!r}, which comes later in the questionnaire.",
                "A condition can only use answers given before; move the item or the condition.",
            )
        else:
            nearest = difflib.get_close_matches(code, list(earlier), n=1)
            hint = f'Did you mean "{nearest[0]}"?' if nearest else "Use the code of an earlier item."
            yield Finding(path, f"show_if refers to {code!r}, which is not an item.", hint)
    for code, value in tested_values(condition):
        variable = earlier.get(code)
        if variable is not None:
            yield from _check_tested_value(path, variable, value)
    yield from _check_has(path, condition, earlier)


def _check_tested_value(path: DataPath, variable: Variable, value: object) -> Iterator[Finding]:
    if variable.kind in ("choice", "choices") and value not in variable.option_codes:
        codes = ", ".join(str(code) for code in variable.option_codes)
        yield Finding(path, f"{value!r} is not an option of {variable.code!r}.", f"Its option codes are {codes}.")
    if variable.kind != "scale" or not isinstance(value, int | float):
        return
    low, high = variable.minimum, variable.maximum
    if low is not None and high is not None and not low <= value <= high:
        yield Finding(path, f"{value:g} is outside the scale of {variable.code!r} ({low:g}–{high:g}).", "")


def _check_has(path: DataPath, condition: Condition, earlier: dict[str, Variable]) -> Iterator[Finding]:
    if isinstance(condition, Contains):
        variable = earlier.get(condition.variable)
        if variable is not None and variable.kind != "choices":
            yield Finding(
                path,
                f"'has' is for multiple-choice answers, and {condition.variable!r} is not one.",
                f"Write `{condition.variable} == {condition.value!r}`.",
            )
    elif isinstance(condition, All | AnyOf):
        for part in condition.parts:
            yield from _check_has(path, part, earlier)
    elif isinstance(condition, Not):
        yield from _check_has(path, condition.part, earlier)


_SHOW_IF_HINT = (
    "Write e.g. `complained == 1`, `recommend <= 6 and tenure >= 1`, `reasons has 3` or `problem in [1, 2]`."
)
