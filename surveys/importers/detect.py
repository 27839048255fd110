"""Which platform wrote an export, from its content: the `--format auto` of `loyalty import`.

What each format is known by (the file's name is only a tiebreak for plain tables):

- sav: the SPSS header `$FL2` / `$FL3` in the first bytes.
- qualtrics: a third row of `{"ImportId":"QID5"}` objects.
- limesurvey: at least two of LimeSurvey's response columns `id`, `submitdate`, `lastpage`, `startlanguage`,
  `seed`, `startdate`, `datestamp`.
- wjx (问卷星): `序号` with `提交答卷时间` or `所用时间`, or question headers `N、题干` / `第N题(选项)`; as .xls,
  .xlsx or CSV. A pair of wjx downloads (by text and by code) is one export.
- tencent (腾讯问卷): question headers `N.题干` with one of `编号`, `答题时长`, `开始答题时间`, `结束答题时间`.
- xlsx, xls, csv: any other table, by its container (the zip of .xlsx, the OLE2 file of .xls, or text).

When it cannot tell (a file that is none of these, or files of different formats), it raises an InputError
saying what it found in each file and how to name the format instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from surveys.importers.text_files import first_rows
from surveys.problems import InputError, Problem

FORMATS = ("wjx", "tencent", "qualtrics", "limesurvey", "csv", "xlsx", "xls", "sav")
_LIMESURVEY_FIELDS = {"id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"}
_WJX_QUESTION = re.compile(r"^(?:\d+、|第\d+题[(（])")
_TENCENT_QUESTION = re.compile(r"^\d+[.．]\S")
_TENCENT_FIELDS = {"编号", "答题时长", "开始答题时间", "结束答题时间"}
_FIX = f"Name the format with --format ({'|'.join(FORMATS)})."


def detect_format(paths: Sequence[Path]) -> str:
    """The format of the export in `paths` (one file, or 问卷星's pair of downloads): one of `FORMATS`.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("编号,答题时长,1.您的性别\\n1,30,女\\n", encoding="utf-8")
    >>> _ = (folder / "b.csv").write_text("id,submitdate,lastpage,Q1\\n1,2026-03-01,2,A1\\n", encoding="utf-8")
    >>> detect_format([folder / "a.csv"]), detect_format([folder / "b.csv"])
    ('tencent', 'limesurvey')
    """
    if not paths:
        raise InputError("No file to import.", [Problem("", "no file was named.", "Name the export file.")])
    found = [(path, *_format_of(path)) for path in paths]
    formats = {kind for _, kind, _ in found}
    if len(formats) == 1 and (len(paths) == 1 or formats == {"wjx"}) and len(paths) <= 2:
        return formats.pop()
    problems = [Problem(str(path), f"looks like {kind}: {reason}") for path, kind, reason in found]
    if len(formats) == 1 and len(paths) <= 2:
        summary = f"Two files were named, but only 问卷星's downloads come in pairs; these look like {found[0][1]}."
    elif len(paths) > 2:
        summary = f"{len(paths)} files were named; an export is one file, or 问卷星's pair of downloads."
    else:
        summary = "The files named are exports of different formats."
    raise InputError(summary, [*problems, Problem("", "Import them one at a time.", _FIX)])


def _format_of(path: Path) -> tuple[str, str]:
    """(format, why) for one file; an InputError when it is no table at all."""
    if not path.is_file():
        raise InputError(f"{path} cannot be read.", [Problem(str(path), "no such file.")])
    with path.open("rb") as stream:
        head = stream.read(4096)
    magic = head[:8]
    if magic[:4] in (b"$FL2", b"$FL3"):
        return "sav", "an SPSS data file"
    if magic[:4] == b"PK\x03\x04":
        header = _xlsx_header(path)
        return _wjx_or(header, "xlsx", "an Excel workbook (.xlsx)")
    if magic == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        header = _xls_header(path)
        return _wjx_or(header, "xls", "a legacy Excel workbook (.xls)")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # binary, unless UTF-16 text
        raise InputError(
            f"{path} is not a survey export this program reads.",
            [
                Problem(
                    str(path),
                    "is neither text (CSV/TSV) nor an Excel workbook nor an SPSS .sav file.",
                    "Export the responses as CSV, Excel or SPSS .sav.",
                )
            ],
        )
    rows = first_rows(path, 3)
    header = [cell.strip() for cell in rows[0]] if rows else []
    if len(rows) >= 3 and _import_ids(rows[2]):
        return "qualtrics", 'its third row holds {"ImportId": …} for each column'
    limesurvey = _LIMESURVEY_FIELDS & set(header)
    if len(limesurvey) >= 2:
        return "limesurvey", f"LimeSurvey's columns {', '.join(sorted(limesurvey))}"
    kind, reason = _wjx_or(header, "", "")
    if kind:
        return kind, reason
    tencent = _TENCENT_FIELDS & set(header)
    numbered = [name for name in header if _TENCENT_QUESTION.match(name)]
    if tencent and numbered:
        return "tencent", f"腾讯问卷's {', '.join(sorted(tencent))} and numbered questions like {numbered[0]!r}"
    return "csv", "a delimited text table with none of the platforms' marks"


def _wjx_or(header: list[str], otherwise: str, why: str) -> tuple[str, str]:
    names = set(header)
    if "序号" in names and names & {"提交答卷时间", "所用时间"}:
        return "wjx", "问卷星's 序号 and 提交答卷时间/所用时间 columns"
    questions = [name for name in header if _WJX_QUESTION.match(name)]
    if len(questions) >= 2:
        return "wjx", f"问卷星's question headers like {questions[0]!r}"
    return otherwise, why


def _import_ids(cells: tuple[str, ...]) -> bool:
    """Whether most cells of a row are Qualtrics' {"ImportId": …} objects."""
    hits = 0
    for cell in cells:
        try:
            value = json.loads(cell)
        except ValueError:
            continue
        hits += isinstance(value, dict) and "ImportId" in value
    return hits > len(cells) / 2


def _xlsx_header(path: Path) -> list[str]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several types for a zip that is no workbook
        raise InputError(
            f"{path} cannot be read.", [Problem(str(path), f"is not an .xlsx workbook ({error}).")]
        ) from None
    try:
        first = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True), ())
    finally:
        workbook.close()
    return [str(value).strip() for value in first if value is not None]


def _xls_header(path: Path) -> list[str]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as error:
        raise InputError(
            f"{path} cannot be read.", [Problem(str(path), f"is not an .xls workbook ({error}).")]
        ) from None
    sheet = book.sheet_by_index(0)
    return [str(value).strip() for value in sheet.row_values(0)] if sheet.nrows else []
