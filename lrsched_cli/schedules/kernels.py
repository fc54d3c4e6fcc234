"""Schedule kernels: pure numpy functions of an index array.

Every kernel takes ``t`` (a float64 array of step indices, whole numbers >= 0) and
``n`` (the number of steps the schedule runs over) plus its own parameters, and returns
a float64 array of learning rates, one per element of ``t``. Kernels do no I/O and no
validation: :mod:`lrsched_cli.registry` checks parameter values before a kernel runs.

Each docstring gives the formula the kernel computes, operation for operation, and its
source. ``t`` indexes the lr *used by* update ``t``, counting from 0 (DESIGN.md §1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "step_decay",
    "exponential",
    "cosine",
    "polynomial",
    "staircase_exp",
    "cyclic",
    "sgdr",
    "one_cycle",
    "plateau",
    "multistep",
    "linear",
    "constant",
    "inverse_sqrt",
    "wsd",
    "warmup_ramp",
]


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


def cyclic(
    t: np.ndarray, n: int, lr_min: float, lr_max: float, step_size: int,
    step_size_down: int | None = None, mode: str = "triangular", gamma: float = 1.0,
) -> np.ndarray:
    """Cyclical learning rate (Smith 2017), as PyTorch ``CyclicLR`` computes it.

    With ``up = step_size``, ``tot = up + down``, ``r = up / tot``::

        cycle = floor(1 + t / tot);  x = 1 + t / tot - cycle
        s = x / r if x <= r else (x - 1) / (r - 1)
        lr = lr_min + (lr_max - lr_min) * s * scale

    ``scale`` is 1 (triangular), ``1 / 2 ** (cycle - 1)`` (triangular2) or
    ``gamma ** t`` (exp_range).

    >>> cyclic(np.arange(5.0), 5, 0.0, 1.0, 2).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    down = step_size if step_size_down is None else step_size_down
    total = float(step_size + down)
    ratio = float(step_size) / total
    cycle = np.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    # np.where evaluates both branches; ratio < 1 always, so neither divides by zero.
    factor = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    height = (lr_max - lr_min) * factor
    if mode == "triangular":
        scale = 1.0
    elif mode == "triangular2":
        scale = 1 / (2.0 ** (cycle - 1))
    else:  # exp_range
        scale = np.power(gamma, t)
    return lr_min + height * scale


def _sgdr_cycles(t: np.ndarray, t0: int, t_mult: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cycle number, position in the cycle and cycle length for each t (exact integers)."""
    if t_mult == 1:
        cycle = np.floor(t / t0)
        return cycle, t - cycle * t0, np.full_like(t, float(t0))
    starts = [0]
    lengths = [t0]
    top = float(t.max()) if t.size else 0.0
    while starts[-1] + lengths[-1] <= top:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * t_mult)
    starts_a = np.array(starts, dtype=np.float64)
    idx = np.searchsorted(starts_a, t, side="right") - 1
    return idx.astype(np.float64), t - starts_a[idx], np.array(lengths, dtype=np.float64)[idx]


def sgdr(
    t: np.ndarray, n: int, t0: int, t_mult: int, lr_min: float, lr_max: float,
    restart_decay: float = 1.0,
) -> np.ndarray:
    """SGDR, cosine annealing with warm restarts (Loshchilov & Hutter 2017).

    ``lr = lr_min + (peak - lr_min) * (1 + cos(pi * T_cur / T_i)) / 2`` where cycle
    ``c`` has length ``T_i = t0 * t_mult ** c``, ``T_cur`` counts steps since the restart,
    and ``peak = lr_min + (lr_max - lr_min) * restart_decay ** c`` (the height above
    ``lr_min`` shrinks, so the lr never drops below ``lr_min``). With ``restart_decay = 1``
    this is
    PyTorch ``CosineAnnealingWarmRestarts(T_0=t0, T_mult=t_mult, eta_min=lr_min)``.

    >>> sgdr(np.array([0.0, 5.0, 10.0]), 20, 10, 1, 0.0, 1.0).tolist()
    [1.0, 0.5, 1.0]
    """
    cycle, t_cur, t_i = _sgdr_cycles(t, t0, t_mult)
    if restart_decay != 1.0:
        peak = lr_min + (lr_max - lr_min) * np.power(restart_decay, cycle)
    else:
        peak = lr_max
    return lr_min + (peak - lr_min) * (1 + np.cos(np.pi * t_cur / t_i)) / 2


def one_cycle_phases(
    n: int, max_lr: float, pct_start: float, div_factor: float, final_div_factor: float,
    three_phase: bool,
) -> list[tuple[float, float, float]]:
    """The (end_step, start_lr, end_lr) phase table of PyTorch ``OneCycleLR``."""
    initial = max_lr / div_factor
    minimum = initial / final_div_factor
    if three_phase:
        return [
            (float(pct_start * n) - 1, initial, max_lr),
            (float(2 * pct_start * n) - 2, max_lr, initial),
            (n - 1, initial, minimum),
        ]
    return [(float(pct_start * n) - 1, initial, max_lr), (n - 1, max_lr, minimum)]


def one_cycle(
    t: np.ndarray, n: int, max_lr: float, pct_start: float = 0.3,
    anneal_strategy: str = "cos", div_factor: float = 25.0,
    final_div_factor: float = 1e4, three_phase: bool = False,
) -> np.ndarray:
    """1cycle policy (Smith & Topin 2019), as PyTorch ``OneCycleLR`` computes it.

    Phases end at ``pct*N - 1`` and ``N - 1`` (three-phase: ``pct*N - 1``, ``2*pct*N - 2``,
    ``N - 1``); the lr runs ``max_lr/div`` -> ``max_lr`` -> ``max_lr/(div*final_div)``.
    In a phase from ``a`` to ``b``, ``p = (t - start) / (end - start)`` and
    cos: ``b + (a - b) / 2 * (cos(pi * p) + 1)``; linear: ``(b - a) * p + a``.

    >>> one_cycle(np.array([0.0, 29.0, 99.0]), 100, 0.1).tolist()  # lr[0] = 0.004 to an ulp
    [0.0040000000000000036, 0.1, 4e-07]
    """
    phases = one_cycle_phases(n, max_lr, pct_start, div_factor, final_div_factor, three_phase)
    out = np.empty_like(t)
    todo = np.ones(t.shape, dtype=bool)
    start_step = 0.0
    for i, (end_step, lr_a, lr_b) in enumerate(phases):
        here = todo & (t <= end_step) if i < len(phases) - 1 else todo
        pct = (t[here] - start_step) / (end_step - start_step)
        if anneal_strategy == "cos":
            out[here] = lr_b + (lr_a - lr_b) / 2.0 * (np.cos(np.pi * pct) + 1)
        else:
            out[here] = (lr_b - lr_a) * pct + lr_a
        todo &= ~here
        start_step = end_step
    return out


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


# --------------------------------------------------------------------------------------
# Research schedules (../shared/reference/research-schedules.md, part A).

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


def fastai_one_cycle(t: np.ndarray, n: int, lr_max: float, div: float = 25.0,
                     div_final: float = 1e5, pct_start: float = 0.25) -> np.ndarray:
    """fastai's ``fit_one_cycle``: ``combined_cos(pct_start, lr_max/div, lr_max,
    lr_max/div_final)`` at position ``pos = t / N`` (fastai 2.8 callback/schedule.py).

    ``sched_cos(a, b, p) = a + (1 + cos(pi * (1 - p))) * (b - a) / 2``, rising over the
    first ``pct_start`` of the run and falling over the rest.

    (fastai holds the position in a float32 tensor, so its values differ from these float64
    ones by up to about 3e-8 of the peak.)

    >>> fastai_one_cycle(np.array([0.0, 25.0, 50.0]), 100, 1e-3).tolist()
    [4e-05, 0.001, 0.0007500025000000001]
    """
    pos = t / n
    rising = pos < pct_start
    p = np.where(rising, pos / pct_start, (pos - pct_start) / (1 - pct_start))
    a = np.where(rising, lr_max / div, lr_max)
    b = np.where(rising, lr_max, lr_max / div_final)
    return a + (1 + np.cos(np.pi * (1 - p))) * (b - a) / 2
