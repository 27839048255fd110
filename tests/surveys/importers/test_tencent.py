"""腾讯问卷 CSV downloads: numbered headers, option and matrix columns, fill-in boxes, respondent fields.

The fixture is a download as 腾讯问卷 writes it (UTF-8 with BOM, CRLF); the GB18030 variant is the same file
after a round trip through Chinese Excel, with the options written as their text instead of 0/1.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from surveys.importers.export_table import Choice
from surveys.importers.tencent import read_tencent_export

DATA = Path(__file__).parent / "data"
CHANNELS = "您是从哪些渠道了解到我们的"


def test_headers_become_questions_options_matrix_rows_and_fill_ins() -> None:
    table = read_tencent_export(DATA / "tencent_export.csv")
    assert table.format == "tencent"
    described = [
        (column.position, column.role, column.metadata or column.question_number, column.question_text, column.part)
        for column in table.columns
    ]
    assert described == [
        (0, "metadata", "response_id", None, None),
        (1, "metadata", "started_at", None, None),
        (2, "metadata", "submitted_at", None, None),
        (3, "metadata", "duration_seconds", None, None),
        (4, "metadata", "ip_address", None, None),
        (5, "metadata", "channel", None, None),
        (6, "metadata", "ip_location", None, None),
        (7, "answer", 1, "您对本店的总体满意度", None),
        (8, "answer", 2, CHANNELS, None),  # columns 8–11, one per option, collapsed
        (12, "specify", 2, CHANNELS, "其他"),
        (13, "answer", 3, "请评价以下方面", "价格"),  # a matrix: one column per row
        (14, "answer", 3, "请评价以下方面", "服务态度"),
        (15, "answer", 3, "请评价以下方面", "结账速度"),
        (16, "answer", 4, "您的职业", None),
        (17, "specify", 4, "您的职业", "其他"),
        (18, "answer", 5, "请留下您的联系方式", "填空1"),  # the blanks of a fill-in question
        (19, "answer", 5, "请留下您的联系方式", "填空2"),
        (20, "answer", 6, "您还有什么建议?", None),
    ]
    assert table.columns[8].options == ("朋友推荐", "社交媒体", "线下广告", "其他")


def test_cells_of_a_download_with_options_as_zero_and_one() -> None:
    first, second, third = (row.cells for row in read_tencent_export(DATA / "tencent_export.csv").rows)
    assert first[:8] == (
        "1",
        "2026-03-01 10:15:02",
        "2026-03-01 10:17:18",
        136.0,
        "203.0.113.7",
        "微信",
        "上海市",
        "非常满意",
    )
    assert first[8] == (Choice(label="朋友推荐"), Choice(label="社交媒体"))
    assert second[8:10] == ((Choice(label="其他"),), "小红书")
    assert third[8] is None  # all option columns empty: not asked or skipped
    assert first[10:13] == ("满意", "非常满意", "一般")
    assert second[13:15] == ("其他", "自由职业")
    assert first[15:17] == ("王先生", "13800138000")


def test_a_gb18030_download_with_options_as_their_text_reads_the_same(tmp_path: Path) -> None:
    original = (DATA / "tencent_export.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(original)))
    options = rows[0][8:12]
    for row in rows[1:]:
        row[8:12] = [
            (option.split(":")[1] if value == "1" else "") for option, value in zip(options, row[8:12], strict=True)
        ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "腾讯问卷_excel.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    again = [row.cells for row in read_tencent_export(path).rows]
    expected = [row.cells for row in read_tencent_export(DATA / "tencent_export.csv").rows]
    assert [row[8] for row in again] == [
        (Choice(label="朋友推荐"), Choice(label="社交媒体")),
        (Choice(label="其他"),),
        None,
    ]
    assert [row[:8] + row[9:] for row in again] == [row[:8] + row[9:] for row in expected]


def test_a_matrix_is_told_from_options_by_its_scores_even_where_some_are_zero_or_one(tmp_path: Path) -> None:
    path = tmp_path / "matrix.csv"
    path.write_text(
        "编号,1．请评价：价格,1．请评价：服务,2、您的年龄：\n1,4,5,35\n2,1,0,28\n", encoding="utf-8-sig"
    )  # full-width punctuation, as some exports write it
    table = read_tencent_export(path)
    assert [(column.question_number, column.question_text, column.part) for column in table.columns[1:]] == [
        (1, "请评价", "价格"),
        (1, "请评价", "服务"),
        (2, "您的年龄：", None),  # one "N.题干:" column alone is a question whose text ends in a colon
    ]
    assert [row.cells for row in table.rows] == [("1", "4", "5", "35"), ("2", "1", "0", "28")]
