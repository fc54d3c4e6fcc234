"""How numbers read on screen: one formatter for every table, chosen per column, and one
for titles and labels. (Exports write exact values; these are for reading.)

A column is written in one notation: fixed (``0.0756976``) when every non-zero value lies in
[1e-4, 1e6), else scientific for all of them (``3.69721e-4``, ``1.34627e-3``), with as many
significant digits (6 down to 2) as fit its width. Exponents are written short (``e-4``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

FIXED_RANGE = (1e-4, 1e6)  # fixed notation: at most 3 zeros after the point


def short_exp(text: str) -> str:
    """``3e-05`` -> ``3e-5``, ``1e+07`` -> ``1e7``."""
    return text.replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


def _sci(v: float, sig: int) -> str:
    if v == 0:
        return "0"
    mant, exp = f"{v:.{max(sig - 1, 0)}e}".split("e")
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    return f"{mant}e{int(exp)}"


def _fixed(v: float, sig: int) -> str:
    return short_exp(f"{v:.{sig}g}")


def column_format(values: Sequence[float | None], room: int | None = None,
                  sig: int = 6) -> Callable[[float | None], str]:
    """The formatter of one column holding ``values`` (None: a blank, shown as ``-``): one
    notation for the whole column, at most ``sig`` significant digits, fewer if ``room``
    characters would not hold them."""
    nums = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    nonzero = [abs(v) for v in nums if v != 0]
    lo, hi = FIXED_RANGE
    fixed = all(lo <= a < hi for a in nonzero)
    write = _fixed if fixed else _sci
    digits = sig
    if room is not None:
        while digits > 2 and any(len(write(v, digits)) > room for v in nums):
            digits -= 1

    def f(v: float | None) -> str:
        if v is None:
            return "-"
        v = float(v)
        if not math.isfinite(v):
            return str(v)
        return write(v, digits)

    return f


def one(v: float, sig: int = 6) -> str:
    """A single number for reading (its own column)."""
    return column_format([v], sig=sig)(v)


def label_number(v: object) -> str:
    """A number in a title, legend or header: floats as their shortest exact text with a
    short exponent (``3e-5``), whole numbers of 10,000 and more with ``_`` between thousands
    (``10_000_000``, as Python writes them: a comma would read as the next parameter)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        iv = int(v)
        return f"{iv:_}" if abs(iv) >= 10_000 else str(iv)
    return short_exp(repr(float(v)))
