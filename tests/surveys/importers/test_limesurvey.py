"""LimeSurvey exports with question-code headings: one survey exported as answer codes and as full answers.

Both fixtures are written as LimeSurvey's CSV export writes them: every cell quoted, UTF-8, LF line ends.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.importers.export_table import Choice, ExportTable
from surveys.importers.limesurvey import read_limesurvey_export

DATA = Path(__file__).parent / "data"


def layout(table: ExportTable) -> list[tuple[int, str | None, str, str | None]]:
    return [(column.position, column.key, column.role, column.metadata or column.part) for column in table.columns]


@pytest.mark.parametrize("export", ["limesurvey_codes.csv", "limesurvey_full.csv"])
def test_headings_map_to_questions_parts_and_respondent_fields(export: str) -> None:
    table = read_limesurvey_export(DATA / export)
    assert table.format == "limesurvey"
    assert layout(table) == [
        (0, None, "metadata", "response_id"),
        (1, None, "metadata", "submitted_at"),
        (2, None, "ignored", None),  # lastpage
        (3, None, "ignored", None),  # startlanguage
        (4, None, "ignored", None),  # seed
        (5, None, "metadata", "respondent_key"),  # token
        (6, None, "metadata", "started_at"),
        (7, None, "ignored", None),  # datestamp
        (8, None, "metadata", "ip_address"),
        (9, None, "metadata", "channel_detail"),  # refurl
        (10, "Q1", "answer", None),
        (11, "Q2", "answer", None),  # Q2[SQ001] … Q2[SQ003]: one multiple choice
        (14, "Q2", "specify", "other"),
        (15, "Q3", "answer", "SQ001"),  # an array: one column per row
        (16, "Q3", "answer", "SQ002"),
        (17, "Q3", "answer", "SQ003"),
        (18, "Q4", "answer", None),  # Q4[1] … Q4[3]: one ranking
        (21, "Q5", "answer", None),
        (22, "Q6", "answer", None),
        (23, "Q6", "specify", "other"),
        (24, None, "metadata", "duration_seconds"),  # interviewtime
        (25, "Q1Time", "ignored", None),
    ]
    assert table.columns[11].options == ("SQ001", "SQ002", "SQ003")


def test_an_answer_codes_export() -> None:
    first, second, third = (row.cells for row in read_limesurvey_export(DATA / "limesurvey_codes.csv").rows)
    assert first[10] == "A5"
    assert first[11] == (Choice(label="SQ001"), Choice(label="SQ002"))
    assert second[11:13] == ((Choice(label="SQ003"),), "小红书")
    assert first[13:16] == ("A4", "A5", "A3")
    assert first[16] == (Choice(label="A2"), Choice(label="A1"), Choice(label="A3"))  # ranks 1, 2, 3
    assert second[16] == (Choice(label="A3"), Choice(label="A2"))  # two of three ranked
    assert first[20] == 136.52  # cells follow the columns: the collapsed ones take one cell each
    assert third[1] is None  # an incomplete response has no submitdate
    assert third[16] is None


def test_a_full_answers_export_gives_the_same_shape_with_texts() -> None:
    first, second, _ = (row.cells for row in read_limesurvey_export(DATA / "limesurvey_full.csv").rows)
    assert first[10] == "非常满意"
    assert first[11] == (Choice(label="SQ001"), Choice(label="SQ002"))  # "是" marks an option as chosen
    assert first[13:16] == ("满意", "非常满意", "一般")
    assert first[16] == (Choice(label="品质"), Choice(label="价格"), Choice(label="服务"))
    assert second[16] == (Choice(label="服务"), Choice(label="品质"))


def test_numeric_codes_are_choice_codes_and_a_numeric_array_is_not_a_ranking(tmp_path: Path) -> None:
    path = tmp_path / "numeric.csv"
    path.write_text(
        '"id","Q1[1]","Q1[2]","Q1[3]","Q2[1]","Q2[2]"\n"1","Y","","Y","4","4"\n"2","","Y","","2","1"\n',
        encoding="utf-8",
    )
    table = read_limesurvey_export(path)
    assert layout(table)[1:] == [(1, "Q1", "answer", None), (4, "Q2", "answer", "1"), (5, "Q2", "answer", "2")]
    assert [row.cells[1:] for row in table.rows] == [
        ((Choice(code=1), Choice(code=3)), "4", "4"),
        ((Choice(code=2),), "2", "1"),
    ]


def test_comment_and_dual_scale_headings(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text(
        '"id","Q7[SQ001]","Q7[SQ001comment]","Q7[SQ002]","Q7[SQ002comment]","Q8[SQ001][1]","Q8[SQ001][2]"\n'
        '"1","Y","每周两次","","","A1","A2"\n',
        encoding="utf-8",
    )
    table = read_limesurvey_export(path)
    assert layout(table)[1:] == [
        (1, "Q7", "answer", None),  # the options, collapsed across their comment columns
        (2, "Q7", "specify", "SQ001"),
        (4, "Q7", "specify", "SQ002"),
        (5, "Q8", "answer", "SQ001[1]"),
        (6, "Q8", "answer", "SQ001[2]"),
    ]
    (row,) = table.rows
    assert row.cells[1:3] == ((Choice(label="SQ001"),), "每周两次")
