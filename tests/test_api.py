"""The Python API: same values and the same validation as the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from lrsched_cli import schedule
from lrsched_cli.errors import UsageError


def test_schedule_returns_float64_array():
    v = schedule("cosine", lr_max=0.1, steps=100)
    assert isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == (100,)
    assert v[0] == 0.1


def test_aliases_and_kebab_names_are_accepted():
    a = schedule("cosine", eta_min=0.0, steps=10)
    b = schedule("cosine", **{"lr-min": 0.0}, steps=10)
    c = schedule("cosine", lr_min="0", steps="10")
    assert a.tobytes() == b.tobytes() == c.tobytes()


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps=0), "--steps: '0'"),
    (dict(lr_max=float("nan")), "--lr-max: 'nan'"),
    (dict(lr_min=0.5, lr_max=0.1), "--lr-min 0.5 is above --lr-max 0.1"),
    (dict(lr_mx=0.1), "cosine has no parameter 'lr_mx' (did you mean 'lr_max'?)"),
    (dict(lr_max=True), "--lr-max: 'True'"),
    (dict(lr_min=0.0, eta_min=0.0), "--lr-min given twice"),
])
def test_validation_is_the_clis(kwargs, message):
    with pytest.raises(UsageError) as e:
        schedule("cosine", **kwargs)
    assert message in str(e.value)
    assert isinstance(e.value, ValueError)


def test_plateau_takes_a_sequence():
    v = schedule("plateau", initial_lr=1.0, metrics=[5, 5, 5, 5], patience=1)
    assert v.tolist() == [1.0, 1.0, 1.0, 0.1]
    with pytest.raises(UsageError, match="not a finite number"):
        schedule("plateau", metrics=[1.0, float("inf")])


def test_unknown_schedule():
    with pytest.raises(UsageError, match="unknown schedule 'cosne' \\(did you mean 'cosine'"):
        schedule("cosne")
