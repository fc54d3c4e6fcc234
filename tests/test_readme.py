"""Every sample output in the README is the output of its command, now (issue 14.19).

A sample is a ```text block of ``$ lrsched ...`` lines (a trailing ``\\`` continues one),
each followed by what it prints on stdout at 80 columns without colour; a line ``...``
stands for any number of lines, and a line ending in ``...`` for any line it
begins. Every ```text block must be such a sample, so none can go
stale unnoticed. Commands run in a scratch folder that sees the repository's tests/ and
examples/, through the installed ``lrsched``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
LRSCHED = shutil.which("lrsched") or str(Path(sys.executable).parent / "lrsched")


def samples() -> list[tuple[int, str, list[str]]]:
    """(line number, command, expected lines) of every command in a ```text block."""
    out = []
    lines = README.read_text().splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```text":
            i += 1
            continue
        j = i + 1
        block = []
        while lines[j].strip() != "```":
            block.append(lines[j])
            j += 1
        assert block and block[0].startswith("$ lrsched "), (
            f"README.md:{i + 1}: a ```text block that is not a tested sample (it must start "
            "with '$ lrsched ...')")
        k = 0
        while k < len(block):
            assert block[k].startswith("$ "), f"README.md:{i + 2 + k}: expected '$ command'"
            at = i + 2 + k
            cmd = block[k][2:]
            while cmd.endswith("\\"):
                k += 1
                cmd = cmd[:-1] + " " + block[k].strip()
            k += 1
            expected = []
            while k < len(block) and not block[k].startswith("$ "):
                expected.append(block[k])
                k += 1
            out.append((at, cmd, expected))
        i = j + 1
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """``expected`` with ``...`` lines standing for any run of lines."""
    if not expected:
        return not actual
    if expected[0].strip() == "...":
        return any(matches(expected[1:], actual[n:]) for n in range(len(actual) + 1))
    head = expected[0]
    same = actual and (actual[0] == head or (head.endswith("...") and len(head) > 3
                                             and actual[0].startswith(head[:-3])))
    return bool(same) and matches(expected[1:], actual[1:])


def tidy(text: str) -> list[str]:
    lines = [ln.rstrip() for ln in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


SAMPLES = samples()


def test_the_readme_has_samples():
    assert len(SAMPLES) >= 8


@pytest.mark.parametrize("line, cmd, expected", SAMPLES,
                         ids=[f"README.md:{s[0]}" for s in SAMPLES])
def test_readme_sample_is_current(tmp_path, line, cmd, expected):
    for name in ("tests", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("LRSCHED_DEBUG", None)
    cmd = re.sub(r"^lrsched\b", f"'{LRSCHED}'", cmd)
    r = subprocess.run(cmd, shell=True, cwd=tmp_path, capture_output=True, text=True, env=env,
                       executable="/bin/bash", timeout=300)
    assert r.returncode == 0, r.stderr
    actual = tidy(r.stdout)
    want = tidy("\n".join(expected))
    assert matches(want, actual), (
        f"README.md:{line}: the sample of `{cmd}` is stale; it prints:\n" + "\n".join(actual))
