"""Where output goes: stdout, or a file (DESIGN.md §3, and the guarantees in the README).

A regular file is written to a temporary file in its folder and renamed over the target
only when complete: a failed or interrupted run leaves the old file untouched and no
temporary file behind. A target that is not a regular file (``/dev/null``, ``/dev/full``,
a FIFO) is written directly and never replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

from ..errors import RuntimeFailure, UsageError


def is_stdout(path: str | None) -> bool:
    return path is None or path == "-"


def _why(e: OSError) -> str:
    return e.strerror or str(e) or type(e).__name__


@contextlib.contextmanager
def output_file(path: str, binary: bool = False) -> Iterator[IO]:
    """Open ``path`` for writing as described in the module docstring."""
    try:
        st: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise RuntimeFailure(f"cannot write '{path}': {_why(e)}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise RuntimeFailure(f"cannot write '{path}': it is a directory; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):  # a device or FIFO: write through
        try:
            with open(path, "wb" if binary else "w", **({} if binary else
                                                        {"encoding": "utf-8"})) as fh:
                yield fh
        except OSError as e:
            raise RuntimeFailure(f"cannot write '{path}': {_why(e)}") from None
        return
    with atomic_file(path, binary) as fh:
        yield fh


@contextlib.contextmanager
def atomic_file(path: str, binary: bool = False) -> Iterator[IO]:
    """A temporary file beside ``path``; on success it replaces ``path`` at once.

    On any failure (an error, an interrupt, SIGTERM) the temporary file is removed. A
    symlink is written through (its target is replaced; the link stays); a file that exists
    keeps its permission bits and, where the process may set them, its owner and group. A
    hard link is not kept: the other names still show the old content.
    """
    path = os.path.realpath(path) if os.path.islink(path) else path
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise RuntimeFailure(f"cannot write '{path}': it is a directory; give a file name")
    if not os.path.isdir(folder):
        raise RuntimeFailure(f"cannot write '{path}': folder '{folder}' does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".lrsched-", suffix=".tmp")
    except OSError as e:
        raise RuntimeFailure(f"cannot write '{path}': {_why(e)}") from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8",
                       newline=None if binary else "") as fh:
            yield fh
        _keep_attributes(tmp, path)
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise RuntimeFailure(f"cannot write '{path}': {_why(e)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _keep_attributes(tmp: str, path: str) -> None:
    """Give ``tmp`` the mode (and owner) of the file it replaces, or a new file's mode."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    os.chmod(tmp, stat.S_IMODE(st.st_mode))
    with contextlib.suppress(OSError):  # only root (or the owner, for the group) may
        os.chown(tmp, st.st_uid, st.st_gid)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_binary(path: str | None, writer: Callable[[IO[bytes]], None],
                 binary_what: str | None = None) -> None:
    """Run ``writer`` on stdout's byte stream or on ``path``.

    ``binary_what`` names output that is not text (npy): refused on a terminal.
    """
    if not is_stdout(path):
        assert path is not None
        with output_file(path, binary=True) as fh:
            writer(fh)
        return
    if binary_what and sys.stdout.isatty():
        raise UsageError(f"{binary_what} is binary: give -o FILE or redirect stdout")
    buf = getattr(sys.stdout, "buffer", None)
    if buf is None:
        raise UsageError("this output needs a binary stdout: give -o FILE")
    try:
        sys.stdout.flush()
        writer(buf)
        buf.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        if e.errno == errno.EPIPE:
            raise BrokenPipeError(e.errno, e.strerror) from None
        raise RuntimeFailure(f"cannot write to stdout: {_why(e)}") from None
