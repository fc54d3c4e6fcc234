"""The Hugging Face Trainer: TrainingArguments (JSON or YAML, as saved or written by hand).

How transformers 5.x counts (``Trainer.set_initial_training_values``, ``get_warmup_steps``):

- batches per epoch ``ceil(n / (B * W))`` (``floor`` with ``dataloader_drop_last``);
- updates per epoch ``max(ceil(batches / gradient_accumulation_steps), 1)``: the last window
  of an epoch is short but still makes an update;
- ``max_steps = ceil(num_train_epochs * updates_per_epoch)`` unless ``max_steps > 0``, and the
  trainer makes exactly ``max_steps`` updates;
- warmup ``int(warmup_steps)`` when it is at least 1, else ``ceil(warmup_steps * max_steps)``;
- the scheduler is ``get_scheduler(lr_scheduler_type, num_warmup_steps, num_training_steps =
  max_steps, scheduler_specific_kwargs = lr_scheduler_kwargs)``, stepped after every update,
  so update ``k`` runs at ``learning_rate * lambda(k)``: computed by the hf dialect.

Imports the hf dialect, numpy and this package only.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ...errors import UsageError
from .base import Inputs, Reading, ceil_div, need, number

TRAINER = "Hugging Face Trainer (transformers 5.x)"
KEYS = ("lr_scheduler_type", "per_device_train_batch_size", "num_train_epochs", "max_steps",
        "warmup_ratio", "gradient_accumulation_steps", "learning_rate", "warmup_steps",
        "output_dir")
TYPES = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
         "constant_with_warmup", "inverse_sqrt", "cosine_with_min_lr",
         "cosine_warmup_with_min_lr", "warmup_stable_decay")
F = "hf"


def detect(doc: dict[str, Any]) -> bool:
    return sum(k in doc for k in KEYS) >= 2 or "lr_scheduler_type" in doc


def build(doc: dict[str, Any], inputs: Inputs) -> Reading:
    """The lr of every update the Trainer makes with these TrainingArguments."""
    from ..dialects import compute

    if "warmup_ratio" in doc:
        raise UsageError("hf: warmup_ratio is not a TrainingArguments field in transformers "
                         "5.x (the Trainer's argument parser refuses it): use warmup_steps "
                         "below 1, a ratio of the total updates (--set warmup_steps=0.1)")
    kind = doc.get("lr_scheduler_type", "linear")
    if kind in ("reduce_lr_on_plateau", "greedy"):
        raise UsageError(f"hf: lr_scheduler_type {kind!r} follows the evaluation metrics, "
                         "which a config does not hold; allowed here: " + ", ".join(TYPES))
    if kind not in TYPES:
        raise UsageError(f"hf: lr_scheduler_type {kind!r} is not one of: " + ", ".join(TYPES))
    lr = number(doc, "learning_rate", 5e-5, F, lo=0)
    batch = number(doc, "per_device_train_batch_size", inputs.batch_size or 8, F,
                   integer=True, lo=1)
    accum = number(doc, "gradient_accumulation_steps", 1, F, integer=True, lo=1)
    epochs = number(doc, "num_train_epochs", 3.0, F, lo=0)
    max_steps = number(doc, "max_steps", -1, F, integer=True)
    warmup = number(doc, "warmup_steps", 0, F, lo=0)
    drop_last = bool(doc.get("dataloader_drop_last", False))
    kwargs = doc.get("lr_scheduler_kwargs") or {}
    if isinstance(kwargs, str):
        try:
            kwargs = json.loads(kwargs)
        except json.JSONDecodeError:
            raise UsageError(f"hf: lr_scheduler_kwargs {kwargs!r} is not a JSON mapping") \
                from None
    if not isinstance(kwargs, dict):
        raise UsageError(f"hf: lr_scheduler_kwargs must be a mapping, not {kwargs!r}")

    facts: list[tuple[str, str]] = []
    surprises: list[str] = []
    w = inputs.world_size
    if max_steps > 0:
        total = max_steps
        facts.append(("total updates", f"{total} (max_steps)"))
        if "num_train_epochs" in doc:
            surprises.append(f"max_steps {max_steps} overrides num_train_epochs "
                             f"{_num(epochs)}")
        if inputs.dataset_size is not None:
            per_epoch = _updates_per_epoch(inputs.dataset_size, batch, w, accum, drop_last,
                                           facts, surprises)
            facts.append(("epochs", f"{_num(total / per_epoch)} (max_steps / updates per "
                                    "epoch)"))
    else:
        n = need(inputs.dataset_size, "how many training samples there are",
                 "--dataset-size N", F)
        per_epoch = _updates_per_epoch(n, batch, w, accum, drop_last, facts, surprises)
        total = math.ceil(epochs * per_epoch)
        facts.append(("total updates", f"{total} = ceil({_num(epochs)} epochs x {per_epoch})"))
        if epochs != int(epochs) and total % per_epoch:
            surprises.append(f"num_train_epochs {_num(epochs)}: the last epoch stops after "
                             f"{total % per_epoch} of its {per_epoch} updates")
    if total < 1:
        raise UsageError(f"hf: the Trainer makes no update (max_steps {total}): raise "
                         "num_train_epochs or --dataset-size")
    warm = int(warmup) if warmup >= 1 else math.ceil(total * warmup)
    if 0 < warmup < 1:
        facts.append(("warmup", f"{warm} updates = ceil({_num(warmup)} x {total}): below 1, "
                                "warmup_steps is a ratio, rounded up"))
    elif warmup != int(warmup):
        facts.append(("warmup", f"{warm} updates (warmup_steps {_num(warmup)} truncated)"))
    else:
        facts.append(("warmup", f"{warm} updates"))
    if warm > 0 and kind != "constant":
        surprises.append("the first update runs at lr 0: the warmup starts from 0")
    if kind == "linear" and warm < total:
        surprises.append(f"the last update runs at learning_rate/{total - warm}, never 0")
    facts.append(("scheduler steps", "after every update"))
    expr = (f"get_scheduler({kind!r}, num_warmup_steps={warm}, num_training_steps={total}"
            + (f", scheduler_specific_kwargs={kwargs!r}" if kwargs else "") + ")")
    c = compute("hf", expr, total, float(lr))
    values = c.source(0, total)
    return Reading(F, TRAINER, {"0": values}, facts, surprises)


def _updates_per_epoch(n: int, batch: int, w: int, accum: int, drop_last: bool,
                       facts: list[tuple[str, str]], surprises: list[str]) -> int:
    per = batch * w
    batches = n // per if drop_last else ceil_div(n, per)
    how = "floor" if drop_last else "ceil"
    facts.append(("batches per epoch", f"{batches} = {how}({n} / {per})"))
    if drop_last and n % per:
        surprises.append(f"dataloader_drop_last: the last {n % per} samples of every epoch "
                         "are never seen")
    if batches < 1:
        raise UsageError(f"hf: {n} samples make no batch of {per} (dataloader_drop_last)")
    updates = max(ceil_div(batches, accum), 1)
    if accum > 1:
        facts.append(("updates per epoch", f"{updates} = ceil({batches} / {accum} "
                                           "accumulated)"))
        if batches % accum:
            surprises.append(f"the last window of each epoch has {batches % accum} of "
                             f"{accum} batches, and still makes an update")
    else:
        facts.append(("updates per epoch", str(updates)))
    return updates


def _num(x: float) -> str:
    return f"{x:g}"
