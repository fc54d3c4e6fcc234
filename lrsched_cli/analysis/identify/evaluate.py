"""A spec's values at the logged steps only (as ``lrsched export`` computes them), and its
largest relative error there: memory and time follow the log, whatever the run's length.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports render or commands.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...errors import UsageError
from ..difference import relative_difference
from .candidate import Params


def _max_rel(model: np.ndarray, v: np.ndarray) -> float:
    out = float(relative_difference(model, v).max(initial=0.0))
    return out if math.isfinite(out) else math.inf


def values_at(spec: Any, steps: np.ndarray) -> np.ndarray:
    """``lr[steps]`` of a resolved spec, only at the given indices (a sparse log of a run of
    10**9 steps costs its own length): :func:`compose.schedule_at`."""
    from ...schedules.compose import schedule_at

    if spec.entry.sequential:
        raise UsageError(f"identify does not fit {spec.name}")
    return schedule_at(spec, steps)


def _resolve(schedule: str, params: Params, run: Params) -> Any:
    from ...schedules.registry import resolve

    return resolve(schedule, {**params, **run})


def evaluate_at(schedule: str, params: Params, run: Params, steps: np.ndarray,
                end: int | None = None) -> np.ndarray:
    """The values lrsched gives for this spec at ``steps`` (as ``export`` computes them);
    with ``end``, the value at step ``end`` is held from there on."""
    s = np.asarray(steps, dtype=np.int64)
    if end is not None:
        s = np.minimum(s, end)
    return values_at(_resolve(schedule, params, run), s)


def _error(name: str, params: Params, run: Params, steps: np.ndarray, values: np.ndarray,
           end: int | None = None) -> float | None:
    """The spec's largest relative error at ``steps``; None when lrsched refuses it."""
    import warnings

    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _max_rel(evaluate_at(name, params, run, steps, end), values)
    except (UsageError, ValueError, IndexError, OverflowError, ZeroDivisionError,
            FloatingPointError):
        return None
