"""optax's schedules as optax writes them: each a function of the step count, built from
its arguments, Python floats, operation for operation as optax does (the scalar reference;
their numpy twins are in ``twins``). The composites that bind calls of the dialect
(``sgdr_schedule``, ``join_schedules``) are in the package's ``__init__``.

Imports only ``lrsched_cli.errors`` and the dialects' ``arith`` and ``base``: never the rest
of ``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside
a function), nor numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ....errors import UsageError
from ..arith import ipow
from ..base import FrameworkError, need_number

Sched = Callable[[int], float]


def constant_schedule(a: dict[str, Any]) -> Sched:
    v = a["value"]
    return lambda t: v


def polynomial_schedule(a: dict[str, Any]) -> Sched:
    init, end, power, T, B = (a["init_value"], a["end_value"], a["power"],
                              a["transition_steps"], a["transition_begin"])
    if T <= 0:
        return lambda t: init
    B = max(B, 0)

    def f(t: int) -> float:
        c = min(max(t - B, 0), T)
        frac = 1 - c / T
        return (init - end) * (frac ** power) + end
    return f


def linear_schedule(a: dict[str, Any]) -> Sched:
    return polynomial_schedule({**a, "power": 1})


def piecewise_constant_schedule(a: dict[str, Any]) -> Sched:
    init, bs = a["init_value"], a["boundaries_and_scales"]
    items = sorted(_scales("piecewise_constant_schedule", bs).items()) if bs is not None else []

    def f(t: int) -> float:
        v = init
        for b, s in items:
            if t >= b:
                v = s * v
        return v
    return f


def _scales(name: str, bs: Any) -> dict[Any, Any]:
    if not isinstance(bs, dict):
        raise UsageError(f"{name}: boundaries_and_scales must be a dict {{step: scale}}")
    for k, v in bs.items():
        need_number(name, "boundary", k)
        need_number(name, "scale", v)
    if not all(s >= 0.0 for s in bs.values()):
        raise FrameworkError(f"ValueError: `{name}` expects non-negative scale factors")
    return bs


def exponential_decay(a: dict[str, Any]) -> Sched:
    init, T, rate, B, stair, end = (a["init_value"], a["transition_steps"], a["decay_rate"],
                                    a["transition_begin"], a["staircase"], a["end_value"])
    if T <= 0 or rate == 0:
        return lambda t: init
    B = max(B, 0)

    def f(t: int) -> float:
        d = t - B
        p = d / T
        if stair:
            p = math.floor(p)
        v = init if d <= 0 else init * ipow(rate, p)
        if end is not None:
            v = max(v, end) if rate < 1.0 else min(v, end)
        return v
    return f


def cosine_decay_schedule(a: dict[str, Any]) -> Sched:
    init, T, alpha, e = a["init_value"], a["decay_steps"], a["alpha"], a["exponent"]
    if not T > 0:
        raise FrameworkError("ValueError: The cosine_decay_schedule requires positive "
                             f"decay_steps, got decay_steps={T}.")
    T = float(T)

    def f(t: int) -> float:
        c = min(float(t), T)
        cd = 0.5 * (1 + math.cos(math.pi * c / T))
        return init * ((1 - alpha) * cd ** e + alpha)
    return f


def _interp(kind: str) -> Callable[[float, float, float], float]:
    if kind == "linear":
        return lambda s, e, p: (e - s) * p + s
    return lambda s, e, p: e + (s - e) / 2.0 * (math.cos(math.pi * p) + 1)


def piecewise_interpolate_schedule(a: dict[str, Any]) -> Sched:
    kind, init, bs = a["interpolate_type"], a["init_value"], a["boundaries_and_scales"]
    if kind not in ("linear", "cosine"):
        raise FrameworkError("ValueError: `interpolate_type` must be either 'cosine' or "
                             "'linear'")
    items = sorted(_scales("piecewise_interpolate_schedule", bs).items()) if bs else []
    bounds = [0] + [b for b, _ in items]
    values = [init]
    for _, s in items:
        values.append(values[-1] * s)
    interp = _interp(kind)

    def f(t: int) -> float:
        for k in range(len(bounds) - 1):
            if bounds[k] <= t < bounds[k + 1]:
                size = max(bounds[k + 1] - bounds[k], 1)
                return interp(values[k], values[k + 1], (t - bounds[k]) / size)
        return values[-1] if bounds[-1] <= t else 0.0
    return f


def linear_onecycle_schedule(a: dict[str, Any]) -> Sched:
    T, peak = a["transition_steps"], a["peak_value"]
    if T <= 0:
        raise FrameworkError("ValueError: A linear onecycle schedule was set with a "
                             "non-positive `transition_steps`")
    d, fd = a["div_factor"], a["final_div_factor"]
    return piecewise_interpolate_schedule({
        "interpolate_type": "linear", "init_value": peak / d,
        "boundaries_and_scales": {int(a["pct_start"] * T): d,
                                  int(a["pct_final"] * T): 1.0 / d, T: 1.0 / fd}})


def cosine_onecycle_schedule(a: dict[str, Any]) -> Sched:
    T, peak = a["transition_steps"], a["peak_value"]
    if T <= 0:
        raise FrameworkError("ValueError: A cosine onecycle schedule was set with a "
                             "non-positive `transition_steps`")
    d, fd = a["div_factor"], a["final_div_factor"]
    return piecewise_interpolate_schedule({
        "interpolate_type": "cosine", "init_value": peak / d,
        "boundaries_and_scales": {int(a["pct_start"] * T): d, int(T): 1.0 / (d * fd)}})


def _join(scheds: list[Sched], boundaries: list[Any]) -> Sched:
    pairs = list(zip(boundaries, scheds[1:]))

    def f(t: int) -> float:
        out = scheds[0](t)
        for b, s in pairs:
            out = out if t < b else s(t - b)
        return out
    return f


def warmup_constant_schedule(a: dict[str, Any]) -> Sched:
    return linear_schedule({"init_value": a["init_value"], "end_value": a["peak_value"],
                            "transition_steps": a["warmup_steps"], "transition_begin": 0})


def warmup_cosine_decay_schedule(a: dict[str, Any]) -> Sched:
    init, peak, W, D, end, e = (a["init_value"], a["peak_value"], a["warmup_steps"],
                                a["decay_steps"], a["end_value"], a["exponent"])
    alpha = 0.0 if peak == 0.0 else end / peak
    return _join([
        linear_schedule({"init_value": init, "end_value": peak, "transition_steps": W,
                         "transition_begin": 0}),
        cosine_decay_schedule({"init_value": peak, "decay_steps": D - W, "alpha": alpha,
                               "exponent": e}),
    ], [W])


def warmup_exponential_decay_schedule(a: dict[str, Any]) -> Sched:
    return _join([
        linear_schedule({"init_value": a["init_value"], "end_value": a["peak_value"],
                         "transition_steps": a["warmup_steps"], "transition_begin": 0}),
        exponential_decay({"init_value": a["peak_value"],
                           "transition_steps": a["transition_steps"],
                           "decay_rate": a["decay_rate"],
                           "transition_begin": a["transition_begin"],
                           "staircase": a["staircase"], "end_value": a["end_value"]}),
    ], [a["warmup_steps"]])
