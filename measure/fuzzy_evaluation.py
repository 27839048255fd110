"""Fuzzy comprehensive evaluation (模糊综合评价) of loyalty, one- and two-level.

The factors (the loyalty indicators) each get a membership vector over a set of grades — by default
V = {很高, 较高, 一般, 较低, 很低} (very high … very low) — usually the share of respondents in each grade.
The weighted factors combine into one membership vector B for the whole; the grade with the largest
membership is the verdict (最大隶属度原则) and B·c, with a score c per grade, is a single number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

GRADES: tuple[str, ...] = ("很高", "较高", "一般", "较低", "很低")  # very high, high, medium, low, very low
GRADE_SCORES: tuple[float, ...] = (95, 85, 75, 65, 55)
AMBIGUITY_MARGIN = 0.05  # top two memberships closer than this: report the score, not the grade

Operator = Literal["weighted_average", "max_min"]


@dataclass(frozen=True, slots=True)
class FuzzyEvaluation:
    """The composite membership vector of one evaluation, its grade and its score."""

    membership: tuple[float, ...]  # B, one value per grade, summing to 1
    grades: tuple[str, ...]
    grade: str | None  # by maximum membership; None when the top two are within the ambiguity margin
    grade_position: int | None  # 1-based position of `grade` in `grades`
    ambiguous: bool
    score: float  # B · grade_scores
    grade_scores: tuple[float, ...]
    operator: str  # weighted_average M(·,⊕) or max_min M(∧,∨)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values, membership keyed by grade."""
        return {
            "membership": dict(zip(self.grades, self.membership, strict=True)),
            "grade": self.grade,
            "grade_position": self.grade_position,
            "ambiguous": self.ambiguous,
            "score": self.score,
            "grade_scores": list(self.grade_scores),
            "operator": self.operator,
        }


@dataclass(frozen=True, slots=True)
class TwoLevelFuzzyEvaluation:
    """A two-level evaluation: one evaluation per group of factors, and the overall one built from them."""

    groups: tuple[FuzzyEvaluation, ...]
    group_names: tuple[str, ...]
    overall: FuzzyEvaluation

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "overall": self.overall.as_dict(),
            "groups": {name: group.as_dict() for name, group in zip(self.group_names, self.groups, strict=True)},
        }


def fuzzy_evaluation(
    weights: ArrayLike,
    membership: ArrayLike,
    *,
    operator: Operator = "weighted_average",
    grades: Sequence[str] = GRADES,
    grade_scores: Sequence[float] = GRADE_SCORES,
) -> FuzzyEvaluation:
    """One-level fuzzy comprehensive evaluation ``B = W ∘ R``.

    Formula
    -------
    Weighted average M(·,⊕), the default: ``b_j = Σ_i w_i r_ij`` (keeps all the information).
    Zadeh's M(∧,∨), on request: ``b_j = max_i min(w_i, r_ij)``, then B is normalised to sum 1 (it
    discards all but the extreme factor per grade). Grade: the j with the largest b_j; when the top two
    are within 0.05 the grade is reported as ambiguous (None) and the score should be used.
    Score: ``s = Σ_j b_j c_j``.

    Parameters
    ----------
    weights : array_like, shape (m,)
        Factor weights, non-negative, summing to 1 (to 1e-4, then rescaled to sum exactly 1).
    membership : array_like, shape (m, k)
        R: row i is factor i's membership over the k grades (each row non-negative, summing to 1).
    operator : {"weighted_average", "max_min"}
    grades : sequence of str
        Grade names, best first (default 很高, 较高, 一般, 较低, 很低).
    grade_scores : sequence of float
        Score of each grade (default 95, 85, 75, 65, 55; 5 … 1 and 100 … 20 are also common).

    Returns
    -------
    FuzzyEvaluation

    References
    ----------
    Zadeh, L. A. (1965). Fuzzy sets. Information and Control 8:338–353. 汪培庄 (1983) 模糊集合论及其应用,
    上海科学技术出版社 (the M(·,⊕) operator and the maximum-membership principle).

    Examples
    --------
    >>> result = fuzzy_evaluation([0.6, 0.4], [[0.5, 0.3, 0.2, 0, 0], [0.1, 0.3, 0.4, 0.2, 0]])
    >>> [round(b, 2) for b in result.membership], result.grade, round(result.score, 2)
    ([0.34, 0.3, 0.28, 0.08, 0.0], None, 84.0)
    """
    w = _weights(weights)
    r = _membership(membership, len(w))
    grade_names, scores = _grades(grades, grade_scores, r.shape[1])
    if operator == "weighted_average":
        composite = w @ r
    elif operator == "max_min":
        composite = np.minimum(w[:, None], r).max(axis=0)
        if composite.sum() <= 0:
            raise ValueError("weights and membership share no positive entry; max–min gives all zeros.")
    else:
        raise ValueError(f"operator must be 'weighted_average' or 'max_min'; got {operator!r}.")
    composite = composite / composite.sum()
    return _evaluation(composite, grade_names, scores, operator)


def two_level_fuzzy_evaluation(
    group_weights: ArrayLike,
    groups: Sequence[tuple[ArrayLike, ArrayLike]],
    *,
    group_names: Sequence[str] | None = None,
    operator: Operator = "weighted_average",
    grades: Sequence[str] = GRADES,
    grade_scores: Sequence[float] = GRADE_SCORES,
) -> TwoLevelFuzzyEvaluation:
    """Two-level fuzzy comprehensive evaluation: ``B_k = W_k ∘ R_k`` per group, then ``B = W* ∘ R*``.

    R* stacks the groups' composite vectors B_k as rows; W* weights the groups. The same operator is
    used on both levels.

    Parameters
    ----------
    group_weights : array_like, shape (K,)
        W*, the weight of each group of factors.
    groups : sequence of (weights, membership)
        For each group, its factor weights W_k and membership matrix R_k.
    group_names : sequence of str, optional
        Names of the groups (default "1", "2", …).

    Examples
    --------
    >>> behaviour = ([0.5, 0.5], [[0.6, 0.4, 0, 0, 0], [0.2, 0.6, 0.2, 0, 0]])
    >>> attitude = ([1.0], [[0.1, 0.2, 0.4, 0.2, 0.1]])
    >>> result = two_level_fuzzy_evaluation([0.5, 0.5], [behaviour, attitude], group_names=["行为", "态度"])
    >>> [round(b, 2) for b in result.overall.membership], result.groups[0].grade
    ([0.25, 0.35, 0.25, 0.1, 0.05], '较高')
    """
    if len(groups) == 0:
        raise ValueError("groups must hold at least one (weights, membership) pair; got none.")
    names = tuple(group_names) if group_names is not None else tuple(str(k + 1) for k in range(len(groups)))
    if len(names) != len(groups):
        raise ValueError(f"group_names must name each of the {len(groups)} groups; got {list(names)}.")
    evaluations = tuple(
        fuzzy_evaluation(weights, membership, operator=operator, grades=grades, grade_scores=grade_scores)
        for weights, membership in groups
    )
    stacked = np.array([evaluation.membership for evaluation in evaluations])
    overall = fuzzy_evaluation(group_weights, stacked, operator=operator, grades=grades, grade_scores=grade_scores)
    return TwoLevelFuzzyEvaluation(evaluations, names, overall)


def membership_from_ratings(ratings: pd.DataFrame, levels: Sequence[float]) -> NDArray[np.float64]:
    """Membership matrix R from rated items: the share of valid answers at each level, per item.

    Each column of `ratings` is one factor; `levels` lists the answer values best first, one per grade
    (e.g. 5, 4, 3, 2, 1 for 很高 … 很低 on a 1–5 item where 5 is best; 1, 2, 3, 4, 5 for an item where
    higher is worse). Missing answers are left out of that item's shares; a value not among the levels
    is a ValueError.

    Examples
    --------
    >>> answers = pd.DataFrame({"trust": [5, 4, 4, None], "price": [1, 2, 3, 3]})
    >>> membership_from_ratings(answers[["trust"]], [5, 4, 3, 2, 1]).round(3).tolist()
    [[0.333, 0.667, 0.0, 0.0, 0.0]]
    """
    level_values = [float(level) for level in levels]
    if len(set(level_values)) != len(level_values) or not level_values:
        raise ValueError(f"levels must be distinct answer values; got {list(levels)}.")
    rows: list[list[float]] = []
    for column in ratings.columns:
        answers = pd.to_numeric(ratings[column], errors="raise").dropna().astype(float)
        if answers.empty:
            raise ValueError(f"ratings of {column} are all missing; it has no membership.")
        unknown = sorted(set(answers) - set(level_values))
        if unknown:
            raise ValueError(f"ratings of {column} contain {unknown[:5]}, which are not among levels {level_values}.")
        rows.append([float((answers == level).mean()) for level in level_values])
    return np.array(rows)


def triangular_membership(values: ArrayLike, centres: Sequence[float]) -> NDArray[np.float64]:
    """Membership vector of a quantitative factor by triangular membership functions on grade centres.

    Each value belongs to the two grades whose centres bracket it, in proportion to closeness (so its
    memberships sum to 1); values beyond the outer centres belong wholly to the outer grade. The factor's
    membership vector is the mean over respondents (missing values left out). `centres` are in grade
    order (best first) and must be strictly monotone, increasing or decreasing.

    Examples
    --------
    >>> triangular_membership([12, 9, 3], centres=[12, 9, 6, 3, 0]).round(3).tolist()
    [0.333, 0.333, 0.0, 0.333, 0.0]
    >>> triangular_membership([7.5], centres=[12, 9, 6, 3, 0]).tolist()
    [0.0, 0.5, 0.5, 0.0, 0.0]
    """
    points = np.asarray(centres, dtype=float)
    steps = np.diff(points)
    if len(points) < 2 or not (np.all(steps > 0) or np.all(steps < 0)):
        raise ValueError(
            f"centres must be at least two strictly increasing or decreasing numbers; got {list(centres)}."
        )
    data = np.asarray(values, dtype=float).ravel()
    data = data[~np.isnan(data)]
    if data.size == 0:
        raise ValueError("values are all missing; they have no membership.")
    ascending = points if steps[0] > 0 else points[::-1]
    memberships = np.zeros((data.size, len(points)))
    clipped = np.clip(data, ascending[0], ascending[-1])
    upper = np.clip(np.searchsorted(ascending, clipped, side="right"), 1, len(points) - 1)
    lower = upper - 1
    share_upper = (clipped - ascending[lower]) / (ascending[upper] - ascending[lower])
    rows = np.arange(data.size)
    memberships[rows, lower] = 1 - share_upper
    memberships[rows, upper] += share_upper
    mean: NDArray[np.float64] = memberships.mean(axis=0)
    return mean if steps[0] > 0 else mean[::-1]


def membership_from_scores(
    scores: pd.DataFrame, centres: Sequence[float] = (1.0, 0.75, 0.5, 0.25, 0.0)
) -> NDArray[np.float64]:
    """Membership matrix R of normalised indicator scores (0–1, 1 best): triangular memberships per column.

    With the default centres 1, .75, .5, .25, 0 for 很高 … 很低, a 5-point item scaled by its scale
    bounds (z ∈ {0, .25, .5, .75, 1}) gets exactly the share of valid respondents at each level, as
    METHODS §3.5 asks of survey indicators; counts and times fall between two grades in proportion
    (`triangular_membership`). Missing scores are left out of their indicator's shares.

    Examples
    --------
    >>> scores = pd.DataFrame({"trust": [1.0, 0.75, 0.75, None], "churn": [0.9, 0.5, 0.1, 0.0]})
    >>> membership_from_scores(scores).round(3).tolist()
    [[0.333, 0.667, 0.0, 0.0, 0.0], [0.15, 0.1, 0.25, 0.1, 0.4]]
    """
    return np.array([triangular_membership(scores[column], centres) for column in scores.columns])


def _weights(weights: ArrayLike) -> NDArray[np.float64]:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weights must be a list of non-negative numbers; got {np.asarray(weights).tolist()}.")
    if not math.isclose(float(w.sum()), 1, abs_tol=1e-4):  # weights printed to 4–6 decimals pass
        raise ValueError(f"weights must sum to 1; they sum to {w.sum():.6g}.")
    normalised: NDArray[np.float64] = w / w.sum()
    return normalised


def _membership(membership: ArrayLike, factors: int) -> NDArray[np.float64]:
    r = np.asarray(membership, dtype=float)
    if r.ndim != 2 or r.shape[0] != factors:
        raise ValueError(f"membership must have one row per weighted factor ({factors}); got shape {r.shape}.")
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError("membership must hold non-negative numbers.")
    sums = r.sum(axis=1)
    off = [f"row {i + 1} sums to {total:g}" for i, total in enumerate(sums) if not math.isclose(total, 1, abs_tol=1e-6)]
    if off:
        raise ValueError("membership rows must each sum to 1: " + "; ".join(off) + ".")
    return r


def _grades(
    grades: Sequence[str], grade_scores: Sequence[float], count: int
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    names, scores = tuple(grades), tuple(float(score) for score in grade_scores)
    if len(names) != count or len(scores) != count:
        raise ValueError(
            f"grades and grade_scores must each have one entry per membership column ({count}); "
            f"got {len(names)} grades and {len(scores)} scores."
        )
    return names, scores


def _evaluation(
    composite: NDArray[np.float64], grades: tuple[str, ...], scores: tuple[float, ...], operator: str
) -> FuzzyEvaluation:
    order = np.argsort(composite)[::-1]
    top = int(order[0])
    ambiguous = len(composite) > 1 and composite[order[0]] - composite[order[1]] < AMBIGUITY_MARGIN
    return FuzzyEvaluation(
        membership=tuple(float(b) for b in composite),
        grades=grades,
        grade=None if ambiguous else grades[top],
        grade_position=None if ambiguous else top + 1,
        ambiguous=bool(ambiguous),
        score=float(composite @ np.array(scores)),
        grade_scores=scores,
        operator=operator,
    )
