"""The numpy twins of optax's schedules (``formulas``), for plain numbers: the same
operations in the same order (``**`` as ppow, Python's max/min as pmax/pmin, math.cos as
cos). A twin is None where a schedule has none (an int init that Python would keep exact, an
int rate), and the scalar function is used.

Imports only the dialects' ``arith`` (numpy inside functions): never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ..arith import cos, plain, pmax, pmin, ppow

Vec = Callable[["np.ndarray"], "np.ndarray"]


def _f(x: Any) -> np.ndarray:
    import numpy as np

    return np.asarray(x, dtype=np.float64)


def _full(t: np.ndarray, v: Any) -> np.ndarray:
    import numpy as np

    return np.full(t.shape, float(v))


def _v_constant(a: dict[str, Any]) -> Vec | None:
    v = a["value"]
    return (lambda t: _full(t, v)) if plain(v) else None


def _v_polynomial(a: dict[str, Any]) -> Vec | None:
    init, end, power, T, B = (a["init_value"], a["end_value"], a["power"],
                              a["transition_steps"], a["transition_begin"])
    if not plain(init, end, power, T, B):
        return None
    if T <= 0:
        return lambda t: _full(t, init)
    B = max(B, 0)

    def f(t: np.ndarray) -> np.ndarray:
        c = pmin(pmax(t - B, 0), T)
        frac = 1 - _f(c) / T
        return (init - end) * ppow(frac, power) + end
    return f


def _v_linear(a: dict[str, Any]) -> Vec | None:
    return _v_polynomial({**a, "power": 1})


def _v_piecewise_constant(a: dict[str, Any]) -> Vec | None:
    import numpy as np

    init, bs = a["init_value"], a["boundaries_and_scales"]
    items = sorted(bs.items()) if bs is not None else []
    if not isinstance(init, float) or not all(plain(b, x) for b, x in items):
        return None  # (an int init: Python's products stay exact ints)

    def f(t: np.ndarray) -> np.ndarray:
        v = _full(t, init)
        for b, x in items:
            v = np.where(t >= b, x * v, v)
        return v
    return f


def _v_exponential(a: dict[str, Any]) -> Vec | None:
    import numpy as np

    init, T, rate, B, stair, end = (a["init_value"], a["transition_steps"], a["decay_rate"],
                                    a["transition_begin"], a["staircase"], a["end_value"])
    if not plain(init, T, rate, B) or (end is not None and not plain(end)):
        return None
    if T <= 0 or rate == 0:
        return lambda t: _full(t, init)
    if not isinstance(rate, float):
        return None  # (an int rate: Python's exact int powers)
    B = max(B, 0)

    def f(t: np.ndarray) -> np.ndarray:
        d = t - B
        p = _f(d) / T
        if stair:
            p = np.floor(p)
        v = np.full(t.shape, float(init))
        up = d > 0
        v[up] = init * ppow(rate, p[up])
        if end is not None:
            v = pmax(v, end) if rate < 1.0 else pmin(v, end)
        return v
    return f


def _v_cosine_decay(a: dict[str, Any]) -> Vec | None:
    import numpy as np

    init, T, alpha, e = a["init_value"], a["decay_steps"], a["alpha"], a["exponent"]
    if not plain(init, T, alpha, e):
        return None
    T = float(T)

    def f(t: np.ndarray) -> np.ndarray:
        c = pmin(_f(t), T)
        cd = 0.5 * (1 + cos(np.pi * c / T))
        return init * ((1 - alpha) * ppow(cd, e) + alpha)
    return f


def _v_piecewise_interpolate(a: dict[str, Any]) -> Vec | None:
    import numpy as np

    kind, init, bs = a["interpolate_type"], a["init_value"], a["boundaries_and_scales"]
    items = sorted(bs.items()) if bs else []
    if not plain(init) or not all(plain(b, x) for b, x in items):
        return None
    bounds = [0] + [b for b, _ in items]
    values = [init]
    for _, x in items:
        values.append(values[-1] * x)
    if not all(plain(v) for v in values):
        return None

    def interp(s0: float, e0: float, p: np.ndarray) -> np.ndarray:
        if kind == "linear":
            return (e0 - s0) * p + s0
        return e0 + (s0 - e0) / 2.0 * (cos(np.pi * p) + 1)

    def f(t: np.ndarray) -> np.ndarray:
        out = np.empty(t.shape, dtype=np.float64)
        todo = np.ones(t.shape, dtype=bool)
        for k in range(len(bounds) - 1):
            here = todo & (bounds[k] <= t) & (t < bounds[k + 1])
            if here.any():
                size = max(bounds[k + 1] - bounds[k], 1)
                out[here] = interp(values[k], values[k + 1], _f(t[here] - bounds[k]) / size)
            todo &= ~here
        out[todo] = np.where(bounds[-1] <= t[todo], float(values[-1]), 0.0)
        return out
    return f


def _v_linear_onecycle(a: dict[str, Any]) -> Vec | None:
    T, peak = a["transition_steps"], a["peak_value"]
    d, fd = a["div_factor"], a["final_div_factor"]
    return _v_piecewise_interpolate({
        "interpolate_type": "linear", "init_value": peak / d,
        "boundaries_and_scales": {int(a["pct_start"] * T): d,
                                  int(a["pct_final"] * T): 1.0 / d, T: 1.0 / fd}})


def _v_cosine_onecycle(a: dict[str, Any]) -> Vec | None:
    T, peak = a["transition_steps"], a["peak_value"]
    d, fd = a["div_factor"], a["final_div_factor"]
    return _v_piecewise_interpolate({
        "interpolate_type": "cosine", "init_value": peak / d,
        "boundaries_and_scales": {int(a["pct_start"] * T): d, int(T): 1.0 / (d * fd)}})


def _v_join(scheds: list[Vec | None], boundaries: list[Any]) -> Vec | None:
    import numpy as np

    if any(s is None for s in scheds) or not all(plain(b) for b in boundaries):
        return None
    pairs = list(zip(boundaries, scheds[1:]))

    def f(t: np.ndarray) -> np.ndarray:
        out = np.asarray(scheds[0](t), dtype=np.float64)  # type: ignore[misc]
        out = np.array(np.broadcast_to(out, t.shape), dtype=np.float64)
        for b, s in pairs:
            late = t >= b
            if late.any():
                out[late] = s(t[late] - b)  # type: ignore[misc]
        return out
    return f


def _v_warmup_constant(a: dict[str, Any]) -> Vec | None:
    return _v_linear({"init_value": a["init_value"], "end_value": a["peak_value"],
                      "transition_steps": a["warmup_steps"], "transition_begin": 0})


def _v_warmup_cosine(a: dict[str, Any]) -> Vec | None:
    init, peak, W, D, end, e = (a["init_value"], a["peak_value"], a["warmup_steps"],
                                a["decay_steps"], a["end_value"], a["exponent"])
    if not plain(peak, end, W, D):
        return None
    alpha = 0.0 if peak == 0.0 else end / peak
    return _v_join([
        _v_linear({"init_value": init, "end_value": peak, "transition_steps": W,
                   "transition_begin": 0}),
        _v_cosine_decay({"init_value": peak, "decay_steps": D - W, "alpha": alpha,
                         "exponent": e}),
    ], [W])


def _v_warmup_exponential(a: dict[str, Any]) -> Vec | None:
    return _v_join([
        _v_linear({"init_value": a["init_value"], "end_value": a["peak_value"],
                   "transition_steps": a["warmup_steps"], "transition_begin": 0}),
        _v_exponential({"init_value": a["peak_value"], "transition_steps": a["transition_steps"],
                        "decay_rate": a["decay_rate"], "transition_begin": a["transition_begin"],
                        "staircase": a["staircase"], "end_value": a["end_value"]}),
    ], [a["warmup_steps"]])
