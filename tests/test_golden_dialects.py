"""The five dialects against the real frameworks, on vectors recorded by running them.

tests/golden/dialect_<framework>.json are written by generate_dialects_torch.py (torch,
hf, timm) and generate_dialects_jax.py (optax, keras), each run by hand in a throw-away
venv; these tests read the JSON and need none of the frameworks. Each case is the
expression a user pastes, the optimizer lr (where the framework multiplies one), the
number of steps, and the values the framework produced (or the error it raised).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lrsched_cli.errors import UsageError
from lrsched_cli.sources import dialects

GOLDEN = Path(__file__).parent / "golden"
FRAMEWORKS = ("torch", "hf", "timm", "optax", "keras")


def load(fw: str) -> dict:
    path = GOLDEN / f"dialect_{fw}.json"
    return json.loads(path.read_text()) if path.exists() else {"cases": []}


DATA = {fw: load(fw) for fw in FRAMEWORKS}
# Cases whose framework result lrsched refuses to reproduce, on purpose, with the reason.
REFUSED_ON_PURPOSE = {
    ("keras", "quirk_int_initial_exp"): "an int initial_learning_rate makes Keras integer",
    ("keras", "quirk_int_initial_cosine"): "an int initial_learning_rate makes Keras integer",
}
OK = [(fw, c) for fw in FRAMEWORKS for c in DATA[fw]["cases"]
      if "lr" in c and (fw, c["id"]) not in REFUSED_ON_PURPOSE]
REJECTED = [(fw, c) for fw in FRAMEWORKS for c in DATA[fw]["cases"] if "error" in c]


def run(fw: str, case: dict) -> np.ndarray:
    metrics = None
    if "metrics" in case:  # non-finite metrics are stored as the strings "nan", "inf", "-inf"
        metrics = np.array([float(x) for x in case["metrics"]], dtype=np.float64)
    values, n = dialects.evaluate(fw, case["expr"], case["steps"], case.get("base_lr", 1.0),
                                  metrics)
    assert n == case["steps"]
    return values


@pytest.mark.parametrize("fw, case", OK, ids=[f"{fw}:{c['id']}" for fw, c in OK])
def test_dialect_matches_framework(fw, case):
    got = run(fw, case)
    want = np.array(case["lr"], dtype=np.float64)
    assert got.shape == want.shape
    if fw in ("torch", "hf", "timm"):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
        return
    peak = float(np.max(np.abs(want))) or 1.0
    if fw == "optax":  # against optax's own float64 run (x64 on, int64 count)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15 * peak)
        f32 = np.array(case["lr_float32"], dtype=np.float64)  # what users get by default
        assert np.max(np.abs(got - f32)) <= 2e-6 * (float(np.max(np.abs(f32))) or 1.0)
    else:  # keras computes in float32 only
        # CosineDecayRestarts: lrsched takes Keras's float32 cycle index (a wrong one would be
        # off by about the peak at a restart) but the exact fraction of the cycle, which
        # Keras's float32 computes with a cancellation: up to ~t_mul/(t_mul-1) float32 ulps.
        tol = 5e-6 if "CosineDecayRestarts" in case["expr"] else 2e-6
        assert np.max(np.abs(got - want)) <= tol * peak


@pytest.mark.parametrize("fw, case", REJECTED, ids=[f"{fw}:{c['id']}" for fw, c in REJECTED])
def test_dialect_rejects_what_the_framework_rejects(fw, case):
    with pytest.raises(UsageError) as e:
        run(fw, case)
    message = str(e.value)
    kind = case["error"].split(":", 1)[0]
    # the framework's own reason: the same exception type and the key words of its message
    assert kind in message or "refused" in message or "not supported" in message, message


@pytest.mark.parametrize("fw, case_id", sorted(REFUSED_ON_PURPOSE))
def test_refused_on_purpose(fw, case_id):
    case = next(c for c in DATA[fw]["cases"] if c["id"] == case_id)
    with pytest.raises(UsageError, match="int"):
        run(fw, case)


def test_at_least_150_vectors():
    assert len(OK) >= 150, {fw: sum(1 for f, _ in OK if f == fw) for fw in FRAMEWORKS}
    assert {fw for fw, _ in OK} == set(FRAMEWORKS)


@pytest.mark.parametrize("fw, case", OK, ids=[f"{fw}:{c['id']}" for fw, c in OK])
def test_dialect_streamed_in_pieces_matches_the_same_bits(fw, case):
    """Read three values at a time (a fresh computation, its state carried from piece to
    piece, as export streams it), each case gives the very bits of its whole evaluation."""
    metrics = None
    if "metrics" in case:
        metrics = np.array([float(x) for x in case["metrics"]], dtype=np.float64)
    whole = run(fw, case)
    c = dialects.compute(fw, case["expr"], case["steps"], case.get("base_lr", 1.0), metrics)
    parts = [c.source(a, min(c.n, a + 3)) for a in range(0, c.n, 3)]
    got = np.concatenate(parts) if parts else np.empty(0)
    assert np.array_equal(got.view(np.int64), whole.view(np.int64))
