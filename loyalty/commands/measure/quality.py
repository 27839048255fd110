"""`loyalty measure quality`: screen the responses of a data file and give each one reason codes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loyalty.commands.measure import input_error_from
from loyalty.commands.measure.stored_wave import (
    IncompleteOption,
    MeasuredWave,
    SurveyOption,
    WaveOption,
    refuse_in_stored_mode,
    stored_wave,
)
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

QUALITY_COLUMN = "quality_reasons"  # written by `--output`; read by the analyses to leave flagged rows out


def quality(
    ctx: typer.Context,
    data: Annotated[
        Path | None, typer.Option("--data", help="Responses: CSV, TSV or Excel, one row per respondent.")
    ] = None,
    survey: SurveyOption = None,
    wave: WaveOption = None,
    include_incomplete: IncompleteOption = False,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            help="A grid of rating items, NAME=A,B,C or A,B,C; repeat for each grid (stored wave: the grids).",
        ),
    ] = None,
    duration_column: Annotated[
        str | None, typer.Option("--duration-column", help="Column of total completion time in seconds.")
    ] = None,
    version_column: Annotated[
        str | None,
        typer.Option("--version-column", help="Column of the questionnaire version; speed is judged per version."),
    ] = None,
    page_columns: Annotated[
        str | None,
        typer.Option("--page-columns", help="Columns of per-page times in seconds, P1,P2,… (for RSI)."),
    ] = None,
    attention: Annotated[
        list[str] | None,
        typer.Option("--attention", help="Attention check COLUMN=ANSWER (accepted answers A|B); repeatable."),
    ] = None,
    reversed_pair: Annotated[
        list[str] | None,
        typer.Option("--reversed", help="An item and its reverse-worded partner, ITEM:REVERSED; repeatable."),
    ] = None,
    scale: Annotated[
        str | None,
        typer.Option("--scale", help="Rating scale MIN,MAX for reversed items (default: observed)."),
    ] = None,
    fingerprint_column: Annotated[
        str | None, typer.Option("--fingerprint-column", help="Column of pseudonymised device fingerprints.")
    ] = None,
    submitted_column: Annotated[
        str | None, typer.Option("--submitted-column", help="Column of submission times (for device bursts).")
    ] = None,
    straightlined_grids: Annotated[
        int,
        typer.Option(
            "--straightlined-grids",
            help="Straight-lined grids needed to flag (2 where grids are short).",
            min=1,
        ),
    ] = 1,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write the data with an added `quality_reasons` column to this CSV."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    r"""Screen responses for speeders, straight-lining, failed checks,
    duplicates and answer bots.

    Every response keeps its row; flagged ones get reason codes (speeder,
    relative_speed, fast_per_item, straightlining, longstring,
    attention_check_failed, reversed_item_contradiction,
    multivariate_outlier, duplicate_answers, duplicate_device,
    bot_pattern). The output says how many were flagged for each reason
    and which checks could not run for lack of a column. Lines are numbered
    as in the file (the header is line 1). --output writes the data with a
    quality_reasons column, which drivers and weights then respect.

    On a stored wave everything comes from the survey: the grids (each
    rating grid, each half of an importance–satisfaction grid), completion
    times judged per questionnaire version, the attention items' correct
    answers, the pseudonymised device and the submission times. --reversed
    pairs are still named; their scale comes from the codebook. Only
    complete responses are screened unless --include-incomplete.

    Examples:

        loyalty measure quality --data answers.csv \
            --grid service=q1,q2,q3,q4,q5,q6 --grid product=q7,q8,q9,q10,q11 \
            --duration-column seconds --version-column version \
            --attention q12=2 --reversed q1:q6 --scale 1,5 \
            --fingerprint-column device --submitted-column submitted \
            --output screened.csv --json

        loyalty measure quality --survey retail-2026 --wave 2026Q3
    """
    import pandas as pd

    from loyalty.data_file import numeric_columns, read_data_file
    from measure.response_quality import ScreeningRules, screen_responses

    measured = stored_wave(ctx, data, survey, wave, include_incomplete, screen=False)
    pairs = _pairs(reversed_pair or [])
    if measured is None:
        assert data is not None  # by stored_wave
        if not grid:
            raise InputError(
                "--grid is needed with --data.", [Problem("--grid", "is not given.", "E.g. --grid q1,q2,q3")]
            )
        grids = _grids(grid)
        attention_checks = _attention(attention or [])
        bounds = _scale(scale) if scale else None
        frame = read_data_file(data)
        source = data.name
    else:
        refuse_in_stored_mode(
            {
                "--duration-column": duration_column,
                "--version-column": version_column,
                "--fingerprint-column": fingerprint_column,
                "--submitted-column": submitted_column,
                "--scale": scale,
            },
            "on a stored wave, times, versions, devices and scales come from the survey.",
        )
        grids, attention_checks, bounds, frame = _wave_screening(measured, grid, attention, pairs)
        duration_column, version_column = "duration_seconds", "version"
        fingerprint_column, submitted_column = "device_pseudonym", "submitted_at"
        source = measured.source
    item_columns = list(
        dict.fromkeys([*(c for items in grids.values() for c in items), *(c for p in pairs for c in p)])
    )
    numeric_columns(frame, item_columns, source)  # reports missing columns and text cells, with rows
    others = [c for c in [version_column, fingerprint_column, submitted_column, *attention_checks] if c is not None]
    _require_columns(frame, others, source)
    durations = numeric_columns(frame, [duration_column], source)[duration_column] if duration_column else None
    pages = numeric_columns(frame, _list(page_columns), source) if page_columns else None

    with input_error_from(source):
        result = screen_responses(
            frame,
            grids=grids,
            scale=bounds,
            durations=None if durations is None else durations.to_numpy(),
            versions=None if version_column is None else frame[version_column].to_numpy(),
            page_durations=pages,
            attention_checks=attention_checks,
            reversed_pairs=pairs,
            fingerprints=None if fingerprint_column is None else frame[fingerprint_column].to_numpy(),
            submitted_at=None if submitted_column is None else frame[submitted_column].to_numpy(),
            rules=ScreeningRules(straightlined_grids_to_flag=straightlined_grids),
        )
    report: dict[str, Any] = {"data": source if measured is not None else str(data)}
    report.update(result.as_dict(include_clean=False))
    for response in report["responses"]:
        if measured is None:
            response["line"] = response["row"] + 2
        else:
            response["response_id"] = int(frame["response_id"].iloc[response["row"]])
    if measured is not None:
        report["stored_wave"] = measured.as_dict()
        report["screened"] = {"grids": grids, "attention_checks": attention_checks}
    if output is not None:
        if "quality_reasons" in frame.columns:
            raise InputError(
                f"{output} was not written.",
                [Problem(f"{source}, column quality_reasons", "already exists.", "Rename it, then run again.")],
            )
        written = frame.copy()
        written["quality_reasons"] = pd.Series([";".join(r.reasons) for r in result.responses], index=frame.index)
        written.to_csv(output, index=False, encoding="utf-8")
        report["output"] = str(output)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if measured is not None:
        typer.echo(measured.describe())
    typer.echo(_table(report))


def _wave_screening(
    measured: MeasuredWave, grid: list[str] | None, attention: list[str] | None, pairs: list[tuple[str, str]]
) -> tuple[dict[str, list[str]], dict[str, Any], tuple[float, float] | None, pd.DataFrame]:
    """Grids, attention checks, the reversed pairs' scale and the answers (as numbers) of a stored wave."""
    from reports.screening import screening_frame
    from surveys.wave_inputs import attention_checks, grids, named_items

    wave = measured.data
    found_grids = _grids(grid) if grid else grids(wave)
    if not found_grids:
        raise InputError(
            f"Survey {wave.survey} has no grid to screen for straight-lining.",
            [Problem("--grid", "no rating grid in the questionnaire.", "Name rated items: --grid NAME=A,B,C.")],
        )
    checks: dict[str, Any] = _attention(attention) if attention else {
        code: [str(answer) for answer in answers] for code, answers in attention_checks(wave).items()
    }  # fmt: skip
    items = list(dict.fromkeys([*(c for codes in found_grids.values() for c in codes), *(c for p in pairs for c in p)]))
    named_items(wave, items, "--grid / --reversed")
    bounds = None
    if pairs:
        bounds = named_items(wave, [c for p in pairs for c in p], "--reversed").common_scale("reversed pairs")
    return found_grids, checks, bounds, screening_frame(wave, [*items, *checks])


def without_flagged(frame: pd.DataFrame, include_flagged: bool) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """The rows an analysis uses, and what was left out and why.

    A data file screened by `loyalty measure quality --output` has a `quality_reasons` column; rows with
    reason codes are left out unless `include_flagged`. Without that column every row is used and the
    report is None.
    """
    if QUALITY_COLUMN not in frame.columns:
        return frame, None
    codes = frame[QUALITY_COLUMN].fillna("").astype(str).str.strip()
    flagged = codes != ""
    by_reason = Counter(code for entry in codes[flagged] for code in entry.split(";") if code)
    report = {
        "column": QUALITY_COLUMN,
        "flagged": int(flagged.sum()),
        "excluded": 0 if include_flagged else int(flagged.sum()),
        "by_reason": dict(sorted(by_reason.items())),
    }
    return (frame if include_flagged else frame[~flagged]), report


def describe_flagged(flagged: dict[str, Any]) -> str:
    """One line for the readable output: how many flagged responses were left out (or kept), and why."""
    from reports.screening import flagged_line

    return flagged_line(flagged["flagged"], flagged["excluded"], flagged["by_reason"])


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _grids(options: list[str]) -> dict[str, list[str]]:
    grids: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for number, option in enumerate(options, start=1):
        name, _, columns = option.rpartition("=")
        items = _list(columns)
        if len(items) < 2:
            problems.append(Problem(f"--grid {option}", "needs at least 2 item columns.", "e.g. service=q1,q2,q3"))
            continue
        grids[name.strip() or f"grid{number}"] = items
    if problems:
        raise InputError("The grids cannot be read.", problems)
    return grids


def _attention(options: list[str]) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    for option in options:
        column, separator, answers = option.partition("=")
        if not separator or not column.strip() or not answers.strip():
            raise InputError(
                "--attention cannot be read.",
                [Problem(f"--attention {option}", "is not COLUMN=ANSWER.", "e.g. --attention q12=2")],
            )
        accepted = [answer.strip() for answer in answers.split("|")]
        checks[column.strip()] = accepted
    return checks


def _pairs(options: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for option in options:
        item, separator, reverse = option.partition(":")
        if not separator or not item.strip() or not reverse.strip():
            raise InputError(
                "--reversed cannot be read.",
                [Problem(f"--reversed {option}", "is not ITEM:REVERSED.", "e.g. --reversed q1:q6")],
            )
        pairs.append((item.strip(), reverse.strip()))
    return pairs


def _scale(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError(
            "--scale cannot be read.",
            [Problem("--scale", f"{text!r} is not two numbers MIN,MAX.", "e.g. 1,5")],
        ) from None
    return low, high


def _require_columns(frame: Any, columns: list[str], source: str) -> None:
    import difflib

    available = [str(name) for name in frame.columns]
    problems = []
    for column in columns:
        if column not in frame.columns:
            nearest = difflib.get_close_matches(column, available, n=1)
            hint = f'Did you mean "{nearest[0]}"?' if nearest else f"The columns are: {', '.join(available)}."
            problems.append(Problem(f"column {column}", "is not in the file.", hint))
    if problems:
        raise InputError(f"{source} has {len(problems)} problem(s).", problems)


def _table(report: dict[str, Any]) -> str:
    lines = [f"{report['n_flagged']} of {report['n']} responses flagged ({100 * report['share_flagged']:.1f} %)"]
    for count in report["counts"]:
        lines.append(f"  {count['reason']:<28}{count['count']:>6}   {count['rule']}")
    for skipped in report["checks_skipped"]:
        lines.append(f"  not checked: {skipped}")
    combinations = Counter(", ".join(r["reasons"]) for r in report["responses"])
    if combinations:
        lines.append("Most frequent reasons:")
        lines.extend(f"  {count:>5}  {reasons}" for reasons, count in combinations.most_common(5))
    if "output" in report:
        lines.append(f"reason codes written to {report['output']}")
    return "\n".join(lines)
