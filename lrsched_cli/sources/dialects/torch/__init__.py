"""The ``torch`` dialect: ``torch.optim.lr_scheduler`` stepped exactly as PyTorch 2.13 does.

Convention: ``lr[i]`` is the optimizer's lr after ``i`` calls of ``scheduler.step()``
(``lr[0]`` is the value right after construction). PyTorch's schedulers are chainable:
most update the current lr recursively, and composites (SequentialLR, ChainedScheduler)
share one optimizer between children. This module has that machinery on one parameter
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
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ....errors import UsageError
from ..arith import _np_cos_is_libm, cos, ipow, plain, ppow
from ..base import FAILURES, REQUIRED, Ctx, Dialect, Fn, FrameworkError, bind, is_number, step_error
from ..expr import Call
from ..lambdas import Lambda
from ..stream import Computed, closed, sequential

R = REQUIRED


class Group(dict):
    """The optimizer's single parameter group (``lr``, ``initial_lr``, ...)."""


class Sched:
    """PyTorch's LRScheduler: construction takes one (initial) step."""

    has_closed_form = False

    def __init__(self, group: Group) -> None:
        self.group = group
        group.setdefault("initial_lr", group["lr"])
        self.base_lr = group["initial_lr"]
        self.last_epoch = -1
        self.is_initial = False
        self.initial_step()

    def initial_step(self) -> None:
        self.step_count = 0
        self.is_initial = True
        try:
            self.step()
        finally:
            self.is_initial = False

    def step(self) -> None:
        self.step_count += 1
        self.update_lr(None)

    def update_lr(self, epoch: int | None) -> None:
        if epoch is None:
            self.last_epoch += 1
            value = self.get_lr()
        else:
            self.last_epoch = epoch
            value = self.closed_form() if self.has_closed_form else self.get_lr()
        self.group["lr"] = value

    def get_lr(self) -> float:
        raise NotImplementedError(f"{type(self).__name__}.get_lr")

    def closed_form(self) -> float:  # pragma: no cover - only where has_closed_form
        raise NotImplementedError


class LambdaLR(Sched):
    def __init__(self, group: Group, lr_lambda: Any) -> None:
        self.f = _one_function("LambdaLR", lr_lambda)
        super().__init__(group)

    def get_lr(self) -> float:
        return self.base_lr * self.f(self.last_epoch)


class MultiplicativeLR(Sched):
    def __init__(self, group: Group, lr_lambda: Any) -> None:
        self.f = _one_function("MultiplicativeLR", lr_lambda)
        super().__init__(group)

    def get_lr(self) -> float:
        if not self.is_initial:
            return self.group["lr"] * self.f(self.last_epoch)
        return self.group["lr"]


class StepLR(Sched):
    has_closed_form = True

    def __init__(self, group: Group, step_size: Any, gamma: float = 0.1) -> None:
        self.step_size, self.gamma = step_size, gamma
        super().__init__(group)

    def get_lr(self) -> float:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.group["lr"]
        return self.group["lr"] * self.gamma

    def closed_form(self) -> float:
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)


class MultiStepLR(Sched):
    has_closed_form = True

    def __init__(self, group: Group, milestones: Any, gamma: float = 0.1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(group)

    def get_lr(self) -> float:
        if self.last_epoch not in self.milestones:
            return self.group["lr"]
        return self.group["lr"] * self.gamma ** self.milestones[self.last_epoch]

    def closed_form(self) -> float:
        ms = sorted(self.milestones.elements())
        return self.base_lr * self.gamma ** bisect_right(ms, self.last_epoch)


class ConstantLR(Sched):
    has_closed_form = True

    def __init__(self, group: Group, factor: float = 1.0 / 3, total_iters: int = 5) -> None:
        if factor > 1.0 or factor < 0:
            raise FrameworkError("ValueError: Constant multiplicative factor expected to be "
                                 "between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(group)

    def get_lr(self) -> float:
        if self.last_epoch == 0:
            return self.group["lr"] * self.factor
        if self.last_epoch != self.total_iters:
            return self.group["lr"]
        return self.group["lr"] * (1.0 / self.factor)

    def closed_form(self) -> float:
        return self.base_lr * (self.factor + (self.last_epoch >= self.total_iters)
                               * (1 - self.factor))


class LinearLR(Sched):
    has_closed_form = True

    def __init__(self, group: Group, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise FrameworkError("ValueError: Starting multiplicative factor expected to be "
                                 "greater than 0 and less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise FrameworkError("ValueError: Ending multiplicative factor expected to be "
                                 "between 0 and 1.")
        self.sf, self.ef, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(group)

    def get_lr(self) -> float:
        if self.last_epoch == 0:
            return self.group["lr"] * self.sf
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.group["lr"]
        return self.group["lr"] * (1.0 + (self.ef - self.sf) / (
            self.total_iters * self.sf + (self.last_epoch - 1) * (self.ef - self.sf)))

    def closed_form(self) -> float:
        return self.base_lr * (self.sf + (self.ef - self.sf)
                               * min(self.total_iters, self.last_epoch) / self.total_iters)


class ExponentialLR(Sched):
    has_closed_form = True

    def __init__(self, group: Group, gamma: float) -> None:
        self.gamma = gamma
        super().__init__(group)

    def get_lr(self) -> float:
        if self.is_initial:
            return self.group["lr"]
        return self.group["lr"] * self.gamma

    def closed_form(self) -> float:
        return self.base_lr * self.gamma ** self.last_epoch


class PolynomialLR(Sched):
    has_closed_form = True

    def __init__(self, group: Group, total_iters: int = 5, power: float = 1.0) -> None:
        self.total_iters, self.power = total_iters, power
        super().__init__(group)

    def get_lr(self) -> float:
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.group["lr"]
        factor = ((1.0 - self.last_epoch / self.total_iters)
                  / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return self.group["lr"] * factor

    def closed_form(self) -> float:
        return self.base_lr * (1.0 - min(self.total_iters, self.last_epoch)
                               / self.total_iters) ** self.power


class CosineAnnealingLR(Sched):
    has_closed_form = True

    def __init__(self, group: Group, T_max: Any, eta_min: float = 0.0) -> None:
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(group)

    def get_lr(self) -> float:
        t, T, em, lr = self.last_epoch, self.T_max, self.eta_min, self.group["lr"]
        if self.is_initial:
            return lr
        if self.step_count == 1 and t > 0:
            return em + (self.base_lr - em) * (1 + math.cos(t * math.pi / T)) / 2
        if (t - 1 - T) % (2 * T) == 0:
            return lr + (self.base_lr - em) * (1 - math.cos(math.pi / T)) / 2
        return ((1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - em) + em)

    def closed_form(self) -> float:
        return (self.eta_min + (self.base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2)


class CosineAnnealingWarmRestarts(Sched):
    def __init__(self, group: Group, T_0: Any, T_mult: Any = 1, eta_min: Any = 0.0) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise FrameworkError(f"ValueError: Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise FrameworkError(f"ValueError: Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise FrameworkError(f"ValueError: Expected float or int eta_min, but got {eta_min} "
                                 f"of type {type(eta_min)}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = 0
        super().__init__(group)

    def step(self) -> None:  # its own step(): T_cur counts steps since the restart
        self.step_count += 1
        if self.last_epoch < 0:  # the first step is step(epoch=0)
            self.T_i, self.T_cur = self.T_0, 0
            self.last_epoch = 0
        else:
            self.last_epoch += 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        self.group["lr"] = self.get_lr()

    def get_lr(self) -> float:
        return (self.eta_min + (self.base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2)


class CyclicLR(Sched):
    def __init__(self, group: Group, base_lr: Any, max_lr: Any, step_size_up: Any = 2000,
                 step_size_down: Any = None, mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Any = None, scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float = 0.8, max_momentum: float = 0.9) -> None:
        base_lr, max_lr = _per_group("base_lr", base_lr), _per_group("max_lr", max_lr)
        group["lr"] = base_lr
        self.max_lr = max_lr
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size  # ZeroDivisionError when both are 0, as torch
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise FrameworkError("ValueError: mode is invalid and scale_fn is None")
        self.mode, self.gamma, self.scale_mode = mode, gamma, scale_mode
        self.custom = _one_function("CyclicLR scale_fn", scale_fn) if scale_fn is not None \
            else None
        if self.custom is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        super().__init__(group)
        self.base_lr = base_lr

    def scale(self, x: Any) -> Any:
        if self.custom is not None:
            return self.custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return ipow(self.gamma, x)

    def get_lr(self) -> float:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        r = self.step_ratio
        factor = x / r if x <= r else (x - 1) / (r - 1)
        height = (self.max_lr - self.base_lr) * factor
        arg = cycle if self.scale_mode == "cycle" else self.last_epoch
        return self.base_lr + height * self.scale(arg)


class OneCycleLR(Sched):
    def __init__(self, group: Group, max_lr: Any, total_steps: Any = None, epochs: Any = None,
                 steps_per_epoch: Any = None, pct_start: Any = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float = 0.85, max_momentum: float = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False) -> None:
        if total_steps is not None:
            if not isinstance(total_steps, int) or isinstance(total_steps, bool) \
                    or total_steps <= 0:
                raise FrameworkError("ValueError: Expected positive integer total_steps, but "
                                     f"got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise FrameworkError(f"ValueError: Expected positive integer epochs, but got "
                                     f"{epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise FrameworkError("ValueError: Expected positive integer steps_per_epoch, "
                                     f"but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise FrameworkError("ValueError: You must define either total_steps OR (epochs "
                                 "AND steps_per_epoch)")
        n = self.total_steps
        if three_phase:
            self.phases = [(float(pct_start * n) - 1, "initial_lr", "max_lr"),
                           (float(2 * pct_start * n) - 2, "max_lr", "initial_lr"),
                           (n - 1, "initial_lr", "min_lr")]
        else:
            self.phases = [(float(pct_start * n) - 1, "initial_lr", "max_lr"),
                           (n - 1, "max_lr", "min_lr")]
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise FrameworkError(f"ValueError: Expected float between 0 and 1 pct_start, but "
                                 f"got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise FrameworkError("ValueError: anneal_strategy must be one of 'cos' or 'linear', "
                                 f"instead got {anneal_strategy}")
        self.cos = anneal_strategy == "cos"
        max_lr = _per_group("max_lr", max_lr)
        group["initial_lr"] = max_lr / div_factor
        group["max_lr"] = max_lr
        group["min_lr"] = group["initial_lr"] / final_div_factor
        super().__init__(group)

    def get_lr(self) -> float:
        step = self.last_epoch
        if step > self.total_steps:
            raise FrameworkError(f"ValueError: Tried to step {step} times. The specified "
                                 f"number of total steps is {self.total_steps}")
        start = 0.0
        for i, (end, a, b) in enumerate(self.phases):
            if step <= end or i == len(self.phases) - 1:
                pct = (step - start) / (end - start)
                lo, hi = self.group[a], self.group[b]
                if self.cos:
                    return hi + (lo - hi) / 2.0 * (math.cos(math.pi * pct) + 1)
                return (hi - lo) * pct + lo
            start = end
        raise AssertionError  # pragma: no cover


class ReduceLROnPlateau(Sched):
    """Not stepped by SequentialLR/ChainedScheduler; driven by ``step(metric)``."""

    def __init__(self, group: Group, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: Any = 0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise FrameworkError("ValueError: Factor should be < 1.0.")
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != 1:
                raise FrameworkError(f"ValueError: expected 1 min_lrs, got {len(min_lr)}")
            min_lr = min_lr[0]
        if mode not in ("min", "max"):
            raise FrameworkError(f"ValueError: mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise FrameworkError(f"ValueError: threshold mode {threshold_mode} is unknown!")
        self.group = group
        group.setdefault("initial_lr", group["lr"])
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.bad = 0
        self.cooldown_counter = 0
        self.last_epoch = 0

    def better(self, a: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < self.best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < self.best - self.threshold
        if self.threshold_mode == "rel":
            return a > self.best * (self.threshold + 1.0)
        return a > self.best + self.threshold

    def step_metric(self, metric: float) -> None:
        current = float(metric)
        self.last_epoch += 1
        if self.better(current):
            self.best = current
            self.bad = 0
        else:
            self.bad += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.bad = 0
        if self.bad > self.patience:
            old = float(self.group["lr"])
            new = max(old * self.factor, self.min_lr)
            if old - new > self.eps:
                self.group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.bad = 0


class SequentialLR(Sched):
    def __init__(self, group: Group, schedulers: Any, milestones: Any) -> None:
        schedulers = list(schedulers)
        if len(schedulers) < 1:
            raise FrameworkError("ValueError: SequentialLR expects at least one scheduler, but "
                                 "got no scheduler.")
        for i, s in enumerate(schedulers):
            if isinstance(s, ReduceLROnPlateau):
                raise FrameworkError(
                    "ValueError: SequentialLR does not support `ReduceLROnPlateau` scheduler as "
                    "it requires additional kwargs to be specified when calling `step`, but got "
                    f"one at index {i} in the given schedulers sequence.")
        milestones = list(milestones)
        if len(milestones) != len(schedulers) - 1:
            raise FrameworkError(
                "ValueError: Sequential Schedulers expects number of schedulers provided to be "
                "one more than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to "
                f"{len(milestones)}")
        self.group = group
        self.schedulers, self.milestones = schedulers, milestones
        self.last_epoch = 0
        group["lr"] = group["initial_lr"]
        self.undo(self)
        self.schedulers[bisect_right(milestones, 0)].initial_step()

    def undo(self, s: Any) -> None:
        if hasattr(s, "schedulers"):
            for c in s.schedulers:
                self.undo(c)
        elif hasattr(s, "last_epoch"):
            s.last_epoch -= 1

    def initial_step(self) -> None:  # as LRScheduler._initial_step: one step()
        self.step_count = 0
        self.step()

    def update_lr(self, epoch: int | None) -> None:
        raise FrameworkError(_AT_MILESTONE.format(name="SequentialLR"))

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self.milestones, self.last_epoch)
        s = self.schedulers[idx]
        if idx > 0 and self.milestones[idx - 1] == self.last_epoch:
            s.update_lr(0)
        else:
            s.step()


class ChainedScheduler(Sched):
    def __init__(self, group: Group, schedulers: Any) -> None:
        schedulers = list(schedulers)
        if len(schedulers) < 1:
            raise FrameworkError("ValueError: ChainedScheduler expects at least one scheduler "
                                 "to be chained, but got no scheduler.")
        for i, s in enumerate(schedulers):
            if isinstance(s, ReduceLROnPlateau):
                raise FrameworkError(
                    "ValueError: ChainedScheduler does not support `ReduceLROnPlateau` scheduler "
                    "as it requires additional kwargs to be specified when calling `step`, but "
                    f"got one at index {i} in the given schedulers sequence.")
        self.group = group
        self.schedulers = schedulers

    def initial_step(self) -> None:
        self.step_count = 0
        self.step()

    def step(self) -> None:
        for s in self.schedulers:
            s.step()

    def update_lr(self, epoch: int | None) -> None:
        raise FrameworkError(_AT_MILESTONE.format(name="ChainedScheduler"))


# torch's SequentialLR starts the child of a milestone with child._update_lr(0), which calls
# child.get_lr(); composites have none, so LRScheduler.get_lr raises (torch 2.13).
_AT_MILESTONE = ("NotImplementedError: a {name} inside SequentialLR cannot start at a "
                 "milestone (torch calls its get_lr(), which composites do not implement: "
                 "LRScheduler.get_lr raises)")


def _one_function(what: str, f: Any) -> Any:
    if isinstance(f, (list, tuple)):
        if len(f) != 1:
            raise FrameworkError(f"ValueError: Expected 1 lr_lambdas, but got {len(f)}")
        f = f[0]
    if not isinstance(f, Lambda):
        raise FrameworkError(f"TypeError: {what}: lr_lambda should be a function, but got "
                             f"{type(f).__name__}")
    return f


def _per_group(name: str, v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        if len(v) != 1:
            raise FrameworkError(f"ValueError: {name} must have the same length as "
                                 f"optimizer.param_groups. {name} has {len(v)} values, "
                                 "param_groups has 1.")
        v = v[0]
    if not is_number(v):
        raise UsageError(f"{name}={v!r} is not a number")
    return v


# --------------------------------------------------------------------------------------
# The function table and the evaluator.

_CLASSES: dict[str, tuple[type, tuple[tuple[str, Any], ...], str]] = {
    "LambdaLR": (LambdaLR, (("lr_lambda", R),), "base_lr * f(t)"),
    "MultiplicativeLR": (MultiplicativeLR, (("lr_lambda", R),), "lr *= f(t) from t = 1"),
    "StepLR": (StepLR, (("step_size", R), ("gamma", 0.1)), "lr *= gamma every step_size"),
    "MultiStepLR": (MultiStepLR, (("milestones", R), ("gamma", 0.1)),
                    "lr *= gamma at each milestone"),
    "ConstantLR": (ConstantLR, (("factor", 1.0 / 3), ("total_iters", 5)),
                   "base_lr * factor, then base_lr from total_iters"),
    "LinearLR": (LinearLR, (("start_factor", 1.0 / 3), ("end_factor", 1.0), ("total_iters", 5)),
                 "factor linear from start_factor to end_factor"),
    "ExponentialLR": (ExponentialLR, (("gamma", R),), "lr *= gamma every step"),
    "PolynomialLR": (PolynomialLR, (("total_iters", 5), ("power", 1.0)),
                     "base_lr * (1 - t/T) ** power, then 0"),
    "CosineAnnealingLR": (CosineAnnealingLR, (("T_max", R), ("eta_min", 0.0)),
                          "cosine from base_lr to eta_min over T_max (periodic, recursive)"),
    "CosineAnnealingWarmRestarts": (CosineAnnealingWarmRestarts,
                                    (("T_0", R), ("T_mult", 1), ("eta_min", 0.0)),
                                    "cosine with warm restarts (SGDR)"),
    "CyclicLR": (CyclicLR, (("base_lr", R), ("max_lr", R), ("step_size_up", 2000),
                            ("step_size_down", None), ("mode", "triangular"), ("gamma", 1.0),
                            ("scale_fn", None), ("scale_mode", "cycle"),
                            ("cycle_momentum", True), ("base_momentum", 0.8),
                            ("max_momentum", 0.9)), "cyclical learning rate"),
    "OneCycleLR": (OneCycleLR, (("max_lr", R), ("total_steps", None), ("epochs", None),
                                ("steps_per_epoch", None), ("pct_start", 0.3),
                                ("anneal_strategy", "cos"), ("cycle_momentum", True),
                                ("base_momentum", 0.85), ("max_momentum", 0.95),
                                ("div_factor", 25.0), ("final_div_factor", 1e4),
                                ("three_phase", False)), "1cycle policy"),
    "ReduceLROnPlateau": (ReduceLROnPlateau, (("mode", "min"), ("factor", 0.1),
                                              ("patience", 10), ("threshold", 1e-4),
                                              ("threshold_mode", "rel"), ("cooldown", 0),
                                              ("min_lr", 0), ("eps", 1e-8)),
                          "reduce on plateau. Needs --metrics: lr[i+1] is the lr after "
                          "step(metrics[i]); a nan metric counts as an epoch without "
                          "improvement, as in torch"),
    "SequentialLR": (SequentialLR, (("schedulers", R), ("milestones", R)),
                     "children one after another at milestones"),
    "ChainedScheduler": (ChainedScheduler, (("schedulers", R),),
                         "children stepped together (their factors multiply)"),
}

# Every LRScheduler takes last_epoch; ReduceLROnPlateau is not one (torch 2.13 raises
# TypeError for ReduceLROnPlateau(last_epoch=...)).
FUNCTIONS = {name: Fn(name=name, summary=summary,
                      params=params + ((("last_epoch", -1),) if name != "ReduceLROnPlateau"
                                       else ()))
             for name, (_, params, summary) in _CLASSES.items()}
FUNCTIONS["ChainedScheduler"] = Fn("ChainedScheduler", (("schedulers", R), ("optimizer", None)),
                                   _CLASSES["ChainedScheduler"][2], takes_optimizer=False)


def _build(call: Call, group: Group, nested: bool = False) -> Sched:
    fn = DIALECT.check_name(call)
    args = bind(fn, call)
    args.pop("optimizer", None)
    if args.pop("last_epoch", -1) != -1:
        raise UsageError(f"{call.name}: last_epoch other than -1 (resuming) is not supported; "
                         "use --start to begin the output later")
    cls = _CLASSES[call.name][0]
    for key in ("schedulers",):
        if key in args:
            children = args[key]
            if not isinstance(children, (list, tuple)) or not all(isinstance(c, Call)
                                                                  for c in children):
                raise UsageError(f"{call.name}: schedulers must be a list of scheduler calls")
            args[key] = [_build(c, group, nested=True) for c in children]
    for k, v in list(args.items()):
        if isinstance(v, Call):
            raise UsageError(f"{call.name}: {k} takes a value, not a call ('{v.source}')")
    if call.name == "ReduceLROnPlateau" and nested:
        raise FrameworkError(f"ValueError: {call.name} cannot be nested in a composite "
                             "scheduler")
    try:
        return cls(group, **args)
    except UsageError:
        raise
    except TypeError as e:
        if "argument" in str(e):  # Python's own signature check
            raise UsageError(f"{call.name}: {e}") from None
        raise FrameworkError(f"{call.name}(...) raises TypeError in its constructor (which "
                             f"computes step 0): {e}") from None
    except FAILURES as e:  # the constructor computes lr[0]: a lambda may fail there
        raise FrameworkError(f"{call.name}(...) raises {type(e).__name__} in its constructor "
                             f"(which computes step 0): {e}") from None


def implied_steps(call: Call) -> int | None:
    """The run length the expression implies: OneCycleLR's total, T_max, total_iters..."""
    try:
        fn = DIALECT.check_name(call)
        args = bind(fn, call)
    except UsageError:
        return None
    name = call.name
    if name == "OneCycleLR":
        if is_int(args["total_steps"]):
            return args["total_steps"]
        if is_int(args["epochs"]) and is_int(args["steps_per_epoch"]):
            return args["epochs"] * args["steps_per_epoch"]
    if name == "CosineAnnealingLR" and is_int(args["T_max"]):
        return args["T_max"]
    if name == "SequentialLR":
        ms, kids = args["milestones"], args["schedulers"]
        if isinstance(ms, (list, tuple)) and ms and isinstance(kids, (list, tuple)) and kids \
                and isinstance(kids[-1], Call):
            last = implied_steps(kids[-1])
            if last is not None and all(is_int(m) for m in ms):
                return ms[-1] + last
    return None


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


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


class _UseReplay(Exception):
    """A tape met what only torch's own machinery says right (an error without its step)."""


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


# --------------------------------------------------------------------------------------
# Closed forms: the schedulers torch computes from t (no recursion), numpy, same operations.


def _closed(sched: Sched, n: int, call: Call) -> Callable[[int, int], np.ndarray] | None:
    import numpy as np

    what = f"{call.name}(...)"
    if type(sched) is OneCycleLR:
        if n - 1 > sched.total_steps:  # what torch raises at its (total_steps + 1)-th step()
            raise FrameworkError(f"at step {sched.total_steps + 1}: ValueError: Tried to step "
                                 f"{sched.total_steps + 1} times. The specified number of total "
                                 f"steps is {sched.total_steps}")
        g = sched.group
        if not plain(g["initial_lr"], g["max_lr"], g["min_lr"], sched.total_steps,
                     *(e for e, _, _ in sched.phases)):
            return None
        return closed(_scalar_of(sched), what, lambda t: _onecycle(sched, t))
    if type(sched) is CyclicLR and sched.custom is None:
        if not plain(sched.max_lr, sched.base_lr, sched.total_size, sched.gamma):
            return None
        return closed(_scalar_of(sched), what, lambda t: _cyclic(sched, t))
    if type(sched) is CosineAnnealingWarmRestarts and plain(sched.eta_min, sched.base_lr) \
            and sched.T_0 < 1 << 40 and sched.T_mult < 1 << 20:
        from ....schedules import kernels

        if not _np_cos_is_libm():
            return None
        return closed(lambda t: _sgdr_at(sched, t), what,
                      lambda t: kernels.sgdr(t.astype(np.float64), n, sched.T_0, sched.T_mult,
                                             sched.eta_min, sched.base_lr))
    return None


def _scalar_of(sched: Sched) -> Callable[[int], float]:
    """torch's own ``get_lr()`` at ``last_epoch = t`` (for a scheduler computed from t)."""
    def f(t: int) -> float:
        sched.last_epoch = t
        return sched.get_lr()
    return f


def _sgdr_at(sched: CosineAnnealingWarmRestarts, t: int) -> float:
    T_i, T_cur = sched.T_0, t
    while T_cur >= T_i:
        T_cur, T_i = T_cur - T_i, T_i * sched.T_mult
    sched.T_cur, sched.T_i = T_cur, T_i
    return sched.get_lr()


def _onecycle(sched: OneCycleLR, t: np.ndarray) -> np.ndarray:
    import numpy as np

    g = sched.group
    t = t.astype(np.float64)
    out = np.empty(len(t), dtype=np.float64)
    todo = np.ones(len(t), dtype=bool)
    start = 0.0
    for i, (end, a, b) in enumerate(sched.phases):
        here = todo & (t <= end) if i < len(sched.phases) - 1 else todo
        if here.any():
            pct = (t[here] - start) / (end - start)
            lo, hi = g[a], g[b]
            out[here] = (hi + (lo - hi) / 2.0 * (cos(np.pi * pct) + 1) if sched.cos
                         else (hi - lo) * pct + lo)
        todo &= ~here
        start = end
    return out


def _cyclic(sched: CyclicLR, t: np.ndarray) -> np.ndarray:
    import numpy as np

    cycle = np.floor(1 + t / sched.total_size)
    x = 1.0 + t / sched.total_size - cycle
    r = sched.step_ratio
    factor = np.empty(len(t), dtype=np.float64)
    up = x <= r
    factor[up] = x[up] / r
    factor[~up] = (x[~up] - 1) / (r - 1)
    height = (sched.max_lr - sched.base_lr) * factor
    if sched.mode == "triangular":
        return sched.base_lr + height * 1.0
    if sched.mode == "triangular2":
        return sched.base_lr + height * (1 / ppow(2.0, cycle - 1))
    return sched.base_lr + height * ppow(sched.gamma, t)


# --------------------------------------------------------------------------------------
# The tape: torch's recursive schedulers as the sequence of updates they make to the lr.
#
# Each step() of a recursive scheduler does one thing to the optimizer's lr, a function of t
# alone: multiply it (StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR,
# MultiplicativeLR, and CosineAnnealingLR with eta_min 0), add to it (CosineAnnealingLR's
# branch at T_max + 1), set it (LambdaLR; a SequentialLR milestone) or the affine update of
# CosineAnnealingLR with eta_min. Those updates, for a chunk of steps, are computed with numpy
# (each leaf's ``ops``), then applied in order: products with np.multiply.accumulate, which
# multiplies left to right exactly as the loop does; anything else one by one in Python.

MUL, MULC, SET, ADD, AFF = 0, 1, 2, 3, 4  # MULC: x * r + 0.0 (CosineAnnealingLR, eta_min 0)


def _ops_step(leaf: Sched, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kind, v, w) of ``leaf.step()`` at its ``last_epoch`` values ``t`` (all >= 1)."""
    import numpy as np

    one = np.ones(len(t), dtype=np.float64)
    kind = np.zeros(len(t), dtype=np.int8)
    w = np.zeros(len(t), dtype=np.float64)
    if type(leaf) is StepLR:
        v = np.where(np.mod(t, leaf.step_size) == 0, float(leaf.gamma), 1.0)
    elif type(leaf) is MultiStepLR:
        keys, factors = leaf.tape_factors  # type: ignore[attr-defined]
        v = one
        if len(keys):
            i = np.minimum(np.searchsorted(keys, t), len(keys) - 1)
            hit = keys[i] == t
            v = np.where(hit, factors[i], 1.0)
    elif type(leaf) is ExponentialLR:
        v = one * float(leaf.gamma)
    elif type(leaf) is ConstantLR:
        hit = t == leaf.total_iters
        v = one
        if hit.any():
            v = np.where(hit, 1.0 / leaf.factor, 1.0)
    elif type(leaf) is LinearLR:
        v = one.copy()
        m = t <= leaf.total_iters
        if m.any():
            d = leaf.total_iters * leaf.sf + (t[m] - 1).astype(np.float64) * (leaf.ef - leaf.sf)
            v[m] = 1.0 + (leaf.ef - leaf.sf) / d
    elif type(leaf) is PolynomialLR:
        v = one.copy()
        m = t <= leaf.total_iters
        if m.any():
            T = leaf.total_iters
            tm = t[m].astype(np.float64)
            v[m] = ppow((1.0 - tm / T) / (1.0 - (tm - 1) / T), leaf.power)
    elif type(leaf) is CosineAnnealingLR:
        T, em = leaf.T_max, leaf.eta_min
        at = np.mod(t - 1 - T, 2 * T) == 0
        c = cos(np.pi * np.arange(t[0] - 1, t[-1] + 1, dtype=np.float64) / T)
        j = t - (t[0] - 1)
        v = np.empty(len(t), dtype=np.float64)
        rest = ~at
        v[rest] = (1 + c[j[rest]]) / (1 + c[j[rest] - 1])
        if at.any():
            v[at] = (leaf.base_lr - em) * (1 - math.cos(math.pi / T)) / 2
        kind[:] = MULC if em == 0 and math.copysign(1.0, em) > 0 else AFF
        kind[at] = ADD
        w[:] = em
    elif type(leaf) is MultiplicativeLR:
        v = np.array([float(leaf.f(x)) for x in t.tolist()], dtype=np.float64)
    elif type(leaf) is LambdaLR:
        b = leaf.base_lr
        v = np.array([float(b * leaf.f(x)) for x in t.tolist()], dtype=np.float64)
        kind[:] = SET
    else:  # pragma: no cover - _Tape.of admits no other leaf
        raise AssertionError(type(leaf).__name__)
    return kind, v, w


def _op_zero(leaf: Sched) -> tuple[int, float, float]:
    """The update of ``leaf._update_lr(0)`` (a SequentialLR milestone): its closed form at 0,
    or its get_lr() at 0 where it has none."""
    leaf.last_epoch = 0
    if leaf.has_closed_form:
        return SET, float(leaf.closed_form()), 0.0
    if type(leaf) is MultiplicativeLR:
        return MUL, float(leaf.f(0)), 0.0
    return SET, float(leaf.base_lr * leaf.f(0)), 0.0  # LambdaLR


_LEAVES = (StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR,
           CosineAnnealingLR, MultiplicativeLR, LambdaLR)


def _tape_leaf(s: Sched) -> bool:
    """A recursive scheduler with plain-number arguments (others are replayed)."""
    import numpy as np

    if type(s) not in _LEAVES or not plain(s.base_lr):
        return False
    if type(s) is StepLR:
        return plain(s.step_size, s.gamma) and s.step_size != 0
    if type(s) is MultiStepLR:
        if not plain(s.gamma):
            return False
        keys, factors = [], []
        for k, count in sorted(((int(k), c) for k, c in s.milestones.items()
                                if isinstance(k, (int, float)) and math.isfinite(k)
                                and k == int(k) and 0 <= k < 1 << 62)):
            try:
                factors.append(float(s.gamma ** count))
            except FAILURES:
                return False
            keys.append(k)
        s.tape_factors = (np.array(keys, dtype=np.int64),  # type: ignore[attr-defined]
                          np.array(factors, dtype=np.float64))
        return True
    if type(s) is ExponentialLR:
        return plain(s.gamma)
    if type(s) is ConstantLR:
        return plain(s.factor, s.total_iters)
    if type(s) is LinearLR:
        return plain(s.sf, s.ef, s.total_iters)
    if type(s) is PolynomialLR:
        return plain(s.total_iters, s.power)
    if type(s) is CosineAnnealingLR:
        return plain(s.T_max, s.eta_min) and s.T_max != 0 and math.isfinite(s.T_max)
    return True  # LambdaLR, MultiplicativeLR


class _Tape:
    """A recursive scheduler, or a ChainedScheduler or SequentialLR of them, as its updates."""

    def __init__(self, call: Call, root: Sched, lr0: float) -> None:
        self.call, self.root, self.lr0 = call, root, lr0
        self.what = f"{call.name}(...)"
        if isinstance(root, ChainedScheduler):
            self.leaves = list(root.schedulers)
        elif isinstance(root, SequentialLR):
            self.leaves = list(root.schedulers)
            self.ms = [m for m in root.milestones]
            self.first = bisect_right(self.ms, 0)
        else:
            self.leaves = [root]

    @staticmethod
    def of(call: Call, ctx: Ctx) -> _Tape | None:
        group = Group(lr=ctx.base_lr)
        root = _build(call, group)
        lr0 = group["lr"]
        if type(lr0) is not float:
            return None
        if isinstance(root, (ChainedScheduler, SequentialLR)):
            kids = root.schedulers
            if not all(_tape_leaf(k) for k in kids):
                return None
            if isinstance(root, SequentialLR):
                ms = root.milestones
                if not all(plain(m) for m in ms) or any(a > b for a, b in zip(ms, ms[1:])):
                    return None  # (unsorted milestones: bisect's answers, replayed)
        elif not _tape_leaf(root):
            return None
        return _Tape(call, root, lr0)

    def fresh(self) -> Callable[[int], np.ndarray]:
        import numpy as np

        state = {"pos": 0, "x": self.lr0}

        def take(k: int) -> np.ndarray:
            out = np.empty(k, dtype=np.float64)
            pos, done = state["pos"], 0
            if pos == 0 and k:
                out[0] = self.lr0
                pos, done = 1, 1
            while done < k:
                m = min(k - done, 1 << 16)
                vals, state["x"] = self.values(pos, pos + m, state["x"])
                out[done:done + m] = vals
                pos += m
                done += m
            state["pos"] = pos
            return out
        return take

    def values(self, T0: int, T1: int, x: float) -> tuple[np.ndarray, float]:
        """lr after steps T0..T1-1 (global, T0 >= 1), from ``x``, the lr after step T0 - 1."""
        import numpy as np

        kind, v, w, k = self.ops(T0, T1)
        with np.errstate(all="ignore"):  # torch's float arithmetic raises on none of these
            out, x = _apply(x, kind, v, w)
        return out[k - 1::k], x

    def ops(self, T0: int, T1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        import numpy as np

        T = np.arange(T0, T1, dtype=np.int64)
        if isinstance(self.root, ChainedScheduler):
            parts = [self.leaf_ops(leaf, T, T) for leaf in self.leaves]
            k = len(parts)
            return (np.stack([p[0] for p in parts], 1).ravel(),
                    np.stack([p[1] for p in parts], 1).ravel(),
                    np.stack([p[2] for p in parts], 1).ravel(), k)
        if not isinstance(self.root, SequentialLR):
            kind, v, w = self.leaf_ops(self.root, T, T)
            return kind, v, w, 1
        ms = np.array(self.ms, dtype=np.float64)
        idx = np.searchsorted(ms, T, side="right") if len(ms) else np.zeros(len(T), np.int64)
        kind = np.empty(len(T), dtype=np.int8)
        v = np.empty(len(T), dtype=np.float64)
        w = np.empty(len(T), dtype=np.float64)
        for j in np.unique(idx).tolist():
            here = np.flatnonzero(idx == j)
            leaf = self.leaves[j]
            begin = self.ms[j - 1] if j > self.first else 0
            local = T[here] - int(begin)
            zero = local == 0
            if zero.any():  # the milestone: child._update_lr(0)
                i = int(here[np.flatnonzero(zero)[0]])
                try:
                    kind[i], v[i], w[i] = _op_zero(leaf)
                except FAILURES as e:
                    raise step_error(self.what, int(T[i]), e) from None
            rest = here[~zero]
            if len(rest):
                kind[rest], v[rest], w[rest] = self.leaf_ops(leaf, local[~zero], T[rest])
        return kind, v, w, 1

    def leaf_ops(self, leaf: Sched, t: np.ndarray, T: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``_ops_step`` of one leaf at its times ``t`` (global steps ``T``); where numpy or
        Python meets an error, torch's own get_lr() at each step finds the first step that
        raises, and says it as torch's loop would."""
        import numpy as np

        try:
            with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
                return _ops_step(leaf, t)
        except (FloatingPointError, *FAILURES):
            pass
        leaf.group["lr"] = 1.0
        leaf.is_initial = False
        leaf.step_count = 2
        for tt, TT in zip(t.tolist(), T.tolist()):
            leaf.last_epoch = tt
            try:
                leaf.get_lr()
            except FAILURES as e:
                raise step_error(self.what, TT, e) from None
        raise _UseReplay


def _apply(x: float, kind: np.ndarray, v: np.ndarray, w: np.ndarray
           ) -> tuple[np.ndarray, float]:
    """The lr after each update, from ``x``: runs of products with np.multiply.accumulate
    (left to right, as the loop), every other update in Python."""
    import numpy as np

    n = len(kind)
    brk = np.flatnonzero(kind >= SET)
    if len(brk) * 8 > n:
        return _apply_loop(x, kind, v, w)
    out = np.empty(n, dtype=np.float64)
    pos = 0
    for b in [*brk.tolist(), n]:
        if b > pos:
            seg = np.multiply.accumulate(np.concatenate(([x], v[pos:b])))[1:]
            mc = kind[pos:b] == MULC
            if mc.any():  # x * r + 0.0 turns -0.0 into 0.0, and later signs follow it
                z = seg[mc]
                if np.any((z == 0) & np.signbit(z)):
                    seg, _ = _apply_loop(x, kind[pos:b], v[pos:b], w[pos:b])
            out[pos:b] = seg
            x = float(seg[-1])
        if b < n:
            k, vb, wb = int(kind[b]), float(v[b]), float(w[b])
            x = vb if k == SET else x + vb if k == ADD else vb * (x - wb) + wb
            out[b] = x
        pos = b + 1
    return out, x


def _apply_loop(x: float, kind: np.ndarray, v: np.ndarray, w: np.ndarray
                ) -> tuple[np.ndarray, float]:
    import numpy as np

    out = []
    for k, vb, wb in zip(kind.tolist(), v.tolist(), w.tolist()):
        if k == MUL:
            x = x * vb
        elif k == MULC:
            x = x * vb + 0.0
        elif k == SET:
            x = vb
        elif k == ADD:
            x = x + vb
        else:
            x = vb * (x - wb) + wb
        out.append(x)
    return np.array(out, dtype=np.float64), x


DIALECT = Dialect(
    name="torch", title="torch.optim.lr_scheduler",
    prefixes=("torch.optim.lr_scheduler", "optim.lr_scheduler", "lr_scheduler"),
    functions=FUNCTIONS, uses_base_lr=True,
    convention="lr[i] is the optimizer's lr after i calls of scheduler.step() (lr[0]: right "
               "after construction)",
)
DIALECT.evaluate = evaluate
