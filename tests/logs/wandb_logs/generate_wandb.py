"""Regenerate the Weights & Biases fixtures under tests/logs/wandb_logs/ (by hand; not a test).

The folder is not called ``wandb``: on sys.path (pytest puts tests/logs there to import
tests/logs/generate.py for its doctests) it would pass for the wandb package.

Three real offline runs of the wandb SDK (``WANDB_MODE=offline``: no network, no account),
each a tiny CPU training loop with a real torch optimizer and scheduler:

- ``step_kwarg``: ``run.log({"train/lr": ..., "train/loss": ...}, step=i)`` before every
  update (a LambdaLR with a linear warmup then a cosine decay), plus ``val/loss`` every
  10 steps at the same ``step=``;
- ``auto_step``: ``run.log({"train/lr": ..., "train/loss": ...})`` without ``step=``
  (StepLR), so W&B's own ``_step`` (the count of log calls) is the step;
- ``hf_trainer``: the Hugging Face Trainer with ``report_to="wandb"`` (its WandbCallback
  logs ``train/learning_rate`` with ``train/global_step`` and declares
  ``define_metric("*", step_metric="train/global_step")``), a cosine schedule with warmup,
  logged every 2nd update.

Each run leaves its run folder ``runs/wandb/offline-run-<time>-<id>/``; only the
``run-<id>.wandb`` file (the SDK's record log of protobufs) is kept. truth.json records,
per run, the learning rates read from the optimizer when they were logged, at the step they
were logged with.

The CSV files are the two CSV shapes a W&B user gets, written from these runs' own
records as the SDK reads them back (``wandb leet inspect --json``, the SDK's reader):

- ``csv/wandb_export_*.csv``: a chart panel's "Export as CSV" in the W&B web app. Its
  layout is the one real exports have (checked against exports committed to public
  repositories, 2022 and 2024): every cell quoted, LF line ends and none after the last
  row, the x-axis first (``Step``, or the custom x-axis metric such as
  ``train/global_step``), then for each run ``<run name> - <metric>``, ``... __MIN`` and
  ``... __MAX`` (equal for a single run; a group's mean, min and max for a group), empty
  cells (``""``) where a run has no value at that x, numbers as JavaScript prints them
  (``0.00005``, ``1e-7``). The web app cannot be reached from here, so these are written
  by this script, not downloaded;
- ``csv/history.csv``: a run's full history as the W&B docs export it,
  ``run.history().to_csv("metrics.csv")`` (pandas: an unnamed index column, ``_step``,
  ``_runtime``, ``_timestamp`` and the metric columns, empty cells where a row lacks a
  metric).

Run from the repository root, in a throw-away venv:

    python3 -m venv /tmp/wb
    /tmp/wb/bin/pip install wandb transformers accelerate pandas torch==2.13.0
    /tmp/wb/bin/python tests/logs/wandb_logs/generate_wandb.py

Versions it was last run with are written to truth.json["_versions"]. Seeds are fixed;
wall times, run folder names and the host inside the .wandb files change from run to run.
The heavy imports live inside functions so that pytest's --doctest-modules can import this
module without them.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 0
PROJECT = "lrsched-fixtures"


def _settings():
    import wandb

    # nothing but the run's own records: no system metrics, no git, no code, no console
    return wandb.Settings(mode="offline", x_disable_stats=True, x_disable_machine_info=True,
                          disable_git=True, save_code=False, console="off",
                          x_save_requirements=False, silent=True)


def _tiny_regression(n: int, seed: int = SEED):
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * torch.randn(n, 1, generator=g)
    return x, y


def _keep(run_dir: Path) -> Path:
    """Keep the run's .wandb file under runs/wandb/<its run folder>/ and return it."""
    dest = HERE / "runs" / "wandb" / run_dir.name
    dest.mkdir(parents=True)
    (src,) = run_dir.glob("*.wandb")
    shutil.copyfile(src, dest / src.name)
    return dest / src.name


def _rel(p: Path) -> str:
    return p.resolve().relative_to(HERE).as_posix()


# --------------------------------------------------------------------------- torch loops


def case_step_kwarg(tmp: Path) -> dict:
    import torch
    import wandb

    torch.manual_seed(SEED)
    x, y = _tiny_regression(40)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    warmup, total = 5, 40

    def lr_lambda(s: int) -> float:  # linear warmup, then cosine to 0 (as HF's is built)
        if s < warmup:
            return (s + 1) / warmup
        return 0.5 * (1.0 + math.cos(math.pi * (s - warmup) / (total - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    run = wandb.init(project=PROJECT, name="cosine-warmup", id="lrstepkw", dir=str(tmp),
                     config={"lr": 0.1, "warmup": warmup, "steps": total},
                     settings=_settings())
    truth = []
    for i in range(total):
        lr = opt.param_groups[0]["lr"]
        loss = torch.nn.functional.mse_loss(model(x[i:i + 1]), y[i:i + 1])
        run.log({"train/lr": lr, "train/loss": loss.item()}, step=i)
        if i % 10 == 0:
            run.log({"val/loss": loss.item() * 1.5}, step=i)
        truth.append([i, lr])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    run_dir = Path(run.dir).parent
    run.finish()
    return {"file": run_dir, "key": "train/lr", "truth": truth,
            "code": "LambdaLR(SGD(lr=0.1), warmup 5 then cosine over 35), "
                    "run.log({'train/lr': lr}, step=i) before update i"}


def case_auto_step(tmp: Path) -> dict:
    import torch
    import wandb

    torch.manual_seed(SEED)
    x, y = _tiny_regression(32)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.5)
    run = wandb.init(project=PROJECT, name="step-decay", id="lrautost", dir=str(tmp),
                     config={"lr": 0.01}, settings=_settings())
    truth = []
    for i in range(32):
        lr = opt.param_groups[0]["lr"]
        loss = torch.nn.functional.mse_loss(model(x[i:i + 1]), y[i:i + 1])
        run.log({"train/lr": lr, "train/loss": loss.item()})  # no step=: _step is i
        truth.append([i, lr])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    run_dir = Path(run.dir).parent
    run.finish()
    return {"file": run_dir, "key": "train/lr", "truth": truth,
            "code": "StepLR(Adam(lr=0.01), step_size=8, gamma=0.5), "
                    "run.log({'train/lr': lr}) before every update (W&B's _step)"}


def case_hf_trainer(tmp: Path) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    import wandb
    from transformers import Trainer, TrainerCallback, TrainingArguments

    torch.manual_seed(SEED)

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(4, 1)

        def forward(self, x, labels=None):
            pred = self.lin(x).squeeze(-1)
            out = {"logits": pred}
            if labels is not None:
                out["loss"] = torch.nn.functional.mse_loss(pred, labels)
            return out

    class DS(torch.utils.data.Dataset):
        def __init__(self, n, seed):
            self.x, y = _tiny_regression(n, seed)
            self.y = y.squeeze(-1)

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return {"x": self.x[i], "labels": self.y[i]}

    on_log: list[list] = []
    per_update: list[list] = []

    class Recorder(TrainerCallback):
        def on_pre_optimizer_step(self, args, state, control, optimizer=None, **kwargs):
            per_update.append([state.global_step + 1, optimizer.param_groups[0]["lr"]])

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "learning_rate" in logs:
                on_log.append([state.global_step, logs["learning_rate"]])

    # the Trainer's WandbCallback logs into the run that is open (it opens one only if none is)
    os.environ.update(WANDB_LOG_MODEL="false", WANDB_WATCH="false")
    run = wandb.init(project=PROJECT, name="hf-cosine", id="lrhftrnr", dir=str(tmp),
                     settings=_settings())
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, max_steps=40, learning_rate=5e-4, lr_scheduler_type="cosine",
            warmup_steps=5, logging_steps=2, eval_strategy="steps", eval_steps=20,
            save_strategy="no", per_device_train_batch_size=4, per_device_eval_batch_size=4,
            report_to="wandb", run_name="hf-cosine", use_cpu=True, seed=SEED,
            data_seed=SEED, dataloader_num_workers=0, disable_tqdm=True)
        trainer = Trainer(model=Tiny(), args=args, train_dataset=DS(32, SEED),
                          eval_dataset=DS(8, SEED + 1), callbacks=[Recorder()])
        trainer.train()
    run_dir = Path(run.dir).parent
    run.finish()
    return {"file": run_dir, "key": "train/learning_rate", "truth": on_log,
            "per_update": per_update,
            "code": "HF Trainer, report_to='wandb', lr_scheduler_type='cosine', "
                    "warmup_steps=5, max_steps=40, logging_steps=2, learning_rate=5e-4"}


# --------------------------------------------------------------------------- CSV exports


def _records(path: Path) -> list[dict]:
    """The run's records as the SDK reads them back (wandb-core's JSON)."""
    proc = subprocess.run([sys.executable, "-m", "wandb", "leet", "inspect", "--json",
                           str(path)], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def _history(path: Path) -> list[dict]:
    return [r["history"]["item"] for r in _records(path) if r["type"] == "history"]


def _js_number(x: float | int) -> str:
    """A number as JavaScript's Number.prototype.toString writes it (the web app's CSV).

    The digits are the shortest that round-trip, as Python's repr; JavaScript writes plain
    decimals from 1e-7 up to 1e21 (``0.00005``) and exponents outside (``1e-7``, ``1.5e+21``).

    >>> [_js_number(v) for v in (0.1, 5e-05, 1e-07, 2.5e-07, 3, 1.0, 123.25, 1e21)]
    ['0.1', '0.00005', '1e-7', '2.5e-7', '3', '1', '123.25', '1e+21']
    """
    from decimal import Decimal

    sign, ds, ex = Decimal(repr(float(x))).normalize().as_tuple()
    s = "".join(map(str, ds))
    n = len(s) + ex  # the decimal point sits after n digits
    neg = "-" if sign else ""
    if -6 < n <= 21:
        if n <= 0:
            return f"{neg}0.{'0' * -n}{s}"
        if n >= len(s):
            return f"{neg}{s}{'0' * (n - len(s))}"
        return f"{neg}{s[:n]}.{s[n:]}"
    body = s[0] + ("." + s[1:] if len(s) > 1 else "")
    return f"{neg}{body}e{'+' if n - 1 > 0 else '-'}{abs(n - 1)}"


def _panel_csv(out: Path, x_key: str, x_name: str, metric: str,
               runs: list[tuple[str, list[dict]]]) -> None:
    """A line plot of ``metric`` against ``x_key`` for ``runs``, exported as the app does."""
    header = [x_name]
    for name, _ in runs:
        header += [f"{name} - {metric}", f"{name} - {metric}__MIN", f"{name} - {metric}__MAX"]
    points: dict[int, list[str]] = {}
    for k, (_, rows) in enumerate(runs):
        for row in rows:
            if metric in row and x_key in row:
                cells = points.setdefault(int(row[x_key]), [""] * (3 * len(runs)))
                cells[3 * k: 3 * k + 3] = [_js_number(row[metric])] * 3
    lines = [",".join(f'"{h}"' for h in header)]
    for x in sorted(points):
        lines.append(",".join(f'"{c}"' for c in [str(x), *points[x]]))
    out.write_bytes("\n".join(lines).encode())  # LF, no newline after the last row


def _history_csv(out: Path, rows: list[dict]) -> None:
    import pandas as pd

    pd.DataFrame.from_records(rows).to_csv(out)  # as run.history().to_csv(...) writes it


def _versions() -> dict:
    from importlib.metadata import version

    v = {"python": sys.version.split()[0]}
    for pkg in ("wandb", "torch", "transformers", "accelerate", "pandas"):
        v[pkg] = version(pkg)
    return v


def main() -> None:
    import torch

    torch.set_num_threads(1)
    for sub in ("runs", "csv"):
        if (HERE / sub).exists():
            shutil.rmtree(HERE / sub)
    (HERE / "csv").mkdir()
    truth: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        truth["step_kwarg"] = case_step_kwarg(Path(tmp))
        truth["auto_step"] = case_auto_step(Path(tmp))
        truth["hf_trainer"] = case_hf_trainer(Path(tmp))
        import wandb

        wandb.teardown()  # the service has written every record once it is shut down
        for case in truth.values():
            case["file"] = _rel(_keep(case["file"]))
    hist = {case: _history(HERE / truth[case]["file"]) for case in truth}
    _panel_csv(HERE / "csv/wandb_export_lr.csv", "_step", "Step", "train/lr",
               [("cosine-warmup", hist["step_kwarg"])])
    _panel_csv(HERE / "csv/wandb_export_two_runs.csv", "_step", "Step", "train/lr",
               [("cosine-warmup", hist["step_kwarg"]), ("step-decay", hist["auto_step"])])
    _panel_csv(HERE / "csv/wandb_export_hf.csv", "train/global_step", "train/global_step",
               "train/learning_rate", [("hf-cosine", hist["hf_trainer"])])
    _history_csv(HERE / "csv/history.csv", hist["hf_trainer"])
    truth["csv"] = {
        "wandb_export_lr.csv": {"of": "step_kwarg", "column": "cosine-warmup - train/lr"},
        "wandb_export_two_runs.csv": {"of": ["step_kwarg", "auto_step"]},
        "wandb_export_hf.csv": {"of": "hf_trainer",
                                "column": "hf-cosine - train/learning_rate"},
        "history.csv": {"of": "hf_trainer", "column": "train/learning_rate",
                        "step": "train/global_step"},
    }
    doc = {"_versions": _versions(), **truth}
    (HERE / "truth.json").write_text(json.dumps(doc, indent=1) + "\n")
    for p in sorted(HERE.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            print(f"{p.stat().st_size:8d}  {_rel(p)}")


if __name__ == "__main__":
    main()
