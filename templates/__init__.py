"""jinja2 templates (printed questionnaire, web form, report) and the one environment factory.

Every template is rendered through `environment()`: package loader, autoescape on, StrictUndefined so a
missing value fails the build instead of printing a blank. Partials start with `_`.
"""

from __future__ import annotations

from functools import cache

import jinja2


@cache
def environment() -> jinja2.Environment:
    """The jinja2 environment for every template of the project."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("templates", ""),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
