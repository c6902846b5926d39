"""The help screen (f1 or ?): every key binding with its description and tooltip."""

from __future__ import annotations

from typing import Iterable

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from hebblab.tui.screens.scroll_modal import ScrollModal

from hebblab.tui.widgets.param_panel import LIVE_MARK, RESET_MARK


def binding_rows(app, sources) -> list[tuple[str, str, str]]:
    """(keys, description, tooltip) for every binding of the given classes, de-duplicated."""
    rows, seen = [], set()
    classes = [c for source in sources for c in reversed(source.__mro__)
               if "BINDINGS" in c.__dict__ and c.__module__.startswith("hebblab.tui.")]
    for source in classes:
        keys_listed = set()  # a key bound twice in one class (c: next page / all shown) is one row
        for b in source.__dict__["BINDINGS"]:
            if not isinstance(b, Binding) or b.system or not b.description or b.key in keys_listed:
                continue
            keys_listed.add(b.key)
            keys = ", ".join(app.get_key_display(Binding(k.strip(), b.action)) for k in b.key.split(","))
            if b.key_display:
                keys = b.key_display if "," not in b.key else keys
            row = (keys, b.description, b.tooltip)
            if (b.id or row) not in seen:
                seen.add(b.id or row)
                rows.append(row)
    return rows


class HelpScreen(ScrollModal):
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "app.pop_screen", "Close help", id="help.close",
                tooltip="Close this help screen"),
    ]

    def __init__(self, sources, intro: str = ""):
        super().__init__()
        self.sources = sources
        self.intro = intro

    def body(self) -> Iterable[Widget]:
        table = Table(show_header=True, header_style="bold", box=None, expand=True, pad_edge=False)
        table.add_column("key", no_wrap=True, style="bold")
        table.add_column("does", no_wrap=True)
        table.add_column("details", ratio=1)
        self.rows = binding_rows(self.app, self.sources)
        for keys, description, tooltip in self.rows:
            table.add_row(keys, description, Text(tooltip, style="dim"))
        top = self.heading("hebblab keys", "esc, q, f1 or ?")
        if self.intro:
            top.append(self.intro + "\n")
        top.append(f"\nParameters: {LIVE_MARK} applies live on the next frame, {RESET_MARK} applies on "
                   "reset (r); a yellow * marks a value waiting for reset. Type digits or press enter "
                   "to type a value (esc cancels); an invalid value shows an error and keeps the old one.\n")
        yield Static(top)
        yield Static(table)
