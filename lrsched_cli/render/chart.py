"""The terminal chart: every series on shared axes, drawn with plotext.

One colour and one marker character per series, so the chart still reads without colour
(NO_COLOR, or output that is not a terminal). The legend is printed below the canvas,
where it cannot hide a curve.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from ..series import Series

MARKERS = ("o", "x", "+", "*", "#", "@", "%", "=")
COLORS = ("blue", "red", "green", "magenta", "cyan", "yellow", "white", "bright-blue")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_POINTS = 4000  # per series: more than any terminal has cells for


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(1, count - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    k = 0
    while first + k * step <= hi + 1e-9 * step:
        ticks.append(round(first + k * step, 12))
        k += 1
    return ticks


def _tick_label(v: float) -> str:
    if v == 0:
        return "0"
    text = f"{v:.3g}"
    return text.replace("e-0", "e-").replace("e+0", "e")


def log_ticks(lo: float, hi: float) -> list[float]:
    lo_e, hi_e = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    every = max(1, math.ceil((hi_e - lo_e) / 6))
    return [10.0 ** e for e in range(lo_e, hi_e + 1, every) if lo <= 10.0 ** e <= hi] or [lo, hi]


def _thin(s: Series) -> tuple[np.ndarray, np.ndarray]:
    """At most MAX_POINTS points of a series, keeping each bucket's extremes."""
    n = len(s)
    if n <= MAX_POINTS:
        return s.steps, s.values
    idx = np.linspace(0, n - 1, MAX_POINTS // 2).astype(np.int64)
    edges = np.append(idx, n)
    keep = set(idx.tolist())
    for a, b in zip(edges[:-1], edges[1:]):
        if b > a:
            seg = s.values[a:b]
            keep.add(a + int(np.argmin(seg)))
            keep.add(a + int(np.argmax(seg)))
    order = np.array(sorted(keep))
    return s.steps[order], s.values[order]


def render_chart(series: Sequence[Series], width: int = 80, height: int = 20,
                 log_y: bool = False, color: bool = False, log_x: bool = False,
                 xlabel: str | None = None, ylabel: str = "lr",
                 points: Sequence[tuple[np.ndarray, np.ndarray] | None] | None = None,
                 markers: bool | None = None, cursor: float | None = None) -> str:
    """The chart as text (with ANSI colours when ``color``), ``width`` columns wide.

    In colour the curves are drawn in braille dots (2 x 4 per character cell); without,
    each with its own marker character, so that they read apart. ``points``: what to draw
    of each series (a :func:`~lrsched_cli.render.scan.scan`'s envelope), else its values
    thinned here. ``markers``: force marker characters (True) or braille (False).
    ``log_x``: the steps are positive x values on a log axis (a range test's rates).
    ``cursor``: a vertical line at that step (explore's marker).
    """
    import plotext as plt

    braille = color if markers is None else not markers
    plt.clear_figure()
    plt.theme("clear")  # the terminal's own background and text colour; curves coloured
    plt.plotsize(width, height)
    drawn = [(_thin(s) if points is None or points[i] is None else points[i])
             for i, s in enumerate(series)]
    lo_x = min(float(x[0]) for x, _ in drawn if len(x)) if any(len(x) for x, _ in drawn) \
        else 0.0
    hi_x = max(float(x[-1]) for x, _ in drawn if len(x)) if any(len(x) for x, _ in drawn) \
        else 1.0
    ys = []
    order = sorted(range(len(series)), key=lambda j: series[j].is_log)  # logs on top
    for i in order:
        s = series[i]
        x, y = drawn[i]
        if log_y:
            keep = y > 0
            x, y = x[keep], y[keep]
        if not len(y):
            continue
        ys.append(y)
        draw = plt.scatter if s.is_log else plt.plot  # logged points, not a line
        draw(x.tolist(), y.tolist(),
             marker="braille" if braille and not s.is_log else MARKERS[i % len(MARKERS)],
             color=COLORS[i % len(COLORS)])
    if cursor is not None:
        plt.vline(cursor, "white")
    if ys:
        lo_y = min(float(y.min()) for y in ys)
        hi_y = max(float(y.max()) for y in ys)
        if log_y:
            plt.yscale("log")
            ticks = log_ticks(lo_y, hi_y) if hi_y > lo_y else [lo_y]
        else:
            ticks = nice_ticks(lo_y, hi_y) if hi_y > lo_y else [lo_y]
        plt.yticks(ticks, [_tick_label(v) for v in ticks])
    if log_x:
        plt.xscale("log")
        xt = log_ticks(lo_x, hi_x)
        plt.xticks(xt, [_tick_label(v) for v in xt])
    else:
        xt = [v for v in nice_ticks(lo_x, hi_x, count=max(3, width // 16)) if v == int(v)]
        plt.xticks(xt, [str(int(v)) for v in xt])
    label = xlabel or series[0].unit
    plt.xlabel(label + (f"   ({ylabel} on a log scale)" if log_y else ""))
    text = plt.build()
    plt.clear_figure()
    if not color:
        text = _ANSI.sub("", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def coincident(points: Sequence[tuple[np.ndarray, np.ndarray] | None]) -> dict[int, list[int]]:
    """For each curve drawn on exactly the same points as others, those others (their
    values equal within 1e-12 of the peak): identical curves hide each other."""
    same: dict[int, list[int]] = {}
    for i, p in enumerate(points):
        for j, q in enumerate(points):
            if i == j or p is None or q is None or len(p[0]) != len(q[0]):
                continue
            if not np.array_equal(p[0], q[0]):
                continue
            scale = max(float(np.abs(p[1]).max(initial=0)), float(np.abs(q[1]).max(initial=0)))
            if np.all(np.abs(p[1] - q[1]) <= 1e-12 * scale):
                same.setdefault(i, []).append(j)
    return same


def hidden(series: Sequence[Series], width: int, height: int, log_y: bool,
           points: Sequence[tuple[np.ndarray, np.ndarray] | None] | None) -> set[int]:
    """The curves that own no character cell of the chart (every cell they pass through is
    drawn over by a later curve), found by drawing it with one marker per curve."""
    if len(series) < 2 or len(series) > len(MARKERS):
        return set()
    text = render_chart(series, width=width, height=height, log_y=log_y, points=points,
                        markers=True)
    canvas = "".join(line[line.index("│") + 1:line.rindex("│")] if line.count("│") >= 2
                     else line[line.index("┤") + 1:line.rindex("│")]
                     for line in text.splitlines()
                     if ("│" in line and line.count("│") >= 2) or ("┤" in line and "│" in line))
    return {i for i in range(len(series)) if MARKERS[i % len(MARKERS)] not in canvas}


def legend_markup(series: Sequence[Series], color: bool,
                  same: dict[int, list[int]] | None = None,
                  covered: set[int] | None = None) -> list[str]:
    """One rich-markup line per series: its marker (in its colour) and its label, and a note
    where it coincides with another curve or is drawn over everywhere."""
    from rich.markup import escape

    lines = []
    for i, s in enumerate(series):
        mark = ("⣿" if color and not s.is_log else MARKERS[i % len(MARKERS)]) * 2
        if color:
            c = COLORS[i % len(COLORS)].replace("-", "_")
            mark = f"[{c}]{mark}[/{c}]"
        key = f"#{i + 1} " if len(series) > 1 else ""
        note = ""
        if same and i in same:
            note = "  (the same curve as " + ", ".join(f"#{j + 1}" for j in same[i]) + ")"
        elif covered and i in covered:
            note = "  (drawn over by the other curves everywhere)"
        lines.append(f"  {mark} {key}{escape(s.label)}{escape(note)}")
    return lines
