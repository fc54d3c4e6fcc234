"""timm train.py's loop around its scheduler: ``create_scheduler_v2`` (timm 1.0.31,
``scheduler/scheduler_factory.py``), ``train_one_epoch``'s accumulation windows and the epoch
loop of ``main()`` (train.py@aa4b5850, lines 1079-1201 and 1266-1439).

- :func:`updates_in_epoch`: the updates one epoch really makes (the windows of
  ``train_one_epoch``, which shrink to the last window's size once the last window starts and
  can update more often than ``updates_per_epoch``);
- :func:`scheduler`: the scheduler ``create_scheduler_v2`` builds, as an expression of the timm
  dialect (whose ``_get_lr(t)`` is timm's arithmetic), and the ``num_epochs`` it returns;
- :func:`run`: the lr before every update of ``for epoch in range(start_epoch, num_epochs)``.

Imports numpy, the dialects, errors and this package only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import UsageError

F = "timm"
SCHEDS = ("cosine", "tanh", "step", "constant", "multistep", "plateau", "poly", "wsd",
          "rsqrt", "none")
CYCLIC = {"cosine": "CosineLRScheduler", "tanh": "TanhLRScheduler", "poly": "PolyLRScheduler"}


def updates_in_epoch(batches: int, accum: int) -> int:
    """The ``optimizer.step()`` calls of one ``train_one_epoch`` over ``batches`` batches.

    A batch updates when it is the last or ``(batch_idx + 1) % accum_steps == 0``, where
    ``accum_steps`` becomes ``batches % accum`` (the last window's size) from batch
    ``batches - batches % accum`` on, after that batch's own test (train.py lines 1266-1283)."""
    full, last = divmod(batches, accum)
    if last == 0:
        return full
    start = batches - last  # tested with accum, then accum_steps = last
    extra = 1  # the last batch (start itself when last == 1)
    if last > 1:  # batches start+1 .. batches-2 with (b + 1) % last == 0
        extra += (batches - 1) // last - (start + 1) // last
    return full + extra


@dataclass
class Sched:
    """What ``create_scheduler_v2`` returns: the scheduler as an expression of the timm
    dialect (``plateau``: its keywords instead, stepped here), its warmup, ``t_in_epochs``,
    ``num_epochs`` and how that was counted (``decay_how``: the wsd / rsqrt decay length)."""

    expr: str | None
    warmup_t: Any
    warmup_lr_init: Any
    t_in_epochs: bool
    num_epochs: int = 0
    epochs_how: str = ""
    plateau: dict[str, Any] | None = None
    decay_how: str = ""

    @property
    def initial(self) -> Any:
        """The lr the constructor leaves: ``warmup_lr_init`` with a warmup, else None (the
        optimizer's lr)."""
        return self.warmup_lr_init if self.warmup_t else None


def scheduler(a: dict[str, Any], upe: int, mode: str) -> Sched:
    """``create_scheduler_v2(**scheduler_kwargs(args, decreasing_metric), updates_per_epoch)``
    for train.py's ``args`` ``a``; ``mode`` is the plateau mode ('min' for loss)."""
    sched = a["sched"]
    if sched not in SCHEDS:
        raise UsageError(f"{F}: sched {sched!r} is not a timm scheduler (create_scheduler_v2 "
                         f"raises ValueError: Unknown scheduler {sched!r}): one of "
                         + ", ".join(SCHEDS))
    if sched == "none":
        raise UsageError(f"{F}: sched 'none' builds no scheduler, and train.py (aa4b5850) then "
                         "fails before its first epoch, logging lr_scheduler.t_in_epochs of "
                         "None: choose a scheduler (constant keeps the lr after a warmup)")
    on_epochs = not a["sched_on_updates"]
    if sched == "plateau" and not on_epochs:
        raise UsageError(f"{F}: sched plateau with sched_on_updates: create_scheduler_v2 "
                         "asserts 'Plateau LR only supports step per epoch'")
    if a["lr_noise"] is not None:
        raise UsageError(f"{F}: lr_noise {a['lr_noise']!r} adds random noise (torch's "
                         "generator, seeded), which lrsched does not compute: leave it out "
                         "(--set lr_noise=null) to see the schedule without it")
    decay_epochs = a["decay_epochs"]
    milestones = a["decay_milestones"]
    if sched == "multistep" and (not isinstance(milestones, list) or not all(
            isinstance(m, (int, float)) and not isinstance(m, bool) for m in milestones)):
        raise UsageError(f"{F}: decay_milestones {milestones!r} is not allowed: a list of "
                         "epochs")
    per = 1 if on_epochs else upe
    t_initial = a["epochs"] * per
    warmup_t = a["warmup_epochs"] * per
    decay_t = decay_epochs * per
    cooldown_t = a["cooldown_epochs"] * per
    timescale = a["lr_stable_timescale"]
    if timescale is not None:
        timescale = timescale * per
    warm = dict(warmup_t=warmup_t, warmup_lr_init=a["warmup_lr"])
    common = dict(t_in_epochs=on_epochs)
    lr_min = a["min_lr"]
    if sched in CYCLIC:
        kw: dict[str, Any] = dict(t_initial=t_initial, lr_min=lr_min)
        if sched == "poly":
            kw["power"] = a["decay_rate"]
        kw.update(cycle_mul=a["lr_cycle_mul"], cycle_decay=a["lr_cycle_decay"],
                  cycle_limit=a["lr_cycle_limit"], **warm, warmup_prefix=a["warmup_prefix"],
                  **common)
        if sched != "tanh":
            kw["k_decay"] = a["lr_k_decay"]
        length = _cycle_length(t_initial, kw["cycle_mul"], kw["cycle_limit"])
        if a["warmup_prefix"]:
            length = length + warmup_t
        return _with_length(Sched(_call(CYCLIC[sched], kw), warmup_t, a["warmup_lr"], on_epochs),
                            length + cooldown_t, on_epochs, upe, a, cycles=True)
    if sched in ("step", "constant", "multistep"):
        if sched == "multistep":
            kw = dict(decay_t=[m * per for m in milestones], decay_rate=a["decay_rate"])
            name = "MultiStepLRScheduler"
        else:
            kw = dict(decay_t=decay_t, decay_rate=a["decay_rate"]) if sched == "step" else \
                dict(decay_t=1, decay_rate=1.)
            name = "StepLRScheduler"
        kw.update(**warm, warmup_prefix=a["warmup_prefix"], **common)
        return _epochs_only(Sched(_call(name, kw), warmup_t, a["warmup_lr"], on_epochs), a)
    if sched == "plateau":
        plateau = dict(decay_rate=a["decay_rate"], patience_t=a["patience_epochs"],
                       cooldown_t=0, lr_min=lr_min, mode=mode)
        return _epochs_only(Sched(None, warmup_t, a["warmup_lr"], True, plateau=plateau), a)
    # wsd / rsqrt: the warmup always comes first; without warmup_prefix the stable and decay
    # phases fit in the rest of the epochs
    t_sched = t_initial if a["warmup_prefix"] else t_initial - warmup_t
    if 0 < decay_epochs < 1:
        decay_t = decay_epochs * t_sched
    decay_t = int(round(decay_t))
    if not 0 < decay_t <= t_sched:
        default = " (train.py's default)" if decay_epochs == 90 else ""
        raise UsageError(
            f"{F}: sched {sched} needs 0 < decay_epochs <= epochs"
            + ("" if a["warmup_prefix"] else " - warmup_epochs")
            + f": decay_epochs {decay_epochs:g}{default} gives a decay of {decay_t} "
            f"{'epochs' if on_epochs else 'updates'}, the stable + decay length is {t_sched} "
            "(create_scheduler_v2 raises ValueError): set decay_epochs, e.g. 0.2 for the last "
            "fifth")
    fn = a["lr_decay_fn"] or ("linear" if sched == "rsqrt" else "1-sqrt")
    kw = dict(t_initial=t_sched, decay_t=decay_t, lr_min=lr_min,
              stable_fn="rsqrt" if sched == "rsqrt" else "constant",
              stable_timescale=timescale, decay_fn=fn, **common, **warm)
    unit = "epochs" if on_epochs else "updates"
    how = f"{decay_t} {unit} of the {t_sched} after the warmup" + (
        f" = round({decay_epochs:g} x {t_sched})" if 0 < decay_epochs < 1 else "")
    s = Sched(_call("WSDLRScheduler", kw), warmup_t, a["warmup_lr"], on_epochs, decay_how=how)
    return _with_length(s, warmup_t + t_sched + cooldown_t, on_epochs, upe, a, cycles=False)


def _cycle_length(t_initial: Any, mul: Any, limit: Any) -> Any:
    cycles = max(1, limit)
    if mul == 1.0:
        return t_initial * cycles
    return int(math.floor(-t_initial * (mul ** cycles - 1) / (1 - mul)))


def _with_length(s: Sched, t: Any, on_epochs: bool, upe: int, a: dict[str, Any],
                 cycles: bool) -> Sched:
    """``num_epochs`` of a scheduler with ``get_cycle_length``: its cycles (and warmup prefix)
    plus cooldown, in epochs or updates // updates_per_epoch."""
    s.num_epochs = t if on_epochs else t // upe
    parts = [f"epochs {a['epochs']}"]
    if cycles and a["lr_cycle_limit"] > 1:
        parts = [f"{a['lr_cycle_limit']} cycles of {a['epochs']}"
                 + (f" (x{a['lr_cycle_mul']:g} each)" if a["lr_cycle_mul"] != 1 else "")]
    if a["warmup_prefix"] and a["warmup_epochs"]:
        parts.append(f"warmup_prefix {a['warmup_epochs']}")
    if a["cooldown_epochs"]:
        parts.append(f"cooldown {a['cooldown_epochs']}")
    s.epochs_how = " + ".join(parts) + ("" if on_epochs else f", in updates // {upe}")
    return s


def _epochs_only(s: Sched, a: dict[str, Any]) -> Sched:
    """``num_epochs`` of a scheduler without cycles: the epochs, plus the warmup with
    warmup_prefix (cooldown_epochs adds nothing)."""
    s.num_epochs = a["epochs"] + (a["warmup_epochs"] if a["warmup_prefix"] else 0)
    s.epochs_how = f"epochs {a['epochs']}" + (
        f" + warmup_prefix {a['warmup_epochs']}" if a["warmup_prefix"] else "")
    return s


def _call(name: str, kw: dict[str, Any]) -> str:
    return f"{name}(" + ", ".join(f"{k}={v!r}" for k, v in kw.items()) + ")"


def run(s: Sched, lr: float, upe: int, per_epoch: int, start: int,
        metrics: list[Any] | None) -> np.ndarray:
    """The lr before each update of ``for epoch in range(start, num_epochs)``: construction
    (``warmup_lr`` with a warmup, else ``lr``), ``step_update(start * upe)`` or
    ``step(start)`` when ``start > 0``, then per epoch ``per_epoch`` updates, each followed by
    ``step_update(num_updates)`` with ``num_updates`` from ``epoch * upe``, and
    ``step(epoch + 1, metric)`` at its end. ``metrics[i]``: the metric after the i-th epoch
    run (None where train.py does not evaluate)."""
    epochs = range(start, s.num_epochs)
    initial = lr if s.initial is None else s.initial
    if s.expr is None:
        return _plateau(s, lr, epochs, per_epoch, metrics)
    from ..dialects import compute

    if s.t_in_epochs:  # epoch e runs at _get_lr(e), the first at what is set before it
        n = s.num_epochs
        f = compute("timm", s.expr, n, float(lr)).source(0, n)
        per = np.array([initial if e == 0 else f[e] for e in epochs], dtype=np.float64)
        return np.repeat(per, per_epoch)
    # update j > 0 of epoch e runs at _get_lr(e * upe + j), update 0 at what the last
    # step_update left: (e - 1) * upe + per_epoch, or start * upe before the loop
    t = np.empty((len(epochs), per_epoch), dtype=np.int64)
    for row, e in enumerate(epochs):
        t[row, 1:] = e * upe + np.arange(1, per_epoch)
        t[row, 0] = (e - 1) * upe + per_epoch if row else start * upe
    flat_t = t.ravel()
    n = int(flat_t.max()) + 1
    out = compute("timm", s.expr, n, float(lr)).source(0, n)[flat_t]
    if start == 0:
        out[0] = initial
    return out


def _plateau(s: Sched, lr: float, epochs: range, per_epoch: int,
             metrics: list[Any] | None) -> np.ndarray:
    """PlateauLRScheduler: ``step(epoch)`` sets the warmup while ``epoch <= warmup_t``, else
    steps torch's ReduceLROnPlateau with the metric (not at all when the metric is None)."""
    from ..dialects.torch.schedulers import Group, ReduceLROnPlateau

    p = s.plateau
    assert p is not None and metrics is not None
    group = Group(lr=lr)
    reduce = ReduceLROnPlateau(group, mode=p["mode"], factor=p["decay_rate"],
                               patience=p["patience_t"], cooldown=p["cooldown_t"],
                               min_lr=p["lr_min"])
    w, init = s.warmup_t, s.warmup_lr_init
    step = (lr - init) / w if w else 1

    def at(epoch: int, metric: Any) -> None:
        if epoch <= w:
            group["lr"] = init + epoch * step
        elif metric is not None:
            reduce.step_metric(metric)

    if w:
        group["lr"] = init
    if epochs.start > 0:
        at(epochs.start, None)
    out = []
    for i, epoch in enumerate(epochs):
        out.extend([group["lr"]] * per_epoch)
        at(epoch + 1, metrics[i])
    return np.asarray(out, dtype=np.float64)
