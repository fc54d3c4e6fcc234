"""Golden vectors for the ``config FILE`` word, HF Trainer dialect, made by running the Trainer.

Each case is a ``TrainingArguments`` file as a user keeps it (``train_args.json`` or
``train_args.yaml``: hand-written minimal ones, and one ``args.to_json_string()`` exactly as
transformers writes it). The generator reads the file the way ``HfArgumentParser`` does
(``json.loads`` / ``yaml.safe_load``, then ``HfArgumentParser(TrainingArguments).parse_dict``,
which is what ``parse_json_file`` / ``parse_yaml_file`` do), overriding only what keeps the run
on this machine and silent (``OVERRIDES``: ``use_cpu``, ``report_to``, ``save_strategy``,
``output_dir``, ``disable_tqdm``; none of them touches the schedule), and runs
``transformers.Trainer(model, args, train_dataset).train()`` on a tiny linear model over a
synthetic dataset of ``inputs.dataset_size`` rows (no eval dataset).

Every real ``optimizer.step()`` is seen by a global
``torch.optim.optimizer.register_optimizer_step_pre_hook`` that stores ``[g["lr"] for g in
opt.param_groups]`` just before the step (accelerate's wrapper calls the torch optimizer only on
a real update). ``groups["0"]`` is the lr of param group 0 before update 0, 1, ...; the Trainer
makes two groups (weight decay / no decay) with the same lr, so only ``"0"`` is kept.
``counting`` holds what the Trainer itself computed (``set_initial_training_values`` on its own
train dataloader, ``args.get_warmup_steps``, ``state.global_step``) and the number of epochs it
started (a callback).

How to re-run (from the repository root)::

    python3 -m venv /tmp/fw
    /tmp/fw/bin/pip install torch==2.13.0
    /tmp/fw/bin/pip install torch==2.13.0 transformers accelerate pyyaml
    /tmp/fw/bin/python tests/golden/configs/generate_hf.py

The script checks that each case is accepted or rejected as declared, that the number of
recorded updates equals ``trainer.state.global_step`` and ``state.max_steps``, and that every lr
is finite; it writes ``tests/golden/configs/hf.json``. Output is deterministic for given versions.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import platform
import sys
import tempfile
import warnings
from pathlib import Path

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

HERE = Path(__file__).resolve().parent
GENERATOR = "tests/golden/configs/generate_hf.py"
OUT = HERE / "hf.json"

REC: list[list[float]] = []
register_optimizer_step_pre_hook(
    lambda opt, args, kwargs: REC.append([g["lr"] for g in opt.param_groups])
)


def J(d: dict) -> str:
    """A hand-written JSON file."""
    return json.dumps(d, indent=2) + "\n"


# ----------------------------------------------------------------------------------------------
# The cases. inputs: dataset_size always; the batch size and epochs are in the file (or are
# TrainingArguments' defaults: per_device_train_batch_size 8, num_train_epochs 3).
# ----------------------------------------------------------------------------------------------


def full_saved_args_text(tmp: str) -> str:
    """``args.to_json_string()`` of a real TrainingArguments, as a user saves it next to a run."""
    from transformers import TrainingArguments

    args = TrainingArguments(
        output_dir="runs/tiny-cosine",
        per_device_train_batch_size=4,
        gradient_accumulation_steps=2,
        learning_rate=2e-4,
        weight_decay=0.01,
        num_train_epochs=3,
        lr_scheduler_type="cosine",
        warmup_steps=0.1,
        logging_steps=10,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=7,
    )
    return args.to_json_string() + "\n"


def cases(tmp: str) -> list[dict]:
    c: list[dict] = []

    def add(name, what, file, n, file_name="train_args.json", batch_size=None, epochs=None):
        c.append(
            dict(
                name=name,
                what=what,
                file_name=file_name,
                file=file,
                inputs=dict(dataset_size=n, batch_size=batch_size, world_size=1, epochs=epochs),
            )
        )

    add(
        "linear-accum-short-window-2.5-epochs",
        "linear, warmup_steps 0.1 (ratio, ceil(1.3) = 2); 50 rows / batch 4 = 13 batches, "
        "accumulation 3: 5 updates per epoch (last window 1 batch); 2.5 epochs = ceil(12.5) = 13 "
        "updates",
        J(
            {
                "output_dir": "out/linear",
                "per_device_train_batch_size": 4,
                "gradient_accumulation_steps": 3,
                "num_train_epochs": 2.5,
                "learning_rate": 1e-3,
                "warmup_steps": 0.1,
                "lr_scheduler_type": "linear",
            }
        ),
        50,
    )
    add(
        "cosine-warmup-count-yaml",
        "YAML, cosine, warmup_steps 2.7 (a count, int() = 2); 37 rows / batch 8 = 5 batches (last "
        "5 rows), 3 epochs",
        "output_dir: out/cosine\n"
        "per_device_train_batch_size: 8\n"
        "num_train_epochs: 3\n"
        "learning_rate: 3.0e-4\n"
        "lr_scheduler_type: cosine\n"
        "warmup_steps: 2.7\n"
        "weight_decay: 0.01\n",
        37,
        file_name="train_args.yaml",
    )
    add(
        "max-steps-overrides-epochs",
        "max_steps 37 overrides num_train_epochs 1; 30 rows / batch 4 = 8 updates per epoch, so 5 "
        "epochs are started, the last one stops after 5 updates; warmup 0.1 * 37 -> ceil 4",
        J(
            {
                "output_dir": "out/max-steps",
                "per_device_train_batch_size": 4,
                "num_train_epochs": 1,
                "max_steps": 37,
                "learning_rate": 5e-4,
                "warmup_steps": 0.1,
                "lr_scheduler_type": "linear",
            }
        ),
        30,
    )
    add(
        "warmup-ratio-float-ceil",
        "warmup_steps 0.07 of max_steps 100: 0.07 * 100 = 7.000000000000001 in float64, so ceil "
        "gives 8 warmup updates",
        J(
            {
                "output_dir": "out/ceil",
                "per_device_train_batch_size": 4,
                "max_steps": 100,
                "learning_rate": 1e-3,
                "warmup_steps": 0.07,
                "lr_scheduler_type": "linear",
            }
        ),
        100,
    )
    add(
        "cosine-with-restarts-3-cycles",
        "cosine_with_restarts, lr_scheduler_kwargs num_cycles 3, warmup 4; 64 rows / batch 8, 4 "
        "epochs = 32 updates",
        J(
            {
                "output_dir": "out/restarts",
                "per_device_train_batch_size": 8,
                "num_train_epochs": 4,
                "learning_rate": 1e-3,
                "warmup_steps": 4,
                "lr_scheduler_type": "cosine_with_restarts",
                "lr_scheduler_kwargs": {"num_cycles": 3},
            }
        ),
        64,
    )
    add(
        "polynomial-power-2-lr-end",
        "polynomial, lr_scheduler_kwargs power 2, lr_end 1e-5, warmup 3, max_steps 25 (40 rows / "
        "batch 8 = 5 per epoch)",
        J(
            {
                "output_dir": "out/poly",
                "per_device_train_batch_size": 8,
                "max_steps": 25,
                "learning_rate": 1e-3,
                "warmup_steps": 3,
                "lr_scheduler_type": "polynomial",
                "lr_scheduler_kwargs": {"power": 2.0, "lr_end": 1e-5},
            }
        ),
        40,
    )
    add(
        "constant-with-warmup-ratio-accum",
        "constant_with_warmup, warmup_steps 0.25 of 12 = 3; 42 rows / batch 4 = 11 batches, "
        "accumulation 2: 6 updates per epoch (last window 1 batch), 2 epochs",
        J(
            {
                "output_dir": "out/const-warm",
                "per_device_train_batch_size": 4,
                "gradient_accumulation_steps": 2,
                "num_train_epochs": 2,
                "learning_rate": 2e-3,
                "warmup_steps": 0.25,
                "lr_scheduler_type": "constant_with_warmup",
            }
        ),
        42,
    )
    add(
        "constant-ignores-warmup",
        "constant: get_scheduler gives it no warmup, so warmup_steps 5 has no effect; 20 rows / "
        "batch 8 = 3 batches, 3 epochs",
        J(
            {
                "output_dir": "out/const",
                "per_device_train_batch_size": 8,
                "learning_rate": 1e-3,
                "warmup_steps": 5,
                "lr_scheduler_type": "constant",
            }
        ),
        20,
    )
    add(
        "inverse-sqrt-timescale",
        "inverse_sqrt, lr_scheduler_kwargs timescale 5, warmup 4; 80 rows / batch 8, 3 epochs = "
        "30 updates",
        J(
            {
                "output_dir": "out/rsqrt",
                "per_device_train_batch_size": 8,
                "num_train_epochs": 3,
                "learning_rate": 1e-3,
                "warmup_steps": 4,
                "lr_scheduler_type": "inverse_sqrt",
                "lr_scheduler_kwargs": {"timescale": 5},
            }
        ),
        80,
    )
    add(
        "wsd-linear-decay-min-ratio",
        "warmup_stable_decay, cosine warmup 5, stable = 30 - 5 - 8 = 17, linear decay 8 to "
        "min_lr_ratio 0.1; max_steps 30",
        J(
            {
                "output_dir": "out/wsd",
                "per_device_train_batch_size": 8,
                "max_steps": 30,
                "learning_rate": 1e-3,
                "warmup_steps": 5,
                "lr_scheduler_type": "warmup_stable_decay",
                "lr_scheduler_kwargs": {
                    "num_decay_steps": 8,
                    "min_lr_ratio": 0.1,
                    "warmup_type": "cosine",
                    "decay_type": "linear",
                },
            }
        ),
        48,
    )
    add(
        "wsd-stable-steps-short",
        "warmup_stable_decay with num_stable_steps 10 given: warmup 0.1 * 30 = 3, stable 10, "
        "decay 5 (1-sqrt), and the 12 updates left after warmup + stable + decay run at "
        "min_lr_ratio 0",
        J(
            {
                "output_dir": "out/wsd2",
                "per_device_train_batch_size": 8,
                "max_steps": 30,
                "learning_rate": 1e-3,
                "warmup_steps": 0.1,
                "lr_scheduler_type": "warmup_stable_decay",
                "lr_scheduler_kwargs": {
                    "num_stable_steps": 10,
                    "num_decay_steps": 5,
                    "decay_type": "1-sqrt",
                },
            }
        ),
        48,
    )
    add(
        "cosine-with-min-lr",
        "cosine_with_min_lr, lr_scheduler_kwargs min_lr 1e-5, warmup 0.05 of 30 = ceil(1.5) = 2; "
        "60 rows / batch 6, 3 epochs",
        J(
            {
                "output_dir": "out/cos-min",
                "per_device_train_batch_size": 6,
                "num_train_epochs": 3,
                "learning_rate": 1e-3,
                "warmup_steps": 0.05,
                "lr_scheduler_type": "cosine_with_min_lr",
                "lr_scheduler_kwargs": {"min_lr": 1e-5},
            }
        ),
        60,
    )
    add(
        "cosine-warmup-with-min-lr-rate",
        "cosine_warmup_with_min_lr, lr_scheduler_kwargs min_lr_rate 0.1 and warmup_lr_rate 0.2, "
        "warmup 5; 36 rows / batch 4, 3 epochs = 27 updates",
        J(
            {
                "output_dir": "out/cos-warm-min",
                "per_device_train_batch_size": 4,
                "num_train_epochs": 3,
                "learning_rate": 1e-3,
                "warmup_steps": 5,
                "lr_scheduler_type": "cosine_warmup_with_min_lr",
                "lr_scheduler_kwargs": {"min_lr_rate": 0.1, "warmup_lr_rate": 0.2},
            }
        ),
        36,
    )
    add(
        "drop-last-accum",
        "dataloader_drop_last: 50 rows / batch 8 = 6 full batches, accumulation 4: ceil(6/4) = 2 "
        "updates per epoch (windows of 4 and 2), 3 epochs; cosine, warmup 1",
        J(
            {
                "output_dir": "out/drop",
                "per_device_train_batch_size": 8,
                "gradient_accumulation_steps": 4,
                "dataloader_drop_last": True,
                "num_train_epochs": 3,
                "learning_rate": 1e-3,
                "warmup_steps": 1,
                "lr_scheduler_type": "cosine",
            }
        ),
        50,
    )
    add(
        "accum-exceeds-batches",
        "accumulation 8 over 10 rows / batch 4 = 3 batches: one update per epoch (max(0 + 1, 1)), "
        "4 epochs; linear",
        J(
            {
                "output_dir": "out/ga8",
                "per_device_train_batch_size": 4,
                "gradient_accumulation_steps": 8,
                "num_train_epochs": 4,
                "learning_rate": 1e-3,
                "lr_scheduler_type": "linear",
            }
        ),
        10,
    )
    add(
        "defaults-linear",
        "only the batch size given: learning_rate 5e-05, 3 epochs, linear, no warmup are "
        "TrainingArguments' defaults; 20 rows / batch 8 = 3 batches",
        J({"output_dir": "out/defaults", "per_device_train_batch_size": 8}),
        20,
    )
    add(
        "fractional-epoch-below-one",
        "num_train_epochs 0.3: 100 rows / batch 4 = 25 updates per epoch, ceil(7.5) = 8 updates; "
        "cosine, warmup 0.25 -> 2",
        J(
            {
                "output_dir": "out/frac",
                "per_device_train_batch_size": 4,
                "num_train_epochs": 0.3,
                "learning_rate": 1e-3,
                "warmup_steps": 0.25,
                "lr_scheduler_type": "cosine",
            }
        ),
        100,
    )
    add(
        "full-saved-args-cosine",
        "the full args.to_json_string() as saved: cosine, warmup 0.1 of 18 = 2, 45 rows / batch 4 "
        "= 12 batches, accumulation 2: 6 updates per epoch, 3 epochs",
        full_saved_args_text(tmp),
        45,
    )
    return c


def rejects() -> list[dict]:
    r: list[dict] = []

    def add(name, what, file, n, key=None, file_name="train_args.json"):
        d = dict(
            name=name,
            what=what,
            file_name=file_name,
            file=file,
            inputs=dict(dataset_size=n, batch_size=None, world_size=1, epochs=None),
        )
        if key:
            d["key"] = key
        r.append(d)

    add(
        "warmup-ratio-removed",
        "transformers 5.x has no warmup_ratio (TrainingArguments(warmup_ratio=...) is a "
        "TypeError; the file parser refuses the key)",
        J(
            {
                "output_dir": "out/ratio",
                "per_device_train_batch_size": 8,
                "learning_rate": 1e-3,
                "warmup_ratio": 0.1,
                "lr_scheduler_type": "linear",
            }
        ),
        40,
        key="warmup_ratio",
    )
    add(
        "yaml-exponent-without-dot",
        "YAML 1.1 (yaml.safe_load) reads 3e-4 as the string '3e-4'; TrainingArguments keeps it "
        "and the optimizer refuses it",
        "output_dir: out/yaml\n"
        "per_device_train_batch_size: 8\n"
        "learning_rate: 3e-4\n"
        "lr_scheduler_type: cosine\n",
        40,
        key="learning_rate",
        file_name="train_args.yaml",
    )
    add(
        "cosine-with-min-lr-without-min",
        "cosine_with_min_lr needs min_lr or min_lr_rate in lr_scheduler_kwargs",
        J(
            {
                "output_dir": "out/cmin",
                "per_device_train_batch_size": 8,
                "learning_rate": 1e-3,
                "lr_scheduler_type": "cosine_with_min_lr",
            }
        ),
        40,
        key="min_lr",
    )
    add(
        "polynomial-lr-end-above-lr",
        "polynomial refuses an lr_end that is not below the learning rate",
        J(
            {
                "output_dir": "out/poly",
                "per_device_train_batch_size": 8,
                "learning_rate": 1e-4,
                "lr_scheduler_type": "polynomial",
                "lr_scheduler_kwargs": {"lr_end": 1e-3},
            }
        ),
        40,
        key="lr_end",
    )
    add(
        "kwargs-not-of-the-schedule",
        "lr_scheduler_kwargs are passed to the schedule function: cosine has no num_decay_steps",
        J(
            {
                "output_dir": "out/kw",
                "per_device_train_batch_size": 8,
                "learning_rate": 1e-3,
                "lr_scheduler_type": "cosine",
                "lr_scheduler_kwargs": {"num_decay_steps": 3},
            }
        ),
        40,
        key="num_decay_steps",
    )
    add(
        "plateau-without-eval",
        "reduce_lr_on_plateau needs an eval strategy (TrainingArguments refuses it without one)",
        J(
            {
                "output_dir": "out/plateau",
                "per_device_train_batch_size": 8,
                "learning_rate": 1e-3,
                "lr_scheduler_type": "reduce_lr_on_plateau",
            }
        ),
        40,
        key="reduce_lr_on_plateau",
    )
    return r


# ----------------------------------------------------------------------------------------------
# Running the Trainer
# ----------------------------------------------------------------------------------------------


class TinyModel(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)

    def forward(self, x, labels=None):
        out = self.lin(x).squeeze(-1)
        return {"loss": torch.nn.functional.mse_loss(out, labels), "logits": out}


class TinyData(torch.utils.data.Dataset):
    def __init__(self, n: int) -> None:
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 4, generator=g)
        self.y = torch.randn(n, generator=g)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[i], "labels": self.y[i]}


OVERRIDES = {"use_cpu": True, "report_to": [], "save_strategy": "no", "disable_tqdm": True}


def load(case: dict, tmp: str) -> dict:
    import yaml

    text = case["file"]
    d = yaml.safe_load(text) if case["file_name"].endswith((".yaml", ".yml")) else json.loads(text)
    d = dict(d)
    d.update(OVERRIDES)
    d["output_dir"] = os.path.join(tmp, "out")
    return d


def run(case: dict, tmp: str) -> dict:
    from transformers import HfArgumentParser, Trainer, TrainerCallback, TrainingArguments

    class Epochs(TrainerCallback):
        def __init__(self) -> None:
            self.started = 0
            self.updates_in_epoch: list[int] = []
            self._at = 0

        def on_epoch_begin(self, args, state, control, **kw):
            self.started += 1
            self._at = state.global_step

        def on_epoch_end(self, args, state, control, **kw):
            self.updates_in_epoch.append(state.global_step - self._at)

    stage = "parse"
    REC.clear()
    try:
        (args,) = HfArgumentParser(TrainingArguments).parse_dict(load(case, tmp))
        stage = "trainer"
        torch.manual_seed(0)
        cb = Epochs()
        trainer = Trainer(
            model=TinyModel(),
            args=args,
            train_dataset=TinyData(case["inputs"]["dataset_size"]),
            callbacks=[cb],
        )
        stage = "train"
        with contextlib.redirect_stdout(io.StringIO()):
            trainer.train()
    except Exception as e:  # noqa: BLE001 - the trainer's own refusal is the datum
        msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return {"error": f"{type(e).__name__}: {msg}" if msg else type(e).__name__, "when": stage}
    dl = trainer.get_train_dataloader()
    (num_train_epochs, upe, _examples, _samples, total_bs, steps_in_epoch, max_steps) = (
        trainer.set_initial_training_values(args, dl)
    )
    lrs = [list(map(float, r)) for r in REC]
    if len(lrs) != trainer.state.global_step or len(lrs) != trainer.state.max_steps:
        raise SystemExit(
            f"{case['name']}: {len(lrs)} recorded updates, global_step "
            f"{trainer.state.global_step}, max_steps {trainer.state.max_steps}"
        )
    groups = {str(i): [r[i] for r in lrs] for i in range(len(lrs[0]))}
    if all(groups[k] == groups["0"] for k in groups):
        groups = {"0": groups["0"]}
    for g in groups.values():
        if not all(math.isfinite(v) for v in g):
            raise SystemExit(f"{case['name']}: non-finite lr")
    counting = {
        "batches_per_epoch": steps_in_epoch,
        "gradient_accumulation_steps": args.gradient_accumulation_steps,
        "updates_per_epoch": upe,
        "total_updates": max_steps,
        "warmup_updates": args.get_warmup_steps(max_steps),
        "num_train_epochs": args.num_train_epochs,
        "max_steps_arg": args.max_steps,
        "epochs_started": cb.started,
        "updates_in_each_epoch": cb.updates_in_epoch,
        "total_train_batch_size": total_bs,
        "lr_scheduler_type": str(getattr(args.lr_scheduler_type, "value", args.lr_scheduler_type)),
        "lr_scheduler_kwargs": args.lr_scheduler_kwargs or {},
        "learning_rate": args.learning_rate,
        "param_groups": len(lrs[0]),
    }
    return {"counting": counting, "groups": groups}


def versions() -> dict:
    import accelerate
    import transformers
    import yaml

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "accelerate": accelerate.__version__,
        "pyyaml": yaml.__version__,
    }


def main() -> int:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    out_cases, out_rejects = [], []
    with tempfile.TemporaryDirectory() as tmp:
        all_cases = cases(tmp)
        names = [c["name"] for c in all_cases] + [r["name"] for r in rejects()]
        if len(names) != len(set(names)):
            raise SystemExit("case names repeat")
        for case in all_cases:
            res = run(case, tmp)
            if "error" in res:
                raise SystemExit(f"{case['name']}: the Trainer refused an accepted case: {res}")
            out_cases.append({**case, **res})
            print(f"{case['name']}: {len(res['groups']['0'])} updates", file=sys.stderr)
        for rej in rejects():
            res = run(rej, tmp)
            if "error" not in res:
                raise SystemExit(f"{rej['name']}: the Trainer accepted a rejected case")
            out_rejects.append({**rej, **res})
            print(f"{rej['name']}: {res['error']} ({res['when']})", file=sys.stderr)
    doc = {
        "generator": GENERATOR,
        "versions": versions(),
        "convention": (
            "groups[g][i] = optimizer.param_groups[g]['lr'] right before the i-th real "
            "optimizer.step() of transformers.Trainer.train() (a global step pre-hook); one list "
            "per group where groups differ. The file is read as HfArgumentParser reads it, with "
            f"{sorted(OVERRIDES)} and output_dir overridden (none affects the schedule); a "
            "reject's 'when' is where the library raised: parse "
            "(HfArgumentParser/TrainingArguments), trainer (Trainer(...)) or train "
            "(Trainer.train())"
        ),
        "cases": out_cases,
        "rejects": out_rejects,
    }
    OUT.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    print(f"wrote {OUT} ({len(out_cases)} cases, {len(out_rejects)} rejects)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
