"""Published recipes: schedules as papers and reference code state them, with citations.

Each recipe builds a native schedule from the numbers its sources give; the length comes
from the user (``--steps``), the peak from the paper's table (``--size``) or scaling rule
(``--batch-size``). Every number is one ../shared/reference/research-schedules.md marks as
seen in a primary source or reference code ([P], [C]) or a secondary source quoting it
([S]); what it marks UNCONFIRMED is listed, not used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError


@dataclass(frozen=True)
class Recipe:
    name: str
    summary: str
    citation: str
    sources: tuple[str, ...]  # where each number was confirmed
    build: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]
    sizes: tuple[str, ...] = ()
    default_size: str | None = None
    needs_batch: bool = False
    unconfirmed: tuple[str, ...] = field(default_factory=tuple)
    default_steps: int = 100_000
    per_epoch: bool = False  # its reference code steps the schedule once an epoch


LLAMA2_PEAK = {"7b": 3.0e-4, "13b": 3.0e-4, "34b": 1.5e-4, "70b": 1.5e-4}

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
          lr_max: float | None = None, warmup: Any = None) -> tuple[str, dict[str, Any]]:
    """(schedule name, its options) of a recipe at a length, size and batch size."""
    r = get(name)
    n = steps if steps is not None else r.default_steps
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
    schedule, params = r.build({"steps": n, "size": size, "batch_size": batch_size,
                                "lr_max": lr_max, "warmup": warmup})
    return schedule, {**params, "steps": n}
