"""Training configs: the learning rate of every optimizer update, as the trainer runs it.

``config FILE`` reads a trainer's config (the format told from its content, or ``--type``),
counts updates as that trainer counts them, and gives one series per parameter group: row
``k`` is the lr the optimizer holds right before its ``k``-th real ``step()``. Each format
is a module with ``build(doc, inputs) -> Reading`` (:mod:`.base`) and either
``detect(doc)`` (a JSON or YAML mapping it recognises) or ``sniff(text, file_name)`` with
``parse(text, file_name) -> doc`` (a file of its own kind: Python read with ``ast`` and
never executed, a launch script's flags). ``parse`` also replaces JSON/YAML for a format
that reads its files otherwise (DeepSpeed's hjson).

Imports numpy, the YAML library, the dialects, files and errors; never the rest of sources,
never a UI library.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from ...errors import UsageError
from .base import Inputs, Reading, parse_mapping, set_value

# name -> (module, what it reads), in the order content is tested against them
FORMATS: dict[str, str] = {
    "hf": "Hugging Face Trainer TrainingArguments (JSON or YAML)",
    "deepspeed": "a DeepSpeed JSON config (its scheduler, optimizer and batch keys)",
    "mmengine": "an MMEngine Python config (param_scheduler, train_cfg, optim_wrapper; "
                "read, never run)",
    "megatron": "Megatron-LM flags: a launch script's bash arrays or a file of flags (read, "
                "never run)",
    "lightning": "a LightningCLI YAML, or a LightningModule's configure_optimizers (Python, "
                 "read, never run)",
    "timm": "timm train.py's args.yaml (saved with a run, or given to --config)",
    "ultralytics": "Ultralytics YOLO train args (a saved args.yaml, or lr0, lrf, nbs, ... "
                   "by hand)",
}


def _module(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{name}")


def read(path: str, inputs: Inputs, kind: str | None = None) -> Reading:
    """The :class:`Reading` of the config at ``path`` (``-``: stdin)."""
    from ...files.reading import read_input

    if kind is not None and kind not in FORMATS:
        raise UsageError(f"--type {kind!r} is not a config type: allowed: "
                         + ", ".join(FORMATS))
    name = "stdin" if path == "-" else os.path.basename(path)
    text = read_input(path, "a training config").decode("utf-8")
    if kind is None:
        kind = next((k for k in FORMATS if hasattr(_module(k), "sniff")
                     and _module(k).sniff(text, name)), None)
    if kind is None:
        doc = _document(text, name, None, inputs)
        kind = next((k for k in FORMATS if hasattr(_module(k), "detect")
                     and _module(k).detect(doc)), None)
        if kind is None:
            raise UsageError(f"'{name}' is not a config lrsched knows (it reads: "
                             + "; ".join(f"{k}: {v}" for k, v in FORMATS.items())
                             + "): give --type if it is one of them")
    return _module(kind).build(_document(text, name, kind, inputs), inputs)


def _document(text: str, name: str, kind: str | None, inputs: Inputs) -> dict[str, Any]:
    """The settings as the trainer ``kind`` reads its file (a format's own ``parse``, else
    JSON or YAML), with the ``--set`` overrides applied. Unknown ``kind``: any reading that
    succeeds (JSON, YAML, then DeepSpeed's hjson), to tell the format from."""
    parse = getattr(_module(kind), "parse", None) if kind is not None else None
    if parse is not None:
        doc = parse(text, name)
    else:
        try:
            doc = parse_mapping(text, name)
        except UsageError:
            if kind is not None or not text.lstrip().startswith("{"):
                raise
            try:  # comments, trailing commas: DeepSpeed's hjson
                doc = _module("deepspeed").parse(text, name)
            except UsageError:
                doc = parse_mapping(text, name)  # the JSON error, which names the place
    for assignment in inputs.sets:
        set_value(doc, assignment)
    return doc


def series(path: str, inputs: Inputs, kind: str | None = None) -> list[Any]:
    """One :class:`~lrsched_cli.series.Series` per parameter group (group 0 first)."""
    import numpy as np

    from ...series import Series

    r = read(path, inputs, kind)
    name = "stdin" if path == "-" else os.path.basename(path)
    out = []
    for group, values in r.groups.items():
        label = f"config {name}" + (f" [{group}]" if len(r.groups) > 1 else "")
        params: dict[str, Any] = {"config": path, "type": r.format, "trainer": r.trainer,
                                  "updates": r.updates, "counting": list(r.facts),
                                  "surprises": list(r.surprises)}
        if len(r.groups) > 1:
            params["group"] = group
        out.append(Series(label=label, steps=np.arange(len(values), dtype=np.int64),
                          values=values, name="config", params=params, unit="step",
                          total_steps=len(values)))
    return out


__all__ = ["FORMATS", "Inputs", "Reading", "read", "series"]
