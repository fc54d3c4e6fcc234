"""``lrsched explore``: a full-screen app to change a schedule's options and see its curve
and numbers move (Textual, the optional extra ``lrsched-cli[explore]``).

The app (render/explore) never reads a spec: this module gives it ``reparse(word, raw)``,
which reads a spec's options exactly as ``compare`` does (:func:`sources.specs.parse_spec`,
so the same parsing, bounds and messages), and the labels compare gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from ..errors import RuntimeFailure, UsageError

MISSING = 'lrsched explore needs textual: pip install "lrsched-cli[explore]"'
MAX_SPECS = 8


def _options(word: str) -> list[Any]:
    """The word's options as the app lists them (name, flag, help, kind, default)."""
    from ..render.explore.model import Option
    from ..sources.words import options

    out = []
    for o in options(word):
        kind = o.kind if o.kind in ("flag", "multi", "positional") else "value"
        flag = o.flags[0] if o.flags else ""
        out.append(Option(o.name, flag, o.help, kind, getattr(o, "default", None)))
    return out


def reparse_with(steps: str | None):
    """``reparse(word, raw) -> list[Series]``: one spec read as the command line reads it;
    a refused value raises UsageError with the command line's message."""
    import shlex

    from ..render.explore.model import Explored
    from ..sources.specs import parse_spec

    def reparse(word: str, raw: dict[str, Any]) -> list[Any]:
        text = shlex.join(Explored(word, raw, _options(word), []).words())
        try:
            return parse_spec(text, steps).all_series()
        except UsageError as e:
            message = str(e)
            prefix = f"in spec '{text}': "
            raise UsageError(message[len(prefix):] if message.startswith(prefix)
                             else message) from None

    return reparse


def build_model(texts: Sequence[str], steps: str | None = None,
                labels: Sequence[str] | None = None) -> Any:
    """The app's model of ``texts`` (each spec read once, failures as on the command
    line)."""
    from ..render.explore.model import Explored, Model
    from ..sources.specs import parse_spec, spec_words
    from ..sources.words import parse_words
    from .compare import choose_labels

    if not 1 <= len(texts) <= MAX_SPECS:
        raise UsageError(f"explore takes 1 to {MAX_SPECS} specs; {len(texts)} given")
    given = list(labels or [])
    specs = []
    for text in texts:
        parsed = parse_spec(text, steps)  # the command line's errors, with the spec named
        word, raw = parse_words(spec_words(text))
        specs.append(Explored(word, raw, _options(word), parsed.all_series(),
                              editable=word != "log"))
    return Model(specs, reparse_with(steps), lambda t: choose_labels(t, given))


def build_app(texts: Sequence[str], steps: str | None = None,
              labels: Sequence[str] | None = None) -> Any:
    try:
        import textual  # noqa: F401
    except ImportError:
        raise RuntimeFailure(MISSING) from None
    from ..render.explore.app import ExploreApp

    return ExploreApp(build_model(texts, steps, labels))


def finish(app: Any, save_spec: str | None, steps: str | None = None) -> None:
    """After the app: print the command lines of what the user ended with, and save the
    specs (--save-spec) as compare would."""
    import sys

    lines = app.return_value
    if lines is None:  # (interrupted)
        return
    for line in lines:
        sys.stdout.write(line + "\n")
    if save_spec:
        from .compare import _save

        specs = app.model.specs
        _save(save_spec, [sp.text() for sp in specs], [sp.label for sp in specs], steps)
        from ..notices import note

        note(f"wrote {save_spec}")


def register(app: typer.Typer) -> None:
    """Add ``lrsched explore`` to ``app``."""

    @app.command("explore", epilog='Example: lrsched explore "cosine --warmup 5%" one-cycle')
    def explore_cmd(
        specs: list[str] = typer.Argument(
            None, metavar="SPEC...", show_default=False,
            help="1 to 8 schedules, each the words that would follow 'lrsched plot', quoted as "
                 "one argument: \"cosine --lr-max 0.1\" (a log FILE is drawn, not edited)"),
        steps: str = typer.Option(None, "--steps", "--epochs", metavar="STEPS",
                                  help="Steps for every spec that does not set its own"),
        label: list[str] = typer.Option(None, "--label", metavar="NAME",
                                        help="Label of a spec, in order (repeat the option)"),
        spec_file: str = typer.Option(None, "--spec", metavar="FILE",
                                      help="Schedules from a .toml, .json or .yaml file, "
                                           "before any SPEC given"),
        save_spec: str = typer.Option(None, "--save-spec", metavar="FILE",
                                      help="On leaving, save the schedules to a .toml, .json "
                                           "or .yaml file"),
    ) -> None:
        """Explore schedules in a full-screen app: change any option, see the curve move;
        on leaving, print the command lines (needs lrsched-cli\\[explore])."""
        texts = list(specs or [])
        labels = list(label or [])
        if spec_file:
            from ..sources import specfile

            file_texts, file_labels = specfile.spec_texts(spec_file)
            texts = file_texts + texts
            if not labels and all(file_labels):
                labels = [x for x in file_labels if x is not None]
        if save_spec:
            from ..sources.specfile import check_path

            check_path(save_spec)
        ui = build_app(texts, steps, labels)
        ui.run()
        finish(ui, save_spec, steps)
