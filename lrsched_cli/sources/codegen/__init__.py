"""``lrsched code``: a runnable snippet that builds a native schedule in a framework.

A standard class or function where one computes the same values; otherwise a lambda
with the schedule's formula (torch ``LambdaLR``, an optax ``lambda count: ...``), or,
for Keras, its values step by step (``PiecewiseConstantDecay``). Each snippet's schedule
expression parses back with the matching dialect to the same values (tested for every
native schedule).

:func:`emit` (and :class:`Snippet`, ``FRAMEWORKS``) is the package's face; ``common`` holds
the snippet record and the helpers the targets share, ``formula`` each native schedule's
formula as an expression, and ``torch``, ``hf``, ``optax``, ``keras`` one target each.

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
from .torch import _torch

FRAMEWORKS = ("torch", "hf", "optax", "keras")

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


__all__ = ["emit", "Snippet", "FRAMEWORKS"]
