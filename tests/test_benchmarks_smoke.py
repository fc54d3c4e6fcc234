"""The benchmark script still runs (tiny sizes; the real figures are in the README)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "bench.py"


def test_bench_smoke():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--only",
                           "startup,export,streaming,plot"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for line in ("start-up: export cosine", "export --format csv", "peak RSS",
                 "plot sgdr"):
        assert line in proc.stdout
