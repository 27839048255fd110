"""`loyalty measure validity`: confirmatory factor analysis, CR, AVE and HTMT of constructs in a data file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loyalty.commands.measure import input_error_from
from loyalty.commands.measure.reliability import answer_scale, item_list
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
    from measure.confirmatory_factor_analysis import MeasurementModelValidity
    from surveys.storage.wave_data import WaveData


def constructs_from(options: list[str], wave: WaveData | None = None) -> dict[str, list[str]]:
    """`--construct SAT=CUSA1,CUSA2,CUSA3` options as {"SAT": ["CUSA1", "CUSA2", "CUSA3"]}, every bad one
    reported at once. On a stored wave, a bare construct name (`--construct trust`) stands for its rated items."""
    constructs: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for option in options:
        name, equals, items = option.partition("=")
        if wave is not None and not equals and name.strip():
            from surveys.wave_inputs import construct_named, rated_items

            chosen = construct_named(wave, name.strip(), "--construct")
            items = ",".join(rated_items(wave, chosen, "a confirmatory factor analysis needs its items").codes)
            equals = "="
        if not equals or not name.strip() or not items.strip():
            problems.append(
                Problem(
                    "--construct",
                    f"{option!r} is not NAME=ITEM,ITEM,….",
                    "E.g. --construct SAT=CUSA1,CUSA2,CUSA3",
                )
            )
        elif name.strip() in constructs:
            problems.append(Problem("--construct", f"{name.strip()} is given twice."))
        else:
            constructs[name.strip()] = item_list(items, f"--construct {name.strip()}")
    if not options:
        problems.append(Problem("--construct", "no construct given.", "E.g. --construct SAT=CUSA1,CUSA2,CUSA3"))
    if problems:
        raise InputError("The constructs cannot be read.", problems)
    return constructs


def validity(
    ctx: typer.Context,
    construct: Annotated[
        list[str],
        typer.Option(
            "--construct",
            help="NAME=ITEM,ITEM,… ; repeat for each construct (first item = marker). Stored wave: or a construct.",
        ),
    ],
    data: Annotated[Path | None, typer.Option("--data", help="CSV or Excel file, one row per respondent.")] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    reverse: Annotated[str, typer.Option("--reverse", help="Reverse-keyed items, comma-separated.")] = "",
    scale: Annotated[
        str, typer.Option("--scale", help="Answer scale low-high, e.g. 1-10; needed with --reverse.")
    ] = "",
    robust: Annotated[
        bool,
        typer.Option("--robust", help="Robust ML (lavaan's MLR): scaled chi-square, robust CFI/TLI/RMSEA and SEs."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
) -> None:
    """Construct validity of a measurement model: a confirmatory factor analysis by maximum likelihood
    (as lavaan::cfa) with chi-square, CFI, TLI, RMSEA with its 90% interval and SRMR; standardised
    loadings; per construct Cronbach's alpha, composite reliability, AVE and the Fornell-Larcker check;
    HTMT and HTMT2 for every pair of constructs; KMO and Bartlett's test of all the items.

    Each item loads on one construct; respondents with a missing answer are left out (listwise). With
    --robust, lavaan's MLR corrections for non-normal (e.g. Likert) answers are added.

    On a stored wave, --construct may name a construct of the codebook (its
    rated items), and items are reversed where the codebook says higher is
    worse. Only complete responses are used.

    Examples:

        loyalty measure validity --data mobi.csv --json \\
            --construct SAT=CUSA1,CUSA2,CUSA3 --construct LOY=CUSL1,CUSL2,CUSL3

        loyalty measure validity --survey retail-2026 --wave 2026Q3 \\
            --construct trust --construct overall_satisfaction
    """
    from loyalty.data_file import numeric_columns, read_data_file
    from measure.confirmatory_factor_analysis import measurement_model_validity

    measured = stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged)
    if measured is None:
        assert data is not None  # by stored_wave
        constructs = constructs_from(construct)
        reversed_items = item_list(reverse, "--reverse")
        bounds = answer_scale(scale)
        columns = [item for items in constructs.values() for item in items]
        source = data.name
        frame = numeric_columns(read_data_file(data), list(dict.fromkeys(columns)), source)
    else:
        from surveys.wave_inputs import named_items

        refuse_in_stored_mode(
            {"--reverse": reverse, "--scale": scale},
            "on a stored wave, items are reversed where the codebook says higher is worse.",
        )
        constructs = constructs_from(construct, measured.data)
        columns = list(dict.fromkeys(item for items in constructs.values() for item in items))
        used = named_items(measured.data, columns, "--construct")
        reversed_items = used.reversed_codes
        bounds = None
        if reversed_items:
            bounds = named_items(measured.data, reversed_items, "--construct", "the reversed items").common_scale(
                "reversing items"
            )
        source = measured.source
        frame = numeric_columns(measured.frame, columns, source)
    with input_error_from(source):
        result = measurement_model_validity(
            frame, constructs, reverse=reversed_items, scale=bounds, estimator="MLR" if robust else "ML"
        )
    if as_json:
        output = result.as_dict()
        if measured is not None:
            output["stored_wave"] = measured.as_dict()
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
        return
    if measured is not None:
        typer.echo(measured.describe())
    _print_table(result)


def _number(value: float, digits: int = 3) -> str:
    return "—" if math.isnan(value) else f"{value:.{digits}f}"


def _print_table(result: MeasurementModelValidity) -> None:
    cfa, fit = result.cfa, result.cfa.fit
    typer.echo(
        f"CFA ({cfa.estimator}): {len(cfa.constructs)} constructs, {len(cfa.loadings)} items, n = {cfa.n} "
        f"(listwise, {cfa.n_dropped} left out)"
    )
    typer.echo(
        f"chi-square({fit.df}) = {fit.chi_square:.2f}, p = {_number(fit.p_value)}; CFI {_number(fit.cfi)}; "
        f"TLI {_number(fit.tli)}; RMSEA {_number(fit.rmsea)} [{_number(fit.rmsea_ci_low)}, "
        f"{_number(fit.rmsea_ci_high)}]; SRMR {fit.srmr:.3f}"
    )
    if cfa.robust_fit is not None:
        robust = cfa.robust_fit
        typer.echo(
            f"robust: scaled chi-square({fit.df}) = {robust.chi_square_scaled:.2f} (scaling factor "
            f"{robust.scaling_factor:.3f}), p = {_number(robust.p_value_scaled)}; "
            f"CFI {_number(robust.cfi_robust)}; TLI {_number(robust.tli_robust)}; "
            f"RMSEA {_number(robust.rmsea_robust)} "
            f"[{_number(robust.rmsea_robust_ci_low)}, {_number(robust.rmsea_robust_ci_high)}]"
        )
    typer.echo("")
    width = max(
        len("construct"),
        *(len(loading.item) for loading in cfa.loadings),
        *(len(n) for n, _ in cfa.constructs),
    )
    typer.echo(f"{'construct':<{width}}  {'item':<{width}}  {'loading':>8}  {'std.':>6}")
    for loading in cfa.loadings:
        typer.echo(
            f"{loading.construct:<{width}}  {loading.item:<{width}}  {loading.loading:>8.3f}  "
            f"{loading.standardized_loading:>6.3f}"
        )
    typer.echo("")
    typer.echo(f"{'construct':<{width}}  {'alpha':>6}  {'CR':>6}  {'AVE':>6}  Fornell-Larcker")
    for construct in cfa.reliability:
        typer.echo(
            f"{construct.construct:<{width}}  {construct.cronbach_alpha:>6.3f}  "
            f"{construct.composite_reliability:>6.3f}  {construct.average_variance_extracted:>6.3f}  "
            f"{'met' if construct.fornell_larcker_satisfied else 'not met'}"
        )
    if result.heterotrait_monotrait:
        typer.echo("")
        correlations = {(pair.construct_a, pair.construct_b): pair.correlation for pair in cfa.factor_correlations}
        typer.echo(f"{'constructs':<{2 * width + 3}}  {'r':>6}  {'HTMT':>6}  {'HTMT2':>6}")
        for ratio in result.heterotrait_monotrait:
            pair = f"{ratio.construct_a} – {ratio.construct_b}"
            r = correlations[(ratio.construct_a, ratio.construct_b)]
            typer.echo(f"{pair:<{2 * width + 3}}  {r:>6.3f}  {ratio.htmt:>6.3f}  {ratio.htmt2:>6.3f}")
    kmo, bartlett = result.kaiser_meyer_olkin, result.bartlett_sphericity
    typer.echo("")
    typer.echo(
        f"KMO {kmo.overall:.3f} ({kmo.verdict}); "
        f"Bartlett chi-square({bartlett.df}) = {bartlett.chi_square:.1f}, p = {bartlett.p_value:.3g}"
    )
    for warning in cfa.warnings:
        typer.echo(f"Warning: {warning}")
