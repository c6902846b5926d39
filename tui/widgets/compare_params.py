"""The parameter panel of a comparison: one row per parameter with A's and B's values.

`tab` switches the side the keys edit (the header shows it: `[A]` or `[B]`); the other
side's values are dim. A parameter whose values differ is marked `≠` and both values are
coloured, so what the comparison varies is visible at a glance.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from hebblab.format import fit_text, fit_value
from hebblab.tui.runner import Runner
from hebblab.tui.widgets.param_panel import LIVE_MARK, RESET_MARK, ParamList, ParamPanel, Row

SIDES = ("A", "B")
DIFFER_MARK = "≠"
DIFFER_STYLE = "bold magenta"


class CompareParamList(ParamList):
    BINDINGS = [
        Binding("tab", "switch_side", "A/B", id="compare.side", key_display="tab",
                tooltip="Edit the other side of the comparison (A or B)"),
        Binding("shift+tab", "switch_side", "A/B", show=False, id="compare.side_back",
                tooltip="Edit the other side of the comparison (A or B)"),
    ]

    def __init__(self, a: Runner, b: Runner, **kwargs):
        super().__init__([a, b], **kwargs)
        self.side = 0  # 0: keys edit A, 1: B

    @property
    def edited(self) -> Runner:
        return self.runners[self.side]

    @property
    def rows(self) -> list[Row]:
        runner = self.edited
        return [Row(runner, s) for s in runner.specs]

    def action_switch_side(self) -> None:
        self.set_side(1 - self.side)

    def set_side(self, side: int) -> None:
        self.side = side
        self._shown_key = None  # the rows now carry the other runner
        self._moved()

    def differing(self) -> list[str]:
        a, b = self.runners
        return [s.name for s in a.specs if a.value(s.name) != b.value(s.name)]

    def _lines(self):
        lines = [("sides", None)]
        cursor_line = 0
        for i, row in enumerate(self.rows):
            if i == self.cursor:
                cursor_line = len(lines)
            lines.append(("param", row))
        return lines, cursor_line

    def visible_lines(self) -> list[tuple]:
        width, height = self.size
        lines, cursor_line = self._lines()
        height = max(1, height)
        # The side header stays on top; the rows scroll beneath it.
        body, rows_h = lines[1:], max(1, height - 1)
        cur = cursor_line - 1
        if cur < self._top:
            self._top = cur
        elif cur >= self._top + rows_h:
            self._top = cur - rows_h + 1
        self._top = max(0, min(self._top, max(0, len(body) - rows_h)))
        a, b = self.runners
        name_w = max((len(s.name) for s in a.specs), default=4)
        show_unit = width >= 34
        unit_w = 5 if show_unit else 0
        # mark + space, name, ≠, then per side the value and its pending mark, then the unit
        name_w = max(4, min(name_w, width - 3 - unit_w - 2 * 7))
        val_w = max(4, (width - 3 - name_w - unit_w) // 2 - 1)
        out = [("sides", self.side, self.has_focus, name_w, val_w, width)]
        for k, (_, row) in enumerate(body[self._top: self._top + rows_h]):
            spec = row.spec
            va, vb = a.value(spec.name), b.value(spec.name)
            out.append(("param", spec.live, spec.name, spec.format(va), spec.format(vb),
                        spec.name in a.pending, spec.name in b.pending, va != vb,
                        (self._top + k) == cur, self.has_focus, self.side, name_w, val_w,
                        spec.unit if show_unit else "", width))
        return out

    def on_click(self, event) -> None:
        index = self._top + event.y - 1  # below the side header
        if event.y == 0:
            self.action_switch_side()
        elif 0 <= index < len(self.rows):
            self.cursor = index
            self.focus()
            self._moved()

    @staticmethod
    def _line_text(line: tuple) -> Text:
        if line[0] == "sides":
            _, side, focus, name_w, val_w, width = line
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append("  " + "edit (tab)".ljust(name_w) + " ", style="dim")
            for k, label in enumerate(SIDES):
                cell = f"[{label}]" if k == side else label
                text.append(cell.rjust(val_w), style="bold reverse" if k == side else "dim")
                text.append(" ")
            text.truncate(width, pad=True)
            return text
        (_, live, name, va, vb, pend_a, pend_b, differs, selected, focus, side, name_w, val_w,
         unit, width) = line
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append((LIVE_MARK if live else RESET_MARK) + " ", style="green" if live else "dim")
        text.append(fit_text(name, name_w).ljust(name_w), style="bold" if selected else "")
        text.append(DIFFER_MARK if differs else " ", style=DIFFER_STYLE)
        for k, (value, pending) in enumerate(((va, pend_a), (vb, pend_b))):
            style = DIFFER_STYLE if differs else ("bold" if k == side else "dim")
            if pending:
                style = "bold yellow"
            text.append(fit_value(value, val_w).rjust(val_w), style=style)
            text.append("*" if pending else " ", style="yellow")
        if unit:
            text.append(fit_text(unit, 5), style="dim")
        if selected:
            text.stylize("reverse" if focus else "underline")
        text.truncate(width, pad=True)
        return text


class CompareParamPanel(ParamPanel):
    """The comparison's parameter list + help (of the edited side) + value editor."""

    def __init__(self, a: Runner, b: Runner, **kwargs):
        super().__init__([a, b], **kwargs)
        self.param_list = CompareParamList(a, b, id="param-list")

    def help_prefix(self) -> Text | None:
        pl = self.param_list
        row = pl.current
        if row is None:
            return None
        a, b = self.runners
        other = b if pl.side == 0 else a
        text = Text()
        text.append(f" editing {SIDES[pl.side]} ", style="bold reverse")
        text.append(f" {SIDES[1 - pl.side]}: {row.spec.format(other.value(row.spec.name))} ", style="dim")
        return text
