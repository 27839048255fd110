"""The customer value matrix: current value × growth potential, with a resource and retention strategy
for each of the four classes, in zh-Hans, zh-Hant and en (METHODS.md §10.3)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

VALUE_CLASSES = ("key", "maintain", "develop", "minimal")

# class → (metal, {language: (name, resources, retention strategy)}), after METHODS §10.3.
VALUE_CLASS_TEXT: dict[str, tuple[str, dict[str, tuple[str, str, str]]]] = {
    "key": (
        "platinum",
        {
            "zh-Hans": (
                "关键客户（白金）",
                "投入最多的保持资源：专属客户经理与服务团队、优先响应",
                "重点保持：专属服务、共同开发产品与方案、深化合作关系",
            ),
            "zh-Hant": (
                "關鍵客戶（白金）",
                "投入最多的保持資源：專屬客戶經理與服務團隊、優先回應",
                "重點保持：專屬服務、共同開發產品與方案、深化合作關係",
            ),
            "en": (
                "key (platinum)",
                "maximal retention resources: a dedicated account team, priority service",
                "retain at all costs: dedicated service, co-development, deepen the relationship",
            ),
        },
    ),
    "maintain": (
        "gold",
        {
            "zh-Hans": (
                "维持客户（黄金）",
                "以有效率的成本投入保持资源",
                "维持：忠诚奖励、稳定的服务水平、防止流失",
            ),
            "zh-Hant": (
                "維持客戶（黃金）",
                "以有效率的成本投入保持資源",
                "維持：忠誠獎勵、穩定的服務水準、防止流失",
            ),
            "en": (
                "maintain (gold)",
                "protect at efficient cost",
                "maintain: loyalty rewards, steady service levels, prevent defection",
            ),
        },
    ),
    "develop": (
        "iron",
        {
            "zh-Hans": (
                "发展客户（铁）",
                "按增长潜力投入关系建设资源",
                "发展：交叉销售与向上销售、提高钱包份额、加强关系投资",
            ),
            "zh-Hant": (
                "發展客戶（鐵）",
                "按成長潛力投入關係建設資源",
                "發展：交叉銷售與向上銷售、提高錢包份額、加強關係投資",
            ),
            "en": (
                "develop (iron)",
                "invest in the relationship in proportion to its potential",
                "develop: cross-sell and up-sell, grow share of wallet, relationship investment",
            ),
        },
    ),
    "minimal": (
        "lead",
        {
            "zh-Hans": (
                "最低投入客户（铅）",
                "最少的资源：低成本、自动化的服务渠道",
                "控制成本：转向自助与自动化渠道，重新定价或放弃",
            ),
            "zh-Hant": (
                "最低投入客戶（鉛）",
                "最少的資源：低成本、自動化的服務通路",
                "控制成本：轉向自助與自動化通路，重新定價或放棄",
            ),
            "en": (
                "minimal (lead)",
                "minimal resources: low-cost, automated channels",
                "cut cost to serve: self-service and automated channels, reprice or let go",
            ),
        },
    ),
}


@dataclass(frozen=True, slots=True)
class ValueClass:
    """One class of the value matrix: its size, value, and what to do with it, in three languages."""

    value_class: str  # key, maintain, develop or minimal
    metal: str  # platinum, gold, iron, lead
    count: int
    share: float  # (weighted) share of customers
    current_value_share: float  # share of all current value held by the class
    name_zh_hans: str
    name_zh_hant: str
    name_en: str
    resources_zh_hans: str
    resources_zh_hant: str
    resources_en: str
    strategy_zh_hans: str
    strategy_zh_hant: str
    strategy_en: str

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ValueMatrix:
    """Each customer's value class, the cuts used, and the four classes."""

    classes: tuple[str, ...]  # one per customer; "unclassified" where a value is missing
    current_cut: float
    potential_cut: float
    cut_method: str  # "median" or "given" (for each axis: "median/given" when they differ)
    summary: tuple[ValueClass, ...]
    unclassified: int
    weighted: bool

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return {
            "classes": list(self.classes),
            "current_cut": self.current_cut,
            "potential_cut": self.potential_cut,
            "cut_method": self.cut_method,
            "summary": [row.as_dict() for row in self.summary],
            "unclassified": self.unclassified,
            "weighted": self.weighted,
        }


def current_contribution(revenue: ArrayLike, margin: ArrayLike, cost_to_serve: ArrayLike) -> NDArray[np.float64]:
    """Current value CV = last-12-month revenue × margin − cost to serve.

    Parameters
    ----------
    revenue : last-12-month revenue per customer.
    margin : contribution margin, one for all or one per customer.
    cost_to_serve : cost to serve per customer (or one for all).

    Returns
    -------
    numpy.ndarray of CV per customer.

    Examples
    --------
    >>> current_contribution([1000, 200], 0.3, [50, 80]).tolist()
    [250.0, -20.0]
    """
    result: NDArray[np.float64] = np.asarray(revenue, dtype=float) * np.asarray(margin, dtype=float) - np.asarray(
        cost_to_serve, dtype=float
    )
    return result


def wallet_growth_potential(wallet: ArrayLike, share_of_wallet: ArrayLike, margin: ArrayLike) -> NDArray[np.float64]:
    """Growth potential PV = category wallet × (1 − share of wallet) × margin.

    Parameters
    ----------
    wallet : the customer's total spending in the category.
    share_of_wallet : our share of it, 0–1.
    margin : contribution margin, one for all or one per customer.

    Returns
    -------
    numpy.ndarray of PV per customer.

    Raises
    ------
    ValueError
        A share of wallet outside 0–1.

    Examples
    --------
    >>> wallet_growth_potential([5000, 1000], [0.2, 0.9], 0.3).round(6).tolist()
    [1200.0, 30.0]
    """
    share = np.asarray(share_of_wallet, dtype=float)
    present = share[~np.isnan(share)]
    if np.any((present < 0) | (present > 1)):
        raise ValueError(
            f"share_of_wallet: shares must be between 0 and 1; found {present[(present < 0) | (present > 1)][0]:g}."
        )
    result: NDArray[np.float64] = np.asarray(wallet, dtype=float) * (1 - share) * np.asarray(margin, dtype=float)
    return result


def customer_value_matrix(
    current_value: ArrayLike,
    potential_value: ArrayLike,
    *,
    current_cut: float | None = None,
    potential_cut: float | None = None,
    weights: ArrayLike | None = None,
) -> ValueMatrix:
    """Classify customers by current value (CV) × growth potential (PV) into the four value classes.

    High CV & high PV: key (platinum); high CV & low PV: maintain (gold); low CV & high PV: develop
    (iron); low CV & low PV: minimal (lead). An axis is cut at the median of the customers with both
    values (unweighted) unless a business target is given; a value equal to the cut counts as high
    (ties go to the upper class). Customers with a missing value are "unclassified".

    Parameters
    ----------
    current_value : CV, e.g. `current_contribution` (revenue × margin − cost to serve).
    potential_value : PV, e.g. predicted CLV − CV, or `wallet_growth_potential`.
    current_cut, potential_cut : business targets; None for the medians.
    weights : weights for the class shares, or None.

    Returns
    -------
    ValueMatrix

    Raises
    ------
    ValueError
        Arrays of different lengths, no customer with both values, or bad weights.

    Examples
    --------
    >>> matrix = customer_value_matrix([900, 800, 100, 50], [10, 500, 600, 20])
    >>> matrix.classes, matrix.current_cut
    (('maintain', 'key', 'develop', 'minimal'), 450.0)
    >>> matrix.summary[0].strategy_en
    'retain at all costs: dedicated service, co-development, deepen the relationship'
    """
    current = np.asarray(current_value, dtype=float).ravel()
    potential = np.asarray(potential_value, dtype=float).ravel()
    if len(current) != len(potential):
        raise ValueError(
            f"current_value, potential_value: {len(current)} and {len(potential)} values; need one each per customer."
        )
    n = len(current)
    w = np.ones(n)
    if weights is not None:
        w = np.asarray(weights, dtype=float).ravel()
        if len(w) != n or np.any(~(w > 0)):
            raise ValueError("weights: need one positive weight per customer.")
    known = ~np.isnan(current) & ~np.isnan(potential)
    if not known.any():
        raise ValueError("current_value, potential_value: no customer has both values.")
    cv_cut = float(np.median(current[known])) if current_cut is None else float(current_cut)
    pv_cut = float(np.median(potential[known])) if potential_cut is None else float(potential_cut)
    methods = {"median" if current_cut is None else "given", "median" if potential_cut is None else "given"}
    high_cv = current >= cv_cut
    high_pv = potential >= pv_cut
    classes = np.full(n, "unclassified", dtype=object)
    classes[known & high_cv & high_pv] = "key"
    classes[known & high_cv & ~high_pv] = "maintain"
    classes[known & ~high_cv & high_pv] = "develop"
    classes[known & ~high_cv & ~high_pv] = "minimal"
    total_weight = w[known].sum()
    total_value = float((w[known] * current[known]).sum())
    summary = []
    for name in VALUE_CLASSES:
        members = classes == name
        metal, text = VALUE_CLASS_TEXT[name]
        summary.append(
            ValueClass(
                value_class=name,
                metal=metal,
                count=int(members.sum()),
                share=float(w[members].sum() / total_weight),
                current_value_share=float((w[members] * current[members]).sum() / total_value)
                if total_value != 0
                else float("nan"),
                name_zh_hans=text["zh-Hans"][0],
                name_zh_hant=text["zh-Hant"][0],
                name_en=text["en"][0],
                resources_zh_hans=text["zh-Hans"][1],
                resources_zh_hant=text["zh-Hant"][1],
                resources_en=text["en"][1],
                strategy_zh_hans=text["zh-Hans"][2],
                strategy_zh_hant=text["zh-Hant"][2],
                strategy_en=text["en"][2],
            )
        )
    return ValueMatrix(
        classes=tuple(str(value) for value in classes),
        current_cut=cv_cut,
        potential_cut=pv_cut,
        cut_method="/".join(sorted(methods)) if len(methods) > 1 else methods.pop(),
        summary=tuple(summary),
        unclassified=int((~known).sum()),
        weighted=weights is not None,
    )
