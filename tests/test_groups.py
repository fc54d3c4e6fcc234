"""Per-group rates: --groups multipliers and layer-wise decay (research-schedules.md, A12)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrsched_cli import schedule
from lrsched_cli.errors import UsageError
from lrsched_cli.schedules.groups import apply, layer_scales
from lrsched_cli.series import Series

# ELECTRA, google-research/electra model/optimization.py::_get_layer_lrs:
# lr * decay ** (n_layers + 2 - depth); lr 1, decay 0.8, 12 layers (sheet A12 sample values).
ELECTRA = {"embeddings": 0.043980465111040035, "layer_0": 0.054975581388800036,
           "layer_10": 0.5120000000000001, "layer_11": 0.6400000000000001, "head": 1.0}
# BEiT, microsoft/unilm beit/run_class_finetuning.py: layer_decay ** (L + 1 - i);
# decay 0.65, 12 blocks; index 0 embeddings, j + 1 block j, 13 head (sheet A12).
BEIT = {"embeddings": 0.003697205891018715, "layer_0": 0.005688009063105715,
        "layer_10": 0.42250000000000004, "layer_11": 0.65, "head": 1.0}


def _csv(text: str) -> tuple[list[str], np.ndarray]:
    lines = text.strip().splitlines()
    return lines[0].split(","), np.loadtxt(io.StringIO("\n".join(lines[1:])), delimiter=",",
                                           ndmin=2)


@pytest.mark.parametrize("style,decay,want", [("electra", 0.8, ELECTRA), ("beit", 0.65, BEIT)])
def test_layer_scales_match_the_sheet(style, decay, want):
    scales = dict(layer_scales(decay, 12, style))
    assert list(scales)[:2] == ["embeddings", "layer_0"] and list(scales)[-1] == "head"
    assert len(scales) == 14
    for name, value in want.items():
        assert scales[name] == value, name


@pytest.mark.parametrize("style,decay,want", [("electra", 0.8, ELECTRA), ("beit", 0.65, BEIT)])
def test_export_writes_one_column_per_layer(run, style, decay, want):
    r = run("export", "constant", "--initial-lr", "1", "--steps", "3", "--layer-decay",
            str(decay), "--layers", "12", "--layer-decay-style", style)
    assert r.exit_code == 0, r.stderr
    header, rows = _csv(r.stdout)
    assert header == ["step", "embeddings", *(f"layer_{j}" for j in range(12)), "head"]
    for name, value in want.items():
        assert (rows[:, header.index(name)] == value).all(), name


def test_default_style_is_beit(run):
    a = run("export", "cosine", "--steps", "20", "--layer-decay", "0.7", "--layers", "3")
    b = run("export", "cosine", "--steps", "20", "--layer-decay", "0.7", "--layers", "3",
            "--layer-decay-style", "beit")
    assert a.exit_code == 0 and a.stdout == b.stdout


def test_groups_are_multiplier_times_the_schedule_bit_for_bit(run):
    args = ("cosine", "--lr-max", "0.3", "--steps", "500", "--warmup", "10%")
    one = run("export", *args)
    grouped = run("export", *args, "--groups", "backbone=0.1,head=1,frozen=0")
    assert grouped.exit_code == 0, grouped.stderr
    _, base = _csv(one.stdout)
    header, rows = _csv(grouped.stdout)
    assert header == ["step", "backbone", "head", "frozen"]
    assert (rows[:, 0] == base[:, 0]).all()
    assert (rows[:, 1] == base[:, 1] * 0.1).all()
    assert (rows[:, 2] == base[:, 1]).all()
    assert (rows[:, 3] == 0).all()


def test_json_has_one_lr_list_per_group(run):
    r = run("export", "step", "--step-size", "2", "--steps", "5", "--groups", "a=0.5,b=2",
            "-f", "json")
    doc = json.loads(r.stdout)
    groups = doc["schedules"]
    assert [g["label"] for g in groups] == ["a", "b"]
    assert [g["params"]["multiplier"] for g in groups] == [0.5, 2.0]
    base = schedule("step", steps=5, step_size=2)
    assert groups[0]["lr"] == (base * 0.5).tolist() and groups[1]["lr"] == (base * 2).tolist()


def test_dialects_and_recipes_take_groups(run):
    r = run("export", "torch", "StepLR(step_size=2, gamma=0.5)", "--base-lr", "0.1", "--steps",
            "4", "--groups", "bb=0.1,head=1")
    header, rows = _csv(r.stdout)
    assert header == ["step", "bb", "head"]
    assert rows[:, 2].tolist() == [0.1, 0.1, 0.05, 0.05]
    assert rows[:, 1].tolist() == [0.1 * 0.1, 0.1 * 0.1, 0.05 * 0.1, 0.05 * 0.1]
    r = run("export", "recipe", "ulmfit", "--steps", "100", "--layer-decay", "0.5", "--layers",
            "2")
    assert r.exit_code == 0, r.stderr
    header, rows = _csv(r.stdout)
    assert header == ["step", "embeddings", "layer_0", "layer_1", "head"]
    assert (rows[:, 1] == rows[:, 4] * 0.125).all()


def test_table_and_plot_show_the_groups(run, tmp_path):
    r = run("table", "cosine", "--steps", "10", "--groups", "backbone=0.1,head=1")
    assert r.exit_code == 0, r.stderr
    assert "2 parameter groups" in r.stdout
    assert "backbone" in r.stdout and "head" in r.stdout
    out = tmp_path / "g.png"
    r = run("plot", "cosine", "--steps", "100", "--layer-decay", "0.7", "--layers", "12",
            "-o", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_labels_each_group(run):
    r = run("compare", "cosine --lr-max 1 --groups backbone=0.1,head=1", "step --step-size 3",
            "--steps", "10", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    header = r.stdout.splitlines()[0].split(",")
    assert header == ["step", "cosine --lr-max 1/backbone", "cosine --lr-max 1/head",
                      "step --step-size 3"]


def test_compare_refuses_too_many_curves(run):
    r = run("compare", "cosine --layer-decay 0.9 --layers 20", "step --layer-decay 0.9 "
            "--layers 20", "--steps", "10")
    assert r.exit_code == 2 and "at most 32" in r.stderr


def test_api_returns_a_mapping():
    out = schedule("constant", steps=2, initial_lr=1, layer_decay=0.8, layers=12,
                   layer_decay_style="electra")
    assert isinstance(out, dict) and list(out)[0] == "embeddings"
    assert {k: out[k][0] for k in ELECTRA} == ELECTRA
    assert isinstance(schedule("cosine", steps=3), np.ndarray)


@pytest.mark.parametrize("args,message", [
    (["--layers", "3"], "--layers needs --layer-decay"),
    (["--layer-decay", "0.8"], "--layer-decay needs --layers"),
    (["--layer-decay", "1.5", "--layers", "2"], "'1.5' (allowed: 0 < D <= 1)"),
    (["--layer-decay", "0", "--layers", "2"], "'0' (allowed: 0 < D <= 1)"),
    (["--layer-decay", "0.5", "--layers", "0"], "invalid value for --layers: '0'"),
    (["--layer-decay", "0.5", "--layers", "2.5"], "invalid value for --layers: '2.5'"),
    (["--layer-decay", "0.5", "--layers", "2", "--layer-decay-style", "bert"],
     "'bert' (allowed: beit, electra)"),
    (["--groups", "a=1", "--layer-decay", "0.5"], "give one"),
    (["--groups", "a"], "'a' is not NAME=MULT"),
    (["--groups", "a=-1"], "invalid multiplier '-1' for group 'a'"),
    (["--groups", "a=nan"], "invalid multiplier 'nan'"),
    (["--groups", "a=1,a=2"], "group 'a' given twice"),
    (["--groups", "step=1"], "invalid group name 'step'"),
])
def test_bad_group_options_are_one_line_usage_errors(run, args, message):
    r = run("export", "cosine", "--steps", "5", *args)
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert r.stdout == ""


def test_simulate_refuses_groups(run):
    r = run("simulate", "cosine --groups a=1", "--steps", "10")
    assert r.exit_code == 2 and "one rate per schedule" in r.stderr


def test_save_spec_keeps_the_groups(run, tmp_path):
    path = tmp_path / "s.toml"
    a = run("export", "cosine", "--steps", "6", "--groups", "a=0.5,b=1", "--save-spec",
            str(path))
    b = run("export", "--spec", str(path))
    assert a.exit_code == 0 and b.exit_code == 0, b.stderr
    assert a.stdout == b.stdout and b.stdout.startswith("step,a,b")


def test_groups_share_one_schedule_evaluation_per_chunk():
    calls = []

    def source(a: int, b: int) -> np.ndarray:
        calls.append((a, b))
        return np.arange(a, b, dtype=np.float64)

    base = Series("x", source=source, start=0, stop=200_000)
    parts = apply(base, layer_scales(0.5, 12))
    assert len(parts) == 14
    for chunks in zip(*(p.chunks(65536) for p in parts)):
        for (_, v), (_, scale) in zip(chunks, layer_scales(0.5, 12)):
            assert (v == chunks[-1][1] * scale).all()
    assert len(calls) == 4  # one per chunk, not 14 per chunk


@given(decay=st.floats(0.05, 1.0), layers=st.integers(1, 48),
       style=st.sampled_from(["beit", "electra"]))
def test_layer_scales_properties(decay, layers, style):
    scales = [s for _, s in layer_scales(decay, layers, style)]
    assert len(scales) == layers + 2 and scales[-1] == 1.0
    assert all(a <= b for a, b in zip(scales, scales[1:]))  # deeper layers never slower
    for a, b in zip(scales[1:-1], scales[2:-1]):  # one factor D between adjacent layers
        assert a == pytest.approx(b * decay, rel=1e-12)
    top = scales[-2]  # the top layer: D (beit) or D^2 (electra), the one-power offset
    assert top == pytest.approx(decay if style == "beit" else decay ** 2, rel=1e-12)
    other = [s for _, s in layer_scales(decay, layers, "electra" if style == "beit" else "beit")]
    ratio = decay if style == "beit" else 1 / decay
    assert other[0] == pytest.approx(scales[0] * ratio, rel=1e-9)


def test_parse_errors_from_the_api():
    with pytest.raises(UsageError, match="needs --layers"):
        schedule("cosine", steps=3, layer_decay=0.5)


def test_many_groups_turn_the_table_on_its_side(run):
    r = run("table", "cosine", "--steps", "100", "--layer-decay", "0.75", "--layers", "12",
            "--chart")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    rows = {ln.split()[0]: ln.split() for ln in lines if ln.strip()
            and ln.split()[0] in ("embeddings", "layer_5", "head")}
    assert set(rows) == {"embeddings", "layer_5", "head"}
    assert float(rows["head"][1]) == 1.0  # the multiplier column
    assert float(rows["layer_5"][1]) == pytest.approx(0.75 ** 7, rel=1e-5)  # beit: D ** (L - j)
    assert "the chart shows 7 of the 14 curves" in r.stdout
    assert max(len(ln) for ln in lines) <= 80
