"""Where two series differ: the comparison maths behind ``compare`` and ``identify``.

:func:`difference` compares two series on their common steps (bit for bit between
schedules, within a log's precision against a log; streamed for long schedules) and, for a
log, :func:`find_shift` finds the -2..2 step shift under which they agree. No Typer, rich
or matplotlib: the sentence that reports it is :func:`lrsched_cli.render.view.difference_report`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..series import Series

TOL_FLOAT64 = 1e-12  # |a - b| <= tol * peak: closed forms vs torch's recursions (~1e-15)
TOL_FLOAT32 = 1e-6  # float32 storage (2^-24 relative) and float32 arithmetic (Keras)


def tolerance_for(a: Series, b: Series) -> float:
    """|x - y| <= tolerance * peak: 1e-6 when either is a float32 log, else 1e-12 for a log,
    0 (bit for bit) between two schedules."""
    if a.float32 or b.float32:
        return TOL_FLOAT32
    if a.is_log or b.is_log:
        return TOL_FLOAT64
    return 0.0


@dataclass(frozen=True)
class Difference:
    """How two series differ over the steps they share (within ``tolerance`` x peak)."""

    identical: bool
    common: int
    first_step: int | None = None
    first_a: float = 0.0
    first_b: float = 0.0
    max_abs: float = 0.0
    max_abs_step: int | None = None
    max_rel: float = 0.0
    max_rel_step: int | None = None
    tolerance: float = 0.0
    shift: int | None = None  # the log at step s equals the other at s + shift

    def as_json(self) -> dict:
        return {"identical": self.identical, "shift": self.shift, "tolerance": self.tolerance,
                "first_difference": self.first_step, "max_abs": self.max_abs,
                "max_rel": self.max_rel}


SHIFTS = (-1, 1, -2, 2)


def _differs(va: np.ndarray, vb: np.ndarray, tol: float) -> np.ndarray:
    if tol == 0:
        return va != vb
    peak = max(float(np.abs(va).max(initial=0)), float(np.abs(vb).max(initial=0)))
    return np.abs(va - vb) > tol * peak


def relative_difference(va: np.ndarray, vb: np.ndarray) -> np.ndarray:
    """``|a - b| / max(|a|, |b|)`` at each point (0 where both are 0)."""
    scale = np.maximum(np.abs(va), np.abs(vb))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, np.abs(va - vb) / scale, 0.0)


def _common(a: Series, b: Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(common steps, a's values there, b's values there) where one is sparse (a log)."""
    if a.contiguous and b.contiguous:
        lo, hi = max(a.start, b.start), min(a.stop, b.stop)
        common = np.arange(lo, max(lo, hi), dtype=np.int64)
    elif a.contiguous:
        common = b.steps[(b.steps >= a.start) & (b.steps < a.stop)]
    elif b.contiguous:
        common = a.steps[(a.steps >= b.start) & (a.steps < b.stop)]
    else:
        common = np.intersect1d(a.steps, b.steps, assume_unique=True)
    return common, a.values_at(common), b.values_at(common)


def difference(a: Series, b: Series, tolerance: float | None = None) -> Difference:
    """Compare ``a`` and ``b`` on their common steps.

    Identical: no value differs by more than ``tolerance`` times the peak (0: bit for bit),
    and the steps match (a log: every logged step is compared). Relative difference at a
    step: ``|a - b| / max(|a|, |b|)`` (0 where both are 0). When a log differs, the shifts
    -2..2 are tried: ``shift`` k says the log at step s equals the other at s + k. Two
    contiguous schedules compared bit for bit are streamed, a chunk at a time.
    """
    tol = tolerance_for(a, b) if tolerance is None else tolerance
    if tol == 0 and a.contiguous and b.contiguous:
        return _streamed_difference(a, b)
    common, va, vb = _common(a, b)
    if a.is_log or b.is_log:
        log = a if a.is_log else b
        same_steps = len(common) == len(log)
    else:
        same_steps = len(a) == len(b) == len(common)
    differs = _differs(va, vb, tol)
    if not differs.any():
        return Difference(identical=same_steps and len(common) > 0, common=len(common),
                          tolerance=tol)
    first = int(np.flatnonzero(differs)[0])
    diff = np.abs(va - vb)
    rel = relative_difference(va, vb)
    k_abs, k_rel = int(np.argmax(diff)), int(np.argmax(rel))
    return Difference(
        identical=False, common=len(common), first_step=int(common[first]),
        first_a=float(va[first]), first_b=float(vb[first]),
        max_abs=float(diff[k_abs]), max_abs_step=int(common[k_abs]),
        max_rel=float(rel[k_rel]), max_rel_step=int(common[k_rel]), tolerance=tol,
        shift=find_shift(a, b, tol),
    )


def _streamed_difference(a: Series, b: Series) -> Difference:
    """:func:`difference` of two contiguous schedules, bit for bit, one chunk at a time."""
    from ..series import lockstep

    lo, hi = max(a.start, b.start), min(a.stop, b.stop)
    common = max(0, hi - lo)
    same_steps = len(a) == len(b) == common
    first = None
    best_abs = (0.0, None)
    best_rel = (0.0, None)
    if common:
        for steps, (va, vb) in lockstep([a.window(lo, hi), b.window(lo, hi)], 1 << 18):
            differs = va != vb
            if not differs.any():
                continue
            if first is None:
                k = int(np.flatnonzero(differs)[0])
                first = (int(steps[k]), float(va[k]), float(vb[k]))
            diff = np.abs(va - vb)
            rel = relative_difference(va, vb)
            k_abs, k_rel = int(np.argmax(diff)), int(np.argmax(rel))
            if best_abs[1] is None or diff[k_abs] > best_abs[0]:
                best_abs = (float(diff[k_abs]), int(steps[k_abs]))
            if best_rel[1] is None or rel[k_rel] > best_rel[0]:
                best_rel = (float(rel[k_rel]), int(steps[k_rel]))
    if first is None:
        return Difference(identical=same_steps and common > 0, common=common, tolerance=0.0)
    return Difference(identical=False, common=common, first_step=first[0], first_a=first[1],
                      first_b=first[2], max_abs=best_abs[0], max_abs_step=best_abs[1],
                      max_rel=best_rel[0], max_rel_step=best_rel[1], tolerance=0.0)


def find_shift(a: Series, b: Series, tol: float) -> int | None:
    """The k in -2..2 (nearest first) for which the log's value at each logged step s equals
    the other's at s + k, or None (also when neither is a log)."""
    if b.is_log and not a.is_log:
        a, b = b, a
    elif not a.is_log:
        return None
    for k in SHIFTS:
        shifted = a.steps + k
        if b.contiguous:
            ok = (shifted >= b.start) & (shifted < b.stop)
            ia, common = np.flatnonzero(ok), shifted[ok]
            vb = b.values_at(common)
        else:
            common, ia, ib = np.intersect1d(shifted, b.steps, assume_unique=True,
                                            return_indices=True)
            vb = b.values[ib]
        if len(common) < max(2, len(a) - abs(k)):
            continue
        if not _differs(a.values[ia], vb, tol).any():
            return k
    return None


SHIFT_MEANING = {
    -1: "the log's step counts updates done",
    1: "the log holds the next update's rate, read after scheduler.step()",
}


