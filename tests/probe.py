"""What running lrsched imports: the command line run in a fresh interpreter, and the
modules it left in ``sys.modules`` (for the start-up rules: what a command must not load)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json, sys
sys.argv = ["lrsched"] + json.loads(sys.argv[1])
from lrsched_cli.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)))
"""


def modules_loaded(args: list[str], env: dict[str, str] | None = None,
                   timeout: float = 120) -> set[str]:
    """The names of the modules imported by ``lrsched ARGS`` (``env`` added to the
    environment)."""
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=timeout)
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def top_level(modules: set[str], *names: str) -> list[str]:
    """The modules of ``modules`` that belong to the packages ``names``."""
    return sorted(m for m in modules if m.split(".")[0] in names)
