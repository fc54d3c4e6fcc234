"""The matplotlib figure (PNG, SVG, PDF). matplotlib is imported only here, only to plot."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import UsageError
from ..series import Series, aligned, lockstep
from .numbers import label_number
from .output import output_file

FIGURE_FORMATS = ("png", "svg", "pdf")
# Colour-blind-safe (Okabe-Ito) colours, and line styles so that print in grey still reads.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
          "#F0E442")
STYLES = ("-", "--", "-.", ":", "-", "--", "-.", ":")


def figure_format(path: str) -> str:
    """The format a path's suffix asks for; a UsageError for anything else."""
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        raise UsageError(f"cannot tell the plot format from '{path}': use a .png, .svg or .pdf "
                         "file name")
    return suffix


def _param_text(params: dict[str, Any]) -> str:
    """``lr_max=3e-4, steps=10_000_000``: each number as :func:`numbers.label_number`."""
    parts = []
    for k, v in params.items():
        if isinstance(v, (tuple, list)):
            v = ",".join(label_number(x) for x in v)
        else:
            v = label_number(v)
        parts.append(f"{k}={v}")
    return ", ".join(parts)


def default_title(series: Sequence[Series]) -> str:
    if len(series) == 1:
        s = series[0]
        if s.is_log:
            p = s.params
            extra = ", float32" if p.get("float32") else ""
            return f"log {p.get('file')}: '{p.get('column')}' ({p.get('format')}{extra})"
        return f"{s.name or s.label}: {_param_text(s.params)}"
    if all("group" in s.params for s in series):  # one schedule, per parameter group
        s = series[0]
        base = {k: v for k, v in s.params.items() if k not in ("group", "multiplier")}
        return f"{s.name or s.label}: {_param_text(base)}; {len(series)} parameter groups"
    lengths = sorted({len(s) for s in series})
    span = f"{lengths[0]} {series[0].unit}s" if len(lengths) == 1 else \
        f"{lengths[0]} to {lengths[-1]} {series[0].unit}s"
    return f"{len(series)} learning-rate schedules compared, {span}"


FIG_WIDTH_IN = 7.0
REDUCE_ABOVE = 4  # points per horizontal pixel beyond which a series is reduced


def envelope(s: Series, bins: int,
             advance: Callable[[int], None] = lambda rows: None) -> tuple[np.ndarray, np.ndarray]:
    """A polyline with the min and max of every one of ``bins`` columns (streamed).

    Per column it passes through the min and the max in the order the series visits them
    (falling: max then min), so restarts and cycles keep their spikes: drawn one column
    per pixel it looks like the full-resolution line. Never naive striding.
    """
    return envelopes([s], bins, advance)[0]


def envelopes(series: Sequence[Series], bins: int,
              advance: Callable[[int], None] = lambda rows: None,
              ) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`envelope` of each of ``series``, which must be aligned, in one pass over their
    chunks together (parameter groups compute each chunk of their schedule once)."""
    first_s = series[0]
    n, start = len(first_s), first_s.start
    acc = [_Columns(bins) for _ in series]
    for steps, cols in lockstep(series, 1 << 20, advance):
        idx = (steps - start) * bins // n
        starts = np.concatenate(([0], np.flatnonzero(np.diff(idx)) + 1))
        ends = np.concatenate((starts[1:], [len(idx)])) - 1
        b = idx[starts]
        for a, vals in zip(acc, cols):
            a.add(b, vals, starts, ends)
    return [a.polyline(n, start) for a in acc]


class _Columns:
    """Per column: the min, the max, and the first and last value seen."""

    def __init__(self, bins: int) -> None:
        self.lo = np.full(bins, np.inf)
        self.hi = np.full(bins, -np.inf)
        self.first = np.full(bins, np.nan)
        self.last = np.full(bins, np.nan)

    def add(self, b: np.ndarray, vals: np.ndarray, starts: np.ndarray,
            ends: np.ndarray) -> None:
        self.lo[b] = np.minimum(self.lo[b], np.minimum.reduceat(vals, starts))
        self.hi[b] = np.maximum(self.hi[b], np.maximum.reduceat(vals, starts))
        fresh = np.isnan(self.first[b])
        self.first[b[fresh]] = vals[starts[fresh]]
        self.last[b] = vals[ends]

    def polyline(self, n: int, start: int) -> tuple[np.ndarray, np.ndarray]:
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


def _reduced(series: Sequence[Series], pixels: int,
             quiet: bool) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The envelopes of the series too dense to draw point by point, by index; aligned
    ones (parameter groups) in one pass together."""
    from ..progress import progress

    big = [i for i, s in enumerate(series) if s.contiguous and len(s) > REDUCE_ABOVE * pixels]
    passes = [big] if len(big) > 1 and aligned([series[i] for i in big]) else [[i] for i in big]
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for group in passes:
        first = series[group[0]]
        what = first.label if len(group) == 1 else f"{len(group)} curves"
        with progress(len(first), f"computing {what}", quiet) as advance:
            lines = envelopes([series[i] for i in group], 2 * pixels, advance)
        out.update(zip(group, lines))
    return out


def save_figure(series: Sequence[Series], path: str, log_y: bool = False,
                title: str | None = None, dpi: int = 150, reduce: bool = True,
                quiet: bool = False) -> None:
    """Draw ``series`` on one set of axes and save to ``path`` (format from its suffix).

    A series with more points than ~4 per horizontal pixel is drawn as its per-pixel
    min/max envelope (computed in chunks), so 10^7 steps plot about as fast as 10^3.
    """
    fmt = figure_format(path)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    fig = Figure(figsize=(FIG_WIDTH_IN, 4.2), layout="constrained")
    ax = fig.add_subplot()
    pixels = int(FIG_WIDTH_IN * dpi)
    n = len(series)
    # many parameter groups (layer-wise decay): one colour ramp, in layer order
    ramp = n > len(COLORS) and all("group" in s.params for s in series)
    every = max(1, -(-n // 12)) if n > 24 else 1  # legend entries kept readable
    reduced = _reduced(series, pixels, quiet) if reduce else {}
    for i, s in enumerate(series):
        if ramp:
            shown = i % every == 0 or i == n - 1
            style = dict(linewidth=1.4, color=matplotlib.colormaps["viridis"](0.92 * i / (n - 1)),
                         linestyle="-", label=s.label if shown else "_nolegend_")
        else:
            style = dict(linewidth=1.6, color=COLORS[i % len(COLORS)],
                         linestyle=STYLES[i % len(STYLES)], label=s.label)
        if i in reduced:
            ax.plot(*reduced[i], **style)
        elif s.is_log and len(s) <= 5000:  # logged points: marked where they are
            ax.plot(s.steps, s.values, marker="o", markersize=3.5, linewidth=1.0,
                    **{k: v for k, v in style.items() if k != "linewidth"})
        else:
            ax.plot(s.steps, s.values, drawstyle="steps-post", **style)
    if log_y:
        ax.set_yscale("log")
    else:
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
    ax.set_xlabel(series[0].unit)
    ax.set_ylabel("learning rate")
    ax.set_title("\n".join(textwrap.wrap(title or default_title(series), 80)), fontsize=10,
                 loc="left")
    ax.grid(True, which="major", alpha=0.35, linewidth=0.6)
    if log_y:
        ax.grid(True, which="minor", alpha=0.12, linewidth=0.4)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.01)
    if ramp:
        ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    elif len(series) > 3:  # below the axes, where it covers no curve
        fig.legend(frameon=False, fontsize=9, loc="outside lower center",
                   ncols=2 if max(len(s.label) for s in series) > 24 else 3)
    elif len(series) > 1:
        ax.legend(frameon=False, fontsize=9)
    with output_file(path, binary=True) as fh:
        fig.savefig(fh, format=fmt, dpi=dpi, metadata=_metadata(fmt))


def _metadata(fmt: str) -> dict[str, Any]:
    # Reproducible files: no creation date in SVG/PDF.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return {}
