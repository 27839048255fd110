"""`measure.threshold_tests`: Davies and pseudo-score tests against R `segmented` 1.6-2.

R calls: reference/scripts/03_segmented.R — `davies.test(lm0, ~x, k=10)`, `pscore.test(lm0, ~x, k=10)`,
`pscore.test(fit1, ~x, more.break=TRUE)` on the one-breakpoint segmented fits; METHODS.md §1.5 (D1).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from measure.threshold_tests import davies_test, pseudo_score_test

MOBI = {
    "A_x_raw_1to10__y_loy3_0to100": "data/derived/mobi_composite_A.csv",
    "C_x_raw_1to10__y_loy_CUSL1_CUSL3_0to100": "data/derived/mobi_composite_C.csv",
}


def columns(
    reference: Path, relative: str, x: str = "satisfaction", y: str = "loyalty"
) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(reference / relative)
    return frame[x].to_numpy(float), frame[y].to_numpy(float)


@pytest.mark.parametrize("variant", sorted(MOBI))
def test_mobi_davies_and_pscore_match_r(reference: Path, variant: str) -> None:
    expected = json.loads((reference / "expected" / "segmented_mobi.json").read_text())["variants"][variant]
    s, y = columns(reference, MOBI[variant])
    davies = davies_test(s, y)
    assert davies.p_value == pytest.approx(expected["davies_test"]["lrt"]["p_value"], rel=1e-6)
    assert davies.best_breakpoint == pytest.approx(expected["davies_test"]["lrt"]["best_psi"], rel=1e-12)
    assert davies.distribution == "t"
    score = pseudo_score_test(s, y)
    assert score.statistic == pytest.approx(expected["pscore_test"]["statistic"], rel=1e-6)
    assert score.p_value == pytest.approx(expected["pscore_test"]["p_value"], rel=1e-6)
    for key in ("npsi1_nboot0", "npsi1_nboot10"):
        fitted = expected["fits"][key]
        more = pseudo_score_test(s, y, given_breakpoints=fitted["psi"]["estimate"])
        assert more.statistic == pytest.approx(fitted["pscore_test_more_break"]["statistic"], rel=1e-6)
        assert more.p_value == pytest.approx(fitted["pscore_test_more_break"]["p_value"], rel=1e-6)


def test_synthetic_n2000_uses_the_normal_version(reference: Path) -> None:
    expected = json.loads((reference / "expected" / "segmented_synth_pw_cont_n2000.json").read_text())
    s, y = columns(reference, "data/synthetic/synth_pw_cont_n2000.csv")
    davies = davies_test(s, y)
    assert davies.distribution == "normal"
    assert davies.p_value == pytest.approx(expected["davies_test"]["wald"]["p_value"], rel=1e-6)
    assert davies.best_breakpoint == pytest.approx(expected["davies_test"]["wald"]["best_psi"], rel=1e-9)
    score = pseudo_score_test(s, y)
    assert score.p_value == pytest.approx(expected["pscore_test"]["p_value"], rel=1e-6)
    fitted = expected["fits"]["npsi1_nboot0"]
    more = pseudo_score_test(s, y, given_breakpoints=fitted["psi"]["estimate"])
    assert more.statistic == pytest.approx(fitted["pscore_test_more_break"]["statistic"], rel=1e-6)


def test_d1_vectors(reference: Path) -> None:
    s, y = columns(reference, "data/d1_satloy.csv", "S", "L")
    # METHODS §1.5: davies best at 3.0541, p = 2.63e-12; pscore T = −2.7024, p = 0.007482
    davies = davies_test(s, y)
    assert davies.best_breakpoint == pytest.approx(3.0541, abs=1e-4)
    assert davies.p_value == pytest.approx(2.6302e-12, rel=1e-4)
    score = pseudo_score_test(s, y)
    assert score.statistic == pytest.approx(-2.702389, abs=1e-6)
    assert score.p_value == pytest.approx(0.0074821, rel=1e-4)
    # a second breakpoint given segmented's first at 3.479814: T = 8.1154, p = 5.24e-14; davies best at 7.9632
    more = pseudo_score_test(s, y, given_breakpoints=[3.479814])
    assert more.statistic == pytest.approx(8.1154, abs=1e-4)
    assert more.p_value == pytest.approx(5.24e-14, rel=1e-3)
    second = davies_test(s, y, given_breakpoints=[3.479814])
    assert second.best_breakpoint == pytest.approx(7.9632, abs=1e-4)
    assert second.p_value < 2.2e-16


def test_constant_satisfaction_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="satisfaction is constant"):
        davies_test([3.0] * 20, list(range(20)))


def test_davies_survives_an_alternative_too_close_to_the_edge_of_the_data_to_estimate() -> None:
    """n > 300 uses Wald statistics; at a ψ where the hinge column is nearly all zero the fitted variance can
    come out ≤ 0 numerically. That point has no statistic; the test goes on over the others.

    The data: a generated wave of 377 complete responses on which the report's threshold section failed.
    """
    data = np.loadtxt(Path(__file__).parent / "data" / "davies_near_singular.csv", delimiter=",", skiprows=1)
    result = davies_test(data[:, 0], data[:, 1])
    assert 0.0 <= result.p_value <= 1.0
    assert all(math.isfinite(value) for value in result.statistics)
