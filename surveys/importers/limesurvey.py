"""LimeSurvey CSV exports with question-code headings (`Q5`, `Q5[SQ001]`), "answer codes" or "full answers".

The heading's question code is the column's `key`; what is in brackets says which part of the question:

- `Q5`: a question (list, free text, numeric …). Its cells stay text as written: an answer code (`A2`) in
  a codes export, the answer's text in a full-answers one; the matcher looks either up among the item's
  options.
- `Q5[SQ001]`, two or more side by side (comment columns between them allowed): a multiple choice with one
  column per option, or an array (grid) with one column per row; the cells decide, in one early-stopping
  pass before streaming. When every value is `Y` (codes), `Yes`/`是` (full answers), `1`/`0` (the "convert
  Y to 1" export option) or empty, the columns are one multiple choice, collapsed into a column of
  `tuple[Choice]` naming the chosen sub-question codes; otherwise each is an array row with `part` the
  sub-question code.
- `Q5[1]`, `Q5[2]` …: a ranking, when the sub-codes run 1, 2, … and no row repeats a value across them:
  one column of the ranked options in rank order (ranks left empty at the end are not part of it).
- `Q5[other]` is the "other" text of a list or multiple choice, role specify with `part` "other";
  `Q5[SQ001comment]` the comment on option SQ001 (specify, `part` SQ001); `Q5[comment]` a list's comment.
- `Q5[SQ001][1]` (dual scale) and `Q5[SQ001_SQ002]` (array of texts or numbers) are one column each,
  `part` the bracketed codes.
- Respondent fields: `id` → response_id, `submitdate` → submitted_at (empty for an incomplete response),
  `startdate` → started_at, `ipaddr` → ip_address, `token` → respondent_key, `refurl` → channel_detail,
  `interviewtime` → duration_seconds; `lastpage`, `startlanguage`, `seed`, `datestamp` and timings
  (`Q5Time`, `groupTime12`) are ignored; participant attributes go through `tabular.metadata_field`.

A chosen option, or a ranked answer, is `Choice(code=n)` when its code is a whole number and
`Choice(label=code)` otherwise: `Choice.code` holds numbers only, and LimeSurvey's codes are text (`SQ001`,
`A1`). In a full-answers export a ranking holds the answers' texts, which land in `label` the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from surveys.importers.export_table import Cell, Choice, ExportColumn, ExportRow, ExportTable, MetadataField
from surveys.importers.tabular import duration_seconds, metadata_field
from surveys.importers.text_files import open_delimited_text
from surveys.problems import InputError, Problem

_HEADING = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)(?:\[([^\]]*)\])?(?:\[([^\]]*)\])?$")
_RESPONSE_FIELDS: dict[str, MetadataField | None] = {
    "id": "response_id",
    "submitdate": "submitted_at",
    "startdate": "started_at",
    "ipaddr": "ip_address",
    "token": "respondent_key",
    "refurl": "channel_detail",
    "interviewtime": "duration_seconds",
    "lastpage": None,
    "startlanguage": None,
    "seed": None,
    "datestamp": None,
}
_CHOSEN = frozenset({"Y", "Yes", "是", "1"})
_OPTION_MARKS = _CHOSEN | {"0"}

Reader = Callable[[tuple[str, ...]], Cell]


@dataclass
class _Group:
    """Side-by-side `code[sub]` columns of one question: the candidates for options or a ranking."""

    code: str
    entries: list[tuple[int, str, str]] = field(default_factory=list)  # (position, header, sub-code)
    options_fit: bool = True
    options_seen: bool = False
    ranking_fit: bool = True
    ranking_seen: bool = False

    @property
    def may_rank(self) -> bool:
        return [sub for _, _, sub in self.entries] == [str(rank) for rank in range(1, len(self.entries) + 1)]

    def look(self, cells: tuple[str, ...]) -> None:
        values = [cells[position].strip() for position, _, _ in self.entries]
        given = [value for value in values if value]
        if self.options_fit and given:
            self.options_fit = all(value in _OPTION_MARKS for value in given)
            self.options_seen = True
        if self.ranking_fit and given:
            self.ranking_fit = len(set(given)) == len(given)
            self.ranking_seen = self.ranking_seen or len(given) >= 2

    @property
    def undecided(self) -> bool:
        return self.options_fit or (self.ranking_fit and self.may_rank)


def read_limesurvey_export(path: Path, source: str | None = None) -> ExportTable:
    """Read a LimeSurvey CSV export (question-code headings; answer codes or full answers) into an ExportTable.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "results-survey123456.csv"
    >>> _ = path.write_text(
    ...     'id,submitdate,lastpage,Q1,Q2[SQ001],Q2[SQ002],Q2[other]\\n'
    ...     '7,2026-03-01 10:17:18,3,A4,Y,,via WeChat\\n', encoding="utf-8")
    >>> table = read_limesurvey_export(path)
    >>> [(column.key, column.role, column.part or column.metadata) for column in table.columns[3:]]
    [('Q1', 'answer', None), ('Q2', 'answer', None), ('Q2', 'specify', 'other')]
    >>> next(table.rows).cells
    ('7', '2026-03-01 10:17:18', '3', 'A4', (Choice(label='SQ001', code=None, specify=None),), 'via WeChat')
    """
    name = source or str(path)
    if not path.is_file():
        raise InputError(f"{name} cannot be read.", [Problem(name, "no such file.")])
    header = open_delimited_text(path, source=name).header_rows[0]
    parsed = [_HEADING.match(text.strip()) for text in header]
    codes = {match[1] for match in parsed if match is not None and match[2] is None}

    groups: list[_Group] = []
    current: _Group | None = None  # the question whose columns run on; its comment columns do not break the run
    for position, (text, match) in enumerate(zip(header, parsed, strict=True)):
        if match is None or match[2] is None:
            current = None
            continue
        if current is None or current.code != match[1]:
            current = _Group(match[1])
            groups.append(current)
        if match[3] is None and _specify_part(match[2]) is None:
            current.entries.append((position, text, match[2]))
    groups = [group for group in groups if len(group.entries) >= 2]
    if groups:
        undecided = list(groups)
        for record in open_delimited_text(path, source=name).records:
            for group in undecided:
                group.look(record.cells)
            undecided = [group for group in undecided if group.undecided]
            if not undecided:
                break

    described: dict[int, tuple[ExportColumn, Reader]] = {}
    notes: list[str] = []
    grouped: set[int] = set()
    for group in groups:
        positions = [position for position, _, _ in group.entries]
        first, first_header = group.entries[0][0], group.entries[0][1]
        subs = tuple(sub for _, _, sub in group.entries)
        if group.options_fit and group.options_seen:
            column = ExportColumn(first, first_header, "answer", key=group.code, options=subs)
            described[first] = (column, _options(list(zip(positions, subs, strict=True))))
            notes.append(f"{name}: {group.code}'s {len(subs)} option columns read as one multiple choice.")
        elif group.may_rank and group.ranking_fit and group.ranking_seen:
            described[first] = (ExportColumn(first, first_header, "answer", key=group.code), _ranking(positions))
            notes.append(f"{name}: {group.code}[1] … {group.code}[{len(subs)}] read as one ranking.")
        else:
            continue
        grouped.update(positions)

    for position, (text, match) in enumerate(zip(header, parsed, strict=True)):
        if position in grouped:
            continue
        described[position] = _column(position, text, match, codes)
    ordered = [described[position] for position in sorted(described)]
    columns = [column for column, _ in ordered]
    readers = [reader for _, reader in ordered]

    def rows() -> Iterator[ExportRow]:
        for record in open_delimited_text(path, source=name).records:
            yield ExportRow(record.row_number, tuple(read(record.cells) for read in readers), tuple(record.cells))

    return ExportTable(
        format="limesurvey", source=name, columns=columns, rows=rows(), notes=notes, raw_header=tuple(header)
    )


def _specify_part(sub: str) -> str | None:
    """The part a specify column belongs to: `other` → "other", `comment` → "comment", `SQ001comment` → SQ001."""
    if sub in ("other", "comment"):
        return sub
    if sub.endswith("comment"):
        return sub.removesuffix("comment")
    return None


def _column(position: int, text: str, match: re.Match[str] | None, codes: set[str]) -> tuple[ExportColumn, Reader]:
    lowered = text.strip().lower()
    if lowered in _RESPONSE_FIELDS:
        which = _RESPONSE_FIELDS[lowered]
        if which is None:
            return ExportColumn(position, text, "ignored"), _text(position)
        reader = _duration(position) if which == "duration_seconds" else _text(position)
        return ExportColumn(position, text, "metadata", metadata=which), reader
    if match is None:
        which = metadata_field(text)
        if which is not None:
            return ExportColumn(position, text, "metadata", metadata=which), _text(position)
        return ExportColumn(position, text, "answer", question_text=text.strip() or None), _text(position)
    code, sub, second = match[1], match[2], match[3]
    if sub is None:
        if re.fullmatch(r"groupTime\d+", code) or (code.endswith("Time") and code.removesuffix("Time") in codes):
            return ExportColumn(position, text, "ignored", key=code), _text(position)
        which = metadata_field(code)
        if which is not None:
            return ExportColumn(position, text, "metadata", key=code, metadata=which), _text(position)
        return ExportColumn(position, text, "answer", key=code), _text(position)
    specify = _specify_part(sub) if second is None else None
    if specify is not None:
        return ExportColumn(position, text, "specify", key=code, part=specify), _text(position)
    part = f"{sub}[{second}]" if second is not None else sub
    return ExportColumn(position, text, "answer", key=code, part=part), _text(position)


def _choice(code: str) -> Choice:
    return Choice(code=int(code)) if code.isdigit() else Choice(label=code)


def _text(position: int) -> Reader:
    def read(cells: tuple[str, ...]) -> Cell:
        value = cells[position]
        return value if value.strip() else None

    return read


def _duration(position: int) -> Reader:
    def read(cells: tuple[str, ...]) -> Cell:
        value = cells[position]
        return duration_seconds(value) if value.strip() else None

    return read


def _options(pairs: list[tuple[int, str]]) -> Reader:
    def read(cells: tuple[str, ...]) -> Cell:
        values = [(cells[position].strip(), sub) for position, sub in pairs]
        if all(not value for value, _ in values):
            return None
        return tuple(_choice(sub) for value, sub in values if value in _CHOSEN)

    return read


def _ranking(positions: list[int]) -> Reader:
    def read(cells: tuple[str, ...]) -> Cell:
        # LimeSurvey fills ranks from 1 without gaps (its form moves answers up), so order is rank.
        ranked = tuple(_choice(cells[position].strip()) for position in positions if cells[position].strip())
        return ranked or None

    return read
