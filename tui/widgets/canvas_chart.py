"""Fast own charts: braille lines/points and block bars on a numpy cell grid.

Measured on the 2-core lab machine (benchmarks/tui.py), a plotext chart costs ~15-20 ms
per redraw at 120x40 (figure rebuild + ANSI text + re-parsing it), so three charts miss
the 33 ms frame budget. These charts rasterise straight into numpy arrays (2x4 braille
dots per cell, bars in eighth blocks) and emit Textual Strips with cached styles:
about 1-2 ms per chart. Layout mirrors plotext's: title, y ticks with "┤", a framed plot
area, x ticks with "┬" and their labels, a small legend inside the top-left corner.

Every array is sanitised (finite values only) before it is scaled, and the data are
already reduced to about two points per column (hebblab.tui.widgets.chart_data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from hebblab.sim.series import Series, SeriesSpec
from hebblab.tui.widgets.chart_data import envelope, finite_values, finite_xy, raster_cells, same_data

_THEME_KEYS = ("primary", "accent", "warning", "success", "secondary", "error")
# Braille dot bits, indexed [sub-row 0..3][sub-column 0..1].
_DOTS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
_EIGHTHS = " ▁▂▃▄▅▆▇█"
HLINE_PATTERNS = ("dashed", "dotted")  # a series' reference lines in order (threshold, rest)
HLINE_SAMPLE = {"dashed": "╌", "dotted": "┈"}  # their legend samples
_BRAILLE = np.array([" "] + [chr(0x2800 + i) for i in range(1, 256)], dtype=object)


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


@dataclass
class Layer:
    x: np.ndarray
    y: np.ndarray
    color: int  # palette index
    mode: str = "line"  # line | points | cells | bars
    label: str | None = None
    char: str = "│"  # for cells mode
    width: float = 1.0  # bars: bar width in x units
    z: int = 0  # drawing order: higher on top (a measurement above its theory curve)


@dataclass
class Figure:
    """What one chart draws; built by a kind's `figure()` then rasterised."""

    layers: list[Layer] = field(default_factory=list)
    # (level, palette index, label, pattern): reference lines; patterns tell them apart
    hlines: list[tuple[float, int, str | None, str]] = field(default_factory=list)
    markers: list[tuple[float, float, str, int, str | None]] = field(default_factory=list)
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    y_ticks: list[tuple[float, str]] | None = None
    x_ticks: list[tuple[float, str]] | None = None


class CanvasChart(Widget):
    """Base: holds the latest Series; builds its lines only when drawn and changed."""

    DEFAULT_CSS = """
    CanvasChart { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, spec: SeriesSpec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.series: Series | None = None
        self._lines: list[Strip] = []
        self._key: tuple | None = None
        self._styles: dict[tuple, Style] = {}
        self.tooltip = f"{spec.title}: {spec.help}" if spec.help else spec.title

    def show_series(self, series: Series) -> None:
        if same_data(self.series, series):
            return  # nothing new to draw (e.g. an f-I curve while only time advances)
        self.series = series
        self._key = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        key = (self.size, id(self.series), self.app.theme)
        if self._key != key:
            self._styles.clear()
            self._lines = self.build(*self.size)
            self._key = key
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    # -- colours -------------------------------------------------------------------------
    def palette(self) -> list[str]:
        variables = self.app.theme_variables
        out = []
        for key in _THEME_KEYS:
            try:
                colour = Color.parse(variables[key]).hex
            except Exception:
                continue
            if colour not in out:  # themes reuse colours (accent = warning): keep lines apart
                out.append(colour)
        return out or ["#0080ff"]

    def style(self, color: str | None, bold: bool = False, dim: bool = False) -> Style:
        key = (color, bold, dim)
        style = self._styles.get(key)
        if style is None:
            base = self.rich_style
            style = base + Style(color=color, bold=bold, dim=dim) if color else base + Style(bold=bold, dim=dim)
            self._styles[key] = style
        return style

    # -- building ---------------------------------------------------------------------------
    def figure(self, s: Series, columns: int, rows: int) -> Figure:  # pragma: no cover - abstract
        raise NotImplementedError

    def build(self, width: int, height: int) -> list[Strip]:
        title = self.spec.title
        if len(title) > width:
            title = title[: max(1, width - 1)] + "…"
        lines = [Strip([Segment(title.center(width)[:width], self.style(None, bold=True))], width)]
        s = self.series
        if s is None or width < 12 or height < 5:
            return lines
        # Rough plot size for data reduction; the exact one follows the y-label width.
        try:
            fig = self.figure(s, max(4, width - 9), max(2, height - 3))
            return lines + self._draw(fig, width, height - 1)
        except Exception as err:  # a malformed series must never take the live app down
            message = f"cannot draw {self.spec.name}: {type(err).__name__}: {err}"
            return lines + [Strip([Segment(message[:width].ljust(width), self.style("red"))], width)]

    def _limits(self, fig: Figure) -> tuple[float, float, float, float]:
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

    def _draw(self, fig: Figure, width: int, height: int) -> list[Strip]:
        x0, x1, y0, y1 = self._limits(fig)
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

        def dots(px: np.ndarray, py: np.ndarray, c: int) -> None:
            """Set braille dots at sub-cell coordinates (already inside the plot area)."""
            if len(px) == 0:
                return
            r, cc = py // 4, px // 2
            np.bitwise_or.at(codes, (r, cc), _DOTS[py % 4, px % 2])
            colour[r, cc] = c

        for layer in sorted(fig.layers, key=lambda l: l.z):
            x, y = finite_xy(layer.x, layer.y)
            if len(x) == 0:
                continue
            if layer.mode == "line" and len(x) > 1:
                dots(*m.line_dots(x, y), layer.color)
            elif layer.mode in ("line", "points"):
                dots(*m.point_dots(x, y), layer.color)
            elif layer.mode == "cells":
                inside = m.inside(x, y)
                cy, cx = m.row(y[inside]), m.col(x[inside])
                chars[cy, cx] = layer.char
                char_colour[cy, cx] = layer.color
            elif layer.mode == "bars":
                self._bars(x, y, layer, m, chars, char_colour)
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
        palette = self.palette()
        self._legend(fig, chars, char_colour, cols)
        tick_rows = dict(zip(m.row(np.array([v for v, _ in y_ticks], dtype=float)).tolist(),
                             [t for _, t in y_ticks]))
        axis = self.style(None, dim=True)
        out = []
        for r in range(rows):
            segs = [Segment(tick_rows.get(r, "").rjust(label_w) + ("┤" if r in tick_rows else "│"), axis)]
            segs += self._row_segments(codes[r], colour[r], chars[r], char_colour[r], palette)
            segs.append(Segment("│", axis))
            out.append(Strip(segs, width))
        out += self._x_axis(fig, m, label_w, width, axis)
        return out

    def _bars(self, x, y, layer, m: "PlotMap", chars, char_colour) -> None:
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

    def _legend(self, fig: Figure, chars, char_colour, cols: int) -> None:
        """Top-left legend: a sample of each labelled line, reference line and marker."""
        entries = [("━", l.label, l.color) for l in fig.layers if l.label]
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

    def _row_segments(self, codes, colour, chars, char_colour, palette) -> list[Segment]:
        """One row of cells to segments: vectorised, then one Segment per run of one style."""
        has_char = chars != ""
        text = np.where(has_char, chars, _BRAILLE[codes])
        style_id = np.where(has_char, char_colour, np.where(codes > 0, colour, -1))
        cuts = np.flatnonzero(np.diff(style_id)) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [len(style_id)]))
        n_pal = len(palette)
        segs = []
        for a, b in zip(starts.tolist(), ends.tolist()):
            c = int(style_id[a])
            style = self.style(palette[c % n_pal]) if c >= 0 else self.style(None)
            segs.append(Segment("".join(text[a:b].tolist()), style))
        return segs

    def _x_axis(self, fig: Figure, m: "PlotMap", label_w, width, axis) -> list[Strip]:
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
        xlabel = self.spec.xlabel
        label_line = "".join(labels)
        if xlabel and len(label_line.rstrip()) + len(xlabel) + 2 <= width:
            label_line = label_line.rstrip().ljust(width - len(xlabel)) + xlabel
        return [Strip([Segment(" " * label_w + "└" + "".join(line) + "┘", axis)], width),
                Strip([Segment(label_line[:width].ljust(width), axis)], width)]


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


# -- one class per series kind ---------------------------------------------------------------
class TraceCanvas(CanvasChart):
    def figure(self, s: Series, columns: int, rows: int) -> Figure:
        y = np.atleast_2d(np.asarray(s.y, dtype=float))
        x = np.arange(y.shape[1], dtype=float) if s.x is None else np.asarray(s.x, dtype=float)
        named = y.shape[0] > 1 and len(s.labels) == y.shape[0]
        fig = Figure(x_range=s.x_range, y_range=s.y_range)
        for i, row in enumerate(y):
            xs, ys = envelope(x, row, columns, s.x_range)
            fig.layers.append(Layer(xs, ys, i, "line", s.labels[i] if named else None))
        if s.hlines and len(s.labels) == y.shape[0] and not named:
            fig.layers[0].label = s.labels[0]  # beside reference lines, name the data too
        for j, (name, level) in enumerate(s.hlines.items()):
            if np.isfinite(level):
                pattern = HLINE_PATTERNS[j % len(HLINE_PATTERNS)]
                fig.hlines.append((float(level), y.shape[0] + j, name, pattern))
        return fig


class CurveCanvas(CanvasChart):
    def figure(self, s: Series, columns: int, rows: int) -> Figure:
        fig = Figure(x_range=s.x_range, y_range=s.y_range)
        legend = bool(s.overlays or s.markers)
        if s.x is not None and len(s.y):
            xs, ys = envelope(s.x, s.y, columns, s.x_range)
            label = (s.labels[0] if s.labels else "measured") if legend else None
            fig.layers.append(Layer(xs, ys, 0, "line", label, z=1))  # on top of the theory overlays
        for k, (name, (ox, oy)) in enumerate(s.overlays.items()):
            xs, ys = envelope(ox, oy, columns, s.x_range)
            fig.layers.append(Layer(xs, ys, k + 1, "line", name))
        for name, (mx, my) in s.markers.items():
            if np.isfinite(mx) and np.isfinite(my):
                fig.markers.append((float(mx), float(my), "◆", 2, name))
        return fig


class RasterCanvas(CanvasChart):
    def figure(self, s: Series, columns: int, rows: int) -> Figure:
        x = np.asarray(s.x if s.x is not None else [], dtype=float).ravel()
        y = np.asarray(s.y, dtype=float).ravel()
        n = min(len(x), len(y))
        x, y = x[:n], y[:n]
        if s.y_range:
            lo, hi = s.y_range
        else:
            finite = finite_values(y)
            lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        if s.x_range:
            x_lo, x_hi = s.x_range
        else:
            finite = finite_values(x)
            x_lo, x_hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        fig = Figure(x_range=(x_lo, x_hi) if x_hi > x_lo else None, y_range=(lo - 0.5, hi + 0.5))
        groups = np.zeros(n, dtype=int) if s.groups is None or len(s.groups) < n else np.asarray(s.groups, dtype=int)[:n]
        n_cells = int(hi - lo + 1)
        few = n_cells <= rows
        for g in (np.unique(groups) if len(groups) else []):
            sel = groups == g
            gx, gy = raster_cells(x[sel], y[sel], x_lo, x_hi, lo - 0.5, hi + 0.5, columns * 2, rows * 4)
            fig.layers.append(Layer(gx, gy, int(g), "cells" if few else "points"))
        if few:
            fig.y_ticks = [(float(t), str(int(t))) for t in range(int(lo), int(hi) + 1)]
        return fig


class ScatterCanvas(CanvasChart):
    def figure(self, s: Series, columns: int, rows: int) -> Figure:
        fig = Figure(x_range=s.x_range, y_range=s.y_range)
        x, y = finite_xy(s.x if s.x is not None else np.arange(len(s.y)), s.y)
        if len(x):
            lo_x, hi_x = s.x_range or (float(x.min()), float(x.max()))
            lo_y, hi_y = s.y_range or (float(y.min()), float(y.max()))
            x, y = raster_cells(x, y, lo_x, hi_x, lo_y, hi_y, columns * 2, rows * 4)
            fig.layers.append(Layer(x, y, 0, "points"))
        for k, (name, (ox, oy)) in enumerate(s.overlays.items()):
            xs, ys = finite_xy(ox, oy)
            fig.layers.append(Layer(xs, ys, k + 1, "line", name))
        return fig


class HistogramCanvas(CanvasChart):
    def figure(self, s: Series, columns: int, rows: int) -> Figure:
        v = finite_values(s.y)
        fig = Figure()
        if len(v) == 0:
            return fig
        rng = s.x_range if s.x_range and s.x_range[1] > s.x_range[0] else None
        counts, edges = np.histogram(v, bins=max(1, min(s.bins, columns)), range=rng)
        centres = (edges[:-1] + edges[1:]) / 2
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
        fig.layers.append(Layer(centres, counts.astype(float), 0, "bars", width=width * 0.9))
        fig.x_range = (float(edges[0]), float(edges[-1]))
        return fig


class BarsCanvas(CanvasChart):
    def figure(self, s: Series, columns: int, rows: int) -> Figure:
        v = np.asarray(s.y, dtype=float).ravel()
        v = np.where(np.isfinite(v), v, 0.0)
        labels = list(s.labels) if len(s.labels) == len(v) else [str(i) for i in range(len(v))]
        fig = Figure()
        if len(v):
            fig.layers.append(Layer(np.arange(len(v), dtype=float), v, 0, "bars", width=0.7))
            fig.x_range = (-0.5, len(v) - 0.5)
            fig.x_ticks = list(zip(np.arange(len(v), dtype=float), labels))
        return fig
