"""Reading a plain data file (CSV or Excel) named on the command line, for `loyalty measure … --data FILE`.

Only the reading and the column checks live here; what the columns mean is decided by the command.
Encodings tried in order: UTF-8 (with or without BOM), then GB18030, which covers GBK/GB2312 files
saved by Chinese Excel.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

_ENCODINGS = ("utf-8-sig", "gb18030")


def read_data_file(path: Path) -> pd.DataFrame:
    """Read a .csv, .tsv, .xlsx or .xls file into a DataFrame, or raise InputError saying why not."""
    import pandas as pd

    if not path.is_file():
        raise InputError(f"{path} cannot be read.", [Problem(str(path), "no such file.")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path)
    if suffix not in (".csv", ".tsv", ".txt"):
        raise InputError(
            f"{path} cannot be read.",
            [Problem(str(path), f"unknown file type {suffix!r}.", "Give a .csv, .tsv, .xlsx or .xls file.")],
        )
    separator = "\t" if suffix == ".tsv" else ","
    for encoding in _ENCODINGS:
        try:
            return pd.read_csv(path, sep=separator, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{path} cannot be read.",
        [Problem(str(path), "is neither UTF-8 nor GB18030 text.", "Save it as UTF-8 CSV.")],
    )


def numeric_columns(frame: pd.DataFrame, columns: list[str], source: str) -> pd.DataFrame:
    """The named columns as floats (empty cells become NaN); every missing column and every text cell is
    reported at once, with the nearest column name and the row numbers as the user sees them in the file.
    """
    import pandas as pd

    problems: list[Problem] = []
    available = [str(name) for name in frame.columns]
    for column in columns:
        if column not in frame.columns:
            nearest = difflib.get_close_matches(column, available, n=1)
            hint = f'Did you mean "{nearest[0]}"?' if nearest else f"The columns are: {', '.join(available)}."
            problems.append(Problem(f"column {column}", "is not in the file.", hint))
    if problems:
        raise InputError(f"{source} has {len(problems)} problem(s).", problems)

    numbers = frame[columns].apply(pd.to_numeric, errors="coerce")
    for column in columns:
        text_cells = frame[column].notna() & numbers[column].isna()
        for row_index in frame.index[text_cells][:5]:
            value = frame.at[row_index, column]
            # +2: the header is line 1 and the index counts from 0
            problems.append(
                Problem(
                    f"row {int(row_index) + 2}, column {column}",
                    f"{value!r} is not a number.",
                    "Correct the cell or leave it empty for a missing answer.",
                )
            )
    if problems:
        raise InputError(f"{source} has {len(problems)} problem(s).", problems)
    floats: pd.DataFrame = numbers.astype(float)
    return floats


def require_columns(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    """Raise InputError naming every column of `columns` that the file lacks, with the nearest name.

    For columns of any type (segments, waves, ids); `numeric_columns` makes the same check for numbers.
    """
    available = [str(name) for name in frame.columns]
    problems = []
    for column in columns:
        if column not in frame.columns:
            nearest = difflib.get_close_matches(column, available, n=1)
            hint = f'Did you mean "{nearest[0]}"?' if nearest else f"The columns are: {', '.join(available)}."
            problems.append(Problem(f"column {column}", "is not in the file.", hint))
    if problems:
        raise InputError(f"{source} has {len(problems)} problem(s).", problems)


# Answers survey tools export for yes/no questions, in the languages our users write them.
_YES = {"1", "1.0", "yes", "y", "true", "是", "有", "对", "對"}
_NO = {"0", "0.0", "no", "n", "false", "否", "无", "無", "没有", "沒有", "不是"}


def yes_no_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as 1.0 (yes) / 0.0 (no) / NaN (empty), reading 1/0, yes/no, true/false and 是/否;
    every other answer is reported with its row (the first five), as the user sees it in the file.
    """
    import numpy as np
    import pandas as pd

    problems: list[Problem] = []
    values: list[float] = []
    for index, cell in frame[column].items():
        text = "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(cell).strip().lower()
        if text == "":
            values.append(np.nan)
        elif text in _YES:
            values.append(1.0)
        elif text in _NO:
            values.append(0.0)
        else:
            values.append(np.nan)
            if len(problems) < 5:
                problems.append(
                    Problem(
                        f"row {int(str(index)) + 2}, column {column}",
                        f"{cell!r} is not a yes/no answer.",
                        "Write 1/0, yes/no or 是/否, or leave it empty.",
                    )
                )
    if problems:
        raise InputError(f"column {column} has answers that are not yes or no.", problems)
    return pd.Series(values, index=frame.index, dtype=float)
