"""Reading the learning rate a training run logged (``lrsched <action> log FILE``).

The format is told from the content, never the file name (../shared/reference/loggers.md
has each format, measured):

- TensorBoard event files (a file, or a run folder holding them), read with the tensorboard
  package's own ``EventAccumulator`` (the optional extra ``lrsched-cli[tensorboard]``);
- TensorBoard's "Download CSV" (``Wall time,Step,Value``);
- Lightning's CSVLogger ``metrics.csv`` (``lr-SGD``, ``lr-AdamW/pg1``...; sparse rows);
- the Hugging Face Trainer's ``trainer_state.json`` (``log_history[].learning_rate``);
- MLflow metric files (``<timestamp> <value> <step>`` lines);
- Keras CSVLogger files (``epoch,learning_rate,...``, ``NA`` cells);
- lrsched's own csv / json / jsonl / npy exports, any CSV with a step column, and a bare
  column of numbers (steps 0, 1, ...).

A log keeps the steps it has (sparse logs are normal). Values a format stores in float32
(TensorBoard scalars, Keras) are flagged, so that comparisons use a fitting tolerance.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass

import numpy as np

from ...errors import LrschedError, UsageError
from ...notices import note
from ...series import Series

STEP_NAMES = ("step", "global_step", "iteration", "iter", "epoch", "steps", "_step")
_LR = re.compile(r"(^|[^a-z])(lr|learning[_\- ]?rate)($|[^a-z])", re.IGNORECASE)
_MISSING = {"", "na", "nan", "none", "null", "n/a"}


class MissingExtra(LrschedError):
    """An optional dependency is not installed (a runtime failure: exit 1)."""

    exit_code = 1


@dataclass
class Log:
    """What a log file held: steps, values and where they came from."""

    steps: np.ndarray
    values: np.ndarray
    column: str
    fmt: str
    float32: bool
    unit: str = "step"
    note: str = ""  # said on stderr when the column was chosen for the user


def _err(path: str, text: str) -> UsageError:
    return UsageError(f"log '{path}': {text}")


def is_lr_name(name: str) -> bool:
    """``lr``, ``lr-SGD``, ``learning_rate``, ``train/lr``... (not ``val_`` copies)."""
    return bool(_LR.search(name))


def _is_float32(values: np.ndarray) -> bool:
    """Every value is a float32 widened to float64, and not all are short decimals."""
    if not len(values):
        return False
    f32 = values.astype(np.float32).astype(np.float64)
    if not np.array_equal(f32, values):
        return False
    return any(len(repr(float(v)).replace("-", "").lstrip("0.")) > 10 for v in values[:200])


# --------------------------------------------------------------------------------------
# Choosing the series.

def _choose(path: str, available: dict[str, int], column: str | None,
            what: str = "column") -> tuple[str, str]:
    """(name, note): the user's ``--column``, or the one obvious learning-rate series.

    ``available`` maps each series to its count of values.
    """
    names = list(available)
    if column is not None:
        if column in available:
            return column, ""
        low = {n.lower(): n for n in names}
        if column.lower() in low:
            return low[column.lower()], ""
        raise _err(path, f"no {what} '{column}'; it holds {_listing(available)}")
    lr = [n for n in names if is_lr_name(n) and available[n] > 0]
    if len(lr) > 1:  # Keras writes val_learning_rate as a copy (or NA)
        lr = [n for n in lr if not n.lower().startswith("val")] or lr
    if len(lr) == 1:
        return lr[0], f"log '{path}': using {what} '{lr[0]}' (--column picks another)"
    if not lr:
        raise _err(path, f"no learning-rate {what} found; it holds {_listing(available)} "
                         f"(pick one with --column)")
    raise _err(path, f"{len(lr)} learning-rate {what}s: {', '.join(lr)}; pick one with "
                     "--column")


def _listing(available: dict[str, int], most: int = 12) -> str:
    if not available:
        return "nothing"
    shown = ", ".join(f"'{n}' ({k} values)" for n, k in list(available.items())[:most])
    more = len(available) - most
    return shown + (f" and {more:,} more" if more > 0 else "")


# --------------------------------------------------------------------------------------
# Steps: sorted, unique; repeats with the same value merged, with another value refused.

MAX_LOG_STEP = 2**53  # steps beyond float64's exact integers cannot be compared


def _values(path: str, items: object, what: str) -> np.ndarray:
    """A JSON list of rates as float64: every item a number (not a bool, string or list)."""
    if not isinstance(items, list):
        raise _err(path, f"{what} is {type(items).__name__}, not a list of numbers")
    for k, x in enumerate(items):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise _err(path, f"{what}[{k}] is {_shown(x)}, not a number")
    return np.array(items, dtype=np.float64)


def _steps(path: str, items: object, what: str) -> np.ndarray:
    """A JSON list of steps as int64: whole numbers within +-2**53."""
    if not isinstance(items, list):
        raise _err(path, f"{what} is {type(items).__name__}, not a list of steps")
    for k, x in enumerate(items):
        _step(path, x, f"{what}[{k}]")
    return np.array(items, dtype=np.int64)


def _step(path: str, x: object, what: str) -> int:
    ok = isinstance(x, int) and not isinstance(x, bool) or (
        isinstance(x, float) and x.is_integer())
    if not ok or abs(x) > MAX_LOG_STEP:  # type: ignore[arg-type]
        raise _err(path, f"{what} is {_shown(x)}, not a whole step (at most 2**53)")
    return int(x)  # type: ignore[arg-type]


def _shown(x: object) -> str:
    text = json.dumps(x) if isinstance(x, (list, dict, str, type(None), bool)) else repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _tidy(path: str, steps: np.ndarray, values: np.ndarray,
          lines: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    if not len(values):
        raise _err(path, "the learning-rate series has no values")
    bad = ~np.isfinite(values)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        where = f"line {int(lines[k])}" if lines is not None else f"step {int(steps[k])}"
        raise _err(path, f"{where}: learning rate {float(values[k])!r} is not a finite number")
    if (values < 0).any():
        k = int(np.flatnonzero(values < 0)[0])
        where = f"line {int(lines[k])}" if lines is not None else f"step {int(steps[k])}"
        raise _err(path, f"{where}: negative learning rate {float(values[k])!r}")
    order = np.argsort(steps, kind="stable")
    steps, values = steps[order], values[order]
    lines = lines[order] if lines is not None else None
    same = np.flatnonzero(np.diff(steps) == 0)
    if len(same):
        clash = same[values[same] != values[same + 1]]
        if len(clash):
            k = int(clash[0])
            where = (f" (lines {int(lines[k])} and {int(lines[k + 1])})" if lines is not None
                     else "")
            a, b = float(values[k]), float(values[k + 1])
            raise _err(path, f"step {int(steps[k])} is logged twice with different values, "
                             f"{a!r} and {b!r}{where}: a resumed run? keep one part (or "
                             "--column another series)")
        keep = np.ones(len(steps), dtype=bool)
        keep[same + 1] = False
        steps, values = steps[keep], values[keep]
    return steps, values


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
    if header == ["Wall time", "Step", "Value"]:
        fmt, step_col, value_cols = "tensorboard-csv", "Step", [2]
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
    return Log(st, va, name, fmt, _is_float32(va), unit, note)


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


def _event_files(path: str) -> list[str]:
    if os.path.isdir(path):
        found = []
        for root, _, files in os.walk(path):
            found += [os.path.join(root, f) for f in files if "tfevents" in f]
        return sorted(found)
    return [path]


def _read_tensorboard(path: str, column: str | None) -> Log:
    try:
        from tensorboard.backend.event_processing import event_accumulator as ea
        from tensorboard.util import tensor_util
    except ImportError:
        raise MissingExtra(f"log '{path}' is a TensorBoard event file: reading it needs the "
                           "tensorboard package (pip install 'lrsched-cli[tensorboard]')"
                           ) from None
    files = _event_files(path)
    if not files:
        raise _err(path, "a folder without TensorBoard event files (events.out.tfevents.*)")
    series: dict[str, list[tuple[int, float]]] = {}
    for f in files:
        acc = ea.EventAccumulator(f, size_guidance={ea.SCALARS: 0, ea.TENSORS: 0})
        try:
            acc.Reload()
        except Exception as e:  # a corrupt or truncated file: the reader's own words
            raise _err(path, f"cannot read event file '{f}': {e}") from None
        tags = acc.Tags()
        for tag in tags.get(ea.SCALARS, []):
            series.setdefault(tag, []).extend((e.step, e.value) for e in acc.Scalars(tag))
        for tag in tags.get(ea.TENSORS, []):
            try:
                pts = [(e.step, float(tensor_util.make_ndarray(e.tensor_proto).reshape(-1)[0]))
                       for e in acc.Tensors(tag)]
            except (ValueError, TypeError, IndexError):
                continue
            series.setdefault(tag, []).extend(pts)
    name, note = _choose(path, {k: len(v) for k, v in series.items()}, column, "tag")
    pts = series[name]
    st, va = _tidy(path, np.array([s for s, _ in pts], dtype=np.int64),
                   np.array([v for _, v in pts], dtype=np.float64))
    return Log(st, va, name, "tensorboard", True, "step", note)


def _is_tfrecord(head: bytes) -> bool:
    return len(head) >= 16 and b"brain.Event" in head[:64]


def read(path: str, column: str | None = None) -> Log:
    """The learning-rate series of log ``path`` (the format told from the content)."""
    if path != "-" and not os.path.exists(path):
        raise _err(path, "no such file or folder")
    if os.path.isdir(path):
        if _event_files(path):
            return _read_tensorboard(path, column)
        state = os.path.join(path, "trainer_state.json")
        if os.path.isfile(state):
            return read(state, column)
        raise _err(path, "a folder without TensorBoard event files or trainer_state.json")
    from ...files.reading import read_input

    data = read_input(path, "log", text=None, is_binary=lambda head: head.startswith(
        b"\x93NUMPY") or _is_tfrecord(head[:64]))
    if data.startswith(b"\x93NUMPY"):
        return _read_npy(path, data, column)
    if _is_tfrecord(data[:64]):
        return _read_tensorboard(path, column)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _err(path, "not a text file, TensorBoard event file or .npy array") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip()
    if not stripped:
        raise _err(path, "the file is empty")
    first = stripped.split("\n", 1)[0]
    if stripped[0] in "[{" and not (first.startswith("{") and first.rstrip().endswith("}")
                                     and "\n" in stripped.strip()):
        return _read_json(path, text, column)
    if stripped[0] == "{":
        return _read_jsonl(path, text, column)
    if "," in first:
        return _read_csv(path, text, column)
    got = _read_numbers(path, text)
    if got is None:
        raise _err(path, "not a format lrsched reads (TensorBoard, Lightning, HF Trainer, "
                         "MLflow, Keras CSV, lrsched exports, a column of numbers)")
    return got


def log_series(path: str, column: str | None = None, step_offset: int = 0,
               quiet: bool = False, step_scale: int = 1) -> Series:
    """The log as a :class:`Series` at steps ``logged * step_scale + step_offset`` (an epoch
    log of a per-step schedule: ``--step-scale`` = steps per epoch)."""
    if step_scale < 1:
        raise UsageError(f"invalid value for --step-scale: '{step_scale}' (allowed: a whole "
                         "number >= 1)")
    log = read(path, column)
    if log.note and not quiet:
        note(log.note)
    steps = log.steps * step_scale + step_offset
    if len(steps) and steps[0] < 0:
        raise UsageError(f"--step-offset {step_offset} puts logged step {int(log.steps[0])} "
                         f"at {int(steps[0])}; steps cannot be negative")
    return Series(label=f"log {os.path.basename(os.path.normpath(path))}", steps=steps,
                  values=log.values, name="log",
                  params={"file": path, "column": log.column, "format": log.fmt,
                          **({"step_offset": step_offset} if step_offset else {}),
                          **({"step_scale": step_scale} if step_scale != 1 else {}),
                          **({"float32": True} if log.float32 else {})},
                  unit=log.unit if step_scale == 1 else "step")
