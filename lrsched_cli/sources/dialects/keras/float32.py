"""Keras's float32 cycle index of CosineDecayRestarts, as Keras on the JAX backend computes it
on an x86 CPU (the package's docstring says why it matters): float32 operations, ``1 - f*(1 -
t_mul)`` as one fused multiply-add (:func:`_fma_f32`) and XLA's float32 log
(:func:`_xla_log_f32`, a Cephes polynomial evaluated with FMAs), bit for bit in numpy.

Imports nothing of lrsched_cli (numpy inside functions): never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


_F32_MIN_NORMAL = 1.1754944e-38
# XLA's float32 log (xla/service/cpu: the Cephes logf polynomial), by bit pattern.
_LOG_P = (0x3D9021BB, 0xBDEBD1B8, 0x3DEF251A, 0xBDFE5D4F, 0x3E11E9BF, 0xBE2AAE50, 0x3E4CCEAC,
          0xBE7FFFFC, 0x3EAAAAAA)
_LOG_Q1, _LOG_Q2, _SQRT_HALF = 0xB95E8083, 0x3F318000, 0x3F3504F3


def _f32(bits: int) -> Any:
    import numpy as np

    return np.array([bits], dtype=np.uint32).view(np.float32)[0]


def _fma_f32(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a*b + c`` rounded once to float32, as the FMA instruction does.

    The float32 product is exact in float64; the float64 sum is rounded to odd (the
    neighbour with an odd last bit when inexact), after which rounding to float32 is exact
    rounding of the true sum (53 >= 24 + 2 bits), with no double-rounding error.
    """
    import numpy as np

    p = np.asarray(a, dtype=np.float32).astype(np.float64) * np.asarray(b, dtype=np.float32)
    c64 = np.asarray(c, dtype=np.float32).astype(np.float64)
    s = p + c64
    bb = s - p
    err = (p - (s - bb)) + (c64 - bb)
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0)
    if np.any(fix):
        s = np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)
    return s.astype(np.float32)


def _xla_log_f32(x: Any) -> np.ndarray:
    """float32 ``log(x)`` exactly as XLA's CPU backend computes it (x > 0).

    frexp into a mantissa in [sqrt(1/2), sqrt(2)) minus 1 and an exponent, a degree-8
    polynomial as three interleaved Horner chains, and ``e*ln2`` split in two constants;
    with LLVM contracting each single-use multiply into the following add (FMA). Checked
    against jax's ``jnp.log`` on every float32 in [0.5, 4) and 4 million others.
    """
    import numpy as np

    f32 = np.float32
    x = np.maximum(np.asarray(x, dtype=f32), f32(_F32_MIN_NORMAL))
    bits = x.view(np.uint32)
    e = ((bits >> 23).astype(np.int32) - 127).astype(f32) + f32(1)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(f32)
    low = m < _f32(_SQRT_HALF)
    m1 = m - f32(1)
    e = e - np.where(low, f32(1), f32(0))
    m1 = m1 + np.where(low, m, f32(0))
    m2 = m1 * m1
    m3 = m2 * m1
    p = [_f32(b) for b in _LOG_P]
    y0 = _fma_f32(_fma_f32(m1, p[0], p[1]), m1, p[2])
    y1 = _fma_f32(_fma_f32(m1, p[3], p[4]), m1, p[5])
    y2 = _fma_f32(_fma_f32(m1, p[6], p[7]), m1, p[8])
    y = _fma_f32(_fma_f32(y0, m3, y1), m3, y2)
    y = _fma_f32(y, m3, _f32(_LOG_Q1) * e)
    r = _fma_f32(-m2, f32(0.5), m1) + y
    return _fma_f32(_f32(_LOG_Q2), e, r)


def restart_index(t: np.ndarray, first_decay_steps: Any, t_mul: Any) -> np.ndarray:
    """Keras's cycle index ``i_restart`` at the steps ``t``, in float32 as Keras has it."""
    import numpy as np

    f32 = np.float32
    frac = t.astype(f32) / f32(first_decay_steps)
    tm = f32(t_mul)
    if tm == f32(1):
        return np.floor(frac)
    with np.errstate(invalid="ignore", divide="ignore"):
        arg = _fma_f32(-frac, f32(1) - tm, f32(1))  # 1 - f*(1 - t_mul), one FMA
        q = _xla_log_f32(np.where(arg > 0, arg, f32(1))) / _xla_log_f32(tm)
        return np.where(arg > 0, np.floor(q), np.nan)
