"""plotext charts, one class per series kind, fed already-reduced finite data.

Every chart keeps the latest `Series` and builds its plot only in `render()`, so a chart
that is hidden, covered or unchanged costs nothing. Line colours come from the Textual
theme (primary, accent, warning...), backgrounds from textual-plotext's "auto" theme, so
charts follow theme switches.
"""

from __future__ import annotations

import numpy as np
from textual.color import Color
from textual_plotext import PlotextPlot

from hebblab.sim.series import Series, SeriesSpec
from hebblab.tui.widgets.chart_data import envelope, finite_values, finite_xy, raster_cells

_THEME_KEYS = ("primary", "accent", "warning", "success", "secondary", "error")
_Y_TICKS_WIDTH = 8  # columns plotext spends on y tick labels (roughly)


class PlotChart(PlotextPlot):
    """Base: a titled plotext chart for one series."""

    DEFAULT_CSS = """
    PlotChart { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, spec: SeriesSpec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.series: Series | None = None
        self.tooltip = f"{spec.title}: {spec.help}" if spec.help else spec.title

    def show_series(self, series: Series) -> None:
        self.series = series
        self.refresh()

    def palette(self) -> list[tuple[int, int, int]]:
        variables = self.app.theme_variables
        out = []
        for key in _THEME_KEYS:
            try:
                out.append(Color.parse(variables[key]).rgb)
            except (KeyError, Exception):
                continue
        return out or [(0, 128, 255)]

    def render(self):
        plt = self.plt
        plt.clear_figure()
        width, height = self.size
        title = self.spec.title
        if len(title) > width - 2:  # plotext drops a title that does not fit: shorten it
            title = title[: max(1, width - 3)] + "…"
        plt.title(title)
        if height >= 12:  # axis labels cost a row: only when there is room
            if self.spec.xlabel:
                plt.xlabel(self.spec.xlabel)
            if self.spec.ylabel:
                plt.ylabel(self.spec.ylabel)
        if self.series is not None and width > 10 and height > 3:
            try:
                self.draw(self.series, max(4, width - _Y_TICKS_WIDTH), max(2, height - 4))
            except Exception as err:  # a malformed series must never take the live app down
                plt.clear_data()
                plt.title(f"cannot draw {self.spec.name}: {type(err).__name__}")
        return super().render()

    def draw(self, s: Series, columns: int, rows: int) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers shared by kinds -------------------------------------------------------
    def _line(self, x, y, color, label=None, columns=80) -> bool:
        xs, ys = envelope(x, y, columns)
        if len(xs) == 0:
            return False
        if len(xs) == 1:
            self.plt.scatter(xs.tolist(), ys.tolist(), color=color, label=label)
        else:
            self.plt.plot(xs.tolist(), ys.tolist(), color=color, label=label, marker="braille")
        return True

    def _limits(self, x_range, y_range) -> None:
        for lim, rng in ((self.plt.xlim, x_range), (self.plt.ylim, y_range)):
            if rng is not None and all(np.isfinite(rng)) and rng[1] > rng[0]:
                lim(float(rng[0]), float(rng[1]))


class TraceChart(PlotChart):
    """Signals over time: one line per row of y, plus horizontal reference lines."""

    def draw(self, s: Series, columns: int, rows: int) -> None:
        colors = self.palette()
        y = np.atleast_2d(np.asarray(s.y, dtype=float))
        x = np.arange(y.shape[1], dtype=float) if s.x is None else np.asarray(s.x, dtype=float)
        many = y.shape[0] > 1 and len(s.labels) == y.shape[0]
        for i, row in enumerate(y):
            self._line(x, row, colors[i % len(colors)], s.labels[i] if many else None, columns)
        for j, (name, level) in enumerate(s.hlines.items()):
            if np.isfinite(level):
                self.plt.horizontal_line(float(level), color=colors[(j + 1) % len(colors)])
        self._limits(s.x_range, s.y_range)


class CurveChart(PlotChart):
    """A measured curve with theory overlays and 'now' markers (f-I curve, STDP window)."""

    def draw(self, s: Series, columns: int, rows: int) -> None:
        colors = self.palette()
        legend = bool(s.overlays or s.markers)
        if s.x is not None and len(s.y):
            label = (s.labels[0] if s.labels else "measured") if legend else None
            self._line(s.x, s.y, colors[0], label, columns)
        for k, (name, (ox, oy)) in enumerate(s.overlays.items()):  # drawn over the data
            self._line(ox, oy, colors[(k + 1) % len(colors)], name, columns)
        for name, (mx, my) in s.markers.items():
            if np.isfinite(mx) and np.isfinite(my):
                self.plt.scatter([float(mx)], [float(my)], color=colors[2 % len(colors)], marker="◆", label=name)
        self._limits(s.x_range, s.y_range)


class RasterChart(PlotChart):
    """Spike raster: one dot per occupied screen cell, colour by group (E/I)."""

    def draw(self, s: Series, columns: int, rows: int) -> None:
        colors = self.palette()
        x, y = finite_xy(s.x if s.x is not None else [], s.y)
        fy = finite_values(y)
        lo, hi = s.y_range if s.y_range else ((float(fy.min()) if len(fy) else 0.0), (float(fy.max()) if len(fy) else 1.0))
        y_lo, y_hi = lo - 0.5, hi + 0.5
        if s.x_range:
            x_lo, x_hi = s.x_range
        elif len(x):
            x_lo, x_hi = float(np.nanmin(x)), float(np.nanmax(x))
        else:
            x_lo, x_hi = 0.0, 1.0
        groups = (np.zeros(len(x), dtype=int) if s.groups is None or len(s.groups) != len(x)
                  else np.asarray(s.groups, dtype=int))
        for g in np.unique(groups) if len(groups) else []:
            sel = groups == g
            gx, gy = raster_cells(x[sel], y[sel], x_lo, x_hi, y_lo, y_hi, columns, min(rows, int(hi - lo + 1)))
            if len(gx):
                self.plt.scatter(gx.tolist(), gy.tolist(), color=colors[int(g) % len(colors)], marker="|")
        if x_hi > x_lo:
            self.plt.xlim(float(x_lo), float(x_hi))
        self.plt.ylim(float(y_lo), float(y_hi))
        n_cells = int(hi - lo + 1)
        if n_cells <= rows:  # one tick per cell: integer cell numbers, never 0.83
            ticks = list(range(int(lo), int(hi) + 1))
            self.plt.yticks(ticks, [str(t) for t in ticks])


class HistogramChart(PlotChart):
    def draw(self, s: Series, columns: int, rows: int) -> None:
        v = finite_values(s.y)
        if len(v) == 0:
            return
        rng = s.x_range if s.x_range and s.x_range[1] > s.x_range[0] else None
        counts, edges = np.histogram(v, bins=max(1, min(s.bins, columns)), range=rng)
        centres = (edges[:-1] + edges[1:]) / 2
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
        self.plt.bar(centres.tolist(), counts.tolist(), color=self.palette()[0], width=width * 0.9)
        ticks = np.linspace(edges[0], edges[-1], 5)
        self.plt.xticks(ticks.tolist(), [f"{t:.3g}" for t in ticks])


class ScatterChart(PlotChart):
    def draw(self, s: Series, columns: int, rows: int) -> None:
        colors = self.palette()
        x, y = finite_xy(s.x if s.x is not None else np.arange(len(s.y)), s.y)
        if len(x):
            lo_x, hi_x = s.x_range or (float(x.min()), float(x.max()))
            lo_y, hi_y = s.y_range or (float(y.min()), float(y.max()))
            x, y = raster_cells(x, y, lo_x, hi_x, lo_y, hi_y, columns * 2, rows * 4)
            self.plt.scatter(x.tolist(), y.tolist(), color=colors[0], marker="braille")
        for k, (name, (ox, oy)) in enumerate(s.overlays.items()):
            self._line(ox, oy, colors[(k + 1) % len(colors)], name, columns)
        self._limits(s.x_range, s.y_range)


class BarsChart(PlotChart):
    def draw(self, s: Series, columns: int, rows: int) -> None:
        v = np.asarray(s.y, dtype=float).ravel()
        v = np.where(np.isfinite(v), v, 0.0)
        labels = list(s.labels) if len(s.labels) == len(v) else [str(i) for i in range(len(v))]
        if len(v):
            self.plt.bar(labels, v.tolist(), color=self.palette()[0])
