"""The Python API: what the command line computes, as numpy arrays.

``schedule`` (native schedules), ``dialect`` (a framework's scheduler call), ``recipe``
(published recipes), ``log`` (a training log's steps and rates), ``config`` (a training
config's every update) and ``to_torch`` (any of them as a real ``LambdaLR``). The package
imports this module only when one of them is first used, so ``lrsched`` starts without it.
Every value is validated as on the command line: a bad one raises
:class:`lrsched_cli.errors.UsageError` (a ``ValueError``).
"""

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


def _texts(params: dict[str, Any]) -> dict[str, Any]:
    """Keyword values as the command line's raw option values (lists joined by commas)."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        if v is None or v is False:
            continue
        if isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        out[k] = v if v is True else str(v)
    return out


def _values(series: list[Any]) -> Any:
    if len(series) == 1:
        return series[0].values
    return {s.params.get("group", s.label): s.values for s in series}


def dialect(framework: str, expr: str, steps: int | str | None = None, *,
            base_lr: float | None = None, var: Any = None, **run: Any) -> Any:
    """The rates a framework's scheduler gives (``lrsched export torch EXPR``): ``framework``
    is torch, hf, timm, optax or keras, ``expr`` the call as pasted; ``var`` the values of
    the names it uses (``--var``): a mapping (``{"epochs": 90, "len(train_loader)": 500}``)
    or ``"NAME=VALUE"`` texts; ``run`` takes the command's other options by Python name
    (``per_epoch=True, steps_per_epoch=10``, ``metrics="metrics.csv"``, ``groups=...``).

    >>> dialect("torch", "StepLR(step_size=2, gamma=0.5)", steps=5, base_lr=0.1).tolist()
    [0.1, 0.1, 0.05, 0.05, 0.025]
    >>> dialect("torch", "CosineAnnealingLR(opt, T_max=epochs * len(loader))",
    ...         var={"epochs": 2, "len(loader)": 2}).round(3).tolist()
    [1.0, 0.854, 0.5, 0.146]
    """
    from .schedules import groups as _groups
    from .sources.words import DIALECTS, series_of

    if framework not in DIALECTS:
        from .errors import UsageError

        raise UsageError(f"no dialect {framework!r}: allowed: {', '.join(DIALECTS)}")
    raw = _texts({"expr": expr, "steps": steps, "base_lr": base_lr, **run})
    if var is not None:
        raw["var"] = _var_texts(var)
    group_raw, raw = _groups.split(raw)
    return _values(_groups.apply(series_of(framework, raw), _groups.resolve(group_raw)))


def _var_texts(var: Any) -> list[str]:
    """``var=`` as ``--var NAME=VALUE`` texts: a mapping's values written as the Python
    literals they are (``repr``: a string stays a string), texts as given."""
    from collections.abc import Mapping

    if isinstance(var, str):
        return [var]
    if isinstance(var, Mapping):  # (a numpy number or array as the Python value it holds)
        return [f"{k}={(v.tolist() if hasattr(v, 'tolist') else v)!r}" for k, v in var.items()]
    return [str(v) for v in var]


def recipe(name: str, steps: int | str | None = None, **options: Any) -> Any:
    """A published recipe's rates (``lrsched export recipe NAME``): ``options`` as on the
    command line by Python name (``size="7b"``, ``batch_size=256``, ``lr_max=...``).

    >>> lr = recipe("llama2", steps=10000, size="7b")  # warmup 2000, cosine to 10%
    >>> len(lr), round(float(lr.max()), 9), round(float(lr[-1]), 9)
    (10000, 0.0003, 3e-05)
    """
    from .schedules import groups as _groups
    from .sources.words import series_of

    raw = _texts({"recipe": name, "steps": steps, **options})
    group_raw, raw = _groups.split(raw)
    return _values(_groups.apply(series_of("recipe", raw), _groups.resolve(group_raw)))


def log(path: str, column: str | None = None, *, step_offset: int = 0,
        step_scale: int = 1) -> tuple[Any, Any]:
    """(steps, rates) a training log holds (``lrsched export log FILE``), as int64 and
    float64 arrays; the format is told from the content."""
    from .sources.logs import log_series

    s = log_series(path, column, step_offset, quiet=True, step_scale=step_scale)
    return s.steps, s.values


def to_torch(optimizer: Any, lr: Any = None, /, steps: int | str | None = None,
             **params: Any) -> Any:
    """A real ``torch.optim.lr_scheduler.LambdaLR`` on ``optimizer`` that sets, at its step
    ``k``, exactly the rate lrsched computed for step ``k`` (held at the last one after the
    end). ``lr`` is an array (or a dict per parameter group, in the optimizer's group order)
    from this API, or a schedule name whose rates ``schedule(lr, steps, **params)`` gives.

    LambdaLR sets ``initial_lr * factor``, and no factor makes that product every rate
    exactly for every ``initial_lr``; so each group's ``initial_lr`` is set to 1.0 and the
    factor is the rate itself. torch is imported only here.
    """
    import torch

    if isinstance(lr, str):
        lr = schedule(lr, steps, **params)
    groups = optimizer.param_groups
    per_group = list(lr.values()) if isinstance(lr, dict) else [lr] * len(groups)
    if len(per_group) != len(groups):
        from .errors import UsageError

        raise UsageError(f"{len(per_group)} groups of rates for an optimizer with "
                         f"{len(groups)} parameter groups")
    lambdas = []
    for g, values in zip(groups, per_group):
        g["initial_lr"] = 1.0
        rates = [float(v) for v in values]
        if not rates:
            from .errors import UsageError

            raise UsageError("no rates to schedule")
        lambdas.append(lambda k, rates=rates, last=len(rates) - 1: rates[min(k, last)])
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambdas)
