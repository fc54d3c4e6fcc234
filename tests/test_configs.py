"""config FILE: the lr of every optimizer update, counted as the trainer counts.

The exact values against the real trainers are in tests/test_golden_configs.py; here: the
counting rules on hand-worked cases, the word on every command, and the errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lrsched_cli.errors import UsageError
from lrsched_cli.sources.configs import Inputs, read


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def hf_json(tmp_path, **kw) -> str:
    return write(tmp_path, "train_args.json", json.dumps({"output_dir": "out", **kw}))


def test_hf_linear_counts_updates_and_warmup_by_hand(tmp_path):
    # 103 samples / batch 8 -> 13 batches; accumulation 2 -> 7 updates an epoch (the 7th has
    # one batch); 2.5 epochs -> ceil(17.5) = 18 updates; warmup 0.1 -> ceil(1.8) = 2.
    path = hf_json(tmp_path, learning_rate=0.1, per_device_train_batch_size=8,
                   gradient_accumulation_steps=2, num_train_epochs=2.5, warmup_steps=0.1)
    r = read(path, Inputs(dataset_size=103))
    lr = r.groups["0"]
    T, W = 18, 2
    expected = [0.1 * k / W if k < W else 0.1 * (T - k) / (T - W) for k in range(T)]
    np.testing.assert_allclose(lr, expected, rtol=1e-12, atol=0)
    facts = dict(r.facts)
    assert facts["batches per epoch"].startswith("13 ")
    assert facts["updates per epoch"].startswith("7 ")
    assert facts["total updates"].startswith("18 ")
    assert facts["warmup"].startswith("2 updates")
    assert any("1 of 2 batches" in s for s in r.surprises)
    assert any("stops after 4 of its 7" in s for s in r.surprises)


@pytest.mark.parametrize("warmup, expected", [(2.7, 2), (0.25, 5), (0.01, 1), (0, 0)])
def test_hf_warmup_count_is_truncated_and_ratio_rounded_up(tmp_path, warmup, expected):
    path = hf_json(tmp_path, max_steps=20, warmup_steps=warmup, learning_rate=1.0,
                   lr_scheduler_type="constant_with_warmup")
    lr = read(path, Inputs()).groups["0"]
    assert len(lr) == 20
    # constant_with_warmup: k / W during the warmup, then 1
    assert int(np.sum(lr < 1.0)) == expected


def test_hf_drop_last_and_world_size(tmp_path):
    path = hf_json(tmp_path, per_device_train_batch_size=4, dataloader_drop_last=True,
                   num_train_epochs=1)
    assert read(path, Inputs(dataset_size=43)).updates == 10  # floor(43 / 4)
    assert read(path, Inputs(dataset_size=43, world_size=2)).updates == 5  # floor(43 / 8)
    path = hf_json(tmp_path, per_device_train_batch_size=4, num_train_epochs=1)
    assert read(path, Inputs(dataset_size=43, world_size=2)).updates == math.ceil(43 / 8)


def test_hf_yaml_and_set_overrides(tmp_path):
    path = write(tmp_path, "args.yaml", "learning_rate: 3.0e-4\nmax_steps: 10\n"
                                        "lr_scheduler_type: cosine\n")
    r = read(path, Inputs(sets=("max_steps=12", "lr_scheduler_kwargs.num_cycles=1.0")))
    assert r.updates == 12
    assert r.groups["0"][0] == 3e-4
    # num_cycles 1.0: a full cosine period, back at the peak half-way round
    k = np.arange(12)
    np.testing.assert_allclose(r.groups["0"], 3e-4 * 0.5 * (1 + np.cos(2 * np.pi * k / 12)),
                               rtol=1e-12, atol=1e-20)


@pytest.mark.parametrize("doc, inputs, message", [
    ({"warmup_ratio": 0.1, "max_steps": 10}, {}, "warmup_ratio"),
    ({"lr_scheduler_type": "cosine"}, {}, "--dataset-size"),
    ({"lr_scheduler_type": "foo", "max_steps": 3}, {}, "'foo' is not one of: linear"),
    ({"lr_scheduler_type": "reduce_lr_on_plateau", "max_steps": 3}, {}, "metrics"),
    ({"learning_rate": "fast", "max_steps": 3, "lr_scheduler_type": "linear"}, {},
     "learning_rate 'fast'"),
    ({"learning_rate": "3e-4", "max_steps": 3}, {}, "write 0.0003"),
])
def test_hf_refusals_name_the_key(tmp_path, doc, inputs, message):
    path = hf_json(tmp_path, **doc)
    with pytest.raises(UsageError, match=message):
        read(path, Inputs(**inputs))


@pytest.mark.parametrize("assignment", ["max_steps", "=3", "a..b=1", "output_dir.x=1"])
def test_bad_set_is_refused(tmp_path, assignment):
    path = hf_json(tmp_path, max_steps=3)
    with pytest.raises(UsageError, match="--set"):
        read(path, Inputs(sets=(assignment,)))


def test_unknown_content_names_what_is_read(tmp_path):
    path = write(tmp_path, "x.yaml", "foo: 1\n")
    with pytest.raises(UsageError, match="is not a config lrsched knows.*hf"):
        read(path, Inputs())
    path = write(tmp_path, "x.yaml", "- 1\n- 2\n")
    with pytest.raises(UsageError, match="no mapping"):
        read(path, Inputs())
    path = write(tmp_path, "x.json", "{nope")
    with pytest.raises(UsageError, match="not valid JSON"):
        read(path, Inputs())


def test_config_word_on_the_commands(run, tmp_path):
    path = hf_json(tmp_path, learning_rate=0.1, per_device_train_batch_size=8,
                   num_train_epochs=2, warmup_steps=2)
    r = run("export", "config", path, "--dataset-size", "40")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "step,lr" and len(lines) == 1 + 10  # 5 updates an epoch, 2 epochs
    assert lines[1] == "0,0.0"
    r = run("table", "config", path, "--dataset-size", "40")
    assert r.exit_code == 0
    assert "Hugging Face Trainer" in r.stdout and "updates per epoch" in r.stdout
    r = run("info", "config", path, "--dataset-size", "40")
    assert r.exit_code == 0 and "total updates" in r.stdout and "10 = ceil(2 epochs x 5)" \
        in r.stdout
    r = run("compare", f"config {path} --dataset-size 40", "linear --steps 10")
    assert r.exit_code == 0, r.output
    r = run("export", "config", path)
    assert r.exit_code == 2 and "--dataset-size" in r.stderr
    assert "\n" not in r.stderr.strip()


def test_config_in_a_spec_file(run, tmp_path):
    path = hf_json(tmp_path, learning_rate=0.1, num_train_epochs=1,
                   per_device_train_batch_size=4)
    spec = write(tmp_path, "team.toml", f'[[schedules]]\nschedule = "config"\nfile = "{path}"\n'
                                        'dataset_size = 20\nset = ["warmup_steps=1"]\n')
    r = run("compare", "--spec", spec, "cosine --steps 5", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = r.stdout.splitlines()
    assert len(rows) == 1 + 5 and rows[1].split(",")[1] == "0.0"  # the warmup from --set


def test_python_configs_are_read_not_run(tmp_path):
    from lrsched_cli.sources.configs.pyfile import Code, module_values

    marker = tmp_path / "ran"
    values = module_values(
        "import os\n"
        f"os.system('touch {marker}')\n"
        "epochs = 12\nwarm = 5\n"
        "sched = [dict(type='LinearLR', end=warm * 100), dict(type='X', end=epochs)]\n"
        "lr: float = 0.02 / 8 * 2\n"
        "model = build_model(epochs)\n"
        "a = 10 ** 1000\nb = a * a * a * a * a\n"
        "c = 2 ** 10 ** 10\n", "cfg.py")
    assert not marker.exists()
    assert values["sched"] == [{"type": "LinearLR", "end": 500}, {"type": "X", "end": 12}]
    assert values["lr"] == 0.02 / 8 * 2
    assert isinstance(values["model"], Code) and values["model"].text == "build_model(epochs)"
    assert isinstance(values["b"], Code) and isinstance(values["c"], Code)  # no bombs


# ------------------------------------------------------------------------------ MMEngine
def mm_cfg(tmp_path, schedulers: str, train_cfg: str = "dict(type='EpochBasedTrainLoop', "
           "max_epochs=2)", wrapper: str = "dict(optimizer=dict(type='SGD', lr=1.0))",
           batch: int = 2, name: str = "cfg.py") -> str:
    return write(tmp_path, name, f"train_dataloader = dict(batch_size={batch})\n"
                                 f"train_cfg = {train_cfg}\noptim_wrapper = {wrapper}\n"
                                 f"param_scheduler = {schedulers}\n")


def test_mmengine_chained_warmup_by_hand(tmp_path):
    # 10 rows / batch 2 = 5 iterations an epoch, 2 epochs. LinearLR(0.25) over iterations
    # [0, 4) ramps over end - begin - 1 = 3 steps: 0.25, x2 = 0.5, x1.5 = 0.75, x4/3 = 1.0
    # (reached at iteration 3, one early); MultiStepLR([1]) by epoch: x0.1 from epoch 1.
    path = mm_cfg(tmp_path, "[dict(type='LinearLR', start_factor=0.25, by_epoch=False, "
                            "end=4), dict(type='MultiStepLR', milestones=[1])]")
    r = read(path, Inputs(dataset_size=10))  # told from its content: a .py with optim_wrapper
    assert r.format == "mmengine"
    np.testing.assert_allclose(r.groups["0"], [0.25, 0.5, 0.75, 1, 1] + [0.1] * 5, rtol=1e-12)
    facts = dict(r.facts)
    assert facts["iterations per epoch"].startswith("5 ")
    assert facts["iterations"].startswith("10 ")
    assert any("one iteration before its end 4" in s for s in r.surprises)
    assert any("overlap" in s for s in r.surprises)


def test_mmengine_accumulation_counter_is_global(tmp_path):
    # 7 iterations an epoch x 3 = 21; windows of 4 end at counts 4, 8, ..., 20 and at 21.
    path = mm_cfg(tmp_path, "dict(type='ConstantLR', factor=0.5, by_epoch=False, end=2)",
                  "dict(type='EpochBasedTrainLoop', max_epochs=3)",
                  "dict(optimizer=dict(type='SGD', lr=0.2), accumulative_counts=4)", batch=8)
    r = read(path, Inputs(dataset_size=50))
    assert r.updates == 6
    np.testing.assert_allclose(r.groups["0"], [0.2] * 6)  # ConstantLR ended at iteration 1
    assert any("cross epoch ends" in s for s in r.surprises)
    assert any("1 of 4 iterations" in s for s in r.surprises)


def test_mmengine_iter_loop_needs_no_dataset_and_by_epoch_never_steps(tmp_path):
    path = mm_cfg(tmp_path, "dict(type='ExponentialLR', gamma=0.5)",
                  "dict(type='IterBasedTrainLoop', max_iters=6)")
    r = read(path, Inputs())
    np.testing.assert_allclose(r.groups["0"], [1.0] * 6)
    assert any("never moves" in s for s in r.surprises)


@pytest.mark.parametrize("schedulers, inputs, message", [
    ("dict(type='QuadraticWarmupLR')", {"dataset_size": 10}, "not one of: LinearLR"),
    ("dict(type='StepLR', step_size=1, gama=0.5)", {"dataset_size": 10}, "'gama'"),
    ("dict(type='StepLR')", {"dataset_size": 10}, "needs step_size"),
    ("dict(type='LinearLR', start_factor=2)", {"dataset_size": 10}, "start_factor"),
    ("dict(type='ReduceOnPlateauLR')", {"dataset_size": 10}, "metrics"),
    ("dict(type='LinearLR')", {}, "--dataset-size"),
    ("[dict(type=LinearLR)]", {"dataset_size": 10}, "line 4"),
])
def test_mmengine_refusals_name_the_key(tmp_path, schedulers, inputs, message):
    path = mm_cfg(tmp_path, schedulers)
    with pytest.raises(UsageError, match=message) as e:
        read(path, Inputs(**inputs), "mmengine")
    assert "\n" not in str(e.value)


def test_mmengine_base_files_are_refused(tmp_path):
    path = write(tmp_path, "cfg.py", "_base_ = ['../_base_/schedules/schedule_1x.py']\n"
                                     "optim_wrapper = dict(optimizer=dict(lr=0.01))\n")
    with pytest.raises(UsageError, match="_base_"):
        read(path, Inputs(dataset_size=10))


# ------------------------------------------------------------------------------ Lightning

LIGHTNING_HEAD = "import lightning as L\nimport torch\n\n\nclass Model(L.LightningModule):\n"


def lightning_py(tmp_path, body: str, trainer: str = "") -> str:
    text = LIGHTNING_HEAD + "    def configure_optimizers(self):\n" + "".join(
        f"        {line}\n" for line in body.strip("\n").splitlines())
    if trainer:
        text += f"\n\ntrainer = L.Trainer({trainer})\n"
    return write(tmp_path, "model.py", text)


def test_lightning_step_frequency_counts_batches_by_hand(tmp_path):
    # 50 samples / batch 8 -> 7 batches; accumulate 2 -> updates after batches 2, 4, 6, 7.
    # frequency 2 steps when (batch_idx + 1) % 2 == 0: after batches 2, 4, 6, never after 7,
    # and the count restarts each epoch. No Trainer in the file: --set gives it.
    path = lightning_py(tmp_path, """
opt = torch.optim.SGD(self.parameters(), lr=1.0)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step",
                                           "frequency": 2}}
""")
    with pytest.raises(UsageError, match=r"--set trainer\.max_epochs"):
        read(path, Inputs(dataset_size=50, batch_size=8))
    r = read(path, Inputs(dataset_size=50, batch_size=8, sets=(
        "trainer.max_epochs=3", "trainer.accumulate_grad_batches=2")))
    assert r.format == "lightning"
    steps = [0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9]
    np.testing.assert_allclose(r.groups["0"], [0.5 ** s for s in steps], rtol=1e-15)
    facts = dict(r.facts)
    assert facts["updates per epoch"] == "4 = ceil(7 / 2 accumulated)"
    assert facts["scheduler steps"].endswith(": 9 in all")
    assert any("counts batches" in s for s in r.surprises)


def test_lightning_cli_yaml_steps_per_epoch_and_stops_at_max_steps(tmp_path):
    # 45 / 4 -> 12 batches; limit 0.5 -> 6; accumulate 4 -> windows 4, 2: 2 updates an epoch;
    # max_steps 5 stops after the first update of epoch 3. The CLI's StepLR steps per epoch.
    # lr: 1e-1 is a float as LightningCLI (jsonargparse) reads YAML.
    path = write(tmp_path, "config.yaml", """\
trainer:
  max_epochs: 10
  max_steps: 5
  limit_train_batches: 0.5
  accumulate_grad_batches: 4
model:
  class_path: my.Model
data:
  init_args:
    batch_size: 4
optimizer:
  class_path: torch.optim.SGD
  init_args:
    lr: 1e-1
lr_scheduler:
  class_path: torch.optim.lr_scheduler.StepLR
  init_args:
    step_size: 1
""")
    r = read(path, Inputs(dataset_size=45))
    assert r.format == "lightning"
    np.testing.assert_allclose(r.groups["0"], [0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-12)
    facts = dict(r.facts)
    assert facts["limit_train_batches"] == "0.5 of 12 -> int(6) = 6"
    assert facts["total updates"].startswith("5 (max_steps")
    assert any("mid-epoch" in s for s in r.surprises)
    assert any("once per epoch" in s for s in r.surprises)
    r = read(path, Inputs(dataset_size=45, sets=("trainer.max_steps=-1",
                                                  "trainer.max_epochs=1")))
    assert list(r.groups["0"]) == [0.1, 0.1]


def test_lightning_python_is_read_not_run(tmp_path):
    # Checked against Lightning 2.6.6: 37 / 4 -> 10 batches, accumulate 2 -> 5 updates an
    # epoch, max_steps 11 (estimated_stepping_batches 11); a nested def with an if and a local
    # assignment becomes the LambdaLR's lambda; module and local literals are substituted.
    marker = tmp_path / "ran"
    path = write(tmp_path, "model.py", f"""\
import math
import os
import lightning as L
import torch

WARM = 3
os.system("touch {marker}")


class Model(L.LightningModule):
    def configure_optimizers(self):
        total = self.trainer.estimated_stepping_batches
        floor = 0.1

        def lr_lambda(step):
            if step < WARM:
                return (step + 1) / WARM
            progress = (step - WARM) / max(1, total - WARM)
            return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

        optimizer = torch.optim.AdamW(self.parameters(), lr=2e-3)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
        return {{"optimizer": optimizer,
                "lr_scheduler": {{"scheduler": scheduler, "interval": "step"}}}}


trainer = L.Trainer(max_epochs=4, max_steps=11, accumulate_grad_batches=2)
""")
    r = read(path, Inputs(dataset_size=37, batch_size=4))
    assert not marker.exists()

    def f(step: int) -> float:
        if step < 3:
            return (step + 1) / 3
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - 3) / 8))

    np.testing.assert_allclose(r.groups["0"], [2e-3 * f(k) for k in range(11)], rtol=1e-12)
    assert dict(r.facts)["estimated_stepping_batches"] == "11"


def test_lightning_two_schedulers_step_together(tmp_path):
    # ([opt], [s1, s2]): both per epoch, each step multiplies (checked against Lightning 2.6.6);
    # limit_train_batches 3 (an int) is a count: 3 updates an epoch.
    path = lightning_py(tmp_path, """
opt = torch.optim.SGD(self.parameters(), lr=0.5)
s1 = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=4)
s2 = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
return [opt], [s1, s2]
""", "max_epochs=6, limit_train_batches=3")
    r = read(path, Inputs(dataset_size=37, batch_size=4))
    per_epoch = [0.5 * (0.5 + 0.5 * min(e, 4) / 4) * 0.9 ** e for e in range(6)]
    np.testing.assert_allclose(r.groups["0"], np.repeat(per_epoch, 3), rtol=1e-12)


@pytest.mark.parametrize("body, trainer, message", [
    ("opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr)\nreturn opt",
     "max_epochs=1", "self.hparams.lr"),
    ("a = torch.optim.SGD(self.parameters(), lr=0.1)\n"
     "b = torch.optim.Adam(self.parameters(), lr=0.1)\nreturn [a, b]", "max_epochs=1",
     "2 optimizers"),
    ("opt = torch.optim.SGD(self.parameters(), lr=0.1)\n"
     "s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)\n"
     "return {'optimizer': opt, 'lr_scheduler': s, 'monitor': 'val_loss'}", "max_epochs=1",
     "monitored metric"),
    ("opt = torch.optim.SGD(self.parameters(), lr=0.1)\n"
     "s = torch.optim.lr_scheduler.StepLR(opt, 2)\n"
     "return {'optimizer': opt, 'lr_scheduler': {'scheduler': s, 'frequency': 0}}",
     "max_epochs=1", "frequency 0"),
    ("opt = torch.optim.SGD(self.parameters(), lr=0.1)\nreturn opt", "max_epochs=args.epochs",
     r"--set trainer\.max_epochs"),
    ("opt = torch.optim.SGD(self.parameters(), lr=0.1)\nreturn opt",
     "max_epochs=2, limit_train_batches=1.5", "limit_train_batches 1.5"),
])
def test_lightning_refusals_name_the_key(tmp_path, body, trainer, message):
    path = lightning_py(tmp_path, body, trainer)
    with pytest.raises(UsageError, match=message) as e:
        read(path, Inputs(dataset_size=40, batch_size=8))
    assert "\n" not in str(e.value)


def test_lightning_cli_without_optimizer_or_batch_is_refused(tmp_path):
    path = write(tmp_path, "config.yaml", "trainer:\n  max_epochs: 2\nmodel:\n  class_path: M\n")
    with pytest.raises(UsageError, match="no optimizer"):
        read(path, Inputs(dataset_size=40, batch_size=8))
    path = write(tmp_path, "config.yaml", "trainer:\n  max_epochs: 2\noptimizer: "
                                          "torch.optim.Adam\n")
    with pytest.raises(UsageError, match="--batch-size"):
        read(path, Inputs(dataset_size=40))
    r = read(path, Inputs(dataset_size=40, batch_size=8))
    assert list(r.groups["0"]) == [1e-3] * 10  # Adam's default lr, 5 updates x 2 epochs
