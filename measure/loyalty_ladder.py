"""Griffin's loyalty ladder: each customer's stage, suspect to advocate (or lost), by a rule cascade.

METHODS.md §10.1. The cascade is evaluated top-down and the first rule that holds wins; its thresholds
live in `LadderRules`, whose defaults are those of METHODS. Evidence a survey or CRM file does not hold
(an argument left as None, or an empty cell) never lifts a customer: the rule that needs it does not
hold, and the customer falls to the next rule down.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Griffin's order as METHODS §10.1 lists it (the disqualified prospect is a side branch of the prospect
# rung); "lost" is off the ladder.
LADDER_STAGES = (
    "suspect",
    "prospect",
    "disqualified_prospect",
    "first_time_customer",
    "repeat_customer",
    "client",
    "advocate",
    "lost",
)
UNCLASSIFIED = "unclassified"

STAGE_LABELS: dict[str, dict[str, str]] = {
    "suspect": {"zh-Hans": "疑似客户", "zh-Hant": "疑似客戶", "en": "suspect"},
    "disqualified_prospect": {
        "zh-Hans": "不合格的潜在客户",
        "zh-Hant": "不合格的潛在客戶",
        "en": "disqualified prospect",
    },
    "prospect": {"zh-Hans": "潜在客户", "zh-Hant": "潛在客戶", "en": "prospect"},
    "first_time_customer": {
        "zh-Hans": "首次购买客户",
        "zh-Hant": "首次購買客戶",
        "en": "first-time customer",
    },
    "repeat_customer": {"zh-Hans": "重复购买客户", "zh-Hant": "重複購買客戶", "en": "repeat customer"},
    "client": {"zh-Hans": "常客", "zh-Hant": "常客", "en": "client"},
    "advocate": {"zh-Hans": "拥护者", "zh-Hant": "擁護者", "en": "advocate"},
    "lost": {"zh-Hans": "流失客户", "zh-Hant": "流失客戶", "en": "inactive / lost"},
    UNCLASSIFIED: {"zh-Hans": "无法分类", "zh-Hant": "無法分類", "en": "unclassified"},
}


@dataclass(frozen=True, slots=True)
class LadderRules:
    """Thresholds of the ladder's rule cascade (METHODS §10.1 defaults)."""

    lapse_months: float = 12.0  # R_max: lost after this long without a purchase (2 × a 6-month cycle)
    advocate_min_recommend: float = 9.0  # LTR on 0–10
    advocate_min_referrals: int = 1  # people recommended to in the last 12 months
    client_periods: int = 4  # K: the last K periods must each have a purchase …
    client_min_purchases_per_period: int = 1  # … of at least f_min purchases
    client_min_category_coverage: float = 0.70  # and coverage of the customer's categories ≥ 70 % …
    client_min_share_of_wallet: float = 0.60  # … or share of wallet ≥ 0.6
    repeat_min_purchases: int = 2
    include_disqualified_prospect: bool = True  # False: Griffin's later six-stage ladder

    def __post_init__(self) -> None:
        for name in ("client_min_category_coverage", "client_min_share_of_wallet"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name}: {value:g} is not a share between 0 and 1.")
        for name in ("client_periods", "repeat_min_purchases"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: {getattr(self, name)} must be at least 1.")

    def as_dict(self) -> dict[str, Any]:
        """The thresholds as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class StageCount:
    """How many customers stand on one stage, and their (weighted) share."""

    stage: str
    count: int
    share: float
    label_zh_hans: str
    label_zh_hant: str
    label_en: str

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class LoyaltyLadder:
    """Each customer's ladder stage and the distribution over stages."""

    stages: tuple[str, ...]  # one per customer, in input order
    distribution: tuple[StageCount, ...]  # every stage of the ladder used, lowest first
    rules: LadderRules
    weighted: bool

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return {
            "stages": list(self.stages),
            "distribution": [row.as_dict() for row in self.distribution],
            "rules": self.rules.as_dict(),
            "weighted": self.weighted,
        }


def loyalty_ladder(
    purchases: ArrayLike,
    *,
    months_since_last_purchase: ArrayLike | None = None,
    stopped_buying: ArrayLike | None = None,
    recommend: ArrayLike | None = None,
    referrals: ArrayLike | None = None,
    referral_recorded: ArrayLike | None = None,
    period_purchases: ArrayLike | None = None,
    category_coverage: ArrayLike | None = None,
    share_of_wallet: ArrayLike | None = None,
    aware: ArrayLike | None = None,
    has_need: ArrayLike | None = None,
    able_to_buy: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    rules: LadderRules | None = None,
) -> LoyaltyLadder:
    """Each customer's stage on Griffin's loyalty ladder, by the first rule of the cascade that holds.

    1. lost: purchases ≥ 1 and (months since last purchase > lapse_months or stopped buying).
    2. advocate: client, and (referrals ≥ advocate_min_referrals or a referral recorded), and
       recommend ≥ advocate_min_recommend.
    3. client: purchases ≥ f_min in each of the last K periods, and (category coverage ≥ 0.70 or
       share of wallet ≥ 0.60).
    4. repeat customer: purchases ≥ repeat_min_purchases (2).
    5. first-time customer: a purchase, but fewer than repeat_min_purchases (exactly 1 by default).
    6. disqualified prospect: no purchase and (no need or not able to buy).
    7. prospect: no purchase, aware, has a need and able to buy. 8. suspect: any other non-buyer.

    `purchases` is the lifetime count (or the count in the window the study defines). Yes/no evidence
    is 1/0; empty (NaN) or an argument left as None means unknown, and an unknown condition does not
    hold. A customer whose purchase count is empty is "unclassified". With
    ``include_disqualified_prospect=False`` (Griffin's six stages), rule 6 is skipped.

    Parameters
    ----------
    purchases : purchases per customer (whole numbers ≥ 0).
    months_since_last_purchase, stopped_buying : evidence of lapse.
    recommend : 0–10 likelihood to recommend. referrals : people recommended to in the last 12 months.
    referral_recorded : 1 when the CRM records a referral by the customer.
    period_purchases : purchases in each recent period, one row per customer, oldest period first;
        the last `client_periods` columns are used.
    category_coverage, share_of_wallet : shares 0–1.
    aware, has_need, able_to_buy : screener answers of non-buyers, 1/0.
    weights : survey weights for the distribution, or None.
    rules : the cascade's thresholds; None for the METHODS defaults.

    Returns
    -------
    LoyaltyLadder

    Raises
    ------
    ValueError
        Arrays of different lengths, negative purchases, shares outside 0–1, yes/no evidence other
        than 0/1, fewer period columns than `client_periods`, or bad weights.

    References
    ----------
    Griffin, J. (2002). Customer Loyalty: How to Earn It, How to Keep It, rev. ed. Jossey-Bass.

    Examples
    --------
    >>> ladder = loyalty_ladder([0, 1, 3, 8, 8, 5], months_since_last_purchase=[None, 2, 1, 1, 1, 20],
    ...     recommend=[None, 8, 7, 9, 10, 6], referrals=[0, 0, 0, 0, 2, 0],
    ...     period_purchases=[[0] * 4, [0, 0, 0, 1], [1, 0, 1, 1], [2, 2, 1, 3], [1, 2, 2, 3], [2, 2, 1, 0]],
    ...     share_of_wallet=[0, 0.2, 0.5, 0.8, 0.7, 0.5], aware=[1, 1, 1, 1, 1, 1])
    >>> ladder.stages
    ('suspect', 'first_time_customer', 'repeat_customer', 'client', 'advocate', 'lost')
    """
    rules = rules or LadderRules()
    bought = _counts(purchases, "purchases")
    n = len(bought)

    def column(
        values: ArrayLike | None, name: str, *, share: bool = False, yes_no: bool = False
    ) -> NDArray[np.float64]:
        if values is None:
            return np.full(n, np.nan)
        array = np.asarray(values, dtype=float).ravel()
        if len(array) != n:
            raise ValueError(f"{name}: {len(array)} values for {n} customers; need one per customer.")
        present = array[~np.isnan(array)]
        if yes_no and np.any((present != 0) & (present != 1)):
            shown = ", ".join(f"{value:g}" for value in np.unique(present[(present != 0) & (present != 1)])[:5])
            raise ValueError(f"{name}: must be 1 (yes), 0 (no) or empty; found {shown}.")
        if share and np.any((present < 0) | (present > 1)):
            shown = ", ".join(f"{value:g}" for value in np.unique(present[(present < 0) | (present > 1)])[:5])
            raise ValueError(f"{name}: shares must be between 0 and 1; found {shown}.")
        return array

    months = column(months_since_last_purchase, "months_since_last_purchase")
    stopped = column(stopped_buying, "stopped_buying", yes_no=True)
    ltr = column(recommend, "recommend")
    referred = column(referrals, "referrals")
    recorded = column(referral_recorded, "referral_recorded", yes_no=True)
    coverage = column(category_coverage, "category_coverage", share=True)
    wallet = column(share_of_wallet, "share_of_wallet", share=True)
    is_aware = column(aware, "aware", yes_no=True)
    needs = column(has_need, "has_need", yes_no=True)
    able = column(able_to_buy, "able_to_buy", yes_no=True)
    regular = _regular(period_purchases, n, rules)
    w = _weights(weights, n)

    lost = (bought >= 1) & ((months > rules.lapse_months) | (stopped == 1))
    client = regular & ((coverage >= rules.client_min_category_coverage) | (wallet >= rules.client_min_share_of_wallet))
    advocate = (
        client & ((referred >= rules.advocate_min_referrals) | (recorded == 1)) & (ltr >= rules.advocate_min_recommend)
    )
    non_buyer = bought == 0
    disqualified = non_buyer & ((needs == 0) | (able == 0)) & rules.include_disqualified_prospect
    prospect = non_buyer & (is_aware == 1) & (needs == 1) & (able == 1)
    cascade = [
        (lost, "lost"),
        (advocate, "advocate"),
        (client, "client"),
        (bought >= rules.repeat_min_purchases, "repeat_customer"),
        (bought >= 1, "first_time_customer"),
        (disqualified, "disqualified_prospect"),
        (prospect, "prospect"),
        (non_buyer, "suspect"),
    ]
    stages = np.full(n, UNCLASSIFIED, dtype=object)
    assigned = np.zeros(n, dtype=bool)
    for condition, stage in cascade:
        chosen = condition & ~assigned
        stages[chosen] = stage
        assigned |= chosen
    ladder = [
        stage for stage in LADDER_STAGES if rules.include_disqualified_prospect or stage != "disqualified_prospect"
    ]
    if not assigned.all():
        ladder.append(UNCLASSIFIED)
    return LoyaltyLadder(
        stages=tuple(str(stage) for stage in stages),
        distribution=stage_distribution(stages, ladder, w),
        rules=rules,
        weighted=weights is not None,
    )


def stage_distribution(
    stages: ArrayLike, order: list[str] | tuple[str, ...], weights: NDArray[np.float64] | None = None
) -> tuple[StageCount, ...]:
    """Count and (weighted) share of each stage in `order`, with its labels in three languages.

    share = Σ_{i in stage} w_i / Σ_i w_i (w = 1 unweighted); stages not in `order` count in the total
    but get no row.

    Parameters
    ----------
    stages : the stage of each customer.
    order : the stages to report, in the order to report them.
    weights : positive weights, or None.

    Returns
    -------
    tuple of StageCount, one per stage of `order`.

    Examples
    --------
    >>> [(row.stage, row.count, row.share) for row in stage_distribution(["client", "lost", "client"],
    ...                                                                   ["client", "lost"])]
    [('client', 2, 0.6666666666666666), ('lost', 1, 0.3333333333333333)]
    """
    values = np.asarray(stages, dtype=object).ravel()
    w = np.ones(len(values)) if weights is None else weights
    total = w.sum()
    rows = []
    for stage in order:
        members = values == stage
        labels = STAGE_LABELS.get(stage, {"zh-Hans": stage, "zh-Hant": stage, "en": stage})
        rows.append(
            StageCount(
                stage=stage,
                count=int(members.sum()),
                share=float(w[members].sum() / total) if total > 0 else float("nan"),
                label_zh_hans=labels["zh-Hans"],
                label_zh_hant=labels["zh-Hant"],
                label_en=labels["en"],
            )
        )
    return tuple(rows)


def _regular(period_purchases: ArrayLike | None, n: int, rules: LadderRules) -> NDArray[np.bool_]:
    if period_purchases is None:
        return np.zeros(n, dtype=bool)
    matrix = np.asarray(period_purchases, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != n:
        raise ValueError(
            f"period_purchases: need one row per customer ({n}) and one column per period; got shape {matrix.shape}."
        )
    if matrix.shape[1] < rules.client_periods:
        raise ValueError(
            f"period_purchases: {matrix.shape[1]} period(s) given; the client rule looks at the last "
            f"{rules.client_periods} (client_periods)."
        )
    recent = matrix[:, -rules.client_periods :]
    result: NDArray[np.bool_] = np.all(recent >= rules.client_min_purchases_per_period, axis=1)
    return result


def _counts(values: ArrayLike, name: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=float).ravel()
    present = array[~np.isnan(array)]
    bad = present[(present < 0) | (present != np.round(present))]
    if len(bad):
        shown = ", ".join(f"{value:g}" for value in np.unique(bad)[:5])
        raise ValueError(f"{name}: counts must be whole numbers ≥ 0; found {shown}.")
    return array


def _weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64] | None:
    if weights is None:
        return None
    values = np.asarray(weights, dtype=float).ravel()
    if len(values) != n:
        raise ValueError(f"weights: {len(values)} weights for {n} customers; need one each.")
    bad = values[~(values > 0) | ~np.isfinite(values)]
    if len(bad):
        raise ValueError(f"weights: every weight must be a positive number; found {bad[0]:g}.")
    return values
