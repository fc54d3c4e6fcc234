"""The Python API: same values and the same validation as the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from lrsched_cli import schedule
from lrsched_cli.errors import UsageError


def test_schedule_returns_float64_array():
    v = schedule("cosine", lr_max=0.1, steps=100)
    assert isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == (100,)
    assert v[0] == 0.1


def test_aliases_and_kebab_names_are_accepted():
    a = schedule("cosine", eta_min=0.0, steps=10)
    b = schedule("cosine", **{"lr-min": 0.0}, steps=10)
    c = schedule("cosine", lr_min="0", steps="10")
    assert a.tobytes() == b.tobytes() == c.tobytes()


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps=0), "--steps: '0'"),
    (dict(lr_max=float("nan")), "--lr-max: 'nan'"),
    (dict(lr_min=0.5, lr_max=0.1), "--lr-min 0.5 is above --lr-max 0.1"),
    (dict(lr_mx=0.1), "cosine has no parameter 'lr_mx' (did you mean 'lr_max'?)"),
    (dict(lr_max=True), "--lr-max: 'True'"),
    (dict(lr_min=0.0, eta_min=0.0), "--lr-min given twice"),
])
def test_validation_is_the_clis(kwargs, message):
    with pytest.raises(UsageError) as e:
        schedule("cosine", **kwargs)
    assert message in str(e.value)
    assert isinstance(e.value, ValueError)


def test_plateau_takes_a_sequence():
    v = schedule("plateau", initial_lr=1.0, metrics=[5, 5, 5, 5], patience=1)
    assert v.tolist() == [1.0, 1.0, 1.0, 0.1]
    with pytest.raises(UsageError, match="not a finite number"):
        schedule("plateau", metrics=[1.0, float("inf")])


def test_unknown_schedule():
    with pytest.raises(UsageError, match="unknown schedule 'cosne' \\(did you mean 'cosine'"):
        schedule("cosne")


def test_api_covers_dialects_recipes_logs_and_groups(run):
    import numpy as np

    from lrsched_cli import dialect, log, recipe

    lr = dialect("torch", "StepLR(step_size=3, gamma=0.5)", steps=7, base_lr=0.1)
    np.testing.assert_array_equal(lr, [0.1 * 0.5 ** (t // 3) for t in range(7)])
    # the API gives what the command line exports, bit for bit
    cli = run("export", "hf", "get_cosine_schedule_with_warmup(3, 20)", "--base-lr", "3e-4")
    want = [float(x.split(",")[1]) for x in cli.stdout.splitlines()[1:]]
    assert dialect("hf", "get_cosine_schedule_with_warmup(3, 20)", base_lr=3e-4).tolist() \
        == want
    groups = dialect("torch", "StepLR(step_size=2)", steps=4, base_lr=1.0,
                     groups="backbone=0.1,head=1")
    assert list(groups) == ["backbone", "head"]
    np.testing.assert_array_equal(groups["backbone"], 0.1 * groups["head"])
    r = recipe("llama2", steps=10000, size="7b")
    cli = run("export", "recipe", "llama2", "--steps", "10000", "--size", "7b")
    assert r.tolist() == [float(x.split(",")[1]) for x in cli.stdout.splitlines()[1:]]
    steps, values = log("tests/logs/hf/trainer_state.json")
    assert steps.dtype == np.int64 and values.dtype == np.float64 and len(steps) == len(values)
    with pytest.raises(UsageError, match="no dialect 'pytorch'"):
        dialect("pytorch", "StepLR(step_size=3)")


def test_to_torch_sets_exactly_the_computed_rates():
    torch = pytest.importorskip("torch", reason="to_torch needs torch, which is not installed")
    import numpy as np

    from lrsched_cli import schedule, to_torch

    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.01}],
                          lr=0.1)
    want = schedule("cosine", 30, lr_max=0.1, warmup=3, groups="w=1,b=0.1")
    sched = to_torch(opt, want)
    assert isinstance(sched, torch.optim.lr_scheduler.LambdaLR)
    got = []
    for _ in range(32):
        got.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    got = np.array(got)
    np.testing.assert_array_equal(got[:30, 0], want["w"])  # to the last bit
    np.testing.assert_array_equal(got[:30, 1], want["b"])
    assert got[31, 0] == want["w"][-1]  # held after the end
    with pytest.raises(UsageError, match="2 parameter groups"):
        to_torch(opt, {"a": want["w"], "b": want["b"], "c": want["b"]})
