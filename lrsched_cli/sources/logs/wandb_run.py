"""Weights & Biases runs: a run folder (``wandb/offline-run-*/``, ``wandb/run-*/``), the
``wandb/`` folder holding one run, or the run's ``run-<id>.wandb`` file, read with the wandb
SDK's own reader (the optional extra ``lrsched-cli[wandb]``, imported inside the reader);
and the step a W&B history counts, which the CSV exports share.

The ``.wandb`` file is the SDK's record log (LevelDB log framing, ``:W&B`` header) of
protobuf ``Record`` messages. wandb up to 0.29 reads it with
``wandb.sdk.internal.datastore.DataStore`` and ``wandb.proto.wandb_internal_pb2.Record``;
wandb 0.30 removed that Python reader, and from 0.31 on the SDK's reader is its core
binary's ``wandb leet inspect --json`` (one JSON line per record). lrsched uses whichever
the installed wandb has; wandb 0.30 has neither (its inspector prints text only).

The step: W&B's ``_step`` counts ``run.log`` calls unless the run logged with ``step=``;
a run that declared ``define_metric("*", step_metric="train/global_step")`` (the HF
Trainer's and Lightning's W&B integrations do) is drawn, and read here, against that
metric instead.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, codegen).
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator

import numpy as np

from ...errors import RuntimeFailure
from .common import Log, MissingExtra, _choose, _err, _is_float32, _step, _tidy

INTERNAL = ("_step", "_runtime", "_timestamp")
_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _is_wandb_file(head: bytes) -> bool:
    """The header of a .wandb record log: ``:W&B``, magic 0xBEE1, version (7 bytes)."""
    return len(head) >= 7 and head[:4] == b":W&B"


def _wandb_files(path: str) -> list[str]:
    """The .wandb files of a run folder, or else of the runs in a ``wandb/`` folder."""
    for pattern in ("*.wandb", "*/*.wandb"):
        found: dict[str, str] = {}
        for f in sorted(glob.glob(os.path.join(glob.escape(path), pattern))):
            parent = os.path.basename(os.path.dirname(f))
            if os.path.isfile(f) and not parent.startswith("latest-run"):
                found.setdefault(os.path.realpath(f), f)
        if found:
            return sorted(found.values())
    return []


def is_step_name(name: str) -> bool:
    """``train/global_step``, ``trainer/global_step``, ``global_step``: a trainer's step."""
    return name.lower().rsplit("/", 1)[-1] == "global_step"


def _number(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return _NONFINITE.get(v) if isinstance(v, str) else None


# --------------------------------------------------------------------------------------
# The SDK's readers: each yields ("history", {key: value}) and ("metric", {...}) records.

def _missing(path: str) -> MissingExtra:
    return MissingExtra(f"log '{path}' is a Weights & Biases run: reading it needs the wandb "
                        'package (pip install "lrsched-cli[wandb]")')


def _records(path: str, file: str) -> Iterator[tuple[str, dict]]:
    import importlib.util

    try:
        spec = importlib.util.find_spec("wandb")
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin in (None, "namespace"):  # a folder named wandb is not it
        raise _missing(path)
    try:
        from wandb.proto import wandb_internal_pb2 as pb
        from wandb.sdk.internal import datastore
    except ImportError:  # wandb >= 0.30: no Python reader
        yield from _core_records(path, file)
        return
    yield from _datastore_records(path, file, datastore, pb)


def _datastore_records(path: str, file: str, datastore, pb) -> Iterator[tuple[str, dict]]:
    """wandb <= 0.29: the SDK's DataStore and Record protobuf (it opens files read-write)."""
    with contextlib.ExitStack() as stack:
        ds = datastore.DataStore()
        try:
            try:
                ds.open_for_scan(file)
            except PermissionError:  # a read-only file: scan a copy
                tmp = stack.enter_context(tempfile.TemporaryDirectory())
                copy = os.path.join(tmp, os.path.basename(file))
                shutil.copyfile(file, copy)
                ds.open_for_scan(copy)
            stack.callback(ds.close)
            size = os.path.getsize(file)
            while True:
                try:
                    data = ds.scan_data()
                except AssertionError:
                    fp = getattr(ds, "_fp", None)
                    if fp is not None and fp.tell() >= size:  # cut off mid-record
                        yield "incomplete", {}
                        return
                    raise
                if data is None:
                    break
                rec = pb.Record()
                rec.ParseFromString(data)
                kind = rec.WhichOneof("record_type")
                if kind == "history":
                    yield "history", {it.key or ".".join(it.nested_key): json.loads(
                        it.value_json) for it in rec.history.item}
                elif kind == "metric":
                    m = rec.metric
                    yield "metric", {"name": m.name, "glob_name": m.glob_name,
                                     "step_metric": m.step_metric}
        except Exception as e:  # a corrupt or truncated file: the reader's own words
            raise _err(path, f"cannot read W&B run file '{file}': {e}") from None


def _core_records(path: str, file: str) -> Iterator[tuple[str, dict]]:
    """wandb >= 0.31: the SDK's core reader, ``wandb leet inspect --json FILE``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        have = version("wandb")
    except PackageNotFoundError:
        raise _missing(path) from None
    if tuple(int(p) for p in (have.split(".") + ["0"])[:2] if p.isdigit()) < (0, 31):
        raise RuntimeFailure(f"log '{path}': wandb {have} has no reader of .wandb files that "
                             "lrsched can use (0.30 removed the Python one; 0.31 added "
                             "'wandb leet inspect --json'): pip install 'wandb>=0.31'")
    with tempfile.TemporaryFile("w+") as errors, subprocess.Popen(
            [sys.executable, "-m", "wandb", "leet", "inspect", "--json", file],
            stdout=subprocess.PIPE, stderr=errors, text=True, stdin=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if '"type":"history"' not in line and '"type":"metric"' not in line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = rec.get("type")
            if kind in ("history", "metric") and isinstance(rec.get(kind), dict):
                body = rec[kind]
                yield kind, (body.get("item") or {}) if kind == "history" else body
        code = proc.wait()
        errors.seek(0)
        err = errors.read().strip()
    corrupt = [ln for ln in err.splitlines() if "corrupt" in ln]
    if code or corrupt:
        last = (corrupt or err.splitlines() or [f"exit status {code}"])[-1]
        last = last.removeprefix("wandb leet inspect: ")
        raise _err(path, f"cannot read W&B run file '{file}': {last}")
    if "incomplete" in err:
        yield "incomplete", {}


# --------------------------------------------------------------------------------------
# The reader.

def _step_metric(name: str, metrics: list[dict]) -> str | None:
    """The x-axis the run declared for ``name`` (define_metric; the last that applies)."""
    exact = [m for m in metrics if m.get("name") == name and m.get("step_metric")]
    if exact:
        return exact[-1]["step_metric"]
    globs = [m for m in metrics if m.get("glob_name") and m.get("step_metric")
             and fnmatch.fnmatchcase(name, m["glob_name"])
             and m["step_metric"] != name]
    return globs[-1]["step_metric"] if globs else None


def _read_wandb(path: str, column: str | None, data: bytes | None = None) -> Log:
    """A W&B run (folder or .wandb file; ``data``: the file's bytes when read from stdin)."""
    if data is not None and (path == "-" or not os.path.isfile(path)):
        with tempfile.TemporaryDirectory() as tmp:
            file = os.path.join(tmp, "stdin.wandb")
            with open(file, "wb") as fh:
                fh.write(data)
            return _read_wandb_file(path, file, column)
    if os.path.isdir(path):
        files = _wandb_files(path)
        if not files:
            raise _err(path, "a folder without a W&B run (run-*.wandb)")
        if len(files) > 1:
            shown = ", ".join(os.path.relpath(os.path.dirname(f), path) for f in files[:6])
            raise _err(path, f"a folder of {len(files)} W&B runs ({shown}"
                             f"{', ...' if len(files) > 6 else ''}); give one run's folder")
        return _read_wandb_file(path, files[0], column)
    return _read_wandb_file(path, path, column)


def _read_wandb_file(path: str, file: str, column: str | None) -> Log:
    rows: list[dict] = []
    metrics: list[dict] = []
    incomplete = False
    for kind, body in _records(path, file):
        if kind == "incomplete":
            incomplete = True
        else:
            (rows if kind == "history" else metrics).append(body)
    counts: dict[str, int] = {}
    for row in rows:
        for k, v in row.items():
            if not k.startswith("_") and _number(v) is not None:
                counts[k] = counts.get(k, 0) + 1
    name, note = _choose(path, counts, column, "key")
    step_key = _step_metric(name, metrics) or "_step"
    steps, values = [], []
    for row in rows:
        v = _number(row.get(name))
        if v is None:
            continue
        where = f"_step {row.get('_step', '?')}"
        if step_key not in row:
            raise _err(path, f"{where}: '{name}' has a value but its step '{step_key}' "
                             "(define_metric) is missing")
        steps.append(_step(path, row[step_key], f"{where}: step '{step_key}'"))
        values.append(v)
    if step_key != "_step":
        said = f"steps from '{step_key}', the run's define_metric step (W&B's _step counts " \
               "log calls)"
        note = f"{note}; {said}" if note else f"log '{path}': {said}"
    if incomplete:
        said = (f"the run file ends mid-record (the run is still running or was interrupted); "
                f"read up to _step {rows[-1].get('_step', '?') if rows else '-'}")
        note = f"{note}; {said}" if note else f"log '{path}': {said}"
    st, va = _tidy(path, np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64))
    return Log(st, va, name, "wandb", _is_float32(va), "step", note)
