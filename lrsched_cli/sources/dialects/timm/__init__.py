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
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ....errors import UsageError
from ..arith import cos, ipow, plain, pmax, pmin, ppow, pymap
from ..base import REQUIRED, Ctx, Dialect, Fn, FrameworkError, bind, need_number
from ..expr import Call
from ..lambdas import Lambda
from ..stream import Computed, closed, whole

R = REQUIRED
NOISE = (("noise_range_t", None), ("noise_pct", 0.67), ("noise_std", 1.0), ("noise_seed", 42),
         ("initialize", True))
CYCLES = (("cycle_mul", 1.0), ("cycle_decay", 1.0), ("cycle_limit", 1))


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


# --------------------------------------------------------------------------------------
# numpy twins of the functions above, the same operations in the same order, for plain
# numbers (timm's Python floats): ``**`` as ppow, math.cos/tanh/log as Python's own.


def _plain_args(a: dict[str, Any], *keys: str) -> bool:
    return plain(*(a[k] for k in keys))


def _warm_v(t: np.ndarray, init: Any, step: Any) -> np.ndarray:
    return init + t.astype(float) * step


def _cycle_v(t: np.ndarray, a: dict[str, Any]) -> tuple[Any, Any, Any]:
    import numpy as np

    m, T = a["cycle_mul"], a["t_initial"]
    if m != 1:
        arg = 1 - t / T * (1 - m)
        i = np.floor(pymap(math.log, arg) / math.log(m))  # math.log(x, m): log(x) / log(m)
        mi = ppow(m, i)
        return i, mi * T, t - (1 - mi) / (1 - m) * T
    i = t // T
    return i, T, t - (T * i)


def _shape_v(name: str):
    def cosine(lr_max: Any, t_i: Any, t_curr: Any, a: dict[str, Any]) -> np.ndarray:
        import numpy as np

        k = a["k_decay"]
        ratio = np.pi * ppow(_f(t_curr), k) / ppow(_f(t_i), k)
        return a["lr_min"] + 0.5 * (lr_max - a["lr_min"]) * (1 + cos(ratio))

    def tanh(lr_max: Any, t_i: Any, t_curr: Any, a: dict[str, Any]) -> np.ndarray:
        tr = t_curr / _f(t_i)
        return a["lr_min"] + 0.5 * (lr_max - a["lr_min"]) * (
            1 - pymap(math.tanh, a["lb"] * (1. - tr) + a["ub"] * tr))

    def poly(lr_max: Any, t_i: Any, t_curr: Any, a: dict[str, Any]) -> np.ndarray:
        k = a["k_decay"]
        return a["lr_min"] + (lr_max - a["lr_min"]) * ppow(
            1 - ppow(_f(t_curr), k) / ppow(_f(t_i), k), a["power"])
    return {"cosine": cosine, "tanh": tanh, "poly": poly}[name]


def _f(x: Any) -> np.ndarray:
    import numpy as np

    return np.asarray(x, dtype=np.float64)


def _vec_cyclic(name: str):
    shape = _shape_v(name)

    def build(a: dict[str, Any], base: float) -> Any:
        import numpy as np

        keys = ("t_initial", "lr_min", "cycle_mul", "cycle_decay", "cycle_limit", "warmup_t",
                "warmup_lr_init") + (("lb", "ub") if name == "tanh" else ("k_decay",)) + (
                    ("power",) if name == "poly" else ())
        if not _plain_args(a, *keys) or not plain(base) or (
                a["cycle_decay"] != 1 and not isinstance(a["cycle_decay"], float)):
            return None
        w, init, step = _warmup(a, base)
        if a.get("_tanh_overlay_target") and w:
            step = (_cyclic(_tanh)(a, base)(w) - init) / w  # (the scalar reference's value)
        if not plain(step):
            return None

        def main(t: np.ndarray) -> np.ndarray:
            if a["warmup_prefix"]:
                t = t - a["warmup_t"]
            i, t_i, t_curr = _cycle_v(t, a)
            out = np.full(len(t), float(a["lr_min"]))
            live = i < a["cycle_limit"]
            if live.any():
                il = i[live]
                cd = a["cycle_decay"]
                lr_max = base * ppow(cd, il) if cd != 1 else base  # (1 ** i is 1)
                sub = (lambda x: x[live]) if np.ndim(t_i) else (lambda x: x)
                out[live] = shape(lr_max, sub(t_i), t_curr[live], a)
            return out

        def f(t: np.ndarray) -> np.ndarray:
            out = np.empty(len(t), dtype=np.float64)
            warm = t < w
            if warm.any():
                out[warm] = _warm_v(t[warm], init, step)
            if not warm.all():
                out[~warm] = main(t[~warm])
            return out
        return f
    return build


def _vec_step(a: dict[str, Any], base: float) -> Any:
    import numpy as np

    if not _plain_args(a, "decay_t", "decay_rate", "warmup_t", "warmup_lr_init") \
            or not plain(base) or a["decay_t"] == 0 or not isinstance(a["decay_rate"], float):
        return None  # (an int rate: Python's exact int powers)
    w, init, step = _warmup(a, base)
    d, rate = a["decay_t"], a["decay_rate"]
    if not plain(step):
        return None

    def f(t: np.ndarray) -> np.ndarray:
        out = np.empty(len(t), dtype=np.float64)
        warm = t < w
        out[warm] = _warm_v(t[warm], init, step)
        tt = t[~warm] - w if a["warmup_prefix"] else t[~warm]
        out[~warm] = base * ppow(rate, tt // d)
        return out
    return f


def _vec_multistep(a: dict[str, Any], base: float) -> Any:
    import numpy as np

    ms = list(a["decay_t"])
    if not _plain_args(a, "decay_rate", "warmup_t", "warmup_lr_init") or not plain(base, *ms) \
            or any(x > y for x, y in zip(ms, ms[1:])) or not isinstance(a["decay_rate"], float):
        return None  # (unsorted milestones: bisect's own answers; an int rate: int powers)
    w, init, step = _warmup(a, base)
    rate = a["decay_rate"]
    if not plain(step):
        return None
    edges = np.array(ms, dtype=np.float64)

    def f(t: np.ndarray) -> np.ndarray:
        out = np.empty(len(t), dtype=np.float64)
        warm = t < w
        out[warm] = _warm_v(t[warm], init, step)
        tt = t[~warm] - w if a["warmup_prefix"] else t[~warm]
        out[~warm] = base * ppow(rate, np.searchsorted(edges, tt + 1, side="right"))
        return out
    return f


def _vec_wsd(a: dict[str, Any], base: float) -> Any:
    import numpy as np

    T, d, lr_min = a["t_initial"], a["decay_t"], a["lr_min"]
    sf, ts, sp = a["stable_fn"], a["stable_timescale"], a["stable_power"]
    df, dp, dr = a["decay_fn"], a["decay_power"], a["decay_ratio"]
    if isinstance(df, Lambda) or not plain(T, d, lr_min, sp, dp, dr, base):
        return None
    if sf != "constant" and ts is None:
        ts = a["warmup_t"]
    if sf != "constant" and not plain(ts):
        return None
    w, init, step = _warmup(a, base)
    if not plain(w, init, step):
        return None

    def stable(t_s: np.ndarray) -> Any:
        if sf == "constant":
            return 1.
        power = 0.5 if sf == "rsqrt" else sp
        return ppow(1. + t_s / ts, -power)

    def decay(frac: np.ndarray) -> np.ndarray:
        if df == "linear":
            return 1. - frac
        if df == "1-sqrt":
            return 1. - np.sqrt(frac)
        if df == "cosine":
            return 0.5 * (1. + cos(np.pi * frac))
        if df == "power":
            return 1. - ppow(frac, dp)
        return (ppow(dr, frac) - dr) / (1. - dr)

    def f(t: np.ndarray) -> np.ndarray:
        out = np.empty(len(t), dtype=np.float64)
        warm = t < w
        out[warm] = _warm_v(t[warm], init, step)
        t_s = t[~warm] - w
        lr = pmax(base * stable(_f(t_s)), lr_min)
        t_decay = t_s - (T - d)
        late = t_decay > 0
        res = np.array(np.broadcast_to(lr, t_s.shape), dtype=np.float64)
        if late.any():
            lrl = res[late]
            res[late] = lr_min + (lrl - lr_min) * decay(pmin(_f(t_decay[late]) / d, 1.))
        out[~warm] = res
        return out
    return f


_VECTORS = {"CosineLRScheduler": _vec_cyclic("cosine"), "TanhLRScheduler": _vec_cyclic("tanh"),
            "PolyLRScheduler": _vec_cyclic("poly"), "StepLRScheduler": _vec_step,
            "MultiStepLRScheduler": _vec_multistep, "WSDLRScheduler": _vec_wsd}


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
