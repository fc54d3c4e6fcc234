"""Dialect expressions: safety of the parser, names, arguments, conventions, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lrsched_cli.errors import UsageError
from lrsched_cli.sources import dialects
from lrsched_cli.sources.dialects.expr import parse_call


def ev(fw: str, expr: str, steps: int | None = None, base_lr: float = 1.0) -> np.ndarray:
    return dialects.evaluate(fw, expr, steps, base_lr)[0]


@pytest.mark.parametrize("expr, piece", [
    ("StepLR(step_size=__import__('os').system('true'))", "__import__"),
    ("StepLR(step_size=os.system)", "os.system"),
    ("StepLR(step_size=[i for i in range(3)])", "[i for i in range(3)]"),
    ("LambdaLR(lr_lambda=lambda e: e.__class__)", "e.__class__"),
    ("LambdaLR(lr_lambda=lambda e: open('x'))", "open('x')"),
    ("LambdaLR(lr_lambda=lambda e: (lambda: 1)())", "lambda: 1"),
    ("StepLR(step_size=x)", "x"),
    ("StepLR(**kw)", "kw"),
    ("LambdaLR(lr_lambda=lambda e: e[0])", "e[0]"),
    ("LambdaLR(lr_lambda=lambda e, f: e)", "lambda e, f: e"),
    ("LambdaLR(lr_lambda=lambda e: math.__dict__)", "math.__dict__"),
    ("StepLR(step_size=f'{1}')", "f'{1}'"),
])
def test_unsafe_pieces_are_refused_and_quoted(expr, piece):
    with pytest.raises(UsageError) as e:
        ev("torch", expr)
    assert "refused" in str(e.value) and piece in str(e.value)
    assert "\n" not in str(e.value)


def test_parse_never_evaluates(tmp_path, monkeypatch):
    marker = tmp_path / "touched"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError):
        ev("torch", f"StepLR(step_size=open('{marker}', 'w'))")
    assert not marker.exists()


def test_not_a_call_and_syntax_errors():
    with pytest.raises(UsageError, match="expected one call"):
        parse_call("1 + 2")
    with pytest.raises(UsageError, match="cannot parse expression"):
        parse_call("StepLR(step_size=")


def test_unknown_names_and_arguments_suggest():
    with pytest.raises(UsageError, match="unknown torch.optim.lr_scheduler name 'SteppLR' "
                                         r"\(did you mean 'StepLR'\?\); accepted: "):
        ev("torch", "SteppLR(step_size=3)")
    with pytest.raises(UsageError, match=r"StepLR\(\) got an unexpected keyword argument "
                                         r"'step_sise' \(did you mean 'step_size'\?\)"):
        ev("torch", "StepLR(step_sise=3)")
    with pytest.raises(UsageError, match="missing required argument: 'step_size'"):
        ev("torch", "StepLR(gamma=0.5)")
    with pytest.raises(UsageError, match="'foo.StepLR' is not a torch.optim.lr_scheduler name"):
        ev("torch", "foo.StepLR(step_size=3)")


def test_short_qualified_and_optimizer_forms_agree():
    a = ev("torch", "StepLR(step_size=3, gamma=0.5)", 10)
    for expr in ("torch.optim.lr_scheduler.StepLR(step_size=3, gamma=0.5)",
                 "lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)",
                 "StepLR(opt, 3, 0.5)", "StepLR(optimizer=opt, step_size=3, gamma=0.5)"):
        np.testing.assert_array_equal(ev("torch", expr, 10), a)
    b = ev("hf", "get_scheduler('cosine', num_warmup_steps=2, num_training_steps=10)")
    c = ev("hf", "transformers.get_cosine_schedule_with_warmup(optimizer, 2, 10)")
    np.testing.assert_array_equal(b, c)


def test_lambda_body_subset():
    v = ev("torch", "LambdaLR(lr_lambda=lambda e: 0.5 * (1 + math.cos(math.pi * e / 10)) "
                    "if e < 10 else min(0.1, abs(-0.05)) ** 1)", 12)
    assert v[0] == 1.0 and v[10] == 0.05 and v[11] == 0.05
    v = ev("torch", "LambdaLR(lambda step: max(0.0, 1 - step // 3 / 4) and 1 or 0)", 4)
    assert v.tolist() == [1.0, 1.0, 1.0, 1.0]
    v = ev("torch", "MultiplicativeLR(lr_lambda=lambda e: 0.9)", 3, base_lr=0.1)
    assert v.tolist() == [0.1, 0.1 * 0.9, 0.1 * 0.9 * 0.9]


def test_conventions_at_step_zero():
    # hf warmup wastes step 0; optax/keras start at init; timm at warmup_lr_init
    assert ev("hf", "get_linear_schedule_with_warmup(10, 100)")[0] == 0.0
    assert ev("optax", "warmup_cosine_decay_schedule(0.0, 1.0, 10, 100)")[0] == 0.0
    assert ev("keras", "CosineDecay(0.05, 100, warmup_target=1.0, warmup_steps=10)")[0] == 0.05
    assert ev("timm", "CosineLRScheduler(t_initial=100, warmup_t=5, warmup_lr_init=1e-5)",
              base_lr=0.1)[0] == 1e-5


def test_implied_lengths():
    assert dialects.evaluate("torch", "OneCycleLR(max_lr=0.1, total_steps=37)", None, 1)[1] == 37
    assert dialects.evaluate("torch", "OneCycleLR(max_lr=0.1, epochs=3, steps_per_epoch=7)",
                             None, 1)[1] == 21
    assert dialects.evaluate("hf", "get_cosine_schedule_with_warmup(5, 250)", None, 1)[1] == 250
    assert dialects.evaluate("keras", "CosineDecay(0.1, 100, warmup_target=0.2, "
                                      "warmup_steps=10)", None, 1)[1] == 110
    assert dialects.evaluate("optax", "warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000)",
                             None, 1)[1] == 1000
    assert dialects.evaluate("timm", "CosineLRScheduler(t_initial=100, warmup_t=5, "
                                     "warmup_prefix=True)", None, 1)[1] == 105
    assert dialects.evaluate("torch", "StepLR(step_size=3)", None, 1)[1] == 100  # default


def test_onecycle_past_its_end_is_torchs_error():
    # lr[10] is torch's one allowed extra step; lr[11] would be its 11th step() call
    with pytest.raises(UsageError, match="Tried to step 11 times. The specified number of "
                                         "total steps is 10"):
        ev("torch", "OneCycleLR(max_lr=0.1, total_steps=10)", 12)
    assert len(ev("torch", "OneCycleLR(max_lr=0.1, total_steps=10)", 11)) == 11


def test_base_lr_only_where_the_framework_multiplies(run):
    r = run("export", "optax", "constant_schedule(0.1)", "--base-lr", "0.5")
    assert r.exit_code == 2 and "--base-lr does not apply to optax" in r.stderr


def test_dialect_cli_examples_from_the_issue(run, tmp_path):
    r = run("export", "torch", "OneCycleLR(max_lr=0.1, total_steps=1000)", "--steps", "1000")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 1001
    r = run("export", "torch", "torch.optim.lr_scheduler.StepLR(step_size=10, gamma=0.5)",
            "--base-lr", "0.1", "--steps", "100")
    assert r.stdout.splitlines()[10:12] == ["9,0.1", "10,0.05"]
    out = tmp_path / "hf.png"
    r = run("plot", "hf", "get_cosine_schedule_with_warmup(num_warmup_steps=100, "
            "num_training_steps=1000)", "--base-lr", "3e-4", "-o", str(out))
    assert r.exit_code == 0 and out.read_bytes()[:4] == b"\x89PNG"
    r = run("export", "timm", "CosineLRScheduler(t_initial=100, warmup_t=5, "
            "warmup_lr_init=1e-5)", "--base-lr", "0.1", "--steps", "110")
    assert r.exit_code == 0 and r.stdout.splitlines()[-1] == "109,0.0"
    r = run("export", "optax", "warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, "
            "warmup_steps=100, decay_steps=1000)", "--steps", "1000", "-f", "json")
    assert r.exit_code == 0
    r = run("export", "keras", "CosineDecay(initial_learning_rate=0.1, decay_steps=100, "
            "warmup_steps=10, warmup_target=0.2)", "--steps", "120")
    assert r.stdout.splitlines()[11] == "10,0.2"


def test_framework_rejection_is_one_line_exit_2(run):
    r = run("table", "torch", "ConstantLR(factor=1.5)")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == ("lrsched: error: ValueError: Constant multiplicative factor expected to "
                        "be between 0 and 1.\n")
    r = run("table", "torch", "StepLR(step_size=0)")
    assert r.exit_code == 2 and "ZeroDivisionError at step 1" in r.stderr


def test_compare_across_dialects_shows_the_one_step_difference(run):
    r = run("compare", "step --step-size 10", "torch 'StepLR(step_size=10, gamma=0.5)' "
            "--base-lr 1")
    assert r.exit_code == 0, r.stderr
    assert "differ: first at step 9 (0.5 vs 1)" in " ".join(r.stdout.split())


@pytest.mark.parametrize("dialect, expr, native", [
    ("torch", "MultiStepLR(milestones=[2, 4], gamma=0.1)", None),  # torch: 0.1*0.1, not 0.01
    ("torch", "StepLR(step_size=3, gamma=0.5)",
     "step --timing torch --step-size 3 --decay-factor 0.5 --initial-lr 1"),
    ("optax", "exponential_decay(1.0, transition_steps=1, decay_rate=0.9)", None),
])
@pytest.mark.parametrize("length", ["--steps 7 --per-epoch --steps-per-epoch 5",
                                    "--steps 7ep --per-epoch --steps-per-epoch 5",
                                    "--steps 7 --per-epoch --dataset-size 50 --batch-size 10",
                                    "--steps 7 --per-epoch --steps-per-epoch 5 --start 12"])
def test_every_length_option_works_on_dialects(run, dialect, expr, native, length):
    """Issue 14.6: a dialect takes --per-epoch and the epoch lengths as native schedules do:
    each epoch's value is held for its steps, exactly the dialect's per-epoch values."""
    import shlex

    r = run("export", dialect, expr, *shlex.split(length), "-f", "json")
    assert r.exit_code == 0, r.stderr
    got = np.array(json.loads(r.stdout)["lr"])
    per_epoch = np.array(json.loads(run("export", dialect, expr, "--steps", "7", "-f",
                                        "json").stdout)["lr"])
    start = 12 if "--start" in length else 0
    assert got.tolist() == np.repeat(per_epoch, 5)[start:].tolist()
    if native:  # and a native schedule with the same options agrees
        want = json.loads(run("export", *shlex.split(native), *shlex.split(length), "-f",
                              "json").stdout)["lr"]
        assert got.tolist() == want


def test_dialect_lengths_in_epochs_and_tokens(run):
    r = run("export", "torch", "StepLR(step_size=3)", "--steps", "4ep", "--steps-per-epoch",
            "5", "-f", "json")
    assert json.loads(r.stdout)["steps"] == 20
    r = run("export", "torch", "StepLR(step_size=3)", "--steps", "1Mtok", "--tokens-per-step",
            "5e4", "-f", "json")
    assert json.loads(r.stdout)["steps"] == 20
    r = run("export", "torch", "StepLR(step_size=3)", "--steps", "4ep")
    assert r.exit_code == 2 and "--steps-per-epoch" in r.stderr


# --- issue 14: metric-driven schedulers, Keras restarts, torch error wording ---------------


def evm(fw: str, expr: str, metrics: list[float], steps: int | None = None,
        base_lr: float = 1.0) -> np.ndarray:
    return dialects.evaluate(fw, expr, steps, base_lr, np.array(metrics, dtype=np.float64))[0]


def test_timm_plateau_follows_train_py():
    # lr[0]: the constructor's lr (the base lr without warmup, not 0); lr[i+1]: after
    # step(i + 1, metrics[i]). mode='min', patience 0: metrics[1] > metrics[0] is the first
    # bad epoch, so lr[2] is the first reduced value.
    v = evm("timm", "PlateauLRScheduler(mode='min', patience_t=0, decay_rate=0.5)",
            [1.0, 2.0, 3.0, 0.5, 0.4], base_lr=0.1)
    assert v.tolist() == [0.1, 0.1, 0.05, 0.025, 0.025]
    v = evm("timm", "PlateauLRScheduler()", [0.5] * 5, base_lr=0.1)
    assert v.tolist() == [0.1] * 5
    # with a warmup: warmup_lr_init first, the base lr at epoch warmup_t, metrics ignored
    v = evm("timm", "PlateauLRScheduler(mode='min', patience_t=0, warmup_t=2, "
                    "warmup_lr_init=0.02, decay_rate=0.5)", [9.0, 9.0, 1.0, 2.0, 3.0], base_lr=0.1)
    assert v.tolist() == [0.02, 0.06, 0.1, 0.1, 0.05]


def test_keras_restart_index_is_keras_float32():
    v = ev("keras", "CosineDecayRestarts(1.0, 1, t_mul=3.0)", 125)
    assert v[121] == 1.0 and v[120] < 1e-3  # float64 logs said 4.999999999999999: 0.0
    v = ev("keras", "CosineDecayRestarts(1.0, 5, t_mul=1.2)", 12)
    assert v[11] < 1e-12 and v[5] == 1.0  # float32 says 1.9999999 at step 11: no restart yet
    from lrsched_cli.sources.dialects.keras.float32 import _xla_log_f32

    # XLA's float32 log is not the correctly rounded one (that is 0.3646431565284729)
    assert float(_xla_log_f32(np.float32(1.44))) == 0.3646431267261505
    assert float(_xla_log_f32(np.float32(243.0))) == 5.493061542510986


def test_keras_restarts_with_t_mul_below_1_end_in_a_refusal():
    assert len(ev("keras", "CosineDecayRestarts(1.0, 10, t_mul=0.5)", 20)) == 20
    with pytest.raises(UsageError, match="nan from step 20 in Keras"):
        ev("keras", "CosineDecayRestarts(1.0, 10, t_mul=0.5)", 21)


def test_hf_greedy_up_and_down():
    # patience 0: each improvement divides by factor (up to max_lr), each other metric
    # multiplies by it (down to min_lr); metrics[i] is step i+1's argument
    v = evm("hf", "get_greedy_schedule(patience=0, factor=0.5, min_lr=0.01, max_lr=0.5)",
            [1.0, 0.5, 0.25, 0.3, 0.3, 0.3, 0.3, 0.3], base_lr=0.1)
    assert v.tolist() == [0.1, 0.2, 0.4, 0.5, 0.25, 0.125, 0.0625, 0.03125]
    same = evm("hf", "get_scheduler('greedy', scheduler_specific_kwargs={'patience': 0, "
                     "'factor': 0.5, 'min_lr': 0.01, 'max_lr': 0.5})",
               [1.0, 0.5, 0.25, 0.3, 0.3, 0.3, 0.3, 0.3], base_lr=0.1)
    np.testing.assert_array_equal(v, same)
    # at min_lr, reset_start reductions bring back the initial lr (and a fresh best)
    v = evm("hf", "GreedyLR(patience=0, factor=0.5, min_lr=0.025, reset_start=2)",
            [1.0, 2.0, 2.0, 2.0, 2.0, 2.0], base_lr=0.1)
    assert v.tolist() == [0.1, 0.2, 0.1, 0.05, 0.025, 0.1]


def test_hf_greedy_refusals():
    with pytest.raises(UsageError, match="GreedyLR needs --metrics"):
        ev("hf", "get_greedy_schedule()")
    with pytest.raises(UsageError, match="TypeError: get_greedy_schedule"):
        evm("hf", "get_greedy_schedule(optimizer, 'max')", [1.0])
    with pytest.raises(UsageError, match="ValueError: Factor should be < 1.0."):
        evm("hf", "get_scheduler('greedy', scheduler_specific_kwargs={'factor': 1.5})", [1.0])


def test_torch_plateau_nan_metric_is_a_bad_epoch():
    v = evm("torch", "ReduceLROnPlateau(patience=0, factor=0.5)",
            [float("nan"), 1.0, float("nan"), 0.5, float("inf"), 0.4], base_lr=0.1)
    # nan first: bad (reduce), 1.0: best, nan: bad (reduce), 0.5: best, inf: bad (reduce)
    assert v.tolist() == [0.1, 0.05, 0.05, 0.025, 0.025, 0.0125]


def test_torch_plateau_takes_no_last_epoch():
    with pytest.raises(UsageError, match="TypeError: ReduceLROnPlateau.*'last_epoch'"):
        evm("torch", "ReduceLROnPlateau(last_epoch=-1)", [1.0, 2.0])


def test_torch_nested_sequential_at_a_milestone_is_torchs_error():
    expr = ("SequentialLR(schedulers=[ExponentialLR(gamma=0.5), SequentialLR(schedulers=["
            "ConstantLR(factor=0.5, total_iters=2), ExponentialLR(gamma=0.9)], milestones=[2])], "
            "milestones=[3])")
    with pytest.raises(UsageError, match="at step 3: NotImplementedError: a SequentialLR "
                                         "inside SequentialLR cannot start at a milestone"):
        ev("torch", expr, 6)
    assert len(ev("torch", expr, 3)) == 3  # the values before the milestone are fine


def test_issue14_cli_end_to_end(run, tmp_path):
    m = tmp_path / "m.txt"
    m.write_text("1.0\n2.0\n3.0\nnan\n0.5\n")
    r = run("export", "timm", "PlateauLRScheduler(mode='min', patience_t=0, decay_rate=0.5)",
            "--metrics", str(m), "--base-lr", "0.1")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["0,0.1", "1,0.1", "2,0.05", "3,0.025", "4,0.0125"]
    r = run("export", "hf", "get_scheduler('greedy', scheduler_specific_kwargs={'patience': 0})",
            "--metrics", str(m), "--base-lr", "0.1")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:3] == ["0,0.1", "1,0.10526315789473685"]
    r = run("export", "torch", "ReduceLROnPlateau(patience=0)", "--metrics", str(m))
    assert r.exit_code == 0, r.stderr
    r = run("export", "plateau", "--metrics", str(m))  # the native schedule keeps refusing nan
    assert r.exit_code == 2 and "'nan' is not a finite number" in r.stderr
    r = run("export", "keras", "CosineDecayRestarts(1.0, 1, t_mul=3.0)", "--steps", "122")
    assert r.exit_code == 0 and r.stdout.splitlines()[-1] == "121,1.0"
    errors = [
        ("hf", "get_greedy_schedule()", "GreedyLR needs --metrics"),
        ("torch", "ReduceLROnPlateau(last_epoch=-1)", "unexpected keyword argument 'last_epoch'"),
        ("timm", "PlateauLRScheduler()", "PlateauLRScheduler needs --metrics"),
        ("torch", "SequentialLR(schedulers=[ConstantLR(factor=0.5, total_iters=2), "
                  "SequentialLR(schedulers=[ConstantLR(factor=0.5, total_iters=2), "
                  "ExponentialLR(gamma=0.9)], milestones=[2])], milestones=[3])",
         "NotImplementedError"),
        ("keras", "CosineDecayRestarts(1.0, 10, t_mul=0.5)", "nan from step 20"),
    ]
    for fw, expr, words in errors:
        r = run("export", fw, expr, "--steps", "30")
        assert r.exit_code == 2, (expr, r.stderr)
        assert words in r.stderr and r.stderr.count("\n") == 1, r.stderr
        assert "Traceback" not in r.stderr and r.stdout == ""
