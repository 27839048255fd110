"""Exporting one wave as labelled data: CSV, Excel or SPSS .sav, for the colleague who still works in SPSS.

One row per response and one column per variable; a multiple choice becomes one 0/1 column per option
(`reasons_1`, `reasons_2` …, as SPSS users expect) and a ranking one column per option holding its rank.
The .sav keeps variable labels (the question, and the row for grids) and value labels (options, scale
labels). Identifying columns (respondent pseudonym, device pseudonym) are left out unless asked for.
Free text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with ' in CSV and
Excel, so opening an export never executes a respondent's input.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from surveys.codebook import Variable
from surveys.questionnaire import Language
from surveys.storage.wave_data import WaveData

if TYPE_CHECKING:
    import pandas as pd

ExportFormat = Literal["csv", "xlsx", "sav"]
_ALWAYS = ("response_id", "version", "status", "source", "submitted_at", "duration_seconds")
_IDENTIFYING = ("respondent", "device_pseudonym")
_SEGMENTS = ("channel", "ip_location")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_table(wave: WaveData, with_identifiers: bool = False) -> pd.DataFrame:
    """The wave as one flat table, as every format writes it."""
    import pandas as pd

    frame = wave.responses
    columns: dict[str, pd.Series] = {name: frame[name] for name in _ALWAYS}
    if with_identifiers:
        columns.update({name: frame[name] for name in _IDENTIFYING})
    columns.update({name: frame[name] for name in _SEGMENTS})
    for variable in wave.codebook:
        values = frame[variable.code]
        if variable.kind == "choices":
            for option in variable.options:
                columns[f"{variable.code}_{option.code}"] = values.map(
                    lambda chosen, code=option.code: pd.NA if not isinstance(chosen, list) else int(code in chosen)
                ).astype("Int64")
        elif variable.kind == "ranking":
            for option in variable.options:
                columns[f"{variable.code}_{option.code}"] = values.map(
                    lambda order, code=option.code: (
                        (order.index(code) + 1) if isinstance(order, list) and code in order else pd.NA
                    )
                ).astype("Int64")
        else:
            columns[variable.code] = values
    return pd.DataFrame(columns)


def write_wave(wave: WaveData, to: ExportFormat, path: Path, language: Language, with_identifiers: bool = False) -> int:
    """Write the wave to `path`; the number of responses written."""
    table = export_table(wave, with_identifiers)
    path.parent.mkdir(parents=True, exist_ok=True)
    if to == "sav":
        _write_sav(table, wave, path, language)
    else:
        safe = _without_formulas(table, wave.codebook)
        safe["submitted_at"] = safe["submitted_at"].map(lambda moment: moment.isoformat() if moment else None)
        if to == "csv":
            safe.to_csv(path, index=False, encoding="utf-8-sig")
        else:
            safe.to_excel(path, index=False, sheet_name=f"{wave.survey} {wave.wave}"[:31])
    return len(table)


def _without_formulas(table: pd.DataFrame, codebook: list[Variable]) -> pd.DataFrame:
    safe = table.copy()
    texts = [variable.code for variable in codebook if variable.kind == "text" and variable.code in safe]
    for code in texts:
        safe[code] = safe[code].map(
            lambda text: f"'{text}" if isinstance(text, str) and text.startswith(_FORMULA_START) else text
        )
    return safe


def _write_sav(table: pd.DataFrame, wave: WaveData, path: Path, language: Language) -> None:
    import pyreadstat

    data = table.copy()
    data["submitted_at"] = data["submitted_at"].map(lambda moment: moment.isoformat() if moment else "")
    for name in data.columns:
        if str(data[name].dtype) in ("Int64", "Float64"):
            data[name] = data[name].astype("float64")  # SPSS numerics; NA becomes system-missing
        elif str(data[name].dtype) in ("string", "object"):
            data[name] = data[name].astype(object).where(data[name].notna(), "")
    column_labels: dict[str, str] = {}
    value_labels: dict[str, dict[float, str]] = {}
    for variable in wave.codebook:
        question = variable.item_text.get(language) or next(iter(variable.item_text.values()))
        row = variable.text.get(language) if variable.attribute else None
        if variable.kind in ("choices", "ranking"):
            for option in variable.options:
                option_text = option.text.get(language) or next(iter(option.text.values()))
                column_labels[f"{variable.code}_{option.code}"] = f"{question} – {option_text}"
                if variable.kind == "choices":
                    value_labels[f"{variable.code}_{option.code}"] = {0.0: "not chosen", 1.0: "chosen"}
            continue
        column_labels[variable.code] = f"{question} – {row}" if row else question
        if variable.kind == "choice":
            value_labels[variable.code] = {
                float(option.code): option.text.get(language) or next(iter(option.text.values()))
                for option in variable.options
            }
        elif variable.kind == "scale" and variable.scale is not None and variable.scale.labels:
            value_labels[variable.code] = {
                float(point): texts.get(language) or next(iter(texts.values()))
                for point, texts in variable.scale.labels.items()
            }
    pyreadstat.write_sav(
        data,
        str(path),
        column_labels=[column_labels.get(name, name) for name in data.columns],
        variable_value_labels=value_labels,
    )
