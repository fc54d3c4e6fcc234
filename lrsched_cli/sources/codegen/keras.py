"""The Keras target: a ``keras.optimizers.schedules`` class where one computes the spec,
else its values step by step (``PiecewiseConstantDecay``, up to KERAS_MAX_VALUES steps).

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from typing import Any

from ...errors import UsageError
from ...schedules.registry import Spec
from .common import Snippet, _beyond_classes, _kv, _linear_prefix_warmup, r

KERAS_MAX_VALUES = 2000

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
