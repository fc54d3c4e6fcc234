"""The ``keras`` dialect: ``keras.optimizers.schedules`` (Keras 3), ``lr[i] = schedule(i)``.

Keras computes in float32 only; lrsched computes the same formulas
(../shared/reference/frameworks.md §4) in float64, which agrees with Keras to within a few
float32 ulps of the peak (2e-6 of the peak is the tested bound). Quirks kept:
PiecewiseConstantDecay changes at ``t = b + 1`` (and sums masked values, so unsorted
boundaries give values in no list); CosineDecay's ``decay_steps`` excludes the warmup;
CosineDecayRestarts's ``t_mul`` defaults to 2 and ``m_mul`` does not scale ``alpha``.

One thing float64 cannot stand in for: CosineDecayRestarts finds the cycle with
``floor(log(1 - f*(1 - t_mul)) / log(t_mul))`` in float32, and at an exact restart that
quotient is an integer give or take a float32 ulp, so the floor decides between the peak and
the bottom of the cosine (``CosineDecayRestarts(1.0, 1, t_mul=3.0)`` at step 121 is 1.0 in
Keras, 0.0 with float64 logs; ``t_mul=1.2``, 5 steps, step 11 is the other way round). So that
index is computed as Keras on the JAX backend computes it on an x86 CPU: float32 operations,
``1 - f*(1 - t_mul)`` as one fused multiply-add, and XLA's float32 log (a Cephes polynomial,
evaluated with FMAs), reproduced bit for bit in numpy (:func:`_xla_log_f32`), for one step
per call as an optimizer calls it. The rest of the formula stays float64.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when a schedule is computed, not to list names
    import numpy as np


from ....errors import UsageError
from ..arith import cos, ipow, plain, pmin, ppow
from ..base import REQUIRED, Ctx, Dialect, Fn, FrameworkError, bind, need_number
from ..expr import Call
from ..stream import Computed, closed

R = REQUIRED
Sched = Callable[[int], float]


def _positive(a: dict[str, Any], key: str = "decay_steps") -> None:
    if a[key] <= 0:
        raise FrameworkError(f"ValueError: Argument `{key}` must be > 0. Received: "
                             f"{key}={a[key]}")


def _decay(a: dict[str, Any], form: Callable[[float, float, float], float]) -> Sched:
    """ExponentialDecay and InverseTimeDecay: ``form(init, rate, p)`` with ``p = t / T``,
    floored with ``staircase``."""
    _positive(a)
    init, T, r, stair = (a["initial_learning_rate"], a["decay_steps"], a["decay_rate"],
                         a["staircase"])

    def f(t: int) -> float:
        p = float(t) / T
        if stair:
            p = math.floor(p)
        return form(init, r, p)
    return f


def exponential_decay(a: dict[str, Any]) -> Sched:
    return _decay(a, lambda init, r, p: init * ipow(r, p))


def piecewise_constant_decay(a: dict[str, Any]) -> Sched:
    bs, vs = a["boundaries"], a["values"]
    if not isinstance(bs, (list, tuple)) or not isinstance(vs, (list, tuple)):
        raise UsageError("PiecewiseConstantDecay: boundaries and values must be lists")
    for x in (*bs, *vs):
        need_number("PiecewiseConstantDecay", "boundaries/values", x)
    if not bs:
        raise FrameworkError("IndexError: list index out of range (Keras reads boundaries[0] "
                             "when the schedule is called: boundaries=[] fails there)")
    if len(bs) != len(vs) - 1:
        raise FrameworkError(
            "ValueError: The length of boundaries should be 1 less than the length of values. "
            f"Received: boundaries={list(bs)} of length {len(bs)}, and values={list(vs)} of "
            f"length {len(vs)}.")

    def f(t: int) -> float:
        s = float(t)
        out = 0.0
        out += vs[0] if s <= bs[0] else 0.0
        out += vs[-1] if s > bs[-1] else 0.0
        for low, high, v in zip(bs[:-1], bs[1:], vs[1:-1]):
            out += v if low < s <= high else 0.0
        return out
    return f


def polynomial_decay(a: dict[str, Any]) -> Sched:
    _positive(a)
    init, T, end, power, cycle = (a["initial_learning_rate"], a["decay_steps"],
                                  a["end_learning_rate"], a["power"], a["cycle"])

    def f(t: int) -> float:
        s = float(t)
        d = float(T)
        if cycle:
            mult = 1.0 if s == 0 else math.ceil(s / d)
            d = d * mult
        else:
            s = min(s, d)
        p = s / d
        return (init - end) * (1 - p) ** power + end
    return f


def inverse_time_decay(a: dict[str, Any]) -> Sched:
    return _decay(a, lambda init, r, p: init / (1 + r * p))


def cosine_decay(a: dict[str, Any]) -> Sched:
    _positive(a)
    init, T, alpha, target, W = (a["initial_learning_rate"], a["decay_steps"], a["alpha"],
                                 a["warmup_target"], a["warmup_steps"])

    def decay(s: float, base: float) -> float:
        cos_decayed = 0.5 * (1.0 + math.cos(math.pi * (s / T)))
        return base * ((1 - alpha) * cos_decayed + alpha)

    def f(t: int) -> float:
        s = float(t)
        if target is None:
            return decay(min(s, float(T)), init)
        s = min(s, float(T + W))
        if s < W:
            return (target - init) * (s / W) + init
        return decay(s - W, target)
    return f


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


def cosine_decay_restarts(a: dict[str, Any]) -> Callable[[int, int], np.ndarray]:
    """The source of the values: Keras's float32 cycle index, then the formula in float64.

    Keras's own float32 fraction of the cycle, ``(f - sum_r) / t_mul**i``, subtracts two
    numbers of the size of ``f``, so it is off from the exact one by up to about
    ``t_mul / (t_mul - 1)`` float32 ulps (3e-6 of the peak for t_mul 1.2); lrsched keeps the
    exact float64 fraction there.
    """
    import numpy as np

    _positive(a, "first_decay_steps")
    init, T0, t_mul, m_mul, alpha = (a["initial_learning_rate"], a["first_decay_steps"],
                                     a["t_mul"], a["m_mul"], a["alpha"])
    if not t_mul > 0:
        raise FrameworkError(f"CosineDecayRestarts(...): t_mul={t_mul} makes Keras take the "
                             "log of a non-positive number: every value is nan")
    geometric = np.float32(t_mul) != np.float32(1)  # Keras's test, in float32

    def source(lo: int, hi: int) -> np.ndarray:
        t = np.arange(lo, hi, dtype=np.int64)
        i = restart_index(t, T0, t_mul).astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(i))
        if bad.size:
            k = int(t[bad[0]])
            raise FrameworkError(
                f"CosineDecayRestarts(...) is nan from step {k} in Keras: with t_mul < 1 the "
                f"restarts add up to first_decay_steps / (1 - t_mul) = {T0 / (1 - t_mul):g} "
                "steps, and past that Keras takes the log of a negative number")
        sum_r = (1.0 - t_mul ** i) / (1.0 - t_mul) if geometric else i
        frac = (t / float(T0) - sum_r) / (t_mul ** i if geometric else 1.0)
        cos_decayed = 0.5 * m_mul ** i * (1.0 + np.cos(math.pi * frac))
        return init * ((1 - alpha) * cos_decayed + alpha)
    return source


# numpy twins of the closed forms above (same operations, same order), for plain numbers.


def _f(x: Any) -> np.ndarray:
    import numpy as np

    return np.asarray(x, dtype=np.float64)


def _v_decay(a: dict[str, Any], form: str) -> Any:
    import numpy as np

    init, T, r, stair = (a["initial_learning_rate"], a["decay_steps"], a["decay_rate"],
                         a["staircase"])
    if not plain(init, T, r) or (form == "exp" and not isinstance(r, float)):
        return None

    def f(t: np.ndarray) -> np.ndarray:
        p = _f(t) / T
        if stair:
            p = np.floor(p)
        return init * ppow(r, p) if form == "exp" else init / (1 + r * p)
    return f


def _v_piecewise(a: dict[str, Any]) -> Any:
    import numpy as np

    bs, vs = a["boundaries"], a["values"]
    if not plain(*bs, *vs):
        return None

    def f(t: np.ndarray) -> np.ndarray:
        s = _f(t)
        out = np.zeros(t.shape)
        out = out + np.where(s <= bs[0], float(vs[0]), 0.0)
        out = out + np.where(s > bs[-1], float(vs[-1]), 0.0)
        for low, high, v in zip(bs[:-1], bs[1:], vs[1:-1]):
            out = out + np.where((low < s) & (s <= high), float(v), 0.0)
        return out
    return f


def _v_polynomial(a: dict[str, Any]) -> Any:
    import numpy as np

    init, T, end, power, cycle = (a["initial_learning_rate"], a["decay_steps"],
                                  a["end_learning_rate"], a["power"], a["cycle"])
    if not plain(init, T, end, power):
        return None

    def f(t: np.ndarray) -> np.ndarray:
        s = _f(t)
        d = float(T)
        if cycle:
            mult = np.where(s == 0, 1.0, np.ceil(s / d))
            d = d * mult
        else:
            s = pmin(s, d)
        p = s / d
        return (init - end) * ppow(1 - p, power) + end
    return f


def _v_cosine(a: dict[str, Any]) -> Any:
    import numpy as np

    init, T, alpha, target, W = (a["initial_learning_rate"], a["decay_steps"], a["alpha"],
                                 a["warmup_target"], a["warmup_steps"])
    if not plain(init, T, alpha, W) or (target is not None and not plain(target)):
        return None

    def decay(s: np.ndarray, base: float) -> np.ndarray:
        cos_decayed = 0.5 * (1.0 + cos(math.pi * (s / T)))
        return base * ((1 - alpha) * cos_decayed + alpha)

    def f(t: np.ndarray) -> np.ndarray:
        s = _f(t)
        if target is None:
            return decay(pmin(s, float(T)), init)
        s = pmin(s, float(T + W))
        out = np.empty(t.shape)
        warm = s < W
        out[warm] = (target - init) * (s[warm] / W) + init
        out[~warm] = decay(s[~warm] - W, target)
        return out
    return f


_VECTORS = {"ExponentialDecay": lambda a: _v_decay(a, "exp"),
            "InverseTimeDecay": lambda a: _v_decay(a, "inv"),
            "PiecewiseConstantDecay": _v_piecewise, "PolynomialDecay": _v_polynomial,
            "CosineDecay": _v_cosine}


I0 = ("initial_learning_rate", R)
NAME = ("name", None)
_FUNCS: dict[str, tuple[tuple[tuple[str, Any], ...], Any, str]] = {
    "ExponentialDecay": ((I0, ("decay_steps", R), ("decay_rate", R), ("staircase", False),
                          NAME), exponential_decay, "I * rate ** (t / T)"),
    "PiecewiseConstantDecay": ((("boundaries", R), ("values", R), NAME),
                               piecewise_constant_decay, "values[k], changing at t = b + 1"),
    "PolynomialDecay": ((I0, ("decay_steps", R), ("end_learning_rate", 0.0001), ("power", 1.0),
                         ("cycle", False), NAME), polynomial_decay,
                        "(I - E) * (1 - t/T) ** power + E"),
    "InverseTimeDecay": ((I0, ("decay_steps", R), ("decay_rate", R), ("staircase", False),
                          NAME), inverse_time_decay, "I / (1 + rate * t / T)"),
    "CosineDecay": ((I0, ("decay_steps", R), ("alpha", 0.0), NAME, ("warmup_target", None),
                     ("warmup_steps", 0)), cosine_decay,
                    "optional linear warmup to warmup_target, then cosine over decay_steps"),
    "CosineDecayRestarts": ((I0, ("first_decay_steps", R), ("t_mul", 2.0), ("m_mul", 1.0),
                             ("alpha", 0.0), NAME), cosine_decay_restarts,
                            "cosine with restarts (t_mul 2 by default; the cycle index in "
                            "float32, as Keras finds it)"),
}
FUNCTIONS: dict[str, Fn] = {n: Fn(n, p, s, takes_optimizer=False)
                            for n, (p, _, s) in _FUNCS.items()}


def implied_steps(call: Call) -> int | None:
    try:
        a = bind(DIALECT.check_name(call), call)
    except UsageError:
        return None
    if call.name in ("PolynomialDecay",) and not a["cycle"] and isinstance(a["decay_steps"], int):
        return a["decay_steps"]
    if call.name == "CosineDecay" and isinstance(a["decay_steps"], int):
        w = a["warmup_steps"] if a["warmup_target"] is not None else 0
        return a["decay_steps"] + (w if isinstance(w, int) else 0)
    return None


def evaluate(call: Call, ctx: Ctx) -> Computed:
    fn = DIALECT.check_name(call)
    a = bind(fn, call)
    init = a.get("initial_learning_rate")
    if isinstance(init, int) and not isinstance(init, bool):
        raise UsageError(
            f"{call.name}: initial_learning_rate={init} is an int, and Keras then computes in "
            f"integers (decay_rate 0.5 becomes 0, pi becomes 3); lrsched does not reproduce "
            f"that: write {float(init)!r}")
    for k, v in a.items():
        if k not in ("boundaries", "values", "name", "staircase", "cycle"):
            need_number(call.name, k, v, allow_none=True)
    if call.name == "CosineDecayRestarts":
        source = cosine_decay_restarts(a)
        return Computed(ctx.length(lambda: implied_steps(call), f"'{call.source}'"), source)
    f = _FUNCS[call.name][1](a)
    n = ctx.length(lambda: implied_steps(call), f"'{call.source}'")
    return Computed(n, closed(f, f"{call.name}(...)", _VECTORS[call.name](a)))


DIALECT = Dialect(
    name="keras", title="keras.optimizers.schedules",
    prefixes=("keras.optimizers.schedules", "optimizers.schedules", "schedules",
              "tf.keras.optimizers.schedules"),
    functions=FUNCTIONS, uses_base_lr=False,
    convention="lr[i] = schedule(i); Keras computes in float32, lrsched in float64",
)
DIALECT.evaluate = evaluate
