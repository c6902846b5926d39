"""A line of text the screen asks to show at every view, redrawn only when it changed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TextLine(Static):
    """Status, readouts, notes and help are asked at every view and after every key, and
    mostly show what they showed: an unchanged text costs no redraw (a key's screen update
    stays small)."""

    _shown: Text | None = None
    _readouts: tuple = ()  # what readouts_changed saw last

    def readouts_changed(self, runners) -> bool:
        """For a line of readouts: whether the runners' readouts or this line's size changed
        since the last call. A view brings a new readouts dict; the redraws between views
        (after a key, the lab thread's answer to `n`) need not pack the same ones again
        (about 1 ms for a comparison's)."""
        seen = (self.content_size, *((r.shown.readouts, r.shown.readouts_error, r.name) for r in runners))
        last = self._readouts
        same = (len(seen) == len(last) and seen[0] == last[0]
                and all(a is c and b == d and n == m for (a, b, n), (c, d, m) in zip(seen[1:], last[1:])))
        self._readouts = seen
        return not same

    def show_text(self, text: Text, layout: bool = False) -> None:
        """Show `text`; `layout`: its height changed (relayout, and redraw whatever the text)."""
        if layout or text != self._shown:
            self._shown = text
            self.update(text, layout=layout)
