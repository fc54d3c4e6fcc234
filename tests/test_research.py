"""Research schedules against the sample values of ../shared/reference/research-schedules.md.

Each table below is the sheet's, with its section; the values were produced there by running
the reference code named (or an exact transcription of it).
"""

from __future__ import annotations

import numpy as np
import pytest

from lrsched_cli import schedule
from lrsched_cli.errors import UsageError
from lrsched_cli.schedules import kernels


def at(values: np.ndarray, t: int) -> float:
    return float(values[t])


# A1 STLR (ULMFiT; mesh_tensorflow and Axect agree), lr_max 0.01, cut_frac 0.1, ratio 32, T=100
@pytest.mark.parametrize("t, want", [(0, 0.0003125), (1, 0.00128125), (5, 0.00515625),
                                     (10, 0.01), (50, 0.005694444444444445),
                                     (99, 0.0004201388888888885)])
def test_stlr(t, want):
    assert at(schedule("stlr", steps=100), t) == pytest.approx(want, rel=1e-14)


def test_stlr_negative_tail_refused_and_clamped_variant():
    with pytest.raises(UsageError, match="--variant clamped"):
        schedule("stlr", steps=105)
    v = kernels.stlr(np.array([104.0]), 105, 0.01, 0.1, 32, variant="clamped")
    assert v[0] == pytest.approx(0.0004144736842105266, rel=1e-14)  # Axect, t = 104


# A2 REX (Axect), base 1, T = 100
@pytest.mark.parametrize("t, want", [(0, 1.0), (1, 0.9949748743718593), (25, 0.8571428571428571),
                                     (50, 0.6666666666666666), (75, 0.4),
                                     (99, 0.01980198019801982)])
def test_rex(t, want):
    assert at(schedule("rex", steps=100, lr_min=0), t) == pytest.approx(want, rel=1e-14)


# A3 Noam, d = 512, w = 4000 (paper eq. 3 with step_num = t + 1)
@pytest.mark.parametrize("step_num, want", [(1, 1.746928107421711e-07),
                                            (100, 1.746928107421711e-05),
                                            (2000, 0.0003493856214843422),
                                            (4000, 0.0006987712429686843),
                                            (8000, 0.0004941058844013093),
                                            (100000, 0.00013975424859373687)])
def test_noam_paper(step_num, want):
    v = kernels.noam(np.array([step_num - 1.0]), 10**5, 512, 4000, 1.0)
    assert v[0] == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize("t, want", [(0, 0.0), (1, 1.7469281074217108e-07),
                                     (2000, 0.00034938562148434214),
                                     (4000, 0.0006987712429686842),
                                     (16000, 0.0003493856214843421),
                                     (100000, 0.00013975424859373684)])
def test_noam_fairseq(t, want):
    v = kernels.noam(np.array([float(t)]), 10**5, 512, 4000, 1.0, convention="fairseq")
    assert v[0] == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize("g, want", [(0, 0.0), (1, 1.2352647110032733e-07),
                                     (8000, 0.0009882117688026187),
                                     (16000, 0.0006987712429686843)])
def test_noam_t2t_v3(g, want):  # constant 2, warmup 8000
    v = kernels.noam(np.array([float(g)]), 10**5, 512, 8000, 2.0, convention="t2t")
    assert v[0] == pytest.approx(want, rel=1e-14, abs=1e-300)


# A4 T5: 1/sqrt(max(n, 10^4))
@pytest.mark.parametrize("n, want", [(0, 0.01), (5000, 0.01), (10000, 0.01), (40000, 0.005),
                                     (262144, 0.001953125), (524288, 0.0013810679320049755)])
def test_rsqrt(n, want):
    assert kernels.rsqrt(np.array([float(n)]), 10**6, 1.0, 10000)[0] == pytest.approx(want,
                                                                                      rel=1e-14)


# A5 fairseq tri-stage (code), lr 1e-3, W 10, H 20, D 30, scales 0.01
@pytest.mark.parametrize("t, want", [(0, 1e-05), (1, 0.00010899999999999999), (5, 0.000505),
                                     (9, 0.000901), (10, 0.001), (29, 0.001), (30, 0.001),
                                     (45, 0.00010000000000000002), (59, 1.1659144011798319e-05),
                                     (60, 1.0000000000000004e-05), (61, 1e-05), (100, 1e-05)])
def test_tri_stage(t, want):
    v = schedule("tri-stage", steps=101, lr_max=1e-3, warmup_steps=10, hold_steps=20,
                 decay_steps=30)
    assert at(v, t) == pytest.approx(want, rel=1e-14)


# A6 HyperbolicLR / ExpHyperbolicLR (author's code), η_init 1e-2, U 250, N 100, η_inf 1e-5
@pytest.mark.parametrize("x, hyp, exp_hyp", [
    (0, 0.01, 0.01), (1, 0.00994999345262888, 0.0096601310651989),
    (25, 0.00870949572856687, 0.004096954867552076),
    (50, 0.007294211119507051, 0.0015397520346260502),
    (99, 0.0027012800888529817, 6.429722340625159e-05),
    (100, 0.0020079999999999994, 3.9810717055349715e-05)])
def test_hyperbolic(x, hyp, exp_hyp):
    t = np.array([float(x)])
    assert kernels.hyperbolic(t, 100, 1e-2, 1e-5, 250)[0] == pytest.approx(hyp, rel=1e-13)
    assert kernels.exp_hyperbolic(t, 100, 1e-2, 1e-5, 250)[0] == pytest.approx(exp_hyp,
                                                                               rel=1e-13)
    v = schedule("hyperbolic", steps=100, lr_max=1e-2, lr_min=1e-5, upper_bound=250)
    if x < 100:
        assert v[x] == pytest.approx(hyp, rel=1e-13)


def test_hyperbolic_upper_bound_below_steps_refused():
    with pytest.raises(UsageError, match="at least --steps"):
        schedule("hyperbolic", steps=300, upper_bound=250)


# A7 k-decay cosine (timm), base 1, lr_min 0, T = 100
@pytest.mark.parametrize("t, k2, khalf", [
    (0, 1.0, 1.0), (1, 0.9999999753259892, 0.9755282581475768), (25, 0.9903926402016152, 0.5),
    (50, 0.8535533905932737, 0.1971500664605933), (75, 0.4024548389919358, 0.04363790094891096),
    (99, 0.0009767972996053143, 6.199411276469613e-05)])
def test_k_decay(t, k2, khalf):
    a = schedule("cosine", steps=100, lr_max=1.0, lr_min=0.0, k_decay=2)
    b = schedule("cosine", steps=100, lr_max=1.0, lr_min=0.0, k_decay=0.5)
    assert a[t] == pytest.approx(k2, rel=1e-13) and b[t] == pytest.approx(khalf, rel=1e-13)


# A8 Keras InverseTimeDecay
@pytest.mark.parametrize("kw, t, want", [
    ({"initial_lr": 0.1, "decay_steps": 1, "decay_rate": 0.5}, 1, 0.06666666666666667),
    ({"initial_lr": 0.1, "decay_steps": 1, "decay_rate": 0.5}, 10, 0.016666666666666666),
    ({"initial_lr": 1.0, "decay_steps": 10, "decay_rate": 1.0, "staircase": True}, 9, 1.0),
    ({"initial_lr": 1.0, "decay_steps": 10, "decay_rate": 1.0, "staircase": True}, 25,
     0.3333333333333333)])
def test_inverse_time(kw, t, want):
    assert schedule("inverse-time", steps=101, **kw)[t] == pytest.approx(want, rel=1e-14)


# A9 warmup-hold-cosine and flat-then-cosine (Axect), base 1, T = 100
@pytest.mark.parametrize("t, want", [(0, 0.0), (5, 0.5), (10, 1.0), (29, 1.0), (30, 1.0),
                                     (65, 0.5), (99, 0.0005034667293427053)])
def test_warmup_hold_cosine(t, want):
    v = schedule("cosine", steps=100, lr_max=1.0, lr_min=0.0, warmup=10, hold=20)
    assert v[t] == pytest.approx(want, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("t, want", [(0, 1.0), (70, 1.0), (71, 0.9972609476841366), (85, 0.5),
                                     (99, 0.002739052315863355)])
def test_flat_cosine(t, want):
    v = schedule("cosine", steps=100, lr_max=1.0, lr_min=0.0, hold="70%")
    assert v[t] == pytest.approx(want, rel=1e-12)


# A10 linear warmup 10 then decay to zero, T = 100 (HF and Axect)
@pytest.mark.parametrize("t, want", [(0, 0.0), (5, 0.5), (10, 1.0), (55, 0.5),
                                     (99, 0.011111111111111112)])
def test_linear_to_zero(t, want):
    v = schedule("linear", steps=100, initial_lr=1.0, warmup=10)
    assert v[t] == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_log_warmup_reaches_target_at_w():
    v = schedule("constant", initial_lr=1.0, warmup=9, warmup_shape="log", steps=20)
    assert v[0] == 0.0 and v[9] == 1.0
    assert v[1] == pytest.approx(np.log(2) / np.log(10))  # DeepSpeed's γ(1) with W = 10


def test_hold_refused_with_overlay_and_when_nothing_is_left():
    with pytest.raises(UsageError, match="--hold needs --warmup-mode prefix"):
        schedule("cosine", warmup=5, hold=5, warmup_mode="overlay")
    with pytest.raises(UsageError, match="leave no steps"):
        schedule("cosine", warmup=50, hold=50, steps=100)


def test_lengths_as_people_state_them():
    base = schedule("cosine", steps=1000, warmup=100)
    assert schedule("cosine", steps=1000, warmup="10%").tobytes() == base.tobytes()
    a = schedule("step", steps=300, step_size="3ep", steps_per_epoch=50)
    assert a.tobytes() == schedule("step", steps=300, step_size=150).tobytes()


def test_lengths_in_tokens_and_from_dataset_size(run):
    # 2T tokens at 4M tokens per step (LLaMA 2's batch) is not whole: refused, nearest named
    r = run("table", "cosine", "--steps", "2Ttok", "--tokens-per-step", "4194304")
    assert r.exit_code == 2 and "use 476837 or 476838" in r.stderr
    a = schedule("cosine", steps="1Mtok", tokens_per_step=1000, warmup="100Ktok")
    assert a.tobytes() == schedule("cosine", steps=1000, warmup=100).tobytes()
    b = schedule("cosine", steps="8Ktok", batch_size=4, seq_len=100, grad_accum=2)
    assert len(b) == 10  # 8000 tokens / (4 * 100 * 2) per optimizer step
    # PyTorch's DataLoader: ceil(1000 / 32) = 32 batches, 31 with drop_last; / grad_accum
    assert len(schedule("step", steps="3ep", dataset_size=1000, batch_size=32)) == 96
    assert len(schedule("step", steps="3ep", dataset_size=1000, batch_size=32,
                        drop_last=True)) == 93
    assert len(schedule("step", steps="2ep", dataset_size=1000, batch_size=32,
                        grad_accum=4)) == 16


def test_user_percentages_must_be_whole_defaults_round():
    with pytest.raises(UsageError, match="is 6.1 steps .* use 6 or 7"):
        schedule("cosine", steps=61, warmup="10%")
    assert len(schedule("wsd", steps=61)) == 61  # wsd's default 10% / 20% round
