"""The three-item Customer Loyalty Index (METHODS.md §4.2): rescaling, complete cases, weights."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from measure.customer_loyalty_index import customer_loyalty_index


def test_items_on_one_scale_follow_the_textbook_rescaling() -> None:
    recommend = np.array([10, 8, 6, 9, 3])
    repurchase = np.array([9, 7, 5, 10, 2])
    other = np.array([8, 6, 4, 7, 1])
    result = customer_loyalty_index(recommend, repurchase, other)
    respondent_means = (recommend + repurchase + other) / 3  # on 0–10
    expected = 100 * (respondent_means - 0) / (10 - 0)
    assert result.index == pytest.approx(expected.mean(), rel=1e-12)
    half_width = stats.t.ppf(0.975, 4) * expected.std(ddof=1) / np.sqrt(5)
    assert result.ci_high - result.index == pytest.approx(half_width, rel=1e-12)
    assert result.recommend_mean == pytest.approx(7.2, rel=1e-12)
    assert result.other_products_index == pytest.approx(52.0, rel=1e-12)


def test_items_on_different_scales_are_each_rescaled_by_their_own() -> None:
    # recommend 0–10 → 100, 40; repurchase 1–5 → 75, 25; other 1–5 → 100, 0
    result = customer_loyalty_index([10, 4], [4, 2], [5, 1], repurchase_scale=(1, 5), other_products_scale=(1, 5))
    assert result.index == pytest.approx(((100 + 75 + 100) / 3 + (40 + 25 + 0) / 3) / 2, rel=1e-12)


def test_respondents_missing_an_item_are_left_out_and_counted() -> None:
    result = customer_loyalty_index([10, 5, np.nan], [10, 5, 5], [10, 5, 5])
    assert (result.n, result.incomplete) == (2, 1)
    assert result.index == pytest.approx(75.0, rel=1e-12)


def test_weights_give_the_weighted_mean() -> None:
    result = customer_loyalty_index([10, 0], [10, 0], [10, 0], weights=[3, 1])
    assert result.index == pytest.approx(75.0, rel=1e-12)
    assert result.weighted


def test_a_value_outside_its_scale_is_refused() -> None:
    with pytest.raises(ValueError, match=r"repurchase: values outside the item's scale 1–5: 7"):
        customer_loyalty_index([10, 9], [7, 3], [2, 3], repurchase_scale=(1, 5), other_products_scale=(1, 5))
