"""Flag rates of `measure.response_quality.screen_responses` on the real survey data of shared/reference.

These samples contain no planted cases and no timings, so only the answer-pattern checks run, and every
flag is a candidate false positive (real samples also hold some genuinely careless respondents, so the
rates are upper bounds on the false-positive rate). Prints the table of
docs/measure-drivers-quality-weights.md.

Run: .venv/bin/python bench/response_quality_flag_rates.py [--bot-z 3.0]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from measure.response_quality import REASONS, ScreeningRules, screen_responses


def reference_data() -> Path:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference" / "data"
        if candidate.is_dir():
            return candidate
    raise SystemExit("no shared/reference/data above this script")


def main() -> None:
    data = reference_data()
    mobi = pd.read_csv(data / "mobi.csv")
    bank = pd.read_csv(data / "satisfaction_bank.csv")
    bfi = pd.read_csv(data / "psych_bfi.csv")

    def blocks(frame: pd.DataFrame, prefixes: list[str]) -> dict[str, list[str]]:
        return {p: [c for c in frame.columns if c.rstrip("0123456789") == p] for p in prefixes}

    mobi_grids = blocks(mobi, ["IMAG", "CUEX", "PERQ", "CUSA", "CUSL", "PERV"])
    mobi_grids["CUSL"].append("CUSCO")  # the single complaints item joins the loyalty block
    bfi_pairs = [
        ("A2", "A1"),
        ("C1", "C4"),
        ("C2", "C5"),
        ("E3", "E1"),
        ("E4", "E2"),
        ("O1", "O2"),
        ("O3", "O5"),
    ]
    settings = {"defaults": ScreeningRules(), "2 grids": ScreeningRules(straightlined_grids_to_flag=2)}
    if "--bot-z" in sys.argv:  # the bot threshold alone, e.g. --bot-z 3.0
        settings = {"bot z": ScreeningRules(bot_fixed_weighting_z=float(sys.argv[sys.argv.index("--bot-z") + 1]))}
    rows = []
    for setting, rules in settings.items():
        rows += [
            (
                f"mobi (250 × 24, 1–10), {setting}",
                screen_responses(mobi, grids=mobi_grids, scale=(1, 10), rules=rules),
            ),
            (
                f"satisfaction_bank (250 × 27, 0–10), {setting}",
                screen_responses(
                    bank,
                    grids=blocks(bank, ["imag", "expe", "qual", "val", "sat", "loy"]),
                    scale=(0, 10),
                    rules=rules,
                ),
            ),
            (
                f"psych_bfi (2800 × 25, 1–6), {setting}",
                screen_responses(
                    bfi,
                    grids=blocks(bfi, ["A", "C", "E", "N", "O"]),
                    scale=(1, 6),
                    reversed_pairs=bfi_pairs,
                    rules=rules,
                ),
            ),
        ]
    reasons = [r for r in REASONS if any(r in result.checks_run for _, result in rows)]
    print("| data, rules | " + " | ".join(reasons) + " | any reason |")
    print("|---" * (len(reasons) + 2) + "|")
    for name, result in rows:
        counts = {count.reason: count for count in result.counts}
        cells = [f"{counts[r].count} ({100 * counts[r].share:.1f} %)" if r in counts else "not run" for r in reasons]
        share = 100 * result.n_flagged / result.n
        print(f"| {name} | " + " | ".join(cells) + f" | {result.n_flagged} ({share:.1f} %) |")


if __name__ == "__main__":
    main()
