"""A line of text the screen asks to show at every view, redrawn only when it changed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TextLine(Static):
    """Status, readouts, notes and help are asked at every view and after every key, and
    mostly show what they showed: an unchanged text costs no redraw (a key's screen update
    stays small)."""

    _shown: Text | None = None

    def show_text(self, text: Text, layout: bool = False) -> None:
        """Show `text`; `layout`: its height changed (relayout, and redraw whatever the text)."""
        if layout or text != self._shown:
            self._shown = text
            self.update(text, layout=layout)
