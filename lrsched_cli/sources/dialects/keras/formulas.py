"""Keras's schedules as Keras writes them: each a function of the step, built from its
arguments, the formulas in float64 (the scalar reference; their numpy twins are in
``twins``), and CosineDecayRestarts, whose cycle index is Keras's own float32 one
(``float32``), computed a range at a time.

Imports only the dialects' ``arith``, ``base`` and this package's ``float32`` (numpy inside
a function): never the rest of ``lrsched_cli.sources``, never typer, click, rich, plotext or
matplotlib (not even inside a function).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ....errors import UsageError
from ..arith import ipow
from ..base import FrameworkError, need_number
from .float32 import restart_index

Sched = Callable[[int], float]


def _positive(a: dict[str, Any], key: str = "decay_steps") -> None:
    if a[key] <= 0:
        raise FrameworkError(f"ValueError: Argument `{key}` must be > 0. Received: "
                             f"{key}={a[key]}")


def _decay(a: dict[str, Any], form: Callable[[float, float, float], float]) -> Sched:
    """ExponentialDecay and InverseTimeDecay: ``form(init, rate, p)`` with ``p = t / T``,
    floored with ``staircase``."""
    _positive(a)
    init, T, r, stair = (a["initial_learning_rate"], a["decay_steps"], a["decay_rate"],
                         a["staircase"])

    def f(t: int) -> float:
        p = float(t) / T
        if stair:
            p = math.floor(p)
        return form(init, r, p)
    return f


def exponential_decay(a: dict[str, Any]) -> Sched:
    return _decay(a, lambda init, r, p: init * ipow(r, p))


def piecewise_constant_decay(a: dict[str, Any]) -> Sched:
    bs, vs = a["boundaries"], a["values"]
    if not isinstance(bs, (list, tuple)) or not isinstance(vs, (list, tuple)):
        raise UsageError("PiecewiseConstantDecay: boundaries and values must be lists")
    for x in (*bs, *vs):
        need_number("PiecewiseConstantDecay", "boundaries/values", x)
    if not bs:
        raise FrameworkError("IndexError: list index out of range (Keras reads boundaries[0] "
                             "when the schedule is called: boundaries=[] fails there)")
    if len(bs) != len(vs) - 1:
        raise FrameworkError(
            "ValueError: The length of boundaries should be 1 less than the length of values. "
            f"Received: boundaries={list(bs)} of length {len(bs)}, and values={list(vs)} of "
            f"length {len(vs)}.")

    def f(t: int) -> float:
        s = float(t)
        out = 0.0
        out += vs[0] if s <= bs[0] else 0.0
        out += vs[-1] if s > bs[-1] else 0.0
        for low, high, v in zip(bs[:-1], bs[1:], vs[1:-1]):
            out += v if low < s <= high else 0.0
        return out
    return f


def polynomial_decay(a: dict[str, Any]) -> Sched:
    _positive(a)
    init, T, end, power, cycle = (a["initial_learning_rate"], a["decay_steps"],
                                  a["end_learning_rate"], a["power"], a["cycle"])

    def f(t: int) -> float:
        s = float(t)
        d = float(T)
        if cycle:
            mult = 1.0 if s == 0 else math.ceil(s / d)
            d = d * mult
        else:
            s = min(s, d)
        p = s / d
        return (init - end) * (1 - p) ** power + end
    return f


def inverse_time_decay(a: dict[str, Any]) -> Sched:
    return _decay(a, lambda init, r, p: init / (1 + r * p))


def cosine_decay(a: dict[str, Any]) -> Sched:
    _positive(a)
    init, T, alpha, target, W = (a["initial_learning_rate"], a["decay_steps"], a["alpha"],
                                 a["warmup_target"], a["warmup_steps"])

    def decay(s: float, base: float) -> float:
        cos_decayed = 0.5 * (1.0 + math.cos(math.pi * (s / T)))
        return base * ((1 - alpha) * cos_decayed + alpha)

    def f(t: int) -> float:
        s = float(t)
        if target is None:
            return decay(min(s, float(T)), init)
        s = min(s, float(T + W))
        if s < W:
            return (target - init) * (s / W) + init
        return decay(s - W, target)
    return f


def cosine_decay_restarts(a: dict[str, Any]) -> Callable[[int, int], np.ndarray]:
    """The source of the values: Keras's float32 cycle index, then the formula in float64.

    Keras's own float32 fraction of the cycle, ``(f - sum_r) / t_mul**i``, subtracts two
    numbers of the size of ``f``, so it is off from the exact one by up to about
    ``t_mul / (t_mul - 1)`` float32 ulps (3e-6 of the peak for t_mul 1.2); lrsched keeps the
    exact float64 fraction there.
    """
    import numpy as np

    _positive(a, "first_decay_steps")
    init, T0, t_mul, m_mul, alpha = (a["initial_learning_rate"], a["first_decay_steps"],
                                     a["t_mul"], a["m_mul"], a["alpha"])
    if not t_mul > 0:
        raise FrameworkError(f"CosineDecayRestarts(...): t_mul={t_mul} makes Keras take the "
                             "log of a non-positive number: every value is nan")
    geometric = np.float32(t_mul) != np.float32(1)  # Keras's test, in float32

    def source(lo: int, hi: int) -> np.ndarray:
        t = np.arange(lo, hi, dtype=np.int64)
        i = restart_index(t, T0, t_mul).astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(i))
        if bad.size:
            k = int(t[bad[0]])
            raise FrameworkError(
                f"CosineDecayRestarts(...) is nan from step {k} in Keras: with t_mul < 1 the "
                f"restarts add up to first_decay_steps / (1 - t_mul) = {T0 / (1 - t_mul):g} "
                "steps, and past that Keras takes the log of a negative number")
        sum_r = (1.0 - t_mul ** i) / (1.0 - t_mul) if geometric else i
        frac = (t / float(T0) - sum_r) / (t_mul ** i if geometric else 1.0)
        cos_decayed = 0.5 * m_mul ** i * (1.0 + np.cos(math.pi * frac))
        return init * ((1 - alpha) * cos_decayed + alpha)
    return source
