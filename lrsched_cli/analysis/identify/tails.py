"""Held tails (a decay that ends before the log does, its value held after), written as the
optax schedules that compute them and checked with lrsched's optax dialect.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports render or commands. Of sources, only the optax dialect (inside a
function).
"""

from __future__ import annotations

import math

import numpy as np

from ...errors import UsageError
from .candidate import Candidate, _fmt
from .evaluate import _max_rel


def _tail_expr(c: Candidate, steps: np.ndarray, values: np.ndarray, budget: float) -> str:
    """The optax schedule of a decay that ends at step ``c.end`` and holds its value."""
    p, w = c.params, c.run.get("warmup", 0)
    start = c.run.get("warmup_start", 0.0)
    main_n = c.end - w if c.end is not None else 0
    f = _fmt

    def ramp(peak: float) -> str:
        return (f"optax.linear_schedule(init_value={f(float(start))}, end_value={f(peak)}, "
                f"transition_steps={w})")

    if c.schedule == "cosine":
        lo, hi = p["lr_min"], p["lr_max"]
        if w:
            return (f"warmup_cosine_decay_schedule(init_value={f(float(start))}, "
                    f"peak_value={f(hi)}, warmup_steps={w}, decay_steps={c.end}, "
                    f"end_value={f(lo)})")
        alpha = _short_alpha(lo, hi, main_n, steps, values, budget)
        return (f"cosine_decay_schedule(init_value={f(hi)}, decay_steps={main_n}, "
                f"alpha={f(alpha)})")
    if c.schedule == "polynomial":
        lr0 = p["initial_lr"]
        body = (f"polynomial_schedule(init_value={f(lr0)}, end_value=0.0, "
                f"power={f(p['power'])}, transition_steps={main_n})")
        if not w:
            return body
        return f"join_schedules(schedules=[{ramp(lr0)}, optax.{body}], boundaries=[{w}])"
    if c.schedule == "wsd":
        hi, lo, D = p["lr_max"], p["lr_min"], p["decay_steps"]
        if p["decay_shape"] == "linear":
            decay = (f"optax.linear_schedule(init_value={f(hi)}, end_value={f(lo)}, "
                     f"transition_steps={D})")
        elif p["decay_shape"] == "cosine":
            decay = (f"optax.cosine_decay_schedule(init_value={f(hi)}, decay_steps={D}, "
                     f"alpha={f(_shortest(lo / hi, budget / 4))})")
        else:
            raise ValueError("no optax schedule decays as 1 - sqrt")
        parts = ([ramp(hi)] if w else []) + [f"optax.constant_schedule(value={f(hi)})", decay]
        bounds = ([w] if w else []) + [w + main_n - D]
        return (f"join_schedules(schedules=[{', '.join(parts)}], "
                f"boundaries=[{', '.join(str(b) for b in bounds)}])")
    raise ValueError(f"{c.schedule} has no held tail")


def _shortest(x: float, rel: float) -> float:
    """The shortest decimal within ``rel`` (relative) of ``x``."""
    for digits in range(1, 18):
        y = float(f"{x:.{digits}g}")
        if abs(y - x) <= rel * abs(x):
            return y
    return x


def _short_alpha(lo: float, hi: float, n: int, steps: np.ndarray, values: np.ndarray,
                 budget: float) -> float:
    """The shortest decimal alpha for which optax's cosine_decay_schedule stays within
    ``budget`` of the log (its formula, in numpy, for the search)."""
    c = np.minimum(steps.astype(np.float64), float(n))
    cd = 0.5 * (1 + np.cos(np.pi * c / float(n)))
    exact = lo / hi
    for digits in range(1, 18):
        a = float(f"{exact:.{digits}g}")
        if _max_rel(hi * ((1 - a) * cd + a), values) <= budget:
            return a
    return exact


def optax_values(expr: str, steps: np.ndarray) -> np.ndarray:
    """An optax schedule's values at ``steps``, computed by lrsched's optax dialect (the
    function ``lrsched export optax EXPR`` evaluates at each step)."""
    from ...sources.dialects.optax import DIALECT, build

    f = build(DIALECT.parse(expr))
    return np.array([float(f(int(s))) for s in steps], dtype=np.float64)


def _tail_words(c: Candidate, steps: np.ndarray, values: np.ndarray, budget: float) -> None:
    try:
        expr = _tail_expr(c, steps, values, budget)
        got = optax_values(expr, steps)
    except (UsageError, ValueError, ZeroDivisionError, OverflowError):
        c.max_rel = math.inf
        return
    c.max_rel = _max_rel(got, values)
    c.words = ["optax", expr, "--steps", str(int(steps[-1]) + 1)]
