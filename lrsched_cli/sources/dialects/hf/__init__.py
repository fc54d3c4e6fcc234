"""The ``hf`` dialect: ``transformers.optimization`` schedules (transformers 5.x).

Every Hugging Face schedule except plateau and greedy is a torch ``LambdaLR``:
``lr[i] = base_lr * lambda(i)`` after ``i`` calls of ``scheduler.step()``, with ``lambda``
computed operation for operation as transformers does (../shared/reference/frameworks.md
§1), so the values are bit for bit the library's. Known quirks kept: the warmup gives
``lr[0] = 0``; cosine is not clamped past the end; ``cosine_warmup_with_min_lr`` is one
step ahead; WSD's warmup starts at ``min_lr_ratio * base_lr``.

The two metric-driven schedules (``reduce_lr_on_plateau``: torch's ReduceLROnPlateau;
``greedy``: transformers' GreedyLR) take ``--metrics``: ``lr[0]`` is the optimizer's lr (their
constructors leave it alone) and ``lr[i + 1]`` the lr after ``scheduler.step(metrics[i])``.
The Trainer calls that step after each evaluation with the eval metric
(``metric_for_best_model``), so one index is one evaluation, not one optimizer update.

The package's parts: ``formulas`` (the lambdas as transformers writes them), ``twins``
(their numpy twins) and ``greedy`` (GreedyLR); here, the names (the function table,
``get_scheduler``'s SchedulerType names), the run length a call implies and
:func:`evaluate`.

Imports only ``lrsched_cli.errors``, the dialects' ``arith``, ``base``, ``expr``, ``stream``,
the torch dialect (inside a function, for the plateau schedule) and this package's parts:
never the rest of ``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib
(not even inside a function), nor numpy.
"""

from __future__ import annotations

from typing import Any

from ....errors import UsageError
from ..arith import plain
from ..base import REQUIRED, Ctx, Dialect, Fn, FrameworkError, bind, need_number
from ..expr import Call
from ..stream import Computed, closed
from .formulas import (
    constant,
    constant_with_warmup,
    cosine,
    cosine_warmup_with_min_lr,
    cosine_with_hard_restarts,
    cosine_with_min_lr,
    inverse_sqrt,
    linear,
    polynomial,
    wsd,
)
from .greedy import _greedy
from .twins import _VECTORS

R = REQUIRED


W, N = ("num_warmup_steps", R), ("num_training_steps", R)
LE = ("last_epoch", -1)
_MIN = (("min_lr", None), ("min_lr_rate", None))

# name -> (params, lambda builder, summary)
_FUNCS: dict[str, tuple[tuple[tuple[str, Any], ...], Any, str]] = {
    "get_constant_schedule": ((LE,), constant, "constant"),
    "get_constant_schedule_with_warmup": ((W, LE), constant_with_warmup,
                                          "linear warmup from 0, then constant"),
    "get_linear_schedule_with_warmup": ((W, N, LE), linear, "linear warmup, linear decay to 0"),
    "get_cosine_schedule_with_warmup": ((W, N, ("num_cycles", 0.5), LE), cosine,
                                        "linear warmup, cosine decay to 0 (not clamped)"),
    "get_cosine_with_hard_restarts_schedule_with_warmup": (
        (W, N, ("num_cycles", 1), LE), cosine_with_hard_restarts,
        "linear warmup, num_cycles cosine cycles, then 0"),
    "get_polynomial_decay_schedule_with_warmup": (
        (W, N, ("lr_end", 1e-7), ("power", 1.0), LE), polynomial,
        "linear warmup, polynomial decay to lr_end"),
    "get_inverse_sqrt_schedule": ((W, ("timescale", None), LE), inverse_sqrt,
                                  "linear warmup, then 1/sqrt"),
    "get_cosine_with_min_lr_schedule_with_warmup": (
        (W, N, ("num_cycles", 0.5), LE, *_MIN), cosine_with_min_lr,
        "linear warmup, cosine to min_lr (not clamped)"),
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate": (
        (W, N, ("num_cycles", 0.5), LE, *_MIN, ("warmup_lr_rate", None)),
        cosine_warmup_with_min_lr, "warmup from (t+1)/W, cosine to min_lr, one step ahead"),
    "get_wsd_schedule": (
        (W, ("num_decay_steps", R), ("num_training_steps", None), ("num_stable_steps", None),
         ("warmup_type", "linear"), ("decay_type", "cosine"), ("min_lr_ratio", 0),
         ("num_cycles", 0.5), LE), wsd, "warmup, stable, decay (linear/cosine/1-sqrt)"),
}

SCHEDULER_TYPES = {
    "linear": "get_linear_schedule_with_warmup",
    "cosine": "get_cosine_schedule_with_warmup",
    "cosine_with_restarts": "get_cosine_with_hard_restarts_schedule_with_warmup",
    "polynomial": "get_polynomial_decay_schedule_with_warmup",
    "constant": "get_constant_schedule",
    "constant_with_warmup": "get_constant_schedule_with_warmup",
    "inverse_sqrt": "get_inverse_sqrt_schedule",
    "reduce_lr_on_plateau": "get_reduce_on_plateau_schedule",
    "cosine_with_min_lr": "get_cosine_with_min_lr_schedule_with_warmup",
    "cosine_warmup_with_min_lr": "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "warmup_stable_decay": "get_wsd_schedule",
    "greedy": "get_greedy_schedule",
}

FUNCTIONS: dict[str, Fn] = {
    name: Fn(name, params, summary) for name, (params, _, summary) in _FUNCS.items()
}
FUNCTIONS["get_reduce_on_plateau_schedule"] = Fn(
    "get_reduce_on_plateau_schedule", (),
    "torch ReduceLROnPlateau (needs --metrics; a nan metric is an epoch without improvement)",
    var_kwargs=True)
_GREEDY_DOC = ("needs --metrics: lr[0] is the optimizer's lr, lr[i+1] the lr after "
               "step(metrics[i]); lr /= factor (up to max_lr) after more than patience "
               "improving metrics, lr *= factor (down to min_lr) after more than patience "
               "others, reset to the start after reset_start reductions at min_lr")
FUNCTIONS["GreedyLR"] = Fn(
    "GreedyLR", (("mode", "min"), ("factor", 0.95), ("patience", 10), ("threshold", 1e-6),
                 ("threshold_mode", "abs"), ("cooldown", 0), ("warmup", 0), ("min_lr", 1e-3),
                 ("max_lr", 1.0), ("eps", 1e-8), ("verbose", False), ("smooth", False),
                 ("window_size", 50), ("reset_start", 500)),
    "metric-driven lr, up and down; " + _GREEDY_DOC)
FUNCTIONS["get_greedy_schedule"] = Fn(
    "get_greedy_schedule", (), "GreedyLR(**kwargs), as above (needs --metrics)",
    var_kwargs=True)
FUNCTIONS["get_scheduler"] = Fn(
    "get_scheduler", (("name", R), ("optimizer", None), ("num_warmup_steps", None),
                      ("num_training_steps", None), ("scheduler_specific_kwargs", None)),
    "any schedule by its SchedulerType name", takes_optimizer=False)


def _resolve_get_scheduler(call: Call) -> Call:
    """``get_scheduler(name, ...)`` as the call of the function it dispatches to."""
    a = bind(FUNCTIONS["get_scheduler"], call)
    name = a["name"]
    if not isinstance(name, str) or name not in SCHEDULER_TYPES:
        raise FrameworkError(f"ValueError: {name!r} is not a valid SchedulerType, please select "
                             f"one of {list(SCHEDULER_TYPES)}")
    target = SCHEDULER_TYPES[name]
    extra = a["scheduler_specific_kwargs"] or {}
    if not isinstance(extra, dict) or not all(isinstance(k, str) for k in extra):
        raise UsageError("get_scheduler: scheduler_specific_kwargs must be a dict of names")
    kwargs: dict[str, Any] = {}
    if name == "constant":
        pass
    elif name in ("reduce_lr_on_plateau", "greedy"):
        kwargs = dict(extra)
    else:
        if a["num_warmup_steps"] is None:
            raise FrameworkError(f"ValueError: SchedulerType.{name.upper()} requires "
                                 "`num_warmup_steps`, please provide that argument.")
        kwargs["num_warmup_steps"] = a["num_warmup_steps"]
        if name == "warmup_stable_decay":
            kwargs["num_training_steps"] = a["num_training_steps"]
        elif name not in ("constant_with_warmup", "inverse_sqrt"):
            if a["num_training_steps"] is None:
                raise FrameworkError(f"ValueError: SchedulerType.{name.upper()} requires "
                                     "`num_training_steps`, please provide that argument.")
            kwargs["num_training_steps"] = a["num_training_steps"]
        for k, v in extra.items():
            if k in kwargs:
                raise FrameworkError(f"TypeError: transformers.optimization.{target}() got "
                                     f"multiple values for keyword argument '{k}'")
            kwargs[k] = v
    return Call(name=target, qualifier="", args=[], kwargs=kwargs, source=call.source)


def implied_steps(call: Call) -> int | None:
    try:
        if call.name == "get_scheduler":
            call = _resolve_get_scheduler(call)
        if call.name in ("get_reduce_on_plateau_schedule", "get_greedy_schedule", "GreedyLR"):
            return None
        a = bind(DIALECT.check_name(call), call)
    except UsageError:
        return None
    n = a.get("num_training_steps")
    if isinstance(n, int) and n > 0:
        return n
    if call.name == "get_wsd_schedule":
        parts = [a["num_warmup_steps"], a["num_stable_steps"], a["num_decay_steps"]]
        if all(isinstance(p, int) for p in parts):
            return sum(parts)
    return None


def evaluate(call: Call, ctx: Ctx) -> Computed:
    if call.name == "get_scheduler":
        call = _resolve_get_scheduler(call)
    fn = DIALECT.check_name(call)
    if call.name in ("get_reduce_on_plateau_schedule", "get_greedy_schedule"):
        bind(fn, call)  # (optimizer, **kwargs): a positional argument is a TypeError
    if call.name == "get_reduce_on_plateau_schedule":
        from .. import torch as torch_dialect

        inner = Call("ReduceLROnPlateau", "", [], dict(call.kwargs), call.source)
        return torch_dialect.evaluate(inner, ctx)
    if call.name == "get_greedy_schedule":
        call = Call("GreedyLR", "", [], dict(call.kwargs), call.source)
        fn = DIALECT.check_name(call)
    if call.name == "GreedyLR":
        return _greedy(bind(fn, call), ctx)
    a = bind(fn, call)
    if a.pop("last_epoch", -1) != -1:
        raise UsageError(f"{call.name}: last_epoch other than -1 (resuming) is not supported; "
                         "use --start to begin the output later")
    for k, v in a.items():
        if k not in ("warmup_type", "decay_type"):
            need_number(call.name, k, v, allow_none=True)
    build = _FUNCS[call.name][1]
    lam = build(a, ctx.base_lr)
    n = ctx.length(lambda: implied_steps(call), f"'{call.source}'")
    base = ctx.base_lr
    vec = _VECTORS[build](a, base) if plain(base) else None
    return Computed(n, closed(lambda t: base * lam(t), f"{call.name}(...)",
                              None if vec is None else (lambda t: base * vec(t))))


DIALECT = Dialect(
    name="hf", title="transformers.optimization",
    prefixes=("transformers", "transformers.optimization"),
    functions=FUNCTIONS, uses_base_lr=True,
    convention="lr[i] = base_lr * lambda(i) after i calls of scheduler.step() (torch LambdaLR); "
               "plateau and greedy: lr[i+1] is the lr after step(metrics[i])",
)
DIALECT.evaluate = evaluate
