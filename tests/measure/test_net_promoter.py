"""NPS: METHODS.md §4.1 test vectors, the weighted score of the raking reference, and bad input.

Reference numbers: METHODS.md §4.1 (wave 1: 90 promoters / 60 passives / 50 detractors, n = 200;
wave 2: 100 / 90 / 60, n = 250) and R survey 4.1-1, `svymean(~nps_score, design)` in
reference/scripts/06_survey_raking.R (expected/survey_raking.json, block "nps").
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from measure.net_promoter import (
    net_promoter_by_segment,
    net_promoter_change,
    net_promoter_score,
    promoter_scores,
)


def sample(promoters: int, passives: int, detractors: int) -> list[int]:
    return [10] * promoters + [7] * passives + [0] * detractors


WAVE_1 = sample(90, 60, 50)
WAVE_2 = sample(100, 90, 60)


def test_wald_interval_of_wave_1() -> None:
    result = net_promoter_score(WAVE_1)
    assert result.score == pytest.approx(20.0, abs=1e-12)
    assert result.standard_error == pytest.approx(5.7446, abs=5e-5)
    assert result.ci_low == pytest.approx(8.741, abs=5e-4)
    assert result.ci_high == pytest.approx(31.259, abs=5e-4)
    assert (result.n, result.promoters, result.passives, result.detractors) == (200, 90, 60, 50)
    assert (result.promoter_share, result.passive_share, result.detractor_share) == (0.45, 0.30, 0.25)
    assert not result.insufficient_base


def test_sample_variance_version_differs_by_root_n_over_n_minus_1() -> None:
    # METHODS: "ddof=1 SE 5.7590" — the SE of 100·mean(s) with the sample variance
    scores = promoter_scores(WAVE_1)
    assert 100 * scores.std(ddof=1) / np.sqrt(len(scores)) == pytest.approx(5.7590, abs=5e-5)
    assert net_promoter_score(WAVE_1).standard_error * np.sqrt(200 / 199) == pytest.approx(5.7590, abs=5e-5)


def test_adjusted_wald_interval_of_wave_1() -> None:
    result = net_promoter_score(WAVE_1, method="adjusted_wald")
    assert result.score == pytest.approx(20.0, abs=1e-12)
    assert result.adjusted_score == pytest.approx(19.704, abs=5e-4)
    assert result.standard_error == pytest.approx(5.6943, abs=5e-5)
    assert result.ci_low == pytest.approx(8.544, abs=5e-4)
    assert result.ci_high == pytest.approx(30.865, abs=5e-4)


def test_bootstrap_interval_of_wave_1_is_seeded_and_near_the_reference() -> None:
    result = net_promoter_score(WAVE_1, method="bootstrap", replicates=10_000, seed=20240601)
    # METHODS: bootstrap (10k) ≈ [8.5, 31.0]
    assert result.ci_low == pytest.approx(8.5, abs=0.6)
    assert result.ci_high == pytest.approx(31.0, abs=0.6)
    assert result.standard_error == pytest.approx(5.7446, rel=0.05)
    assert (result.seed, result.replicates) == (20240601, 10_000)
    again = net_promoter_score(WAVE_1, method="bootstrap", replicates=10_000, seed=20240601)
    assert (again.ci_low, again.ci_high) == (result.ci_low, result.ci_high)


def test_wave_2_and_the_independent_two_wave_test() -> None:
    assert net_promoter_score(WAVE_2).score == pytest.approx(16.0, abs=1e-12)
    assert net_promoter_score(WAVE_2).standard_error == pytest.approx(4.9574, abs=5e-5)
    change = net_promoter_change(WAVE_1, WAVE_2)
    # METHODS prints wave1 − wave2 = 4.0, z 0.527; our change is later − earlier
    assert change.change == pytest.approx(-4.0, abs=1e-12)
    assert change.standard_error == pytest.approx(7.5879, abs=5e-5)
    assert change.z == pytest.approx(-0.527, abs=5e-4)
    assert change.p_value == pytest.approx(0.598, abs=5e-4)
    assert not change.paired


def test_paired_test_uses_the_differences_of_each_respondent() -> None:
    rng = np.random.default_rng(7)
    earlier = rng.integers(0, 11, size=120)
    later = np.clip(earlier + rng.integers(-1, 3, size=120), 0, 10)
    change = net_promoter_change(earlier, later, paired=True)
    differences = 100 * (promoter_scores(later) - promoter_scores(earlier))
    assert change.change == pytest.approx(differences.mean(), abs=1e-12)
    assert change.standard_error == pytest.approx(differences.std(ddof=1) / np.sqrt(120), rel=1e-12)
    independent = net_promoter_change(earlier, later)
    # the same people answer alike twice, so the paired SE is far smaller
    assert change.standard_error < independent.standard_error / 2


def test_paired_test_leaves_out_pairs_with_a_missing_rating() -> None:
    change = net_promoter_change([10, 9, np.nan, 3], [10, 5, 8, np.nan], paired=True)
    assert change.earlier.n == change.later.n == 2
    with pytest.raises(ValueError, match="one rating per respondent"):
        net_promoter_change([10, 9], [10], paired=True)


def test_weighted_nps_of_the_raking_reference(reference: Path) -> None:
    data = pd.read_csv(reference / "data" / "synthetic" / "synth_raking_n3000.csv")
    weights = pd.read_csv(reference / "expected" / "survey_raking_weights_synth_n3000.csv")
    expected = json.loads((reference / "expected" / "survey_raking.json").read_text())["nps"]
    merged = data.merge(weights, on="id", validate="one_to_one")
    result = net_promoter_score(merged["satisfaction"], weights=merged["weight"])
    assert result.score == pytest.approx(-20.96, abs=5e-3)
    assert result.score == pytest.approx(expected["raked_design_linearization"]["mean"], abs=1e-9)
    assert result.promoter_share == pytest.approx(
        expected["raked_design_linearization"]["promoters"]["mean"], abs=1e-12
    )
    # weights treated as fixed: svydesign(ids=~1, weights=~w_rake)
    assert result.standard_error == pytest.approx(expected["fixed_weights_design"]["se"], rel=1e-9)
    assert result.weighted
    assert result.effective_n == pytest.approx(2446.44578695457, rel=1e-9)
    unweighted = net_promoter_score(merged["satisfaction"])
    assert unweighted.score == pytest.approx(expected["unweighted"]["nps"], abs=1e-9)


def test_weighted_bootstrap_is_near_the_linearised_standard_error(reference: Path) -> None:
    data = pd.read_csv(reference / "data" / "synthetic" / "synth_raking_n3000.csv")
    weights = pd.read_csv(reference / "expected" / "survey_raking_weights_synth_n3000.csv")
    merged = data.merge(weights, on="id")
    result = net_promoter_score(
        merged["satisfaction"], weights=merged["weight"], method="bootstrap", replicates=400, seed=1
    )
    assert result.standard_error == pytest.approx(1.52396, rel=0.12)
    assert result.ci_low < -20.96 < result.ci_high


def test_all_promoters_give_a_zero_wald_error_and_a_pointer_to_adjusted_wald() -> None:
    wald = net_promoter_score([10] * 40)
    assert wald.standard_error == 0
    assert any("adjusted-Wald" in warning for warning in wald.warnings)
    adjusted = net_promoter_score([10] * 40, method="adjusted_wald")
    assert adjusted.standard_error > 0
    assert adjusted.ci_low < 100


def test_small_base_is_flagged() -> None:
    result = net_promoter_score([10, 9, 8, 2] * 7)
    assert result.n == 28
    assert result.insufficient_base
    assert any("Insufficient base" in warning for warning in result.warnings)
    assert not net_promoter_score([10, 9, 8, 2] * 8).insufficient_base


def test_missing_ratings_are_left_out_and_counted() -> None:
    result = net_promoter_score([10, np.nan, 0, np.nan])
    assert (result.n, result.missing, result.score) == (2, 2, 0.0)


@pytest.mark.parametrize("bad", [[10, 11, 9], [7.5, 8], [-1, 3]])
def test_a_rating_outside_zero_to_ten_is_refused(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="whole-number ratings from 0 to 10"):
        net_promoter_score(bad)


def test_an_item_on_another_scale_is_refused() -> None:
    with pytest.raises(ValueError, match=r"scale: NPS is defined only on the 0–10 .* scale is 1–5"):
        net_promoter_score([5, 4, 3], scale=(1, 5))


def test_ratings_that_all_look_like_a_five_point_item_carry_a_warning() -> None:
    result = net_promoter_score([1, 2, 3, 4, 5] * 8)
    assert any("not a 1–5 item" in warning for warning in result.warnings)


def test_bad_weights_are_named() -> None:
    with pytest.raises(ValueError, match="weights: every weight must be a positive number; found -1"):
        net_promoter_score([10, 9], weights=[1, -1])
    with pytest.raises(ValueError, match="weights: 1 weights for 2 ratings"):
        net_promoter_score([10, 9], weights=[1])


def test_segments_are_scored_separately() -> None:
    rows = net_promoter_by_segment(WAVE_1 + WAVE_2, ["w1"] * 200 + ["w2"] * 250)
    assert [row.segment for row in rows] == ["w1", "w2"]
    assert rows[0].result.score == pytest.approx(20.0, abs=1e-12)
    assert rows[1].result.standard_error == pytest.approx(4.9574, abs=5e-5)
    assert rows[1].as_dict()["segment"] == "w2"


def test_numeric_segment_codes_keep_their_names_and_empty_ones_are_left_out() -> None:
    rows = net_promoter_by_segment([10, 9, 0, 8], [1.0, 2.0, np.nan, 2.0])
    assert [row.segment for row in rows] == ["1", "2"]
    assert sum(row.result.n for row in rows) == 3


@given(promoters=st.integers(0, 300), passives=st.integers(0, 300), detractors=st.integers(0, 300))
@settings(max_examples=60, deadline=None)
def test_score_and_trinomial_error_for_any_counts(promoters: int, passives: int, detractors: int) -> None:
    n = promoters + passives + detractors
    assume(n > 0)
    result = net_promoter_score(sample(promoters, passives, detractors))
    p, d = promoters / n, detractors / n
    assert result.score == pytest.approx(100 * (p - d), abs=1e-9)
    assert result.standard_error == pytest.approx(100 * np.sqrt((p + d - (p - d) ** 2) / n), abs=1e-9)
    assert -100 <= result.score <= 100
    adjusted = net_promoter_score(sample(promoters, passives, detractors), method="adjusted_wald")
    assert adjusted.standard_error > 0


@given(weight=st.floats(0.01, 1000), ratings=st.lists(st.integers(0, 10), min_size=2, max_size=60))
@settings(max_examples=60, deadline=None)
def test_equal_weights_give_the_unweighted_score_and_the_sample_variance_error(
    weight: float, ratings: list[int]
) -> None:
    weighted = net_promoter_score(ratings, weights=[weight] * len(ratings))
    unweighted = net_promoter_score(ratings)
    n = len(ratings)
    assert weighted.score == pytest.approx(unweighted.score, abs=1e-9)
    assert weighted.standard_error == pytest.approx(unweighted.standard_error * np.sqrt(n / (n - 1)), abs=1e-9)


def test_weighted_two_wave_test_combines_each_waves_linearised_error() -> None:
    rng = np.random.default_rng(3)
    first, second = rng.integers(0, 11, 150), rng.integers(0, 11, 180)
    first_weights, second_weights = rng.uniform(0.5, 2, 150), rng.uniform(0.5, 2, 180)
    change = net_promoter_change(first, second, earlier_weights=first_weights, later_weights=second_weights)
    earlier = net_promoter_score(first, weights=first_weights)
    later = net_promoter_score(second, weights=second_weights)
    assert change.change == pytest.approx(later.score - earlier.score, abs=1e-12)
    assert change.standard_error == pytest.approx(np.hypot(earlier.standard_error, later.standard_error), rel=1e-12)
