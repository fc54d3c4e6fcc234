"""What every log reader shares: the :class:`Log` record, the missing-extra failure, the
choice of the learning-rate series (``--column`` or the one obvious name), the checks of
JSON numbers and steps, and the tidying of a series (steps sorted and unique, values finite
and not negative).

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, codegen).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from ...errors import LrschedError, UsageError

_LR = re.compile(r"(^|[^a-z])(lr|learning[_\- ]?rate)($|[^a-z])", re.IGNORECASE)


class MissingExtra(LrschedError):
    """An optional dependency is not installed (a runtime failure: exit 1)."""

    exit_code = 1


@dataclass
class Log:
    """What a log file held: steps, values and where they came from."""

    steps: np.ndarray
    values: np.ndarray
    column: str
    fmt: str
    float32: bool
    unit: str = "step"
    note: str = ""  # said on stderr when the column was chosen for the user


def _err(path: str, text: str) -> UsageError:
    return UsageError(f"log '{path}': {text}")


def is_lr_name(name: str) -> bool:
    """``lr``, ``lr-SGD``, ``learning_rate``, ``train/lr``... (not ``val_`` copies)."""
    return bool(_LR.search(name))


def _is_float32(values: np.ndarray) -> bool:
    """Every value is a float32 widened to float64, and not all are short decimals."""
    if not len(values):
        return False
    f32 = values.astype(np.float32).astype(np.float64)
    if not np.array_equal(f32, values):
        return False
    return any(len(repr(float(v)).replace("-", "").lstrip("0.")) > 10 for v in values[:200])


# --------------------------------------------------------------------------------------
# Choosing the series.

def _choose(path: str, available: dict[str, int], column: str | None,
            what: str = "column") -> tuple[str, str]:
    """(name, note): the user's ``--column``, or the one obvious learning-rate series.

    ``available`` maps each series to its count of values.
    """
    names = list(available)
    if column is not None:
        if column in available:
            return column, ""
        low = {n.lower(): n for n in names}
        if column.lower() in low:
            return low[column.lower()], ""
        raise _err(path, f"no {what} '{column}'; it holds {_listing(available)}")
    lr = [n for n in names if is_lr_name(n) and available[n] > 0]
    if len(lr) > 1:  # Keras writes val_learning_rate as a copy (or NA)
        lr = [n for n in lr if not n.lower().startswith("val")] or lr
    if len(lr) == 1:
        return lr[0], f"log '{path}': using {what} '{lr[0]}' (--column picks another)"
    if not lr:
        raise _err(path, f"no learning-rate {what} found; it holds {_listing(available)} "
                         f"(pick one with --column)")
    raise _err(path, f"{len(lr)} learning-rate {what}s: {', '.join(lr)}; pick one with "
                     "--column")


def _listing(available: dict[str, int], most: int = 12) -> str:
    if not available:
        return "nothing"
    shown = ", ".join(f"'{n}' ({k} values)" for n, k in list(available.items())[:most])
    more = len(available) - most
    return shown + (f" and {more:,} more" if more > 0 else "")


# --------------------------------------------------------------------------------------
# Steps: sorted, unique; repeats with the same value merged, with another value refused.

MAX_LOG_STEP = 2**53  # steps beyond float64's exact integers cannot be compared


def _values(path: str, items: object, what: str) -> np.ndarray:
    """A JSON list of rates as float64: every item a number (not a bool, string or list)."""
    if not isinstance(items, list):
        raise _err(path, f"{what} is {type(items).__name__}, not a list of numbers")
    for k, x in enumerate(items):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise _err(path, f"{what}[{k}] is {_shown(x)}, not a number")
    return np.array(items, dtype=np.float64)


def _steps(path: str, items: object, what: str) -> np.ndarray:
    """A JSON list of steps as int64: whole numbers within +-2**53."""
    if not isinstance(items, list):
        raise _err(path, f"{what} is {type(items).__name__}, not a list of steps")
    for k, x in enumerate(items):
        _step(path, x, f"{what}[{k}]")
    return np.array(items, dtype=np.int64)


def _step(path: str, x: object, what: str) -> int:
    ok = isinstance(x, int) and not isinstance(x, bool) or (
        isinstance(x, float) and x.is_integer())
    if not ok or abs(x) > MAX_LOG_STEP:  # type: ignore[arg-type]
        raise _err(path, f"{what} is {_shown(x)}, not a whole step (at most 2**53)")
    return int(x)  # type: ignore[arg-type]


def _shown(x: object) -> str:
    text = json.dumps(x) if isinstance(x, (list, dict, str, type(None), bool)) else repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _tidy(path: str, steps: np.ndarray, values: np.ndarray,
          lines: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    if not len(values):
        raise _err(path, "the learning-rate series has no values")
    bad = ~np.isfinite(values)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        where = f"line {int(lines[k])}" if lines is not None else f"step {int(steps[k])}"
        raise _err(path, f"{where}: learning rate {float(values[k])!r} is not a finite number")
    if (values < 0).any():
        k = int(np.flatnonzero(values < 0)[0])
        where = f"line {int(lines[k])}" if lines is not None else f"step {int(steps[k])}"
        raise _err(path, f"{where}: negative learning rate {float(values[k])!r}")
    order = np.argsort(steps, kind="stable")
    steps, values = steps[order], values[order]
    lines = lines[order] if lines is not None else None
    same = np.flatnonzero(np.diff(steps) == 0)
    if len(same):
        clash = same[values[same] != values[same + 1]]
        if len(clash):
            k = int(clash[0])
            where = (f" (lines {int(lines[k])} and {int(lines[k + 1])})" if lines is not None
                     else "")
            a, b = float(values[k]), float(values[k + 1])
            raise _err(path, f"step {int(steps[k])} is logged twice with different values, "
                             f"{a!r} and {b!r}{where}: a resumed run? keep one part (or "
                             "--column another series)")
        keep = np.ones(len(steps), dtype=bool)
        keep[same + 1] = False
        steps, values = steps[keep], values[keep]
    return steps, values
