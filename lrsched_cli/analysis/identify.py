"""``lrsched identify FILE``: name the schedule behind a log.

Each native family proposes parameters from the logged values by closed forms: levels and
the whole powers between them for step decays, a log-linear fit for exponential decay,
linear least squares in (lr_min, lr_max) for cosine, lines through the logged pieces for
cyclical rates, ... What a log leaves open is searched, never assumed:

- the run length N, for the families whose values depend on it (cosine, polynomial,
  linear, wsd, one-cycle): the last logged step only bounds it from below (a sparse log
  need not hold the last step, a log may stop early), so N is where the closed form's
  residual is smallest, found by a log-spaced scan refined by golden section;
- a decay that ends before the log does (torch ``PolynomialLR`` with ``total_iters`` shorter
  than the run, Keras ``CosineDecay`` after ``decay_steps``: the value is held from there
  on): the same search below the last logged step. lrsched's native schedules cannot hold
  their last value (``linear`` can, by ``--total-iters``), so such a candidate is written
  as the optax schedule that computes it (optax's schedules clamp their count);
- the step of a change between two logged steps (a drop, a restart, a turn of a cycle):
  from the constraints all logged points give together;
- a linear warmup, prefix or overlay (ramping to the handover value or to the peak), from
  the rising start; its length is refined from the fitted main schedule.

Searches and a first check use at most about SEARCH_POINTS of the logged points (evenly
spread, plus every turn of the values); the candidates that pass are checked by lrsched
itself at every logged step: the spec is resolved as ``lrsched export`` resolves it and its
values are computed at the logged steps only (:func:`values_at`), so memory and time follow
the log's length, whatever the run's length.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import UsageError
from ..series import Series
from .difference import relative_difference

Params = dict[str, Any]
Proposal = tuple[Params, "int | None"]  # parameters, and the main run length (None: shortest)
MAX_GAP_SEARCH = 16  # whole steps tried in a gap when no closed form places a change
SEARCH_POINTS = 2048  # logged points the searches and the first check use
KEEP = 6  # candidates per family checked at every logged step
FIT_TOL_FLOAT64 = 1e-9  # a fit: largest relative error at the logged steps (not
# difference.TOL_*, which bound |a - b| / peak when two series are compared)
FIT_TOL_FLOAT32 = 1e-6
# What rounding a fitted number to a shorter decimal may add to the error: the precision
# the log was stored with (a float32 holds a value to 2**-24 of it), or, for float64,
# rounding error of the closed forms.
ROUNDING_COST_FLOAT32 = 2.0 ** -24
ROUNDING_COST_FLOAT64 = 1e-13
OFFSETS = (0, -1, 1)  # the log's step may count updates done (-1), or the next (+1)


@dataclass
class Candidate:
    schedule: str
    params: Params
    run: Params
    max_rel: float = math.inf
    words: list[str] = field(default_factory=list)
    offset: int = 0  # the spec reproduces the log's value at step s at step s + offset
    end: int | None = None  # the decay ends at this step; the value is held from there on

    def spec_text(self) -> str:
        return shlex.join(self.words)

    @property
    def notes(self) -> list[str]:
        out = []
        if self.offset:
            out.append(f"log steps {self.offset:+d}")
        if self.end is not None:
            out.append(f"held from step {self.end}")
        return out


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        text = repr(v)
        return text[:-2] if text.endswith(".0") else text
    return str(v)


def _words(schedule: str, params: Params, run: Params) -> list[str]:
    words = [schedule]
    for k, v in {**params, **run}.items():
        if v is None or v is False or (k == "warmup" and v == 0 and schedule != "wsd"):
            continue
        if k == "warmup_start" and v == 0:  # the default
            continue
        flag = "--" + k.replace("_", "-")
        words += [flag] if v is True else [flag, _fmt(v)]
    return words


def _max_rel(model: np.ndarray, v: np.ndarray) -> float:
    out = float(relative_difference(model, v).max(initial=0.0))
    return out if math.isfinite(out) else math.inf


# --------------------------------------------------------------------------------------
# Evaluation at the logged steps only.

def values_at(spec: Any, steps: np.ndarray) -> np.ndarray:
    """``lr[steps]`` of a resolved spec, only at the given indices (a sparse log of a run of
    10**9 steps costs its own length): :func:`compose.schedule_at`."""
    from ..schedules.compose import schedule_at

    if spec.entry.sequential:
        raise UsageError(f"identify does not fit {spec.name}")
    return schedule_at(spec, steps)


def _resolve(schedule: str, params: Params, run: Params) -> Any:
    from ..schedules.registry import resolve

    return resolve(schedule, {**params, **run})


def evaluate_at(schedule: str, params: Params, run: Params, steps: np.ndarray,
                end: int | None = None) -> np.ndarray:
    """The values lrsched gives for this spec at ``steps`` (as ``export`` computes them);
    with ``end``, the value at step ``end`` is held from there on."""
    s = np.asarray(steps, dtype=np.int64)
    if end is not None:
        s = np.minimum(s, end)
    return values_at(_resolve(schedule, params, run), s)


def _error(name: str, params: Params, run: Params, steps: np.ndarray, values: np.ndarray,
           end: int | None = None) -> float | None:
    """The spec's largest relative error at ``steps``; None when lrsched refuses it."""
    import warnings

    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _max_rel(evaluate_at(name, params, run, steps, end), values)
    except (UsageError, ValueError, IndexError, OverflowError, ZeroDivisionError,
            FloatingPointError):
        return None


# --------------------------------------------------------------------------------------
# Helpers for the families.

@dataclass
class _Data:
    """The logged points a family fits: steps in the main schedule's own count."""

    t: np.ndarray  # float64, whole numbers
    v: np.ndarray
    n_min: int  # the shortest main run the log allows (its last step + 1)
    rtol: float  # values closer than this (relative) are equal
    warm: int = 0  # an overlay warmup of this length precedes the data
    tails: bool = True  # may the decay end before the log does

    def lengths(self) -> tuple[float, float, list[int]]:
        """The range of main run lengths to search, and whole ones worth trying each:
        from the third logged point (a decay may end anywhere after it, held after) when
        tails are allowed, else from the shortest run; up to 64 times the shortest."""
        lo = float(self.t[min(2, len(self.t) - 1)]) + 1 if self.tails else float(self.n_min)
        gap = int(np.median(np.diff(self.t))) if len(self.t) > 1 else 1
        near = list(range(self.n_min, self.n_min + min(max(gap, 1), 64)))
        return max(lo, 2.0), float(max(64 * self.n_min, self.n_min + 64)), near


def _levels(t: np.ndarray, v: np.ndarray, rtol: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Piecewise-constant reading: (level values, first logged step of each level, last
    logged step before it, the level of each point)."""
    scale = np.maximum(np.abs(v[1:]), np.abs(v[:-1]))
    change = np.flatnonzero(np.abs(np.diff(v)) > rtol * np.maximum(scale, 1e-300)) + 1
    starts = np.concatenate(([0], change))
    which = np.zeros(len(v), dtype=np.int64)
    which[change] = 1
    return (v[starts], t[starts], np.concatenate(([t[0] - 1], t[change - 1])),
            np.cumsum(which))


def _roundest(lo: float, hi: float) -> int | None:
    """The whole number in (lo, hi] with the most trailing zeros (the largest of those):
    where a change the log cannot place more exactly most likely is."""
    a, b = math.floor(lo) + 1, math.floor(hi)
    if a > b:
        return None
    p = 10 ** len(str(abs(b)))
    while p >= 1:
        x = b // p * p
        if x >= a:
            return int(x)
        p //= 10
    return b


def _around(x: float, lo: float = -math.inf, hi: float = math.inf, spread: int = 1
            ) -> set[int]:
    """Whole numbers next to ``x`` (floor - spread .. ceil + spread) within [lo, hi]."""
    if not math.isfinite(x) or abs(x) > 1e15:
        return set()
    return {k for k in range(math.floor(x) - spread, math.ceil(x) + spread + 1)
            if lo <= k <= hi}


def _lstsq(columns: list[np.ndarray], v: np.ndarray) -> np.ndarray:
    """Least squares in relative terms (rows weighted 1/|v|): what ``max_rel`` measures."""
    a = np.column_stack(columns)
    pos = np.abs(v) > 0
    w = np.where(pos, 1 / np.where(pos, np.abs(v), 1), 1 / max(float(np.abs(v).max()), 1e-300))
    return np.linalg.lstsq(a * w[:, None], v * w, rcond=None)[0]


def _line(t: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """(a, b) of v = a + b t by least squares."""
    a, b = np.linalg.lstsq(np.column_stack([np.ones_like(t), t]), v, rcond=None)[0]
    return float(a), float(b)


def _resid(model: np.ndarray, v: np.ndarray) -> float:
    """Sum of squared relative differences (what the searches minimise)."""
    with np.errstate(all="ignore"):
        r = relative_difference(model, v)
        s = float(r @ r)
    return s if math.isfinite(s) else math.inf


def _golden(f: Callable[[float], float], a: float, b: float, width: float = 0.5) -> float:
    """A minimum of ``f`` on [a, b] by golden-section search, to ``width``."""
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(80):
        if b - a <= width:
            break
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def _search(f: Callable[[float], float], lo: float, hi: float, near: Iterable[int] = (),
            keep: int = 3) -> list[int]:
    """Whole numbers in [lo, hi] around the ``keep`` deepest local minima of ``f``: every
    whole number when the range is short, else a log-spaced scan (with ``near``) whose
    minima golden-section search refines."""
    lo_i, hi_i = math.ceil(lo), math.floor(hi)
    if hi_i < lo_i:
        return []
    if hi_i - lo_i <= 64:
        xs = np.arange(lo_i, hi_i + 1, dtype=np.float64)
    else:
        extra = [float(x) for x in near if lo_i <= x <= hi_i]
        xs = np.unique(np.concatenate([np.geomspace(lo_i, hi_i, 64), extra]))
    ys = np.array([f(float(x)) for x in xs])
    if not np.isfinite(ys).any():
        return []
    left = np.concatenate(([np.inf], ys[:-1]))
    right = np.concatenate((ys[1:], [np.inf]))
    minima = [i for i in np.flatnonzero((ys <= left) & (ys <= right) & np.isfinite(ys))]
    minima.sort(key=lambda i: ys[i])
    out: set[int] = set()
    for i in minima[:keep]:
        if hi_i - lo_i <= 64:
            x = float(xs[i])
        else:
            x = _golden(f, float(xs[max(i - 1, 0)]), float(xs[min(i + 1, len(xs) - 1)]))
        out |= _around(x, lo_i, hi_i)
    return sorted(out)


def _zero_if_tiny(lo: float, hi: float) -> float:
    """A fitted floor within rounding of 0 is 0 (float32 logs of schedules that reach 0)."""
    return 0.0 if abs(lo) <= 1e-6 * abs(hi) else float(lo)


def _exponents(levels: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """Readings of decreasing levels as ``levels[0] * g ** k``: (log g, k of each level),
    k whole and increasing. Between two logged points several drops may happen, so the
    smallest logged ratio may be g**2 or g**3: the first whole reading is kept."""
    if levels[0] <= 0 or (levels <= 0).any():
        return []
    lr = np.log(levels / levels[0])
    steps = np.diff(lr)
    if not len(steps) or (steps >= 0).any():
        return []
    base = float(steps.max())
    for c in range(1, 9):
        q = steps / (base / c)
        if np.all(np.abs(q - np.round(q)) <= 0.02):
            k = np.concatenate(([0.0], np.cumsum(np.round(q))))
            return [(float(k @ lr / (k @ k)), k)]
    return []


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
    from ..schedules.kernels import sgdr

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


FAMILIES: dict[str, Callable[[_Data], list[Proposal]]] = {
    "constant": _constant, "step": _step, "multistep": _multistep,
    "exponential": _exponential, "cosine": _cosine, "linear": _linear,
    "polynomial": _polynomial, "inverse-sqrt": _inverse_sqrt, "one-cycle": _one_cycle,
    "cyclic": _cyclic, "sgdr": _sgdr, "wsd": _wsd,
}
SIMPLER = ["constant", "exponential", "step", "cosine", "linear", "polynomial",
           "inverse-sqrt", "multistep", "wsd", "sgdr", "one-cycle", "cyclic"]
RISING = {"one-cycle", "cyclic"}  # rise by themselves: no separate warmup
TAILS = {"cosine", "polynomial", "wsd"}  # decays that may end before the log (held after)


# --------------------------------------------------------------------------------------
# Warmups.

@dataclass
class _Ramp:
    """A linear rise at the log's start: its value at step 0, its slope, first guesses of
    its length."""

    start: float
    slope: float | None
    guesses: list[int]


def _ramps(t: np.ndarray, v: np.ndarray, rtol: float) -> list[_Ramp]:
    """Linear warmups the log's rising start suggests. The points before the first top
    are on the ramp (a line); its length W is where the line reaches the main schedule's
    value, first guessed with the top's logged value, refined once the main schedule is
    fitted."""
    if len(v) < 3 or not v[1] > v[0]:
        return []
    k = int(np.argmax(v >= v.max() * (1 - rtol)))  # the first top
    if k == 0:
        return []
    starts = {float(v[0])} if t[0] == 0 else {0.0}
    slope = None
    guesses: set[int] = set()
    if k >= 2:
        a, b = _line(t[:k], v[:k])
        if t[0] == 0:
            a = float(v[0])
            b = float(_lstsq([t[1:k]], v[1:k] - a)[0])
        if b > 0:
            slope = b
            if t[0] != 0:
                starts.add(_zero_if_tiny(a, float(v[k])))
            for st in starts:
                guesses |= _around((float(v[k]) - st) / b, 1, spread=0)
    if slope is None:
        lo = int(t[k - 1]) + 1
        hi = int(t[k + 1]) - 1 if k + 1 < len(t) else int(t[k])
        guesses |= set(range(lo, min(hi, lo + MAX_GAP_SEARCH) + 1)) | {int(t[k])}
    ok = sorted(w for w in guesses if 0 < w < t[-1] + 1)
    return [_Ramp(st if st >= 0 else 0.0, slope, ok) for st in sorted(starts) if st >= 0]


# --------------------------------------------------------------------------------------
# The search.

def _screen_points(v: np.ndarray, limit: int = SEARCH_POINTS) -> np.ndarray:
    """Indices of at most about ``limit`` points (all when there are fewer): evenly
    spread, the first and last 16, and every turn of the values (each change of a
    piecewise-constant log) when there are not more than ``limit`` of those."""
    n = len(v)
    if n <= limit:
        return np.arange(n)
    parts = [np.linspace(0, n - 1, limit).round().astype(np.int64), np.arange(16),
             np.arange(n - 16, n)]
    s = np.sign(np.diff(v))
    turns = np.flatnonzero(s[1:] != s[:-1]) + 1
    if len(turns) <= limit:
        parts += [turns - 1, turns, turns + 1]
    return np.unique(np.concatenate(parts))


class _Finder:
    def __init__(self, t: np.ndarray, v: np.ndarray, f32: bool) -> None:
        self.t, self.v = t, v
        self.f32 = f32
        self.tol = FIT_TOL_FLOAT32 if f32 else FIT_TOL_FLOAT64
        self.rtol = 1e-6 if f32 else 1e-12
        self.screen = _screen_points(v)
        self.found: dict[str, Candidate] = {}

    # candidates ---------------------------------------------------------------------
    def add(self, name: str, params: Params, run: Params, offset: int,
            end: int | None) -> Candidate | None:
        words = _words(name, params, run)
        key = f"{shlex.join(words)} @{offset} end {end}"
        if key in self.found:
            return self.found[key]
        idx = self.screen
        err = _error(name, params, run, self.t[idx] + offset, self.v[idx], end)
        if err is None:
            return None
        c = Candidate(name, params, run, err, words, offset, end)
        self.found[key] = c
        return c

    def family(self, name: str, t: np.ndarray, v: np.ndarray, n_min: int, offset: int,
               w: int = 0, mode: str = "prefix", start: float = 0.0) -> list[Candidate]:
        """Fit ``name`` after a warmup of ``w`` steps (none: 0) and add its candidates."""
        if w:
            keep = t >= w
            if keep.sum() < 2:
                return []
            shift = w if mode == "prefix" else 0
            d = _Data(t[keep] - shift, v[keep], n_min - shift, self.rtol,
                      warm=w if mode == "overlay" else 0,
                      tails=mode == "prefix" and name in TAILS)
        else:
            d = _Data(t, v, n_min, self.rtol, tails=name in TAILS)
        if d.n_min < 2:
            return []
        try:
            with np.errstate(all="ignore"):
                proposals = FAMILIES[name](d)
        except (ValueError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError):
            return []
        out = []
        for params, length in proposals:
            main_n = d.n_min if length is None else int(length)
            tail = main_n < d.n_min
            if main_n < 1 or (tail and not d.tails):
                continue
            steps = main_n + (w if mode == "prefix" else 0)
            run: Params = {"steps": steps, "warmup": w}
            targets: list[str | None] = [None]
            if w:
                run["warmup_start"] = start
                if mode == "overlay":
                    run["warmup_mode"] = "overlay"
                    targets = ["handover", "peak"]
            for target in targets:
                r = dict(run)
                if target == "peak":
                    r["warmup_target"] = "peak"
                c = self.add(name, dict(params), r, offset, steps if tail else None)
                if c is not None:
                    out.append(c)
        return out

    def fit(self, names: list[str], offset: int) -> None:
        t = (self.t + offset).astype(np.float64)[self.screen]
        v = self.v[self.screen]
        n_min = int(self.t[-1]) + offset + 1
        ramps = _ramps(t, v, self.rtol)
        for name in names:
            self.family(name, t, v, n_min, offset)
            if name in RISING:
                continue
            for ramp in ramps:
                for mode in ("prefix", "overlay"):
                    tried: set[int] = set()
                    cands: list[Candidate] = []
                    todo = list(ramp.guesses)
                    for _ in range(8):  # the first guesses, then refined
                        for w in todo:
                            if w not in tried:
                                tried.add(w)
                                cands += self.family(name, t, v, n_min, offset, w, mode,
                                                     ramp.start)
                        todo = self._refined(cands, ramp) - tried
                        if not todo:
                            break

    def _refined(self, cands: list[Candidate], ramp: _Ramp) -> set[int]:
        """Warmup lengths at which the ramp meets the best candidates' main schedules."""
        out: set[int] = set()
        if ramp.slope is None:
            return out
        by_target: dict[str, list[Candidate]] = {}
        for c in sorted(cands, key=lambda c: c.max_rel):
            by_target.setdefault(c.run.get("warmup_target", "handover"), []).append(c)
        for c in (c for cs in by_target.values() for c in cs[:3]):  # the best few
            if c.max_rel > 1e-2:  # not near a fit: nothing to refine
                continue
            try:
                spec = _resolve(c.schedule, c.params, c.run)
                w = spec.warmup
                at = 0.0 if spec.warmup_mode == "prefix" or spec.warmup_target == "peak" \
                    else float(w)
                target = float(spec.entry.kernel(np.array([at]), spec.kernel_n,
                                                 **spec.kernel_params())[0])
            except (UsageError, ValueError, ZeroDivisionError):
                continue
            x = (target - ramp.start) / ramp.slope
            # The ramp meets the main schedule at x; when the target moves with W (an
            # overlay's handover value), the midpoint damps the back-and-forth.
            out |= _around(x, 1, spread=0) | _around((x + w) / 2, 1, spread=0)
        return out

    # results ------------------------------------------------------------------------
    def results(self) -> list[Candidate]:
        """Per family, the candidates that pass the first check (and the closest others),
        checked at every logged step; best first per family."""
        by_family: dict[str, list[Candidate]] = {}
        for c in self.found.values():
            by_family.setdefault(c.schedule, []).append(c)
        everything = len(self.screen) == len(self.v)
        out = []
        for cs in by_family.values():
            cs.sort(key=lambda c: c.max_rel)
            chosen = sorted((c for c in cs if c.max_rel <= self.tol),
                            key=lambda c: (c.offset != 0, _simplicity(c, self.tol),
                                           c.max_rel))[:KEEP]
            chosen += [c for c in cs if c.max_rel > self.tol][:2]
            for c in chosen:
                if not everything:
                    err = _error(c.schedule, c.params, c.run, self.t + c.offset, self.v,
                                 c.end)
                    c.max_rel = math.inf if err is None else err
            out += chosen
        return out


def identify(series: Series, top: int = 5,
             families: list[str] | None = None) -> tuple[list[Candidate], float]:
    """The best candidates for ``series`` (a log), best first, and the tolerance used."""
    t_all = series.steps.astype(np.int64)
    v_all = series.values.astype(np.float64)
    if len(v_all) < 3:
        raise UsageError(f"'{series.label}' has {len(v_all)} logged values; identify needs at "
                         "least 3")
    finder = _Finder(t_all, v_all, series.float32)
    tol = finder.tol
    names = families or list(FAMILIES)
    for offset in OFFSETS:
        if t_all[0] + offset >= 0:
            finder.fit(names, offset)
    cost = ROUNDING_COST_FLOAT32 if series.float32 else ROUNDING_COST_FLOAT64
    best: dict[str, Candidate] = {}
    pool = finder.results()
    for name in {c.schedule for c in pool}:
        cs = sorted((c for c in pool if c.schedule == name),
                    key=lambda c: (c.max_rel > tol, c.offset != 0, _simplicity(c, tol),
                                   c.max_rel))
        fitting = [c for c in cs if c.max_rel <= tol][:3]
        for c in fitting:  # the simplest spec of the best few, once rounded
            _finish(c, finder, cost)
        fitting = [c for c in fitting if c.max_rel <= tol]
        best[name] = (min(fitting, key=lambda c: (c.offset != 0, _simplicity(c, 0.0),
                                                  c.max_rel))
                      if fitting else cs[0])

    def key(c: Candidate) -> tuple:
        fits = c.max_rel <= tol
        return (not fits, SIMPLER.index(c.schedule) if fits else 0, c.offset != 0, c.max_rel,
                len(c.words))

    ranked = sorted(best.values(), key=key)[:top]
    for c in ranked:
        if c.end is not None and c.words[0] != "optax":
            _finish(c, finder, cost)
    return ranked, tol


def _simplicity(c: Candidate, rel: float) -> tuple[int, int]:
    """(characters, -trailing zeros) of the candidate's numbers, each float written with
    the fewest digits within ``rel`` of it (roughly what rounding will make of it): of two
    fits, the one with the shorter, rounder numbers is the likelier spec."""
    chars = zeros = 0
    for x in (*c.params.values(), *c.run.values()):
        if isinstance(x, bool) or x is None:
            continue
        if isinstance(x, float):
            if x == 0 or not math.isfinite(x):
                chars += 1
                continue
            for digits in range(1, 18):
                if abs(float(f"{x:.{digits}g}") - x) <= rel * abs(x):
                    break
            chars += digits
        elif isinstance(x, int):
            text = str(x)
            chars += len(text)
            zeros += len(text) - len(text.rstrip("0"))
        else:
            chars += len(str(x))
    if c.end is not None:
        chars += 40  # a held tail: a longer spec (an optax schedule), and rarer
    return chars, -zeros


def _finish(c: Candidate, finder: _Finder, cost: float) -> None:
    """Round the fitted numbers (see _round_params) and, for a held tail, write the optax
    schedule and check it as ``lrsched export`` computes it."""
    steps, values = finder.t + c.offset, finder.v
    budget = min(max(c.max_rel, 0.0) + cost, finder.tol)
    if not finder.f32:
        budget = min(max(c.max_rel, cost), finder.tol)
    _round_params(c, steps, values, budget, finder.screen)
    if c.end is not None:
        _tail_words(c, steps, values, budget)


def _round_params(c: Candidate, steps: np.ndarray, values: np.ndarray, budget: float,
                  screen: np.ndarray | None = None) -> None:
    """Each fitted float as the shortest decimal that keeps the largest error within
    ``budget``: what the fit had plus what the log's precision allows, no more
    (0.10000000149011612 from a float32 log becomes 0.1, 24.999999999999932 becomes 25).
    A shorter decimal is first checked at the screened points, then at every point."""
    for _ in range(3):  # again while a number got shorter (one may free another)
        changed = False
        for group in (c.params, c.run):
            for name, x in list(group.items()):
                if not isinstance(x, float) or x == 0 or not math.isfinite(x):
                    continue
                for digits in range(1, 17):
                    y = float(f"{x:.{digits}g}")
                    if y == x:
                        break
                    group[name] = y
                    if screen is not None and len(screen) < len(steps):
                        quick = _error(c.schedule, c.params, c.run, steps[screen],
                                       values[screen], c.end)
                        if quick is None or quick > budget:
                            group[name] = x
                            continue
                    err = _error(c.schedule, c.params, c.run, steps, values, c.end)
                    if err is not None and err <= budget:
                        c.max_rel = err
                        changed = True
                        break
                    group[name] = x
        if not changed:
            break
    c.words = _words(c.schedule, c.params, c.run)


# --------------------------------------------------------------------------------------
# Held tails, written as optax schedules.

def _tail_expr(c: Candidate, steps: np.ndarray, values: np.ndarray, budget: float) -> str:
    """The optax schedule of a decay that ends at step ``c.end`` and holds its value."""
    p, w = c.params, c.run.get("warmup", 0)
    start = c.run.get("warmup_start", 0.0)
    main_n = c.end - w if c.end is not None else 0
    f = _fmt

    def ramp(peak: float) -> str:
        return (f"optax.linear_schedule(init_value={f(float(start))}, end_value={f(peak)}, "
                f"transition_steps={w})")

    if c.schedule == "cosine":
        lo, hi = p["lr_min"], p["lr_max"]
        if w:
            return (f"warmup_cosine_decay_schedule(init_value={f(float(start))}, "
                    f"peak_value={f(hi)}, warmup_steps={w}, decay_steps={c.end}, "
                    f"end_value={f(lo)})")
        alpha = _short_alpha(lo, hi, main_n, steps, values, budget)
        return (f"cosine_decay_schedule(init_value={f(hi)}, decay_steps={main_n}, "
                f"alpha={f(alpha)})")
    if c.schedule == "polynomial":
        lr0 = p["initial_lr"]
        body = (f"polynomial_schedule(init_value={f(lr0)}, end_value=0.0, "
                f"power={f(p['power'])}, transition_steps={main_n})")
        if not w:
            return body
        return f"join_schedules(schedules=[{ramp(lr0)}, optax.{body}], boundaries=[{w}])"
    if c.schedule == "wsd":
        hi, lo, D = p["lr_max"], p["lr_min"], p["decay_steps"]
        if p["decay_shape"] == "linear":
            decay = (f"optax.linear_schedule(init_value={f(hi)}, end_value={f(lo)}, "
                     f"transition_steps={D})")
        elif p["decay_shape"] == "cosine":
            decay = (f"optax.cosine_decay_schedule(init_value={f(hi)}, decay_steps={D}, "
                     f"alpha={f(_shortest(lo / hi, budget / 4))})")
        else:
            raise ValueError("no optax schedule decays as 1 - sqrt")
        parts = ([ramp(hi)] if w else []) + [f"optax.constant_schedule(value={f(hi)})", decay]
        bounds = ([w] if w else []) + [w + main_n - D]
        return (f"join_schedules(schedules=[{', '.join(parts)}], "
                f"boundaries=[{', '.join(str(b) for b in bounds)}])")
    raise ValueError(f"{c.schedule} has no held tail")


def _shortest(x: float, rel: float) -> float:
    """The shortest decimal within ``rel`` (relative) of ``x``."""
    for digits in range(1, 18):
        y = float(f"{x:.{digits}g}")
        if abs(y - x) <= rel * abs(x):
            return y
    return x


def _short_alpha(lo: float, hi: float, n: int, steps: np.ndarray, values: np.ndarray,
                 budget: float) -> float:
    """The shortest decimal alpha for which optax's cosine_decay_schedule stays within
    ``budget`` of the log (its formula, in numpy, for the search)."""
    c = np.minimum(steps.astype(np.float64), float(n))
    cd = 0.5 * (1 + np.cos(np.pi * c / float(n)))
    exact = lo / hi
    for digits in range(1, 18):
        a = float(f"{exact:.{digits}g}")
        if _max_rel(hi * ((1 - a) * cd + a), values) <= budget:
            return a
    return exact


def optax_values(expr: str, steps: np.ndarray) -> np.ndarray:
    """An optax schedule's values at ``steps``, computed by lrsched's optax dialect (the
    function ``lrsched export optax EXPR`` evaluates at each step)."""
    from ..sources.dialects.optax import DIALECT, build

    f = build(DIALECT.parse(expr))
    return np.array([float(f(int(s))) for s in steps], dtype=np.float64)


def _tail_words(c: Candidate, steps: np.ndarray, values: np.ndarray, budget: float) -> None:
    try:
        expr = _tail_expr(c, steps, values, budget)
        got = optax_values(expr, steps)
    except (UsageError, ValueError, ZeroDivisionError, OverflowError):
        c.max_rel = math.inf
        return
    c.max_rel = _max_rel(got, values)
    c.words = ["optax", expr, "--steps", str(int(steps[-1]) + 1)]


def code_for(c: Candidate) -> dict[str, str]:
    """``lrsched code`` of a candidate, per framework that can express it."""
    if c.end is not None:  # a held tail: the optax schedule it is written as
        if c.words[0] != "optax":
            return {}
        return {"optax": (f"import optax\n\nschedule = optax.{c.words[1]}\n"
                          "optimizer = optax.sgd(learning_rate=schedule)  # or adamw, ...\n"
                          f"# the decay ends at step {c.end}; the schedule holds its value "
                          "after it\n")}
    from ..sources.codegen import emit

    spec = _resolve(c.schedule, c.params, c.run)
    out = {}
    for fw in ("torch", "hf", "optax", "keras"):
        try:
            text = emit(spec, fw).text
        except Exception:  # noqa: BLE001 - a framework that cannot express it is left out
            continue
        if len(text) <= 4000:  # not a table of every value (Keras's last resort)
            out[fw] = text
    return out
