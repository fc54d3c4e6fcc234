"""Big schedules plot as per-pixel min/max envelopes that look like the full line."""

from __future__ import annotations

import numpy as np
import pytest

from lrsched_cli.render.figure import envelope, save_figure
from lrsched_cli.schedules import registry
from lrsched_cli.schedules.compose import evaluate


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


def _labels(fig):
    fig.canvas.draw()
    ax = fig.axes[0]
    return ([t.get_text() for t in ax.get_xticklabels()],
            [t.get_text() for t in ax.get_yticklabels()],
            ax.xaxis.get_offset_text().get_text() + ax.yaxis.get_offset_text().get_text())


def test_ticks_are_written_out_not_offset():
    """Issue 14.16: y ticks were an offset (x10^-4) and x ticks 1e7 as an offset."""
    from lrsched_cli.render.figure import build_figure

    s = evaluate(registry.resolve("cosine", {"lr_max": 3e-4, "steps": 10_000_000}))
    x, y, offset = _labels(build_figure([s], quiet=True))
    assert offset == ""
    assert "10M" in x and "2M" in x
    assert "3e-4" in y and "1e-4" in y and all("×" not in t for t in y)
    assert "steps=10_000_000" in build_figure([s], quiet=True).axes[0].get_title(loc="left")


def test_log_axis_is_cut_to_the_decades_that_hold_the_curves():
    from lrsched_cli.render.figure import build_figure

    s = evaluate(registry.resolve("cosine", {"lr_max": 3e-4, "lr_min": 0, "steps": 200_000}))
    ax = build_figure([s], log_y=True, quiet=True).axes[0]
    assert ax.get_ylim()[0] >= 1e-7  # not stretched to the 1e-14 the last step reaches
    assert "cut at" in ax.get_xlabel()
    full = evaluate(registry.resolve("cosine", {"lr_max": 3e-4, "steps": 1000}))
    ax = build_figure([full], log_y=True, quiet=True).axes[0]
    assert "cut" not in ax.get_xlabel()  # nothing below the floor: nothing cut, no note


def test_legend_labels_uncut_and_group_compare_title(run, tmp_path):
    from lrsched_cli.render import figure

    seen = {}
    real = figure.build_figure

    def spy(series, *a, **k):
        seen["fig"] = real(series, *a, **k)
        return seen["fig"]

    long_a = "one-cycle --max-lr 3e-4 --pct-start 0.25 --anneal-strategy linear"
    import unittest.mock

    with unittest.mock.patch.object(figure, "build_figure", spy):
        r = run("compare", long_a, "cosine --groups a=1,b=0.5", "--plot",
                str(tmp_path / "c.png"), "--steps", "100")
    assert r.exit_code == 0, r.stderr
    texts = [t.get_text() for t in seen["fig"].legends[0].get_texts()]
    assert long_a in texts  # the terminal cuts it to 32 characters; the plot has room
    assert seen["fig"].axes[0].get_title(loc="left").startswith(
        "2 learning-rate schedules compared (3 curves with their parameter groups)")
    with unittest.mock.patch.object(figure, "build_figure", spy):  # was: the first's title
        run("compare", "cosine --groups a=1,b=0.5", "step --groups a=1,b=0.5", "--plot",
            str(tmp_path / "c.png"), "--steps", "100")
    assert seen["fig"].axes[0].get_title(loc="left").startswith(
        "2 learning-rate schedules compared (4 curves with their parameter groups)")


def test_plot_to_stdout(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "lrsched_cli", "plot", "cosine", "-o", "-"],
                       capture_output=True, timeout=60)
    assert r.returncode == 0 and r.stdout[:8] == b"\x89PNG\r\n\x1a\n" and r.stderr == b""
