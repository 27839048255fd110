"""`measure.threshold_search`: the grid-and-refine path for many distinct values reaches the same optimum
as the exhaustive search over every value/gap combination."""

from __future__ import annotations

import numpy as np
import pytest

from measure.threshold_search import EXACT_LEVELS, Profile, collapse_levels


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("noise", [0.3, 3.0])
def test_refined_grid_equals_exhaustive(seed: int, noise: float) -> None:
    rng = np.random.default_rng(seed)
    n = 600
    s = rng.uniform(1, 10, n)
    y = 1.2 * s - 1.1 * np.maximum(s - 4, 0) + 1.4 * np.maximum(s - 8, 0) + rng.normal(0, noise, n)
    levels = collapse_levels(s, y, np.ones(n))
    assert levels.x.size > EXACT_LEVELS  # so best_two takes the grid path
    profile = Profile(levels, min_segment=30, min_separation=0.0)
    exhaustive = profile.exhaustive_two()
    refined = profile.best_two()
    assert refined[2] == pytest.approx(exhaustive[2], rel=1e-12)
