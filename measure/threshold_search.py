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
* two breakpoints, more distinct values: a grid of pairs of quantile values, then exact coordinate
  descent (each step is the exact optimum over one breakpoint with the other fixed, every value and gap
  of the data) from the best few grid pairs, and the exact three-piece intersections near the result.

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
STARTS = 3  # best coarse pairs refined by coordinate descent
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

    Observations with zero weight are dropped (a bootstrap replicate that did not draw them).
    """
    keep = weights > 0
    x, y, w = satisfaction[keep], loyalty[keep], weights[keep]
    order = np.argsort(x, kind="stable")
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
    sums = np.stack([w, w * u, w * u * u, w * v, w * u * v, w * v * v])
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


def _hinge_sums(levels: Levels, a: FloatArray, stop: NDArray[np.intp] | None = None) -> FloatArray:
    """Σw h, Σw u h, Σw h², Σw v h for h = (u − a)₊ over the levels before `stop` (all when None)."""
    first = np.searchsorted(levels.u, a, side="right")
    if stop is None:
        t = levels.suffix[:, first]
    else:
        first = np.minimum(first, stop)
        t = levels.suffix[:, first] - levels.suffix[:, stop]
    t0, t1, t2, tv, tuv, _ = t
    return np.stack([t1 - a * t0, t2 - a * t1, t2 - 2 * a * t1 + a * a * t0, tuv - a * tv])


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

    # -- counting -------------------------------------------------------------------------------------
    def _left_counts(self, position: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Observations left of a breakpoint: (fewest, most) over the two sides of a data value."""
        u = self.levels.u
        low = self.below[np.searchsorted(u, position, side="left")]
        high = self.below[np.searchsorted(u, position, side="right")]
        return low, high

    def _feasible(self, first: FloatArray, second: FloatArray | None = None) -> NDArray[np.bool_]:
        n, need = self.levels.total_count, self.min_segment
        eps = 1e-12
        inside = (first >= self.lower - eps) & (first <= self.upper + eps)
        low1, high1 = self._left_counts(first)
        if second is None:
            left = np.where(low1 >= need, low1, high1)
            return inside & (left >= need) & (n - left >= need)
        inside &= (second >= self.lower - eps) & (second <= self.upper + eps)
        inside &= second - first >= self.min_separation - eps
        low2, high2 = self._left_counts(second)
        left = np.where(low1 >= need, low1, high1)
        boundary = np.where(n - high2 >= need, high2, low2)
        return inside & (left >= need) & (boundary - left >= need) & (n - boundary >= need)

    # -- residual sums of squares at given breakpoints --------------------------------------------------
    def sse_one(self, a: FloatArray) -> FloatArray:
        """SSE with one knot at each a (standardised)."""
        h1, h2, hh, hv = _hinge_sums(self.levels, a)
        g = self.g_inverse
        _, _, _, sv, suv, _ = self.total
        r = hv - (h1 * (g[0, 0] * sv + g[0, 1] * suv) + h2 * (g[1, 0] * sv + g[1, 1] * suv))
        m = hh - (h1 * (g[0, 0] * h1 + g[0, 1] * h2) + h2 * (g[1, 0] * h1 + g[1, 1] * h2))
        with np.errstate(divide="ignore", invalid="ignore"):
            sse = self.linear_sse - r * r / m
        return np.where(m > 1e-12 * np.maximum(hh, 1e-300), sse, np.inf)

    def sse_two(self, a: FloatArray, b: FloatArray) -> FloatArray:
        """SSE with knots at a < b (standardised), elementwise."""
        a1, a2, aa, av = _hinge_sums(self.levels, a)
        b1, b2, bb, bv = _hinge_sums(self.levels, b)
        first_b = np.searchsorted(self.levels.u, b, side="right")
        t0, t1, t2 = (
            self.levels.suffix[0, first_b],
            self.levels.suffix[1, first_b],
            self.levels.suffix[2, first_b],
        )
        ab = t2 - (a + b) * t1 + a * b * t0
        g = self.g_inverse
        _, _, _, sv, suv, _ = self.total
        c0, c1 = g[0, 0] * sv + g[0, 1] * suv, g[1, 0] * sv + g[1, 1] * suv
        ra = av - (a1 * c0 + a2 * c1)
        rb = bv - (b1 * c0 + b2 * c1)

        def cross(p1: FloatArray, p2: FloatArray, q1: FloatArray, q2: FloatArray) -> FloatArray:
            result: FloatArray = p1 * (g[0, 0] * q1 + g[0, 1] * q2) + p2 * (g[1, 0] * q1 + g[1, 1] * q2)
            return result

        maa = aa - cross(a1, a2, a1, a2)
        mbb = bb - cross(b1, b2, b1, b2)
        mab = ab - cross(a1, a2, b1, b2)
        det = maa * mbb - mab * mab
        with np.errstate(divide="ignore", invalid="ignore"):
            sse = self.linear_sse - (mbb * ra * ra - 2 * mab * ra * rb + maa * rb * rb) / det
        ok = det > 1e-10 * np.maximum(maa * mbb, 1e-300)
        return np.where(ok, sse, np.inf)

    # -- exact optimum over one breakpoint ---------------------------------------------------------------
    def best_one(self) -> tuple[float, float]:
        """Exact global optimum with one breakpoint: (ψ standardised, SSE)."""
        lv = self.levels
        u = lv.u
        m = u.size
        values = u[(u >= self.lower) & (u <= self.upper)]
        sse_values = np.where(self._feasible(values), self.sse_one(values), np.inf)
        # gaps (u_l, u_l+1): separate lines on levels ≤ l and > l, their intersection
        gap = np.arange(m - 1)
        left = _line_fit(_block(lv, np.zeros_like(gap), gap + 1))
        right = _line_fit(_block(lv, gap + 1, np.full_like(gap, m)))
        with np.errstate(divide="ignore", invalid="ignore"):
            psi = (right[0] - left[0]) / (left[1] - right[1])
        inside = (psi > u[gap]) & (psi < u[gap + 1])
        psi_ok = np.where(inside, psi, self.lower - 1.0)
        sse_gaps = np.where(inside & self._feasible(psi_ok), left[2] + right[2], np.inf)
        candidates = np.concatenate((values, psi_ok))
        sse = np.concatenate((sse_values, sse_gaps))
        best = int(np.argmin(sse))
        return float(candidates[best]), float(sse[best])

    def best_given(self, fixed: float, fixed_is_first: bool) -> tuple[float, float]:
        """Exact optimum of the other breakpoint with one breakpoint fixed: (other ψ, SSE), standardised."""
        lv = self.levels
        u = lv.u
        m = u.size
        if fixed_is_first:
            values = u[(u > fixed) & (u <= self.upper)]
            sse_values = self.sse_two(np.full(values.size, fixed), values)
            feasible = self._feasible(np.full(values.size, fixed), values)
        else:
            values = u[(u < fixed) & (u >= self.lower)]
            sse_values = self.sse_two(values, np.full(values.size, fixed))
            feasible = self._feasible(values, np.full(values.size, fixed))
        sse_values = np.where(feasible, sse_values, np.inf)
        gap = np.arange(m - 1)
        fixed_array = np.full(gap.size, fixed)
        if fixed_is_first:
            # left part: levels ≤ l with a knot at `fixed`; right part: a line on levels > l
            stop = gap + 1
            head = _block(lv, np.zeros_like(gap), stop)
            h1, h2, hh, hv = _hinge_sums(lv, fixed_array, stop)
            base_i, base_s, base_sse, delta = _line_plus_hinge(head, h1, h2, hh, hv)
            tail_i, tail_s, tail_sse = _line_fit(_block(lv, stop, np.full_like(gap, m)))
            # the left model beyond the fixed knot: intercept base_i − δ·fixed, slope base_s + δ
            with np.errstate(divide="ignore", invalid="ignore"):
                psi = (tail_i - (base_i - delta * fixed)) / ((base_s + delta) - tail_s)
            inside = (psi > u[gap]) & (psi < u[gap + 1]) & (psi > fixed)
            gap_sse = base_sse + tail_sse
            psi_ok = np.where(inside, psi, fixed)
            feasible_gaps = inside & self._feasible(fixed_array, psi_ok)
        else:
            # left part: a line on levels ≤ l; right part: levels > l with a knot at `fixed`
            start = gap + 1
            head_i, head_s, head_sse = _line_fit(_block(lv, np.zeros_like(gap), start))
            tail = _block(lv, start, np.full_like(gap, m))
            h1, h2, hh, hv = _hinge_sums(lv, fixed_array)
            base_i, base_s, base_sse, delta = _line_plus_hinge(tail, h1, h2, hh, hv)
            with np.errstate(divide="ignore", invalid="ignore"):
                psi = (base_i - head_i) / (head_s - base_s)
            inside = (psi > u[gap]) & (psi < u[gap + 1]) & (psi < fixed)
            gap_sse = head_sse + base_sse
            psi_ok = np.where(inside, psi, fixed)
            feasible_gaps = inside & self._feasible(psi_ok, fixed_array)
        sse_gaps = np.where(feasible_gaps & np.isfinite(gap_sse), gap_sse, np.inf)
        candidates = np.concatenate((values, psi_ok))
        sse = np.concatenate((sse_values, sse_gaps))
        if sse.size == 0:
            return fixed, float("inf")
        best = int(np.argmin(sse))
        return float(candidates[best]), float(sse[best])

    def three_pieces(
        self, first_gaps: NDArray[np.intp], second_gaps: NDArray[np.intp]
    ) -> tuple[float, float, float]:
        """Best pair with both breakpoints inside gaps: three separate lines meeting inside their gaps."""
        lv = self.levels
        u, m = lv.u, lv.u.size
        first_grid, second_grid = np.meshgrid(first_gaps, second_gaps, indexing="ij")
        i, j = first_grid.ravel(), second_grid.ravel()
        keep = i < j
        i, j = i[keep], j[keep]
        if i.size == 0:
            return 0.0, 0.0, float("inf")
        one = _line_fit(_block(lv, np.zeros_like(i), i + 1))
        two = _line_fit(_block(lv, i + 1, j + 1))
        three = _line_fit(_block(lv, j + 1, np.full_like(j, m)))
        with np.errstate(divide="ignore", invalid="ignore"):
            psi1 = (two[0] - one[0]) / (one[1] - two[1])
            psi2 = (three[0] - two[0]) / (two[1] - three[1])
        inside = (psi1 > u[i]) & (psi1 < u[i + 1]) & (psi2 > u[j]) & (psi2 < u[j + 1])
        psi1 = np.where(inside, psi1, self.lower)
        psi2 = np.where(inside, psi2, self.upper)
        sse = one[2] + two[2] + three[2]
        sse = np.where(inside & self._feasible(psi1, psi2) & np.isfinite(sse), sse, np.inf)
        best = int(np.argmin(sse))
        return float(psi1[best]), float(psi2[best]), float(sse[best])

    def best_two(self) -> tuple[float, float, float]:
        """Global optimum with two breakpoints (exact for few distinct values, see the module docstring)."""
        u = self.levels.u
        m = u.size
        in_range = np.flatnonzero((u >= self.lower) & (u <= self.upper))
        best = (0.0, 0.0, float("inf"))
        if m <= EXACT_LEVELS:
            for value in u[in_range]:
                other, sse = self.best_given(float(value), fixed_is_first=True)
                if sse < best[2]:
                    best = (float(value), other, sse)
                other, sse = self.best_given(float(value), fixed_is_first=False)
                if sse < best[2]:
                    best = (other, float(value), sse)
            gaps = np.arange(max(in_range[0] - 1, 0), min(in_range[-1] + 1, m - 1))
            candidate = self.three_pieces(gaps, gaps)
            return candidate if candidate[2] < best[2] else best
        grid = in_range[np.unique(np.linspace(0, in_range.size - 1, GRID_LEVELS).round().astype(np.intp))]
        i, j = np.triu_indices(grid.size, k=1)
        a, b = u[grid[i]], u[grid[j]]
        grid_sse = np.where(self._feasible(a, b), self.sse_two(a, b), np.inf)
        order = np.argsort(grid_sse)
        starts: list[tuple[float, float]] = []
        for index in order[: 20 * STARTS]:
            if not np.isfinite(grid_sse[index]) or len(starts) == STARTS:
                break
            pair = (float(a[index]), float(b[index]))
            spacing = 3 * (u[in_range[-1]] - u[in_range[0]]) / GRID_LEVELS
            if all(abs(pair[0] - p[0]) + abs(pair[1] - p[1]) > spacing for p in starts):
                starts.append(pair)
        for first, second in starts:
            candidate = self._descend(first, second)
            if candidate[2] < best[2]:
                best = candidate
        return best

    def _descend(self, first: float, second: float) -> tuple[float, float, float]:
        """Exact coordinate descent, then three-piece intersections in a window around the result."""
        sse = float(self.sse_two(np.array([first]), np.array([second]))[0])
        u = self.levels.u
        for _ in range(3):
            for _ in range(60):
                new_second, sse_second = self.best_given(first, fixed_is_first=True)
                if sse_second < sse:
                    second, sse = new_second, sse_second
                new_first, sse_first = self.best_given(second, fixed_is_first=False)
                improved = sse_first < sse * (1 - 1e-15)
                if sse_first < sse:
                    first, sse = new_first, sse_first
                if not improved and sse_second >= sse * (1 - 1e-15):
                    break
            i0 = int(np.searchsorted(u, first)) - 1
            j0 = int(np.searchsorted(u, second)) - 1
            first_gaps = np.arange(max(i0 - WINDOW, 0), min(i0 + WINDOW + 1, u.size - 1))
            second_gaps = np.arange(max(j0 - WINDOW, 0), min(j0 + WINDOW + 1, u.size - 1))
            p1, p2, s = self.three_pieces(first_gaps, second_gaps)
            if not s < sse * (1 - 1e-15):
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


def search_breakpoints(
    levels: Levels, number: int, min_segment: float, min_separation: float = 0.0
) -> SearchResult:
    """The least-squares breakpoints for `number` = 0, 1 or 2 (original scale), with the SSE."""
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
