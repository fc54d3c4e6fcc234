"""What the family fitters share: the logged points they fit (:class:`_Data`), piecewise
levels, whole numbers near an estimate, relative least squares, and the searches over a
length (a log-spaced scan refined by golden section).

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports render or commands.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..difference import relative_difference

MAX_GAP_SEARCH = 16  # whole steps tried in a gap when no closed form places a change


@dataclass
class _Data:
    """The logged points a family fits: steps in the main schedule's own count."""

    t: np.ndarray  # float64, whole numbers
    v: np.ndarray
    n_min: int  # the shortest main run the log allows (its last step + 1)
    rtol: float  # values closer than this (relative) are equal
    warm: int = 0  # an overlay warmup of this length precedes the data
    tails: bool = True  # may the decay end before the log does

    def lengths(self) -> tuple[float, float, list[int]]:
        """The range of main run lengths to search, and whole ones worth trying each:
        from the third logged point (a decay may end anywhere after it, held after) when
        tails are allowed, else from the shortest run; up to 64 times the shortest."""
        lo = float(self.t[min(2, len(self.t) - 1)]) + 1 if self.tails else float(self.n_min)
        gap = int(np.median(np.diff(self.t))) if len(self.t) > 1 else 1
        near = list(range(self.n_min, self.n_min + min(max(gap, 1), 64)))
        return max(lo, 2.0), float(max(64 * self.n_min, self.n_min + 64)), near


def _levels(t: np.ndarray, v: np.ndarray, rtol: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Piecewise-constant reading: (level values, first logged step of each level, last
    logged step before it, the level of each point)."""
    scale = np.maximum(np.abs(v[1:]), np.abs(v[:-1]))
    change = np.flatnonzero(np.abs(np.diff(v)) > rtol * np.maximum(scale, 1e-300)) + 1
    starts = np.concatenate(([0], change))
    which = np.zeros(len(v), dtype=np.int64)
    which[change] = 1
    return (v[starts], t[starts], np.concatenate(([t[0] - 1], t[change - 1])),
            np.cumsum(which))


def _roundest(lo: float, hi: float) -> int | None:
    """The whole number in (lo, hi] with the most trailing zeros (the largest of those):
    where a change the log cannot place more exactly most likely is."""
    a, b = math.floor(lo) + 1, math.floor(hi)
    if a > b:
        return None
    p = 10 ** len(str(abs(b)))
    while p >= 1:
        x = b // p * p
        if x >= a:
            return int(x)
        p //= 10
    return b


def _around(x: float, lo: float = -math.inf, hi: float = math.inf, spread: int = 1
            ) -> set[int]:
    """Whole numbers next to ``x`` (floor - spread .. ceil + spread) within [lo, hi]."""
    if not math.isfinite(x) or abs(x) > 1e15:
        return set()
    return {k for k in range(math.floor(x) - spread, math.ceil(x) + spread + 1)
            if lo <= k <= hi}


def _lstsq(columns: list[np.ndarray], v: np.ndarray) -> np.ndarray:
    """Least squares in relative terms (rows weighted 1/|v|): what ``max_rel`` measures."""
    a = np.column_stack(columns)
    pos = np.abs(v) > 0
    w = np.where(pos, 1 / np.where(pos, np.abs(v), 1), 1 / max(float(np.abs(v).max()), 1e-300))
    return np.linalg.lstsq(a * w[:, None], v * w, rcond=None)[0]


def _line(t: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """(a, b) of v = a + b t by least squares."""
    a, b = np.linalg.lstsq(np.column_stack([np.ones_like(t), t]), v, rcond=None)[0]
    return float(a), float(b)


def _resid(model: np.ndarray, v: np.ndarray) -> float:
    """Sum of squared relative differences (what the searches minimise)."""
    with np.errstate(all="ignore"):
        r = relative_difference(model, v)
        s = float(r @ r)
    return s if math.isfinite(s) else math.inf


def _golden(f: Callable[[float], float], a: float, b: float, width: float = 0.5) -> float:
    """A minimum of ``f`` on [a, b] by golden-section search, to ``width``."""
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(80):
        if b - a <= width:
            break
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def _search(f: Callable[[float], float], lo: float, hi: float, near: Iterable[int] = (),
            keep: int = 3) -> list[int]:
    """Whole numbers in [lo, hi] around the ``keep`` deepest local minima of ``f``: every
    whole number when the range is short, else a log-spaced scan (with ``near``) whose
    minima golden-section search refines."""
    lo_i, hi_i = math.ceil(lo), math.floor(hi)
    if hi_i < lo_i:
        return []
    if hi_i - lo_i <= 64:
        xs = np.arange(lo_i, hi_i + 1, dtype=np.float64)
    else:
        extra = [float(x) for x in near if lo_i <= x <= hi_i]
        xs = np.unique(np.concatenate([np.geomspace(lo_i, hi_i, 64), extra]))
    ys = np.array([f(float(x)) for x in xs])
    if not np.isfinite(ys).any():
        return []
    left = np.concatenate(([np.inf], ys[:-1]))
    right = np.concatenate((ys[1:], [np.inf]))
    minima = [i for i in np.flatnonzero((ys <= left) & (ys <= right) & np.isfinite(ys))]
    minima.sort(key=lambda i: ys[i])
    out: set[int] = set()
    for i in minima[:keep]:
        if hi_i - lo_i <= 64:
            x = float(xs[i])
        else:
            x = _golden(f, float(xs[max(i - 1, 0)]), float(xs[min(i + 1, len(xs) - 1)]))
        out |= _around(x, lo_i, hi_i)
    return sorted(out)


def _zero_if_tiny(lo: float, hi: float) -> float:
    """A fitted floor within rounding of 0 is 0 (float32 logs of schedules that reach 0)."""
    return 0.0 if abs(lo) <= 1e-6 * abs(hi) else float(lo)


def _exponents(levels: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """Readings of decreasing levels as ``levels[0] * g ** k``: (log g, k of each level),
    k whole and increasing. Between two logged points several drops may happen, so the
    smallest logged ratio may be g**2 or g**3: the first whole reading is kept."""
    if levels[0] <= 0 or (levels <= 0).any():
        return []
    lr = np.log(levels / levels[0])
    steps = np.diff(lr)
    if not len(steps) or (steps >= 0).any():
        return []
    base = float(steps.max())
    for c in range(1, 9):
        q = steps / (base / c)
        if np.all(np.abs(q - np.round(q)) <= 0.02):
            k = np.concatenate(([0.0], np.cumsum(np.round(q))))
            return [(float(k @ lr / (k @ k)), k)]
    return []
