"""`measure.threshold_search`: the grid-and-refine path for many distinct values reaches the same optimum
as the exhaustive search over every value/gap combination."""

from __future__ import annotations

import numpy as np
import pytest

from measure.threshold_search import EXACT_LEVELS, Profile, collapse_levels


def random_hinge_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random breakpoints, slopes, noise level and size; seeds 1029 and 1106 have narrow optima that
    a search refining only the best three grid pairs misses."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(450, 800))
    s = rng.uniform(0, 10, n)
    first, second = sorted(rng.uniform(1, 9, 2))
    slopes = rng.normal(0, 1, 3)
    noise = rng.choice([0.1, 1.0, 5.0])
    y = (
        slopes[0] * s
        + (slopes[1] - slopes[0]) * np.maximum(s - first, 0)
        + (slopes[2] - slopes[1]) * np.maximum(s - second, 0)
        + rng.normal(0, noise, n)
    )
    return s, y


@pytest.mark.parametrize("seed", [1001, 1002, 1029, 1106])
def test_refined_grid_equals_exhaustive(seed: int) -> None:
    s, y = random_hinge_data(seed)
    levels = collapse_levels(s, y, np.ones(s.size))
    assert levels.x.size > EXACT_LEVELS  # so best_two takes the grid path
    profile = Profile(levels, min_segment=max(10, int(0.05 * s.size)), min_separation=0.0)
    exhaustive = profile.exhaustive_two()
    refined = profile.best_two()
    assert refined[2] == pytest.approx(exhaustive[2], rel=1e-12)
    assert refined[2] <= exhaustive[2] * (1 + 1e-12)
