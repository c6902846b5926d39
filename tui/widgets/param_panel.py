"""The parameter panel, generated from the labs' ParamSpecs.

`ParamPanel` = `ParamList` (one row per parameter: live/reset mark, name, value, unit;
a header per lab when it shows several) + `ParamHelp` (the focused parameter's help,
allowed range, whether it applies live or on reset, and the last error) + an `Input` that
opens when the user types a value. The list is one focusable widget that draws only the
rows that fit, so it is cheap to redraw and never needs a scrollbar widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from hebblab.format import fit_text, fit_value
from hebblab.sim.params import ParamError, ParamSpec
from hebblab.tui.runner import Runner
from hebblab.tui.widgets.text_line import TextLine

LIVE_MARK = "●"
RESET_MARK = "○"
_START_EDIT = set("0123456789.")


@dataclass
class Row:
    runner: Runner
    spec: ParamSpec


class ParamList(Widget, can_focus=True):
    """Rows of parameters with a cursor; keys adjust the parameter under the cursor."""

    BINDINGS = [
        Binding("up", "move(-1)", "Prev param", show=False, id="param.up",
                tooltip="Move to the previous parameter"),
        Binding("down", "move(1)", "Next param", show=False, id="param.down",
                tooltip="Move to the next parameter"),
        Binding("tab", "move(1)", "Next param", show=False, id="param.next",
                tooltip="Move to the next parameter (wraps)"),
        Binding("shift+tab", "move(-1)", "Prev param", show=False, id="param.prev",
                tooltip="Move to the previous parameter (wraps)"),
        Binding("left", "nudge(-1)", "Decrease", id="param.decrease", key_display="←", show=False,
                tooltip="Decrease the parameter by one step (choices: previous; on/off: toggle)"),
        Binding("right", "nudge(1)", "Increase", id="param.increase", key_display="→", show=False,
                tooltip="Increase the parameter by one step (choices: next; on/off: toggle)"),
        Binding("shift+left", "nudge(-10)", "Decrease x10", show=False, id="param.decrease10",
                tooltip="Decrease the parameter by ten steps"),
        Binding("shift+right", "nudge(10)", "Increase x10", show=False, id="param.increase10",
                tooltip="Increase the parameter by ten steps"),
        Binding("enter", "edit", "Type value", show=False, id="param.edit",
                tooltip="Type a new value for the parameter (or just start typing digits)"),
        Binding("home", "jump(0)", "First param", show=False, id="param.first",
                tooltip="Jump to the first parameter"),
        Binding("end", "jump(-1)", "Last param", show=False, id="param.last",
                tooltip="Jump to the last parameter"),
    ]

    DEFAULT_CSS = """
    ParamList { height: 1fr; }
    """

    class Changed(Message):
        """A parameter was set (live=True: applied now; else on reset)."""

        def __init__(self, runner: Runner, name: str, live: bool):
            super().__init__()
            self.runner, self.name, self.live = runner, name, live

    class Moved(Message):
        pass

    class EditRequested(Message):
        def __init__(self, initial: str):
            super().__init__()
            self.initial = initial

    def __init__(self, runners: list[Runner], **kwargs):
        super().__init__(**kwargs)
        self.runners = runners
        self.cursor = 0
        self.error = ""
        self._top = 0  # first visible line
        self._strip_cache: dict[tuple, Strip] = {}
        self._key: tuple | None = None
        self._shown_key: tuple | None = None
        self._visible: list[tuple] = []

    # -- model ------------------------------------------------------------------------
    @property
    def rows(self) -> list[Row]:
        return [Row(r, s) for r in self.runners for s in r.specs]

    @property
    def current(self) -> Row | None:
        rows = self.rows
        if not rows:
            return None
        self.cursor = max(0, min(self.cursor, len(rows) - 1))
        return rows[self.cursor]

    def select(self, name: str, runner: Runner | None = None) -> bool:
        for i, row in enumerate(self.rows):
            if row.spec.name == name and (runner is None or row.runner is runner):
                self.cursor = i
                self._moved()
                return True
        return False

    def set_value(self, value) -> bool:
        """Set the current parameter (already parsed/raw); errors are shown, not raised."""
        row = self.current
        if row is None:
            return False
        try:
            live = row.runner.request_param(row.spec.name, value)
        except ParamError as err:
            self.error = str(err)
            self.refresh_rows()
            self.post_message(self.Moved())
            return False
        self.error = ""
        self.refresh_rows()
        self.post_message(self.Changed(row.runner, row.spec.name, live))
        return True

    def set_text(self, text: str) -> bool:
        row = self.current
        if row is None:
            return False
        try:
            value = row.spec.parse(text)
        except ParamError as err:
            self.error = str(err)
            self.refresh_rows()
            self.post_message(self.Moved())
            return False
        return self.set_value(value)

    # -- actions ----------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        n = len(self.rows)
        if n:
            self.cursor = (self.cursor + delta) % n
            self._moved()

    def action_jump(self, index: int) -> None:
        n = len(self.rows)
        if n:
            self.cursor = index % n
            self._moved()

    def action_nudge(self, steps: int) -> None:
        row = self.current
        if row is not None:
            self.set_value(row.spec.nudge(row.runner.value(row.spec.name), steps))

    def action_edit(self) -> None:
        row = self.current
        if row is not None:
            self._request_edit(row.spec.format(row.runner.value(row.spec.name)), select=True)

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character in _START_EDIT:
            event.stop()
            event.prevent_default()
            self._request_edit(event.character)

    def _request_edit(self, initial: str, select: bool = False) -> None:
        # Synchronous, not a message: the next typed key must already reach the editor.
        panel = self.parent
        if isinstance(panel, ParamPanel):
            panel.open_editor(initial, select)
        else:
            self.post_message(self.EditRequested(initial))

    def on_click(self, event: events.Click) -> None:
        """Mouse (never required): a click selects the parameter on that line."""
        lines, _ = self._lines()
        index = self._top + event.y
        if 0 <= index < len(lines) and lines[index][0] == "param":
            self.cursor = sum(1 for kind, _ in lines[:index] if kind == "param")
            self.focus()
            self._moved()

    def _moved(self) -> None:
        self.error = ""
        self.refresh_rows()
        self.post_message(self.Moved())

    # -- drawing ------------------------------------------------------------------------
    def _lines(self) -> tuple[list[tuple[str, Row | None]], int]:
        """(kind, row) per line; kind "header" or "param"; and the cursor's line index."""
        lines: list[tuple[str, Row | None]] = []
        cursor_line = 0
        i = 0
        for runner in self.runners:
            if len(self.runners) > 1:
                lines.append(("header", Row(runner, runner.specs[0]) if runner.specs else None))
            for spec in runner.specs:
                if i == self.cursor:
                    cursor_line = len(lines)
                lines.append(("param", Row(runner, spec)))
                i += 1
        return lines, cursor_line

    def _shown_state(self) -> tuple:
        return self.size, self.cursor, self.has_focus, tuple(id(r.shown) for r in self.runners)

    def refresh_rows(self) -> None:
        """Refresh only the lines that show something new. A key changes one or two; a
        whole-widget refresh would send every line through Textual's styles again (the
        largest part of a key's screen update in a comparison)."""
        old = self._visible
        if self._key != (self.size, self.app.theme) or self._shown_key is None or not old:
            self.refresh()
            return
        new = self.visible_lines()
        self._visible, self._shown_key = new, self._shown_state()
        if len(new) != len(old):
            self.refresh()
            return
        width = self.size.width
        for y, (was, now) in enumerate(zip(old, new)):
            if was != now:
                self.refresh(Region(0, y, width, 1))

    def render_line(self, y: int) -> Strip:
        # One strip per line, cached by what the line shows: a key that changes a value or
        # moves the cursor rebuilds one or two lines, not the whole list.
        key = (self.size, self.app.theme)
        if key != self._key:
            self._strip_cache.clear()
            self._key = key
        shown = self._shown_state()
        if shown != self._shown_key:  # once per screen update, not once per line
            self._visible = self.visible_lines()
            self._shown_key = shown
        lines = self._visible
        if not 0 <= y < len(lines):
            return Strip.blank(self.size.width, self.rich_style)
        strip = self._strip_cache.get(lines[y])
        if strip is None:
            text = self._line_text(lines[y])
            width, base = self.size.width, self.rich_style
            strip = Strip(list(Segment.apply_style(text.render(self.app.console), base)), text.cell_len)
            strip = self._strip_cache[lines[y]] = strip.adjust_cell_length(width, base)
            if len(self._strip_cache) > 4 * max(1, self.size.height):
                self._strip_cache.clear()
                self._strip_cache[lines[y]] = strip
        return strip

    def text(self) -> Text:
        """What the list shows, one line per row (for tests and the curious)."""
        return Text("\n").join(self._line_text(line) for line in self.visible_lines())

    def visible_lines(self) -> list[tuple]:
        """What each visible line shows: ("header", name, width) or ("param", mark, name,
        value, unit, pending, selected, focus, name width, width)."""
        width, height = self.size
        lines, cursor_line = self._lines()
        height = max(1, height)
        if cursor_line < self._top:
            self._top = max(0, cursor_line - (1 if cursor_line and lines[cursor_line - 1][0] == "header" else 0))
        elif cursor_line >= self._top + height:
            self._top = cursor_line - height + 1
        self._top = max(0, min(self._top, max(0, len(lines) - height)))
        visible = lines[self._top: self._top + height]
        name_w = max((len(s.name) for r in self.runners for s in r.specs), default=4)
        name_w = max(4, min(name_w, width - 14))
        out = []
        for k, (kind, row) in enumerate(visible):
            if kind == "header":
                out.append(("header", row.runner.name if row else "?", width))
                continue
            runner, spec = row.runner, row.spec
            out.append(("param", spec.live, spec.name, spec.format(runner.value(spec.name)), spec.unit,
                        spec.name in runner.pending, (self._top + k) == cursor_line, self.has_focus, name_w, width))
        return out

    @staticmethod
    def _line_text(line: tuple) -> Text:
        if line[0] == "header":
            _, name, width = line
            return Text(f" {name} ".center(width, "─"), style="bold", no_wrap=True)
        _, live, name, value, unit, pending, selected, focus, name_w, width = line
        unit = fit_text(unit, 6)
        val_w = max(4, width - name_w - len(unit) - 5)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append((LIVE_MARK if live else RESET_MARK) + " ", style="green" if live else "dim")
        text.append(fit_text(name, name_w).ljust(name_w) + " ", style="bold" if selected else "")
        text.append(fit_value(value, val_w).rjust(val_w), style="bold yellow" if pending else "bold")
        text.append("*" if pending else " ", style="yellow" if pending else "")
        text.append(unit, style="dim")
        if selected:
            text.stylize("reverse" if focus else "underline")
        text.truncate(width, pad=True)
        return text

    def on_focus(self) -> None:
        self.refresh_rows()

    def on_blur(self) -> None:
        self.refresh_rows()


class ParamHelp(TextLine):
    """Help for the focused parameter, or the last error in red."""

    DEFAULT_CSS = """
    ParamHelp { height: 4; }
    """

    def show_row(self, row: Row | None, error: str = "", prefix: Text | None = None) -> None:
        if row is None:
            self.show_text(Text())
            return
        spec, shown = row.spec, row.runner.shown
        text = Text()
        if prefix is not None:
            text.append_text(prefix)
        if error:
            text.append(error, style="bold red")
            text.append("\n")
        if spec.live:
            text.append("live ", style="bold green")
        elif spec.name in shown.pending:
            text.append(f"on reset (r; now {spec.format(shown.params[spec.name])}) ", style="bold yellow")
        else:
            text.append("on reset ", style="bold")
        text.append(spec.name, style="bold")
        text.append(f": {spec.help}" if spec.help else "")
        text.append(f" ({spec.allowed()})", style="dim")
        self.show_text(text)  # fixed height: moving the cursor never relayouts


class ParamPanel(Vertical):
    """Parameter list + help + value editor."""

    DEFAULT_CSS = """
    ParamPanel { height: 1fr; }
    ParamPanel > Input { display: none; height: 3; }
    """

    def __init__(self, runners: list[Runner], **kwargs):
        super().__init__(**kwargs)
        self.runners = runners
        # Kept, not queried: a key or a resize may arrive while the screen is being replaced.
        self.param_list = ParamList(runners, id="param-list")
        self.help_box = ParamHelp(id="param-help")
        self.editor = Input(id="param-input", placeholder="value, enter to set, esc to cancel", select_on_focus=False)

    def compose(self) -> ComposeResult:
        yield self.param_list
        yield self.help_box
        yield self.editor

    def on_mount(self) -> None:
        self.refresh_help()

    def refresh_help(self) -> None:
        pl = self.param_list
        self.help_box.show_row(pl.current, pl.error, self.help_prefix())
        pl.refresh_rows()

    def help_prefix(self) -> Text | None:
        """Text put before the help (a comparison says which side is edited)."""
        return None

    def on_param_list_moved(self, _event: ParamList.Moved) -> None:
        self.refresh_help()

    def on_param_list_changed(self, _event: ParamList.Changed) -> None:
        self.refresh_help()  # and let it bubble to the screen

    def on_param_list_edit_requested(self, event: ParamList.EditRequested) -> None:
        event.stop()
        self.open_editor(event.initial)

    def open_editor(self, initial: str, select: bool = False) -> None:
        """Show the value editor; `select`: the current value selected (typing replaces it)."""
        box = self.editor
        row = self.param_list.current
        box.placeholder = f"{row.spec.name}: {row.spec.allowed()}" if row else ""
        box.value = initial
        box.cursor_position = len(initial)
        self.add_class("-editing")
        box.display = True  # inline, not via CSS: it must be focusable right now
        self.screen.set_focus(box)  # at once, so the next key lands in the editor
        if select:
            box.select_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_editor()
        self.param_list.set_text(event.value)
        self.refresh_help()

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.has_class("-editing"):
            event.stop()
            self._close_editor()

    def _close_editor(self) -> None:
        self.remove_class("-editing")
        self.editor.display = False
        self.screen.set_focus(self.param_list)
