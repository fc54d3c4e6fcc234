"""What the code targets share: the :class:`Snippet` they return, float literals that parse
back exactly, keyword lists, and the checks of whether a framework's classes can compute a
spec at all.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...schedules.registry import Spec


@dataclass(frozen=True)
class Snippet:
    """The code, and the schedule expression in it with how to evaluate it."""

    text: str
    dialect: str | None  # which lrsched dialect reads ``expr`` back (None: none reads it)
    expr: str  # the schedule in the text (with no dialect: what builds it once text has run)
    base_lr: float  # the optimizer lr the snippet sets (1.0 where it does not matter)


def r(x: float) -> str:
    """A float literal that parses back to exactly ``x``."""
    return repr(float(x))


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
