"""``lrsched identify FILE``: name the schedule behind a log.

Each native family proposes parameters from the logged values by closed forms (levels and
their ratios for step decays, a log-linear fit for exponential decay, linear least squares in
(lr_min, lr_max) for cosine, ...) and a short discrete search over what a sparse log leaves
open (the exact step of a change between two logged steps, the run length when the last step
is not logged). Every candidate is then checked by lrsched itself: the spec is resolved and
evaluated exactly as ``lrsched export`` would, and its largest relative error at the logged
steps is what ranks it. No numerical optimiser is needed: every parameter of these families
is determined by such closed forms once the discrete choices are made.

A linear warmup (lrsched's prefix warmup) is detected from a rising start and fitted first.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compare import relative_difference
from .errors import UsageError
from .series import Series

Params = dict[str, Any]
MAX_GAP_SEARCH = 16  # candidates tried for a step a sparse log leaves open
FIT_TOL_FLOAT64 = 1e-9  # a fit: largest relative error at the logged steps (not
# logs.TOL_*, which bound |a - b| / peak when two series are compared)
FIT_TOL_FLOAT32 = 1e-6


@dataclass
class Candidate:
    schedule: str
    params: Params
    run: Params
    max_rel: float = math.inf
    words: list[str] = field(default_factory=list)
    offset: int = 0  # the spec reproduces the log's value at step s at step s + offset

    def spec_text(self) -> str:
        return shlex.join(self.words)


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
        flag = "--" + k.replace("_", "-")
        words += [flag] if v is True else [flag, _fmt(v)]
    return words


def _max_rel(model: np.ndarray, v: np.ndarray) -> float:
    out = float(relative_difference(model, v).max(initial=0.0))
    return out if math.isfinite(out) else math.inf


def evaluate_at(schedule: str, params: Params, run: Params, steps: np.ndarray) -> np.ndarray:
    """The values lrsched gives for this spec at ``steps`` (as ``export`` computes them)."""
    from .compose import schedule_range
    from .registry import resolve

    spec = resolve(schedule, {**params, **run})
    full = schedule_range(spec, 0, spec.n)
    return full[steps]


# --------------------------------------------------------------------------------------
# Helpers for the families.

def _levels(t: np.ndarray, v: np.ndarray, rtol: float) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """Piecewise-constant reading: (level values, first logged step of each level, last
    logged step before it)."""
    scale = np.maximum(np.abs(v[1:]), np.abs(v[:-1]))
    change = np.flatnonzero(np.abs(np.diff(v)) > rtol * np.maximum(scale, 1e-300)) + 1
    starts = np.concatenate(([0], change))
    return v[starts], t[starts], np.concatenate(([t[0] - 1], t[change - 1]))


def _between(lo: float, hi: float) -> Iterator[int]:
    """Whole steps in (lo, hi], nearest to hi first, at most MAX_GAP_SEARCH."""
    k = int(hi)
    while k > lo and int(hi) - k < MAX_GAP_SEARCH:
        yield k
        k -= 1


def _lstsq(columns: list[np.ndarray], v: np.ndarray) -> np.ndarray:
    """Least squares in relative terms (rows weighted 1/|v|): what ``max_rel`` measures."""
    a = np.column_stack(columns)
    pos = np.abs(v) > 0
    w = np.where(pos, 1 / np.where(pos, np.abs(v), 1), 1 / max(float(np.abs(v).max()), 1e-300))
    return np.linalg.lstsq(a * w[:, None], v * w, rcond=None)[0]


# --------------------------------------------------------------------------------------
# The families: (t, v, n) -> candidate parameter sets; t counts from the main schedule's
# start, n is its length.

def _constant(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    out: list[Params] = [{"initial_lr": float(np.median(v))}]
    levels, firsts, lasts = _levels(t, v, rtol)
    if len(levels) == 2 and levels[0] < levels[1]:  # ConstantLR(factor, total_iters)
        for T in _between(lasts[1], firsts[1]):
            out.append({"initial_lr": float(levels[1]), "factor": float(levels[0] / levels[1]),
                        "total_iters": T})
    return out


def _step(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    levels, firsts, lasts = _levels(t, v, rtol)
    if len(levels) < 2 or levels[0] <= 0:
        return []
    gamma = float(levels[1] / levels[0])
    out = []
    for c in _between(lasts[1], firsts[1]):
        out.append({"initial_lr": float(levels[0]), "decay_factor": gamma, "step_size": c,
                    "timing": "torch"})
        out.append({"initial_lr": float(levels[0]), "decay_factor": gamma,
                    "step_size": c + 1, "timing": "document"})
    return out


def _multistep(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    levels, firsts, _ = _levels(t, v, rtol)
    if len(levels) < 2 or levels[0] <= 0:
        return []
    gamma = float(levels[1] / levels[0])
    return [{"initial_lr": float(levels[0]), "gamma": gamma,
             "milestones": ",".join(str(int(x)) for x in firsts[1:])}]


def _exponential(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    if (v <= 0).any() or len(v) < 2:
        return []
    slope, icpt = np.polyfit(t, np.log(v), 1)
    lr0 = float(v[0]) if t[0] == 0 else float(math.exp(icpt))
    k = -float(slope)
    if t[-1] > t[0]:  # the two ends, exactly
        k = -math.log(v[-1] / v[0]) / float(t[-1] - t[0])
    return [{"initial_lr": lr0, "decay_rate": k}] if k >= 0 else []


def _cosine(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    c = (1 + np.cos(t / n * np.pi)) / 2
    lo, hi = _lstsq([1 - c, c], v)
    if t[0] == 0:
        hi = float(v[0])
    lo = _zero_if_tiny(lo, hi)
    if not 0 <= lo <= hi:
        return []
    return [{"lr_max": float(hi), "lr_min": float(lo)}]


def _zero_if_tiny(lo: float, hi: float) -> float:
    """A fitted floor within rounding of 0 is 0 (float32 logs of schedules that reach 0)."""
    return 0.0 if abs(lo) <= 1e-6 * abs(hi) else float(lo)


def _linear(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    out = []
    flat_from = len(v) - 1  # the flat tail: where the values stop changing
    while flat_from > 0 and abs(v[flat_from - 1] - v[-1]) <= rtol * abs(v[-1]):
        flat_from -= 1
    ends = [n] if flat_from >= len(v) - 1 else list(_between(t[flat_from - 1],
                                                             t[flat_from]))
    for T in ends:
        if T <= 0:
            continue
        a, b = _lstsq([np.ones_like(t), np.minimum(t, T)], v)
        if t[0] == 0:
            a = float(v[0])
        end = a + b * T
        lr0 = max(abs(a), abs(end))
        end = _zero_if_tiny(end, lr0)
        if lr0 <= 0:
            continue
        out.append({"initial_lr": float(lr0), "start_factor": float(a / lr0),
                    "end_factor": float(end / lr0), "total_iters": int(T)})
    return out


def _polynomial(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    if t[0] != 0 or v[0] <= 0:
        return []
    ok = (v > 0) & (t > 0) & (t < n)
    if ok.sum() < 1:
        return []
    x = np.log1p(-t[ok] / n)
    y = np.log(v[ok] / v[0])
    power = float(np.sum(x * y) / np.sum(x * x))
    return [{"initial_lr": float(v[0]), "power": power}] if power > 0 else []


def _inverse_sqrt(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    lr0 = float(v.max())
    below = (v < lr0 * (1 - 10 * rtol)) & (t > 0)
    if not below.any():
        return []
    tau = float(np.median(t[below] * (v[below] / lr0) ** 2))
    return [{"initial_lr": lr0, "timescale": k} for k in {max(1, math.floor(tau)),
                                                          max(1, math.ceil(tau))}]


def _wsd(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    peak = float(v.max())
    flat = np.flatnonzero(v >= peak * (1 - rtol))
    last_flat = int(flat[-1])
    if last_flat >= len(v) - 1:
        return []
    out = []
    lo_start, hi_start = int(t[last_flat]), int(t[last_flat + 1]) - 1
    for start in range(lo_start, min(hi_start, lo_start + MAX_GAP_SEARCH) + 1):
        d = n - start
        if d <= 0:
            continue
        p = np.clip((t - start) / d, 0, None)
        for shape, f in (("linear", 1 - p), ("cosine", (1 + np.cos(np.pi * p)) / 2),
                         ("1-sqrt", 1 - np.sqrt(p))):
            if np.allclose(f, 1):
                continue
            lo, hi = _lstsq([1 - f, f], v)  # linear in (lr_min, lr_max)
            lo = _zero_if_tiny(lo, hi)
            if 0 <= lo <= hi:
                out.append({"lr_max": float(hi), "lr_min": lo, "decay_steps": int(d),
                            "decay_shape": shape})
    return out


def _one_cycle(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    """Given the peak's step e1 (= pct_start * N - 1) and the strategy, the values are linear
    in (initial, max_lr, end): phase 1 anneals initial -> max over [0, e1], phase 2 max -> end
    over [e1, N - 1]."""
    if t[0] != 0 or v[0] <= 0:
        return []
    k = int(np.argmax(v))
    if k == 0 or k == len(v) - 1:
        return []
    out = []
    tops = set(_between(t[k - 1], t[k])) | set(range(int(t[k]), min(int(t[k + 1]),
                                                                     int(t[k]) + MAX_GAP_SEARCH)))
    for top in sorted(tops):
        if not 0 < top < n - 1:
            continue
        one = t <= top
        p1 = np.where(one, t / top, 0.0)
        p2 = np.where(one, 0.0, (t - top) / ((n - 1) - top))
        for strategy in ("cos", "linear"):
            if strategy == "cos":
                c1, c2 = (np.cos(np.pi * p1) + 1) / 2, (np.cos(np.pi * p2) + 1) / 2
            else:
                c1, c2 = 1 - p1, 1 - p2
            col_init = np.where(one, c1, 0.0)
            col_max = np.where(one, 1 - c1, c2)
            col_end = np.where(one, 0.0, 1 - c2)
            init, peak, end = _lstsq([col_init, col_max, col_end], v)
            if not (0 < init < peak and end > 0):
                continue
            out.append({"max_lr": float(peak), "pct_start": (top + 1) / n,
                        "anneal_strategy": strategy, "div_factor": float(peak / init),
                        "final_div_factor": float(init / end)})
    return out


def _cyclic(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    """Given the rise and fall lengths and the mode, the values are linear in
    (lr_min, lr_max); the rise ends near the first logged maximum."""
    if t[0] != 0 or len(v) < 3:
        return []
    falls = np.flatnonzero(np.diff(v) < 0)
    k = int(falls[0]) if len(falls) else len(v) - 1  # the first cycle's logged top
    if k == 0:
        return []
    lo_up = int(t[k - 1]) + 1
    hi_up = int(t[k + 1]) - 1 if k + 1 < len(t) else int(t[k])
    ups = range(lo_up, min(hi_up, lo_up + MAX_GAP_SEARCH) + 1)
    out = []
    for up in ups:
        for down in {up, *(d - up for d in _next_min_steps(t, v, k))}:
            if down <= 0:
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
                    out.append(p)
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


def _sgdr(t: np.ndarray, v: np.ndarray, n: int, rtol: float) -> list[Params]:
    rises = np.flatnonzero(np.diff(v) > rtol * np.abs(v[1:])) + 1
    if not len(rises) or t[0] != 0:
        return []
    out = []
    for t0 in list(_between(t[rises[0] - 1], t[rises[0]]))[:4]:
        mults = {1}
        if len(rises) > 1:
            mults |= {max(1, round((t[rises[1]] - t0) / t0)), 2}
        for tm in sorted(mults):
            # position within the current cycle, then (lr_min, lr_max) by least squares
            if tm == 1:
                cur, length = t % t0, np.full_like(t, float(t0))
            else:
                c = np.floor(np.log(t / t0 * (tm - 1) + 1) / np.log(tm))
                start = t0 * (tm ** c - 1) / (tm - 1)
                cur, length = t - start, t0 * tm ** c
            w = (1 + np.cos(np.pi * cur / length)) / 2
            lo, hi = _lstsq([1 - w, w], v)
            lo = _zero_if_tiny(lo, hi)
            if 0 <= lo < hi:
                out.append({"t0": int(t0), "t_mult": int(tm), "lr_min": float(lo),
                            "lr_max": float(v[0])})
    return out


FAMILIES: dict[str, Callable[[np.ndarray, np.ndarray, int, float], list[Params]]] = {
    "constant": _constant, "step": _step, "multistep": _multistep,
    "exponential": _exponential, "cosine": _cosine, "linear": _linear,
    "polynomial": _polynomial, "inverse-sqrt": _inverse_sqrt, "one-cycle": _one_cycle,
    "cyclic": _cyclic, "sgdr": _sgdr, "wsd": _wsd,
}
SIMPLER = ["constant", "exponential", "step", "cosine", "linear", "polynomial",
           "inverse-sqrt", "multistep", "wsd", "sgdr", "one-cycle", "cyclic"]
RISING = {"one-cycle", "cyclic"}  # rise by themselves: no separate warmup


def _warmups(t: np.ndarray, v: np.ndarray, rtol: float) -> list[tuple[int, float]]:
    """(W, start) of a linear prefix warmup the log's rising start suggests: W from the
    ramp's slope, or any step between the logged points around the first top; the start is
    the value at step 0 (or, when step 0 is not logged, 0 or the ramp extrapolated)."""
    k = int(np.argmax(v >= v.max() * (1 - rtol)))
    if k == 0 or len(v) < 2 or not v[1] > v[0]:
        return []
    starts = {float(v[0])} if t[0] == 0 else {0.0}
    cands: set[int] = set()
    if k >= 2:
        slope = (float(v[1]) - float(v[0])) / float(t[1] - t[0])
        if slope > 0:
            start = float(v[0]) - slope * float(t[0])
            if t[0] != 0:
                starts.add(_zero_if_tiny(start, float(v[k])))
            w = (float(v[k]) - start) / slope
            cands |= {max(1, math.floor(w)), max(1, math.ceil(w))}
    hi = int(t[k + 1]) - 1 if k + 1 < len(t) else int(t[k])
    lo = int(t[k - 1]) + 1
    cands |= set(range(lo, min(hi, lo + MAX_GAP_SEARCH) + 1))
    return [(int(w), st) for w in sorted(cands) for st in sorted(starts)
            if 0 < w < t[-1] + 1]


def run_lengths(t: np.ndarray) -> list[int]:
    """Run lengths a log allows: its last step + 1, or a little more when it is sparse."""
    last = int(t[-1])
    gap = int(np.median(np.diff(t))) if len(t) > 1 else 1
    return [last + 1 + k for k in range(max(1, min(gap, MAX_GAP_SEARCH)))]


def identify(series: Series, top: int = 5,
             families: list[str] | None = None) -> tuple[list[Candidate], float]:
    """The best candidates for ``series`` (a log), best first, and the tolerance used."""
    t_all = series.steps.astype(np.int64)
    v_all = series.values.astype(np.float64)
    if len(v_all) < 3:
        raise UsageError(f"'{series.label}' has {len(v_all)} logged values; identify needs at "
                         "least 3")
    f32 = series.float32
    tol = FIT_TOL_FLOAT32 if f32 else FIT_TOL_FLOAT64
    rtol = 1e-6 if f32 else 1e-12
    names = families or list(FAMILIES)
    found: dict[str, Candidate] = {}
    for offset in OFFSETS:  # the log's step may count updates done (-1), or the next (+1)
        if t_all[0] + offset < 0:
            continue
        _fit(found, names, t_all + offset, v_all, rtol, offset)

    def key(c: Candidate) -> tuple:
        fits = c.max_rel <= tol
        return (not fits, SIMPLER.index(c.schedule) if fits else 0, c.offset != 0, c.max_rel,
                len(c.words))

    ranked, seen = [], set()
    for c in sorted(found.values(), key=key):  # the best of each family
        if c.schedule not in seen:
            seen.add(c.schedule)
            ranked.append(c)
    for c in ranked[:top]:
        if c.max_rel <= tol:  # float64 logs: rounding may not cost more than rounding error
            _round_params(c, t_all + c.offset, v_all,
                          tol if f32 else max(1e-13, c.max_rel))
    return ranked[:top], tol


def _round_params(c: Candidate, steps: np.ndarray, values: np.ndarray, tol: float) -> None:
    """Each fitted float as the shortest decimal that keeps the error within ``tol``
    (0.10000000149011612 from a float32 log becomes 0.1, 24.999999999999932 becomes 25)."""
    for group in (c.params, c.run):
        for name, x in list(group.items()):
            if not isinstance(x, float) or x == 0 or not math.isfinite(x):
                continue
            for digits in range(1, 17):
                y = float(f"{x:.{digits}g}")
                if y == x:
                    break
                group[name] = y
                err = _error(c.schedule, c.params, c.run, steps, values)
                if err is not None and err <= tol:
                    c.max_rel = err
                    break
                group[name] = x
    c.words = _words(c.schedule, c.params, c.run)


OFFSETS = (0, -1, 1)


def _fit(found: dict[str, Candidate], names: list[str], t_all: np.ndarray, v_all: np.ndarray,
         rtol: float, offset: int) -> None:
    options: list[tuple[int, float]] = [(0, 0.0), *_warmups(t_all, v_all, rtol)]
    for n_total in run_lengths(t_all):
        for name in names:
            for w, start in options:
                if w and name in RISING:
                    continue
                main = t_all >= w
                if main.sum() < 2 or n_total - w < 2:
                    continue
                t = (t_all[main] - w).astype(np.float64)
                try:
                    proposals = FAMILIES[name](t, v_all[main], n_total - w, rtol)
                except (ValueError, ZeroDivisionError, FloatingPointError,
                        np.linalg.LinAlgError):
                    continue
                for params in proposals:
                    run: Params = {"steps": n_total, "warmup": w}
                    if w:
                        run["warmup_start"] = start
                    _score(found, name, params, run, t_all, v_all, offset)


def _error(name: str, params: Params, run: Params, steps: np.ndarray,
           values: np.ndarray) -> float | None:
    """The spec's largest relative error at ``steps``; None when lrsched refuses it."""
    import warnings

    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _max_rel(evaluate_at(name, params, run, steps), values)
    except (UsageError, ValueError, IndexError, OverflowError, ZeroDivisionError):
        return None


def _score(found: dict[str, Candidate], name: str, params: Params, run: Params,
           steps: np.ndarray, values: np.ndarray, offset: int = 0) -> None:
    err = _error(name, params, run, steps, values)
    if err is None:
        return
    words = _words(name, params, run)
    key = f"{shlex.join(words)} @{offset}"
    if key not in found:
        found[key] = Candidate(name, params, run, err, words, offset)


def code_for(c: Candidate) -> dict[str, str]:
    """``lrsched code`` of a candidate, per framework that can express it."""
    from .codegen import emit
    from .registry import resolve

    spec = resolve(c.schedule, {**c.params, **c.run})
    out = {}
    for fw in ("torch", "hf", "optax", "keras"):
        try:
            text = emit(spec, fw).text
        except Exception:  # noqa: BLE001 - a framework that cannot express it is left out
            continue
        if len(text) <= 4000:  # not a table of every value (Keras's last resort)
            out[fw] = text
    return out
