"""``lrsched table|plot|export|code SCHEDULE``: groups whose sub-commands are the schedule
words, each built from its declaration (registry entry, or :mod:`lrsched_cli.sources.words`)
only when it is used or listed, so start-up does not pay for every schedule's options. What
each command does with its series is in :mod:`.actions`."""

from __future__ import annotations

import copy
import inspect
import sys
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperGroup

from ..errors import UsageError
from ..schedules import registry
from .actions import ACTIONS, save_native
from .options import (
    HEIGHT,
    PANEL_GROUPS,
    PANEL_RUN,
    PANEL_SCHEDULE,
    PANEL_WARMUP,
    ROWS,
    _flags_to_none,
    _opt_parameter,
    _option_for,
    _out,
    figure_options,
    quiet_broken_pipe,
    run_lengths,
)


class ScheduleGroup(TyperGroup):
    """``table`` / ``plot`` / ``export``: one sub-command per schedule, built on demand."""

    def list_commands(self, ctx: Any) -> list[str]:
        from ..sources.dialects import NAMES

        return [*registry.names(),
                *((*NAMES, "recipe", "log", "config") if self.name != "code" else ())]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        from ..sources.dialects import is_dialect

        if (cmd_name in ("recipe", "log", "config") or is_dialect(cmd_name)) \
                and self.name != "code":
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
        from ..sources import specfile

        if args[at] == "--spec":
            if at + 1 >= end:
                raise UsageError("--spec needs a file name (.toml, .json or .yaml)")
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

def _save_spec_option() -> tuple[str, Any, Any]:
    return ("save_spec", str, _out(None, "--save-spec", metavar="FILE",
                                   help="Also save this schedule to a .toml, .json or "
                                        ".yaml file "
                                        "(read it back with --spec FILE)"))


def _output_options(action: str) -> list[tuple[str, Any, Any]]:
    """(name, annotation, typer.Option) of each output option of ``action``."""
    if action in ("table", "plot", "export"):
        return [*_output_options_of(action), _save_spec_option()]
    return _output_options_of(action)


def _group_options(action: str) -> list[inspect.Parameter]:
    """``--groups``, ``--layer-decay``, ... (not for ``code``: it writes one scheduler)."""
    if action == "code":
        return []
    from ..sources.words import group_options

    return [_opt_parameter(o, "", PANEL_GROUPS) for o in group_options()]


def _run_action(action: str, series: Any, group_raw: dict[str, Any], kw: dict[str, Any],
                out_names: list[str], raw: dict[str, Any] | None = None) -> None:
    """Split ``series`` into its parameter groups (if asked) and run the action (``plot``
    also gets the run lengths ``raw``'s options give, for ``--x-unit``)."""
    from ..schedules.groups import apply, resolve

    all_series = series if isinstance(series, list) else apply(series, resolve(group_raw))
    extra = {"lengths": run_lengths(raw or {})} if action == "plot" else {}
    try:
        ACTIONS[action](all_series, **{k: kw[k] for k in out_names if k != "save_spec"},
                        **extra)
    except BrokenPipeError:
        quiet_broken_pipe()


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
            ("spark", bool, _out(False, "--spark", metavar="",
                                 help="Print one line instead: the schedule as a sparkline "
                                      "(▁▂▃▄▅▆▇█) with its min and max, as wide as the "
                                      "terminal (60 characters when not a terminal)")),
        ]
    if action == "plot":
        return [
            ("output", str, _out(None, "--output", "-o", metavar="FILE", help="Image file: "
                                 ".png, .svg, .pdf, .jpg or .webp; - for a PNG on stdout  "
                                 "\\[default: <schedule>.png]")),
            ("log_y", bool, _out(False, "--log-y", metavar="", help="Logarithmic lr axis")),
            ("title", str, _out(None, "--title", metavar="TEXT", help="Figure title  "
                                "\\[default: the schedule and its parameters]")),
            *figure_options(),
            ("quiet", bool, _out(False, "--quiet", "-q", metavar="",
                                 help="No progress bar or message on stderr")),
        ]
    if action == "code":
        return [("framework", str, _out(
            "torch", "--framework", metavar="[torch|hf|timm|optax|keras]",
            help="The framework to write code for: its own class where one computes the "
                 "schedule, else the formula, one branch per phase (torch and hf: LambdaLR "
                 "with def lr_lambda(step); optax: join_schedules of the pieces, or a lambda; "
                 "keras: a LearningRateSchedule subclass with keras.ops in __call__). timm: its "
                 "scheduler classes only (Cosine, Poly, Step, MultiStep, WSD, Plateau); a "
                 "schedule they cannot compute is refused, naming the frameworks that can",
            autocompletion=lambda: ["torch", "hf", "timm", "optax", "keras"]))]
    if action == "export":
        from ..render import FORMATS

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
    """The click command for ``lrsched <action> <entry.name>`` (a SPEC's words are read
    against the same declarations by :func:`lrsched_cli.sources.words.parse_words`)."""
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
        spec = registry.resolve(entry, raw)
        save = kw.pop("save_spec", None)
        if save:
            from ..sources.specfile import check_path

            check_path(save)
        if action == "code":
            from ..sources.codegen import emit

            sys.stdout.write(emit(spec, kw["framework"].strip().lower()).text)
            return None
        from ..schedules.compose import evaluate

        _run_action(action, evaluate(spec), group_raw, kw, out_names, raw)
        if save:  # only once the run has succeeded (a failed run leaves the file as it was)
            save_native(save, spec, raw, group_raw)
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
    return f"lrsched {action} {entry.name} {opts}{tail}"


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
    own_flags = {f for p in sig_params for f in getattr(p.default, "param_decls", None) or ()}
    for opt_name, ann, opt in _output_options(action):
        if opt_name == "save_spec" and save is None:
            continue
        taken = [f for f in opt.param_decls if f in own_flags]
        if taken:  # recipe's --size (the model's): the figure's is --figsize there
            opt = copy.copy(opt)
            opt.param_decls = tuple(f for f in opt.param_decls if f not in own_flags)
            opt.help = (opt.help or "").replace("also --figsize", f"{taken[0]} is the "
                                                f"{name}'s own here")
        sig_params.append(inspect.Parameter(opt_name, inspect.Parameter.KEYWORD_ONLY,
                                            default=opt, annotation=ann))
        annotations[opt_name] = ann
        out_names.append(opt_name)

    def callback(**kw: Any) -> Any:
        raw = {k: kw[k] for k in opt_names}
        group_raw = {k: kw[k] for k in group_names}
        if save is not None and kw.get("save_spec"):
            from ..sources.specfile import check_path

            check_path(kw["save_spec"])
        series = make_series(raw)
        _run_action(action, series, group_raw, kw, out_names, raw)
        if save is not None and kw.get("save_spec"):  # only once the run has succeeded
            save(kw["save_spec"], {**raw, **group_raw})
        return None

    callback.__signature__ = inspect.Signature(sig_params)  # type: ignore[attr-defined]
    callback.__annotations__ = annotations
    callback.__name__ = name.replace("-", "_")
    sub = typer.Typer(add_completion=False, rich_markup_mode="rich")
    sub.command(name=name, short_help=short_help, help=help,
                epilog=f"Example: lrsched {action} "
                       f"{example}")(callback)
    return typer.main.get_command(sub)


_WORD_TEXTS = {
    "recipe": ("A published recipe (lrsched recipes lists them)",
               "A published recipe, with its citation (lrsched info recipe NAME).",
               "recipe llama2 --size 7b --steps 500000"),
    "config": ("The lr of every update a training config makes",
               "The learning rate of every optimizer update a trainer makes with this config, "
               "counted as the trainer counts (the format is told from the content).",
               "config train_args.json --dataset-size 50000"),
    "log": ("The learning rate a training run logged",
            "The learning rate a training run logged, at the steps it logged (the format is "
            "told from the content).", "log runs/exp1/trainer_state.json"),
}


def build_word_command(action: str, word: str) -> Any:
    """The click command for ``lrsched <action> recipe|log|<dialect> ...``, its options
    from :mod:`words` (the same declarations a SPEC is parsed against)."""
    from ..sources import words

    own = {"log": words.LOG_OPTIONS, "recipe": words.RECIPE_OPTIONS,
           "config": words.CONFIG_OPTIONS}.get(word) \
        or words.dialect_options(word)
    sig_params = [_opt_parameter(o, word, PANEL_RUN) for o in own]

    def make_series(raw: dict[str, Any]) -> Any:
        return words.series_of(word, _flags_to_none(raw))

    save = None
    if word in words.DIALECTS:
        def save(path: str, raw: dict[str, Any]) -> None:
            from ..sources import specfile

            specfile.write(path, [{"schedule": word, **{
                k: words.typed(v) for k, v in raw.items() if v is not None and v is not False}}])
        from ..sources.dialects import DESCRIPTIONS

        title, example = DESCRIPTIONS[word]
        short_help, help_text, example = (f"{title}: paste a scheduler call",
                                          f"{title}: the exact schedule of a pasted call.",
                                          f'{word} "{example}"')
    else:
        short_help, help_text, example = _WORD_TEXTS[word]
    return _word_command(action, word, sig_params, make_series,
                         groups=word not in ("log", "config"),
                         save=save, short_help=short_help, help=help_text, example=example)


# --------------------------------------------------------------------------------------
# The app.



def register(app: typer.Typer) -> None:
    """Add the ``table``, ``plot``, ``export`` and ``code`` groups to ``app``."""

    for _action, _help in (
        ("table", "Print a schedule as a table in the terminal."),
        ("plot", "Save a plot of a schedule (PNG, SVG, PDF, JPG or WebP)."),
        ("export", "Write a schedule's values as CSV, JSON, JSONL or NPY."),
        ("code", "Print code that builds a schedule in torch, hf, timm, optax or keras.\n\n"
                 "The framework's own class where one computes the same values; otherwise the "
                 "formula, one piece per phase: torch's LambdaLR with a def lr_lambda(step) "
                 "(hf too), optax's join_schedules, a Keras LearningRateSchedule subclass. "
                 "timm gets its own scheduler classes only: a schedule they cannot compute "
                 "is refused in one line naming the frameworks that can."),
    ):
        app.add_typer(typer.Typer(cls=ScheduleGroup, rich_markup_mode="rich"),
                      name=_action, help=_help)
