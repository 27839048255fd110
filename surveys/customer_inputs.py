"""What the lifecycle stages and the value matrix take from a wave: its respondents' CRM records, plus answers.

Pure selection, no statistics, like `surveys.wave_inputs`: the stored CRM records (read through
`surveys.storage.customer_records`) of the respondents of one wave, summarised per respondent (tenure,
recency, transactions, revenue per period and over the last 12 months), next to the survey answers the
methods need where the records say nothing (share of wallet, repurchase intent, the "spend more or less than
a year ago" rating, trust and satisfaction for relationship quality). When no record is linked to a
respondent, the InputError says why in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from surveys.codebook import Variable
from surveys.problems import InputError, Problem
from surveys.questionnaire import Construct, Direction
from surveys.storage.wave_data import WaveData
from surveys.wave_inputs import ItemSet, ladder_inputs, percent_of_scale, satisfaction_items

if TYPE_CHECKING:
    import pandas as pd

#: Days in an average month: tenure and recency are in months of this length.
MONTH_DAYS = 365.25 / 12
_IMPORT_HINT = (
    "Import the CRM file with `loyalty import-customers FILE`; its customer keys must be the respondent keys."
)


@dataclass(frozen=True)
class CustomerInputs:
    """One row per respondent of the wave with CRM records; numbers as floats (NaN where unknown).

    `customers` columns: respondent (stored key), tenure_months (from the first purchase to `as_of`),
    months_since_last_purchase, transactions (purchases on record, or the survey's purchases-so-far band when
    that is higher), revenue_12m (revenue of the periods ending in the 12 months up to `as_of`), churned (1 when
    a record up to `as_of` marks the customer churned, else 0), then the survey's share_of_wallet (0–1),
    repurchase (0–1 of its scale), spending_trend (+1 more, 0 the same, −1 less than a year ago), trust and
    satisfaction (0–100).
    """

    customers: pd.DataFrame
    spend_by_period: pd.DataFrame  # revenue per respondent (rows, as `customers`) and period (columns, oldest first)
    purchases_by_period: pd.DataFrame  # purchases, laid out as spend_by_period (NaN: no record for that period)
    periods: tuple[str, ...]  # the periods read: up to the wave's own when the wave is named like a period
    periods_12m: tuple[str, ...]  # those whose revenue makes revenue_12m
    as_of: date  # end of the latest period read (or, for periods that are not dates, the last purchase on record)
    respondents: int  # complete responses of the wave
    records: int  # CRM records read (respondent × period)
    share_of_wallet_item: str | None
    repurchase_item: str | None
    spending_trend_item: str | None
    trust_items: tuple[str, ...]
    satisfaction_items: tuple[str, ...]


def customer_inputs(wave: WaveData, records: pd.DataFrame) -> CustomerInputs:
    """The wave's respondents with CRM records (`records` as `load_customer_records` gives them), with the
    survey answers next to them; InputError when no respondent has a key or no record is linked."""
    import numpy as np
    import pandas as pd

    keys = wave.responses["respondent"]
    if keys.isna().all():
        raise InputError(
            f"Survey {wave.survey}, wave {wave.wave}: no respondent keys.",
            [
                Problem(
                    f"survey {wave.survey}, wave {wave.wave}",
                    "has no respondent keys to link customer records by",
                    "Import the responses with a respondent key column (customer or member id).",
                )
            ],
        )
    periods = sorted(str(p) for p in records["period"].unique())
    if wave.wave in periods:
        periods = periods[: periods.index(wave.wave) + 1]  # never a later period than the wave's own
    known = records[records["customer_key"].isin(set(keys.dropna())) & records["period"].isin(periods)]
    if known.empty:
        raise InputError(
            f"Survey {wave.survey}, wave {wave.wave}: no customer records.",
            [
                Problem(
                    f"survey {wave.survey}, wave {wave.wave}",
                    "has no customer records linked to its respondents",
                    _IMPORT_HINT,
                )
            ],
        )
    ends = {period: period_end(period) for period in periods}
    dated = [end for end in ends.values() if end is not None]
    last_purchases = pd.to_datetime(known["last_purchase"]).dropna()
    if len(dated) == len(ends):
        as_of = max(dated)
        within = [p for p, end in ends.items() if end is not None and end > _months_before(as_of, 12)]
    else:  # periods that are not dates: every period read counts, and "now" is the last purchase on record
        as_of = last_purchases.max().date() if len(last_purchases) else max(dated, default=date.today())
        within = list(periods)

    linked = keys[keys.isin(set(known["customer_key"]))]
    rows = linked.index
    by_customer = known.groupby("customer_key")
    spend = known.pivot_table(index="customer_key", columns="period", values="revenue", aggfunc="sum", dropna=False)
    spend = spend.reindex(index=linked.to_numpy(), columns=periods).set_axis(rows)
    bought = known.pivot_table(
        index="customer_key", columns="period", values="purchases", aggfunc="sum", dropna=False
    ).reindex(index=linked.to_numpy(), columns=periods)
    churned = known.assign(churned=known["churned"].astype(float)).groupby("customer_key")["churned"].max()
    first = pd.to_datetime(by_customer["first_purchase"].min()).reindex(linked.to_numpy())
    last = pd.to_datetime(by_customer["last_purchase"].max()).reindex(linked.to_numpy())
    stamp = pd.Timestamp(as_of)
    purchases = by_customer["purchases"].sum(min_count=1).reindex(linked.to_numpy()).to_numpy(float)
    answered_purchases = _survey_purchases(wave)
    if answered_purchases is not None:
        purchases = np.fmax(purchases, answered_purchases.loc[rows].to_numpy(float))
    revenue = (
        known[known["period"].isin(within)]
        .groupby("customer_key")["revenue"]
        .sum(min_count=1)
        .reindex(linked.to_numpy())
    )

    customers = pd.DataFrame(
        {
            "respondent": linked.to_numpy(),
            "tenure_months": ((stamp - first).dt.days / MONTH_DAYS).to_numpy(float),
            "months_since_last_purchase": ((stamp - last).dt.days.clip(lower=0) / MONTH_DAYS).to_numpy(float),
            "transactions": purchases,
            "revenue_12m": revenue.to_numpy(float),
            "churned": churned.reindex(linked.to_numpy()).to_numpy(float),
        },
        index=rows,
    )
    answers = wave.responses.loc[rows]
    wallet = _first(wave, Construct.SHARE_OF_WALLET, "number")
    customers["share_of_wallet"] = (
        answers[wallet.code].astype("Float64").astype(float) / float(wallet.maximum)
        if wallet is not None and wallet.maximum
        else np.nan
    )
    repurchase = _first(wave, Construct.REPURCHASE_INTENT, "scale")
    customers["repurchase"] = (
        percent_of_scale(answers, ItemSet("repurchase", (repurchase,)))[repurchase.code] / 100
        if repurchase is not None
        else np.nan
    )
    trend = _first(wave, Construct.SPENDING, "scale")
    customers["spending_trend"] = _more_same_less(answers, trend) if trend is not None else np.nan
    trust = [v for v in wave.codebook if v.construct == Construct.TRUST and v.kind == "scale"]
    customers["trust"] = (
        percent_of_scale(answers, ItemSet("trust", tuple(trust))).mean(axis=1, skipna=True) if trust else np.nan
    )
    try:
        satisfaction: ItemSet | None = satisfaction_items(wave)
    except InputError:
        satisfaction = None
    customers["satisfaction"] = (
        percent_of_scale(answers, satisfaction).mean(axis=1, skipna=True) if satisfaction is not None else np.nan
    )
    return CustomerInputs(
        customers=customers,
        spend_by_period=spend.astype(float),
        purchases_by_period=bought.set_axis(rows).astype(float),
        periods=tuple(periods),
        periods_12m=tuple(within),
        as_of=as_of,
        respondents=len(keys),
        records=len(known[known["customer_key"].isin(set(linked))]),
        share_of_wallet_item=None if wallet is None else wallet.code,
        repurchase_item=None if repurchase is None else repurchase.code,
        spending_trend_item=None if trend is None else trend.code,
        trust_items=tuple(v.code for v in trust),
        satisfaction_items=() if satisfaction is None else tuple(satisfaction.codes),
    )


def period_end(label: str) -> date | None:
    """The last day of a period named like 2026Q3, 2026-Q3 or 2026-09 (also 2026年第3季度, 2026年9月); None
    for any other name.

    >>> period_end("2026Q3"), period_end("2026-02"), period_end("spring")
    (datetime.date(2026, 9, 30), datetime.date(2026, 2, 28), None)
    """
    quarter = re.fullmatch(r"(\d{4})\s*-?\s*(?:Q|年第)\s*([1-4])\s*(?:季度)?", label.strip(), re.IGNORECASE)
    month = re.fullmatch(r"(\d{4})\s*(?:-|/|年)\s*(\d{1,2})\s*月?", label.strip())
    if quarter:
        year, last_month = int(quarter.group(1)), 3 * int(quarter.group(2))
    elif month and 1 <= int(month.group(2)) <= 12:
        year, last_month = int(month.group(1)), int(month.group(2))
    else:
        return None
    following = date(year + (last_month == 12), last_month % 12 + 1, 1)
    return following - timedelta(days=1)


def _months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    import calendar

    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _first(wave: WaveData, construct: Construct, kind: str) -> Variable | None:
    return next((v for v in wave.codebook if v.construct == construct and v.kind == kind), None)


def _survey_purchases(wave: WaveData) -> pd.Series | None:
    """The purchases-so-far answer as its band's lower bound, when the survey asks it."""
    try:
        return ladder_inputs(wave).purchases
    except InputError:
        return None


def _more_same_less(answers: pd.DataFrame, item: Variable) -> pd.Series:
    """A more/less rating as +1 (above the scale's middle), 0 (the middle), −1 (below), on its direction."""
    import numpy as np
    import pandas as pd

    low, high = float(item.minimum or 0), float(item.maximum or 0)
    values = answers[item.code].astype("Float64").astype(float).to_numpy()
    sign = np.sign(values - (low + high) / 2) * (-1.0 if item.direction == Direction.HIGHER_IS_WORSE else 1.0)
    return pd.Series(sign, index=answers.index, name=item.code)
