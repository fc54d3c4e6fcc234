"""The means to compute a schedule any range at a time (so that export streams a billion
steps in flat memory, DESIGN.md §5).

A dialect's ``evaluate`` returns a :class:`Computed`: the length ``n`` (settled by
:meth:`~lrsched_cli.sources.dialects.base.Ctx.length`, the one place lengths are checked)
and a ``source(a, b)`` giving ``lr[a..b-1]``. Sources come in two kinds:

* closed forms (:func:`closed`): a function of ``t``, computed with numpy where a vectorised
  twin exists and the arguments are plain numbers, else (and for any chunk where numpy
  meets an error the framework's Python would raise) with the scalar reference function,
  operation for operation as the framework does;
* sequential computations (:func:`sequential`): state carried from step to step (torch's
  recursive schedulers, metric-driven ones), read in order chunk by chunk, the state kept
  between chunks.

Imports only the dialects' ``base`` (and numpy inside functions): never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from .base import FAILURES, step_error


@dataclass
class Computed:
    """What a dialect's evaluate gives: ``n`` values, ``source(a, b)`` = ``lr[a..b-1]``."""

    n: int
    source: Callable[[int, int], np.ndarray]


def whole(values: np.ndarray) -> Computed:
    """A computation already held in memory (the metric-driven ones: their metrics are)."""
    return Computed(len(values), lambda a, b: values[a:b])


def run_scalar(f: Callable[[int], Any], a: int, b: int, what: str) -> np.ndarray:
    """``[f(a), ..., f(b-1)]`` as float64; a framework's arithmetic error becomes one line
    naming its step."""
    import numpy as np

    out = np.empty(b - a, dtype=np.float64)
    t = a
    try:
        for t in range(a, b):
            out[t - a] = f(t)
    except FAILURES as e:
        raise step_error(what, t, e) from None
    return out


def closed(scalar: Callable[[int], Any], what: str,
           vector: Callable[[np.ndarray], Any] | None = None) -> Callable[[int, int], np.ndarray]:
    """The source of a closed form: ``vector(t)`` (numpy, the same operations as ``scalar``)
    where given; a chunk where numpy meets a division by zero, an overflow or an invalid
    operation (or a math function refuses a value) is computed again with ``scalar``, which
    raises what the framework raises, at its step, or gives the framework's values."""
    import numpy as np

    def source(a: int, b: int) -> np.ndarray:
        if vector is not None and b > a:
            try:
                with np.errstate(divide="raise", over="raise", invalid="raise",
                                 under="ignore"):
                    out = np.asarray(vector(np.arange(a, b, dtype=np.int64)),
                                     dtype=np.float64)
                return out if out.shape == (b - a,) else np.full(b - a, out, dtype=np.float64)
            except (FloatingPointError, *FAILURES):
                pass
        return run_scalar(scalar, a, b, what)
    return source


def sequential(fresh: Callable[[], Callable[[int], np.ndarray]]) -> Callable[[int, int],
                                                                          np.ndarray]:
    """The source of a computation carried from step to step. ``fresh()`` starts it and gives
    ``take(k)``, the next ``k`` values. Ranges are read in order (export, per-epoch holding,
    sparse reads): the state is kept between them and the last range is kept for a range that
    overlaps it; a range before the position starts again from step 0."""
    import numpy as np

    state: dict[str, Any] = {"take": None, "pos": 0, "at": 0, "last": np.empty(0)}

    def source(a: int, b: int) -> np.ndarray:
        parts = []
        first = a
        at, last = state["at"], state["last"]
        if at <= a < at + len(last):
            hi = min(b, at + len(last))
            parts.append(last[a - at:hi - at])
            a = hi
        if a < b:
            if state["take"] is None or a < state["pos"]:
                state["take"], state["pos"] = fresh(), 0
            take = state["take"]
            while state["pos"] < a:  # skipped rows (--start, sparse reads): computed, dropped
                k = min(a - state["pos"], 1 << 18)
                take(k)
                state["pos"] += k
            parts.append(take(b - a))
            state["pos"] = b
        out = parts[0] if len(parts) == 1 else np.concatenate(parts)
        state["at"], state["last"] = first, out
        return out
    return source
