"""问卷星 (wjx.cn) downloads read into an `ExportTable`: the by-text and by-code pair, or either alone.

问卷星 gives every download twice: by option text (按选项文本, its file name ends in `_0`) and by option
code (按选项序号, `_2`). `read_wjx` takes one or both, in any order, as legacy .xls (BIFF, code page 936),
.xlsx or CSV (UTF-8, UTF-8 with BOM, GB18030; UTF-16 tab-separated as Excel saves it), and tells which
is which from the content, never from the file name: a by-code file has `第N题(选项)` columns or numeric
codes such as −3; a by-text file has option texts, `┋`, `→`, `〖…〗` and `(跳过)`.

How each 问卷星 quirk lands in the `ExportTable`:

- Metadata columns `序号 提交答卷时间 所用时间 来源 来源详情 来自IP`, in whatever order the download has them
  (the 2016 layout puts `来自IP` fourth), become metadata columns: `response_id` (序号 as written, "17"),
  `submitted_at` (an ISO 8601 text with the +08:00 offset: 问卷星 writes Beijing time, Asia/Shanghai),
  `duration_seconds` (a float from `136秒`, `2分3秒`, `1小时2分3秒`), `channel` (来源), `channel_detail`
  (来源详情), and from `183.192.16.69(上海-上海)` two columns, `ip_address` and `ip_location`. Other columns
  before the first question are kept with role `ignored` and listed in the notes.
- `N、题干` headers give `question_number` N and `question_text` (问卷星's own type marker such as
  ` (单选题 *必答)` is taken off the text; the header keeps it).
- A matrix question is one column per row: the first header is `N、题干—第一行`, the next ones only the row
  label. Each row becomes a column with the question's number and text and `part` = the row label.
  A header with neither number nor matrix before it (问卷星 writes `请选择省份城市与地区:` so) is a
  question of its own with `question_number` None.
- By text: one chosen option is `Choice(label=…)`; `┋` joins a multiple choice and `→` a ranking, both
  read as a tuple of `Choice` (a ranking in rank order); `其他【请注明】〖柜台〗` is
  `Choice(label="其他【请注明】", specify="柜台")`.
- By code: a single choice is `Choice(code=…)`, the option's 1-based position; so on a 0–10 scale code 4
  is the fifth option, "3分". The `第N题(选项)` columns of one question collapse into one column: 0/1
  columns (multiple choice) into a tuple of `Choice(code=position)` in option order; rank columns (the
  rank, −2 when not ranked) into a tuple in rank order. The option labels from those headers go to
  `ExportColumn.options`. A by-code file writes free text as text: it stays a `str`.
- Both files: the cells merge, so a choice carries both, `Choice(label="3分", code=4)`, and later matching
  maps through the labels. The two files must agree cell by cell (same 序号 on every row, "(跳过)" where
  −3 is, a label always with the same code); any disagreement is an `InputError`.

Missing values, as 问卷星 writes them:

- `(跳过)` (by text) and −3 (by code) → `Missing.NOT_SHOWN`: 问卷星 writes them when routing (跳题逻辑 or
  显示逻辑) did not show the question; every −3 in the samples stands where the text file says "(跳过)".
  A respondent screened out early (respondent 1 of the 2016 sample) has NOT_SHOWN everywhere after the
  screening question: the download cannot tell a screen-out from a skip, the questionnaire can.
- −2 (by code) → `Missing.NOT_CHOSEN`: 问卷星 writes it in a ranking's column for an option that was not
  ranked (the only place −2 occurs in the samples, also for a ranking routing skipped); an option not
  ranked is left out of the ranking's tuple, and a ranking with no option ranked is NOT_CHOSEN (when the
  text file says "(跳过)" for it, the pair reads NOT_SHOWN). A −2 in any other column is NOT_CHOSEN too.
- An empty cell → `None`. A row with no value at all is not a response and is left out; row numbers
  still count it, so they stay the lines a user sees in the spreadsheet.

What a reader cannot know from one file alone, and so leaves to matching: a by-text download alone reads a
free-text answer as a `Choice(label=…)` unless its header carries 问卷星's `(填空题)` marker; a by-code
download alone has no "please specify" texts and reads a number typed into an unmarked free-text question as
a code, unless the first rows show text in that column.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice, zip_longest
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from surveys.importers.export_table import (
    Cell,
    Choice,
    ExportColumn,
    ExportRow,
    ExportTable,
    MetadataField,
    Missing,
)
from surveys.problems import InputError, Problem

BEIJING_TIME = ZoneInfo("Asia/Shanghai")

METADATA_HEADERS: dict[str, tuple[MetadataField, ...]] = {
    "序号": ("response_id",),
    "提交答卷时间": ("submitted_at",),
    "所用时间": ("duration_seconds",),
    "来源": ("channel",),
    "来源详情": ("channel_detail",),
    "来自IP": ("ip_address", "ip_location"),
}

SKIPPED_TEXT = "(跳过)"  # 问卷星's by-text mark for a question routing did not show
NOT_SHOWN_CODE = -3
NOT_CHOSEN_CODE = -2
PEEKED_ROWS = 200  # rows read ahead to tell by-text from by-code and free text from codes
REMEMBERED_ANSWERS = 4096  # distinct answers per column whose cells are kept for reuse (free text has more)

FIX_PAIR = (
    "Give the by-text (按选项文本) and by-code (按选项序号) downloads of the same survey, made at the same time; "
    "download both again from 问卷星 (查看下载答卷 → 下载答卷数据)."
)
FIX_LAYOUT = (
    "Give the file as 问卷星 downloaded it (查看下载答卷 → 下载答卷数据), with its header row 序号, 提交答卷时间 … "
    "and the question columns; for another table use --format csv or xlsx."
)

_NUMBERED = re.compile(r"^(\d+)、(.*)$", re.DOTALL)
_OPTION_COLUMN = re.compile(r"^第(\d+)题[(（](.*)[)）]$", re.DOTALL)
_TYPE_MARKER = re.compile(r"\s*[(（]\s*([^()（）]*?题)\s*(?:\*\s*必答)?\s*[)）]\s*$")
_SPECIFIED = re.compile(r"^(.*?)〖(.*)〗$", re.DOTALL)
_SPECIFY_PART = re.compile(r"〖[^〗]*〗")
_NUMBER = re.compile(r"^\s*[+-]?\d+(?:\.\d+)?\s*$")
_DURATION = re.compile(
    r"^\s*(?:(\d+)\s*天)?\s*(?:(\d+)\s*(?:小时|时))?\s*(?:(\d+)\s*(?:分钟|分))?\s*(?:(\d+(?:\.\d+)?)\s*秒)?\s*$"
)
_IP_WITH_LOCATION = re.compile(r"^\s*([^\s()（）]+)\s*(?:[(（](.*)[)）])?\s*$", re.DOTALL)
_PLAIN_TIME = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2}) (\d{1,2}):(\d{2})(?::(\d{2}))?$")
_SUBMISSION_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M")

RawValue = str | float | datetime | None


# ---------------------------------------------------------------------------------------------------------
# The metadata parsers


def duration_in_seconds(text: str) -> float:
    """Seconds from 问卷星's 所用时间: `136秒`, `2分3秒`, `1小时2分3秒` (also `1天…`, or a bare number).

    Raises `ValueError` naming the text when it is none of these.

    Examples
    --------
    >>> duration_in_seconds("136秒"), duration_in_seconds("2分3秒"), duration_in_seconds("1小时2分3秒")
    (136.0, 123.0, 3723.0)
    """
    if _NUMBER.match(text):
        return float(text)
    match = _DURATION.match(text)
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(f"所用时间 {text!r} is not a duration like 136秒, 2分3秒 or 1小时2分3秒")
    days, hours, minutes, seconds = (float(group) if group else 0.0 for group in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def split_ip_address(text: str) -> tuple[str, str | None]:
    """The address and the place from 问卷星's 来自IP: `183.192.16.69(上海-上海)` → ("183.192.16.69", "上海-上海").

    The place is None when the text has none (or empty brackets). Raises `ValueError` naming the text when
    it does not read as an address followed by an optional place in brackets.

    Examples
    --------
    >>> split_ip_address("183.192.16.69(上海-上海)")
    ('183.192.16.69', '上海-上海')
    >>> split_ip_address("2001:db8::1")
    ('2001:db8::1', None)
    """
    match = _IP_WITH_LOCATION.match(text)
    if match is None:
        raise ValueError(f"来自IP {text!r} is not an address like 183.192.16.69(上海-上海)")
    address, location = match.groups()
    location = location.strip() if location else None
    return address, location or None


def submission_time(value: str | datetime) -> datetime:
    """The aware time from 问卷星's 提交答卷时间 (`2016/12/17 14:22:55`), which is Beijing time (Asia/Shanghai).

    A datetime read from a spreadsheet cell is taken as Beijing time too. Raises `ValueError` naming the
    text when it is not a date and time.

    Examples
    --------
    >>> submission_time("2016/12/17 14:22:55").isoformat()
    '2016-12-17T14:22:55+08:00'
    """
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=BEIJING_TIME)
    text = value.strip()
    plain = _PLAIN_TIME.match(text)
    if plain:
        year, month, day, hour, minute, second = (int(part) if part else 0 for part in plain.groups())
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING_TIME)
        except ValueError:
            pass
    for pattern in _SUBMISSION_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=BEIJING_TIME)
        except ValueError:
            continue
    raise ValueError(f"提交答卷时间 {value!r} is not a date and time like 2016/12/17 14:22:55")


def is_wjx_header(header: Sequence[str]) -> bool:
    """Whether a header row looks like a 问卷星 download: a 序号 column and `N、…` or `第N题(…)` questions.

    For `--format auto`, in front of the readers.

    Examples
    --------
    >>> is_wjx_header(["序号", "提交答卷时间", "所用时间", "1、性别"]), is_wjx_header(["id", "Q1"])
    (True, False)
    """
    texts = [text.strip() for text in header]
    return "序号" in texts and any(_NUMBERED.match(text) or _OPTION_COLUMN.match(text) for text in texts)


# ---------------------------------------------------------------------------------------------------------
# Reading the sheet of one file: xls, xlsx or csv, told apart by content


@dataclass
class _Sheet:
    """The header and a way to read the rows (again) of one file's first sheet."""

    path: Path
    header: list[str]
    read_rows: Callable[[], Generator[list[RawValue], None, None]]  # the data rows, from the row under the header
    truncation_is_an_error: bool  # CSV writes every field; a spreadsheet leaves trailing blanks out

    @property
    def name(self) -> str:
        return self.path.name

    def rows(self) -> Generator[tuple[int, list[RawValue]], None, None]:
        """(row number as a spreadsheet shows it, values padded to the header), blank rows left out."""
        width = len(self.header)
        for row_number, values in enumerate(self.read_rows(), start=2):
            if all(_written(value) is None for value in values):
                continue
            if len(values) < width and self.truncation_is_an_error:
                raise InputError(
                    f"{self.name} has a truncated row.",
                    [
                        Problem(
                            f"{self.name}, row {row_number}",
                            f"has {len(values)} cells, the header has {width}.",
                            "The file was cut short or edited; download it again from 问卷星.",
                        )
                    ],
                )
            extra = [value for value in values[width:] if _written(value) is not None]
            if extra:
                raise InputError(
                    f"{self.name} has values beyond its last column.",
                    [
                        Problem(
                            f"{self.name}, row {row_number}, column {_column_letter(width)}",
                            f"holds {_written(extra[0])!r}, but the header has only {width} columns.",
                            "Remove the stray values or give the column a header.",
                        )
                    ],
                )
            yield row_number, (values + [None] * (width - len(values)))[:width]


def _open_sheet(path: Path) -> _Sheet:
    if not path.is_file():
        raise InputError(f"{path} cannot be read.", [Problem(str(path), "does not exist.", "Check the path.")])
    with path.open("rb") as file:
        start = file.read(8)
    if not start:
        raise InputError(
            f"{path.name} is empty.",
            [Problem(path.name, "has no header and no rows.", "Download the file again from 问卷星.")],
        )
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        sheet = _xls_sheet(path)
    elif start.startswith(b"PK"):
        sheet = _xlsx_sheet(path)
    else:
        sheet = _csv_sheet(path)
    _check_header(sheet)
    return sheet


def _xls_sheet(path: Path) -> _Sheet:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as error:  # xlrd raises several types for a damaged file
        raise InputError(
            f"{path.name} is not a readable .xls file.",
            [Problem(path.name, f"xlrd could not read it ({error}).", "Open it in Excel and save it again.")],
        ) from None
    sheet = book.sheet_by_index(0)

    def value(cell: xlrd.sheet.Cell) -> RawValue:
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate_as_datetime(cell.value, book.datemode)  # type: ignore[no-any-return]
        if cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_BOOLEAN):
            return float(cell.value)
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return str(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
        return str(cell.value)

    def read_rows() -> Generator[list[RawValue], None, None]:
        for index in range(1, sheet.nrows):
            yield [value(cell) for cell in sheet.row(index)]

    header = [_header_text(value(cell)) for cell in sheet.row(0)] if sheet.nrows else []
    return _Sheet(path, header, read_rows, truncation_is_an_error=False)


def _xlsx_sheet(path: Path) -> _Sheet:
    import openpyxl

    def open_rows() -> Generator[tuple[object, ...], None, None]:
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises several types for a damaged file
            raise InputError(
                f"{path.name} is not a readable .xlsx file.",
                [Problem(path.name, f"openpyxl could not read it ({error}).", "Open it in Excel and save it again.")],
            ) from None
        try:
            yield from book.worksheets[0].iter_rows(values_only=True)
        finally:
            book.close()

    def read_rows() -> Generator[list[RawValue], None, None]:
        rows = open_rows()
        try:
            next(rows, None)
            for row in rows:
                yield [_spreadsheet_value(value) for value in row]
        finally:
            rows.close()

    first = open_rows()
    try:
        header_row = next(first, ())
    finally:
        first.close()
    header = [_header_text(_spreadsheet_value(value)) for value in header_row]
    return _Sheet(path, header, read_rows, truncation_is_an_error=False)


def _spreadsheet_value(value: object) -> RawValue:
    if value is None or isinstance(value, str | datetime):
        return value
    if isinstance(value, bool | int | float):
        return float(value)
    return str(value)


def _csv_sheet(path: Path) -> _Sheet:
    encoding = _csv_encoding(path)

    def records() -> Generator[list[str], None, None]:
        with path.open(encoding=encoding, newline="") as file:
            first_line = file.readline()
            delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
            file.seek(0)
            reader = csv.reader(file, delimiter=delimiter)
            try:
                yield from reader
            except UnicodeDecodeError:
                raise InputError(
                    f"{path.name} mixes text encodings.",
                    [
                        Problem(
                            f"{path.name}, after row {reader.line_num}",
                            f"is not valid {encoding} although the start of the file is.",
                            "Save the whole file in one encoding (UTF-8 or GB18030).",
                        )
                    ],
                ) from None
            except csv.Error as error:
                raise InputError(
                    f"{path.name} is not a readable CSV file.",
                    [Problem(f"{path.name}, row {reader.line_num}", f"{error}.", "Download the file again.")],
                ) from None

    def read_rows() -> Generator[list[RawValue], None, None]:
        rows = records()
        try:
            next(rows, None)
            for row in rows:
                yield [value if value != "" else None for value in row]
        finally:
            rows.close()

    first = records()
    try:
        header = [_header_text(value) for value in next(first, [])]
    finally:
        first.close()
    return _Sheet(path, header, read_rows, truncation_is_an_error=True)


def _csv_encoding(path: Path) -> str:
    """UTF-8 with BOM, UTF-16 with BOM, UTF-8, or GB18030 (问卷星's CSV for Excel), from the first 64 KiB."""
    with path.open("rb") as file:
        start = file.read(65536)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text", tab-separated
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")().decode(start, final=False)
    except UnicodeDecodeError:
        raise InputError(
            f"{path.name} is in an unknown text encoding.",
            [Problem(path.name, "is neither UTF-8 nor GB18030.", "Save it as UTF-8 (with or without BOM).")],
        ) from None
    return "gb18030"


def _header_text(value: RawValue) -> str:
    written = _written(value)
    return written.strip() if written else ""


def _check_header(sheet: _Sheet) -> None:
    header = sheet.header
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InputError(
            f"{sheet.name} is empty.",
            [Problem(sheet.name, "has no header row.", "Download the file again from 问卷星.")],
        )
    blank = [position for position, text in enumerate(header) if not text]
    if blank:
        raise InputError(
            f"{sheet.name} has columns without a header.",
            [
                Problem(
                    f"{sheet.name}, row 1, column {_column_letter(position)}",
                    "has no header (merged header cells leave all but the first empty).",
                    "Unmerge the header cells and give every column its own header, or use the file as downloaded.",
                )
                for position in blank
            ],
        )


# ---------------------------------------------------------------------------------------------------------
# The layout of one file: which column holds what


@dataclass(frozen=True, slots=True)
class _Metadata:
    position: int
    header: str
    fields: tuple[MetadataField, ...]


@dataclass(frozen=True, slots=True)
class _Question:
    """One logical answer column of one file: a question, a matrix row, or a question's 第N题 columns."""

    positions: tuple[int, ...]
    header: str
    question_number: int | None
    question_text: str | None
    part: str | None = None
    options: tuple[str, ...] = ()  # for 第N题(选项) columns: the labels, in column order
    type_marker: str | None = None  # 问卷星's type marker on the header: 单选题, 多选题, 填空题 …

    @property
    def expanded(self) -> bool:
        return bool(self.options)

    def matches(self, other: _Question) -> bool:
        """Whether the two are the same column of the by-text and by-code file: number, row, wording."""
        if self.question_number is None or other.question_number is None:
            return self.header == other.header
        same_text = None in (self.question_text, other.question_text) or self.question_text == other.question_text
        return (self.question_number, self.part) == (other.question_number, other.part) and same_text


@dataclass
class _Layout:
    metadata: list[_Metadata] = field(default_factory=list)
    questions: list[_Question] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)


def _layout(sheet: _Sheet) -> _Layout:
    header = sheet.header
    layout = _Layout()
    questions_started = False
    matrix: _Question | None = None  # the matrix whose row labels may follow
    for position, text in enumerate(header):
        numbered = _NUMBERED.match(text)
        option = _OPTION_COLUMN.match(text)
        if text in METADATA_HEADERS and not any(m.header == text for m in layout.metadata):
            layout.metadata.append(_Metadata(position, text, METADATA_HEADERS[text]))
            matrix = None
        elif numbered:
            questions_started = True
            question, matrix = _numbered_question(position, int(numbered[1]), numbered[2], header)
            layout.questions.append(question)
        elif option:
            questions_started = True
            matrix = None
            number, label = int(option[1]), option[2].strip()
            previous = layout.questions[-1] if layout.questions else None
            if previous and previous.expanded and previous.question_number == number:
                layout.questions[-1] = _Question(
                    (*previous.positions, position),
                    previous.header,
                    number,
                    None,
                    options=(*previous.options, label),
                )
            else:
                layout.questions.append(_Question((position,), text, number, None, options=(label,)))
        elif matrix is not None:
            layout.questions.append(
                _Question(
                    (position,),
                    text,
                    matrix.question_number,
                    matrix.question_text,
                    part=text.lstrip("—").strip(),
                    type_marker=matrix.type_marker,
                )
            )
        elif questions_started:
            question_text, marker = _without_type_marker(text)
            layout.questions.append(_Question((position,), text, None, question_text, type_marker=marker))
        else:
            layout.ignored.append((position, text))
    return layout


def _numbered_question(position: int, number: int, rest: str, header: list[str]) -> tuple[_Question, _Question | None]:
    """The question of an `N、…` header, and itself again when it opens a matrix."""
    text = header[position]
    following = header[position + 1] if position + 1 < len(header) else None
    continues = (
        following is not None
        and following not in METADATA_HEADERS
        and not _NUMBERED.match(following)
        and not _OPTION_COLUMN.match(following)
    )
    if "—" in rest:
        stem, row_label = rest.rsplit("—", 1)
        question_text, marker = _without_type_marker(stem)
        if continues or (marker and "矩阵" in marker):
            question = _Question((position,), text, number, question_text, row_label.strip(), type_marker=marker)
            return question, question
    question_text, marker = _without_type_marker(rest)
    return _Question((position,), text, number, question_text, type_marker=marker), None


def _without_type_marker(text: str) -> tuple[str, str | None]:
    """`请问您的年龄? (单选题 *必答)` → (`请问您的年龄?`, `单选题`)."""
    match = _TYPE_MARKER.search(text)
    if match is None:
        return text.strip(), None
    return text[: match.start()].strip(), match[1].strip()


def _check_wjx_layout(sheet: _Sheet, layout: _Layout) -> None:
    problems = []
    if not any(m.header == "序号" for m in layout.metadata):
        problems.append(Problem(f"{sheet.name}, row 1", "has no 序号 column.", FIX_LAYOUT))
    if not layout.questions:
        problems.append(
            Problem(f"{sheet.name}, row 1", "has no question columns (headed `1、…` or `第1题(…)`).", FIX_LAYOUT)
        )
    if problems:
        raise InputError(f"{sheet.name} is not a 问卷星 download.", problems)


# ---------------------------------------------------------------------------------------------------------
# By text or by code


Kind = Literal["text", "codes"]


@dataclass
class _Download:
    """One file with its layout, what kind of download it is, and what its first rows showed."""

    sheet: _Sheet
    layout: _Layout
    kind: Kind
    certain: bool  # the content says so plainly, rather than by majority
    free_text: set[int]  # positions whose first rows hold text in a by-code file (free-text questions)
    lists: dict[int, str]  # by-text positions whose first rows join answers with ┋ or →


def _download(path: Path) -> _Download:
    sheet = _open_sheet(path)
    layout = _layout(sheet)
    _check_wjx_layout(sheet, layout)
    rows = sheet.rows()
    try:
        peeked = [values for _, values in islice(rows, PEEKED_ROWS)]
    finally:
        rows.close()
    if not peeked:
        raise InputError(
            f"{sheet.name} has no responses.",
            [Problem(sheet.name, "has a header but no rows under it.", "Download it again once answers are in.")],
        )
    answer_positions = [position for question in layout.questions for position in question.positions]
    cells = [_written(values[position]) for values in peeked for position in answer_positions]
    filled = [cell for cell in cells if cell is not None]
    text_marks = any(cell == SKIPPED_TEXT or any(mark in cell for mark in "┋→〖") for cell in filled)
    expanded = any(question.expanded for question in layout.questions)
    code_marks = expanded or any(_number(cell) in (NOT_SHOWN_CODE, NOT_CHOSEN_CODE) for cell in filled)
    kind: Kind
    if expanded:
        kind, certain = "codes", True
    elif code_marks != text_marks:
        kind, certain = ("codes" if code_marks else "text"), True
    else:
        numeric = sum(_number(cell) is not None for cell in filled)
        kind, certain = ("codes" if filled and numeric * 2 > len(filled) else "text"), False
    free_text: set[int] = set()
    lists: dict[int, str] = {}
    for question in layout.questions:
        if question.expanded:
            continue
        (position,) = question.positions
        column = [_written(values[position]) for values in peeked]
        if any(cell is not None and _number(cell) is None and cell != SKIPPED_TEXT for cell in column):
            free_text.add(position)
        for mark in "┋→":
            if any(cell is not None and mark in _outside_specify(cell) for cell in column):
                lists[position] = mark
    return _Download(sheet, layout, kind, certain, free_text, lists)


def _by_kind(downloads: list[_Download]) -> tuple[_Download | None, _Download | None]:
    """(by-text, by-code) of one or two downloads."""
    if len(downloads) == 1:
        (download,) = downloads
        return (download, None) if download.kind == "text" else (None, download)
    first, second = downloads
    if first.kind == second.kind and first.certain == second.certain:
        raise InputError(
            f"{first.sheet.name} and {second.sheet.name} are both downloads by option "
            f"{'text' if first.kind == 'text' else 'code'}.",
            [Problem(f"{first.sheet.name}, {second.sheet.name}", "cannot be read as a pair.", FIX_PAIR)],
        )
    if first.kind == second.kind:  # the one that is plainly of this kind decides the other
        uncertain = second if first.certain else first
        uncertain.kind = "codes" if uncertain.kind == "text" else "text"
    return (first, second) if first.kind == "text" else (second, first)


# ---------------------------------------------------------------------------------------------------------
# The entry point


def read_wjx(paths: Sequence[Path]) -> ExportTable:
    """Read a 问卷星 download — the by-text and by-code pair in either order, or one of them — into an ExportTable.

    The header is read, checked and described at once (`columns`, `notes`); the rows are read as they are
    consumed from `rows`, so memory stays flat. Problems with the files raise `InputError` with file, row,
    column and a fix: no 问卷星 layout, an empty file, a truncated row, two files of the same kind, two files
    from different surveys (their columns, their 序号 on any row, or any cell disagree).

    Examples
    --------
    >>> table = read_wjx([Path("zte_2016_codes.xls"), Path("zte_2016_text.xls")])  # doctest: +SKIP
    >>> [column.header for column in table.columns][:3]  # doctest: +SKIP
    ['序号', '提交答卷时间', '所用时间']
    """
    if not 1 <= len(paths) <= 2:
        raise InputError(
            f"问卷星 import takes one or two files, not {len(paths)}.",
            [Problem("", "give the by-text download, the by-code download, or both.")],
        )
    downloads = [_download(Path(path)) for path in paths]
    by_text, by_code = _by_kind(downloads)
    primary = by_text or by_code
    assert primary is not None  # one of the two always exists
    notes = _notes(by_text, by_code)
    pairs: list[tuple[_Question | None, _Question | None]]
    if by_text is not None and by_code is not None:
        pairs = list(_paired_questions(by_text, by_code))
    elif by_text is not None:
        pairs = [(question, None) for question in by_text.layout.questions]
    else:
        pairs = [(None, question) for question in primary.layout.questions]
    readers: list[_CellReader] = []
    columns: list[ExportColumn] = []
    metadata_seen: set[str] = set()
    for download in (d for d in (by_text, by_code) if d is not None):
        for meta in download.layout.metadata:
            if meta.header in metadata_seen:
                continue
            metadata_seen.add(meta.header)
            for metadata_field in meta.fields:
                columns.append(ExportColumn(meta.position, meta.header, "metadata", metadata=metadata_field))
                readers.append(_metadata_reader(download is by_code, meta, metadata_field))
    for text_question, code_question in pairs:
        shown = text_question or code_question
        assert shown is not None
        columns.append(
            ExportColumn(
                shown.positions[0],
                shown.header,
                "answer",
                question_number=shown.question_number,
                question_text=shown.question_text,
                part=shown.part,
                options=code_question.options if code_question else (),
            )
        )
        readers.append(_answer_reader(by_text, by_code, text_question, code_question))
    for position, header in primary.layout.ignored:
        columns.append(ExportColumn(position, header, "ignored"))
        readers.append(_ignored_reader(primary is by_code, position))
    in_file_order = sorted(range(len(columns)), key=lambda index: columns[index].position)
    columns = [columns[index] for index in in_file_order]
    readers = [readers[index] for index in in_file_order]
    source = " + ".join(str(path) for path in paths)
    return ExportTable(
        "wjx",
        source,
        columns,
        _rows(by_text, by_code, readers),
        notes,
        # a by-code download's codes are option positions: code 4 on a 0–10 scale is "3分", never 4
        choice_codes="position" if by_code is not None else "value",
        raw_header=tuple(primary.sheet.header),
    )


def _notes(by_text: _Download | None, by_code: _Download | None) -> list[str]:
    notes = []
    if by_text and by_code:
        notes.append(
            f"Read as a pair: {by_text.sheet.name} by option text and {by_code.sheet.name} by option code; "
            f"column positions and headers are those of {by_text.sheet.name}."
        )
    elif by_code:
        notes.append(
            f"{by_code.sheet.name} is a by-code download alone: choices carry 问卷星's codes (option positions) "
            "without labels, except the 第N题 columns' labels in the column options, and 'please specify' "
            "texts are not in it. Give the by-text download as well to map codes through labels."
        )
    elif by_text:
        notes.append(
            f"{by_text.sheet.name} is a by-text download alone: choices carry labels without codes, and a "
            "free-text answer reads as a choice label unless 问卷星 marked the question (填空题)."
        )
    primary = by_text or by_code
    assert primary is not None
    for question in primary.layout.questions:
        if question.question_number is None:
            notes.append(
                f"{primary.sheet.name} column {_column_letter(question.positions[0])} “{question.header}” has "
                "no question number and no matrix before it: it is read as a question of its own."
            )
    for position, header in primary.layout.ignored:
        notes.append(
            f"{primary.sheet.name} column {_column_letter(position)} “{header}” is not a 问卷星 metadata or "
            "question column; it is kept as an ignored column."
        )
    return notes


def _paired_questions(by_text: _Download, by_code: _Download) -> list[tuple[_Question, _Question]]:
    text_questions, code_questions = by_text.layout.questions, by_code.layout.questions
    for index, (text_question, code_question) in enumerate(zip_longest(text_questions, code_questions)):
        if text_question is None or code_question is None or not text_question.matches(code_question):
            raise InputError(
                f"{by_text.sheet.name} and {by_code.sheet.name} do not hold the same questions.",
                [
                    Problem(
                        f"{by_text.sheet.name} {_describe(text_question)}, "
                        f"{by_code.sheet.name} {_describe(code_question)}",
                        f"question {index + 1} of the two files differs.",
                        FIX_PAIR,
                    )
                ],
            )
    return list(zip(text_questions, code_questions, strict=True))


def _describe(question: _Question | None) -> str:
    if question is None:
        return "(no more questions)"
    return f"column {_column_letter(question.positions[0])} “{_shortened(question.header)}”"


# ---------------------------------------------------------------------------------------------------------
# Rows and cells


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a cell is, for messages."""

    row_number: int
    text_file: str | None
    code_file: str | None

    def at(self, header: str) -> str:
        files = " and ".join(name for name in (self.text_file, self.code_file) if name)
        return f"{files}, row {self.row_number}, column “{_shortened(header)}”"


_CellReader = Callable[[list[RawValue] | None, list[RawValue] | None, _Where], Cell]


_Row = tuple[int, list[RawValue]]


def _rows(by_text: _Download | None, by_code: _Download | None, readers: list[_CellReader]) -> Iterator[ExportRow]:
    text_name = by_text.sheet.name if by_text else None
    code_name = by_code.sheet.name if by_code else None
    for text_row, code_row in _aligned_rows(by_text, by_code):
        row_number = (text_row or code_row or (0, []))[0]
        where = _Where(row_number, text_name, code_name)
        text_values = text_row[1] if text_row else None
        code_values = code_row[1] if code_row else None
        raw = tuple(_raw_text(value) for value in (text_values if text_values is not None else code_values or []))
        yield ExportRow(row_number, tuple(reader(text_values, code_values, where) for reader in readers), raw)


def _raw_text(value: RawValue) -> str:
    """A cell as the by-text file (or the by-code file alone) shows it, for the quarantine file."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y/%m/%d %H:%M:%S")
    return value


def _aligned_rows(
    by_text: _Download | None, by_code: _Download | None
) -> Generator[tuple[_Row | None, _Row | None], None, None]:
    """The rows of one file, or of both side by side, checked to hold the same 序号 on every row."""
    if by_text is None or by_code is None:
        download = by_text or by_code
        assert download is not None
        rows = download.sheet.rows()
        try:
            for row in rows:
                yield (row, None) if download is by_text else (None, row)
        finally:
            rows.close()
        return
    text_rows, code_rows = by_text.sheet.rows(), by_code.sheet.rows()
    try:
        for text_row, code_row in zip_longest(text_rows, code_rows):
            _check_aligned(by_text, text_row, by_code, code_row)
            yield text_row, code_row
    finally:
        text_rows.close()
        code_rows.close()


def _check_aligned(by_text: _Download, text_row: _Row | None, by_code: _Download, code_row: _Row | None) -> None:
    names = by_text.sheet.name, by_code.sheet.name
    summary = f"{names[0]} and {names[1]} do not hold the same responses."
    if text_row is None or code_row is None:
        longer, row = (by_code, code_row) if text_row is None else (by_text, text_row)
        assert row is not None
        shorter = by_text if text_row is None else by_code
        what = f"has response 序号 {_response_id(longer, row)}, but {shorter.sheet.name} has no more rows."
        raise InputError(summary, [Problem(f"{longer.sheet.name}, row {row[0]}", what, FIX_PAIR)])
    text_id, code_id = _response_id(by_text, text_row), _response_id(by_code, code_row)
    if text_id != code_id:
        raise InputError(
            summary,
            [
                Problem(
                    f"{names[0]}, row {text_row[0]} and {names[1]}, row {code_row[0]}",
                    f"have 序号 {text_id} and {code_id}.",
                    FIX_PAIR,
                )
            ],
        )


def _response_id(download: _Download, row: _Row) -> str | None:
    position = next(meta.position for meta in download.layout.metadata if meta.header == "序号")
    return _written(row[1][position])


def _metadata_reader(from_code_file: bool, meta: _Metadata, metadata_field: MetadataField) -> _CellReader:
    def read(text_values: list[RawValue] | None, code_values: list[RawValue] | None, where: _Where) -> Cell:
        values = code_values if from_code_file else text_values
        assert values is not None
        raw = values[meta.position]
        written = _written(raw)
        if metadata_field == "response_id" and written is None:
            raise InputError(
                "A response has no 序号.",
                [Problem(where.at(meta.header), "is empty.", "Every 问卷星 response has a 序号; use the download.")],
            )
        if written is None:
            return None
        try:
            if metadata_field == "submitted_at":
                return submission_time(raw if isinstance(raw, datetime) else written).isoformat()
            if metadata_field == "duration_seconds":
                return raw if isinstance(raw, float) else duration_in_seconds(written)
            if metadata_field == "ip_address":
                return split_ip_address(written)[0]
            if metadata_field == "ip_location":
                return split_ip_address(written)[1]
        except ValueError as error:
            raise InputError(
                f"A {meta.header} value cannot be read.",
                [Problem(where.at(meta.header), f"{error}.", "Correct the value or use the file as downloaded.")],
            ) from None
        return written

    return read


def _ignored_reader(from_code_file: bool, position: int) -> _CellReader:
    def read(text_values: list[RawValue] | None, code_values: list[RawValue] | None, where: _Where) -> Cell:
        values = code_values if from_code_file else text_values
        assert values is not None
        return _written(values[position])

    return read


def _answer_reader(
    by_text: _Download | None,
    by_code: _Download | None,
    text_question: _Question | None,
    code_question: _Question | None,
) -> _CellReader:
    free_text = False
    if by_code and code_question and not code_question.expanded:
        free_text = code_question.positions[0] in by_code.free_text
    question = text_question or code_question
    assert question is not None
    if question.type_marker and "填空" in question.type_marker:
        free_text = True
    list_mark: str | None = None
    if by_text and text_question:
        list_mark = by_text.lists.get(text_question.positions[0])
        if text_question.type_marker and "多选" in text_question.type_marker:
            list_mark = "┋"
        elif text_question.type_marker and "排序" in text_question.type_marker:
            list_mark = "→"
    codes_by_label: dict[str, int] = {}  # what the pair has shown so far, to catch a misaligned pair
    header = question.header

    def read(text_values: list[RawValue] | None, code_values: list[RawValue] | None, where: _Where) -> Cell:
        text = _written(text_values[text_question.positions[0]]) if text_values and text_question else None
        if code_values is None or code_question is None:
            return _text_cell(text, free_text, list_mark)
        if code_question.expanded:
            coded, ranking = _expanded_cell([code_values[p] for p in code_question.positions], code_question, where)
            return coded if text_values is None else _merged_expanded(text, coded, ranking, code_question, where)
        code = _code_cell(_written(code_values[code_question.positions[0]]), free_text)
        if text_values is None:
            return code
        merged = _merged_single(text, code, where, header)
        if isinstance(merged, Choice) and merged.label is not None and merged.code is not None:
            known = codes_by_label.setdefault(merged.label, merged.code)
            if known != merged.code:
                raise _disagreement(where, header, f"“{merged.label}” has code {merged.code} here but {known} above")
        return merged

    text_position = text_question.positions[0] if text_question else 0
    code_positions = code_question.positions if code_question else ()
    remembered: dict[tuple[RawValue, tuple[RawValue, ...]], Cell] = {}

    def read_remembered(text_values: list[RawValue] | None, code_values: list[RawValue] | None, where: _Where) -> Cell:
        """`read`, once per distinct answer: cells are immutable, and a column of choices has few of them."""
        key = (
            text_values[text_position] if text_values else None,
            tuple(code_values[position] for position in code_positions) if code_values else (),
        )
        try:
            return remembered[key]
        except KeyError:
            cell = read(text_values, code_values, where)
            if len(remembered) < REMEMBERED_ANSWERS:
                remembered[key] = cell
            return cell

    return read_remembered


def _text_cell(text: str | None, free_text: bool, list_mark: str | None) -> Cell:
    """A by-text cell as 问卷星 wrote it."""
    if text is None:
        return None
    if text.strip() == SKIPPED_TEXT:
        return Missing.NOT_SHOWN
    if free_text:
        return text
    mark = list_mark or next((mark for mark in "┋→" if mark in _outside_specify(text)), None)
    if mark is not None:
        return tuple(_choice_from_text(part) for part in _split_outside_specify(text, mark))
    return _choice_from_text(text)


def _outside_specify(text: str) -> str:
    """The text without its 〖please specify〗 parts, where a respondent may have typed ┋ or → too."""
    return _SPECIFY_PART.sub("", text)


def _split_outside_specify(text: str, mark: str) -> list[str]:
    """`a┋其他〖x┋y〗` split on ┋ → [`a`, `其他〖x┋y〗`]."""
    parts, current, inside = [], "", False
    for character in text:
        if character == mark and not inside:
            parts.append(current)
            current = ""
            continue
        inside = (inside or character == "〖") and character != "〗"
        current += character
    parts.append(current)
    return parts


def _choice_from_text(text: str) -> Choice:
    """`其他【请注明】〖柜台〗` → Choice(label="其他【请注明】", specify="柜台")."""
    specified = _SPECIFIED.match(text)
    if specified:
        return Choice(label=specified[1].strip(), specify=specified[2])
    return Choice(label=text.strip())


def _code_cell(written: str | None, free_text: bool) -> Cell:
    """A by-code cell of one column: a code, −3, −2, or free text as written."""
    if written is None:
        return None
    number = _number(written)
    if number == NOT_SHOWN_CODE:
        return Missing.NOT_SHOWN
    if number == NOT_CHOSEN_CODE:
        return Missing.NOT_CHOSEN
    if number is not None and not free_text and number == int(number) and number >= 1:
        return Choice(code=int(number))
    return written


def _expanded_cell(values: list[RawValue], question: _Question, where: _Where) -> tuple[Cell, bool]:
    """The `第N题(选项)` columns of one question on one row, and whether they hold a ranking.

    0/1 columns are a multiple choice: a tuple of Choice(code=position) in option order. Rank columns
    (ranks 1, 2 … and −2 for an option not ranked) are a ranking: a tuple in rank order.
    """
    written = [_written(value) for value in values]
    if all(value is None for value in written):
        return None, False
    numbers = [_number(value) if value is not None else None for value in written]
    if all(number == NOT_SHOWN_CODE for number in numbers):
        return Missing.NOT_SHOWN, False
    if all(number in (0, 1) for number in numbers):
        return tuple(Choice(code=index + 1) for index, number in enumerate(numbers) if number == 1), False
    ranks = [(number, index + 1) for index, number in enumerate(numbers) if number is not None and number >= 1]
    if all(number is not None and (number == NOT_CHOSEN_CODE or number >= 1) for number in numbers):
        if not ranks:
            return Missing.NOT_CHOSEN, True
        if len({rank for rank, _ in ranks}) == len(ranks) and all(rank == int(rank) for rank, _ in ranks):
            return tuple(Choice(code=code) for _, code in sorted(ranks)), True
    raise InputError(
        f"The 第{question.question_number}题 columns cannot be read.",
        [
            Problem(
                where.at(question.header),
                f"hold {', '.join(value or 'nothing' for value in written)}; 问卷星 writes 0/1 for a multiple "
                "choice, unique ranks and −2 for a ranking, −3 in every column when the question was skipped.",
                "Use the file as 问卷星 downloaded it.",
            )
        ],
    )


def _merged_single(text: str | None, code: Cell, where: _Where, header: str) -> Cell:
    """One column of the pair: the by-code cell says what it is, the by-text cell adds the label."""
    skipped = text is not None and text.strip() == SKIPPED_TEXT
    if isinstance(code, Missing) or code is None:
        if text is None or skipped:
            return Missing.NOT_SHOWN if skipped else code
        raise _disagreement(where, header, f"the text file has “{text}” where the code file has {_shown(code)}")
    if text is None or skipped:
        raise _disagreement(where, header, f"the text file has {_shown(text)} where the code file has {_shown(code)}")
    if isinstance(code, Choice):
        choice = _choice_from_text(text)
        return Choice(label=choice.label, code=code.code, specify=choice.specify)
    if isinstance(code, str) and code.strip() != text.strip():
        raise _disagreement(where, header, f"the text file has “{text}” where the code file has “{code}”")
    return text


def _merged_expanded(text: str | None, coded: Cell, ranking: bool, question: _Question, where: _Where) -> Cell:
    """A multiple choice or ranking of the pair: codes from the 第N题 columns, labels matched to their headers."""
    skipped = text is not None and text.strip() == SKIPPED_TEXT
    if not isinstance(coded, tuple) or not coded:
        if text is None or skipped:
            return Missing.NOT_SHOWN if skipped else coded
        raise _disagreement(where, question.header, f"the text file has “{text}” where the code file has none")
    if text is None or skipped:
        raise _disagreement(where, question.header, f"the text file has {_shown(text)} where the code file has codes")
    given = [_choice_from_text(part) for part in _split_outside_specify(text, "→" if ranking else "┋")]
    by_label = {label: index + 1 for index, label in enumerate(question.options)}
    codes = [by_label.get(choice.label or "", 0) for choice in given]
    expected = [choice.code or 0 for choice in coded]
    if (codes if ranking else sorted(codes)) != (expected if ranking else sorted(expected)):
        chosen = ("→" if ranking else "┋").join(question.options[code - 1] for code in expected)
        raise _disagreement(where, question.header, f"the text file has “{text}” but the code file “{chosen}”")
    specified = {code: choice.specify for code, choice in zip(codes, given, strict=True)}
    return tuple(Choice(label=question.options[code - 1], code=code, specify=specified.get(code)) for code in expected)


def _disagreement(where: _Where, header: str, what: str) -> InputError:
    return InputError(
        f"{where.text_file} and {where.code_file} do not hold the same answers.",
        [Problem(where.at(header), f"{what}.", FIX_PAIR)],
    )


# ---------------------------------------------------------------------------------------------------------
# Small readings


def _written(value: RawValue) -> str | None:
    """A cell as text, as the file shows it; None when empty. Whole numbers lose Excel's `.0`."""
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value if value.strip() else None


def _number(text: str) -> float | None:
    return float(text) if _NUMBER.match(text) else None


def _shown(cell: object) -> str:
    if cell is None:
        return "an empty cell"
    if isinstance(cell, Missing):
        return {Missing.NOT_SHOWN: "−3", Missing.NOT_CHOSEN: "−2"}.get(cell, str(cell))
    if isinstance(cell, Choice):
        return f"code {cell.code}"
    return f"“{cell}”"


def _shortened(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _column_letter(position: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as a spreadsheet shows it."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


__all__ = ["duration_in_seconds", "is_wjx_header", "read_wjx", "split_ip_address", "submission_time"]
