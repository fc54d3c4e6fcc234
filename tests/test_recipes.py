"""Published recipes: every number asserted against the value its citation gives."""

from __future__ import annotations

import numpy as np
import pytest

from lrsched_cli import schedule
from lrsched_cli.errors import UsageError
from lrsched_cli.schedules import recipes


def values(name: str, steps: int | None = None, size: str | None = None,
           batch: float | None = None) -> np.ndarray:
    s, p = recipes.build(name, steps, size, batch)
    return schedule(s, **p)


def test_transformer_base():
    # Vaswani et al. 2017, Sec. 5.3 eq. (3): d_model 512, warmup 4000; peak d^-0.5 w^-0.5
    v = values("transformer-base", 10_000)
    assert v[3999] == pytest.approx(512 ** -0.5 * 4000 ** -0.5, rel=1e-14)
    assert v[0] == pytest.approx(1.746928107421711e-07, rel=1e-14)  # research sheet A3


def test_t5():
    # T5 gin rsqrt_no_ramp_down / mesh truncated_rsqrt: 1/sqrt(max(n, 1e4))
    v = values("t5", 50_000)
    assert v[0] == 0.01 and v[9999] == 0.01 and v[40_000] == pytest.approx(0.005, rel=1e-14)


def test_bert_code_and_hf():
    # research sheet B3 (init 1e-4, W = 10,000, T = 1,000,000): google-research/bert vs HF
    bert, hf = values("bert"), values("bert-hf")
    for t, b, h in ((5000, 5e-05, 5e-05), (9999, 9.999e-05, 9.999e-05),
                    (10000, 9.900000000000001e-05, 0.0001),
                    (500000, 5e-05, 5.050505050505051e-05)):
        assert bert[t] == pytest.approx(b, rel=1e-12)
        assert hf[t] == pytest.approx(h, rel=1e-12)


def test_ulmfit():
    # mesh_tensorflow slanted_triangular (the paper's defaults): peak 0.01, cut 0.1, ratio 32
    v = values("ulmfit", 100)
    assert v[0] == pytest.approx(0.01 / 32) and v[10] == pytest.approx(0.01)


@pytest.mark.parametrize("size, peak", [("7b", 3.0e-4), ("13b", 3.0e-4), ("34b", 1.5e-4),
                                        ("70b", 1.5e-4)])
def test_llama2(size, peak):
    # Llama 2 Table 1 (peaks); 2,000 warmup steps and cosine to 10% of the peak ([S])
    v = values("llama2", 100_000, size)
    assert v[2000] == pytest.approx(peak, rel=1e-14)
    assert v[:2000].max() < peak
    assert v[-1] == pytest.approx(peak / 10, rel=1e-6)


def test_deit_scaling_rule():
    # deit main.py: lr = 5e-4 * batch / 512; warmup from 1e-6 over 5 epochs; min_lr 1e-5
    v = values("deit", 300, batch=1024)
    assert v[0] == 1e-6
    assert v.max() == pytest.approx(1e-3, rel=1e-3)
    assert v[-1] == pytest.approx(1e-5, rel=1e-2)
    with pytest.raises(UsageError, match="give --batch-size"):
        values("deit", 300)


def test_fastai_one_cycle():
    # research sheet B11 (fastai 2.8.12, lr_max 1e-3, 100 iterations); fastai keeps the
    # position in float32, so compare within 1e-7 of the peak (seen: 2.7e-8)
    v = values("fastai-one-cycle", 100)
    for i, want in ((0, 4e-05), (10, 0.00037167185124828173), (25, 0.001),
                    (50, 0.0007500024864862765), (75, 0.0002500074729725539),
                    (99, 4.4857972831798335e-07)):
        assert abs(v[i] - want) <= 1e-7 * 1e-3


def test_deepseek_v2_lite():
    # DeepSeek-V2-Lite README: 2K warmup to 4.2e-4, x0.316 after 80% and after 90%
    v = values("deepseek-v2-lite", 100_000)
    assert v[2000] == pytest.approx(4.2e-4)
    assert v[79_999] == pytest.approx(4.2e-4) and v[80_000] == pytest.approx(4.2e-4 * 0.316)
    assert v[90_000] == pytest.approx(4.2e-4 * 0.316 ** 2)


def test_unknown_recipe_and_size(run):
    r = run("plot", "recipe", "llama3")
    assert r.exit_code == 2 and "unknown recipe 'llama3'" in r.stderr
    r = run("table", "recipe", "llama2", "--size", "65b")
    assert r.exit_code == 2 and "sizes: 7b, 13b, 34b, 70b" in r.stderr


def test_recipe_is_a_schedule_word(run):
    r = run("compare", "recipe llama2 --size 7b", "recipe deepseek-v2-lite", "--steps",
            "5000", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "step,recipe llama2 --size 7b,recipe deepseek-v2-lite"
    assert len(r.stdout.splitlines()) == 5001
    r = run("info", "recipe", "llama2")
    assert "Table 1 [P]" in r.stdout
    r = run("recipes")
    assert r.stdout.splitlines()[0].startswith("transformer-base")


def test_recipes_take_every_length_form(run):
    """Issue 14.7: `recipe deit --batch-size 1024 --steps 300ep --steps-per-epoch 10` was
    refused. DeiT is stepped once an epoch (its main.py), so with steps per epoch given its
    300 epochs are held 10 rows each; a per-step recipe takes epochs and tokens as lengths."""
    import json

    import numpy as np

    def lr(*words):
        r = run("export", "recipe", *words, "-f", "json")
        assert r.exit_code == 0, r.stderr
        return np.array(json.loads(r.stdout)["lr"])

    per_epoch = lr("deit", "--batch-size", "1024", "--steps", "300")
    held = lr("deit", "--batch-size", "1024", "--steps", "300ep", "--steps-per-epoch", "10")
    assert held.tolist() == np.repeat(per_epoch, 10).tolist()
    # the peak scales with the samples of one optimizer step: batch x gradient accumulation
    assert lr("deit", "--batch-size", "256", "--grad-accum", "4").max() == per_epoch.max()
    by_data = lr("deit", "--batch-size", "1024", "--steps", "300", "--dataset-size", "10240")
    assert by_data.tolist() == held.tolist()
    steps = lr("llama2", "--steps", "100000")
    assert lr("llama2", "--steps", "400Btok", "--tokens-per-step", "4e6").tolist() == \
        steps.tolist()
    assert lr("llama2", "--steps", "50ep", "--steps-per-epoch", "2000").tolist() == \
        steps.tolist()
    assert lr("llama2", "--steps", "100000", "--start", "5ep", "--steps-per-epoch",
              "2000").tolist() == steps[10_000:].tolist()
