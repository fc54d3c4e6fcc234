"""Reading the metrics series that drives ``plateau``: a file, stdin, or a sequence.

The text is read line by line into a packed array of doubles (10 million lines take
about 80 MB, not a Python object per line). Blank lines and lines starting with ``#``
are skipped; CRLF line ends are fine. Formats: one number per line (a header line
allowed), or columns separated by commas (CSV) or whitespace, with a header or not;
``--metrics-column`` picks a column by name or 1-based number, and without it there must
be a single column that is not a step/epoch index. A bad entry is refused with its line
number.
"""

from __future__ import annotations

import csv
import math
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import UsageError

_INDEX_NAMES = {"step", "steps", "epoch", "epochs", "iter", "iteration", "global_step", ""}


def _number(text: str, where: str, allow_nonfinite: bool = False) -> float:
    try:
        x = float(text)
    except ValueError:
        raise UsageError(f"{where}: '{text}' is not a number") from None
    if not allow_nonfinite and not math.isfinite(x):
        raise UsageError(f"{where}: '{text}' is not a finite number")
    return x


def is_number(text: str) -> bool:
    """``text`` spells a float (as ``float()`` reads it)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _content(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for i, ln in enumerate(lines, 1):
        ln = ln.strip()
        if ln and not ln.startswith("#"):
            yield i, ln


def parse_metrics_lines(lines: Iterable[str], source: str,
                        column: str | None = None, allow_nonfinite: bool = False) -> np.ndarray:
    """The metrics in ``lines`` (see the module docstring for the formats)."""
    it = _content(lines)
    first = next(it, None)
    if first is None:
        raise UsageError(f"metrics {source} holds no numbers")
    i0, ln0 = first
    where = f"metrics {source} line"
    out = array("d")
    if "," in ln0 or len(ln0.split()) > 1:
        comma = "," in ln0

        def split(ln: str) -> list[str]:
            if comma:
                return [c.strip() for c in next(csv.reader([ln]))]
            return ln.split()

        cells = split(ln0)
        width = len(cells)
        header = None if all(is_number(c) for c in cells) else cells
        col = _pick_column(header, width, column, source)
        rows: Iterable[tuple[int, str]] = it if header is not None else _chain(first, it)
        for i, ln in rows:
            cells = split(ln)
            if len(cells) != width:
                raise UsageError(f"{where} {i}: {len(cells)} fields, expected {width}")
            out.append(_number(cells[col], f"{where} {i}", allow_nonfinite))
    else:
        if column is not None and column != "1" and column != ln0:
            raise UsageError(f"--metrics-column '{column}' not in metrics {source}; it has "
                             "one column")
        rows = it if not is_number(ln0) else _chain(first, it)
        for i, ln in rows:
            out.append(_number(ln, f"{where} {i}", allow_nonfinite))
    if not len(out):
        raise UsageError(f"metrics {source} holds no numbers")
    return np.frombuffer(out, dtype=np.float64).copy()


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


def _pick_column(header: list[str] | None, width: int, column: str | None, source: str) -> int:
    names = ", ".join(header) if header else f"1..{width}"
    if column is not None:
        if header is not None and column in header:
            return header.index(column)
        if column.isdigit() and 1 <= int(column) <= width:
            return int(column) - 1
        raise UsageError(f"--metrics-column '{column}' not in metrics {source}; columns: "
                         f"{names}")
    candidates = [j for j in range(width)
                  if header is not None and header[j].lower() not in _INDEX_NAMES]
    if len(candidates) != 1:
        raise UsageError(f"metrics {source} has {width} columns ({names}): choose one with "
                         "--metrics-column")
    return candidates[0]


def read_metrics(raw: Any, column: str | None = None, flag: str = "--metrics",
                 allow_nonfinite: bool = False) -> np.ndarray:
    """The metrics series from a path, ``-`` (stdin), or a sequence of numbers.

    ``allow_nonfinite``: accept nan, inf and -inf (the framework dialects, whose plateau
    schedulers do what the framework does with them); otherwise they are refused.
    """
    if isinstance(raw, np.ndarray) or (isinstance(raw, Sequence) and not isinstance(raw, str)):
        arr = np.asarray(raw, dtype=np.float64).ravel()
        if arr.size == 0:
            raise UsageError(f"{flag}: the metrics sequence is empty")
        if not allow_nonfinite and not np.all(np.isfinite(arr)):
            bad = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise UsageError(f"{flag}: metric {bad} is {arr[bad]!r}, not a finite number")
        return arr
    if not isinstance(raw, str) or not raw.strip():
        raise UsageError(f"invalid value for {flag}: '{raw}' (a file name, or - for stdin)")
    if raw == "-" and (sys.stdin is None or sys.stdin.isatty()):
        raise UsageError(f"{flag} - reads stdin, but stdin is a terminal; pipe the metrics in")
    from .reading import read_input

    # bounded (size, line length, no NUL), and a UTF-8 BOM is not part of the first value
    text = read_input(raw, "metrics" if raw == "-" else "metrics file").decode("utf-8-sig")
    source = "from stdin" if raw == "-" else f"file '{raw}'"
    return parse_metrics_lines(text.splitlines(), source, column, allow_nonfinite)
