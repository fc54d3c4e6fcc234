"""Per-group learning rates: one schedule, scaled per parameter group.

Two ways to name the groups (research-schedules.md, A12):

- ``--groups backbone=0.1,head=1``: each group's rate is its multiplier times the schedule.
- ``--layer-decay D --layers L``: layer-wise learning-rate decay (LLRD), with groups
  ``embeddings, layer_0, ..., layer_{L-1}, head``. The two published conventions differ by one
  power of ``D``:

  * ``beit`` (microsoft/unilm ``beit/run_class_finetuning.py``, and timm's
    ``param_groups_layer_decay``): ``scale_i = D ** (L + 1 - i)`` with index 0 the
    embeddings, ``j + 1`` block ``j``, ``L + 1`` the head. The top block gets ``D``.
  * ``electra`` (google-research/electra ``model/optimization.py::_get_layer_lrs``):
    ``scale = D ** (L + 2 - depth)`` with depth 0 the embeddings, ``l + 1`` layer ``l``,
    ``L + 2`` the head. The top layer gets ``D ** 2`` (the power 1 is never used).

In both, the training loop multiplies the scheduled rate by the group's scale at every step
(``lr_group[t] = scale * lr[t]``), which is what lrsched computes. (A torch scheduler built on
param groups whose base rates differ scales ``lr_min`` only where the scheduler does so.)
This module does not import numpy: the command line builds its options from it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import UsageError

STYLES = ("beit", "electra")
MAX_GROUPS = 256
MAX_LAYERS = MAX_GROUPS - 2
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

#: (name, flag, metavar, help) of the options every schedule command takes.
OPTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("groups", "--groups", "NAME=MULT,...",
     "One schedule per parameter group, each the schedule times its multiplier: "
     "backbone=0.1,head=1"),
    ("layer_decay", "--layer-decay", "FLOAT",
     "Layer-wise lr decay D in (0, 1]: groups embeddings, layer_0..layer_{L-1}, head "
     "(needs --layers)"),
    ("layers", "--layers", "INT", "Number of layers (blocks) L for --layer-decay"),
    ("layer_decay_style", "--layer-decay-style", "[beit|electra]",
     "beit: top layer x D, embeddings x D^(L+1) (BEiT, timm); electra: top layer x D^2, "
     "embeddings x D^(L+2) (ELECTRA)  \\[default: beit]"),
)
NAMES = tuple(o[0] for o in OPTIONS)


def layer_scales(decay: float, layers: int, style: str = "beit") -> list[tuple[str, float]]:
    """``[(group, scale)]`` for layer-wise decay: embeddings, layer_0..layer_{L-1}, head.

    beit: ``D ** (L + 1 - i)``, i = 0 embeddings, j + 1 layer j, L + 1 head (BEiT's
    run_class_finetuning.py). electra: ``D ** (L + 2 - depth)``, depth 0 embeddings, l + 1
    layer l, L + 2 head (ELECTRA's _get_layer_lrs).
    """
    if style not in STYLES:
        raise UsageError(f"invalid value for --layer-decay-style: '{style}' (allowed: "
                         f"{', '.join(STYLES)})")
    top = layers + 1 if style == "beit" else layers + 2
    out = [("embeddings", decay ** top)]
    out += [(f"layer_{j}", decay ** (top - (j + 1))) for j in range(layers)]
    out.append(("head", decay ** 0))
    return out


def parse_groups(text: str) -> list[tuple[str, float]]:
    """``"backbone=0.1,head=1"`` as ``[("backbone", 0.1), ("head", 1.0)]``, validated."""
    out: list[tuple[str, float]] = []
    parts = [p.strip() for p in str(text).split(",")]
    allowed = "NAME=MULT,... with names like backbone or layer_0 and multipliers >= 0"
    for part in parts:
        name, eq, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name or not value:
            raise UsageError(f"invalid value for --groups: '{text}' ('{part}' is not NAME=MULT; "
                             f"allowed: {allowed})")
        if not _NAME.match(name) or name in ("step", "epoch"):
            raise UsageError(f"invalid group name '{name}' in --groups (allowed: letters, "
                             "digits, _ . -, starting with a letter or _; not step or epoch)")
        try:
            mult = float(value)
        except ValueError:
            mult = math.nan
        if not math.isfinite(mult) or mult < 0:
            raise UsageError(f"invalid multiplier '{value}' for group '{name}' in --groups "
                             "(allowed: a finite number >= 0)")
        if any(name == n for n, _ in out):
            raise UsageError(f"group '{name}' given twice in --groups; names must be unique")
        out.append((name, mult))
    if len(out) > MAX_GROUPS:
        raise UsageError(f"--groups has {len(out)} groups; at most {MAX_GROUPS}")
    return out


def resolve(raw: Mapping[str, Any]) -> list[tuple[str, float]] | None:
    """The groups the options ask for, or None for a single schedule. Raises UsageError."""
    groups, decay = raw.get("groups"), raw.get("layer_decay")
    layers, style = raw.get("layers"), raw.get("layer_decay_style")
    if groups is not None and (decay is not None or layers is not None or style is not None):
        other = ("--layer-decay" if decay is not None else
                 "--layers" if layers is not None else "--layer-decay-style")
        raise UsageError(f"--groups and {other} name the groups two ways (multipliers, or "
                         "layer-wise decay); give one")
    if groups is not None:
        return parse_groups(groups)
    if decay is None:
        if layers is not None or style is not None:
            flag = "--layers" if layers is not None else "--layer-decay-style"
            raise UsageError(f"{flag} needs --layer-decay D")
        return None
    from .registry import Param, parse_float, parse_int

    d = parse_float(Param("layer_decay", "float", None, ""), decay)
    if not 0 < d <= 1:
        raise UsageError(f"invalid value for --layer-decay: '{decay}' (allowed: 0 < D <= 1)")
    if layers is None:
        raise UsageError("--layer-decay needs --layers L, the number of layers (blocks)")
    n = parse_int(Param("layers", "int", None, ""), layers)
    if not 1 <= n <= MAX_LAYERS:
        raise UsageError(f"invalid value for --layers: '{layers}' (allowed: 1 to {MAX_LAYERS})")
    chosen = "beit" if style is None else str(style).strip().lower()
    return layer_scales(d, n, chosen)


def split(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the group options, the rest) of a command's raw options."""
    mine = {k: raw[k] for k in NAMES if k in raw}
    rest = {k: v for k, v in raw.items() if k not in NAMES}
    return mine, rest


def apply(series: Any, groups: Sequence[tuple[str, float]] | None) -> list[Any]:
    """One series per group (``scale * lr[t]``), or ``[series]`` without groups.

    The groups share one computation of the schedule per range of steps (a one-entry cache),
    so exporting L + 2 columns costs one schedule evaluation, not L + 2.
    """
    if not groups:
        return [series]
    from ..series import Series

    base = series.values if series.source is None else None
    cache: dict[tuple[int, int], Any] = {}

    def base_range(a: int, b: int) -> Any:
        if base is not None:
            return base[a - series.start:b - series.start]
        hit = cache.get((a, b))
        if hit is None:
            cache.clear()
            hit = cache[(a, b)] = series.source(a, b)
        return hit

    out = []
    for name, scale in groups:
        def source(a: int, b: int, scale: float = scale) -> Any:
            return base_range(a, b) * scale

        params = {**series.params, "group": name, "multiplier": scale}
        steps = series.steps if base is not None and not series.contiguous else None
        if steps is not None:
            values = base * scale
            s = Series(name, steps, values, name=series.name, params=params, unit=series.unit,
                       total_steps=series.total_steps)
        else:
            s = Series(name, name=series.name, params=params, unit=series.unit,
                       total_steps=series.total_steps, source=source, start=series.start,
                       stop=series.start + len(series))
        out.append(s)
    return out
