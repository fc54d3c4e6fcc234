"""timm's train.py arguments as ``train.py --config args.yaml`` reads them (huggingface/
pytorch-image-models@aa4b5850, train.py lines 78-457 and ``_parse_args``).

``_parse_args`` does ``parser.set_defaults(**yaml.safe_load(f))`` and then
``parser.parse_args()``: every key of the file becomes an attribute (a key that is no
argument too, unconverted), and argparse applies an argument's ``type`` to a value only when
the value is text, as it converts any string default: YAML 1.1's ``3e-4`` (text) becomes the
float 0.0003 for ``--lr``, ``'two'`` for the int ``--warmup-epochs`` makes argparse exit, and a
YAML number is kept as it is. Choices are not checked on defaults.

This module holds the names of train.py's arguments by type (facts read off its argparse
calls, no code of theirs), the defaults of those that decide the lr, and :func:`arguments`,
which turns a document into train.py's ``args``. Imports errors and this package only.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import UsageError

F = "timm"



def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# every argument of train.py's parser, by the type argparse converts text with
INTS = _names("""
train_num_samples val_num_samples num_classes img_size in_chans input_size batch_size
validation_batch_size grad_accum_steps local_rank lr_base_size lr_cycle_limit epochs
start_epoch decay_milestones warmup_epochs cooldown_epochs patience_epochs aug_splits recount
mixup_off_epoch seed log_interval val_interval recovery_interval checkpoint_hist workers tta
train_img_sizes train_batch_sizes train_batches_per_epoch naflex_train_seq_lens
naflex_max_seq_len naflex_patch_sizes kd_student_feature_dim kd_teacher_feature_dim
""")
FLOATS = _names("""
crop_pct mean std head_init_scale head_init_bias opt_eps opt_betas momentum weight_decay
clip_grad layer_decay layer_decay_min_scale layer_decay_no_opt_scale lr lr_base lr_noise
lr_noise_pct lr_noise_std lr_cycle_mul lr_cycle_decay lr_k_decay warmup_lr min_lr
epoch_repeats decay_epochs decay_rate scale ratio hflip vflip color_jitter color_jitter_prob
grayscale_prob gaussian_blur_prob aug_repeats bce_target_thresh bce_pos_weight reprob mixup
cutmix cutmix_minmax mixup_prob mixup_switch_prob smoothing drop drop_connect drop_path
drop_block bn_momentum bn_eps model_ema_decay train_size_probs train_size_schedule_spread
train_size_random_mix naflex_patch_size_probs distill_loss_weight task_loss_weight
kd_temperature
""")
OTHERS = _names("""
data data_dir dataset train_split val_split class_map input_img_mode input_key target_key
model pretrained_path initial_checkpoint resume gp interpolation fuser torchcompile_mode
torchcompile device amp_dtype model_dtype device_modules opt clip_mode sched lr_base_scale
train_crop_mode aa remode mixup_mode train_interpolation dist_bn worker_seeding output
experiment eval_metric wandb_project wandb_tags wandb_resume_id train_size_schedule
variable_batch_loss_scale naflex_loss_scale kd_model_name kd_distill_type kd_loss_type
kd_token_distill_type model_kwargs opt_kwargs dataset_download dataset_trust_remote_code
pretrained no_resume_opt channels_last grad_checkpointing fast_norm torchscript amp no_ddp_bb
synchronize_step sched_on_updates warmup_prefix no_aug jsd_loss bce_loss bce_sum resplit
sync_bn split_bn model_ema model_ema_force_cpu model_ema_warmup save_images pin_mem
no_prefetcher use_multi_epochs_loader log_wandb naflex_loader naflex_patchify_channels_first
""")
ARGUMENTS = INTS | FLOATS | OTHERS
# read by timm.scheduler.scheduler_kwargs with getattr, though train.py declares no argument
EXTRA = ("lr_decay_fn", "lr_stable_timescale")

# train.py's defaults of what decides the lr (its add_argument(..., default=...))
DEFAULTS: dict[str, Any] = {
    "batch_size": 128, "grad_accum_steps": 1, "opt": "sgd", "layer_decay": None,
    "sched": "cosine", "sched_on_updates": False, "lr": None, "lr_base": 0.1,
    "lr_base_size": 256, "lr_base_scale": "", "lr_noise": None, "lr_cycle_mul": 1.0,
    "lr_cycle_decay": 0.5, "lr_cycle_limit": 1, "lr_k_decay": 1.0, "warmup_lr": 1e-5,
    "min_lr": 0, "epochs": 300, "epoch_repeats": 0., "start_epoch": None,
    "decay_milestones": [90, 180, 270], "decay_epochs": 90, "warmup_epochs": 5,
    "warmup_prefix": False, "cooldown_epochs": 0, "patience_epochs": 10, "decay_rate": 0.1,
    "aug_repeats": 0, "val_split": "validation", "eval_metric": "top1", "val_interval": 1,
    "resume": "", "train_img_sizes": None, "naflex_loader": False,
    "lr_decay_fn": None, "lr_stable_timescale": None,
}
WHOLE = ("batch_size", "grad_accum_steps", "lr_base_size", "lr_cycle_limit", "epochs",
         "start_epoch", "warmup_epochs", "cooldown_epochs", "patience_epochs", "val_interval")
REAL = ("lr", "lr_base", "lr_cycle_mul", "lr_cycle_decay", "lr_k_decay", "warmup_lr",
        "min_lr", "decay_epochs", "decay_rate", "aug_repeats", "epoch_repeats",
        "lr_stable_timescale")
FLAGS = ("sched_on_updates", "warmup_prefix")


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def arguments(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """(args, converted, ignored): train.py's ``args`` for this file (the defaults above, the
    file's values over them, text converted with each argument's type as argparse does), the
    keys argparse converted from text, and the keys that are not train.py arguments."""
    args = dict(DEFAULTS)
    converted, ignored = [], []
    for key, value in doc.items():
        key = str(key)
        if key in INTS or key in FLOATS:
            if isinstance(value, str):
                kind = int if key in INTS else float
                try:
                    value = kind(value)
                except ValueError:
                    raise UsageError(
                        f"{F}: {key} {value!r} is not an {kind.__name__}: train.py's argparse "
                        f"refuses it and exits (argument {_flag(key)}: invalid "
                        f"{kind.__name__} value: {value!r})") from None
                converted.append(key)
        elif key not in ARGUMENTS and key not in EXTRA and key != "config":
            ignored.append(key)
        args[key] = value
    for key in WHOLE:
        v = args[key]
        if v is None and key == "start_epoch":
            continue
        if isinstance(v, bool) or not isinstance(v, int):
            raise UsageError(f"{F}: {key} {v!r} is not allowed: train.py's {_flag(key)} is a "
                             "whole number (argparse converts only text, so a YAML float or "
                             "list reaches timm as it is): write an int")
    for key in REAL:
        v = args[key]
        if v is None and key in ("lr", "lr_stable_timescale"):
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise UsageError(f"{F}: {key} {v!r} is not allowed: a finite number")
    for key in ("sched", "opt", "lr_base_scale", "eval_metric"):
        if not isinstance(args[key], str):
            raise UsageError(f"{F}: {key} {args[key]!r} is not allowed: text")
    fn = args["lr_decay_fn"]
    if fn is not None and not isinstance(fn, str):
        raise UsageError(f"{F}: lr_decay_fn {fn!r} is not allowed: the name of a decay")
    return args, converted, ignored


def flags_as_text(args: dict[str, Any]) -> list[str]:
    """The store_true arguments the file gives as something other than true/false (train.py
    tests them for truth: the text 'false' is true)."""
    return [k for k in FLAGS if not isinstance(args[k], bool)]
