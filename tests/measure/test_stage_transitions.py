"""Transition matrices between two waves: linking by id, counts, row shares, stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from measure.stage_transitions import stage_transitions


def test_counts_and_row_shares_of_linked_customers() -> None:
    earlier = pd.Series(["a", "a", "a", "b", "b"], index=[1, 2, 3, 4, 5])
    later = pd.Series(["a", "b", "b", "b", "a", "a"], index=[1, 2, 3, 4, 5, 6])
    moves = stage_transitions(earlier, later, stages=["b", "a"])
    assert moves.stages == ("b", "a")
    assert moves.counts == ((1, 1), (2, 1))
    assert moves.row_shares[1] == pytest.approx((2 / 3, 1 / 3))
    assert (moves.linked, moves.only_earlier, moves.only_later) == (5, 0, 1)
    assert moves.stability == pytest.approx(2 / 5)


def test_stages_seen_only_once_get_a_row_with_no_shares() -> None:
    moves = stage_transitions(pd.Series(["x"], index=["c1"]), pd.Series(["y"], index=["c1"]))
    assert moves.stages == ("x", "y")
    assert np.isnan(moves.row_shares[1][0])
    assert moves.as_dict()["row_shares"][1] == [None, None]


def test_a_customer_twice_in_a_wave_and_no_overlap_are_errors() -> None:
    with pytest.raises(ValueError, match="earlier: customer 1 appears more than once"):
        stage_transitions(pd.Series(["a", "b"], index=[1, 1]), pd.Series(["a"], index=[1]))
    with pytest.raises(ValueError, match="no customer has a stage in both waves"):
        stage_transitions(pd.Series(["a"], index=[1]), pd.Series(["a"], index=[2]))
