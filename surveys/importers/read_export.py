"""Reading an export of any supported format: the one place where the format is chosen.

`--format auto` recognises the platform from the files' content (surveys/importers/detect.py, never
from their names); an explicit format is taken as given. Every reader returns an ExportTable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from surveys.importers.detect import FORMATS, detect_format
from surveys.importers.export_table import ExportTable
from surveys.problems import InputError, Problem


def read_export(paths: list[Path], format: str = "auto") -> ExportTable:
    """The export in `paths` (one file, or 问卷星's pair of downloads) as an ExportTable."""
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path} cannot be read.", [Problem(str(path), "no such file.")])
    if format != "auto" and format not in FORMATS:
        choices = ", ".join(("auto", *FORMATS))
        raise InputError(
            f"Unknown format {format!r}.", [Problem("--format", f"{format!r} is not a format.", f"Use {choices}.")]
        )
    chosen = detect_format(paths) if format == "auto" else format
    if chosen == "wjx":
        from surveys.importers.wjx import read_wjx

        return read_wjx(paths)
    if len(paths) != 1:
        raise InputError(
            f"{len(paths)} files for one {chosen} export.",
            [Problem("FILES", "only 问卷星's downloads come in pairs.", "Import the files one at a time.")],
        )
    return _single_file_reader(chosen)(paths[0])


def _single_file_reader(format: str) -> Callable[[Path], ExportTable]:
    if format == "qualtrics":
        from surveys.importers.qualtrics import read_qualtrics_export

        return read_qualtrics_export
    if format == "tencent":
        from surveys.importers.tencent import read_tencent_export

        return read_tencent_export
    if format == "limesurvey":
        from surveys.importers.limesurvey import read_limesurvey_export

        return read_limesurvey_export
    if format == "sav":
        from surveys.importers.spss import read_spss_file

        return read_spss_file
    from surveys.importers.tabular import read_tabular_export

    return read_tabular_export  # csv, xlsx, xls
