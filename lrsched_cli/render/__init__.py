"""Renderers: each takes a list of :class:`~lrsched_cli.series.Series`."""

FORMATS = ("csv", "json", "jsonl", "npy")  # export formats (here: no numpy to import them)


def data_format(output: str | None, fmt: str | None, default: str | None = None) -> str | None:
    """The data format of ``-o output`` / ``--format fmt`` (DESIGN.md §3).

    ``--format`` wins, but may not contradict a data suffix (``-o x.npy --format csv``);
    without it the suffix decides (.csv, .json, .jsonl, .npy), an unknown suffix is refused,
    and stdout (or a device such as /dev/null) gets ``default``.
    """
    import os

    from ..errors import UsageError

    suffix = None
    if output is not None and output != "-":
        suffix = os.path.splitext(output)[1].lower().lstrip(".")
    if fmt is not None:
        f = fmt.strip().lower()
        if f not in FORMATS:
            raise UsageError(f"invalid value for --format: '{fmt}' (allowed: "
                             f"{', '.join(FORMATS)})")
        if suffix in FORMATS and suffix != f:
            raise UsageError(f"--format {f} contradicts the suffix of '{output}' (.{suffix}): "
                             f"drop --format, or name the file .{f}")
        return f
    if suffix is None:
        return default
    if suffix not in FORMATS and default is not None and _not_a_file(output):
        return default  # /dev/null, a FIFO (or a folder: writing it fails, exit 1)
    if suffix not in FORMATS:
        raise UsageError(f"cannot tell the data format from '{output}': name it .csv, .json, "
                         f".jsonl or .npy, or give --format ({', '.join(FORMATS)})")
    return suffix


def _not_a_file(path: str | None) -> bool:
    """``path`` exists and is not a regular file (a device, a FIFO, a folder)."""
    import os
    import stat

    try:
        return not stat.S_ISREG(os.stat(path).st_mode) if path else False
    except OSError:
        return False
