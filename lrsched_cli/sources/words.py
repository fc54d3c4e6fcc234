"""Schedule words: what may follow ``lrsched table|plot|export`` and begin a SPEC.

A word is a registry schedule (``cosine``), a framework dialect (``torch EXPR``), ``recipe
NAME``, ``log FILE`` or ``config FILE``. This module declares every word's options once, as
:class:`Opt` records (the registry's :class:`~lrsched_cli.schedules.registry.Param` for
native schedules), and parses a SPEC's words against them (:func:`parse_words`), so that a
SPEC accepts exactly what the word's command accepts without building any command: the
command line builds its Typer options from these same declarations. It turns parsed options
into the labelled series (:func:`series_of`). It imports no Typer, click or rich.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..schedules import registry

DIALECTS = ("torch", "hf", "timm", "optax", "keras")
WORDS = ("recipe", "log", "config")  # the words that are neither a schedule nor a dialect


@dataclass(frozen=True)
class Opt:
    """One option (or the positional argument) of a dialect, ``recipe`` or ``log`` word.

    ``kind``: "value" (takes one), "multi" (takes one, repeatable: a list), "flag" (takes
    none) or "positional"; ``number``: the
    value is parsed as a whole number within ``lo..hi`` on the command line (the log's
    step options); ``default``: what a number option is without the flag.
    """

    name: str
    flags: tuple[str, ...]
    metavar: str
    help: str
    kind: str = "value"
    number: tuple[int, int] | None = None
    default: Any = None
    completion: str | None = None  # what the shell completes: "recipes", "dialect", ...


RUN_EXTRA = ("steps_per_epoch", "dataset_size", "batch_size", "grad_accum", "drop_last",
             "seq_len", "tokens_per_step", "per_epoch")
STEP_OFFSET = (-10**12, 10**12)  # steps beyond float64's exact integers are refused
STEP_SCALE = (1, 10**9)


def _run(names: Sequence[str] = RUN_EXTRA) -> tuple[registry.Param, ...]:
    return tuple(registry.COMMON_BY_NAME[n] for n in names)


def dialect_options(dialect: str) -> tuple[Opt | registry.Param, ...]:
    """The options of ``lrsched <action> <dialect> EXPR``, in order."""
    from .dialects import DESCRIPTIONS

    return (
        Opt("expr", (), "EXPR", "The call, quoted: " + DESCRIPTIONS[dialect][1],
            kind="positional", completion="dialect"),
        Opt("var", ("--var",), "NAME=VALUE", "A value for a name the expression uses "
            "(repeatable): --var epochs=90 --var \"len(train_loader)=500\" --var args.lr=0.1; "
            "a number, or a Python literal (a list, a string in quotes)", kind="multi"),
        Opt("base_lr", ("--base-lr", "--lr"), "FLOAT", "The optimizer's learning rate, which "
            "the scheduler multiplies  \\[default: 1, i.e. the factor]"),
        Opt("steps", ("--steps", "--epochs", "--max-epochs"), "STEPS", "Number of values  "
            "\\[default: the length the expression implies, else 100]"),
        Opt("start", ("--start",), "STEPS", "First index to output"),
        Opt("unit", ("--unit",), "[step|epoch]", "Label for the index"),
        Opt("metrics", ("--metrics",), "FILE|-", "Metrics for a plateau scheduler"),
        Opt("metrics_column", ("--metrics-column",), "TEXT", "Column of a CSV metrics file"),
        *_run(),
    )


RECIPE_OPTIONS: tuple[Opt | registry.Param, ...] = (
    Opt("recipe", (), "NAME", "A recipe: lrsched recipes lists them", kind="positional",
        completion="recipes"),
    Opt("steps", ("--steps", "--epochs"), "STEPS", "The length of your run"),
    Opt("size", ("--size",), "SIZE", "Model size, where the paper's table has several"),
    Opt("batch_size", ("--batch-size",), "INT", "Samples per batch: the peak of a recipe that "
        "scales with the batch uses batch x --grad-accum; with --dataset-size it counts steps "
        "per epoch"),
    Opt("lr_max", ("--lr-max",), "FLOAT", "Peak, where the recipe leaves it to you"),
    Opt("warmup", ("--warmup",), "STEPS", "Warmup, where the recipe leaves it to you"),
    Opt("start", ("--start",), "STEPS", "First index to output"),
    Opt("unit", ("--unit",), "[step|epoch]", "Label for the index"),
    *_run([n for n in RUN_EXTRA if n != "batch_size"]),
)

LOG_OPTIONS: tuple[Opt | registry.Param, ...] = (
    Opt("file", (), "FILE", "A training log: TensorBoard events (or their folder), TensorBoard "
        "CSV, Lightning metrics.csv, trainer_state.json, an MLflow metric file, a Keras CSV, an "
        "lrsched export, a column of numbers; - for stdin", kind="positional"),
    Opt("column", ("--column", "--tag"), "NAME", "The series to read (default: the one "
        "learning-rate series the file holds)"),
    Opt("step_offset", ("--step-offset",), "K", "Add K to every logged step",
        number=STEP_OFFSET, default=0),
    Opt("step_scale", ("--step-scale", "--steps-per-epoch"), "K", "Multiply every logged step "
        "by K first (an epoch log: K = steps per epoch)", number=STEP_SCALE, default=1),
)


CONFIG_OPTIONS: tuple[Opt, ...] = (
    Opt("file", (), "FILE", "A training config: HF TrainingArguments, a DeepSpeed JSON, an "
        "MMEngine .py, Megatron-LM flags, a LightningCLI YAML or LightningModule .py, timm's "
        "args.yaml, Ultralytics train args; - for stdin", kind="positional"),
    Opt("type", ("--type",), "TYPE", "The config's format, where its content does not tell: "
        "hf, deepspeed, mmengine, megatron, lightning, timm, ultralytics",
        completion="config_types"),
    Opt("dataset_size", ("--dataset-size",), "N", "Training samples (what an epoch is)",
        number=(1, 10**12)),
    Opt("batch_size", ("--batch-size",), "B", "Samples per batch per process, where the "
        "config does not hold it", number=(1, 10**9)),
    Opt("world_size", ("--world-size",), "W", "Data-parallel processes  \\[default: 1]",
        number=(1, 10**6), default=1),
    Opt("epochs", ("--epochs",), "E", "Epochs, where the epoch loop is yours (DeepSpeed)"),
    Opt("set", ("--set",), "KEY=VALUE", "Override or add a config value (dotted KEY, "
        "repeatable): --set trainer.max_epochs=2", kind="multi"),
    Opt("metrics", ("--metrics",), "FILE|-", "The metric after each epoch, for a plateau "
        "scheduler (timm)"),
    Opt("metrics_column", ("--metrics-column",), "TEXT", "Column of a CSV metrics file"),
)


def group_options() -> tuple[Opt, ...]:
    """``--groups``, ``--layer-decay``, ... (every word but ``log``)."""
    from ..schedules.groups import OPTIONS

    return tuple(Opt(name, (flag,), metavar, help_text,
                     completion="styles" if name == "layer_decay_style" else None)
                 for name, flag, metavar, help_text in OPTIONS)


def options(word: str) -> tuple[Opt | registry.Param, ...]:
    """Every option of ``word`` (its own, the run options, the group options)."""
    if word == "log":
        return LOG_OPTIONS
    if word == "config":
        return CONFIG_OPTIONS
    if word == "recipe":
        return (*RECIPE_OPTIONS, *group_options())
    if word in DIALECTS:
        return (*dialect_options(word), *group_options())
    entry = registry.get(word)
    return (*entry.params, *registry.COMMON, *group_options())


def _flags(o: Opt | registry.Param) -> tuple[str, ...]:
    return tuple(o.flags)


def _takes_value(o: Opt | registry.Param) -> bool:
    return o.kind != "flag"


def parse_words(words: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """(word, raw options) of a SPEC's words, as the word's command would read them: flags
    and their aliases, ``--flag=value``, the last of a repeated option. Raw values are the
    strings given (flags: True); what is left out is absent."""
    word = words[0]
    if word not in WORDS and word not in DIALECTS:
        registry.get(word)  # the UsageError that lists the schedules
    opts = options(word)
    table: dict[str, Opt | registry.Param] = {}
    positional = None
    for o in opts:
        if o.kind == "positional":
            positional = o
        for f in _flags(o):
            table.setdefault(f, o)
    raw: dict[str, Any] = {}
    args = list(words[1:])
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and len(a) > 2:
            flag, eq, value = a.partition("=")
            o = table.get(flag)
            if o is None:
                close = difflib.get_close_matches(flag, list(table), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(f"No such option: {flag}{hint}")
            if not _takes_value(o):
                if eq:
                    raise UsageError(f"Option '{flag}' does not take a value.")
                raw[o.name] = True
                i += 1
                continue
            if not eq:
                if i + 1 >= len(args):
                    raise UsageError(f"Option '{flag}' requires an argument.")
                value = args[i + 1]
                i += 1
            if o.kind == "multi":
                raw.setdefault(o.name, []).append(value)
            else:
                raw[o.name] = value
            i += 1
            continue
        if positional is not None and positional.name not in raw:
            raw[positional.name] = a
            i += 1
            continue
        raise UsageError(f"Got unexpected extra argument ({a})")
    if positional is not None and positional.name not in raw:
        raise UsageError(f"Missing argument '{positional.metavar}'.")
    return word, raw


def series_of(word: str, raw: dict[str, Any]) -> Any:
    """The series of ``word`` from its raw options (groups not applied)."""
    if word == "log":
        from .logs import log_series

        return log_series(raw["file"], raw.get("column"), number(raw, "step_offset"),
                          step_scale=number(raw, "step_scale"))
    if word == "recipe":
        return recipe_series(raw)
    if word == "config":
        return config_series(raw)
    if word in DIALECTS:
        from .dialects import series_from_options

        return series_from_options(word, raw)
    from ..schedules.compose import evaluate

    return evaluate(registry.resolve(registry.get(word), raw))


def config_series(raw: dict[str, Any]) -> list[Any]:
    """The series of ``config FILE``: one per parameter group, one row per update."""
    from .configs import Inputs, series

    epochs = None
    if raw.get("epochs") is not None:
        epochs = registry.parse_float(registry.Param("epochs", "float", None, "", lo=0,
                                                     lo_open=True), raw["epochs"])
    inputs = Inputs(
        dataset_size=_number_or_none(raw, "dataset_size", CONFIG_OPTIONS),
        batch_size=_number_or_none(raw, "batch_size", CONFIG_OPTIONS),
        world_size=number(raw, "world_size", CONFIG_OPTIONS), epochs=epochs,
        sets=tuple(raw.get("set") or ()), metrics=_metrics_or_none(raw))
    return series(raw["file"], inputs, raw.get("type"))


def _metrics_or_none(raw: dict[str, Any]) -> tuple[float, ...] | None:
    """``--metrics`` read as the dialects read it (nan and inf kept: the trainer's own)."""
    if raw.get("metrics") is None:
        return None
    from ..files.metrics import read_metrics

    return tuple(float(x) for x in read_metrics(raw["metrics"], raw.get("metrics_column"),
                                                allow_nonfinite=True))


def _number_or_none(raw: dict[str, Any], name: str,
                    declared: Sequence[Opt | registry.Param]) -> int | None:
    return None if raw.get(name) is None else number(raw, name, declared)


def number(raw: dict[str, Any], name: str,
           declared: Sequence[Opt | registry.Param] = LOG_OPTIONS) -> int:
    """A whole-number option of the log or config word, parsed and bounded (or its
    default)."""
    o = next(x for x in declared if x.name == name)
    assert isinstance(o, Opt) and o.number is not None
    v = raw.get(name)
    if v is None:
        return int(o.default)
    p = registry.Param(name, "int", None, "", lo=o.number[0], hi=o.number[1])
    return registry.parse_int(p, v)


def recipe_series(raw: dict[str, Any]) -> Any:
    """The series of a recipe (every length form of DESIGN.md §1: ``--steps 300ep
    --steps-per-epoch 10``, ``%``, ``tok``, ``--per-epoch``...)."""
    from ..schedules import recipes
    from ..schedules.compose import evaluate

    raw = dict(raw)
    if recipes.get(raw["recipe"]).per_epoch and (raw.get("steps_per_epoch") is not None
                                                 or raw.get("dataset_size") is not None):
        raw["per_epoch"] = True  # DeiT's schedule counts epochs: each held for an epoch's steps
    run = registry.resolve_run({k: raw.get(k) for k in registry.RUN_NAMES})
    batch = None
    if raw.get("batch_size") is not None:  # the samples of one optimizer step
        grad_accum = raw.get("grad_accum")
        batch = float(registry.parse_int(registry.COMMON_BY_NAME["batch_size"],
                                         raw["batch_size"])
                      * (1 if grad_accum is None else registry.parse_int(
                          registry.COMMON_BY_NAME["grad_accum"], grad_accum)))
    lr_max = None
    if raw.get("lr_max") is not None:
        lr_max = registry.parse_float(registry.Param("lr_max", "float", None, "", lo=0,
                                                     lo_open=True), raw["lr_max"])
    name, params = recipes.build(raw["recipe"], run.n, raw.get("size"), batch, lr_max,
                                 raw.get("warmup"))
    for key in ("start", "unit"):
        if raw.get(key) is not None:
            params[key] = raw[key]
    if run.steps_per_epoch is not None:
        params["steps_per_epoch"] = run.steps_per_epoch
    if run.tokens_per_step is not None:
        params["tokens_per_step"] = run.tokens_per_step
    if run.per_epoch:
        params["per_epoch"] = True
    s = evaluate(registry.resolve(name, params), label=f"recipe {raw['recipe']}")
    s.params = {"recipe": raw["recipe"], **s.params}
    return s


def typed(text: Any) -> Any:
    """A command-line value as the number it spells, where it spells one (spec files)."""
    if not isinstance(text, str):
        return text
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text

