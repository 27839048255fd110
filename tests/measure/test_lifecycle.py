"""The relationship lifecycle (METHODS §10.2): each rule, its order, spend trends, lost-customer patterns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from measure.lifecycle import (
    LifecycleRules,
    lost_customer_patterns,
    relationship_lifecycle,
    spend_trend,
    spend_trend_fit,
)

SETTLED = {"tenure_months": 36, "transactions": 30}


def stage(**evidence: Any) -> str:
    rules = evidence.pop("rules", None)
    return relationship_lifecycle(rules=rules, **{name: [value] for name, value in evidence.items()}).stages[0]


def test_exploration_is_a_short_tenure_or_at_most_two_transactions() -> None:
    assert stage(tenure_months=5, transactions=10, trend=-0.5) == "exploration"
    assert stage(tenure_months=40, transactions=2, trend=-0.5) == "exploration"
    assert stage(tenure_months=6, transactions=3, trend=-0.5) == "decline"


def test_decline_by_trend_intention_recency_or_a_drop_in_quality() -> None:
    assert stage(**SETTLED, trend=-0.051) == "decline"
    assert stage(**SETTLED, trend=0.3, intention=-1) == "decline"
    assert stage(**SETTLED, trend=0.0, months_since_last_purchase=13) == "decline"
    life = relationship_lifecycle(
        [36, 36, 36],
        transactions=[30, 30, 30],
        trend=[0, 0, 0],
        relationship_quality=[-1.0, 0.0, 1.0],
        previous_relationship_quality=[-0.4, 0.0, 1.0],
    )
    # the SD of RQ (ddof 1) is 1.0, so a drop of 0.6 ≥ 0.5 SD is decline
    assert life.stages[0] == "decline"


def test_formation_by_rising_spend_or_intention_more_with_rising_quality() -> None:
    assert stage(**SETTLED, trend=0.051) == "formation"
    assert stage(**SETTLED, intention=1, relationship_quality=0.4, previous_relationship_quality=0.1) == "formation"
    assert stage(**SETTLED, intention=1, relationship_quality=0.1, previous_relationship_quality=0.4) != "formation"


def test_stability_needs_a_flat_trend_quality_at_the_median_and_tenure_t2() -> None:
    life = relationship_lifecycle(
        [36, 36, 11], transactions=[30, 30, 30], trend=[0.05, 0.0, 0.0], relationship_quality=[0.5, -0.5, 0.9]
    )
    assert life.quality_threshold == pytest.approx(0.5)
    assert life.stages == ("stability", "unclassified", "unclassified")


def test_a_given_quality_threshold_replaces_the_median() -> None:
    rules = LifecycleRules(stability_min_quality=-1.0)
    assert stage(**SETTLED, trend=0.0, relationship_quality=-0.5, rules=rules) == "stability"


def test_spend_trend_is_the_slope_of_log_spend() -> None:
    spend = np.array([[100, 110, 121, 133.1], [50, np.nan, 50, 50], [10, np.nan, np.nan, np.nan]])
    slopes = spend_trend(spend)
    x = np.arange(4)
    expected = np.polyfit(x, np.log1p(spend[0]), 1)[0]
    assert slopes[0] == pytest.approx(expected, rel=1e-12)
    assert slopes[1] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(slopes[2])


def test_spend_trend_fit_gives_the_ols_slope_and_its_standard_error() -> None:
    spend = np.array([[100, 180, 90, 400], [0, 120, np.nan, 260], [50, 60, np.nan, np.nan], [10, 10, 10, 10]])
    fit = spend_trend_fit(spend)
    for row in (0, 1):
        known = ~np.isnan(spend[row])
        reference = stats.linregress(np.arange(4)[known], np.log1p(spend[row][known]))
        assert fit.slopes[row] == pytest.approx(reference.slope, rel=1e-12)
        assert fit.standard_errors[row] == pytest.approx(reference.stderr, rel=1e-12)
    assert fit.periods == (4, 3, 2, 4)
    assert np.isnan(fit.slopes[2])
    assert np.isnan(fit.standard_errors[2])
    assert fit.slopes[3] == 0.0
    assert fit.standard_errors[3] == 0.0
    with pytest.raises(ValueError, match="min_periods: 2"):
        spend_trend_fit(spend, min_periods=2)


def test_a_fitted_trend_moves_a_stage_only_beyond_delta_and_distinguishable_from_noise() -> None:
    # four periods: 2 residual df; at trend_confidence 0.90 the two-sided critical t is t_0.95,2
    critical = stats.t.ppf(0.95, 2)
    assert critical == pytest.approx(2.919986, rel=1e-6)

    def fitted(slope: float, error: float, periods: int = 4) -> str:
        return stage(**SETTLED, trend=slope, trend_standard_error=error, trend_periods=periods,
                     relationship_quality=0.0)  # fmt: skip

    assert fitted(0.3, 0.3 / (critical + 0.01)) == "formation"
    assert fitted(0.3, 0.3 / (critical - 0.01)) == "stability"  # noise: flat, quality at the median
    assert fitted(-0.3, 0.3 / (critical + 0.01)) == "decline"
    assert fitted(-0.3, 0.3 / (critical - 0.01)) == "stability"
    assert fitted(0.04, 0.0001) == "stability"  # clearly there, but within δ = 0.05
    assert fitted(0.06, 0.0) == "formation"  # an exact fit passes the test
    # three periods leave 1 df: t_0.95,1 = 6.31, so a t of 5 is noise there but not with 2 df
    assert fitted(0.5, 0.1, periods=3) == "stability"
    assert fitted(0.5, 0.1, periods=4) == "formation"
    # a trend without a standard error (the survey's answer) is compared with δ alone
    assert stage(**SETTLED, trend=0.1, trend_standard_error=np.nan, trend_periods=np.nan) == "formation"
    with pytest.raises(ValueError, match="give both"):
        stage(**SETTLED, trend=0.1, trend_standard_error=0.01)
    with pytest.raises(ValueError, match="trend_confidence"):
        LifecycleRules(trend_confidence=1.0)


def test_a_stricter_confidence_needs_a_larger_t() -> None:
    rules = LifecycleRules(trend_confidence=0.95)  # t_0.975,2 = 4.30
    assert stage(**SETTLED, trend=0.4, trend_standard_error=0.1, trend_periods=4, rules=rules) == "unclassified"
    assert stage(**SETTLED, trend=0.5, trend_standard_error=0.1, trend_periods=4, rules=rules) == "formation"


def test_lost_customer_patterns_follow_the_furthest_stage_reached() -> None:
    result = lost_customer_patterns(
        [
            ["exploration", "exploration", "decline"],
            ["exploration", "formation", "decline"],
            ["formation", "stability", "stability", "stability", "decline"],
            ["formation", *["stability"] * 4, "decline"],
        ]
    )
    assert result.patterns == (
        "ended_in_exploration",
        "ended_in_formation",
        "ended_early_in_stability",
        "ended_late_in_stability",
    )
    assert [row.count for row in result.distribution] == [1, 1, 1, 1, 0]
    assert result.distribution[2].label_zh_hans == "稳定期前期流失"
    # first seen in decline: how the relationship got there is unknown, not guessed
    assert lost_customer_patterns([["decline", "decline"]]).patterns == ("not_observed_before_decline",)
    with pytest.raises(ValueError, match="customer 1 has advocate, not a lifecycle stage"):
        lost_customer_patterns([["advocate"]])


def test_bad_intention_is_refused() -> None:
    with pytest.raises(ValueError, match="intention: must be"):
        relationship_lifecycle([12], intention=[2])
