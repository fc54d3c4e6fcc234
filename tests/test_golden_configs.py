"""config FILE against the real trainers: golden vectors recorded by running each trainer on
CPU with an optimizer step pre-hook (tests/golden/configs/generate_<format>.py made them;
none of those libraries is needed here). Every update's lr, float64, within 1e-12 relative."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lrsched_cli.errors import UsageError
from lrsched_cli.sources.configs import FORMATS, Inputs, read

GOLDEN = Path(__file__).parent / "golden" / "configs"


def _load(fmt: str) -> dict:
    return json.loads((GOLDEN / f"{fmt}.json").read_text())


def _cases(key: str) -> list:
    out = []
    for fmt in FORMATS:
        if not (GOLDEN / f"{fmt}.json").exists():
            continue
        for case in _load(fmt).get(key, []):
            out.append(pytest.param(fmt, case, id=f"{fmt}-{case['name']}"))
    return out


def _inputs(case: dict) -> Inputs:
    i = case.get("inputs") or {}
    return Inputs(dataset_size=i.get("dataset_size"), batch_size=i.get("batch_size"),
                  world_size=i.get("world_size") or 1, epochs=i.get("epochs"),
                  sets=tuple(i.get("sets") or ()), metrics=_metrics(case))


def _metrics(case: dict) -> tuple[float, ...] | None:
    """The case's metric after each epoch (null where the trainer evaluates none: nan)."""
    m = case.get("metrics")
    return None if m is None else tuple(float("nan") if x is None else float(x) for x in m)


def _write(tmp_path: Path, case: dict) -> str:
    path = tmp_path / case["file_name"]
    path.write_text(case["file"])
    return str(path)


def test_every_implemented_format_has_golden_vectors():
    for fmt in FORMATS:
        assert (GOLDEN / f"{fmt}.json").exists(), fmt
        assert len(_load(fmt)["cases"]) >= 8, fmt


@pytest.mark.parametrize("fmt, case", _cases("cases"))
def test_config_matches_the_trainer(tmp_path, fmt, case):
    r = read(_write(tmp_path, case), _inputs(case), fmt)
    assert r.format == fmt
    want = case["groups"]
    if len(want) == 1:  # groups with the same lr are one series
        assert len(r.groups) == 1
        got = [next(iter(r.groups.values()))]
    else:
        assert list(r.groups) == list(want)
        got = [r.groups[k] for k in want]
    for g, w in zip(got, want.values()):
        w = np.asarray(w, dtype=np.float64)
        assert len(g) == len(w), (case["name"], len(g), len(w))
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12 * max(1e-300, np.abs(w).max()))


@pytest.mark.parametrize("fmt, case", _cases("cases"))
def test_config_is_told_from_its_content(tmp_path, fmt, case):
    assert read(_write(tmp_path, case), _inputs(case)).format == fmt


@pytest.mark.parametrize("fmt, case", _cases("rejects"))
def test_config_the_trainer_rejects_is_refused(tmp_path, fmt, case):
    with pytest.raises(UsageError) as e:
        read(_write(tmp_path, case), _inputs(case), fmt)
    assert "\n" not in str(e.value)
    key = case.get("key")
    if key:
        assert key in str(e.value)
