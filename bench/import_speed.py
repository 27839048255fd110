"""Import speed and memory (issue 3): `loyalty import` of N responses × 30 rating items against the baseline.

The baseline is the issue's: `pandas.read_csv(engine="pyarrow")` and `sqlite3.executemany` into one wide table,
nothing checked. Beside it, in the same run and each in a fresh database:

- our import through the real code path (`loyalty import`, every value coded and checked) into SQLite;
- the same into PostgreSQL, where the responses go in with COPY;
- loading the wave back with `load_wave`, against `pandas.read_sql` of the baseline's wide table.

Each measurement runs in a child process of its own, so that its peak memory is that child's maximum resident
set (`getrusage` through `os.wait4`: tracemalloc cannot see pyarrow's or SQLite's allocations). Times are wall
clock around the work itself, after imports and set-up (making the workspace, publishing the questionnaire);
CPU seconds are given too, because on a shared machine the wall clock also counts other processes' turns.

Run (pyarrow, which the baseline needs, is a dependency of the import itself now):

    uv sync --group bench
    .venv/bin/python bench/import_speed.py                    # 100,000 rows, a quick look
    .venv/bin/python bench/import_speed.py --rows 1000000     # the issue's size; writes bench/RESULTS-import.md

PostgreSQL: the server `.ci/setup` starts (LOYALTY_TEST_POSTGRES_URL overrides); `--no-postgres` leaves it out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 2026
ITEMS = 30
SURVEY, WAVE = "bench", "W1"
NOTES = "## Notes"  # RESULTS-import.md from this heading on is written by hand and kept when the table is rewritten
POSTGRES_URL = os.environ.get(
    "LOYALTY_TEST_POSTGRES_URL", "postgresql+psycopg://loyalty:loyalty@127.0.0.1:5432/loyalty_test"
)


# ------------------------------------------------------------------------------------------------ the data


def item_codes() -> list[str]:
    return [f"q{number:02d}" for number in range(1, ITEMS + 1)]


def questionnaire_yaml() -> str:
    items = "\n".join(
        f"      - {{code: {code}, type: rating, construct: attribute_satisfaction, direction: higher_is_better,"
        f" text: {{zh-Hans: 第{number}项, en: Item {number}}}, scale: {{min: 1, max: 5}}}}"
        for number, code in enumerate(item_codes(), start=1)
    )
    return (
        f"survey: {SURVEY}\nlanguages: [zh-Hans, en]\ntitle: {{zh-Hans: 基准, en: Benchmark}}\n"
        f"sections:\n  - code: main\n    title: {{zh-Hans: 评价, en: Ratings}}\n    items:\n{items}\n"
    )


def write_responses(path: Path, rows: int) -> None:
    """`rows` responses: a response id and 30 ratings 1–5, the same for the same `rows` (seeded)."""
    import numpy as np

    ratings = np.random.default_rng(SEED).integers(1, 6, size=(rows, ITEMS))
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(["response_id", *item_codes()]) + "\n")
        for start in range(0, rows, 100_000):
            block = ratings[start : start + 100_000]
            lines = (
                f"R{start + offset:07d}," + ",".join(map(str, values)) for offset, values in enumerate(block.tolist())
            )
            handle.write("\n".join(lines) + "\n")


# ------------------------------------------------------------------------------------------------ the cases
# Each returns {"seconds": wall time of the work, "rows": rows handled}; it runs in a child process.


def case_baseline(folder: Path) -> dict[str, Any]:
    import sqlite3

    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(folder / "responses.csv", engine="pyarrow")
    connection = sqlite3.connect(folder / "baseline.db")
    names = list(frame.columns)
    connection.execute(f"CREATE TABLE wide ({', '.join(names)})")
    connection.executemany(
        f"INSERT INTO wide VALUES ({', '.join('?' for _ in names)})", frame.itertuples(index=False, name=None)
    )
    connection.commit()
    seconds = time.perf_counter() - started
    connection.close()
    return {"seconds": seconds, "rows": len(frame)}


def case_read_sql(folder: Path) -> dict[str, Any]:
    import sqlite3

    import pandas as pd

    connection = sqlite3.connect(folder / "baseline.db")
    started = time.perf_counter()
    frame = pd.read_sql("SELECT * FROM wide", connection)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(frame)}


def _workspace(folder: Path, database_url: str | None) -> Path:
    """A fresh workspace with the benchmark questionnaire published (set-up, not timed)."""
    from sqlmodel import Session

    from loyalty.workspace import create_workspace
    from surveys.questionnaire_file import questionnaire_from_source
    from surveys.storage.survey_versions import publish_questionnaire
    from surveys.yaml_source import read_yaml

    directory = folder / ("workspace-postgresql" if database_url else "workspace-sqlite")
    workspace = create_workspace(directory, database_url)
    (folder / "bench.yaml").write_text(questionnaire_yaml(), encoding="utf-8")
    questionnaire = questionnaire_from_source(read_yaml(folder / "bench.yaml"))
    engine = workspace.engine()
    with Session(engine) as session:
        publish_questionnaire(session, questionnaire, questionnaire_yaml())
        session.commit()
    engine.dispose()
    return directory


def _loyalty_import(directory: Path, csv: Path) -> float:
    """`loyalty import` in this process, as the console script runs it; its wall time."""
    import surveys.importers.import_responses
    import surveys.importers.read_export  # noqa: F401  (imported before the clock starts, like the baseline's)
    from loyalty.cli import app

    started = time.perf_counter()
    app(["--workspace", str(directory), "import", str(csv), "--survey", SURVEY, "--wave", WAVE], standalone_mode=False)
    return time.perf_counter() - started


def case_import_sqlite(folder: Path) -> dict[str, Any]:
    directory = _workspace(folder, None)
    return {"seconds": _loyalty_import(directory, folder / "responses.csv")}


def case_import_postgresql(folder: Path) -> dict[str, Any]:
    url = (folder / "postgresql-url.txt").read_text(encoding="utf-8")
    directory = _workspace(folder, url)
    return {"seconds": _loyalty_import(directory, folder / "responses.csv")}


def case_load_wave(folder: Path) -> dict[str, Any]:
    from sqlmodel import Session

    from loyalty.workspace import WorkspaceOptions, open_workspace
    from surveys.storage.wave_data import load_wave

    engine = open_workspace(WorkspaceOptions(folder / "workspace-sqlite")).engine()
    with Session(engine) as session:
        started = time.perf_counter()
        wave = load_wave(session, SURVEY, WAVE)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(wave.responses)}


CASES = {
    "baseline": case_baseline,
    "import_sqlite": case_import_sqlite,
    "import_postgresql": case_import_postgresql,
    "read_sql": case_read_sql,
    "load_wave": case_load_wave,
}


# ------------------------------------------------------------------------------------------------ the runner


def measure(case: str, folder: Path) -> dict[str, Any]:
    """Run `case` in a child process: its own timing, plus the child's peak memory and CPU seconds."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--case", case, "--folder", str(folder)], stdout=subprocess.PIPE, cwd=ROOT
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"case {case} failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(output.decode("utf-8").strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # of the whole child, set-up included
    return result


def _postgres_schema() -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return schema, f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def _drop_postgres_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def results_table(rows: int, results: dict[str, dict[str, Any]]) -> str:
    base, read_sql = results["baseline"], results["read_sql"]
    lines = [
        "| measurement | wall s | ratio to its baseline | CPU s (whole child) | peak memory MB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    labels = {
        "baseline": ("baseline: read_csv(pyarrow) + sqlite3.executemany, wide table", base),
        "import_sqlite": ("loyalty import → SQLite (validated)", base),
        "import_postgresql": ("loyalty import → PostgreSQL, COPY (validated)", base),
        "read_sql": ("baseline: pandas.read_sql of the wide table", read_sql),
        "load_wave": ("load_wave → DataFrame (typed, from SQLite)", read_sql),
    }
    for case, (label, reference) in labels.items():
        if case not in results:
            continue
        result = results[case]
        ratio = result["seconds"] / reference["seconds"]
        lines.append(
            f"| {label} | {result['seconds']:.1f} | {ratio:.2f}× | {result['cpu_seconds']:.1f} "
            f"| {result['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="responses in the generated file")
    parser.add_argument("--no-postgres", action="store_true", help="leave the PostgreSQL import out")
    parser.add_argument("--output", type=Path, help="write the results table here (default: with --rows ≥ 1e6)")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)  # inside a child process
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case:
        print(json.dumps(CASES[arguments.case](arguments.folder)))
        return

    folder = Path(tempfile.mkdtemp(prefix="import-speed-"))
    schema = None
    try:
        write_responses(folder / "responses.csv", arguments.rows)
        cases = ["baseline", "import_sqlite", "read_sql", "load_wave"]
        if not arguments.no_postgres:
            schema, url = _postgres_schema()
            (folder / "postgresql-url.txt").write_text(url, encoding="utf-8")
            cases.insert(2, "import_postgresql")
        results = {}
        for case in cases:
            results[case] = measure(case, folder)
            print(f"{case}: {results[case]['seconds']:.1f} s, {results[case]['peak_mb']:.0f} MB", flush=True)
    finally:
        if schema:
            _drop_postgres_schema(schema)
        shutil.rmtree(folder, ignore_errors=True)

    table = results_table(arguments.rows, results)
    load = os.getloadavg()[0]
    header = (
        f"{arguments.rows:,} responses × {ITEMS} rating items (1–5) from CSV, seed {SEED}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {load:.1f} at the end."
    )
    print(f"\n{header}\n\n{table}")
    output = arguments.output or (ROOT / "bench" / "RESULTS-import.md" if arguments.rows >= 1_000_000 else None)
    if output:
        # The notes written by hand under the table stay; the table and its heading are replaced.
        kept = output.read_text(encoding="utf-8") if output.exists() else ""
        notes = kept[kept.index(NOTES) :] if NOTES in kept else ""
        output.write_text(
            f"# Import speed and memory (issue 3)\n\nMade by `bench/import_speed.py --rows {arguments.rows}`.\n\n"
            f"{header}\n\n{table}\n" + (f"\n{notes}" if notes else ""),
            encoding="utf-8",
        )
        print(f"\nWritten to {output}")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashed child leaves no core file behind
    main()
