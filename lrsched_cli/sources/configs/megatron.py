"""Megatron-LM: the command-line flags of a launch script (bash arrays, read by
:mod:`.megatron_shell`, never run) or of a file of flags, as Megatron-LM core_v0.16.1 and
megatron-core 0.16's ``OptimizerParamScheduler`` run them.

How Megatron counts (``megatron/training/arguments.py`` ``validate_args``,
``training.py`` ``update_train_iters``, ``get_optimizer_param_scheduler``, ``train``,
``train_step``; ``megatron/core/num_microbatches_calculator.py``):

- ``data_parallel_size = world_size // (tp x pp x cp)``; ``global_batch_size`` defaults to
  ``micro_batch_size x data_parallel_size``, and must be a multiple of it;
- the scheduler counts **samples**: it is built with ``step(0)`` and stepped after every
  successful update with ``increment = num_microbatches x micro x dp`` (the global batch,
  or the ramp-up's current one), so update ``k`` runs at ``get_lr(samples before k)``;
- iteration-based (``--train-iters``): decay ``lr_decay_iters`` (default ``train_iters``),
  warmup ``lr_warmup_iters`` and the WSD anneal ``lr_wsd_decay_iters`` are multiplied by the
  global batch; ``--lr-warmup-fraction`` is a fraction of the decay samples (so the warmup
  can end between updates);
- sample-based (``--train-samples``): ``train_iters = train_samples // global_batch_size``
  (the partial last batch is dropped), or the ramp-up walk with ``--rampup-batch-size``;
  decay ``lr_decay_samples`` (default ``train_samples``), warmup ``lr_warmup_samples`` or the
  fraction, anneal ``lr_wsd_decay_samples``;
- ``--decoupled-lr``/``--decoupled-min-lr`` give the embedding and output layer their own
  ``max_lr``/``min_lr``: Megatron's groups (weights; embedding and output; biases and 1-D
  parameters without weight decay) are then one series each.

:mod:`.megatron_lr` holds ``get_lr`` and the flag table. Imports the standard library,
numpy (through :mod:`.base`) and this package only.
"""

from __future__ import annotations

import re
from typing import Any

from ...errors import UsageError
from . import megatron_lr as lr_
from .base import Inputs, Reading, flat, need
from .megatron_shell import launch

TRAINER = "Megatron-LM (core_v0.16.1, megatron-core 0.16)"
F = "megatron"
META = "__launch__"
_SNIFF = re.compile(r"(^|[\s(=\"'])--(train-iters|train-samples|lr-decay-style|"
                    r"lr-warmup-(iters|samples|fraction|init)|lr-decay-(iters|samples)|"
                    r"lr-wsd-decay-\w+|micro-batch-size|global-batch-size)\b")


def sniff(text: str, file_name: str) -> bool:
    """Text holding Megatron's schedule or batch flags (not a JSON/YAML mapping, not a
    Python file)."""
    head = text.lstrip()[:1]
    return head not in ("{", "[") and not file_name.endswith((".json", ".yaml", ".yml",
                                                               ".py")) \
        and _SNIFF.search(text) is not None


def parse(text: str, file_name: str) -> dict[str, Any]:
    """The flags as Megatron's argparse reads them: ``{dest: value}`` (values as text; a
    repeated flag keeps its last value), the launcher's world size under ``__launch__``."""
    run = launch(text, file_name)
    doc: dict[str, Any] = lr_.read_argv(run.argv)
    doc[META] = {"world_size": run.world_size, "world_from": run.world_from,
                 "launcher": " ".join(run.launcher[:1])}
    return doc


def build(doc: dict[str, Any], inputs: Inputs) -> Reading:
    """The lr of every update Megatron-LM's train loop makes with these flags."""
    meta = doc.get(META) or {}
    a = lr_.Args(doc)
    facts: list[tuple[str, str]] = []
    surprises: list[str] = []
    world = meta.get("world_size")
    if world is not None and inputs.world_size not in (1, world):
        world, how = inputs.world_size, "--world-size (the script's launcher says " \
            f"{meta['world_size']})"
    elif world is None:
        world, how = inputs.world_size, "--world-size" + (
            "" if inputs.world_size != 1 else " (1: give --world-size for more processes)")
    else:
        how = meta.get("world_from", "")
    tp, pp, cp = (a.int(k, 1) for k in ("tensor_model_parallel_size",
                                        "pipeline_model_parallel_size",
                                        "context_parallel_size"))
    model = tp * pp * cp
    if model < 1 or world % model:
        raise UsageError(f"{F}: world size {world} is not divisible by --tensor-model-"
                         f"parallel-size x --pipeline-model-parallel-size x --context-"
                         f"parallel-size = {model} (arguments.py asserts)")
    dp = world // model
    facts.append(("data parallel", f"{dp} = world {world} / (tp {tp} x pp {pp} x cp {cp})"
                                   + (f"; world size from {how}" if how else "")))
    micro = a.int("micro_batch_size", None)
    if micro is None:
        micro = need(inputs.batch_size, "the micro batch size (--micro-batch-size)",
                     "--batch-size B (or --set micro-batch-size=B)", F)
    if micro < 1:
        raise UsageError(f"{F}: --micro-batch-size {micro} must be > 0 (arguments.py asserts)")
    gbs = a.int("global_batch_size", None)
    if gbs is None:
        gbs = micro * dp
        facts.append(("global batch", f"{gbs} = --micro-batch-size {micro} x data parallel "
                                      f"{dp} (no --global-batch-size)"))
    if gbs < 1:
        raise UsageError(f"{F}: --global-batch-size {gbs} must be > 0")
    plan = lr_.plan(a, gbs, micro, dp, facts, surprises)
    increments = plan.increments
    scheduler = plan.scheduler
    groups = lr_.groups(a, scheduler)
    values: dict[str, list[float]] = {name: [] for name, _, _ in groups}
    steps = 0
    for inc in increments:
        if inc is None:  # --iterations-to-skip: no update, no scheduler step
            continue
        for name, hi, lo in groups:
            values[name].append(scheduler.lr(steps, hi, lo))
        steps += inc
    if not next(iter(values.values())):
        raise UsageError(f"{F}: Megatron makes no update (train_iters {len(increments)})")
    lr_.describe(a, scheduler, plan, facts, surprises)
    columns = {name: flat(v) for name, v in values.items()}
    first = next(iter(columns.values()))
    if all((c == first).all() for c in columns.values()):
        columns = {"0": first}
    return Reading(F, TRAINER, columns, facts, surprises)
