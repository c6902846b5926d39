"""Long runs and heavy labs: memory does not grow with duration, work comes in bounded
chunks, and the Song engine's cost grows with steps plus events, not steps times spikes.

These check the mechanisms in seconds (short runs against 10x longer ones, with small
chunks); benchmarks/memory.py measures peak memory of hour-long runs, and
benchmarks/engine.py times the heavy stdp run.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from hebblab.sim import conductance_lif
from hebblab.sim.conductance_lif import CellParams, PlasticCondLIF
from hebblab.sim.labs import all_labs, base
from hebblab.sim.labs.base import CHUNK_STEPS, CHUNK_VALUES
from hebblab.sim.plasticity.stdp import PairSTDP
from hebblab.sim.poisson_blocks import block_rng, poisson_block

LABS = all_labs()
# Smaller (faster) settings where a lab's defaults are slow; the mechanism is the same.
FAST = {"ei": {"n_cells": 400}, "stdp": {"n_inputs": 300}}
# Biological time a short run must cover to reach its peak (stdp: two input blocks of 1 s
# alive at a block switch).
WARM_MS = {"stdp": 1_200.0}
SMALL_CHUNK = 128


def traced_peak(fn) -> int:
    """Peak bytes allocated (and still held at the peak) while fn runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def make(name: str, **params):
    return LABS[name]({**FAST.get(name, {}), **params}, seed=3)


@pytest.mark.parametrize("name", list(LABS))
def test_step_hands_advance_bounded_chunks(name, monkeypatch):
    monkeypatch.setattr(base, "CHUNK_STEPS", 64)
    lab = make(name)
    asked = []
    advance = lab._advance
    lab._advance = lambda n: (asked.append(n), advance(n))[1]
    chunk = lab.chunk_steps()
    assert 1 <= chunk <= 64
    lab.step(3 * 64 + 5)
    assert asked and max(asked) <= chunk
    assert sum(asked) == 3 * 64 + 5 or lab.diverged


def test_wide_labs_take_fewer_steps_per_chunk():
    # hebb at 64 x 64 holds ~270 numbers a step: its chunks shrink so that its arrays stay
    # at CHUNK_VALUES numbers; at the default 2 x 2 they are 20 times longer.
    narrow, wide = LABS["hebb"](), LABS["hebb"]({"n_pre": 64, "n_post": 64})
    assert wide.chunk_steps() * 2 * (64 + 64) <= CHUNK_VALUES
    assert CHUNK_STEPS >= narrow.chunk_steps() > 20 * wide.chunk_steps()


@pytest.mark.parametrize("name", list(LABS))
def test_peak_memory_does_not_grow_with_duration(name, monkeypatch):
    # Before chunking, one step(n) allocated (n x cells) arrays: a 10x longer run took
    # ~10x the memory (hebb 64x64 reached 13 GB). Now the longer run peaks where the short
    # one did.
    monkeypatch.setattr(base, "CHUNK_STEPS", SMALL_CHUNK)
    lab = make(name)
    short = max(8 * SMALL_CHUNK, lab.steps_for(WARM_MS.get(name, 0.0)))
    peaks = []
    for steps in (short, 10 * short):
        lab.reset()
        peaks.append(traced_peak(lambda: lab.step(steps)))
    assert peaks[1] <= 1.1 * peaks[0] + 256 * 1024, f"{name}: peak {peaks[0]} B over {short} steps, {peaks[1]} B over 10x"


def test_the_issue_hebb_network_stays_flat_at_real_chunk_sizes():
    # 64 x 64 cells all firing every bin: 13 GB after a minute before chunking.
    lab = LABS["hebb"]({"n_pre": 64, "n_post": 64, "p_pre": 1.0, "threshold": -2.0}, seed=1)
    steps = lab.chunk_steps() + 1
    peaks = []
    for n in (steps, 10 * steps):
        lab.reset()
        peaks.append(traced_peak(lambda: lab.step(n)))
    assert peaks[1] <= 1.1 * peaks[0] + 256 * 1024
    assert peaks[1] < 64e6  # a chunk's arrays and its 123,000 spikes, not gigabytes


# -- the Song engine's work ---------------------------------------------------------------
N, DT, BLOCK = 2000, 0.1, 10_000


def engine(cls=PlasticCondLIF, rate_hz=200.0, n=N, g_max=0.01, fixed=False, chunk=512, seed=4):
    p = rate_hz * DT / 1000.0
    a_plus = 0.01 * g_max
    rule = PairSTDP(a_plus, 1.05 * a_plus, 20.0, 20.0, g_max)
    w0 = np.random.default_rng(seed).random(n) * g_max
    blocks = lambda j: poisson_block(block_rng(seed, 1, j), n, BLOCK, p)  # noqa: E731
    return cls(CellParams(fixed_drive=fixed), rule, w0, blocks, BLOCK, chunk)


def counting(cls):
    """cls, counting the steps the engine computes (committed or thrown away at a spike)
    and the pieces it computes them in."""

    class Counting(cls):
        computed = pieces = 0

        def _piece_inputs(self, blk, lo, e0, e1, first_step, n_steps, w_after, xp0):
            self.computed += n_steps
            self.pieces += 1
            return super()._piece_inputs(blk, lo, e0, e1, first_step, n_steps, w_after, xp0)
    return Counting


def with_pieces(size):
    """The engine with every piece `size` steps (None: whole chunks, the engine before pieces)."""
    class Fixed(PlasticCondLIF):
        _piece = property(lambda self: self.L if size is None else size, lambda self, value: None)
    return Fixed


def test_a_cell_firing_every_step_costs_steps_not_steps_times_chunk():
    # 2000 inputs at 200 Hz fire the cell about every other step. Each output spike used to
    # throw away the rest of a 512-step chunk (computed anew after every spike: ~250x the
    # steps); now a chunk is computed in pieces that stop at the spike.
    eng = engine(counting(PlasticCondLIF))
    spikes = eng.advance(2_000)
    assert len(spikes) >= 500, "the cell must fire often for this test to mean anything"
    assert eng.computed <= 3 * 2_000


def test_a_quiet_cell_does_no_more_work_than_whole_chunks():
    # Song's regime (1000 inputs at 15 Hz): chunks hold few events and are computed whole.
    runs = []
    for cls in (counting(with_pieces(None)), counting(PlasticCondLIF)):
        eng = engine(cls, rate_hz=15.0, n=1000)
        runs.append((eng.advance(20_000), eng.computed, eng.pieces))
    (spikes, computed, pieces), (spikes_now, computed_now, pieces_now) = runs
    assert len(spikes) >= 10 and spikes_now == spikes
    assert computed_now <= computed and pieces_now <= pieces


@pytest.mark.parametrize("fixed", [False, True])
@pytest.mark.parametrize("rate_hz,n,g_max,steps", [
    (15.0, 1000, 0.01, 6_000), (200.0, 500, 0.01, 2_000), (40.0, 60, 0.08, 6_000)])
def test_piece_sizes_do_not_change_a_single_bit(fixed, rate_hz, n, g_max, steps, monkeypatch):
    # Pieces continue the chunk's running sums exactly, so one-step pieces, whole chunks
    # (the engine before pieces) and the adaptive default give identical spikes and weights.
    monkeypatch.setattr(conductance_lif, "PIECE_EVENTS", -1)  # pieces even in chunks with few events
    out = []
    for cls in (with_pieces(None), with_pieces(1), with_pieces(7), PlasticCondLIF):
        eng = engine(cls, rate_hz, n, g_max, fixed)
        spikes = eng.advance(steps)
        out.append((spikes, eng.weights_at(steps), eng.v_at(steps)))
    assert len(out[0][0]) > 5
    for spikes, w, v in out[1:]:
        assert spikes == out[0][0]
        assert np.array_equal(w, out[0][1]) and v == out[0][2]
