"""Reading the data file of `loyalty measure … --data FILE`: encodings, and errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from loyalty.data_file import numeric_columns, read_data_file
from surveys.problems import InputError


def test_reads_gb18030_csv_as_saved_by_chinese_excel(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes("满意度,推荐\n8,9\n7,10\n".encode("gb18030"))
    frame = read_data_file(path)
    assert list(frame.columns) == ["满意度", "推荐"]
    assert frame["推荐"].tolist() == [9, 10]


def test_reads_utf8_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes("\ufeffsat,rec\n8,9\n".encode())
    assert list(read_data_file(path).columns) == ["sat", "rec"]


def test_missing_file_and_unknown_type_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_data_file(tmp_path / "absent.csv")
    odd = tmp_path / "answers.sav1"
    odd.write_text("x")
    with pytest.raises(InputError, match="unknown file type"):
        read_data_file(odd)


def test_numeric_columns_reports_every_missing_column_with_the_nearest_name(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("satisfaction,recommend\n8,9\n")
    frame = read_data_file(path)
    with pytest.raises(InputError) as caught:
        numeric_columns(frame, ["satisfacton", "loyal"], "answers.csv")
    messages = [str(problem) for problem in caught.value.problems]
    assert messages[0] == 'column satisfacton: is not in the file. Did you mean "satisfaction"?'
    assert messages[1].startswith("column loyal: is not in the file. The columns are: satisfaction")


def test_numeric_columns_names_the_row_of_a_text_cell_and_keeps_empty_cells_missing(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("id,sat\n1,8\n2,\n3,very good\n")
    frame = read_data_file(path)
    with pytest.raises(InputError) as caught:
        numeric_columns(frame, ["sat"], "answers.csv")
    assert str(caught.value.problems[0]).startswith("row 4, column sat: 'very good' is not a number.")
    path.write_text("id,sat\n1,8\n2,\n3,7\n")
    numbers = numeric_columns(read_data_file(path), ["sat"], "answers.csv")
    assert numbers["sat"].isna().tolist() == [False, True, False]
