"""Send only the changed part of a line (a fix to Textual 8.2.8's partial screen updates).

Textual computes which spans of each line changed, but its ChopsUpdate.render_segments
("TODO: crop to x extents") writes every span from the left edge of the widget it falls
in: a chart whose trace moved in three places resent the line up to each place, three
times. Here a span is written from its own first cell. A line holding characters wider
than one cell is written as Textual does (cutting one in half would draw a blank).
"""

from __future__ import annotations

from rich.control import Control
from textual._compositor import ChopsUpdate


def render_segments(self: ChopsUpdate, console) -> str:
    sequences: list[str] = []
    append = sequences.append
    move_to = Control.move_to
    chops, chop_ends = self.chops, self.chop_ends
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        line, ends = chops[y], chop_ends[y]
        for end, (x, strip) in zip(ends, line.items()):
            if strip is None or x > x2 or end <= x1:
                continue
            right = min(end, x2) - x
            left = max(0, x1 - x)
            if left and strip.cell_length != len(strip.text):  # wide characters: Textual's way
                left = 0
            append(move_to(x + left, y).segment.text)
            append(strip.crop(left, right).render(console) if (left or right < strip.cell_length)
                   else strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def install() -> None:
    """Use the cropping version (idempotent)."""
    ChopsUpdate.render_segments = render_segments

