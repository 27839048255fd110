"""`loyalty measure reliability`: Cronbach's alpha and McDonald's omega of one scale in a data file."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loyalty.commands.measure import input_error_from
from loyalty.commands.measure.stored_wave import (
    FlaggedOption,
    IncompleteOption,
    SurveyOption,
    WaveOption,
    refuse_in_stored_mode,
    stored_wave,
)
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    from surveys.storage.wave_data import WaveData
    from surveys.wave_inputs import ItemSet

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
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="CSV or Excel file, one row per respondent.")] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    items: Annotated[str, typer.Option("--items", help="The scale's item columns, comma-separated.")] = "",
    construct: Annotated[
        str | None,
        typer.Option("--construct", help="Stored wave: the construct whose rated items form the scale (trust …)."),
    ] = None,
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

    On a stored wave, --construct names the scale (its rated items) or --items the variables; items are
    reversed where the codebook says higher is worse, on their own scale. Only complete responses.

    Examples:

        loyalty measure reliability --data bfi.csv --items A1,A2,A3,A4,A5 --reverse A1 --scale 1-6 --json

        loyalty measure reliability --survey retail-2026 --wave 2026Q3 --construct trust
    """
    from loyalty.data_file import numeric_columns, read_data_file
    from measure.reliability import scale_reliability

    measured = stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged)
    columns = item_list(items, "--items")
    if measured is None:
        assert data is not None  # by stored_wave
        if construct is not None:
            raise InputError(
                "--construct is for a stored wave.",
                [Problem("--construct", "a data file has no codebook.", "Name the item columns with --items.")],
            )
        if not columns:
            raise InputError(
                "--items is needed with --data.", [Problem("--items", "is not given.", "E.g. --items A,B,C")]
            )
        reversed_items = item_list(reverse, "--reverse")
        bounds = answer_scale(scale)
        source = data.name
        frame = numeric_columns(read_data_file(data), columns, source)
    else:
        refuse_in_stored_mode(
            {"--reverse": reverse, "--scale": scale},
            "on a stored wave, items are reversed where the codebook says higher is worse.",
        )
        scale_items = _wave_items(measured.data, columns, construct)
        columns, reversed_items = scale_items.codes, scale_items.reversed_codes
        bounds = scale_items.common_scale("reversing items") if reversed_items else None
        source = measured.source
        frame = numeric_columns(measured.frame, columns, source)
    with input_error_from(source):
        reliability_of_scale = scale_reliability(
            frame,
            reverse=reversed_items,
            scale=bounds,
            missing="listwise" if listwise else "pairwise",
            groups=groups,
        )
    if as_json:
        output = reliability_of_scale.as_dict()
        if measured is not None:
            output["stored_wave"] = measured.as_dict()
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
        return
    if measured is not None:
        typer.echo(measured.describe())
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


def _wave_items(wave: WaveData, codes: list[str], construct: str | None) -> ItemSet:
    """The scale's items on a stored wave: the rated items of `--construct`, or the variables of `--items`."""
    from surveys.wave_inputs import construct_named, constructs_with_items, named_items, rated_items

    if codes and construct is not None:
        raise InputError(
            "--items and --construct both choose the items.",
            [Problem("--items / --construct", "were both given.", "Give one.")],
        )
    if codes:
        return named_items(wave, codes, "--items")
    if construct is None:
        raise InputError(
            "Which scale?",
            [
                Problem(
                    "--construct",
                    "is not given.",
                    f"Constructs with two or more rated items: {', '.join(constructs_with_items(wave))}.",
                )
            ],
        )
    chosen = construct_named(wave, construct, "--construct")
    return rated_items(wave, chosen, "a reliability analysis needs its items")
