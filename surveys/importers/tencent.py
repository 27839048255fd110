"""腾讯问卷 (wj.qq.com) CSV downloads: `N.题干` headers, one `N.题干:选项` column per option or matrix row.

How the headers map onto `ExportColumn` (a colon may be ASCII or full-width; `N.` may also be `N．` or `N、`):

- `N.题干`: one question; `question_number` N, `question_text` 题干, `key` None (腾讯 has no stable id).
- `N.题干:X`, two or more side by side with the same N: either a multiple choice with one column per option X
  or a matrix with one column per row X. The cells tell them apart, so the file is read once in advance
  (stopping early): when every value in all of them is 0, 1, empty, or the column's own option text X, they
  are one multiple choice, collapsed into a column of `tuple[Choice(label=X)]` (chosen: 1 or X; an empty
  tuple when all are 0; None when all are empty). Otherwise each is a matrix row with `part` X.
- `N.题干:X_填空` or `N.题干:X_填空1`: the text typed into option X's box, role specify with `part` X.
  `N.题干_填空N` without an option belongs to the question when an `N.` question column is there (specify,
  `part` None), and is otherwise one blank of a fill-in question (role answer, `part` 填空N).
- Respondent fields by name (`tabular.metadata_field`): 编号 → response_id, 开始答题时间 → started_at,
  结束答题时间 → submitted_at, 答题时长 → duration_seconds (seconds as a float: `120`, `2分0秒`), IP →
  ip_address, 来源 → channel, 地理位置 → ip_location, 昵称 → name, openid → wechat.

Single-choice and matrix cells hold the option's text as 腾讯 writes it; without the questionnaire a reader
cannot tell them from free text, so they stay text and the matcher looks them up among the item's labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from surveys.importers.export_table import Cell, Choice, ExportColumn, ExportRow, ExportTable, MetadataField
from surveys.importers.tabular import duration_seconds, metadata_field, values_within
from surveys.importers.text_files import open_delimited_text
from surveys.problems import InputError, Problem

_QUESTION = re.compile(r"^(\d+)[.．、]\s*(.*)$", re.DOTALL)
_FILL_IN = re.compile(r"^(.*?)_(填空\d*)$", re.DOTALL)
_COLONS = (":", "：")
_EXTRA_FIELDS: dict[str, MetadataField] = {"昵称": "name", "openid": "wechat", "微信openid": "wechat"}


@dataclass(frozen=True, slots=True)
class _Header:
    position: int
    header: str
    number: int
    rest: str  # the header after "N."


def read_tencent_export(path: Path, source: str | None = None) -> ExportTable:
    """Read a 腾讯问卷 CSV download into an ExportTable.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "腾讯问卷.csv"
    >>> _ = path.write_text(
    ...     "编号,答题时长,1.您的性别,2.您常用的渠道:门店,2.您常用的渠道:小程序\\n1,2分5秒,女,1,0\\n",
    ...     encoding="utf-8-sig")
    >>> table = read_tencent_export(path)
    >>> [(column.question_number, column.question_text, column.metadata) for column in table.columns]
    [(None, None, 'response_id'), (None, None, 'duration_seconds'), (1, '您的性别', None), (2, '您常用的渠道', None)]
    >>> next(table.rows).cells
    ('1', 125.0, '女', (Choice(label='门店', code=None, specify=None),))
    """
    name = source or str(path)
    if not path.is_file():
        raise InputError(f"{name} cannot be read.", [Problem(name, "no such file.")])
    header = open_delimited_text(path, source=name).header_rows[0]

    groups: list[list[_Header]] = []
    plain: dict[int, str] = {}
    for position, text in enumerate(header):
        match = _QUESTION.match(text.strip())
        if match is None:
            plain[position] = text
            continue
        entry = _Header(position, text, int(match[1]), match[2])
        if groups and groups[-1][-1].number == entry.number and groups[-1][-1].position == position - 1:
            groups[-1].append(entry)
        else:
            groups.append([entry])

    layouts = [_layout(group) for group in groups]
    candidates = {
        position: frozenset({"0", "1", option}) for layout in layouts for position, option in layout.options.items()
    }
    fitting: dict[int, int] = {}
    if candidates:
        records = open_delimited_text(path, source=name).records
        fitting = values_within(
            (tuple(cell if cell.strip() else None for cell in record.cells) for record in records), candidates
        )

    described: dict[int, tuple[ExportColumn, Callable[[tuple[str, ...]], Cell]]] = {}
    for position, text in plain.items():
        field = metadata_field(text) or _EXTRA_FIELDS.get(text.strip().lower())
        if field is not None:
            reader = _duration(position) if field == "duration_seconds" else _text(position)
            described[position] = (ExportColumn(position, text, "metadata", metadata=field), reader)
        elif text.strip():
            described[position] = (ExportColumn(position, text, "answer", question_text=text.strip()), _text(position))
        else:
            described[position] = (ExportColumn(position, text, "ignored"), _text(position))
    notes = []
    for layout in layouts:
        options = layout.options
        collapse = bool(options) and set(options) <= set(fitting) and sum(fitting[at] for at in options) > 0
        described.update(layout.columns(collapse))
        if collapse:
            notes.append(
                f"{name}: question {layout.number}'s {len(layout.options)} option columns read as one multiple choice."
            )
    ordered = [described[position] for position in sorted(described)]
    columns = [column for column, _ in ordered]
    readers = [reader for _, reader in ordered]

    def rows() -> Iterator[ExportRow]:
        for record in open_delimited_text(path, source=name).records:
            yield ExportRow(record.row_number, tuple(read(record.cells) for read in readers), tuple(record.cells))

    return ExportTable(
        format="tencent", source=name, columns=columns, rows=rows(), notes=notes, raw_header=tuple(header)
    )


def _split_colon(text: str) -> tuple[str, str] | None:
    cut = max(text.rfind(colon) for colon in _COLONS)
    return (text[:cut], text[cut + 1 :]) if cut >= 0 else None


@dataclass
class _FillIn:
    entry: _Header
    question: str  # the question's text, as far as this header tells
    option: str | None  # the option whose box it is, when the header names one
    blank: str  # 填空, 填空1 …


@dataclass
class _Layout:
    """One question's columns: the question's own, its per-option or per-row columns, its fill-in boxes."""

    number: int
    stem: str  # the question's text shared by its per-option or per-row columns
    own: list[_Header]
    subs: list[tuple[_Header, str]]  # (column, option or row label)
    fill_ins: list[_FillIn]

    @property
    def options(self) -> dict[int, str]:
        return {entry.position: label for entry, label in self.subs}

    def columns(self, collapse: bool) -> dict[int, tuple[ExportColumn, Callable[[tuple[str, ...]], Cell]]]:
        described: dict[int, tuple[ExportColumn, Callable[[tuple[str, ...]], Cell]]] = {}
        for entry in self.own:
            column = ExportColumn(entry.position, entry.header, "answer", self.number, entry.rest)
            described[entry.position] = (column, _text(entry.position))
        if collapse:
            first = self.subs[0][0]
            labels = tuple(label for _, label in self.subs)
            column = ExportColumn(first.position, first.header, "answer", self.number, self.stem, options=labels)
            described[first.position] = (column, _options([(entry.position, label) for entry, label in self.subs]))
        else:
            for entry, label in self.subs:
                column = ExportColumn(entry.position, entry.header, "answer", self.number, self.stem, part=label)
                described[entry.position] = (column, _text(entry.position))
        asked = bool(self.own or self.subs)
        for fill_in in self.fill_ins:
            entry = fill_in.entry
            if asked:
                column = ExportColumn(
                    entry.position, entry.header, "specify", self.number, fill_in.question, fill_in.option
                )
            else:  # the blanks of a fill-in question
                column = ExportColumn(
                    entry.position, entry.header, "answer", self.number, fill_in.question, fill_in.blank
                )
            described[entry.position] = (column, _text(entry.position))
        return described


def _layout(group: list[_Header]) -> _Layout:
    others: list[_Header] = []
    fill_ins: list[_FillIn] = []
    for entry in group:
        match = _FILL_IN.match(entry.rest)
        if match is None:
            others.append(entry)
            continue
        split = _split_colon(match[1])
        question, option = split if split else (match[1], None)
        fill_ins.append(_FillIn(entry, question, option, match[2]))
    splits = [(entry, _split_colon(entry.rest)) for entry in others]
    stems = {split[0] for _, split in splits if split is not None}
    subs = [(entry, split[1]) for entry, split in splits if split is not None]
    if len(subs) >= 2 and len(stems) == 1:
        own = [entry for entry, split in splits if split is None]
        stem = stems.pop()
    else:  # no option columns; "N.题干:X" alone is a question whose text holds a colon
        own, subs = others, []
        stem = others[0].rest if others else fill_ins[0].question
    for fill_in in fill_ins:
        if fill_in.option is None and own:
            fill_in.question = own[0].rest
    return _Layout(group[0].number, stem, own, subs, fill_ins)


def _text(position: int) -> Callable[[tuple[str, ...]], Cell]:
    def read(cells: tuple[str, ...]) -> Cell:
        value = cells[position]
        return value if value.strip() else None

    return read


def _duration(position: int) -> Callable[[tuple[str, ...]], Cell]:
    def read(cells: tuple[str, ...]) -> Cell:
        value = cells[position]
        return duration_seconds(value) if value.strip() else None

    return read


def _options(pairs: list[tuple[int, str]]) -> Callable[[tuple[str, ...]], Cell]:
    def read(cells: tuple[str, ...]) -> Cell:
        values = [(cells[position].strip(), label) for position, label in pairs]
        if all(not value for value, _ in values):
            return None
        return tuple(Choice(label=label) for value, label in values if value in ("1", label))

    return read
