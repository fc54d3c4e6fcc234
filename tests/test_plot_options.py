"""Figures for a paper or a slide (issue 18.6) and sparklines (issue 18.7).

--size/--dpi give the pixels asked for, SVG keeps its text as text, JPG and WebP are what
they say, --style, --x-unit, --normalize and compare --grid do what they say on the
figure's own Line2D data, bad values are refused in one line; ``table --spark`` and the
``shape`` of compare's table map a series' min and max to ▁ and █ and keep it monotone.
"""

from __future__ import annotations

import re
import struct
import unittest.mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrsched_cli.errors import RuntimeFailure, UsageError
from lrsched_cli.render import figure, look
from lrsched_cli.render.figure import build_figure
from lrsched_cli.render.look import Look
from lrsched_cli.render.spark import BLOCKS, levels, spark_lines, spark_text
from lrsched_cli.schedules import registry
from lrsched_cli.schedules.compose import evaluate
from lrsched_cli.series import Series


def png_size(path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def spy_figure(run, *args):
    """Run the CLI and return (result, the Figure build_figure made)."""
    seen = {}
    real = figure.build_figure

    def spy(series, *a, **k):
        seen["fig"] = real(series, *a, **k)
        return seen["fig"]

    with unittest.mock.patch.object(figure, "build_figure", spy):
        r = run(*args)
    return r, seen.get("fig")


def curves(fig) -> list:
    return [ln for ax in fig.axes for ln in ax.get_lines()]


# ------------------------------------------------------------------ size, dpi, formats

@pytest.mark.parametrize("size, dpi, pixels", [("6x3.5", 100, (600, 350)),
                                               ("3.5x2.5", 300, (1050, 750)),
                                               ("16x9cm", 254, (1600, 900))])
def test_png_pixels_are_size_times_dpi(run, tmp_path, size, dpi, pixels):
    out = tmp_path / "a.png"
    r = run("plot", "cosine", "--size", size, "--dpi", str(dpi), "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert png_size(out) == pixels


def test_recipe_keeps_its_size_and_the_figure_takes_figsize(run, tmp_path, monkeypatch):
    out = tmp_path / "r.png"
    r = run("plot", "recipe", "llama2", "--size", "7b", "--figsize", "4x3", "--dpi", "50", "-o",
            str(out))
    assert r.exit_code == 0, r.stderr
    assert png_size(out) == (200, 150)
    r = run("plot", "cosine", "--figsize", "4x3", "--dpi", "50", "-o", str(out))
    assert png_size(out) == (200, 150)
    monkeypatch.setenv("COLUMNS", "200")
    help_text = run("plot", "recipe", "llama2", "--help").stdout
    assert "--size is the recipe's own here" in help_text


def test_compare_plot_takes_size_and_dpi(run, tmp_path):
    out = tmp_path / "c.png"
    r = run("compare", "cosine", "one-cycle", "--plot", str(out), "--size", "5x3", "--dpi",
            "120", "-f", "csv", "-o", str(tmp_path / "c.csv"))
    assert r.exit_code == 0, r.stderr
    assert png_size(out) == (600, 360)
    r = run("compare", "cosine", "one-cycle", "wsd", "--plot", str(out), "--grid", "--size",
            "4x6", "--dpi", "50", "-f", "csv", "-o", str(tmp_path / "c.csv"))
    assert png_size(out) == (200, 300)  # the grid keeps the size asked for


def test_svg_keeps_text_as_text(run, tmp_path):
    out = tmp_path / "a.svg"
    r = run("plot", "cosine", "--title", "Warmup then cosine, 3e-4", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    svg = out.read_text()
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)
    assert "Warmup then cosine, 3e-4" in texts  # a <text> element, not glyph paths
    assert "learning rate" in texts and "step" in texts
    assert "<path" not in svg.split("Warmup then cosine")[0].rsplit("<text", 1)[-1]


def test_svg_and_pdf_are_the_same_file_when_made_twice(run, tmp_path):
    for suffix in ("svg", "pdf"):
        a, b = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
        run("plot", "sgdr", "--style", "dark", "-o", str(a))
        run("plot", "sgdr", "--style", "dark", "-o", str(b))
        assert a.read_bytes() == b.read_bytes(), suffix


def test_pdf_embeds_truetype_not_type3(run, tmp_path):
    out = tmp_path / "a.pdf"
    r = run("plot", "cosine", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    pdf = out.read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf  # venues refuse Type 3 fonts


@pytest.mark.parametrize("suffix, magic", [("jpg", b"\xff\xd8\xff"), ("jpeg", b"\xff\xd8\xff"),
                                           ("webp", b"RIFF")])
def test_jpg_and_webp_by_suffix(run, tmp_path, suffix, magic):
    out = tmp_path / f"a.{suffix}"
    r = run("plot", "cosine", "--size", "4x3", "--dpi", "50", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    data = out.read_bytes()
    assert data.startswith(magic)
    if suffix == "webp":
        assert data[8:12] == b"WEBP"
    from PIL import Image

    with Image.open(out) as im:
        assert im.size == (200, 150)


def test_pillow_missing_is_said(monkeypatch):
    import sys

    import PIL

    monkeypatch.delattr(PIL, "features", raising=False)
    monkeypatch.setitem(sys.modules, "PIL.features", None)
    with pytest.raises(RuntimeFailure, match="needs Pillow, which matplotlib normally installs"):
        look.figure_format("a.jpg")
    assert look.figure_format("a.png") == "png"  # what needs no Pillow still works


# ------------------------------------------------------------------ style

def test_dark_style_and_matplotlib_styles(run, tmp_path):
    out = tmp_path / "d.png"
    r, fig = spy_figure(run, "plot", "cosine", "--style", "dark", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    from matplotlib.image import imread

    corner = imread(str(out))[2, 2, :3]
    assert corner.max() < 0.15  # a dark ground, saved as such
    assert curves(fig)[0].get_color() == look.DARK_COLORS[0]  # a light line on it
    r, fig = spy_figure(run, "plot", "cosine", "--style", "GGPLOT", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert fig.axes[0].get_facecolor()[:3] == pytest.approx((0.898, 0.898, 0.898), abs=0.01)
    import matplotlib

    assert matplotlib.rcParams["axes.facecolor"] == "white"  # the style did not leak


def test_style_completion_needs_no_matplotlib_import():
    from lrsched_cli.commands.options import style_names

    names = style_names()
    assert names[:2] == ["default", "dark"] and "ggplot" in names
    assert not any(n.startswith("_") for n in names)
    assert style_names("seaborn-v0_8-p") == ["seaborn-v0_8-paper", "seaborn-v0_8-pastel",
                                             "seaborn-v0_8-poster"]


@pytest.mark.parametrize("words, expected", [
    ("lrsched plot cosine --st", ["--style", "--steps"]),
    ("lrsched plot cosine --style da", ["dark", "dark_background"]),
    ("lrsched plot cosine --x-unit ", ["step", "epoch", "token"]),
    ("lrsched compare --style seaborn-v0_8-p", ["seaborn-v0_8-paper", "seaborn-v0_8-poster"]),
    ("lrsched compare --gr", ["--grid"]),
    ("lrsched table cosine --sp", ["--spark"]),
    ("lrsched plot recipe llama2 --fig", ["--figsize"]),
])
def test_bash_completes_the_new_options(words, expected):
    from tests.test_shell import _bash

    offered = _bash(words)
    assert set(expected) <= set(offered), offered


# ------------------------------------------------------------------ x unit

def test_x_unit_epoch_ticks_are_epochs(run, tmp_path):
    r, fig = spy_figure(run, "plot", "cosine", "--steps", "90ep", "--steps-per-epoch", "100",
                        "--x-unit", "epoch", "-o", str(tmp_path / "e.png"))
    assert r.exit_code == 0, r.stderr
    ax = fig.axes[0]
    x = curves(fig)[0].get_xdata()
    assert x[0] == 0 and x[-1] == pytest.approx(8999 / 100)  # steps / steps_per_epoch
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "80" in ticks and not any("k" in t for t in ticks)
    assert ax.get_xlabel() == "epoch"


def test_x_unit_epoch_from_dataset_size_and_per_epoch(run, tmp_path):
    # 50000 samples / 128 a batch: 391 steps an epoch, each epoch's value held for them
    r, fig = spy_figure(run, "plot", "torch", "MultiStepLR(milestones=[30, 60])", "--steps",
                        "90", "--per-epoch", "--dataset-size", "50000", "--batch-size", "128",
                        "--x-unit", "epoch", "-o", str(tmp_path / "e.png"))
    assert r.exit_code == 0, r.stderr
    x = curves(fig)[0].get_xdata()
    assert x[-1] == pytest.approx((90 * 391 - 1) / 391)


def test_x_unit_token(run, tmp_path):
    # 1000 tokens a sample x 500 samples a step: 2B tokens are 4000 steps
    r, fig = spy_figure(run, "plot", "wsd", "--steps", "2Btok", "--seq-len", "1000",
                        "--batch-size", "500", "--x-unit", "token", "-o", str(tmp_path / "t.png"))
    assert r.exit_code == 0, r.stderr
    x = curves(fig)[0].get_xdata()
    assert len(x) == 4000 and x[-1] == pytest.approx(3999 * 500_000)
    fig.canvas.draw()
    assert any(t.get_text().endswith("B") for t in fig.axes[0].get_xticklabels())
    assert fig.axes[0].get_xlabel() == "token"


def test_x_unit_step_from_epoch_rows():
    s = evaluate(registry.resolve("cosine", {"steps": 90, "unit": "epoch"}))
    fig = build_figure([s], look=Look(x_unit="step"), lengths=[{"steps_per_epoch": 100}])
    assert curves(fig)[0].get_xdata()[-1] == 89 * 100 and fig.axes[0].get_xlabel() == "step"
    fig = build_figure([s], look=Look(x_unit="token"),
                       lengths=[{"steps_per_epoch": 100, "tokens_per_step": 1e6}])
    assert curves(fig)[0].get_xdata()[-1] == 89 * 100 * 1e6
    with pytest.raises(UsageError, match="'cosine' does not say how many steps an epoch has"):
        build_figure([s], look=Look(x_unit="step"))


def test_x_unit_in_compare_per_spec(run, tmp_path):
    r, fig = spy_figure(run, "compare", "cosine --steps 10ep --steps-per-epoch 50",
                        "step --steps 40ep --steps-per-epoch 10", "--x-unit", "epoch",
                        "--plot", str(tmp_path / "c.png"), "-f", "csv", "-o",
                        str(tmp_path / "c.csv"))
    assert r.exit_code == 0, r.stderr
    a, b = curves(fig)
    assert a.get_xdata()[-1] == pytest.approx(499 / 50)
    assert b.get_xdata()[-1] == pytest.approx(399 / 10)


def test_dense_series_stays_streamed_with_every_option():
    s = evaluate(registry.resolve("sgdr", {"steps": 10_000_000, "t0": 1_000_000}))
    t = evaluate(registry.resolve("cosine", {"steps": 10_000_000, "lr_max": 3e-4}))
    fig = build_figure([s, t], quiet=True, look=Look(size=(6, 3.5), style="dark",
                                                     x_unit="epoch", normalize=True),
                       lengths=[{"steps_per_epoch": 1000}] * 2,
                       panels=[("sgdr", [0]), ("cosine", [1])])
    assert s._values is None and t._values is None  # drawn from envelopes, never held
    for ln in curves(fig):
        assert len(ln.get_xdata()) <= 2 * 2 * 6 * 150  # two points per pixel column
        assert ln.get_xdata()[-1] == pytest.approx(9999.999)


# ------------------------------------------------------------------ normalize and grid

def test_normalize_gives_every_curve_peak_one(run, tmp_path):
    r, fig = spy_figure(run, "compare", "cosine --lr-max 3e-4", "one-cycle --max-lr 2",
                        "wsd --lr-max 0.01 --groups a=1,b=0.1", "--steps", "3000000",
                        "--normalize", "--plot", str(tmp_path / "n.png"), "-f", "csv", "-o",
                        str(tmp_path / "n.csv"))
    assert r.exit_code == 0, r.stderr
    lines = curves(fig)
    assert len(lines) == 4
    for ln in lines:
        assert np.max(ln.get_ydata()) == pytest.approx(1.0, rel=1e-12)
    assert fig.axes[0].get_ylabel() == "learning rate / each curve's peak"
    labels = [t.get_text() for t in fig.legends[0].get_texts()] if fig.legends else \
        [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("(peak 0.0003)" in x for x in labels) and any("(peak 2)" in x for x in labels)


def test_normalize_one_curve_names_its_peak():
    s = evaluate(registry.resolve("cosine", {"lr_max": 3e-4}))
    fig = build_figure([s], look=Look(normalize=True), quiet=True)
    assert fig.axes[0].get_ylabel() == "learning rate / its peak, 0.0003"
    assert np.max(curves(fig)[0].get_ydata()) == 1.0


def test_normalize_refuses_a_curve_without_a_positive_peak():
    zero = Series("flat zero", steps=np.arange(10), values=np.zeros(10))
    with pytest.raises(UsageError, match="--normalize: 'flat zero' has no positive peak"):
        build_figure([zero], look=Look(normalize=True), quiet=True)


def test_grid_gives_one_axis_per_spec_sharing_x(run, tmp_path):
    specs = ["cosine --lr-max 3e-4", "step --initial-lr 1", "one-cycle",
             "wsd --groups backbone=0.1,head=1", "sgdr"]
    r, fig = spy_figure(run, "compare", *specs, "--grid", "--plot", str(tmp_path / "g.png"),
                        "-f", "csv", "-o", str(tmp_path / "g.csv"))
    assert r.exit_code == 0, r.stderr
    axes = fig.axes
    assert len(axes) == len(specs)  # one per spec: wsd's two groups share theirs
    assert [len(ax.get_lines()) for ax in axes] == [1, 1, 1, 2, 1]
    assert all(ax.get_shared_x_axes().joined(axes[0], ax) for ax in axes)
    tops = [ax.get_ylim()[1] for ax in axes]
    assert tops[0] < 4e-4 and tops[1] > 0.9  # each its own lr axis
    assert [ax.get_title(loc="left") for ax in axes][:2] == specs[:2]
    fig.canvas.draw()
    # five in two columns: the last row has one; the axis above the gap shows its x ticks
    assert any(t.get_text() for t in axes[3].get_xticklabels())
    assert not any(t.get_text() for t in axes[0].get_xticklabels())
    assert axes[3].get_legend() is not None and axes[0].get_legend() is None


def test_grid_normalize_puts_each_peak_in_its_title():
    a = evaluate(registry.resolve("cosine", {"lr_max": 3e-4}))
    b = evaluate(registry.resolve("cosine", {"lr_max": 1.0}))
    fig = build_figure([a, b], look=Look(normalize=True), quiet=True,
                       panels=[("small", [0]), ("big", [1])])
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["small (peak 0.0003)",
                                                             "big (peak 1)"]
    assert all(np.max(ln.get_ydata()) == 1.0 for ln in curves(fig))


# ------------------------------------------------------------------ refusals

BAD = [
    (["plot", "cosine", "--size", "6by3"], "invalid value for --size: '6by3' (allowed: WIDTHx"),
    (["plot", "cosine", "--size", "1x1"], "invalid value for --size: '1x1'"),
    (["plot", "cosine", "--size", "100x3"], "width 2 to 40 in"),
    (["plot", "cosine", "--size", "nanx3"], "invalid value for --size: 'nanx3'"),
    (["plot", "cosine", "--size", "40x30", "--dpi", "600"], "24000 x 18000 pixel image"),
    (["plot", "cosine", "--dpi", "0"], "invalid value for --dpi: '0'"),
    (["plot", "cosine", "--style", "darkk"], "(did you mean 'dark'? allowed: default, dark, or"),
    (["plot", "cosine", "--style", "nope"], "ggplot"),
    (["plot", "cosine", "--x-unit", "hours"], "--x-unit: 'hours' (allowed: one of step, epoch"),
    (["plot", "cosine", "--x-unit", "epoch"], "'cosine' does not say how many steps an epoch "
                                              "has (give --steps-per-epoch K"),
    (["plot", "cosine", "--x-unit", "token"], "how many tokens a step takes (give "
                                              "--tokens-per-step T"),
    (["plot", "log", "tests/logs/hf/trainer_state.json", "--x-unit", "epoch"],
     "a log or a config's reading is plotted in its own steps"),
    (["plot", "cosine", "-o", "x.gif"], "use a .png, .svg, .pdf, .jpg or .webp file name"),
    (["compare", "cosine", "sgdr", "--grid"], "--grid sets how the --plot figure looks: give "
                                              "--plot FILE"),
    (["compare", "cosine", "sgdr", "--normalize"], "--normalize sets how the --plot figure"),
    (["compare", "cosine", "sgdr", "--style", "dark"], "--style sets how the --plot figure"),
    (["compare", "cosine", "sgdr", "--plot", "c.png", "--style", "darkk"], "'dark'?"),
    (["compare", "cosine", "sgdr", "--plot", "c.png", "--x-unit", "epoch"],
     "'cosine' does not say how many steps an epoch has"),
    (["table", "cosine", "--spark", "--chart"], "--spark prints one line instead of the table: "
                                                "drop --chart"),
    (["table", "cosine", "--spark", "--at", "5"], "drop --at"),
]


@pytest.mark.parametrize("args, expected", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_figure_options_are_one_line_exit_2(run, tmp_path, monkeypatch, args, expected):
    import os

    repo = os.getcwd()
    monkeypatch.chdir(tmp_path)
    args = [os.path.join(repo, a) if a.startswith("tests/") else a for a in args]
    r = run(*args)
    assert r.exit_code == 2, r.stderr
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrsched: error: "), r.stderr
    assert expected in lines[0]
    assert not list(tmp_path.iterdir())  # nothing written


def test_every_figure_option_is_in_help(run):
    for cmd in (["plot", "cosine"], ["compare"]):
        text = run(*cmd, "--help").stdout
        for flag in ("--size", "--dpi", "--style", "--x-unit", "--normalize"):
            assert flag in text, (cmd, flag)
    assert "--grid" in run("compare", "--help").stdout
    assert "--spark" in run("compare", "--help").stdout
    assert "--spark" in run("table", "cosine", "--help").stdout


# ------------------------------------------------------------------ sparklines

def test_table_spark_is_one_line_naming_min_and_max(run):
    r = run("table", "cosine", "--steps", "1000", "--lr-max", "3e-4", "--lr-min", "1e-5")
    assert r.exit_code == 0
    r = run("table", "cosine", "--steps", "1000", "--lr-max", "3e-4", "--lr-min", "1e-5",
            "--spark")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1
    spark, tail = lines[0].split("  ", 1)
    assert len(spark) == 60  # not a terminal: 60 characters
    assert set(spark) <= set(BLOCKS) and spark[0] == "█" and spark[-1] == "▁"
    mn, mx = re.match(r"min (\S+)  max (\S+)$", tail).groups()
    assert float(mn) == pytest.approx(1e-5, rel=1e-3) and float(mx) == 3e-4


def test_table_spark_is_exact_for_a_short_schedule(run):
    # step: 1, 1, ..., 0.5 at 10 steps of size 9: one character per step
    r = run("table", "step", "--steps", "12", "--step-size", "9", "--spark")
    assert r.stdout.splitlines() == ["████████▁▁▁▁  min 0.5  max 1"]
    r = run("table", "constant", "--steps", "5", "--spark")
    assert r.stdout.splitlines() == ["▄▄▄▄▄  constant 0.1"]


def test_table_spark_one_line_per_parameter_group(run):
    r = run("table", "cosine", "--groups", "backbone=0.1,head=1", "--spark")
    lines = r.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("backbone  █") and lines[1].startswith("head      █")
    assert lines[0].endswith("max 0.01") and lines[1].endswith("max 0.1")


def test_table_spark_fills_a_terminal(monkeypatch):
    from rich.console import Console

    from lrsched_cli.render.view import show_sparks

    class Tty:
        def __init__(self):
            self.text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

        def isatty(self):
            return True

    out = Tty()
    s = evaluate(registry.resolve("one-cycle", {"steps": 5000}))
    show_sparks([s], Console(file=out, width=100, color_system=None))
    line = out.text.rstrip("\n")
    assert "\n" not in line and len(line) == 100


def test_spark_of_ten_million_steps_is_streamed():
    s = evaluate(registry.resolve("sgdr", {"steps": 10_000_000, "t0": 1_000_000, "t_mult": 2}))
    (line,) = spark_lines([s], None)
    assert s._values is None
    spark = line.split("  ")[0]
    assert len(spark) == 60
    # restarts at 1M, 3M, 7M: full height again right after each
    assert spark[6] == "█" and spark[18] == "█" and spark[42] == "█"


def test_spark_log_scale():
    s = Series("x", steps=np.arange(4), values=np.array([1.0, 0.1, 0.01, 0.001]))
    (line,) = spark_lines([s], None, log=True)
    assert line.startswith("█▆▃▁")  # decades evenly spaced on a log scale
    (line,) = spark_lines([s], None)
    assert line.startswith("█▁▁▁")


monotone = st.lists(st.floats(0, 1e3, allow_nan=False, allow_infinity=False), min_size=1,
                    max_size=3000)


@settings(max_examples=200, deadline=None)
@given(values=monotone, width=st.integers(1, 120), falling=st.booleans(),
       log=st.booleans())
def test_monotone_schedules_give_monotone_sparks(values, width, falling, log):
    v = np.sort(np.asarray(values))[::-1 if falling else 1].copy()
    s = Series("s", steps=np.arange(len(v)), values=v)
    (line,) = spark_lines([s], None)
    from lrsched_cli.render.scan import scan

    (sc,) = scan([s], np.array([], dtype=np.int64), None, spark=width)
    lev = levels(*sc.spark, log=log)
    assert len(lev) == min(width, len(v))
    steps = np.diff(lev)
    assert np.all(steps <= 0) if falling else np.all(steps >= 0)
    assert len(line.split("  ")[0]) == min(60, len(v))


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
                       min_size=2, max_size=120))
def test_spark_min_and_max_map_to_the_series_min_and_max(values):
    v = np.asarray(values)
    s = Series("s", steps=np.arange(len(v)), values=v)
    (line,) = spark_lines([s], None)  # 60 wide: at most 120 steps, one or two per character
    if v.min() == v.max():
        assert line.endswith(f"constant {_one(v.min())}")
        return
    spark, tail = line.split("  ", 1)
    assert tail == f"min {_one(v.min())}  max {_one(v.max())}"
    if len(v) <= 60:  # a character per step: the min is ▁ and the max █, exactly
        assert spark[int(np.argmin(v))] == "▁" and spark[int(np.argmax(v))] == "█"
        assert min(spark, key=BLOCKS.index) == "▁" and max(spark, key=BLOCKS.index) == "█"
    # every character's level holds its column's midpoint
    from lrsched_cli.render.scan import scan

    (sc,) = scan([s], np.array([], dtype=np.int64), None, spark=60)
    lo, hi = sc.spark
    mid = (lo + hi) / 2
    k = np.array([BLOCKS.index(c) for c in spark])
    span = v.max() - v.min()
    assert np.all(v.min() + k * span / 8 <= mid + 1e-9 * span)
    assert np.all(mid <= v.min() + (k + 1) * span / 8 + 1e-9 * span)


def _one(x: float) -> str:
    from lrsched_cli.render.numbers import one

    return one(float(x))


def test_spark_text_rebins_exactly():
    lo = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.0])
    assert spark_text(lo, lo) == "█▇▅▄▂▁"
    assert spark_text(lo, lo, 3) == "█▅▁"  # columns (5,4), (3,2), (1,0): 4.5, 2.5, 0.5


# ------------------------------------------------------------------ compare's shape

def test_compare_table_gets_a_shape_row_above_four_curves(run):
    specs = ["cosine", "step --initial-lr 0.1", "exponential --initial-lr 0.1", "one-cycle"]
    r = run("compare", *specs)
    assert "shape" not in r.stdout  # four: no sparklines unless asked
    r = run("compare", *specs, "--spark")
    shape = [ln for ln in r.stdout.splitlines() if ln.startswith(" shape")]
    assert len(shape) == 1 and len(shape[0].split()) == 5
    r = run("compare", *specs, "cyclic")
    shape = [ln for ln in r.stdout.splitlines() if ln.startswith(" shape")]
    assert len(shape) == 1
    cells = shape[0].split()[1:]
    assert len(cells) == 5 and all(set(c) <= set(BLOCKS) for c in cells)
    assert cells[0][0] == "█" and cells[0][-1] == "▁"  # cosine falls
    assert max(len(ln) for ln in r.stdout.splitlines()) <= 80
    r = run("compare", *specs, "cyclic", "--no-spark")
    assert "shape" not in r.stdout


def test_compare_table_on_its_side_gets_a_shape_column(run):
    specs = ["cosine", "step --initial-lr 0.1", "exponential --initial-lr 0.1", "one-cycle",
             "cyclic", "sgdr", "wsd", "inverse-sqrt --timescale 20"]
    r = run("compare", *specs)
    lines = r.stdout.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    head = next(ln for ln in lines if "peak" in ln and "Σlr" in ln)
    assert head.rstrip().endswith("shape")
    rows = [ln for ln in lines if ln.startswith(" cosine ")]
    assert rows and rows[-1].split()[-1][0] == "█" and "…" not in rows[-1]
