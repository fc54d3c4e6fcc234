"""Python config files read with ``ast``, never executed (MMEngine configs, a Lightning
module's ``configure_optimizers``).

:func:`module_values` gives the module-level assignments whose values are literals: numbers,
strings, booleans, None, lists, tuples, dicts, ``dict(key=value)`` calls, names bound earlier
in the file, and arithmetic on them (``+ - * / // % **``, unary minus). Anything else is a
:class:`Code`: its source text and its node, for a format to read further (a scheduler call
is read by the torch dialect) or to refuse with its line. Imports the standard library and
errors only.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow}
MAX_POWER = 1024  # a literal exponent above this is refused (no 10 ** 10 ** 10 bombs)
MAX_INT_BITS = 4096  # nor products that grow line by line


@dataclass(frozen=True)
class Code:
    """A value that is not a literal: its source text, node and line."""

    text: str
    node: ast.AST
    line: int


class NotLiteral(Exception):
    pass


def parse_module(text: str, file_name: str) -> ast.Module:
    try:
        return ast.parse(text, filename=file_name)
    except SyntaxError as e:
        raise UsageError(f"'{file_name}' is not valid Python: {e.msg} at line {e.lineno}") \
            from None
    except (ValueError, RecursionError, MemoryError):
        raise UsageError(f"'{file_name}' cannot be read as Python (nested too deeply or "
                         "not text)") from None


def literal(node: ast.AST, names: dict[str, Any]) -> Any:
    """The value of ``node`` if it is a literal (see the module docstring), else raises
    :class:`NotLiteral`. ``names``: the values bound so far (a :class:`Code` is not one)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        v = names.get(node.id, _MISSING)
        if v is _MISSING or isinstance(v, Code):
            raise NotLiteral(node.id)
        return v
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [literal(e, names) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):  # {**other}
            raise NotLiteral("**")
        return {literal(k, names): literal(v, names) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
            and not node.args and all(k.arg is not None for k in node.keywords):
        return {k.arg: literal(k.value, names) for k in node.keywords}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _number(literal(node.operand, names))
        return -v if isinstance(node.op, ast.USub) else +v
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        a, b = literal(node.left, names), literal(node.right, names)
        if isinstance(node.op, ast.Pow) and (not isinstance(b, (int, float))
                                             or abs(b) > MAX_POWER):
            raise NotLiteral("**")
        if isinstance(node.op, ast.Add) and isinstance(a, (str, list)) and type(a) is type(b):
            return a + b
        try:
            v = _BINARY[type(node.op)](_number(a), _number(b))
        except (ZeroDivisionError, OverflowError):
            raise NotLiteral("arithmetic") from None
        if isinstance(v, int) and v.bit_length() > MAX_INT_BITS:
            raise NotLiteral("a number too large")
        return v
    raise NotLiteral(type(node).__name__)


_MISSING = object()


def _number(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise NotLiteral("number")
    return v


def module_values(text: str, file_name: str) -> dict[str, Any]:
    """Every module-level ``name = value`` (and ``name: T = value``) of the file, in order:
    the literal value, or a :class:`Code`. A later assignment replaces an earlier one."""
    tree = parse_module(text, file_name)
    names: dict[str, Any] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        try:
            v: Any = literal(value, names)
        except NotLiteral:
            v = Code(ast.get_source_segment(text, value) or "", value, stmt.lineno)
        for t in targets:
            if isinstance(t, ast.Name):
                names[t.id] = v
    return names
