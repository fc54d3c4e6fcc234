"""Generate golden learning-rate vectors by running the real PyTorch schedulers.

The output, ``tests/golden/torch.json``, is the reference that the numpy re-implementation of
the ``torch`` dialect is tested against. It is committed; this script only needs to be run
again when cases are added or changed.

How to re-run (from the repository root)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/golden/generate_torch.py

torch is deliberately *not* a dependency of the project; the throw-away venv lives outside the
repository. The output is deterministic for a given torch version (the metric series for
``ReduceLROnPlateau`` come from a seeded numpy generator).

Recording convention (the same for every case)
----------------------------------------------
* One parameter group: ``SGD([Parameter(zeros(1))], lr=base_lr, momentum=0.9)``.
* The scheduler is built on that optimizer with exactly the keyword arguments stored in
  ``kwargs``.
* ``for i in range(steps)``: ``lr[i] = optimizer.param_groups[0]["lr"]``, then
  ``optimizer.step()`` and ``scheduler.step()`` (``scheduler.step(metrics[i])`` for
  ``ReduceLROnPlateau``). So ``lr[0]`` is the value right after construction and ``lr[i]`` is
  the value used by update ``i``.

Note that ``CyclicLR`` overwrites the optimizer's lr with its own ``base_lr`` argument and
``OneCycleLR`` ignores it (it starts at ``max_lr / div_factor``); ``base_lr`` in the JSON is
always the *optimizer's* lr.

Output format::

    {"generator": "tests/golden/generate_torch.py", "torch_version": "...",
     "cases": [{"id": ..., "class": ..., "kwargs": {...}, "base_lr": ..., "steps": N,
                "metrics": [...],   # ReduceLROnPlateau only
                "lr": [N floats]}, ...]}

Floats are written by ``json`` (shortest repr), so they round-trip to the exact float64.
"""

from __future__ import annotations

import copy
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.optim import lr_scheduler

# Where the vectors go, and the name recorded in them.
OUT_PATH = Path(__file__).resolve().parent / "torch.json"
GENERATOR = "tests/golden/generate_torch.py"

# Seed for the ReduceLROnPlateau metric series. Changing it changes torch.json.
SEED = 20240601

# Only OneCycleLR cases may be skipped (degenerate phases raise inside torch); anything else
# raising is a bug in this script and must stop it.
MAY_RAISE = {"OneCycleLR"}

Case = dict[str, Any]


class CaseError(Exception):
    """torch raised ZeroDivisionError/ValueError while recording a case (message says where)."""


def num(x: float) -> str:
    """Short, readable text for a number in a case id (0.001 -> '0.001', 1e4 -> '1e4')."""
    return f"{x:.4g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def case(cls: str, case_id: str, kwargs: dict[str, Any], base_lr: float, steps: int) -> Case:
    """Build one case spec; the id is prefixed with the class name so ids stay unique."""
    return {
        "id": f"{cls}__{case_id}",
        "class": cls,
        "kwargs": kwargs,
        "base_lr": float(base_lr),
        "steps": int(steps),
    }


def record(spec: Case) -> list[float]:
    """Run one scheduler under the recording convention and return the lr sequence."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=spec["base_lr"], momentum=0.9)
    scheduler_cls = getattr(lr_scheduler, spec["class"])
    try:
        # Deep copy so torch can never mutate the kwargs we write to the JSON.
        scheduler = scheduler_cls(optimizer, **copy.deepcopy(spec["kwargs"]))
    except (ZeroDivisionError, ValueError) as exc:
        raise CaseError(f"in the constructor: {type(exc).__name__}: {exc}") from exc
    metrics = spec.get("metrics")
    lrs: list[float] = []
    for i in range(spec["steps"]):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()  # no gradient, so the parameter is untouched; keeps torch's order check
        try:
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics[i])
        except (ZeroDivisionError, ValueError) as exc:
            where = f"at scheduler.step() #{i + 1}"
            raise CaseError(f"{where}: {type(exc).__name__}: {exc}") from exc
    return lrs


# --------------------------------------------------------------------------------------------
# Case tables, one function per class.
# --------------------------------------------------------------------------------------------


def cyclic_cases() -> list[Case]:
    """CyclicLR: the three modes, short half-cycles, asymmetric up/down, inverted range."""
    cls = "CyclicLR"
    out: list[Case] = []
    # (mode, step_size_up, step_size_down or None, gamma or None, base_lr, max_lr, steps)
    table = [
        ("triangular", 1, None, None, 0.001, 0.1, 20),
        ("triangular", 2, None, None, 0.001, 0.1, 30),
        ("triangular", 5, None, None, 0.01, 0.1, 60),
        ("triangular", 10, None, None, 1e-4, 1e-2, 100),
        ("triangular", 20, None, None, 0.001, 1.0, 200),
        ("triangular", 3, 7, None, 0.001, 0.1, 50),
        ("triangular", 10, 4, None, 0.01, 0.5, 70),
        ("triangular2", 5, None, None, 0.001, 0.1, 100),
        ("triangular2", 3, 7, None, 0.01, 0.1, 80),
        ("exp_range", 10, None, 0.99, 0.001, 0.1, 200),
        ("exp_range", 20, None, 0.995, 0.001, 0.1, 400),
        ("exp_range", 3, 7, 0.99, 0.001, 0.1, 100),
        # base_lr > max_lr: accepted by torch, the cycle runs downwards.
        ("triangular", 5, None, None, 0.1, 0.001, 40),
    ]
    for mode, up, down, gamma, base, peak, steps in table:
        kwargs: dict[str, Any] = {"base_lr": base, "max_lr": peak, "step_size_up": up}
        name = f"{mode}_up{up}"
        if down is not None:
            kwargs["step_size_down"] = down
            name += f"_down{down}"
        kwargs["mode"] = mode
        if gamma is not None:
            kwargs["gamma"] = gamma
            name += f"_gamma{num(gamma)}"
        name += f"_base{num(base)}_max{num(peak)}"
        if base > peak:
            name += "_inverted"
        # The optimizer lr is set equal to base_lr (CyclicLR overwrites it anyway).
        out.append(case(cls, f"{name}_n{steps}", kwargs, base, steps))
    # One case whose optimizer lr differs from base_lr: it must be ignored.
    out.append(
        case(
            cls,
            "triangular_up4_optimizer_lr_ignored_n25",
            {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "triangular"},
            0.5,
            25,
        )
    )
    return out


def cawr_cases() -> list[Case]:
    """CosineAnnealingWarmRestarts: T_0, T_mult and eta_min grid, several restarts each."""
    cls = "CosineAnnealingWarmRestarts"
    # (T_0, T_mult, eta_min, base_lr, steps); steps cover several restarts.
    table = [
        (1, 1, 0.0, 0.1, 10),  # restarts every step: constant base lr
        (1, 2, 0.001, 0.1, 70),  # restarts at 1, 3, 7, 15, 31, 63
        (1, 3, 0.0, 0.1, 130),  # restarts at 1, 4, 13, 40, 121 (no log quirk via step())
        (5, 1, 0.0, 0.1, 40),
        (5, 2, 0.001, 0.5, 160),  # 5, 15, 35, 75, 155
        (5, 3, 0.05, 1.0, 210),  # 5, 20, 65, 200
        (5, 2, 0.05, 0.01, 80),  # eta_min > base lr: the curve is inverted
        (10, 2, 0.0, 3e-4, 310),  # 10, 30, 70, 150, 310
        (10, 3, 0.001, 0.1, 400),  # 10, 40, 130, 400
        (17, 1, 0.001, 0.1, 90),
        (17, 2, 0.05, 0.5, 260),  # 17, 51, 119, 255
        (17, 3, 0.0, 1.0, 300),  # 17, 68, 221
    ]
    out = []
    for t0, tmult, eta_min, base, steps in table:
        kwargs = {"T_0": t0, "T_mult": tmult, "eta_min": eta_min}
        name = f"T0_{t0}_Tmult{tmult}_etamin{num(eta_min)}_base{num(base)}_n{steps}"
        out.append(case(cls, name, kwargs, base, steps))
    return out


def onecycle_cases() -> list[Case]:
    """OneCycleLR: total_steps, pct_start, anneal strategy, div factors, two/three phases.

    total_steps is always the number of recorded steps N. The last recorded step is followed by
    one more ``scheduler.step()`` (the "extra" step torch allows), which is part of the
    convention; combinations that raise in the constructor or in any step are skipped.
    """
    cls = "OneCycleLR"
    # (max_lr, total_steps, pct_start, anneal_strategy, div_factor, final_div_factor, three_phase)
    table: list[tuple[float, int, float, str, float, float, bool]] = []
    # Core set at N=100 with the default div factors: every pct_start, both strategies for
    # the default pct 0.3, the pct 0.0 edge (starts already annealing) and pct 0.7.
    for pct, strategy in (
        (0.3, "cos"),
        (0.3, "linear"),
        (0.0, "cos"),
        (0.0, "linear"),
        (0.7, "cos"),
        (0.7, "linear"),
        (0.05, "cos"),
        (0.25, "linear"),
        (0.5, "cos"),
    ):
        table.append((0.1, 100, pct, strategy, 25.0, 1e4, False))
    # Three-phase variants (pct 0.7 never reaches min_lr).
    table += [
        (0.1, 100, 0.3, "cos", 25.0, 1e4, True),
        (0.1, 100, 0.3, "linear", 25.0, 1e4, True),
        (0.1, 100, 0.7, "cos", 25.0, 1e4, True),
    ]
    # Tiny schedules.
    table += [
        (0.1, 1, 0.3, "cos", 25.0, 1e4, False),
        (0.1, 1, 0.3, "linear", 25.0, 1e4, False),
        (0.1, 1, 0.5, "cos", 25.0, 1e4, True),
        (0.5, 7, 0.3, "linear", 10.0, 100.0, False),
        (0.5, 7, 0.5, "cos", 1.5, 1e4, True),
        (0.5, 7, 0.7, "linear", 25.0, 100.0, True),
        (0.5, 7, 0.0, "cos", 10.0, 1e4, False),
    ]
    # Other lengths, max_lr values and div factors.
    table += [
        (1.0, 50, 0.3, "linear", 1.5, 1e4, True),
        (0.01, 50, 0.5, "cos", 1.5, 100.0, False),
        (3e-3, 333, 0.25, "linear", 10.0, 1e4, False),
        (3e-3, 333, 0.3, "cos", 25.0, 100.0, True),
        (0.2, 333, 0.05, "cos", 1.5, 1e4, False),
    ]
    # Degenerate probes, expected to raise (zero-width phase) and therefore be skipped; they
    # document which inputs torch cannot handle under this convention.
    table += [
        (0.1, 10, 0.1, "cos", 25.0, 1e4, False),  # phase 1 has zero width
        (0.1, 2, 0.5, "cos", 25.0, 1e4, False),  # phase 1 has zero width
        (0.1, 7, 1.0, "cos", 25.0, 1e4, False),  # phase 2 has zero width: fails on extra step
    ]
    out = []
    for max_lr, total, pct, strategy, div, fdiv, three in table:
        kwargs = {
            "max_lr": max_lr,
            "total_steps": total,
            "pct_start": pct,
            "anneal_strategy": strategy,
            "div_factor": div,
            "final_div_factor": fdiv,
            "three_phase": three,
        }
        name = (
            f"max{num(max_lr)}_total{total}_pct{num(pct)}_{strategy}_div{num(div)}"
            f"_fdiv{num(fdiv)}_{'three' if three else 'two'}phase"
        )
        # The optimizer lr is irrelevant to OneCycleLR; use max_lr so the JSON looks natural.
        out.append(case(cls, name, kwargs, max_lr, total))
    # One case with an unrelated optimizer lr, to show it is ignored.
    out.append(
        case(
            cls,
            "max0.1_total20_defaults_optimizer_lr_ignored",
            {"max_lr": 0.1, "total_steps": 20},
            7.0,
            20,
        )
    )
    return out


def metric_series() -> dict[str, list[float]]:
    """Seeded metric series for ReduceLROnPlateau (plain Python floats)."""
    rng = np.random.default_rng(SEED)

    def floats(a: np.ndarray) -> list[float]:
        return [float(v) for v in a]

    series: dict[str, list[float]] = {}
    # Noisy, exponentially decreasing training loss.
    t = np.arange(120)
    series["noisy_decreasing"] = floats(1.5 * np.exp(-t / 25) + 0.3 + rng.normal(0, 0.03, t.size))
    # Decreases, then sits on a plateau with tiny noise, then drops again.
    t = np.arange(150)
    base = np.where(t < 40, 1.0 - 0.0125 * t, 0.5)
    base = np.where(t >= 100, 0.5 - 0.004 * (t - 100), base)
    series["plateau"] = floats(base + rng.normal(0, 0.002, t.size))
    # Validation accuracy rising towards 0.95 (for mode='max').
    t = np.arange(100)
    series["accuracy_increasing"] = floats(
        0.95 - 0.85 * np.exp(-t / 15) + rng.normal(0, 0.01, t.size)
    )
    # Negative loss (e.g. negative log-likelihood bound) that improves and then flattens out;
    # exercises the rel-mode bug with negative metrics (pytorch#47513).
    t = np.arange(80)
    series["negative"] = floats(-0.5 - 2.0 * (1 - np.exp(-t / 20)) + rng.normal(0, 0.02, t.size))
    # Exactly repeated values: a decreasing loss rounded to one decimal, so long runs of equal
    # metrics (threshold=0 must count an equal value as bad).
    t = np.arange(60)
    series["repeated_values"] = floats(np.round(1.2 * np.exp(-t / 20) + 0.2, 1))
    # Pure noise around 1.0 (no trend): reductions keep coming, min_lr / eps become visible.
    t = np.arange(200)
    series["noise"] = floats(1.0 + rng.normal(0, 0.05, t.size))
    # A short noisy series.
    t = np.arange(30)
    series["short"] = floats(0.8 - 0.005 * t + rng.normal(0, 0.02, t.size))
    return series


def plateau_cases() -> list[Case]:
    """ReduceLROnPlateau: modes, threshold modes, patience, cooldown, min_lr, eps, factor."""
    cls = "ReduceLROnPlateau"
    series = metric_series()
    # (series name, base_lr, kwargs); an empty kwargs dict means all defaults.
    table: list[tuple[str, float, dict[str, Any]]] = [
        ("noisy_decreasing", 0.1, {}),
        ("plateau", 0.1, {"mode": "min", "factor": 0.5, "patience": 0, "cooldown": 3}),
        (
            "plateau",
            0.1,
            {"mode": "min", "factor": 0.5, "patience": 2, "cooldown": 3, "min_lr": 1e-3},
        ),
        (
            "noisy_decreasing",
            0.1,
            {
                "mode": "min",
                "threshold_mode": "abs",
                "threshold": 0.01,
                "patience": 2,
                "cooldown": 3,
            },
        ),
        (
            "repeated_values",
            0.1,
            {"mode": "min", "threshold_mode": "abs", "threshold": 0.0, "patience": 5},
        ),
        (
            "repeated_values",
            0.1,
            {"mode": "min", "threshold_mode": "rel", "threshold": 0.0, "patience": 2},
        ),
        ("accuracy_increasing", 0.1, {"mode": "max", "threshold": 1e-4, "patience": 5}),
        (
            "accuracy_increasing",
            0.1,
            {
                "mode": "max",
                "threshold_mode": "abs",
                "threshold": 0.01,
                "patience": 2,
                "cooldown": 3,
                "factor": 0.5,
            },
        ),
        ("accuracy_increasing", 0.1, {"mode": "max", "threshold": 0.0, "patience": 0}),
        ("negative", 0.1, {"mode": "min", "threshold_mode": "rel", "patience": 2}),
        (
            "negative",
            0.1,
            {"mode": "min", "threshold_mode": "abs", "threshold": 0.01, "patience": 2},
        ),
        ("negative", 0.1, {"mode": "max", "threshold_mode": "rel", "patience": 2}),
        # min_lr clamps the reduction.
        ("noise", 0.1, {"mode": "min", "factor": 0.1, "patience": 0, "min_lr": 1e-3}),
        # eps=1e-3 freezes the lr once a reduction would be smaller than 1e-3.
        ("noise", 0.01, {"mode": "min", "factor": 0.5, "patience": 0, "eps": 1e-3}),
        # Default eps=1e-8 freezes tiny lrs: 1e-6 -> 1e-7 -> 1e-8 and then no further.
        ("noise", 1e-6, {"mode": "min", "factor": 0.1, "patience": 2, "eps": 1e-8}),
        ("short", 0.05, {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 0.01}),
    ]
    out = []
    for name, base, kwargs in table:
        metrics = series[name]
        parts = [f"{k}{num(v) if isinstance(v, float) else v}" for k, v in kwargs.items()]
        label = "_".join(parts) if parts else "defaults"
        spec = case(
            cls, f"{name}_{label}_base{num(base)}_n{len(metrics)}", kwargs, base, len(metrics)
        )
        spec["metrics"] = metrics
        out.append(spec)
    return out


def multistep_cases() -> list[Case]:
    """MultiStepLR: sorted, unsorted, duplicate, zero and out-of-range milestones."""
    cls = "MultiStepLR"
    # (label, milestones, gamma, base_lr, steps)
    table = [
        ("sorted", [30, 80], 0.1, 0.1, 100),
        ("sorted_many", [5, 10, 15, 20, 25], 0.5, 1.0, 30),
        ("unsorted", [50, 10, 30], 0.3, 0.1, 60),
        ("duplicates", [10, 10, 20], 0.5, 0.1, 30),
        ("milestone0", [0, 5], 0.1, 0.1, 12),
        ("beyond_n", [5, 500], 0.3, 0.1, 20),
        ("empty", [], 0.1, 0.1, 5),
    ]
    out = []
    for label, milestones, gamma, base, steps in table:
        kwargs = {"milestones": milestones, "gamma": gamma}
        ms = "-".join(str(m) for m in milestones) or "none"
        name = f"{label}_m{ms}_gamma{num(gamma)}_base{num(base)}_n{steps}"
        out.append(case(cls, name, kwargs, base, steps))
    return out


def linear_cases() -> list[Case]:
    """LinearLR: warm-up, decay, and total_iters beyond N."""
    cls = "LinearLR"
    # (start_factor, end_factor, total_iters, base_lr, steps)
    table = [
        (1.0, 0.0, 50, 0.1, 50),  # linear decay to zero over the whole run
        (0.1, 1.0, 10, 0.1, 30),
        (1 / 3, 1.0, 5, 0.05, 12),
        (0.5, 0.25, 40, 1.0, 60),
        (0.2, 1.0, 100, 0.1, 30),  # total_iters beyond N
        (0.001, 1.0, 200, 0.5, 250),
    ]
    out = []
    for sf, ef, total, base, steps in table:
        kwargs = {"start_factor": sf, "end_factor": ef, "total_iters": total}
        name = f"sf{num(sf)}_ef{num(ef)}_total{total}_base{num(base)}_n{steps}"
        out.append(case(cls, name, kwargs, base, steps))
    return out


def constant_cases() -> list[Case]:
    """ConstantLR: factor and total_iters, including N shorter than total_iters."""
    cls = "ConstantLR"
    # (factor, total_iters, base_lr, steps)
    table = [
        (0.5, 1, 0.1, 5),
        (1 / 3, 5, 0.05, 10),
        (1 / 3, 50, 0.1, 60),
        (1.0, 5, 0.1, 8),
        (0.5, 50, 0.1, 20),  # N shorter than total_iters
        (0.7, 1, 0.1, 4),  # 0.1*0.7*(1/0.7) is 0.09999999999999999, not 0.1
    ]
    out = []
    for factor, total, base, steps in table:
        kwargs = {"factor": factor, "total_iters": total}
        name = f"factor{num(factor)}_total{total}_base{num(base)}_n{steps}"
        out.append(case(cls, name, kwargs, base, steps))
    return out


def step_cases() -> list[Case]:
    """StepLR: step_size and gamma grid."""
    cls = "StepLR"
    # (step_size, gamma, base_lr, steps); short when the lr would underflow.
    table = [
        (1, 0.1, 0.1, 30),
        (1, 0.9, 0.1, 200),
        (3, 0.5, 1.0, 40),
        (10, 0.1, 0.1, 45),
        (10, 0.9, 0.5, 400),
    ]
    out = []
    for size, gamma, base, steps in table:
        kwargs = {"step_size": size, "gamma": gamma}
        name = f"size{size}_gamma{num(gamma)}_base{num(base)}_n{steps}"
        out.append(case(cls, name, kwargs, base, steps))
    return out


def exponential_cases() -> list[Case]:
    """ExponentialLR: a few gammas over long runs."""
    cls = "ExponentialLR"
    table = [(0.9, 0.1, 100), (0.95, 1.0, 200), (0.99, 0.01, 400)]
    return [case(cls, f"gamma{num(g)}_base{num(b)}_n{n}", {"gamma": g}, b, n) for g, b, n in table]


def polynomial_cases() -> list[Case]:
    """PolynomialLR: total_iters and power, with N both shorter and longer than total_iters."""
    cls = "PolynomialLR"
    # (total_iters, power, base_lr, steps)
    table = [
        (5, 1.0, 0.1, 10),
        (50, 1.0, 0.1, 30),  # shorter than total_iters
        (50, 0.5, 0.1, 70),
        (50, 2.0, 1.0, 60),
        (100, 2.0, 0.1, 100),
        (100, 0.5, 0.01, 150),
    ]
    out = []
    for total, power, base, steps in table:
        kwargs = {"total_iters": total, "power": power}
        name = f"total{total}_power{num(power)}_base{num(base)}_n{steps}"
        out.append(case(cls, name, kwargs, base, steps))
    return out


def cosine_cases() -> list[Case]:
    """CosineAnnealingLR: T_max and eta_min, some runs past T_max (the curve rises again)."""
    cls = "CosineAnnealingLR"
    # (T_max, eta_min, base_lr, steps)
    table = [
        (10, 0.0, 0.1, 10),
        (10, 0.001, 0.1, 25),  # 2*T_max + 5
        (50, 0.001, 0.5, 105),  # 2*T_max + 5
        (100, 0.0, 1.0, 205),  # 2*T_max + 5
        (100, 0.001, 0.01, 100),
        (10, 0.0, 0.1, 65),  # three full periods
    ]
    out = []
    for t_max, eta_min, base, steps in table:
        kwargs = {"T_max": t_max, "eta_min": eta_min}
        name = f"Tmax{t_max}_etamin{num(eta_min)}_base{num(base)}_n{steps}"
        out.append(case(cls, name, kwargs, base, steps))
    return out


def all_specs() -> list[Case]:
    """Every case spec, in the order they are written."""
    return (
        cyclic_cases()
        + cawr_cases()
        + onecycle_cases()
        + plateau_cases()
        + multistep_cases()
        + linear_cases()
        + constant_cases()
        + step_cases()
        + exponential_cases()
        + polynomial_cases()
        + cosine_cases()
    )


def main() -> int:
    """Record every case, write torch.json and print a summary on stderr."""
    # Deprecation and ordering warnings are irrelevant here and would only clutter the output.
    warnings.filterwarnings("ignore")

    specs = all_specs()
    ids = [s["id"] for s in specs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SystemExit(f"duplicate case ids: {duplicates}")

    cases: list[Case] = []
    skipped: list[tuple[str, str]] = []
    for spec in specs:
        try:
            lrs = record(spec)
        except CaseError as exc:
            if spec["class"] not in MAY_RAISE:
                raise
            skipped.append((spec["id"], str(exc)))
            continue
        if len(lrs) != spec["steps"] or not all(math.isfinite(x) for x in lrs):
            raise SystemExit(f"{spec['id']}: bad lr list")
        # Key order as documented: id, class, kwargs, base_lr, steps, [metrics], lr.
        out = {k: spec[k] for k in ("id", "class", "kwargs", "base_lr", "steps")}
        if "metrics" in spec:
            out["metrics"] = spec["metrics"]
        out["lr"] = lrs
        cases.append(out)

    doc = {"generator": GENERATOR, "torch_version": torch.__version__, "cases": cases}
    text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    OUT_PATH.write_text(text, encoding="utf-8")

    # Summary on stderr: cases per class, skipped combinations, file size.
    per_class: dict[str, int] = {}
    for c in cases:
        per_class[c["class"]] = per_class.get(c["class"], 0) + 1
    for cls, count in per_class.items():
        print(f"{cls:30s} {count:4d}", file=sys.stderr)
    print(f"{'total':30s} {len(cases):4d}", file=sys.stderr)
    for case_id, reason in skipped:
        print(f"skipped {case_id}: {reason}", file=sys.stderr)
    print(f"wrote {OUT_PATH} ({len(text.encode())} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
