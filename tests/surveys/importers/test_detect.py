"""Format detection from content: each platform's marks, the wjx pair, and the reasons when it cannot tell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from surveys.importers.detect import detect_format
from surveys.problems import InputError

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("qualtrics_numeric.csv", "qualtrics"),
        ("qualtrics_text.tsv", "qualtrics"),
        ("tencent_export.csv", "tencent"),
        ("limesurvey_codes.csv", "limesurvey"),
        ("limesurvey_full.csv", "limesurvey"),
        ("agency_wave.csv", "csv"),
    ],
)
def test_each_fixture_is_recognised_by_its_content(fixture: str, expected: str, tmp_path: Path) -> None:
    renamed = tmp_path / "export.txt"  # the name plays no part
    renamed.write_bytes((DATA / fixture).read_bytes())
    assert detect_format([renamed]) == expected


def test_the_real_wjx_downloads_alone_or_as_a_pair(samples: Path) -> None:
    text, codes = samples / "wjx" / "zte_2016_text.xls", samples / "wjx" / "zte_2016_codes.xls"
    assert detect_format([text]) == "wjx"
    assert detect_format([codes, text]) == "wjx"


def test_a_wjx_csv_by_its_numbered_question_headers(tmp_path: Path) -> None:
    path = tmp_path / "wjx.csv"
    path.write_text("1、您的性别,2、您的年龄段,第3题(价格)\n男,25-34岁,1\n", encoding="gb18030")
    assert detect_format([path]) == "wjx"


def test_plain_workbooks_and_spss_files(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["respondent_id", "q1_overall"])
    book.save(tmp_path / "wave.xlsx")
    pyreadstat.write_sav(pd.DataFrame({"q1": [1.0]}), tmp_path / "wave.data")
    assert detect_format([tmp_path / "wave.xlsx"]) == "xlsx"
    assert detect_format([tmp_path / "wave.data"]) == "sav"


def test_files_of_different_formats_give_what_each_looks_like(samples: Path) -> None:
    with pytest.raises(InputError) as raised:
        detect_format([samples / "wjx" / "zte_2016_text.xls", DATA / "qualtrics_numeric.csv"])
    assert raised.value.summary == "The files named are exports of different formats."
    lines = [str(problem) for problem in raised.value.problems]
    assert lines[0].endswith("looks like wjx: 问卷星's 序号 and 提交答卷时间/所用时间 columns")
    assert "looks like qualtrics: its third row holds" in lines[1]
    assert lines[2].startswith("Import them one at a time. Name the format with --format (wjx|tencent|")


def test_two_files_of_a_format_that_does_not_come_in_pairs() -> None:
    with pytest.raises(InputError, match="only 问卷星's downloads come in pairs"):
        detect_format([DATA / "limesurvey_codes.csv", DATA / "limesurvey_full.csv"])


def test_a_file_that_is_no_table(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError) as raised:
        detect_format([path])
    assert "neither text (CSV/TSV) nor an Excel workbook nor an SPSS .sav file" in str(raised.value.problems[0])
