"""The ``torch`` dialect: ``torch.optim.lr_scheduler`` stepped exactly as PyTorch 2.13 does.

Convention: ``lr[i]`` is the optimizer's lr after ``i`` calls of ``scheduler.step()``
(``lr[0]`` is the value right after construction). PyTorch's schedulers are chainable:
most update the current lr recursively, and composites (SequentialLR, ChainedScheduler)
share one optimizer between children. This package has that machinery on one parameter
group, in plain Python floats, following ../shared/reference/torch.md: the recursive
updates, the construction-time steps, ``_update_lr(0)`` at SequentialLR milestones, and the
known quirks (a nested SequentialLR advancing one step at construction, ChainedScheduler
failing at a milestone) come out as PyTorch has them.

It is computed any range at a time (export streams it; :func:`evaluate`): the schedulers
torch computes from ``t`` as closed forms in numpy; the recursive ones, and ChainedScheduler
and SequentialLR of them, as the tape of their updates, torch's multiplications in torch's
order (np.multiply.accumulate multiplies left to right, as the loop does; CosineAnnealingLR
with eta_min is an affine recurrence, applied one step at a time); everything else (nested
composites, ReduceLROnPlateau, unplain arguments) by stepping the machinery itself, its state
carried from chunk to chunk. All three give the same bits (tests/test_dialect_streaming.py).

The package's parts: ``build`` (the names, DIALECT, construction, implied lengths),
``schedulers`` (Group, LRScheduler and the recursive schedulers, ReduceLROnPlateau),
``closed_forms`` (the schedulers computed from ``t``, and their numpy forms),
``composites`` (SequentialLR, ChainedScheduler) and ``tape`` (the recursive ones as the
tape of their updates); here, :func:`evaluate`, which picks among the three ways, and the
replay of torch's machinery.

Imports only ``lrsched_cli.errors``, the dialects' ``base``, ``expr``, ``stream`` and this
package's parts: never the rest of ``lrsched_cli.sources``, never typer, click, rich,
plotext or matplotlib (not even inside a function); numpy only inside functions.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ....errors import UsageError
from ..base import FAILURES, Ctx, step_error
from ..expr import Call
from ..stream import Computed, sequential
from .build import DIALECT, _build, implied_steps
from .closed_forms import _closed
from .schedulers import Group, ReduceLROnPlateau
from .tape import _Tape, _UseReplay


def evaluate(call: Call, ctx: Ctx) -> Computed:
    """``lr[0..N-1]`` of the scheduler; N = ctx.steps or the implied length (else 100).

    Computed, by the kind of scheduler: the ones torch computes from ``t`` (OneCycleLR,
    CyclicLR, CosineAnnealingWarmRestarts) as closed forms; the recursive ones (and
    ChainedScheduler and SequentialLR of them) as a tape of their updates (:class:`_Tape`),
    every multiplication torch does, in its order; anything else by replaying torch's
    machinery step by step (:func:`_replay`), its state carried from chunk to chunk.
    """
    sched = _build(call, Group(lr=ctx.base_lr))
    if isinstance(sched, ReduceLROnPlateau):
        if ctx.metrics is None:
            raise UsageError("ReduceLROnPlateau needs --metrics FILE (one metric per epoch; "
                             "lr[i+1] is the lr after step(metrics[i]))")
        n = ctx.length(len(ctx.metrics) if ctx.steps is None else None, "--metrics")
        if n > len(ctx.metrics):
            raise UsageError(f"--steps {n} needs {n} metrics; the metrics given have "
                             f"{len(ctx.metrics)}")
    else:
        n = ctx.length(lambda: implied_steps(call), f"'{call.source}'")
    replay = sequential(lambda: _replay(call, ctx))
    closed_form = _closed(sched, n, call)
    if closed_form is not None:
        return Computed(n, closed_form)
    tape = _Tape.of(call, ctx)
    if tape is None:
        return Computed(n, replay)
    return Computed(n, _or_replay(sequential(tape.fresh), replay))


def _replay(call: Call, ctx: Ctx) -> Callable[[int], np.ndarray]:
    """torch's machinery, stepped: ``take(k)`` gives the next ``k`` values."""
    import numpy as np

    group = Group(lr=ctx.base_lr)
    sched = _build(call, group)
    plateau = isinstance(sched, ReduceLROnPlateau)
    what = f"{call.name}(...)"

    def values() -> Any:
        i = 0
        while True:
            try:
                if i:
                    if plateau:
                        sched.step_metric(ctx.metrics[i - 1])  # type: ignore[attr-defined,index]
                    else:
                        sched.step()
                v = group["lr"]
                yield v if type(v) is float else float(v)
            except FAILURES as e:
                raise step_error(what, i, e) from None
            i += 1

    it = values()
    return lambda k: np.fromiter(itertools.islice(it, k), dtype=np.float64, count=k)


def _or_replay(fast: Callable[[int, int], np.ndarray],
               replay: Callable[[int, int], np.ndarray]) -> Callable[[int, int], np.ndarray]:
    state = {"fast": True}

    def source(a: int, b: int) -> np.ndarray:
        if state["fast"]:
            try:
                return fast(a, b)
            except _UseReplay:
                state["fast"] = False
        return replay(a, b)
    return source


DIALECT.evaluate = evaluate  # (DIALECT, its names, is in build: construction reads them)
