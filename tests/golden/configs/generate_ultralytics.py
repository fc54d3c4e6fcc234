"""Golden vectors for the ``config FILE`` word, Ultralytics dialect (train args YAML).

Each case's ``file`` is a YAML of YOLO train arguments (``args.yaml``: hand-written ones, and one
exactly as Ultralytics saved it for an earlier run). The generator writes the text to
``/tmp/lrsched_golden_yolo/cfg/<case>.yaml`` and runs the real trainer on it the way
``yolo train cfg=args.yaml`` does::

    YOLO(<the file's model>).train(cfg=<the file>, project=<runs>, name=<case>, exist_ok=True)

(``project``/``name``/``exist_ok`` only choose where the run's outputs go.) The model is built
from its yaml (``yolov8n.yaml``: no weights are downloaded) and trained on CPU on a synthetic
detection dataset this script writes to ``/tmp/lrsched_golden_yolo/n<N>/`` (``N`` random 32x32
PNG images with one box each; ``data.yaml`` with one class). ``YOLO_OFFLINE=1`` keeps
Ultralytics from looking for the network; ``amp: false`` skips its AMP check (which would
download weights) and ``plots: false`` its font download.

Every real ``optimizer.step()`` is seen by a global step pre-hook storing ``[g["lr"] for g in
opt.param_groups]``; Ultralytics runs no other optimizer. The optimizer's groups are, in order,
``weight`` (with decay), ``bn`` (normalisation weights) and ``bias``, as
``BaseTrainer.build_optimizer`` builds them (their ``param_group`` keys); the lists are named by
those keys, or kept as ``"0"`` alone where all groups have the same lrs. ``counting`` holds what
the trainer reported: ``nb`` (batches per epoch), ``nw`` (warmup iterations,
``_get_warmup_iterations``), the nominal ``accumulate`` (``max(round(nbs / batch), 1)`` capped at
``nb * epochs``), the images used, the batch index ``ni`` of each update, and the optimizer
``auto`` chose.

How to re-run (from the repository root)::

    python3 -m venv /tmp/fw2
    /tmp/fw2/bin/pip install torch==2.13.0
    /tmp/fw2/bin/pip install torch==2.13.0 numpy ultralytics
    /tmp/fw2/bin/python tests/golden/configs/generate_ultralytics.py

The torchvision that pip finds for the CPU torch is a CUDA build whose import fails ("operator
torchvision::nms does not exist"); Ultralytics needs it (its validation calls
``torchvision.ops.nms``). This script defines the ``torchvision::nms``/``qnms`` op schemas with
a plain-torch CPU kernel before torchvision is imported (no lr logic is touched). Each run takes
a few seconds; the script writes ``tests/golden/configs/ultralytics.json``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import shutil
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

# One rejection's message prints a set of names: fix the string hash so that it reads the same
# on every run.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

os.environ["YOLO_OFFLINE"] = "1"
os.environ.setdefault("YOLO_VERBOSE", "False")

import torch  # noqa: E402
from torch.optim.optimizer import register_optimizer_step_pre_hook  # noqa: E402

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/configs/generate_ultralytics.py"
OUT = HERE / "ultralytics.json"
DATA_ROOT = Path("/tmp/lrsched_golden_yolo")
RUNS = DATA_ROOT / "runs"

warnings.filterwarnings("ignore")


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
import torchvision  # noqa: E402
import torchvision.extension  # noqa: E402

torchvision.extension._has_ops = lambda: True

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import ultralytics  # noqa: E402
from ultralytics import YOLO  # noqa: E402
from ultralytics.utils.callbacks import base as callbacks_base  # noqa: E402


def dataset(n: int) -> Path:
    """n random 32x32 images with one box each, and their data.yaml; the path of the yaml."""
    root = DATA_ROOT / f"n{n}"
    if root.exists():
        shutil.rmtree(root)
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    rng = np.random.default_rng(n)
    for i in range(n):
        img = (rng.random((32, 32, 3)) * 255).astype(np.uint8)
        cv2.imwrite(str(root / "images" / "train" / f"im{i:03d}.png"), img)
        (root / "labels" / "train" / f"im{i:03d}.txt").write_text("0 0.5 0.5 0.4 0.4\n")
    data = root / "data.yaml"
    data.write_text(f"path: {root}\ntrain: images/train\nval: images/train\nnames:\n  0: box\n")
    return data


COMMON = """\
imgsz: 32
workers: 0
device: cpu
plots: false
val: false
amp: false
"""


def args_yaml(n: int, body: str) -> str:
    return (
        "model: yolov8n.yaml\n"
        f"data: {DATA_ROOT}/n{n}/data.yaml\n" + textwrap.dedent(body).strip("\n") + "\n" + COMMON
    )


CASES: list[dict[str, Any]] = [
    {
        "name": "sgd-nbs-ramp-warmup",
        "what": "10 images / batch 4 = 3 batches (last 2); nbs 8 -> accumulate 2, ramped from 1 "
        "during the 3 warmup iterations (1 epoch); bias falls from warmup_bias_lr 0.1",
        "dataset_size": 10,
        "file": args_yaml(
            10,
            """
            epochs: 3
            batch: 4
            nbs: 8
            optimizer: SGD
            lr0: 0.01
            lrf: 0.1
            warmup_epochs: 1
            warmup_bias_lr: 0.1
            cos_lr: false
            """,
        ),
    },
    {
        "name": "default-nbs-few-updates",
        "what": "default nbs 64 with batch 4: accumulate round(16) capped at nb * epochs = 12; "
        "default warmup_epochs 3 = epochs - 1 -> 9 warmup iterations; the ramped accumulate "
        "outruns the batches: the whole run makes 1 update, at weight lr 0",
        "dataset_size": 12,
        "file": args_yaml(
            12,
            """
            epochs: 4
            batch: 4
            optimizer: SGD
            lr0: 0.01
            lrf: 0.01
            """,
        ),
    },
    {
        "name": "warmup-1.5-epochs",
        "what": "warmup_epochs 1.5 of 6 batches (23 images / batch 4, last 3) = 9 warmup "
        "iterations, interpolated per batch with np.interp; the target lr0 * lf(epoch) changes at "
        "the epoch boundary inside the warmup; nbs 4 -> every batch updates",
        "dataset_size": 23,
        "file": args_yaml(
            23,
            """
            epochs: 3
            batch: 4
            nbs: 4
            optimizer: SGD
            lr0: 0.02
            lrf: 0.1
            warmup_epochs: 1.5
            warmup_bias_lr: 0.1
            """,
        ),
    },
    {
        "name": "cos-lr-one-cycle",
        "what": "cos_lr: one-cycle cosine lf from 1 to lrf 0.05 over 5 epochs, stepped at each "
        "epoch's start; 1 warmup epoch of 2 batches",
        "dataset_size": 8,
        "file": args_yaml(
            8,
            """
            epochs: 5
            batch: 4
            nbs: 4
            optimizer: SGD
            lr0: 0.01
            lrf: 0.05
            cos_lr: true
            warmup_epochs: 1
            """,
        ),
    },
    {
        "name": "no-warmup-linear",
        "what": "warmup_epochs 0: no warmup, all three groups at lr0 * lf(epoch) (linear to lrf "
        "0.2), LambdaLR stepped at each epoch's start; 10 images / batch 5",
        "dataset_size": 10,
        "file": args_yaml(
            10,
            """
            epochs: 4
            batch: 5
            nbs: 5
            optimizer: SGD
            lr0: 0.01
            lrf: 0.2
            warmup_epochs: 0
            """,
        ),
    },
    {
        "name": "warmup-capped-short-run",
        "what": "epochs 2 with warmup_epochs 3: capped at epochs - 1 = 1 epoch = 3 iterations "
        "(10 images / batch 4, last 2); nbs 8 -> accumulate ramps 1 -> 2",
        "dataset_size": 10,
        "file": args_yaml(
            10,
            """
            epochs: 2
            batch: 4
            nbs: 8
            optimizer: SGD
            lr0: 0.01
            lrf: 0.01
            warmup_epochs: 3
            """,
        ),
    },
    {
        "name": "optimizer-auto",
        "what": "optimizer auto on a short run: AdamW at lr round(0.002 * 5 / (4 + nc), 6) = "
        "0.002 for 1 class, lr0 0.05 ignored, warmup_bias_lr set to 0 (bias rises like the rest)",
        "dataset_size": 10,
        # lrsched's input, not the trainer's: the class count the dataset's data.yaml holds
        "sets": ["nc=1"],
        "file": args_yaml(
            10,
            """
            epochs: 3
            batch: 4
            nbs: 8
            optimizer: auto
            lr0: 0.05
            lrf: 0.1
            warmup_epochs: 1
            warmup_bias_lr: 0.1
            """,
        ),
    },
    {
        "name": "accumulate-across-epochs",
        "what": "nbs 12 / batch 4 -> accumulate 3 over 2 batches per epoch and no warmup: windows "
        "cross epoch ends (updates at batches 2 and 5 of 8), the last 2 batches never update",
        "dataset_size": 8,
        "file": args_yaml(
            8,
            """
            epochs: 4
            batch: 4
            nbs: 12
            optimizer: SGD
            lr0: 0.01
            lrf: 0.1
            warmup_epochs: 0
            """,
        ),
    },
    {
        "name": "adamw-explicit",
        "what": "optimizer AdamW with lr0 0.002, 2 warmup epochs of 3 batches (6 images / batch "
        "2), nbs 4 -> accumulate 2 ramped; warmup_bias_lr 0.05 falls to the target",
        "dataset_size": 6,
        "file": args_yaml(
            6,
            """
            epochs: 4
            batch: 2
            nbs: 4
            optimizer: AdamW
            lr0: 0.002
            lrf: 0.1
            momentum: 0.9
            warmup_epochs: 2
            warmup_bias_lr: 0.05
            """,
        ),
    },
    {
        "name": "fraction-of-dataset",
        "what": "fraction 0.5 of 21 images = max(1, round(10.5)) = 10 (Python rounds half to "
        "even) -> 3 batches of 4; 1 warmup epoch, nbs 8",
        "dataset_size": 21,
        "file": args_yaml(
            21,
            """
            epochs: 3
            batch: 4
            nbs: 8
            fraction: 0.5
            optimizer: SGD
            lr0: 0.01
            lrf: 0.1
            warmup_epochs: 1
            """,
        ),
    },
    {
        "name": "saved-args-yaml",
        "what": "the full args.yaml Ultralytics saved for sgd-nbs-ramp-warmup, run again as the "
        "config (same lrs)",
        "dataset_size": 10,
        "saved_from": "sgd-nbs-ramp-warmup",
    },
]

REJECTS: list[dict[str, Any]] = [
    {
        "name": "final-batch-of-one",
        "what": "9 images / batch 4 leaves a final batch of 1 at imgsz 32 (BatchNorm check)",
        "dataset_size": 9,
        "file": args_yaml(
            9,
            """
            epochs: 2
            batch: 4
            nbs: 8
            optimizer: SGD
            lr0: 0.01
            """,
        ),
    },
    {
        "name": "unknown-optimizer",
        "what": "optimizer Lion is not one Ultralytics builds",
        "dataset_size": 10,
        "file": args_yaml(
            10,
            """
            epochs: 2
            batch: 4
            optimizer: Lion
            lr0: 0.001
            """,
        ),
    },
    {
        "name": "misspelt-argument",
        "what": "warmup_epoch (no s) is not a train argument",
        "dataset_size": 10,
        "file": args_yaml(
            10,
            """
            epochs: 2
            batch: 4
            warmup_epoch: 2
            """,
        ),
    },
]


# ------------------------------------------------------------------------------------ running
RECORD: list[list[float]] = []
UPDATE_NI: list[int] = []
STATE: dict[str, Any] = {"active": False, "ni": -1, "trainer": None}


def _pre_hook(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
    if STATE["active"]:
        RECORD.append([float(g["lr"]) for g in opt.param_groups])
        UPDATE_NI.append(STATE["ni"])


register_optimizer_step_pre_hook(_pre_hook)


def _on_train_start(trainer: Any) -> None:
    STATE["trainer"] = trainer
    STATE["ni"] = -1
    STATE["info"] = {
        "nb": len(trainer.train_loader),
        "nw": trainer._get_warmup_iterations(len(trainer.train_loader)),
        "accumulate": trainer.accumulate,
        "images_used": len(trainer.train_loader.dataset),
        "epochs": trainer.epochs,
        "optimizer": type(trainer.optimizer).__name__,
        "optimizer_lr0": trainer.args.lr0,
        "warmup_bias_lr": trainer.args.warmup_bias_lr,
        "param_groups": [g.get("param_group") for g in trainer.optimizer.param_groups],
    }
    STATE["active"] = True


def _on_train_batch_start(trainer: Any) -> None:
    STATE["ni"] += 1


def _on_train_end(trainer: Any) -> None:
    STATE["active"] = False


for _event, _fn in (
    ("on_train_start", _on_train_start),
    ("on_train_batch_start", _on_train_batch_start),
    ("on_train_end", _on_train_end),
):
    callbacks_base.default_callbacks[_event].append(_fn)


def run_case(text: str, name: str, folder: Path) -> tuple[list[list[float]], dict, Path]:
    RECORD.clear()
    UPDATE_NI.clear()
    STATE.update(active=False, ni=-1, trainer=None, info=None)
    path = folder / f"{name}.yaml"
    path.write_text(text)
    import yaml

    model_cfg = yaml.safe_load(text).get("model", "yolov8n.yaml")
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            torch.manual_seed(0)
            model = YOLO(model_cfg)
            model.train(cfg=str(path), project=str(RUNS), name=name, exist_ok=True)
    finally:
        STATE["active"] = False
    trainer = STATE["trainer"]
    info = dict(STATE["info"])
    info["total_updates"] = len(RECORD)
    info["update_at_ni"] = list(UPDATE_NI)
    info["update_at_ni_is"] = "0-based batch index ni = i + nb * epoch of each real update"
    info["batches_run"] = STATE["ni"] + 1
    return [list(r) for r in RECORD], info, Path(trainer.save_dir)


def groups_of(rec: list[list[float]], names: list[str]) -> dict[str, list[float]]:
    cols = [[r[i] for r in rec] for i in range(len(rec[0]))]
    if all(c == cols[0] for c in cols):
        return {"0": cols[0]}
    return {names[i]: cols[i] for i in range(len(cols))}


def inputs_of(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataset_size": case["dataset_size"],
        "batch_size": None,
        "world_size": 1,
        "epochs": None,
        **({"sets": case["sets"]} if case.get("sets") else {}),
    }


def main() -> None:
    if RUNS.exists():
        shutil.rmtree(RUNS)
    saved: dict[str, str] = {}
    out_cases, out_rejects = [], []
    old = os.getcwd()
    folder = DATA_ROOT / "cfg"  # a fixed place: a saved args.yaml names its cfg file
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    os.chdir(folder)
    try:
        for case in CASES + REJECTS:
            dataset(case["dataset_size"])
        for case in CASES:
            text = case.get("file") or saved[case["saved_from"]]
            rec, info, save_dir = run_case(text, case["name"], folder)
            saved[case["name"]] = (save_dir / "args.yaml").read_text()
            if not rec:
                raise SystemExit(f"{case['name']}: no update recorded")
            out_cases.append(
                {
                    "name": case["name"],
                    "what": case["what"],
                    "file_name": "args.yaml",
                    "file": text,
                    "inputs": inputs_of(case),
                    "counting": info,
                    "groups": groups_of(rec, info["param_groups"]),
                }
            )
            print(f"{case['name']}: {len(rec)} updates", file=sys.stderr)
        for case in REJECTS:
            try:
                run_case(case["file"], case["name"], folder)
            except Exception as exc:  # noqa: BLE001 - the trainer's own error is the point
                msg = " ".join(str(exc).split())
                error = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
            else:
                raise SystemExit(f"{case['name']}: Ultralytics accepted it")
            out_rejects.append(
                {
                    "name": case["name"],
                    "what": case["what"],
                    "file_name": "args.yaml",
                    "file": case["file"],
                    "inputs": inputs_of(case),
                    "error": error,
                }
            )
            print(f"{case['name']}: {error[:120]}", file=sys.stderr)
    finally:
        os.chdir(old)
    by_name = {c["name"]: c for c in out_cases}
    if by_name["saved-args-yaml"]["groups"] != by_name["sgd-nbs-ramp-warmup"]["groups"]:
        raise SystemExit("the saved args.yaml did not reproduce its run")
    names = [c["name"] for c in CASES + REJECTS]
    if len(names) != len(set(names)):
        raise SystemExit("case names repeat")
    doc = {
        "generator": GENERATOR,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "ultralytics": ultralytics.__version__,
        },
        "convention": "groups[name][i] = optimizer.param_groups[k]['lr'] right before the i-th "
        "real optimizer.step() (a global step pre-hook); groups named by Ultralytics' "
        "param_group key (weight, bn, bias in the optimizer's order), or '0' alone where all "
        "are equal",
        "cases": out_cases,
        "rejects": out_rejects,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
