"""Generate golden vectors for the torch, hf and timm *dialects* by running the real frameworks.

Each case is a scheduler call written exactly as a user would paste it into lrsched, without the
optimizer (``StepLR(step_size=10, gamma=0.5)``,
``transformers.get_scheduler("cosine", num_warmup_steps=10, num_training_steps=100)``,
``timm.scheduler.CosineLRScheduler(t_initial=100, warmup_t=5)``). This script parses the string
with ``ast``, inserts a real optimizer where the framework expects it, evaluates the call with the
framework's names in scope, steps the scheduler and records the learning rate. It writes

* ``tests/golden/dialect_torch.json`` (``torch.optim.lr_scheduler``),
* ``tests/golden/dialect_hf.json`` (``transformers.optimization``),
* ``tests/golden/dialect_timm.json`` (``timm.scheduler``).

The files are committed; run this again only when cases are added or changed.

How to re-run (from the repository root)::

    python3 -m venv /tmp/fwvenv
    /tmp/fwvenv/bin/pip install torch==2.13.0 numpy
    /tmp/fwvenv/bin/pip install "transformers>=5,<6" "timm>=1,<2" "torch==2.13.0"
    /tmp/fwvenv/bin/pip uninstall -y torchvision
    /tmp/fwvenv/bin/python tests/golden/generate_dialects_torch.py

torch 2.13.0 (CPU) is the wheel on this machine's disk; keep ``torch==2.13.0`` in the second
install so that pip does not replace it. timm requires torchvision, but the torchvision wheels pip
can reach are CUDA builds that do not load with the CPU torch, and ``timm/__init__.py`` imports
torchvision. When ``import timm`` fails, this script therefore loads ``timm.scheduler`` without
running ``timm/__init__.py`` (the scheduler modules import only torch and numpy); the JSON
records which way timm was imported (``versions.timm_import``). None of these packages is a
dependency of lrsched; the venv lives outside the repository. The output is deterministic for
given versions: ``metrics`` series come from numpy generators seeded per case.

Recording convention
--------------------
* One parameter group: ``torch.optim.SGD([Parameter(zeros(1))], lr=base_lr, momentum=0.9)``.
* The optimizer is inserted as the first positional argument of every scheduler call that takes
  one, nested calls included (children of ``SequentialLR``/``ChainedScheduler``);
  ``ChainedScheduler`` gets it as the keyword ``optimizer=``, ``get_scheduler(name, ...)`` as its
  second argument (or ``optimizer=`` when ``name`` is a keyword).
* torch and hf: ``for i in range(steps)``: ``lr[i] = optimizer.param_groups[0]["lr"]``, then
  ``optimizer.step()`` and ``scheduler.step()`` (``scheduler.step(metrics[i])`` for a
  ``ReduceLROnPlateau`` or transformers' ``GreedyLR``). ``lr[0]`` is the value right after
  construction.
* timm: ``for i in range(steps)``: ``scheduler.step(i)``, or ``scheduler.step_update(i)``
  when the scheduler has ``t_in_epochs=False``; then ``lr[i] = optimizer.param_groups[0]["lr"]``.
  No noise.
* timm ``PlateauLRScheduler``, as timm's train.py drives it: ``lr[0]`` is the lr right after
  construction, then ``for i in range(steps - 1)``: ``scheduler.step(i + 1, metrics[i])`` (the
  end of epoch i) and ``lr[i + 1] = optimizer.param_groups[0]["lr"]``.
* A rejected case records where the framework raised: ``"construct"``, or ``"step k"`` for the
  k-th call (1-based) of ``scheduler.step()`` (torch, hf) or of ``step(k - 1)`` /
  ``step_update(k - 1)`` (timm). Its lr values before the failure are not stored.
* Warnings are suppressed.

Output format (one file per framework)::

    {"framework": "torch" | "hf" | "timm", "versions": {...},
     "generator": "tests/golden/generate_dialects_torch.py", "convention": "...",
     "cases": [
        {"id": ..., "expr": ..., "base_lr": ..., "steps": N,
         "metrics": [N floats],          # metric-driven schedulers only; a non-finite
                                         # metric is the string "nan", "inf" or "-inf"
         "lr": [N floats]},
        {"id": ..., "expr": ..., "base_lr": ..., "steps": N, ["metrics": ...,]
         "error": "<ExceptionType>: <message>",  # "<ExceptionType>" alone if no message
         "when": "construct" | "step k"},        # k-th call of step()/step_update(), 1-based
        ...]}

``base_lr`` is always the optimizer's lr (CyclicLR and OneCycleLR replace it with their own
arguments). Floats are written by ``json`` (shortest repr), so they round-trip exactly.
Every case declares whether the framework must accept or reject it; the script stops if the
framework disagrees, if an ``lr`` list has the wrong length or a non-finite value, or if ids
repeat.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import math
import platform
import sys
import types
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import torch
import transformers
import transformers.optimization
from torch.optim import lr_scheduler

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/generate_dialects_torch.py"

# Seed for the metric series (combined with a hash of the case id). Changing it changes the JSON.
SEED = 20250611

OPT = "__lrsched_optimizer__"  # the name the inserted optimizer argument refers to

Case = dict[str, Any]

CONVENTION = {
    "torch": "lr[i] = optimizer lr before the i-th scheduler.step() (step(metrics[i]) for "
    "ReduceLROnPlateau); lr[0] is the value after construction",
    "hf": "lr[i] = optimizer lr before the i-th scheduler.step() (step(metrics[i]) for "
    "ReduceLROnPlateau and GreedyLR); lr[0] is the value after construction",
    "timm": "lr[i] = optimizer lr right after scheduler.step(i) (step_update(i) when "
    "t_in_epochs=False); PlateauLRScheduler as timm's train.py: lr[0] after construction, "
    "lr[i+1] after step(i + 1, metrics[i])",
}


# --------------------------------------------------------------------------------------------
# Importing timm (without torchvision if need be).
# --------------------------------------------------------------------------------------------


def import_timm() -> tuple[types.ModuleType, str, str]:
    """(timm package, version, how it was imported)."""
    try:
        import timm
        import timm.scheduler  # noqa: F401

        return timm, timm.__version__, "import timm"
    except Exception:  # torchvision missing, or a build that does not load with this torch
        for name in [m for m in sys.modules if m == "timm" or m.startswith("timm.")]:
            del sys.modules[name]
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("timm is not installed")
    # A bare package object: importing timm.scheduler then runs only timm/scheduler/*.py.
    pkg = types.ModuleType("timm")
    pkg.__path__ = list(spec.submodule_search_locations)
    pkg.__file__ = spec.origin
    sys.modules["timm"] = pkg
    importlib.import_module("timm.scheduler")
    version = importlib.import_module("timm.version").__version__
    pkg.__version__ = version
    return pkg, version, "timm.scheduler only (timm/__init__.py skipped: torchvision unusable)"


TIMM, TIMM_VERSION, TIMM_IMPORT = import_timm()
timm_scheduler = TIMM.scheduler


# --------------------------------------------------------------------------------------------
# Names in scope for each framework, and where each scheduler call takes the optimizer.
# --------------------------------------------------------------------------------------------

SAFE_BUILTINS = {"min": min, "max": max, "abs": abs, "float": float, "int": int, "round": round}
MODULES = {"math": math, "torch": torch, "transformers": transformers, "timm": TIMM}

TORCH_NAMES = {
    n: getattr(lr_scheduler, n)
    for n in dir(lr_scheduler)
    if n[0].isupper()
    and isinstance(getattr(lr_scheduler, n), type)
    and issubclass(
        getattr(lr_scheduler, n), (lr_scheduler.LRScheduler, lr_scheduler.ReduceLROnPlateau)
    )
}
HF_NAMES = {
    n: getattr(transformers.optimization, n)
    for n in dir(transformers.optimization)
    if (n.startswith("get_") and n != "get_adafactor_schedule") or n == "GreedyLR"
}
TIMM_NAMES = {n: getattr(timm_scheduler, n) for n in dir(timm_scheduler) if n.endswith("Scheduler")}

NAMESPACES: dict[str, dict[str, Any]] = {
    "torch": {**TORCH_NAMES, "lr_scheduler": lr_scheduler, "optim": torch.optim},
    "hf": dict(HF_NAMES),
    "timm": dict(TIMM_NAMES),
}

# framework -> {call name: positional index of the optimizer, or None for "keyword optimizer="}
OPTIMIZER_SLOT: dict[str, dict[str, int | None]] = {
    "torch": {n: (None if n == "ChainedScheduler" else 0) for n in TORCH_NAMES},
    "hf": {n: (1 if n == "get_scheduler" else 0) for n in HF_NAMES},
    "timm": {n: 0 for n in TIMM_NAMES},
}


class InsertOptimizer(ast.NodeTransformer):
    """Put the optimizer into every scheduler call (the optimizer is left out of the cases)."""

    def __init__(self, slots: dict[str, int | None]) -> None:
        self.slots = slots

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in self.slots or any(k.arg == "optimizer" for k in node.keywords):
            return node
        slot = self.slots[name]
        opt = ast.Name(id=OPT, ctx=ast.Load())
        if slot is None or len(node.args) < slot:
            node.keywords.append(ast.keyword(arg="optimizer", value=opt))
        else:
            node.args.insert(slot, opt)
        return node


def build(framework: str, expr: str, optimizer: torch.optim.Optimizer) -> Any:
    """Evaluate the pasted expression with the optimizer inserted."""
    tree = ast.parse(expr.strip(), mode="eval")
    if not isinstance(tree.body, ast.Call):
        raise SystemExit(f"not a call: {expr}")
    tree = ast.fix_missing_locations(InsertOptimizer(OPTIMIZER_SLOT[framework]).visit(tree))
    scope = {
        "__builtins__": SAFE_BUILTINS,
        **MODULES,
        **NAMESPACES[framework],
        OPT: optimizer,
    }
    return eval(compile(tree, "<case>", "eval"), scope)  # noqa: S307 - our own case strings


# --------------------------------------------------------------------------------------------
# Recording.
# --------------------------------------------------------------------------------------------


class Rejected(Exception):
    """The framework raised: ``when`` is 'construct' or 'step k' (k-th step call, 1-based)."""

    def __init__(self, when: str, exc: BaseException) -> None:
        msg = str(exc)
        self.when = when
        self.error = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
        super().__init__(f"{when}: {self.error}")


def make_optimizer(base_lr: float) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr, momentum=0.9)


def construct(framework: str, spec: Case) -> tuple[torch.optim.Optimizer, Any]:
    optimizer = make_optimizer(spec["base_lr"])
    try:
        scheduler = build(framework, spec["expr"], optimizer)
    except (SyntaxError, NameError):
        raise  # a broken case string, not a rejection by the framework
    except Exception as exc:
        raise Rejected("construct", exc) from exc
    return optimizer, scheduler


def record_torch_like(framework: str, spec: Case) -> list[float]:
    """torch and hf: read the lr, then optimizer.step(), then scheduler.step()."""
    optimizer, scheduler = construct(framework, spec)
    plateau = isinstance(
        scheduler, (lr_scheduler.ReduceLROnPlateau, transformers.optimization.GreedyLR)
    )
    metrics = spec.get("metrics")
    if plateau and metrics is None:
        raise SystemExit(f"{spec['id']}: {type(scheduler).__name__} needs metrics")
    lrs: list[float] = []
    for i in range(spec["steps"]):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        try:
            if plateau:
                scheduler.step(metrics[i])
            else:
                scheduler.step()
        except Exception as exc:
            raise Rejected(f"step {i + 1}", exc) from exc
    return lrs


def record_timm(spec: Case) -> list[float]:
    """timm: step(i) / step_update(i), then read the lr; Plateau as train.py drives it."""
    optimizer, scheduler = construct("timm", spec)
    plateau = isinstance(scheduler, timm_scheduler.PlateauLRScheduler)
    metrics = spec.get("metrics")
    if plateau:
        if metrics is None:
            raise SystemExit(f"{spec['id']}: PlateauLRScheduler needs metrics")
        # train.py: after epoch `epoch`, lr_scheduler.step(epoch + 1, latest_metric)
        lrs = [float(optimizer.param_groups[0]["lr"])]
        for i in range(spec["steps"] - 1):
            try:
                scheduler.step(i + 1, metrics[i])
            except Exception as exc:
                raise Rejected(f"step {i + 1}", exc) from exc
            lrs.append(float(optimizer.param_groups[0]["lr"]))
        return lrs
    lrs = []
    for i in range(spec["steps"]):
        try:
            if scheduler.t_in_epochs:
                scheduler.step(i)
            else:
                scheduler.step_update(i)
        except Exception as exc:
            raise Rejected(f"step {i + 1}", exc) from exc
        lrs.append(float(optimizer.param_groups[0]["lr"]))
    return lrs


# --------------------------------------------------------------------------------------------
# Metric series (seeded per case).
# --------------------------------------------------------------------------------------------


def metric_series(kind: str, n: int, case_id: str) -> list[float]:
    """A realistic metric series of length n; deterministic for (SEED, case id)."""
    rng = np.random.default_rng([SEED, zlib.crc32(case_id.encode())])
    t = np.arange(n, dtype=np.float64)
    if kind == "loss":  # noisy, exponentially decreasing training loss
        v = 1.5 * np.exp(-t / 25) + 0.3 + rng.normal(0, 0.03, n)
    elif kind == "plateau_loss":  # falls, sits on a plateau, falls again
        v = np.where(t < 30, 1.0 - 0.015 * t, 0.55)
        v = np.where(t >= 0.6 * n, 0.55 - 0.004 * (t - 0.6 * n), v) + rng.normal(0, 0.002, n)
    elif kind == "accuracy":  # validation accuracy rising towards 0.95
        v = 0.95 - 0.85 * np.exp(-t / 15) + rng.normal(0, 0.01, n)
    elif kind == "negative":  # negative loss that improves and then flattens
        v = -0.5 - 2.0 * (1 - np.exp(-t / 20)) + rng.normal(0, 0.02, n)
    elif kind == "rounded":  # a loss rounded to one decimal: long runs of equal values
        v = np.round(1.2 * np.exp(-t / 20) + 0.2, 1)
    elif kind == "noise":  # no trend at all
        v = 1.0 + rng.normal(0, 0.05, n)
    elif kind == "nan_loss":  # a loss with nan (first, then every 9th from 4) and one inf
        v = 1.5 * np.exp(-t / 25) + 0.3 + rng.normal(0, 0.03, n)
        v[(t % 9 == 4) | (t == 0)] = np.nan
        v[t == 20] = np.inf
    elif kind == "nan_accuracy":  # an accuracy with nan every 7th from 3, -inf once
        v = 0.95 - 0.85 * np.exp(-t / 15) + rng.normal(0, 0.01, n)
        v[t % 7 == 3] = np.nan
        v[t == 11] = -np.inf
    else:
        raise SystemExit(f"unknown metric kind {kind}")
    return [float(x) for x in v]


def C(
    case_id: str,
    expr: str,
    base_lr: float,
    steps: int,
    metrics: str | None = None,
    reject: bool = False,
) -> Case:
    """One case. ``metrics`` names a series kind; ``reject`` says the framework must raise."""
    spec: Case = {"id": case_id, "expr": expr, "base_lr": float(base_lr), "steps": int(steps)}
    if metrics is not None:
        spec["metrics"] = metric_series(metrics, steps, case_id)
    spec["reject"] = reject
    return spec


def R(case_id: str, expr: str, base_lr: float, steps: int, metrics: str | None = None) -> Case:
    """A case the framework must reject (at construction or while stepping)."""
    return C(case_id, expr, base_lr, steps, metrics, reject=True)


# --------------------------------------------------------------------------------------------
# torch cases.
# --------------------------------------------------------------------------------------------

TQ = "torch.optim.lr_scheduler."  # the fully qualified prefix


def torch_cases() -> list[Case]:
    seq_warmup_cos = (
        "SequentialLR(schedulers=[LinearLR(start_factor=0.1, total_iters=5), "
        "CosineAnnealingLR(T_max=45)], milestones=[5])"
    )
    return [
        # StepLR
        C("StepLR__size10_gamma0.5", "StepLR(step_size=10, gamma=0.5)", 0.1, 50),
        C("StepLR__qualified_size30", f"{TQ}StepLR(step_size=30, gamma=0.1)", 0.1, 100),
        C("StepLR__positional_size3_default_gamma", "StepLR(3)", 1.0, 20),
        C("StepLR__size1_gamma0.95", "lr_scheduler.StepLR(step_size=1, gamma=0.95)", 0.01, 120),
        # MultiStepLR
        C("MultiStepLR__30_60_80", "MultiStepLR(milestones=[30, 60, 80], gamma=0.1)", 0.1, 100),
        C(
            "MultiStepLR__qualified_5_15",
            f"{TQ}MultiStepLR(milestones=[5, 15], gamma=0.5)",
            0.05,
            25,
        ),
        C(
            "MultiStepLR__unsorted_duplicate",
            "MultiStepLR(milestones=[20, 10, 10], gamma=0.5)",
            0.1,
            30,
        ),
        C("MultiStepLR__positional_milestone0", "MultiStepLR([0, 8], 0.3)", 0.2, 12),
        C(
            "MultiStepLR__tuple_milestones",
            "optim.lr_scheduler.MultiStepLR(milestones=(3, 6), gamma=0.5)",
            1.0,
            8,
        ),
        # ConstantLR
        C("ConstantLR__factor0.5_total4", "ConstantLR(factor=0.5, total_iters=4)", 0.1, 10),
        C("ConstantLR__defaults", "ConstantLR()", 0.05, 8),
        C(
            "ConstantLR__qualified_total_beyond_n",
            f"{TQ}ConstantLR(factor=0.25, total_iters=100)",
            0.1,
            40,
        ),
        # LinearLR
        C("LinearLR__warmup10", "LinearLR(start_factor=0.01, total_iters=10)", 0.1, 20),
        C(
            "LinearLR__decay_to_zero_past_end",
            "LinearLR(start_factor=1.0, end_factor=0.0, total_iters=100)",
            0.5,
            120,
        ),
        C("LinearLR__defaults", "LinearLR()", 0.01, 10),
        C(
            "LinearLR__optim_prefix_decay",
            "optim.lr_scheduler.LinearLR(start_factor=0.5, end_factor=0.1, total_iters=30)",
            1.0,
            40,
        ),
        # ExponentialLR
        C("ExponentialLR__gamma0.95", "ExponentialLR(gamma=0.95)", 0.1, 100),
        C("ExponentialLR__qualified_positional", f"{TQ}ExponentialLR(0.9)", 1.0, 60),
        C("ExponentialLR__gamma0.999", "ExponentialLR(gamma=0.999)", 3e-4, 400),
        # PolynomialLR
        C("PolynomialLR__total50_power2", "PolynomialLR(total_iters=50, power=2.0)", 0.1, 60),
        C("PolynomialLR__defaults", "PolynomialLR()", 0.1, 8),
        C(
            "PolynomialLR__total100_power0.9",
            "PolynomialLR(total_iters=100, power=0.9)",
            0.01,
            100,
        ),
        # CosineAnnealingLR
        C("CosineAnnealingLR__Tmax100", "CosineAnnealingLR(T_max=100)", 0.1, 100),
        C(
            "CosineAnnealingLR__past_Tmax_etamin",
            "CosineAnnealingLR(T_max=50, eta_min=1e-4)",
            0.1,
            160,
        ),
        C(
            "CosineAnnealingLR__qualified_many_periods",
            f"{TQ}CosineAnnealingLR(T_max=10, eta_min=0.001)",
            0.05,
            45,
        ),
        C("CosineAnnealingLR__positional", "CosineAnnealingLR(20, 0.0)", 1.0, 25),
        # CosineAnnealingWarmRestarts
        C("CosineAnnealingWarmRestarts__T0_10", "CosineAnnealingWarmRestarts(T_0=10)", 0.1, 50),
        C(
            "CosineAnnealingWarmRestarts__T0_5_Tmult2",
            "CosineAnnealingWarmRestarts(T_0=5, T_mult=2, eta_min=1e-5)",
            0.1,
            160,
        ),
        C(
            "CosineAnnealingWarmRestarts__T0_20_Tmult3",
            "lr_scheduler.CosineAnnealingWarmRestarts(T_0=20, T_mult=3, eta_min=0.001)",
            0.5,
            300,
        ),
        # CyclicLR
        C(
            "CyclicLR__triangular",
            "CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=10)",
            0.001,
            60,
        ),
        C(
            "CyclicLR__triangular2_optimizer_lr_replaced",
            "CyclicLR(base_lr=1e-4, max_lr=1e-2, step_size_up=5, mode='triangular2')",
            0.01,
            60,
        ),
        C(
            "CyclicLR__exp_range",
            "CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=8, mode='exp_range', gamma=0.98)",
            0.001,
            100,
        ),
        C(
            "CyclicLR__step_size_down",
            "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=9)",
            0.01,
            50,
        ),
        C(
            "CyclicLR__base_above_max",
            "CyclicLR(base_lr=0.1, max_lr=0.01, step_size_up=4)",
            0.1,
            30,
        ),
        C(
            "CyclicLR__scale_fn_cycle",
            "CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=5, "
            "scale_fn=lambda x: 1 / (2.0 ** (x - 1)), scale_mode='cycle')",
            0.001,
            60,
        ),
        C(
            "CyclicLR__qualified_scale_fn_iterations",
            f"{TQ}CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=5, "
            "scale_fn=lambda x: 0.99 ** x, scale_mode='iterations')",
            0.001,
            60,
        ),
        C(
            "CyclicLR__positional_scale_fn_default_mode",
            "CyclicLR(0.001, 0.1, step_size_up=4, "
            "scale_fn=lambda c: max(0.25, 1.0 - 0.25 * (c - 1)))",
            0.001,
            50,
        ),
        C(
            "CyclicLR__triangular2_no_momentum_long",
            "CyclicLR(base_lr=0.0005, max_lr=0.005, step_size_up=20, mode='triangular2', "
            "cycle_momentum=False)",
            0.0005,
            200,
        ),
        C(
            "CyclicLR__exp_range_down",
            "CyclicLR(base_lr=0.001, max_lr=0.01, step_size_up=2, step_size_down=6, "
            "mode='exp_range', gamma=0.995)",
            0.001,
            80,
        ),
        # OneCycleLR
        C("OneCycleLR__total100", "OneCycleLR(max_lr=0.1, total_steps=100)", 0.1, 100),
        C(
            "OneCycleLR__epochs_steps_per_epoch",
            "OneCycleLR(max_lr=0.01, epochs=10, steps_per_epoch=20)",
            0.001,
            200,
        ),
        C(
            "OneCycleLR__linear_pct0.25",
            "OneCycleLR(max_lr=0.5, total_steps=50, anneal_strategy='linear', pct_start=0.25)",
            0.5,
            50,
        ),
        C(
            "OneCycleLR__qualified_three_phase",
            f"{TQ}OneCycleLR(max_lr=0.1, total_steps=120, three_phase=True)",
            0.1,
            120,
        ),
        C(
            "OneCycleLR__three_phase_linear_divs",
            "OneCycleLR(max_lr=1.0, total_steps=60, pct_start=0.4, anneal_strategy='linear', "
            "div_factor=10.0, final_div_factor=100.0, three_phase=True)",
            1.0,
            60,
        ),
        C(
            "OneCycleLR__partial_run",
            "OneCycleLR(max_lr=0.05, total_steps=400, pct_start=0.1)",
            0.05,
            150,
        ),
        C("OneCycleLR__positional_tiny", "OneCycleLR(0.1, total_steps=7)", 0.1, 7),
        # ReduceLROnPlateau
        C("ReduceLROnPlateau__defaults_loss", "ReduceLROnPlateau()", 0.1, 120, "loss"),
        C(
            "ReduceLROnPlateau__patience3_cooldown2_min_lr",
            "ReduceLROnPlateau(mode='min', factor=0.5, patience=3, cooldown=2, min_lr=1e-4)",
            0.1,
            150,
            "plateau_loss",
        ),
        C(
            "ReduceLROnPlateau__max_abs",
            "ReduceLROnPlateau(mode='max', factor=0.2, patience=5, threshold=0.01, "
            "threshold_mode='abs')",
            0.1,
            100,
            "accuracy",
        ),
        C(
            "ReduceLROnPlateau__qualified_threshold0_repeated",
            f"{TQ}ReduceLROnPlateau(patience=2, threshold=0.0)",
            0.1,
            60,
            "rounded",
        ),
        C(
            "ReduceLROnPlateau__negative_rel",
            "ReduceLROnPlateau(patience=2)",
            0.1,
            80,
            "negative",
        ),
        C(
            "ReduceLROnPlateau__nan_inf_metrics",
            "ReduceLROnPlateau(patience=2, factor=0.5)",
            0.1,
            60,
            "nan_loss",
        ),
        C(
            "ReduceLROnPlateau__max_abs_nan_minus_inf_metrics",
            "ReduceLROnPlateau(mode='max', patience=1, threshold=0.001, threshold_mode='abs')",
            0.1,
            40,
            "nan_accuracy",
        ),
        C(
            "ReduceLROnPlateau__eps_freezes",
            "ReduceLROnPlateau(factor=0.1, patience=0, eps=1e-3)",
            0.01,
            50,
            "noise",
        ),
        # SequentialLR
        C("SequentialLR__warmup_cosine_past_end", seq_warmup_cos, 0.1, 60),
        C(
            "SequentialLR__qualified_constant_exponential",
            f"{TQ}SequentialLR(schedulers=[{TQ}ConstantLR(factor=0.1, total_iters=10), "
            f"{TQ}ExponentialLR(gamma=0.9)], milestones=[10])",
            0.1,
            40,
        ),
        C(
            "SequentialLR__three_children",
            "SequentialLR(schedulers=[LinearLR(start_factor=0.01, total_iters=10), "
            "ConstantLR(factor=1.0, total_iters=1), CosineAnnealingLR(T_max=80, eta_min=1e-5)], "
            "milestones=[10, 20])",
            0.3,
            100,
        ),
        C(
            "SequentialLR__milestone0",
            "SequentialLR(schedulers=[ConstantLR(factor=0.5, total_iters=3), "
            "StepLR(step_size=5, gamma=0.5)], milestones=[0])",
            0.1,
            20,
        ),
        C(
            "SequentialLR__nested_sequential",
            "SequentialLR(schedulers=[SequentialLR(schedulers=[ConstantLR(factor=0.5, "
            "total_iters=2), ExponentialLR(gamma=0.8)], milestones=[2]), "
            "StepLR(step_size=3, gamma=0.5)], milestones=[8])",
            0.1,
            20,
        ),
        C(
            "SequentialLR__nested_sequential_first_child",
            "SequentialLR(schedulers=[SequentialLR(schedulers=[ConstantLR(factor=0.5, "
            "total_iters=2), ExponentialLR(gamma=0.9)], milestones=[2]), "
            "ExponentialLR(gamma=0.5)], milestones=[3])",
            1.0,
            6,
        ),
        C(
            "SequentialLR__chained_first_child",
            "SequentialLR(schedulers=[ChainedScheduler([ConstantLR(factor=0.5, total_iters=4), "
            "ExponentialLR(gamma=0.9)]), CosineAnnealingLR(T_max=10)], milestones=[6])",
            0.1,
            20,
        ),
        C(
            "SequentialLR__multiplicative_second",
            "SequentialLR(schedulers=[LinearLR(start_factor=0.2, total_iters=4), "
            "MultiplicativeLR(lr_lambda=lambda e: 0.9)], milestones=[4])",
            0.1,
            15,
        ),
        C(
            "SequentialLR__warmup_multistep",
            "SequentialLR(schedulers=[LinearLR(start_factor=0.1, total_iters=5), "
            "MultiStepLR(milestones=[30, 60], gamma=0.1)], milestones=[5])",
            0.1,
            80,
        ),
        # ChainedScheduler
        C(
            "ChainedScheduler__constant_exponential_docstring",
            "ChainedScheduler([ConstantLR(factor=0.1, total_iters=20), ExponentialLR(gamma=0.9)])",
            0.05,
            25,
        ),
        C(
            "ChainedScheduler__constant2_exponential",
            "ChainedScheduler([ConstantLR(factor=0.1, total_iters=2), ExponentialLR(gamma=0.9)])",
            0.05,
            10,
        ),
        C(
            "ChainedScheduler__cosine_etamin_then_linear",
            "ChainedScheduler(schedulers=[CosineAnnealingLR(T_max=20, eta_min=0.01), "
            "LinearLR(start_factor=0.5, total_iters=5)])",
            0.1,
            30,
        ),
        C(
            "ChainedScheduler__linear_then_cosine_etamin",
            "ChainedScheduler(schedulers=[LinearLR(start_factor=0.5, total_iters=5), "
            "CosineAnnealingLR(T_max=20, eta_min=0.01)])",
            0.1,
            30,
        ),
        C(
            "ChainedScheduler__qualified_linear_step",
            f"{TQ}ChainedScheduler(schedulers=[{TQ}LinearLR(start_factor=0.1, total_iters=5), "
            f"{TQ}StepLR(step_size=10, gamma=0.5)])",
            0.1,
            40,
        ),
        # LambdaLR
        C(
            "LambdaLR__exponential",
            "LambdaLR(lr_lambda=lambda epoch: 0.95 ** epoch)",
            0.1,
            100,
        ),
        C(
            "LambdaLR__positional_min_warmup",
            "LambdaLR(lambda s: min(1.0, (s + 1) / 10))",
            3e-4,
            30,
        ),
        C(
            "LambdaLR__integer_division_step",
            "LambdaLR(lr_lambda=lambda e: 0.1 ** (e // 30))",
            0.1,
            100,
        ),
        C(
            "LambdaLR__conditional_cosine",
            "LambdaLR(lr_lambda=lambda e: 0.5 * (1 + math.cos(math.pi * e / 50)) "
            "if e < 50 else 0.0)",
            0.1,
            60,
        ),
        C(
            "LambdaLR__warmup_rsqrt",
            "LambdaLR(lr_lambda=lambda step: min((step + 1) / 100, (100 / max(step, 1)) ** 0.5))",
            1e-3,
            300,
        ),
        C("LambdaLR__int_lambda_zero_start", "LambdaLR(lr_lambda=lambda e: e // 5)", 0.01, 20),
        C(
            "LambdaLR__qualified_poly",
            f"{TQ}LambdaLR(lr_lambda=lambda t: max(0.0, 1 - t / 40) ** 0.9)",
            0.01,
            50,
        ),
        C(
            "LambdaLR__abs_triangle",
            "LambdaLR(lr_lambda=lambda t: abs(1 - (t % 20) / 10) * 0.9 + 0.1)",
            0.1,
            50,
        ),
        C("LambdaLR__math_exp", "LambdaLR(lr_lambda=lambda t: math.exp(-0.05 * t))", 0.1, 80),
        C(
            "LambdaLR__chained_conditionals",
            "LambdaLR(lr_lambda=lambda e: 1.0 if e < 10 else 0.1 if e < 20 else 0.01)",
            0.1,
            30,
        ),
        # MultiplicativeLR
        C("MultiplicativeLR__constant", "MultiplicativeLR(lr_lambda=lambda epoch: 0.95)", 0.1, 50),
        C(
            "MultiplicativeLR__every_10",
            "MultiplicativeLR(lr_lambda=lambda e: 0.5 if e % 10 == 0 else 1.0)",
            0.1,
            40,
        ),
        C(
            "MultiplicativeLR__qualified_positional_max",
            f"{TQ}MultiplicativeLR(lambda e: max(0.9, 1 - 0.01 * e))",
            1.0,
            60,
        ),
        C(
            "MultiplicativeLR__sqrt",
            "MultiplicativeLR(lr_lambda=lambda e: 1.0 / (1 + 0.1 * math.sqrt(e)))",
            0.1,
            40,
        ),
        # Rejected by torch.
        R("ConstantLR__factor_above_1", "ConstantLR(factor=1.5)", 0.1, 10),
        R("ConstantLR__factor0_divides_by_zero", "ConstantLR(factor=0, total_iters=3)", 0.1, 10),
        R("LinearLR__start_factor0", "LinearLR(start_factor=0)", 0.1, 10),
        R("OneCycleLR__no_total_steps", "OneCycleLR(max_lr=0.1)", 0.1, 10),
        R(
            "OneCycleLR__int_pct_start",
            "OneCycleLR(max_lr=0.1, total_steps=10, pct_start=1)",
            0.1,
            10,
        ),
        R("OneCycleLR__stepped_past_total", "OneCycleLR(max_lr=0.1, total_steps=10)", 0.1, 12),
        R("CosineAnnealingWarmRestarts__T0_0", "CosineAnnealingWarmRestarts(T_0=0)", 0.1, 10),
        R("CyclicLR__unknown_mode", "CyclicLR(base_lr=0.001, max_lr=0.1, mode='foo')", 0.001, 10),
        R("StepLR__size0", "StepLR(step_size=0)", 0.1, 10),
        R(
            "SequentialLR__wrong_milestone_count",
            "SequentialLR(schedulers=[LinearLR(start_factor=0.1, total_iters=5), "
            "ExponentialLR(gamma=0.9)], milestones=[5, 10])",
            0.1,
            20,
        ),
        R(
            "SequentialLR__chained_at_milestone",
            "SequentialLR(schedulers=[LinearLR(start_factor=0.1, total_iters=3), "
            "ChainedScheduler([ExponentialLR(gamma=0.9), StepLR(step_size=2)])], milestones=[3])",
            0.1,
            10,
        ),
        R("ReduceLROnPlateau__factor1", "ReduceLROnPlateau(factor=1.0)", 0.1, 10, "loss"),
        R("ReduceLROnPlateau__last_epoch", "ReduceLROnPlateau(last_epoch=-1)", 0.1, 10, "loss"),
        R(
            "SequentialLR__nested_sequential_at_milestone",
            "SequentialLR(schedulers=[ExponentialLR(gamma=0.5), SequentialLR(schedulers=["
            "ConstantLR(factor=0.5, total_iters=2), ExponentialLR(gamma=0.9)], milestones=[2])], "
            "milestones=[3])",
            1.0,
            6,
        ),
        R(
            "SequentialLR__nested_sequential_middle_child",
            "SequentialLR(schedulers=[LinearLR(start_factor=0.5, total_iters=2), "
            "SequentialLR(schedulers=[ConstantLR(factor=0.5, total_iters=2), "
            "ExponentialLR(gamma=0.9)], milestones=[2]), ExponentialLR(gamma=0.5)], "
            "milestones=[2, 5])",
            0.1,
            10,
        ),
        R(
            "ChainedScheduler__with_plateau",
            "ChainedScheduler([StepLR(step_size=2), ReduceLROnPlateau()])",
            0.1,
            10,
        ),
    ]


# --------------------------------------------------------------------------------------------
# hf cases.
# --------------------------------------------------------------------------------------------


def hf_cases() -> list[Case]:
    cmin = "get_cosine_with_min_lr_schedule_with_warmup"
    cmin_rate = "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
    hard = "get_cosine_with_hard_restarts_schedule_with_warmup"
    poly = "get_polynomial_decay_schedule_with_warmup"
    return [
        # constant, constant_with_warmup
        C("get_constant_schedule__short", "get_constant_schedule()", 1e-3, 10),
        C("get_constant_schedule__qualified", "transformers.get_constant_schedule()", 5e-5, 5),
        C(
            "get_constant_schedule_with_warmup__w10",
            "get_constant_schedule_with_warmup(num_warmup_steps=10)",
            1e-3,
            30,
        ),
        C(
            "get_constant_schedule_with_warmup__qualified_w1",
            "transformers.optimization.get_constant_schedule_with_warmup(num_warmup_steps=1)",
            0.01,
            5,
        ),
        # linear
        C(
            "get_linear_schedule_with_warmup__w10_n100_past_end",
            "get_linear_schedule_with_warmup(num_warmup_steps=10, num_training_steps=100)",
            1e-3,
            120,
        ),
        C(
            "get_linear_schedule_with_warmup__qualified_no_warmup",
            "transformers.get_linear_schedule_with_warmup(num_warmup_steps=0, "
            "num_training_steps=50)",
            2e-5,
            50,
        ),
        C(
            "get_linear_schedule_with_warmup__positional",
            "get_linear_schedule_with_warmup(20, 200)",
            3e-4,
            200,
        ),
        C(
            "get_linear_schedule_with_warmup__warmup_beyond_total",
            "get_linear_schedule_with_warmup(num_warmup_steps=30, num_training_steps=20)",
            0.1,
            40,
        ),
        # cosine
        C(
            "get_cosine_schedule_with_warmup__w100_n1000_partial",
            "get_cosine_schedule_with_warmup(num_warmup_steps=100, num_training_steps=1000)",
            5e-5,
            400,
        ),
        C(
            "get_cosine_schedule_with_warmup__past_end",
            "get_cosine_schedule_with_warmup(num_warmup_steps=10, num_training_steps=100)",
            1e-3,
            130,
        ),
        C(
            "get_cosine_schedule_with_warmup__num_cycles2",
            "get_cosine_schedule_with_warmup(num_warmup_steps=5, num_training_steps=60, "
            "num_cycles=2.0)",
            0.01,
            60,
        ),
        C(
            "get_cosine_schedule_with_warmup__qualified_quarter_cycle",
            "transformers.optimization.get_cosine_schedule_with_warmup(num_warmup_steps=0, "
            "num_training_steps=40, num_cycles=0.25)",
            0.1,
            60,
        ),
        C(
            "get_cosine_schedule_with_warmup__warmup_equals_total",
            "get_cosine_schedule_with_warmup(num_warmup_steps=10, num_training_steps=10)",
            0.1,
            16,
        ),
        # cosine with hard restarts
        C(
            f"{hard}__three_cycles",
            f"{hard}(num_warmup_steps=10, num_training_steps=100, num_cycles=3)",
            1e-3,
            110,
        ),
        C(f"{hard}__default_cycles", f"{hard}(num_warmup_steps=0, num_training_steps=30)", 0.1, 35),
        C(
            f"{hard}__qualified_float_cycles",
            f"transformers.{hard}(num_warmup_steps=4, num_training_steps=64, num_cycles=2.5)",
            0.01,
            64,
        ),
        # polynomial
        C(
            f"{poly}__defaults_past_end",
            f"{poly}(num_warmup_steps=10, num_training_steps=100)",
            1e-3,
            110,
        ),
        C(
            f"{poly}__lr_end_power2",
            f"{poly}(num_warmup_steps=5, num_training_steps=50, lr_end=1e-4, power=2.0)",
            0.01,
            60,
        ),
        C(
            f"{poly}__to_zero_power0.5",
            f"{poly}(num_warmup_steps=0, num_training_steps=40, lr_end=0.0, power=0.5)",
            0.1,
            45,
        ),
        C(f"{poly}__positional", f"{poly}(10, 80, 1e-6, 3.0)", 5e-4, 100),
        # inverse sqrt
        C(
            "get_inverse_sqrt_schedule__w10",
            "get_inverse_sqrt_schedule(num_warmup_steps=10)",
            1e-3,
            100,
        ),
        C(
            "get_inverse_sqrt_schedule__timescale1000",
            "get_inverse_sqrt_schedule(num_warmup_steps=100, timescale=1000)",
            1e-3,
            400,
        ),
        C(
            "get_inverse_sqrt_schedule__no_warmup_default_timescale",
            "get_inverse_sqrt_schedule(num_warmup_steps=0)",
            0.01,
            50,
        ),
        C(
            "get_inverse_sqrt_schedule__qualified_small_timescale",
            "transformers.get_inverse_sqrt_schedule(num_warmup_steps=4, timescale=2)",
            0.1,
            30,
        ),
        # cosine with min lr
        C(
            f"{cmin}__min_lr_past_end",
            f"{cmin}(num_warmup_steps=10, num_training_steps=100, min_lr=1e-5)",
            1e-3,
            120,
        ),
        C(
            f"{cmin}__min_lr_rate",
            f"{cmin}(num_warmup_steps=5, num_training_steps=50, min_lr_rate=0.1)",
            0.01,
            50,
        ),
        C(
            f"{cmin}__qualified_one_cycle",
            f"transformers.optimization.{cmin}(num_warmup_steps=0, num_training_steps=60, "
            "num_cycles=1.0, min_lr_rate=0.05)",
            0.1,
            70,
        ),
        # cosine with min lr, warmup lr rate
        C(
            f"{cmin_rate}__min_lr",
            f"{cmin_rate}(num_warmup_steps=10, num_training_steps=100, min_lr=1e-5)",
            1e-3,
            105,
        ),
        C(
            f"{cmin_rate}__warmup_lr_rate",
            f"{cmin_rate}(num_warmup_steps=8, num_training_steps=60, min_lr_rate=0.1, "
            "warmup_lr_rate=0.01)",
            0.01,
            60,
        ),
        C(
            f"{cmin_rate}__no_warmup",
            f"{cmin_rate}(num_warmup_steps=0, num_training_steps=20, min_lr_rate=0.0)",
            0.1,
            25,
        ),
        C(
            f"{cmin_rate}__qualified_w1_warmup_rate",
            f"transformers.{cmin_rate}(num_warmup_steps=1, num_training_steps=30, min_lr=0.001, "
            "warmup_lr_rate=0.5)",
            0.01,
            30,
        ),
        # warmup-stable-decay
        C(
            "get_wsd_schedule__defaults_past_end",
            "get_wsd_schedule(num_warmup_steps=10, num_decay_steps=20, num_training_steps=100)",
            1e-3,
            110,
        ),
        C(
            "get_wsd_schedule__stable_steps_given",
            "get_wsd_schedule(num_warmup_steps=5, num_decay_steps=10, num_stable_steps=30)",
            0.01,
            50,
        ),
        C(
            "get_wsd_schedule__cosine_warmup_linear_decay",
            "get_wsd_schedule(num_warmup_steps=10, num_decay_steps=30, num_training_steps=100, "
            "warmup_type='cosine', decay_type='linear')",
            0.01,
            100,
        ),
        C(
            "get_wsd_schedule__1sqrt_both_min_lr_ratio",
            "get_wsd_schedule(num_warmup_steps=8, num_decay_steps=16, num_training_steps=64, "
            "warmup_type='1-sqrt', decay_type='1-sqrt', min_lr_ratio=0.1)",
            0.1,
            70,
        ),
        C(
            "get_wsd_schedule__cosine_quarter_cycle",
            "get_wsd_schedule(num_warmup_steps=4, num_decay_steps=12, num_stable_steps=8, "
            "decay_type='cosine', num_cycles=0.25)",
            0.05,
            30,
        ),
        C(
            "get_wsd_schedule__qualified_linear_min_lr_ratio",
            "transformers.get_wsd_schedule(num_warmup_steps=10, num_decay_steps=10, "
            "num_training_steps=40, decay_type='linear', min_lr_ratio=0.05)",
            1e-3,
            45,
        ),
        C(
            "get_wsd_schedule__stable_wins_over_total",
            "get_wsd_schedule(num_warmup_steps=5, num_decay_steps=5, num_training_steps=100, "
            "num_stable_steps=10)",
            0.01,
            30,
        ),
        C(
            "get_wsd_schedule__negative_stable",
            "get_wsd_schedule(num_warmup_steps=4, num_decay_steps=4, num_training_steps=6)",
            0.1,
            10,
        ),
        C(
            "get_wsd_schedule__no_warmup_1sqrt",
            "get_wsd_schedule(num_warmup_steps=0, num_decay_steps=10, num_training_steps=30, "
            "decay_type='1-sqrt')",
            0.1,
            35,
        ),
        C("get_wsd_schedule__positional", "get_wsd_schedule(10, 20, 100)", 3e-4, 100),
        # plateau (a torch ReduceLROnPlateau)
        C(
            "get_reduce_on_plateau_schedule__max",
            "get_reduce_on_plateau_schedule(mode='max', patience=2)",
            0.01,
            60,
            "accuracy",
        ),
        # get_scheduler
        C(
            "get_scheduler__linear",
            'get_scheduler("linear", num_warmup_steps=10, num_training_steps=100)',
            1e-3,
            110,
        ),
        C(
            "get_scheduler__qualified_cosine",
            'transformers.get_scheduler("cosine", num_warmup_steps=10, num_training_steps=100)',
            1e-3,
            100,
        ),
        C(
            "get_scheduler__positional_cosine",
            'get_scheduler("cosine", 5, 50)',
            0.01,
            55,
        ),
        C(
            "get_scheduler__keyword_name_linear",
            "get_scheduler(name='linear', num_warmup_steps=0, num_training_steps=30)",
            0.1,
            30,
        ),
        C(
            "get_scheduler__cosine_with_restarts",
            'get_scheduler("cosine_with_restarts", num_warmup_steps=0, num_training_steps=60, '
            'scheduler_specific_kwargs={"num_cycles": 3})',
            0.01,
            60,
        ),
        C(
            "get_scheduler__polynomial",
            'get_scheduler("polynomial", num_warmup_steps=5, num_training_steps=50, '
            'scheduler_specific_kwargs={"lr_end": 1e-5, "power": 2.0})',
            1e-3,
            55,
        ),
        C("get_scheduler__constant", 'get_scheduler("constant")', 0.01, 5),
        C(
            "get_scheduler__constant_ignores_steps",
            'get_scheduler("constant", num_warmup_steps=10, num_training_steps=100)',
            0.01,
            12,
        ),
        C(
            "get_scheduler__constant_with_warmup",
            'get_scheduler("constant_with_warmup", num_warmup_steps=5)',
            0.01,
            15,
        ),
        C(
            "get_scheduler__inverse_sqrt_timescale",
            'get_scheduler("inverse_sqrt", num_warmup_steps=20, '
            'scheduler_specific_kwargs={"timescale": 40})',
            1e-3,
            100,
        ),
        C(
            "get_scheduler__cosine_with_min_lr",
            'get_scheduler("cosine_with_min_lr", num_warmup_steps=10, num_training_steps=100, '
            'scheduler_specific_kwargs={"min_lr": 1e-5})',
            1e-3,
            100,
        ),
        C(
            "get_scheduler__cosine_warmup_with_min_lr",
            'get_scheduler("cosine_warmup_with_min_lr", num_warmup_steps=10, '
            'num_training_steps=100, scheduler_specific_kwargs={"min_lr_rate": 0.1, '
            '"warmup_lr_rate": 0.1})',
            1e-3,
            100,
        ),
        C(
            "get_scheduler__warmup_stable_decay",
            'get_scheduler("warmup_stable_decay", num_warmup_steps=10, num_training_steps=100, '
            'scheduler_specific_kwargs={"num_decay_steps": 20, "decay_type": "1-sqrt"})',
            1e-3,
            100,
        ),
        C(
            "get_scheduler__qualified_wsd_stable_steps",
            'transformers.optimization.get_scheduler("warmup_stable_decay", num_warmup_steps=5, '
            'scheduler_specific_kwargs={"num_decay_steps": 10, "num_stable_steps": 15, '
            '"min_lr_ratio": 0.1})',
            0.01,
            35,
        ),
        C(
            "get_scheduler__reduce_lr_on_plateau",
            'get_scheduler("reduce_lr_on_plateau", scheduler_specific_kwargs={"mode": "min", '
            '"factor": 0.5, "patience": 3})',
            0.01,
            80,
            "loss",
        ),
        # greedy (transformers' GreedyLR): step(metric) per evaluation, lr up and down
        C(
            "get_greedy_schedule__defaults_loss",
            "get_greedy_schedule()",
            0.1,
            200,
            "loss",
        ),
        C(
            "get_greedy_schedule__patience2_factor0.5",
            "get_greedy_schedule(patience=2, factor=0.5, min_lr=1e-4, max_lr=0.5)",
            0.1,
            150,
            "loss",
        ),
        C(
            "GreedyLR__max_rel_cooldown_warmup",
            "GreedyLR(mode='max', threshold=1e-3, threshold_mode='rel', patience=3, cooldown=2, "
            "warmup=3, factor=0.8)",
            0.05,
            120,
            "accuracy",
        ),
        C(
            "GreedyLR__smooth_window5",
            "GreedyLR(smooth=True, window_size=5, patience=2, factor=0.9)",
            0.1,
            100,
            "noise",
        ),
        C(
            "GreedyLR__reset_at_min_lr",
            "GreedyLR(factor=0.5, patience=0, min_lr=0.01, reset_start=3)",
            0.1,
            80,
            "noise",
        ),
        C(
            "GreedyLR__min_max_lists_capped",
            "GreedyLR(min_lr=[0.01], max_lr=[0.2], patience=1, factor=0.7)",
            0.1,
            100,
            "loss",
        ),
        C(
            "GreedyLR__eps_blocks_changes",
            "GreedyLR(patience=1, factor=0.9, eps=0.015, min_lr=0.0)",
            0.1,
            60,
            "noise",
        ),
        C(
            "GreedyLR__negative_loss_rel",
            "GreedyLR(threshold_mode='rel', threshold=1e-3, patience=2, factor=0.8)",
            0.1,
            80,
            "negative",
        ),
        C(
            "GreedyLR__rounded_threshold0",
            "GreedyLR(threshold=0.0, patience=1, factor=0.5, min_lr=1e-3)",
            0.1,
            60,
            "rounded",
        ),
        C(
            "GreedyLR__nan_inf_metrics",
            "GreedyLR(patience=1, factor=0.5, min_lr=1e-4)",
            0.1,
            60,
            "nan_loss",
        ),
        C(
            "GreedyLR__smooth_nan_sticks",
            "GreedyLR(smooth=True, window_size=3, patience=1, factor=0.5, min_lr=0.005, "
            "reset_start=4)",
            0.1,
            60,
            "nan_loss",
        ),
        C(
            "GreedyLR__qualified_max_nan",
            "transformers.optimization.GreedyLR(mode='max', patience=1, factor=0.8)",
            0.1,
            50,
            "nan_accuracy",
        ),
        C(
            "get_scheduler__greedy",
            'get_scheduler("greedy", scheduler_specific_kwargs={"patience": 3, "factor": 0.7})',
            0.1,
            100,
            "plateau_loss",
        ),
        C(
            "get_scheduler__greedy_ignores_steps",
            'get_scheduler("greedy", num_warmup_steps=10, num_training_steps=100)',
            0.1,
            120,
            "plateau_loss",
        ),
        # Rejected by transformers.
        R("GreedyLR__factor1", "GreedyLR(factor=1.0)", 0.1, 10, "loss"),
        R("get_greedy_schedule__unknown_mode", "get_greedy_schedule(mode='avg')", 0.1, 10, "loss"),
        R(
            "GreedyLR__unknown_threshold_mode",
            "GreedyLR(threshold_mode='pct')",
            0.1,
            10,
            "loss",
        ),
        R("GreedyLR__two_min_lrs", "GreedyLR(min_lr=[0.1, 0.2])", 0.1, 10, "loss"),
        R(
            "get_greedy_schedule__unexpected_kwarg",
            "get_greedy_schedule(patience_t=3)",
            0.1,
            10,
            "loss",
        ),
        R(
            "get_scheduler__greedy_unexpected_kwarg",
            'get_scheduler("greedy", scheduler_specific_kwargs={"num_cycles": 2})',
            0.1,
            10,
            "loss",
        ),
        R(
            "GreedyLR__smooth_window0_divides_by_zero",
            "GreedyLR(smooth=True, window_size=0)",
            0.1,
            10,
            "loss",
        ),
        R(
            f"{poly}__lr_end_not_below_lr",
            f"{poly}(num_warmup_steps=10, num_training_steps=100, lr_end=1e-3)",
            1e-3,
            20,
        ),
        R(
            f"{poly}__warmup_equals_total",
            f"{poly}(num_warmup_steps=10, num_training_steps=10)",
            0.01,
            15,
        ),
        R(
            f"{cmin}__both_min_lr_and_rate",
            f"{cmin}(num_warmup_steps=10, num_training_steps=100, min_lr=1e-5, min_lr_rate=0.1)",
            1e-3,
            20,
        ),
        R(
            f"{cmin}__neither_min_lr_nor_rate",
            f"{cmin}(num_warmup_steps=10, num_training_steps=100)",
            1e-3,
            20,
        ),
        R(
            "get_wsd_schedule__unknown_decay_type",
            "get_wsd_schedule(num_warmup_steps=10, num_decay_steps=20, num_training_steps=100, "
            "decay_type='exp')",
            1e-3,
            20,
        ),
        R(
            "get_wsd_schedule__unknown_warmup_type",
            "get_wsd_schedule(num_warmup_steps=10, num_decay_steps=20, num_training_steps=100, "
            "warmup_type='exp')",
            1e-3,
            20,
        ),
        R(
            "get_wsd_schedule__no_total_no_stable",
            "get_wsd_schedule(num_warmup_steps=10, num_decay_steps=20)",
            1e-3,
            20,
        ),
        R("get_scheduler__unknown_name", 'get_scheduler("foo", num_warmup_steps=10)', 1e-3, 20),
        R(
            "get_scheduler__linear_without_total",
            'get_scheduler("linear", num_warmup_steps=10)',
            1e-3,
            20,
        ),
        R("get_scheduler__cosine_without_warmup", 'get_scheduler("cosine")', 1e-3, 20),
        R(
            "get_scheduler__unexpected_kwarg",
            'get_scheduler("cosine_with_restarts", num_warmup_steps=0, num_training_steps=50, '
            'scheduler_specific_kwargs={"eta_min": 0.0})',
            1e-3,
            20,
        ),
        R(
            "get_scheduler__wsd_warmup_in_kwargs",
            'get_scheduler("warmup_stable_decay", num_warmup_steps=5, num_training_steps=50, '
            'scheduler_specific_kwargs={"num_warmup_steps": 5, "num_decay_steps": 10})',
            1e-3,
            20,
        ),
    ]


# --------------------------------------------------------------------------------------------
# timm cases.
# --------------------------------------------------------------------------------------------

TS = "timm.scheduler."


def timm_cases() -> list[Case]:
    return [
        # CosineLRScheduler
        C("CosineLRScheduler__t100_past_end", "CosineLRScheduler(t_initial=100)", 0.1, 110),
        C(
            "CosineLRScheduler__warmup_overlay",
            "CosineLRScheduler(t_initial=100, warmup_t=5, warmup_lr_init=1e-5)",
            1e-3,
            100,
        ),
        C(
            "CosineLRScheduler__qualified_warmup_prefix",
            f"{TS}CosineLRScheduler(t_initial=95, warmup_t=5, warmup_lr_init=1e-6, "
            "warmup_prefix=True)",
            1e-3,
            105,
        ),
        C(
            "CosineLRScheduler__lr_min",
            "CosineLRScheduler(t_initial=50, lr_min=1e-5)",
            0.01,
            55,
        ),
        C(
            "CosineLRScheduler__cycle_limit3",
            "CosineLRScheduler(t_initial=20, cycle_limit=3, lr_min=1e-4)",
            0.1,
            70,
        ),
        C(
            "CosineLRScheduler__cycle_mul2_decay0.5",
            "CosineLRScheduler(t_initial=10, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=3)",
            0.1,
            75,
        ),
        C(
            "CosineLRScheduler__cycle_mul1.5_warmup",
            "CosineLRScheduler(t_initial=20, cycle_mul=1.5, cycle_limit=3, lr_min=1e-5, "
            "warmup_t=3, warmup_lr_init=1e-4)",
            0.05,
            100,
        ),
        C(
            "CosineLRScheduler__cycle_decay_no_mul",
            "CosineLRScheduler(t_initial=25, cycle_decay=0.7, cycle_limit=4)",
            0.1,
            105,
        ),
        C(
            "CosineLRScheduler__cycle_mul2_limit1",
            "CosineLRScheduler(t_initial=30, cycle_mul=2.0)",
            0.1,
            40,
        ),
        C("CosineLRScheduler__k_decay2", "CosineLRScheduler(t_initial=60, k_decay=2.0)", 0.1, 60),
        C(
            "CosineLRScheduler__qualified_k_decay0.5",
            f"{TS}CosineLRScheduler(t_initial=60, k_decay=0.5, lr_min=1e-4)",
            0.1,
            60,
        ),
        C(
            "CosineLRScheduler__updates",
            "CosineLRScheduler(t_initial=300, warmup_t=30, warmup_lr_init=1e-6, t_in_epochs=False)",
            5e-4,
            320,
        ),
        C("CosineLRScheduler__positional", "CosineLRScheduler(40, 1e-4)", 0.01, 45),
        C(
            "CosineLRScheduler__cycle_limit0",
            "CosineLRScheduler(t_initial=10, cycle_limit=0, lr_min=1e-3)",
            0.1,
            5,
        ),
        # TanhLRScheduler
        C("TanhLRScheduler__t100", "TanhLRScheduler(t_initial=100)", 0.1, 105),
        C(
            "TanhLRScheduler__bounds_lr_min",
            "TanhLRScheduler(t_initial=50, lb=-6.0, ub=4.0, lr_min=1e-5)",
            0.01,
            55,
        ),
        C(
            "TanhLRScheduler__warmup_overlay",
            "TanhLRScheduler(t_initial=60, warmup_t=5, warmup_lr_init=1e-4)",
            0.1,
            60,
        ),
        C(
            "TanhLRScheduler__qualified_prefix_cycles",
            f"{TS}TanhLRScheduler(t_initial=20, warmup_t=4, warmup_prefix=True, cycle_limit=2, "
            "cycle_decay=0.5)",
            0.1,
            50,
        ),
        C(
            "TanhLRScheduler__cycle_mul2",
            "TanhLRScheduler(t_initial=10, cycle_mul=2.0, cycle_limit=3)",
            0.1,
            75,
        ),
        # StepLRScheduler
        C(
            "StepLRScheduler__decay30",
            "StepLRScheduler(decay_t=30, decay_rate=0.1)",
            0.1,
            100,
        ),
        C(
            "StepLRScheduler__float_decay_t",
            "StepLRScheduler(decay_t=2.5, decay_rate=0.5)",
            0.1,
            20,
        ),
        C(
            "StepLRScheduler__warmup_prefix_default",
            "StepLRScheduler(decay_t=10, decay_rate=0.5, warmup_t=3, warmup_lr_init=1e-4)",
            0.1,
            40,
        ),
        C("StepLRScheduler__qualified_rate1", f"{TS}StepLRScheduler(decay_t=5)", 0.1, 10),
        C(
            "StepLRScheduler__updates",
            "StepLRScheduler(decay_t=100, decay_rate=0.8, t_in_epochs=False)",
            0.01,
            400,
        ),
        C(
            "StepLRScheduler__warmup_overlay",
            "StepLRScheduler(decay_t=4, decay_rate=0.5, warmup_t=6, warmup_lr_init=0.0, "
            "warmup_prefix=False)",
            0.1,
            20,
        ),
        C("StepLRScheduler__positional", "StepLRScheduler(3, 0.5)", 0.2, 12),
        # MultiStepLRScheduler
        C(
            "MultiStepLRScheduler__30_60_90",
            "MultiStepLRScheduler(decay_t=[30, 60, 90], decay_rate=0.1)",
            0.1,
            100,
        ),
        C(
            "MultiStepLRScheduler__early_milestone",
            "MultiStepLRScheduler(decay_t=[3, 6], decay_rate=0.5)",
            1.0,
            10,
        ),
        C(
            "MultiStepLRScheduler__qualified_warmup",
            f"{TS}MultiStepLRScheduler(decay_t=[10, 20], decay_rate=0.2, warmup_t=5, "
            "warmup_lr_init=1e-4)",
            0.1,
            30,
        ),
        C(
            "MultiStepLRScheduler__unsorted",
            "MultiStepLRScheduler(decay_t=[4, 2], decay_rate=0.5)",
            0.1,
            8,
        ),
        C(
            "MultiStepLRScheduler__milestone1",
            "MultiStepLRScheduler(decay_t=[1, 5], decay_rate=0.1)",
            0.1,
            8,
        ),
        # PolyLRScheduler
        C("PolyLRScheduler__default_power", "PolyLRScheduler(t_initial=100)", 0.1, 105),
        C(
            "PolyLRScheduler__power1_lr_min",
            "PolyLRScheduler(t_initial=50, power=1.0, lr_min=1e-4)",
            0.01,
            55,
        ),
        C(
            "PolyLRScheduler__k_decay1.5",
            "PolyLRScheduler(t_initial=40, power=2.0, k_decay=1.5)",
            0.1,
            40,
        ),
        C(
            "PolyLRScheduler__qualified_prefix_cycles",
            f"{TS}PolyLRScheduler(t_initial=30, power=0.9, warmup_t=5, warmup_lr_init=1e-5, "
            "warmup_prefix=True, cycle_limit=2, cycle_decay=0.5)",
            0.01,
            70,
        ),
        C(
            "PolyLRScheduler__updates",
            "PolyLRScheduler(t_initial=200, power=1.0, t_in_epochs=False)",
            1e-3,
            210,
        ),
        # WSDLRScheduler
        C("WSDLRScheduler__defaults", "WSDLRScheduler(t_initial=100, decay_t=20)", 0.1, 105),
        C(
            "WSDLRScheduler__warmup_linear",
            "WSDLRScheduler(t_initial=80, decay_t=20, warmup_t=10, warmup_lr_init=1e-5, "
            "decay_fn='linear')",
            1e-3,
            95,
        ),
        C(
            "WSDLRScheduler__cosine_lr_min",
            "WSDLRScheduler(t_initial=60, decay_t=30, decay_fn='cosine', lr_min=1e-5)",
            0.01,
            65,
        ),
        C(
            "WSDLRScheduler__exp_ratio0.05",
            "WSDLRScheduler(t_initial=50, decay_t=25, decay_fn='exp', decay_ratio=0.05)",
            0.1,
            55,
        ),
        C(
            "WSDLRScheduler__qualified_exp_lr_min",
            f"{TS}WSDLRScheduler(t_initial=40, decay_t=10, decay_fn='exp', lr_min=1e-4)",
            0.01,
            45,
        ),
        C(
            "WSDLRScheduler__power2",
            "WSDLRScheduler(t_initial=40, decay_t=20, decay_fn='power', decay_power=2.0)",
            0.1,
            42,
        ),
        C(
            "WSDLRScheduler__stable_rsqrt",
            "WSDLRScheduler(t_initial=100, decay_t=20, warmup_t=10, stable_fn='rsqrt')",
            0.01,
            115,
        ),
        C(
            "WSDLRScheduler__stable_power_timescale",
            "WSDLRScheduler(t_initial=100, decay_t=10, warmup_t=5, stable_fn='power', "
            "stable_power=0.3, stable_timescale=20.0, lr_min=1e-5)",
            0.01,
            110,
        ),
        C(
            "WSDLRScheduler__all_decay_linear",
            "WSDLRScheduler(t_initial=30, decay_t=30, stable_fn='constant', decay_fn='linear')",
            0.1,
            32,
        ),
        C(
            "WSDLRScheduler__lambda_decay_fn",
            "WSDLRScheduler(t_initial=40, decay_t=20, decay_fn=lambda g: (1 - g) ** 2)",
            0.1,
            42,
        ),
        C(
            "WSDLRScheduler__updates",
            "WSDLRScheduler(t_initial=300, decay_t=60, warmup_t=20, t_in_epochs=False)",
            1e-3,
            330,
        ),
        # PlateauLRScheduler (metric-driven; mode 'max' by default), stepped as train.py does:
        # step(epoch + 1, metric) after each epoch. With a warmup the constructor leaves
        # warmup_lr_init and the metric is ignored while epoch + 1 <= warmup_t; without one it
        # leaves the base lr (warmup_lr_init unused).
        C(
            "PlateauLRScheduler__accuracy_warmup2",
            "PlateauLRScheduler(decay_rate=0.5, patience_t=3, warmup_t=2, warmup_lr_init=0.01)",
            0.1,
            80,
            "accuracy",
        ),
        C(
            "PlateauLRScheduler__min_loss_cooldown_warmup1",
            "PlateauLRScheduler(mode='min', decay_rate=0.1, patience_t=5, cooldown_t=2, "
            "lr_min=1e-5, warmup_t=1)",
            0.1,
            120,
            "loss",
        ),
        C(
            "PlateauLRScheduler__qualified_warmup5",
            f"{TS}PlateauLRScheduler(patience_t=2, warmup_t=5, warmup_lr_init=1e-4, "
            "threshold=1e-3)",
            0.01,
            60,
            "accuracy",
        ),
        C(
            "PlateauLRScheduler__positional_max_mode_on_loss",
            "PlateauLRScheduler(0.5, 4, 1e-3, 0, 3)",
            0.1,
            60,
            "plateau_loss",
        ),
        C(
            "PlateauLRScheduler__no_warmup_ignores_warmup_lr_init",
            "PlateauLRScheduler(patience_t=2, warmup_lr_init=0.005)",
            0.1,
            50,
            "accuracy",
        ),
        C("PlateauLRScheduler__defaults", "PlateauLRScheduler()", 0.1, 60, "noise"),
        C(
            "PlateauLRScheduler__min_no_warmup_patience1_rate0.3",
            "PlateauLRScheduler(mode='min', patience_t=1, decay_rate=0.3)",
            0.1,
            100,
            "plateau_loss",
        ),
        C(
            "PlateauLRScheduler__min_patience0_rate0.9_lr_min",
            "PlateauLRScheduler(mode='min', patience_t=0, decay_rate=0.9, lr_min=0.02)",
            0.1,
            60,
            "noise",
        ),
        C(
            "PlateauLRScheduler__max_patience5_warmup3_cooldown1",
            "PlateauLRScheduler(mode='max', patience_t=5, decay_rate=0.2, warmup_t=3, "
            "warmup_lr_init=1e-3, cooldown_t=1)",
            0.05,
            90,
            "accuracy",
        ),
        C(
            "PlateauLRScheduler__max_rounded_warmup10",
            "PlateauLRScheduler(patience_t=1, decay_rate=0.5, warmup_t=10, warmup_lr_init=0.0)",
            1.0,
            40,
            "noise",
        ),
        C(
            "PlateauLRScheduler__min_nan_inf_metrics_warmup2",
            "PlateauLRScheduler(mode='min', patience_t=2, decay_rate=0.5, warmup_t=2)",
            0.1,
            60,
            "nan_loss",
        ),
        C(
            "PlateauLRScheduler__max_nan_metrics",
            "PlateauLRScheduler(patience_t=1, decay_rate=0.5)",
            0.1,
            40,
            "nan_accuracy",
        ),
        # Rejected by timm.
        R("CosineLRScheduler__t_initial0", "CosineLRScheduler(t_initial=0)", 0.1, 10),
        R(
            "CosineLRScheduler__negative_lr_min",
            "CosineLRScheduler(t_initial=10, lr_min=-1e-3)",
            0.1,
            10,
        ),
        R("TanhLRScheduler__lb_above_ub", "TanhLRScheduler(t_initial=10, lb=3, ub=-7)", 0.1, 10),
        R(
            "WSDLRScheduler__decay_t_above_t_initial",
            "WSDLRScheduler(t_initial=40, decay_t=50)",
            0.1,
            10,
        ),
        R("WSDLRScheduler__decay_t0", "WSDLRScheduler(t_initial=40, decay_t=0)", 0.1, 10),
        R(
            "WSDLRScheduler__unknown_decay_fn",
            "WSDLRScheduler(t_initial=40, decay_t=10, decay_fn='step')",
            0.1,
            10,
        ),
        R(
            "WSDLRScheduler__decay_ratio_above_1",
            "WSDLRScheduler(t_initial=40, decay_t=10, decay_fn='exp', decay_ratio=1.5)",
            0.1,
            10,
        ),
        R(
            "WSDLRScheduler__rsqrt_without_timescale",
            "WSDLRScheduler(t_initial=40, decay_t=10, stable_fn='rsqrt')",
            0.1,
            10,
        ),
        R("StepLRScheduler__decay_t0", "StepLRScheduler(decay_t=0)", 0.1, 10),
        R(
            "PlateauLRScheduler__decay_rate1",
            "PlateauLRScheduler(decay_rate=1.0)",
            0.1,
            10,
            "accuracy",
        ),
        R(
            "PlateauLRScheduler__unknown_mode",
            "PlateauLRScheduler(mode='avg')",
            0.1,
            10,
            "accuracy",
        ),
        R(
            "StepLRScheduler__decay_t0_after_warmup",
            "StepLRScheduler(decay_t=0, decay_rate=0.5, warmup_t=3)",
            0.1,
            10,
        ),
    ]


# --------------------------------------------------------------------------------------------
# Main.
# --------------------------------------------------------------------------------------------

CASES = {"torch": torch_cases, "hf": hf_cases, "timm": timm_cases}


def versions(framework: str) -> dict[str, str]:
    out = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
    }
    if framework == "hf":
        out["transformers"] = transformers.__version__
    if framework == "timm":
        out["timm"] = TIMM_VERSION
        out["timm_import"] = TIMM_IMPORT
    return out


def run(framework: str) -> tuple[dict[str, Any], list[str]]:
    """Record every case of one framework; returns (document, problems)."""
    specs = CASES[framework]()
    ids = [s["id"] for s in specs]
    problems = [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    cases: list[Case] = []
    for spec in specs:
        out = {k: spec[k] for k in ("id", "expr", "base_lr", "steps")}
        if "metrics" in spec:  # JSON has no nan or inf: those are written as strings
            out["metrics"] = [x if math.isfinite(x) else repr(x) for x in spec["metrics"]]
        try:
            lrs = record_timm(spec) if framework == "timm" else record_torch_like(framework, spec)
        except Rejected as exc:
            if not spec["reject"]:
                problems.append(f"{spec['id']}: unexpectedly rejected ({exc})")
            out["error"] = exc.error
            out["when"] = exc.when
            cases.append(out)
            continue
        if spec["reject"]:
            problems.append(f"{spec['id']}: expected a rejection, got values")
        if len(lrs) != spec["steps"] or not all(math.isfinite(x) for x in lrs):
            problems.append(f"{spec['id']}: bad lr list")
        out["lr"] = lrs
        cases.append(out)
    doc = {
        "framework": framework,
        "versions": versions(framework),
        "generator": GENERATOR,
        "convention": CONVENTION[framework],
        "cases": cases,
    }
    return doc, problems


def main() -> int:
    """Record all three frameworks, write the JSON files, print a summary on stderr."""
    warnings.filterwarnings("ignore")
    all_problems: list[str] = []
    docs = {}
    for framework in CASES:
        doc, problems = run(framework)
        docs[framework] = doc
        all_problems += [f"{framework}: {p}" for p in problems]
    if all_problems:
        print("\n".join(all_problems), file=sys.stderr)
        return 1
    for framework, doc in docs.items():
        path = HERE / f"dialect_{framework}.json"
        text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
        path.write_text(text, encoding="utf-8")
        ok = sum("lr" in c for c in doc["cases"])
        rejected = len(doc["cases"]) - ok
        print(
            f"{framework:6s} ok {ok:3d}  rejected {rejected:3d}  "
            f"{path.name} ({len(text.encode())} bytes)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
