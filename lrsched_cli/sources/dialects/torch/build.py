"""The torch dialect's names and their construction: the function table (each class with its
parameters and summary; ``last_epoch`` on every LRScheduler), ``DIALECT`` (its
``evaluate`` is set by the package), an expression bound and built into scheduler objects
(:func:`_build`, with torch's own errors from the constructors) and the run length an
expression implies (:func:`implied_steps`).

A pasted snippet may define its lambdas as functions (``def lr_lambda(step): ...`` with
if/return, then ``LambdaLR(optimizer, lr_lambda)``): the dialects' ``defs`` reads them as the
lambdas they are before the call is read.

Imports only ``lrsched_cli.errors``, the dialects' ``base``, ``defs`` and ``expr``, and this
package's scheduler modules: never the rest of ``lrsched_cli.sources``, never typer, click,
rich, plotext or matplotlib (not even inside a function); numpy only inside functions.
"""

from __future__ import annotations

from typing import Any

from ....errors import UsageError
from ..base import FAILURES, REQUIRED, Dialect, Fn, FrameworkError, bind
from ..defs import inline_defs
from ..expr import Call
from .closed_forms import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from .composites import ChainedScheduler, SequentialLR
from .schedulers import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    Group,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    ReduceLROnPlateau,
    Sched,
    StepLR,
)

R = REQUIRED


_CLASSES: dict[str, tuple[type, tuple[tuple[str, Any], ...], str]] = {
    "LambdaLR": (LambdaLR, (("lr_lambda", R),), "base_lr * f(t)"),
    "MultiplicativeLR": (MultiplicativeLR, (("lr_lambda", R),), "lr *= f(t) from t = 1"),
    "StepLR": (StepLR, (("step_size", R), ("gamma", 0.1)), "lr *= gamma every step_size"),
    "MultiStepLR": (MultiStepLR, (("milestones", R), ("gamma", 0.1)),
                    "lr *= gamma at each milestone"),
    "ConstantLR": (ConstantLR, (("factor", 1.0 / 3), ("total_iters", 5)),
                   "base_lr * factor, then base_lr from total_iters"),
    "LinearLR": (LinearLR, (("start_factor", 1.0 / 3), ("end_factor", 1.0), ("total_iters", 5)),
                 "factor linear from start_factor to end_factor"),
    "ExponentialLR": (ExponentialLR, (("gamma", R),), "lr *= gamma every step"),
    "PolynomialLR": (PolynomialLR, (("total_iters", 5), ("power", 1.0)),
                     "base_lr * (1 - t/T) ** power, then 0"),
    "CosineAnnealingLR": (CosineAnnealingLR, (("T_max", R), ("eta_min", 0.0)),
                          "cosine from base_lr to eta_min over T_max (periodic, recursive)"),
    "CosineAnnealingWarmRestarts": (CosineAnnealingWarmRestarts,
                                    (("T_0", R), ("T_mult", 1), ("eta_min", 0.0)),
                                    "cosine with warm restarts (SGDR)"),
    "CyclicLR": (CyclicLR, (("base_lr", R), ("max_lr", R), ("step_size_up", 2000),
                            ("step_size_down", None), ("mode", "triangular"), ("gamma", 1.0),
                            ("scale_fn", None), ("scale_mode", "cycle"),
                            ("cycle_momentum", True), ("base_momentum", 0.8),
                            ("max_momentum", 0.9)), "cyclical learning rate"),
    "OneCycleLR": (OneCycleLR, (("max_lr", R), ("total_steps", None), ("epochs", None),
                                ("steps_per_epoch", None), ("pct_start", 0.3),
                                ("anneal_strategy", "cos"), ("cycle_momentum", True),
                                ("base_momentum", 0.85), ("max_momentum", 0.95),
                                ("div_factor", 25.0), ("final_div_factor", 1e4),
                                ("three_phase", False)), "1cycle policy"),
    "ReduceLROnPlateau": (ReduceLROnPlateau, (("mode", "min"), ("factor", 0.1),
                                              ("patience", 10), ("threshold", 1e-4),
                                              ("threshold_mode", "rel"), ("cooldown", 0),
                                              ("min_lr", 0), ("eps", 1e-8)),
                          "reduce on plateau. Needs --metrics: lr[i+1] is the lr after "
                          "step(metrics[i]); a nan metric counts as an epoch without "
                          "improvement, as in torch"),
    "SequentialLR": (SequentialLR, (("schedulers", R), ("milestones", R)),
                     "children one after another at milestones"),
    "ChainedScheduler": (ChainedScheduler, (("schedulers", R),),
                         "children stepped together (their factors multiply)"),
}

# Every LRScheduler takes last_epoch; ReduceLROnPlateau is not one (torch 2.13 raises
# TypeError for ReduceLROnPlateau(last_epoch=...)).
FUNCTIONS = {name: Fn(name=name, summary=summary,
                      params=params + ((("last_epoch", -1),) if name != "ReduceLROnPlateau"
                                       else ()))
             for name, (_, params, summary) in _CLASSES.items()}
FUNCTIONS["ChainedScheduler"] = Fn("ChainedScheduler", (("schedulers", R), ("optimizer", None)),
                                   _CLASSES["ChainedScheduler"][2], takes_optimizer=False)


def _build(call: Call, group: Group, nested: bool = False) -> Sched:
    fn = DIALECT.check_name(call)
    args = bind(fn, call)
    args.pop("optimizer", None)
    if args.pop("last_epoch", -1) != -1:
        raise UsageError(f"{call.name}: last_epoch other than -1 (resuming) is not supported; "
                         "use --start to begin the output later")
    cls = _CLASSES[call.name][0]
    for key in ("schedulers",):
        if key in args:
            children = args[key]
            if not isinstance(children, (list, tuple)) or not all(isinstance(c, Call)
                                                                  for c in children):
                raise UsageError(f"{call.name}: schedulers must be a list of scheduler calls")
            args[key] = [_build(c, group, nested=True) for c in children]
    for k, v in list(args.items()):
        if isinstance(v, Call):
            raise UsageError(f"{call.name}: {k} takes a value, not a call ('{v.source}')")
    if call.name == "ReduceLROnPlateau" and nested:
        raise FrameworkError(f"ValueError: {call.name} cannot be nested in a composite "
                             "scheduler")
    try:
        return cls(group, **args)
    except UsageError:
        raise
    except TypeError as e:
        if "argument" in str(e):  # Python's own signature check
            raise UsageError(f"{call.name}: {e}") from None
        raise FrameworkError(f"{call.name}(...) raises TypeError in its constructor (which "
                             f"computes step 0): {e}") from None
    except FAILURES as e:  # the constructor computes lr[0]: a lambda may fail there
        raise FrameworkError(f"{call.name}(...) raises {type(e).__name__} in its constructor "
                             f"(which computes step 0): {e}") from None


def implied_steps(call: Call) -> int | None:
    """The run length the expression implies: OneCycleLR's total, T_max, total_iters..."""
    try:
        fn = DIALECT.check_name(call)
        args = bind(fn, call)
    except UsageError:
        return None
    name = call.name
    if name == "OneCycleLR":
        if is_int(args["total_steps"]):
            return args["total_steps"]
        if is_int(args["epochs"]) and is_int(args["steps_per_epoch"]):
            return args["epochs"] * args["steps_per_epoch"]
    if name == "CosineAnnealingLR" and is_int(args["T_max"]):
        return args["T_max"]
    if name == "SequentialLR":
        ms, kids = args["milestones"], args["schedulers"]
        if isinstance(ms, (list, tuple)) and ms and isinstance(kids, (list, tuple)) and kids \
                and isinstance(kids[-1], Call):
            last = implied_steps(kids[-1])
            if last is not None and all(is_int(m) for m in ms):
                return ms[-1] + last
    return None


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _TorchDialect(Dialect):
    """The torch dialect: a snippet's ``def`` functions are read as lambdas first."""

    def parse(self, text: str, *args: Any, **kwargs: Any) -> Any:
        return super().parse(inline_defs(text), *args, **kwargs)


DIALECT = _TorchDialect(
    name="torch", title="torch.optim.lr_scheduler",
    prefixes=("torch.optim.lr_scheduler", "optim.lr_scheduler", "lr_scheduler"),
    functions=FUNCTIONS, uses_base_lr=True,
    convention="lr[i] is the optimizer's lr after i calls of scheduler.step() (lr[0]: right "
               "after construction)",
)
