"""The matplotlib figure (PNG, SVG, PDF, JPG, WebP). matplotlib is imported only here, only
to plot.

What a figure shows is set by :class:`Look` (size, dpi, style, the x unit, normalised curves,
small multiples); whatever it shows, a series too dense to draw point by point is drawn from
its streamed per-pixel envelope (:mod:`.scan`), never from all of its values.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import UsageError
from ..files.output import output_file, write_binary
from ..series import Series, aligned
from .look import (
    FIG_HEIGHT_IN,
    FIG_WIDTH_IN,
    HOUSE_STYLES,
    STYLES,
    Look,
    _palette,
    _save_options,
    check_pixels,
    figure_format,
    style_context,
    x_factors,
)
from .numbers import label_number, one


def _param_text(params: dict[str, Any]) -> str:
    """``lr_max=3e-4, steps=10_000_000``: each number as :func:`numbers.label_number`."""
    parts = []
    for k, v in params.items():
        if isinstance(v, dict):  # a dialect's --var bindings: "epochs=3, len(loader)=4"
            parts += [f"{name}={label_number(x)}" for name, x in v.items()]
            continue
        if isinstance(v, (tuple, list)):
            v = ",".join(label_number(x) for x in v)
        else:
            v = label_number(v)
        parts.append(f"{k}={v}")
    return ", ".join(parts)


def config_title(s: Series) -> str:
    """``config train_args.json: Hugging Face Trainer (transformers 5.x), 18 updates``."""

    p = s.params
    return (f"config {os.path.basename(p['config'])}: {p['trainer']}, "
            f"{label_number(p['updates'])} updates")


def default_title(series: Sequence[Series]) -> str:
    if len(series) == 1:
        s = series[0]
        if s.is_log:
            p = s.params
            extra = ", float32" if p.get("float32") else ""
            return f"log {p.get('file')}: '{p.get('column')}' ({p.get('format')}{extra})"
        if "trainer" in s.params:
            return config_title(s)
        return f"{s.name or s.label}: {_param_text(s.params)}"
    if all("trainer" in s.params for s in series) and \
            len({s.params["config"] for s in series}) == 1:  # one config, its groups
        return f"{config_title(series[0])}, {len(series)} parameter groups"

    def base(s: Series) -> dict[str, Any]:
        return {k: v for k, v in s.params.items() if k not in ("group", "multiplier")}

    if all("group" in s.params for s in series) and all(
            (s.name, base(s)) == (series[0].name, base(series[0])) for s in series):
        s = series[0]  # one schedule, per parameter group
        return f"{s.name or s.label}: {_param_text(base(s))}; {len(series)} parameter groups"
    lengths = sorted({len(s) for s in series})
    span = f"{label_number(lengths[0])} {series[0].unit}s" if len(lengths) == 1 else \
        f"{label_number(lengths[0])} to {label_number(lengths[-1])} {series[0].unit}s"
    if any("group" in s.params for s in series):  # several schedules, some in groups
        kinds = len({(s.name, repr(base(s))) if "group" in s.params else (id(s),)
                     for s in series})
        return (f"{kinds} learning-rate schedules compared ({len(series)} curves with their "
                f"parameter groups), {span}")
    return f"{len(series)} learning-rate schedules compared, {span}"


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
    from .scan import envelopes as scan_envelopes

    return scan_envelopes(series, bins, advance)


def _reduced(series: Sequence[Series], pixels: int,
             quiet: bool) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The envelopes of the series too dense to draw point by point, by index; aligned
    ones (parameter groups) in one pass together."""
    from .progress import progress

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
                quiet: bool = False, *, look: Look | None = None,
                lengths: Sequence[Mapping[str, Any]] | None = None,
                panels: Sequence[tuple[str, Sequence[int]]] | None = None) -> None:
    """Draw ``series`` and save to ``path`` (format from its suffix; ``-``: a PNG on
    stdout). ``look``, ``lengths`` and ``panels``: as :func:`build_figure`."""
    fmt = "png" if path == "-" else figure_format(path)
    look = look or Look()
    with style_context(look.style):  # (ticks are made when saved: the style holds till then)
        fig = build_figure(series, log_y, title, dpi, reduce, quiet, look=look,
                           lengths=lengths, panels=panels)

        def write(fh: Any) -> None:
            fig.savefig(fh, format=fmt, dpi=dpi, **_save_options(fmt))

        if path == "-":  # a PNG to stdout, for a pipe (refused on a terminal)
            from io import BytesIO

            buf = BytesIO()
            write(buf)  # made whole first: a failure writes nothing
            write_binary(None, lambda fh: fh.write(buf.getvalue()), "a PNG image")
            return
        with output_file(path, binary=True) as fh:
            write(fh)


def _chars(at_default: int, width: float) -> int:
    """Characters of text a line holds across ``width`` inches, ``at_default`` across the
    default figure's (less the lr axis' labels, about 0.9 in)."""
    return max(16, int(at_default * (width - 0.9) / (FIG_WIDTH_IN - 0.9)))


def _layout(panels: int) -> tuple[int, int]:
    """(rows, columns) of small multiples: one column up to 3, then two."""
    cols = 1 if panels <= 3 else 2
    return -(-panels // cols), cols


def build_figure(series: Sequence[Series], log_y: bool = False, title: str | None = None,
                 dpi: int = 150, reduce: bool = True, quiet: bool = False, *,
                 look: Look | None = None, lengths: Sequence[Mapping[str, Any]] | None = None,
                 panels: Sequence[tuple[str, Sequence[int]]] | None = None) -> Any:
    """The matplotlib Figure of ``series``: on one set of axes, or with ``panels`` (a title
    and the indices of its series, per panel) as small multiples with a shared x axis and
    each its own lr axis. ``lengths``: per series, the ``steps_per_epoch`` and
    ``tokens_per_step`` its command line gave (for ``look.x_unit``).

    A series with more points than ~4 per horizontal pixel is drawn as its per-pixel
    min/max envelope (computed in chunks), so 10^7 steps plot about as fast as 10^3.
    """
    look = look or Look()
    with style_context(look.style):
        return _build(series, log_y, title, dpi, reduce, quiet, look, lengths, panels)


def _build(series: Sequence[Series], log_y: bool, title: str | None, dpi: int, reduce: bool,
           quiet: bool, look: Look, lengths: Sequence[Mapping[str, Any]] | None,
           panels: Sequence[tuple[str, Sequence[int]]] | None) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    if title is not None:
        _check_math(title)
    n = len(series)
    factors = x_factors(series, look.x_unit, lengths)  # refused before anything is computed
    groups = [("", list(range(n)))] if panels is None else [(t, list(m)) for t, m in panels]
    rows, cols = _layout(len(groups))
    width, height = look.size or (FIG_WIDTH_IN, FIG_HEIGHT_IN if len(groups) == 1
                                  else max(FIG_HEIGHT_IN, 1.1 + 1.6 * rows))
    check_pixels((width, height), dpi)
    pixels = max(50, int(width / cols * dpi))

    # what is drawn of each series, in its rows; a dense one as its streamed envelope
    reduced = _reduced(series, pixels, quiet) if reduce else {}
    drawn: list[tuple[np.ndarray, np.ndarray, str]] = []
    for i, s in enumerate(series):
        if i in reduced:
            x, y, kind = *reduced[i], "envelope"
        elif s.is_log and len(s) <= 5000:  # logged points: marked where they are
            x, y, kind = s.steps, s.values, "points"
        else:
            x, y, kind = s.steps, s.values, "steps"
        drawn.append((x * factors[i] if factors[i] != 1.0 else x, y, kind))
    peaks: list[float] = []
    if look.normalize:
        for s, (_, y, _kind) in zip(series, drawn):
            peak = float(np.nanmax(y)) if len(y) and not np.all(np.isnan(y)) else math.nan
            if not (math.isfinite(peak) and peak > 0):
                raise UsageError(f"--normalize: '{s.label}' has no positive peak to divide by "
                                 f"(its peak is {one(peak)})")
            peaks.append(peak)
        drawn = [(x, y / p, kind) for (x, y, kind), p in zip(drawn, peaks)]

    fig = Figure(figsize=(width, height), layout="constrained")
    if len(groups) == 1:
        axes = [fig.add_subplot()]
    else:
        grid = fig.subplots(rows, cols, sharex=True, squeeze=False)
        axes = list(grid.flat)
        for k, spare in enumerate(axes[len(groups):], start=len(groups)):
            spare.remove()  # an odd count in two columns: the one above shows the x ticks
            axes[k - cols].xaxis.set_tick_params(which="both", labelbottom=True)
        axes = axes[:len(groups)]
    house = look.style in HOUSE_STYLES
    colors = _palette(look.style)
    # many parameter groups (layer-wise decay): one colour ramp, in layer order
    ramp = n > len(colors) and all("group" in s.params for s in series)
    ramp_from = 0.25 if look.style == "dark" else 0.0  # viridis' dark end on a dark ground
    every = max(1, -(-n // 12)) if n > 24 else 1  # legend entries kept readable
    wrap = _chars(90, width / cols)
    lines: list[list[Any]] = [[] for _ in groups]
    for g, (_, members) in enumerate(groups):
        ax = axes[g]
        for k, i in enumerate(members):
            s = series[i]
            # a line style tells curves on one axis apart; a small multiple's lone curve: solid
            dash = STYLES[i % len(STYLES)] if len(groups) == 1 else \
                STYLES[k % len(STYLES)] if len(members) > 1 else "-"
            text = s.long_label if len(groups) == 1 else s.label
            label = "\n".join(textwrap.wrap(text, wrap)) or s.label
            if look.normalize and (len(groups) == 1 or len(members) > 1):
                label += f" (peak {one(peaks[i], 4)})"
            if ramp:
                shown = i % every == 0 or i == n - 1
                style = dict(linewidth=1.4, color=matplotlib.colormaps["viridis"](
                    ramp_from + (0.92 - ramp_from) * i / (n - 1)), linestyle="-",
                    label=s.label if shown else "_nolegend_")
            else:
                style = dict(linewidth=1.6, color=colors[i % len(colors)], linestyle=dash,
                             label=label)
            x, y, kind = drawn[i]
            if kind == "envelope":
                lines[g] += ax.plot(x, y, **style)
            elif kind == "points":
                lines[g] += ax.plot(x, y, marker="o", markersize=3.5, linewidth=1.0,
                                    **{k: v for k, v in style.items() if k != "linewidth"})
            else:
                lines[g] += ax.plot(x, y, drawstyle="steps-post", **style)
    cut_any = False
    for g, (_, members) in enumerate(groups):
        ax = axes[g]
        _number_ticks(ax, log_y)
        if log_y:
            # the points drawn (a dense series' envelope: never all of its values again)
            cut = _log_floor([drawn[i][1] for i in members])
            if cut is not None:
                ax.set_ylim(bottom=cut)
                cut_any = True
        if house:
            ax.grid(True, which="major", alpha=0.35, linewidth=0.6)
            if log_y:
                ax.grid(True, which="minor", alpha=0.12, linewidth=0.4)
            ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.01)
    unit = look.x_unit or series[0].unit
    if log_y and cut_any:
        xlabel = (f"{unit}    (lr axis cut at {label_number(cut)}: the lowest values of some "
                  "curves are not shown)") if len(groups) == 1 else \
            f"{unit}    (lr axes cut at their curves' lowest decades)"
    else:
        xlabel = unit
    if look.normalize:
        ylabel = f"learning rate / its peak, {one(peaks[0], 4)}" if n == 1 else \
            "learning rate / each curve's peak"
    else:
        ylabel = "learning rate"
    head = "\n".join(textwrap.wrap(title or default_title(series),
                                   _chars(80, width)))
    if len(groups) == 1:
        ax = axes[0]
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(head, fontsize=10, loc="left")
        longest = max(len(s.long_label) for s in series)
        if ramp:
            ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
        elif len(series) > 3 or longest > 44:  # below the axes, where it covers no curve
            fig.legend(frameon=False, fontsize=9, loc="outside lower center",
                       ncols=1 if longest > 44 else 2 if longest > 24 else 3)
        elif len(series) > 1:
            ax.legend(frameon=False, fontsize=9)
        return fig
    size = matplotlib.rcParams["axes.labelsize"]
    fig.supxlabel(xlabel, fontsize=size)
    fig.supylabel(ylabel, fontsize=size)
    fig.suptitle(head, fontsize=10, x=0.01, ha="left")
    for g, (name, members) in enumerate(groups):
        ax = axes[g]
        text = name
        if look.normalize and len(members) == 1:
            text += f" (peak {one(peaks[members[0]], 4)})"
        ax.set_title("\n".join(textwrap.wrap(text, wrap)), fontsize=9, loc="left")
        if len(members) > 1:
            shown = [ln for ln in lines[g] if not ln.get_label().startswith("_")][:8]
            ax.legend(handles=shown, labels=[ln.get_label().rsplit("/", 1)[-1] for ln in shown],
                      frameon=False, fontsize=7)
    return fig


def _check_math(title: str) -> None:
    """A title with math (``$\\eta$``) that matplotlib cannot parse: a usage error, before
    anything is drawn (matplotlib raises only when it renders)."""
    if (title.count("$") - title.count("\\$")) < 2:
        return
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("path").parse(title)
    except ValueError as e:
        why = " ".join(str(e).split())
        raise UsageError(f"--title '{title}': matplotlib cannot read its math text ({why}); "
                         "write a literal dollar sign as \\$") from None


def _step_label(x: float) -> str:
    """A step (epoch, token) tick: 500, 2.5k, 2M, 1.5B, 2T (never an offset like 1e7)."""
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div and abs(x) >= 10_000:
            return f"{x / div:.4g}{suffix}"
    return f"{x:.4g}"


def _number_ticks(ax: Any, log_y: bool) -> None:
    """Tick labels written out, as the tables write numbers (``3e-4``, ``0.05``; steps as
    ``2M``): no offset or ``×10^-4`` multiplier to decode."""
    from matplotlib.ticker import FuncFormatter

    from .numbers import column_format

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, pos: _step_label(x)))
    if log_y:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, pos: column_format(
            [1e-9], sig=3)(float(y)) if y > 0 else "0"))  # decades: 1e-3, 1e-4, ...
        return

    def fmt_y(y: float, pos: Any) -> str:
        ticks = [t for t in ax.get_yticks() if np.isfinite(t)]
        f = column_format([t for t in ticks if abs(t) > 1e-12 * max(map(abs, ticks))], sig=4)
        return "0" if abs(y) <= 1e-12 * max(map(abs, ticks), default=1) else f(float(y))

    ax.yaxis.set_major_formatter(FuncFormatter(fmt_y))


LOG_KEEP = 0.05  # a log lr axis shows at least the upper 95% of every curve's values


def _log_floor(values: Sequence[np.ndarray]) -> float | None:
    """Where a log lr axis should start: the decade below the lowest 5% of each curve's
    positive values (a curve that ends near 0 would otherwise stretch the axis over empty
    decades), or None when nothing lies below it."""
    lows, mins = [], []
    for v in values:
        pos = v[v > 0] if len(v) else v
        if len(pos):
            lows.append(float(np.quantile(pos, LOG_KEEP)))
            mins.append(float(pos.min()))
    if not lows:
        return None
    floor = 10.0 ** np.floor(np.log10(min(lows)))
    return floor if min(mins) < floor else None


