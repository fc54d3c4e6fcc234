"""Reading an MMEngine config file: :func:`.pyfile.module_values`, then the dicts that were not
wholly literal taken apart key by key, so that a value lrsched does not need (a dataset's
``pipeline``, a model) does not hide the ones it does (``batch_size``, ``lr``, ``end``).

MMEngine's pure-Python ("new style") configs name their classes instead of writing strings
(``from mmengine.optim import LinearLR`` ... ``dict(type=LinearLR)``): a name the file
imports stands for that class's name. Inheritance (``_base_``, ``with read_base():``) is
refused: the file alone does not say what it inherits. Imports the standard library, errors
and this package only.
"""

from __future__ import annotations

import ast
from typing import Any

from ...errors import UsageError
from .pyfile import Code, NotLiteral, literal, module_values, parse_module

F = "mmengine"
USED = ("param_scheduler", "train_cfg", "train_dataloader", "optim_wrapper", "auto_scale_lr")


def config_values(text: str, file_name: str) -> dict[str, Any]:
    doc = module_values(text, file_name)
    tree = parse_module(text, file_name)
    imported = {a.asname or a.name.split(".")[0] for s in tree.body
                if isinstance(s, (ast.Import, ast.ImportFrom)) for a in s.names}
    inherits = "_base_" in doc or any(
        isinstance(s, ast.With) and any(isinstance(i.context_expr, ast.Call) and getattr(
            i.context_expr.func, "id", getattr(i.context_expr.func, "attr", "")) == "read_base"
            for i in s.items) for s in tree.body)
    if inherits:
        raise UsageError(f"{F}: '{file_name}' inherits from base configs (_base_ or "
                         "read_base()), which lrsched does not merge: give it the merged "
                         "config (MMEngine's Config.fromfile(path).dump('merged.py') writes one)")
    for key in USED:
        if isinstance(doc.get(key), Code):
            doc[key] = _apart(doc[key].node, doc, imported)
    return doc


def _apart(node: ast.AST, names: dict[str, Any], imported: set[str]) -> Any:
    """The value of ``node`` with literal parts evaluated and the rest kept as Code."""
    try:
        return literal(node, names)
    except NotLiteral:
        pass
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == "dict" and not node.args:
        return {k.arg: _apart(k.value, names, imported) for k in node.keywords
                if k.arg is not None}
    if isinstance(node, ast.Dict) and None not in node.keys:
        try:
            keys = [literal(k, names) for k in node.keys if k is not None]
        except NotLiteral:
            keys = []
        if len(keys) == len(node.keys):
            return {k: _apart(v, names, imported) for k, v in zip(keys, node.values)}
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_apart(e, names, imported) for e in node.elts]
    if isinstance(node, ast.Name) and node.id in imported and node.id not in names:
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
            node.value.id in imported:
        return node.attr
    return Code(ast.unparse(node), node, getattr(node, "lineno", 0))
