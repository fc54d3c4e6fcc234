"""The numpy twins of Keras's closed forms (``formulas``), the same operations in the same
order, for plain numbers (``**`` as ppow, min as pmin, math.cos as cos); ``_VECTORS`` maps
each schedule name to the builder of its twin (None where the arguments are not plain, and
the scalar function is used).

Imports only the dialects' ``arith`` (numpy inside functions): never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ..arith import cos, plain, pmin, ppow


def _f(x: Any) -> np.ndarray:
    import numpy as np

    return np.asarray(x, dtype=np.float64)


def _v_decay(a: dict[str, Any], form: str) -> Any:
    import numpy as np

    init, T, r, stair = (a["initial_learning_rate"], a["decay_steps"], a["decay_rate"],
                         a["staircase"])
    if not plain(init, T, r) or (form == "exp" and not isinstance(r, float)):
        return None

    def f(t: np.ndarray) -> np.ndarray:
        p = _f(t) / T
        if stair:
            p = np.floor(p)
        return init * ppow(r, p) if form == "exp" else init / (1 + r * p)
    return f


def _v_piecewise(a: dict[str, Any]) -> Any:
    import numpy as np

    bs, vs = a["boundaries"], a["values"]
    if not plain(*bs, *vs):
        return None

    def f(t: np.ndarray) -> np.ndarray:
        s = _f(t)
        out = np.zeros(t.shape)
        out = out + np.where(s <= bs[0], float(vs[0]), 0.0)
        out = out + np.where(s > bs[-1], float(vs[-1]), 0.0)
        for low, high, v in zip(bs[:-1], bs[1:], vs[1:-1]):
            out = out + np.where((low < s) & (s <= high), float(v), 0.0)
        return out
    return f


def _v_polynomial(a: dict[str, Any]) -> Any:
    import numpy as np

    init, T, end, power, cycle = (a["initial_learning_rate"], a["decay_steps"],
                                  a["end_learning_rate"], a["power"], a["cycle"])
    if not plain(init, T, end, power):
        return None

    def f(t: np.ndarray) -> np.ndarray:
        s = _f(t)
        d = float(T)
        if cycle:
            mult = np.where(s == 0, 1.0, np.ceil(s / d))
            d = d * mult
        else:
            s = pmin(s, d)
        p = s / d
        return (init - end) * ppow(1 - p, power) + end
    return f


def _v_cosine(a: dict[str, Any]) -> Any:
    import numpy as np

    init, T, alpha, target, W = (a["initial_learning_rate"], a["decay_steps"], a["alpha"],
                                 a["warmup_target"], a["warmup_steps"])
    if not plain(init, T, alpha, W) or (target is not None and not plain(target)):
        return None

    def decay(s: np.ndarray, base: float) -> np.ndarray:
        cos_decayed = 0.5 * (1.0 + cos(math.pi * (s / T)))
        return base * ((1 - alpha) * cos_decayed + alpha)

    def f(t: np.ndarray) -> np.ndarray:
        s = _f(t)
        if target is None:
            return decay(pmin(s, float(T)), init)
        s = pmin(s, float(T + W))
        out = np.empty(t.shape)
        warm = s < W
        out[warm] = (target - init) * (s[warm] / W) + init
        out[~warm] = decay(s[~warm] - W, target)
        return out
    return f


_VECTORS = {"ExponentialDecay": lambda a: _v_decay(a, "exp"),
            "InverseTimeDecay": lambda a: _v_decay(a, "inv"),
            "PiecewiseConstantDecay": _v_piecewise, "PolynomialDecay": _v_polynomial,
            "CosineDecay": _v_cosine}
