"""A plain CSV file imported column-wise stores and reports exactly what the row-by-row import does.

`read_tabular_export` gives a plain file (UTF-8, no quotes, no blank lines) both ways: as rows and as
pyarrow column batches. The import takes the batches when they are there; the same table without them goes
row by row. Both imports of the same mixed good/bad file must store the same rows, byte for byte, and
report the same problems with the same row numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from loyalty.workspace import create_workspace
from surveys.importers import text_columns
from surveys.importers.export_table import ExportRow
from surveys.importers.import_responses import ImportOptions, ImportSummary, _Run, import_responses
from surveys.importers.tabular import read_tabular_export
from surveys.problems import InputError
from surveys.questionnaire_file import load_questionnaire
from surveys.storage.survey_versions import publish_questionnaire

QUESTIONNAIRE = """\
survey: columnwise
languages: [en]
title: {en: Column-wise}
sections:
  - code: main
    title: {en: Main}
    items:
      - {code: q1, type: rating, construct: attribute_satisfaction, direction: higher_is_better,
         text: {en: One}, scale: {min: 1, max: 5}}
      - {code: q2, type: rating, construct: attribute_satisfaction, direction: higher_is_better,
         text: {en: Two}, scale: {min: 0, max: 10}}
      - {code: visits, type: number, construct: repeat_purchase, direction: higher_is_better,
         text: {en: Visits}, min: 0, max: 365}
      - {code: spend, type: number, construct: spending, direction: higher_is_better, required: false,
         integer: false, text: {en: Spend}, min: 0}
      - code: complained
        type: single_choice
        construct: complained
        text: {en: "Complained?"}
        options:
          - {code: 1, text: {en: 'Yes'}}
          - {code: 2, text: {en: 'No'}}
      - {code: comments, type: text, construct: open_feedback, required: false, text: {en: Comments}}
"""

HEADER = "response_id,q1,q2,visits,spend,complained,comments"
MIXED = [
    "R01,3,9,12,25.5,Yes,很好",
    "R02,5,10,0,,2,",  # optional answers left empty
    "R03,6,9,1,,1,x",  # q1 outside its scale
    "R04,1, 7 ,3,100,1,a\\b",  # spaces around a value; a backslash in a text
    "R05,2,3,,,1,",  # a required number missing
    "R06,not_shown,3,2,1,1,",  # the text "not_shown" is no scale point
    "R07,4,abc,2,1,Maybe,",  # two bad values
    " ,4,4,4,4,1,no id",  # no response id: the row's hash is its id
    "R09,   ,4,4,4,1,",  # a blank cell
    "R10,5,5,5,-1,2,",  # below the number's minimum
    "R11,1,0,365,0.25,No,ok",
]


@pytest.fixture
def engine(tmp_path: Path, database_url: str) -> Iterator[Engine]:
    engine = create_workspace(tmp_path / "workspace", database_url).engine()
    path = tmp_path / "columnwise.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    with Session(engine) as session:
        publish_questionnaire(session, load_questionnaire(path), QUESTIONNAIRE)
        session.commit()
    yield engine
    engine.dispose()


def write(path: Path, lines: list[str], bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\r\n".join([HEADER, *lines]) + "\r\n", encoding="utf-8")
    return path


def both_ways(engine: Engine, path: Path, tmp_path: Path, digest: str, **options: Any) -> list[ImportSummary]:
    """Import `path` column-wise into wave W-columns and row by row into wave W-rows."""
    summaries = []
    for way in ("columns", "rows"):
        table = read_tabular_export(path)
        assert table.column_batches is not None  # a plain file: both ways are open
        if way == "rows":
            table = dataclasses.replace(table, column_batches=None)
        quarantine = tmp_path / f"rejected-{way}-{digest}.csv"
        with Session(engine) as session:
            settings = ImportOptions("columnwise", f"W-{way}", quarantine=quarantine, **options)
            summaries.append(import_responses(session, table, settings, digest))
            session.commit()
    return summaries


def stored_rows(engine: Engine, wave: str) -> list[tuple[Any, ...]]:
    """Every stored column of the wave's responses but the ids that differ by wave, in the order stored."""
    with Session(engine) as session:
        query = text(
            "SELECT r.source, r.platform_response_id, r.started_at, r.submitted_at, r.duration_seconds, r.status,"
            " CAST(r.answers AS TEXT), CAST(r.missing AS TEXT), CAST(r.details AS TEXT), r.respondent_id"
            " FROM response r JOIN wave w ON w.id = r.wave_id WHERE w.label = :wave ORDER BY r.id"
        )
        return [tuple(found) for found in session.connection().execute(query, {"wave": wave})]


def counts(summary: ImportSummary) -> tuple[int, int, int, int]:
    return summary.read, summary.stored, summary.rejected, summary.duplicates


@pytest.mark.parametrize("block_bytes", [None, 64])
def test_a_mixed_file_stores_and_rejects_the_same_rows_both_ways(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int | None
) -> None:
    if block_bytes:  # batches of a row or two: a duplicate meets its first in an earlier batch
        monkeypatch.setattr(text_columns, "_READ_BLOCK_BYTES", block_bytes)
    columns, rows = both_ways(engine, write(tmp_path / "wave.csv", MIXED, bom=True), tmp_path, "d1")
    assert counts(columns) == counts(rows) == (11, 5, 6, 0)
    assert stored_rows(engine, "W-columns") == stored_rows(engine, "W-rows")
    assert [row[1] for row in stored_rows(engine, "W-rows")][:3] == ["R01", "R02", "R04"]
    quarantined = [(tmp_path / f"rejected-{way}-d1.csv").read_bytes() for way in ("columns", "rows")]
    assert quarantined[0] == quarantined[1]
    assert "R06,not_shown" in quarantined[0].decode("utf-8-sig")

    # a newer export: the stored responses are duplicates, a repeated id in it is a problem, both ways
    newer = [*MIXED, "R03,1,1,1,1,1,", "R12,2,2,2,2,2,", "R12,3,3,3,3,2,again", " R13 ,1,1,1,1,1,"]
    newer += [f"R2{number},1,1,1,1,1,filler" for number in range(8)] + ["R03,2,2,2,2,2,"]
    columns, rows = both_ways(engine, write(tmp_path / "newer.csv", newer), tmp_path, "d2")
    assert counts(columns) == counts(rows) == (24, 11, 8, 5)
    assert stored_rows(engine, "W-columns") == stored_rows(engine, "W-rows")
    quarantined = [(tmp_path / f"rejected-{way}-d2.csv").read_bytes() for way in ("columns", "rows")]
    assert quarantined[0] == quarantined[1]
    assert "response id 'R03' already appears on row 13." in quarantined[0].decode("utf-8-sig")


def test_without_a_quarantine_both_ways_report_the_same_problems_and_store_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path / "wave.csv", MIXED)
    reports = []
    for way in ("columns", "rows"):
        table = read_tabular_export(path)
        if way == "rows":
            table = dataclasses.replace(table, column_batches=None)
        with Session(engine) as session, pytest.raises(InputError) as caught:
            import_responses(session, table, ImportOptions("columnwise", "W"), "d1")
        reports.append(caught.value.report())
    assert reports[0] == reports[1]
    assert "row 4: column q1: '6' — 6 is outside the item's scale 1–5." in reports[0]
    assert stored_rows(engine, "W") == []


def test_a_file_of_good_rows_is_stored_the_same_both_ways_and_coded_column_wise(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = [f"G{number:03d},{number % 5 + 1},{number % 11},{number % 366},{number / 4 if number % 3 else ''},"
            f"{number % 2 + 1},{'很好' if number % 7 == 0 else ''}"
            for number in range(300)]  # fmt: skip
    row_by_row: list[int] = []
    chunk_results = _Run._chunk_results

    def spied(run: _Run, chunk: list[ExportRow]) -> list[tuple[Any, ...] | None]:
        row_by_row.extend(row.row_number for row in chunk)
        return chunk_results(run, chunk)

    monkeypatch.setattr(_Run, "_chunk_results", spied)
    columns, rows = both_ways(engine, write(tmp_path / "good.csv", good), tmp_path, "d1")
    assert counts(columns) == counts(rows) == (300, 300, 0, 0)
    assert row_by_row == list(range(2, 302))  # all of them on the way row by row, none on the way by columns
    assert stored_rows(engine, "W-columns") == stored_rows(engine, "W-rows")
    answers = [row[6] for row in stored_rows(engine, "W-rows")]
    assert answers[:2] == [
        '{"q1":1,"q2":0,"visits":0,"complained":1,"comments":"很好"}',
        '{"q1":2,"q2":1,"visits":1,"spend":0.25,"complained":2}',
    ]
