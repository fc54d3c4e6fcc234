"""Hypothesis property tests: bounds, monotonicity, periodicity, warmup hand-over."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrsched_cli import schedule
from lrsched_cli.schedules import registry

settings.register_profile("lrsched", deadline=None, max_examples=60)
settings.load_profile("lrsched")

lr = st.floats(1e-6, 10.0)
rate = st.floats(0.0, 1.0)
factor = st.floats(1e-3, 1.0)
steps = st.integers(1, 600)
small = st.integers(1, 60)
TOL = 1e-12


def in_bounds(v: np.ndarray, lo: float, hi: float) -> bool:
    """All finite and within [lo, hi], up to rounding at the scale of the schedule."""
    slack = TOL * max(abs(lo), abs(hi))
    return bool(np.all(np.isfinite(v)) and v.min() >= lo - slack and v.max() <= hi + slack)


def non_increasing(v: np.ndarray) -> bool:
    return bool(np.all(np.diff(v) <= TOL * np.abs(v[:-1])))


@given(lr, factor, small, steps, st.sampled_from(["document", "torch"]))
def test_step(lr0, d, s, n, timing):
    v = schedule("step", steps=n, initial_lr=lr0, decay_factor=d, step_size=s, timing=timing)
    assert in_bounds(v, 0, lr0) and non_increasing(v) and v.shape == (n,)


@given(lr, rate, steps, st.sampled_from(["exponential", "natural-exp"]))
def test_exponential(lr0, k, n, name):
    v = schedule(name, steps=n, initial_lr=lr0, decay_rate=k)
    assert in_bounds(v, 0, lr0) and non_increasing(v) and v[0] == lr0


@given(st.floats(0, 1.0), st.floats(0, 9.0), steps)
def test_cosine(lo, extra, n):
    hi = lo + extra + 1e-6
    v = schedule("cosine", steps=n, lr_min=lo, lr_max=hi)
    assert in_bounds(v, lo, hi) and non_increasing(v)
    assert abs(v[0] - hi) <= 2 * np.spacing(hi)  # lo + (hi - lo) rounds


@given(lr, st.floats(0, 5.0), steps)
def test_polynomial(lr0, p, n):
    v = schedule("polynomial", steps=n, initial_lr=lr0, power=p)
    assert in_bounds(v, 0, lr0) and non_increasing(v)


@given(lr, rate, small, steps)
def test_staircase(lr0, k, s, n):
    v = schedule("staircase-exp", steps=n, initial_lr=lr0, decay_rate=k, step_size=s)
    assert in_bounds(v, 0, lr0) and non_increasing(v)


@given(st.floats(0, 1.0), st.floats(1e-6, 5.0), small, st.one_of(st.none(), small),
       st.sampled_from(["triangular", "triangular2", "exp_range"]), st.floats(0.9, 1.0))
def test_cyclic_bounds_and_period(lo, extra, up, down, mode, gamma):
    hi = lo + extra
    period = up + (up if down is None else down)
    n = 3 * period + 5
    v = schedule("cyclic", steps=n, lr_min=lo, lr_max=hi, step_size=up, step_size_down=down,
                 mode=mode, gamma=gamma)
    assert in_bounds(v, lo, hi)
    assert v[0] == lo and np.isclose(v[up], hi, rtol=1e-12) if mode != "exp_range" else True
    if mode == "triangular":  # periodic with period up + down
        np.testing.assert_allclose(v[period:], v[:-period], rtol=1e-12, atol=1e-15)
    else:  # each cycle's peak is no higher than the previous one
        peaks = [v[c * period:(c + 1) * period].max() for c in range(3)]
        assert all(b <= a * (1 + 1e-12) for a, b in zip(peaks, peaks[1:]))


@given(small, st.integers(1, 3), st.floats(0, 0.5), st.floats(1e-3, 1.0), st.floats(0.1, 1.0))
def test_sgdr(t0, t_mult, lo, extra, decay):
    hi = lo + extra
    n = 200
    v = schedule("sgdr", steps=n, t0=t0, t_mult=t_mult, lr_min=lo, lr_max=hi,
                 restart_decay=decay)
    assert in_bounds(v, lo, hi) and abs(v[0] - hi) <= 2 * np.spacing(hi)
    if t_mult == 1 and decay == 1.0:
        np.testing.assert_array_equal(v[t0:], v[:-t0])
    # within the first period the curve only goes down
    assert non_increasing(v[:t0])


@given(st.floats(1e-4, 1.0), st.floats(0.05, 0.95), st.sampled_from(["cos", "linear"]),
       st.floats(1.5, 100), st.floats(1.0, 1e4), st.booleans(), st.integers(20, 500))
def test_one_cycle(max_lr, pct, anneal, div, fdiv, three, n):
    from hypothesis import assume

    ends = [pct * n - 1, 2 * pct * n - 2] if three else [pct * n - 1]
    assume(all(abs(e) > 1e-9 for e in ends) and abs(n - 1 - ends[-1]) > 1e-9)
    assume(not three or 2 * pct * n - 2 < n - 1)
    v = schedule("one-cycle", steps=n, max_lr=max_lr, pct_start=pct, anneal_strategy=anneal,
                 div_factor=div, final_div_factor=fdiv, three_phase=three)
    low = max_lr / div / fdiv
    assert in_bounds(v, low, max_lr)
    k = int(np.argmax(v))
    assert np.all(np.diff(v[: k + 1]) >= -TOL * max_lr)  # rises to the peak
    assert np.isclose(v[-1], low, rtol=1e-9, atol=0) or anneal == "linear"


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=200), st.integers(0, 5),
       st.sampled_from(["min", "max"]), st.floats(0.01, 0.9), st.floats(0, 1e-2))
def test_plateau_never_rises(metrics, patience, mode, fac, min_lr):
    v = schedule("plateau", initial_lr=0.1, metrics=metrics, patience=patience, mode=mode,
                 factor=fac, min_lr=min_lr)
    assert v.shape == (len(metrics),) and v[0] == 0.1
    assert non_increasing(v) and v.min() >= min(min_lr, 0.1)


@given(lr, st.lists(st.integers(0, 300), max_size=6), factor, steps)
def test_multistep(lr0, ms, g, n):
    v = schedule("multistep", steps=n, initial_lr=lr0, milestones=ms or (1,), gamma=g)
    assert in_bounds(v, 0, lr0) and non_increasing(v)


@given(lr, st.floats(0, 2.0), st.floats(0, 2.0), st.integers(1, 300), steps)
def test_linear(lr0, sf, ef, total, n):
    v = schedule("linear", steps=n, initial_lr=lr0, start_factor=sf, end_factor=ef,
                 total_iters=total)
    assert in_bounds(v, lr0 * min(sf, ef), lr0 * max(sf, ef))
    d = np.diff(v)
    assert np.all(d <= TOL * lr0) or np.all(d >= -TOL * lr0)  # monotone one way
    assert np.all(v[total:] == v[min(total, n - 1)])  # flat after T


@given(lr, small, steps)
def test_inverse_sqrt(lr0, tau, n):
    v = schedule("inverse-sqrt", steps=n, initial_lr=lr0, timescale=tau)
    assert in_bounds(v, 0, lr0) and non_increasing(v) and np.all(v[: tau + 1] == lr0)


@given(st.floats(1e-4, 1.0), st.floats(0, 1e-4), st.integers(10, 400),
       st.sampled_from(["linear", "cosine", "1-sqrt"]), st.floats(0.05, 1.0))
def test_wsd(hi, lo, n, shape, frac):
    d = max(1, int(frac * n))
    v = schedule("wsd", steps=n, lr_max=hi, lr_min=lo, decay_steps=d, decay_shape=shape,
                 warmup=0)
    assert in_bounds(v, lo, hi) and non_increasing(v) and np.all(v[: n - d] == hi)


SCHEDULES_FOR_WARMUP = [
    ("cosine", {}), ("step", {}), ("exponential", {}), ("polynomial", {}),
    ("one-cycle", {"pct_start": 0.4}), ("sgdr", {}), ("inverse-sqrt", {}),
    ("linear", {}), ("multistep", {}), ("wsd", {}),
]


@given(st.sampled_from(SCHEDULES_FOR_WARMUP), st.integers(1, 40), st.integers(60, 300),
       st.sampled_from(["linear", "cosine", "exponential"]), st.floats(1e-4, 1e-2))
def test_prefix_warmup_hands_over_continuously(entry, w, n, shape, start):
    name, kw = entry
    v = schedule(name, steps=n, warmup=w, warmup_shape=shape, warmup_start=start, **kw)
    main = schedule(name, steps=n - w, **kw) if name != "wsd" else None
    if main is not None:  # prefix: the main schedule runs unchanged over N - W steps
        np.testing.assert_array_equal(v[w:], main)
    target = v[w]
    ramp = v[: w + 1]
    # the ramp moves monotonically from the start value to the main schedule's first value
    assert ramp[0] == start or w == 0
    d = np.diff(ramp)
    assert np.all(d >= -1e-15) if target >= start else np.all(d <= 1e-15)
    # continuity at the join: the step into the main schedule is no bigger than the
    # ramp's largest step (the ramp would reach the target exactly at t = W)
    assert abs(v[w] - v[w - 1]) <= np.abs(d).max() * (1 + 1e-9) + 1e-15


@given(st.integers(1, 40), st.integers(60, 300), st.sampled_from(["linear", "cosine"]))
def test_overlay_warmup_replaces_only_the_first_w_values(w, n, shape):
    plain = schedule("cosine", steps=n)
    v = schedule("cosine", steps=n, warmup=w, warmup_shape=shape, warmup_mode="overlay")
    np.testing.assert_array_equal(v[w:], plain[w:])
    assert v[0] == 0.0 and np.all(np.diff(v[: w + 1]) >= 0)


# Lengths as people state them (issue 10): every spelling of a length is the same steps.

@given(st.integers(1, 99), st.integers(1, 40))
def test_percent_lengths_equal_their_steps(pct, scale):
    n = 100 * scale  # pct% of n is whole
    a = schedule("cosine", steps=n, warmup=f"{pct}%")
    b = schedule("cosine", steps=n, warmup=pct * scale)
    assert a.tobytes() == b.tobytes()


@given(st.integers(1, 8), st.integers(1, 60), st.integers(0, 3))
def test_epoch_lengths_equal_epochs_times_steps_per_epoch(k, spe, extra):
    a = schedule("step", steps=f"{k + extra + 1}ep", step_size=f"{k}ep", steps_per_epoch=spe)
    b = schedule("step", steps=(k + extra + 1) * spe, step_size=k * spe)
    assert a.tobytes() == b.tobytes()


@given(st.integers(1, 500), st.integers(1, 4096), st.integers(1, 64), st.booleans())
def test_epochs_from_dataset_size_count_as_the_dataloader(size, batch, accum, drop_last):
    batches = size // batch if drop_last else -(-size // batch)
    spe = batches // accum
    kw = dict(dataset_size=size, batch_size=batch, grad_accum=accum, drop_last=drop_last or None)
    if spe < 1:
        import pytest

        from lrsched_cli.errors import UsageError

        with pytest.raises(UsageError, match="no whole optimizer step"):
            schedule("step", steps="2ep", **kw)
        return
    assert len(schedule("step", steps="2ep", **kw)) == 2 * spe


@given(st.integers(1, 300), st.integers(1, 5000), st.sampled_from([("K", 1), ("M", 1000)]))
def test_token_lengths_equal_tokens_over_tokens_per_step(k, m, unit):
    suffix, thousands = unit  # m*1000*thousands tokens per step, k steps
    per_step = m * 1000 * thousands
    a = schedule("cosine", steps=f"{k * m}{suffix}tok", tokens_per_step=per_step)
    b = schedule("cosine", steps=f"{k * m}{suffix}tok", batch_size=m * thousands, seq_len=1000)
    c = schedule("cosine", steps=k)
    assert len(a) == k and a.tobytes() == b.tobytes() == c.tobytes()


def _peak_param(entry):
    """The parameter ``--lr`` names on ``entry`` (its peak), or None (noam, rsqrt)."""
    return next((p.name for p in entry.params if "lr" in p.aliases), None)


FLAT_BY_DESIGN = {"constant"}  # a constant schedule is flat: that is what it is for


@given(st.sampled_from([e for e in registry.SCHEDULES if e.name not in FLAT_BY_DESIGN]),
       st.floats(-6, 1))
def test_defaults_are_neither_flat_nor_refused_for_any_peak(entry, log_peak):
    """Issue 14.1: with only the peak given (1e-6 .. 10), every schedule's defaults give a
    schedule that moves, and floors that were not given stay below the peak."""
    peak = 10.0 ** log_peak
    name = _peak_param(entry)
    kw = {} if name is None else {"lr": peak}
    if entry.name == "plateau":
        kw["metrics"] = [1.0] * 100
    v = schedule(entry.name, **kw)
    assert np.all(np.isfinite(v))
    assert v.max() > v.min(), f"{entry.name} is flat at peak {peak}"
    if name is not None:
        assert v.max() <= peak * (1 + 1e-12)
        floor = registry.resolve(entry.name, kw).params.get("lr_min")
        if floor is not None:
            assert floor == pytest.approx(peak / 100 if entry.name not in (
                "hyperbolic", "exp-hyperbolic") else peak / 10_000, rel=1e-15)


def test_every_peak_is_spelled_lr():
    missing = [e.name for e in registry.SCHEDULES if _peak_param(e) is None]
    assert missing == ["noam", "rsqrt"]  # their peak follows from factor and warmup


@given(st.floats(1e-6, 10.0), st.floats(0, 100))
def test_floor_as_share_of_peak(peak, pct):
    spec = registry.resolve("cosine", {"lr_max": peak, "lr_min": f"{pct!r}%"})
    assert spec.params["lr_min"] == pytest.approx(peak * pct / 100, rel=1e-15, abs=0)
