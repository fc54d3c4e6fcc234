"""The ``torch`` dialect: ``torch.optim.lr_scheduler`` stepped exactly as PyTorch 2.13 does.

Convention: ``lr[i]`` is the optimizer's lr after ``i`` calls of ``scheduler.step()``
(``lr[0]`` is the value right after construction). PyTorch's schedulers are chainable:
most update the current lr recursively, and composites (SequentialLR, ChainedScheduler)
share one optimizer between children. So this module replays that machinery step by step
on one parameter group, in plain Python floats, following ../shared/reference/torch.md:
the recursive updates, the construction-time steps, ``_update_lr(0)`` at SequentialLR
milestones, and the known quirks (a nested SequentialLR advancing one step at
construction, ChainedScheduler failing at a milestone) come out as PyTorch has them.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ..errors import UsageError
from .base import REQUIRED, Ctx, Dialect, Fn, FrameworkError, bind, is_number
from .expr import Call, Lambda

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
        return self.gamma ** x

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
    except FrameworkError:
        raise
    except ZeroDivisionError as e:
        raise FrameworkError(f"{call.name}(...) raises ZeroDivisionError in its constructor: "
                             f"{e}") from None
    except TypeError as e:
        raise UsageError(f"{call.name}: {e}") from None


def implied_steps(call: Call) -> int | None:
    """The run length the expression implies: OneCycleLR's total, T_max, total_iters..."""
    try:
        fn = DIALECT.check_name(call)
        args = bind(fn, call)
    except UsageError:
        return None
    name = call.name
    if name == "OneCycleLR":
        if isinstance(args["total_steps"], int):
            return args["total_steps"]
        if isinstance(args["epochs"], int) and isinstance(args["steps_per_epoch"], int):
            return args["epochs"] * args["steps_per_epoch"]
    if name == "CosineAnnealingLR" and isinstance(args["T_max"], int):
        return args["T_max"]
    if name == "SequentialLR":
        ms, kids = args["milestones"], args["schedulers"]
        if isinstance(ms, (list, tuple)) and ms and isinstance(kids, (list, tuple)) and kids \
                and isinstance(kids[-1], Call):
            last = implied_steps(kids[-1])
            if last is not None and all(isinstance(m, int) for m in ms):
                return ms[-1] + last
    return None


def evaluate(call: Call, ctx: Ctx) -> tuple[np.ndarray, int]:
    """``lr[0..N-1]`` of the scheduler; N = ctx.steps or the implied length (else 100)."""
    import numpy as np

    group = Group(lr=ctx.base_lr)
    sched = _build(call, group)
    n = ctx.steps if ctx.steps is not None else implied_steps(call)
    if isinstance(sched, ReduceLROnPlateau):
        if ctx.metrics is None:
            raise UsageError("ReduceLROnPlateau needs --metrics FILE (one metric per epoch; "
                             "lr[i+1] is the lr after step(metrics[i]))")
        if n is None:
            n = len(ctx.metrics)
        if n > len(ctx.metrics):
            raise UsageError(f"--steps {n} needs {n} metrics; the metrics given have "
                             f"{len(ctx.metrics)}")
    n = 100 if n is None else n
    fast = _vectorised(sched, n)
    if fast is not None:
        return fast, n
    out = np.empty(n, dtype=np.float64)
    i = 0
    try:
        for i in range(n):
            out[i] = group["lr"]
            if i == n - 1:
                break
            if isinstance(sched, ReduceLROnPlateau):
                sched.step_metric(ctx.metrics[i])  # type: ignore[index]
            else:
                sched.step()
    except FrameworkError as e:
        raise FrameworkError(f"at step {i + 1}: {e}") from None
    except UsageError:  # lrsched's own refusal (an expression beyond its bounds)
        raise
    except ZeroDivisionError as e:
        raise FrameworkError(f"{call.name}(...) raises ZeroDivisionError at step {i + 1}: "
                             f"{e}") from None
    except (OverflowError, ValueError, TypeError) as e:
        raise FrameworkError(f"{call.name}(...) raises {type(e).__name__} at step {i + 1}: "
                             f"{e}") from None
    return out, n


def _vectorised(sched: Sched, n: int) -> np.ndarray | None:
    """The schedulers torch computes directly from ``t`` (no recursion): numpy, same ops."""
    import numpy as np

    from ..schedules import kernels

    t = np.arange(n, dtype=np.float64)
    if type(sched) is OneCycleLR:
        if n - 1 > sched.total_steps:
            raise FrameworkError(f"at step {sched.total_steps + 1}: ValueError: Tried to step "
                                 f"{sched.total_steps + 1} times. The specified number of total "
                                 f"steps is {sched.total_steps}")
        g = sched.group
        out = np.empty(n, dtype=np.float64)
        todo = np.ones(n, dtype=bool)
        start = 0.0
        for i, (end, a, b) in enumerate(sched.phases):
            here = todo & (t <= end) if i < len(sched.phases) - 1 else todo
            pct = (t[here] - start) / (end - start)
            lo, hi = g[a], g[b]
            out[here] = (hi + (lo - hi) / 2.0 * (np.cos(np.pi * pct) + 1) if sched.cos
                         else (hi - lo) * pct + lo)
            todo &= ~here
            start = end
        return out
    if type(sched) is CyclicLR and sched.custom is None:
        cycle = np.floor(1 + t / sched.total_size)
        x = 1.0 + t / sched.total_size - cycle
        r = sched.step_ratio
        factor = np.where(x <= r, x / r, (x - 1) / (r - 1))
        height = (sched.max_lr - sched.base_lr) * factor
        if sched.mode == "triangular":
            scale = 1.0
        elif sched.mode == "triangular2":
            scale = 1 / (2.0 ** (cycle - 1))
        else:
            scale = np.power(sched.gamma, t)
        return sched.base_lr + height * scale
    if type(sched) is CosineAnnealingWarmRestarts:
        return kernels.sgdr(t, n, sched.T_0, sched.T_mult, sched.eta_min, sched.base_lr)
    return None


DIALECT = Dialect(
    name="torch", title="torch.optim.lr_scheduler",
    prefixes=("torch.optim.lr_scheduler", "optim.lr_scheduler", "lr_scheduler"),
    functions=FUNCTIONS, uses_base_lr=True,
    convention="lr[i] is the optimizer's lr after i calls of scheduler.step() (lr[0]: right "
               "after construction)",
)
DIALECT.evaluate = evaluate
