"""Exporters: csv, json, jsonl and npy (DESIGN.md §3), streamed in chunks.

Every float is written as the shortest text that parses back to the identical float64.
orjson does the formatting (Ryu, in C): the digits are Python ``repr``'s, only exponents
are spelled without padding (``1e-7`` where ``repr`` writes ``1e-07``). A CSV chunk is one
orjson call over the interleaved step and value columns, then two vectorised byte edits
(row ends, and the ``.0`` of the integer steps), so no Python object is made per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, Any

import numpy as np
import orjson

from ..errors import UsageError
from ..files.output import write_binary
from ..series import CHUNK, Series, aligned, lockstep
from . import FORMATS

__all__ = ["FORMATS", "export", "csv_rows", "fmt_float"]

_NP = orjson.OPT_SERIALIZE_NUMPY
_COMMA, _NEWLINE = 44, 10


def fmt_float(x: float) -> str:
    """One value as exported: the shortest round-trip text."""
    return orjson.dumps(float(x)).decode()


def csv_rows(steps: np.ndarray, cols: Sequence[np.ndarray]) -> bytes:
    """``step,v1,v2,...\\n`` for each row, formatted in C (steps below 2**53)."""
    k = len(cols)
    if not len(steps):
        return b""
    m = np.empty((len(steps), k + 1), dtype=np.float64)
    m[:, 0] = steps
    for j, c in enumerate(cols):
        m[:, j + 1] = c
    buf = np.frombuffer(orjson.dumps(m.ravel(), option=_NP), dtype=np.uint8)[1:-1].copy()
    commas = np.flatnonzero(buf == _COMMA)
    step_ends = commas[0::k + 1]
    buf[commas[k::k + 1]] = _NEWLINE
    keep = np.ones(len(buf), dtype=bool)
    keep[step_ends - 1] = False  # the ".0" orjson writes after an integral float
    keep[step_ends - 2] = False
    return buf[keep].tobytes() + b"\n"


Advance = Callable[[int], None]


def _nothing(rows: int) -> None:
    return None


def _csv_quote(text: str) -> str:
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(fh: IO[bytes], series: Sequence[Series], header: bool = True,
              advance: Advance = _nothing) -> None:
    if header:
        names = ["lr"] if len(series) == 1 else [_csv_quote(s.label) for s in series]
        fh.write((",".join([series[0].unit, *names]) + "\n").encode())
    if aligned(series):
        for steps, cols in lockstep(series, CHUNK, advance):
            fh.write(csv_rows(steps, cols))
        return
    # different steps (a logged run beside a schedule): the union, blanks where absent
    steps = np.unique(np.concatenate([s.steps for s in series]))
    cells = []
    for s in series:
        col = np.full(len(steps), np.nan)
        col[np.searchsorted(steps, s.steps)] = s.values
        cells.append(col)
    for a in range(0, len(steps), CHUNK):
        rows = []
        for i in range(a, min(len(steps), a + CHUNK)):
            vals = ["" if np.isnan(c[i]) else fmt_float(c[i]) for c in cells]
            rows.append(",".join([str(int(steps[i])), *vals]))
        fh.write(("\n".join(rows) + "\n").encode())


def series_head(s: Series) -> dict[str, Any]:
    """The JSON object of one series, without its ``lr`` list."""
    obj: dict[str, Any] = {"schedule": s.name or s.label}
    if s.label != obj["schedule"]:
        obj["label"] = s.label
    obj["params"] = {k: list(v) if isinstance(v, tuple) else v for k, v in s.params.items()}
    obj["steps"] = s.total_steps if s.total_steps is not None else len(s)
    if s.start:
        obj["start"] = s.start
    if not s.contiguous:
        obj["step"] = s.steps.tolist()
    return obj


def _write_series_json(fh: IO[bytes], s: Series, advance: Advance) -> None:
    fh.write(orjson.dumps(series_head(s))[:-1] + b',"lr":[')
    first = True
    for _, values in s.chunks(CHUNK):
        advance(len(values))
        if not len(values):
            continue
        fh.write((b"" if first else b",") + orjson.dumps(values, option=_NP)[1:-1])
        first = False
    fh.write(b"]}")


def write_json(fh: IO[bytes], series: Sequence[Series], advance: Advance = _nothing,
               extra: dict[str, Any] | None = None) -> None:
    if len(series) == 1 and not extra:
        _write_series_json(fh, series[0], advance)
    else:
        fh.write(b'{"schedules":[')
        for i, s in enumerate(series):
            if i:
                fh.write(b",")
            _write_series_json(fh, s, advance)
        fh.write(b"]")
        for key, value in (extra or {}).items():
            fh.write(b"," + orjson.dumps(key) + b":" + orjson.dumps(value))
        fh.write(b"}")
    fh.write(b"\n")


def write_jsonl(fh: IO[bytes], series: Sequence[Series], advance: Advance = _nothing) -> None:
    if len(series) == 1 and series[0].contiguous:
        for steps, values in series[0].chunks(CHUNK):
            advance(len(values))
            rows = csv_rows(steps, [values])[:-1]  # "s,v\ns,v" -> {"step":s,"lr":v}
            fh.write(b'{"step":' + rows.replace(b",", b',"lr":')
                     .replace(b"\n", b'}\n{"step":') + b"}\n")
        return
    keys = [orjson.dumps(s.label) for s in series]
    if aligned(series):  # several columns on the same steps (groups, compare): streamed
        for steps, cols in lockstep(series, CHUNK, advance):
            fh.write(b"".join(
                b'{"step":%d,' % r[0]
                + b",".join(k + b":" + orjson.dumps(v) for k, v in zip(keys, r[1:])) + b"}\n"
                for r in zip(steps.tolist(), *(c.tolist() for c in cols))))
        return
    steps = np.unique(np.concatenate([s.steps for s in series]))
    index = [dict(zip(s.steps.tolist(), s.values.tolist())) for s in series]
    for a in range(0, len(steps), CHUNK):
        lines = []
        for st in steps[a:a + CHUNK].tolist():
            parts = [b'"step":%d' % st]
            for k, idx in zip(keys, index):
                if st in idx:
                    parts.append(k + b":" + orjson.dumps(idx[st]))
            lines.append(b"{" + b",".join(parts) + b"}\n")
        fh.write(b"".join(lines))


def write_npy(fh: IO[bytes], series: Sequence[Series], advance: Advance = _nothing) -> None:
    if len(series) == 1:
        s = series[0]
        np.lib.format.write_array_header_1_0(
            fh, {"descr": "<f8", "fortran_order": False, "shape": (len(s),)})
        for _, values in s.chunks(CHUNK * 16):
            advance(len(values))
            fh.write(np.ascontiguousarray(values, dtype="<f8").tobytes())
        return
    if len({len(s) for s in series}) != 1:
        raise UsageError("npy needs series of equal length; use csv or json")
    if aligned(series):  # one row per step, a column per series: streamed
        np.lib.format.write_array_header_1_0(
            fh, {"descr": "<f8", "fortran_order": False, "shape": (len(series[0]), len(series))})
        for _, cols in lockstep(series, CHUNK, advance):
            fh.write(np.ascontiguousarray(np.column_stack(cols), dtype="<f8").tobytes())
        return
    arr = np.column_stack([s.values for s in series])
    np.save(fh, np.ascontiguousarray(arr, dtype=np.float64), allow_pickle=False)


def export(series: Sequence[Series], fmt: str, output: str | None, header: bool = True,
           quiet: bool = False, extra: dict[str, Any] | None = None) -> None:
    """Write ``series`` in format ``fmt`` to ``output`` (None or '-' for stdout).

    A progress bar shows on a terminal's stderr for big exports (not with ``quiet``).
    """
    from .progress import progress

    if fmt not in FORMATS:  # pragma: no cover - the CLI validates the format
        raise UsageError(f"unknown format '{fmt}'; choose from {', '.join(FORMATS)}")
    total = max(len(s) for s in series)
    with progress(total, f"writing {fmt}", quiet) as advance:
        writers = {"csv": lambda fh: write_csv(fh, series, header, advance),
                   "json": lambda fh: write_json(fh, series, advance, extra),
                   "jsonl": lambda fh: write_jsonl(fh, series, advance),
                   "npy": lambda fh: write_npy(fh, series, advance)}
        write_binary(output, writers[fmt], "npy output" if fmt == "npy" else None)
