"""Golden vectors for the ``config FILE`` word, MMEngine dialect, made by running MMEngine's Runner.

Each case's ``file`` is an MMEngine Python config (``cfg.py``: module-level ``model``,
``train_dataloader``, ``train_cfg``, ``optim_wrapper``, ``param_scheduler``). The generator
writes exactly that text to a temporary ``.py`` file, loads it with ``mmengine.Config.fromfile``
(MMEngine's own reading, which executes the file), adds only what the file cannot know or what
would write outside a temporary folder (the dataset's size ``inputs.dataset_size``, ``work_dir``,
``default_hooks.checkpoint = None``, a quiet logger, ``val_*``/``test_*`` = None) and runs
``mmengine.runner.Runner.from_cfg(cfg).train()``. The model (``GoldenTinyModel``, one
``nn.Linear(4, 1)``) and the dataset (``GoldenTinyDataset``: ``size`` random rows, a dict of
``inputs``/``labels`` per row) are registered by this script.

Every real ``optimizer.step()`` is seen by a global step pre-hook
(``torch.optim.optimizer.register_optimizer_step_pre_hook``) that stores ``[g["lr"] for g in
opt.param_groups]``; the Runner holds no other optimizer. ``groups["0"]`` is the lr of param group
0 before update 0, 1, ...; cases whose groups differ keep one list per group, named by the
parameter each group holds (MMEngine's paramwise constructor makes one group per parameter).
``counting`` holds what the Runner reported: the dataloader's length (iterations per epoch),
``max_iters``, the 0-based iterations at which an update happened (where accumulation skips
some), and each built scheduler's ``begin``/``end``/``by_epoch`` after MMEngine filled in the
default ``end`` and converted epoch-based ones.

How to re-run (from the repository root)::

    python3 -m venv /tmp/fw2
    /tmp/fw2/bin/pip install torch==2.13.0
    /tmp/fw2/bin/pip install torch==2.13.0 numpy mmengine
    /tmp/fw2/bin/python tests/golden/configs/generate_mmengine.py

MMEngine imports torchvision when it is installed; as in generate_lightning.py, the
``torchvision::nms``/``qnms`` op schemas and a plain-torch CPU nms are defined first. The script
checks that each case is accepted or rejected as declared; it writes
``tests/golden/configs/mmengine.json``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import platform
import sys
import tempfile
import textwrap
import warnings
from pathlib import Path
from typing import Any

import torch


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


# MMEngine's Runner imports torchvision (collect_env) when it is installed.
_TV_LIB = _cpu_torchvision_ops()
with contextlib.suppress(ImportError):
    import torchvision.extension

    torchvision.extension._has_ops = lambda: True

import mmengine  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.model import BaseModel  # noqa: E402
from mmengine.registry import DATASETS, MODELS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from torch import nn  # noqa: E402
from torch.optim.optimizer import register_optimizer_step_pre_hook  # noqa: E402

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/configs/generate_mmengine.py"
OUT = HERE / "mmengine.json"

warnings.filterwarnings("ignore")


@MODELS.register_module()
class GoldenTinyModel(BaseModel):
    def __init__(self, features: int = 4) -> None:
        super().__init__()
        self.layer = nn.Linear(features, 1)

    def forward(self, inputs: Any, labels: Any = None, mode: str = "tensor") -> Any:
        out = self.layer(inputs)
        if mode == "loss":
            return {"loss": nn.functional.mse_loss(out, labels)}
        return out


@DATASETS.register_module()
class GoldenTinyDataset(torch.utils.data.Dataset):
    def __init__(self, size: int = 64, features: int = 4) -> None:
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(size, features, generator=g)
        self.y = torch.randn(size, 1, generator=g)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict:
        return {"inputs": self.x[i], "labels": self.y[i]}


def cfg_file(
    batch_size: int, train_cfg: str, optim_wrapper: str, param_scheduler: str | None
) -> str:
    text = "model = dict(type='GoldenTinyModel')\n\n"
    text += (
        "train_dataloader = dict(\n"
        f"    batch_size={batch_size},\n"
        "    num_workers=0,\n"
        "    sampler=dict(type='DefaultSampler', shuffle=False),\n"
        "    collate_fn=dict(type='default_collate'),\n"
        "    dataset=dict(type='GoldenTinyDataset'),\n"
        ")\n\n"
    )
    text += textwrap.dedent(train_cfg).strip("\n") + "\n\n"
    text += textwrap.dedent(optim_wrapper).strip("\n") + "\n"
    if param_scheduler is not None:
        text += "\n" + textwrap.dedent(param_scheduler).strip("\n") + "\n"
    return text


SGD = "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))"

CASES: list[dict[str, Any]] = [
    {
        "name": "epoch-multistep",
        "what": "by_epoch MultiStepLR(milestones=[2, 4]) in an EpochBasedTrainLoop of 6 epochs; "
        "50 rows / batch 8 = 7 iterations per epoch (last one 2 rows)",
        "dataset_size": 50,
        "file": cfg_file(
            8,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6)",
            SGD,
            """
            param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[2, 4], gamma=0.1)
            """,
        ),
    },
    {
        "name": "iter-warmup-over-epoch-steps",
        "what": "mmdet style: LinearLR(start_factor=0.001, by_epoch=False, end=10) reaches 1 at "
        "iteration 9, overlapping (multiplying) a by_epoch MultiStepLR([2, 3]); default end; "
        "train_cfg by_epoch=True form",
        "dataset_size": 50,
        "file": cfg_file(
            8,
            "train_cfg = dict(by_epoch=True, max_epochs=4, val_interval=1)",
            "optim_wrapper = dict(\n"
            "    type='OptimWrapper',\n"
            "    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),\n"
            ")",
            """
            param_scheduler = [
                dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=10),
                dict(type='MultiStepLR', begin=0, end=4, by_epoch=True, milestones=[2, 3],
                     gamma=0.1),
            ]
            """,
        ),
    },
    {
        "name": "convert-to-iter-based",
        "what": "LinearLR over epoch [0, 1) and CosineAnnealingLR(T_max=3) over epochs [1, 4), "
        "both convert_to_iter_based: begin, end, T_max times 4 iterations per epoch "
        "(30 rows / batch 8, last 6)",
        "dataset_size": 30,
        "file": cfg_file(
            8,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=4)",
            "optim_wrapper = dict(optimizer=dict(type='AdamW', lr=0.001, weight_decay=0.05))",
            """
            param_scheduler = [
                dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1,
                     convert_to_iter_based=True),
                dict(type='CosineAnnealingLR', T_max=3, eta_min=1e-5, by_epoch=True, begin=1,
                     end=4, convert_to_iter_based=True),
            ]
            """,
        ),
    },
    {
        "name": "fractional-epoch-boundaries",
        "what": "convert_to_iter_based with begin/end in fractions of an epoch: end=1.5 of 7 "
        "iterations is int(10.5) = 10, begin 1.5 likewise; StepLR(step_size=1) converted",
        "dataset_size": 50,
        "file": cfg_file(
            8,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3)",
            SGD,
            """
            param_scheduler = [
                dict(type='LinearLR', start_factor=0.2, by_epoch=True, begin=0, end=1.5,
                     convert_to_iter_based=True),
                dict(type='StepLR', step_size=1, gamma=0.5, by_epoch=True, begin=1.5, end=3,
                     convert_to_iter_based=True),
            ]
            """,
        ),
    },
    {
        "name": "iter-loop-poly-target-early",
        "what": "IterBasedTrainLoop max_iters 30: LinearLR warmup end=5 then PolyLR(power=1, "
        "eta_min=1e-4) begin 5 (default end = max_iters) reaches eta_min at iteration 28",
        "dataset_size": 20,
        "file": cfg_file(
            8,
            "train_cfg = dict(type='IterBasedTrainLoop', max_iters=30)",
            SGD,
            """
            param_scheduler = [
                dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=5),
                dict(type='PolyLR', power=1.0, eta_min=0.0001, by_epoch=False, begin=5),
            ]
            """,
        ),
    },
    {
        "name": "iter-loop-by-epoch-never-steps",
        "what": "a by_epoch=True StepLR in an IterBasedTrainLoop: the loop is one big epoch, "
        "the scheduler steps only after the last update, so the lr never changes",
        "dataset_size": 20,
        "file": cfg_file(
            8,
            "train_cfg = dict(type='IterBasedTrainLoop', max_iters=12)",
            SGD,
            """
            param_scheduler = dict(type='StepLR', step_size=1, gamma=0.5)
            """,
        ),
    },
    {
        "name": "accumulate-across-epochs",
        "what": "accumulative_counts 4 over 3 epochs of 7 iterations: the window counter is "
        "global (crosses epoch ends), the last window at max_iters 21 is short; the by-iteration "
        "CosineAnnealingLR still steps every iteration (updates see every 4th value)",
        "dataset_size": 50,
        "file": cfg_file(
            8,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3)",
            "optim_wrapper = dict(\n"
            "    type='OptimWrapper',\n"
            "    optimizer=dict(type='SGD', lr=0.1, momentum=0.9),\n"
            "    accumulative_counts=4,\n"
            ")",
            """
            param_scheduler = dict(type='CosineAnnealingLR', T_max=21, by_epoch=False, begin=0,
                                   end=21)
            """,
        ),
    },
    {
        "name": "iter-loop-accum-onecycle",
        "what": "IterBasedTrainLoop max_iters 26 with accumulative_counts 3 (updates at "
        "iterations 3, 6, ..., 24 and a short last window at 26); OneCycleLR(eta_max=0.05, "
        "total_steps=26) replaces the optimizer's lr",
        "dataset_size": 24,
        "file": cfg_file(
            4,
            "train_cfg = dict(type='IterBasedTrainLoop', max_iters=26)",
            "optim_wrapper = dict(\n"
            "    optimizer=dict(type='SGD', lr=0.01),\n"
            "    accumulative_counts=3,\n"
            ")",
            """
            param_scheduler = dict(type='OneCycleLR', eta_max=0.05, total_steps=26,
                                   pct_start=0.25, by_epoch=False)
            """,
        ),
    },
    {
        "name": "default-end-linear-by-epoch",
        "what": "by_epoch LinearLR without end: end = max_epochs 5, the ramp is over end - begin "
        "- 1 = 4 epochs; 20 rows / batch 6 = 4 iterations (last 2)",
        "dataset_size": 20,
        "file": cfg_file(
            6,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=5)",
            "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05))",
            """
            param_scheduler = dict(type='LinearLR', start_factor=1.0, end_factor=0.1,
                                   by_epoch=True)
            """,
        ),
    },
    {
        "name": "paramwise-bias-lr-mult",
        "what": "paramwise_cfg bias_lr_mult 2 and custom_keys layer.weight lr_mult 0.5: one group "
        "per parameter, both scaled by the chained schedulers; ExponentialLR by iteration over "
        "[2, 12) overlapping LinearLR [0, 6)",
        "dataset_size": 36,
        "file": cfg_file(
            6,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=2)",
            "optim_wrapper = dict(\n"
            "    optimizer=dict(type='SGD', lr=0.04, momentum=0.9),\n"
            "    paramwise_cfg=dict(bias_lr_mult=2.0, custom_keys={'layer.weight': "
            "dict(lr_mult=0.5)}),\n"
            ")",
            """
            param_scheduler = [
                dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0, end=6),
                dict(type='ExponentialLR', gamma=0.9, by_epoch=False, begin=2, end=12),
            ]
            """,
        ),
    },
    {
        "name": "cosine-restart-by-epoch",
        "what": "by_epoch CosineRestartLR(periods=[2, 3], restart_weights=[1, 0.5]) over 5 epochs "
        "of 3 iterations (17 rows / batch 6, last 5)",
        "dataset_size": 17,
        "file": cfg_file(
            6,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=5)",
            SGD,
            """
            param_scheduler = dict(type='CosineRestartLR', periods=[2, 3],
                                   restart_weights=[1, 0.5], eta_min=0.001, by_epoch=True)
            """,
        ),
    },
]

REJECTS: list[dict[str, Any]] = [
    {
        "name": "end-not-after-begin",
        "what": "a scheduler with begin == end",
        "dataset_size": 50,
        "file": cfg_file(
            8,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3)",
            SGD,
            """
            param_scheduler = [
                dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1),
                dict(type='CosineAnnealingLR', T_max=2, by_epoch=True, begin=3, end=3),
            ]
            """,
        ),
    },
    {
        "name": "convert-iter-scheduler",
        "what": "convert_to_iter_based on a by_epoch=False scheduler",
        "dataset_size": 50,
        "file": cfg_file(
            8,
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3)",
            SGD,
            """
            param_scheduler = dict(type='CosineAnnealingLR', T_max=20, by_epoch=False,
                                   convert_to_iter_based=True)
            """,
        ),
    },
]


# ------------------------------------------------------------------------------------ running
RECORD: list[list[float]] = []
UPDATE_ITERS: list[int] = []
STATE: dict[str, Any] = {"active": False, "runner": None}


def _pre_hook(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
    if STATE["active"]:
        RECORD.append([float(g["lr"]) for g in opt.param_groups])
        runner = STATE["runner"]
        UPDATE_ITERS.append(runner.iter if runner is not None else -1)


register_optimizer_step_pre_hook(_pre_hook)


def run_case(case: dict[str, Any], folder: Path, index: int) -> tuple[list[list[float]], dict]:
    RECORD.clear()
    UPDATE_ITERS.clear()
    path = folder / f"cfg_{index}.py"
    path.write_text(case["file"])
    cfg = Config.fromfile(str(path))
    cfg.train_dataloader.dataset.size = case["dataset_size"]
    cfg.work_dir = str(folder / f"work_{index}")
    cfg.default_hooks = {"checkpoint": None, "logger": {"type": "LoggerHook", "interval": 10**6}}
    cfg.log_level = "ERROR"
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        runner = Runner.from_cfg(cfg)
        STATE["runner"] = runner
        STATE["active"] = True
        try:
            runner.train()
        finally:
            STATE["active"] = False
            STATE["runner"] = None
    for name in list(logging.Logger.manager.loggerDict):
        if name.startswith("mmengine"):
            logging.getLogger(name).handlers.clear()
    loop = runner.train_loop
    scheds = runner.param_schedulers or []
    counting: dict[str, Any] = {
        "iters_per_epoch": len(runner.train_dataloader),
        "loop": type(loop).__name__,
        "max_epochs": runner.max_epochs,
        "max_iters": runner.max_iters,
        "accumulative_counts": runner.optim_wrapper._accumulative_counts,
        "total_updates": len(RECORD),
        "schedulers": [
            {
                "type": type(s).__name__,
                "begin": s.begin,
                "end": s.end if s.end < 10**9 else "INF",
                "by_epoch": s.by_epoch,
                **({"T_max": s.T_max} if hasattr(s, "T_max") else {}),
                **({"total_iters": s.total_iters} if hasattr(s, "total_iters") else {}),
                **({"milestones": sorted(s.milestones)} if hasattr(s, "milestones") else {}),
                **({"step_size": s.step_size} if hasattr(s, "step_size") else {}),
                **({"total_steps": s.total_steps} if hasattr(s, "total_steps") else {}),
            }
            for s in scheds
        ],
    }
    if list(range(len(UPDATE_ITERS))) != UPDATE_ITERS:
        counting["update_at_iters"] = list(UPDATE_ITERS)
        counting["update_at_iters_is"] = "0-based iteration of each real optimizer.step()"
    names = [n for n, _ in runner.model.named_parameters()]
    return [list(r) for r in RECORD], {"counting": counting, "param_names": names}


def groups_of(rec: list[list[float]], names: list[str]) -> dict[str, list[float]]:
    n = len(rec[0])
    cols = [[r[i] for r in rec] for i in range(n)]
    if all(c == cols[0] for c in cols):
        return {"0": cols[0]}
    if n == len(names):  # paramwise: one group per parameter, in named_parameters order
        return {f"{i}:{names[i]}": cols[i] for i in range(n)}
    return {str(i): cols[i] for i in range(n)}


def main() -> None:
    out_cases = []
    out_rejects = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i, case in enumerate(CASES):
            rec, info = run_case(case, folder, i)
            if not rec:
                raise SystemExit(f"{case['name']}: no update recorded")
            out_cases.append(
                {
                    "name": case["name"],
                    "what": case["what"],
                    "file_name": "cfg.py",
                    "file": case["file"],
                    "inputs": {
                        "dataset_size": case["dataset_size"],
                        "batch_size": None,
                        "world_size": 1,
                        "epochs": None,
                    },
                    "counting": info["counting"],
                    "groups": groups_of(rec, info["param_names"]),
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
                raise SystemExit(f"{case['name']}: MMEngine accepted it")
            out_rejects.append(
                {
                    "name": case["name"],
                    "what": case["what"],
                    "file_name": "cfg.py",
                    "file": case["file"],
                    "inputs": {
                        "dataset_size": case["dataset_size"],
                        "batch_size": None,
                        "world_size": 1,
                        "epochs": None,
                    },
                    "error": error,
                }
            )
            print(f"{case['name']}: {error[:120]}", file=sys.stderr)
    names = [c["name"] for c in CASES + REJECTS]
    if len(names) != len(set(names)):
        raise SystemExit("case names repeat")
    doc = {
        "generator": GENERATOR,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "mmengine": mmengine.__version__,
        },
        "convention": "groups[g][i] = optimizer.param_groups[g]['lr'] right before the i-th real "
        "optimizer.step() (a global step pre-hook); one list per group where groups differ, "
        "named '<index>:<parameter name>' for MMEngine's one-group-per-parameter constructor",
        "cases": out_cases,
        "rejects": out_rejects,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
