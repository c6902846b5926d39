"""A line of text the screen asks to show at every view, redrawn only when it changed."""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
from textual.widgets import Static


class TextLine(Static):
    """Status, readouts, notes and help are asked at every view and after every key, and
    mostly show what they showed: an unchanged text costs no redraw (a key's screen update
    stays small).

    A text laid out by its maker (no_wrap: the status, readouts and notes) is drawn by rich
    straight into strips, kept until the text, size or style changes: Textual's own path
    (rich text to Content, then wrapped and styled) took 2.7 ms for a comparison's three
    lines of readouts, about a tenth of a comparison frame's drawing; rich takes 0.9 ms.
    A text to wrap (the parameter help) keeps Textual's path.
    """

    _shown: Text | None = None
    _laid_out: Text | None = None  # what update() got, when rich draws it
    _strips: list[Strip] = []
    _strips_key: tuple | None = None
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

    def update(self, content="", *, layout: bool = True) -> None:
        self._laid_out = content if isinstance(content, Text) and content.no_wrap else None
        self._strips_key = None
        super().update(content, layout=layout)

    def render_line(self, y: int) -> Strip:
        text = self._laid_out
        if text is None:
            return super().render_line(y)
        width, height = self.content_size
        style = self.rich_style
        key = (width, height, style)
        if key != self._strips_key:
            console = self.app.console
            options = console.options.update(width=width, no_wrap=True, overflow=text.overflow)
            # Unpadded: the widget pads each line with its background alone, as Textual's path
            # does. Offsets: the mouse can select the text (Textual finds a cell's place by them).
            lines = console.render_lines(text, options, style=style, pad=False)
            self._strips = [Strip(line).apply_offsets(0, y) for y, line in enumerate(lines)]
            self._strips_key = key
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, style)
