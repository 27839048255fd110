"""The loyalty index: D5 of METHODS §3.7, missing indicators, weighted intervals, change, sensitivity."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from measure.indicator_normalisation import NormalisedIndicators, indicator, normalise_indicators
from measure.indicator_weights import IndicatorWeights, entropy_weights, equal_weights, indicator_ahp_weights
from measure.loyalty_index import (
    IndexEstimate,
    index_change,
    index_sensitivity,
    loyalty_index,
    loyalty_index_change,
    mean_index,
    paired_index_change,
    respondent_loyalty_index,
)
from tests.measure import d5


def d5_normalised() -> NormalisedIndicators:
    return normalise_indicators(d5.d5_values(), d5.d5_sample_anchored())


def test_d5_index_with_equal_entropy_and_ahp_weights() -> None:
    normalised = d5_normalised()
    for weights, expected in (
        (equal_weights(d5.NAMES), d5.EQUAL_INDEX),
        (entropy_weights(normalised.scores), d5.ENTROPY_INDEX),
        (indicator_ahp_weights(d5.NAMES, d5.AHP_MATRIX), d5.AHP_INDEX),
    ):
        result = loyalty_index(normalised, weights)
        assert_allclose(result.respondent_index, expected, atol=5e-4)
        assert result.overall.index == pytest.approx(np.mean(expected), abs=5e-4)
        assert result.overall.n == 8


def test_d5_overall_interval_is_the_student_t_interval_of_the_respondents() -> None:
    result = loyalty_index(d5_normalised(), equal_weights(d5.NAMES))
    values = np.array(result.respondent_index)
    half = 2.364624251592785 * values.std(ddof=1) / math.sqrt(8)  # qt(0.975, 7)
    assert result.overall.ci_low == pytest.approx(values.mean() - half, rel=1e-9)
    assert result.overall.ci_high == pytest.approx(values.mean() + half, rel=1e-9)
    assert result.ci_method.startswith("Student t")


def test_a_respondent_with_three_of_six_indicators_gets_no_index_and_is_counted() -> None:
    data = d5.d5_values()
    data.loc[0, ["repeat_purchases", "churn", "trust"]] = np.nan  # 3 of 6 left
    data.loc[1, ["repeat_purchases", "trust"]] = np.nan  # 4 of 6 left
    normalised = normalise_indicators(data, normalise_indicators(d5.d5_values(), d5.d5_sample_anchored()).indicators)
    result = loyalty_index(normalised, equal_weights(d5.NAMES))
    assert math.isnan(result.respondent_index[0])
    assert result.overall.n == 7
    assert result.overall.n_excluded == 1
    # respondent 2: the four present indicators, weights renormalised to 1/4 each
    expected = (
        100 * normalised.scores.loc[1, ["deliberation_time", "price_sensitivity", "competitor_attitude", "churn"]]
    )
    assert result.respondent_index[1] == pytest.approx(expected.mean(), rel=1e-12)
    assert result.as_dict()["respondent_index"][0] is None  # type: ignore[index]


def test_renormalised_weights_keep_their_ratios() -> None:
    scores = pd.DataFrame({"a": [1.0], "b": [0.0], "c": [np.nan], "d": [0.5], "e": [1.0]})
    weights = indicator_ahp_weights(
        ["a", "b", "c", "d", "e"],
        np.outer([4, 2, 2, 1, 1], [1 / 4, 1 / 2, 1 / 2, 1, 1]),
    )
    # weights 0.4, 0.2, 0.2, 0.1, 0.1 → without c: 0.5, 0.25, 0.125, 0.125
    index = respondent_loyalty_index(scores, weights)
    assert index[0] == pytest.approx(100 * (0.5 * 1 + 0.25 * 0 + 0.125 * 0.5 + 0.125 * 1), rel=1e-9)


def test_nobody_with_enough_indicators_is_an_error() -> None:
    data = d5.d5_values()
    data[["repeat_purchases", "churn", "trust"]] = np.nan
    frozen = normalise_indicators(d5.d5_values(), d5.d5_sample_anchored()).indicators
    with pytest.raises(ValueError, match=r"no respondent with at least 4 of 6 indicators present"):
        loyalty_index(normalise_indicators(data, frozen), equal_weights(d5.NAMES))


def test_fewer_indicators_defined_than_the_minimum_is_an_error() -> None:
    scores = pd.DataFrame({"a": [0.5], "b": [0.5], "c": [0.5]})
    with pytest.raises(ValueError, match=r"minimum_indicators must be between 1 and the 3 indicators; got 4"):
        respondent_loyalty_index(scores, equal_weights(["a", "b", "c"]))


def test_weights_for_other_indicators_are_refused() -> None:
    with pytest.raises(ValueError, match="a frozen weighting must cover the same indicators"):
        loyalty_index(d5_normalised(), equal_weights(d5.NAMES[:5]))


def test_weighted_mean_and_standard_error_match_r_survey_with_fixed_weights(reference: Path) -> None:
    data = pd.read_csv(reference / "data" / "synthetic" / "synth_raking_n3000.csv")
    weights = pd.read_csv(reference / "expected" / "survey_raking_weights_synth_n3000.csv")
    expected = json.loads((reference / "expected" / "survey_raking.json").read_text())["satisfaction"]
    merged = data.merge(weights, on="id")
    weighted = mean_index(merged["satisfaction"], survey_weights=merged["weight"])
    assert weighted.index == pytest.approx(expected["fixed_weights_design"]["mean"], rel=1e-10)
    assert weighted.standard_error == pytest.approx(expected["fixed_weights_design"]["se"], rel=1e-8)
    assert weighted.effective_n == pytest.approx(2446.44578695457, rel=1e-9)
    unweighted = mean_index(merged["satisfaction"])
    assert unweighted.index == pytest.approx(expected["unweighted"]["mean"], rel=1e-10)
    assert unweighted.standard_error == pytest.approx(expected["unweighted"]["se_srs"], rel=1e-8)


def test_equal_survey_weights_give_the_unweighted_interval() -> None:
    values = np.array([40.0, 55.0, 70.0, 65.0, 90.0])
    plain, weighted = mean_index(values), mean_index(values, survey_weights=np.full(5, 3.0))
    assert weighted.ci_low == pytest.approx(plain.ci_low, rel=1e-12)
    assert weighted.ci_high == pytest.approx(plain.ci_high, rel=1e-12)


def test_segments_have_their_own_index_and_interval() -> None:
    segments = ["gold", "new", "gold", "new", "new", "gold", "new", "gold"]
    result = loyalty_index(d5_normalised(), equal_weights(d5.NAMES), segments=segments)
    by_name = {segment.segment: segment for segment in result.segments}
    equal = np.array(d5.EQUAL_INDEX)
    assert by_name["gold"].index == pytest.approx(equal[[0, 2, 5, 7]].mean(), abs=5e-4)
    assert by_name["new"].index == pytest.approx(equal[[1, 3, 4, 6]].mean(), abs=5e-4)
    assert by_name["gold"].n == 4
    assert by_name["gold"].ci_low < by_name["gold"].index < by_name["gold"].ci_high


def test_change_between_waves_is_welchs_t_test() -> None:
    now = IndexEstimate(None, 66.0, 1.0, 64.0, 68.0, 200, 0, 200.0)
    before = IndexEstimate(None, 63.0, 1.2, 60.6, 65.4, 180, 0, 180.0)
    change = index_change(now, before)
    df = (1.0**2 + 1.2**2) ** 2 / (1.0**4 / 199 + 1.2**4 / 179)
    assert change.degrees_of_freedom == pytest.approx(df, rel=1e-12)
    assert change.statistic == pytest.approx(3 / math.sqrt(2.44), rel=1e-12)
    assert change.p_value == pytest.approx(2 * stats.t.sf(3 / math.sqrt(2.44), df), rel=1e-12)
    assert change.ci_low < 3 < change.ci_high


def test_change_agrees_with_welchs_test_on_raw_respondent_indices() -> None:
    normalised = d5_normalised()
    weights = equal_weights(d5.NAMES)
    first = loyalty_index(normalised, weights)
    later_values = d5.d5_values().assign(trust=[5, 3, 4, 2, 4, 5, 4, 5])
    second = loyalty_index(normalise_indicators(later_values, normalised.indicators), weights)
    change = loyalty_index_change(second, first)
    welch = stats.ttest_ind(second.respondent_index, first.respondent_index, equal_var=False)
    assert change.statistic == pytest.approx(welch.statistic, rel=1e-10)
    assert change.p_value == pytest.approx(welch.pvalue, rel=1e-10)


def test_change_refuses_waves_built_differently() -> None:
    normalised = d5_normalised()
    first = loyalty_index(normalised, equal_weights(d5.NAMES))
    second = loyalty_index(normalised, entropy_weights(normalised.scores))
    with pytest.raises(ValueError, match="different weights"):
        loyalty_index_change(second, first)
    fixed = [indicator(item.name, item.direction, [0, 100]) for item in normalised.indicators]
    third = loyalty_index(normalise_indicators(d5.d5_values(), fixed), equal_weights(d5.NAMES))
    with pytest.raises(ValueError, match="different anchors"):
        loyalty_index_change(third, first)


def test_sensitivity_table_has_every_method_and_their_spread() -> None:
    normalised = d5_normalised()
    expert = indicator_ahp_weights(d5.NAMES, d5.AHP_MATRIX)
    table = index_sensitivity(normalised, expert_weights={"ahp": expert})
    assert [row.method for row in table.rows] == ["equal", "entropy", "critic", "pca", "ahp"]
    by_method = {row.method: row.overall.index for row in table.rows}
    assert by_method["equal"] == pytest.approx(np.mean(d5.EQUAL_INDEX), abs=5e-4)
    assert by_method["entropy"] == pytest.approx(np.mean(d5.ENTROPY_INDEX), abs=5e-4)
    assert by_method["ahp"] == pytest.approx(np.mean(d5.AHP_INDEX), abs=5e-4)
    assert table.spread == pytest.approx(max(by_method.values()) - min(by_method.values()), rel=1e-12)
    assert table.as_dict()["rows"][4]["weights"] == expert.weight_of()  # type: ignore[index]


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1)), min_size=6, max_size=6),
        min_size=1,
        max_size=20,
    ),
    st.lists(st.floats(min_value=0.01, max_value=1), min_size=6, max_size=6),
)
def test_a_respondent_index_lies_between_their_lowest_and_highest_indicator(
    rows: list[list[float | None]], raw_weights: list[float]
) -> None:
    scores = pd.DataFrame([[np.nan if value is None else value for value in row] for row in rows], columns=d5.NAMES)
    total = sum(raw_weights)
    weights = IndicatorWeights(tuple(d5.NAMES), tuple(w / total for w in raw_weights), "test")
    index = respondent_loyalty_index(scores, weights)
    for i, value in enumerate(index):
        present = scores.iloc[i].dropna()
        if len(present) < 4:
            assert math.isnan(value)
        else:
            assert 100 * present.min() - 1e-9 <= value <= 100 * present.max() + 1e-9


def test_paired_change_of_panel_respondents_is_the_paired_t_test() -> None:
    previous = pd.Series([60.0, 70.0, 55.0, 80.0, 40.0, np.nan], index=list("abcdef"))
    current = pd.Series([66.0, 71.0, 59.0, np.nan, 47.0, 52.0, 90.0], index=list("abcdefg"))
    change = paired_index_change(current, previous)
    both = ["a", "b", "c", "e"]
    paired = stats.ttest_rel(current[both], previous[both])
    assert change.n_pairs == 4
    assert change.statistic == pytest.approx(paired.statistic, rel=1e-12)
    assert change.p_value == pytest.approx(paired.pvalue, rel=1e-12)
    assert change.previous == pytest.approx(previous[both].mean(), rel=1e-12)
    interval = paired.confidence_interval(0.95)
    assert (change.ci_low, change.ci_high) == pytest.approx((interval.low, interval.high), rel=1e-12)


def test_paired_change_needs_two_shared_respondents_and_unique_ids() -> None:
    with pytest.raises(ValueError, match=r"share 1 respondent\(s\) with an index"):
        paired_index_change(pd.Series([1.0, 2.0], index=["a", "b"]), pd.Series([1.0, 2.0], index=["a", "c"]))
    with pytest.raises(ValueError, match=r"current has respondent ids more than once: \['a'\]"):
        paired_index_change(pd.Series([1.0, 2.0], index=["a", "a"]), pd.Series([1.0, 2.0], index=["a", "b"]))
