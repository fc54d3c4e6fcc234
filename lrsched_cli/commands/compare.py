"""``lrsched compare``: schedules side by side (labels, the data formats, the terminal view,
the figure and the spec file); the Typer command itself is in :mod:`lrsched_cli.cli`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from ..errors import UsageError
from ..notices import note
from .options import DPI, FIGURE_HELP, HEIGHT, ROWS, X_UNITS, quiet_broken_pipe, style_names

if TYPE_CHECKING:  # numpy-backed; imported where used so that --help stays light
    from ..series import Series

MIN_SPECS, MAX_SPECS = 2, 8
MAX_CURVES = 32  # specs times their parameter groups
LABEL_MAX = 32
SPARK_ABOVE = 4  # more curves than this: the table has a sparkline of each (--no-spark: not)


def _groups(words: Sequence[str]) -> list[tuple[str, ...]]:
    """The schedule word, then each option with its values: [("cosine",), ("--lr-max", "0.1")]."""
    from ..files.metrics import is_number

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
    from ..sources.words import DIALECTS
    from ..sources.words import options as _options
    from ..sources.words import typed as _typed

    entries = []
    for text, label in zip(texts, labels):
        words = shlex.split(text)
        entry: dict = {"schedule": words[0], "label": label}
        multi = {f.lstrip("-").replace("-", "_")  # repeatable (--var, --set): kept as a list
                 for o in (_options(words[0]) if words[0] in (*DIALECTS, "config") else ())
                 if o.kind == "multi" for f in o.flags}
        rest = words[1:]
        if rest and not rest[0].startswith("-"):
            entry["expr"] = rest.pop(0)
        i = 0
        while i < len(rest):
            key = rest[i].lstrip("-").replace("-", "_")
            if i + 1 < len(rest) and not (rest[i + 1].startswith("--")):
                if key in multi:
                    entry.setdefault(key, []).append(rest[i + 1])
                else:
                    entry[key] = _typed(rest[i + 1])
                i += 2
            else:
                entry[key] = True
                i += 1
        if steps is not None and "steps" not in entry:
            entry["steps"] = _typed(steps)
        entries.append(entry)
    specfile.write(path, entries)


def _spec_lengths(text: str) -> dict:
    """The steps per epoch and tokens per step a spec's run options give (for --x-unit)."""
    from ..sources.specs import spec_words
    from ..sources.words import parse_words
    from .options import run_lengths

    try:
        return run_lengths(parse_words(spec_words(text))[1])
    except UsageError:  # (parse_spec has read it: not reached)
        return {}


def run_compare(texts: Sequence[str], steps: str | None, labels: Sequence[str] | None,
                rows: int, at: str | None, log_y: bool, height: int, plot: str | None,
                fmt: str | None, output: str | None, header: bool,
                save_spec: str | None = None, figure: dict | None = None,
                grid: bool = False, spark: bool | None = None) -> None:
    """The whole ``compare`` command. ``figure``: the --plot figure's options (size, dpi,
    style, x_unit, normalize), ``grid``: small multiples; ``spark``: sparklines in the table
    (None: when there are more than SPARK_ABOVE curves)."""
    from ..analysis.difference import Difference, difference
    from ..render import data_format
    from ..render.terminal import stdout_console
    from ..sources.specs import parse_spec

    if not MIN_SPECS <= len(texts) <= MAX_SPECS:
        raise UsageError(f"compare takes {MIN_SPECS} to {MAX_SPECS} specs; {len(texts)} given")
    data_fmt = data_format(output, fmt)  # (--rows, --height: bounded by their click type)
    figure = dict(figure or {})
    dpi = figure.pop("dpi", None)
    if plot is None:  # the figure's options without a figure: say so rather than ignore them
        given = [f"--{k.replace('_', '-')}" for k, v in (*figure.items(), ("dpi", dpi),
                                                         ("grid", grid))
                 if v is not None and v is not False]
        if given:
            raise UsageError(f"{given[0]} sets how the --plot figure looks: give --plot FILE")
    look = None
    if plot is not None:
        from ..render.look import figure_format
        from .options import figure_look

        figure_format(plot)
        dpi = 150 if dpi is None else dpi
        look = figure_look(figure.get("size"), figure.get("style"), figure.get("x_unit"),
                           bool(figure.get("normalize")), dpi)
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
    panels: list[tuple[str, list[int]]] = []
    lengths: list[dict] = []
    for text, label, long in zip(texts, names, longs):
        parsed = parse_spec(text, steps)
        own = _spec_lengths(text) if look is not None and look.x_unit else {}
        panels.append((long, []))
        parsed.series.label = label
        for s in parsed.all_series():
            if parsed.members is not None and len(parsed.members) > 1:  # a trainer's groups
                group = s.params["group"]
                s.long_label, s.label = f"{long}/{group}", f"{label}/{group}"
            elif parsed.groups:  # "label/group"
                s.long_label = f"{long}/{s.label}"
                s.label = f"{label}/{s.label}"
            else:
                s.long_label = long
            panels[-1][1].append(len(series))
            lengths.append(own)
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

        assert dpi is not None
        save_figure(series, plot, log_y=log_y, dpi=dpi, look=look, lengths=lengths,
                    panels=panels if grid else None)
        note(f"wrote {plot}")
    if data_fmt is None:  # a data format replaces the terminal view (-o FILE or stdout)
        from ..render.view import show_terminal

        show_terminal(series, stdout_console(), rows, chosen, log_y, height, diff=diff,
                      spark=len(series) > SPARK_ABOVE if spark is None else spark)
    if data_fmt is not None and output not in (None, "-"):
        note(f"wrote {output}")
    if save_spec:  # only once the run has succeeded (a failed run leaves the file as it was)
        _save(save_spec, texts, names, steps)


PANEL_FIGURE = "The --plot figure"


def register(app: typer.Typer) -> None:
    """Add ``lrsched compare`` to ``app``."""

    @app.command("compare", epilog='Example: lrsched compare "cosine --lr-max 0.1" '
                                      '"step --decay-factor 0.5" --steps 200')
    def compare_cmd(
        specs: list[str] = typer.Argument(
            None, metavar="SPEC...", show_default=False,
            help="2 to 8 schedules, each the words that would follow 'lrsched plot', quoted as "
                 "one argument: \"cosine --lr-max 0.1\""),
        steps: str = typer.Option(None, "--steps", "--epochs", "--max-epochs", metavar="STEPS",
                                  help="Steps for every spec that does not set its own"),
        label: list[str] = typer.Option(None, "--label", metavar="NAME",
                                        help="Label of a spec, in order (repeat the option)"),
        rows: int = typer.Option(11, "--rows", metavar="INT", click_type=ROWS,
                                 help="Table rows, evenly sampled"),
        at: str = typer.Option(None, "--at", metavar="STEP,...", help="Table rows at these steps"),
        log_y: bool = typer.Option(False, "--log-y", metavar="", help="Logarithmic lr axis"),
        height: int = typer.Option(18, "--height", metavar="INT", help="Chart height in lines",
                                   click_type=HEIGHT),
        plot: str = typer.Option(None, "--plot", metavar="FILE",
                                 help="Also save a figure of all curves (.png, .svg, .pdf, "
                                      ".jpg, .webp)"),
        size: str = typer.Option(None, "--size", "--figsize", metavar="WxH",
                                 rich_help_panel=PANEL_FIGURE,
                                 help=FIGURE_HELP["size"].replace("]", "; taller with --grid]")),
        dpi: int = typer.Option(None, "--dpi", metavar="INT", click_type=DPI,
                                help=FIGURE_HELP["dpi"], rich_help_panel=PANEL_FIGURE),
        style: str = typer.Option(None, "--style", metavar="NAME", help=FIGURE_HELP["style"],
                                  autocompletion=style_names, rich_help_panel=PANEL_FIGURE),
        x_unit: str = typer.Option(None, "--x-unit", metavar="[step|epoch|token]",
                                   help=FIGURE_HELP["x_unit"], rich_help_panel=PANEL_FIGURE,
                                   autocompletion=lambda: list(X_UNITS)),
        normalize: bool = typer.Option(False, "--normalize", metavar="",
                                       help=FIGURE_HELP["normalize"],
                                       rich_help_panel=PANEL_FIGURE),
        grid: bool = typer.Option(False, "--grid", metavar="",
                                  help="Small multiples: one small plot per spec, sharing the x "
                                       "axis, each with its own lr axis (for curves of very "
                                       "different sizes)", rich_help_panel=PANEL_FIGURE),
        spark: bool = typer.Option(None, "--spark/--no-spark", show_default=False,
                                   help="A sparkline of each curve in the table (a 'shape' "
                                        "row; a column when the table is on its side)  "
                                        f"\\[default: with more than {SPARK_ABOVE} curves]"),
        format: str = typer.Option(None, "--format", "-f", metavar="[csv|json|jsonl|npy]",
                                   help="Write the values instead of the chart (to stdout or -o)"),
        output: str = typer.Option(None, "--output", "-o", metavar="FILE",
                                   help="File for --format (the format may come from its suffix)"),
        no_header: bool = typer.Option(False, "--no-header", metavar="", help="CSV without header"),
        spec_file: str = typer.Option(None, "--spec", metavar="FILE",
                                      help="Schedules (and labels) from a .toml, .json or .yaml "
                                           "file, "
                                           "before any SPEC given"),
        save_spec: str = typer.Option(None, "--save-spec", metavar="FILE",
                                      help="Also save these schedules to a .toml, .json or "
                                                ".yaml file"),
    ) -> None:
        """Compare schedules side by side: a chart, a table and where two of them differ."""

        specs = list(specs or [])
        labels = list(label or [])
        if spec_file:
            from ..sources import specfile

            texts, file_labels = specfile.spec_texts(spec_file)
            if labels and any(file_labels):
                raise UsageError("labels come from --label or from the spec file, not both")
            if any(file_labels):
                if not all(file_labels):
                    raise UsageError(f"spec file '{spec_file}': give every schedule a label, or "
                                     "none")
                labels = [lab for lab in file_labels if lab is not None]
            specs = texts + specs
        try:
            run_compare(specs, steps, labels, rows, at, log_y, height, plot, format, output,
                        header=not no_header, save_spec=save_spec,
                        figure={"size": size, "dpi": dpi, "style": style, "x_unit": x_unit,
                                "normalize": normalize}, grid=grid, spark=spark)
        except BrokenPipeError:
            quiet_broken_pipe()
