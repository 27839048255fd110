"""The TARP market-damage model: what poor complaint handling costs in lost customers and revenue.

From the complaint path of each respondent (had a problem? complained? resolved?) and their repurchase
intent, the repurchase rate of each path group; then, for a customer base of N, the customers and
revenue lost against the no-problem baseline, the service-recovery effect and what-if sensitivities
(METHODS.md §9). Rates the survey lacks come from published benchmarks, each overridable, and every
rate used says where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

SMALL_CELL = 30
PATH_GROUPS = ("no_problem", "problem_no_complaint", "complained_resolved", "complained_unresolved")
RateSource = Literal["survey", "override", "default"]


def _check_proportion(value: float, name: str) -> None:
    if not (np.isfinite(value) and 0 <= value <= 1):
        raise ValueError(f"{name}: {value:g} is not a proportion between 0 and 1 (write 30 % as 0.30).")


@dataclass(frozen=True, slots=True)
class RepurchaseRates:
    """Repurchase rate (0–1) of each complaint-path group: r0, r_nc, r_cs, r_cu in METHODS §9."""

    no_problem: float
    problem_no_complaint: float
    complained_resolved: float
    complained_unresolved: float

    def __post_init__(self) -> None:
        for field in fields(self):
            _check_proportion(getattr(self, field.name), f"repurchase rate {field.name}")


# Published benchmarks (Goodman 1999, quoting TARP 1979/1986): repurchase intention by complaint path,
# for small-ticket (about $1–5 lost) and large-ticket (over $100 lost) problems ("resolved" is TARP's
# resolved-satisfactorily figure, not its resolved-quickly 95 % / 82 %). TARP gives no no-problem rate;
# 0.83 is the textbook's (its 90 % vs 83 % example, METHODS §9).
BENCHMARKS: dict[str, RepurchaseRates] = {
    "tarp-small-ticket": RepurchaseRates(0.83, 0.37, 0.70, 0.46),
    "tarp-large-ticket": RepurchaseRates(0.83, 0.09, 0.54, 0.19),
    "textbook": RepurchaseRates(0.83, 0.50, 0.90, 0.40),
}
DEFAULT_BENCHMARK = "tarp-small-ticket"
DEFAULT_COMPLAINT_RATE = 0.50  # TARP: about half of customers with a problem complain to the front line


@dataclass(frozen=True, slots=True)
class DamageInputs:
    """The inputs of the market-damage model for one period (rates as proportions 0–1)."""

    customers: float  # N, the customer base
    problem_rate: float  # p, share of customers with a problem
    complaint_rate: float  # c, share of those who complain to the company
    resolution_rate: float  # s, share of complainers resolved satisfactorily
    repurchase: RepurchaseRates
    annual_value: float = 0.0  # V, revenue per customer per year
    margin: float = 1.0  # share of revenue that is contribution (1 = report revenue)
    remaining_years: float = 1.0  # expected remaining lifetime in years (1 = one year's value)

    def __post_init__(self) -> None:
        if not (np.isfinite(self.customers) and self.customers > 0):
            raise ValueError(f"customers: {self.customers:g} is not a positive number of customers.")
        _check_proportion(self.problem_rate, "problem_rate")
        _check_proportion(self.complaint_rate, "complaint_rate")
        _check_proportion(self.resolution_rate, "resolution_rate")
        for name in ("annual_value", "margin", "remaining_years"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{name}: {value:g} must be a number ≥ 0.")

    def as_dict(self) -> dict[str, Any]:
        """The inputs as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class WordOfMouth:
    """The word-of-mouth extension: people told per customer and the share of them deterred or won."""

    deterred_share: float  # k, share of prospects told a bad story who do not buy
    people_told_negative: float = 10.0  # TARP: negative word of mouth reaches about twice as many
    people_told_positive: float = 5.0
    persuaded_share: float = 0.0  # share of prospects told a good story who buy (0 = ignore gains)

    def __post_init__(self) -> None:
        _check_proportion(self.deterred_share, "deterred_share")
        _check_proportion(self.persuaded_share, "persuaded_share")
        for name in ("people_told_negative", "people_told_positive"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{name}: {value:g} must be a number ≥ 0.")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The model recomputed with one input changed."""

    parameter: str
    value: float
    lost_customers: float
    revenue_at_risk: float
    change_in_lost_customers: float  # against the base model; negative = customers saved
    return_on_cost: float | None  # (saved × V × margin × years − cost)/cost, when a programme cost is given

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class MarketDamage:
    """Customers and revenue lost to problems against the no-problem baseline, with sensitivities."""

    inputs: DamageInputs
    problem_no_complaint: float  # G_nc = N p (1 − c), customers
    complained_resolved: float  # G_cs = N p c s
    complained_unresolved: float  # G_cu = N p c (1 − s)
    lost_problem_no_complaint: float  # G_nc (r0 − r_nc)
    lost_complained_resolved: float  # G_cs (r0 − r_cs); negative = recovery paradox
    lost_complained_unresolved: float  # G_cu (r0 − r_cu)
    lost_customers: float  # the sum of the three
    revenue_at_risk: float  # lost × V × margin × remaining years
    loss_per_complaint_rate: float  # ∂Loss/∂c, customers per unit (÷100 per percentage point)
    loss_per_resolution_rate: float  # ∂Loss/∂s
    loss_per_problem_rate: float  # ∂Loss/∂p = Loss/p
    recovery_effect: float  # r_cs − r_cu: repurchase won per complaint resolved
    customers_kept_by_resolution: float  # G_cs (r_cs − r_cu)
    recovery_paradox: bool  # r_cs > r0: resolved complainers more loyal than customers with no problem
    word_of_mouth_lost_prospects: float | None
    word_of_mouth_won_prospects: float | None
    what_if: tuple[WhatIf, ...]

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        result = {field.name: getattr(self, field.name) for field in fields(self)}
        result["inputs"] = self.inputs.as_dict()
        result["what_if"] = [row.as_dict() for row in self.what_if]
        return result


@dataclass(frozen=True, slots=True)
class PathGroup:
    """One complaint-path group of the survey with its repurchase rate."""

    group: str  # one of PATH_GROUPS
    n: int  # respondents in the group with a repurchase answer
    share: float  # (weighted) share of all respondents with a known path
    repurchase_rate: float
    ci_low: float
    ci_high: float
    small_cell: bool  # n < 30: the rate is shown but unreliable

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EstimatedRate:
    """A share estimated from the survey with its Wilson interval."""

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int  # respondents it is a share of

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RecoveryEffect:
    """A difference of two path groups' repurchase rates with Newcombe's hybrid Wilson interval."""

    name: str  # "resolved_vs_unresolved" or "resolved_vs_no_problem"
    difference: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ComplaintPaths:
    """What a survey says about complaint paths: rates p, c, s and each group's repurchase rate."""

    groups: tuple[PathGroup, ...]
    problem_rate: EstimatedRate
    complaint_rate: EstimatedRate | None  # None when no respondent with a problem answered "complained"
    resolution_rate: EstimatedRate | None
    recovery_effects: tuple[RecoveryEffect, ...]
    unknown_path: int  # respondents left out: problem, complained or resolved unanswered where needed
    weighted: bool
    confidence: float
    warnings: tuple[str, ...]

    def group(self, name: str) -> PathGroup:
        """The group called `name` (one of PATH_GROUPS)."""
        for row in self.groups:
            if row.group == name:
                return row
        raise ValueError(f"group: {name!r} is not one of {', '.join(PATH_GROUPS)}.")

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return {
            "groups": [row.as_dict() for row in self.groups],
            "problem_rate": self.problem_rate.as_dict(),
            "complaint_rate": None if self.complaint_rate is None else self.complaint_rate.as_dict(),
            "resolution_rate": None if self.resolution_rate is None else self.resolution_rate.as_dict(),
            "recovery_effects": [row.as_dict() for row in self.recovery_effects],
            "unknown_path": self.unknown_path,
            "weighted": self.weighted,
            "confidence": self.confidence,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class UsedRate:
    """A rate the model used and where it came from."""

    name: str
    value: float
    source: RateSource

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SurveyMarketDamage:
    """The market-damage model fed by a survey: the survey's paths, the rates used, and the model."""

    paths: ComplaintPaths | None  # None when no survey was given: every rate an override or default
    rates: tuple[UsedRate, ...]
    damage: MarketDamage

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        return {
            "paths": None if self.paths is None else self.paths.as_dict(),
            "rates": [row.as_dict() for row in self.rates],
            "damage": self.damage.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class ProblemTypeDamage:
    """The market-damage index of one problem type: p_type × (1 − repurchase) × V."""

    problem_type: str
    n: int
    incidence: float  # (weighted) share of all respondents with this problem
    repurchase_rate: float  # among those with this problem, whatever their complaint path
    damage_index: float  # incidence × (1 − repurchase) × annual value, per customer in the base

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return asdict(self)


def market_damage(
    inputs: DamageInputs,
    *,
    word_of_mouth: WordOfMouth | None = None,
    what_if: Iterable[tuple[str, float]] = (),
    programme_cost: float | None = None,
) -> MarketDamage:
    """Customers and revenue lost to problems against the no-problem baseline (TARP), with sensitivities.

    Groups: G_nc = N p (1−c), G_cs = N p c s, G_cu = N p c (1−s).
    Loss = N p [(1−c)(r0 − r_nc) + c s (r0 − r_cs) + c (1−s)(r0 − r_cu)] customers; the c·s term is
    negative when r_cs > r0 (the service-recovery paradox). Revenue at risk = Loss × V × margin ×
    remaining years. Sensitivities: ∂Loss/∂c = N p [r_nc − (s r_cs + (1−s) r_cu)],
    ∂Loss/∂s = N p c (r_cu − r_cs), ∂Loss/∂p = Loss/p.
    Word of mouth (optional): lost prospects = (G_nc + G_cu)·m_neg·k; won = G_cs·m_pos·k_pos.
    What-if: the model recomputed with one input changed, e.g. ``("complaint_rate", 0.5)``; any field
    of `DamageInputs` or of `RepurchaseRates` may be named. With `programme_cost` (what it costs to
    reach the what-if value), each row has the return on that cost,
    ROI = (ΔLoss·V·margin·years − cost)/cost, ΔLoss the customers saved against the base model.

    Parameters
    ----------
    inputs : N, p, c, s, the four repurchase rates, V, margin and remaining years.
    word_of_mouth : people told and the share deterred; None leaves word of mouth out.
    what_if : (parameter, value) pairs to recompute the model with.
    programme_cost : cost of a complaint-handling programme, for the ROI of each what-if row.

    Returns
    -------
    MarketDamage

    Raises
    ------
    ValueError
        A what-if parameter that is not an input, or a value out of its range.

    References
    ----------
    TARP (1986). Consumer Complaint Handling in America: An Update Study. US Office of Consumer Affairs.
    Goodman, J. (1999). Basic facts on customer complaint behavior and the impact of service on the
    bottom line. Competitive Advantage (ASQ), June, 1–5.

    Checked against METHODS.md §9 (N 100,000, p .25, c .30, s .60, r .83/.50/.90/.40, V 500: groups
    17,500 / 4,500 / 3,000, Loss 6,750, revenue 3,375,000, ∂Loss/∂c −5,000, ∂Loss/∂s −3,750).

    Examples
    --------
    >>> inputs = DamageInputs(customers=100_000, problem_rate=0.25, complaint_rate=0.30,
    ...     resolution_rate=0.60, repurchase=RepurchaseRates(0.83, 0.50, 0.90, 0.40), annual_value=500)
    >>> damage = market_damage(inputs, what_if=[("resolution_rate", 0.8)])
    >>> round(damage.lost_customers), round(damage.revenue_at_risk), round(damage.loss_per_complaint_rate)
    (6750, 3375000, -5000)
    >>> round(damage.what_if[0].change_in_lost_customers)
    -750
    """
    if programme_cost is not None and not (np.isfinite(programme_cost) and programme_cost > 0):
        raise ValueError(f"programme_cost: {programme_cost:g} must be a positive amount.")
    base = _damage_core(inputs)
    value_per_customer = inputs.annual_value * inputs.margin * inputs.remaining_years
    rows = []
    for parameter, value in what_if:
        changed = _damage_core(_changed_inputs(inputs, parameter, value))
        change = changed["lost_customers"] - base["lost_customers"]
        rows.append(
            WhatIf(
                parameter=parameter,
                value=float(value),
                lost_customers=changed["lost_customers"],
                revenue_at_risk=changed["revenue_at_risk"],
                change_in_lost_customers=change,
                return_on_cost=None
                if programme_cost is None
                else (-change * value_per_customer - programme_cost) / programme_cost,
            )
        )
    lost_prospects: float | None = None
    won_prospects: float | None = None
    if word_of_mouth is not None:
        lost_prospects = (
            (base["problem_no_complaint"] + base["complained_unresolved"])
            * word_of_mouth.people_told_negative
            * word_of_mouth.deterred_share
        )
        won_prospects = base["complained_resolved"] * word_of_mouth.people_told_positive * word_of_mouth.persuaded_share
    rates = inputs.repurchase
    n_p = inputs.customers * inputs.problem_rate
    s = inputs.resolution_rate
    return MarketDamage(
        inputs=inputs,
        problem_no_complaint=base["problem_no_complaint"],
        complained_resolved=base["complained_resolved"],
        complained_unresolved=base["complained_unresolved"],
        lost_problem_no_complaint=base["lost_problem_no_complaint"],
        lost_complained_resolved=base["lost_complained_resolved"],
        lost_complained_unresolved=base["lost_complained_unresolved"],
        lost_customers=base["lost_customers"],
        revenue_at_risk=base["revenue_at_risk"],
        loss_per_complaint_rate=n_p
        * (rates.problem_no_complaint - (s * rates.complained_resolved + (1 - s) * rates.complained_unresolved)),
        loss_per_resolution_rate=n_p
        * inputs.complaint_rate
        * (rates.complained_unresolved - rates.complained_resolved),
        loss_per_problem_rate=inputs.customers
        * (
            (1 - inputs.complaint_rate) * (rates.no_problem - rates.problem_no_complaint)
            + inputs.complaint_rate * s * (rates.no_problem - rates.complained_resolved)
            + inputs.complaint_rate * (1 - s) * (rates.no_problem - rates.complained_unresolved)
        ),
        recovery_effect=rates.complained_resolved - rates.complained_unresolved,
        customers_kept_by_resolution=base["complained_resolved"]
        * (rates.complained_resolved - rates.complained_unresolved),
        recovery_paradox=rates.complained_resolved > rates.no_problem,
        word_of_mouth_lost_prospects=lost_prospects,
        word_of_mouth_won_prospects=won_prospects,
        what_if=tuple(rows),
    )


def complaint_paths(
    problem: ArrayLike,
    complained: ArrayLike,
    resolved: ArrayLike,
    repurchase: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
) -> ComplaintPaths:
    """Repurchase rate of each complaint-path group, and the problem, complaint and resolution rates.

    Each respondent's path: no problem; problem, did not complain; complained, resolved; complained,
    not resolved. `complained` is read only where `problem` is 1 and `resolved` only where `complained`
    is 1, so skip-logic cells may hold anything. A respondent whose path is unanswered where it is
    needed, or who has no repurchase answer, is left out and counted in `unknown_path`.

    Rates (p = problem among all, c = complained among those with a problem, s = resolved among
    complainers, and each group's repurchase rate) are (weighted) shares with Wilson score intervals;
    weighted, Wilson on the Kish effective n (Σw)²/Σw² of the group. The recovery effects r_cs − r_cu
    and r_cs − r0 have Newcombe's (1998) hybrid Wilson interval. Groups with fewer than 30 respondents
    are flagged `small_cell` with a warning.

    Parameters
    ----------
    problem, complained, resolved : 1 = yes, 0 = no, NaN = not answered.
    repurchase : 1 = will buy again, 0 = will not (a rating must be cut into these by the caller).
    weights : survey weights, positive, or None.
    confidence : level of the intervals.

    Returns
    -------
    ComplaintPaths

    Raises
    ------
    ValueError
        A value other than 0, 1 or empty, arrays of different lengths, or bad weights.

    References
    ----------
    Wilson, E. B. (1927). JASA 22, 209–212. Newcombe, R. G. (1998). Interval estimation for the
    difference between independent proportions. Statistics in Medicine 17, 873–890 (method 10).

    Examples
    --------
    >>> paths = complaint_paths([0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 0],
    ...                         [1, 1, 0, 1, 1, 0])
    >>> [(row.group, row.n, row.repurchase_rate) for row in paths.groups]  # doctest: +NORMALIZE_WHITESPACE
    [('no_problem', 2, 1.0), ('problem_no_complaint', 1, 0.0), ('complained_resolved', 2, 1.0),
     ('complained_unresolved', 1, 0.0)]
    >>> round(paths.resolution_rate.estimate, 3)
    0.667
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: {confidence} is not between 0 and 1 (e.g. 0.95).")
    arrays = {
        "problem": _binary(problem, "problem"),
        "complained": _binary(complained, "complained"),
        "resolved": _binary(resolved, "resolved"),
        "repurchase": _binary(repurchase, "repurchase"),
    }
    lengths = {len(array) for array in arrays.values()}
    if len(lengths) != 1:
        shown = ", ".join(f"{name} {len(array)}" for name, array in arrays.items())
        raise ValueError(f"problem, complained, resolved, repurchase: need one value per respondent; got {shown}.")
    n_all = lengths.pop()
    w = _weights(weights, n_all)
    had, told, fixed, again = (
        arrays["problem"],
        arrays["complained"],
        arrays["resolved"],
        arrays["repurchase"],
    )
    group = np.full(n_all, -1)
    group[had == 0] = 0
    group[(had == 1) & (told == 0)] = 1
    group[(had == 1) & (told == 1) & (fixed == 1)] = 2
    group[(had == 1) & (told == 1) & (fixed == 0)] = 3
    known = (group >= 0) & ~np.isnan(again)
    unknown = int(n_all - known.sum())
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    total = w[known].sum()
    warnings: list[str] = []
    rows = []
    cells: list[tuple[float, float, float]] = []
    for code, name in enumerate(PATH_GROUPS):
        members = known & (group == code)
        count = int(members.sum())
        if count:
            rate = float((w[members] * again[members]).sum() / w[members].sum())
            low, high = _wilson(rate, _effective_n(w[members]), z)
        else:
            rate, low, high = float("nan"), float("nan"), float("nan")
        small = count < SMALL_CELL
        if small:
            warnings.append(f"{name}: {count} respondent(s), fewer than {SMALL_CELL}; its rate is unreliable.")
        rows.append(
            PathGroup(
                group=name,
                n=count,
                share=float(w[members].sum() / total) if total > 0 else float("nan"),
                repurchase_rate=rate,
                ci_low=low,
                ci_high=high,
                small_cell=small,
            )
        )
        cells.append((rate, low, high))
    path_known = group >= 0
    problem_rate = _estimated_rate("problem_rate", had == 1, path_known, w, z)
    with_problem = path_known & (had == 1)
    complaint_rate = _estimated_rate("complaint_rate", told == 1, with_problem, w, z) if with_problem.any() else None
    complainers = with_problem & (told == 1)
    resolution_rate = _estimated_rate("resolution_rate", fixed == 1, complainers, w, z) if complainers.any() else None
    effects = []
    for name, first, second in (("resolved_vs_unresolved", 2, 3), ("resolved_vs_no_problem", 2, 0)):
        if not (np.isnan(cells[first][0]) or np.isnan(cells[second][0])):
            effects.append(RecoveryEffect(name, *_newcombe(cells[first], cells[second])))
    return ComplaintPaths(
        groups=tuple(rows),
        problem_rate=problem_rate,
        complaint_rate=complaint_rate,
        resolution_rate=resolution_rate,
        recovery_effects=tuple(effects),
        unknown_path=unknown,
        weighted=weights is not None,
        confidence=confidence,
        warnings=tuple(warnings),
    )


def market_damage_from_survey(
    paths: ComplaintPaths | None,
    *,
    customers: float,
    annual_value: float = 0.0,
    margin: float = 1.0,
    remaining_years: float = 1.0,
    benchmark: str = DEFAULT_BENCHMARK,
    overrides: dict[str, float] | None = None,
    word_of_mouth: WordOfMouth | None = None,
    what_if: Iterable[tuple[str, float]] = (),
    programme_cost: float | None = None,
) -> SurveyMarketDamage:
    """The market-damage model with rates from the survey, overrides, or published defaults.

    `paths` is None to run the model without a survey (a what-if calculator). Each rate (problem_rate,
    complaint_rate, resolution_rate and the four repurchase rates, named as the fields of
    `DamageInputs` and `RepurchaseRates`) is taken, in this order, from `overrides`, from the
    survey (`paths`; a repurchase rate only when its group has a respondent), or from the defaults:
    the repurchase rates of `benchmark` (one of BENCHMARKS) and a complaint rate of 0.50 (TARP).
    The problem and resolution rates have no published default: without a survey estimate they must
    be given in `overrides`. Each rate used is listed with its source.

    Parameters
    ----------
    paths : the survey's `complaint_paths`, or None.
    customers, annual_value, margin, remaining_years : N, V and the revenue multipliers.
    benchmark : the published repurchase rates used where the survey has none.
    overrides : rate name → value (0–1), taking precedence over the survey.
    word_of_mouth, what_if, programme_cost : as in `market_damage`.

    Returns
    -------
    SurveyMarketDamage

    Raises
    ------
    ValueError
        An override that is not a rate of the model, an unknown benchmark, a rate without any source,
        or a value outside its range.

    Examples
    --------
    >>> paths = complaint_paths([0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 1, 0], [1, 0, 1, 0])
    >>> result = market_damage_from_survey(paths, customers=1000, overrides={"problem_rate": 0.2})
    >>> [(rate.name, rate.value, rate.source) for rate in result.rates][:2]
    [('problem_rate', 0.2, 'override'), ('complaint_rate', 0.6666666666666666, 'survey')]
    """
    overrides = dict(overrides or {})
    known_names = {field.name for field in fields(DamageInputs)} | set(PATH_GROUPS)
    unknown_names = sorted(set(overrides) - known_names)
    if unknown_names:
        raise ValueError(
            f"overrides: {', '.join(unknown_names)} are not rates of the model; use "
            f"problem_rate, complaint_rate, resolution_rate or {', '.join(PATH_GROUPS)}."
        )
    if benchmark not in BENCHMARKS:
        raise ValueError(f"benchmark: {benchmark!r} is not one of {', '.join(BENCHMARKS)}.")
    defaults = BENCHMARKS[benchmark]
    survey_values: dict[str, float | None] = {}
    if paths is not None:
        survey_values["problem_rate"] = paths.problem_rate.estimate if paths.problem_rate.n else None
        if paths.complaint_rate is not None:
            survey_values["complaint_rate"] = paths.complaint_rate.estimate
        if paths.resolution_rate is not None:
            survey_values["resolution_rate"] = paths.resolution_rate.estimate
        for row in paths.groups:
            survey_values[row.group] = row.repurchase_rate if row.n else None
    default_values: dict[str, float | None] = {
        "problem_rate": None,
        "complaint_rate": DEFAULT_COMPLAINT_RATE,
        "resolution_rate": None,
        **{name: getattr(defaults, name) for name in PATH_GROUPS},
    }
    used: list[UsedRate] = []
    missing = []
    for name in ("problem_rate", "complaint_rate", "resolution_rate", *PATH_GROUPS):
        source: RateSource
        if name in overrides:
            value, source = float(overrides[name]), "override"
        elif survey_values.get(name) is not None:
            value, source = float(survey_values[name]), "survey"  # type: ignore[arg-type]
        elif default_values[name] is not None:
            value, source = float(default_values[name]), "default"  # type: ignore[arg-type]
        else:
            missing.append(name)
            continue
        used.append(UsedRate(name, value, source))
    if missing:
        raise ValueError(
            f"{', '.join(missing)}: the survey does not estimate it and there is no published default; "
            f"give it as an override."
        )
    values = {rate.name: rate.value for rate in used}
    inputs = DamageInputs(
        customers=customers,
        problem_rate=values["problem_rate"],
        complaint_rate=values["complaint_rate"],
        resolution_rate=values["resolution_rate"],
        repurchase=RepurchaseRates(*(values[name] for name in PATH_GROUPS)),
        annual_value=annual_value,
        margin=margin,
        remaining_years=remaining_years,
    )
    return SurveyMarketDamage(
        paths=paths,
        rates=tuple(used),
        damage=market_damage(inputs, word_of_mouth=word_of_mouth, what_if=what_if, programme_cost=programme_cost),
    )


def problem_type_damage(
    problem_type: Sequence[Any] | ArrayLike,
    repurchase: ArrayLike,
    *,
    annual_value: float = 1.0,
    weights: ArrayLike | None = None,
) -> tuple[ProblemTypeDamage, ...]:
    """Market-damage index per problem type, p_type × (1 − repurchase_type) × V, largest first.

    `problem_type` names each respondent's problem (empty = no problem); the incidence is the
    (weighted) share of all respondents with a repurchase answer, and the repurchase rate is that of
    the respondents with this problem, whatever their complaint path (TARP-style prioritisation,
    METHODS §9).

    Parameters
    ----------
    problem_type : each respondent's kind of problem, empty for none.
    repurchase : 1 will buy again, 0 will not, NaN unanswered.
    annual_value : V, revenue per customer per year (1 gives the index per unit of value).
    weights : survey weights, or None.

    Returns
    -------
    tuple of ProblemTypeDamage, largest damage index first.

    Raises
    ------
    ValueError
        Repurchase answers other than 0/1, arrays of different lengths, or bad weights.

    Examples
    --------
    >>> rows = problem_type_damage(["late", "late", "", "broken"], [0, 1, 1, 0], annual_value=100)
    >>> [(row.problem_type, row.damage_index) for row in rows]
    [('broken', 25.0), ('late', 25.0)]
    """
    again = _binary(repurchase, "repurchase")
    labels = np.asarray(problem_type, dtype=object).ravel()
    if len(labels) != len(again):
        raise ValueError(f"problem_type: {len(labels)} values for {len(again)} repurchase answers.")
    w = _weights(weights, len(again))
    answered = ~np.isnan(again)
    total = w[answered].sum()
    names = sorted({str(label) for label in labels if not _is_empty(label)})
    text = np.array([None if _is_empty(label) else str(label) for label in labels], dtype=object)
    rows = []
    for name in names:
        members = answered & (text == name)
        if not members.any():
            continue
        incidence = float(w[members].sum() / total)
        rate = float((w[members] * again[members]).sum() / w[members].sum())
        rows.append(ProblemTypeDamage(name, int(members.sum()), incidence, rate, incidence * (1 - rate) * annual_value))
    return tuple(sorted(rows, key=lambda row: (-row.damage_index, row.problem_type)))


def _damage_core(inputs: DamageInputs) -> dict[str, float]:
    rates = inputs.repurchase
    n_p = inputs.customers * inputs.problem_rate
    c, s = inputs.complaint_rate, inputs.resolution_rate
    groups = {
        "problem_no_complaint": n_p * (1 - c),
        "complained_resolved": n_p * c * s,
        "complained_unresolved": n_p * c * (1 - s),
    }
    lost = {f"lost_{name}": size * (rates.no_problem - getattr(rates, name)) for name, size in groups.items()}
    lost_customers = sum(lost.values())
    return {
        **groups,
        **lost,
        "lost_customers": lost_customers,
        "revenue_at_risk": lost_customers * inputs.annual_value * inputs.margin * inputs.remaining_years,
    }


def _changed_inputs(inputs: DamageInputs, parameter: str, value: float) -> DamageInputs:
    if parameter in PATH_GROUPS:
        return replace(inputs, repurchase=replace(inputs.repurchase, **{parameter: float(value)}))
    if parameter in {field.name for field in fields(DamageInputs)} - {"repurchase"}:
        changed: dict[str, Any] = {parameter: float(value)}
        return replace(inputs, **changed)
    names = [field.name for field in fields(DamageInputs) if field.name != "repurchase"]
    raise ValueError(f"what_if: {parameter!r} is not an input; use one of {', '.join([*names, *PATH_GROUPS])}.")


def _estimated_rate(
    name: str, success: NDArray[np.bool_], among: NDArray[np.bool_], w: NDArray[np.float64], z: float
) -> EstimatedRate:
    count = int(among.sum())
    if count == 0:
        return EstimatedRate(name, float("nan"), float("nan"), float("nan"), 0)
    estimate = float(w[among & success].sum() / w[among].sum())
    low, high = _wilson(estimate, _effective_n(w[among]), z)
    return EstimatedRate(name, estimate, low, high, count)


def _wilson(share: float, n: float, z: float) -> tuple[float, float]:
    denominator = 1 + z**2 / n
    centre = (share + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / denominator
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def _newcombe(first: tuple[float, float, float], second: tuple[float, float, float]) -> tuple[float, float, float]:
    (p1, l1, u1), (p2, l2, u2) = first, second
    difference = p1 - p2
    low = difference - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, float(low), float(high)


def _effective_n(w: NDArray[np.float64]) -> float:
    return float(w.sum() ** 2 / (w**2).sum())


def _binary(values: ArrayLike, argument: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{argument}: every answer must be 1 (yes), 0 (no) or empty.") from None
    present = array[~np.isnan(array)]
    bad = present[(present != 0) & (present != 1)]
    if len(bad):
        shown = ", ".join(f"{value:g}" for value in np.unique(bad)[:5])
        raise ValueError(f"{argument}: every answer must be 1 (yes), 0 (no) or empty; found {shown}.")
    return array


def _weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64]:
    if weights is None:
        return np.ones(n)
    values = np.asarray(weights, dtype=float).ravel()
    if len(values) != n:
        raise ValueError(f"weights: {len(values)} weights for {n} respondents; need one each.")
    bad = values[~(values > 0) | ~np.isfinite(values)]
    if len(bad):
        raise ValueError(f"weights: every weight must be a positive number; found {bad[0]:g}.")
    return values


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""
