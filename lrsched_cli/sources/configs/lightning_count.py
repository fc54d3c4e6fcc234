"""Lightning's counting: how many batches and updates an epoch, how many updates in all,
and when a scheduler steps (the rules, with their lines in Lightning 2.6, are in
:mod:`.lightning`'s docstring). The trainer's settings come as the ``Trainer`` keywords
(a LightningCLI ``trainer:`` mapping, or the Python file's ``Trainer(...)`` call with the
``--set trainer.KEY=VALUE`` overrides).

Imports numpy (inside functions), errors and this package only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from .base import ceil_div, need, number
from .pyfile import Code

F = "lightning"


@dataclass
class Run:
    """How many updates the trainer makes: ``batches`` and ``per_epoch`` updates each epoch,
    ``total`` in all (``epochs``: max_epochs, -1 none; ``max_steps``: -1 none)."""

    batches: int
    accum: int
    epochs: int
    max_steps: int
    per_epoch: int
    total: int
    estimated: float


def _setting(t: dict[str, Any], key: str, default: Any, **check: Any) -> Any:
    v = t.get(key)
    if isinstance(v, Code):
        raise UsageError(f"{F}: trainer {key} is '{v.text}' (line {v.line}), which lrsched "
                         f"does not run: give --set trainer.{key}=VALUE")
    return default if v is None else number({f"trainer.{key}": v}, f"trainer.{key}",
                                            default, F, **check)


def _limit(v: Any, key: str) -> float:
    """``_determine_batch_limits``: 0..1 as given (an int 0/1 is a count), a whole number
    above 1 as a count."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0:
        raise UsageError(f"{F}: trainer.{key} {v!r} is not allowed: in [0.0, 1.0] or an int")
    if v <= 1:
        return v
    if v % 1.0 == 0:
        return int(v)
    raise UsageError(f"{F}: trainer.{key} {v!r} is not allowed: Lightning raises "
                     "MisconfigurationException (it has to be in [0.0, 1.0] or an int)")


def count(t: dict[str, Any], n: int, batch: int, world: int, facts: list[tuple[str, str]],
          surprises: list[str], trainer_known: bool) -> Run:
    """The trainer's counting for ``n`` samples in batches of ``batch`` on ``world``."""
    accum = _setting(t, "accumulate_grad_batches", 1, integer=True, lo=1)
    max_steps = _setting(t, "max_steps", -1, integer=True, lo=-1)
    epochs = _setting(t, "max_epochs", None, integer=True, lo=-1)
    if not trainer_known and epochs is None and max_steps == -1 and not t.get("fast_dev_run"):
        need(None, "the trainer's max_epochs or max_steps (the file makes no Trainer)",
             "--set trainer.max_epochs=E", F)
    for key in ("limit_train_batches", "overfit_batches", "fast_dev_run", "max_time"):
        if isinstance(t.get(key), Code):
            _setting(t, key, None)
    limit = _limit(t["limit_train_batches"], "limit_train_batches") \
        if t.get("limit_train_batches") is not None else 1.0
    overfit = _limit(t.get("overfit_batches") or 0.0, "overfit_batches")
    dev = t.get("fast_dev_run") or 0
    if isinstance(dev, float) or not isinstance(dev, int) or dev < 0:
        raise UsageError(f"{F}: trainer.fast_dev_run {dev!r} is not allowed: a bool or an int "
                         ">= 0")
    if dev:
        limit = limit if overfit > 0 else int(dev)
        max_steps, epochs = int(dev), 1
        surprises.append(f"fast_dev_run: {int(dev)} batch(es), max_steps {int(dev)}, one epoch")
    if overfit > 0:
        limit = overfit
        surprises.append(f"overfit_batches {overfit!r} replaces limit_train_batches")
    if epochs is None:
        if max_steps == -1 and t.get("max_time") is not None:
            raise UsageError(f"{F}: trainer.max_time stops training by the clock, which "
                             "lrsched cannot know: set trainer.max_epochs or max_steps")
        epochs = 1000 if max_steps == -1 else -1
        if max_steps == -1:
            surprises.append("max_epochs is not set: Lightning trains 1000 epochs")
    if epochs == -1 and max_steps == -1:
        raise UsageError(f"{F}: trainer.max_epochs -1 and no max_steps: training never ends")
    if t.get("max_time") is not None:
        surprises.append("max_time may stop training sooner than counted here")

    per = batch * world
    full = ceil_div(n, per)
    facts.append(("batches per epoch", f"{full} = ceil({n} / {per})"))
    if isinstance(limit, int):
        batches = min(full, limit)
        if limit != full or limit == 1:
            facts.append(("limit_train_batches", f"{limit} (an int: a count) -> {batches}"))
        if limit == 1 and "limit_train_batches" in t:
            surprises.append("limit_train_batches 1 is an int: one batch an epoch, not 100%")
    else:
        batches = int(full * limit)
        if limit != 1.0:
            facts.append(("limit_train_batches", f"{limit!r} of {full} -> int({full * limit:g})"
                                                 f" = {batches}"))
        if batches == 0 and limit > 0:
            raise UsageError(f"{F}: trainer.limit_train_batches {limit!r} of {full} batches is "
                             f"int({full * limit:g}) = 0: Lightning raises "
                             f"MisconfigurationException (try at least {1.0 / full!r})")
        if full * limit != batches:
            surprises.append(f"limit_train_batches {limit!r} of {full} batches is "
                             f"int({full * limit:g}) = {batches}")
    if batches == 0:
        raise UsageError(f"{F}: trainer.limit_train_batches 0: the trainer makes no update")
    per_epoch = ceil_div(batches, accum)
    if accum > 1:
        facts.append(("updates per epoch", f"{per_epoch} = ceil({batches} / {accum} "
                                           "accumulated)"))
        if batches % accum:
            surprises.append(f"the last window of each epoch has {batches % accum} of {accum} "
                             "batches, and still makes an update")
    else:
        facts.append(("updates per epoch", str(per_epoch)))
    whole = math.inf if epochs == -1 else epochs * per_epoch
    total = int(whole if max_steps == -1 else min(whole, max_steps))
    if max_steps != -1 and max_steps < whole:
        facts.append(("total updates", f"{total} (max_steps; stops in epoch "
                                       f"{ceil_div(total, per_epoch)})"))
        if total % per_epoch:
            surprises.append(f"max_steps {max_steps} stops training mid-epoch, after "
                             f"{total % per_epoch} of epoch {total // per_epoch + 1}'s "
                             f"{per_epoch} updates")
    else:
        facts.append(("total updates", f"{total} = {epochs} epoch{'s' * (epochs != 1)} x "
                                       f"{per_epoch}"))
    if total < 1:
        raise UsageError(f"{F}: the trainer makes no update (max_epochs {epochs}, max_steps "
                         f"{max_steps})")
    from ...schedules.registry import MAX_STEPS

    if total > MAX_STEPS:
        raise UsageError(f"{F}: the trainer makes {total:,} updates; lrsched computes at most "
                         f"{MAX_STEPS:,}: lower trainer.max_epochs or max_steps")
    estimated = (math.inf if max_steps == -1 else max_steps) if epochs == -1 else \
        per_epoch * max(epochs, 1)
    if max_steps != -1:
        estimated = min(estimated, max_steps)
    return Run(batches, accum, epochs, max_steps, per_epoch, total, estimated)


def stepping(run: Run, interval: str, frequency: int) -> tuple[Any, int, str]:
    """(scheduler steps made before each update, steps made in all, how it steps)."""
    import numpy as np

    g = np.arange(run.total, dtype=np.int64)
    u = run.per_epoch
    if interval == "epoch":
        before = (g // u) // frequency
        done = (run.total // u) // frequency
        how = "at the end of every epoch" if frequency == 1 else \
            f"at the end of every epoch e with (e + 1) % {frequency} == 0"
        return before, done, how
    batch_after = np.minimum((np.arange(u) + 1) * run.accum, run.batches)
    hits = np.concatenate([[0], np.cumsum(batch_after % frequency == 0)])
    per = int(hits[-1])
    before = (g // u) * per + hits[g % u]
    done = (run.total // u) * per + int(hits[run.total % u])
    how = "after every update" if frequency == 1 else (
        f"after an update whose batch_idx + 1 is a multiple of {frequency} ({per} of each "
        f"epoch's {u} updates)")
    return before, done, how
