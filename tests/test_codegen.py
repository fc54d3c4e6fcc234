"""lrsched code: the emitted snippet, read back by the matching dialect, gives the same values;
a Keras LearningRateSchedule subclass (which no dialect reads) is run with numpy standing in
for keras.ops, and with real Keras where it is installed."""

from __future__ import annotations

import ast
import sys
import types

import numpy as np
import pytest

from lrsched_cli.errors import UsageError
from lrsched_cli.schedules import registry
from lrsched_cli.schedules.compose import schedule_values
from lrsched_cli.sources import dialects
from lrsched_cli.sources.codegen import FRAMEWORKS, emit

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
    ("plateau", {"warmup": 10, "warmup_start": 0.01, "patience": 3}),
]


def _cases():
    for name, kw in VARIANTS:
        for fw in FRAMEWORKS:
            if name == "plateau" and fw in ("optax", "keras"):
                continue
            yield pytest.param(name, kw, fw, id=f"{name}-{fw}-{kw}")


def fake_keras() -> types.ModuleType:
    """A ``keras`` module with numpy as keras.ops (float64: the formula itself, checked to
    1e-12), the LearningRateSchedule base, SGD and register_keras_serializable."""
    keras = types.ModuleType("keras")

    class Ops(types.ModuleType):
        def __getattr__(self, name):
            return getattr(np, name)

    ops = Ops("keras.ops")
    ops.cast = lambda x, dtype: np.asarray(x, dtype=np.float64)
    ops.full_like = lambda x, v: np.full_like(x, v, dtype=np.float64)

    class LearningRateSchedule:
        @classmethod
        def from_config(cls, config):
            return cls(**config)

    keras.ops = ops
    keras.optimizers = types.SimpleNamespace(
        schedules=types.SimpleNamespace(LearningRateSchedule=LearningRateSchedule),
        SGD=lambda learning_rate: types.SimpleNamespace(learning_rate=learning_rate))
    keras.saving = types.SimpleNamespace(
        register_keras_serializable=lambda package=None, name=None: (lambda cls: cls))
    return keras


def run_keras_class(snip, steps, keras) -> np.ndarray:
    """The snippet run (its class defined, the schedule built), called on ``steps``."""
    saved = {k: sys.modules.get(k) for k in ("keras", "keras.ops")}
    sys.modules["keras"], sys.modules["keras.ops"] = keras, keras.ops
    try:
        ns: dict = {}
        exec(compile(snip.text, "<lrsched code>", "exec"), ns)  # noqa: S102 - lrsched's own
        schedule = eval(snip.expr, ns)  # noqa: S307
        again = type(schedule).from_config(schedule.get_config())
        with np.errstate(all="ignore"):  # ops.where computes every phase everywhere
            return np.asarray(schedule(steps), dtype=np.float64), again
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


@pytest.mark.parametrize("name, kw, fw", list(_cases()))
def test_round_trip(name, kw, fw):
    raw = dict(kw)
    if name == "plateau":
        raw["metrics"] = METRICS
    spec = registry.resolve(name, raw)
    want = schedule_values(spec)
    if name == "plateau" and fw in ("torch", "hf") and kw.get("warmup"):
        with pytest.raises(UsageError, match="ReduceLROnPlateau has no warmup.*--framework timm"):
            emit(spec, fw)
        return
    if fw == "timm" and timm_refuses(name, kw):
        with pytest.raises(UsageError, match=r"^timm(?:'s| has no).*use --framework torch"):
            emit(spec, fw)
        return
    snip = emit(spec, fw)
    ast.parse(snip.text)  # valid Python
    peak = float(np.max(np.abs(want)))
    if snip.dialect is None:  # a Keras LearningRateSchedule subclass: run it
        assert fw == "keras" and "(keras.optimizers.schedules.LearningRateSchedule)" in snip.text
        got, again = run_keras_class(snip, np.arange(spec.n), fake_keras())
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15 * peak)
        assert type(again) is type(eval(snip.expr, {type(again).__name__: type(again)}))
        return
    assert snip.expr in snip.text or \
        snip.expr in snip.text.replace("(optimizer, ", "(").replace("(optimizer)", "()")
    metrics = np.array(METRICS) if name == "plateau" else None
    got, n = dialects.evaluate(snip.dialect, snip.expr, spec.n, snip.base_lr, metrics)
    assert n == spec.n
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
    assert emit(registry.resolve("wsd", {}), "torch").expr.startswith("def lr_lambda(step):")


def test_code_cli(run):
    r = run("code", "step", "--timing", "torch", "--framework", "torch")
    assert r.exit_code == 0
    assert "scheduler = StepLR(optimizer, step_size=10, gamma=0.5)" in r.stdout
    r = run("code", "plateau", "--metrics", "-", "--framework", "keras", input="1\n2\n")
    assert r.exit_code == 2 and "keras has no reduce-on-plateau schedule" in r.stderr
    r = run("code", "cosine", "--framework", "jax")
    assert r.exit_code == 2 and "--framework: 'jax'" in r.stderr


def test_keras_class_is_not_capped():
    """The subclass computes any length (the value list it replaces stopped at 2,000 steps)."""
    spec = registry.resolve("wsd", {"steps": 5_000_000})
    snip = emit(spec, "keras")
    assert len(snip.text) < 2000 and "PiecewiseConstantDecay" not in snip.text
    steps = np.array([0, 7, 4_000_000, 4_999_999])
    got, _ = run_keras_class(snip, steps, fake_keras())
    from lrsched_cli.schedules.compose import schedule_at
    np.testing.assert_allclose(got, schedule_at(spec, steps), rtol=1e-12)


def test_keras_class_with_real_keras():
    """Where Keras is installed: the emitted class computes lrsched's values in float32."""
    keras = pytest.importorskip("keras")
    if getattr(keras, "__file__", None) is None:  # a folder named keras, not the library
        pytest.skip("Keras is not installed")
    for name, kw in VARIANTS:
        spec = registry.resolve(name, dict(kw, metrics=METRICS) if name == "plateau" else kw)
        if name == "plateau":
            continue
        snip = emit(spec, "keras")
        if snip.dialect is not None:
            continue
        ns: dict = {}
        exec(compile(snip.text, "<lrsched code>", "exec"), ns)  # noqa: S102
        schedule = eval(snip.expr, ns)  # noqa: S307
        want = schedule_values(spec)
        got = np.asarray(keras.ops.convert_to_numpy(schedule(np.arange(spec.n))), np.float64)
        peak = float(np.max(np.abs(want)))
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-6 * peak, err_msg=name)
        again = keras.optimizers.schedules.deserialize(
            keras.optimizers.schedules.serialize(schedule))
        assert type(again) is type(schedule)


# Schedules (as VARIANTS has them) no timm class computes: refused in one line.
NOT_TIMM = {"exponential", "natural-exp", "staircase-exp", "cyclic", "one-cycle", "inverse-sqrt",
            "stlr", "rex", "noam", "rsqrt", "tri-stage", "hyperbolic", "exp-hyperbolic",
            "fastai-one-cycle", "inverse-time"}


def timm_refuses(name, kw) -> bool:
    """No timm class computes this variant (a name of NOT_TIMM, a hold, a non-linear warmup,
    an overlay warmup that hands over, a constant with a scaled start)."""
    return (name in NOT_TIMM or bool(kw.get("hold"))
            or (bool(kw.get("warmup")) and kw.get("warmup_shape", "linear") != "linear")
            or (kw.get("warmup_mode") == "overlay" and kw.get("warmup_target") != "peak")
            or (name == "constant" and kw.get("factor", 1.0) != 1.0)
            or (name == "sgdr" and "restart_decay" in kw and kw.get("lr_min") != 0.0))


def test_timm_classes():
    """timm's own classes where they compute the schedule; the rest refused, naming why."""
    def timm(name, **kw):
        return emit(registry.resolve(name, kw), "timm")
    assert timm("cosine").expr == ("CosineLRScheduler(t_initial=100, lr_min=0.001, "
                                   "t_in_epochs=False)")
    snip = timm("cosine", warmup=10)
    assert snip.expr.startswith("CosineLRScheduler(t_initial=90, lr_min=0.001, warmup_t=10, "
                                "warmup_lr_init=0.0, warmup_prefix=True")
    assert "scheduler.step_update(num_updates=step + 1)" in snip.text
    assert timm("multistep").expr.startswith("MultiStepLRScheduler(decay_t=[31, 61, 91]")
    assert timm("step").expr.startswith("MultiStepLRScheduler(decay_t=[10, 20, ")
    assert timm("step", timing="torch").expr.startswith("StepLRScheduler(decay_t=10, ")
    assert timm("wsd").expr.startswith("WSDLRScheduler(t_initial=90, decay_t=20, ")
    assert timm("sgdr").expr.startswith("CosineLRScheduler(t_initial=10, lr_min=0.001, "
                                        "cycle_mul=2.0, cycle_limit=4")
    snip = timm("cosine", per_epoch=True, steps_per_epoch=50)
    assert "t_in_epochs" not in snip.expr and "scheduler.step(epoch + 1)" in snip.text
    for name, kw, why in [
            ("cosine", {"hold": 5}, "a hold"),
            ("cosine", {"warmup": 5, "warmup_shape": "cosine"}, "a cosine warmup"),
            ("cosine", {"warmup": 5, "warmup_mode": "overlay"}, "an overlay warmup"),
            ("one-cycle", {}, "one-cycle"),
            ("sgdr", {"restart_decay": 0.5}, "sgdr with restart_decay and lr_min > 0"),
            ("sgdr", {"t_mult": 3, "steps": 3000}, "misplaces this sgdr's restart at step 1210")]:
        with pytest.raises(UsageError) as e:
            timm(name, **kw)
        msg = str(e.value)
        assert why in msg and "use --framework torch" in msg and "\n" not in msg, msg
    snip = timm("cosine", warmup=5, warmup_mode="overlay", warmup_target="peak")
    assert "warmup_prefix" not in snip.expr
    snip = timm("sgdr", restart_decay=0.5, lr_min=0.0)
    got, _ = dialects.evaluate("timm", snip.expr, 100, snip.base_lr)
    want = schedule_values(registry.resolve("sgdr", {"restart_decay": 0.5, "lr_min": 0.0}))
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_torch_lambda_is_a_def():
    """A named function with one branch per phase, read back by the torch dialect."""
    snip = emit(registry.resolve("cosine", {"warmup": 10, "hold": 20}), "torch")
    assert "from torch.optim.lr_scheduler import LambdaLR\n" in snip.text
    assert "import *" not in snip.text and "lambda " not in snip.text
    assert "def lr_lambda(step):" in snip.text
    assert "    if step < 10:  # warmup\n        return 0.1 * (step / 10)\n" in snip.text
    assert "    if step < 30:  # hold\n        return 0.1\n" in snip.text
    assert "    t = step - 30  # cosine runs over the 70 steps after the warmup and the hold\n" \
        in snip.text
    assert "scheduler = LambdaLR(optimizer, lr_lambda)\n" in snip.text
    tri = emit(registry.resolve("tri-stage", {}), "torch").text
    for label in ("warmup", "hold", "decay"):
        assert f":  # {label}\n" in tri
    assert "  # tail\n" in tri


def test_optax_joins_named_pieces():
    snip = emit(registry.resolve("cosine", {"warmup": 10, "hold": 20}), "optax")
    assert snip.expr.startswith("optax.join_schedules(\n    schedules=[\n        "
                                "optax.linear_schedule(init_value=0.0, end_value=0.1, "
                                "transition_steps=10),  # warmup, linear\n        "
                                "optax.constant_schedule(0.1),  # hold, 20 steps\n        "
                                "optax.cosine_decay_schedule(")
    assert "boundaries=[10, 30]" in snip.expr
