"""The ``simulate`` and ``find-lr`` commands: specs in, chart, table and data out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..analysis.nqm import NQM, Run, expected_loss, find_lr, monte_carlo
from ..errors import UsageError
from ..notices import note
from ..series import Series


def model_from_options(dim: int, curvature_power: float, noise: float, batch_size: float,
                       momentum: float) -> NQM:
    checks = [("--dim", dim, 1 <= dim <= 1_000_000, "a whole number in [1, 1000000]"),
              ("--curvature-power", curvature_power,
               math.isfinite(curvature_power) and 0 <= curvature_power <= 10, "in [0, 10]"),
              ("--noise", noise, math.isfinite(noise) and noise >= 0, "a finite number >= 0"),
              ("--batch-size", batch_size, math.isfinite(batch_size) and batch_size > 0,
               "a finite number > 0"),
              ("--momentum", momentum, math.isfinite(momentum) and 0 <= momentum < 1,
               "in [0, 1)")]
    for flag, value, ok, allowed in checks:
        if not ok:
            raise UsageError(f"invalid value for {flag}: '{value}' (allowed: {allowed})")
    return NQM(dim=dim, curvature_power=curvature_power, noise=noise, batch_size=batch_size,
               momentum=momentum)


def _closed_loop_plateau(text: str, steps: str | None) -> tuple[Any, int] | None:
    """A ``plateau`` spec without --metrics: driven by the model's own loss."""
    from ..schedules import registry
    from ..schedules.kernels import PlateauTracker
    from ..sources.specs import spec_words
    from ..sources.words import parse_words

    words = spec_words(text)  # (a spec that does not split is refused in one line)
    if words[0] != "plateau":
        return None
    _, raw = parse_words(words)
    if raw.get("metrics") is not None:
        return None
    n_text = raw.get("steps") or steps or "1000"
    n = registry.parse_length(registry.COMMON[0], n_text)
    if not isinstance(n, int):
        raise UsageError(f"--steps {n_text}: give a whole number of steps for simulate")
    raw["metrics"] = [0.0] * n  # validated as usual; the model's loss replaces them
    raw["steps"] = n
    spec = registry.resolve(registry.get("plateau"), raw)
    if spec.warmup:
        raise UsageError("simulate: a closed-loop plateau takes no --warmup")
    p = {k: v for k, v in spec.kernel_params().items() if k != "metrics"}
    tracker = PlateauTracker(**p)

    def rate(t: int, last: float | None) -> float:
        return tracker.lr if last is None else tracker.step(last)

    return rate, n


def run_simulate(texts: Sequence[str], steps: str | None, labels: Sequence[str] | None,
                 model: NQM, samples: int, seed: int, rows: int, log_y: bool, height: int,
                 plot: str | None, fmt: str | None, output: str | None) -> None:
    from ..render import data_format
    from ..sources.specs import parse_spec
    from .compare import choose_labels

    if not 1 <= len(texts) <= 8:
        raise UsageError(f"simulate takes 1 to 8 specs; {len(texts)} given")
    if samples < 0 or samples > 100_000:
        raise UsageError(f"invalid value for --samples: '{samples}' (allowed: 0 to 100000)")
    data_fmt = data_format(output, fmt)
    if data_fmt == "npy":
        raise UsageError("simulate writes csv, json or jsonl; not npy")
    if plot is not None:
        from ..render.look import figure_format

        figure_format(plot)
    names = choose_labels(texts, labels)
    sources: list[Any] = []
    lengths = []
    for text in texts:
        closed = _closed_loop_plateau(text, steps)
        if closed is not None:
            sources.append(closed[0])
            lengths.append(closed[1])
        else:
            parsed = parse_spec(text, steps)
            if parsed.groups:
                raise UsageError(f"in spec '{text}': simulate runs one rate per schedule on "
                                 "one model; drop --groups / --layer-decay")
            s = parsed.series
            sources.append(s.values)
            lengths.append(len(s))
    if len(set(lengths)) != 1:
        raise UsageError(f"simulate runs every schedule for the same number of steps; these "
                         f"have {', '.join(map(str, lengths))} (give --steps)")
    n = lengths[0]
    if n * model.dim * len(texts) > 5e10:
        raise UsageError(f"{n:,} steps x {model.dim:,} dimensions x {len(texts)} schedules is "
                         "too much work for a simulation; lower --steps or --dim")
    runs = expected_loss(model, sources, n, names)
    if samples:
        for r in runs:
            mean, err = monte_carlo(model, r.lr, samples, seed)
            r.extra["mc_mean"], r.extra["mc_err"] = mean, err
    if data_fmt is not None:
        _write(runs, model, data_fmt, output)
    if plot is not None:
        _figure(runs, model, plot)
        note(f"wrote {plot}")
    if data_fmt is None:  # a data format replaces the terminal view
        _show(runs, model, rows, log_y, height, samples)
    if data_fmt is not None and output not in (None, "-"):
        note(f"wrote {output}")


def _loss_series(runs: Sequence[Run]) -> list[Series]:
    return [Series(r.label, steps=np.arange(len(r.loss)), values=r.loss, name="loss")
            for r in runs]


def _write(runs: Sequence[Run], model: NQM, fmt: str, output: str | None) -> None:
    import orjson

    from ..files.output import write_binary
    from ..render.export import csv_rows

    def nulls(a: np.ndarray) -> list[float | None]:
        return [None if not np.isfinite(x) else float(x) for x in a]

    def writer(fh: Any) -> None:
        if fmt == "json":
            doc = {"model": model.params(), "runs": [
                {"label": r.label, "lr": r.lr.tolist(), "loss": nulls(r.loss),
                 **({"diverged_at": r.diverged_at} if r.diverged_at is not None else {})}
                for r in runs]}
            fh.write(orjson.dumps(doc) + b"\n")
        elif fmt == "jsonl":
            for t in range(len(runs[0].loss)):
                row = {"step": t, **{r.label: (None if not np.isfinite(r.loss[t])
                                               else float(r.loss[t])) for r in runs}}
                fh.write(orjson.dumps(row) + b"\n")
        else:
            fh.write(("step," + ",".join(r.label for r in runs) + "\n").encode())
            losses = [r.loss for r in runs]
            if all(np.all(np.isfinite(x)) for x in losses):
                fh.write(csv_rows(np.arange(len(losses[0])), losses))
            else:
                for t in range(len(losses[0])):
                    cells = ["" if not np.isfinite(x[t]) else orjson.dumps(float(x[t])).decode()
                             for x in losses]
                    fh.write((f"{t}," + ",".join(cells) + "\n").encode())

    write_binary(output, writer)


def _show(runs: Sequence[Run], model: NQM, rows: int, log_y: bool, height: int,
          samples: int) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from ..render.chart import legend_markup, render_chart
    from ..render.terminal import stdout_console, use_color

    console = stdout_console()
    color = use_color(console.file)
    p = model.params()
    console.print(f"noisy quadratic model: d={p['dim']}, h_i = i^-{p['curvature_power']:g}, "
                  f"noise {p['noise']:g}, batch {p['batch_size']:g}, momentum "
                  f"{p['momentum']:g}; expected loss (initial {model.initial_loss:.4g}); "
                  f"stability limit {model.stability_limit:.4g}", highlight=False, markup=False)
    series = _loss_series(runs)
    for s in series:  # keep the scale for the runs that converge: a blow-up leaves the chart
        s._values = np.where(s.values > 20 * model.initial_loss, np.nan, s.values)
    if any(np.any(np.isfinite(s.values)) for s in series):
        console.print(Text.from_ansi(render_chart(series, width=console.width, height=height,
                                                  log_y=True, color=color,
                                                  ylabel="loss")), soft_wrap=True)
        for line in legend_markup(series, color):
            console.print(line, highlight=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    cols = ["schedule", "final loss", "best (step)", "25%", "50%", "75%"]
    if samples:
        cols.append(f"Monte-Carlo ({samples} runs) ±2se")
    for i, c in enumerate(cols):
        table.add_column(c, justify="left" if i == 0 else "right")
    from ..render.numbers import column_format

    def finite_or_none(x: float) -> float | None:
        return float(x) if np.isfinite(x) else None

    def at_of(r: Run) -> list[float | None]:
        n = len(r.loss)
        return [finite_or_none(r.loss[min(n - 1, max(0, round(f * n) - 1))])
                for f in (0.25, 0.5, 0.75)]

    def best_of(r: Run) -> float | None:
        return float(np.nanmin(r.loss)) if np.isfinite(r.loss).any() else None

    # one notation per column (render.numbers), 4 significant digits
    f_final = column_format([finite_or_none(r.loss[-1]) for r in runs], sig=4)
    f_best = column_format([best_of(r) for r in runs], sig=4)
    f_at = [column_format([at_of(r)[j] for r in runs], sig=4) for j in range(3)]
    f_mc = column_format([r.extra["mc_mean"][-1] for r in runs] if samples else [], sig=4)
    for r in runs:
        if r.diverged_at is not None:
            final = f"[bold red]DIVERGED[/] at {r.diverged_at}" if color else \
                f"DIVERGED at {r.diverged_at}"
        else:
            final = f_final(finite_or_none(r.loss[-1]))
        best = best_of(r)
        best_text = "-" if best is None else f"{f_best(best)} ({int(np.nanargmin(r.loss))})"
        cells = [escape(r.label), final, best_text, *(f(x) for f, x in zip(f_at, at_of(r)))]
        if samples:
            m, e = r.extra["mc_mean"][-1], r.extra["mc_err"][-1]
            cells.append(f"{f_mc(m)} ± {2 * e:.2g}")
        table.add_row(*cells)
    console.print(table)


def _figure(runs: Sequence[Run], model: NQM, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from ..files.output import output_file
    from ..render.look import COLORS, STYLES

    fig = Figure(figsize=(7.0, 5.6), layout="constrained")
    ax_lr, ax_loss = fig.subplots(2, 1, sharex=True, height_ratios=[1, 2])
    top = 20.0 * model.initial_loss  # a diverging run leaves the plot there, marked x
    for i, r in enumerate(runs):
        style = dict(color=COLORS[i % len(COLORS)], linestyle=STYLES[i % len(STYLES)],
                     linewidth=1.5)
        t = np.arange(len(r.lr))
        ax_lr.plot(t, r.lr, drawstyle="steps-post", **style)
        label = r.label + (f" (diverged at {r.diverged_at})" if r.diverged_at is not None
                           else "")
        ax_loss.plot(t, r.loss, label=label, **style)
        if r.diverged_at is not None:
            ax_loss.plot([r.diverged_at], [top], marker="x", markersize=9, clip_on=False,
                         color=style["color"])
    ax_lr.set_ylabel("learning rate")
    ax_lr.axhline(model.stability_limit, color="0.4", linewidth=0.8, linestyle=":")
    ax_lr.annotate("stability limit", (1.0, model.stability_limit), fontsize=8, color="0.3",
                   xycoords=("axes fraction", "data"), xytext=(-2, 3),
                   textcoords="offset points", ha="right")
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(top=top)
    ax_loss.set_ylabel("expected loss")
    ax_loss.set_xlabel("step")
    p = model.params()
    ax_lr.set_title(f"noisy quadratic model: d={p['dim']}, h_i = i^-{p['curvature_power']:g}, "
                    f"noise {p['noise']:g}, batch {p['batch_size']:g}, momentum "
                    f"{p['momentum']:g}", fontsize=10, loc="left")
    for ax in (ax_lr, ax_loss):
        ax.grid(True, alpha=0.35, linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
    ax_loss.legend(frameon=False, fontsize=9)
    fmt = path.rsplit(".", 1)[-1].lower()
    with output_file(path, binary=True) as fh:
        fig.savefig(fh, format=fmt, dpi=150)


def run_find_lr(model: NQM, start: float, end: float, steps: int, rule: str, height: int,
                plot: str | None) -> None:
    from rich.text import Text

    from ..render.chart import render_chart
    from ..render.terminal import stdout_console, use_color

    if not (math.isfinite(start) and math.isfinite(end) and 0 < start < end):
        raise UsageError(f"invalid --start/--end: {start!r}, {end!r} (allowed: 0 < start < "
                         "end, finite)")
    if not 10 <= steps <= 100_000:
        raise UsageError(f"invalid value for --steps: '{steps}' (allowed: 10 to 100000)")
    if rule not in ("minimum/10", "steepest"):
        raise UsageError(f"invalid value for --rule: '{rule}' (allowed: minimum/10, steepest)")
    if plot is not None:
        from ..render.look import figure_format

        figure_format(plot)
    rt = find_lr(model, start, end, steps, rule=rule)
    if plot is not None:  # first: a figure that cannot be written leaves stdout empty
        _range_figure(rt, model, plot)
        note(f"wrote {plot}")
    console = stdout_console()
    color = use_color(console.file)
    s = Series("smoothed loss", steps=rt.lr, values=rt.smoothed, name="find-lr")
    console.print(Text.from_ansi(render_chart([s], width=console.width, height=height,
                                              log_y=True, log_x=True, color=color,
                                              xlabel="learning rate", ylabel="loss")),
                  soft_wrap=True)
    other = "steepest" if rule == "minimum/10" else "minimum/10"
    other_v = rt.steepest if rule == "minimum/10" else rt.minimum
    why = ("the rate at the smoothed loss's minimum, divided by 10" if rule == "minimum/10"
           else "where the smoothed loss falls fastest against log rate")
    console.print(f"suggested learning rate: {rt.suggestion:.3g}  (rule {rule}: {why})",
                  highlight=False, markup=False)
    console.print(f"  by the {other} rule: {other_v:.3g}; stability limit of this optimizer "
                  f"on the model: {model.stability_limit:.3g} (2(1+momentum)/h_max); swept "
                  f"{rt.lr[0]:.2g} to {rt.lr[-1]:.2g} in {len(rt.lr)} steps", highlight=False,
                  markup=False)


def _range_figure(rt: Any, model: NQM, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from ..files.output import output_file

    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(rt.lr, rt.loss, color="0.7", linewidth=1, label="loss")
    ax.plot(rt.lr, rt.smoothed, color="#0072B2", linewidth=1.8, label="smoothed")
    ax.axvline(rt.suggestion, color="#D55E00", linestyle="--",
               label=f"suggested ({rt.rule}): {rt.suggestion:.3g}")
    ax.axvline(model.stability_limit, color="0.3", linestyle=":", label="stability limit")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("expected loss")
    ax.set_title("learning-rate range test on the noisy quadratic model", fontsize=10,
                 loc="left")
    ax.grid(True, alpha=0.35, linewidth=0.6)
    ax.legend(frameon=False, fontsize=9)
    with output_file(path, binary=True) as fh:
        fig.savefig(fh, format=path.rsplit(".", 1)[-1].lower(), dpi=150)
