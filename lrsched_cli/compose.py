"""Composition: warmup joins (prefix / overlay), per-epoch stepping, and ``--start``.

Turns a validated :class:`~lrsched_cli.registry.Spec` into a :class:`Series`.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .registry import Spec
from .series import Series


def schedule_values(spec: Spec) -> np.ndarray:
    """``lr[0..N-1]`` of the schedule, warmup included (N counts epochs with per-epoch).

    prefix: ``lr[t] = ramp(t)`` for ``t < W``, then ``main(t - W)`` with the main schedule
    run over ``N - W`` steps; the ramp ends at ``main(0)``. overlay: ``main`` runs over all
    ``N`` steps and the ramp replaces ``main(0..W-1)``, ending at ``main(W)``.
    """
    n, w = spec.n, spec.warmup
    params = spec.kernel_params()
    if spec.warmup_mode == "prefix" and w:
        if spec.entry.sequential:  # the metrics of epochs W.. drive the main schedule
            params["metrics"] = params["metrics"][w:]
        main = spec.entry.kernel(np.arange(n - w, dtype=np.float64), n - w, **params)
        target = main[0]
        out = np.empty(n, dtype=np.float64)
        out[w:] = main
    else:
        out = spec.entry.kernel(np.arange(n, dtype=np.float64), n, **params)
        out = np.asarray(out, dtype=np.float64)
        if not w:
            return out
        target = out[w]
    out[:w] = kernels.warmup_ramp(np.arange(w, dtype=np.float64), w, spec.warmup_start,
                                  float(target), spec.warmup_shape)
    return out


def evaluate(spec: Spec, label: str | None = None) -> Series:
    """The series the renderers draw: per-epoch expansion and ``--start`` applied."""
    values = schedule_values(spec)
    if spec.per_epoch:
        assert spec.steps_per_epoch is not None
        values = np.repeat(values, spec.steps_per_epoch)
    total = values.shape[0]
    steps = np.arange(spec.start, total, dtype=np.int64)
    return Series(
        label=label or spec.name, steps=steps, values=values[spec.start:],
        name=spec.name, params=spec.key_params(),
        unit="step" if spec.per_epoch else spec.unit, total_steps=total,
    )
