"""The matplotlib figure (PNG, SVG, PDF). matplotlib is imported only here, only to plot."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from typing import Any

from ..errors import UsageError
from ..series import Series
from .output import atomic_file

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
    parts = []
    for k, v in params.items():
        if isinstance(v, tuple):
            v = ",".join(str(x) for x in v)
        elif isinstance(v, float):
            v = f"{v:g}"
        parts.append(f"{k}={v}")
    return ", ".join(parts)


def default_title(series: Sequence[Series]) -> str:
    if len(series) == 1:
        s = series[0]
        return f"{s.name or s.label}: {_param_text(s.params)}"
    lengths = sorted({len(s) for s in series})
    span = f"{lengths[0]} {series[0].unit}s" if len(lengths) == 1 else \
        f"{lengths[0]} to {lengths[-1]} {series[0].unit}s"
    return f"{len(series)} learning-rate schedules compared, {span}"


def save_figure(series: Sequence[Series], path: str, log_y: bool = False,
                title: str | None = None, dpi: int = 150) -> None:
    """Draw ``series`` on one set of axes and save to ``path`` (format from its suffix)."""
    fmt = figure_format(path)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for i, s in enumerate(series):
        ax.plot(s.steps, s.values, drawstyle="steps-post", linewidth=1.6,
                color=COLORS[i % len(COLORS)], linestyle=STYLES[i % len(STYLES)],
                label=s.label)
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
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=9)
    with atomic_file(path, binary=True) as fh:
        fig.savefig(fh, format=fmt, dpi=dpi, metadata=_metadata(fmt))


def _metadata(fmt: str) -> dict[str, Any]:
    # Reproducible files: no creation date in SVG/PDF.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return {}
