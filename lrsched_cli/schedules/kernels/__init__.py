"""Schedule kernels: pure numpy functions of an index array.

Every kernel takes ``t`` (a float64 array of step indices, whole numbers >= 0) and
``n`` (the number of steps the schedule runs over) plus its own parameters, and returns
a float64 array of learning rates, one per element of ``t``. Kernels do no I/O and no
validation: :mod:`lrsched_cli.schedules.registry` checks parameter values before a kernel runs.

Each docstring gives the formula the kernel computes, operation for operation, and its
source. ``t`` indexes the lr *used by* update ``t``, counting from 0 (DESIGN.md §1).

The kernels live by family: ``decay`` (and the warmup ramps), ``cyclical``, ``plateau`` and
``research``; this package is their one face (``kernels.cosine``). Like every module of
schedules/, they import numpy and the standard library only.
"""

from __future__ import annotations

from .cyclical import cyclic, fastai_one_cycle, one_cycle, one_cycle_phases, sgdr
from .decay import (
    constant,
    cosine,
    exponential,
    inverse_sqrt,
    inverse_time,
    linear,
    multistep,
    polynomial,
    staircase_exp,
    step_decay,
    warmup_ramp,
)
from .plateau import PlateauTracker, plateau
from .research import exp_hyperbolic, hyperbolic, noam, rex, rsqrt, stlr, tri_stage, wsd

__all__ = [
    "step_decay",
    "exponential",
    "cosine",
    "polynomial",
    "staircase_exp",
    "cyclic",
    "sgdr",
    "one_cycle_phases",
    "one_cycle",
    "plateau",
    "PlateauTracker",
    "multistep",
    "linear",
    "constant",
    "inverse_sqrt",
    "wsd",
    "warmup_ramp",
    "stlr",
    "rex",
    "noam",
    "rsqrt",
    "tri_stage",
    "hyperbolic",
    "exp_hyperbolic",
    "inverse_time",
    "fastai_one_cycle",
]
