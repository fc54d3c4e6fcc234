"""TensorBoard event files (a file, or a run folder holding them), read with the
tensorboard package's own ``EventAccumulator`` (the optional extra
``lrsched-cli[tensorboard]``, imported inside the reader).

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, codegen).
"""

from __future__ import annotations

import os

import numpy as np

from .common import Log, MissingExtra, _choose, _err, _tidy


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
