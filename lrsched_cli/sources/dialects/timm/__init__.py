"""The ``timm`` dialect: ``timm.scheduler`` (timm 1.x), ``lr[i] = _get_lr(i)``.

``lr[i]`` is the lr after ``step(i)`` (``t_in_epochs=True``, the default, i counts
epochs) or ``step_update(i)`` (``t_in_epochs=False``, i counts updates): timm's
schedulers are functions of ``t``, computed here operation for operation as timm does
(../shared/reference/frameworks.md §2). Quirks kept: the warmup never reaches the base lr
(``init + t*delta``); with the default overlay (Cosine/Tanh/Poly) the lr never reaches it
at all; ``lr_min`` comes one step past a ``t_initial`` run; MultiStep drops at milestone-1;
PlateauLRScheduler's mode defaults to 'max'. Noise (``noise_range_t``) is not computed:
an expression that sets it is refused.

PlateauLRScheduler is driven by a metric, so it follows timm's train.py instead: at the end
of epoch i, ``scheduler.step(i + 1, metrics[i])``. ``lr[0]`` is the lr the constructor
leaves (``warmup_lr_init`` with a warmup, else the base lr) and ``lr[i + 1]`` the lr after
``step(i + 1, metrics[i])``: a warmup value while ``i + 1 <= warmup_t`` (the metric is not
looked at), else torch's ReduceLROnPlateau stepped with ``metrics[i]``. A nan or inf
metric is what torch makes of it (nan never improves).

The package's parts: ``formulas`` (the schedulers as timm writes them) and ``twins`` (their
numpy twins); here, the names, the checks timm's constructors make, PlateauLRScheduler
(torch's ReduceLROnPlateau with a warmup, as train.py steps it), the run length a call
implies and :func:`evaluate`.

Imports only ``lrsched_cli.errors``, the dialects' ``arith``, ``base``, ``expr``, ``stream``,
the torch dialect's ``schedulers`` (inside a function) and this package's parts: never the
rest of ``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even
inside a function); numpy only inside functions.
"""

from __future__ import annotations

import math
from typing import Any

from ....errors import UsageError
from ..arith import ipow
from ..base import REQUIRED, Ctx, Dialect, Fn, FrameworkError, bind, need_number
from ..expr import Call
from ..stream import Computed, closed, whole
from .formulas import _cosine, _cyclic, _multistep, _poly, _step, _tanh, _warmup, _wsd
from .twins import _VECTORS

R = REQUIRED
NOISE = (("noise_range_t", None), ("noise_pct", 0.67), ("noise_std", 1.0), ("noise_seed", 42),
         ("initialize", True))
CYCLES = (("cycle_mul", 1.0), ("cycle_decay", 1.0), ("cycle_limit", 1))


_WARM = (("warmup_t", 0), ("warmup_lr_init", 0.0))
_FUNCS: dict[str, tuple[tuple[tuple[str, Any], ...], Any, str]] = {
    "CosineLRScheduler": ((("t_initial", R), ("lr_min", 0.0), *CYCLES, *_WARM,
                           ("warmup_prefix", False), ("t_in_epochs", True), *NOISE[:4],
                           ("k_decay", 1.0), NOISE[4]), _cyclic(_cosine),
                          "cosine with warmup, cycles, k-decay"),
    "TanhLRScheduler": ((("t_initial", R), ("lb", -7.0), ("ub", 3.0), ("lr_min", 0.0), *CYCLES,
                         *_WARM, ("warmup_prefix", False), ("t_in_epochs", True), *NOISE),
                        _cyclic(_tanh), "hyperbolic-tangent decay"),
    "PolyLRScheduler": ((("t_initial", R), ("power", 0.5), ("lr_min", 0.0), *CYCLES, *_WARM,
                         ("warmup_prefix", False), ("t_in_epochs", True), *NOISE[:4],
                         ("k_decay", 1.0), NOISE[4]), _cyclic(_poly),
                        "polynomial decay (power 0.5 by default)"),
    "StepLRScheduler": ((("decay_t", R), ("decay_rate", 1.0), *_WARM, ("warmup_prefix", True),
                         ("t_in_epochs", True), *NOISE), _step,
                        "base * decay_rate ** (t // decay_t)"),
    "MultiStepLRScheduler": ((("decay_t", R), ("decay_rate", 1.0), *_WARM,
                              ("warmup_prefix", True), ("t_in_epochs", True), *NOISE),
                             _multistep, "drops at each milestone - 1"),
    "WSDLRScheduler": ((("t_initial", R), ("decay_t", R), ("lr_min", 0.0),
                        ("stable_fn", "constant"), ("stable_timescale", None),
                        ("stable_power", 0.5), ("decay_fn", "1-sqrt"), ("decay_power", 0.5),
                        ("decay_ratio", 0.1), *_WARM, ("t_in_epochs", True), *NOISE), _wsd,
                       "warmup, stable, decay (1-sqrt by default)"),
}
FUNCTIONS: dict[str, Fn] = {n: Fn(n, p, s) for n, (p, _, s) in _FUNCS.items()}
FUNCTIONS["PlateauLRScheduler"] = Fn(
    "PlateauLRScheduler", (("decay_rate", 0.1), ("patience_t", 10), ("threshold", 1e-4),
                           ("cooldown_t", 0), *_WARM, ("lr_min", 0),
                           ("mode", "max"), ("noise_range_t", None), ("noise_type", "normal"),
                           ("noise_pct", 0.67), ("noise_std", 1.0), ("noise_seed", None),
                           ("initialize", True)),
    "torch ReduceLROnPlateau with warmup; mode 'max' by default. Needs --metrics (one per "
    "epoch): lr[0] is the lr after construction, lr[i+1] the lr after step(i + 1, metrics[i]) "
    "as timm's train.py calls it")


def _check(name: str, a: dict[str, Any]) -> None:
    if a.get("noise_range_t") is not None:
        raise UsageError(f"{name}: noise_range_t (random lr noise) is not computed by lrsched; "
                         "leave it out to see the schedule without noise")
    for k, v in a.items():
        if k in ("decay_t", "stable_fn", "decay_fn", "mode", "noise_type", "noise_range_t"):
            continue
        need_number(name, k, v, allow_none=True)
    if name in ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler"):
        if not a["t_initial"] > 0:
            raise FrameworkError(f"AssertionError: {name} asserts t_initial > 0 "
                                 f"(got {a['t_initial']})")
        if not a["lr_min"] >= 0:
            raise FrameworkError(f"AssertionError: {name} asserts lr_min >= 0 "
                                 f"(got {a['lr_min']})")
    if name == "TanhLRScheduler":
        for cond, text in ((a["lb"] < a["ub"], "lb < ub"),
                           (a["cycle_limit"] >= 0, "cycle_limit >= 0"),
                           (a["warmup_t"] >= 0, "warmup_t >= 0"),
                           (a["warmup_lr_init"] >= 0, "warmup_lr_init >= 0")):
            if not cond:
                raise FrameworkError(f"AssertionError: TanhLRScheduler asserts {text}")
    if name == "MultiStepLRScheduler":
        if not isinstance(a["decay_t"], (list, tuple)):
            raise UsageError(f"{name}: decay_t={a['decay_t']!r} is not a list")
    elif name in ("StepLRScheduler", "WSDLRScheduler"):
        need_number(name, "decay_t", a["decay_t"])


def _plateau(a: dict[str, Any], ctx: Ctx, n: int) -> Computed:
    """timm's train.py loop: construct, then ``step(epoch + 1, metrics[epoch])`` per epoch."""
    import numpy as np

    from ..torch.schedulers import Group, ReduceLROnPlateau

    if ctx.metrics is None:
        raise UsageError("PlateauLRScheduler needs --metrics FILE (one metric per epoch; "
                         "lr[i+1] is the lr after step(i + 1, metrics[i]))")
    if n > len(ctx.metrics):
        raise UsageError(f"--steps {n} needs {n} metrics; the metrics given have "
                         f"{len(ctx.metrics)}")
    for k in ("decay_rate", "patience_t", "threshold", "cooldown_t", "warmup_t",
              "warmup_lr_init", "lr_min"):
        need_number("PlateauLRScheduler", k, a[k])
    base = ctx.base_lr
    group = Group(lr=base)
    torch_sched = ReduceLROnPlateau(group, patience=a["patience_t"], factor=a["decay_rate"],
                                    threshold=a["threshold"], cooldown=a["cooldown_t"],
                                    mode=a["mode"], min_lr=a["lr_min"])
    w, init, step = _warmup(a, base)
    if w:
        group["lr"] = init
    out = np.empty(n, dtype=np.float64)
    if n:
        out[0] = group["lr"]
    for i in range(1, n):  # the end of epoch i - 1: step(i, metrics[i - 1])
        if i <= w:
            group["lr"] = init + i * step
        else:
            torch_sched.step_metric(ctx.metrics[i - 1])
        out[i] = group["lr"]
    return whole(out)


def implied_steps(call: Call) -> int | None:
    try:
        a = bind(DIALECT.check_name(call), call)
    except UsageError:
        return None
    name = call.name
    if name == "WSDLRScheduler":
        parts = (a["warmup_t"], a["t_initial"])
        return sum(parts) if all(isinstance(p, int) for p in parts) else None
    if name in ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler"):
        T, m, c = a["t_initial"], a["cycle_mul"], a["cycle_limit"]
        if not isinstance(T, int) or not isinstance(c, int):
            return None
        cycles = max(1, c)
        t = T * cycles if m == 1.0 else int(math.floor(-T * (ipow(m, cycles) - 1) / (1 - m)))
        return t + a["warmup_t"] if a["warmup_prefix"] and isinstance(a["warmup_t"], int) else t
    return None


def evaluate(call: Call, ctx: Ctx) -> Computed:
    fn = DIALECT.check_name(call)
    a = bind(fn, call)
    name = call.name
    if name == "PlateauLRScheduler":
        if a.get("noise_range_t") is not None:
            raise UsageError("PlateauLRScheduler: noise_range_t is not computed by lrsched")
        if a["mode"] not in ("min", "max"):
            raise FrameworkError(f"ValueError: mode {a['mode']} is unknown!")
        implied = len(ctx.metrics) if ctx.metrics is not None else None
        n = ctx.length(implied, "--metrics")
        return _plateau(a, ctx, n)
    _check(name, a)
    if name == "TanhLRScheduler" and not a["warmup_prefix"]:
        a["_tanh_overlay_target"] = True
    f = _FUNCS[name][1](a, ctx.base_lr)
    n = ctx.length(lambda: implied_steps(call), f"'{call.source}'")
    vec = _VECTORS[name](a, ctx.base_lr)
    return Computed(n, closed(f, f"{name}(...)", vec))


DIALECT = Dialect(
    name="timm", title="timm.scheduler", prefixes=("timm.scheduler",),
    functions=FUNCTIONS, uses_base_lr=True,
    convention="lr[i] = _get_lr(i), set by step(i) (t_in_epochs=True) or step_update(i); "
               "PlateauLRScheduler as train.py: lr[i+1] after step(i + 1, metrics[i])",
)
DIALECT.evaluate = evaluate
