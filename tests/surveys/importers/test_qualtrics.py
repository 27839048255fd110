"""Qualtrics exports: the ImportId row as key, question text and row labels from row 2, both export choices.

The fixtures are one small store survey exported twice, as Qualtrics writes them: "numeric values" as CSV
(UTF-8 with BOM) and "choice text" as TSV (UTF-16 LE with BOM, tabs); three header rows each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.importers.export_table import Choice, ExportTable
from surveys.importers.qualtrics import read_qualtrics_export
from surveys.problems import InputError

DATA = Path(__file__).parent / "data"


def by_key(table: ExportTable) -> dict[str, int]:
    return {column.key: index for index, column in enumerate(table.columns) if column.key}


def test_respondent_fields_map_to_metadata_and_the_rest_is_ignored() -> None:
    table = read_qualtrics_export(DATA / "qualtrics_numeric.csv")
    metadata = {column.key: column.metadata for column in table.columns if column.role == "metadata"}
    assert metadata == {
        "startDate": "started_at",
        "endDate": "submitted_at",
        "ipAddress": "ip_address",
        "duration": "duration_seconds",
        "finished": "status",
        "_recordId": "response_id",
        "recipientLastName": "name",
        "recipientFirstName": "name",
        "recipientEmail": "email",
        "externalDataReference": "respondent_key",
        "distributionChannel": "channel",
    }
    ignored = [column.key for column in table.columns if column.role == "ignored"]
    assert ignored == [
        "status",
        "progress",
        "recordedDate",
        "locationLatitude",
        "locationLongitude",
        "userLanguage",
        "QID2_NPS_GROUP",
    ]


def test_questions_are_keyed_by_import_id_with_text_and_row_labels_from_row_two() -> None:
    table = read_qualtrics_export(DATA / "qualtrics_numeric.csv")
    answers = [
        (column.key, column.role, column.question_number, column.question_text, column.part)
        for column in table.columns
        if column.role in ("answer", "specify")
    ]
    matrix = "How satisfied are you with each of the following?"
    channels = "Which of these do you use to shop with us?"
    assert answers == [
        ("QID1", "answer", 1, "Overall, how satisfied are you with our store?", None),
        ("QID2", "answer", 2, "How likely are you to recommend our store to a friend or colleague?", None),
        ("QID3", "answer", 3, channels, None),  # " - Selected Choice" dropped
        ("QID3_4_TEXT", "specify", 3, channels, "Other (please specify)"),
        ("QID4_1", "answer", 4, matrix, "Prices"),
        ("QID4_2", "answer", 4, matrix, "Staff - friendliness"),  # a row label holding " - " stays whole
        ("QID4_3", "answer", 4, matrix, "Checkout speed"),
        ("QID5_TEXT", "answer", 5, "What is the one thing we could do better?", None),  # a text-entry question
        ("QID6_1", "answer", 6, "How much of your grocery spending goes to us?", "Share of spending (%)"),
        ("customer_segment", "answer", None, "customer_segment", None),  # embedded data
    ]


def test_a_numeric_values_export_gives_codes() -> None:
    table = read_qualtrics_export(DATA / "qualtrics_numeric.csv")
    keys = by_key(table)
    rows = [row.cells for row in table.rows]
    assert [row[keys["_recordId"]] for row in rows] == ["R_1a2B3c4D5e6F7g8", "R_2h3J4k5L6m7N8p9", "R_3q4R5s6T7u8V9w0"]
    assert [row[keys["finished"]] for row in rows] == ["complete", "partial", "complete"]
    assert [row[keys["duration"]] for row in rows] == [247.0, 152.0, 49.0]
    assert [row[keys["distributionChannel"]] for row in rows] == ["email", "anonymous", "preview"]
    first, second, third = rows
    assert first[keys["QID1"]] == Choice(code=5)
    assert first[keys["QID3"]] == (Choice(code=1), Choice(code=2))
    assert second[keys["QID3"]] == (Choice(code=1), Choice(code=4))
    assert second[keys["QID3_4_TEXT"]] == "WeChat mini program"
    assert third[keys["QID3"]] == Choice(code=3)  # one option of a multiple answer: one Choice
    assert second[keys["QID4_2"]] is None
    assert first[keys["QID6_1"]] == "72.5"  # a slider's decimal is a number as written
    assert first[keys["QID5_TEXT"]] == "Shorter queues at the weekend"
    assert [row.row_number for row in read_qualtrics_export(DATA / "qualtrics_numeric.csv").rows] == [4, 5, 6]


def test_a_choice_text_export_in_utf16_tsv_gives_labels() -> None:
    table = read_qualtrics_export(DATA / "qualtrics_text.tsv")
    assert table.notes == [f"{DATA / 'qualtrics_text.tsv'}: a Qualtrics export of choice text."]
    keys = by_key(table)
    first, second, third = (row.cells for row in table.rows)
    assert [first[keys["finished"]], second[keys["finished"]]] == ["complete", "partial"]
    assert first[keys["QID1"]] == Choice(label="Very satisfied")
    assert first[keys["QID2"]] == "9"  # a scale labelled by its numbers stays a number
    assert first[keys["QID3"]] == (Choice(label="In store"), Choice(label="Mobile app"))
    assert second[keys["QID3"]] == (Choice(label="In store"), Choice(label="Other (please specify)"))
    assert third[keys["QID3"]] == Choice(label="Website")
    assert first[keys["QID4_3"]] == Choice(label="Neither satisfied nor dissatisfied")


def test_a_label_holding_a_comma_is_cut_losslessly(tmp_path: Path) -> None:
    path = tmp_path / "comma.csv"
    path.write_text(
        'Finished,Q1\nFinished,Would you shop here again?\n"{""ImportId"":""finished""}","{""ImportId"":""QID1""}"\n'
        'True,"Yes, definitely"\n',
        encoding="utf-8-sig",
    )
    (row,) = read_qualtrics_export(path).rows
    labels = row.cells[1]
    assert isinstance(labels, tuple)
    assert ",".join(choice.label or "" for choice in labels) == "Yes, definitely"


def test_a_legacy_export_without_the_import_id_row_says_how_to_export_again(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_text(
        "V1,V2,Q1\nResponseID,ResponseSet,How satisfied are you?\nR_1,Default Response Set,4\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as raised:
        read_qualtrics_export(path)
    assert "ImportId row" in raised.value.summary
    assert "'Use legacy format' unticked" in str(raised.value.problems[-1])
    assert str(raised.value.problems[0]) == "row 3, column A: 'R_1' is not an ImportId."


def test_a_file_with_fewer_than_three_rows_is_not_an_export(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("ResponseId,Q1\nResponse ID,How satisfied are you?\n", encoding="utf-8")
    with pytest.raises(InputError, match="3 header rows"):
        read_qualtrics_export(path)


def test_seen_but_unanswered_minus_99_is_an_absent_answer(tmp_path: Path) -> None:
    path = tmp_path / "unanswered.csv"
    path.write_text(
        "Finished,Q1,Q2\nFinished,How satisfied are you?,Which do you use?\n"
        '"{""ImportId"":""finished""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}"\n'
        "1,-99,-99\n",
        encoding="utf-8-sig",
    )
    (row,) = read_qualtrics_export(path).rows
    assert row.cells == ("complete", None, None)
