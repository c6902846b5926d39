"""Data preparation for charts: finite values only, about two points per column.

Thin adapters over `sim.decimate` (shared with the CLI's terminal charts): plotext's cost
grows with the number of points and it crashes on inf, so every chart passes its arrays
through here first.
"""

from __future__ import annotations

import numpy as np

from sim.decimate import finite_xy as _finite_xy
from sim.decimate import grid_thin, minmax_decimate

__all__ = ["finite_xy", "envelope", "in_window", "raster_cells", "finite_values"]


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
