"""What every training-config format shares: the inputs a config cannot know, the result
(one lr series per parameter group, per optimizer update, and how the trainer counted), and
the readers of the files themselves (JSON, YAML, ``--set`` overrides).

A format module (``hf``, ``deepspeed``, ...) turns a parsed document and :class:`Inputs` into
a :class:`Reading`. Imports numpy, the YAML library, errors and files only; no UI library.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import UsageError
from ...files.metrics import is_number


@dataclass(frozen=True)
class Inputs:
    """What the config file does not hold, from the command line (the same on every format).

    ``dataset_size``: training samples; ``batch_size``: per device, where the file lacks it;
    ``world_size``: data-parallel processes; ``epochs``: where the epoch loop is the user's
    (DeepSpeed); ``sets``: ``KEY=VALUE`` overrides, dotted keys, applied in order;
    ``metrics``: the metric after each epoch, for a scheduler that follows it (``--metrics``;
    nan where there is none).
    """

    dataset_size: int | None = None
    batch_size: int | None = None
    world_size: int = 1
    epochs: float | None = None
    sets: tuple[str, ...] = ()
    metrics: tuple[float, ...] | None = None


@dataclass
class Reading:
    """A config as its trainer runs it: ``groups`` maps each parameter group's name (group 0
    first) to the lr the optimizer holds right before each of its real ``step()`` calls;
    ``facts`` are (what, value) lines of the trainer's counting; ``surprises`` one line each."""

    format: str
    trainer: str
    groups: dict[str, np.ndarray]
    facts: list[tuple[str, str]] = field(default_factory=list)
    surprises: list[str] = field(default_factory=list)

    @property
    def updates(self) -> int:
        return len(next(iter(self.groups.values())))


def need(value: Any, what: str, option: str, fmt: str) -> Any:
    """``value``, or the error naming what is missing and the option that supplies it."""
    if value is None:
        raise UsageError(f"{fmt}: the config does not say {what}: give {option}")
    return value


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


# --------------------------------------------------------------------------------------
# Documents.

def parse_mapping(text: str, file_name: str) -> dict[str, Any]:
    """A JSON or YAML document that must be a mapping (YAML read in safe mode)."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise UsageError(f"'{file_name}' is not valid JSON: {e.msg} at line {e.lineno}, "
                             f"column {e.colno}") from None
    else:
        doc = load_yaml(text, file_name)
    if not isinstance(doc, dict):
        raise UsageError(f"'{file_name}' holds no mapping of settings (a "
                         f"{type(doc).__name__} at its top)")
    return doc


def load_yaml(text: str, file_name: str, loader: Any = None) -> Any:
    """``text`` read as YAML with ``loader`` (a ``yaml.SafeLoader`` subclass; default the safe
    loader itself); a syntax error is one line naming the place."""
    import yaml

    try:
        return yaml.load(text, Loader=loader or yaml.SafeLoader)  # noqa: S506 - safe loaders
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or type(e).__name__
        raise UsageError(f"'{file_name}' is not valid YAML: {problem}{where}") from None


def set_value(doc: dict[str, Any], assignment: str) -> None:
    """Apply one ``--set KEY=VALUE``: a dotted key into nested mappings (made where absent),
    the value read as YAML reads a scalar or a flow list (``2``, ``1e-3``, ``true``,
    ``[30, 60]``, ``cosine``)."""
    key, eq, text = assignment.partition("=")
    key = key.strip()
    if not eq or not key or any(not part for part in key.split(".")):
        raise UsageError(f"--set {assignment!r}: expected KEY=VALUE (a dotted KEY, e.g. "
                         "trainer.max_epochs=2)")
    import yaml

    try:
        value = yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        value = text
    if isinstance(value, str) and is_number(value):  # 3e-4 on the command line
        value = int(value) if value.strip().lstrip("+-").isdigit() else float(value)
    parts = key.split(".")
    node: Any = doc
    for i, part in enumerate(parts[:-1]):
        nxt = node.get(part) if isinstance(node, dict) else None
        if nxt is None:
            nxt = node[part] = {}
        elif not isinstance(nxt, dict):
            raise UsageError(f"--set {key}: {'.'.join(parts[:i + 1])} is a "
                             f"{type(nxt).__name__} in the config, not a mapping")
        node = nxt
    node[parts[-1]] = value


def number(doc: dict[str, Any], key: str, default: Any, fmt: str, *, integer: bool = False,
           lo: float | None = None, lo_open: bool = False) -> Any:
    """``doc[key]`` as a number (``default`` when absent or null), checked; the error names
    the key and what is allowed. Numbers written as text are refused, as the trainers do."""
    v = doc.get(key)
    if v is None:
        return default
    if isinstance(v, str) and is_number(v):
        raise UsageError(f"{fmt}: {key} {v!r} is text, not a number (YAML reads an exponent "
                         "without a dot, such as 3e-4, as text), and the trainer fails on "
                         f"it: write {float(v)!r}")
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if ok and integer and v != int(v):
        ok = False
    if ok and lo is not None and (v < lo or (lo_open and v == lo)):
        ok = False
    if not ok:
        what = "a whole number" if integer else "a finite number"
        if lo is not None:
            what += f" {'>' if lo_open else '>='} {lo:g}"
        raise UsageError(f"{fmt}: {key} {v!r} is not allowed: {what}")
    return int(v) if integer else v


def flat(values: list[float] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)
