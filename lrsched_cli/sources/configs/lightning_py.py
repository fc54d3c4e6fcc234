"""Lightning, the Python side: a LightningModule's ``configure_optimizers`` and the file's
``Trainer(...)`` call, read with ``ast`` (never executed, never imported).

What is read, as Lightning 2.6's ``core/optimizer.py`` (``_configure_optimizers``,
``_configure_schedulers_automatic_opt``) takes the return value:

- the function's body: assignments (``name = value``: a literal, possibly folded, or a call
  kept as code), nested ``def`` s (read as lambdas), a docstring and one ``return``;
  anything else is refused with its line;
- the return: an optimizer; ``[optimizer]``; ``([optimizer], [scheduler, ...])``;
  ``{"optimizer": ..., "lr_scheduler": scheduler or {"scheduler": ..., "interval": "step" |
  "epoch", "frequency": k, "monitor": ...}}``; or a list of such dicts. More than one
  optimizer is refused, as automatic optimization refuses it; a plain scheduler has interval
  "epoch" and frequency 1 (``LRSchedulerConfig``'s defaults);
- the optimizer's lr (``lr=`` or its second argument, else torch's default) and its param
  groups (a list of dicts, each with its own ``lr`` or the optimizer's);
- each scheduler, as :mod:`.lightning_names` writes it for the torch or hf dialect.

Imports the standard library, errors and this package's ``pyfile`` and ``lightning_names``.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Any

from ...errors import UsageError
from .lightning_names import Names, PyFile, callee_name
from .pyfile import Code, NotLiteral, literal, module_values

F = "lightning"
# torch 2.13's default lr of each optimizer (inspect.signature(torch.optim.X).parameters['lr'])
OPTIMIZER_LR = {"SGD": 1e-3, "Adam": 1e-3, "AdamW": 1e-3, "RMSprop": 1e-2, "Adagrad": 1e-2,
                "Adadelta": 1.0, "Adamax": 2e-3, "NAdam": 2e-3, "RAdam": 1e-3, "ASGD": 1e-2,
                "Rprop": 1e-2, "LBFGS": 1.0, "SparseAdam": 1e-3, "Adafactor": 1e-2,
                "Muon": 1e-3}
SCHEDULER_KEYS = ("scheduler", "name", "interval", "frequency", "reduce_on_plateau",
                  "monitor", "strict")


@dataclass
class Sched:
    """One configured scheduler: its dialect call text per param group and when it steps."""

    name: str
    dialect: str
    calls: list[str]
    interval: str
    frequency: int
    line: int


@dataclass
class Optim:
    """What configure_optimizers returns: the optimizer's lr per group and its schedulers."""

    name: str
    lrs: list[float]
    schedulers: list[Sched]
    used: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def trainer_kwargs(py: PyFile) -> dict[str, Any] | None:
    """The keywords of the file's first ``Trainer(...)`` call (``L.Trainer``, ``pl.Trainer``,
    ...): literal values, or :class:`~.pyfile.Code`; None when the file makes no Trainer."""
    names = {k: v for k, v in module_values(py.text, py.name).items()
             if not isinstance(v, Code)}
    calls = sorted((n for n in ast.walk(py.tree) if isinstance(n, ast.Call)
                    and callee_name(n) == "Trainer"), key=lambda n: (n.lineno, n.col_offset))
    if not calls:
        return None
    out: dict[str, Any] = {}
    for kw in calls[0].keywords:
        if kw.arg is None:
            continue
        try:
            out[kw.arg] = literal(kw.value, names)
        except NotLiteral:
            out[kw.arg] = Code(ast.get_source_segment(py.text, kw.value) or "", kw.value,
                               kw.value.lineno)
    return out


class _Reader(Names):
    """The body of configure_optimizers and what it returns."""

    # ---------------------------------------------------------------- the function body
    def run(self, fn: ast.FunctionDef) -> ast.AST:
        for stmt in fn.body:
            if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(
                    stmt.value, ast.Constant) and isinstance(stmt.value.value, str)):
                continue
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name):
                self.bind(stmt.targets[0].id, stmt.value)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
                    and stmt.value is not None:
                self.bind(stmt.target.id, stmt.value)
            elif isinstance(stmt, ast.FunctionDef):
                self.funcs[stmt.name] = stmt
                self.lits.pop(stmt.name, None)
                self.nodes.pop(stmt.name, None)
            elif isinstance(stmt, ast.Return):
                if stmt.value is None or (isinstance(stmt.value, ast.Constant)
                                          and stmt.value.value is None):
                    raise self.refuse(stmt, "configure_optimizers returns no optimizer "
                                      "(Lightning then trains with none)")
                return stmt.value
            else:
                raise self.refuse(stmt, "configure_optimizers holds a statement lrsched "
                                  f"does not follow ('{self.src(stmt)}'): it reads "
                                  "assignments, defs and one return")
        raise self.refuse(fn, "configure_optimizers has no return")

    def bind(self, name: str, node: ast.AST) -> None:
        folded = self.fold(node)
        self.funcs.pop(name, None)
        try:
            self.lits[name] = self.value(folded)
            self.nodes.pop(name, None)
        except NotLiteral:
            self.nodes[name] = folded
            self.lits.pop(name, None)

    # ---------------------------------------------------------------- the return value
    def keys(self, node: ast.Dict) -> dict[str, ast.AST]:
        out = {}
        for k, v in zip(node.keys, node.values):
            if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                raise self.refuse(node, f"a dict key lrsched cannot read in '{self.src(node)}'")
            out[k.value] = v
        return out

    def returned(self, node: ast.AST) -> tuple[list[ast.AST], list[ast.AST], ast.AST | None]:
        """(optimizers, schedulers, monitor) as ``_configure_optimizers`` splits them."""
        r = self.resolve(node)
        if self.is_optimizer(r):
            return [r], [], None
        if isinstance(r, (ast.List, ast.Tuple)):
            elts = [self.resolve(e) for e in r.elts]
            if len(elts) == 2 and isinstance(elts[0], ast.List) and all(
                    self.is_optimizer(self.resolve(o)) for o in elts[0].elts):
                sch = elts[1]
                return ([self.resolve(o) for o in elts[0].elts],
                        list(sch.elts) if isinstance(sch, ast.List) else [sch], None)
            if elts and all(isinstance(e, ast.Dict) for e in elts):
                confs = [self.optim_conf(e) for e in elts]  # type: ignore[arg-type]
                return ([c["optimizer"] for c in confs],
                        [c["lr_scheduler"] for c in confs if "lr_scheduler" in c], None)
            if elts and all(self.is_optimizer(e) for e in elts):
                return elts, [], None
        if isinstance(r, ast.Dict):
            c = self.optim_conf(r)
            return [c["optimizer"]], [c["lr_scheduler"]] if "lr_scheduler" in c else [], \
                c.get("monitor")
        raise self.refuse(node, f"configure_optimizers returns '{self.src(node)}', which is "
                          "none of Lightning's forms (Lightning raises MisconfigurationException"
                          ": an optimizer, [optimizer], ([optimizer], [scheduler]) or "
                          "{\"optimizer\": ..., \"lr_scheduler\": ...})")

    def optim_conf(self, node: ast.Dict) -> dict[str, ast.AST]:
        c = self.keys(node)
        if "optimizer" not in c:
            raise self.refuse(node, "the dict configure_optimizers returns has no "
                              "\"optimizer\" key (Lightning raises KeyError)")
        extra = sorted(set(c) - {"optimizer", "lr_scheduler", "monitor"})
        if extra:
            self.notes.append(f"Lightning ignores the key(s) {', '.join(extra)} of the "
                              "optimizer configuration (it warns)")
        c["optimizer"] = self.resolve(c["optimizer"])
        return c

    def scheduler(self, node: ast.AST, monitor: ast.AST | None, groups: int) -> Sched:
        r = self.resolve(node)
        interval, frequency = "epoch", 1
        if isinstance(r, ast.Dict):
            c = self.keys(r)
            if "scheduler" not in c:
                raise self.refuse(r, "the lr scheduler dict has no \"scheduler\" key "
                                  "(Lightning raises MisconfigurationException)")
            extra = sorted(set(c) - set(SCHEDULER_KEYS))
            if extra:
                self.notes.append(f"Lightning drops the lr scheduler key(s) {', '.join(extra)}"
                                  " (it warns)")
            if "interval" in c:
                interval = self.literal_of(c["interval"], "interval")
                if interval not in ("step", "epoch"):
                    raise self.refuse(c["interval"], f"interval {interval!r} is not a Lightning "
                                      "interval: Lightning raises MisconfigurationException "
                                      "(\"interval\" must be \"step\" or \"epoch\")")
            if "frequency" in c:
                frequency = self.literal_of(c["frequency"], "frequency")
                if isinstance(frequency, bool) or not isinstance(frequency, int) \
                        or frequency < 1:
                    raise self.refuse(c["frequency"], f"frequency {frequency!r} is not "
                                      "allowed: a whole number >= 1")
            monitor = c.get("monitor")
            r = self.resolve(c["scheduler"])
        if not self.is_scheduler(r):
            raise self.refuse(r, f"the scheduler '{self.src(r)}' is not a "
                              "torch.optim.lr_scheduler (or transformers get_*_schedule) call "
                              "lrsched reads")
        assert isinstance(r, ast.Call)
        name = callee_name(r)
        if name in ("ReduceLROnPlateau", "get_reduce_on_plateau_schedule"):
            if monitor is None:
                raise self.refuse(r, f"{name} needs a monitor: Lightning raises "
                                  "MisconfigurationException (the lr scheduler dict must "
                                  "include a monitor)")
            raise self.refuse(r, f"{name} follows the monitored metric, which the file does "
                              "not hold")
        dialect = "torch" if name in self.kinds["torch"] else "hf"
        calls = [ast.unparse(self.call(r, g, groups, 0)) for g in range(groups)]
        return Sched(name, dialect, calls, interval, frequency, r.lineno)

def find(py: PyFile) -> ast.FunctionDef:
    """The first LightningModule-style ``configure_optimizers`` (a method, else a def)."""
    methods = [item for node in ast.walk(py.tree) if isinstance(node, ast.ClassDef)
               for item in node.body if isinstance(item, ast.FunctionDef)
               and item.name == "configure_optimizers"]
    tops = [s for s in py.tree.body if isinstance(s, ast.FunctionDef)
            and s.name == "configure_optimizers"]
    found = sorted(methods, key=lambda n: n.lineno) or tops
    if not found:
        raise UsageError(f"{F}: '{py.name}' has no def configure_optimizers")
    return found[0]


def configure(py: PyFile, trainer: dict[str, Any],
              scheduler_names: dict[str, set[str]]) -> Optim:
    """What the file's configure_optimizers returns, read (``trainer``: the values of
    ``self.trainer.X``; ``scheduler_names``: dialect -> the call names it computes)."""
    r = _Reader(py, trainer, scheduler_names)
    ret = r.run(find(py))
    opts, scheds, monitor = r.returned(ret)
    if len(opts) != 1:
        raise r.refuse(ret, f"configure_optimizers returns {len(opts)} optimizers: Lightning "
                       "raises RuntimeError (multiple optimizers need manual optimization)")
    opt = opts[0]
    if not r.is_optimizer(opt):
        raise r.refuse(ret, f"'{r.src(opt)}' is not an optimizer call lrsched reads")
    assert isinstance(opt, ast.Call)
    r.optimizer = opt
    name = callee_name(opt)
    lr_node = next((k.value for k in opt.keywords if k.arg == "lr"),
                   opt.args[1] if len(opt.args) > 1 else None)
    lr = r.literal_of(lr_node, "the optimizer's lr") if lr_node is not None \
        else OPTIMIZER_LR.get(name)
    params = next((k.value for k in opt.keywords if k.arg == "params"),
                  opt.args[0] if opt.args else None)
    p = r.resolve(params) if params is not None else None
    groups: list[Any] = [None]  # each group's own lr, None: the optimizer's
    if isinstance(p, (ast.List, ast.Tuple)) and p.elts \
            and all(isinstance(r.resolve(e), ast.Dict) for e in p.elts):
        groups = []
        for e in p.elts:
            g = r.keys(r.resolve(e))  # type: ignore[arg-type]
            groups.append(r.literal_of(g["lr"], "a param group's lr") if "lr" in g else None)
    if lr_node is None and None in groups:
        if lr is None:
            raise r.refuse(opt, f"{name}(...) has no lr= and lrsched does not know its "
                           "default: write lr=")
        r.notes.append(f"{name} is built without lr: torch's default {lr:g}")
    lrs = [lr if v is None else v for v in groups]
    for i, v in enumerate(lrs):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or v < 0:
            raise r.refuse(opt, f"param group {i}'s lr {v!r} is not a number >= 0")
    out = [r.scheduler(s, monitor, len(lrs)) for s in scheds]
    return Optim(name, [float(v) for v in lrs], out, r.used, r.notes)
