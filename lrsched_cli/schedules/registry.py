"""The schedule registry: one declarative entry per schedule, and all validation.

An entry names a schedule, its parameters (type, default, bounds, aliases, help), its
kernel, formula and reference. :func:`resolve` turns raw values (command-line strings or
Python values) into a validated :class:`Spec`; both the CLI and the Python API go
through it, so a value is accepted or refused the same way everywhere.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import UsageError

# numpy is not imported here: the registry is read by --help and shell completion, which
# must start fast. Kernels are looked up by name in lrsched_cli.kernels when evaluated.

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
        if self.percent == 0:
            return 0.0
        # within an ulp of the product, keep the float that reads shortest: 1% of 3e-4 is
        # 3e-6 (the product of the two doubles rounds to 2.9999999999999997e-6)
        x = whole * self.percent / 100
        if abs(x) < sys.float_info.min:  # subnormal: an ulp is no longer a tiny share of x
            return x
        ways = [x, math.nextafter(x, math.inf), math.nextafter(x, -math.inf)]
        return min(ways, key=lambda v: len(repr(v)))


class Schedule(_Record):
    """A registry entry. ``kernel_name`` names a function of lrsched_cli.kernels;
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
# Parameter builders shared by entries.

def _lr(name: str = "initial_lr", default: float = 1.0, help: str = "Initial learning rate lr0",
        aliases: tuple[str, ...] = ("lr", "base_lr")) -> Param:
    return Param(name, "float", default, help, aliases=aliases, lo=0, lo_open=True)


def _floor(help: str, aliases: tuple[str, ...] = (), default: str = "1%",
           lo_open: bool = False) -> Param:
    """``lr_min``: a floor that follows the peak (``lr_max``) unless given; "P%" of the peak
    or an absolute rate. Default 1%: the source document's 0.001 at its 0.1."""
    return Param("lr_min", "float", default, help, aliases=aliases, lo=0, lo_open=lo_open,
                 share_of="lr_max")


def _timing() -> Param:
    return Param("timing", "choice", "document", "When the step drops: 'document' "
                 "(floor((1+t)/s), first drop at t=s-1) or 'torch' (StepLR, floor(t/s), "
                 "first drop at t=s)", choices=("document", "torch"))


def _check_min_max(lo_name: str, hi_name: str) -> Callable[[dict[str, Any], Spec], None]:
    def check(p: dict[str, Any], spec: Spec) -> None:
        if p[lo_name] > p[hi_name]:
            raise UsageError(
                f"--{lo_name.replace('_', '-')} {_fmt(p[lo_name])} is above "
                f"--{hi_name.replace('_', '-')} {_fmt(p[hi_name])}; it must be at most that"
            )
    return check


def _check_one_cycle(p: dict[str, Any], spec: Spec) -> None:
    n = spec.kernel_n
    from .kernels import one_cycle_phases

    phases = one_cycle_phases(n, p["max_lr"], p["pct_start"], p["div_factor"],
                                      p["final_div_factor"], p["three_phase"])
    start = 0.0
    names = ("warm-up", "second", "third")
    for i, (end, _, _) in enumerate(phases):
        if end == start:
            raise UsageError(
                f"one-cycle: --pct-start {_fmt(p['pct_start'])} with --steps {n} gives the "
                f"{names[i]} phase zero length (phase ends at step {_fmt(end)}); "
                "change --pct-start or --steps"
            )
        start = end


def _check_wsd(p: dict[str, Any], spec: Spec) -> None:
    n = spec.kernel_n
    if p["decay_steps"] > n:
        raise UsageError(
            f"wsd: --decay-steps {p['decay_steps']} is longer than the {n} steps left after "
            "warmup; it must be at most that"
        )


def _plateau_steps(p: dict[str, Any]) -> int | None:
    return len(p["metrics"])


def _check_plateau(p: dict[str, Any], spec: Spec) -> None:
    if spec.n > len(p["metrics"]):
        raise UsageError(
            f"plateau: --steps {spec.n} needs {spec.n} metrics (one per epoch); the metrics "
            f"given have {len(p['metrics'])}"
        )


_STEP_SIZE = Param("step_size", "length", 10, "Steps between drops s", lo=1)
_K_DECAY = Param("k_decay", "float", 1.0, "k-decay: t/N becomes t^k/N^k (Zhang et al. 2020, "
                 "as timm); 1 is the plain schedule", lo=0, lo_open=True, hi=100,
                 modifier=True)


def _check_stlr(p: dict[str, Any], spec: Spec) -> None:
    n = spec.kernel_n
    cut = math.floor(n * p["cut_frac"])
    if cut < 1:
        raise UsageError(f"stlr: --cut-frac {_fmt(p['cut_frac'])} of {n} steps gives no "
                         "warm-up step (floor(N * cut_frac) = 0); raise either")
    if p["variant"] == "paper" and cut < n:
        last = 1 - (n - 1 - cut) / (cut * (1 / p["cut_frac"] - 1))
        if 1 + last * (p["ratio"] - 1) < 0:
            raise UsageError(
                f"stlr: with {n} steps the paper's formula goes negative near the end (N * "
                f"cut_frac = {n * p['cut_frac']:g} is not whole, so its decay is shorter than "
                "the run): use --variant clamped (Axect's, decays over N - cut), or --steps "
                "with a whole N * cut_frac")


def _check_hyperbolic(p: dict[str, Any], spec: Spec) -> None:
    if p["upper_bound"] < spec.kernel_n:
        raise UsageError(f"{spec.name}: --upper-bound {_fmt(p['upper_bound'])} is below the "
                         f"{spec.kernel_n} steps; the square root in h(x) would go negative "
                         "(the author's code raises 'math domain error'): it must be at least "
                         "--steps")
    if p["lr_min"] >= p["lr_max"]:
        raise UsageError(f"{spec.name}: --lr-min must be below --lr-max")


def _check_tri_stage(p: dict[str, Any], spec: Spec) -> None:
    total = p["warmup_steps"] + p["hold_steps"] + p["decay_steps"]
    if total > spec.kernel_n:
        raise UsageError(f"tri-stage: warmup + hold + decay = {total} steps, more than the "
                         f"{spec.kernel_n} steps of the run")

SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "step", "Step decay: multiply by d every s steps (source document's timing)",
        "lr0 * d ** floor((1 + t) / s)   [--timing torch: lr0 * d ** floor(t / s)]",
        "Source document; PyTorch StepLR with --timing torch",
        "step_decay",
        (_lr(), Param("decay_factor", "float", 0.5, "Decay factor d", aliases=("gamma",),
                      lo=0, lo_open=True, hi=1), _STEP_SIZE, _timing()),
        notes="The document's formula drops one step earlier than PyTorch's StepLR: with "
              "s=10, lr0=1, d=0.5 the document gives lr[9]=0.5, StepLR gives lr[9]=1.0 and "
              "drops at t=10. --timing torch gives StepLR's timing.",
    ),
    Schedule(
        "exponential", "Exponential decay lr0 * exp(-k t)",
        "lr0 * exp(-k * t)", "Source document; PyTorch ExponentialLR with gamma = exp(-k)",
        "exponential",
        (_lr(), Param("decay_rate", "float", 0.05, "Decay rate k", lo=0)),
    ),
    Schedule(
        "cosine", "Cosine annealing from lr-max down towards lr-min over the run",
        "lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(t / N * pi))",
        "Source document; Loshchilov & Hutter 2017 (SGDR) without restarts; PyTorch "
        "CosineAnnealingLR(T_max=N)",
        "cosine",
        (_floor("Final (lowest) learning rate", aliases=("eta_min",)),
         Param("lr_max", "float", 0.1, "Initial (highest) learning rate",
               aliases=("lr", "max_lr", "base_lr"), lo=0, lo_open=True), _K_DECAY),
        checks=(_check_min_max("lr_min", "lr_max"),),
    ),
    Schedule(
        "polynomial", "Polynomial decay to zero at N",
        "lr0 * (1 - t / N) ** power", "Source document; PyTorch PolynomialLR(total_iters=N)",
        "polynomial",
        (_lr(), Param("power", "float", 2.0, "Exponent", lo=0), _K_DECAY),
    ),
    Schedule(
        "natural-exp", "Natural exponential decay (the document lists it apart; = exponential)",
        "lr0 * exp(-k * t)", "Source document",
        "exponential",
        (_lr(), Param("decay_rate", "float", 0.05, "Decay rate k", lo=0)),
    ),
    Schedule(
        "staircase-exp", "Exponential decay in stairs of s steps",
        "lr0 * exp(-k * floor((1 + t) / s))   [--timing torch: lr0 * exp(-k * floor(t / s))]",
        "Source document; PyTorch StepLR(gamma=exp(-k)) with --timing torch",
        "staircase_exp",
        (_lr(), Param("decay_rate", "float", 0.05, "Decay rate k", lo=0), _STEP_SIZE,
         _timing()),
        notes="Same one-step difference from StepLR as 'step'; --timing torch removes it.",
    ),
    Schedule(
        "cyclic", "Cyclical learning rate: triangular waves between lr-min and lr-max",
        "cycle = floor(1 + t/(up+down)); x = 1 + t/(up+down) - cycle; "
        "s = x/r if x <= r else (x-1)/(r-1), r = up/(up+down); "
        "lr = lr_min + (lr_max - lr_min) * s * scale; scale = 1 | 1/2**(cycle-1) | gamma**t",
        "Smith 2017, Cyclical Learning Rates for Training Neural Networks; PyTorch CyclicLR",
        "cyclic",
        (_floor("Lower bound", aliases=("base_lr",)),
         Param("lr_max", "float", 0.1, "Upper bound (the peak)", aliases=("lr", "max_lr"),
               lo=0, lo_open=True),
         Param("step_size", "length", 10, "Steps going up (half cycle)",
               aliases=("step_size_up",), lo=1),
         Param("step_size_down", "length", None, "Steps going down (default: --step-size)",
               lo=1),
         Param("mode", "choice", "triangular", "Amplitude policy",
               choices=("triangular", "triangular2", "exp_range")),
         Param("gamma", "float", 0.99, "exp_range decay per step (PyTorch's default is 1.0)",
               lo=0, lo_open=True, hi=1)),
        checks=(_check_min_max("lr_min", "lr_max"),),
    ),
    Schedule(
        "sgdr", "Cosine annealing with warm restarts (SGDR)",
        "lr_min + (peak_c - lr_min) * (1 + cos(pi * T_cur / T_i)) / 2, T_i = t0 * t_mult**c, "
        "peak_c = lr_min + (lr_max - lr_min) * restart_decay**c",
        "Loshchilov & Hutter 2017, SGDR: Stochastic Gradient Descent with Warm Restarts; "
        "PyTorch CosineAnnealingWarmRestarts",
        "sgdr",
        (Param("t0", "length", 10, "Length of the first period", aliases=("T_0",), lo=1),
         Param("t_mult", "int", 2, "Period multiplier after each restart",
               aliases=("T_mult",), lo=1),
         _floor("Lowest learning rate", aliases=("eta_min",)),
         Param("lr_max", "float", 0.1, "Peak learning rate",
               aliases=("lr", "max_lr", "base_lr"), lo=0, lo_open=True),
         Param("restart_decay", "float", 1.0, "Multiply the height above lr-min by this at "
               "each restart",
               lo=0, lo_open=True, hi=1)),
        checks=(_check_min_max("lr_min", "lr_max"),),
    ),
    Schedule(
        "one-cycle", "1cycle: warm up to max-lr, then anneal far below the start",
        "phases initial=max_lr/div -> max_lr -> initial/final_div, ending at steps pct*N-1 "
        "and N-1; cos: b + (a-b)/2*(cos(pi*p)+1), linear: (b-a)*p + a",
        "Smith & Topin 2019, Super-Convergence; PyTorch OneCycleLR",
        "one_cycle",
        (Param("max_lr", "float", 0.1, "Peak learning rate", aliases=("lr", "lr_max"), lo=0,
               lo_open=True),
         Param("pct_start", "float", 0.3, "Fraction of the run spent increasing", lo=0, hi=1),
         Param("anneal_strategy", "choice", "cos", "Annealing shape", choices=("cos", "linear")),
         Param("div_factor", "float", 25.0, "initial lr = max_lr / div_factor", lo=0,
               lo_open=True),
         Param("final_div_factor", "float", 1e4, "min lr = initial lr / final_div_factor",
               lo=0, lo_open=True),
         Param("three_phase", "flag", False, "Anneal back to the initial lr before the end")),
        checks=(_check_one_cycle,),
    ),
    Schedule(
        "plateau", "Reduce on plateau, driven by a series of metrics",
        "after more than patience epochs without improvement: lr = max(lr * factor, min_lr) "
        "(only if the drop exceeds eps), then cooldown",
        "PyTorch ReduceLROnPlateau; lr[i] is the lr of epoch i, whose metric is metrics[i]",
        "plateau",
        (_lr(default=0.1),
         Param("metrics", "metrics", None, "Metrics file (one number per line, or a CSV "
               "column) or - for stdin"),
         Param("metrics_column", "text", None, "Column of a CSV metrics file (name or "
               "1-based number)"),
         Param("mode", "choice", "min", "Whether the metric should go down or up",
               choices=("min", "max")),
         Param("factor", "float", 0.1, "Multiply the lr by this on a plateau", lo=0, hi=1,
               hi_open=True),
         Param("patience", "int", 10, "Epochs without improvement tolerated", lo=0),
         Param("threshold", "float", 1e-4, "Least change that counts as improvement", lo=0),
         Param("threshold_mode", "choice", "rel", "Threshold relative or absolute",
               choices=("rel", "abs")),
         Param("cooldown", "int", 0, "Epochs to wait after a reduction", lo=0),
         Param("min_lr", "float", 0.0, "Lower bound on the lr", lo=0),
         Param("eps", "float", 1e-8, "Smaller drops are not applied", lo=0)),
        checks=(_check_plateau,),
        default_steps=_plateau_steps,
        sequential=True,
    ),
    Schedule(
        "multistep", "Multiply by gamma at each milestone",
        "lr0 * gamma ** bisect_right(sorted(milestones), t)", "PyTorch MultiStepLR",
        "multistep",
        (_lr(default=0.1),
         Param("milestones", "lengths", (30, 60, 90), "Steps at which the lr drops", lo=0),
         Param("gamma", "float", 0.1, "Decay factor", aliases=("decay_factor",), lo=0,
               lo_open=True, hi=1)),
    ),
    Schedule(
        "linear", "Linear change of the lr factor from start-factor to end-factor",
        "lr0 * (sf + (ef - sf) * min(T, t) / T)", "PyTorch LinearLR",
        "linear",
        (_lr(default=0.1),
         Param("start_factor", "float", 1.0, "Factor at t = 0", lo=0),
         Param("end_factor", "float", 0.0, "Factor from t = T on", lo=0),
         Param("total_iters", "length", None, "T: steps to reach end-factor (default: N)",
               lo=1, none_means_n=True)),
    ),
    Schedule(
        "constant", "Constant lr (optionally scaled by factor for the first T steps)",
        "lr0 * (factor + (t >= T) * (1 - factor))", "PyTorch ConstantLR",
        "constant",
        (_lr(default=0.1),
         Param("factor", "float", 1.0, "Scale for the first T steps", lo=0, lo_open=True,
               hi=1),
         Param("total_iters", "length", 0, "T: steps at the scaled lr", lo=0)),
    ),
    Schedule(
        "inverse-sqrt", "Inverse square root decay after a constant start",
        "lr0 * sqrt(tau / max(t, tau))",
        "Vaswani et al. 2017 (Attention Is All You Need); Raffel et al. 2020 (T5)",
        "inverse_sqrt",
        (_lr(default=0.1),
         Param("timescale", "length", 10, "tau: steps before the decay starts", lo=1)),
    ),
    Schedule(
        "wsd", "Warmup-stable-decay: warm up, hold, decay in the last steps",
        "lr_max until N-D, then lr_min + (lr_max - lr_min) * f((t - (N-D)) / D), "
        "f = 1-p | (1+cos(pi p))/2 | 1-sqrt(p); warmup by --warmup",
        "Hu et al. 2024 (MiniCPM); Hägele et al. 2024 (Scaling Laws and Compute-Optimal "
        "Training Beyond Fixed Training Durations)",
        "wsd",
        (Param("lr_max", "float", 0.1, "Stable learning rate (the peak)",
               aliases=("lr", "max_lr", "base_lr"), lo=0, lo_open=True),
         _floor("Learning rate reached at the end of the decay", aliases=("eta_min",)),
         Param("decay_steps", "length", "20%", "D: length of the final decay", lo=1),
         Param("decay_shape", "choice", "linear", "Decay shape",
               choices=("linear", "cosine", "1-sqrt"))),
        checks=(_check_min_max("lr_min", "lr_max"), _check_wsd),
        common_defaults={"warmup": "10%"},
    ),
)

_NOAM_REF = ("Vaswani et al. 2017, Attention Is All You Need, Sec. 5.3 eq. (3); paper: "
             "1-based step (tensor2tensor legacy, Annotated Transformer 2018); fairseq: "
             "inverse_sqrt, first update at t = 0 with lr 0; t2t: tensor2tensor's current "
             "default")
SCHEDULES = SCHEDULES + (
    Schedule(
        "stlr", "Slanted triangular LR (ULMFiT): short linear rise, long linear fall",
        "cut = floor(N*cut_frac); p = t/cut before it, then 1 - (t-cut)/(cut*(1/cut_frac-1)); "
        "lr = lr_max * (1 + p*(ratio-1)) / ratio",
        "Howard & Ruder 2018, Universal Language Model Fine-tuning (ULMFiT), Sec. 3.2; "
        "tensorflow/mesh slanted_triangular. --variant clamped: Axect/pytorch-scheduler",
        "stlr",
        (Param("lr_max", "float", 0.01, "Peak learning rate", aliases=("lr", "max_lr"), lo=0,
               lo_open=True),
         Param("cut_frac", "float", 0.1, "Fraction of the run spent rising", lo=0, lo_open=True,
               hi=1, hi_open=True),
         Param("ratio", "float", 32.0, "How much smaller the lowest lr is than the peak",
               lo=1),
         Param("variant", "choice", "paper", "paper (mesh_tensorflow) or clamped (Axect: decays "
               "over N - cut, never below lr_max/ratio)", choices=("paper", "clamped"))),
        checks=(_check_stlr,),
        notes="When N * cut_frac is not whole, the paper's decay ends before the run and then "
              "goes negative; lrsched refuses that and names --variant clamped.",
    ),
    Schedule(
        "rex", "REX: reflected exponential decay to lr-min",
        "z = t/N; lr_min + (lr_max - lr_min) * (1 - z) / (1 - z/2)",
        "Chen, Wolfe & Kyrillidis 2022, REX: Revisiting Budgeted Training with an Improved "
        "Schedule (MLSys); as Axect/pytorch-scheduler and pytorch-optimizer implement it",
        "rex",
        (Param("lr_max", "float", 1.0, "Initial learning rate (the peak)",
               aliases=("lr", "max_lr"), lo=0, lo_open=True),
         _floor("Final learning rate", aliases=("min_lr",))),
        checks=(_check_min_max("lr_min", "lr_max"),),
    ),
    Schedule(
        "noam", "The Transformer's schedule: linear warmup, then 1/sqrt(step)",
        "factor * d_model^-0.5 * min(s^-0.5, s * warmup^-1.5), s = t + 1 (paper)",
        _NOAM_REF, "noam",
        (Param("d_model", "int", 512, "Model width d_model", lo=1),
         Param("warmup_steps", "length", 4000, "Warmup steps", lo=1),
         Param("factor", "float", 1.0, "Multiplier", lo=0, lo_open=True),
         Param("convention", "choice", "paper", "Which step the first update uses: paper "
               "(1-based), fairseq (0-based, lr 0 first), t2t (tensor2tensor v3)",
               choices=("paper", "fairseq", "t2t"))),
        default_steps=lambda p: 100_000,
    ),
    Schedule(
        "rsqrt", "T5's inverse square root: constant, then 1/sqrt(t)",
        "factor / sqrt(max(t, k))",
        "Raffel et al. 2020, Exploring the Limits of Transfer Learning (T5); tensorflow/mesh "
        "truncated_rsqrt",
        "rsqrt",
        (Param("factor", "float", 1.0, "Multiplier", lo=0, lo_open=True),
         Param("warmup_steps", "length", 10_000, "k: steps at the constant start", lo=1)),
        default_steps=lambda p: 100_000,
    ),
    Schedule(
        "tri-stage", "fairseq's tri-stage: linear warmup, hold, exponential decay",
        "init + t*(peak-init)/W; peak for H steps; peak*exp(-k*(t-W-H)), k = -ln(final)/D; "
        "then final",
        "fairseq tri_stage_lr_scheduler.py (its code; the docstring differs), after SpecAugment "
        "(Park et al. 2019)",
        "tri_stage",
        (Param("lr_max", "float", 1e-3, "Peak learning rate", aliases=("lr", "max_lr"), lo=0,
               lo_open=True),
         Param("warmup_steps", "length", "10%", "W: warmup steps", lo=0),
         Param("hold_steps", "length", "40%", "H: steps at the peak", lo=0),
         Param("decay_steps", "length", "50%", "D: steps of exponential decay", lo=0),
         Param("init_lr_scale", "float", 0.01, "Start at init_lr_scale * peak", lo=0),
         Param("final_lr_scale", "float", 0.01, "End at final_lr_scale * peak", lo=0,
               lo_open=True, hi=1)),
        checks=(_check_tri_stage,),
    ),
    Schedule(
        "hyperbolic", "HyperbolicLR: epoch-insensitive hyperbolic decay",
        "lr_max + (lr_max - lr_min) * (h(t) - h(0)), h(x) = sqrt((N-x)/U * (2 - (N+x)/U))",
        "Kim 2024, HyperbolicLR: Epoch insensitive learning rate scheduler (arXiv:2407.15200); "
        "the author's code (Axect/HyperbolicLR)",
        "hyperbolic",
        (Param("lr_max", "float", 0.01, "eta_init: the initial learning rate",
               aliases=("lr", "max_lr"), lo=0, lo_open=True),
         _floor("eta_inf: the infimum", default="0.01%"),
         Param("upper_bound", "float", 1000.0, "U: at least --steps", lo=1)),
        checks=(_check_hyperbolic,),
    ),
    Schedule(
        "exp-hyperbolic", "ExpHyperbolicLR: hyperbolic decay in log space",
        "lr_max * (lr_max / lr_min) ** (h(t) - h(0))",
        "Kim 2024 (arXiv:2407.15200); the author's code (Axect/HyperbolicLR)",
        "exp_hyperbolic",
        (Param("lr_max", "float", 0.01, "eta_init: the initial learning rate",
               aliases=("lr", "max_lr"), lo=0, lo_open=True),
         _floor("eta_inf: the infimum", default="0.01%", lo_open=True),
         Param("upper_bound", "float", 1000.0, "U: at least --steps", lo=1)),
        checks=(_check_hyperbolic,),
    ),
    Schedule(
        "fastai-one-cycle", "fastai's fit_one_cycle: cosine up over 25%, cosine down",
        "pos = t/N; sched_cos(lr/div, lr, pos/pct) before pct_start, then "
        "sched_cos(lr, lr/div_final, (pos-pct)/(1-pct)); sched_cos(a, b, p) = "
        "a + (1 + cos(pi*(1-p)))*(b-a)/2",
        "fastai 2.8 fit_one_cycle (callback/schedule.py: combined_cos)",
        "fastai_one_cycle",
        (Param("lr_max", "float", 1e-3, "Peak learning rate (fastai's defaults.lr)",
               aliases=("lr", "max_lr"), lo=0, lo_open=True),
         Param("div", "float", 25.0, "Start at lr_max / div", lo=0, lo_open=True),
         Param("div_final", "float", 1e5, "End at lr_max / div_final", lo=0, lo_open=True),
         Param("pct_start", "float", 0.25, "Fraction of the run spent rising", lo=0,
               lo_open=True, hi=1, hi_open=True)),
    ),
    Schedule(
        "inverse-time", "Inverse-time decay lr0 / (1 + rate * t / T)",
        "lr0 / (1 + decay_rate * t / decay_steps)   [--staircase: floor(t / decay_steps)]",
        "Keras InverseTimeDecay",
        "inverse_time",
        (_lr(default=0.1), Param("decay_rate", "float", 0.5, "Decay rate", lo=0),
         Param("decay_steps", "length", 1, "T", lo=1),
         Param("staircase", "flag", False, "Floor t / T")),
    ),
)

_BY_NAME = {s.name: s for s in SCHEDULES}


def names() -> list[str]:
    return [s.name for s in SCHEDULES]


def get(name: str) -> Schedule:
    """The entry called ``name``; a UsageError listing the names otherwise."""
    key = name.strip().lower().replace("_", "-")
    if key in _BY_NAME:
        return _BY_NAME[key]
    import difflib

    close = difflib.get_close_matches(key, names(), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise UsageError(f"unknown schedule '{name}'{hint}; choose from {', '.join(names())}")


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


def _resolve_length(p: Param, v: int | Length, n: int | None, spe: int | None,
                    tokens: float | None = None) -> int:
    """Steps from a length: ``Nep`` x steps per epoch, ``P%`` of the run, ``Ntok`` / tokens
    per step. What does not come out whole is refused with the nearest whole values (a
    default percentage rounds to the nearest step)."""
    if not isinstance(v, Length):
        return v
    if v.unit == "ep":
        if spe is None:
            raise UsageError(f"{p.flag} {v.text} is in epochs: give --steps-per-epoch, or "
                             "--dataset-size with --batch-size")
        x, what = v.value * spe, f"epochs of {spe} steps"
    elif v.unit == "tok":
        if tokens is None:
            raise UsageError(f"{p.flag} {v.text} is in tokens: give --tokens-per-step, or "
                             "--batch-size with --seq-len")
        x, what = v.value / tokens, f"steps of {tokens:g} tokens"
    else:
        assert n is not None
        x, what = v.value / 100 * n, f"of {n} steps"
        if v.default:
            x = math.floor(x + 0.5)
    if not abs(x - round(x)) < 1e-9 * max(1.0, abs(x)):
        lo, hi = math.floor(x), math.ceil(x)
        raise UsageError(f"{p.flag} {v.text} is {x:.10g} steps ({what}), not a whole number: "
                         f"use {lo} or {hi}")
    out = int(round(x))
    _check_bounds(p, out, v.text)
    return out


class Spec(_Record):
    """A validated schedule: entry, its parameters, and the run settings of DESIGN.md §1.

    ``params`` are the kernel's parameters, resolved; ``n`` the steps (epochs with
    per_epoch) the schedule runs over, warmup included; ``explicit`` what the user set.
    """

    __slots__ = ("entry", "params", "n", "start", "unit", "steps_per_epoch", "per_epoch",
                 "warmup", "warmup_start", "warmup_shape", "warmup_mode", "explicit", "hold",
                 "warmup_target")
    _fields = (("entry", _REQUIRED), ("params", _REQUIRED), ("n", _REQUIRED),
               ("start", _REQUIRED), ("unit", _REQUIRED), ("steps_per_epoch", _REQUIRED),
               ("per_epoch", _REQUIRED), ("warmup", _REQUIRED), ("warmup_start", _REQUIRED),
               ("warmup_shape", _REQUIRED), ("warmup_mode", _REQUIRED),
               ("explicit", frozenset()), ("hold", 0), ("warmup_target", "handover"))
    entry: Schedule
    params: dict[str, Any]
    n: int
    start: int
    unit: str
    steps_per_epoch: int | None
    per_epoch: bool
    warmup: int
    warmup_start: float
    warmup_shape: str
    warmup_mode: str
    explicit: frozenset[str]
    hold: int
    warmup_target: str

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def kernel_n(self) -> int:
        """Steps the main kernel runs over (N - W - H in prefix mode; N - H in overlay)."""
        return self.n - self.hold - (self.warmup if self.warmup_mode == "prefix" else 0)

    def kernel_params(self) -> dict[str, Any]:
        """The keyword arguments of the kernel: text-only options dropped, N defaults filled."""
        out = {}
        for p in self.entry.params:
            if p.kind == "text":
                continue
            v = self.params[p.name]
            if v is None and p.none_means_n:
                v = self.kernel_n
            out[p.name] = v
        return out

    def key_params(self) -> dict[str, Any]:
        """All parameters and the run settings that differ from their defaults."""
        out: dict[str, Any] = {}
        for p in self.entry.params:
            if p.kind in ("metrics", "text") or self.params[p.name] is None:
                continue
            if p.modifier and self.params[p.name] == p.default:
                continue
            out[p.name] = self.params[p.name]
        out["steps"] = self.n
        if self.warmup:
            out.update(warmup=self.warmup, warmup_start=self.warmup_start,
                       warmup_shape=self.warmup_shape, warmup_mode=self.warmup_mode)
            if self.warmup_target != "handover":
                out["warmup_target"] = self.warmup_target
        if self.hold:
            out["hold"] = self.hold
        if self.per_epoch:
            out.update(per_epoch=True, steps_per_epoch=self.steps_per_epoch)
        if self.start:
            out["start"] = self.start
        return out


def _run_length(values: Mapping[str, Any], default_n: int | None
                ) -> tuple[int | None, float | None, int | None]:
    """(steps per epoch, tokens per step, N) from the parsed run options of DESIGN.md §1.

    Steps per epoch: ``--steps-per-epoch``, or ``--dataset-size`` / ``--batch-size`` batches
    (rounded up, down with ``--drop-last``) per ``--grad-accum``, as the HF Trainer counts
    update steps. N: ``--steps`` in any length form, else ``default_n``.
    """
    spe = values["steps_per_epoch"]
    if spe is None and values["dataset_size"] is not None:
        if values["batch_size"] is None:
            raise UsageError("--dataset-size needs --batch-size to count steps per epoch")
        size, batch = values["dataset_size"], values["batch_size"]
        batches = size // batch if values["drop_last"] else -(-size // batch)
        spe = batches // values["grad_accum"]  # as the HF Trainer counts update steps
        if spe < 1:
            raise UsageError(f"--dataset-size {size} with --batch-size {batch} and --grad-accum "
                             f"{values['grad_accum']} gives no whole optimizer step per epoch")
    tokens = values["tokens_per_step"]
    if tokens is None and values["seq_len"] is not None and values["batch_size"] is not None:
        tokens = float(values["batch_size"] * values["seq_len"] * values["grad_accum"])
    steps_p = COMMON_BY_NAME["steps"]
    if values["per_epoch"] and spe is None:
        raise UsageError("--per-epoch needs --steps-per-epoch (or --dataset-size with "
                         "--batch-size)")
    raw_n = values["steps"]
    if raw_n is None:
        n = default_n
    elif values["per_epoch"] and isinstance(raw_n, Length) and raw_n.unit == "ep":
        n = _resolve_length(steps_p, raw_n, None, 1, tokens)  # N counts epochs: Nep is N
    elif values["per_epoch"] and isinstance(raw_n, Length) and raw_n.unit == "tok":
        steps = _resolve_length(steps_p, raw_n, None, spe, tokens)
        if steps % spe:
            raise UsageError(f"--steps {raw_n.text} is {steps} steps, not a whole number of "
                             f"epochs of {spe} steps (--per-epoch counts epochs)")
        n = steps // spe
    else:
        n = _resolve_length(steps_p, raw_n, None, spe, tokens)
    return spe, tokens, n


class Run(_Record):
    """The run settings of DESIGN.md §1 for a schedule word that is not a registry entry
    (a dialect, a recipe): ``n`` the steps (epochs with ``per_epoch``), None when the
    command line leaves it to the schedule; ``start`` counts output rows."""

    __slots__ = ("n", "start", "unit", "steps_per_epoch", "per_epoch", "tokens_per_step")
    _fields = (("n", _REQUIRED), ("start", 0), ("unit", "step"), ("steps_per_epoch", None),
               ("per_epoch", False), ("tokens_per_step", None))
    n: int | None
    start: int | Length
    unit: str
    steps_per_epoch: int | None
    per_epoch: bool
    tokens_per_step: float | None

    def out_rows(self, n: int) -> int:
        """Output rows of a schedule of ``n`` updates (epochs held K rows with per-epoch)."""
        return n * self.steps_per_epoch if self.per_epoch and self.steps_per_epoch else n

    def resolve_start(self, n: int) -> int:
        """``--start`` in rows, checked against the run of ``n`` updates."""
        rows = self.out_rows(n)
        start = _resolve_length(COMMON_BY_NAME["start"], self.start, rows,
                                self.steps_per_epoch)
        if start >= rows:
            raise UsageError(f"--start {start} is past the last index {rows - 1}")
        return start


RUN_NAMES = ("steps", "start", "unit", "steps_per_epoch", "dataset_size", "batch_size",
             "grad_accum", "drop_last", "seq_len", "tokens_per_step", "per_epoch")


def resolve_run(raw: Mapping[str, Any]) -> Run:
    """Parse and resolve the run options (``RUN_NAMES``) given in ``raw`` (None: default)."""
    values: dict[str, Any] = {}
    for name in RUN_NAMES:
        p = COMMON_BY_NAME[name]
        v = raw.get(name)
        values[name] = parse_value(p, v) if v is not None else (
            parse_value(p, p.default) if p.default is not None else None)
    spe, tokens, n = _run_length(values, None)
    return Run(n=n, start=values["start"], unit=values["unit"], steps_per_epoch=spe,
               per_epoch=values["per_epoch"], tokens_per_step=tokens)


def _lookup(entry: Schedule) -> dict[str, Param]:
    table: dict[str, Param] = {}
    for p in (*entry.params, *COMMON):
        for key in (p.name, *p.aliases):
            table.setdefault(key.lower().replace("-", "_"), p)
    return table


def resolve(name: str | Schedule, raw: Mapping[str, Any]) -> Spec:
    """Validate raw values for schedule ``name`` and resolve lengths: a :class:`Spec`.

    ``raw`` maps parameter names (or aliases, Python or kebab spelling) to values; a
    missing or ``None`` value takes the default. Raises :class:`UsageError`.
    """
    entry = name if isinstance(name, Schedule) else get(name)
    table = _lookup(entry)
    given: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        p = table.get(str(key).lower().replace("-", "_"))
        if p is None:
            import difflib

            known = sorted({q.name for q in table.values()})
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"{entry.name} has no parameter '{key}'{hint}; it takes "
                             f"{', '.join(known)}")
        if p.name in given:
            raise UsageError(f"{p.flag} given twice (once as '{key}')")
        given[p.name] = value

    context = {"metrics_column": given.get("metrics_column")}
    values: dict[str, Any] = {}
    for p in (*COMMON, *entry.params):
        if p.name in given:
            values[p.name] = parse_value(p, given[p.name], context)
        else:
            default = entry.common_defaults.get(p.name, p.default)
            values[p.name] = (parse_value(p, default, {**context, "_default": True})
                              if default is not None else None)
    for p in entry.params:
        if p.kind == "metrics" and values[p.name] is None:
            raise UsageError(f"{entry.name} needs {p.flag} ({p.allowed_text()})")

    implied = entry.default_steps(values) if entry.default_steps else None
    spe, tokens, n = _run_length(values, implied if implied is not None else DEFAULT_STEPS)
    # In per-epoch mode the schedule's index counts epochs: Nep means N.
    unit_spe = 1 if values["per_epoch"] else spe

    for p in entry.params:  # floors written (or defaulting) as a share of the peak
        v = values[p.name]
        if isinstance(v, Share):
            x = v.of(values[p.share_of])
            _check_bounds(p, x, v.text)
            values[p.name] = x

    resolved: dict[str, Any] = {}
    for p in entry.params:
        v = values[p.name]
        if p.kind == "length" and v is not None:
            v = _resolve_length(p, v, n, unit_spe, tokens)
        elif p.kind == "lengths":
            v = tuple(_resolve_length(p, x, n, unit_spe, tokens) for x in v)
        resolved[p.name] = v

    common_p = {p.name: p for p in COMMON}
    warmup = _resolve_length(common_p["warmup"], values["warmup"], n, unit_spe, tokens)
    out_rows = n * spe if values["per_epoch"] else n
    start = _resolve_length(common_p["start"], values["start"], out_rows, spe)
    if start >= out_rows:
        raise UsageError(f"--start {start} is past the last index {out_rows - 1}")
    mode = values["warmup_mode"]
    hold = _resolve_length(common_p["hold"], values["hold"], n, unit_spe, tokens)
    if warmup and warmup >= n:
        raise UsageError(f"--warmup {warmup} must be shorter than --steps {n}")
    if hold and warmup and mode == "overlay":
        raise UsageError("--hold needs --warmup-mode prefix (an overlay warmup replaces the "
                         "schedule's first values; there is nothing to hold)")
    if hold + warmup >= n:
        raise UsageError(f"--warmup {warmup} + --hold {hold} leave no steps of the {n} for the "
                         "schedule; shorten them")
    if warmup and values["warmup_shape"] == "exponential" and values["warmup_start"] <= 0:
        raise UsageError("an exponential warmup needs --warmup-start above 0 (it multiplies "
                         "from there)")

    spec = Spec(
        entry=entry, params=resolved, n=n, start=start, unit=values["unit"],
        steps_per_epoch=spe, per_epoch=values["per_epoch"], warmup=warmup,
        warmup_start=values["warmup_start"], warmup_shape=values["warmup_shape"],
        warmup_mode=mode, explicit=frozenset(given), hold=hold,
        warmup_target=values["warmup_target"],
    )
    kernel_params = spec.kernel_params()
    for check in entry.checks:
        check(kernel_params, spec)
    return spec
