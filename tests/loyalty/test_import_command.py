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
