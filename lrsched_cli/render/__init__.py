"""Renderers: each takes a list of :class:`~lrsched_cli.series.Series`."""

FORMATS = ("csv", "json", "jsonl", "npy")  # export formats (here: no numpy to import them)
