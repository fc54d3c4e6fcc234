"""The command-line contract (DESIGN.md §3) through Typer's CliRunner and the real binary."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from lrsched_cli import schedule
from lrsched_cli.schedules import registry


def csv_values(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    rows = [ln.split(",") for ln in lines[1:]]
    return header, np.array([int(r[0]) for r in rows]), np.array([float(r[1]) for r in rows])


@pytest.mark.parametrize("name", registry.names())
def test_every_schedule_exports_csv_that_round_trips_exactly(run, name, tmp_path):
    extra = []
    if name == "plateau":
        metrics = tmp_path / "m.txt"
        metrics.write_text("\n".join(str(1.0 / (i + 1) if i < 30 else 0.03) for i in range(100)))
        extra = ["--metrics", str(metrics)]
    r = run("export", name, *extra, "--steps", "100")
    assert r.exit_code == 0, r.stderr
    header, steps, values = csv_values(r.stdout)
    assert header == ["step", "lr"]
    np.testing.assert_array_equal(steps, np.arange(100))
    kwargs = {"metrics": str(tmp_path / "m.txt")} if name == "plateau" else {}
    kwargs["steps"] = 100
    expected = schedule(name, **kwargs)
    assert values.tobytes() == expected.tobytes()  # bit for bit through float(repr(x))


def test_export_formats(run, tmp_path):
    r = run("export", "cosine", "--steps", "5", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["schedule"] == "cosine" and doc["steps"] == 5
    assert doc["params"]["lr_max"] == 0.1 and doc["params"]["lr_min"] == 0.001
    assert doc["lr"] == schedule("cosine", steps=5).tolist()

    r = run("export", "cosine", "--steps", "5", "--format", "jsonl")
    rows = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert [x["step"] for x in rows] == [0, 1, 2, 3, 4]
    assert [x["lr"] for x in rows] == schedule("cosine", steps=5).tolist()

    out = tmp_path / "x.npy"
    r = run("export", "step", "--steps", "30", "-f", "npy", "-o", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    arr = np.load(out)
    assert arr.dtype == np.float64 and arr.tobytes() == schedule("step", steps=30).tobytes()

    r = run("export", "step", "--steps", "3", "--no-header")
    assert r.stdout == "0,1.0\n1,1.0\n2,1.0\n"

    r = run("export", "step", "--steps", "3", "-o", "-")
    assert r.stdout.startswith("step,lr\n")


def test_start_unit_and_per_epoch(run):
    r = run("export", "step", "--steps", "12", "--start", "9", "--unit", "epoch")
    assert r.stdout == "epoch,lr\n9,0.5\n10,0.5\n11,0.5\n"
    # per-epoch: 3 epochs of 4 steps, each epoch's value held for its 4 steps
    r = run("export", "step", "--epochs", "3", "--step-size", "1", "--per-epoch",
            "--steps-per-epoch", "4")
    header, steps, values = csv_values(r.stdout)
    assert steps.tolist() == list(range(12))
    assert values.tolist() == [0.5] * 4 + [0.25] * 4 + [0.125] * 4
    # lengths in epochs are converted with --steps-per-epoch
    a = run("export", "step", "--steps", "3ep", "--step-size", "1ep", "--steps-per-epoch", "10")
    b = run("export", "step", "--steps", "30", "--step-size", "10")
    assert a.stdout == b.stdout


def test_json_with_start_says_where_it_starts(run):
    doc = json.loads(run("export", "cosine", "--steps", "10", "--start", "7", "-f",
                         "json").stdout)
    assert doc["steps"] == 10 and doc["start"] == 7 and len(doc["lr"]) == 3
    assert doc["lr"] == schedule("cosine", steps=10)[7:].tolist()


def test_table(run):
    r = run("table", "cosine", "--steps", "1000", "--rows", "5")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("cosine: lr_min=0.001, lr_max=0.1, steps=1000")
    body = [ln.split() for ln in lines if ln.strip() and ln.split()[0].isdigit()]
    assert [row[0] for row in body] == ["0", "250", "500", "749", "999"]
    v = schedule("cosine", steps=1000)
    assert float(body[-1][1]) == pytest.approx(v[-1], rel=1e-5)
    text = r.stdout
    for label in ("first", "min", "peak", "last", "mean"):
        assert label in text
    mean_row = next(ln for ln in lines if ln.strip().startswith("mean"))
    assert float(mean_row.split()[-1]) == pytest.approx(v.mean(), rel=1e-5)
    assert all(len(ln) <= 80 for ln in lines)


def test_table_at_chosen_steps(run):
    r = run("table", "step", "--at", "8,9,10")
    rows = [ln.split() for ln in r.stdout.splitlines() if ln.split()[:1] in (["8"], ["9"],
                                                                             ["10"])]
    assert rows == [["8", "1"], ["9", "0.5"], ["10", "0.5"]]


@pytest.mark.parametrize("suffix, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"),
                                           ("pdf", b"%PDF")])
def test_plot_formats(run, tmp_path, suffix, magic):
    out = tmp_path / f"c.{suffix}"
    r = run("plot", "cosine", "--lr-max", "0.1", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes().startswith(magic)
    assert f"wrote {out}" in r.stderr
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".lrsched-")]


def test_plot_default_file_name_and_title(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("plot", "one-cycle", "--log-y")
    assert r.exit_code == 0 and (tmp_path / "one-cycle.png").exists()
    r = run("plot", "cosine", "-o", "c.svg")
    svg = (tmp_path / "c.svg").read_text()
    assert "cosine: lr_min=0.001, lr_max=0.1, steps=100" in svg
    assert "learning rate" in svg


def test_list_and_info(run):
    r = run("list")
    lines = r.stdout.splitlines()
    names = [ln.split()[0] for ln in lines[: len(registry.names())]]
    assert names == registry.names()
    for dialect, example in (("torch", "  StepLR"), ("hf", "  get_scheduler"),
                             ("timm", "  CosineLRScheduler"), ("optax", "  join_schedules"),
                             ("keras", "  CosineDecayRestarts")):
        assert any(ln.startswith(f"{dialect}: ") for ln in lines)
        assert any(ln.startswith(example + " ") for ln in lines)
    r = run("info", "torch")
    assert "lr[i] is the optimizer's lr after i calls of scheduler.step()" in r.stdout
    assert "OneCycleLR(max_lr, total_steps=None" in " ".join(r.stdout.split())
    r = run("info", "step")
    assert r.exit_code == 0
    text = " ".join(r.stdout.split())
    assert "lr0 * d ** floor((1 + t) / s)" in text
    assert "lr[9]=0.5" in text and "StepLR gives lr[9]=1.0" in text
    assert "--decay-factor" in text and "--gamma" in text
    r = run("info", "one-cycle")
    assert "Smith & Topin 2019" in " ".join(r.stdout.split())


def test_schedule_help_lists_its_options(run):
    r = run("plot", "cosine", "--help")
    assert r.exit_code == 0
    for flag in ("--lr-min", "--eta-min", "--lr-max", "--steps", "--warmup", "--log-y", "-o"):
        assert flag in r.stdout


BAD = [
    (["table", "cosin"], "unknown schedule 'cosin' (did you mean 'cosine'?)"),
    (["table", "cosine", "--steps", "0"], "--steps: '0'"),
    (["table", "cosine", "--steps", "-3"], "--steps: '-3'"),
    (["table", "step", "--step-size", "0"], "--step-size: '0'"),
    (["export", "cosine", "--lr-max", "nan"], "--lr-max: 'nan'"),
    (["export", "cosine", "--lr-min", "inf"], "--lr-min: 'inf'"),
    (["export", "exponential", "--decay-rate", "-inf"], "--decay-rate: '-inf'"),
    (["export", "cosine", "--lr-min", "0.5"], "--lr-min 0.5 is above --lr-max 0.1"),
    (["export", "cyclic", "--mode", "sawtooth"], "--mode: 'sawtooth'"),
    (["export", "plateau"], "plateau needs --metrics"),
    (["export", "plateau", "--metrics", "/no/such/file"], "'/no/such/file' does not exist"),
    (["export", "cosine", "--format", "xml"], "--format: 'xml'"),
    (["export", "cosine", "--bogus", "1"], "No such option: --bogus"),
    (["export", "cosine", "--warmup", "100"], "--warmup 100 must be shorter than --steps 100"),
    (["export", "one-cycle", "--steps", "10", "--pct-start", "0.1"], "zero length"),
    (["export", "cosine", "--steps", "2ep"], "give --steps-per-epoch"),
    (["plot", "cosine", "-o", "x.gif"], "'x.gif'"),
    (["info", "nope"], "unknown schedule 'nope'"),
]


@pytest.mark.parametrize("args, expected", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2(run, args, expected):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrsched: error: ")
    assert expected in lines[0]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("content, expected", [
    ("1.0\n0.5\nabc\n", "line 3: 'abc' is not a number"),
    ("1.0\nnan\n", "line 2: 'nan' is not a finite number"),
    ("", "holds no numbers"),
    ("epoch,loss,acc\n0,1.0,0.1\n", "choose one with --metrics-column"),
])
def test_malformed_metrics(run, tmp_path, content, expected):
    f = tmp_path / "m.csv"
    f.write_text(content)
    r = run("export", "plateau", "--metrics", str(f))
    assert r.exit_code == 2 and r.stdout == "" and expected in r.stderr


def test_metrics_csv_column_and_stdin(run, tmp_path):
    losses = [1.0, 0.5, 0.5, 0.5, 0.5, 0.5]
    f = tmp_path / "m.csv"
    f.write_text("epoch,val_loss,acc\n" + "".join(f"{i},{x},0.5\n" for i, x in
                                                 enumerate(losses)))
    a = run("export", "plateau", "--metrics", str(f), "--metrics-column", "val_loss",
            "--patience", "1")
    assert a.exit_code == 0, a.stderr
    b = run("export", "plateau", "--metrics", "-", "--patience", "1",
            input="\n".join(map(str, losses)))
    assert a.stdout == b.stdout
    _, _, values = csv_values(a.stdout)
    # metric 0 improves, 1 improves, 2 and 3 are bad (> patience 1 after the 2nd): lr[4] drops
    assert values.tolist() == [0.1, 0.1, 0.1, 0.1, pytest.approx(0.01), pytest.approx(0.01)]


def test_failed_write_leaves_no_file(run, tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old contents\n")
    r = run("export", "cosine", "--lr-max", "nan", "-o", str(target))
    assert r.exit_code == 2
    assert target.read_text() == "old contents\n"  # untouched on a usage error
    r = run("export", "cosine", "-o", str(tmp_path / "missing" / "x.csv"))
    assert r.exit_code == 1 and "does not exist" in r.stderr
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]


def test_atomic_file_removes_temp_on_error(tmp_path):
    from lrsched_cli.files.output import atomic_file

    path = tmp_path / "x.csv"
    with pytest.raises(RuntimeError), atomic_file(str(path)) as fh:
        fh.write("partial")
        raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == []


def test_npy_to_a_pipe_round_trips():
    proc = subprocess.run([sys.executable, "-m", "lrsched_cli", "export", "sgdr", "-f", "npy"],
                          capture_output=True, check=True)
    arr = np.load(io.BytesIO(proc.stdout))
    assert arr.tobytes() == schedule("sgdr").tobytes()


def _console_script() -> str | None:
    """The installed ``lrsched`` of this interpreter's environment."""
    beside = os.path.join(os.path.dirname(sys.executable), "lrsched")
    return beside if os.path.exists(beside) else shutil.which("lrsched")


def test_installed_console_script():
    exe = _console_script()
    assert exe, "the lrsched console script is not installed (pip install -e .)"
    proc = subprocess.run([exe, "export", "step", "--decay-factor", "0.5", "--step-size", "10",
                           "--steps", "12"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.splitlines()[9:11] == ["8,1.0", "9,0.5"]
    proc = subprocess.run([exe, "table", "cosine", "--lr-max", "-1"], capture_output=True,
                          text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("lrsched: error: invalid value for --lr-max: '-1' (allowed: a finite "
                           "number > 0)\n")


def test_closing_the_pipe_early_is_quiet():
    exe = _console_script()
    assert exe
    proc = subprocess.run(f"'{exe}' export cosine --steps 2000000 | head -n 2", shell=True,
                          capture_output=True, text=True)
    assert proc.stdout == "step,lr\n0,0.1\n"
    assert proc.stderr == ""


def test_python_m_works():
    proc = subprocess.run([sys.executable, "-m", "lrsched_cli", "--version"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("lrsched ")


@pytest.mark.parametrize("suffix", ["csv", "json", "jsonl", "npy", "NPY"])
def test_export_suffix_picks_the_format(run, tmp_path, suffix):
    """Issue 14.2: `export -o x.npy` wrote CSV; the suffix decides, as for compare/plot."""
    out = tmp_path / f"x.{suffix}"
    r = run("export", "cosine", "--steps", "7", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    want = schedule("cosine", steps=7)
    fmt = suffix.lower()
    if fmt == "npy":
        assert np.load(out).tobytes() == want.tobytes()
    elif fmt == "json":
        assert json.loads(out.read_text())["lr"] == want.tolist()
    elif fmt == "jsonl":
        assert [json.loads(x)["lr"] for x in out.read_text().splitlines()] == want.tolist()
    else:
        assert csv_values(out.read_text())[2].tobytes() == want.tobytes()


def test_export_unknown_suffix_or_contradicting_format_is_refused(run, tmp_path):
    r = run("export", "cosine", "-o", str(tmp_path / "x.txt"))
    assert r.exit_code == 2 and "cannot tell the data format" in r.stderr
    assert not (tmp_path / "x.txt").exists()
    r = run("export", "cosine", "-o", str(tmp_path / "x.txt"), "--format", "jsonl")
    assert r.exit_code == 0 and (tmp_path / "x.txt").read_text().startswith('{"step":0')
    r = run("export", "cosine", "-o", str(tmp_path / "x.npy"), "--format", "csv")
    assert r.exit_code == 2 and "contradicts" in r.stderr and "x.npy" in r.stderr
    assert not (tmp_path / "x.npy").exists()


@pytest.mark.parametrize("words, flag, value", [
    (["plot", "cosine", "--dpi", "5"], "--dpi", "5"),
    (["table", "cosine", "--rows", "x"], "--rows", "x"),
    (["table", "cosine", "--height", "-9223372036854775808"], "--height",
     "-9223372036854775808"),
    (["compare", "cosine", "step", "--rows", "2.5"], "--rows", "2.5"),
    (["table", "log", "x.csv", "--step-offset", str(2**64)], "--step-offset", str(2**64)),
    (["table", "log", "x.csv", "--step-scale", str(10**30)], "--step-scale", str(10**30)),
    (["simulate", "cosine", "--dim", "x"], "--dim", "x"),
    (["find-lr", "--noise", "1e300"], "--noise", "1e300"),
    (["find-lr", "--steps", "nan"], "--steps", "nan"),
    (["identify", "x.csv", "--top", "0"], "--top", "0"),
])
def test_every_number_option_has_the_one_message_shape(run, words, flag, value):
    """Issue 14.12: `--dpi 5` got click's "Invalid value for '--dpi': 5 is not in the range
    10<=x<=1200." unlike every other option."""
    r = run(*words)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"lrsched: error: invalid value for {flag}: '{value}' (allowed: ")
    assert r.stderr.count("\n") == 1
