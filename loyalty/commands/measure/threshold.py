"""`loyalty measure threshold`: where loyalty collapses, stays flat and takes off along satisfaction."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loyalty.commands.measure import input_error_from
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

if TYPE_CHECKING:
    import pandas as pd

    from measure.threshold_analysis import ThresholdAnalysis


def _columns(text: str, option: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise InputError(f"{option} names no column.", [Problem(option, "is empty.", "Give COL or COL,COL,….")])
    return names


def _scale(text: str | None, option: str) -> tuple[float, float] | None:
    if text is None:
        return None
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|—|:|,|\.\.)\s*(-?\d+(?:\.\d+)?)\s*", text)
    if not match or float(match.group(2)) <= float(match.group(1)):
        raise InputError(
            f"{option} is not a scale.",
            [Problem(option, f"{text!r} is not MIN-MAX.", "Write it like 1-10 or 0-10.")],
        )
    return float(match.group(1)), float(match.group(2))


def _observed(frame: pd.DataFrame, columns: list[str]) -> tuple[float, float]:
    values = frame[columns].to_numpy(dtype=float)
    if not (values == values).any():
        return (math.nan, math.nan)
    return float(frame[columns].min().min()), float(frame[columns].max().max())


def _table(analysis: ThresholdAnalysis, label: str) -> str:
    fit = analysis.fit
    lines = [label] if label else []
    lines.append(
        f"n = {fit.n}   breakpoints: {analysis.selected_breakpoints} "
        f"({'chosen automatically' if analysis.requested_breakpoints == 'auto' else 'as requested'})   "
        f"Davies p = {analysis.davies.p_value:.3g}   pseudo-score p = {analysis.pseudo_score.p_value:.3g}"
    )
    for index, psi in enumerate(fit.breakpoints):
        low, high = analysis.intervals.low[index], analysis.intervals.high[index]
        lines.append(
            f"  ψ{index + 1} = {psi:.3f}  (SE {fit.breakpoint_se[index]:.3f}; profile 95% CI {low:.3f}–{high:.3f})"
        )
    slopes = ", ".join(f"{b:.3f} (SE {e:.3f})" for b, e in zip(fit.slopes, fit.slope_se, strict=True))
    lines.append(f"  slopes: {slopes}   AIC {fit.aic:.2f}   BIC {fit.bic:.2f}")
    lines.append(f"  zones ({analysis.zones.source}):")
    lines.append(f"    {'zone':<5}{'from':>8}{'to':>8}{'slope':>9}{'share':>8}{'loyalty':>9}")
    for zone in analysis.zones.zones:
        mean = "" if math.isnan(zone.mean_loyalty) else f"{zone.mean_loyalty:.1f}"
        lines.append(
            f"    {zone.name:<5}{zone.low:>8.2f}{zone.high:>8.2f}{zone.slope:>9.3f}{zone.share:>8.1%}{mean:>9}"
        )
    for reason in analysis.zones.reasons:
        lines.append(f"  note: {reason}")
    for flag in analysis.zones.flags:
        lines.append(f"  flag: {flag}")
    if analysis.quadrants is not None:
        quadrants = ", ".join(
            f"{name} {share:.1%}"
            for name, share in zip(analysis.quadrants.names, analysis.quadrants.shares, strict=True)
        )
        lines.append(f"  Jones–Sasser quadrants (top box): {quadrants}")
    if analysis.bootstrap is not None:
        boot = analysis.bootstrap
        intervals = ", ".join(
            f"ψ{i + 1} {low:.3f}–{high:.3f}"
            for i, (low, high) in enumerate(zip(boot.breakpoint_ci_low, boot.breakpoint_ci_high, strict=True))
        )
        lines.append(
            f"  bootstrap ({boot.replicates} replicates, seed {boot.seed}): {intervals or 'no breakpoints'}; "
            f"kink vanished in {boot.kink_vanished_share:.1%}"
        )
    return "\n".join(lines)


def threshold(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="CSV, TSV or Excel file, one row per respondent.")] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    satisfaction: Annotated[
        str | None,
        typer.Option("--satisfaction", help="Satisfaction item column(s), COL[,COL…]; mean of those answered."),
    ] = None,
    loyalty: Annotated[
        str | None,
        typer.Option("--loyalty", help="Loyalty outcome column(s) (repurchase, recommend …), rescaled to 0–100."),
    ] = None,
    satisfaction_scale: Annotated[
        str | None,
        typer.Option("--satisfaction-scale", help="Item scale, e.g. 1-10 (default: observed min–max)."),
    ] = None,
    loyalty_scale: Annotated[
        str | None, typer.Option("--loyalty-scale", help="Item scale, e.g. 0-10 (default: observed min–max).")
    ] = None,
    breakpoints: Annotated[str, typer.Option("--breakpoints", help="0, 1, 2 or auto (BIC and tests).")] = "auto",
    min_segment: Annotated[
        int | None,
        typer.Option("--min-segment", help="Respondents per segment at least (default 5 %, ≥ 10)."),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Column whose values split the data: one fit each.")] = None,
    weight: Annotated[str | None, typer.Option("--weight", help="Column of survey weights.")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap replicates (0: none).")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 20240601,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the chart to this SVG file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Satisfaction–loyalty thresholds: fit 0–2 breakpoints at the global optimum, test them, derive zones.

    Zone A: loyalty drops steeply below a minimum satisfaction; zone B: it hardly moves; zone C: it rises
    steeply. Satisfaction is the mean of the given items (at least half answered) on their scale;
    loyalty is the mean of the given items rescaled to 0–100. Scales come from --satisfaction-scale and
    --loyalty-scale, or else from the smallest and largest answers in the file (said in the output).
    On a stored wave everything comes from the codebook: satisfaction from the overall-satisfaction items,
    loyalty from the repurchase and recommend items, each as 0–100 of its own scale.

    Example:

        loyalty measure threshold --data survey.csv --satisfaction q1,q2,q3 --loyalty q8,q9
        --satisfaction-scale 1-10 --loyalty-scale 0-10 --bootstrap 1000 --seed 7 --plot zones.svg --json

        loyalty measure threshold --survey retail-2026 --wave 2026Q3 --by channel --json
    """
    import numpy as np

    from loyalty.data_file import numeric_columns, read_data_file
    from measure.composites import loyalty_composite, satisfaction_composite
    from measure.threshold_analysis import analyse_threshold
    from measure.threshold_zones import jones_sasser_cuts

    if breakpoints not in ("0", "1", "2", "auto"):
        raise InputError(
            "--breakpoints is not valid.",
            [Problem("--breakpoints", f"{breakpoints!r}", "Use 0, 1, 2 or auto.")],
        )
    measured = stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged)
    notes: list[str] = []
    scales: dict[str, tuple[float, float]] = {}
    if measured is not None:
        refuse_in_stored_mode(
            {"--satisfaction": satisfaction, "--loyalty": loyalty, "--satisfaction-scale": satisfaction_scale,
             "--loyalty-scale": loyalty_scale, "--weight": weight},
            "on a stored wave the items, their scales and directions come from the codebook.",
        )  # fmt: skip
        from surveys.wave_inputs import threshold_inputs

        source = measured.source
        frame, satisfaction_columns, loyalty_columns, scales = threshold_inputs(measured.data, by)
        numbers = frame
        notes.append(measured.describe())
    else:
        need_in_file_mode({"--satisfaction": satisfaction, "--loyalty": loyalty})
        # stored_wave returned None, so --data was given; need_in_file_mode checked the other two
        assert data is not None
        assert satisfaction is not None
        assert loyalty is not None
        source = str(data)
        frame = read_data_file(data)
        satisfaction_columns = _columns(satisfaction, "--satisfaction")
        loyalty_columns = _columns(loyalty, "--loyalty")
        numeric_names = [*satisfaction_columns, *loyalty_columns, *([weight] if weight else [])]
        numbers = numeric_columns(frame, list(dict.fromkeys(numeric_names)), source)
        if by is not None and by not in frame.columns:
            numeric_columns(frame, [by], source)  # reports the missing column with the nearest name
        for name, option, columns in (
            ("satisfaction", satisfaction_scale, satisfaction_columns),
            ("loyalty", loyalty_scale, loyalty_columns),
        ):
            given = _scale(option, f"--{name}-scale")
            if given is None:
                given = _observed(numbers, columns)
                if math.isnan(given[0]):
                    raise InputError(f"{source} cannot be measured.", [Problem(f"--{name}", "every answer is empty.")])
                if given[0] == given[1]:
                    raise InputError(
                        f"{source} cannot be measured.",
                        [Problem(f"--{name}", f"{name} is constant ({given[0]:g} in every answer); nothing to fit.")],
                    )
                notes.append(
                    f"{name} scale taken from the answers: {given[0]:g}–{given[1]:g} "
                    f"(give --{name}-scale if the scale is wider)"
                )
            scales[name] = given
    groups: list[tuple[str, Any]] = [("", slice(None))]
    if by is not None:
        labels = frame[by].astype("string").fillna("(missing)")
        groups = [(str(value), (labels == value).to_numpy()) for value in sorted(labels.unique())]
    results: list[tuple[str, Any, Any, ThresholdAnalysis]] = []
    failures: list[tuple[str, str]] = []  # --by groups that could not be measured, with the reason
    sat_low, sat_high = scales["satisfaction"]
    loy_low, loy_high = scales["loyalty"]
    # the loyalty items' top box (e.g. 9–10 of 0–10) on the 0–100 composite
    loyalty_top_box = (jones_sasser_cuts(loy_low, loy_high)[1] - loy_low) / (loy_high - loy_low) * 100
    for label, rows in groups:
        part = numbers[rows] if by is not None else numbers
        try:
            sat = satisfaction_composite(
                part[satisfaction_columns].to_numpy(float), scale_min=sat_low, scale_max=sat_high
            )
            loy = loyalty_composite(part[loyalty_columns].to_numpy(float), scale_min=loy_low, scale_max=loy_high)
            sat_values, loy_values = np.array(sat.values), np.array(loy.values)
            analysis = analyse_threshold(
                sat_values,
                loy_values,
                scale=(sat_low, sat_high),
                breakpoints=breakpoints,
                weights=None if weight is None else part[weight].to_numpy(float),
                min_segment=min_segment,
                bootstrap_replicates=bootstrap,
                seed=seed,
                loyalty_max=100.0,
                loyalty_top_box=loyalty_top_box,
            )
        except ValueError as error:
            if by is None:
                with input_error_from(source):
                    raise
            failures.append((label, str(error)))
            continue
        results.append((label, sat_values, loy_values, analysis))
    if not results:
        raise InputError(
            f"{source}: no group of {by} can be measured.",
            [Problem(f"{by} = {label}", reason) for label, reason in failures],
        )
    notes.extend(f"{by} = {label} not measured: {reason}" for label, reason in failures)
    if plot is not None:
        from reports.threshold_chart import threshold_chart_svg

        for label, sat_values, loy_values, analysis in results:
            target = plot if by is None else plot.with_name(f"{plot.stem}-{_safe(label)}{plot.suffix}")
            target.write_text(threshold_chart_svg(sat_values, loy_values, analysis, title=label), encoding="utf-8")
            notes.append(f"chart written to {target}")
    if as_json:
        documents = []
        for label, _, _, analysis in results:
            document = analysis.as_dict()
            if by is not None:
                document = {"group": label, **document}
            documents.append(document)
        documents.extend({"group": label, "error": reason} for label, reason in failures)
        output: dict[str, Any] = (
            {"by": by, "groups": documents, "notes": notes} if by is not None else {**documents[0], "notes": notes}
        )
        if measured is not None:
            output["stored_wave"] = measured.as_dict()
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
        return
    for label, _, _, analysis in results:
        typer.echo(_table(analysis, f"{by} = {label}" if by is not None else ""))
    for note in notes:
        typer.echo(f"note: {note}")


def _safe(label: str) -> str:
    return re.sub(r"[^\w.-]+", "_", label).strip("_") or "group"
