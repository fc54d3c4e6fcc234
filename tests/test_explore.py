"""``lrsched explore``: the Textual app driven by Textual's own pilot (key presses), asserting
on the widgets and on the values they show; and what start-up and a missing Textual do."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("textual")

from lrsched_cli import schedule  # noqa: E402
from lrsched_cli.commands.explore import MISSING, build_app, finish  # noqa: E402
from lrsched_cli.render.numbers import one  # noqa: E402

LOG = str(Path(__file__).parent / "logs" / "tb_csv" / "run-tb_dense-tag-lr.csv")
SIZE = (120, 40)


def drive(texts, keys, check=None, steps=None):
    """Run the app on ``texts`` with the pilot, press ``keys`` (a str is typed key by key
    when it starts with '='), then call ``check(app)`` inside; the app is returned."""
    app = build_app(texts, steps)

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for k in keys:
                if k.startswith("="):
                    await pilot.press(*k[1:])
                else:
                    await pilot.press(k)
                await pilot.pause()
            if check is not None:
                check(app)

    asyncio.run(go())
    return app


def shown(app, widget: str) -> str:
    return str(app.query_one(widget).render())


def select(app_keys: list[str], flag_index: int) -> list[str]:
    return app_keys + ["down"] * flag_index


def option_index(word: str, name: str) -> int:
    from lrsched_cli.commands.explore import _options

    return [o.name for o in _options(word)].index(name)


def edit(name: str, value: str, word: str = "cosine", at: str | None = None) -> list[str]:
    """The keys that select option ``name`` of the (current) spec (from option ``at``, else
    the first) and type ``value``."""
    by = option_index(word, name) - (0 if at is None else option_index(word, at))
    return ["down" if by > 0 else "up"] * abs(by) + ["enter", "ctrl+u", "=" + value, "enter"]


def test_cursor_values_are_the_schedules_values_at_that_step():
    def check(app):
        m = app.model
        assert m.cursor == 7
        want = [schedule("cosine", steps=100, warmup="5%")[7], schedule("one-cycle")[7]]
        assert app.cursor_values() == pytest.approx(want, rel=1e-15)
        text = shown(app, "#cursor")
        assert "step 7" in text
        assert f"#1 cosine --warmup 5%: {one(want[0])}\n" in text
        assert f"#2 one-cycle: {one(want[1])}\n" in text

    drive(["cosine --warmup 5%", "one-cycle"], ["right"] * 7, check)


def test_editing_lr_max_moves_the_peak_and_the_command_line():
    def check(app):
        rows = app.summary_rows()
        assert rows[0]["peak"] == 0.5 and rows[1]["peak"] == pytest.approx(0.1)
        assert "0.5" in shown(app, "#summary")
        assert app.model.specs[0].raw["lr_max"] == "0.5"

    app = drive(["cosine --warmup 5%", "one-cycle"], edit("lr_max", "0.5"), check)
    assert app.return_value is None  # not left yet


def test_a_bad_value_shows_the_command_lines_error_and_keeps_the_curve(tmp_path):
    cli = subprocess.run([sys.executable, "-m", "lrsched_cli", "plot", "cosine", "--lr-max",
                          "-1"], capture_output=True, text=True, timeout=60)
    assert cli.returncode == 2
    message = cli.stderr.strip().removeprefix("lrsched: error: ")

    def check(app):
        sp = app.model.specs[0]
        assert sp.errors == {"lr_max": message}
        assert message in shown(app, "#status")
        assert app.summary_rows()[0]["peak"] == 0.1  # the old curve
        assert sp.raw.get("lr_max") is None and sp.shown["lr_max"] == "-1"
        row = [r for r in app.query("OptionRow") if r.index == option_index("cosine",
                                                                             "lr_max")][0]
        assert message in str(row.render()) and "-1" in str(row.render())

    drive(["cosine --warmup 5%"], edit("lr_max", "-1"), check)


def test_lengths_in_percent_and_epochs_read_as_everywhere():
    def check(app):
        s = app.model.curves()[0]
        assert len(s) == 300  # 3ep of 100
        want = schedule("cosine", steps="3ep", steps_per_epoch=100, warmup="10%")
        assert np.array_equal(s.values, want)

    keys = edit("steps_per_epoch", "100") + edit("steps", "3ep", at="steps_per_epoch") + \
        edit("warmup", "10%", at="steps")
    drive(["cosine"], keys, check)


def test_q_prints_the_command_lines_and_save_spec_reads_back(tmp_path, capsys):
    path = tmp_path / "ended.toml"
    app = drive(["cosine --warmup 5%", "one-cycle"],
                edit("lr_max", "0.5") + ["tab"] + edit("max_lr", "0.3", "one-cycle") + ["q"])
    assert app.return_value == [
        "lrsched plot cosine --warmup 5% --lr-max 0.5",
        "lrsched plot one-cycle --max-lr 0.3",
        "lrsched compare 'cosine --warmup 5% --lr-max 0.5' 'one-cycle --max-lr 0.3'"]
    finish(app, str(path))
    assert capsys.readouterr().out.splitlines() == app.return_value
    back = subprocess.run([sys.executable, "-m", "lrsched_cli", "compare", "--spec", str(path),
                           "-f", "json"], capture_output=True, text=True, timeout=60)
    assert back.returncode == 0, back.stderr
    got = [np.array(s["lr"]) for s in json.loads(back.stdout)["schedules"]]
    want = [schedule("cosine", steps=100, warmup="5%", lr_max=0.5),
            schedule("one-cycle", max_lr=0.3)]
    assert len(got) == 2 and all(np.array_equal(g, w) for g, w in zip(got, want))


def test_a_log_is_drawn_not_edited_and_the_difference_updates_live():
    torch = "torch 'CosineAnnealingLR(opt, T_max=60, eta_min=0.001)' --base-lr 0.1"

    def check(app):
        assert "are identical within 1e-06 x peak (the log holds float32)" in shown(app, "#diff")

    drive([f"log {LOG}", torch], [], check)

    def refused(app):
        assert "is a log" in shown(app, "#status")
        assert "not editable" in shown(app, "#spec")
        assert app.editing is None  # no editor opened

    drive([f"log {LOG}", torch], ["enter"], refused)

    def changed(app):
        assert app.model.specs[0].errors == {}
        assert "differ" in shown(app, "#diff")
        assert app.cursor_values()[1] == pytest.approx(0.2)

    drive([f"log {LOG}", torch], ["tab"] + edit("base_lr", "0.2", "torch"), changed)


def test_zoom_range_and_log_y():
    def check(app):
        m = app.model
        assert (m.lo, m.hi) == (0, 10)
        assert m.log_y and "log scale" in shown(app, "#chart")
        xs = np.concatenate([p[0] for p in m.points()])
        assert xs.min() >= 0 and xs.max() <= 10

    keys = ["right"] * 10 + ["right_square_bracket", "l"]
    drive(["cosine --warmup 5%", "one-cycle"], keys, check)

    def zoomed(app):
        m = app.model
        assert m.hi - m.lo == 50 and m.lo <= m.cursor <= m.hi

    drive(["cosine"], ["right"] * 20 + ["z"], zoomed)
    drive(["cosine"], ["right"] * 20 + ["z", "Z"],
          lambda app: (app.model.lo, app.model.hi) == (0, 99) or pytest.fail("not unzoomed"))


def test_a_key_press_redraws_fast_at_ten_million_steps():
    times: dict[str, float] = {}
    app = build_app(["cosine --steps 10000000 --warmup 5%"])

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for key in ("right", "z", "l"):
                t = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                times[key] = time.perf_counter() - t
            assert app.model.cursor > 0

    asyncio.run(go())
    assert max(times.values()) < 2.0, times


@pytest.mark.parametrize("args", [["--help"], ["export", "cosine"], ["explore", "--help"]])
def test_help_and_export_do_not_import_textual(args):
    from .probe import modules_loaded, top_level

    assert top_level(modules_loaded(args), "textual") == []


def test_without_textual_explore_says_how_to_get_it():
    code = ("import sys; sys.modules['textual'] = None\n"
            "sys.argv = ['lrsched', 'explore', 'cosine']\n"
            "from lrsched_cli.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "LRSCHED_DEBUG": ""})
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [f"lrsched: error: {MISSING}"]
    assert proc.stdout == ""


def test_keys_typed_ahead_of_the_editor_are_not_lost():
    """Enter, the value and enter again in one burst (a fast typist, a paste, tmux
    send-keys): the keys that come before the editor has focus still reach it, and q after
    it quits (in a real tmux they were lost, and q was typed into the closed editor)."""
    app = build_app(["cosine --warmup 5%"], None)
    keys = [*(["down"] * option_index("cosine", "lr_max")), "enter", "ctrl+u",
            *"0.05", "enter", "right", "q"]

    from textual import events

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for k in keys:  # queued at once, as a terminal delivers a burst (pilot.press
                # would wait for each key to be handled)
                char = k if len(k) == 1 else {"enter": "\r"}.get(k)
                app.post_message(events.Key(k if len(k) > 1 else {".": "full_stop"}.get(k, k),
                                            char))
            await pilot.pause(0.5)

    asyncio.run(go())
    assert app.return_value is not None and "--lr-max 0.05" in app.return_value[0]
