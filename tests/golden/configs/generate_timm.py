"""Golden vectors for the ``config FILE`` word, timm train.py dialect (``args.yaml``), made by
running timm's own code.

Each case is an ``args.yaml`` as a user keeps it: hand-written minimal ones (what ``train.py
--config FILE`` reads) and one exactly as train.py saves it next to a run (``args_text``: every
argument, ``lr: null`` and the rest). What runs is timm's own code, not a copy of it:

* ``train.py`` itself (read from a git checkout of huggingface/pytorch-image-models, see
  ``TRAIN_PY`` below; its source is never copied into this repository): its argument parser and
  ``_parse_args()`` read the file (``parser.set_defaults(**yaml.safe_load(f))``, so argparse
  converts string values such as YAML 1.1's ``3e-4`` with the argument's type), and the
  statements of ``main()`` that decide the lr are executed as written: ``args.grad_accum_steps``,
  the ``lr`` from ``lr_base`` scaled by the global batch (``if not args.lr:``), ``eval_metric`` /
  ``decreasing_metric``, ``updates_per_epoch``, ``create_scheduler_v2(optimizer,
  **scheduler_kwargs(args, decreasing_metric=...), updates_per_epoch=...)``, ``start_epoch`` and
  the whole epoch loop (``train_one_epoch`` with its accumulation windows and
  ``lr_scheduler.step_update(num_updates=...)`` after each update, ``val_interval`` and
  ``lr_scheduler.step(epoch + 1, metric)`` after each epoch);
* the installed ``timm.scheduler`` (``create_scheduler_v2``, ``scheduler_kwargs``, the scheduler
  classes).

What is not timm's: the data (a seeded synthetic ``TensorDataset`` of ``inputs.dataset_size``
rows in a ``torch.utils.data.DataLoader(batch_size=args.batch_size, shuffle=True,
drop_last=True)``, as ``timm.data.create_loader(is_training=True)`` builds it), the model (one
``nn.Linear``) behind a minimal task object, the optimizer (``timm.optim`` imports torchvision,
which does not load beside this CPU torch, so ``optimizer = create_optimizer_v2(...)`` is replaced
by the torch optimizer it would build, ``lr=args.lr``, with timm's two weight-decay groups), and
``validate()``, which returns the case's ``metrics[epoch]`` for ``args.eval_metric`` (an eval
loader is assumed, as with train.py's default ``val_split``, so the plateau mode is ``max`` for
``top1`` and ``min`` for ``loss``). ``utils.is_primary`` is False (no log lines: train.py's
logging is the only other reader of the lr).

Every real ``optimizer.step()`` is seen by a global
``torch.optim.optimizer.register_optimizer_step_pre_hook`` that stores ``[g["lr"] for g in
opt.param_groups]`` just before the step. ``groups["0"]`` is the lr before update 0, 1, ...
(the two groups have the same lr, so only ``"0"`` is kept).

How to re-run (from the repository root)::

    python3 -m venv /tmp/fw
    /tmp/fw/bin/pip install torch==2.13.0
    /tmp/fw/bin/pip install torch==2.13.0 timm pyyaml
    /tmp/fw/bin/pip uninstall -y torchvision
    git clone https://github.com/huggingface/pytorch-image-models /tmp/pim   # for train.py
    git -C /tmp/pim checkout aa4b5850c1543fa488abf260f18390eda46cf85d    # the train.py used
    TIMM_TRAIN_PY=/tmp/pim/train.py /tmp/fw/bin/python tests/golden/configs/generate_timm.py

The vectors were made with train.py at that commit (timm/version.py there says 1.0.29.dev0; the
train.py of the installed 1.0.31 release was not at hand) and timm 1.0.31's schedulers. The
train.py statements executed are found by how they begin (``args.grad_accum_steps = ``,
``if not args.lr:``, ``updates_per_epoch = ``, ...); the script stops if one is missing.

Without ``TIMM_TRAIN_PY`` the script reads ``train.py`` at ``TRAIN_PY_COMMIT`` from the bare git
directory ``TRAIN_PY_GIT``. ``import timm`` fails without torchvision, so ``timm.scheduler`` is
loaded without running ``timm/__init__.py`` (its modules import only torch), as
tests/golden/generate_dialects_torch.py does. The script checks that each case is accepted or
rejected as declared and that the number of recorded updates is what the loop made; it writes
``tests/golden/configs/timm.json``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import importlib
import importlib.util
import json
import logging
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import types
import warnings
from collections import OrderedDict
from pathlib import Path

import torch
import yaml
from torch.optim.optimizer import register_optimizer_step_pre_hook

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/configs/generate_timm.py"
OUT = HERE / "timm.json"
TRAIN_PY_GIT = "/work/.mirror/huggingface+pytorch-image-models/repo"
TRAIN_PY_COMMIT = (
    "aa4b5850c1543fa488abf260f18390eda46cf85d"  # newest train.py at hand (version.py 1.0.29.dev0)
)

REC: list[list[float]] = []
register_optimizer_step_pre_hook(
    lambda opt, args, kwargs: REC.append([g["lr"] for g in opt.param_groups])
)


# ----------------------------------------------------------------------------------------------
# timm without torchvision
# ----------------------------------------------------------------------------------------------


def import_timm_scheduler() -> tuple[types.ModuleType, str, str]:
    try:
        import timm
        import timm.scheduler  # noqa: F401

        return timm.scheduler, timm.__version__, "import timm"
    except Exception:  # torchvision missing or not loadable with this torch
        for name in [m for m in sys.modules if m == "timm" or m.startswith("timm.")]:
            del sys.modules[name]
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("timm is not installed")
    pkg = types.ModuleType("timm")
    pkg.__path__ = list(spec.submodule_search_locations)
    pkg.__file__ = spec.origin
    sys.modules["timm"] = pkg
    sched = importlib.import_module("timm.scheduler")
    ver = {}
    exec(Path(pkg.__path__[0], "version.py").read_text(), ver)
    return sched, ver["__version__"], "timm.scheduler without timm/__init__.py (no torchvision)"


def load_timm_file(rel: str, name: str) -> types.ModuleType:
    """One module of the installed timm by path (timm.utils' __init__ imports torchvision)."""
    root = Path(sys.modules["timm"].__path__[0])
    spec = importlib.util.spec_from_file_location(name, root / rel)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------------------------------------------
# train.py's own code
# ----------------------------------------------------------------------------------------------


def train_py_source() -> tuple[str, str]:
    path = os.environ.get("TIMM_TRAIN_PY")
    if path:
        return Path(path).read_text(), f"TIMM_TRAIN_PY={path}"
    try:
        src = subprocess.run(
            ["git", f"--git-dir={TRAIN_PY_GIT}", "show", f"{TRAIN_PY_COMMIT}:train.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit(  # noqa: B904 - the reason is in the message
            f"timm's train.py is needed: set TIMM_TRAIN_PY to a checkout's train.py ({e})"
        )
    return src, f"huggingface/pytorch-image-models@{TRAIN_PY_COMMIT}:train.py"


class TrainPy:
    """The parts of train.py this generator executes, compiled from its source."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.tree = ast.parse(src)
        body = self.tree.body
        start = next(
            i
            for i, n in enumerate(body)
            if isinstance(n, ast.Assign)
            and ast.get_source_segment(src, n).startswith("config_parser = parser =")
        )
        stop = next(
            i
            for i, n in enumerate(body)
            if isinstance(n, ast.FunctionDef) and n.name == "_parse_args"
        )
        self.parser_code = self._compile(body[start:stop], "train.py:parser")
        self.funcs = {n.name: n for n in body if isinstance(n, ast.FunctionDef)}
        main = self.funcs["main"].body

        def pick(prefix: str) -> int:
            hits = [
                i for i, n in enumerate(main) if ast.get_source_segment(src, n).startswith(prefix)
            ]
            if len(hits) != 1:
                raise SystemExit(f"train.py main(): {len(hits)} statements start with {prefix!r}")
            return hits[0]

        prologue = [
            main[pick("args.prefetcher = ")],
            main[pick("args.grad_accum_steps = ")],
            main[pick("batch_size_reference = float(args.batch_size)")],
            main[pick("if not args.lr:")],
        ]
        lo, hi = pick("eval_metric = "), pick("output_dir = None")
        sched_lo, sched_hi = (
            pick("updates_per_epoch = "),
            next(i for i, n in enumerate(main) if isinstance(n, ast.Try)),
        )
        self.prologue_code = self._compile(prologue, "train.py:main:lr")
        self.sched_code = self._compile(
            main[lo : hi + 1] + main[sched_lo : sched_hi + 1], "train.py:main:schedule"
        )

    def _compile(self, stmts: list, name: str):
        mod = ast.Module(body=stmts, type_ignores=[])
        return compile(mod, name, "exec")

    def function(self, name: str, ns: dict):
        mod = ast.Module(body=[self.funcs[name]], type_ignores=[])
        exec(compile(mod, f"train.py:{name}", "exec"), ns)
        return ns[name]


def utils_stub() -> types.SimpleNamespace:
    misc = load_timm_file("utils/misc.py", "_timm_utils_misc")
    metrics = load_timm_file("utils/metrics.py", "_timm_utils_metrics")
    return types.SimpleNamespace(
        ParseKwargs=misc.ParseKwargs,
        add_bool_arg=misc.add_bool_arg,
        AverageMeter=metrics.AverageMeter,
        is_primary=lambda args: False,
        reduce_tensor=lambda t, n: t,
        distribute_bn=lambda *a, **k: None,
        dispatch_clip_grad=lambda *a, **k: None,
        update_summary=lambda *a, **k: None,
    )


def parse_args_file(tp: TrainPy, utils, path: str) -> tuple[argparse.Namespace, str]:
    """train.py's own parser and _parse_args() on ``train.py -c <path>``."""
    ns: dict = {"argparse": argparse, "utils": utils, "yaml": yaml}
    exec(tp.parser_code, ns)  # a fresh parser: set_defaults mutates it
    _parse_args = tp.function("_parse_args", ns)
    saved = sys.argv
    sys.argv = ["train.py", "-c", path]
    try:
        with contextlib.redirect_stderr(io_sink()):
            return _parse_args()
    finally:
        sys.argv = saved


def io_sink():
    import io

    return io.StringIO()


# ----------------------------------------------------------------------------------------------
# The cases
# ----------------------------------------------------------------------------------------------


def Y(d: dict) -> str:
    return yaml.safe_dump(d, default_flow_style=False, sort_keys=False)


def cases() -> list[dict]:
    c: list[dict] = []

    def add(name, what, file, n, metrics=None):
        d = dict(
            name=name,
            what=what,
            file_name="args.yaml",
            file=file if isinstance(file, str) else Y(file),
            inputs=dict(dataset_size=n, batch_size=None, world_size=1, epochs=None),
        )
        if metrics is not None:
            d["metrics"] = metrics
        c.append(d)

    add(
        "cosine-epochs-warmup",
        "cosine stepped per epoch, warmup_epochs 2 from warmup_lr 1e-4 (the whole first epoch at "
        "warmup_lr), 6 epochs; 70 rows / batch 8: the loader drops the last 6 rows, 8 updates per "
        "epoch",
        {
            "sched": "cosine",
            "epochs": 6,
            "batch_size": 8,
            "opt": "sgd",
            "lr": 0.01,
            "min_lr": 1e-5,
            "warmup_epochs": 2,
            "warmup_lr": 1e-4,
            "weight_decay": 1e-4,
        },
        70,
    )
    add(
        "cosine-updates-prefix-cooldown-accum",
        "sched_on_updates, warmup_prefix (1 epoch added before the 4), cooldown_epochs 1: 6 "
        "epochs; 90 rows / batch 8 = 11 batches, grad_accum_steps 3: 4 updates per epoch (last "
        "window 2 batches)",
        {
            "sched": "cosine",
            "sched_on_updates": True,
            "epochs": 4,
            "batch_size": 8,
            "grad_accum_steps": 3,
            "lr": 0.02,
            "min_lr": 1e-4,
            "warmup_epochs": 1,
            "warmup_lr": 1e-4,
            "warmup_prefix": True,
            "cooldown_epochs": 1,
        },
        90,
    )
    add(
        "step-epochs",
        "step: x0.5 every 2 epochs, warmup 1 epoch, 7 epochs; 55 rows / batch 10 = 5 updates per "
        "epoch",
        {
            "sched": "step",
            "epochs": 7,
            "batch_size": 10,
            "lr": 0.05,
            "decay_epochs": 2,
            "decay_rate": 0.5,
            "warmup_epochs": 1,
            "warmup_lr": 0.001,
        },
        55,
    )
    add(
        "step-updates-fractional-decay",
        "step on updates with decay_epochs 1.5: decay every 1.5 x 6 = 9 updates; no warmup; 4 "
        "epochs of 6 updates",
        {
            "sched": "step",
            "sched_on_updates": True,
            "epochs": 4,
            "batch_size": 5,
            "lr": 0.1,
            "decay_epochs": 1.5,
            "decay_rate": 0.7,
            "warmup_epochs": 0,
        },
        33,
    )
    add(
        "multistep-updates-accum",
        "multistep on updates, milestones epochs 2 and 4 (x0.1), warmup 1 epoch; 7 batches of 6, "
        "grad_accum_steps 2: 4 updates per epoch (last window 1 batch), 6 epochs",
        {
            "sched": "multistep",
            "sched_on_updates": True,
            "epochs": 6,
            "batch_size": 6,
            "grad_accum_steps": 2,
            "lr": 0.1,
            "decay_milestones": [2, 4],
            "decay_rate": 0.1,
            "warmup_epochs": 1,
            "warmup_lr": 0.01,
        },
        45,
    )
    add(
        "plateau-top1",
        "plateau on eval top1 (mode max), patience_epochs 1, decay_rate 0.5, warmup 1 epoch; the "
        "metric validate() returned after each epoch is in metrics; 8 epochs of 4 updates",
        {
            "sched": "plateau",
            "epochs": 8,
            "batch_size": 8,
            "lr": 0.1,
            "patience_epochs": 1,
            "decay_rate": 0.5,
            "warmup_epochs": 1,
            "warmup_lr": 0.01,
            "min_lr": 0.001,
        },
        35,
        metrics=[10.0, 20.0, 30.0, 30.0, 30.0, 31.0, 31.0, 31.0],
    )
    add(
        "plateau-loss-val-interval",
        "plateau on eval loss (mode min), patience_epochs 0, val_interval 2: the odd epochs get "
        "step(epoch + 1, None) and their metrics entry is null, the last epoch is always "
        "evaluated; 7 epochs of 3 updates",
        {
            "sched": "plateau",
            "epochs": 7,
            "batch_size": 4,
            "lr": 0.01,
            "patience_epochs": 0,
            "decay_rate": 0.1,
            "warmup_epochs": 0,
            "eval_metric": "loss",
            "val_interval": 2,
        },
        14,
        metrics=[None, 2.0, None, 1.5, None, 1.6, 1.7],
    )
    add(
        "poly-updates-power-2",
        "poly with decay_rate 2.0 as the power, on updates, warmup 1 epoch, min_lr 1e-4, 5 epochs "
        "of 5 updates",
        {
            "sched": "poly",
            "sched_on_updates": True,
            "epochs": 5,
            "batch_size": 8,
            "lr": 0.01,
            "decay_rate": 2.0,
            "min_lr": 1e-4,
            "warmup_epochs": 1,
            "warmup_lr": 1e-4,
        },
        42,
    )
    add(
        "tanh-epochs",
        "tanh per epoch, warmup 1 epoch, 6 epochs of 4 updates",
        {
            "sched": "tanh",
            "epochs": 6,
            "batch_size": 8,
            "lr": 0.05,
            "min_lr": 1e-5,
            "warmup_epochs": 1,
            "warmup_lr": 1e-3,
        },
        32,
    )
    add(
        "cosine-cycle-limit-3",
        "cosine per epoch with lr_cycle_limit 3: 3 cycles of 3 epochs = 9 epochs, each peak x0.5 "
        "(train.py's default lr_cycle_decay 0.5; scheduler_kwargs' own fallback would be 0.1); "
        "warmup 1 epoch",
        {
            "sched": "cosine",
            "epochs": 3,
            "batch_size": 8,
            "lr": 0.1,
            "min_lr": 0.001,
            "lr_cycle_limit": 3,
            "warmup_epochs": 1,
            "warmup_lr": 0.01,
        },
        24,
    )
    add(
        "cosine-epochs-warmup-prefix",
        "cosine per epoch with warmup_prefix: 2 warmup epochs before the 4 (6 epochs), epoch 2 "
        "runs at the peak",
        {
            "sched": "cosine",
            "epochs": 4,
            "batch_size": 8,
            "lr": 0.02,
            "min_lr": 0.0,
            "warmup_epochs": 2,
            "warmup_lr": 0.002,
            "warmup_prefix": True,
        },
        30,
    )
    add(
        "train-py-defaults",
        "only batch_size, epochs and lr: train.py's defaults give sched cosine per epoch, "
        "warmup_epochs 5 from warmup_lr 1e-5, min_lr 0; 8 epochs of 3 updates",
        {"batch_size": 8, "epochs": 8, "lr": 0.01},
        24,
    )
    add(
        "cosine-cycle-mul-updates",
        "cosine on updates, lr_cycle_limit 2 and lr_cycle_mul 2: cycles of 2 and 4 epochs = 6 "
        "epochs of 3 updates",
        {
            "sched": "cosine",
            "sched_on_updates": True,
            "epochs": 2,
            "batch_size": 8,
            "lr": 0.1,
            "min_lr": 0.0,
            "lr_cycle_limit": 2,
            "lr_cycle_mul": 2.0,
            "lr_cycle_decay": 0.8,
            "warmup_epochs": 0,
        },
        24,
    )
    add(
        "lr-base-linear-accum",
        "no lr: lr = lr_base 0.1 x (batch 16 x accumulation 2) / 256 = 0.0125 (linear for sgd); "
        "cosine on updates, warmup 1 epoch; 80 rows = 5 batches = 3 updates per epoch, 4 epochs",
        {
            "sched": "cosine",
            "sched_on_updates": True,
            "epochs": 4,
            "batch_size": 16,
            "grad_accum_steps": 2,
            "opt": "sgd",
            "lr_base": 0.1,
            "lr_base_size": 256,
            "warmup_epochs": 1,
            "warmup_lr": 1e-5,
        },
        80,
    )
    add(
        "lr-base-sqrt-adamw",
        "no lr, opt adamw: sqrt scaling (an 'ada' optimizer), lr = 0.001 x sqrt(16 / 256) = "
        "2.5e-4; cosine per epoch without warmup (epoch 0 at the peak), 4 epochs",
        {
            "sched": "cosine",
            "epochs": 4,
            "batch_size": 16,
            "opt": "adamw",
            "lr_base": 0.001,
            "lr_base_size": 256,
            "warmup_epochs": 0,
            "weight_decay": 0.05,
        },
        50,
    )
    add(
        "lr-base-scale-sqrt-sgd",
        "lr_base_scale sqrt with sgd: lr = 0.5 x sqrt(12 / 1024) (an irrational factor); step per "
        "epoch",
        {
            "sched": "step",
            "epochs": 4,
            "batch_size": 12,
            "opt": "sgd",
            "lr_base": 0.5,
            "lr_base_size": 1024,
            "lr_base_scale": "sqrt",
            "decay_epochs": 1,
            "decay_rate": 0.5,
            "warmup_epochs": 0,
        },
        40,
    )
    add(
        "constant-warmup-updates",
        "constant (timm 1.0.31) on updates: warmup 2 epochs from warmup_lr, then lr; 5 epochs of "
        "3 updates",
        {
            "sched": "constant",
            "sched_on_updates": True,
            "epochs": 5,
            "batch_size": 4,
            "lr": 0.003,
            "warmup_epochs": 2,
            "warmup_lr": 0.0003,
        },
        13,
    )
    add(
        "wsd-fraction-updates",
        "wsd on updates with decay_epochs 0.25 (a fraction of the stable + decay length, epochs - "
        "warmup: round(0.25 x 8 x 4) = 8 updates), warmup 1 epoch, default 1-sqrt decay; 9 epochs "
        "of 4 updates",
        {
            "sched": "wsd",
            "sched_on_updates": True,
            "epochs": 9,
            "batch_size": 8,
            "lr": 0.01,
            "min_lr": 1e-4,
            "warmup_epochs": 1,
            "warmup_lr": 1e-4,
            "decay_epochs": 0.25,
        },
        32,
    )
    add(
        "accum-extra-update",
        "train.py's accumulation: 14 batches, grad_accum_steps 5, updates_per_epoch = ceil(14 / "
        "5) = 3, but after accum_steps drops to the last window (4) batch 11 also updates: 4 "
        "updates per epoch, while num_updates restarts at epoch x 3 every epoch; cosine on "
        "updates, 3 epochs",
        {
            "sched": "cosine",
            "sched_on_updates": True,
            "epochs": 3,
            "batch_size": 4,
            "grad_accum_steps": 5,
            "lr": 0.01,
            "min_lr": 0.0,
            "warmup_epochs": 0,
        },
        58,
    )
    add(
        "accum-exceeds-batches",
        "grad_accum_steps 8 over 5 batches: one update per epoch (a short window of 5); cosine on "
        "updates with warmup 1 epoch, 5 epochs",
        {
            "sched": "cosine",
            "sched_on_updates": True,
            "epochs": 5,
            "batch_size": 6,
            "grad_accum_steps": 8,
            "lr": 0.01,
            "warmup_epochs": 1,
            "warmup_lr": 0.001,
        },
        33,
    )
    add(
        "start-epoch-2",
        "start_epoch 2: train.py steps the scheduler to epoch 2 before the loop and trains epochs "
        "2..5 only; cosine per epoch, warmup 1",
        {
            "sched": "cosine",
            "epochs": 6,
            "start_epoch": 2,
            "batch_size": 8,
            "lr": 0.01,
            "warmup_epochs": 1,
            "warmup_lr": 1e-4,
        },
        24,
    )
    add(
        "yaml-exponent-string",
        "lr: 3e-4 is the string '3e-4' for YAML 1.1, and train.py converts it: "
        "parser.set_defaults then argparse applies type=float to a string default; cosine on "
        "updates, warmup_lr 1e-6",
        "sched: cosine\n"
        "sched_on_updates: true\n"
        "epochs: 3\n"
        "batch_size: 8\n"
        "opt: adamw\n"
        "lr: 3e-4\n"
        "warmup_epochs: 1\n"
        "warmup_lr: 1e-6\n"
        "min_lr: 1e-6\n",
        24,
    )
    return c


def full_args_case(tp: TrainPy, utils, tmp: str) -> dict:
    """args.yaml exactly as train.py writes it (args_text of _parse_args), for a small run."""
    seed = Path(tmp, "seed.yaml")
    seed.write_text(
        Y(
            {
                "model": "resnet18",
                "batch_size": 8,
                "epochs": 6,
                "sched": "cosine",
                "warmup_epochs": 2,
                "opt": "sgd",
                "weight_decay": 1e-4,
                "lr_base": 0.1,
                "lr_base_size": 256,
                "grad_accum_steps": 2,
                "data_dir": "/data/tiny",
                "num_classes": 10,
            }
        )
    )
    _args, args_text = parse_args_file(tp, utils, str(seed))
    return dict(
        name="full-saved-args-yaml",
        what="the full args.yaml train.py saves (every argument, lr: null): lr = 0.1 x (8 x 2) / "
        "256 = 0.00625; cosine per epoch, warmup 2 epochs at warmup_lr 1e-5 first; 75 rows / "
        "batch 8 = 9 batches, grad_accum_steps 2 = 5 updates per epoch, 6 epochs",
        file_name="args.yaml",
        file=args_text,
        inputs=dict(dataset_size=75, batch_size=None, world_size=1, epochs=None),
    )


def rejects() -> list[dict]:
    r: list[dict] = []

    def add(name, what, file, n, key=None):
        d = dict(
            name=name,
            what=what,
            file_name="args.yaml",
            file=Y(file),
            inputs=dict(dataset_size=n, batch_size=None, world_size=1, epochs=None),
        )
        if key:
            d["key"] = key
        r.append(d)

    add(
        "wsd-default-decay-epochs",
        "sched wsd with train.py's default decay_epochs 90 (its own default, not the factory's "
        "None): create_scheduler_v2 refuses a decay longer than epochs - warmup_epochs",
        {"sched": "wsd", "epochs": 10, "batch_size": 8, "lr": 0.01, "warmup_epochs": 1},
        40,
        key="decay_epochs",
    )
    add(
        "plateau-on-updates",
        "plateau only steps per epoch",
        {"sched": "plateau", "sched_on_updates": True, "epochs": 4, "batch_size": 8, "lr": 0.01},
        40,
        key="sched_on_updates",
    )
    add(
        "unknown-sched",
        "'linear' is not a timm scheduler",
        {"sched": "linear", "epochs": 4, "batch_size": 8, "lr": 0.01},
        40,
        key="linear",
    )
    add(
        "warmup-epochs-not-int",
        "warmup_epochs is an int argument: train.py's parser refuses the string 'two' (argparse "
        "error, SystemExit)",
        {"sched": "cosine", "epochs": 4, "batch_size": 8, "lr": 0.01, "warmup_epochs": "two"},
        40,
        key="warmup_epochs",
    )
    return r


# ----------------------------------------------------------------------------------------------
# Running train.py's loop
# ----------------------------------------------------------------------------------------------


class TinyTask:
    """What train_one_epoch needs of train.py's task object."""

    def __init__(self, model: torch.nn.Module) -> None:
        self.model = model

    def get_trainable_module(self, ema: bool = False):
        return None if ema else self.model

    def get_eval_model(self, ema: bool = False):
        return None if ema else self.model

    def __call__(self, input, target):
        return {"loss": torch.nn.functional.cross_entropy(self.model(input), target)}

    def update_ema(self, step=None) -> None:
        pass

    def get_clip_parameters(self, exclude_head: bool = False):
        return self.model.parameters()


def make_optimizer(model: torch.nn.Module, args) -> torch.optim.Optimizer:
    """The torch optimizer timm.optim.create_optimizer_v2 builds for args.opt (lr=args.lr), with
    timm's weight-decay split (1-d params and biases without decay)."""
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    wd = args.weight_decay
    groups = (
        [{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": wd}]
        if wd
        else [{"params": list(model.parameters())}]
    )
    opt = args.opt.lower()
    if opt == "adamw":
        return torch.optim.AdamW(groups, lr=args.lr, weight_decay=wd)
    if opt == "adam":
        return torch.optim.Adam(groups, lr=args.lr, weight_decay=wd)
    if opt in ("sgd", "nesterov", "momentum"):
        return torch.optim.SGD(
            groups, lr=args.lr, momentum=args.momentum, nesterov=opt != "momentum", weight_decay=wd
        )
    raise SystemExit(f"optimizer {args.opt!r} not mapped in this generator")


def run(case: dict, tp: TrainPy, utils, sched_mod, tmp: str) -> dict:
    path = os.path.join(tmp, case["file_name"])
    Path(path).write_text(case["file"])
    REC.clear()
    stage = "parse"
    try:
        args, _args_text = parse_args_file(tp, utils, path)
        for key in ("epoch_repeats", "naflex_loader", "train_img_sizes", "lr_noise"):
            if getattr(args, key, None):
                raise SystemExit(f"{case['name']}: {key} is not simulated by this generator")
        stage = "main"
        torch.manual_seed(0)
        n = case["inputs"]["dataset_size"]
        g = torch.Generator().manual_seed(0)
        dataset = torch.utils.data.TensorDataset(
            torch.randn(n, 4, generator=g), torch.randint(0, 3, (n,), generator=g)
        )
        loader_train = torch.utils.data.DataLoader(
            dataset,
            batch_size=args.batch_size,
            shuffle=True,
            drop_last=True,
            generator=torch.Generator().manual_seed(0),
        )
        model = torch.nn.Linear(4, 3)
        task = TinyTask(model)
        metrics = case.get("metrics")
        state = {"epoch": None, "updates": []}
        logger = logging.getLogger("train")

        ns: dict = {
            "args": args,
            "torch": torch,
            "time": time,
            "suppress": contextlib.suppress,
            "utils": utils,
            "OrderedDict": OrderedDict,
            "_logger": logger,
            "os": os,
            "json": json,
            "nn": torch.nn,
            "create_scheduler_v2": sched_mod.create_scheduler_v2,
            "scheduler_kwargs": sched_mod.scheduler_kwargs,
        }
        # what utils.init_distributed_device(args) sets for one process
        args.distributed, args.world_size, args.rank, args.local_rank, args.device = (
            False,
            1,
            0,
            0,
            "cpu",
        )
        exec(
            tp.prologue_code, ns
        )  # args.prefetcher, grad_accum_steps, batch_size_reference, lr from lr_base
        args.prefetcher = False  # no CUDA prefetcher: train_one_epoch moves the batch itself
        optimizer = make_optimizer(model, args)
        real_train_one_epoch = tp.function("train_one_epoch", ns)
        set_loader_epoch = tp.function("_set_loader_epoch", ns)

        def train_one_epoch(epoch, *a, **k):
            state["epoch"] = epoch
            before = len(REC)
            out = real_train_one_epoch(epoch, *a, **k)
            state["updates"].append(len(REC) - before)
            return out

        def validate(model, loader, loss_fn, args, **k):
            m = 0.0 if metrics is None else metrics[state["epoch"]]
            if m is None:
                raise SystemExit(
                    f"{case['name']}: train.py evaluated epoch {state['epoch']}, its metric is null"
                )
            return OrderedDict([("loss", m), ("top1", m), ("top5", m)])

        ns.update(
            dict(
                optimizer=optimizer,
                loader_train=loader_train,
                loader_eval=object(),
                model=model,
                eval_model=model,
                task=task,
                device=torch.device("cpu"),
                amp_autocast=contextlib.suppress,
                loss_scaler=None,
                model_dtype=None,
                mixup_fn=None,
                naflex_mode=False,
                scheduled_batch_mode=False,
                resume_epoch=None,
                validate=validate,
                validate_loss_fn=torch.nn.CrossEntropyLoss(),
                train_one_epoch=train_one_epoch,
                _set_loader_epoch=set_loader_epoch,
            )
        )
        exec(
            tp.sched_code, ns
        )  # eval_metric .. saver/output_dir, updates_per_epoch, scheduler, start, loop
    except SystemExit as e:
        if stage == "parse" and not str(e.code).startswith(case["name"]):
            return {
                "error": f"SystemExit: {e.code} (argparse: {_argparse_error(tp, utils, path)})",
                "when": stage,
            }
        raise
    except Exception as e:  # noqa: BLE001 - timm's own refusal is the datum
        msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return {"error": f"{type(e).__name__}: {msg}" if msg else type(e).__name__, "when": stage}

    lr_scheduler, num_epochs, upe = ns["lr_scheduler"], ns["num_epochs"], ns["updates_per_epoch"]
    lrs = [list(map(float, r)) for r in REC]
    if len(lrs) != sum(state["updates"]):
        raise SystemExit(f"{case['name']}: {len(lrs)} recorded, {sum(state['updates'])} counted")
    groups = {str(i): [r[i] for r in lrs] for i in range(len(lrs[0]))}
    if all(groups[k] == groups["0"] for k in groups):
        groups = {"0": groups["0"]}
    for gl in groups.values():
        if not all(math.isfinite(v) for v in gl):
            raise SystemExit(f"{case['name']}: non-finite lr")
    counting = {
        "batches_per_epoch": len(loader_train),
        "grad_accum_steps": args.grad_accum_steps,
        "updates_per_epoch": upe,
        "num_epochs": num_epochs,
        "start_epoch": ns["start_epoch"],
        "updates_in_each_epoch": state["updates"],
        "total_updates": len(lrs),
        "lr": args.lr,
        "lr_base_scale": args.lr_base_scale or None,
        "sched": args.sched,
        "scheduler": type(lr_scheduler).__name__,
        "t_in_epochs": lr_scheduler.t_in_epochs,
        "warmup_t": getattr(lr_scheduler, "warmup_t", None),
        "warmup_prefix": getattr(lr_scheduler, "warmup_prefix", None),
        "t_initial": getattr(lr_scheduler, "t_initial", None),
        "decay_t": getattr(lr_scheduler, "decay_t", None),
        "eval_metric": ns["eval_metric"],
        "val_interval": args.val_interval,
    }
    if args.sched == "plateau":
        counting["plateau_mode"] = lr_scheduler.lr_scheduler.mode
    counting = {k: v for k, v in counting.items() if v is not None}
    return {"counting": counting, "groups": groups}


def _argparse_error(tp: TrainPy, utils, path: str) -> str:
    """The message argparse printed before its SystemExit (parse again with stderr captured)."""
    import io

    ns: dict = {"argparse": argparse, "utils": utils, "yaml": yaml}
    exec(tp.parser_code, ns)
    _parse_args = tp.function("_parse_args", ns)
    buf = io.StringIO()
    saved = sys.argv
    sys.argv = ["train.py", "-c", path]
    try:
        with contextlib.redirect_stderr(buf):
            _parse_args()
    except SystemExit:
        pass
    finally:
        sys.argv = saved
    lines = [ln for ln in buf.getvalue().splitlines() if "error:" in ln]
    return lines[-1].split("error:", 1)[1].strip() if lines else ""


def main() -> int:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    sched_mod, timm_version, timm_import = import_timm_scheduler()
    src, src_name = train_py_source()
    tp = TrainPy(src)
    utils = utils_stub()
    out_cases, out_rejects = [], []
    with tempfile.TemporaryDirectory() as tmp:
        all_cases = cases() + [full_args_case(tp, utils, tmp)]
        names = [c["name"] for c in all_cases] + [r["name"] for r in rejects()]
        if len(names) != len(set(names)):
            raise SystemExit("case names repeat")
        for case in all_cases:
            res = run(case, tp, utils, sched_mod, tmp)
            if "error" in res:
                raise SystemExit(f"{case['name']}: timm refused an accepted case: {res}")
            out_cases.append({**case, **res})
            print(f"{case['name']}: {len(res['groups']['0'])} updates", file=sys.stderr)
        for rej in rejects():
            res = run(rej, tp, utils, sched_mod, tmp)
            if "error" not in res:
                raise SystemExit(f"{rej['name']}: timm accepted a rejected case")
            out_rejects.append({**rej, **res})
            print(f"{rej['name']}: {res['error']} ({res['when']})", file=sys.stderr)
    doc = {
        "generator": GENERATOR,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "timm": timm_version,
            "timm_import": timm_import,
            "train_py": src_name,
            "train_py_sha256": hashlib.sha256(src.encode()).hexdigest(),
            "pyyaml": yaml.__version__,
        },
        "convention": (
            "groups[g][i] = optimizer.param_groups[g]['lr'] right before the i-th real "
            "optimizer.step() (a global step pre-hook) of train.py's own epoch loop and "
            "train_one_epoch, with the scheduler from the installed "
            "timm.scheduler.create_scheduler_v2; one list per group where groups differ. "
            "metrics[e] is what validate() returned for args.eval_metric after epoch e (null "
            "where train.py does not evaluate, val_interval). A reject's 'when' is parse "
            "(train.py's parser) or main (the lr/scheduler statements and the loop)"
        ),
        "cases": out_cases,
        "rejects": out_rejects,
    }
    OUT.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    print(f"wrote {OUT} ({len(out_cases)} cases, {len(out_rejects)} rejects)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
