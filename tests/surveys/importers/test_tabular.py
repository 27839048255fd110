"""Generic tables: one column per header, metadata by name, 0/1 option columns collapsed, Excel read as shown."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from surveys.importers.export_table import Choice
from surveys.importers.tabular import duration_seconds, metadata_field, read_tabular_export
from surveys.problems import InputError

DATA = Path(__file__).parent / "data"


def test_an_agency_csv_in_gb18030_reads_with_metadata_items_and_collapsed_options() -> None:
    table = read_tabular_export(DATA / "agency_wave.csv")
    assert table.format == "csv"
    assert [(column.header, column.role, column.metadata, column.key) for column in table.columns] == [
        ("编号", "metadata", "response_id", None),
        ("客户编号", "metadata", "respondent_key", None),
        ("提交时间", "metadata", "submitted_at", None),
        ("用时", "metadata", "duration_seconds", None),
        ("q1_overall", "answer", None, "q1_overall"),
        ("q2_recommend", "answer", None, "q2_recommend"),
        ("q3_channels", "answer", None, "q3_channels"),
        ("q9_1", "answer", None, "q9"),  # q9_1, q9_2, q9_3, q9_5: one multiple choice
        ("备注", "answer", None, "备注"),
    ]
    assert [column.position for column in table.columns[7:]] == [7, 11]
    rows = list(table.rows)
    assert [row.row_number for row in rows] == [2, 3, 4]
    first, second, third = (row.cells for row in rows)
    assert first == (
        "1",
        "C-1001",
        "2026-03-01 10:15:02",
        136.0,
        "5",
        "9",
        "1;3",
        (Choice(code=1), Choice(code=3)),
        "服务很好，下次还来",
    )
    assert second[3] == 123.0  # 2分3秒
    assert second[6] == "2、4"  # codes joined in one cell stay text: the matcher splits them knowing the item
    assert second[7] == (Choice(code=5),)
    assert (third[5], third[7]) == (None, None)  # empty cells, and a multiple choice with every option empty
    assert third[8] == '排队太久,"希望改进"'
    assert any("GB18030" in note for note in table.notes)


def test_option_columns_with_other_values_stay_separate(tmp_path: Path) -> None:
    # q5_1 … q5_3 hold 1–5 ratings: a grid, not a multiple choice.
    path = tmp_path / "grid.csv"
    path.write_text("id,q5_1,q5_2,q5_3\n1,1,0,1\n2,4,5,1\n", encoding="utf-8")
    table = read_tabular_export(path)
    assert [column.key for column in table.columns[1:]] == ["q5_1", "q5_2", "q5_3"]
    assert [row.cells for row in table.rows] == [("1", "1", "0", "1"), ("2", "4", "5", "1")]


def test_all_zero_options_are_an_empty_choice_not_a_missing_answer(tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    path.write_text("id,q9_1,q9_2\n1,0,0\n2,,\n", encoding="utf-8")
    assert [row.cells for row in read_tabular_export(path).rows] == [("1", ()), ("2", None)]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("序号", "response_id"),
        ("Response ID", "response_id"),
        ("提交答卷时间", "submitted_at"),
        ("结束答题时间", "submitted_at"),
        ("开始答题时间", "started_at"),
        ("答题时长", "duration_seconds"),
        ("Duration (in seconds)", "duration_seconds"),
        ("来自IP", "ip_address"),
        ("IP属地", "ip_location"),
        ("手机号码", "phone"),
        ("E-mail", "email"),
        ("微信号", "wechat"),
        ("customer_id", "respondent_key"),
        ("q7_recommend", None),
        ("您的姓名是？", None),
    ],
)
def test_metadata_names_in_english_and_chinese(header: str, field: str | None) -> None:
    assert metadata_field(header) == field


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("136", 136.0), ("136秒", 136.0), ("2分3秒", 123.0), ("1小时2分", 3720.0), ("02:03", 123.0), ("1:00:05", 3605.0)],
)
def test_durations_as_platforms_write_them(text: str, seconds: float) -> None:
    assert duration_seconds(text) == seconds


def test_a_duration_that_is_not_one_stays_text_for_the_checks_to_report() -> None:
    assert duration_seconds("两分钟") == "两分钟"


def workbook(path: Path, rows: list[list[object]], merge: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "答卷"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.create_sheet("说明")
    book.save(path)
    return path


def test_an_xlsx_reads_cells_as_a_user_sees_them(tmp_path: Path) -> None:
    from datetime import datetime

    path = workbook(
        tmp_path / "wave.xlsx",
        [
            ["编号", "提交时间", "q1_overall", "phone", "q9_1", "q9_2"],
            [1, datetime(2026, 3, 1, 10, 15), 5, 13800138000, 1, 0],
            [None, None, None, None, None, None],
            [2, datetime(2026, 3, 2, 9, 0), 4.5, None, 0, 1],
        ],
    )
    table = read_tabular_export(path)
    assert table.format == "xlsx"
    assert [row.cells for row in table.rows] == [
        ("1", "2026-03-01 10:15:00", "5", "13800138000", (Choice(code=1),)),
        ("2", "2026-03-02 09:00:00", "4.5", None, (Choice(code=2),)),
    ]
    assert any("'说明'" in note for note in table.notes)


def test_merged_header_cells_in_an_xlsx_name_the_range_and_the_fix(tmp_path: Path) -> None:
    path = workbook(tmp_path / "merged.xlsx", [["编号", "满意度", None, "q2"], [1, 5, 4, 3]], merge="B1:C1")
    with pytest.raises(InputError) as raised:
        read_tabular_export(path)
    assert [str(problem) for problem in raised.value.problems] == [
        "sheet '答卷', cells B1:C1: are merged into one header. "
        "Unmerge them and give each column its own header (one header per column)."
    ]


def test_merged_data_cells_are_read_and_noted(tmp_path: Path) -> None:
    path = workbook(tmp_path / "merged.xlsx", [["编号", "store"], [1, "上海"], [2, None]], merge="B2:B3")
    table = read_tabular_export(path)
    assert [row.cells for row in table.rows] == [("1", "上海"), ("2", None)]
    assert any("B2:B3 are merged" in note for note in table.notes)


def test_duplicated_and_empty_xlsx_headers(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="duplicated column names"):
        read_tabular_export(workbook(tmp_path / "dup.xlsx", [["id", "q1", "q1"], [1, 2, 3]]))
    with pytest.raises(InputError, match="is empty"):
        read_tabular_export(workbook(tmp_path / "empty.xlsx", []))


def test_a_value_right_of_the_header_is_reported(tmp_path: Path) -> None:
    path = workbook(tmp_path / "wide.xlsx", [["id", "q1"], [1, 2, "stray"]])
    with pytest.raises(InputError) as raised:
        list(read_tabular_export(path).rows)
    assert str(raised.value.problems[0]).startswith("row 2, cell C2: holds a value in a column that has no header.")


def test_a_legacy_xls_reads_through_xlrd(samples: Path) -> None:
    table = read_tabular_export(samples / "wjx" / "zte_2016_codes.xls")
    assert table.format == "xls"
    assert [column.metadata for column in table.columns[:4]] == [
        "response_id",
        "submitted_at",
        "duration_seconds",
        "ip_address",
    ]
    first = next(table.rows)
    assert first.row_number == 2
    assert first.cells[:4] == ("1", "2016/12/17 14:22:55", 5.0, "183.192.16.69(上海-上海)")
    assert len(first.cells) == len(table.columns)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_tabular_export(tmp_path / "nowhere.csv")
