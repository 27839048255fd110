"""Report speed (issue 7, "Speed"): `loyalty demo` end to end, and `loyalty report` on one large wave.

Two measurements, against the issue's targets:

- `loyalty demo` in a fresh temporary folder, run as the console script in a subprocess; wall time of the
  whole command (design, render the questionnaire five ways, simulate and import four waves, two reports).
  Target: under 60 s on this 2-core machine.
- `loyalty report` for one wave of N responses to the quarterly-loyalty questionnaire (10,000 by default;
  `--rows 10000 1000000` for the issue's two sizes), through `write_report`, the function the command runs.
  Its time is split as the command splits it: analysis (load the wave, run every measure, build the
  context) and rendering (HTML, then PDF). The analysis is split further by timing `load_wave`,
  `analyse_wave` and `build_context` where `write_report` calls them. Target: rendering under 10 s whatever
  the wave size.

Set-up is not timed into either: the wave's responses are generated here (seeded numpy, one latent
loyalty per respondent so scales correlate, the questionnaire's routing respected) and written to a CSV,
then imported through `read_export` + `import_responses`, the code `loyalty import` runs. The import's
time is printed for information only; import speed has its own benchmark (`bench/import_speed.py`).

Each wave size runs in a child process of its own, so its peak memory is that child's maximum resident set.

Run:

    .venv/bin/python bench/report_speed.py                        # demo + 10,000 responses
    .venv/bin/python bench/report_speed.py --rows 10000 1000000   # the issue's two sizes
    .venv/bin/python bench/report_speed.py --no-demo --rows 1000000

Writes bench/RESULTS-report.md (the table; the notes from its "## Notes" heading on are kept).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 2026
SURVEY, WAVE = "bench-report", "2026Q3"
NOTES = "## Notes"
DEMO_TARGET, RENDER_TARGET = 60.0, 10.0


# ------------------------------------------------------------------------------------------------ the data


def write_wave_csv(path: Path, rows: int) -> None:
    """`rows` generated responses to the quarterly-loyalty questionnaire as a generic CSV (seeded)."""
    import numpy as np
    import pandas as pd

    from surveys.codebook import codebook

    rng = np.random.default_rng(SEED)
    g = rng.normal(size=rows)  # each respondent's latent loyalty
    columns: dict[str, Any] = {
        "response_id": [f"B{index:07d}" for index in range(rows)],
        "submitted_at": (pd.Timestamp("2026-08-01 08:00:00") + pd.to_timedelta(np.arange(rows) * 2, unit="s")).strftime(
            "%Y-%m-%d %H:%M:%S"
        ),
        "duration_seconds": np.round(rng.lognormal(np.log(600), 0.35, size=rows)),
    }
    shared: dict[str, Any] = {}
    for variable in codebook(_questionnaire()):
        factor = shared.setdefault(variable.construct, 0.75 * g + 0.65 * rng.normal(size=rows))
        if variable.kind == "scale":
            low, high = float(variable.minimum or 0), float(variable.maximum or 0)
            sign = -1.0 if variable.direction is not None and variable.direction.value == "higher_is_worse" else 1.0
            centre = low + 0.6 * (high - low) + sign * 0.2 * (high - low) * factor
            noise = rng.normal(scale=0.18 * (high - low), size=rows)
            columns[variable.code] = np.clip(np.round(centre + noise), low, high)
        elif variable.kind == "choice":
            columns[variable.code] = rng.choice(np.array(variable.option_codes), size=rows).astype(float)
        elif variable.kind == "choices":
            picked = rng.random((rows, len(variable.option_codes))) < 0.3
            picked[np.arange(rows), rng.integers(0, len(variable.option_codes), size=rows)] = True  # at least one
            for position, code in enumerate(variable.option_codes):
                columns[f"{variable.code}_{code}"] = picked[:, position].astype(float)
        elif variable.kind == "number":
            low, high = float(variable.minimum or 0), float(variable.maximum or 0)
            columns[variable.code] = np.clip(rng.poisson(np.exp(1.6 + 0.4 * g)), max(low, 0), min(high, 100))
        # text items (optional) are left out
    frame = pd.DataFrame(columns)
    # routing: complaint questions only after a problem, and so on down the path
    frame["problem"] = np.where(rng.random(rows) < np.clip(0.28 - 0.1 * g, 0.05, 0.9), 1.0, 2.0)
    no_problem = frame["problem"] == 2
    frame.loc[no_problem, "complained"] = np.nan
    _blank(frame, no_problem, "problem_type")
    for code, shown in (
        ("complaint_channel", frame["complained"] == 1),
        ("not_complained_reason", frame["complained"] == 2),
    ):
        _blank(frame, ~shown, code)
    not_complained = frame["complained"] != 1
    frame.loc[not_complained, ["complaint_resolved", "resolution_satisfaction"]] = np.nan
    frame.loc[~frame["complaint_resolved"].isin([1, 2]), "resolution_speed"] = np.nan
    frame.loc[frame["recommended_12m"] != 1, "referral_count"] = np.nan
    frame.loc[frame["referral_count"] < 1, "referral_count"] = 1.0
    frame["attention_instructed"] = np.where(rng.random(rows) < 0.95, 2.0, 4.0)
    frame.to_csv(path, index=False, float_format="%.0f")


def _blank(frame: Any, rows: Any, code: str) -> None:
    """Empty every option column of the multiple-choice item `code` on `rows`."""
    names = [name for name in frame.columns if name.startswith(f"{code}_") and name.removeprefix(f"{code}_").isdigit()]
    frame.loc[rows, names] = float("nan")


def _questionnaire() -> Any:
    from surveys.blueprints import new_questionnaire

    return new_questionnaire("quarterly-loyalty", SURVEY, ["zh-Hans", "en"]).questionnaire


# ------------------------------------------------------------------------------------------------ the cases


def case_report(folder: Path, rows: int) -> dict[str, Any]:
    """Set up a workspace with one wave of `rows` responses; time `write_report` on it (child process)."""
    from sqlmodel import Session

    import reports.analysis
    import reports.context
    import reports.html
    import reports.pdf
    import surveys.storage.wave_data
    from loyalty.commands.report import write_report
    from loyalty.workspace import create_workspace
    from surveys.importers.import_responses import ImportOptions, file_digest, import_responses
    from surveys.importers.read_export import read_export
    from surveys.questionnaire_file import questionnaire_yaml
    from surveys.storage.survey_versions import publish_questionnaire

    started = time.perf_counter()
    csv = folder / "responses.csv"
    write_wave_csv(csv, rows)
    generated = time.perf_counter() - started

    questionnaire = _questionnaire()
    workspace = create_workspace(folder / "workspace")
    engine = workspace.engine()
    started = time.perf_counter()
    with Session(engine) as session:
        publish_questionnaire(session, questionnaire, questionnaire_yaml(questionnaire))
        session.commit()
    with Session(engine) as session:
        summary = import_responses(session, read_export([csv]), ImportOptions(SURVEY, WAVE), file_digest([csv]))
        session.commit()
    engine.dispose()
    imported = time.perf_counter() - started
    print(f"  generated in {generated:.1f} s, imported in {imported:.1f} s (not counted)", file=sys.stderr, flush=True)
    if summary.stored != rows:
        raise SystemExit(f"only {summary.stored} of {rows} generated responses were stored")

    # time each step where write_report calls it (it imports them from their modules at call time)
    steps: dict[str, float] = {}
    for module, name in (
        (surveys.storage.wave_data, "load_wave"),
        (reports.analysis, "analyse_wave"),
        (reports.context, "build_context"),
        (reports.html, "render_report_html"),
        (reports.pdf, "write_report_pdf"),
    ):
        setattr(module, name, _timed(getattr(module, name), name, steps))

    output = folder / "report.pdf"
    started = time.perf_counter()
    lines = write_report(workspace, SURVEY, WAVE, [], "zh-Hans", output, False)
    total = time.perf_counter() - started
    said = re.search(r"analysis ([\d.]+) s, rendering ([\d.]+) s", lines[-1])
    assert said is not None, lines
    return {
        "rows": rows,
        "generate_seconds": generated,
        "import_seconds": imported,
        "total_seconds": total,
        "analysis_seconds": float(said.group(1)),
        "rendering_seconds": float(said.group(2)),
        "steps": steps,
        "pdf_kb": output.stat().st_size / 1024,
        "left_out": lines[:-1],
    }


def _timed(function: Callable[..., Any], name: str, steps: dict[str, float]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds = time.perf_counter() - started
            steps[name] = steps.get(name, 0.0) + seconds
            print(f"  {name}: {seconds:.1f} s", file=sys.stderr, flush=True)  # progress, for a long run

    return wrapper


def run_demo(folder: Path) -> dict[str, Any]:
    """`loyalty demo` as the console script, in a fresh folder; wall time of the whole command."""
    command = [str(Path(sys.executable).with_name("loyalty")), "demo", str(folder / "demo")]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"loyalty demo failed:\n{done.stdout}\n{done.stderr}")
    timings = re.findall(r"analysis ([\d.]+) s, rendering ([\d.]+) s", done.stdout)
    return {"seconds": seconds, "reports": [(float(a), float(r)) for a, r in timings]}


# ------------------------------------------------------------------------------------------------ the runner


def measure_report(rows: int, folder: Path) -> dict[str, Any]:
    """`case_report` in a child process: its result plus the child's peak memory."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--case", str(rows), "--folder", str(folder)], stdout=subprocess.PIPE, cwd=ROOT
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the report case with {rows} rows failed")
    result: dict[str, Any] = json.loads(output.decode("utf-8").strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def results_markdown(demo: dict[str, Any] | None, reports: list[dict[str, Any]]) -> str:
    lines = [
        "# Report speed",
        "",
        f"`python bench/report_speed.py`, run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work (single runs vary), Python {platform.python_version()}.",
        "Import time is not part of these measurements (set-up; shown for information only).",
        "",
    ]
    if demo is not None:
        met = "met" if demo["seconds"] < DEMO_TARGET else "**not met**"
        inner = "; ".join(f"analysis {a:.1f} s, rendering {r:.1f} s" for a, r in demo["reports"])
        lines += [
            "| measurement | wall time | target |",
            "| --- | ---: | --- |",
            f"| `loyalty demo` end to end | {demo['seconds']:.1f} s | < {DEMO_TARGET:.0f} s: {met} |",
            "",
            f"Its two 2026Q4 reports (≈ 700 responses, three waves compared): {inner}.",
            "",
        ]
    if reports:
        lines += [
            "| responses | analysis | of it: load | measures | context | rendering | of it: HTML | PDF "
            "| rendering target | peak memory | (import, not counted) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
        ]
        for result in reports:
            steps = result["steps"]
            met = "met" if result["rendering_seconds"] < RENDER_TARGET else "**not met**"
            lines.append(
                f"| {result['rows']:,} | {result['analysis_seconds']:.1f} s | {steps['load_wave']:.1f} s "
                f"| {steps['analyse_wave']:.1f} s | {steps['build_context']:.2f} s "
                f"| {result['rendering_seconds']:.1f} s | {steps['render_report_html']:.2f} s "
                f"| {steps['write_report_pdf']:.1f} s | < {RENDER_TARGET:.0f} s: {met} "
                f"| {result['peak_mb']:,.0f} MB | {result['import_seconds']:.1f} s |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000], help="wave sizes (default 10000)")
    parser.add_argument("--no-demo", action="store_true", help="leave out `loyalty demo`")
    parser.add_argument("--case", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case is not None:
        print(json.dumps(case_report(arguments.folder, arguments.case)))
        return

    demo = None
    reports = []
    with tempfile.TemporaryDirectory(prefix="report-speed-") as temporary:
        base = Path(temporary)
        if not arguments.no_demo:
            demo = run_demo(base)
            print(f"loyalty demo: {demo['seconds']:.1f} s; its reports: {demo['reports']}", flush=True)
        for rows in arguments.rows:
            folder = base / f"rows-{rows}"
            folder.mkdir()
            result = measure_report(rows, folder)
            print(f"{rows:,} responses: {json.dumps(result)}", flush=True)
            reports.append(result)
            shutil.rmtree(folder, ignore_errors=True)

    path = ROOT / "bench" / "RESULTS-report.md"
    kept = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        kept = text[text.index(NOTES) :] if NOTES in text else ""
    path.write_text(results_markdown(demo, reports) + ("\n" + kept if kept else ""), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
