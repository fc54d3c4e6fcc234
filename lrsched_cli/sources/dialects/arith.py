"""The framework's arithmetic, as its Python computes it: :func:`ipow` (Python's ``**``,
with integer powers that would not finish refused), :func:`plain` (the numbers numpy
computes with exactly as Python does) and the math functions of the numpy twins of a
closed form (:func:`cos`, :func:`ppow`, :func:`pmax`, :func:`pmin`, :func:`pymap`), which
give Python's results bit for bit.

Imports only ``lrsched_cli.errors`` and the dialects' ``base`` (numpy inside functions):
never the rest of ``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib
(not even inside a function).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ...errors import UsageError
from .base import _count

INT_POW_BITS = 4096  # far past float64 (1024 bits): no rate is made of such an integer


def ipow(a: Any, b: Any) -> Any:
    """``a ** b`` as the framework's Python computes it, except that a power of two integers
    with more than INT_POW_BITS bits is refused before it is computed (Python would take
    unbounded time and memory: ``10 ** 2**63``; the framework would hang)."""
    if type(a) is int and type(b) is int and b > 0 and abs(a) > 1 \
            and b * math.log2(abs(a)) > INT_POW_BITS:
        raise UsageError(f"refused: the framework computes {_count(a)} ** {_count(b)} in "
                         f"Python integers (about {_count(int(b * math.log2(abs(a))))} bits), "
                         "which would not finish; use a float or a smaller value")
    return a ** b


def plain(*values: Any) -> bool:
    """Numbers numpy computes with exactly as Python does: floats, and ints below 2**53 (a
    bigger int is exact in Python, rounded in numpy)."""
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        if isinstance(v, int) and abs(v) >= 1 << 53:
            return False
    return True


# --------------------------------------------------------------------------------------
# The math functions of a vectorised twin: numpy's where it gives libm's result for every
# input (float64 cos here, checked once per process), else Python's own, mapped.

_NP_COS: list[bool] = []


def _np_cos_is_libm() -> bool:
    if not _NP_COS:
        import numpy as np

        rng = np.random.default_rng(12345)
        x = np.concatenate([rng.uniform(-1e3, 1e3, 4000), rng.uniform(-7, 7, 4000),
                            math.pi * np.arange(-2000, 2000) / 997.0])
        _NP_COS.append(bool(np.array_equal(np.cos(x), pymap(math.cos, x))))
    return _NP_COS[0]


def pymap(f: Callable[..., Any], *arrays: Any) -> np.ndarray:
    """``f`` (a Python function) at each element, as float64: Python's own results."""
    import numpy as np

    lists = [a.tolist() if isinstance(a, np.ndarray) else a for a in arrays]
    n = len(next(x for x in lists if isinstance(x, list)))
    lists = [x if isinstance(x, list) else [x] * n for x in lists]
    return np.fromiter(map(f, *lists), dtype=np.float64, count=n)


def cos(x: np.ndarray) -> np.ndarray:
    """``math.cos`` at each element."""
    import numpy as np

    return np.cos(x) if _np_cos_is_libm() else pymap(math.cos, x)


def ppow(x: Any, y: Any) -> np.ndarray:
    """``x ** y`` at each element as Python computes it (numpy's power differs by an ulp
    now and then); a run of equal pairs (a staircase) is computed once."""
    import numpy as np

    x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    shape = x.shape
    x, y = x.ravel(), y.ravel()
    if x.size == 0:
        return np.empty(shape)
    if np.all(y == 1.0):  # pow(x, 1) is x
        return x.copy().reshape(shape)
    starts = np.flatnonzero(np.r_[True, (x[1:] != x[:-1]) | (y[1:] != y[:-1])])
    if len(starts) * 4 > len(x):  # mostly distinct: each one computed
        return pymap(operator.pow, x, y).reshape(shape)
    vals = pymap(operator.pow, x[starts], y[starts])
    return np.repeat(vals, np.diff(np.r_[starts, len(x)])).reshape(shape)


def pmax(a: Any, b: Any) -> np.ndarray:
    """Python's ``max(a, b)``: ``a`` unless ``b > a`` (so ``max(0.0, nan)`` is 0.0)."""
    import numpy as np

    return np.where(np.greater(b, a), b, a)


def pmin(a: Any, b: Any) -> np.ndarray:
    """Python's ``min(a, b)``: ``a`` unless ``b < a``."""
    import numpy as np

    return np.where(np.less(b, a), b, a)
