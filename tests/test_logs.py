"""Reading logs that the real loggers wrote (tests/logs/generate.py, run by hand with torch,
tensorboard, lightning, transformers, mlflow and keras; truth recorded from the optimizer
during each run), and diffing them against the schedule that was meant."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lrsched_cli.analysis.difference import difference
from lrsched_cli.sources.logs import log_series, read
from lrsched_cli.sources.specs import parse_spec

LOGS = Path(__file__).parent / "logs"
TRUTH = json.loads((LOGS / "truth.json").read_text())


def truth(case: str, key: str = "truth") -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array(TRUTH[case][key], dtype=np.float64)
    return pairs[:, 0].astype(np.int64), pairs[:, 1]


def f32(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32).astype(np.float64)


@pytest.mark.parametrize("case,column,stored", [
    ("tb_dense", None, "float32"), ("tb_after", None, "float32"),
    ("tb_csv", None, "float32"), ("lightning_epoch", None, "exact"),
    ("hf", None, "exact"), ("hf_sparse", None, "exact"), ("mlflow", None, "exact"),
    ("keras_epochfn", None, "float32"),
    ("lightning_step", "lr-AdamW/pg1", "exact"),
])
def test_each_logger_is_read_as_the_run_recorded_it(case, column, stored):
    path = LOGS / TRUTH[case]["file"]
    log = read(str(path), column)
    steps, values = truth(case)
    assert log.steps.tolist() == steps.tolist()
    want = f32(values) if stored == "float32" else values
    assert log.values.tolist() == want.tolist()
    assert log.float32 == (stored == "float32")


def test_tensorboard_run_folder_and_tag_choice(run):
    r = run("export", "log", str(LOGS / "tb_dense"))
    assert r.exit_code == 0, r.stderr
    assert "using tag 'lr'" in r.stderr  # train/loss is the other tag
    rows = [ln.split(",") for ln in r.stdout.splitlines()[1:]]
    assert len(rows) == 60 and rows[0] == ["0", "0.10000000149011612"]
    r = run("export", "log", str(LOGS / "tb_dense"), "--tag", "nope")
    assert r.exit_code == 2 and "no tag 'nope'" in r.stderr and "'train/loss'" in r.stderr


def test_lightning_two_groups_need_a_column(run):
    r = run("export", "log", str(LOGS / "lightning_step/metrics.csv"))
    assert r.exit_code == 2
    assert "lr-AdamW/pg1" in r.stderr and "lr-AdamW/pg2" in r.stderr and "--column" in r.stderr
    steps, values = np.array(TRUTH["lightning_step"]["series"]["lr-AdamW/pg2"]).T
    log = read(str(LOGS / "lightning_step/metrics.csv"), "lr-AdamW/pg2")
    assert log.values.tolist() == values.tolist()


def test_keras_schedule_log_is_what_keras_returned():
    for case in ("keras", "keras_val"):
        log = read(str(LOGS / TRUTH[case]["file"]))  # val_learning_rate (NA or a copy) skipped
        assert log.column == "learning_rate" and log.unit == "epoch"
        steps, values = truth(case, "optimizer_read")
        assert log.values.tolist() == values.tolist()
        _, exact = truth(case)  # Keras computes in float32: about 1e-6 from the closed form
        assert np.max(np.abs(log.values - exact) / exact) < 1e-6


def _diff(a: str, b: str) -> dict:
    s = [parse_spec(a).series, parse_spec(b).series]
    return difference(s[0], s[1]).as_json()


def test_tensorboard_log_equals_the_torch_schedule_within_float32():
    d = _diff(f"log {LOGS / 'tb_dense'}",
              "torch 'CosineAnnealingLR(T_max=60, eta_min=0.001)' --base-lr 0.1 --steps 60")
    assert d["identical"] and d["tolerance"] == 1e-6


def test_logging_after_the_update_is_named_as_a_shift(run):
    d = _diff(f"log {LOGS / 'tb_after'}",
              "torch 'StepLR(step_size=10, gamma=0.5)' --base-lr 0.1 --steps 61")
    assert not d["identical"] and d["shift"] == -1 and d["first_difference"] == 10
    r = run("compare", f"log {LOGS / 'tb_after'}",
            "torch 'StepLR(step_size=10, gamma=0.5)' --base-lr 0.1 --steps 61")
    text = " ".join(r.stdout.split())
    assert "identical within 1e-06 x peak (the log holds float32) if shifted by -1 step (the " \
           "log's step counts updates done)" in text


@pytest.mark.parametrize("case,spec", [
    ("hf", "hf 'get_cosine_schedule_with_warmup(num_warmup_steps=5, num_training_steps=40)' "
           "--base-lr 5e-4 --steps 41"),
    ("hf_sparse", "hf 'get_linear_schedule_with_warmup(num_warmup_steps=5, "
                  "num_training_steps=40)' --base-lr 5e-4 --steps 41"),
])
def test_hf_trainer_logs_the_rate_the_update_used(case, spec):
    d = _diff(f"log {LOGS / TRUTH[case]['file']}", spec)
    assert d["shift"] == -1  # transformers >= 4.51: global_step after the update


def test_epoch_log_lines_up_with_a_per_epoch_schedule():
    d = _diff(f"log {LOGS / 'lightning_epoch/metrics.csv'}",
              "step --timing torch --initial-lr 0.1 --decay-factor 0.5 --step-size 2 --steps 6 "
              "--per-epoch --steps-per-epoch 10")
    assert d["identical"] and d["tolerance"] == 1e-12


@pytest.mark.parametrize("spec", [
    "torch 'StepLR(step_size=2, gamma=0.5)' --base-lr 0.1 --steps 6 --per-epoch "
    "--steps-per-epoch 10",
    "torch 'MultiStepLR(milestones=[2, 4], gamma=0.5)' --base-lr 0.1 --steps 6ep --per-epoch "
    "--steps-per-epoch 10",
    "torch 'StepLR(step_size=2, gamma=0.5)' --base-lr 0.1 --steps 6 --per-epoch "
    "--dataset-size 100 --batch-size 10",
])
def test_epoch_log_lines_up_with_a_per_epoch_dialect(spec):
    """Issue 14.6: --per-epoch was refused on dialect specs."""
    d = _diff(f"log {LOGS / 'lightning_epoch/metrics.csv'}", spec)
    assert d["identical"] and d["tolerance"] == 1e-12


def test_mlflow_metric_file(run):
    d = _diff(f"log {LOGS / 'mlflow/metrics/lr'}",
              "torch 'ExponentialLR(gamma=0.95)' --base-lr 0.1 --steps 30")
    assert d["identical"]
    r = run("compare", f"log {LOGS / 'mlflow/metrics/lr'}",
            "torch 'ExponentialLR(gamma=0.95)' --base-lr 0.1 --steps 30", "-f", "json")
    doc = json.loads(r.stdout)
    assert doc["diff"] == {"identical": True, "shift": None, "tolerance": 1e-12,
                           "first_difference": None, "max_abs": 0.0, "max_rel": 0.0} or (
        doc["diff"]["identical"] and doc["diff"]["max_rel"] < 1e-15)


def test_step_offset_shifts_the_logged_steps():
    s = log_series(str(LOGS / "tb_after"), step_offset=-1, quiet=True)
    assert s.steps[0] == 0
    d = difference(s, parse_spec("torch 'StepLR(step_size=10, gamma=0.5)' --base-lr 0.1 "
                                 "--steps 60").series)
    assert d.identical


@pytest.mark.parametrize("case,column,family,offset", [
    ("mlflow", None, "exponential", 0),  # ExponentialLR(gamma=0.95)
    ("tb_dense", None, "cosine", 0),  # CosineAnnealingLR, float32
    ("tb_after", None, "step", -1),  # StepLR logged after the update
    ("hf", None, "cosine", -1),  # get_cosine_schedule_with_warmup, Trainer's 1-based step
    ("hf_sparse", None, "linear", -1),  # get_linear_schedule_with_warmup, every 5th step
    ("lightning_step", "lr-AdamW/pg1", "one-cycle", 0),  # OneCycleLR
    ("keras_epochfn", None, "step", 0),  # 0.1 * 0.5 ** (epoch // 2)
])
def test_identify_names_real_framework_logs(run, case, column, family, offset):
    args = ["identify", str(LOGS / TRUTH[case]["file"]), "-f", "json"]
    r = run(*args, *(["--column", column] if column else []))
    assert r.exit_code == 0, r.stderr
    best = json.loads(r.stdout)["candidates"][0]
    assert best["fits"], best
    assert best["spec"].split()[0] == family and best["step_offset"] == offset
    # the spec, shifted as stated, reproduces every logged value
    log = read(str(LOGS / TRUTH[case]["file"]), column)
    again = parse_spec(best["spec"]).series.values[log.steps + offset]
    assert np.max(np.abs(again - log.values) / np.abs(log.values).max()) <= 1e-6


@pytest.mark.parametrize("text,message", [
    ("step,lr\n0,0.1\n1,abc\n", "line 3: 'abc' is not a number"),
    ("step,lr\n0,0.1\n0,0.2\n", "step 0 is logged twice with different values"),
    ("step,lr\n0,0.1\n1,-0.2\n", "line 3: negative learning rate"),
    ("step,lr\n0,0.1\n1,inf\n", "line 3: learning rate inf is not a finite number"),
    ("step,loss\n0,1.5\n", "no learning-rate column found; it holds 'loss'"),
    ("step,lr\n0,0.1,3\n", "line 2: 3 cells, the header has 2"),
    ("", "the file is empty"),
])
def test_bad_logs_are_refused_with_the_line(run, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    r = run("export", "log", str(path))
    assert r.exit_code == 2 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_crlf_na_blank_and_unsorted_rows_are_handled(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"epoch,lr,loss\r\n2,0.025,NA\r\n0,0.1,\r\n1,,0.3\r\n1,0.05,NA\r\n"
                     b"1,0.05,0.2\r\n")
    log = read(str(path))
    assert log.steps.tolist() == [0, 1, 2] and log.values.tolist() == [0.1, 0.05, 0.025]


def test_tensorboard_without_the_package_names_the_extra(run, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_tb(name, *a, **k):
        if name.startswith("tensorboard"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_tb)
    r = run("export", "log", str(LOGS / "tb_dense"))
    assert r.exit_code == 1 and "lrsched-cli[tensorboard]" in r.stderr


def test_a_sparse_log_has_no_budget_in_the_table(run):
    r = run("table", "log", str(LOGS / "hf_sparse/trainer_state.json"))
    assert r.exit_code == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if "budget" in ln)
    assert line.split()[-1] == "-"
    assert "step" in r.stdout and "40" in r.stdout  # the logged steps, as logged



def test_compare_save_spec_round_trips_logs_and_recipes(run, tmp_path):
    spec = tmp_path / "s.toml"
    args = ["recipe llama2 --steps 3000", f"log {LOGS / 'mlflow/metrics/lr'}"]
    a = run("compare", *args, "--save-spec", str(spec), "-f", "csv")
    b = run("compare", "--spec", str(spec), "-f", "csv")
    assert a.exit_code == 0 and b.exit_code == 0, b.stderr
    assert a.stdout == b.stdout


def test_epoch_log_of_a_step_schedule_lines_up_with_step_scale():
    # Keras reads the schedule at on_epoch_end: epoch e holds schedule(4 * (e + 1))
    d = _diff(f"log {LOGS / 'keras/log.csv'} --step-scale 4 --step-offset 4",
              "keras 'CosineDecay(0.1, decay_steps=32, alpha=0.01)' --steps 33")
    assert d["identical"] and d["tolerance"] == 1e-6
