"""The terminal table: sampled rows and summary rows, one column per series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..series import Series


def fmt(v: float | None) -> str:
    """A value for reading (export gives exact values): 6 significant digits."""
    if v is None:
        return "-"
    return f"{v:.6g}"


def sample_rows(count: int, rows: int) -> np.ndarray:
    """``rows`` positions out of ``count``, evenly spaced, always the first and last."""
    if count <= rows:
        return np.arange(count)
    if rows <= 1:
        return np.array([0, count - 1])
    return np.unique(np.round(np.linspace(0, count - 1, rows)).astype(np.int64))


@dataclass(frozen=True)
class Summary:
    """Summary statistics of one series."""

    first: float
    min: float
    peak: float
    peak_step: int
    last: float
    mean: float
    budget: float
    half_step: int | None  # first step after the peak where lr < peak / 2

    @classmethod
    def of(cls, s: Series) -> Summary:
        v = s.values
        k = int(np.argmax(v))
        below = np.flatnonzero(v[k:] < v[k] / 2)
        return cls(
            first=float(v[0]), min=float(v.min()), peak=float(v[k]), peak_step=int(s.steps[k]),
            last=float(v[-1]), mean=float(v.mean()), budget=float(np.sum(v)),
            half_step=int(s.steps[k + below[0]]) if below.size else None,
        )


def table_cells(
    series: Sequence[Series], rows: int = 20, at: Sequence[int] | None = None,
) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Header, sampled rows and summary rows of the table, as text cells."""
    unit = series[0].unit
    steps = np.unique(np.concatenate([s.steps for s in series]))
    if at is not None:
        chosen = np.array(sorted(set(at)), dtype=np.int64)
    else:
        chosen = steps[sample_rows(len(steps), rows)]
    body = []
    for st in chosen.tolist():
        cells = [str(st)]
        for s in series:
            i = int(np.searchsorted(s.steps, st))
            cells.append(fmt(float(s.values[i])) if i < len(s) and s.steps[i] == st else "-")
        body.append(cells)
    sums = [Summary.of(s) for s in series]
    summary = [
        ["first", *(fmt(m.first) for m in sums)],
        ["min", *(fmt(m.min) for m in sums)],
        ["peak", *(f"{fmt(m.peak)} @{m.peak_step}" for m in sums)],
        ["last", *(fmt(m.last) for m in sums)],
        ["mean", *(fmt(m.mean) for m in sums)],
        ["budget Σlr", *(fmt(m.budget) for m in sums)],
        ["< peak/2 at", *("never" if m.half_step is None else str(m.half_step) for m in sums)],
    ]
    header = [unit, *(("lr" if len(series) == 1 else s.label) for s in series)]
    return header, body, summary


def render_table(
    series: Sequence[Series], rows: int = 20, at: Sequence[int] | None = None,
    title: str | None = None,
):
    """A rich Table of ``series``: sampled rows, then summary rows."""
    from rich import box
    from rich.table import Table

    header, body, summary = table_cells(series, rows, at)
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right",
                         style="bold" if i == 0 else None, overflow="fold")
    for cells in body:
        table.add_row(*cells)
    table.add_section()
    for cells in summary:
        table.add_row(*cells, style="dim" if cells[0] == "min" else None)
    return table
