"""The Hugging Face target: a ``transformers`` schedule function where one computes the
spec, else the torch snippet (the Trainer accepts a torch scheduler).

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from ...schedules.registry import Spec
from .common import Snippet, _beyond_classes, _c, _kv, _linear_prefix_warmup, _with_optimizer, r
from .torch import _torch


def _hf(spec: Spec) -> Snippet:
    p, n, name, w = spec.kernel_params(), spec.n, spec.name, spec.warmup
    warm_ok = (_linear_prefix_warmup(spec) and (not w or spec.warmup_start == 0.0)
               and not _beyond_classes(spec))
    expr = lr = None
    if warm_ok and name == "cosine":
        if p["lr_min"] == 0.0:
            expr = _c("get_cosine_schedule_with_warmup", num_warmup_steps=w,
                      num_training_steps=n)
        else:
            expr = ("get_cosine_with_min_lr_schedule_with_warmup("
                    f"{_kv(num_warmup_steps=w, num_training_steps=n, min_lr=r(p['lr_min']))})")
        lr = p["lr_max"]
    elif warm_ok and name == "constant" and p["factor"] == 1.0:
        expr = (f"get_constant_schedule_with_warmup({_kv(num_warmup_steps=w)})" if w
                else "get_constant_schedule()")
        lr = p["initial_lr"]
    elif warm_ok and name == "linear" and p["start_factor"] == 1.0 and p["end_factor"] == 0.0 \
            and p["total_iters"] == n - w:
        expr = f"get_linear_schedule_with_warmup({_kv(num_warmup_steps=w, num_training_steps=n)})"
        lr = p["initial_lr"]
    elif warm_ok and name == "polynomial":
        expr = _c("get_polynomial_decay_schedule_with_warmup", num_warmup_steps=w,
                  num_training_steps=n, lr_end=0.0, power=r(p["power"]))
        lr = p["initial_lr"]
    elif warm_ok and name == "wsd" and p["lr_min"] == 0.0:
        expr = ("get_wsd_schedule(" + _kv(num_warmup_steps=w, num_decay_steps=p["decay_steps"],
                                          num_training_steps=n, decay_type=repr(p["decay_shape"]))
                + ")")
        lr = p["lr_max"]
    if expr is None:
        snip = _torch(spec)
        return Snippet(text="# transformers has no function for this schedule; the Trainer "
                            "accepts a torch scheduler:\n" + snip.text
                            + "# trainer = Trainer(..., optimizers=(optimizer, scheduler))\n",
                       dialect="torch", expr=snip.expr, base_lr=snip.base_lr)
    text = ("import torch\nimport transformers\n\n"
            f"optimizer = torch.optim.AdamW(model.parameters(), lr={r(lr)})\n"
            f"scheduler = transformers.{_with_optimizer(expr)}\n"
            "# trainer = Trainer(..., optimizers=(optimizer, scheduler)), or step it yourself:\n"
            f"for step in range({n}):\n    ...\n    optimizer.step()\n    scheduler.step()\n")
    return Snippet(text=text, dialect="hf", expr=expr, base_lr=lr)
