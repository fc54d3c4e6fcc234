"""timm's schedulers as timm writes ``_get_lr(t)``: the warmup, the cycles of Cosine, Tanh and
Poly, Step, MultiStep and WSD, Python floats, operation for operation as timm does (the
scalar reference; their numpy twins are in ``twins``).

Imports only the dialects' ``arith``, ``base`` and ``lambdas``: never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function), nor numpy.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from ..arith import ipow
from ..base import FrameworkError
from ..lambdas import Lambda


def _warmup(a: dict[str, Any], base: float) -> tuple[Any, Any, float]:
    w, init = a["warmup_t"], a["warmup_lr_init"]
    step = (base - init) / w if w else 1
    return w, init, step


def _cycle(t: Any, a: dict[str, Any]) -> tuple[Any, Any, Any]:
    m, T = a["cycle_mul"], a["t_initial"]
    if m != 1:
        i = math.floor(math.log(1 - t / T * (1 - m), m))
        t_i = ipow(m, i) * T
        t_curr = t - (1 - ipow(m, i)) / (1 - m) * T
    else:
        i = t // T
        t_i = T
        t_curr = t - (T * i)
    return i, t_i, t_curr


def _cyclic(shape: Callable[[Any, Any, Any, dict[str, Any]], float]):
    """Cosine / Tanh / Poly: warmup, then cycles of ``shape``."""
    def build(a: dict[str, Any], base: float) -> Callable[[int], float]:
        def main(t: Any) -> float:
            if a["warmup_prefix"]:
                t = t - a["warmup_t"]
            i, t_i, t_curr = _cycle(t, a)
            if i < a["cycle_limit"]:
                lr_max = base * ipow(a["cycle_decay"], i)
                return shape(lr_max, t_i, t_curr, a)
            return a["lr_min"]

        w, init, step = _warmup(a, base)
        if a.get("_tanh_overlay_target") and w:  # Tanh's overlay warms up to _get_lr(W)
            step = (main(w) - init) / w

        def f(t: int) -> float:
            if t < w:
                return init + t * step
            return main(t)
        return f
    return build


def _cosine(lr_max: float, t_i: Any, t_curr: Any, a: dict[str, Any]) -> float:
    k = a["k_decay"]
    angle = math.pi * ipow(t_curr, k) / ipow(t_i, k)
    return a["lr_min"] + 0.5 * (lr_max - a["lr_min"]) * (1 + math.cos(angle))


def _tanh(lr_max: float, t_i: Any, t_curr: Any, a: dict[str, Any]) -> float:
    tr = t_curr / t_i
    return a["lr_min"] + 0.5 * (lr_max - a["lr_min"]) * (1 - math.tanh(a["lb"] * (1. - tr)
                                                                       + a["ub"] * tr))


def _poly(lr_max: float, t_i: Any, t_curr: Any, a: dict[str, Any]) -> float:
    k = a["k_decay"]
    ratio = ipow(t_curr, k) / ipow(t_i, k)
    return a["lr_min"] + (lr_max - a["lr_min"]) * (1 - ratio) ** a["power"]


def _step(a: dict[str, Any], base: float) -> Callable[[int], float]:
    w, init, step = _warmup(a, base)
    d, rate = a["decay_t"], a["decay_rate"]

    def f(t: int) -> float:
        if t < w:
            return init + t * step
        if a["warmup_prefix"]:
            t = t - w
        return base * ipow(rate, t // d)
    return f


def _multistep(a: dict[str, Any], base: float) -> Callable[[int], float]:
    w, init, step = _warmup(a, base)
    ms, rate = list(a["decay_t"]), a["decay_rate"]

    def f(t: int) -> float:
        if t < w:
            return init + t * step
        if a["warmup_prefix"]:
            t = t - w
        return base * ipow(rate, bisect_right(ms, t + 1))
    return f


_STABLE = ("constant", "rsqrt", "power")
_DECAY = ("linear", "1-sqrt", "cosine", "power", "exp")


def _wsd(a: dict[str, Any], base: float) -> Callable[[int], float]:
    T, d, lr_min = a["t_initial"], a["decay_t"], a["lr_min"]
    sf, ts, sp = a["stable_fn"], a["stable_timescale"], a["stable_power"]
    df, dp, dr = a["decay_fn"], a["decay_power"], a["decay_ratio"]
    if T <= 0:
        raise FrameworkError(f"ValueError: Invalid t_initial ({T}), must be > 0.")
    if not 0 < d <= T:
        raise FrameworkError(f"ValueError: Invalid decay_t ({d}), must be in (0, t_initial] w/ "
                             f"t_initial={T}.")
    if lr_min < 0:
        raise FrameworkError(f"ValueError: Invalid lr_min ({lr_min}), must be >= 0.")
    if sf not in _STABLE:
        raise FrameworkError(f"ValueError: Invalid stable_fn ({sf}), must be one of {_STABLE}.")
    if not isinstance(df, Lambda) and df not in _DECAY:
        raise FrameworkError(f"ValueError: Invalid decay_fn ({df}), must be one of {_DECAY} or "
                             "a callable.")
    if not 0. < dr < 1.:
        raise FrameworkError(f"ValueError: Invalid decay_ratio ({dr}), must be in (0, 1).")
    if dp <= 0:
        raise FrameworkError(f"ValueError: Invalid decay_power ({dp}), must be > 0.")
    if sp <= 0:
        raise FrameworkError(f"ValueError: Invalid stable_power ({sp}), must be > 0.")
    if sf != "constant":
        if ts is None:
            ts = a["warmup_t"]
        if ts <= 0:
            raise FrameworkError(
                f"ValueError: stable_fn={sf} requires a positive stable_timescale, it defaults "
                f"to warmup_t ({a['warmup_t']}), set it explicitly when there is no warmup.")
    w, init, step = _warmup(a, base)

    def stable(t_s: Any) -> float:
        if sf == "constant":
            return 1.
        power = 0.5 if sf == "rsqrt" else sp
        return (1. + t_s / ts) ** -power

    def decay(frac: float) -> float:
        if isinstance(df, Lambda):
            return df(frac)
        if df == "linear":
            return 1. - frac
        if df == "1-sqrt":
            return 1. - math.sqrt(frac)
        if df == "cosine":
            return 0.5 * (1. + math.cos(math.pi * frac))
        if df == "power":
            return 1. - frac ** dp
        return (dr ** frac - dr) / (1. - dr)

    def f(t: int) -> float:
        if t < w:
            return init + t * step
        t_s = t - w
        lr = max(base * stable(t_s), lr_min)
        t_decay = t_s - (T - d)
        if t_decay <= 0:
            return lr
        return lr_min + (lr - lr_min) * decay(min(t_decay / d, 1.))
    return f
