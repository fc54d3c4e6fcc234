"""Import rules that keep start-up fast (the times themselves are in benchmarks/)."""

from __future__ import annotations

import pytest

from .probe import modules_loaded


def modules_after(args: list[str], env: dict[str, str] | None = None) -> dict[str, bool]:
    loaded = modules_loaded(args, env)
    return {m: m in loaded for m in ("numpy", "matplotlib", "plotext", "torch", "jax")}


@pytest.mark.parametrize("args", [["--help"], [], ["plot", "--help"], ["plot", "cosine", "--help"],
                                  ["export", "torch", "--help"], ["info", "cosine"]])
def test_help_and_info_import_neither_numpy_nor_matplotlib(args):
    m = modules_after(args)
    assert not m["numpy"] and not m["matplotlib"], (args, m)


@pytest.mark.parametrize("words, cword", [("lrsched pl", 1), ("lrsched plot co", 2),
                                          ("lrsched plot cyclic --mode ", 4),
                                          ("lrsched export step --format ", 4)])
def test_shell_completion_imports_neither_numpy_nor_matplotlib(words, cword):
    m = modules_after([], env={"_LRSCHED_COMPLETE": "complete_bash", "COMP_WORDS": words,
                               "COMP_CWORD": str(cword)})
    assert not m["numpy"] and not m["matplotlib"], m


@pytest.mark.parametrize("args", [["export", "cosine"], ["table", "one-cycle"],
                                  ["compare", "cosine", "step"],
                                  ["export", "torch", "StepLR(step_size=3)"],
                                  ["code", "cosine", "--framework", "optax"]])
def test_only_plotting_imports_matplotlib(args):
    m = modules_after(args)
    assert not m["matplotlib"] and not m["torch"] and not m["jax"], (args, m)


def test_plot_does_import_matplotlib(tmp_path):
    m = modules_after(["plot", "cosine", "-o", str(tmp_path / "x.png")])
    assert m["matplotlib"]


def test_commands_table_names_what_each_module_registers():
    """cli.COMMANDS (what --help lists, loaded lazily) is exactly what the modules declare."""
    from lrsched_cli import cli

    declared: dict[str, str] = {}
    for module in dict.fromkeys(cli.COMMANDS.values()):
        for name in cli.load_commands(module):
            declared[name] = module
    assert declared == cli.COMMANDS


@pytest.mark.parametrize("args, modules", [
    (["export", "cosine", "--steps", "3"], {"schedule", "actions"}),
    (["compare", "cosine", "step", "--steps", "3"], {"compare"}),
    (["info", "cosine"], {"info"}),
])
def test_a_command_loads_only_its_own_module(args, modules):
    loaded = sorted(m for m in modules_loaded(args) if m.startswith("lrsched_cli.commands."))
    mine = {m.removeprefix("lrsched_cli.commands.") for m in loaded} - {"options"}
    assert mine == modules, (args, loaded)
