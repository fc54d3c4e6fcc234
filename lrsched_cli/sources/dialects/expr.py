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

Names a training script writes (``epochs``, ``args.lr``, ``cfg.train.epochs``,
``len(train_loader)``) are read when they are bound (``--var NAME=VALUE``, read by
:func:`parse_vars` into :class:`Bindings`): before the call is read, each bound name is
replaced in the tree by its value's literal nodes (:func:`bind_names`), so that the rest
reads numbers as it always has (the same arithmetic guards, lambdas included). A name that
is not bound is refused, every such name in one line; the optimizer's place is not a name
to bind.

Imports only ``lrsched_cli.errors`` and the dialects' ``lambdas``: never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function), nor numpy.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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


def parse_call(text: str, allow_lambda_root: bool = False, bindings: Bindings | None = None,
               dialect: str = "", slot: Slot | None = None,
               check_root: Callable[[Call], Any] | None = None) -> Call | Lambda:
    """Parse ``text`` as one call expression (or a lambda, when allowed).

    With ``bindings`` (the command line's ``--var``, possibly none), the names the
    expression uses are bound first (:func:`bind_names`) and any left unbound refused in
    one line naming ``dialect``; ``slot(name, i)`` says whether positional ``i`` of a call
    of ``name`` is the optimizer (not a name to bind), ``check_root`` checks the root call's
    name first (an unknown name is said before the names it would need). Without
    ``bindings`` (lrsched's own expressions) a name is refused as any other piece."""
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
        if bindings is not None:
            if check_root is not None and isinstance(node, ast.Call):
                qual = _func_name(node.func)
                if qual is not None and not any(p.startswith("__") for p in qual.split(".")):
                    qualifier, _, name = qual.rpartition(".")
                    check_root(Call(name, qualifier, [], {}, src))
            node = bind_names(src, node, bindings, dialect, slot or default_slot)
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
        if _is_optimizer(a):
            if i == 0 or (i == 1 and name == "get_scheduler"):
                optimizer = _func_name(a)
                args.append(Placeholder(optimizer or "", _seg(text, a)))
                continue
            if isinstance(a, ast.Name):
                raise refuse(text, a, "name")
        args.append(value(text, a))
    kwargs: dict[str, Any] = {}
    for kw in node.keywords:
        if kw.arg is None:
            raise refuse(text, kw.value, "** argument")
        if kw.arg.startswith("__"):
            raise refuse(text, kw, "dunder name")
        if kw.arg == "optimizer" and _is_optimizer(kw.value):
            optimizer = _func_name(kw.value)
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


# --------------------------------------------------------------------------------------
# Names bound on the command line: --var epochs=90 --var "len(train_loader)=500"

Slot = Callable[[str, int], bool]
"""``slot(name, i)``: positional argument ``i`` of a call of ``name`` is the optimizer."""


def default_slot(name: str, i: int) -> bool:
    """Where :func:`_call` takes the optimizer (a dialect's own rule is finer)."""
    if name in ("int", "float", "len"):
        return False
    return i == 0 or (i == 1 and name == "get_scheduler")


@dataclass
class Var:
    """One ``--var NAME=VALUE``: the name as the expression spells it (whitespace
    normalised), the value's literal nodes and the value."""

    name: str
    text: str
    node: ast.AST
    value: Any


@dataclass
class Bindings:
    """The names bound for one expression (the last binding of a name wins: a spec file's
    first, then the command line's), and those the expression has used."""

    vars: dict[str, Var] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)

    def unused(self) -> list[Var]:
        return [v for k, v in self.vars.items() if k not in self.used]

    def values(self) -> dict[str, Any]:
        """The bound values the expression uses, in the order it uses them."""
        return {k: self.vars[k].value for k in self.used}


MAX_SUBSTITUTED = 1_000_000  # nodes the bound values may add to an expression, all uses


def parse_vars(texts: Sequence[str] | None) -> Bindings:
    """The bindings of ``--var NAME=VALUE`` texts: NAME a name (``epochs``), a dotted name
    (``args.lr``) or ``len(NAME)``; VALUE a Python literal (a number, a string in quotes, a
    list); each refused in one line quoting it."""
    out = Bindings()
    for text in texts or ():
        if not isinstance(text, str):
            raise UsageError(f"--var {text!r}: expected NAME=VALUE text, e.g. --var epochs=90")
        name_text, eq, value_text = text.partition("=")
        if not eq:
            raise UsageError(f"--var '{_short(text)}' has no '=': give NAME=VALUE, e.g. "
                             "--var epochs=90")
        name = _var_name(name_text.strip(), text)
        node, value = _var_value(value_text.strip(), text)
        out.vars.pop(name, None)  # (the last binding wins, in its place)
        out.vars[name] = Var(name, text, node, value)
    return out


def _parse_piece(piece: str) -> ast.AST | None:
    if not piece or len(piece) > MAX_EXPR or _depth(piece) > MAX_DEPTH:
        return None
    try:
        return ast.parse(piece, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _var_name(name_text: str, text: str) -> str:
    node = _parse_piece(name_text)
    key = None if node is None else _name_key(node, frozenset())
    if key is None:
        raise UsageError(f"--var '{_short(text)}': '{_short(name_text)}' is not a name to "
                         "bind: give a name (epochs), a dotted name (args.lr) or len(NAME)")
    return key


def _var_value(value_text: str, text: str) -> tuple[ast.AST, Any]:
    if not value_text:
        raise UsageError(f"--var '{_short(text)}' has no value after '='")
    node = _parse_piece(value_text)
    if node is None or not _literal(node):
        hint = ""
        if node is not None and isinstance(node, ast.Name):
            hint = f" (a string is quoted, as in Python: --var '{text.partition('=')[0]}=" \
                   f"\"{value_text}\"')"
        raise UsageError(f"--var '{_short(text)}': '{_short(value_text)}' is not a literal: "
                         f"give a number, a string in quotes or a list{hint}")
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and _is_int(n.value) \
                and n.value.bit_length() > MAX_INT_BITS:
            raise UsageError(f"--var '{_short(text)}': an integer of {len(str(n.value))} digits "
                             f"(at most {len(str(2 ** MAX_INT_BITS))})")
    return node, ast.literal_eval(node)


def _literal(n: ast.AST) -> bool:
    """A number, string, bool or None, a negated number, or a list, tuple or dict of those."""
    if isinstance(n, ast.Constant):
        return n.value is None or type(n.value) in (int, float, str, bool)
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        return isinstance(n.operand, ast.Constant) and type(n.operand.value) in (int, float)
    if isinstance(n, (ast.List, ast.Tuple)):
        return all(_literal(x) for x in n.elts)
    if isinstance(n, ast.Dict):
        return all(k is not None and _literal(k) for k in n.keys) \
            and all(_literal(v) for v in n.values)
    return False


def _name_key(node: ast.AST, shadow: frozenset[str]) -> str | None:
    """The bindable name ``node`` spells, whitespace normalised (``args.lr``,
    ``len(train_loader)``); None when it is none (a lambda's parameter, ``math.pi``, a
    dunder name: read, or refused, as before)."""
    if isinstance(node, ast.Name):
        if node.id in shadow or node.id in ("True", "False", "None") \
                or node.id.startswith("__"):
            return None
        return node.id
    if isinstance(node, ast.Attribute):
        qual = _func_name(node)
        if qual is None or any(p.startswith("__") for p in qual.split(".")):
            return None
        root = qual.split(".")[0]
        if root in shadow or qual.rpartition(".")[0] in MODULE_ALIASES \
                or root in MODULE_ALIASES or root == "jax":
            return None
        return qual
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "len" and "len" not in shadow and len(node.args) == 1
            and not node.keywords and not isinstance(node.args[0], ast.Starred)):
        inner = node.args[0]
        if _name_key(inner, shadow) is None:
            return None
        return f"len({ast.unparse(inner)})"
    return None


# The nodes a name may be bound inside: what the accepted subset is made of. Anything else
# (a comprehension, a subscript, an f-string...) is left as it is, to be refused as before.
_WALK = (ast.Call, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.List,
         ast.Tuple, ast.Dict, ast.Lambda)


def bind_names(text: str, root: ast.AST, bindings: Bindings, dialect: str = "",
               slot: Slot = default_slot) -> ast.AST:
    """``root`` with every bound name replaced by its value's literal nodes (placed where
    the name is written, so that a message quotes the expression as written); the names
    used are recorded in ``bindings.used``. Every name left unbound is refused in one
    line."""
    missing: dict[str, tuple[int, int]] = {}
    added = 0

    def sub(node: ast.AST, shadow: frozenset[str]) -> ast.AST:
        nonlocal added
        key = _name_key(node, shadow)
        if key is not None:
            var = bindings.vars.get(key)
            if var is None:
                missing.setdefault(key, (getattr(node, "lineno", 0),
                                         getattr(node, "col_offset", 0)))
                return node
            if key not in bindings.used:
                bindings.used.append(key)
            value = copy.deepcopy(var.node)
            for n in ast.walk(value):
                added += 1
                ast.copy_location(n, node)
            if added > MAX_SUBSTITUTED:
                raise UsageError(f"the --var values make '{_short(text)}' more than "
                                 f"{MAX_SUBSTITUTED:,} pieces long")
            return value
        if not isinstance(node, _WALK):
            return node
        if isinstance(node, ast.Lambda):
            inner = shadow | {a.arg for a in node.args.args}
            node.body = sub(node.body, inner)
            return node
        if isinstance(node, ast.Call):
            name = (_func_name(node.func) or "").rpartition(".")[2]
            # (a call in a lambda, whose parameter shadows, is math: it has no optimizer)
            node.args = [a if not shadow and _is_optimizer(a) and slot(name, i)
                         else sub(a, shadow) for i, a in enumerate(node.args)]
            for kw in node.keywords:
                if not (kw.arg == "optimizer" and _is_optimizer(kw.value)):
                    kw.value = sub(kw.value, shadow)
            return node
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                setattr(node, name, [sub(v, shadow) if isinstance(v, ast.AST) else v
                                     for v in value])
            elif isinstance(value, ast.AST):
                setattr(node, name, sub(value, shadow))
        return node

    out = sub(root, frozenset())
    if missing:
        names = sorted(missing, key=lambda k: missing[k])
        if isinstance(root, ast.Call) and _func_name(root.func):
            what = f"{(_func_name(root.func) or '').rpartition('.')[2]}(...)"
        else:
            what = "the lambda" if isinstance(root, ast.Lambda) else f"'{_short(text)}'"
        give = " ".join(f"--var {_quoted(k + '=N')}" for k in names)
        idle = [v.name for v in bindings.unused()]
        also = f" (it never names {', '.join(idle)}, given with --var)" if idle else ""
        raise UsageError(f"{dialect + ': ' if dialect else ''}{what} needs values for: "
                         f"{', '.join(names)}: give {give}{also}")
    return out


def _is_optimizer(a: ast.AST) -> bool:
    """A name where the optimizer goes (``optimizer``, ``opt``, ``self.optimizer``)."""
    if isinstance(a, ast.Name):
        return a.id not in ("True", "False", "None")
    return isinstance(a, ast.Attribute) and _name_key(a, frozenset()) is not None


def _quoted(word: str) -> str:
    return word if re.fullmatch(r"[\w.=]+", word) else f'"{word}"'
