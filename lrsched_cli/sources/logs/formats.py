"""The log formats read from a file's bytes: CSV (TensorBoard's download, Lightning,
Keras, W&B's chart and history exports, any CSV with a step column), JSON (the HF
Trainer's ``trainer_state.json``, lrsched's exports, a list), JSONL, MLflow metric lines or
a bare column of numbers, and .npy arrays. Each ``_read_FORMAT`` returns a :class:`Log`.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, codegen).
"""

from __future__ import annotations

import csv
import io
import json
import os

import numpy as np

from .common import (
    MAX_LOG_STEP,
    Log,
    _choose,
    _err,
    _is_float32,
    _listing,
    _shown,
    _step,
    _steps,
    _tidy,
    _values,
    is_lr_name,
)
from .wandb_run import is_step_name

STEP_NAMES = ("step", "global_step", "iteration", "iter", "epoch", "steps", "_step")
_MISSING = {"", "na", "nan", "none", "null", "n/a"}

# --------------------------------------------------------------------------------------
# Formats.

def _number(path: str, text: str, line: int) -> float | None:
    t = text.strip()
    if t.lower() in _MISSING:
        return None
    try:
        return float(t)
    except ValueError:
        raise _err(path, f"line {line}: '{t}' is not a number") from None


def _read_csv(path: str, text: str, column: str | None) -> Log:
    from ...files.reading import MAX_LINE_BYTES

    csv.field_size_limit(MAX_LINE_BYTES)  # a field as long as a line may be (read bounds it)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise _err(path, f"not CSV that lrsched can read: {e}") from None
    header = [h.strip() for h in rows[0]]
    body = [(i + 2, r) for i, r in enumerate(rows[1:]) if any(c.strip() for c in r)]
    wandb = _wandb_csv(path, header)
    if header == ["Wall time", "Step", "Value"]:
        fmt, step_col, value_cols = "tensorboard-csv", "Step", [2]
    elif wandb is not None:
        fmt, step_col, value_cols = wandb
    else:
        low = [h.lower() for h in header]
        step_col = next((header[low.index(n)] for n in STEP_NAMES if n in low), None)
        if "step" in low and "epoch" in low:  # Lightning: step counts optimizer steps
            step_col = header[low.index("step")]
        value_cols = [j for j, h in enumerate(header) if h != step_col and h.lower() not in
                      ("wall time", "timestamp", "time", "epoch")]
        if any(h.startswith("lr-") for h in header) and "step" in low:
            fmt = "lightning"
        elif low and low[0] == "epoch" and step_col == header[0]:
            fmt = "keras"
        else:
            fmt = "csv"
    for lineno, r in body:
        if len(r) != len(header):
            raise _err(path, f"line {lineno}: {len(r)} cells, the header has {len(header)}")
    # each column's index once (a header.index per column cost O(columns^2): 61 s at 10^5)
    counts = {header[j]: sum(1 for _, r in body if r[j].strip().lower() not in _MISSING)
              for j in value_cols}
    if fmt == "tensorboard-csv":
        name, note = "Value", ""
    else:
        if fmt == "wandb-csv" and column is not None and column not in counts:
            # a chart of one run: its metric's name picks '<run> - <metric>'
            ends = [n for n in counts if n.endswith(f" - {column}")]
            column = ends[0] if len(ends) == 1 else column
        elif fmt == "wandb-csv" and column is None:
            # the metric names the series, not the run ('lr-sweep-3 - train/loss' is a loss)
            lr = {n: k for n, k in counts.items() if is_lr_name(n.rsplit(" - ", 1)[-1])}
            if not lr:
                raise _err(path, f"no learning-rate column found; it holds {_listing(counts)} "
                                 "(pick one with --column)")
            counts = lr
        name, note = _choose(path, counts, column)
    j = header.index(name)
    js = header.index(step_col) if step_col is not None else None
    steps, values, lines = [], [], []
    for pos, (lineno, r) in enumerate(body):
        v = _number(path, r[j], lineno)
        if v is None:
            continue
        if js is None:
            s: float | None = float(pos)
        else:
            s = _number(path, r[js], lineno)
            if s is None:
                raise _err(path, f"line {lineno}: '{name}' has a value but '{step_col}' is "
                                 "empty")
        if s != int(s):
            raise _err(path, f"line {lineno}: step '{r[js]}' is not a whole number")
        steps.append(int(s))
        values.append(v)
        lines.append(lineno)
    st, va = _tidy(path, np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64),
                   np.array(lines))
    unit = "epoch" if (step_col or "").lower() == "epoch" else "step"
    if fmt == "wandb-csv":
        note = _wandb_group_note(path, header, body, name, step_col, note)
    elif fmt == "wandb-history" and step_col != "_step":
        said = f"steps from '{step_col}', the trainer's step (W&B's _step counts log calls)"
        note = f"{note}; {said}" if note else f"log '{path}': {said}"
    return Log(st, va, name, fmt, _is_float32(va), unit, note)


# --------------------------------------------------------------------------------------
# Weights & Biases CSV exports (wandb_run has the run files).

def _wandb_csv(path: str, header: list[str]) -> tuple[str, str, list[int]] | None:
    """(format, step column, value columns) of a W&B CSV export; None for other CSV.

    A chart's "Export as CSV": the x-axis first (``Step``, or the custom x-axis metric),
    then ``<run> - <metric>``, ``... __MIN``, ``... __MAX`` per run (or group). A run's
    history (``run.history().to_csv()``): ``_step``, ``_runtime``, ``_timestamp`` and the
    metrics, an unnamed index column first.
    """
    if len(header) >= 2 and " - " in header[1] and any(
            h.endswith(("__MIN", "__MAX")) for h in header[1:]):
        x = header[0]
        if x.lower().startswith(("relative time", "wall time")):
            raise _err(path, f"a W&B chart export against '{x}', not a step; export the chart "
                             "with Step (or the run's step metric) as its x-axis")
        cols = [j for j, h in enumerate(header) if j and not h.endswith(("__MIN", "__MAX"))]
        return "wandb-csv", x, cols
    if header and header[0] == "Name" and {"State", "Runtime", "Created"} & set(header):
        raise _err(path, "a W&B runs table export: one row per run (its config and summary), "
                         "not a run's history; export the learning-rate chart as CSV instead")
    if "_step" in header and {"_runtime", "_timestamp"} & set(header):
        step = next((h for h in header if is_step_name(h)), "_step")
        cols = [j for j, h in enumerate(header) if h and h != step and not h.startswith("_")]
        return "wandb-history", step, cols
    return None


def _wandb_group_note(path: str, header: list[str], body: list, name: str, step_col: str,
                      note: str) -> str:
    """Say so when the column is a group's mean (its __MIN and __MAX differ)."""
    if f"{name}__MIN" not in header or f"{name}__MAX" not in header:
        return note
    j, lo, hi = header.index(step_col), header.index(f"{name}__MIN"), header.index(
        f"{name}__MAX")
    for _, r in body:
        if r[lo].strip() != r[hi].strip():
            said = (f"'{name}' is the mean of a group of runs (its __MIN and __MAX differ, "
                    f"first at {step_col} {r[j].strip()})")
            return f"{note}; {said}" if note else f"log '{path}': {said}"
    return note


def _read_json(path: str, text: str, column: str | None) -> Log:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise _err(path, f"line {e.lineno}: not valid JSON ({e.msg})") from None
    if isinstance(doc, dict) and isinstance(doc.get("log_history"), list):
        return _read_hf(path, doc["log_history"], column)
    if isinstance(doc, dict) and "schedules" in doc:
        scheds = doc["schedules"]
        if not isinstance(scheds, list) or not all(isinstance(x, dict) for x in scheds):
            raise _err(path, "'schedules' is not a list of schedules (as lrsched exports "
                             "them)")
        items = {str(s.get("label") or s.get("schedule")): s for s in scheds}
        name, note = _choose(path, {k: len(v.get("lr", [])) for k, v in items.items()},
                             column, "schedule")
        doc = items[name]
    if isinstance(doc, dict) and "lr" in doc:
        values = _values(path, doc["lr"], "'lr'")
        if "step" in doc:
            steps = _steps(path, doc["step"], "'step'")
            if len(steps) != len(values):
                raise _err(path, f"{len(steps)} steps for {len(values)} rates")
        else:
            start = _step(path, doc.get("start", 0), "'start'")
            steps = np.arange(len(values), dtype=np.int64) + start
        st, va = _tidy(path, steps, values)
        return Log(st, va, str(doc.get("label") or "lr"), "lrsched-json", _is_float32(va))
    if isinstance(doc, list) and all(isinstance(x, (int, float)) for x in doc):
        va = np.array(doc, dtype=np.float64)
        st, va = _tidy(path, np.arange(len(va), dtype=np.int64), va)
        return Log(st, va, "lr", "json-list", _is_float32(va))
    raise _err(path, "JSON that is neither a trainer_state.json (log_history) nor an lrsched "
                     "export (lr)")


def _read_hf(path: str, history: list, column: str | None) -> Log:
    keys: dict[str, int] = {}
    for entry in history:
        if isinstance(entry, dict):
            for k, v in entry.items():
                if isinstance(v, (int, float)) and k not in ("step", "epoch"):
                    keys[k] = keys.get(k, 0) + 1
    name, note = _choose(path, keys, column, "key")
    steps, values = [], []
    for k, entry in enumerate(history):
        if not isinstance(entry, dict) or name not in entry:
            continue  # evaluation entries and the final summary have no learning rate
        if not isinstance(entry.get("step"), int) or isinstance(entry.get("step"), bool):
            raise _err(path, f"log_history[{k}] has '{name}' but no whole 'step'")
        steps.append(_step(path, entry["step"], f"log_history[{k}].step"))
        v = entry[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _err(path, f"log_history[{k}].{name} is {_shown(v)}, not a number")
        values.append(float(v))
    st, va = _tidy(path, np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64))
    return Log(st, va, name, "hf-trainer-state", _is_float32(va), "step", note)


def _read_jsonl(path: str, text: str, column: str | None) -> Log:
    rows = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((i, json.loads(line)))
        except json.JSONDecodeError as e:
            raise _err(path, f"line {i}: not valid JSON ({e.msg})") from None
    keys: dict[str, int] = {}
    for _, r in rows:
        for k, v in r.items():
            if k != "step" and isinstance(v, (int, float)):
                keys[k] = keys.get(k, 0) + 1
    name, note = _choose(path, keys, column, "key")
    got = [(i, r.get("step"), r[name]) for i, r in rows if r.get(name) is not None]
    for i, s, v in got:
        if not isinstance(s, int) or isinstance(s, bool) or abs(s) > MAX_LOG_STEP:
            raise _err(path, f"line {i}: no whole 'step' (at most 2**53)")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _err(path, f"line {i}: '{name}' is {_shown(v)}, not a number")
    st, va = _tidy(path, np.array([s for _, s, _ in got], dtype=np.int64),
                   np.array([v for _, _, v in got], dtype=np.float64),
                   np.array([i for i, _, _ in got]))
    return Log(st, va, name, "jsonl", _is_float32(va), "step", note)


def _read_numbers(path: str, text: str) -> Log | None:
    """MLflow metric lines (``ts value step`` or 5 fields) or a bare column; else None."""
    lines = [(i, ln.split()) for i, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if not lines:
        raise _err(path, "the file is empty")
    widths = {len(p) for _, p in lines}
    if widths <= {1}:
        vals = [_number(path, p[0], i) for i, p in lines]
        for (i, _), v in zip(lines, vals):
            if v is None:
                raise _err(path, f"line {i}: an empty value in a column of numbers")
        va = np.array(vals, dtype=np.float64)
        st, va = _tidy(path, np.arange(len(va), dtype=np.int64), va,
                       np.array([i for i, _ in lines]))
        return Log(st, va, "lr", "column", _is_float32(va))
    if widths <= {3, 5}:
        try:
            steps = [int(p[2]) for _, p in lines]
            vals = [float(p[1]) for _, p in lines]
        except ValueError:
            return None
        st, va = _tidy(path, np.array(steps, dtype=np.int64), np.array(vals, dtype=np.float64),
                       np.array([i for i, _ in lines]))
        return Log(st, va, os.path.basename(path), "mlflow", _is_float32(va))
    return None


def _read_npy(path: str, data: bytes, column: str | None) -> Log:
    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise _err(path, f"not a readable .npy array ({e})") from None
    if arr.dtype.kind not in "iuf" or arr.dtype.names:
        raise _err(path, f"an array of {arr.dtype} values; a log is an array of numbers")
    if arr.ndim == 2:
        cols = {f"{j}": arr.shape[0] for j in range(arr.shape[1])}
        if column is None and arr.shape[1] > 1:
            raise _err(path, f"an array of {arr.shape[1]} columns; pick one with --column "
                             f"(0 to {arr.shape[1] - 1})")
        name = column or "0"
        if name not in cols:
            raise _err(path, f"no column '{name}'; it has columns 0 to {arr.shape[1] - 1}")
        arr = arr[:, int(name)]
    elif arr.ndim != 1:
        raise _err(path, f"an array of shape {arr.shape}; a log is one column")
    va = np.asarray(arr, dtype=np.float64)
    st, va = _tidy(path, np.arange(len(va), dtype=np.int64), va)
    return Log(st, va, "lr", "npy", arr.dtype == np.float32)
