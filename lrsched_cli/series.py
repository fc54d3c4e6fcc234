"""The one shape every renderer takes: a labelled series of (steps, values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Series:
    """A labelled learning-rate series.

    ``steps`` are the indices the values belong to (0..N-1 for a schedule, the logged
    steps for a run), ``values`` the learning rates, float64. ``name`` and ``params``
    describe where the series came from (for titles and JSON).
    """

    label: str
    steps: np.ndarray
    values: np.ndarray
    name: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    unit: str = "step"
    total_steps: int | None = None  # N of the schedule (before --start)

    def __len__(self) -> int:
        return int(self.values.shape[0])
