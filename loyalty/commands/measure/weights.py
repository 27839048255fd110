"""`loyalty measure weights`: rake a data file to population margins and estimate with the weights.

The margins file (YAML, so JSON works too) names, per weighting variable, each category's population count
or share; a variable whose figures sum to 1 is read as shares:

    population_total: 1000000          # optional: scales shares to counts
    age_group: {"18-34": 280000, "35-49": 260000, "50-64": 250000, "65+": 210000}
    region: {North: 0.30, South: 0.25, East: 0.25, West: 0.20}
    note: any text                    # optional, ignored

Every other top-level key must be a mapping of category → number and names a column of the data file.
A key joining columns with "*" gives population cells (full-cell post-stratification when it is the only
margin): `gender*age: {"F*A1": 1800, "F*A2": 2000, …}`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loyalty.commands.measure import input_error_from
from loyalty.commands.measure.quality import describe_flagged, without_flagged
from loyalty.commands.measure.stored_wave import (
    FlaggedOption,
    IncompleteOption,
    SurveyOption,
    WaveOption,
    stored_wave,
)
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

_RESERVED = {"population_total", "note"}


def weights(
    ctx: typer.Context,
    margins: Annotated[
        Path, typer.Option("--margins", help="YAML (or JSON) file of population margins, counts or shares.")
    ],
    data: Annotated[
        Path | None, typer.Option("--data", help="Responses: CSV, TSV or Excel, one row per respondent.")
    ] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    variable: Annotated[
        str | None,
        typer.Option("--variable", help="Column whose weighted mean and standard error to report."),
    ] = None,
    nps: Annotated[
        str | None, typer.Option("--nps", help="Column of 0–10 recommend ratings: report the weighted NPS.")
    ] = None,
    trim: Annotated[
        str | None,
        typer.Option("--trim", help="Bounds as multiples of the mean weight, LOW,HIGH (e.g. 0.3,3); re-rakes."),
    ] = None,
    design_weight: Annotated[
        str | None, typer.Option("--design-weight", help="Column of base (design) weights; default all 1.")
    ] = None,
    max_iterations: Annotated[int, typer.Option("--max-iterations", help="Raking cycles at most.")] = 1000,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write the data with an added `weight` column to this CSV."),
    ] = None,
    include_flagged: FlaggedOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    r"""Rake survey weights to population margins; report weight diagnostics and
    weighted estimates.

    Raking (iterative proportional fitting, as R survey::rake) runs until
    every margin is met to 1e-10 relative; a single margin (e.g. the cells
    gender*age) is post-stratification. The summary gives min, max, Kish
    design effect, effective sample size, iterations and convergence.
    --variable adds its weighted mean with the calibration-aware standard
    error (and the one treating the weights as fixed); --nps does the same
    for the Net Promoter Score. Responses flagged in a quality_reasons
    column are left out unless --include-flagged.

    On a stored wave the margins name variables of the survey (a choice
    item's categories are its option codes: gender: {1: 0.49, 2: 0.51}) or
    channel / ip_location; --nps must be the 0–10 recommend item; only
    complete responses are weighted.

    Examples:

        loyalty measure weights --data sample.csv --margins margins.yaml \
            --variable satisfaction --trim 0.3,3 --output weighted.csv --json

        loyalty measure weights --survey retail-2026 --wave 2026Q3 \
            --margins margins.yaml --variable sat_overall --nps recommend
    """
    import numpy as np
    import pandas as pd

    from loyalty.data_file import numeric_columns, read_data_file
    from measure.survey_weights import (
        post_stratified_weights,
        raked_weights,
        weighted_mean,
        weighted_net_promoter_score,
    )

    measured = stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged, flags_in_files=True)
    targets, population_total = read_margins(margins)
    if measured is None:
        assert data is not None  # by stored_wave
        frame, flagged = without_flagged(read_data_file(data), include_flagged)
        source = data.name
    else:
        from surveys.wave_inputs import recommend_item, segment_column

        frame, flagged = measured.frame, None
        source = measured.source
        for key in targets:
            for name in key.split("*"):
                segment_column(measured.data, name, f"{margins.name}, {key}")
        if nps is not None:
            recommend_item(measured.data, nps, "--nps")
    variables = list(dict.fromkeys(part for key in targets for part in key.split("*")))
    _check_category_columns(frame, variables, source)
    categories = pd.DataFrame({key: _cells(frame, key.split("*")) for key in targets}, index=frame.index)
    bounds = _parse_trim(trim) if trim is not None else None
    start = None
    if design_weight is not None:
        start = numeric_columns(frame, [design_weight], source)[design_weight].to_numpy()
    with input_error_from(source):
        if len(targets) == 1 and bounds is None:
            (key,) = targets
            raked = post_stratified_weights(
                categories[key], targets[key], design_weights=start, population_total=population_total
            )
        else:
            raked = raked_weights(
                categories,
                targets,
                design_weights=start,
                population_total=population_total,
                trim=bounds,
                max_iterations=max_iterations,
            )
    result: dict[str, Any] = {
        "data": str(data) if measured is None else source,
        "margins_file": str(margins),
        "flagged_responses": flagged,
    }
    if measured is not None:
        result["stored_wave"] = measured.as_dict()
    result["weights"] = raked.as_dict(include_weights=False)
    if variable is not None:
        values = numeric_columns(frame, [variable], source)[variable].to_numpy()
        with input_error_from(f"{source}, column {variable}"):
            estimate = weighted_mean(values, raked)
        result["variable"] = variable
        result["weighted_mean"] = estimate.estimate
        result["standard_error"] = estimate.standard_error
        result["standard_error_fixed_weights"] = estimate.standard_error_fixed_weights
        result["ci_low"] = estimate.ci_low
        result["ci_high"] = estimate.ci_high
        result["n_answered"] = estimate.n
    if nps is not None:
        ratings = numeric_columns(frame, [nps], source)[nps].to_numpy()
        with input_error_from(f"{source}, column {nps}"):
            result["nps"] = {"variable": nps, **weighted_net_promoter_score(ratings, raked).as_dict()}
    if output is not None:
        if "weight" in frame.columns:
            raise InputError(
                f"{output} was not written.",
                [Problem(f"{source}, column weight", "already exists.", "Rename it, then run again.")],
            )
        # every row of the file is written; rows left out as flagged get an empty weight
        written = read_data_file(data) if data is not None else frame.copy()
        written["weight"] = pd.Series(np.asarray(raked.weights), index=frame.index)
        written.to_csv(output, index=False, encoding="utf-8")
        result["output"] = str(output)

    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if measured is not None:
        typer.echo(measured.describe())
    typer.echo(_table(result))
    if flagged is not None:
        typer.echo(describe_flagged(flagged))


def read_margins(path: Path) -> tuple[dict[str, dict[str, float]], float | None]:
    """The margins file as {variable: {category: figure}} and the optional population total.

    Every problem in the file is reported at once, each with its key.
    """
    import yaml

    if not path.is_file():
        raise InputError(f"{path} cannot be read.", [Problem(str(path), "no such file.")])
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as error:
        raise InputError(f"{path} is not valid YAML.", [Problem(str(path), str(error))]) from None
    if not isinstance(content, dict):
        raise InputError(
            f"{path} has no margins.",
            [Problem(str(path), "must be a mapping of variable → {category: count or share}.")],
        )
    problems: list[Problem] = []
    targets: dict[str, dict[str, float]] = {}
    population_total: float | None = None
    for key, value in content.items():
        name = str(key)
        if name == "note":
            continue
        if name == "population_total":
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                problems.append(Problem(f"{path.name}, population_total", f"{value!r} is not a positive number."))
            else:
                population_total = float(value)
            continue
        if not isinstance(value, dict) or not value:
            problems.append(
                Problem(
                    f"{path.name}, {name}",
                    "must map each category to a count or share.",
                    f'e.g. {name}: {{"A": 0.6, "B": 0.4}}',
                )
            )
            continue
        figures: dict[str, float] = {}
        for category, figure in value.items():
            if isinstance(figure, bool) or not isinstance(figure, int | float) or not math.isfinite(figure):
                problems.append(Problem(f"{path.name}, {name}, {category}", f"{figure!r} is not a number."))
            elif figure < 0:
                problems.append(Problem(f"{path.name}, {name}, {category}", f"{figure} is negative."))
            else:
                figures[str(category)] = float(figure)
        targets[name] = figures
    if not targets and not problems:
        problems.append(Problem(str(path), "names no margin.", 'Add e.g. gender: {"F": 0.52, "M": 0.48}.'))
    if problems:
        raise InputError(f"{path} has {len(problems)} problem(s).", problems)
    return targets, population_total


def _cells(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Each respondent's category of one margin; a cell of several variables joins them with '*'."""

    def text(value: Any) -> str:
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    return ["*".join(text(value) for value in row) for row in frame[columns].itertuples(index=False)]


def _check_category_columns(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    """Every margin variable is a column and has no empty cells (rows numbered as in the file)."""
    import difflib

    problems: list[Problem] = []
    available = [str(name) for name in frame.columns]
    for column in columns:
        if column not in frame.columns:
            nearest = difflib.get_close_matches(column, available, n=1)
            hint = f'Did you mean "{nearest[0]}"?' if nearest else f"The columns are: {', '.join(available)}."
            problems.append(Problem(f"column {column}", "is named in the margins but not in the file.", hint))
            continue
        for row_index in frame.index[frame[column].isna()][:5]:
            problems.append(
                Problem(
                    f"row {int(row_index) + 2}, column {column}",
                    "is empty; raking needs every respondent's category.",
                    "Fill it in, or drop the row before weighting.",
                )
            )
    if problems:
        raise InputError(f"{source} has {len(problems)} problem(s).", problems)


def _parse_trim(text: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        low, high = (float(part) for part in parts)
    except ValueError:
        raise InputError(
            "--trim cannot be read.",
            [Problem("--trim", f"{text!r} is not two numbers LOW,HIGH.", "e.g. --trim 0.3,3")],
        ) from None
    return low, high


def _table(result: dict[str, Any]) -> str:
    summary = result["weights"]["summary"]
    lines = [
        f"{'Raked' if result['weights']['method'] == 'raking' else 'Post-stratified'} weights"
        f" for {summary['n']} respondents "
        f"({'converged' if result['weights']['converged'] else 'NOT converged'} "
        f"after {result['weights']['iterations']} cycle(s))",
        f"  min {summary['minimum']:.4g}   max {summary['maximum']:.4g}   mean {summary['mean']:.4g}",
        f"  design effect {summary['design_effect']:.4f}   effective n {summary['effective_sample_size']:.1f}",
    ]
    if result["weights"]["trim_low"] is not None:
        lines.append(f"  trimmed {result['weights']['trimmed_count']} respondents")
    if "weighted_mean" in result:
        lines.append(
            f"{result['variable']}: weighted mean {result['weighted_mean']:.4f}"
            f"  SE {result['standard_error']:.4f}"
            f"  (weights fixed: {result['standard_error_fixed_weights']:.4f})"
        )
    if "nps" in result:
        score = result["nps"]
        lines.append(f"NPS ({score['variable']}): {score['score']:.2f}  SE {score['standard_error']:.2f}")
    if "output" in result:
        lines.append(f"weights written to {result['output']}")
    return "\n".join(lines)
