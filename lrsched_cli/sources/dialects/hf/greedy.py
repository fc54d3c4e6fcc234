"""transformers' GreedyLR (5.x) on one parameter group, step for step: metric-driven, the lr
divided by ``factor`` (up to max_lr) after more than ``patience`` improving metrics, multiplied
by it (down to min_lr) after more than ``patience`` others, reset to the start after
``reset_start`` reductions at min_lr; :func:`_greedy` steps it with ``--metrics``.

Imports only ``lrsched_cli.errors`` and the dialects' ``base`` and ``stream`` (numpy inside
a function): never the rest of ``lrsched_cli.sources``, never typer, click, rich, plotext or
matplotlib (not even inside a function).
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any

from ....errors import UsageError
from ..base import FAILURES, FrameworkError, need_number, step_error
from ..stream import whole

if TYPE_CHECKING:
    from ..base import Ctx
    from ..stream import Computed


class _Greedy:
    """transformers.optimization.GreedyLR on one parameter group, step for step."""

    def __init__(self, lr: float, a: dict[str, Any]) -> None:
        for k in ("factor", "patience", "threshold", "cooldown", "warmup", "eps",
                  "window_size", "reset_start"):
            need_number("GreedyLR", k, a[k])
        if a["factor"] >= 1.0:
            raise FrameworkError("ValueError: Factor should be < 1.0.")
        self.min_lr = _one_group("min", a["min_lr"])
        self.max_lr = _one_group("max", a["max_lr"])
        if a["mode"] not in ("min", "max"):
            raise FrameworkError(f"ValueError: mode {a['mode']} is unknown!")
        if a["threshold_mode"] not in ("rel", "abs"):
            raise FrameworkError(f"ValueError: threshold mode {a['threshold_mode']} is "
                                 "unknown!")
        self.lr = self.init_lr = lr
        self.mode, self.threshold, self.threshold_mode = (a["mode"], a["threshold"],
                                                          a["threshold_mode"])
        self.factor, self.patience, self.eps = a["factor"], a["patience"], a["eps"]
        self.cooldown, self.warmup = a["cooldown"], a["warmup"]
        self.smooth, self.window_size = bool(a["smooth"]), a["window_size"]
        self.reset_original = a["reset_start"]
        self.restart()

    def restart(self) -> None:
        """The state after construction, and after GreedyLR._reset (the lr aside)."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.bad = self.good = self.cooldown_counter = self.warmup_counter = 0
        self.reset_start = self.reset_original
        self.window: deque[float] = deque()
        self.window_sum = 0.0

    def better(self, a: float) -> bool:
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < self.best * (1.0 - self.threshold)
            return a < self.best - self.threshold
        if self.threshold_mode == "rel":
            return a > self.best * (1.0 + self.threshold)
        return a > self.best + self.threshold

    def step(self, metric: float) -> None:
        current = float(metric)
        if self.smooth:  # transformers' StreamingAverage: a running sum over the window
            self.window.append(current)
            self.window_sum += current
            if len(self.window) > self.window_size:
                self.window_sum -= self.window.popleft()
            current = self.window_sum / len(self.window)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.bad = self.good = 0
        elif self.warmup_counter > 0:
            self.warmup_counter -= 1
            self.bad = self.good = 0
        else:
            if self.better(current):
                self.best = current
                self.bad = 0
                self.good += 1
            else:
                self.bad += 1
                self.good = 0
            if self.good > self.patience:
                new = min(self.lr / self.factor, self.max_lr)
                if new - self.lr > self.eps:
                    self.lr = new
                self.reset_start = self.reset_original
                self.warmup_counter = self.warmup
                self.good = 0
            elif self.bad > self.patience:
                new = max(self.lr * self.factor, self.min_lr)
                if self.lr - new > self.eps:
                    self.lr = new
                if not self.lr > self.min_lr:
                    self.reset_start -= 1
                    if self.reset_start <= 0:
                        self.lr = self.init_lr
                        self.restart()
                self.cooldown_counter = self.cooldown
                self.bad = 0


def _one_group(which: str, v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        if len(v) != 1:
            raise FrameworkError(f"ValueError: expected 1 {which}_lrs, got {len(v)}")
        v = v[0]
    need_number("GreedyLR", f"{which}_lr", v)
    return v


def _greedy(a: dict[str, Any], ctx: Ctx) -> Computed:
    import numpy as np

    sched = _Greedy(ctx.base_lr, a)
    if ctx.metrics is None:
        raise UsageError("GreedyLR needs --metrics FILE (one metric per step() call, i.e. per "
                         "evaluation; lr[i+1] is the lr after step(metrics[i]))")
    n = ctx.length(len(ctx.metrics) if ctx.steps is None else None, "--metrics")
    if n > len(ctx.metrics):
        raise UsageError(f"--steps {n} needs {n} metrics; the metrics given have "
                         f"{len(ctx.metrics)}")
    out = np.empty(n, dtype=np.float64)
    i = 0
    try:
        for i in range(n):
            out[i] = sched.lr
            if i < n - 1:
                sched.step(ctx.metrics[i])
    except FAILURES as e:
        raise step_error("GreedyLR", i + 1, e) from None
    return whole(out)
