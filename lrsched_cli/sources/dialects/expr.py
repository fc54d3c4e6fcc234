"""Safe reading of a pasted scheduler call: parsed with ``ast``, never evaluated.

What is accepted: one call expression ``Name(...)`` or ``a.b.Name(...)``; as arguments,
literals (numbers, strings, True/False/None, lists, tuples, dicts, and arithmetic on
numbers such as ``-1e-3`` or ``10 * 100``), nested calls (checked by the dialect), and
``lambda`` expressions whose body uses only the parameter, numbers, arithmetic,
comparisons, ``and``/``or``/``not``, conditional expressions, ``min``/``max``/``abs``/
``float``/``int``/``round`` and ``math.*`` (or ``np.*``/``jnp.*`` for optax) functions.
Anything else is refused with a one-line error that quotes the offending piece. The lambdas
are checked and interpreted in ``lambdas``, whose guarded arithmetic literal arithmetic here
shares.

Imports only ``lrsched_cli.errors`` and the dialects' ``lambdas``: never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function), nor numpy.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from .lambdas import (
    _BIN,
    _MATH_CONSTS,
    _SAFE_BIN,
    MAX_INT_BITS,
    MODULE_ALIASES,
    Lambda,
    TooBig,
    _func_name,
    _is_int,
    _kind,
    _seg,
    check_lambda,
    refuse,
)

MAX_EXPR = 100_000


@dataclass
class Call:
    """A parsed call: ``qualifier.name(args, kwargs)``."""

    name: str
    qualifier: str
    args: list[Any]
    kwargs: dict[str, Any]
    source: str
    optimizer: str | None = None  # a bare name passed where the optimizer goes (dropped)


@dataclass
class Placeholder:
    """A bare name (``optimizer``) where the dialect expects the optimizer argument."""

    name: str
    source: str


def parse_call(text: str, allow_lambda_root: bool = False) -> Call | Lambda:
    """Parse ``text`` as one call expression (or a lambda, when allowed)."""
    if len(text) > MAX_EXPR:
        raise UsageError(f"expression is {len(text)} characters long; at most {MAX_EXPR}")
    src = text.strip()
    if _depth(src) > MAX_DEPTH:
        raise UsageError(f"expression nested {_depth(src)} levels deep; at most {MAX_DEPTH}")
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as e:
        where = f" at column {e.offset}" if e.offset else ""
        raise UsageError(f"cannot parse expression '{_short(src)}'{where}: {e.msg}") from None
    except ValueError as e:  # an integer literal beyond Python's 4300 digits
        raise UsageError(f"cannot parse expression '{_short(src)}': {e}") from None
    except (RecursionError, MemoryError):
        raise UsageError("expression nested too deeply to read") from None
    node = tree.body
    try:
        if isinstance(node, ast.Lambda) and allow_lambda_root:
            return check_lambda(src, node)
        if not isinstance(node, ast.Call):
            raise UsageError(f"expected one call like 'StepLR(step_size=10)', got "
                             f"'{_short(src)}'")
        return _call(src, node)
    except RecursionError:
        raise UsageError("expression nested too deeply to read") from None


MAX_DEPTH = 50


def _depth(src: str) -> int:
    """The deepest bracket nesting of ``src`` (strings included: a cheap upper bound)."""
    depth = best = 0
    for ch in src:
        if ch in "([{":
            depth += 1
            best = max(best, depth)
        elif ch in ")]}":
            depth -= 1
    return best


def _short(s: str) -> str:
    return s if len(s) <= 60 else s[:57] + "..."


def _call(text: str, node: ast.Call) -> Call:
    qual = _func_name(node.func)
    if qual is None:
        raise refuse(text, node.func, "callee")
    for part in qual.split("."):
        if part.startswith("__"):
            raise refuse(text, node.func, "dunder name")
    qualifier, _, name = qual.rpartition(".")
    args = []
    optimizer = None
    for i, a in enumerate(node.args):
        if isinstance(a, ast.Starred):
            raise refuse(text, a, "starred argument")
        if isinstance(a, ast.Name) and a.id not in ("True", "False", "None"):
            if i == 0 or (i == 1 and name == "get_scheduler"):
                optimizer = a.id
                args.append(Placeholder(a.id, _seg(text, a)))
                continue
            raise refuse(text, a, "name")
        args.append(value(text, a))
    kwargs: dict[str, Any] = {}
    for kw in node.keywords:
        if kw.arg is None:
            raise refuse(text, kw.value, "** argument")
        if kw.arg.startswith("__"):
            raise refuse(text, kw, "dunder name")
        if kw.arg == "optimizer" and isinstance(kw.value, ast.Name):
            optimizer = kw.value.id
            continue
        kwargs[kw.arg] = value(text, kw.value)
    return Call(name=name, qualifier=qualifier, args=args, kwargs=kwargs,
                source=_seg(text, node), optimizer=optimizer)


def value(text: str, n: ast.AST) -> Any:
    """A literal (or nested call / lambda) argument value."""
    if isinstance(n, ast.Constant):
        if _is_int(n.value) and n.value.bit_length() > MAX_INT_BITS:
            raise refuse(text, n, f"integer of {len(str(n.value))} digits (at most "
                         f"{len(str(2 ** MAX_INT_BITS))})")
        if isinstance(n.value, (int, float, str, bool)) or n.value is None:
            return n.value
        raise refuse(text, n, "constant")
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        v = value(text, n.operand)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return -v if isinstance(n.op, ast.USub) else v
        raise refuse(text, n, "operation")
    if isinstance(n, ast.BinOp) and type(n.op) in _BIN:
        a, b = value(text, n.left), value(text, n.right)
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b)):
            try:
                return _SAFE_BIN[type(n.op)](a, b)
            except TooBig as e:
                raise UsageError(f"refused '{_seg(text, n)}': {e}") from None
            except (ArithmeticError, ValueError) as e:
                raise UsageError(f"cannot compute '{_seg(text, n)}': {e}") from None
        raise refuse(text, n, "operation")
    if isinstance(n, (ast.List, ast.Tuple)):
        items = [value(text, x) for x in n.elts]
        return items if isinstance(n, ast.List) else tuple(items)
    if isinstance(n, ast.Dict):
        out = {}
        for k, v in zip(n.keys, n.values):
            if k is None:
                raise refuse(text, v, "** in a dict")
            out[value(text, k)] = value(text, v)
        return out
    if isinstance(n, ast.Call):
        qual = _func_name(n.func)
        if qual in ("float", "int") and len(n.args) == 1 and not n.keywords:
            inner = value(text, n.args[0])
            if isinstance(inner, str) and inner.strip().lower() in ("inf", "-inf", "nan"):
                return float(inner)
            if isinstance(inner, (int, float, str)):
                try:
                    return float(inner) if qual == "float" else int(inner)
                except ValueError:
                    raise refuse(text, n, "conversion") from None
        return _call(text, n)
    if isinstance(n, ast.Lambda):
        return check_lambda(text, n)
    if isinstance(n, ast.Attribute):
        qual = _func_name(n) or ""
        mod, _, attr = qual.rpartition(".")
        if mod in MODULE_ALIASES and attr in _MATH_CONSTS:
            return _MATH_CONSTS[attr]
        raise refuse(text, n, "attribute access")
    raise refuse(text, n, _kind(n))
