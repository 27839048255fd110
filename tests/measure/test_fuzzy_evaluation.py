"""Fuzzy comprehensive evaluation: the D5 vector of METHODS §3.7, both operators, two levels, memberships."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from measure.ahp import ahp_weights
from measure.fuzzy_evaluation import (
    fuzzy_evaluation,
    membership_from_ratings,
    membership_from_scores,
    triangular_membership,
    two_level_fuzzy_evaluation,
)
from tests.measure import d5

AHP_WEIGHTS = ahp_weights(d5.AHP_MATRIX).weights  # full precision; METHODS prints them to 6 decimals

# METHODS §3.7: membership of the six indicators over 很高, 较高, 一般, 较低, 很低
D5_MEMBERSHIP: list[list[float]] = [
    [0.30, 0.35, 0.20, 0.10, 0.05],
    [0.20, 0.30, 0.30, 0.15, 0.05],
    [0.10, 0.25, 0.35, 0.20, 0.10],
    [0.15, 0.30, 0.30, 0.15, 0.10],
    [0.25, 0.40, 0.20, 0.10, 0.05],
    [0.35, 0.35, 0.20, 0.07, 0.03],
]


def test_d5_weighted_average_operator_gives_grade_2_and_the_scores() -> None:
    result = fuzzy_evaluation(AHP_WEIGHTS, D5_MEMBERSHIP)
    assert_allclose(result.membership, [0.259869, 0.346766, 0.230355, 0.108989, 0.054021], atol=5e-7)
    assert result.grade == "较高"
    assert result.grade_position == 2
    assert result.score == pytest.approx(81.4947, abs=5e-4)
    five_to_one = fuzzy_evaluation(AHP_WEIGHTS, D5_MEMBERSHIP, grade_scores=[5, 4, 3, 2, 1])
    assert five_to_one.score == pytest.approx(3.6495, abs=5e-5)
    printed = fuzzy_evaluation(d5.AHP_WEIGHTS, D5_MEMBERSHIP)  # the 6-decimal weights sum to 1.000001
    assert_allclose(printed.membership, result.membership, atol=2e-6)


def test_d5_zadeh_max_min_operator_normalised_and_its_tie_is_ambiguous() -> None:
    result = fuzzy_evaluation(AHP_WEIGHTS, D5_MEMBERSHIP, operator="max_min")
    assert_allclose(result.membership, [0.295653, 0.295653, 0.205499, 0.102750, 0.100444], atol=5e-7)
    assert result.ambiguous
    assert result.grade is None  # top two are tied: report the score, not the grade
    assert result.operator == "max_min"


def test_two_level_evaluation_stacks_the_group_results() -> None:
    weights = np.array(AHP_WEIGHTS)
    behaviour, attitude = [0, 1, 4], [2, 3, 5]  # repeat, deliberation, churn | price, competitors, trust
    groups = [(weights[rows] / weights[rows].sum(), np.array(D5_MEMBERSHIP)[rows]) for rows in (behaviour, attitude)]
    group_weights = [weights[behaviour].sum(), weights[attitude].sum()]
    result = two_level_fuzzy_evaluation(group_weights, groups, group_names=["behaviour", "attitude"])
    # with the weighted-average operator, two levels with these weights equal one level
    assert_allclose(result.overall.membership, [0.259869, 0.346766, 0.230355, 0.108989, 0.054021], atol=5e-7)
    assert_allclose(
        result.groups[0].membership,
        weights[behaviour] @ np.array(D5_MEMBERSHIP)[behaviour] / weights[behaviour].sum(),
    )
    assert [name for name, _ in zip(result.group_names, result.groups, strict=True)] == [
        "behaviour",
        "attitude",
    ]


def test_membership_from_rated_items_is_the_share_at_each_level() -> None:
    answers = pd.DataFrame({"trust": [5, 5, 4, 3, 1, None], "rival_appeal": [1, 1, 2, 2, 5, 4]})
    best_first = membership_from_ratings(answers[["trust"]], [5, 4, 3, 2, 1])
    assert_allclose(best_first, [[0.4, 0.2, 0.2, 0.0, 0.2]])
    reversed_item = membership_from_ratings(answers[["rival_appeal"]], [1, 2, 3, 4, 5])
    assert_allclose(reversed_item, [[2 / 6, 2 / 6, 0, 1 / 6, 1 / 6]])
    with pytest.raises(ValueError, match=r"ratings of trust contain \[6\.0\]"):
        membership_from_ratings(pd.DataFrame({"trust": [6, 5]}), [5, 4, 3, 2, 1])


def test_triangular_membership_splits_between_neighbouring_grades_and_sums_to_one() -> None:
    membership = triangular_membership([24, 18, 10, 0, 30], centres=[24, 18, 12, 6, 0])
    assert_allclose(membership, [0.4, 0.2, (2 / 3) / 5, (1 / 3) / 5, 0.2], atol=1e-12)
    assert membership.sum() == pytest.approx(1, abs=1e-12)


def test_bad_membership_and_weights_are_refused_naming_them() -> None:
    with pytest.raises(ValueError, match=r"membership rows must each sum to 1: row 2 sums to 0\.9"):
        fuzzy_evaluation([0.5, 0.5], np.array([[1, 0, 0, 0, 0], [0.5, 0.4, 0, 0, 0]]))
    with pytest.raises(ValueError, match=r"weights must sum to 1; they sum to 1\.2"):
        fuzzy_evaluation([0.6, 0.6], [[1, 0, 0, 0, 0], [1, 0, 0, 0, 0]])
    with pytest.raises(ValueError, match=r"one row per weighted factor \(3\)"):
        fuzzy_evaluation([0.2, 0.3, 0.5], [[1, 0, 0, 0, 0]])
    with pytest.raises(ValueError, match=r"one entry per membership column \(3\)"):
        fuzzy_evaluation([1.0], [[0.5, 0.5, 0.0]])


def test_membership_of_scaled_5_point_items_is_the_share_at_each_level() -> None:
    answers = pd.DataFrame({"trust": [5, 4, 4, 2, 1, None], "rival_appeal": [1, 1, 3, 5, 4, 2]})
    scores = pd.DataFrame({"trust": (answers["trust"] - 1) / 4, "rival_appeal": (5 - answers["rival_appeal"]) / 4})
    from_scores = membership_from_scores(scores)
    assert_allclose(from_scores[0], membership_from_ratings(answers[["trust"]], [5, 4, 3, 2, 1])[0], atol=1e-12)
    assert_allclose(from_scores[1], membership_from_ratings(answers[["rival_appeal"]], [1, 2, 3, 4, 5])[0], atol=1e-12)
