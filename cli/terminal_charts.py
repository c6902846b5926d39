"""Static terminal charts of a lab's series, for `hebblab run` (plotext, one string each).

Every series kind is drawn (trace, raster, matrix, histogram, curve, scatter, bars).
Data is sanitised first (NaN/inf dropped: plotext crashes on inf) and reduced to what the
terminal can show (hebblab.reduce: min/max envelope for lines, one point per cell for
points), so drawing cost does not grow with run length. Heat-maps are drawn with shade
characters (no plotext), so they read the same with or without colour.

plotext is imported inside the functions: `hebblab run --json` never loads it.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

import numpy as np

from hebblab.reduce import finite_matrix, finite_xy, grid_thin, minmax_decimate
from hebblab.sim.series import Series

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
SHADES = "·░▒▓█"
LINE_COLORS = ("blue+", "red+", "green+", "magenta+", "cyan+", "yellow+")


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
    if s.kind == "matrix":
        return _heatmap(s, width, height)
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    drew = _DRAW[s.kind](plt, s, width, height, color)
    title = s.spec.title
    if not drew:
        return _empty(title, width)
    if isinstance(drew, str):
        title += f" {drew}"
    plt.title(title)
    plt.xlabel(s.spec.xlabel)
    plt.ylabel(s.spec.ylabel)
    text = plt.build()
    plt.clear_figure()
    return text if color else _ANSI.sub("", text)


def _empty(title: str, width: int) -> str:
    return f"{title}\n  (no data to draw)"  # a finished run: "yet" would promise more


def _hidden_note(n_bad: int) -> str | bool:
    return f"({n_bad} non-finite points hidden)" if n_bad else True


def _color(i: int, color: bool) -> str | None:
    return LINE_COLORS[i % len(LINE_COLORS)] if color else None


def _line(plt, x, y, label, i, color, max_points) -> int:
    """Plot one line, decimated; returns how many non-finite points were dropped."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    fx, fy = finite_xy(x, y)
    if fx.size == 0:
        return y.size
    order = np.argsort(fx, kind="stable") if fx.size > 1 and np.any(np.diff(fx) < 0) else None
    if order is not None:
        fx, fy = fx[order], fy[order]
    dx, dy = minmax_decimate(fx, fy, max_points)
    plt.plot(dx.tolist(), dy.tolist(), label=label or None, color=_color(i, color))
    return y.size - fx.size


def _trace(plt, s: Series, width, height, color):
    y = np.asarray(s.y, dtype=np.float64)
    rows = y.reshape(1, -1) if y.ndim == 1 else y
    if rows.size == 0:
        return False
    x = np.arange(rows.shape[1], dtype=np.float64) if s.x is None else np.asarray(s.x, dtype=np.float64)
    bad = 0
    for i, row in enumerate(rows):
        label = s.labels[i] if i < len(s.labels) else ""
        bad += _line(plt, x, row, label, i, color, 2 * width)
    fx = x[np.isfinite(x)]
    if fx.size:
        for j, (name, value) in enumerate(s.hlines.items()):
            if np.isfinite(value):
                plt.plot([float(fx.min()), float(fx.max())], [float(value)] * 2, label=name,
                         color=_color(len(rows) + j, color))
    if bad == rows.size:
        return False
    return _hidden_note(bad)


def _raster(plt, s: Series, width, height, color):
    x = np.asarray(s.x if s.x is not None else [], dtype=np.float64).ravel()
    y = np.asarray(s.y, dtype=np.float64).ravel()
    if x.size == 0 or x.size != y.size:
        return False
    groups = np.zeros(x.size, dtype=np.int64) if s.groups is None else np.asarray(s.groups).ravel()
    x_range = s.x_range
    drew = False
    for g in np.unique(groups):
        sel = groups == g
        gx, gy = grid_thin(x[sel], y[sel], 2 * width, 4 * height, x_range, s.y_range)
        if gx.size:
            # legend only when the lab names its groups (series.labels[g])
            label = s.labels[int(g)] if s.groups is not None and 0 <= int(g) < len(s.labels) else None
            plt.scatter(gx.tolist(), gy.tolist(), marker="dot", label=label, color=_color(int(g), color))
            drew = True
    if s.y_range is not None:
        plt.ylim(*s.y_range)
        lo, hi = math.ceil(s.y_range[0]), math.floor(s.y_range[1])
        if 0 <= hi - lo <= height // 2:  # few cells: tick each cell index, not 0.5, 1.5, ...
            plt.yticks(list(range(lo, hi + 1)))
    if x_range is not None:
        plt.xlim(*x_range)
    return drew


def _histogram(plt, s: Series, width, height, color):
    values = np.asarray(s.y, dtype=np.float64).ravel()
    finite = values[np.isfinite(values)]
    if s.x_range is not None:
        finite = finite[(finite >= s.x_range[0]) & (finite <= s.x_range[1])]
    if finite.size == 0:
        return False
    counts, edges = np.histogram(finite, bins=max(1, int(s.bins)), range=s.x_range)
    centres = (edges[:-1] + edges[1:]) / 2
    plt.bar(centres.tolist(), counts.tolist(), width=0.9, color=_color(0, color), reset_ticks=False)
    return _hidden_note(values.size - np.isfinite(values).sum())


def _curve(plt, s: Series, width, height, color):
    bad = 0
    drew = False
    xs: list[np.ndarray] = []  # finite x of everything drawn: the span of the hlines
    if s.x is not None and np.asarray(s.y).size:
        # the lab's own name for its main line (lif: "euler on dt grid") beats a generic one
        label = (s.labels[0] if s.labels else "measured") if (s.overlays or s.markers) else ""
        bad += _line(plt, s.x, s.y, label, 0, color, 2 * width)
        drew = bad < np.asarray(s.y).size
        xs.append(np.asarray(s.x, dtype=np.float64).ravel())
    for i, (name, (ox, oy)) in enumerate(s.overlays.items(), start=1):
        n = np.asarray(oy).size
        if n:
            dropped = _line(plt, ox, oy, name, i, color, 2 * width)
            drew = drew or dropped < n
            xs.append(np.asarray(ox, dtype=np.float64).ravel())
    for name, (mx, my) in s.markers.items():
        if np.isfinite(mx) and np.isfinite(my):
            plt.scatter([float(mx)], [float(my)], marker="x", label=name, color=_color(5, color))
            drew = True
    fx = np.concatenate(xs) if xs else np.zeros(0)
    fx = fx[np.isfinite(fx)]
    if drew and fx.size:  # reference levels (pairing's dw = 0), as traces draw them
        for j, (name, value) in enumerate(s.hlines.items()):
            if np.isfinite(value):
                plt.plot([float(fx.min()), float(fx.max())], [float(value)] * 2, label=name,
                         color=_color(len(s.overlays) + 1 + j, color))
    return _hidden_note(bad) if drew else False


def _scatter(plt, s: Series, width, height, color):
    drew = False
    if s.x is not None:
        px, py = grid_thin(s.x, s.y, 2 * width, 4 * height, s.x_range, s.y_range)
        if px.size:
            plt.scatter(px.tolist(), py.tolist(), marker="dot", color=_color(0, color))
            drew = True
    for i, (name, (ox, oy)) in enumerate(s.overlays.items(), start=1):
        if np.asarray(oy).size:
            drew = (_line(plt, ox, oy, name, i, color, 2 * width) < np.asarray(oy).size) or drew
    return drew


def _bars(plt, s: Series, width, height, color):
    y = np.asarray(s.y, dtype=np.float64).ravel()
    labels = list(s.labels) if len(s.labels) == y.size else [str(i) for i in range(y.size)]
    keep = np.isfinite(y)
    if not keep.any():
        return False
    plt.bar([lab for lab, k in zip(labels, keep) if k], y[keep].tolist(), color=_color(0, color))
    return _hidden_note(int((~keep).sum()))


_DRAW = {"trace": _trace, "raster": _raster, "histogram": _histogram, "curve": _curve,
         "scatter": _scatter, "bars": _bars}


def _heatmap(s: Series, width: int, height: int) -> str:
    """Shade-character heat-map (rows top to bottom), with the value range and, for
    small matrices, the values themselves."""
    raw = np.atleast_2d(np.asarray(s.y, dtype=np.float64))
    if raw.size == 0:
        return _empty(s.spec.title, width)
    m, replaced = finite_matrix(raw)
    lo = float(m.min()) if s.vmin is None else float(s.vmin)
    hi = float(m.max()) if s.vmax is None else float(s.vmax)
    rows, cols = m.shape
    avail_w, avail_h = width - 8, height - 3
    m = _shrink(m, min(rows, avail_h), min(cols, avail_w))
    rows, cols = m.shape
    cell_w = max(1, min(6, avail_w // cols))
    cell_h = max(1, min(3, avail_h // rows))
    span = hi - lo
    level = np.zeros(m.shape, dtype=np.int64) if span <= 0 else np.clip(
        ((m - lo) / span * (len(SHADES) - 1)).round(), 0, len(SHADES) - 1).astype(np.int64)
    title = s.spec.title + (" (non-finite values replaced)" if replaced else "")
    lines = [title]
    label_w = len(str(rows - 1))
    for r in range(rows):
        strip = "".join(SHADES[v] * cell_w for v in level[r])
        for k in range(cell_h):
            lines.append(f"{(str(r) if k == 0 else '').rjust(label_w)} |{strip}|")
    lines.append(f"{' ' * label_w}  {s.spec.xlabel}  shades: '{SHADES[0]}' {lo:.4g} .. '{SHADES[-1]}' {hi:.4g}")
    if raw.shape[0] <= 8 and raw.shape[1] <= 8:
        lines.append("values:")
        lines += ["  " + "  ".join(f"{v:>9.4g}" for v in row) for row in raw]
    return "\n".join(lines)


def _shrink(m: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Block means down to at most rows x cols (keeps small matrices as they are)."""
    if m.shape[0] > rows:
        m = np.stack([b.mean(axis=0) for b in np.array_split(m, rows, axis=0)])
    if m.shape[1] > cols:
        m = np.stack([b.mean(axis=1) for b in np.array_split(m, cols, axis=1)], axis=1)
    return m
