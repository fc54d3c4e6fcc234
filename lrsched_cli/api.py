"""The Python API: ``from lrsched_cli import schedule`` (the package imports this module
only when ``schedule`` is first used, so that ``lrsched`` starts without it)."""

from __future__ import annotations

from typing import Any


def schedule(name: str, steps: int | str | None = None, **params: Any) -> Any:
    """The learning rates of schedule ``name`` as a float64 numpy array.

    ``params`` are the schedule's options by Python name (``lr_max=0.1``) or alias
    (``eta_min=0``), plus the run options (``warmup=10``, ``start=5``, ...). Values are
    validated exactly as on the command line: a bad one raises
    :class:`lrsched_cli.errors.UsageError` (a ``ValueError``).

    With parameter groups (``groups="backbone=0.1,head=1"``, or ``layer_decay=0.65,
    layers=12`` and optionally ``layer_decay_style="electra"``) the result is a dict from
    group name to array, in group order: ``lr_group[t] = multiplier * lr[t]``.
    """
    from .schedules import groups as _groups
    from .schedules.compose import evaluate
    from .schedules.registry import resolve

    group_raw, rest = _groups.split(params)
    chosen = _groups.resolve(group_raw)
    series = evaluate(resolve(name, {"steps": steps, **rest}))
    if chosen is None:
        return series.values
    return {s.label: s.values for s in _groups.apply(series, chosen)}


def config(path: str, *, dataset_size: int | None = None, batch_size: int | None = None,
           world_size: int = 1, epochs: float | None = None, set: tuple[str, ...] = (),
           type: str | None = None, metrics: Any = None) -> Any:
    """The lr of every optimizer update a training config makes, as its trainer counts them
    (``lrsched table config FILE``): a float64 array, or a dict from parameter-group name
    to array when the trainer's groups have different rates.

    The keywords are the command line's options (``set=("trainer.max_epochs=2",)`` is
    ``--set``; ``metrics``, a file name or a sequence of numbers, is ``--metrics``); what is
    missing or refused raises :class:`lrsched_cli.errors.UsageError`.
    """
    from .sources.configs import Inputs, read

    read_metrics = None
    if metrics is not None:
        from .files.metrics import read_metrics as _read

        read_metrics = tuple(float(x) for x in _read(metrics, allow_nonfinite=True))
    r = read(path, Inputs(dataset_size=dataset_size, batch_size=batch_size,
                          world_size=world_size, epochs=epochs, sets=tuple(set),
                          metrics=read_metrics), type)
    if len(r.groups) == 1:
        return next(iter(r.groups.values()))
    return dict(r.groups)

