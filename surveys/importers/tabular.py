"""Generic tables of responses: CSV/TSV, .xlsx and legacy .xls with one header row of names.

The headers are our own item codes (`q7_recommend`) or free names (`您对本店的总体满意度`); every column
becomes one `ExportColumn` whose `key` and `question_text` are the header, except:

- Recognised metadata names, in English and in the Chinese the platforms and agencies use (`response_id`,
  `编号`, `submitted_at`, `提交时间`, `duration_seconds`, `用时` …; see `METADATA_NAMES`), become role
  metadata. A duration column's cells are seconds as a float when they read as a duration (`136`, `136秒`,
  `2分3秒`, `0:02:16`); other metadata cells stay text as written.
- Columns named `{item}_{option}` with an integer option, side by side, whose every value in the file is
  0, 1 or empty (`q9_1, q9_2, q9_5`), are one multiple choice spread over a column per option: they are
  collapsed into one column keyed `q9` whose cells are the tuple of `Choice(code=option)` marked 1 (an
  empty tuple when all are 0; None when all are empty). This is a guess from the table alone: the matcher
  confirms it against the questionnaire (a grid of yes/no items would look the same) and can spread the
  tuple back to one 0/1 per option.

Every other cell is text as written, or None when empty. A multiple choice written in one cell as codes or
labels joined by `;`, `,` or `、` stays one string: the matcher splits it once it knows the item.

Excel: the first sheet; an .xlsx streams through openpyxl's read-only mode; merged cells in the header row
are an `InputError` (one header per column is what makes a column addressable).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from surveys.importers.export_table import (
    Cell,
    Choice,
    ColumnBatch,
    ExportColumn,
    ExportRow,
    ExportTable,
    MetadataField,
    as_written,
    blank_as_none,
)
from surveys.importers.text_columns import column_batches, is_plain
from surveys.importers.text_files import column_letter, open_delimited_text
from surveys.problems import InputError, Problem

_SPREAD = " ._-:：()（）"


def _normal(name: str) -> str:
    """A header reduced for lookup: lower case, without spaces and the punctuation names differ by."""
    return "".join(character for character in name.strip().lower() if character not in _SPREAD)


_NAMES_BY_FIELD: dict[MetadataField, list[str]] = {
    "response_id": ["response_id", "responseid", "id", "编号", "序号", "答卷编号", "答卷id", "答卷序号"],
    "respondent_key": [
        "respondent_key",
        "respondent_id",
        "customer_id",
        "customer_key",
        "member_id",
        "panel_id",
        "external_reference",
        "客户编号",
        "客户id",
        "会员号",
        "会员编号",
        "用户id",
        "用户编号",
    ],
    "submitted_at": [
        "submitted_at",
        "submit_date",
        "submitdate",
        "submit_time",
        "end_date",
        "end_time",
        "completed_at",
        "提交时间",
        "提交答卷时间",
        "结束时间",
        "结束答题时间",
        "完成时间",
    ],
    "started_at": ["started_at", "start_date", "startdate", "start_time", "开始时间", "开始答题时间"],
    "duration_seconds": [
        "duration_seconds",
        "duration",
        "duration (in seconds)",
        "用时",
        "所用时间",
        "答题时长",
        "答题用时",
        "填写用时",
        "时长",
    ],
    "status": ["status", "完成状态", "答卷状态", "状态"],
    "ip_address": ["ip", "ip_address", "ipaddress", "ipaddr", "来自ip", "ip地址", "填写ip"],
    "ip_location": ["ip_location", "ip属地", "ip所在地", "地理位置"],
    "channel": ["channel", "source", "来源", "渠道", "来源渠道"],
    "channel_detail": ["channel_detail", "source_detail", "来源详情"],
    "user_agent": ["user_agent", "useragent", "browser", "浏览器"],
    "name": ["name", "respondent_name", "姓名"],
    "phone": ["phone", "mobile", "telephone", "手机", "手机号", "手机号码", "电话", "联系电话"],
    "email": ["email", "e-mail", "email_address", "邮箱", "电子邮箱", "电子邮件"],
    "wechat": ["wechat", "wechat_id", "微信", "微信号"],
}
METADATA_NAMES: dict[str, MetadataField] = {
    _normal(name): field for field, names in _NAMES_BY_FIELD.items() for name in names
}


def metadata_field(header: str) -> MetadataField | None:
    """The metadata field a column header names, or None.

    >>> metadata_field("提交答卷时间"), metadata_field("Duration (in seconds)"), metadata_field("q7_recommend")
    ('submitted_at', 'duration_seconds', None)
    """
    return METADATA_NAMES.get(_normal(header))


_CHINESE_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(?:小时|时))?(?:(\d+(?:\.\d+)?)分(?:钟)?)?(?:(\d+(?:\.\d+)?)秒)?$")
_CLOCK_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$")


def duration_seconds(text: str) -> float | str:
    """A duration as written by a platform, in seconds; the text itself when it is not a duration.

    >>> duration_seconds("136"), duration_seconds("136秒"), duration_seconds("2分3秒"), duration_seconds("1:02:03")
    (136.0, 136.0, 123.0, 3723.0)
    >>> duration_seconds("about a minute")
    'about a minute'
    """
    value = text.strip()
    try:
        return float(value)
    except ValueError:
        pass
    match = _CHINESE_DURATION.match(value) if value else None
    if match and any(match.groups()):
        hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    match = _CLOCK_DURATION.match(value)
    if match:
        return float(match[1] or 0) * 3600 + float(match[2]) * 60 + float(match[3])
    return text


# ------------------------------------------------------------------------------------------------ sources


@dataclass
class _Sheet:
    """The rows of one table, whatever the file type: a header and a way to stream the rows (twice if needed)."""

    format: str
    header: tuple[str, ...]
    rows: Callable[[], Iterator[tuple[int, tuple[str | None, ...]]]]  # (row number, one cell per header)
    notes: list[str]
    columns: Callable[[], Iterator[ColumnBatch]] | None = None  # the same rows column-wise, for a plain text file


def _text_sheet(path: Path, source: str) -> _Sheet:
    opened = open_delimited_text(path, source=source)
    notes = [f"{source}: read as {_describe(opened.encoding)} text, {_DELIMITER_WORDS[opened.delimiter]}-delimited."]

    def rows() -> Iterator[tuple[int, tuple[str | None, ...]]]:
        records = open_delimited_text(path, source=source).records
        for record in records:
            yield record.row_number, blank_as_none(record.cells)

    header = tuple(opened.header_rows[0])
    columns = None
    if is_plain(path, opened.encoding):

        def columns() -> Iterator[ColumnBatch]:
            return column_batches(path, opened.delimiter, len(header), source)

    return _Sheet("csv", header, rows, notes, columns)


_DELIMITER_WORDS = {",": "comma", "\t": "tab", ";": "semicolon"}


def _describe(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8 (with BOM)", "utf-8": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030"}.get(
        encoding, encoding
    )


def spreadsheet_text(value: object) -> str | None:
    """A spreadsheet cell's value as the text a user sees (numbers without a trailing .0), None when empty.

    >>> spreadsheet_text(5.0), spreadsheet_text(2.5), spreadsheet_text(13800138000.0), spreadsheet_text("  ")
    ('5', '2.5', '13800138000', None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value.total_seconds())
    text = str(value)
    return text if text.strip() else None


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _merged_ranges(path: Path, worksheet_path: str) -> list[tuple[str, int, int]]:
    """(range, first row, last row) of every merged range of the sheet, found by scanning its XML in chunks."""
    found = []
    with zipfile.ZipFile(path) as archive, archive.open(worksheet_path) as stream:
        tail = b""
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            last_end = 0
            for match in _MERGE_CELL.finditer(data):
                first_column, first_row, last_column, last_row = match.groups()
                ending = last_row or first_row
                text = f"{first_column.decode()}{first_row.decode()}"
                if last_column:
                    text += f":{last_column.decode()}{last_row.decode()}"
                found.append((text, int(first_row), int(ending)))
                last_end = match.end()
            tail = data[max(last_end, len(data) - 200) :]
    return found


def _xlsx_sheet(path: Path, source: str) -> _Sheet:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    notes = _other_sheets(source, [each.title for each in workbook.worksheets])
    worksheet_path = getattr(sheet, "_worksheet_path", None)
    merged = _merged_ranges(path, worksheet_path) if worksheet_path else []
    header_merges = [text for text, first_row, _ in merged if first_row <= 1]
    if header_merges:
        workbook.close()
        raise InputError(
            f"{source} has merged cells in its header row.",
            [
                Problem(
                    f"sheet {sheet.title!r}, cells {text}",
                    "are merged into one header.",
                    "Unmerge them and give each column its own header (one header per column).",
                )
                for text in header_merges
            ],
        )
    notes += [
        f"{source}: cells {text} are merged; only the first holds the value, the others read as empty."
        for text, _, _ in merged
    ]
    first = next(sheet.iter_rows(values_only=True), None)
    workbook.close()
    if first is None:
        raise InputError(f"{source} is empty.", [Problem(f"sheet {sheet.title!r}", "has no rows, not even a header.")])
    header = _header([spreadsheet_text(value) for value in first], source)

    def rows() -> Iterator[tuple[int, tuple[str | None, ...]]]:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            values = book.worksheets[0].iter_rows(min_row=2, values_only=True)
            yield from _fit(((number, row) for number, row in enumerate(values, start=2)), len(header), source)
        finally:
            book.close()

    return _Sheet("xlsx", header, rows, notes)


def _xls_sheet(path: Path, source: str) -> _Sheet:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except xlrd.XLRDError as error:
        raise InputError(
            f"{source} cannot be read.", [Problem(source, f"is not an .xls workbook ({error}).")]
        ) from None
    sheet = book.sheet_by_index(0)
    notes = _other_sheets(source, book.sheet_names())
    header_merges = [merge for merge in sheet.merged_cells if merge[0] == 0]
    if header_merges:
        raise InputError(
            f"{source} has merged cells in its header row.",
            [
                Problem(
                    f"sheet {sheet.name!r}, cells {column_letter(low_column)}{low_row + 1}:"
                    f"{column_letter(high_column - 1)}{high_row}",
                    "are merged into one header.",
                    "Unmerge them and give each column its own header (one header per column).",
                )
                for low_row, high_row, low_column, high_column in header_merges
            ],
        )
    if sheet.nrows == 0:
        raise InputError(f"{source} is empty.", [Problem(f"sheet {sheet.name!r}", "has no rows, not even a header.")])

    def text(row: int, column: int) -> str | None:
        cell = sheet.cell(row, column)
        if cell.ctype == xlrd.XL_CELL_DATE:
            return spreadsheet_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return spreadsheet_text(bool(cell.value))
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return str(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
        return spreadsheet_text(cell.value)

    header = _header([text(0, column) for column in range(sheet.ncols)], source)

    def rows() -> Iterator[tuple[int, tuple[str | None, ...]]]:
        values = ((row + 1, [text(row, column) for column in range(sheet.ncols)]) for row in range(1, sheet.nrows))
        yield from _fit(values, len(header), source)

    return _Sheet("xls", header, rows, notes)


def _other_sheets(source: str, titles: list[str]) -> list[str]:
    if len(titles) < 2:
        return []
    return [f"{source}: read the first sheet {titles[0]!r}; not read: {', '.join(map(repr, titles[1:]))}."]


def _header(names: list[str | None], source: str) -> tuple[str, ...]:
    """Header names up to the last non-empty one; a name used twice is an InputError."""
    while names and names[-1] is None:
        names.pop()
    header = tuple(name or "" for name in names)
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(header):
        if name.strip():
            seen.setdefault(name.strip(), []).append(position)
    problems = [
        Problem(
            f"header, columns {', '.join(column_letter(position) for position in positions)}",
            f'"{name}" names {len(positions)} columns.',
            "Give each column its own name.",
        )
        for name, positions in seen.items()
        if len(positions) > 1
    ]
    if problems:
        raise InputError(f"{source} has duplicated column names.", problems)
    return header


def _fit(
    rows: Iterable[tuple[int, Sequence[object]]], width: int, source: str
) -> Iterator[tuple[int, tuple[str | None, ...]]]:
    """Spreadsheet rows cut or padded to the header's width; blank rows skipped; values right of the header
    reported together at the end."""
    problems = []
    for number, values in rows:
        cells = [value if isinstance(value, str | None) else spreadsheet_text(value) for value in values]
        cells = [cell if cell is None or cell.strip() else None for cell in cells]
        beyond = [position for position in range(width, len(cells)) if cells[position] is not None]
        if beyond:
            problems.append(
                Problem(
                    f"row {number}, cell {column_letter(beyond[0])}{number}",
                    "holds a value in a column that has no header.",
                    "Give the column a header or clear the cell.",
                )
            )
            continue
        if any(cell is not None for cell in cells):
            yield number, tuple(cells[:width]) + (None,) * (width - len(cells))
    if problems:
        raise InputError(f"{source} has values outside its header's columns.", problems[:20])


# ------------------------------------------------------------------------------------------------ reader


def read_tabular_export(path: Path, source: str | None = None) -> ExportTable:
    """Read a generic .csv, .tsv, .txt, .xlsx or .xls table of responses (one header row) into an ExportTable.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "wave.csv").write_text("编号,q1_overall,q9_1,q9_2\\n7,9,1,0\\n", encoding="utf-8")
    >>> table = read_tabular_export(folder / "wave.csv")
    >>> [(column.key, column.role, column.metadata) for column in table.columns]
    [(None, 'metadata', 'response_id'), ('q1_overall', 'answer', None), ('q9', 'answer', None)]
    >>> next(table.rows).cells
    ('7', '9', (Choice(label=None, code=1, specify=None),))
    """
    name = source or str(path)
    if not path.is_file():
        raise InputError(f"{name} cannot be read.", [Problem(name, "no such file.")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheet = _xlsx_sheet(path, name)
    elif suffix == ".xls":
        sheet = _xls_sheet(path, name)
    else:
        sheet = _text_sheet(path, name)
    return table_from_sheet(sheet.format, name, sheet.header, sheet.rows, sheet.notes, sheet.columns)


_OPTION_COLUMN = re.compile(r"^(.+)_(\d+)$")
_DICHOTOMY = frozenset({"0", "1"})


def table_from_sheet(
    format: str,
    source: str,
    header: Sequence[str],
    rows: Callable[[], Iterator[tuple[int, tuple[str | None, ...]]]],
    notes: list[str],
    column_batches: Callable[[], Iterator[ColumnBatch]] | None = None,
) -> ExportTable:
    """Columns from header names (metadata by name, 0/1 option columns collapsed), rows streamed from `rows()`.

    `rows` is called twice when the header has candidate option columns: once to check that their values are
    all 0/1/empty (stopping as soon as none is left to check), once to stream. `column_batches`, the same
    rows column-wise, is passed on when every column holds its text unchanged (no collapsed option columns,
    no duration read into seconds).
    """
    groups = _option_groups(header)
    if groups:
        candidates = {position: _DICHOTOMY for positions, _ in groups.values() for position in positions}
        fitting = values_within((cells for _, cells in rows()), candidates)
        groups = {
            item: group
            for item, group in groups.items()
            if set(group[0]) <= set(fitting) and sum(fitting[position] for position in group[0]) > 0
        }
    grouped = {positions[0]: (item, positions, codes) for item, (positions, codes) in groups.items()}
    inside = {position for positions, _ in groups.values() for position in positions[1:]}

    columns: list[ExportColumn] = []
    readers: list[Callable[[tuple[str | None, ...]], Cell] | None] = []  # None: the cell as it is
    for position, name in enumerate(header):
        if position in inside:
            continue
        if position in grouped:
            item, positions, codes = grouped[position]
            columns.append(ExportColumn(position, name, "answer", key=item, question_text=item))
            readers.append(_option_reader(positions, codes))
            notes.append(
                f"{source}: columns {header[positions[0]]} … {header[positions[-1]]} read as one multiple choice "
                f"{item!r} (one 0/1 column per option)."
            )
            continue
        field = metadata_field(name)
        if not name.strip():
            columns.append(ExportColumn(position, name, "ignored"))
            notes.append(f"{source}: column {column_letter(position)} has no header and is not read.")
        elif field is not None:
            columns.append(ExportColumn(position, name, "metadata", metadata=field))
        else:
            columns.append(ExportColumn(position, name, "answer", key=name.strip(), question_text=name.strip()))
        readers.append(_duration_reader(position) if field == "duration_seconds" else None)

    # Most columns pass their cell on unchanged: pick those in C, then let the few readers patch their cells.
    positions = [column.position for column in columns]
    special = [(index, read) for index, read in enumerate(readers) if read is not None]
    unchanged = positions == list(range(len(header))) and not special

    def export_rows() -> Iterator[ExportRow]:
        for number, cells in rows():
            raw = as_written(cells)  # the row as written, for quarantine
            if unchanged:
                yield ExportRow(number, cells, raw)
                continue
            values: list[Cell] = [cells[position] for position in positions]
            for index, read in special:
                values[index] = read(cells)
            yield ExportRow(number, tuple(values), raw)

    return ExportTable(
        format=format,
        source=source,
        columns=columns,
        rows=export_rows(),
        notes=notes,
        raw_header=tuple(header),
        column_batches=column_batches if unchanged else None,
    )


def _option_groups(header: Sequence[str]) -> dict[str, tuple[list[int], list[int]]]:
    """Runs of side-by-side columns `{item}_{integer}` (two or more, distinct integers): positions and codes."""
    groups: dict[str, tuple[list[int], list[int]]] = {}
    run_item: str | None = None
    for position, name in enumerate(header):
        match = _OPTION_COLUMN.match(name.strip())
        item = match[1] if match else None
        if item is not None and match is not None:
            code = int(match[2])
            if item == run_item and code not in groups[item][1]:
                groups[item][0].append(position)
                groups[item][1].append(code)
                continue
            if item not in groups:
                groups[item] = ([position], [code])
                run_item = item
                continue
        run_item = None
    return {item: group for item, group in groups.items() if len(group[0]) >= 2}


def values_within(rows: Iterable[Sequence[str | None]], allowed: Mapping[int, frozenset[str]]) -> dict[int, int]:
    """For each position whose every non-empty value (stripped) is among its `allowed` values: how many values
    it has (0 when all its cells are empty). Positions with any other value are left out.

    Reading stops as soon as every position has shown a value outside its set.

    >>> dichotomy = frozenset({"0", "1"})
    >>> values_within([("1", None, "x"), (None, "1", "0"), (None, None, None)], dict.fromkeys(range(4), dichotomy))
    {0: 1, 1: 1, 3: 0}
    """
    counts = dict.fromkeys(allowed, 0)
    for cells in rows:
        if not counts:
            break
        for position in list(counts):
            value = cells[position] if position < len(cells) else None
            if value is None:
                continue
            if value.strip() in allowed[position]:
                counts[position] += 1
            else:
                del counts[position]
    return counts


def _duration_reader(position: int) -> Callable[[tuple[str | None, ...]], Cell]:
    def read(cells: tuple[str | None, ...]) -> Cell:
        value = cells[position]
        return None if value is None else duration_seconds(value)

    return read


def _option_reader(positions: list[int], codes: list[int]) -> Callable[[tuple[str | None, ...]], Cell]:
    pairs = list(zip(positions, codes, strict=True))

    def read(cells: tuple[str | None, ...]) -> Cell:
        values = [(cells[position], code) for position, code in pairs]
        if all(value is None for value, _ in values):
            return None
        return tuple(Choice(code=code) for value, code in values if value is not None and value.strip() == "1")

    return read
