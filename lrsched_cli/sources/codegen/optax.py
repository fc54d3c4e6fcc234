"""The optax target: an optax schedule where one computes the spec; with a warmup or hold
that none has, ``optax.join_schedules`` of named pieces (the warmup, the hold, the schedule:
optax's own where one computes the piece); else a ``lambda count: ...`` with the formula in
jax.numpy.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from ...schedules.registry import Spec
from .common import Snippet, _beyond_classes, _kv, _linear_prefix_warmup, r
from .formula import Body, fold, plan, schedule_body, warmup_ramp, without_warmup


def _optax_standard(spec: Spec) -> str | None:
    """An optax schedule (without the ``optax.``) that computes ``spec``, if one does."""
    p, n, name, w = spec.kernel_params(), spec.n, spec.name, spec.warmup
    if _beyond_classes(spec):
        return None  # no optax schedule has these
    if name == "cosine" and _linear_prefix_warmup(spec):
        if w:
            return ("warmup_cosine_decay_schedule(" + _kv(
                init_value=r(spec.warmup_start), peak_value=r(p["lr_max"]), warmup_steps=w,
                decay_steps=n, end_value=r(p["lr_min"])) + ")")
        return ("cosine_decay_schedule(" + _kv(init_value=r(p["lr_max"]), decay_steps=n,
                                               alpha=r(p["lr_min"] / p["lr_max"])) + ")")
    if w:
        return None
    if name == "polynomial":
        return ("polynomial_schedule(" + _kv(init_value=r(p["initial_lr"]), end_value=0.0,
                                             power=r(p["power"]), transition_steps=n) + ")")
    if name == "step" and p["timing"] == "torch":
        return ("exponential_decay(" + _kv(init_value=r(p["initial_lr"]),
                                           transition_steps=p["step_size"],
                                           decay_rate=r(p["decay_factor"]), staircase=True) + ")")
    if name == "multistep":
        scales: dict[int, float] = {}
        for m in p["milestones"]:
            scales[m] = scales.get(m, 1.0) * p["gamma"]
        body = ", ".join(f"{m}: {r(s)}" for m, s in sorted(scales.items()))
        return (f"piecewise_constant_schedule(init_value={r(p['initial_lr'])}, "
                f"boundaries_and_scales={{{body}}})")
    if name == "constant" and (p["factor"] == 1.0 or not p["total_iters"]):
        return f"constant_schedule({r(p['initial_lr'])})"
    if name == "linear":
        return ("linear_schedule(" + _kv(init_value=r(p["initial_lr"] * p["start_factor"]),
                                         end_value=r(p["initial_lr"] * p["end_factor"]),
                                         transition_steps=p["total_iters"]) + ")")
    return None


def _joined(spec: Spec) -> str:
    """``optax.join_schedules`` of the warmup, the hold and the schedule, one per line (each
    piece counts from 0 again at its boundary)."""
    b = Body("jnp")
    p = plan(spec, b, "count")
    w, hold = spec.warmup, spec.hold
    kids: list[tuple[str, str]] = []
    if w:
        if spec.warmup_shape == "linear":
            ramp = "optax.linear_schedule(" + _kv(init_value=r(spec.warmup_start),
                                                  end_value=r(p.target),
                                                  transition_steps=w) + ")"
        else:
            ramp = f"lambda count: {warmup_ramp(spec, 'count', p.target, b)}"
        kids.append((ramp, f"warmup, {spec.warmup_shape}"))
    if hold:
        kids.append((f"optax.constant_schedule({r(p.first)})", f"hold, {hold} steps"))
    offset = w + hold - p.shift  # 0, or an overlay warmup's W: the schedule's own step
    std = None if offset else _optax_standard(without_warmup(spec, p.kernel_n))
    if std is not None:
        kids.append(("optax." + std, spec.name))
    else:
        x = f"(count + {offset})" if offset else "count"
        kids.append((f"lambda count: {fold(p.main(x), b)}",
                     spec.name + (f" (its step is count + {offset}: the warmup overlays it)"
                                  if offset else "")))
    bounds = [w] * bool(w) + [w + hold] * bool(hold)
    lines = ["optax.join_schedules(", "    schedules=["]
    lines += [f"        {code},  # {what}" for code, what in kids]
    lines += ["    ],", f"    boundaries={bounds},  # each schedule counts from 0 at its boundary",
              ")"]
    return "\n".join(lines)


def _optax(spec: Spec) -> Snippet:
    std = _optax_standard(spec)
    note = ""
    if std is not None:
        expr = "optax." + std
    elif spec.warmup or spec.hold:
        expr = _joined(spec)
    else:
        expr = f"lambda count: {schedule_body(spec, Body('jnp'), 'count')}"
        note = "# No optax schedule computes this: a schedule is any function of the count.\n"
    text = ("import jax.numpy as jnp\n" if "jnp." in expr else "") + (
        f"import optax\n\n{note}schedule = {expr}\n"
        "optimizer = optax.sgd(learning_rate=schedule)  # or adamw, ...\n"
        f"# {spec.n} updates: the optimizer calls schedule(count) with count = 0, 1, ...\n")
    return Snippet(text=text, dialect="optax", expr=expr, base_lr=1.0)
