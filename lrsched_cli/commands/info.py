"""``lrsched info NAME``: formula, reference, notes and options of one schedule."""

from __future__ import annotations

from typing import Any

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

    from ..dialects import DESCRIPTIONS, get
    from ..dialects.base import REQUIRED

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
    console.print(f"  length:   yours (--steps; default {r.default_steps:,})", highlight=False)
