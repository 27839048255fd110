"""`loyalty measure index`: the six-indicator loyalty index of a data file, overall and per segment."""

from __future__ import annotations

import difflib
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loyalty.commands.measure import input_error_from
from loyalty.commands.measure.stored_wave import FlaggedOption, IncompleteOption, SurveyOption, WaveOption, stored_wave
from loyalty.data_file import numeric_columns, read_data_file
from loyalty.index_files import IndicatorSource, read_ahp_file, read_indicator_file, read_result_file
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from measure.indicator_normalisation import Indicator, NormalisedIndicators
    from measure.indicator_weights import IndicatorWeights
    from surveys.storage.wave_data import WaveData

_DATA_METHODS = ("equal", "entropy", "critic", "pca")


def index(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="CSV or Excel file, one row per respondent.")] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    include_flagged: FlaggedOption = False,
    indicators: Annotated[
        Path | None,
        typer.Option(
            "--indicators",
            help="YAML file: each indicator's column(s), direction and anchors (stored wave: found by construct).",
        ),
    ] = None,
    weights: Annotated[
        str,
        typer.Option("--weights", help="equal, entropy, critic, pca, or ahp:FILE.yaml (pairwise judgments)."),
    ] = "equal",
    by: Annotated[str | None, typer.Option("--by", help="Column of segments (region, tier …).")] = None,
    respondent_id: Annotated[
        str | None,
        typer.Option("--id", help="Column of respondent ids: kept in --json, and pairs panel respondents."),
    ] = None,
    survey_weight: Annotated[
        str | None, typer.Option("--survey-weight", help="Column of survey weights (e.g. raked weights).")
    ] = None,
    accept_inconsistent: Annotated[
        bool,
        typer.Option("--accept-inconsistent", help="Use AHP judgments even when CR > 0.10 (prints a warning)."),
    ] = False,
    combine_with: Annotated[
        str | None,
        typer.Option(
            "--combine-with",
            help="With ahp: mix the expert weights with entropy, critic or pca weights of the data.",
        ),
    ] = None,
    subjective_share: Annotated[
        float, typer.Option("--subjective-share", help="With --combine-with: share of the AHP weights, 0–1.")
    ] = 0.5,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="JSON of an earlier run: reuse its anchors and weights (frozen)."),
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="JSON of the previous wave: test the change from it.")
    ] = None,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Also show the index under every weighting method.")
    ] = False,
    fuzzy: Annotated[
        bool,
        typer.Option("--fuzzy", help="Also the fuzzy comprehensive evaluation (模糊综合评价) with these weights."),
    ] = False,
    fuzzy_operator: Annotated[
        str, typer.Option("--fuzzy-operator", help="weighted_average (default) or max_min (Zadeh).")
    ] = "weighted_average",
    minimum_indicators: Annotated[
        int, typer.Option("--minimum-indicators", help="Fewest indicators a respondent needs for an index.")
    ] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
) -> None:
    """The loyalty index (0–100) from the six indicators, with a 95 % interval.

    Each indicator is scaled to 0–1 against the anchors of the indicator file
    (values beyond an anchor are capped; `anchors: sample` takes this file's
    min and max), weighted, and averaged over the indicators a respondent has
    (at least 4 of 6). Examples (q3.csv and indicators.yaml as in docs/examples):

        loyalty measure index --data q3.csv --indicators indicators.yaml

        loyalty measure index --data q3.csv --indicators indicators.yaml
        --weights ahp:ahp.yaml --by region --sensitivity

    Add --fuzzy for the fuzzy comprehensive evaluation (模糊综合评价): each
    indicator's membership of the grades 很高 … 很低 and the weighted verdict.

    A later wave with the first wave's anchors and weights frozen, and the
    change from that wave tested (q3.json: the first run's --json output):

        loyalty measure index --data q4.csv --indicators indicators.yaml
        --baseline q3.json --previous q3.json

    On a stored wave the indicators are found by construct, without a YAML
    file: rated items on their scale bounds (items of one construct
    averaged, higher-is-worse ones reversed where directions differ), a
    count or time from its stated minimum to this wave's 99th percentile
    (freeze it for later waves with --baseline). Only complete responses:

        loyalty measure index --survey retail-2026 --wave 2026Q3 --by channel
    """
    from measure.indicator_normalisation import indicator_values_from_items, normalise_indicators
    from measure.loyalty_index import index_sensitivity, loyalty_index

    measured = stored_wave(ctx, data, survey, wave, include_incomplete, include_flagged)
    found: dict[str, dict[str, object]] = {}
    turned: pd.DataFrame | None = None
    if measured is None:
        if indicators is None:
            raise InputError(
                "--indicators is needed with --data.",
                [Problem("--indicators", "is not given.", "Name each indicator's column(s) in a YAML file.")],
            )
        assert data is not None  # by stored_wave
        source = str(data)
        frame = read_data_file(data)
        sources = read_indicator_file(indicators)
        _check_columns(sources, frame, data, indicators)
    else:
        source = measured.source
        frame = measured.frame
        if by is not None:
            from surveys.wave_inputs import segment_column

            by = segment_column(measured.data, by)
        if indicators is not None:
            sources = read_indicator_file(indicators)
            _check_columns(sources, frame, source, indicators)
        else:
            sources, turned, found = _wave_indicators(measured.data, minimum_indicators)
    columns = sorted({column for source_ in sources for column in source_.columns})
    if survey_weight is not None:
        columns.append(survey_weight)
    numbers = numeric_columns(frame, columns, source)
    if turned is not None:
        numbers[list(turned.columns)] = turned  # higher-is-worse items reversed, as the codebook says
    segments = _segment_labels(frame, by, source)
    ids = _respondent_ids(frame, respondent_id, source)
    if baseline is not None and weights != "equal":
        raise InputError(
            "--weights and --baseline both choose the weights.",
            [Problem("--weights", f"{weights!r} conflicts with the frozen weights of {baseline}.", "Give one.")],
        )
    if combine_with is not None and not weights.startswith("ahp:"):
        raise InputError(
            "--combine-with needs expert weights.",
            [
                Problem(
                    "--combine-with",
                    "mixes AHP weights with data weights.",
                    "Give --weights ahp:FILE.yaml too.",
                )
            ],
        )
    baseline_result = read_result_file(baseline) if baseline is not None else None
    definitions = (
        _definitions(sources)
        if baseline is None or baseline_result is None
        else _frozen_definitions(sources, baseline_result, baseline)
    )
    with input_error_from(source):
        values = indicator_values_from_items(numbers, {source.name: source.columns for source in sources})
        normalised = normalise_indicators(values, definitions)
    expert: IndicatorWeights | None = None  # the AHP weights, shown beside the others in --sensitivity
    if baseline is not None and baseline_result is not None:
        chosen = _frozen_weights(baseline_result, baseline)
    elif weights.startswith("ahp:"):
        expert = chosen = _ahp(Path(weights[4:]), [source.name for source in sources], accept_inconsistent)
        if combine_with is not None:
            chosen = _combined(expert, _data_weights(combine_with, normalised, source), subjective_share)
    else:
        chosen = _data_weights(weights, normalised, source)
    respondent_weights = _survey_weights(numbers, survey_weight, source) if survey_weight is not None else None
    with input_error_from(source):
        result = loyalty_index(
            normalised,
            chosen,
            survey_weights=respondent_weights,
            segments=segments,
            minimum_indicators=minimum_indicators,
        )
        table = (
            index_sensitivity(
                normalised,
                expert_weights=None if expert is None else {"ahp": expert, chosen.method: chosen},
                survey_weights=respondent_weights,
                segments=segments,
                minimum_indicators=minimum_indicators,
            )
            if sensitivity
            else None
        )
    for note in chosen.notes:
        typer.echo(f"Warning: {note}", err=True)
    output = result.as_dict()
    output["capped"] = dict(zip([item.name for item in normalised.indicators], normalised.capped, strict=True))
    if ids is not None:
        output["respondent_ids"] = ids
    if previous is not None:
        previous_result = read_result_file(previous)
        output["change"] = _change(result.as_dict(), previous_result, previous)
        if ids is not None and "respondent_ids" in previous_result:
            output["paired_change"] = _paired_change(output, previous_result, previous)
    if table is not None:
        output["sensitivity"] = table.as_dict()
    if fuzzy:
        output["fuzzy_evaluation"] = _fuzzy(normalised, chosen, fuzzy_operator, source)
    if measured is not None:
        output["stored_wave"] = measured.as_dict()
        if found:
            output["indicator_items"] = found
    if as_json:
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        if measured is not None:
            typer.echo(measured.describe())
            for entry in found.values():
                typer.echo(f"  {entry['note']}")
        typer.echo(_text(output))


#: The indicator names of the indicator file (and of AHP files and baselines), by construct.
_INDICATOR_NAMES = {
    "repeat_purchase": "repeat_purchases",
    "deliberation_time": "deliberation_time",
    "price_sensitivity": "price_sensitivity",
    "competitor_attitude": "competitor_attitude",
    "churn_intent": "churn",
    "trust": "trust",
}


def _wave_indicators(
    wave: WaveData, minimum_indicators: int
) -> tuple[list[IndicatorSource], pd.DataFrame | None, dict[str, dict[str, object]]]:
    """The indicators a stored wave measures, found by construct: as an indicator file would name them, the
    values of items to reverse (where one indicator mixes directions), and what was used, for the output."""
    import pandas as pd

    from surveys.wave_inputs import aligned_values, loyalty_indicators

    chosen, absent = loyalty_indicators(wave, minimum_indicators)
    sources: list[IndicatorSource] = []
    turned: list[pd.DataFrame] = []
    found: dict[str, dict[str, object]] = {}
    for item in chosen:
        name = _INDICATOR_NAMES[str(item.construct)]
        if item.mixed_directions:
            turned.append(aligned_values(wave.responses, item.items))
        location = f"survey {wave.survey} ({name}: construct {item.construct})"
        sources.append(IndicatorSource(name, tuple(item.items.codes), str(item.direction), item.anchors, location))
        reversed_codes = item.items.reversed_codes if item.mixed_directions else []
        found[name] = {"items": item.items.codes, "reversed": reversed_codes, "note": item.note}
    for note in absent:
        construct = note.split(":", 1)[0]
        found[_INDICATOR_NAMES[construct]] = {"items": [], "reversed": [], "note": note}
    return sources, (pd.concat(turned, axis=1) if turned else None), found


def _definitions(sources: list[IndicatorSource]) -> list[Indicator]:
    from measure.indicator_normalisation import indicator

    return [
        indicator(source.name, source.direction, "sample" if source.anchors is None else list(source.anchors))
        for source in sources
    ]


def _frozen_definitions(sources: list[IndicatorSource], baseline: dict[str, Any], path: Path) -> list[Indicator]:
    """The indicator file's indicators with the baseline's anchors (the baseline must have the same ones)."""
    from measure.indicator_normalisation import indicator

    problems: list[Problem] = []
    definitions: list[Indicator] = []
    anchors, directions = baseline["anchors"], baseline["directions"]
    for source in sources:
        if source.name not in anchors:
            problems.append(
                Problem(str(path), f"has no anchors for {source.name}.", "Use a baseline with every indicator.")
            )
            continue
        if directions.get(source.name) != source.direction:
            problems.append(
                Problem(
                    str(path),
                    f"{source.name} is {directions.get(source.name)} there "
                    f"but {source.direction} in the indicator file.",
                )
            )
            continue
        try:
            definitions.append(indicator(source.name, source.direction, anchors[source.name]))
        except ValueError as error:
            problems.append(Problem(str(path), str(error)))
    extra = sorted(set(anchors) - {source.name for source in sources})
    if extra:
        problems.append(Problem(str(path), f"has indicators {extra}, which the indicator file does not define."))
    if problems:
        raise InputError(f"{path} cannot serve as the baseline.", problems)
    return definitions


def _frozen_weights(baseline: dict[str, Any], path: Path) -> IndicatorWeights:
    from measure.indicator_weights import IndicatorWeights

    with input_error_from(str(path)):
        return IndicatorWeights.from_dict(baseline)


def _ahp(path: Path, names: list[str], accept_inconsistent: bool) -> IndicatorWeights:
    from measure.ahp import CONSISTENCY_LIMIT, group_judgments
    from measure.indicator_weights import indicator_ahp_weights

    judgments = read_ahp_file(path, names)
    with input_error_from(str(path)):
        matrix = (
            group_judgments([list(map(list, matrix)) for matrix in judgments.matrices])
            if len(judgments.matrices) > 1
            else [list(row) for row in judgments.matrices[0]]
        )
        result = indicator_ahp_weights(
            judgments.order,
            matrix,
            method=judgments.method,  # type: ignore[arg-type]
            random_index_table=judgments.random_index_table,  # type: ignore[arg-type]
            accept_inconsistent=True,
        )
    ratio = result.consistency_ratio or 0.0
    if ratio > CONSISTENCY_LIMIT and not accept_inconsistent:
        raise InputError(
            f"{path}: the judgments are inconsistent.",
            [
                Problem(
                    f"{path}, matrix",
                    f"consistency ratio {ratio:.3f} is above {CONSISTENCY_LIMIT:.2f} "
                    f"(λmax {result.lambda_max:.4f}, CI {result.consistency_index:.4f}, "
                    f"RI table {result.random_index_table}).",
                    "Revisit the comparisons, or use --accept-inconsistent to go on knowingly.",
                )
            ],
        )
    return result


def _combined(expert: IndicatorWeights, data_weights: IndicatorWeights, share: float) -> IndicatorWeights:
    from measure.indicator_weights import combined_weights

    if not 0 <= share <= 1:
        raise InputError(
            "--subjective-share must be between 0 and 1.",
            [Problem("--subjective-share", f"{share} is outside 0–1.", "E.g. 0.5 for half AHP, half data.")],
        )
    return combined_weights(expert, data_weights, share_subjective=share)


def _fuzzy(
    normalised: NormalisedIndicators, weights: IndicatorWeights, operator: str, data: str | Path
) -> dict[str, object]:
    from measure.fuzzy_evaluation import fuzzy_evaluation, membership_from_scores

    if operator not in ("weighted_average", "max_min"):
        raise InputError(
            f"--fuzzy-operator {operator!r} is unknown.",
            [Problem("--fuzzy-operator", f"{operator!r} is unknown.", "Use weighted_average or max_min.")],
        )
    with input_error_from(str(data)):
        membership = membership_from_scores(normalised.scores[list(weights.indicators)])
        result = fuzzy_evaluation(weights.weights, membership, operator=operator)  # type: ignore[arg-type]
    return result.as_dict()


def _data_weights(method: str, normalised: NormalisedIndicators, data: str | Path) -> IndicatorWeights:
    from measure.indicator_weights import critic_weights, entropy_weights, equal_weights, pca_weights

    if method not in _DATA_METHODS:
        raise InputError(
            f"--weights {method!r} is not a weighting method.",
            [
                Problem(
                    "--weights",
                    f"{method!r} is unknown.",
                    "Use equal, entropy, critic, pca or ahp:FILE.yaml.",
                )
            ],
        )
    scores = normalised.scores
    with input_error_from(str(data)):
        if method == "equal":
            return equal_weights([str(name) for name in scores.columns])
        derive = {"entropy": entropy_weights, "critic": critic_weights, "pca": pca_weights}[method]
        return derive(scores)


def _check_columns(sources: list[IndicatorSource], frame: pd.DataFrame, data: str | Path, indicators: Path) -> None:
    """Every column the indicator file names is in the data file, or a problem at its line in the YAML."""
    available = [str(name) for name in frame.columns]
    problems: list[Problem] = []
    for source in sources:
        for column in source.columns:
            if column not in frame.columns:
                nearest = difflib.get_close_matches(column, available, n=1)
                hint = f'Did you mean "{nearest[0]}"?' if nearest else f"Its columns are: {', '.join(available)}."
                problems.append(Problem(source.location, f"column {column} is not in {data}.", hint))
    if problems:
        raise InputError(f"{indicators} names {len(problems)} column(s) that {data} lacks.", problems)


def _survey_weights(numbers: pd.DataFrame, column: str, data: str | Path) -> pd.Series:
    """The weight column, every empty or negative cell reported with its row as the user sees it."""
    weights: pd.Series = numbers[column]
    bad = weights.isna() | (weights < 0)
    if bad.any():
        problems = [
            Problem(
                f"row {int(row) + 2}, column {column}",  # +2: header line, and the index counts from 0
                "has no weight." if math.isnan(weights[row]) else f"{weights[row]:g} is a negative weight.",
                "Every respondent needs a weight ≥ 0 (0 leaves the respondent out).",
            )
            for row in weights.index[bad][:10]
        ]
        raise InputError(f"{data} has {int(bad.sum())} bad survey weight(s).", problems)
    return weights


def _respondent_ids(frame: pd.DataFrame, column: str | None, data: str | Path) -> list[str] | None:
    if column is None:
        return None
    if column not in frame.columns:
        nearest = difflib.get_close_matches(column, [str(name) for name in frame.columns], n=1)
        hint = f'Did you mean "{nearest[0]}"?' if nearest else "Name the column of respondent ids."
        raise InputError(f"{data} has no column {column}.", [Problem(f"column {column}", "is not in the file.", hint)])
    ids = frame[column]
    problems = [
        Problem(f"row {int(row) + 2}, column {column}", "has no respondent id.") for row in ids.index[ids.isna()][:10]
    ]
    text = ids.astype(str)
    repeated = text[text.duplicated(keep=False) & ids.notna()]
    problems += [
        Problem(f"row {position + 2}, column {column}", f"{value!r} appears on more than one row.")
        for position, value in zip(
            frame.index.get_indexer(repeated.index[:10]), repeated.head(10).tolist(), strict=True
        )
    ]
    if problems:
        raise InputError(f"{data} has unusable respondent ids.", problems)
    return text.tolist()


def _paired_change(current: dict[str, Any], previous: dict[str, Any], path: Path) -> dict[str, object]:
    import pandas as pd

    from measure.loyalty_index import paired_index_change

    def series(result: dict[str, Any]) -> pd.Series:
        values = [float("nan") if value is None else float(value) for value in result["respondent_index"]]
        return pd.Series(values, index=[str(key) for key in result["respondent_ids"]], dtype=float)

    with input_error_from(str(path)):
        return paired_index_change(series(current), series(previous)).as_dict()


def _segment_labels(frame: pd.DataFrame, by: str | None, data: str | Path) -> pd.Series | None:
    if by is None:
        return None
    if by not in frame.columns:
        nearest = difflib.get_close_matches(by, [str(name) for name in frame.columns], n=1)
        hint = f'Did you mean "{nearest[0]}"?' if nearest else f"The columns are: {', '.join(map(str, frame.columns))}."
        raise InputError(f"{data} has no column {by}.", [Problem(f"column {by}", "is not in the file.", hint)])
    import pandas as pd

    labels: pd.Series = frame[by].map(lambda value: None if pd.isna(value) else str(value))
    return labels


def _change(current: dict[str, Any], previous: dict[str, Any], path: Path) -> dict[str, object]:
    from measure.loyalty_index import IndexEstimate, index_change

    if current["anchors"] != previous["anchors"] or current["weights"] != previous["weights"]:
        raise InputError(
            f"{path} was measured with other anchors or weights.",
            [
                Problem(
                    str(path),
                    "its anchors or weights differ from this run's, so the indices are not comparable.",
                    f"Freeze them with --baseline {path} (or the wave you started from).",
                )
            ],
        )

    def estimate(result: dict[str, Any]) -> IndexEstimate:
        standard_error = result["standard_error"]
        return IndexEstimate(
            None,
            float(result["index"]),
            math.nan if standard_error is None else float(standard_error),
            math.nan,
            math.nan,
            int(result["n"]),
            int(result.get("n_excluded", 0)),
            float(result.get("effective_n", result["n"])),
        )

    with input_error_from(str(path)):
        return index_change(estimate(current), estimate(previous)).as_dict()


def _text(output: dict[str, Any]) -> str:
    excluded = output["n_excluded"]
    lines = [
        f"Loyalty index {output['index']:.1f}  (95% CI {output['ci_low']:.1f}–{output['ci_high']:.1f}), "
        f"n = {output['n']}"
        + (f", {excluded} without enough indicators" if excluded else "")
        + (" (survey-weighted)" if output["weighted"] else ""),
        f"Weights ({output.get('description') or output['method']}): "
        + ", ".join(f"{name} {w:.3f}" for name, w in output["weights"].items()),
    ]
    if "consistency_ratio" in output:
        lines.append(
            f"AHP: λmax {output['lambda_max']:.4f}, CI {output['consistency_index']:.4f}, "
            f"CR {output['consistency_ratio']:.4f}"
        )
    capped = {name: count for name, count in output["capped"].items() if count}
    if capped:
        lines.append("Capped at an anchor: " + ", ".join(f"{name} {count}×" for name, count in capped.items()))
    if output["segments"]:
        lines.append(f"{'segment':<16}{'index':>8}{'95% CI':>16}{'n':>7}")
        for segment in output["segments"]:
            interval = f"{segment['ci_low']:.1f}–{segment['ci_high']:.1f}" if segment["ci_low"] is not None else "–"
            shown = "–" if segment["index"] is None else f"{segment['index']:.1f}"
            lines.append(f"{segment['segment']:<16}{shown:>8}{interval:>16}{segment['n']:>7}")
    if "change" in output:
        change = output["change"]
        lines.append(
            f"Change from previous wave {change['change']:+.1f} "
            f"(95% CI {change['ci_low']:+.1f} to {change['ci_high']:+.1f}), "
            f"Welch t = {change['statistic']:.2f}, {_p(change['p_value'])}"
        )
    if "fuzzy_evaluation" in output:
        fuzzy = output["fuzzy_evaluation"]
        grades = ", ".join(f"{grade} {share:.3f}" for grade, share in fuzzy["membership"].items())
        verdict = fuzzy["grade"] if fuzzy["grade"] is not None else "no clear grade (top two within 0.05)"
        lines.append(f"Fuzzy evaluation ({fuzzy['operator']}): {grades} → {verdict}, score {fuzzy['score']:.1f}")
    if "paired_change" in output:
        paired = output["paired_change"]
        lines.append(
            f"Change for the {paired['n_pairs']} respondents in both waves {paired['change']:+.1f} "
            f"(95% CI {paired['ci_low']:+.1f} to {paired['ci_high']:+.1f}), "
            f"paired t = {paired['statistic']:.2f}, {_p(paired['p_value'])}"
        )
    if "sensitivity" in output:
        lines.append(f"{'weights':<16}{'index':>8}{'95% CI':>16}")
        for row in output["sensitivity"]["rows"]:
            lines.append(f"{row['method']:<16}{row['index']:>8.1f}{row['ci_low']:>9.1f}–{row['ci_high']:.1f}")
        lines.append(f"Spread across weightings: {output['sensitivity']['spread']:.1f} points")
    return "\n".join(lines)


def _p(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
