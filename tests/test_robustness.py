"""Every bad input answered clearly; no output ever lost or half-written (issue 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lrsched_cli.cli import app
from lrsched_cli.schedules import registry

BIN = os.path.dirname(sys.executable)
LRSCHED = os.path.join(BIN, "lrsched")

VALUES = ["nan", "NaN", "inf", "-inf", "-1", "0", "-0", "1e308", str(10**30), "1" * 4301,
          str(2**64), "", " ", "abc",
          "λ", "1e3", "10%", "5ep", "0.5", "3", "1", "1e-300", "true", "cos", "1,2,3", "2.5",
          "--", "-", "𝛼", "0x10", "1_000", "1e", "√2"]
EXPRS = ["StepLR(step_size=3)", "OneCycleLR(max_lr=0.1, total_steps=50)", "",
         "__import__('os').system('true')", "StepLR(step_size=float('nan'))", "λ(1)",
         "CosineDecay(0.1, 10)", "get_scheduler('cosine', 1, 10)", "a.b.c.d(1)",
         "LambdaLR(lambda e: e.__class__)", "StepLR(step_size=3, gamma=1e308)",
         "CosineLRScheduler(t_initial=0)", "warmup_cosine_decay_schedule(0, 1, 5, 5)",
         "(" * 60 + ")" * 60, "StepLR(" + "1" * 5000 + ")",
         # arithmetic bombs (issue 15.1): each would run for minutes or exhaust memory
         "LambdaLR(lambda e: 10**10**10)", "StepLR(step_size=((10**1000)**1000)**1000)",
         "LambdaLR(lambda e: pow(10, 10**10))", "LambdaLR(lambda e: 9**9**9)",
         "LambdaLR(lambda e: 2**2**e)", "MultiplicativeLR(lambda e: 10**10**10)",
         "lambda t: 10**10**10", "LambdaLR(lambda e: (e + 10**200) * 10**200)"]
DIALECT_OPTS = ["--base-lr", "--steps", "--start", "--unit", "--metrics", "-f", "--rows",
                "--bogus"]


def _options_of(name: str) -> list[str]:
    entry = registry.get(name)
    flags = [f for p in (*entry.params, *registry.COMMON) for f in p.flags]
    return flags + ["-f", "--format", "--rows", "--at", "--no-header", "--bogus", "--log-y"]


@st.composite
def invocations(draw):
    cmd = draw(st.sampled_from(["table", "export", "export", "compare", "code", "info", "list",
                                "plot"]))
    if cmd in ("list",):
        return [cmd] + draw(st.lists(st.sampled_from(VALUES), max_size=1))
    if cmd == "info":
        return [cmd, draw(st.sampled_from([*registry.names(), "torch", "nope", "", "λ"]))]
    names = [*registry.names(), "torch", "hf", "timm", "optax", "keras", "nope"]
    if cmd == "compare":
        specs = draw(st.lists(st.sampled_from(["cosine", "step --step-size 0", "cosine --steps 20",
                                               "torch 'StepLR(step_size=3)'", "cyclic --mode x",
                                               "wsd --steps 3", "'unclosed", ""]),
                              min_size=0, max_size=9))
        extra = draw(st.lists(st.tuples(st.sampled_from(["--steps", "--rows", "--at", "-f",
                                                         "--label", "--height", "--bogus"]),
                                        st.sampled_from(VALUES)), max_size=3))
        return ["compare", *specs, *[x for pair in extra for x in pair]]
    name = draw(st.sampled_from(names))
    args = [cmd, name]
    if name in ("torch", "hf", "timm", "optax", "keras"):
        args.append(draw(st.sampled_from(EXPRS)))
        opts = DIALECT_OPTS
    elif name == "nope":
        opts = ["--steps"]
    else:
        opts = _options_of(name)
    for flag, value in draw(st.lists(st.tuples(st.sampled_from(opts), st.sampled_from(VALUES)),
                                     max_size=4)):
        args += [flag, value]
    if cmd == "plot":
        args += ["-o", draw(st.sampled_from(["/nonexistent/x.png", "x.gif", "/dev/null"]))]
    return args


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(invocations())
def test_cli_fuzz(args):
    runner = CliRunner()
    r = runner.invoke(app, args)
    assert r.exit_code in (0, 1, 2), (args, r.exit_code, r.stderr)
    assert "Traceback" not in r.stdout + r.stderr, args
    assert "internal error" not in r.stderr, (args, r.stderr)
    if r.exit_code != 0:
        assert r.stdout == "", (args, r.stdout[:200])
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("lrsched: error: "), (args, r.stderr)


# -------------------------------------------------------------------------- resource limits

def test_table_of_a_billion_steps_is_refused_with_what_it_needs(run):
    r = run("table", "cosine", "--steps", "1000000000")
    assert r.exit_code == 2
    assert "8.0 GB" in r.stderr and "export streams any length" in r.stderr


def test_steps_beyond_a_billion_are_refused(run):
    r = run("plot", "cosine", "--steps", "1000000000000", "-o", "x.png")
    assert r.exit_code == 2 and "[1, 1000000000]" in r.stderr


# -------------------------------------------------------------------------- faults while writing

def _run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([LRSCHED, *args], capture_output=True, text=True, timeout=120, **kw)


def test_output_faults(tmp_path):
    cases = [
        (str(tmp_path / "missing" / "x.csv"), "does not exist"),
        (str(tmp_path), "it is a directory"),
        ("/dev/full", "No space left on device"),
    ]
    if os.path.isdir("/sys"):  # sysfs refuses new files, even for root
        cases.append(("/sys/lrsched.csv", "cannot write '/sys/lrsched.csv'"))
    for target, message in cases:
        r = _run("export", "cosine", "-o", target)
        assert r.returncode == 1, (target, r.stderr)
        assert r.stdout == "" and message in r.stderr and r.stderr.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == []  # no temporary file left


def test_stdout_on_a_full_disk():
    with open("/dev/full", "w") as full:
        r = subprocess.run([LRSCHED, "export", "cosine"], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=60)
    assert r.returncode == 1 and r.stderr == ("lrsched: error: cannot write to stdout: No space "
                                              "left on device\n")


def test_devices_are_written_not_replaced(tmp_path):
    r = _run("export", "cosine", "-o", "/dev/null")
    assert r.returncode == 0 and os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    r = _run("export", "cosine", "--steps", "3", "-o", str(fifo))
    out = reader.communicate(timeout=30)[0].decode()
    assert r.returncode == 0 and out.startswith("step,lr\n0,0.1\n")
    assert fifo.is_fifo()


def test_existing_file_survives_failed_runs(tmp_path):
    target = tmp_path / "lr.csv"
    target.write_text("precious\n")
    assert _run("export", "cosine", "--lr-max", "nan", "-o", str(target)).returncode == 2
    assert _run("export", "torch", "StepLR(step_size=0)", "-o", str(target)).returncode == 2
    assert target.read_text() == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["lr.csv"]


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_in_the_middle_of_a_large_export(tmp_path, sig, code):
    """SIGTERM (issue 15.5) cleans up as Ctrl-C does: no .tmp file left, the old one kept."""
    target = tmp_path / "big.csv"
    target.write_text("old\n")
    proc = subprocess.Popen([LRSCHED, "export", "cosine", "--steps", "300000000", "-o",
                             str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline:  # wait until the temporary file is being written
        if any(p.startswith(".lrsched-") for p in os.listdir(tmp_path)):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert b"Traceback" not in err
    assert target.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["big.csv"]


def test_closed_pipe_exits_zero():
    r = subprocess.run(f"'{LRSCHED}' export cosine --steps 3000000 | head -1; "
                       "echo ${PIPESTATUS[0]}", shell=True, capture_output=True, text=True,
                       executable="/bin/bash", timeout=60)
    assert r.stdout == "step,lr\n0\n" and r.stderr == ""


CLOSED_PIPE_COMMANDS = [
    "table cosine --steps 1000", "table cosine --steps 1000 --chart",
    "compare cosine step --steps 1000", "info cosine", "info torch", "info recipe llama2",
    "list", "recipes", "--help", "table --help", "plot cosine --help", "--version",
    "code cosine", "export cosine --steps 1000 -f json", "simulate cosine --steps 100",
    "find-lr", "table torch 'StepLR(step_size=3)' --steps 1000",
]


@pytest.mark.parametrize("words", CLOSED_PIPE_COMMANDS)
@pytest.mark.parametrize("reader", ["true", "head -1"])
def test_a_closed_pipe_ends_every_command_quietly_with_0(words, reader):
    """Issue 14.9: `lrsched table ... | head -1` exited 1 (rich and click turn EPIPE into
    exit 1). A reader that leaves early (true: before anything is written; head: after the
    first line) ends every command with exit 0 and nothing on stderr."""
    r = subprocess.run(f"'{LRSCHED}' {words} | {reader} >/dev/null; echo ${{PIPESTATUS[0]}}",
                       shell=True, capture_output=True, text=True, executable="/bin/bash",
                       timeout=60, env={**os.environ, "COLUMNS": "80"})
    assert (r.stdout, r.stderr) == ("0\n", "")


# -------------------------------------------------------------------------- hostile expressions

@pytest.mark.parametrize("expr", [
    "StepLR(step_size=" + "(" * 10_000 + "1" + ")" * 10_000 + ")",
    "StepLR(step_size=" + "[" * 5_000 + "]" * 5_000 + ")",
    "StepLR(step_size='" + "x" * 1_000_000 + "')",
    "LambdaLR(lambda e: " + "-" * 100_000 + "e)",
    "__import__('os').system('touch {marker}')",
    "StepLR(step_size=().__class__.__bases__[0].__subclasses__())",
    "LambdaLR(lambda e: exec('open(\"{marker}\", \"w\")'))",
    "LambdaLR(lambda e: math.__loader__)",
    "StepLR(step_size=[x for x in open('{marker}', 'w')])",
])
def test_hostile_expressions_refused_fast_and_never_run(run, tmp_path, expr):
    marker = tmp_path / "ran"
    t0 = time.perf_counter()
    r = run("export", "torch", expr.replace("{marker}", str(marker)))
    assert time.perf_counter() - t0 < 1.0
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.count("\n") == 1
    assert not marker.exists()


BOMBS = [("torch", "LambdaLR(lambda e: 10**10**10)"),
         ("torch", "StepLR(step_size=((10**1000)**1000)**1000)"),
         ("torch", "LambdaLR(lambda e: pow(10, 10**10))"), ("torch", "LambdaLR(lambda e: 9**9**9)"),
         ("torch", "LambdaLR(lambda e: 2**2**e)"),
         ("torch", "MultiplicativeLR(lambda e: 10**10**10)"),
         ("torch", "LambdaLR(lambda e: int(1e300) * int(1e300))"),
         ("optax", "lambda t: 10**10**10"), ("torch", "StepLR(step_size=1" + "0" * 5000 + ")")]


@pytest.mark.parametrize("dialect, expr", BOMBS)
def test_arithmetic_bombs_are_refused_at_once(dialect, expr):
    """Issue 15.1: these ran until killed. Every integer an expression builds is bounded
    (MAX_INT_BITS), checked before the operation that would build it."""
    r = subprocess.run([LRSCHED, "export", dialect, expr, "--steps", "50"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.count("\n") == 1 and "internal error" not in r.stderr
    assert "refused" in r.stderr or "cannot parse" in r.stderr


def test_bounded_arithmetic_still_computes_what_frameworks_do(run):
    r = run("export", "torch", "LambdaLR(lambda e: 0.5 ** (e // 10) * 2**100 / 2**100)",
            "--steps", "30", "-f", "json")
    assert r.exit_code == 0, r.stderr
    import json

    assert json.loads(r.stdout)["lr"][25] == 0.25


def test_hostile_spec_file(run, tmp_path):
    marker = tmp_path / "ran"
    spec = tmp_path / "s.toml"
    spec.write_text(f'schedule = "torch"\nexpr = "__import__(\'os\').system(\'touch {marker}\')"\n')
    r = run("export", "--spec", str(spec))
    assert r.exit_code == 2 and "refused" in r.stderr and not marker.exists()


# -------------------------------------------------------------------------- metrics input

@pytest.mark.parametrize("content, column, expected", [
    ("0.5\n", None, [0.5]),
    ("\n1.0\n\n0.5\n\n", None, [1.0, 0.5]),
    ("loss\n1.0\n0.9\n", None, [1.0, 0.9]),
    ("1.0\r\n0.9\r\n", None, [1.0, 0.9]),
    ("# a comment\n1.0\n", None, [1.0]),
    ("epoch,val_loss\n0,1.0\n1,0.8\n", None, [1.0, 0.8]),
    ("epoch val_loss\n0 1.0\n1 0.8\n", None, [1.0, 0.8]),
    ("0 1.0 0.3\n1 0.8 0.2\n", "3", [0.3, 0.2]),
    ("step,loss,acc\n0,1.0,0.1\n1,0.9,0.2\n", "acc", [0.1, 0.2]),
])
def test_metrics_formats_read(tmp_path, content, column, expected):
    from lrsched_cli.files.metrics import read_metrics

    f = tmp_path / "m.txt"
    f.write_bytes(content.encode())
    assert read_metrics(str(f), column=column).tolist() == expected


@pytest.mark.parametrize("content, message", [
    ("", "holds no numbers"),
    ("\n\n# only comments\n", "holds no numbers"),
    ("1.0\nnan\n", "line 2: 'nan' is not a finite number"),
    ("1.0\n\n\n0.9x\n", "line 4: '0.9x' is not a number"),
    ("epoch,loss\n0,2\n3\n", "line 3: 1 fields, expected 2"),
    ("loss,acc\n1,2\n", "has 2 columns (loss, acc): choose one with --metrics-column"),
])
def test_metrics_refused_with_line_number(tmp_path, content, message):
    from lrsched_cli.errors import UsageError
    from lrsched_cli.files.metrics import read_metrics

    f = tmp_path / "m.txt"
    f.write_text(content)
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_metrics(str(f))


def test_large_metrics_file_is_read(tmp_path):
    import numpy as np

    from lrsched_cli.files.metrics import read_metrics

    values = np.linspace(1.0, 0.1, 300_000)
    f = tmp_path / "m.txt"
    f.write_text("\n".join(repr(x) for x in values.tolist()) + "\n")
    assert np.array_equal(read_metrics(str(f)), values)


# -------------------------------------------------------------------------- unbounded reads

@pytest.mark.parametrize("words, stdin", [
    (["table", "log", "/dev/zero"], None), (["table", "log", "/dev/urandom"], None),
    (["table", "plateau", "--metrics", "/dev/zero"], None),
    (["table", "plateau", "--metrics", "-"], "/dev/zero"), (["identify", "-"], "/dev/zero"),
    (["identify", "/dev/urandom"], None), (["table", "--spec", "{zero}"], None),
    (["table", "--spec", "{random}"], None), (["compare", "--spec", "{zero}"], None),
])
def test_endless_inputs_are_cut_off(tmp_path, words, stdin):
    """Issue 15.2: each of these grew to several GB before 'out of memory'. Input is read
    with a size bound, a line-length bound and no NUL in text: refused at once, exit 2."""
    (tmp_path / "z.toml").symlink_to("/dev/zero")
    (tmp_path / "r.json").symlink_to("/dev/urandom")
    words = [w.replace("{zero}", str(tmp_path / "z.toml")).replace("{random}",
             str(tmp_path / "r.json")) for w in words]
    with open(stdin or os.devnull, "rb") as fh:
        r = subprocess.run([LRSCHED, *words], stdin=fh, capture_output=True, text=True,
                           timeout=60)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.count("\n") == 1 and ("NUL" in r.stderr or "UTF-8" in r.stderr
                                         or "MiB" in r.stderr)


def test_a_stream_without_end_is_refused_at_the_size_bound(monkeypatch, tmp_path):
    import io

    from lrsched_cli.errors import UsageError
    from lrsched_cli.files import reading

    monkeypatch.setattr(reading, "MAX_INPUT_BYTES", 3 * 2**20)
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 64)
    monkeypatch.setattr(reading, "_CHUNK", 16)  # lines that run across many chunks
    with pytest.raises(UsageError, match="larger than 3 MiB"):
        reading._read_stream(io.BytesIO(b"1\n" * 2**21), "metrics", "from stdin", True, None)
    assert reading._read_stream(io.BytesIO(b"1\n" + b"9" * 64), "m", "x", True, None)
    with pytest.raises(UsageError, match="a line longer than"):  # across chunk boundaries
        reading._read_stream(io.BytesIO(b"1\n" + b"9" * 70), "metrics", "x", True, None)
    big = tmp_path / "big.txt"
    big.write_bytes(b"1\n" * (2 * 2**20))
    with pytest.raises(UsageError, match="is 4 MiB; lrsched reads at most 3 MiB"):
        reading.read_input(str(big), "metrics file")


def test_metrics_with_a_utf8_bom_keep_their_first_value(tmp_path):
    """Issue 15.6: the BOM made the first value read as a header."""
    from lrsched_cli.files.metrics import read_metrics

    f = tmp_path / "m.txt"
    f.write_bytes(b"\xef\xbb\xbf0.5\n0.4\n0.3\n")
    assert read_metrics(str(f)).tolist() == [0.5, 0.4, 0.3]


# -------------------------------------------------------------------------- nothing overwritten

def test_save_spec_is_written_only_after_success(tmp_path):
    """Issue 15.5: --save-spec replaced an existing file even when the run then failed."""
    spec = tmp_path / "keep.toml"
    spec.write_text('schedule = "step"\n')
    for words in (["export", "cosine", "-o", str(tmp_path / "no" / "x.csv")],
                  ["plot", "cosine", "-o", str(tmp_path / "no" / "x.png")],
                  ["export", "torch", "StepLR(step_size=3)", "-o", str(tmp_path / "no/x.csv")],
                  ["compare", "cosine", "step", "-o", str(tmp_path / "no" / "x.csv")]):
        r = _run(*words, "--save-spec", str(spec))
        assert r.returncode == 1, r.stderr
        assert spec.read_text() == 'schedule = "step"\n', words
    assert sorted(os.listdir(tmp_path)) == ["keep.toml"]
    r = _run("export", "cosine", "--steps", "5", "--save-spec", str(tmp_path / "x.txt"))
    # refused before any work
    assert r.returncode == 2 and r.stdout == "" and ".toml, .json or .yaml" in r.stderr
    r = _run("export", "cosine", "--steps", "5", "--save-spec", str(spec))
    assert r.returncode == 0 and 'schedule = "cosine"' in spec.read_text()


def test_replacing_keeps_the_mode_and_writes_through_symlinks(tmp_path):
    """Issue 15.5: an atomic replace turned a 0600 file into 0644 and replaced a symlink."""
    private = tmp_path / "private.csv"
    private.write_text("old\n")
    private.chmod(0o600)
    assert _run("export", "cosine", "--steps", "3", "-o", str(private)).returncode == 0
    assert (private.stat().st_mode & 0o777) == 0o600 and private.read_text().startswith("step")
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real.name)
    assert _run("export", "cosine", "--steps", "3", "-o", str(link)).returncode == 0
    assert link.is_symlink() and real.read_text().startswith("step,lr\n0,0.1")


def test_ctrl_c_during_start_up_is_quiet():
    """Issue 15.8: Ctrl-C while lrsched is still importing printed a traceback. From the
    entry point's first instruction an interrupt exits 130 without one (what the Python
    interpreter does before that, in its own start-up, is outside lrsched's reach)."""
    code = ("import signal, os, sys; sys.argv = ['lrsched', 'table', 'cosine'];"
            "import lrsched_cli.launch as L;"
            "import builtins; real = builtins.__import__\n"
            "def slow(name, *a, **k):\n"
            "    if name == 'typer': os.kill(os.getpid(), signal.SIGINT)\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = slow; L.main()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 130 and "Traceback" not in r.stderr, r.stderr


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "npy"])
def test_non_finite_rates_are_refused_not_written_as_null(run, tmp_path, fmt):
    """Issue 15.6: ExponentialLR(gamma=1e308) was written as null with exit 0."""
    out = tmp_path / f"x.{fmt}"
    r = run("export", "torch", "ExponentialLR(gamma=1e308)", "--steps", "5", "-o", str(out))
    assert r.exit_code == 2 and "inf at step 2" in r.stderr and not out.exists()


def test_a_log_of_a_hundred_thousand_columns_is_read_in_linear_time(tmp_path):
    """Issue 15.7: header.index inside a loop made a 10^5-column CSV take 61 s (0.6 s now;
    the timeout only catches a return of the quadratic cost)."""
    cols = 100_000
    path = tmp_path / "wide.csv"
    with open(path, "w") as f:
        f.write("step," + ",".join(f"m{i}" for i in range(cols)) + ",lr\n")
        for s in range(3):
            f.write(f"{s}," + ",".join("1" for _ in range(cols)) + f",{0.1 / (s + 1)}\n")
    r = subprocess.run([LRSCHED, "export", "log", str(path)], capture_output=True, text=True,
                       timeout=20)
    assert r.returncode == 0 and r.stdout.splitlines()[1:] == ["0,0.1", "1,0.05",
                                                               "2,0.03333333333333333"]
    r = subprocess.run([LRSCHED, "export", "log", str(path), "--column", "x"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 2 and "and 99,989 more" in r.stderr and len(r.stderr) < 1000


@pytest.mark.parametrize("value", ["x" * 100_000, "a\nb\rc", "\x00" * 10_000, "é\x1b[31m"])
def test_echoed_values_are_cut_and_escaped(value):
    """Issue 15.7/15.8: messages echoed a whole 50 MB value, raw newlines and NUL bytes."""
    from lrsched_cli.cli import one_line_message

    msg = one_line_message(f"invalid value for --lr-max: '{value}' (allowed: a number)")
    assert "\n" not in msg and "\r" not in msg and "\x00" not in msg and "\x1b" not in msg
    assert len(msg) <= 1000 and msg.endswith("(allowed: a number)")


def test_a_huge_csv_field_is_a_usage_error(run, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("step,lr\n0," + "9" * 900_000 + "\n")
    r = run("export", "log", str(path))
    assert r.exit_code == 2 and "internal error" not in r.stderr


@pytest.mark.parametrize("words", [
    ["table", "cosine", "--steps", "1e9"],
    ["find-lr", "--plot", "/nonexistent/x.png"],
    ["table", "log", "{hf}", "--at", "99999"],  # a note ('using key ...') on the way
    ["identify", "{hf}", "--top", "0"],
    ["plot", "cosine", "--title", "$\\frac{$", "-o", "{tmp}/t.png"],
    ["table", "cosine", "--lr-max", "\udcff\udcfe"],  # bytes that are not UTF-8, as argv has them
    ["export", "torch", "LambdaLR(lambda e: math.exp(1000 * e))", "--steps", "3"],
])
def test_failure_is_one_line_on_stderr_and_nothing_on_stdout(tmp_path, words):
    """Issue 15.8: on failure stdout stays empty and stderr is one line: no title printed
    first, no chart, no note before the error, no numpy or matplotlib warning."""
    hf = os.path.join(os.path.dirname(__file__), "logs", "hf", "trainer_state.json")
    words = [w.replace("{hf}", hf).replace("{tmp}", str(tmp_path)) for w in words]
    r = subprocess.run([LRSCHED, *[os.fsencode(w) for w in words]], capture_output=True,
                       timeout=60)
    assert r.returncode in (1, 2) and r.stdout == b"", r.stdout[:300]
    lines = r.stderr.decode("utf-8", "replace").splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrsched: error: "), r.stderr
    assert "internal error" not in lines[0]


def test_notes_are_said_after_success(run):
    hf = os.path.join(os.path.dirname(__file__), "logs", "hf", "trainer_state.json")
    r = run("export", "log", hf)
    assert r.exit_code == 0 and "using key 'learning_rate'" in r.stderr


@pytest.mark.parametrize("content, message", [
    ('{"schedules": 5}', "not a list of schedules"),
    ('{"lr": [0.1, null]}', "'lr'[1] is null, not a number"),
    ('{"lr": ["a"]}', "is \"a\", not a number"),
    ('{"lr": [[0.1]]}', "is [0.1], not a number"),
    ('{"lr": [0.1, 0.2], "step": [0, 1e30]}', "not a whole step"),
    ('{"lr": [0.1], "step": [Infinity]}', "not a whole step"),
    ('{"log_history": [{"step": 1, "learning_rate": 0.1},'
     ' {"step": 100000000000000000000000000000, "learning_rate": 0.1}]}', "not a whole step"),
    ('{"step": 1e30, "lr": 0.1}\n{"step": 2, "lr": 0.1}\n', "no whole 'step'"),
])
def test_hostile_log_values_are_usage_errors(run, tmp_path, content, message):
    """Issue 15.4: null, strings or lists as the lr, steps of 1e30 or inf, {"schedules": 5}
    ended in "internal error"."""
    path = tmp_path / "log.json"
    path.write_text(content)
    r = run("table", "log", str(path))
    assert r.exit_code == 2 and message in r.stderr, r.stderr


@pytest.mark.parametrize("array", ["strings", "structured"])
def test_npy_logs_of_non_numbers_are_refused(run, tmp_path, array):
    import numpy as np

    path = tmp_path / "log.npy"
    np.save(path, np.array(["a", "b"]) if array == "strings"
            else np.zeros(3, dtype=[("a", "f8"), ("b", "i4")]))
    r = run("table", "log", str(path))
    assert r.exit_code == 2 and "a log is an array of numbers" in r.stderr


def test_specs_that_do_not_split_are_refused_everywhere(run):
    for words in (["simulate", "'unclosed"], ["compare", "'unclosed", "cosine"],
                  ["compare", "recipe bert", "", "cosine"]):
        r = run(*words)
        assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "internal" not in r.stderr
