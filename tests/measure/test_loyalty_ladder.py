"""Griffin's loyalty ladder: each rule of METHODS §10.1's cascade, its order, and its thresholds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from measure.loyalty_ladder import LadderRules, loyalty_ladder

REGULAR = [1, 2, 1, 1]  # a purchase in each of the last four periods
GAP = [1, 0, 1, 1]


def stage(**evidence: Any) -> str:
    """The stage of one customer described by keyword evidence (scalars, wrapped into arrays)."""
    rules = evidence.pop("rules", None)
    arrays = {name: [value] for name, value in evidence.items()}
    return loyalty_ladder(rules=rules, **arrays).stages[0]


def test_rule_1_lost_after_the_lapse_or_when_stopped_even_for_an_advocate() -> None:
    advocate = {
        "purchases": 20,
        "period_purchases": REGULAR,
        "share_of_wallet": 0.9,
        "referrals": 3,
        "recommend": 10,
    }
    assert stage(**advocate) == "advocate"
    assert stage(**advocate, months_since_last_purchase=13) == "lost"
    assert stage(**advocate, months_since_last_purchase=12) == "advocate"  # "> R_max", not ≥
    assert stage(**advocate, stopped_buying=1) == "lost"


def test_rule_2_advocate_needs_client_referral_and_recommend_of_nine() -> None:
    client = {"purchases": 20, "period_purchases": REGULAR, "share_of_wallet": 0.9}
    assert stage(**client, referrals=1, recommend=9) == "advocate"
    assert stage(**client, referral_recorded=1, recommend=9) == "advocate"
    assert stage(**client, referrals=1, recommend=8) == "client"
    assert stage(**client, referrals=0, recommend=10) == "client"
    assert stage(**{**client, "period_purchases": GAP}, referrals=2, recommend=10) == "repeat_customer"


def test_rule_3_client_is_regular_and_covers_categories_or_holds_the_wallet() -> None:
    assert stage(purchases=8, period_purchases=REGULAR, category_coverage=0.70) == "client"
    assert stage(purchases=8, period_purchases=REGULAR, share_of_wallet=0.60) == "client"
    assert stage(purchases=8, period_purchases=REGULAR, category_coverage=0.69, share_of_wallet=0.59) == (
        "repeat_customer"
    )
    assert stage(purchases=8, period_purchases=GAP, category_coverage=1.0) == "repeat_customer"


def test_only_the_last_k_periods_count() -> None:
    # an early gap (period 1 of 5) does not matter with K = 4
    assert stage(purchases=8, period_purchases=[0, 1, 1, 1, 1], share_of_wallet=0.8) == "client"
    rules = LadderRules(client_periods=5)
    assert stage(purchases=8, period_purchases=[0, 1, 1, 1, 1], share_of_wallet=0.8, rules=rules) == ("repeat_customer")


def test_rules_4_and_5_repeat_and_first_time_customers() -> None:
    assert stage(purchases=2) == "repeat_customer"
    assert stage(purchases=1) == "first_time_customer"
    assert stage(purchases=2, rules=LadderRules(repeat_min_purchases=3)) == "first_time_customer"


def test_rules_6_to_8_non_buyers_by_the_screener() -> None:
    assert stage(purchases=0, aware=1, has_need=0, able_to_buy=1) == "disqualified_prospect"
    assert stage(purchases=0, aware=1, has_need=1, able_to_buy=0) == "disqualified_prospect"
    assert stage(purchases=0, aware=1, has_need=1, able_to_buy=1) == "prospect"
    assert stage(purchases=0, aware=0, has_need=1, able_to_buy=1) == "suspect"
    assert stage(purchases=0) == "suspect"  # nothing known: not yet qualified


def test_the_six_stage_ladder_has_no_disqualified_prospect() -> None:
    six = LadderRules(include_disqualified_prospect=False)
    assert stage(purchases=0, aware=1, has_need=0, able_to_buy=1, rules=six) == "suspect"
    ladder = loyalty_ladder([0, 1], rules=six)
    assert "disqualified_prospect" not in [row.stage for row in ladder.distribution]


def test_a_never_buyer_is_not_lost() -> None:
    assert stage(purchases=0, months_since_last_purchase=99, aware=1, has_need=1, able_to_buy=1) == "prospect"


def test_unknown_evidence_never_lifts_a_customer() -> None:
    # the client rule needs the period counts; without them the ladder stops at repeat customer
    assert stage(purchases=30, share_of_wallet=1.0, recommend=10, referrals=5) == "repeat_customer"
    ladder = loyalty_ladder([np.nan, 3])
    assert ladder.stages == ("unclassified", "repeat_customer")
    assert ladder.distribution[-1].stage == "unclassified"


def test_distribution_is_weighted_and_labelled_in_three_languages() -> None:
    ladder = loyalty_ladder([1, 1, 2], weights=[1, 1, 2])
    rows = {row.stage: row for row in ladder.distribution}
    assert rows["first_time_customer"].count == 2
    assert rows["first_time_customer"].share == pytest.approx(0.5)
    assert rows["repeat_customer"].share == pytest.approx(0.5)
    assert (rows["advocate"].label_zh_hans, rows["advocate"].label_zh_hant) == ("拥护者", "擁護者")
    assert [row.stage for row in ladder.distribution][:3] == ["suspect", "prospect", "disqualified_prospect"]


def test_bad_evidence_is_named() -> None:
    with pytest.raises(ValueError, match="purchases: counts must be whole numbers ≥ 0; found -1"):
        loyalty_ladder([-1, 2])
    with pytest.raises(ValueError, match="share_of_wallet: shares must be between 0 and 1; found 60"):
        loyalty_ladder([3], share_of_wallet=[60])
    with pytest.raises(ValueError, match="period_purchases: 3 period"):
        loyalty_ladder([3], period_purchases=[[1, 1, 1]])
    with pytest.raises(ValueError, match="client_min_share_of_wallet: 60 is not a share"):
        LadderRules(client_min_share_of_wallet=60)
