"""Sparklines: a series in one line of block characters (▁▂▃▄▅▆▇█).

A sparkline is made from the per-column min/max envelope that :func:`.scan.scan` streams
(``Scan.spark``), so it costs one pass over the series whatever its length. Each character
shows its column's midpoint, (min + max) / 2 (the geometric mean on a log scale), on eight
equal levels between the series' min (▁) and max (█): a column of one value shows that
value, and a monotone schedule gives a monotone line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..series import Series

BLOCKS = "▁▂▃▄▅▆▇█"
FLAT = BLOCKS[3]  # a constant series: one level, mid-height
NOT_A_TTY_WIDTH = 60  # characters of a sparkline on a pipe or in a file


def rebin(lo: np.ndarray, hi: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The envelope of ``len(lo)`` columns in ``width`` (fewer) columns: each new column the
    min and max of a run of adjacent ones (exact: the columns cover disjoint step ranges)."""
    k = len(lo)
    if width >= k:
        return lo, hi
    group = np.arange(k) * width // k
    starts = np.flatnonzero(np.r_[True, np.diff(group) > 0])
    return np.minimum.reduceat(lo, starts), np.maximum.reduceat(hi, starts)


def bounds(lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """The series' min and max: those of its columns (which cover every step)."""
    ok = np.isfinite(lo)
    return float(lo[ok].min()), float(hi[ok].max())


def levels(lo: np.ndarray, hi: np.ndarray, log: bool = False) -> np.ndarray:
    """Each column's level 0..7 (▁..█). A column no step fell in (a log's gap) holds the
    level before it. On a log scale values at or below 0 are level 0."""
    ok = np.isfinite(lo) & np.isfinite(hi)
    vmin, vmax = bounds(lo, hi)
    if log and vmax > 0:
        floor = float(lo[ok & (lo > 0)].min()) if np.any(ok & (lo > 0)) else vmax
        with np.errstate(invalid="ignore", divide="ignore"):
            mid = np.where(lo > 0, np.sqrt(np.abs(lo * hi)), hi)
            pos = mid > 0
            x = np.where(pos, np.log10(np.where(pos, mid, 1.0)), -np.inf)
        a, b = np.log10(floor), np.log10(vmax)
    else:
        x = (lo + hi) / 2
        a, b = vmin, vmax
    if not b > a:
        lev = np.full(len(lo), FLAT_LEVEL)
    else:
        with np.errstate(invalid="ignore"):
            lev = np.clip(np.floor((x - a) / (b - a) * len(BLOCKS)), 0, len(BLOCKS) - 1)
    lev = np.where(ok, lev, -1).astype(np.int64)
    for i in np.flatnonzero(lev < 0):  # gaps: hold the level before (the first never is one)
        lev[i] = lev[i - 1] if i else FLAT_LEVEL
    return lev


FLAT_LEVEL = BLOCKS.index(FLAT)


def spark_text(lo: np.ndarray, hi: np.ndarray, width: int | None = None,
               log: bool = False) -> str:
    """The sparkline of an envelope, in at most ``width`` characters."""
    if width is not None:
        lo, hi = rebin(lo, hi, max(1, width))
    return "".join(BLOCKS[k] for k in levels(lo, hi, log))


def spark_lines(series: Sequence[Series], width: int | None, log: bool = False) -> list[str]:
    """``table --spark``: one line per series: its label (when there are several), its
    sparkline and its min and max. ``width``: the terminal's, which the lines fill; None
    (not a terminal): sparklines of NOT_A_TTY_WIDTH characters. Never longer than the
    series has steps."""
    from .numbers import one
    from .scan import scan

    bins = NOT_A_TTY_WIDTH if width is None else max(1, width)
    scans = scan(series, np.array([], dtype=np.int64), None, spark=bins)
    labels = [s.label for s in series] if len(series) > 1 else [""]
    lab_w = max(len(x) for x in labels)
    tails = []
    for sc in scans:
        assert sc.spark is not None
        vmin, vmax = bounds(*sc.spark)
        tails.append(f"  constant {one(vmin)}" if vmin == vmax
                     else f"  min {one(vmin)}  max {one(vmax)}")
    room = bins if width is None else max(8, width - (lab_w + 2 if lab_w else 0)
                                           - max(len(t) for t in tails))
    lines = []
    for lab, sc, tail in zip(labels, scans, tails):
        assert sc.spark is not None
        head = f"{lab:<{lab_w}}  " if lab else ""
        lines.append(head + spark_text(*sc.spark, room, log) + tail)
    return lines
