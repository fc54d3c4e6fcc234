"""Completion scripts and reference docs: generated, current, and working in real shells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lrsched_cli.commands.completions import FILES, script

ROOT = Path(__file__).parent.parent
BIN = os.path.dirname(sys.executable)
ENV = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}


@pytest.mark.parametrize("shell, name", sorted(FILES.items()))
def test_committed_completion_scripts_are_current(shell, name):
    text = script(shell)
    committed = (ROOT / "completions" / name).read_text()
    assert committed == (text if text.endswith("\n") else text + "\n"), (
        f"completions/{name} is stale: run python -m lrsched_cli.commands.completions")


def test_reference_docs_are_current(tmp_path):
    out = tmp_path / "cli.md"
    subprocess.run([sys.executable, "-m", "typer", "lrsched_cli.cli", "utils", "docs", "--name",
                    "lrsched", "--output", str(out)], check=True, capture_output=True, env=ENV)
    assert (ROOT / "docs" / "cli.md").read_text() == out.read_text(), (
        "docs/cli.md is stale: python -m typer lrsched_cli.cli utils docs --name lrsched "
        "--output docs/cli.md")
    text = out.read_text()
    for piece in ("## `lrsched compare`", "### `lrsched plot cosine`",
                  "Formula: lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(t / N * pi))",
                  "`--lr-min, --eta-min FLOAT`", "[default: 1% of --lr-max]",
                  "### `lrsched export torch`"):
        assert piece in text


CASES = [  # (words typed, the word being completed, what must be offered)
    ("lrsched pl", ["plot"]),
    ("lrsched plot co", ["cosine", "constant"]),
    ("lrsched plot cosine --lr", ["--lr-max", "--lr-min"]),
    ("lrsched plot cyclic --mode ", ["triangular", "triangular2", "exp_range"]),
    ("lrsched export step --format ", ["csv", "json", "jsonl", "npy"]),
    ("lrsched export torch ", ["StepLR", "OneCycleLR", "CosineAnnealingWarmRestarts"]),
]


def _bash(words: str) -> list[str]:
    parts = words.split(" ")
    cmd = (f"source {ROOT / 'completions' / 'lrsched.bash'}\n"
           f"COMP_WORDS=({' '.join(repr(p) for p in parts)})\n"
           f"COMP_CWORD={len(parts) - 1}\n"
           "_lrsched_completion lrsched\n"
           'printf "%s\\n" "${COMPREPLY[@]}"\n')
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", cmd], capture_output=True,
                         text=True, env=ENV, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


@pytest.mark.parametrize("words, expected", CASES, ids=[w for w, _ in CASES])
def test_bash_completion(words, expected):
    offered = _bash(words)
    assert set(expected) <= set(offered), offered


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed (Debian: fish)")
@pytest.mark.parametrize("words, expected", CASES, ids=[w for w, _ in CASES])
def test_fish_completion(words, expected):
    cmd = f"source {ROOT / 'completions' / 'lrsched.fish'}; complete -C {words!r}"
    out = subprocess.run(["fish", "--no-config", "-c", cmd], capture_output=True, text=True,
                         env=ENV, timeout=60)
    offered = [ln.split("\t")[0] for ln in out.stdout.splitlines()]
    assert set(expected) <= set(offered), (offered, out.stderr)


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (Debian: zsh)")
@pytest.mark.parametrize("words, expected", CASES, ids=[w for w, _ in CASES])
def test_zsh_completion(words, expected):
    # zsh completes only in an interactive line editor; here the script is checked by zsh
    # itself and the same call it makes is run, as zsh would run it
    script_path = ROOT / "completions" / "_lrsched"
    assert subprocess.run(["zsh", "-n", str(script_path)], env=ENV).returncode == 0
    cmd = (f'words=({words}); CURRENT=${{#words}}; [[ "{words}" == *" " ]] && '
           'words+=("") && CURRENT=${#words}; '
           'env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _LRSCHED_COMPLETE=complete_zsh '
           "lrsched")
    out = subprocess.run(["zsh", "-f", "-c", cmd], capture_output=True, text=True, env=ENV,
                         timeout=60)
    for item in expected:
        assert item in out.stdout, out.stdout
