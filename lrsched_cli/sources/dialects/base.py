"""What every dialect shares: functions, argument binding, the run context, and the means to
compute a schedule any range at a time (so that export streams a billion steps in flat
memory, DESIGN.md §5).

A dialect's ``evaluate`` returns a :class:`Computed`: the length ``n`` (settled by
:meth:`Ctx.length`, the one place lengths are checked) and a ``source(a, b)`` giving
``lr[a..b-1]``. Sources come in two kinds:

* closed forms (:func:`closed`): a function of ``t``, computed with numpy where a vectorised
  twin exists and the arguments are plain numbers, else (and for any chunk where numpy
  meets an error the framework's Python would raise) with the scalar reference function,
  operation for operation as the framework does;
* sequential computations (:func:`sequential`): state carried from step to step (torch's
  recursive schedulers, metric-driven ones), read in order chunk by chunk, the state kept
  between chunks.
"""

from __future__ import annotations

import difflib
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ...errors import UsageError
from .expr import Call, Lambda, Placeholder, parse_call

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


@dataclass
class Computed:
    """What a dialect's evaluate gives: ``n`` values, ``source(a, b)`` = ``lr[a..b-1]``."""

    n: int
    source: Callable[[int, int], np.ndarray]


def whole(values: np.ndarray) -> Computed:
    """A computation already held in memory (the metric-driven ones: their metrics are)."""
    return Computed(len(values), lambda a, b: values[a:b])


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


def run_scalar(f: Callable[[int], Any], a: int, b: int, what: str) -> np.ndarray:
    """``[f(a), ..., f(b-1)]`` as float64; a framework's arithmetic error becomes one line
    naming its step."""
    import numpy as np

    out = np.empty(b - a, dtype=np.float64)
    t = a
    try:
        for t in range(a, b):
            out[t - a] = f(t)
    except FAILURES as e:
        raise step_error(what, t, e) from None
    return out


def closed(scalar: Callable[[int], Any], what: str,
           vector: Callable[[np.ndarray], Any] | None = None) -> Callable[[int, int], np.ndarray]:
    """The source of a closed form: ``vector(t)`` (numpy, the same operations as ``scalar``)
    where given; a chunk where numpy meets a division by zero, an overflow or an invalid
    operation (or a math function refuses a value) is computed again with ``scalar``, which
    raises what the framework raises, at its step, or gives the framework's values."""
    import numpy as np

    def source(a: int, b: int) -> np.ndarray:
        if vector is not None and b > a:
            try:
                with np.errstate(divide="raise", over="raise", invalid="raise",
                                 under="ignore"):
                    out = np.asarray(vector(np.arange(a, b, dtype=np.int64)),
                                     dtype=np.float64)
                return out if out.shape == (b - a,) else np.full(b - a, out, dtype=np.float64)
            except (FloatingPointError, *FAILURES):
                pass
        return run_scalar(scalar, a, b, what)
    return source


def sequential(fresh: Callable[[], Callable[[int], np.ndarray]]) -> Callable[[int, int],
                                                                          np.ndarray]:
    """The source of a computation carried from step to step. ``fresh()`` starts it and gives
    ``take(k)``, the next ``k`` values. Ranges are read in order (export, per-epoch holding,
    sparse reads): the state is kept between them and the last range is kept for a range that
    overlaps it; a range before the position starts again from step 0."""
    import numpy as np

    state: dict[str, Any] = {"take": None, "pos": 0, "at": 0, "last": np.empty(0)}

    def source(a: int, b: int) -> np.ndarray:
        parts = []
        first = a
        at, last = state["at"], state["last"]
        if at <= a < at + len(last):
            hi = min(b, at + len(last))
            parts.append(last[a - at:hi - at])
            a = hi
        if a < b:
            if state["take"] is None or a < state["pos"]:
                state["take"], state["pos"] = fresh(), 0
            take = state["take"]
            while state["pos"] < a:  # skipped rows (--start, sparse reads): computed, dropped
                k = min(a - state["pos"], 1 << 18)
                take(k)
                state["pos"] += k
            parts.append(take(b - a))
            state["pos"] = b
        out = parts[0] if len(parts) == 1 else np.concatenate(parts)
        state["at"], state["last"] = first, out
        return out
    return source


INT_POW_BITS = 4096  # far past float64 (1024 bits): no rate is made of such an integer


def ipow(a: Any, b: Any) -> Any:
    """``a ** b`` as the framework's Python computes it, except that a power of two integers
    with more than INT_POW_BITS bits is refused before it is computed (Python would take
    unbounded time and memory: ``10 ** 2**63``; the framework would hang)."""
    if type(a) is int and type(b) is int and b > 0 and abs(a) > 1 \
            and b * math.log2(abs(a)) > INT_POW_BITS:
        raise UsageError(f"refused: the framework computes {_count(a)} ** {_count(b)} in "
                         f"Python integers (about {_count(int(b * math.log2(abs(a))))} bits), "
                         "which would not finish; use a float or a smaller value")
    return a ** b


def plain(*values: Any) -> bool:
    """Numbers numpy computes with exactly as Python does: floats, and ints below 2**53 (a
    bigger int is exact in Python, rounded in numpy)."""
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        if isinstance(v, int) and abs(v) >= 1 << 53:
            return False
    return True


# --------------------------------------------------------------------------------------
# The math functions of a vectorised twin: numpy's where it gives libm's result for every
# input (float64 cos here, checked once per process), else Python's own, mapped.

_NP_COS: list[bool] = []


def _np_cos_is_libm() -> bool:
    if not _NP_COS:
        import numpy as np

        rng = np.random.default_rng(12345)
        x = np.concatenate([rng.uniform(-1e3, 1e3, 4000), rng.uniform(-7, 7, 4000),
                            math.pi * np.arange(-2000, 2000) / 997.0])
        _NP_COS.append(bool(np.array_equal(np.cos(x), pymap(math.cos, x))))
    return _NP_COS[0]


def pymap(f: Callable[..., Any], *arrays: Any) -> np.ndarray:
    """``f`` (a Python function) at each element, as float64: Python's own results."""
    import numpy as np

    lists = [a.tolist() if isinstance(a, np.ndarray) else a for a in arrays]
    n = len(next(x for x in lists if isinstance(x, list)))
    lists = [x if isinstance(x, list) else [x] * n for x in lists]
    return np.fromiter(map(f, *lists), dtype=np.float64, count=n)


def cos(x: np.ndarray) -> np.ndarray:
    """``math.cos`` at each element."""
    import numpy as np

    return np.cos(x) if _np_cos_is_libm() else pymap(math.cos, x)


def ppow(x: Any, y: Any) -> np.ndarray:
    """``x ** y`` at each element as Python computes it (numpy's power differs by an ulp
    now and then); a run of equal pairs (a staircase) is computed once."""
    import numpy as np

    x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    shape = x.shape
    x, y = x.ravel(), y.ravel()
    if x.size == 0:
        return np.empty(shape)
    if np.all(y == 1.0):  # pow(x, 1) is x
        return x.copy().reshape(shape)
    starts = np.flatnonzero(np.r_[True, (x[1:] != x[:-1]) | (y[1:] != y[:-1])])
    if len(starts) * 4 > len(x):  # mostly distinct: each one computed
        return pymap(operator.pow, x, y).reshape(shape)
    vals = pymap(operator.pow, x[starts], y[starts])
    return np.repeat(vals, np.diff(np.r_[starts, len(x)])).reshape(shape)


def pmax(a: Any, b: Any) -> np.ndarray:
    """Python's ``max(a, b)``: ``a`` unless ``b > a`` (so ``max(0.0, nan)`` is 0.0)."""
    import numpy as np

    return np.where(np.greater(b, a), b, a)


def pmin(a: Any, b: Any) -> np.ndarray:
    """Python's ``min(a, b)``: ``a`` unless ``b < a``."""
    import numpy as np

    return np.where(np.less(b, a), b, a)
