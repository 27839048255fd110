"""Which column of an export holds which variable of the questionnaire.

In order, first match wins, and each variable takes at most one column:
1. the user's mapping file (`--mapping FILE.yaml`: header or platform key → variable code);
2. the header or the platform's stable key equal to a variable code (our own exports, LimeSurvey codes);
3. the question text equal or close (≥ 0.85 similarity, punctuation and spacing ignored) to the item's
   text in any of its languages; a grid row also by its row label, a "please specify" column by its
   option's label;
4. the platform's question number equal to the item's position in the questionnaire, when the export
   carries no usable text (by-code downloads).
Answer columns left over are listed as unmatched, never silently dropped.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from surveys.codebook import Variable, codebook, specify_code
from surveys.importers.export_table import ExportColumn, MetadataField
from surveys.problems import Problem
from surveys.questionnaire import Questionnaire

_SIMILAR_ENOUGH = 0.85


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    column: ExportColumn
    variable: Variable
    how: str  # mapping, code, text, number


@dataclass
class Matching:
    matches: list[ColumnMatch] = field(default_factory=list)
    metadata: dict[MetadataField, ExportColumn] = field(default_factory=dict)
    unmatched: list[ExportColumn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def variables_without_column(self, variables: Iterable[Variable]) -> list[Variable]:
        taken = {match.variable.code for match in self.matches}
        return [variable for variable in variables if variable.code not in taken]


def normalised(text: str) -> str:
    """Text for comparison: NFKC, lower case, no spaces or punctuation, no leading question number.

    >>> normalised("Q5. How satisfied are you, overall?")
    'howsatisfiedareyouoverall'
    >>> normalised("5、您对我们的总体满意程度如何？")
    '您对我们的总体满意程度如何'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"^\s*(?:q\s*)?\d+\s*[.、:：)\]]\s*", "", text)
    return "".join(character for character in text if character.isalnum())


def match_columns(
    columns: list[ExportColumn], questionnaire: Questionnaire, mapping: dict[str, str] | None = None
) -> Matching:
    """Match every answer and specify column to a variable, and collect the metadata columns."""
    variables = codebook(questionnaire)
    by_code = {variable.code.casefold(): variable for variable in variables}
    item_numbers = {item.code: number for number, item in enumerate(questionnaire.items(), start=1)}
    matching = Matching()
    taken: dict[str, ExportColumn] = {}

    def take(column: ExportColumn, variable: Variable, how: str) -> None:
        if variable.code in taken:
            first = taken[variable.code]
            matching.problems.append(
                Problem(
                    f"column {column.header}",
                    f"holds {variable.code!r}, which column {first.header} already holds.",
                    "Map one of them to another item in --mapping, or remove it from the file.",
                )
            )
            return
        taken[variable.code] = column
        matching.matches.append(ColumnMatch(column, variable, how))

    answer_columns = []
    for column in columns:
        if column.role == "metadata" and column.metadata is not None:
            matching.metadata.setdefault(column.metadata, column)
        elif column.role in ("answer", "specify"):
            answer_columns.append(column)

    remaining = []
    for column in answer_columns:
        explicit = _mapped(column, mapping or {})
        if explicit is not None:
            variable = by_code.get(explicit.casefold())
            if variable is None:
                nearest = difflib.get_close_matches(explicit, [v.code for v in variables], n=1)
                hint = f'Did you mean "{nearest[0]}"?' if nearest else "Use a variable code of the questionnaire."
                matching.problems.append(Problem("mapping", f"{explicit!r} is not a variable of the survey.", hint))
            else:
                take(column, variable, "mapping")
            continue
        direct = by_code.get(column.header.strip().casefold()) or (
            by_code.get(column.key.casefold()) if column.key else None
        )
        if direct is not None and (column.role == "answer" or direct.kind == "text"):
            take(column, direct, "code")
        else:
            remaining.append(column)

    still = []
    for column in remaining:
        variable = _by_text(column, variables, taken)
        if variable is not None:
            take(column, variable, "text")
        else:
            still.append(column)
    for column in still:
        variable = _by_number(column, variables, item_numbers, taken)
        if variable is not None:
            take(column, variable, "number")
        else:
            matching.unmatched.append(column)
    return matching


def _mapped(column: ExportColumn, mapping: dict[str, str]) -> str | None:
    for name in (column.header, column.key):
        if name is not None and name in mapping:
            return mapping[name]
    return None


def _similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _text_score(column_text: str | None, item_texts: Iterable[str]) -> float:
    if not column_text:
        return 0.0
    wanted = normalised(column_text)
    return max((_similar(wanted, normalised(text)) for text in item_texts), default=0.0)


def _by_text(column: ExportColumn, variables: list[Variable], taken: dict[str, ExportColumn]) -> Variable | None:
    """The free variable whose item text (and row or option label) matches the column's best."""
    best: tuple[float, Variable] | None = None
    for variable in variables:
        if variable.code in taken:
            continue
        score = _column_score(column, variable)
        if score >= _SIMILAR_ENOUGH and (best is None or score > best[0]):
            best = (score, variable)
    return best[1] if best else None


def _column_score(column: ExportColumn, variable: Variable) -> float:
    question = _text_score(column.question_text or column.header, variable.item_text.values())
    if column.role == "specify":
        if variable.kind != "text" or variable.code != specify_code(variable.item_code):
            return 0.0
        return question
    if variable.kind == "text" and variable.code == specify_code(variable.item_code):
        return 0.0
    if variable.attribute is not None:  # a grid row: the row label must match too
        if column.part is None:
            return 0.0
        row = max(
            _similar(normalised(column.part), normalised(text))
            for text in [*variable.text.values(), variable.attribute]
        )
        return min(question, row)
    return question if column.part is None else 0.0


def _by_number(
    column: ExportColumn, variables: list[Variable], item_numbers: dict[str, int], taken: dict[str, ExportColumn]
) -> Variable | None:
    """By the platform's question number, when the export has no usable text: the only free candidate."""
    if column.question_number is None:
        return None
    candidates = [
        variable
        for variable in variables
        if variable.code not in taken
        and item_numbers.get(variable.item_code) == column.question_number
        and (column.role == "specify") == (variable.code == specify_code(variable.item_code))
    ]
    if column.part is not None:
        wanted = normalised(column.part)
        candidates = [
            variable
            for variable in candidates
            if variable.attribute is None
            or max(_similar(wanted, normalised(text)) for text in [*variable.text.values(), variable.attribute])
            >= _SIMILAR_ENOUGH
        ]
    return candidates[0] if len(candidates) == 1 else None
