"""Render a report context as one HTML document (the PDF's input, and `--html` output as it is)."""

from __future__ import annotations

from pathlib import Path

from reports.context import ReportContext
from reports.phrases import PHRASES
from templates import environment


def render_report_html(context: ReportContext, override: Path | None = None) -> str:
    """The report as HTML with its print CSS inlined; `override`, a workspace folder of templates searched first."""
    template = environment(override).get_template("report/report.html.j2")
    return template.render(context=context, phrases=PHRASES[context.language])
