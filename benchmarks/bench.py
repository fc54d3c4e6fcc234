"""Speed and memory of lrsched, each figure a ratio against a baseline measured in the same run.

    python benchmarks/bench.py            # everything (a few minutes; README table)
    python benchmarks/bench.py --smoke    # tiny sizes, checks the scripts still work (CI)
    python benchmarks/bench.py --only startup,export

Times are medians of several runs of whole commands (start-up included). The PyTorch
comparison needs a venv with torch: LRSCHED_TORCH_PYTHON=/path/to/python (default: the
first of /tmp/torchvenv, /tmp/fwvenv that exists); it is skipped with a message otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable
LRSCHED = [PY, "-m", "lrsched_cli"]
exe = os.path.join(os.path.dirname(PY), "lrsched")
if os.path.exists(exe):
    LRSCHED = [exe]

ROWS: list[tuple[str, str, str, str]] = []  # (what, measured, baseline, ratio / limit)
# As installed for users: byte-code cached (some shells set PYTHONDONTWRITEBYTECODE, which
# makes every start compile lrsched's modules again).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_time(cmd: list[str] | str, runs: int, stdin: str | None = None) -> float:
    """Median wall time of ``cmd`` (output to /dev/null)."""
    times = []
    subprocess.run(cmd, shell=isinstance(cmd, str), stdout=subprocess.DEVNULL,  # warm-up
                   stderr=subprocess.DEVNULL, env=ENV, input=stdin.encode() if stdin else None)
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, shell=isinstance(cmd, str), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True, env=ENV,
                       input=stdin.encode() if stdin else None)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of ``cmd`` in MB (its own process tree)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
             "stdout=subprocess.DEVNULL, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([PY, "-c", probe, *cmd], capture_output=True, text=True, check=True,
                         env=ENV)
    return int(out.stdout.strip()) / 1024


def row(what: str, value: str, base: str, verdict: str) -> None:
    ROWS.append((what, value, base, verdict))
    print(f"{what:58s} {value:>12s} {base:>14s}  {verdict}", flush=True)


def bench_startup(smoke: bool) -> None:
    runs = 3 if smoke else 21
    base = run_time([PY, "-c", "import typer, numpy"], runs)
    t = run_time([*LRSCHED, "export", "cosine", "--steps", "1000"], runs)
    row("start-up: export cosine --steps 1000", f"{t:.3f} s", f"{base:.3f} s",
        f"{t / base:.2f}x of `import typer, numpy` (limit 1.3x)")
    h = run_time([*LRSCHED, "--help"], runs)
    row("start-up: lrsched --help", f"{h:.3f} s", f"{base:.3f} s", f"{h / base:.2f}x")


def _torch_python() -> str | None:
    cands = [os.environ.get("LRSCHED_TORCH_PYTHON"), "/tmp/torchvenv/bin/python",
             "/tmp/fwvenv/bin/python"]
    for c in cands:
        if c and os.path.exists(c) and subprocess.run(
                [c, "-c", "import torch"], capture_output=True).returncode == 0:
            return c
    return None


TORCH_LOOP = """
import sys, torch
n = int(sys.argv[1])
opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=n)
out = []
for i in range(n):
    out.append(repr(opt.param_groups[0]["lr"]))
    opt.step()
    s.step()
sys.stdout.write("\\n".join(out))
"""


def bench_torch(smoke: bool) -> None:
    tp = _torch_python()
    if tp is None:
        print("vs torch: skipped (no venv with torch; set LRSCHED_TORCH_PYTHON)")
        return
    for n, need in ((10**3, 15), (10**5, 25)):
        if smoke and n > 10**3:
            continue
        runs = 1 if smoke else 5
        base = run_time([tp, "-c", TORCH_LOOP, str(n)], runs)
        t = run_time([*LRSCHED, "export", "torch", f"OneCycleLR(max_lr=0.1, total_steps={n})"],
                     runs)
        row(f"torch OneCycleLR, N={n:,}: lrsched export torch", f"{t:.3f} s",
            f"{base:.3f} s", f"{base / t:.1f}x faster (need {need}x)")


SAVETXT = """
import sys, numpy as np
n = int(sys.argv[1]); t = np.arange(n, dtype=float)
v = 0.001 + 0.5 * (0.1 - 0.001) * (1 + np.cos(t / n * np.pi))
np.savetxt(sys.stdout.buffer, np.column_stack([t, v]), fmt=["%d", "%.17g"], delimiter=",",
           header="step,lr", comments="")
"""
JSONDUMPS = """
import sys, json, numpy as np
n = int(sys.argv[1]); t = np.arange(n, dtype=float)
v = 0.001 + 0.5 * (0.1 - 0.001) * (1 + np.cos(t / n * np.pi))
sys.stdout.write(json.dumps({"schedule": "cosine", "lr": v.tolist()}))
"""
NPSAVE = """
import sys, numpy as np
n = int(sys.argv[1]); t = np.arange(n, dtype=float)
np.save(sys.stdout.buffer, 0.001 + 0.5 * (0.1 - 0.001) * (1 + np.cos(t / n * np.pi)))
"""


def bench_export(smoke: bool) -> None:
    n = 10**4 if smoke else 10**7
    runs = 1 if smoke else 3
    for fmt, base_src, need in (("csv", SAVETXT, 5), ("json", JSONDUMPS, 8), ("npy", NPSAVE, 0)):
        base = run_time([PY, "-c", base_src, str(n)], runs)
        t = run_time([*LRSCHED, "export", "cosine", "--steps", str(n), "-f", fmt], runs)
        name = {"csv": "np.savetxt %.17g", "json": "json.dumps(list)", "npy": "np.save"}[fmt]
        verdict = f"{base / t:.1f}x faster than {name}" + (f" (need {need}x)" if need else "")
        row(f"export --format {fmt}, {n:,} cosine values", f"{t:.2f} s", f"{base:.2f} s",
            verdict)


def bench_streaming(smoke: bool) -> None:
    n = 10**5 if smoke else 2 * 10**7
    rss = peak_rss_mb([*LRSCHED, "export", "cosine", "--steps", str(n)])
    base = peak_rss_mb([PY, "-c", "import typer, numpy"])
    row(f"peak RSS: export cosine --steps {n:,} (csv)", f"{rss:.0f} MB", f"{base:.0f} MB",
        "limit 120 MB")
    sizes = [10**4, 10**5] if smoke else [10**6, 10**7, 10**8]
    per = []
    for m in sizes:
        t = run_time([*LRSCHED, "export", "cosine", "--steps", str(m)], 1)
        per.append(t / m)
        row(f"export cosine --steps {m:,} > /dev/null", f"{t:.2f} s", "",
            f"{t / m * 1e9:.0f} ns/row")
    print(f"  time per row, largest vs middle size: {per[-1] / per[-2]:.2f} (1.0 = linear)")


def bench_plot(smoke: bool) -> None:
    runs = 1 if smoke else 5
    with tempfile.TemporaryDirectory() as d:
        small = run_time([*LRSCHED, "plot", "sgdr", "--steps", "1000", "-o", f"{d}/a.png"], runs)
        big_n = 10**5 if smoke else 10**7
        big = run_time([*LRSCHED, "plot", "sgdr", "--t0", "100000", "--steps", str(big_n), "-o",
                        f"{d}/b.png"], runs)
    row(f"plot sgdr, {big_n:,} steps vs 1,000 steps", f"{big:.2f} s", f"{small:.2f} s",
        f"{big / small:.2f}x (limit 3x)")


def bench_views(smoke: bool) -> None:
    """table and compare read each value once, streamed: within 2x of export, memory flat."""
    n = 10**5 if smoke else 10**7
    runs = 1 if smoke else 3
    export = run_time([*LRSCHED, "export", "cosine", "--steps", str(n), "-o", "/dev/null"], runs)
    for words in (["table", "cosine", "--rows", "3"], ["table", "cosine", "--chart"],
                  ["compare", "cosine", "sgdr"]):
        cmd = [*LRSCHED, *words, "--steps", str(n)]
        t = run_time(cmd, runs)
        rss = peak_rss_mb(cmd)
        row(f"{' '.join(words)}, {n:,} steps", f"{t:.2f} s, {rss:.0f} MB",
            f"{export:.2f} s", f"{t / export:.2f}x of export cosine to /dev/null (limit 2x)")


def bench_simulate(smoke: bool) -> None:
    specs = ["cosine", "step --timing torch", "constant --initial-lr 0.5", "one-cycle", "sgdr"]
    n, d = (200, 100) if smoke else (100_000, 10_000)
    for mom in ("0", "0.9"):
        t = run_time([*LRSCHED, "simulate", *specs, "--steps", str(n), "--dim", str(d),
                      "--momentum", mom, "-f", "csv"], 1)
        row(f"simulate 5 schedules, {n:,} steps, d={d:,}, momentum {mom}", f"{t:.1f} s", "",
            f"{t / (5 * n * d) * 1e9:.2f} ns per schedule-step-dimension")


IDENTIFY_SPECS = ("cosine --lr-min 0 --warmup {w}", "one-cycle", "sgdr --t0 {t0}")


def _identify_log(path: str, spec: str, points: int, every: int, f32: bool) -> str:
    """A log of ``points`` values of ``spec``: every step (dense), or every ``every``-th of
    a run whose last step is not logged (sparse); float32 as TensorBoard's CSV download,
    float64 as an lrsched CSV export. The values are lrsched's own (export --format npy)."""
    import numpy as np

    total = points * every - every // 2
    words = spec.format(w=total // 50, t0=total // 100).split()
    npy = path + ".npy"
    subprocess.run([*LRSCHED, "export", *words, "--steps", str(total), "-f", "npy", "-o", npy],
                   check=True, env=ENV)
    values = np.load(npy)
    os.remove(npy)
    steps = np.arange(0, total, every)
    with open(path, "w") as fh:
        if f32:
            fh.write("Wall time,Step,Value\n")
            fh.writelines(f"1.0,{s},{float(x)!r}\n"
                          for s, x in zip(steps, values[steps].astype(np.float32)))
        else:
            fh.write("step,lr\n")
            fh.writelines(f"{s},{float(x)!r}\n" for s, x in zip(steps, values[steps]))
    return " ".join(words)


def bench_identify(smoke: bool) -> None:
    n = 10**3 if smoke else 10**5
    runs = 1 if smoke else 3
    with tempfile.TemporaryDirectory() as d:
        for every, f32 in ((1, False), (50, False), (50, True)):
            for spec in IDENTIFY_SPECS:
                path = f"{d}/lr.csv"
                words = _identify_log(path, spec, n, every, f32)
                cmd = [*LRSCHED, "identify", path, "--format", "json"]
                t = run_time(cmd, runs)
                rss = peak_rss_mb(cmd)
                kind = ("dense" if every == 1 else f"1/{every}, no last") + (
                    " f32" if f32 else "")
                row(f"identify {words.split()[0]}, {n:,} points, {kind}", f"{t:.2f} s",
                    f"{rss:.0f} MB", "time, peak RSS (every family x warmup x offset)")


def bench_dialects(smoke: bool) -> None:
    """Dialects stream as native schedules do: export to /dev/null, time and peak RSS."""
    exports = (
        ("torch", "StepLR(step_size=3)"),
        ("torch", "CosineAnnealingLR(T_max=1000)"),
        ("hf", "get_cosine_schedule_with_warmup(num_warmup_steps=100, num_training_steps=1000)"),
        ("timm", "CosineLRScheduler(t_initial=1000, warmup_t=5)"),
        ("optax", "warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, "
                  "warmup_steps=100, decay_steps=1000)"),
        ("keras", "CosineDecay(initial_learning_rate=0.1, decay_steps=1000)"),
    )
    n = 10**5 if smoke else 10**7
    runs = 1 if smoke else 3
    native = [*LRSCHED, "export", "cosine", "--steps", str(n), "-o", "/dev/null"]
    base_t = run_time(native, runs)
    base_rss = peak_rss_mb(native)
    row(f"export cosine (native), {n:,} steps", f"{base_t:.2f} s, {base_rss:.0f} MB", "", "")
    for dialect, expr in exports:
        cmd = [*LRSCHED, "export", dialect, expr, "--steps", str(n), "-o", "/dev/null"]
        t = run_time(cmd, runs)
        rss = peak_rss_mb(cmd)
        row(f"export {dialect} {expr.split('(')[0]}, {n:,} steps", f"{t:.2f} s, {rss:.0f} MB",
            f"{base_t:.2f} s, {base_rss:.0f} MB",
            f"{t / base_t:.2f}x the time, {rss / base_rss:.2f}x the memory of native cosine")


BENCHES = {"startup": bench_startup, "torch": bench_torch, "export": bench_export,
           "streaming": bench_streaming, "views": bench_views, "plot": bench_plot,
           "simulate": bench_simulate, "identify": bench_identify, "dialects": bench_dialects}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: check the scripts run")
    ap.add_argument("--only", default="", help="comma-separated: " + ",".join(BENCHES))
    args = ap.parse_args()
    chosen = [b for b in args.only.split(",") if b] or list(BENCHES)
    if shutil.which("nproc"):
        print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    for name in chosen:
        BENCHES[name](args.smoke)
    if not args.smoke:
        print("\n| what | lrsched | baseline | result |\n|---|---|---|---|")
        for r in ROWS:
            print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
