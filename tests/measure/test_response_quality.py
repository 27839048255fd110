"""Response-quality screening on a test set made for the purpose: seeded human-like answers with planted
speeders, straight-liners, duplicates, a device burst, answer bots, failed attention checks and reversed-item
contradictions. Every planted response must be found with its reason; clean ones must rarely be flagged.
"""

from __future__ import annotations

import itertools
from collections import Counter
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
    assert all("bot_pattern" in found for found in reasons)


def test_bots_with_human_like_weights_are_found(test_set: TestSet, screened) -> None:  # type: ignore[no-untyped-def]
    # a bot drawing every item from option weights that mimic human answers (10/20/35/25/10 %): its answers
    # fit that one fixed weighting better than the sample's correlated answers (fixed-weighting z > 2.5)
    planted = {row for rows in test_set.planted.values() for row in rows}
    bots = [screened.responses[row] for row in test_set.planted["human_like_bot"]]
    assert sum("bot_pattern" in bot.reasons for bot in bots) >= 6
    assert not any("bot_pattern" in r.reasons for r in screened.responses if r.row not in planted)


def test_human_like_bots_in_a_larger_sample_are_found_at_a_low_false_positive_rate() -> None:
    # 3,000 respondents of one questionnaire and 150 human-like bots (5 %): the rule's stated operating point
    rng = np.random.default_rng(20261123)
    humans = human_answers(rng, 3000)
    weighting = [0.1, 0.2, 0.35, 0.25, 0.1]
    bots = pd.DataFrame(rng.choice([1, 2, 3, 4, 5], size=(150, len(ITEMS)), p=weighting), columns=ITEMS)
    result = screen_responses(pd.concat([humans, bots], ignore_index=True)[ITEMS], grids=GRIDS)
    flagged = np.array(["bot_pattern" in r.reasons for r in result.responses])
    assert flagged[3000:].mean() >= 0.85
    assert flagged[:3000].mean() <= 0.01


def test_fixed_weighting_z_is_the_robust_z_of_the_likelihood_ratio() -> None:
    # computed here another way: scipy's normal log-density, and each grid's option shares counted by pandas
    rng = np.random.default_rng(3)
    answers = human_answers(rng, 300)[ITEMS]
    result = screen_responses(answers, grids=GRIDS)
    from scipy.stats import multivariate_normal

    values = answers.to_numpy(float)
    normal = multivariate_normal(values.mean(axis=0), np.cov(values, rowvar=False), allow_singular=True)
    fixed = sum(
        np.log(answers[grid].stack().value_counts(normalize=True).reindex(answers[grid].stack().to_numpy()).to_numpy())
        .reshape(len(answers), len(grid))
        .sum(axis=1)
        for grid in GRIDS.values()
    )
    ratio = fixed - normal.logpdf(values)
    median = np.median(ratio)
    z = (ratio - median) / (1.4826 * np.median(np.abs(ratio - median)))
    np.testing.assert_allclose(
        np.array([r.fixed_weighting_z for r in result.responses], dtype=float), z, rtol=1e-9, atol=1e-9
    )


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


# ---- every response, checked against the rules read one response at a time ------------------------------
# Two thousand mixed responses (missing answers, text answers, planted cases of every kind) screened by
# `screen_responses`, and the same rules applied here row by row, straight from their definitions in the
# docstring: every reason code and every index of every response must agree.

MIXED_GRIDS = GRIDS | {"experience": [f"x{j}" for j in range(1, 13)]}
MIXED_ITEMS = [item for items in MIXED_GRIDS.values() for item in items]


def mixed_responses(seed: int = 7, n: int = 2000) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    answers = human_answers(rng, n)
    latent = rng.normal(size=n)
    for j, item in enumerate(MIXED_GRIDS["experience"]):
        answers[item] = np.clip(np.rint(2.5 + j / 6 + 0.8 * latent + 0.7 * rng.normal(size=n)), 1, 5)
    kind = rng.choice(8, size=n, p=[0.72, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04])
    rows = {k: np.flatnonzero(kind == k) for k in range(1, 8)}
    answers.loc[rows[1], GRIDS["product"]] = np.repeat(rng.integers(1, 6, size=(rows[1].size, 1)), 8, axis=1).astype(
        float
    )
    answers.loc[rows[2], MIXED_ITEMS] = rng.integers(1, 6, size=(rows[2].size, len(MIXED_ITEMS))).astype(float)
    weighted = rng.choice([1, 2, 3, 4, 5], size=(rows[3].size, len(MIXED_ITEMS)), p=[0.1, 0.2, 0.35, 0.25, 0.1])
    answers.loc[rows[3], MIXED_ITEMS] = weighted.astype(float)
    cycle = np.tile([1.0, 2, 3, 4, 5, 4, 3, 2], 5)[: len(MIXED_ITEMS)]
    answers.loc[rows[4], MIXED_ITEMS] = np.array([np.roll(cycle, shift) for shift in rng.integers(0, 8, rows[4].size)])
    longstring = np.repeat(rng.integers(1, 6, size=(rows[5].size, 1)), 10, axis=1).astype(float)
    answers.loc[rows[5], MIXED_GRIDS["experience"][:10]] = longstring
    copies = rng.integers(0, n, size=rows[6].size)
    answers.loc[rows[6], MIXED_ITEMS] = answers.loc[copies, MIXED_ITEMS].to_numpy()
    answers.loc[rows[7], ["s1", "s8"]] = rng.choice([1.0, 5.0], size=(rows[7].size, 2))
    answers[MIXED_ITEMS] = answers[MIXED_ITEMS].mask(rng.random((n, len(MIXED_ITEMS))) < 0.03)
    answers.loc[copies[:20], MIXED_ITEMS] = answers.loc[rows[6][:20], MIXED_ITEMS].to_numpy()  # with gaps
    # the attention check as a file gives it: numbers, numbers as text, words, blanks
    attention = rng.choice(np.array([2, 2.0, "2", " 2 ", "disagree", 4, None], dtype=object), size=n)
    answers["attention"] = attention
    answers["check2"] = rng.choice(["yes", "no", "Yes"], size=n, p=[0.9, 0.05, 0.05])
    versions = rng.choice(["A", "B", "C"], size=n)
    durations = np.where(versions == "A", 600.0, 420.0) * np.exp(0.4 * rng.normal(size=n))
    durations[rng.random(n) < 0.03] *= 0.15
    durations[rng.random(n) < 0.01] = np.nan
    pages = pd.DataFrame(
        {f"page{p}": durations * share * np.exp(0.3 * rng.normal(size=n)) for p, share in enumerate([0.3, 0.3, 0.4])}
    )
    pages = pages.mask(rng.random(pages.shape) < 0.05, 0.0).mask(rng.random(pages.shape) < 0.05)
    devices = rng.integers(0, n // 3, size=n)
    fingerprints = np.array([f"d{d}" for d in devices], dtype=object)
    fingerprints[rng.random(n) < 0.05] = None
    fingerprints[rng.random(n) < 0.02] = 17  # numbers and their text join one device
    fingerprints[rng.random(n) < 0.02] = "17"
    submitted_at = rng.uniform(0, 3 * 86400, size=n)
    return {
        "answers": answers,
        "grids": MIXED_GRIDS,
        "scale": (1, 5),
        "durations": durations,
        "versions": versions,
        "page_durations": pages,
        "attention_checks": {"attention": 2, "check2": ["yes", "Yes"]},
        "reversed_pairs": [("s1", "s8"), ("x1", "x12")],
        "fingerprints": fingerprints,
        "submitted_at": submitted_at,
    }


def screened_one_at_a_time(
    answers: pd.DataFrame,
    grids: dict[str, list[str]],
    scale: tuple[float, float],
    durations: np.ndarray | None,
    versions: np.ndarray,
    page_durations: pd.DataFrame | None,
    attention_checks: dict[str, object],
    reversed_pairs: list[tuple[str, str]],
    fingerprints: np.ndarray,
    submitted_at: np.ndarray | None,
) -> list[dict[str, object]]:
    """Every response's reason codes and indices, from the rules applied to it alone (ScreeningRules())."""
    from scipy import stats

    rules = ScreeningRules()
    n = len(answers)

    def text(value: object) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return "<missing>"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    items = list(dict.fromkeys([c for g in grids.values() for c in g]))
    screened = list(dict.fromkeys([*items, *attention_checks, *(c for p in reversed_pairs for c in p)]))
    numbers = answers[list(dict.fromkeys([*items, *(c for p in reversed_pairs for c in p)]))].astype(float)
    grid_values = numbers[items].to_numpy()
    complete = ~np.isnan(grid_values).any(axis=1)
    data = grid_values[complete]
    inverse = np.linalg.pinv(np.cov(data, rowvar=False))
    centre = data.mean(axis=0)
    item_means = np.nanmean(grid_values, axis=0)
    # the fixed weighting: each grid's options in the shares the complete responses gave them over its items
    option_shares = []
    for grid in grids.values():
        tally = Counter(numbers.loc[complete, grid].to_numpy().ravel().tolist())
        option_shares.append({option: count / sum(tally.values()) for option, count in tally.items()})
    versions = np.asarray(versions)
    medians = {v: float(np.nanmedian(durations[versions == v])) for v in set(versions)} if durations is not None else {}
    pages = None if page_durations is None else np.where(page_durations.to_numpy(float) > 0, page_durations, np.nan)
    page_medians = {v: np.nanmedian(pages[versions == v], axis=0) for v in set(versions)} if pages is not None else {}
    answered_counts = answers[screened].notna().sum(axis=1).to_numpy()
    number_rows = {column: numbers[column].to_numpy() for column in numbers.columns}
    answer_rows = {column: answers[column].tolist() for column in attention_checks}
    keys = [tuple(text(v) for v in row) for row in answers[screened].itertuples(index=False)]
    results: list[dict[str, object]] = []
    for i in range(n):
        reasons: set[str] = set()
        result: dict[str, object] = {}
        # speed
        result["duration_ratio"] = result["relative_speed_index"] = None
        if durations is not None and np.isfinite(durations[i]):
            median = medians[versions[i]]
            result["duration_ratio"] = durations[i] / median
            result["relative_speed_index"] = median / durations[i]
            if durations[i] < rules.speeder_fraction * median:
                reasons.add("speeder")
            answered = int(answered_counts[i])
            if answered and durations[i] / answered < rules.min_seconds_per_item:
                reasons.add("fast_per_item")
        if pages is not None:
            factors = [
                page_medians[versions[i]][p] / pages[i, p] for p in range(pages.shape[1]) if np.isfinite(pages[i, p])
            ]
            result["relative_speed_index"] = float(np.mean(factors)) if factors else None
            if factors and np.mean(factors) > rules.relative_speed_limit:
                reasons.add("relative_speed")
        # grids
        longest: int | None = None
        smallest_sd: float | None = None
        straight = []
        for name, grid in grids.items():
            values = [v for v in (number_rows[c][i] for c in grid) if not np.isnan(v)]
            if len(values) < rules.min_grid_items:
                continue
            run = best = 1
            for previous, value in itertools.pairwise(values):
                run = run + 1 if value == previous else 1
                best = max(best, run)
            sd = float(np.std(values, ddof=1))
            longest = best if longest is None else max(longest, best)
            smallest_sd = sd if smallest_sd is None else min(smallest_sd, sd)
            if sd == 0:
                straight.append(name)
            elif len(values) >= rules.longstring_min_items and best >= np.ceil(rules.longstring_share * len(values)):
                reasons.add("longstring")
        if len(straight) >= rules.straightlined_grids_to_flag:
            reasons.add("straightlining")
        result |= {"longest_string": longest, "within_person_sd": smallest_sd, "straightlined_grids": tuple(straight)}
        # attention checks
        failures = 0
        for column, expected in attention_checks.items():
            accepted = {text(e) for e in expected} if isinstance(expected, list) else {text(expected)}
            failures += text(answer_rows[column][i]) not in accepted
        if failures >= rules.attention_failures_to_flag:
            reasons.add("attention_check_failed")
        # reversed pairs
        low, high = scale
        pairs = [(number_rows[a][i], number_rows[b][i]) for a, b in reversed_pairs]
        pairs = [(x, y) for x, y in pairs if not (np.isnan(x) or np.isnan(y))]
        contradictions = sum(abs(x - (low + high - y)) >= (high - low) / 2 for x, y in pairs)
        if pairs and contradictions >= max(1, np.ceil(len(pairs) / 2)):
            reasons.add("reversed_item_contradiction")
        result |= {"attention_failures": failures, "contradictions": contradictions}
        # Mahalanobis, person–total r, bot patterns
        row = grid_values[i]
        result["mahalanobis_d2"] = result["mahalanobis_p"] = result["person_total_r"] = None
        d2 = float((row - centre) @ inverse @ (row - centre))
        if complete[i]:
            result["mahalanobis_d2"], result["mahalanobis_p"] = d2, float(stats.chi2.sf(d2, len(items)))
            if stats.chi2.sf(d2, len(items)) < rules.outlier_p:
                reasons.add("multivariate_outlier")
        answered_items = ~np.isnan(row)
        x, m = row[answered_items], item_means[answered_items]
        if x.size >= 3 and np.ptp(x) > 0 and np.ptp(m) > 0:
            result["person_total_r"] = float(np.corrcoef(x, m)[0, 1])
        result["likelihood_ratio"] = None  # log L(fixed weighting) − log L(normal model), constants dropped
        if complete[i]:
            fixed = sum(
                np.log(shares[v])
                for grid, shares in zip(grids.values(), option_shares, strict=True)
                for v in numbers.loc[i, grid]
            )
            result["likelihood_ratio"] = fixed + d2 / 2
        result["cyclic"] = False
        result["judged"] = x.size >= rules.bot_min_items
        if x.size >= rules.bot_min_items:
            _, counts = np.unique(x, return_counts=True)
            cyclic = (
                x.size >= 8
                and counts.size >= 2
                and counts.max() / x.size <= 0.6
                and any(np.mean(x[k:] == x[:-k]) >= rules.bot_pattern_share for k in range(2, min(10, x.size // 2) + 1))
            )
            result["cyclic"] = cyclic
        results.append(result | {"reasons": reasons})
    ratios = np.array([r["likelihood_ratio"] for r in results if r["likelihood_ratio"] is not None])
    median = np.median(ratios)
    mad = 1.4826 * np.median(np.abs(ratios - median))
    for result in results:
        ratio = result.pop("likelihood_ratio")
        z = None if ratio is None else (float(ratio) - median) / mad  # type: ignore[arg-type]
        result["fixed_weighting_z"] = z
        if result.pop("judged") and ((z is not None and z > rules.bot_fixed_weighting_z) or result["cyclic"]):
            result["reasons"].add("bot_pattern")  # type: ignore[attr-defined]
        del result["cyclic"]

    # duplicates: groups numbered in order of their first response
    times_seen = Counter(keys)
    numbering: dict[tuple[str, ...], int] = {}
    for i, key in enumerate(keys):
        given = [t for t in key if t != "<missing>"]
        eligible = len(given) >= rules.duplicate_min_items and len(set(given)) >= 2
        results[i]["duplicate_group"] = None
        if eligible and times_seen[key] >= 2:
            numbering.setdefault(key, len(numbering) + 1)
            results[i]["duplicate_group"] = numbering[key]
            results[i]["reasons"].add("duplicate_answers")  # type: ignore[attr-defined]
    # devices: per fingerprint (as text, in sorted order), submissions chained by gaps ≤ 600 s
    for i in range(n):
        results[i]["device_group"] = None
    group = 0
    submissions: dict[str, list[int]] = {}
    for i, fingerprint in enumerate(fingerprints):
        if fingerprint is not None:
            submissions.setdefault(str(fingerprint), []).append(i)
    for device in sorted(submissions):
        members = sorted(
            submissions[device],
            key=lambda i: 0.0 if submitted_at is None else submitted_at[i],
        )
        bursts: list[list[int]] = []
        for i in members:
            joined = bursts and (
                submitted_at is None or submitted_at[i] - submitted_at[bursts[-1][-1]] <= rules.burst_seconds
            )
            if joined:
                bursts[-1].append(i)
            else:
                bursts.append([i])
        for burst in (b for b in bursts if len(b) >= 2):
            group += 1
            for i in burst:
                results[i]["device_group"] = group
                results[i]["reasons"].add("duplicate_device")  # type: ignore[attr-defined]
    return results


@pytest.mark.parametrize("times", ["page and total times, submission times", "total times only, no submission times"])
def test_every_response_agrees_with_the_rules_applied_one_at_a_time(times: str) -> None:
    inputs = mixed_responses()
    if times.startswith("total"):
        inputs["page_durations"] = None
        inputs["submitted_at"] = None
    result = screen_responses(**inputs)  # type: ignore[arg-type]
    expected = screened_one_at_a_time(**inputs)  # type: ignore[arg-type]
    assert len(result.responses) == len(expected) == 2000
    found = {reason for r in expected for reason in r["reasons"]}  # type: ignore[attr-defined]
    assert found >= {"speeder", "straightlining", "longstring", "bot_pattern", "duplicate_answers", "duplicate_device"}
    for response, rules in zip(result.responses, expected, strict=True):
        assert set(response.reasons) == rules["reasons"], response.row
        for name in ["longest_string", "straightlined_grids", "attention_failures", "contradictions"]:
            assert getattr(response, name) == rules[name], (response.row, name)
        for name in ["duplicate_group", "device_group"]:
            assert getattr(response, name) == rules[name], (response.row, name)
        for name in [
            "duration_ratio",
            "relative_speed_index",
            "within_person_sd",
            "mahalanobis_d2",
            "mahalanobis_p",
            "person_total_r",
            "fixed_weighting_z",
        ]:
            value, wanted = getattr(response, name), rules[name]
            assert (value is None) == (wanted is None), (response.row, name)
            if wanted is not None:
                assert value == pytest.approx(wanted, rel=1e-9, abs=1e-12), (response.row, name)
    counts = {count.reason: count.count for count in result.counts}
    assert counts == {reason: sum(reason in r["reasons"] for r in expected) for reason in result.checks_run}  # type: ignore[operator]
