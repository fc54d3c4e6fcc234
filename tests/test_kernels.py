"""Every kernel equals a direct transcription of its formula to within 4 ulp at every t."""

from __future__ import annotations

import numpy as np
import pytest

from lrsched_cli import schedule

from . import oracles


def assert_ulp(actual: np.ndarray, expected: list[float], ulps: int = 4) -> None:
    expected_a = np.asarray(expected, dtype=np.float64)
    assert actual.dtype == np.float64
    assert actual.shape == expected_a.shape
    tol = ulps * np.spacing(np.maximum(np.abs(actual), np.abs(expected_a)))
    bad = np.flatnonzero(np.abs(actual - expected_a) > tol)
    assert bad.size == 0, (
        f"{bad.size} values differ by more than {ulps} ulp; first at t={bad[0]}: "
        f"{actual[bad[0]]!r} vs {expected_a[bad[0]]!r}"
    )


CASES = [
    # (schedule, oracle, steps, params)
    ("step", oracles.step, 100, dict(initial_lr=1.0, decay_factor=0.5, step_size=10)),
    ("step", oracles.step, 57, dict(initial_lr=0.3, decay_factor=0.7, step_size=1)),
    ("step", oracles.step, 80, dict(initial_lr=0.1, decay_factor=0.1, step_size=7,
                                    timing="torch")),
    ("exponential", oracles.exponential, 100, dict(initial_lr=1.0, decay_rate=0.05)),
    ("exponential", oracles.exponential, 1000, dict(initial_lr=0.02, decay_rate=0.0123)),
    ("natural-exp", oracles.exponential, 100, dict(initial_lr=1.0, decay_rate=0.05)),
    ("cosine", oracles.cosine, 100, dict(lr_min=0.001, lr_max=0.1)),
    ("cosine", oracles.cosine, 50, dict(lr_min=0.0, lr_max=3e-4)),
    ("cosine", oracles.cosine, 9973, dict(lr_min=1e-6, lr_max=0.7)),
    ("polynomial", oracles.polynomial, 100, dict(initial_lr=1.0, power=2.0)),
    ("polynomial", oracles.polynomial, 333, dict(initial_lr=0.05, power=0.5)),
    ("polynomial", oracles.polynomial, 40, dict(initial_lr=0.05, power=1.0)),
    ("staircase-exp", oracles.staircase_exp, 100,
     dict(initial_lr=1.0, decay_rate=0.05, step_size=10)),
    ("staircase-exp", oracles.staircase_exp, 100,
     dict(initial_lr=0.1, decay_rate=0.3, step_size=4, timing="torch")),
    ("cyclic", oracles.cyclic, 200, dict(lr_min=0.001, lr_max=0.1, step_size=10, gamma=1.0)),
    ("cyclic", oracles.cyclic, 200, dict(lr_min=0.001, lr_max=0.1, step_size=7,
                                         step_size_down=13, mode="triangular2")),
    ("cyclic", oracles.cyclic, 300, dict(lr_min=0.01, lr_max=0.5, step_size=3,
                                         mode="exp_range", gamma=0.993)),
    ("sgdr", oracles.sgdr, 200, dict(t0=10, t_mult=2, lr_min=0.001, lr_max=0.1)),
    ("sgdr", oracles.sgdr, 200, dict(t0=7, t_mult=1, lr_min=0.0, lr_max=1.0)),
    ("sgdr", oracles.sgdr, 300, dict(t0=3, t_mult=3, lr_min=0.01, lr_max=0.2,
                                     restart_decay=0.5)),
    ("one-cycle", oracles.one_cycle, 100, dict(max_lr=0.1)),
    ("one-cycle", oracles.one_cycle, 137, dict(max_lr=0.4, pct_start=0.25,
                                               anneal_strategy="linear", div_factor=10.0,
                                               final_div_factor=100.0)),
    ("one-cycle", oracles.one_cycle, 1000, dict(max_lr=1.0, three_phase=True)),
    ("multistep", oracles.multistep, 100, dict(initial_lr=0.1, milestones=(30, 60, 90),
                                               gamma=0.1)),
    ("multistep", oracles.multistep, 50, dict(initial_lr=1.0, milestones=(40, 10, 10, 0),
                                              gamma=0.5)),
    ("linear", oracles.linear, 100, dict(initial_lr=0.1, start_factor=1.0, end_factor=0.0,
                                         total_iters=100)),
    ("linear", oracles.linear, 100, dict(initial_lr=0.1, start_factor=0.25, end_factor=1.0,
                                         total_iters=17)),
    ("constant", oracles.constant, 30, dict(initial_lr=0.1, factor=1 / 3, total_iters=5)),
    ("inverse-sqrt", oracles.inverse_sqrt, 500, dict(initial_lr=0.1, timescale=40)),
    ("wsd", oracles.wsd, 1000, dict(lr_max=0.1, lr_min=0.001, decay_steps=200, warmup=0)),
    ("wsd", oracles.wsd, 97, dict(lr_max=0.3, lr_min=0.0, decay_steps=31,
                                  decay_shape="cosine", warmup=0)),
    ("wsd", oracles.wsd, 500, dict(lr_max=1.0, lr_min=0.1, decay_steps=500,
                                   decay_shape="1-sqrt", warmup=0)),
]


@pytest.mark.parametrize("name, oracle, steps, params", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_kernel_equals_transcription(name, oracle, steps, params):
    actual = schedule(name, steps=steps, **params)
    oracle_params = {k: v for k, v in params.items() if k != "warmup"}
    expected = [oracle(t, steps, **oracle_params) for t in range(steps)]
    assert_ulp(actual, expected)


def test_document_defaults_reproduce_the_document_example_values():
    # DESIGN.md §2 defaults, values computed by hand from the formulas
    step = schedule("step")
    assert step[8] == 1.0 and step[9] == 0.5 and step[19] == 0.25  # drops at t = s-1
    assert schedule("exponential")[20] == pytest.approx(np.exp(-1.0), rel=1e-15)
    cos = schedule("cosine")
    assert cos[0] == 0.1 and cos[50] == pytest.approx(0.0505, rel=1e-14)
    assert schedule("polynomial")[50] == 0.25
    assert schedule("staircase-exp")[9] == pytest.approx(np.exp(-0.05), rel=1e-15)
    assert schedule("staircase-exp")[8] == 1.0


def test_plateau_equals_transcription():
    rng = np.random.default_rng(7)
    metrics = list(np.maximum.accumulate(rng.normal(size=150))[::-1] + rng.normal(0, .01, 150))
    for kw in (dict(), dict(patience=2, cooldown=3, factor=0.5),
               dict(mode="max", threshold_mode="abs", threshold=0.01, patience=0),
               dict(min_lr=1e-3, eps=1e-3, patience=1)):
        actual = schedule("plateau", initial_lr=0.1, metrics=metrics, **kw)
        assert_ulp(actual, oracles.plateau_all(150, 0.1, metrics, **kw), ulps=0)


def test_step_timing_document_is_torch_shifted_by_one():
    doc = schedule("step", steps=60, step_size=10, decay_factor=0.5)
    torch = schedule("step", steps=61, step_size=10, decay_factor=0.5, timing="torch")
    np.testing.assert_array_equal(doc, torch[1:])
    assert doc[9] == 0.5 and torch[9] == 1.0 and torch[10] == 0.5
