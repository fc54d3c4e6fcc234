"""SPEC strings: the words that would follow ``lrsched plot``, quoted as one argument.

``"cosine --lr-max 0.1"`` is parsed by the very command ``lrsched plot cosine`` uses, so
a spec accepts exactly the options, aliases and values that command does.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from . import registry
from .errors import UsageError
from .series import Series


@dataclass(frozen=True)
class ParsedSpec:
    text: str
    words: list[str]
    spec: registry.Spec | None  # None for a framework expression
    series: Series
    groups: list[tuple[str, float]] | None = None  # --groups / --layer-decay, if given

    def all_series(self) -> list[Series]:
        """The series, one per parameter group when the spec names groups."""
        from .groups import apply

        return apply(self.series, self.groups)


def spec_words(text: str) -> list[str]:
    try:
        words = shlex.split(text)
    except ValueError as e:
        raise UsageError(f"cannot split spec '{text}': {e}") from None
    if not words:
        raise UsageError("an empty spec: give a schedule and its options, e.g. "
                         "'cosine --lr-max 0.1'")
    return words


def parse_spec(text: str, steps: str | None = None) -> ParsedSpec:
    """Parse one SPEC; ``steps`` applies when the spec does not set its own."""
    from typer.main import _click

    from . import dialects
    from .cli import build_command, build_dialect_command
    from .compose import evaluate

    words = spec_words(text)
    if words[0] == "recipe":
        from .cli import build_recipe_command

        cmd = build_recipe_command("spec")
    elif words[0] == "log":
        from .cli import build_log_command

        cmd = build_log_command("spec")
    elif dialects.is_dialect(words[0]):
        cmd = build_dialect_command("spec", words[0])
    else:
        cmd = build_command("spec", registry.get(words[0]))
    try:
        ctx = cmd.make_context(f"spec '{text}'", words[1:])
        with ctx:
            raw: dict[str, Any] = cmd.invoke(ctx)
    except _click.exceptions.ClickException as e:
        raise UsageError(f"in spec '{text}': {' '.join(e.format_message().split())}") from None
    except UsageError as e:
        raise UsageError(f"in spec '{text}': {e}") from None
    if words[0] == "log":
        from .logs import log_series

        try:
            return ParsedSpec(text, words, None, log_series(
                raw["file"], raw["column"], raw["step_offset"], step_scale=raw["step_scale"]))
        except UsageError as e:
            raise UsageError(f"in spec '{text}': {e}") from None
    if raw.get("steps") is None and steps is not None:
        raw["steps"] = steps
    from . import groups as _groups

    group_raw, raw = _groups.split(raw)
    try:
        chosen = _groups.resolve(group_raw)
        if words[0] == "recipe":
            from .cli import recipe_series

            return ParsedSpec(text, words, None, recipe_series(raw), chosen)
        if dialects.is_dialect(words[0]):
            return ParsedSpec(text, words, None, dialects.series_from_options(words[0], raw),
                              chosen)
        spec = registry.resolve(registry.get(words[0]), raw)
    except UsageError as e:
        raise UsageError(f"in spec '{text}': {e}") from None
    return ParsedSpec(text=text, words=words, spec=spec, series=evaluate(spec), groups=chosen)
