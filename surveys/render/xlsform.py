"""A questionnaire as an XLSForm workbook (survey, choices, settings) for ODK Collect, Kobo and SurveyCTO.

For the command line:

    write_xlsform(questionnaire: Questionnaire, path: Path, languages: Sequence[str] | None = None) -> None
    xlsform_sheets(questionnaire: Questionnaire, languages: Sequence[str] | None = None) -> XlsformSheets

`languages` narrows the form to some of the survey's languages (`--lang`); by default every language of the
survey is in the one workbook, the first being the form's default. Both raise InputError for a language the
survey does not have.

How each item becomes XLSForm rows (names are the codebook's variable codes, so collected data imports
without renaming):

- single_choice → `select_one ITEM` over the list `ITEM`; choice names are the option codes as text.
- multiple_choice → `select_multiple ITEM`; `max_choices` and "none of these" (exclusive) options become a
  `constraint` with a message in every language.
- an option with "other, please specify" → a `text` row `{item}_other` right after the choice, relevant
  when that option is chosen (`selected(${item}, 'CODE')`).
- rating and recommend → `select_one` over one list per distinct scale (`scale_0_10`, `scale_1_5` …), not an
  integer: a respondent sees every labelled point, the stored answer is still the scale point, and a
  scale of up to 7 points gets the `likert` appearance (more: `horizontal-compact`). Labelled points of
  scales longer than 7 read "0 – Not at all likely", so the numbers stay visible; unlabelled points read
  as their number.
- rating_grid → the ODK table pattern: a `field-list` group `ITEM`, a header row `{item}_header` with the
  `label` appearance (shows the scale once; it holds no answer), and one `select_one` per row named
  `{item}_{row}` with `list-nolabel`.
- importance_satisfaction_grid → a group `ITEM` around two such tables, `{item}_importance` and
  `{item}_satisfaction`, with rows `{item}_importance_{row}` / `{item}_satisfaction_{row}`.
- number → `integer` or `decimal`, min/max as a constraint, the unit in the hint "(unit: minutes)".
- text → `text`, `multiline` appearance when the item is multiline, `max_length` as a constraint.
- ranking → `rank` (ODK ranks every option: `rank_count` has no XLSForm equivalent, see below).
- sections → `begin_group`/`end_group` without `field-list`: Collect shows one question (or one grid) per
  screen, which suits long sections on a phone; a section's intro is a note at its top.
- the survey's intro and thanks → notes at the start and the end.
- show_if → `relevant` (surveys.show_if.to_xlsform); on a grid it goes on the grid's group.
- what XLSForm has no column for — each item's construct, direction and source, an attention check's
  `correct` answer, a ranking's `rank_count` — goes in extra columns of those names, which pyxform and the
  form builders pass over, so `surveys.xlsform_import` reads our own exports back item for item.

Settings: form_title (in the first language), form_id (the survey id), version, default_language.
Label columns are named `label::English (en)`, `label::简体中文 (zh-Hans)`, `label::繁體中文 (zh-Hant)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from surveys.codebook import item_variables, specify_code
from surveys.problems import InputError, Problem
from surveys.questionnaire import (
    LANGUAGE_NAMES,
    FreeText,
    ImportanceSatisfactionGrid,
    Item,
    Language,
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
from surveys.render.phrases import PHRASES
from surveys.show_if import parse_condition, to_xlsform

Cells = dict[str, str]

LIKERT_MAX_POINTS = 7  # longer scales are shown as a compact row of numbers instead of a likert widget


def language_column(language: str) -> str:
    """The XLSForm name of a language: `English (en)`, `简体中文 (zh-Hans)`, `繁體中文 (zh-Hant)`."""
    return f"{LANGUAGE_NAMES[language]} ({language})"


@dataclass(frozen=True, slots=True)
class XlsformSheets:
    """The three sheets of the workbook: each a header and rows of cells by column name."""

    survey_columns: list[str]
    survey: list[Cells]
    choices_columns: list[str]
    choices: list[Cells]
    settings: Cells = field(default_factory=dict)

    def as_workbook_dict(self) -> dict[str, list[Cells]]:
        """The sheets as pyxform's workbook dictionary (`pyxform.xls2xform.convert(xlsform=…)`)."""
        return {"survey": self.survey, "choices": self.choices, "settings": [self.settings]}


def write_xlsform(questionnaire: Questionnaire, path: Path, languages: Sequence[str] | None = None) -> None:
    """Write the questionnaire as an XLSForm .xlsx file at `path`; see the module docstring."""
    from openpyxl import Workbook  # only this command needs it

    sheets = xlsform_sheets(questionnaire, languages)
    workbook = Workbook()
    tables = [
        ("survey", sheets.survey_columns, sheets.survey),
        ("choices", sheets.choices_columns, sheets.choices),
        ("settings", list(sheets.settings), [sheets.settings]),
    ]
    for index, (title, columns, rows) in enumerate(tables):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) or None for column in columns])
        sheet.freeze_panes = "A2"
    workbook.save(path)


def xlsform_sheets(questionnaire: Questionnaire, languages: Sequence[str] | None = None) -> XlsformSheets:
    """The XLSForm sheets of the questionnaire in `languages` (default: all the survey's languages)."""
    wanted = list(languages) if languages else list(questionnaire.languages)
    problems = [
        Problem(
            "--lang",
            f"{language!r} is not a language of survey {questionnaire.survey!r}.",
            f"Use {', '.join(questionnaire.languages)}.",
        )
        for language in wanted
        if language not in questionnaire.languages
    ]
    if problems:
        raise InputError("Cannot write the XLSForm.", problems)
    chosen = sorted(
        (language for language in questionnaire.languages if language in wanted),
        key=lambda language: wanted.index(language),
    )
    return _FormWriter(questionnaire, chosen).sheets()


class _FormWriter:
    def __init__(self, questionnaire: Questionnaire, languages: list[Language]) -> None:
        self.questionnaire = questionnaire
        self.languages = languages
        self.survey: list[Cells] = []
        self.choices: list[Cells] = []
        self.lists: dict[str, str] = {}  # a scale's key → its list name
        self.taken = {
            variable.code for item in questionnaire.items() for variable in item_variables(questionnaire, item)
        } | {item.code for item in questionnaire.items()}
        self.select_one_variables: set[str] = set()
        for item in questionnaire.items():
            if isinstance(item, SingleChoice | Rating | Recommend | RatingGrid | ImportanceSatisfactionGrid):
                self.select_one_variables.update(variable.code for variable in item_variables(questionnaire, item))

    # --- names and texts --------------------------------------------------------------------------

    def new_name(self, wanted: str) -> str:
        """`wanted`, or `wanted_2`, `wanted_3` … when another row or variable already has that name."""
        name, number = wanted, 1
        while name in self.taken:
            number += 1
            name = f"{wanted}_{number}"
        self.taken.add(name)
        return name

    def texts(self, column: str, text: Text | None) -> Cells:
        if not text:
            return {}
        return {f"{column}::{language_column(language)}": text.get(language, "") for language in self.languages}

    def phrase(self, column: str, key: str, **values: object) -> Cells:
        return {
            f"{column}::{language_column(language)}": PHRASES[language][key].format(**values)
            for language in self.languages
        }

    def relevant(self, show_if: str | None) -> Cells:
        if show_if is None:
            return {}
        return {"relevant": to_xlsform(parse_condition(show_if), frozenset(self.select_one_variables))}

    # --- the sheets -------------------------------------------------------------------------------

    def sheets(self) -> XlsformSheets:
        questionnaire = self.questionnaire
        if questionnaire.intro:
            self.survey.append(
                {"type": "note", "name": self.new_name("intro"), **self.texts("label", questionnaire.intro)}
            )
        for section in questionnaire.sections:
            self.survey.append(
                {
                    "type": "begin_group",
                    "name": self.new_name(section.code),
                    **self.texts("label", section.title),
                }
            )
            if section.intro:
                self.survey.append(
                    {
                        "type": "note",
                        "name": self.new_name(f"{section.code}_intro"),
                        **self.texts("label", section.intro),
                    }
                )
            for item in section.items:
                self.survey.extend(self.item_rows(item))
            self.survey.append({"type": "end_group"})
        if questionnaire.thanks:
            self.survey.append(
                {"type": "note", "name": self.new_name("thanks"), **self.texts("label", questionnaire.thanks)}
            )
        first = self.languages[0]
        settings = {
            "form_title": questionnaire.title.get(first, ""),
            "form_id": questionnaire.survey,
            "version": str(questionnaire.version),
            "default_language": language_column(first),
        }
        survey = [{column: value for column, value in row.items() if value} for row in self.survey]
        return XlsformSheets(
            survey_columns=self.columns(survey, _SURVEY_COLUMN_ORDER),
            survey=survey,
            choices_columns=self.columns(self.choices, ("list_name", "name", "label")),
            choices=self.choices,
            settings=settings,
        )

    def columns(self, rows: list[Cells], order: Sequence[str]) -> list[str]:
        present = {column for row in rows for column in row}
        columns: list[str] = []
        for base in order:
            if base in present:
                columns.append(base)
            columns.extend(
                f"{base}::{language_column(language)}"
                for language in self.languages
                if f"{base}::{language_column(language)}" in present
            )
        return columns

    # --- items ------------------------------------------------------------------------------------

    def common(self, item: Item) -> Cells:
        cells: Cells = {"construct": item.construct.value}
        direction = getattr(item, "direction", None)
        if direction is not None:
            cells["direction"] = direction.value
        if item.source:
            cells["source"] = item.source
        correct = getattr(item, "correct", None)
        if correct is not None:
            cells["correct"] = str(correct)
        if isinstance(item, Ranking) and item.rank_count is not None:
            cells["rank_count"] = str(item.rank_count)
        return cells

    def question(self, item: Item, type_: str, **extra: str) -> Cells:
        return {
            "type": type_,
            "name": item.code,
            **self.texts("label", item.text),
            **self.texts("hint", item.instruction),
            "required": "yes" if item.required else "",
            **self.relevant(item.show_if),
            **self.common(item),
            **extra,
        }

    def item_rows(self, item: Item) -> list[Cells]:
        match item:
            case SingleChoice():
                rows = [self.question(item, f"select_one {self.option_list(item.code, item.options)}")]
                return rows + self.specify_rows(item, "${{{code}}} = '{option}'")
            case MultipleChoice():
                list_name = self.option_list(item.code, item.options)
                rows = [self.question(item, f"select_multiple {list_name}", **self.choice_constraint(item))]
                return rows + self.specify_rows(item, "selected(${{{code}}}, '{option}')")
            case Rating() | Recommend():
                return [
                    self.question(
                        item,
                        f"select_one {self.scale_list(item.scale)}",
                        appearance=_scale_appearance(item.scale),
                    )
                ]
            case RatingGrid():
                return self.rating_grid(item)
            case ImportanceSatisfactionGrid():
                return self.paired_grid(item)
            case Number():
                return [self.number_row(item)]
            case FreeText():
                return [
                    self.question(
                        item,
                        "text",
                        appearance="multiline" if item.multiline else "",
                        constraint=f"string-length(.) <= {item.max_length}",
                        **self.phrase("constraint_message", "max_length", count=item.max_length),
                    )
                ]
            case Ranking():
                return [self.question(item, f"rank {self.option_list(item.code, item.options)}")]
        raise TypeError(f"unknown item type {type(item).__name__}")  # pragma: no cover - the union is closed

    def option_list(self, name: str, options: list[Option]) -> str:
        for option in options:
            self.choices.append({"list_name": name, "name": str(option.code), **self.texts("label", option.text)})
        return name

    def scale_list(self, scale: Scale) -> str:
        key = repr(
            (
                scale.min,
                scale.max,
                sorted((point, sorted(text.items())) for point, text in scale.labels.items()),
            )
        )
        if key in self.lists:
            return self.lists[key]
        base = f"scale_{_number_name(scale.min)}_{_number_name(scale.max)}"
        taken = set(self.lists.values())
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}_{number}"
        self.lists[key] = name
        numbered = scale.max - scale.min + 1 > LIKERT_MAX_POINTS
        for point in range(scale.min, scale.max + 1):
            label = scale.labels.get(point)
            texts = {
                language: (f"{point} – {label[language]}" if numbered else label[language]) if label else str(point)
                for language in self.languages
            }
            self.choices.append({"list_name": name, "name": str(point), **self.texts("label", texts)})
        return name

    def specify_rows(self, item: SingleChoice | MultipleChoice, test: str) -> list[Cells]:
        rows: list[Cells] = []
        for option in item.options:
            if option.specify:
                rows.append(
                    {
                        "type": "text",
                        "name": specify_code(item.code),
                        **{
                            f"label::{language_column(language)}": _joined(
                                language, option.text.get(language, ""), PHRASES[language]["specify_question"]
                            )
                            for language in self.languages
                        },
                        "required": "yes" if item.required else "",
                        "relevant": test.format(code=item.code, option=option.code),
                        "construct": item.construct.value,
                    }
                )
        return rows

    def choice_constraint(self, item: MultipleChoice) -> Cells:
        tests: list[str] = []
        messages = {language: [] for language in self.languages}  # type: dict[str, list[str]]
        if item.max_choices is not None:
            tests.append(f"count-selected(.) <= {item.max_choices}")
            for language in self.languages:
                messages[language].append(PHRASES[language]["max_choices"].format(count=item.max_choices))
        for option in item.options:
            if option.exclusive:
                tests.append(f"not(selected(., '{option.code}') and count-selected(.) > 1)")
                for language in self.languages:
                    messages[language].append(
                        PHRASES[language]["exclusive"].format(option=option.text.get(language, ""))
                    )
        if not tests:
            return {}
        joiner = {"en": " "}
        return {
            "constraint": " and ".join(tests),
            **{
                f"constraint_message::{language_column(language)}": joiner.get(language, "").join(messages[language])
                for language in self.languages
            },
        }

    def number_row(self, item: Number) -> Cells:
        hints = {
            language: " ".join(
                part
                for part in (
                    item.instruction.get(language, "") if item.instruction else "",
                    PHRASES[language]["number_unit"].format(unit=item.unit.get(language, "")) if item.unit else "",
                )
                if part
            )
            for language in self.languages
        }
        cells = self.question(item, "integer" if item.integer else "decimal")
        cells = {key: value for key, value in cells.items() if not key.startswith("hint::")}
        if any(hints.values()):
            cells.update({f"hint::{language_column(language)}": hints[language] for language in self.languages})
        low, high = item.min, item.max
        tests = [f". >= {_number(low)}"] if low is not None else []
        tests += [f". <= {_number(high)}"] if high is not None else []
        if tests:
            cells["constraint"] = " and ".join(tests)
            if low is not None and high is not None:
                cells.update(self.phrase("constraint_message", "number_between", low=_number(low), high=_number(high)))
            elif low is not None:
                cells.update(self.phrase("constraint_message", "number_at_least", low=_number(low)))
            else:
                cells.update(self.phrase("constraint_message", "number_at_most", high=_number(high)))
        return cells

    def rating_grid(self, item: RatingGrid) -> list[Cells]:
        direction = item.direction.value if item.direction is not None else ""
        group: Cells = {
            "type": "begin_group",
            "name": item.code,
            **self.texts("label", item.text),
            "appearance": "field-list",
            **self.relevant(item.show_if),
            "construct": item.construct.value,
            "direction": direction,
        }
        return [group, *self.table(item, item.code, item.text, item.scale), {"type": "end_group"}]

    def paired_grid(self, item: ImportanceSatisfactionGrid) -> list[Cells]:
        rows: list[Cells] = [
            {
                "type": "begin_group",
                "name": item.code,
                **self.texts("label", item.text),
                **self.relevant(item.show_if),
                "construct": item.construct.value,
            }
        ]
        halves = (
            ("importance", item.importance_label, item.importance_scale, "attribute_importance"),
            ("satisfaction", item.satisfaction_label, item.satisfaction_scale, "attribute_satisfaction"),
        )
        for half, heading, scale, construct in halves:
            heading = heading or {language: PHRASES[language][half] for language in self.languages}
            prefix = f"{item.code}_{half}"
            header = {
                language: _joined(language, item.text.get(language, ""), heading.get(language, ""))
                for language in self.languages
            }
            group: Cells = {
                "type": "begin_group",
                "name": self.new_name(prefix),
                **self.texts("label", heading),
                "appearance": "field-list",
                "construct": construct,
                "direction": "higher_is_better",
            }
            rows += [group, *self.table(item, prefix, header, scale), {"type": "end_group"}]
        rows.append({"type": "end_group"})
        return rows

    def table(
        self, item: RatingGrid | ImportanceSatisfactionGrid, prefix: str, header: Text, scale: Scale
    ) -> list[Cells]:
        """The ODK table pattern: a header row showing the scale once, then one unlabelled row a line."""
        list_name = self.scale_list(scale)
        rows: list[Cells] = [
            {
                "type": f"select_one {list_name}",
                "name": self.new_name(f"{prefix}_header"),
                **self.texts("label", header),
                **self.texts("hint", item.instruction),
                "appearance": "label",
            }
        ]
        rows.extend(
            {
                "type": f"select_one {list_name}",
                "name": f"{prefix}_{row.code}",
                **self.texts("label", row.text),
                "required": "yes" if item.required else "",
                "appearance": "list-nolabel",
            }
            for row in self.questionnaire.grid_rows(item)
        )
        return rows


_SURVEY_COLUMN_ORDER = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "construct",
    "direction",
    "source",
    "correct",
    "rank_count",
)


def _joined(language: str, text: str, addition: str) -> str:
    """'Delivery (Importance)', '配送（重要程度）'."""
    return f"{text}（{addition}）" if language.startswith("zh") else f"{text} ({addition})"


def _scale_appearance(scale: Scale) -> str:
    return "likert" if scale.max - scale.min + 1 <= LIKERT_MAX_POINTS else "horizontal-compact"


def _number(value: float | None) -> str:
    return f"{value:g}" if value is not None else ""


def _number_name(value: int) -> str:
    return f"m{-value}" if value < 0 else str(value)
