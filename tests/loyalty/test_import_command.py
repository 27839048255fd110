"""`loyalty import` as a researcher runs it, on the real 问卷星 downloads in shared/samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner, Result

from loyalty.cli import app
from loyalty.workspace import WorkspaceOptions, open_workspace
from surveys.storage.wave_data import WaveData, load_wave


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    assert CliRunner().invoke(app, ["init", str(tmp_path / "ws")]).exit_code == 0
    return tmp_path / "ws"


def run(workspace: Path, *arguments: str) -> Result:
    return CliRunner().invoke(app, ["--workspace", str(workspace), *arguments])


def wave(workspace: Path, survey: str, label: str) -> WaveData:
    engine = open_workspace(WorkspaceOptions(workspace)).engine()
    with Session(engine) as session:
        data = load_wave(session, survey, label)
    engine.dispose()
    return data


def test_a_wjx_pair_becomes_a_survey_and_3_fen_is_stored_as_3(workspace: Path, samples: Path) -> None:
    text, codes = samples / "wjx" / "zte_2016_text.xls", samples / "wjx" / "zte_2016_codes.xls"
    result = run(workspace, "import", str(codes), str(text), "--survey", "zte-2016", "--wave", "2016Q4", "--new-survey")
    assert result.exit_code == 0, result.output
    assert "Read 4 = 4 stored + 0 rejected + 0 duplicates." in result.output
    assert "Wave 2016Q4 of zte-2016 did not exist; it was created." in result.output
    responses = wave(workspace, "zte-2016", "2016Q4")
    frame = responses.responses.set_index("response_id")
    by_number = {frame.index[i]: i for i in range(len(frame))}
    # respondent 序号 2 answered "3分" on the 0–10 satisfaction question, whose by-code value is 4
    satisfaction = next(v.code for v in responses.codebook if v.kind == "scale" and v.maximum == 10)
    assert frame[satisfaction].iloc[by_number[2]] == 3
    # respondent 1 was screened out: 问卷星 marks the skipped answers, and they are stored as not shown
    assert responses.missing[satisfaction].iloc[by_number[1]] == "not_shown"
    assert frame["duration_seconds"].iloc[by_number[2]] == 136.0
    assert frame["ip_location"].iloc[by_number[2]] == "上海-上海"
    assert "183.192.16.69" not in frame.to_string()  # the IP address itself is pseudonymised


def test_importing_the_same_download_again_changes_nothing(workspace: Path, samples: Path) -> None:
    files = [str(samples / "wjx" / "demographics_800_text.xls"), str(samples / "wjx" / "demographics_800_codes.xls")]
    first = run(workspace, "import", *files, "--survey", "demo-800", "--wave", "W1", "--new-survey")
    assert first.exit_code == 0, first.output
    assert "Read 800 = 800 stored + 0 rejected + 0 duplicates." in first.output
    again = run(workspace, "import", *files, "--survey", "demo-800", "--wave", "W1")
    assert again.exit_code == 0, again.output
    assert "was imported into demo-800 W1 before; nothing changed." in again.output
    assert len(wave(workspace, "demo-800", "W1").responses) == 800


def test_a_survey_that_is_not_published_is_named_with_the_fix(workspace: Path, samples: Path) -> None:
    result = run(workspace, "import", str(samples / "wjx" / "zte_2016_text.xls"), "--survey", "zte", "--wave", "W1")
    assert result.exit_code == 1
    assert "'zte' is not a published survey. Publish it first" in result.output


def test_a_table_whose_columns_fit_no_item_stores_nothing_and_says_how_to_map(workspace: Path, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("shop,visits\n1,2\n", encoding="utf-8")
    assert (
        run(workspace, "survey", "new", "s-1", "--blueprint", "nps-pulse", "-o", str(tmp_path / "s.yaml")).exit_code
        == 0
    )
    assert run(workspace, "survey", "publish", str(tmp_path / "s.yaml")).exit_code == 0
    result = run(workspace, "import", str(odd), "--survey", "s-1", "--wave", "W1")
    assert result.exit_code == 1
    assert "column shop: matches no item of the questionnaire. Map it in --mapping" in result.output


ANSWERS = """\
response_id,submitted_at,sat_overall,recommend,purchases_12m,problem,complained,leave_reasons_1,leave_reasons_2,leave_reasons_3,leave_reasons_4,leave_reasons_other,comments
r1,2026-10-01 10:00:00,8,9,12,2,,,,,,,很好
r2,2026-10-01 11:00:00,3,2,1,1,1,1,0,1,0,朋友推荐了别家,<script>alert(1)</script>
r3,2026-10-02 09:30:00,11,2,1,1,1,0,0,0,1,,
"""


@pytest.fixture
def retail(workspace: Path) -> Path:
    example = Path(__file__).parents[2] / "docs" / "examples" / "retail-2026.yaml"
    assert run(workspace, "survey", "publish", str(example)).exit_code == 0
    return workspace


def test_a_csv_with_one_bad_row_stores_nothing_or_quarantines_that_row_unchanged(retail: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    refused = run(retail, "import", str(answers), "--survey", "retail-2026", "--wave", "2026Q4")
    assert refused.exit_code == 1
    assert "answers.csv: 1 of 3 rows have problems; nothing was imported." in refused.output
    assert "row 4: column sat_overall: '11' — 11 is outside the item's scale 0–10." in refused.output
    assert "is required but not answered" not in refused.output  # the value's own problem is said once

    rejected = tmp_path / "rejected.csv"
    stored = run(
        retail, "import", str(answers), "--survey", "retail-2026", "--wave", "2026Q4", "--quarantine", str(rejected)
    )
    assert stored.exit_code == 0, stored.output
    assert "Read 3 = 2 stored + 1 rejected" in stored.output
    lines = rejected.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("row,reasons,response_id,submitted_at,sat_overall")
    assert lines[1].endswith(ANSWERS.splitlines()[3])  # the row exactly as it was in the file

    frame = wave(retail, "retail-2026", "2026Q4").responses.set_index("respondent", drop=False)
    assert frame["leave_reasons"].tolist()[1] == [1, 3]
    assert frame["comments"].tolist()[1] == "<script>alert(1)</script>"  # stored verbatim; escaping is for display


def test_a_newer_export_adds_only_the_new_responses_and_a_dry_run_stores_nothing(retail: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("\n".join(ANSWERS.splitlines()[:3]) + "\n", encoding="utf-8")
    assert run(retail, "import", str(first), "--survey", "retail-2026", "--wave", "2026Q4").exit_code == 0
    newer = tmp_path / "newer.csv"
    newer.write_text(ANSWERS.replace("r3,2026-10-02 09:30:00,11", "r3,2026-10-02 09:30:00,10"), encoding="utf-8")
    dry = run(retail, "import", str(newer), "--survey", "retail-2026", "--wave", "2026Q4", "--dry-run")
    assert "Read 3 = 1 would be stored (dry run) + 0 rejected + 2 duplicates." in dry.output
    assert len(wave(retail, "retail-2026", "2026Q4").responses) == 2
    result = run(retail, "import", str(newer), "--survey", "retail-2026", "--wave", "2026Q4")
    assert "Read 3 = 1 stored + 0 rejected + 2 duplicates." in result.output
    assert len(wave(retail, "retail-2026", "2026Q4").responses) == 3


def _merged_header_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["response_id", "sat_overall", None])
    sheet.append(["r1", 8, 9])
    sheet.merge_cells("B1:C1")
    book.save(path)


BAD_FILES = {
    "wrong encoding": ("answers.csv", b"response_id,sat_overall\nr1,8\n" + b"r2,\xff\xfe\x00\n"),
    "truncated row": ("answers.csv", b"response_id,sat_overall,recommend\nr1,8,9\nr2,7\n"),
    "value out of range": ("answers.csv", b"response_id,sat_overall,recommend\nr1,8,9\nr2,7,12\n"),
    "duplicated key": ("answers.csv", b"response_id,sat_overall,recommend\nr1,8,9\nr1,7,6\n"),
    "empty file": ("answers.csv", b""),
}


@pytest.mark.parametrize("kind", [*BAD_FILES, "merged header cells"])
def test_a_bad_file_gives_a_clear_error_and_stores_nothing(retail: Path, tmp_path: Path, kind: str) -> None:
    if kind == "merged header cells":
        path = tmp_path / "answers.xlsx"
        _merged_header_xlsx(path)
    else:
        name, content = BAD_FILES[kind]
        path = tmp_path / name
        path.write_bytes(content)
    result = run(retail, "import", str(path), "--survey", "retail-2026", "--wave", "2026Q4")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: "), result.output
    assert "Traceback" not in result.output
    listed = run(retail, "wave", "list", "--json").output
    assert '"responses": 0' in listed or listed.strip() == "[]"
