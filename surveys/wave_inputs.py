"""What each measure takes from a stored wave: the columns of a construct, with their scales and directions.

Pure selection from the codebook (`surveys.codebook`), no statistics: a measure command asks for "the trust
items", "the recommend item" or "the complaint path" and gets variable codes, scale bounds and directions.
Reversing follows the codebook's direction only (`x → min + max − x` for higher-is-worse items), never a
list written by hand. When the wave lacks what a measure needs, the error says which construct is missing
and what the user can do instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from surveys.codebook import Variable
from surveys.problems import InputError, Problem
from surveys.questionnaire import Construct, Direction, Rating, SingleChoice
from surveys.storage.wave_data import RESPONSE_COLUMNS, WaveData

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

COMPLETE = "complete"

#: The six loyalty indicators of METHODS §3.1, by construct, in the index's order.
INDICATOR_CONSTRUCTS = (
    Construct.REPEAT_PURCHASE,
    Construct.DELIBERATION_TIME,
    Construct.PRICE_SENSITIVITY,
    Construct.COMPETITOR_ATTITUDE,
    Construct.CHURN_INTENT,
    Construct.TRUST,
)
#: Details columns every loaded wave has besides the variables (see `surveys.storage.wave_data`).
DETAIL_COLUMNS = ("channel", "ip_location", "device_pseudonym")


@dataclass(frozen=True, slots=True)
class StatusFilter:
    """Which responses an analysis uses: by default only complete ones; the rest are counted by status."""

    used: int
    excluded: dict[str, int]  # status → responses left out
    used_by_status: dict[str, int]  # status → responses measured

    def as_dict(self) -> dict[str, object]:
        return {"used": self.used, "used_by_status": self.used_by_status, "excluded_by_status": self.excluded}


def rows_kept(wave: WaveData, keep: Sequence[bool] | np.ndarray) -> WaveData:
    """The wave with only the responses where `keep` is true (answers and missing reasons alike), renumbered
    from 0."""
    return replace(
        wave,
        responses=wave.responses[keep].reset_index(drop=True),
        missing=wave.missing[keep].reset_index(drop=True),
    )


def complete_responses(wave: WaveData, include_incomplete: bool = False) -> tuple[WaveData, StatusFilter]:
    """The wave with only its complete responses (all of them with `include_incomplete`), and the counts."""
    statuses = wave.responses["status"].astype(str)
    keep = (statuses == COMPLETE) | include_incomplete
    excluded = statuses[~keep].value_counts().sort_index()
    used = statuses[keep].value_counts().sort_index()
    return rows_kept(wave, keep.to_numpy()), StatusFilter(
        int(keep.sum()),
        {str(name): int(count) for name, count in excluded.items()},
        {str(name): int(count) for name, count in used.items()},
    )


@dataclass(frozen=True, slots=True)
class ItemSet:
    """The rated items of one construct (or a named list of variables), as the codebook describes them."""

    name: str
    variables: tuple[Variable, ...]

    @property
    def codes(self) -> list[str]:
        return [variable.code for variable in self.variables]

    @property
    def reversed_codes(self) -> list[str]:
        """The items where a higher answer means less of the construct (turned by `aligned_values`)."""
        return [variable.code for variable in self.variables if variable.direction == Direction.HIGHER_IS_WORSE]

    def common_scale(self, purpose: str) -> tuple[float, float]:
        """The one scale (min, max) every item shares, or InputError: `purpose` needs comparable items."""
        bounds = {(variable.minimum, variable.maximum) for variable in self.variables}
        if len(bounds) != 1 or None in next(iter(bounds)):
            shown = "; ".join(f"{v.code} {_bounds_text(v)}" for v in self.variables)
            raise InputError(
                f"The items of {self.name} are not on one scale.",
                [Problem(self.name, f"{purpose} needs items on one scale; they are: {shown}.", _NAME_ITEMS)],
            )
        low, high = next(iter(bounds))
        assert low is not None  # checked above
        assert high is not None
        return float(low), float(high)

    def as_dict(self) -> dict[str, object]:
        return {
            variable.code: {
                "construct": str(variable.construct),
                "direction": None if variable.direction is None else str(variable.direction),
                "scale": [variable.minimum, variable.maximum],
            }
            for variable in self.variables
        }


_NAME_ITEMS = "Name the items yourself by their variable codes (e.g. --items CODE,CODE)."


def variable(wave: WaveData, code: str, option: str) -> Variable:
    """The codebook's variable `code`, or InputError with the nearest code."""
    for candidate in wave.codebook:
        if candidate.code == code:
            return candidate
    raise InputError(f"Survey {wave.survey} has no variable {code}.", [_unknown(wave, code, option)])


def rated_items(wave: WaveData, construct: Construct, purpose: str) -> ItemSet:
    """Every rated (scale) variable of `construct`, or InputError naming what `purpose` needs."""
    found = [v for v in wave.codebook if v.construct == construct and v.kind == "scale"]
    if not found:
        raise missing_construct(wave, construct, purpose)
    return ItemSet(str(construct), tuple(found))


def named_items(wave: WaveData, codes: Sequence[str], option: str, name: str = "items") -> ItemSet:
    """The variables named on the command line; each must be a rated item."""
    problems: list[Problem] = []
    found: list[Variable] = []
    known = {v.code: v for v in wave.codebook}
    for code in codes:
        if code not in known:
            problems.append(_unknown(wave, code, option))
        elif known[code].kind not in ("scale", "number"):
            problems.append(Problem(option, f"{code} is a {known[code].kind} variable, not a rated item."))
        else:
            found.append(known[code])
    if problems:
        raise InputError(f"{option} names variables survey {wave.survey} cannot use here.", problems)
    return ItemSet(name, tuple(found))


def constructs_with_items(wave: WaveData, minimum: int = 2) -> list[str]:
    """Constructs with at least `minimum` rated items: what `--construct` can name."""
    counts: dict[str, int] = {}
    for v in wave.codebook:
        if v.kind == "scale":
            counts[str(v.construct)] = counts.get(str(v.construct), 0) + 1
    return [name for name, count in counts.items() if count >= minimum]


def construct_named(wave: WaveData, name: str, option: str) -> Construct:
    """`--construct trust` as Construct.TRUST, or InputError listing the constructs the wave has."""
    try:
        return Construct(name)
    except ValueError:
        available = constructs_with_items(wave, 1)
        nearest = difflib.get_close_matches(name, available, n=1)
        hint = f'Did you mean "{nearest[0]}"?' if nearest else f"The wave's constructs: {', '.join(available)}."
        raise InputError(
            f"{option} {name!r} is not a construct.", [Problem(option, f"{name!r} is unknown.", hint)]
        ) from None


def aligned_values(responses: pd.DataFrame, items: ItemSet) -> pd.DataFrame:
    """The items as floats with higher-is-worse items turned (min + max − x): higher is better for every one."""
    values = responses[items.codes].astype("Float64").astype(float)
    for v in items.variables:
        if v.direction == Direction.HIGHER_IS_WORSE:
            if v.minimum is None or v.maximum is None:
                raise InputError(
                    f"{v.code} cannot be reversed.",
                    [Problem(v.code, "is higher-is-worse but has no stated bounds.", _NAME_ITEMS)],
                )
            values[v.code] = v.minimum + v.maximum - values[v.code]
    return values


def recommend_item(wave: WaveData, code: str | None = None, option: str = "--column") -> Variable:
    """The 0–10 likelihood-to-recommend item: the only item NPS is computed on.

    With `code`, that variable, which must be a recommend item; without, the wave's one recommend item.
    """
    candidates = [v for v in wave.codebook if v.construct == Construct.RECOMMEND and v.kind == "scale"]
    if code is not None:
        chosen = variable(wave, code, option)
        if chosen not in candidates or (chosen.minimum, chosen.maximum) != (0, 10):
            raise InputError(
                f"{code} is not a 0–10 recommend item.",
                [
                    Problem(
                        option,
                        f"{code} measures {chosen.construct} on {_bounds_text(chosen)}; NPS is computed only on "
                        "the 0–10 recommend item.",
                        f"Use {', '.join(v.code for v in candidates) or 'a recommend item'}.",
                    )
                ],
            )
        return chosen
    eligible = [v for v in candidates if (v.minimum, v.maximum) == (0, 10)]
    if not eligible:
        raise missing_construct(wave, Construct.RECOMMEND, "NPS needs the 0–10 likelihood-to-recommend item")
    if len(eligible) > 1:
        raise InputError(
            f"Survey {wave.survey} has {len(eligible)} recommend items.",
            [Problem(option, f"choose one of {', '.join(v.code for v in eligible)}.")],
        )
    return eligible[0]


def single_item(wave: WaveData, construct: Construct, purpose: str, option: str, code: str | None = None) -> Variable:
    """The one rated item of `construct` (e.g. repurchase intent), or the one `code` names."""
    if code is not None:
        return variable(wave, code, option)
    items = rated_items(wave, construct, purpose).variables
    if len(items) > 1:
        raise InputError(
            f"Survey {wave.survey} has {len(items)} items of construct {construct}.",
            [Problem(option, f"choose one of {', '.join(v.code for v in items)}.")],
        )
    return items[0]


def satisfaction_items(wave: WaveData) -> ItemSet:
    """The overall-satisfaction items (e.g. the three ACSI items): the satisfaction composite of a threshold
    model averages them."""
    return rated_items(wave, Construct.OVERALL_SATISFACTION, "the satisfaction composite needs them")


def loyalty_outcome_items(wave: WaveData) -> ItemSet:
    """The loyalty-outcome items: repurchase intent and likelihood to recommend, each on its own scale."""
    found = [
        v
        for v in wave.codebook
        if v.construct in (Construct.REPURCHASE_INTENT, Construct.RECOMMEND) and v.kind == "scale"
    ]
    if not found:
        raise missing_construct(
            wave, Construct.REPURCHASE_INTENT, "the loyalty composite needs repurchase-intent or recommend items"
        )
    return ItemSet("loyalty outcomes", tuple(found))


def percent_of_scale(responses: pd.DataFrame, items: ItemSet) -> pd.DataFrame:
    """Each item as 0–100 of its own scale, `100 × (x − min) / (max − min)`, higher-is-worse items reversed:
    items on different scales (0–10 recommend, 1–5 repurchase) become comparable before they are averaged."""
    aligned = aligned_values(responses, items)
    for v in items.variables:
        if v.minimum is None or v.maximum is None or v.maximum <= v.minimum:
            raise InputError(
                f"{v.code} has no scale to rescale on.", [Problem(v.code, "needs a stated min < max.", _NAME_ITEMS)]
            )
        aligned[v.code] = 100 * (aligned[v.code] - v.minimum) / (v.maximum - v.minimum)
    return aligned


@dataclass(frozen=True, slots=True)
class IndicatorItems:
    """One of the six loyalty indicators as the wave measures it."""

    construct: Construct
    items: ItemSet  # averaged per respondent, after `aligned_values` when directions are mixed
    direction: Direction  # of the averaged value
    anchors: tuple[float, float | str]  # the scale bounds, or (stated min, "p99") for a count or a time
    note: str  # how it was chosen, in one sentence for the output

    @property
    def mixed_directions(self) -> bool:
        return len({v.direction for v in self.items.variables}) > 1


def loyalty_indicators(wave: WaveData, minimum: int = 4) -> tuple[list[IndicatorItems], list[str]]:
    """The six loyalty indicators found by construct, and a note for each one left out.

    Rated items of a construct are preferred (their scale bounds are fixed anchors, so waves compare);
    several rated items on one scale are averaged, higher-is-worse ones turned when directions differ.
    A construct measured only by a number (a count, a time) takes its stated minimum as the low anchor and
    the wave's 99th percentile as the high one (METHODS §3.1: counts capped at P99; freeze it with
    `--baseline` for later waves); without a stated minimum it is refused. Fewer than `minimum` indicators
    is an InputError naming the constructs that are missing.
    """
    found: list[IndicatorItems] = []
    notes: list[str] = []
    absent: list[Construct] = []
    for construct in INDICATOR_CONSTRUCTS:
        scales = [v for v in wave.codebook if v.construct == construct and v.kind == "scale"]
        numbers = [v for v in wave.codebook if v.construct == construct and v.kind == "number"]
        if scales:
            items = ItemSet(str(construct), tuple(scales))
            low, high = items.common_scale(f"the {construct} indicator")
            directions = {v.direction for v in scales}
            if None in directions:
                unset = [v.code for v in scales if v.direction is None]
                raise InputError(
                    f"The {construct} items have no direction.",
                    [Problem(", ".join(unset), "need direction: higher_is_better or higher_is_worse.", _INDICATORS)],
                )
            direction = scales[0].direction if len(directions) == 1 else Direction.HIGHER_IS_BETTER
            assert direction is not None
            turned = f", {', '.join(items.reversed_codes)} reversed" if len(directions) > 1 else ""
            mean = "mean of " if len(scales) > 1 else ""
            note = f"{construct}: {mean}{', '.join(items.codes)} ({low:g}–{high:g}{turned})"
            if numbers:
                note += f"; the number item(s) {', '.join(v.code for v in numbers)} left out"
            found.append(IndicatorItems(construct, items, direction, (low, high), note))
        elif numbers:
            if len(numbers) > 1:
                raise InputError(
                    f"Survey {wave.survey} has {len(numbers)} number items of construct {construct}.",
                    [Problem(", ".join(v.code for v in numbers), "cannot be averaged as counts.", _INDICATORS)],
                )
            number = numbers[0]
            if number.minimum is None or number.direction is None:
                raise InputError(
                    f"{number.code} cannot anchor the {construct} indicator.",
                    [
                        Problem(
                            number.code,
                            "a number needs a stated min and a direction to serve as a loyalty indicator.",
                            _INDICATORS,
                        )
                    ],
                )
            note = f"{construct}: {number.code}, anchored at its stated minimum {number.minimum:g} and this wave's P99"
            found.append(
                IndicatorItems(
                    construct, ItemSet(str(construct), (number,)), number.direction, (number.minimum, "p99"), note
                )
            )
        else:
            absent.append(construct)
            notes.append(f"{construct}: no item in survey {wave.survey}")
    if len(found) < minimum:
        raise InputError(
            f"Survey {wave.survey} measures {len(found)} of the six loyalty indicators; the index needs {minimum}.",
            [
                Problem(
                    f"survey {wave.survey}",
                    f"has no item of construct {construct}; the loyalty index needs at least {minimum} of the "
                    "six indicators (repeat_purchase, deliberation_time, price_sensitivity, competitor_attitude, "
                    "churn_intent, trust).",
                    _INDICATORS,
                )
                for construct in absent
            ],
        )
    return found, notes


_INDICATORS = "Give --indicators FILE.yaml naming the variables, directions and anchors yourself."


@dataclass(frozen=True, slots=True)
class ComplaintPath:
    """The complaint path of the TARP model: had a problem? complained? resolved? and repurchase intent."""

    problem: Variable
    complained: Variable
    resolved: Variable
    repurchase: Variable
    resolved_codes: tuple[int, ...]  # answers of `resolved` that count as resolved
    unresolved_codes: tuple[int, ...]  # … as not resolved; any other answer is left out of the resolution rate

    def as_dict(self) -> dict[str, object]:
        return {
            "problem": self.problem.code,
            "complained": self.complained.code,
            "resolved": self.resolved.code,
            "repurchase": self.repurchase.code,
            "resolved_codes": list(self.resolved_codes),
            "unresolved_codes": list(self.unresolved_codes),
        }


def complaint_path(wave: WaveData) -> ComplaintPath:
    """The single-choice items of the problem, complaint and resolution constructs, and repurchase intent.

    Yes/no items are read with option 1 = yes and 2 = no (the item bank's convention; a yes/no item with other
    options is refused). For the resolution item, option 1 ("completely") counts as resolved; every other
    option except the last ("still being dealt with", when there are four) as not resolved.
    """
    problems: list[Problem] = []
    chosen: dict[Construct, Variable] = {}
    for construct in (Construct.PROBLEM_EXPERIENCED, Construct.COMPLAINED, Construct.COMPLAINT_RESOLVED):
        candidates = [v for v in wave.codebook if v.construct == construct and v.kind == "choice"]
        if not candidates:
            problems.append(Problem(f"survey {wave.survey}", f"has no single-choice item of construct {construct}."))
            continue
        chosen[construct] = candidates[0]
    repurchase = [v for v in wave.codebook if v.construct == Construct.REPURCHASE_INTENT and v.kind == "scale"]
    if not repurchase:
        problems.append(Problem(f"survey {wave.survey}", "has no rated item of construct repurchase_intent."))
    if problems:
        raise InputError(f"Survey {wave.survey} lacks the complaint path the market-damage model needs.", problems)
    for construct in (Construct.PROBLEM_EXPERIENCED, Construct.COMPLAINED):
        item = chosen[construct]
        if item.option_codes != (1, 2):
            problems.append(
                Problem(item.code, f"has options {list(item.option_codes)}; a yes/no item has 1 = yes, 2 = no.")
            )
    resolved = chosen[Construct.COMPLAINT_RESOLVED]
    codes = resolved.option_codes
    if len(codes) < 2 or codes[0] != 1:
        problems.append(Problem(resolved.code, f"has options {list(codes)}; option 1 must mean resolved."))
    if problems:
        raise InputError(f"Survey {wave.survey}: the complaint path cannot be read.", problems)
    unresolved = codes[1:-1] if len(codes) >= 4 else codes[1:]
    return ComplaintPath(
        chosen[Construct.PROBLEM_EXPERIENCED],
        chosen[Construct.COMPLAINED],
        resolved,
        repurchase[0],
        (1,),
        tuple(unresolved),
    )


def yes_no_values(responses: pd.DataFrame, item: Variable, yes: Sequence[int], no: Sequence[int]) -> pd.Series:
    """The item as 1.0 (an answer in `yes`), 0.0 (in `no`), NaN (no answer, or any other option)."""
    import numpy as np

    answers = responses[item.code].astype("Float64").astype(float)
    values = np.where(answers.isin(list(yes)), 1.0, np.where(answers.isin(list(no)), 0.0, np.nan))
    import pandas as pd

    return pd.Series(values, index=responses.index, name=item.code)


@dataclass(frozen=True, slots=True)
class AttributePair:
    """One service attribute: its satisfaction (performance) rating and, if asked, its stated importance."""

    attribute: str
    satisfaction: Variable
    importance: Variable | None


def attribute_pairs(wave: WaveData) -> list[AttributePair]:
    """Attribute satisfaction items by attribute (grid rows), each with the importance item of the same row."""
    satisfaction = [v for v in wave.codebook if v.construct == Construct.ATTRIBUTE_SATISFACTION and v.kind == "scale"]
    if not satisfaction:
        raise missing_construct(wave, Construct.ATTRIBUTE_SATISFACTION, "driver analysis needs attribute ratings")
    importance = {
        v.attribute: v
        for v in wave.codebook
        if v.construct == Construct.ATTRIBUTE_IMPORTANCE and v.kind == "scale" and v.attribute is not None
    }
    return [AttributePair(v.attribute or v.code, v, importance.get(v.attribute or "")) for v in satisfaction]


def grids(wave: WaveData) -> dict[str, list[str]]:
    """The grids of the questionnaire for straight-lining checks: each rating grid, and each half (importance,
    satisfaction) of an importance–satisfaction grid, as {name: variable codes}."""
    found: dict[str, list[str]] = {}
    for v in wave.codebook:
        if v.kind != "scale" or v.attribute is None:
            continue
        name = v.item_code if v.construct not in _GRID_HALVES else f"{v.item_code}_{_GRID_HALVES[v.construct]}"
        found.setdefault(name, []).append(v.code)
    return {name: codes for name, codes in found.items() if len(codes) >= 2}


_GRID_HALVES = {Construct.ATTRIBUTE_IMPORTANCE: "importance", Construct.ATTRIBUTE_SATISFACTION: "satisfaction"}


def attention_checks(wave: WaveData) -> dict[str, list[int]]:
    """Instructed-response items with their one correct answer (`correct:` in the questionnaire)."""
    checks: dict[str, list[int]] = {}
    for item in wave.questionnaire.items():
        if isinstance(item, SingleChoice | Rating) and item.correct is not None:
            checks[item.code] = [item.correct]
    return checks


def segment_column(wave: WaveData, name: str, option: str = "--by") -> str:
    """`--by` may name any variable of the codebook or a details column (channel, ip_location …), but not a
    multiple choice or a ranking: a respondent would be in several segments at once."""
    if name not in wave.responses.columns or name == "response_id":
        raise InputError(f"Survey {wave.survey} has no column {name}.", [_unknown(wave, name, option)])
    kinds = {v.code: v.kind for v in wave.codebook}
    if kinds.get(name) in ("choices", "ranking"):
        raise InputError(
            f"{name} cannot divide respondents into segments.",
            [Problem(option, f"{name} is a {_KIND_NAMES[kinds[name]]} item: a respondent may give several answers.")],
        )
    return name


_KIND_NAMES = {"choices": "multiple-choice", "ranking": "ranking"}


def segment_values(wave: WaveData, name: str, option: str = "--by") -> pd.Series:
    """The segment of each response (object values; None where missing, as the measures leave those out)."""
    values = wave.responses[segment_column(wave, name, option)]
    return values.astype(object).where(values.notna(), None)


def threshold_inputs(
    wave: WaveData, by: str | None = None
) -> tuple[pd.DataFrame, list[str], list[str], dict[str, tuple[float, float]]]:
    """The wave's satisfaction items (on their common scale, or each as 0–100 when scales differ), its
    loyalty outcomes each as 0–100 of its own scale (columns prefixed `loyalty_`), the `by` segment, and the
    two scales: what a threshold model (and the report's satisfaction figure) reads from a stored wave."""
    import pandas as pd

    satisfaction = satisfaction_items(wave)
    bounds = {(v.minimum, v.maximum) for v in satisfaction.variables}
    if len(bounds) == 1 and None not in next(iter(bounds)):
        low, high = next(iter(bounds))
        satisfaction_frame = aligned_values(wave.responses, satisfaction)
        satisfaction_scale = (float(low or 0), float(high or 0))
    else:
        satisfaction_frame = percent_of_scale(wave.responses, satisfaction)
        satisfaction_scale = (0.0, 100.0)
    loyalty_frame = percent_of_scale(wave.responses, loyalty_outcome_items(wave)).add_prefix("loyalty_")
    frame = pd.concat([satisfaction_frame, loyalty_frame], axis=1)
    if by is not None:
        frame[by] = segment_values(wave, by)
    scales = {"satisfaction": satisfaction_scale, "loyalty": (0.0, 100.0)}
    return frame, list(satisfaction_frame.columns), list(loyalty_frame.columns), scales


@dataclass(frozen=True)
class LadderInputs:
    """What a survey says about a respondent's place on the loyalty ladder (METHODS §10), as numbers and
    yes/no answers (1.0 yes, 0.0 no, NaN unknown); None for what the survey does not ask."""

    purchases: pd.Series  # purchases so far: the lower bound of the answered band (never 0, once 1, 2–5 → 2 …)
    recommend: pd.Series | None
    referrals: pd.Series | None  # people recommended to; 0 where the respondent said they recommended no one
    share_of_wallet: pd.Series | None  # 0–1
    aware: pd.Series | None
    has_need: pd.Series | None  # needs it now or soon
    able_to_buy: pd.Series | None
    purchase_item: str  # the purchase-history variable
    purchase_bands: tuple[float, ...]  # the lower bound read for each of its options; empty for a number item


def ladder_inputs(wave: WaveData) -> LadderInputs:
    """The ladder's inputs by construct: purchase history (a banded single choice, read as each band's lower
    bound so evidence never lifts a customer), recommend, referral behaviour, share of wallet, and the
    awareness, need and ability screeners (option 1 = yes, the last option = no; for need, every option but
    the last counts as a need)."""
    import re

    import numpy as np

    history = [v for v in wave.codebook if v.construct == Construct.PURCHASE_HISTORY and v.kind in ("choice", "number")]
    if not history:
        raise missing_construct(wave, Construct.PURCHASE_HISTORY, "the loyalty ladder needs purchases so far")
    item = history[0]
    bounds: dict[int, float] = {}
    if item.kind == "number":
        purchases = wave.responses[item.code].astype("Float64").astype(float)
    else:
        for position, option in enumerate(item.options):
            digits = re.findall(r"\d+", next(iter(option.text.values()), ""))
            bounds[option.code] = float(digits[0]) if digits else float(position)
        purchases = wave.responses[item.code].astype("Float64").astype(float).map(bounds)
    responses = wave.responses

    def first(construct: Construct, kind: str) -> Variable | None:
        return next((v for v in wave.codebook if v.construct == construct and v.kind == kind), None)

    def yes_no(construct: Construct, yes_all_but_last: bool = False) -> pd.Series | None:
        choice = first(construct, "choice")
        if choice is None or len(choice.option_codes) < 2:
            return None
        codes = choice.option_codes
        yes = codes[:-1] if yes_all_but_last else codes[:1]
        return yes_no_values(responses, choice, yes, codes[1:] if not yes_all_but_last else codes[-1:])

    recommend = next(
        (v for v in wave.codebook if v.construct == Construct.RECOMMEND and (v.minimum, v.maximum) == (0, 10)), None
    )
    count = first(Construct.REFERRAL_BEHAVIOUR, "number")
    referrals = None
    if count is not None:
        referrals = responses[count.code].astype("Float64").astype(float)
        said = yes_no(Construct.REFERRAL_BEHAVIOUR)
        if said is not None:
            referrals = referrals.where(~(said == 0.0), 0.0)
    wallet = first(Construct.SHARE_OF_WALLET, "number")
    share = None
    if wallet is not None and wallet.maximum:
        share = responses[wallet.code].astype("Float64").astype(float) / float(wallet.maximum)
    return LadderInputs(
        purchases.astype(float).where(purchases.notna(), np.nan),
        None if recommend is None else responses[recommend.code].astype("Float64").astype(float),
        referrals,
        share,
        yes_no(Construct.AWARENESS),
        yes_no(Construct.NEED, yes_all_but_last=True),
        yes_no(Construct.ABILITY_TO_BUY),
        item.code,
        tuple(bounds.values()),
    )


def missing_construct(wave: WaveData, construct: Construct, purpose: str) -> InputError:
    """The error for a wave without an item of `construct`."""
    return InputError(
        f"Survey {wave.survey} has no item of construct {construct}.",
        [
            Problem(
                f"survey {wave.survey}, wave {wave.wave}",
                f"has no item of construct {construct}; {purpose}.",
                "Add such an item to the questionnaire (a new version), or measure a data file with --data.",
            )
        ],
    )


def _unknown(wave: WaveData, code: str, option: str) -> Problem:
    known = [v.code for v in wave.codebook] + [*RESPONSE_COLUMNS, *DETAIL_COLUMNS]
    nearest = difflib.get_close_matches(code, known, n=1)
    hint = (
        f'Did you mean "{nearest[0]}"?'
        if nearest
        else "Variables are the questionnaire's item codes (grid rows: ITEM_ROW)."
    )
    return Problem(option, f"{code} is not a variable of survey {wave.survey}.", hint)


def _bounds_text(v: Variable) -> str:
    if v.minimum is None or v.maximum is None:
        return "no stated scale"
    return f"{v.minimum:g}–{v.maximum:g}"
