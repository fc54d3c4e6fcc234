"""Weights & Biases logs (issue 18.3): offline runs made by the real wandb SDK and the CSV
exports of those runs (tests/logs/wandb_logs/generate_wandb.py, run by hand with wandb,
torch and transformers; truth recorded from the optimizer while each run logged).

The CSV tests need nothing; the run-file tests need the wandb SDK (the extra
``lrsched-cli[wandb]``) and are skipped where it is not installed.
"""

from __future__ import annotations

import builtins
import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from lrsched_cli.analysis.difference import difference
from lrsched_cli.sources.logs import read
from lrsched_cli.sources.specs import parse_spec

HERE = Path(__file__).parent / "logs" / "wandb_logs"
TRUTH = json.loads((HERE / "truth.json").read_text())
CSV = HERE / "csv"
RUNS = HERE / "runs" / "wandb"


def truth(case: str) -> tuple[list[int], list[float]]:
    pairs = TRUTH[case]["truth"]
    return [int(s) for s, _ in pairs], [float(v) for _, v in pairs]


def run_file(case: str) -> Path:
    return HERE / TRUTH[case]["file"]


_spec = importlib.util.find_spec("wandb")
needs_wandb = pytest.mark.skipif(_spec is None or _spec.origin in (None, "namespace"),
                                 reason="the wandb SDK is not installed (lrsched-cli[wandb])")


# ------------------------------------------------------------------ CSV exports (no SDK)

@pytest.mark.parametrize("name,case", [("wandb_export_lr.csv", "step_kwarg"),
                                       ("wandb_export_hf.csv", "hf_trainer"),
                                       ("history.csv", "hf_trainer")])
def test_csv_exports_hold_the_logged_rates_at_the_logged_steps(name, case):
    log = read(str(CSV / name))
    steps, values = truth(case)
    assert log.column == TRUTH["csv"][name]["column"]
    assert log.steps.tolist() == steps and log.values.tolist() == values
    assert not log.float32 and log.unit == "step"
    assert log.fmt == ("wandb-history" if name == "history.csv" else "wandb-csv")


def test_history_csv_counts_the_trainers_step_not_wandbs(run):
    r = run("export", "log", str(CSV / "history.csv"))
    assert r.exit_code == 0, r.stderr
    note = " ".join(r.stderr.split())
    assert "using column 'train/learning_rate'" in note
    assert "steps from 'train/global_step'" in note and "_step counts log calls" in note
    rows = [ln.split(",") for ln in r.stdout.splitlines()[1:]]
    assert rows[0] == ["2", "0.0001"] and rows[-1][0] == "40" and len(rows) == 20


def test_a_chart_of_two_runs_needs_a_column(run):
    path = str(CSV / "wandb_export_two_runs.csv")
    r = run("export", "log", path)
    assert r.exit_code == 2 and "2 learning-rate columns" in r.stderr
    assert "cosine-warmup - train/lr" in r.stderr and "step-decay - train/lr" in r.stderr
    log = read(path, "step-decay - train/lr")
    assert (log.steps.tolist(), log.values.tolist()) == truth("auto_step")
    log = read(path, "cosine-warmup - train/lr")
    assert (log.steps.tolist(), log.values.tolist()) == truth("step_kwarg")


def test_the_metric_name_picks_the_column_of_a_one_run_chart():
    log = read(str(CSV / "wandb_export_lr.csv"), "train/lr")
    assert log.column == "cosine-warmup - train/lr" and not log.note


def test_the_chart_export_is_the_schedule_the_run_used():
    d = difference(parse_spec(f"log {CSV / 'wandb_export_lr.csv'}").series, parse_spec(
        "torch 'LambdaLR(lr_lambda=lambda s: (s + 1) / 5 if s < 5 else 0.5 * (1 + math.cos("
        "math.pi * (s - 5) / 35)))' --base-lr 0.1 --steps 40").series).as_json()
    assert d["identical"] and d["tolerance"] == 1e-12


def test_the_hf_trainer_via_wandb_logs_the_rate_the_update_used():
    d = difference(parse_spec(f"log {CSV / 'wandb_export_hf.csv'}").series, parse_spec(
        "hf 'get_cosine_schedule_with_warmup(num_warmup_steps=5, num_training_steps=40)' "
        "--base-lr 5e-4 --steps 41").series).as_json()
    assert d["shift"] == -1  # as trainer_state.json: global_step after the update


def _edited(tmp_path: Path, name: str, edit) -> Path:
    lines = (CSV / name).read_text().split("\n")
    out = tmp_path / name
    out.write_text("\n".join(edit(lines)))
    return out


def test_a_groups_mean_is_named(tmp_path):
    def spread(lines):  # a group of runs: __MIN and __MAX differ at step 7
        cells = lines[8].split(",")
        cells[2] = '"0.05"'
        return [*lines[:8], ",".join(cells), *lines[9:]]

    log = read(str(_edited(tmp_path, "wandb_export_lr.csv", spread)))
    assert "is the mean of a group of runs" in log.note and "first at Step 7" in log.note


@pytest.mark.parametrize("edit,message", [
    (lambda ls: ['"Relative Time (Process)"' + ls[0][len('"Step"'):], *ls[1:]],
     "a W&B chart export against 'Relative Time (Process)', not a step"),
    (lambda ls: ['"Name","State","Runtime","train/lr"', '"cosine-warmup","finished","3","0.1"'],
     "a W&B runs table export: one row per run"),
    (lambda ls: [ln.replace("cosine-warmup - train/lr", "lr-0.1 - train/loss") for ln in ls],
     "no learning-rate column found; it holds 'lr-0.1 - train/loss' (40 values)"),
])
def test_exports_that_are_not_a_history_are_refused(run, tmp_path, edit, message):
    r = run("export", "log", str(_edited(tmp_path, "wandb_export_lr.csv", edit)))
    assert r.exit_code == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_a_run_without_the_sdk_names_the_extra(run, monkeypatch):
    real_find, real_import = importlib.util.find_spec, builtins.__import__

    def no_wandb(name, *a, **k):
        if name.startswith("wandb"):
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "wandb" else real_find(name, *a))
    monkeypatch.setattr(builtins, "__import__", no_wandb)
    for path in (run_file("step_kwarg"), run_file("step_kwarg").parent):
        r = run("export", "log", str(path))
        assert r.exit_code == 1, r.stderr
        assert 'pip install "lrsched-cli[wandb]"' in r.stderr
        assert "is a Weights & Biases run" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------ run files (the wandb SDK)

@needs_wandb
@pytest.mark.parametrize("case", ["step_kwarg", "auto_step", "hf_trainer"])
def test_each_run_is_read_as_it_logged(case):
    for path in (run_file(case), run_file(case).parent):  # the .wandb file, its run folder
        log = read(str(path))
        assert log.fmt == "wandb" and log.column == TRUTH[case]["key"]
        assert (log.steps.tolist(), log.values.tolist()) == truth(case)
        assert not log.float32


@needs_wandb
def test_a_declared_step_metric_is_the_step(run):
    r = run("export", "log", str(run_file("hf_trainer").parent))
    assert r.exit_code == 0, r.stderr
    note = " ".join(r.stderr.split())
    assert "using key 'train/learning_rate'" in note
    assert "steps from 'train/global_step', the run's define_metric step" in note


@needs_wandb
@pytest.mark.parametrize("name,case", [("wandb_export_lr.csv", "step_kwarg"),
                                       ("wandb_export_hf.csv", "hf_trainer"),
                                       ("history.csv", "hf_trainer")])
def test_the_run_file_and_its_exports_agree(name, case):
    a, b = read(str(run_file(case))), read(str(CSV / name))
    assert a.steps.tolist() == b.steps.tolist() and a.values.tolist() == b.values.tolist()


@needs_wandb
def test_a_folder_of_runs_asks_for_one(run, tmp_path):
    r = run("export", "log", str(RUNS))
    assert r.exit_code == 2 and "a folder of 3 W&B runs" in r.stderr, r.stderr
    # a wandb/ folder of one run (with its latest-run link) is that run
    wandb = tmp_path / "wandb"
    shutil.copytree(run_file("auto_step").parent, wandb / run_file("auto_step").parent.name)
    (wandb / "latest-run").symlink_to(run_file("auto_step").parent.name)
    log = read(str(wandb))
    assert (log.steps.tolist(), log.values.tolist()) == truth("auto_step")


@needs_wandb
def test_a_run_file_from_stdin(run):
    r = run("export", "log", "-", input=run_file("step_kwarg").read_bytes())
    assert r.exit_code == 0, r.stderr
    rows = [ln.split(",") for ln in r.stdout.splitlines()[1:]]
    steps, values = truth("step_kwarg")
    assert [int(s) for s, _ in rows] == steps
    assert np.array_equal([float(v) for _, v in rows], values)


@needs_wandb
def test_an_interrupted_run_is_read_up_to_where_it_stops(tmp_path):
    data = run_file("step_kwarg").read_bytes()
    cut = tmp_path / "run-cut.wandb"
    cut.write_bytes(data[: len(data) * 2 // 3])  # the run killed while writing a record
    log = read(str(cut))
    steps, values = truth("step_kwarg")
    assert 0 < len(log.steps) < len(steps)
    assert log.values.tolist() == values[: len(log.steps)]
    assert "ends mid-record" in log.note


@needs_wandb
def test_a_corrupt_run_file_is_refused(run, tmp_path):
    data = bytearray(run_file("step_kwarg").read_bytes())
    data[len(data) // 3] ^= 0xFF
    bad = tmp_path / "run-bad.wandb"
    bad.write_bytes(bytes(data))
    r = run("export", "log", str(bad))
    assert r.exit_code == 2 and "cannot read W&B run file" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["export", "cosine"], ["table", "cosine"],
                                  ["export", "log", str(CSV / "wandb_export_lr.csv")],
                                  ["export", "log", str(CSV / "history.csv")]])
def test_only_a_run_file_imports_wandb(args):
    from .probe import modules_loaded, top_level

    loaded = modules_loaded(args, env={"COLUMNS": "80"})
    assert top_level(loaded, "wandb", "tensorboard", "google") == []
