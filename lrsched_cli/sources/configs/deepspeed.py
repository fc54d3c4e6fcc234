"""DeepSpeed: the ``scheduler`` block of a JSON config, with its optimizer's lr and the batch
and accumulation keys (deepspeed 0.19, ``runtime/lr_schedules.py`` and ``runtime/engine.py``).

How DeepSpeed counts:

- ``train_batch_size = train_micro_batch_size_per_gpu * gradient_accumulation_steps * W``
  (any two give the third; DeepSpeed refuses a set that disagrees);
- the epoch loop is the user's (``--epochs``): each epoch has ``ceil(n / (micro * W))``
  micro-batches per process, and the accumulation counter is global, so windows carry over
  epoch ends and trailing micro-batches that do not fill one never make an update:
  ``updates = floor(epochs * micro_batches / gradient_accumulation_steps)``;
- the scheduler is built with ``last_batch_iteration = -1``, which already sets the lr, and is
  stepped after every update: update ``k`` runs at the schedule's value at iteration
  ``k - 1``. For WarmupLR, WarmupDecayLR and WarmupCosineLR iteration 0 gives the same value
  as iteration -1, so the first two updates share it. A torch scheduler named in ``type`` is
  built on the optimizer and stepped once per update (the torch dialect computes it).

Each schedule below is DeepSpeed's arithmetic, operation for operation, in Python floats.
Imports the torch dialect, numpy and this package only.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import UsageError
from .base import Inputs, Reading, ceil_div, flat, need

TRAINER = "DeepSpeed (0.19)"
F = "deepspeed"
TYPES = ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest")
BATCH_KEYS = ("train_batch_size", "train_micro_batch_size_per_gpu",
              "gradient_accumulation_steps")


_AUTO = ("'auto' is filled in by the HF Trainer's DeepSpeed integration; DeepSpeed alone "
         "refuses it: give a number (or read the TrainingArguments with config)")


def parse(text: str, file_name: str) -> dict[str, Any]:
    """The config as DeepSpeed reads a config path: with hjson (comments and trailing commas
    allowed; a float with a whole value such as 4.0 becomes the int 4)."""
    import hjson

    try:
        doc = hjson.loads(text)
    except hjson.HjsonDecodeError as e:
        raise UsageError(f"'{file_name}' is not valid (h)json: {e.msg} at line {e.lineno}, "
                         f"column {e.colno}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"'{file_name}' holds no mapping of settings")
    return _plain(doc)


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def detect(doc: dict[str, Any]) -> bool:
    return any(k in doc for k in ("train_batch_size", "train_micro_batch_size_per_gpu",
                                  "zero_optimization")) or (
        isinstance(doc.get("scheduler"), dict) and "type" in doc["scheduler"]
        and "params" in doc["scheduler"])


def _batches(doc: dict[str, Any], w: int) -> tuple[int, int, int, str]:
    """(train_batch_size, micro, accumulation, how they were found), as DeepSpeed's
    ``_set_batch_related_parameters`` derives the missing ones."""
    def get(key: str) -> int | None:
        v = doc.get(key)
        if v is None:
            return None
        if v == "auto":
            raise UsageError(f"deepspeed: {key} {_AUTO}")
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise UsageError(f"deepspeed: {key} {v!r} is not allowed: a whole number >= 1")
        return v

    tbs, micro, ga = (get(k) for k in BATCH_KEYS)
    if tbs is not None and micro is not None and ga is not None:
        if tbs != micro * ga * w:
            raise UsageError(f"deepspeed: train_batch_size {tbs} is not "
                             f"train_micro_batch_size_per_gpu {micro} x "
                             f"gradient_accumulation_steps {ga} x --world-size {w} "
                             "(DeepSpeed refuses it)")
        how = "as given"
    elif tbs is not None and micro is not None:
        ga, how = tbs // micro // w, "gradient_accumulation_steps = train_batch_size / " \
            "(micro x world)"
        if ga * micro * w != tbs:
            raise UsageError(f"deepspeed: train_batch_size {tbs} is not a multiple of "
                             f"train_micro_batch_size_per_gpu {micro} x --world-size {w}")
    elif tbs is not None and ga is not None:
        micro, how = tbs // ga // w, "micro batch = train_batch_size / (accumulation x world)"
        if micro * ga * w != tbs or micro < 1:
            raise UsageError(f"deepspeed: train_batch_size {tbs} is not a multiple of "
                             f"gradient_accumulation_steps {ga} x --world-size {w}")
    elif tbs is not None:
        ga, micro, how = 1, tbs // w, "micro batch = train_batch_size / world"
        if micro * w != tbs:
            raise UsageError(f"deepspeed: train_batch_size {tbs} is not a multiple of "
                             f"--world-size {w}")
    elif micro is not None:
        ga = ga or 1
        tbs, how = micro * ga * w, "train_batch_size = micro x accumulation x world"
    else:
        raise UsageError("deepspeed: the config sets neither train_batch_size nor "
                         "train_micro_batch_size_per_gpu (DeepSpeed needs one): add it, or "
                         "--set train_micro_batch_size_per_gpu=B")
    return tbs, micro, ga, how


def build(doc: dict[str, Any], inputs: Inputs) -> Reading:
    """The lr of every update DeepSpeed's engine makes, over ``--epochs`` of the user's loop."""
    w = inputs.world_size
    tbs, micro, ga, how = _batches(doc, w)
    n = need(inputs.dataset_size, "how many training samples there are", "--dataset-size N", F)
    epochs = need(inputs.epochs, "how many epochs the training loop runs (the loop is "
                                 "yours, not DeepSpeed's)", "--epochs E", F)
    if epochs != int(epochs):
        raise UsageError(f"deepspeed: --epochs {epochs:g}: the loop runs whole epochs")
    epochs = int(epochs)
    drop_last = bool(doc.get("dataloader_drop_last", False))
    per_epoch = n // (micro * w) if drop_last else ceil_div(n, micro * w)
    micro_steps = epochs * per_epoch
    updates = micro_steps // ga
    facts = [("batch", f"train_batch_size {tbs} = micro {micro} x accumulation {ga} x world "
                       f"{w} ({how})"),
             ("micro-batches per epoch", f"{per_epoch} = {'floor' if drop_last else 'ceil'}"
                                         f"({n} / {micro * w})"),
             ("total updates", f"{updates} = floor({epochs} epochs x {per_epoch} / {ga})")]
    surprises = []
    if ga > 1 and per_epoch % ga:
        surprises.append(f"accumulation windows carry over epoch ends ({per_epoch} "
                         f"micro-batches an epoch, windows of {ga})")
    if micro_steps % ga:
        surprises.append(f"the last {micro_steps % ga} micro-batches never make an update")
    if updates < 1:
        raise UsageError(f"deepspeed: {micro_steps} micro-batches make no update of {ga}")

    opt = doc.get("optimizer") if isinstance(doc.get("optimizer"), dict) else {}
    opt_lr = (opt.get("params") or {}).get("lr") if isinstance(opt.get("params"), dict) \
        else None
    sched = doc.get("scheduler")
    if sched is None:
        lr = need(opt_lr, "the optimizer's lr", "--set optimizer.params.lr=LR", F)
        facts.append(("scheduler", "none: the optimizer's lr throughout"))
        return Reading(F, TRAINER, {"0": flat([float(lr)] * updates)}, facts, surprises)
    if not isinstance(sched, dict) or not isinstance(sched.get("type"), str):
        raise UsageError("deepspeed: scheduler must be a mapping with a type (one of: "
                         + ", ".join(TYPES) + ", or a torch.optim.lr_scheduler name)")
    kind = sched["type"]
    params = sched.get("params") or {}
    if not isinstance(params, dict):
        raise UsageError("deepspeed: scheduler.params must be a mapping")
    facts.append(("scheduler steps", "after every update (DeepSpeed's engine.step)"))
    if kind not in TYPES:
        return _torch(kind, params, opt_lr, updates, facts, surprises)
    at = _SCHEDULES[kind](params, opt_lr, facts, surprises)
    total = params.get("total_num_steps")
    if kind in ("WarmupDecayLR", "WarmupCosineLR") and isinstance(total, int):
        if total > updates:
            surprises.append(f"total_num_steps is {total} but the run makes {updates} updates: "
                             "the decay never reaches its end")
        elif total < updates:
            surprises.append(f"total_num_steps is {total} but the run makes {updates} updates: "
                             f"the last {updates - total} run at the schedule's floor")
    # built at iteration -1 (which sets the lr), then stepped after every update
    values = [at(i) for i in range(-1, updates - 1)]
    return Reading(F, TRAINER, {"0": flat(values)}, facts, surprises)


def _torch(kind: str, params: dict[str, Any], opt_lr: Any, updates: int,
           facts: list[tuple[str, str]], surprises: list[str]) -> Reading:
    from ..dialects import compute, get

    if kind not in get("torch").functions:
        raise UsageError(f"deepspeed: scheduler type {kind!r} is neither DeepSpeed's ("
                         + ", ".join(TYPES) + ") nor a torch scheduler lrsched knows")
    lr = need(opt_lr, "the optimizer's lr (a torch scheduler multiplies it)",
              "--set optimizer.params.lr=LR", F)
    args = ", ".join(f"{k}={v!r}" for k, v in params.items())
    facts.append(("torch scheduler", f"{kind}({args}), stepped once per update"))
    c = compute("torch", f"{kind}({args})", updates, float(lr))
    return Reading(F, TRAINER, {"0": c.source(0, updates)}, facts, surprises)


def _num(params: dict[str, Any], key: str, default: Any, *, integer: bool = False) -> Any:
    v = params.get(key, default)
    if v is None:
        return None
    if v == "auto":
        raise UsageError(f"deepspeed: scheduler.params.{key} {_AUTO}")
    bad = isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or (
        integer and not isinstance(v, int))
    if bad:
        what = "a whole number" if integer else "a finite number"
        raise UsageError(f"deepspeed: scheduler.params.{key} {v!r} is not allowed: {what}")
    return v


def _warmup_steps(params: dict[str, Any], facts: list[tuple[str, str]],
                  surprises: list[str]) -> tuple[int, str]:
    given = _num(params, "warmup_num_steps", 1000, integer=True)
    if given <= 0:
        raise UsageError(f"deepspeed: warmup_num_steps {given} is not allowed: a whole "
                         "number >= 1 (DeepSpeed raises ValueError)")
    steps = max(2, given)
    kind = params.get("warmup_type", "log")
    if kind not in ("log", "linear"):
        surprises.append(f"warmup_type {kind!r} is unknown to DeepSpeed, which uses 'log'")
        kind = "log"
    facts.append(("warmup", f"{steps} iterations, {kind}"
                  + (f" (warmup_num_steps {given} is raised to 2)" if given < 2 else "")))
    if "warmup_type" not in params:
        surprises.append(f"the warmup is log (DeepSpeed's default): ln(i + 1) / ln({steps}), "
                         "steep at first, not linear")
    return steps, kind


def _gamma(i: int, steps: int, kind: str) -> float:
    if kind == "log":
        return 1.0 / math.log(steps) * math.log(i + 1)
    return i / steps


def _warmup_lr(params: dict[str, Any], opt_lr: Any, facts: list[tuple[str, str]],
               surprises: list[str]) -> Any:
    lo = _num(params, "warmup_min_lr", 0.0)
    hi = _num(params, "warmup_max_lr", None)
    if hi is None:
        hi = need(opt_lr, "warmup_max_lr or the optimizer's lr", "--set "
                  "scheduler.params.warmup_max_lr=LR", F)
    steps, kind = _warmup_steps(params, facts, surprises)
    surprises.insert(0, f"the first two updates both use {lo:g}: DeepSpeed's WarmupLR sets "
                        "the lr when it is built and again at its first step")

    def at(i: int) -> float:
        if i < 0:
            return lo
        g = _gamma(i, steps, kind) if i < steps else 1.0
        return lo + (hi - lo) * g
    return at


def _warmup_decay_lr(params: dict[str, Any], opt_lr: Any, facts: list[tuple[str, str]],
                     surprises: list[str]) -> Any:
    total = _total(params, "WarmupDecayLR")
    lo = _num(params, "warmup_min_lr", 0.0)
    hi = _num(params, "warmup_max_lr", 0.001)
    if "warmup_max_lr" not in params:
        surprises.append("WarmupDecayLR's warmup_max_lr defaults to 0.001, not the "
                         "optimizer's lr")
    steps, kind = _warmup_steps(params, facts, surprises)
    surprises.insert(0, f"the first two updates both use {lo:g}: DeepSpeed's WarmupDecayLR "
                        "sets the lr when it is built and again at its first step")

    def at(i: int) -> float:
        if i < 0:
            return lo
        if i < steps:
            g = _gamma(i, steps, kind)
        else:
            g = max(0.0, float(total - i) / float(max(1.0, total - steps)))
        return lo + (hi - lo) * g
    return at


def _warmup_cosine_lr(params: dict[str, Any], opt_lr: Any, facts: list[tuple[str, str]],
                      surprises: list[str]) -> Any:
    total = _total(params, "WarmupCosineLR")
    lr = need(opt_lr, "the optimizer's lr (WarmupCosineLR's ratios multiply it)",
              "--set optimizer.params.lr=LR", F)
    wmin = _num(params, "warmup_min_ratio", 0.0)
    cmin = _num(params, "cos_min_ratio", 0.0001)
    steps, kind = _warmup_steps(params, facts, surprises)
    surprises.insert(0, "the first update runs at 0.0, not at warmup_min_ratio x lr: "
                        "WarmupCosineLR's value before its first step")

    def ratio(i: int) -> float:
        if i < steps:
            r = _gamma(i, steps, kind)
            return wmin + r * (1.0 - wmin)
        progress = min(1.0, (i - steps + 1) / max(1, total - steps))
        r = (1 + math.cos(math.pi * progress)) / 2
        return max(0.0, cmin + (1.0 - cmin) * r)

    return lambda i: 0.0 if i < 0 else lr * ratio(i)


def _one_cycle(params: dict[str, Any], opt_lr: Any, facts: list[tuple[str, str]],
               surprises: list[str]) -> Any:
    for key in ("cycle_min_lr", "cycle_max_lr"):
        if key not in params:
            raise UsageError(f"deepspeed: OneCycle needs scheduler.params.{key} (DeepSpeed "
                             "raises TypeError without it)")
    lo, hi = _num(params, "cycle_min_lr", None), _num(params, "cycle_max_lr", None)
    rate = _num(params, "decay_lr_rate", 0.0)
    first = float(_num(params, "cycle_first_step_size", 2000))
    second_given = _num(params, "cycle_second_step_size", None)
    second = float(second_given) if second_given is not None else first
    if first <= 0 or second < 0:
        raise UsageError("deepspeed: OneCycle's cycle_first_step_size must be > 0 and "
                         "cycle_second_step_size >= 0 (DeepSpeed raises ValueError)")
    stairs1 = _num(params, "cycle_first_stair_count", 0, integer=True)
    stairs2_given = _num(params, "cycle_second_stair_count", None, integer=True)
    stairs2 = stairs1 if stairs2_given is None else stairs2_given
    decay_size = _num(params, "decay_step_size", 0)
    total = first + second
    ratio = first / total
    skip_decay = math.isclose(decay_size, 0) or math.isclose(rate, 0)
    facts.append(("cycle", f"{first:g} iterations up, {second:g} down, then "
                  + ("held at cycle_min_lr" if skip_decay else
                     f"decay by decay_lr_rate {rate:g} every {decay_size:g}")))

    def scale(i: int) -> float:
        b = i + 1
        cycle = math.floor(1 + b / total)
        x = 1. + b / total - cycle
        if x <= ratio:
            s, stairs = x / ratio, stairs1
        else:
            s, stairs = (x - 1) / (ratio - 1), stairs2
        if stairs > 0:
            c = b % total
            pos = c * stairs / first if c <= first else (total - c) * stairs / second
            s = math.floor(pos) / stairs
        return s

    def at(i: int) -> float:
        if i < 0:
            return lo
        if i < total:
            return lo + (hi - lo) * scale(i)
        if skip_decay:
            return lo
        return lo / (1 + rate * ((i - total + 1) / decay_size))
    return at


def _lr_range_test(params: dict[str, Any], opt_lr: Any, facts: list[tuple[str, str]],
                   surprises: list[str]) -> Any:
    lo = _num(params, "lr_range_test_min_lr", 1e-3)
    size = _num(params, "lr_range_test_step_size", 2000, integer=True)
    if size <= 0:
        raise UsageError(f"deepspeed: lr_range_test_step_size {size} must be a positive "
                         "whole number (DeepSpeed raises ValueError)")
    rate = _num(params, "lr_range_test_step_rate", 1.0)
    stair = bool(params.get("lr_range_test_staircase", False))
    facts.append(("range test", f"from {lo:g}, x(1 + {rate:g} x k / {size})"
                  + (" in stairs" if stair else "")))

    def at(i: int) -> float:
        if i < 0:
            return lo
        k = math.floor(float(i + 1) / size) if stair else float(i + 1) / size
        return lo * (1 + rate * k)
    return at


def _total(params: dict[str, Any], kind: str) -> int:
    if "total_num_steps" not in params:
        raise UsageError(f"deepspeed: {kind} needs scheduler.params.total_num_steps (DeepSpeed "
                         "raises TypeError without it)")
    return _num(params, "total_num_steps", None, integer=True)


_SCHEDULES = {"WarmupLR": _warmup_lr, "WarmupDecayLR": _warmup_decay_lr,
              "WarmupCosineLR": _warmup_cosine_lr, "OneCycle": _one_cycle,
              "LRRangeTest": _lr_range_test}
