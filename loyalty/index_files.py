"""The small YAML and JSON files of `loyalty measure index --data FILE`: indicators, AHP judgments, baselines.

An indicator file names, for each of the six loyalty indicators measured, its column(s), direction and
anchors:

    repeat_purchases: {column: purchases_12m, direction: higher_is_better, anchors: [0, 24]}
    trust:            {columns: [trust1, trust2, trust3], direction: higher_is_better, anchors: [1, 5]}

An AHP file gives the indicators in order and the pairwise matrix row by row (fractions as text, 1/2),
or several experts' matrices under `matrices:` (combined by the element-wise geometric mean):

    order: [repeat_purchases, deliberation_time, price_sensitivity, competitor_attitude, churn, trust]
    matrix:
      - [1, 3, 2, 2, 1/2, 1/2]
      - ...

Every problem in a file is collected and reported at once, with the file, line and entry.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from surveys.problems import InputError, Problem

#: The six indicators of METHODS §3.1, by their names in the indicator file.
INDICATOR_NAMES = (
    "repeat_purchases",
    "deliberation_time",
    "price_sensitivity",
    "competitor_attitude",
    "churn",
    "trust",
)
DIRECTIONS = ("higher_is_better", "higher_is_worse")
_INDICATOR_KEYS = {"column", "columns", "direction", "anchors"}
_AHP_KEYS = {"order", "matrix", "matrices", "method", "random_index_table"}
_AHP_METHODS = ("eigenvector", "sum_product", "geometric_mean")
_RANDOM_INDEX_TABLES = ("saaty1980", "saaty2005", "donegan_dodd1991")


@dataclass(frozen=True, slots=True)
class IndicatorSource:
    """One indicator as the indicator file defines it."""

    name: str
    columns: tuple[str, ...]  # one column, or several items averaged
    direction: str
    anchors: tuple[float | str, float | str] | None  # None: "sample"; "p99": a percentile of the file
    location: str  # where the file defines it: "indicators.yaml, line 8 (churn)"


@dataclass(frozen=True, slots=True)
class AhpJudgments:
    """The pairwise judgments of an AHP file, in the file's order."""

    order: tuple[str, ...]
    matrices: tuple[tuple[tuple[float, ...], ...], ...]  # one per expert
    method: str
    random_index_table: str


def read_indicator_file(path: Path) -> list[IndicatorSource]:
    """The indicators of an indicator YAML file, or InputError listing every problem with its line."""
    data, lines = _load_yaml(path)
    if not isinstance(data, dict) or not data:
        raise InputError(
            f"{path} has no indicators.",
            [Problem(str(path), "must map indicator names to {column, direction, anchors}.", _INDICATOR_EXAMPLE)],
        )
    problems: list[Problem] = []
    sources: list[IndicatorSource] = []
    for name, entry in data.items():
        where = f"{path}, line {lines.get(str(name), '?')} ({name})"
        if name not in INDICATOR_NAMES:
            problems.append(
                Problem(
                    where,
                    f"{name!r} is not one of the six loyalty indicators.",
                    f"Use {', '.join(INDICATOR_NAMES)}.",
                )
            )
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(where, "must be {column: …, direction: …, anchors: …}.", _INDICATOR_EXAMPLE))
            continue
        unknown = sorted(set(map(str, entry)) - _INDICATOR_KEYS)
        if unknown:
            problems.append(
                Problem(where, f"unknown key(s) {unknown}.", "Keys are column (or columns), direction, anchors.")
            )
        columns: tuple[str, ...] = ()
        if ("column" in entry) == ("columns" in entry):
            problems.append(Problem(where, "needs exactly one of column: NAME or columns: [NAME, …]."))
        elif "column" in entry:
            columns = (str(entry["column"]),)
        elif isinstance(entry["columns"], list) and entry["columns"]:
            columns = tuple(str(column) for column in entry["columns"])
        else:
            problems.append(Problem(where, f"columns must be a non-empty list; got {entry['columns']!r}."))
        direction = entry.get("direction")
        if direction not in DIRECTIONS:
            problems.append(
                Problem(where, f"direction must be higher_is_better or higher_is_worse; got {direction!r}.")
            )
        anchors_valid, anchors = _anchors(entry.get("anchors"), where, problems)
        if columns and direction in DIRECTIONS and anchors_valid:
            sources.append(IndicatorSource(str(name), columns, str(direction), anchors, where))
    if problems:
        raise InputError(f"{path} has {len(problems)} problem(s).", problems)
    return sources


def read_ahp_file(path: Path, indicators: list[str]) -> AhpJudgments:
    """The judgments of an AHP YAML file for exactly these indicators, or InputError naming each bad entry."""
    from measure.ahp import pairwise_matrix

    data, lines = _load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(
            f"{path} is not an AHP file.", [Problem(str(path), "must have order: and matrix:.", _AHP_EXAMPLE)]
        )
    problems: list[Problem] = []
    unknown = sorted(set(map(str, data)) - _AHP_KEYS)
    if unknown:
        problems.append(Problem(str(path), f"unknown key(s) {unknown}.", f"Keys are {', '.join(sorted(_AHP_KEYS))}."))
    order_where = f"{path}, line {lines.get('order', '?')} (order)"
    order = data.get("order")
    if not isinstance(order, list) or not order:
        problems.append(Problem(order_where, "order must list the indicators in the matrix's row order.", _AHP_EXAMPLE))
        order = []
    order = [str(name) for name in order]
    for name in order:
        if name not in indicators:
            problems.append(
                Problem(
                    order_where,
                    f"{name!r} is not an indicator of the indicator file.",
                    f"They are {', '.join(indicators)}.",
                )
            )
    repeated = sorted({name for name in order if order.count(name) > 1})
    if repeated:
        problems.append(Problem(order_where, f"{repeated} appear more than once."))
    absent = [name for name in indicators if name not in order]
    if order and absent:
        problems.append(Problem(order_where, f"{absent} are missing; every indicator needs a row and a column."))
    if ("matrix" in data) == ("matrices" in data):
        problems.append(
            Problem(str(path), "needs exactly one of matrix: (one expert) or matrices: (several).", _AHP_EXAMPLE)
        )
        raise InputError(f"{path} has {len(problems)} problem(s).", problems)
    key = "matrix" if "matrix" in data else "matrices"
    raw = [data["matrix"]] if key == "matrix" else data["matrices"]
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(f"{path}, line {lines.get(key, '?')} ({key})", "must be a list.", _AHP_EXAMPLE))
        raise InputError(f"{path} has {len(problems)} problem(s).", problems)
    row_lines = _row_lines(path, key)
    matrices: list[tuple[tuple[float, ...], ...]] = []
    for expert, matrix in enumerate(raw):
        label = f"matrices[{expert + 1}], " if key == "matrices" else ""
        parsed = _matrix(matrix, len(order), path, label, row_lines.get(expert, {}), problems)
        complete = len(parsed) == len(order) and all(len(row) == len(order) for row in parsed)
        if parsed and complete and all(math.isfinite(value) for row in parsed for value in row):
            try:
                pairwise_matrix(parsed)
            except ValueError as error:  # not reciprocal, diagonal not 1
                problems.append(Problem(f"{path}, {label}matrix", str(error)))
        matrices.append(parsed)
    method = str(data.get("method", "eigenvector"))
    if method not in _AHP_METHODS:
        problems.append(
            Problem(f"{path} (method)", f"method must be one of {', '.join(_AHP_METHODS)}; got {method!r}.")
        )
    table = str(data.get("random_index_table", "saaty1980"))
    if table not in _RANDOM_INDEX_TABLES:
        problems.append(
            Problem(
                f"{path} (random_index_table)",
                f"must be one of {', '.join(_RANDOM_INDEX_TABLES)}; got {table!r}.",
            )
        )
    if problems:
        raise InputError(f"{path} has {len(problems)} problem(s).", problems)
    return AhpJudgments(tuple(order), tuple(matrices), method, table)


def read_result_file(path: Path) -> dict[str, Any]:
    """A JSON result written by an earlier `loyalty measure index … --json` (a baseline or previous wave)."""
    if not path.is_file():
        raise InputError(f"{path} cannot be read.", [Problem(str(path), "no such file.")])
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(
            f"{path} cannot be read.",
            [Problem(str(path), f"is not JSON ({error}).", "Give the output of loyalty measure index … --json.")],
        ) from None
    needed = ["index", "standard_error", "n", "weights", "anchors", "directions"]
    missing = [key for key in needed if not isinstance(data, dict) or key not in data]
    if missing:
        raise InputError(
            f"{path} is not a loyalty index result.",
            [Problem(str(path), f"lacks {missing}.", "Give the output of loyalty measure index … --json.")],
        )
    result: dict[str, Any] = data
    return result


_INDICATOR_EXAMPLE = "For example: trust: {columns: [trust1, trust2], direction: higher_is_better, anchors: [1, 5]}"
_AHP_EXAMPLE = "For example: order: [trust, churn] and matrix: [[1, 3], [1/3, 1]]."


def _load_yaml(path: Path) -> tuple[Any, dict[str, int]]:
    """The file's data and the 1-based line of each top-level key."""
    if not path.is_file():
        raise InputError(f"{path} cannot be read.", [Problem(str(path), "no such file.")])
    text = _text(path)
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark is not None else str(path)
        raise InputError(
            f"{path} is not valid YAML.", [Problem(where, str(getattr(error, "problem", error)))]
        ) from None
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
    return data, lines


def _text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB18030 as saved by Chinese Windows editors."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{path} cannot be read.",
        [Problem(str(path), "is neither UTF-8 nor GB18030 text.", "Save it as UTF-8.")],
    )


def _row_lines(path: Path, key: str) -> dict[int, dict[int, int]]:
    """Line of each matrix row: expert → row → line."""
    node = yaml.compose(_text(path), Loader=yaml.SafeLoader)
    result: dict[int, dict[int, int]] = {}
    if not isinstance(node, yaml.MappingNode):
        return result
    for key_node, value_node in node.value:
        if key_node.value != key or not isinstance(value_node, yaml.SequenceNode):
            continue
        experts = [value_node] if key == "matrix" else value_node.value
        for expert, matrix_node in enumerate(experts):
            if isinstance(matrix_node, yaml.SequenceNode):
                result[expert] = {row: row_node.start_mark.line + 1 for row, row_node in enumerate(matrix_node.value)}
    return result


def _anchors(value: object, where: str, problems: list[Problem]) -> tuple[bool, tuple[float | str, float | str] | None]:
    """(valid, anchors): anchors None means "sample"; invalid ones are added to problems."""
    if value == "sample":
        return True, None
    if isinstance(value, list) and len(value) == 2:
        from measure.indicator_normalisation import indicator

        low, high = (item if isinstance(item, str) else _number(item) for item in value)
        try:
            indicator("anchors", "higher_is_better", [low, high])
            return True, (low, high)
        except (TypeError, ValueError):
            pass
    hint = (
        "Give [low, high] (fixed: comparable across waves), a percentile of this file such as [0, p99], "
        "or sample (this file's min and max)."
    )
    what = (
        "anchors are missing."
        if value is None
        else f"anchors must be [low, high] with low < high, or sample; got {value!r}."
    )
    problems.append(Problem(where, what, hint))
    return False, None


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _matrix(
    matrix: object, size: int, path: Path, label: str, lines: dict[int, int], problems: list[Problem]
) -> tuple[tuple[float, ...], ...]:
    if not isinstance(matrix, list) or (size and len(matrix) != size):
        count = len(matrix) if isinstance(matrix, list) else "no"
        problems.append(Problem(f"{path}, {label}matrix", f"has {count} rows; order names {size} indicators."))
        return ()
    rows: list[tuple[float, ...]] = []
    for i, row in enumerate(matrix):
        where = f"{path}, line {lines.get(i, '?')}, {label}row {i + 1}"
        if not isinstance(row, list) or len(row) != size:
            count = len(row) if isinstance(row, list) else "no"
            problems.append(Problem(where, f"has {count} entries; it needs {size}, one per indicator in order."))
            continue
        values: list[float] = []
        for j, entry in enumerate(row):
            number = _judgment(entry)
            if number is None:
                problems.append(
                    Problem(
                        f"{where}, column {j + 1}",
                        f"{entry!r} is not a positive number or fraction.",
                        "Use Saaty's scale 1/9 … 9, e.g. 3 or 1/3; a zero has no reciprocal.",
                    )
                )
                number = math.nan
            values.append(number)
        rows.append(tuple(values))
    return tuple(rows)


def _judgment(entry: object) -> float | None:
    if isinstance(entry, bool):
        return None
    if isinstance(entry, int | float):
        number = float(entry)
    elif isinstance(entry, str):
        try:
            number = float(Fraction(entry.strip().replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            return None
    else:
        return None
    return number if math.isfinite(number) and number > 0 else None
