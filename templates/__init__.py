"""jinja2 templates (printed questionnaire, web form, report) and the one environment factory.

Every template is rendered through `environment()`: package loader, autoescape on, StrictUndefined so a
missing value fails the build instead of printing a blank. Partials start with `_`. A workspace may brand
its reports: `environment(workspace / "templates")` searches that folder first, so a `report/report.css`
or `report/_cover.html.j2` there replaces the package's own without touching the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2


@cache
def environment(override: Path | None = None) -> jinja2.Environment:
    """The jinja2 environment for every template of the project; `override`, a folder searched first."""
    package = jinja2.PackageLoader("templates", "")
    loader: jinja2.BaseLoader = (
        package if override is None else jinja2.ChoiceLoader([jinja2.FileSystemLoader(override), package])
    )
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
