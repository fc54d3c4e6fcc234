"""torch's schedulers as PyTorch 2.13 has them, on one parameter group in plain Python floats:
``Group`` (the optimizer's group), ``Sched`` (LRScheduler: construction takes one step,
``step()`` updates the lr, ``_update_lr(epoch)`` as SequentialLR calls it), the recursive
schedulers (LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR,
ExponentialLR, PolynomialLR, CosineAnnealingLR: the leaves of a tape) and ReduceLROnPlateau
(driven by ``step(metric)``; timm's PlateauLRScheduler and hf's plateau schedule step it
too). The ones torch computes from ``t`` are in ``closed_forms``, the composites in
``composites``.

Imports only ``lrsched_cli.errors`` and the dialects' ``base`` and ``lambdas``: never the
rest of ``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even
inside a function); numpy only inside functions.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from typing import Any

from ....errors import UsageError
from ..base import FrameworkError, is_number
from ..lambdas import Lambda


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
