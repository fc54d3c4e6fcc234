"""The checks of the registry's entries: what a schedule's parameters must satisfy together
(one against another, or against the run's length), each a function ``(params, spec)`` that
raises :class:`~lrsched_cli.errors.UsageError` with one line naming the values and what is
allowed. Imports the standard library, errors and this package only (no numpy at import)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .params import _fmt

if TYPE_CHECKING:
    from .resolve import Spec


def check_min_max(lo_name: str, hi_name: str) -> Callable[[dict[str, Any], Spec], None]:
    def check(p: dict[str, Any], spec: Spec) -> None:
        if p[lo_name] > p[hi_name]:
            raise UsageError(
                f"--{lo_name.replace('_', '-')} {_fmt(p[lo_name])} is above "
                f"--{hi_name.replace('_', '-')} {_fmt(p[hi_name])}; it must be at most that"
            )
    return check


def check_one_cycle(p: dict[str, Any], spec: Spec) -> None:
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


def check_wsd(p: dict[str, Any], spec: Spec) -> None:
    n = spec.kernel_n
    if p["decay_steps"] > n:
        raise UsageError(
            f"wsd: --decay-steps {p['decay_steps']} is longer than the {n} steps left after "
            "warmup; it must be at most that"
        )


def plateau_steps(p: dict[str, Any]) -> int | None:
    return len(p["metrics"])


def check_plateau(p: dict[str, Any], spec: Spec) -> None:
    if spec.n > len(p["metrics"]):
        raise UsageError(
            f"plateau: --steps {spec.n} needs {spec.n} metrics (one per epoch); the metrics "
            f"given have {len(p['metrics'])}"
        )


def check_stlr(p: dict[str, Any], spec: Spec) -> None:
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


def check_hyperbolic(p: dict[str, Any], spec: Spec) -> None:
    if p["upper_bound"] < spec.kernel_n:
        raise UsageError(f"{spec.name}: --upper-bound {_fmt(p['upper_bound'])} is below the "
                         f"{spec.kernel_n} steps; the square root in h(x) would go negative "
                         "(the author's code raises 'math domain error'): it must be at least "
                         "--steps")
    if p["lr_min"] >= p["lr_max"]:
        raise UsageError(f"{spec.name}: --lr-min must be below --lr-max")


def check_tri_stage(p: dict[str, Any], spec: Spec) -> None:
    total = p["warmup_steps"] + p["hold_steps"] + p["decay_steps"]
    if total > spec.kernel_n:
        raise UsageError(f"tri-stage: warmup + hold + decay = {total} steps, more than the "
                         f"{spec.kernel_n} steps of the run")
