"""The families made of phases or cycles, each ``_Data -> [(params, main run length or
None)]``: wsd (stable, then a decay), one-cycle, cyclic, sgdr (warm restarts).

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports render or commands.
"""

from __future__ import annotations

import math

import numpy as np

from .candidate import Params, Proposal
from .fitting import (
    MAX_GAP_SEARCH,
    _around,
    _Data,
    _golden,
    _line,
    _lstsq,
    _resid,
    _search,
    _zero_if_tiny,
)


def _wsd_shape(shape: str, p: np.ndarray) -> np.ndarray:
    if shape == "linear":
        return 1 - p
    if shape == "cosine":
        return 0.5 * (1 + np.cos(np.pi * p))
    return 1 - np.sqrt(p)


def _wsd(d: _Data) -> list[Proposal]:
    """Stable at lr_max, then lr_min + (lr_max - lr_min) f((t - d0) / D). The decay's
    progress p = (t - d0) / D is linear in t, and each shape can be undone given the
    levels: p = 1 - x (linear), p = (1 - x) ** 2 (1-sqrt), arccos(2x - 1) / pi (cosine),
    x = (v - lr_min) / (lr_max - lr_min); a line through p gives d0 and D."""
    t, v, rtol = d.t, d.v, d.rtol
    peak = float(v.max())
    stable = v >= peak * (1 - rtol)
    if not stable[0] or stable.all():
        return []
    j = int(np.argmin(stable))  # the first decaying point
    if stable[j:].any() or len(v) - j < 2:
        return []
    hi = float(np.median(v[:j]))
    tail_from = len(v) - 1
    while tail_from > j and abs(v[tail_from - 1] - v[-1]) <= rtol * abs(v[-1]):
        tail_from -= 1
    has_tail = d.tails and tail_from < len(v) - 1
    moving = slice(j, tail_from) if has_tail else slice(j, None)
    tm, vm = t[moving], v[moving]
    if len(tm) < 2:
        return []
    vmin = float(v.min())

    def progress(shape: str, lo: float) -> np.ndarray:
        x = (vm - lo) / (hi - lo)
        if shape == "linear":
            return 1 - x
        if shape == "1-sqrt":
            return (1 - x) ** 2
        return np.arccos(np.clip(2 * x - 1, -1, 1)) / np.pi

    def line(shape: str, lo: float) -> tuple[float, float, float] | None:
        """(d0, D, residual) of the line through the decay's progress."""
        p = progress(shape, lo)
        near = np.abs(vm - hi) > 50 * rtol * hi  # away from the start, where rounding rules
        if shape == "cosine":
            near &= np.abs(vm - lo) > 50 * rtol * hi
        if near.sum() < 2:
            return None
        a, b = _line(tm[near], p[near])
        if not b > 0:
            return None
        r = p[near] - (a + b * tm[near])
        return -a / b, 1 / b, float(r @ r)

    out: list[Proposal] = []
    for shape in ("linear", "cosine", "1-sqrt"):
        lows = [float(v[-1])] if has_tail else [0.0]
        if shape == "cosine" and not has_tail and vmin > 0:
            def score(lo: float) -> float:
                got = line("cosine", lo)
                return math.inf if got is None else got[2]
            lows.append(_golden(score, 0.0, vmin * (1 - 1e-9), width=vmin * 1e-12))
        found: list[tuple[float, float]] = []
        for lo in lows:
            got = line(shape, lo)
            if got is not None:
                found.append(got[:2])
                if shape != "cosine" and not has_tail:  # the decay ends at the log's end
                    found.append((got[0], d.n_min - got[0]))
        for d0, D in found:
            for d0i in _around(d0, 0):
                for Di in _around(D, 1):
                    run = d0i + Di
                    if run < d.n_min and not (has_tail and run <= t[-1]):
                        continue
                    p = np.clip((t - d0i) / Di, 0, 1)
                    f = _wsd_shape(shape, p)
                    lo_f, hi_f = _lstsq([1 - f, f], v)
                    lo_f = _zero_if_tiny(lo_f, hi_f)
                    if 0 <= lo_f <= hi_f:
                        out.append(({"lr_max": float(hi_f), "lr_min": lo_f, "decay_steps": Di,
                                     "decay_shape": shape}, run))
    return out


def _one_cycle(d: _Data) -> list[Proposal]:
    """Given the peak's step e1 (= pct_start * N - 1), N and the strategy, the values are
    linear in (initial, max_lr, end): phase 1 anneals initial -> max over [0, e1], phase 2
    max -> end over [e1, N - 1]. e1 lies between the logged neighbours of the logged
    maximum; N is searched with the best e1 for each N."""
    if d.v[0] <= 0:
        return []
    k = int(np.argmax(d.v))
    if k == 0 or k == len(d.v) - 1:
        return []

    def columns(t: np.ndarray, e1: float, L: float, strategy: str) -> list[np.ndarray]:
        one = t <= e1
        p1 = np.where(one, t / e1, 0.0)
        p2 = np.where(one, 0.0, (t - e1) / ((L - 1) - e1))
        if strategy == "cos":
            c1, c2 = (np.cos(np.pi * p1) + 1) / 2, (np.cos(np.pi * p2) + 1) / 2
        else:
            c1, c2 = 1 - p1, 1 - p2
        return [np.where(one, c1, 0.0), np.where(one, 1 - c1, c2), np.where(one, 0.0, 1 - c2)]

    def score(t: np.ndarray, v: np.ndarray, e1: float, L: float, strategy: str,
              zero_end: bool) -> float:
        if not 0 < e1 < L - 2:
            return math.inf
        cols = columns(t, e1, L, strategy)[:2 if zero_end else 3]
        coef = _lstsq(cols, v)
        return _resid(sum(c * x for c, x in zip(coef, cols)), v)

    # The peak is between the neighbours of the points within rounding of the maximum.
    top = np.flatnonzero(d.v >= d.v[k] * (1 - 10 * d.rtol))
    a, b = max(int(top[0]) - 1, 0), min(int(top[-1]) + 1, len(d.t) - 1)
    rise, fall = d.v[:a + 1], d.v[b:]
    if (len(np.unique(rise)) < 2 or len(np.unique(fall)) < 2 or (np.diff(rise) < 0).any()
            or (np.diff(fall) > 0).any()):
        return []  # not one rise and one fall
    e_lo, e_hi = max(float(d.t[a]), 0.5), float(d.t[b])
    lo_n, hi_n, near = d.lengths()
    lo_n = max(float(d.n_min), lo_n)
    # The search over N uses at most 256 points (the peak's neighbours and both ends kept).
    few = np.unique(np.concatenate([np.linspace(0, len(d.t) - 1, min(len(d.t), 256)).round(),
                                    [k - 1, k, k + 1]]).astype(np.int64))
    ft, fv = d.t[few], d.v[few]
    out: list[Proposal] = []
    for strategy in ("cos", "linear"):
        zero_end = strategy == "linear"  # a straight fall: N where it would reach 0

        def profile(L: float, strategy: str = strategy, zero_end: bool = zero_end) -> float:
            e1 = _golden(lambda e1, L=L, s=strategy, z=zero_end: score(ft, fv, e1, L, s, z),
                         e_lo, e_hi, 0.05)
            return score(ft, fv, e1, L, strategy, zero_end)

        lengths = {d.n_min}
        for L0 in _search(profile, lo_n, hi_n, near, keep=2):  # refined with every point
            if L0 in lengths:
                continue

            def fine(L: float, strategy: str = strategy, zero_end: bool = zero_end) -> float:
                e1 = _golden(lambda e1, L=L, s=strategy, z=zero_end:
                             score(d.t, d.v, e1, L, s, z), e_lo, e_hi, 0.05)
                return score(d.t, d.v, e1, L, strategy, zero_end)

            span = max(2.0, 0.002 * L0)
            lengths |= {L0} | _around(_golden(fine, max(lo_n, L0 - span), L0 + span), lo_n)
        for L in sorted(lengths):
            e1 = _golden(lambda e1, L=L, s=strategy: score(d.t, d.v, e1, L, s, False), e_lo,
                         e_hi, 0.01)
            tops = {e1} | {float(x) for x in _around(e1, 1)}
            pcts = {(x + 1) / L for x in tops}
            for x in tops:  # the shortest decimal near the estimate (0.3, 0.25, ...)
                for digits in range(1, 5):
                    q = round((x + 1) / L, digits)
                    if abs(q * L - 1 - x) <= 0.5:
                        pcts.add(q)
                        break
            for pct in sorted(pcts):
                e1 = float(pct * L) - 1
                if not 0 < e1 < L - 2:
                    continue
                init, peak, end = _lstsq(columns(d.t, e1, L, strategy), d.v)
                if not (0 < init < peak and end > 0):
                    continue
                out.append(({"max_lr": float(peak), "pct_start": float(pct),
                             "anneal_strategy": strategy, "div_factor": float(peak / init),
                             "final_div_factor": float(init / end)}, L))
    return out


def _cyclic(d: _Data) -> list[Proposal]:
    """Given the rise and fall lengths and the mode, the values are linear in
    (lr_min, lr_max). The first rise and fall are straight lines: where they meet is the
    top (the rise's length), where the fall comes back to the start the cycle's end."""
    t, v = d.t, d.v
    if len(v) < 3:
        return []
    dv = np.diff(v)
    falls = np.flatnonzero(dv < 0)
    if not len(falls) or falls[0] == 0:
        return []
    k = int(falls[0])  # the first logged top
    later = np.flatnonzero((dv > 0) & (np.arange(len(dv)) > k))
    m = int(later[0]) if len(later) else len(v) - 1  # the first logged bottom after it
    ups: set[int] = set()
    downs: set[int] = set()
    if k >= 2 and m - k >= 3:
        a1, b1 = _line(t[:k], v[:k])
        a2, b2 = _line(t[k + 1:m], v[k + 1:m])
        if b1 > 0 > b2:
            top = (a2 - a1) / (b1 - b2)
            ups |= _around(top, 1)
            downs |= _around((a1 - a2) / b2 - top, 1)
    if not ups:  # too few points on the lines: the steps between the logged neighbours
        lo_up = int(t[k - 1]) + 1
        hi_up = int(t[k + 1]) - 1 if k + 1 < len(t) else int(t[k])
        ups = set(range(lo_up, min(hi_up, lo_up + MAX_GAP_SEARCH) + 1))
        bottoms = _next_min_steps(t, v, k)
        downs = {b - u for b in bottoms for u in ups}
    out: list[Proposal] = []
    for up in sorted(ups):
        for down in sorted(downs | {up}):
            if down <= 0 or up <= 0:
                continue
            cycle = np.floor(1 + t / (up + down))
            x = 1 + t / (up + down) - cycle
            r = up / (up + down)
            tri = np.where(x <= r, x / r, (x - 1) / (r - 1))
            for mode in ("triangular", "triangular2"):
                w = tri if mode == "triangular" else tri / 2 ** (cycle - 1)
                lo, hi = _lstsq([1 - w, w], v)
                lo = _zero_if_tiny(lo, hi)
                if 0 <= lo < hi:
                    p: Params = {"lr_min": float(lo), "lr_max": float(hi), "step_size": up,
                                 "mode": mode}
                    if down != up:
                        p["step_size_down"] = int(down)
                    out.append((p, None))
    return out


def _next_min_steps(t: np.ndarray, v: np.ndarray, k: int) -> list[int]:
    """Where the first fall may end: around the first logged minimum after the peak."""
    rises = np.flatnonzero((np.diff(v) > 0) & (t[:-1] > t[k]))
    if not len(rises):
        return []
    m = int(rises[0])  # the first logged bottom after the top
    lo = int(t[m - 1]) + 1 if m > 0 else int(t[m])
    hi = int(t[m + 1]) - 1 if m + 1 < len(t) else int(t[m])
    return list(range(lo, min(hi, lo + 4) + 1))


def _sgdr(d: _Data) -> list[Proposal]:
    """Each logged rise holds a restart: restart c (at t0 * (m**c - 1) / (m - 1), or
    t0 * c when m = 1) lies between the rise's two logged steps, and no restart falls
    after the last rise within the log. These bound t0 for each multiplier m; where they
    leave several whole t0, the cosine between restarts decides."""
    from ...schedules.kernels import sgdr

    t, v, rtol = d.t, d.v, d.rtol
    rises = np.flatnonzero(np.diff(v) > 10 * rtol * np.abs(v[1:])) + 1
    if not len(rises):
        return []
    before, after = t[rises - 1], t[rises]
    c = np.arange(1, len(rises) + 2, dtype=np.float64)
    out: list[Proposal] = []
    consistent = 0
    for m in range(1, 9):
        f = c if m == 1 else (float(m) ** c - 1) / (m - 1)
        lo = max(float(np.max(before / f[:-1])), float(t[-1] / f[-1]))
        hi = float(np.min(after / f[:-1]))
        a, b = math.floor(lo) + 1, math.floor(hi)
        if a > b:
            continue
        consistent += 1

        def fit(t0: float, m: int = m) -> tuple[float, float, np.ndarray]:
            w = sgdr(t, d.n_min, t0, m, 0.0, 1.0)
            lo_, hi_ = _lstsq([1 - w, w], v)
            return float(lo_), float(hi_), lo_ + (hi_ - lo_) * w

        t0s = set(range(a, b + 1)) if b - a <= 48 else set(
            _search(lambda x: _resid(fit(x)[2], v), a, b))
        for t0 in sorted(t0s):
            lo_, hi_, _ = fit(float(t0))
            his = {hi_} | ({float(v[0])} if t[0] == 0 else set())
            for h in his:
                lo2 = _zero_if_tiny(lo_, h)
                if 0 <= lo2 < h:
                    out.append(({"t0": int(t0), "t_mult": m, "lr_min": lo2, "lr_max": h},
                                None))
        if consistent >= 3:
            break
    return out
