"""MMEngine's parameter schedulers (mmengine 0.10, ``optim/scheduler/param_scheduler.py``), as
the Runner builds and steps them, in MMEngine's own float arithmetic.

They are chainable: every ``step()`` reads each group's current lr (what the schedulers before
it in the list left there) and writes a new one, so overlapping schedulers multiply. A
scheduler is active while ``begin <= global_step < end``; its ``last_step`` counts its active
steps from 0. It is stepped once when it is built (``global_step`` 0), then by the Runner's
ParamSchedulerHook: after every iteration (``by_epoch=False``) or after every epoch.
``base_values`` are the groups' ``initial_lr``, set by the first scheduler built (OneCycleLR
sets its own). LinearLR, ConstantLR and PolyLR span ``total_iters = end - begin - 1`` steps,
so they reach their target one step before ``end``. ``convert_to_iter_based`` is
``build_iter_from_epoch``: ``begin``/``end`` become ``int(x * epoch_length)`` and step sizes,
milestones, ``T_max``, ``total_steps`` and ``periods`` are multiplied by it.

Imports the standard library, errors and this package only.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from .pyfile import Code

F = "mmengine"
INF = int(1e9)  # MMEngine's default end
REQUIRED = object()
# type -> its arguments with their defaults (REQUIRED: MMEngine raises TypeError without it)
ARGS: dict[str, dict[str, Any]] = {
    "LinearLR": {"start_factor": 1.0 / 3, "end_factor": 1.0},
    "ConstantLR": {"factor": 1.0 / 3},
    "CosineAnnealingLR": {"T_max": None, "eta_min": None, "eta_min_ratio": None},
    "MultiStepLR": {"milestones": REQUIRED, "gamma": 0.1},
    "StepLR": {"step_size": REQUIRED, "gamma": 0.1},
    "ExponentialLR": {"gamma": REQUIRED},
    "PolyLR": {"eta_min": 0, "power": 1.0},
    "OneCycleLR": {"eta_max": 0, "total_steps": None, "pct_start": 0.3, "anneal_strategy": "cos",
                   "div_factor": 25.0, "final_div_factor": 1e4, "three_phase": False},
    "CosineRestartLR": {"periods": REQUIRED, "restart_weights": (1,), "eta_min": None,
                        "eta_min_ratio": None},
}
COMMON = ("begin", "end", "by_epoch", "convert_to_iter_based", "verbose", "last_step", "_scope_")
TYPES = tuple(ARGS)


class Groups:
    """The optimizer's param groups as the schedulers see them: ``lr`` now, and the keys
    schedulers store in them (``initial_lr``; OneCycleLR's ``max_lr``, ``min_lr``)."""

    def __init__(self, lrs: list[float]) -> None:
        self.lr = list(lrs)
        self.initial: list[float] | None = None
        self.max_lr: list[float] = []
        self.min_lr: list[float] = []


@dataclass
class Scheduler:
    """One built scheduler: its type, arguments, range and counters."""

    kind: str
    args: dict[str, Any]
    begin: Any
    end: Any
    by_epoch: bool
    where: str
    global_step: int = -1
    last_step: int = -1
    base: tuple[float, ...] = ()

    @property
    def total_iters(self) -> Any:
        return self.end - self.begin - 1

    def to_iters(self, length: int) -> None:
        """``build_iter_from_epoch``: epochs become iterations of ``length``."""
        a = self.args
        if self.kind == "StepLR":
            a["step_size"] = a["step_size"] * length
        elif self.kind == "MultiStepLR":
            a["milestones"] = [m * length for m in a["milestones"]]
        elif self.kind == "CosineAnnealingLR" and a["T_max"] is not None:
            a["T_max"] = a["T_max"] * length
        elif self.kind == "OneCycleLR" and a["total_steps"] is not None:
            a["total_steps"] = a["total_steps"] * length
        elif self.kind == "CosineRestartLR":
            a["periods"] = [p * length for p in a["periods"]]
        self.begin = int(self.begin * length)
        if self.end != INF:
            self.end = int(self.end * length)
        self.by_epoch = False

    def build(self, groups: Groups) -> None:
        """The constructor: checks, the keys it stores in the groups, and its first step."""
        self._check(len(groups.lr))
        if self.kind == "OneCycleLR":
            a = self.args
            eta = a["eta_max"]
            peaks = list(eta) if isinstance(eta, (list, tuple)) else [eta] * len(groups.lr)
            groups.initial = [m / a["div_factor"] for m in peaks]
            groups.max_lr = peaks
            groups.min_lr = [i / a["final_div_factor"] for i in groups.initial]
        if self.end <= self.begin:
            raise UsageError(f"{F}: {self.where}: end {self.end} is not after begin "
                             f"{self.begin} (MMEngine raises ValueError: end should be larger "
                             "than begin)")
        if groups.initial is None:
            groups.initial = list(groups.lr)
        self.base = tuple(groups.initial)
        self.step(groups)

    def step(self, groups: Groups) -> None:
        self.global_step += 1
        if self.begin <= self.global_step < self.end:
            self.last_step += 1
            try:
                groups.lr = self._value(groups)
            except ZeroDivisionError:
                self._bad(f"its step {self.last_step} divides by zero in MMEngine's arithmetic "
                          "(ZeroDivisionError): check its factors and lengths")

    # ----------------------------------------------------------------------------------
    def _check(self, n_groups: int) -> None:
        a, k = self.args, self.kind
        if k == "LinearLR":
            for key in ("start_factor", "end_factor"):
                if not 0 <= a[key] <= 1:
                    self._bad(f"{key} {a[key]!r} must be between 0 and 1 (MMEngine raises "
                              "ValueError)")
        elif k == "ConstantLR":
            if not 0 <= a["factor"] <= 1:
                self._bad(f"factor {a['factor']!r} must be between 0 and 1 (MMEngine raises "
                          "ValueError)")
        elif k in ("CosineAnnealingLR", "CosineRestartLR"):
            if k == "CosineAnnealingLR" and a["eta_min"] is None and a["eta_min_ratio"] is None:
                a["eta_min"] = 0.0
            if (a["eta_min"] is None) == (a["eta_min_ratio"] is None):
                self._bad("give one of eta_min and eta_min_ratio (MMEngine asserts exactly one)")
            if k == "CosineAnnealingLR":
                a["T_max"] = a["T_max"] or (self.end - self.begin)
            else:
                if len(a["periods"]) != len(a["restart_weights"]):
                    self._bad("periods and restart_weights should have the same length")
                a["cumulative"] = [sum(a["periods"][:i + 1]) for i in range(len(a["periods"]))]
        elif k == "OneCycleLR":
            self._check_one_cycle(n_groups)

    def _check_one_cycle(self, n_groups: int) -> None:
        a = self.args
        total = a["total_steps"]
        if total is not None:
            if not isinstance(total, int) or total <= 0:
                self._bad(f"total_steps {total!r} must be a positive whole number")
        else:
            a["total_steps"] = total = self.end - self.begin
        pct = a["pct_start"]
        if not isinstance(pct, float) or not 0 <= pct <= 1:
            self._bad(f"pct_start {pct!r} must be a float between 0 and 1 (MMEngine refuses "
                      "an int such as 0 or 1)")
        if a["anneal_strategy"] not in ("cos", "linear"):
            self._bad(f"anneal_strategy {a['anneal_strategy']!r} must be 'cos' or 'linear'")
        eta = a["eta_max"]
        if isinstance(eta, (list, tuple)) and len(eta) != n_groups:
            self._bad(f"eta_max has {len(eta)} values for {n_groups} param group(s)")
        if a["three_phase"]:
            ends = [float(pct * total) - 1, float(2 * pct * total) - 2, total - 1]
            keys = [("initial", "max"), ("max", "initial"), ("initial", "min")]
        else:
            ends = [float(pct * total) - 1, total - 1]
            keys = [("initial", "max"), ("max", "min")]
        a["phases"] = list(zip(ends, keys))

    def _bad(self, what: str) -> None:
        raise UsageError(f"{F}: {self.where}: {what}")

    def _value(self, g: Groups) -> list[float]:
        a, k, t, lrs = self.args, self.kind, self.last_step, g.lr
        if k == "LinearLR":
            s, e = a["start_factor"], a["end_factor"]
            if t == 0:
                return [lr * s for lr in lrs]
            return [lr * (1. + (e - s) / (self.total_iters * s + (t - 1) * (e - s)))
                    for lr in lrs]
        if k == "ConstantLR":
            if t == 0:
                return [lr * a["factor"] for lr in lrs]
            if t != self.total_iters:
                return list(lrs)
            return [lr * (1.0 / a["factor"]) for lr in lrs]
        if k == "ExponentialLR":
            return list(lrs) if t == 0 else [lr * a["gamma"] for lr in lrs]
        if k == "StepLR":
            if t == 0 or t % a["step_size"] != 0:
                return list(lrs)
            return [lr * a["gamma"] for lr in lrs]
        if k == "MultiStepLR":
            counts = Counter(a["milestones"])
            if t not in counts:
                return list(lrs)
            return [lr * a["gamma"] ** counts[t] for lr in lrs]
        if k == "PolyLR":
            if t == 0:
                return list(lrs)
            m, p = a["eta_min"], a["power"]
            return [(lr - m) * (1 - 1 / (self.total_iters - t + 1)) ** p + m for lr in lrs]
        if k == "CosineAnnealingLR":
            return self._cosine(lrs)
        if k == "OneCycleLR":
            return self._one_cycle(g)
        return self._restart(lrs)

    def _eta_min(self, base: float) -> float:
        r = self.args["eta_min_ratio"]
        return self.args["eta_min"] if r is None else base * r

    def _cosine(self, lrs: list[float]) -> list[float]:
        t, T = self.last_step, self.args["T_max"]
        if t == 0:
            return list(lrs)
        if (t - 1 - T) % (2 * T) == 0:
            return [lr + (b - self._eta_min(b)) * (1 - math.cos(math.pi / T)) / 2
                    for b, lr in zip(self.base, lrs)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - self._eta_min(b)) + self._eta_min(b) for b, lr in zip(self.base, lrs)]

    def _one_cycle(self, g: Groups) -> list[float]:
        a, t = self.args, self.last_step
        if t > a["total_steps"]:
            self._bad(f"stepped {t + 1} times, beyond total_steps {a['total_steps']} "
                      "(MMEngine raises ValueError): raise total_steps or set end")
        store = {"initial": g.initial or [], "max": g.max_lr, "min": g.min_lr}
        out = []
        for i in range(len(g.lr)):
            start = 0.0
            for j, (end, (lo, hi)) in enumerate(a["phases"]):
                if t <= end or j == len(a["phases"]) - 1:
                    pct = (t - start) / (end - start)
                    s, e = store[lo][i], store[hi][i]
                    if a["anneal_strategy"] == "cos":
                        out.append(e + (s - e) / 2.0 * (math.cos(math.pi * pct) + 1))
                    else:
                        out.append((e - s) * pct + s)
                    break
                start = end
        return out

    def _restart(self, lrs: list[float]) -> list[float]:
        a, t = self.args, self.last_step
        idx = next((i for i, c in enumerate(a["cumulative"]) if t < c), None)
        if idx is None:
            return list(lrs)
        weight = a["restart_weights"][idx]
        step = t - (0 if idx == 0 else a["cumulative"][idx - 1])
        period = a["periods"][idx]
        out = []
        for b, lr in zip(self.base, lrs):
            m = self._eta_min(b)
            if step == 0:
                out.append(b * weight)
            else:
                out.append((1 + math.cos(math.pi * step / period))
                           / (1 + math.cos(math.pi * (step - 1) / period)) * (lr - m) + m)
        return out


def make(cfg: dict[str, Any], kind: str, where: str) -> Scheduler:
    """A :class:`Scheduler` from its config dict (``end`` already defaulted), its arguments
    checked as MMEngine's constructors check them; the error names the key."""
    allowed = ARGS[kind]
    for key in cfg:
        if key != "type" and key not in allowed and key not in COMMON:
            raise UsageError(f"{F}: {where}: {kind} has no argument {key!r} (MMEngine raises "
                             "TypeError): its arguments are " + ", ".join(allowed))
    args: dict[str, Any] = {}
    for key, default in allowed.items():
        v = cfg.get(key, default)
        if v is REQUIRED:
            raise UsageError(f"{F}: {where}: {kind} needs {key} (MMEngine raises TypeError "
                             "without it)")
        args[key] = _checked(v, key, kind, where)
    if cfg.get("last_step", -1) != -1:
        raise UsageError(f"{F}: {where}: last_step is for resuming a run (MMEngine then needs "
                         "the optimizer's saved initial_lr): remove it")
    begin, end = cfg.get("begin", 0), cfg.get("end", INF)
    for key, v in (("begin", begin), ("end", end)):
        _checked(v, key, kind, where)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise UsageError(f"{F}: {where}: {key} {v!r} is not a number")
    by_epoch = cfg.get("by_epoch", True)
    if not isinstance(by_epoch, bool):
        raise UsageError(f"{F}: {where}: by_epoch {by_epoch!r} must be True or False")
    return Scheduler(kind, args, begin, end, by_epoch, where)


def _checked(v: Any, key: str, kind: str, where: str) -> Any:
    if isinstance(v, Code):
        raise UsageError(f"{F}: {where}: {kind} {key} at line {v.line} is code lrsched does "
                         f"not run ({v.text[:60]!r})")
    if v is None or key in ("anneal_strategy", "three_phase"):
        return v
    if key in ("milestones", "periods", "restart_weights", "eta_max") and isinstance(
            v, (list, tuple)):
        for x in v:
            _checked(x, key, kind, where)
        return list(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise UsageError(f"{F}: {where}: {kind} {key} {v!r} is not a number"
                         + (" (it is text)" if isinstance(v, str) else ""))
    return v
