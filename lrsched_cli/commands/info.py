"""``lrsched info NAME``: formula, reference, notes and options of one schedule."""

from __future__ import annotations

import sys
from typing import Any

import typer

from ..errors import UsageError
from ..render.terminal import stdout_console
from ..schedules import registry


def _default_text(p: registry.Param, entry: registry.Schedule) -> str:
    d = entry.common_defaults.get(p.name, p.default)
    if p.name == "steps":
        return "number of metrics" if entry.default_steps else str(registry.DEFAULT_STEPS)
    if p.kind == "flag":
        return "off"
    if d is None:
        return "-"
    if p.share_of and isinstance(d, str):
        peak = entry.param(p.share_of).default
        at = registry.Share(float(d.rstrip("%")), d).of(peak)
        return f"{d} of --{p.share_of.replace('_', '-')}\n({at:g} at {peak:g})"
    if isinstance(d, tuple):
        return ",".join(map(str, d))
    return f"{d:g}" if isinstance(d, float) else str(d)


def render_info(entry: registry.Schedule, console: Any) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    console.print(f"[bold]{entry.name}[/bold]: {escape(entry.summary)}")
    rows = [("formula", entry.formula), ("reference", entry.reference)]
    if entry.notes:
        rows.append(("note", entry.notes))
    rows.append(("index", "lr[t] is the lr used by update t, t = 0..N-1 (N = --steps)"))
    head = Table.grid(padding=(0, 1))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    for k, v in rows:
        head.add_row(f"  {k}:", escape(v))
    console.print(head)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("option", no_wrap=True)
    table.add_column("default", no_wrap=True)
    table.add_column("meaning; allowed values")
    for p in entry.params:
        flags = p.flag + ("" if not p.aliases else f"\n  ({', '.join(p.flags[1:])})")
        allowed = "on/off" if p.kind == "flag" else p.allowed_text()
        table.add_row(escape(flags), escape(_default_text(p, entry)),
                      f"{escape(p.help)}; [dim]{escape(allowed)}[/dim]")
    console.print(table)
    console.print(
        "Every schedule also takes --steps, --start, --unit, --steps-per-epoch, --per-epoch, "
        "--warmup, --warmup-start, --warmup-shape and --warmup-mode "
        f"(see: lrsched table {entry.name} --help).", markup=False)


def render_dialect_info(name: str, console: Any) -> None:
    """A dialect: its convention, how to call it, and every name with its arguments."""
    from rich.markup import escape

    from ..sources.dialects import DESCRIPTIONS, get
    from ..sources.dialects.base import REQUIRED

    d = get(name)
    title, example = DESCRIPTIONS[name]
    console.print(f"[bold]{name}[/bold]: {escape(title)}")
    console.print(f"  convention: {escape(d.convention)}", highlight=False)
    console.print(f"  prefixes:   {', '.join(d.prefixes)} (or none)", highlight=False)
    console.print(f'  example:    lrsched table {name} "{escape(example)}"'
                  + (" --base-lr 0.1" if d.uses_base_lr else ""), highlight=False)
    console.print()
    for fn in d.functions.values():
        args = ", ".join(p if default is REQUIRED else f"{p}={default!r}"
                         for p, default in fn.params)
        console.print(f"  [bold]{fn.name}[/bold]({escape(args)})", highlight=False)
        console.print(f"      {escape(fn.summary)}", highlight=False)


def render_recipe_info(name: str | None, console: Any) -> None:
    """A recipe: what it builds, its citation, where each number comes from, what is not."""
    from rich.markup import escape

    from ..errors import UsageError
    from ..schedules.recipes import get

    if not name:
        raise UsageError("info recipe needs a recipe name: lrsched recipes lists them")
    r = get(name)
    console.print(f"[bold]recipe {r.name}[/bold]: {escape(r.summary)}")
    console.print(f"  citation: {escape(r.citation)}", highlight=False)
    for src in r.sources:
        console.print(f"  source:   {escape(src)}", highlight=False)
    for u in r.unconfirmed:
        console.print(f"  not used (unconfirmed): {escape(u)}", highlight=False)
    if r.sizes:
        console.print(f"  sizes:    {', '.join(r.sizes)} (--size; default {r.default_size})")
    if r.needs_batch:
        console.print("  needs:    --batch-size (the peak scales with it)")
    console.print(f"  length:   yours (--steps; default {_recipe_length(r)})", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``lrsched recipes``, ``list`` and ``info`` to ``app``."""

    @app.command("recipes")
    def recipes_cmd() -> None:
        """List the published recipes, one line each (lrsched info recipe NAME for sources)."""
        from ..schedules.recipes import RECIPES

        width = max(len(n) for n in RECIPES)
        sys.stdout.write("".join(f"{r.name:<{width}}  {r.summary}\n" for r in RECIPES.values()))


    @app.command("list")
    def list_cmd() -> None:
        """List every schedule, one line each, then each framework dialect's names."""
        from ..sources.dialects import DESCRIPTIONS, NAMES, get

        rows = [(s.name, s.summary) for s in registry.SCHEDULES]
        sections = []
        for d in NAMES:
            dialect = get(d)
            head = f'{d}: {DESCRIPTIONS[d][0]}, e.g. lrsched table {d} "{DESCRIPTIONS[d][1]}"'
            sections.append((head, [(f"  {fn.name}", fn.summary)
                                    for fn in dialect.functions.values()]))
        if not sys.stdout.isatty():  # for scripts: one line per schedule
            width = max(len(n) for n, _ in rows)
            out = [f"{n:<{width}}  {s}" for n, s in rows]
            for head, items in sections:
                w = max(len(n) for n, _ in items)
                out += ["", head, *(f"{n:<{w}}  {s}" for n, s in items)]
            sys.stdout.write("\n".join(out) + "\n")
            return
        from rich.markup import escape
        from rich.table import Table

        console = stdout_console()
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for n, s in rows:
            grid.add_row(n, s)
        console.print(grid)
        for head, items in sections:
            console.print()
            console.print(escape(head), style="bold", highlight=False)
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True)
            grid.add_column()
            for n, s in items:
                grid.add_row(n, escape(s))
            console.print(grid)


    @app.command("info", context_settings={"allow_extra_args": True,
                                           "ignore_unknown_options": True},
                 epilog="Example: lrsched info config train_args.json --dataset-size 50000")
    def info_cmd(ctx: typer.Context,
                 name: str = typer.Argument(..., metavar="NAME",
                                            help="A schedule name, a dialect (torch, hf, ...), "
                                                 "'recipe' or 'config'",
                                            autocompletion=lambda: [*registry.names(), "torch",
                                                                    "hf", "timm", "optax",
                                                                    "keras", "recipe",
                                                                    "config"]),
                 recipe: str = typer.Argument(None, metavar="[RECIPE|FILE]",
                                              help="With NAME 'recipe': which recipe; with "
                                                   "'config': the file, then its options "
                                                   "(--dataset-size N ...)")) -> None:
        """Show a schedule's formula, reference and options; a dialect's names; a recipe; how
        a trainer counts the updates of a config."""
        from ..sources.dialects import is_dialect

        if name == "config":
            render_config_info([name, *([recipe] if recipe else []), *ctx.args],
                               stdout_console())
            return
        extra = [*([recipe] if recipe and name != "recipe" else []), *ctx.args]
        if extra:
            raise UsageError(f"Got unexpected extra argument ({extra[0]}): only 'info recipe' "
                             "and 'info config' take more")
        if name == "recipe" or name.startswith("recipe "):
            render_recipe_info(name.split(" ", 1)[1] if " " in name else recipe, stdout_console())
            return
        if is_dialect(name):
            render_dialect_info(name, stdout_console())
            return
        render_info(registry.get(name), stdout_console())


def render_config_info(words: list[str], console: Any) -> None:
    """``info config FILE ...``: the trainer, how it counts, its surprises, and the lr."""
    from rich.markup import escape
    from rich.table import Table

    from ..render.figure import config_title
    from ..render.numbers import column_format
    from ..sources.words import parse_words, series_of

    word, raw = parse_words(words)
    members = series_of(word, raw)
    first = members[0]
    console.print(escape(config_title(first)), style="bold", highlight=False)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for k, v in first.params["counting"]:
        grid.add_row(escape(k), escape(v))
    console.print(grid)
    if first.params["surprises"]:
        console.print()
        console.print("What may surprise", style="bold", highlight=False)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for text in first.params["surprises"]:
            grid.add_row("  -", escape(text))
        console.print(grid)
    console.print()
    grid = Table.grid(padding=(0, 2))
    for _ in range(5):
        grid.add_column(justify="right")
    grid.add_row(*(f"[bold]{h}[/]" for h in ("group", "first", "peak", "last", "updates")))
    for s in members:
        v = s.values
        fmt = column_format([float(v[0]), float(v.max()), float(v[-1])])
        grid.add_row(escape(s.params.get("group", "0")), fmt(float(v[0])),
                     fmt(float(v.max())), fmt(float(v[-1])), str(len(v)))
    console.print(grid)


def _recipe_length(r: Any) -> str:
    """A recipe's default length as --steps reads it: ``90ep``, or steps, per size where the
    recipe's length follows the size (GPT-3's 300B tokens in each size's batches)."""
    def text(v: Any) -> str:
        return f"{v:,}" if isinstance(v, int) else str(v)

    if r.default_length is None:
        return text(r.default_steps) + (" epochs" if r.per_epoch else "")
    if r.sizes:
        lengths = {size: text(r.default_length(size)) for size in r.sizes}
        if len(set(lengths.values())) > 1:
            return ", ".join(f"{k}: {v}" for k, v in lengths.items())
    return text(r.default_length(r.default_size))

