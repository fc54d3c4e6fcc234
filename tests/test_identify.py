"""identify: every family recovered, with parameters drawn here, from dense, sparse (every
k-th step) and float32-rounded logs; the spec it prints reproduces the log."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrsched_cli import schedule
from lrsched_cli.analysis.identify import identify
from lrsched_cli.analysis.identify.evaluate import evaluate_at
from lrsched_cli.analysis.identify.search import FIT_TOL_FLOAT32, FIT_TOL_FLOAT64
from lrsched_cli.series import Series
from lrsched_cli.sources.specs import parse_spec

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


# --------------------------------------------------------------------------------------
# Logs as real loggers write them: lrsched's own exact evaluation of a native schedule or
# of a framework dialect (verified against the frameworks elsewhere), subsampled, cast to
# float32 where the logger stores float32, written in a format sources/logs reads, read back by
# logs.log_series.

N_LOG = 5000
TB_HEADER = "Wall time,Step,Value\n"


def write_log(path, values: np.ndarray, every: int, f32: bool) -> np.ndarray:
    """Every ``every``-th step of ``values``; float32 as TensorBoard's CSV download
    (``Wall time,Step,Value``), float64 as an lrsched CSV export (``step,lr``)."""
    steps = np.arange(len(values))[::every]
    v = values[steps]
    if f32:
        lines = [f"1700000000.0,{s},{float(x)!r}" for s, x in zip(steps, v.astype(np.float32))]
        path.write_text(TB_HEADER + "\n".join(lines) + "\n")
    else:
        path.write_text("step,lr\n" + "\n".join(f"{s},{float(x)!r}" for s, x in
                                              zip(steps, v)) + "\n")
    return steps


CASES = {  # id: (spec, family, what the fit must say)
    "constant": ("torch 'ConstantLR(factor=0.5, total_iters=700)' --base-lr 0.05", "constant",
                 {"factor": 0.5}),
    "step": ("torch 'StepLR(step_size=333, gamma=0.7)' --base-lr 0.1", "step",
             {"step_size": 333, "decay_factor": 0.7}),
    "multistep": ("torch 'MultiStepLR(milestones=[1500, 3500], gamma=0.1)' --base-lr 0.1",
                  "multistep", {"milestones": "1500,3500"}),
    "exponential": ("torch 'ExponentialLR(gamma=0.999)' --base-lr 0.1", "exponential", {}),
    "cosine": ("cosine --lr-max 0.1 --lr-min 0 --warmup 250", "cosine",
               {"steps": N_LOG, "warmup": 250, "lr_max": 0.1}),
    "cosine-hf": ("hf 'get_cosine_schedule_with_warmup(num_warmup_steps=250, "
                  "num_training_steps=5000)' --base-lr 3e-4", "cosine",
                  {"steps": N_LOG, "warmup": 250}),
    "cosine-timm": ("timm 'CosineLRScheduler(t_initial=5000, warmup_t=250, warmup_lr_init=1e-5, "
                    "lr_min=1e-5)' --base-lr 0.1", "cosine",
                    {"steps": N_LOG, "warmup": 250, "warmup_mode": "overlay",
                     "warmup_target": "peak"}),
    "linear": ("hf 'get_linear_schedule_with_warmup(num_warmup_steps=100, "
               "num_training_steps=5000)' --base-lr 3e-4", "linear",
               {"steps": N_LOG, "warmup": 100, "end_factor": 0.0}),
    "polynomial": ("torch 'PolynomialLR(total_iters=5000, power=2.0)' --base-lr 0.1", "polynomial",
                   {"steps": N_LOG, "power": 2.0}),
    "inverse-sqrt": ("inverse-sqrt --initial-lr 0.01 --timescale 300", "inverse-sqrt",
                     {"timescale": 300}),
    # HF's inverse sqrt is lrsched's with an overlay warmup of W = timescale steps
    "inverse-sqrt-hf": ("hf 'get_inverse_sqrt_schedule(num_warmup_steps=400)' --base-lr 5e-4",
                        "inverse-sqrt", {"timescale": 400, "warmup": 400,
                                         "warmup_mode": "overlay"}),
    "one-cycle": ("torch 'OneCycleLR(max_lr=0.1, total_steps=5000)'", "one-cycle",
                  {"steps": N_LOG, "pct_start": 0.3}),
    "cyclic": ("torch 'CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=400)'", "cyclic",
               {"step_size": 400}),
    "sgdr": ("torch 'CosineAnnealingWarmRestarts(T_0=333, T_mult=2, eta_min=0.001)' "
             "--base-lr 0.1", "sgdr", {"t0": 333, "t_mult": 2}),
    "sgdr-1": ("torch 'CosineAnnealingWarmRestarts(T_0=700)' --base-lr 0.1", "sgdr",
               {"t0": 700, "t_mult": 1}),
    "wsd": ("wsd --lr-max 0.1 --lr-min 0 --decay-steps 1000 --decay-shape 1-sqrt --warmup 200",
            "wsd", {"steps": N_LOG, "decay_steps": 1000, "warmup": 200}),
    # decays that end before the log does, flat after
    "polynomial-ends": ("torch 'PolynomialLR(total_iters=3000, power=2.0)' --base-lr 0.1",
                        "polynomial", {"end": 3000}),
    "cosine-ends": ("keras 'CosineDecay(initial_learning_rate=0.1, decay_steps=3000, "
                    "alpha=0.1)'", "cosine", {"end": 3000}),
    "cosine-warmup-ends": ("optax 'warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, "
                           "warmup_steps=100, decay_steps=3000)'", "cosine",
                           {"end": 3000, "warmup": 100}),
    "wsd-ends": ("hf 'get_wsd_schedule(num_warmup_steps=200, num_decay_steps=1000, "
                 "num_stable_steps=2800, decay_type=\"linear\", min_lr_ratio=0.1)' --base-lr 0.1",
                 "wsd", {"end": 4000}),
}
VARIANTS = {"dense": (1, False), "sparse": (25, False), "float32": (1, True),
            "float32-sparse": (50, True)}


def _said(c, key):
    if key == "end":
        return c.end
    return c.params.get(key, c.run.get(key))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("case", CASES)
def test_identify_real_logger_logs(tmp_path, case, variant):
    from lrsched_cli.sources.logs import log_series

    text, family, expect = CASES[case]
    every, f32 = VARIANTS[variant]
    exact = parse_spec(f"{text} --steps {N_LOG}").series.values
    path = tmp_path / "log.csv"
    steps = write_log(path, exact, every, f32)
    assert every == 1 or steps[-1] < N_LOG - 1  # sparse: the last step is not logged
    log = log_series(str(path), quiet=True)
    assert log.float32 == f32
    cands, tol = identify(log)
    best = cands[0]
    assert best.max_rel <= tol, (best.spec_text(), best.max_rel)
    assert best.schedule == family and best.offset == 0, best.spec_text()
    for key, want in expect.items():
        assert _said(best, key) == want, (key, best.spec_text())
    # the printed spec, parsed as the command line parses it, reproduces every logged value
    again = parse_spec(best.spec_text()).series.values[log.steps]
    scale = np.maximum(np.abs(again), np.abs(log.values))
    rel = np.abs(again - log.values) / np.where(scale > 0, scale, 1)
    assert rel.max() <= tol
    if f32:  # the fit, rounded, is as close as the log's precision allows
        truth = np.max(np.abs(exact[steps] - log.values) / np.abs(exact[steps]).clip(1e-300))
        assert best.max_rel <= truth + 2.0 ** -24, (best.max_rel, truth)


def test_rounding_costs_no_more_than_the_logs_precision(tmp_path):
    """ExponentialLR in float32: 0.0010005003 (8e-7 off the log) is too short a decay rate;
    the rounded fit stays within the float32 precision of the exact schedule."""
    from lrsched_cli.analysis.identify.rounding import ROUNDING_COST_FLOAT32
    from lrsched_cli.sources.logs import log_series

    exact = parse_spec("torch 'ExponentialLR(gamma=0.99)' --base-lr 0.1 --steps 2000").series
    path = tmp_path / "lr.csv"
    steps = write_log(path, exact.values, 1, True)
    log = log_series(str(path), quiet=True)
    best = identify(log)[0][0]
    truth = np.max(np.abs(exact.values[steps] - log.values) / exact.values[steps])
    assert best.schedule == "exponential"
    assert best.max_rel <= truth + ROUNDING_COST_FLOAT32
    got = parse_spec(best.spec_text()).series.values
    assert np.max(np.abs(got - exact.values) / exact.values) <= 3 * 2.0 ** -24


@pytest.mark.parametrize("text", [
    "cosine --lr-max 0.1 --lr-min 0.01 --warmup 20 --warmup-start 0.001",
    "cosine --lr-max 0.1 --warmup 20 --warmup-mode overlay",
    "cosine --lr-max 0.1 --warmup 20 --warmup-mode overlay --warmup-target peak",
    "inverse-sqrt --timescale 30 --warmup 30 --warmup-mode overlay",
    "wsd --warmup 10 --hold 15 --decay-shape 1-sqrt",
    "sgdr --t0 7 --t-mult 2 --restart-decay 0.5 --warmup 5",
    "one-cycle --pct-start 0.25 --anneal-strategy linear",
    "cyclic --step-size 9 --step-size-down 4 --mode triangular2",
    "step --step-size 7 --timing torch --warmup 3 --warmup-shape cosine",
    "multistep --milestones 10,10,50", "polynomial --power 0.5 --k-decay 2",
    "linear --total-iters 60", "constant --factor 0.5 --total-iters 20",
])
def test_values_at_is_what_export_gives(text):
    """identify evaluates a spec at the logged steps only: the same values, bit for bit."""
    from lrsched_cli.analysis.identify.evaluate import values_at
    from lrsched_cli.schedules.compose import schedule_range

    spec = parse_spec(text + " --steps 200").spec
    full = schedule_range(spec, 0, spec.n)
    steps = np.array([0, 1, 2, 3, 4, 5, 9, 10, 14, 15, 19, 20, 21, 24, 25, 26, 30, 99, 150, 199])
    assert values_at(spec, steps).tolist() == full[steps].tolist()
    assert values_at(spec, steps[::-1]).tolist() == full[steps[::-1]].tolist()


def test_identify_memory_and_time_follow_the_log_not_the_run(run, tmp_path):
    """287 float32 points of HF's inverse sqrt logged every 10**6 steps of a 2.87e8-step
    run: lrsched's spec for it is inverse-sqrt with an overlay warmup (tested above
    against the hf dialect). Before, identify built arrays of every step (GB, minutes)."""
    import time
    import tracemalloc

    from lrsched_cli.schedules.compose import schedule_range

    spec = parse_spec("inverse-sqrt --initial-lr 5e-4 --timescale 4000000 --warmup 4000000 "
                      "--warmup-mode overlay --steps 287000000").spec
    steps = np.arange(287) * 10**6
    values = np.array([schedule_range(spec, int(s), int(s) + 1)[0] for s in steps])
    path = tmp_path / "run-tag-lr.csv"
    path.write_text(TB_HEADER + "".join(f"1.0,{s},{float(x)!r}\n" for s, x in
                                        zip(steps, values.astype(np.float32))))
    tracemalloc.start()
    t0 = time.perf_counter()
    r = run("identify", str(path), "--format", "json")
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert r.exit_code == 0, r.stderr
    best = json.loads(r.stdout)["candidates"][0]
    assert best["fits"], best
    assert best["spec"].startswith("inverse-sqrt ") and "--warmup-mode overlay" in best["spec"]
    assert "--timescale 4000000" in best["spec"] and "--warmup 4000000" in best["spec"]
    assert peak < 64e6, f"{peak / 1e6:.0f} MB"
    assert elapsed < 30
    assert best["code"] == {}  # lrsched code would compute all 2.87e8 values: said instead
    text = run("identify", str(path)).stdout.splitlines()
    assert f"lrsched code {best['spec']} --framework torch" in text


def test_identify_hf_inverse_sqrt_287_points(run, tmp_path):
    """The reported case: HF get_inverse_sqrt_schedule exported by lrsched, 287 points
    kept, float32."""
    out = run("export", "hf", "get_inverse_sqrt_schedule(num_warmup_steps=1000)", "--base-lr",
              "3e-4", "--steps", "10000")
    assert out.exit_code == 0, out.stderr
    data = np.loadtxt(out.stdout.splitlines()[1:], delimiter=",")
    keep = np.unique(np.linspace(0, 9999, 287).round().astype(int))
    path = tmp_path / "lr.csv"
    path.write_text(TB_HEADER + "".join(f"1.0,{int(s)},{float(np.float32(x))!r}\n"
                                        for s, x in data[keep]))
    r = run("identify", str(path), "--format", "json")
    assert r.exit_code == 0, r.stderr
    best = json.loads(r.stdout)["candidates"][0]
    assert best["fits"], best
    assert best["spec"] == ("inverse-sqrt --initial-lr 0.0003 --timescale 1000 --steps 10000 "
                            "--warmup 1000 --warmup-mode overlay")


def test_suggested_commands_are_whole_lines(run):
    """At 80 columns each command line is printed whole on its own line (copy-paste), the
    step-offset note on the comment line above it, not inside it."""
    from pathlib import Path

    path = str(Path(__file__).parent / "logs" / "hf" / "trainer_state.json")
    text = run("identify", path)  # the run fixture sets COLUMNS=80
    doc = json.loads(run("identify", path, "--format", "json").stdout)
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert doc["candidates"][0]["step_offset"] == -1
    for i, c in enumerate(doc["candidates"], 1):
        k = lines.index(f"lrsched export {c['spec']}")
        assert lines[k - 1].startswith(f"# {i}")
        if c["step_offset"]:
            assert f"step s {c['step_offset']:+d}" in lines[k - 1]
    assert max(len(line) for line in lines) > 80  # long enough to have been wrapped
    assert not [line for line in lines if "lrsched export" in line and "(log steps" in line]
