from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lrsched_cli.cli import app


@pytest.fixture
def run(monkeypatch):
    """Invoke the CLI in-process: run("export", "cosine") -> Result (stdout, stderr)."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("NO_COLOR", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input)

    return invoke
