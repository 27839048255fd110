"""Response-quality screening on a test set made for the purpose: seeded human-like answers with planted
speeders, straight-liners, duplicates, a device burst, answer bots, failed attention checks and reversed-item
contradictions. Every planted response must be found with its reason; clean ones must rarely be flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from measure.response_quality import ScreeningRules, screen_responses

GRIDS = {
    "service": [f"s{j}" for j in range(1, 9)],
    "product": [f"p{j}" for j in range(1, 9)],
    "value": [f"v{j}" for j in range(1, 9)],
}
ITEMS = [item for items in GRIDS.values() for item in items]


@dataclass
class TestSet:
    answers: pd.DataFrame
    durations: np.ndarray
    versions: np.ndarray
    fingerprints: np.ndarray
    submitted_at: np.ndarray
    planted: dict[str, list[int]]  # reason → rows that must carry it

    __test__ = False  # not a test class


def human_answers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Three correlated constructs, eight 1–5 items each with their own means; s8 is s1 reversed."""
    latent = rng.multivariate_normal([0, 0, 0], [[1, 0.5, 0.4], [0.5, 1, 0.5], [0.4, 0.5, 1]], size=n)
    columns = {}
    for g, items in enumerate(GRIDS.values()):
        means = np.linspace(2.3, 4.1, len(items))[rng.permutation(len(items))]
        for item, mean in zip(items, means, strict=True):
            columns[item] = np.clip(np.rint(mean + 0.7 * latent[:, g] + 0.7 * rng.normal(size=n)), 1, 5)
    columns["s8"] = np.clip(6 - columns["s1"] + np.rint(0.3 * rng.normal(size=n)), 1, 5)
    frame = pd.DataFrame(columns)[ITEMS]
    frame["attention"] = 2  # "select 'disagree' (2) for this row"
    return frame


def make_test_set(seed: int = 20261122) -> TestSet:
    rng = np.random.default_rng(seed)
    clean = 400
    frames = [human_answers(rng, clean)]
    planted: dict[str, list[int]] = {}
    next_row = clean

    def add(reason: str, frame: pd.DataFrame) -> list[int]:
        nonlocal next_row
        rows = list(range(next_row, next_row + len(frame)))
        planted.setdefault(reason, []).extend(rows)
        frames.append(frame)
        next_row += len(frame)
        return rows

    speeders = add("speeder", human_answers(rng, 8))
    straight = human_answers(rng, 8)
    values = rng.integers(1, 6, size=8)
    for item in GRIDS["product"]:
        straight[item] = values  # one value across the whole grid
    add("straightlining", straight)
    copies = pd.concat([frames[0].iloc[[3, 77, 150]]], ignore_index=True)
    add("duplicate_answers", copies)
    planted["duplicate_answers"].extend([3, 77, 150])
    burst = add("duplicate_device", human_answers(rng, 5))
    uniform = pd.DataFrame(rng.integers(1, 6, size=(8, len(ITEMS))), columns=ITEMS)  # a bot's default
    uniform["attention"] = 2  # bots are told the instructed answer
    add("bot_pattern", uniform)
    weighting = [0.1, 0.2, 0.35, 0.25, 0.1]  # option weights set to look human, the same for every item
    weighted = pd.DataFrame(rng.choice([1, 2, 3, 4, 5], size=(8, len(ITEMS)), p=weighting), columns=ITEMS)
    weighted["attention"] = 2
    add("human_like_bot", weighted)
    cycle = np.array([1, 2, 3, 4, 5, 4, 3, 2], dtype=float)
    zigzag = pd.DataFrame([np.roll(np.tile(cycle, 3), shift) for shift in range(4)], columns=ITEMS)
    zigzag["attention"] = 2
    add("bot_pattern", zigzag)
    inattentive = human_answers(rng, 6)
    inattentive["attention"] = [4, 5, 1, 3, 4, 5]
    add("attention_check_failed", inattentive)
    contradicting = human_answers(rng, 6)
    contradicting["s8"] = contradicting["s1"] = [5, 5, 1, 1, 5, 1]  # agree with both an item and its reverse
    add("reversed_item_contradiction", contradicting)

    answers = pd.concat(frames, ignore_index=True)
    n = len(answers)
    versions = np.where(rng.random(n) < 0.5, "A", "B")
    medians = np.where(versions == "A", 600.0, 420.0)  # version B skips a page
    durations = medians * np.exp(0.3 * rng.normal(size=n))
    durations[speeders] = 0.2 * medians[speeders]
    fingerprints = np.array([f"device-{i:04d}" for i in range(n)], dtype=object)
    submitted_at = np.sort(rng.uniform(0, 7 * 86400, size=n))[rng.permutation(n)]
    fingerprints[burst] = "device-burst"
    submitted_at[burst] = 3 * 86400 + np.array([0, 40, 95, 150, 230])
    return TestSet(answers, durations, versions, fingerprints, submitted_at, planted)


@pytest.fixture(scope="module")
def test_set() -> TestSet:
    return make_test_set()


@pytest.fixture(scope="module")
def screened(test_set: TestSet):  # type: ignore[no-untyped-def]
    return screen_responses(
        test_set.answers,
        grids=GRIDS,
        scale=(1, 5),
        durations=test_set.durations,
        versions=test_set.versions,
        attention_checks={"attention": 2},
        reversed_pairs=[("s1", "s8")],
        fingerprints=test_set.fingerprints,
        submitted_at=test_set.submitted_at,
    )


@pytest.mark.parametrize(
    "reason",
    [
        "speeder",
        "straightlining",
        "duplicate_answers",
        "duplicate_device",
        "attention_check_failed",
        "reversed_item_contradiction",
    ],
)
def test_every_planted_response_is_found_with_its_reason(test_set: TestSet, screened, reason: str) -> None:  # type: ignore[no-untyped-def]
    missed = [row for row in test_set.planted[reason] if reason not in screened.responses[row].reasons]
    assert missed == []


def test_answer_bots_are_found(test_set: TestSet, screened) -> None:  # type: ignore[no-untyped-def]
    uniform, cycles = test_set.planted["bot_pattern"][:8], test_set.planted["bot_pattern"][8:]
    assert all("bot_pattern" in screened.responses[row].reasons for row in cycles)
    # uniform random bots: content-free answers show as bot pattern or as multivariate outliers
    reasons = [set(screened.responses[row].reasons) for row in uniform]
    assert all(found & {"bot_pattern", "multivariate_outlier"} for found in reasons)
    assert sum("bot_pattern" in found for found in reasons) >= len(uniform) // 2


def test_bots_with_human_like_weights_are_only_partly_found(test_set: TestSet, screened) -> None:  # type: ignore[no-untyped-def]
    # a bot drawing every item from weights that mimic human answers is hard to tell apart from one
    # response; the screening still flags such bots far more often than clean respondents
    planted = {row for rows in test_set.planted.values() for row in rows}
    clean = [r for r in screened.responses if r.row not in planted]
    bots = [screened.responses[row] for row in test_set.planted["human_like_bot"]]
    bot_rate = sum(bool(r.reasons) for r in bots) / len(bots)
    clean_rate = sum(bool(r.reasons) for r in clean) / len(clean)
    assert bot_rate >= 5 * clean_rate
    assert bot_rate > 0.25


def test_clean_responses_are_rarely_flagged(test_set: TestSet, screened) -> None:  # type: ignore[no-untyped-def]
    planted = {row for rows in test_set.planted.values() for row in rows}
    clean = [r for r in screened.responses if r.row not in planted]
    flagged = [r for r in clean if r.reasons]
    assert len(clean) == 397
    # the human model is discrete and noisy: a few genuine long strings and outliers are expected
    assert len(flagged) / len(clean) <= 0.04, [(r.row, r.reasons) for r in flagged]
    assert not any("bot_pattern" in r.reasons or "speeder" in r.reasons for r in clean)


def test_speeders_are_judged_against_their_own_version(test_set: TestSet, screened) -> None:  # type: ignore[no-untyped-def]
    # a B respondent at 300 s is ordinary (B median 420 s) though it would be fast for version A
    for row in test_set.planted["speeder"]:
        ratio = screened.responses[row].duration_ratio
        assert ratio is not None
        assert ratio == pytest.approx(0.2, rel=0.25)
        assert screened.responses[row].relative_speed_index == pytest.approx(1 / ratio)


def test_counts_say_how_many_and_why(screened) -> None:  # type: ignore[no-untyped-def]
    counts = {count.reason: count for count in screened.counts}
    assert counts["bot_pattern"].count >= 8
    assert counts["duplicate_device"].count == 5
    assert counts["duplicate_answers"].count == 6
    assert "version" in counts["speeder"].rule
    assert screened.n == len(screened.responses)
    assert screened.n_flagged == len(screened.flagged_rows)
    assert screened.checks_skipped == (
        "relative_speed: no page times given (the index is reported from the total time)",
    )


def test_nothing_is_deleted(test_set: TestSet, screened) -> None:  # type: ignore[no-untyped-def]
    assert [r.row for r in screened.responses] == list(range(len(test_set.answers)))


def test_without_timestamps_any_repeated_fingerprint_is_a_duplicate_device() -> None:
    answers = pd.DataFrame({f"q{j}": [1, 2, 3, 4] for j in range(5)})
    result = screen_responses(answers, grids={"g": list(answers.columns)}, fingerprints=np.array(["a", "b", "a", None]))
    assert [r.device_group for r in result.responses] == [1, None, 1, None]


def test_checks_without_inputs_are_listed_as_skipped() -> None:
    answers = pd.DataFrame({f"q{j}": [1, 2, 3, 4] for j in range(5)})
    result = screen_responses(answers, grids={"g": list(answers.columns)})
    assert "speeder: no completion times given" in result.checks_skipped
    assert "speeder" not in result.checks_run


def test_thresholds_are_rules_not_constants() -> None:
    answers = pd.DataFrame({f"q{j}": [3, 3, 2] for j in range(10)})
    answers.loc[2] = [2, 2, 2, 2, 2, 2, 2, 2, 5, 4]
    grids = {"g": list(answers.columns)}
    strict = screen_responses(answers, grids=grids, rules=ScreeningRules(longstring_share=0.8))
    lenient = screen_responses(answers, grids=grids, rules=ScreeningRules(longstring_share=0.9))
    assert "longstring" in strict.responses[2].reasons
    assert "longstring" not in lenient.responses[2].reasons


def test_straight_lining_can_require_several_grids() -> None:
    answers = pd.DataFrame({f"a{j}": [4, 4, 1] for j in range(5)} | {f"b{j}": [4, 2, 1] for j in range(5)})
    answers.loc[1, "b0"] = 5
    grids = {"a": [f"a{j}" for j in range(5)], "b": [f"b{j}" for j in range(5)]}
    two = screen_responses(answers, grids=grids, rules=ScreeningRules(straightlined_grids_to_flag=2))
    assert ["straightlining" in r.reasons for r in two.responses] == [True, False, True]
    assert two.responses[1].straightlined_grids == ("a",)


def test_unknown_grid_column_is_named() -> None:
    with pytest.raises(ValueError, match=r"grids\['g'\]: columns \['q9'\] are not in the answers"):
        screen_responses(pd.DataFrame({"q1": [1], "q2": [2]}), grids={"g": ["q1", "q9"]})


# ---- real survey data: no planted cases, so every flag is a candidate false positive --------------------


def test_real_survey_data_flag_rates_are_reported_per_reason(reference: Path) -> None:
    mobi = pd.read_csv(reference / "data" / "mobi.csv")
    grids = {
        "image": [f"IMAG{j}" for j in range(1, 6)],
        "quality": [f"PERQ{j}" for j in range(1, 8)],
        "rest": ["CUEX1", "CUEX2", "CUEX3", "CUSA1", "CUSA2", "CUSA3", "CUSCO", "CUSL1", "CUSL2", "CUSL3"],
    }
    result = screen_responses(mobi, grids=grids, scale=(1, 10))
    assert result.n == 250
    assert sum(count.count for count in result.counts) >= result.n_flagged
    # without timings or fingerprints only the answer-pattern checks can run
    assert set(result.checks_run) == {
        "straightlining",
        "longstring",
        "multivariate_outlier",
        "bot_pattern",
        "duplicate_answers",
    }


def test_relative_speed_index_from_page_times_per_version() -> None:
    answers = pd.DataFrame({f"q{j}": [1, 2, 3, 4, 5, 2] for j in range(5)})
    pages = pd.DataFrame({"page1": [60, 62, 58, 61, 20, 30], "page2": [120, 118, 122, 119, 50, 60]})
    versions = ["A", "A", "A", "A", "A", "B"]
    result = screen_responses(answers, grids={"g": list(answers.columns)}, page_durations=pages, versions=versions)
    fast = result.responses[4]
    # Leiner's RSI: mean over pages of median page time (version A: 60, 119) / own page time
    assert fast.relative_speed_index == pytest.approx((60 / 20 + 119 / 50) / 2)
    assert "relative_speed" in fast.reasons
    assert result.responses[5].relative_speed_index == pytest.approx(1.0)  # alone in version B
