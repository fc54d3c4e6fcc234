"""The terminal view of ``table`` and ``compare``: title, chart, legend, table and the
difference line, gathered from one streamed pass over the series (rich and plotext)."""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.difference import SHIFT_MEANING, Difference, difference
from ..series import Series

MAX_CHART_CURVES = 8  # the terminal chart's distinct markers


def _g(x: float) -> str:
    from .numbers import one

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


MAX_WIDTH = 400  # columns a terminal view uses at most (COLUMNS=1000000 would cost minutes)


def counting_lines(series: Sequence[Series]) -> list[str]:
    """How the trainer counts, for each config among ``series`` (once per config): its facts
    as aligned lines, then each surprise as a line of its own."""
    out: list[str] = []
    seen: set[str] = set()
    for s in series:
        facts, surprises = s.params.get("counting"), s.params.get("surprises")
        if facts is None or s.params.get("config") in seen:
            continue
        seen.add(s.params.get("config"))
        if len(series) > 1 or out:
            out.append(f"{s.params.get('config')}:")
        width = max((len(k) for k, _ in facts), default=0)
        out += [f"  {k:<{width}}  {v}" for k, v in facts]
        out += [f"  ! {text}" for text in surprises or ()]
    return out


def show_terminal(series: Sequence[Series], console, rows: int, at: list[int] | None,
                  log_y: bool, height: int, chart: bool = True,
                  diff: Difference | None = None, title: str | None = None,
                  spark: bool = False) -> None:
    """``title``, chart, legend, table, and (for two series) the difference line, on
    ``console`` (``diff``: the two series' :func:`difference`, when already computed;
    ``spark``: a sparkline of each series in the table). One
    streamed pass over the series gathers what all of them show; nothing is printed until
    all of it is made, so a failure leaves stdout empty."""
    from rich.text import Text

    from .chart import coincident, hidden, legend_markup, render_chart
    from .scan import scan
    from .table import render_table, sample_rows, table_steps
    from .terminal import use_color

    for s in series:
        s.check_viewable()
    color = use_color(console.file)
    width = min(console.width, MAX_WIDTH)
    out: list[tuple[object, dict]] = []
    plain = {"highlight": False, "markup": False}
    if title is not None:
        out.append((title, plain))
    for text in counting_lines(series):
        out.append((text, plain))
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
    scans = scan(series, chosen, 2 * width if chart else None, dense_above=4 * width,
                 spark=width if spark else None)
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
                             chosen=chosen, spark=spark), {}))
    if len(series) == 2:
        out.append((difference_report(series[0], series[1], diff), plain))
    for item, kw in out:
        console.print(item, **kw)




def show_sparks(series: Sequence[Series], console, log_y: bool = False) -> None:
    """``table --spark``: a line per series, its sparkline with its min and max, as wide as
    the terminal (NOT_A_TTY_WIDTH characters of sparkline when not a terminal)."""
    from .spark import spark_lines

    for s in series:
        s.check_viewable()
    isatty = getattr(console.file, "isatty", None)
    width = min(console.width, MAX_WIDTH) if isatty and isatty() else None
    lines = spark_lines(series, width, log=log_y)  # all made before anything is printed
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
