"""Composition: warmup joins (prefix / overlay), per-epoch stepping, and ``--start``.

Turns a validated :class:`~lrsched_cli.registry.Spec` into a :class:`Series` whose values
are computed on demand, any range at a time, so that long schedules stream.
"""

from __future__ import annotations

import numpy as np

from ..series import Series, held
from . import kernels
from .registry import Spec


def _t(a: int, b: int) -> np.ndarray:
    return np.arange(a, b, dtype=np.float64)


def _main(spec: Spec, a: int, b: int) -> np.ndarray:
    """The main schedule (no warmup) at its own indices ``a..b-1``."""
    params = spec.kernel_params()
    n = spec.kernel_n
    if spec.entry.sequential:  # state carried step to step: computed once, whole
        return _sequential(spec)[a:b]
    return np.asarray(spec.entry.kernel(_t(a, b), n, **params), dtype=np.float64)


_SEQ_CACHE: dict[int, tuple[Spec, np.ndarray]] = {}


def _sequential(spec: Spec) -> np.ndarray:
    """A sequential kernel's whole run, computed once per spec."""
    hit = _SEQ_CACHE.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    params = spec.kernel_params()
    skip = spec.hold + (spec.warmup if spec.warmup_mode == "prefix" else 0)
    if skip:  # the epochs after the warmup and hold drive the main schedule
        params["metrics"] = params["metrics"][skip:]
    n = spec.kernel_n
    values = np.asarray(spec.entry.kernel(_t(0, n), n, **params), dtype=np.float64)
    if len(_SEQ_CACHE) > 16:
        _SEQ_CACHE.clear()
    _SEQ_CACHE[id(spec)] = (spec, values)
    return values


def schedule_range(spec: Spec, a: int, b: int) -> np.ndarray:
    """``lr[a..b-1]`` of the schedule, warmup and hold included (indices count epochs with
    per-epoch).

    prefix: ``lr[t] = ramp(t)`` for ``t < W``, the schedule's first value for the H hold
    steps, then ``main(t - W - H)`` with the main schedule run over ``N - W - H`` steps; the
    ramp ends at ``main(0)``. overlay: ``main`` runs over all ``N`` steps and the ramp
    replaces ``main(0..W-1)``, ending at ``main(W)``.
    """
    w, hold = spec.warmup, spec.hold
    prefix = spec.warmup_mode == "prefix" or not w
    if not w and not hold:
        return _main(spec, a, b)
    out = np.empty(b - a, dtype=np.float64)
    shift = (w if prefix else 0) + hold
    lo = max(a, w + hold)
    if lo < b:
        out[lo - a:] = _main(spec, lo - shift, b - shift)
    if a < w + hold:
        first = float(_main(spec, 0, 1)[0])
        hi = min(b, w + hold)
        out[max(a, w) - a:hi - a] = first
        if a < w:
            target = (first if prefix or spec.warmup_target == "peak"
                      else float(_main(spec, w, w + 1)[0]))
            top = min(b, w)
            out[:top - a] = kernels.warmup_ramp(_t(a, top), w, spec.warmup_start, target,
                                                spec.warmup_shape)
    return out


def schedule_values(spec: Spec) -> np.ndarray:
    """``lr[0..N-1]`` of the schedule, warmup included."""
    return schedule_range(spec, 0, spec.n)


def output_range(spec: Spec, a: int, b: int) -> np.ndarray:
    """Values of output rows ``a..b-1`` (per-epoch: each epoch's value held K rows)."""
    if not spec.per_epoch:
        return schedule_range(spec, a, b)
    k = spec.steps_per_epoch
    assert k is not None
    return held(lambda e0, e1: schedule_range(spec, e0, e1), a, b, k)


def evaluate(spec: Spec, label: str | None = None) -> Series:
    """The series the renderers draw, computed on demand (``--start`` applied)."""
    total = spec.n * spec.steps_per_epoch if spec.per_epoch else spec.n
    return Series(
        label=label or spec.name, name=spec.name, params=spec.key_params(),
        unit="step" if spec.per_epoch else spec.unit, total_steps=total,
        source=lambda a, b: output_range(spec, a, b), start=spec.start, stop=total,
    )
