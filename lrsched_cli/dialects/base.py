"""What every dialect shares: functions, argument binding, and the run context."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ..errors import UsageError
from .expr import Call, Lambda, Placeholder, parse_call

REQUIRED = object()


class FrameworkError(UsageError):
    """A value the framework itself rejects: the message is the framework's own."""


@dataclass
class Ctx:
    """What a dialect needs besides the expression."""

    steps: int | None  # None: the length the expression implies (or the default)
    base_lr: float
    metrics: np.ndarray | None = None


@dataclass(frozen=True)
class Fn:
    """One schedule class or function of a framework."""

    name: str
    params: tuple[tuple[str, Any], ...]  # (name, default or REQUIRED), after the optimizer
    summary: str
    takes_optimizer: bool = True
    var_kwargs: bool = False  # accepts **kwargs (passed through, checked by the function)

    def param_names(self) -> list[str]:
        return [p for p, _ in self.params]


@dataclass
class Dialect:
    """A framework's names, the prefixes it is imported under, and how it computes."""

    name: str
    title: str
    prefixes: tuple[str, ...]
    functions: dict[str, Fn]
    uses_base_lr: bool
    convention: str
    evaluate: Callable[[Call, Ctx], tuple[np.ndarray, int]] = field(repr=False, default=None)  # type: ignore[assignment]
    allow_lambda_root: bool = False

    def parse(self, text: str) -> Call | Lambda:
        node = parse_call(text, allow_lambda_root=self.allow_lambda_root)
        if isinstance(node, Call):
            self.check_name(node)
        return node

    def check_name(self, call: Call) -> Fn:
        if call.qualifier and call.qualifier not in self.prefixes:
            raise UsageError(
                f"'{call.qualifier}.{call.name}' is not a {self.title} name; write "
                f"'{call.name}(...)' or use one of the prefixes {', '.join(self.prefixes)}"
            )
        fn = self.functions.get(call.name)
        if fn is None:
            close = difflib.get_close_matches(call.name, list(self.functions), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"unknown {self.title} name '{call.name}'{hint}; accepted: "
                             f"{', '.join(sorted(self.functions))}")
        return fn


def bind(fn: Fn, call: Call, skip_optimizer: bool | None = None) -> dict[str, Any]:
    """Map a call's arguments to ``fn``'s parameters, as Python would, with its messages."""
    args = list(call.args)
    takes_opt = fn.takes_optimizer if skip_optimizer is None else skip_optimizer
    if args and isinstance(args[0], Placeholder) and takes_opt:
        args = args[1:]
    names = fn.param_names()
    if "optimizer" in names:  # the optimizer is left out: later positionals shift past it
        k = names.index("optimizer")
        if len(args) > k and not isinstance(args[k], Placeholder):
            args.insert(k, None)
    for i, a in enumerate(args):
        if isinstance(a, Placeholder) and i < len(names) and names[i] == "optimizer":
            args[i] = None
        elif isinstance(a, Placeholder):
            raise UsageError(f"refused name '{a.source}': only literals, the accepted calls and "
                             "simple lambdas are allowed")
    if len(args) > len(names):
        raise FrameworkError(f"TypeError: {fn.name}() takes {len(names)} arguments but "
                             f"{len(args)} were given (the optimizer is left out)")
    out: dict[str, Any] = dict(zip(names, args))
    for k, v in call.kwargs.items():
        if k in out:
            raise FrameworkError(f"TypeError: {fn.name}() got multiple values for argument '{k}'")
        if k not in names and not fn.var_kwargs:
            close = difflib.get_close_matches(k, names, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"TypeError: {fn.name}() got an unexpected keyword argument "
                             f"'{k}'{hint}; it takes {', '.join(names) or 'no arguments'}")
        out[k] = v
    missing = [p for p, d in fn.params if d is REQUIRED and p not in out]
    if missing:
        raise FrameworkError(f"TypeError: {fn.name}() missing required argument"
                             f"{'s' if len(missing) > 1 else ''}: "
                             + ", ".join(f"'{m}'" for m in missing))
    for p, d in fn.params:
        if p not in out:
            out[p] = d
    return out


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def need_number(fn: str, name: str, v: Any, allow_none: bool = False) -> None:
    """A one-line refusal when an argument the formula uses is not a number."""
    if (v is None and allow_none) or isinstance(v, bool):
        return
    if not is_number(v):
        raise UsageError(f"{fn}: {name}={v!r} is not a number")


def run_scalar(f: Callable[[int], float], n: int, what: str) -> np.ndarray:
    """``[f(0), ..., f(n-1)]`` as float64; a framework's arithmetic error becomes one line."""
    import numpy as np

    out = np.empty(n, dtype=np.float64)
    t = 0
    try:
        for t in range(n):
            out[t] = f(t)
    except UsageError:  # lrsched's own refusal (an expression beyond its bounds)
        raise
    except ZeroDivisionError as e:
        raise FrameworkError(f"{what} raises ZeroDivisionError at step {t}: {e}") from None
    except (OverflowError, ValueError, TypeError) as e:
        raise FrameworkError(f"{what} raises {type(e).__name__} at step {t}: {e}") from None
    return out
