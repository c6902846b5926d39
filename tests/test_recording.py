"""Bounded recorders: RingBuffer keeps the newest rows, SpikeRecorder keeps exact totals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hebblab.sim.recording import RingBuffer, SpikeRecorder


def test_ring_buffer_fills_then_wraps():
    rb = RingBuffer(5)
    assert len(rb) == 0 and rb.view().shape == (0,)
    with pytest.raises(IndexError):
        rb.last()
    rb.append(np.arange(3.0))
    assert np.array_equal(rb.view(), [0, 1, 2]) and rb.last() == 2
    rb.append(np.arange(3.0, 7.0))
    assert np.array_equal(rb.view(), [2, 3, 4, 5, 6])
    assert rb.total == 7 and len(rb) == 5 and rb.last() == 6
    rb.append(np.arange(100.0, 112.0))  # a block longer than the capacity
    assert np.array_equal(rb.view(), np.arange(107.0, 112.0))
    assert rb.total == 19


def test_ring_buffer_rows_and_capacity_check():
    rb = RingBuffer(3, row_shape=(2,))
    rb.append(np.arange(10.0).reshape(5, 2))
    assert np.array_equal(rb.view(), [[4, 5], [6, 7], [8, 9]])
    with pytest.raises(ValueError):
        RingBuffer(0)


@settings(max_examples=200, deadline=None)
@given(capacity=st.integers(1, 20), blocks=st.lists(st.integers(0, 30), max_size=15))
def test_ring_buffer_equals_the_tail_of_everything_appended(capacity, blocks):
    rb = RingBuffer(capacity)
    everything = []
    nbytes = rb.nbytes
    for k in blocks:
        rows = np.arange(len(everything), len(everything) + k, dtype=float)
        everything += rows.tolist()
        rb.append(rows)
        assert rb.nbytes == nbytes  # never grows
    assert rb.total == len(everything)
    assert rb.view().tolist() == everything[-capacity:]  # [] when nothing was appended
    assert rb.indices().tolist() == [int(x) for x in rb.view()]  # each row was its own index


def test_spike_recorder_totals_exact_after_wrap():
    rec = SpikeRecorder(2, capacity=4)
    # cell 0 every 10 ms from 10 ms, cell 1 every 25 ms from 5 ms, in time order, in blocks.
    spikes = sorted([(10.0 * i, 0) for i in range(1, 21)] + [(5.0 + 25.0 * i, 1) for i in range(8)])
    t = np.array([s[0] for s in spikes])
    c = np.array([s[1] for s in spikes])
    for lo in range(0, len(t), 3):
        rec.record(t[lo:lo + 3], c[lo:lo + 3])
    assert rec.total == 28 and list(rec.counts) == [20, 8]
    assert rec.first_ms.tolist() == [10.0, 5.0] and rec.last_ms.tolist() == [200.0, 180.0]
    assert rec.isi_rate_hz() == pytest.approx([100.0, 40.0])
    assert rec.cv_isi() == pytest.approx([0.0, 0.0], abs=1e-6)
    times, cells = rec.recent()
    assert times.tolist() == t[-4:].tolist() and cells.tolist() == c[-4:].tolist()
    assert rec.times.nbytes == 4 * 8


def test_spike_recorder_cv_of_irregular_train():
    rec = SpikeRecorder(1)
    isi = np.array([10.0, 30.0, 10.0, 30.0])
    rec.record(np.cumsum(isi), np.zeros(4, dtype=int))
    # ISIs between recorded spikes: 30, 10, 30 -> mean 70/3, sd sqrt(800/9)
    mean, sd = 70 / 3, np.sqrt(((30 - 70 / 3) ** 2 * 2 + (10 - 70 / 3) ** 2) / 3)
    assert rec.cv_isi()[0] == pytest.approx(sd / mean)
    assert np.isnan(SpikeRecorder(1).isi_rate_hz()[0])


def test_spike_recorder_memory_does_not_grow():
    rec = SpikeRecorder(10, capacity=1000)
    before = rec.times.nbytes + rec.cells.nbytes
    rng = np.random.default_rng(0)
    t0 = 0.0
    for _ in range(200):
        t = t0 + np.sort(rng.random(500))
        rec.record(t, rng.integers(0, 10, 500))
        t0 = t[-1] + 1.0
    assert rec.total == 100_000
    assert rec.times.nbytes + rec.cells.nbytes == before
    assert len(rec.recent()[0]) == 1000
