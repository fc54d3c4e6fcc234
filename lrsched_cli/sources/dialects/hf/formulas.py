"""hf's schedules as transformers writes them: each ``get_*_schedule`` builds the lambda of a
torch ``LambdaLR`` (``lr[i] = base_lr * lambda(i)``), here a function of ``(arguments,
lr0)`` giving that lambda, Python floats, operation for operation as transformers does (the
scalar reference; their numpy twins are in ``twins``).

Imports only the dialects' ``base``: never the rest of ``lrsched_cli.sources``, never typer,
click, rich, plotext or matplotlib (not even inside a function), nor numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..base import FrameworkError

Lam = Callable[[int], float]

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
