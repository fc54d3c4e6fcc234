"""The terminal table: sampled rows and summary rows, one column per series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..series import Series
from .numbers import column_format
from .scan import Scan, Stats, all_steps_sample, scan, step_range


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
        """Of a series (streamed: one chunk at a time)."""
        return cls.from_stats(scan([s], np.array([], dtype=np.int64), None)[0].stats)

    @classmethod
    def from_stats(cls, st: Stats) -> Summary:
        assert st.first is not None and st.last is not None
        return cls(first=st.first, min=float(st.min), peak=float(st.peak),
                   peak_step=st.peak_step, last=st.last, mean=st.total / st.count,
                   budget=st.total, half_step=st.half_step)


def choose_steps(series: Sequence[Series], rows: int, at: Sequence[int] | None,
                 also: Sequence[int] = ()) -> np.ndarray:
    """The steps to show: ``at``, else ``rows`` sampled evenly from every step any series
    has, plus ``also``."""
    if at is not None:
        return np.array(sorted(set(at)), dtype=np.int64)
    return np.union1d(all_steps_sample(series, rows), np.asarray(also, dtype=np.int64))


def _picked(scans: Sequence[Scan]) -> list[list[float | None]]:
    return [[None if np.isnan(v) else float(v) for v in sc.at.tolist()] for sc in scans]


def table_cells(
    series: Sequence[Series], rows: int = 20, at: Sequence[int] | None = None,
    width: int = 80, also: Sequence[int] = (), scans: Sequence[Scan] | None = None,
    chosen: np.ndarray | None = None, spark: bool = False,
) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Header, sampled rows and summary rows of the table, as text cells.

    Rows: ``at`` if given, else ``rows`` sampled evenly plus the steps in ``also``
    (``chosen``/``scans``: already chosen and scanned). Values get as many significant
    digits (up to 6) as fit ``width`` columns. ``spark``: a last summary row, ``shape``,
    with each series' sparkline as wide as its column.
    """
    unit = series[0].unit
    if chosen is None or scans is None or (spark and any(sc.spark is None for sc in scans)):
        chosen = choose_steps(series, rows, at, also)
        scans = scan(series, chosen, None, spark=width if spark else None)
    picked = _picked(scans)
    sums = [Summary.from_stats(sc.stats) for sc in scans]
    label_w = max(len("< peak/2 at"), len(str(step_range(series)[1])))
    room = max(5, (width - label_w - 2) // len(series) - 3)  # padding 2 + divider 1
    # one notation per column: its rates (rows, first, min, peak, last, mean); Σlr apart
    cols = [column_format([*col, m.first, m.min, m.peak, m.last, m.mean], room)
            for col, m in zip(picked, sums)]
    body = [[str(st), *(f(col[r]) for f, col in zip(cols, picked))]
            for r, st in enumerate(chosen.tolist())]
    summary = [
        ["first", *(f(m.first) for f, m in zip(cols, sums))],
        ["min", *(f(m.min) for f, m in zip(cols, sums))],
        ["peak", *(f(m.peak) for f, m in zip(cols, sums))],
        ["peak at", *(str(m.peak_step) for m in sums)],
        ["last", *(f(m.last) for f, m in zip(cols, sums))],
        ["mean", *(f(m.mean) for f, m in zip(cols, sums))],
        # a sparse log's sum is not the run's budget: left blank
        ["budget Σlr", *(column_format([m.budget], room)(m.budget) if s.contiguous else "-"
                         for m, s in zip(sums, series))],
        ["< peak/2 at", *("never" if m.half_step is None else str(m.half_step) for m in sums)],
    ]
    if spark:
        from .spark import spark_text

        summary.append(["shape", *(spark_text(*sc.spark, room) for sc in scans
                                   if sc.spark is not None)])
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
    label_w = max(len("< peak/2 at"), *(len(str(s.last_step)) for s in series))
    return len(series) == 1 or (width - label_w - 2) // len(series) - 3 >= MIN_ROOM


def table_steps(series: Sequence[Series], rows: int, at: Sequence[int] | None, width: int,
                also: Sequence[int] = ()) -> np.ndarray:
    """The steps :func:`render_table` shows at ``width`` (fewer on its side)."""
    if fits_columns(series, width):
        return choose_steps(series, rows, at, also)
    return choose_steps(series, min(rows, _rotated_fit(series, width)), at, also)


def _rotated_fit(series: Sequence[Series], width: int) -> int:
    groups = all("multiplier" in s.params for s in series)
    label_w = min(28, max(len(s.label) for s in series))
    fixed = (1 if groups else 0) + 2
    return max(2, (width - label_w - 3) // (10 + 2) - fixed)


def rotated_cells(
    series: Sequence[Series], rows: int = 20, at: Sequence[int] | None = None,
    width: int = 80, also: Sequence[int] = (), scans: Sequence[Scan] | None = None,
    chosen: np.ndarray | None = None, spark: int | None = None,
) -> tuple[list[str], list[list[str]]]:
    """One row per series (too many for a column each): its multiplier if it is a
    parameter group, its values at sampled steps (as many as fit ``width``), peak and Σlr;
    with ``spark``, a last column ``shape``: its sparkline, that many characters.
    """
    groups = all("multiplier" in s.params for s in series)
    room = 10
    if chosen is None or scans is None or (spark and any(sc.spark is None for sc in scans)):
        chosen = choose_steps(series, min(rows, _rotated_fit(series, width)), at, also)
        scans = scan(series, chosen, None, spark=width if spark else None)
    sums = [Summary.from_stats(sc.stats) for sc in scans]
    picked = _picked(scans)
    unit = series[0].unit
    header = ["", *(["×"] if groups else []), *(f"{unit} {st}" for st in chosen.tolist()),
              "peak", "Σlr", *(["shape"] if spark else [])]
    # one notation per column: each step's column, the multipliers, the peaks, the sums
    step_cols = [column_format([r[j] for r in picked], room) for j in range(len(chosen))]
    mult = column_format([s.params.get("multiplier") for s in series], room)
    peak = column_format([m.peak for m in sums], room)
    budget = column_format([m.budget for m in sums], room)
    body = []
    for s, vals, m in zip(series, picked, sums):
        cells = [s.label]
        if groups:
            cells.append(mult(s.params["multiplier"]))
        cells += [f(v) for f, v in zip(step_cols, vals)]
        cells += [peak(m.peak), budget(m.budget)]
        body.append(cells)
    if spark:
        from .spark import spark_text

        for cells, sc in zip(body, scans):
            assert sc.spark is not None
            cells.append(spark_text(*sc.spark, spark))
    return header, body


SPARK_MIN = 6  # characters a sparkline column needs, else the table goes without


def render_table(
    series: Sequence[Series], rows: int = 20, at: Sequence[int] | None = None,
    width: int = 80, also: Sequence[int] = (), scans: Sequence[Scan] | None = None,
    chosen: np.ndarray | None = None, spark: bool = False,
):
    """A rich Table of ``series``: sampled rows, then summary rows; on its side (a row per
    series) when a column per series would not fit ``width``. ``chosen``/``scans``: the rows
    and the :func:`~lrsched_cli.render.scan.scan` of them, when already made. ``spark``: each
    series' sparkline too (a ``shape`` row, or on its side a ``shape`` column in the room
    the table leaves, if it leaves SPARK_MIN characters)."""
    from rich import box
    from rich.table import Table

    if not fits_columns(series, width):
        def rotated(spark_w: int | None):
            header, body = rotated_cells(series, rows, at, width, also, scans, chosen,
                                         spark=spark_w)
            table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
            for i, name in enumerate(header):
                table.add_column(name, justify="left" if i == 0 else "right",
                                 style="bold" if i == 0 else None, no_wrap=i == 0,
                                 max_width=28 if i == 0 else None)
            for cells in body:
                table.add_row(*cells)
            return table

        table = rotated(None)
        if spark:
            left = width - _measure(table, width) - 2  # the padding between two columns
            while left >= SPARK_MIN:
                wider = rotated(left)
                if _measure(wider, width) < width:  # (at = width rich squeezes it)
                    return wider
                left -= 1
        return table
    header, body, summary = table_cells(series, rows, at, width, also, scans, chosen,
                                        spark=spark)
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


def _measure(table, width: int) -> int:
    """The characters ``table`` takes on a line of ``width``."""
    from rich.console import Console
    from rich.measure import Measurement

    console = Console(width=width, file=None, color_system=None, legacy_windows=False)
    return Measurement.get(console, console.options, table).maximum
