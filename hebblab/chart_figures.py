"""What each chart kind draws: a Series becomes a Figure (layers, reference lines, markers,
ticks, or a heat-map), with its data already reduced to what the plot can show.

One builder per kind of `hebblab.sim.series.CHART_KINDS`, registered with `@chart_kind`.
hebblab/chart_render.py draws any Figure, for the TUI (hebblab/tui/widgets/charts.py) and for
the CLI's `--plot` (hebblab/cli/terminal_charts.py). A new kind is its name in CHART_KINDS and
its builder here. Pure numpy: the CLI imports this without textual or rich.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from hebblab.reduce import envelope, finite_pairs, finite_values, grid_thin
from hebblab.sim.series import Series

HLINE_PATTERNS = ("dashed", "dotted")  # a series' reference lines in order (threshold, rest)
# How a data line is drawn: solid, or dotted (every other braille dot along it: a
# comparison's B, so it never looks like A). Series.extra["line_styles"] gives one per row.
LINE_STYLES = ("solid", "dotted")


@dataclass
class Layer:
    x: np.ndarray
    y: np.ndarray
    color: int  # palette index
    mode: str = "line"  # line | points | cells | bars
    label: str | None = None
    char: str = "│"  # for cells mode
    width: float = 1.0  # bars: bar width in x units
    # Drawing order: where layers meet, the highest z shows; equal z share the cells in turn
    # (a theory line and its measurement, E and I rates), so neither hides the other.
    z: int = 0
    style: str = "solid"  # lines: one of LINE_STYLES


@dataclass
class Heat:
    """A matrix drawn as coloured cells (shades without colour), rows top to bottom."""

    values: np.ndarray  # 2-D
    vmin: float | None = None
    vmax: float | None = None
    row_labels: list[str] = field(default_factory=list)
    x: np.ndarray | None = None  # what the columns stand for, shown as a range in the legend


@dataclass
class Figure:
    """One chart's description; hebblab.chart_render draws it at any size."""

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    layers: list[Layer] = field(default_factory=list)
    # (level, palette index, label, pattern): reference lines; patterns tell them apart
    hlines: list[tuple[float, int, str | None, str]] = field(default_factory=list)
    # (x, y, character, palette index, label)
    markers: list[tuple[float, float, str, int, str | None]] = field(default_factory=list)
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    y_ticks: list[tuple[float, str]] | None = None
    x_ticks: list[tuple[float, str]] | None = None
    heat: Heat | None = None
    note: str = ""  # said after the title, e.g. that non-finite points were left out
    equal_aspect: bool = False  # geometry (a data cloud and its axes): one unit is as long in x as in y
    # (line style, side) pairs, e.g. [("solid", "A"), ("dotted", "B")]: the lines of each style
    # are the same named rows, labelled "<side> <name>", row i of each in colour i (a
    # comparison with k >= 2 rows a side). A legend in colour may then name each row once
    # and say once which style is which side (k + 1 entries, not 2k).
    line_key: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to draw but axes (reference lines alone are not data)."""
        if self.heat is not None:
            return self.heat.values.size == 0
        return not self.markers and not any(len(layer.x) for layer in self.layers)


Builder = Callable[[Series, int, int], Figure]
KINDS: dict[str, Builder] = {}


def chart_kind(name: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        KINDS[name] = builder
        return builder

    return register


def describe(s: Series, columns: int, rows: int) -> Figure:
    """The figure of a series for a plot area of about columns x rows cells."""
    fig = KINDS[s.kind](s, max(2, int(columns)), max(2, int(rows)))
    fig.title, fig.xlabel, fig.ylabel = s.spec.title, s.spec.xlabel, s.spec.ylabel
    return fig


def _hidden(x, y) -> int:
    """How many (x, y) pairs a chart leaves out for being NaN or infinite."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    n = min(x.size, y.size)
    return n - int(np.count_nonzero(np.isfinite(x[:n]) & np.isfinite(y[:n])))


def _note(n_hidden: int, what: str = "points") -> str:
    what = what if n_hidden != 1 else what[:-1]  # "1 non-finite point", "3 non-finite points"
    return f"({n_hidden} non-finite {what} hidden)" if n_hidden else ""


def _hlines(fig: Figure, s: Series, first_color: int) -> None:
    for j, (name, level) in enumerate(s.hlines.items()):
        if np.isfinite(level):
            pattern = HLINE_PATTERNS[j % len(HLINE_PATTERNS)]
            fig.hlines.append((float(level), first_color + j, name, pattern))


def _by_x(x, y) -> tuple[np.ndarray, np.ndarray]:
    """A curve's points in x order (a sweep or a dict may list them in any order)."""
    x, y = finite_pairs(x, y)
    if x.size > 1 and np.any(np.diff(x) < 0):
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
    return x, y


@chart_kind("trace")
def trace(s: Series, columns: int, rows: int) -> Figure:
    """Signals over time: one line per row of y, plus horizontal reference lines."""
    y = np.atleast_2d(np.asarray(s.y, dtype=float))
    x = np.arange(y.shape[1], dtype=float) if s.x is None else np.asarray(s.x, dtype=float)
    named = y.shape[0] > 1 and len(s.labels) == y.shape[0]
    fig = Figure(x_range=s.x_range, y_range=s.y_range)
    looks, n_colours = _row_looks(s.extra.get("line_styles"), y.shape[0])
    hidden = 0
    for i, row in enumerate(y):
        xs, ys = envelope(x, row, columns, s.x_range)
        hidden += _hidden(x, row)
        colour, style = looks[i]
        fig.layers.append(Layer(xs, ys, colour, "line", s.labels[i] if named else None, style=style))
    if s.hlines and len(s.labels) == y.shape[0] and not named:
        fig.layers[0].label = s.labels[0]  # beside reference lines, name the data too
    if named and n_colours < y.shape[0]:  # rows share colours across styles: maybe one key
        fig.line_key = _line_key([style for _, style in looks], list(s.labels))
    _hlines(fig, s, n_colours)
    fig.note = _note(hidden)
    return fig


def _row_looks(styles, n: int) -> tuple[list[tuple[int, str]], int]:
    """(palette index, line style) of each of n rows, and how many colours they use.

    Without styles (or all solid) row i takes colour i, as always. With several styles (a
    comparison: A's rows solid, B's dotted) rows are coloured within their style, so row i
    of A and row i of B share colour i and k rows need k colours, never wrapping round the
    palette into a clash; when each style has a single row the two take two colours too."""
    if styles is None or len(styles) != n or all(st == "solid" for st in styles):
        return [(i, "solid") for i in range(n)], n
    styles = [st if st in LINE_STYLES else "solid" for st in styles]
    counts: dict[str, int] = {}
    within = []
    for st in styles:
        within.append(counts.get(st, 0))
        counts[st] = within[-1] + 1
    colours = list(range(n)) if max(counts.values()) == 1 else within
    return list(zip(colours, styles)), max(colours) + 1


def _line_key(styles: list[str], labels: list[str]) -> list[tuple[str, str]]:
    """[(style, side)] when the rows of each of two styles are labelled "<side> <name>" with
    one side per style and the same k >= 2 distinct names in the same order (A's rows and
    B's); [] otherwise (the legend then names every line)."""
    sides: dict[str, set[str]] = {}
    names: dict[str, list[str]] = {}
    for style, label in zip(styles, labels):
        side, _, name = label.partition(" ")
        sides.setdefault(style, set()).add(side)
        names.setdefault(style, []).append(name)
    if len(sides) != 2 or any(len(found) != 1 for found in sides.values()):
        return []
    (s1, n1), (s2, n2) = names.items()
    (side1,), (side2,) = sides[s1], sides[s2]
    if side1 == side2 or n1 != n2 or len(n1) < 2 or len(set(n1)) != len(n1) or not all(n1):
        return []
    return [(s1, side1), (s2, side2)]


@chart_kind("curve")
def curve(s: Series, columns: int, rows: int) -> Figure:
    """A measured curve with theory overlays, 'now' markers and reference levels."""
    fig = Figure(x_range=s.x_range, y_range=s.y_range)
    legend = bool(s.overlays or s.markers)
    hidden = 0
    if s.x is not None and len(s.y):
        xs, ys = envelope(*_by_x(s.x, s.y), columns, s.x_range)
        hidden += _hidden(s.x, s.y)
        label = (s.labels[0] if s.labels else "measured") if legend else None
        fig.layers.append(Layer(xs, ys, 0, "line", label))  # shares cells with its theory overlays
    for k, (name, (ox, oy)) in enumerate(s.overlays.items()):
        xs, ys = envelope(*_by_x(ox, oy), columns, s.x_range)
        hidden += _hidden(ox, oy)
        fig.layers.append(Layer(xs, ys, k + 1, "line", name))
    for name, (mx, my) in s.markers.items():
        if np.isfinite(mx) and np.isfinite(my):
            fig.markers.append((float(mx), float(my), "◆", 2, name))
    _hlines(fig, s, len(s.overlays) + 1)
    fig.note = _note(hidden)
    return fig


@chart_kind("raster")
def raster(s: Series, columns: int, rows: int) -> Figure:
    """Spikes: a dot per occupied sub-cell, or a bar per cell when every cell has a row."""
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
    named = s.groups is not None and len(s.groups) >= n
    groups = np.asarray(s.groups, dtype=int)[:n] if named else np.zeros(n, dtype=int)
    few = int(hi - lo + 1) <= rows
    for g in (_distinct(groups) if len(groups) else []):
        sel = groups == g
        gx, gy = grid_thin(x[sel], y[sel], columns * 2, rows * 4, (x_lo, x_hi), (lo - 0.5, hi + 0.5))
        label = s.labels[int(g)] if named and 0 <= int(g) < len(s.labels) else None
        fig.layers.append(Layer(gx, gy, int(g), "cells" if few else "points", label))
    if few:
        fig.y_ticks = [(float(t), str(int(t))) for t in range(int(lo), int(hi) + 1)]
    return fig


def _distinct(groups: np.ndarray) -> np.ndarray:
    """np.unique of group numbers; small non-negative ones (E/I, a few populations) are
    counted instead, in linear time: a raster has thousands of spikes and few groups."""
    if groups.min() >= 0 and groups.max() < 4096:
        return np.flatnonzero(np.bincount(groups))
    return np.unique(groups)


@chart_kind("scatter")
def scatter(s: Series, columns: int, rows: int) -> Figure:
    """Points (one per sub-cell) with line overlays (weight vectors) drawn above them.

    A series with extra["aspect"] == "equal" is geometry (oja's input cloud and its principal
    axis): the renderer gives both axes one scale, so an angle on screen is the data's angle."""
    fig = Figure(x_range=s.x_range, y_range=s.y_range, equal_aspect=s.extra.get("aspect") == "equal")
    x, y = finite_pairs(s.x if s.x is not None else np.arange(len(s.y)), s.y)
    if len(x):
        lo_x, hi_x = s.x_range or (float(x.min()), float(x.max()))
        lo_y, hi_y = s.y_range or (float(y.min()), float(y.max()))
        x, y = grid_thin(x, y, columns * 2, rows * 4, (lo_x, hi_x), (lo_y, hi_y))
        fig.layers.append(Layer(x, y, 0, "points"))
    for k, (name, (ox, oy)) in enumerate(s.overlays.items()):
        xs, ys = envelope(ox, oy, columns)
        fig.layers.append(Layer(xs, ys, k + 1, "line", name, z=1))
    return fig


@chart_kind("histogram")
def histogram(s: Series, columns: int, rows: int) -> Figure:
    values = np.asarray(s.y, dtype=float).ravel()
    v = values[np.isfinite(values)]
    fig = Figure(note=_note(values.size - v.size, "values"))
    if len(v) == 0:
        return fig
    rng = s.x_range if s.x_range and s.x_range[1] > s.x_range[0] else None
    counts, edges = np.histogram(v, bins=max(1, min(int(s.bins), columns)), range=rng)
    centres = (edges[:-1] + edges[1:]) / 2
    width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
    fig.layers.append(Layer(centres, counts.astype(float), 0, "bars", width=width * 0.9))
    fig.x_range = (float(edges[0]), float(edges[-1]))
    return fig


@chart_kind("bars")
def bars(s: Series, columns: int, rows: int) -> Figure:
    """One bar per label; a non-finite value is an empty bar, and the title says so."""
    v = np.asarray(s.y, dtype=float).ravel()
    ok = np.isfinite(v)
    labels = list(s.labels) if len(s.labels) == len(v) else [str(i) for i in range(len(v))]
    fig = Figure(note=_note(int((~ok).sum()), "values"))
    if len(v):
        fig.x_range = (-0.5, len(v) - 0.5)
        fig.x_ticks = list(zip(np.arange(len(v), dtype=float), labels))
    if ok.any():
        fig.layers.append(Layer(np.arange(len(v), dtype=float), np.where(ok, v, 0.0), 0, "bars", width=0.7))
    return fig


@chart_kind("matrix")
def matrix(s: Series, columns: int, rows: int) -> Figure:
    """A heat-map; rows are named by the series' labels (one per row) or their index."""
    y = np.atleast_2d(np.asarray(s.y, dtype=float))
    labels = list(s.labels) if len(s.labels) == y.shape[0] else [str(i) for i in range(y.shape[0])]
    x = None if s.x is None else finite_values(s.x)
    fig = Figure(heat=Heat(y, s.vmin, s.vmax, labels, x))
    fig.note = _note(y.size - int(np.count_nonzero(np.isfinite(y))), "values") if y.size else ""
    return fig


# -- redraw only when the picture would change ------------------------------------------------
def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or (a != a and b != b)  # NaN equals NaN here
    except (TypeError, ValueError):
        return False


_DRAWN_FIELDS = ("y", "x", "labels", "hlines", "overlays", "markers", "groups", "y_range", "x_range",
                 "bins", "vmin", "vmax", "extra")


def same_data(a, b) -> bool:
    """True if two Series would draw the same chart (a new version with equal data is
    common: a lab bumps every series' version each step). Costs O(points), far below a
    chart rebuild."""
    if a is None or b is None or a.spec != b.spec:
        return False
    return all(_same(getattr(a, f), getattr(b, f)) for f in _DRAWN_FIELDS)
