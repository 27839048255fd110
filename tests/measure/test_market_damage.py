"""The TARP market-damage model: METHODS.md §9 test vector, survey path rates, defaults and overrides."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from measure.market_damage import (
    BENCHMARKS,
    DamageInputs,
    RepurchaseRates,
    WordOfMouth,
    complaint_paths,
    market_damage,
    market_damage_from_survey,
    problem_type_damage,
)

METHODS_9 = DamageInputs(
    customers=100_000,
    problem_rate=0.25,
    complaint_rate=0.30,
    resolution_rate=0.60,
    repurchase=RepurchaseRates(
        no_problem=0.83, problem_no_complaint=0.50, complained_resolved=0.90, complained_unresolved=0.40
    ),
    annual_value=500,
)


def test_the_methods_test_vector() -> None:
    damage = market_damage(METHODS_9)
    assert damage.problem_no_complaint == pytest.approx(17_500, abs=1e-6)
    assert damage.complained_resolved == pytest.approx(4_500, abs=1e-6)
    assert damage.complained_unresolved == pytest.approx(3_000, abs=1e-6)
    assert damage.lost_customers == pytest.approx(6_750, abs=1e-6)
    assert damage.revenue_at_risk == pytest.approx(3_375_000, abs=1e-4)
    assert damage.loss_per_complaint_rate == pytest.approx(-5_000, abs=1e-6)
    assert damage.loss_per_complaint_rate / 100 == pytest.approx(-50, abs=1e-8)  # per percentage point
    assert damage.loss_per_resolution_rate == pytest.approx(-3_750, abs=1e-6)
    assert damage.loss_per_problem_rate == pytest.approx(6_750 / 0.25, abs=1e-6)


def test_resolved_complainers_more_loyal_than_no_problem_is_the_recovery_paradox() -> None:
    damage = market_damage(METHODS_9)
    assert damage.lost_complained_resolved == pytest.approx(4_500 * (0.83 - 0.90), abs=1e-6)
    assert damage.lost_complained_resolved < 0
    assert damage.recovery_paradox
    assert damage.recovery_effect == pytest.approx(0.50, abs=1e-12)
    assert damage.customers_kept_by_resolution == pytest.approx(4_500 * 0.5, abs=1e-6)


def test_derivatives_agree_with_what_if_differences() -> None:
    # Loss is linear in c and in s, so a finite change equals the derivative times the step
    damage = market_damage(METHODS_9, what_if=[("complaint_rate", 0.40), ("resolution_rate", 0.70)])
    by_c, by_s = damage.what_if
    assert by_c.change_in_lost_customers == pytest.approx(damage.loss_per_complaint_rate * 0.10, abs=1e-6)
    assert by_s.change_in_lost_customers == pytest.approx(damage.loss_per_resolution_rate * 0.10, abs=1e-6)
    assert by_s.revenue_at_risk == pytest.approx(by_s.lost_customers * 500, rel=1e-12)


def test_what_if_on_a_repurchase_rate_and_an_unknown_parameter() -> None:
    damage = market_damage(METHODS_9, what_if=[("complained_unresolved", 0.83)])
    # unresolved complainers as loyal as no-problem customers: their 1,290 lost customers vanish
    assert damage.what_if[0].change_in_lost_customers == pytest.approx(-3_000 * 0.43, abs=1e-6)
    with pytest.raises(ValueError, match="what_if: 'churn' is not an input"):
        market_damage(METHODS_9, what_if=[("churn", 0.1)])


def test_revenue_uses_margin_and_remaining_lifetime() -> None:
    inputs = DamageInputs(
        **{**METHODS_9.as_dict(), "repurchase": METHODS_9.repurchase, "margin": 0.4, "remaining_years": 3}
    )
    assert market_damage(inputs).revenue_at_risk == pytest.approx(6_750 * 500 * 0.4 * 3, rel=1e-12)


def test_word_of_mouth_extension() -> None:
    damage = market_damage(METHODS_9, word_of_mouth=WordOfMouth(deterred_share=0.02, persuaded_share=0.01))
    assert damage.word_of_mouth_lost_prospects == pytest.approx((17_500 + 3_000) * 10 * 0.02, rel=1e-12)
    assert damage.word_of_mouth_won_prospects == pytest.approx(4_500 * 5 * 0.01, rel=1e-12)
    assert market_damage(METHODS_9).word_of_mouth_lost_prospects is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("complaint_rate", 30.0, "complaint_rate: 30 is not a proportion"),
        ("problem_rate", -0.1, "problem_rate: -0.1 is not a proportion"),
        ("customers", 0.0, "customers: 0 is not a positive number"),
    ],
)
def test_rates_outside_zero_to_one_are_refused(field: str, value: float, message: str) -> None:
    values = {**METHODS_9.as_dict(), "repurchase": METHODS_9.repurchase, field: value}
    with pytest.raises(ValueError, match=message):
        DamageInputs(**values)


def survey() -> dict[str, Any]:
    """A survey of 400: 300 without a problem (240 will repurchase), 40 silent (16), 36 resolved (32),
    24 unresolved (6). Skip-logic cells hold 0 or NaN as survey tools export them."""
    problem = np.r_[np.zeros(300), np.ones(100)]
    complained = np.r_[np.full(300, np.nan), np.zeros(40), np.ones(60)]
    resolved = np.r_[np.zeros(300), np.full(40, np.nan), np.ones(36), np.zeros(24)]
    repurchase = np.r_[
        np.repeat([1, 0], [240, 60]),
        np.repeat([1, 0], [16, 24]),
        np.repeat([1, 0], [32, 4]),
        np.repeat([1, 0], [6, 18]),
    ]
    return {"problem": problem, "complained": complained, "resolved": resolved, "repurchase": repurchase}


def wilson(successes: int, n: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def test_survey_path_groups_with_wilson_intervals() -> None:
    paths = complaint_paths(**survey())
    rows = {row.group: row for row in paths.groups}
    assert [(name, rows[name].n) for name in rows] == [
        ("no_problem", 300),
        ("problem_no_complaint", 40),
        ("complained_resolved", 36),
        ("complained_unresolved", 24),
    ]
    assert rows["no_problem"].repurchase_rate == pytest.approx(0.80, abs=1e-12)
    assert rows["complained_resolved"].repurchase_rate == pytest.approx(32 / 36, abs=1e-12)
    assert (rows["problem_no_complaint"].ci_low, rows["problem_no_complaint"].ci_high) == pytest.approx(
        wilson(16, 40), abs=1e-12
    )
    assert rows["complained_unresolved"].small_cell
    assert any("complained_unresolved: 24" in warning for warning in paths.warnings)
    assert paths.problem_rate.estimate == pytest.approx(0.25, abs=1e-12)
    assert paths.complaint_rate is not None
    assert paths.complaint_rate.estimate == pytest.approx(0.6)
    assert paths.resolution_rate is not None
    assert paths.resolution_rate.estimate == pytest.approx(0.6)
    assert paths.unknown_path == 0


def test_recovery_effect_has_newcombe_interval() -> None:
    paths = complaint_paths(**survey())
    effect = next(row for row in paths.recovery_effects if row.name == "resolved_vs_unresolved")
    (l1, u1), (l2, u2) = wilson(32, 36), wilson(6, 24)
    p1, p2 = 32 / 36, 6 / 24
    assert effect.difference == pytest.approx(p1 - p2, abs=1e-12)
    assert effect.ci_low == pytest.approx(p1 - p2 - np.hypot(p1 - l1, u2 - p2), abs=1e-12)
    assert effect.ci_high == pytest.approx(p1 - p2 + np.hypot(u1 - p1, p2 - l2), abs=1e-12)


def test_unanswered_paths_are_left_out_and_counted() -> None:
    paths = complaint_paths([1, 1, 0, np.nan], [np.nan, 1, 0, 0], [0, np.nan, 0, 0], [1, 1, 1, 1])
    assert paths.unknown_path == 3
    with pytest.raises(ValueError, match=r"complained: every answer must be 1 .* found 2"):
        complaint_paths([1], [2], [0], [1])


def test_survey_rates_feed_the_model_and_overrides_win() -> None:
    result = market_damage_from_survey(
        complaint_paths(**survey()), customers=100_000, annual_value=500, overrides={"complaint_rate": 0.5}
    )
    used: dict[str, tuple[float, str]] = {rate.name: (rate.value, rate.source) for rate in result.rates}
    assert used["complaint_rate"] == (0.5, "override")
    assert used["problem_rate"] == pytest.approx((0.25, "survey"))
    assert used["complained_unresolved"] == pytest.approx((0.25, "survey"))
    expected_loss = 100_000 * 0.25 * (0.5 * (0.8 - 0.4) + 0.5 * 0.6 * (0.8 - 32 / 36) + 0.5 * 0.4 * (0.8 - 0.25))
    assert result.damage.lost_customers == pytest.approx(expected_loss, rel=1e-12)


def test_rates_the_survey_lacks_come_from_the_benchmark() -> None:
    # nobody complained: no resolution rate and no complainer repurchase rates in the survey
    paths = complaint_paths([0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 0, 1])
    with pytest.raises(ValueError, match="resolution_rate: the survey does not estimate it"):
        market_damage_from_survey(paths, customers=1000)
    result = market_damage_from_survey(
        paths, customers=1000, benchmark="tarp-large-ticket", overrides={"resolution_rate": 0.5}
    )
    used: dict[str, tuple[float, str]] = {rate.name: (rate.value, rate.source) for rate in result.rates}
    assert used["complained_resolved"] == (BENCHMARKS["tarp-large-ticket"].complained_resolved, "default")
    assert used["complained_unresolved"] == (0.19, "default")
    assert used["problem_no_complaint"] == (0.5, "survey")
    with pytest.raises(ValueError, match="overrides: churn are not rates"):
        market_damage_from_survey(paths, customers=1000, overrides={"churn": 0.1})


def test_problem_types_are_ranked_by_damage_index() -> None:
    rows = problem_type_damage(
        ["late"] * 10 + ["broken"] * 5 + [""] * 85, [1] * 8 + [0] * 2 + [0] * 5 + [1] * 85, annual_value=200
    )
    assert [row.problem_type for row in rows] == ["broken", "late"]
    assert rows[0].damage_index == pytest.approx(0.05 * 1.0 * 200, rel=1e-12)
    assert rows[1].damage_index == pytest.approx(0.10 * 0.2 * 200, rel=1e-12)


def test_return_on_the_cost_of_a_handling_programme() -> None:
    # raising s from .60 to .70 saves 375 customers worth 500 each: (187,500 − 100,000)/100,000
    damage = market_damage(METHODS_9, what_if=[("resolution_rate", 0.70)], programme_cost=100_000)
    assert damage.what_if[0].change_in_lost_customers == pytest.approx(-375, abs=1e-6)
    assert damage.what_if[0].return_on_cost == pytest.approx(0.875, abs=1e-12)
    assert market_damage(METHODS_9, what_if=[("resolution_rate", 0.7)]).what_if[0].return_on_cost is None
