"""METHODS §3.7 fixture D5: 8 customers × 6 loyalty indicators, and the test vectors computed there."""

from __future__ import annotations

import pandas as pd

from measure.indicator_normalisation import Indicator, indicator

NAMES = [
    "repeat_purchases",
    "deliberation_time",
    "price_sensitivity",
    "competitor_attitude",
    "churn",
    "trust",
]
ROWS = [
    [12, 5, 2, 2, 0.05, 5],
    [3, 30, 4, 4, 0.40, 2],
    [8, 10, 3, 2, 0.10, 4],
    [1, 45, 5, 5, 0.70, 1],
    [6, 15, 3, 3, 0.20, 3],
    [10, 8, 2, 1, 0.05, 5],
    [4, 20, 4, 3, 0.30, 3],
    [7, 12, 3, 2, 0.15, 4],
]
DIRECTIONS = ["higher_is_better", *["higher_is_worse"] * 4, "higher_is_better"]


def d5_values() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=NAMES)


def d5_sample_anchored() -> list[Indicator]:
    """Benefit: repeat purchases and trust; cost: the other four; sample min–max (as in METHODS)."""
    return [indicator(name, direction, "sample") for name, direction in zip(NAMES, DIRECTIONS, strict=True)]


AHP_MATRIX: list[list[float]] = [
    [1, 3, 2, 2, 1 / 2, 1 / 2],
    [1 / 3, 1, 1 / 2, 1 / 2, 1 / 4, 1 / 4],
    [1 / 2, 2, 1, 1, 1 / 3, 1 / 3],
    [1 / 2, 2, 1, 1, 1 / 3, 1 / 3],
    [2, 4, 3, 3, 1, 1],
    [2, 4, 3, 3, 1, 1],
]
ENTROPY = [0.877678, 0.918354, 0.899838, 0.903592, 0.921659, 0.898260]
ENTROPY_WEIGHTS = [0.210675, 0.140620, 0.172510, 0.166043, 0.134926, 0.175226]
ENTROPY_WEIGHTS_SHIFTED = [0.210672, 0.140619, 0.172513, 0.166034, 0.134927, 0.175235]  # +1e-4 to every z
CRITIC_WEIGHTS = [0.205833, 0.152684, 0.175042, 0.192613, 0.148858, 0.124970]
PCA_FIRST_EIGENVALUE = 5.727765
PCA_WEIGHTS = [0.162729, 0.167961, 0.166265, 0.163307, 0.168553, 0.171184]
AHP_WEIGHTS = [0.169844, 0.059159, 0.097757, 0.097757, 0.287742, 0.287742]
EQUAL_INDEX = [95.833, 30.861, 76.685, 0, 60.674, 95.720, 47.441, 73.055]
ENTROPY_INDEX = [95.849, 29.613, 75.261, 0, 59.066, 95.115, 45.651, 71.605]
AHP_INDEX = [97.556, 31.483, 77.975, 0, 60.083, 96.468, 48.570, 73.922]
