"""PRCA on the D4 fixture of METHODS §2.3, checked against R `lm` (reference/scripts/prca.R):

f <- lm(Y ~ I(A<=2)+I(A==5)+I(B<=2)+I(B==5)+I(C<=2)+I(C==5), data=d)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from measure.penalty_reward import penalty_reward_contrast


@pytest.fixture(scope="module")
def d4(reference: Path) -> pd.DataFrame:
    return pd.read_csv(reference / "data" / "d4_prca.csv")


@pytest.fixture(scope="module")
def prca(d4: pd.DataFrame):  # type: ignore[no-untyped-def]
    return penalty_reward_contrast(d4["Y"], d4[["A", "B", "C"]], low_at_most=2, high_at_least=5)


def test_regression_matches_r_lm(prca) -> None:  # type: ignore[no-untyped-def]
    assert prca.intercept == pytest.approx(2.99294, abs=5e-6)
    assert prca.r_squared == pytest.approx(0.902365, abs=5e-7)
    expected = {"A": (-1.18167, 0.19783), "B": (-0.60153, 0.60106), "C": (-0.09667, 0.99939)}
    for attribute in prca.attributes:
        low, high = expected[attribute.attribute]
        assert attribute.penalty == pytest.approx(-low, abs=5e-6)
        assert attribute.reward == pytest.approx(high, abs=5e-6)
    c = prca.attributes[2]
    assert c.penalty_standard_error == pytest.approx(0.03708, abs=5e-6)
    assert c.penalty_p_value == pytest.approx(0.0096, abs=5e-5)


def test_wald_test_of_equal_penalty_and_reward(prca) -> None:  # type: ignore[no-untyped-def]
    expected = {"A": (-0.9838, -14.22), "B": (-0.0005, -0.007), "C": (0.9027, 13.05)}
    for attribute in prca.attributes:
        estimate, t = expected[attribute.attribute]
        assert attribute.asymmetry == pytest.approx(estimate, abs=5e-5)
        assert attribute.asymmetry_t == pytest.approx(t, abs=5e-3)
    assert prca.attributes[1].asymmetry_p_value == pytest.approx(0.995, abs=5e-4)


def test_impact_asymmetry_and_classes(prca) -> None:  # type: ignore[no-untyped-def]
    index = {a.attribute: a for a in prca.attributes}
    assert index["A"].impact_asymmetry == pytest.approx(-0.7132, abs=5e-5)
    assert index["B"].impact_asymmetry == pytest.approx(-0.0004, abs=5e-5)
    assert index["C"].impact_asymmetry == pytest.approx(0.8236, abs=5e-5)
    assert [index[k].impact_asymmetry_class for k in "ABC"] == ["basic", "performance", "excitement"]
    assert [index[k].three_factor_class for k in "ABC"] == ["basic", "performance", "excitement"]
    assert [index[k].strong_asymmetry for k in "ABC"] == ["frustrator", None, "delighter"]
    for attribute in prca.attributes:
        sgp, dgp = attribute.satisfaction_generating_potential, attribute.dissatisfaction_generating_potential
        assert sgp is not None
        assert dgp is not None
        assert sgp + dgp == pytest.approx(1.0)
        assert not attribute.wrong_sign


def test_box_shares_and_vifs_are_reported(prca, d4: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    a = prca.attributes[0]
    assert a.low_share == pytest.approx(float((d4["A"] <= 2).mean()))
    assert a.high_share == pytest.approx(float((d4["A"] == 5).mean()))
    assert a.low_vif >= 1.0


def test_wrong_sign_is_flagged() -> None:
    ratings = pd.DataFrame({"x": [1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 1, 3]})
    overall = [6.0, 6.2, 5.9, 4.0, 4.1, 3.9, 4.0, 4.1, 3.9, 4.0, 6.1, 4.05]
    result = penalty_reward_contrast(overall, ratings, low_at_most=2, high_at_least=5)
    assert result.attributes[0].wrong_sign
    assert result.attributes[0].impact_asymmetry is None  # RIOCS ≤ 0


def test_empty_box_is_an_error_naming_it() -> None:
    ratings = pd.DataFrame({"x": [3, 4, 5, 3, 4, 5]})
    with pytest.raises(ValueError, match=r"\['x \(low\)'\]"):
        penalty_reward_contrast([1.0, 2, 3, 1, 2, 3], ratings, low_at_most=2, high_at_least=5)
