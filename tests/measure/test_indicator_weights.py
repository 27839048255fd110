"""Indicator weights: the D5 vectors of METHODS §3.7, constant indicators, freezing and combining."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from measure.indicator_normalisation import normalise_indicators
from measure.indicator_weights import (
    IndicatorWeights,
    combined_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    indicator_ahp_weights,
    pca_weights,
)
from tests.measure import d5


def d5_scores() -> pd.DataFrame:
    return normalise_indicators(d5.d5_values(), d5.d5_sample_anchored()).scores


def test_entropy_weights_and_entropies_of_d5() -> None:
    result = entropy_weights(d5_scores())
    assert result.entropy is not None
    assert_allclose(result.entropy, d5.ENTROPY, atol=5e-7)
    assert_allclose(result.weights, d5.ENTROPY_WEIGHTS, atol=5e-7)
    assert result.complete_cases == 8


def test_entropy_weights_of_d5_with_the_1e4_shift_some_papers_use() -> None:
    assert_allclose(entropy_weights(d5_scores(), shift=1e-4).weights, d5.ENTROPY_WEIGHTS_SHIFTED, atol=5e-7)


def test_critic_weights_of_d5() -> None:
    assert_allclose(critic_weights(d5_scores()).weights, d5.CRITIC_WEIGHTS, atol=5e-7)


def test_pca_weights_of_d5_are_the_squared_first_eigenvector() -> None:
    result = pca_weights(d5_scores())
    assert result.components == 1
    assert result.eigenvalues is not None
    assert result.eigenvalues[0] == pytest.approx(d5.PCA_FIRST_EIGENVALUE, abs=5e-7)
    assert result.eigenvalues[0] / 6 == pytest.approx(0.955, abs=5e-4)
    assert_allclose(result.weights, d5.PCA_WEIGHTS, atol=5e-7)


def test_pca_with_two_blocks_of_indicators_gives_each_block_its_share() -> None:
    # two independent pairs of identical indicators: two components, each explains half
    first = np.array([0.1, 0.4, 0.3, 0.9, 0.6, 0.2, 0.8, 0.5])
    second = np.array([0.7, 0.2, 0.9, 0.4, 0.1, 0.6, 0.3, 0.8])
    second = second - np.corrcoef(first, second)[0, 1] * (first - first.mean()) * second.std() / first.std()
    scores = pd.DataFrame({"a": first, "b": first, "c": second, "d": second})
    result = pca_weights(scores)
    assert result.components == 2
    assert_allclose(result.weights, [0.25] * 4, atol=1e-6)


def test_ahp_weights_of_the_six_indicators_d5() -> None:
    result = indicator_ahp_weights(d5.NAMES, d5.AHP_MATRIX)
    assert_allclose(result.weights, d5.AHP_WEIGHTS, atol=5e-7)
    assert result.lambda_max == pytest.approx(6.041350, abs=5e-7)
    assert result.consistency_index == pytest.approx(0.008270, abs=5e-7)
    assert result.consistency_ratio == pytest.approx(0.006669, abs=5e-7)
    assert result.as_dict()["weights"] == dict(zip(d5.NAMES, result.weights, strict=True))


def test_ahp_matrix_of_the_wrong_size_for_the_indicators_is_refused() -> None:
    with pytest.raises(ValueError, match=r"matrix has 6 rows but 5 indicators are named"):
        indicator_ahp_weights(d5.NAMES[:5], d5.AHP_MATRIX)


def test_inconsistent_ahp_accepted_on_request_carries_the_warning_in_notes() -> None:
    inconsistent: list[list[float]] = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    with pytest.raises(ValueError, match="inconsistent"):
        indicator_ahp_weights(["a", "b", "c"], inconsistent)
    result = indicator_ahp_weights(["a", "b", "c"], inconsistent, accept_inconsistent=True)
    assert len(result.notes) == 1
    assert "Inconsistent judgments accepted" in result.notes[0]


def test_a_constant_indicator_gets_weight_zero_from_every_data_method_with_a_note() -> None:
    scores = d5_scores().assign(trust=0.5)
    for derive in (entropy_weights, critic_weights, pca_weights):
        result = derive(scores)
        assert result.weight_of()["trust"] == 0
        assert sum(result.weights) == pytest.approx(1, abs=1e-12)
        assert any("trust is constant" in note for note in result.notes)
    # CRITIC without the constant indicator is CRITIC on the other five
    others = critic_weights(scores.drop(columns="trust"))
    assert_allclose(critic_weights(scores).weights[:5], others.weights, rtol=1e-12)


def test_every_indicator_constant_is_an_error() -> None:
    scores = pd.DataFrame({"a": [0.5] * 4, "b": [0.2] * 4})
    for derive in (entropy_weights, critic_weights, pca_weights):
        with pytest.raises(ValueError, match=r"constant|vary"):
            derive(scores)


def test_data_weights_use_complete_cases_and_need_three() -> None:
    scores = d5_scores()
    scores.loc[0, "trust"] = np.nan
    assert entropy_weights(scores).complete_cases == 7
    with pytest.raises(ValueError, match=r"has 2 respondents with every indicator present"):
        entropy_weights(scores.iloc[:3])


def test_weights_frozen_at_a_baseline_survive_json_and_come_back_unchanged() -> None:
    baseline = indicator_ahp_weights(d5.NAMES, d5.AHP_MATRIX)
    restored = IndicatorWeights.from_dict(json.loads(json.dumps(baseline.as_dict())))
    assert restored.weight_of() == baseline.weight_of()
    assert restored.consistency_ratio == baseline.consistency_ratio
    assert restored.method == "ahp"


def test_saved_weights_that_do_not_sum_to_one_are_refused() -> None:
    with pytest.raises(ValueError, match=r"sum to 1; they sum to 1\.5"):
        IndicatorWeights.from_dict({"weights": {"a": 1.0, "b": 0.5}})
    with pytest.raises(ValueError, match="weight of b must be a number"):
        IndicatorWeights.from_dict({"weights": {"a": 1.0, "b": "high"}})


def test_combined_subjective_and_objective_weights_of_d5() -> None:
    expert = indicator_ahp_weights(d5.NAMES, d5.AHP_MATRIX)
    data = entropy_weights(d5_scores())
    linear = combined_weights(expert, data, share_subjective=0.5)
    assert_allclose(linear.weights, 0.5 * np.array(d5.AHP_WEIGHTS) + 0.5 * np.array(d5.ENTROPY_WEIGHTS), atol=1e-6)
    assert linear.description == "linear: 0.5 × ahp + 0.5 × entropy"
    assert linear.consistency_ratio == expert.consistency_ratio  # the expert part stays explained
    product = np.array(d5.AHP_WEIGHTS) * np.array(d5.ENTROPY_WEIGHTS)
    assert_allclose(combined_weights(expert, data, rule="multiplicative").weights, product / product.sum(), atol=1e-6)
    with pytest.raises(ValueError, match="same indicators"):
        combined_weights(expert, equal_weights(d5.NAMES[:5]))
