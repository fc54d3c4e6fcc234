"""One streamed pass over series for the terminal views (table, compare, the chart).

What a view shows of a series of any length is small: its summary statistics, its values
at the rows shown, and a chart envelope a few points per column wide. :func:`scan` gathers
all three in one pass over the series' chunks (aligned series, such as parameter groups or
compared schedules of one length, together), so ``table`` and ``compare`` of 10^7 steps cost
about what ``export`` does and hold one chunk at a time. It imports no rich or plotext.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..series import Series, aligned, lockstep

SCAN_CHUNK = 1 << 18  # rows per chunk of a scan (2 MB of float64)


class Stats:
    """Summary statistics accumulated chunk by chunk (first, min, peak and its first step,
    last, sum, and the first step after the peak where lr < peak / 2)."""

    def __init__(self) -> None:
        self.count = 0
        self.first: float | None = None
        self.last: float | None = None
        self.min = np.inf
        self.peak = -np.inf
        self.peak_step = 0
        self.total = 0.0
        self.half_step: int | None = None

    def add(self, steps: np.ndarray, vals: np.ndarray) -> None:
        if not len(vals):
            return
        if self.first is None:
            self.first = float(vals[0])
        self.last = float(vals[-1])
        self.count += len(vals)
        self.total += float(np.sum(vals))
        self.min = min(self.min, float(vals.min()))
        k = int(np.argmax(vals))
        if vals[k] > self.peak:  # a new peak: the half-way step is searched after it
            self.peak, self.peak_step = float(vals[k]), int(steps[k])
            below = np.flatnonzero(vals[k:] < self.peak / 2)
            self.half_step = int(steps[k + below[0]]) if below.size else None
        elif self.half_step is None:
            below = np.flatnonzero(vals < self.peak / 2)
            if below.size:
                self.half_step = int(steps[below[0]])


class Columns:
    """Per chart column: the min, the max, and the first and last value seen (a min/max
    envelope built in chunks; shared with the matplotlib figure)."""

    def __init__(self, bins: int) -> None:
        self.lo = np.full(bins, np.inf)
        self.hi = np.full(bins, -np.inf)
        self.first = np.full(bins, np.nan)
        self.last = np.full(bins, np.nan)

    def add_chunk(self, steps: np.ndarray, vals: np.ndarray, start: int, n: int) -> None:
        """Add rows at ``steps`` of a contiguous series of ``n`` rows from ``start``."""
        bins = len(self.lo)
        idx = (steps - start) * bins // n
        starts = np.concatenate(([0], np.flatnonzero(np.diff(idx)) + 1))
        ends = np.concatenate((starts[1:], [len(idx)])) - 1
        b = idx[starts]
        self.lo[b] = np.minimum(self.lo[b], np.minimum.reduceat(vals, starts))
        self.hi[b] = np.maximum(self.hi[b], np.maximum.reduceat(vals, starts))
        fresh = np.isnan(self.first[b])
        self.first[b[fresh]] = vals[starts[fresh]]
        self.last[b] = vals[ends]

    def polyline(self, n: int, start: int) -> tuple[np.ndarray, np.ndarray]:
        """Per column it passes through the min and the max in the order the series visits
        them (falling: max then min), so restarts and cycles keep their spikes."""
        bins = len(self.lo)
        used = np.flatnonzero(np.isfinite(self.lo))
        # each column spans steps x0..x1; the line enters at x0 and leaves at x1
        x0 = start + (used * n + bins - 1) // bins
        x1 = start + ((used + 1) * n + bins - 1) // bins - 1
        lo, hi, first, last = self.lo[used], self.hi[used], self.first[used], self.last[used]
        falling = first > last
        x = np.empty(2 * len(used))
        y = np.empty(2 * len(used))
        x[0::2], x[1::2] = x0, x1
        y[0::2] = np.where(falling, hi, lo)
        y[1::2] = np.where(falling, lo, hi)
        return x, y


@dataclass
class Scan:
    """What the terminal views need of one series."""

    stats: Stats
    at: np.ndarray  # values at the chosen steps (NaN where the series has no such step)
    points: tuple[np.ndarray, np.ndarray] | None  # what the chart draws
    spark: tuple[np.ndarray, np.ndarray] | None = None  # per sparkline column: min, max


def _picker(s: Series, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions in ``chosen`` of the steps ``s`` has, those steps)."""
    if s.contiguous:
        ok = (chosen >= s.start) & (chosen < s.stop)
    else:
        idx = np.searchsorted(s.steps, chosen)
        ok = (idx < len(s)) & (s.steps[np.minimum(idx, len(s) - 1)] == chosen)
    return np.flatnonzero(ok), chosen[ok]


def _spark_columns(width: int, first: int, last: int) -> Columns:
    """The columns of a sparkline of at most ``width`` characters over steps first..last
    (one per step when there are fewer)."""
    return Columns(max(1, min(width, last - first + 1)))


def scan(series: Sequence[Series], chosen: np.ndarray, bins: int | None,
         dense_above: int = 0, advance: Callable[[int], None] = lambda rows: None,
         spark: int | None = None) -> list[Scan]:
    """Stats, values at ``chosen`` steps and (with ``bins``) chart points of each series.

    A contiguous series longer than ``dense_above`` rows is drawn as its min/max envelope
    over ``bins`` columns; shorter ones and sparse logs by their own points. ``spark``: also
    the min and max of each of (at most) that many columns over its steps, for a sparkline
    (:mod:`.spark`).
    """
    chosen = np.asarray(chosen, dtype=np.int64)
    out: list[Scan | None] = [None] * len(series)
    streamed = [i for i, s in enumerate(series) if s.contiguous and s.source is not None]
    for i, s in enumerate(series):  # held in memory: direct
        if i in streamed:
            continue
        st = Stats()
        st.add(s.steps, s.values)
        at = np.full(len(chosen), np.nan)
        pos, steps = _picker(s, chosen)
        at[pos] = s.values_at(steps)
        points = None
        if bins is not None:
            points = _envelope([s], bins, advance)[0] if s.contiguous and len(s) > dense_above \
                else (s.steps, s.values)
        sparks = None
        if spark is not None and len(s):
            first, last = int(s.steps[0]), int(s.steps[-1])
            c = _spark_columns(spark, first, last)
            c.add_chunk(s.steps, s.values, first, last - first + 1)
            sparks = (c.lo, c.hi)
        out[i] = Scan(st, at, points, sparks)
    passes = [streamed] if len(streamed) > 1 and aligned([series[i] for i in streamed]) \
        else [[i] for i in streamed]
    for group in passes:
        members = [series[i] for i in group]
        first = members[0]
        n, start = len(first), first.start
        stats = [Stats() for _ in group]
        cols = [Columns(bins) for _ in group] if bins is not None and n > dense_above else None
        sparks = [_spark_columns(spark, start, start + n - 1) for _ in group] \
            if spark is not None and n else None
        picks = [_picker(s, chosen) for s in members]
        at = [np.full(len(chosen), np.nan) for _ in group]
        kept: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in group]
        for steps, vals in lockstep(members, SCAN_CHUNK, advance):
            a, b = int(steps[0]), int(steps[-1]) + 1
            for j, v in enumerate(vals):
                stats[j].add(steps, v)
                pos, want = picks[j]
                inside = (want >= a) & (want < b)
                at[j][pos[inside]] = v[want[inside] - a]
                if cols is not None:
                    cols[j].add_chunk(steps, v, start, n)
                elif bins is not None:
                    kept[j].append((steps, v))
                if sparks is not None:
                    sparks[j].add_chunk(steps, v, start, n)
        for j, i in enumerate(group):
            points = None
            if cols is not None:
                points = cols[j].polyline(n, start)
            elif bins is not None:
                points = (np.concatenate([k[0] for k in kept[j]]) if kept[j] else np.array([]),
                          np.concatenate([k[1] for k in kept[j]]) if kept[j] else np.array([]))
            out[i] = Scan(stats[j], at[j], points,
                          (sparks[j].lo, sparks[j].hi) if sparks is not None else None)
    return [x for x in out if x is not None]


def _envelope(series: Sequence[Series], bins: int,
              advance: Callable[[int], None]) -> list[tuple[np.ndarray, np.ndarray]]:
    first = series[0]
    n, start = len(first), first.start
    acc = [Columns(bins) for _ in series]
    for steps, vals in lockstep(series, SCAN_CHUNK, advance):
        for c, v in zip(acc, vals):
            c.add_chunk(steps, v, start, n)
    return [c.polyline(n, start) for c in acc]


envelopes = _envelope


def step_range(series: Sequence[Series]) -> tuple[int, int]:
    """The first and last step of any of ``series`` (without materialising steps)."""
    return (min(int(s.start) if s.contiguous else int(s.steps[0]) for s in series),
            max(s.last_step for s in series))


def all_steps_sample(series: Sequence[Series], rows: int) -> np.ndarray:
    """``rows`` steps evenly sampled from every step any series has (first and last always):
    arithmetic when all are contiguous over one range, else from their union."""
    from .table import sample_rows

    if all(s.contiguous for s in series):  # ranges that leave no gap: arithmetic
        lo, hi = step_range(series)
        reach = lo
        for s in sorted(series, key=lambda x: x.start):
            if s.start > reach:
                break
            reach = max(reach, s.stop)
        else:
            return lo + sample_rows(hi - lo + 1, rows)
    steps = np.unique(np.concatenate([s.steps for s in series]))
    return steps[sample_rows(len(steps), rows)]
