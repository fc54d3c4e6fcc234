"""Framework dialects: paste the scheduler you train with, get its exact schedule.

Each dialect is a package (``torch``, ``hf``, ``timm``, ``optax``, ``keras``) whose
``__init__`` has ``DIALECT`` (a :class:`~lrsched_cli.sources.dialects.base.Dialect`); they
are imported only when used. What they share: ``expr`` and ``lambdas`` (a pasted call read
with ``ast``, never evaluated), ``base`` (names, binding, the run context), ``stream`` (a
schedule computed any range at a time) and ``arith`` (the framework's arithmetic in numpy).
Here: the names, and a dialect's expression turned into a checked :class:`Series`.

The dialects import only ``lrsched_cli.schedules``, ``series``, ``files``, ``errors``,
``notices`` and each other: never the rest of ``lrsched_cli.sources``, never typer, click,
rich, plotext or matplotlib (not even inside a function); numpy only inside functions.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy stays out of start-up: --help and completion list these names
    import numpy as np

    from ...series import Series

NAMES = ("torch", "hf", "timm", "optax", "keras")


def get(name: str) -> Any:
    """The Dialect called ``name`` (imported on first use)."""
    return importlib.import_module(f"{__name__}.{name}").DIALECT


def is_dialect(word: str) -> bool:
    return word in NAMES


EAGER = 1 << 20  # values computed whole, before any output, up to this many


def compute(dialect: str, expr: str, steps: int | None, base_lr: float,
            metrics: np.ndarray | None = None, bindings: Any = None) -> Any:
    """The :class:`~lrsched_cli.sources.dialects.stream.Computed` of ``expr`` in ``dialect``: its
    length, settled and checked before anything is allocated, and its source.

    ``bindings`` (:func:`~lrsched_cli.sources.dialects.expr.parse_vars` of ``--var``, or
    None for lrsched's own expressions): the values of the names the expression uses; a
    name left unbound is refused, and a binding it never uses is said in a note."""
    from ...errors import UsageError
    from .base import FAILURES, Ctx, FrameworkError

    d = get(dialect)
    node = d.parse(expr, bindings)
    if bindings is not None:
        from ...notices import note

        for var in bindings.unused():
            note(f"--var {var.name} is not used: {dialect} {_short(expr)} never names it")
    try:
        return d.evaluate(node, Ctx(steps=steps, base_lr=base_lr, metrics=metrics))
    except UsageError:
        raise
    except FAILURES as e:  # the framework's own constructor fails on such a value, too
        name = getattr(node, "name", None)
        what = f"{name}(...)" if name else "the lambda"
        raise FrameworkError(f"{what} raises {type(e).__name__} when it is built (before step "
                             f"0): {e}") from None


def evaluate(dialect: str, expr: str, steps: int | None, base_lr: float,
             metrics: np.ndarray | None = None, bindings: Any = None) -> tuple[np.ndarray, int]:
    """(values, N) of ``expr`` in ``dialect``, all values at once (checked as series() does)."""
    c = compute(dialect, expr, steps, base_lr, metrics, bindings)
    return _checked(c.source, dialect, expr)(0, c.n), c.n


def _checked(source: Any, dialect: str, expr: str, eager: bool = True) -> Any:
    """``source`` with what every dialect's values must pass: finite (a framework's
    arithmetic that leaves float64 is said, with its step, never written as null), and any
    arithmetic failure not already put in words said in one line, never as an internal
    error."""
    import numpy as np

    from .base import FAILURES, FrameworkError

    def checked(a: int, b: int) -> np.ndarray:
        try:
            values = np.asarray(source(a, b), dtype=np.float64)
        except FAILURES as e:
            from ...errors import UsageError

            if isinstance(e, UsageError):
                raise
            raise FrameworkError(f"{dialect} {_short(expr)} raises {type(e).__name__} between "
                                 f"steps {a} and {b - 1}: {e}") from None
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:  # the framework's arithmetic overflowed: say where, never write null
            from ...errors import UsageError

            k = int(bad[0])
            raise UsageError(f"{dialect} {_short(expr)} gives lr {float(values[k])!r} at step "
                             f"{a + k} (its arithmetic leaves float64 there; the framework "
                             "computes the same non-finite rate): " + (
                                 "nothing written" if eager else "the output stops there (a "
                                 "file is not written)"))
        return values
    return checked


def series(dialect: str, expr: str, steps: int | None, base_lr: float,
           metrics: np.ndarray | None = None, start: int = 0, unit: str = "step",
           label: str | None = None, run: Any = None, bindings: Any = None) -> Series:
    """The series of ``expr``: ``steps`` values (None: the length the expression implies);
    ``run`` (a :class:`~lrsched_cli.schedules.registry.Run`) for ``--per-epoch`` and lengths;
    ``bindings`` the values of its names (``--var``, as :func:`compute` takes them).

    Up to EAGER values are computed whole at once (any error comes before any output); a
    longer run is computed chunk by chunk as it is written (export streams it in flat
    memory), its first chunk computed here so that an error at the start still comes first.
    """
    import numpy as np

    from ...series import CHUNK, Series, held

    c = compute(dialect, expr, steps, base_lr, metrics, bindings)
    n = c.n
    source = _checked(c.source, dialect, expr, eager=n <= EAGER)
    values = source(0, n) if n <= EAGER else None
    if values is None:
        source(0, min(n, CHUNK))
    d = get(dialect)
    params: dict[str, Any] = {"expr": " ".join(expr.split())}
    if bindings is not None and bindings.used:
        params["vars"] = bindings.values()
    if d.uses_base_lr:
        params["base_lr"] = base_lr
    params["steps"] = n
    label = label or f"{dialect} {' '.join(expr.split())}"
    if run is not None:
        start, unit = run.resolve_start(n), run.unit
    elif start:
        from ...errors import UsageError

        if start >= n:
            raise UsageError(f"--start {start} is past the last index {n - 1}")
    if run is not None and run.per_epoch:  # stepped once an epoch, one row per step
        k = run.steps_per_epoch
        params.update(per_epoch=True, steps_per_epoch=k)
        epochs = (lambda e0, e1: values[e0:e1]) if values is not None else source
        return Series(label=label, name=dialect, params=params, unit="step",
                      total_steps=n * k, start=start, stop=n * k,
                      source=lambda a, b: held(epochs, a, b, k))
    if values is not None:
        return Series(label=label, steps=np.arange(start, n, dtype=np.int64),
                      values=values[start:], name=dialect, params=params, unit=unit,
                      total_steps=n)
    return Series(label=label, name=dialect, params=params, unit=unit, total_steps=n,
                  source=source, start=start, stop=n)


def _short(expr: str) -> str:
    text = " ".join(expr.split())
    return f"'{text}'" if len(text) <= 60 else f"'{text[:57]}...'"


DESCRIPTIONS = {
    "torch": ("torch.optim.lr_scheduler", "OneCycleLR(max_lr=0.1, total_steps=1000)"),
    "hf": ("transformers.optimization",
           "get_cosine_schedule_with_warmup(num_warmup_steps=100, num_training_steps=1000)"),
    "timm": ("timm.scheduler", "CosineLRScheduler(t_initial=100, warmup_t=5)"),
    "optax": ("optax schedules", "warmup_cosine_decay_schedule(init_value=0.0, "
              "peak_value=1e-3, warmup_steps=100, decay_steps=1000)"),
    "keras": ("keras.optimizers.schedules",
              "CosineDecay(initial_learning_rate=0.1, decay_steps=100)"),
}


def series_from_options(dialect: str, raw: dict[str, Any]) -> Series:
    """Validate the command-line options of a dialect command and evaluate it."""
    from ...errors import UsageError
    from ...files.metrics import read_metrics
    from ...schedules import registry
    from .expr import parse_vars

    run = registry.resolve_run(raw)  # --steps in any length form, --per-epoch, ...
    d = get(dialect)
    base_lr = 1.0
    if raw.get("base_lr") is not None:
        if not d.uses_base_lr:
            raise UsageError(f"--base-lr does not apply to {dialect}: its schedules carry their "
                             "own values")
        base_lr = registry.parse_float(BASE_LR, raw["base_lr"])
    bindings = parse_vars(raw.get("var"))  # before any file is read: a bad --var is said first
    metrics = None
    if raw.get("metrics") is not None:
        metrics = read_metrics(raw["metrics"], raw.get("metrics_column"), allow_nonfinite=True)
    return series(dialect, raw["expr"], run.n, base_lr, metrics, run=run, bindings=bindings)


def _base_lr_param() -> Any:
    from ...schedules.registry import Param

    return Param("base_lr", "float", 1.0, "Optimizer learning rate", lo=0, lo_open=True)


BASE_LR = _base_lr_param()
