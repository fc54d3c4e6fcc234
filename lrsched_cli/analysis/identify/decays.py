"""The families that decay in one piece, each ``_Data -> [(params, main run length or
None)]`` by closed forms: constant, step, multistep, exponential, cosine, polynomial,
linear, inverse-sqrt.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports render or commands.
"""

from __future__ import annotations

import math

import numpy as np

from .candidate import Proposal
from .fitting import (
    _around,
    _Data,
    _exponents,
    _levels,
    _line,
    _lstsq,
    _resid,
    _roundest,
    _search,
    _zero_if_tiny,
)

# --------------------------------------------------------------------------------------
# The families: _Data -> [(params, main run length or None)].

def _constant(d: _Data) -> list[Proposal]:
    out: list[Proposal] = [({"initial_lr": float(np.median(d.v))}, None)]
    levels, firsts, lasts, _ = _levels(d.t, d.v, d.rtol)
    if len(levels) == 2 and levels[0] < levels[1]:  # ConstantLR(factor, total_iters)
        for T in {_roundest(lasts[1], firsts[1]), int(firsts[1])} - {None}:
            out.append(({"initial_lr": float(levels[1]),
                         "factor": float(levels[0] / levels[1]), "total_iters": T}, None))
    return out


def _step(d: _Data) -> list[Proposal]:
    """lr0 * g ** floor((t + delta) / s): each logged point's count of drops k bounds s,
    (t + delta) / (k + 1) < s <= (t + delta) / k; all points together place it."""
    levels, _, _, which = _levels(d.t, d.v, d.rtol)
    if len(levels) < 2:
        return []
    out: list[Proposal] = []
    for lg, ks in _exponents(levels):
        k = ks[which]
        for timing, delta in (("torch", 0.0), ("document", 1.0)):
            x = d.t + delta
            pos = k > 0
            lo, hi = float(np.max(x / (k + 1))), float(np.min(x[pos] / k[pos]))
            a, b = math.floor(lo) + 1, math.floor(hi)
            if a > b:
                continue
            sizes = set(range(a, b + 1)) if b - a < 3 else {a, b, _roundest(lo, hi)}
            lr0s = {float(math.exp(np.mean(np.log(d.v) - k * lg)))}
            if k[0] == 0 and d.t[0] == 0:
                lr0s.add(float(d.v[0]))
            for s in sorted(x for x in sizes if x):
                for lr0 in lr0s:
                    out.append(({"initial_lr": lr0, "decay_factor": math.exp(lg),
                                 "step_size": int(s), "timing": timing}, None))
    return out


def _multistep(d: _Data) -> list[Proposal]:
    levels, firsts, lasts, _ = _levels(d.t, d.v, d.rtol)
    if len(levels) < 2:
        return []
    out: list[Proposal] = []
    for lg, ks in _exponents(levels):
        ms: list[int] = []
        for j in range(1, len(levels)):
            m = _roundest(lasts[j], firsts[j])
            ms += [int(firsts[j]) if m is None else m] * int(ks[j] - ks[j - 1])
        out.append(({"initial_lr": float(levels[0]), "gamma": math.exp(lg),
                     "milestones": ",".join(str(m) for m in ms)}, None))
    return out


def _exponential(d: _Data) -> list[Proposal]:
    t, v = d.t, d.v
    if (v <= 0).any() or len(v) < 2 or t[-1] == t[0]:
        return []
    y = np.log(v)
    k_end = -float(y[-1] - y[0]) / float(t[-1] - t[0])  # the two ends, exactly
    cands = [(float(v[0]) if t[0] == 0 else math.exp(y[0] + k_end * t[0]), k_end)]
    slope, icpt = np.polyfit(t, y, 1)  # all points (float32 logs: rounding averaged out)
    cands.append((math.exp(icpt), -float(slope)))
    if t[0] == 0 and (t @ t) > 0:
        cands.append((float(v[0]), -float(t @ (y - y[0]) / (t @ t))))
    return [({"initial_lr": float(a), "decay_rate": float(k)}, None)
            for a, k in cands if k >= 0 and a > 0]


def _cosine(d: _Data) -> list[Proposal]:
    """Given the run length L, linear in (lr_min, lr_max): L is searched (held after L
    when L is within the log)."""
    t, v = d.t, d.v
    variants = ["free", "zero"] + (["start"] if t[0] == 0 else [])

    def fit(L: float, var: str) -> tuple[float, float, np.ndarray]:
        c = (1 + np.cos(np.minimum(t, L) / L * np.pi)) / 2
        if var == "free":
            lo, hi = _lstsq([1 - c, c], v)
        elif var == "zero":
            lo, hi = 0.0, float(_lstsq([c], v)[0])
        else:
            hi = float(v[0])
            lo = float(_lstsq([1 - c], v - hi * c)[0]) if (c < 1).any() else 0.0
        return float(lo), float(hi), lo + 0.5 * (hi - lo) * (1 + np.cos(np.minimum(t, L) / L
                                                                         * np.pi))

    lo_n, hi_n, near = d.lengths()
    lengths = {d.n_min}
    for var in variants:
        lengths |= set(_search(lambda L, var=var: _resid(fit(L, var)[2], v), lo_n, hi_n, near))
    out: list[Proposal] = []
    for L in sorted(lengths):
        for var in variants:
            lo, hi, _ = fit(float(L), var)
            lo = _zero_if_tiny(lo, hi)
            if 0 <= lo <= hi and hi > 0:
                out.append(({"lr_max": hi, "lr_min": lo}, L))
    return out


def _polynomial(d: _Data) -> list[Proposal]:
    """Given L, log(v) is linear in (log lr0, power): L is searched as for cosine."""
    t, v = d.t, d.v
    variants = ["free"] + (["start"] if t[0] == 0 and v[0] > 0 else [])

    def fit(L: float, var: str) -> tuple[float, float, np.ndarray] | None:
        x = 1 - np.minimum(t, L) / L
        ok = (v > 0) & (x > 0)
        if ok.sum() < 2:
            return None
        lx, y = np.log(x[ok]), np.log(v[ok])
        if var == "start":
            a = math.log(float(v[0]))
            if not lx @ lx > 0:
                return None
            p = float(lx @ (y - a) / (lx @ lx))
        else:
            a, p = np.linalg.lstsq(np.column_stack([np.ones_like(lx), lx]), y, rcond=None)[0]
        if not p > 0:
            return None
        lr0 = math.exp(a)
        return lr0, float(p), lr0 * np.power(x, p)

    def score(L: float, var: str) -> float:
        got = fit(L, var)
        return math.inf if got is None else _resid(got[2], v)

    lo_n, hi_n, near = d.lengths()
    lengths = {d.n_min}
    for var in variants:
        lengths |= set(_search(lambda L, var=var: score(L, var), lo_n, hi_n, near))
    out: list[Proposal] = []
    for L in sorted(lengths):
        for var in variants:
            got = fit(float(L), var)
            if got is not None:
                out.append(({"initial_lr": got[0], "power": got[1]}, L))
    return out


def _linear(d: _Data) -> list[Proposal]:
    """v = a + b * min(t, T). A flat end places T where the line meets it; without one,
    T is the run's end: the shortest run, or where the line reaches 0."""
    t, v, rtol = d.t, d.v, d.rtol
    flat_from = len(v) - 1  # the flat end: where the values stop changing
    while flat_from > 0 and abs(v[flat_from - 1] - v[-1]) <= rtol * abs(v[-1]):
        flat_from -= 1
    ends: set[int] = set()
    if 2 <= flat_from < len(v) - 1:
        a, b = _line(t[:flat_from], v[:flat_from])
        lo, hi = float(t[flat_from - 1]) + 1, float(t[flat_from])
        if b != 0:
            ends |= _around((float(v[-1]) - a) / b, lo, hi)
        ends |= {int(hi), int(lo)}
    elif flat_from == 0:
        return []
    else:
        a, b = _line(t, v)
        ends.add(d.n_min)
        if b < 0:
            ends |= _around(-a / b, d.n_min, math.inf)
    out: list[Proposal] = []
    for T in sorted(ends):
        if T <= 0:
            continue
        m = np.minimum(t, T)
        fits = [tuple(_lstsq([np.ones_like(t), m], v))]
        if t[0] == 0:
            fits.append((float(v[0]), float(_lstsq([m], v - v[0])[0])))
        for a, b in fits:
            end = a + b * T
            lr0 = max(abs(a), abs(end))
            if lr0 <= 0:
                continue
            end = _zero_if_tiny(end, lr0)
            out.append(({"initial_lr": float(lr0), "start_factor": float(a / lr0),
                         "end_factor": float(end / lr0), "total_iters": int(T)},
                        max(int(T), d.n_min)))
    return out


def _inverse_sqrt(d: _Data) -> list[Proposal]:
    """lr0 * sqrt(tau / max(t, tau)): past tau, v = C / sqrt(t); tau where C / sqrt(t)
    meets the flat start (or the overlay warmup's end, when the data start there)."""
    t, v, rtol = d.t, d.v, d.rtol
    lr0 = float(v.max())
    dec = (v < lr0 * (1 - 10 * rtol)) & (t > 0)
    if not dec.any():
        return []
    C = float(_lstsq([1 / np.sqrt(t[dec])], v[dec])[0])
    # on the decay: v * sqrt(t) = C (the highest point may be, in a sparse log)
    dec = (t > 0) & (np.abs(v * np.sqrt(t) - C) <= 10 * rtol * C)
    flat = ~dec & (v >= lr0 * (1 - 10 * rtol))
    if not dec.any():
        return []
    C = float(_lstsq([1 / np.sqrt(t[dec])], v[dec])[0])
    taus: set[int] = set()
    if flat.any():
        taus |= _around((C / float(np.median(v[flat]))) ** 2, 1)
    if d.warm:
        taus.add(d.warm)
    if not flat.any():
        taus.add(max(1, int(t[dec][0])))
    out: list[Proposal] = []
    for tau in sorted(taus):
        out.append(({"initial_lr": C / math.sqrt(tau), "timescale": tau}, None))
        if flat.any():
            out.append(({"initial_lr": float(np.median(v[flat])), "timescale": tau}, None))
    return out
