"""docs/gallery.md is current: every schedule, recipe, dialect family and config format has its
picture, drawn by the command the gallery prints (python docs/gallery.py rewrites it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _gallery():
    spec = importlib.util.spec_from_file_location("gallery", ROOT / "docs" / "gallery.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_gallery_is_current():
    problems = _gallery().stale()
    assert not problems, "; ".join(problems[:5]) + " (run: python docs/gallery.py)"


def test_gallery_covers_everything_lrsched_knows():
    from lrsched_cli.schedules import registry
    from lrsched_cli.schedules.recipes import RECIPES
    from lrsched_cli.sources.configs import FORMATS
    from lrsched_cli.sources.words import DIALECTS

    names = {(sec, name) for sec, name, _, _ in _gallery().entries()}
    assert {n for s, n in names if s == "Schedules"} == set(registry.names())
    assert {n for s, n in names if s == "Published recipes"} == set(RECIPES)
    assert {n for s, n in names if s == "Framework dialects"} == set(DIALECTS)
    assert {n for s, n in names if s == "Training configs"} == set(FORMATS)


def test_readme_first_screen_links_the_gallery():
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:40])
    assert "docs/gallery.md" in first_screen
