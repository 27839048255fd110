"""SPSS .sav files: variable labels as question text, value labels as choices, user-missing codes as refused.

The file is written in the test with pyreadstat, as an agency's SPSS would save it: numeric variables with
value labels and declared missing codes, a string variable, a date-time variable, respondent fields.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from surveys.importers import spss
from surveys.importers.export_table import Choice, Missing
from surveys.importers.spss import read_spss_file
from surveys.problems import InputError

SATISFACTION: dict[int | float, str] = {
    1: "非常不满意",
    2: "不满意",
    3: "一般",
    4: "满意",
    5: "非常满意",
    98: "不知道",
    99: "拒答",
}

RECOMMEND: dict[int | float, str] = {0: "完全不可能", 10: "极有可能", 98: "不知道"}
GENDER: dict[int | float, str] = {1: "男", 2: "女"}


@pytest.fixture
def agency_file(tmp_path: Path) -> Path:
    frame = pd.DataFrame(
        {
            "respondent_id": ["C-1001", "C-1002", "C-1003", "C-1004"],
            "submitdate": [
                datetime(2026, 3, 1, 10, 17, 18),
                datetime(2026, 3, 1, 11, 4, 43),
                None,
                datetime(2026, 3, 2, 9, 31),
            ],
            "duration": [136.0, 123.0, 95.0, None],
            "q1": [5.0, 3.0, 99.0, None],
            "q2": [9.0, 7.0, 10.0, 98.0],
            "gender": [1.0, 2.0, 2.0, 1.0],
            "spend": [350.5, 1200.0, None, 0.0],
            "comment": ["周末排队太久", "", "服务很好", ""],
        }
    )
    path = tmp_path / "wave_2026q1.sav"
    pyreadstat.write_sav(
        frame,
        path,
        column_labels={
            "q1": "您对本店的总体满意度",
            "q2": "您向朋友推荐本店的可能性有多大？",
            "gender": "性别",
            "spend": "上月消费金额（元）",
            "comment": "您还有什么建议？",
        },
        variable_value_labels={
            "q1": SATISFACTION,
            "q2": {0: "完全不可能", 10: "极有可能", 98: "不知道"},
            "gender": {1: "男", 2: "女"},
        },
        missing_ranges={"q1": [98, 99], "q2": [{"lo": 98, "hi": 99}]},
    )
    return path


def test_variables_become_columns_with_labels_and_options(agency_file: Path) -> None:
    table = read_spss_file(agency_file)
    assert table.format == "sav"
    assert [(column.key, column.role, column.metadata, column.question_text) for column in table.columns] == [
        ("respondent_id", "metadata", "respondent_key", None),
        ("submitdate", "metadata", "submitted_at", None),
        ("duration", "metadata", "duration_seconds", None),
        ("q1", "answer", None, "您对本店的总体满意度"),
        ("q2", "answer", None, "您向朋友推荐本店的可能性有多大？"),
        ("gender", "answer", None, "性别"),
        ("spend", "answer", None, "上月消费金额（元）"),
        ("comment", "answer", None, "您还有什么建议？"),
    ]
    assert table.columns[3].options == ("非常不满意", "不满意", "一般", "满意", "非常满意", "不知道", "拒答")


def test_cells_carry_codes_with_labels_user_missing_and_plain_values(agency_file: Path) -> None:
    rows = list(read_spss_file(agency_file).rows)
    assert [row.row_number for row in rows] == [1, 2, 3, 4]
    first, second, third, fourth = (row.cells for row in rows)
    assert first == (
        "C-1001",
        "2026-03-01 10:17:18",
        136.0,
        Choice(code=5, label="非常满意"),
        9.0,  # 9 has no value label: a plain number
        Choice(code=1, label="男"),
        350.5,
        "周末排队太久",
    )
    assert third[1] is None  # system-missing date
    assert third[3] is Missing.REFUSED  # 99, declared missing
    assert third[4] == Choice(code=10, label="极有可能")
    assert third[6] is None
    assert fourth[3] is None  # system-missing
    assert fourth[4] is Missing.REFUSED  # 98, inside the missing range 98–99
    assert second[7] is None  # an empty string


def test_cases_stream_in_chunks(agency_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spss, "_CHUNK_CASES", 3)
    assert [row.cells[0] for row in read_spss_file(agency_file).rows] == ["C-1001", "C-1002", "C-1003", "C-1004"]


def test_a_file_that_is_not_sav_says_so(tmp_path: Path) -> None:
    path = tmp_path / "wave.sav"
    path.write_text("id,q1\n1,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"is not an SPSS \.sav file"):
        read_spss_file(path)
