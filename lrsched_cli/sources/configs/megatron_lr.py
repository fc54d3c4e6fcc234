"""Megatron's flags, batch counting and ``OptimizerParamScheduler.get_lr`` (megatron-core
0.16, ``optimizer_param_scheduler.py``), in Megatron's own float arithmetic.

:func:`read_argv` reads the flags as Megatron-LM's argparse does (``allow_abbrev=False``:
only the dashed spellings; the last of a repeated flag wins; ``int``/``float`` conversions
that refuse ``3e2`` for an integer). :class:`Args` converts them, :func:`plan` applies
``validate_args``, the microbatch calculator, ``update_train_iters`` and
``get_optimizer_param_scheduler``, and :class:`Scheduler` is ``get_lr``. Imports the standard
library, errors and this package only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ...errors import UsageError
from .megatron_shell import UNRESOLVED

F = "megatron"
STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
WSD_STYLES = ("exponential", "linear", "cosine", "minus_sqrt")
MAX_ITERS = 10 ** 7
# dest -> number of values (0: a switch; "+": one or more)
FLAGS: dict[str, Any] = {
    "lr": 1, "min_lr": 1, "decoupled_lr": 1, "decoupled_min_lr": 1, "lr_decay_style": 1,
    "lr_wsd_decay_style": 1, "lr_decay_iters": 1, "lr_decay_samples": 1,
    "lr_wsd_decay_iters": 1, "lr_wsd_decay_samples": 1, "lr_warmup_fraction": 1,
    "lr_warmup_iters": 1, "lr_warmup_samples": 1, "lr_warmup_init": 1,
    "micro_batch_size": 1, "global_batch_size": 1, "rampup_batch_size": 3, "train_iters": 1,
    "train_samples": 1, "tensor_model_parallel_size": 1, "pipeline_model_parallel_size": 1,
    "context_parallel_size": 1, "exit_interval": 1, "iterations_to_skip": "+",
    "decrease_batch_size_if_needed": 0, "fp16": 0, "bf16": 0, "skip_train": 0,
    "load": 1, "batch_size": 1, "warmup": 1,
}
_DEPRECATED = {"batch_size": "--batch-size is no longer valid, use --micro-batch-size",
               "warmup": "--warmup is no longer valid, use --lr-warmup-fraction"}


def _is_value(word: str) -> bool:
    if not word.startswith("-"):
        return True
    try:
        float(word)
    except ValueError:
        return False
    return True


def read_argv(argv: list[str]) -> dict[str, Any]:
    """``{dest: text}`` (a list for several values, True for a switch) of every ``--flag``."""
    out: dict[str, Any] = {}
    i = 0
    while i < len(argv):
        w = argv[i]
        i += 1
        if not w.startswith("--") or w == "--":
            continue
        name, eq, value = w[2:].partition("=")
        dest = name.replace("-", "_")
        if "_" in name and dest in FLAGS:
            raise UsageError(f"{F}: --{name}: Megatron spells it --{name.replace('_', '-')} "
                             "(its argparse refuses the underscores)")
        if dest in _DEPRECATED:
            raise UsageError(f"{F}: {_DEPRECATED[dest]} (arguments.py asserts)")
        n = FLAGS.get(dest, "*")
        if n == 0:
            out[dest] = True
            continue
        values = [value] if eq else []
        while not eq and i < len(argv) and _is_value(argv[i]) and (
                n in ("*", "+") or len(values) < n):
            values.append(argv[i])
            i += 1
        if isinstance(n, int) and len(values) != n or n == "+" and not values:
            raise UsageError(f"{F}: --{name} expects {n if n != '+' else 'one or more'} "
                             f"value(s), got {len(values)} (argparse refuses it)")
        out[dest] = values[0] if n == 1 else values
    return out


class Args:
    """The flags (dest names; ``--set`` keys may use dashes) converted as argparse types
    convert them; every refusal names the flag."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.d = {k.replace("-", "_"): v for k, v in doc.items() if not k.startswith("__")}

    def _get(self, dest: str) -> Any:
        v = self.d.get(dest)
        if isinstance(v, str) and UNRESOLVED in v:
            raise UsageError(f"{F}: --{_flag(dest)} {v!r} is a shell value the script computes "
                             f"when it runs: give --set {_flag(dest)}=VALUE")
        return v

    def int(self, dest: str, default: Any) -> Any:
        v = self._get(dest)
        if v is None:
            return default
        if isinstance(v, str) and v.strip().lstrip("+-").isdigit():
            return int(v)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v == int(v):
            return int(v)
        raise UsageError(f"{F}: --{_flag(dest)} {v!r} is not an integer (Megatron's argparse "
                         "refuses it)")

    def float(self, dest: str, default: Any) -> Any:
        v = self._get(dest)
        if v is None:
            return default
        try:
            x = float(v) if not isinstance(v, bool) else None
        except (TypeError, ValueError):
            x = None
        if x is None or not math.isfinite(x):
            raise UsageError(f"{F}: --{_flag(dest)} {v!r} is not a number")
        return x

    def choice(self, dest: str, default: str, choices: tuple[str, ...]) -> str:
        v = self._get(dest)
        if v is None:
            return default
        if v not in choices:
            raise UsageError(f"{F}: --{_flag(dest)} {v!r} is not one of: " + ", ".join(choices))
        return str(v)

    def flag(self, dest: str) -> bool:
        return bool(self.d.get(dest))

    def ints(self, dest: str) -> list[int] | None:
        v = self._get(dest)
        if v is None:
            return None
        items = v if isinstance(v, (list, tuple)) else str(v).split()
        return [_int_item(x, dest) for x in items]


def _int_item(x: Any, dest: str) -> int:
    if isinstance(x, int) and not isinstance(x, bool):
        return x
    if isinstance(x, str) and x.strip().lstrip("+-").isdigit():
        return int(x)
    raise UsageError(f"{F}: --{_flag(dest)} value {x!r} is not an integer")


def _flag(dest: str) -> str:
    return dest.replace("_", "-")


@dataclass
class Scheduler:
    """``OptimizerParamScheduler``: ``lr(num_steps, max_lr, min_lr)`` is ``get_lr`` of a
    group with those ``max_lr``/``min_lr``."""

    init_lr: float
    max_lr: float
    min_lr: float
    warmup: Any
    decay: int
    style: str
    wsd: int | None
    wsd_style: str

    def lr(self, n: int, max_lr: float, min_lr: float) -> float:
        if self.warmup > 0 and n <= self.warmup:
            return self.init_lr + ((max_lr - self.init_lr) * float(n) / float(self.warmup))
        if self.style == "constant":
            return max_lr
        if n > self.decay:
            return min_lr
        if self.style == "inverse-square-root":
            warmup = max(self.warmup, 1)
            num = max(n, 1)
            return max(min_lr, max_lr * warmup ** 0.5 / (num ** 0.5))
        ratio = float(n - self.warmup) / float(self.decay - self.warmup)
        delta = max_lr - min_lr
        if self.style == "linear":
            coeff = 1.0 - ratio
        elif self.style == "cosine":
            coeff = 0.5 * (math.cos(math.pi * ratio) + 1.0)
        else:
            start = self.decay - (self.wsd or 0)
            if n <= start:
                coeff = 1.0
            else:
                r = float(n - start) / float(self.wsd or 1)
                if self.wsd_style == "linear":
                    coeff = 1.0 - r
                elif self.wsd_style == "cosine":
                    coeff = 0.5 * (math.cos(math.pi * r) + 1.0)
                elif self.wsd_style == "exponential":
                    coeff = (2.0 * math.pow(0.5, r)) - 1.0
                else:
                    coeff = 1.0 - math.sqrt(r)
        return min_lr + coeff * delta


@dataclass
class Plan:
    """How many samples each iteration's update moves the scheduler (None: a skipped
    iteration), the scheduler, and how the numbers were found."""

    increments: list[int | None]
    scheduler: Scheduler
    sample_based: bool
    global_batch: int
    ramp: list[int] | None
    notes: dict[str, str] = field(default_factory=dict)


def plan(a: Args, gbs: int, micro: int, dp: int, facts: list[tuple[str, str]],
         surprises: list[str]) -> Plan:
    from .megatron_count import batches, checked_scheduler, validate

    iters, samples = validate(a)
    ramp = a.ints("rampup_batch_size")
    current = batches(a, ramp, gbs, micro, dp)
    if iters:
        train_iters, sample_based = iters, False
        facts.append(("total updates", f"{iters} (--train-iters)"))
    else:
        sample_based = True
        if ramp is None:
            train_iters = samples // gbs
            facts.append(("total updates", f"{train_iters} = --train-samples {samples} // "
                                           f"global batch {gbs}"))
            if samples % gbs:
                surprises.append(f"--train-samples {samples} is not a multiple of the global "
                                 f"batch {gbs}: the last {samples % gbs} samples are never "
                                 "trained on")
        else:
            consumed, train_iters = 0, 0
            while consumed <= ramp[2] and consumed <= samples:
                consumed += current(consumed, False)[0]
                train_iters += 1
            walked = train_iters
            if samples > consumed:
                train_iters += (samples - consumed) // gbs
            facts.append(("total updates", f"{train_iters} = {walked} ramp-up iterations "
                                           f"({consumed} samples) + ({samples} - {consumed}) "
                                           f"// {gbs}"))
    scheduler = checked_scheduler(a, iters, samples, train_iters, gbs, facts)
    last = train_iters
    stop = a.int("exit_interval", None)
    if stop and stop < train_iters:
        last = stop
        surprises.append(f"--exit-interval {stop} ends the run after {stop} of its "
                         f"{train_iters} iterations")
    if last > MAX_ITERS:
        raise UsageError(f"{F}: {last} iterations is more than lrsched counts ({MAX_ITERS})")
    skip = set(a.ints("iterations_to_skip") or [])
    increments: list[int | None] = []
    consumed = 0
    for it in range(last):
        batch = current(consumed, True)[1]
        increments.append(None if it in skip else batch)
        consumed += batch
    return Plan(increments, scheduler, sample_based, gbs, ramp)


def groups(a: Args, s: Scheduler) -> list[tuple[str, float, float]]:
    """Megatron's param groups as (name, max_lr, min_lr): one, or with ``--decoupled-lr``
    (get_standard_config_overrides) weights, embedding and output layer, no-weight-decay."""
    hi = a.float("decoupled_lr", None)
    if hi is None:
        return [("0", s.max_lr, s.min_lr)]
    lo = a.float("decoupled_min_lr", s.min_lr)
    roles = [("weights", s.max_lr, s.min_lr), ("embedding and output layer", hi, lo),
             ("biases and 1-D parameters (no weight decay)", s.max_lr, s.min_lr)]
    return [(f"{i}:{name} max_lr={x} min_lr={y}", x, y) for i, (name, x, y) in enumerate(roles)]


def describe(a: Args, s: Scheduler, p: Plan, facts: list[tuple[str, str]],
             surprises: list[str]) -> None:
    from .megatron_count import describe as more

    more(a, s, p, facts, surprises)
