"""ReduceLROnPlateau: the rate a metric series leads to (PyTorch's rules), and the tracker
that applies them one metric at a time (simulate and find-lr use it).

Pure numpy, as every kernel (see the package docstring); imports numpy and math only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def plateau(
    t: np.ndarray, n: int, initial_lr: float, metrics: Sequence[float], mode: str = "min",
    factor: float = 0.1, patience: int = 10, threshold: float = 1e-4,
    threshold_mode: str = "rel", cooldown: int = 0, min_lr: float = 0.0, eps: float = 1e-8,
) -> np.ndarray:
    """Reduce on plateau, as PyTorch ``ReduceLROnPlateau`` computes it (sequential).

    ``lr[0] = lr0``; ``lr[i+1]`` is the lr after seeing ``metrics[0..i]``. A metric is
    better when ``a < best*(1-thr)`` (min, rel), ``a < best-thr`` (min, abs),
    ``a > best*(1+thr)`` (max, rel) or ``a > best+thr`` (max, abs). After more than
    ``patience`` epochs without improvement, ``new = max(lr*factor, min_lr)``, applied
    only when ``lr - new > eps``, followed by ``cooldown`` epochs that count nothing.

    >>> plateau(np.arange(4.0), 4, 1.0, [3.0, 3.0, 3.0, 3.0], patience=1).tolist()
    [1.0, 1.0, 1.0, 0.1]
    """
    count = int(t.max()) + 1 if t.size else 0
    lrs = np.empty(count, dtype=np.float64)
    tracker = PlateauTracker(initial_lr, mode, factor, patience, threshold, threshold_mode,
                             cooldown, min_lr, eps)
    for i in range(count):
        lrs[i] = tracker.lr
        if i < count - 1:
            tracker.step(float(metrics[i]))
    return lrs[t.astype(np.int64)]



class PlateauTracker:
    """ReduceLROnPlateau's state: ``step(metric)`` updates ``lr`` (see :func:`plateau`)."""

    def __init__(self, initial_lr: float, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float = 0.0, eps: float = 1e-8) -> None:
        self.lr = float(initial_lr)
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.rel = threshold, threshold_mode == "rel"
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.bad = 0
        self.cooldown_left = 0

    def step(self, a: float) -> float:
        thr = self.threshold
        if self.mode == "min":
            better = a < self.best * (1.0 - thr) if self.rel else a < self.best - thr
        else:
            better = a > self.best * (thr + 1.0) if self.rel else a > self.best + thr
        if better:
            self.best = a
            self.bad = 0
        else:
            self.bad += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad = 0
        if self.bad > self.patience:
            new = max(self.lr * self.factor, self.min_lr)
            if self.lr - new > self.eps:
                self.lr = new
            self.cooldown_left = self.cooldown
            self.bad = 0
        return self.lr
