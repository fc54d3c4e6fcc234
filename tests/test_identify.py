"""identify: every family recovered, with parameters drawn here, from dense, sparse (every
k-th step) and float32-rounded logs; the spec it prints reproduces the log."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrsched_cli import schedule
from lrsched_cli.identify import FIT_TOL_FLOAT32, FIT_TOL_FLOAT64, evaluate_at, identify
from lrsched_cli.series import Series
from lrsched_cli.specs import parse_spec

lr = st.floats(1e-4, 1.0)
N = 200


def family(name: str, draw: st.DrawFn) -> tuple[dict, dict]:
    """Parameters of ``name`` drawn so that the schedule is not degenerate in N steps."""
    if name == "constant":
        return {"initial_lr": draw(lr)}, {}
    if name == "step":
        return ({"initial_lr": draw(lr), "decay_factor": draw(st.floats(0.1, 0.9)),
                 "step_size": draw(st.integers(20, 80)),
                 "timing": draw(st.sampled_from(["torch", "document"]))}, {})
    if name == "multistep":
        a = draw(st.integers(20, 100))
        b = draw(st.integers(a + 20, 200))
        return ({"initial_lr": draw(lr), "milestones": f"{a},{b}",
                 "gamma": draw(st.floats(0.05, 0.5))}, {})
    if name == "exponential":
        return {"initial_lr": draw(lr), "decay_rate": draw(st.floats(1e-3, 0.03))}, {}
    if name == "cosine":
        hi = draw(lr)
        return ({"lr_max": hi, "lr_min": hi * draw(st.sampled_from([0.0, 0.01, 0.1]))},
                {"warmup": draw(st.sampled_from([0, 12, 30]))})
    if name == "linear":
        return ({"initial_lr": draw(lr), "start_factor": 1.0,
                 "end_factor": draw(st.sampled_from([0.0, 0.1]))},
                {"warmup": draw(st.sampled_from([0, 20]))})
    if name == "polynomial":
        return {"initial_lr": draw(lr), "power": draw(st.floats(0.5, 3.0))}, {}
    if name == "inverse-sqrt":
        return {"initial_lr": draw(lr), "timescale": draw(st.integers(10, 60))}, {}
    if name == "one-cycle":
        return ({"max_lr": draw(lr), "pct_start": draw(st.sampled_from([0.25, 0.3, 0.4])),
                 "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
                 "div_factor": draw(st.floats(5, 50)),
                 "final_div_factor": draw(st.floats(10, 1e4))}, {})
    if name == "cyclic":
        hi = draw(lr)
        return ({"lr_min": hi / draw(st.floats(2, 100)), "lr_max": hi,
                 "step_size": draw(st.integers(15, 50)),
                 "mode": draw(st.sampled_from(["triangular", "triangular2"]))}, {})
    if name == "sgdr":
        hi = draw(lr)
        return ({"t0": draw(st.integers(20, 60)), "t_mult": draw(st.sampled_from([1, 2])),
                 "lr_min": hi * draw(st.sampled_from([0.0, 0.01])), "lr_max": hi}, {})
    if name == "wsd":
        hi = draw(lr)
        return ({"lr_max": hi, "lr_min": hi * draw(st.sampled_from([0.0, 0.01])),
                 "decay_steps": draw(st.integers(30, 80)),
                 "decay_shape": draw(st.sampled_from(["linear", "cosine", "1-sqrt"]))},
                {"warmup": draw(st.sampled_from([0, 24]))})
    raise AssertionError(name)


FAMILIES = ["constant", "step", "multistep", "exponential", "cosine", "linear", "polynomial",
            "inverse-sqrt", "one-cycle", "cyclic", "sgdr", "wsd"]


def as_log(values: np.ndarray, every: int, f32: bool) -> Series:
    steps = np.arange(len(values))[::every]
    v = values[steps]
    if f32:
        v = v.astype(np.float32).astype(np.float64)
    return Series("log", steps, v, name="log", params={"float32": True} if f32 else {})


@pytest.mark.parametrize("name", FAMILIES)
@pytest.mark.parametrize("every,f32", [(1, False), (4, False), (1, True), (3, True)])
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_identify_recovers_every_family(name, every, f32, data):
    params, run = family(name, data.draw)
    values = schedule(name, steps=N, **params, **run)
    log = as_log(values, every, f32)
    cands, tol = identify(log)
    assert tol == (FIT_TOL_FLOAT32 if f32 else FIT_TOL_FLOAT64)
    best = cands[0]
    assert best.max_rel <= tol, (name, params, run, best.spec_text(), best.max_rel)
    # the printed spec, parsed as the command line parses it, reproduces the log
    again = parse_spec(best.spec_text()).series
    got = again.values[log.steps + best.offset]
    scale = np.maximum(np.abs(got), np.abs(log.values))
    rel = np.where(scale > 0, np.abs(got - log.values) / np.where(scale > 0, scale, 1), 0)
    assert rel.max() <= tol


@pytest.mark.parametrize("name,params,run", [
    ("step", {"initial_lr": 0.1, "decay_factor": 0.5, "step_size": 30, "timing": "torch"}, {}),
    ("cosine", {"lr_max": 3e-4, "lr_min": 0.0}, {"warmup": 20}),
    ("linear", {"initial_lr": 0.1, "start_factor": 1.0, "end_factor": 0.0}, {"warmup": 10}),
    ("one-cycle", {"max_lr": 0.1}, {}),
    ("sgdr", {"t0": 20, "t_mult": 2, "lr_min": 0.001, "lr_max": 0.1}, {}),
    ("wsd", {"lr_max": 0.1, "lr_min": 0.0, "decay_steps": 40, "decay_shape": "1-sqrt"},
     {"warmup": 20}),
])
def test_identify_names_the_family(name, params, run):
    log = as_log(schedule(name, steps=200, **params, **run), 1, False)
    best = identify(log)[0][0]
    assert best.schedule == name
    assert best.run.get("warmup", 0) == run.get("warmup", 0)


def test_identify_says_when_nothing_fits(run, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "noise.txt"
    path.write_text("\n".join(str(x) for x in rng.uniform(0.01, 0.1, 100)))
    r = run("identify", str(path))
    assert r.exit_code == 0, r.stderr
    assert "Nothing fits within 1e-09" in r.stdout


def test_identify_json_spec_reproduces_the_log(run, tmp_path):
    path = tmp_path / "lr.csv"
    out = run("export", "torch", "CosineAnnealingLR(T_max=100, eta_min=1e-4)", "--base-lr",
              "0.05", "--steps", "100")
    path.write_text(out.stdout)
    r = run("identify", str(path), "--format", "json", "--top", "3")
    doc = json.loads(r.stdout)
    best = doc["candidates"][0]
    assert best["fits"] and best["spec"].startswith("cosine ")
    assert "CosineAnnealingLR" in best["code"]["torch"]
    values = np.loadtxt(path, delimiter=",", skiprows=1)[:, 1]
    again = parse_spec(best["spec"]).series.values
    assert np.max(np.abs(again - values) / values) <= doc["tolerance"]


def test_evaluate_at_is_what_export_gives():
    steps = np.array([0, 7, 99])
    got = evaluate_at("cosine", {"lr_max": 0.1}, {"steps": 100}, steps)
    assert got.tolist() == schedule("cosine", steps=100, lr_max=0.1)[steps].tolist()


def test_identify_needs_three_points(run, tmp_path):
    path = tmp_path / "two.txt"
    path.write_text("0.1\n0.05\n")
    r = run("identify", str(path))
    assert r.exit_code == 2 and "at least 3" in r.stderr
