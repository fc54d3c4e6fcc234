"""The formula of each native schedule (warmup and hold included) as expressions of a step
variable, in Python (``math``), jax.numpy or keras.ops: its pieces (:data:`Piece`: warmup,
hold, then the schedule's own phases, each with the test that selects it), which a target
writes as ``if`` branches (torch's ``def lr_lambda``), ``where`` calls (a Keras
``__call__``) or one folded expression (an optax ``lambda count``).

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from ...schedules.registry import Spec
from .common import r

# A piece of a schedule: (name, test, value). The value applies where the test holds and
# no earlier piece's did; the last piece's test is None (the rest of the run).
Piece = tuple[str, "str | None", str]

# --------------------------------------------------------------------------------------
# The formula of each native schedule as pieces of a step variable.

class Body:
    """Writes expressions in Python (``py``), jax.numpy (``jnp``, for optax under jit) or
    keras.ops (``keras``, a LearningRateSchedule's ``__call__``)."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.m = {"jnp": "jnp", "keras": "ops"}.get(style, "math")

    @property
    def tensor(self) -> bool:
        return self.style in ("jnp", "keras")

    def fn(self, name: str, *args: str) -> str:
        return f"{self.m}.{name}({', '.join(args)})"

    def floor(self, x: str) -> str:
        return self.fn("floor", x)

    def cond(self, test: str, yes: str, no: str) -> str:
        if self.tensor:
            return f"{self.m}.where({test}, {yes}, {no})"
        return f"({yes} if {test} else {no})"

    def min(self, a: str, b: str) -> str:
        return f"{self.m}.minimum({a}, {b})" if self.tensor else f"min({a}, {b})"

    def max(self, a: str, b: str) -> str:
        return f"{self.m}.maximum({a}, {b})" if self.tensor else f"max({a}, {b})"

    @property
    def pi(self) -> str:
        return "math.pi" if self.style == "keras" else f"{self.m}.pi"


def fold(pieces: list[Piece], b: Body) -> str:
    """The pieces as one expression (nested conditionals)."""
    out = pieces[-1][2]
    for _, test, value in reversed(pieces[:-1]):
        assert test is not None
        out = b.cond(test, value, out)
    return out


def _one(name: str, expr: str) -> list[Piece]:
    return [(name.replace("-", "_"), None, expr)]


def kernel_pieces(spec: Spec, x: str, n: int, b: Body) -> list[Piece]:
    """The schedule's own formula (no warmup or hold) over ``n`` steps, as pieces of ``x``."""
    p = spec.kernel_params()
    name = spec.name
    if name == "step":
        k = f"(1 + {x}) / {p['step_size']}" if p["timing"] == "document" else \
            f"{x} / {p['step_size']}"
        return _one(name, f"{r(p['initial_lr'])} * {r(p['decay_factor'])} ** {b.floor(k)}")
    if name in ("exponential", "natural-exp"):
        k = r(p["decay_rate"])
        return _one(name, f"{r(p['initial_lr'])} * " + b.fn("exp", f"-{k} * {x}"))
    if name == "cosine":
        lo, hi = r(p["lr_min"]), r(p["lr_max"])
        q = _frac(x, n, p["k_decay"])
        return _one(name, f"{lo} + 0.5 * ({hi} - {lo}) * (1 + {b.fn('cos', f'{q} * {b.pi}')})")
    if name == "polynomial":
        return _one(name, f"{r(p['initial_lr'])} * (1 - {_frac(x, n, p['k_decay'])}) ** "
                          f"{r(p['power'])}")
    if name == "stlr":
        cut = math.floor(n * p["cut_frac"])
        ratio, top = r(p["ratio"]), r(p["lr_max"])
        if p["variant"] == "paper":
            down = f"(1 - ({x} - {cut}) / ({cut} * (1 / {r(p['cut_frac'])} - 1)))"
        else:
            down = b.max("0.0", f"1 - ({x} - {cut}) / ({n} - {cut})")
        return [("rise", f"{x} < {cut}", f"{top} * (1 + ({x} / {cut}) * ({ratio} - 1)) / {ratio}"),
                ("fall", None, f"{top} * (1 + {down} * ({ratio} - 1)) / {ratio}")]
    if name == "rex":
        lo, hi = r(p["lr_min"]), r(p["lr_max"])
        return _one(name, f"{lo} + ({hi} - {lo}) * (1 - {x} / {n}) / (1 - {x} / {n} / 2)")
    if name == "noam":
        f, d, w = r(p["factor"]), p["d_model"], p["warmup_steps"]
        if p["convention"] == "paper":
            s = f"({x} + 1)"
            return _one(name, f"{f} * {d} ** -0.5 * {b.min(f'{s} ** -0.5', f'{s} * {w} ** -1.5')}")
        if p["convention"] == "fairseq":
            peak = f"{f} * {d} ** -0.5 * {w} ** -0.5"
            safe = b.max(x, "1.0")
            return [("rise", f"{x} < {w}", f"{peak} * {x} / {w}"),
                    ("decay", None, f"{peak} * {b.fn('sqrt', str(w))} / {b.fn('sqrt', safe)}")]
        return _one(name, f"{f} * {b.min('1.0', f'{x} / {w}')} * {b.max(x, str(w))} ** -0.5 * "
                          f"{d} ** -0.5")
    if name == "rsqrt":
        return _one(name, f"{r(p['factor'])} / {b.fn('sqrt', b.max(x, str(p['warmup_steps'])))}")
    if name == "tri-stage":
        w, h, d, top = p["warmup_steps"], p["hold_steps"], p["decay_steps"], r(p["lr_max"])
        init = r(p["init_lr_scale"] * p["lr_max"])
        final = r(p["final_lr_scale"] * p["lr_max"])
        rate = r((p["lr_max"] - p["init_lr_scale"] * p["lr_max"]) / w) if w else "0.0"
        k = r(-math.log(p["final_lr_scale"]) / d) if d else "0.0"
        decay = f"{top} * {b.fn('exp', f'-{k} * ({x} - {w} - {h})')}"
        return [("warmup", f"{x} < {w}", f"{init} + {x} * {rate}"),
                ("hold", f"{x} < {w + h}", top), ("decay", f"{x} <= {w + h + d}", decay),
                ("tail", None, final)]
    if name in ("hyperbolic", "exp-hyperbolic"):
        u, lo, hi = r(p["upper_bound"]), r(p["lr_min"]), r(p["lr_max"])
        h0 = r(math.sqrt((n / p["upper_bound"]) * (2 - n / p["upper_bound"])))
        hx = b.fn("sqrt", f"(({n} - {x}) / {u}) * (2 - ({n} + {x}) / {u})")
        if name == "hyperbolic":
            return _one(name, f"{hi} + ({hi} - {lo}) * ({hx} - {h0})")
        return _one(name, f"{hi} * ({hi} / {lo}) ** ({hx} - {h0})")
    if name == "fastai-one-cycle":
        pos = f"({x} / {n})"
        pct, top = r(p["pct_start"]), r(p["lr_max"])
        lo, fin = r(p["lr_max"] / p["div"]), r(p["lr_max"] / p["div_final"])

        def sched_cos(a: str, z: str, q: str) -> str:
            return f"{a} + (1 + {b.fn('cos', f'{b.pi} * (1 - {q})')}) * ({z} - {a}) / 2"

        return [("rise", f"{pos} < {pct}", sched_cos(lo, top, f"({pos} / {pct})")),
                ("fall", None, sched_cos(top, fin, f"(({pos} - {pct}) / (1 - {pct}))"))]
    if name == "inverse-time":
        q = f"{x} / {p['decay_steps']}"
        if p["staircase"]:
            q = b.floor(q)
        return _one(name, f"{r(p['initial_lr'])} / (1 + {r(p['decay_rate'])} * {q})")
    if name == "staircase-exp":
        k = f"(1 + {x}) / {p['step_size']}" if p["timing"] == "document" else \
            f"{x} / {p['step_size']}"
        rate = r(p["decay_rate"])
        return _one(name, f"{r(p['initial_lr'])} * " + b.fn("exp", f"-{rate} * {b.floor(k)}"))
    if name == "cyclic":
        return _cyclic_pieces(p, x, b)
    if name == "sgdr":
        return _sgdr_pieces(p, x, n, b)
    if name == "linear":
        sf, ef, T = r(p["start_factor"]), r(p["end_factor"]), p["total_iters"]
        return _one(name, f"{r(p['initial_lr'])} * ({sf} + ({ef} - {sf}) * {b.min(str(T), x)} / "
                          f"{T})")
    if name == "constant":
        f, T = r(p["factor"]), p["total_iters"]
        if not T:
            return _one(name, r(p["initial_lr"]))
        return [("scaled", f"{x} < {T}", f"{r(p['initial_lr'])} * {f}"),
                ("constant", None, r(p["initial_lr"]))]
    if name == "inverse-sqrt":
        tau = p["timescale"]
        return _one(name, f"{r(p['initial_lr'])} * "
                          f"{b.fn('sqrt', f'{tau} / {b.max(x, str(tau))}')}")
    if name == "wsd":
        lo, hi, D = r(p["lr_min"]), r(p["lr_max"]), p["decay_steps"]
        d0 = n - D
        pp = f"({b.max(f'{x} - {d0}', '0')} / {D})"
        f = {"linear": f"(1 - {pp})", "cosine": f"0.5 * (1 + {b.fn('cos', f'{b.pi} * {pp}')})",
             "1-sqrt": f"(1 - {b.fn('sqrt', pp)})"}[p["decay_shape"]]
        return [("stable", f"{x} < {d0}", hi), ("decay", None, f"{lo} + ({hi} - {lo}) * {f}")]
    if name == "multistep":
        counts: dict[int, int] = {}
        for m in p["milestones"]:
            counts[m] = counts.get(m, 0) + 1
        lr, g = r(p["initial_lr"]), r(p["gamma"])
        out: list[Piece] = []
        k = 0
        for m in sorted(counts):
            out.append((f"stage_{len(out)}", f"{x} < {m}", lr if not k else f"{lr} * {g} ** {k}"))
            k += counts[m]
        out.append((f"stage_{len(out)}", None, lr if not k else f"{lr} * {g} ** {k}"))
        return out
    if name == "one-cycle":
        return _one_cycle_pieces(p, x, n, b)
    raise UsageError(f"{name}: no formula to write as code")  # plateau: class only


def _frac(x: str, n: int, k: float) -> str:
    """``t / N`` or, with k-decay, ``t ** k / N ** k``."""
    return f"{x} / {n}" if k == 1.0 else f"{x} ** {r(k)} / {n} ** {r(k)}"


def _cyclic_pieces(p: dict[str, Any], x: str, b: Body) -> list[Piece]:
    up = p["step_size"]
    down = up if p["step_size_down"] is None else p["step_size_down"]
    tot, ratio = float(up + down), float(up) / float(up + down)
    lo, hi = r(p["lr_min"]), r(p["lr_max"])
    cycle = b.floor(f"1 + {x} / {r(tot)}")
    xx = f"(1.0 + {x} / {r(tot)} - {cycle})"
    scale = {"triangular": "1.0", "triangular2": f"1 / (2.0 ** ({cycle} - 1))",
             "exp_range": f"{r(p['gamma'])} ** {x}"}[p["mode"]]
    rise = f"{lo} + ({hi} - {lo}) * ({xx} / {r(ratio)}) * {scale}"
    fall = f"{lo} + ({hi} - {lo}) * (({xx} - 1) / ({r(ratio)} - 1)) * {scale}"
    return [("rise", f"{xx} <= {r(ratio)}", rise), ("fall", None, fall)]


def _sgdr_pieces(p: dict[str, Any], x: str, n: int, b: Body) -> list[Piece]:
    t0, m, lo, hi, dec = p["t0"], p["t_mult"], p["lr_min"], p["lr_max"], p["restart_decay"]
    starts, lengths = [0], [t0]
    while starts[-1] + lengths[-1] < n:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * m)

    def one(c: int) -> str:
        peak = r(lo + (hi - lo) * dec ** c) if dec != 1.0 else r(hi)
        tc = f"({x} - {starts[c]})" if starts[c] else x
        cos = b.fn("cos", f"{b.pi} * {tc} / {lengths[c]}")
        return f"{r(lo)} + ({peak} - {r(lo)}) * (1 + {cos}) / 2"
    last = len(starts) - 1
    return [(f"cycle_{c}", f"{x} < {starts[c + 1]}" if c < last else None, one(c))
            for c in range(last + 1)]


def _one_cycle_pieces(p: dict[str, Any], x: str, n: int, b: Body) -> list[Piece]:
    from ...schedules.kernels import one_cycle_phases

    phases = one_cycle_phases(n, p["max_lr"], p["pct_start"], p["div_factor"],
                              p["final_div_factor"], p["three_phase"])
    out: list[Piece] = []
    start = 0.0
    for i, (end, a, z) in enumerate(phases):
        pct = f"(({x} - {r(start)}) / ({r(end)} - {r(start)}))"
        if p["anneal_strategy"] == "cos":
            cos = b.fn("cos", f"{b.pi} * {pct}")
            value = f"{r(z)} + ({r(a)} - {r(z)}) / 2.0 * ({cos} + 1)"
        else:
            value = f"({r(z)} - {r(a)}) * {pct} + {r(a)}"
        out.append((f"phase_{i + 1}", f"{x} <= {r(end)}" if i < len(phases) - 1 else None,
                    value))
        start = end
    return out


@dataclass
class Plan:
    """A schedule as pieces: the warmup and hold (``pre``, tests on the run's step), then the
    main schedule's pieces (``main(x)``, of its own step ``x`` = the run's step - ``shift``,
    over ``kernel_n`` steps)."""

    pre: list[Piece]
    shift: int
    kernel_n: int
    main: Callable[[str], list[Piece]]
    first: float  # the main schedule's first value (where the hold holds)
    target: float  # where the warmup ends


def plan(spec: Spec, b: Body, var: str) -> Plan:
    """The pieces of ``spec`` (warmup and hold included), tests on ``var``."""
    w, hold, kn = spec.warmup, spec.hold, spec.kernel_n
    prefix = spec.warmup_mode == "prefix" or not w
    shift = (w if prefix else 0) + hold

    def main(x: str) -> list[Piece]:
        return kernel_pieces(spec, x, kn, b)
    if not w and not hold:
        return Plan([], 0, kn, main, math.nan, math.nan)
    from ...schedules.compose import schedule_values

    first = float(schedule_values(without_warmup(spec, kn))[0])
    pre: list[Piece] = []
    target = math.nan
    if w:
        values = schedule_values(spec)
        target = float(values[w]) if not prefix and spec.warmup_target != "peak" else first
        pre.append(("warmup", f"{var} < {w}", warmup_ramp(spec, var, target, b)))
    if hold:
        pre.append(("hold", f"{var} < {w + hold}", r(first)))
    return Plan(pre, shift, kn, main, first, target)


def warmup_ramp(spec: Spec, var: str, target: float, b: Body) -> str:
    """The warmup's value at ``var`` (< W), from warmup_start to ``target`` (from 0, the
    ``0.0 + (target - 0.0) *`` is left out: the same number)."""
    w, s, tg = spec.warmup, r(spec.warmup_start), r(target)
    q = f"({var} / {w})"
    log_q = f"({b.fn('log', f'{var} + 1')} / {b.fn('log', str(w + 1))})"
    scale = f"{tg} * " if spec.warmup_start == 0.0 else f"{s} + ({tg} - {s}) * "
    return {"linear": f"{scale}{q}",
            "cosine": f"{scale}(1 - {b.fn('cos', f'{b.pi} * {q}')}) / 2",
            "exponential": f"{s} * ({tg} / {s}) ** {q}",
            "log": f"{scale}{log_q}"}[spec.warmup_shape]


def shift_note(spec: Spec, p: Plan) -> str:
    """What the main schedule's step is: ``cosine runs over the 70 steps after the warmup``."""
    after = " and the ".join(w for w, k in (("warmup", p.shift - spec.hold), ("hold", spec.hold))
                             if k)
    return f"{spec.name} runs over the {p.kernel_n} steps after the {after}"


def schedule_pieces(spec: Spec, b: Body, var: str = "t") -> list[Piece]:
    """The whole schedule as pieces of ``var`` (the main schedule's step written inline)."""
    p = plan(spec, b, var)
    return p.pre + p.main(f"({var} - {p.shift})" if p.shift else var)


def schedule_body(spec: Spec, b: Body, var: str = "t") -> str:
    """The whole schedule (warmup included) as one expression of ``var``."""
    return fold(schedule_pieces(spec, b, var), b)


def without_warmup(spec: Spec, n: int) -> Spec:
    """The main schedule alone, over ``n`` steps."""
    return spec.replace(n=n, warmup=0, hold=0, start=0, per_epoch=False)
