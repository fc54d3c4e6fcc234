"""SPEC strings: the words that would follow ``lrsched plot``, quoted as one argument.

``"cosine --lr-max 0.1"`` is read against the options ``lrsched plot cosine`` declares
(:mod:`lrsched_cli.sources.words`, which the command's Typer options are built from), so a spec
accepts exactly the options, aliases and values that command does, and no command module
is imported to read it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from ..errors import UsageError
from ..schedules import registry
from ..series import Series


@dataclass(frozen=True)
class ParsedSpec:
    text: str
    words: list[str]
    spec: registry.Spec | None  # None for a framework expression
    series: Series
    groups: list[tuple[str, float]] | None = None  # --groups / --layer-decay, if given
    members: list[Series] | None = None  # a config's parameter groups (series is the first)

    def all_series(self) -> list[Series]:
        """The series, one per parameter group when the spec names groups (or its config's
        trainer has several)."""
        if self.members is not None:
            return self.members
        from ..schedules.groups import apply

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
    """Parse one SPEC; ``steps`` applies when the spec does not set its own. The words are
    read against the options the word's command declares (:mod:`lrsched_cli.sources.words`)."""
    from ..schedules import groups as _groups
    from . import words as _words

    words = spec_words(text)
    try:
        word, raw = _words.parse_words(words)
        if word == "log":
            return ParsedSpec(text, words, None, _words.series_of(word, raw))
        if word == "config":
            members = _words.series_of(word, raw)
            return ParsedSpec(text, words, None, members[0], members=members)
        if raw.get("steps") is None and steps is not None:
            raw["steps"] = steps
        group_raw, raw = _groups.split(raw)
        chosen = _groups.resolve(group_raw)
        spec = None
        if word not in ("recipe", *_words.DIALECTS):
            spec = registry.resolve(registry.get(word), raw)
            from ..schedules.compose import evaluate

            series = evaluate(spec)
        else:
            series = _words.series_of(word, raw)
    except UsageError as e:
        raise UsageError(f"in spec '{text}': {e}") from None
    return ParsedSpec(text=text, words=words, spec=spec, series=series, groups=chosen)
