"""Big schedules plot as per-pixel min/max envelopes that look like the full line."""

from __future__ import annotations

import numpy as np
import pytest

from lrsched_cli import registry
from lrsched_cli.compose import evaluate
from lrsched_cli.render.figure import envelope, save_figure


def _pixels(path) -> np.ndarray:
    from matplotlib.image import imread

    return imread(str(path))[..., :3]


@pytest.mark.parametrize("name, kw", [
    ("sgdr", {"t0": 5_000, "t_mult": 2, "steps": 300_000}),
    ("cyclic", {"step_size": 700, "mode": "triangular2", "steps": 200_000}),
    ("cyclic", {"step_size": 97, "steps": 200_000}),  # many cycles per pixel: a solid band
])
def test_reduced_plot_matches_full_resolution(tmp_path, name, kw):
    s = evaluate(registry.resolve(name, kw))
    full, reduced = tmp_path / "full.png", tmp_path / "reduced.png"
    save_figure([s], str(full), dpi=60, reduce=False, title="t")
    save_figure([s], str(reduced), dpi=60, reduce=True, title="t")
    a, b = _pixels(full), _pixels(reduced)
    assert a.shape == b.shape
    differ = np.any(np.abs(a - b) > 0.25, axis=-1).mean()
    assert differ < 0.005, f"{differ:.2%} of pixels differ"


def test_envelope_keeps_spikes_that_striding_loses():
    # a spike one step wide in each of 1000 columns: striding would miss nearly all
    n = 1_000_000
    values = np.zeros(n)
    values[np.arange(0, n, 1000) + 537] = 1.0
    from lrsched_cli.series import Series

    s = Series("spikes", steps=np.arange(n), values=values)
    x, y = envelope(s, 1000)
    assert len(x) == 2000 and y.max() == 1.0
    assert np.count_nonzero(y == 1.0) == 1000  # every column keeps its spike
    assert values[::1000].max() == 0.0  # what naive striding would have shown


def test_envelope_is_streamed_in_chunks():
    s = evaluate(registry.resolve("cosine", {"steps": 3_000_000}))
    x, y = envelope(s, 500)
    assert s._values is None  # never held whole
    assert y.max() == pytest.approx(0.1) and y.min() == pytest.approx(0.001, rel=1e-3)
