"""AHP weights and consistency: the published matrices of METHODS §3.6 and §3.7, and bad matrices."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from measure.ahp import ahp_weights, group_judgments, pairwise_matrix, random_index

# Saaty (1990) EJOR 48:9–26, house buying:
# size, transport, neighbourhood, age, yard, modern facilities, condition, financing
HOUSE: list[list[float]] = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
# Saaty (2008) drink consumption: coffee, wine, tea, beer, soda, milk, water
DRINKS: list[list[float]] = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]
LEADER: list[list[float]] = [[1, 4, 3, 7], [1 / 4, 1, 1 / 3, 3], [1 / 3, 3, 1, 5], [1 / 7, 1 / 3, 1 / 5, 1]]
CAR: list[list[float]] = [[1, 3, 7, 3], [1 / 3, 1, 9, 1], [1 / 7, 1 / 9, 1, 1 / 7], [1 / 3, 1, 7, 1]]
# METHODS §3.7: the six loyalty indicators (repeat, deliberation, price, competitor, churn, trust)
D5_AHP: list[list[float]] = [
    [1, 3, 2, 2, 1 / 2, 1 / 2],
    [1 / 3, 1, 1 / 2, 1 / 2, 1 / 4, 1 / 4],
    [1 / 2, 2, 1, 1, 1 / 3, 1 / 3],
    [1 / 2, 2, 1, 1, 1 / 3, 1 / 3],
    [2, 4, 3, 3, 1, 1],
    [2, 4, 3, 3, 1, 1],
]


def test_house_buying_is_inconsistent_and_refused_by_default() -> None:
    with pytest.raises(ValueError, match=r"inconsistent: consistency ratio 0\.169 is above 0\.10"):
        ahp_weights(HOUSE)


def test_house_buying_reproduces_saaty_1990_when_accepted_with_a_warning() -> None:
    result = ahp_weights(HOUSE, accept_inconsistent=True)
    assert_allclose(result.weights, [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333], atol=5e-4)
    assert result.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert result.consistency_index == pytest.approx(0.238, abs=5e-4)
    assert result.consistency_ratio == pytest.approx(0.169, abs=5e-4)
    assert result.random_index == 1.41
    assert "0.169" in result.warning


def test_drinks_reproduces_saaty_2008_with_both_random_index_tables() -> None:
    saaty2005 = ahp_weights(DRINKS, random_index_table="saaty2005")
    assert_allclose(saaty2005.weights, [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327], atol=5e-4)
    assert saaty2005.lambda_max == pytest.approx(7.1766, abs=5e-5)
    assert saaty2005.consistency_index == pytest.approx(0.0294, abs=5e-5)
    assert saaty2005.consistency_ratio == pytest.approx(0.022, abs=5e-4)
    assert ahp_weights(DRINKS).consistency_ratio == pytest.approx(0.0223, abs=5e-5)
    assert saaty2005.warning == ""


def test_leader_criteria_by_eigenvector_and_both_textbook_approximations() -> None:
    eigen = ahp_weights(LEADER)
    assert_allclose(eigen.weights, [0.548, 0.127, 0.270, 0.056], atol=5e-4)
    assert eigen.lambda_max == pytest.approx(4.1184, abs=5e-5)
    assert eigen.consistency_ratio == pytest.approx(0.044, abs=5e-4)
    sum_product = ahp_weights(LEADER, method="sum_product")  # 和积法
    assert_allclose(sum_product.weights, [0.5396, 0.1315, 0.2715, 0.0573], atol=5e-5)
    assert sum_product.lambda_max == pytest.approx(4.1194, abs=5e-5)
    geometric = ahp_weights(LEADER, method="geometric_mean")  # 方根法
    assert_allclose(geometric.weights, [0.5462, 0.1276, 0.2698, 0.0564], atol=5e-5)
    assert geometric.lambda_max == pytest.approx(4.1183, abs=5e-5)


def test_car_criteria_consistency_ratio_depends_on_the_random_index_table() -> None:
    donegan_dodd = ahp_weights(CAR, random_index_table="donegan_dodd1991")
    assert_allclose(donegan_dodd.weights, [0.510, 0.234, 0.041, 0.215], atol=5e-4)
    assert donegan_dodd.lambda_max == pytest.approx(4.1992, abs=5e-5)
    assert donegan_dodd.consistency_ratio == pytest.approx(0.080, abs=5e-4)
    assert ahp_weights(CAR).consistency_ratio == pytest.approx(0.0738, abs=5e-5)


def test_six_loyalty_indicators_d5() -> None:
    result = ahp_weights(D5_AHP)
    assert_allclose(result.weights, [0.169844, 0.059159, 0.097757, 0.097757, 0.287742, 0.287742], atol=5e-7)
    assert result.lambda_max == pytest.approx(6.041350, abs=5e-7)
    assert result.consistency_index == pytest.approx(0.008270, abs=5e-7)
    assert result.consistency_ratio == pytest.approx(0.006669, abs=5e-7)


def test_a_perfectly_consistent_matrix_has_lambda_n_and_all_methods_agree() -> None:
    weights = np.array([0.5, 0.3, 0.2])
    consistent = weights[:, None] / weights[None, :]
    for method in ("eigenvector", "sum_product", "geometric_mean"):
        result = ahp_weights(consistent, method=method)
        assert_allclose(result.weights, weights, rtol=1e-12)
        assert result.lambda_max == pytest.approx(3, rel=1e-12)
        assert result.consistency_ratio == pytest.approx(0, abs=1e-12)


def test_two_criteria_are_always_consistent() -> None:
    result = ahp_weights([[1.0, 9], [1 / 9, 1]])
    assert result.weights == pytest.approx((0.9, 0.1), rel=1e-12)
    assert result.consistency_ratio == 0


def test_a_matrix_that_is_not_reciprocal_is_refused_naming_the_entries() -> None:
    bad = [row[:] for row in LEADER]
    bad[1][2] = 3  # should be 1/3, since row 3, column 2 is 3
    with pytest.raises(ValueError, match=r"not reciprocal: row 2, column 3 is 3 but row 3, column 2 is 3"):
        ahp_weights(bad)


def test_a_zero_or_negative_entry_is_refused_naming_it() -> None:
    bad = [row[:] for row in LEADER]
    bad[0][3] = 0
    with pytest.raises(ValueError, match=r"positive numbers .* row 1, column 4 is 0"):
        pairwise_matrix(bad)


def test_a_non_square_matrix_and_a_wrong_diagonal_are_refused() -> None:
    with pytest.raises(ValueError, match=r"square"):
        pairwise_matrix([[1.0, 2, 3], [1 / 2, 1, 1]])
    with pytest.raises(ValueError, match=r"diagonal must be 1 .*: row 2, column 2 is 2"):
        pairwise_matrix([[1.0, 2], [1 / 2, 2]])


def test_decimals_within_two_percent_count_as_reciprocal() -> None:
    assert pairwise_matrix([[1.0, 3], [0.33, 1]])[1, 0] == 0.33


def test_random_index_tables_and_their_limits() -> None:
    assert [random_index(n) for n in (3, 4, 8, 10)] == [0.58, 0.90, 1.41, 1.49]
    assert random_index(4, "donegan_dodd1991") == 0.8286
    assert random_index(15, "saaty2005") == 1.59
    with pytest.raises(ValueError, match=r"n = 11 criteria has no random index in table 'saaty1980'"):
        random_index(11)


def test_group_judgments_take_the_geometric_mean_and_stay_reciprocal() -> None:
    expert_a: list[list[float]] = [[1, 2, 8], [1 / 2, 1, 4], [1 / 8, 1 / 4, 1]]
    expert_b: list[list[float]] = [[1, 8, 2], [1 / 8, 1, 1 / 4], [1 / 2, 4, 1]]
    combined = group_judgments([expert_a, expert_b])
    assert_allclose(combined, [[1.0, 4, 4], [1 / 4, 1, 1], [1 / 4, 1, 1]], rtol=1e-12)
    assert_allclose(combined * combined.T, np.ones((3, 3)), rtol=1e-12)
    with pytest.raises(ValueError, match="same size"):
        group_judgments([expert_a, LEADER])
