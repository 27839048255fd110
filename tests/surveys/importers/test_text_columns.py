"""Which text files are read column-wise, and that they give the cells and row numbers the rows give."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.importers.tabular import read_tabular_export
from surveys.importers.text_columns import is_plain
from surveys.problems import InputError


@pytest.mark.parametrize(
    ("content", "encoding", "plain"),
    [
        (b"id,q1\n1,5\n2,\n", "utf-8", True),
        (b"\xef\xbb\xbfid,q1\r\n1,\xe5\xa5\xbd\r\n", "utf-8-sig", True),
        (b'id,q1\n1,"5"\n', "utf-8", False),  # quotes: a cell may hold the delimiter or span lines
        (b"id,q1\n1,5\n\n2,4\n", "utf-8", False),  # a blank line still counts in row numbers
        (b"id,q1\r1,5\r", "utf-8", False),  # old Mac line ends
        (b"id,q1\n1,\xff\n", "utf-8", False),  # not UTF-8: left to the reader that says where
        (b"id,q1\n1,\xba\xc3\n", "gb18030", False),
        (b"id,q1", "utf-8", False),  # a header without its line end, and no rows
        (b"id,q1\n", "utf-8", True),
        (b"id,q1\n1," + b"x" * 200_000 + b"\n", "utf-8", False),  # a cell longer than the csv module takes
    ],
)
def test_only_plain_utf8_files_without_quotes_or_blank_lines_are_read_column_wise(
    tmp_path: Path, content: bytes, encoding: str, plain: bool
) -> None:
    path = tmp_path / "wave.csv"
    path.write_bytes(content)
    assert is_plain(path, encoding) is plain


def test_the_batches_give_the_rows_the_row_reader_gives(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_text("id;q1;q2\r\n1;5; \r\n2;;x y\r\n3; 4 ;好\r\n", encoding="utf-8")
    table = read_tabular_export(path)
    assert table.column_batches is not None
    by_columns = [row for batch in table.column_batches() for row in batch.export_rows(range(batch.size))]
    assert by_columns == list(table.rows)
    assert [row.row_number for row in by_columns] == [2, 3, 4]
    batch = next(table.column_batches())
    assert batch.export_rows([0, 2]) == [by_columns[0], by_columns[2]]


def test_a_row_with_the_wrong_number_of_cells_is_reported_as_the_row_reader_reports_it(tmp_path: Path) -> None:
    path = tmp_path / "wave.csv"
    path.write_text("id,q1,q2\n1,5,4\n2,3\n3,1,2,9\n4,1,1\n", encoding="utf-8")
    table = read_tabular_export(path)
    assert table.column_batches is not None
    reports = []
    for read in (table.column_batches, lambda: table.rows):
        with pytest.raises(InputError) as caught:
            list(read())
        reports.append(caught.value.report())
    assert reports[0] == reports[1]
    assert "row 3 (line 3): has 2 cells; the header has 3." in reports[0]
