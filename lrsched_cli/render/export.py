"""Exporters: csv, json, jsonl and npy (DESIGN.md §3).

Floats are written as Python ``repr`` gives them: the shortest text that parses back to
the exact float64.
"""

from __future__ import annotations

import json
from typing import IO, Any

import numpy as np

from ..errors import UsageError
from ..series import Series
from . import FORMATS
from .output import write_binary, write_text

__all__ = ["FORMATS", "export"]
_CHUNK = 65536


def _aligned(series: list[Series]) -> tuple[np.ndarray, list[list[Any]]]:
    """Union of the steps, and each series' values on it (None where it has none)."""
    first = series[0].steps
    if all(s.steps.shape == first.shape and np.array_equal(s.steps, first) for s in series):
        return first, [s.values.tolist() for s in series]
    steps = np.unique(np.concatenate([s.steps for s in series]))
    cols = []
    for s in series:
        col: list[Any] = [None] * steps.shape[0]
        for i, v in zip(np.searchsorted(steps, s.steps).tolist(), s.values.tolist()):
            col[i] = v
        cols.append(col)
    return steps, cols


def _cell(v: float | None) -> str:
    return "" if v is None else repr(v)


def write_csv(fh: IO[str], series: list[Series], header: bool = True) -> None:
    unit = series[0].unit
    if header:
        names = ["lr"] if len(series) == 1 else [_csv_quote(s.label) for s in series]
        fh.write(",".join([unit, *names]) + "\n")
    steps, cols = _aligned(series)
    step_list = steps.tolist()
    n = len(step_list)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        if len(cols) == 1:
            col = cols[0]
            rows = [f"{step_list[i]},{_cell(col[i])}\n" for i in range(lo, hi)]
        else:
            rows = [
                ",".join([str(step_list[i]), *(_cell(c[i]) for c in cols)]) + "\n"
                for i in range(lo, hi)
            ]
        fh.write("".join(rows))


def _csv_quote(text: str) -> str:
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def series_object(s: Series) -> dict[str, Any]:
    """The JSON object of one series: schedule, params, steps, (start,) lr."""
    obj: dict[str, Any] = {"schedule": s.name or s.label}
    if s.label != obj["schedule"]:
        obj["label"] = s.label
    obj["params"] = {k: list(v) if isinstance(v, tuple) else v for k, v in s.params.items()}
    obj["steps"] = s.total_steps if s.total_steps is not None else len(s)
    start = int(s.steps[0]) if len(s) else 0
    if start:
        obj["start"] = start
    if s.total_steps is None or not np.array_equal(
            s.steps, np.arange(start, start + len(s))):
        obj["step"] = s.steps.tolist()
    obj["lr"] = s.values.tolist()
    return obj


def write_json(fh: IO[str], series: list[Series]) -> None:
    if len(series) == 1:
        doc: Any = series_object(series[0])
    else:
        doc = {"schedules": [series_object(s) for s in series]}
    fh.write(json.dumps(doc, allow_nan=False))
    fh.write("\n")


def write_jsonl(fh: IO[str], series: list[Series]) -> None:
    steps, cols = _aligned(series)
    step_list = steps.tolist()
    keys = ["lr"] if len(series) == 1 else [s.label for s in series]
    n = len(step_list)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        fh.write("".join(
            json.dumps({"step": step_list[i], **{k: c[i] for k, c in zip(keys, cols)}}) + "\n"
            for i in range(lo, hi)
        ))


def write_npy(fh: IO[bytes], series: list[Series]) -> None:
    if len(series) == 1:
        arr = series[0].values
    else:
        if len({len(s) for s in series}) != 1:
            raise UsageError("npy needs series of equal length; use csv or json")
        arr = np.column_stack([s.values for s in series])
    np.save(fh, np.ascontiguousarray(arr, dtype=np.float64), allow_pickle=False)


def export(series: list[Series], fmt: str, output: str | None, header: bool = True) -> None:
    """Write ``series`` in format ``fmt`` to ``output`` (None or '-' for stdout)."""
    if fmt == "csv":
        write_text(output, lambda fh: write_csv(fh, series, header))
    elif fmt == "json":
        write_text(output, lambda fh: write_json(fh, series))
    elif fmt == "jsonl":
        write_text(output, lambda fh: write_jsonl(fh, series))
    elif fmt == "npy":
        write_binary(output, lambda fh: write_npy(fh, series), "npy output")
    else:  # pragma: no cover - the CLI validates the format
        raise UsageError(f"unknown format '{fmt}'; choose from {', '.join(FORMATS)}")
