"""timm's train.py: the ``args.yaml`` it saves next to a run, or one written for ``train.py
--config FILE`` (train.py@aa4b5850, the schedulers of timm 1.0.31).

How train.py counts (line numbers of train.py at that commit):

- the arguments are train.py's defaults with the file over them, text converted by each
  argument's argparse type (``3e-4`` is a float here), see :mod:`.timm_args`;
- the training loader drops the last partial batch (``create_loader(is_training=True)``):
  ``floor(n / batch_size)`` batches, of ``ceil(n / W)`` samples per process with W > 1
  (DistributedSampler; RepeatAugSampler's count with ``aug_repeats``);
- ``lr``, unless set (``if not args.lr:``, 837-845): ``lr_base x batch_size x W x
  grad_accum_steps / lr_base_size``, or the square root of that ratio for optimizers whose
  name holds 'ada' or 'lamb', or with ``lr_base_scale: sqrt``;
- ``updates_per_epoch = ceil(batches / grad_accum_steps)`` (1079) sizes the scheduler, while
  ``train_one_epoch`` (1266-1283) can make more updates: once the last window starts, the
  window size becomes the last window's, so 14 batches in windows of 5 make 4 updates;
  ``num_updates`` restarts at ``epoch x updates_per_epoch`` every epoch;
- ``create_scheduler_v2(**scheduler_kwargs(args), updates_per_epoch)`` (1080): epochs,
  warmup, decay and cooldown in epochs, or times ``updates_per_epoch`` with
  ``sched_on_updates``; its ``num_epochs`` counts cycles, ``warmup_prefix`` and cooldown;
  the values are the timm dialect's ``_get_lr(t)``, timm's arithmetic;
- the constructor sets ``warmup_lr`` (with a warmup), then ``step_update(num_updates)`` after
  each update (1439) and ``step(epoch + 1, metric)`` after each epoch (1143, 1201) move the lr;
  ``start_epoch`` steps the scheduler there first (1091-1095) and trains from it; the epochs
  that ``val_interval`` skips, except the last, step with no metric (plateau keeps its lr).

Imports numpy, the YAML library, the dialects and this package only.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import UsageError
from .base import Inputs, Reading, ceil_div, flat, load_yaml, need
from .timm_args import F, arguments, flags_as_text
from .timm_loop import Sched, run, scheduler, updates_in_epoch

TRAINER = "timm train.py (aa4b5850, timm 1.0.31 schedulers)"
KEYS = ("sched", "sched_on_updates", "lr_base", "lr_base_size", "lr_base_scale", "warmup_lr",
        "warmup_prefix", "lr_cycle_mul", "lr_cycle_decay", "lr_cycle_limit", "lr_k_decay",
        "lr_noise", "decay_milestones", "patience_epochs", "grad_accum_steps", "opt")


def detect(doc: dict[str, Any]) -> bool:
    """A key only train.py has, or a mapping of train.py arguments alone (no nested mapping
    but its kwargs)."""
    from .timm_args import ARGUMENTS

    if any(k in doc for k in KEYS):
        return True
    return len(doc) >= 2 and all(
        k in ARGUMENTS and (not isinstance(v, dict) or k.endswith("_kwargs"))
        for k, v in doc.items())


def parse(text: str, file_name: str) -> dict[str, Any]:
    """The file as train.py reads it: ``yaml.safe_load`` (JSON text too)."""
    doc = load_yaml(text, file_name)
    if not isinstance(doc, dict):
        raise UsageError(f"'{file_name}' holds no mapping of train.py arguments")
    return doc


def build(doc: dict[str, Any], inputs: Inputs) -> Reading:
    """The lr of every update train.py makes with these arguments."""
    if "batch_size" not in doc and inputs.batch_size is not None:
        doc = {**doc, "batch_size": inputs.batch_size}
    a, converted, ignored = arguments(doc)
    _refuse(a, inputs)
    facts: list[tuple[str, str]] = []
    surprises: list[str] = []
    if "batch_size" not in doc:
        surprises.append(f"batch_size is train.py's default {a['batch_size']} (the config "
                         "does not set it; --batch-size B does)")
    w = inputs.world_size
    batches = _batches(a, inputs, facts, surprises)
    accum = max(1, a["grad_accum_steps"])
    upe = ceil_div(batches, accum)
    per_epoch = updates_in_epoch(batches, accum)
    if accum > 1:
        facts.append(("updates per epoch", f"{upe} = ceil({batches} / {accum} accumulated)"
                      + (f"; the loop makes {per_epoch}" if per_epoch != upe else "")))
    else:
        facts.append(("updates per epoch", str(upe)))
    if per_epoch != upe:
        surprises.append(f"each epoch makes {per_epoch} updates though updates_per_epoch is "
                         f"{upe}: the accumulation window shrinks to the last window's "
                         f"{batches % accum} batches before it starts, and num_updates restarts "
                         f"at epoch x {upe}")
    elif accum > 1 and batches % accum:
        surprises.append(f"the last window of each epoch has {batches % accum} of {accum} "
                         "batches, and still makes an update")
    lr = _lr(a, w, accum, facts, surprises)
    eval_metric = a["eval_metric"] if a["val_split"] else "loss"
    mode = "min" if eval_metric == "loss" else "max"
    s = scheduler(a, upe, mode)
    start = a["start_epoch"] or 0
    epochs = range(start, s.num_epochs)
    facts.append(("scheduler", s.expr or "PlateauLRScheduler(" + ", ".join(
        f"{k}={v!r}" for k, v in {**(s.plateau or {}), "warmup_t": s.warmup_t,
                                   "warmup_lr_init": s.warmup_lr_init}.items()) + ")"))
    facts.append(("epochs", f"{s.num_epochs} = {s.epochs_how}"))
    if s.decay_how:
        facts.append(("decay", s.decay_how))
    if not isinstance(s.num_epochs, int):
        raise UsageError(f"{F}: the schedule's num_epochs is {s.num_epochs!r}, and train.py's "
                         "range(start_epoch, num_epochs) fails on it")
    if len(epochs) == 0:
        raise UsageError(f"{F}: train.py trains no epoch (start_epoch {start}, num_epochs "
                         f"{s.num_epochs})")
    metrics = _metrics(a, s, epochs, inputs, mode, eval_metric, facts, surprises)
    facts.append(("scheduler steps", "after every epoch: step(epoch + 1)" if s.t_in_epochs
                  else "after every update: step_update(num_updates)"))
    facts.append(("total updates", f"{len(epochs) * per_epoch} = {len(epochs)} epochs x "
                                   f"{per_epoch}" + (f" (epochs {start}..{s.num_epochs - 1})"
                                                     if start else "")))
    try:
        values = run(s, lr, upe, per_epoch, start, metrics)
    except UsageError as e:  # the scheduler's own refusal (FrameworkError), said as timm's
        name = (s.expr or "PlateauLRScheduler(").split("(")[0]
        hint = " (lr_stable_timescale in the config)" if "stable_timescale" in str(e) else ""
        raise type(e)(f"{F}: sched {a['sched']}: {name} raises {e}{hint}") from None
    _surprises(a, s, lr, values, start, per_epoch, upe, surprises)
    defaults = _defaults(doc, a)
    if defaults:
        surprises.append("train.py's defaults, which the file does not set: " + defaults)
    for key in converted:
        surprises.append(f"{key} {doc[key]!r} is text in the YAML, which train.py's argparse "
                         f"converts: {a[key]!r}")
    for key in flags_as_text(a):
        surprises.append(f"{key} {a[key]!r} is not true/false; train.py tests it for truth: "
                         f"{'on' if a[key] else 'off'}")
    if ignored:
        surprises.append("not train.py arguments (kept by its parser, read by nothing): "
                         + ", ".join(ignored))
    return Reading(F, TRAINER, {"0": flat(values)}, facts, surprises)


_READ = {"step": ("decay_epochs", "decay_rate"), "multistep": ("decay_milestones", "decay_rate"),
         "plateau": ("patience_epochs", "decay_rate"), "poly": ("decay_rate",),
         "wsd": ("decay_epochs",), "rsqrt": ("decay_epochs",)}


def _defaults(doc: dict[str, Any], a: dict[str, Any]) -> str:
    """The defaults of train.py that shape this schedule and the file leaves to it."""
    keys = ["sched", "epochs", "warmup_epochs"] + (["warmup_lr"] if a["warmup_epochs"] else [])
    keys += _READ.get(a["sched"], ())
    return ", ".join(f"{k} {a[k]!r}" if isinstance(a[k], str) else f"{k} {a[k]}"
                     for k in keys if k not in doc)


def _refuse(a: dict[str, Any], inputs: Inputs) -> None:
    if inputs.epochs is not None:
        raise UsageError(f"{F}: train.py runs the config's epochs ({a['epochs']}): give "
                         "--set epochs=N, not --epochs")
    if a["layer_decay"] is not None:
        raise UsageError(f"{F}: layer_decay {a['layer_decay']!r} scales each layer's group by "
                         "its depth in the model, which the config does not hold: leave it "
                         "out (--set layer_decay=null) for the schedule itself")
    for key in ("epoch_repeats", "naflex_loader", "train_img_sizes"):
        if a[key]:
            raise UsageError(f"{F}: {key} {a[key]!r} changes what an epoch is (its batches), "
                             "which lrsched does not count")
    if a["aug_repeats"] and inputs.world_size == 1:
        raise UsageError(f"{F}: aug_repeats {a['aug_repeats']!r} needs distributed training: "
                         "create_loader asserts it with one process (give --world-size)")
    if a["resume"] and a["start_epoch"] is None:
        raise UsageError(f"{F}: resume {a['resume']!r}: train.py starts at the checkpoint's "
                         "epoch, which the config does not hold: give --set start_epoch=N")
    if a["start_epoch"] is not None and a["start_epoch"] < 0:
        raise UsageError(f"{F}: start_epoch {a['start_epoch']} is not allowed: >= 0")
    if a["val_interval"] == 0:
        raise UsageError(f"{F}: val_interval 0: train.py divides by it after the first epoch "
                         "(ZeroDivisionError)")
    if a["batch_size"] < 1:
        raise UsageError(f"{F}: batch_size {a['batch_size']} is not allowed: >= 1")


def _batches(a: dict[str, Any], inputs: Inputs, facts: list[tuple[str, str]],
             surprises: list[str]) -> int:
    n = need(inputs.dataset_size, "how many training samples there are", "--dataset-size N", F)
    w, b = inputs.world_size, a["batch_size"]
    if w == 1:
        samples, how = n, f"{n}"
    elif a["aug_repeats"]:  # RepeatAugSampler's num_selected_samples
        total = int(math.ceil(n * a["aug_repeats"] / w))
        chosen = int(math.floor(n // 256 * 256 / w)) if n >= 256 else int(math.ceil(n / w))
        samples = min(chosen, total)
        how = f"{samples} samples per process (RepeatAugSampler)"
    else:
        samples = ceil_div(n, w)
        how = f"ceil({n} / {w} processes)"
    batches = samples // b
    facts.append(("batches per epoch", f"{batches} = floor({how} / {b}): the loader drops the "
                                       "last partial batch"))
    if samples % b:
        left = samples % b
        surprises.append(f"the loader drops the last {left} sample{'s' if left > 1 else ''} "
                         "of every epoch (drop_last for training)")
    if batches < 1:
        raise UsageError(f"{F}: {samples} samples per process make no full batch of {b} (the "
                         "training loader drops the last partial batch)")
    return batches


def _lr(a: dict[str, Any], w: int, accum: int, facts: list[tuple[str, str]],
        surprises: list[str]) -> float:
    if a["lr"]:
        if a["lr"] < 0:
            raise UsageError(f"{F}: lr {a['lr']!r} is not allowed: the optimizer refuses a "
                             "negative learning rate")
        facts.append(("lr", f"{a['lr']!r} (lr)"))
        return a["lr"]
    if a["lr_base_size"] < 1 or a["lr_base"] < 0:
        raise UsageError(f"{F}: lr_base {a['lr_base']:g} / lr_base_size "
                         f"{a['lr_base_size']}: train.py scales lr_base by the global batch "
                         "over lr_base_size, which must be >= 1, and lr_base >= 0 (or set lr)")
    global_batch = float(a["batch_size"]) * w * accum
    ratio = global_batch / a["lr_base_size"]
    scale = a["lr_base_scale"]
    if not scale:
        on = a["opt"].lower()
        scale = "sqrt" if any(o in on for o in ("ada", "lamb")) else "linear"
        why = f" (opt {a['opt']})"
    else:
        why = ""
    if scale == "sqrt":
        ratio = ratio ** 0.5
    lr = a["lr_base"] * ratio
    how = f"{global_batch:g} / {a['lr_base_size']}"
    text = (f"lr_base {a['lr_base']:g} x sqrt({how})" if scale == "sqrt"
            else f"lr_base {a['lr_base']:g} x {how}")
    facts.append(("lr", f"{lr!r} = {text}, {scale if scale == 'sqrt' else 'linear'} "
                        f"scaling{why}; global batch {a['batch_size']} x {w} "
                        f"process{'es' if w > 1 else ''} x {accum} accumulated"))
    surprises.append(f"lr = {text} = {lr:.6g}"
                     + (" (lr 0 counts as unset)" if a["lr"] == 0 else " (lr is not set)"))
    if scale not in ("sqrt", "linear"):
        surprises.append(f"lr_base_scale {scale!r} is neither sqrt nor linear: train.py "
                         "scales linearly")
    return lr


def _metrics(a: dict[str, Any], s: Sched, epochs: range, inputs: Inputs, mode: str,
             eval_metric: str, facts: list[tuple[str, str]],
             surprises: list[str]) -> list[Any] | None:
    """The metric ``step(epoch + 1, metric)`` gets after each epoch run (None where train.py
    does not evaluate): from ``--metrics``, one per epoch run, or one per evaluated epoch."""
    vi = a["val_interval"]
    evaluated = [(e + 1) % vi == 0 or e + 1 == s.num_epochs for e in epochs]
    skipped = [e for e, ok in zip(epochs, evaluated) if not ok]
    if skipped and s.plateau is not None:
        surprises.append(f"val_interval {vi}: {len(skipped)} of {len(epochs)} epochs are not "
                         "evaluated, and the plateau does not look at a metric after them")
    if s.plateau is None:
        if inputs.metrics is not None:
            surprises.append(f"--metrics is not read: only sched plateau follows the metric "
                             f"(this is {a['sched']})")
        return None
    m = need(inputs.metrics, f"the {eval_metric} after each epoch that plateau follows",
             "--metrics FILE", F)
    n_eval = sum(evaluated)
    facts.append(("plateau", f"mode {mode} ({eval_metric}"
                  + ("" if a["val_split"] else ", the train loss: no val_split")
                  + f"), patience {a['patience_epochs']}, x{a['decay_rate']:g}"))
    if len(m) >= len(epochs):
        facts.append(("metrics", f"one per epoch run: {len(epochs)} of {len(m)} read"
                      + (" (those of unevaluated epochs ignored)" if skipped else "")))
        return [m[i] if ok else None for i, ok in enumerate(evaluated)]
    if skipped and len(m) >= n_eval:
        facts.append(("metrics", f"one per evaluated epoch: {n_eval} of {len(m)} read"))
        it = iter(m)
        return [next(it) if ok else None for ok in evaluated]
    raise UsageError(f"{F}: --metrics holds {len(m)} metrics; the run trains {len(epochs)} "
                     f"epochs" + (f" and evaluates {n_eval}" if skipped else "")
                     + ": give one per epoch")


def _surprises(a: dict[str, Any], s: Sched, lr: float, values: Any, start: int,
               per_epoch: int, upe: int, surprises: list[str]) -> None:
    if s.t_in_epochs and s.warmup_t and start == 0:
        surprises.insert(0, f"the whole first epoch runs at warmup_lr {a['warmup_lr']:g} "
                            "(per-epoch stepping)")
    if float(values.max()) < lr * (1 - 1e-9):
        why = (" (cosine per epoch without warmup_prefix)" if a["sched"] == "cosine"
               and s.t_in_epochs and not a["warmup_prefix"] else
               " (the warmup ends inside the decay: warmup_prefix is off)"
               if s.warmup_t and not a["warmup_prefix"] else "")
        surprises.append(f"the peak lr {lr:g} is never used: the largest is "
                         f"{float(values.max()):.6g}{why}")
    if a["sched"] == "multistep":
        surprises.append("multistep decays one step early: timm compares t + 1 with each "
                         "milestone")
    if a["cooldown_epochs"] and s.expr is not None and "Step" in s.expr:
        surprises.append(f"cooldown_epochs {a['cooldown_epochs']} adds no epoch to sched "
                         f"{a['sched']} (only cosine, tanh, poly, wsd and rsqrt count it)")
    if a["sched"] == "plateau" and a["warmup_prefix"] and a["warmup_epochs"]:
        surprises.append(f"warmup_prefix adds {a['warmup_epochs']} epochs to plateau's run, "
                         "and its warmup stays the same")
    if a["lr_cycle_limit"] > 1 and a["sched"] in ("cosine", "tanh", "poly"):
        surprises.append(f"lr_cycle_limit {a['lr_cycle_limit']}: {s.num_epochs} epochs, each "
                         f"cycle's peak x{a['lr_cycle_decay']:g}"
                         + (" (train.py's lr_cycle_decay default 0.5)"
                            if a["lr_cycle_decay"] == 0.5 else ""))
    if start:
        surprises.append(f"start_epoch {start}: the scheduler is stepped to epoch {start} "
                         f"first, and epochs 0..{start - 1} are not run")
    if not s.t_in_epochs and per_epoch > upe:
        end = (s.num_epochs - 1) * upe + per_epoch
        surprises.append(f"the schedule steps back at every epoch: an epoch ends at step "
                         f"epoch x {upe} + {per_epoch}, the next restarts from epoch x {upe}, "
                         f"and the last reaches step {end} of the {s.num_epochs * upe} it "
                         "was sized for")
