"""lrsched's native schedules against PyTorch 2.13, on vectors recorded by running it.

tests/golden/torch.json is written by tests/golden/generate_torch.py (run by hand in a
throw-away venv with torch==2.13.0); these tests read it and need no PyTorch. The torch
convention: lr[i] is the optimizer's lr after i calls of scheduler.step().
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lrsched_cli import schedule
from lrsched_cli.errors import UsageError

GOLDEN = json.loads((Path(__file__).parent / "golden" / "torch.json").read_text())
CASES = GOLDEN["cases"]
RTOL = 1e-12


def native(case: dict) -> tuple[np.ndarray, np.ndarray]:
    """(lrsched's values, torch's values) for one case, compared over the common range."""
    kw, b, n = case["kwargs"], case["base_lr"], case["steps"]
    want = np.array(case["lr"])
    cls = case["class"]
    if cls == "CyclicLR":
        got = schedule("cyclic", steps=n, lr_min=kw["base_lr"], lr_max=kw["max_lr"],
                       step_size=kw.get("step_size_up", 2000),
                       step_size_down=kw.get("step_size_down"),
                       mode=kw.get("mode", "triangular"), gamma=kw.get("gamma", 1.0))
    elif cls == "CosineAnnealingWarmRestarts":
        got = schedule("sgdr", steps=n, t0=kw["T_0"], t_mult=kw.get("T_mult", 1),
                       lr_min=kw.get("eta_min", 0.0), lr_max=b)
    elif cls == "OneCycleLR":
        got = schedule("one-cycle", steps=kw["total_steps"], max_lr=kw["max_lr"],
                       pct_start=kw.get("pct_start", 0.3),
                       anneal_strategy=kw.get("anneal_strategy", "cos"),
                       div_factor=kw.get("div_factor", 25.0),
                       final_div_factor=kw.get("final_div_factor", 1e4),
                       three_phase=kw.get("three_phase", False))[:n]
    elif cls == "ReduceLROnPlateau":
        got = schedule("plateau", steps=n, initial_lr=b, metrics=case["metrics"], **kw)
    elif cls == "MultiStepLR":
        got = schedule("multistep", steps=n, initial_lr=b, milestones=kw["milestones"],
                       gamma=kw.get("gamma", 0.1))
    elif cls == "LinearLR":
        got = schedule("linear", steps=n, initial_lr=b,
                       start_factor=kw.get("start_factor", 1 / 3),
                       end_factor=kw.get("end_factor", 1.0), total_iters=kw.get("total_iters", 5))
    elif cls == "ConstantLR":
        got = schedule("constant", steps=n, initial_lr=b, factor=kw.get("factor", 1 / 3),
                       total_iters=kw.get("total_iters", 5))
    elif cls == "StepLR":
        got = schedule("step", steps=n, initial_lr=b, step_size=kw["step_size"],
                       decay_factor=kw.get("gamma", 0.1), timing="torch")
    elif cls == "ExponentialLR":
        got = schedule("exponential", steps=n, initial_lr=b, decay_rate=-math.log(kw["gamma"]))
    elif cls == "PolynomialLR":  # the document's polynomial is defined for t < N only
        t_max = kw.get("total_iters", 5)
        got = schedule("polynomial", steps=t_max, initial_lr=b,
                       power=kw.get("power", 1.0))[:n]
        want = want[:t_max]
    elif cls == "CosineAnnealingLR":  # the document's cosine: t < N = T_max
        got = schedule("cosine", steps=kw["T_max"], lr_max=b,
                       lr_min=kw.get("eta_min", 0.0))[:n]
        want = want[:kw["T_max"]]
    else:  # pragma: no cover - a class the generator added that we do not map yet
        pytest.skip(f"no native schedule for {cls}")
    return got, want


def _inverted(case: dict) -> bool:
    """torch accepts a "minimum" above the maximum (the curve turns upside down)."""
    kw = case["kwargs"]
    if case["class"] == "CyclicLR":
        return kw["base_lr"] > kw["max_lr"]
    if case["class"] in ("CosineAnnealingWarmRestarts", "CosineAnnealingLR"):
        return kw.get("eta_min", 0.0) > case["base_lr"]
    return False


@pytest.mark.parametrize("case", [c for c in CASES if not _inverted(c)],
                         ids=[c["id"] for c in CASES if not _inverted(c)])
def test_native_schedule_matches_torch(case):
    got, want = native(case)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0)


@pytest.mark.parametrize("case", [c for c in CASES if _inverted(c)],
                         ids=[c["id"] for c in CASES if _inverted(c)])
def test_inverted_range_is_refused_not_flipped(case):
    # torch accepts a minimum above the maximum (an upside-down curve); the native
    # schedules refuse --lr-min above --lr-max rather than guess.
    with pytest.raises(UsageError, match="--lr-min .* is above --lr-max"):
        native(case)


def test_golden_file_covers_the_issue_classes():
    classes = {c["class"] for c in CASES}
    assert {"CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau",
            "MultiStepLR", "LinearLR", "ConstantLR"} <= classes
    assert GOLDEN["torch_version"].startswith("2.13")
    assert len(CASES) >= 80
