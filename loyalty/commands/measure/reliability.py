"""`loyalty measure reliability`: Cronbach's alpha and McDonald's omega of one scale in a data file."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Annotated

import typer

from loyalty.commands.measure import input_error_from
from surveys.problems import InputError, Problem

_SCALE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|\.\.|:|,)\s*(-?\d+(?:\.\d+)?)\s*$")


def item_list(text: str, option: str) -> list[str]:
    """Comma-separated column names (Chinese commas too), or an InputError naming the option."""
    names = [name.strip() for name in re.split(r"[,，]", text) if name.strip()]
    if not names and text.strip():
        raise InputError(f"{option} is empty.", [Problem(option, f"{text!r} names no column.")])
    return names


def answer_scale(text: str) -> tuple[float, float] | None:
    """`--scale 1-6` as (1.0, 6.0); None when not given."""
    if not text.strip():
        return None
    match = _SCALE.match(text)
    if match is None or not float(match.group(1)) < float(match.group(2)):
        raise InputError(
            "--scale cannot be read.",
            [Problem("--scale", f"{text!r} is not a scale.", "Write it as low-high, e.g. --scale 1-6.")],
        )
    return float(match.group(1)), float(match.group(2))


def reliability(
    data: Annotated[Path, typer.Option("--data", help="CSV or Excel file, one row per respondent.")],
    items: Annotated[str, typer.Option("--items", help="The scale's item columns, comma-separated.")],
    reverse: Annotated[str, typer.Option("--reverse", help="Reverse-keyed items among --items, comma-separated.")] = "",
    scale: Annotated[str, typer.Option("--scale", help="Answer scale low-high, e.g. 1-6; needed with --reverse.")] = "",
    listwise: Annotated[bool, typer.Option("--listwise", help="Use only respondents who answered every item.")] = False,
    groups: Annotated[
        int | None,
        typer.Option("--groups", help="Also omega hierarchical with this many group factors (3 or more)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
) -> None:
    """Reliability of one scale: Cronbach's alpha (raw, standardised, Feldt 95% interval), McDonald's
    omega total, item-rest correlations and alpha if an item is deleted; with --groups N also omega
    hierarchical of a scale with N group factors.

    Missing answers are handled pairwise unless --listwise is given; the output says which. Reverse-keyed
    items are turned as low + high - answer on the --scale.

    Example:

        loyalty measure reliability --data bfi.csv --items A1,A2,A3,A4,A5 --reverse A1 --scale 1-6 --json
    """
    from loyalty.data_file import numeric_columns, read_data_file
    from measure.reliability import scale_reliability

    columns = item_list(items, "--items")
    reversed_items = item_list(reverse, "--reverse")
    bounds = answer_scale(scale)
    source = data.name
    frame = numeric_columns(read_data_file(data), columns, source)
    with input_error_from(source):
        reliability_of_scale = scale_reliability(
            frame,
            reverse=reversed_items,
            scale=bounds,
            missing="listwise" if listwise else "pairwise",
            groups=groups,
        )
    if as_json:
        typer.echo(json.dumps(reliability_of_scale.as_dict(), ensure_ascii=False, indent=2))
        return
    result, omega = reliability_of_scale.alpha, reliability_of_scale.omega
    percent = f"{result.confidence:.0%}"
    typer.echo(
        f"Cronbach's alpha {result.alpha:.3f} (standardised {result.alpha_standardized:.3f}), "
        f"{percent} interval {result.alpha_ci_low:.3f}–{result.alpha_ci_high:.3f} (Feldt)"
    )
    if omega is not None:
        heywood = f" (uniqueness at its bound: {', '.join(omega.heywood_items)})" if omega.heywood_items else ""
        typer.echo(f"McDonald's omega total {omega.omega_total:.3f} (one factor, minres){heywood}")
    hierarchical = reliability_of_scale.omega_hierarchical
    if hierarchical is not None:
        typer.echo(
            f"omega hierarchical {hierarchical.omega_hierarchical:.3f}, omega total "
            f"{hierarchical.omega_total:.3f} ({hierarchical.groups} group factors, Schmid-Leiman)"
        )
    typer.echo(f"n = {result.n} respondents, {result.missing_data} deletion ({result.n_complete} complete)")
    typer.echo("")
    names = [f"{item.item}{' (reversed)' if item.reversed else ''}" for item in result.item_statistics]
    width = max(len("item"), *map(len, names))
    typer.echo(f"{'item':<{width}}  {'n':>6}  {'mean':>6}  {'sd':>6}  {'item-rest r':>11}  {'alpha if deleted':>16}")
    for name, item in zip(names, result.item_statistics, strict=True):
        deleted = "—" if math.isnan(item.alpha_if_deleted) else f"{item.alpha_if_deleted:.3f}"
        typer.echo(
            f"{name:<{width}}  {item.n:>6}  {item.mean:>6.2f}  {item.sd:>6.2f}  {item.item_rest_r:>11.3f}  "
            f"{deleted:>16}"
        )
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}")
