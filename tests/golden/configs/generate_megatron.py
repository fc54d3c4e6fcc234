"""Golden vectors for the ``config FILE`` word, Megatron-LM dialect (command-line flags).

Megatron-LM's ``megatron/training`` is not on PyPI; megatron-core is. This script therefore uses
megatron-core's own ``OptimizerParamScheduler``, ``num_microbatches_calculator`` and optimizer
param-group builder (``megatron.core.optimizer._get_param_groups`` with
``get_standard_config_overrides``, over a real ``torch.optim.AdamW``), and reproduces the few
lines of Megatron-LM (tag ``core_v0.16.1``, the release matching the installed megatron-core)
that turn flags into the scheduler's arguments and step it:

* defaults: ``megatron/training/training_config.py`` ``SchedulerConfig`` (lr_decay_style
  "linear", lr_wsd_decay_style "exponential", lr_warmup_iters/samples 0, lr_warmup_init 0.0,
  lr_warmup_fraction/lr_decay_iters/lr_decay_samples/lr_wsd_decay_* None) and
  ``arguments.py`` (``--min-lr`` 0.0, ``--weight-decay`` 0.01, ``--lr`` None);
* ``arguments.py`` ``validate_args``: ``data_parallel_size = world_size // (tp * pp * cp)``
  (lines 314-328), ``global_batch_size = micro_batch_size * data_parallel_size`` when unset
  (497-499), the iteration-/sample-based consistency asserts (756-784), start/end weight decay
  from ``--weight-decay`` (866-874);
* ``training.py`` ``update_train_iters`` (1128-1158: ``train_samples // global_batch_size``, or
  the ramp-up walk), ``get_optimizer_param_scheduler`` (1354-1407, copied below as
  ``scheduler_from_args``), and ``train``/``train_step``: before each iteration
  ``update_num_microbatches(consumed_train_samples)`` (2711, 2736), after a successful
  ``optimizer.step()`` ``opt_param_scheduler.step(increment=get_num_microbatches() *
  micro_batch_size * data_parallel_size)`` (1727-1730), ``consumed_train_samples +=`` the same
  (2855-2869), ``while iteration < args.train_iters`` (2684).

A case's ``file`` is either a launch-script excerpt (``train.sh``: bash arrays expanded into
``torchrun ... pretrain_gpt.py ${ARGS[@]}``) or just the flags (``flags.txt``). For a script the
generator runs the stored text in ``bash`` with ``torchrun`` defined as a shell function that
prints its arguments, so bash itself expands the arrays; the arguments after the ``.py`` are
Megatron's, ``--nproc_per_node`` x ``--nnodes`` the world size. Flags-only files are split with
``shlex`` (comments dropped) and their world size is an input.

Every real ``optimizer.step()`` is seen by a global step pre-hook storing ``[g["lr"] for g in
opt.param_groups]``. The tiny model (an embedding and an output layer marked
``is_embedding_or_output_parameter`` as Megatron marks them, a Linear with bias between) gives
Megatron's usual groups: weights, no-weight-decay (biases and 1-D), and with ``--decoupled-lr``
the embedding/output group(s) with their own ``max_lr``/``min_lr``. Groups with identical lrs are
kept as ``"0"``; otherwise each is named by its index, its role (``weights``, ``embedding and
output layer``, ``biases and 1-D parameters (no weight decay)``: what the flags and Megatron's
rules decide for any GPT, not this toy model's parameter names) and its ``max_lr``/``min_lr``.

How to re-run (from the repository root)::

    python3 -m venv /tmp/fw2
    /tmp/fw2/bin/pip install torch==2.13.0
    /tmp/fw2/bin/pip install torch==2.13.0 numpy megatron-core
    /tmp/fw2/bin/python tests/golden/configs/generate_megatron.py

``torch.distributed`` is initialised as a one-process gloo group on 127.0.0.1 (the param-group
builder all-gathers its keys). Writes ``tests/golden/configs/megatron.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import socket
import subprocess
import sys
import tempfile
import textwrap
import warnings
from pathlib import Path
from typing import Any

import megatron.core
import torch
from megatron.core import num_microbatches_calculator as nmc
from megatron.core.optimizer import _get_param_groups, get_standard_config_overrides
from megatron.core.optimizer.optimizer_config import OptimizerConfig
from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/configs/generate_megatron.py"
OUT = HERE / "megatron.json"
MEGATRON_LM_REF = "NVIDIA/Megatron-LM tag core_v0.16.1"

warnings.filterwarnings("ignore")


# ------------------------------------------------------------------------------ the flags
def megatron_parser() -> argparse.ArgumentParser:
    """The lr-related flags with Megatron-LM's defaults (SchedulerConfig, arguments.py)."""
    p = argparse.ArgumentParser(allow_abbrev=False)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--min-lr", type=float, default=0.0)
    p.add_argument("--decoupled-lr", type=float, default=None)
    p.add_argument("--decoupled-min-lr", type=float, default=None)
    p.add_argument(
        "--lr-decay-style",
        default="linear",
        choices=["constant", "linear", "cosine", "inverse-square-root", "WSD"],
    )
    p.add_argument(
        "--lr-wsd-decay-style",
        default="exponential",
        choices=["exponential", "linear", "cosine", "minus_sqrt"],
    )
    p.add_argument("--lr-decay-iters", type=int, default=None)
    p.add_argument("--lr-decay-samples", type=int, default=None)
    p.add_argument("--lr-wsd-decay-iters", type=int, default=None)
    p.add_argument("--lr-wsd-decay-samples", type=int, default=None)
    p.add_argument("--lr-warmup-fraction", type=float, default=None)
    p.add_argument("--lr-warmup-iters", type=int, default=0)
    p.add_argument("--lr-warmup-samples", type=int, default=0)
    p.add_argument("--lr-warmup-init", type=float, default=0.0)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--start-weight-decay", type=float, default=None)
    p.add_argument("--end-weight-decay", type=float, default=None)
    p.add_argument(
        "--weight-decay-incr-style", default="constant", choices=["constant", "linear", "cosine"]
    )
    p.add_argument("--micro-batch-size", type=int, default=None)
    p.add_argument("--global-batch-size", type=int, default=None)
    p.add_argument("--rampup-batch-size", type=int, nargs=3, default=None)
    p.add_argument("--train-iters", type=int, default=None)
    p.add_argument("--train-samples", type=int, default=None)
    p.add_argument("--tensor-model-parallel-size", type=int, default=1)
    p.add_argument("--pipeline-model-parallel-size", type=int, default=1)
    p.add_argument("--context-parallel-size", type=int, default=1)
    p.add_argument("--adam-beta1", type=float, default=0.9)
    p.add_argument("--adam-beta2", type=float, default=0.999)
    p.add_argument("--use-checkpoint-opt_param-scheduler", action="store_true")
    p.add_argument("--override-opt_param-scheduler", action="store_true")
    return p


def script_argv(text: str, folder: Path) -> tuple[list[str], int]:
    """Run the script in bash with torchrun as a function that prints its arguments."""
    path = folder / "train.sh"
    path.write_text(text)
    prelude = (
        "torchrun() { printf '%s\\0' \"$@\"; }\n"
        "python() { printf '%s\\0' \"$@\"; }\n"
        f"cd {shlex.quote(str(folder))}\n"
        f"source {shlex.quote(str(path))}\n"
    )
    out = subprocess.run(
        ["bash", "-c", prelude], capture_output=True, check=True, env={"PATH": os.environ["PATH"]}
    ).stdout.decode()
    words = out.split("\0")[:-1]
    at = next(i for i, w in enumerate(words) if w.endswith(".py"))
    launcher, argv = words[:at], words[at + 1 :]
    lp = argparse.ArgumentParser(allow_abbrev=False)
    lp.add_argument("--nproc_per_node", "--nproc-per-node", type=int, default=1)
    lp.add_argument("--nnodes", type=int, default=1)
    known, _ = lp.parse_known_args(launcher)
    return argv, known.nproc_per_node * known.nnodes


def validate(args: argparse.Namespace, world_size: int) -> None:
    """arguments.py validate_args, the parts that concern the lr schedule."""
    args.world_size = world_size
    total_model_size = (
        args.tensor_model_parallel_size
        * args.pipeline_model_parallel_size
        * args.context_parallel_size
    )
    assert args.world_size % total_model_size == 0, (
        f"world size ({args.world_size}) is not divisible by total_model_size ({total_model_size=})"
    )
    args.data_parallel_size = args.world_size // total_model_size
    assert args.micro_batch_size is not None
    assert args.micro_batch_size > 0
    if args.global_batch_size is None:
        args.global_batch_size = args.micro_batch_size * args.data_parallel_size
    assert args.global_batch_size > 0
    args.consumed_train_samples = 0
    if args.train_iters:
        assert args.train_samples is None, "expected iteration-based training"
        assert args.lr_decay_samples is None, "expected iteration-based learning rate decay"
        assert args.lr_warmup_samples == 0, "expected iteration-based learning rate warmup"
        assert args.rampup_batch_size is None, (
            "expected no batch-size rampup for iteration-based training"
        )
        if args.lr_warmup_fraction is not None:
            assert args.lr_warmup_iters == 0, (
                "can only specify one of lr-warmup-fraction and lr-warmup-iters"
            )
    if args.train_samples:
        assert args.train_iters is None, "expected sample-based training"
        assert args.lr_decay_iters is None, "expected sample-based learning rate decay"
        assert args.lr_warmup_iters == 0, "expected sample-based learnig rate warmup"
        if args.lr_warmup_fraction is not None:
            assert args.lr_warmup_samples == 0, (
                "can only specify one of lr-warmup-fraction and lr-warmup-samples"
            )
    if args.weight_decay_incr_style == "constant":
        assert args.start_weight_decay is None
        assert args.end_weight_decay is None
        args.start_weight_decay = args.weight_decay
        args.end_weight_decay = args.weight_decay
    else:
        assert args.start_weight_decay is not None
        assert args.end_weight_decay is not None


def update_train_iters(args: argparse.Namespace) -> None:
    """training.py update_train_iters (core_v0.16.1 lines 1128-1158)."""
    if args.train_iters:
        return
    if args.rampup_batch_size is None:
        args.train_iters = args.train_samples // args.global_batch_size
    else:
        iterations = 0
        consumed_samples = 0
        while (
            consumed_samples <= int(args.rampup_batch_size[2])
            and consumed_samples <= args.train_samples
        ):
            nmc.update_num_microbatches(consumed_samples, consistency_check=False)
            consumed_samples += nmc.get_current_global_batch_size()
            iterations += 1
        nmc.update_num_microbatches(0, consistency_check=False)
        if args.train_samples > consumed_samples:
            iterations += (args.train_samples - consumed_samples) // args.global_batch_size
        args.train_iters = iterations


def scheduler_from_args(optimizer: Any, args: argparse.Namespace) -> OptimizerParamScheduler:
    """training.py get_optimizer_param_scheduler (core_v0.16.1 lines 1354-1407)."""
    if args.train_iters:
        if args.lr_decay_iters is None:
            args.lr_decay_iters = args.train_iters
        lr_decay_steps = args.lr_decay_iters * args.global_batch_size
        wd_incr_steps = args.train_iters * args.global_batch_size
        wsd_decay_steps = None
        if args.lr_wsd_decay_iters is not None:
            wsd_decay_steps = args.lr_wsd_decay_iters * args.global_batch_size
        if args.lr_warmup_fraction is not None:
            lr_warmup_steps = args.lr_warmup_fraction * lr_decay_steps
        else:
            lr_warmup_steps = args.lr_warmup_iters * args.global_batch_size
    elif args.train_samples:
        update_train_iters(args)
        if args.lr_decay_samples is None:
            args.lr_decay_samples = args.train_samples
        lr_decay_steps = args.lr_decay_samples
        wd_incr_steps = args.train_samples
        wsd_decay_steps = args.lr_wsd_decay_samples
        if args.lr_warmup_fraction is not None:
            lr_warmup_steps = args.lr_warmup_fraction * lr_decay_steps
        else:
            lr_warmup_steps = args.lr_warmup_samples
    else:
        raise Exception("either train-iters or train-samples should be provided.")
    args.derived = {
        "lr_warmup_steps": lr_warmup_steps,
        "lr_decay_steps": lr_decay_steps,
        "wsd_decay_steps": wsd_decay_steps,
    }
    return OptimizerParamScheduler(
        optimizer,
        init_lr=args.lr_warmup_init,
        max_lr=args.lr,
        min_lr=args.min_lr,
        lr_warmup_steps=lr_warmup_steps,
        lr_decay_steps=lr_decay_steps,
        lr_decay_style=args.lr_decay_style,
        start_wd=args.start_weight_decay,
        end_wd=args.end_weight_decay,
        wd_incr_steps=wd_incr_steps,
        wd_incr_style=args.weight_decay_incr_style,
        use_checkpoint_opt_param_scheduler=args.use_checkpoint_opt_param_scheduler,
        override_opt_param_scheduler=args.override_opt_param_scheduler,
        wsd_decay_steps=wsd_decay_steps,
        lr_wsd_decay_style=args.lr_wsd_decay_style,
    )


# ------------------------------------------------------------------------------ the model
class TinyGPT(nn.Module):
    def __init__(self, vocab: int = 8, hidden: int = 4) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, hidden)
        self.layer = nn.Linear(hidden, hidden)
        self.output_layer = nn.Linear(hidden, vocab, bias=False)
        # Megatron marks these two (LanguageModule / GPTModel); --decoupled-lr matches on it.
        self.embedding.weight.is_embedding_or_output_parameter = True
        self.output_layer.weight.is_embedding_or_output_parameter = True

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.output_layer(torch.relu(self.layer(self.embedding(tokens))))


RECORD: list[list[float]] = []
ACTIVE = [False]


def _pre_hook(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
    if ACTIVE[0]:
        RECORD.append([float(g["lr"]) for g in opt.param_groups])


register_optimizer_step_pre_hook(_pre_hook)


def run(argv: list[str], world_size: int) -> tuple[list[list[float]], dict, list[str]]:
    args, _unknown = megatron_parser().parse_known_args(argv)
    validate(args, world_size)
    nmc.destroy_num_microbatches_calculator()
    nmc.init_num_microbatches_calculator(
        0,
        args.rampup_batch_size,
        args.global_batch_size,
        args.micro_batch_size,
        args.data_parallel_size,
        False,
    )
    torch.manual_seed(0)
    model = TinyGPT()
    config = OptimizerConfig(
        optimizer="adam",
        lr=args.lr,
        min_lr=args.min_lr,
        decoupled_lr=args.decoupled_lr,
        decoupled_min_lr=args.decoupled_min_lr,
        weight_decay=args.weight_decay,
        adam_beta1=args.adam_beta1,
        adam_beta2=args.adam_beta2,
    )
    groups = _get_param_groups([model], config, get_standard_config_overrides(config))
    group_names = []
    for i, g in enumerate(groups):
        over = {k: g[k] for k in ("max_lr", "min_lr", "wd_mult") if k in g}
        embedding = all(getattr(p, "is_embedding_or_output_parameter", False) for p in g["params"])
        role = (
            "embedding and output layer"
            if embedding
            else "biases and 1-D parameters (no weight decay)"
            if over["wd_mult"] == 0.0
            else "weights"
        )
        if embedding and over["wd_mult"] == 0.0:
            role += ", no weight decay"
        group_names.append(f"{i}:{role} max_lr={over['max_lr']} min_lr={over['min_lr']}")
    optimizer = torch.optim.AdamW(
        groups, lr=args.lr, weight_decay=args.weight_decay, betas=(args.adam_beta1, 0.999)
    )
    scheduler = scheduler_from_args(optimizer, args)
    increments = []
    g = torch.Generator().manual_seed(0)
    RECORD.clear()
    ACTIVE[0] = True
    try:
        iteration = 0
        while iteration < args.train_iters:
            nmc.update_num_microbatches(args.consumed_train_samples, consistency_check=True)
            optimizer.zero_grad()
            for _ in range(nmc.get_num_microbatches()):
                tokens = torch.randint(0, 8, (args.micro_batch_size, 3), generator=g)
                logits = model(tokens)
                nn.functional.cross_entropy(logits.reshape(-1, 8), tokens.reshape(-1)).backward()
            optimizer.step()
            increment = nmc.get_num_microbatches() * args.micro_batch_size * args.data_parallel_size
            scheduler.step(increment=increment)
            increments.append(increment)
            iteration += 1
            args.consumed_train_samples += increment
    finally:
        ACTIVE[0] = False
    counting: dict[str, Any] = {
        "train_iters": args.train_iters,
        "total_updates": len(RECORD),
        "global_batch_size": args.global_batch_size,
        "micro_batch_size": args.micro_batch_size,
        "data_parallel_size": args.data_parallel_size,
        "num_microbatches": args.global_batch_size
        // (args.micro_batch_size * args.data_parallel_size),
        "samples_consumed": args.consumed_train_samples,
        **args.derived,
        "warmup_updates": (
            args.derived["lr_warmup_steps"] / args.global_batch_size
            if args.rampup_batch_size is None
            else None
        ),
        "warmup_updates_is": "lr_warmup_steps / global_batch_size: the update at which the "
        "peak is first used (fractional: warmup ends between updates)",
        "scheduler_num_steps_before_update_i": "sum of the increments before it (samples)",
    }
    if len(set(increments)) > 1:
        counting["increments"] = increments
    return [list(r) for r in RECORD], counting, group_names


def groups_of(rec: list[list[float]], names: list[str]) -> dict[str, list[float]]:
    cols = [[r[i] for r in rec] for i in range(len(rec[0]))]
    if all(c == cols[0] for c in cols):
        return {"0": cols[0]}
    return {names[i]: cols[i] for i in range(len(cols))}


# ------------------------------------------------------------------------------ the cases
def script(training: str, model: str = "", distributed: str = "", extra: str = "") -> str:
    """A pretrain_gpt.py launch script in the style of Megatron-LM's examples/."""
    head = textwrap.dedent(
        """\
        #!/bin/bash
        # Runs a small GPT model

        export CUDA_DEVICE_MAX_CONNECTIONS=1

        GPUS_PER_NODE=1
        NNODES=1
        CHECKPOINT_PATH=checkpoints/gpt
        DATA_PATH=data/my-gpt_text_document
        """
    )
    dist = textwrap.dedent(
        distributed
        or """\
        DISTRIBUTED_ARGS=(
            --nproc_per_node $GPUS_PER_NODE
            --nnodes $NNODES
            --master_addr localhost
            --master_port 6000
        )
        """
    )
    mdl = textwrap.dedent(
        model
        or """\
        GPT_MODEL_ARGS=(
            --num-layers 2
            --hidden-size 64
            --num-attention-heads 4
            --seq-length 128
            --max-position-embeddings 128
        )
        """
    )
    train = "TRAINING_ARGS=(\n" + textwrap.indent(textwrap.dedent(training).strip("\n"), "    ")
    train += "\n)\n"
    tail = textwrap.dedent(
        """\
        DATA_ARGS=(
            --data-path $DATA_PATH
            --split 949,50,1
        )

        torchrun ${DISTRIBUTED_ARGS[@]} pretrain_gpt.py \\
            ${GPT_MODEL_ARGS[@]} \\
            ${TRAINING_ARGS[@]} \\
            ${DATA_ARGS[@]} \\
            --save $CHECKPOINT_PATH \\
            --load $CHECKPOINT_PATH
        """
    )
    return head + "\n" + dist + "\n" + mdl + "\n" + train + textwrap.dedent(extra) + "\n" + tail


def flags(text: str) -> str:
    return textwrap.dedent(text).strip("\n") + "\n"


CASES: list[dict[str, Any]] = [
    {
        "name": "script-cosine-warmup-iters",
        "what": "launch script with bash arrays: cosine, 5 warmup iterations (update 0 at 0.0, "
        "peak at update 5), lr_decay_iters 30 < train_iters 36 so the last updates hold min_lr",
        "file": script(
            """
            --micro-batch-size 4
            --global-batch-size 32
            --train-iters 36
            --lr 3e-4
            --min-lr 3e-5
            --lr-decay-style cosine
            --lr-decay-iters 30
            --lr-warmup-iters 5
            --weight-decay 0.1
            --adam-beta2 0.95
            --clip-grad 1.0
            --bf16
            """
        ),
        "world_size": None,
    },
    {
        "name": "flags-linear-defaults-dp",
        "what": "flags only: default decay 'linear' to min_lr 0.0, no warmup (update 0 at the "
        "peak), no --global-batch-size so it is micro 2 x data-parallel 4 (world size 4) = 8; "
        "the last update never reaches 0",
        "file": flags(
            """
            --lr 1e-3 --train-iters 20 --micro-batch-size 2
            """
        ),
        "world_size": 4,
    },
    {
        "name": "script-warmup-fraction-between-iters",
        "what": "lr_warmup_fraction 0.15 of lr_decay_iters 10 = 1.5 iterations (12 of 80 "
        "samples): warmup ends between updates 1 and 2",
        "file": script(
            """
            --micro-batch-size 2
            --global-batch-size 8
            --train-iters 10
            --lr 6e-4
            --min-lr 6e-5
            --lr-decay-style cosine
            --lr-warmup-fraction 0.15
            """
        ),
        "world_size": None,
    },
    {
        "name": "script-sample-based",
        "what": "sample-based: train_samples 1000 // global batch 64 = 15 updates (960 samples); "
        "warmup 100 samples ends between updates 1 and 2; decay over 1000 samples, so min_lr is "
        "never reached",
        "file": script(
            """
            --micro-batch-size 8
            --global-batch-size 64
            --train-samples 1000
            --lr 2e-4
            --min-lr 1e-5
            --lr-decay-style cosine
            --lr-warmup-samples 100
            """
        ),
        "world_size": None,
    },
    {
        "name": "flags-wsd-exponential",
        "what": "WSD: warmup 3 iterations, stable, then the default exponential decay over the "
        "last lr_wsd_decay_iters 8 of 30",
        "file": flags(
            """
            --micro-batch-size 4 --global-batch-size 16
            --train-iters 30
            --lr 1e-3 --min-lr 1e-4
            --lr-decay-style WSD --lr-wsd-decay-iters 8
            --lr-warmup-iters 3
            """
        ),
        "world_size": 1,
    },
    {
        "name": "flags-wsd-samples-minus-sqrt",
        "what": "sample-based WSD, minus_sqrt anneal over 300 of 1200 samples, warmup fraction "
        "0.1 of lr_decay_samples; train_samples 1200 // 96 = 12 updates (1152 samples)",
        "file": flags(
            """
            # sample-based WSD
            --micro-batch-size 12 --global-batch-size 96
            --train-samples 1200
            --lr 5e-4 --min-lr 0
            --lr-decay-style WSD --lr-wsd-decay-style minus_sqrt --lr-wsd-decay-samples 300
            --lr-warmup-fraction 0.1
            """
        ),
        "world_size": 1,
    },
    {
        "name": "flags-inverse-square-root",
        "what": "inverse-square-root after 4 warmup iterations: max_lr * sqrt(warmup_samples / "
        "num_samples), floored at min_lr",
        "file": flags(
            """
            --micro-batch-size 1 --global-batch-size 4 --train-iters 24
            --lr 1e-3 --min-lr 3e-4 --lr-decay-style inverse-square-root --lr-warmup-iters 4
            """
        ),
        "world_size": 1,
    },
    {
        "name": "script-constant-warmup-init",
        "what": "constant after a warmup from lr_warmup_init 1e-5 over 6 iterations",
        "file": script(
            """
            --micro-batch-size 2
            --global-batch-size 4
            --train-iters 14
            --lr 1e-4
            --lr-decay-style constant
            --lr-warmup-iters 6
            --lr-warmup-init 1e-5
            """
        ),
        "world_size": None,
    },
    {
        "name": "script-rampup-batch-size",
        "what": "--rampup-batch-size 4 4 48: the global batch (and the scheduler increment) is "
        "4 (x4), 8 (x2), 12 (x2) then 16 samples; train_iters from the ramp-up walk: 8 + "
        "(200 - 56) // 16 = 17",
        "file": script(
            """
            --micro-batch-size 2
            --global-batch-size 16
            --rampup-batch-size 4 4 48
            --train-samples 200
            --lr 1e-3
            --min-lr 1e-4
            --lr-decay-style linear
            --lr-warmup-samples 40
            """
        ),
        "world_size": None,
    },
    {
        "name": "script-decoupled-lr-groups",
        "what": "--decoupled-lr/--decoupled-min-lr give the embedding and output layer their own "
        "group (max_lr 1e-3, min_lr 1e-4) beside the weight and no-weight-decay groups",
        "file": script(
            """
            --micro-batch-size 4
            --global-batch-size 16
            --train-iters 20
            --lr 3e-4
            --min-lr 3e-5
            --decoupled-lr 1e-3
            --decoupled-min-lr 1e-4
            --lr-decay-style cosine
            --lr-warmup-iters 4
            """
        ),
        "world_size": None,
    },
    {
        "name": "script-tp-derived-global-batch",
        "what": "torchrun 4 processes x 2 nodes with tensor parallel 2: data parallel 4, no "
        "--global-batch-size so it is micro 3 x 4 = 12; warmup fraction 0.25 of 10 iterations "
        "= 2.5",
        "file": script(
            """
            --micro-batch-size 3
            --train-iters 10
            --lr 1e-3
            --lr-decay-style cosine
            --lr-warmup-fraction 0.25
            --tensor-model-parallel-size 2
            """,
            distributed="""\
            NODE_RANK=${NODE_RANK:-0}
            MASTER_ADDR=${MASTER_ADDR:-localhost}
            DISTRIBUTED_ARGS=(
                --nproc_per_node 4
                --nnodes 2
                --node_rank $NODE_RANK
                --master_addr $MASTER_ADDR
                --master_port 6000
            )
            """,
        ),
        "world_size": None,
    },
    {
        "name": "flags-decay-longer-than-training",
        "what": "lr_decay_iters 40 > train_iters 16: training stops mid-decay (linear, min_lr "
        "never reached)",
        "file": flags(
            """
            --micro-batch-size 2 --global-batch-size 2 --train-iters 16 --lr 0.01 --min-lr 0.001
            --lr-decay-iters 40 --lr-warmup-iters 2
            """
        ),
        "world_size": 1,
    },
]

REJECTS: list[dict[str, Any]] = [
    {
        "name": "wsd-without-decay-iters",
        "what": "--lr-decay-style WSD without --lr-wsd-decay-iters (megatron-core asserts)",
        "file": flags(
            """
            --micro-batch-size 2 --global-batch-size 8 --train-iters 20 --lr 1e-3
            --lr-decay-style WSD
            """
        ),
        "world_size": 1,
    },
    {
        "name": "warmup-not-shorter-than-decay",
        "what": "lr_warmup_iters 20 with train_iters (decay) 20: megatron-core asserts warmup < "
        "decay",
        "file": flags(
            """
            --micro-batch-size 2 --global-batch-size 8 --train-iters 20 --lr 1e-3
            --lr-warmup-iters 20
            """
        ),
        "world_size": 1,
    },
    {
        "name": "iters-with-warmup-samples",
        "what": "iteration-based training with a sample-based warmup (arguments.py asserts)",
        "file": flags(
            """
            --micro-batch-size 2 --global-batch-size 8 --train-iters 20 --lr 1e-3
            --lr-warmup-samples 16
            """
        ),
        "world_size": 1,
    },
    {
        "name": "warmup-fraction-and-iters",
        "what": "both --lr-warmup-fraction and --lr-warmup-iters (arguments.py asserts)",
        "file": flags(
            """
            --micro-batch-size 2 --global-batch-size 8 --train-iters 20 --lr 1e-3
            --lr-warmup-fraction 0.1 --lr-warmup-iters 2
            """
        ),
        "world_size": 1,
    },
]


def argv_of(case: dict[str, Any], folder: Path) -> tuple[list[str], int, str]:
    if case["file"].startswith("#!"):
        argv, world = script_argv(case["file"], folder)
        return argv, world, "train.sh"
    lex = shlex.shlex(case["file"], posix=True)
    lex.whitespace_split = True
    lex.commenters = "#"
    return list(lex), case["world_size"], "flags.txt"


def inputs_of(case: dict[str, Any], world: int) -> dict[str, Any]:
    return {"dataset_size": None, "batch_size": None, "world_size": world, "epochs": None}


def main() -> None:
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    free = port.getsockname()[1]
    port.close()
    torch.distributed.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{free}", rank=0, world_size=1
    )
    out_cases, out_rejects = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for case in CASES:
            argv, world, file_name = argv_of(case, folder)
            rec, counting, names = run(argv, world)
            if not rec:
                raise SystemExit(f"{case['name']}: no update recorded")
            counting["argv"] = argv
            counting["world_size_from"] = (
                "the script's torchrun --nproc_per_node x --nnodes"
                if file_name == "train.sh"
                else "inputs (a flags file does not hold it)"
            )
            out_cases.append(
                {
                    "name": case["name"],
                    "what": case["what"],
                    "file_name": file_name,
                    "file": case["file"],
                    "inputs": inputs_of(case, world),
                    "counting": counting,
                    "groups": groups_of(rec, names),
                }
            )
            print(f"{case['name']}: {len(rec)} updates", file=sys.stderr)
        for case in REJECTS:
            argv, world, file_name = argv_of(case, folder)
            try:
                run(argv, world)
            except Exception as exc:  # noqa: BLE001 - the trainer's own error is the point
                msg = str(exc).strip()
                error = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
                where = "megatron-core" if "megatron/core" in _tb_file(exc) else "arguments.py"
            else:
                raise SystemExit(f"{case['name']}: accepted")
            out_rejects.append(
                {
                    "name": case["name"],
                    "what": case["what"],
                    "file_name": file_name,
                    "file": case["file"],
                    "inputs": inputs_of(case, world),
                    "error": error,
                    "raised_by": where,
                }
            )
            print(f"{case['name']}: {error}", file=sys.stderr)
    torch.distributed.destroy_process_group()
    names = [c["name"] for c in CASES + REJECTS]
    if len(names) != len(set(names)):
        raise SystemExit("case names repeat")
    doc = {
        "generator": GENERATOR,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "megatron-core": megatron.core.__version__,
            "megatron-lm-source": MEGATRON_LM_REF,
        },
        "convention": "groups[g][i] = optimizer.param_groups[g]['lr'] right before the i-th "
        "optimizer.step(); OptimizerParamScheduler.step(increment=global batch) after each; one "
        "list per group where groups differ",
        "cases": out_cases,
        "rejects": out_rejects,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


def _tb_file(exc: BaseException) -> str:
    tb = exc.__traceback__
    last = ""
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last


if __name__ == "__main__":
    main()
