"""Renderers: each takes a list of :class:`~lrsched_cli.series.Series`."""
