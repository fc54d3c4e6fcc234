"""``lrsched compare``: schedules side by side (labels, the data formats, the terminal view,
the figure and the spec file); the Typer command itself is in :mod:`lrsched_cli.cli`."""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.difference import Difference, difference
from ..errors import UsageError
from ..notices import note
from ..series import Series
from ..sources.metrics import is_number

MIN_SPECS, MAX_SPECS = 2, 8
MAX_CURVES = 32  # specs times their parameter groups
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

    from ..schedules.groups import OPTIONS

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


def export_format_for(output: str | None, fmt: str | None) -> str | None:
    """The data format: --format, else the -o suffix; None: the terminal view."""
    from ..render import data_format

    return data_format(output, fmt)


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

    from ..sources import specfile
    from ..sources.words import typed as _typed

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
    from ..render.terminal import stdout_console
    from ..sources.specs import parse_spec

    if not MIN_SPECS <= len(texts) <= MAX_SPECS:
        raise UsageError(f"compare takes {MIN_SPECS} to {MAX_SPECS} specs; {len(texts)} given")
    if rows < 1:
        raise UsageError(f"invalid value for --rows: '{rows}' (allowed: a whole number >= 1)")
    if not 5 <= height <= 200:
        raise UsageError(f"invalid value for --height: '{height}' (allowed: 5 to 200 lines)")
    data_fmt = export_format_for(output, fmt)
    if plot is not None:
        from ..render.figure import figure_format

        figure_format(plot)
    if save_spec:
        from ..sources.specfile import check_path

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
        from ..render.export import export

        extra = None
        if data_fmt == "json" and len(texts) == 2 and len(series) == 2:
            diff = difference(series[0], series[1])
            extra = {"diff": diff.as_json()}
        export(series, data_fmt, output, header=header, extra=extra)
    if plot is not None:
        from ..render.figure import save_figure

        save_figure(series, plot, log_y=log_y)
        note(f"wrote {plot}")
    if data_fmt is None:  # a data format replaces the terminal view (-o FILE or stdout)
        from ..render.view import show_terminal

        show_terminal(series, stdout_console(), rows, chosen, log_y, height, diff=diff)
    if data_fmt is not None and output not in (None, "-"):
        note(f"wrote {output}")
    if save_spec:  # only once the run has succeeded (a failed run leaves the file as it was)
        _save(save_spec, texts, names, steps)
