"""A progress bar on stderr for long exports and plots (rich), only where a person sees it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

PROGRESS_ABOVE = 2_000_000  # rows; below this a run takes about a second


def wanted(total: int, quiet: bool) -> bool:
    """On a terminal stderr, for big runs, unless --quiet."""
    isatty = getattr(sys.stderr, "isatty", None)
    return not quiet and total >= PROGRESS_ABOVE and bool(isatty and isatty())


@contextmanager
def progress(total: int, what: str, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """``advance(rows)`` for a bar of ``total`` rows on stderr (a no-op when not wanted)."""
    if not wanted(total, quiet):
        yield lambda rows: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda rows: bar.advance(task, rows)
