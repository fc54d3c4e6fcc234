"""The timm target: one of ``timm.scheduler``'s classes where it computes the spec (timm's
arithmetic as the timm dialect has it, proven against timm 1.0.31), else refused in one line
naming what timm cannot express and the frameworks that can: a timm scheduler is driven by
``step``/``step_update`` in timm's train loop, so a stand-in would not fit there, and the
torch, hf, optax and keras targets compute every schedule.

What maps: cosine (k-decay too) to CosineLRScheduler; sgdr to CosineLRScheduler's cycles
(``restart_decay`` only with ``lr_min`` 0, as timm decays the peak alone, and only where
timm's float cycle index finds every restart); polynomial and linear to PolyLRScheduler;
step and constant to StepLRScheduler; multistep (and step at the document's timing) to
MultiStepLRScheduler, whose milestones drop one step early (written +1); wsd to
WSDLRScheduler; plateau to PlateauLRScheduler. A warmup maps when it is linear (timm's
``warmup_t``/``warmup_lr_init``), before the schedule (``warmup_prefix``) or over it ramping
to the peak (``--warmup-target peak``); a hold never does.

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports analysis, render or commands, nor the rest of sources (words, specs,
specfile, logs).
"""

from __future__ import annotations

from typing import Any

from ...errors import UsageError
from ...schedules.registry import Spec
from .common import Snippet, _c, r

OTHERS = "use --framework torch, hf, optax or keras, which compute every schedule"
MAX_MILESTONES = 1000


def _refuse(what: str, others: str = OTHERS) -> UsageError:
    return UsageError(f"timm has no scheduler for {what}; {others}")


def _warmup_kw(spec: Spec, prefix_default: bool) -> dict[str, Any]:
    """timm's warmup arguments for the spec's warmup (refused where timm has none)."""
    w = spec.warmup
    if not w:
        return {}
    if spec.warmup_shape != "linear":
        raise _refuse(f"a {spec.warmup_shape} warmup (timm's warmup is linear)")
    kw: dict[str, Any] = {"warmup_t": w, "warmup_lr_init": r(spec.warmup_start)}
    prefix = spec.warmup_mode == "prefix"
    if not prefix and spec.warmup_target != "peak":
        raise _refuse("an overlay warmup that ramps to the schedule's value at its end "
                      "(timm's ramps to the peak: --warmup-target peak)")
    if prefix != prefix_default:
        kw["warmup_prefix"] = prefix
    return kw


def _class(spec: Spec) -> tuple[str, float]:
    """(the timm call without the optimizer, the optimizer's lr), or refused."""
    p, name, kn = spec.kernel_params(), spec.name, spec.kernel_n
    if spec.hold:
        raise _refuse("a hold (--hold): its schedulers go from the warmup straight into the "
                      "schedule")
    if p.get("k_decay", 1.0) != 1.0 and name not in ("cosine", "polynomial"):
        raise _refuse(f"k-decay on {name}")
    k = {"k_decay": r(p["k_decay"])} if p.get("k_decay", 1.0) != 1.0 else {}
    if name == "cosine":
        return _c("CosineLRScheduler", t_initial=kn, lr_min=r(p["lr_min"]),
                  **_warmup_kw(spec, False), **k), p["lr_max"]
    if name == "sgdr":
        return _sgdr(spec, p, kn)
    if name == "polynomial":
        return _c("PolyLRScheduler", t_initial=kn, power=r(p["power"]),
                  **_warmup_kw(spec, False), **k), p["initial_lr"]
    if name == "linear":
        lr = p["initial_lr"]
        return _c("PolyLRScheduler", t_initial=p["total_iters"], power=1.0,
                  lr_min=r(lr * p["end_factor"]), **_warmup_kw(spec, False)), \
            lr * p["start_factor"]
    if name == "step" and p["timing"] == "torch":
        return _c("StepLRScheduler", decay_t=p["step_size"], decay_rate=r(p["decay_factor"]),
                  **_warmup_kw(spec, True)), p["initial_lr"]
    if name == "step":  # drops at t + 1 = k * s: MultiStep's milestone - 1 is that step
        s = p["step_size"]
        ms = list(range(s, kn + 1, s))
        if len(ms) > MAX_MILESTONES:
            raise _refuse(f"step at the document's timing over {len(ms)} drops (a "
                          f"MultiStepLRScheduler of at most {MAX_MILESTONES} milestones is "
                          "written; --timing torch is StepLRScheduler)")
        return _c("MultiStepLRScheduler", decay_t=_list(ms), decay_rate=r(p["decay_factor"]),
                  **_warmup_kw(spec, True)), p["initial_lr"]
    if name == "multistep":
        return _c("MultiStepLRScheduler", decay_t=_list(m + 1 for m in p["milestones"]),
                  decay_rate=r(p["gamma"]), **_warmup_kw(spec, True)), p["initial_lr"]
    if name == "constant" and (p["factor"] == 1.0 or not p["total_iters"]):
        return _c("StepLRScheduler", decay_t=kn, decay_rate=1.0, **_warmup_kw(spec, True)), \
            p["initial_lr"]
    if name == "wsd":
        if spec.warmup and spec.warmup_mode != "prefix":
            raise _refuse("wsd with an overlay warmup (WSDLRScheduler's warmup comes first)")
        if not 0 < p["decay_steps"] <= kn:
            raise _refuse(f"wsd with decay_steps {p['decay_steps']} (WSDLRScheduler needs "
                          f"0 < decay_t <= t_initial = {kn})")
        kw = _warmup_kw(spec, True)
        kw.pop("warmup_prefix", None)
        return _c("WSDLRScheduler", t_initial=kn, decay_t=p["decay_steps"],
                  lr_min=r(p["lr_min"]), decay_fn=repr(p["decay_shape"]), **kw), p["lr_max"]
    if name == "plateau":
        if p["threshold_mode"] != "rel" or p["eps"] != 1e-8:
            raise _refuse("a plateau with threshold_mode 'abs' or another eps (timm's "
                          "PlateauLRScheduler keeps torch's defaults)",
                          "use --framework torch or hf")
        if spec.warmup and spec.warmup_mode != "prefix":
            raise _refuse("a plateau with an overlay warmup (PlateauLRScheduler's warmup comes "
                          "first)", "use --framework torch or hf")
        return _c("PlateauLRScheduler", decay_rate=r(p["factor"]), patience_t=p["patience"],
                  threshold=r(p["threshold"]), cooldown_t=p["cooldown"],
                  lr_min=r(p["min_lr"]), mode=repr(p["mode"]), **_warmup_kw(spec, True)), \
            p["initial_lr"]
    what = {"constant": "a constant with a scaled start (--factor)",
            "step": "step decay"}.get(name, name)
    raise _refuse(what)


def _list(ms: Any) -> str:
    return "[" + ", ".join(str(m) for m in ms) + "]"


def _sgdr(spec: Spec, p: dict[str, Any], kn: int) -> tuple[str, float]:
    from ..dialects.timm.formulas import _cycle

    t0, m, lo, dec = p["t0"], p["t_mult"], p["lr_min"], p["restart_decay"]
    if dec != 1.0 and lo != 0.0:
        raise _refuse("sgdr with restart_decay and lr_min > 0 (timm's cycle_decay scales the "
                      "peak, lrsched's the distance above lr_min): set --lr-min 0")
    starts, length = [0], t0
    while starts[-1] + length < kn:
        starts.append(starts[-1] + length)
        length *= m
    a = {"cycle_mul": float(m), "t_initial": t0}
    for c, s in enumerate(starts[1:], 1):  # timm finds the cycle with a float log
        if _cycle(s, a)[0] != c or _cycle(s - 1, a)[0] != c - 1:
            raise UsageError(f"timm's CosineLRScheduler misplaces this sgdr's restart at "
                             f"step {s} (t_mult {m}: its cycle index is the floor of a float "
                             f"log); {OTHERS}")
    kw: dict[str, Any] = {"t_initial": t0, "lr_min": r(lo)}
    if m != 1:
        kw["cycle_mul"] = r(float(m))
    if dec != 1.0:
        kw["cycle_decay"] = r(dec)
    kw["cycle_limit"] = len(starts)
    return _c("CosineLRScheduler", **kw, **_warmup_kw(spec, False)), p["lr_max"]


def _timm(spec: Spec) -> Snippet:
    expr, lr = _class(spec)
    name = expr.split("(", 1)[0]
    plateau = name == "PlateauLRScheduler"
    per_epoch = plateau or spec.per_epoch
    call = expr if per_epoch else expr[:-1] + ", t_in_epochs=False)"
    head = (f"import torch\nfrom timm.scheduler import {name}\n\n"
            f"optimizer = torch.optim.SGD(model.parameters(), lr={r(lr)})\n")
    if "(" in call and not call.endswith("()"):
        made = call.replace("(", "(optimizer, ", 1)
    else:
        made = call[:-1] + "optimizer)"
    if plateau:
        loop = ("for epoch, metric in enumerate(val_losses):  # one metric per epoch\n"
                "    ...  # train one epoch\n    scheduler.step(epoch + 1, metric)\n")
    elif per_epoch:
        loop = (f"for epoch in range({spec.n}):\n    ...  # train one epoch\n"
                "    scheduler.step(epoch + 1)  # as timm's train.py: the lr for the next epoch\n")
    else:
        loop = (f"for step in range({spec.n}):\n    ...  # forward, backward\n"
                "    optimizer.step()\n"
                "    scheduler.step_update(num_updates=step + 1)  # as timm's train.py\n")
    note = ("# timm's MultiStepLRScheduler drops one step before each milestone: these are "
            "lrsched's + 1.\n" if spec.name == "multistep" else "")
    text = head + note + f"scheduler = {made}\n" + loop
    return Snippet(text=text, dialect="timm", expr=call, base_lr=lr)
