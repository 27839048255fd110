"""HTML to PDF: the one place that imports weasyprint (slow to import; only commands that print pay)."""

from __future__ import annotations

from pathlib import Path


def write_pdf(html: str, path: Path, base_url: str | None = None) -> None:
    """Lay out `html` with its print CSS and write the PDF to `path`, fonts subset and embedded."""
    import weasyprint

    weasyprint.HTML(string=html, base_url=base_url).write_pdf(path)
