"""What ``lrsched explore`` shows, without Textual: the specs being explored, their options
and series, the cursor, the zoomed range and the per-pixel envelopes drawn.

The model never reads a spec itself (render knows series, never sources): the command
passes in ``reparse(word, raw) -> list[Series]``, which parses and resolves a spec as the
command line does and raises :class:`~lrsched_cli.errors.UsageError` with the command
line's own message, and ``labels(texts)``, the labels compare would give.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import UsageError
from ...series import Series

CHART_ROWS = 18
MIN_SPAN = 8  # the narrowest zoom, in steps


@dataclass(frozen=True)
class Option:
    """One option of a spec's word: its Python name, the flag written on the command line,
    its help, its kind ("value", "multi", "flag" or "positional") and its default."""

    name: str
    flag: str
    help: str
    kind: str = "value"
    default: Any = None


@dataclass
class Explored:
    """One spec: its word, its raw options (strings, as typed), its series and label.

    ``shown`` is what the parameters panel shows (a rejected value stays there, with its
    error in ``errors``); ``raw`` is what the curve was drawn from."""

    word: str
    raw: dict[str, Any]
    options: list[Option]
    series: list[Series]
    label: str = ""
    editable: bool = True
    shown: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    version: int = 0
    stats: list[Any] = field(default_factory=list)
    full_points: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.shown = dict(self.raw)

    def words(self) -> list[str]:
        """The spec as command-line words: the word, its positional, then each option given
        (in declaration order)."""
        out = [self.word]
        by_name = {o.name: o for o in self.options}
        for o in self.options:
            if o.kind == "positional" and o.name in self.raw:
                out.append(str(self.raw[o.name]))
        for name, v in self.raw.items():
            o = by_name.get(name)
            if o is None or o.kind == "positional" or v is None:
                continue
            if o.kind == "flag":
                if v is True:
                    out.append(o.flag)
            elif o.kind == "multi":
                for x in v:
                    out += [o.flag, str(x)]
            else:
                out += [o.flag, str(v)]
        return out

    def text(self) -> str:
        return shlex.join(self.words())

    def value_text(self, o: Option) -> str:
        """An option's value as the panel shows it (and the editor starts from)."""
        v = self.shown.get(o.name)
        if v is None:
            return ""
        if o.kind == "flag":
            return "on" if v is True else ""
        if o.kind == "multi":
            return shlex.join(str(x) for x in v)
        return str(v)


Reparse = Callable[[str, dict[str, Any]], list[Series]]


class Model:
    """The specs, the cursor step, the zoom range and log-y, with the envelopes drawn."""

    def __init__(self, specs: Sequence[Explored], reparse: Reparse,
                 labels: Callable[[list[str]], list[str]]) -> None:
        self.specs = list(specs)
        self.reparse = reparse
        self.labels = labels
        self.log_y = False
        self.current = 0  # the spec whose parameters are shown
        self.selected = 0  # the option selected in the parameters panel
        self._cache: dict[tuple, Any] = {}
        self.bins = 200
        self._relabel()
        for sp in self.specs:
            self._scan(sp)
        lo, hi = self.full_range()
        self.lo, self.hi = lo, hi
        self.cursor = lo

    # --- the series ------------------------------------------------------------------
    def curves(self) -> list[Series]:
        return [s for sp in self.specs for s in sp.series]

    def _relabel(self) -> None:
        names = self.labels([sp.text() for sp in self.specs])
        for sp, name in zip(self.specs, names):
            sp.label = name
            if len(sp.series) == 1:
                sp.series[0].label = name
            else:
                for s in sp.series:
                    group = s.params.get("group", s.label.rsplit("/", 1)[-1])
                    s.label = f"{name}/{group}"

    def _scan(self, sp: Explored) -> None:
        """One streamed pass: the summary statistics and the whole range's envelopes."""
        from ..scan import scan

        for s in sp.series:
            s.check_viewable()
        scans = scan(sp.series, np.array([], dtype=np.int64), self.bins,
                     dense_above=4 * self.bins)
        sp.stats = [x.stats for x in scans]
        sp.full_points = [x.points for x in scans]
        sp.version += 1

    def full_range(self) -> tuple[int, int]:
        from ..scan import step_range

        return step_range(self.curves())

    def set_bins(self, bins: int) -> None:
        """The chart's width in braille dots: the envelopes are redrawn at that width."""
        bins = max(20, int(bins))
        if bins != self.bins:
            self.bins = bins
            self._cache.clear()
            for sp in self.specs:
                self._scan(sp)

    # --- editing ---------------------------------------------------------------------
    def set_option(self, index: int, name: str, text: str) -> str | None:
        """Give option ``name`` of spec ``index`` the value typed (empty: its default);
        re-parse that spec. The command line's error message when it is refused (the
        curve stays as it was), else None."""
        sp = self.specs[index]
        if not sp.editable:
            return f"'{sp.label}' is a log: its points are what the run logged"
        o = next(x for x in sp.options if x.name == name)
        raw = dict(sp.raw)
        text = text.strip()
        if o.kind == "flag":
            value: Any = True if text.lower() in ("on", "true", "yes", "1") else None
        elif o.kind == "multi":
            try:
                value = shlex.split(text) or None
            except ValueError as e:
                value, sp.errors[name] = text, f"cannot split '{text}': {e}"
                sp.shown[name] = value
                return sp.errors[name]
        else:
            value = text or None
        if value is None:
            raw.pop(name, None)
        else:
            raw[name] = value
        shown = dict(sp.shown)
        shown[name] = value
        try:
            series = self.reparse(sp.word, raw)
        except UsageError as e:
            sp.shown = shown
            sp.errors = {name: str(e)}
            return str(e)
        old = sp.series
        sp.raw, sp.shown, sp.errors, sp.series = raw, dict(raw), {}, series
        try:
            self._scan(sp)
        except UsageError as e:  # too long to view: the old curve stays
            sp.series = old
            sp.errors = {name: str(e)}
            return str(e)
        self._relabel()
        self._cache.clear()
        lo, hi = self.full_range()
        self.lo, self.hi = max(lo, min(self.lo, hi)), min(hi, max(self.hi, lo))
        if self.hi - self.lo < 1:
            self.lo, self.hi = lo, hi
        self.cursor = min(max(self.cursor, self.lo), self.hi)
        return None

    # --- the view --------------------------------------------------------------------
    def points(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """What the chart draws of each curve over lo..hi: the cached per-pixel envelope of
        the whole range, or one streamed over the zoomed window only."""
        from ..scan import envelopes

        full = (self.lo, self.hi) == self.full_range()
        out = []
        for sp in self.specs:
            for s, whole in zip(sp.series, sp.full_points):
                if full and whole is not None:
                    out.append(whole)
                    continue
                key = (id(s), sp.version, self.lo, self.hi, self.bins)
                if key not in self._cache:
                    if s.contiguous:
                        w = s.window(self.lo, self.hi + 1)
                        if len(w) > 4 * self.bins:
                            self._cache[key] = envelopes([w], self.bins, lambda rows: None)[0]
                        else:
                            self._cache[key] = (w.steps, w.values)
                    else:
                        keep = (s.steps >= self.lo) & (s.steps <= self.hi)
                        self._cache[key] = (s.steps[keep], s.values[keep])
                out.append(self._cache[key])
        return out

    def value_at(self, s: Series, step: int) -> tuple[int, float] | None:
        """(step, value) of ``s`` at the cursor: a schedule's own, a log's last logged point
        at or before it."""
        if s.contiguous:
            if not s.start <= step < s.stop:
                return None
            return step, float(s.values_at(np.array([step]))[0])
        k = int(np.searchsorted(s.steps, step, side="right")) - 1
        if k < 0:
            return None
        return int(s.steps[k]), float(s.values[k])

    def move(self, columns: int) -> None:
        """Move the cursor by ``columns`` chart columns (a braille column: 2 dots)."""
        per = max(1, (self.hi - self.lo) * 2 // max(1, self.bins))
        self.cursor = min(max(self.cursor + columns * per, self.lo), self.hi)

    def zoom(self, factor: float) -> None:
        """Zoom in (factor < 1) or out around the cursor, within the whole range."""
        lo, hi = self.full_range()
        span = max(MIN_SPAN, int(round((self.hi - self.lo) * factor)))
        if span >= hi - lo:
            self.lo, self.hi = lo, hi
            return
        frac = (self.cursor - self.lo) / max(1, self.hi - self.lo)
        a = int(round(self.cursor - frac * span))
        a = min(max(a, lo), hi - span)
        self.lo, self.hi = a, a + span
        self.cursor = min(max(self.cursor, self.lo), self.hi)

    def set_range(self, end: str) -> None:
        """``[``: the range starts at the cursor; ``]``: it ends there."""
        lo, hi = self.full_range()
        if end == "[":
            self.lo = min(self.cursor, self.hi - 1)
        else:
            self.hi = max(self.cursor, self.lo + 1)
        self.lo, self.hi = max(lo, self.lo), min(hi, self.hi)

    def reset_zoom(self) -> None:
        self.lo, self.hi = self.full_range()
        self.cursor = min(max(self.cursor, self.lo), self.hi)

    def command_lines(self) -> list[str]:
        """What the user ended with: one ``lrsched plot ...`` line per spec, then the
        ``lrsched compare`` line of them all when there are several."""
        lines = ["lrsched plot " + sp.text() for sp in self.specs]
        if len(self.specs) > 1:
            lines.append("lrsched compare " + " ".join(shlex.quote(sp.text())
                                                       for sp in self.specs))
        return lines
