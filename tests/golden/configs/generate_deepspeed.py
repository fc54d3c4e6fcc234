"""Golden vectors for the ``config FILE`` word, DeepSpeed dialect, made by running DeepSpeed.

Each case is a DeepSpeed JSON config (``ds_config.json``) as a user keeps it: the batch keys
(``train_micro_batch_size_per_gpu``, ``gradient_accumulation_steps``, ``train_batch_size``), an
``optimizer`` block and (nearly always) a ``scheduler`` block. The generator writes the file,
calls the real ``deepspeed.initialize(model=..., model_parameters=..., training_data=...,
config=<path of the file>)`` and runs the user's loop as DeepSpeed's getting-started page writes
it, over the ``trainloader`` that ``initialize`` returns (so ``dataloader_drop_last`` counts)::

    for epoch in range(inputs.epochs):
        for batch in trainloader:
            loss = model_engine(batch)
            model_engine.backward(loss)
            model_engine.step()

The epoch loop is the user's, so ``inputs.epochs`` is not in the file. One process on CPU:
``DS_ACCELERATOR=cpu``, ``RANK=0``, ``WORLD_SIZE=1`` and ``deepspeed.init_distributed("gloo")``
(no GPU, no MPI). The model is one ``nn.Linear(4, 1)`` (one param group), the data a seeded
synthetic ``TensorDataset`` of ``inputs.dataset_size`` rows.

Every real ``optimizer.step()`` is seen by a global
``torch.optim.optimizer.register_optimizer_step_pre_hook`` that stores ``[g["lr"] for g in
opt.param_groups]`` just before the step (``float()`` of it: DeepSpeed reads a config *path* with
``hjson``, which turns an integral float such as ``0.0`` or ``4.0`` into an int, so a
``warmup_min_lr`` of ``0.0`` is the int 0 in the optimizer before the first update;
``counting.first_lr_python_type`` says so where it happens). ``counting`` holds what
the engine reported: micro batch, accumulation and train batch size as DeepSpeed resolved them,
``len(trainloader)``, ``engine.micro_steps`` and ``engine.global_steps``, and the micro-batches
left over at the end that never made an update.

How to re-run (from the repository root)::

    python3 -m venv /tmp/fw
    /tmp/fw/bin/pip install torch==2.13.0
    DS_BUILD_OPS=0 /tmp/fw/bin/pip install torch==2.13.0 deepspeed
    /tmp/fw/bin/python tests/golden/configs/generate_deepspeed.py

An ``Adam``/``AdamW`` block without ``torch_adam`` makes DeepSpeed JIT-compile its FusedAdam
for the CPU the first time (a C++ compiler and ninja; minutes once, cached under
``~/.cache/torch_extensions``); the lr it holds is the same. The script checks that each case is
accepted or rejected as declared and that the number of recorded updates equals
``engine.global_steps``; it writes ``tests/golden/configs/deepspeed.json``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import platform
import socket
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/configs/generate_deepspeed.py"
OUT = HERE / "deepspeed.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


os.environ.update(
    MASTER_ADDR="127.0.0.1",
    MASTER_PORT=str(_free_port()),
    RANK="0",
    LOCAL_RANK="0",
    WORLD_SIZE="1",
    LOCAL_SIZE="1",
    DS_ACCELERATOR="cpu",
)

import torch  # noqa: E402
from torch.optim.optimizer import register_optimizer_step_pre_hook  # noqa: E402

REC: list[list[float]] = []
register_optimizer_step_pre_hook(
    lambda opt, args, kwargs: REC.append([g["lr"] for g in opt.param_groups])
)


def J(d: dict) -> str:
    return json.dumps(d, indent=2) + "\n"


def ADAM(lr, **kw):
    return {
        "type": "Adam",
        "params": {"lr": lr, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0, **kw},
    }


def cases() -> list[dict]:
    c: list[dict] = []

    def add(name, what, cfg, n, epochs):
        c.append(
            dict(
                name=name,
                what=what,
                file_name="ds_config.json",
                file=cfg if isinstance(cfg, str) else J(cfg),
                inputs=dict(dataset_size=n, batch_size=None, world_size=1, epochs=epochs),
            )
        )

    add(
        "warmuplr-log-default",
        "WarmupLR, default log warmup over 10 updates from 0 to 1e-3; micro batch 4, 50 rows = 13 "
        "micro-batches (last one 2 rows), 2 epochs = 26 updates; the first value (iteration -1 "
        "and 0) is used twice",
        {
            "train_micro_batch_size_per_gpu": 4,
            "gradient_accumulation_steps": 1,
            "optimizer": ADAM(1e-3),
            "scheduler": {
                "type": "WarmupLR",
                "params": {"warmup_min_lr": 0, "warmup_max_lr": 1e-3, "warmup_num_steps": 10},
            },
        },
        50,
        2,
    )
    add(
        "warmuplr-linear-accum-carry-over",
        "WarmupLR linear over 8; micro 4 x accumulation 3, 13 micro-batches per epoch: the "
        "accumulation counter is global, windows straddle epoch ends; 4 epochs = 52 micro-batches "
        "= 17 updates, 1 left over",
        {
            "train_micro_batch_size_per_gpu": 4,
            "gradient_accumulation_steps": 3,
            "optimizer": ADAM(2e-3),
            "scheduler": {
                "type": "WarmupLR",
                "params": {
                    "warmup_min_lr": 1e-4,
                    "warmup_max_lr": 2e-3,
                    "warmup_num_steps": 8,
                    "warmup_type": "linear",
                },
            },
        },
        50,
        4,
    )
    add(
        "warmuplr-max-from-optimizer",
        "WarmupLR without warmup_max_lr warms to the optimizer's lr (AdamW 5e-4, torch_adam); "
        "warmup_num_steps 1 is raised to 2; 24 rows / micro 8, 3 epochs",
        {
            "train_micro_batch_size_per_gpu": 8,
            "optimizer": {
                "type": "AdamW",
                "params": {"lr": 5e-4, "weight_decay": 0.01, "torch_adam": True},
            },
            "scheduler": {
                "type": "WarmupLR",
                "params": {"warmup_min_lr": 0.0, "warmup_num_steps": 1, "warmup_type": "linear"},
            },
        },
        24,
        3,
    )
    add(
        "warmupdecay-past-total",
        "WarmupDecayLR total_num_steps 12, linear warmup 4 from 1e-5 to 1e-3, run for 20 updates: "
        "the decay factor reaches 0 at 12 and is clamped there, so the lr stays at warmup_min_lr "
        "1e-5 (not 0)",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": ADAM(1e-3),
            "scheduler": {
                "type": "WarmupDecayLR",
                "params": {
                    "total_num_steps": 12,
                    "warmup_min_lr": 1e-5,
                    "warmup_max_lr": 1e-3,
                    "warmup_num_steps": 4,
                    "warmup_type": "linear",
                },
            },
        },
        40,
        2,
    )
    add(
        "warmupdecay-default-max",
        "WarmupDecayLR without warmup_max_lr peaks at its default 0.001, not the optimizer's lr "
        "0.01 (SGD); log warmup 5, total 15; 30 rows / micro 6, 3 epochs",
        {
            "train_micro_batch_size_per_gpu": 6,
            "optimizer": {"type": "SGD", "params": {"lr": 0.01, "momentum": 0.9}},
            "scheduler": {
                "type": "WarmupDecayLR",
                "params": {"total_num_steps": 15, "warmup_num_steps": 5},
            },
        },
        30,
        3,
    )
    add(
        "warmupcosine-accum-derived",
        "WarmupCosineLR: train_batch_size 12 and micro 4 give accumulation 3; linear warmup 3 "
        "from ratio 0.1, cosine to ratio 0.01 at 10 then held; ratios of the optimizer lr 1e-3; "
        "50 rows, 3 epochs = 13 updates",
        {
            "train_batch_size": 12,
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": ADAM(1e-3),
            "scheduler": {
                "type": "WarmupCosineLR",
                "params": {
                    "total_num_steps": 10,
                    "warmup_min_ratio": 0.1,
                    "cos_min_ratio": 0.01,
                    "warmup_num_steps": 3,
                    "warmup_type": "linear",
                },
            },
        },
        50,
        3,
    )
    add(
        "warmupcosine-log-defaults",
        "WarmupCosineLR with default log warmup, warmup_min_ratio 0, cos_min_ratio 0.0001; "
        "train_batch_size 8 alone (micro 8, accumulation 1); 42 rows = 6 micro-batches, 3 epochs "
        "= 18 of total_num_steps 20",
        {
            "train_batch_size": 8,
            "optimizer": ADAM(3e-4),
            "scheduler": {
                "type": "WarmupCosineLR",
                "params": {"total_num_steps": 20, "warmup_num_steps": 5},
            },
        },
        42,
        3,
    )
    add(
        "onecycle-sgd-momentum-decay",
        "OneCycle 0.01 -> 0.1 in 4, back in 6, then lr / (1 + 0.5 * k / 2) decay; SGD momentum "
        "cycled; 64 rows / micro 8, 3 epochs = 24 updates",
        {
            "train_micro_batch_size_per_gpu": 8,
            "optimizer": {"type": "SGD", "params": {"lr": 0.05, "momentum": 0.9}},
            "scheduler": {
                "type": "OneCycle",
                "params": {
                    "cycle_min_lr": 0.01,
                    "cycle_max_lr": 0.1,
                    "cycle_first_step_size": 4,
                    "cycle_second_step_size": 6,
                    "decay_step_size": 2,
                    "decay_lr_rate": 0.5,
                    "cycle_momentum": True,
                    "cycle_min_mom": 0.85,
                    "cycle_max_mom": 0.95,
                },
            },
        },
        64,
        3,
    )
    add(
        "onecycle-staircase-accum",
        "OneCycle with stairs (first 6 in 3 stairs, second 6 in 2), Adam betas cycled; micro 4 x "
        "accumulation 2, 9 micro-batches per epoch, 3 epochs = 13 updates and 1 micro-batch left "
        "over",
        {
            "train_micro_batch_size_per_gpu": 4,
            "gradient_accumulation_steps": 2,
            "optimizer": ADAM(1e-3),
            "scheduler": {
                "type": "OneCycle",
                "params": {
                    "cycle_min_lr": 1e-4,
                    "cycle_max_lr": 1e-3,
                    "cycle_first_step_size": 6,
                    "cycle_first_stair_count": 3,
                    "cycle_second_step_size": 6,
                    "cycle_second_stair_count": 2,
                    "decay_lr_rate": 0.0,
                    "cycle_momentum": True,
                    "cycle_min_mom": 0.85,
                    "cycle_max_mom": 0.99,
                },
            },
        },
        36,
        3,
    )
    add(
        "lrrangetest-continuous",
        "LRRangeTest continuous: min_lr * (1 + 2 * (i + 1) / 3); 40 rows / micro 8, 4 epochs = 20 "
        "updates",
        {
            "train_micro_batch_size_per_gpu": 8,
            "optimizer": {"type": "SGD", "params": {"lr": 1e-4}},
            "scheduler": {
                "type": "LRRangeTest",
                "params": {
                    "lr_range_test_min_lr": 1e-4,
                    "lr_range_test_step_size": 3,
                    "lr_range_test_step_rate": 2.0,
                    "lr_range_test_staircase": False,
                },
            },
        },
        40,
        4,
    )
    add(
        "lrrangetest-staircase-accum",
        "LRRangeTest staircase: min_lr * (1 + 0.5 * floor((i + 1) / 4)); micro 5 x accumulation "
        "2, 27 rows = 6 micro-batches (last 2 rows), 5 epochs = 15 updates",
        {
            "train_micro_batch_size_per_gpu": 5,
            "gradient_accumulation_steps": 2,
            "optimizer": ADAM(1e-5),
            "scheduler": {
                "type": "LRRangeTest",
                "params": {
                    "lr_range_test_min_lr": 1e-5,
                    "lr_range_test_step_size": 4,
                    "lr_range_test_step_rate": 0.5,
                    "lr_range_test_staircase": True,
                },
            },
        },
        27,
        5,
    )
    add(
        "torch-steplr-per-update",
        "a torch.optim.lr_scheduler name (StepLR step_size 4, gamma 0.5) is built on the "
        "optimizer and stepped once per update; 30 rows / micro 4, accumulation 2 = 8 "
        "micro-batches, 4 updates per epoch, 4 epochs",
        {
            "train_micro_batch_size_per_gpu": 4,
            "gradient_accumulation_steps": 2,
            "optimizer": {"type": "SGD", "params": {"lr": 0.1}},
            "scheduler": {"type": "StepLR", "params": {"step_size": 4, "gamma": 0.5}},
        },
        30,
        4,
    )
    add(
        "torch-cosineannealing-past-tmax",
        "CosineAnnealingLR T_max 10, eta_min 1e-5 by name, run for 16 updates (past T_max it "
        "rises again); 32 rows / micro 8, 4 epochs",
        {
            "train_micro_batch_size_per_gpu": 8,
            "optimizer": ADAM(1e-3),
            "scheduler": {"type": "CosineAnnealingLR", "params": {"T_max": 10, "eta_min": 1e-5}},
        },
        32,
        4,
    )
    add(
        "drop-last-accum-trailing",
        "dataloader_drop_last: 50 rows / micro 8 = 6 micro-batches per epoch; accumulation 4 over "
        "3 epochs = 18 micro-batches, 4 updates, 2 left over; WarmupLR log over 3",
        {
            "train_micro_batch_size_per_gpu": 8,
            "gradient_accumulation_steps": 4,
            "dataloader_drop_last": True,
            "optimizer": ADAM(1e-3),
            "scheduler": {
                "type": "WarmupLR",
                "params": {"warmup_min_lr": 0, "warmup_max_lr": 1e-3, "warmup_num_steps": 3},
            },
        },
        50,
        3,
    )
    add(
        "no-scheduler-block",
        "no scheduler block: the optimizer's lr for every update; train_batch_size 16 with "
        "accumulation 2 gives micro 8; 45 rows = 6 micro-batches, 3 epochs = 9 updates",
        {
            "train_batch_size": 16,
            "gradient_accumulation_steps": 2,
            "optimizer": {"type": "SGD", "params": {"lr": 0.02, "momentum": 0.9}},
        },
        45,
        3,
    )
    add(
        "warmuplr-longer-than-run",
        "WarmupLR log over 1000 (its default warmup_num_steps) with a run of 12 updates: the peak "
        "is never reached; 3 epochs of 36 rows / micro 9",
        {
            "train_micro_batch_size_per_gpu": 9,
            "optimizer": ADAM(1e-3),
            "scheduler": {
                "type": "WarmupLR",
                "params": {"warmup_min_lr": 1e-6, "warmup_max_lr": 1e-3},
            },
        },
        36,
        3,
    )
    add(
        "hjson-comments-integral-floats",
        "DeepSpeed reads a config path with hjson: comments and trailing commas are accepted, and "
        "4.0 / 10.0 become the ints 4 / 10 (so warmup_num_steps 4.0 passes its integer check; lr "
        "0.0 is the int 0); WarmupDecayLR to 0 at 10, run for 15 updates (40 rows / micro 4, "
        "accumulation 2, 3 epochs)",
        HJSON_CASE,
        40,
        3,
    )
    return c


HJSON_CASE = """{
  // tiny run on one CPU process
  "train_micro_batch_size_per_gpu": 4,
  "gradient_accumulation_steps": 2,
  "optimizer": {
    "type": "SGD",
    "params": {"lr": 0.1, "momentum": 0.9}
  },
  "scheduler": {
    "type": "WarmupDecayLR",
    "params": {
      "warmup_min_lr": 0.0,
      "warmup_max_lr": 0.1,
      "warmup_num_steps": 4.0,
      "total_num_steps": 10.0,
      "warmup_type": "linear",
    }
  },
}
"""


def rejects() -> list[dict]:
    r: list[dict] = []

    def add(name, what, cfg, n, epochs, key=None):
        d = dict(
            name=name,
            what=what,
            file_name="ds_config.json",
            file=J(cfg),
            inputs=dict(dataset_size=n, batch_size=None, world_size=1, epochs=epochs),
        )
        if key:
            d["key"] = key
        r.append(d)

    add(
        "warmup-steps-not-integer",
        "WarmupLR refuses a warmup_num_steps that is not a positive integer",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": ADAM(1e-3),
            "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 2.5}},
        },
        20,
        1,
        key="warmup_num_steps",
    )
    add(
        "batch-keys-disagree",
        "train_batch_size 16 is not micro 4 x accumulation 3 x world 1",
        {
            "train_batch_size": 16,
            "train_micro_batch_size_per_gpu": 4,
            "gradient_accumulation_steps": 3,
            "optimizer": ADAM(1e-3),
        },
        20,
        1,
        key="train_batch_size",
    )
    add(
        "unknown-scheduler",
        "a scheduler type that is neither DeepSpeed's nor torch's",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": ADAM(1e-3),
            "scheduler": {"type": "WarmupLinearLR", "params": {"warmup_num_steps": 5}},
        },
        20,
        1,
        key="WarmupLinearLR",
    )
    add(
        "auto-outside-hf",
        '"auto" is filled in by the HF Trainer integration only; plain DeepSpeed gets the string',
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": ADAM(1e-3),
            "scheduler": {
                "type": "WarmupDecayLR",
                "params": {"total_num_steps": "auto", "warmup_num_steps": 5},
            },
        },
        20,
        1,
        key="auto",
    )
    add(
        "no-batch-size",
        "none of train_batch_size / train_micro_batch_size_per_gpu",
        {"gradient_accumulation_steps": 2, "optimizer": ADAM(1e-3)},
        20,
        1,
        key="train_batch_size",
    )
    return r


class TinyModel(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)

    def forward(self, batch):
        x, y = batch
        return torch.nn.functional.mse_loss(self.lin(x).squeeze(-1), y)


def data(n: int) -> torch.utils.data.Dataset:
    g = torch.Generator().manual_seed(0)
    return torch.utils.data.TensorDataset(
        torch.randn(n, 4, generator=g), torch.randn(n, generator=g)
    )


def run(case: dict, tmp: str) -> dict:
    import deepspeed
    import hjson  # DeepSpeed's own reader of a config path

    path = os.path.join(tmp, case["file_name"])
    Path(path).write_text(case["file"])
    REC.clear()
    stage = "initialize"
    try:
        torch.manual_seed(0)
        model = TinyModel()
        engine, optimizer, trainloader, scheduler = deepspeed.initialize(
            model=model,
            model_parameters=model.parameters(),
            training_data=data(case["inputs"]["dataset_size"]),
            config=path,
        )
        stage = "train"
        for _epoch in range(case["inputs"]["epochs"]):
            for batch in trainloader:
                loss = engine(batch)
                engine.backward(loss)
                engine.step()
    except Exception as e:  # noqa: BLE001 - DeepSpeed's own refusal is the datum
        msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return {"error": f"{type(e).__name__}: {msg}" if msg else type(e).__name__, "when": stage}
    raw = [list(r) for r in REC]
    lrs = [[float(v) for v in r] for r in raw]
    if len(lrs) != engine.global_steps:
        raise SystemExit(
            f"{case['name']}: {len(lrs)} recorded updates, global_steps {engine.global_steps}"
        )
    ga = engine.gradient_accumulation_steps()
    groups = {str(i): [r[i] for r in lrs] for i in range(len(lrs[0]))} if lrs else {"0": []}
    if all(groups[k] == groups["0"] for k in groups):
        groups = {"0": groups["0"]}
    for g in groups.values():
        if not all(math.isfinite(v) for v in g):
            raise SystemExit(f"{case['name']}: non-finite lr")
    counting = {
        "train_batch_size": engine.train_batch_size(),
        "train_micro_batch_size_per_gpu": engine.train_micro_batch_size_per_gpu(),
        "gradient_accumulation_steps": ga,
        "micro_batches_per_epoch": len(trainloader),
        "epochs": case["inputs"]["epochs"],
        "micro_batches": engine.micro_steps,
        "total_updates": engine.global_steps,
        "micro_batches_left_over": engine.micro_steps - engine.global_steps * ga,
        "scheduler": type(scheduler).__name__ if scheduler is not None else None,
        "optimizer": type(optimizer).__name__,
        "optimizer_lr_in_file": hjson.loads(case["file"])["optimizer"]["params"]["lr"],
    }
    first_types = sorted({type(v).__name__ for v in raw[0]}) if raw else []
    if first_types != ["float"]:
        counting["first_lr_python_type"] = first_types
    return {"counting": counting, "groups": groups}


def versions() -> dict:
    import deepspeed
    import hjson

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "deepspeed": deepspeed.__version__,
        "hjson": hjson.__version__,
    }


def main() -> int:
    warnings.filterwarnings("ignore")
    import deepspeed

    deepspeed.init_distributed(dist_backend="gloo")
    logging.disable(logging.WARNING)
    for name in ("DeepSpeed", "deepspeed"):
        logging.getLogger(name).setLevel(logging.ERROR)
    out_cases, out_rejects = [], []
    names = [c["name"] for c in cases()] + [r["name"] for r in rejects()]
    if len(names) != len(set(names)):
        raise SystemExit("case names repeat")
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases():
            res = run(case, tmp)
            if "error" in res:
                raise SystemExit(f"{case['name']}: DeepSpeed refused an accepted case: {res}")
            out_cases.append({**case, **res})
            print(f"{case['name']}: {len(res['groups']['0'])} updates", file=sys.stderr)
        for rej in rejects():
            res = run(rej, tmp)
            if "error" not in res:
                raise SystemExit(f"{rej['name']}: DeepSpeed accepted a rejected case")
            out_rejects.append({**rej, **res})
            print(f"{rej['name']}: {res['error']} ({res['when']})", file=sys.stderr)
    doc = {
        "generator": GENERATOR,
        "versions": versions(),
        "convention": (
            "groups[g][i] = float(optimizer.param_groups[g]['lr']) right before the i-th real "
            "optimizer.step() (a global step pre-hook) in the loop 'for epoch in "
            "range(inputs.epochs): for batch in trainloader: loss = engine(batch); "
            "engine.backward(loss); engine.step()' over the trainloader deepspeed.initialize "
            "returns; one process on CPU; one list per group where groups differ. A reject's "
            "'when' is initialize or train (the loop)"
        ),
        "cases": out_cases,
        "rejects": out_rejects,
    }
    OUT.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    print(f"wrote {OUT} ({len(out_cases)} cases, {len(out_rejects)} rejects)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
