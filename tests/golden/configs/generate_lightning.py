"""Golden vectors for the ``config FILE`` word, Lightning dialect, made by running Lightning.

Two kinds of file are covered:

* a LightningCLI YAML (``config.yaml``: ``trainer``, ``model``, ``data``, ``optimizer`` and
  ``lr_scheduler`` as ``class_path`` + ``init_args``), run through the real
  ``lightning.pytorch.cli.LightningCLI`` with ``args=["fit", "--config", <the file>,
  "--data.init_args.size", <dataset_size>]``;
* a Python file (``model.py``) holding a LightningModule whose ``configure_optimizers`` returns
  an optimizer and a scheduler (a dict with ``interval``/``frequency``, or lists) and a module-level
  ``trainer = L.Trainer(...)``. The generator writes exactly the case's ``file`` text to a temporary
  module, imports it and calls ``module.trainer.fit(module.Model(), DataLoader(...))`` with a
  synthetic dataset of ``inputs.dataset_size`` rows and ``inputs.batch_size`` (not shuffled,
  last batch kept).

Every real ``optimizer.step()`` is seen by a global
``torch.optim.optimizer.register_optimizer_step_pre_hook`` that stores ``[g["lr"] for g in
opt.param_groups]`` just before the step; Lightning runs no other optimizer. ``groups["0"]`` is
the lr of param group 0 before update 0, 1, ...; a case with groups whose lrs differ has one list
per group (torch's group index). ``counting`` holds what the trainer itself reported
(``num_training_batches``, ``estimated_stepping_batches``, ``global_step``) and the batch indices
and epochs at which the scheduler really stepped (a wrapper around ``scheduler.step``).

How to re-run (from the repository root)::

    python3 -m venv /tmp/fw2
    /tmp/fw2/bin/pip install torch==2.13.0
    /tmp/fw2/bin/pip install torch==2.13.0 numpy lightning "jsonargparse[signatures]"
    /tmp/fw2/bin/python tests/golden/configs/generate_lightning.py

The torchvision that pip finds for the CPU torch is a CUDA build whose import fails ("operator
torchvision::nms does not exist"), and Lightning imports it when it is installed. This script
therefore defines the ``torchvision::nms``/``qnms`` op schemas with a plain-torch CPU kernel before
anything imports torchvision (no lr logic is touched). The script checks that each case is
accepted or rejected as declared and that the number of recorded updates equals
``trainer.global_step``; it writes ``tests/golden/configs/lightning.json``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import platform
import sys
import tempfile
import textwrap
import warnings
from pathlib import Path
from typing import Any

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/configs/generate_lightning.py"
OUT = HERE / "lightning.json"


def _cpu_torchvision_ops() -> Any:
    """Register torchvision's nms/qnms schemas and a CPU nms: ``import torchvision`` works."""
    lib = torch.library.Library("torchvision", "DEF")
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")

    def nms(dets: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
        x1, y1, x2, y2 = dets.unbind(1)
        areas = (x2 - x1) * (y2 - y1)
        suppressed = torch.zeros(len(dets), dtype=torch.bool)
        keep = []
        for i in scores.argsort(descending=True).tolist():
            if suppressed[i]:
                continue
            keep.append(i)
            w = (torch.minimum(x2[i], x2) - torch.maximum(x1[i], x1)).clamp(min=0)
            h = (torch.minimum(y2[i], y2) - torch.maximum(y1[i], y1)).clamp(min=0)
            inter = w * h
            suppressed |= inter / (areas[i] + areas - inter) > iou_threshold
        return torch.tensor(keep, dtype=torch.int64)

    lib.impl("nms", nms, "CPU")
    return lib


_TV_LIB = _cpu_torchvision_ops()
with contextlib.suppress(ImportError):
    import torchvision.extension

    torchvision.extension._has_ops = lambda: True

import lightning  # noqa: E402
import lightning.pytorch as pl  # noqa: E402
from lightning.pytorch.cli import LightningCLI  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

warnings.filterwarnings("ignore")
logging.getLogger("lightning").setLevel(logging.ERROR)
logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
logging.getLogger("lightning.fabric").setLevel(logging.ERROR)

# The tiny model and data module the CLI YAMLs name by class_path. One Linear(4, 1): two param
# groups only where configure_optimizers makes them.
TINY_MODULE = "golden_tiny"
TINY_SOURCE = """
import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TinyModel(L.LightningModule):
    def __init__(self, features: int = 4):
        super().__init__()
        self.layer = nn.Linear(features, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return nn.functional.mse_loss(self.layer(x), y)


class TinyData(L.LightningDataModule):
    def __init__(self, batch_size: int = 8, size: int = 64, features: int = 4):
        super().__init__()
        self.batch_size = batch_size
        self.size = size
        self.features = features

    def train_dataloader(self):
        g = torch.Generator().manual_seed(0)
        x = torch.randn(self.size, self.features, generator=g)
        y = torch.randn(self.size, 1, generator=g)
        return DataLoader(TensorDataset(x, y), batch_size=self.batch_size, shuffle=False)
"""

TRAINER_QUIET = """\
  logger: false
  enable_checkpointing: false
  enable_progress_bar: false
  enable_model_summary: false
  accelerator: cpu
  devices: 1
"""

PY_HEAD = """\
import lightning as L
import torch
from torch import nn


class Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return nn.functional.mse_loss(self.layer(x), y)

"""

PY_TRAINER_QUIET = (
    "logger=False, enable_checkpointing=False, enable_progress_bar=False, "
    'enable_model_summary=False, accelerator="cpu", devices=1'
)


def cli_yaml(trainer: str, optimizer: str, scheduler: str | None, batch_size: int) -> str:
    text = "seed_everything: 0\ntrainer:\n" + textwrap.indent(textwrap.dedent(trainer), "  ")
    text += TRAINER_QUIET
    text += f"model:\n  class_path: {TINY_MODULE}.TinyModel\n"
    text += (
        f"data:\n  class_path: {TINY_MODULE}.TinyData\n  init_args:\n    batch_size: {batch_size}\n"
    )
    text += "optimizer:\n" + textwrap.indent(textwrap.dedent(optimizer), "  ")
    if scheduler is not None:
        text += "lr_scheduler:\n" + textwrap.indent(textwrap.dedent(scheduler), "  ")
    return text


def py_file(configure: str, trainer_args: str) -> str:
    body = textwrap.indent(textwrap.dedent(configure).strip("\n"), " " * 8)
    return (
        PY_HEAD
        + "    def configure_optimizers(self):\n"
        + body
        + "\n\n\n"
        + "trainer = L.Trainer(\n"
        + "".join(f"    {a},\n" for a in f"{trainer_args}, {PY_TRAINER_QUIET}".split(", "))
        + ")\n"
    )


CASES: list[dict[str, Any]] = [
    # ---------------------------------------------------------------- LightningCLI YAML
    {
        "name": "cli-steplr-per-epoch",
        "what": "CLI StepLR(step_size=1) is stepped once per epoch; 50 rows / batch 8 = 7 batches "
        "(last one 2 rows), 4 epochs",
        "kind": "cli",
        "dataset_size": 50,
        "file": cli_yaml(
            "max_epochs: 4\n",
            "class_path: torch.optim.SGD\ninit_args:\n  lr: 0.1\n  momentum: 0.9\n",
            "class_path: torch.optim.lr_scheduler.StepLR\ninit_args:\n  step_size: 1\n"
            "  gamma: 0.5\n",
            8,
        ),
    },
    {
        "name": "cli-onecycle-sized-in-updates",
        "what": "CLI OneCycleLR(total_steps=15) sized in updates is still stepped per epoch (it "
        "barely leaves its start); accumulate 3 over 7 batches = 3 updates/epoch (3,3,1)",
        "kind": "cli",
        "dataset_size": 50,
        "file": cli_yaml(
            "max_epochs: 5\naccumulate_grad_batches: 3\n",
            "class_path: torch.optim.AdamW\ninit_args:\n  lr: 0.001\n  weight_decay: 0.01\n",
            "class_path: torch.optim.lr_scheduler.OneCycleLR\ninit_args:\n  max_lr: 0.01\n"
            "  total_steps: 15\n",
            8,
        ),
    },
    {
        "name": "cli-limit-fraction-max-steps",
        "what": "CLI limit_train_batches 0.5 of 7 batches = int(3.5) = 3 per epoch; max_steps 8 "
        "stops in epoch 3 before max_epochs 10; LinearLR per epoch",
        "kind": "cli",
        "dataset_size": 50,
        "file": cli_yaml(
            "max_epochs: 10\nmax_steps: 8\nlimit_train_batches: 0.5\n",
            "class_path: torch.optim.SGD\ninit_args:\n  lr: 0.2\n",
            "class_path: torch.optim.lr_scheduler.LinearLR\ninit_args:\n  start_factor: 0.25\n"
            "  total_iters: 2\n",
            8,
        ),
    },
    {
        "name": "cli-limit-count-accum-short-window",
        "what": "CLI limit_train_batches 5 (an int: a count) with accumulate 2: windows 2,2,1, "
        "3 updates/epoch; CosineAnnealingLR(T_max=3) per epoch over 4 epochs",
        "kind": "cli",
        "dataset_size": 100,
        "file": cli_yaml(
            "max_epochs: 4\nlimit_train_batches: 5\naccumulate_grad_batches: 2\n",
            "class_path: torch.optim.SGD\ninit_args:\n  lr: 0.05\n",
            "class_path: torch.optim.lr_scheduler.CosineAnnealingLR\ninit_args:\n  T_max: 3\n"
            "  eta_min: 0.005\n",
            10,
        ),
    },
    {
        "name": "cli-no-scheduler",
        "what": "CLI optimizer only: constant lr; 23 rows / batch 4 = 6 batches, accumulate 4 "
        "gives windows 4,2 = 2 updates/epoch, 3 epochs",
        "kind": "cli",
        "dataset_size": 23,
        "file": cli_yaml(
            "max_epochs: 3\naccumulate_grad_batches: 4\n",
            "class_path: torch.optim.Adam\ninit_args:\n  lr: 0.0003\n",
            None,
            4,
        ),
    },
    # ---------------------------------------------------------------- configure_optimizers
    {
        "name": "py-onecycle-step-accum",
        "what": "interval step OneCycleLR sized from estimated_stepping_batches; 60 rows / batch 8 "
        "= 8 batches, accumulate 3 = windows 3,3,2 (3 updates/epoch), 3 epochs = 9 updates",
        "kind": "py",
        "dataset_size": 60,
        "batch_size": 8,
        "file": py_file(
            """
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
            scheduler = torch.optim.lr_scheduler.OneCycleLR(
                optimizer, max_lr=0.1, total_steps=self.trainer.estimated_stepping_batches
            )
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step", "frequency": 1},
            }
            """,
            "max_epochs=3, accumulate_grad_batches=3",
        ),
    },
    {
        "name": "py-frequency-counts-batches",
        "what": "interval step, frequency 2, accumulate 2, 7 batches/epoch: updates after batches "
        "2,4,6,7 but the scheduler steps only when (batch_idx+1) % 2 == 0, so not after the short "
        "last window; the count restarts each epoch",
        "kind": "py",
        "dataset_size": 50,
        "batch_size": 8,
        "file": py_file(
            """
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.8)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step", "frequency": 2},
            }
            """,
            "max_epochs=3, accumulate_grad_batches=2",
        ),
    },
    {
        "name": "py-frequency3-restarts-each-epoch",
        "what": "interval step, frequency 3, 7 batches/epoch: steps after batches 3 and 6 of each "
        "epoch (batch_idx+1 resets), not every 3rd update overall",
        "kind": "py",
        "dataset_size": 50,
        "batch_size": 8,
        "file": py_file(
            """
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
            scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step", "frequency": 3},
            }
            """,
            "max_epochs=3",
        ),
    },
    {
        "name": "py-epoch-frequency2",
        "what": "interval epoch, frequency 2: MultiStepLR(milestones=[1, 2]) stepped after epochs "
        "2, 4, 6 ((current_epoch+1) % 2 == 0); 5 batches/epoch (last 1 row), 6 epochs",
        "kind": "py",
        "dataset_size": 33,
        "batch_size": 8,
        "file": py_file(
            """
            optimizer = torch.optim.SGD(self.parameters(), lr=0.4)
            scheduler = torch.optim.lr_scheduler.MultiStepLR(
                optimizer, milestones=[1, 2], gamma=0.5
            )
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "epoch", "frequency": 2},
            }
            """,
            "max_epochs=6",
        ),
    },
    {
        "name": "py-max-steps-mid-epoch",
        "what": "interval step CosineAnnealingLR(T_max=10), max_steps 10 ends training in epoch 3 "
        "of max_epochs 100; limit_train_batches 0.75 of 5 batches = 3 per epoch",
        "kind": "py",
        "dataset_size": 40,
        "batch_size": 8,
        "file": py_file(
            """
            optimizer = torch.optim.Adam(self.parameters(), lr=0.001)
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
                optimizer, T_max=10, eta_min=1e-5
            )
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
            }
            """,
            "max_epochs=100, max_steps=10, limit_train_batches=0.75",
        ),
    },
    {
        "name": "py-two-groups-sequential",
        "what": "two param groups (weight lr 0.1, bias lr 0.02), SequentialLR(LinearLR 3, "
        "CosineAnnealingLR 9) interval step; 45 rows / batch 4 = 12 batches, 1 epoch",
        "kind": "py",
        "dataset_size": 45,
        "batch_size": 4,
        "file": py_file(
            """
            optimizer = torch.optim.SGD(
                [
                    {"params": [self.layer.weight], "lr": 0.1},
                    {"params": [self.layer.bias], "lr": 0.02},
                ],
                momentum=0.9,
            )
            warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=3)
            decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=9)
            scheduler = torch.optim.lr_scheduler.SequentialLR(
                optimizer, schedulers=[warmup, decay], milestones=[3]
            )
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
            }
            """,
            "max_epochs=1",
        ),
    },
    {
        "name": "py-lists-default-epoch",
        "what": "configure_optimizers returns ([optimizer], [scheduler]): interval epoch by "
        "default; LambdaLR with one lambda per group; 26 rows / batch 5 = 6 batches, 3 epochs",
        "kind": "py",
        "dataset_size": 26,
        "batch_size": 5,
        "file": py_file(
            """
            optimizer = torch.optim.SGD(
                [{"params": [self.layer.weight]}, {"params": [self.layer.bias], "lr": 0.3}],
                lr=0.1,
            )
            scheduler = torch.optim.lr_scheduler.LambdaLR(
                optimizer, lr_lambda=[lambda epoch: 0.5**epoch, lambda epoch: 1.0 / (epoch + 1)]
            )
            return [optimizer], [scheduler]
            """,
            "max_epochs=3",
        ),
    },
]

REJECTS: list[dict[str, Any]] = [
    {
        "name": "py-interval-batch",
        "what": "interval 'batch' is not a Lightning interval",
        "kind": "py",
        "dataset_size": 50,
        "batch_size": 8,
        "file": py_file(
            """
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "batch"},
            }
            """,
            "max_epochs=2",
        ),
    },
    {
        "name": "py-onecycle-floor-sized",
        "what": "OneCycleLR sized as epochs * (batches // accumulate) = 3 * 3 = 9 while Lightning "
        "makes ceil(7 / 2) = 4 updates per epoch (12): fails at the 10th scheduler step",
        "kind": "py",
        "dataset_size": 50,
        "batch_size": 8,
        "file": py_file(
            """
            optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
            scheduler = torch.optim.lr_scheduler.OneCycleLR(
                optimizer, max_lr=0.1, total_steps=3 * (7 // 2)
            )
            return {
                "optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
            }
            """,
            "max_epochs=3, accumulate_grad_batches=2",
        ),
    },
    {
        "name": "cli-plateau-without-monitor",
        "what": "CLI lr_scheduler torch ReduceLROnPlateau (not lightning's, which has a monitor)",
        "kind": "cli",
        "dataset_size": 50,
        "file": cli_yaml(
            "max_epochs: 2\n",
            "class_path: torch.optim.SGD\ninit_args:\n  lr: 0.1\n",
            "class_path: torch.optim.lr_scheduler.ReduceLROnPlateau\ninit_args:\n  factor: 0.5\n",
            8,
        ),
    },
    {
        "name": "cli-limit-fraction-below-one-batch",
        "what": "limit_train_batches 0.1 of 7 batches is int(0.7) = 0 batches",
        "kind": "cli",
        "dataset_size": 50,
        "file": cli_yaml(
            "max_epochs: 2\nlimit_train_batches: 0.1\n",
            "class_path: torch.optim.SGD\ninit_args:\n  lr: 0.1\n",
            None,
            8,
        ),
    },
]


# ------------------------------------------------------------------------------------ running
RECORD: list[list[float]] = []
ACTIVE = [False]


def _pre_hook(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
    if ACTIVE[0]:
        RECORD.append([float(g["lr"]) for g in opt.param_groups])


register_optimizer_step_pre_hook(_pre_hook)


class SchedulerSteps(pl.Callback):
    """Notes (epoch, batch_idx, global_step) each time a configured scheduler really steps."""

    def __init__(self) -> None:
        self.steps: list[list[int]] = []
        self.trainer: Any = None

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        self.trainer = trainer
        for cfg in trainer.lr_scheduler_configs:
            sched = cfg.scheduler
            original = sched.step

            def step(*a: Any, _orig: Any = original, **k: Any) -> Any:
                loop = self.trainer.fit_loop.epoch_loop
                self.steps.append(
                    [self.trainer.current_epoch, loop.batch_idx, self.trainer.global_step]
                )
                return _orig(*a, **k)

            sched.step = step


def _import_file(text: str, name: str, folder: Path) -> Any:
    path = folder / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _dataset(n: int) -> TensorDataset:
    g = torch.Generator().manual_seed(0)
    return TensorDataset(torch.randn(n, 4, generator=g), torch.randn(n, 1, generator=g))


def run_case(case: dict[str, Any], folder: Path, index: int) -> tuple[list[list[float]], dict]:
    RECORD.clear()
    steps = SchedulerSteps()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        if case["kind"] == "cli":
            path = folder / f"config_{index}.yaml"
            path.write_text(case["file"])
            ACTIVE[0] = True
            try:
                cli = LightningCLI(
                    args=[
                        "fit",
                        "--config",
                        str(path),
                        "--data.init_args.size",
                        str(case["dataset_size"]),
                        "--trainer.default_root_dir",
                        str(folder),
                    ],
                    save_config_callback=None,
                    trainer_defaults={"callbacks": [steps]},
                    run=True,
                )
            finally:
                ACTIVE[0] = False
            trainer = cli.trainer
        else:
            module = _import_file(case["file"], f"golden_lightning_case_{index}", folder)
            trainer = module.trainer
            trainer.callbacks.append(steps)
            loader = DataLoader(
                _dataset(case["dataset_size"]), batch_size=case["batch_size"], shuffle=False
            )
            ACTIVE[0] = True
            try:
                trainer.fit(module.Model(), train_dataloaders=loader)
            finally:
                ACTIVE[0] = False
    rec = [list(r) for r in RECORD]
    if len(rec) != trainer.global_step:
        raise SystemExit(
            f"{case['name']}: {len(rec)} updates recorded, global_step {trainer.global_step}"
        )
    cfgs = trainer.lr_scheduler_configs
    counting = {
        "batches_per_epoch": trainer.num_training_batches,
        "accumulate_grad_batches": trainer.accumulate_grad_batches,
        "epochs_started": trainer.current_epoch,
        "estimated_stepping_batches": trainer.estimated_stepping_batches,
        "total_updates": trainer.global_step,
        "updates_per_epoch": -(-trainer.num_training_batches // trainer.accumulate_grad_batches),
        "scheduler_interval": cfgs[0].interval if cfgs else None,
        "scheduler_frequency": cfgs[0].frequency if cfgs else None,
        "scheduler_steps_at": steps.steps,
        "scheduler_steps_at_is": "[current_epoch, batch_idx, global_step] at each scheduler.step()",
    }
    return rec, counting


def groups_of(rec: list[list[float]]) -> dict[str, list[float]]:
    n = len(rec[0])
    cols = {str(i): [r[i] for r in rec] for i in range(n)}
    if all(cols[k] == cols["0"] for k in cols):
        return {"0": cols["0"]}
    return cols


def inputs_of(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataset_size": case["dataset_size"],
        "batch_size": case.get("batch_size"),
        "world_size": 1,
        "epochs": None,
    }


def main() -> None:
    os.environ.setdefault("PL_DISABLE_FORK", "1")
    out_cases = []
    out_rejects = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"{TINY_MODULE}.py").write_text(TINY_SOURCE)
        sys.path.insert(0, str(folder))
        old = os.getcwd()
        os.chdir(folder)
        try:
            for i, case in enumerate(CASES):
                rec, counting = run_case(case, folder, i)
                if not rec:
                    raise SystemExit(f"{case['name']}: no update recorded")
                out_cases.append(
                    {
                        "name": case["name"],
                        "what": case["what"],
                        "file_name": "config.yaml" if case["kind"] == "cli" else "model.py",
                        "file": case["file"],
                        "inputs": inputs_of(case),
                        "counting": counting,
                        "groups": groups_of(rec),
                    }
                )
                print(f"{case['name']}: {len(rec)} updates", file=sys.stderr)
            for j, case in enumerate(REJECTS):
                try:
                    run_case(case, folder, 100 + j)
                except SystemExit:
                    raise
                except BaseException as exc:  # noqa: BLE001 - the trainer's own error is the point
                    msg = str(exc).strip()
                    error = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
                else:
                    raise SystemExit(f"{case['name']}: Lightning accepted it")
                finally:
                    ACTIVE[0] = False
                out_rejects.append(
                    {
                        "name": case["name"],
                        "what": case["what"],
                        "file_name": "config.yaml" if case["kind"] == "cli" else "model.py",
                        "file": case["file"],
                        "inputs": inputs_of(case),
                        "error": error,
                    }
                )
                print(f"{case['name']}: {error[:100]}", file=sys.stderr)
        finally:
            os.chdir(old)
    names = [c["name"] for c in CASES + REJECTS]
    if len(names) != len(set(names)):
        raise SystemExit("case names repeat")
    import jsonargparse

    doc = {
        "generator": GENERATOR,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "lightning": lightning.__version__,
            "jsonargparse": jsonargparse.__version__,
        },
        "convention": "groups[g][i] = optimizer.param_groups[g]['lr'] right before the i-th real "
        "optimizer.step() (a global step pre-hook); one list per group where groups differ",
        "cases": out_cases,
        "rejects": out_rejects,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
