"""The torch dialect reads a pasted ``def lr_lambda(step):`` (if/elif/else, return, local
names) passed by name to the scheduler call, as the lambda it is: read with ``ast``, never
run, with a lambda's rules."""

from __future__ import annotations

import numpy as np
import pytest

from lrsched_cli.errors import UsageError
from lrsched_cli.sources import dialects
from lrsched_cli.sources.dialects.expr import parse_vars


def ev(expr: str, steps: int = 40, base_lr: float = 1.0, *var: str) -> np.ndarray:
    return dialects.evaluate("torch", expr, steps, base_lr,
                             bindings=parse_vars(var) if var else None)[0]


HF_COSINE = '''
import math
from torch.optim.lr_scheduler import LambdaLR

def lr_lambda(current_step):
    """transformers' _get_cosine_schedule_with_warmup_lr_lambda, its numbers written in."""
    if current_step < 10:
        return float(current_step) / float(max(1, 10))
    progress = float(current_step - 10) / float(max(1, 40 - 10))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(0.5) * 2.0 * progress)))

scheduler = LambdaLR(optimizer, lr_lambda)
'''


def test_a_def_is_its_lambda():
    lam = ("LambdaLR(optimizer, lambda current_step: float(current_step) / float(max(1, 10)) "
           "if current_step < 10 else max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(0.5) * "
           "2.0 * (float(current_step - 10) / float(max(1, 40 - 10)))))))")
    np.testing.assert_array_equal(ev(HF_COSINE, base_lr=0.1), ev(lam, base_lr=0.1))
    t = np.arange(40)
    want = np.where(t < 10, t / 10, 0.5 * (1 + np.cos(np.pi * (t - 10) / 30)))
    np.testing.assert_allclose(ev(HF_COSINE), want, rtol=1e-15, atol=1e-16)


def test_branches_locals_and_fall_through():
    text = '''
def f(e):
    if e < 5:
        return 0.1
    elif e < 10:
        x = e - 5
        if x < 2:
            return 0.05
        x = x * 2
        return 1 / (x + 10)
    else:
        pass
    if e >= 30:
        e = e - 30
        return 0.001 * (e + 1)
    return 0.01

scheduler = LambdaLR(optimizer, f)
'''
    got = ev(text)
    want = [0.1 if e < 5 else (0.05 if e - 5 < 2 else 1 / ((e - 5) * 2 + 10)) if e < 10 else
            0.001 * (e - 30 + 1) if e >= 30 else 0.01 for e in range(40)]
    np.testing.assert_array_equal(got, want)


def test_defs_inside_composites_and_keyword():
    text = '''
def warm(t):
    return (t + 1) / 5

def decay(t):
    return 0.9 ** t

SequentialLR(optimizer, schedulers=[LambdaLR(optimizer, lr_lambda=warm),
                                    LambdaLR(optimizer, decay)], milestones=[5])
'''
    lam = ("SequentialLR(optimizer, schedulers=[LambdaLR(optimizer, lr_lambda=lambda t: "
           "(t + 1) / 5), LambdaLR(optimizer, lambda t: 0.9 ** t)], milestones=[5])")
    np.testing.assert_array_equal(ev(text, 20), ev(lam, 20))


def test_free_names_are_bound_with_var():
    text = "def f(s):\n    if s < warmup:\n        return s / warmup\n    return 1.0\n" \
           "LambdaLR(optimizer, f)"
    np.testing.assert_array_equal(ev(text, 8, 1.0, "warmup=4"),
                                  [0, 0.25, 0.5, 0.75, 1, 1, 1, 1])
    with pytest.raises(UsageError, match="needs values for: warmup"):
        ev(text, 8, 1.0, "other=1")


@pytest.mark.parametrize("text, message", [
    ("def f(a, b):\n    return 1\nLambdaLR(optimizer, f)", "a function of one parameter"),
    ("def f(a=1):\n    return 1\nLambdaLR(optimizer, f)", "a function of one parameter"),
    ("@cache\ndef f(a):\n    return 1\nLambdaLR(optimizer, f)", "without defaults or decorat"),
    ("def f(a):\n    if a < 3:\n        return 1\nLambdaLR(optimizer, f)",
     "does not return a value on every path"),
    ("def f(a):\n    return\nLambdaLR(optimizer, f)", "'return' without a value"),
    ("def f(a):\n    for i in range(3):\n        return i\nLambdaLR(optimizer, f)",
     "refused statement 'for i in range(3)"),
    ("def f(a):\n    import os\n    return 1\nLambdaLR(optimizer, f)", "refused statement"),
    ("def f(a):\n    return __import__('os').system('true')\nLambdaLR(optimizer, f)",
     "refused call"),
    ("def g(a):\n    return a\ndef f(a):\n    return g(a)\nLambdaLR(optimizer, f)",
     "refused call 'g(a)'"),
    ("def f(a):\n    return 1\nx = 3", "refused statement 'x = 3'"),
    ("def f(a):\n    return 1\nprint(f)\nLambdaLR(optimizer, f)", "refused statement 'print(f)'"),
    ("def f(a):\n    return 1\n", "does not end with the scheduler call"),
    ("def f(a):\n    x = 2 ** 10000\n    return x\nLambdaLR(optimizer, f)", "bits"),
])
def test_refused_in_one_line(text, message):
    with pytest.raises(UsageError) as e:
        ev(text, 5)
    assert message in str(e.value) and "\n" not in str(e.value), str(e.value)


def test_locals_cannot_blow_up():
    lines = ["def f(t):", "    a0 = t"]
    lines += [f"    a{i} = a{i - 1} + a{i - 1}" for i in range(1, 40)]
    lines += ["    return a39", "LambdaLR(optimizer, f)"]
    with pytest.raises(UsageError, match="nodes"):
        ev("\n".join(lines), 5)


def test_one_expression_is_read_as_before():
    assert ev("LambdaLR(optimizer, lr_lambda=lambda e: 0.5 ** (e // 10))", 30)[25] == 0.25
