"""Composition: warmup joins (prefix / overlay), per-epoch stepping, and ``--start``.

Turns a validated :class:`~lrsched_cli.schedules.registry.Spec` into a :class:`Series` whose values
are computed on demand, any range at a time, so that long schedules stream.
"""

from __future__ import annotations

import numpy as np

from ..series import Series, held
from . import kernels
from .registry import Spec


def _t(a: int, b: int) -> np.ndarray:
    return np.arange(a, b, dtype=np.float64)


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
    per-epoch): :func:`schedule_at` of those indices."""
    return schedule_at(spec, _t(a, b))


def schedule_at(spec: Spec, t: np.ndarray) -> np.ndarray:
    """``lr[t]`` at any indices ``t`` (float64, whole), warmup and hold included.

    prefix: ``lr[t] = ramp(t)`` for ``t < W``, the schedule's first value for the H hold
    steps, then ``main(t - W - H)`` with the main schedule run over ``N - W - H`` steps; the
    ramp ends at ``main(0)``. overlay: ``main`` runs over all ``N`` steps and the ramp
    replaces ``main(0..W-1)``, ending at ``main(W)``. Only the indices asked for are computed
    (identify evaluates a sparse log of a long run this way); indices past the run continue
    the formulas. A sequential kernel (plateau) is computed whole once and indexed.
    """
    t = np.asarray(t, dtype=np.float64)

    def main(x: np.ndarray) -> np.ndarray:
        if spec.entry.sequential:
            return _sequential(spec)[x.astype(np.int64)]
        return np.asarray(spec.entry.kernel(x, spec.kernel_n, **spec.kernel_params()),
                          dtype=np.float64)

    w, hold = spec.warmup, spec.hold
    if not w and not hold:
        return main(t)
    prefix = spec.warmup_mode == "prefix" or not w
    out = np.empty(t.shape, dtype=np.float64)
    late = t >= w + hold
    if late.any():
        out[late] = main(t[late] - ((w if prefix else 0) + hold))
    if not late.all():
        first = float(main(np.zeros(1))[0])
        out[(t >= w) & ~late] = first
        early = t < w
        if early.any():
            target = (first if prefix or spec.warmup_target == "peak"
                      else float(main(np.array([float(w)]))[0]))
            out[early] = kernels.warmup_ramp(t[early], w, spec.warmup_start, target,
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
