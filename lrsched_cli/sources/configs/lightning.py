"""PyTorch Lightning: a LightningCLI YAML (``trainer``, ``data``, ``optimizer`` and
``lr_scheduler`` as ``class_path`` + ``init_args``) or a Python file whose LightningModule's
``configure_optimizers`` returns the optimizer and scheduler (read by :mod:`.lightning_py`,
never run), with the file's ``Trainer(...)`` keywords; ``--set trainer.KEY=VALUE`` gives or
overrides them, ``--dataset-size`` and ``--batch-size`` the data.

How Lightning 2.6 counts (file:line in ``lightning/pytorch``):

- batches per epoch ``ceil(n / (B * W))`` (the loader keeps its last batch; a
  DistributedSampler pads), then ``limit_train_batches`` (``trainer/setup.py:124``: 0..1 as
  given, a whole float above 1 as a count, else refused; ``connectors/data_connector.py:457``:
  an int is ``min(batches, limit)``, a float ``int(batches * limit)``, and 0 batches from a
  fraction above 0 is refused). ``overfit_batches`` replaces it, ``fast_dev_run=k`` makes it
  ``k`` with ``max_steps = k`` and one epoch (``setup.py:_init_debugging_flags``);
- an update after every ``accumulate_grad_batches``-th batch of the epoch and after its last
  one (``loops/training_epoch_loop.py:438-453``: the window count restarts each epoch, a
  short last window still updates), so ``ceil(batches / A)`` updates an epoch;
- ``max_epochs`` (default 1000 without ``max_steps``, else no limit: ``loops/utilities.py:71``)
  and ``max_steps``, checked before every batch (``training_epoch_loop.py:121``): training
  can stop mid-epoch; ``estimated_stepping_batches = min(ceil(batches / A) * max(max_epochs,
  1), max_steps)`` (``trainer/trainer.py:1783``);
- schedulers step after the batch (``training_epoch_loop.py:358-362``): ``interval="step"``
  ones after a batch that made an update, when ``(batch_idx + 1) % frequency == 0``
  (``:482-486``; ``batch_idx`` counts batches within the epoch, not updates);
  ``interval="epoch"`` ones (the default, and every LightningCLI ``lr_scheduler``:
  ``cli.py:682`` returns ``[optimizer], [lr_scheduler]``) after the epoch's last batch when
  ``(current_epoch + 1) % frequency == 0``. Update ``k`` runs at the scheduler's value after
  the steps made before it (the torch or hf dialect computes those values).

Imports numpy, the YAML library, the dialects and this package only.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ...errors import UsageError
from .base import Inputs, Reading, flat, load_yaml, need, number
from .lightning_count import Run, count, stepping
from .lightning_py import OPTIMIZER_LR, PyFile, Sched, configure, trainer_kwargs
from .pyfile import parse_module

F = "lightning"
TRAINER = "PyTorch Lightning (2.6)"
PY = "_lightning_python"  # the document key holding the parsed Python file
_DEF = re.compile(r"^[ \t]*def[ \t]+configure_optimizers[ \t]*\(", re.M)


def sniff(text: str, file_name: str) -> bool:
    return (file_name.endswith(".py") or file_name == "stdin") and bool(_DEF.search(text))


def detect(doc: dict[str, Any]) -> bool:
    cli_keys = ("model", "data", "optimizer", "lr_scheduler", "seed_everything", "ckpt_path")
    return isinstance(doc.get("trainer"), dict) and any(k in doc for k in cli_keys) or any(
        isinstance(doc.get(k), dict) and "class_path" in doc[k]
        for k in ("optimizer", "lr_scheduler"))


def parse(text: str, file_name: str) -> dict[str, Any]:
    """A Python file: its Trainer keywords under ``trainer`` and the tree; else the YAML as
    LightningCLI reads it (jsonargparse's loader: ``1e-3`` is a float, dates stay text)."""
    if file_name.endswith(".py") or _DEF.search(text):
        py = PyFile(text, file_name, parse_module(text, file_name))
        return {"trainer": trainer_kwargs(py) or {}, PY: py}
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp",
                                                      "tag:yaml.org,2002:float")]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", re.X), list("-+0123456789."))
    doc = load_yaml(text, file_name, Loader)
    if not isinstance(doc, dict):
        raise UsageError(f"'{file_name}' holds no mapping of settings")
    return doc


def build(doc: dict[str, Any], inputs: Inputs) -> Reading:
    """The lr of every update Lightning makes with this config."""
    facts: list[tuple[str, str]] = []
    surprises: list[str] = []
    t = doc.get("trainer") if doc.get("trainer") is not None else {}
    if not isinstance(t, dict):
        raise UsageError(f"{F}: trainer must be a mapping of Trainer arguments")
    py = doc.get(PY)
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    args = data.get("init_args") if isinstance(data.get("init_args"), dict) else data
    batch = args.get("batch_size")
    if batch is None:
        batch = need(inputs.batch_size, "the batch size", "--batch-size B", F)
    batch = number({"batch_size": batch}, "batch_size", None, F, integer=True, lo=1)
    n = need(inputs.dataset_size, "how many training samples there are", "--dataset-size N", F)
    world = inputs.world_size
    devices, nodes = t.get("devices"), t.get("num_nodes", 1)
    if isinstance(devices, int) and not isinstance(devices, bool) and devices > 0 \
            and isinstance(nodes, int):
        world = devices * nodes
    if world != 1:
        facts.append(("processes", f"{world} (trainer devices x num_nodes)" if world !=
                      inputs.world_size else f"{world} (--world-size)"))
    facts.append(("trainer", "configure_optimizers in a Python file" if py is not None else
                  "LightningCLI"))
    run = count(t, n, batch, world, facts, surprises,
                py is None or trainer_kwargs(py) is not None)
    if py is not None:
        names = _scheduler_names()
        trainer = {"estimated_stepping_batches": run.estimated, "max_epochs": run.epochs,
                   "max_steps": run.max_steps, "accumulate_grad_batches": run.accum}
        opt = configure(py, trainer, names)
        lrs, schedulers = opt.lrs, opt.schedulers
        surprises.extend(opt.notes)
        if "estimated_stepping_batches" in opt.used:
            facts.append(("estimated_stepping_batches", f"{run.estimated:g}"))
    else:
        lrs, schedulers = [_cli_lr(doc)], _cli_scheduler(doc)
    return Reading(F, TRAINER, _values(run, lrs, schedulers, facts, surprises, py is None),
                   facts, surprises)


def _scheduler_names() -> dict[str, set[str]]:
    from ..dialects import get

    return {"torch": set(get("torch").functions), "hf": set(get("hf").functions)}


def _class(v: Any, key: str) -> tuple[str, dict[str, Any]]:
    """(class name, init_args) of a LightningCLI ``class_path`` entry."""
    if isinstance(v, str):
        return v.rpartition(".")[2], {}
    if not isinstance(v, dict) or not isinstance(v.get("class_path"), str):
        raise UsageError(f"{F}: {key} must be a class_path (with init_args)")
    extra = sorted(set(v) - {"class_path", "init_args", "dict_kwargs"})
    if extra:
        raise UsageError(f"{F}: {key}.{extra[0]}: LightningCLI reads a class's arguments under "
                         f"{key}.init_args")
    init = v.get("init_args") or {}
    if not isinstance(init, dict):
        raise UsageError(f"{F}: {key}.init_args must be a mapping")
    return v["class_path"].rpartition(".")[2], init


def _cli_lr(doc: dict[str, Any]) -> float:
    if doc.get("optimizer") is None:
        raise UsageError(f"{F}: the config has no optimizer, so LightningCLI uses the model's "
                         "own configure_optimizers, which the YAML does not hold: read that "
                         "Python file")
    name, init = _class(doc["optimizer"], "optimizer")
    if "lr" in init:
        return float(number(init, "lr", None, F, lo=0))
    if name not in OPTIMIZER_LR:
        raise UsageError(f"{F}: optimizer {name} has no init_args.lr and lrsched does not "
                         "know its default: give --set optimizer.init_args.lr=LR")
    return OPTIMIZER_LR[name]


def _cli_scheduler(doc: dict[str, Any]) -> list[Sched]:
    v = doc.get("lr_scheduler")
    if v is None:
        return []
    name, init = _class(v, "lr_scheduler")
    path = v if isinstance(v, str) else v["class_path"]
    if name == "ReduceLROnPlateau":
        if "lightning" in path:
            raise UsageError(f"{F}: lr_scheduler {path} follows the monitored metric, which "
                             "the config does not hold")
        raise UsageError(f"{F}: lr_scheduler {path} has no monitor: Lightning raises "
                         "MisconfigurationException (use lightning.pytorch.cli."
                         "ReduceLROnPlateau with init_args.monitor)")
    if name not in _scheduler_names()["torch"]:
        raise UsageError(f"{F}: lr_scheduler {path} is not a torch.optim.lr_scheduler lrsched "
                         "knows")
    text = f"{name}(" + ", ".join(f"{k}={_repr(x)}" for k, x in init.items()
                                  if k != "optimizer") + ")"
    return [Sched(name, "torch", [text], "epoch", 1, 0)]


def _repr(v: Any) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return f"float({str(v)!r})"
    if isinstance(v, (list, tuple)):
        inner = ", ".join(_repr(x) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner}{',' if len(v) == 1 else ''})"
    return repr(v)


def _values(run: Run, lrs: list[float], schedulers: list[Sched], facts: list[tuple[str, str]],
            surprises: list[str], cli: bool) -> dict[str, Any]:
    """One lr series per param group (one when all groups are the same)."""
    import numpy as np

    from ..dialects import compute

    if not schedulers:
        facts.append(("scheduler", "none: the optimizer's lr throughout"))
        out = [flat([lr] * run.total) for lr in lrs]
    else:
        first = schedulers[0]
        if any((s.interval, s.frequency) != (first.interval, first.frequency)
               or s.dialect != "torch" for s in schedulers[1:]):
            raise UsageError(f"{F}: schedulers with different intervals or frequencies on one "
                             "optimizer: lrsched computes them only when they step together")
        before, done, how = stepping(run, first.interval, first.frequency)
        names = " and ".join(s.name for s in schedulers)
        facts.append(("scheduler", "; ".join(s.calls[0] for s in schedulers)))
        facts.append(("scheduler steps", f"{how} (interval {first.interval!r}, frequency "
                                         f"{first.frequency}): {done} in all"))
        if first.frequency > 1 and first.interval == "step" and run.accum > 1:
            surprises.append(f"frequency {first.frequency} counts batches of the epoch "
                             f"((batch_idx + 1) % {first.frequency}), not updates, and restarts "
                             "every epoch")
        elif first.frequency > 1 and first.interval == "step" \
                and run.batches % first.frequency:
            surprises.append(f"frequency {first.frequency} restarts every epoch: "
                             f"{run.batches % first.frequency} batch(es) at each epoch's end "
                             "never count")
        if first.interval == "epoch":
            surprises.append(("LightningCLI steps its lr_scheduler once per epoch, not per "
                              "update: " if cli else "")
                             + f"{names} {'are' if len(schedulers) > 1 else 'is'} stepped "
                             f"per epoch, so {'they move' if len(schedulers) > 1 else 'it moves'}"
                             f" {done} step(s) in {run.total} updates")
        out = []
        for g, lr in enumerate(lrs):
            if len(schedulers) == 1:
                text, dialect = first.calls[g], first.dialect
            else:
                text, dialect = ("ChainedScheduler(schedulers=["
                                 + ", ".join(s.calls[g] for s in schedulers) + "])"), "torch"
            try:
                c = compute(dialect, text, done + 1, float(lr))
                values = c.source(0, done + 1)
            except UsageError as e:
                line = f" (line {first.line})" if first.line else ""
                raise UsageError(f"{F}: {names}{line}, which Lightning steps {done} times "
                                 f"({how}): " + " ".join(str(e).split())) from None
            out.append(np.asarray(values, dtype=np.float64)[before])
    if all(np.array_equal(o, out[0]) for o in out[1:]):
        return {"0": out[0]}
    return {str(g): o for g, o in enumerate(out)}
