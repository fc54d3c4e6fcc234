"""The command line: a thin Typer layer generated from the registry.

``table``, ``plot`` and ``export`` are groups whose sub-commands are the schedules; a
schedule's command is built from its registry entry only when it is used (or listed), so
start-up does not pay for every schedule's options.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
import warnings
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import LrschedError, UsageError
from .notices import note
from .render.terminal import stdout_console
from .schedules import registry

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


_LONG = re.compile(r"\S{240,}")  # a run without spaces that long is an echoed value
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_MESSAGE = 1000


def one_line_message(message: str) -> str:
    """An error message as one readable line: control characters (newlines, NUL) escaped,
    an echoed value (a run of 240 characters or more without a space) cut to its start, the
    whole at most MAX_MESSAGE characters (a 50 MB value is not echoed back)."""
    message = _LONG.sub(lambda m: f"{m.group(0)[:60]}... ({len(m.group(0)):,} characters)",
                        message)
    message = _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], message)
    # bytes of an argument that were not UTF-8 (kept by Python as surrogates): as \xNN
    message = message.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE - 20] + f"... ({len(message):,} characters)"
    return message


def _fail(message: str, code: int) -> None:
    from . import notices

    notices.discard()  # the error is the one line
    sys.stderr.write(f"lrsched: error: {one_line_message(message)}\n")
    sys.stderr.flush()
    sys.exit(code)


def _quiet_broken_pipe() -> None:
    """stdout's reader went away (``| head``): stop quietly, as a filter should."""
    real = sys.stdout is sys.__stdout__ or isinstance(sys.stdout, _click.utils.PacifyFlushWrapper)
    if real and sys.__stdout__ is not None:  # the real stdout (not a test runner's buffer)
        try:  # so that the interpreter's final flush finds somewhere to write
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.__stdout__.fileno())
        except (OSError, ValueError, AttributeError):
            pass
    sys.exit(0)


class LrschedGroup(TyperGroup):
    """The top-level group: every failure becomes one line on stderr and an exit code."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        from . import notices

        stdout_before = _stdout_identity()
        try:
            with warnings.catch_warnings():  # numpy's and matplotlib's: never a 2nd line
                warnings.simplefilter("ignore")
                rv = super().main(args=args, prog_name=prog_name or "lrsched",
                                  complete_var=complete_var, standalone_mode=False, **extra)
        except SystemExit as e:
            if e.code in (0, None):
                notices.flush()
            # A closed stdout (``| head``) is met by rich (stdout pointed at /dev/null, exit 1)
            # and by click (stdout wrapped to pacify the final flush, exit 1). A filter whose
            # reader left has done its job: exit 0, as export does.
            if e.code == 1 and isinstance(sys.stdout, _click.utils.PacifyFlushWrapper):
                _quiet_broken_pipe()
            if e.code == 1 and stdout_before is not None \
                    and _stdout_identity() not in (stdout_before, None) \
                    and _stdout_identity() == _devnull_identity():
                sys.exit(0)
            raise
        except _click.exceptions.NoArgsIsHelpError as e:
            # bare "lrsched" (Typer has printed the help, with examples): that was the ask
            sys.exit(0 if e.ctx is None or e.ctx.parent is None else 2)
        except _click.exceptions.ClickException as e:
            _fail(_one_line(e.format_message()), e.exit_code)
        except typer.Abort:
            _fail("aborted", 1)
        except LrschedError as e:
            _fail(str(e), e.exit_code)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except MemoryError:
            _fail("out of memory: use fewer --steps, or export (which streams any length)", 1)
        except RecursionError:
            _fail("input nested too deeply", 2)
        except Exception as e:  # a bug: say so in one line (LRSCHED_DEBUG=1 for the trace)
            if os.environ.get("LRSCHED_DEBUG"):
                raise
            _fail(f"internal error: {type(e).__name__}: {e} (set LRSCHED_DEBUG=1 for "
                  "details, and please report it)", 1)
        notices.flush()
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


def _stdout_identity() -> tuple[int, int] | None:
    try:
        st = os.fstat(sys.__stdout__.fileno()) if sys.__stdout__ is not None else None
    except (OSError, ValueError):
        return None
    return None if st is None else (st.st_dev, st.st_ino)


def _devnull_identity() -> tuple[int, int] | None:
    try:
        st = os.stat(os.devnull)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _one_line(text: str) -> str:
    return " ".join(text.split())


class ScheduleGroup(TyperGroup):
    """``table`` / ``plot`` / ``export``: one sub-command per schedule, built on demand."""

    def list_commands(self, ctx: Any) -> list[str]:
        from .dialects import NAMES

        return [*registry.names(), *((*NAMES, "recipe", "log") if self.name != "code" else ())]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        from .dialects import is_dialect

        if (cmd_name in ("recipe", "log") or is_dialect(cmd_name)) and self.name != "code":
            return build_word_command(self.name or "table", cmd_name)
        try:
            entry = registry.get(cmd_name)
        except UsageError:
            return None
        return build_command(self.name or "table", entry)

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        """``lrsched plot --spec FILE [options]``: the schedule and its options from a file."""
        if not args and not ctx.resilient_parsing:  # (completion parses with no args)
            raise UsageError(f"'lrsched {self.name}' needs a schedule, e.g. 'lrsched {self.name} "
                             f"cosine' ('lrsched list' shows them all; 'lrsched {self.name} "
                             "--help')")
        if not ctx.resilient_parsing:
            args = self._with_spec_file(args)
        return super().parse_args(ctx, args)

    def _with_spec_file(self, args: list[str]) -> list[str]:
        """``--spec FILE`` anywhere (before a ``--``): the file's schedule and options
        first, then the command line's, so that options given on the command line win."""
        end = args.index("--") if "--" in args else len(args)
        at = next((i for i, a in enumerate(args[:end])
                   if a == "--spec" or a.startswith("--spec=")), None)
        if at is None:
            return args
        from .sources import specfile

        if args[at] == "--spec":
            if at + 1 >= end:
                raise UsageError("--spec needs a file name (.toml or .json)")
            path, rest = args[at + 1], args[:at] + args[at + 2:]
        else:
            path, rest = args[at].split("=", 1)[1], args[:at] + args[at + 1:]
        r_end = rest.index("--") if "--" in rest else len(rest)
        if any(a == "--spec" or a.startswith("--spec=") for a in rest[:r_end]):
            raise UsageError("--spec given twice; a schedule comes from one spec file")
        entries = specfile.read(path)
        if len(entries) != 1:
            raise UsageError(f"spec file '{path}' holds {len(entries)} schedules; "
                             f"'{self.name}' takes one (compare takes several)")
        words = specfile.to_words(entries[0], path)
        if rest and not rest[0].startswith("-"):  # the command line names the schedule too
            if rest[0].strip().lower().replace("_", "-") != words[0]:
                raise UsageError(f"the command line names '{rest[0]}' but spec file '{path}' "
                                 f"holds '{words[0]}': give one of them")
            rest = rest[1:]
        return words + rest

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0]
        cmd = self.get_command(ctx, name)
        if cmd is None:
            if name.startswith("-"):
                return super().resolve_command(ctx, args)
            registry.get(name)  # raises the UsageError that lists the schedules
        return cmd.name, cmd, args[1:]


# --------------------------------------------------------------------------------------
# Building a schedule's command from its registry entry.

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


def _save_spec_option() -> tuple[str, Any, Any]:
    return ("save_spec", str, _out(None, "--save-spec", metavar="FILE",
                                   help="Also save this schedule to a .toml or .json file "
                                        "(read it back with --spec FILE)"))


def _output_options(action: str) -> list[tuple[str, Any, Any]]:
    """(name, annotation, typer.Option) of each output option of ``action``."""
    if action in ("table", "plot", "export"):
        return [*_output_options_of(action), _save_spec_option()]
    return _output_options_of(action)


PANEL_GROUPS = "Parameter groups"


def _group_options(action: str) -> list[inspect.Parameter]:
    """``--groups``, ``--layer-decay``, ... (not for ``code``: it writes one scheduler)."""
    if action == "code":
        return []
    from .sources.words import group_options

    return [_opt_parameter(o, "", PANEL_GROUPS) for o in group_options()]


def _run_action(action: str, series: Any, group_raw: dict[str, Any], kw: dict[str, Any],
                out_names: list[str]) -> None:
    """Split ``series`` into its parameter groups (if asked) and run the action."""
    from .schedules.groups import apply, resolve

    all_series = apply(series, resolve(group_raw))
    try:
        _ACTIONS[action](all_series, **{k: kw[k] for k in out_names if k != "save_spec"})
    except BrokenPipeError:
        _quiet_broken_pipe()


def _output_options_of(action: str) -> list[tuple[str, Any, Any]]:
    if action == "table":
        return [
            ("rows", int, _out(20, "--rows", metavar="INT", click_type=ROWS,
                               help="Rows to show, evenly sampled (first and last always)")),
            ("at", str, _out(None, "--at", metavar="STEP,...",
                             help="Show these steps instead of a sample")),
            ("chart", bool, _out(False, "--chart", metavar="",
                                 help="Draw the terminal chart above the table")),
            ("log_y", bool, _out(False, "--log-y", metavar="", help="Logarithmic chart axis")),
            ("height", int, _out(18, "--height", metavar="INT", click_type=HEIGHT,
                                 help="Chart height in lines")),
        ]
    if action == "plot":
        return [
            ("output", str, _out(None, "--output", "-o", metavar="FILE", help="Image file: "
                                 ".png, .svg or .pdf; - for a PNG on stdout  "
                                 "\\[default: <schedule>.png]")),
            ("log_y", bool, _out(False, "--log-y", metavar="", help="Logarithmic lr axis")),
            ("title", str, _out(None, "--title", metavar="TEXT", help="Figure title  "
                                "\\[default: the schedule and its parameters]")),
            ("dpi", int, _out(150, "--dpi", click_type=Number("int", 10, 1200), metavar="INT",
                              help="Resolution of a PNG")),
            ("quiet", bool, _out(False, "--quiet", "-q", metavar="",
                                 help="No progress bar or message on stderr")),
        ]
    if action == "code":
        return [("framework", str, _out("torch", "--framework", metavar="[torch|hf|optax|keras]",
                                        help="The framework to write code for",
                                        autocompletion=lambda: ["torch", "hf", "optax",
                                                                "keras"]))]
    if action == "export":
        from .render import FORMATS

        return [
            ("format", str, _out(None, "--format", "-f", metavar="[" + "|".join(FORMATS) + "]",
                                 help="Output format  \\[default: the -o suffix; csv on "
                                      "stdout]", autocompletion=lambda: list(FORMATS))),
            ("output", str, _out(None, "--output", "-o", metavar="FILE",
                                 help="Output file (.csv, .json, .jsonl, .npy); - or none for "
                                      "stdout")),
            ("no_header", bool, _out(False, "--no-header", metavar="",
                                     help="CSV without header")),
            ("quiet", bool, _out(False, "--quiet", "-q", metavar="",
                                 help="No progress bar on stderr")),
        ]
    return []


def _panel(p: registry.Param) -> str:
    return PANEL_WARMUP if p.name.startswith("warmup") else PANEL_RUN


def build_command(action: str, entry: registry.Schedule) -> Any:
    """The click command for ``lrsched <action> <entry.name>``.

    ``action`` "spec" builds a command that only parses options and returns them, raw
    (``compare`` uses it to read its SPEC arguments exactly as ``plot`` would).
    """
    sig_params: list[inspect.Parameter] = []
    annotations: dict[str, Any] = {}
    sched_names = [p.name for p in entry.params]
    common_names = [p.name for p in registry.COMMON]
    for p in entry.params:
        ann, opt = _option_for(p, PANEL_SCHEDULE, p.default)
        sig_params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY,
                                            default=opt, annotation=ann))
        annotations[p.name] = ann
    for p in registry.COMMON:
        default = entry.common_defaults.get(p.name, p.default)
        if p.name == "steps":
            default = f"{registry.DEFAULT_STEPS}" if entry.default_steps is None \
                else "number of metrics"
        ann, opt = _option_for(p, _panel(p), default)
        sig_params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY,
                                            default=opt, annotation=ann))
        annotations[p.name] = ann
    group_params = _group_options(action)
    group_names = [p.name for p in group_params]
    sig_params += group_params
    annotations.update({p.name: str for p in group_params})
    out_names = []
    for name, ann, opt in _output_options(action):
        sig_params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                            default=opt, annotation=ann))
        annotations[name] = ann
        out_names.append(name)

    def callback(**kw: Any) -> Any:
        raw = {}
        for name in (*sched_names, *common_names):
            v = kw[name]
            raw[name] = None if v is False else v
        group_raw = {k: kw[k] for k in group_names}
        if action == "spec":
            return {**raw, **group_raw}
        spec = registry.resolve(entry, raw)
        save = kw.pop("save_spec", None)
        if save:
            from .sources.specfile import check_path

            check_path(save)
        if action == "code":
            from .sources.codegen import emit

            sys.stdout.write(emit(spec, kw["framework"].strip().lower()).text)
            return None
        from .schedules.compose import evaluate

        _run_action(action, evaluate(spec), group_raw, kw, out_names)
        if save:  # only once the run has succeeded (a failed run leaves the file as it was)
            _save_native(save, spec, raw, group_raw)
        return None

    callback.__signature__ = inspect.Signature(sig_params)  # type: ignore[attr-defined]
    callback.__annotations__ = annotations
    callback.__name__ = entry.name.replace("-", "_")
    help_text = f"{entry.summary}.\n\nFormula: {entry.formula}\n\nReference: {entry.reference}"
    if entry.notes:
        help_text += f"\n\n{entry.notes}"
    sub = typer.Typer(add_completion=False, rich_markup_mode="rich")
    sub.command(name=entry.name, help=help_text, short_help=entry.summary,
                epilog=f"Example: {_example(action, entry)}")(callback)
    return typer.main.get_command(sub)


def _example(action: str, entry: registry.Schedule) -> str:
    """A one-line example of ``lrsched <action> <schedule>``."""
    opts = {"step": "--decay-factor 0.5 --step-size 10", "cosine": "--lr-max 0.1 --warmup 5%",
            "one-cycle": "--max-lr 0.1 --steps 1000", "plateau": "--metrics val_loss.txt",
            "multistep": "--milestones 30,60,90", "cyclic": "--mode triangular2",
            "wsd": "--steps 10000 --decay-shape 1-sqrt"}.get(entry.name, "--steps 1000")
    tail = {"plot": " -o schedule.png", "export": " --format csv > lr.csv", "table": " --rows 10",
            "code": " --framework torch"}.get(action, "")
    return f"lrsched {action if action != 'spec' else 'plot'} {entry.name} {opts}{tail}"


def _word_command(action: str, name: str, sig_params: list[inspect.Parameter],
                  make_series: Callable[[dict[str, Any]], Any], *, short_help: str,
                  help: str, example: str, groups: bool = True,
                  save: Callable[[str, dict[str, Any]], None] | None = None) -> Any:
    """The click command of a schedule word (recipe, log, a dialect): its own options,
    then the group options (``groups``) and the action's output options. ``make_series``
    turns the raw options into the series; ``save`` writes ``--save-spec`` (without it the
    command has no ``--save-spec``)."""
    annotations = {p.name: p.annotation for p in sig_params}
    opt_names = [p.name for p in sig_params]
    group_params = _group_options(action) if groups else []
    group_names = [p.name for p in group_params]
    sig_params = [*sig_params, *group_params]
    annotations.update({p.name: str for p in group_params})
    out_names = []
    for opt_name, ann, opt in _output_options(action):
        if opt_name == "save_spec" and save is None:
            continue
        sig_params.append(inspect.Parameter(opt_name, inspect.Parameter.KEYWORD_ONLY,
                                            default=opt, annotation=ann))
        annotations[opt_name] = ann
        out_names.append(opt_name)

    def callback(**kw: Any) -> Any:
        raw = {k: kw[k] for k in opt_names}
        group_raw = {k: kw[k] for k in group_names}
        if action == "spec":
            return {**raw, **group_raw}
        if save is not None and kw.get("save_spec"):
            from .sources.specfile import check_path

            check_path(kw["save_spec"])
        series = make_series(raw)
        _run_action(action, series, group_raw, kw, out_names)
        if save is not None and kw.get("save_spec"):  # only once the run has succeeded
            save(kw["save_spec"], {**raw, **group_raw})
        return None

    callback.__signature__ = inspect.Signature(sig_params)  # type: ignore[attr-defined]
    callback.__annotations__ = annotations
    callback.__name__ = name.replace("-", "_")
    sub = typer.Typer(add_completion=False, rich_markup_mode="rich")
    sub.command(name=name, short_help=short_help, help=help,
                epilog=f"Example: lrsched {action if action != 'spec' else 'plot'} "
                       f"{example}")(callback)
    return typer.main.get_command(sub)


def _flags_to_none(raw: dict[str, Any]) -> dict[str, Any]:
    """A flag left off is None (the registry's default), as for native schedules."""
    return {k: (None if v is False else v) for k, v in raw.items()}


def _completer(kind: str | None, word: str) -> Callable[[str], list[str]] | None:
    if kind == "recipes":
        def complete_recipes(incomplete: str) -> list[str]:
            from .schedules.recipes import RECIPES

            return [n for n in RECIPES if n.startswith(incomplete)]
        return complete_recipes
    if kind == "dialect":
        def complete_names(incomplete: str) -> list[str]:
            from .dialects import get

            return [n for n in get(word).functions if n.startswith(incomplete)]
        return complete_names
    if kind == "styles":
        from .schedules.groups import STYLES

        return lambda incomplete: [s for s in STYLES if s.startswith(incomplete)]
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
    if o.number is not None:
        return inspect.Parameter(o.name, kw, annotation=int, default=typer.Option(
            o.default, *o.flags, metavar=o.metavar, click_type=Number("int", *o.number),
            help=o.help, rich_help_panel=panel))
    extra = {"show_default": False} if panel == PANEL_GROUPS else {}
    return inspect.Parameter(o.name, kw, annotation=str, default=typer.Option(
        None, *o.flags, metavar=o.metavar, help=o.help, rich_help_panel=panel,
        autocompletion=completion, **extra))


_WORD_TEXTS = {
    "recipe": ("A published recipe (lrsched recipes lists them)",
               "A published recipe, with its citation (lrsched info recipe NAME).",
               "recipe llama2 --size 7b --steps 500000"),
    "log": ("The learning rate a training run logged",
            "The learning rate a training run logged, at the steps it logged (the format is "
            "told from the content).", "log runs/exp1/trainer_state.json"),
}


def build_word_command(action: str, word: str) -> Any:
    """The click command for ``lrsched <action> recipe|log|<dialect> ...``, its options
    from :mod:`words` (the same declarations a SPEC is parsed against)."""
    from .sources import words

    own = {"log": words.LOG_OPTIONS, "recipe": words.RECIPE_OPTIONS}.get(word) \
        or words.dialect_options(word)
    sig_params = [_opt_parameter(o, word, PANEL_RUN) for o in own]

    def make_series(raw: dict[str, Any]) -> Any:
        return words.series_of(word, _flags_to_none(raw))

    save = None
    if word in words.DIALECTS:
        def save(path: str, raw: dict[str, Any]) -> None:
            from .sources import specfile

            specfile.write(path, [{"schedule": word, **{
                k: words.typed(v) for k, v in raw.items() if v is not None and v is not False}}])
        from .dialects import DESCRIPTIONS

        title, example = DESCRIPTIONS[word]
        short_help, help_text, example = (f"{title}: paste a scheduler call",
                                          f"{title}: the exact schedule of a pasted call.",
                                          f'{word} "{example}"')
    else:
        short_help, help_text, example = _WORD_TEXTS[word]
    return _word_command(action, word, sig_params, make_series, groups=word != "log",
                         save=save, short_help=short_help, help=help_text, example=example)


def _save_native(path: str, spec: Any, raw: dict[str, Any],
                 group_raw: dict[str, Any] | None = None) -> None:
    """A native schedule to a spec file: every schedule option, and the run options set."""
    from .sources import specfile
    from .sources.words import typed

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


# --------------------------------------------------------------------------------------
# The actions.

def _do_table(series: list[Any], rows: int, at: str | None, chart: bool,
              log_y: bool, height: int) -> None:
    from .commands.compare import parse_at
    from .render.figure import default_title
    from .render.terminal import stdout_console
    from .render.view import show_terminal

    if rows < 1:
        raise UsageError(f"invalid value for --rows: '{rows}' (allowed: a whole number >= 1)")
    if not 5 <= height <= 200:
        raise UsageError(f"invalid value for --height: '{height}' (allowed: 5 to 200 lines)")
    chosen = parse_at(at, series) if at else None
    show_terminal(series, stdout_console(), rows, chosen, log_y=log_y, height=height,
                  chart=chart, title=default_title(series))


def _do_plot(series: list[Any], output: str | None, log_y: bool, title: str | None,
             dpi: int, quiet: bool) -> None:
    from .render.figure import figure_format, save_figure

    path = output or f"{_file_stem(series[0])}.png"
    if path != "-":
        figure_format(path)
    elif sys.stdout.isatty():
        raise UsageError("-o - writes a PNG image to stdout: redirect it (> x.png, | display) "
                         "or give -o FILE")
    save_figure(series, path, log_y=log_y, title=title, dpi=dpi, quiet=quiet)
    if not quiet and path != "-":
        note(f"wrote {path}")


def _do_export(series: list[Any], format: str | None, output: str | None,
               no_header: bool, quiet: bool) -> None:
    from .render import data_format
    from .render.export import export

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


_ACTIONS: dict[str, Callable[..., None]] = {
    "table": _do_table, "plot": _do_plot, "export": _do_export,
}


# --------------------------------------------------------------------------------------
# The app.

app = typer.Typer(
    cls=LrschedGroup, no_args_is_help=True, rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    help="Explore learning-rate schedules: list, info, table, plot, export, compare, code.",
    epilog="Examples:\n\n"
           "  lrsched plot cosine --lr-max 0.1 --warmup 5% -o cosine.png\n\n"
           "  lrsched compare \"step --step-size 10\" "
           "\"torch 'StepLR(step_size=10, gamma=0.5)'\"\n\n"
           "  lrsched export hf \"get_cosine_schedule_with_warmup(100, 1000)\" --base-lr 3e-4 "
           "> lr.csv",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"lrsched {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Explore learning-rate schedules: list, info, table, plot, export, compare, code."""


for _action, _help in (
    ("table", "Print a schedule as a table in the terminal."),
    ("plot", "Save a plot of a schedule (PNG, SVG or PDF)."),
    ("export", "Write a schedule's values as CSV, JSON, JSONL or NPY."),
    ("code", "Print code that builds a schedule in torch, hf, optax or keras."),
):
    app.add_typer(typer.Typer(cls=ScheduleGroup, rich_markup_mode="rich"),
                  name=_action, help=_help)


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
                             help="Also save a figure of all curves (.png, .svg, .pdf)"),
    format: str = typer.Option(None, "--format", "-f", metavar="[csv|json|jsonl|npy]",
                               help="Write the values instead of the chart (to stdout or -o)"),
    output: str = typer.Option(None, "--output", "-o", metavar="FILE",
                               help="File for --format (the format may come from its suffix)"),
    no_header: bool = typer.Option(False, "--no-header", metavar="", help="CSV without header"),
    spec_file: str = typer.Option(None, "--spec", metavar="FILE",
                                  help="Schedules (and labels) from a .toml or .json file, "
                                       "before any SPEC given"),
    save_spec: str = typer.Option(None, "--save-spec", metavar="FILE",
                                  help="Also save these schedules to a .toml or .json file"),
) -> None:
    """Compare schedules side by side: a chart, a table and where two of them differ."""
    from .commands.compare import run_compare

    specs = list(specs or [])
    labels = list(label or [])
    if spec_file:
        from .sources import specfile

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
                    header=not no_header, save_spec=save_spec)
    except BrokenPipeError:
        _quiet_broken_pipe()


def _model_options() -> dict[str, Any]:
    panel = "Model (noisy quadratic model)"
    return dict(
        momentum=typer.Option(0.0, "--momentum", metavar="FLOAT", rich_help_panel=panel,
                              click_type=Number("float", 0, 1, hi_open=True),
                              help="Heavy-ball momentum β (PyTorch SGD's form)"),
        batch_size=typer.Option(16.0, "--batch-size", metavar="FLOAT", rich_help_panel=panel,
                                click_type=Number("float", 0, 1e12, lo_open=True),
                                help="Batch size B: gradient noise variance c_i / B"),
        dim=typer.Option(10_000, "--dim", metavar="INT", rich_help_panel=panel,
                         click_type=Number("int", 1, 1_000_000), help="Dimensions d"),
        curvature_power=typer.Option(1.0, "--curvature-power", metavar="FLOAT",
                                     click_type=Number("float", 0, 10),
                                     rich_help_panel=panel, help="Curvatures h_i = i^-p"),
        # beyond 1e6 the expected loss overflows float64 within a few steps of any schedule
        noise=typer.Option(1.0, "--noise", metavar="FLOAT", rich_help_panel=panel,
                           click_type=Number("float", 0, 1e6),
                           help="Noise scale: c_i = noise * h_i"),
    )


_M = _model_options()


@app.command("simulate", epilog='Example: lrsched simulate "cosine --lr-max 1.9 --lr-min 0" '
                                   '"constant --initial-lr 1.2" --steps 1000')
def simulate_cmd(
    specs: list[str] = typer.Argument(None, metavar="SPEC...", show_default=False,
                                      help="1 to 8 schedules, as for compare"),
    steps: str = typer.Option(None, "--steps", "--epochs", metavar="STEPS",
                              help="Steps for every spec that does not set its own  "
                                   "\\[default: 1000]"),
    label: list[str] = typer.Option(None, "--label", metavar="NAME",
                                    help="Label of a spec, in order (repeat the option)"),
    momentum: float = _M["momentum"], batch_size: float = _M["batch_size"],
    dim: int = _M["dim"], curvature_power: float = _M["curvature_power"],
    noise: float = _M["noise"],
    samples: int = typer.Option(0, "--samples", metavar="K", click_type=Number("int", 0, 10_000),
                                help="Also run K seeded Monte-Carlo SGD runs of each schedule"),
    seed: int = typer.Option(0, "--seed", metavar="INT", click_type=Number("int", 0, 2**63 - 1),
                             help="Seed of the Monte-Carlo runs"),
    rows: int = typer.Option(11, "--rows", metavar="INT", hidden=True, click_type=ROWS),
    height: int = typer.Option(18, "--height", metavar="INT", help="Chart height in lines",
                               click_type=HEIGHT),
    plot: str = typer.Option(None, "--plot", metavar="FILE",
                             help="Also save a figure: rates above, expected loss below"),
    format: str = typer.Option(None, "--format", "-f", metavar="[csv|json|jsonl]",
                               help="Write the losses instead of the chart"),
    output: str = typer.Option(None, "--output", "-o", metavar="FILE",
                               help="File for --format (or its suffix)"),
) -> None:
    """Run schedules on a noisy quadratic model: expected loss, exactly, in seconds."""
    from .commands.simulate import model_from_options, run_simulate

    model = model_from_options(dim, curvature_power, noise, batch_size, momentum)
    texts = list(specs or [])
    if not texts:
        raise UsageError("simulate needs at least one schedule, e.g. lrsched simulate cosine")
    if steps is None:
        steps = "1000"
    try:
        run_simulate(texts, steps, label, model, samples, seed, rows, True, height, plot,
                     format, output)
    except BrokenPipeError:
        _quiet_broken_pipe()


@app.command("find-lr", epilog="Example: lrsched find-lr --momentum 0.9 --plot range.png")
def find_lr_cmd(
    start: float = typer.Option(1e-7, "--start", metavar="FLOAT", help="First rate",
                                click_type=Number("float", 0, lo_open=True)),
    end: float = typer.Option(10.0, "--end", metavar="FLOAT", help="Last rate",
                              click_type=Number("float", 0, lo_open=True)),
    steps: int = typer.Option(100, "--steps", metavar="INT", help="Steps of the sweep",
                              click_type=Number("int", 10, 100_000)),
    rule: str = typer.Option("minimum/10", "--rule", metavar="[minimum/10|steepest]",
                             help="How to pick the suggested rate"),
    momentum: float = _M["momentum"], batch_size: float = _M["batch_size"],
    dim: int = _M["dim"], curvature_power: float = _M["curvature_power"],
    noise: float = _M["noise"],
    height: int = typer.Option(16, "--height", metavar="INT", help="Chart height in lines",
                               click_type=HEIGHT),
    plot: str = typer.Option(None, "--plot", metavar="FILE", help="Also save a figure"),
) -> None:
    """The learning-rate range test (Smith 2017, fastai's lr_find) on the noisy quadratic
    model: an exponential sweep, the smoothed loss, and a suggested rate."""
    from .commands.simulate import model_from_options, run_find_lr

    run_find_lr(model_from_options(dim, curvature_power, noise, batch_size, momentum), start,
                end, steps, rule, height, plot)


@app.command("identify", epilog="Example: lrsched identify runs/exp1/trainer_state.json")
def identify_cmd(
    file: str = typer.Argument(..., metavar="FILE", help="A training log (as for 'log FILE')"),
    column: str = typer.Option(None, "--column", "--tag", metavar="NAME",
                               help="The series to read (default: the one learning-rate "
                                    "series the file holds)"),
    step_offset: int = typer.Option(0, "--step-offset", metavar="K", click_type=STEP_OFFSET,
                                    help="Add K to every logged step"),
    step_scale: int = typer.Option(1, "--step-scale", metavar="K", click_type=STEP_SCALE,
                                   help="Multiply every logged step by K first"),
    top: int = typer.Option(5, "--top", metavar="INT", help="Candidates to show",
                            click_type=Number("int", 1, 1000)),
    format: str = typer.Option(None, "--format", "-f", metavar="[json]",
                               help="json: the candidates for programs"),
) -> None:
    """Name the schedule behind a log: the best-fitting schedules, ranked, as commands and
    code."""
    from .commands.identify import run_identify

    run_identify(file, column, step_offset, top, format, step_scale)


@app.command("recipes")
def recipes_cmd() -> None:
    """List the published recipes, one line each (lrsched info recipe NAME for sources)."""
    from .schedules.recipes import RECIPES

    width = max(len(n) for n in RECIPES)
    sys.stdout.write("".join(f"{r.name:<{width}}  {r.summary}\n" for r in RECIPES.values()))


@app.command("list")
def list_cmd() -> None:
    """List every schedule, one line each, then each framework dialect's names."""
    from .dialects import DESCRIPTIONS, NAMES, get

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


@app.command("info")
def info_cmd(name: str = typer.Argument(..., metavar="NAME",
                                        help="A schedule name, or a dialect (torch, hf, ...)",
                                        autocompletion=lambda: [*registry.names(), "torch",
                                                                "hf", "timm", "optax",
                                                                "keras", "recipe"]),
             recipe: str = typer.Argument(None, metavar="[RECIPE]",
                                          help="With NAME 'recipe': which recipe")) -> None:
    """Show a schedule's formula, reference and options; a dialect's names; a recipe."""
    from .commands.info import render_dialect_info, render_info, render_recipe_info
    from .dialects import is_dialect

    if name == "recipe" or name.startswith("recipe "):
        render_recipe_info(name.split(" ", 1)[1] if " " in name else recipe, stdout_console())
        return
    if is_dialect(name):
        render_dialect_info(name, stdout_console())
        return
    render_info(registry.get(name), stdout_console())


def main() -> None:
    """Console-script entry point."""
    app(prog_name="lrsched")
