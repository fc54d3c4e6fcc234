"""The formula of each native schedule (warmup and hold included) as one expression of a
step variable, in Python (``math``) or jax.numpy: the lambda a target writes when none of
its classes computes the spec.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import UsageError
from ...schedules.registry import Spec
from .common import r

# --------------------------------------------------------------------------------------
# The formula of each native schedule as a Python expression of a step variable.

class Body:
    """Writes expressions in Python (``py``) or jax.numpy (``jnp``, for optax under jit)."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.m = "jnp" if style == "jnp" else "math"

    def fn(self, name: str, *args: str) -> str:
        return f"{self.m}.{name}({', '.join(args)})"

    def floor(self, x: str) -> str:
        return self.fn("floor", x)

    def cond(self, test: str, yes: str, no: str) -> str:
        if self.style == "jnp":
            return f"jnp.where({test}, {yes}, {no})"
        return f"({yes} if {test} else {no})"

    def min(self, a: str, b: str) -> str:
        return f"jnp.minimum({a}, {b})" if self.style == "jnp" else f"min({a}, {b})"

    def max(self, a: str, b: str) -> str:
        return f"jnp.maximum({a}, {b})" if self.style == "jnp" else f"max({a}, {b})"

    @property
    def pi(self) -> str:
        return f"{self.m}.pi"


def _kernel_body(spec: Spec, x: str, n: int, b: Body) -> str:
    p = spec.kernel_params()
    name = spec.name
    if name == "step":
        k = f"(1 + {x}) / {p['step_size']}" if p["timing"] == "document" else \
            f"{x} / {p['step_size']}"
        return f"{r(p['initial_lr'])} * {r(p['decay_factor'])} ** {b.floor(k)}"
    if name in ("exponential", "natural-exp"):
        k = r(p["decay_rate"])
        return f"{r(p['initial_lr'])} * " + b.fn("exp", f"-{k} * {x}")
    if name == "cosine":
        lo, hi = r(p["lr_min"]), r(p["lr_max"])
        q = _frac(x, n, p["k_decay"])
        return f"{lo} + 0.5 * ({hi} - {lo}) * (1 + {b.fn('cos', f'{q} * {b.pi}')})"
    if name == "polynomial":
        return f"{r(p['initial_lr'])} * (1 - {_frac(x, n, p['k_decay'])}) ** {r(p['power'])}"
    if name == "stlr":
        cut = math.floor(n * p["cut_frac"])
        ratio, top = r(p["ratio"]), r(p["lr_max"])
        if p["variant"] == "paper":
            down = f"(1 - ({x} - {cut}) / ({cut} * (1 / {r(p['cut_frac'])} - 1)))"
        else:
            down = b.max("0.0", f"1 - ({x} - {cut}) / ({n} - {cut})")
        prog = b.cond(f"{x} < {cut}", f"{x} / {cut}", down)
        return f"{top} * (1 + {prog} * ({ratio} - 1)) / {ratio}"
    if name == "rex":
        lo, hi = r(p["lr_min"]), r(p["lr_max"])
        return f"{lo} + ({hi} - {lo}) * (1 - {x} / {n}) / (1 - {x} / {n} / 2)"
    if name == "noam":
        f, d, w = r(p["factor"]), p["d_model"], p["warmup_steps"]
        if p["convention"] == "paper":
            s = f"({x} + 1)"
            return f"{f} * {d} ** -0.5 * {b.min(f'{s} ** -0.5', f'{s} * {w} ** -1.5')}"
        if p["convention"] == "fairseq":
            peak = f"{f} * {d} ** -0.5 * {w} ** -0.5"
            safe = b.max(x, "1.0")
            return b.cond(f"{x} < {w}", f"{peak} * {x} / {w}",
                          f"{peak} * {b.fn('sqrt', str(w))} / {b.fn('sqrt', safe)}")
        return (f"{f} * {b.min('1.0', f'{x} / {w}')} * {b.max(x, str(w))} ** -0.5 * "
                f"{d} ** -0.5")
    if name == "rsqrt":
        return f"{r(p['factor'])} / {b.fn('sqrt', b.max(x, str(p['warmup_steps'])))}"
    if name == "tri-stage":
        w, h, d, top = p["warmup_steps"], p["hold_steps"], p["decay_steps"], r(p["lr_max"])
        init = r(p["init_lr_scale"] * p["lr_max"])
        final = r(p["final_lr_scale"] * p["lr_max"])
        rate = r((p["lr_max"] - p["init_lr_scale"] * p["lr_max"]) / w) if w else "0.0"
        k = r(-math.log(p["final_lr_scale"]) / d) if d else "0.0"
        decay = f"{top} * {b.fn('exp', f'-{k} * ({x} - {w} - {h})')}"
        return b.cond(f"{x} < {w}", f"{init} + {x} * {rate}",
                      b.cond(f"{x} < {w + h}", top,
                             b.cond(f"{x} <= {w + h + d}", decay, final)))
    if name in ("hyperbolic", "exp-hyperbolic"):
        u, lo, hi = r(p["upper_bound"]), r(p["lr_min"]), r(p["lr_max"])
        h0 = r(math.sqrt((n / p["upper_bound"]) * (2 - n / p["upper_bound"])))
        hx = b.fn("sqrt", f"(({n} - {x}) / {u}) * (2 - ({n} + {x}) / {u})")
        if name == "hyperbolic":
            return f"{hi} + ({hi} - {lo}) * ({hx} - {h0})"
        return f"{hi} * ({hi} / {lo}) ** ({hx} - {h0})"
    if name == "fastai-one-cycle":
        pos = f"({x} / {n})"
        pct, top = r(p["pct_start"]), r(p["lr_max"])
        lo, fin = r(p["lr_max"] / p["div"]), r(p["lr_max"] / p["div_final"])

        def sched_cos(a: str, z: str, q: str) -> str:
            return f"{a} + (1 + {b.fn('cos', f'{b.pi} * (1 - {q})')}) * ({z} - {a}) / 2"

        return b.cond(f"{pos} < {pct}", sched_cos(lo, top, f"({pos} / {pct})"),
                      sched_cos(top, fin, f"(({pos} - {pct}) / (1 - {pct}))"))
    if name == "inverse-time":
        q = f"{x} / {p['decay_steps']}"
        if p["staircase"]:
            q = b.floor(q)
        return f"{r(p['initial_lr'])} / (1 + {r(p['decay_rate'])} * {q})"
    if name == "staircase-exp":
        k = f"(1 + {x}) / {p['step_size']}" if p["timing"] == "document" else \
            f"{x} / {p['step_size']}"
        rate = r(p["decay_rate"])
        return f"{r(p['initial_lr'])} * " + b.fn("exp", f"-{rate} * {b.floor(k)}")
    if name == "cyclic":
        up = p["step_size"]
        down = up if p["step_size_down"] is None else p["step_size_down"]
        tot, ratio = float(up + down), float(up) / float(up + down)
        lo, hi = r(p["lr_min"]), r(p["lr_max"])
        cycle = b.floor(f"1 + {x} / {r(tot)}")
        xx = f"(1.0 + {x} / {r(tot)} - {cycle})"
        factor = b.cond(f"{xx} <= {r(ratio)}", f"{xx} / {r(ratio)}",
                        f"({xx} - 1) / ({r(ratio)} - 1)")
        scale = {"triangular": "1.0", "triangular2": f"1 / (2.0 ** ({cycle} - 1))",
                 "exp_range": f"{r(p['gamma'])} ** {x}"}[p["mode"]]
        return f"{lo} + ({hi} - {lo}) * {factor} * {scale}"
    if name == "sgdr":
        return _sgdr_body(p, x, n, b)
    if name == "linear":
        sf, ef, T = r(p["start_factor"]), r(p["end_factor"]), p["total_iters"]
        return f"{r(p['initial_lr'])} * ({sf} + ({ef} - {sf}) * {b.min(str(T), x)} / {T})"
    if name == "constant":
        f, T = r(p["factor"]), p["total_iters"]
        return f"{r(p['initial_lr'])} * {b.cond(f'{x} >= {T}', '1.0', f)}"
    if name == "inverse-sqrt":
        tau = p["timescale"]
        return f"{r(p['initial_lr'])} * {b.fn('sqrt', f'{tau} / {b.max(x, str(tau))}')}"
    if name == "wsd":
        lo, hi, D = r(p["lr_min"]), r(p["lr_max"]), p["decay_steps"]
        d0 = n - D
        pp = f"({b.max(f'{x} - {d0}', '0')} / {D})"
        f = {"linear": f"(1 - {pp})", "cosine": f"0.5 * (1 + {b.fn('cos', f'{b.pi} * {pp}')})",
             "1-sqrt": f"(1 - {b.fn('sqrt', pp)})"}[p["decay_shape"]]
        return b.cond(f"{x} < {d0}", hi, f"{lo} + ({hi} - {lo}) * {f}")
    if name == "multistep":
        out = r(p["initial_lr"])
        for m in sorted(p["milestones"]):
            out = b.cond(f"{x} >= {m}", f"{out} * {r(p['gamma'])}", out)
        return out
    if name == "one-cycle":
        return _one_cycle_body(p, x, n, b)
    raise UsageError(f"{name}: no formula to write as code")  # plateau: class only


def _frac(x: str, n: int, k: float) -> str:
    """``t / N`` or, with k-decay, ``t ** k / N ** k``."""
    return f"{x} / {n}" if k == 1.0 else f"{x} ** {r(k)} / {n} ** {r(k)}"


def _sgdr_body(p: dict[str, Any], x: str, n: int, b: Body) -> str:
    t0, m, lo, hi, dec = p["t0"], p["t_mult"], p["lr_min"], p["lr_max"], p["restart_decay"]
    starts, lengths = [0], [t0]
    while starts[-1] + lengths[-1] < n:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * m)

    def one(c: int) -> str:
        peak = r(lo + (hi - lo) * dec ** c) if dec != 1.0 else r(hi)
        tc = f"({x} - {starts[c]})"
        cos = b.fn("cos", f"{b.pi} * {tc} / {lengths[c]}")
        return f"{r(lo)} + ({peak} - {r(lo)}) * (1 + {cos}) / 2"
    out = one(len(starts) - 1)
    for c in range(len(starts) - 2, -1, -1):
        out = b.cond(f"{x} < {starts[c + 1]}", one(c), out)
    return out


def _one_cycle_body(p: dict[str, Any], x: str, n: int, b: Body) -> str:
    from ...schedules.kernels import one_cycle_phases

    phases = one_cycle_phases(n, p["max_lr"], p["pct_start"], p["div_factor"],
                              p["final_div_factor"], p["three_phase"])
    parts = []
    start = 0.0
    for end, a, z in phases:
        pct = f"(({x} - {r(start)}) / ({r(end)} - {r(start)}))"
        if p["anneal_strategy"] == "cos":
            cos = b.fn("cos", f"{b.pi} * {pct}")
            parts.append((end, f"{r(z)} + ({r(a)} - {r(z)}) / 2.0 * ({cos} + 1)"))
        else:
            parts.append((end, f"({r(z)} - {r(a)}) * {pct} + {r(a)}"))
        start = end
    out = parts[-1][1]
    for end, expr in reversed(parts[:-1]):
        out = b.cond(f"{x} <= {r(end)}", expr, out)
    return out


def schedule_body(spec: Spec, b: Body, var: str = "t") -> str:
    """The whole schedule (warmup included) as an expression of ``var``."""
    w, n, hold = spec.warmup, spec.n, spec.hold
    if not w and not hold:
        return _kernel_body(spec, var, n, b)
    from ...schedules.compose import schedule_values

    prefix = spec.warmup_mode == "prefix" or not w
    shift = (w if prefix else 0) + hold
    main = _kernel_body(spec, f"({var} - {shift})" if shift else var, spec.kernel_n, b)
    first = float(schedule_values(_without_warmup(spec, spec.kernel_n))[0])
    if hold:
        main = b.cond(f"{var} < {w + hold}", r(first), main)
    if not w:
        return main
    values = schedule_values(spec)
    target = float(values[w]) if not prefix and spec.warmup_target != "peak" else first
    s, tg = r(spec.warmup_start), r(target)
    q = f"({var} / {w})"
    log_q = f"({b.fn('log', f'{var} + 1')} / {b.fn('log', str(w + 1))})"
    ramp = {"linear": f"{s} + ({tg} - {s}) * {q}",
            "cosine": f"{s} + ({tg} - {s}) * (1 - {b.fn('cos', f'{b.pi} * {q}')}) / 2",
            "exponential": f"{s} * ({tg} / {s}) ** {q}",
            "log": f"{s} + ({tg} - {s}) * {log_q}"}[spec.warmup_shape]
    return b.cond(f"{var} < {w}", ramp, main)


def _without_warmup(spec: Spec, n: int) -> Spec:
    return spec.replace(n=n, warmup=0, hold=0, start=0, per_epoch=False)
