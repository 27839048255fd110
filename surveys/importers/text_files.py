"""The front every reader of delimited text goes through: which encoding, which delimiter, and rows as lists.

Survey platforms and spreadsheets write CSV in a handful of ways, and this module tells them apart from the
bytes alone:

- Encoding: a byte-order mark decides (UTF-8 with BOM, as Excel's "CSV UTF-8" writes it; UTF-16 with BOM, as
  Excel's "Unicode text" and Qualtrics' TSV write it). Without one, the first stretch of non-ASCII bytes
  decides between UTF-8 and GB18030 (which covers GBK and GB2312, as Chinese Excel saves "CSV"). A byte
  that the chosen encoding cannot decode, anywhere in the file, is an `InputError` naming its byte offset
  and line; nothing is replaced silently.
- Delimiter: comma, tab or semicolon, whichever splits the first lines into the same number (more than one)
  of cells, with quotes in the right places; a `.tsv` file prefers tab when nothing else decides.
- Rows: `csv` in strict mode, so a row that ends inside a quoted cell (a truncated file) is an error rather
  than a cell that swallowed the rest of the file. Every row must have as many cells as the header; rows
  that do not are collected and reported together when the rows run out. Blank lines are skipped (they
  still count in row numbers, as a spreadsheet shows them).

`row_number` is the row a spreadsheet shows (the header is row 1); `line_number` is the text line where the
row starts, which differs when a quoted cell spans lines.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from surveys.problems import InputError, Problem

_CHUNK_BYTES = 1 << 20
_SAMPLE_BYTES = 1 << 16
_DELIMITERS = (",", "\t", ";")
_DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon"}
_UTF8_EVIDENCE = 8  # non-ASCII bytes of valid UTF-8 that make a file UTF-8 even if a bad byte follows
_MOST_REPORTED = 20  # ragged rows listed one by one; the rest are counted


@dataclass(frozen=True, slots=True)
class Record:
    """One row of a delimited text file, its cells exactly as written (unquoted)."""

    row_number: int  # the row a spreadsheet shows; the first header row is 1
    line_number: int  # the text line where the row starts
    cells: tuple[str, ...]


@dataclass
class DelimitedText:
    """A delimited text file opened for reading: its header rows read, its other rows still to stream."""

    source: str  # the file as the user named it, for messages
    encoding: str  # a Python codec name: utf-8, utf-8-sig, utf-16, gb18030
    delimiter: str
    header_rows: list[tuple[str, ...]]
    records: Iterator[Record]  # the rows under the header, consumed once; raises InputError for bad rows


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    number = position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def open_delimited_text(
    path: Path, *, header_rows: int = 1, source: str | None = None, unique_header: bool = True
) -> DelimitedText:
    """Open a CSV/TSV file: detect its encoding and delimiter, read `header_rows` rows, stream the rest.

    The first header row holds the column names: with `unique_header` a name used twice (ignoring
    surrounding spaces; empty names aside) is an `InputError` listing each name with its columns. A file
    with no rows at all, or fewer rows than `header_rows`, is an `InputError` too.
    """
    name = source or str(path)
    encoding = detect_encoding(path, name)
    delimiter = detect_delimiter(path, encoding, name)
    records = _records(path, encoding, delimiter, name)
    header: list[tuple[str, ...]] = []
    for record in records:
        header.append(record.cells)
        if len(header) == header_rows:
            break
    if not header:
        raise InputError(f"{name} is empty.", [Problem(name, "has no rows, not even a header.", _RESAVE)])
    if len(header) < header_rows:
        raise InputError(
            f"{name} cannot be read.",
            [Problem(name, f"has {len(header)} row(s); this format has {header_rows} header rows.")],
        )
    if unique_header:
        _check_unique(header[0], name)
    return DelimitedText(
        source=name,
        encoding=encoding,
        delimiter=delimiter,
        header_rows=header,
        records=_same_width(records, len(header[0]), name),
    )


def first_rows(path: Path, count: int, source: str | None = None) -> list[tuple[str, ...]]:
    """Up to `count` rows from the top of a delimited text file, for format detection (no width checks)."""
    name = source or str(path)
    encoding = detect_encoding(path, name)
    records = _records(path, encoding, detect_delimiter(path, encoding, name), name)
    rows = []
    for record in records:
        rows.append(record.cells)
        if len(rows) == count:
            break
    records.close()
    return rows


_RESAVE = "Export the file again, or save it from Excel as CSV UTF-8."


def detect_encoding(path: Path, source: str) -> str:
    """utf-8-sig or utf-16 when the file starts with a BOM; else utf-8 or gb18030 from its first non-ASCII bytes.

    An empty file (no bytes, or a BOM and nothing else, or only blank lines) is an `InputError`.
    """
    with path.open("rb") as stream:
        head = stream.read(_SAMPLE_BYTES)
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
            body = head[len(codecs.BOM_UTF8) :]
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
            body = head[2:]
        else:
            encoding = ""
            body = head
        if not body.strip(b"\r\n\t \x00"):
            raise InputError(f"{source} is empty.", [Problem(source, "has no rows, not even a header.", _RESAVE)])
        if encoding:
            return encoding
        # The first chunk that is not plain ASCII decides; a file that is ASCII throughout is UTF-8.
        offset = 0
        chunk = head
        while chunk.isascii():
            offset += len(chunk)
            chunk = stream.read(_CHUNK_BYTES)
            if not chunk:
                return "utf-8"
        start = next(index for index, byte in enumerate(chunk) if byte >= 0x80)
        window = chunk[start : start + _SAMPLE_BYTES]
    utf8_error = _first_error(window, "utf-8")
    # A long stretch of valid UTF-8 before a bad byte is a UTF-8 file with a foreign part (reported where
    # the rows reach it): GBK text is valid UTF-8 for a character or two at most, by chance ("茅" is "é").
    if utf8_error is None or sum(byte >= 0x80 for byte in window[:utf8_error]) >= _UTF8_EVIDENCE:
        return "utf-8"
    if _first_error(window, "gb18030") is None:
        return "gb18030"
    at = offset + start + utf8_error
    raise InputError(
        f"{source} is neither UTF-8 nor GB18030 text.",
        [
            Problem(
                f"{source}, byte {at} (line {_line_of(path, at)})",
                f"0x{window[utf8_error]:02X} cannot be read as UTF-8, nor the bytes around it as GB18030.",
                _RESAVE,
            )
        ],
    )


def _first_error(sample: bytes, encoding: str) -> int | None:
    """The offset of the first undecodable byte of `sample`, or None; a sequence cut by the sample's end is fine."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError as error:
        return error.start
    return None


def _line_of(path: Path, offset: int) -> int:
    """The 1-based text line that byte `offset` of the file is on."""
    with path.open("rb") as stream:
        return stream.read(offset).count(b"\n") + 1


def detect_delimiter(path: Path, encoding: str, source: str) -> str:
    """The delimiter (comma, tab or semicolon) that cuts the file's first lines into equal rows of most cells."""
    lines = []
    total = 0
    for line in itertools.chain.from_iterable(_line_batches(path, encoding, source)):
        lines.append(line)
        total += len(line)
        if total > _SAMPLE_BYTES or len(lines) >= 200:
            break
    preferred = "\t" if path.suffix.lower() == ".tsv" else ","
    best: tuple[int, int, int] | None = None
    chosen = preferred
    for rank, delimiter in enumerate(_DELIMITERS):
        widths = _widths(lines, delimiter)
        if widths is None or not widths or widths[0] < 2:
            continue
        consistent = all(width == widths[0] for width in widths)
        score = (int(consistent), widths[0], -rank if delimiter != preferred else 1)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _widths(lines: list[str], delimiter: str) -> list[int] | None:
    """Cells per row of the sample under `delimiter`; None when quotes do not fit it (a strict-mode error)."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    widths: list[int] = []
    try:
        widths.extend(len(row) for row in reader if row)
    except csv.Error:
        # The sample may end inside a quoted cell; an error there says nothing about the delimiter.
        if reader.line_num < len(lines):
            return None
    return widths


def _line_batches(path: Path, encoding: str, source: str) -> Iterator[list[str]]:
    """The file's text lines with their line ends, a list per chunk decoded; an undecodable byte is an InputError.

    Lists rather than single lines so that the csv reader pulls lines through `itertools.chain` in C.
    """
    # utf-8-sig: skip the BOM here, so that error offsets count from the file's first byte.
    offset = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0  # bytes handed to the decoder so far
    decoder = codecs.getincrementaldecoder("utf-8" if offset else encoding)(errors="strict")
    line_count = 0
    pending = ""
    with path.open("rb") as stream:
        stream.seek(offset)
        while True:
            chunk = stream.read(_CHUNK_BYTES)
            final = not chunk
            buffered = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as error:
                at = offset - buffered + error.start
                good = (error.object[: error.start]).decode(encoding, errors="replace")
                line_number = line_count + pending.count("\n") + good.count("\n") + 1
                raise InputError(
                    f"{source} cannot be read as {_ENCODING_NAMES.get(encoding, encoding)}.",
                    [
                        Problem(
                            f"{source}, byte {at} (line {line_number})",
                            f"0x{error.object[error.start]:02X} is not valid {_ENCODING_NAMES.get(encoding, encoding)};"
                            " the file mixes encodings or was cut short.",
                            _RESAVE,
                        )
                    ],
                ) from None
            offset += len(chunk)
            pending += text
            if final:
                break
            # Hand on whole lines; keep the last, unfinished one (and a trailing \r that may precede \n).
            cut = max(pending.rfind("\n"), pending.rfind("\r", 0, len(pending) - 1))
            if cut < 0:
                continue
            batch = _split_lines(pending[: cut + 1])
            line_count += len(batch)
            yield batch
            pending = pending[cut + 1 :]
    if pending:
        yield _split_lines(pending)


_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030"}


def _split_lines(text: str) -> list[str]:
    """Lines ending in \\n, \\r\\n or \\r only (str.splitlines also cuts at \\u2028 and form feeds: joined back)."""
    pieces = text.splitlines(keepends=True)
    if all(piece.endswith(("\n", "\r")) for piece in pieces):
        return pieces
    lines = []
    joined = ""
    for piece in pieces:
        if piece.endswith(("\n", "\r")):
            lines.append(joined + piece)
            joined = ""
        else:
            joined += piece
    if joined:
        lines.append(joined)
    return lines


def _records(path: Path, encoding: str, delimiter: str, source: str) -> Generator[Record, None, None]:
    lines = itertools.chain.from_iterable(_line_batches(path, encoding, source))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    row_number = 0
    line_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(
                f"{source} cannot be read.",
                [
                    Problem(
                        f"{source}, row {row_number + 1} (line {line_number})",
                        _csv_error_text(str(error)),
                        "Check that the file was not cut short and that quotes in cells are doubled.",
                    )
                ],
            ) from None
        row_number += 1
        started = line_number
        line_number = reader.line_num + 1
        if cells:
            yield Record(row_number, started, tuple(cells))


def _csv_error_text(message: str) -> str:
    if "unexpected end of data" in message:
        return "the file ends inside a quoted cell (a truncated row)."
    return f"is not well-formed CSV ({message})."


def _same_width(records: Iterator[Record], width: int, source: str) -> Iterator[Record]:
    """Pass on rows with `width` cells; collect the others and raise them all together at the end."""
    problems: list[Problem] = []
    ragged = 0
    for record in records:
        if len(record.cells) == width:
            yield record
            continue
        ragged += 1
        if len(problems) < _MOST_REPORTED:
            problems.append(
                Problem(
                    f"row {record.row_number} (line {record.line_number})",
                    f"has {len(record.cells)} cells; the header has {width}.",
                    "The row is cut short or has a stray delimiter; a cell that holds the delimiter must be quoted.",
                )
            )
    if ragged:
        if ragged > len(problems):
            problems.append(Problem("", f"… and {ragged - len(problems)} more rows like these."))
        raise InputError(f"{source} has {ragged} row(s) with the wrong number of cells.", problems)


def _check_unique(header: tuple[str, ...], source: str) -> None:
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
