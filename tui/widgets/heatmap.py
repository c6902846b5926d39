"""A heat-map for "matrix" series, drawn with coloured cells instead of plotext.

plotext's heat-map draws through its full figure machinery and costs far more than a
frame allows; a matrix is just coloured cells, so this widget maps values straight to
cached styles through the Line API. Few rows (a 2x2 network's four synapses) get bands of
whole cells with row labels; many rows use half blocks (two pixels per cell, vertically).
Values are normalised by the series' vmin/vmax (else the data range); a range spanning 0
uses a diverging map so sign (excitatory vs inhibitory) is visible. NaN shows as blank.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from hebblab.sim.series import Series, SeriesSpec
from hebblab.tui.widgets.chart_data import same_data

LEVELS = 32
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
    """Map values to 0..LEVELS-1 (-1 for non-finite); returns levels, lo, hi, ramp name."""
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


class HeatMap(Widget):
    """Heat-map widget: title line, coloured map, legend line."""

    DEFAULT_CSS = """
    HeatMap { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, spec: SeriesSpec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.series: Series | None = None
        self._lines: list[Strip] = []
        self._built_for: tuple | None = None
        self._styles: dict[tuple, Style] = {}
        self.tooltip = f"{spec.title}: {spec.help}" if spec.help else spec.title

    def show_series(self, series: Series) -> None:
        if same_data(self.series, series):
            return  # frozen or settled weights: nothing new to draw
        self.series = series
        self._built_for = None
        self.refresh()

    def on_resize(self) -> None:
        self._built_for = None

    def render_line(self, y: int) -> Strip:
        key = (self.size, id(self.series), self.app.theme)
        if self._built_for != key:
            try:
                self._lines = self._build(*self.size)
            except Exception as err:  # a malformed series must never take the live app down
                message = f"cannot draw {self.spec.name}: {type(err).__name__}: {err}"
                self._lines = [self._text_line(self.spec.title, self.size.width),
                               self._text_line(message, self.size.width, Style(color="red"))]
            self._built_for = key
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    # -- building ---------------------------------------------------------------------
    def _style(self, ramp: str, fg: int, bg: int) -> Style:
        key = (ramp, fg, bg)
        style = self._styles.get(key)
        if style is None:
            colours = RAMPS[ramp]
            base = self.rich_style
            style = Style(color=colours[fg] if fg >= 0 else None,
                          bgcolor=colours[bg] if bg >= 0 else base.bgcolor)
            self._styles[key] = style
        return style

    def _text_line(self, text: str, width: int, style: Style | None = None) -> Strip:
        text = text[:width].ljust(width)
        return Strip([Segment(text, style or self.rich_style)], width)

    def _build(self, width: int, height: int) -> list[Strip]:
        self._styles.clear()  # the theme (background) may have changed
        base = self.rich_style
        title = Style(bold=True) + base
        lines = [self._text_line(self.spec.title.center(width), width, title)]
        s = self.series
        if s is None or height < 3 or width < 4:
            return lines
        y = np.atleast_2d(np.asarray(s.y, dtype=float))
        if y.size == 0:
            return lines
        levels, lo, hi, ramp = colour_levels(y, s.vmin, s.vmax)
        n_rows, n_cols = levels.shape
        bar, axis_text = self._legend_parts(width, lo, hi, s)
        labels = list(s.labels) if len(s.labels) == n_rows else [str(i) for i in range(n_rows)]
        label_w = min(max((len(t) for t in labels), default=0) + 1, width // 4) if labels else 0
        # A small matrix gets its columns named under it ("post cell 0", or just "0" when
        # narrow) if a spare row allows; the full names make the axis label redundant.
        heads = self._column_heads(n_cols, width - label_w)
        if heads is not None and height - 3 < n_rows:
            heads = None
        if heads is not None and heads[0].startswith(self.spec.xlabel or "\0"):
            axis_text = ""
        # The axis label ("post cell") shares the legend line when it fits, else gets its own line.
        legend_w = len(bar[0]) + bar[1] + len(bar[2])
        own_axis_line = bool(axis_text) and legend_w + len(axis_text) > width and height >= 5
        area_h = height - 2 - own_axis_line - (heads is not None)
        if n_rows > area_h:
            labels, label_w, heads = [], 0, None
            area_h = height - 2 - own_axis_line
        area_w = width - label_w
        cols = _resample(n_cols, area_w)
        if n_rows <= area_h:
            band = area_h // n_rows
            # Few wide cells: print each value in its cell (the 2x2 chapter network).
            show_values = n_cols * 7 <= area_w and band >= 1
            for r in range(n_rows):
                row = levels[r, cols]
                for k in range(band):
                    label = labels[r] if labels and k == band // 2 else ""
                    values = y[r] if show_values and k == band // 2 else None
                    lines.append(self._cells(label, label_w, row, row, ramp, full=True, values=values, cols=cols))
        else:
            src = _resample(n_rows, area_h * 2)
            for r in range(area_h):
                top = levels[src[2 * r], cols]
                bottom = levels[src[2 * r + 1], cols]
                lines.append(self._cells("", 0, top, bottom, ramp, full=False))
        if heads is not None:
            lines.append(self._heads_line(heads, cols, label_w, width))
        if own_axis_line:
            text = axis_text.strip()
            pad = label_w + max(0, (area_w - len(text)) // 2)
            lines.append(self._text_line(" " * pad + text, width, Style(dim=True) + base))
            axis_text = ""
        lines.append(self._legend(width, ramp, bar, axis_text))
        while len(lines) < height:  # rows the bands left over: below, so labels hug the map
            lines.append(self._text_line("", width))
        return lines[:height]

    def _column_heads(self, n_cols: int, area_w: int) -> list[str] | None:
        """Names for a few columns, fitting their blocks (None when they would not)."""
        if n_cols > 12 or n_cols == 0:
            return None
        block = area_w // n_cols
        long = [f"{self.spec.xlabel} {j}" for j in range(n_cols)] if self.spec.xlabel else None
        if long and max(map(len, long)) + 2 <= block:  # a gap of two between names
            return long
        short = [str(j) for j in range(n_cols)]
        return short if max(map(len, short)) + 1 <= block else None

    def _heads_line(self, heads: list[str], cols: np.ndarray, label_w: int, width: int) -> Strip:
        text = [" "] * width
        for j, head in enumerate(heads):
            where = np.flatnonzero(cols == j)
            if len(where) == 0:
                continue
            start = label_w + int(where[0]) + max(0, (len(where) - len(head)) // 2)
            text[start:start + len(head)] = list(head)
        return self._text_line("".join(text)[:width], width, Style(dim=True) + self.rich_style)

    def _cells(self, label: str, label_w: int, top: np.ndarray, bottom: np.ndarray, ramp: str, full: bool,
               values: np.ndarray | None = None, cols: np.ndarray | None = None) -> Strip:
        segments = []
        if label_w:
            segments.append(Segment(label[: label_w - 1].rjust(label_w - 1) + " ", self.rich_style))
        if values is not None and cols is not None:
            return Strip(segments + self._value_cells(top, values, cols, ramp), label_w + len(top))
        # Run-length encode equal neighbours: fewer segments, faster compositing.
        i, n = 0, len(top)
        while i < n:
            j = i + 1
            while j < n and top[j] == top[i] and bottom[j] == bottom[i]:
                j += 1
            if full:
                segments.append(Segment(" " * (j - i), self._style(ramp, -1, int(top[i]))))
            else:
                segments.append(Segment("▀" * (j - i), self._style(ramp, int(top[i]), int(bottom[i]))))
            i = j
        return Strip(segments, label_w + n)

    def _value_cells(self, levels: np.ndarray, values: np.ndarray, cols: np.ndarray, ramp: str) -> list[Segment]:
        """One segment per matrix column block, its value centred, text in black or white."""
        out = []
        i, n = 0, len(cols)
        while i < n:
            j = i + 1
            while j < n and cols[j] == cols[i]:
                j += 1
            level = int(levels[i])
            v = values[cols[i]]
            text = f"{v:.3g}" if np.isfinite(v) else ("—" if np.isnan(v) else ("∞" if v > 0 else "-∞"))
            ink = "#000000" if level >= LEVELS * 0.55 or (ramp == "diverging" and LEVELS * 0.3 < level < LEVELS * 0.7) else "#ffffff"
            bg = RAMPS[ramp][level] if level >= 0 else self.rich_style.bgcolor
            out.append(Segment(text[: j - i].center(j - i), Style(color=ink, bgcolor=bg)))
            i = j
        return out

    def _legend_parts(self, width: int, lo: float, hi: float, s: Series) -> tuple[tuple[str, int, str], str]:
        """((left value, colour-bar width, right value), axis text) of the legend line."""
        left, right = f"{lo:.3g} ", f" {hi:.3g}"
        bar_w = max(0, min(12, width - len(left) - len(right)))
        extra = ""
        if s.x is not None and len(s.x):
            x = np.asarray(s.x, dtype=float)
            x = x[np.isfinite(x)]
            if len(x):
                extra = f"  {self.spec.xlabel or 'x'}: {x.min():.4g}..{x.max():.4g}"
        elif self.spec.xlabel:
            extra = f"  {self.spec.xlabel}"
        return (left, bar_w, right), extra

    def _legend(self, width: int, ramp: str, bar: tuple[str, int, str], extra: str) -> Strip:
        colours = RAMPS[ramp]
        left, bar_w, right = bar
        segments = [Segment(left, self.rich_style)]
        for k in range(bar_w):
            segments.append(Segment(" ", Style(bgcolor=colours[int(k * (LEVELS - 1) / max(bar_w - 1, 1))])))
        segments.append(Segment(right, self.rich_style))
        used = len(left) + bar_w + len(right)
        segments.append(Segment(extra[: max(0, width - used)].ljust(max(0, width - used)), self.rich_style))
        return Strip(segments, width)
