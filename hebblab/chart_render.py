"""The one chart renderer: a Figure (hebblab/chart_figures.py) becomes rows of styled text.

Both front ends draw with it: the TUI's chart widget turns the rows into Textual strips,
the CLI's `--plot` into plain or ANSI-coloured text. Lines and points are braille (2x4 dots
per cell), bars eighth blocks, heat-maps coloured cells, all rasterised on numpy arrays:
at 120x40 a line chart costs about a fifteenth of plotext's time (benchmarks/charts.py; README).
Layout: title (y label at its left when it fits, else the y unit in the title), y ticks
with "┤", a framed plot area, x ticks with "┬" and their labels (time axes in ms, s or min by
the span shown), the x axis' name at the right end, a legend in the plot's freest corner.
Series that meet share the cells in turn (a theory line on its measurement stays visible);
geometric figures (Figure.equal_aspect) get one scale on both axes. A dotted line (a
comparison's B) keeps every other dot along its length, with "┅" in the legend. A comparison
with the same k >= 2 rows a side (Figure.line_key) names each row once in its colour
("━┅ w[0,0]") after a key "━ A  ┅ B": k + 1 entries instead of 2k.

Without colour (`color=False`: a pipe, NO_COLOR) every labelled series after the first is
drawn with its own glyph (•, +, ×, ...) and shown with it in the legend (a comparison's
too: a glyph line cannot look dotted, so A's and B's rows keep an entry each), reference
lines keep their dash patterns, and a heat-map uses shade characters. Pure numpy: no
textual/rich.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from hebblab.chart_figures import Figure, Heat, describe
from hebblab.format import fit_text, fmt_value
from hebblab.reduce import finite_pairs, finite_values
from hebblab.sim.series import Series

# Braille dot bits, indexed [sub-row 0..3][sub-column 0..1].
_DOTS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
_BRAILLE_CODES = np.array([ord(" ")] + [0x2800 + i for i in range(1, 256)], dtype=np.int32)  # by dot bits
_EIGHTHS = " ▁▂▃▄▅▆▇█"
HLINE_SAMPLE = {"dashed": "╌", "dotted": "┈"}  # legend samples of the reference-line patterns
# Legend samples of data lines: heavy, so a dotted data line (a comparison's B) is not
# taken for a reference line (light).
LINE_SAMPLE = {"solid": "━", "dotted": "┅"}
MONO_GLYPHS = ("•", "+", "×", "∘", "*", "#")  # series 2, 3, ... when there is no colour
# Without colour, a figure with dotted lines (a comparison) names up to 14 lines without
# repeating a glyph: A's and B's rows must never share a look.
MORE_GLYPHS = MONO_GLYPHS + ("o", "=", "~", "%", "@", "&")
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
                  title: str = "", ylabel: str = "") -> Picture:
    """A series as a chart of width x height cells; never raises on bad data.

    notes: say after the title what was left out (non-finite points): a report wants it;
    a live view, where labs leave NaN for "not yet", does not. title, ylabel: shown without a
    series (the y unit too: a chart waiting for data still says what it will show).
    """
    if s is None:
        return Picture([_fit(title_row(title, width, ylabel), width)], True, title)
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
    else:  # the plot's rows are built to the width: only the title needs fitting
        return [_fit(title_row(title, width, fig.ylabel), width)] + _plot(fig, width, height - 1, color)
    return [_fit(row, width) for row in rows]


def _fit(row: Row, width: int) -> Row:
    """The row cut or padded to exactly `width` cells (tiny sizes squeeze legends and labels)."""
    lengths = [len(text) for text, _ in row]
    if sum(lengths) == width and all(lengths):  # most rows already fit: cheaper to check
        return row
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


def unit_of(label: str) -> str:
    """The unit of an axis label "quantity (unit)": "V (mV)" -> "mV"; "" without one."""
    label = label.strip()
    if not label.endswith(")") or "(" not in label:
        return ""
    return label[label.rindex("(") + 1:-1].strip()


def title_row(title: str, width: int, ylabel: str = "") -> Row:
    """The title, centred, with the y axis' name at its left when both fit; when they do not,
    the y unit goes into the title ("Membrane pot… [mV]") so that no size loses it."""
    start = (width - len(title)) // 2
    if ylabel and len(title) <= width and len(ylabel) + 2 <= start:  # the y axis' name, top left
        text = title.center(width)[:width]
        return [(ylabel, AXIS), (text[len(ylabel):start], PLAIN), (text[start:], TITLE)]
    if ylabel and len(ylabel) + 2 + min(len(title), 12) <= width:  # both, the title left-aligned
        rest = width - len(ylabel) - 2
        return [(ylabel + "  ", AXIS), (fit_text(title, rest).ljust(rest), TITLE)]
    unit = unit_of(ylabel)
    suffix = f" [{unit}]" if unit and unit != "1" else ""  # "1": a pure number, nothing to add
    if suffix and len(suffix) < width:
        return [((fit_text(title, width - len(suffix)) + suffix).center(width)[:width], TITLE)]
    return [(fit_text(title, width).center(width)[:width], TITLE)]


# -- ticks ------------------------------------------------------------------------------------
def nice_ticks(lo: float, hi: float, max_ticks: int) -> list[float]:
    """Round tick values (1-2-5 steps) inside [lo, hi], at most max_ticks of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_ticks < 1:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(max_ticks - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    steps = [m * mag for m in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10)]
    k = next(i for i, s in enumerate(steps) if s >= raw)
    while True:
        step = steps[k]
        first = math.ceil(lo / step - 1e-9) * step
        ticks = []
        t = first
        while t <= hi + step * 1e-9 and len(ticks) < 100:
            ticks.append(0.0 if abs(t) < step * 1e-9 else t)
            t = first + len(ticks) * step
        # A lone tick says nothing about scale: take the next finer step (at most 5 ticks then).
        if len(ticks) >= 2 or max_ticks < 2 or k == 0:
            return ticks
        k -= 1


def tick_label(v: float) -> str:
    text = f"{v:.4g}"
    return text.replace("e+0", "e").replace("e-0", "e-")


def tick_labels(ticks: list[float]) -> list[str]:
    """Labels for round ticks in plain decimals with as few digits as they need ("10000",
    "0.25"), never "1e4"; scientific only for huge or tiny magnitudes."""
    if not ticks:
        return []
    big = max(abs(t) for t in ticks)
    for decimals in range(7):
        if all(abs(round(t, decimals) - t) <= 1e-9 * max(big, 1e-300) for t in ticks):
            break
    else:
        decimals = None
    if decimals is None or big >= 1e7 or (0 < big < 1e-4):
        return [tick_label(t) for t in ticks]
    return [f"{0.0 if abs(t) < 0.5 * 10 ** -decimals else t:.{decimals}f}" for t in ticks]


# Time axes: the unit of the labels follows the span shown, whatever unit the data are in.
TIME_UNITS = {"ms": 1.0, "s": 1000.0, "min": 60000.0}


def is_time_axis(label: str) -> bool:
    """"time (ms)", "time in protocol (ms)", "time (s)": relabelled by time_ticks."""
    return label.strip().lower().startswith("time") and unit_of(label) in TIME_UNITS


def time_unit(span_ms: float) -> str:
    """ms below 2 s, s up to 3 min, min beyond: labels of at most four digits from 0."""
    if span_ms < 2000.0:
        return "ms"
    return "s" if span_ms <= 180_000.0 else "min"


def time_ticks(lo: float, hi: float, max_ticks: int, data_unit: str = "ms") -> tuple[list[tuple[float, str]], str]:
    """Round ticks for a time axis from lo to hi (in data_unit): [(position in data_unit,
    label)] and the unit the labels are in, chosen from the span; a window far from 0 (the
    last second of an hour) takes a larger unit when its labels would pass five characters
    and the larger unit's are shorter."""
    scale = TIME_UNITS[data_unit]
    units = list(TIME_UNITS)
    best = None
    for shown in units[units.index(time_unit((hi - lo) * scale)):]:
        k = scale / TIME_UNITS[shown]  # data unit -> shown unit
        ticks = nice_ticks(lo * k, hi * k, max_ticks)
        labels = tick_labels(ticks)
        candidate = (max(map(len, labels), default=0), list(zip([t / k for t in ticks], labels)), shown)
        if best is None or candidate[0] < best[0]:
            best = candidate
        if best[0] <= 5:  # short enough: the span's own unit (or the first that fits) stays
            break
    return best[1], best[2]


def relabel(label: str, unit: str) -> str:
    """"time (ms)" -> "time (s)"."""
    return label[: label.rindex("(")] + f"({unit})"


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
    """Without colour: a glyph for each labelled layer after the first (by layer position).
    With several line styles (a comparison) the first line of each style stays a braille
    line in its style and the rest take glyphs none of them repeats (MORE_GLYPHS)."""
    if color:
        return {}
    labelled = [i for i, l in enumerate(fig.layers) if l.label]
    styles = {fig.layers[i].style for i in labelled if fig.layers[i].mode == "line"}
    if len(styles) < 2:
        return {i: MONO_GLYPHS[k % len(MONO_GLYPHS)] for k, i in enumerate(labelled[1:])}
    firsts = {}
    for i in labelled:
        if fig.layers[i].mode == "line":
            firsts.setdefault(fig.layers[i].style, i)
    rest = [i for i in labelled if i not in firsts.values()]
    return {i: MORE_GLYPHS[k % len(MORE_GLYPHS)] for k, i in enumerate(rest)}


def _y_ticks(fig: Figure, y0: float, y1: float, rows: int) -> list[tuple[float, str]]:
    try:  # cached like the x axis: a fixed y range repeats every frame
        return list(_y_ticks_cached(_key(fig.y_ticks), y0, y1, rows))
    except TypeError:  # ticks that cannot be a cache key
        return list(_y_ticks_of(fig.y_ticks, y0, y1, rows))


def _y_ticks_of(y_ticks, y0: float, y1: float, rows: int) -> tuple[tuple[float, str], ...]:
    if y_ticks:
        ticks = y_ticks
    else:
        values = nice_ticks(y0, y1, max(2, min(6, rows // 2 + 1)))
        ticks = list(zip(values, tick_labels(values)))
    return tuple((v, t) for v, t in ticks if y0 <= v <= y1)


_y_ticks_cached = lru_cache(maxsize=256, typed=True)(_y_ticks_of)


def equal_scales(x0: float, x1: float, y0: float, y1: float, cols: int, rows: int) -> tuple[float, float, float, float]:
    """Widen one range so a data unit is as long across as up. Assumes a terminal cell about
    twice as tall as wide, so a braille dot (a cell is 2 dots wide, 4 tall) is square: equal
    data per dot in x and y means equal scales on screen."""
    per_dot = max((x1 - x0) / (2 * cols), (y1 - y0) / (4 * rows))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - per_dot * cols, cx + per_dot * cols, cy - per_dot * 2 * rows, cy + per_dot * 2 * rows


@dataclass
class _Source:
    """What one layer or reference line puts in the plot's cells, before they are shared."""

    z: int
    colour: int
    bits: np.ndarray | None = None  # braille dots per cell
    chars: np.ndarray | None = None  # whole-cell characters (bars, glyphs, raster ticks), as _code()s
    dotted: bool = False  # a dotted data line: where it shares a cell, only the owner's dots show

    @property
    def mask(self) -> np.ndarray:
        if self.bits is not None:
            return self.bits > 0
        return self.chars != 0


# Cell characters are int32 code points (0: none), not object arrays of str: numpy handles
# them at C speed and the whole grid becomes text in one decode (_grid_runs). A cell string
# that is not one character (never from the built-in kinds) gets a negative code, an index
# into the chart's `extra` list, and its rows are assembled the slow way.
def _code(text: str, extra: list[str]) -> int:
    if len(text) == 1 and text != "\0":
        return ord(text)
    if not text:
        return 0
    extra.append(text)
    return -len(extra)


def _sources(fig: Figure, m: "PlotMap", glyphs: dict[int, str], extra: list[str]) -> list[_Source]:
    rows, cols = m.rows, m.cols
    try:
        out = _layer_sources(fig, m, glyphs, extra, together=True)
    except Exception:  # (coordinates beyond floats): layer by layer, to fail as the first bad layer does
        extra.clear()
        out = _layer_sources(fig, m, glyphs, extra, together=False)
    cells = np.arange(cols)
    for level, c, _label, pattern in fig.hlines:
        if m.y0 <= level <= m.y1:
            py = m.sub_y_of(level)
            # Reference lines are broken (dashed: two cells on, one off; dotted: one dot
            # every other cell) so the data stay readable and each line has its own look.
            if pattern == "dashed":
                on, bits = cells % 3 != 2, _DOTS[py % 4, 0] | _DOTS[py % 4, 1]
            else:
                on, bits = cells % 2 == 0, _DOTS[py % 4, 0]
            src = _Source(0, c, bits=np.zeros((rows, cols), dtype=np.uint8))
            src.bits[py // 4, on] = bits
            out.append(src)
    return out


def _layer_sources(fig: Figure, m: "PlotMap", glyphs: dict[int, str], extra: list[str],
                   together: bool) -> list[_Source]:
    """The layers' sources. together: the line and point layers are rasterised in one pass
    at the end (numpy's cost per call, not per point, dominates at terminal sizes)."""
    rows, cols = m.rows, m.cols
    out = []
    later = []  # (source, glyph, x, y, is a line, is dotted)
    for i, layer in enumerate(fig.layers):
        x, y = finite_pairs(layer.x, layer.y)
        if len(x) == 0:
            continue
        glyph = glyphs.get(i)
        src = _Source(layer.z, layer.color, dotted=layer.mode == "line" and layer.style == "dotted")
        if layer.mode in ("line", "points"):
            item = (src, glyph, x, y, layer.mode == "line" and len(x) > 1, src.dotted)
            if together:
                later.append(item)
            else:
                _set_dots(item, _dot_layers(m, [item[2:]])[0], extra)
        elif layer.mode == "cells":
            src.chars = np.zeros((rows, cols), dtype=np.int32)
            inside = m.inside(x, y)
            src.chars[m.row(y[inside]), m.col(x[inside])] = _code(glyph or layer.char, extra)
        elif layer.mode == "bars":
            src.chars = np.zeros((rows, cols), dtype=np.int32)
            _bars(x, y, layer, m, src.chars)
        else:
            continue
        out.append(src)
    if later:
        for item, bits in zip(later, _dot_layers(m, [item[2:] for item in later])):
            _set_dots(item, bits, extra)
    return out


def _set_dots(item: tuple, bits: np.ndarray, extra: list[str]) -> None:
    src, glyph = item[:2]
    if glyph is not None:  # (no colour: a glyph in each cell the layer's dots touch)
        src.chars = np.where(bits > 0, _code(glyph, extra), 0).astype(np.int32)
    else:
        src.bits = bits


def _dot_layers(m: "PlotMap", layers: list[tuple]) -> np.ndarray:
    """Braille dots per cell of each (x, y, is a line[, is dotted]) layer, shape
    (layers, rows, cols).

    All layers go through one pass (numpy's cost per call, not per point, dominates at
    terminal sizes): the lines are rasterised as one polyline, end to end, and the segments
    joining one layer to the next are dropped; every step is per segment or per point, so
    each layer gets exactly the dots it would get alone (m.line_dots, m.point_dots).
    A dotted line keeps every other dot along it: on a segment that runs more across than
    up, the dots of even sub-columns (one dot a cell on a flat stretch), else of even
    sub-rows (a steep run is broken too)."""
    rows, cols = m.rows, m.cols
    index, xs, ys = [], [], []  # per dot: its layer and sub-cell
    lines = [k for k, layer in enumerate(layers) if layer[2]]
    points = [k for k, layer in enumerate(layers) if not layer[2]]
    if lines:
        x = np.concatenate([layers[k][0] for k in lines])
        y = np.concatenate([layers[k][1] for k in lines])
        of_point = np.repeat(np.array(lines), [len(layers[k][0]) for k in lines])
        # Segment j runs from point j to j + 1: a layer's when both points are (-1: a joint).
        of_segment = np.where(of_point[1:] == of_point[:-1], of_point[:-1], -1)
        sx, sy = m.fx(x) * 2, m.fy(y) * 4
        px, py, seg = _segment_dots(sx, sy, 2 * cols, 4 * rows)
        who = of_segment[seg]
        real = who >= 0
        dotted = np.array([len(layer) > 3 and bool(layer[3]) for layer in layers])
        if dotted.any():
            with np.errstate(invalid="ignore"):
                steep = np.abs(np.diff(sy)) > np.abs(np.diff(sx))
            off = np.where(steep[seg], py % 2, px % 2) == 1
            real &= ~(dotted[np.maximum(who, 0)] & off)
        index.append(who[real]), xs.append(px[real]), ys.append(py[real])
    if points:
        x = np.concatenate([layers[k][0] for k in points])
        y = np.concatenate([layers[k][1] for k in points])
        of_point = np.repeat(np.array(points), [len(layers[k][0]) for k in points])
        ok = m.inside(x, y)
        index.append(of_point[ok]), xs.append(m.sub_x(x[ok])), ys.append(m.sub_y(y[ok]))
    k, px, py = (np.concatenate(a) for a in (index, xs, ys))
    if len(layers) == 1:  # (indexed as one layer's grid: a bad index fails as it always did)
        bits = np.zeros((rows, cols), dtype=np.uint8)
        np.bitwise_or.at(bits, (py // 4, px // 2), _DOTS[py % 4, px % 2])
        return bits[None]
    bits = np.zeros((len(layers), rows, cols), dtype=np.uint8)
    np.bitwise_or.at(bits, (k, py // 4, px // 2), _DOTS[py % 4, px % 2])
    return bits


def _compose(sources: list[_Source], rows: int, cols: int):
    """Share the cells: in each cell the sources of the highest z take turns (cell (r, c)
    goes to the ((c // 2 + r // 3) mod k)-th of k), so a theory line on its measurement, E on
    I or a reference level on the data stays visible along its length. Braille dots of the sharing
    sources are merged (the shape is every line's); the colour or glyph is the owner's. A cell
    a dotted line shares shows its owner's dots alone: merged, a dotted B on the solid A it
    equals (in the same colour) would vanish; by turns, both show along the run."""
    codes = np.zeros((rows, cols), dtype=np.uint8)
    colour = np.full((rows, cols), -1, dtype=np.int16)
    chars = np.zeros((rows, cols), dtype=np.int32)
    char_colour = np.full((rows, cols), -1, dtype=np.int16)
    if not sources:
        return codes, colour, chars, char_colour
    if len(sources) == 1:  # one line and no reference: it owns all its cells, nothing to share
        s = sources[0]
        mine = s.mask
        if s.bits is not None:
            colour[mine] = s.colour
            codes = s.bits.copy()
        else:
            chars = s.chars.copy()
            char_colour[mine] = s.colour
        return codes, colour, chars, char_colour
    masks = np.stack([s.mask for s in sources])
    if len({s.z for s in sources}) == 1:  # one level (the usual case): every source shares
        share = masks
    else:
        z = np.array([s.z for s in sources])[:, None, None]
        top = np.where(masks, z, np.iinfo(np.int64).min).max(axis=0)
        share = masks & (z == top)
    count = share.sum(axis=0)
    rank = np.cumsum(share, axis=0) - 1
    turn = _turns(rows, cols) % np.maximum(count, 1)
    owner = share & (rank == turn)
    has_char = np.zeros((rows, cols), dtype=bool)
    for i, s in enumerate(sources):
        mine = owner[i]
        if s.bits is not None:
            colour[mine] = s.colour
        else:
            chars[mine] = s.chars[mine]
            char_colour[mine] = s.colour
            has_char |= mine
    dotted = np.array([s.dotted for s in sources])
    if share is masks and all(s.bits is not None for s in sources) and not dotted.any():
        return np.bitwise_or.reduce([s.bits for s in sources]), colour, chars, char_colour  # every dot shows
    merged = ~has_char
    if dotted.any():
        merged &= ~(share[dotted].any(axis=0) & (count > 1))
    for i, s in enumerate(sources):
        if s.bits is not None:
            codes |= np.where(share[i] & (merged | owner[i]) & ~has_char, s.bits, 0).astype(np.uint8)
    return codes, colour, chars, char_colour


@lru_cache(maxsize=64)
def _turns(rows: int, cols: int) -> np.ndarray:
    """Whose turn a cell is before `mod k`: it changes every second column and every third
    row, so coinciding runs alternate whatever their direction (horizontal, vertical,
    diagonal) and a dotted reference line, on every other column, still gets its share."""
    turns = np.arange(cols)[None, :] // 2 + np.arange(rows)[:, None] // 3
    turns.flags.writeable = False  # shared by every chart of this size
    return turns


def _plot(fig: Figure, width: int, height: int, color: bool) -> list[Row]:
    """The plot's rows, each exactly `width` cells with no empty run (so `draw` need not fit them)."""
    x0, x1, y0, y1 = _limits(fig)
    rows = height - 2  # plot rows (minus x-axis line and x labels)
    if rows < 1:
        return []
    y_ticks = _y_ticks(fig, y0, y1, rows)
    label_w = max((len(t) for _, t in y_ticks), default=1)
    if fig.equal_aspect:  # the ranges depend on the plot's width, which depends on the labels
        for _ in range(3):
            ex0, ex1, ey0, ey1 = equal_scales(x0, x1, y0, y1, max(1, width - label_w - 2), rows)
            y_ticks = _y_ticks(fig, ey0, ey1, rows)
            new_w = max((len(t) for _, t in y_ticks), default=1)
            if new_w == label_w:
                break
            label_w = new_w
        x0, x1, y0, y1 = ex0, ex1, ey0, ey1
    cols = width - label_w - 2  # "┤" and the right frame
    if cols < 4:
        return []
    m = PlotMap(x0, x1, y0, y1, cols, rows)
    glyphs = _mono_glyphs(fig, color)
    extra: list[str] = []
    codes, colour, chars, char_colour = _compose(_sources(fig, m, glyphs, extra), rows, cols)
    for mx, my, ch, c, _label in fig.markers:
        if m.inside_of(mx, my):
            cx, cy = m.col_of(mx), m.row_of(my)
            chars[cy, cx] = _code(ch, extra)
            char_colour[cy, cx] = c
    _legend(fig, glyphs, chars, char_colour, (codes > 0) | (chars != 0), extra, color)
    tick_rows = {m.row_of(v): t for v, t in y_ticks}
    runs = _grid_runs(codes, colour, chars, char_colour, extra)
    out = []
    for r in range(rows):
        row = [(tick_rows.get(r, "").rjust(label_w) + ("┤" if r in tick_rows else "│"), AXIS)]
        row += runs[r]
        row.append(("│", AXIS))
        out.append(_fit(row, width) if extra else row)  # a cell string of several characters
    return out + _x_axis(fig, m, label_w, width)


def _bars(x, y, layer, m: "PlotMap", chars) -> None:
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
            chars[r, left:right] = ord(ch)


def _sample(layer, glyph: str | None) -> str:
    if glyph:
        return glyph
    return {"cells": layer.char, "points": "•"}.get(layer.mode, LINE_SAMPLE.get(layer.style, "━"))


def _line_entries(fig: Figure, glyphs: dict[int, str], color: bool) -> list[tuple[str, int, int, int]]:
    """The legend entries (_entry) of the labelled layers. A comparison's rows (fig.line_key,
    set by chart_figures.trace only when both sides have the same k >= 2 row names, row i of
    each in colour i) in colour: one key entry ("━ A  ┅ B", plain) and one entry per row
    name with both samples in the row's colour ("━┅ w[0,0]"), k + 1 entries for 2k lines.
    Without colour every line is named (its glyph is its own look)."""
    labelled = [(i, l) for i, l in enumerate(fig.layers) if l.label]
    if color and fig.line_key:
        (s1, side1), (s2, side2) = fig.line_key
        both = LINE_SAMPLE[s1] + LINE_SAMPLE[s2]
        key_entry = _entry(LINE_SAMPLE[s1], f"{side1}  {LINE_SAMPLE[s2]} {side2}", -2, coloured=0)
        return [key_entry] + [_entry(both, l.label[len(side1) + 1:], l.color, coloured=2)
                              for _, l in labelled if l.style == s1]
    return [_entry(_sample(l, glyphs.get(i)), l.label, l.color) for i, l in labelled]


def _entry(sample: str, label: str, colour: int, coloured: int = 1) -> tuple[str, int, int, int]:
    """A legend entry: its text ("sample label"), its colour, how many of its first cells take
    that colour (the rest is plain) and the cells it takes in a one-row legend with the gap
    after it (one sample cell counted whatever its length, unless the sample is coloured)."""
    return f"{sample} {label}", colour, coloured, len(label) + 3 + max(1, coloured)


def _legend(fig: Figure, glyphs: dict[int, str], chars, char_colour, occupied: np.ndarray, extra: list[str],
            color: bool = True) -> None:
    """A sample of each labelled line, reference line and marker, in the corner of the plot
    with the least data under it (top left when several are equally free)."""
    entries = _line_entries(fig, glyphs, color)
    entries += [_entry(HLINE_SAMPLE.get(pattern, "┈"), label, c) for _, c, label, pattern in fig.hlines if label]
    entries += [_entry(m[2], m[4], m[3]) for m in fig.markers if m[4]]
    if not entries:
        return
    rows, cols = chars.shape
    one_row = sum(entry[3] for entry in entries) + 1 <= cols
    # Stacked entries would cover over a third of a short plot: put them on one row.
    if len(entries) > 1 and len(entries) > rows // 3 and one_row:
        places, start = [], 0
        for entry in entries:
            places.append((0, start, entry))
            start += entry[3]
    else:
        places = [(row, 0, entry) for row, entry in enumerate(entries[: max(1, rows - 1)])]
    texts = [(row, start, text[: max(0, cols - start - 2)], (c, n_sample))
             for row, start, (text, c, n_sample, _) in places]
    box_h = max(row for row, *_ in texts) + 1
    box_w = max(start + len(text) for _, start, text, _ in texts)
    # A clean box: entries padded to its width (one row: the gaps between them blanked too).
    texts = [(row, start, text.ljust(box_w - start if row != 0 or start + len(text) == box_w or box_h > 1
                                      else len(text) + 3), c) for row, start, text, c in texts]
    right = max(1, cols - 1 - box_w)
    bottom = max(0, rows - box_h)
    # The four corners, then each moved one row in (off a reference line along the frame).
    corners = [(0, 1), (0, right), (bottom, 1), (bottom, right)]
    if rows > box_h + 2:
        corners += [(1, 1), (1, right), (bottom - 1, 1), (bottom - 1, right)]
    # Occupied cells of each row left of each column: a stretch's count is one subtraction.
    before = np.zeros((rows, cols + 1), dtype=np.int64)
    np.cumsum(occupied, axis=1, out=before[:, 1:])
    before = before.tolist()

    def covered(top: int, left: int) -> int:
        total = 0
        for row, start, text, _ in texts:
            if top + row < rows:
                a = left + start
                total += before[top + row][min(a + len(text), cols)] - before[top + row][min(a, cols)]
        return total

    top, left = min(corners, key=lambda tl: covered(*tl))  # min keeps the first of equals
    for row, start, text, (c, n_sample) in texts:
        if top + row >= rows or not text:
            continue
        r, a = top + row, left + start
        chars[r, a:a + len(text)] = [ord(ch) for ch in text] if "\0" not in text else [_code(ch, extra) for ch in text]
        char_colour[r, a:a + n_sample] = c
        char_colour[r, a + n_sample:a + len(text)] = -2  # plain text


def _ink(c: int) -> Ink:
    return _SERIES_INK[c] if 0 <= c < len(_SERIES_INK) else (Ink(fg=c) if c >= 0 else PLAIN)


def _grid_runs(codes, colour, chars, char_colour, extra: list[str]) -> list[Row]:
    """Every row of plot cells as runs, one per stretch of one colour. Done for the whole grid
    at once: numpy calls row by row cost more than the rows' own work."""
    rows, cols = codes.shape
    has_char = chars != 0
    text = np.where(has_char, chars, _BRAILLE_CODES[codes])
    style = np.where(has_char, char_colour, colour)  # (colour is -1 wherever there is no dot)
    first = np.ones((rows, cols), dtype=bool)  # a run starts each row and each change of style
    first[:, 1:] = style[:, 1:] != style[:, :-1]
    at = np.flatnonzero(first)
    ids = style.ravel()[at].tolist()
    starts = at.tolist()
    ends = starts[1:] + [rows * cols]  # a row's last run ends where the next row's first starts
    if extra and bool((text < 0).any()):
        cells = [chr(c) if c > 0 else extra[-c - 1] for c in text.ravel().tolist()]
        pieces = ["".join(cells[a:b]) for a, b in zip(starts, ends)]
    else:
        flat = text.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
        pieces = [flat[a:b] for a, b in zip(starts, ends)]
    inks = {c: _ink(c) for c in set(ids)}
    runs = list(zip(pieces, [inks[c] for c in ids]))
    cut = np.searchsorted(at, np.arange(rows + 1) * cols).tolist()  # each row's first run
    return [runs[a:b] for a, b in zip(cut[:-1], cut[1:])]


_SERIES_INK = [Ink(fg=i) for i in range(16)]


def _x_axis(fig: Figure, m: "PlotMap", label_w: int, width: int) -> list[Row]:
    """The x axis line with "┬" at the ticks and their labels; the axis' name at the right
    end, where it displaces tick labels rather than going missing. A time axis is labelled
    in ms, s or min by its span (time_ticks)."""
    # An axis depends on the x range and the size alone, and repeats from frame to frame (a
    # chart filling a fixed window, the charts of one lab sharing its time axis): cached.
    try:
        rows = _x_axis_cached(fig.xlabel, _key(fig.x_ticks), m.x0, m.x1, m.cols, label_w, width)
    except TypeError:  # ticks that cannot be a cache key
        rows = _x_axis_rows(fig.xlabel, fig.x_ticks, m.x0, m.x1, m.cols, label_w, width)
    return [list(row) for row in rows]


def _key(ticks):
    """Ticks as a cache key (typed=True keeps 1.0 and np.float32(1.0) apart)."""
    return tuple(tuple(t) for t in ticks) if ticks else None


def _x_axis_rows(xlabel: str, x_ticks, x0: float, x1: float, cols: int, label_w: int, width: int):
    m = PlotMap(x0, x1, 0.0, 1.0, cols, 1)  # (x only)
    n_ticks = max(2, min(6, cols // 10))
    if x_ticks:
        ticks = x_ticks
    elif is_time_axis(xlabel):
        ticks, unit = time_ticks(x0, x1, n_ticks, unit_of(xlabel))
        xlabel = relabel(xlabel, unit)
    else:
        values = nice_ticks(x0, x1, n_ticks)
        ticks = list(zip(values, tick_labels(values)))
    unit = unit_of(xlabel)
    # The short form: the unit alone ("ms"), or for a pure number its name ("x" of "x (1)").
    short = (unit if unit != "1" else xlabel[: xlabel.rindex("(")].strip()) if unit else xlabel
    if len(xlabel) + 4 > width // 2:
        xlabel = short  # narrow
    line = ["─"] * cols
    label_line, shown = _tick_line(ticks, m, label_w, width, xlabel, line)
    if shown < 2 and xlabel != short:  # the name crowds out the ticks
        xlabel = short
        label_line, shown = _tick_line(ticks, m, label_w, width, xlabel, line)
    return (((" " * label_w + "└" + "".join(line) + "┘", AXIS),),
            ((label_line[:width].ljust(width), AXIS),))


_x_axis_cached = lru_cache(maxsize=256, typed=True)(_x_axis_rows)


def _tick_line(ticks, m: "PlotMap", label_w: int, width: int, xlabel: str, line: list[str]) -> tuple[str, int]:
    """The x tick labels (those that fit without overlapping) and the axis name at the right
    end; marks each tick's cell "┬" in `line`. Returns the text and how many labels it shows."""
    labels = [" "] * (m.cols + label_w + 2)
    reserved = width - len(xlabel) - 1 if xlabel and len(xlabel) + 2 <= width else width + 1
    last_end, shown = -1, 0
    for v, text in ticks:
        if not m.x0 <= v <= m.x1:
            continue
        c = m.col_of(v)  # the cell a data point at v lands in
        line[c] = "┬"
        start = label_w + 1 + c - len(text) // 2
        start = max(0, min(start, len(labels) - len(text)))
        if start > last_end and start + len(text) <= reserved:
            labels[start:start + len(text)] = list(text)
            last_end, shown = start + len(text), shown + 1
    label_line = "".join(labels)
    if reserved <= width:
        label_line = label_line[:reserved].ljust(width - len(xlabel)) + xlabel
    return label_line, shown


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

    # The same mappings for one value in plain floats (ticks, markers, reference lines): numpy
    # on a one-element array costs more than the arithmetic. Each does numpy's operations in
    # the same order on the same float64 values (so lands in the same cell); a value that maps
    # to no finite coordinate takes numpy's own path.
    def inside_of(self, x: float, y: float) -> bool:
        tol_x, tol_y = (self.x1 - self.x0) * 1e-9, (self.y1 - self.y0) * 1e-9
        return (float(self.x0 - tol_x) <= float(x) <= float(self.x1 + tol_x)
                and float(self.y0 - tol_y) <= float(y) <= float(self.y1 + tol_y))

    def col_of(self, x: float) -> int:
        f = (float(x) - float(self.x0)) * float(self.cols / (self.x1 - self.x0))
        return _floor_in(f, self.cols) if math.isfinite(f) else int(self.col(np.array([x], dtype=float))[0])

    def row_of(self, y: float) -> int:
        f = (float(self.y1) - float(y)) * float(self.rows / (self.y1 - self.y0))
        return _floor_in(f, self.rows) if math.isfinite(f) else int(self.row(np.array([y], dtype=float))[0])

    def sub_y_of(self, y: float) -> int:
        f = (float(self.y1) - float(y)) * float(self.rows / (self.y1 - self.y0)) * 4
        return _floor_in(f, 4 * self.rows) if math.isfinite(f) else int(self.sub_y(np.array([y], dtype=float))[0])

    def point_dots(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sub-cell coordinates of the points inside the plot area (one dot each)."""
        ok = self.inside(x, y)
        return self.sub_x(x[ok]), self.sub_y(y[ok])

    def line_dots(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sub-cell coordinates of the polyline through the points, clipped to the plot area."""
        return line_dots(self.fx(x) * 2, self.fy(y) * 4, 2 * self.cols, 4 * self.rows)


def _floor_in(f: float, n: int) -> int:
    """floor(f) clipped to 0..n-1."""
    return min(max(math.floor(f), 0), n - 1)


def line_dots(px: np.ndarray, py: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer dots of the polyline through (px, py), in sub-cell units, inside [0, w] x [0, h].

    Vectorised: every segment is first clipped to the box (Liang-Barsky), then sampled at
    max(|dx|, |dy|) + 1 evenly spaced points, so successive dots differ by at most one
    sub-cell in each direction: ramps are unbroken and a spike's vertical run is solid.
    """
    ix, iy, _ = _segment_dots(px, py, w, h)
    return ix, iy


def _segment_dots(px: np.ndarray, py: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """line_dots, and for each dot the index of its segment (from point j to j + 1)."""
    x0, y0, dx, dy = px[:-1], py[:-1], np.diff(px), np.diff(py)
    lo, hi = np.minimum.reduce, np.maximum.reduce  # (the ufuncs: ndarray.min costs a few calls more)
    if lo(px) >= 0 and hi(px) <= w and lo(py) >= 0 and hi(py) <= h:
        # Every point in the box (the usual case): clipping would give each segment t from
        # exactly 0 to exactly 1, so it is skipped (the dots are the same).
        clipped = None
        span = np.maximum(np.abs(dx), np.abs(dy))
    else:
        t_in, t_out = np.zeros(len(dx)), np.ones(len(dx))
        with np.errstate(divide="ignore", invalid="ignore"):
            for p, d, top in ((x0, dx, w), (y0, dy, h)):
                ta, tb = -p / d, (top - p) / d
                inside = (p >= 0) & (p <= top)  # a segment parallel to this axis: all in or all out
                t_in = np.maximum(t_in, np.where(d != 0, np.minimum(ta, tb), np.where(inside, -np.inf, np.inf)))
                t_out = np.minimum(t_out, np.where(d != 0, np.maximum(ta, tb), np.where(inside, np.inf, -np.inf)))
        keep = np.flatnonzero(t_in <= t_out)
        if len(keep) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        x0, y0, dx, dy, t_in, t_out = x0[keep], y0[keep], dx[keep], dy[keep], t_in[keep], t_out[keep]
        clipped = t_in, t_out - t_in
        span = np.maximum(np.abs(dx), np.abs(dy)) * (t_out - t_in)  # at most max(w, h) once clipped
    n = np.ceil(np.minimum(span, w + h)).astype(np.int64) + 1  # points per segment, both ends
    seg = np.repeat(np.arange(len(n)), n)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
    t = k / np.maximum(n - 1, 1)[seg]
    if clipped is not None:
        t = clipped[0][seg] + clipped[1][seg] * t
    # (+1e-6: a sample computed as 6.9999999 belongs to sub-cell 7, else the line skips one)
    ix = np.minimum(np.maximum(np.floor(x0[seg] + dx[seg] * t + 1e-6), 0), w - 1).astype(np.int64)
    iy = np.minimum(np.maximum(np.floor(y0[seg] + dy[seg] * t + 1e-6), 0), h - 1).astype(np.int64)
    return ix, iy, (seg if clipped is None else keep[seg])


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
    top, bottom = top.tolist(), bottom.tolist()  # plain ints: numpy scalars are slow one by one
    # Run-length encode equal neighbours: fewer runs, faster compositing.
    i, n = 0, len(top)
    while i < n:
        t, b = top[i], bottom[i]
        j = i + 1
        while j < n and top[j] == t and bottom[j] == b:
            j += 1
        if not color:
            level = t if b < 0 else (b if t < 0 else (t + b) // 2)
            runs.append((_shade(level) * (j - i), PLAIN))
        elif full or (t < 0 and b < 0):
            runs.append((" " * (j - i), _heat_ink(ramp, -1, t) if t >= 0 else PLAIN))
        elif t < 0 or b < 0:  # one half NaN: that half is the surface (blank), not a colour
            runs.append(("▄" * (j - i), _heat_ink(ramp, b, -1)) if t < 0
                        else ("▀" * (j - i), _heat_ink(ramp, t, -1)))
        else:
            runs.append(("▀" * (j - i), _heat_ink(ramp, t, b)))
        i = j
    if not color:
        runs.append(("|", PLAIN))
    return runs


@lru_cache(maxsize=None)
def _heat_ink(ramp: str, fg: int, bg: int) -> Ink:
    """The ink of ramp levels fg on bg (-1: none); one object each, not one per cell."""
    colours = RAMPS[ramp]
    return Ink(fg=colours[fg] if fg >= 0 else None, bg=colours[bg] if bg >= 0 else None)


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
        runs.append((_shade(level), PLAIN) if not color else (" ", _heat_ink(ramp, -1, level)))
    runs.append((right, PLAIN))
    used = len(left) + bar_w + len(right)
    runs.append((extra[: max(0, width - used)].ljust(max(0, width - used)), PLAIN))
    return runs
