"""Killing `loyalty import` in the middle leaves the database as it was; running it again completes it.

The import is one transaction: a process killed (SIGKILL, nothing cleaned up) after it has written its first
chunks of responses must leave no response, no import batch and no new wave behind, on SQLite and PostgreSQL.
The child runs under a pseudo-terminal so that it shows its progress ("4,000 rows read"), which is written
after each chunk is stored: the test kills it once that says rows have gone to the database.
"""

from __future__ import annotations

import os
import pty
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select as select_rows
from typer.testing import CliRunner

from loyalty.cli import app
from loyalty.workspace import WorkspaceOptions, create_workspace, open_workspace
from surveys.questionnaire_file import load_questionnaire
from surveys.storage.survey_versions import publish_questionnaire
from surveys.storage.tables import ImportBatchRecord, ResponseRecord, WaveRecord

ROWS = 30_000  # enough that the import is still running well after its first chunks are stored
ITEMS = [f"q{number:02d}" for number in range(1, 11)]
QUESTIONNAIRE = "survey: kill-test\nlanguages: [en]\ntitle: {en: Kill test}\nsections:\n  - code: main\n" + (
    "    title: {en: Ratings}\n    items:\n"
    + "".join(
        f"      - {{code: {code}, type: rating, construct: attribute_satisfaction, direction: higher_is_better,"
        f" text: {{en: Item {code}}}, scale: {{min: 1, max: 5}}}}\n"
        for code in ITEMS
    )
)


@pytest.fixture
def workspace(tmp_path: Path, database_url: str) -> Path:
    directory = tmp_path / "ws"
    engine = create_workspace(directory, database_url).engine()
    path = tmp_path / "kill-test.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    with Session(engine) as session:
        publish_questionnaire(session, load_questionnaire(path), QUESTIONNAIRE)
        session.commit()
    engine.dispose()
    return directory


def export(path: Path) -> Path:
    generator = random.Random(7)
    lines = [",".join(["response_id", *ITEMS])]
    lines += [",".join([f"R{row}", *(str(generator.randint(1, 5)) for _ in ITEMS)]) for row in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def counts(workspace: Path) -> tuple[int, int, int]:
    """Responses, import batches and waves in the workspace's database."""
    engine = open_workspace(WorkspaceOptions(workspace)).engine()
    with Session(engine) as session:
        found = tuple(
            session.exec(select_rows(func.count()).select_from(table)).one()
            for table in (ResponseRecord, ImportBatchRecord, WaveRecord)
        )
    engine.dispose()
    return found[0], found[1], found[2]


def import_killed_after_rows_stored(workspace: Path, file: Path) -> str:
    """Start `loyalty import` on a terminal, SIGKILL it once it says 4,000 rows were read; what it showed."""
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-c", "from loyalty.cli import main; main()", "--workspace", str(workspace), "import",
         str(file), "--survey", "kill-test", "--wave", "W1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal,
    )  # fmt: skip
    os.close(terminal)
    shown = ""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and child.poll() is None:
            ready, _, _ = select.select([controller], [], [], 0.05)
            if ready:
                shown += os.read(controller, 4096).decode("utf-8", errors="replace")
            if "4,000 rows read" in shown:
                child.send_signal(signal.SIGKILL)
                break
    finally:
        child.wait(timeout=60)
        os.close(controller)
    assert child.returncode == -signal.SIGKILL, f"the import was not killed mid-way (exit {child.returncode}): {shown}"
    return shown


def test_a_killed_import_leaves_nothing_and_running_it_again_stores_every_row(workspace: Path, tmp_path: Path) -> None:
    file = export(tmp_path / "responses.csv")
    assert counts(workspace) == (0, 0, 0)

    shown = import_killed_after_rows_stored(workspace, file)
    assert "rows read" in shown
    assert counts(workspace) == (0, 0, 0)  # no response, no import batch, not even the wave it made

    again = CliRunner().invoke(
        app, ["--workspace", str(workspace), "import", str(file), "--survey", "kill-test", "--wave", "W1"]
    )
    assert again.exit_code == 0, again.output
    assert f"Read {ROWS} = {ROWS} stored + 0 rejected + 0 duplicates." in again.output
    assert counts(workspace) == (ROWS, 1, 1)
