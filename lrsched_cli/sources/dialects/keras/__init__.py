"""The ``keras`` dialect: ``keras.optimizers.schedules`` (Keras 3), ``lr[i] = schedule(i)``.

Keras computes in float32 only; lrsched computes the same formulas
(../shared/reference/frameworks.md §4) in float64, which agrees with Keras to within a few
float32 ulps of the peak (2e-6 of the peak is the tested bound). Quirks kept:
PiecewiseConstantDecay changes at ``t = b + 1`` (and sums masked values, so unsorted
boundaries give values in no list); CosineDecay's ``decay_steps`` excludes the warmup;
CosineDecayRestarts's ``t_mul`` defaults to 2 and ``m_mul`` does not scale ``alpha``.

One thing float64 cannot stand in for: CosineDecayRestarts finds the cycle with
``floor(log(1 - f*(1 - t_mul)) / log(t_mul))`` in float32, and at an exact restart that
quotient is an integer give or take a float32 ulp, so the floor decides between the peak and
the bottom of the cosine (``CosineDecayRestarts(1.0, 1, t_mul=3.0)`` at step 121 is 1.0 in
Keras, 0.0 with float64 logs; ``t_mul=1.2``, 5 steps, step 11 is the other way round). So that
index is computed as Keras on the JAX backend computes it on an x86 CPU: float32 operations,
``1 - f*(1 - t_mul)`` as one fused multiply-add, and XLA's float32 log (a Cephes polynomial,
evaluated with FMAs), reproduced bit for bit in numpy (``float32._xla_log_f32``), for one step
per call as an optimizer calls it. The rest of the formula stays float64.

The package's parts: ``formulas`` (the schedules as Keras writes them, and
CosineDecayRestarts), ``float32`` (Keras's float32 cycle index) and ``twins`` (the numpy
twins); here, the names, the run length a call implies and :func:`evaluate`.

Imports only ``lrsched_cli.errors``, the dialects' ``base``, ``expr``, ``stream`` and this
package's parts: never the rest of ``lrsched_cli.sources``, never typer, click, rich,
plotext or matplotlib (not even inside a function), nor numpy.
"""

from __future__ import annotations

from typing import Any

from ....errors import UsageError
from ..base import REQUIRED, Ctx, Dialect, Fn, bind, need_number
from ..expr import Call
from ..stream import Computed, closed
from .formulas import (
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    piecewise_constant_decay,
    polynomial_decay,
)
from .twins import _VECTORS

R = REQUIRED


I0 = ("initial_learning_rate", R)
NAME = ("name", None)
_FUNCS: dict[str, tuple[tuple[tuple[str, Any], ...], Any, str]] = {
    "ExponentialDecay": ((I0, ("decay_steps", R), ("decay_rate", R), ("staircase", False),
                          NAME), exponential_decay, "I * rate ** (t / T)"),
    "PiecewiseConstantDecay": ((("boundaries", R), ("values", R), NAME),
                               piecewise_constant_decay, "values[k], changing at t = b + 1"),
    "PolynomialDecay": ((I0, ("decay_steps", R), ("end_learning_rate", 0.0001), ("power", 1.0),
                         ("cycle", False), NAME), polynomial_decay,
                        "(I - E) * (1 - t/T) ** power + E"),
    "InverseTimeDecay": ((I0, ("decay_steps", R), ("decay_rate", R), ("staircase", False),
                          NAME), inverse_time_decay, "I / (1 + rate * t / T)"),
    "CosineDecay": ((I0, ("decay_steps", R), ("alpha", 0.0), NAME, ("warmup_target", None),
                     ("warmup_steps", 0)), cosine_decay,
                    "optional linear warmup to warmup_target, then cosine over decay_steps"),
    "CosineDecayRestarts": ((I0, ("first_decay_steps", R), ("t_mul", 2.0), ("m_mul", 1.0),
                             ("alpha", 0.0), NAME), cosine_decay_restarts,
                            "cosine with restarts (t_mul 2 by default; the cycle index in "
                            "float32, as Keras finds it)"),
}
FUNCTIONS: dict[str, Fn] = {n: Fn(n, p, s, takes_optimizer=False)
                            for n, (p, _, s) in _FUNCS.items()}


def implied_steps(call: Call) -> int | None:
    try:
        a = bind(DIALECT.check_name(call), call)
    except UsageError:
        return None
    if call.name in ("PolynomialDecay",) and not a["cycle"] and isinstance(a["decay_steps"], int):
        return a["decay_steps"]
    if call.name == "CosineDecay" and isinstance(a["decay_steps"], int):
        w = a["warmup_steps"] if a["warmup_target"] is not None else 0
        return a["decay_steps"] + (w if isinstance(w, int) else 0)
    return None


def evaluate(call: Call, ctx: Ctx) -> Computed:
    fn = DIALECT.check_name(call)
    a = bind(fn, call)
    init = a.get("initial_learning_rate")
    if isinstance(init, int) and not isinstance(init, bool):
        raise UsageError(
            f"{call.name}: initial_learning_rate={init} is an int, and Keras then computes in "
            f"integers (decay_rate 0.5 becomes 0, pi becomes 3); lrsched does not reproduce "
            f"that: write {float(init)!r}")
    for k, v in a.items():
        if k not in ("boundaries", "values", "name", "staircase", "cycle"):
            need_number(call.name, k, v, allow_none=True)
    if call.name == "CosineDecayRestarts":
        source = cosine_decay_restarts(a)
        return Computed(ctx.length(lambda: implied_steps(call), f"'{call.source}'"), source)
    f = _FUNCS[call.name][1](a)
    n = ctx.length(lambda: implied_steps(call), f"'{call.source}'")
    return Computed(n, closed(f, f"{call.name}(...)", _VECTORS[call.name](a)))


DIALECT = Dialect(
    name="keras", title="keras.optimizers.schedules",
    prefixes=("keras.optimizers.schedules", "optimizers.schedules", "schedules",
              "tf.keras.optimizers.schedules"),
    functions=FUNCTIONS, uses_base_lr=False,
    convention="lr[i] = schedule(i); Keras computes in float32, lrsched in float64",
)
DIALECT.evaluate = evaluate
