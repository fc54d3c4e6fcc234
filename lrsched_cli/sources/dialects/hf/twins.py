"""The numpy twins of hf's lambdas (``formulas``), for plain-number arguments: the same
operations in the same order, Python's max() as pmax, ``**`` as ppow, math.cos as cos,
each branch computed only where it is taken; ``_VECTORS`` maps each lambda builder to its
twin.

Imports only the dialects' ``arith`` and this package's ``formulas`` (numpy inside
functions): never the rest of ``lrsched_cli.sources``, never typer, click, rich, plotext or
matplotlib (not even inside a function).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ..arith import cos, plain, pmax, ppow
from .formulas import (
    _min_lr_rate,
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

Vec = Callable[["np.ndarray"], "np.ndarray"]


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
