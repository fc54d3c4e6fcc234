"""A candidate spec for a log (:class:`Candidate`) and the ``lrsched`` words that write it.

Imports nothing of lrsched; no UI library (typer, click, rich, plotext, matplotlib), not
even inside a function.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, field
from typing import Any

Params = dict[str, Any]
Proposal = tuple[Params, "int | None"]  # parameters, and the main run length (None: shortest)


@dataclass
class Candidate:
    schedule: str
    params: Params
    run: Params
    max_rel: float = math.inf
    words: list[str] = field(default_factory=list)
    offset: int = 0  # the spec reproduces the log's value at step s at step s + offset
    end: int | None = None  # the decay ends at this step; the value is held from there on

    def spec_text(self) -> str:
        return shlex.join(self.words)

    @property
    def notes(self) -> list[str]:
        out = []
        if self.offset:
            out.append(f"log steps {self.offset:+d}")
        if self.end is not None:
            out.append(f"held from step {self.end}")
        return out


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        text = repr(v)
        return text[:-2] if text.endswith(".0") else text
    return str(v)


def _words(schedule: str, params: Params, run: Params) -> list[str]:
    words = [schedule]
    for k, v in {**params, **run}.items():
        if v is None or v is False or (k == "warmup" and v == 0 and schedule != "wsd"):
            continue
        if k == "warmup_start" and v == 0:  # the default
            continue
        flag = "--" + k.replace("_", "-")
        words += [flag] if v is True else [flag, _fmt(v)]
    return words
