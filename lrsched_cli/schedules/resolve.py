"""Resolving a schedule's raw values into a validated :class:`Spec` (DESIGN.md §1): every
parameter parsed, the run's length and steps per epoch settled (``90ep``, ``10%``, ``2Ttok``,
``--dataset-size``), the warmup and hold placed, the entry's checks run. Both the command line
and the Python API go through :func:`resolve_entry` (via ``registry.resolve``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import UsageError
from .params import (
    _REQUIRED,
    COMMON,
    COMMON_BY_NAME,
    DEFAULT_STEPS,
    Length,
    Param,
    Schedule,
    Share,
    _check_bounds,
    _Record,
    parse_value,
)


def _resolve_length(p: Param, v: int | Length, n: int | None, spe: int | None,
                    tokens: float | None = None) -> int:
    """Steps from a length: ``Nep`` x steps per epoch, ``P%`` of the run, ``Ntok`` / tokens
    per step. What does not come out whole is refused with the nearest whole values (a
    default percentage rounds to the nearest step)."""
    if not isinstance(v, Length):
        return v
    if v.unit == "ep":
        if spe is None:
            raise UsageError(f"{p.flag} {v.text} is in epochs: give --steps-per-epoch, or "
                             "--dataset-size with --batch-size")
        x, what = v.value * spe, f"epochs of {spe} steps"
    elif v.unit == "tok":
        if tokens is None:
            raise UsageError(f"{p.flag} {v.text} is in tokens: give --tokens-per-step, or "
                             "--batch-size with --seq-len")
        x, what = v.value / tokens, f"steps of {tokens:g} tokens"
    else:
        assert n is not None
        x, what = v.value / 100 * n, f"of {n} steps"
        if v.default:
            x = math.floor(x + 0.5)
    if not abs(x - round(x)) < 1e-9 * max(1.0, abs(x)):
        lo, hi = math.floor(x), math.ceil(x)
        raise UsageError(f"{p.flag} {v.text} is {x:.10g} steps ({what}), not a whole number: "
                         f"use {lo} or {hi}")
    out = int(round(x))
    _check_bounds(p, out, v.text)
    return out


class Spec(_Record):
    """A validated schedule: entry, its parameters, and the run settings of DESIGN.md §1.

    ``params`` are the kernel's parameters, resolved; ``n`` the steps (epochs with
    per_epoch) the schedule runs over, warmup included; ``explicit`` what the user set.
    """

    __slots__ = ("entry", "params", "n", "start", "unit", "steps_per_epoch", "per_epoch",
                 "warmup", "warmup_start", "warmup_shape", "warmup_mode", "explicit", "hold",
                 "warmup_target")
    _fields = (("entry", _REQUIRED), ("params", _REQUIRED), ("n", _REQUIRED),
               ("start", _REQUIRED), ("unit", _REQUIRED), ("steps_per_epoch", _REQUIRED),
               ("per_epoch", _REQUIRED), ("warmup", _REQUIRED), ("warmup_start", _REQUIRED),
               ("warmup_shape", _REQUIRED), ("warmup_mode", _REQUIRED),
               ("explicit", frozenset()), ("hold", 0), ("warmup_target", "handover"))
    entry: Schedule
    params: dict[str, Any]
    n: int
    start: int
    unit: str
    steps_per_epoch: int | None
    per_epoch: bool
    warmup: int
    warmup_start: float
    warmup_shape: str
    warmup_mode: str
    explicit: frozenset[str]
    hold: int
    warmup_target: str

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def kernel_n(self) -> int:
        """Steps the main kernel runs over (N - W - H in prefix mode; N - H in overlay)."""
        return self.n - self.hold - (self.warmup if self.warmup_mode == "prefix" else 0)

    def kernel_params(self) -> dict[str, Any]:
        """The keyword arguments of the kernel: text-only options dropped, N defaults filled."""
        out = {}
        for p in self.entry.params:
            if p.kind == "text":
                continue
            v = self.params[p.name]
            if v is None and p.none_means_n:
                v = self.kernel_n
            out[p.name] = v
        return out

    def key_params(self) -> dict[str, Any]:
        """All parameters and the run settings that differ from their defaults."""
        out: dict[str, Any] = {}
        for p in self.entry.params:
            if p.kind in ("metrics", "text") or self.params[p.name] is None:
                continue
            if p.modifier and self.params[p.name] == p.default:
                continue
            out[p.name] = self.params[p.name]
        out["steps"] = self.n
        if self.warmup:
            out.update(warmup=self.warmup, warmup_start=self.warmup_start,
                       warmup_shape=self.warmup_shape, warmup_mode=self.warmup_mode)
            if self.warmup_target != "handover":
                out["warmup_target"] = self.warmup_target
        if self.hold:
            out["hold"] = self.hold
        if self.per_epoch:
            out.update(per_epoch=True, steps_per_epoch=self.steps_per_epoch)
        if self.start:
            out["start"] = self.start
        return out


def _run_length(values: Mapping[str, Any], default_n: int | None
                ) -> tuple[int | None, float | None, int | None]:
    """(steps per epoch, tokens per step, N) from the parsed run options of DESIGN.md §1.

    Steps per epoch: ``--steps-per-epoch``, or ``--dataset-size`` / ``--batch-size`` batches
    (rounded up, down with ``--drop-last``) per ``--grad-accum``, as the HF Trainer counts
    update steps. N: ``--steps`` in any length form, else ``default_n``.
    """
    spe = values["steps_per_epoch"]
    if spe is None and values["dataset_size"] is not None:
        if values["batch_size"] is None:
            raise UsageError("--dataset-size needs --batch-size to count steps per epoch")
        size, batch = values["dataset_size"], values["batch_size"]
        batches = size // batch if values["drop_last"] else -(-size // batch)
        spe = batches // values["grad_accum"]  # as the HF Trainer counts update steps
        if spe < 1:
            raise UsageError(f"--dataset-size {size} with --batch-size {batch} and --grad-accum "
                             f"{values['grad_accum']} gives no whole optimizer step per epoch")
    tokens = values["tokens_per_step"]
    if tokens is None and values["seq_len"] is not None and values["batch_size"] is not None:
        tokens = float(values["batch_size"] * values["seq_len"] * values["grad_accum"])
    steps_p = COMMON_BY_NAME["steps"]
    if values["per_epoch"] and spe is None:
        raise UsageError("--per-epoch needs --steps-per-epoch (or --dataset-size with "
                         "--batch-size)")
    raw_n = values["steps"]
    if raw_n is None:
        n = default_n
    elif values["per_epoch"] and isinstance(raw_n, Length) and raw_n.unit == "ep":
        n = _resolve_length(steps_p, raw_n, None, 1, tokens)  # N counts epochs: Nep is N
    elif values["per_epoch"] and isinstance(raw_n, Length) and raw_n.unit == "tok":
        steps = _resolve_length(steps_p, raw_n, None, spe, tokens)
        if steps % spe:
            raise UsageError(f"--steps {raw_n.text} is {steps} steps, not a whole number of "
                             f"epochs of {spe} steps (--per-epoch counts epochs)")
        n = steps // spe
    else:
        n = _resolve_length(steps_p, raw_n, None, spe, tokens)
    return spe, tokens, n


class Run(_Record):
    """The run settings of DESIGN.md §1 for a schedule word that is not a registry entry
    (a dialect, a recipe): ``n`` the steps (epochs with ``per_epoch``), None when the
    command line leaves it to the schedule; ``start`` counts output rows."""

    __slots__ = ("n", "start", "unit", "steps_per_epoch", "per_epoch", "tokens_per_step")
    _fields = (("n", _REQUIRED), ("start", 0), ("unit", "step"), ("steps_per_epoch", None),
               ("per_epoch", False), ("tokens_per_step", None))
    n: int | None
    start: int | Length
    unit: str
    steps_per_epoch: int | None
    per_epoch: bool
    tokens_per_step: float | None

    def out_rows(self, n: int) -> int:
        """Output rows of a schedule of ``n`` updates (epochs held K rows with per-epoch)."""
        return n * self.steps_per_epoch if self.per_epoch and self.steps_per_epoch else n

    def resolve_start(self, n: int) -> int:
        """``--start`` in rows, checked against the run of ``n`` updates."""
        rows = self.out_rows(n)
        start = _resolve_length(COMMON_BY_NAME["start"], self.start, rows,
                                self.steps_per_epoch)
        if start >= rows:
            raise UsageError(f"--start {start} is past the last index {rows - 1}")
        return start


RUN_NAMES = ("steps", "start", "unit", "steps_per_epoch", "dataset_size", "batch_size",
             "grad_accum", "drop_last", "seq_len", "tokens_per_step", "per_epoch")


def resolve_run(raw: Mapping[str, Any]) -> Run:
    """Parse and resolve the run options (``RUN_NAMES``) given in ``raw`` (None: default)."""
    values: dict[str, Any] = {}
    for name in RUN_NAMES:
        p = COMMON_BY_NAME[name]
        v = raw.get(name)
        values[name] = parse_value(p, v) if v is not None else (
            parse_value(p, p.default) if p.default is not None else None)
    spe, tokens, n = _run_length(values, None)
    return Run(n=n, start=values["start"], unit=values["unit"], steps_per_epoch=spe,
               per_epoch=values["per_epoch"], tokens_per_step=tokens)


def _lookup(entry: Schedule) -> dict[str, Param]:
    table: dict[str, Param] = {}
    for p in (*entry.params, *COMMON):
        for key in (p.name, *p.aliases):
            table.setdefault(key.lower().replace("-", "_"), p)
    return table


def resolve_entry(entry: Schedule, raw: Mapping[str, Any]) -> Spec:
    """Validate raw values for registry entry ``entry`` and resolve lengths: a :class:`Spec`.

    ``raw`` maps parameter names (or aliases, Python or kebab spelling) to values; a
    missing or ``None`` value takes the default. Raises :class:`UsageError`.
    """
    table = _lookup(entry)
    given: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        p = table.get(str(key).lower().replace("-", "_"))
        if p is None:
            import difflib

            known = sorted({q.name for q in table.values()})
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"{entry.name} has no parameter '{key}'{hint}; it takes "
                             f"{', '.join(known)}")
        if p.name in given:
            raise UsageError(f"{p.flag} given twice (once as '{key}')")
        given[p.name] = value

    context = {"metrics_column": given.get("metrics_column")}
    values: dict[str, Any] = {}
    for p in (*COMMON, *entry.params):
        if p.name in given:
            values[p.name] = parse_value(p, given[p.name], context)
        else:
            default = entry.common_defaults.get(p.name, p.default)
            values[p.name] = (parse_value(p, default, {**context, "_default": True})
                              if default is not None else None)
    for p in entry.params:
        if p.kind == "metrics" and values[p.name] is None:
            raise UsageError(f"{entry.name} needs {p.flag} ({p.allowed_text()})")

    implied = entry.default_steps(values) if entry.default_steps else None
    spe, tokens, n = _run_length(values, implied if implied is not None else DEFAULT_STEPS)
    # In per-epoch mode the schedule's index counts epochs: Nep means N.
    unit_spe = 1 if values["per_epoch"] else spe

    for p in entry.params:  # floors written (or defaulting) as a share of the peak
        v = values[p.name]
        if isinstance(v, Share):
            x = v.of(values[p.share_of])
            _check_bounds(p, x, v.text)
            values[p.name] = x

    resolved: dict[str, Any] = {}
    for p in entry.params:
        v = values[p.name]
        if p.kind == "length" and v is not None:
            v = _resolve_length(p, v, n, unit_spe, tokens)
        elif p.kind == "lengths":
            v = tuple(_resolve_length(p, x, n, unit_spe, tokens) for x in v)
        resolved[p.name] = v

    common_p = {p.name: p for p in COMMON}
    warmup = _resolve_length(common_p["warmup"], values["warmup"], n, unit_spe, tokens)
    out_rows = n * spe if values["per_epoch"] else n
    start = _resolve_length(common_p["start"], values["start"], out_rows, spe)
    if start >= out_rows:
        raise UsageError(f"--start {start} is past the last index {out_rows - 1}")
    mode = values["warmup_mode"]
    hold = _resolve_length(common_p["hold"], values["hold"], n, unit_spe, tokens)
    if warmup and warmup >= n:
        raise UsageError(f"--warmup {warmup} must be shorter than --steps {n}")
    if hold and warmup and mode == "overlay":
        raise UsageError("--hold needs --warmup-mode prefix (an overlay warmup replaces the "
                         "schedule's first values; there is nothing to hold)")
    if hold + warmup >= n:
        raise UsageError(f"--warmup {warmup} + --hold {hold} leave no steps of the {n} for the "
                         "schedule; shorten them")
    if warmup and values["warmup_shape"] == "exponential" and values["warmup_start"] <= 0:
        raise UsageError("an exponential warmup needs --warmup-start above 0 (it multiplies "
                         "from there)")

    spec = Spec(
        entry=entry, params=resolved, n=n, start=start, unit=values["unit"],
        steps_per_epoch=spe, per_epoch=values["per_epoch"], warmup=warmup,
        warmup_start=values["warmup_start"], warmup_shape=values["warmup_shape"],
        warmup_mode=mode, explicit=frozenset(given), hold=hold,
        warmup_target=values["warmup_target"],
    )
    kernel_params = spec.kernel_params()
    for check in entry.checks:
        check(kernel_params, spec)
    return spec
