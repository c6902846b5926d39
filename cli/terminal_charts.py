"""Static terminal charts of a lab's series, for `hebblab run --plot` and `hebblab sweep`.

The same renderer as the live lab (hebblab/chart_render.py), written out as text: ANSI
colours on a terminal, plain text when piped or with NO_COLOR (each series then has its own
glyph in the legend, heat-maps use shade characters). Data is reduced to what the terminal
can show, so drawing cost does not grow with run length.

Imported only when charts are drawn: `hebblab run --json` never loads the renderer.
"""

from __future__ import annotations

from typing import Iterable

from hebblab.chart_render import SHADES, Ink, Row, render_series
from hebblab.sim.series import Series

__all__ = ["SHADES", "render", "render_all", "use_color"]

_ANSI_PALETTE = ("94", "91", "92", "95", "96", "93")  # bright blue, red, green, magenta, cyan, yellow
_NAMED = {"red": "31"}


def use_color(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    return bool(stream.isatty()) and not os.environ.get("NO_COLOR")


def render_all(series: Iterable[Series], width: int = 100, height: int = 16, color: bool = False) -> str:
    return "\n\n".join(render(s, width, height, color) for s in series)


def render(s: Series, width: int = 100, height: int = 16, color: bool = False) -> str:
    """One series as a chart of about width x height characters."""
    width = max(30, int(width))
    height = max(8, int(height))
    picture = render_series(s, width, height, color)
    if picture.empty:
        return f"{picture.title}\n  (no data to draw)"  # a finished run: "yet" would promise more
    lines = [_line(row, color) for row in picture.rows]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _line(row: Row, color: bool) -> str:
    if not color:
        return "".join(text for text, _ in row).rstrip()
    row = list(row)
    while row and row[-1][1].bg is None:  # trailing blanks show nothing: drop them
        text, ink = row.pop()
        if text.rstrip():
            row.append((text.rstrip(), ink))
            break
    out = []
    for text, ink in row:
        codes = _sgr(ink)
        out.append(f"\x1b[{codes}m{text}\x1b[0m" if codes else text)
    return "".join(out)


def _sgr(ink: Ink) -> str:
    codes = []
    if ink.bold:
        codes.append("1")
    if ink.dim:
        codes.append("2")
    for value, base in ((ink.fg, 30), (ink.bg, 40)):
        if value is None:
            continue
        if isinstance(value, int):
            colour = int(_ANSI_PALETTE[value % len(_ANSI_PALETTE)])
            codes.append(str(colour + (base - 30)))
        elif value.startswith("#"):
            r, g, b = (int(value[i:i + 2], 16) for i in (1, 3, 5))
            codes.append(f"{base + 8};2;{r};{g};{b}")
        else:
            codes.append(str(int(_NAMED.get(value, "39")) + (base - 30)))
    return ";".join(codes)
