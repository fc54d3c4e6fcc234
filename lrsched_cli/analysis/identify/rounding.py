"""Short decimals: how simple a candidate's numbers read (the likelier of two fits), and
each fitted float rounded to the shortest decimal the log's precision allows.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports render or commands.
"""

from __future__ import annotations

import math

import numpy as np

from .candidate import Candidate, _words
from .evaluate import _error

# What rounding a fitted number to a shorter decimal may add to the error: the precision
# the log was stored with (a float32 holds a value to 2**-24 of it), or, for float64,
# rounding error of the closed forms.
ROUNDING_COST_FLOAT32 = 2.0 ** -24
ROUNDING_COST_FLOAT64 = 1e-13


def _simplicity(c: Candidate, rel: float) -> tuple[int, int]:
    """(characters, -trailing zeros) of the candidate's numbers, each float written with
    the fewest digits within ``rel`` of it (roughly what rounding will make of it): of two
    fits, the one with the shorter, rounder numbers is the likelier spec."""
    chars = zeros = 0
    for x in (*c.params.values(), *c.run.values()):
        if isinstance(x, bool) or x is None:
            continue
        if isinstance(x, float):
            if x == 0 or not math.isfinite(x):
                chars += 1
                continue
            for digits in range(1, 18):
                if abs(float(f"{x:.{digits}g}") - x) <= rel * abs(x):
                    break
            chars += digits
        elif isinstance(x, int):
            text = str(x)
            chars += len(text)
            zeros += len(text) - len(text.rstrip("0"))
        else:
            chars += len(str(x))
    if c.end is not None:
        chars += 40  # a held tail: a longer spec (an optax schedule), and rarer
    return chars, -zeros


def _round_params(c: Candidate, steps: np.ndarray, values: np.ndarray, budget: float,
                  screen: np.ndarray | None = None) -> None:
    """Each fitted float as the shortest decimal that keeps the largest error within
    ``budget``: what the fit had plus what the log's precision allows, no more
    (0.10000000149011612 from a float32 log becomes 0.1, 24.999999999999932 becomes 25).
    A shorter decimal is first checked at the screened points, then at every point."""
    for _ in range(3):  # again while a number got shorter (one may free another)
        changed = False
        for group in (c.params, c.run):
            for name, x in list(group.items()):
                if not isinstance(x, float) or x == 0 or not math.isfinite(x):
                    continue
                for digits in range(1, 17):
                    y = float(f"{x:.{digits}g}")
                    if y == x:
                        break
                    group[name] = y
                    if screen is not None and len(screen) < len(steps):
                        quick = _error(c.schedule, c.params, c.run, steps[screen],
                                       values[screen], c.end)
                        if quick is None or quick > budget:
                            group[name] = x
                            continue
                    err = _error(c.schedule, c.params, c.run, steps, values, c.end)
                    if err is not None and err <= budget:
                        c.max_rel = err
                        changed = True
                        break
                    group[name] = x
        if not changed:
            break
    c.words = _words(c.schedule, c.params, c.run)
