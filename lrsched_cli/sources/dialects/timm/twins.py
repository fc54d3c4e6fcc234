"""The numpy twins of timm's ``_get_lr`` functions (``formulas``), the same operations in
the same order, for plain numbers (timm's Python floats): ``**`` as ppow, math.cos/tanh/log
as Python's own; ``_VECTORS`` maps each scheduler name to the builder of its twin (None
where the arguments are not plain, and the scalar function is used).

Imports only the dialects' ``arith`` and ``lambdas`` and this package's ``formulas`` (numpy
inside functions): never the rest of ``lrsched_cli.sources``, never typer, click, rich,
plotext or matplotlib (not even inside a function).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ..arith import cos, plain, pmax, pmin, ppow, pymap
from ..lambdas import Lambda
from .formulas import _cyclic, _tanh, _warmup


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
