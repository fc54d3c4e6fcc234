"""What ``table``, ``plot`` and ``export`` do with the series a schedule word made: hand
them to a renderer (the terminal view, a figure, an exporter); and ``--save-spec`` for a native
schedule. Typer wiring is in :mod:`.schedule`; heavy imports stay inside each action."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from ..notices import note
from ..schedules import registry


def save_native(path: str, spec: Any, raw: dict[str, Any],
                 group_raw: dict[str, Any] | None = None) -> None:
    """A native schedule to a spec file: every schedule option, and the run options set."""
    from ..sources import specfile
    from ..sources.words import typed

    entry: dict[str, Any] = {"schedule": spec.name}
    for p in spec.entry.params:
        v = spec.params.get(p.name)
        if p.kind == "metrics":
            v = raw.get(p.name)
        if v is not None:
            entry[p.name] = list(v) if isinstance(v, tuple) else v
    for p in registry.COMMON:
        if p.name in spec.explicit and raw.get(p.name) is not None:
            entry[p.name] = True if raw[p.name] is True else typed(raw[p.name])
    for k, v in (group_raw or {}).items():
        if v is not None:
            entry[k] = typed(v)
    specfile.write(path, [entry])


def _do_table(series: list[Any], rows: int, at: str | None, chart: bool,
              log_y: bool, height: int, spark: bool = False) -> None:
    from ..render.figure import default_title
    from ..render.terminal import stdout_console
    from ..render.view import show_terminal
    from .compare import parse_at

    if spark:
        for flag, given in (("--chart", chart), ("--at", at is not None)):
            if given:
                raise UsageError(f"--spark prints one line instead of the table: drop {flag}")
        from ..render.view import show_sparks

        show_sparks(series, stdout_console(), log_y=log_y)
        return
    chosen = parse_at(at, series) if at else None  # (--rows, --height: bounded by their type)
    show_terminal(series, stdout_console(), rows, chosen, log_y=log_y, height=height,
                  chart=chart, title=default_title(series))


def _do_plot(series: list[Any], output: str | None, log_y: bool, title: str | None,
             figsize: str | None, dpi: int, style: str | None, x_unit: str | None,
             normalize: bool, quiet: bool, lengths: dict[str, Any] | None = None) -> None:
    from ..render.figure import save_figure
    from ..render.look import figure_format
    from .options import figure_look

    path = output or f"{_file_stem(series[0])}.png"
    if path != "-":
        figure_format(path)
    elif sys.stdout.isatty():
        raise UsageError("-o - writes a PNG image to stdout: redirect it (> x.png, | display) "
                         "or give -o FILE")
    look = figure_look(figsize, style, x_unit, normalize, dpi)
    save_figure(series, path, log_y=log_y, title=title, dpi=dpi, quiet=quiet, look=look,
                lengths=[lengths or {}] * len(series))
    if not quiet and path != "-":
        note(f"wrote {path}")


def _do_export(series: list[Any], format: str | None, output: str | None,
               no_header: bool, quiet: bool) -> None:
    from ..render import data_format
    from ..render.export import export

    fmt = data_format(output, format, default="csv")
    assert fmt is not None
    export(series, fmt, output, header=not no_header, quiet=quiet)


def _file_stem(series: Any) -> str:
    """``cosine``, or ``torch-StepLR`` for a framework expression."""
    expr = series.params.get("expr")
    if not expr:
        return series.name
    import re

    head = re.match(r"\s*([\w.]+)", expr)
    return f"{series.name}-{head.group(1).rsplit('.', 1)[-1]}" if head else series.name


ACTIONS: dict[str, Callable[..., None]] = {
    "table": _do_table, "plot": _do_plot, "export": _do_export,
}
