"""The torch schedulers computed from ``t`` rather than recursively (CosineAnnealingWarmRestarts,
CyclicLR, OneCycleLR), stepped as torch steps them, and their closed forms
(:func:`_closed`): numpy, the same operations as torch's ``get_lr()`` (which is the scalar
reference on any chunk where numpy meets an error).

Imports only ``lrsched_cli.errors``, ``lrsched_cli.schedules`` (inside a function) and the
dialects' ``arith``, ``base``, ``expr``, ``stream`` and this package's ``schedulers``: never
the rest of ``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not
even inside a function); numpy only inside functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np

    from ..expr import Call


from ..arith import _np_cos_is_libm, cos, ipow, plain, ppow
from ..base import FrameworkError
from ..stream import closed
from .schedulers import Group, Sched, _one_function, _per_group


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
