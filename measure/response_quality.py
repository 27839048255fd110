"""Response-quality screening: speeders, straight-lining, failed attention checks, reversed-item
contradictions, multivariate outliers, duplicate submissions and bot-like answer patterns (METHODS §7).

Nothing is deleted: every response gets its reason codes, and the result says how many were flagged and why,
so an analysis can exclude them (the default downstream) or keep them, and say so.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ScreeningRules:
    """The thresholds of every check; the defaults are the ones documented in METHODS §7."""

    speeder_fraction: float = 0.4  # faster than this × the version's median completion time
    relative_speed_limit: float = 2.0  # Leiner's relative speed index above this
    min_seconds_per_item: float = 2.0  # Huang et al. 2012
    min_grid_items: int = 5  # straight-lining is judged on grids of at least this many answered items
    straightlined_grids_to_flag: int = 1  # straight-lined grids needed for the flag (2 for short grids)
    longstring_share: float = 0.8  # a run of identical answers covering this share of a grid …
    longstring_min_items: int = 10  # … judged on grids of at least this many answered items
    attention_failures_to_flag: int = 1
    contradiction_gap: float | None = None  # |x − (min+max − x_rev)| ≥ this; default half the scale range
    outlier_p: float = 0.001  # Mahalanobis D² against χ²_p
    duplicate_min_items: int = 10  # identical answer vectors count only with this many answers
    burst_seconds: float = 600.0  # same device fingerprint within this many seconds
    bot_min_items: int = 10  # bot patterns are judged on at least this many grid answers
    bot_person_total_r: float = 0.2  # answers that ignore the items' profile: person–total r below this …
    bot_outlier_p: float = 0.01  # … and a Mahalanobis p below this
    bot_pattern_share: float = 0.9  # a repeating cycle (period 2–10, seen twice) matching this share of the answers


REASONS: dict[str, str] = {
    "speeder": "completion time below {speeder_fraction} × the median of the same questionnaire version",
    "relative_speed": "relative speed index above {relative_speed_limit} (Leiner 2019)",
    "fast_per_item": "under {min_seconds_per_item} s per answered item",
    "straightlining": ("the same answer to every item of {straightlined_grids_to_flag}+ grid(s) (within-person SD 0)"),
    "longstring": (
        "a run of identical answers covering ≥ {longstring_share} of a grid "
        "of ≥ {longstring_min_items} items, not all of it"
    ),
    "attention_check_failed": "{attention_failures_to_flag} or more attention checks answered wrongly",
    "reversed_item_contradiction": "a reversed item contradicts its partner in half or more of the pairs",
    "multivariate_outlier": "Mahalanobis D² over the grid items with p < {outlier_p} (χ²)",
    "duplicate_answers": "the same answers as another response (≥ {duplicate_min_items} items, not constant)",
    "duplicate_device": "the same device fingerprint as another submission within {burst_seconds} s",
    "bot_pattern": (
        "answers independent of the items (person–total r < {bot_person_total_r} and Mahalanobis "
        "p < {bot_outlier_p}) or a repeating cycle over ≥ {bot_pattern_share} of the grid answers"
    ),
}


@dataclass(frozen=True, slots=True)
class ScreenedResponse:
    """One response: its reason codes (empty = clean) and the indices behind them."""

    row: int  # position in the answers table, from 0
    reasons: tuple[str, ...]
    duration_ratio: float | None  # completion time / median of its version
    relative_speed_index: float | None
    longest_string: int | None  # longest run of identical answers in any grid
    within_person_sd: float | None  # smallest within-grid SD (IRV) over the grids
    straightlined_grids: tuple[str, ...]
    attention_failures: int
    contradictions: int
    mahalanobis_d2: float | None
    mahalanobis_p: float | None
    person_total_r: float | None  # correlation of the answers with the item means
    duplicate_group: int | None  # responses with the same answers share a group number
    device_group: int | None  # submissions of one device burst share a group number


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """How many responses carry one reason code, and the rule behind it."""

    reason: str
    count: int
    share: float
    rule: str


@dataclass(frozen=True, slots=True)
class ResponseQuality:
    """The screening of one set of responses."""

    responses: tuple[ScreenedResponse, ...]
    counts: tuple[ReasonCount, ...]
    n: int
    n_flagged: int
    checks_run: tuple[str, ...]
    checks_skipped: tuple[str, ...]  # "speeder: no completion times given", …
    rules: ScreeningRules = field(default_factory=ScreeningRules)

    @property
    def flagged_rows(self) -> tuple[int, ...]:
        """Positions of the responses with at least one reason code."""
        return tuple(response.row for response in self.responses if response.reasons)

    def as_dict(self, include_clean: bool = True) -> dict[str, Any]:
        """JSON-ready dict; `include_clean=False` lists only the flagged responses."""
        responses = [asdict(r) for r in self.responses if include_clean or r.reasons]
        return {
            "n": self.n,
            "n_flagged": self.n_flagged,
            "share_flagged": self.n_flagged / self.n if self.n else 0.0,
            "counts": [asdict(count) for count in self.counts],
            "checks_run": list(self.checks_run),
            "checks_skipped": list(self.checks_skipped),
            "rules": asdict(self.rules),
            "responses": responses,
        }


def screen_responses(
    answers: pd.DataFrame,
    *,
    grids: Mapping[str, Sequence[str]],
    scale: tuple[float, float] | None = None,
    durations: npt.ArrayLike | None = None,
    versions: npt.ArrayLike | None = None,
    page_durations: pd.DataFrame | None = None,
    attention_checks: Mapping[str, Any] | None = None,
    reversed_pairs: Sequence[tuple[str, str]] = (),
    fingerprints: npt.ArrayLike | None = None,
    submitted_at: npt.ArrayLike | None = None,
    rules: ScreeningRules | None = None,
) -> ResponseQuality:
    """Screen survey responses and give each one reason codes (never deleting any).

    Checks (each runs when its inputs are given; `checks_skipped` says which could not run and why):

    * **speeder**: completion time < `speeder_fraction` × the median completion time of the same
      questionnaire version (`versions`; one version when not given).
    * **relative_speed**: Leiner's relative speed index RSI = mean over pages of (median page time of the
      version / own page time) from `page_durations`; RSI > 2. With total times only, RSI = median / own
      time is reported but not flagged on (RSI > 2 would only restate a looser speeder rule).
    * **fast_per_item**: completion time / answered items < 2 s (Huang et al. 2012).
    * **straightlining**: in a grid with ≥ 5 answered items, every answer the same (IRV = within-person
      SD = 0), in at least `straightlined_grids_to_flag` grids (1; raise it to 2 where short all-positive
      grids make identical answers plausible); **longstring**: the longest run of identical answers (in
      questionnaire order, answered items) covers ≥ 80 % of a grid of ≥ 10 items but not all of it — on
      shorter grids a run of 4 of 5 is ordinary (Curran 2016; R `careless::longstring`, `irv`).
    * **attention_check_failed**: answers differing from the instructed answer (a value, or a set of
      accepted values) in ≥ 1 check (Meade & Craig 2012).
    * **reversed_item_contradiction**: for (item, reversed item) pairs, |x − (min + max − x_rev)| ≥ half
      the scale range (2 on a 1–5 scale), in at least half of the pairs. Scale from `scale`, else the
      observed minimum and maximum of the paired columns.
    * **multivariate_outlier**: Mahalanobis D² of the grid items (complete responses; sample mean and
      covariance) with χ²_p upper-tail p < .001 (R `careless::mahad`).
    * **duplicate_answers**: identical answer vectors over all screened items (grids, attention checks,
      reversed pairs), at least 10 answered and not all the same; every member of a group is flagged.
    * **duplicate_device**: the same pseudonymised device fingerprint on submissions that follow each other
      within 600 s (`submitted_at`: datetimes or seconds); without times, any repeated fingerprint.
    * **bot_pattern**: answers that ignore the items' content — a person–total correlation (answers vs the
      item means) < 0.2 together with a Mahalanobis p < .01, as an answer bot drawing every item from one
      fixed weighting produces — or a repeating cycle of period 2–10 (zigzag, diagonal 1-2-3-4-5-4-3-2)
      matching ≥ 90 % of the grid answers with no single answer over 60 %. Judged on ≥ 10 grid answers.
      Bots whose weights mimic human answers are only partly found this way (docs: measured rates).

    Missing answers are skipped by the per-grid indices; Mahalanobis, person–total r and cycles use
    responses with all grid items answered. Thresholds are in `rules` (`ScreeningRules`).

    References
    ----------
    Leiner, D. J. (2019). Too fast, too straight, too weird. Survey Research Methods 13(3), 229–248.
    Huang, J. L. et al. (2012). Journal of Business and Psychology 27, 99–114.
    Curran, P. G. (2016). Journal of Experimental Social Psychology 66, 4–19.
    Dunn, A. M. et al. (2018). Journal of Business and Psychology 33, 105–121.
    Meade, A. W. & Craig, S. B. (2012). Psychological Methods 17(3), 437–455.

    Examples
    --------
    >>> answers = pd.DataFrame({f"q{j}": [3, 4, 2, 5, 4, 4] for j in range(5)})
    >>> answers.loc[1] = [4, 2, 5, 3, 4]
    >>> answers.loc[2] = [1, 2, 2, 3, 2]
    >>> answers.loc[3] = [5, 4, 4, 5, 3]
    >>> quality = screen_responses(answers, grids={"service": list(answers.columns)},
    ...                            durations=[300, 280, 40, 310, 290, 305])
    >>> [(r.row, r.reasons) for r in quality.responses if r.reasons]
    [(0, ('straightlining',)), (2, ('speeder',)), (4, ('straightlining',)), (5, ('straightlining',))]
    """
    rules = rules or ScreeningRules()
    n = len(answers)
    if n == 0:
        raise ValueError("answers: no responses to screen.")
    grid_columns = _check_grids(answers, grids)
    attention = dict(attention_checks or {})
    _check_columns(answers, list(attention), "attention_checks")
    _check_columns(answers, [c for pair in reversed_pairs for c in pair], "reversed_pairs")
    screened_items = list(dict.fromkeys([*grid_columns, *attention, *(c for p in reversed_pairs for c in p)]))
    numbers = answers[list(dict.fromkeys([*grid_columns, *(c for p in reversed_pairs for c in p)]))].apply(
        pd.to_numeric, errors="coerce"
    )

    reasons: list[list[str]] = [[] for _ in range(n)]
    run: list[str] = []
    skipped: list[str] = []

    speed = _speed(answers, screened_items, durations, versions, page_durations, rules, reasons, run, skipped)
    longest, sds, straight = _straightlining(numbers, grids, rules, reasons, run)
    failures = _attention(answers, attention, rules, reasons, run, skipped)
    contradictions = _contradictions(numbers, reversed_pairs, scale, rules, reasons, run, skipped)
    d2, p_values = _mahalanobis(numbers[grid_columns], rules, reasons, run, skipped)
    person_r = _person_total(numbers[grid_columns])
    _bot_patterns(numbers[grid_columns], person_r, p_values, rules, reasons, run, skipped)
    duplicates = _duplicates(answers[screened_items], rules, reasons, run)
    devices = _devices(fingerprints, submitted_at, n, rules, reasons, run, skipped)

    ordered = list(REASONS)
    responses = tuple(
        ScreenedResponse(
            row=i,
            reasons=tuple(sorted(set(reasons[i]), key=ordered.index)),
            duration_ratio=speed[0][i],
            relative_speed_index=speed[1][i],
            longest_string=longest[i],
            within_person_sd=sds[i],
            straightlined_grids=straight[i],
            attention_failures=failures[i],
            contradictions=contradictions[i],
            mahalanobis_d2=d2[i],
            mahalanobis_p=p_values[i],
            person_total_r=person_r[i],
            duplicate_group=duplicates[i],
            device_group=devices[i],
        )
        for i in range(n)
    )
    thresholds = asdict(rules)
    counts = tuple(
        ReasonCount(
            reason=reason,
            count=sum(reason in r.reasons for r in responses),
            share=sum(reason in r.reasons for r in responses) / n,
            rule=REASONS[reason].format(**thresholds),
        )
        for reason in ordered
        if reason in run
    )
    return ResponseQuality(
        responses=responses,
        counts=counts,
        n=n,
        n_flagged=sum(bool(r.reasons) for r in responses),
        checks_run=tuple(reason for reason in ordered if reason in run),
        checks_skipped=tuple(skipped),
        rules=rules,
    )


# ---- the checks -----------------------------------------------------------------------------------------


def _check_columns(answers: pd.DataFrame, columns: Sequence[str], argument: str) -> None:
    missing = [column for column in columns if column not in answers.columns]
    if missing:
        raise ValueError(f"{argument}: columns {missing} are not in the answers.")


def _check_grids(answers: pd.DataFrame, grids: Mapping[str, Sequence[str]]) -> list[str]:
    if not grids:
        raise ValueError("grids: name at least one grid of rating items, e.g. {'service': ['q1', …, 'q6']}.")
    columns: list[str] = []
    for name, items in grids.items():
        _check_columns(answers, list(items), f"grids[{name!r}]")
        if len(items) < 2:
            raise ValueError(f"grids[{name!r}]: a grid needs at least 2 items; got {list(items)}.")
        columns.extend(items)
    return list(dict.fromkeys(columns))


def _speed(
    answers: pd.DataFrame,
    items: Sequence[str],
    durations: npt.ArrayLike | None,
    versions: npt.ArrayLike | None,
    page_durations: pd.DataFrame | None,
    rules: ScreeningRules,
    reasons: list[list[str]],
    run: list[str],
    skipped: list[str],
) -> tuple[list[float | None], list[float | None]]:
    n = len(answers)
    ratios: list[float | None] = [None] * n
    indices: list[float | None] = [None] * n
    if durations is None and page_durations is None:
        skipped.extend(f"{code}: no completion times given" for code in ("speeder", "relative_speed", "fast_per_item"))
        return ratios, indices
    labels = pd.Series(["all"] * n) if versions is None else pd.Series(np.asarray(versions, dtype=object))
    if len(labels) != n:
        raise ValueError(f"versions: {len(labels)} values for {n} responses.")
    if durations is not None:
        seconds = np.asarray(durations, dtype=float)
        if seconds.shape != (n,):
            raise ValueError(f"durations: {seconds.size} values for {n} responses.")
        bad = seconds[np.isfinite(seconds) & (seconds <= 0)]
        if bad.size:
            raise ValueError(f"durations: completion times must be positive; got {sorted(set(bad.tolist()))[:5]}.")
        medians = pd.Series(seconds).groupby(labels.to_numpy()).transform("median").to_numpy()
        answered = answers[list(items)].notna().sum(axis=1).to_numpy()
        for i in range(n):
            if not np.isfinite(seconds[i]):
                continue
            ratios[i] = float(seconds[i] / medians[i])
            indices[i] = float(medians[i] / seconds[i])
            if seconds[i] < rules.speeder_fraction * medians[i]:
                reasons[i].append("speeder")
            if answered[i] and seconds[i] / answered[i] < rules.min_seconds_per_item:
                reasons[i].append("fast_per_item")
        run.extend(["speeder", "fast_per_item"])
    else:
        skipped.extend(f"{code}: no total completion times given" for code in ("speeder", "fast_per_item"))
    if page_durations is not None:
        pages = page_durations.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        if pages.shape[0] != n:
            raise ValueError(f"page_durations: {pages.shape[0]} rows for {n} responses.")
        pages = np.where(pages > 0, pages, np.nan)
        page_medians = pd.DataFrame(pages).groupby(labels.to_numpy()).transform("median").to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            factors = page_medians / pages
        for i in range(n):
            finite = factors[i][np.isfinite(factors[i])]
            indices[i] = float(finite.mean()) if finite.size else None
    if page_durations is None:
        # with totals only the index is median/own time, and the speeder rule already judges it
        skipped.append("relative_speed: no page times given (the index is reported from the total time)")
        return ratios, indices
    for i in range(n):
        index = indices[i]
        if index is not None and index > rules.relative_speed_limit:
            reasons[i].append("relative_speed")
    run.append("relative_speed")
    return ratios, indices


def _longest_run(values: FloatArray) -> int:
    longest = current = 1
    for previous, value in itertools.pairwise(values):
        current = current + 1 if value == previous else 1
        longest = max(longest, current)
    return longest


def _straightlining(
    numbers: pd.DataFrame,
    grids: Mapping[str, Sequence[str]],
    rules: ScreeningRules,
    reasons: list[list[str]],
    run: list[str],
) -> tuple[list[int | None], list[float | None], list[tuple[str, ...]]]:
    n = len(numbers)
    longest: list[int | None] = [None] * n
    sds: list[float | None] = [None] * n
    straight: list[list[str]] = [[] for _ in range(n)]
    for name, items in grids.items():
        block = numbers[list(items)].to_numpy(dtype=float)
        for i in range(n):
            values = block[i][~np.isnan(block[i])]
            if values.size < rules.min_grid_items:
                continue
            length = _longest_run(values)
            sd = float(np.std(values, ddof=1))
            current_longest, current_sd = longest[i], sds[i]
            longest[i] = length if current_longest is None else max(current_longest, length)
            sds[i] = sd if current_sd is None else min(current_sd, sd)
            if sd == 0:
                straight[i].append(name)
            elif values.size >= rules.longstring_min_items and length >= math.ceil(
                rules.longstring_share * values.size
            ):
                reasons[i].append("longstring")
    for i in range(n):
        if len(straight[i]) >= rules.straightlined_grids_to_flag:
            reasons[i].append("straightlining")
    run.extend(["straightlining", "longstring"])
    return longest, sds, [tuple(grids_of_one) for grids_of_one in straight]


def _attention(
    answers: pd.DataFrame,
    checks: Mapping[str, Any],
    rules: ScreeningRules,
    reasons: list[list[str]],
    run: list[str],
    skipped: list[str],
) -> list[int]:
    n = len(answers)
    failures = [0] * n
    if not checks:
        skipped.append("attention_check_failed: no attention-check items given")
        return failures
    for column, expected in checks.items():
        accepted = (
            {_as_text(value) for value in expected}
            if isinstance(expected, list | tuple | set)
            else {_as_text(expected)}
        )
        for i, value in enumerate(answers[column].tolist()):
            if _as_text(value) not in accepted:
                failures[i] += 1
    for i in range(n):
        if failures[i] >= rules.attention_failures_to_flag:
            reasons[i].append("attention_check_failed")
    run.append("attention_check_failed")
    return failures


def _as_text(value: Any) -> str:
    """Answers compared as text, so 2, 2.0 and "2" agree; a missing answer never matches."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "<missing>"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _contradictions(
    numbers: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    scale: tuple[float, float] | None,
    rules: ScreeningRules,
    reasons: list[list[str]],
    run: list[str],
    skipped: list[str],
) -> list[int]:
    n = len(numbers)
    counts = [0] * n
    if not pairs:
        skipped.append("reversed_item_contradiction: no reversed item pairs given")
        return counts
    columns = list(dict.fromkeys(c for pair in pairs for c in pair))
    low, high = (
        scale if scale is not None else (float(numbers[columns].min().min()), float(numbers[columns].max().max()))
    )
    gap = rules.contradiction_gap if rules.contradiction_gap is not None else (high - low) / 2
    answered = np.zeros(n, dtype=int)
    for item, reversed_item in pairs:
        x = numbers[item].to_numpy(dtype=float)
        x_reversed = numbers[reversed_item].to_numpy(dtype=float)
        both = ~np.isnan(x) & ~np.isnan(x_reversed)
        answered += both
        contradict = both & (np.abs(x - (low + high - x_reversed)) >= gap)
        for row in np.flatnonzero(contradict):
            counts[int(row)] += 1
    for i in range(n):
        if answered[i] and counts[i] >= max(1, math.ceil(answered[i] / 2)):
            reasons[i].append("reversed_item_contradiction")
    run.append("reversed_item_contradiction")
    return counts


def _mahalanobis(
    block: pd.DataFrame,
    rules: ScreeningRules,
    reasons: list[list[str]],
    run: list[str],
    skipped: list[str],
) -> tuple[list[float | None], list[float | None]]:
    n, p = block.shape
    d2: list[float | None] = [None] * n
    p_values: list[float | None] = [None] * n
    values = block.to_numpy(dtype=float)
    complete = ~np.isnan(values).any(axis=1)
    if complete.sum() <= 2 * p:
        skipped.append(f"multivariate_outlier: {int(complete.sum())} complete responses are too few for {p} items")
        return d2, p_values
    data = values[complete]
    centred = data - data.mean(axis=0)
    inverse = np.linalg.pinv(np.cov(data, rowvar=False))
    distances = np.einsum("ij,jk,ik->i", centred, inverse, centred)
    tails = stats.chi2.sf(distances, p)
    for i, distance, tail in zip(np.flatnonzero(complete), distances, tails, strict=True):
        d2[i] = float(distance)
        p_values[i] = float(tail)
        if tail < rules.outlier_p:
            reasons[i].append("multivariate_outlier")
    run.append("multivariate_outlier")
    return d2, p_values


def _person_total(block: pd.DataFrame) -> list[float | None]:
    values = block.to_numpy(dtype=float)
    item_means = np.nanmean(values, axis=0)
    result: list[float | None] = []
    for row in values:
        answered = ~np.isnan(row)
        x, m = row[answered], item_means[answered]
        if x.size < 3 or np.ptp(x) == 0 or np.ptp(m) == 0:
            result.append(None)
            continue
        result.append(float(np.corrcoef(x, m)[0, 1]))
    return result


def _regular_cycle(values: FloatArray, share: float) -> bool:
    """A non-constant answer sequence that repeats with a period of 2–10 over `share` of its positions."""
    if values.size < 8 or np.unique(values).size < 2:
        return False
    modal = np.unique(values, return_counts=True)[1].max() / values.size
    if modal > 0.6:
        return False
    for period in range(2, 11):
        if values.size < 2 * period:
            break
        if np.mean(values[period:] == values[:-period]) >= share:
            return True
    return False


def _bot_patterns(
    block: pd.DataFrame,
    person_r: list[float | None],
    p_values: list[float | None],
    rules: ScreeningRules,
    reasons: list[list[str]],
    run: list[str],
    skipped: list[str],
) -> None:
    values = block.to_numpy(dtype=float)
    if values.shape[1] < rules.bot_min_items:
        skipped.append(f"bot_pattern: {values.shape[1]} grid items, fewer than {rules.bot_min_items}")
        return
    for i, row in enumerate(values):
        answered = row[~np.isnan(row)]
        if answered.size < rules.bot_min_items:
            continue
        r, p = person_r[i], p_values[i]
        ignores_items = r is not None and p is not None and r < rules.bot_person_total_r and p < rules.bot_outlier_p
        if ignores_items or _regular_cycle(answered, rules.bot_pattern_share):
            reasons[i].append("bot_pattern")
    run.append("bot_pattern")


def _duplicates(
    items: pd.DataFrame, rules: ScreeningRules, reasons: list[list[str]], run: list[str]
) -> list[int | None]:
    n = len(items)
    groups: list[int | None] = [None] * n
    keys: dict[tuple[str, ...], list[int]] = {}
    for i, row in enumerate(items.itertuples(index=False)):
        texts = tuple(_as_text(value) for value in row)
        answered = [text for text in texts if text != "<missing>"]
        if len(answered) < rules.duplicate_min_items or len(set(answered)) < 2:
            continue
        keys.setdefault(texts, []).append(i)
    number = 0
    for members in keys.values():
        if len(members) < 2:
            continue
        number += 1
        for i in members:
            groups[i] = number
            reasons[i].append("duplicate_answers")
    run.append("duplicate_answers")
    return groups


def _devices(
    fingerprints: npt.ArrayLike | None,
    submitted_at: npt.ArrayLike | None,
    n: int,
    rules: ScreeningRules,
    reasons: list[list[str]],
    run: list[str],
    skipped: list[str],
) -> list[int | None]:
    groups: list[int | None] = [None] * n
    if fingerprints is None:
        skipped.append("duplicate_device: no device fingerprints given")
        return groups
    devices = pd.Series(np.asarray(fingerprints, dtype=object))
    if len(devices) != n:
        raise ValueError(f"fingerprints: {len(devices)} values for {n} responses.")
    seconds: FloatArray | None = None
    if submitted_at is not None:
        times = pd.Series(np.asarray(submitted_at, dtype=object))
        if len(times) != n:
            raise ValueError(f"submitted_at: {len(times)} values for {n} responses.")
        numeric = pd.to_numeric(times, errors="coerce")
        if numeric.notna().all():
            seconds = np.asarray(numeric, dtype=np.float64)
        else:
            parsed = pd.to_datetime(times, errors="coerce")
            if parsed.isna().any():
                bad = times[parsed.isna()].tolist()[:3]
                raise ValueError(f"submitted_at: cannot read {bad} as times.")
            seconds = np.asarray((parsed - parsed.min()).dt.total_seconds(), dtype=np.float64)
    number = 0
    for _, members in devices[devices.notna()].groupby(devices[devices.notna()].astype(str)).groups.items():
        rows = list(members)
        if len(rows) < 2:
            continue
        if seconds is None:
            bursts = [rows]
        else:
            rows.sort(key=lambda row: seconds[row])
            bursts, current = [], [rows[0]]
            for previous, row in itertools.pairwise(rows):
                if seconds[row] - seconds[previous] <= rules.burst_seconds:
                    current.append(row)
                else:
                    bursts.append(current)
                    current = [row]
            bursts.append(current)
        for burst in bursts:
            if len(burst) < 2:
                continue
            number += 1
            for row in burst:
                groups[row] = number
                reasons[row].append("duplicate_device")
    run.append("duplicate_device")
    return groups
