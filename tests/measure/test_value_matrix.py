"""The customer value matrix (METHODS §10.3): classes, median cuts with ties upward, strategies."""

from __future__ import annotations

import numpy as np
import pytest

from measure.value_matrix import (
    VALUE_CLASSES,
    current_contribution,
    customer_value_matrix,
    wallet_growth_potential,
)


def test_four_classes_by_median_cuts() -> None:
    matrix = customer_value_matrix([10, 20, 30, 40], [4, 3, 2, 1])
    assert (matrix.current_cut, matrix.potential_cut, matrix.cut_method) == (25.0, 2.5, "median")
    assert matrix.classes == ("develop", "develop", "maintain", "maintain")


def test_a_value_at_the_cut_goes_to_the_upper_class() -> None:
    matrix = customer_value_matrix([1, 2, 3], [1, 2, 3])
    assert matrix.classes == ("minimal", "key", "key")


def test_business_targets_replace_the_medians() -> None:
    matrix = customer_value_matrix([100, 900], [50, 50], current_cut=500, potential_cut=10)
    assert matrix.classes == ("develop", "key")
    assert matrix.cut_method == "given"


def test_summary_has_shares_value_shares_and_strategies_in_three_languages() -> None:
    matrix = customer_value_matrix([900, 800, 100, 50, np.nan], [10, 500, 600, 20, 5])
    rows = {row.value_class: row for row in matrix.summary}
    assert [row.value_class for row in matrix.summary] == list(VALUE_CLASSES)
    assert matrix.unclassified == 1
    assert rows["key"].share == pytest.approx(0.25)
    assert rows["maintain"].current_value_share == pytest.approx(900 / 1850)
    assert rows["develop"].metal == "iron"
    assert rows["key"].name_zh_hans == "关键客户（白金）"
    assert rows["key"].name_zh_hant == "關鍵客戶（白金）"
    for row in matrix.summary:
        assert row.resources_en
        assert row.strategy_zh_hans
        assert row.strategy_zh_hant
        assert row.strategy_zh_hant != row.strategy_zh_hans  # traditional characters, not a copy


def test_value_helpers() -> None:
    assert current_contribution([1000], 0.25, [50]).tolist() == [200.0]
    assert wallet_growth_potential([1000], [0.75], 0.5).tolist() == [125.0]
    with pytest.raises(ValueError, match="share_of_wallet: shares must be between 0 and 1; found 75"):
        wallet_growth_potential([1000], [75], 0.5)
