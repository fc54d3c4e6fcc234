"""``lrsched code``: a runnable snippet that builds a native schedule in a framework.

A standard class or function where one computes the same values; otherwise the schedule's
formula, one piece per phase: torch's ``LambdaLR`` with a ``def lr_lambda(step):``, optax's
``join_schedules`` of the pieces (or a ``lambda count: ...``), a Keras
``LearningRateSchedule`` subclass with keras.ops in ``__call__``. timm gets its own
scheduler classes only; what none of them computes is refused, naming the frameworks that
can. Each snippet's schedule reads back with the matching dialect to the same values, and a
Keras subclass, run with numpy standing in for keras.ops, computes them too (tested for
every native schedule).

:func:`emit` (and :class:`Snippet`, ``FRAMEWORKS``) is the package's face; ``common`` holds
the snippet record and the helpers the targets share, ``formula`` each native schedule's
formula as pieces, and ``torch``, ``hf``, ``timm``, ``optax``, ``keras`` one target each.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from collections.abc import Callable

from ...errors import UsageError
from ...schedules.registry import Spec
from .common import Snippet
from .hf import _hf
from .keras import _keras
from .optax import _optax
from .timm import _timm
from .torch import _torch

FRAMEWORKS = ("torch", "hf", "timm", "optax", "keras")

_EMIT: dict[str, Callable[[Spec], Snippet]] = {"torch": _torch, "hf": _hf, "timm": _timm,
                                               "optax": _optax, "keras": _keras}


def emit(spec: Spec, framework: str) -> Snippet:
    """The snippet that builds ``spec`` in ``framework``."""
    if framework not in _EMIT:
        raise UsageError(f"invalid value for --framework: '{framework}' (allowed: "
                         f"{', '.join(FRAMEWORKS)})")
    if spec.name == "plateau" and framework in ("optax", "keras"):
        raise UsageError(f"{framework} has no reduce-on-plateau schedule (it is a callback or "
                         "a gradient transformation there); use --framework torch, hf or timm")
    if spec.name == "plateau" and framework == "hf":
        framework = "torch"
    if spec.name == "plateau" and framework == "torch" and (spec.warmup or spec.hold):
        try:
            _timm(spec)
            other = "use --framework timm, whose PlateauLRScheduler warms up linearly"
        except UsageError:
            other = "no framework's scheduler computes this one (timm's warms up linearly only)"
        raise UsageError("torch's ReduceLROnPlateau has no warmup or hold, and LambdaLR cannot "
                         f"follow a metric; {other}")
    return _EMIT[framework](spec)


__all__ = ["emit", "Snippet", "FRAMEWORKS"]
