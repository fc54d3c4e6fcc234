"""The torch target: a ``torch.optim.lr_scheduler`` class where one computes the spec,
else ``LambdaLR`` with the formula as a named function, ``def lr_lambda(step):`` with one
``if`` branch per phase (the hf target falls back to it too), which the torch dialect reads
back.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from ...schedules.registry import Spec
from .common import Snippet, _beyond_classes, _c, _kv, _with_optimizer, r
from .formula import Body, Piece, plan, shift_note


def _torch_standard(spec: Spec) -> tuple[str, float] | None:
    """(expression without the optimizer, optimizer lr) of a torch class, if one fits."""
    if spec.warmup or _beyond_classes(spec):
        return None
    p, n, name = spec.kernel_params(), spec.n, spec.name
    if name == "step" and p["timing"] == "torch":
        return f"StepLR({_kv(step_size=p['step_size'], gamma=r(p['decay_factor']))})", \
            p["initial_lr"]
    if name == "cosine":
        return f"CosineAnnealingLR({_kv(T_max=n, eta_min=r(p['lr_min']))})", p["lr_max"]
    if name == "polynomial":
        return f"PolynomialLR({_kv(total_iters=n, power=r(p['power']))})", p["initial_lr"]
    if name == "multistep":
        ms = "[" + ", ".join(str(m) for m in p["milestones"]) + "]"
        return f"MultiStepLR({_kv(milestones=ms, gamma=r(p['gamma']))})", p["initial_lr"]
    if name == "linear" and 0 < p["start_factor"] <= 1 and 0 <= p["end_factor"] <= 1:
        return _c("LinearLR", start_factor=r(p["start_factor"]), end_factor=r(p["end_factor"]),
                  total_iters=p["total_iters"]), p["initial_lr"]
    if name == "constant" and (p["total_iters"] > 0 or p["factor"] == 1.0):
        return f"ConstantLR({_kv(factor=r(p['factor']), total_iters=p['total_iters'])})", \
            p["initial_lr"]
    if name == "cyclic":
        down = "None" if p["step_size_down"] is None else p["step_size_down"]
        return _c("CyclicLR", base_lr=r(p["lr_min"]), max_lr=r(p["lr_max"]),
                  step_size_up=p["step_size"], step_size_down=down, mode=repr(p["mode"]),
                  gamma=r(p["gamma"])), p["lr_min"]
    if name == "sgdr" and p["restart_decay"] == 1.0:
        return _c("CosineAnnealingWarmRestarts", T_0=p["t0"], T_mult=p["t_mult"],
                  eta_min=r(p["lr_min"])), p["lr_max"]
    if name == "one-cycle":
        return _c("OneCycleLR", max_lr=r(p["max_lr"]), total_steps=n,
                  pct_start=r(p["pct_start"]), anneal_strategy=repr(p["anneal_strategy"]),
                  div_factor=r(p["div_factor"]), final_div_factor=r(p["final_div_factor"]),
                  three_phase=p["three_phase"]), p["max_lr"]
    if name == "plateau":
        kw = {k: (repr(v) if isinstance(v, str) else r(v) if isinstance(v, float) else v)
              for k, v in p.items() if k not in ("initial_lr", "metrics")}
        return f"ReduceLROnPlateau({_kv(**kw)})", p["initial_lr"]
    return None


def _torch(spec: Spec) -> Snippet:
    std = _torch_standard(spec)
    if std is not None:
        expr, lr = std
        name = expr.split("(", 1)[0]
        body = f"scheduler = {_with_optimizer(expr)}\n"
    else:
        lr, name = 1.0, "LambdaLR"
        expr = lr_lambda_def(spec) + "\n\n\nscheduler = LambdaLR(optimizer, lr_lambda)"
        body = f"\n\n{expr}\n"
    loop = ("for epoch, metric in enumerate(val_losses):  # one metric per epoch\n"
            "    ...  # train one epoch\n    scheduler.step(metric)\n"
            if spec.name == "plateau" else
            f"for step in range({spec.n}):\n    ...  # forward, backward\n"
            "    optimizer.step()\n    scheduler.step()\n")
    text = ("import math\n\n" if "math." in body else "") + (
        f"import torch\nfrom torch.optim.lr_scheduler import {name}\n\n"
        f"optimizer = torch.optim.SGD(model.parameters(), lr={r(lr)})\n{body}{loop}")
    return Snippet(text=text, dialect="torch", expr=expr, base_lr=lr)


def lr_lambda_def(spec: Spec) -> str:
    """``def lr_lambda(step):`` returning the learning rate, one ``if`` per phase."""
    p = plan(spec, Body("py"), "step")
    lines = ["def lr_lambda(step):",
             '    """The learning rate at step (no torch class computes this schedule:',
             "    LambdaLR multiplies the optimizer's lr, 1.0, by what this returns).\"\"\""]
    lines += _branches(p.pre)
    x = "step"
    if p.shift:
        x = "t"
        lines.append(f"    t = step - {p.shift}  # {shift_note(spec, p)}")
    lines += _branches(p.main(x))
    return "\n".join(lines)


def _branches(pieces: list[Piece]) -> list[str]:
    """``if test:  # name`` / ``return value`` per piece; the last (no test) returns alone."""
    out = []
    for label, test, value in pieces:
        if test is None:
            out.append(f"    return {value}" + (f"  # {label}" if len(pieces) > 1 else ""))
        else:
            out += [f"    if {test}:  # {label}", f"        return {value}"]
    return out
