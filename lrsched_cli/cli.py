"""The app: the top-level Typer group, its error handling, and the table of commands.

Each command lives in a module of ``commands/`` with a ``register(app)``; the app imports a
module only when one of its commands is run, completed or listed (:data:`COMMANDS`), and
``table``, ``plot``, ``export`` and ``code`` build a schedule's command from its registry
entry only when it is used, so start-up pays for neither.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from typing import Any

import typer
from typer.core import TyperGroup

from . import __version__
from .commands.options import quiet_broken_pipe
from .errors import LrschedError

_click = typer.main._click  # the click Typer ships (exceptions, Context)

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


class LrschedGroup(TyperGroup):
    """The top-level group: every failure becomes one line on stderr and an exit code; its
    commands are loaded from their modules on first use (:data:`COMMANDS`)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands.update(load_commands(COMMANDS[cmd_name]))
        return self.commands.get(cmd_name)

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
                quiet_broken_pipe()
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
            quiet_broken_pipe()
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




# The commands, in the order --help lists them: the module of commands/ that declares each
# (its ``register(app)``). A module is imported when one of its commands is run, completed or
# listed, so ``lrsched export ...`` loads only commands/schedule.
COMMANDS: dict[str, str] = {
    "compare": "compare",
    "explore": "explore",
    "simulate": "simulate", "find-lr": "simulate",
    "identify": "identify",
    "recipes": "info", "list": "info", "info": "info",
    "table": "schedule", "plot": "schedule", "export": "schedule", "code": "schedule",
}


def load_commands(module: str) -> dict[str, Any]:
    """The click commands that ``commands/<module>.py`` registers, by name."""
    import importlib

    sub = typer.Typer(rich_markup_mode="rich")
    importlib.import_module(f"{__package__}.commands.{module}").register(sub)
    return dict(typer.main.get_group(sub).commands)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="lrsched")
