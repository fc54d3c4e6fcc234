"""``lrsched identify FILE``: name the schedule behind a log.

Each native family proposes parameters from the logged values by closed forms: levels and
the whole powers between them for step decays, a log-linear fit for exponential decay,
linear least squares in (lr_min, lr_max) for cosine, lines through the logged pieces for
cyclical rates, ... What a log leaves open is searched, never assumed:

- the run length N, for the families whose values depend on it (cosine, polynomial,
  linear, wsd, one-cycle): the last logged step only bounds it from below (a sparse log
  need not hold the last step, a log may stop early), so N is where the closed form's
  residual is smallest, found by a log-spaced scan refined by golden section;
- a decay that ends before the log does (torch ``PolynomialLR`` with ``total_iters`` shorter
  than the run, Keras ``CosineDecay`` after ``decay_steps``: the value is held from there
  on): the same search below the last logged step. lrsched's native schedules cannot hold
  their last value (``linear`` can, by ``--total-iters``), so such a candidate is written
  as the optax schedule that computes it (optax's schedules clamp their count);
- the step of a change between two logged steps (a drop, a restart, a turn of a cycle):
  from the constraints all logged points give together;
- a linear warmup, prefix or overlay (ramping to the handover value or to the peak), from
  the rising start; its length is refined from the fitted main schedule.

Searches and a first check use at most about SEARCH_POINTS of the logged points (evenly
spread, plus every turn of the values); the candidates that pass are checked by lrsched
itself at every logged step: the spec is resolved as ``lrsched export`` resolves it and its
values are computed at the logged steps only (:func:`.evaluate.values_at`), so memory and
time follow the log's length, whatever the run's length.

The package's face is :func:`identify`, :func:`code_for` and :class:`Candidate`. Its parts:
``candidate`` (the record and its spec words), ``evaluate`` (values at the logged steps),
``fitting`` (what the family fitters share), ``decays`` and ``phases`` (the closed forms of
each family), ``search`` (the warmup and step-offset search, the first check), ``rounding``
(short decimals) and ``tails`` (held tails as optax schedules).

No UI library (typer, click, rich, plotext, matplotlib), not even inside a function;
never imports render or commands.
"""

from __future__ import annotations

import numpy as np

from ...errors import UsageError
from ...series import Series
from .candidate import Candidate
from .evaluate import _resolve
from .rounding import ROUNDING_COST_FLOAT32, ROUNDING_COST_FLOAT64, _round_params, _simplicity
from .search import FAMILIES, OFFSETS, SIMPLER, _Finder
from .tails import _tail_words

__all__ = ["Candidate", "code_for", "identify"]


def identify(series: Series, top: int = 5,
             families: list[str] | None = None) -> tuple[list[Candidate], float]:
    """The best candidates for ``series`` (a log), best first, and the tolerance used."""
    t_all = series.steps.astype(np.int64)
    v_all = series.values.astype(np.float64)
    if len(v_all) < 3:
        raise UsageError(f"'{series.label}' has {len(v_all)} logged values; identify needs at "
                         "least 3")
    finder = _Finder(t_all, v_all, series.float32)
    tol = finder.tol
    names = families or list(FAMILIES)
    for offset in OFFSETS:
        if t_all[0] + offset >= 0:
            finder.fit(names, offset)
    cost = ROUNDING_COST_FLOAT32 if series.float32 else ROUNDING_COST_FLOAT64
    best: dict[str, Candidate] = {}
    pool = finder.results()
    for name in {c.schedule for c in pool}:
        cs = sorted((c for c in pool if c.schedule == name),
                    key=lambda c: (c.max_rel > tol, c.offset != 0, _simplicity(c, tol),
                                   c.max_rel))
        fitting = [c for c in cs if c.max_rel <= tol][:3]
        for c in fitting:  # the simplest spec of the best few, once rounded
            _finish(c, finder, cost)
        fitting = [c for c in fitting if c.max_rel <= tol]
        best[name] = (min(fitting, key=lambda c: (c.offset != 0, _simplicity(c, 0.0),
                                                  c.max_rel))
                      if fitting else cs[0])

    def key(c: Candidate) -> tuple:
        fits = c.max_rel <= tol
        return (not fits, SIMPLER.index(c.schedule) if fits else 0, c.offset != 0, c.max_rel,
                len(c.words))

    ranked = sorted(best.values(), key=key)[:top]
    for c in ranked:
        if c.end is not None and c.words[0] != "optax":
            _finish(c, finder, cost)
    return ranked, tol


def _finish(c: Candidate, finder: _Finder, cost: float) -> None:
    """Round the fitted numbers (see _round_params) and, for a held tail, write the optax
    schedule and check it as ``lrsched export`` computes it."""
    steps, values = finder.t + c.offset, finder.v
    budget = min(max(c.max_rel, 0.0) + cost, finder.tol)
    if not finder.f32:
        budget = min(max(c.max_rel, cost), finder.tol)
    _round_params(c, steps, values, budget, finder.screen)
    if c.end is not None:
        _tail_words(c, steps, values, budget)


def code_for(c: Candidate) -> dict[str, str]:
    """``lrsched code`` of a candidate, per framework that can express it."""
    if c.end is not None:  # a held tail: the optax schedule it is written as
        if c.words[0] != "optax":
            return {}
        return {"optax": (f"import optax\n\nschedule = optax.{c.words[1]}\n"
                          "optimizer = optax.sgd(learning_rate=schedule)  # or adamw, ...\n"
                          f"# the decay ends at step {c.end}; the schedule holds its value "
                          "after it\n")}
    from ...sources.codegen import FRAMEWORKS, emit

    spec = _resolve(c.schedule, c.params, c.run)
    out = {}
    for fw in FRAMEWORKS:
        try:
            text = emit(spec, fw).text
        except Exception:  # noqa: BLE001 - a framework that cannot express it is left out
            continue
        if len(text) <= 4000:  # (an sgdr of many cycles writes one branch per cycle)
            out[fw] = text
    return out
