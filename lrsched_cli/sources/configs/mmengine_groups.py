"""MMEngine's param groups from ``optim_wrapper.paramwise_cfg`` (mmengine 0.10,
``DefaultOptimWrapperConstructor.add_params``).

With a ``paramwise_cfg`` MMEngine makes one group per parameter: the longest matching
``custom_keys`` entry (a substring of ``module.name``; ties alphabetical) gives
``lr x lr_mult`` (or its own ``lr``) and no other rule applies; else a parameter called
``bias`` gets ``lr x bias_lr_mult`` (norm layers' and DCN offsets' biases excepted). Without
one, the optimizer holds a single group.

The config does not list the model's parameters, so lrsched takes the parameters it names:
a key ending in ``.weight`` or ``.bias`` names a module, taken to hold a weight and a bias
(as ``nn.Linear`` and ``nn.Conv2d`` do), in that order; any other key matching none of those
stands for the parameters it matches; with no module named, one series stands for all other
weights and one for all other biases. Imports errors only.
"""

from __future__ import annotations

from typing import Any

from ...errors import UsageError

F = "mmengine"
LEAVES = ("weight", "bias")


def paramwise(cfg: Any, lr: float, facts: list[tuple[str, str]],
              surprises: list[str]) -> tuple[list[str], list[float]]:
    """(group names, their lrs before any scheduler)."""
    if not cfg:
        return ["0"], [lr]
    if not isinstance(cfg, dict):
        raise UsageError(f"{F}: optim_wrapper.paramwise_cfg must be a dict")
    custom = cfg.get("custom_keys") or {}
    if not isinstance(custom, dict) or not all(
            isinstance(k, str) and isinstance(v, dict) for k, v in custom.items()):
        raise UsageError(f"{F}: paramwise_cfg.custom_keys must map names to dicts "
                         "(such as {'backbone': dict(lr_mult=0.1)})")
    bias = cfg.get("bias_lr_mult")
    for key, entry in [("bias_lr_mult", {"m": bias})] + [
            (f"custom_keys[{k!r}]", v) for k, v in custom.items()]:
        for name, v in entry.items():
            if name in ("lr", "lr_mult", "m") and v is not None and (
                    isinstance(v, bool) or not isinstance(v, (int, float))):
                raise UsageError(f"{F}: paramwise_cfg {key} {name} {v!r} is not a number")
    if cfg.get("dcn_offset_lr_mult") is not None:
        surprises.append("dcn_offset_lr_mult applies to mmcv deformable convolutions, which "
                         "lrsched cannot see in the config: not applied")
    ordered = sorted(sorted(custom), key=len, reverse=True)
    modules: list[str] = []
    for key in custom:
        head, dot, leaf = key.rpartition(".")
        if dot and head and leaf in LEAVES and head not in modules:
            modules.append(head)
    params: list[tuple[str, str, str | None]] = []  # (series name, local name, key text)
    for m in modules:
        params += [(f"{m}.{leaf}", leaf, f"{m}.{leaf}") for leaf in LEAVES]
    named = [p[0] for p in params]
    params += [(k, "", None) for k in custom if not any(k in n for n in named)]
    if not modules:
        params += [("weights", "weight", None), ("biases", "bias", None)]
    names, lrs, how = [], [], []
    for i, (name, local, full) in enumerate(params):
        if full is not None:
            key = next((k for k in ordered if k in full), None)
        else:
            key = name if name in custom else None
        if key is not None:
            entry = custom[key]
            value = lr * entry.get("lr_mult", 1.)
            if "lr" in entry:
                value = entry["lr"]
            rule = f"custom_keys {key!r}"
        elif local == "bias" and bias is not None:
            value, rule = lr * bias, "bias_lr_mult"
        else:
            value, rule = lr, "lr"
        names.append(f"{i}:{name}")
        lrs.append(value)
        how.append(f"{i}:{name} {value:g} ({rule})")
    facts.append(("param groups", "one per parameter (paramwise_cfg): " + ", ".join(how)))
    if modules:
        surprises.append("the config does not list the model's parameters: lrsched takes "
                         f"the module(s) custom_keys names ({', '.join(modules)}) to hold a "
                         "weight and a bias, as nn.Linear and nn.Conv2d do; any other weight "
                         "runs at lr, any other bias at "
                         + ("lr x bias_lr_mult" if bias is not None else "lr"))
    else:
        surprises.append("the config does not list the model's parameters: 'weights' and "
                         "'biases' stand for every parameter no custom key matches "
                         "(norm layers' biases keep lr)")
    return names, lrs
