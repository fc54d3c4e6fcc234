"""What every command's options share: the panels, one click type for number options
(parsed by the registry's parser, so every message has one shape), Typer options built from
registry parameters and :mod:`lrsched_cli.sources.words` declarations, and the quiet end of
a command whose reader went away."""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable
from typing import Any

import typer

from ..schedules import registry

_click = typer.main._click  # the click Typer ships (exceptions, Context)

PANEL_SCHEDULE = "Schedule options"
PANEL_RUN = "Run options"
PANEL_WARMUP = "Warmup options"
PANEL_OUTPUT = "Output options"

_METAVARS = {"float": "FLOAT", "int": "INT", "length": "STEPS", "lengths": "STEPS,...",
             "metrics": "FILE|-", "text": "TEXT"}


class Number(_click.types.ParamType):
    """A number option parsed and bounded by the registry's parser, so that ``--dpi 5`` or
    ``--rows x`` gets the same one-line message as every schedule option (click's own
    types word it otherwise)."""

    def __init__(self, kind: str, lo: float | None = None, hi: float | None = None,
                 lo_open: bool = False, hi_open: bool = False) -> None:
        self.kind, self.lo, self.hi, self.lo_open, self.hi_open = kind, lo, hi, lo_open, hi_open
        self.name = "integer" if kind == "int" else "float"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        flag = next((o for o in getattr(param, "opts", None) or () if o.startswith("--")),
                    "--value")
        p = registry.Param(flag.lstrip("-").replace("-", "_"), self.kind, None, "",
                           lo=self.lo, hi=self.hi, lo_open=self.lo_open, hi_open=self.hi_open)
        return registry.parse_int(p, value) if self.kind == "int" \
            else registry.parse_float(p, value)


ROWS = Number("int", 1, 100_000)
HEIGHT = Number("int", 5, 200)
STEP_OFFSET = Number("int", -10**12, 10**12)  # steps beyond float64's exact integers refused
STEP_SCALE = Number("int", 1, 10**9)


def _option_for(p: registry.Param, panel: str, default_shown: Any) -> tuple[Any, Any]:
    """(annotation, typer.Option) for a registry parameter."""
    if p.kind == "flag":
        return bool, typer.Option(False, p.flag, help=p.help, rich_help_panel=panel, metavar="")
    metavar = _METAVARS.get(p.kind, "[" + "|".join(p.choices) + "]")
    shown: Any = False
    if p.share_of and isinstance(default_shown, str):
        shown = f"{default_shown} of --{p.share_of.replace('_', '-')}"
    elif default_shown is not None:
        shown = ",".join(map(str, default_shown)) if isinstance(default_shown, tuple) \
            else str(default_shown)
    completion: Callable[[], list[str]] | None = None
    if p.kind == "choice":
        choices = list(p.choices)

        def completion() -> list[str]:
            return choices
    help_text = p.help
    allowed = p.allowed_text() if p.kind in ("float", "int") else ""
    if allowed and ("in [" in allowed or "in (" in allowed or ">" in allowed or "<" in allowed):
        help_text += f" ({allowed.split(' ', 3)[-1]})"
    if shown is not False:
        help_text += f"  \\[default: {shown}]"  # escaped: rich markup would eat [..]
    return str, typer.Option(None, *p.flags, help=help_text, metavar=metavar,
                             show_default=False, rich_help_panel=panel,
                             autocompletion=completion)


def _out(default: Any, *flags: str, help: str, **kw: Any) -> Any:
    return typer.Option(default, *flags, help=help, rich_help_panel=PANEL_OUTPUT, **kw)


PANEL_GROUPS = "Parameter groups"

DPI = Number("int", 10, 1200)
X_UNITS = ("step", "epoch", "token")
# the figure options of ``plot`` and ``compare --plot`` (one wording for both)
FIGURE_HELP = {
    "size": "Figure size in inches, WIDTHxHEIGHT (6x3.5; or 16x9cm; also --figsize)  "
            "\\[default: 7x4.2]",
    "dpi": "Dots per inch: the pixels of a PNG, JPG or WebP are --size x --dpi  "
           "\\[default: 150]",
    "style": "default (lrsched's light look), dark, or any matplotlib style (ggplot, "
             "seaborn-v0_8-paper, ...)",
    "x_unit": "x axis in steps, epochs or tokens (epochs: the run's --steps-per-epoch; "
              "tokens: --tokens-per-step)  \\[default: the schedule's own]",
    "normalize": "Divide each curve by its own peak (compare shapes, not sizes)",
}


def style_names(incomplete: str = "") -> list[str]:
    """``--style`` completions: lrsched's own and matplotlib's, from its style files (no
    matplotlib import: completion stays fast)."""
    import importlib.util

    names = ["default", "dark"]
    spec = importlib.util.find_spec("matplotlib")
    for root in (spec.submodule_search_locations or []) if spec else []:
        lib = os.path.join(root, "mpl-data", "stylelib")
        if os.path.isdir(lib):
            names += sorted(f[:-len(".mplstyle")] for f in os.listdir(lib)
                            if f.endswith(".mplstyle") and not f.startswith("_"))
    return [n for n in names if n.startswith(incomplete)]


def figure_options(dpi_default: Any = 150) -> list[tuple[str, Any, Any]]:
    """(name, annotation, typer.Option) of the figure options ``plot`` and ``compare`` share:
    --size, --dpi, --style, --x-unit, --normalize."""
    return [
        ("figsize", str, _out(None, "--size", "--figsize", metavar="WxH",
                              help=FIGURE_HELP["size"])),
        ("dpi", int, _out(dpi_default, "--dpi", click_type=DPI, metavar="INT",
                          help=FIGURE_HELP["dpi"], show_default=False)),
        ("style", str, _out(None, "--style", metavar="NAME", help=FIGURE_HELP["style"],
                            autocompletion=style_names)),
        ("x_unit", str, _out(None, "--x-unit", metavar="[step|epoch|token]",
                             help=FIGURE_HELP["x_unit"], autocompletion=lambda: list(X_UNITS))),
        ("normalize", bool, _out(False, "--normalize", metavar="",
                                 help=FIGURE_HELP["normalize"])),
    ]


def figure_look(size: str | None, style: str | None, x_unit: str | None, normalize: bool,
                dpi: int) -> Any:
    """The figure's :class:`~lrsched_cli.render.look.Look` from the options, each checked
    (a bad one refused in one line, before anything is computed)."""
    from ..render.look import (
        FIG_HEIGHT_IN,
        FIG_WIDTH_IN,
        Look,
        check_pixels,
        check_style,
        check_x_unit,
        parse_size,
    )

    dims = parse_size(size) if size is not None else None
    check_pixels(dims or (FIG_WIDTH_IN, FIG_HEIGHT_IN), dpi)
    return Look(size=dims, style=check_style(style), x_unit=check_x_unit(x_unit),
                normalize=normalize)


def run_lengths(raw: dict[str, Any]) -> dict[str, Any]:
    """The ``steps_per_epoch`` and ``tokens_per_step`` a command line's run options give
    (--steps-per-epoch or --dataset-size/--batch-size; --tokens-per-step or --seq-len with
    --batch-size), for ``--x-unit``; empty when it gives neither."""
    from ..errors import UsageError

    names = ("steps_per_epoch", "dataset_size", "batch_size", "grad_accum", "drop_last",
             "seq_len", "tokens_per_step")
    given = {k: raw.get(k) for k in names if raw.get(k) is not None and raw.get(k) is not False}
    if not given:
        return {}
    try:
        run = registry.resolve_run(given)
    except UsageError:  # (the schedule's own reading reports it)
        return {}
    return {k: v for k, v in (("steps_per_epoch", run.steps_per_epoch),
                              ("tokens_per_step", run.tokens_per_step)) if v is not None}


def _flags_to_none(raw: dict[str, Any]) -> dict[str, Any]:
    """A flag left off is None (the registry's default), as for native schedules."""
    return {k: (None if v is False else v) for k, v in raw.items()}


def _completer(kind: str | None, word: str) -> Callable[[str], list[str]] | None:
    if kind == "recipes":
        def complete_recipes(incomplete: str) -> list[str]:
            from ..schedules.recipes import RECIPES

            return [n for n in RECIPES if n.startswith(incomplete)]
        return complete_recipes
    if kind == "dialect":
        def complete_names(incomplete: str) -> list[str]:
            from ..sources.dialects import get

            return [n for n in get(word).functions if n.startswith(incomplete)]
        return complete_names
    if kind == "styles":
        from ..schedules.groups import STYLES

        return lambda incomplete: [s for s in STYLES if s.startswith(incomplete)]
    if kind == "config_types":
        def complete_types(incomplete: str) -> list[str]:
            from ..sources.configs import FORMATS

            return [n for n in FORMATS if n.startswith(incomplete)]
        return complete_types
    return None


def _opt_parameter(o: Any, word: str, panel: str) -> inspect.Parameter:
    """The Typer parameter of a :mod:`words` declaration (an Opt, or a registry Param)."""
    kw = inspect.Parameter.KEYWORD_ONLY
    if isinstance(o, registry.Param):
        ann, opt = _option_for(o, panel, o.default)
        return inspect.Parameter(o.name, kw, default=opt, annotation=ann)
    completion = _completer(o.completion, word)
    if o.kind == "positional":
        return inspect.Parameter(o.name, kw, annotation=str, default=typer.Argument(
            ..., metavar=o.metavar, show_default=False, help=o.help, autocompletion=completion))
    if o.kind == "multi":
        return inspect.Parameter(o.name, kw, annotation=list[str], default=typer.Option(
            None, *o.flags, metavar=o.metavar, help=o.help, rich_help_panel=panel,
            show_default=False))
    if o.number is not None:
        return inspect.Parameter(o.name, kw, annotation=int, default=typer.Option(
            o.default, *o.flags, metavar=o.metavar, click_type=Number("int", *o.number),
            help=o.help, rich_help_panel=panel))
    extra = {"show_default": False} if panel == PANEL_GROUPS else {}
    return inspect.Parameter(o.name, kw, annotation=str, default=typer.Option(
        None, *o.flags, metavar=o.metavar, help=o.help, rich_help_panel=panel,
        autocompletion=completion, **extra))



def quiet_broken_pipe() -> None:
    """stdout's reader went away (``| head``): stop quietly, as a filter should."""
    real = sys.stdout is sys.__stdout__ or isinstance(sys.stdout, _click.utils.PacifyFlushWrapper)
    if real and sys.__stdout__ is not None:  # the real stdout (not a test runner's buffer)
        try:  # so that the interpreter's final flush finds somewhere to write
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.__stdout__.fileno())
        except (OSError, ValueError, AttributeError):
            pass
    sys.exit(0)


