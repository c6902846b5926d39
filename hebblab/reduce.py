"""Reduce chart data to what a terminal can show, and make it safe to plot.

The one home of chart data reduction, used by the chart figures (hebblab/chart_figures.py)
that both front ends draw: the TUI's live charts and the CLI's `--plot`. Pure numpy.

- `finite_xy(x, y)`: drop points where x or y is NaN/inf; `finite_pairs` also cuts
  arrays of unequal length to the shorter (a live chart must never raise).
- `minmax_decimate(x, y, max_points)`: keep each bin's min and max in time order, so
  a 1-sample spike in a million-sample trace still reaches the screen. Use about two
  points per terminal column (`envelope` does this for a plot `columns` wide).
- `grid_thin(x, y, ...)`: for scatter/raster points, keep one point per cell of a grid
  (exact for the picture: a cell is either drawn or not).
- `finite_matrix(m)`: NaN/inf replaced so heat-maps can scale (see its docstring).
"""

from __future__ import annotations

import numpy as np


def finite_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) as float arrays without the points where either is NaN or +/-inf."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y differ in length: {x.size} vs {y.size}")
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.all():
        return x, y
    return x[keep], y[keep]


def finite_pairs(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Finite (x, y) pairs; arrays of unequal length are cut to the shorter (never raise)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    n = min(x.size, y.size)
    return finite_xy(x[:n], y[:n])


def finite_values(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64).ravel()
    return v[np.isfinite(v)]


def envelope(x, y, columns: int, x_range: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Finite points of a line reduced to about two per column (each bin's min and max).

    With an x range, only the points inside it (plus one neighbour on each side, so a
    line still reaches the edge) are reduced: the columns are the plot's columns.
    """
    x, y = finite_pairs(x, y)
    if x_range is not None and len(x):
        x, y = in_window(x, y, *x_range)
    return minmax_decimate(x, y, max(2, 2 * int(columns)))


def in_window(x: np.ndarray, y: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """The points with lo <= x <= hi and their immediate neighbours (x in any order)."""
    inside = (x >= lo) & (x <= hi)
    if inside.all():
        return x, y
    keep = inside.copy()
    keep[:-1] |= inside[1:]
    keep[1:] |= inside[:-1]
    return x[keep], y[keep]


def minmax_decimate(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most `max_points` points of (x, y): per bin, its min and max in time order.

    Input arrays are 1-D and equally long (sanitise with `finite_xy` first: NaN
    would win every min/max). Short inputs come back unchanged.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    n = y.size
    if max_points < 2:
        raise ValueError("max_points must be >= 2")
    if n <= max_points:
        return x, y
    n_bins = max_points // 2
    size = -(-n // n_bins)  # ceil: every bin has `size` samples, the last may be short
    n_bins = -(-n // size)
    padded = np.empty(n_bins * size, dtype=y.dtype)
    padded[:n] = y
    padded[n:] = y[-1]  # repeat the last sample: changes no min or max
    blocks = padded.reshape(n_bins, size)
    base = np.arange(n_bins) * size
    i_min = base + blocks.argmin(axis=1)
    i_max = base + blocks.argmax(axis=1)
    first = np.minimum(i_min, i_max)
    second = np.maximum(i_min, i_max)
    idx = np.empty(2 * n_bins, dtype=np.int64)
    idx[0::2] = first
    idx[1::2] = second
    idx = np.minimum(idx, n - 1)
    # A flat bin gives the same index twice: keep it once.
    keep = np.ones(idx.size, dtype=bool)
    keep[1:] = idx[1:] != idx[:-1]
    idx = idx[keep]
    return x[idx], y[idx]


def grid_thin(
    x: np.ndarray,
    y: np.ndarray,
    columns: int,
    rows: int,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Points reduced to one per (column, row) cell of a columns x rows grid.

    The first point in each occupied cell survives, in input order. Points outside the
    given ranges are dropped. Use for rasters and scatter plots with many points.
    """
    x, y = finite_pairs(x, y)
    columns, rows = max(1, int(columns)), max(1, int(rows))
    if x.size == 0:
        return x, y
    x_lo, x_hi = x_range if x_range is not None else (float(x.min()), float(x.max()))
    y_lo, y_hi = y_range if y_range is not None else (float(y.min()), float(y.max()))
    inside = (x >= x_lo) & (x <= x_hi) & (y >= y_lo) & (y <= y_hi)
    x, y = x[inside], y[inside]
    if x.size <= columns * rows:
        return x, y
    cx = _cells(x, x_lo, x_hi, columns)
    cy = _cells(y, y_lo, y_hi, rows)
    # The first point of each cell: the lowest index landing there (a minimum per cell is
    # linear; np.unique(..., return_index=True) sorts every point).
    key = cx * rows + cy
    if key.min() < 0:  # (a range too wide for floats: no cell numbers, the old way)
        _, first = np.unique(key, return_index=True)
    else:
        first = np.full(columns * rows, x.size)
        np.minimum.at(first, key, np.arange(x.size))
        first = first[first < x.size]
    first.sort()
    return x[first], y[first]


def _cells(v: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    if hi <= lo:
        return np.zeros(v.size, dtype=np.int64)
    return np.minimum(((v - lo) / (hi - lo) * n).astype(np.int64), n - 1)


def finite_matrix(m: np.ndarray) -> tuple[np.ndarray, bool]:
    """A float copy of `m` with NaN -> the finite minimum and +/-inf -> the finite max/min.

    Returns (matrix, had_nonfinite) so a chart can say that something was replaced.
    An all-non-finite matrix becomes zeros.
    """
    m = np.array(m, dtype=np.float64)
    ok = np.isfinite(m)
    if ok.all():
        return m, False
    if not ok.any():
        return np.zeros_like(m), True
    lo, hi = float(m[ok].min()), float(m[ok].max())
    m[np.isnan(m)] = lo
    m[np.isposinf(m)] = hi
    m[np.isneginf(m)] = lo
    return m, True
