"""Two schedules only published recipes use, beside :mod:`.recipes`: entries of the same
shape as the registry's (``registry.resolve`` takes them), kept out of ``lrsched list``.

- ``token-cosine`` (GPT-3, Brown et al. 2020, App. B): a warmup and a cosine decay whose
  lengths are in tokens, then held at the floor; update ``t`` has seen ``t * batch_tokens``
  tokens, so lengths that are no whole number of batches (375M tokens at 2M a batch) land
  where the tokens do, with nothing rounded.
- ``nanogpt-cosine``: karpathy/nanoGPT ``train.py`` ``get_lr(it)``, operation for operation.

Like the kernels, numpy and the standard library only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .params import Param, Schedule
from .resolve import Spec


def token_cosine(t: np.ndarray, n: int, lr_max: float, lr_min: float, warmup_tokens: float,
                 decay_tokens: float, batch_tokens: float) -> np.ndarray:
    """Linear warmup over ``warmup_tokens``, cosine to ``lr_min`` at ``decay_tokens``, held.

    With ``x = t * batch_tokens`` (the tokens update ``t`` has seen): ``lr_max * x / W`` for
    ``x < W``; ``lr_min`` for ``x >= D``; between, with ``p = (x - W) / (D - W)``,
    ``lr_max - (1 - 0.5 * (1 + cos(pi * p))) * (lr_max - lr_min)`` (exactly ``lr_max`` at
    ``x = W``). ``n`` is unused: the lengths are the paper's, not the run's.

    >>> token_cosine(np.array([0.0, 1.0, 2.0, 7.0, 12.0]), 13, 1.0, 0.5, 2.0, 12.0,
    ...              1.0).tolist()
    [0.0, 0.5, 1.0, 0.75, 0.5]
    """
    x = t * batch_tokens
    p = np.clip((x - warmup_tokens) / (decay_tokens - warmup_tokens), 0.0, 1.0)
    coeff = 0.5 * (1.0 + np.cos(np.pi * p))
    cos = lr_max - (1.0 - coeff) * (lr_max - lr_min)
    return np.where(x < warmup_tokens, lr_max * x / warmup_tokens,
                    np.where(x >= decay_tokens, lr_min, cos))


def nanogpt_cosine(t: np.ndarray, n: int, learning_rate: float, min_lr: float,
                   warmup_iters: int, lr_decay_iters: int) -> np.ndarray:
    """karpathy/nanoGPT ``train.py`` ``get_lr(it)`` (commit 3adf61e, lines 231-242):

    ``learning_rate * (it + 1) / (warmup_iters + 1)`` for ``it < warmup_iters``;
    ``min_lr`` for ``it > lr_decay_iters``; in between, with
    ``decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)``,
    ``min_lr + 0.5 * (1.0 + cos(pi * decay_ratio)) * (learning_rate - min_lr)``.

    >>> nanogpt_cosine(np.array([0.0, 3.0, 7.0, 8.0]), 8, 1.0, 0.1, 3, 7).tolist()
    [0.25, 1.0, 0.1, 0.1]
    """
    warm = learning_rate * (t + 1) / (warmup_iters + 1)
    decay_ratio = np.clip((t - warmup_iters) / (lr_decay_iters - warmup_iters), 0.0, 1.0)
    coeff = 0.5 * (1.0 + np.cos(np.pi * decay_ratio))
    cos = min_lr + coeff * (learning_rate - min_lr)
    return np.where(t < warmup_iters, warm, np.where(t > lr_decay_iters, min_lr, cos))


_KERNELS: dict[str, Callable[..., np.ndarray]] = {
    "token_cosine": token_cosine, "nanogpt_cosine": nanogpt_cosine}


class RecipeSchedule(Schedule):
    """A registry-shaped entry whose kernel is in this module, not in ``kernels``."""

    __slots__ = ()

    @property
    def kernel(self) -> Callable[..., Any]:
        return _KERNELS[self.kernel_name]


def _check_floor(params: dict[str, Any], spec: Spec) -> None:
    from ..errors import UsageError

    top, floor = ("lr_max", "lr_min") if "lr_max" in params else ("learning_rate", "min_lr")
    if params[floor] > params[top]:
        raise UsageError(f"{spec.name}: the floor {params[floor]!r} is above the peak "
                         f"{params[top]!r}")


def _positive(name: str, help: str) -> Param:
    return Param(name, "float", None, help, lo=0, lo_open=True)


TOKEN_COSINE = RecipeSchedule(
    "token-cosine", "Warmup and cosine decay measured in tokens, then held at the floor",
    "x = t * batch_tokens; lr_max * x / W before W; lr_min from D; between, lr_max - (1 - 0.5 "
    "* (1 + cos(pi * p))) * (lr_max - lr_min), p = (x - W) / (D - W)",
    "Brown et al. 2020, Language Models are Few-Shot Learners (GPT-3), App. B", "token_cosine",
    (_positive("lr_max", "Peak learning rate"),
     Param("lr_min", "float", None, "Floor, held after the decay", lo=0),
     _positive("warmup_tokens", "W: tokens of linear warmup"),
     _positive("decay_tokens", "D: tokens at which the cosine reaches the floor"),
     _positive("batch_tokens", "Tokens per optimizer step")),
    checks=(_check_floor,),
)

NANOGPT_COSINE = RecipeSchedule(
    "nanogpt-cosine", "nanoGPT's get_lr: warmup (it + 1) / (warmup_iters + 1), cosine, held",
    "lr * (t + 1) / (W + 1) before W; min_lr after D; min_lr + 0.5 * (1 + cos(pi * (t - W) / "
    "(D - W))) * (lr - min_lr)",
    "karpathy/nanoGPT train.py get_lr", "nanogpt_cosine",
    (_positive("learning_rate", "Peak learning rate"),
     Param("min_lr", "float", None, "Floor, held after lr_decay_iters", lo=0),
     Param("warmup_iters", "int", None, "Warmup iterations W", lo=0),
     Param("lr_decay_iters", "int", None, "Iteration D at which the cosine reaches min_lr",
           lo=1)),
    checks=(_check_floor,),
)
