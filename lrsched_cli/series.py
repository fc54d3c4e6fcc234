"""The one shape every renderer takes: a labelled series of (steps, values).

A series either holds its arrays, or computes them on demand from a ``source`` (the
values of output rows ``[a, b)``), so that export can stream a billion steps in chunks
and only what needs every value at once (a table's summary, a chart) holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from .errors import UsageError

CHUNK = 1 << 16  # rows per chunk when streaming
MAX_IN_MEMORY = 50_000_000  # values held at once (400 MB of float64)


class Series:
    """A labelled learning-rate series.

    ``steps`` are the indices the values belong to (``start..stop-1`` for a schedule, the
    logged steps for a run), ``values`` the learning rates, float64. ``name`` and
    ``params`` describe where the series came from (for titles and JSON).
    """

    def __init__(self, label: str, steps: np.ndarray | None = None,
                 values: np.ndarray | None = None, name: str = "",
                 params: dict[str, Any] | None = None, unit: str = "step",
                 total_steps: int | None = None, *,
                 source: Callable[[int, int], np.ndarray] | None = None, start: int = 0,
                 stop: int | None = None) -> None:
        self.label = label
        self._long_label: str | None = None
        self.name = name
        self.params = params if params is not None else {}
        self.unit = unit
        self.total_steps = total_steps
        self.source = source
        self._steps = steps
        self._values = values
        if values is not None:
            self.start = int(steps[0]) if steps is not None and len(steps) else start
            self.stop = self.start + len(values) if stop is None else stop
        else:
            assert source is not None and stop is not None
            self.start, self.stop = start, stop

    @property
    def long_label(self) -> str:
        """The label uncut, where a plot's legend has room for it (compare cuts labels to
        fit a terminal)."""
        return self._long_label or self.label

    @long_label.setter
    def long_label(self, text: str) -> None:
        self._long_label = text

    @property
    def is_log(self) -> bool:
        """A training run's logged rates (``log FILE``), not a computed schedule."""
        return self.name == "log"

    @property
    def float32(self) -> bool:
        """The values were stored in float32 (a TensorBoard or Keras log)."""
        return bool(self.params.get("float32", False))

    def __len__(self) -> int:
        return int(self._values.shape[0]) if self._values is not None else self.stop - self.start

    @property
    def contiguous(self) -> bool:
        """Steps are start, start+1, ..., stop-1."""
        s = self._steps
        if s is None:
            return True
        return len(s) == 0 or (int(s[-1]) - int(s[0]) == len(s) - 1
                               and bool(np.all(np.diff(s) == 1)))

    def _check_size(self) -> None:
        n = self.stop - self.start
        if n > MAX_IN_MEMORY:
            raise UsageError(
                f"'{self.label}' has {n:,} steps: showing them needs all values in memory "
                f"({n * 8 / 1e9:.1f} GB); export streams any length (lrsched export ...), "
                f"or use fewer --steps (at most {MAX_IN_MEMORY:,} here)")

    def check_viewable(self) -> None:
        """The terminal views read every value (streamed): refuse what would take minutes."""
        n = self.stop - self.start
        if n > MAX_IN_MEMORY:
            raise UsageError(
                f"'{self.label}' has {n:,} steps: the terminal views read every one of them "
                f"({n * 8 / 1e9:.1f} GB of values), at most {MAX_IN_MEMORY:,} here; export "
                "streams any length (lrsched export ...), or use fewer --steps")

    @property
    def steps(self) -> np.ndarray:
        if self._steps is None:
            self._check_size()
            self._steps = np.arange(self.start, self.stop, dtype=np.int64)
        return self._steps

    @property
    def values(self) -> np.ndarray:
        """All values at once (computed on first use; refused beyond MAX_IN_MEMORY)."""
        if self._values is None:
            self._check_size()
            assert self.source is not None
            self._values = np.asarray(self.source(self.start, self.stop), dtype=np.float64)
        return self._values

    @property
    def last_step(self) -> int:
        """The last step (without materialising the steps of a computed series)."""
        return self.stop - 1 if self._steps is None else int(self._steps[-1])

    def window(self, a: int, b: int) -> Series:
        """The rows of steps ``a..b-1`` of a contiguous series, computed on demand (a view
        that shares this series' source)."""
        assert self.contiguous
        a, b = max(a, self.start), min(b, self.stop)
        if self._values is not None or self.source is None:
            i, j = a - self.start, max(a, b) - self.start
            return Series(self.label, self.steps[i:j], self.values[i:j], self.name,
                          self.params, self.unit, self.total_steps, start=a)
        return Series(self.label, name=self.name, params=self.params, unit=self.unit,
                      total_steps=self.total_steps, source=self.source, start=a,
                      stop=max(a, b))

    def values_at(self, steps: np.ndarray) -> np.ndarray:
        """The values at ``steps`` (sorted; each one a step of this series), computing only
        the chunks that hold one of them."""
        steps = np.asarray(steps, dtype=np.int64)
        if self._values is not None or self.source is None:
            if self.contiguous:
                return self.values[steps - self.start]
            return self.values[np.searchsorted(self.steps, steps)]
        out = np.empty(len(steps), dtype=np.float64)
        chunk = (steps - self.start) // CHUNK
        cuts = np.flatnonzero(np.diff(chunk)) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(steps)]):
            a = int(steps[lo])
            b = int(steps[hi - 1]) + 1
            out[lo:hi] = np.asarray(self.source(a, b), dtype=np.float64)[steps[lo:hi] - a]
        return out

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(steps, values) in consecutive pieces of at most ``size`` rows."""
        if self._values is not None or self.source is None:
            steps, values = self.steps, self.values
            for a in range(0, len(values), size):
                yield steps[a:a + size], values[a:a + size]
            return
        for a in range(self.start, self.stop, size):
            b = min(self.stop, a + size)
            yield np.arange(a, b, dtype=np.int64), np.asarray(self.source(a, b),
                                                               dtype=np.float64)


def held(values_of: Callable[[int, int], np.ndarray], a: int, b: int, k: int) -> np.ndarray:
    """Rows ``a..b-1`` of a schedule stepped once an epoch of ``k`` rows (PyTorch's per-epoch
    scheduler in a per-step loop): row r holds the value of epoch ``r // k``.
    ``values_of(e0, e1)`` gives epochs ``e0..e1-1``; the cost is that of the rows asked for
    (no epoch is repeated in memory)."""
    e0, e1 = a // k, (b - 1) // k + 1
    return np.asarray(values_of(e0, e1), dtype=np.float64)[np.arange(a, b) // k - e0]


def aligned(series: Sequence[Series]) -> bool:
    """All series are contiguous over the same steps (their chunks line up)."""
    first = series[0]
    return all(s.contiguous and s.start == first.start and len(s) == len(first)
               for s in series)


def lockstep(series: Sequence[Series], size: int = CHUNK,
             advance: Callable[[int], None] = lambda rows: None,
             ) -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
    """Chunks of aligned series together: (steps, [values of each series]). Series that
    share a computation (parameter groups) then compute each chunk once."""
    for parts in zip(*(s.chunks(size) for s in series)):
        yield parts[0][0], [v for _, v in parts]
        advance(len(parts[0][0]))
