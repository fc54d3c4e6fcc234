"""The terminal table: sampled rows and summary rows, one column per series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..series import Series


def fmt(v: float | None, sig: int = 6, room: int | None = None) -> str:
    """A value for reading (export gives exact values): ``sig`` significant digits.

    Plain ``g`` notation, or scientific when that is shorter and ``room`` is too narrow.
    """
    if v is None:
        return "-"
    fixed = _short_exp(f"{v:.{sig}g}")
    if room is None or len(fixed) <= room:
        return fixed
    sci = _short_exp(f"{v:.{max(sig - 1, 0)}e}")
    if "e" in sci:  # 1.50e-3 -> 1.5e-3: no trailing zeros in the mantissa
        mant, exp = sci.split("e")
        sci = (mant.rstrip("0").rstrip(".") if "." in mant else mant) + "e" + exp
    return sci if len(sci) < len(fixed) else fixed


def _short_exp(text: str) -> str:
    return text.replace("e-0", "e-").replace("e+0", "e+")


def fit_digits(values: Sequence[float], room: int) -> int:
    """The most significant digits (6 down to 2) at which every value fits ``room`` chars."""
    for sig in range(6, 2, -1):
        if all(len(fmt(v, sig, room)) <= room for v in values):
            return sig
    return 2


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


def _choose_steps(series: Sequence[Series], rows: int, at: Sequence[int] | None,
                  also: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(every step any series has, the steps to show): ``at``, else ``rows`` sampled
    evenly plus ``also``."""
    steps = np.unique(np.concatenate([s.steps for s in series]))
    if at is not None:
        return steps, np.array(sorted(set(at)), dtype=np.int64)
    return steps, np.union1d(steps[sample_rows(len(steps), rows)],
                             np.asarray(also, dtype=np.int64))


def _values_at(series: Sequence[Series], chosen: np.ndarray) -> list[list[float | None]]:
    """Each series' value at each chosen step (None where it has no such step)."""
    picked = []
    for s in series:
        idx = np.searchsorted(s.steps, chosen)
        ok = (idx < len(s)) & (s.steps[np.minimum(idx, len(s) - 1)] == chosen)
        picked.append([float(s.values[i]) if good else None for i, good in
                       zip(idx.tolist(), ok.tolist())])
    return picked


def table_cells(
    series: Sequence[Series], rows: int = 20, at: Sequence[int] | None = None,
    width: int = 80, also: Sequence[int] = (),
) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Header, sampled rows and summary rows of the table, as text cells.

    Rows: ``at`` if given, else ``rows`` sampled evenly plus the steps in ``also``. Values
    get as many significant digits (up to 6) as fit ``width`` columns.
    """
    unit = series[0].unit
    steps, chosen = _choose_steps(series, rows, at, also)
    picked = _values_at(series, chosen)
    sums = [Summary.of(s) for s in series]
    label_w = max(len("< peak/2 at"), len(str(int(steps[-1]))))
    room = max(5, (width - label_w - 2) // len(series) - 3)  # padding 2 + divider 1
    numbers = [v for col in picked for v in col if v is not None]
    numbers += [x for m in sums for x in (m.first, m.min, m.peak, m.last, m.mean, m.budget)]
    sig = fit_digits(numbers, room)
    body = [[str(st), *(fmt(col[r], sig, room) for col in picked)]
            for r, st in enumerate(chosen.tolist())]
    summary = [
        ["first", *(fmt(m.first, sig, room) for m in sums)],
        ["min", *(fmt(m.min, sig, room) for m in sums)],
        ["peak", *(fmt(m.peak, sig, room) for m in sums)],
        ["peak at", *(str(m.peak_step) for m in sums)],
        ["last", *(fmt(m.last, sig, room) for m in sums)],
        ["mean", *(fmt(m.mean, sig, room) for m in sums)],
        # a sparse log's sum is not the run's budget: left blank
        ["budget Σlr", *(fmt(m.budget, sig, room) if s.contiguous else "-"
                         for m, s in zip(sums, series))],
        ["< peak/2 at", *("never" if m.half_step is None else str(m.half_step) for m in sums)],
    ]
    if len(series) == 1:
        header = [unit, "lr"]
    elif max(len(s.label) for s in series) > 2 * room:  # narrow: numbers, keyed by the legend
        header = [unit, *(f"#{i + 1}" for i in range(len(series)))]
    else:
        header = [unit, *(s.label for s in series)]
    return header, body, summary


MIN_ROOM = 9  # characters a value column needs; with less, the table turns on its side


def fits_columns(series: Sequence[Series], width: int) -> bool:
    """Whether one column per series fits ``width`` characters."""
    label_w = max(len("< peak/2 at"), *(len(str(int(s.steps[-1]))) for s in series))
    return len(series) == 1 or (width - label_w - 2) // len(series) - 3 >= MIN_ROOM


def rotated_cells(
    series: Sequence[Series], rows: int = 20, at: Sequence[int] | None = None,
    width: int = 80, also: Sequence[int] = (),
) -> tuple[list[str], list[list[str]]]:
    """One row per series (too many for a column each): its multiplier if it is a
    parameter group, its values at sampled steps (as many as fit ``width``), peak and Σlr.
    """
    groups = all("multiplier" in s.params for s in series)
    label_w = min(28, max(len(s.label) for s in series))
    fixed = (["×"] if groups else []) + ["peak", "Σlr"]
    room = 10
    fit = max(2, (width - label_w - 3) // (room + 2) - len(fixed))
    _, chosen = _choose_steps(series, min(rows, fit), at, also)
    sums = [Summary.of(s) for s in series]
    picked = _values_at(series, chosen)
    numbers = [v for r in picked for v in r if v is not None]
    numbers += [x for m in sums for x in (m.peak, m.budget)]
    sig = fit_digits(numbers, room)
    unit = series[0].unit
    header = ["", *(["×"] if groups else []), *(f"{unit} {st}" for st in chosen.tolist()),
              "peak", "Σlr"]
    body = []
    for s, vals, m in zip(series, picked, sums):
        cells = [s.label]
        if groups:
            cells.append(fmt(s.params["multiplier"], 6, room))
        cells += [fmt(v, sig, room) for v in vals]
        cells += [fmt(m.peak, sig, room), fmt(m.budget, sig, room)]
        body.append(cells)
    return header, body


def render_table(
    series: Sequence[Series], rows: int = 20, at: Sequence[int] | None = None,
    width: int = 80, also: Sequence[int] = (),
):
    """A rich Table of ``series``: sampled rows, then summary rows; on its side (a row per
    series) when a column per series would not fit ``width``."""
    from rich import box
    from rich.table import Table

    if not fits_columns(series, width):
        header, body = rotated_cells(series, rows, at, width, also)
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for i, name in enumerate(header):
            table.add_column(name, justify="left" if i == 0 else "right",
                             style="bold" if i == 0 else None, no_wrap=i == 0,
                             max_width=28 if i == 0 else None)
        for cells in body:
            table.add_row(*cells)
        return table
    header, body, summary = table_cells(series, rows, at, width, also)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right",
                         style="bold" if i == 0 else None, overflow="fold")
    for cells in body:
        table.add_row(*cells)
    table.add_section()
    for cells in summary:
        table.add_row(*cells)
    return table
