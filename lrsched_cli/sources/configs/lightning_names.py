"""Lightning's Python side, the expressions: the names ``configure_optimizers`` binds, and a
scheduler call rewritten for the dialects (read with ``ast``, never executed).

:class:`Names` folds literal arithmetic and ``int``/``float``/``round``/``min``/``max``/``abs``/
``math.ceil``/``floor``/``sqrt`` of literals, replaces ``self.trainer.X`` by the value the
trainer gives, follows names to what they are bound to, and writes a scheduler call as the
torch (or hf) dialect reads it: the optimizer argument dropped; literals, nested schedulers
(a SequentialLR's children) and functions (a one-argument ``def`` becomes a lambda: its
returns, ``if`` statements and local assignments) substituted; a per-group list (LambdaLR's
``lr_lambda``, OneCycleLR's ``max_lr``, CyclicLR's ``base_lr``/``max_lr``) split by group.

Imports the standard library, errors and this package's ``pyfile`` only.
"""

from __future__ import annotations

import ast
import copy
import math
from dataclasses import dataclass
from typing import Any

from ...errors import UsageError
from .pyfile import Code, NotLiteral, literal, module_values

F = "lightning"
# the arguments a torch scheduler takes as one value per param group, in positional order
PER_GROUP = {"LambdaLR": ("lr_lambda",), "MultiplicativeLR": ("lr_lambda",),
             "OneCycleLR": ("max_lr",), "CyclicLR": ("base_lr", "max_lr")}
TRAINER_ATTRS = ("estimated_stepping_batches", "max_epochs", "max_steps",
                 "accumulate_grad_batches")
_FOLD = {"int": int, "float": float, "round": round, "min": min, "max": max, "abs": abs,
         "math.ceil": math.ceil, "math.floor": math.floor, "math.sqrt": math.sqrt}

@dataclass(frozen=True)
class PyFile:
    """The parsed file: its text, name and tree."""

    text: str
    name: str
    tree: ast.Module


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def callee_name(call: ast.Call) -> str:
    return (_dotted(call.func) or "").rpartition(".")[2]


def _const(v: Any) -> ast.expr:
    """The AST of a literal value."""
    if isinstance(v, list):
        return ast.List(elts=[_const(x) for x in v], ctx=ast.Load())
    if isinstance(v, tuple):
        return ast.Tuple(elts=[_const(x) for x in v], ctx=ast.Load())
    if isinstance(v, dict):
        return ast.Dict(keys=[_const(k) for k in v], values=[_const(x) for x in v.values()])
    return ast.Constant(v)

class Names:
    """The names configure_optimizers binds, and the expressions they make."""

    def __init__(self, py: PyFile, trainer: dict[str, Any], scheduler_names: dict[str, set[str]]):
        self.py = py
        self.trainer = trainer
        self.kinds = scheduler_names
        self.lits: dict[str, Any] = {k: v for k, v in module_values(py.text, py.name).items()
                                     if not isinstance(v, Code)}
        self.nodes: dict[str, ast.AST] = {}
        self.funcs: dict[str, ast.FunctionDef] = {
            s.name: s for s in py.tree.body if isinstance(s, ast.FunctionDef)}
        self.used: set[str] = set()
        self.notes: list[str] = []
        self.optimizer: ast.AST | None = None

    # ---------------------------------------------------------------- errors and values
    def refuse(self, node: ast.AST, what: str) -> UsageError:
        line = getattr(node, "lineno", None)
        where = f"{self.py.name} line {line}" if line else self.py.name
        return UsageError(f"{F}: {where}: {what}")

    def src(self, node: ast.AST) -> str:
        s = ast.get_source_segment(self.py.text, node) or ast.unparse(node)
        s = " ".join(s.split())
        return s if len(s) <= 70 else s[:67] + "..."

    def fold(self, node: ast.AST) -> ast.AST:
        """``node`` with ``self.trainer.X`` and foldable calls of literals replaced."""
        reader = self

        class Fold(ast.NodeTransformer):
            lambdas = 0  # inside a lambda only self.trainer.X is replaced (its own names)

            def visit_Lambda(self, n: ast.Lambda) -> ast.AST:
                self.lambdas += 1
                self.generic_visit(n)
                self.lambdas -= 1
                return n

            def visit_Attribute(self, n: ast.Attribute) -> ast.AST:
                inner = n.value
                if (isinstance(inner, ast.Attribute) and inner.attr == "trainer"
                        and isinstance(inner.value, ast.Name) and inner.value.id == "self"):
                    if n.attr not in reader.trainer:
                        raise reader.refuse(n, f"self.trainer.{n.attr} is not one lrsched "
                                            "knows (it knows " + ", ".join(TRAINER_ATTRS) + ")")
                    reader.used.add(n.attr)
                    return ast.copy_location(ast.Constant(reader.trainer[n.attr]), n)
                self.generic_visit(n)
                return n

            def visit_Call(self, n: ast.Call) -> ast.AST:
                self.generic_visit(n)
                fn = _FOLD.get(_dotted(n.func) or "")
                if fn is None or n.keywords or self.lambdas:
                    return n
                try:
                    v = fn(*(reader.value(a) for a in n.args))
                except (NotLiteral, TypeError, ValueError, OverflowError):
                    return n
                return ast.copy_location(_const(v), n)

        return Fold().visit(copy.deepcopy(node))

    def value(self, node: ast.AST) -> Any:
        """The literal value of ``node`` (raises NotLiteral)."""
        return literal(node, self.lits)

    def resolve(self, node: ast.AST) -> ast.AST:
        for _ in range(50):
            if isinstance(node, ast.Name) and node.id in self.nodes:
                node = self.nodes[node.id]
            else:
                break
        return node

    def literal_of(self, node: ast.AST, what: str) -> Any:
        try:
            return self.value(self.fold(node))
        except NotLiteral:
            raise self.refuse(node, f"{what} '{self.src(node)}' is not a value lrsched can "
                              "read without running the file (a literal, a name bound to "
                              "one, self.trainer.estimated_stepping_batches)") from None

    def is_scheduler(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and any(callee_name(node) in v
                                                  for v in self.kinds.values())

    def is_optimizer(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and not self.is_scheduler(node) \
            and callee_name(node) not in _FOLD

    # ---------------------------------------------------------------- scheduler calls
    def call(self, node: ast.Call, group: int, groups: int, depth: int) -> ast.Call:
        """The scheduler call as the dialect reads it, for param group ``group``."""
        if depth > 20:
            raise self.refuse(node, "schedulers nested too deeply")
        name = callee_name(node)
        args = list(node.args)
        for i, a in enumerate(args):
            target = self.resolve(a)
            if self.is_optimizer(target):
                if target is not self.optimizer:
                    raise self.refuse(a, f"{name}(...) is built on '{self.src(a)}', not on "
                                      "the optimizer configure_optimizers returns: Lightning "
                                      "raises MisconfigurationException")
                del args[i]
                break
        per = PER_GROUP.get(name, ())
        new_args = []
        for i, a in enumerate(args):
            v = self.sub(a, group, groups, depth)
            new_args.append(self.pick(v, per[i], group, groups, name) if i < len(per) else v)
        kws = []
        for kw in node.keywords:
            if kw.arg == "optimizer" or kw.arg is None:
                if kw.arg is None:
                    raise self.refuse(kw.value, f"'**{self.src(kw.value)}' in {name}(...)")
                continue
            v = self.sub(kw.value, group, groups, depth)
            kws.append(ast.keyword(arg=kw.arg, value=self.pick(v, kw.arg, group, groups, name)
                                   if kw.arg in per else v))
        return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=new_args, keywords=kws)

    def pick(self, v: ast.AST, arg: str, group: int, groups: int, name: str) -> ast.AST:
        if not isinstance(v, (ast.List, ast.Tuple)):
            return v
        if len(v.elts) != groups:
            raise self.refuse(v, f"{name}: {arg} has {len(v.elts)} values for {groups} param "
                              f"group(s): torch raises ValueError (expected {groups})")
        return v.elts[group]

    def sub(self, node: ast.AST, group: int, groups: int, depth: int) -> ast.AST:
        """``node`` with names, functions and nested schedulers substituted."""
        reader = self

        class Sub(ast.NodeTransformer):
            def visit_Name(self, n: ast.Name) -> ast.AST:
                if n.id in reader.lits:
                    return _const(reader.lits[n.id])
                if n.id in reader.nodes:
                    target = reader.resolve(n)
                    if reader.is_scheduler(target):
                        assert isinstance(target, ast.Call)
                        return reader.call(target, group, groups, depth + 1)
                    return reader.sub(target, group, groups, depth + 1)
                if n.id in reader.funcs:
                    return reader.lambda_of(reader.funcs[n.id])
                return n

            def visit_Lambda(self, n: ast.Lambda) -> ast.AST:
                return reader.closed(n)

            def visit_Call(self, n: ast.Call) -> ast.AST:
                if reader.is_scheduler(n):
                    return reader.call(n, group, groups, depth + 1)
                self.generic_visit(n)
                return n

        if depth > 20:
            raise self.refuse(node, "names nested too deeply")
        out = Sub().visit(self.fold(node))
        for n in ast.walk(out):
            d = _dotted(n) if isinstance(n, ast.Attribute) else None
            if d is not None and d.startswith("self."):
                raise self.refuse(node, f"'{d}' is not a value lrsched can read without "
                                  "running the file: write the value, or bind a local name "
                                  "to it")
        return out

    def closed(self, lam: ast.Lambda) -> ast.Lambda:
        """The lambda with the literals it names (other than its parameters) substituted."""
        lits = self.lits

        class Close(ast.NodeTransformer):
            def __init__(self) -> None:
                self.bound: list[set[str]] = []

            def visit_Lambda(self, n: ast.Lambda) -> ast.AST:
                self.bound.append({a.arg for a in n.args.args})
                self.generic_visit(n)
                self.bound.pop()
                return n

            def visit_Name(self, n: ast.Name) -> ast.AST:
                if any(n.id in b for b in self.bound) or n.id not in lits:
                    return n
                return _const(lits[n.id])

        return Close().visit(copy.deepcopy(lam))

    def lambda_of(self, fn: ast.FunctionDef) -> ast.Lambda:
        """A one-argument def as a lambda (the torch dialect's reading of a ``def``: its
        returns, ifs and local assignments, bounded), its literals substituted."""
        from ..dialects.defs import as_lambda

        try:
            lam = as_lambda(self.py.text, fn)
        except UsageError as e:
            raise self.refuse(fn, str(e)) from None
        return self.closed(ast.fix_missing_locations(ast.copy_location(lam, fn)))
