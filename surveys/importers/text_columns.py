"""Plain delimited text read column-wise with pyarrow: the fast way in for a large CSV/TSV export.

`text_files` reads every CSV row by row through the `csv` module, which handles whatever a platform or a
spreadsheet writes (quotes, cells spanning lines, blank lines, every encoding) and reports problems by row
and line. For a file that needs none of that, pyarrow's CSV reader gives the same cells as columns, several
times faster. A file is plain when one pass over its bytes shows:

- UTF-8 (with or without a BOM) throughout, so that pyarrow decodes exactly what the `csv` module would;
- no quote character, so that every line is one row and every delimiter separates two cells;
- no blank line, no line end other than \\n or \\r\\n, and no NUL byte, so that the n-th line under the
  header is spreadsheet row n + 1, as `text_files` numbers rows;
- no line longer than the `csv` module's limit for one cell (128 KiB), which it reports as an error.

A row with the wrong number of cells is reported by `text_files`' own reader (a second pass, only then),
after the rows run out, as a row-by-row read reports it. Any other file goes the row-by-row way.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from surveys.importers.export_table import ColumnBatch
from surveys.importers.text_files import open_delimited_text

_BLOCK_BYTES = 1 << 20  # bytes scanned at a time by is_plain
_READ_BLOCK_BYTES = 2 << 20  # bytes pyarrow parses into one batch: about 30,000 rows of 30 short cells


def is_plain(path: Path, encoding: str) -> bool:
    """Whether `path` can be read column-wise with the same cells and row numbers as row by row (see the
    module docstring); one pass over its bytes, stopping at the first sign that it cannot."""
    if encoding not in ("utf-8", "utf-8-sig"):
        return False
    import numpy as np

    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    previous = b""  # the last bytes of the block before: a blank line or a \r\n may be cut between two blocks
    line_ends = 0
    longest = csv.field_size_limit()  # the csv module refuses a longer cell: so must this way
    unfinished = 0  # bytes of the line that the block before ended in
    with path.open("rb") as stream:
        first = stream.read(_BLOCK_BYTES)
        if first.removeprefix(codecs.BOM_UTF8).startswith((b"\n", b"\r")):
            return False  # a blank first line: the header is further down
        block = first
        while block:
            if b'"' in block or b"\x00" in block:
                return False
            joined = previous + block
            if b"\n\n" in joined or b"\n\r\n" in joined:
                return False
            settled = joined[:-1] if joined.endswith(b"\r") else joined  # its \n, if any, is in the next block
            if settled.count(b"\r") != settled.count(b"\r\n"):
                return False
            if not block.isascii():
                try:
                    decoder.decode(block, final=False)
                except UnicodeDecodeError:
                    return False
            previous = joined[-2:]
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("\n"))
            line_ends += len(ends)
            if len(ends):
                if unfinished + ends[0] > longest or (len(ends) > 1 and np.diff(ends).max() > longest):
                    return False
                unfinished = len(block) - ends[-1] - 1
            else:
                unfinished += len(block)
            if unfinished > longest:
                return False
            block = stream.read(_BLOCK_BYTES)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return line_ends > 0 and not previous.endswith(b"\r")  # a header alone, without its line end: no rows


def column_batches(path: Path, delimiter: str, width: int, source: str) -> Iterator[ColumnBatch]:
    """The rows under the one header row of a plain file (`is_plain`), a batch at a time.

    Rows that do not have `width` cells are left out and raised together as `text_files` raises them, after
    the last batch.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    ragged: list[int] = []  # pyarrow does not say which line a ragged row is on: text_files finds them

    def invalid_row(row: Any) -> str:
        ragged.append(1)
        return "skip"

    names = [f"c{position}" for position in range(width)]
    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, block_size=_READ_BLOCK_BYTES),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter, quote_char=False, newlines_in_values=False, invalid_row_handler=invalid_row
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=True,
        ),
    )
    row_number = 2
    for batch in reader:
        if batch.num_rows:
            yield ColumnBatch(row_number, list(batch.columns))
            row_number += batch.num_rows
    if ragged:
        for _ in open_delimited_text(path, source=source).records:  # raises the rows with their numbers
            pass
