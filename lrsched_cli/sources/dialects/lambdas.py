"""The lambdas of a pasted expression (``lambda epoch: 0.95 ** epoch``): checked against the
subset ``expr`` accepts (its docstring says which) and interpreted node by node, never
evaluated with Python's ``eval``; and the guarded arithmetic both share, which refuses an
integer beyond MAX_INT_BITS before building it (``9**9**9`` would take minutes and
gigabytes; :class:`TooBig`).

Imports only ``lrsched_cli.errors``: never the rest of ``lrsched_cli.sources``, never typer,
click, rich, plotext or matplotlib (not even inside a function), nor numpy.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...errors import UsageError


@dataclass
class Lambda:
    """A checked ``lambda x: ...``; calling it evaluates the body by interpretation."""

    param: str
    body: ast.AST
    source: str
    fn: Callable[[Any], Any] = field(repr=False, default=None)  # type: ignore[assignment]

    def __call__(self, x: Any) -> Any:
        try:
            return self.fn(x)
        except TooBig as e:  # lrsched's bound, not the framework's error: said as such
            raise UsageError(f"refused lambda '{self.source}' at {self.param}={x!r}: {e}") \
                from None


def _seg(text: str, node: ast.AST) -> str:
    s = ast.get_source_segment(text, node) or ast.unparse(node)
    return s if len(s) <= 60 else s[:57] + "..."


def refuse(text: str, node: ast.AST, what: str) -> UsageError:
    return UsageError(f"refused {what} '{_seg(text, node)}': only literals, the accepted "
                      "calls and simple lambdas are allowed")


_BIN: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_,
}
_CMP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}
_MATH_FUNCS = ("cos", "sin", "tan", "acos", "asin", "atan", "cosh", "sinh", "tanh", "exp",
               "expm1", "log", "log1p", "log2", "log10", "sqrt", "floor", "ceil", "pow",
               "fabs", "trunc", "isclose", "copysign", "hypot", "atan2")
_MATH_CONSTS = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf}
def _int(x: Any) -> int:
    return _check_int(int(x))


def _pow3(a: Any, b: Any, mod: Any = None) -> Any:
    return _power(a, b) if mod is None else pow(a, b, mod)


_BUILTINS: dict[str, Callable[..., Any]] = {
    "min": min, "max": max, "abs": abs, "float": float, "int": _int, "round": round,
    "pow": _pow3,
}
MODULE_ALIASES = ("math", "np", "numpy", "jnp", "jax.numpy")


MAX_INT_BITS = 256  # integers in an expression: |x| < 2**256 (77 digits); beyond is a bomb


class TooBig(ArithmeticError):
    """An integer an expression would build is beyond MAX_INT_BITS (its cost unbounded)."""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _bits_of_power(a: int, b: int) -> float:
    return b * math.log2(abs(a)) if abs(a) > 1 else 0.0


def _check_int(v: Any) -> Any:
    if _is_int(v) and v.bit_length() > MAX_INT_BITS:
        raise TooBig(f"an integer of {v.bit_length():,} bits; at most {MAX_INT_BITS}")
    return v


def _power(a: Any, b: Any) -> Any:
    """``a ** b``, refused before computing when an integer result would be beyond
    MAX_INT_BITS (``9**9**9`` would take minutes and gigabytes)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == 0 and b < 0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    if _is_int(a) and _is_int(b) and b > 0 and _bits_of_power(a, b) > MAX_INT_BITS:
        raise TooBig(f"{_digits(a)} ** {_digits(b)} would have about "
                     f"{_bits_of_power(a, b):,.0f} bits; integers may have at most "
                     f"{MAX_INT_BITS}")
    return _check_int(a ** b)


def _digits(v: int) -> str:
    text = str(v) if v.bit_length() <= 64 else f"<a {len(str(v))}-digit integer>"
    return text


def _guarded(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``op`` on numbers, refusing integer products beyond MAX_INT_BITS before computing."""
    def f(a: Any, b: Any) -> Any:
        if op is operator.mul and _is_int(a) and _is_int(b) \
                and a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
            raise TooBig(f"a product of {a.bit_length() + b.bit_length():,} bits; integers "
                         f"may have at most {MAX_INT_BITS}")
        return _check_int(op(a, b))
    return f


_SAFE_BIN: dict[type, Callable[[Any, Any], Any]] = {
    k: (_power if k is ast.Pow else _guarded(v)) for k, v in _BIN.items()}


def _func_name(node: ast.AST) -> str | None:
    """``math.cos`` -> 'math.cos', ``min`` -> 'min'; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _math_func(qual: str) -> Callable[..., Any] | None:
    mod, _, fn = qual.rpartition(".")
    if mod not in MODULE_ALIASES:
        return None
    if fn in _MATH_FUNCS:
        return getattr(math, fn)
    if fn in ("minimum", "maximum"):
        return min if fn == "minimum" else max
    if fn == "abs":
        return abs
    if fn == "power":
        return _power
    if fn == "where":
        return lambda c, a, b: a if c else b
    if fn == "clip":
        return lambda x, lo, hi: min(max(x, lo), hi)
    return None


def check_lambda(text: str, node: ast.Lambda) -> Lambda:
    """Check a lambda's body against the allowed subset and build its interpreter."""
    a = node.args
    if (len(a.args) != 1 or a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs
            or a.defaults):
        raise refuse(text, node, "lambda signature")
    param = a.args[0].arg
    if param.startswith("__"):
        raise refuse(text, node, "dunder name")

    def build(n: ast.AST) -> Callable[[Any], Any]:
        f = build_node(n)
        if isinstance(n, (ast.BinOp, ast.Call, ast.UnaryOp)) and not any(
                isinstance(m, ast.Name) and m.id == param for m in ast.walk(n)):
            try:  # a constant piece: computed once, here, so that a bomb is refused now
                v = f(None)
            except TooBig as e:
                raise UsageError(f"refused '{_seg(text, n)}': {e}") from None
            except (ArithmeticError, ValueError, TypeError):
                return f  # (raised again, with its step, when the schedule is computed)
            return lambda x: v
        return f

    def build_node(n: ast.AST) -> Callable[[Any], Any]:
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float, bool)):
            if _is_int(n.value) and n.value.bit_length() > MAX_INT_BITS:
                raise refuse(text, n, f"integer of {len(str(n.value))} digits (at most "
                             f"{len(str(2 ** MAX_INT_BITS))})")
            v = n.value
            return lambda x: v
        if isinstance(n, ast.Name):
            if n.id == param:
                return lambda x: x
            if n.id in ("True", "False"):
                v = n.id == "True"
                return lambda x: v
            raise refuse(text, n, "name")
        if isinstance(n, ast.Attribute):
            qual = _func_name(n)
            mod, _, attr = (qual or "").rpartition(".")
            if mod in MODULE_ALIASES and attr in _MATH_CONSTS:
                v = _MATH_CONSTS[attr]
                return lambda x: v
            raise refuse(text, n, "attribute access")
        if isinstance(n, ast.BinOp) and type(n.op) in _BIN:
            left, right = build(n.left), build(n.right)
            op = _SAFE_BIN[type(n.op)]
            return lambda x: op(left(x), right(x))
        if isinstance(n, ast.UnaryOp) and type(n.op) in _UNARY:
            inner, uop = build(n.operand), _UNARY[type(n.op)]
            return lambda x: uop(inner(x))
        if isinstance(n, ast.BoolOp):
            parts = [build(v) for v in n.values]
            if isinstance(n.op, ast.And):
                def f_and(x: Any) -> Any:
                    r: Any = True
                    for p in parts:
                        r = p(x)
                        if not r:
                            return r
                    return r
                return f_and

            def f_or(x: Any) -> Any:
                r: Any = False
                for p in parts:
                    r = p(x)
                    if r:
                        return r
                return r
            return f_or
        if isinstance(n, ast.Compare) and all(type(o) in _CMP for o in n.ops):
            first = build(n.left)
            rest = [(_CMP[type(o)], build(c)) for o, c in zip(n.ops, n.comparators)]

            def f_cmp(x: Any) -> bool:
                left = first(x)
                for op, c in rest:
                    right = c(x)
                    if not op(left, right):
                        return False
                    left = right
                return True
            return f_cmp
        if isinstance(n, ast.IfExp):
            test, yes, no = build(n.test), build(n.body), build(n.orelse)
            return lambda x: yes(x) if test(x) else no(x)
        if isinstance(n, ast.Call) and not n.keywords:
            qual = _func_name(n.func)
            fn = _BUILTINS.get(qual or "") or (_math_func(qual) if qual else None)
            if fn is None:
                raise refuse(text, n, "call")
            args = [build(x) for x in n.args]
            return lambda x: fn(*(g(x) for g in args))
        raise refuse(text, n, _kind(n))

    lam = Lambda(param=param, body=node.body, source=_seg(text, node))
    lam.fn = build(node.body)
    return lam


def _kind(n: ast.AST) -> str:
    return {
        ast.Attribute: "attribute access", ast.Subscript: "subscript", ast.Call: "call",
        ast.ListComp: "comprehension", ast.GeneratorExp: "comprehension",
        ast.DictComp: "comprehension", ast.SetComp: "comprehension", ast.Name: "name",
        ast.Starred: "starred argument", ast.NamedExpr: "assignment expression",
        ast.JoinedStr: "f-string", ast.Await: "await", ast.Yield: "yield",
    }.get(type(n), type(n).__name__.lower() + " expression")
