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


# --------------------------------------------------------------------------------------
# Issue 18.9: GPT-3, Chinchilla, nanoGPT, ResNet-50 in one hour (Goyal et al.), ViT. Every
# value below is worked by hand from the numbers the recipe cites.

GPT3_TABLE = [  # Brown et al. 2020, Table 2.1: size, learning rate, batch size in tokens
    ("125m", 6.0e-4, 0.5e6), ("350m", 3.0e-4, 0.5e6), ("760m", 2.5e-4, 0.5e6),
    ("1.3b", 2.0e-4, 1e6), ("2.7b", 1.6e-4, 1e6), ("6.7b", 1.2e-4, 2e6),
    ("13b", 1.0e-4, 2e6), ("175b", 0.6e-4, 3.2e6)]


def test_gpt3_125m_by_hand():
    # 0.5M tokens a step: warmup 375M tokens = 750 steps, the decay ends at 260B = 520,000
    # steps, 300B tokens = 600,000 steps; the cosine's midpoint is at (375M + 260B) / 2
    # tokens = step 260,375, where the rate is (6e-4 + 6e-5) / 2
    v = values("gpt3", size="125m")
    assert len(v) == 600_000
    assert v[0] == 0.0 and v[375] == pytest.approx(3e-4, rel=1e-15)
    assert v[749] == pytest.approx(6e-4 * 749 / 750, rel=1e-15)
    assert v[750] == 6e-4 and v.max() == 6e-4  # the peak at the end of the warmup
    assert v[260_375] == pytest.approx(3.3e-4, rel=1e-12)
    assert v[519_999] > 6e-5 and v[520_000] == 6e-5  # 10% after 260B tokens
    assert (v[520_000:] == 6e-5).all()  # then held at 10%


@pytest.mark.parametrize("size, peak, batch", GPT3_TABLE)
def test_gpt3_every_size(size, peak, batch):
    v = values("gpt3", size=size)
    assert len(v) == 300e9 / batch  # Table 2.1 caption: 300B tokens
    warm = 375e6 / batch  # 750, 375, 187.5 or 117.1875 steps: the tokens decide, not rounding
    last = int(np.ceil(warm)) - 1  # the last step that has seen fewer than 375M tokens
    assert v[last] == pytest.approx(peak * last * batch / 375e6, rel=1e-14)
    assert v[:last + 1].max() < peak and v.max() <= peak
    if warm.is_integer():
        assert v[int(warm)] == peak
    else:  # just past the peak: the first step has seen more than 375M tokens
        assert v[last + 1] == pytest.approx(peak, rel=1e-9) and v[last + 1] < peak
    decay_end = int(np.ceil(260e9 / batch))
    assert v[decay_end] == pytest.approx(peak / 10, rel=1e-12) and v[decay_end - 1] > v[-1]
    assert v[-1] == pytest.approx(peak / 10, rel=1e-12)


def test_gpt3_lengths_in_tokens(run):
    import json

    def lr(*words):
        r = run("export", "recipe", "gpt3", *words, "-f", "json")
        assert r.exit_code == 0, r.stderr
        return json.loads(r.stdout)["lr"]

    assert lr("--size", "175b", "--steps", "300Btok", "--tokens-per-step", "3.2e6") == \
        lr("--size", "175b")
    assert len(lr("--size", "13b", "--steps", "1000")) == 1000
    r = run("table", "recipe", "gpt3", "--size", "65b")
    assert r.exit_code == 2 and "sizes: 125m, 350m, 760m, 1.3b, 2.7b, 6.7b, 13b, 175b" in \
        r.stderr


def test_chinchilla():
    # Gopher's warmup from 1e-7 over 1500 steps (kept by Chinchilla), Table 4's 1e-4, a
    # cosine decaying 10x over the rest of the run: at its midpoint (1e-4 + 1e-5) / 2
    v = values("chinchilla", 101_500)
    assert v[0] == 1e-7 and v[750] == pytest.approx(1e-7 + (1e-4 - 1e-7) / 2, rel=1e-14)
    assert v[1500] == 1e-4 and v.max() == 1e-4
    assert v[1500 + 50_000] == pytest.approx(5.5e-5, rel=1e-12)
    assert v[-1] == pytest.approx(1e-5, rel=1e-8)
    s, p = recipes.build("chinchilla", 10_000, None, None, lr_max=2e-4)
    w = schedule(s, **p)
    assert w[1500] == 2e-4 and p["lr_min"] == 2e-5


def _nanogpt_get_lr(it):
    """karpathy/nanoGPT train.py get_lr (3adf61e, lines 231-242) with its defaults."""
    import math

    learning_rate, warmup_iters, lr_decay_iters, min_lr = 6e-4, 2000, 600000, 6e-5
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return min_lr + coeff * (learning_rate - min_lr)


def test_nanogpt_is_get_lr():
    v = values("nanogpt")
    assert len(v) == 600_001  # iter_num 0..max_iters
    assert v[0] == 6e-4 / 2001 and v[1999] == 6e-4 * 2000 / 2001  # (it + 1)/(warmup + 1)
    assert v[2000] == 6e-4 and v[301_000] == pytest.approx(3.3e-4, rel=1e-12)
    assert v[600_000] == 6e-5
    for it in (0, 1, 999, 1999, 2000, 2001, 123_456, 301_000, 599_999, 600_000):
        assert v[it] == pytest.approx(_nanogpt_get_lr(it), rel=1e-15, abs=0)
    longer = values("nanogpt", 700_000)
    assert (longer[600_000:] == 6e-5).all() and longer[:600_001].tolist() == v.tolist()


def test_resnet50_1h_by_hand():
    # Goyal et al.: kn = 8192 gives 0.1 x 8192/256 = 3.2; warmup from 0.1 over 5 epochs
    # (10 steps an epoch here: 50 steps, +0.062 a step), x0.1 at epochs 30, 60 and 80 of 90
    s, p = recipes.build("resnet50-1h", None, None, 8192)
    v = schedule(s, **{**p, "steps_per_epoch": 10})
    assert len(v) == 900
    assert v[0] == 0.1 and v[1] == pytest.approx(0.162, rel=1e-14)
    assert v[25] == pytest.approx(1.65, rel=1e-14) and v[50] == 3.2 and v[299] == 3.2
    assert v[300] == pytest.approx(0.32, rel=1e-14) and v[599] == v[300]
    assert v[600] == pytest.approx(0.032, rel=1e-14) and v[800] == pytest.approx(0.0032,
                                                                                   rel=1e-14)
    assert v[-1] == v[800]
    # kn = 256 is the baseline: 0.1, no warmup (Sec. 5.3 warms up only for kn > 256)
    s, p = recipes.build("resnet50-1h", None, None, 256)
    base = schedule(s, **{**p, "steps_per_epoch": 10})
    assert base[0] == 0.1 and base[299] == 0.1 and base[300] == pytest.approx(0.01)


def test_resnet50_1h_on_the_command_line(run):
    import json

    r = run("export", "recipe", "resnet50-1h", "--batch-size", "1024", "--grad-accum", "8",
            "--dataset-size", "1281167", "-f", "json")
    assert r.exit_code == 0, r.stderr
    lr = json.loads(r.stdout)["lr"]
    spe = -(-1281167 // 1024) // 8  # 1252 batches, 156 optimizer steps an epoch
    assert len(lr) == 90 * spe and lr[0] == 0.1 and lr[5 * spe] == 3.2
    assert lr[30 * spe - 1] == 3.2 and lr[30 * spe] == pytest.approx(0.32)
    r = run("export", "recipe", "resnet50-1h", "--batch-size", "8192")
    assert r.exit_code == 2 and "is in epochs: give --steps-per-epoch" in r.stderr


VIT_TABLE = [  # Dosovitskiy et al. 2021, Table 3: base LR and decay
    ("b16-jft", 8e-4, "linear"), ("b32-jft", 8e-4, "linear"), ("l32-jft", 6e-4, "linear"),
    ("l16-jft", 4e-4, "linear"), ("h14-jft", 3e-4, "linear"), ("b16-i21k", 1e-3, "linear"),
    ("b32-i21k", 1e-3, "linear"), ("l16-i21k", 1e-3, "linear"), ("l32-i21k", 1e-3, "linear"),
    ("imagenet", 3e-3, "cosine")]


def _vit_step_fn(step, total_steps, base, decay_type, warmup_steps=10_000, linear_end=1e-5):
    """vit_jax/utils.py create_learning_rate_schedule (c6de1e5, lines 57-96) in float64."""
    import math

    progress = min(max((step - warmup_steps) / float(total_steps - warmup_steps), 0.0), 1.0)
    if decay_type == "linear":
        lr = linear_end + (base - linear_end) * (1.0 - progress)
    else:
        lr = base * 0.5 * (1. + math.cos(math.pi * progress))
    return lr * min(1., step / warmup_steps)


@pytest.mark.parametrize("size, peak, decay", VIT_TABLE)
def test_vit_every_size(size, peak, decay):
    v = values("vit", 100_000, size)
    assert v[0] == 0.0 and v[5000] == pytest.approx(peak / 2, rel=1e-14)
    assert v[10_000] == pytest.approx(peak, rel=1e-14) and v.max() <= peak * (1 + 1e-15)
    for t in (1, 9_999, 10_000, 10_001, 55_000, 99_999):
        assert v[t] == pytest.approx(_vit_step_fn(t, 100_000, peak, decay), rel=1e-12)


def test_new_recipes_cite_their_sources(run):
    for name, cited in (("gpt3", ("Brown et al. 2020", "Table 2.1 [P]", "App. B [P]")),
                        ("chinchilla", ("Hoffmann et al. 2022", "Table 4 [P]", "App. B",
                                        "Sec. 4.1 [P]", "Rae et al. 2021")),
                        ("nanogpt", ("karpathy/nanoGPT train.py", "lines 58-68 [C]",
                                     "lines 231-242 [C]")),
                        ("resnet50-1h", ("Goyal et al. 2017", "Sec. 5.1 [P]", "Sec. 5.3 [P]")),
                        ("vit", ("Dosovitskiy et al. 2021", "Table 3 [P]",
                                 "create_learning_rate_schedule lines 57-96"))):
        r = run("info", "recipe", name)
        assert r.exit_code == 0, r.stderr
        text = " ".join(r.stdout.split())  # the console wraps at 80 columns
        for words in cited:
            assert words in text, (name, words)


def test_recipes_refuse_what_they_do_not_take(run):
    r = run("export", "recipe", "llama2", "--lr-max", "1")
    assert r.exit_code == 2 and "recipe llama2 takes no --lr-max" in r.stderr
    r = run("export", "recipe", "gpt3", "--warmup", "10")
    assert r.exit_code == 2 and "recipe gpt3 takes no --warmup" in r.stderr
    r = run("export", "recipe", "chinchilla", "--size", "70b")
    assert r.exit_code == 2 and "recipe chinchilla has no sizes" in r.stderr
    assert run("export", "recipe", "d2z", "--lr-max", "1", "--warmup", "10").exit_code == 0


@pytest.mark.parametrize("name, shown", [("resnet50-1h", "default 90ep"),
                                         ("gpt3", "175b: 93,750"),  # 300B tokens / 3.2M
                                         ("deit", "default 300 epochs"),
                                         ("llama2", "default 500,000")])
def test_info_shows_the_default_length_as_steps_reads_it(run, name, shown):
    r = run("info", "recipe", name)
    assert r.exit_code == 0 and shown in " ".join(r.stdout.split())
