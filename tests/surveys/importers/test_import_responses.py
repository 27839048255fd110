"""Importing responses into a wave: every row stored, rejected with reasons, or counted as a duplicate.

The platform readers have their own tests; here an ExportTable is written out by hand, as a reader would
produce it, and imported into a real workspace on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from loyalty.workspace import create_workspace
from surveys.importers.export_table import Cell, Choice, ExportColumn, ExportRow, ExportTable, Missing
from surveys.importers.import_responses import ImportOptions, ImportSummary, import_responses
from surveys.problems import InputError
from surveys.questionnaire_file import load_questionnaire
from surveys.storage.survey_versions import publish_questionnaire
from surveys.storage.tables import ResponseRecord
from surveys.storage.wave_data import load_wave

SMALL = Path(__file__).parents[1] / "data" / "small.yaml"

# As a 问卷星-like export would describe its columns: by number and text, grid rows by label.
COLUMNS = [
    ExportColumn(0, "序号", "metadata", metadata="response_id"),
    ExportColumn(1, "会员号", "metadata", metadata="respondent_key"),
    ExportColumn(2, "1、总体满意度", "answer", question_number=1, question_text="总体满意度"),
    ExportColumn(3, "recommend", "answer"),
    ExportColumn(4, "3、您投诉过吗", "answer", question_number=3, question_text="您投诉过吗"),
    ExportColumn(5, "价格", "answer", question_number=4, question_text="评价", part="价格"),
]


def row(number: int, *cells: Cell) -> ExportRow:
    return ExportRow(number, cells, tuple("" if cell is None else str(cell) for cell in cells))


def table(rows: list[ExportRow], name: str = "export.xls") -> ExportTable:
    return ExportTable("wjx", name, COLUMNS, iter(rows), choice_codes="position")


@pytest.fixture
def engine(tmp_path: Path, database_url: str) -> Iterator[Engine]:
    workspace = create_workspace(tmp_path / "workspace", database_url)
    engine = workspace.engine()
    with Session(engine) as session:
        publish_questionnaire(session, load_questionnaire(SMALL), SMALL.read_text(encoding="utf-8"))
        session.commit()
    yield engine
    engine.dispose()


def run_import(engine: Engine, export: ExportTable, digest: str = "d1", **options: Any) -> ImportSummary:
    with Session(engine) as session:
        summary = import_responses(session, export, ImportOptions("retail-2026", "2026Q3", **options), digest)
        session.commit()
    return summary


def stored(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(ResponseRecord)).one()


GOOD = [
    row(2, "1", "C-001", Choice(label="非常满意"), "9", Choice(label="否", code=2), None),
    row(3, "2", "C-002", Choice(label="3分", code=4), "4", Choice(label="是", code=1), Choice(label="2分", code=2)),
    row(4, "3", None, Choice(code=11), "10", Choice(code=2), Missing.NOT_SHOWN),
]


def test_answers_are_coded_through_labels_and_loaded_typed(engine: Engine) -> None:
    summary = run_import(engine, table(GOOD))
    assert (summary.read, summary.stored, summary.rejected, summary.duplicates) == (3, 3, 0, 0)
    assert summary.wave_created
    with Session(engine) as session:
        wave = load_wave(session, "retail-2026", "2026Q3")
    frame = wave.responses
    # "非常满意" is the label of 10; "3分" is 3 although its by-code position is 4; code 11 is position 11 → 10
    assert frame["sat_overall"].tolist() == [10, 3, 10]
    assert str(frame["sat_overall"].dtype) == "Int64"
    assert frame["recommend"].tolist() == [9, 4, 10]
    assert frame["complained"].tolist() == [2, 1, 2]
    assert frame["grid_importance_price"].isna().tolist() == [True, False, True]
    assert wave.missing["grid_importance_price"].tolist()[2] == "not_shown"
    # customer numbers are pseudonymised, the same way every time, never stored as given
    assert frame["respondent"].notna().tolist() == [True, True, False]
    assert "C-001" not in set(frame["respondent"].dropna())


def test_any_bad_value_stores_nothing_and_says_row_column_and_why(engine: Engine) -> None:
    bad = [*GOOD[:2], row(4, "3", None, Choice(label="12分"), "11", Choice(label="也许"), None)]
    with pytest.raises(InputError) as caught:
        run_import(engine, table(bad))
    report = caught.value.report()
    assert "export.xls: 1 of 3 rows have problems; nothing was imported." in report
    assert "row 4: column 1、总体满意度: '12分' — 12 is outside the item's scale 0–10." in report
    assert "row 4: column recommend: '11' — 11 is outside the item's scale 0–10." in report
    assert (
        "row 4: column 3、您投诉过吗: '也许' — '也许' is not an option of the item. The options are 1 = 是; 2 = 否."
        in report
    )
    assert stored(engine) == 0


def test_quarantine_keeps_the_good_rows_and_writes_the_bad_ones_unchanged(engine: Engine, tmp_path: Path) -> None:
    bad = row(5, "4", None, Choice(label="12分"), "5", Choice(label="否"), None)
    quarantine = tmp_path / "rejected.csv"
    summary = run_import(engine, table([*GOOD, bad]), quarantine=quarantine)
    assert (summary.read, summary.stored, summary.rejected) == (4, 3, 1)
    assert stored(engine) == 3
    with quarantine.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["row", "reasons", "序号", "会员号", "1、总体满意度", "recommend", "3、您投诉过吗", "价格"]
    assert rows[1][0] == "5"
    assert "12 is outside the item's scale 0–10" in rows[1][1]
    assert rows[1][2:] == list(bad.raw)


def test_the_same_file_twice_changes_nothing_and_a_newer_export_adds_only_new_responses(engine: Engine) -> None:
    run_import(engine, table(GOOD), digest="first")
    again = run_import(engine, table(GOOD), digest="first")
    assert again.already_imported
    assert again.duplicates == 3
    newer = [*GOOD, row(5, "4", "C-004", Choice(label="8分"), "8", Choice(label="否"), None)]
    summary = run_import(engine, table(newer, "export-newer.xls"), digest="second")
    assert (summary.read, summary.stored, summary.duplicates) == (4, 1, 3)
    assert stored(engine) == 4


def test_an_answer_to_a_question_its_routing_skips_is_rejected(engine: Engine) -> None:
    # the grid is asked only if complained == 1 and recommend <= 6; here complained is 2
    routed_wrongly = row(2, "1", None, Choice(label="8分"), "9", Choice(label="否"), Choice(label="4分"))
    with pytest.raises(InputError) as caught:
        run_import(engine, table([routed_wrongly]))
    assert "is answered although its condition `complained == 1 and recommend <= 6` is false" in caught.value.report()


def test_a_required_answer_missing_from_a_complete_response_is_rejected(engine: Engine) -> None:
    with pytest.raises(InputError) as caught:
        run_import(engine, table([row(2, "1", None, None, "9", Choice(label="否"), None)]))
    assert "row 2: sat_overall: is required but not answered in a complete response." in caught.value.report()


def test_a_respondent_twice_in_one_wave_and_a_repeated_response_id_are_rejected(engine: Engine) -> None:
    same_id = row(4, "1", "C-009", Choice(label="8分"), "8", Choice(label="否"), None)
    twice = [GOOD[0], row(3, "2", "C-001", Choice(label="8分"), "8", Choice(label="否"), None), same_id]
    with pytest.raises(InputError) as caught:
        run_import(engine, table(twice))
    report = caught.value.report()
    assert "row 3: respondent 'C-001' already answered this wave on row 2." in report
    assert "row 4: response id '1' already appears on row 2." in report


def test_a_respondent_already_stored_in_the_wave_by_another_file_is_rejected(engine: Engine) -> None:
    run_import(engine, table(GOOD), digest="first")
    other_platform = [row(2, "A-7", "C-002", Choice(label="8分"), "8", Choice(label="否"), None)]
    with pytest.raises(InputError) as caught:
        run_import(engine, table(other_platform, "other.xls"), digest="second")
    report = caught.value.report()
    assert "row 2: respondent 'C-002' already answered this wave: response '2', stored by an earlier import." in report
    assert stored(engine) == 3
    # the same respondent in another wave is fine
    with Session(engine) as session:
        options = ImportOptions("retail-2026", "2026Q4")
        assert import_responses(session, table(other_platform, "other.xls"), options, "second").stored == 1


def test_a_typed_text_not_shown_is_coded_as_text_not_as_the_missing_reason(engine: Engine, tmp_path: Path) -> None:
    # Missing.NOT_SHOWN == "not_shown" as values (a StrEnum); remembering coded cells must tell them apart
    typed = row(5, "4", None, Choice(label="8分"), "8", Choice(label="否"), "not_shown")
    summary = run_import(engine, table([*GOOD, typed]), quarantine=tmp_path / "rejected.csv")
    assert (summary.stored, summary.rejected) == (3, 1)
    with (tmp_path / "rejected.csv").open(encoding="utf-8-sig") as handle:
        rejected = list(csv.reader(handle))[1]
    assert rejected[0] == "5"
    assert rejected[1].startswith("column 价格: 'not_shown' — ")


def test_a_column_matching_no_item_stops_the_import_until_mapped(engine: Engine) -> None:
    columns = [*COLUMNS, ExportColumn(6, "7、您的邮编", "answer", question_number=7, question_text="您的邮编")]
    rows = [ExportRow(2, (*GOOD[0].cells, "200000"))]
    with pytest.raises(InputError) as caught:
        run_import(engine, ExportTable("wjx", "export.xls", columns, iter(rows)))
    assert "column 7、您的邮编: matches no item of the questionnaire." in caught.value.report()
    rows = [ExportRow(2, (*GOOD[0].cells, "200000"))]
    summary = run_import(
        engine, ExportTable("wjx", "export.xls", columns, iter(rows)), mapping={"7、您的邮编": "ignore"}
    )
    assert summary.stored == 1


def test_a_dry_run_checks_everything_and_stores_nothing(engine: Engine) -> None:
    summary = run_import(engine, table(GOOD), dry_run=True)
    assert (summary.read, summary.stored) == (3, 3)
    assert stored(engine) == 0


answers = st.one_of(
    st.sampled_from(["0", "5", "10", "11", "-1", "x", ""]),
    st.builds(Choice, label=st.sampled_from(["3分", "非常满意", "abc"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 8), answers, st.sampled_from(["0", "10", "12"]), st.sampled_from(["1", "2", "3"])),
        max_size=12,
    ),
    wave=st.uuids(),
)
def test_every_row_read_is_stored_rejected_or_a_duplicate(
    engine: Engine, rows: list[tuple[int, Cell, str, str]], wave: object
) -> None:
    export = [
        row(index + 2, str(response_id), None, satisfaction, recommend, Choice(code=int(complained)), None)
        for index, (response_id, satisfaction, recommend, complained) in enumerate(rows)
    ]
    with Session(engine) as session:
        summary = import_responses(
            session, table(export), ImportOptions("retail-2026", f"w{str(wave)[:8]}", quarantine=Path("/dev/null")), "h"
        )
        session.rollback()
    assert summary.read == len(rows)
    assert summary.stored + summary.rejected + summary.duplicates == summary.read
