"""Decays: step, exponential, cosine, polynomial, staircase, multistep, linear, constant,
inverse square root, inverse time; and the warmup ramps that precede any schedule.

Pure numpy, as every kernel (see the package docstring); imports numpy and math only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def step_decay(
    t: np.ndarray, n: int, initial_lr: float, decay_factor: float, step_size: int,
    timing: str = "document",
) -> np.ndarray:
    """Step decay.

    ``timing="document"``: ``lr0 * d ** floor((1 + t) / s)`` (the source document; the
    first drop is at t = s - 1). ``timing="torch"``: ``lr0 * d ** floor(t / s)``
    (PyTorch ``StepLR``; the first drop is at t = s).

    >>> step_decay(np.arange(12.0), 12, 1.0, 0.5, 10)[8:11].tolist()
    [1.0, 0.5, 0.5]
    """
    k = (1 + t) / step_size if timing == "document" else t / step_size
    return initial_lr * np.power(decay_factor, np.floor(k))



def exponential(t: np.ndarray, n: int, initial_lr: float, decay_rate: float) -> np.ndarray:
    """Exponential decay ``lr0 * exp(-k * t)`` (source document; also its "natural exp").

    >>> exponential(np.array([0.0, 20.0]), 100, 1.0, 0.05).tolist()
    [1.0, 0.36787944117144233]
    """
    return initial_lr * np.exp(-decay_rate * t)



def cosine(t: np.ndarray, n: int, lr_min: float, lr_max: float,
           k_decay: float = 1.0) -> np.ndarray:
    """Cosine annealing ``lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(t / N * pi))``.

    Source document; equals PyTorch ``CosineAnnealingLR(T_max=N, eta_min=lr_min)`` with
    base lr ``lr_max`` on ``t < N`` (Loshchilov & Hutter 2017, without restarts). With
    ``k_decay`` k != 1, ``t / N`` becomes ``t**k / N**k`` (Zhang et al. 2020, k-decay; as
    timm's CosineLRScheduler computes it).

    >>> cosine(np.array([0.0, 50.0]), 100, 0.0, 0.1).tolist()
    [0.1, 0.05]
    """
    x = t / n if k_decay == 1.0 else np.power(t, k_decay) / float(n) ** k_decay
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(x * np.pi))



def polynomial(t: np.ndarray, n: int, initial_lr: float, power: float,
               k_decay: float = 1.0) -> np.ndarray:
    """Polynomial decay ``lr0 * (1 - t / N) ** power`` (source document); with ``k_decay``
    k != 1, ``t / N`` becomes ``t**k / N**k`` (k-decay, as timm's PolyLRScheduler).

    >>> polynomial(np.array([0.0, 50.0]), 100, 1.0, 2.0).tolist()
    [1.0, 0.25]
    """
    x = t / n if k_decay == 1.0 else np.power(t, k_decay) / float(n) ** k_decay
    return initial_lr * np.power(1 - x, power)



def staircase_exp(
    t: np.ndarray, n: int, initial_lr: float, decay_rate: float, step_size: int,
    timing: str = "document",
) -> np.ndarray:
    """Staircase exponential decay.

    ``timing="document"``: ``lr0 * exp(-k * floor((1 + t) / s))`` (source document).
    ``timing="torch"``: ``lr0 * exp(-k * floor(t / s))`` (``StepLR(gamma=exp(-k))``).

    >>> staircase_exp(np.array([8.0, 9.0]), 20, 1.0, 0.5, 10).tolist()
    [1.0, 0.6065306597126334]
    """
    k = (1 + t) / step_size if timing == "document" else t / step_size
    return initial_lr * np.exp(-decay_rate * np.floor(k))



def multistep(
    t: np.ndarray, n: int, initial_lr: float, milestones: Sequence[int], gamma: float,
) -> np.ndarray:
    """Multi-step decay ``lr0 * gamma ** bisect_right(sorted(milestones), t)``.

    PyTorch ``MultiStepLR``: a milestone listed twice decays twice.

    >>> multistep(np.array([0.0, 2.0, 3.0, 5.0]), 6, 1.0, [3, 5], 0.5).tolist()
    [1.0, 1.0, 0.5, 0.25]
    """
    ms = np.sort(np.asarray(milestones, dtype=np.float64))
    return initial_lr * np.power(gamma, np.searchsorted(ms, t, side="right").astype(np.float64))



def linear(
    t: np.ndarray, n: int, initial_lr: float, start_factor: float, end_factor: float,
    total_iters: int,
) -> np.ndarray:
    """Linear factor ``lr0 * (sf + (ef - sf) * min(T, t) / T)`` (PyTorch ``LinearLR``).

    >>> linear(np.array([0.0, 5.0, 10.0, 20.0]), 20, 1.0, 1.0, 0.0, 10).tolist()
    [1.0, 0.5, 0.0, 0.0]
    """
    return initial_lr * (
        start_factor + (end_factor - start_factor) * np.minimum(total_iters, t) / total_iters
    )



def constant(
    t: np.ndarray, n: int, initial_lr: float, factor: float = 1.0, total_iters: int = 0,
) -> np.ndarray:
    """Constant ``lr0 * (factor + (t >= T) * (1 - factor))`` (PyTorch ``ConstantLR``).

    ``lr0 * factor`` for the first ``T`` steps, then ``lr0``.

    >>> constant(np.array([0.0, 1.0, 2.0]), 3, 1.0, 0.5, 2).tolist()
    [0.5, 0.5, 1.0]
    """
    return initial_lr * (factor + (t >= total_iters) * (1 - factor))



def inverse_sqrt(t: np.ndarray, n: int, initial_lr: float, timescale: int) -> np.ndarray:
    """Inverse square root ``lr0 * sqrt(tau / max(t, tau))``.

    Constant ``lr0`` up to ``t = tau``, then proportional to ``1/sqrt(t)``: the
    Transformer / T5 decay (Vaswani et al. 2017; Raffel et al. 2020), scaled so that
    ``lr0`` is the peak.

    >>> inverse_sqrt(np.array([0.0, 10.0, 40.0]), 50, 1.0, 10).tolist()
    [1.0, 1.0, 0.5]
    """
    return initial_lr * np.sqrt(timescale / np.maximum(t, timescale))



def inverse_time(t: np.ndarray, n: int, initial_lr: float, decay_rate: float,
                 decay_steps: int, staircase: bool = False) -> np.ndarray:
    """Inverse-time decay ``lr0 / (1 + rate * t / T)`` (Keras InverseTimeDecay; with
    ``staircase``, ``t / T`` is floored).

    >>> inverse_time(np.array([0.0, 1.0, 2.0]), 10, 0.1, 0.5, 1).tolist()
    [0.1, 0.06666666666666667, 0.05]
    """
    p = t / decay_steps
    if staircase:
        p = np.floor(p)
    return initial_lr / (1 + decay_rate * p)



def warmup_ramp(t: np.ndarray, w: int, start: float, target: float, shape: str) -> np.ndarray:
    """Warmup from ``start`` towards ``target`` over ``w`` steps (Goyal et al. 2017).

    With ``p = t / w``: linear ``start + (target - start) * p``; cosine
    ``start + (target - start) * (1 - cos(pi * p)) / 2``; exponential
    ``start * (target / start) ** p``; log ``start + (target - start) * ln(t+1) / ln(w+1)``
    (DeepSpeed's WarmupLR "log", which uses ``ln(t+1) / ln(w)`` and so arrives one step
    earlier). At ``t = w`` each reaches ``target``, the value the
    main schedule has where it takes over.

    >>> warmup_ramp(np.arange(4.0), 4, 0.0, 1.0, "linear").tolist()
    [0.0, 0.25, 0.5, 0.75]
    """
    p = t / w
    if shape == "linear":
        return start + (target - start) * p
    if shape == "cosine":
        return start + (target - start) * (1 - np.cos(np.pi * p)) / 2
    if shape == "log":  # DeepSpeed's log warmup, reaching the target at t = w
        return start + (target - start) * (np.log(t + 1) / np.log(w + 1))
    return start * np.power(target / start, p)
