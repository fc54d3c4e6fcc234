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
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ....errors import UsageError
from ..arith import cos, plain, pmax, ppow
from ..base import (
    FAILURES,
    REQUIRED,
    Ctx,
    Dialect,
    Fn,
    FrameworkError,
    bind,
    need_number,
    step_error,
)
from ..expr import Call
from ..stream import Computed, closed, whole

R = REQUIRED
Lam = Callable[[int], float]
Vec = Callable[["np.ndarray"], "np.ndarray"]

# Each schedule below is a lambda as transformers writes it (the reference, Python floats),
# and, where its arguments are plain numbers, a numpy twin with the same operations in the
# same order (``_vec_<name>``): Python's max() as pmax, ``**`` as ppow, math.cos as cos.


def _warm(t: int, w: Any) -> float:
    return float(t) / float(max(1, w))


def constant(a: dict[str, Any], lr0: float) -> Lam:
    return lambda t: 1


def constant_with_warmup(a: dict[str, Any], lr0: float) -> Lam:
    w = a["num_warmup_steps"]

    def f(t: int) -> float:
        if t < w:
            return float(t) / float(max(1.0, w))
        return 1.0
    return f


def linear(a: dict[str, Any], lr0: float) -> Lam:
    w, n = a["num_warmup_steps"], a["num_training_steps"]

    def f(t: int) -> float:
        if t < w:
            return _warm(t, w)
        return max(0.0, float(n - t) / float(max(1, n - w)))
    return f


def cosine(a: dict[str, Any], lr0: float, min_lr_rate: float = 0.0) -> Lam:
    w, n, c = a["num_warmup_steps"], a["num_training_steps"], a["num_cycles"]

    def f(t: int) -> float:
        if t < w:
            return _warm(t, w)
        progress = float(t - w) / float(max(1, n - w))
        factor = 0.5 * (1.0 + math.cos(math.pi * float(c) * 2.0 * progress))
        factor = factor * (1 - min_lr_rate) + min_lr_rate
        return max(0, factor)
    return f


def cosine_with_hard_restarts(a: dict[str, Any], lr0: float) -> Lam:
    w, n, c = a["num_warmup_steps"], a["num_training_steps"], a["num_cycles"]

    def f(t: int) -> float:
        if t < w:
            return _warm(t, w)
        progress = float(t - w) / float(max(1, n - w))
        if progress >= 1.0:
            return 0.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(c) * progress) % 1.0))))
    return f


def polynomial(a: dict[str, Any], lr0: float) -> Lam:
    w, n, end, power = (a["num_warmup_steps"], a["num_training_steps"], a["lr_end"],
                        a["power"])
    if not (lr0 > end):
        raise FrameworkError(f"ValueError: lr_end ({end}) must be smaller than initial lr "
                             f"({lr0})")

    def f(t: int) -> float:
        if t < w:
            return _warm(t, w)
        if t > n:
            return end / lr0
        lr_range = lr0 - end
        decay_steps = n - w
        pct_remaining = 1 - (t - w) / decay_steps
        return (lr_range * pct_remaining ** power + end) / lr0
    return f


def inverse_sqrt(a: dict[str, Any], lr0: float) -> Lam:
    w = a["num_warmup_steps"]
    ts = a["timescale"]
    if ts is None:
        ts = w or 10_000
    shift = ts - w

    def f(t: int) -> float:
        if t < w:
            return _warm(t, w)
        return 1.0 / math.sqrt((t + shift) / ts)
    return f


def _min_lr_rate(a: dict[str, Any], lr0: float) -> float:
    if a["min_lr"] is not None and a["min_lr_rate"] is not None:
        raise FrameworkError("ValueError: Only one of min_lr or min_lr_rate should be set")
    if a["min_lr"] is not None:
        return a["min_lr"] / lr0
    if a["min_lr_rate"] is None:
        raise FrameworkError("ValueError: One of min_lr or min_lr_rate should be set through "
                             "the `lr_scheduler_kwargs`")
    return a["min_lr_rate"]


def cosine_with_min_lr(a: dict[str, Any], lr0: float) -> Lam:
    return cosine(a, lr0, _min_lr_rate(a, lr0))


def cosine_warmup_with_min_lr(a: dict[str, Any], lr0: float) -> Lam:
    rate = _min_lr_rate(a, lr0)
    w, n, c = float(a["num_warmup_steps"]), float(a["num_training_steps"]), a["num_cycles"]
    wr = a["warmup_lr_rate"]

    def f(step: int) -> float:
        t = float(step)
        if t < w:
            if wr is None:
                return (t + 1.0) / max(1.0, w)
            r = float(wr)
            return r + (1.0 - r) * t / max(1, w - 1)
        progress = (t - w + 1.0) / max(1.0, n - w)
        factor = 0.5 * (1.0 + math.cos(math.pi * c * 2.0 * progress))
        factor = factor * (1 - rate) + rate
        return max(0, factor)
    return f


def wsd(a: dict[str, Any], lr0: float) -> Lam:
    w, d, n, s = (a["num_warmup_steps"], a["num_decay_steps"], a["num_training_steps"],
                  a["num_stable_steps"])
    wt, dt, m, c = a["warmup_type"], a["decay_type"], a["min_lr_ratio"], a["num_cycles"]
    if n is None and s is None:
        raise FrameworkError("ValueError: Either num_training_steps or num_stable_steps must "
                             "be specified.")
    if wt not in ("linear", "cosine", "1-sqrt"):
        raise FrameworkError(f"ValueError: Unknown warmup type: {wt}, expected 'linear', "
                             "'cosine' or '1-sqrt'")
    if dt not in ("linear", "cosine", "1-sqrt"):
        raise FrameworkError(f"ValueError: Unknown decay type: {dt}, expected 'linear', "
                             "'cosine' or '1-sqrt'")
    if s is None:
        s = n - w - d

    def f(t: int) -> float:
        if t < w:
            progress = float(t) / float(max(1, w))
            if wt == "linear":
                factor = progress
            elif wt == "cosine":
                factor = 0.5 * (1.0 - math.cos(math.pi * progress))
            else:
                factor = 1.0 - math.sqrt(1.0 - progress)
            factor = factor * (1.0 - m) + m
            return max(0.0, factor)
        if t < w + s:
            return 1.0
        if t < w + s + d:
            progress = float(t - w - s) / float(max(1, d))
            if dt == "linear":
                factor = 1.0 - progress
            elif dt == "cosine":
                factor = 0.5 * (1.0 + math.cos(math.pi * float(c) * 2.0 * progress))
            else:
                factor = 1.0 - math.sqrt(progress)
            factor = factor * (1.0 - m) + m
            return max(0.0, factor)
        return m
    return f


def _np() -> Any:
    import numpy as np

    return np


def _warm_v(t: np.ndarray, w: Any) -> np.ndarray:
    return t.astype(_np().float64) / float(max(1, w))


def _where(cond: np.ndarray, yes: Any, no: Any) -> np.ndarray:
    """``yes`` where ``cond`` else ``no``: each computed only where it is used (so that an
    error of the branch not taken is never met), given as functions of the index mask."""
    np = _np()
    out = np.empty(cond.shape, dtype=np.float64)
    if cond.any():
        out[cond] = yes(cond)
    if not cond.all():
        out[~cond] = no(~cond)
    return out


def _vec_constant(a: dict[str, Any], lr0: float) -> Vec | None:
    return lambda t: _np().full(len(t), 1.0)


def _vec_constant_with_warmup(a: dict[str, Any], lr0: float) -> Vec | None:
    w = a["num_warmup_steps"]
    if not plain(w):
        return None
    d = float(max(1.0, w))
    return lambda t: _where(t < w, lambda m: t[m].astype(float) / d, lambda m: 1.0)


def _vec_linear(a: dict[str, Any], lr0: float) -> Vec | None:
    w, n = a["num_warmup_steps"], a["num_training_steps"]
    if not plain(w, n):
        return None
    d = float(max(1, n - w))
    return lambda t: _where(t < w, lambda m: _warm_v(t[m], w),
                            lambda m: pmax(0.0, _f(n - t[m]) / d))


def _f(x: Any) -> np.ndarray:
    return _np().asarray(x, dtype=_np().float64)


def _vec_cosine(a: dict[str, Any], lr0: float, min_lr_rate: float = 0.0) -> Vec | None:
    w, n, c = a["num_warmup_steps"], a["num_training_steps"], a["num_cycles"]
    if not plain(w, n, c, min_lr_rate):
        return None
    d = float(max(1, n - w))
    k = math.pi * float(c) * 2.0
    keep = 1 - min_lr_rate

    def main(t: np.ndarray) -> np.ndarray:
        progress = _f(t - w) / d
        factor = 0.5 * (1.0 + cos(k * progress))
        factor = factor * keep + min_lr_rate
        return pmax(0, factor)
    return lambda t: _where(t < w, lambda m: _warm_v(t[m], w), lambda m: main(t[m]))


def _vec_cosine_with_hard_restarts(a: dict[str, Any], lr0: float) -> Vec | None:
    w, n, c = a["num_warmup_steps"], a["num_training_steps"], a["num_cycles"]
    if not plain(w, n, c):
        return None
    np = _np()
    d = float(max(1, n - w))

    def main(t: np.ndarray) -> np.ndarray:
        progress = _f(t - w) / d
        return _where(progress >= 1.0, lambda m: 0.0, lambda m: pmax(0.0, 0.5 * (1.0 + cos(
            math.pi * np.mod(float(c) * progress[m], 1.0)))))
    return lambda t: _where(t < w, lambda m: _warm_v(t[m], w), lambda m: main(t[m]))


def _vec_polynomial(a: dict[str, Any], lr0: float) -> Vec | None:
    w, n, end, power = (a["num_warmup_steps"], a["num_training_steps"], a["lr_end"],
                        a["power"])
    if not plain(w, n, end, power, lr0):
        return None
    lr_range = lr0 - end
    decay_steps = n - w

    def main(t: np.ndarray) -> np.ndarray:
        return _where(t > n, lambda m: end / lr0, lambda m: (
            lr_range * ppow(1 - _f(t[m] - w) / decay_steps, power) + end) / lr0)
    return lambda t: _where(t < w, lambda m: _warm_v(t[m], w), lambda m: main(t[m]))


def _vec_inverse_sqrt(a: dict[str, Any], lr0: float) -> Vec | None:
    w, ts = a["num_warmup_steps"], a["timescale"]
    if ts is None:
        ts = w or 10_000
    if not plain(w, ts):
        return None
    shift = ts - w
    np = _np()
    return lambda t: _where(t < w, lambda m: _warm_v(t[m], w),
                            lambda m: 1.0 / np.sqrt(_f(t[m] + shift) / ts))


def _vec_cosine_with_min_lr(a: dict[str, Any], lr0: float) -> Vec | None:
    return _vec_cosine(a, lr0, _min_lr_rate(a, lr0))


def _vec_cosine_warmup_with_min_lr(a: dict[str, Any], lr0: float) -> Vec | None:
    rate = _min_lr_rate(a, lr0)
    w0, n0, c, wr = (a["num_warmup_steps"], a["num_training_steps"], a["num_cycles"],
                     a["warmup_lr_rate"])
    if not plain(w0, n0, c, rate) or (wr is not None and not plain(wr)):
        return None
    w, n = float(w0), float(n0)
    k = math.pi * c * 2.0

    def warm(t: np.ndarray) -> np.ndarray:
        if wr is None:
            return (t + 1.0) / max(1.0, w)
        r = float(wr)
        return r + (1.0 - r) * t / max(1, w - 1)

    def main(t: np.ndarray) -> np.ndarray:
        progress = (t - w + 1.0) / max(1.0, n - w)
        factor = 0.5 * (1.0 + cos(k * progress))
        factor = factor * (1 - rate) + rate
        return pmax(0, factor)

    def f(step: np.ndarray) -> np.ndarray:
        t = _f(step)
        return _where(t < w, lambda m: warm(t[m]), lambda m: main(t[m]))
    return f


def _vec_wsd(a: dict[str, Any], lr0: float) -> Vec | None:
    w, d, n, s = (a["num_warmup_steps"], a["num_decay_steps"], a["num_training_steps"],
                  a["num_stable_steps"])
    wt, dt, m, c = a["warmup_type"], a["decay_type"], a["min_lr_ratio"], a["num_cycles"]
    if s is None and n is not None:
        s = n - w - d
    if not plain(w, d, s, m, c):
        return None
    np = _np()

    def warm(t: np.ndarray) -> np.ndarray:
        progress = _f(t) / float(max(1, w))
        if wt == "linear":
            factor = progress
        elif wt == "cosine":
            factor = 0.5 * (1.0 - cos(math.pi * progress))
        else:
            factor = 1.0 - np.sqrt(1.0 - progress)
        factor = factor * (1.0 - m) + m
        return pmax(0.0, factor)

    def decay(t: np.ndarray) -> np.ndarray:
        progress = _f(t - w - s) / float(max(1, d))
        if dt == "linear":
            factor = 1.0 - progress
        elif dt == "cosine":
            factor = 0.5 * (1.0 + cos(math.pi * float(c) * 2.0 * progress))
        else:
            factor = 1.0 - np.sqrt(progress)
        factor = factor * (1.0 - m) + m
        return pmax(0.0, factor)

    def f(t: np.ndarray) -> np.ndarray:
        out = np.full(len(t), float(m))
        todo = np.ones(len(t), dtype=bool)
        for bound, g in ((w, warm), (w + s, lambda x: 1.0), (w + s + d, decay)):
            mask = todo & (t < bound)  # the first branch whose test holds, as the ifs
            if mask.any():
                out[mask] = g(t[mask])
            todo &= ~mask
        return out
    return f


_VECTORS = {
    constant: _vec_constant, constant_with_warmup: _vec_constant_with_warmup,
    linear: _vec_linear, cosine: _vec_cosine,
    cosine_with_hard_restarts: _vec_cosine_with_hard_restarts, polynomial: _vec_polynomial,
    inverse_sqrt: _vec_inverse_sqrt, cosine_with_min_lr: _vec_cosine_with_min_lr,
    cosine_warmup_with_min_lr: _vec_cosine_warmup_with_min_lr, wsd: _vec_wsd,
}


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


# --------------------------------------------------------------------------------------
# GreedyLR (transformers 5.x): metric-driven, stepped with step(metric).


class _Greedy:
    """transformers.optimization.GreedyLR on one parameter group, step for step."""

    def __init__(self, lr: float, a: dict[str, Any]) -> None:
        for k in ("factor", "patience", "threshold", "cooldown", "warmup", "eps",
                  "window_size", "reset_start"):
            need_number("GreedyLR", k, a[k])
        if a["factor"] >= 1.0:
            raise FrameworkError("ValueError: Factor should be < 1.0.")
        self.min_lr = _one_group("min", a["min_lr"])
        self.max_lr = _one_group("max", a["max_lr"])
        if a["mode"] not in ("min", "max"):
            raise FrameworkError(f"ValueError: mode {a['mode']} is unknown!")
        if a["threshold_mode"] not in ("rel", "abs"):
            raise FrameworkError(f"ValueError: threshold mode {a['threshold_mode']} is "
                                 "unknown!")
        self.lr = self.init_lr = lr
        self.mode, self.threshold, self.threshold_mode = (a["mode"], a["threshold"],
                                                          a["threshold_mode"])
        self.factor, self.patience, self.eps = a["factor"], a["patience"], a["eps"]
        self.cooldown, self.warmup = a["cooldown"], a["warmup"]
        self.smooth, self.window_size = bool(a["smooth"]), a["window_size"]
        self.reset_original = a["reset_start"]
        self.restart()

    def restart(self) -> None:
        """The state after construction, and after GreedyLR._reset (the lr aside)."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.bad = self.good = self.cooldown_counter = self.warmup_counter = 0
        self.reset_start = self.reset_original
        self.window: deque[float] = deque()
        self.window_sum = 0.0

    def better(self, a: float) -> bool:
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < self.best * (1.0 - self.threshold)
            return a < self.best - self.threshold
        if self.threshold_mode == "rel":
            return a > self.best * (1.0 + self.threshold)
        return a > self.best + self.threshold

    def step(self, metric: float) -> None:
        current = float(metric)
        if self.smooth:  # transformers' StreamingAverage: a running sum over the window
            self.window.append(current)
            self.window_sum += current
            if len(self.window) > self.window_size:
                self.window_sum -= self.window.popleft()
            current = self.window_sum / len(self.window)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.bad = self.good = 0
        elif self.warmup_counter > 0:
            self.warmup_counter -= 1
            self.bad = self.good = 0
        else:
            if self.better(current):
                self.best = current
                self.bad = 0
                self.good += 1
            else:
                self.bad += 1
                self.good = 0
            if self.good > self.patience:
                new = min(self.lr / self.factor, self.max_lr)
                if new - self.lr > self.eps:
                    self.lr = new
                self.reset_start = self.reset_original
                self.warmup_counter = self.warmup
                self.good = 0
            elif self.bad > self.patience:
                new = max(self.lr * self.factor, self.min_lr)
                if self.lr - new > self.eps:
                    self.lr = new
                if not self.lr > self.min_lr:
                    self.reset_start -= 1
                    if self.reset_start <= 0:
                        self.lr = self.init_lr
                        self.restart()
                self.cooldown_counter = self.cooldown
                self.bad = 0


def _one_group(which: str, v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        if len(v) != 1:
            raise FrameworkError(f"ValueError: expected 1 {which}_lrs, got {len(v)}")
        v = v[0]
    need_number("GreedyLR", f"{which}_lr", v)
    return v


def _greedy(a: dict[str, Any], ctx: Ctx) -> Computed:
    import numpy as np

    sched = _Greedy(ctx.base_lr, a)
    if ctx.metrics is None:
        raise UsageError("GreedyLR needs --metrics FILE (one metric per step() call, i.e. per "
                         "evaluation; lr[i+1] is the lr after step(metrics[i]))")
    n = ctx.length(len(ctx.metrics) if ctx.steps is None else None, "--metrics")
    if n > len(ctx.metrics):
        raise UsageError(f"--steps {n} needs {n} metrics; the metrics given have "
                         f"{len(ctx.metrics)}")
    out = np.empty(n, dtype=np.float64)
    i = 0
    try:
        for i in range(n):
            out[i] = sched.lr
            if i < n - 1:
                sched.step(ctx.metrics[i])
    except FAILURES as e:
        raise step_error("GreedyLR", i + 1, e) from None
    return whole(out)


DIALECT = Dialect(
    name="hf", title="transformers.optimization",
    prefixes=("transformers", "transformers.optimization"),
    functions=FUNCTIONS, uses_base_lr=True,
    convention="lr[i] = base_lr * lambda(i) after i calls of scheduler.step() (torch LambdaLR); "
               "plateau and greedy: lr[i+1] is the lr after step(metrics[i])",
)
DIALECT.evaluate = evaluate
