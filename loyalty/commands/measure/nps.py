"""`loyalty measure nps`: Net Promoter Score of a 0–10 recommend column, by segment and between waves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loyalty.commands.measure import input_error_from
from loyalty.commands.measure.stored_wave import (
    FlaggedOption,
    IncompleteOption,
    MeasuredWave,
    SurveyOption,
    WaveOption,
    need_in_file_mode,
    refuse_in_stored_mode,
    stored_wave,
)
from loyalty.commands.measure.text_width import pad
from loyalty.commands.measure.waves import sorted_waves, two_waves, wave_labels
from loyalty.data_file import numeric_columns, read_data_file, require_columns
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from measure.net_promoter import NetPromoterScore

_METHODS = {"wald": "wald", "adjusted-wald": "adjusted_wald", "bootstrap": "bootstrap"}
_WAVE = "_wave"  # the wave of each row when two stored waves are compared


def _with_earlier_wave(
    ctx: typer.Context, measured: MeasuredWave, earlier: str, include_incomplete: bool, include_flagged: bool
) -> tuple[pd.DataFrame, str, str, str | None]:
    """Both waves' responses in one frame, as the file mode's --wave-column, --waves and --respondent-column
    would describe them: the same change test for a stored wave as for a file. Respondents are compared as a
    panel when the waves carry respondent keys."""
    import pandas as pd

    later = measured.data.wave
    if earlier == later:
        raise InputError(
            "A wave cannot be compared with itself.",
            [Problem("--compare-wave", f"{earlier!r} is the wave measured.", "Name an earlier wave.")],
        )
    before = stored_wave(ctx, None, measured.data.survey, earlier, include_incomplete, include_flagged)
    assert before is not None  # a survey and a wave were given
    frame = pd.concat(
        [before.frame.assign(**{_WAVE: earlier}), measured.frame.assign(**{_WAVE: later})], ignore_index=True
    )
    panel = "respondent" if frame["respondent"].notna().any() else None
    return frame, _WAVE, f"{earlier},{later}", panel


def nps(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="CSV or Excel file, one row per respondent.")] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    column: Annotated[
        str | None,
        typer.Option("--column", help="The 0–10 likelihood-to-recommend column (stored wave: found by construct)."),
    ] = None,
    weights: Annotated[str | None, typer.Option("--weights", help="Column of survey weights.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Column of segments: an NPS for each.")] = None,
    wave_column: Annotated[
        str | None,
        typer.Option("--wave-column", help="Column naming each row's wave: compare the last two waves."),
    ] = None,
    waves: Annotated[
        str | None,
        typer.Option("--waves", help="The two waves to compare, earlier first: 'EARLIER,LATER'."),
    ] = None,
    respondent_column: Annotated[
        str | None,
        typer.Option(
            "--respondent-column",
            help="Column of respondent ids: respondents in both waves are compared as a panel (paired).",
        ),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="Interval: wald, adjusted-wald or bootstrap.")] = "wald",
    confidence: Annotated[float, typer.Option("--confidence", help="Confidence level.")] = 0.95,
    replicates: Annotated[int, typer.Option("--replicates", help="Bootstrap replicates.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap random seed.")] = 20240601,
    scale: Annotated[
        str, typer.Option("--scale", help="The recommend item's scale as MIN-MAX; NPS needs 0-10.")
    ] = "0-10",
    minimum_base: Annotated[
        int, typer.Option("--minimum-base", help="Below this n a score is flagged as insufficient base.")
    ] = 30,
    repurchase_column: Annotated[
        str | None,
        typer.Option("--repurchase-column", help="Repurchase item: adds the three-item Customer Loyalty Index."),
    ] = None,
    other_products_column: Annotated[
        str | None,
        typer.Option("--other-products-column", help="Buy-other-products item of the Customer Loyalty Index."),
    ] = None,
    loyalty_scale: Annotated[
        str,
        typer.Option("--loyalty-scale", help="Scale MIN-MAX of the repurchase and other-products items."),
    ] = "0-10",
    compare_wave: Annotated[
        str | None,
        typer.Option(
            "--compare-wave",
            help="Stored wave: an earlier wave to test the change from (respondents in both as a panel).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Net Promoter Score of a 0–10 recommend item, with a confidence interval.

    Promoters answer 9–10, passives 7–8, detractors 0–6; NPS = % promoters − % detractors. A column
    with a value that is not a whole number 0–10 is refused. Intervals: Wald (default), adjusted Wald
    (better for small or extreme samples) or a seeded bootstrap. Empty cells are left out and counted.

    With --wave-column, the last two waves (in sorted order, or those named by --waves) are compared
    with a z test of the change later − earlier; with --respondent-column as well, the respondents
    who answered both waves are compared as a panel (paired test). The top-level score is then the
    later wave's.

    With --repurchase-column and --other-products-column, the three-item Customer Loyalty Index
    (mean of recommend, repurchase and buy-other-products, 0–100) is added.

    On a stored wave the recommend item is found by its construct (the 0–10 recommend item), --by may
    name any variable or channel / ip_location, and the Customer Loyalty Index is added when the survey
    has one repurchase-intent and one cross-buy item; only complete responses are measured. With
    --compare-wave the change from that earlier stored wave is tested, respondents who answered both
    as a panel.

    Examples:

        loyalty measure nps --data docs/examples/nps_waves.csv --column recommend
        --wave-column quarter --by region --json

        loyalty measure nps --survey retail-2026 --wave 2026Q3 --by channel
    """
    import numpy as np

    from measure.customer_loyalty_index import customer_loyalty_index
    from measure.net_promoter import net_promoter_by_segment, net_promoter_change, net_promoter_score

    measured = stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged)
    if method not in _METHODS:
        raise InputError(
            "The interval method is unknown.",
            [Problem("--method", f"{method!r} is not one of {', '.join(_METHODS)}.")],
        )
    interval = _METHODS[method]
    scale_bounds = _scale(scale, "--scale")
    loyalty_bounds = _scale(loyalty_scale, "--loyalty-scale")
    repurchase_bounds = other_products_bounds = loyalty_bounds
    if measured is None:
        need_in_file_mode({"--column": column})
        assert data is not None  # by stored_wave
        assert column is not None  # by need_in_file_mode
        source = str(data)
        frame = read_data_file(data)
    else:
        from surveys.questionnaire import Construct
        from surveys.wave_inputs import recommend_item, segment_values, single_item, variable

        refuse_in_stored_mode(
            {
                "--wave-column": wave_column,
                "--waves": waves,
                "--respondent-column": respondent_column,
                "--scale": None if scale == "0-10" else scale,
                "--loyalty-scale": None if loyalty_scale == "0-10" else loyalty_scale,
            },
            "on a stored wave, scales come from the codebook and one wave is measured.",
        )
        source = measured.source
        frame = measured.frame
        if compare_wave is not None:
            frame, wave_column, waves, respondent_column = _with_earlier_wave(
                ctx, measured, compare_wave, include_incomplete, include_flagged
            )
        recommend = recommend_item(measured.data, column)
        column = recommend.code
        scale_bounds = (float(recommend.minimum or 0), float(recommend.maximum or 10))
        if by is not None:
            frame = frame.assign(**{by: segment_values(measured.data, by)})
        if repurchase_column is None and other_products_column is None:
            constructs = {variable.construct for variable in measured.data.codebook if variable.kind == "scale"}
            if Construct.REPURCHASE_INTENT in constructs and Construct.CROSS_BUY_INTENT in constructs:
                purpose = "the Customer Loyalty Index needs it"
                repurchase_column = single_item(
                    measured.data, Construct.REPURCHASE_INTENT, purpose, "--repurchase-column"
                ).code
                other_products_column = single_item(
                    measured.data, Construct.CROSS_BUY_INTENT, purpose, "--other-products-column"
                ).code
        if repurchase_column is not None:
            item = variable(measured.data, repurchase_column, "--repurchase-column")
            repurchase_bounds = (float(item.minimum or 0), float(item.maximum or 0))
        if other_products_column is not None:
            item = variable(measured.data, other_products_column, "--other-products-column")
            other_products_bounds = (float(item.minimum or 0), float(item.maximum or 0))
    numeric = [column] + [name for name in (weights, repurchase_column, other_products_column) if name]
    require_columns(frame, numeric + [name for name in (by, wave_column, respondent_column) if name], source)
    numbers = numeric_columns(frame, numeric, source)
    if respondent_column and not wave_column:
        raise InputError(
            "--respondent-column needs --wave-column.",
            [Problem("--respondent-column", "a panel is compared between waves; name the wave column too.")],
        )
    if (repurchase_column is None) != (other_products_column is None):
        raise InputError(
            "The Customer Loyalty Index needs both of its purchase items.",
            [Problem("--repurchase-column / --other-products-column", "give both, or neither.")],
        )

    options: dict[str, Any] = {
        "method": interval,
        "confidence": confidence,
        "replicates": replicates,
        "seed": seed,
        "minimum_base": minimum_base,
    }
    rows = np.ones(len(frame), dtype=bool)
    output: dict[str, Any] = {"column": column}
    if measured is not None:
        output["stored_wave"] = measured.as_dict()
    with input_error_from(f"{source}, column {column}"):
        if wave_column:
            labels = wave_labels(frame[wave_column])
            earlier_name, later_name = two_waves(labels, waves, wave_column)
            all_waves = []
            for label in sorted_waves(labels):
                members = np.asarray(labels == label)
                result = net_promoter_score(
                    numbers[column][members],
                    weights=None if weights is None else numbers[weights][members],
                    scale=scale_bounds,
                    **options,
                )
                all_waves.append({"wave": label, **result.as_dict()})
            output["waves"] = all_waves
            output["change"] = _change(
                frame,
                numbers,
                column,
                weights,
                labels,
                earlier_name,
                later_name,
                respondent_column,
                confidence,
                minimum_base,
                net_promoter_change,
            )
            output["wave"] = later_name
            rows = np.asarray(labels == later_name)
        ratings = numbers[column][rows]
        row_weights = None if weights is None else numbers[weights][rows]
        overall = net_promoter_score(ratings, weights=row_weights, scale=scale_bounds, **options)
        output = {**overall.as_dict(), **output}
        if by:
            output["segments"] = [
                row.as_dict()
                for row in net_promoter_by_segment(
                    ratings, frame[by][rows].to_numpy(dtype=object), weights=row_weights, **options
                )
            ]
        if repurchase_column and other_products_column:
            output["customer_loyalty_index"] = customer_loyalty_index(
                ratings,
                numbers[repurchase_column][rows],
                numbers[other_products_column][rows],
                recommend_scale=scale_bounds,
                repurchase_scale=repurchase_bounds,
                other_products_scale=other_products_bounds,
                weights=row_weights,
                confidence=confidence,
            ).as_dict()

    if as_json:
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
        return
    _print_table(output, overall, measured)


def _print_table(output: dict[str, Any], overall: NetPromoterScore, measured: MeasuredWave | None) -> None:
    wave = f", wave {output['wave']}" if "wave" in output else ""
    typer.echo(f"NPS of {output['column']}{wave}")
    if measured is not None:
        typer.echo(measured.describe())
    typer.echo(_line("all", overall.as_dict()))
    for row in output.get("segments", []):
        typer.echo(_line(str(row["segment"]), row))
    if "change" in output:
        change = output["change"]
        kind = f"panel of {change['later']['n']}" if change["paired"] else "independent samples"
        typer.echo(
            f"change {change['earlier_wave']} → {change['later_wave']}: {change['change']:+.1f} "
            f"(SE {change['standard_error']:.2f}, z {change['z']:.2f}, p {change['p_value']:.3f}; {kind})"
        )
    if "customer_loyalty_index" in output:
        index = output["customer_loyalty_index"]
        typer.echo(
            f"Customer Loyalty Index {index['index']:.1f} "
            f"(CI {index['ci_low']:.1f} to {index['ci_high']:.1f}, n {index['n']})"
        )
    warnings = list(overall.warnings) + [w for row in output.get("segments", []) for w in row["warnings"]]
    for warning in dict.fromkeys(warnings):
        typer.echo(f"Warning: {warning}", err=True)


def _line(name: str, result: dict[str, Any]) -> str:
    level = round(100 * result["confidence"])
    flag = "  (insufficient base)" if result["insufficient_base"] else ""
    return (
        f"  {pad(name, 12)} n {result['n']:>5}  NPS {result['score']:6.1f}  "
        f"{level}% CI {result['ci_low']:6.1f} to {result['ci_high']:6.1f}  "
        f"promoters {result['promoter_share']:.1%}  passives {result['passive_share']:.1%}  "
        f"detractors {result['detractor_share']:.1%}{flag}"
    )


def _change(
    frame: pd.DataFrame,
    numbers: pd.DataFrame,
    column: str,
    weights: str | None,
    labels: pd.Series,
    earlier_name: str,
    later_name: str,
    respondent_column: str | None,
    confidence: float,
    minimum_base: int,
    net_promoter_change: Any,
) -> dict[str, Any]:
    earlier_rows = (labels == earlier_name).to_numpy()
    later_rows = (labels == later_name).to_numpy()
    if respondent_column is None:
        change = net_promoter_change(
            numbers[column][earlier_rows],
            numbers[column][later_rows],
            earlier_weights=None if weights is None else numbers[weights][earlier_rows],
            later_weights=None if weights is None else numbers[weights][later_rows],
            confidence=confidence,
            minimum_base=minimum_base,
        )
    else:
        ids = frame[respondent_column].astype(str)
        for name, rows in ((earlier_name, earlier_rows), (later_name, later_rows)):
            repeated = ids[rows][ids[rows].duplicated()]
            if len(repeated):
                raise ValueError(f"{respondent_column}: respondent {repeated.iloc[0]} appears twice in wave {name}.")
        earlier = numbers[earlier_rows].assign(_id=ids[earlier_rows]).set_index("_id")
        later = numbers[later_rows].assign(_id=ids[later_rows]).set_index("_id")
        panel = earlier.index.intersection(later.index, sort=False)
        if len(panel) < 2:
            raise ValueError(
                f"{respondent_column}: {len(panel)} respondent(s) answered both waves {earlier_name} and "
                f"{later_name}; a panel comparison needs at least 2."
            )
        change = net_promoter_change(
            earlier.loc[panel, column],
            later.loc[panel, column],
            later_weights=None if weights is None else later.loc[panel, weights],
            paired=True,
            confidence=confidence,
            minimum_base=minimum_base,
        )
    result: dict[str, Any] = {"earlier_wave": earlier_name, "later_wave": later_name, **change.as_dict()}
    return result


def _scale(text: str, option: str) -> tuple[float, float]:
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[-–:,]\s*(-?\d+(?:\.\d+)?)\s*", text)
    if not match:
        raise InputError(
            f"{option} is not a scale.",
            [Problem(option, f"{text!r} is not MIN-MAX.", "Write e.g. 0-10 or 1-5.")],
        )
    return float(match.group(1)), float(match.group(2))
