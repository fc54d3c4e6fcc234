"""The fast path of torch's recursive schedulers, and of ChainedScheduler and SequentialLR of
them: the tape of the updates they make to the lr (:class:`_Tape`), computed with numpy a
chunk at a time and applied in torch's order (products with np.multiply.accumulate, left to
right as torch's loop; anything else one by one). Where it meets what only torch's machinery
says right it raises :class:`_UseReplay` and the package replays the machinery instead.

Imports only the dialects' ``arith``, ``base``, ``expr`` and this package's ``build``,
``composites`` and ``schedulers``: never the rest of ``lrsched_cli.sources``, never typer,
click, rich, plotext or matplotlib (not even inside a function); numpy only inside
functions.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np

    from ..base import Ctx
    from ..expr import Call


from ..arith import cos, plain, ppow
from ..base import FAILURES, step_error
from .build import _build
from .composites import ChainedScheduler, SequentialLR
from .schedulers import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    Group,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    Sched,
    StepLR,
)


class _UseReplay(Exception):
    """A tape met what only torch's own machinery says right (an error without its step)."""


# --------------------------------------------------------------------------------------
# The tape: torch's recursive schedulers as the sequence of updates they make to the lr.
#
# Each step() of a recursive scheduler does one thing to the optimizer's lr, a function of t
# alone: multiply it (StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR,
# MultiplicativeLR, and CosineAnnealingLR with eta_min 0), add to it (CosineAnnealingLR's
# branch at T_max + 1), set it (LambdaLR; a SequentialLR milestone) or the affine update of
# CosineAnnealingLR with eta_min. Those updates, for a chunk of steps, are computed with numpy
# (each leaf's ``ops``), then applied in order: products with np.multiply.accumulate, which
# multiplies left to right exactly as the loop does; anything else one by one in Python.

MUL, MULC, SET, ADD, AFF = 0, 1, 2, 3, 4  # MULC: x * r + 0.0 (CosineAnnealingLR, eta_min 0)


def _ops_step(leaf: Sched, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kind, v, w) of ``leaf.step()`` at its ``last_epoch`` values ``t`` (all >= 1)."""
    import numpy as np

    one = np.ones(len(t), dtype=np.float64)
    kind = np.zeros(len(t), dtype=np.int8)
    w = np.zeros(len(t), dtype=np.float64)
    if type(leaf) is StepLR:
        v = np.where(np.mod(t, leaf.step_size) == 0, float(leaf.gamma), 1.0)
    elif type(leaf) is MultiStepLR:
        keys, factors = leaf.tape_factors  # type: ignore[attr-defined]
        v = one
        if len(keys):
            i = np.minimum(np.searchsorted(keys, t), len(keys) - 1)
            hit = keys[i] == t
            v = np.where(hit, factors[i], 1.0)
    elif type(leaf) is ExponentialLR:
        v = one * float(leaf.gamma)
    elif type(leaf) is ConstantLR:
        hit = t == leaf.total_iters
        v = one
        if hit.any():
            v = np.where(hit, 1.0 / leaf.factor, 1.0)
    elif type(leaf) is LinearLR:
        v = one.copy()
        m = t <= leaf.total_iters
        if m.any():
            d = leaf.total_iters * leaf.sf + (t[m] - 1).astype(np.float64) * (leaf.ef - leaf.sf)
            v[m] = 1.0 + (leaf.ef - leaf.sf) / d
    elif type(leaf) is PolynomialLR:
        v = one.copy()
        m = t <= leaf.total_iters
        if m.any():
            T = leaf.total_iters
            tm = t[m].astype(np.float64)
            v[m] = ppow((1.0 - tm / T) / (1.0 - (tm - 1) / T), leaf.power)
    elif type(leaf) is CosineAnnealingLR:
        T, em = leaf.T_max, leaf.eta_min
        at = np.mod(t - 1 - T, 2 * T) == 0
        c = cos(np.pi * np.arange(t[0] - 1, t[-1] + 1, dtype=np.float64) / T)
        j = t - (t[0] - 1)
        v = np.empty(len(t), dtype=np.float64)
        rest = ~at
        v[rest] = (1 + c[j[rest]]) / (1 + c[j[rest] - 1])
        if at.any():
            v[at] = (leaf.base_lr - em) * (1 - math.cos(math.pi / T)) / 2
        kind[:] = MULC if em == 0 and math.copysign(1.0, em) > 0 else AFF
        kind[at] = ADD
        w[:] = em
    elif type(leaf) is MultiplicativeLR:
        v = np.array([float(leaf.f(x)) for x in t.tolist()], dtype=np.float64)
    elif type(leaf) is LambdaLR:
        b = leaf.base_lr
        v = np.array([float(b * leaf.f(x)) for x in t.tolist()], dtype=np.float64)
        kind[:] = SET
    else:  # pragma: no cover - _Tape.of admits no other leaf
        raise AssertionError(type(leaf).__name__)
    return kind, v, w


def _op_zero(leaf: Sched) -> tuple[int, float, float]:
    """The update of ``leaf._update_lr(0)`` (a SequentialLR milestone): its closed form at 0,
    or its get_lr() at 0 where it has none."""
    leaf.last_epoch = 0
    if leaf.has_closed_form:
        return SET, float(leaf.closed_form()), 0.0
    if type(leaf) is MultiplicativeLR:
        return MUL, float(leaf.f(0)), 0.0
    return SET, float(leaf.base_lr * leaf.f(0)), 0.0  # LambdaLR


_LEAVES = (StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR,
           CosineAnnealingLR, MultiplicativeLR, LambdaLR)


def _tape_leaf(s: Sched) -> bool:
    """A recursive scheduler with plain-number arguments (others are replayed)."""
    import numpy as np

    if type(s) not in _LEAVES or not plain(s.base_lr):
        return False
    if type(s) is StepLR:
        return plain(s.step_size, s.gamma) and s.step_size != 0
    if type(s) is MultiStepLR:
        if not plain(s.gamma):
            return False
        keys, factors = [], []
        for k, count in sorted(((int(k), c) for k, c in s.milestones.items()
                                if isinstance(k, (int, float)) and math.isfinite(k)
                                and k == int(k) and 0 <= k < 1 << 62)):
            try:
                factors.append(float(s.gamma ** count))
            except FAILURES:
                return False
            keys.append(k)
        s.tape_factors = (np.array(keys, dtype=np.int64),  # type: ignore[attr-defined]
                          np.array(factors, dtype=np.float64))
        return True
    if type(s) is ExponentialLR:
        return plain(s.gamma)
    if type(s) is ConstantLR:
        return plain(s.factor, s.total_iters)
    if type(s) is LinearLR:
        return plain(s.sf, s.ef, s.total_iters)
    if type(s) is PolynomialLR:
        return plain(s.total_iters, s.power)
    if type(s) is CosineAnnealingLR:
        return plain(s.T_max, s.eta_min) and s.T_max != 0 and math.isfinite(s.T_max)
    return True  # LambdaLR, MultiplicativeLR


class _Tape:
    """A recursive scheduler, or a ChainedScheduler or SequentialLR of them, as its updates."""

    def __init__(self, call: Call, root: Sched, lr0: float) -> None:
        self.call, self.root, self.lr0 = call, root, lr0
        self.what = f"{call.name}(...)"
        if isinstance(root, ChainedScheduler):
            self.leaves = list(root.schedulers)
        elif isinstance(root, SequentialLR):
            self.leaves = list(root.schedulers)
            self.ms = [m for m in root.milestones]
            self.first = bisect_right(self.ms, 0)
        else:
            self.leaves = [root]

    @staticmethod
    def of(call: Call, ctx: Ctx) -> _Tape | None:
        group = Group(lr=ctx.base_lr)
        root = _build(call, group)
        lr0 = group["lr"]
        if type(lr0) is not float:
            return None
        if isinstance(root, (ChainedScheduler, SequentialLR)):
            kids = root.schedulers
            if not all(_tape_leaf(k) for k in kids):
                return None
            if isinstance(root, SequentialLR):
                ms = root.milestones
                if not all(plain(m) for m in ms) or any(a > b for a, b in zip(ms, ms[1:])):
                    return None  # (unsorted milestones: bisect's answers, replayed)
        elif not _tape_leaf(root):
            return None
        return _Tape(call, root, lr0)

    def fresh(self) -> Callable[[int], np.ndarray]:
        import numpy as np

        state = {"pos": 0, "x": self.lr0}

        def take(k: int) -> np.ndarray:
            out = np.empty(k, dtype=np.float64)
            pos, done = state["pos"], 0
            if pos == 0 and k:
                out[0] = self.lr0
                pos, done = 1, 1
            while done < k:
                m = min(k - done, 1 << 16)
                vals, state["x"] = self.values(pos, pos + m, state["x"])
                out[done:done + m] = vals
                pos += m
                done += m
            state["pos"] = pos
            return out
        return take

    def values(self, T0: int, T1: int, x: float) -> tuple[np.ndarray, float]:
        """lr after steps T0..T1-1 (global, T0 >= 1), from ``x``, the lr after step T0 - 1."""
        import numpy as np

        kind, v, w, k = self.ops(T0, T1)
        with np.errstate(all="ignore"):  # torch's float arithmetic raises on none of these
            out, x = _apply(x, kind, v, w)
        return out[k - 1::k], x

    def ops(self, T0: int, T1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        import numpy as np

        T = np.arange(T0, T1, dtype=np.int64)
        if isinstance(self.root, ChainedScheduler):
            parts = [self.leaf_ops(leaf, T, T) for leaf in self.leaves]
            k = len(parts)
            return (np.stack([p[0] for p in parts], 1).ravel(),
                    np.stack([p[1] for p in parts], 1).ravel(),
                    np.stack([p[2] for p in parts], 1).ravel(), k)
        if not isinstance(self.root, SequentialLR):
            kind, v, w = self.leaf_ops(self.root, T, T)
            return kind, v, w, 1
        ms = np.array(self.ms, dtype=np.float64)
        idx = np.searchsorted(ms, T, side="right") if len(ms) else np.zeros(len(T), np.int64)
        kind = np.empty(len(T), dtype=np.int8)
        v = np.empty(len(T), dtype=np.float64)
        w = np.empty(len(T), dtype=np.float64)
        for j in np.unique(idx).tolist():
            here = np.flatnonzero(idx == j)
            leaf = self.leaves[j]
            begin = self.ms[j - 1] if j > self.first else 0
            local = T[here] - int(begin)
            zero = local == 0
            if zero.any():  # the milestone: child._update_lr(0)
                i = int(here[np.flatnonzero(zero)[0]])
                try:
                    kind[i], v[i], w[i] = _op_zero(leaf)
                except FAILURES as e:
                    raise step_error(self.what, int(T[i]), e) from None
            rest = here[~zero]
            if len(rest):
                kind[rest], v[rest], w[rest] = self.leaf_ops(leaf, local[~zero], T[rest])
        return kind, v, w, 1

    def leaf_ops(self, leaf: Sched, t: np.ndarray, T: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``_ops_step`` of one leaf at its times ``t`` (global steps ``T``); where numpy or
        Python meets an error, torch's own get_lr() at each step finds the first step that
        raises, and says it as torch's loop would."""
        import numpy as np

        try:
            with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
                return _ops_step(leaf, t)
        except (FloatingPointError, *FAILURES):
            pass
        leaf.group["lr"] = 1.0
        leaf.is_initial = False
        leaf.step_count = 2
        for tt, TT in zip(t.tolist(), T.tolist()):
            leaf.last_epoch = tt
            try:
                leaf.get_lr()
            except FAILURES as e:
                raise step_error(self.what, TT, e) from None
        raise _UseReplay


def _apply(x: float, kind: np.ndarray, v: np.ndarray, w: np.ndarray
           ) -> tuple[np.ndarray, float]:
    """The lr after each update, from ``x``: runs of products with np.multiply.accumulate
    (left to right, as the loop), every other update in Python."""
    import numpy as np

    n = len(kind)
    brk = np.flatnonzero(kind >= SET)
    if len(brk) * 8 > n:
        return _apply_loop(x, kind, v, w)
    out = np.empty(n, dtype=np.float64)
    pos = 0
    for b in [*brk.tolist(), n]:
        if b > pos:
            seg = np.multiply.accumulate(np.concatenate(([x], v[pos:b])))[1:]
            mc = kind[pos:b] == MULC
            if mc.any():  # x * r + 0.0 turns -0.0 into 0.0, and later signs follow it
                z = seg[mc]
                if np.any((z == 0) & np.signbit(z)):
                    seg, _ = _apply_loop(x, kind[pos:b], v[pos:b], w[pos:b])
            out[pos:b] = seg
            x = float(seg[-1])
        if b < n:
            k, vb, wb = int(kind[b]), float(v[b]), float(w[b])
            x = vb if k == SET else x + vb if k == ADD else vb * (x - wb) + wb
            out[b] = x
        pos = b + 1
    return out, x


def _apply_loop(x: float, kind: np.ndarray, v: np.ndarray, w: np.ndarray
                ) -> tuple[np.ndarray, float]:
    import numpy as np

    out = []
    for k, vb, wb in zip(kind.tolist(), v.tolist(), w.tolist()):
        if k == MUL:
            x = x * vb
        elif k == MULC:
            x = x * vb + 0.0
        elif k == SET:
            x = vb
        elif k == ADD:
            x = x + vb
        else:
            x = vb * (x - wb) + wb
        out.append(x)
    return np.array(out, dtype=np.float64), x
