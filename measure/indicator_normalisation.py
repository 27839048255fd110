"""Loyalty indicators on a common 0–1 scale: fixed anchors, direction, capping.

Each of the six loyalty indicators (repeat purchases, deliberation time, price sensitivity, attitude to
competitors, churn, trust; METHODS §3.1) is measured in its own unit and some are "higher is worse". Min–max
normalisation against *fixed anchors* puts them on 0 (worst) … 1 (best) so that quarters stay comparable;
``anchors="sample"`` reproduces the textbook practice of taking the sample's own minimum and maximum,
which makes the index drift from wave to wave. The anchors actually used are part of the result, so a
baseline wave's sample anchors can be frozen and passed to the next wave.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Direction = Literal["higher_is_better", "higher_is_worse"]
DIRECTIONS: tuple[Direction, ...] = ("higher_is_better", "higher_is_worse")


@dataclass(frozen=True, slots=True)
class Indicator:
    """How one indicator is scaled: name, direction and anchors (None: taken from the sample)."""

    name: str
    direction: Direction
    low: float | None = None  # the value that scores 0 (higher_is_better) or 1 (higher_is_worse)
    high: float | None = None
    # where a missing anchor comes from: these percentiles of the sample (0 and 100: its min and max)
    sample_percentiles: tuple[float, float] = (0.0, 100.0)

    @property
    def anchored_by_sample(self) -> bool:
        """True when an anchor is to be taken from the data (`anchors: sample`, or `[0, p99]`)."""
        return self.low is None or self.high is None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: direction and anchors ("sample", "p99" for anchors still to be taken from data)."""
        if self.low is None and self.high is None and self.sample_percentiles == (0.0, 100.0):
            return {"direction": self.direction, "anchors": "sample"}
        low = self.low if self.low is not None else f"p{self.sample_percentiles[0]:g}"
        high = self.high if self.high is not None else f"p{self.sample_percentiles[1]:g}"
        return {"direction": self.direction, "anchors": [low, high]}


@dataclass(frozen=True, slots=True)
class NormalisedIndicators:
    """Indicator scores on 0–1 (1 = most loyal), with the anchors that produced them."""

    scores: pd.DataFrame  # one row per respondent, one column per indicator; NaN where missing
    indicators: tuple[Indicator, ...]  # with the anchors used (sample anchors resolved to numbers)
    capped: tuple[int, ...]  # per indicator: values beyond an anchor, set to the anchor

    def as_dict(self) -> dict[str, object]:
        """Anchors and capping per indicator (the scores themselves stay in `scores`)."""
        return {
            indicator.name: {**indicator.as_dict(), "capped": capped}
            for indicator, capped in zip(self.indicators, self.capped, strict=True)
        }


def indicator(name: str, direction: str, anchors: Sequence[float | str] | str = "sample") -> Indicator:
    """An `Indicator` from its parts, checked: direction spelled out, two increasing anchors or "sample".

    An anchor may be a number, or "pNN": the NN-th percentile of the sample being normalised (METHODS
    §3.1 caps counts at the baseline's P99: ``[0, "p99"]``). "sample" is ``["p0", "p100"]``, min–max.

    Examples
    --------
    >>> indicator("churn", "higher_is_worse", [0, 10])
    Indicator(name='churn', direction='higher_is_worse', low=0.0, high=10.0, sample_percentiles=(0.0, 100.0))
    >>> indicator("trust", "higher_is_better", "sample").anchored_by_sample
    True
    >>> indicator("repeat_purchases", "higher_is_better", [0, "p99"]).as_dict()["anchors"]
    [0.0, 'p99']
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction of {name} must be 'higher_is_better' or 'higher_is_worse'; got {direction!r}.")
    if isinstance(anchors, str):
        if anchors != "sample":
            raise ValueError(f"anchors of {name} must be [low, high] or 'sample'; got {anchors!r}.")
        return Indicator(name, direction)
    if len(anchors) == 2 and any(isinstance(value, str) for value in anchors):
        bounds: list[float | None] = []
        percentiles = [0.0, 100.0]
        for position, value in enumerate(anchors):
            if isinstance(value, str):
                percentile = _percentile(value)
                if percentile is None:
                    raise ValueError(f"anchors of {name} must be numbers or percentiles like 'p99'; got {value!r}.")
                percentiles[position] = percentile
                bounds.append(None)
            else:
                bounds.append(float(value))
        fixed = [value for value in bounds if value is not None]
        if percentiles[0] >= percentiles[1] or not all(math.isfinite(value) for value in fixed):
            raise ValueError(f"anchors of {name} must be increasing; got {list(anchors)}.")
        return Indicator(name, direction, bounds[0], bounds[1], (percentiles[0], percentiles[1]))
    values = [float(value) for value in anchors]
    if len(values) != 2 or not all(math.isfinite(value) for value in values) or values[0] >= values[1]:
        raise ValueError(f"anchors of {name} must be two finite numbers, low < high; got {list(anchors)}.")
    return Indicator(name, direction, values[0], values[1])


def normalise_indicators(values: pd.DataFrame, indicators: Sequence[Indicator]) -> NormalisedIndicators:
    """Scale each indicator to 0–1 against its anchors, reversing "higher is worse" ones.

    Formula
    -------
    higher_is_better: ``z = (min(max(x, lo), hi) − lo) / (hi − lo)``;
    higher_is_worse: ``z = (hi − min(max(x, lo), hi)) / (hi − lo)``. Values beyond an anchor are capped
    at it (and counted in `capped`); missing values stay missing.

    Estimator choices
    -----------------
    Fixed anchors (scale bounds of a rated item; stated bounds or a baseline wave's caps for counts and
    times) keep quarters comparable. ``Indicator(low=None, high=None)`` takes the sample's minimum and
    maximum (textbook min–max); an anchor given as a percentile (``indicator(…, [0, "p99"])``) takes that
    percentile of the sample (numpy's default linear interpolation, R type 7), so the top 1 % is capped.
    The resolved numbers are returned in `indicators` so they can be frozen for later waves.
    An indicator that is constant in the sample cannot be sample-anchored (hi = lo leaves z undefined):
    that is a ValueError naming it; give fixed anchors or leave it out.

    Parameters
    ----------
    values : pandas.DataFrame
        Raw indicator values, one column per indicator name (other columns are ignored).
    indicators : sequence of Indicator

    Returns
    -------
    NormalisedIndicators

    References
    ----------
    OECD/JRC (2008) Handbook on Constructing Composite Indicators, §5 (normalisation: min–max).

    Examples
    --------
    >>> data = pd.DataFrame({"churn": [0, 5, 12], "trust": [5, 3, 1]})
    >>> churn = indicator("churn", "higher_is_worse", [0, 10])
    >>> result = normalise_indicators(data, [churn, indicator("trust", "higher_is_better", [1, 5])])
    >>> result.scores["churn"].tolist(), result.scores["trust"].tolist(), result.capped
    ([1.0, 0.5, 0.0], [1.0, 0.5, 0.0], (1, 0))
    """
    if len(indicators) == 0:
        raise ValueError("indicators must name at least one indicator; got none.")
    names = [item.name for item in indicators]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError(f"indicators must have distinct names; repeated: {duplicated}.")
    missing = [name for name in names if name not in values.columns]
    if missing:
        raise ValueError(f"values has no column for indicators {missing}; its columns are {list(values.columns)}.")
    scores: dict[str, pd.Series] = {}
    resolved: list[Indicator] = []
    capped: list[int] = []
    for item in indicators:
        column = pd.to_numeric(values[item.name], errors="raise").astype(float)
        low, high = item.low, item.high
        if low is None or high is None:
            present = column.dropna()
            if present.empty:
                raise ValueError(f"values of {item.name} are all missing, so sample anchors cannot be found.")
            if low is None:
                low = float(np.percentile(present, item.sample_percentiles[0]))
            if high is None:
                high = float(np.percentile(present, item.sample_percentiles[1]))
            if low >= high:
                raise ValueError(
                    f"{item.name} takes the single value {low:g} in this sample, so sample anchors "
                    "(min = max) cannot scale it; give fixed anchors for it or leave it out."
                    if present.min() == present.max()
                    else f"{item.name}: its sample anchors {item.as_dict()['anchors']} come to "
                    f"low {low:g} ≥ high {high:g} in this sample; give fixed anchors."
                )
        clipped = column.clip(lower=low, upper=high)
        capped.append(int((clipped != column)[column.notna()].sum()))
        share = (clipped - low) / (high - low)
        scores[item.name] = share if item.direction == "higher_is_better" else 1 - share
        resolved.append(Indicator(item.name, item.direction, low, high))  # percentiles now numbers
    return NormalisedIndicators(pd.DataFrame(scores, index=values.index), tuple(resolved), tuple(capped))


def _percentile(text: str) -> float | None:
    """ "p99" → 99.0; None unless it is p followed by a number in 0–100."""
    if not text.lower().startswith("p"):
        return None
    try:
        value = float(text[1:])
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def indicator_values_from_items(answers: pd.DataFrame, items: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """One value per indicator and respondent: the mean of that indicator's answered items.

    An indicator measured by several items (trust: reliability, integrity, benevolence) is the mean of the
    items the respondent answered; it is missing only when all of them are. A single-item indicator is
    that item.

    Examples
    --------
    >>> answers = pd.DataFrame({"t1": [5, 4, None], "t2": [3, None, None], "buys": [12, 3, 8]})
    >>> indicator_values_from_items(answers, {"trust": ["t1", "t2"], "repeat_purchases": ["buys"]})
       trust  repeat_purchases
    0    4.0              12.0
    1    4.0               3.0
    2    NaN               8.0
    """
    columns: dict[str, pd.Series] = {}
    for name, item_columns in items.items():
        if len(item_columns) == 0:
            raise ValueError(f"items of {name} must name at least one column; got none.")
        absent = [column for column in item_columns if column not in answers.columns]
        if absent:
            raise ValueError(f"answers has no column {absent} for indicator {name}.")
        block = answers[list(item_columns)].apply(pd.to_numeric, errors="raise").astype(float)
        columns[name] = block.mean(axis=1, skipna=True) if len(item_columns) > 1 else block.iloc[:, 0]
    frame = pd.DataFrame(columns, index=answers.index)
    return frame.astype(np.float64)
