"""The two kinds of failure lrsched reports, with their exit codes (DESIGN.md §3)."""

from __future__ import annotations


class LrschedError(Exception):
    """Base class: the message is one line, shown as ``lrsched: error: <message>``."""

    exit_code = 1


class UsageError(LrschedError, ValueError):
    """Bad input from the user: unknown name, bad value, malformed file (exit code 2)."""

    exit_code = 2


class RuntimeFailure(LrschedError, OSError):
    """The input was fine but the work failed, e.g. an output file cannot be written."""

    exit_code = 1
