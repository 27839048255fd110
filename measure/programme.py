"""Loyalty-programme measures from CRM records: retention and churn, revenue per customer and its change,
per period and per segment (tier), beside the survey's satisfaction index.

A programme is judged on three levels; we report them side by side: the attitude its members state
(satisfaction index, from the survey), the behaviour it aims to change (retention and churn), and the
economics it must pay for (revenue per customer and its change). The grouping into these three levels
is ours; the textbooks name "primary, intermediate and advanced" indicators without one fixed list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

ALL_CUSTOMERS = "all"


@dataclass(frozen=True, slots=True)
class ProgrammePeriod:
    """The programme measures of one segment in one period."""

    period: str
    segment: str  # "all", or the tier / segment the customers held
    active: int  # customers with revenue > 0 in this period (segment as in this period)
    new_customers: int  # active now but not in the previous period
    previous_active: int | None  # customers active in the previous period (segment as then)
    retained: int | None  # of those, active again in this period
    retention_rate: float | None  # retained / previous_active
    retention_ci_low: float | None  # Wilson interval
    retention_ci_high: float | None
    churn_rate: float | None  # 1 − retention rate
    revenue: float
    revenue_per_customer: float | None  # revenue / active
    revenue_per_customer_change: float | None  # against the previous period, same segment
    revenue_per_customer_growth: float | None  # the change as a share of the previous value
    satisfaction: float | None  # mean of the records' satisfaction index, where given
    satisfaction_n: int

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ProgrammeMeasures:
    """Programme measures for every period (in order) and segment."""

    periods: tuple[str, ...]
    segments: tuple[str, ...]  # "all" first
    rows: tuple[ProgrammePeriod, ...]
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return {
            "periods": list(self.periods),
            "segments": list(self.segments),
            "rows": [row.as_dict() for row in self.rows],
            "confidence": self.confidence,
        }


def loyalty_programme_measures(
    customers: Sequence[Any] | ArrayLike,
    periods: Sequence[Any] | ArrayLike,
    revenue: ArrayLike,
    *,
    segments: Sequence[Any] | ArrayLike | None = None,
    satisfaction: ArrayLike | None = None,
    confidence: float = 0.95,
) -> ProgrammeMeasures:
    """Retention, churn and revenue per customer per period and segment, from CRM records.

    One record is one customer's revenue in one period (several records of a customer in a period
    are summed). A customer is active in a period when that revenue is above 0. Periods are taken in
    sorted order (numbers by value, text alphabetically: name them e.g. 2026-Q1) and each is compared
    with the one before it.

    * retention_t = customers active in t−1 and in t / customers active in t−1; churn = 1 − retention,
      with a Wilson score interval. By segment, a customer counts in the segment held in t−1.
    * revenue per customer_t = revenue_t / active customers_t (segment held in t), and its change
      and growth against t−1 for the same segment.
    * satisfaction: the mean of the records' satisfaction index (from the survey, joined to the
      CRM records by the caller) in the period and segment, where given.

    Parameters
    ----------
    customers : customer id of each record.
    periods : period of each record.
    revenue : revenue of each record (≥ 0; empty counts as 0).
    segments : tier or segment of each record, or None for "all" only.
    satisfaction : satisfaction index of each record (any scale), or None.
    confidence : level of the retention intervals.

    Returns
    -------
    ProgrammeMeasures

    Raises
    ------
    ValueError
        Arrays of different lengths, negative revenue, a customer in two segments in one period, or
        fewer than one period.

    Examples
    --------
    >>> result = loyalty_programme_measures(["a", "b", "c", "a", "c", "d"], [1, 1, 1, 2, 2, 2],
    ...                                     [100, 50, 80, 120, 40, 60])
    >>> second = result.rows[1]
    >>> second.retained, second.retention_rate, second.revenue_per_customer
    (2, 0.6666666666666666, 73.33333333333333)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: {confidence} is not between 0 and 1 (e.g. 0.95).")
    ids = np.asarray(customers, dtype=object).ravel()
    when = np.asarray(periods, dtype=object).ravel()
    money = np.asarray(revenue, dtype=float).ravel()
    n = len(ids)
    arrays: dict[str, Any] = {"customers": ids, "periods": when, "revenue": money}
    if segments is not None:
        arrays["segments"] = np.asarray(segments, dtype=object).ravel()
    if satisfaction is not None:
        arrays["satisfaction"] = np.asarray(satisfaction, dtype=float).ravel()
    wrong = {name: len(array) for name, array in arrays.items() if len(array) != n}
    if wrong:
        shown = ", ".join(f"{name} {length}" for name, length in wrong.items())
        raise ValueError(f"{', '.join(wrong)}: need one value per record ({n}); got {shown}.")
    if np.any(money[~np.isnan(money)] < 0):
        raise ValueError(f"revenue: revenue cannot be negative; found {money[money < 0][0]:g}.")
    records = pd.DataFrame(
        {
            "customer": [str(value) for value in ids],
            "period": [_text(value) for value in when],
            "revenue": np.nan_to_num(money, nan=0.0),
            "segment": [_text(value) for value in arrays["segments"]] if segments is not None else ALL_CUSTOMERS,
            "satisfaction": arrays.get("satisfaction", np.full(n, np.nan)),
        }
    )
    records = records[records["period"] != ""]
    if records.empty:
        raise ValueError("periods: no record has a period.")
    if segments is not None:
        held = records[records["segment"] != ""].groupby(["customer", "period"])["segment"].nunique()
        conflicting = held[held > 1]
        if len(conflicting):
            customer, period = conflicting.index[0]
            raise ValueError(f"segments: customer {customer} is in two segments in period {period}.")
    per_customer = records.groupby(["period", "customer"], sort=False).agg(
        revenue=("revenue", "sum"),
        segment=("segment", lambda values: next((value for value in values if value), "")),
        satisfaction=("satisfaction", "mean"),
    )
    order = sorted(records["period"].unique(), key=_order)
    segment_names = [ALL_CUSTOMERS]
    if segments is not None:
        segment_names += sorted({value for value in per_customer["segment"] if value})
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    rows: list[ProgrammePeriod] = []
    previous: pd.DataFrame | None = None
    previous_per_customer: dict[str, float | None] = {}
    for period in order:
        current = per_customer.loc[period]
        active_now = current[current["revenue"] > 0]
        active_before = None if previous is None else previous[previous["revenue"] > 0]
        for segment in segment_names:
            mine = active_now if segment == ALL_CUSTOMERS else active_now[active_now["segment"] == segment]
            revenue_total = float(mine["revenue"].sum())
            per_head = revenue_total / len(mine) if len(mine) else None
            before_per_head = previous_per_customer.get(segment)
            change = None if per_head is None or before_per_head is None else per_head - before_per_head
            growth = None if change is None or not before_per_head else change / before_per_head
            with_score = current if segment == ALL_CUSTOMERS else current[current["segment"] == segment]
            scores = with_score["satisfaction"].dropna()
            if active_before is None:
                previous_active = retained = None
                rate = low = high = churn = None
                new = len(mine)
            else:
                base = active_before if segment == ALL_CUSTOMERS else active_before[active_before["segment"] == segment]
                previous_active = len(base)
                retained = int(base.index.isin(active_now.index).sum())
                new = int((~mine.index.isin(active_before.index)).sum())
                if previous_active:
                    rate = retained / previous_active
                    low, high = _wilson(rate, previous_active, z)
                    churn = 1 - rate
                else:
                    rate = low = high = churn = None
            rows.append(
                ProgrammePeriod(
                    period=period,
                    segment=segment,
                    active=len(mine),
                    new_customers=new,
                    previous_active=previous_active,
                    retained=retained,
                    retention_rate=rate,
                    retention_ci_low=low,
                    retention_ci_high=high,
                    churn_rate=churn,
                    revenue=revenue_total,
                    revenue_per_customer=per_head,
                    revenue_per_customer_change=change,
                    revenue_per_customer_growth=growth,
                    satisfaction=float(scores.mean()) if len(scores) else None,
                    satisfaction_n=len(scores),
                )
            )
            previous_per_customer[segment] = per_head
        previous = current
    return ProgrammeMeasures(
        periods=tuple(order),
        segments=tuple(segment_names),
        rows=tuple(rows),
        confidence=confidence,
    )


def _wilson(share: float, n: int, z: float) -> tuple[float, float]:
    denominator = 1 + z**2 / n
    centre = (share + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / denominator
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _order(label: str) -> tuple[int, float, str]:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)
