"""`loyalty measure drivers`: which attributes drive an overall rating — derived importance (relative weights,
Shapley/LMG, β, Pratt), importance–performance quadrants, and penalty–reward contrast with Kano classes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from loyalty.commands.measure import input_error_from
from loyalty.commands.measure.quality import describe_flagged, without_flagged
from loyalty.commands.measure.stored_wave import (
    FlaggedOption,
    IncompleteOption,
    SurveyOption,
    WaveOption,
    need_in_file_mode,
    refuse_in_stored_mode,
    stored_wave,
)
from surveys.problems import InputError, Problem

# Conventional PRCA boxes by the top of the rating scale (METHODS §2.1): (low at most, high at least)
_BOXES = {5: (2.0, 5.0), 7: (2.0, 7.0), 10: (4.0, 9.0)}


def drivers(
    ctx: typer.Context,
    data: Annotated[
        Path | None, typer.Option("--data", help="Responses: CSV, TSV or Excel, one row per respondent.")
    ] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome", help="Column of the overall rating (stored wave: the overall-satisfaction item if one)."
        ),
    ] = None,
    attributes: Annotated[
        str | None,
        typer.Option("--attributes", help="Attribute performance columns, A,B,C (stored wave: the attribute grid)."),
    ] = None,
    importance_columns: Annotated[
        str | None,
        typer.Option(
            "--importance-columns",
            help="Stated-importance columns in the order of --attributes; the IPA then uses them.",
        ),
    ] = None,
    ipa_importance: Annotated[
        str | None,
        typer.Option(
            "--ipa-importance",
            help="IPA x-axis: stated, relative-weights, lmg or range-of-impact (asymmetric IPA, IRPA).",
        ),
    ] = None,
    crosshairs: Annotated[
        str,
        typer.Option("--crosshairs", help="IPA crosshairs: mean (grand means) or midpoint (needs --scale)."),
    ] = "mean",
    scale: Annotated[
        str | None, typer.Option("--scale", help="Rating scale of the attributes, MIN,MAX (e.g. 1,5).")
    ] = None,
    low_at_most: Annotated[
        float | None,
        typer.Option("--low-at-most", help="PRCA bottom boxes: ratings ≤ this (default by scale)."),
    ] = None,
    high_at_least: Annotated[
        float | None,
        typer.Option("--high-at-least", help="PRCA top boxes: ratings ≥ this (default by scale)."),
    ] = None,
    kano: Annotated[
        list[str] | None,
        typer.Option(
            "--kano",
            help="Kano answers ATTRIBUTE=FUNCTIONAL:DYSFUNCTIONAL (columns of 1–5 or labels); repeatable.",
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples for importance intervals (0 = none).")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap and of sampled LMG orderings.")] = 20240601,
    include_flagged: FlaggedOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    r"""Drivers of an overall rating: derived importance, importance–performance
    grid, penalties and rewards, Kano classes.

    Derived importance from the correlations (complete cases): Johnson's
    relative weights, Shapley/LMG (exact up to 15 attributes), standardised
    beta and Pratt, with bootstrap intervals when --bootstrap > 0. The IPA
    places each attribute by importance (stated means with
    --importance-columns, else relative-weight shares) and mean performance.
    PRCA regresses the outcome on bottom-box and top-box dummies and classes
    each attribute basic / performance / excitement; boxes default to 1–2/5
    on 5-point, 1–2/7 on 7-point and ≤4/9–10 on 10- or 11-point scales.
    Responses flagged in a quality_reasons column are left out unless
    --include-flagged.

    On a stored wave the attributes are the rows of the importance–satisfaction
    grid (named by attribute, with their stated importance and scale), the
    outcome the overall-satisfaction item (--outcome chooses among several);
    only complete responses are used.

    Examples:

        loyalty measure drivers --data bank.csv --outcome sat1 \
            --attributes qual1,qual2,val1,imag1 --bootstrap 200 --json

        loyalty measure drivers --survey retail-2026 --wave 2026Q3 \
            --outcome sat_overall
    """
    import numpy as np

    from loyalty.data_file import numeric_columns, read_data_file
    from measure.importance_performance import importance_performance
    from measure.kano import kano_evaluation
    from measure.penalty_reward import penalty_reward_contrast
    from measure.relative_importance import derived_importance

    measured = stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged, flags_in_files=True)
    renamed: dict[str, str] = {}  # stored wave: grid variable → its attribute
    importance_bounds = None
    if measured is None:
        need_in_file_mode({"--outcome": outcome, "--attributes": attributes})
        assert data is not None  # by stored_wave
        assert outcome is not None  # by need_in_file_mode
        assert attributes is not None
        names = _column_list(attributes, "--attributes")
        stated = _column_list(importance_columns, "--importance-columns") if importance_columns else None
        bounds = _pair(scale, "--scale") if scale else None
        importance_bounds = bounds
        frame, flagged = without_flagged(read_data_file(data), include_flagged)
        source = data.name
    else:
        from surveys.questionnaire import Construct
        from surveys.wave_inputs import attribute_pairs, named_items, single_item

        refuse_in_stored_mode({"--scale": scale}, "on a stored wave, the scale comes from the codebook.")
        outcome = single_item(
            measured.data,
            Construct.OVERALL_SATISFACTION,
            "driver analysis needs an overall rating",
            "--outcome",
            outcome,
        ).code
        if attributes is None:
            pairs = attribute_pairs(measured.data)
            names = [pair.satisfaction.code for pair in pairs]
            renamed = {pair.satisfaction.code: pair.attribute for pair in pairs}
            if importance_columns is None and all(pair.importance is not None for pair in pairs):
                stated = [pair.importance.code for pair in pairs if pair.importance is not None]
            else:
                stated = _column_list(importance_columns, "--importance-columns") if importance_columns else None
        else:
            names = _column_list(attributes, "--attributes")
            stated = _column_list(importance_columns, "--importance-columns") if importance_columns else None
        bounds = named_items(measured.data, names, "--attributes").common_scale("the importance–performance grid")
        if stated is not None:
            importance_bounds = named_items(measured.data, stated, "--importance-columns").common_scale(
                "stated importance"
            )
        frame, flagged = measured.frame, None
        source = measured.source
    if stated is not None and len(stated) != len(names):
        raise InputError(
            "--importance-columns does not match --attributes.",
            [Problem("--importance-columns", f"names {len(stated)} columns for {len(names)} attributes.")],
        )
    numbers = numeric_columns(frame, [outcome, *names, *(stated or [])], source)
    if renamed:
        numbers = numbers.rename(columns=renamed)
        names = [renamed[name] for name in names]
    ratings = numbers[names]

    with input_error_from(source):
        importance = derived_importance(numbers[outcome].to_numpy(), ratings, n_bootstrap=bootstrap, seed=seed)
    complete = numbers[[outcome, *names]].notna().all(axis=1)
    performance = ratings[complete].mean().to_numpy()
    low, high = _boxes(low_at_most, high_at_least, bounds, ratings)
    with input_error_from(source):
        prca = penalty_reward_contrast(numbers[outcome].to_numpy(), ratings, low_at_most=low, high_at_least=high)

    chosen = ipa_importance or ("stated" if stated is not None else "relative-weights")
    importance_scale = None
    if chosen == "stated":
        if stated is None:
            raise InputError(
                "--ipa-importance stated needs the stated-importance columns.",
                [Problem("--importance-columns", "is missing.", "Name one column per attribute.")],
            )
        importance_values = np.array([numbers[column].mean() for column in stated])
        importance_source = "stated"
        importance_scale = importance_bounds
    elif chosen == "relative-weights":
        importance_values = np.array([a.relative_weight_share for a in importance.attributes])
        importance_source = "relative weights (% of R²)"
    elif chosen == "lmg":
        importance_values = np.array([a.lmg_share for a in importance.attributes])
        importance_source = "Shapley/LMG (% of R²)"
    elif chosen == "range-of-impact":
        importance_values = np.array([a.range_of_impact for a in prca.attributes])
        importance_source = "range of impact, penalty + reward (IRPA)"
    else:
        raise InputError(
            "--ipa-importance cannot be read.",
            [
                Problem(
                    "--ipa-importance",
                    f"{chosen!r} is not a choice.",
                    "Use stated, relative-weights, lmg or range-of-impact.",
                )
            ],
        )
    with input_error_from(source):
        grid = importance_performance(
            names,
            importance_values,
            performance,
            crosshairs=crosshairs,
            importance_scale=importance_scale,
            performance_scale=bounds,
            importance_source=importance_source,
        )

    result: dict[str, Any] = {
        "data": str(data) if measured is None else source,
        "outcome": outcome,
        "derived_importance": importance.as_dict(),
        "importance_performance": grid.as_dict(),
        "penalty_reward": prca.as_dict(),
        "flagged_responses": flagged,
    }
    kano_results = []
    for name, functional, dysfunctional in _kano_pairs(kano or []):
        missing = [column for column in (functional, dysfunctional) if column not in frame.columns]
        if missing:
            raise InputError(
                f"{source} has {len(missing)} problem(s).",
                [Problem(f"column {column}", "is not in the file.", f"Check --kano {name}=…") for column in missing],
            )
        with input_error_from(f"{source}, --kano {name}"):
            kano_results.append(
                kano_evaluation(frame[functional].to_numpy(), frame[dysfunctional].to_numpy(), attribute=name)
            )
    if kano_results:
        result["kano"] = [evaluation.as_dict() for evaluation in kano_results]
    if measured is not None:
        result["stored_wave"] = measured.as_dict()
        if renamed:
            result["attribute_items"] = {
                attribute: {"satisfaction": code, "importance": None if stated is None else stated[position]}
                for position, (code, attribute) in enumerate(renamed.items())
            }
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if measured is not None:
        typer.echo(measured.describe())
    typer.echo(_table(importance, grid, prca))
    if flagged is not None:
        typer.echo(describe_flagged(flagged))
    for evaluation in kano_results:
        si, di = evaluation.satisfaction_coefficient, evaluation.dissatisfaction_coefficient
        coefficients = "" if si is None or di is None else f"  SI {si:.2f}  DI {di:.2f}"
        typer.echo(f"Kano {evaluation.attribute}: {evaluation.category}{coefficients}")


def _kano_pairs(options: list[str]) -> list[tuple[str, str, str]]:
    pairs = []
    for option in options:
        name, _, columns = option.partition("=")
        functional, separator, dysfunctional = columns.partition(":")
        if not (name.strip() and separator and functional.strip() and dysfunctional.strip()):
            raise InputError(
                "--kano cannot be read.",
                [Problem(f"--kano {option}", "is not ATTRIBUTE=FUNCTIONAL:DYSFUNCTIONAL.", "e.g. speed=k1f:k1d")],
            )
        pairs.append((name.strip(), functional.strip(), dysfunctional.strip()))
    return pairs


def _column_list(text: str, option: str) -> list[str]:
    columns = [part.strip() for part in text.split(",") if part.strip()]
    if not columns:
        raise InputError(f"{option} names no column.", [Problem(option, "is empty.", "e.g. A,B,C")])
    return columns


def _pair(text: str, option: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError(
            f"{option} cannot be read.",
            [Problem(option, f"{text!r} is not two numbers MIN,MAX.", "e.g. 1,5")],
        ) from None
    return low, high


def _boxes(
    low_at_most: float | None, high_at_least: float | None, bounds: tuple[float, float] | None, ratings: Any
) -> tuple[float, float]:
    import numpy as np

    if low_at_most is not None and high_at_least is not None:
        return low_at_most, high_at_least
    top = int(bounds[1]) if bounds is not None else int(np.nanmax(ratings.to_numpy()))
    if top not in _BOXES:
        raise InputError(
            "The PRCA boxes cannot be chosen.",
            [
                Problem(
                    "--low-at-most / --high-at-least",
                    f"no conventional boxes for a scale topping at {top}.",
                    "Give both options, e.g. --low-at-most 2 --high-at-least 5.",
                )
            ],
        )
    default_low, default_high = _BOXES[top]
    return (
        low_at_most if low_at_most is not None else default_low,
        high_at_least if high_at_least is not None else default_high,
    )


def _table(importance: Any, grid: Any, prca: Any) -> str:
    lines = [
        f"R² {importance.r_squared:.3f} (n = {importance.n}); PRCA R² {prca.r_squared:.3f}",
        f"{'attribute':<16}{'RW %':>7}{'LMG %':>7}{'perf':>7}  {'IPA quadrant':<22}"
        f"{'penalty':>8}{'reward':>8}{'IA':>7}  class",
    ]
    positions = {a.attribute: a for a in grid.attributes}
    contrasts = {a.attribute: a for a in prca.attributes}
    for attribute in sorted(importance.attributes, key=lambda a: a.rank):
        position = positions[attribute.attribute]
        contrast = contrasts[attribute.attribute]
        asymmetry = "" if contrast.impact_asymmetry is None else f"{contrast.impact_asymmetry:+.2f}"
        lines.append(
            f"{attribute.attribute:<16}{attribute.relative_weight_share:>7.1f}{attribute.lmg_share:>7.1f}"
            f"{position.performance:>7.2f}  {position.quadrant:<22}"
            f"{contrast.penalty:>8.3f}{contrast.reward:>8.3f}"
            f"{asymmetry:>7}  {contrast.three_factor_class}"
        )
    return "\n".join(lines)
