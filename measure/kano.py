"""The Kano questionnaire: functional/dysfunctional answer pairs → Kano categories through the evaluation
table, each attribute's category, and Berger's satisfaction and dissatisfaction coefficients (METHODS §2.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

# Answers of both questions, in the order of the evaluation table (Kano et al. 1984).
ANSWERS = ("like", "must-be", "neutral", "live-with", "dislike")
ANSWER_LABELS = {
    "like": "like",
    "must-be": "must-be",
    "must be": "must-be",
    "expect": "must-be",
    "neutral": "neutral",
    "live-with": "live-with",
    "live with": "live-with",
    "tolerate": "live-with",
    "dislike": "dislike",
    "喜欢": "like",
    "理所当然": "must-be",
    "理应如此": "must-be",
    "无所谓": "neutral",
    "能忍受": "live-with",
    "可以忍受": "live-with",
    "不喜欢": "dislike",
}
# Rows: functional answer; columns: dysfunctional answer; A attractive, O one-dimensional, M must-be,
# I indifferent, R reverse, Q questionable.
EVALUATION_TABLE = (
    ("Q", "A", "A", "A", "O"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "R", "R", "R", "Q"),
)
CATEGORY_NAMES = {
    "A": "attractive",
    "O": "one-dimensional",
    "M": "must-be",
    "I": "indifferent",
    "R": "reverse",
    "Q": "questionable",
}
_TIE_ORDER = ("M", "O", "A", "I", "R", "Q")  # a tie for the most frequent category goes to the earlier one


@dataclass(frozen=True, slots=True)
class KanoAttribute:
    """The Kano evaluation of one attribute."""

    attribute: str
    n: int  # respondents with both answers
    attractive: int
    one_dimensional: int
    must_be: int
    indifferent: int
    reverse: int
    questionable: int
    category: str  # the most frequent category, by name
    satisfaction_coefficient: float | None  # Berger SI = (A+O)/(A+O+M+I), 0 … 1
    dissatisfaction_coefficient: float | None  # Berger DI = −(O+M)/(A+O+M+I), −1 … 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)


def kano_category(functional: Any, dysfunctional: Any) -> str:
    """The Kano category letter (A, O, M, I, R, Q) of one functional/dysfunctional answer pair.

    Answers are codes 1–5 in the order like, must-be, neutral, live-with, dislike, or those labels in
    English or Chinese (喜欢, 理所当然, 无所谓, 能忍受, 不喜欢).

    Examples
    --------
    >>> kano_category("like", "dislike"), kano_category(3, 5), kano_category("喜欢", "无所谓")
    ('O', 'M', 'A')
    """
    return EVALUATION_TABLE[_answer_index(functional, "functional")][_answer_index(dysfunctional, "dysfunctional")]


def kano_evaluation(
    functional: Sequence[Any] | npt.ArrayLike,
    dysfunctional: Sequence[Any] | npt.ArrayLike,
    *,
    attribute: str = "",
) -> KanoAttribute:
    """Evaluate one attribute's Kano answer pairs: category counts, the category, Berger's coefficients.

    Each respondent's pair is classified with the Kano evaluation table (functional answer: rows like,
    must-be, neutral, live-with, dislike; dysfunctional answer: columns in the same order):
    like → [Q, A, A, A, O]; must-be / neutral / live-with → [R, I, I, I, M]; dislike → [R, R, R, R, Q].
    The attribute's category is the most frequent one, ties broken M > O > A > I (then R, Q).
    Berger et al.: SI = (A + O)/(A + O + M + I), DI = −(O + M)/(A + O + M + I); None when no respondent is
    A, O, M or I. Pairs with a missing answer are left out.

    References
    ----------
    Kano, N., Seraku, N., Takahashi, F. & Tsuji, S. (1984). Attractive quality and must-be quality.
    Hinshitsu 14(2), 39–48. Berger, C. et al. (1993). Kano's methods for understanding customer-defined
    quality. Center for Quality of Management Journal 2(4), 3–36.

    Examples
    --------
    >>> pairs = [("like", "dislike")] * 3 + [("neutral", "dislike")] * 2 + [("like", "neutral")]
    >>> result = kano_evaluation([f for f, _ in pairs], [d for _, d in pairs], attribute="fast checkout")
    >>> result.category, result.satisfaction_coefficient, result.dissatisfaction_coefficient
    ('one-dimensional', 0.6666666666666666, -0.8333333333333334)
    """
    functional_answers = pd.Series(np.asarray(functional, dtype=object))
    dysfunctional_answers = pd.Series(np.asarray(dysfunctional, dtype=object))
    if len(functional_answers) != len(dysfunctional_answers):
        raise ValueError(
            f"dysfunctional: {len(dysfunctional_answers)} answers for {len(functional_answers)} functional ones."
        )
    answered = functional_answers.notna() & dysfunctional_answers.notna()
    categories = [
        kano_category(f, d) for f, d in zip(functional_answers[answered], dysfunctional_answers[answered], strict=True)
    ]
    if not categories:
        raise ValueError(f"functional: no complete answer pairs for attribute {attribute!r}.")
    counts = {letter: categories.count(letter) for letter in _TIE_ORDER}
    most = max(counts.values())
    category = next(letter for letter in _TIE_ORDER if counts[letter] == most)
    denominator = counts["A"] + counts["O"] + counts["M"] + counts["I"]
    return KanoAttribute(
        attribute=attribute,
        n=len(categories),
        attractive=counts["A"],
        one_dimensional=counts["O"],
        must_be=counts["M"],
        indifferent=counts["I"],
        reverse=counts["R"],
        questionable=counts["Q"],
        category=CATEGORY_NAMES[category],
        satisfaction_coefficient=(counts["A"] + counts["O"]) / denominator if denominator else None,
        dissatisfaction_coefficient=-(counts["O"] + counts["M"]) / denominator if denominator else None,
    )


def _answer_index(answer: Any, argument: str) -> int:
    if isinstance(answer, str):
        key = answer.strip().lower()
        if key in ANSWER_LABELS:
            return ANSWERS.index(ANSWER_LABELS[key])
        if key.isdigit():
            answer = int(key)
    if isinstance(answer, int | float | np.integer | np.floating) and float(answer) in (1, 2, 3, 4, 5):
        return int(answer) - 1
    raise ValueError(
        f"{argument}: {answer!r} is not a Kano answer; use 1–5 (like, must-be, neutral, live-with, dislike) "
        "or those labels."
    )
