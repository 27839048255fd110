"""The platform-neutral shape every importer reads an export into: columns described once, rows of cells.

A platform reader (`surveys/importers/wjx.py`, `tencent.py`, `qualtrics.py`, `limesurvey.py`, `tabular.py`)
knows its platform's quirks and nothing of our questionnaires: it turns the file into an `ExportTable`.
What follows is the same for every platform: columns are matched to the questionnaire's variables
(`column_matching`), cells become answer values (`answer_coding`), responses are checked and stored.

Rules for readers:
- One `ExportColumn` per question, per grid row, or per "please specify" text. A platform that spreads a
  multiple choice or a ranking over one column per option (问卷星's `第3题(选项)`, LimeSurvey's
  `Q5[SQ001]`) collapses them into one column whose cells are tuples of `Choice`.
- A cell is what the respondent gave, as the platform wrote it, parsed only as far as the platform's own
  syntax goes: `Choice(label="3分")` from a by-text download, `Choice(code=4)` from a by-code download,
  both when a reader has both files; a plain `str` for free text or an unlabelled number as written.
  Matching labels and codes to our option codes happens later, once, for every platform.
- An absent answer is `None` when the platform left the cell empty, or a `Missing` with the reason when the
  platform says why (问卷星's −3 or "(跳过)": the question was skipped by routing).
- `row_number` is the line a user sees in a spreadsheet (the first data row under one header row is 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, cast


class Missing(StrEnum):
    """Why an answer is absent, when the platform says so."""

    NOT_SHOWN = "not_shown"  # routing skipped the question (问卷星 −3, "(跳过)")
    NOT_CHOSEN = "not_chosen"  # a ranking position left empty (问卷星 −2)
    SCREENED_OUT = "screened_out"  # the respondent was screened out before this question
    REFUSED = "refused"  # an explicit "prefer not to say" code the platform marks as missing


@dataclass(frozen=True, slots=True)
class Choice:
    """One chosen option as a platform records it: by label, by the platform's code, or both."""

    label: str | None = None
    code: int | None = None  # the platform's own code; for 问卷星 the option's 1-based position
    specify: str | None = None  # the "other, please specify" text that came with it


Cell = None | str | float | Missing | Choice | tuple[Choice, ...]  # a tuple: several choices, or a ranking in order


def cell_text(cell: Cell) -> str:
    """A cell as plain text: a choice by its label (else its code), several joined by ;, nothing as "".

    >>> cell_text((Choice(label="价格"), Choice(code=3))), cell_text(12.0), cell_text(Missing.NOT_SHOWN)
    ('价格;3', '12', '')
    """
    if cell is None or isinstance(cell, Missing):
        return ""
    if isinstance(cell, Choice):
        return cell.label or ("" if cell.code is None else str(cell.code))
    if isinstance(cell, tuple):
        return ";".join(cell_text(part) for part in cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    return cell.strip()


MetadataField = Literal[
    "response_id",  # the platform's id of the response (问卷星 序号, Qualtrics ResponseId)
    "respondent_key",  # a customer or panel id that links to CRM records
    "started_at",
    "submitted_at",
    "duration_seconds",
    "status",  # complete, partial, screened_out
    "ip_address",
    "ip_location",  # e.g. 上海-上海, from 问卷星's "183.192.16.69(上海-上海)"
    "channel",  # 来源 / Distribution Channel
    "channel_detail",
    "user_agent",
    "name",
    "phone",
    "email",
    "wechat",
]


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """What one (logical) column of an export holds."""

    position: int  # 0-based position of its first physical column in the file
    header: str  # as written in the file
    role: Literal["answer", "specify", "metadata", "ignored"]
    question_number: int | None = None  # the platform's question number (问卷星 "3、…", 腾讯 "3.")
    question_text: str | None = None  # the question's wording as the platform wrote it
    part: str | None = None  # a grid row's label (matrix rows) or, for role specify, the option it belongs to
    key: str | None = None  # a platform's stable key (Qualtrics ImportId, LimeSurvey question code)
    metadata: MetadataField | None = None  # for role metadata: which field
    options: tuple[str, ...] = ()  # option labels in platform order, when the export shows them


@dataclass(frozen=True, slots=True)
class ExportRow:
    row_number: int  # the line a user sees in a spreadsheet
    cells: tuple[Cell, ...]  # one per ExportColumn, in the same order
    raw: tuple[str, ...] = ()  # the physical row as text, unchanged: what a quarantine file gets back


def blank_as_none(cells: tuple[str, ...]) -> tuple[str | None, ...]:
    """Text cells as written, with each empty or blank one None.

    >>> blank_as_none(("1", "", " ", "x"))
    ('1', None, None, 'x')
    """
    if "" not in cells and not any(map(str.isspace, cells)):
        return cells  # the usual row, checked in C: a million rows read this way in a third of the time
    return tuple([cell if cell and not cell.isspace() else None for cell in cells])


def as_written(cells: tuple[str | None, ...]) -> tuple[str, ...]:
    """Empty cells back as "" (the cells themselves when none is empty, checked in C: no copy per row).

    >>> as_written(("1", None, "x"))
    ('1', '', 'x')
    """
    if None not in cells:
        return cast(tuple[str, ...], cells)
    return tuple(["" if cell is None else cell for cell in cells])


@dataclass(frozen=True, slots=True)
class ColumnBatch:
    """Consecutive rows of a text table whose every column is one ExportColumn holding its text as written
    (no metadata cell read into another type), as one pyarrow string array per column.

    Cells are never null: an empty cell is "". `first_row_number` is the row a spreadsheet shows for the
    batch's first row; the rows that follow are numbered on from it.
    """

    first_row_number: int
    columns: list[Any]  # pyarrow.StringArray, one per ExportColumn, in the same order

    @property
    def size(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def export_rows(self, positions: range | list[int]) -> list[ExportRow]:
        """The rows at `positions` (0-based, within the batch, in order) as the row-by-row reader gives them."""
        if isinstance(positions, range) and positions.step == 1:
            texts = [column.slice(positions.start, len(positions)).to_pylist() for column in self.columns]
        else:
            texts = [column.take(list(positions)).to_pylist() for column in self.columns]
        rows = []
        for position, written in zip(positions, zip(*texts, strict=True), strict=True):
            cells = blank_as_none(written)
            rows.append(ExportRow(self.first_row_number + position, cells, as_written(cells)))
        return rows


@dataclass
class ExportTable:
    """An export read by a platform reader; `rows` is consumed once (readers stream large files)."""

    format: str  # wjx, tencent, qualtrics, limesurvey, csv, xlsx, sav
    source: str  # the file name(s) as the user gave them, for messages
    columns: list[ExportColumn]
    rows: Iterator[ExportRow]
    notes: list[str] = field(default_factory=list)  # what the reader noticed and the user should know
    # What Choice.code means in this export: the option's value (SPSS, Qualtrics numeric) or its 1-based
    # position among the options (问卷星's by-code download, where code 4 on a 0–10 scale means "3分").
    choice_codes: Literal["value", "position"] = "value"
    raw_header: tuple[str, ...] = ()  # the physical header row(s) as text, for the quarantine file
    # The same rows column-wise, when the reader can give them so (a plain CSV file: text_columns.py); `rows`
    # and `column_batches` stream the same file, and an import reads one or the other.
    column_batches: Callable[[], Iterator[ColumnBatch]] | None = None
