"""The Textual app of ``lrsched explore``: the chart, the cursor's values, the summary rows,
the difference report and the parameters panel of each spec (:mod:`.model` holds the state).

Keys: left/right move the cursor (shift: ten times as far, home/end: the range's ends),
l toggles log-y, z/Z zoom in/out around the cursor, [ and ] start or end the range at the
cursor, 0 shows the whole run, tab/shift+tab the next/previous spec, up/down an option,
enter edits it (a flag toggles), escape leaves the editor, q quits (the app's return value:
the command lines of what the user ended with).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Static

from ..chart import COLORS, render_chart
from ..numbers import one
from .model import CHART_ROWS, Model

KEYS = ("←/→ cursor  l log-y  z/Z zoom  [ ] range  0 all  tab spec  ↑/↓ option  "
        "enter edit  q quit")


def _rich_color(i: int) -> str:
    return COLORS[i % len(COLORS)].replace("-", "_")


class OptionRow(Static):
    """One option of the current spec (click: select and edit it)."""

    def __init__(self, index: int, **kw) -> None:
        super().__init__(**kw)
        self.index = index

    def on_click(self) -> None:
        app = self.app
        assert isinstance(app, ExploreApp)
        app.model.selected = self.index
        app.action_edit()


class ExploreApp(App):
    """``lrsched explore``: see a schedule move while its parameters change."""

    CSS = """
    #title { height: 1; background: $boost; }
    #main { height: 1fr; }
    #chart { width: 1fr; height: auto; }
    #side { width: 44; height: 100%; border-left: solid $panel; }
    #params { height: 1fr; }
    #spec { height: auto; text-style: bold; }
    #help { height: auto; color: $text-muted; }
    #cursor, #summary, #diff { height: auto; }
    #status { height: auto; color: $error; dock: bottom; }
    #editor { display: none; dock: bottom; }
    #editor.editing { display: block; }
    OptionRow.selected { background: $accent 40%; }
    """

    AUTO_FOCUS = None  # the keys are the app's until the editor opens

    BINDINGS = [
        Binding("left", "move(-1)", "cursor", show=False),
        Binding("right", "move(1)", "cursor", show=False),
        Binding("shift+left", "move(-10)", show=False),
        Binding("shift+right", "move(10)", show=False),
        Binding("home", "move(-1000000)", show=False),
        Binding("end", "move(1000000)", show=False),
        Binding("l", "log_y", "log-y", show=False),
        Binding("z", "zoom(0.5)", "zoom in", show=False),
        Binding("Z", "zoom(2)", "zoom out", show=False),
        Binding("left_square_bracket", "range('[')", show=False),
        Binding("right_square_bracket", "range(']')", show=False),
        Binding("0", "reset_zoom", show=False),
        Binding("tab", "spec(1)", priority=True, show=False),
        Binding("shift+tab", "spec(-1)", priority=True, show=False),
        Binding("up", "option(-1)", show=False),
        Binding("down", "option(1)", show=False),
        Binding("enter", "edit", show=False),
        Binding("escape", "cancel", show=False),
        Binding("q", "finish", "quit", show=False),
    ]

    def __init__(self, model: Model) -> None:
        super().__init__()
        self.model = model
        self.editing: str | None = None  # the option being edited
        self._rows_of: int | None = None  # the spec whose rows are mounted

    def compose(self) -> ComposeResult:
        yield Static(KEYS, id="title")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield Static(id="chart")
                yield Static(id="cursor")
                yield Static(id="summary")
                yield Static(id="diff")
            with Vertical(id="side"):
                yield Static(id="spec")
                yield VerticalScroll(id="params")
                yield Static(id="help")
        yield Static(id="status")
        yield Input(id="editor")

    def on_mount(self) -> None:
        self.query_one("#params", VerticalScroll).can_focus = False
        self._mount_rows()
        self.refresh_view()

    def on_resize(self) -> None:
        self.refresh_view()

    # --- drawing ---------------------------------------------------------------------
    def chart_width(self) -> int:
        w = self.query_one("#chart").size.width
        return max(40, w or (self.size.width - 46))

    def refresh_view(self) -> None:
        """Redraw the chart from the envelopes and the numbers at the cursor."""
        m = self.model
        width = self.chart_width()
        m.set_bins(2 * width)
        curves = m.curves()
        text = render_chart(curves, width=width, height=CHART_ROWS, log_y=m.log_y, color=True,
                            points=m.points(), cursor=m.cursor)
        self.query_one("#chart", Static).update(Text.from_ansi(text))
        self.query_one("#cursor", Static).update(self.cursor_text())
        self.query_one("#summary", Static).update(self.summary_text())
        self.query_one("#diff", Static).update(self.diff_text())
        self._update_rows()

    def cursor_text(self) -> Text:
        m = self.model
        unit = m.curves()[0].unit
        out = Text(f"{unit} {m.cursor}   range {m.lo}..{m.hi}"
                   f"{'   log-y' if m.log_y else ''}\n")
        for i, s in enumerate(m.curves()):
            at = m.value_at(s, m.cursor)
            out.append("  ⣿⣿ ", style=_rich_color(i))
            where = "" if at is None or at[0] == m.cursor else f" (logged at {at[0]})"
            out.append(f"#{i + 1} {s.label}: {'—' if at is None else one(at[1])}{where}\n")
        return out

    def cursor_values(self) -> list[float | None]:
        """Each curve's value at the cursor, as the app holds it (for tests)."""
        m = self.model
        return [None if (v := m.value_at(s, m.cursor)) is None else v[1] for s in m.curves()]

    def summary_text(self) -> Text:
        m = self.model
        rows = [("", "first", "peak", "at", "min", "last", "steps")]
        for i, (s, st) in enumerate(zip(m.curves(), [x for sp in m.specs for x in sp.stats])):
            rows.append((f"#{i + 1}", one(st.first), one(st.peak), str(st.peak_step),
                         one(st.min), one(st.last), f"{len(s):,}"))
        widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
        return Text("\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows))

    def summary_rows(self) -> list[dict]:
        """The summary rows as numbers (for tests)."""
        stats = [x for sp in self.model.specs for x in sp.stats]
        return [{"first": st.first, "peak": st.peak, "peak_step": st.peak_step,
                 "min": st.min, "last": st.last} for st in stats]

    def diff_text(self) -> str:
        curves = self.model.curves()
        if len(curves) != 2:
            return ""
        key = tuple((id(sp), sp.version) for sp in self.model.specs)
        if getattr(self, "_diff_key", None) != key:
            from ..view import difference_report

            self._diff_key, self._diff = key, difference_report(curves[0], curves[1])
        return self._diff

    # --- the parameters panel ----------------------------------------------------------
    def _mount_rows(self) -> None:
        m = self.model
        sp = m.specs[m.current]
        panel = self.query_one("#params", VerticalScroll)
        panel.remove_children()
        panel.mount_all(OptionRow(k, classes="opt") for k in range(len(sp.options)))
        self._rows_of = m.current

    def _update_rows(self) -> None:
        m = self.model
        sp = m.specs[m.current]
        what = "a log: drawn as its points, not editable" if not sp.editable else \
            "enter: edit"
        self.query_one("#spec", Static).update(
            Text(f"spec {m.current + 1}/{len(m.specs)}: {sp.label}\n({what})"))
        rows = list(self.query(OptionRow))
        for row in rows:
            o = sp.options[row.index]
            line = Text(f"{o.flag if o.kind != 'positional' else o.name.upper():<18} ")
            value = sp.value_text(o)
            if value:
                line.append(value, style="bold")
            else:
                line.append("·" if o.default in (None, "", False) else f"({o.default})",
                            style="dim")
            if o.name in sp.errors:
                line.append("\n  " + sp.errors[o.name], style="red")
            row.update(line)
            row.set_class(row.index == m.selected, "selected")
        if sp.options:
            o = sp.options[min(m.selected, len(sp.options) - 1)]
            self.query_one("#help", Static).update(Text(o.help.replace("\\[", "[")))
            for row in rows:
                if row.index == m.selected:
                    row.scroll_visible(animate=False)

    # --- actions ---------------------------------------------------------------------
    def _busy(self) -> bool:
        return self.editing is not None

    def action_move(self, columns: int) -> None:
        if not self._busy():
            self.model.move(columns)
            self.refresh_view()

    def action_log_y(self) -> None:
        if not self._busy():
            self.model.log_y = not self.model.log_y
            self.refresh_view()

    def action_zoom(self, factor: float) -> None:
        if not self._busy():
            self.model.zoom(factor)
            self.refresh_view()

    def action_range(self, end: str) -> None:
        if not self._busy():
            self.model.set_range(end)
            self.refresh_view()

    def action_reset_zoom(self) -> None:
        if not self._busy():
            self.model.reset_zoom()
            self.refresh_view()

    def action_spec(self, by: int) -> None:
        if self._busy():
            return
        m = self.model
        m.current = (m.current + by) % len(m.specs)
        m.selected = 0
        self._mount_rows()
        self.call_after_refresh(self.refresh_view)

    def action_option(self, by: int) -> None:
        if self._busy():
            return
        m = self.model
        n = len(m.specs[m.current].options)
        m.selected = (m.selected + by) % max(1, n)
        self._update_rows()

    def action_edit(self) -> None:
        if self._busy():
            return
        m = self.model
        sp = m.specs[m.current]
        status = self.query_one("#status", Static)
        if not sp.editable:
            status.update(f"'{sp.label}' is a log: its points are what the run logged; edit "
                          "the schedule beside it")
            return
        o = sp.options[m.selected]
        if o.kind == "flag":  # a flag toggles
            self.apply(o.name, "" if sp.raw.get(o.name) is True else "on")
            return
        editor = self.query_one("#editor", Input)
        editor.value = sp.value_text(o)
        editor.placeholder = f"{o.flag}: {o.help}"[:200]
        editor.border_title = o.flag
        editor.add_class("editing")
        self.editing = o.name
        editor.focus()

    def on_key(self, event: Any) -> None:
        """Keys typed ahead, between enter and the editor taking focus (a fast typist, a
        paste, tmux send-keys), go to the editor rather than being lost or read as
        commands."""
        if self.editing is None:
            return
        editor = self.query_one("#editor", Input)
        if editor.has_focus:
            return
        event.stop()
        event.prevent_default()
        if event.key == "enter":
            self._submit(editor.value)
        elif event.key == "escape":
            self._close_editor()
        elif event.key == "ctrl+u":
            editor.value = ""
        elif event.key == "backspace":
            editor.value = editor.value[:-1]
        elif event.character is not None and event.is_printable:
            editor.value += event.character
        editor.cursor_position = len(editor.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit(event.value)

    def _submit(self, value: str) -> None:
        """Close the editor and apply what it holds to the option being edited."""
        name = self.editing
        self._close_editor()
        if name is not None:
            self.apply(name, value)

    def _close_editor(self) -> None:
        editor = self.query_one("#editor", Input)
        editor.remove_class("editing")
        self.editing = None
        self.set_focus(None)
        # a focus asked for when the editor opened may land after this (keys typed ahead):
        # take it back once the screen has settled, so the app's keys are the app's again
        self.call_after_refresh(self._unfocus_closed_editor)

    def _unfocus_closed_editor(self) -> None:
        if self.editing is None and self.focused is not None:
            self.set_focus(None)

    def action_cancel(self) -> None:
        if self._busy():
            self._close_editor()

    def apply(self, name: str, value: str) -> None:
        """Set an option of the current spec; a refused value shows its error in place."""
        error = self.model.set_option(self.model.current, name, value)
        self.query_one("#status", Static).update(Text(error or "", style="red"))
        self.refresh_view()

    def action_finish(self) -> None:
        if not self._busy():
            self.exit(self.model.command_lines())
