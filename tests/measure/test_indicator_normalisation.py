"""Normalising the loyalty indicators: anchors, direction, capping, sample anchors, constant indicators."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from measure.indicator_normalisation import (
    indicator,
    indicator_values_from_items,
    normalise_indicators,
)
from tests.measure.d5 import d5_sample_anchored, d5_values


def test_fixed_anchors_scale_reverse_and_cap() -> None:
    data = pd.DataFrame({"purchases": [0, 12, 24, 30, None], "decide_days": [0, 15, 30, 45, 3]})
    result = normalise_indicators(
        data,
        [
            indicator("purchases", "higher_is_better", [0, 24]),
            indicator("decide_days", "higher_is_worse", [0, 30]),
        ],
    )
    assert_allclose(result.scores["purchases"], [0, 0.5, 1, 1, np.nan], rtol=1e-12)
    assert_allclose(result.scores["decide_days"], [1, 0.5, 0, 0, 0.9], rtol=1e-12)
    assert result.capped == (1, 1)  # 30 purchases capped at 24; 45 days capped at 30; the missing cell is not


def test_sample_anchors_are_textbook_min_max_and_are_returned_for_freezing() -> None:
    result = normalise_indicators(d5_values(), d5_sample_anchored())
    assert result.scores.min().tolist() == [0.0] * 6
    assert result.scores.max().tolist() == [1.0] * 6
    repeat, minutes = result.indicators[0], result.indicators[1]
    assert (repeat.low, repeat.high) == (1, 12)
    assert (minutes.low, minutes.high, minutes.direction) == (5, 45, "higher_is_worse")
    assert result.scores.loc[0, "deliberation_time"] == 1.0  # 5 minutes is the best in the sample


def test_frozen_sample_anchors_give_the_same_scores_on_the_baseline_and_cap_a_later_wave() -> None:
    baseline = normalise_indicators(d5_values(), d5_sample_anchored())
    again = normalise_indicators(d5_values(), baseline.indicators)
    pd.testing.assert_frame_equal(again.scores, baseline.scores)
    later = d5_values().assign(repeat_purchases=[20, 3, 8, 1, 6, 10, 4, 7])
    assert normalise_indicators(later, baseline.indicators).scores.loc[0, "repeat_purchases"] == 1.0


def test_a_constant_indicator_cannot_take_sample_anchors() -> None:
    data = d5_values().assign(trust=3)
    with pytest.raises(ValueError, match=r"trust takes the single value 3 in this sample"):
        normalise_indicators(data, d5_sample_anchored())


def test_a_constant_indicator_with_fixed_anchors_is_scaled_like_any_other() -> None:
    data = pd.DataFrame({"trust": [3, 3, 3]})
    result = normalise_indicators(data, [indicator("trust", "higher_is_better", [1, 5])])
    assert result.scores["trust"].tolist() == [0.5, 0.5, 0.5]


def test_bad_definitions_are_refused_naming_the_indicator() -> None:
    with pytest.raises(ValueError, match=r"direction of churn must be"):
        indicator("churn", "lower_is_better", [0, 10])
    with pytest.raises(ValueError, match=r"anchors of churn must be two finite numbers, low < high; got \[10, 0\]"):
        indicator("churn", "higher_is_worse", [10, 0])
    with pytest.raises(ValueError, match=r"no column for indicators \['trust'\]"):
        normalise_indicators(pd.DataFrame({"churn": [1]}), [indicator("trust", "higher_is_better", [1, 5])])


def test_multi_item_indicator_is_the_mean_of_the_answered_items() -> None:
    answers = pd.DataFrame({"trust1": [5, 4, None], "trust2": [3, None, None], "trust3": [4, 2, None]})
    values = indicator_values_from_items(answers, {"trust": ["trust1", "trust2", "trust3"]})
    assert values["trust"].iloc[:2].tolist() == [4.0, 3.0]
    assert math.isnan(values["trust"].iloc[2])


@given(
    st.lists(st.floats(min_value=-100, max_value=100), min_size=1, max_size=30),
    st.floats(min_value=-50, max_value=0),
    st.floats(min_value=1, max_value=50),
    st.sampled_from(["higher_is_better", "higher_is_worse"]),
)
def test_scores_always_lie_in_0_1_and_respect_direction(
    raw: list[float], low: float, width: float, direction: str
) -> None:
    data = pd.DataFrame({"x": raw})
    scores = normalise_indicators(data, [indicator("x", direction, [low, low + width])]).scores["x"]
    assert scores.between(0, 1).all()
    order = np.argsort(raw, kind="stable")
    ranked = scores.to_numpy()[order]
    steps = np.diff(ranked)
    assert (steps >= -1e-12).all() if direction == "higher_is_better" else (steps <= 1e-12).all()


def test_a_percentile_anchor_caps_the_top_of_the_sample_and_is_resolved_for_freezing() -> None:
    purchases = pd.DataFrame({"repeat_purchases": [*range(100), 500]})  # one customer far above the rest
    result = normalise_indicators(purchases, [indicator("repeat_purchases", "higher_is_better", [0, "p99"])])
    frozen = result.indicators[0]
    assert frozen.low == 0
    assert frozen.high == pytest.approx(np.percentile(purchases["repeat_purchases"], 99), rel=1e-12)
    assert frozen.high == 99  # P99 of 0, 1, …, 99, 500 (101 values) is the 100th value
    assert result.capped == (1,)  # only the 500
    assert result.scores["repeat_purchases"].iloc[-1] == 1.0
    assert result.scores["repeat_purchases"].iloc[50] == pytest.approx(50 / frozen.high, rel=1e-12)
    assert frozen.as_dict()["anchors"] == [0, frozen.high]


def test_percentile_anchors_must_be_spelled_and_ordered() -> None:
    with pytest.raises(ValueError, match=r"numbers or percentiles like 'p99'; got 'max'"):
        indicator("churn", "higher_is_worse", [0, "max"])
    with pytest.raises(ValueError, match=r"must be increasing"):
        indicator("churn", "higher_is_worse", ["p90", "p10"])
    assert indicator("churn", "higher_is_worse", ["p0", "p100"]).as_dict()["anchors"] == "sample"
