"""Importing an export into a wave: match columns, code and check every answer, store — losing nothing.

Every row read ends up stored, rejected with its reasons, or counted as a duplicate of a response already
stored (read = stored + rejected + duplicates). The whole import is one database transaction: by default any
problem stores nothing; with a quarantine file the valid rows are stored and the rejected ones written
there unchanged with their reasons; killing the process mid-import leaves the database as it was.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from surveys.codebook import codebook
from surveys.importers.answer_coding import AnswerError, Coded, code_answer
from surveys.importers.column_matching import ColumnMatch, Matching, match_columns
from surveys.importers.export_table import (
    Cell,
    ColumnBatch,
    ExportRow,
    ExportTable,
    MetadataField,
    Missing,
    cell_text,
)
from surveys.importers.pseudonyms import Pseudonymiser
from surveys.importers.response_checks import ResponseChecker
from surveys.problems import InputError, Problem
from surveys.storage.response_rows import ResponseRowWriter, json_text
from surveys.storage.survey_versions import stored_questionnaire
from surveys.storage.tables import ImportBatchRecord, RespondentRecord, ResponseRecord
from surveys.storage.waves import wave_for_import

IGNORE = "ignore"  # a mapping to this leaves a column out, knowingly
_CHUNK = 2000  # rows coded and written together: large enough to be fast, small enough to keep memory flat
_SHOWN_PROBLEMS = 200  # problems listed on screen; the quarantine file has every one
_REMEMBERED_CELLS = 4096  # distinct cells remembered per column; beyond that, cells are coded each time
_PERSONAL: tuple[MetadataField, ...] = ("name", "phone", "email", "wechat")
_DETAILS: tuple[MetadataField, ...] = ("channel", "channel_detail", "ip_location")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S")


@dataclass(frozen=True, slots=True)
class ImportOptions:
    survey: str
    wave: str
    mapping: dict[str, str] = field(default_factory=dict)
    quarantine: Path | None = None
    dry_run: bool = False
    keep_identifiers: bool = False
    timezone: str = "Asia/Shanghai"  # for timestamps the export writes without a zone


@dataclass
class ImportSummary:
    source: str
    format: str
    survey: str
    wave: str
    wave_created: bool = False
    read: int = 0
    stored: int = 0
    rejected: int = 0
    duplicates: int = 0
    already_imported: bool = False
    dry_run: bool = False
    matched: dict[str, str] = field(default_factory=dict)  # header → variable
    variables_without_column: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def file_digest(paths: list[Path]) -> str:
    """sha256 over the files' bytes in order: the same files give the same digest."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def import_responses(
    session: Session,
    table: ExportTable,
    options: ImportOptions,
    digest: str,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import `table` into wave `options.wave` of `options.survey`; see the module docstring."""
    version_id, questionnaire = stored_questionnaire(session, options.survey)
    summary = ImportSummary(table.source, table.format, options.survey, options.wave, dry_run=options.dry_run)
    summary.notes.extend(table.notes)
    wave, summary.wave_created = wave_for_import(session, options.survey, options.wave)
    assert wave.id is not None  # flushed by wave_for_import

    earlier = session.exec(
        select(ImportBatchRecord).where(ImportBatchRecord.wave_id == wave.id, ImportBatchRecord.sha256 == digest)
    ).first()
    if earlier is not None:
        summary.already_imported = True
        summary.read = summary.duplicates = earlier.read
        return summary

    matching = _match(table, questionnaire, options)
    summary.matched = {match.column.header: match.variable.code for match in matching.matches}
    matched_items = {match.variable.item_code for match in matching.matches}
    summary.variables_without_column = [
        variable.code
        for variable in matching.variables_without_column(codebook(questionnaire))
        # a "please specify" text travels inside its item's cells on most platforms
        if not (variable.code == f"{variable.item_code}_other" and variable.item_code in matched_items)
    ]
    run = _Run(session, table, options, matching, ResponseChecker(questionnaire, set(summary.matched.values())))
    run.stored_ids = set(
        session.exec(
            select(ResponseRecord.platform_response_id).where(
                ResponseRecord.wave_id == wave.id, ResponseRecord.source == table.format
            )
        ).all()
    )
    batch = ImportBatchRecord(
        wave_id=wave.id, kind="responses", file_names=table.source, sha256=digest, format=table.format,
        read=0, stored=0, rejected=0, duplicates=0, imported_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(batch)
    session.flush()
    run.import_rows(wave.id, version_id, batch.id, progress)

    summary.read, summary.stored = run.read, run.stored
    summary.rejected, summary.duplicates = len(run.rejected), run.duplicates
    batch.read, batch.stored, batch.rejected, batch.duplicates = run.read, run.stored, len(run.rejected), run.duplicates
    if run.rejected and options.quarantine is None:
        raise _rejection(table.source, run)
    if options.quarantine is not None and run.rejected:
        _write_quarantine(options.quarantine, table, run.rejected)
    if options.dry_run:
        session.rollback()
    return summary


def _match(table: ExportTable, questionnaire: Any, options: ImportOptions) -> Matching:
    ignored = {header for header, target in options.mapping.items() if target == IGNORE}
    columns = [column for column in table.columns if column.header not in ignored and (column.key not in ignored)]
    mapping = {header: target for header, target in options.mapping.items() if target != IGNORE}
    matching = match_columns(columns, questionnaire, mapping)
    problems = list(matching.problems)
    for column in matching.unmatched:
        problems.append(
            Problem(
                f"column {column.header}",
                "matches no item of the questionnaire.",
                f"Map it in --mapping (`{column.header}: ITEM_CODE`, or `{column.header}: ignore` to leave it out).",
            )
        )
    if problems:
        raise InputError(f"{table.source} does not fit survey {options.survey!r}; nothing was imported.", problems)
    return matching


Outcome = Coded | AnswerError  # a cell coded for its variable, or why it cannot be
_UNUSUAL = object()  # a cell that is more than a value or nothing: a problem, a missing reason, a specify text
_NONE: frozenset[str] = frozenset()


_ASCII_SPACE = "".join(character for character in map(chr, range(128)) if character.isspace())
_MemoKey = tuple[type, Cell]
_MISSING_TEXTS = frozenset(reason.value for reason in Missing)


def _memo_key(cell: Cell) -> _MemoKey:
    """A cell as a key for remembering its outcome, its type included: a text "not_shown" and
    Missing.NOT_SHOWN are equal as values (Missing is a StrEnum) but are coded differently."""
    return (type(cell), cell)


def _plain_value(outcome: Outcome) -> Any:
    """The outcome's value (None: no answer) when that is all it says; else _UNUSUAL."""
    if isinstance(outcome, AnswerError) or outcome.specify or (outcome.value is None and outcome.missing is not None):
        return _UNUSUAL
    return outcome.value


def _given(codes: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
    """The answers of a row of plain values, some of them empty: the variables with a value."""
    return {code: value for code, value in zip(codes, values, strict=True) if value is not None}


@dataclass
class _Rejected:
    row: ExportRow
    reasons: list[str]


class _Run:
    """One pass over the rows: code, check, store in chunks, remember rejections."""

    def __init__(
        self, session: Session, table: ExportTable, options: ImportOptions, matching: Matching, checker: ResponseChecker
    ) -> None:
        self.session = session
        self.table = table
        self.options = options
        self.matching = matching
        self.checker = checker
        self.positions = {id(column): index for index, column in enumerate(table.columns)}
        self.pseudonyms = Pseudonymiser.for_workspace(session)
        self.zone = ZoneInfo(options.timezone)
        self.stored_ids: set[str | None] = set()
        self.seen_ids: dict[str, int] = {}  # response id → its row, of the rows stored or to be stored
        # The same for the responses coded column-wise (_batch_records): their ids, and each batch's ids in order
        self.seen_plain: set[str] = set()
        self.plain_batches: list[tuple[int, list[str], list[bool] | None]] = []  # None: every row plain
        self.seen_respondents: dict[str, int] = {}
        key_column = matching.metadata.get("respondent_key")
        self.respondent_key_position = -1 if key_column is None else self.positions[id(key_column)]
        self.answered_before: dict[str, str] = {}  # stored respondent key → its response already in the wave
        self.respondent_ids: dict[str, int] = {}
        self.read = self.stored = self.duplicates = 0
        self.rejected: list[_Rejected] = []
        self.coded: dict[str, dict[_MemoKey, Outcome]] = {}
        self.codes = [match.variable.code for match in matching.matches]
        # The metadata an export has, of those kept in a response's details: an absent one adds nothing.
        has = matching.metadata.keys()
        self.detail_fields = [name for name in _DETAILS if name in has]
        self.identifying_fields = [name for name in ("ip_address", *_PERSONAL) if name in has]
        self.device_fields = bool({"ip_address", "user_agent"} & has)
        self.metadata_positions = [(field, self.positions[id(column)]) for field, column in matching.metadata.items()]
        self.head: tuple[int, int] = (0, 0)  # the wave's and survey version's ids, set by import_rows
        self.batch_id: int | None = None

    def import_rows(
        self, wave_id: int, version_id: int, batch_id: int | None, progress: Callable[[int], None] | None
    ) -> None:
        # Rows are taken a chunk at a time so that each column's cells are coded together (see _coded_chunk)
        # and the chunk's responses are written in one call to the driver.
        self.head = (wave_id, version_id)
        self.batch_id = batch_id
        writer = ResponseRowWriter(self.session)
        try:
            if self.table.column_batches is not None:
                for batch in self.table.column_batches():
                    prepared = self._batch_records(batch, writer)
                    plain = self._plain_columns()
                    # written a chunk at a time, and shown as read in proportion, as the rows are below
                    for start in range(0, len(prepared), _CHUNK):
                        writer.write_prepared(prepared[start : start + _CHUNK], plain)
                        if progress is not None:
                            progress(self.read + batch.size * min(start + _CHUNK, len(prepared)) // len(prepared))
                    self.read += batch.size
                    self.stored += len(prepared)
                    if progress is not None:
                        progress(self.read)
            else:
                rows = iter(self.table.rows)
                while chunk := list(itertools.islice(rows, _CHUNK)):
                    records = self._chunk_records(chunk)
                    self.read += len(chunk)
                    writer.write(records)
                    self.stored += len(records)
                    if progress is not None:
                        progress(self.read)
        finally:
            writer.close()
        if progress is not None:
            progress(self.read)

    def _chunk_records(self, chunk: list[ExportRow]) -> list[tuple[Any, ...]]:
        """The responses of `chunk` to store; rejections and duplicates are counted on the way."""
        return [record for record in self._chunk_results(chunk) if record is not None]

    def _chunk_results(self, chunk: list[ExportRow]) -> list[tuple[Any, ...] | None]:
        """For each row of `chunk`, its response to store, or None when it is rejected or a duplicate."""
        values, outcome_maps, unusual = self._coded_chunk(chunk)
        if self.respondent_key_position >= 0:
            self._find_answered_before(chunk)
        records: list[tuple[Any, ...] | None] = []
        for index, row in enumerate(chunk):
            if unusual and index in unusual:
                record = self._record(row, *self._answers(row, outcome_maps), fully_answered=False)
            else:  # every cell of the row is an answer or empty: its answers are its values
                row_values = values[index]
                fully_answered = None not in row_values
                answers = dict(zip(self.codes, row_values)) if fully_answered else _given(self.codes, row_values)  # noqa: B905
                record = self._record(row, answers, {}, [], _NONE, fully_answered=fully_answered)
            records.append(record)
        return records

    def _plain_columns(self) -> dict[str, Any]:
        """The stored columns that a response coded column-wise has in common with every other such response:
        all but its response id and answers (see _batch_records)."""
        wave_id, version_id = self.head
        return {
            "wave_id": wave_id, "survey_version_id": version_id, "respondent_id": None, "batch_id": self.batch_id,
            "source": self.table.format, "started_at": None, "submitted_at": None, "duration_seconds": None,
            "status": "complete", "missing": "{}", "details": "{}",
        }  # fmt: skip

    def _batch_records(self, batch: ColumnBatch, writer: ResponseRowWriter) -> list[tuple[Any, ...]]:
        """The responses of `batch` to store, in row order: prepared for the writer (writer.prepared), or for a
        row coded column-wise only its response id and answers JSON (the rest is `_plain_columns`).

        The column-wise way to the same rows as `_chunk_records` gives. A row needs nothing but its values when
        its response id is new and every one of its cells codes to a value, on a questionnaire whose every
        check such a row passes (`ResponseChecker.walks_every_item` false) and an export with no metadata but
        the response id: its stored answers are its values, which are put together here column by column,
        each distinct cell of a column coded once and its JSON text made once. Every other row, and every row
        of a batch whose response ids repeat or are already stored, goes through `_chunk_results`.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        id_column = self.matching.metadata.get("response_id")
        plain_export = (
            id_column is not None
            and len(self.matching.metadata) == 1
            and not self.checker.walks_every_item
            and len(set(self.codes)) == len(self.codes)
        )
        ids: list[str] = []
        unsettled: set[str] = set()  # response ids whose rows go row by row: the ways to a duplicate or a problem
        if id_column is not None and plain_export:
            written = batch.columns[self.positions[id(id_column)]]
            if pc.all(pc.string_is_ascii(written)).as_py():  # then str.strip() strips these, in C here
                trimmed = pc.utf8_trim(written, characters=_ASCII_SPACE)
                ids = trimmed.to_pylist()
                # a row without an id is identified by its hash, "row:…": an id written so is left to the rows
                plain_export = not pc.any(pc.starts_with(trimmed, "row:")).as_py()
            else:
                ids = [text.strip() for text in written.to_pylist()]
                plain_export = not any(response_id.startswith("row:") for response_id in ids)
            distinct_ids = set(ids)
            if len(distinct_ids) != len(ids):
                unsettled.update(response_id for response_id, count in Counter(ids).items() if count > 1)
            for earlier in (self.stored_ids, self.seen_ids.keys(), self.seen_plain):
                if not earlier.isdisjoint(distinct_ids):  # the set of this batch's ids is walked, not `earlier`
                    unsettled.update(response_id for response_id in distinct_ids if response_id in earlier)
            for response_id in unsettled & self.seen_plain:  # for the rows' own check and its message
                self.seen_ids[response_id] = self._plain_row_number(response_id)
            if "" in distinct_ids:
                unsettled.add("")
        if not plain_export:
            records: list[tuple[Any, ...]] = []
            for start in range(0, batch.size, _CHUNK):
                rows = batch.export_rows(range(start, min(start + _CHUNK, batch.size)))
                records.extend(writer.prepared(record) for record in self._chunk_records(rows))
            return records

        # the rows whose every cell codes to a value or may be empty, and whose response id is new and once
        plain = (
            np.array([response_id not in unsettled for response_id in ids]) if unsettled else np.ones(len(ids), bool)
        )
        fragments = []  # per column, each row's `"code":value` JSON text (null where it has none)
        for match in self.matching.matches:
            encoded = batch.columns[self.positions[id(match.column)]].dictionary_encode()
            values = [
                _plain_value(self._outcome(text if text and not text.isspace() else None, match))
                for text in encoded.dictionary.to_pylist()
            ]
            may_be_empty = match.variable.code not in self.checker.required_codes
            not_plain = [
                position
                for position, value in enumerate(values)
                if value is _UNUSUAL or (value is None and not may_be_empty)
            ]
            if not_plain:
                plain &= ~np.isin(encoded.indices.to_numpy(zero_copy_only=False), not_plain)
            key = json_text(match.variable.code)
            texts = [None if value is None or value is _UNUSUAL else f"{key}:{json_text(value)}" for value in values]
            fragments.append(pa.array(texts, pa.string()).take(encoded.indices))
        if fragments:
            joined = pc.binary_join_element_wise(*fragments, ",", null_handling="skip")
            answers = pc.binary_join_element_wise("{", joined, "}", "").to_pylist()
        else:
            answers = ["{}"] * batch.size

        rows_out: list[tuple[Any, ...] | None] = list(zip(ids, answers, strict=True))
        others = np.flatnonzero(~plain).tolist()
        self.seen_plain.update(ids if not others else itertools.compress(ids, plain.tolist()))
        self.plain_batches.append((batch.first_row_number, ids, plain.tolist() if others else None))
        for start in range(0, len(others), _CHUNK):
            positions = others[start : start + _CHUNK]
            for position, record in zip(positions, self._chunk_results(batch.export_rows(positions)), strict=True):
                rows_out[position] = None if record is None else writer.prepared(record)
        return [record for record in rows_out if record is not None] if others else rows_out  # type: ignore[return-value]

    def _plain_row_number(self, response_id: str) -> int:
        """The row of a response coded column-wise, found from its id (only a later duplicate asks)."""
        for first_row_number, ids, plain in self.plain_batches:
            if response_id in ids:  # an id twice in one batch is never plain there: its first place says
                position = ids.index(response_id)
                if plain is None or plain[position]:
                    return first_row_number + position
        raise KeyError(response_id)

    def _coded_chunk(
        self, chunk: list[ExportRow]
    ) -> tuple[list[tuple[Any, ...]], list[dict[_MemoKey, Outcome]], set[int]]:
        """Each matched column of `chunk` coded: the values of each row, each column's outcome by cell, and the
        rows that need a closer look.

        A column holds few distinct cells (a scale column a handful in a million rows), so each distinct cell
        is coded once, and the column becomes its values by a dictionary look-up in C. `unusual` are the rows
        with any cell that is not simply a value or empty (a problem, a missing reason, a "please specify"
        text); only those go through the cell-by-cell path, with the outcomes.
        """
        columns = list(zip(*(row.cells for row in chunk), strict=True))
        value_columns: list[list[Any]] = []
        outcome_maps: list[dict[_MemoKey, Outcome]] = []
        unusual: set[int] = set()
        for match in self.matching.matches:
            cells = columns[self.positions[id(match.column)]]
            distinct = set(cells)
            if _MISSING_TEXTS.isdisjoint(distinct):
                outcome_of = {_memo_key(cell): self._outcome(cell, match) for cell in distinct}
                value_of = {cell: _plain_value(outcome_of[_memo_key(cell)]) for cell in distinct}
                values = list(map(value_of.__getitem__, cells))
            else:  # a text "not_shown" equals Missing.NOT_SHOWN (a StrEnum): tell them apart by their type
                keys = list(map(_memo_key, cells))
                outcome_of = {key: self._outcome(key[1], match) for key in set(keys)}
                typed_value_of = {key: _plain_value(outcome) for key, outcome in outcome_of.items()}
                values = list(map(typed_value_of.__getitem__, keys))
            if any(_plain_value(outcome) is _UNUSUAL for outcome in outcome_of.values()):
                unusual.update(index for index, value in enumerate(values) if value is _UNUSUAL)
            value_columns.append(values)
            outcome_maps.append(outcome_of)
        by_row = list(zip(*value_columns, strict=True)) if value_columns else [()] * len(chunk)
        return by_row, outcome_maps, unusual

    def _answers(
        self, row: ExportRow, outcome_maps: list[dict[_MemoKey, Outcome]]
    ) -> tuple[dict[str, Any], dict[str, str], list[str], set[str]]:
        """The answers, missing reasons, problems and unreadable variables of one row, cell by cell."""
        reasons: list[str] = []
        answers: dict[str, Any] = {}
        missing: dict[str, str] = {}
        unreadable: set[str] = set()
        for match, outcome_of in zip(self.matching.matches, outcome_maps, strict=True):
            cell = self._cell(row, match)
            coded = outcome_of[_memo_key(cell)]
            if isinstance(coded, AnswerError):
                reasons.append(f"column {match.column.header}: {_cell_text(cell)} — {coded.what} {coded.fix}".strip())
                unreadable.add(match.variable.code)
                continue
            if coded.value is not None:
                answers[match.variable.code] = coded.value
            elif coded.missing is not None:
                missing[match.variable.code] = coded.missing.value
            if coded.specify:
                answers[f"{match.variable.item_code}_other"] = coded.specify
        return answers, missing, reasons, unreadable

    def _record(
        self,
        row: ExportRow,
        answers: dict[str, Any],
        missing: dict[str, str],
        reasons: list[str],
        unreadable: Set[str],
        *,
        fully_answered: bool,
    ) -> tuple[Any, ...] | None:
        """The row's response as a tuple in STORED_COLUMNS order (surveys.storage.response_rows), or None when
        it is a duplicate or rejected.

        `fully_answered`: every matched column has a value, which is all that a questionnaire without routing
        or lists of options can ask of a response (ResponseChecker.walks_every_item).
        """
        cells = row.cells
        metadata = {field: cells[position] for field, position in self.metadata_positions}
        status = _status(metadata.get("status"))
        if not fully_answered or self.checker.walks_every_item:
            for found in self.checker.problems(answers, complete=status == "complete"):
                if found.variable not in unreadable:  # its value's own problem is already said
                    reasons.append(f"{found.variable}: {found.what} {found.fix}".strip())

        response_id = (
            cell_text(metadata.get("response_id"))
            or "row:"
            + hashlib.sha256(
                "\x1f".join(row.raw or tuple(_cell_text(cell) for cell in row.cells)).encode("utf-8")
            ).hexdigest()[:32]
        )
        if response_id in self.stored_ids:
            self.duplicates += 1
            return None
        if response_id in self.seen_ids:
            reasons.append(f"response id {response_id!r} already appears on row {self.seen_ids[response_id]}.")
        respondent_key = cell_text(metadata["respondent_key"]) if "respondent_key" in metadata else ""
        if respondent_key:
            if respondent_key in self.seen_respondents:
                row_before = self.seen_respondents[respondent_key]
                reasons.append(f"respondent {respondent_key!r} already answered this wave on row {row_before}.")
            else:
                self.seen_respondents[respondent_key] = row.row_number
            earlier = self.answered_before.get(self._stored_key(respondent_key))
            if earlier is not None:
                reasons.append(
                    f"respondent {respondent_key!r} already answered this wave: response {earlier!r}, stored by an"
                    " earlier import. Keep one of the two responses (leave this row out, or import it into"
                    " another wave)."
                )
        try:
            started = self._time(metadata.get("started_at"))
            submitted = self._time(metadata.get("submitted_at"))
            duration = _seconds(metadata.get("duration_seconds"))
        except ValueError as error:
            reasons.append(str(error))
            started = submitted = None
            duration = None
        if reasons:
            self.rejected.append(_Rejected(row, reasons))
            return None
        self.seen_ids[response_id] = row.row_number
        if duration is None and started and submitted:
            duration = (submitted - started).total_seconds()
        return (
            *self.head,
            self._respondent(respondent_key, metadata) if respondent_key else None,
            self.batch_id,
            self.table.format,
            response_id,
            started,
            submitted,
            duration,
            status,
            answers,
            missing,
            self._details(metadata),
        )

    def _outcome(self, cell: Cell, match: ColumnMatch) -> Outcome:
        """code_answer, remembered per column: a scale column holds a handful of distinct cells in a million
        rows, and coding each anew was most of an import's time. Free text is not remembered."""
        if match.variable.kind == "text":
            return self._code(cell, match)
        remembered = self.coded.setdefault(match.variable.code, {})
        key = _memo_key(cell)
        outcome = remembered.get(key)
        if outcome is None:
            outcome = self._code(cell, match)
            if len(remembered) < _REMEMBERED_CELLS:
                remembered[key] = outcome
        return outcome

    def _code(self, cell: Cell, match: ColumnMatch) -> Outcome:
        try:
            return code_answer(cell, match.variable, self.table.choice_codes)
        except AnswerError as error:
            return error

    def _cell(self, row: ExportRow, match: ColumnMatch) -> Cell:
        return row.cells[self.positions[id(match.column)]]

    def _time(self, cell: Cell) -> datetime | None:
        if cell is None:  # most exports have no such column: no time spent on it, a million times
            return None
        text = cell_text(cell)
        if not text:
            return None
        for layout in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, layout)
            except ValueError:
                continue
            return moment.replace(tzinfo=self.zone).astimezone(UTC)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"time {text!r} cannot be read; write it as 2026-07-01 14:30:00.") from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=self.zone)).astimezone(UTC)

    def _details(self, metadata: dict[MetadataField, Cell]) -> dict[str, Any]:
        details: dict[str, Any] = {}
        for name in self.detail_fields:
            if text := cell_text(metadata.get(name)):
                details[name] = text
        for name in self.identifying_fields:
            if text := cell_text(metadata.get(name)):
                details[name if self.options.keep_identifiers else f"{name}_pseudonym"] = (
                    text if self.options.keep_identifiers else self.pseudonyms.pseudonym(text)
                )
        if self.device_fields:
            device = "|".join(cell_text(metadata.get(name)) for name in ("ip_address", "user_agent"))
            if device.strip("|"):
                details["device_pseudonym"] = self.pseudonyms.pseudonym(device)
        return details

    def _stored_key(self, key: str) -> str:
        return key if self.options.keep_identifiers else self.pseudonyms.pseudonym(key)

    def _find_answered_before(self, chunk: list[ExportRow]) -> None:
        """Remember which respondents of `chunk` already have a response in the wave: one query per chunk.

        Rows whose response id is already stored are left out: they are duplicates to skip, not a second
        answer from their respondent.
        """
        position = self.respondent_key_position
        keys = {
            self._stored_key(text)
            for row in chunk
            if (text := cell_text(row.cells[position])) and text not in self.seen_respondents
        }
        keys.difference_update(self.answered_before)
        if not keys:
            return
        wave_id = self.head[0]
        found = self.session.exec(
            select(RespondentRecord.key, ResponseRecord.platform_response_id)
            .join(ResponseRecord, ResponseRecord.respondent_id == RespondentRecord.id)  # type: ignore[arg-type]
            .where(ResponseRecord.wave_id == wave_id, RespondentRecord.key.in_(keys))  # type: ignore[attr-defined]
        ).all()
        for key, response_id in found:
            self.answered_before.setdefault(key, response_id or "")

    def _respondent(self, key: str, metadata: dict[MetadataField, Cell]) -> int:
        stored_key = self._stored_key(key)
        if stored_key in self.respondent_ids:
            return self.respondent_ids[stored_key]
        record = self.session.exec(select(RespondentRecord).where(RespondentRecord.key == stored_key)).first()
        if record is None:
            segments = {"ip_location": text} if (text := cell_text(metadata.get("ip_location"))) else {}
            record = RespondentRecord(key=stored_key, segments=segments, created_at=datetime.now(UTC))
            self.session.add(record)
            self.session.flush()
        assert record.id is not None
        self.respondent_ids[stored_key] = record.id
        return record.id


def _cell_text(cell: Cell) -> str:
    return repr(cell_text(cell)) if not isinstance(cell, Missing) else f"({cell.value})"


def _seconds(cell: Cell) -> float | None:
    if cell is None:
        return None
    text = cell_text(cell)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"duration {text!r} is not a number of seconds.") from None


def _status(cell: Cell) -> str:
    if cell is None:
        return "complete"
    text = cell_text(cell).casefold()
    if text in ("", "complete", "completed", "finished", "true", "1", "完成", "已完成"):
        return "complete"
    if text in ("screened_out", "screened out", "screenout", "甄别"):
        return "screened_out"
    return "partial"


def _rejection(source: str, run: _Run) -> InputError:
    problems = [
        Problem(f"row {rejected.row.row_number}", reason) for rejected in run.rejected for reason in rejected.reasons
    ]
    shown = problems[:_SHOWN_PROBLEMS]
    if len(problems) > _SHOWN_PROBLEMS:
        shown.append(
            Problem("", f"… and {len(problems) - _SHOWN_PROBLEMS} more.", "--quarantine FILE.csv writes every one.")
        )
    count = f"{len(run.rejected)} of {run.read} rows have problems"
    return InputError(f"{source}: {count}; nothing was imported.", shown)


def _write_quarantine(path: Path, table: ExportTable, rejected: list[_Rejected]) -> None:
    """The rejected rows as they were in the file, with their row number and reasons in front."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        header = table.raw_header or tuple(column.header for column in table.columns)
        writer.writerow(("row", "reasons", *header))
        for item in rejected:
            cells = item.row.raw or tuple(cell_text(cell) for cell in item.row.cells)
            writer.writerow((item.row.row_number, " | ".join(item.reasons), *cells))
