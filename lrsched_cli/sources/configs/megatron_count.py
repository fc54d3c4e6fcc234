"""Megatron's checks and counts between the flags and the scheduler: ``validate_args``'
iteration-/sample-based asserts (arguments.py, core_v0.16.1 lines 756-784), the microbatch
calculators (megatron-core ``num_microbatches_calculator.py``), the scheduler's arguments
(training.py ``get_optimizer_param_scheduler``, 1354-1407) with ``OptimizerParamScheduler``'s
asserts, and the lines that say what a run will do. Imports the standard library, errors and
this package only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import UsageError
from .megatron_lr import STYLES, WSD_STYLES, Args, Plan, Scheduler

F = "megatron"


def _no(what: str) -> UsageError:
    return UsageError(f"{F}: {what}")


def validate(a: Args) -> tuple[int | None, int | None]:
    """(train_iters, train_samples) after arguments.py's asserts."""
    iters, samples = a.int("train_iters", None), a.int("train_samples", None)
    frac = a.float("lr_warmup_fraction", None)
    warm_iters, warm_samples = a.int("lr_warmup_iters", 0), a.int("lr_warmup_samples", 0)
    if iters:
        if samples is not None:
            raise _no("--train-samples with --train-iters: give one (arguments.py asserts "
                      "'expected iteration-based training')")
        if a.int("lr_decay_samples", None) is not None:
            raise _no("--lr-decay-samples with --train-iters: use --lr-decay-iters "
                      "(arguments.py asserts 'expected iteration-based learning rate decay')")
        if warm_samples != 0:
            raise _no("--lr-warmup-samples with --train-iters: use --lr-warmup-iters "
                      "(arguments.py asserts 'expected iteration-based learning rate warmup')")
        if a.d.get("rampup_batch_size") is not None:
            raise _no("--rampup-batch-size with --train-iters: a ramp-up needs --train-samples "
                      "(arguments.py asserts)")
        if frac is not None and warm_iters != 0:
            raise _no("--lr-warmup-fraction and --lr-warmup-iters: give one (arguments.py "
                      "asserts 'can only specify one of lr-warmup-fraction and "
                      "lr-warmup-iters')")
    if samples:
        if iters is not None:
            raise _no("--train-iters with --train-samples: give one (arguments.py asserts "
                      "'expected sample-based training')")
        if a.int("lr_decay_iters", None) is not None:
            raise _no("--lr-decay-iters with --train-samples: use --lr-decay-samples "
                      "(arguments.py asserts 'expected sample-based learning rate decay')")
        if warm_iters != 0:
            raise _no("--lr-warmup-iters with --train-samples: use --lr-warmup-samples "
                      "(arguments.py asserts 'expected sample-based learnig rate warmup')")
        if frac is not None and warm_samples != 0:
            raise _no("--lr-warmup-fraction and --lr-warmup-samples: give one (arguments.py "
                      "asserts)")
    if not iters and not samples:
        raise _no("give --train-iters or --train-samples (Megatron raises 'either "
                  "train-iters or train-samples should be provided')")
    if a.flag("skip_train"):
        raise _no("--skip-train: the run makes no update")
    return iters, samples


Current = Callable[[int, bool], tuple[int, int]]


def batches(a: Args, ramp: list[int] | None, gbs: int, micro: int, dp: int) -> Current:
    """``current(consumed_samples, check) -> (global batch, running global batch)``: the
    microbatch calculator's ``update`` (the running batch is what an iteration trains on)."""
    m = micro * dp
    shrink = a.flag("decrease_batch_size_if_needed")

    def running(batch: int, check: bool) -> int:
        if batch % m == 0:
            return batch
        if shrink:
            return (batch // m) * m
        if check:
            raise _no(f"global batch size ({batch}) is not divisible by --micro-batch-size "
                      f"({micro}) times data parallel size ({dp}) (megatron-core asserts; "
                      "--decrease-batch-size-if-needed rounds it down)")
        return batch

    if ramp is None:
        run = running(gbs, True)
        if run // m < 1:
            raise _no(f"global batch {gbs} holds no microbatch of {micro} x data parallel {dp}")
        return lambda consumed, check: (gbs, run)
    if len(ramp) != 3:
        raise _no("--rampup-batch-size expects <start batch size> <batch size increment> "
                  "<ramp-up samples>")
    start, inc, samples = ramp
    if start <= 0 or inc <= 0 or samples < 0:
        raise _no(f"--rampup-batch-size {start} {inc} {samples}: the start and the increment "
                  "must be positive, the samples non-negative (megatron-core asserts)")
    diff = gbs - start
    if diff < 0 or diff % inc:
        raise _no(f"--rampup-batch-size: --global-batch-size {gbs} minus the start {start} "
                  f"must be a non-negative multiple of the increment {inc} (megatron-core "
                  "asserts)")
    if diff == 0 or samples == 0:
        raise _no("--rampup-batch-size: nothing to ramp (the start is the global batch, or "
                  "no ramp-up samples): megatron-core divides by zero")
    per = samples / (diff // inc)

    def current(consumed: int, check: bool) -> tuple[int, int]:
        batch = gbs if consumed > samples else start + int(consumed / per) * inc
        return batch, (running(batch, check) // m) * m

    return current


def checked_scheduler(a: Args, iters: int | None, samples: int | None, train_iters: int,
                      gbs: int, facts: list[tuple[str, str]]) -> Scheduler:
    """``get_optimizer_param_scheduler``'s arguments, with the scheduler's asserts."""
    style = a.choice("lr_decay_style", "linear", STYLES)
    wsd_style = a.choice("lr_wsd_decay_style", "exponential", WSD_STYLES)
    frac = a.float("lr_warmup_fraction", None)
    wsd: int | None
    warm: Any
    if iters:
        decay_iters = a.int("lr_decay_iters", None)
        if decay_iters is None:
            decay_iters = train_iters
        decay, unit = decay_iters * gbs, "--lr-decay-iters"
        how = f"{decay_iters} iterations x global batch {gbs}"
        wsd_iters = a.int("lr_wsd_decay_iters", None)
        wsd = None if wsd_iters is None else wsd_iters * gbs
        wsd_how = f"--lr-wsd-decay-iters {wsd_iters} x {gbs}"
        if frac is not None:
            warm, warm_how = frac * decay, f"--lr-warmup-fraction {frac:g} x {decay}"
        else:
            w = a.int("lr_warmup_iters", 0)
            warm, warm_how = w * gbs, f"--lr-warmup-iters {w} x {gbs}"
        wsd_flag = "--lr-wsd-decay-iters"
    else:
        decay = a.int("lr_decay_samples", None)
        if decay is None:
            decay = samples or 0
        unit, how = "--lr-decay-samples", "samples"
        wsd = a.int("lr_wsd_decay_samples", None)
        wsd_how, wsd_flag = "--lr-wsd-decay-samples", "--lr-wsd-decay-samples"
        if frac is not None:
            warm, warm_how = frac * decay, f"--lr-warmup-fraction {frac:g} x {decay}"
        else:
            warm = a.int("lr_warmup_samples", 0)
            warm_how = "--lr-warmup-samples"
    max_lr = a.float("lr", None)
    if max_lr is None:
        raise _no("the flags do not set --lr (the scheduler's max_lr): give --set lr=LR")
    min_lr = a.float("min_lr", 0.0)
    init = a.float("lr_warmup_init", 0.0)
    if min_lr < 0 or max_lr < min_lr:
        raise _no(f"--min-lr {min_lr:g} must be >= 0 and <= --lr {max_lr:g} (megatron-core "
                  "asserts)")
    if init > max_lr:
        raise _no(f"--lr-warmup-init {init:g} is above --lr {max_lr:g} (megatron-core asserts)")
    if decay <= 0:
        raise _no(f"the decay spans {decay} samples ({unit}): it must be > 0 (megatron-core "
                  "asserts)")
    if not warm < decay:
        raise _no(f"the warmup ({warm:g} samples) is not shorter than the decay ({decay} "
                  "samples): lower --lr-warmup-iters/--lr-warmup-samples/--lr-warmup-fraction "
                  "or raise the decay (megatron-core asserts lr_warmup_steps < lr_decay_steps)")
    if style == "WSD" and wsd is None:
        raise _no(f"--lr-decay-style WSD needs {wsd_flag} (megatron-core asserts "
                  "wsd_decay_steps is set)")
    facts.append(("decay", f"{style} over {decay} samples"
                  + (f" = {how}" if iters else "")
                  + ("" if style in ("constant", "inverse-square-root")
                     else f", from --lr {max_lr:g} to --min-lr {min_lr:g}")))
    if style == "WSD":
        facts.append(("WSD anneal", f"{wsd_style} over the last {wsd} samples ({wsd_how}) of "
                                    "the decay"))
    if warm:
        ramp = a.d.get("rampup_batch_size") is not None
        facts.append(("warmup", f"{warm:g} samples ({warm_how})"
                      + ("" if ramp else f" = {warm / gbs:g} updates of {gbs}")
                      + f", from --lr-warmup-init {init:g}"))
    else:
        facts.append(("warmup", "none: the first update runs at --lr"))
    return Scheduler(init, float(max_lr), min_lr, warm, decay, style, wsd, wsd_style)


def describe(a: Args, s: Scheduler, p: Plan, facts: list[tuple[str, str]],
             surprises: list[str]) -> None:
    """The counting facts and the surprises of a planned run."""
    made = [x for x in p.increments if x is not None]
    before = [0]
    for x in made:
        before.append(before[-1] + x)
    before.pop()
    facts.append(("scheduler steps", "after every update, by the samples it trained on "
                                     "(increment = global batch): it counts samples"))
    skipped = len(p.increments) - len(made)
    if skipped:
        surprises.append(f"--iterations-to-skip: {skipped} iteration(s) consume their batch "
                         "without an update or a scheduler step")
    if p.ramp is not None:
        runs: list[list[int]] = []
        for x in made:
            if runs and runs[-1][0] == x:
                runs[-1][1] += 1
            else:
                runs.append([x, 1])
        surprises.append("the batch ramps up: the scheduler moves by "
                         + ", ".join(f"{b} (x{k})" for b, k in runs[:6])
                         + (" ..." if len(runs) > 6 else "") + " samples an update")
    elif made and made[0] != p.global_batch:
        surprises.append(f"--decrease-batch-size-if-needed: each update trains on {made[0]} "
                         f"samples, not the global batch {p.global_batch}")
    if s.warmup > 0 and made:
        surprises.insert(0, f"the first update runs at --lr-warmup-init {s.init_lr:g}: the "
                            "warmup starts there")
        k = next((i for i, n in enumerate(before) if n >= s.warmup), None)
        if k is not None and before[k] != s.warmup:
            surprises.append(f"the warmup ends between updates {k - 1} and {k} ({s.warmup:g} "
                             f"samples): no update runs at the peak --lr {s.max_lr:g}")
        elif k is not None:
            facts.append(("peak", f"first used at update {k}"))
    if s.style not in ("constant", "inverse-square-root") and made:
        k = next((i for i, n in enumerate(before) if n >= s.decay), None)
        if k is not None:
            surprises.append(f"the decay ends at update {k} ({s.decay} samples): the last "
                             f"{len(made) - k} update(s) run at --min-lr {s.min_lr:g}")
        elif before[-1] < s.decay:
            surprises.append(f"training stops {s.decay - before[-1]} samples before the "
                             f"decay's end: the last update runs above --min-lr {s.min_lr:g}")
    if s.style == "constant":
        facts.append(("constant", "after the warmup --lr throughout; --min-lr and the decay "
                                  "length are not used"))
    if s.style == "inverse-square-root":
        facts.append(("inverse-square-root", "--lr x sqrt(warmup samples / samples), floored "
                                             "at --min-lr; the decay length is not used"))
    if a.d.get("decoupled_lr") is not None:
        facts.append(("param groups", "--decoupled-lr: Megatron's groups are the weights, "
                                      "the embedding and output layer (their own max_lr/"
                                      "min_lr) and the biases and 1-D parameters (no weight "
                                      "decay)"))
    if a.flag("fp16"):
        surprises.append("--fp16: an update skipped on a gradient overflow steps no "
                         "scheduler (lrsched assumes none overflows)")
    if a.d.get("load") is not None:
        surprises.append("--load: a checkpoint there resumes its iteration and the "
                         "scheduler's state (lrsched counts from the start)")
