"""`measure.composites`: satisfaction and loyalty composites, checked against the mobi composites made in R
(reference/scripts/03b_mobi_composites.R)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from measure.composites import loyalty_composite, satisfaction_composite


@pytest.mark.parametrize(("variant", "loyalty_items"), [("A", ["CUSL1", "CUSL2", "CUSL3"]), ("C", ["CUSL1", "CUSL3"])])
def test_mobi_composites_match_r(reference: Path, variant: str, loyalty_items: list[str]) -> None:
    mobi = pd.read_csv(reference / "data" / "mobi.csv")
    expected = pd.read_csv(reference / "data" / "derived" / f"mobi_composite_{variant}.csv")
    satisfaction = satisfaction_composite(mobi[["CUSA1", "CUSA2", "CUSA3"]], scale_min=1, scale_max=10)
    loyalty = loyalty_composite(mobi[loyalty_items], scale_min=1, scale_max=10)
    np.testing.assert_allclose(satisfaction.values, expected["satisfaction"], rtol=1e-14)
    np.testing.assert_allclose(loyalty.values, expected["loyalty"], rtol=1e-13)
    assert satisfaction.missing == loyalty.missing == 0


def test_reversed_items_and_half_answered_rule() -> None:
    nan = float("nan")
    composite = satisfaction_composite(
        [[5, 1, nan, nan], [5, 1, 5, nan], [nan, nan, nan, 2]],
        scale_min=1,
        scale_max=5,
        higher_is_better=[True, False, True, True],
    )
    assert composite.values[:2] == (5.0, 5.0)  # the second item is reversed: 1 → 5
    assert math.isnan(composite.values[2])  # 1 of 4 answered: fewer than half
    assert composite.answered == (2, 3, 1)


def test_items_on_different_scales_are_mapped_onto_the_first() -> None:
    composite = satisfaction_composite([[10, 5]], scale_min=[1, 1], scale_max=[10, 5])
    assert composite.values == (10.0,)


def test_answers_outside_the_scale_are_an_error() -> None:
    with pytest.raises(ValueError, match=r"11 \(respondent 2, item 1, scale 0–10\)"):
        loyalty_composite([[3], [11]], scale_min=0, scale_max=10)
