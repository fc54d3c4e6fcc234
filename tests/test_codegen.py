"""lrsched code: the emitted snippet, read back by the matching dialect, gives the same values."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from lrsched_cli.errors import UsageError
from lrsched_cli.schedules import registry
from lrsched_cli.schedules.compose import schedule_values
from lrsched_cli.sources import dialects
from lrsched_cli.sources.codegen import FRAMEWORKS, emit
from lrsched_cli.sources.codegen.keras import KERAS_MAX_VALUES

METRICS = [1.0 / (i + 1) if i < 40 else 0.025 + 1e-6 * (i % 3) for i in range(100)]

VARIANTS: list[tuple[str, dict]] = [(name, {}) for name in registry.names()]
VARIANTS += [
    ("step", {"timing": "torch"}), ("staircase-exp", {"timing": "torch"}),
    ("cosine", {"warmup": 10}), ("cosine", {"warmup": 10, "lr_min": 0.0}),
    ("cosine", {"warmup": 5, "warmup_mode": "overlay", "warmup_shape": "cosine"}),
    ("cyclic", {"mode": "triangular2", "step_size_down": 7}),
    ("cyclic", {"mode": "exp_range"}), ("sgdr", {"restart_decay": 0.5}),
    ("sgdr", {"t_mult": 1}), ("one-cycle", {"anneal_strategy": "linear", "three_phase": True}),
    ("linear", {"start_factor": 0.5, "end_factor": 1.0, "total_iters": 30}),
    ("constant", {"factor": 0.5, "total_iters": 10}), ("wsd", {"decay_shape": "1-sqrt"}),
    ("wsd", {"lr_min": 0.0, "decay_shape": "cosine", "warmup": 0}),
    ("polynomial", {"warmup": 20, "warmup_start": 1e-3, "warmup_shape": "exponential"}),
    ("exponential", {"warmup": 3}), ("multistep", {"milestones": "10,10,50"}),
    ("cosine", {"k_decay": 2.0}), ("polynomial", {"k_decay": 0.5}),
    ("cosine", {"warmup": 10, "hold": 20}), ("cosine", {"hold": "70%"}),
    ("linear", {"warmup": 10, "hold": 20, "initial_lr": 1.0}),
    ("cosine", {"warmup": 10, "warmup_shape": "log", "warmup_start": 1e-4}),
    ("stlr", {"steps": 105, "variant": "clamped"}), ("noam", {"convention": "fairseq",
                                                              "steps": 6000}),
    ("noam", {"convention": "t2t", "steps": 1000}), ("rsqrt", {"steps": 1500}),
    ("inverse-time", {"staircase": True, "decay_steps": 10}),
]


def emit_is_values(spec) -> bool:
    """Keras has no class for this schedule (its snippet lists the values)."""
    try:
        return "PiecewiseConstantDecay" in emit(spec.replace(n=10), "keras").expr
    except UsageError:
        return False


def _cases():
    for name, kw in VARIANTS:
        for fw in FRAMEWORKS:
            if name == "plateau" and fw in ("optax", "keras"):
                continue
            yield pytest.param(name, kw, fw, id=f"{name}-{fw}-{kw}")


@pytest.mark.parametrize("name, kw, fw", list(_cases()))
def test_round_trip(name, kw, fw):
    raw = dict(kw)
    if name == "plateau":
        raw["metrics"] = METRICS
    spec = registry.resolve(name, raw)
    want = schedule_values(spec)
    if fw == "keras" and spec.n > KERAS_MAX_VALUES and emit_is_values(spec):
        with pytest.raises(UsageError, match="at most 2000"):
            emit(spec, fw)
        return
    snip = emit(spec, fw)
    ast.parse(snip.text)  # valid Python
    assert snip.expr in snip.text.replace("(optimizer, ", "(").replace("(optimizer)", "()")
    metrics = np.array(METRICS) if name == "plateau" else None
    got, n = dialects.evaluate(snip.dialect, snip.expr, spec.n, snip.base_lr, metrics)
    assert n == spec.n
    peak = float(np.max(np.abs(want)))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15 * peak)


def test_standard_classes_where_they_fit():
    spec = registry.resolve("cosine", {})
    assert emit(spec, "torch").expr == "CosineAnnealingLR(T_max=100, eta_min=0.001)"
    assert emit(spec, "optax").expr.startswith("optax.cosine_decay_schedule(")
    assert emit(spec, "keras").expr.startswith("keras.optimizers.schedules.CosineDecay(")
    spec = registry.resolve("cosine", {"warmup": 10, "lr_min": 0})
    assert emit(spec, "hf").expr == ("get_cosine_schedule_with_warmup(num_warmup_steps=10, "
                                     "num_training_steps=100)")
    assert emit(registry.resolve("one-cycle", {}), "torch").expr.startswith("OneCycleLR(")
    assert emit(registry.resolve("wsd", {}), "torch").expr.startswith("LambdaLR(")


def test_code_cli(run):
    r = run("code", "step", "--timing", "torch", "--framework", "torch")
    assert r.exit_code == 0
    assert "scheduler = StepLR(optimizer, step_size=10, gamma=0.5)" in r.stdout
    r = run("code", "plateau", "--metrics", "-", "--framework", "keras", input="1\n2\n")
    assert r.exit_code == 2 and "keras has no reduce-on-plateau schedule" in r.stderr
    r = run("code", "cosine", "--framework", "jax")
    assert r.exit_code == 2 and "--framework: 'jax'" in r.stderr


def test_keras_fallback_refuses_huge_value_lists():
    with pytest.raises(UsageError, match="at most 2000"):
        emit(registry.resolve("wsd", {"steps": 5000}), "keras")
