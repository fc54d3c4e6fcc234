"""Reading the metrics series that drives ``plateau``: a file, stdin, or a sequence."""

from __future__ import annotations

import csv
import io
import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import UsageError

_INDEX_NAMES = {"step", "steps", "epoch", "epochs", "iter", "iteration", "global_step", ""}


def _number(text: str, where: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise UsageError(f"{where}: '{text}' is not a number") from None
    if not math.isfinite(x):
        raise UsageError(f"{where}: '{text}' is not a finite number")
    return x


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_metrics_text(text: str, source: str, column: str | None = None) -> np.ndarray:
    """Numbers from ``text``: one per line, or one column of a CSV (header optional).

    Blank lines and lines starting with ``#`` are skipped. ``column`` picks a CSV column by
    header name or 1-based number; without it, a CSV must have a single column that is not
    a step/epoch index.
    """
    lines = [(i + 1, ln.strip()) for i, ln in enumerate(text.splitlines())]
    lines = [(i, ln) for i, ln in lines if ln and not ln.startswith("#")]
    if not lines:
        raise UsageError(f"metrics {source} holds no numbers")
    if not any("," in ln for _, ln in lines):
        if column is not None:
            raise UsageError(f"--metrics-column {column} given, but metrics {source} is not CSV")
        return np.array([_number(ln, f"metrics {source} line {i}") for i, ln in lines])

    rows = list(csv.reader(io.StringIO("\n".join(ln for _, ln in lines))))
    header: list[str] | None = None
    if not all(_is_number(c) for c in rows[0]):
        header = [c.strip() for c in rows[0]]
        body = list(zip([i for i, _ in lines][1:], rows[1:]))
    else:
        body = list(zip([i for i, _ in lines], rows))
    width = len(rows[0])
    if column is not None:
        if header is not None and column in header:
            col = header.index(column)
        elif column.isdigit() and 1 <= int(column) <= width:
            col = int(column) - 1
        else:
            names = ", ".join(header) if header else f"1..{width}"
            raise UsageError(f"--metrics-column '{column}' not in metrics {source}; "
                             f"columns: {names}")
    else:
        candidates = [j for j in range(width)
                      if header is None or header[j].lower() not in _INDEX_NAMES]
        if header is None and width > 1:
            candidates = []
        if len(candidates) != 1:
            names = ", ".join(header) if header else f"1..{width}"
            raise UsageError(f"metrics {source} has {width} columns ({names}): choose one "
                             "with --metrics-column")
        col = candidates[0]
    out = []
    for i, row in body:
        if len(row) != width:
            raise UsageError(f"metrics {source} line {i}: {len(row)} fields, expected {width}")
        out.append(_number(row[col].strip(), f"metrics {source} line {i}"))
    if not out:
        raise UsageError(f"metrics {source} holds no numbers")
    return np.array(out)


def read_metrics(raw: Any, column: str | None = None, flag: str = "--metrics") -> np.ndarray:
    """The metrics series from a path, ``-`` (stdin), or a sequence of numbers."""
    if isinstance(raw, np.ndarray) or (isinstance(raw, Sequence) and not isinstance(raw, str)):
        arr = np.asarray(raw, dtype=np.float64).ravel()
        if arr.size == 0:
            raise UsageError(f"{flag}: the metrics sequence is empty")
        if not np.all(np.isfinite(arr)):
            bad = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise UsageError(f"{flag}: metric {bad} is {arr[bad]!r}, not a finite number")
        return arr
    if not isinstance(raw, str) or not raw.strip():
        raise UsageError(f"invalid value for {flag}: '{raw}' (a file name, or - for stdin)")
    if raw == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError(f"{flag} - reads stdin, but stdin is a terminal; pipe the metrics in")
        return parse_metrics_text(sys.stdin.read(), "from stdin", column)
    try:
        with open(raw, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise UsageError(f"metrics file '{raw}' does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"metrics file '{raw}' is a directory") from None
    except UnicodeDecodeError:
        raise UsageError(f"metrics file '{raw}' is not text") from None
    except OSError as e:
        raise UsageError(f"cannot read metrics file '{raw}': {e.strerror}") from None
    return parse_metrics_text(text, f"file '{raw}'", column)
