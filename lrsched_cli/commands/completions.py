"""Shell completion scripts for bash, zsh, fish and PowerShell, from Typer's machinery.

``python -m lrsched_cli.commands.completions`` rewrites the files in the repository's
completions/ (a test fails when they are stale). Each script calls ``lrsched`` with
``_LRSCHED_COMPLETE`` set, and Typer answers with the commands, schedules, options and
values that fit.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROG = "lrsched"
COMPLETE_VAR = "_LRSCHED_COMPLETE"
FILES = {"bash": "lrsched.bash", "zsh": "_lrsched", "fish": "lrsched.fish",
         "powershell": "lrsched.ps1"}


def script(shell: str) -> str:
    """The completion script for ``shell``, as ``lrsched --show-completion`` prints it."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell)


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for shell, name in FILES.items():
        path = folder / name
        text = script(shell)
        path.write_text(text if text.endswith("\n") else text + "\n")
        out.append(path)
    return out


if __name__ == "__main__":
    # the repository's completions/, beside lrsched_cli/ (this file is lrsched_cli/commands/)
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parents[2] / "completions"
    for p in write_all(target):
        print(p)
