"""Where output goes: stdout, or a file written atomically (DESIGN.md §3)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

from ..errors import RuntimeFailure, UsageError


def is_stdout(path: str | None) -> bool:
    return path is None or path == "-"


@contextlib.contextmanager
def atomic_file(path: str, binary: bool = False) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it replaces ``path`` at once.

    On any failure the temporary file is removed, so no partial output is ever left.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"output '{path}' is a directory; give a file name")
    if not os.path.isdir(folder):
        raise RuntimeFailure(f"cannot write '{path}': folder '{folder}' does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".lrsched-", suffix=".tmp")
    except OSError as e:
        raise RuntimeFailure(f"cannot write '{path}': {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8",
                       newline=None if binary else "") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise RuntimeFailure(f"cannot write '{path}': {e.strerror or e}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | None, writer: Callable[[IO[str]], None]) -> None:
    """Run ``writer`` on stdout or on an atomically written text file."""
    if is_stdout(path):
        writer(sys.stdout)
        sys.stdout.flush()
        return
    assert path is not None
    with atomic_file(path) as fh:
        writer(fh)


def write_binary(path: str | None, writer: Callable[[IO[bytes]], None],
                 binary_what: str | None = None) -> None:
    """Run ``writer`` on stdout's byte stream or an atomically written file.

    ``binary_what`` names output that is not text (npy): refused on a terminal.
    """
    if is_stdout(path):
        if binary_what and sys.stdout.isatty():
            raise UsageError(f"{binary_what} is binary: give -o FILE or redirect stdout")
        sys.stdout.flush()
        buf = getattr(sys.stdout, "buffer", None)
        if buf is None:
            raise UsageError("this output needs a binary stdout: give -o FILE")
        writer(buf)
        buf.flush()
        return
    assert path is not None
    with atomic_file(path, binary=True) as fh:
        writer(fh)
