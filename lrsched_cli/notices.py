"""Notes for stderr ("using column 'lr'", "wrote x.png"), held until the command succeeds.

A failure must leave exactly one line on stderr, its error (DESIGN.md §3): a note made on
the way to it would be a second. The app writes the notes once the command has succeeded,
and drops them when it fails. No Typer, rich or numpy here.
"""

from __future__ import annotations

import sys

_PENDING: list[str] = []


def note(text: str) -> None:
    """Say ``text`` on stderr once the command has succeeded."""
    _PENDING.append(text)


def flush() -> None:
    """Write the notes held (the command succeeded)."""
    while _PENDING:
        sys.stderr.write(_PENDING.pop(0) + "\n")
    sys.stderr.flush()


def discard() -> None:
    """Drop the notes held (the command failed: its error is the one line)."""
    _PENDING.clear()
