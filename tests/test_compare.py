"""lrsched compare: chart, table, difference report, labels, and its data outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from lrsched_cli.analysis.difference import difference
from lrsched_cli.commands.compare import default_labels
from lrsched_cli.render.terminal import use_color
from lrsched_cli.render.view import difference_report
from lrsched_cli.series import Series

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("LRSCHED_UPDATE_SNAPSHOTS") == "1"


def check_snapshot(name: str, text: str) -> None:
    """Compare with tests/snapshots/NAME (a person looked at each one before committing it).

    LRSCHED_UPDATE_SNAPSHOTS=1 rewrites them; look at the diff before committing.
    """
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.write_text(text)
        if not UPDATE:
            pytest.fail(f"snapshot {name} was missing and has been written: look at it")
    assert text == path.read_text()


def S(values, label="s", start=0):
    v = np.asarray(values, dtype=np.float64)
    return Series(label=label, steps=np.arange(start, start + len(v)), values=v)


# ---------------------------------------------------------------- snapshots (80 columns)

def test_snapshot_two_step_timings(run):
    r = run("compare", "step --step-size 10 --initial-lr 0.1",
            "step --step-size 10 --initial-lr 0.1 --timing torch", "--steps", "40", "--rows", "6")
    assert r.exit_code == 0, r.stderr
    check_snapshot("compare_step_timings_80.txt", r.stdout)


def test_snapshot_three_schedules_log_y(run):
    r = run("compare", "cosine", "one-cycle", "exponential --initial-lr 0.1", "--steps", "200",
            "--log-y", "--rows", "5")
    assert r.exit_code == 0, r.stderr
    check_snapshot("compare_three_log_80.txt", r.stdout)


def test_snapshot_table_with_chart(run):
    r = run("table", "cyclic", "--mode", "triangular2", "--chart", "--rows", "5")
    assert r.exit_code == 0, r.stderr
    check_snapshot("table_cyclic_chart_80.txt", r.stdout)


def test_eight_schedules_fit_80_columns(run):
    specs = ["cosine", "step --initial-lr 0.1", "exponential --initial-lr 0.1", "one-cycle",
             "cyclic", "sgdr", "wsd", "inverse-sqrt --timescale 20"]
    r = run("compare", *specs)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    assert "\x1b[" not in r.stdout  # not a terminal: no colour codes
    for i, marker in enumerate("ox+*#@%="):
        assert f"{marker * 2} #{i + 1} {specs[i]}" in r.stdout  # legend: marker and label
        assert marker in "".join(lines[:18])  # each marker drawn on the canvas


@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_width_follows_columns(run, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    r = run("compare", "cosine", "sgdr")
    widths = [len(ln) for ln in r.stdout.splitlines()]
    assert max(widths) <= int(columns)
    assert max(widths) >= int(columns) - 2  # the chart takes the width it has


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Tty()) and not use_color(Pipe())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Tty())


def test_chart_with_color_has_ansi_and_same_text():
    from lrsched_cli.render.chart import _ANSI, render_chart

    s = [S(np.linspace(1, 0, 50), "a"), S(np.linspace(0, 1, 50), "b")]
    plain = render_chart(s, width=60, height=12)
    colored = render_chart(s, width=60, height=12, color=True, markers=True)
    assert "\x1b[" in colored and "\x1b[" not in plain
    assert "\n".join(ln.rstrip() for ln in _ANSI.sub("", colored).splitlines()) == plain
    # in colour the curves are drawn in braille dots (issue 14.15: 2x4 dots per cell)
    braille = _ANSI.sub("", render_chart(s, width=60, height=12, color=True))
    assert any("\u2801" <= ch <= "\u28ff" for ch in braille)
    assert "o" not in braille.split("step")[0].replace("┤", "")


def test_chart_notes_curves_that_coincide_or_are_hidden(run):
    """Issue 14.15: identical curves hid each other without a note."""
    r = run("compare", "cosine", "cosine --lr-max 0.1", "step --initial-lr 0.1", "--steps",
            "50")
    legend = [ln for ln in r.stdout.splitlines() if ln.startswith("  ") and "#" in ln][:3]
    assert "(the same curve as #2)" in legend[0] and "(the same curve as #1)" in legend[1]
    assert "same curve" not in legend[2]
    from lrsched_cli.render.chart import hidden

    flat = S(np.full(50, 0.5), "flat")
    over = S(np.full(50, 0.5), "over")  # drawn later, on exactly the same cells
    other = S(np.linspace(1, 0, 50), "other")
    assert hidden([flat, other, over], 60, 12, False, None) == {0}


# ---------------------------------------------------------------- the difference report

def test_difference_hand_computed():
    d = difference(S([1.0, 2.0, 3.0, 4.0], "a"), S([1.0, 2.5, 3.0, 3.0], "b"))
    assert not d.identical and d.common == 4
    assert (d.first_step, d.first_a, d.first_b) == (1, 2.0, 2.5)
    assert (d.max_abs, d.max_abs_step) == (1.0, 3)  # |4 - 3| = 1 at step 3
    assert (d.max_rel, d.max_rel_step) == (0.25, 3)  # 1 / 4 beats 0.5 / 2.5 = 0.2


def test_difference_relative_with_zeros():
    d = difference(S([0.0, 0.0, 1e-3], "a"), S([0.0, 1e-9, 1e-3], "b"))
    assert d.first_step == 1 and d.max_rel == 1.0 and d.max_rel_step == 1
    assert d.max_abs == 1e-9


def test_identical_and_report_text():
    a, b = S([0.1, 0.05], "a"), S([0.1, 0.05], "b")
    assert difference(a, b).identical
    assert difference_report(a, b) == "'a' and 'b' are identical: all 2 values equal."
    text = difference_report(S([1.0, 1.0, 0.5], "doc"), S([1.0, 1.0, 1.0], "torch"))
    assert text == ("'doc' and 'torch' differ: first at step 2 (0.5 vs 1); largest absolute "
                    "difference 0.5 at step 2; largest relative difference 0.5 (50%) at step 2.")


def test_different_lengths_compared_on_common_steps():
    a, b = S([1.0, 1.0, 1.0], "a"), S([1.0, 1.0, 1.0, 0.5, 0.5], "b")
    d = difference(a, b)
    assert not d.identical and d.first_step is None and d.common == 3
    assert "agree on every common step (over the 3 steps both have" in difference_report(a, b)


def test_compare_reports_the_step_decay_off_by_one(run):
    r = run("compare", "step --step-size 10", "step --step-size 10 --timing torch")
    assert ("differ: first at step 9 (0.5 vs 1); largest absolute difference 0.5 at step 9"
            in " ".join(r.stdout.split()))
    r = run("compare", "cosine --lr-max 0.1", "cosine --max-lr 0.1")
    assert "are identical: all 100 values equal." in " ".join(r.stdout.split())


# ---------------------------------------------------------------- labels

def test_default_labels():
    assert default_labels(["cosine", "cosine"]) == ["cosine", "cosine (2)"]
    assert default_labels(["step --step-size 10 --initial-lr 0.1",
                           "step --step-size 10 --initial-lr 0.1 --timing torch", "cosine"]) \
        == ["step", "step --timing torch", "cosine"]
    long = default_labels(["cosine --lr-max 0.1 --lr-min 0.0001 --warmup 100 --warmup-shape "
                           "cosine", "sgdr"])
    assert long[0].endswith("…") and len(long[0]) == 32 and long[1] == "sgdr"


def test_labels_given_and_unique(run):
    r = run("compare", "cosine", "cosine", "--format", "csv", "--steps", "2")
    assert r.stdout.splitlines()[0] == "step,cosine,cosine (2)"
    r = run("compare", "cosine", "sgdr", "--label", "A", "--format", "csv", "--steps", "2")
    assert r.stdout.splitlines()[0] == "step,A,sgdr"
    r = run("compare", "cosine", "sgdr", "--label", "A", "--label", "A")
    assert r.exit_code == 2 and "--label 'A' given twice" in r.stderr
    r = run("compare", "cosine", "sgdr", "--label", "A", "--label", "B", "--label", "C")
    assert r.exit_code == 2 and "3 --label values for 2 specs" in r.stderr


# ---------------------------------------------------------------- data outputs

def test_csv_columns_equal_single_exports(run):
    specs = ["cosine --lr-max 0.3", "one-cycle --pct-start 0.25", "step --timing torch"]
    r = run("compare", *specs, "--steps", "250", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "step," + ",".join(specs)
    rows = [ln.split(",") for ln in lines[1:]]
    for j, spec in enumerate(specs):
        single = run("export", *spec.split(), "--steps", "250").stdout.splitlines()[1:]
        assert [f"{r[0]},{r[j + 1]}" for r in rows] == single  # the same text, exactly


def test_json_and_steps_applying_only_where_unset(run, tmp_path):
    out = tmp_path / "c.json"
    r = run("compare", "cosine", "sgdr --steps 30", "--steps", "50", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    doc = json.loads(out.read_text())
    assert [s["schedule"] for s in doc["schedules"]] == ["cosine", "sgdr"]
    assert [s["steps"] for s in doc["schedules"]] == [50, 30]
    assert [len(s["lr"]) for s in doc["schedules"]] == [50, 30]
    # issue 14.10: a data format replaces the terminal view, to a file as to stdout
    assert "wrote" in r.stderr and r.stdout == ""
    r = run("compare", "cosine", "step", "--format", "csv", "-o", str(tmp_path / "c.csv"))
    assert r.exit_code == 0 and r.stdout == ""
    assert (tmp_path / "c.csv").read_text().startswith("step,cosine,step\n0,")


def test_plot_file(run, tmp_path):
    out = tmp_path / "c.svg"
    r = run("compare", "cosine", "step", "--plot", str(out))
    assert r.exit_code == 0
    svg = out.read_text()
    assert "2 learning-rate schedules compared, 100 steps" in svg
    assert svg.count("<g id=\"line2d_") >= 2


@pytest.mark.parametrize("args, message", [
    (["cosine"], "compare takes 2 to 8 specs; 1 given"),
    (["cosine"] * 9, "compare takes 2 to 8 specs; 9 given"),
    (["cosine", "cosine --lr-max nan"], "in spec 'cosine --lr-max nan': invalid value for "
                                        "--lr-max: 'nan'"),
    (["cosine", "cosin"], "unknown schedule 'cosin'"),
    (["cosine", "cosine --nope 1"], "in spec 'cosine --nope 1': No such option: --nope"),
    (["cosine", "cosine 'unclosed"], "cannot split spec"),
    (["cosine", "step", "--plot", "x.gif"], "'x.gif'"),
    (["cosine", "step", "-o", "x.txt"], "cannot tell the data format from 'x.txt'"),
    (["cosine", "step", "--at", "500"], "--at step 500 is outside"),
])
def test_compare_errors(run, args, message):
    r = run("compare", *args)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and message in r.stderr
