"""The ``optax`` dialect: ``optax.schedules`` (optax 0.2.x), ``lr[i] = schedule(i)``.

optax schedules are pure functions of the step count. They are computed here in float64,
operation for operation as optax does (../shared/reference/frameworks.md §3): the result
equals optax run with ``jax_enable_x64`` to about 1e-14, and optax's default float32
result to within a few float32 ulps of the peak. A bare ``lambda count: ...`` is accepted
as a schedule too (optax takes any callable), and inside ``join_schedules``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ....errors import UsageError
from ..arith import cos, ipow, plain, pmax, pmin, ppow
from ..base import REQUIRED, Ctx, Dialect, Fn, FrameworkError, bind, need_number
from ..expr import Call
from ..lambdas import Lambda
from ..stream import Computed, closed

R = REQUIRED
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


def sgdr_schedule(a: dict[str, Any]) -> Sched:
    kwargs_list = a["cosine_kwargs"]
    if not isinstance(kwargs_list, (list, tuple)) or not all(isinstance(k, dict)
                                                             for k in kwargs_list):
        raise UsageError("sgdr_schedule: cosine_kwargs must be a list of dicts of "
                         "warmup_cosine_decay_schedule arguments")
    scheds, boundaries, step = [], [], 0
    fn = FUNCTIONS["warmup_cosine_decay_schedule"]
    for kw in kwargs_list:
        call = Call("warmup_cosine_decay_schedule", "", [], dict(kw), "sgdr_schedule item")
        args = bind(fn, call)
        _numbers("warmup_cosine_decay_schedule", args)
        scheds.append(warmup_cosine_decay_schedule(args))
        boundaries.append(step + args["decay_steps"])
        step += args["decay_steps"]
    if not scheds:
        raise UsageError("sgdr_schedule: cosine_kwargs is empty")
    return _join(scheds, boundaries[:-1])


def join_schedules(a: dict[str, Any]) -> Sched:
    kids, boundaries = a["schedules"], a["boundaries"]
    if not isinstance(kids, (list, tuple)) or not kids:
        raise UsageError("join_schedules: schedules must be a non-empty list of schedule calls")
    if not isinstance(boundaries, (list, tuple)):
        raise UsageError("join_schedules: boundaries must be a list of steps")
    for b in boundaries:
        need_number("join_schedules", "boundary", b)
    return _join([build(k) for k in kids], list(boundaries))


_FUNCS: dict[str, tuple[tuple[tuple[str, Any], ...], Any, str]] = {
    "constant_schedule": ((("value", R),), constant_schedule, "value"),
    "polynomial_schedule": ((("init_value", R), ("end_value", R), ("power", R),
                             ("transition_steps", R), ("transition_begin", 0)),
                            polynomial_schedule, "(I-E)*(1-c/T)**power + E"),
    "linear_schedule": ((("init_value", R), ("end_value", R), ("transition_steps", R),
                         ("transition_begin", 0)), linear_schedule, "linear from I to E"),
    "piecewise_constant_schedule": ((("init_value", R), ("boundaries_and_scales", None)),
                                    piecewise_constant_schedule, "scaled at boundaries (t >= b)"),
    "exponential_decay": ((("init_value", R), ("transition_steps", R), ("decay_rate", R),
                           ("transition_begin", 0), ("staircase", False), ("end_value", None)),
                          exponential_decay, "I * rate ** ((t-B)/T)"),
    "cosine_decay_schedule": ((("init_value", R), ("decay_steps", R), ("alpha", 0.0),
                               ("exponent", 1.0)), cosine_decay_schedule,
                              "cosine from I to alpha*I over decay_steps"),
    "piecewise_interpolate_schedule": ((("interpolate_type", R), ("init_value", R),
                                        ("boundaries_and_scales", None)),
                                       piecewise_interpolate_schedule,
                                       "linear or cosine between scaled boundaries"),
    "linear_onecycle_schedule": ((("transition_steps", R), ("peak_value", R),
                                  ("pct_start", 0.3), ("pct_final", 0.85),
                                  ("div_factor", 25.0), ("final_div_factor", 1e4)),
                                 linear_onecycle_schedule, "three linear phases"),
    "cosine_onecycle_schedule": ((("transition_steps", R), ("peak_value", R),
                                  ("pct_start", 0.3), ("div_factor", 25.0),
                                  ("final_div_factor", 1e4)), cosine_onecycle_schedule,
                                 "1cycle with cosine phases"),
    "warmup_constant_schedule": ((("init_value", R), ("peak_value", R), ("warmup_steps", R)),
                                 warmup_constant_schedule, "linear warmup to a constant"),
    "warmup_cosine_decay_schedule": ((("init_value", R), ("peak_value", R),
                                      ("warmup_steps", R), ("decay_steps", R),
                                      ("end_value", 0.0), ("exponent", 1.0)),
                                     warmup_cosine_decay_schedule,
                                     "linear warmup, cosine decay (decay_steps is the total)"),
    "warmup_exponential_decay_schedule": ((("init_value", R), ("peak_value", R),
                                           ("warmup_steps", R), ("transition_steps", R),
                                           ("decay_rate", R), ("transition_begin", 0),
                                           ("staircase", False), ("end_value", None)),
                                          warmup_exponential_decay_schedule,
                                          "linear warmup, exponential decay"),
    "sgdr_schedule": ((("cosine_kwargs", R),), sgdr_schedule, "joined warmup-cosine cycles"),
    "join_schedules": ((("schedules", R), ("boundaries", R)), join_schedules,
                       "schedules one after another (each restarts its count)"),
}
FUNCTIONS: dict[str, Fn] = {n: Fn(n, p, s, takes_optimizer=False)
                            for n, (p, _, s) in _FUNCS.items()}
_TEXT_ARGS = ("interpolate_type", "boundaries_and_scales", "cosine_kwargs", "schedules",
              "boundaries", "staircase")


def _numbers(name: str, a: dict[str, Any]) -> None:
    for k, v in a.items():
        if k not in _TEXT_ARGS:
            need_number(name, k, v, allow_none=True)


def build(node: Any) -> Sched:
    """A schedule function from a call (or a lambda) of this dialect."""
    if isinstance(node, Lambda):
        return node
    if not isinstance(node, Call):
        raise UsageError(f"expected an optax schedule call or a lambda, got {node!r}")
    fn = DIALECT.check_name(node)
    a = bind(fn, node)
    _numbers(node.name, a)
    return _FUNCS[node.name][1](a)


def implied_steps(node: Any) -> int | None:
    if not isinstance(node, Call):
        return None
    try:
        a = bind(DIALECT.check_name(node), node)
    except UsageError:
        return None
    name = node.name
    key = {"polynomial_schedule": "transition_steps", "linear_schedule": "transition_steps",
           "cosine_decay_schedule": "decay_steps", "warmup_cosine_decay_schedule": "decay_steps",
           "linear_onecycle_schedule": "transition_steps",
           "cosine_onecycle_schedule": "transition_steps",
           "warmup_constant_schedule": "warmup_steps"}.get(name)
    if key and isinstance(a.get(key), int) and a[key] > 0:
        extra = a.get("transition_begin", 0) if name in ("polynomial_schedule",
                                                         "linear_schedule") else 0
        return a[key] + (extra if isinstance(extra, int) and extra > 0 else 0)
    if name == "sgdr_schedule" and isinstance(a["cosine_kwargs"], (list, tuple)):
        steps = [k.get("decay_steps") for k in a["cosine_kwargs"] if isinstance(k, dict)]
        if steps and all(isinstance(s, int) for s in steps):
            return sum(steps)
    if name == "join_schedules":
        kids, bs = a["schedules"], a["boundaries"]
        if isinstance(kids, (list, tuple)) and isinstance(bs, (list, tuple)) and kids and bs \
                and len(bs) == len(kids) - 1 and isinstance(bs[-1], int):
            last = implied_steps(kids[-1])
            if last is not None:
                return bs[-1] + last
    return None


# --------------------------------------------------------------------------------------
# numpy twins of the schedules above (same operations, same order), for plain numbers;
# ``vector(node)`` is None where a schedule has none (a lambda, an int init that Python
# would keep exact), and the scalar function is used.

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


def _v_sgdr(a: dict[str, Any]) -> Vec | None:
    scheds, boundaries, step = [], [], 0
    fn = FUNCTIONS["warmup_cosine_decay_schedule"]
    for kw in a["cosine_kwargs"]:
        args = bind(fn, Call("warmup_cosine_decay_schedule", "", [], dict(kw), "sgdr item"))
        scheds.append(_v_warmup_cosine(args))
        boundaries.append(step + args["decay_steps"])
        step += args["decay_steps"]
    return _v_join(scheds, boundaries[:-1])


def _v_join_schedules(a: dict[str, Any]) -> Vec | None:
    return _v_join([vector(k) for k in a["schedules"]], list(a["boundaries"]))


_VECTORS: dict[str, Callable[[dict[str, Any]], Vec | None]] = {
    "constant_schedule": _v_constant, "polynomial_schedule": _v_polynomial,
    "linear_schedule": _v_linear, "piecewise_constant_schedule": _v_piecewise_constant,
    "exponential_decay": _v_exponential, "cosine_decay_schedule": _v_cosine_decay,
    "piecewise_interpolate_schedule": _v_piecewise_interpolate,
    "linear_onecycle_schedule": _v_linear_onecycle,
    "cosine_onecycle_schedule": _v_cosine_onecycle,
    "warmup_constant_schedule": _v_warmup_constant,
    "warmup_cosine_decay_schedule": _v_warmup_cosine,
    "warmup_exponential_decay_schedule": _v_warmup_exponential,
    "sgdr_schedule": _v_sgdr, "join_schedules": _v_join_schedules,
}


def vector(node: Any) -> Vec | None:
    """The numpy twin of ``build(node)`` (called after build succeeded), or None."""
    if not isinstance(node, Call):
        return None
    return _VECTORS[node.name](bind(DIALECT.check_name(node), node))


def evaluate(node: Any, ctx: Ctx) -> Computed:
    f = build(node)
    n = ctx.length(lambda: implied_steps(node), f"'{node.source}'")
    what = f"{node.name}(...)" if isinstance(node, Call) else "the lambda"
    return Computed(n, closed(lambda t: float(f(t)), what, vector(node)))


DIALECT = Dialect(
    name="optax", title="optax", prefixes=("optax", "optax.schedules"),
    functions=FUNCTIONS, uses_base_lr=False, allow_lambda_root=True,
    convention="lr[i] = schedule(i); computed in float64 (optax's default is float32)",
)
DIALECT.evaluate = evaluate
