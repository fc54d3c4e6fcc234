"""The ``optax`` dialect: ``optax.schedules`` (optax 0.2.x), ``lr[i] = schedule(i)``.

optax schedules are pure functions of the step count. They are computed here in float64,
operation for operation as optax does (../shared/reference/frameworks.md §3): the result
equals optax run with ``jax_enable_x64`` to about 1e-14, and optax's default float32
result to within a few float32 ulps of the peak. A bare ``lambda count: ...`` is accepted
as a schedule too (optax takes any callable), and inside ``join_schedules``.

The package's parts: ``formulas`` (the schedules as optax writes them) and ``twins`` (their
numpy twins); here, the composites that bind calls of the dialect (``sgdr_schedule``,
``join_schedules`` and their twins), the names, :func:`build` (a schedule function from a
call or a lambda; identify calls it too), the run length a call implies and
:func:`evaluate`.

Imports only ``lrsched_cli.errors``, the dialects' ``base``, ``expr``, ``lambdas``, ``stream``
and this package's parts: never the rest of ``lrsched_cli.sources``, never typer, click,
rich, plotext or matplotlib (not even inside a function), nor numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....errors import UsageError
from ..base import REQUIRED, Ctx, Dialect, Fn, bind, need_number
from ..expr import Call
from ..lambdas import Lambda
from ..stream import Computed, closed
from .formulas import (
    Sched,
    _join,
    constant_schedule,
    cosine_decay_schedule,
    cosine_onecycle_schedule,
    exponential_decay,
    linear_onecycle_schedule,
    linear_schedule,
    piecewise_constant_schedule,
    piecewise_interpolate_schedule,
    polynomial_schedule,
    warmup_constant_schedule,
    warmup_cosine_decay_schedule,
    warmup_exponential_decay_schedule,
)
from .twins import (
    Vec,
    _v_constant,
    _v_cosine_decay,
    _v_cosine_onecycle,
    _v_exponential,
    _v_join,
    _v_linear,
    _v_linear_onecycle,
    _v_piecewise_constant,
    _v_piecewise_interpolate,
    _v_polynomial,
    _v_warmup_constant,
    _v_warmup_cosine,
    _v_warmup_exponential,
)

R = REQUIRED


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
