"""Direct scalar transcriptions of each schedule's formula, in plain Python ``math``.

Written from DESIGN.md §2 and ../shared/reference/torch.md, independently of the numpy
kernels, one value at a time: the kernels must agree with these to within 4 ulp.
"""

from __future__ import annotations

import bisect
import math


def step(t, n, initial_lr, decay_factor, step_size, timing="document"):
    if timing == "document":
        return initial_lr * decay_factor ** math.floor((1 + t) / step_size)
    return initial_lr * decay_factor ** math.floor(t / step_size)


def exponential(t, n, initial_lr, decay_rate):
    return initial_lr * math.exp(-decay_rate * t)


def cosine(t, n, lr_min, lr_max):
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(t / n * math.pi))


def polynomial(t, n, initial_lr, power):
    return initial_lr * (1 - t / n) ** power


def staircase_exp(t, n, initial_lr, decay_rate, step_size, timing="document"):
    k = math.floor((1 + t) / step_size) if timing == "document" else math.floor(t / step_size)
    return initial_lr * math.exp(-decay_rate * k)


def cyclic(t, n, lr_min, lr_max, step_size, step_size_down=None, mode="triangular", gamma=1.0):
    down = step_size if step_size_down is None else step_size_down
    total = step_size + down
    ratio = step_size / total
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    s = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    scale = {"triangular": 1.0, "triangular2": 1 / (2.0 ** (cycle - 1)),
             "exp_range": gamma ** t}[mode]
    return lr_min + (lr_max - lr_min) * s * scale


def sgdr(t, n, t0, t_mult, lr_min, lr_max, restart_decay=1.0):
    # torch's step(): T_cur += 1; on reaching T_i, T_cur -= T_i and T_i *= T_mult
    t_cur, t_i, cycle = 0, t0, 0
    for _ in range(int(t)):
        t_cur += 1
        if t_cur >= t_i:
            t_cur -= t_i
            t_i *= t_mult
            cycle += 1
    peak = lr_min + (lr_max - lr_min) * restart_decay ** cycle if restart_decay != 1 else lr_max
    return lr_min + (peak - lr_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2


def one_cycle(t, n, max_lr, pct_start=0.3, anneal_strategy="cos", div_factor=25.0,
              final_div_factor=1e4, three_phase=False):
    initial = max_lr / div_factor
    low = initial / final_div_factor
    if three_phase:
        phases = [(pct_start * n - 1, initial, max_lr), (2 * pct_start * n - 2, max_lr, initial),
                  (n - 1, initial, low)]
    else:
        phases = [(pct_start * n - 1, initial, max_lr), (n - 1, max_lr, low)]
    start = 0
    for i, (end, a, b) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            p = (t - start) / (end - start)
            if anneal_strategy == "cos":
                return b + (a - b) / 2.0 * (math.cos(math.pi * p) + 1)
            return (b - a) * p + a
        start = end
    raise AssertionError


def plateau_all(n, initial_lr, metrics, mode="min", factor=0.1, patience=10, threshold=1e-4,
                threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
    """The whole sequence (the schedule is stateful), after torch.md §1 ReduceLROnPlateau."""
    out, lr = [], initial_lr
    best = math.inf if mode == "min" else -math.inf
    bad = cool = 0
    for i in range(n):
        out.append(lr)
        a = metrics[i]
        if mode == "min" and threshold_mode == "rel":
            better = a < best * (1 - threshold)
        elif mode == "min":
            better = a < best - threshold
        elif threshold_mode == "rel":
            better = a > best * (threshold + 1)
        else:
            better = a > best + threshold
        if better:
            best, bad = a, 0
        else:
            bad += 1
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > eps:
                lr = new
            cool, bad = cooldown, 0
    return out


def multistep(t, n, initial_lr, milestones, gamma):
    return initial_lr * gamma ** bisect.bisect_right(sorted(milestones), t)


def linear(t, n, initial_lr, start_factor, end_factor, total_iters):
    return initial_lr * (start_factor + (end_factor - start_factor) * min(total_iters, t)
                         / total_iters)


def constant(t, n, initial_lr, factor=1.0, total_iters=0):
    return initial_lr * (factor + (t >= total_iters) * (1 - factor))


def inverse_sqrt(t, n, initial_lr, timescale):
    return initial_lr * math.sqrt(timescale / max(t, timescale))


def wsd(t, n, lr_max, lr_min, decay_steps, decay_shape="linear"):
    d0 = n - decay_steps
    if t < d0:
        return lr_max
    p = (t - d0) / decay_steps
    f = {"linear": lambda: 1 - p, "cosine": lambda: 0.5 * (1 + math.cos(math.pi * p)),
         "1-sqrt": lambda: 1 - math.sqrt(p)}[decay_shape]()
    return lr_min + (lr_max - lr_min) * f
