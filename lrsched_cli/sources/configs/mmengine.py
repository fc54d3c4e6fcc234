"""MMEngine: a Python config (``param_scheduler``, ``train_cfg``, ``train_dataloader``,
``optim_wrapper``) as mmengine 0.10's Runner trains it. The file is read with ``ast``
(:mod:`.pyfile`), never executed.

How the Runner counts (``runner/runner.py``, ``runner/loops.py``, ``dataset/sampler.py``,
``optim/optimizer/optimizer_wrapper.py``, ``hooks/param_scheduler_hook.py``):

- iterations per epoch ``len(train_dataloader) = ceil(ceil(n / W) / batch_size)`` (the
  DefaultSampler pads every rank to ``ceil(n / W)``; ``floor`` with ``drop_last``);
- ``EpochBasedTrainLoop``: ``max_iters = max_epochs x iterations per epoch``;
  ``IterBasedTrainLoop``: ``max_iters`` as given, and the whole run is one epoch
  (``max_epochs`` 1), so a ``by_epoch`` scheduler is stepped only after the last update;
- a scheduler without ``end`` ends at ``max_epochs`` (``by_epoch``) or ``max_iters``
  (``build_param_scheduler``), before ``convert_to_iter_based`` multiplies it;
- ``accumulative_counts`` k: an update when the global iteration count is a multiple of k
  or reaches ``max_iters`` (``should_update``): windows cross epoch ends and the last one
  may be short; the schedulers still step after every iteration;
- ``paramwise_cfg``: one param group per parameter, ``lr x lr_mult`` of the longest
  matching ``custom_keys`` entry, else ``lr x bias_lr_mult`` for a bias
  (``DefaultOptimWrapperConstructor.add_params``); ``auto_scale_lr`` multiplies every group
  by ``W x batch_size / base_batch_size`` before the schedulers are built.

The schedulers themselves are :mod:`.mmengine_schedulers`. Imports numpy (through
:mod:`.base`) and this package only.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ...errors import UsageError
from . import mmengine_schedulers as ms
from .base import Inputs, Reading, ceil_div, flat, need
from .pyfile import Code

TRAINER = "MMEngine Runner (mmengine 0.10)"
F = "mmengine"
KEYS = ("param_scheduler", "optim_wrapper")
LOOPS = ("EpochBasedTrainLoop", "IterBasedTrainLoop")
WRAPPERS = ("OptimWrapper", "AmpOptimWrapper")
MAX_ITERS = 10 ** 7
_TOP = re.compile(r"^(param_scheduler|optim_wrapper)\s*(:[^=]*)?=", re.M)


def sniff(text: str, file_name: str) -> bool:
    """A ``.py`` file assigning ``param_scheduler`` or ``optim_wrapper`` at module level."""
    return file_name.endswith(".py") and _TOP.search(text) is not None


def parse(text: str, file_name: str) -> dict[str, Any]:
    """The module-level values of the config (:mod:`.mmengine_read`)."""
    from .mmengine_read import config_values

    return config_values(text, file_name)


def build(doc: dict[str, Any], inputs: Inputs) -> Reading:
    """The lr of every update the Runner makes with this config."""
    facts: list[tuple[str, str]] = []
    surprises: list[str] = []
    loop, limit = _loop(doc)
    scheds = _scheduler_cfgs(doc)
    wrapper = _mapping(doc, "optim_wrapper", required=True)
    accum = _int(wrapper, "accumulative_counts", 1, "optim_wrapper.accumulative_counts")
    loader = _mapping(doc, "train_dataloader")
    w = inputs.world_size
    convert = any(s.get("convert_to_iter_based") for s in scheds)
    length: int | None = None
    if loop == "EpochBasedTrainLoop" or convert:
        length = _length(loader, inputs, loop, facts, surprises)
    if loop == "EpochBasedTrainLoop":
        epochs, max_iters = limit, limit * (length or 0)
        facts.append(("iterations", f"{max_iters} = {epochs} epochs x {length}"))
    else:
        epochs, max_iters = 1, limit
        facts.append(("iterations", f"{max_iters} (IterBasedTrainLoop max_iters; the run is "
                                    "one epoch)"))
    if max_iters > MAX_ITERS:
        raise UsageError(f"{F}: {max_iters} iterations is more than lrsched simulates "
                         f"({MAX_ITERS}): lower max_epochs/max_iters with --set")
    names, lrs = _param_groups(wrapper, doc, loader, w, facts, surprises)
    groups = ms.Groups(lrs)
    built = _build_schedulers(scheds, loop, epochs, max_iters, length, groups, facts,
                              surprises)
    iter_scheds = [s for s in built if not s.by_epoch]
    epoch_scheds = [s for s in built if s.by_epoch]
    per_epoch = length if loop == "EpochBasedTrainLoop" else max_iters
    record: list[list[float]] = []
    count = 0
    for _ in range(epochs):
        for _ in range(per_epoch or 0):
            count += 1
            if count % accum == 0 or count == max_iters:
                record.append(list(groups.lr))
            for s in iter_scheds:
                s.step(groups)
        for s in epoch_scheds:
            s.step(groups)
    if not record:
        raise UsageError(f"{F}: the Runner makes no update ({max_iters} iterations)")
    _accumulation(accum, length if loop == "EpochBasedTrainLoop" else None, max_iters,
                  len(record), facts, surprises)
    if loop == "IterBasedTrainLoop" and epoch_scheds:
        surprises.append(", ".join(s.kind for s in epoch_scheds) + " (by_epoch) in an "
                         "IterBasedTrainLoop steps only after the last update: the lr never "
                         "moves (set by_epoch=False)")
    columns = {name: flat([r[i] for r in record]) for i, name in enumerate(names)}
    first = next(iter(columns.values()))
    if all((c == first).all() for c in columns.values()):
        columns = {"0": first}
    return Reading(F, TRAINER, columns, facts, surprises)


# --------------------------------------------------------------------------------------
# The pieces of the config.

def _mapping(doc: dict[str, Any], key: str, required: bool = False) -> dict[str, Any]:
    v = doc.get(key)
    if v is None:
        if required:
            raise UsageError(f"{F}: the config has no {key} (the Runner needs one to train)")
        return {}
    _literal(v, key)
    if not isinstance(v, dict):
        raise UsageError(f"{F}: {key} must be a dict, not {type(v).__name__}")
    return v


def _literal(v: Any, key: str) -> None:
    if isinstance(v, Code):
        raise UsageError(f"{F}: {key} at line {v.line} is code lrsched does not run "
                         f"({v.text[:60]!r}): write it as dicts, lists and numbers, or give "
                         "--set")


def _int(d: dict[str, Any], key: str, default: int, name: str) -> int:
    v = d.get(key, default)
    _literal(v, name)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or v < 1:
        raise UsageError(f"{F}: {name} {v!r} is not allowed: a whole number >= 1")
    return int(v)


def _loop(doc: dict[str, Any]) -> tuple[str, int]:
    """(loop type, max_epochs or max_iters), as ``Runner.build_train_loop`` picks it."""
    cfg = _mapping(doc, "train_cfg", required=True)
    if "type" in cfg and "by_epoch" in cfg:
        raise UsageError(f"{F}: train_cfg has both type and by_epoch (the Runner raises "
                         "RuntimeError: only one of them)")
    if "type" in cfg:
        kind = cfg["type"]
        if kind not in LOOPS:
            raise UsageError(f"{F}: train_cfg type {kind!r} is not a loop lrsched knows: "
                             + ", ".join(LOOPS))
    elif "by_epoch" in cfg:
        kind = LOOPS[0] if cfg["by_epoch"] else LOOPS[1]
    else:
        raise UsageError(f"{F}: train_cfg needs type or by_epoch (the Runner raises KeyError)")
    key = "max_epochs" if kind == LOOPS[0] else "max_iters"
    if key not in cfg:
        raise UsageError(f"{F}: train_cfg needs {key} for {kind}")
    return kind, _int(cfg, key, 0, f"train_cfg.{key}")


def _scheduler_cfgs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    v = doc.get("param_scheduler")
    if v is None:
        return []
    _literal(v, "param_scheduler")
    items = v if isinstance(v, (list, tuple)) else [v]
    if isinstance(v, dict) and "type" not in v:
        raise UsageError(f"{F}: param_scheduler is a dict of several optimizers' schedulers, "
                         "which lrsched does not read: give one optimizer's list")
    for i, s in enumerate(items):
        _literal(s.get("type") if isinstance(s, dict) else s, f"param_scheduler[{i}]")
        if not isinstance(s, dict) or not isinstance(s.get("type"), str):
            raise UsageError(f"{F}: param_scheduler[{i}] must be a dict with a type (one of: "
                             + ", ".join(ms.TYPES) + ")")
    return [dict(s) for s in items]


def _length(loader: dict[str, Any], inputs: Inputs, loop: str,
            facts: list[tuple[str, str]], surprises: list[str]) -> int:
    """``len(train_dataloader)`` per process: iterations per epoch."""
    n = need(inputs.dataset_size, "how many training samples there are", "--dataset-size N",
             F)
    batch = loader.get("batch_size", inputs.batch_size)
    batch = need(batch, "the batch size (train_dataloader.batch_size)", "--batch-size B", F)
    batch = _int({"b": batch}, "b", 1, "train_dataloader.batch_size")
    drop = bool(loader.get("drop_last", False))
    w = inputs.world_size
    sampler = loader.get("sampler") or {"type": "DefaultSampler"}
    kind = sampler.get("type", "DefaultSampler") if isinstance(sampler, dict) else sampler
    if kind == "InfiniteSampler" and loop == LOOPS[0]:
        raise UsageError(f"{F}: an InfiniteSampler never ends an epoch of the "
                         "EpochBasedTrainLoop: use DefaultSampler or an IterBasedTrainLoop")
    if kind == "InfiniteSampler":
        per_rank, how = n, f"{n} (InfiniteSampler's length is the whole dataset)"
    elif kind == "DefaultSampler":
        if sampler.get("round_up", True):
            per_rank, how = ceil_div(n, w), f"ceil({n} / {w})"
        else:
            per_rank, how = ceil_div(n, w), f"ceil({n} / {w}) on rank 0 (round_up=False)"
    else:
        raise UsageError(f"{F}: train_dataloader sampler {kind!r} is not one lrsched counts "
                         "(DefaultSampler, InfiniteSampler)")
    length = per_rank // batch if drop else ceil_div(per_rank, batch)
    if w > 1:
        facts.append(("samples per process", how))
    facts.append(("iterations per epoch", f"{length} = {'floor' if drop else 'ceil'}"
                                          f"({per_rank} / {batch})"))
    if not drop and per_rank % batch:
        surprises.append(f"the last batch of every epoch has {per_rank % batch} of {batch} "
                         "samples")
    if length < 1:
        raise UsageError(f"{F}: {n} samples make no batch of {batch} (drop_last)")
    return length


def _accumulation(accum: int, length: int | None, max_iters: int, updates: int,
                  facts: list[tuple[str, str]], surprises: list[str]) -> None:
    if accum == 1:
        facts.append(("total updates", f"{updates} (one per iteration)"))
        return
    facts.append(("total updates", f"{updates} = iterations {max_iters} in windows of "
                                   f"accumulative_counts {accum}"))
    if length is not None and length % accum:
        surprises.append(f"accumulation windows cross epoch ends ({length} iterations an "
                         f"epoch, windows of {accum}): the counter is global")
    if max_iters % accum:
        surprises.append(f"the last window has {max_iters % accum} of {accum} iterations and "
                         "still updates (max_iters reached)")
    surprises.append("the schedulers step every iteration, so an update sees one scheduler "
                     f"value in every {accum}")


def _param_groups(wrapper: dict[str, Any], doc: dict[str, Any], loader: dict[str, Any],
                  w: int, facts: list[tuple[str, str]],
                  surprises: list[str]) -> tuple[list[str], list[float]]:
    """The groups' names and lrs as the default constructor builds them."""
    kind = wrapper.get("type", "OptimWrapper")
    if kind not in WRAPPERS:
        raise UsageError(f"{F}: optim_wrapper type {kind!r} is not one lrsched counts: "
                         + ", ".join(WRAPPERS))
    if wrapper.get("constructor", "DefaultOptimWrapperConstructor") != \
            "DefaultOptimWrapperConstructor":
        raise UsageError(f"{F}: optim_wrapper constructor {wrapper['constructor']!r} sets "
                         "the groups in its own code: lrsched reads "
                         "DefaultOptimWrapperConstructor's paramwise_cfg only")
    opt = wrapper.get("optimizer")
    if not isinstance(opt, dict):
        raise UsageError(f"{F}: optim_wrapper needs an optimizer dict with its lr")
    lr = opt.get("lr")
    _literal(lr, "optim_wrapper.optimizer.lr")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) \
            or lr < 0:
        raise UsageError(f"{F}: optim_wrapper.optimizer.lr {lr!r} is not allowed: a finite "
                         "number >= 0")
    from .mmengine_groups import paramwise

    names, mults = paramwise(wrapper.get("paramwise_cfg"), float(lr), facts, surprises)
    scale = doc.get("auto_scale_lr")
    if isinstance(scale, dict) and scale.get("enable", False):
        base = scale.get("base_batch_size")
        batch = loader.get("batch_size")
        if not isinstance(base, (int, float)) or not isinstance(batch, int):
            raise UsageError(f"{F}: auto_scale_lr needs base_batch_size and "
                             "train_dataloader.batch_size")
        ratio = float(w * batch) / float(base)
        mults = [m * ratio for m in mults]
        facts.append(("auto_scale_lr", f"every lr x {ratio:g} = world {w} x batch {batch} / "
                                       f"base_batch_size {base}"))
    return names, mults


def _build_schedulers(cfgs: list[dict[str, Any]], loop: str, epochs: int, max_iters: int,
                      length: int | None, groups: ms.Groups, facts: list[tuple[str, str]],
                      surprises: list[str]) -> list[ms.Scheduler]:
    """``Runner._build_param_scheduler``: the default end, the conversion, the constructors
    (each steps once) in the list's order."""
    built = []
    if not cfgs:
        facts.append(("scheduler", "none: the optimizer's lr throughout"))
    for i, cfg in enumerate(cfgs):
        kind, where = cfg["type"], f"param_scheduler[{i}]"
        if kind.endswith("Momentum") or kind.endswith("ParamScheduler") and cfg.get(
                "param_name", "lr") != "lr":
            facts.append((where, f"{kind} schedules {cfg.get('param_name', 'momentum')}, "
                                 "not the lr"))
            continue
        if kind.endswith("ParamScheduler"):
            if "param_name" not in cfg:
                raise UsageError(f"{F}: {where} {kind} needs param_name (MMEngine raises "
                                 "TypeError without it)")
            kind = kind[:-len("ParamScheduler")] + "LR"
            cfg = {k: v for k, v in cfg.items() if k != "param_name"}
        if kind == "ReduceOnPlateauLR":
            raise UsageError(f"{F}: {where} ReduceOnPlateauLR follows the validation "
                             "metrics, which a config does not hold; allowed here: "
                             + ", ".join(ms.TYPES))
        if kind not in ms.TYPES:
            raise UsageError(f"{F}: {where} type {cfg['type']!r} is not one of: "
                             + ", ".join(ms.TYPES))
        by_epoch = cfg.get("by_epoch", True)
        given_end = "end" in cfg
        cfg.setdefault("end", epochs if by_epoch else max_iters)
        s = ms.make(cfg, kind, where)
        if cfg.get("convert_to_iter_based", False):
            if not by_epoch:
                raise UsageError(f"{F}: {where}: convert_to_iter_based on a by_epoch=False "
                                 "scheduler (MMEngine asserts only epoch-based ones convert)")
            was = (s.begin, s.end)
            s.to_iters(length or 0)
            converted = f" (convert_to_iter_based: epochs [{was[0]:g}, {was[1]:g}) x {length})"
            if any(x * (length or 0) != int(x * (length or 0)) for x in was):
                surprises.append(f"{where} {kind}: [{was[0]:g}, {was[1]:g}) epochs x {length} "
                                 f"is cut to whole iterations [{s.begin}, {s.end}) by int()")
        else:
            converted = ""
        s.build(groups)
        _describe(s, given_end, converted, facts, surprises)
        built.append(s)
    _overlaps(built, length, surprises)
    when = [f"{', '.join(s.kind for s in built if s.by_epoch is b)} after every {unit}"
            for b, unit in ((False, "iteration"), (True, "epoch"))
            if any(s.by_epoch is b for s in built)]
    if when:
        facts.append(("scheduler steps", "; ".join(when) + " (ParamSchedulerHook), and once "
                                         "when built"))
    return built


def _describe(s: ms.Scheduler, given_end: bool, converted: str,
              facts: list[tuple[str, str]], surprises: list[str]) -> None:
    unit = "epochs" if s.by_epoch else "iterations"
    facts.append((s.where, f"{s.kind} over {unit} [{s.begin:g}, {s.end:g})" + converted
                  + ("" if given_end else " (end defaulted to the loop's length)")))
    if s.kind in ("LinearLR", "PolyLR", "ConstantLR") and s.total_iters > 0:
        what = {"LinearLR": "its end_factor", "PolyLR": "eta_min",
                "ConstantLR": "the full lr"}[s.kind]
        surprises.append(f"{s.kind} reaches {what} at {unit[:-1]} {s.end - 1:g}, one "
                         f"{unit[:-1]} before its end {s.end:g} (it spans end - begin - 1)")
    if s.kind == "OneCycleLR":
        surprises.append("OneCycleLR replaces the optimizer's lr: it starts at eta_max / "
                         "div_factor")


def _overlaps(built: list[ms.Scheduler], length: int | None, surprises: list[str]) -> None:
    def span(s: ms.Scheduler) -> tuple[float, float]:
        k = (length or 1) if s.by_epoch else 1
        return s.begin * k, s.end * k

    for i, a in enumerate(built):
        for b in built[i + 1:]:
            (a0, a1), (b0, b1) = span(a), span(b)
            if max(a0, b0) < min(a1, b1):
                surprises.append(f"{a.where} {a.kind} and {b.where} {b.kind} overlap: "
                                 "chained, they multiply each other")
