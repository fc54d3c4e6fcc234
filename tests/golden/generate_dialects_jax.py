"""Generate golden lr vectors for the optax and Keras dialects by running the real libraries.

The outputs, ``tests/golden/dialect_optax.json`` and ``tests/golden/dialect_keras.json``, are the
references that lrsched's numpy re-implementation of those two dialects is tested against. They
are committed; this script only needs to be run again when cases are added or changed.

How to re-run (from the repository root)::

    python3 -m venv /tmp/jaxvenv
    /tmp/jaxvenv/bin/pip install numpy "optax>=0.2,<0.3" jax jaxlib "keras>=3,<4"
    /tmp/jaxvenv/bin/python tests/golden/generate_dialects_jax.py

jax, optax and keras are deliberately *not* dependencies of the project; the throw-away venv
lives outside the repository (and needs no torch). The output is deterministic for given
library versions, which are recorded in each file.

Recording convention (the same for every case)
----------------------------------------------
Each case is one expression string, exactly as a user would paste it (short names such as
``cosine_decay_schedule(...)`` / ``CosineDecay(...)`` or qualified ones such as
``optax.schedules.linear_schedule(...)`` / ``keras.optimizers.schedules.ExponentialDecay(...)``).
It is evaluated with ``eval`` in a namespace that holds the framework's schedule names plus
``optax`` (or ``keras``) and no builtins, and ``lr[i] = schedule(i)`` for ``i in range(steps)``.

* optax, ``lr``: float64, with ``jax_enable_x64`` on and an int64 count
  (``jnp.asarray(i, dtype=jnp.int64)``).
* optax, ``lr_float32``: JAX defaults (x64 off) with an int32 count, which is what a user's
  optimizer computes. Schedules that optax returns as a plain Python number (``constant_schedule``,
  ``piecewise_constant_schedule`` without boundaries, ``polynomial_schedule``/``linear_schedule``
  with ``transition_steps <= 0``, ``exponential_decay`` with ``transition_steps <= 0`` or
  ``decay_rate == 0``) give that number unchanged, so for them ``lr_float32 == lr``.
* keras (JAX backend): float32 only, Keras has no float64 mode; ``lr[i] = float(schedule(i))``
  with a Python int ``i``, one step per call as an optimizer calls it (XLA compiles a call on
  an array of steps to vector code that rounds differently: CosineDecayRestarts's cycle index
  can then differ at a restart). The values depend on the CPU: this machine's XLA contracts
  multiply-adds into FMA instructions.

x64 is a process-wide JAX switch, so the script runs itself twice as a worker
(``--worker float32`` and ``--worker float64``, one after the other) and merges the results;
each worker asserts the dtype of every array result it records.

Rejected cases carry ``"error": "<ExceptionType>: <message>"`` (the exception raised while
building the schedule or calling it at step 0) instead of ``lr``.

Output format (one file per framework)::

    {"framework": "optax" | "keras", "versions": {...},
     "generator": "tests/golden/generate_dialects_jax.py",
     "cases": [{"id": ..., "expr": ..., "steps": N, "lr": [N floats],
                "lr_float32": [N floats]},          # optax only
               {"id": ..., "expr": ..., "steps": N, "error": "..."}, ...]}

Floats are written by ``json`` (shortest repr), so they round-trip to the exact float64 (for
float32 results: the exact float32 value, widened).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/generate_dialects_jax.py"
OPTAX_OUT = HERE / "dialect_optax.json"
KERAS_OUT = HERE / "dialect_keras.json"

# (id, steps, expression). Ids are unique within a framework.
Spec = tuple[str, int, str]

OPTAX_CASES: list[Spec] = [
    # constant_schedule
    ("constant_positional", 5, "constant_schedule(0.001)"),
    ("constant_qualified_n1", 1, "optax.constant_schedule(value=3e-4)"),
    # polynomial_schedule
    ("polynomial_power2", 120,
     "polynomial_schedule(init_value=1.0, end_value=0.0, power=2, transition_steps=100)"),
    ("polynomial_power0.5_begin20", 90,
     "optax.polynomial_schedule(init_value=0.1, end_value=0.001, power=0.5, "
     "transition_steps=50, transition_begin=20)"),
    ("polynomial_power0.9_poly", 310,
     "optax.schedules.polynomial_schedule(init_value=0.01, end_value=0.0, power=0.9, "
     "transition_steps=300)"),
    ("polynomial_transition0_constant", 10,
     "polynomial_schedule(init_value=0.05, end_value=0.0, power=1.0, transition_steps=0)"),
    ("polynomial_transition_negative_constant", 5,
     "optax.polynomial_schedule(init_value=0.05, end_value=0.01, power=3, transition_steps=-5)"),
    ("polynomial_begin_negative_is_0", 15,
     "polynomial_schedule(init_value=1.0, end_value=0.1, power=1, transition_steps=10, "
     "transition_begin=-5)"),
    # linear_schedule
    ("linear_warmup", 150,
     "linear_schedule(init_value=0.0, end_value=1e-3, transition_steps=100)"),
    ("linear_decay_begin50", 300,
     "optax.linear_schedule(init_value=1e-3, end_value=0.0, transition_steps=200, "
     "transition_begin=50)"),
    ("linear_positional", 12, "optax.schedules.linear_schedule(0.1, 0.0, 10)"),
    # exponential_decay
    ("exp_continuous", 100,
     "exponential_decay(init_value=0.1, transition_steps=10, decay_rate=0.9)"),
    ("exp_staircase", 120,
     "optax.exponential_decay(init_value=0.01, transition_steps=25, decay_rate=0.5, "
     "staircase=True)"),
    ("exp_begin50", 400,
     "exponential_decay(init_value=1e-3, transition_steps=100, decay_rate=0.96, "
     "transition_begin=50)"),
    ("exp_end_value_floor", 40,
     "exponential_decay(init_value=0.1, transition_steps=5, decay_rate=0.5, end_value=0.01)"),
    ("exp_end_value_cap_rate2", 100,
     "optax.schedules.exponential_decay(init_value=1e-4, transition_steps=10, decay_rate=2.0, "
     "end_value=0.01)"),
    ("exp_end_value_above_init", 6,
     "exponential_decay(init_value=1.0, transition_steps=2, decay_rate=0.5, end_value=2.0)"),
    ("exp_rate0_constant", 5,
     "exponential_decay(init_value=0.1, transition_steps=10, decay_rate=0.0)"),
    ("exp_transition0_constant", 3,
     "optax.exponential_decay(init_value=0.3, transition_steps=0, decay_rate=0.5)"),
    ("exp_positional_staircase", 15, "exponential_decay(0.5, 3, 0.8, 0, True)"),
    # cosine_decay_schedule
    ("cosine_basic", 120, "cosine_decay_schedule(init_value=0.1, decay_steps=100)"),
    ("cosine_alpha0.1", 350,
     "optax.cosine_decay_schedule(init_value=1e-3, decay_steps=300, alpha=0.1)"),
    ("cosine_exponent2", 60,
     "optax.schedules.cosine_decay_schedule(init_value=0.5, decay_steps=50, alpha=0.0, "
     "exponent=2.0)"),
    ("cosine_exponent0.5", 45,
     "cosine_decay_schedule(init_value=1.0, decay_steps=40, exponent=0.5)"),
    ("cosine_positional_alpha", 14, "cosine_decay_schedule(0.01, 10, 0.05)"),
    ("cosine_decay_steps1", 3, "cosine_decay_schedule(init_value=0.2, decay_steps=1)"),
    ("cosine_int_init", 12, "optax.cosine_decay_schedule(1, 10)"),
    # piecewise_constant_schedule
    ("piecewise_constant_imagenet", 250,
     "piecewise_constant_schedule(init_value=0.1, boundaries_and_scales={100: 0.1, 200: 0.1})"),
    ("piecewise_constant_3_6", 8,
     "optax.piecewise_constant_schedule(init_value=1.0, boundaries_and_scales={3: 0.5, 6: 0.5})"),
    ("piecewise_constant_unsorted_scale2", 40,
     "optax.schedules.piecewise_constant_schedule(init_value=0.01, "
     "boundaries_and_scales={30: 0.5, 10: 2.0, 20: 1.0})"),
    ("piecewise_constant_boundary0_scale0", 8,
     "piecewise_constant_schedule(init_value=0.1, boundaries_and_scales={0: 0.5, 5: 0.0})"),
    ("piecewise_constant_no_boundaries", 3, "piecewise_constant_schedule(0.05)"),
    # piecewise_interpolate_schedule
    ("interp_linear", 120,
     "piecewise_interpolate_schedule(interpolate_type='linear', init_value=1e-4, "
     "boundaries_and_scales={10: 10.0, 50: 0.1, 100: 0.01})"),
    ("interp_cosine_positional", 80,
     "optax.piecewise_interpolate_schedule('cosine', 0.1, {20: 1.0, 60: 0.1})"),
    ("interp_linear_boundary0", 15,
     "piecewise_interpolate_schedule(interpolate_type='linear', init_value=0.5, "
     "boundaries_and_scales={0: 2.0, 10: 0.5})"),
    ("interp_cosine_boundary0", 60,
     "optax.schedules.piecewise_interpolate_schedule(interpolate_type='cosine', init_value=1.0, "
     "boundaries_and_scales={0: 0.1, 25: 10.0, 50: 0.01})"),
    # onecycle
    ("linear_onecycle_100", 110, "linear_onecycle_schedule(transition_steps=100, peak_value=0.01)"),
    ("linear_onecycle_10", 12,
     "optax.linear_onecycle_schedule(transition_steps=10, peak_value=1.0)"),
    ("linear_onecycle_custom", 220,
     "optax.schedules.linear_onecycle_schedule(transition_steps=200, peak_value=3e-3, "
     "pct_start=0.25, pct_final=0.9, div_factor=10.0, final_div_factor=100.0)"),
    ("cosine_onecycle_10", 12, "cosine_onecycle_schedule(transition_steps=10, peak_value=1.0)"),
    ("cosine_onecycle_custom", 350,
     "optax.cosine_onecycle_schedule(transition_steps=333, peak_value=0.1, pct_start=0.1, "
     "div_factor=20.0, final_div_factor=1000.0)"),
    ("cosine_onecycle_positional", 160, "cosine_onecycle_schedule(150, 0.004)"),
    # join_schedules
    ("join_warmup_cosine", 110,
     "join_schedules(schedules=[linear_schedule(init_value=0.0, end_value=0.1, "
     "transition_steps=10), cosine_decay_schedule(init_value=0.1, decay_steps=90)], "
     "boundaries=[10])"),
    ("join_wsd_3", 110,
     "optax.join_schedules(schedules=[optax.linear_schedule(0.0, 1e-3, 20), "
     "optax.constant_schedule(1e-3), optax.linear_schedule(1e-3, 0.0, 30)], "
     "boundaries=[20, 70])"),
    ("join_constant_staircase_positional", 40,
     "optax.schedules.join_schedules([optax.schedules.constant_schedule(0.01), "
     "optax.schedules.exponential_decay(init_value=0.01, transition_steps=10, decay_rate=0.5, "
     "staircase=True)], [5])"),
    ("join_too_few_boundaries", 10,
     "join_schedules(schedules=[constant_schedule(0.1), constant_schedule(0.2), "
     "constant_schedule(0.3)], boundaries=[5])"),
    # warmup_constant_schedule
    ("warmup_constant_100", 130,
     "warmup_constant_schedule(init_value=0.0, peak_value=1e-3, warmup_steps=100)"),
    ("warmup_constant_7", 10,
     "optax.warmup_constant_schedule(init_value=1e-5, peak_value=0.1, warmup_steps=7)"),
    # warmup_cosine_decay_schedule
    ("warmup_cosine_readme", 400,
     "warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, warmup_steps=100, "
     "decay_steps=1000)"),
    ("warmup_cosine_tiny", 12,
     "optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=1.0, warmup_steps=2, "
     "decay_steps=10)"),
    ("warmup_cosine_end_value", 220,
     "optax.schedules.warmup_cosine_decay_schedule(init_value=1e-6, peak_value=5e-4, "
     "warmup_steps=30, decay_steps=200, end_value=1e-5)"),
    ("warmup_cosine_exponent2", 110,
     "warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.1, warmup_steps=10, "
     "decay_steps=100, end_value=0.001, exponent=2.0)"),
    ("warmup_cosine_warmup0", 55,
     "warmup_cosine_decay_schedule(init_value=0.5, peak_value=0.1, warmup_steps=0, "
     "decay_steps=50)"),
    ("warmup_cosine_positional", 30, "warmup_cosine_decay_schedule(0.0, 3e-4, 5, 25, 3e-5)"),
    ("warmup_cosine_peak0_end_ignored", 10,
     "warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.0, warmup_steps=3, "
     "decay_steps=8, end_value=0.1)"),
    # warmup_exponential_decay_schedule
    ("warmup_exp", 100,
     "warmup_exponential_decay_schedule(init_value=0.0, peak_value=0.01, warmup_steps=10, "
     "transition_steps=20, decay_rate=0.5)"),
    ("warmup_exp_staircase_begin", 300,
     "optax.warmup_exponential_decay_schedule(init_value=1e-4, peak_value=1e-2, "
     "warmup_steps=50, transition_steps=30, decay_rate=0.7, transition_begin=40, "
     "staircase=True)"),
    ("warmup_exp_end_value", 40,
     "optax.schedules.warmup_exponential_decay_schedule(init_value=0.0, peak_value=1.0, "
     "warmup_steps=5, transition_steps=5, decay_rate=0.5, end_value=0.05)"),
    # sgdr_schedule
    ("sgdr_three_cycles", 170,
     "sgdr_schedule(cosine_kwargs=[{'init_value': 0.0, 'peak_value': 0.1, 'warmup_steps': 5, "
     "'decay_steps': 50}, {'init_value': 0.0, 'peak_value': 0.05, 'warmup_steps': 5, "
     "'decay_steps': 50, 'end_value': 0.001}, {'init_value': 0.001, 'peak_value': 0.025, "
     "'warmup_steps': 10, 'decay_steps': 60, 'end_value': 0.0005, 'exponent': 2.0}])"),
    ("sgdr_doubling_positional", 32,
     'optax.sgdr_schedule([{"init_value": 1.0, "peak_value": 1.0, "warmup_steps": 0, '
     '"decay_steps": 4}, {"init_value": 1.0, "peak_value": 1.0, "warmup_steps": 0, '
     '"decay_steps": 8}, {"init_value": 1.0, "peak_value": 1.0, "warmup_steps": 0, '
     '"decay_steps": 16}])'),
]

OPTAX_REJECTED: list[Spec] = [
    ("cosine_decay_steps0", 10, "cosine_decay_schedule(init_value=0.1, decay_steps=0)"),
    ("cosine_decay_steps_negative", 10,
     "optax.schedules.cosine_decay_schedule(init_value=0.1, decay_steps=-5)"),
    ("warmup_cosine_warmup_eq_decay", 10,
     "optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, warmup_steps=100, "
     "decay_steps=100)"),
    ("warmup_cosine_warmup_gt_decay", 10,
     "warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, warmup_steps=200, "
     "decay_steps=100)"),
    ("piecewise_constant_negative_scale", 10,
     "piecewise_constant_schedule(init_value=0.1, boundaries_and_scales={100: -0.5})"),
    ("interp_cubic", 10, "piecewise_interpolate_schedule('cubic', 0.1, {10: 0.5})"),
    ("interp_negative_scale", 10,
     "optax.piecewise_interpolate_schedule(interpolate_type='linear', init_value=0.1, "
     "boundaries_and_scales={10: -1.0})"),
    ("linear_onecycle_transition0", 10,
     "linear_onecycle_schedule(transition_steps=0, peak_value=0.1)"),
    ("cosine_onecycle_transition_negative", 10,
     "optax.cosine_onecycle_schedule(transition_steps=-10, peak_value=0.1)"),
    ("sgdr_warmup_eq_decay", 10,
     "sgdr_schedule(cosine_kwargs=[{'init_value': 0.0, 'peak_value': 0.1, 'warmup_steps': 10, "
     "'decay_steps': 10}])"),
]

KERAS_CASES: list[Spec] = [
    # ExponentialDecay
    ("exp_continuous", 400,
     "ExponentialDecay(initial_learning_rate=0.1, decay_steps=100, decay_rate=0.96)"),
    ("exp_staircase", 45,
     "keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.01, decay_steps=10, "
     "decay_rate=0.5, staircase=True)"),
    ("exp_positional", 50, "ExponentialDecay(1e-3, 1000, 0.9)"),
    ("exp_rate10_range_test", 100,
     "ExponentialDecay(initial_learning_rate=1e-5, decay_steps=20, decay_rate=10.0)"),
    ("exp_rate0", 5,
     "keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.1, decay_steps=3, "
     "decay_rate=0.0)"),
    # PiecewiseConstantDecay
    ("piecewise_3_6", 9, "PiecewiseConstantDecay(boundaries=[3, 6], values=[1.0, 0.5, 0.25])"),
    ("piecewise_three_boundaries", 320,
     "keras.optimizers.schedules.PiecewiseConstantDecay(boundaries=[100, 250, 300], "
     "values=[0.1, 0.01, 0.001, 0.0001])"),
    ("piecewise_positional", 15, "PiecewiseConstantDecay([10], [0.005, 0.0005])"),
    ("piecewise_boundary0", 8,
     "PiecewiseConstantDecay(boundaries=[0, 5], values=[0.3, 0.2, 0.1])"),
    ("piecewise_unsorted_sums", 6,
     "PiecewiseConstantDecay(boundaries=[4, 2], values=[1.0, 0.5, 0.25])"),
    ("piecewise_float_boundary", 6,
     "keras.optimizers.schedules.PiecewiseConstantDecay(boundaries=[2.5], values=[1.0, 0.5])"),
    # PolynomialDecay
    ("poly_default_end", 120, "PolynomialDecay(initial_learning_rate=0.1, decay_steps=100)"),
    ("poly_cycle", 70,
     "keras.optimizers.schedules.PolynomialDecay(initial_learning_rate=0.1, decay_steps=20, "
     "end_learning_rate=0.01, cycle=True)"),
    ("poly_power0.9", 310,
     "PolynomialDecay(initial_learning_rate=1e-3, decay_steps=300, end_learning_rate=0.0, "
     "power=0.9)"),
    ("poly_power2_cycle", 130,
     "PolynomialDecay(initial_learning_rate=0.05, decay_steps=40, end_learning_rate=1e-3, "
     "power=2.0, cycle=True)"),
    ("poly_positional_sqrt", 55, "PolynomialDecay(0.01, 50, 0.0, 0.5)"),
    ("poly_end_above_initial", 12,
     "keras.optimizers.schedules.PolynomialDecay(initial_learning_rate=1e-4, decay_steps=10, "
     "end_learning_rate=1e-2)"),
    # InverseTimeDecay
    ("invtime_per_step", 50,
     "InverseTimeDecay(initial_learning_rate=0.1, decay_steps=1, decay_rate=0.5)"),
    ("invtime_staircase", 60,
     "keras.optimizers.schedules.InverseTimeDecay(initial_learning_rate=0.01, decay_steps=10, "
     "decay_rate=1.0, staircase=True)"),
    ("invtime_positional", 400, "InverseTimeDecay(1e-3, 100, 2.0)"),
    # CosineDecay
    ("cosine_basic", 120, "CosineDecay(initial_learning_rate=0.1, decay_steps=100)"),
    ("cosine_warmup_target", 130,
     "CosineDecay(initial_learning_rate=0.1, decay_steps=100, warmup_steps=10, "
     "warmup_target=0.2)"),
    ("cosine_alpha", 15,
     "keras.optimizers.schedules.CosineDecay(initial_learning_rate=1.0, decay_steps=10, "
     "alpha=0.1)"),
    ("cosine_warmup_from0_tiny", 12,
     "CosineDecay(initial_learning_rate=0.0, decay_steps=8, warmup_target=1.0, warmup_steps=2)"),
    ("cosine_warmup_alpha", 400,
     "keras.optimizers.schedules.CosineDecay(initial_learning_rate=1e-5, decay_steps=300, "
     "alpha=0.05, warmup_target=3e-4, warmup_steps=50)"),
    ("cosine_warmup_steps_without_target_ignored", 25,
     "CosineDecay(initial_learning_rate=0.01, decay_steps=20, warmup_steps=5)"),
    ("cosine_positional", 45, "CosineDecay(0.02, 40, 0.0)"),
    ("cosine_warmup_target_below_initial", 18,
     "CosineDecay(initial_learning_rate=0.1, decay_steps=10, warmup_target=0.05, "
     "warmup_steps=5)"),
    # CosineDecayRestarts
    ("restarts_default_tmul2", 30,
     "CosineDecayRestarts(initial_learning_rate=1.0, first_decay_steps=4)"),
    ("restarts_tmul1", 160,
     "keras.optimizers.schedules.CosineDecayRestarts(initial_learning_rate=0.1, "
     "first_decay_steps=50, t_mul=1.0)"),
    ("restarts_mmul_alpha", 150,
     "CosineDecayRestarts(initial_learning_rate=0.01, first_decay_steps=20, t_mul=2.0, "
     "m_mul=0.5, alpha=0.1)"),
    ("restarts_tmul1.5_mmul0.8", 200,
     "CosineDecayRestarts(initial_learning_rate=0.05, first_decay_steps=30, t_mul=1.5, "
     "m_mul=0.8)"),
    ("restarts_positional", 400,
     "keras.optimizers.schedules.CosineDecayRestarts(0.001, 100, 1.0, 0.9, 0.01)"),
    # Restarts at exact steps: Keras finds the cycle with float32 logs, so there the floor of
    # log(1 - f*(1 - t_mul)) / log(t_mul) may land one cycle off the exact one (t_mul 3,
    # step 121: Keras restarts; t_mul 1.2, 5 steps, step 11: it does not). Each run goes a
    # few steps past several restarts (T0 * (t_mul**k - 1) / (t_mul - 1)).
    *[(f"restarts_exact_T0_{t0}_tmul{tm}", steps,
       f"CosineDecayRestarts(initial_learning_rate=1.0, first_decay_steps={t0}, t_mul={tm}"
       + (", m_mul=0.8, alpha=0.05)" if t0 == 7 else ")"))
      for t0, by_tmul in (
          (1, {1.0: 30, 1.2: 60, 1.5: 60, 2.0: 260, 3.0: 366}),
          (5, {1.0: 60, 1.2: 120, 1.5: 120, 2.0: 320, 3.0: 205}),
          (7, {1.0: 60, 1.2: 120, 1.5: 120, 2.0: 220, 3.0: 285}),
          (10, {1.0: 100, 1.2: 150, 1.5: 200, 2.0: 320, 3.0: 135}))
      for tm, steps in by_tmul.items()],
    # An int initial_learning_rate makes Keras compute in int32 casts: decay_rate 0.5 -> 0,
    # pi -> 3. Recorded as Keras really behaves.
    ("quirk_int_initial_exp", 5,
     "ExponentialDecay(initial_learning_rate=1, decay_steps=10, decay_rate=0.5)"),
    ("quirk_int_initial_cosine", 12, "CosineDecay(initial_learning_rate=1, decay_steps=10)"),
]

KERAS_REJECTED: list[Spec] = [
    ("exp_decay_steps0", 10,
     "ExponentialDecay(initial_learning_rate=0.1, decay_steps=0, decay_rate=0.9)"),
    ("poly_decay_steps0", 10,
     "keras.optimizers.schedules.PolynomialDecay(initial_learning_rate=0.1, decay_steps=0)"),
    ("invtime_decay_steps0", 10,
     "InverseTimeDecay(initial_learning_rate=0.1, decay_steps=0, decay_rate=0.5)"),
    ("cosine_decay_steps0", 10, "CosineDecay(initial_learning_rate=0.1, decay_steps=0)"),
    ("cosine_decay_steps_negative_warmup", 10,
     "keras.optimizers.schedules.CosineDecay(initial_learning_rate=0.0, decay_steps=-10, "
     "warmup_target=0.1, warmup_steps=5)"),
    ("restarts_first_decay_steps0", 10,
     "CosineDecayRestarts(initial_learning_rate=0.1, first_decay_steps=0)"),
    ("piecewise_values_too_short", 10,
     "PiecewiseConstantDecay(boundaries=[100, 200], values=[0.1, 0.01])"),
    ("piecewise_values_too_long", 10,
     "keras.optimizers.schedules.PiecewiseConstantDecay(boundaries=[10], "
     "values=[0.1, 0.01, 0.001])"),
]


# --------------------------------------------------------------------------------------------
# Worker: runs inside one process with a fixed x64 setting.
# --------------------------------------------------------------------------------------------


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _build(expr: str, namespace: dict[str, Any]) -> Any:
    """Evaluate one pasted expression; literals and the namespace's names only."""
    return eval(expr, {"__builtins__": {}}, dict(namespace))  # our own case strings


def _run_ok(specs: list[Spec], namespace: dict[str, Any], count, want_dtype: str) -> dict:
    """{id: [floats]} for cases that must succeed; asserts the dtype of every array result."""
    import numpy as np

    out: dict[str, list[float]] = {}
    for case_id, steps, expr in specs:
        sched = _build(expr, namespace)
        values = []
        for i in range(steps):
            v = sched(count(i))
            if hasattr(v, "dtype"):
                got = str(np.asarray(v).dtype)
                assert got == want_dtype, f"{case_id} step {i}: dtype {got}, want {want_dtype}"
            else:
                assert isinstance(v, (int, float)), f"{case_id}: result {type(v)}"
            values.append(float(v))
        out[case_id] = values
    return out


def _run_rejected(specs: list[Spec], namespace: dict[str, Any], count) -> dict:
    """{id: "Type: message"} for cases the library must reject (construction or step 0)."""
    out: dict[str, str] = {}
    for case_id, _steps, expr in specs:
        try:
            _build(expr, namespace)(count(0))
        except Exception as exc:  # any library exception is the answer
            out[case_id] = _error_text(exc)
        else:
            raise AssertionError(f"{case_id}: expected an error, got none: {expr}")
    return out


def _optax_namespace() -> dict[str, Any]:
    import optax

    ns = {name: getattr(optax.schedules, name) for name in dir(optax.schedules)
          if not name.startswith("_") and callable(getattr(optax.schedules, name))}
    ns["optax"] = optax
    return ns


def _keras_namespace() -> dict[str, Any]:
    import keras

    ns = {name: getattr(keras.optimizers.schedules, name)
          for name in dir(keras.optimizers.schedules) if not name.startswith("_")}
    ns["keras"] = keras
    return ns


def worker(mode: str, out_path: Path) -> None:
    """Record one pass. float32: optax with JAX defaults + keras. float64: optax with x64."""
    os.environ["KERAS_BACKEND"] = "jax"
    import jax

    jax.config.update("jax_enable_x64", mode == "float64")
    import jax.numpy as jnp
    import jaxlib
    import numpy as np
    import optax

    result: dict[str, Any] = {"mode": mode}
    if mode == "float64":
        def count(i: int):
            return jnp.asarray(i, dtype=jnp.int64)
        assert str(count(3).dtype) == "int64"
    else:
        def count(i: int):
            return jnp.asarray(i, dtype=jnp.int32)
        assert str(count(3).dtype) == "int32"

    ns = _optax_namespace()
    result["optax"] = _run_ok(OPTAX_CASES, ns, count, mode)
    result["optax_rejected"] = _run_rejected(OPTAX_REJECTED, ns, count)
    result["versions_optax"] = {
        "optax": optax.__version__, "jax": jax.__version__, "jaxlib": jaxlib.__version__,
        "numpy": np.__version__, "python": platform.python_version(),
    }

    if mode == "float32":
        import keras

        assert keras.backend.backend() == "jax", keras.backend.backend()
        kns = _keras_namespace()

        def step(i: int) -> int:
            return i

        result["keras"] = _run_ok(KERAS_CASES, kns, step, "float32")
        result["keras_rejected"] = _run_rejected(KERAS_REJECTED, kns, step)
        result["versions_keras"] = {
            "keras": keras.__version__, "keras_backend": keras.backend.backend(),
            "jax": jax.__version__, "jaxlib": jaxlib.__version__, "numpy": np.__version__,
            "python": platform.python_version(),
        }
    out_path.write_text(json.dumps(result, allow_nan=True))


# --------------------------------------------------------------------------------------------
# Driver: runs the two workers one after the other, checks and merges.
# --------------------------------------------------------------------------------------------


def _run_worker(mode: str, tmp: Path) -> dict[str, Any]:
    path = tmp / f"{mode}.json"
    env = dict(os.environ, KERAS_BACKEND="jax")
    env.pop("JAX_ENABLE_X64", None)
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", mode,
                    "--out", str(path)], check=True, env=env)
    return json.loads(path.read_text())


def _check(case_id: str, values: list[float], steps: int) -> None:
    assert len(values) == steps, f"{case_id}: {len(values)} values, want {steps}"
    assert all(math.isfinite(v) for v in values), f"{case_id}: non-finite value"


def _is_float32(v: float) -> bool:
    import struct

    return struct.unpack("f", struct.pack("f", v))[0] == v


def _write(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def driver() -> None:
    for specs in (OPTAX_CASES + OPTAX_REJECTED, KERAS_CASES + KERAS_REJECTED):
        ids = [s[0] for s in specs]
        assert len(ids) == len(set(ids)), "duplicate case id"
        assert all(1 <= s[1] <= 400 for s in specs), "steps out of range"
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        f32 = _run_worker("float32", tmp)
        f64 = _run_worker("float64", tmp)
    assert f32["optax_rejected"] == f64["optax_rejected"], "rejections differ between passes"

    cases: list[dict[str, Any]] = []
    worst = (0.0, "")
    for case_id, steps, expr in OPTAX_CASES:
        lr, lr32 = f64["optax"][case_id], f32["optax"][case_id]
        _check(case_id, lr, steps)
        _check(case_id, lr32, steps)
        assert all(_is_float32(v) for v in lr32) or lr32 == lr, f"{case_id}: float32 pass"
        peak = max(abs(v) for v in lr) or 1.0
        rel = max(abs(a - b) for a, b in zip(lr, lr32)) / peak
        worst = max(worst, (rel, case_id))
        cases.append({"id": case_id, "expr": expr, "steps": steps, "lr": lr, "lr_float32": lr32})
    for case_id, steps, expr in OPTAX_REJECTED:
        cases.append({"id": case_id, "expr": expr, "steps": steps,
                      "error": f32["optax_rejected"][case_id]})
    _write(OPTAX_OUT, {"framework": "optax", "versions": f64["versions_optax"],
                       "generator": GENERATOR, "cases": cases})
    print(f"optax: {len(OPTAX_CASES)} ok, {len(OPTAX_REJECTED)} rejected; "
          f"max |float32 - float64| / peak = {worst[0]:.3g} ({worst[1]})")

    cases = []
    for case_id, steps, expr in KERAS_CASES:
        lr = f32["keras"][case_id]
        _check(case_id, lr, steps)
        assert all(_is_float32(v) for v in lr), f"{case_id}: not float32 values"
        cases.append({"id": case_id, "expr": expr, "steps": steps, "lr": lr})
    for case_id, steps, expr in KERAS_REJECTED:
        cases.append({"id": case_id, "expr": expr, "steps": steps,
                      "error": f32["keras_rejected"][case_id]})
    _write(KERAS_OUT, {"framework": "keras", "versions": f32["versions_keras"],
                       "generator": GENERATOR, "cases": cases})
    print(f"keras: {len(KERAS_CASES)} ok, {len(KERAS_REJECTED)} rejected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["float32", "float64"],
                        help="internal: record one pass in this process")
    parser.add_argument("--out", type=Path, help="internal: where the worker writes")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.out)
    else:
        driver()


if __name__ == "__main__":
    main()
