"""Speed of `measure.response_quality.screen_responses` at 10⁴, 10⁵ and 10⁶ responses × 30 grid items.

The responses are generated here (seeded numpy): four correlated grids of 8, 8, 7 and 7 items on 1–5, an
attention check, a reversed pair, completion times in two questionnaire versions, device fingerprints with
submission times, and a few per cent of planted speeders, straight-liners, duplicates and random bots, so
every check has work to do. Only the `screen_responses` call is timed (best of `--repeat` runs); each size
runs in a child process of its own, whose peak memory is reported.

Run:

    .venv/bin/python bench/screening_speed.py                          # 10⁴ and 10⁵
    .venv/bin/python bench/screening_speed.py --rows 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

GRID_SIZES = {"service": 8, "product": 8, "value": 7, "staff": 7}


def responses(n: int, seed: int = 20261122) -> dict[str, object]:
    """Human-like answers with planted careless cases; the inputs `screen_responses` takes."""
    rng = np.random.default_rng(seed)
    latent = rng.multivariate_normal(np.zeros(4), 0.5 * np.eye(4) + 0.5, size=n)
    columns: dict[str, np.ndarray] = {}
    grids: dict[str, list[str]] = {}
    for g, (name, size) in enumerate(GRID_SIZES.items()):
        grids[name] = [f"{name}{j}" for j in range(1, size + 1)]
        means = np.linspace(2.3, 4.1, size)[rng.permutation(size)]
        for item, mean in zip(grids[name], means, strict=True):
            columns[item] = np.clip(np.rint(mean + 0.7 * latent[:, g] + 0.7 * rng.normal(size=n)), 1, 5)
    columns["service8"] = np.clip(6 - columns["service1"] + np.rint(0.3 * rng.normal(size=n)), 1, 5)  # reversed
    answers = pd.DataFrame(columns)
    items = list(columns)
    kind = rng.choice(4, size=n, p=[0.94, 0.02, 0.02, 0.02])
    straight = np.flatnonzero(kind == 1)
    answers.loc[straight, grids["product"]] = rng.integers(1, 6, size=(straight.size, 1)).astype(float)
    bots = np.flatnonzero(kind == 2)
    answers.loc[bots, items] = rng.integers(1, 6, size=(bots.size, len(items))).astype(float)
    copies = np.flatnonzero(kind == 3)
    answers.loc[copies, items] = answers.loc[rng.integers(0, n, size=copies.size), items].to_numpy()
    answers = answers.mask(rng.random(answers.shape) < 0.01)  # item nonresponse
    answers["attention"] = np.where(rng.random(n) < 0.02, 4, 2)
    versions = np.where(rng.random(n) < 0.5, "A", "B")
    durations = np.where(versions == "A", 600.0, 420.0) * np.exp(0.3 * rng.normal(size=n))
    durations[rng.random(n) < 0.02] *= 0.2
    fingerprints = np.array([f"device-{i}" for i in rng.integers(0, n, size=n)], dtype=object)
    submitted_at = rng.uniform(0, 30 * 86400, size=n)
    return {
        "answers": answers,
        "grids": grids,
        "scale": (1, 5),
        "durations": durations,
        "versions": versions,
        "attention_checks": {"attention": 2},
        "reversed_pairs": [("service1", "service8")],
        "fingerprints": fingerprints,
        "submitted_at": submitted_at,
    }


def measure(n: int, repeat: int) -> dict[str, float]:
    from measure.response_quality import screen_responses

    inputs = responses(n)
    times = []
    flagged = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = screen_responses(**inputs)  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
        flagged = result.n_flagged
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": n, "seconds": min(times), "flagged": flagged, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(measure(arguments.child, arguments.repeat)))
        return
    print(f"{platform.machine()}, Python {platform.python_version()}; 30 grid items + attention check")
    print("| responses | screen_responses | per 1,000 responses | flagged | peak memory |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n in arguments.rows:
        repeat = arguments.repeat if n <= 100_000 else 1
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(n), "--repeat", str(repeat)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        row = json.loads(output.strip().splitlines()[-1])
        print(
            f"| {n:,} | {row['seconds']:.2f} s | {1000 * row['seconds'] / n * 1000:.1f} ms "
            f"| {row['flagged']:,} ({100 * row['flagged'] / n:.1f} %) | {row['peak_mb']:,.0f} MB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
