"""Kano evaluation table and Berger's coefficients (METHODS §2.4)."""

from __future__ import annotations

import pytest

from measure.kano import ANSWERS, kano_category, kano_evaluation


def pairs(counts: dict[tuple[str, str], int]) -> tuple[list[str], list[str]]:
    functional = [f for (f, _), k in counts.items() for _ in range(k)]
    dysfunctional = [d for (_, d), k in counts.items() for _ in range(k)]
    return functional, dysfunctional


def test_methods_vector_berger_coefficients() -> None:
    # A=40, O=30, M=20, I=10 → SI 0.70, DI −0.50
    functional, dysfunctional = pairs(
        {
            ("like", "neutral"): 40,
            ("like", "dislike"): 30,
            ("must-be", "dislike"): 20,
            ("neutral", "neutral"): 10,
        }
    )
    result = kano_evaluation(functional, dysfunctional, attribute="delivery")
    assert (result.attractive, result.one_dimensional, result.must_be, result.indifferent) == (40, 30, 20, 10)
    assert result.satisfaction_coefficient == pytest.approx(0.70)
    assert result.dissatisfaction_coefficient == pytest.approx(-0.50)
    assert result.category == "attractive"


def test_evaluation_table_rows() -> None:
    table = {
        "like": ["Q", "A", "A", "A", "O"],
        "must-be": ["R", "I", "I", "I", "M"],
        "neutral": ["R", "I", "I", "I", "M"],
        "live-with": ["R", "I", "I", "I", "M"],
        "dislike": ["R", "R", "R", "R", "Q"],
    }
    for functional, row in table.items():
        assert [kano_category(functional, dysfunctional) for dysfunctional in ANSWERS] == row


def test_codes_and_chinese_labels_are_the_same_answers() -> None:
    assert kano_category(1, 5) == kano_category("喜欢", "不喜欢") == kano_category("1", 5.0) == "O"


def test_ties_go_to_must_be_before_one_dimensional() -> None:
    functional, dysfunctional = pairs({("like", "dislike"): 5, ("neutral", "dislike"): 5, ("like", "neutral"): 5})
    assert kano_evaluation(functional, dysfunctional).category == "must-be"


def test_missing_answers_are_left_out_and_bad_ones_named() -> None:
    result = kano_evaluation(["like", None, "like"], ["dislike", "dislike", None])
    assert result.n == 1
    with pytest.raises(ValueError, match="functional: 'love' is not a Kano answer"):
        kano_evaluation(["love"], ["dislike"])
