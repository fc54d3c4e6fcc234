"""Dialects stream (issue 15, items 3 and 4): chunk by chunk in flat memory, bit for bit.

Every dialect computes a schedule any range at a time: closed forms with a numpy twin of the
framework's own arithmetic (the scalar reference where numpy would differ or fails), torch's
recursive schedulers as the tape of their multiplications (np.multiply.accumulate, the same
multiplications in the same order) or, failing that, torch's machinery replayed step by step
with its state carried from chunk to chunk. Here: streamed == whole == the scalar reference,
bit for bit; lengths checked before anything is allocated; bad input one line, exit 2.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lrsched_cli.cli import app
from lrsched_cli.errors import UsageError
from lrsched_cli.sources import dialects
from lrsched_cli.sources.dialects import base, hf, keras, optax, stream, timm
from lrsched_cli.sources.dialects.torch import closed_forms as torch_closed_forms
from lrsched_cli.sources.dialects.torch import tape as torch_tape

BIN = os.path.dirname(sys.executable)
LRSCHED = os.path.join(BIN, "lrsched")


def bits(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).view(np.int64)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(bits(a), bits(b)))


# --- random expressions of every dialect (seeded: the same ones every run) -------------------


def _torch_leaf(r: random.Random) -> str:
    g = r.choice(["0.5", "0.1", "0.9", "0.999", repr(r.uniform(0.01, 1.2)), "2", "1.0", "-0.5",
                  "0.0"])
    k = r.choice(["StepLR", "MultiStepLR", "ExponentialLR", "ConstantLR", "LinearLR",
                  "PolynomialLR", "CosineAnnealingLR", "MultiplicativeLR", "LambdaLR"])
    if k == "StepLR":
        return f"StepLR(step_size={r.choice([1, 2, 3, 7, -1, 2.5, 0])}, gamma={g})"
    if k == "MultiStepLR":
        ms = sorted(r.sample(range(0, 60), r.randint(0, 5)))
        if r.random() < 0.2:
            ms += ms[:1]
        return f"MultiStepLR(milestones={ms}, gamma={g})"
    if k == "ExponentialLR":
        return f"ExponentialLR(gamma={g})"
    if k == "ConstantLR":
        return (f"ConstantLR(factor={r.choice(['0.5', '1.0', repr(r.random()), '0'])}, "
                f"total_iters={r.choice([0, 1, 3, 20, -2, 2.5])})")
    if k == "LinearLR":
        return (f"LinearLR(start_factor={r.choice(['0.1', '1.0', repr(r.uniform(0.01, 1))])}, "
                f"end_factor={r.choice(['1.0', '0.0', repr(r.random())])}, "
                f"total_iters={r.choice([0, 1, 5, 17, 100, 2.5])})")
    if k == "PolynomialLR":
        return (f"PolynomialLR(total_iters={r.choice([0, 1, 5, 30, -3, 7.5])}, "
                f"power={r.choice(['1.0', '2.0', '0.5', '3', repr(r.uniform(0.1, 3)), '-1.0'])})")
    if k == "CosineAnnealingLR":
        return (f"CosineAnnealingLR(T_max={r.choice([1, 2, 3, 10, 17, 100, 2.5, 0])}, "
                f"eta_min={r.choice(['0.0', '0', '0.001', repr(r.uniform(0, 0.5)), '-0.0'])})")
    if k == "MultiplicativeLR":
        return "MultiplicativeLR(lr_lambda=lambda e: 0.9 if e % 3 else 1.01)"
    return "LambdaLR(lr_lambda=lambda e: min(1.0, (e + 1) / 10))"


def torch_expr(r: random.Random) -> str:
    x = r.random()
    if x < 0.45:
        return _torch_leaf(r)
    if x < 0.7:
        return f"ChainedScheduler([{', '.join(_torch_leaf(r) for _ in range(r.randint(1, 3)))}])"
    kids = [_torch_leaf(r) for _ in range(r.randint(1, 4))]
    ms = sorted(r.sample(range(0, 80), len(kids) - 1))
    return f"SequentialLR(schedulers=[{', '.join(kids)}], milestones={ms})"


def _f(r: random.Random, lo: float, hi: float) -> str:
    return repr(round(r.uniform(lo, hi), r.choice([1, 3, 17])))


def closed_expr(r: random.Random) -> tuple[str, str]:
    w, n, T = r.randint(0, 50), r.randint(1, 400), r.choice([r.randint(1, 200),
                                                              _f(r, 1, 200)])
    warm = (f"warmup_t={r.randint(0, 20)}, warmup_lr_init={_f(r, 0, 0.1)}, "
            f"warmup_prefix={r.choice(['True', 'False'])}")
    cyc = (f"cycle_mul={r.choice(['1.0', '2.0', '0.5'])}, cycle_decay="
           f"{r.choice(['1.0', '0.5'])}, cycle_limit={r.choice([1, 2, 5])}")
    return r.choice([
        ("hf", f"get_linear_schedule_with_warmup({w}, {n})"),
        ("hf", f"get_cosine_schedule_with_warmup({w}, {n}, num_cycles={_f(r, 0, 3)})"),
        ("hf", f"get_cosine_with_hard_restarts_schedule_with_warmup({w}, {n}, num_cycles=3)"),
        ("hf", f"get_polynomial_decay_schedule_with_warmup({w}, {n + w + 1}, "
               f"power={_f(r, .2, 3)})"),
        ("hf", f"get_inverse_sqrt_schedule({w}, timescale={r.choice(['None', '37'])})"),
        ("hf", f"get_cosine_with_min_lr_schedule_with_warmup_lr_rate({w}, {n}, min_lr_rate=0.1)"),
        ("hf", f"get_wsd_schedule({w}, {r.randint(1, 100)}, num_training_steps={n}, "
               f"warmup_type='{r.choice(['linear', 'cosine', '1-sqrt'])}', "
               f"decay_type='{r.choice(['linear', 'cosine', '1-sqrt'])}', min_lr_ratio=0.1)"),
        ("timm", f"CosineLRScheduler(t_initial={T}, {cyc}, {warm}, k_decay="
                 f"{r.choice(['1.0', '0.5'])})"),
        ("timm", f"TanhLRScheduler(t_initial={T}, {cyc}, {warm})"),
        ("timm", f"PolyLRScheduler(t_initial={T}, power={_f(r, 0.1, 3)}, {cyc}, {warm})"),
        ("timm", f"StepLRScheduler(decay_t={r.randint(1, 30)}, decay_rate={_f(r, .1, 1)}, {warm})"),
        ("timm", f"MultiStepLRScheduler(decay_t={sorted(r.sample(range(1, 100), 3))}, "
                 f"decay_rate=0.5, {warm})"),
        ("timm", f"WSDLRScheduler(t_initial={r.randint(20, 200)}, decay_t={r.randint(1, 20)}, "
                 f"stable_fn='{r.choice(['constant', 'rsqrt', 'power'])}', stable_timescale=7, "
                 f"decay_fn='{r.choice(['linear', '1-sqrt', 'cosine', 'power', 'exp'])}')"),
        ("optax", f"polynomial_schedule({_f(r, 0, 1)}, {_f(r, 0, 1)}, {_f(r, .1, 3)}, {T}, "
                  f"transition_begin={r.randint(-5, 50)})"),
        ("optax", f"exponential_decay({_f(r, 0, 1)}, {T}, {_f(r, 0.1, 1.5)}, "
                  f"transition_begin={r.randint(0, 9)}, staircase={r.choice(['True', 'False'])},"
                  f" end_value={r.choice(['None', _f(r, 0, 0.5)])})"),
        ("optax", f"cosine_decay_schedule({_f(r, 0, 1)}, {T}, alpha={_f(r, 0, .5)}, "
                  f"exponent={r.choice(['1.0', '2.0'])})"),
        ("optax", f"piecewise_interpolate_schedule('{r.choice(['linear', 'cosine'])}', 0.5, "
                  f"{{{r.randint(0, 50)}: {_f(r, 0, 2)}, {r.randint(51, 150)}: 0.3}})"),
        ("optax", f"cosine_onecycle_schedule({r.randint(10, 300)}, {_f(r, 0.01, 1)})"),
        ("optax", f"warmup_cosine_decay_schedule(0.0, {_f(r, .1, 1)}, {w}, {w + n}, "
                  f"end_value={_f(r, 0, 0.05)})"),
        ("optax", f"join_schedules([constant_schedule(0.1), linear_schedule(0.1, 0.5, 20), "
                  f"exponential_decay(0.5, 10, 0.9)], [{r.randint(0, 40)}, {r.randint(40, 99)}])"),
        ("keras", f"ExponentialDecay({_f(r, .01, 1)}, {T}, {_f(r, .1, 1.2)}, "
                  f"staircase={r.choice(['True', 'False'])})"),
        ("keras", f"InverseTimeDecay({_f(r, .01, 1)}, {T}, {_f(r, .1, 3)})"),
        ("keras", f"PiecewiseConstantDecay({sorted(r.sample(range(200), 2))}, [0.1, 0.05, 1])"),
        ("keras", f"PolynomialDecay({_f(r, .01, 1)}, {T}, power={_f(r, .2, 3)}, "
                  f"cycle={r.choice(['True', 'False'])})"),
        ("keras", f"CosineDecay({_f(r, 0, .1)}, {T}, alpha={_f(r, 0, .5)}, "
                  f"warmup_target={_f(r, .1, 1)}, warmup_steps={r.randint(0, 50)})"),
    ])


def _evaluate(fw: str, expr: str, steps: int, base_lr: float = 1.0) -> np.ndarray | str:
    try:
        return dialects.evaluate(fw, expr, steps, base_lr)[0]
    except UsageError as e:
        return str(e)


CLOSED_USERS = (hf, timm, optax, keras, torch_closed_forms)  # the modules that call closed()


def test_every_module_with_fast_paths_is_patched_by_reference_only():
    """A dialect module that calls stream.closed but is missing from CLOSED_USERS would
    have its fast path compared with itself, and the comparison would always pass."""
    import importlib
    import pkgutil

    import lrsched_cli.sources.dialects as pkg

    users = set()
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        module = importlib.import_module(info.name)
        if getattr(module, "closed", None) is stream.closed and module is not stream:
            users.add(module.__name__)
    assert users == {m.__name__ for m in CLOSED_USERS}


@pytest.fixture
def reference_only(monkeypatch):
    """Every dialect computed the slow way: the scalar reference functions (closed forms
    without their numpy twins) and torch's machinery replayed step by step."""
    def scalar_closed(scalar, what, vector=None):
        return stream.closed(scalar, what, None)

    for module in CLOSED_USERS:
        monkeypatch.setattr(module, "closed", scalar_closed)
    monkeypatch.setattr(torch_tape._Tape, "of", staticmethod(lambda call, ctx: None))


def _cases(gen, count: int, seed: int) -> list[tuple[str, str, int, float]]:
    r = random.Random(seed)
    out = []
    for i in range(count):
        fw, expr = gen(r)
        out.append((fw, expr, r.choice([1, 2, 37, 300, 1500]) if i % 25 else 70_000,
                    r.choice([1.0, 0.1, 3e-4])))
    return out


TORCH_CASES = _cases(lambda r: ("torch", torch_expr(r)), 240, 11)
CLOSED_CASES = _cases(closed_expr, 260, 12)


@pytest.mark.parametrize("cases", [TORCH_CASES, CLOSED_CASES], ids=["torch", "closed-forms"])
def test_fast_paths_equal_the_reference_bit_for_bit(cases, monkeypatch, reference_only):
    """The tape and the numpy twins against torch's replayed machinery and the frameworks'
    scalar arithmetic (which the golden vectors prove): the same bits, the same errors."""
    slow = [_evaluate(*c) for c in cases]
    monkeypatch.undo()
    for case, want in zip(cases, slow):
        got = _evaluate(*case)
        if isinstance(want, str) or isinstance(got, str):
            assert got == want, case
        else:
            assert same(got, want), (case, np.flatnonzero(bits(got) != bits(want))[:5])


@pytest.mark.parametrize("case", TORCH_CASES[:60] + CLOSED_CASES[:60],
                         ids=lambda c: f"{c[0]}:{c[1][:50]}")
def test_streamed_in_pieces_equals_whole(case):
    """A fresh computation read in pieces of odd sizes (export's chunks, per-epoch holding,
    --start) gives the values of the whole, bit for bit."""
    fw, expr, steps, base_lr = case
    whole = _evaluate(fw, expr, steps, base_lr)
    if isinstance(whole, str):
        return
    c = dialects.compute(fw, expr, steps, base_lr)
    r = random.Random(steps)
    a, parts = r.randint(0, steps - 1) if steps > 1 else 0, []
    start = a
    while a < c.n:
        b = min(c.n, a + r.choice([1, 2, 7, 100, 4096, 70_000]))
        parts.append(c.source(a, b))
        if r.random() < 0.3 and b - a > 1:  # a range that overlaps the one before
            parts.append(c.source(b - 1, b)[:0])
        a = b
    assert same(np.concatenate(parts), whole[start:])


# --- the series: streamed past EAGER, per-epoch and --start kept -----------------------------


@pytest.mark.parametrize("fw, expr", [
    ("torch", "StepLR(step_size=3, gamma=0.5)"),
    ("torch", "CosineAnnealingLR(T_max=7, eta_min=0.01)"),
    ("torch", "SequentialLR([LinearLR(start_factor=0.1, total_iters=4), "
              "CosineAnnealingLR(T_max=9)], milestones=[4])"),
    ("torch", "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=5)"),
    ("torch", "SequentialLR([StepLR(2), SequentialLR([StepLR(3), ExponentialLR(0.9)], "
              "milestones=[5])], milestones=[200])"),  # nested: replayed
    ("hf", "get_cosine_schedule_with_warmup(num_warmup_steps=5, num_training_steps=60)"),
    ("timm", "CosineLRScheduler(t_initial=20, warmup_t=3, cycle_limit=3)"),
    ("optax", "warmup_cosine_decay_schedule(0.0, 1.0, 5, 50)"),
    ("optax", "lambda c: 0.99 ** c"),
    ("keras", "CosineDecayRestarts(1.0, 10)"),
])
def test_long_series_stream_with_per_epoch_and_start(monkeypatch, fw, expr):
    """Past EAGER values a series holds none: export reads it chunk by chunk. Its rows, and
    --per-epoch (each epoch's value held for its steps) and --start, are those of the whole."""
    n, k = 150, 4
    whole = dialects.evaluate(fw, expr, n, 0.5 if dialects.get(fw).uses_base_lr else 1.0)[0]
    monkeypatch.setattr(dialects, "EAGER", 10)
    lr = 0.5 if dialects.get(fw).uses_base_lr else 1.0
    s = dialects.series(fw, expr, n, lr)
    assert s._values is None and len(s) == n
    assert same(np.concatenate([v for _, v in s.chunks(7)]), whole)
    s = dialects.series(fw, expr, n, lr, start=33)
    assert same(np.concatenate([v for _, v in s.chunks(11)]), whole[33:])

    class Run:  # what registry.Run gives series(): --per-epoch --steps-per-epoch k
        per_epoch, steps_per_epoch, unit = True, k, "epoch"

        @staticmethod
        def resolve_start(m):
            return 5

    s = dialects.series(fw, expr, n, lr, run=Run())
    got = np.concatenate([v for _, v in s.chunks(13)])
    assert same(got, np.repeat(whole, k)[5:])
    assert same(s.values_at(np.array([5, 6, 200, n * k - 1])),
                np.repeat(whole, k)[[5, 6, 200, n * k - 1]])


def test_a_billion_steps_is_a_stream_not_an_allocation():
    """--steps 1e9 on a dialect: the series is built at once (its first chunk computed), and
    a closed form reads any row without computing the ones before."""
    s = dialects.series("torch", "StepLR(step_size=3)", 10**9, 1.0)
    assert len(s) == 10**9 and s._values is None
    s = dialects.series("hf", "get_cosine_schedule_with_warmup(10, 10**9)", None, 1.0)
    assert len(s) == 10**9
    assert s.values_at(np.array([0, 10, 10**9 - 1])).tolist()[:2] == [0.0, 1.0]


def _peak_rss_mb(cmd: list[str]) -> float:
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
             "stdout=subprocess.DEVNULL, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip()) / 1024


@pytest.mark.skipif(not os.path.exists(LRSCHED), reason="needs the installed lrsched script")
@pytest.mark.parametrize("fw, expr", [
    ("torch", "StepLR(step_size=3)"),
    ("torch", "CosineAnnealingLR(T_max=1000)"),
    ("hf", "get_cosine_schedule_with_warmup(num_warmup_steps=100, num_training_steps=1000)"),
    ("keras", "CosineDecay(0.1, 1000)"),
])
def test_export_memory_is_flat(fw, expr):
    """4 million values (32 MB of float64; they were all held before) in the memory of a
    small export: the values never exist at once."""
    small = _peak_rss_mb([LRSCHED, "export", fw, expr, "--steps", "1000", "-o", os.devnull])
    big = _peak_rss_mb([LRSCHED, "export", fw, expr, "--steps", "4000000", "-o", os.devnull])
    assert big < small + 25, (small, big)


# --- lengths: settled once, checked before any allocation ------------------------------------


@pytest.mark.parametrize("fw, expr, shown", [
    ("torch", "CosineAnnealingLR(T_max=-1)", "-1"),
    ("torch", "CosineAnnealingLR(T_max=2**63)", "9,223,372,036,854,775,808"),
    ("torch", "CosineAnnealingLR(T_max=0)", "0"),
    ("torch", "OneCycleLR(max_lr=0.1, total_steps=10**18)", "1,000,000,000,000,000,000"),
    ("torch", "OneCycleLR(max_lr=0.1, epochs=10**6, steps_per_epoch=10**6)", "1,000,000,000,000"),
    ("torch", "SequentialLR([StepLR(3), CosineAnnealingLR(T_max=10**10)], milestones=[5])",
     "10,000,000,005"),
    ("hf", "get_cosine_schedule_with_warmup(10, 10**12)", "1,000,000,000,000"),
    ("hf", "get_wsd_schedule(10, 10, num_stable_steps=-100)", "-80"),
    ("timm", "CosineLRScheduler(t_initial=10**10)", "10,000,000,000"),
    ("timm", "CosineLRScheduler(t_initial=10, cycle_mul=2.0, cycle_limit=5000)", "10^308"),
    ("optax", "cosine_decay_schedule(1.0, 10**70)", "10^70"),
    ("keras", "CosineDecay(0.1, 10**9, warmup_target=1.0, warmup_steps=1)", "1,000,000,001"),
])
def test_implied_lengths_out_of_range_are_refused_at_once(run, fw, expr, shown):
    r = run("export", fw, expr, "-o", os.devnull)
    assert r.exit_code == 2, r.stderr
    assert shown in r.stderr and "1 to 1,000,000,000 steps" in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1 and "internal" not in r.stderr
    r = run("export", fw, expr, "--steps", "5")  # an explicit length is used as given
    assert r.exit_code in (0, 2) and "1,000,000,000" not in r.stderr, r.stderr


def test_explicit_lengths_are_checked_too():
    with pytest.raises(UsageError, match="--steps 0: lrsched computes 1 to 1,000,000,000"):
        dialects.evaluate("torch", "StepLR(3)", 0, 1.0)
    with pytest.raises(UsageError, match="1 to 1,000,000,000"):
        dialects.evaluate("keras", "CosineDecay(0.1, 10)", 10**9 + 1, 1.0)


# --- bad input: one line, exit 2, the value named --------------------------------------------


@pytest.mark.parametrize("fw, expr, words", [
    ("torch", "LambdaLR(lambda e: math.log(e))", "ValueError in its constructor (which "
                                                 "computes step 0): math domain error"),
    ("torch", "LambdaLR(lambda e: math.log(50 - e))", "ValueError at step 50: math domain"),
    ("torch", "MultiplicativeLR(lambda e: 1 / (20 - e))", "ZeroDivisionError at step 20"),
    ("torch", "SequentialLR([StepLR(3), LambdaLR(lambda e: math.sqrt(3 - e))], "
              "milestones=[4])", "ValueError at step 8: math domain error"),  # (4 + 4)
    ("torch", "ChainedScheduler([StepLR(3), ConstantLR(factor=0, total_iters=30)])",
     "ZeroDivisionError at step 30: float division by zero"),
    ("torch", "PolynomialLR(total_iters=40, power=-1.0)", "ZeroDivisionError at step 40"),
    ("torch", "StepLR(step_size=True)", "step_size=True is a bool"),
    ("torch", "ExponentialLR(gamma=None)", "gamma=None is not a number"),
    ("keras", "InverseTimeDecay(0.1, None, 0.5)", "decay_steps=None is not a number"),
    ("keras", "CosineDecay(0.1, True)", "decay_steps=True is a bool"),
    ("keras", "PiecewiseConstantDecay([], [0.1])", "IndexError"),
    ("timm", "CosineLRScheduler(t_initial=None)", "t_initial=None is not a number"),
    ("timm", "StepLRScheduler(decay_t=3, decay_rate=False)", "decay_rate=False is a bool"),
    ("hf", "get_cosine_schedule_with_warmup(True, 100)", "num_warmup_steps=True is a bool"),
    ("hf", "get_linear_schedule_with_warmup(10, None)", "num_training_steps=None"),
    ("optax", "cosine_decay_schedule(1.0, None)", "decay_steps=None is not a number"),
    ("optax", "lambda c: math.log(30 - c)", "ValueError at step 30"),
])
def test_bad_input_is_one_line_naming_it(run, fw, expr, words):
    r = run("export", fw, expr, "--steps", "100")
    assert r.exit_code == 2, r.stderr
    assert words in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1 and "internal error" not in r.stderr
    assert r.stdout == ""


def test_an_error_late_in_a_long_export_names_its_step_and_leaves_no_file(tmp_path):
    out = tmp_path / "lr.csv"
    r = CliRunner().invoke(app, ["export", "torch", "LambdaLR(lambda e: math.log(2000000 - e))",
                                 "--steps", "2100000", "-o", str(out)])
    assert r.exit_code == 2 and "ValueError at step 2000000" in r.stderr, r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


# Hostile values in every argument of every function of every dialect: the answer is values
# (exit 0) or one line (exit 2), never an internal error or a traceback.

HOSTILE = ["None", "True", "False", "-1", "0", "2**63", "-2**63", "10**18", "1e308", "-1e308",
           "float('nan')", "float('inf')", "float('-inf')", "'x'", "[]", "[1, 2]", "{}",
           "(1,)", "lambda e: math.log(e)", "lambda e: 1 / e", "0.5", "1e-300", "2**200",
           "[None]", "[True]", "-0.0", "[2**63]", "{1: None}", "{None: 1}", "[{}]",
           "[StepLR(3)]", "lambda e: e - 3", "lambda e: 10.0 ** e", "StepLR(3)"]
REQUIRED = {
    "step_size": "3", "T_max": "10", "t_initial": "10", "decay_steps": "10",
    "num_warmup_steps": "2", "num_training_steps": "10", "transition_steps": "10", "T_0": "3",
    "decay_t": "3", "first_decay_steps": "5", "warmup_steps": "2", "num_decay_steps": "3",
    "gamma": "0.9", "init_value": "0.1", "peak_value": "1.0", "value": "0.1",
    "initial_learning_rate": "0.1", "decay_rate": "0.9", "end_value": "0.0", "power": "1.0",
    "max_lr": "0.1", "base_lr": "0.01", "lr_lambda": "lambda e: 0.9", "milestones": "[3]",
    "schedulers": "[StepLR(3), ExponentialLR(0.9)]", "boundaries": "[3]",
    "values": "[0.1, 0.01]", "interpolate_type": "'linear'", "name": "'cosine'",
    "cosine_kwargs": "[{'init_value': 0.0, 'peak_value': 1.0, 'warmup_steps': 2, "
                     "'decay_steps': 10}]",
    "schedules": "[constant_schedule(0.1), constant_schedule(0.2)]",
}
FUNCTIONS = [(fw, name) for fw in dialects.NAMES for name in dialects.get(fw).functions]


def _call(fw: str, name: str, override: dict[str, str]) -> str:
    fn = dialects.get(fw).functions[name]
    kw = {p: REQUIRED.get(p, "1") for p, d in fn.params
          if d is base.REQUIRED and p != "optimizer"}
    if fw == "timm" and name == "MultiStepLRScheduler":
        kw["decay_t"] = "[3, 6]"
    kw.update(override)
    return f"{name}(" + ", ".join(f"{k}={v}" for k, v in kw.items()) + ")"


@st.composite
def hostile_calls(draw):
    fw, name = draw(st.sampled_from(FUNCTIONS))
    params = [p for p, _ in dialects.get(fw).functions[name].params if p != "optimizer"]
    override = {}
    if params:
        for p in draw(st.lists(st.sampled_from(params), max_size=2, unique=True)):
            override[p] = draw(st.sampled_from(HOSTILE))
    steps = draw(st.sampled_from([None, "1", "7", "300"]))
    return fw, _call(fw, name, override), steps


@pytest.fixture(scope="module")
def metrics_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "metrics.txt"
    path.write_text("1.0\n2.0\n0.5\nnan\n0.4\n0.3\n0.2\n" * 50)
    return str(path)


def _check_answer(fw: str, expr: str, steps: str | None, metrics: str) -> None:
    args = ["export", fw, expr] + (["--steps", steps] if steps else [])
    if any(w in expr for w in ("Plateau", "plateau", "reedy")):
        args += ["--metrics", metrics]
    r = CliRunner().invoke(app, args)
    assert r.exit_code in (0, 1, 2), (expr, r.exception)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr, (expr, r.stderr)
    if r.exit_code:
        assert r.stderr.count("\n") == 1, (expr, r.stderr)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile_calls())
def test_hostile_arguments_never_an_internal_error(metrics_file, call):
    _check_answer(*call, metrics_file)


@pytest.mark.parametrize("fw, name", FUNCTIONS, ids=[f"{fw}:{n}" for fw, n in FUNCTIONS])
def test_none_and_bools_in_every_argument(metrics_file, fw, name):
    """The two values named in the issue, in each argument in turn."""
    for p, _ in dialects.get(fw).functions[name].params:
        if p == "optimizer":
            continue
        for v in ("None", "True", "-1", "2**63"):
            _check_answer(fw, _call(fw, name, {p: v}), "7", metrics_file)
