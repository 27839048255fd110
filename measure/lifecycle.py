"""The relationship lifecycle: exploration, formation, stability, decline — and how lost customers left.

METHODS.md §10.2. Each customer's stage comes from tenure, the trend of their spending, relationship
quality and stated intention, by a rule cascade whose thresholds live in `LifecycleRules`. For
customers who were lost, `lost_customer_patterns` says in which stage their relationship ended.

The spending trend and δ. METHODS §10.2 compares the slope g of log(1 + spend) with a tolerance δ and
leaves δ open. Over the four or so periods a year of records gives, period-to-period noise in a
customer's spending (a quarter without a purchase moves log(1 + spend) by several units) makes |g| > δ
for most customers whose spending has no trend at all, so δ alone sorts noise into formation and decline.
A fitted trend (`spend_trend_fit`) therefore counts as rising or falling only when |g| > δ *and* a t test
of the customer's own OLS fit rejects a zero slope: |g| / SE(g) > t_{1 − α/2, m − 2}, m the periods on
record (at least 3, so the fit leaves a residual degree of freedom), α = 1 − `trend_confidence`
(0.10 by default: 5 % in each direction). Everything else with a known trend is flat. δ stays the
smallest change that matters (5 % a period); the test says whether it is there. A trend given without a
standard error (e.g. from the survey's "more/same/less" answer) is compared with δ alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

LIFECYCLE_STAGES = ("exploration", "formation", "stability", "decline")
UNCLASSIFIED = "unclassified"
LOST_PATTERNS = (
    "ended_in_exploration",
    "ended_in_formation",
    "ended_early_in_stability",
    "ended_late_in_stability",
    "not_observed_before_decline",
)

STAGE_LABELS: dict[str, dict[str, str]] = {
    "exploration": {"zh-Hans": "考察期", "zh-Hant": "考察期", "en": "exploration"},
    "formation": {"zh-Hans": "形成期", "zh-Hant": "形成期", "en": "formation"},
    "stability": {"zh-Hans": "稳定期", "zh-Hant": "穩定期", "en": "stability"},
    "decline": {"zh-Hans": "退化期", "zh-Hant": "退化期", "en": "decline"},
    UNCLASSIFIED: {"zh-Hans": "无法分类", "zh-Hant": "無法分類", "en": "unclassified"},
}
PATTERN_LABELS: dict[str, dict[str, str]] = {
    "ended_in_exploration": {"zh-Hans": "考察期流失", "zh-Hant": "考察期流失", "en": "ended in exploration"},
    "ended_in_formation": {"zh-Hans": "形成期流失", "zh-Hant": "形成期流失", "en": "ended in formation"},
    "ended_early_in_stability": {
        "zh-Hans": "稳定期前期流失",
        "zh-Hant": "穩定期前期流失",
        "en": "ended early in stability",
    },
    "ended_late_in_stability": {
        "zh-Hans": "稳定期后期流失",
        "zh-Hant": "穩定期後期流失",
        "en": "ended late in stability",
    },
    "not_observed_before_decline": {
        "zh-Hans": "衰退前阶段未观测到",
        "zh-Hant": "衰退前階段未觀測到",
        "en": "not observed before decline",
    },
}


@dataclass(frozen=True, slots=True)
class LifecycleRules:
    """Thresholds of the lifecycle cascade. T1, the 2 transactions, R_max and the 0.5 SD drop are
    METHODS §10.2's; δ, T2 and the early-stability length are our defaults (METHODS leaves them open)."""

    exploration_max_months: float = 6.0  # T1: tenure below this is exploration
    exploration_max_transactions: int = 2  # … as is having at most this many transactions
    trend_tolerance: float = 0.05  # δ: slope of log(1 + spend) per period counted as flat
    trend_confidence: float = 0.90  # a fitted slope must differ from 0 at this two-sided level (5 % each way)
    stability_min_months: float = 12.0  # T2: stability needs at least this tenure
    stability_min_quality: float | None = None  # RQ threshold for stability; None = the sample median
    lapse_months: float = 12.0  # R_max: recency beyond this is decline
    quality_drop_sd: float = 0.5  # an RQ drop of this many SDs since the last wave is decline
    early_stability_max_periods: int = 4  # a lost customer stable for fewer periods left "early"

    def __post_init__(self) -> None:
        if not 0 < self.trend_confidence < 1:
            raise ValueError(f"trend_confidence: {self.trend_confidence:g} must be between 0 and 1.")

    def as_dict(self) -> dict[str, Any]:
        """The thresholds as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SpendTrendFit:
    """Per customer, the OLS slope of log(1 + spend) on the period number, its standard error and the
    number of periods it was fitted to (NaN slope and SE with fewer than `min_periods`)."""

    slopes: tuple[float, ...]
    standard_errors: tuple[float, ...]
    periods: tuple[int, ...]
    min_periods: int

    def as_dict(self) -> dict[str, Any]:
        """The fit as plain JSON-ready values (NaN as null)."""
        return {
            "slopes": [None if np.isnan(v) else v for v in self.slopes],
            "standard_errors": [None if np.isnan(v) else v for v in self.standard_errors],
            "periods": list(self.periods),
            "min_periods": self.min_periods,
        }


@dataclass(frozen=True, slots=True)
class LifecycleCount:
    """How many customers are in one stage (or lost pattern), with labels in three languages."""

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
class Lifecycle:
    """Each customer's lifecycle stage and the distribution over stages."""

    stages: tuple[str, ...]
    distribution: tuple[LifecycleCount, ...]
    quality_threshold: float | None  # the RQ threshold used for stability (median unless given)
    rules: LifecycleRules
    weighted: bool

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return {
            "stages": list(self.stages),
            "distribution": [row.as_dict() for row in self.distribution],
            "quality_threshold": self.quality_threshold,
            "rules": self.rules.as_dict(),
            "weighted": self.weighted,
        }


@dataclass(frozen=True, slots=True)
class LostCustomerPatterns:
    """For lost customers, the stage in which each relationship ended, and the counts."""

    patterns: tuple[str, ...]  # one per lost customer, in input order
    distribution: tuple[LifecycleCount, ...]
    early_stability_max_periods: int

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return {
            "patterns": list(self.patterns),
            "distribution": [row.as_dict() for row in self.distribution],
            "early_stability_max_periods": self.early_stability_max_periods,
        }


def spend_trend(spend_by_period: ArrayLike) -> NDArray[np.float64]:
    """Per customer, the OLS slope of log(1 + spend) on the period number (oldest period first).

    g = Σ (t − t̄)(y_t − ȳ) / Σ (t − t̄)², y_t = log(1 + spend_t). Empty periods are left out; a
    customer with fewer than two periods gets NaN. A slope of 0.05 is about 5 % more spending per period.

    Parameters
    ----------
    spend_by_period : one row per customer, one column per period, oldest first; spending ≥ 0.

    Returns
    -------
    numpy.ndarray of slopes g, one per customer.

    Raises
    ------
    ValueError
        Not a two-dimensional table, or a negative amount.

    Examples
    --------
    >>> spend_trend([[99, 99, 99], [0, np.e - 1, np.e**2 - 1]]).round(4).tolist()
    [0.0, 1.0]
    """
    matrix = _spend_matrix(spend_by_period)
    slopes = np.full(matrix.shape[0], np.nan)
    periods = np.arange(matrix.shape[1], dtype=float)
    for row, values in enumerate(matrix):
        known = ~np.isnan(values)
        if known.sum() >= 2:
            x = periods[known] - periods[known].mean()
            y = np.log1p(values[known])
            slopes[row] = float((x * (y - y.mean())).sum() / (x**2).sum())
    return slopes


def spend_trend_fit(spend_by_period: ArrayLike, *, min_periods: int = 3) -> SpendTrendFit:
    """Per customer, the OLS slope of log(1 + spend) on the period number with its standard error.

    y_t = log(1 + spend_t) over the m periods on record (empty periods left out), t the period's
    position; g = Σ (t − t̄)(y_t − ȳ) / Σ (t − t̄)², SE(g) = √(Σ e_t² / (m − 2) / Σ (t − t̄)²) with e_t
    the residuals: the classical OLS standard error, m − 2 degrees of freedom. A customer with fewer
    than `min_periods` periods gets NaN for both.

    Parameters
    ----------
    spend_by_period : one row per customer, one column per period, oldest first; spending ≥ 0.
    min_periods : the fewest periods a slope is fitted to; at least 3, so SE(g) has a degree of freedom.

    Returns
    -------
    SpendTrendFit

    Raises
    ------
    ValueError
        Not a two-dimensional table, a negative amount, or min_periods below 3.

    References
    ----------
    Montgomery, D. C., Peck, E. A. & Vining, G. G. (2012). Introduction to Linear Regression Analysis,
    5th ed., Wiley, §2.3 (the t test on the slope). Slope and standard error are checked against
    scipy.stats.linregress in the tests.

    Examples
    --------
    >>> fit = spend_trend_fit([[0, np.e - 1, np.e**2 - 1], [100, 300, 50], [100, np.nan, 120]])
    >>> [round(v, 4) for v in fit.slopes[:2]], round(fit.standard_errors[1], 4), fit.periods
    ([1.0, -0.3416], 0.8277, (3, 3, 2))
    """
    if min_periods < 3:
        raise ValueError(f"min_periods: {min_periods} leaves no residual degree of freedom; need at least 3.")
    matrix = _spend_matrix(spend_by_period)
    slopes = np.full(matrix.shape[0], np.nan)
    errors = np.full(matrix.shape[0], np.nan)
    counts = (~np.isnan(matrix)).sum(axis=1)
    positions = np.arange(matrix.shape[1], dtype=float)
    for row, values in enumerate(matrix):
        known = ~np.isnan(values)
        if counts[row] >= min_periods:
            x = positions[known] - positions[known].mean()
            y = np.log1p(values[known])
            sxx = float((x**2).sum())
            slope = float((x * (y - y.mean())).sum() / sxx)
            residuals = y - y.mean() - slope * x
            slopes[row] = slope
            errors[row] = float(np.sqrt((residuals**2).sum() / (counts[row] - 2) / sxx))
    return SpendTrendFit(
        slopes=tuple(float(v) for v in slopes),
        standard_errors=tuple(float(v) for v in errors),
        periods=tuple(int(c) for c in counts),
        min_periods=min_periods,
    )


def _spend_matrix(spend_by_period: ArrayLike) -> NDArray[np.float64]:
    matrix = np.asarray(spend_by_period, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"spend_by_period: need one row per customer and one column per period; got {matrix.shape}.")
    present = matrix[~np.isnan(matrix)]
    if np.any(present < 0):
        raise ValueError(f"spend_by_period: spending cannot be negative; found {present[present < 0][0]:g}.")
    return matrix


def relationship_lifecycle(
    tenure_months: ArrayLike,
    *,
    transactions: ArrayLike | None = None,
    trend: ArrayLike | None = None,
    trend_standard_error: ArrayLike | None = None,
    trend_periods: ArrayLike | None = None,
    intention: ArrayLike | None = None,
    relationship_quality: ArrayLike | None = None,
    previous_relationship_quality: ArrayLike | None = None,
    months_since_last_purchase: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    rules: LifecycleRules | None = None,
) -> Lifecycle:
    """Each customer's relationship lifecycle stage by the cascade of METHODS §10.2.

    Evaluated top-down, first match wins:

    1. exploration: tenure T < T1 or transactions ≤ 2.
    2. decline: the trend falls, or intention = less (−1), or recency > R_max, or relationship quality
       dropped by ≥ 0.5 SD (SD of this sample's RQ) since the last wave.
    3. formation: the trend rises, or (intention = more (+1) and RQ rising since the last wave).
    4. stability: the trend is flat and RQ ≥ threshold (the sample median unless
       `stability_min_quality`) and T ≥ T2.

    The trend rises when g > +δ and falls when g < −δ; where `trend_standard_error` is given (a fitted
    trend, see `spend_trend_fit`), only when also |g| / SE > t_{1 − α/2, m − 2} (m = `trend_periods`,
    α = 1 − `trend_confidence`; SE = 0 passes). A known trend that neither rises nor falls is flat
    (the module docstring says why δ alone is not enough).
    5. otherwise "unclassified" (e.g. a flat trend with low relationship quality): reported, not
       forced into a stage.

    `trend` is g per customer (see `spend_trend`); a survey without spending data may give the
    "buy more/same/less than a year ago" answer as +δ·2/0/−δ·2 or leave `trend` None and rely on
    `intention`. Unknown evidence (None or NaN) never makes a condition hold.

    Parameters
    ----------
    tenure_months : months since the first purchase.
    transactions : transactions so far. trend : g, slope of log(1 + spend) per period.
    trend_standard_error, trend_periods : SE of each fitted g and the periods it was fitted to (NaN
        where g has no standard error, e.g. taken from the survey); give both or neither.
    intention : +1 will buy more, 0 the same, −1 less.
    relationship_quality, previous_relationship_quality : RQ (mean z-score of trust, commitment,
        satisfaction) now and in the last wave.
    months_since_last_purchase : recency. weights : survey weights for the distribution.
    rules : thresholds; None for the defaults.

    Returns
    -------
    Lifecycle

    Raises
    ------
    ValueError
        Arrays of different lengths, negative tenure, intention other than −1/0/+1, bad weights, or
        only one of trend_standard_error and trend_periods.

    References
    ----------
    Dwyer, F. R., Schurr, P. H. & Oh, S. (1987). Developing buyer-seller relationships. Journal of
    Marketing 51(2), 11–27. The four-stage version (考察期, 形成期, 稳定期, 退化期) is attributed to
    陈明亮 (c. 2002–2003); METHODS marks that citation as unverified.

    Examples
    --------
    >>> life = relationship_lifecycle([3, 24, 24, 30, 36], transactions=[1, 10, 12, 30, 40],
    ...     trend=[0.0, 0.2, -0.3, 0.01, 0.0], relationship_quality=[0.1, 0.3, -0.2, 0.8, -0.5])
    >>> life.stages
    ('exploration', 'formation', 'decline', 'stability', 'unclassified')

    The same slopes with standard errors from four periods (t critical value 2.92 at 2 df): 0.2 ± 0.1
    is not told apart from noise, so that customer's trend is flat (stability, RQ above the median).

    >>> relationship_lifecycle([3, 24, 24, 30, 36], transactions=[1, 10, 12, 30, 40],
    ...     trend=[0.0, 0.2, -0.3, 0.01, 0.0], trend_standard_error=[0.1, 0.1, 0.05, 0.1, 0.1],
    ...     trend_periods=[4] * 5, relationship_quality=[0.1, 0.3, -0.2, 0.8, -0.5]).stages
    ('exploration', 'stability', 'decline', 'stability', 'unclassified')
    """
    rules = rules or LifecycleRules()
    tenure = np.asarray(tenure_months, dtype=float).ravel()
    n = len(tenure)
    if np.any(tenure[~np.isnan(tenure)] < 0):
        raise ValueError("tenure_months: tenure cannot be negative.")

    def column(values: ArrayLike | None, name: str) -> NDArray[np.float64]:
        if values is None:
            return np.full(n, np.nan)
        array = np.asarray(values, dtype=float).ravel()
        if len(array) != n:
            raise ValueError(f"{name}: {len(array)} values for {n} customers; need one per customer.")
        return array

    count = column(transactions, "transactions")
    slope = column(trend, "trend")
    if (trend_standard_error is None) != (trend_periods is None):
        raise ValueError("trend_standard_error, trend_periods: give both (a fitted trend) or neither.")
    slope_error = column(trend_standard_error, "trend_standard_error")
    fitted_periods = column(trend_periods, "trend_periods")
    intent = column(intention, "intention")
    bad = intent[~np.isnan(intent) & ~np.isin(intent, [-1, 0, 1])]
    if len(bad):
        raise ValueError(f"intention: must be +1 (more), 0 (same) or −1 (less); found {bad[0]:g}.")
    quality = column(relationship_quality, "relationship_quality")
    previous = column(previous_relationship_quality, "previous_relationship_quality")
    recency = column(months_since_last_purchase, "months_since_last_purchase")
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=float).ravel()
        if len(w) != n or np.any(~(w > 0)):
            raise ValueError("weights: need one positive weight per customer.")

    known_quality = quality[~np.isnan(quality)]
    threshold: float | None = rules.stability_min_quality
    if threshold is None and len(known_quality):
        threshold = float(np.median(known_quality))
    quality_sd = float(known_quality.std(ddof=1)) if len(known_quality) >= 2 else float("nan")
    delta = rules.trend_tolerance
    exploration = (tenure < rules.exploration_max_months) | (count <= rules.exploration_max_transactions)
    dropped = (previous - quality) >= rules.quality_drop_sd * quality_sd
    rising, falling = _trend_direction(slope, slope_error, fitted_periods, delta, rules.trend_confidence)
    flat = ~np.isnan(slope) & ~rising & ~falling
    decline = falling | (intent == -1) | (recency > rules.lapse_months) | dropped
    formation = rising | ((intent == 1) & (quality > previous))
    stability = (
        flat & (quality >= (np.nan if threshold is None else threshold)) & (tenure >= rules.stability_min_months)
    )
    stages = np.full(n, UNCLASSIFIED, dtype=object)
    assigned = np.zeros(n, dtype=bool)
    for condition, stage in (
        (exploration, "exploration"),
        (decline, "decline"),
        (formation, "formation"),
        (stability, "stability"),
    ):
        chosen = condition & ~assigned
        stages[chosen] = stage
        assigned |= chosen
    order = [*LIFECYCLE_STAGES, *([UNCLASSIFIED] if not assigned.all() else [])]
    return Lifecycle(
        stages=tuple(str(stage) for stage in stages),
        distribution=_distribution(stages, order, STAGE_LABELS, w),
        quality_threshold=threshold,
        rules=rules,
        weighted=weights is not None,
    )


def _trend_direction(
    slope: NDArray[np.float64],
    error: NDArray[np.float64],
    periods: NDArray[np.float64],
    delta: float,
    confidence: float,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Rising and falling: beyond ±δ and, where a standard error is known, a t test rejecting g = 0."""
    untested = np.isnan(error)
    df = np.where(periods >= 3, periods - 2, np.nan)
    critical = stats.t.ppf(1 - (1 - confidence) / 2, np.where(np.isnan(df), 1.0, df))
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(error > 0, np.abs(slope) / np.where(error > 0, error, 1.0), np.inf)
    distinct = untested | (~np.isnan(df) & (statistic > critical))
    return (slope > delta) & distinct, (slope < -delta) & distinct


def lost_customer_patterns(
    histories: Sequence[Sequence[str]], *, early_stability_max_periods: int = 4
) -> LostCustomerPatterns:
    """For each lost customer, the lifecycle stage in which the relationship ended.

    `histories` holds, per lost customer, their lifecycle stage in each period, oldest first (e.g.
    from `relationship_lifecycle` run on each wave). The furthest stage reached decides the pattern:
    never past exploration → ended in exploration; reached formation but not stability → ended in
    formation; reached stability → ended early in stability when stable for fewer than
    `early_stability_max_periods` periods, else late in stability. Decline and unclassified periods
    do not count as progress; a customer never seen in exploration, formation or stability (first
    observed in decline) is "not_observed_before_decline" rather than guessed. (The four patterns
    follow the Chinese lifecycle literature METHODS §10.2 cites; the early/late cut is ours and
    configurable.)

    Parameters
    ----------
    histories : per lost customer, the sequence of lifecycle stages, oldest first.
    early_stability_max_periods : stable for fewer periods than this → ended early in stability.

    Returns
    -------
    LostCustomerPatterns

    Raises
    ------
    ValueError
        A stage that is not a lifecycle stage, or an empty history.

    Examples
    --------
    >>> result = lost_customer_patterns([["exploration", "decline"],
    ...     ["exploration", "formation", "stability", "stability", "decline"],
    ...     ["formation", "stability"] + ["stability"] * 5 + ["decline"]])
    >>> result.patterns
    ('ended_in_exploration', 'ended_early_in_stability', 'ended_late_in_stability')
    """
    if early_stability_max_periods < 1:
        raise ValueError(f"early_stability_max_periods: {early_stability_max_periods} must be at least 1.")
    allowed = {*LIFECYCLE_STAGES, UNCLASSIFIED}
    patterns = []
    for position, history in enumerate(histories):
        stages = [str(stage) for stage in history]
        unknown = sorted(set(stages) - allowed)
        if unknown:
            raise ValueError(
                f"histories: customer {position + 1} has {', '.join(unknown)}, not a lifecycle stage "
                f"({', '.join(LIFECYCLE_STAGES)})."
            )
        if not stages:
            raise ValueError(f"histories: customer {position + 1} has no stage at all.")
        stable_periods = stages.count("stability")
        if stable_periods:
            pattern = (
                "ended_early_in_stability"
                if stable_periods < early_stability_max_periods
                else "ended_late_in_stability"
            )
        elif "formation" in stages:
            pattern = "ended_in_formation"
        elif "exploration" in stages:
            pattern = "ended_in_exploration"
        else:
            pattern = "not_observed_before_decline"
        patterns.append(pattern)
    values = np.array(patterns, dtype=object)
    return LostCustomerPatterns(
        patterns=tuple(patterns),
        distribution=_distribution(values, list(LOST_PATTERNS), PATTERN_LABELS, None),
        early_stability_max_periods=early_stability_max_periods,
    )


def _distribution(
    values: NDArray[Any],
    order: list[str],
    labels: dict[str, dict[str, str]],
    weights: NDArray[np.float64] | None,
) -> tuple[LifecycleCount, ...]:
    w = np.ones(len(values)) if weights is None else weights
    total = w.sum()
    rows = []
    for stage in order:
        members = values == stage
        names = labels[stage]
        rows.append(
            LifecycleCount(
                stage=stage,
                count=int(members.sum()),
                share=float(w[members].sum() / total) if total > 0 else float("nan"),
                label_zh_hans=names["zh-Hans"],
                label_zh_hant=names["zh-Hant"],
                label_en=names["en"],
            )
        )
    return tuple(rows)
