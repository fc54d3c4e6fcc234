"""Regenerate the real training-log fixtures under tests/logs/ (not a test; run by hand).

Every log file here is written by the logging library itself during a tiny CPU training
run; nothing imitates a format by hand. truth.json records, per case, the learning rates
read from the optimizer at the moment the logger recorded them.

Run from the repository root, in a throw-away venv that has the frameworks:

    python -m venv /tmp/fwvenv
    /tmp/fwvenv/bin/pip install torch==2.13.0 --index-url <the CPU wheel index>
    /tmp/fwvenv/bin/pip install -c <(echo torch==2.13.0+cpu) transformers==5.24.0 \\
        tensorboard==2.21.0 lightning==2.6.6 mlflow==3.17.2 accelerate==1.15.0 keras==3.15.1
    /tmp/fwvenv/bin/python tests/logs/generate.py

Versions it was last run with are written to truth.json["_versions"] (torch 2.13.0+cpu,
tensorboard 2.21.0, lightning 2.6.6, transformers 5.24.0, accelerate 1.15.0, mlflow 3.17.2,
keras 3.15.1 on the torch backend, Python 3.11). No network is used. Seeds are fixed; wall
times, hostnames, pids and run ids inside the files change from run to run.

The heavy imports live inside functions so that pytest's --doctest-modules can import this
module without the frameworks installed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 0


def _fresh(case: str) -> Path:
    """Empty (or create) tests/logs/<case>/ and return it."""
    d = HERE / case
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    return d


def _rel(p: Path) -> str:
    return p.resolve().relative_to(HERE).as_posix()


def _tiny_regression(n: int, seed: int = SEED):
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * torch.randn(n, 1, generator=g)
    return x, y


def _event_files(d: Path) -> list[Path]:
    return sorted(d.glob("events.out.tfevents.*"))


# --------------------------------------------------------------------------- TensorBoard


def case_tb_dense() -> dict:
    import torch
    from torch.utils.tensorboard import SummaryWriter

    out = _fresh("tb_dense")
    torch.manual_seed(SEED)
    x, y = _tiny_regression(60)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=60, eta_min=0.001)
    writer = SummaryWriter(log_dir=str(out))
    truth = []
    for i in range(60):
        lr = opt.param_groups[0]["lr"]
        writer.add_scalar("lr", lr, i)  # before the update, 0-based update index
        truth.append([i, lr])
        loss = torch.nn.functional.mse_loss(model(x[i : i + 1]), y[i : i + 1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        writer.add_scalar("train/loss", loss.item(), i)
        sched.step()
    writer.close()
    files = _event_files(out)
    assert len(files) == 1, files
    return {
        "file": _rel(files[0]),
        "run_dir": "tb_dense",
        "tag": "lr",
        "other_tags": ["train/loss"],
        "framework": "tensorboard via torch.utils.tensorboard.SummaryWriter",
        "optimizer": "torch.optim.SGD(model.parameters(), lr=0.1)",
        "schedule": "torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=60, eta_min=0.001)",
        "base_lr": 0.1,
        "param_group_lrs": [0.1],
        "updates": 60,
        "value_dtype": "float32 (simple_value)",
        "convention": "step = 0-based update index i, logged before update i; "
        "value = schedule(step), the lr that update i used.",
        "truth": truth,
    }


def case_tb_after() -> dict:
    import torch
    from torch.utils.tensorboard import SummaryWriter

    out = _fresh("tb_after")
    torch.manual_seed(SEED)
    x, y = _tiny_regression(60)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    writer = SummaryWriter(log_dir=str(out))
    truth = []
    for step in range(1, 61):
        i = step - 1
        loss = torch.nn.functional.mse_loss(model(x[i : i + 1]), y[i : i + 1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        lr = opt.param_groups[0]["lr"]
        writer.add_scalar("lr", lr, step)  # after optimizer.step(), before scheduler.step()
        writer.add_scalar("train/loss", loss.item(), step)
        truth.append([step, lr])
        sched.step()
    writer.close()
    files = _event_files(out)
    assert len(files) == 1, files
    return {
        "file": _rel(files[0]),
        "run_dir": "tb_after",
        "tag": "lr",
        "other_tags": ["train/loss"],
        "framework": "tensorboard via torch.utils.tensorboard.SummaryWriter",
        "optimizer": "torch.optim.SGD(model.parameters(), lr=0.1)",
        "schedule": "torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)",
        "base_lr": 0.1,
        "param_group_lrs": [0.1],
        "updates": 60,
        "value_dtype": "float32 (simple_value)",
        "convention": "step = updates done (1-based), logged after optimizer.step() and before "
        "scheduler.step(); value = schedule(step - 1), the lr the just-finished update used.",
        "truth": truth,
    }


def case_tb_csv(dense: dict) -> dict:
    """TensorBoard's own "Download CSV" for tb_dense/lr, served by TensorBoard's WSGI app.

    The app is built the way `tensorboard --logdir DIR --load_fast=false` builds it
    (program.TensorBoard flags -> LocalDataIngester (plugin EventMultiplexer/
    EventAccumulator) -> TensorBoardWSGIApp with the scalars plugin), and the URL is the one
    the Scalars dashboard's download link requests; only the socket is replaced by
    werkzeug's test client.
    """
    from tensorboard import program
    from tensorboard.backend import application
    from tensorboard.plugins.core.core_plugin import CorePluginLoader
    from tensorboard.plugins.scalar.scalars_plugin import ScalarsPlugin
    from werkzeug.test import Client

    out = _fresh("tb_csv")
    with tempfile.TemporaryDirectory() as tmp:
        logdir = Path(tmp) / "logdir"
        shutil.copytree(HERE / "tb_dense", logdir / "tb_dense")
        # the core plugin (it defines --logdir etc.) and the scalars plugin, as default.py
        tb = program.TensorBoard(plugins=[CorePluginLoader(include_debug_info=True), ScalarsPlugin])
        tb.configure(
            argv=[
                "",
                "--logdir",
                str(logdir),
                "--load_fast",
                "false",
                "--reload_interval",
                "0",
                "--reload_task",
                "blocking",
            ]
        )
        data_provider, multiplexer = tb._make_data_provider()
        app = application.TensorBoardWSGIApp(
            tb.flags, tb.plugin_loaders, data_provider, tb.assets_zip_provider, multiplexer
        )
        resp = Client(app).get(
            "/data/plugin/scalars/scalars",
            query_string={"tag": "lr", "run": "tb_dense", "format": "csv"},
        )
        assert resp.status_code == 200, (resp.status_code, resp.get_data()[:200])
        body = resp.get_data()
    target = out / "run-tb_dense-tag-lr.csv"
    target.write_bytes(body)
    return {
        "file": _rel(target),
        "column": "Value",
        "step_column": "Step",
        "framework": "tensorboard 'Download CSV' (scalars plugin, served by TensorBoard's "
        "WSGI app, --load_fast=false)",
        "source": "tb_dense (tag lr)",
        "schedule": dense["schedule"],
        "optimizer": dense["optimizer"],
        "base_lr": 0.1,
        "param_group_lrs": [0.1],
        "updates": 60,
        "value_dtype": "float32 widened to float64, printed with repr",
        "convention": dense["convention"],
        "truth": dense["truth"],
    }


# --------------------------------------------------------------------------- Lightning


def _lightning_run(case: str, *, interval: str, epochs: int) -> dict:
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import Callback, LearningRateMonitor
    from lightning.pytorch.loggers import CSVLogger
    from torch.utils.data import DataLoader, TensorDataset

    out = _fresh(case)
    L.seed_everything(SEED, workers=True, verbose=False)
    x, y = _tiny_regression(40)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=False)  # 10 batches

    class Net(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(4, 8)
            self.b = torch.nn.Linear(8, 1)

        def forward(self, inp):
            return self.b(torch.relu(self.a(inp)))

        def training_step(self, batch, batch_idx):
            xb, yb = batch
            loss = torch.nn.functional.mse_loss(self(xb), yb)
            self.log("train_loss", loss, on_step=True, on_epoch=False)
            return loss

        def configure_optimizers(self):
            if interval == "step":
                opt = torch.optim.AdamW(
                    [
                        {"params": self.a.parameters(), "lr": 1e-3},
                        {"params": self.b.parameters(), "lr": 1e-4},
                    ]
                )
                sched = torch.optim.lr_scheduler.OneCycleLR(
                    opt, max_lr=[1e-3, 1e-4], total_steps=30
                )
                return {
                    "optimizer": opt,
                    "lr_scheduler": {"scheduler": sched, "interval": "step"},
                }
            opt = torch.optim.SGD(self.parameters(), lr=0.1)
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}

    recorded: list[list] = []

    class Recorder(Callback):
        """Reads the optimizer's lrs at the hook (and under the condition) where
        LearningRateMonitor logs, with the step it passes to the logger."""

        def _record(self, trainer):
            step = trainer.fit_loop.epoch_loop._batches_that_stepped
            assert step == trainer.global_step
            lrs = [pg["lr"] for pg in trainer.optimizers[0].param_groups]
            recorded.append([step, *lrs])

        def on_train_batch_start(self, trainer, *args, **kwargs):
            if interval == "step" and trainer._logger_connector.should_update_logs:
                self._record(trainer)

        def on_train_epoch_start(self, trainer, *args, **kwargs):
            if interval == "epoch":
                self._record(trainer)

    with tempfile.TemporaryDirectory() as tmp:
        logger = CSVLogger(save_dir=tmp)
        trainer = L.Trainer(
            accelerator="cpu",
            devices=1,
            max_epochs=epochs,
            logger=logger,
            callbacks=[LearningRateMonitor(logging_interval=interval), Recorder()],
            log_every_n_steps=1,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            deterministic=True,
        )
        trainer.fit(Net(), loader)
        logdir = Path(logger.log_dir)
        shutil.copy2(logdir / "metrics.csv", out / "metrics.csv")
        if (logdir / "hparams.yaml").exists():
            shutil.copy2(logdir / "hparams.yaml", out / "hparams.yaml")
        version_dir = logdir.relative_to(tmp).as_posix()

    common = {
        "file": _rel(out / "metrics.csv"),
        "original_path": f"{version_dir}/metrics.csv",
        "step_column": "step",
        "framework": "lightning CSVLogger + LearningRateMonitor",
        "steps_per_epoch": 10,
        "epochs": epochs,
        "trainer": f"L.Trainer(accelerator='cpu', max_epochs={epochs}, log_every_n_steps=1, "
        "logger=CSVLogger(save_dir=...))",
        "value_dtype": "float64, str(float)",
    }
    if interval == "step":
        names = ["lr-AdamW/pg1", "lr-AdamW/pg2"]
        series = {n: [[r[0], r[1 + k]] for r in recorded] for k, n in enumerate(names)}
        return {
            **common,
            "column": names[0],
            "columns": names,
            "series": series,
            "other_columns": ["epoch", "train_loss"],
            "monitor": "LearningRateMonitor(logging_interval='step')",
            "optimizer": "torch.optim.AdamW([{'params': a, 'lr': 1e-3}, "
            "{'params': b, 'lr': 1e-4}])",
            "schedule": "torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[1e-3, 1e-4], "
            "total_steps=30), {'interval': 'step'}",
            "base_lr": 1e-3,
            "param_group_lrs": [1e-3, 1e-4],
            "note": "OneCycleLR overwrites each group's lr with max_lr/div_factor (div_factor=25) "
            "at construction; pg1 and pg2 are param groups 0 and 1.",
            "updates": 30,
            "convention": "step = trainer._batches_that_stepped (= global_step), 0-based, "
            "logged at on_train_batch_start; value = schedule(step), the lr that update "
            "`step` then uses. lr rows have empty epoch/train_loss cells.",
            "truth": series[names[0]],
        }
    series = {"lr-SGD": [[r[0], r[1]] for r in recorded]}
    return {
        **common,
        "column": "lr-SGD",
        "columns": ["lr-SGD"],
        "series": series,
        "other_columns": ["epoch", "train_loss"],
        "monitor": "LearningRateMonitor(logging_interval='epoch')",
        "optimizer": "torch.optim.SGD(model.parameters(), lr=0.1)",
        "schedule": "torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), "
        "{'interval': 'epoch'}",
        "base_lr": 0.1,
        "param_group_lrs": [0.1],
        "updates": 60,
        "convention": "step = optimizer steps done at the start of the epoch (10*epoch), not "
        "the epoch; logged at on_train_epoch_start; value = schedule(epoch), the lr of every "
        "update of that epoch. lr rows have no epoch cell.",
        "truth": series["lr-SGD"],
    }


# --------------------------------------------------------------------------- transformers


def _hf_run(case: str, *, sched_type: str, logging_steps: int) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments

    out = _fresh(case)
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
            # the lr update number state.global_step + 1 is about to use
            per_update.append([state.global_step + 1, optimizer.param_groups[0]["lr"]])

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "learning_rate" in logs:
                on_log.append([state.global_step, logs["learning_rate"]])

    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp,
            max_steps=40,
            learning_rate=5e-4,
            lr_scheduler_type=sched_type,
            warmup_steps=5,
            logging_steps=logging_steps,
            eval_strategy="steps",
            eval_steps=20,
            save_strategy="no",
            per_device_train_batch_size=4,
            per_device_eval_batch_size=4,
            report_to="none",
            use_cpu=True,
            seed=SEED,
            data_seed=SEED,
            dataloader_num_workers=0,
            disable_tqdm=True,
        )
        trainer = Trainer(
            model=Tiny(),
            args=args,
            train_dataset=DS(32, SEED),
            eval_dataset=DS(8, SEED + 1),
            callbacks=[Recorder()],
        )
        trainer.train()
        trainer.save_state()  # output_dir/trainer_state.json, with the final summary entry
        shutil.copy2(Path(tmp) / "trainer_state.json", out / "trainer_state.json")
        optim_cls = type(trainer.optimizer.optimizer).__name__
        sched_cls = type(trainer.lr_scheduler).__name__

    fn = {"cosine": "get_cosine_schedule_with_warmup", "linear": "get_linear_schedule_with_warmup"}
    return {
        "file": _rel(out / "trainer_state.json"),
        "file_origin": "the final trainer_state.json in output_dir, written by "
        "trainer.save_state() after trainer.train() (save_strategy='no', no checkpoints)",
        "column": "learning_rate",
        "step_column": "step",
        "container": "log_history",
        "framework": "transformers Trainer (trainer_state.json log_history)",
        "training_args": f"TrainingArguments(max_steps=40, learning_rate=5e-4, "
        f"lr_scheduler_type='{sched_type}', warmup_steps=5, logging_steps={logging_steps}, "
        "eval_strategy='steps', eval_steps=20, per_device_train_batch_size=4, "
        "report_to='none', use_cpu=True, seed=0)",
        "optimizer": f"{optim_cls} (Trainer default, torch AdamW), lr=5e-4",
        "schedule": f"transformers.{fn[sched_type]}(opt, num_warmup_steps=5, "
        f"num_training_steps=40)  # {sched_cls}",
        "base_lr": 5e-4,
        "param_group_lrs": [5e-4],
        "steps_per_epoch": 8,
        "updates": 40,
        "logging_steps": logging_steps,
        "value_dtype": "float64 (json)",
        "entries_without_learning_rate": "eval entries (eval_loss, ...) at steps 20 and 40, "
        "and the final train summary entry (train_runtime, total_flos, ...)",
        "convention": "step = state.global_step after the update (1-based); value = "
        "scheduler.get_last_lr()[0] read before scheduler.step() = schedule(step - 1), the "
        "lr the logged update used (transformers >= 4.51).",
        "truth": on_log,
        "optimizer_lr_per_update": per_update,
        "optimizer_lr_per_update_note": "[update number (1-based), optimizer.param_groups[0]"
        "['lr'] read at on_pre_optimizer_step, i.e. the lr that update used]",
    }


# --------------------------------------------------------------------------- MLflow


def case_mlflow() -> dict:
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    import mlflow
    import torch

    out = _fresh("mlflow")
    torch.manual_seed(SEED)
    x, y = _tiny_regression(30)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.95)
    truth = []
    with tempfile.TemporaryDirectory() as tmp:
        mlflow.set_tracking_uri(Path(tmp, "mlruns").as_uri())
        with mlflow.start_run() as run:
            for t in range(30):
                lr = opt.param_groups[0]["lr"]
                mlflow.log_metric("lr", lr, step=t)  # t 0-based, before the update
                truth.append([t, lr])
                loss = torch.nn.functional.mse_loss(model(x[t : t + 1]), y[t : t + 1])
                opt.zero_grad()
                loss.backward()
                opt.step()
                mlflow.log_metric("train_loss", loss.item(), step=t)
                sched.step()
            run_id = run.info.run_id
            exp_id = run.info.experiment_id
        src = Path(tmp, "mlruns", exp_id, run_id, "metrics")
        shutil.copytree(src, out / "metrics")
    return {
        "file": _rel(out / "metrics" / "lr"),
        "original_path": f"mlruns/{exp_id}/<run_id>/metrics/lr",
        "column": "lr",
        "other_metrics": ["train_loss"],
        "framework": "mlflow file store (mlflow.log_metric)",
        "optimizer": "torch.optim.SGD(model.parameters(), lr=0.1)",
        "schedule": "torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.95)",
        "base_lr": 0.1,
        "param_group_lrs": [0.1],
        "updates": 30,
        "value_dtype": "float64, str(float)",
        "convention": "step = t as passed, the 0-based update index, logged before update t; "
        "value = schedule(t), the lr update t used.",
        "truth": truth,
    }


# --------------------------------------------------------------------------- Keras


def _keras_runs() -> dict:
    os.environ["KERAS_BACKEND"] = "torch"
    import math

    import keras
    import numpy as np
    from keras import ops

    if keras.backend.backend() != "torch":
        raise SystemExit("keras must run on the torch backend (KERAS_BACKEND=torch)")
    out = _fresh("keras")
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((32, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")).astype("float32")
    xv = rng.standard_normal((8, 4)).astype("float32")
    yv = (xv @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")).astype("float32")
    batch, epochs = 8, 8
    spe = 32 // batch
    init, decay_steps, alpha = 0.1, 32, 0.01

    def cosine64(step: int) -> float:
        s = min(step, decay_steps)
        return init * ((1 - alpha) * 0.5 * (1.0 + math.cos(math.pi * s / decay_steps)) + alpha)

    def model_():
        keras.utils.set_random_seed(SEED)
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])

    class LrToLogs(keras.callbacks.Callback):
        """Puts the optimizer's current lr into the epoch logs the way Keras's own
        TensorBoard callback reads it (_collect_learning_rate); Keras's CSVLogger does not
        log a LearningRateSchedule's lr by itself."""

        def __init__(self, rows, write=True):
            super().__init__()
            self.rows, self.write = rows, write

        def on_epoch_end(self, epoch, logs=None):
            opt = self.model.optimizer
            lr = float(ops.convert_to_numpy(opt.learning_rate))
            it = int(ops.convert_to_numpy(opt.iterations))
            if self.write:
                logs["learning_rate"] = lr
            self.rows.append((epoch, it, lr))

    cases = {}
    sched_txt = (
        f"keras.optimizers.schedules.CosineDecay(initial_learning_rate={init}, "
        f"decay_steps={decay_steps}, alpha={alpha})"
    )
    for name, val in (("keras", None), ("keras_val", (xv, yv))):
        rows: list = []
        fname = "log.csv" if val is None else "log_val.csv"
        model = model_()
        sched = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=init, decay_steps=decay_steps, alpha=alpha
        )
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=sched), loss="mse")
        model.fit(
            x,
            y,
            batch_size=batch,
            epochs=epochs,
            shuffle=False,
            verbose=0,
            validation_data=val,
            callbacks=[LrToLogs(rows), keras.callbacks.CSVLogger(str(out / fname))],
        )
        for e, it, _ in rows:
            assert it == spe * (e + 1), (e, it)
        cases[name] = {
            "file": _rel(out / fname),
            "column": "learning_rate",
            "step_column": "epoch",
            "validation_data": val is not None,
            "framework": "keras 3 (torch backend) CSVLogger, lr put in the epoch logs by a "
            "callback that reads optimizer.learning_rate as keras.callbacks.TensorBoard does",
            "optimizer": f"keras.optimizers.SGD(learning_rate={sched_txt.split('(')[0]}(...))",
            "schedule": sched_txt,
            "base_lr": init,
            "param_group_lrs": [init],
            "steps_per_epoch": spe,
            "epochs": epochs,
            "updates": spe * epochs,
            "value_dtype": "float32 (keras computes the schedule in float32), widened, "
            "printed with str/repr",
            "convention": "step = 0-based epoch, read at on_epoch_end; value = "
            "schedule(iterations) with iterations = steps_per_epoch*(epoch+1): the NEXT "
            "update's lr.",
            "truth": [[e, cosine64(it)] for e, it, _ in rows],
            "truth_note": "truth is the schedule's closed form in float64 at "
            "optimizer.iterations; optimizer_read holds what Keras itself returned (float32, "
            "computed in float32 arithmetic).",
            "optimizer_read": [[e, lr] for e, _, lr in rows],
            "iterations_at_log": [[e, it] for e, it, _ in rows],
        }

    def step_decay(epoch):
        return 0.1 * 0.5 ** (epoch // 2)

    rows = []
    model = model_()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.fit(
        x,
        y,
        batch_size=batch,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=[
            keras.callbacks.LearningRateScheduler(step_decay),
            LrToLogs(rows, write=False),
            keras.callbacks.CSVLogger(str(out / "log_epochfn.csv")),
        ],
    )
    cases["keras_epochfn"] = {
        "file": _rel(out / "log_epochfn.csv"),
        "column": "learning_rate",
        "step_column": "epoch",
        "validation_data": False,
        "framework": "keras 3 (torch backend) CSVLogger + LearningRateScheduler",
        "optimizer": "keras.optimizers.SGD(learning_rate=0.1)",
        "schedule": "keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** "
        "(epoch // 2))",
        "base_lr": 0.1,
        "param_group_lrs": [0.1],
        "steps_per_epoch": spe,
        "epochs": epochs,
        "updates": spe * epochs,
        "value_dtype": "float32 (optimizer variable), widened, printed with str/repr",
        "convention": "step = 0-based epoch; value = fn(epoch), set at on_epoch_begin: the lr "
        "of every update in that epoch.",
        "truth": [[e, step_decay(e)] for e, _, _ in rows],
        "optimizer_read": [[e, lr] for e, _, lr in rows],
    }
    return cases


# --------------------------------------------------------------------------- main


def _versions() -> dict:
    from importlib.metadata import version

    v = {"python": sys.version.split()[0]}
    for pkg in (
        "torch",
        "tensorboard",
        "lightning",
        "transformers",
        "accelerate",
        "mlflow",
        "keras",
        "numpy",
        "protobuf",
        "werkzeug",
    ):
        v[pkg] = version(pkg)
    v["keras_backend"] = os.environ.get("KERAS_BACKEND", "")
    return v


def main() -> None:
    os.environ["KERAS_BACKEND"] = "torch"  # before anything imports keras
    import torch

    torch.set_num_threads(1)
    truth: dict = {}
    truth["tb_dense"] = case_tb_dense()
    truth["tb_after"] = case_tb_after()
    truth["tb_csv"] = case_tb_csv(truth["tb_dense"])
    truth["lightning_step"] = _lightning_run("lightning_step", interval="step", epochs=3)
    truth["lightning_epoch"] = _lightning_run("lightning_epoch", interval="epoch", epochs=6)
    truth["hf"] = _hf_run("hf", sched_type="cosine", logging_steps=1)
    truth["hf_sparse"] = _hf_run("hf_sparse", sched_type="linear", logging_steps=5)
    truth["mlflow"] = case_mlflow()
    truth.update(_keras_runs())
    doc = {"_versions": _versions(), **truth}
    (HERE / "truth.json").write_text(json.dumps(doc, indent=1) + "\n")
    total = 0
    for p in sorted(HERE.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            total += p.stat().st_size
            print(f"{p.stat().st_size:8d}  {_rel(p)}")
    print(f"{total:8d}  total")


if __name__ == "__main__":
    main()
