"""SPSS .sav files, as agencies deliver them: variables with labels, values with value labels, user-missing codes.

Read through pyreadstat in chunks (memory stays flat however many cases). Each variable becomes one
`ExportColumn`: `key` and `header` the variable name, `question_text` its variable label, `options` its value
labels in value order. Variables named like respondent fields (`id`, `submitdate`, `duration`, `编号`,
`提交时间` …; see `tabular.metadata_field`) are role metadata, their cells text (`17`, not 17.0; dates
ISO 8601), a duration in seconds as a float.

Cells of answer variables:

- a value with a value label: `Choice(code=value, label=label)`, so the matcher can go by either. (A
  labelled value that is not a whole number, or a labelled string value, has only its `label`:
  `Choice.code` holds whole numbers.)
- a value the file declares user-missing (`MISSING VALUES q1 (98, 99)` or a range): `Missing.REFUSED`.
  SPSS does not say why a code is missing, and in survey files such codes are nearly always "don't know",
  "refused" or "no answer": an answer the respondent was asked for and did not give. System-missing (an
  empty cell) is None.
- any other number: a float, as stored; a string: text (None when blank); a date or time: ISO 8601 text.

`row_number` is the case number SPSS's Data View shows (the first case is 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from surveys.importers.export_table import Cell, Choice, ExportColumn, ExportRow, ExportTable, Missing
from surveys.importers.tabular import duration_seconds, metadata_field, spreadsheet_text
from surveys.problems import InputError, Problem

_CHUNK_CASES = 10_000

Reader = Callable[[Any], Cell]


def read_spss_file(path: Path, source: str | None = None) -> ExportTable:
    """Read an SPSS .sav file (variable and value labels, user-missing values) into an ExportTable.

    Examples
    --------
    >>> import tempfile, pandas, pyreadstat
    >>> path = Path(tempfile.mkdtemp()) / "wave.sav"
    >>> frame = pandas.DataFrame({"id": [1.0, 2.0], "q1": [5.0, 99.0]})
    >>> labels = {"q1": {1: "很不满意", 5: "很满意", 99: "拒答"}}
    >>> pyreadstat.write_sav(frame, path, column_labels={"q1": "总体满意度"},
    ...                      variable_value_labels=labels, missing_ranges={"q1": [99]})
    >>> table = read_spss_file(path)
    >>> [(column.key, column.role, column.question_text) for column in table.columns]
    [('id', 'metadata', None), ('q1', 'answer', '总体满意度')]
    >>> [row.cells for row in table.rows]
    [('1', Choice(label='很满意', code=5, specify=None)), ('2', <Missing.REFUSED: 'refused'>)]
    """
    import pyreadstat

    name = source or str(path)
    if not path.is_file():
        raise InputError(f"{name} cannot be read.", [Problem(name, "no such file.")])
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as error:
        raise InputError(
            f"{name} cannot be read.",
            [Problem(name, f"is not an SPSS .sav file ({error}).", "Save it from SPSS as .sav.")],
        ) from None

    columns: list[ExportColumn] = []
    readers: list[Reader] = []
    for position, (variable, label) in enumerate(zip(meta.column_names, meta.column_labels, strict=True)):
        value_labels: dict[Any, str] = meta.variable_value_labels.get(variable, {})
        missing = [_bounds(each) for each in meta.missing_ranges.get(variable, [])]
        field = metadata_field(variable)
        if field is not None:
            columns.append(ExportColumn(position, variable, "metadata", key=variable, metadata=field))
            readers.append(_duration if field == "duration_seconds" else _metadata_text)
            continue
        options = tuple(text for _, text in sorted(value_labels.items(), key=lambda item: _order(item[0])))
        columns.append(ExportColumn(position, variable, "answer", question_text=label, key=variable, options=options))
        readers.append(_answer(value_labels, missing))
    notes = [f"{name}: {meta.number_rows} cases, {meta.number_columns} variables."]
    if getattr(meta, "mr_sets", None):
        notes.append(f"{name}: multiple-response sets {', '.join(meta.mr_sets)} are read as their separate variables.")

    def rows() -> Iterator[ExportRow]:
        case = 0
        chunks = pyreadstat.read_file_in_chunks(
            pyreadstat.read_sav, str(path), chunksize=_CHUNK_CASES, user_missing=True, apply_value_formats=False
        )
        for frame, _ in chunks:
            for values in frame.itertuples(index=False, name=None):
                case += 1
                raw = tuple("" if value is None or value != value else str(value) for value in values)  # NaN → ""
                yield ExportRow(case, tuple(read(value) for read, value in zip(readers, values, strict=True)), raw)

    return ExportTable(
        format="sav", source=name, columns=columns, rows=rows(), notes=notes, raw_header=tuple(meta.column_names)
    )


def _order(value: Any) -> tuple[int, float, str]:
    return (0, float(value), "") if isinstance(value, int | float) else (1, 0.0, str(value))


def _absent(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    return bool(value != value)  # NaT


def _plain(value: Any) -> Cell:
    """A value without a label: float for numbers, ISO text for dates and times, text otherwise."""
    if isinstance(value, datetime):  # pandas' Timestamp is one
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def _metadata_text(value: Any) -> Cell:
    if _absent(value):
        return None
    if isinstance(value, int | float):
        return spreadsheet_text(float(value))
    plain = _plain(value)
    return plain if isinstance(plain, str) else str(plain)


def _duration(value: Any) -> Cell:
    if _absent(value):
        return None
    return float(value) if isinstance(value, int | float) else duration_seconds(str(value))


def _answer(value_labels: dict[Any, str], missing: list[tuple[Any, Any]]) -> Reader:
    def read(value: Any) -> Cell:
        if _absent(value):
            return None
        if any(_within(value, low, high) for low, high in missing):
            return Missing.REFUSED
        label = value_labels.get(value)
        if label is not None:
            whole = isinstance(value, int | float) and float(value).is_integer()
            return Choice(label=label, code=int(value)) if whole else Choice(label=label)
        return _plain(value)

    return read


def _bounds(declared: Any) -> tuple[Any, Any]:
    """A declared missing value or range as (low, high): {"lo": 97, "hi": 99} or a single value."""
    if isinstance(declared, dict):
        return declared["lo"], declared["hi"]
    return declared, declared


def _within(value: Any, low: Any, high: Any) -> bool:
    try:
        return bool(low <= value <= high)
    except TypeError:
        return False
