"""The search: every family fitted at each step offset, bare and after each linear warmup
(prefix or overlay) the log's rising start suggests, its length refined from the fitted
main schedule; candidates first checked at about SEARCH_POINTS of the logged points, those
that pass then at every logged step.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports render or commands.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...errors import UsageError
from .candidate import Candidate, Params, Proposal, _words
from .decays import (
    _constant,
    _cosine,
    _exponential,
    _inverse_sqrt,
    _linear,
    _multistep,
    _polynomial,
    _step,
)
from .evaluate import _error, _resolve
from .fitting import MAX_GAP_SEARCH, _around, _Data, _line, _lstsq, _zero_if_tiny
from .phases import _cyclic, _one_cycle, _sgdr, _wsd
from .rounding import _simplicity

SEARCH_POINTS = 2048  # logged points the searches and the first check use
KEEP = 6  # candidates per family checked at every logged step
FIT_TOL_FLOAT64 = 1e-9  # a fit: largest relative error at the logged steps (not
# difference.TOL_*, which bound |a - b| / peak when two series are compared)
FIT_TOL_FLOAT32 = 1e-6
OFFSETS = (0, -1, 1)  # the log's step may count updates done (-1), or the next (+1)

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
