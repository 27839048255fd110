"""KMO, Bartlett's sphericity test and one-factor minres against METHODS §5 (psych 2.2.9 on
Holzinger–Swineford x1–x9, n = 301)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from measure.factor_analysis import bartlett_sphericity, kaiser_meyer_olkin, one_factor_minres


@pytest.fixture(scope="module")
def abilities(reference: Path) -> pd.DataFrame:
    frame = pd.read_csv(reference / "data" / "holzinger_swineford_1939.csv")
    return frame[[f"x{i}" for i in range(1, 10)]]


def test_kmo_overall_and_per_item(abilities: pd.DataFrame) -> None:
    result = kaiser_meyer_olkin(abilities)
    # psych::KMO printed to 4 decimals
    assert result.overall == pytest.approx(0.7522, abs=5e-5)
    assert result.verdict == "middling"
    assert [item.item for item in result.items] == list(abilities.columns)
    np.testing.assert_allclose(
        [item.msa for item in result.items],
        [0.805, 0.778, 0.734, 0.763, 0.739, 0.808, 0.593, 0.683, 0.788],
        atol=5e-4,
    )


def test_bartlett_sphericity(abilities: pd.DataFrame) -> None:
    result = bartlett_sphericity(abilities)
    assert result.chi_square == pytest.approx(904.0971, abs=5e-5)
    assert result.df == 36
    assert result.p_value == pytest.approx(1.91e-166, rel=5e-3)
    assert result.n == 301


def test_uncorrelated_items_are_not_significant() -> None:
    # orthogonal ±1 columns: R is the identity, ln det R = 0, so χ² = 0 and p = 1
    signs = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]] * 5, dtype=float)
    result = bartlett_sphericity(pd.DataFrame(signs, columns=["a", "b", "c"]))
    assert result.chi_square == pytest.approx(0.0, abs=1e-12)
    assert result.p_value == pytest.approx(1.0)


def test_minres_recovers_an_exact_one_factor_structure() -> None:
    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    correlation = np.outer(loadings, loadings)
    np.fill_diagonal(correlation, 1.0)
    factor = one_factor_minres(correlation)
    np.testing.assert_allclose(factor.loadings, loadings, atol=1e-4)
    np.testing.assert_allclose(factor.uniquenesses, 1 - loadings**2, atol=1e-4)
    assert not any(factor.at_bound)


def test_a_singular_correlation_matrix_is_reported(abilities: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="singular"):
        kaiser_meyer_olkin(abilities.assign(total=abilities.sum(axis=1)))


def test_fewer_than_three_items_cannot_carry_one_factor() -> None:
    with pytest.raises(ValueError, match="at least 3 items"):
        one_factor_minres(np.eye(2))
