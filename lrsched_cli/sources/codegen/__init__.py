"""``lrsched code``: a runnable snippet that builds a native schedule in a framework.

A standard class or function where one computes the same values; otherwise a lambda
with the schedule's formula (torch ``LambdaLR``, an optax ``lambda count: ...``), or,
for Keras, its values step by step (``PiecewiseConstantDecay``). Each snippet's schedule
expression parses back with the matching dialect to the same values (tested for every
native schedule).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from ...schedules.registry import Spec

FRAMEWORKS = ("torch", "hf", "optax", "keras")
KERAS_MAX_VALUES = 2000


@dataclass(frozen=True)
class Snippet:
    """The code, and the schedule expression in it with how to evaluate it."""

    text: str
    dialect: str  # which lrsched dialect reads ``expr`` back
    expr: str
    base_lr: float  # the optimizer lr the snippet sets (1.0 where it does not matter)


def r(x: float) -> str:
    """A float literal that parses back to exactly ``x``."""
    return repr(float(x))


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


# --------------------------------------------------------------------------------------
# Standard classes where one fits.

def _kv(**kw: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in kw.items())


def _c(name: str, **kw: Any) -> str:
    """``name(k=v, ...)`` with the values already written as code."""
    return f"{name}({_kv(**kw)})"


def _with_optimizer(expr: str) -> str:
    """``f(a=1)`` -> ``f(optimizer, a=1)``; ``f()`` -> ``f(optimizer)``."""
    if expr.endswith("()"):
        return expr[:-1] + "optimizer)"
    return expr.replace("(", "(optimizer, ", 1)


def _beyond_classes(spec: Spec) -> bool:
    """A hold or a k-decay: no framework class computes these (the formula is written)."""
    return bool(spec.hold) or spec.params.get("k_decay", 1.0) != 1.0


def _linear_prefix_warmup(spec: Spec) -> bool:
    """No warmup, or the linear prefix warmup the frameworks' warmup classes compute."""
    return not spec.warmup or (spec.warmup_mode == "prefix" and spec.warmup_shape == "linear")


def _torch_standard(spec: Spec) -> tuple[str, float] | None:
    """(expression without the optimizer, optimizer lr) of a torch class, if one fits."""
    if spec.warmup or _beyond_classes(spec):
        return None
    p, n, name = spec.kernel_params(), spec.n, spec.name
    if name == "step" and p["timing"] == "torch":
        return f"StepLR({_kv(step_size=p['step_size'], gamma=r(p['decay_factor']))})", \
            p["initial_lr"]
    if name == "cosine":
        return f"CosineAnnealingLR({_kv(T_max=n, eta_min=r(p['lr_min']))})", p["lr_max"]
    if name == "polynomial":
        return f"PolynomialLR({_kv(total_iters=n, power=r(p['power']))})", p["initial_lr"]
    if name == "multistep":
        ms = "[" + ", ".join(str(m) for m in p["milestones"]) + "]"
        return f"MultiStepLR({_kv(milestones=ms, gamma=r(p['gamma']))})", p["initial_lr"]
    if name == "linear" and 0 < p["start_factor"] <= 1 and 0 <= p["end_factor"] <= 1:
        return _c("LinearLR", start_factor=r(p["start_factor"]), end_factor=r(p["end_factor"]),
                  total_iters=p["total_iters"]), p["initial_lr"]
    if name == "constant" and (p["total_iters"] > 0 or p["factor"] == 1.0):
        return f"ConstantLR({_kv(factor=r(p['factor']), total_iters=p['total_iters'])})", \
            p["initial_lr"]
    if name == "cyclic":
        down = "None" if p["step_size_down"] is None else p["step_size_down"]
        return _c("CyclicLR", base_lr=r(p["lr_min"]), max_lr=r(p["lr_max"]),
                  step_size_up=p["step_size"], step_size_down=down, mode=repr(p["mode"]),
                  gamma=r(p["gamma"])), p["lr_min"]
    if name == "sgdr" and p["restart_decay"] == 1.0:
        return _c("CosineAnnealingWarmRestarts", T_0=p["t0"], T_mult=p["t_mult"],
                  eta_min=r(p["lr_min"])), p["lr_max"]
    if name == "one-cycle":
        return _c("OneCycleLR", max_lr=r(p["max_lr"]), total_steps=n,
                  pct_start=r(p["pct_start"]), anneal_strategy=repr(p["anneal_strategy"]),
                  div_factor=r(p["div_factor"]), final_div_factor=r(p["final_div_factor"]),
                  three_phase=p["three_phase"]), p["max_lr"]
    if name == "plateau":
        kw = {k: (repr(v) if isinstance(v, str) else r(v) if isinstance(v, float) else v)
              for k, v in p.items() if k not in ("initial_lr", "metrics")}
        return f"ReduceLROnPlateau({_kv(**kw)})", p["initial_lr"]
    return None


def _torch(spec: Spec) -> Snippet:
    std = _torch_standard(spec)
    if std is not None:
        expr, lr = std
        note = ""
    else:
        expr = f"LambdaLR(lr_lambda=lambda t: {schedule_body(spec, Body('py'))})"
        lr = 1.0
        note = ("# No torch class computes this schedule: LambdaLR multiplies the optimizer's lr "
                "(1.0 here)\n# by the lambda, which returns the learning rate itself.\n")
    loop = ("for epoch, metric in enumerate(val_losses):  # one metric per epoch\n"
            "    ...  # train one epoch\n    scheduler.step(metric)\n"
            if spec.name == "plateau" else
            f"for step in range({spec.n}):\n    ...  # forward, backward\n"
            "    optimizer.step()\n    scheduler.step()\n")
    text = ("import math\n" if "math." in expr else "") + (
        "import torch\nfrom torch.optim.lr_scheduler import *  # noqa: F403\n\n"
        f"optimizer = torch.optim.SGD(model.parameters(), lr={r(lr)})\n{note}"
        f"scheduler = {_with_optimizer(expr)}\n{loop}")
    return Snippet(text=text, dialect="torch", expr=expr, base_lr=lr)


def _hf(spec: Spec) -> Snippet:
    p, n, name, w = spec.kernel_params(), spec.n, spec.name, spec.warmup
    warm_ok = (_linear_prefix_warmup(spec) and (not w or spec.warmup_start == 0.0)
               and not _beyond_classes(spec))
    expr = lr = None
    if warm_ok and name == "cosine":
        if p["lr_min"] == 0.0:
            expr = _c("get_cosine_schedule_with_warmup", num_warmup_steps=w,
                      num_training_steps=n)
        else:
            expr = ("get_cosine_with_min_lr_schedule_with_warmup("
                    f"{_kv(num_warmup_steps=w, num_training_steps=n, min_lr=r(p['lr_min']))})")
        lr = p["lr_max"]
    elif warm_ok and name == "constant" and p["factor"] == 1.0:
        expr = (f"get_constant_schedule_with_warmup({_kv(num_warmup_steps=w)})" if w
                else "get_constant_schedule()")
        lr = p["initial_lr"]
    elif warm_ok and name == "linear" and p["start_factor"] == 1.0 and p["end_factor"] == 0.0 \
            and p["total_iters"] == n - w:
        expr = f"get_linear_schedule_with_warmup({_kv(num_warmup_steps=w, num_training_steps=n)})"
        lr = p["initial_lr"]
    elif warm_ok and name == "polynomial":
        expr = _c("get_polynomial_decay_schedule_with_warmup", num_warmup_steps=w,
                  num_training_steps=n, lr_end=0.0, power=r(p["power"]))
        lr = p["initial_lr"]
    elif warm_ok and name == "wsd" and p["lr_min"] == 0.0:
        expr = ("get_wsd_schedule(" + _kv(num_warmup_steps=w, num_decay_steps=p["decay_steps"],
                                          num_training_steps=n, decay_type=repr(p["decay_shape"]))
                + ")")
        lr = p["lr_max"]
    if expr is None:
        snip = _torch(spec)
        return Snippet(text="# transformers has no function for this schedule; the Trainer "
                            "accepts a torch scheduler:\n" + snip.text
                            + "# trainer = Trainer(..., optimizers=(optimizer, scheduler))\n",
                       dialect="torch", expr=snip.expr, base_lr=snip.base_lr)
    text = ("import torch\nimport transformers\n\n"
            f"optimizer = torch.optim.AdamW(model.parameters(), lr={r(lr)})\n"
            f"scheduler = transformers.{_with_optimizer(expr)}\n"
            "# trainer = Trainer(..., optimizers=(optimizer, scheduler)), or step it yourself:\n"
            f"for step in range({n}):\n    ...\n    optimizer.step()\n    scheduler.step()\n")
    return Snippet(text=text, dialect="hf", expr=expr, base_lr=lr)


def _optax(spec: Spec) -> Snippet:
    p, n, name, w = spec.kernel_params(), spec.n, spec.name, spec.warmup
    expr = None
    if _beyond_classes(spec):
        name = "(lambda)"  # no optax schedule has these: fall through to the formula
    if name == "cosine" and _linear_prefix_warmup(spec):
        if w:
            expr = ("warmup_cosine_decay_schedule(" + _kv(
                init_value=r(spec.warmup_start), peak_value=r(p["lr_max"]), warmup_steps=w,
                decay_steps=n, end_value=r(p["lr_min"])) + ")")
        else:
            expr = ("cosine_decay_schedule(" + _kv(init_value=r(p["lr_max"]), decay_steps=n,
                                                   alpha=r(p["lr_min"] / p["lr_max"])) + ")")
    elif not w and name == "polynomial":
        expr = ("polynomial_schedule(" + _kv(init_value=r(p["initial_lr"]), end_value=0.0,
                                             power=r(p["power"]), transition_steps=n) + ")")
    elif not w and name == "step" and p["timing"] == "torch":
        expr = ("exponential_decay(" + _kv(init_value=r(p["initial_lr"]),
                                           transition_steps=p["step_size"],
                                           decay_rate=r(p["decay_factor"]), staircase=True) + ")")
    elif not w and name == "multistep":
        scales: dict[int, float] = {}
        for m in p["milestones"]:
            scales[m] = scales.get(m, 1.0) * p["gamma"]
        body = ", ".join(f"{m}: {r(s)}" for m, s in sorted(scales.items()))
        expr = f"piecewise_constant_schedule(init_value={r(p['initial_lr'])}, " \
               f"boundaries_and_scales={{{body}}})"
    elif not w and name == "linear":
        expr = ("linear_schedule(" + _kv(init_value=r(p["initial_lr"] * p["start_factor"]),
                                         end_value=r(p["initial_lr"] * p["end_factor"]),
                                         transition_steps=p["total_iters"]) + ")")
    if expr is None:
        expr = f"lambda count: {schedule_body(spec, Body('jnp'), 'count')}"
        note = "# No optax schedule computes this: a schedule is any function of the count.\n"
    else:
        note = ""
        expr = "optax." + expr
    text = ("import jax.numpy as jnp\n" if "jnp." in expr else "") + (
        f"import optax\n\n{note}schedule = {expr}\n"
        "optimizer = optax.sgd(learning_rate=schedule)  # or adamw, ...\n"
        f"# {n} updates: the optimizer calls schedule(count) with count = 0, 1, ...\n")
    return Snippet(text=text, dialect="optax", expr=expr, base_lr=1.0)


def _keras(spec: Spec) -> Snippet:
    p, n, name, w = spec.kernel_params(), spec.n, spec.name, spec.warmup
    expr = None
    if _beyond_classes(spec):
        name = "(values)"  # no keras class has these: the values step by step
    if name == "cosine" and _linear_prefix_warmup(spec):
        kw: dict[str, Any] = {"initial_learning_rate": r(spec.warmup_start if w else p["lr_max"]),
                              "decay_steps": n - w, "alpha": r(p["lr_min"] / p["lr_max"])}
        if w:
            kw.update(warmup_target=r(p["lr_max"]), warmup_steps=w)
        expr = f"CosineDecay({_kv(**kw)})"
    elif not w and name == "polynomial":
        expr = ("PolynomialDecay(" + _kv(initial_learning_rate=r(p["initial_lr"]),
                                         decay_steps=n, end_learning_rate=0.0,
                                         power=r(p["power"])) + ")")
    elif not w and name == "step" and p["timing"] == "torch":
        expr = ("ExponentialDecay(" + _kv(initial_learning_rate=r(p["initial_lr"]),
                                          decay_steps=p["step_size"],
                                          decay_rate=r(p["decay_factor"]), staircase=True) + ")")
    elif not w and name == "sgdr":
        expr = ("CosineDecayRestarts(" + _kv(
            initial_learning_rate=r(p["lr_max"]), first_decay_steps=p["t0"],
            t_mul=r(p["t_mult"]), m_mul=r(p["restart_decay"]),
            alpha=r(p["lr_min"] / p["lr_max"])) + ")")
    if expr is None:
        if n > KERAS_MAX_VALUES:
            raise UsageError(f"Keras has no schedule class for {name} with these options; the "
                             f"exact fallback lists every value, which needs --steps at most "
                             f"{KERAS_MAX_VALUES} (got {n})")
        from ...schedules.compose import schedule_values

        values = schedule_values(spec)
        b = ", ".join(str(i) for i in range(n - 1))
        v = ", ".join(r(x) for x in values)
        expr = f"PiecewiseConstantDecay(boundaries=[{b}], values=[{v}])"
        note = (f"# Keras has no class for this schedule: its {n} values, step by step "
                "(PiecewiseConstantDecay\n# switches to values[k+1] after step boundaries[k]).\n")
    else:
        note = ""
    expr = "keras.optimizers.schedules." + expr
    text = (f"import keras\n\n{note}schedule = {expr}\n"
            "optimizer = keras.optimizers.SGD(learning_rate=schedule)\n"
            f"# {n} updates: the optimizer calls schedule(iterations), iterations = 0, 1, ...\n")
    return Snippet(text=text, dialect="keras", expr=expr, base_lr=1.0)


_EMIT: dict[str, Callable[[Spec], Snippet]] = {"torch": _torch, "hf": _hf, "optax": _optax,
                                               "keras": _keras}


def emit(spec: Spec, framework: str) -> Snippet:
    """The snippet that builds ``spec`` in ``framework``."""
    if framework not in _EMIT:
        raise UsageError(f"invalid value for --framework: '{framework}' (allowed: "
                         f"{', '.join(FRAMEWORKS)})")
    if spec.name == "plateau" and framework in ("optax", "keras"):
        raise UsageError(f"{framework} has no reduce-on-plateau schedule (it is a callback or "
                         "a gradient transformation there); use --framework torch or hf")
    if spec.name == "plateau" and framework == "hf":
        framework = "torch"
    return _EMIT[framework](spec)


__all__ = ["emit", "Snippet", "FRAMEWORKS", "math"]
