"""The Keras target: a ``keras.optimizers.schedules`` class where one computes the spec,
else a ``LearningRateSchedule`` subclass with the formula in ``__call__`` (``keras.ops`` on
the step, in float32 as Keras's own schedules compute; one value per phase, chosen with
``ops.where``, so it traces under ``jit``) and ``get_config``.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from typing import Any

from ...schedules.registry import Spec
from .common import Snippet, _beyond_classes, _kv, _linear_prefix_warmup, r
from .formula import Body, Piece, plan, shift_note

_TAKEN = ("step", "t", "lr", "ops", "math", "keras", "self")


def _keras_standard(spec: Spec) -> str | None:
    """A keras.optimizers.schedules class (without the prefix) that computes ``spec``."""
    p, n, name, w = spec.kernel_params(), spec.n, spec.name, spec.warmup
    if _beyond_classes(spec):
        return None  # no keras class has these
    if name == "cosine" and _linear_prefix_warmup(spec):
        kw: dict[str, Any] = {"initial_learning_rate": r(spec.warmup_start if w else p["lr_max"]),
                              "decay_steps": n - w, "alpha": r(p["lr_min"] / p["lr_max"])}
        if w:
            kw.update(warmup_target=r(p["lr_max"]), warmup_steps=w)
        return f"CosineDecay({_kv(**kw)})"
    if w:
        return None
    if name == "polynomial":
        return ("PolynomialDecay(" + _kv(initial_learning_rate=r(p["initial_lr"]),
                                         decay_steps=n, end_learning_rate=0.0,
                                         power=r(p["power"])) + ")")
    if name == "step" and p["timing"] == "torch":
        return ("ExponentialDecay(" + _kv(initial_learning_rate=r(p["initial_lr"]),
                                          decay_steps=p["step_size"],
                                          decay_rate=r(p["decay_factor"]), staircase=True) + ")")
    if name == "inverse-time":
        return ("InverseTimeDecay(" + _kv(initial_learning_rate=r(p["initial_lr"]),
                                          decay_steps=p["decay_steps"],
                                          decay_rate=r(p["decay_rate"]),
                                          staircase=p["staircase"]) + ")")
    if name == "sgdr":
        return ("CosineDecayRestarts(" + _kv(
            initial_learning_rate=r(p["lr_max"]), first_decay_steps=p["t0"],
            t_mul=r(p["t_mult"]), m_mul=r(p["restart_decay"]),
            alpha=r(p["lr_min"] / p["lr_max"])) + ")")
    return None


def class_name(spec: Spec) -> str:
    return "".join(w.capitalize() for w in spec.name.split("-")) + "Schedule"


def schedule_class(spec: Spec) -> str:
    """The ``LearningRateSchedule`` subclass that computes ``spec`` with keras.ops."""
    b = Body("keras")
    p = plan(spec, b, "step")
    x = "t" if p.shift else "step"
    names: list[str] = []

    def named(pieces: list[Piece]) -> list[tuple[str, str | None, str]]:
        out = []
        for label, test, value in pieces:
            name = label if label not in _TAKEN else f"{label}_lr"
            while name in names:
                name += "_"
            names.append(name)
            out.append((name, test, value))
        return out
    pre, main = named(p.pre), named(p.main(x))
    body = ['        step = ops.cast(step, "float32")']
    body += [f"        {name} = {value}" for name, _, value in pre]
    if p.shift:
        body.append(f"        t = step - {p.shift}  # {shift_note(spec, p)}")
    pieces = pre + main
    if len(pieces) == 1:
        value = pieces[0][2]
        body.append(f"        return {value}" if x in value else
                    f"        return ops.full_like(step, {value})")
    else:
        body += [f"        {name} = {value}" for name, _, value in main]
        nested = pieces[-1][0]
        for name, test, _ in reversed(pieces[:-1]):
            nested = f"ops.where({test}, {name}, {nested})"
        if len(nested) <= 80:
            body.append(f"        return {nested}")
        else:  # one phase a line, the last first
            body.append(f"        lr = {pieces[-1][0]}")
            body += [f"        lr = ops.where({test}, {name}, lr)"
                     for name, test, _ in reversed(pieces[:-1])]
            body.append("        return lr")
    cls = class_name(spec)
    return "\n".join([
        '@keras.saving.register_keras_serializable(package="lrsched")',
        f"class {cls}(keras.optimizers.schedules.LearningRateSchedule):",
        f'    """{spec.entry.summary} (lrsched {spec.name}).',
        "",
        "    No Keras class computes it: its formula in keras.ops on the step, in float32 as",
        "    Keras's own schedules compute, one value per phase picked with ops.where (so it",
        "    traces under jit). The numbers are written in, so get_config is empty.",
        '    """',
        "",
        "    def __call__(self, step):",
        *body,
        "",
        "    def get_config(self):",
        "        return {}",
    ])


def _keras(spec: Spec) -> Snippet:
    std = _keras_standard(spec)
    n = spec.n
    tail = ("optimizer = keras.optimizers.SGD(learning_rate=schedule)\n"
            f"# {n} updates: the optimizer calls schedule(iterations), iterations = 0, 1, ...\n")
    if std is not None:
        expr = "keras.optimizers.schedules." + std
        text = f"import keras\n\nschedule = {expr}\n" + tail
        return Snippet(text=text, dialect="keras", expr=expr, base_lr=1.0)
    cls = schedule_class(spec)
    text = ("import math\n\n" if "math." in cls else "") + (
        f"import keras\nfrom keras import ops\n\n\n{cls}\n\n\n"
        f"schedule = {class_name(spec)}()\n" + tail)
    return Snippet(text=text, dialect=None, expr=f"{class_name(spec)}()", base_lr=1.0)
