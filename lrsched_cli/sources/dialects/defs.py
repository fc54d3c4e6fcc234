"""Functions defined in a pasted snippet, read as the lambdas they are: ``def lr_lambda(step):``
with ``if``/``return`` passed by name to the scheduler call (``LambdaLR(optimizer,
lr_lambda)``). Read with ``ast`` only, never executed.

What is accepted: ``import`` lines (skipped: nothing is imported), blank lines and comments,
any number of ``def NAME(x):`` with one parameter, and last one call, alone or assigned
(``scheduler = LambdaLR(optimizer, lr_lambda)``), in which a defined name stands for its
function. A function's body is an optional docstring, then ``if``/``elif``/``else``,
``return EXPR`` and ``NAME = EXPR`` (a local value, written into the expressions that use
it); every path must end in a ``return``. Each function becomes ``lambda x: A if C else B``
and is checked by ``lambdas`` with the rules of a pasted lambda (the same names, calls and
arithmetic), so a ``def`` computes exactly what the same lambda computes.

Imports only ``lrsched_cli.errors`` and the dialects' ``lambdas``: never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function), nor numpy.
"""

from __future__ import annotations

import ast
import copy

from ...errors import UsageError
from .lambdas import _seg

MAX_TEXT = 100_000  # as expr.MAX_EXPR: longer text is left to parse_call, which refuses it
MAX_NODES = 20_000  # locals written into their uses may not grow a function beyond this


def inline_defs(text: str) -> str:
    """``text`` as one call expression: unchanged unless it defines functions, else its last
    call with each defined name replaced by its lambda."""
    if "def " not in text or len(text) > MAX_TEXT:
        return text
    src = text.strip()
    try:
        ast.parse(src, mode="eval")
        return text  # one expression already
    except (SyntaxError, ValueError):
        pass
    try:
        tree = ast.parse(src, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text  # parse_call says what is wrong with it
    if not any(isinstance(st, ast.FunctionDef) for st in tree.body):
        return text
    try:
        return _inline(src, tree.body)
    except RecursionError:
        raise UsageError("snippet nested too deeply to read") from None


def _inline(src: str, body: list[ast.stmt]) -> str:
    lambdas: dict[str, ast.Lambda] = {}
    call: ast.Call | None = None
    for i, st in enumerate(body):
        last = i == len(body) - 1
        if isinstance(st, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(st, ast.FunctionDef):
            lambdas[st.name] = as_lambda(src, st)
            continue
        value = st.value if isinstance(st, (ast.Expr, ast.Assign)) else None
        if last and isinstance(value, ast.Call) and (
                isinstance(st, ast.Expr) or (len(st.targets) == 1  # type: ignore[attr-defined]
                                             and isinstance(st.targets[0], ast.Name))):  # type: ignore[attr-defined]
            call = value
            continue
        raise UsageError(f"refused statement '{_first(src, st)}': a snippet holds imports, "
                         "def functions and, last, the scheduler call")
    if call is None:
        raise UsageError("the snippet defines functions but does not end with the scheduler "
                         "call that uses them (e.g. 'LambdaLR(optimizer, lr_lambda)')")
    return ast.unparse(_Names(lambdas).visit(copy.deepcopy(call)))


def _first(src: str, st: ast.stmt) -> str:
    """A statement as quoted in a message: its first line (``...`` when it goes on)."""
    text = _seg(src, st)
    return text.split("\n", 1)[0] + (" ..." if "\n" in text else "")


class _Names(ast.NodeTransformer):
    """Each defined name in the call becomes its lambda."""

    def __init__(self, lambdas: dict[str, ast.Lambda]) -> None:
        self.lambdas = lambdas

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.lambdas.get(node.id, node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return node  # a lambda written in the call keeps its own names


def as_lambda(src: str, fn: ast.FunctionDef) -> ast.Lambda:
    """The lambda a one-parameter ``def`` equals: its ``if``/``return`` paths as one
    expression, its local names written into their uses (bounded: a chain of locals that
    would grow it past MAX_NODES is refused)."""
    a = fn.args
    if (len(a.args) != 1 or a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or a.defaults
            or fn.decorator_list):
        raise UsageError(f"refused 'def {fn.name}': a function of one parameter, without "
                         "defaults or decorators, is accepted")
    stmts = list(fn.body)
    if stmts and isinstance(stmts[0], ast.Expr) and isinstance(stmts[0].value, ast.Constant) \
            and isinstance(stmts[0].value.value, str):
        stmts = stmts[1:]  # the docstring
    budget = [MAX_NODES]
    body = _paths(src, fn.name, stmts, {}, budget)
    param = ast.arg(arg=a.args[0].arg)
    return ast.Lambda(args=ast.arguments(posonlyargs=[], args=[param], kwonlyargs=[],
                                         kw_defaults=[], defaults=[]), body=body)


def _paths(src: str, name: str, stmts: list[ast.stmt], env: dict[str, ast.expr],
           budget: list[int]) -> ast.expr:
    """What the statements return, as one expression (``if`` becomes ``A if C else B``)."""
    for i, st in enumerate(stmts):
        if isinstance(st, ast.Pass):
            continue
        if isinstance(st, ast.Return):
            if st.value is None:
                raise UsageError(f"refused 'return' without a value in def {name}")
            return _use(st.value, env, budget)
        target = st.targets[0] if isinstance(st, ast.Assign) and len(st.targets) == 1 else \
            st.target if isinstance(st, ast.AnnAssign) and st.value is not None else None
        if isinstance(target, ast.Name):
            env = {**env, target.id: _use(st.value, env, budget)}  # type: ignore[attr-defined]
            continue
        if isinstance(st, ast.If):
            rest = stmts[i + 1:]
            yes = _paths(src, name, st.body + rest, env, budget)
            no = _paths(src, name, st.orelse + rest, env, budget)
            return ast.IfExp(test=_use(st.test, env, budget), body=yes, orelse=no)
        raise UsageError(f"refused statement '{_first(src, st)}' in def {name}: only if/elif/"
                         "else, return EXPR and NAME = EXPR are accepted")
    raise UsageError(f"def {name} does not return a value on every path (end it with a "
                     "return)")


def _use(node: ast.expr, env: dict[str, ast.expr], budget: list[int]) -> ast.expr:
    """``node`` with the local names in ``env`` written in (a fresh copy)."""
    out = _Locals(env).visit(copy.deepcopy(node))
    budget[0] -= sum(1 for _ in ast.walk(out))
    if budget[0] < 0:
        raise UsageError(f"refused: a function's locals, written into their uses, grow it "
                         f"beyond {MAX_NODES:,} nodes")
    return out


class _Locals(ast.NodeTransformer):
    def __init__(self, env: dict[str, ast.expr]) -> None:
        self.env = env

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.env.get(node.id, node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return node
