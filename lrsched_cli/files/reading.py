"""Reading user input files with bounds: a size bound, a line-length bound, no NUL in text.

Every file lrsched reads (logs, metrics, spec files) and its stdin go through
:func:`read_input`, so that no input, not even ``/dev/zero``, ``/dev/urandom`` or a symlink
to them, can make it read without end: a regular file larger than the bound is refused
before it is read; a stream (stdin, a device, a FIFO) is read in chunks and cut off as soon
as it breaks a bound. Refusals are usage errors (exit 2) that name the limit.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Callable
from typing import Any

from ..errors import LrschedError, UsageError

MAX_INPUT_BYTES = 256 * 2**20  # 256 MiB: a 10-million-line metrics or log file is ~150 MB
MAX_LINE_BYTES = 2**20  # 1 MiB: no log line, metric or spec line is near that
_CHUNK = 1 << 20


def _mb(n: int) -> str:
    return f"{n / 2**20:g} MiB"


def read_input(path: str, what: str, text: bool | None = True,
               is_binary: Callable[[bytes], bool] | None = None) -> bytes:
    """The bytes of ``path`` (``-``: stdin), at most MAX_INPUT_BYTES.

    ``text``: the content must be text (no NUL byte, lines of at most MAX_LINE_BYTES, UTF-8);
    None: text unless ``is_binary`` says its first bytes are a binary format (an .npy
    array, a TensorBoard event file).
    """
    where = "from stdin" if path == "-" else f"'{path}'"
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise UsageError(f"cannot read {what} from stdin: stdin is closed")
        return _read_stream(stream, what, where, text, is_binary)
    try:
        st = os.stat(path)  # follows symlinks: a link to /dev/zero is a device
    except FileNotFoundError:
        raise UsageError(f"{what} {where} does not exist") from None
    except OSError as e:
        raise UsageError(f"cannot read {what} {where}: {e.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{what} {where} is a folder; give a file")
    if stat.S_ISREG(st.st_mode) and st.st_size > MAX_INPUT_BYTES:
        raise UsageError(f"{what} {where} is {_mb(st.st_size)}; lrsched reads at most "
                         f"{_mb(MAX_INPUT_BYTES)} of input")
    try:
        with open(path, "rb") as fh:
            return _read_stream(fh, what, where, text, is_binary)
    except OSError as e:
        raise LrschedError(f"cannot read {what} {where}: {e.strerror}") from None


def _read_stream(fh: Any, what: str, where: str, text: bool | None,
                 is_binary: Callable[[bytes], bool] | None) -> bytes:
    parts: list[bytes] = []
    total = 0
    line = 0  # bytes since the last newline
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            break
        if first:
            first = False
            if text is None:
                text = not (is_binary is not None and is_binary(chunk))
        total += len(chunk)
        if total > MAX_INPUT_BYTES:
            raise UsageError(f"{what} {where} is larger than {_mb(MAX_INPUT_BYTES)} (a device "
                             "or stream that does not end?); lrsched reads at most "
                             f"{_mb(MAX_INPUT_BYTES)} of input")
        if text:
            if b"\0" in chunk:
                raise UsageError(f"{what} {where} is not text: it holds NUL bytes")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                raise UsageError(f"{what} {where} is not UTF-8 text") from None
            segs = chunk.split(b"\n")
            longest = line + len(segs[0])  # the line the last chunk left open, continued
            if len(segs) > 1:
                longest = max(longest, *(len(x) for x in segs[1:]))
                line = len(segs[-1])
            else:
                line = longest
            if longest > MAX_LINE_BYTES:
                raise UsageError(f"{what} {where} has a line longer than "
                                 f"{_mb(MAX_LINE_BYTES)}; lines may be at most that long")
        parts.append(chunk)
    return b"".join(parts)
