"""``lrsched simulate`` and ``lrsched find-lr``: schedules on the noisy quadratic model.

The noisy quadratic model (NQM; Zhang et al. 2019, "Which Algorithmic Choices Matter at
Which Batch Sizes? Insights From a Noisy Quadratic Model", NeurIPS): loss
``L(θ) = ½ Σ_i h_i θ_i²`` over d dimensions, stochastic gradient ``g_i = h_i θ_i + ε_i``
with ``Var(ε_i) = c_i / B``. Defaults: ``h_i = i^-p`` (p = 1), ``c_i = noise * h_i``,
``θ_i(0)² = 1``, batch size 16.

Its expected loss under any learning-rate sequence is exact, dimension by dimension.
SGD with heavy-ball momentum β (PyTorch's form: ``v ← β v + g``, ``θ ← θ - α v``) is the
linear system ``x' = A x + b ε`` on ``x = (θ, v)`` with ``A = [[1-αh, -αβ], [h, β]]`` and
``b = (-α, 1)``, so the second moments ``S = E[x xᵀ]`` follow ``S' = A S Aᵀ + σ² b bᵀ``
(σ² = c/B); with β = 0 this is ``E[θ²]' = (1-αh)² E[θ²] + α² σ²``. The recursion runs for
all schedules at once, vectorised over schedules × dimensions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DIVERGED_FACTOR = 1e6  # a loss this many times the initial one has blown up


@dataclass(frozen=True)
class NQM:
    """The model: d dimensions with curvatures ``h_i = i^-p`` and noise ``c_i = noise·h_i``."""

    dim: int = 10_000
    curvature_power: float = 1.0
    noise: float = 1.0
    batch_size: float = 16.0
    momentum: float = 0.0
    theta0_sq: float = 1.0

    @property
    def h(self) -> np.ndarray:
        return np.arange(1, self.dim + 1, dtype=np.float64) ** -self.curvature_power

    @property
    def sigma2(self) -> np.ndarray:
        return self.noise * self.h / self.batch_size

    @property
    def initial_loss(self) -> float:
        return float(0.5 * np.sum(self.h * self.theta0_sq))

    @property
    def stability_limit(self) -> float:
        """The largest constant rate that does not diverge: 2(1+β)/h_max."""
        return 2.0 * (1.0 + self.momentum) / float(self.h.max())

    def params(self) -> dict[str, Any]:
        return {"model": "nqm", "dim": self.dim, "curvature_power": self.curvature_power,
                "noise": self.noise, "batch_size": self.batch_size, "momentum": self.momentum,
                "theta0_sq": self.theta0_sq}


@dataclass
class Run:
    """One schedule on the model: the rates used, the expected loss after each update."""

    label: str
    lr: np.ndarray
    loss: np.ndarray  # NaN after divergence
    diverged_at: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


LrSource = np.ndarray | Callable[[int, float | None], float]


def expected_loss(model: NQM, sources: Sequence[LrSource], steps: int,
                  labels: Sequence[str] | None = None) -> list[Run]:
    """Run every schedule on ``model`` for ``steps`` updates; exact expected losses.

    A source is an array of rates, or a function ``f(t, last_loss) -> rate`` (closed loop:
    reduce-on-plateau fed with the model's own loss). (Splitting the schedules across
    threads was measured slower: the per-step work is too small to share.)
    """
    names = list(labels) if labels is not None else [f"run {j + 1}" for j in range(len(sources))]
    return _expected_loss(model, sources, steps, names)


def _expected_loss(model: NQM, sources: Sequence[LrSource], steps: int,
                   names: list[str]) -> list[Run]:
    k = len(sources)
    h, s2 = model.h, model.sigma2
    beta = model.momentum
    d = model.dim
    stt = np.full((k, d), model.theta0_sq)
    stv = np.zeros((k, d)) if beta else None
    svv = np.zeros((k, d)) if beta else None
    lr = np.empty((k, steps))
    closed = [j for j, src in enumerate(sources) if callable(src)]
    for j, src in enumerate(sources):
        if not callable(src):
            lr[j] = np.asarray(src, dtype=np.float64)[:steps]
    loss = np.full((k, steps), np.nan)
    alive = np.ones(k, dtype=bool)
    diverged: list[int | None] = [None] * k
    limit = DIVERGED_FACTOR * model.initial_loss
    last: list[float | None] = [None] * k
    t1, t2, t3, t4, t5 = (np.empty((k, d)) for _ in range(5))
    h2 = h * h
    for t in range(steps):
        for j in closed:
            lr[j, t] = sources[j](t, last[j])
        a = np.where(alive, lr[:, t], 0.0)
        col = a[:, None]
        if not beta:  # E[θ²]' = (1 - αh)² E[θ²] + α² σ²
            np.multiply(col, h, out=t1)
            np.subtract(1.0, t1, out=t1)
            np.multiply(t1, t1, out=t1)
            stt *= t1
            np.multiply((a * a)[:, None], s2, out=t2)
            stt += t2
        else:  # S' = A S Aᵀ + σ² b bᵀ, A = [[1-αh, -αβ], [h, β]], b = (-α, 1)
            a12 = -col * beta                            # (k, 1)
            np.multiply(col, h, out=t1)
            np.subtract(1.0, t1, out=t1)                 # a11 = 1 - αh
            # new Svv = h²Stt + 2hβ·Stv + β²Svv + σ²
            np.multiply(h2, stt, out=t3)
            np.multiply(stv, h, out=t2)
            t2 *= 2.0 * beta
            t3 += t2
            np.multiply(svv, beta * beta, out=t2)
            t3 += t2
            t3 += s2
            # new Stv = a11·h·Stt + (a11β + a12h)·Stv + a12β·Svv - ασ²
            np.multiply(t1, stt, out=t4)
            t4 *= h
            np.multiply(a12, h, out=t2)
            np.multiply(t1, beta, out=t5)
            t2 += t5
            t2 *= stv
            t4 += t2
            np.multiply(svv, a12 * beta, out=t2)
            t4 += t2
            np.multiply(col, s2, out=t2)
            t4 -= t2
            # new Stt = a11²Stt + 2a11a12·Stv + a12²Svv + α²σ²
            np.multiply(t1, t1, out=t5)
            t5 *= stt
            np.multiply(t1, stv, out=t2)
            t2 *= 2.0 * a12
            t5 += t2
            np.multiply(svv, a12 * a12, out=t2)
            t5 += t2
            np.multiply((a * a)[:, None], s2, out=t2)
            t5 += t2
            stt, t5 = t5, stt
            stv, t4 = t4, stv
            svv, t3 = t3, svv
        cur = 0.5 * (stt @ h)
        bad = alive & ~(np.isfinite(cur) & (cur <= limit))
        if bad.any():
            for j in np.flatnonzero(bad):
                alive[j] = False
                diverged[j] = t
                stt[j] = model.theta0_sq  # keep the arithmetic finite; the run is over
                if beta:
                    stv[j] = 0.0
                    svv[j] = 0.0
        loss[alive, t] = cur[alive]
        for j in closed:
            if alive[j]:
                last[j] = float(cur[j])
    return [Run(names[j], lr[j], loss[j], diverged[j]) for j in range(k)]


def monte_carlo(model: NQM, lrs: np.ndarray, samples: int, seed: int = 0,
                ) -> tuple[np.ndarray, np.ndarray]:
    """Actual noisy SGD on the model, ``samples`` independent runs of one schedule.

    Returns the mean loss after each update and its standard error.
    """
    rng = np.random.default_rng(seed)
    h, sd = model.h, np.sqrt(model.sigma2)
    theta = np.full((samples, model.dim), np.sqrt(model.theta0_sq))
    v = np.zeros_like(theta)
    mean = np.empty(len(lrs))
    err = np.empty(len(lrs))
    for t, a in enumerate(lrs):
        g = h * theta + sd * rng.standard_normal(theta.shape)
        if model.momentum:
            v = model.momentum * v + g
            theta -= a * v
        else:
            theta -= a * g
        per = 0.5 * (theta * theta) @ h
        mean[t] = per.mean()
        err[t] = per.std(ddof=1) / np.sqrt(samples)
    return mean, err


@dataclass(frozen=True)
class RangeTest:
    """The learning-rate range test on the model (Smith 2017, §3.3; fastai's lr_find)."""

    lr: np.ndarray
    loss: np.ndarray  # expected loss after each update
    smoothed: np.ndarray  # exponential moving average, bias-corrected
    suggestion: float
    rule: str
    steepest: float
    minimum: float


def find_lr(model: NQM, start: float = 1e-7, end: float = 10.0, steps: int = 100,
            smoothing: float = 0.98, stop_factor: float = 4.0,
            rule: str = "minimum/10") -> RangeTest:
    """Sweep the rate exponentially from ``start`` to ``end``, stop when the smoothed loss
    exceeds ``stop_factor`` times its best, and suggest a rate by ``rule``:
    ``minimum/10`` (the rate at the smoothed loss's minimum, divided by 10) or
    ``steepest`` (where the smoothed loss falls fastest against log rate)."""
    lrs = start * (end / start) ** (np.arange(steps) / (steps - 1))
    run = expected_loss(model, [lrs], steps)[0]
    loss = run.loss
    smooth = np.full(steps, np.nan)
    avg = 0.0
    best = np.inf
    n = steps
    for t in range(steps):
        if not np.isfinite(loss[t]):
            n = t
            break
        avg = smoothing * avg + (1 - smoothing) * loss[t]
        smooth[t] = avg / (1 - smoothing ** (t + 1))
        best = min(best, smooth[t])
        if smooth[t] > stop_factor * best:
            n = t + 1
            break
    lr_used, sm = lrs[:n], smooth[:n]
    k_min = int(np.nanargmin(sm))
    minimum = float(lr_used[k_min]) / 10.0
    grad = np.gradient(sm[: k_min + 1], np.log(lr_used[: k_min + 1])) if k_min >= 2 else None
    steepest = float(lr_used[int(np.nanargmin(grad))]) if grad is not None else minimum
    suggestion = minimum if rule == "minimum/10" else steepest
    return RangeTest(lr_used, loss[:n], sm, suggestion, rule, steepest, minimum)
