"""Published recipes: schedules as papers and reference code state them, with citations.

Each recipe builds a native schedule (a registry entry, or one of the two in
:mod:`.recipes_kernels`) from the numbers its sources give; the length comes from the user
(``--steps``; a recipe whose paper states its length defaults to it), the peak from the
paper's table (``--size``) or scaling rule (``--batch-size``). Every number was seen in a
primary source or a verbatim copy of it ([P]), reference code ([C]) or a secondary source
quoting it ([S]), each entry saying where (table, section, file and line); what could not be
confirmed is listed, not used. A recipe refuses --lr-max and --warmup unless it leaves them
to you (``takes``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from .recipes_kernels import NANOGPT_COSINE, TOKEN_COSINE


@dataclass(frozen=True)
class Recipe:
    name: str
    summary: str
    citation: str
    sources: tuple[str, ...]  # where each number was confirmed
    build: Callable[[dict[str, Any]], tuple[Any, dict[str, Any]]]  # (name or entry, options)
    sizes: tuple[str, ...] = ()
    default_size: str | None = None
    needs_batch: bool = False
    unconfirmed: tuple[str, ...] = field(default_factory=tuple)
    default_steps: int = 100_000  # what `lrsched info recipe` shows (epochs with per_epoch)
    per_epoch: bool = False  # its reference code steps the schedule once an epoch
    takes: tuple[str, ...] = ()  # of lr_max, warmup: what the recipe leaves to you
    # the default --steps where it depends on the size, or is a length in epochs ("90ep")
    default_length: Callable[[str | None], int | str] | None = None


LLAMA2_PEAK = {"7b": 3.0e-4, "13b": 3.0e-4, "34b": 1.5e-4, "70b": 1.5e-4}

# GPT-3, Table 2.1: (learning rate, batch size in tokens) per model; 0.5M is 500,000 tokens,
# the numbers as printed
GPT3 = {"125m": (6.0e-4, 0.5e6), "350m": (3.0e-4, 0.5e6), "760m": (2.5e-4, 0.5e6),
        "1.3b": (2.0e-4, 1e6), "2.7b": (1.6e-4, 1e6), "6.7b": (1.2e-4, 2e6),
        "13b": (1.0e-4, 2e6), "175b": (0.6e-4, 3.2e6)}
GPT3_TOKENS = 300e9  # Table 2.1 caption: every model trained for 300 billion tokens

# ViT, Table 3: (base LR, LR decay) per model and pre-training set (ViT-* on ImageNet)
VIT = {"b16-jft": (8e-4, "linear"), "b32-jft": (8e-4, "linear"), "l32-jft": (6e-4, "linear"),
       "l16-jft": (4e-4, "linear"), "h14-jft": (3e-4, "linear"),
       "b16-i21k": (1e-3, "linear"), "b32-i21k": (1e-3, "linear"),
       "l16-i21k": (1e-3, "linear"), "l32-i21k": (1e-3, "linear"),
       "imagenet": (3e-3, "cosine")}
VIT_LINEAR_END = 1e-5  # vit_jax/utils.py create_learning_rate_schedule(linear_end=1e-5)


def _tenth(peak: float) -> float:
    """10% of a printed peak, as the decimal it is (6e-05 for 6.0e-4, not 5.9999...e-05)."""
    return float(f"{peak / 10:.12g}")


def _gpt3(o: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    peak, batch = GPT3[o["size"]]
    return TOKEN_COSINE, {"lr_max": peak, "lr_min": _tenth(peak), "warmup_tokens": 375e6,
                          "decay_tokens": 260e9, "batch_tokens": batch}


def _goyal(o: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    kn = o["batch_size"]
    params: dict[str, Any] = {"initial_lr": 0.1 * kn / 256, "gamma": 0.1,
                              "milestones": ("30ep", "60ep", "80ep")}
    if kn > 256:  # Sec. 5.3: gradual warmup for kn > 256, always starting at 0.1
        params.update(warmup="5ep", warmup_start=0.1, warmup_mode="overlay",
                      warmup_target="peak")
    return "multistep", params


def _vit(o: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    peak, decay = VIT[o["size"]]
    if decay == "cosine":
        return "cosine", {"lr_max": peak, "lr_min": 0.0, "warmup": 10_000}
    return "linear", {"initial_lr": peak, "start_factor": 1.0,
                      "end_factor": VIT_LINEAR_END / peak, "warmup": 10_000}

RECIPES: dict[str, Recipe] = {r.name: r for r in (
    Recipe(
        "transformer-base", "The Transformer (base): noam, d_model 512, 4000 warmup steps",
        "Vaswani et al. 2017, Attention Is All You Need, Sec. 5.3 eq. (3)",
        ("d_model 512, warmup_steps 4000, the formula: the paper [P]",
         "1-based step: tensor2tensor legacy noam [C]"),
        lambda o: ("noam", {"d_model": 512, "warmup_steps": 4000, "factor": 1.0}),
    ),
    Recipe(
        "t5", "T5 pre-training: constant 0.01 for 10^4 steps, then 1/sqrt(t)",
        "Raffel et al. 2020 (T5); t5 gin rsqrt_no_ramp_down.gin, mesh truncated_rsqrt",
        ("1/sqrt(max(n, k)), k = 10^4: T5 gin and mesh code defaults [C]",),
        lambda o: ("rsqrt", {"factor": 1.0, "warmup_steps": 10_000}),
        unconfirmed=("the paper's own statement of k = 10^4 and 2^19 steps (consistent with "
                     "the code)",),
    ),
    Recipe(
        "bert", "BERT's own code: warmup to 1e-4 over 10k steps, linear decay counted from "
                "step 0 (a drop at the end of the warmup)",
        "Devlin et al. 2019 (BERT); google-research/bert optimization.py",
        ("lr = init*t/W before W, init*(1 - t/T) after: google-research/bert [C]",
         "peak 1e-4, warmup 10,000 steps: model card quoting the paper [S]"),
        lambda o: ("linear", {"initial_lr": 1e-4, "start_factor": 1.0, "end_factor": 0.0,
                              "warmup": 10_000, "warmup_mode": "overlay",
                              "warmup_target": "peak"}),
        default_steps=1_000_000,
    ),
    Recipe(
        "bert-hf", "BERT as Hugging Face's linear schedule: warmup to the full peak at 10k",
        "transformers get_linear_schedule_with_warmup; BERT's peak and warmup",
        ("linear warmup then linear decay from the peak: HF code [C]",
         "peak 1e-4, warmup 10,000 steps: model card quoting the paper [S]"),
        lambda o: ("linear", {"initial_lr": 1e-4, "start_factor": 1.0, "end_factor": 0.0,
                              "warmup": 10_000}),
        default_steps=1_000_000,
    ),
    Recipe(
        "ulmfit", "ULMFiT's slanted triangular LR (peak 0.01, cut 10%, ratio 32)",
        "Howard & Ruder 2018 (ULMFiT), Sec. 3.2",
        ("cut_frac 0.1, ratio 32, peak 0.01: mesh_tensorflow slanted_triangular, whose "
         "docstring gives them as the paper's [C]",),
        lambda o: ("stlr", {"lr_max": 0.01, "cut_frac": 0.1, "ratio": 32,
                            "variant": "clamped" if o["steps"] * 0.1 % 1 else "paper"}),
        default_steps=1000,
    ),
    Recipe(
        "llama2", "LLaMA 2 pre-training: 2,000 warmup steps, cosine to 10% of the peak",
        "Touvron et al. 2023, Llama 2, Sec. 2.2 and Table 1",
        ("peak 3.0e-4 (7B, 13B), 1.5e-4 (34B, 70B): Table 1 [P]",
         "2,000 warmup steps, cosine decaying to 10% of the peak: [S] quoting the paper"),
        lambda o: ("cosine", {"lr_max": LLAMA2_PEAK[o["size"]],
                              "lr_min": LLAMA2_PEAK[o["size"]] / 10, "warmup": 2000}),
        sizes=("7b", "13b", "34b", "70b"), default_size="7b", default_steps=500_000,
    ),
    Recipe(
        "deit", "DeiT: 5e-4 x batch / 512, 5 warmup epochs from 1e-6, cosine to 1e-5, "
                "stepped per epoch",
        "Touvron et al. 2021 (DeiT); facebookresearch/deit main.py",
        ("lr = 5e-4 * batch / 512, warmup 5 epochs from 1e-6, min_lr 1e-5, timm cosine "
         "stepped per epoch, 300 epochs: deit main.py defaults [C]",),
        lambda o: ("cosine", {"lr_max": 5e-4 * o["batch_size"] / 512, "lr_min": 1e-5,
                              "warmup": 5, "warmup_start": 1e-6, "warmup_mode": "overlay",
                              "warmup_target": "peak"}),
        needs_batch=True, default_steps=300, per_epoch=True,
        unconfirmed=("the paper's Table 9 values (e.g. batch 1024 -> 1e-3)",),
    ),
    Recipe(
        "fastai-one-cycle", "fastai's fit_one_cycle defaults (lr 1e-3, div 25, div_final 1e5, "
                            "25% rising)",
        "fastai 2.8 callback/schedule.py fit_one_cycle",
        ("every default: fastai 2.8.12 source [C]",),
        lambda o: ("fastai-one-cycle", {"lr_max": 1e-3}),
        default_steps=1000,
    ),
    Recipe(
        "deepseek-v2-lite", "DeepSeek-V2-Lite: 2K warmup steps to 4.2e-4, x0.316 at 80% and "
                            "again at 90% of training",
        "DeepSeek-AI, DeepSeek-V2-Lite README (HF commit c85be81)",
        ("linear warmup from 0 over 2K steps, peak 4.2e-4, x0.316 after ~80% and ~90% of "
         "tokens: the README [P]",),
        # milestones count from the end of the 2,000 warmup steps (the main schedule's time)
        lambda o: ("multistep", {"initial_lr": 4.2e-4, "gamma": 0.316,
                                 "milestones": (round(0.8 * o["steps"]) - 2000,
                                                round(0.9 * o["steps"]) - 2000),
                                 "warmup": 2000}),
    ),
    Recipe(
        "d2z", "Linear warmup, then linear decay to zero (D2Z)",
        "Bergsma et al. 2025, Straight to Zero (ICLR)",
        ("linear decay to zero: the paper's abstract [P]; the form: HF "
         "get_linear_schedule_with_warmup [C]",),
        lambda o: ("linear", {"initial_lr": o.get("lr_max") or 1.0, "start_factor": 1.0,
                              "end_factor": 0.0, "warmup": o.get("warmup") or 0}),
        unconfirmed=("the paper's warmup length (give --warmup)",),
        takes=("lr_max", "warmup"),
    ),
    Recipe(
        "wsd-1sqrt", "Warmup-stable-decay with the 1-sqrt cooldown",
        "Hägele et al. 2024, Scaling Laws and Compute-Optimal Training Beyond Fixed Training "
        "Durations (NeurIPS)",
        ("the 1-sqrt cooldown: [S] quoting the paper; the form: HF get_wsd_schedule [C]",),
        lambda o: ("wsd", {"lr_max": o.get("lr_max") or 1.0, "lr_min": 0.0,
                           "decay_shape": "1-sqrt"}),
        unconfirmed=("the paper's cooldown length (lrsched's default: the last 20%)",
                     "its warmup length (lrsched's default: 10%)"),
        takes=("lr_max",),
    ),
    Recipe(
        "gpt3", "GPT-3: warmup over 375M tokens, cosine to 10% at 260B tokens, then held; "
                "peak and batch per size",
        "Brown et al. 2020, Language Models are Few-Shot Learners (GPT-3), Table 2.1 and "
        "App. B",
        ("peak lr and batch size in tokens per size (6.0e-4 at 0.5M for 125M ... 0.6e-4 at "
         "3.2M for 175B; 0.5M read as 500,000 tokens): Table 2.1 [P]",
         "linear warmup over the first 375M tokens; cosine decay to 10% of the peak over "
         "260B tokens, 'after 260 billion tokens, training continues at 10%': App. B [P]",
         "300B tokens for every model: Table 2.1 caption [P]; the default --steps is 300B "
         "over the size's batch (600,000 steps at 0.5M ... 93,750 at 3.2M)",
         "update t has seen t x batch tokens (lr 0 at t = 0), the decay ends at token 260B "
         "counted from the start: lrsched's reading of App. B; the steps come from the "
         "size's batch (--tokens-per-step only converts a --steps written in tokens)"),
        _gpt3,
        sizes=tuple(GPT3), default_size="125m", default_steps=600_000,
        default_length=lambda size: int(GPT3_TOKENS // GPT3[size or "125m"][1]),
        unconfirmed=("the batch-size ramp from 32k tokens 'over the first 4-12 billion "
                     "tokens ..., depending on the model size' (App. B; not given per size): "
                     "every step counts the full batch",),
    ),
    Recipe(
        "chinchilla", "Chinchilla: 1500 warmup steps from 1e-7 to 1e-4, cosine to 10% over "
                      "a cycle matched to the run",
        "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models (Chinchilla), "
        "Sec. 3.1 and 4.1, Table 4, App. B and D.1",
        ("the cosine decays the lr 10x over a cycle matched to the training steps (your "
         "--steps): Sec. 3.1, App. B ('cosine cycle length correctly calibrated to the "
         "maximum number of steps'), App. D.1 (overshooting by more than 25% degrades) [P]",
         "peak 1e-4: Chinchilla 70B, Table 4 [P]; --lr-max for another model (the paper's "
         "sweep: 2e-4 for the smallest models, 1.25e-4 for the largest, App. D.1 [P])",
         "warmup from 1e-7 to the peak over the first 1500 steps: Gopher's (Rae et al. 2021, "
         "Sec. 3), kept by Chinchilla ('the same model architecture and training setup as "
         "Gopher', Sec. 4.1 [P]); Gopher's sentence: [S] (quoted); the ramp's shape is not "
         "stated, lrsched ramps linearly",
         "the batch doubles midway (1.5M -> 3M tokens, Table 4 [P]): with the length in "
         "steps it does not change the schedule"),
        lambda o: ("cosine", {"lr_max": o.get("lr_max") or 1e-4,
                              "lr_min": _tenth(o.get("lr_max") or 1e-4), "warmup": 1500,
                              "warmup_start": 1e-7}),
        default_steps=100_000, takes=("lr_max",),
    ),
    Recipe(
        "nanogpt", "nanoGPT's train.py defaults: 6e-4, warmup (it + 1)/2001 over 2000 iters, "
                   "cosine to 6e-5 at 600000",
        "karpathy/nanoGPT train.py (commit 3adf61e, 2025-11-12): get_lr and its defaults",
        ("learning_rate 6e-4, max_iters 600000, warmup_iters 2000, lr_decay_iters 600000, "
         "min_lr 6e-5: train.py lines 58-68 [C]",
         "get_lr: learning_rate * (it + 1) / (warmup_iters + 1) below warmup_iters (since "
         "commit dc81cb3, 2024-12-09; it / warmup_iters before), min_lr above "
         "lr_decay_iters, cosine between: train.py lines 231-242 [C]; lr[t] = get_lr(t)",
         "600,001 updates: the loop runs iter_num 0 to max_iters (lines 328-333) [C]"),
        lambda o: (NANOGPT_COSINE, {"learning_rate": 6e-4, "min_lr": 6e-5,
                                    "warmup_iters": 2000, "lr_decay_iters": 600_000}),
        default_steps=600_001,
    ),
    Recipe(
        "resnet50-1h", "ImageNet in 1 hour: 0.1 x batch/256, warmup from 0.1 over 5 epochs, "
                       "x0.1 at epochs 30, 60, 80 of 90",
        "Goyal et al. 2017, Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour, "
        "Sec. 2.2, 5.1, 5.3",
        ("lr = 0.1 x kn/256 (kn: the minibatch, --batch-size x --grad-accum), x1/10 at "
         "the 30th, 60th and 80th epoch, 90 epochs: Sec. 5.1 [P]",
         "gradual warmup for kn > 256, 'always starting with 0.1 and increasing linearly' to "
         "the reference lr 'after 5 epochs': Sec. 5.3 [P], by a constant amount each "
         "iteration: Sec. 2.2 [P]",
         "epochs to steps: --steps-per-epoch, or --dataset-size (your training set) with "
         "--batch-size; the default --steps is 90ep"),
        _goyal,
        needs_batch=True, default_steps=90, default_length=lambda size: "90ep",
    ),
    Recipe(
        "vit", "ViT pre-training: Adam, batch 4096, 10k warmup steps, linear (cosine on "
               "ImageNet) decay; peak per model",
        "Dosovitskiy et al. 2021, An Image is Worth 16x16 Words (ViT), Sec. 4.1 and Table 3; "
        "google-research/vision_transformer vit_jax/utils.py",
        ("base LR and decay per model and data set: Table 3 [P] (JFT-300M: B/16, B/32 8e-4, "
         "L/32 6e-4, L/16 4e-4, H/14 3e-4, linear; ImageNet-21k: B and L 1e-3, linear; "
         "ImageNet, every ViT: 3e-3, cosine)",
         "batch 4096 and a warmup of 10k steps for every model: Table 3 caption; linear "
         "warmup and decay: Sec. 4.1 [P]",
         "the shape: base * min(1, t/10k), the decay's progress (t - 10k)/(T - 10k), linear "
         "to linear_end 1e-5, cosine to 0: vit_jax/utils.py create_learning_rate_schedule "
         "lines 57-96 (commit c6de1e5) [C]; that repository's training is fine-tuning (its "
         "pre-training code is not public), lrsched takes this function for pre-training",
         "the length is yours: Table 3 gives epochs (7/14 on JFT-300M, 30/90 on ImageNet-21k, "
         "300 on ImageNet): --steps, or --steps Nep with --steps-per-epoch"),
        _vit,
        sizes=tuple(VIT), default_size="b16-i21k",
    ),
)}


def get(name: str) -> Recipe:
    key = name.strip().lower()
    if key not in RECIPES:
        import difflib

        close = difflib.get_close_matches(key, list(RECIPES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UsageError(f"unknown recipe '{name}'{hint}; recipes: {', '.join(RECIPES)}")
    return RECIPES[key]


def build(name: str, steps: int | None, size: str | None, batch_size: float | None,
          lr_max: float | None = None, warmup: Any = None) -> tuple[Any, dict[str, Any]]:
    """(schedule: a registry name or an entry of :mod:`.recipes_kernels`, its options) of a
    recipe at a length, size and batch size."""
    r = get(name)
    for key, value in (("lr_max", lr_max), ("warmup", warmup)):
        if value is not None and key not in r.takes:
            flag = "--" + key.replace("_", "-")
            raise UsageError(f"recipe {r.name} takes no {flag}: its numbers are its sources' "
                             f"(lrsched info recipe {r.name})")
    if r.sizes:
        size = (size or r.default_size or "").lower()
        if size not in r.sizes:
            raise UsageError(f"recipe {r.name}: --size '{size}' is not one the paper gives; "
                             f"sizes: {', '.join(r.sizes)}")
    elif size is not None:
        raise UsageError(f"recipe {r.name} has no sizes")
    if r.needs_batch:
        if batch_size is None:
            raise UsageError(f"recipe {r.name} scales its peak with the batch size: give "
                             "--batch-size (the global batch, e.g. 1024)")
    elif batch_size is not None:
        raise UsageError(f"recipe {r.name} does not scale with the batch size")
    n: int | str = steps if steps is not None else (
        r.default_length(size) if r.default_length else r.default_steps)
    schedule, params = r.build({"steps": n, "size": size, "batch_size": batch_size,
                                "lr_max": lr_max, "warmup": warmup})
    return schedule, {**params, "steps": n}
