"""``lrsched compare``: schedules side by side (chart, table, difference report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import UsageError
from .metrics import is_number
from .notices import note
from .series import Series

MIN_SPECS, MAX_SPECS = 2, 8
MAX_CURVES = 32  # specs times their parameter groups
MAX_CHART_CURVES = 8  # the terminal chart's distinct markers
LABEL_MAX = 32


def _groups(words: Sequence[str]) -> list[tuple[str, ...]]:
    """The schedule word, then each option with its values: [("cosine",), ("--lr-max", "0.1")]."""
    groups: list[list[str]] = []
    for i, w in enumerate(words):
        if i == 0 or (w.startswith("-") and not is_number(w)):
            groups.append([w])
        else:
            groups[-1].append(w)
    return [tuple(g) for g in groups]


def _cut(text: str, max_len: int) -> str:
    return text if len(text) <= max_len else text[: max_len - 1].rstrip() + "…"


def default_labels(texts: Sequence[str], max_len: int = LABEL_MAX) -> list[str]:
    """Labels from spec texts, unique and at most ``max_len`` characters.

    A spec's own words when they fit; otherwise the options a spec shares with every other
    spec of the same schedule are left out (``"step --step-size 10"`` and
    ``"step --step-size 10 --timing torch"`` become ``step`` and ``step --timing torch``),
    and what is still too long is cut with an ellipsis.
    """
    import shlex

    plain = [" ".join(t.split()) for t in texts]
    if all(len(t) <= max_len for t in plain) or len(texts) < 2:
        return make_unique([_cut(t, max_len) for t in plain])
    try:
        grouped = [_groups(shlex.split(t)) for t in texts]
    except ValueError:
        return make_unique([_cut(t, max_len) for t in plain])
    labels = []
    for i, g in enumerate(grouped):
        siblings = [h for j, h in enumerate(grouped) if j != i and h[0] == g[0]]
        shared = set(g[1:]).intersection(*(set(h[1:]) for h in siblings)) if siblings else set()
        labels.append(" ".join(" ".join(x) for x in [g[0], *(x for x in g[1:]
                                                              if x not in shared)]))
    return make_unique([_cut(t, max_len) for t in labels])


def make_unique(labels: Sequence[str]) -> list[str]:
    """Append ' (2)', ' (3)'... to repeats so that every label differs."""
    out: list[str] = []
    seen: set[str] = set(labels)
    counts: dict[str, int] = {}
    for lab in labels:
        if lab in out:
            k = counts.get(lab, 1)
            while f"{lab} ({k + 1})" in seen or f"{lab} ({k + 1})" in out:
                k += 1
            counts[lab] = k + 1
            lab = f"{lab} ({k + 1})"
        out.append(lab)
    return out


def choose_labels(texts: Sequence[str], given: Sequence[str] | None) -> list[str]:
    given = list(given or [])
    if len(given) > len(texts):
        raise UsageError(f"{len(given)} --label values for {len(texts)} specs; give at most one "
                         "per spec")
    for lab in given:
        if not lab.strip():
            raise UsageError("an empty --label; a label needs at least one character")
    dupes = sorted({lab for lab in given if given.count(lab) > 1})
    if dupes:
        raise UsageError(f"--label '{dupes[0]}' given twice; labels must be unique")
    defaults = default_labels(texts[len(given):])
    return make_unique(given + defaults)


def _without_group_options(text: str) -> str:
    """A spec's text for its label: the group options go (each curve is labelled
    ``label/group``)."""
    import shlex

    from .schedules.groups import OPTIONS

    flags = {o[1] for o in OPTIONS}
    try:
        words = shlex.split(text)
    except ValueError:
        return text
    if not any(w.split("=", 1)[0] in flags for w in words):
        return text
    kept: list[str] = []
    skip = False
    for w in words:
        if skip:
            skip = False
            continue
        if w in flags:
            skip = True
            continue
        if w.split("=", 1)[0] in flags:
            continue
        kept.append(w)
    return shlex.join(kept)


@dataclass(frozen=True)
class Difference:
    """How two series differ over the steps they share (within ``tolerance`` x peak)."""

    identical: bool
    common: int
    first_step: int | None = None
    first_a: float = 0.0
    first_b: float = 0.0
    max_abs: float = 0.0
    max_abs_step: int | None = None
    max_rel: float = 0.0
    max_rel_step: int | None = None
    tolerance: float = 0.0
    shift: int | None = None  # the log at step s equals the other at s + shift

    def as_json(self) -> dict:
        return {"identical": self.identical, "shift": self.shift, "tolerance": self.tolerance,
                "first_difference": self.first_step, "max_abs": self.max_abs,
                "max_rel": self.max_rel}


SHIFTS = (-1, 1, -2, 2)


def _differs(va: np.ndarray, vb: np.ndarray, tol: float) -> np.ndarray:
    if tol == 0:
        return va != vb
    peak = max(float(np.abs(va).max(initial=0)), float(np.abs(vb).max(initial=0)))
    return np.abs(va - vb) > tol * peak


def relative_difference(va: np.ndarray, vb: np.ndarray) -> np.ndarray:
    """``|a - b| / max(|a|, |b|)`` at each point (0 where both are 0)."""
    scale = np.maximum(np.abs(va), np.abs(vb))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, np.abs(va - vb) / scale, 0.0)


def _common(a: Series, b: Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(common steps, a's values there, b's values there) where one is sparse (a log)."""
    if a.contiguous and b.contiguous:
        lo, hi = max(a.start, b.start), min(a.stop, b.stop)
        common = np.arange(lo, max(lo, hi), dtype=np.int64)
    elif a.contiguous:
        common = b.steps[(b.steps >= a.start) & (b.steps < a.stop)]
    elif b.contiguous:
        common = a.steps[(a.steps >= b.start) & (a.steps < b.stop)]
    else:
        common = np.intersect1d(a.steps, b.steps, assume_unique=True)
    return common, a.values_at(common), b.values_at(common)


def difference(a: Series, b: Series, tolerance: float | None = None) -> Difference:
    """Compare ``a`` and ``b`` on their common steps.

    Identical: no value differs by more than ``tolerance`` times the peak (0: bit for bit),
    and the steps match (a log: every logged step is compared). Relative difference at a
    step: ``|a - b| / max(|a|, |b|)`` (0 where both are 0). When a log differs, the shifts
    -2..2 are tried: ``shift`` k says the log at step s equals the other at s + k. Two
    contiguous schedules compared bit for bit are streamed, a chunk at a time.
    """
    from .logs import tolerance as tol_for

    tol = tol_for(a, b) if tolerance is None else tolerance
    if tol == 0 and a.contiguous and b.contiguous:
        return _streamed_difference(a, b)
    common, va, vb = _common(a, b)
    if a.is_log or b.is_log:
        log = a if a.is_log else b
        same_steps = len(common) == len(log)
    else:
        same_steps = len(a) == len(b) == len(common)
    differs = _differs(va, vb, tol)
    if not differs.any():
        return Difference(identical=same_steps and len(common) > 0, common=len(common),
                          tolerance=tol)
    first = int(np.flatnonzero(differs)[0])
    diff = np.abs(va - vb)
    rel = relative_difference(va, vb)
    k_abs, k_rel = int(np.argmax(diff)), int(np.argmax(rel))
    return Difference(
        identical=False, common=len(common), first_step=int(common[first]),
        first_a=float(va[first]), first_b=float(vb[first]),
        max_abs=float(diff[k_abs]), max_abs_step=int(common[k_abs]),
        max_rel=float(rel[k_rel]), max_rel_step=int(common[k_rel]), tolerance=tol,
        shift=find_shift(a, b, tol),
    )


def _streamed_difference(a: Series, b: Series) -> Difference:
    """:func:`difference` of two contiguous schedules, bit for bit, one chunk at a time."""
    from .series import lockstep

    lo, hi = max(a.start, b.start), min(a.stop, b.stop)
    common = max(0, hi - lo)
    same_steps = len(a) == len(b) == common
    first = None
    best_abs = (0.0, None)
    best_rel = (0.0, None)
    if common:
        for steps, (va, vb) in lockstep([a.window(lo, hi), b.window(lo, hi)], 1 << 18):
            differs = va != vb
            if not differs.any():
                continue
            if first is None:
                k = int(np.flatnonzero(differs)[0])
                first = (int(steps[k]), float(va[k]), float(vb[k]))
            diff = np.abs(va - vb)
            rel = relative_difference(va, vb)
            k_abs, k_rel = int(np.argmax(diff)), int(np.argmax(rel))
            if best_abs[1] is None or diff[k_abs] > best_abs[0]:
                best_abs = (float(diff[k_abs]), int(steps[k_abs]))
            if best_rel[1] is None or rel[k_rel] > best_rel[0]:
                best_rel = (float(rel[k_rel]), int(steps[k_rel]))
    if first is None:
        return Difference(identical=same_steps and common > 0, common=common, tolerance=0.0)
    return Difference(identical=False, common=common, first_step=first[0], first_a=first[1],
                      first_b=first[2], max_abs=best_abs[0], max_abs_step=best_abs[1],
                      max_rel=best_rel[0], max_rel_step=best_rel[1], tolerance=0.0)


def find_shift(a: Series, b: Series, tol: float) -> int | None:
    """The k in -2..2 (nearest first) for which the log's value at each logged step s equals
    the other's at s + k, or None (also when neither is a log)."""
    if b.is_log and not a.is_log:
        a, b = b, a
    elif not a.is_log:
        return None
    for k in SHIFTS:
        shifted = a.steps + k
        if b.contiguous:
            ok = (shifted >= b.start) & (shifted < b.stop)
            ia, common = np.flatnonzero(ok), shifted[ok]
            vb = b.values_at(common)
        else:
            common, ia, ib = np.intersect1d(shifted, b.steps, assume_unique=True,
                                            return_indices=True)
            vb = b.values[ib]
        if len(common) < max(2, len(a) - abs(k)):
            continue
        if not _differs(a.values[ia], vb, tol).any():
            return k
    return None


SHIFT_MEANING = {
    -1: "the log's step counts updates done",
    1: "the log holds the next update's rate, read after scheduler.step()",
}


def _g(x: float) -> str:
    from .render.numbers import one

    return one(x)


def difference_report(a: Series, b: Series, d: Difference | None = None) -> str:
    """One sentence (a line) saying whether and where ``a`` and ``b`` differ (``d``: their
    :func:`difference`, when already computed)."""
    d = difference(a, b) if d is None else d
    unit = a.unit
    within = f" within {d.tolerance:g} x peak" if d.tolerance else ""
    why = ""
    if d.tolerance:
        why = " (the log holds float32)" if a.float32 or b.float32 else ""
    log_vs = a.is_log != b.is_log
    over = ""
    if log_vs:
        log = a if a.is_log else b
        if d.common < len(log):
            over = (f" (over the {d.common} of its {len(log)} logged {unit}s that the other "
                    "has)")
    elif not (len(a) == len(b) == d.common):
        over = (f" (over the {d.common} {unit}s both have; '{a.label}' has {len(a)}, "
                f"'{b.label}' {len(b)})")
    if d.common == 0:
        return f"'{a.label}' and '{b.label}' have no {unit} in common."
    if d.identical:
        if log_vs:
            return (f"'{a.label}' and '{b.label}' are identical{within}{why} at all "
                    f"{d.common} logged {unit}s.")
        return f"'{a.label}' and '{b.label}' are identical: all {d.common} values equal."
    if d.first_step is None:
        return f"'{a.label}' and '{b.label}' agree{within} on every common {unit}{over}."
    text = (
        f"'{a.label}' and '{b.label}' differ{over}: first at {unit} {d.first_step} "
        f"({_g(d.first_a)} vs {_g(d.first_b)}); largest absolute difference {_g(d.max_abs)} "
        f"at {unit} {d.max_abs_step}; largest relative difference {d.max_rel:.3g} "
        f"({d.max_rel * 100:.3g}%) at {unit} {d.max_rel_step}."
    )
    if d.shift is not None:
        k = d.shift
        meaning = SHIFT_MEANING.get(k)
        text += (f" They are identical{within}{why} if shifted by {k:+d} "
                 f"{unit}{'s' if abs(k) > 1 else ''}"
                 f"{f' ({meaning})' if meaning else ''}.")
    return text


def export_format_for(output: str | None, fmt: str | None) -> str | None:
    """The data format: --format, else the -o suffix; None: the terminal view."""
    from .render import data_format

    return data_format(output, fmt)


MAX_WIDTH = 400  # columns a terminal view uses at most (COLUMNS=1000000 would cost minutes)


def show_terminal(series: Sequence[Series], console, rows: int, at: list[int] | None,
                  log_y: bool, height: int, chart: bool = True,
                  diff: Difference | None = None, title: str | None = None) -> None:
    """``title``, chart, legend, table, and (for two series) the difference line, on
    ``console`` (``diff``: the two series' :func:`difference`, when already computed). One
    streamed pass over the series gathers what all of them show; nothing is printed until
    all of it is made, so a failure leaves stdout empty."""
    from rich.text import Text

    from .render.chart import coincident, hidden, legend_markup, render_chart
    from .render.scan import scan
    from .render.table import render_table, sample_rows, table_steps
    from .terminal import use_color

    for s in series:
        s.check_viewable()
    color = use_color(console.file)
    width = min(console.width, MAX_WIDTH)
    out: list[tuple[object, dict]] = []
    plain = {"highlight": False, "markup": False}
    if title is not None:
        out.append((title, plain))
    also: list[int] = []
    if len(series) == 2:  # show the first step where the two differ among the rows
        diff = difference(series[0], series[1]) if diff is None else diff
        first = diff.first_step
        also = [first] if first is not None else []
    logs = [s for s in series if s.is_log]
    if at is None and logs and len(logs) < len(series):  # rows at logged steps
        steps = logs[0].steps
        at = sorted({*steps[sample_rows(len(steps), rows)].tolist(), *also})
    chosen = table_steps(series, rows, at, width, also)
    scans = scan(series, chosen, 2 * width if chart else None, dense_above=4 * width)
    if chart:
        drawn = list(range(len(series)))
        if len(series) > MAX_CHART_CURVES:  # more would be noise: evenly chosen ones
            drawn = sample_rows(len(series), MAX_CHART_CURVES - 1).tolist()
        curves = [series[i] for i in drawn]
        points = [scans[i].points for i in drawn]
        out.append((Text.from_ansi(render_chart(curves, width=width, height=height,
                                                log_y=log_y, color=color, points=points)),
                    {"soft_wrap": True}))
        covered = hidden(curves, width, height, log_y, points)
        for line in legend_markup(curves, color, same=coincident(points), covered=covered):
            out.append((line, {"highlight": False}))
        if len(drawn) < len(series):
            out.append((f"  (the chart shows {len(drawn)} of the {len(series)} curves; the "
                        "table has them all)", plain))
        out.append(("", {}))
    out.append((render_table(series, rows=rows, at=at, width=width, also=also, scans=scans,
                             chosen=chosen), {}))
    if len(series) == 2:
        out.append((difference_report(series[0], series[1], diff), plain))
    for item, kw in out:
        console.print(item, **kw)


def parse_at(text: str, series: Sequence[Series]) -> list[int]:
    lo = min(int(s.steps[0]) for s in series)
    hi = max(int(s.steps[-1]) for s in series)
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit():
            raise UsageError(f"invalid value for --at: '{text}' (allowed: comma-separated whole "
                             "step numbers)")
        k = int(part)
        if not lo <= k <= hi:
            raise UsageError(f"--at step {k} is outside the steps shown, {lo}..{hi}")
        out.append(k)
    return out


def _save(path: str, texts: Sequence[str], labels: Sequence[str], steps: str | None) -> None:
    """The compared schedules as a spec file (each spec's own words, plus its label)."""
    import shlex

    from . import specfile
    from .words import typed as _typed

    entries = []
    for text, label in zip(texts, labels):
        words = shlex.split(text)
        entry: dict = {"schedule": words[0], "label": label}
        rest = words[1:]
        if rest and not rest[0].startswith("-"):
            entry["expr"] = rest.pop(0)
        i = 0
        while i < len(rest):
            key = rest[i].lstrip("-").replace("-", "_")
            if i + 1 < len(rest) and not (rest[i + 1].startswith("--")):
                entry[key] = _typed(rest[i + 1])
                i += 2
            else:
                entry[key] = True
                i += 1
        if steps is not None and "steps" not in entry:
            entry["steps"] = _typed(steps)
        entries.append(entry)
    specfile.write(path, entries)


def run_compare(texts: Sequence[str], steps: str | None, labels: Sequence[str] | None,
                rows: int, at: str | None, log_y: bool, height: int, plot: str | None,
                fmt: str | None, output: str | None, header: bool,
                save_spec: str | None = None) -> None:
    """The whole ``compare`` command."""
    from .specs import parse_spec
    from .terminal import stdout_console

    if not MIN_SPECS <= len(texts) <= MAX_SPECS:
        raise UsageError(f"compare takes {MIN_SPECS} to {MAX_SPECS} specs; {len(texts)} given")
    if rows < 1:
        raise UsageError(f"invalid value for --rows: '{rows}' (allowed: a whole number >= 1)")
    if not 5 <= height <= 200:
        raise UsageError(f"invalid value for --height: '{height}' (allowed: 5 to 200 lines)")
    data_fmt = export_format_for(output, fmt)
    if plot is not None:
        from .render.figure import figure_format

        figure_format(plot)
    if save_spec:
        from .specfile import check_path

        check_path(save_spec)
    names = choose_labels([_without_group_options(t) for t in texts], labels)
    given = len(labels or [])
    plain = [" ".join(_without_group_options(t).split()) for t in texts]
    longs = [names[i] if i < given else plain[i] for i in range(len(texts))]
    if len(set(longs)) < len(longs):
        longs = list(names)
    series = []
    for text, label, long in zip(texts, names, longs):
        parsed = parse_spec(text, steps)
        parsed.series.label = label
        for s in parsed.all_series():
            if parsed.groups:  # "label/group"
                s.long_label = f"{long}/{s.label}"
                s.label = f"{label}/{s.label}"
            else:
                s.long_label = long
            series.append(s)
    if len(series) > MAX_CURVES:
        raise UsageError(f"{len(series)} curves to compare (the specs' parameter groups "
                         f"included); at most {MAX_CURVES}: fewer groups or specs")
    chosen = parse_at(at, series) if at else None

    diff: Difference | None = None  # computed once, for the JSON and the report
    if data_fmt is not None:
        from .render.export import export

        extra = None
        if data_fmt == "json" and len(texts) == 2 and len(series) == 2:
            diff = difference(series[0], series[1])
            extra = {"diff": diff.as_json()}
        export(series, data_fmt, output, header=header, extra=extra)
    if plot is not None:
        from .render.figure import save_figure

        save_figure(series, plot, log_y=log_y)
        note(f"wrote {plot}")
    if data_fmt is None:  # a data format replaces the terminal view (-o FILE or stdout)
        show_terminal(series, stdout_console(), rows, chosen, log_y, height, diff=diff)
    if data_fmt is not None and output not in (None, "-"):
        note(f"wrote {output}")
    if save_spec:  # only once the run has succeeded (a failed run leaves the file as it was)
        _save(save_spec, texts, names, steps)
