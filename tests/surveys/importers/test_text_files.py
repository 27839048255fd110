"""The delimited-text front: encodings, delimiters, and a clear error for every way a text file goes wrong."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.importers import text_files
from surveys.importers.text_files import open_delimited_text
from surveys.problems import InputError


def written(path: Path, rows: list[list[str]], encoding: str, delimiter: str, terminator: str = "\r\n") -> Path:
    buffer = io.StringIO()
    # csv.writer quotes only cells holding characters of its own line end; a spreadsheet quotes any line break.
    breaks = terminator == "\n" and any("\r" in cell for row in rows for cell in row)
    if breaks:
        csv.writer(buffer, delimiter=delimiter, lineterminator=terminator, quoting=csv.QUOTE_ALL).writerows(rows)
    else:
        csv.writer(buffer, delimiter=delimiter, lineterminator=terminator).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read_back(path: Path) -> list[tuple[str, ...]]:
    opened = open_delimited_text(path)
    return [*opened.header_rows, *(record.cells for record in opened.records)]


TABLE = [
    ["编号", "提交时间", "1.您对本店满意吗"],
    ["1", "2026-03-01 10:15:00", "非常满意"],
    ["2", "2026-03-02 09:00:00", "满意"],
]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("utf-16", "utf-16")],
)
def test_each_encoding_a_chinese_export_comes_in_is_recognised(tmp_path: Path, encoding: str, expected: str) -> None:
    path = written(tmp_path / "export.csv", TABLE, encoding, ",")
    opened = open_delimited_text(path)
    assert opened.encoding == expected
    assert [opened.header_rows[0], *(record.cells for record in opened.records)] == [tuple(row) for row in TABLE]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_each_delimiter_is_recognised_even_when_cells_hold_commas(tmp_path: Path, delimiter: str) -> None:
    rows = [["id", "comment", "score"], ["1", "fast, friendly", "9"], ["2", "slow", "3,5"]]
    path = written(tmp_path / "export.txt", rows, "utf-8", delimiter)
    opened = open_delimited_text(path)
    assert opened.delimiter == delimiter
    assert [record.cells for record in opened.records] == [tuple(row) for row in rows[1:]]


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path: Path) -> None:
    # Excel's "Unicode Text (*.txt)": UTF-16 little-endian with a BOM, tab-delimited, CRLF line ends.
    path = tmp_path / "export.txt"
    path.write_bytes(b"\xff\xfe" + "编号\t满意度\r\n1\t5\r\n".encode("utf-16-le"))
    opened = open_delimited_text(path)
    assert (opened.encoding, opened.delimiter) == ("utf-16", "\t")
    assert [record.cells for record in opened.records] == [("1", "5")]


def test_row_and_line_numbers_follow_the_spreadsheet_when_a_cell_spans_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('id,comment\n1,"two\nlines"\n\n2,ok\n', encoding="utf-8")
    records = list(open_delimited_text(path).records)
    assert [(record.row_number, record.line_number) for record in records] == [(2, 2), (4, 5)]
    assert records[0].cells == ("1", "two\nlines")


def test_a_byte_that_is_neither_utf8_nor_gb18030_names_its_offset_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,name\n1,Zoë\n".encode("latin-1"))  # Latin-1, as a European Excel might save it
    with pytest.raises(InputError) as raised:
        open_delimited_text(path)
    assert "neither UTF-8 nor GB18030" in raised.value.summary
    assert str(raised.value.problems[0]).startswith(f"{path}, byte 12 (line 2): 0xEB")


def test_a_file_that_changes_encoding_half_way_is_an_error_at_the_bad_byte(tmp_path: Path) -> None:
    good = "id,name\n" + "".join(f"{number},张三\n" for number in range(300))  # past the lines sampled
    path = tmp_path / "mixed.csv"
    path.write_bytes(good.encode("utf-8") + "4,李四\n".encode("gbk"))
    with mock.patch.object(text_files, "_CHUNK_BYTES", 5):  # the bad byte arrives in a later chunk
        opened = open_delimited_text(path)
        with pytest.raises(InputError) as raised:
            list(opened.records)
    offset = len(good.encode("utf-8")) + 2
    assert str(raised.value.problems[0]).startswith(f"{path}, byte {offset} (line 302): 0xC0 is not valid UTF-8")


def test_a_row_cut_short_names_its_row_and_the_counts(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text("id,q1,q2\n1,5,4\n2,3\n3,1,2,9\n4,2,2\n", encoding="utf-8")
    opened = open_delimited_text(path)
    rows: list[tuple[str, ...]] = []
    with pytest.raises(InputError) as raised:
        rows.extend(record.cells for record in opened.records)
    assert rows == [("1", "5", "4"), ("4", "2", "2")]  # every good row came; the bad ones are reported together
    assert [str(problem).split(":")[0] for problem in raised.value.problems] == ["row 3 (line 3)", "row 4 (line 4)"]
    assert "has 2 cells; the header has 3." in str(raised.value.problems[0])


def test_a_file_that_ends_inside_a_quoted_cell_is_a_truncated_row(tmp_path: Path) -> None:
    path = tmp_path / "truncated.csv"
    path.write_text('id,comment\n1,fine\n2,"it was cut', encoding="utf-8")
    opened = open_delimited_text(path)
    with pytest.raises(InputError) as raised:
        list(opened.records)
    assert str(raised.value.problems[0]).startswith(f"{path}, row 3 (line 3): the file ends inside a quoted cell")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"\xff\xfe"])
def test_an_empty_file_says_so(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match="is empty"):
        open_delimited_text(path)


def test_duplicated_header_names_list_their_columns(tmp_path: Path) -> None:
    path = written(tmp_path / "dup.csv", [["id", "q1", "q2", "q1 "], ["1", "2", "3", "4"]], "utf-8", ",")
    with pytest.raises(InputError) as raised:
        open_delimited_text(path)
    assert [str(problem) for problem in raised.value.problems] == [
        'header, columns B, D: "q1" names 2 columns. Give each column its own name.'
    ]


def test_a_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = written(tmp_path / "header.csv", [["id", "q1"]], "utf-8", ",")
    assert list(open_delimited_text(path).records) == []


# Cells: any text but the NUL, the BOM and surrogates (which no encoding here writes), and — for the property to
# be decidable — without the two delimiters the table is not written with: "a,b;c,d" is two cells under
# semicolons and three under commas, and nothing in the bytes says which the writer meant.
_CELL_CHARACTERS = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\ufeff,;\t")


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[str]], str]:
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    cell = st.text(st.one_of(_CELL_CHARACTERS, st.just(delimiter), st.sampled_from('"\r\n 　')), max_size=12)
    width = draw(st.integers(2, 5))
    names = draw(
        st.lists(
            cell.filter(lambda name: name.strip() != ""), min_size=width - 1, max_size=width - 1, unique_by=str.strip
        )
    )
    # The first column is a Chinese name, as in every export this front exists for: a couple of GB18030 bytes
    # can happen to be valid UTF-8 too ("茅" is "é"), so real Chinese text is what tells the two apart.
    header = ["编号", *[name for name in names if name.strip() != "编号"]]
    if len(header) < 2:
        header.append("q1")
    rows = draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=6))
    return [header, *rows], delimiter


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=tables(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
    terminator=st.sampled_from(["\r\n", "\n"]),
    chunk=st.sampled_from([1, 3, 8, 1 << 20]),
)
def test_any_table_reads_back_the_same_in_any_encoding_and_delimiter(
    tmp_path: Path, table: tuple[list[list[str]], str], encoding: str, terminator: str, chunk: int
) -> None:
    rows, delimiter = table
    path = written(tmp_path / "table.csv", rows, encoding, delimiter, terminator)
    with mock.patch.object(text_files, "_CHUNK_BYTES", chunk):
        assert read_back(path) == [tuple(row) for row in rows]


def test_old_mac_line_ends_and_a_form_feed_inside_a_cell(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes('id,comment\r1,"页一\x0c页二"\r2,ok\r'.encode())
    assert read_back(path) == [("id", "comment"), ("1", "页一\x0c页二"), ("2", "ok")]
