"""The console entry point: quiet on Ctrl-C and SIGTERM from its first instruction.

It imports nothing heavy before the signal handlers are in place, so an interrupt while
Typer, rich or numpy are still loading exits 130 without a traceback, as one later does.
SIGTERM unwinds like Ctrl-C (exit 143), so a file being written atomically is removed.
"""

import signal
import sys


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: atomic_file removes its temporary file


def main() -> None:
    """``lrsched``."""
    try:
        signal.signal(signal.SIGTERM, _terminate)
        from .cli import main as run

        run()
    except KeyboardInterrupt:
        sys.exit(130)
