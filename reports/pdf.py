"""Write the report's HTML as a PDF (through `templates.pdf`, the one place that imports weasyprint)."""

from __future__ import annotations

from pathlib import Path

from templates.pdf import write_pdf


def write_report_pdf(html: str, path: Path) -> None:
    """Lay out the report HTML on A4 pages and write it to `path`, CJK fonts subset and embedded."""
    write_pdf(html, path)
