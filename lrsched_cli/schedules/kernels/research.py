"""Research schedules (../shared/reference/research-schedules.md, part A): WSD, STLR, REX,
Noam, rsqrt, tri-stage, hyperbolic and exp-hyperbolic.

Pure numpy, as every kernel (see the package docstring); imports numpy and math only.
"""

from __future__ import annotations

import math

import numpy as np


def wsd(
    t: np.ndarray, n: int, lr_max: float, lr_min: float, decay_steps: int,
    decay_shape: str = "linear",
) -> np.ndarray:
    """Warmup-stable-decay (Hu et al. 2024, MiniCPM; Hägele et al. 2024).

    Stable at ``lr_max`` until ``d0 = N - D``, then with ``p = (t - d0) / D``:
    ``lr_min + (lr_max - lr_min) * f(p)``, ``f`` = ``1 - p`` (linear),
    ``0.5 * (1 + cos(pi * p))`` (cosine) or ``1 - sqrt(p)`` (1-sqrt). The warmup is the
    common ``--warmup`` prefix.

    >>> wsd(np.array([0.0, 5.0, 6.0, 8.0]), 10, 1.0, 0.0, 4).tolist()
    [1.0, 1.0, 1.0, 0.5]
    """
    d0 = n - decay_steps
    p = np.maximum(t - d0, 0) / decay_steps
    if decay_shape == "linear":
        f = 1 - p
    elif decay_shape == "cosine":
        f = 0.5 * (1 + np.cos(np.pi * p))
    else:  # 1-sqrt
        f = 1 - np.sqrt(p)
    return np.where(t < d0, lr_max, lr_min + (lr_max - lr_min) * f)



def stlr(t: np.ndarray, n: int, lr_max: float, cut_frac: float, ratio: float,
         variant: str = "paper") -> np.ndarray:
    """Slanted triangular LR (Howard & Ruder 2018, ULMFiT, Sec. 3.2).

    ``cut = floor(T * cut_frac)``; ``p = t / cut`` before the cut, then
    ``1 - (t - cut) / (cut * (1 / cut_frac - 1))`` (paper; mesh_tensorflow), or
    ``max(0, 1 - (t - cut) / (T - cut))`` (``variant="clamped"``, Axect's
    pytorch-scheduler); ``lr = lr_max * (1 + p * (ratio - 1)) / ratio``.

    >>> stlr(np.array([0.0, 10.0, 50.0]), 100, 0.01, 0.1, 32).tolist()
    [0.0003125, 0.01, 0.005694444444444445]
    """
    cut = math.floor(n * cut_frac)
    if variant == "paper":
        down = 1 - (t - cut) / (cut * (1 / cut_frac - 1))
    else:
        down = np.maximum(0.0, 1 - (t - cut) / (n - cut))
    p = np.where(t < cut, t / cut, down)
    return lr_max * (1 + p * (ratio - 1)) / ratio



def rex(t: np.ndarray, n: int, lr_max: float, lr_min: float) -> np.ndarray:
    """REX (Chen, Wolfe & Kyrillidis, MLSys 2022), with ``z = t / T``:
    ``lr_min + (lr_max - lr_min) * (1 - z) / (1 - z / 2)`` (as Axect's pytorch-scheduler and
    pytorch-optimizer implement it).

    >>> rex(np.array([0.0, 25.0, 50.0]), 100, 1.0, 0.0).tolist()
    [1.0, 0.8571428571428571, 0.6666666666666666]
    """
    z = t / n
    return lr_min + (lr_max - lr_min) * (1 - z) / (1 - z / 2)



def noam(t: np.ndarray, n: int, d_model: int, warmup_steps: int, factor: float,
         convention: str = "paper") -> np.ndarray:
    """The Transformer's schedule (Vaswani et al. 2017, Sec. 5.3, eq. 3).

    paper: ``factor * d**-0.5 * min(s**-0.5, s * w**-1.5)`` with the 1-based ``s = t + 1``
    (tensor2tensor legacy, the Annotated Transformer 2018). fairseq (inverse_sqrt):
    ``peak * t / w`` below ``w``, then ``peak * sqrt(w) / sqrt(t)``, ``peak =
    factor * d**-0.5 * w**-0.5``. t2t (tensor2tensor's current default):
    ``factor * min(1, t / w) * max(t, w)**-0.5 * d**-0.5``.

    >>> noam(np.array([0.0, 3999.0]), 10**5, 512, 4000, 1.0).tolist()
    [1.746928107421711e-07, 0.0006987712429686843]
    """
    if convention == "paper":
        s = t + 1
        return factor * d_model ** -0.5 * np.minimum(s ** -0.5, s * warmup_steps ** -1.5)
    if convention == "fairseq":
        peak = factor * d_model ** -0.5 * warmup_steps ** -0.5
        safe = np.maximum(t, 1.0)
        return np.where(t < warmup_steps, peak * t / warmup_steps,
                        peak * math.sqrt(warmup_steps) / np.sqrt(safe))
    return (factor * np.minimum(1.0, t / warmup_steps)
            * np.maximum(t, warmup_steps) ** -0.5 * d_model ** -0.5)



def rsqrt(t: np.ndarray, n: int, factor: float, warmup_steps: int) -> np.ndarray:
    """T5's inverse square root ``factor / sqrt(max(t, k))`` (Raffel et al. 2020; mesh
    ``truncated_rsqrt``): constant ``factor / sqrt(k)`` for the first k steps.

    >>> rsqrt(np.array([0.0, 40000.0]), 10**6, 1.0, 10000).tolist()
    [0.01, 0.005]
    """
    return factor / np.sqrt(np.maximum(t, warmup_steps))



def tri_stage(t: np.ndarray, n: int, lr_max: float, warmup_steps: int, hold_steps: int,
              decay_steps: int, init_lr_scale: float = 0.01,
              final_lr_scale: float = 0.01) -> np.ndarray:
    """fairseq's tri-stage schedule, as its code computes (not its docstring).

    ``η0 = init_lr_scale * peak``, ``ηf = final_lr_scale * peak``; ``t < W``:
    ``η0 + t * (peak - η0) / W``; then ``peak`` for H steps; then
    ``peak * exp(-k * (t - W - H))`` with ``k = -ln(final_lr_scale) / D`` up to ``t = W+H+D``;
    then ``ηf``.

    >>> tri_stage(np.array([0.0, 10.0, 45.0, 61.0]), 100, 1e-3, 10, 20, 30).tolist()
    [1e-05, 0.001, 0.00010000000000000002, 1e-05]
    """
    w, h, d = warmup_steps, hold_steps, decay_steps
    init, final = init_lr_scale * lr_max, final_lr_scale * lr_max
    rate = (lr_max - init) / w if w else 0.0
    k = -math.log(final_lr_scale) / d if d else 0.0
    return np.where(t < w, init + t * rate,
                    np.where(t < w + h, lr_max,
                             np.where(t <= w + h + d, lr_max * np.exp(-k * (t - w - h)),
                                      final)))



def _hyperbolic_h(x: np.ndarray, n: int, upper_bound: float) -> np.ndarray:
    return np.sqrt(((n - x) / upper_bound) * (2 - (n + x) / upper_bound))



def hyperbolic(t: np.ndarray, n: int, lr_max: float, lr_min: float,
               upper_bound: float) -> np.ndarray:
    """HyperbolicLR (Kim 2024, arXiv:2407.15200; the author's code), with
    ``h(x) = sqrt((N - x) / U * (2 - (N + x) / U))``:
    ``lr_max + (lr_max - lr_min) * (h(t) - h(0))``.

    >>> hyperbolic(np.array([0.0, 25.0]), 100, 1e-2, 1e-5, 250).tolist()
    [0.01, 0.00870949572856687]
    """
    h = _hyperbolic_h(t, n, upper_bound)
    return lr_max + (lr_max - lr_min) * (h - _hyperbolic_h(np.float64(0), n, upper_bound))



def exp_hyperbolic(t: np.ndarray, n: int, lr_max: float, lr_min: float,
                   upper_bound: float) -> np.ndarray:
    """ExpHyperbolicLR (Kim 2024; the author's code):
    ``lr_max * (lr_max / lr_min) ** (h(t) - h(0))``.

    >>> exp_hyperbolic(np.array([0.0, 25.0]), 100, 1e-2, 1e-5, 250).tolist()
    [0.01, 0.004096954867552076]
    """
    h = _hyperbolic_h(t, n, upper_bound)
    return lr_max * np.power(lr_max / lr_min, h - _hyperbolic_h(np.float64(0), n, upper_bound))
