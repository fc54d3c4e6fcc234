"""Cyclical schedules: triangular cyclic (Smith 2017), SGDR (Loshchilov & Hutter 2017), 1cycle
(Smith & Topin 2019; PyTorch's OneCycleLR) and fastai's one-cycle.

Pure numpy, as every kernel (see the package docstring); imports numpy and math only.
"""

from __future__ import annotations

import numpy as np


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
