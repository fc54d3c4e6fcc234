"""Schedule parameters: the records (a parameter, a length, a share, a registry entry),
the run parameters every schedule takes (DESIGN.md §1), and the parsers that accept or refuse
one raw value (a command-line string or a Python value) with the one message shape. No numpy
(start-up and completion read it), no UI library, nothing above the schedule maths.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from .resolve import Spec

_REQUIRED = object()


class _Record:
    """A small frozen record (dataclasses cost milliseconds of start-up to build)."""

    __slots__ = ()
    _fields: tuple[tuple[str, Any], ...] = ()

    def __init__(self, *args: Any, **kw: Any) -> None:
        names = [f for f, _ in self._fields]
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields")
        values = dict(zip(names, args))
        for k, v in kw.items():
            if k not in names or k in values:
                raise TypeError(f"{type(self).__name__}: bad or repeated field {k!r}")
            values[k] = v
        for f, d in self._fields:
            if f not in values:
                if d is _REQUIRED:
                    raise TypeError(f"{type(self).__name__}: missing field {f!r}")
                values[f] = dict(d) if isinstance(d, dict) else d
            object.__setattr__(self, f, values[f])

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def replace(self, **kw: Any) -> Any:
        """A copy with some fields changed."""
        values = {f: getattr(self, f) for f, _ in self._fields}
        values.update(kw)
        return type(self)(**values)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, f) == getattr(other, f) for f, _ in self._fields)

    def __hash__(self) -> int:
        return hash(tuple(repr(getattr(self, f)) for f, _ in self._fields))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f, _ in self._fields)
        return f"{type(self).__name__}({inner})"

DEFAULT_STEPS = 100
MAX_STEPS = 10**9  # 8 GB of float64: beyond this, memory, not patience, is the limit


class Param(_Record):
    """One parameter: ``name`` is the Python name; the CLI flag is its kebab-case form.

    kind: float | int | length | lengths | choice | flag | metrics | text. ``percent_ok``:
    a length may be written "10%" of the run; ``none_means_n``: None means the whole run.
    """

    __slots__ = ("name", "kind", "default", "help", "aliases", "lo", "hi", "lo_open",
                 "hi_open", "choices", "percent_ok", "none_means_n", "modifier", "share_of")
    _fields = (("name", _REQUIRED), ("kind", _REQUIRED), ("default", _REQUIRED),
               ("help", _REQUIRED), ("aliases", ()), ("lo", None), ("hi", None),
               ("lo_open", False), ("hi_open", False), ("choices", ()), ("percent_ok", True),
               ("none_means_n", False), ("modifier", False), ("share_of", None))
    name: str
    kind: str
    default: Any
    help: str
    aliases: tuple[str, ...]
    lo: float | None
    hi: float | None
    lo_open: bool
    hi_open: bool
    choices: tuple[str, ...]
    percent_ok: bool
    none_means_n: bool
    modifier: bool  # an optional twist (k-decay): named in titles only when it is used
    share_of: str | None  # a float that may be written "P%" of this other parameter (a floor)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def flags(self) -> list[str]:
        return [self.flag] + ["--" + a.replace("_", "-") for a in self.aliases]

    def bounds_text(self) -> str:
        if self.lo is not None and self.hi is not None:
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            return f"in {left}{_fmt(self.lo)}, {_fmt(self.hi)}{right}"
        if self.lo is not None:
            return f"{'>' if self.lo_open else '>='} {_fmt(self.lo)}"
        if self.hi is not None:
            return f"{'<' if self.hi_open else '<='} {_fmt(self.hi)}"
        return ""

    def allowed_text(self) -> str:
        """What values are allowed, in words, for error messages and help."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "float":
            b = self.bounds_text()
            share = (f", or P% of --{self.share_of.replace('_', '-')}" if self.share_of
                     else "")
            return "a finite number" + (f" {b}" if b else "") + share
        if self.kind == "int":
            b = self.bounds_text()
            return "a whole number" + (f" {b}" if b else "")
        if self.kind in ("length", "lengths"):
            b = self.bounds_text()
            forms = "N, Nep, Ntok" + (", P% of --steps" if self.percent_ok else "")
            many = "comma-separated " if self.kind == "lengths" else ""
            return f"{many}whole steps{(' ' + b) if b else ''} ({forms})"
        if self.kind == "metrics":
            return "a file of numbers (one per line, or a CSV column) or - for stdin"
        return "text"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


class Length(_Record):
    """A length as written ("90ep", "10%", "2Ttok"), resolved once ``--steps`` is known."""

    __slots__ = ("value", "unit", "text", "default")
    _fields = (("value", _REQUIRED), ("unit", _REQUIRED), ("text", _REQUIRED),
               ("default", False))
    value: float
    unit: str  # "" steps, "ep" epochs, "%" percent of the run, "tok" tokens
    text: str
    default: bool  # lrsched's default, not the user's


class Share(_Record):
    """A float written as a share of another parameter ("1%" of --lr-max), resolved once
    that parameter is known."""

    __slots__ = ("percent", "text")
    _fields = (("percent", _REQUIRED), ("text", _REQUIRED))
    percent: float
    text: str

    def of(self, whole: float) -> float:
        """``whole * percent / 100``, to within an ulp (the float that reads shortest)."""
        if self.percent in (0, 100):  # none, or all of it: exact
            return 0.0 if self.percent == 0 else float(whole)
        # within an ulp of the product, keep the float that reads shortest: 1% of 3e-4 is
        # 3e-6 (the product of the two doubles rounds to 2.9999999999999997e-6)
        x = whole * self.percent / 100
        if abs(x) < sys.float_info.min:  # subnormal: an ulp is no longer a tiny share of x
            return x
        ways = [x, math.nextafter(x, math.inf), math.nextafter(x, -math.inf)]
        if self.percent <= 100:  # a share of at most the whole stays at most the whole
            ways = [v for v in ways if v <= whole] or [x]
        return min(ways, key=lambda v: len(repr(v)))


class Schedule(_Record):
    """A registry entry. ``kernel_name`` names a function of lrsched_cli.schedules.kernels;
    ``sequential``: state is carried step to step (plateau), so metrics follow t."""

    __slots__ = ("name", "summary", "formula", "reference", "kernel_name", "params", "checks",
                 "notes", "common_defaults", "default_steps", "sequential")
    _fields = (("name", _REQUIRED), ("summary", _REQUIRED), ("formula", _REQUIRED),
               ("reference", _REQUIRED), ("kernel_name", _REQUIRED), ("params", _REQUIRED),
               ("checks", ()), ("notes", ""), ("common_defaults", {}),
               ("default_steps", None), ("sequential", False))
    name: str
    summary: str
    formula: str
    reference: str
    kernel_name: str
    params: tuple[Param, ...]
    checks: tuple[Callable[[dict[str, Any], Spec], None], ...]
    notes: str
    common_defaults: Mapping[str, Any]
    default_steps: Callable[[dict[str, Any]], int | None] | None
    sequential: bool

    @property
    def kernel(self) -> Callable[..., Any]:
        """The numpy kernel (imports numpy on first use)."""
        from . import kernels

        return getattr(kernels, self.kernel_name)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


# --------------------------------------------------------------------------------------
# Common parameters: every schedule takes these (DESIGN.md §1 and the warmup of §2).

COMMON: tuple[Param, ...] = (
    Param("steps", "length", None, "Number of updates N (steps, or epochs with --per-epoch)",
          aliases=("max_epochs", "epochs"), lo=1, hi=MAX_STEPS,
          percent_ok=False),
    Param("start", "length", 0, "First index to output (for resuming)", lo=0,
          percent_ok=False),
    Param("unit", "choice", "step", "Label for the index: step or epoch (labels only)",
          choices=("step", "epoch")),
    Param("steps_per_epoch", "int", None, "Optimizer steps per epoch: converts lengths "
          "written as Nep, and with --per-epoch repeats each epoch's value", lo=1),
    Param("dataset_size", "int", None, "Samples per epoch: with --batch-size gives the steps "
          "per epoch, as PyTorch's DataLoader counts batches", lo=1),
    Param("batch_size", "int", None, "Samples per batch (per forward pass)", lo=1),
    Param("grad_accum", "int", 1, "Batches per optimizer step (gradient accumulation)", lo=1),
    Param("drop_last", "flag", False, "The DataLoader drops the last partial batch"),
    Param("seq_len", "int", None, "Tokens per sample: with --batch-size converts Ntok", lo=1),
    Param("tokens_per_step", "float", None, "Tokens per optimizer step (converts lengths "
          "written as Ntok, e.g. 2Ttok)", lo=0, lo_open=True),
    Param("per_epoch", "flag", False, "Step the schedule once an epoch (N counts epochs) "
          "and output one row per optimizer step"),
    Param("warmup", "length", 0, "Warmup length W", lo=0),
    Param("warmup_start", "float", 0.0, "Warmup start value", lo=0),
    Param("warmup_shape", "choice", "linear", "Warmup shape (log: DeepSpeed's)",
          choices=("linear", "cosine", "exponential", "log")),
    Param("warmup_mode", "choice", "prefix", "prefix: the schedule runs over the remaining "
          "N-W steps; overlay: the warmup replaces its first W values",
          choices=("prefix", "overlay")),
    Param("hold", "length", 0, "Hold the peak for H steps after the warmup, then run the "
          "schedule over what remains", lo=0),
    Param("warmup_target", "choice", "handover", "What an overlay warmup ramps to: the value "
          "where the schedule takes over (handover) or its first value (peak: BERT's code, "
          "timm)", choices=("handover", "peak")),
)
COMMON_NAMES = frozenset(p.name for p in COMMON)
COMMON_BY_NAME = {p.name: p for p in COMMON}


# --------------------------------------------------------------------------------------
# Parsing and validation.

_LENGTH_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKmMbBtT]?)\s*"
                        r"(ep|epochs?|%|tok|tokens?)?\s*$")
_MULT = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def _bad(p: Param, value: Any) -> UsageError:
    shown = value if isinstance(value, str) else repr(value)
    return UsageError(f"invalid value for {p.flag}: '{shown}' (allowed: {p.allowed_text()})")


def _check_bounds(p: Param, x: float, raw: Any) -> None:
    if p.lo is not None and (x < p.lo or (p.lo_open and x == p.lo)):
        raise _bad(p, raw)
    if p.hi is not None and (x > p.hi or (p.hi_open and x == p.hi)):
        raise _bad(p, raw)


_SHARE_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*%\s*$")


def parse_float(p: Param, raw: Any) -> float | Share:
    """A finite float within ``p``'s bounds; for a ``share_of`` parameter, "P%" gives a
    :class:`Share` resolved against the other parameter."""
    if isinstance(raw, bool):
        raise _bad(p, raw)
    if isinstance(raw, Share):
        return raw
    if p.share_of and isinstance(raw, str) and "%" in raw:
        m = _SHARE_RE.match(raw)
        if not m or not math.isfinite(float(m.group(1))):
            raise _bad(p, raw)
        return Share(float(m.group(1)), raw.strip())
    try:
        x = float(raw.strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise _bad(p, raw) from None
    if not math.isfinite(x):
        raise _bad(p, raw)
    _check_bounds(p, x, raw)
    return x


def parse_int(p: Param, raw: Any) -> int:
    if isinstance(raw, bool):
        raise _bad(p, raw)
    whole = (
        isinstance(raw, numbers.Integral)
        or (isinstance(raw, float) and raw.is_integer())
        or (isinstance(raw, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", raw) is not None)
    )
    if not whole:
        raise _bad(p, raw)
    x = int(raw)
    _check_bounds(p, x, raw)
    return x


def parse_length(p: Param, raw: Any, default: bool = False) -> int | Length:
    """An int, or a Length to resolve once N is known ("90ep", "10%", "2Ttok").

    ``default``: the value is lrsched's default, not the user's (a default percentage
    rounds to the nearest step; the user's must come out whole).
    """
    if isinstance(raw, Length):
        return raw
    if isinstance(raw, str):
        m = _LENGTH_RE.match(raw)
        if not m:
            raise _bad(p, raw)
        unit = m.group(3) or ""
        unit = "ep" if unit.startswith("ep") else "tok" if unit.startswith("tok") else unit
        mult = m.group(2).lower()
        if mult and unit != "tok":
            raise _bad(p, raw)  # K/M/B/T multiply token counts ("2Ttok"), nothing else
        value = float(m.group(1)) * _MULT[mult]
        if unit == "%" and not p.percent_ok:
            raise _bad(p, raw)
        if unit:
            if not math.isfinite(value):
                raise _bad(p, raw)
            return Length(value, unit, raw.strip(), default)
        if not value.is_integer():  # "1e6" is a whole number; "2.5" is not
            raise _bad(p, raw)
        if value >= 2**63:
            raise _bad(p, raw)
        x = int(value)
        _check_bounds(p, x, raw)
        return x
    return parse_int(p, raw)


def parse_choice(p: Param, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _bad(p, raw)
    key = raw.strip().lower()
    for c in p.choices:
        if key == c or key.replace("-", "_") == c.replace("-", "_"):
            return c
    raise _bad(p, raw)


def parse_flag(p: Param, raw: Any) -> bool:
    if isinstance(raw, bool) or type(raw).__name__ == "bool_":  # numpy's bool too
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in ("1", "true", "yes", "on", "0", "false",
                                                        "no", "off"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    raise UsageError(f"invalid value for {p.flag}: '{raw}' (allowed: true or false)")


def parse_value(p: Param, raw: Any, context: Mapping[str, Any] | None = None) -> Any:
    """Parse one raw value (CLI text or Python object) for parameter ``p``."""
    if raw is None:
        return None
    if p.kind == "float":
        return parse_float(p, raw)
    if p.kind == "int":
        return parse_int(p, raw)
    if p.kind == "length":
        return parse_length(p, raw, default=bool(context and context.get("_default")))
    if p.kind == "lengths":
        items: Sequence[Any]
        if isinstance(raw, str):
            items = [s for s in raw.split(",")]
            if any(not s.strip() for s in items):
                raise _bad(p, raw)
        elif isinstance(raw, (list, tuple)) or hasattr(raw, "tolist"):
            items = list(raw.tolist() if hasattr(raw, "tolist") else raw)
        else:
            raise _bad(p, raw)
        return tuple(parse_length(p, s, default=bool(context and context.get("_default")))
                     for s in items)
    if p.kind == "choice":
        return parse_choice(p, raw)
    if p.kind == "flag":
        return parse_flag(p, raw)
    if p.kind == "metrics":
        from ..files.metrics import read_metrics

        column = (context or {}).get("metrics_column")
        return read_metrics(raw, column=column, flag=p.flag)
    if p.kind == "text":
        if not isinstance(raw, str):
            raise _bad(p, raw)
        return raw
    raise AssertionError(p.kind)  # pragma: no cover
