"""The optax target: an optax schedule where one computes the spec, else a
``lambda count: ...`` with the formula in jax.numpy.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from ...schedules.registry import Spec
from .common import Snippet, _beyond_classes, _kv, _linear_prefix_warmup, r
from .formula import Body, schedule_body


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
