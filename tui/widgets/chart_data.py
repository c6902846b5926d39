"""Data preparation for charts: finite values only, about two points per column.

Thin adapters over `hebblab.reduce` (shared with the CLI's terminal charts): plotext's cost
grows with the number of points and it crashes on inf, so every chart passes its arrays
through here first.
"""

from __future__ import annotations

import numpy as np

from hebblab.reduce import finite_xy as _finite_xy
from hebblab.reduce import grid_thin, minmax_decimate

__all__ = ["finite_xy", "envelope", "in_window", "raster_cells", "finite_values", "same_data"]


def finite_xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Finite (x, y) pairs; arrays of unequal length are cut to the shorter (never raise)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    n = min(x.size, y.size)
    return _finite_xy(x[:n], y[:n])


def envelope(x, y, columns: int, x_range: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Finite points reduced to each column's min and max, in time order.

    With an x range, only the points inside it (plus one neighbour on each side, so a
    line still reaches the edge) are reduced: the columns are the plot's columns.
    """
    x, y = finite_xy(x, y)
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


def raster_cells(x, y, x_lo: float, x_hi: float, y_lo: float, y_hi: float,
                 columns: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Points (spikes) reduced to one per occupied screen cell."""
    return grid_thin(x, y, max(1, columns), max(1, rows), (x_lo, x_hi), (y_lo, y_hi))


def finite_values(v) -> np.ndarray:
    v = np.asarray(v, dtype=float).ravel()
    return v[np.isfinite(v)]


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
                 "bins", "vmin", "vmax")


def same_data(a, b) -> bool:
    """True if two Series would draw the same chart (a new version with equal data is
    common: a lab bumps every series' version each step). Costs O(points), far below a
    chart rebuild."""
    if a is None or b is None or a.spec != b.spec:
        return False
    return all(_same(getattr(a, f), getattr(b, f)) for f in _DRAWN_FIELDS)
