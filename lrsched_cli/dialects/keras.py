"""The ``keras`` dialect: ``keras.optimizers.schedules`` (Keras 3), ``lr[i] = schedule(i)``.

Keras computes in float32 only; lrsched computes the same formulas
(../shared/reference/frameworks.md §4) in float64, which agrees with Keras to within a few
float32 ulps of the peak (2e-6 of the peak is the tested bound). Quirks kept:
PiecewiseConstantDecay changes at ``t = b + 1`` (and sums masked values, so unsorted
boundaries give values in no list); CosineDecay's ``decay_steps`` excludes the warmup;
CosineDecayRestarts's ``t_mul`` defaults to 2 and ``m_mul`` does not scale ``alpha``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ..errors import UsageError
from .base import REQUIRED, Ctx, Dialect, Fn, FrameworkError, bind, need_number, run_scalar
from .expr import Call

R = REQUIRED
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
    return _decay(a, lambda init, r, p: init * r ** p)


def piecewise_constant_decay(a: dict[str, Any]) -> Sched:
    bs, vs = a["boundaries"], a["values"]
    if not isinstance(bs, (list, tuple)) or not isinstance(vs, (list, tuple)):
        raise UsageError("PiecewiseConstantDecay: boundaries and values must be lists")
    for x in (*bs, *vs):
        need_number("PiecewiseConstantDecay", "boundaries/values", x)
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


def cosine_decay_restarts(a: dict[str, Any]) -> Sched:
    _positive(a, "first_decay_steps")
    init, T0, t_mul, m_mul, alpha = (a["initial_learning_rate"], a["first_decay_steps"],
                                     a["t_mul"], a["m_mul"], a["alpha"])

    def f(t: int) -> float:
        frac = float(t) / T0
        if t_mul == 1.0:
            i = math.floor(frac)
            frac -= i
        else:
            i = math.floor(math.log(1.0 - frac * (1.0 - t_mul)) / math.log(t_mul))
            sum_r = (1.0 - t_mul ** i) / (1.0 - t_mul)
            frac = (frac - sum_r) / t_mul ** i
        cos_decayed = 0.5 * m_mul ** i * (1.0 + math.cos(math.pi * frac))
        return init * ((1 - alpha) * cos_decayed + alpha)
    return f


I0 = ("initial_learning_rate", R)
NAME = ("name", None)
_FUNCS: dict[str, tuple[tuple[tuple[str, Any], ...], Any, str]] = {
    "ExponentialDecay": ((I0, ("decay_steps", R), ("decay_rate", R), ("staircase", False),
                          NAME), exponential_decay, "I * rate ** (t / T)"),
    "PiecewiseConstantDecay": ((("boundaries", R), ("values", R), NAME),
                               piecewise_constant_decay, "values[k], changing at t = b + 1"),
    "PolynomialDecay": ((I0, ("decay_steps", R), ("end_learning_rate", 0.0001), ("power", 1.0),
                         ("cycle", False), NAME), polynomial_decay,
                        "(I - E) * (1 - t/T) ** power + E"),
    "InverseTimeDecay": ((I0, ("decay_steps", R), ("decay_rate", R), ("staircase", False),
                          NAME), inverse_time_decay, "I / (1 + rate * t / T)"),
    "CosineDecay": ((I0, ("decay_steps", R), ("alpha", 0.0), NAME, ("warmup_target", None),
                     ("warmup_steps", 0)), cosine_decay,
                    "optional linear warmup to warmup_target, then cosine over decay_steps"),
    "CosineDecayRestarts": ((I0, ("first_decay_steps", R), ("t_mul", 2.0), ("m_mul", 1.0),
                             ("alpha", 0.0), NAME), cosine_decay_restarts,
                            "cosine with restarts (t_mul 2 by default)"),
}
FUNCTIONS: dict[str, Fn] = {n: Fn(n, p, s, takes_optimizer=False)
                            for n, (p, _, s) in _FUNCS.items()}


def implied_steps(call: Call) -> int | None:
    try:
        a = bind(DIALECT.check_name(call), call)
    except UsageError:
        return None
    if call.name in ("PolynomialDecay",) and not a["cycle"] and isinstance(a["decay_steps"], int):
        return a["decay_steps"]
    if call.name == "CosineDecay" and isinstance(a["decay_steps"], int):
        w = a["warmup_steps"] if a["warmup_target"] is not None else 0
        return a["decay_steps"] + (w if isinstance(w, int) else 0)
    return None


def evaluate(call: Call, ctx: Ctx) -> tuple[np.ndarray, int]:
    fn = DIALECT.check_name(call)
    a = bind(fn, call)
    init = a.get("initial_learning_rate")
    if isinstance(init, int) and not isinstance(init, bool):
        raise UsageError(
            f"{call.name}: initial_learning_rate={init} is an int, and Keras then computes in "
            f"integers (decay_rate 0.5 becomes 0, pi becomes 3); lrsched does not reproduce "
            f"that: write {float(init)!r}")
    for k, v in a.items():
        if k not in ("boundaries", "values", "name", "staircase", "cycle"):
            need_number(call.name, k, v, allow_none=True)
    f = _FUNCS[call.name][1](a)
    n = ctx.steps if ctx.steps is not None else implied_steps(call)
    n = 100 if n is None else n
    return run_scalar(f, n, f"{call.name}(...)"), n


DIALECT = Dialect(
    name="keras", title="keras.optimizers.schedules",
    prefixes=("keras.optimizers.schedules", "optimizers.schedules", "schedules",
              "tf.keras.optimizers.schedules"),
    functions=FUNCTIONS, uses_base_lr=False,
    convention="lr[i] = schedule(i); Keras computes in float32, lrsched in float64",
)
DIALECT.evaluate = evaluate
