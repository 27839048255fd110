"""The 问卷星 reader, specified against the real downloads in shared/samples/wjx and small made-up files.

The 2016 smartphone survey (zte_2016) has four respondents. Respondent 1 answered question 1 and was then
routed out ("(跳过)" / −3 everywhere after). Respondent 2 chose "other" in questions 3 and 4 with a typed
text, ranked all 24 options of question 12, and gave "3分" on the 0–10 satisfaction question 15, whose
code in the by-code file is 4 (the fifth option, because the scale starts at 0分).
"""

from __future__ import annotations

import csv
from collections.abc import Generator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlrd
from hypothesis import given
from hypothesis import strategies as st

from surveys.importers.export_table import Cell, Choice, ExportColumn, ExportTable, Missing
from surveys.importers.wjx import (
    BEIJING_TIME,
    duration_in_seconds,
    is_wjx_header,
    read_wjx,
    split_ip_address,
    submission_time,
)
from surveys.problems import InputError

MATRIX_ROWS = [
    "外观",
    "界面美观度",
    "屏幕显示效果",
    "无线/数据上网连接速度",
    "系统稳定性",
    "系统流畅性",
    "Hi-Fi音质",
    "扬声器外放音质",
    "通话质量",
    "续航时间",
    "充电时间",
    "发热程度",
    "内存与存储空间",
    "拍照效果",
    "指纹识别",
    "语音助手",
    "GPS定位速度",
]


# ---------------------------------------------------------------------------------------------------------
# Helpers: the files, and looking cells up by what a researcher calls them


@pytest.fixture(scope="session")
def wjx_samples(samples: Path) -> Path:
    return samples / "wjx"


WAYS = {
    "pair, text first": ["zte_2016_text.xls", "zte_2016_codes.xls"],
    "pair, codes first": ["zte_2016_codes.xls", "zte_2016_text.xls"],
    "text alone": ["zte_2016_text.xls"],
    "codes alone": ["zte_2016_codes.xls"],
}


@pytest.fixture(params=list(WAYS))
def zte(request: pytest.FixtureRequest, wjx_samples: Path) -> tuple[str, ExportTable, list[tuple[Cell, ...]]]:
    """The 2016 survey read each way: (how, table, the rows' cells)."""
    table = read_wjx([wjx_samples / name for name in WAYS[request.param]])
    return request.param, table, [row.cells for row in table.rows]


def expected(way: str, label: str | None, code: int | None, specify: str | None = None) -> Choice:
    """The Choice each way of reading gives: label by text, code by code, both from the pair."""
    if way == "text alone":
        return Choice(label=label, specify=specify)
    if way == "codes alone":
        return Choice(code=code)
    return Choice(label=label, code=code, specify=specify)


def column_index(table: ExportTable, number: int | None, part: str | None = None) -> int:
    matches = [
        index
        for index, column in enumerate(table.columns)
        if column.role == "answer" and column.question_number == number and column.part == part
    ]
    assert len(matches) == 1, matches
    return matches[0]


def code_of(cell: Cell) -> int | None:
    return cell.code if isinstance(cell, Choice) else None


def metadata_index(table: ExportTable, name: str) -> int:
    (index,) = [index for index, column in enumerate(table.columns) if column.metadata == name]
    return index


def answer(table: ExportTable, cells: list[tuple[Cell, ...]], respondent: int, number: int | None) -> Cell:
    return cells[respondent - 1][column_index(table, number)]


# ---------------------------------------------------------------------------------------------------------
# The 2016 pair, each way


def test_the_satisfaction_answer_3_points_keeps_its_label_and_its_option_position_code(
    zte: tuple[str, ExportTable, list[tuple[Cell, ...]]],
) -> None:
    way, table, cells = zte
    assert answer(table, cells, 2, 15) == expected(way, "3分", 4)
    assert answer(table, cells, 4, 15) == expected(way, "3分", 4)


def test_the_screened_out_respondent_has_typed_missing_answers_after_question_1(
    zte: tuple[str, ExportTable, list[tuple[Cell, ...]]],
) -> None:
    way, table, cells = zte
    answers = [
        cell
        for column, cell in zip(table.columns, cells[0], strict=True)
        if column.role == "answer" and column.question_number != 1
    ]
    assert answer(table, cells, 1, 1) == expected(way, "是", 1)
    assert len(answers) == 26  # questions 2, 3, 4, 7, 12, 13 (17 rows), 15, 37, 38 and the region question
    if way == "codes alone":  # a ranking no option of which was ranked is −2 in every column
        ranking = answer(table, cells, 1, 12)
        assert ranking == Missing.NOT_CHOSEN
        answers.remove(ranking)
    assert set(answers) == {Missing.NOT_SHOWN}


def test_a_multiple_choice_is_a_tuple_and_other_keeps_its_text(
    zte: tuple[str, ExportTable, list[tuple[Cell, ...]]],
) -> None:
    way, table, cells = zte
    other = "其他【请注明】"
    assert answer(table, cells, 2, 3) == (
        expected(way, "运营商营业厅的广告(如移动、联通、电信营业厅)", 2),
        expected(way, "公共场所的广告(如机场、地铁、公交站、电梯等)", 3),
        expected(way, "社交类软件(如微信、微博、QQ等)", 4),
        expected(way, "电商网站(如京东、天猫、苏宁易购、1号店、淘宝等)", 5),
        expected(way, other, 19, specify="柜台"),
    )
    assert answer(table, cells, 2, 4) == expected(way, other, 9, specify="你好好")
    assert answer(table, cells, 3, 3) == Missing.NOT_SHOWN


def test_the_multiple_choice_column_lists_its_options_when_the_code_file_is_read(
    zte: tuple[str, ExportTable, list[tuple[Cell, ...]]],
) -> None:
    way, table, _ = zte
    options = table.columns[column_index(table, 3)].options
    if way == "text alone":
        assert options == ()
    else:
        assert len(options) == 19
        assert options[0] == "实体手机卖场的广告(如国美、苏宁、永乐、迪信通等)"
        assert options[18] == "其他【请注明】"


def test_a_ranking_is_a_tuple_in_rank_order(zte: tuple[str, ExportTable, list[tuple[Cell, ...]]]) -> None:
    way, table, cells = zte
    assert answer(table, cells, 4, 12) == (
        expected(way, "触控流畅,反应快", 3),
        expected(way, "内存大", 4),
        expected(way, "价格", 22),
        expected(way, "网站/论坛评测口碑好", 19),
        expected(way, "2K超高清屏", 6),
    )
    everything = answer(table, cells, 2, 12)
    assert isinstance(everything, tuple)
    assert len(everything) == 24
    assert everything[0] == expected(way, "骁龙820处理器", 5)
    assert everything[-1] == expected(way, "随手拍出好照片的拍照效果", 9)


def test_the_importance_matrix_is_one_column_per_row_with_its_row_label(
    zte: tuple[str, ExportTable, list[tuple[Cell, ...]]],
) -> None:
    way, table, cells = zte
    matrix = [column for column in table.columns if column.question_number == 13]
    assert [column.part for column in matrix] == MATRIX_ROWS
    assert {column.question_text for column in matrix} == {
        "如下“中兴天机7”的各方面,对您而言重要性如何?(1分表示非常不重要,5分表示非常重要)"
    }
    assert cells[3][column_index(table, 13, "屏幕显示效果")] == expected(way, "3分", 3)
    assert cells[1][column_index(table, 13, "指纹识别")] == expected(way, "2分", 2)
    assert cells[0][column_index(table, 13, "GPS定位速度")] == Missing.NOT_SHOWN


def test_free_text_stays_text(zte: tuple[str, ExportTable, list[tuple[Cell, ...]]]) -> None:
    _, table, cells = zte
    assert [answer(table, cells, respondent, 7) for respondent in (1, 2, 4)] == [
        Missing.NOT_SHOWN,
        "中兴天机7",
        "lll",
    ]


def test_question_numbers_and_texts_come_from_the_headers(
    zte: tuple[str, ExportTable, list[tuple[Cell, ...]]],
) -> None:
    _, table, _ = zte
    age = table.columns[column_index(table, 38)]
    assert age.question_text == "请问您的年龄?"  # 问卷星's " (单选题 *必答)" is not part of the wording
    assert age.header == "38、请问您的年龄? (单选题 *必答)"
    region = table.columns[column_index(table, None)]
    assert region.header == region.question_text == "请选择省份城市与地区:"
    assert any("请选择省份城市与地区:" in note for note in table.notes)


def test_metadata_is_parsed_whatever_the_column_order(
    zte: tuple[str, ExportTable, list[tuple[Cell, ...]]],
) -> None:
    _, table, cells = zte
    respondent_2 = cells[1]
    assert respondent_2[metadata_index(table, "response_id")] == "2"
    assert respondent_2[metadata_index(table, "submitted_at")] == "2016-12-17T14:25:31+08:00"
    assert respondent_2[metadata_index(table, "duration_seconds")] == 136.0
    assert respondent_2[metadata_index(table, "ip_address")] == "183.192.16.69"
    assert respondent_2[metadata_index(table, "ip_location")] == "上海-上海"
    assert respondent_2[metadata_index(table, "channel")] == "手机提交"
    assert respondent_2[metadata_index(table, "channel_detail")] == "微信"
    assert table.columns[metadata_index(table, "ip_location")].position == 3  # the 2016 layout puts 来自IP fourth


def test_the_pair_reads_the_same_in_either_order(wjx_samples: Path) -> None:
    text, codes = wjx_samples / "zte_2016_text.xls", wjx_samples / "zte_2016_codes.xls"
    one, other = read_wjx([text, codes]), read_wjx([codes, text])
    assert one.columns == other.columns
    assert list(one.rows) == list(other.rows)
    assert one.notes == other.notes


@pytest.mark.parametrize("name", ["zte_2016_text", "zte_2016_codes", "demographics_800_text", "demographics_800_codes"])
def test_every_sample_header_is_recognised_as_wjx(wjx_samples: Path, name: str) -> None:
    sheet = xlrd.open_workbook(str(wjx_samples / f"{name}.xls")).sheet_by_index(0)
    assert is_wjx_header([str(value) for value in sheet.row_values(0)])


# ---------------------------------------------------------------------------------------------------------
# The 800-respondent demographics pair


def test_800_rows_are_streamed_with_their_spreadsheet_row_numbers(wjx_samples: Path) -> None:
    table = read_wjx([wjx_samples / "demographics_800_codes.xls", wjx_samples / "demographics_800_text.xls"])
    assert isinstance(table.rows, Generator)  # read as consumed, not loaded first
    row_numbers, response_ids = [], []
    for row in table.rows:
        row_numbers.append(row.row_number)
        response_ids.append(row.cells[metadata_index(table, "response_id")])
    assert row_numbers == list(range(2, 802))
    assert response_ids == [str(number) for number in range(1, 801)]


def test_emptied_metadata_columns_are_present_and_read_as_empty(wjx_samples: Path) -> None:
    table = read_wjx([wjx_samples / "demographics_800_text.xls", wjx_samples / "demographics_800_codes.xls"])
    fields = ["submitted_at", "duration_seconds", "channel", "channel_detail", "ip_address", "ip_location"]
    indexes = [metadata_index(table, name) for name in fields]
    assert {row.cells[index] for row in table.rows for index in indexes} == {None}
    assert table.columns[metadata_index(table, "ip_address")].position == 5  # 来自IP last, unlike 2016


OTHER_PRICES = [
    Choice(label="其他【请注明】", code=10, specify="我妈买的。"),
    Choice(label="其他【请注明】", code=10, specify="亲友赠送的"),
]


def test_demographics_other_texts_come_with_their_codes(wjx_samples: Path) -> None:
    table = read_wjx([wjx_samples / "demographics_800_text.xls", wjx_samples / "demographics_800_codes.xls"])
    cells = {row.cells[0]: row.cells for row in table.rows}
    interests = cells["111"][column_index(table, 6)]
    assert isinstance(interests, tuple)
    assert interests[-1] == Choice(label="其他【请注明】", code=14, specify="军事国防")
    price = column_index(table, 2)
    others = [row[price] for row in cells.values() if isinstance(row[price], Choice) and code_of(row[price]) == 10]
    assert others == OTHER_PRICES


# ---------------------------------------------------------------------------------------------------------
# The same layouts as .xlsx and CSV


def written(value: object) -> object:
    """A cell as 问卷星 writes it into a CSV or .xlsx: whole numbers without `.0`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def copy_sheet(source: Path, target: Path, encoding: str = "utf-8-sig") -> Path:
    sheet = xlrd.open_workbook(str(source)).sheet_by_index(0)
    rows = [[written(cell.value) for cell in sheet.row(index)] for index in range(sheet.nrows)]
    if target.suffix == ".xlsx":
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append([value if value != "" else None for value in row])
        book.save(target)
    else:
        with target.open("w", encoding=encoding, newline="") as file:
            csv.writer(file).writerows(rows)
    return target


@pytest.mark.parametrize(("suffix", "encoding"), [(".xlsx", ""), (".csv", "gb18030"), (".csv", "utf-8-sig")])
def test_xlsx_and_csv_downloads_read_like_the_xls(
    wjx_samples: Path, tmp_path: Path, suffix: str, encoding: str
) -> None:
    originals = [wjx_samples / "zte_2016_codes.xls", wjx_samples / "zte_2016_text.xls"]
    copies = [copy_sheet(path, tmp_path / f"{path.stem}{suffix}", encoding) for path in originals]
    from_xls, copied = read_wjx(originals), read_wjx(copies)
    assert copied.columns == from_xls.columns
    assert list(copied.rows) == list(from_xls.rows)


# ---------------------------------------------------------------------------------------------------------
# Small made-up files: the layout in a few lines, and what goes wrong


HEADER = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、性别", "2、满意度 (单选题 *必答)"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def pair(tmp_path: Path, text_rows: list[list[str]], code_rows: list[list[str]]) -> list[Path]:
    return [
        write_csv(tmp_path / "survey_0.csv", [HEADER, *text_rows]),
        write_csv(tmp_path / "survey_2.csv", [HEADER, *code_rows]),
    ]


def problems(error: pytest.ExceptionInfo[InputError]) -> str:
    return error.value.report()


def test_a_small_pair_gives_durations_in_seconds_and_beijing_times(tmp_path: Path) -> None:
    text = [
        ["1", "2024/1/2 10:00:00", "2分3秒", "手机提交", "微信", "1.2.3.4(北京-北京)", "男", "3分"],
        ["2", "2024/1/2 11:00:00", "1小时2分3秒", "链接", "", "5.6.7.8", "女", "(跳过)"],
    ]
    codes = [[*row[:6], code_1, code_2] for row, code_1, code_2 in zip(text, ["1", "2"], ["4", "-3"], strict=True)]
    table = read_wjx(pair(tmp_path, text, codes))
    rows = [row.cells for row in table.rows]
    assert [row[metadata_index(table, "duration_seconds")] for row in rows] == [123.0, 3723.0]
    assert [row[metadata_index(table, "ip_location")] for row in rows] == ["北京-北京", None]
    assert [row[metadata_index(table, "channel_detail")] for row in rows] == ["微信", None]
    assert [row[-1] for row in rows] == [Choice(label="3分", code=4), Missing.NOT_SHOWN]


def test_columns_before_the_questions_that_are_not_wjx_metadata_are_kept_as_ignored(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", [["序号", "总分", "1、性别"], ["1", "7", "男"]])
    table = read_wjx([path])
    assert table.columns[1] == ExportColumn(1, "总分", "ignored")
    assert next(table.rows).cells == ("1", "7", Choice(label="男"))
    assert any("总分" in note for note in table.notes)


def test_a_file_that_is_not_a_wjx_download_is_refused_with_a_fix(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", [["name", "age"], ["Li", "30"]])
    with pytest.raises(InputError, match=r"people\.csv is not a 问卷星 download") as error:
        read_wjx([path])
    assert "no 序号 column" in problems(error)
    assert "下载答卷数据" in problems(error)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.csv is empty"):
        read_wjx([path])


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="has no responses"):
        read_wjx([write_csv(tmp_path / "survey.csv", [HEADER])])


def test_a_truncated_row_names_its_file_and_row(tmp_path: Path) -> None:
    rows = [HEADER, ["1", "", "", "", "", "", "男", "3分"], ["2", "", "", "", "", "", "女"]]
    with pytest.raises(InputError, match="truncated row") as error:
        list(read_wjx([write_csv(tmp_path / "survey.csv", rows)]).rows)
    assert "survey.csv, row 3: has 7 cells, the header has 8." in problems(error)


def test_an_unreadable_duration_names_its_row_and_column(tmp_path: Path) -> None:
    rows = [HEADER, ["1", "2024/1/2 10:00:00", "很久", "", "", "", "男", "3分"]]
    table = read_wjx([write_csv(tmp_path / "survey.csv", rows)])
    with pytest.raises(InputError) as error:
        list(table.rows)
    assert "survey.csv, row 2, column “所用时间”" in problems(error)


def test_a_pair_whose_response_numbers_differ_names_both_files_and_the_row(tmp_path: Path) -> None:
    text = [["1", "", "", "", "", "", "男", "3分"], ["2", "", "", "", "", "", "女", "4分"]]
    codes = [["1", "", "", "", "", "", "1", "4"], ["3", "", "", "", "", "", "2", "5"]]
    table = read_wjx(pair(tmp_path, text, codes))
    with pytest.raises(InputError, match="do not hold the same responses") as error:
        list(table.rows)
    assert "survey_0.csv, row 3 and survey_2.csv, row 3: have 序号 2 and 3." in problems(error)


def test_a_pair_with_a_row_missing_from_one_file_is_refused(tmp_path: Path) -> None:
    text = [["1", "", "", "", "", "", "男", "3分"], ["2", "", "", "", "", "", "女", "4分"]]
    codes = [["1", "", "", "", "", "", "1", "4"]]
    table = read_wjx(pair(tmp_path, text, codes))
    with pytest.raises(InputError) as error:
        list(table.rows)
    assert "survey_0.csv, row 3: has response 序号 2, but survey_2.csv has no more rows." in problems(error)


def test_a_pair_whose_cells_disagree_is_refused(tmp_path: Path) -> None:
    text = [["1", "", "", "", "", "", "男", "(跳过)"]]
    codes = [["1", "", "", "", "", "", "1", "4"]]
    with pytest.raises(InputError, match="do not hold the same answers") as error:
        list(read_wjx(pair(tmp_path, text, codes)).rows)
    assert "row 2, column “2、满意度 (单选题 *必答)”" in problems(error)


def test_a_pair_where_one_label_has_two_codes_is_refused(tmp_path: Path) -> None:
    text = [["1", "", "", "", "", "", "男", "3分"], ["2", "", "", "", "", "", "男", "3分"]]
    codes = [["1", "", "", "", "", "", "1", "4"], ["2", "", "", "", "", "", "1", "5"]]
    with pytest.raises(InputError, match="do not hold the same answers") as error:
        list(read_wjx(pair(tmp_path, text, codes)).rows)
    assert "“3分” has code 5 here but 4 above" in problems(error)


def test_two_files_from_different_surveys_are_refused(wjx_samples: Path) -> None:
    with pytest.raises(InputError, match="do not hold the same questions") as error:
        read_wjx([wjx_samples / "zte_2016_text.xls", wjx_samples / "demographics_800_codes.xls"])
    assert "zte_2016_text.xls column G" in problems(error)


def test_two_downloads_of_the_same_kind_are_refused(wjx_samples: Path) -> None:
    with pytest.raises(InputError, match="both downloads by option code"):
        read_wjx([wjx_samples / "zte_2016_codes.xls", wjx_samples / "demographics_800_codes.xls"])


def test_an_xlsx_with_merged_header_cells_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "1、请评价", None, "2、性别"])
    sheet.append([1, "4分", "3分", "男"])
    sheet.merge_cells("B1:C1")
    book.save(tmp_path / "merged.xlsx")
    with pytest.raises(InputError, match="columns without a header") as error:
        read_wjx([tmp_path / "merged.xlsx"])
    assert "merged.xlsx, row 1, column C" in problems(error)


@pytest.mark.parametrize(("encoding", "delimiter"), [("gb18030", ","), ("utf-8", ","), ("utf-16", "\t")])
def test_a_csv_in_any_usual_encoding_is_read(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "survey.csv"
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows([HEADER, ["1", "", "5秒", "", "", "", "男", "3分"]])
    assert next(read_wjx([path]).rows).cells[-2:] == (Choice(label="男"), Choice(label="3分"))


def test_a_specify_text_with_the_list_marks_in_it_stays_whole(tmp_path: Path) -> None:
    header = ["序号", "1、来源", "2、排序"]
    rows = [header, ["1", "广告┋其他〖朋友┋同事〗", "价格→其他〖外观→颜色〗"]]
    cells = next(read_wjx([write_csv(tmp_path / "survey.csv", rows)]).rows).cells
    assert cells[1:] == (
        (Choice(label="广告"), Choice(label="其他", specify="朋友┋同事")),
        (Choice(label="价格"), Choice(label="其他", specify="外观→颜色")),
    )


# ---------------------------------------------------------------------------------------------------------
# The metadata parsers, for any value


@given(st.integers(0, 3), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.sampled_from(["分", "分钟"]))
def test_any_wjx_duration_reads_as_its_seconds(days: int, hours: int, minutes: int, seconds: int, unit: str) -> None:
    parts = [(days, "天"), (hours, "小时"), (minutes, unit), (seconds, "秒")]
    while len(parts) > 1 and parts[0][0] == 0:  # 问卷星 leaves leading zero units out: 2分3秒, 136秒
        parts.pop(0)
    text = "".join(f"{value}{name}" for value, name in parts)
    assert duration_in_seconds(text) == ((days * 24 + hours) * 60 + minutes) * 60 + seconds


@given(st.text(alphabet="很久abc分秒小时天 ", min_size=1).filter(lambda text: not any(c.isdigit() for c in text)))
def test_a_duration_without_numbers_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        duration_in_seconds(text)


@given(st.ip_addresses(), st.text(alphabet="上海北京广东-深圳 市未知", max_size=12))
def test_any_address_and_place_split_apart(address: object, place: str) -> None:
    text = f"{address}({place})"
    assert split_ip_address(text) == (str(address), place.strip() or None)
    assert split_ip_address(str(address)) == (str(address), None)


@given(
    st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2100, 1, 1)).map(lambda t: t.replace(microsecond=0))
)
def test_any_submission_time_is_beijing_time(moment: datetime) -> None:
    parsed = submission_time(moment.strftime("%Y/%m/%d %H:%M:%S"))
    assert parsed == moment.replace(tzinfo=BEIJING_TIME)
    assert parsed.utcoffset() is not None


def test_a_csv_that_changes_encoding_midway_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    lines = [",".join(HEADER), *(f"{n},,5秒,,,,男,3分" for n in range(1, 4001))]  # well past the first 64 KiB
    path.write_bytes("\n".join(lines).encode("utf-8") + "\n4001,,5秒,,,,女,4分\n".encode("gb18030"))
    with pytest.raises(InputError, match="mixes text encodings") as error:
        list(read_wjx([path]).rows)
    assert "Save the whole file in one encoding" in problems(error)
