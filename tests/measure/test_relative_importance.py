"""Derived importance: the METHODS §6 test vector (R relaimpo / Johnson 2000) and data-based behaviour."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from measure.relative_importance import (
    derived_importance,
    importance_from_correlations,
    lmg_shapley,
    relative_weights,
)

# METHODS §6 TV: y on x1..x4 given as correlations
CORRELATIONS = np.array(
    [[1, 0.5, 0.4, 0.3], [0.5, 1, 0.35, 0.25], [0.4, 0.35, 1, 0.45], [0.3, 0.25, 0.45, 1]], dtype=float
)
OUTCOME = np.array([0.6, 0.45, 0.55, 0.4])


def test_methods_vector_r_squared_beta_pratt() -> None:
    result = importance_from_correlations(CORRELATIONS, OUTCOME)
    assert result.r_squared == pytest.approx(0.4978684, abs=5e-8)
    assert_allclose(result.beta, [0.382154, 0.124088, 0.300011, 0.119327], atol=5e-7)
    assert_allclose(result.pratt, [0.229292, 0.055839, 0.165006, 0.047731], atol=5e-7)


def test_methods_vector_lmg_and_shares() -> None:
    lmg = lmg_shapley(CORRELATIONS, OUTCOME)
    assert_allclose(lmg, [0.199995, 0.081433, 0.153052, 0.063389], atol=5e-7)
    assert_allclose(100 * lmg / lmg.sum(), [40.170, 16.356, 30.741, 12.732], atol=5e-4)


def test_methods_vector_relative_weights_and_shares() -> None:
    weights = relative_weights(CORRELATIONS, OUTCOME)
    assert_allclose(weights, [0.198952, 0.081766, 0.152565, 0.064585], atol=5e-7)
    assert_allclose(100 * weights / weights.sum(), [39.961, 16.423, 30.644, 12.972], atol=5e-4)
    assert weights.sum() == pytest.approx(0.4978684, abs=5e-8)


def test_sampled_lmg_approaches_the_exact_values_and_is_repeatable() -> None:
    sampled = lmg_shapley(CORRELATIONS, OUTCOME, max_exact=2, n_permutations=4000, seed=7)
    again = lmg_shapley(CORRELATIONS, OUTCOME, max_exact=2, n_permutations=4000, seed=7)
    assert_allclose(sampled, again, rtol=0, atol=0)
    r_squared = importance_from_correlations(CORRELATIONS, OUTCOME).r_squared
    assert sampled.sum() == pytest.approx(r_squared, abs=1e-12)  # every ordering adds up to R²
    # Monte-Carlo error of 4000 orderings is about 0.001 here
    assert_allclose(sampled, [0.199995, 0.081433, 0.153052, 0.063389], atol=5e-3)


def test_linearly_dependent_correlations_are_refused() -> None:
    with pytest.raises(ValueError, match="linearly dependent"):
        relative_weights([[1, 1], [1, 1]], [0.5, 0.5])


@pytest.fixture(scope="module")
def bank(reference: Path) -> pd.DataFrame:
    return pd.read_csv(reference / "data" / "satisfaction_bank.csv")


def test_data_decomposition_equals_the_correlation_route(bank: pd.DataFrame) -> None:
    attributes = bank[["qual1", "qual2", "val1", "imag1", "expe1"]]
    result = derived_importance(bank["sat1"], attributes)
    correlations = pd.concat([attributes, bank["sat1"]], axis=1).corr().to_numpy()
    expected = importance_from_correlations(correlations[:-1, :-1], correlations[:-1, -1])
    assert result.r_squared == pytest.approx(expected.r_squared, rel=1e-12)
    assert_allclose([a.lmg for a in result.attributes], expected.lmg, rtol=1e-10)
    assert_allclose([a.relative_weight for a in result.attributes], expected.relative_weights, rtol=1e-10)
    assert sum(a.lmg_share for a in result.attributes) == pytest.approx(100.0)
    # R² of an OLS fit of the same data
    design = np.column_stack([np.ones(len(bank)), attributes.to_numpy()])
    fitted = design @ np.linalg.lstsq(design, bank["sat1"].to_numpy(), rcond=None)[0]
    r_squared = 1 - np.sum((bank["sat1"] - fitted) ** 2) / np.sum((bank["sat1"] - bank["sat1"].mean()) ** 2)
    assert result.r_squared == pytest.approx(r_squared, rel=1e-10)


def test_bootstrap_intervals_bracket_the_estimate_and_repeat_with_the_seed(bank: pd.DataFrame) -> None:
    attributes = bank[["qual1", "val1", "imag1"]]
    first = derived_importance(bank["sat1"], attributes, n_bootstrap=60, seed=11)
    second = derived_importance(bank["sat1"], attributes, n_bootstrap=60, seed=11)
    assert first == second
    assert first.seed == 11
    for attribute in first.attributes:
        assert attribute.relative_weight_ci_low is not None
        assert attribute.relative_weight_ci_high is not None
        assert attribute.relative_weight_ci_low <= attribute.relative_weight <= attribute.relative_weight_ci_high
        assert attribute.rank_ci_low is not None
        assert attribute.rank_ci_high is not None
        assert 1 <= attribute.rank_ci_low <= attribute.rank_ci_high <= 3


def test_more_than_fifteen_attributes_use_seeded_permutations() -> None:
    rng = np.random.default_rng(3)
    ratings = pd.DataFrame(rng.normal(size=(120, 16)), columns=[f"a{j}" for j in range(16)])
    overall = ratings.to_numpy() @ np.linspace(1, 0, 16) + rng.normal(size=120)
    result = derived_importance(overall, ratings, n_permutations=200, seed=5)
    assert result.lmg_method == "permutations"
    assert result.lmg_permutations == 200
    assert sum(a.lmg for a in result.attributes) == pytest.approx(result.r_squared, abs=1e-12)


def test_constant_attribute_is_named() -> None:
    ratings = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [3.0] * 5})
    with pytest.raises(ValueError, match=r"no variation in \['b'\]"):
        derived_importance([1.0, 2.0, 2.5, 4.0, 5.0], ratings)


def test_integer_weights_equal_repeating_respondents(bank: pd.DataFrame) -> None:
    attributes = bank[["qual1", "val1", "imag1"]].iloc[:60]
    outcome = bank["sat1"].iloc[:60]
    weights = np.array([1 + i % 3 for i in range(60)])
    weighted = derived_importance(outcome, attributes, weights=weights)
    repeated = derived_importance(
        outcome.repeat(weights.tolist()), attributes.loc[attributes.index.repeat(weights.tolist())]
    )
    assert weighted.r_squared == pytest.approx(repeated.r_squared, rel=1e-12)
    assert_allclose([a.lmg for a in weighted.attributes], [a.lmg for a in repeated.attributes], rtol=1e-10)
