"""`loyalty measure damage`: the TARP market-damage model from a survey's complaint paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

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
from loyalty.data_file import numeric_columns, read_data_file, require_columns, yes_no_column
from surveys.problems import InputError, Problem

_REPURCHASE_OPTIONS = {
    "no_problem": "--repurchase-no-problem",
    "problem_no_complaint": "--repurchase-no-complaint",
    "complained_resolved": "--repurchase-resolved",
    "complained_unresolved": "--repurchase-unresolved",
}


def damage(
    ctx: typer.Context,
    customers: Annotated[float, typer.Option("--customers", help="N: the customer base the survey speaks for.")],
    annual_value: Annotated[float, typer.Option("--annual-value", help="V: revenue per customer per year.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="CSV or Excel survey file, one row per respondent.")
    ] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    problem_column: Annotated[
        str | None, typer.Option("--problem-column", help="Had a problem? (yes/no, 1/0, 是/否)")
    ] = None,
    complained_column: Annotated[
        str | None, typer.Option("--complained-column", help="Complained to the company? (read if a problem)")
    ] = None,
    resolved_column: Annotated[
        str | None, typer.Option("--resolved-column", help="Resolved to satisfaction? (read if complained)")
    ] = None,
    repurchase_column: Annotated[
        str | None,
        typer.Option("--repurchase-column", help="Will buy again: yes/no, or a rating with --repurchase-min."),
    ] = None,
    repurchase_min: Annotated[
        float | None,
        typer.Option("--repurchase-min", help="A rating at or above this counts as 'will buy again' (e.g. 4 on 1–5)."),
    ] = None,
    problem_type_column: Annotated[
        str | None,
        typer.Option("--problem-type-column", help="Kind of problem: adds a damage index per type."),
    ] = None,
    weights: Annotated[str | None, typer.Option("--weights", help="Column of survey weights.")] = None,
    margin: Annotated[float, typer.Option("--margin", help="Share of revenue that is contribution.")] = 1.0,
    remaining_years: Annotated[
        float, typer.Option("--remaining-years", help="Expected remaining customer lifetime, years.")
    ] = 1.0,
    benchmark: Annotated[
        str,
        typer.Option(
            "--benchmark",
            help="Defaults for rates the survey lacks: tarp-small-ticket, tarp-large-ticket, textbook.",
        ),
    ] = "tarp-small-ticket",
    problem_rate: Annotated[float | None, typer.Option("--problem-rate", help="Override p.")] = None,
    complaint_rate: Annotated[float | None, typer.Option("--complaint-rate", help="Override c.")] = None,
    resolution_rate: Annotated[float | None, typer.Option("--resolution-rate", help="Override s.")] = None,
    repurchase_no_problem: Annotated[float | None, typer.Option("--repurchase-no-problem", help="Override r0.")] = None,
    repurchase_no_complaint: Annotated[
        float | None, typer.Option("--repurchase-no-complaint", help="Override r_nc.")
    ] = None,
    repurchase_resolved: Annotated[float | None, typer.Option("--repurchase-resolved", help="Override r_cs.")] = None,
    repurchase_unresolved: Annotated[
        float | None, typer.Option("--repurchase-unresolved", help="Override r_cu.")
    ] = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option("--what-if", help="Recompute with a rate changed, e.g. complaint-rate=0.4,0.5 (repeatable)."),
    ] = None,
    programme_cost: Annotated[
        float | None,
        typer.Option("--programme-cost", help="Cost of reaching a --what-if value: adds its return on cost."),
    ] = None,
    deterred_share: Annotated[
        float | None,
        typer.Option("--deterred-share", help="Word of mouth: share of people told a bad story who stay away."),
    ] = None,
    people_told_negative: Annotated[
        float, typer.Option("--people-told-negative", help="People each unhappy customer tells.")
    ] = 10.0,
    people_told_positive: Annotated[
        float, typer.Option("--people-told-positive", help="People each recovered customer tells.")
    ] = 5.0,
    persuaded_share: Annotated[
        float, typer.Option("--persuaded-share", help="Share of people told a good story who buy.")
    ] = 0.0,
    confidence: Annotated[float, typer.Option("--confidence", help="Confidence level.")] = 0.95,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Customers and revenue lost to poorly handled problems (TARP market-damage model).

    From each respondent's complaint path (problem? complained? resolved?) and repurchase intent:
    the repurchase rate of each path group with its interval, then for --customers N and
    --annual-value V the customers and revenue lost against customers with no problem, the effect of
    resolving complaints, and how the loss moves with the complaint and resolution rates.

    Each rate comes from the survey, from an override option, or — when the survey lacks it — from
    --benchmark (TARP's published rates; complaint rate 0.50); the output says which. Without --data
    the model runs on overrides and benchmark rates alone, as a what-if calculator.

    Example:

        loyalty measure damage --data docs/examples/complaints.csv --problem-column had_problem
        --complained-column complained --resolved-column resolved --repurchase-column buy_again
        --repurchase-min 4 --customers 100000 --annual-value 500 --what-if resolution-rate=0.7,0.8

    On a stored wave the path is read from the survey's problem, complaint and resolution items
    (1 = yes, 2 = no; resolved means "completely", and "still being dealt with" is left out of the
    resolution rate) and its repurchase-intent item, where the top two scale points count as
    "will buy again" unless --repurchase-min says otherwise. Only complete responses:

        loyalty measure damage --survey retail-2026 --wave 2026Q3 --customers 100000 --annual-value 500
    """
    from measure.market_damage import (
        WordOfMouth,
        complaint_paths,
        market_damage_from_survey,
        problem_type_damage,
    )

    overrides = {
        name: value
        for name, value in {
            "problem_rate": problem_rate,
            "complaint_rate": complaint_rate,
            "resolution_rate": resolution_rate,
            "no_problem": repurchase_no_problem,
            "problem_no_complaint": repurchase_no_complaint,
            "complained_resolved": repurchase_resolved,
            "complained_unresolved": repurchase_unresolved,
        }.items()
        if value is not None
    }
    changes = _what_if(what_if or [])
    source = str(data) if data else "the model's inputs"
    output: dict[str, Any] = {}
    paths = None
    measured = None  # without --data or a stored wave, the model runs on overrides and benchmarks alone
    if survey is not None or wave is not None or include_incomplete:
        measured = stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged)
    if measured is not None:
        from surveys.wave_inputs import complaint_path, yes_no_values

        refuse_in_stored_mode(
            {
                "--problem-column": problem_column,
                "--complained-column": complained_column,
                "--resolved-column": resolved_column,
                "--repurchase-column": repurchase_column,
            },
            "on a stored wave, the complaint path is found by construct.",
        )
        source = measured.source
        frame = measured.frame
        path = complaint_path(measured.data)
        if repurchase_min is None:
            repurchase_min = float(path.repurchase.maximum or 0) - 1  # the top two scale points
        require_columns(frame, [name for name in (weights, problem_type_column) if name], source)
        ratings = frame[path.repurchase.code].astype("Float64").astype(float)
        repurchase_answers = (ratings >= repurchase_min).astype(float).where(ratings.notna())
        row_weights = None if weights is None else numeric_columns(frame, [weights], source)[weights]
        with input_error_from(source):
            paths = complaint_paths(
                yes_no_values(frame, path.problem, [1], [2]),
                yes_no_values(frame, path.complained, [1], [2]),
                yes_no_values(frame, path.resolved, path.resolved_codes, path.unresolved_codes),
                repurchase_answers,
                weights=row_weights,
                confidence=confidence,
            )
            if problem_type_column:
                output["problem_types"] = [
                    row.as_dict()
                    for row in problem_type_damage(
                        frame[problem_type_column].to_numpy(dtype=object),
                        repurchase_answers,
                        annual_value=annual_value,
                        weights=row_weights,
                    )
                ]
        output["stored_wave"] = measured.as_dict()
        output["complaint_path"] = {**path.as_dict(), "repurchase_min": repurchase_min}
    elif data is not None:
        path_columns = {
            "--problem-column": problem_column,
            "--complained-column": complained_column,
            "--resolved-column": resolved_column,
            "--repurchase-column": repurchase_column,
        }
        absent = [option for option, value in path_columns.items() if value is None]
        if absent:
            raise InputError(
                "The complaint path needs four columns.",
                [Problem(option, "is not given.") for option in absent],
            )
        frame = read_data_file(data)
        named = [value for value in path_columns.values() if value]
        require_columns(frame, named + [name for name in (weights, problem_type_column) if name], source)
        problem_answers = yes_no_column(frame, problem_column or "")
        complained_answers = yes_no_column(frame, complained_column or "")
        resolved_answers = yes_no_column(frame, resolved_column or "")
        if repurchase_min is None:
            repurchase_answers = yes_no_column(frame, repurchase_column or "")
        else:
            ratings = numeric_columns(frame, [repurchase_column or ""], source)[repurchase_column]
            repurchase_answers = (ratings >= repurchase_min).astype(float).where(ratings.notna())
        row_weights = None if weights is None else numeric_columns(frame, [weights], source)[weights]
        with input_error_from(source):
            paths = complaint_paths(
                problem_answers,
                complained_answers,
                resolved_answers,
                repurchase_answers,
                weights=row_weights,
                confidence=confidence,
            )
            if problem_type_column:
                output["problem_types"] = [
                    row.as_dict()
                    for row in problem_type_damage(
                        frame[problem_type_column].to_numpy(dtype=object),
                        repurchase_answers,
                        annual_value=annual_value,
                        weights=row_weights,
                    )
                ]
    with input_error_from(source):
        word_of_mouth = (
            None
            if deterred_share is None
            else WordOfMouth(deterred_share, people_told_negative, people_told_positive, persuaded_share)
        )
        result = market_damage_from_survey(
            paths,
            customers=customers,
            annual_value=annual_value,
            margin=margin,
            remaining_years=remaining_years,
            benchmark=benchmark,
            overrides=overrides,
            word_of_mouth=word_of_mouth,
            what_if=changes,
            programme_cost=programme_cost,
        )
    output = {**result.as_dict(), **output}
    if as_json:
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
        return
    if measured is not None:
        typer.echo(measured.describe())
        path_used = output["complaint_path"]
        typer.echo(
            f"complaint path: {path_used['problem']} → {path_used['complained']} → {path_used['resolved']} "
            f"(resolved: {path_used['resolved_codes']}); will buy again: {path_used['repurchase']} ≥ "
            f"{path_used['repurchase_min']:g}"
        )
    _print_table(output)


def _print_table(output: dict[str, Any]) -> None:
    paths = output["paths"]
    if paths is not None:
        level = round(100 * paths["confidence"])
        typer.echo(f"Repurchase by complaint path ({level}% intervals)")
        for row in paths["groups"]:
            flag = "  (small cell)" if row["small_cell"] else ""
            typer.echo(
                f"  {row['group']:<22} n {row['n']:>5}  share {row['share']:6.1%}  "
                f"repurchase {row['repurchase_rate']:6.1%}  [{row['ci_low']:.1%}, {row['ci_high']:.1%}]{flag}"
            )
        for effect in paths["recovery_effects"]:
            typer.echo(
                f"  {effect['name']:<22} {effect['difference']:+.1%}  "
                f"[{effect['ci_low']:+.1%}, {effect['ci_high']:+.1%}]"
            )
    typer.echo("Rates used")
    for rate in output["rates"]:
        typer.echo(f"  {rate['name']:<22} {rate['value']:.3f}  ({rate['source']})")
    result = output["damage"]
    inputs = result["inputs"]
    typer.echo(f"Market damage for {inputs['customers']:,.0f} customers")
    typer.echo(f"  lost customers {result['lost_customers']:,.0f}   revenue at risk {result['revenue_at_risk']:,.0f}")
    typer.echo(
        f"  by path: no complaint {result['lost_problem_no_complaint']:,.0f}, resolved "
        f"{result['lost_complained_resolved']:,.0f}, unresolved {result['lost_complained_unresolved']:,.0f}"
    )
    typer.echo(
        f"  per percentage point: complaint rate {result['loss_per_complaint_rate'] / 100:+,.1f}, "
        f"resolution rate {result['loss_per_resolution_rate'] / 100:+,.1f} customers"
    )
    typer.echo(f"  customers kept by resolving complaints {result['customers_kept_by_resolution']:,.0f}")
    if result["word_of_mouth_lost_prospects"] is not None:
        typer.echo(f"  prospects lost to word of mouth {result['word_of_mouth_lost_prospects']:,.0f}")
    for row in result["what_if"]:
        typer.echo(
            f"  what if {row['parameter']} = {row['value']:g}: lost {row['lost_customers']:,.0f} "
            f"({row['change_in_lost_customers']:+,.0f}), revenue at risk {row['revenue_at_risk']:,.0f}"
            + ("" if row["return_on_cost"] is None else f", return on cost {row['return_on_cost']:+.0%}")
        )
    for row in output.get("problem_types", []):
        typer.echo(f"  problem {row['problem_type']:<16} damage index {row['damage_index']:,.2f}")
    if paths is not None:
        for warning in paths["warnings"]:
            typer.echo(f"Warning: {warning}", err=True)


def _what_if(texts: list[str]) -> list[tuple[str, float]]:
    """'complaint-rate=0.4,0.5' → [("complaint_rate", 0.4), ("complaint_rate", 0.5)]."""
    names = {
        "problem-rate": "problem_rate",
        "complaint-rate": "complaint_rate",
        "resolution-rate": "resolution_rate",
        **{option.removeprefix("--"): name for name, option in _REPURCHASE_OPTIONS.items()},
    }
    changes = []
    for text in texts:
        name, _, values = text.partition("=")
        key = name.strip().replace("_", "-")
        if key not in names or not values:
            raise InputError(
                "--what-if is not understood.",
                [Problem(f"--what-if {text}", f"write NAME=VALUE[,VALUE…] with NAME one of {', '.join(names)}.")],
            )
        for value in values.split(","):
            try:
                changes.append((names[key], float(value)))
            except ValueError:
                raise InputError(
                    "--what-if is not understood.",
                    [Problem(f"--what-if {text}", f"{value!r} is not a number.")],
                ) from None
    return changes
