"""What every dialect shares: its names (:class:`Fn`, :class:`Dialect`), arguments bound as
Python binds them (:func:`bind`, with Python's messages), the run context (:class:`Ctx`,
whose :meth:`Ctx.length` is the one place lengths are settled and checked) and the errors a
framework's arithmetic raises, said in one line (:func:`step_error`).

How a schedule is then computed any range at a time is in ``stream`` (sources) and
``arith`` (the framework's arithmetic in numpy).

Imports only ``lrsched_cli.errors``, ``lrsched_cli.schedules`` (inside a function) and the
dialects' own ``expr`` and ``lambdas`` (``stream`` for type checking only): never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function); numpy only for type checking.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np

    from .stream import Computed


from ...errors import UsageError
from .expr import Bindings, Call, Placeholder, default_slot, parse_call
from .lambdas import Lambda

REQUIRED = object()


class FrameworkError(UsageError):
    """A value the framework itself rejects: the message is the framework's own."""


DEFAULT_STEPS = 100  # the length when neither --steps nor the expression gives one


@dataclass
class Ctx:
    """What a dialect needs besides the expression."""

    steps: int | None  # None: the length the expression implies (or the default)
    base_lr: float
    metrics: np.ndarray | None = None

    def length(self, implied: Any, what: str) -> int:
        """N, settled before anything is allocated: ``--steps`` when given, else the length
        the expression implies (``implied``: an int, None for none, or a callable giving
        one), else DEFAULT_STEPS; refused outside ``1..MAX_STEPS`` with the value named."""
        from ...schedules.registry import MAX_STEPS

        if self.steps is not None:
            n: Any = self.steps
        else:
            if callable(implied):
                try:
                    implied = implied()
                except UsageError:
                    implied = None
                except (ArithmeticError, ValueError, TypeError):  # e.g. 2.0 ** 10000
                    implied = math.inf
            n = DEFAULT_STEPS if implied is None else implied
        if isinstance(n, bool) or not isinstance(n, (int, float)) or not 1 <= n <= MAX_STEPS:
            if self.steps is not None:
                raise UsageError(f"--steps {_count(n)}: lrsched computes 1 to {MAX_STEPS:,} "
                                 "steps")
            raise UsageError(f"{what} implies a run of {_count(n)} steps; lrsched computes 1 "
                             f"to {MAX_STEPS:,} steps: give --steps N")
        return int(n)


def _count(n: Any) -> str:
    if isinstance(n, float) and math.isinf(n):
        return "more than 10^308" if n > 0 else "minus infinitely many"
    if isinstance(n, int) and not isinstance(n, bool) and abs(n) >= 10**30:
        return f"about {'-' if n < 0 else ''}10^{len(str(abs(n))) - 1}"
    return f"{n:,}" if isinstance(n, int) and not isinstance(n, bool) else repr(n)


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
    evaluate: Callable[[Call, Ctx], Computed] = field(repr=False, default=None)  # type: ignore[assignment]
    allow_lambda_root: bool = False

    def parse(self, text: str, bindings: Bindings | None = None) -> Call | Lambda:
        """The call (or lambda) ``text`` holds; with ``bindings`` (``--var``), its names
        bound first and every name left unbound refused in one line."""
        node = parse_call(text, allow_lambda_root=self.allow_lambda_root, bindings=bindings,
                          dialect=self.name, slot=self.optimizer_slot,
                          check_root=self.check_name)
        if isinstance(node, Call):
            self.check_name(node)
        return node

    def optimizer_slot(self, name: str, i: int) -> bool:
        """Positional argument ``i`` of a call of ``name`` is the optimizer (a name there is
        not one to bind): the first of a function that takes one, else the one its
        parameters call ``optimizer`` (hf's ``get_scheduler``, torch's ChainedScheduler)."""
        fn = self.functions.get(name)
        if fn is None:  # int(...); or a name the dialect refuses, as without --var
            return default_slot(name, i)
        if fn.takes_optimizer:
            return i == 0
        names = fn.param_names()
        return i < len(names) and names[i] == "optimizer"

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
        elif _wants_number(p, d):
            check_number(fn.name, p, out[p])
    return out


# Parameters without a default that take something else than a number (lists, calls,
# functions, names); every other required parameter, and every parameter whose default is
# a number, takes a number.
NOT_NUMBERS = frozenset((
    "lr_lambda", "milestones", "schedulers", "scale_fn", "boundaries", "values",
    "boundaries_and_scales", "cosine_kwargs", "interpolate_type", "name", "decay_t",
    "base_lr", "max_lr", "schedules", "optimizer"))


def _wants_number(p: str, default: Any) -> bool:
    if p in NOT_NUMBERS or p.startswith("noise_"):  # (noise is not computed: never read)
        return False
    return default is REQUIRED or is_number(default)


def check_number(fn: str, name: str, v: Any) -> None:
    """The one-line refusal of None or a bool where the framework wants a number (Python
    would take a bool as 0 or 1, and None fails somewhere inside the framework)."""
    if v is None:
        raise UsageError(f"{fn}: {name}=None is not a number (this argument needs one)")
    if isinstance(v, bool):
        raise UsageError(f"{fn}: {name}={v} is a bool where a number is wanted (Python would "
                         f"take it as {int(v)}: write {int(v)} if that is meant)")


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def need_number(fn: str, name: str, v: Any, allow_none: bool = False) -> None:
    """A one-line refusal when an argument the formula uses is not a number."""
    if (v is None and allow_none) or isinstance(v, bool):
        return
    if not is_number(v):
        raise UsageError(f"{fn}: {name}={v!r} is not a number")


FAILURES = (ArithmeticError, ValueError, TypeError)  # what a framework's arithmetic raises


def step_error(what: str, step: int, e: BaseException) -> UsageError:
    """The one-line error for ``e``, raised by the framework's computation at ``step``."""
    if isinstance(e, FrameworkError):
        return FrameworkError(f"at step {step}: {e}")
    if isinstance(e, UsageError):  # lrsched's own refusal (an expression beyond its bounds)
        return e
    return FrameworkError(f"{what} raises {type(e).__name__} at step {step}: {e}")
