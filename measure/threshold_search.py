"""The global least-squares search for hinge breakpoints (METHODS.md §1.3), used by `measure.threshold`.

The data are sorted once and collapsed to their distinct satisfaction values ("levels"), each with its
weighted sums of 1, u, u², v, uv, v² (u = standardised satisfaction, v = centred loyalty). For a knot at
any position a, every entry of the normal equations of the hinge basis [1, u, (u−a)₊, (u−b)₊] is a
closed form in the suffix sums beyond a (the table in §1.3), so the residual sum of squares of a
candidate costs O(1), and whole grids of candidates are evaluated as array expressions.

Exactness between data values follows Hudson (1966): while a breakpoint moves inside one gap between
adjacent distinct values, the observations on each side do not change, and the best continuous fit is
either the intersection of the separately fitted pieces (when it falls inside the gap) or lies at an end
of the gap. So the optimum over a gap is found from O(1) prefix sums too, without any local optimiser.

* one breakpoint: every distinct value and every gap — the exact global optimum, O(m).
* two breakpoints, m ≤ `EXACT_LEVELS` distinct values: every value/gap combination — exact.
* two breakpoints, more distinct values: a grid of pairs of `GRID_LEVELS` quantile values (O(1) each),
  exact coordinate descent (each step the exact optimum of one breakpoint over every value and gap in a
  window, the other fixed) from the `STARTS` best distinct grid pairs, then the exhaustive search of
  every value/gap pair in a window of ±40 values around the best, re-centred until the optimum is
  inside it. This is not a proof of global optimality; on 150 random data sets with 450–800 distinct
  values (tests keep the hardest) it found the exhaustive optimum every time.

The minimum segment size counts observations (frequencies, not survey weights) with the convention of
R's `findInterval`: x < ψ1 | ψ1 ≤ x < ψ2 | x ≥ ψ2. A breakpoint at a data value is the limit of
breakpoints just beside it, so it is feasible when either side's counting is; the residual sum of
squares is continuous in ψ, so this is the infimum over the feasible set, which is what an optimiser
approaching the boundary reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

EXACT_LEVELS = 400  # up to this many distinct satisfaction values, two breakpoints are searched exhaustively
GRID_LEVELS = 240  # candidate values per breakpoint in the coarse grid for larger data
STARTS = 5  # best distinct coarse pairs refined by coordinate descent
TOLERANCE = 1e-12  # relative SSE improvement below which the refinement stops
WINDOW = 12  # distinct values either side of the refined pair searched for three-piece intersections


@dataclass(frozen=True, slots=True)
class Levels:
    """Sorted distinct satisfaction values with the weighted sums the search needs."""

    x: FloatArray  # distinct values, original scale, ascending
    u: FloatArray  # the same values standardised
    count: FloatArray  # observations per value (frequencies)
    suffix: FloatArray  # (6, m + 1): suffix sums of w, wu, wu², wv, wuv, wv² from each level on
    centre: float
    scale: float
    lower: float  # the breakpoint range, second smallest distinct value
    upper: float  # and second largest
    total_count: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Best breakpoints found (original scale) and the residual sum of squares there."""

    breakpoints: tuple[float, ...]
    sse: float


def collapse_levels(satisfaction: FloatArray, loyalty: FloatArray, weights: FloatArray) -> Levels:
    """Sort once and sum per distinct satisfaction value; `weights` are the survey weights × frequencies.

    Observations with zero weight are dropped.

    Examples
    --------
    >>> import numpy as np
    >>> levels = collapse_levels(np.array([3.0, 1.0, 3.0, 2.0]), np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4))
    >>> levels.x.tolist(), levels.count.tolist(), (levels.lower, levels.upper)
    ([1.0, 2.0, 3.0], [1.0, 1.0, 2.0], (2.0, 2.0))
    """
    keep = weights > 0
    x, y, w = satisfaction[keep], loyalty[keep], weights[keep]
    order = np.argsort(x)  # ties need no order: their sums are pooled
    return collapse_sorted(x[order], y[order], w[order], np.ones(x.size))


def collapse_sorted(x: FloatArray, y: FloatArray, w: FloatArray, frequency: FloatArray) -> Levels:
    """`collapse_levels` for data already sorted by satisfaction; `frequency` counts observations."""
    keep = w > 0
    x, y, w, frequency = x[keep], y[keep], w[keep], frequency[keep]
    total = w.sum()
    centre = float((w * x).sum() / total)
    scale = float(np.sqrt((w * (x - centre) ** 2).sum() / total))
    loyalty_centre = (w * y).sum() / total
    u = (x - centre) / scale
    v = y - loyalty_centre
    starts = np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))
    wu, wv = w * u, w * v
    sums = np.stack([w, wu, wu * u, wv, wv * u, wv * v])
    if starts.size == x.size:  # every value distinct: the levels are the observations
        per_level, counts = sums, frequency
    else:
        per_level = np.add.reduceat(sums, starts, axis=1)
        counts = np.add.reduceat(frequency, starts)
    suffix = np.zeros((6, starts.size + 1))
    suffix[:, :-1] = np.cumsum(per_level[:, ::-1], axis=1)[:, ::-1]
    values = x[starts]
    return Levels(
        x=values,
        u=(values - centre) / scale,
        count=counts,
        suffix=suffix,
        centre=centre,
        scale=scale,
        lower=float(values[1]) if values.size > 1 else float(values[0]),
        upper=float(values[-2]) if values.size > 1 else float(values[0]),
        total_count=float(counts.sum()),
    )


class Resampler:
    """Levels of case-resampled replicates of sorted data without sorting or filtering again.

    The distinct values and the standardisation stay those of the full sample; a respondent not drawn
    contributes zero weight, and a value nobody drew is a level with no observations, which leaves every
    formula of the search valid (its gaps merge with the neighbouring ones).
    """

    def __init__(self, x: FloatArray, y: FloatArray, w: FloatArray) -> None:
        full = collapse_sorted(x, y, w, np.ones(x.size))
        self.full = full
        u = (x - full.centre) / full.scale
        v = y - (w * y).sum() / w.sum()
        self.products = np.stack([w, w * u, w * u * u, w * v, w * u * v, w * v * v])
        self.starts = np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))
        self.each_distinct = self.starts.size == x.size

    def levels(self, drawn: FloatArray) -> Levels:
        """The levels of the replicate in which respondent i was drawn `drawn[i]` times."""
        weighted = self.products * drawn
        if self.each_distinct:
            per_level, counts = weighted, drawn
        else:
            per_level = np.add.reduceat(weighted, self.starts, axis=1)
            counts = np.add.reduceat(drawn, self.starts)
        suffix = np.zeros((6, counts.size + 1))
        suffix[:, :-1] = np.cumsum(per_level[:, ::-1], axis=1)[:, ::-1]
        present = np.flatnonzero(counts > 0)
        values = self.full.x
        return Levels(
            x=values,
            u=self.full.u,
            count=counts,
            suffix=suffix,
            centre=self.full.centre,
            scale=self.full.scale,
            lower=float(values[present[1]]) if present.size > 1 else float(values[present[0]]),
            upper=float(values[present[-2]]) if present.size > 1 else float(values[present[0]]),
            total_count=float(counts.sum()),
        )

    def distinct_drawn(self, levels: Levels) -> int:
        """How many distinct satisfaction values the replicate holds."""
        return int(np.count_nonzero(levels.count))


def _block(levels: Levels, start: NDArray[np.intp], stop: NDArray[np.intp]) -> FloatArray:
    """Sums (6, k) over levels start ≤ l < stop."""
    return levels.suffix[:, start] - levels.suffix[:, stop]


def _line_fit(sums: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted straight line on blocks of levels: intercept, slope (standardised scale) and SSE."""
    s0, s1, s2, sv, suv, svv = sums
    det = s0 * s2 - s1 * s1
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (s0 * suv - s1 * sv) / det
        intercept = (sv - slope * s1) / s0
        sse = svv - intercept * sv - slope * suv
    bad = ~(det > 1e-12 * np.maximum(s0 * s2, 1e-300))
    slope = np.where(bad, np.nan, slope)
    intercept = np.where(bad, np.nan, intercept)
    return intercept, slope, np.where(bad, np.nan, sse)


def _hinge_sums(
    levels: Levels, a: FloatArray, first: NDArray[np.intp], stop: NDArray[np.intp] | None = None
) -> FloatArray:
    """Σw h, Σw u h, Σw h², Σw v h for h = (u − a)₊ over the levels before `stop` (all when None).

    `first` is the index of the first level with u > a (the same for every a inside one gap).
    """
    if stop is None:
        t = levels.suffix[:, first]
    else:
        first = np.minimum(first, stop)
        t = levels.suffix[:, first] - levels.suffix[:, stop]
    t0, t1, t2, tv, tuv, _ = t
    return np.stack([t1 - a * t0, t2 - a * t1, t2 - 2 * a * t1 + a * a * t0, tuv - a * tv])


def _hinge_from_block(t: FloatArray, a: float | FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The hinge sums of `_hinge_sums` from already-summed levels beyond a."""
    t0, t1, t2, tv, tuv, _ = t
    return t1 - a * t0, t2 - a * t1, t2 - 2 * a * t1 + a * a * t0, tuv - a * tv


@dataclass(frozen=True, slots=True)
class Position:
    """Breakpoint candidates (standardised) with the level indices that locate them.

    `first`: index of the first level above the position; `left_low`/`left_high`: the level index where
    the segment to the right starts, on the two sides of a data value (equal inside a gap).
    """

    value: FloatArray
    first: NDArray[np.intp]
    left_low: NDArray[np.intp]
    left_high: NDArray[np.intp]

    @staticmethod
    def at_levels(levels: Levels, index: NDArray[np.intp]) -> Position:
        return Position(levels.u[index], index + 1, index, index + 1)

    @staticmethod
    def in_gaps(value: FloatArray, gap: NDArray[np.intp]) -> Position:
        return Position(value, gap + 1, gap + 1, gap + 1)

    @staticmethod
    def of(levels: Levels, value: float, size: int) -> Position:
        low = int(np.searchsorted(levels.u, value, side="left"))
        high = int(np.searchsorted(levels.u, value, side="right"))
        return Position(
            np.full(size, value),
            np.full(size, high, dtype=np.intp),
            np.full(size, low, dtype=np.intp),
            np.full(size, high, dtype=np.intp),
        )


class Profile:
    """Exact residual sums of squares of hinge fits from the level sums."""

    def __init__(self, levels: Levels, min_segment: float, min_separation: float) -> None:
        self.levels = levels
        self.min_segment = min_segment
        self.min_separation = min_separation / levels.scale
        self.lower = (levels.lower - levels.centre) / levels.scale
        self.upper = (levels.upper - levels.centre) / levels.scale
        total = levels.suffix[:, 0]
        self.total = total
        s0, s1, s2, sv, suv, svv = total
        det = s0 * s2 - s1 * s1
        self.g_inverse = np.array([[s2, -s1], [-s1, s0]]) / det
        base = np.array([sv, suv])
        self.linear_sse = float(svv - base @ self.g_inverse @ base)
        self.below = np.concatenate(([0.0], np.cumsum(levels.count)))  # observations before level l
        self._lines: tuple[tuple[FloatArray, ...], tuple[FloatArray, ...]] | None = None

    def lines_at(self, gap: NDArray[np.intp]) -> tuple[tuple[FloatArray, ...], tuple[FloatArray, ...]]:
        """The lines before and after the given gaps: from the cache, or fitted for just these gaps when
        they are few and the cache is not there yet (a window search of a bootstrap replicate)."""
        if self._lines is None and 4 * gap.size < self.levels.u.size:
            tail = self.levels.suffix[:, gap + 1]
            return _line_fit(self.levels.suffix[:, :1] - tail), _line_fit(tail)
        head, tail_lines = self.lines()
        return (
            (head[0][gap], head[1][gap], head[2][gap]),
            (tail_lines[0][gap], tail_lines[1][gap], tail_lines[2][gap]),
        )

    def lines(self) -> tuple[tuple[FloatArray, ...], tuple[FloatArray, ...]]:
        """Straight lines fitted before and after every gap (levels ≤ g and > g), computed once."""
        if self._lines is None:
            tail = self.levels.suffix[:, 1:-1]
            self._lines = (_line_fit(self.levels.suffix[:, :1] - tail), _line_fit(tail))
        return self._lines

    # -- admissibility ----------------------------------------------------------------------------------
    def feasible(self, first: Position, second: Position | None = None) -> NDArray[np.bool_]:
        """Inside the range, far enough apart, and every segment with enough observations."""
        n, need, eps = self.levels.total_count, self.min_segment, 1e-12
        a = first.value
        ok = (a >= self.lower - eps) & (a <= self.upper + eps)
        low1, high1 = self.below[first.left_low], self.below[first.left_high]
        left = np.where(low1 >= need, low1, high1)
        if second is None:
            return ok & (left >= need) & (n - left >= need)
        b = second.value
        ok = ok & (b >= self.lower - eps) & (b <= self.upper + eps) & (b - a >= self.min_separation - eps)
        low2, high2 = self.below[second.left_low], self.below[second.left_high]
        boundary = np.where(n - high2 >= need, high2, low2)
        return ok & (left >= need) & (boundary - left >= need) & (n - boundary >= need)

    # -- residual sums of squares at given breakpoints --------------------------------------------------
    def _projected(self, h1: FloatArray, h2: FloatArray) -> tuple[FloatArray, FloatArray]:
        g = self.g_inverse
        return g[0, 0] * h1 + g[0, 1] * h2, g[1, 0] * h1 + g[1, 1] * h2

    def sse_one(self, a: Position) -> FloatArray:
        """SSE with one knot at each position."""
        h1, h2, hh, hv = _hinge_sums(self.levels, a.value, a.first)
        _, _, _, sv, suv, _ = self.total
        c0, c1 = self._projected(np.asarray(sv), np.asarray(suv))
        p0, p1 = self._projected(h1, h2)
        r = hv - (h1 * c0 + h2 * c1)
        m = hh - (h1 * p0 + h2 * p1)
        with np.errstate(divide="ignore", invalid="ignore"):
            sse = self.linear_sse - r * r / m
        return np.where(m > 1e-12 * np.maximum(hh, 1e-300), sse, np.inf)

    def sse_two(self, a: Position, b: Position) -> FloatArray:
        """SSE with knots at a < b, elementwise."""
        a1, a2, aa, av = _hinge_sums(self.levels, a.value, a.first)
        b1, b2, bb, bv = _hinge_sums(self.levels, b.value, b.first)
        t0, t1, t2 = (
            self.levels.suffix[0, b.first],
            self.levels.suffix[1, b.first],
            self.levels.suffix[2, b.first],
        )
        ab = t2 - (a.value + b.value) * t1 + a.value * b.value * t0
        _, _, _, sv, suv, _ = self.total
        c0, c1 = self._projected(np.asarray(sv), np.asarray(suv))
        pa0, pa1 = self._projected(a1, a2)
        pb0, pb1 = self._projected(b1, b2)
        ra = av - (a1 * c0 + a2 * c1)
        rb = bv - (b1 * c0 + b2 * c1)
        maa = aa - (a1 * pa0 + a2 * pa1)
        mbb = bb - (b1 * pb0 + b2 * pb1)
        mab = ab - (a1 * pb0 + a2 * pb1)
        det = maa * mbb - mab * mab
        with np.errstate(divide="ignore", invalid="ignore"):
            sse = self.linear_sse - (mbb * ra * ra - 2 * mab * ra * rb + maa * rb * rb) / det
        ok = det > 1e-10 * np.maximum(maa * mbb, 1e-300)
        return np.where(ok, sse, np.inf)

    def sse_pair(self, first: float, second: float) -> float:
        """SSE at one pair of breakpoints (standardised), admissible or not."""
        return float(self.sse_two(Position.of(self.levels, first, 1), Position.of(self.levels, second, 1))[0])

    # -- exact optimum over one breakpoint ---------------------------------------------------------------
    def best_one(self) -> tuple[float, float]:
        """Exact global optimum with one breakpoint: (ψ standardised, SSE)."""
        lv = self.levels
        u = lv.u
        m = u.size
        index = np.flatnonzero((u >= self.lower) & (u <= self.upper))
        at_levels = Position.at_levels(lv, index)
        sse_values = np.where(self.feasible(at_levels), self.sse_one(at_levels), np.inf)
        # gaps (u_l, u_l+1): separate lines on levels ≤ l and > l, their intersection
        gap = np.arange(m - 1)
        left = _line_fit(_block(lv, np.zeros_like(gap), gap + 1))
        right = _line_fit(_block(lv, gap + 1, np.full_like(gap, m)))
        with np.errstate(divide="ignore", invalid="ignore"):
            psi = (right[0] - left[0]) / (left[1] - right[1])
        inside = (psi > u[gap]) & (psi < u[gap + 1])
        psi_ok = np.where(inside, psi, self.lower - 1.0)
        sse_gaps = np.where(inside & self.feasible(Position.in_gaps(psi_ok, gap)), left[2] + right[2], np.inf)
        candidates = np.concatenate((at_levels.value, psi_ok))
        sse = np.concatenate((sse_values, sse_gaps))
        best = int(np.argmin(sse))
        return float(candidates[best]), float(sse[best])

    def best_given(
        self, fixed: float, fixed_is_first: bool, window: tuple[int, int] | None = None
    ) -> tuple[float, float]:
        """Exact optimum of the other breakpoint with one fixed: (other ψ, SSE), standardised.

        `window` (start, stop) restricts the other breakpoint to the levels start ≤ l < stop and the gaps
        between them; without it every level and gap is searched.
        """
        lv = self.levels
        u = lv.u
        m = u.size
        start, stop = window if window is not None else (0, m)
        start, stop = max(start, 0), min(stop, m)
        if fixed_is_first:
            index = np.arange(max(start, int(np.searchsorted(u, fixed, side="right"))), stop)
            index = index[u[index] <= self.upper]
        else:
            index = np.arange(start, min(stop, int(np.searchsorted(u, fixed, side="left"))))
            index = index[u[index] >= self.lower]
        levels_position = Position.at_levels(lv, index)
        fixed_position = Position.of(lv, fixed, 1)
        pair = (fixed_position, levels_position) if fixed_is_first else (levels_position, fixed_position)
        sse_values = np.where(self.feasible(*pair), self.sse_two(*pair), np.inf)
        gap = np.arange(start, max(stop - 1, start))
        psi_ok, sse_gaps = self.gap_candidates(fixed_position, gap, fixed_is_first)
        candidates = np.concatenate((levels_position.value, psi_ok))
        sse = np.concatenate((sse_values, sse_gaps))
        if sse.size == 0:
            return fixed, float("inf")
        best = int(np.argmin(sse))
        return float(candidates[best]), float(sse[best])

    def gap_candidates(
        self, fixed: Position, gap: NDArray[np.intp], fixed_is_first: bool
    ) -> tuple[FloatArray, FloatArray]:
        """Exact optimum of the other breakpoint inside each gap (u_g, u_g+1), elementwise with `fixed`.

        Hudson: fit the part on each side of the gap separately (one side keeps the fixed knot); when
        their intersection lies inside the gap it is the optimum there, with SSE the sum of the parts;
        otherwise the optimum is at an end of the gap, a data value evaluated elsewhere. Returns the
        positions (the fixed value where there is none) and the SSE (inf where none or inadmissible).
        """
        lv = self.levels
        u = lv.u
        after = gap + 1
        tail = lv.suffix[:, after]
        head = lv.suffix[:, :1] - tail
        a = fixed.value
        fixed_first = fixed.first
        if fixed_is_first:
            # left part: levels ≤ g with a knot at `fixed`; right part: a line on levels > g
            hinge_block = np.where(after >= fixed_first, lv.suffix[:, fixed_first] - tail, 0.0)
            h1, h2, hh, hv = _hinge_from_block(hinge_block, a)
            base_i, base_s, base_sse, delta = _line_plus_hinge(head, h1, h2, hh, hv)
            tail_i, tail_s, tail_sse = self.lines_at(gap)[1]
            # the left model beyond the fixed knot: intercept base_i − δ·a, slope base_s + δ
            with np.errstate(divide="ignore", invalid="ignore"):
                psi = (tail_i - (base_i - delta * a)) / ((base_s + delta) - tail_s)
            inside = (psi > u[gap]) & (psi < u[after]) & (psi > a)
            gap_sse = base_sse + tail_sse
            psi_ok = np.where(inside, psi, a)
            admissible = inside & self.feasible(fixed, Position.in_gaps(psi_ok, gap))
        else:
            # left part: a line on levels ≤ g; right part: levels > g with a knot at `fixed`
            head_i, head_s, head_sse = self.lines_at(gap)[0]
            h1, h2, hh, hv = _hinge_from_block(lv.suffix[:, fixed_first], a)
            base_i, base_s, base_sse, delta = _line_plus_hinge(tail, h1, h2, hh, hv)
            with np.errstate(divide="ignore", invalid="ignore"):
                psi = (base_i - head_i) / (head_s - base_s)
            inside = (psi > u[gap]) & (psi < u[after]) & (psi < a) & (fixed_first >= after)
            gap_sse = head_sse + base_sse
            psi_ok = np.where(inside, psi, a)
            admissible = inside & self.feasible(Position.in_gaps(psi_ok, gap), fixed)
        return psi_ok, np.where(admissible & np.isfinite(gap_sse), gap_sse, np.inf)

    def exhaustive_two(self) -> tuple[float, float, float]:
        """Exact optimum with two breakpoints over every combination of data values and gaps, at once."""
        m = self.levels.u.size
        return self.exhaustive_window((0, m), (0, m))

    def exhaustive_window(self, first: tuple[int, int], second: tuple[int, int]) -> tuple[float, float, float]:
        """Exact optimum with ψ1 among the levels first[0] ≤ l < first[1] and the gaps between and beside
        them, ψ2 likewise within `second`: every value/value, value/gap, gap/value and gap/gap pair."""
        lv = self.levels
        u, m = lv.u, lv.u.size
        admissible_level = (u >= self.lower) & (u <= self.upper)

        def levels_in(window: tuple[int, int]) -> NDArray[np.intp]:
            index = np.arange(max(window[0], 0), min(window[1], m))
            return index[admissible_level[index]]

        def gaps_in(window: tuple[int, int]) -> NDArray[np.intp]:
            return np.arange(max(window[0] - 1, 0), min(window[1], m - 1))

        first_levels, second_levels = levels_in(first), levels_in(second)
        first_gaps, second_gaps = gaps_in(first), gaps_in(second)
        candidates: list[tuple[FloatArray, FloatArray, FloatArray]] = []
        # both at data values
        i, j = np.meshgrid(first_levels, second_levels, indexing="ij")
        keep = i < j
        a, b = Position.at_levels(lv, i[keep]), Position.at_levels(lv, j[keep])
        candidates.append((a.value, b.value, np.where(self.feasible(a, b), self.sse_two(a, b), np.inf)))
        # ψ1 at a data value, ψ2 inside a gap
        fixed_grid, gap_grid = np.meshgrid(first_levels, second_gaps, indexing="ij")
        later = gap_grid >= fixed_grid
        fixed = Position.at_levels(lv, fixed_grid[later])
        psi, sse = self.gap_candidates(fixed, gap_grid[later], fixed_is_first=True)
        candidates.append((fixed.value, psi, sse))
        # ψ2 at a data value, ψ1 inside a gap
        fixed_grid, gap_grid = np.meshgrid(second_levels, first_gaps, indexing="ij")
        earlier = gap_grid + 1 <= fixed_grid
        fixed = Position.at_levels(lv, fixed_grid[earlier])
        psi, sse = self.gap_candidates(fixed, gap_grid[earlier], fixed_is_first=False)
        candidates.append((psi, fixed.value, sse))
        firsts = np.concatenate([c[0] for c in candidates])
        seconds = np.concatenate([c[1] for c in candidates])
        sses = np.concatenate([c[2] for c in candidates])
        result = (0.0, 0.0, float("inf"))
        if sses.size:
            best = int(np.argmin(sses))
            result = (float(firsts[best]), float(seconds[best]), float(sses[best]))
        # both inside gaps: three separate lines
        pieces = self.three_pieces(first_gaps, second_gaps)
        return pieces if pieces[2] < result[2] else result

    def local_two(self, first: float, second: float, radius: int = 40) -> tuple[float, float, float]:
        """Exact optimum in windows of ±`radius` levels around a start, re-centred until it is inside."""
        u = self.levels.u
        best = (first, second, float("inf"))
        for _ in range(20):
            i = int(np.searchsorted(u, best[0]))
            j = int(np.searchsorted(u, best[1]))
            found = self.exhaustive_window((i - radius, i + radius + 1), (j - radius, j + radius + 1))
            if not found[2] < best[2] * (1 - TOLERANCE):
                break
            best = found
            i_new, j_new = int(np.searchsorted(u, best[0])), int(np.searchsorted(u, best[1]))
            if abs(i_new - i) < radius - 2 and abs(j_new - j) < radius - 2:
                break
        return best

    def three_pieces(self, first_gaps: NDArray[np.intp], second_gaps: NDArray[np.intp]) -> tuple[float, float, float]:
        """Best pair with both breakpoints inside gaps: three separate lines meeting inside their gaps."""
        lv = self.levels
        u = lv.u
        first_grid, second_grid = np.meshgrid(np.arange(first_gaps.size), np.arange(second_gaps.size), indexing="ij")
        a, b = first_grid.ravel(), second_grid.ravel()
        keep = first_gaps[a] < second_gaps[b]
        a, b = a[keep], b[keep]
        i, j = first_gaps[a], second_gaps[b]
        if i.size == 0:
            return 0.0, 0.0, float("inf")
        before = self.lines_at(first_gaps)[0]  # lines for each distinct gap, then spread over the pairs
        after = self.lines_at(second_gaps)[1]
        one = (before[0][a], before[1][a], before[2][a])
        two = _line_fit(_block(lv, i + 1, j + 1))
        three = (after[0][b], after[1][b], after[2][b])
        with np.errstate(divide="ignore", invalid="ignore"):
            psi1 = (two[0] - one[0]) / (one[1] - two[1])
            psi2 = (three[0] - two[0]) / (two[1] - three[1])
        inside = (psi1 > u[i]) & (psi1 < u[i + 1]) & (psi2 > u[j]) & (psi2 < u[j + 1])
        psi1 = np.where(inside, psi1, self.lower)
        psi2 = np.where(inside, psi2, self.upper)
        sse = one[2] + two[2] + three[2]
        admissible = self.feasible(Position.in_gaps(psi1, i), Position.in_gaps(psi2, j))
        sse = np.where(inside & admissible & np.isfinite(sse), sse, np.inf)
        best = int(np.argmin(sse))
        return float(psi1[best]), float(psi2[best]), float(sse[best])

    def best_two(
        self,
        extra_starts: tuple[tuple[float, float], ...] = (),
        grid_levels: int = GRID_LEVELS,
        starts: int = STARTS,
        confirm: bool = False,
        prune: bool = False,
        radius: int = 40,
    ) -> tuple[float, float, float]:
        """Global optimum with two breakpoints (exact for few distinct values, see the module docstring).

        `extra_starts` (standardised pairs) are refined besides the best `starts` pairs of a coarse grid
        of `grid_levels` values per breakpoint (a bootstrap replicate warm-starts from the full fit);
        `confirm` re-checks the result with each breakpoint re-optimised over the whole range; `prune`
        skips grid pairs whose SSE is not below the best found so far (fast, for warm-started bootstrap
        replicates; it can miss a narrow optimum, so the full fit does not prune).
        """
        u = self.levels.u
        m = u.size
        in_range = np.flatnonzero((u >= self.lower) & (u <= self.upper))
        best = (0.0, 0.0, float("inf"))
        if in_range.size == 0:
            return best
        if m <= EXACT_LEVELS:
            return self.exhaustive_two()
        grid = in_range[np.unique(np.linspace(0, in_range.size - 1, grid_levels).round().astype(np.intp))]
        i, j = np.triu_indices(grid.size, k=1)
        first, second = Position.at_levels(self.levels, grid[i]), Position.at_levels(self.levels, grid[j])
        grid_sse = np.where(self.feasible(first, second), self.sse_two(first, second), np.inf)
        order = np.argsort(grid_sse)
        reach = 2 * max(int(np.ceil(in_range.size / grid_levels)), WINDOW)
        for first_start, second_start in extra_starts:
            candidate = self.local_two(first_start, second_start, radius)
            if candidate[2] < best[2]:
                best = candidate
        settled = np.isfinite(best[2])  # a warm start's window search is already exact around it
        pairs: list[tuple[float, float]] = list(extra_starts)
        spacing = 3 * (u[in_range[-1]] - u[in_range[0]]) / grid_levels
        chosen = 0
        for index in order[: 20 * starts]:
            if not np.isfinite(grid_sse[index]) or chosen == starts or (prune and not grid_sse[index] < best[2]):
                break
            pair = (float(first.value[index]), float(second.value[index]))
            if all(abs(pair[0] - p[0]) + abs(pair[1] - p[1]) > spacing for p in pairs):
                pairs.append(pair)
                chosen += 1
                candidate = self._descend(pair[0], pair[1], reach)
                if candidate[2] < best[2]:
                    best, settled = candidate, False
        if np.isfinite(best[2]) and not settled:
            local = self.local_two(best[0], best[1], radius)  # exact in the window around the best descent
            if local[2] < best[2]:
                best = local
        while confirm and np.isfinite(best[2]):
            # confirm over the whole range: the exact best of each breakpoint given the other
            other, sse = self.best_given(best[0], fixed_is_first=True)
            if sse < best[2] * (1 - TOLERANCE):
                best = self._refine(best[0], other, reach)
                continue
            other, sse = self.best_given(best[1], fixed_is_first=False)
            if sse < best[2] * (1 - TOLERANCE):
                best = self._refine(other, best[1], reach)
                continue
            break
        return best

    def _refine(self, first: float, second: float, reach: int) -> tuple[float, float, float]:
        """Coordinate descent to the neighbourhood, then the exact optimum of the window around it."""
        descended = self._descend(first, second, reach)
        if not np.isfinite(descended[2]):
            return descended
        local = self.local_two(descended[0], descended[1])
        return local if local[2] < descended[2] else descended

    def _descend(self, first: float, second: float, reach: int | None) -> tuple[float, float, float]:
        """Exact coordinate descent (each step within `reach` levels, or everywhere when None), then the
        three-piece intersections in a window around the result, until nothing improves."""
        sse = self.sse_pair(first, second)
        if not self.feasible(Position.of(self.levels, first, 1), Position.of(self.levels, second, 1))[0]:
            sse = float("inf")
        u = self.levels.u

        def around(value: float) -> tuple[int, int] | None:
            if reach is None:
                return None
            centre = int(np.searchsorted(u, value))
            return centre - reach, centre + reach + 1

        for _ in range(100):
            new_second, sse_second = self.best_given(first, fixed_is_first=True, window=around(second))
            moved = sse_second < sse * (1 - TOLERANCE)
            if sse_second < sse:
                second, sse = new_second, sse_second
            new_first, sse_first = self.best_given(second, fixed_is_first=False, window=around(first))
            moved = moved or sse_first < sse * (1 - TOLERANCE)
            if sse_first < sse:
                first, sse = new_first, sse_first
            if moved:
                continue
            i0 = int(np.searchsorted(u, first)) - 1
            j0 = int(np.searchsorted(u, second)) - 1
            first_gaps = np.arange(max(i0 - WINDOW, 0), min(i0 + WINDOW + 1, u.size - 1))
            second_gaps = np.arange(max(j0 - WINDOW, 0), min(j0 + WINDOW + 1, u.size - 1))
            p1, p2, s = self.three_pieces(first_gaps, second_gaps)
            if not s < sse * (1 - TOLERANCE):
                break
            first, second, sse = p1, p2, s
        return first, second, sse


def _line_plus_hinge(
    sums: FloatArray, h1: FloatArray, h2: FloatArray, hh: FloatArray, hv: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Fit [1, u, (u−a)₊] on blocks of levels: intercept, slope, SSE and the hinge coefficient δ."""
    s0, s1, s2, sv, suv, svv = sums
    det = s0 * s2 - s1 * s1
    with np.errstate(divide="ignore", invalid="ignore"):
        g00, g01, g11 = s2 / det, -s1 / det, s0 / det
        c0, c1 = g00 * sv + g01 * suv, g01 * sv + g11 * suv
        r = hv - (h1 * c0 + h2 * c1)
        p0, p1 = g00 * h1 + g01 * h2, g01 * h1 + g11 * h2
        m = hh - (h1 * p0 + h2 * p1)
        delta = r / m
        intercept = c0 - delta * p0
        slope = c1 - delta * p1
        sse = svv - (sv * c0 + suv * c1) - r * r / m
    bad = ~((det > 1e-12 * np.maximum(s0 * s2, 1e-300)) & (m > 1e-12 * np.maximum(hh, 1e-300)))
    nan = np.nan
    return (
        np.where(bad, nan, intercept),
        np.where(bad, nan, slope),
        np.where(bad, nan, sse),
        np.where(bad, nan, delta),
    )


def search_breakpoints(levels: Levels, number: int, min_segment: float, min_separation: float = 0.0) -> SearchResult:
    """The least-squares breakpoints for `number` = 0, 1 or 2 (original scale), with the SSE.

    `min_segment` counts observations per segment (at least 1); `min_separation` is in satisfaction units.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(1, 10, 91)
    >>> found = search_breakpoints(collapse_levels(s, np.minimum(s, 4.05), np.ones(91)), 1, 10)
    >>> round(found.breakpoints[0], 6), round(found.sse, 12)
    (4.05, 0.0)
    """
    profile = Profile(levels, min_segment, min_separation)
    if number == 0:
        return SearchResult((), profile.linear_sse)
    if number == 1:
        psi, sse = profile.best_one()
        found = [psi]
    else:
        first, second, sse = profile.best_two()
        found = [first, second]
    return SearchResult(tuple(float(p * levels.scale + levels.centre) for p in found), sse)
