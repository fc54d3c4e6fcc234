"""Schedules kept in files: ``--spec FILE`` reads one (or a list, for compare), and
``--save-spec FILE`` writes one. TOML, JSON or YAML (read in safe mode) by the suffix; keys
are the option names (``lr_max`` or ``lr-max``), plus ``schedule`` (a schedule or dialect
name), ``expr`` (a dialect's call), ``var`` (the values of its names: ``{epochs = 90,
"args.lr" = 0.1}`` or a list of ``"NAME=VALUE"`` texts) and, for compare, ``label``::

    schedule = "cosine"
    lr_max = 0.1
    steps = 10000
    warmup = "5%"
"""

from __future__ import annotations

import json
import math
import os
import shlex
from typing import Any

from ..errors import UsageError

SPECIAL = ("schedule", "expr", "label")


def check_path(path: str) -> None:
    """Refuse a spec file name lrsched cannot write, before any work is done."""
    _kind(path)


def _kind(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".toml", ".json", ".yaml", ".yml"):
        raise UsageError(f"spec file '{path}': use a .toml, .json or .yaml file name")
    return "yaml" if ext == ".yml" else ext[1:]


def read(path: str) -> list[dict[str, Any]]:
    """The schedules in a spec file: one table, or ``schedules = [...]``."""
    kind = _kind(path)
    from ..files.reading import read_input

    raw = read_input(path, "spec file")
    try:
        if kind == "json":
            doc = json.loads(raw)
        elif kind == "yaml":
            import yaml

            try:
                doc = yaml.safe_load(raw.decode("utf-8"))
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                where = f" at line {mark.line + 1}" if mark is not None else ""
                raise ValueError(f"{getattr(e, 'problem', None) or type(e).__name__}{where}") \
                    from None
        else:
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            doc = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise UsageError(f"spec file '{path}' is not valid {kind.upper()}: {first}") from None
    items = doc["schedules"] if isinstance(doc, dict) and "schedules" in doc else [doc]
    if not isinstance(items, list) or not items or not all(isinstance(d, dict) for d in items):
        raise UsageError(f"spec file '{path}': expected a table of options, or "
                         "'schedules' = a list of them")
    for d in items:
        if not isinstance(d.get("schedule"), str):
            raise UsageError(f"spec file '{path}': each schedule needs schedule = \"NAME\" "
                             "(a schedule such as cosine, or a dialect such as torch)")
    return items


def _text(value: Any, key: str, path: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list) and all(isinstance(v, (int, float, str)) for v in value):
        return ",".join(str(v) for v in value)
    raise UsageError(f"spec file '{path}': {key} = {value!r} is not a number, text or list")


def to_words(entry: dict[str, Any], path: str) -> list[str]:
    """The command-line words of one file entry: ``["cosine", "--lr-max", "0.1", ...]``."""
    from ..schedules import registry
    from . import dialects

    name = entry["schedule"]
    words = [name]
    is_dialect = dialects.is_dialect(name)
    if name in ("recipe", "log", "config"):  # a word and its argument: the recipe, the file
        key = "recipe" if name == "recipe" else "file"
        arg = entry.get("expr", entry.get(key))
        if not isinstance(arg, str):
            raise UsageError(f"spec file '{path}': schedule = \"{name}\" needs {key} = "
                             f"\"...\"")
        words.append(arg)
        allowed = {
            "recipe": {"epochs", "size", "lr_max", "warmup", *registry.RUN_NAMES},
            "log": {"column", "tag", "step_offset", "step_scale", "steps_per_epoch"},
            "config": {"type", "dataset_size", "batch_size", "world_size", "epochs", "set",
                       "metrics", "metrics_column"},
        }[name]
        allowed |= {"expr", key}
        flags = {"per_epoch", "drop_last"}
    elif is_dialect:
        if not isinstance(entry.get("expr"), str):
            raise UsageError(f"spec file '{path}': schedule = \"{name}\" needs expr = "
                             "\"CALL(...)\"")
        words.append(entry["expr"])
        allowed = {"base_lr", "lr", "epochs", "max_epochs", "metrics", "metrics_column", "var",
                   *registry.RUN_NAMES}
        flags = {"per_epoch", "drop_last"}
    else:
        entry_def = registry.get(name)
        allowed = {k for p in (*entry_def.params, *registry.COMMON)
                   for k in (p.name, *p.aliases)}
        flags = {p.name for p in (*entry_def.params, *registry.COMMON) if p.kind == "flag"}
    from ..schedules.groups import NAMES as GROUP_OPTIONS

    allowed |= set(GROUP_OPTIONS)
    for key, value in entry.items():
        if key in SPECIAL or (name in ("recipe", "log", "config")
                              and key in ("expr", "recipe", "file")):
            continue
        norm = key.replace("-", "_")
        if norm not in allowed:
            import difflib

            close = difflib.get_close_matches(norm, sorted(allowed), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"spec file '{path}': {name} has no option '{key}'{hint}")
        flag = "--" + norm.replace("_", "-")
        if norm in flags:
            if value is True:
                words.append(flag)
            elif value is not False:
                raise UsageError(f"spec file '{path}': {key} must be true or false")
            continue
        if name == "config" and norm == "set":  # repeatable: a list of KEY=VALUE
            for v in value if isinstance(value, list) else [value]:
                words += [flag, _text(v, key, path)]
            continue
        if is_dialect and norm == "var":  # a table of names, or a list of NAME=VALUE
            words += [w for text in _var_texts(value, key, path) for w in (flag, text)]
            continue
        words += [flag, _text(value, key, path)]
    return words


def _var_texts(value: Any, key: str, path: str) -> list[str]:
    """``var = {epochs = 90, "args.lr" = 0.1}`` (a nested table's keys joined by dots:
    TOML reads ``{args.lr = 0.1}`` as one) or ``var = ["epochs=90", ...]`` as the
    ``--var NAME=VALUE`` texts, each value written as the Python literal it is."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, dict):
        out = []

        def walk(d: dict[str, Any], prefix: str) -> None:
            for k, v in d.items():
                name = f"{prefix}{k}"
                if isinstance(v, dict) and v and all(isinstance(x, str) for x in v):
                    walk(v, name + ".")
                elif v is None or isinstance(v, (bool, int, float, str, list)):
                    out.append(f"{name}={_literal_text(v, f'{key}.{name}', path)}")
                else:
                    raise UsageError(f"spec file '{path}': {key}.{name} = {v!r} is not a "
                                     "number, text or list")
        walk(value, "")
        return out
    raise UsageError(f"spec file '{path}': {key} must be a table of names and values "
                     "({epochs = 90}) or a list of \"NAME=VALUE\" texts")


def _literal_text(v: Any, key: str, path: str) -> str:
    """``v`` as the Python literal ``--var`` reads (the value is the file's own)."""
    if isinstance(v, float) and not math.isfinite(v):
        raise UsageError(f"spec file '{path}': {key} holds {v!r}, which is not a number "
                         "lrsched computes with")
    if isinstance(v, list):
        return "[" + ", ".join(_literal_text(x, key, path) for x in v) + "]"
    return repr(v)


def spec_texts(path: str) -> tuple[list[str], list[str | None]]:
    """For compare: each entry as a SPEC string, and its label (or None)."""
    entries = read(path)
    return ([shlex.join(to_words(e, path)) for e in entries],
            [e.get("label") if isinstance(e.get("label"), str) else None for e in entries])


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if not math.isfinite(v):
            raise UsageError(f"cannot save {v!r} in a spec file")
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v))  # a TOML basic string is JSON-escaped text


def _plain(v: Any) -> Any:
    """Tuples as lists: safe_dump writes only plain YAML."""
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def write(path: str, entries: list[dict[str, Any]]) -> None:
    """Write schedules as TOML or JSON (atomically)."""
    from ..files.output import atomic_file

    kind = _kind(path)
    if kind in ("json", "yaml"):
        doc: Any = entries[0] if len(entries) == 1 else {"schedules": entries}
        for e in entries:
            for v in e.values():
                if isinstance(v, float) and not math.isfinite(v):
                    raise UsageError(f"cannot save {v!r} in a spec file")
        if kind == "json":
            text = json.dumps(doc, indent=2) + "\n"
        else:
            import yaml

            text = yaml.safe_dump(_plain(doc), sort_keys=False, allow_unicode=True)
    elif len(entries) == 1:
        text = "".join(f"{k} = {_toml_value(v)}\n" for k, v in entries[0].items())
    else:
        text = "\n".join("[[schedules]]\n" + "".join(f"{k} = {_toml_value(v)}\n"
                                                      for k, v in e.items())
                         for e in entries)
    with atomic_file(path) as fh:
        fh.write(text)
