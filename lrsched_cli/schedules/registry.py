"""The schedule registry: one declarative entry per schedule (its parameters, kernel,
formula, reference and checks), looked up by name. The checks are functions in :mod:`.checks`,
the parameter model and the parsers in :mod:`.params`, the resolution of raw values into a
:class:`Spec` in :mod:`.resolve`; this module re-exports their public names, so
``registry.resolve`` and ``registry.Param`` are the one way in for the command line and the
Python API. No numpy: --help and completion read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UsageError
from .checks import (
    check_hyperbolic,
    check_min_max,
    check_one_cycle,
    check_plateau,
    check_stlr,
    check_tri_stage,
    check_wsd,
    plateau_steps,
)
from .params import (  # noqa: F401  (re-exported: the registry is the way in)
    COMMON,
    COMMON_BY_NAME,
    COMMON_NAMES,
    DEFAULT_STEPS,
    MAX_STEPS,
    Length,
    Param,
    Schedule,
    Share,
    _fmt,
    parse_choice,
    parse_flag,
    parse_float,
    parse_int,
    parse_length,
    parse_value,
)
from .resolve import RUN_NAMES, Run, Spec, resolve_entry, resolve_run  # noqa: F401

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


_STEP_SIZE = Param("step_size", "length", 10, "Steps between drops s", lo=1)
_K_DECAY = Param("k_decay", "float", 1.0, "k-decay: t/N becomes t^k/N^k (Zhang et al. 2020, "
                 "as timm); 1 is the plain schedule", lo=0, lo_open=True, hi=100,
                 modifier=True)


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
        checks=(check_min_max("lr_min", "lr_max"),),
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
        checks=(check_min_max("lr_min", "lr_max"),),
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
        checks=(check_min_max("lr_min", "lr_max"),),
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
        checks=(check_one_cycle,),
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
        checks=(check_plateau,),
        default_steps=plateau_steps,
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
        checks=(check_min_max("lr_min", "lr_max"), check_wsd),
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
        checks=(check_stlr,),
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
        checks=(check_min_max("lr_min", "lr_max"),),
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
        checks=(check_tri_stage,),
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
        checks=(check_hyperbolic,),
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
        checks=(check_hyperbolic,),
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


def resolve(name: str | Schedule, raw: Mapping[str, Any]) -> Spec:
    """Validate raw values for schedule ``name`` (or an entry) and resolve lengths: a
    :class:`Spec` (see :func:`.resolve.resolve_entry`)."""
    return resolve_entry(name if isinstance(name, Schedule) else get(name), raw)
