"""The simulated waves written as the files the importers read: a generic table and 问卷星's download pair.

- `write_generic_table`: CSV (UTF-8 with BOM, as Excel reads it) or .xlsx; one header row of our variable
  codes, a multiple choice as one 0/1 column per option (`problem_type_1` … `problem_type_7`, empty when the
  question was not shown), its "please specify" text in `{item}_other`, and the metadata columns response_id,
  customer_id, submitted_at (Beijing time), duration_seconds, channel, ip_address.
- `write_wjx_pair`: the by-text (`_0`) and by-code (`_2`) CSV (or .xlsx) downloads of 问卷星 (wjx.cn): metadata columns
  序号 提交答卷时间 所用时间 来源 来源详情 来自IP; one `N、题干` column per question in questionnaire order with
  问卷星's type marker; a matrix as `N、题干—第一行` followed by one column per further row headed by its label
  (the importance–satisfaction grid as two matrices, importance first); a multiple choice joined by `┋` with
  `〖…〗` around the "please specify" text (by text) or as `第N题(选项)` 0/1 columns (by code); a 0–10 scale
  written `N分` with code N+1 (its option position), a labelled 1–5 scale by its label with code = position;
  `(跳过)` / −3 where routing did not show the question; numbers and free text typed as text in both.
- `write_customer_records`: the CRM file of one quarter (customer_id, period, purchases, revenue,
  first_purchase, last_purchase, churned, plus membership_tier and channel, which the importer leaves aside).
- `write_population_margins`: the customer base's true counts of the survey's weighting variables (age band,
  city tier, gender: their option codes), in the margins format of `loyalty measure weights` and the report.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from surveys.codebook import Variable, codebook, item_variables
from surveys.questionnaire import (
    FreeText,
    ImportanceSatisfactionGrid,
    Item,
    Language,
    MultipleChoice,
    Number,
    Questionnaire,
    Rating,
    RatingGrid,
    Recommend,
    Scale,
    SingleChoice,
)
from surveys.show_if import is_shown, parse_condition
from surveys.simulation.model import SimulatedResponse, SimulatedWave, Simulation

GENERIC_METADATA = ("response_id", "customer_id", "submitted_at", "duration_seconds", "channel", "ip_address")
WJX_METADATA = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")
WJX_SOURCES = {"微信": ("微信", "微信"), "短信": ("链接", "直接访问"), "App": ("手机提交", "N/A")}
LANGUAGE: Language = "zh-Hans"
Table = tuple[list[str], list[list[Any]]]


def generic_table(wave: SimulatedWave, questionnaire: Questionnaire) -> Table:
    """The header and rows of the generic table (None for an empty cell)."""
    variables = codebook(questionnaire)
    header = list(GENERIC_METADATA)
    for variable in variables:
        if variable.kind == "choices":
            header += [f"{variable.code}_{code}" for code in variable.option_codes]
        else:
            header.append(variable.code)
    rows = []
    for response in wave.responses:
        row: list[Any] = [
            response.response_id,
            response.customer_key,
            response.submitted_at.strftime("%Y-%m-%d %H:%M:%S"),
            int(response.duration_seconds),
            response.channel,
            response.ip_address,
        ]
        for variable in variables:
            value = response.answers.get(variable.code)
            if variable.kind == "choices":
                row += [None if value is None else int(code in value) for code in variable.option_codes]
            else:
                row.append(value)
        rows.append(row)
    return header, rows


def write_generic_table(wave: SimulatedWave, questionnaire: Questionnaire, path: Path) -> Path:
    """The wave as a generic CSV or .xlsx (by the suffix of `path`)."""
    header, rows = generic_table(wave, questionnaire)
    _write(path, header, rows)
    return path


def write_customer_records(wave: SimulatedWave, path: Path) -> Path:
    """The quarter's CRM records as CSV."""
    names = list(wave.customer_records[0])
    rows = [
        [
            ("1" if value else "0")
            if isinstance(value, bool)
            else value.isoformat()
            if hasattr(value, "isoformat")
            else value
            for value in (record[name] for name in names)
        ]
        for record in wave.customer_records
    ]
    _write(path, names, rows)
    return path


#: The survey's demographics that the report's weights are raked to (all in the customer base and the wave).
MARGIN_VARIABLES = ("age_band", "city_tier", "gender")


def write_population_margins(simulation: Simulation, path: Path) -> Path:
    """The simulated base's count per category of each margin variable, as YAML with a population total."""
    counts = {name: Counter(int(customer[name]) for customer in simulation.customers) for name in MARGIN_VARIABLES}
    lines = [
        f"# Population margins: the simulated customer base of `loyalty demo` (seed {simulation.seed}), counted",
        "# per option code of the survey's items. The report rakes each wave to these (loyalty.toml [weighting]).",
        f"population_total: {len(simulation.customers)}",
    ]
    for name, found in counts.items():
        lines.append(f"{name}: {{{', '.join(f'{code}: {found[code]}' for code in sorted(found))}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_wjx_pair(
    wave: SimulatedWave, questionnaire: Questionnaire, directory: Path, stem: str, suffix: str = ".csv"
) -> tuple[Path, Path]:
    """问卷星's by-text (`{stem}_0.csv`) and by-code (`{stem}_2.csv`) downloads of the wave; CSV in GB18030 as
    问卷星 writes it for Excel on Chinese Windows, or .xlsx with `suffix=".xlsx"`."""
    columns = list(_wjx_columns(questionnaire))
    text_header = list(WJX_METADATA) + [header for column in columns for header in column.text_headers]
    code_header = list(WJX_METADATA) + [header for column in columns for header in column.code_headers]
    text_rows, code_rows = [], []
    for number, response in enumerate(wave.responses, start=1):
        metadata = _wjx_metadata(number, response)
        text_row, code_row = list(metadata), list(metadata)
        for column in columns:
            text_cells, code_cells = column.cells(response.answers)
            text_row += text_cells
            code_row += code_cells
        text_rows.append(text_row)
        code_rows.append(code_row)
    by_text, by_code = directory / f"{stem}_0{suffix}", directory / f"{stem}_2{suffix}"
    _write(by_text, text_header, text_rows, "gb18030")
    _write(by_code, code_header, code_rows, "gb18030")
    return by_text, by_code


def _wjx_metadata(number: int, response: SimulatedResponse) -> list[Any]:
    source, detail = WJX_SOURCES.get(response.channel, ("链接", "直接访问"))
    return [
        number,
        response.submitted_at.strftime("%Y/%m/%d %H:%M:%S"),
        _wjx_duration(response.duration_seconds),
        source,
        detail,
        f"{response.ip_address}({response.ip_location})",
    ]


def _wjx_duration(seconds: float) -> str:
    return f"{int(seconds)}秒"


class _WjxColumn:
    """The columns one questionnaire variable (or one multiple choice) takes in 问卷星's two downloads."""

    def __init__(self, number: int, item: Item, variable: Variable, header: str) -> None:
        self.item = item
        self.variable = variable
        self.number = number
        if isinstance(item, MultipleChoice):
            self.text_headers = [header]
            self.code_headers = [f"第{number}题({_label(option.text)})" for option in item.options]
        else:
            self.text_headers = self.code_headers = [header]
        self.condition = parse_condition(item.show_if) if item.show_if else None

    def cells(self, answers: dict[str, Any]) -> tuple[list[Any], list[Any]]:
        value = answers.get(self.variable.code)
        item, variable = self.item, self.variable
        if value is None and self.condition is not None and not is_shown(self.condition, answers):
            return ["(跳过)"] * len(self.text_headers), [-3] * len(self.code_headers)
        if value is None:
            return [None] * len(self.text_headers), [None] * len(self.code_headers)
        if isinstance(item, MultipleChoice):
            texts = []
            for option in item.options:
                if option.code in value:
                    specified = answers.get(f"{item.code}_other") if option.specify else None
                    texts.append(_label(option.text) + (f"〖{specified}〗" if specified else ""))
            return ["┋".join(texts)], [int(option.code in value) for option in item.options]
        if isinstance(item, SingleChoice):
            codes = [option.code for option in item.options]
            if value not in codes:  # a planted bad value: no option has it, so it is written as it is
                return [str(value)], [value]
            return [_label(item.options[codes.index(value)].text)], [codes.index(value) + 1]
        if variable.scale is not None:
            return [_point_label(variable.scale, value)], [value - variable.scale.min + 1]
        return [str(value)], [str(value)]  # numbers and free text are typed text in both downloads


def _wjx_columns(questionnaire: Questionnaire) -> Iterator[_WjxColumn]:
    number = 0
    for item in questionnaire.items():
        variables = item_variables(questionnaire, item)
        text = item.text[LANGUAGE]
        if isinstance(item, ImportanceSatisfactionGrid | RatingGrid):
            halves: Sequence[tuple[str, list[Variable]]]
            if isinstance(item, ImportanceSatisfactionGrid):
                half = len(variables) // 2
                halves = [("（重要程度）", variables[:half]), ("（满意程度）", variables[half:])]
            else:
                halves = [("", variables)]
            for suffix, rows in halves:
                number += 1
                for index, variable in enumerate(rows):
                    label = variable.text[LANGUAGE]
                    header = f"{number}、{text}{suffix}—{label}" if index == 0 else label
                    yield _WjxColumn(number, item, variable, header)
            continue
        number += 1
        marker = _type_marker(item)
        required = " *必答" if item.required else ""
        yield _WjxColumn(number, item, variables[0], f"{number}、{text} ({marker}{required})")


def _type_marker(item: Item) -> str:
    match item:
        case SingleChoice():
            return "单选题"
        case MultipleChoice():
            return "多选题"
        case Rating() | Recommend():
            return "量表题"
        case Number() | FreeText():
            return "填空题"
    return "题"  # pragma: no cover - grids are written as matrices


def _label(text: dict[Any, str]) -> str:
    return text.get(LANGUAGE) or next(iter(text.values()))


def _point_label(scale: Scale, point: int) -> str:
    if scale.max - scale.min >= 10 or point not in scale.labels:
        return f"{point}分"
    return _label(scale.labels[point])


def _write(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(path)
        _fixed_timestamps(path)
        return
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([["" if value is None else value for value in row] for row in rows])


_STAMPED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_timestamps(path: Path) -> None:
    """The same content gives the same bytes: openpyxl stamps the time of saving into the file and its zip
    entries; a fixed stamp keeps the data files' hashes (and a repeated import's "nothing changed") stable."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in entries:
            if info.filename == "docProps/core.xml":
                content = _STAMPED.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", content)
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED
            )
