"""Reading an export of any supported format: the one place where the format is chosen.

`--format auto` recognises the platform from the files' content (never from their names); an explicit
format is taken as given. Every reader returns an ExportTable (export_table.py).
"""

from __future__ import annotations

from pathlib import Path

from surveys.importers.export_table import ExportTable
from surveys.problems import InputError, Problem

FORMATS = ("auto", "wjx")


def read_export(paths: list[Path], format: str = "auto") -> ExportTable:
    """The export in `paths` (one file, or 问卷星's pair of downloads) as an ExportTable."""
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path} cannot be read.", [Problem(str(path), "no such file.")])
    if format not in FORMATS:
        raise InputError(
            f"Unknown format {format!r}.",
            [Problem("--format", f"{format!r} is not a format.", f"Use {', '.join(FORMATS)}.")],
        )
    chosen = detect_format(paths) if format == "auto" else format
    if chosen == "wjx":
        from surveys.importers.wjx import read_wjx

        return read_wjx(paths)
    raise InputError(f"Cannot import {paths[0]}.", [Problem(str(paths[0]), f"format {chosen!r} has no reader.", "")])


def detect_format(paths: list[Path]) -> str:
    """The format of the files, from their content."""
    from surveys.importers.wjx import looks_like_wjx

    if looks_like_wjx(paths[0]):
        return "wjx"
    raise InputError(
        f"Cannot tell what kind of export {paths[0]} is.",
        [
            Problem(
                str(paths[0]), "is not a 问卷星 download.", f"Name the format with --format ({', '.join(FORMATS[1:])})."
            )
        ],
    )
