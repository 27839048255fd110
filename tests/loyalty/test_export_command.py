"""`loyalty export` and `loyalty import-customers` as a researcher runs them."""

from __future__ import annotations

import csv
from pathlib import Path

import pyreadstat
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from loyalty.cli import app
from loyalty.workspace import WorkspaceOptions, open_workspace
from surveys.storage.tables import CustomerRecord

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "retail-2026.yaml"
ANSWERS = """\
response_id,customer_id,sat_overall,recommend,purchases_12m,problem,complained,leave_reasons_1,leave_reasons_2,leave_reasons_3,leave_reasons_4,leave_reasons_other,comments
r1,C-1,8,9,12,2,,,,,,,=HYPERLINK("http://x")
r2,C-2,3,2,1,1,1,1,0,1,0,朋友推荐了别家,很好
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    directory = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(directory)]).exit_code == 0
    assert run(directory, "survey", "publish", str(EXAMPLE)).exit_code == 0
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    imported = run(directory, "import", str(answers), "--survey", "retail-2026", "--wave", "2026Q4")
    assert imported.exit_code == 0, imported.output
    return directory


def run(workspace: Path, *arguments: str) -> Result:
    return CliRunner().invoke(app, ["--workspace", str(workspace), *arguments])


def test_csv_export_spreads_multiple_choice_and_defuses_formulas(workspace: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    result = run(workspace, "export", "--survey", "retail-2026", "--wave", "2026Q4", "-o", str(output))
    assert result.exit_code == 0, result.output
    with output.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["leave_reasons_1"] for row in rows] == ["", "1"]
    assert [row["leave_reasons_2"] for row in rows] == ["", "0"]
    assert rows[0]["comments"] == '\'=HYPERLINK("http://x")'  # a spreadsheet shows it, never runs it
    assert "respondent" not in rows[0]  # pseudonyms only on request


def test_sav_export_keeps_variable_and_value_labels_in_the_chosen_language(workspace: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.sav"
    result = run(workspace, "export", "--survey", "retail-2026", "--wave", "2026Q4", "--to", "sav", "--lang", "en",
                 "-o", str(output), "--with-identifiers")  # fmt: skip
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_sav(str(output))
    assert frame["sat_overall"].tolist() == [8, 3]
    assert str(meta.column_names_to_labels["sat_overall"]).startswith("Considering all your experiences")
    assert meta.variable_value_labels["problem"] == {1.0: "Yes", 2.0: "No"}
    assert meta.variable_value_labels["sat_overall"] == {0.0: "Very dissatisfied", 10.0: "Very satisfied"}
    assert frame["respondent"].str.len().tolist() == [24, 24]  # pseudonyms, not C-1 and C-2


def test_customer_records_link_to_respondents_by_the_same_pseudonym(workspace: Path, tmp_path: Path) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text(
        '客户编号,季度,购买次数,消费金额,是否流失\nC-1,2026Q4,5,"1,200.50",否\nC-2,2026Q4,0,0,是\n', encoding="utf-8"
    )
    result = run(workspace, "import-customers", str(crm))
    assert result.exit_code == 0, result.output
    assert "Read 2 customer records: 2 stored (0 replacing earlier ones)." in result.output
    again = run(workspace, "import-customers", str(crm))
    assert "2 stored (2 replacing earlier ones)" in again.output
    exported = tmp_path / "with-ids.csv"
    run(workspace, "export", "--survey", "retail-2026", "--wave", "2026Q4", "-o", str(exported), "--with-identifiers")
    with exported.open(encoding="utf-8-sig") as handle:
        respondents = [row["respondent"] for row in csv.DictReader(handle)]
    engine = open_workspace(WorkspaceOptions(workspace)).engine()
    with Session(engine) as session:
        records = {record.customer_key: record for record in session.exec(select(CustomerRecord)).all()}
    engine.dispose()
    assert set(records) == set(respondents)
    assert records[respondents[0]].revenue == 1200.5
    assert records[respondents[1]].churned is True


def test_a_crm_file_without_a_customer_column_says_which_to_map(workspace: Path, tmp_path: Path) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text("client,period\nC-1,2026Q4\n", encoding="utf-8")
    result = run(workspace, "import-customers", str(crm))
    assert result.exit_code == 1
    assert "has no customer_key column." in result.output
