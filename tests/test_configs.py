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


def test_lightning_def_whose_locals_would_blow_up_is_refused_at_once(tmp_path):
    """a1 = a0 * a0, a2 = a1 * a1, ...: written into their uses the locals double each
    line; the def reader bounds that (this hung before Lightning used the dialects' reader)."""
    chain = "".join(f"    a{i} = a{i - 1} * a{i - 1}\n" for i in range(1, 40))
    body = ("opt = torch.optim.SGD(self.parameters(), lr=0.1)\ndef f(s):\n    a0 = s\n"
            + chain + "    return a39\n"
            "return {'optimizer': opt, 'lr_scheduler': {'scheduler': "
            "torch.optim.lr_scheduler.LambdaLR(opt, f), 'interval': 'step'}}")
    path = lightning_py(tmp_path, body, "max_epochs=1")
    with pytest.raises(UsageError, match="grow it beyond") as e:
        read(path, Inputs(dataset_size=16, batch_size=8))
    assert "\n" not in str(e.value) and "model.py line" in str(e.value)


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


# ---------------------------------------------------------------------------- Ultralytics
def yolo_args(tmp_path, body: str) -> str:
    return write(tmp_path, "args.yaml", "model: yolov8n.yaml\nimgsz: 32\n" + body)


def test_ultralytics_accumulate_ramp_and_warmup_by_hand(tmp_path):
    # 14 images / batch 4 -> 4 batches an epoch (the last of 2), 16 in 4 epochs; nbs 12 ->
    # accumulate 3; warmup_epochs 1 -> nw = 4. During the warmup accumulate is
    # round(1 + ni / 2), half to even: 1, 2, 2, 2, 3 at ni 0..4, so updates at ni 0 and 2;
    # then every 3 batches from the last: 5, 8, 11, 14 (ni 15 never updates).
    path = yolo_args(tmp_path, "epochs: 4\nbatch: 4\nnbs: 12\noptimizer: SGD\nlr0: 0.1\n"
                               "lrf: 0.5\nwarmup_epochs: 1\nwarmup_bias_lr: 0.2\n")
    r = read(path, Inputs(dataset_size=14))
    assert list(r.groups) == ["weight", "bn", "bias"]

    def lf(e):
        return (1 - e / 4) * 0.5 + 0.5

    # ni 2 is in the warmup (2 of 4 iterations, toward 0.1 x lf(0)); the rest at 0.1 x lf(epoch)
    after = [0.1 * lf(ni // 4) for ni in (5, 8, 11, 14)]
    np.testing.assert_allclose(r.groups["weight"], [0.0, 0.05, *after], rtol=1e-12, atol=0)
    np.testing.assert_allclose(r.groups["bn"], r.groups["weight"], rtol=0, atol=0)
    np.testing.assert_allclose(r.groups["bias"], [0.2, 0.15, *after], rtol=1e-12, atol=0)
    facts = dict(r.facts)
    assert facts["batches per epoch"].startswith("4 = ceil(14 / 4)")
    assert facts["accumulate"].startswith("3 batches per update")
    assert facts["warmup"].startswith("4 iterations")
    assert facts["total updates"].startswith("6 of 16 batches")
    text = "\n".join(r.surprises)
    assert "nbs 12 at batch 4: 3 batches accumulate per update (ramped from 1" in text
    assert "warms DOWN from warmup_bias_lr 0.2" in text
    assert "the last batch never makes an update" in text


def test_ultralytics_fraction_small_data_and_accumulate_cap(tmp_path):
    # fraction 0.25 of 10 images: round(2.5) = 2 (half to even); batch 4 > 2 images, so the
    # loader's batch is 2: 1 batch an epoch, 3 in the run; nbs 64 -> round(16) capped at 3;
    # no warmup: one update, at the run's third batch (epoch 2: lf(2) = (1 - 2/3) x 0.9 + 0.1)
    path = yolo_args(tmp_path, "epochs: 3\nbatch: 4\nfraction: 0.25\noptimizer: SGD\n"
                               "lr0: 0.01\nlrf: 0.1\nwarmup_epochs: 0\n")
    r = read(path, Inputs(dataset_size=10))
    np.testing.assert_allclose(r.groups["0"], [0.01 * ((1 - 2 / 3) * 0.9 + 0.1)], rtol=1e-12)
    facts = dict(r.facts)
    assert facts["images"].startswith("2 of 10")
    assert "capped at the run's 3 batches" in facts["accumulate"]


def test_ultralytics_optimizer_auto_picks_by_iterations(tmp_path):
    # 100 images: ceil(100 / 64) x 10 epochs = 20 iterations -> AdamW, its lr from the classes
    # of coco8 (the default data, 80): round(0.01 / 84, 6)
    small = yolo_args(tmp_path, "epochs: 10\nbatch: 16\nlr0: 0.05\nwarmup_epochs: 0\n")
    r = read(small, Inputs(dataset_size=100))
    assert r.groups["0"][0] == round(0.002 * 5 / 84, 6) == 0.000119
    assert any("optimizer auto ignores lr0 0.05: AdamW" in s for s in r.surprises)
    # ceil(1000 / 64) x 700 epochs = 11200 > 10000 -> MuSGD at 0.01: every group split in
    # two, the head's first at 3 x lr; warmup_bias_lr becomes 0, so every group rises from 0
    big = yolo_args(tmp_path, "epochs: 700\nbatch: 16\nwarmup_epochs: 1\ncos_lr: true\n")
    r = read(big, Inputs(dataset_size=1000))
    assert list(r.groups) == ["weight x3", "weight", "bn x3", "bn", "bias x3", "bias",
                              "muon x3", "muon"]
    assert all(v[0] == 0.0 for v in r.groups.values())
    np.testing.assert_allclose(r.groups["bias x3"], 3 * r.groups["bias"], rtol=1e-12)
    np.testing.assert_allclose(r.groups["weight"], r.groups["bias"], rtol=0, atol=0)


@pytest.mark.parametrize("body, inputs, key", [
    ("warmup_epoch: 2\n", {}, "'warmup_epoch'"),
    ("optimizer: Lion\n", {}, "optimizer 'Lion'"),
    ("batch: 4\n", {"dataset_size": 9}, "batch 4 leaves a final batch of 1"),
    ("batch: -1\n", {}, "batch -1"),
    ("lr0: 2\n", {}, "lr0 2"),
    ("fraction: 1.5\n", {}, "fraction 1.5"),
    ("time: 2\n", {}, "time"),
    ("resume: true\n", {}, "resume"),
    ("data: mine.yaml\nepochs: 2\n", {}, "--set nc=N"),
    ("epochs: 2\n", {"epochs": 3}, "--set epochs=N"),
    ("device: 0,1\n", {"world_size": 4}, "device"),
])
def test_ultralytics_refusals_name_the_key(tmp_path, body, inputs, key):
    path = yolo_args(tmp_path, "lr0: 0.01\n" + body if not body.startswith("lr0") else body)
    with pytest.raises(UsageError) as e:
        read(path, Inputs(**{"dataset_size": 10, **inputs}), "ultralytics")
    assert key in str(e.value) and "\n" not in str(e.value)


# ------------------------------------------------------------------------------ Megatron-LM
MEGATRON_SCRIPT = """#!/bin/bash
GPUS=2
NODES=${NNODES:-2}
LR=1.0   # peak
ARGS=(
    --micro-batch-size 2  # per GPU
    --global-batch-size 8
)
ARGS+=(--train-iters 6 --lr $LR --min-lr 0 --lr-warmup-iters 2)
torchrun --nproc_per_node $GPUS --nnodes $NODES pretrain_gpt.py \\
    "${ARGS[@]}" --lr-decay-iters $((3 * GPUS)) --data-path $DATA
"""


def test_megatron_script_counts_samples_by_hand(tmp_path):
    # torchrun 2 x 2 = world 4: data parallel 4, micro 2 -> one microbatch of the global 8.
    # The scheduler counts samples: 0, 8, ..., 40 before updates 0..5; warmup 2 x 8 = 16,
    # decay 6 x 8 = 48 (linear): 0, 0.5, 1 (the peak at update 2), then (48 - n) / 32.
    path = write(tmp_path, "train.sh", MEGATRON_SCRIPT)
    r = read(path, Inputs())  # told from its content
    assert r.format == "megatron"
    np.testing.assert_allclose(r.groups["0"], [0, 0.5, 1, 0.75, 0.5, 0.25], rtol=1e-12,
                               atol=0)
    facts = dict(r.facts)
    assert facts["data parallel"].startswith("4 = world 4")
    assert "--nproc_per_node 2 x --nnodes 2" in facts["data parallel"]
    assert facts["peak"] == "first used at update 2"
    assert any("above --min-lr" in s for s in r.surprises)


def test_megatron_sample_based_floor_and_fraction(tmp_path):
    # 100 // 16 = 6 updates (96 samples); warmup 0.1 x 100 = 10 samples: between updates 0, 1.
    path = write(tmp_path, "flags.txt", "--micro-batch-size 4 --global-batch-size 16\n"
                                        "--train-samples 100 --lr 2.0 --lr-decay-style constant"
                                        " --lr-warmup-fraction 0.1\n")
    r = read(path, Inputs(world_size=4))
    np.testing.assert_allclose(r.groups["0"], [0.0] + [2.0] * 5)
    assert any("between updates 0 and 1" in s for s in r.surprises)
    assert any("last 4 samples" in s for s in r.surprises)


@pytest.mark.parametrize("text, inputs, message", [
    ("--micro_batch_size 2 --train-iters 5 --lr 1e-3", {}, "--micro-batch-size"),
    ("LR=$(cat lr.txt)\npython pretrain_gpt.py --micro-batch-size 2 --train-iters 5 --lr $LR",
     {}, "--set lr="),
    ("--train-iters 5 --lr 1e-3", {}, "--batch-size"),
    ("--micro-batch-size 2 --train-iters 1e3 --lr 1e-3", {}, "--train-iters '1e3'"),
    ("--micro-batch-size 2 --train-iters 5 --lr 1e-3 --lr-decay-style poly", {}, "cosine"),
    ("--micro-batch-size 2 --lr 1e-3 --lr-decay-style linear", {}, "--train-samples"),
    ("--micro-batch-size 3 --global-batch-size 8 --train-iters 5 --lr 1e-3", {},
     "not divisible"),
])
def test_megatron_refusals_name_the_flag(tmp_path, text, inputs, message):
    import re

    path = write(tmp_path, "train.sh", text + "\n")
    with pytest.raises(UsageError, match=re.escape(message)) as e:
        read(path, Inputs(**inputs), "megatron")
    assert "\n" not in str(e.value)


# --------------------------------------------------------------------------------------
# timm train.py's args.yaml

def timm_yaml(tmp_path, text: str) -> str:
    return write(tmp_path, "args.yaml", text)


def _updates_by_walking(batches: int, accum: int) -> int:
    """train_one_epoch's windows walked batch by batch: a batch updates when it is the last
    or closes a window; once the last (short) window begins, windows have its size."""
    size, short = accum, batches % accum
    updates = 0
    for b in range(batches):
        if b == batches - 1 or (b + 1) % size == 0:
            updates += 1
        if short and b >= batches - short:
            size = short
    return updates


def test_timm_accumulation_windows_counted_as_the_loop_walks_them():
    from lrsched_cli.sources.configs.timm_loop import updates_in_epoch

    for batches in range(1, 60):
        for accum in range(1, 14):
            assert updates_in_epoch(batches, accum) == _updates_by_walking(batches, accum)
    assert updates_in_epoch(14, 5) == 4  # more than ceil(14 / 5) = 3
    assert updates_in_epoch(5, 8) == 1


def test_timm_cosine_per_epoch_by_hand(tmp_path):
    # 35 rows / batch 10: 3 batches (the loader drops 5 rows); cosine over 4 epochs, warmup 1
    # epoch from 0.01: epoch 0 runs at warmup_lr, epoch e at 0.05 (1 + cos(pi e / 4))
    path = timm_yaml(tmp_path, "sched: cosine\nepochs: 4\nbatch_size: 10\nlr: 0.1\n"
                               "warmup_epochs: 1\nwarmup_lr: 0.01\n")
    r = read(path, Inputs(dataset_size=35))
    assert r.format == "timm"
    per_epoch = [0.01] + [0.05 * (1 + math.cos(math.pi * e / 4)) for e in (1, 2, 3)]
    np.testing.assert_allclose(r.groups["0"], np.repeat(per_epoch, 3), rtol=1e-12, atol=0)
    facts = dict(r.facts)
    assert facts["batches per epoch"].startswith("3 = floor(35 / 10)")
    assert facts["total updates"].startswith("12 = 4 epochs x 3")
    assert any("whole first epoch runs at warmup_lr" in s for s in r.surprises)
    assert any("peak lr 0.1 is never used" in s for s in r.surprises)


def test_timm_lr_from_lr_base_and_world_size(tmp_path):
    # 1000 rows over 4 processes: 250 each, 7 batches of 32; accumulation 2 -> 4 updates;
    # global batch 32 x 4 x 2 = 256 of lr_base_size 1024: linear 0.25, sqrt 0.5 (adamw)
    text = ("sched: step\nepochs: 2\nbatch_size: 32\ngrad_accum_steps: 2\nlr_base: 0.1\n"
            "lr_base_size: 1024\nwarmup_epochs: 0\ndecay_epochs: 1\ndecay_rate: 0.5\n")
    r = read(timm_yaml(tmp_path, text), Inputs(dataset_size=1000, world_size=4))
    np.testing.assert_allclose(r.groups["0"], [0.025] * 4 + [0.0125] * 4, rtol=1e-15)
    assert dict(r.facts)["batches per epoch"].startswith("7 = floor(ceil(1000 / 4 processes)")
    assert any("lr = lr_base 0.1 x 256 / 1024" in s for s in r.surprises)
    r = read(timm_yaml(tmp_path, text + "opt: adamw\n"), Inputs(dataset_size=1000, world_size=4))
    assert r.groups["0"][0] == pytest.approx(0.05, rel=1e-15)


def test_timm_update_stepping_restarts_num_updates_each_epoch(tmp_path):
    # 14 batches in windows of 5: 4 updates an epoch, the scheduler sized for 3; epoch e's
    # first update runs at the t its predecessor's last step_update left (3(e - 1) + 4), the
    # others at 3e + 1, 3e + 2, 3e + 3: t = 0 1 2 3 | 4 4 5 6; decay every 3 updates
    path = timm_yaml(tmp_path, "sched: step\nsched_on_updates: true\nepochs: 2\nbatch_size: 1\n"
                               "grad_accum_steps: 5\nlr: 1.0\ndecay_epochs: 1\ndecay_rate: 0.5\n"
                               "warmup_epochs: 0\n")
    r = read(path, Inputs(dataset_size=14))
    t = [0, 1, 2, 3, 4, 4, 5, 6]
    np.testing.assert_allclose(r.groups["0"], [0.5 ** (k // 3) for k in t], rtol=1e-15)
    assert any("makes 4 updates though updates_per_epoch is 3" in s for s in r.surprises)


def test_timm_plateau_follows_metrics_given_on_the_command_line(run, tmp_path):
    path = timm_yaml(tmp_path, "sched: plateau\nepochs: 4\nbatch_size: 5\nlr: 0.1\n"
                               "warmup_epochs: 0\npatience_epochs: 0\ndecay_rate: 0.5\n"
                               "eval_metric: loss\n")
    metrics = write(tmp_path, "summary.csv", "epoch,train_loss,eval_loss\n0,2,1.0\n1,2,1.0\n"
                                            "2,2,0.5\n3,2,0.5\n")
    r = run("export", "config", path, "--dataset-size", "10", "--metrics", metrics,
            "--metrics-column", "eval_loss")
    assert r.exit_code == 0, r.output
    lrs = [float(row.split(",")[1]) for row in r.stdout.splitlines()[1:]]
    # loss 1.0 improves on inf; 1.0 again: patience 0 -> x0.5; 0.5 improves; 0.5 -> x0.5
    assert lrs == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05]
    with pytest.raises(UsageError, match="--metrics FILE"):
        read(path, Inputs(dataset_size=10))


@pytest.mark.parametrize("text, message", [
    ("sched: cosine\nepochs: 3.0\nbatch_size: 8\n", "epochs 3.0"),
    ("sched: cosine\nwarmup_epochs: two\nbatch_size: 8\n", "warmup_epochs 'two'"),
    ("sched: none\nbatch_size: 8\n", "sched 'none'"),
    ("sched: cosine\nbatch_size: 8\nlayer_decay: 0.75\n", "layer_decay"),
    ("sched: cosine\nbatch_size: 8\nlr_noise: [0.4, 0.9]\n", "lr_noise"),
    ("sched: cosine\nbatch_size: 8\nval_interval: 0\n", "val_interval 0"),
    ("sched: cosine\nbatch_size: 8\nresume: last.pth.tar\n", "start_epoch"),
    ("sched: rsqrt\nbatch_size: 8\nepochs: 4\nwarmup_epochs: 0\ndecay_epochs: 0.5\n",
     "lr_stable_timescale"),
    ("sched: cosine\nbatch_size: 64\n", "no full batch of 64"),
])
def test_timm_refusals_name_the_key(tmp_path, text, message):
    with pytest.raises(UsageError, match=message) as e:
        read(timm_yaml(tmp_path, text), Inputs(dataset_size=40), "timm")
    assert "\n" not in str(e.value)


def test_timm_is_told_from_train_py_arguments_and_converts_text(tmp_path):
    r = read(timm_yaml(tmp_path, "epochs: 2\nbatch_size: 8\nlr: 3e-4\nwarmup_epochs: 0\n"),
             Inputs(dataset_size=16))
    assert r.format == "timm" and r.groups["0"][0] == 3e-4  # YAML's text '3e-4', converted
    assert any("train.py's argparse converts" in s for s in r.surprises)
    # Ultralytics-like keys (warmup_epochs is shared) are not train.py's
    doc = {"epochs": 2, "batch": 8, "lr0": 0.01, "warmup_epochs": 1}
    from lrsched_cli.sources.configs import timm

    assert not timm.detect(doc)
    r = read(timm_yaml(tmp_path, "sched: cosine\nsched_on_updates: 'false'\nepochs: 2\n"
                                 "batch_size: 8\nwarmup_epoch: 1\n"), Inputs(dataset_size=16))
    assert any("sched_on_updates 'false'" in s and "on" in s for s in r.surprises)
    assert any("warmup_epoch" in s and "read by nothing" in s for s in r.surprises)


def test_mmengine_new_style_config_names_its_classes(tmp_path):
    # pure-Python configs import the classes they name; a value lrsched does not need
    # (the dataset's ann=get_ann()) is left unread
    path = write(tmp_path, "cfg.py", "from mmengine.optim.scheduler import LinearLR\n"
                 "from mmengine.runner import IterBasedTrainLoop\nfrom torch.optim import SGD\n"
                 "train_dataloader = dict(batch_size=2, dataset=dict(ann=get_ann()))\n"
                 "train_cfg = dict(type=IterBasedTrainLoop, max_iters=4)\n"
                 "optim_wrapper = dict(optimizer=dict(type=SGD, lr=0.5))\n"
                 "param_scheduler = [dict(type=LinearLR, start_factor=0.5, by_epoch=False, "
                 "end=3)]\n")
    np.testing.assert_allclose(read(path, Inputs()).groups["0"], [0.25, 0.375, 0.5, 0.5],
                               rtol=1e-12)
    path = write(tmp_path, "cfg.py", "from mmengine.config import read_base\n"
                 "with read_base():\n    from .._base_.default_runtime import *\n"
                 "optim_wrapper = dict(optimizer=dict(lr=0.01))\n")
    with pytest.raises(UsageError, match="read_base"):
        read(path, Inputs())


def test_type_help_and_completion_name_every_format():
    from lrsched_cli.commands.options import _completer
    from lrsched_cli.sources.configs import FORMATS
    from lrsched_cli.sources.words import CONFIG_OPTIONS

    help_text = next(o for o in CONFIG_OPTIONS if o.name == "type").help
    assert help_text.split(": ", 1)[1].split(", ") == list(FORMATS)
    assert _completer("config_types", "config")("m") == [n for n in FORMATS if n[0] == "m"]
