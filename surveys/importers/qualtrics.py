"""Qualtrics exports (CSV, or TSV as UTF-16): three header rows, keyed by the ImportId of the third.

Row 1 holds the export tags (`Q5`, `Q7_1`, renamable by the survey designer), row 2 the question texts, row 3
a JSON object per column, `{"ImportId":"QID5"}`, that stays the same however the survey is renamed: it is the
column's `key`. How each kind of column maps onto `ExportColumn`:

- `QID5`: a question; row 2's ` - Selected Choice` (written when a choice has a text box) is dropped from
  `question_text`.
- `QID7_1`: a matrix row, slider or other sub-question; row 2 reads `question - row label`, split into
  `question_text` and `part` where the texts of `QID7_1`, `QID7_2` … stop agreeing (a label may hold " - ").
- `QID9_4_TEXT`: the text typed into option 4's box: role specify, `part` = the option's label from row 2
  (`question - Other (please specify) - Text`). `QID6_TEXT` headed by the question alone is a text-entry
  question.
- `QID2_NPS_GROUP` (derived), `QID3_DO_…` (display order), timing sub-fields and `Q_…` fraud checks: ignored.
- Respondent fields: `_recordId` → response_id, `startDate` → started_at, `endDate` → submitted_at,
  `duration` → duration_seconds (float), `finished` → status (complete or partial; `progress` is ignored),
  `ipAddress`, `recipientEmail` → email, `recipientFirstName` and `recipientLastName` → name (two columns;
  the second is the last name), `externalDataReference` → respondent_key, `distributionChannel` → channel
  (`preview` and `test` responses say so there); the location, `status`, `recordedDate` and `userLanguage`
  are ignored. Embedded data fields are named by their own ImportId and go through `metadata_field`.

Cells follow the export's choice, which Qualtrics does not write in the headers but shows in the data:
`Finished` is 1/0 in a "numeric values" export and True/False in a "choice text" one.

- numeric values: a whole number is `Choice(code=n)`; `1,3` (a multiple answer) is a tuple of them; the
  optional −99 ("seen but unanswered") is None; anything else (a slider's 72.5) is text.
- choice text: a number is text (a slider, or a scale labelled by its numbers); any other answer is
  `Choice(label=…)`, and one holding commas is a tuple of labels cut at each comma, which is how Qualtrics
  joins a multiple answer. A single-choice label that itself holds a comma ("Yes, definitely") therefore
  arrives as several labels: the matcher, knowing the item is single choice, joins them back with "," (the
  cut is lossless: nothing is stripped).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from surveys.importers.export_table import Cell, Choice, ExportColumn, ExportRow, ExportTable, MetadataField
from surveys.importers.tabular import duration_seconds, metadata_field
from surveys.importers.text_files import column_letter, open_delimited_text
from surveys.problems import InputError, Problem

_RESPONDENT_FIELDS: dict[str, MetadataField | None] = {
    "_recordid": "response_id",
    "responseid": "response_id",
    "startdate": "started_at",
    "enddate": "submitted_at",
    "duration": "duration_seconds",
    "finished": "status",
    "ipaddress": "ip_address",
    "recipientemail": "email",
    "recipientfirstname": "name",
    "recipientlastname": "name",
    "externaldatareference": "respondent_key",
    "externalreference": "respondent_key",
    "distributionchannel": "channel",
    "progress": None,
    "status": None,
    "recordeddate": None,
    "userlanguage": None,
    "locationlatitude": None,
    "locationlongitude": None,
}
_QUESTION = re.compile(r"^QID(\d+)(?:_(.+))?$")
_IGNORED_SUFFIX = re.compile(r"(?:^|_)(?:NPS_GROUP|DO(?:_.*)?|FIRST_CLICK|LAST_CLICK|PAGE_SUBMIT|CLICK_COUNT)$")
_EXPORT_TAG_NUMBER = re.compile(r"^Q(\d+)(?:_|$)")
_WHOLE = re.compile(r"^-?\d+$")
_WHOLES = re.compile(r"^\d+(?:,\d+)+$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_UNANSWERED = "-99"


def read_qualtrics_export(path: Path, source: str | None = None) -> ExportTable:
    """Read a Qualtrics CSV or TSV export ("numeric values" or "choice text") into an ExportTable.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_text(
    ...     'ResponseId,Finished,Q1\\nResponse ID,Finished,How satisfied are you?\\n'
    ...     '"{""ImportId"":""_recordId""}","{""ImportId"":""finished""}","{""ImportId"":""QID1""}"\\n'
    ...     'R_1a2B3c,1,4\\n', encoding="utf-8")
    >>> table = read_qualtrics_export(path)
    >>> [(column.key, column.metadata, column.question_text) for column in table.columns]
    [('_recordId', 'response_id', None), ('finished', 'status', None), ('QID1', None, 'How satisfied are you?')]
    >>> next(table.rows).cells
    ('R_1a2B3c', 'complete', Choice(label=None, code=4, specify=None))
    """
    name = source or str(path)
    if not path.is_file():
        raise InputError(f"{name} cannot be read.", [Problem(name, "no such file.")])
    opened = open_delimited_text(path, header_rows=3, source=name)
    tags, texts, id_cells = opened.header_rows
    import_ids = _import_ids(id_cells, name)

    first = next(opened.records, None)
    finished = next((i for i, import_id in enumerate(import_ids) if import_id.lower() == "finished"), None)
    choice_text = first is not None and finished is not None and first.cells[finished].strip() in ("True", "False")

    columns: list[ExportColumn] = []
    readers: list[Callable[[str], Cell]] = []
    stems = _question_stems(texts, import_ids)
    for position, (tag, text, import_id) in enumerate(zip(tags, texts, import_ids, strict=True)):
        column, read = _column(position, tag, text, import_id, choice_text, stems.get(position))
        columns.append(column)
        readers.append(read)

    records = itertools.chain([first] if first is not None else [], opened.records)

    def rows() -> Iterator[ExportRow]:
        for record in records:
            yield ExportRow(
                record.row_number,
                tuple(
                    None if not cell.strip() else read(cell) for read, cell in zip(readers, record.cells, strict=True)
                ),
                tuple(record.cells),
            )

    mode = "choice text" if choice_text else "numeric values"
    notes = [f"{name}: a Qualtrics export of {mode}."]
    return ExportTable(
        format="qualtrics", source=name, columns=columns, rows=rows(), notes=notes, raw_header=tuple(tags)
    )


def _import_ids(cells: tuple[str, ...], source: str) -> list[str]:
    """The ImportId of every column from row 3; an InputError naming the columns when row 3 is not that row."""
    import_ids = []
    problems = []
    for position, cell in enumerate(cells):
        try:
            value = json.loads(cell)
            import_id = value["ImportId"]
        except (ValueError, TypeError, KeyError):
            problems.append(Problem(f"row 3, column {column_letter(position)}", f"{cell[:60]!r} is not an ImportId."))
            continue
        import_ids.append(str(import_id))
    if problems:
        raise InputError(
            f'{source} is not a Qualtrics export with an ImportId row (row 3 holds {{"ImportId":"QID…"}}).',
            [
                *problems[:5],
                Problem(
                    "",
                    "An export in the legacy format has two header rows and no ImportId.",
                    "Export the data again as CSV or TSV with 'Use legacy format' unticked.",
                ),
            ],
        )
    return import_ids


def _question_stems(texts: tuple[str, ...], import_ids: list[str]) -> dict[int, str]:
    """For sub-question columns (`QID7_1`, `QID7_2` …): the question text they share before ` - `.

    A row label may hold " - " itself ("Staff - friendliness"), so the split is where the siblings' texts stop
    agreeing, not at the last " - "; a question with a single sub-question column splits at the last one.
    """
    siblings: dict[str, list[int]] = {}
    for position, import_id in enumerate(import_ids):
        match = _QUESTION.match(import_id)
        if match and match[2] and not match[2].endswith("TEXT") and not _IGNORED_SUFFIX.search(match[2]):
            siblings.setdefault(match[1], []).append(position)
    stems = {}
    for positions in siblings.values():
        candidates = [texts[position] for position in positions]
        if len(candidates) == 1:
            stem = candidates[0].rsplit(" - ", 1)[0] if " - " in candidates[0] else ""
        else:
            shared = _common_start(candidates)
            stem = shared[: shared.rfind(" - ")] if " - " in shared else ""
        if stem:
            stems.update(dict.fromkeys(positions, stem))
    return stems


def _common_start(texts: list[str]) -> str:
    """The longest text every one of `texts` starts with (that of the first and last in sorted order)."""
    first, last = min(texts), max(texts)
    length = min(len(first), len(last))
    end = next((index for index in range(length) if first[index] != last[index]), length)
    return first[:end]


def _column(
    position: int, tag: str, text: str, import_id: str, choice_text: bool, stem: str | None
) -> tuple[ExportColumn, Callable[[str], Cell]]:
    lowered = import_id.lower()
    if lowered in _RESPONDENT_FIELDS:
        field = _RESPONDENT_FIELDS[lowered]
        if field is None:
            return ExportColumn(position, tag, "ignored", key=import_id), _as_text
        reader = {"status": _status, "duration_seconds": duration_seconds}.get(field, _as_text)
        return ExportColumn(position, tag, "metadata", key=import_id, metadata=field), reader
    match = _QUESTION.match(import_id)
    if match is None:
        if import_id.startswith("Q_"):  # Qualtrics' own checks: Q_RecaptchaScore, Q_RelevantIDDuplicate …
            return ExportColumn(position, tag, "ignored", key=import_id), _as_text
        field = metadata_field(import_id) or metadata_field(tag)
        if field is not None:
            return ExportColumn(position, tag, "metadata", key=import_id, metadata=field), _as_text
        return ExportColumn(position, tag, "answer", key=import_id, question_text=text), _as_text
    suffix = match[2] or ""
    number_match = _EXPORT_TAG_NUMBER.match(tag)
    number = int(number_match[1]) if number_match else None
    if _IGNORED_SUFFIX.search(suffix):
        return ExportColumn(position, tag, "ignored", key=import_id, question_number=number), _as_text
    pieces = text.split(" - ")
    if suffix.endswith("TEXT"):
        if len(pieces) >= 3 and pieces[-1] == "Text":  # question - option label - Text: typed into an option's box
            question = " - ".join(pieces[:-2])
            column = ExportColumn(
                position, tag, "specify", question_number=number, question_text=question, part=pieces[-2], key=import_id
            )
            return column, _as_text
        return ExportColumn(
            position, tag, "answer", question_number=number, question_text=text, key=import_id
        ), _as_text
    question, part = text, None
    if stem is not None:
        question, part = stem, text[len(stem) + len(" - ") :]
    question = question.removesuffix(" - Selected Choice")
    column = ExportColumn(
        position, tag, "answer", question_number=number, question_text=question, part=part, key=import_id
    )
    return column, _labels if choice_text else _codes


def _as_text(cell: str) -> Cell:
    return cell


def _status(cell: str) -> Cell:
    return "complete" if cell.strip() in ("1", "True") else "partial"


def _codes(cell: str) -> Cell:
    value = cell.strip()
    if value == _UNANSWERED:
        return None
    if _WHOLE.match(value):
        return Choice(code=int(value))
    if _WHOLES.match(value):
        return tuple(Choice(code=int(code)) for code in value.split(","))
    return cell


def _labels(cell: str) -> Cell:
    if _NUMBER.match(cell.strip()):
        return cell
    if "," in cell:
        return tuple(Choice(label=label) for label in cell.split(","))
    return Choice(label=cell)
