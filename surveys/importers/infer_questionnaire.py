"""A questionnaire inferred from an export (`loyalty import --new-survey`), so a 问卷星 user can start from
what they already ran: questions, types, option labels and scales, read off the columns and their cells.

What cannot be known from an export is guessed and listed in `notes` for the researcher to check: the
construct (by keywords), the direction (higher is better), options nobody chose, the scale's ends when the
text does not state them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from surveys.importers.column_matching import normalised
from surveys.importers.export_table import Cell, Choice, ExportColumn, ExportTable, Missing
from surveys.questionnaire import Construct, Questionnaire

_MARKERS = {  # 问卷星's type markers in headers
    "单选题": "single_choice",
    "多选题": "multiple_choice",
    "填空题": "text",
    "排序题": "ranking",
    "量表题": "rating",
    "矩阵单选题": "rating_grid",
    "矩阵量表题": "rating_grid",
}
_KEYWORDS: list[tuple[tuple[str, ...], Construct]] = [
    (("推荐", "推薦", "recommend"), Construct.RECOMMEND),
    (("重要", "important", "importance"), Construct.ATTRIBUTE_IMPORTANCE),
    (("满意", "滿意", "satisf"), Construct.OVERALL_SATISFACTION),
    (("再次购买", "继续购买", "再次購買", "repurchase", "buy again"), Construct.REPURCHASE_INTENT),
    (("信任", "trust"), Construct.TRUST),
    (("投诉", "投訴", "complain"), Construct.COMPLAINED),
]
_RANGE = re.compile(r"(\d+)\s*[-–~～至到]\s*(\d+)\s*分")
_POINT_TEXT = re.compile(r"(\d+)\s*分表示")


@dataclass
class _ColumnFacts:
    column: ExportColumn
    labels_by_code: dict[int, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    several: bool = False  # a cell held more than one choice
    specify: bool = False
    texts: int = 0
    answered: int = 0


@dataclass(frozen=True, slots=True)
class InferredQuestionnaire:
    questionnaire: Questionnaire
    notes: list[str]


def infer_questionnaire(table: ExportTable, survey: str) -> InferredQuestionnaire:
    """A valid questionnaire with one item per question of the export (grid rows as one grid)."""
    facts = {index: _ColumnFacts(column) for index, column in enumerate(table.columns) if column.role == "answer"}
    for row in table.rows:
        for index, item_facts in facts.items():
            _observe(item_facts, row.cells[index])

    notes: list[str] = []
    items: list[dict[str, Any]] = []
    grids: dict[int, list[_ColumnFacts]] = defaultdict(list)
    ordered: list[int | _ColumnFacts] = []
    for item_facts in facts.values():
        number = item_facts.column.question_number
        if item_facts.column.part is not None and number is not None:
            if number not in grids:
                ordered.append(number)
            grids[number].append(item_facts)
        else:
            ordered.append(item_facts)
    used_codes: set[str] = set()
    for entry in ordered:
        item = _grid(grids[entry], used_codes, notes) if isinstance(entry, int) else _item(entry, used_codes, notes)
        items.append(item)
    data = {
        "survey": survey,
        "version": 1,
        "languages": ["zh-Hans"],
        "title": {"zh-Hans": survey},
        "sections": [{"code": "main", "title": {"zh-Hans": "问卷"}, "items": items}],
    }
    notes.insert(
        0, f"Inferred from {table.source}: texts are in 简体中文 as the export wrote them; add other languages."
    )
    return InferredQuestionnaire(Questionnaire.model_validate(data), notes)


def _observe(facts: _ColumnFacts, cell: Cell) -> None:
    if cell is None or isinstance(cell, Missing):
        return
    facts.answered += 1
    choices = cell if isinstance(cell, tuple) else (cell,) if isinstance(cell, Choice) else ()
    if isinstance(cell, tuple) and len(cell) > 1:
        facts.several = True
    if not choices:
        facts.texts += 1
        return
    for choice in choices:
        if choice.specify:
            facts.specify = True
        if choice.label is not None and choice.code is not None:
            facts.labels_by_code.setdefault(choice.code, choice.label)
        elif choice.label is not None and choice.label not in facts.labels:
            facts.labels.append(choice.label)
        elif choice.code is not None:
            facts.labels_by_code.setdefault(choice.code, "")


def _code(column: ExportColumn, used: set[str], prefix: str = "q") -> str:
    base = f"{prefix}{column.question_number}" if column.question_number is not None else f"{prefix}{len(used) + 1}"
    code, suffix = base, 2
    while code in used:
        code, suffix = f"{base}_{suffix}", suffix + 1
    used.add(code)
    return code


def _kind(facts: _ColumnFacts) -> str:
    header = facts.column.header
    for marker, kind in sorted(_MARKERS.items(), key=lambda pair: -len(pair[0])):
        if marker in header:
            return kind
    if facts.texts and not (facts.labels or facts.labels_by_code):
        return "text"
    if facts.several and any(word in (facts.column.question_text or header) for word in ("排序", "rank")):
        return "ranking"
    if facts.several or facts.column.options:
        return "multiple_choice"
    return "single_choice"


def _construct(text: str, default: Construct) -> Construct:
    lowered = text.casefold()
    for words, construct in _KEYWORDS:
        if any(word in lowered for word in words):
            return construct
    return default


def _scale(facts_list: list[_ColumnFacts], text: str) -> tuple[int, int] | None:
    """The scale's ends: stated in the text (0-10分, "1分表示 … 5分表示"), or read from label/code pairs."""
    stated = _RANGE.search(text)
    if stated:
        return int(stated.group(1)), int(stated.group(2))
    points = [int(value) for value in _POINT_TEXT.findall(text)]
    if len(points) >= 2:
        return min(points), max(points)
    values: list[int] = []
    lowest: int | None = None
    for facts in facts_list:
        for code, label in facts.labels_by_code.items():
            number = _label_number(label)
            if number is not None:
                values.append(number)
                lowest = number - code + 1  # a by-code download counts positions from the scale's first point
        values.extend(number for label in facts.labels if (number := _label_number(label)) is not None)
    if not values:
        return None
    low = lowest if lowest is not None else min(values)
    return low, max(values)


def _label_number(label: str) -> int | None:
    match = re.fullmatch(r"\s*(-?\d+)\s*分?\s*", label)
    return int(match.group(1)) if match else None


def _scale_from(facts: _ColumnFacts) -> bool:
    labels = [*facts.labels_by_code.values(), *facts.labels]
    return bool(labels) and all(_label_number(label) is not None for label in labels)


def _item(facts: _ColumnFacts, used: set[str], notes: list[str]) -> dict[str, Any]:
    column = facts.column
    text = column.question_text or column.header
    code = _code(column, used)
    kind = _kind(facts)
    base: dict[str, Any] = {"code": code, "text": {"zh-Hans": text}, "required": False}
    if kind in ("single_choice", "rating") and _scale_from(facts):
        bounds = _scale([facts], text)
        if bounds is not None and bounds[0] < bounds[1]:
            low, high = bounds
            is_recommend = (low, high) == (0, 10) and _construct(text, Construct.DEMOGRAPHICS) == Construct.RECOMMEND
            notes.append(f"{code}: a {low}–{high} scale, read as higher is better; check the direction and construct.")
            if is_recommend:
                return {**base, "type": "recommend", "construct": "recommend"}
            construct = _construct(text, Construct.OVERALL_SATISFACTION)
            return {**base, "type": "rating", "construct": construct.value, "direction": "higher_is_better",
                    "scale": {"min": low, "max": high}}  # fmt: skip
    if kind == "text":
        return {**base, "type": "text", "construct": _construct(text, Construct.OPEN_FEEDBACK).value}
    options = _options(facts, code, notes)
    construct = _construct(text, Construct.DEMOGRAPHICS)
    if construct in (Construct.ATTRIBUTE_IMPORTANCE, Construct.OVERALL_SATISFACTION, Construct.RECOMMEND):
        construct = Construct.DEMOGRAPHICS  # a choice, not a scale: keep it out of scores
    notes.append(f"{code}: construct {construct.value} is a guess from the question's words; check it.")
    kind = "multiple_choice" if kind == "multiple_choice" else "ranking" if kind == "ranking" else "single_choice"
    return {**base, "type": kind, "construct": construct.value, "options": options}


def _options(facts: _ColumnFacts, code: str, notes: list[str]) -> list[dict[str, Any]]:
    by_position = dict(facts.labels_by_code)
    for position, label in enumerate(facts.column.options, start=1):
        by_position.setdefault(position, label)
        if not by_position[position]:
            by_position[position] = label
    labels = list(facts.labels)
    if by_position:
        highest = max(by_position)
        known = {normalised(label) for label in by_position.values()}
        extra = [label for label in labels if normalised(label) not in known]
        options = []
        for position in range(1, highest + 1):
            label = by_position.get(position) or ""
            if not label:
                label = f"选项{position}"
                notes.append(f"{code}: option {position} was never chosen in the export; name it.")
            options.append({"code": position, "text": {"zh-Hans": label}, **_specify(label, facts)})
        options += [
            {"code": highest + offset, "text": {"zh-Hans": label}, **_specify(label, facts)}
            for offset, label in enumerate(extra, start=1)
        ]
    else:
        options = [
            {"code": position, "text": {"zh-Hans": label}, **_specify(label, facts)}
            for position, label in enumerate(labels, start=1)
        ]
        if labels:
            notes.append(f"{code}: options numbered in the order first seen; options nobody chose are missing.")
    while len(options) < 2:
        position = len(options) + 1
        options.append({"code": position, "text": {"zh-Hans": f"选项{position}"}})
        notes.append(f"{code}: option {position} was never chosen in the export; name it.")
    return options


def _specify(label: str, facts: _ColumnFacts) -> dict[str, Any]:
    return (
        {"specify": True}
        if facts.specify and ("其他" in label or "其它" in label or "other" in label.casefold())
        else {}
    )


def _grid(columns: list[_ColumnFacts], used: set[str], notes: list[str]) -> dict[str, Any]:
    first = columns[0].column
    text = first.question_text or first.header
    code = _code(first, used)
    rows = []
    row_codes: set[str] = set()
    for index, facts in enumerate(columns, start=1):
        row_code = f"r{index}"
        row_codes.add(row_code)
        rows.append({"code": row_code, "text": {"zh-Hans": facts.column.part or f"第{index}行"}})
    bounds = _scale(columns, text) or (1, 5)
    construct = _construct(text, Construct.ATTRIBUTE_SATISFACTION)
    if construct not in (Construct.ATTRIBUTE_IMPORTANCE, Construct.ATTRIBUTE_SATISFACTION):
        construct = Construct.ATTRIBUTE_SATISFACTION
    notes.append(f"{code}: a grid of {len(rows)} rows on {bounds[0]}–{bounds[1]}, {construct.value}; check it.")
    return {
        "code": code, "type": "rating_grid", "construct": construct.value, "direction": "higher_is_better",
        "text": {"zh-Hans": text}, "required": False, "rows": rows, "scale": {"min": bounds[0], "max": bounds[1]},
    }  # fmt: skip
