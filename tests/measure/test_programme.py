"""Loyalty-programme measures from CRM records: retention, churn and revenue per customer by tier."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from measure.programme import ProgrammePeriod, loyalty_programme_measures

# Quarter 1: gold g1 g2, silver s1 s2 s3. Quarter 2: g1 stays gold, g2 lapses, s1 moves up to gold,
# s2 stays silver, s3 lapses, n1 joins as silver. Quarter 3: everyone of quarter 2 stays.
RECORDS = [
    ("g1", "2026-Q1", 500, "gold", 8.0),
    ("g2", "2026-Q1", 300, "gold", 6.0),
    ("s1", "2026-Q1", 100, "silver", 7.0),
    ("s2", "2026-Q1", 80, "silver", np.nan),
    ("s3", "2026-Q1", 60, "silver", 5.0),
    ("g1", "2026-Q2", 600, "gold", 9.0),
    ("g2", "2026-Q2", 0, "gold", 4.0),
    ("s1", "2026-Q2", 200, "gold", 8.0),
    ("s2", "2026-Q2", 90, "silver", 7.0),
    ("n1", "2026-Q2", 30, "silver", np.nan),
    ("g1", "2026-Q3", 300, "gold", np.nan),
    ("g1", "2026-Q3", 300, "gold", np.nan),  # two orders
    ("s1", "2026-Q3", 200, "gold", np.nan),
    ("s2", "2026-Q3", 90, "silver", np.nan),
    ("n1", "2026-Q3", 30, "silver", np.nan),
]


def measures() -> dict[tuple[str, str], ProgrammePeriod]:
    customers, periods, revenue, tiers, satisfaction = zip(*RECORDS, strict=True)
    result = loyalty_programme_measures(customers, periods, revenue, segments=tiers, satisfaction=satisfaction)
    assert result.periods == ("2026-Q1", "2026-Q2", "2026-Q3")
    assert result.segments == ("all", "gold", "silver")
    return {(row.period, row.segment): row for row in result.rows}


def test_first_period_has_no_retention() -> None:
    row = measures()[("2026-Q1", "all")]
    assert row.retention_rate is None
    assert row.active == 5
    assert row.revenue_per_customer == pytest.approx(1040 / 5)


def test_retention_and_churn_count_the_segment_held_in_the_previous_period() -> None:
    rows = measures()
    everyone = rows[("2026-Q2", "all")]
    assert (everyone.previous_active, everyone.retained, everyone.new_customers) == (5, 3, 1)
    assert everyone.retention_rate == pytest.approx(0.6)
    assert everyone.churn_rate == pytest.approx(0.4)
    silver = rows[("2026-Q2", "silver")]
    # silver in Q1: s1, s2, s3; s1 (now gold) and s2 are still buying
    assert (silver.previous_active, silver.retained) == (3, 2)
    z = stats.norm.ppf(0.975)
    p, n = 2 / 3, 3
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert silver.retention_ci_low == pytest.approx(centre - half, rel=1e-12)
    assert rows[("2026-Q3", "all")].retention_rate == pytest.approx(1.0)


def test_revenue_per_customer_and_its_change_by_tier() -> None:
    rows = measures()
    gold = rows[("2026-Q2", "gold")]
    assert gold.active == 2  # g1 and s1; g2 bought nothing
    assert gold.revenue_per_customer == pytest.approx(400.0)
    assert gold.revenue_per_customer_change == pytest.approx(400.0 - 400.0)
    silver = rows[("2026-Q2", "silver")]
    assert silver.revenue_per_customer == pytest.approx(60.0)
    assert silver.revenue_per_customer_growth == pytest.approx(60 / 80 - 1)
    assert rows[("2026-Q3", "gold")].revenue_per_customer == pytest.approx(400.0)


def test_satisfaction_sits_beside_the_behaviour() -> None:
    rows = measures()
    assert rows[("2026-Q2", "gold")].satisfaction == pytest.approx((9 + 4 + 8) / 3)
    assert rows[("2026-Q3", "all")].satisfaction is None


def test_a_customer_in_two_tiers_in_one_period_is_refused() -> None:
    with pytest.raises(ValueError, match="segments: customer a is in two segments in period 1"):
        loyalty_programme_measures(["a", "a"], [1, 1], [10, 10], segments=["gold", "silver"])
    with pytest.raises(ValueError, match="revenue: revenue cannot be negative"):
        loyalty_programme_measures(["a"], [1], [-5])
