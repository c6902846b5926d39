"""hebblab.reduce: chart data reduction keeps what the eye must see (extremes, every cell)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hebblab.reduce import finite_matrix, finite_xy, grid_thin, minmax_decimate

finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 3000), elements=finite), st.integers(2, 400))
def test_minmax_keeps_extremes_order_and_budget(y, max_points):
    x = np.arange(y.size, dtype=np.float64)
    dx, dy = minmax_decimate(x, y, max_points)
    assert dx.size <= max_points
    assert dy.max() == y.max() and dy.min() == y.min()
    assert np.all(np.diff(dx) > 0)  # time order, no duplicates
    np.testing.assert_array_equal(dy, y[dx.astype(int)])  # only real samples


def test_minmax_keeps_a_single_sample_spike():
    y = np.full(1_000_000, -70.0)
    y[123_457] = 20.0
    x, d = minmax_decimate(np.arange(y.size) * 0.1, y, 200)
    assert d.size <= 200 and d.max() == 20.0
    assert x[d.argmax()] == pytest.approx(12345.7)


def test_short_input_unchanged():
    x, y = np.arange(5.0), np.arange(5.0) ** 2
    dx, dy = minmax_decimate(x, y, 10)
    assert dx is x and dy is y
    with pytest.raises(ValueError):
        minmax_decimate(x, y, 1)


def test_finite_xy_drops_bad_points():
    x, y = finite_xy([1, 2, 3, np.nan, 5], [1, np.inf, -np.inf, 4, np.nan])
    assert x.tolist() == [1.0] and y.tolist() == [1.0]
    with pytest.raises(ValueError):
        finite_xy([1, 2], [1])


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(0, 2000), elements=st.floats(0, 1)), st.integers(1, 40), st.integers(1, 20))
def test_grid_thin_keeps_one_point_per_occupied_cell(v, cols, rows):
    x, y = v, v[::-1].copy()
    tx, ty = grid_thin(x, y, cols, rows, (0.0, 1.0), (0.0, 1.0))
    assert tx.size <= cols * rows or tx.size == x.size  # small inputs come back whole
    def cells(a, b):
        return set(zip(np.minimum((a * cols).astype(int), cols - 1).tolist(),
                       np.minimum((b * rows).astype(int), rows - 1).tolist()))
    assert cells(tx, ty) == cells(x, y)  # the picture is the same


def test_grid_thin_drops_out_of_range_and_nonfinite():
    x, y = grid_thin([0.5, 2.0, np.nan, 0.7], [0.5, 0.5, 0.5, np.inf], 10, 10, (0, 1), (0, 1))
    assert x.tolist() == [0.5] and y.tolist() == [0.5]


def test_finite_matrix():
    m, bad = finite_matrix(np.array([[1.0, np.nan], [np.inf, -np.inf]]))
    assert bad and m.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    m, bad = finite_matrix(np.array([[0.0, 2.0], [np.inf, np.nan]]))
    assert m.tolist() == [[0.0, 2.0], [2.0, 0.0]]
    m, bad = finite_matrix(np.array([[np.nan]]))
    assert bad and m.tolist() == [[0.0]]
    m, bad = finite_matrix(np.eye(2))
    assert not bad


def test_envelope_reduces_inside_the_window_and_keeps_one_neighbour_each_side():
    from hebblab.reduce import envelope

    x = np.arange(1000.0)
    y = np.sin(x / 10)
    y[500] = 5.0
    ex, ey = envelope(x, y, 20, x_range=(100.0, 899.0))
    assert ex.size <= 40 and ex.min() >= 99.0 and ex.max() <= 900.0 and ey.max() == 5.0
    ex, ey = envelope(x, x.copy(), 20, x_range=(100.0, 899.0))  # a ramp: its ends are its extremes
    assert ex.min() == 99.0 and ex.max() == 900.0  # the neighbours carry the line to the edges


def test_finite_pairs_cuts_unequal_arrays_instead_of_raising():
    from hebblab.reduce import finite_pairs

    x, y = finite_pairs([1.0, 2.0, np.nan, 4.0], [1.0, np.inf, 3.0])
    assert x.tolist() == [1.0] and y.tolist() == [1.0]
