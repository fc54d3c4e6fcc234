"""Consoles for terminal output: data to stdout, messages to stderr (DESIGN.md §3)."""

from __future__ import annotations

import os
import sys
from typing import Any


def use_color(stream: Any) -> bool:
    """Colour only on a terminal, never with NO_COLOR set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def stdout_console() -> Any:
    """A rich Console on stdout: colour only on a terminal, width from COLUMNS."""
    from rich.console import Console

    color = use_color(sys.stdout)
    return Console(file=sys.stdout, highlight=False, no_color=not color,
                   color_system="auto" if color else None, soft_wrap=False)
