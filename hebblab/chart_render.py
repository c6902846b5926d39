"""The one chart renderer: a Figure (hebblab/chart_figures.py) becomes rows of styled text.

Both front ends draw with it: the TUI's chart widget turns the rows into Textual strips,
the CLI's `--plot` into plain or ANSI-coloured text. Lines and points are braille (2x4 dots
per cell), bars eighth blocks, heat-maps coloured cells, all rasterised on numpy arrays:
at 120x40 a line chart costs about a sixth of plotext's time (benchmarks/charts.py; README).
Layout: title (y label at its left when it fits), y ticks with "┤", a framed plot area,
x ticks with "┬" and their labels, a legend inside the top-left corner.

Without colour (`color=False`: a pipe, NO_COLOR) every labelled series after the first is
drawn with its own glyph (•, +, ×, ...) and shown with it in the legend, reference lines
keep their dash patterns, and a heat-map uses shade characters. Pure numpy: no textual/rich.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from hebblab.chart_figures import Figure, Heat, describe
from hebblab.format import fmt_value
from hebblab.reduce import finite_pairs, finite_values
from hebblab.sim.series import Series

# Braille dot bits, indexed [sub-row 0..3][sub-column 0..1].
_DOTS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
_BRAILLE = np.array([" "] + [chr(0x2800 + i) for i in range(1, 256)], dtype=object)
_EIGHTHS = " ▁▂▃▄▅▆▇█"
HLINE_SAMPLE = {"dashed": "╌", "dotted": "┈"}  # legend samples of the reference-line patterns
MONO_GLYPHS = ("•", "+", "×", "∘", "*", "#")  # series 2, 3, ... when there is no colour
SHADES = "·░▒▓█"  # heat-map levels without colour, low to high
LEVELS = 32  # heat-map colour levels


class Ink(NamedTuple):
    """How a run of text looks. fg/bg: None (the surface's own), a palette index (series
    colours: the front end picks them, e.g. from the theme) or a fixed '#rrggbb'."""

    fg: int | str | None = None
    bg: int | str | None = None
    bold: bool = False
    dim: bool = False


PLAIN, TITLE, AXIS, ERROR = Ink(), Ink(bold=True), Ink(dim=True), Ink(fg="red")
Row = list[tuple[str, Ink]]  # runs of text, exactly `width` cells in all


@dataclass
class Picture:
    rows: list[Row]
    empty: bool  # the figure had no data (the CLI says so instead of drawing empty axes)
    title: str = ""  # with its note, if any


def render_series(s: Series | None, width: int, height: int, color: bool = True, notes: bool = True,
                  title: str = "") -> Picture:
    """A series as a chart of width x height cells; never raises on bad data.

    notes: say after the title what was left out (non-finite points): a report wants it;
    a live view, where labs leave NaN for "not yet", does not. title: shown without a series.
    """
    if s is None:
        return Picture([title_row(title, width)], True, title)
    try:
        fig = describe(s, max(4, width - 9), max(2, height - 3))
        if not notes:
            fig.note = ""
        return Picture(draw(fig, width, height, color), fig.empty, full_title(fig))
    except Exception as err:  # a malformed series must never take a live view down
        message = f"cannot draw {s.spec.name}: {type(err).__name__}: {err}"
        return Picture([title_row(s.spec.title, width), [(message[:width].ljust(width), ERROR)]], False, s.spec.title)


def draw(fig: Figure, width: int, height: int, color: bool = True) -> list[Row]:
    """The figure's rows (at most `height`), each exactly `width` cells."""
    title = full_title(fig)
    if fig.heat is not None:
        rows = _heat(fig, title, width, height, color)
    elif width < 12 or height < 5:
        rows = [title_row(title, width, fig.ylabel)]
    else:
        rows = [title_row(title, width, fig.ylabel)] + _plot(fig, width, height - 1, color)
    return [_fit(row, width) for row in rows]


def _fit(row: Row, width: int) -> Row:
    """The row cut or padded to exactly `width` cells (tiny sizes squeeze legends and labels)."""
    out, used = [], 0
    for text, ink in row:
        if used + len(text) > width:
            text = text[: width - used]
        if text:
            out.append((text, ink))
            used += len(text)
        if used >= width:
            break
    if used < width:
        out.append((" " * (width - used), PLAIN))
    return out


def full_title(fig: Figure) -> str:
    return f"{fig.title} {fig.note}" if fig.note else fig.title


def title_row(title: str, width: int, ylabel: str = "") -> Row:
    if len(title) > width:
        title = title[: max(1, width - 1)] + "…"
    text = title.center(width)[:width]
    start = (width - len(title)) // 2
    if ylabel and len(ylabel) + 2 <= start:  # the y axis' name, top left, when it fits
        return [(ylabel, AXIS), (text[len(ylabel):start], PLAIN), (text[start:], TITLE)]
    return [(text, TITLE)]


# -- ticks ------------------------------------------------------------------------------------
def nice_ticks(lo: float, hi: float, max_ticks: int) -> list[float]:
    """Round tick values (1-2-5 steps) inside [lo, hi], at most max_ticks of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_ticks < 1:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(max_ticks - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), 10 * mag)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    t = first
    while t <= hi + step * 1e-9 and len(ticks) < 100:
        ticks.append(0.0 if abs(t) < step * 1e-9 else t)
        t = first + len(ticks) * step
    return ticks


def tick_label(v: float) -> str:
    text = f"{v:.4g}"
    return text.replace("e+0", "e").replace("e-0", "e-")


# -- x/y plots --------------------------------------------------------------------------------
def _limits(fig: Figure) -> tuple[float, float, float, float]:
    xs = [l.x for l in fig.layers if len(l.x)] + [np.array([m[0] for m in fig.markers])]
    ys = [l.y for l in fig.layers if len(l.y)] + [np.array([m[1] for m in fig.markers]),
                                                  np.array([h[0] for h in fig.hlines])]
    x_all = finite_values(np.concatenate(xs)) if xs else np.array([])
    y_all = finite_values(np.concatenate(ys)) if ys else np.array([])
    x0, x1 = fig.x_range if fig.x_range else ((float(x_all.min()), float(x_all.max())) if len(x_all) else (0.0, 1.0))
    y0, y1 = fig.y_range if fig.y_range else ((float(y_all.min()), float(y_all.max())) if len(y_all) else (0.0, 1.0))
    if any(l.mode == "bars" for l in fig.layers):
        y0 = min(y0, 0.0)
        half = max((l.width for l in fig.layers if l.mode == "bars"), default=0) / 2
        if not fig.x_range:
            x0, x1 = x0 - half, x1 + half
    if not (math.isfinite(x0) and math.isfinite(x1)):
        x0, x1 = 0.0, 1.0
    if not (math.isfinite(y0) and math.isfinite(y1)):
        y0, y1 = 0.0, 1.0
    if x1 <= x0:
        x0, x1 = x0 - 0.5, x0 + 0.5
    if y1 <= y0:
        pad = abs(y0) * 0.05 or 0.5
        y0, y1 = y0 - pad, y1 + pad
    elif not fig.y_range:
        pad = (y1 - y0) * 0.04  # keep extremes off the frame
        y0, y1 = y0 - (pad if y0 != 0 else 0), y1 + pad
    return x0, x1, y0, y1


def _mono_glyphs(fig: Figure, color: bool) -> dict[int, str]:
    """Without colour: a glyph for each labelled layer after the first (by layer position)."""
    if color:
        return {}
    labelled = [i for i, l in enumerate(fig.layers) if l.label]
    return {i: MONO_GLYPHS[k % len(MONO_GLYPHS)] for k, i in enumerate(labelled[1:])}


def _plot(fig: Figure, width: int, height: int, color: bool) -> list[Row]:
    x0, x1, y0, y1 = _limits(fig)
    rows = height - 2  # plot rows (minus x-axis line and x labels)
    if rows < 1:
        return []
    y_ticks = fig.y_ticks or [(t, tick_label(t)) for t in nice_ticks(y0, y1, max(2, min(6, rows // 2 + 1)))]
    y_ticks = [(v, t) for v, t in y_ticks if y0 <= v <= y1]
    label_w = max((len(t) for _, t in y_ticks), default=1)
    cols = width - label_w - 2  # "┤" and the right frame
    if cols < 4:
        return []
    m = PlotMap(x0, x1, y0, y1, cols, rows)
    codes = np.zeros((rows, cols), dtype=np.uint8)  # braille bits
    colour = np.full((rows, cols), -1, dtype=np.int16)
    chars = np.full((rows, cols), "", dtype=object)  # cell characters (bars, markers, cells)
    char_colour = np.full((rows, cols), -1, dtype=np.int16)
    glyphs = _mono_glyphs(fig, color)

    def dots(px: np.ndarray, py: np.ndarray, c: int, glyph: str | None) -> None:
        """Set braille dots (or, for a glyph series, whole cells) at sub-cell coordinates."""
        if len(px) == 0:
            return
        r, cc = py // 4, px // 2
        if glyph is not None:
            chars[r, cc] = glyph
            char_colour[r, cc] = c
            return
        np.bitwise_or.at(codes, (r, cc), _DOTS[py % 4, px % 2])
        colour[r, cc] = c

    for i, layer in sorted(enumerate(fig.layers), key=lambda il: il[1].z):
        x, y = finite_pairs(layer.x, layer.y)
        if len(x) == 0:
            continue
        glyph = glyphs.get(i)
        if layer.mode == "line" and len(x) > 1:
            dots(*m.line_dots(x, y), layer.color, glyph)
        elif layer.mode in ("line", "points"):
            dots(*m.point_dots(x, y), layer.color, glyph)
        elif layer.mode == "cells":
            inside = m.inside(x, y)
            cy, cx = m.row(y[inside]), m.col(x[inside])
            chars[cy, cx] = glyph or layer.char
            char_colour[cy, cx] = layer.color
        elif layer.mode == "bars":
            _bars(x, y, layer, m, chars, char_colour)
    cells = np.arange(cols)
    for level, c, _label, pattern in fig.hlines:
        if y0 <= level <= y1:
            py = int(m.sub_y(np.array([level]))[0])
            r = py // 4
            # Reference lines are broken (dashed: two cells on, one off; dotted: one dot
            # every other cell) so the data stay readable and each line has its own look.
            if pattern == "dashed":
                on, bits = cells % 3 != 2, _DOTS[py % 4, 0] | _DOTS[py % 4, 1]
            else:
                on, bits = cells % 2 == 0, _DOTS[py % 4, 0]
            codes[r, on] |= bits
            colour[r, on & (colour[r] < 0)] = c
    for mx, my, ch, c, _label in fig.markers:
        if m.inside(np.array([mx]), np.array([my]))[0]:
            cx, cy = int(m.col(np.array([mx]))[0]), int(m.row(np.array([my]))[0])
            chars[cy, cx] = ch
            char_colour[cy, cx] = c
    _legend(fig, glyphs, chars, char_colour, cols)
    tick_rows = dict(zip(m.row(np.array([v for v, _ in y_ticks], dtype=float)).tolist(),
                         [t for _, t in y_ticks]))
    out = []
    for r in range(rows):
        runs = [(tick_rows.get(r, "").rjust(label_w) + ("┤" if r in tick_rows else "│"), AXIS)]
        runs += _row_runs(codes[r], colour[r], chars[r], char_colour[r])
        runs.append(("│", AXIS))
        out.append(runs)
    return out + _x_axis(fig, m, label_w, width)


def _bars(x, y, layer, m: "PlotMap", chars, char_colour) -> None:
    rows, cols = m.rows, m.cols
    lefts = np.rint(m.fx(x - layer.width / 2)).astype(np.int64)
    rights = np.maximum(lefts + 1, np.rint(m.fx(x + layer.width / 2)).astype(np.int64))
    base = float(m.fy(np.array([max(m.y0, 0.0)]))[0])  # rows from the top to the baseline
    tops = m.fy(np.clip(y, m.y0, m.y1))
    for left, right, top in zip(lefts.tolist(), rights.tolist(), tops.tolist()):
        left, right = max(0, left), min(cols, right)
        if left >= right:
            continue
        lo_row, hi_row = min(top, base), max(top, base)
        for r in range(int(lo_row), min(rows, int(math.ceil(hi_row)))):
            fill = min(r + 1, hi_row) - max(r, lo_row)  # fraction of this cell covered
            if fill <= 0:
                continue
            ch = "█" if fill >= 0.999 else _EIGHTHS[max(1, int(round(fill * 8)))]
            chars[r, left:right] = ch
            char_colour[r, left:right] = layer.color


def _sample(layer, glyph: str | None) -> str:
    if glyph:
        return glyph
    return {"cells": layer.char, "points": "•"}.get(layer.mode, "━")


def _legend(fig: Figure, glyphs: dict[int, str], chars, char_colour, cols: int) -> None:
    """Top-left legend: a sample of each labelled line, reference line and marker."""
    entries = [(_sample(l, glyphs.get(i)), l.label, l.color) for i, l in enumerate(fig.layers) if l.label]
    entries += [(HLINE_SAMPLE.get(pattern, "┈"), label, c) for _, c, label, pattern in fig.hlines if label]
    entries += [(m[2], m[4], m[3]) for m in fig.markers if m[4]]
    rows = chars.shape[0]
    one_row = sum(len(label) + 4 for _, label, _ in entries) + 1 <= cols
    # Stacked entries would cover over a third of a short plot: put them on one row.
    if len(entries) > 1 and len(entries) > rows // 3 and one_row:
        places = []
        start = 1
        for entry in entries:
            places.append((0, start, entry))
            start += len(entry[1]) + 4
    else:
        places = [(row, 1, entry) for row, entry in enumerate(entries[: rows - 1])]
    for row, start, (sample, label, c) in places:
        text = (sample + " " + label)[: max(0, cols - start - 1)]
        for k, ch in enumerate(text):
            chars[row, start + k] = ch
            char_colour[row, start + k] = c if k == 0 else -2  # -2: plain text


def _row_runs(codes, colour, chars, char_colour) -> Row:
    """One row of cells to runs: vectorised, then one run per stretch of one colour."""
    has_char = chars != ""
    text = np.where(has_char, chars, _BRAILLE[codes])
    style_id = np.where(has_char, char_colour, np.where(codes > 0, colour, -1))
    cuts = np.flatnonzero(np.diff(style_id)) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [len(style_id)]))
    runs = []
    for a, b in zip(starts.tolist(), ends.tolist()):
        c = int(style_id[a])
        runs.append(("".join(text[a:b].tolist()), _SERIES_INK[c] if 0 <= c < len(_SERIES_INK) else
                     (Ink(fg=c) if c >= 0 else PLAIN)))
    return runs


_SERIES_INK = [Ink(fg=i) for i in range(16)]


def _x_axis(fig: Figure, m: "PlotMap", label_w: int, width: int) -> list[Row]:
    x0, x1, cols = m.x0, m.x1, m.cols
    ticks = fig.x_ticks or [(t, tick_label(t)) for t in nice_ticks(x0, x1, max(2, min(6, cols // 10)))]
    line = ["─"] * cols
    labels = [" "] * (cols + label_w + 2)
    last_end = -1
    for v, text in ticks:
        if not x0 <= v <= x1:
            continue
        c = int(m.col(np.array([v], dtype=float))[0])  # the cell a data point at v lands in
        line[c] = "┬"
        start = label_w + 1 + c - len(text) // 2
        start = max(0, min(start, len(labels) - len(text)))
        if start > last_end:
            labels[start:start + len(text)] = list(text)
            last_end = start + len(text)
    label_line = "".join(labels)
    if fig.xlabel and len(label_line.rstrip()) + len(fig.xlabel) + 2 <= width:
        label_line = label_line.rstrip().ljust(width - len(fig.xlabel)) + fig.xlabel
    return [[(" " * label_w + "└" + "".join(line) + "┘", AXIS)],
            [(label_line[:width].ljust(width), AXIS)]]


@dataclass(frozen=True)
class PlotMap:
    """The one data -> screen mapping of a plot area: data, ticks, markers and bars all use it.

    `fx`/`fy` give continuous cell coordinates (x0 -> 0, x1 -> cols; y1 -> 0 at the top,
    y0 -> rows); a braille sub-cell is 1/2 cell wide and 1/4 cell tall. A value lands in
    the cell (or sub-cell) containing its coordinate; the far edge belongs to the last one.
    Anything outside [x0, x1] x [y0, y1] is clipped, never drawn on the frame or beyond it.
    """

    x0: float
    x1: float
    y0: float
    y1: float
    cols: int
    rows: int

    def fx(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=float) - self.x0) * (self.cols / (self.x1 - self.x0))

    def fy(self, y: np.ndarray) -> np.ndarray:
        return (self.y1 - np.asarray(y, dtype=float)) * (self.rows / (self.y1 - self.y0))

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        tol_x, tol_y = (self.x1 - self.x0) * 1e-9, (self.y1 - self.y0) * 1e-9
        return ((x >= self.x0 - tol_x) & (x <= self.x1 + tol_x)
                & (y >= self.y0 - tol_y) & (y <= self.y1 + tol_y))

    def col(self, x: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(self.fx(x)), 0, self.cols - 1).astype(np.int64)

    def row(self, y: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(self.fy(y)), 0, self.rows - 1).astype(np.int64)

    def sub_x(self, x: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(self.fx(x) * 2), 0, 2 * self.cols - 1).astype(np.int64)

    def sub_y(self, y: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(self.fy(y) * 4), 0, 4 * self.rows - 1).astype(np.int64)

    def point_dots(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sub-cell coordinates of the points inside the plot area (one dot each)."""
        ok = self.inside(x, y)
        return self.sub_x(x[ok]), self.sub_y(y[ok])

    def line_dots(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sub-cell coordinates of the polyline through the points, clipped to the plot area."""
        return line_dots(self.fx(x) * 2, self.fy(y) * 4, 2 * self.cols, 4 * self.rows)


def line_dots(px: np.ndarray, py: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer dots of the polyline through (px, py), in sub-cell units, inside [0, w] x [0, h].

    Vectorised: every segment is first clipped to the box (Liang-Barsky), then sampled at
    max(|dx|, |dy|) + 1 evenly spaced points, so successive dots differ by at most one
    sub-cell in each direction: ramps are unbroken and a spike's vertical run is solid.
    """
    x0, y0, dx, dy = px[:-1], py[:-1], np.diff(px), np.diff(py)
    t_in, t_out = np.zeros(len(dx)), np.ones(len(dx))
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, d, hi in ((x0, dx, w), (y0, dy, h)):
            ta, tb = -p / d, (hi - p) / d
            inside = (p >= 0) & (p <= hi)  # a segment parallel to this axis: all in or all out
            t_in = np.maximum(t_in, np.where(d != 0, np.minimum(ta, tb), np.where(inside, -np.inf, np.inf)))
            t_out = np.minimum(t_out, np.where(d != 0, np.maximum(ta, tb), np.where(inside, np.inf, -np.inf)))
    keep = np.flatnonzero(t_in <= t_out)
    if len(keep) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    x0, y0, dx, dy, t_in, t_out = x0[keep], y0[keep], dx[keep], dy[keep], t_in[keep], t_out[keep]
    span = np.maximum(np.abs(dx), np.abs(dy)) * (t_out - t_in)  # at most max(w, h) once clipped
    n = np.ceil(np.minimum(span, w + h)).astype(np.int64) + 1  # points per segment, both ends
    seg = np.repeat(np.arange(len(n)), n)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
    t = t_in[seg] + (t_out - t_in)[seg] * (k / np.maximum(n - 1, 1)[seg])
    # (+1e-6: a sample computed as 6.9999999 belongs to sub-cell 7, else the line skips one)
    ix = np.clip(np.floor(x0[seg] + dx[seg] * t + 1e-6), 0, w - 1).astype(np.int64)
    iy = np.clip(np.floor(y0[seg] + dy[seg] * t + 1e-6), 0, h - 1).astype(np.int64)
    return ix, iy


# -- heat-maps --------------------------------------------------------------------------------
_VIRIDIS = [(68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
            (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37)]
_DIVERGING = [(59, 76, 192), (98, 130, 234), (141, 176, 254), (184, 208, 249), (221, 221, 221),
              (245, 196, 173), (244, 154, 123), (222, 96, 77), (180, 4, 38)]


def _ramp(anchors: list[tuple[int, int, int]], n: int) -> list[str]:
    a = np.array(anchors, dtype=float)
    pos = np.linspace(0, len(a) - 1, n)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(a) - 1)
    f = (pos - lo)[:, None]
    rgb = (a[lo] * (1 - f) + a[hi] * f).round().astype(int)
    return ["#%02x%02x%02x" % tuple(c) for c in rgb]


RAMPS = {"sequential": _ramp(_VIRIDIS, LEVELS), "diverging": _ramp(_DIVERGING, LEVELS)}


def colour_levels(y: np.ndarray, vmin: float | None, vmax: float | None) -> tuple[np.ndarray, float, float, str]:
    """Map values to 0..LEVELS-1 (-1 for non-finite); returns levels, lo, hi, ramp name.
    A range spanning 0 uses the diverging map, so sign (excitatory vs inhibitory) shows."""
    y = np.asarray(y, dtype=float)
    finite = y[np.isfinite(y)]
    lo = float(vmin) if vmin is not None and np.isfinite(vmin) else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None and np.isfinite(vmax) else (float(finite.max()) if finite.size else 1.0)
    ramp = "sequential"
    if lo < 0 < hi and vmin is None and vmax is None:
        hi = max(-lo, hi)
        lo = -hi
    if lo < 0 < hi:
        ramp = "diverging"
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0) * 1e-6 + 1e-12
    with np.errstate(invalid="ignore"):
        levels = np.floor((y - lo) / (hi - lo) * LEVELS)
    levels = np.clip(np.nan_to_num(levels, nan=-1, posinf=LEVELS - 1, neginf=0), -1, LEVELS - 1).astype(int)
    levels[~np.isfinite(y)] = -1
    return levels, lo, hi, ramp


def _resample(n_src: int, n_dst: int) -> np.ndarray:
    """Index of the source row/column shown at each destination position (nearest)."""
    return np.minimum((np.arange(n_dst) * n_src / max(n_dst, 1)).astype(int), n_src - 1)


def _shade(level: int) -> str:
    return " " if level < 0 else SHADES[level * len(SHADES) // LEVELS]


def _text_row(text: str, width: int, ink: Ink = PLAIN) -> Row:
    return [(text[:width].ljust(width), ink)]


def _heat(fig: Figure, title: str, width: int, height: int, color: bool) -> list[Row]:
    """Few rows (a 2x2 network's four synapses) get bands of whole cells with row labels
    and, in colour, the values in them; many rows use half blocks (two rows per cell).
    Without colour, cells are shade characters between "|" and small matrices list
    their values below. NaN shows blank."""
    heat: Heat = fig.heat
    lines = [title_row(title, width)]
    if height < 3 or width < 4:
        return lines
    y = np.atleast_2d(np.asarray(heat.values, dtype=float))
    if y.size == 0:
        return lines
    levels, lo, hi, ramp = colour_levels(y, heat.vmin, heat.vmax)
    n_rows, n_cols = levels.shape
    frame = 0 if color else 2  # "|" either side of the cells
    left, right = f"{lo:.3g} ", f" {hi:.3g}"
    bar_w = max(0, min(12, width - len(left) - len(right)))
    axis_text = ""
    if heat.x is not None and len(heat.x):
        axis_text = f"  {fig.xlabel or 'x'}: {heat.x.min():.4g}..{heat.x.max():.4g}"
    elif fig.xlabel:
        axis_text = f"  {fig.xlabel}"
    labels = heat.row_labels
    label_w = min(max((len(t) for t in labels), default=0) + 1, width // 4) if labels else 0
    # A small matrix gets its columns named under it ("post cell 0", or just "0" when
    # narrow) if a spare row allows; the full names make the axis label redundant.
    heads = _column_heads(n_cols, width - label_w - frame, fig.xlabel)
    if heads is not None and height - 3 < n_rows:
        heads = None
    if heads is not None and heads[0].startswith(fig.xlabel or "\0"):
        axis_text = ""
    # The axis label ("post cell") shares the legend line when it fits, else gets its own line.
    legend_w = len(left) + bar_w + len(right)
    own_axis_line = bool(axis_text) and legend_w + len(axis_text) > width and height >= 5
    area_h = height - 2 - own_axis_line - (heads is not None)
    if n_rows > area_h:
        labels, label_w, heads = [], 0, None
        area_h = height - 2 - own_axis_line
    area_w = width - label_w - frame
    cols = _resample(n_cols, area_w)
    if n_rows <= area_h:
        band = area_h // n_rows
        # Few wide cells: print each value in its cell (the 2x2 chapter network).
        show_values = color and n_cols * 7 <= area_w and band >= 1
        for r in range(n_rows):
            row = levels[r, cols]
            for k in range(band):
                label = labels[r] if labels and k == band // 2 else ""
                values = y[r] if show_values and k == band // 2 else None
                lines.append(_cells(label, label_w, row, row, ramp, True, color, values, cols))
    else:
        src = _resample(n_rows, area_h * 2)
        for r in range(area_h):
            lines.append(_cells("", 0, levels[src[2 * r], cols], levels[src[2 * r + 1], cols], ramp, False, color))
    if heads is not None:
        lines.append(_heads_row(heads, cols, label_w + frame // 2, width))
    if own_axis_line:
        text = axis_text.strip()
        pad = label_w + max(0, (area_w - len(text)) // 2)
        lines.append(_text_row(" " * pad + text, width, AXIS))
        axis_text = ""
    lines.append(_heat_legend(width, ramp, (left, bar_w, right), axis_text, color))
    while len(lines) < height:  # rows the bands left over: below, so labels hug the map
        lines.append(_text_row("", width))
    lines = lines[:height]
    if not color and n_rows <= 8 and n_cols <= 8:  # shades alone are coarse: the numbers, below
        lines += [_text_row("values:", width)]
        lines += [_text_row("  " + "  ".join(fmt_value(v, 4).rjust(9) for v in row), width) for row in y]
    return lines


def _column_heads(n_cols: int, area_w: int, xlabel: str) -> list[str] | None:
    """Names for a few columns, fitting their blocks (None when they would not)."""
    if n_cols > 12 or n_cols == 0:
        return None
    block = area_w // n_cols
    long = [f"{xlabel} {j}" for j in range(n_cols)] if xlabel else None
    if long and max(map(len, long)) + 2 <= block:  # a gap of two between names
        return long
    short = [str(j) for j in range(n_cols)]
    return short if max(map(len, short)) + 1 <= block else None


def _heads_row(heads: list[str], cols: np.ndarray, offset: int, width: int) -> Row:
    text = [" "] * width
    for j, head in enumerate(heads):
        where = np.flatnonzero(cols == j)
        if len(where) == 0:
            continue
        start = offset + int(where[0]) + max(0, (len(where) - len(head)) // 2)
        text[start:start + len(head)] = list(head)
    return _text_row("".join(text)[:width], width, AXIS)


def _cells(label: str, label_w: int, top: np.ndarray, bottom: np.ndarray, ramp: str, full: bool, color: bool,
           values: np.ndarray | None = None, cols: np.ndarray | None = None) -> Row:
    runs: Row = []
    if label_w:
        runs.append((label[: label_w - 1].rjust(label_w - 1) + (" |" if not color else " "), PLAIN))
    elif not color:
        runs.append(("|", PLAIN))
    if values is not None and cols is not None:
        return runs + _value_cells(top, values, cols, ramp)
    colours = RAMPS[ramp]
    # Run-length encode equal neighbours: fewer runs, faster compositing.
    i, n = 0, len(top)
    while i < n:
        j = i + 1
        while j < n and top[j] == top[i] and bottom[j] == bottom[i]:
            j += 1
        t, b = int(top[i]), int(bottom[i])
        if not color:
            level = t if b < 0 else (b if t < 0 else (t + b) // 2)
            runs.append((_shade(level) * (j - i), PLAIN))
        elif full or (t < 0 and b < 0):
            runs.append((" " * (j - i), Ink(bg=colours[t]) if t >= 0 else PLAIN))
        elif t < 0 or b < 0:  # one half NaN: that half is the surface (blank), not a colour
            runs.append(("▄" * (j - i), Ink(fg=colours[b])) if t < 0 else ("▀" * (j - i), Ink(fg=colours[t])))
        else:
            runs.append(("▀" * (j - i), Ink(fg=colours[t], bg=colours[b])))
        i = j
    if not color:
        runs.append(("|", PLAIN))
    return runs


def _value_cells(levels: np.ndarray, values: np.ndarray, cols: np.ndarray, ramp: str) -> Row:
    """One run per matrix column block, its value centred, text in black or white."""
    out = []
    i, n = 0, len(cols)
    while i < n:
        j = i + 1
        while j < n and cols[j] == cols[i]:
            j += 1
        level = int(levels[i])
        text = fmt_value(float(values[cols[i]]), 3)
        ink = "#000000" if level >= LEVELS * 0.55 or (ramp == "diverging" and LEVELS * 0.3 < level < LEVELS * 0.7) else "#ffffff"
        bg = RAMPS[ramp][level] if level >= 0 else None
        out.append((text[: j - i].center(j - i), Ink(fg=ink, bg=bg)))
        i = j
    return out


def _heat_legend(width: int, ramp: str, bar: tuple[str, int, str], extra: str, color: bool) -> Row:
    left, bar_w, right = bar
    runs: Row = [(left, PLAIN)]
    for k in range(bar_w):
        level = int(k * (LEVELS - 1) / max(bar_w - 1, 1))
        runs.append((_shade(level), PLAIN) if not color else (" ", Ink(bg=RAMPS[ramp][level])))
    runs.append((right, PLAIN))
    used = len(left) + bar_w + len(right)
    runs.append((extra[: max(0, width - used)].ljust(max(0, width - used)), PLAIN))
    return runs
