"""Reading the learning rate a training run logged (``lrsched <action> log FILE``).

The format is told from the content, never the file name (../shared/reference/loggers.md
has each format, measured):

- TensorBoard event files (a file, or a run folder holding them), read with the tensorboard
  package's own ``EventAccumulator`` (the optional extra ``lrsched-cli[tensorboard]``);
- Weights & Biases runs (a run folder, or its ``run-<id>.wandb`` file), read with the wandb
  SDK's own reader (the optional extra ``lrsched-cli[wandb]``), and W&B's CSV exports: a
  chart's "Export as CSV" (``Step``, ``<run> - <metric>``, ``__MIN``, ``__MAX``) and a run's
  history (``_step``, ``_runtime``, ``_timestamp`` and the metrics);
- TensorBoard's "Download CSV" (``Wall time,Step,Value``);
- Lightning's CSVLogger ``metrics.csv`` (``lr-SGD``, ``lr-AdamW/pg1``...; sparse rows);
- the Hugging Face Trainer's ``trainer_state.json`` (``log_history[].learning_rate``);
- MLflow metric files (``<timestamp> <value> <step>`` lines);
- Keras CSVLogger files (``epoch,learning_rate,...``, ``NA`` cells);
- lrsched's own csv / json / jsonl / npy exports, any CSV with a step column, and a bare
  column of numbers (steps 0, 1, ...).

A log keeps the steps it has (sparse logs are normal). Values a format stores in float32
(TensorBoard scalars, Keras) are flagged, so that comparisons use a fitting tolerance.
The package's face is :func:`read` (the format told from the content), :func:`log_series`
and :class:`Log`; ``common`` holds the record and what every reader shares (choosing the
series, tidying the steps), ``formats`` the readers of a file's bytes (CSV, JSON, JSONL,
the HF Trainer's state, MLflow and bare columns, .npy, W&B's CSV exports), ``events`` the
TensorBoard reader, ``wandb_run`` the W&B run reader.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, codegen).
"""

from __future__ import annotations

import os

from ...errors import UsageError
from ...notices import note
from ...series import Series
from .common import Log, _err
from .events import _event_files, _is_tfrecord, _read_tensorboard
from .formats import _read_csv, _read_json, _read_jsonl, _read_npy, _read_numbers
from .wandb_run import _is_wandb_file, _read_wandb, _wandb_files

__all__ = ["Log", "log_series", "read"]


def read(path: str, column: str | None = None) -> Log:
    """The learning-rate series of log ``path`` (the format told from the content)."""
    if path != "-" and not os.path.exists(path):
        raise _err(path, "no such file or folder")
    if os.path.isdir(path):
        if _wandb_files(path):  # before event files: a W&B run may hold synced ones
            return _read_wandb(path, column)
        if _event_files(path):
            return _read_tensorboard(path, column)
        state = os.path.join(path, "trainer_state.json")
        if os.path.isfile(state):
            return read(state, column)
        raise _err(path, "a folder without TensorBoard event files, a W&B run (run-*.wandb) "
                         "or trainer_state.json")
    if path != "-" and os.path.isfile(path):
        with open(path, "rb") as fh:
            head = fh.read(7)
        if _is_wandb_file(head):  # the SDK reads it as a stream: no size bound (runs grow big)
            return _read_wandb(path, column)
    from ...files.reading import read_input

    data = read_input(path, "log", text=None, is_binary=lambda head: head.startswith(
        b"\x93NUMPY") or _is_tfrecord(head[:64]) or _is_wandb_file(head))
    if data.startswith(b"\x93NUMPY"):
        return _read_npy(path, data, column)
    if _is_tfrecord(data[:64]):
        return _read_tensorboard(path, column)
    if _is_wandb_file(data[:7]):
        return _read_wandb(path, column, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _err(path, "not a text file, TensorBoard event file, W&B run file or .npy "
                         "array") from None
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
        raise _err(path, "not a format lrsched reads (TensorBoard, W&B, Lightning, HF "
                         "Trainer, MLflow, Keras CSV, lrsched exports, a column of numbers)")
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
