"""hebblab.sim.neurons: the per-step update, the block integrator and the block runner
against a plain reference loop written from the chapter's listing (science.md 1)."""

import math

import numpy as np
import pytest

from hebblab.sim.neurons import BlockRunner, LIFParams, LIFPopulation

CHAPTER_EULER = [43.9, 96.6, 149.3, 202.0, 254.7]


def reference(params: LIFParams, I: np.ndarray, V0=None):
    """Per-cell scalar loop of the canonical schedule; I shape (T, N)."""
    T, N = I.shape
    p = params
    V = np.full(N, p.V_rest_mV if V0 is None else V0, dtype=float)
    ref = np.zeros(N, dtype=int)
    out = np.empty((T, N))
    spikes = []
    for k in range(T):
        for i in range(N):
            if ref[i] > 0:
                ref[i] -= 1
            else:
                if p.method == "euler":
                    V[i] = V[i] + p.dt_ms * (-(V[i] - p.V_rest_mV) + p.R_m_MOhm * I[k, i]) / p.tau_m_ms
                else:
                    vi = p.V_rest_mV + p.R_m_MOhm * I[k, i]
                    V[i] = vi + (V[i] - vi) * math.exp(-p.dt_ms / p.tau_m_ms)
                if V[i] >= p.V_thresh_mV:
                    V[i] = p.V_reset_mV
                    ref[i] = p.ref_steps
                    spikes.append((k + 1, i))
        out[k] = V
    return out, spikes


def run_steps(params, I):
    pop = LIFPopulation(I.shape[1], params)
    out, spikes = np.empty_like(I), []
    for k in range(I.shape[0]):
        s = pop.step(I[k])
        out[k] = pop.V
        spikes += [(k + 1, int(i)) for i in np.flatnonzero(s)]
    return out, spikes


def run_runner(params, I, chunks=None, block_len=None):
    pop = LIFPopulation(I.shape[1], params)
    runner = BlockRunner(pop, lambda s, m: I[s:s + m], block_len=block_len)
    V, spikes = [], []
    for n in chunks or [I.shape[0]]:
        for v, st, ce in runner.step(n):
            V.append(v)
            spikes += list(zip(st.tolist(), ce.tolist()))
    return np.concatenate(V), spikes


def test_chapter_listing_spike_times_per_step():
    pop = LIFPopulation(1, LIFParams(method="euler"))
    times = [round(k * 0.1, 6) for k in range(1, 3000) if pop.step(1.8)[0]]
    assert times == CHAPTER_EULER


def test_chapter_listing_spike_times_block():
    V, spikes = run_runner(LIFParams(method="euler"), np.full((2999, 1), 1.8))
    assert [round(k * 0.1, 6) for k, _ in spikes] == CHAPTER_EULER


def test_exact_spike_times_end_of_step():
    # Continuous crossings at 20 ln 9 + j * 20 ln 14 ms; the first grid point at or after
    # each is the spike time (end-of-step stamping). science.md lists these one dt earlier
    # (start-of-step, Brian2's convention): 43.9, 96.7, 149.5, 202.3, 255.1.
    V, spikes = run_runner(LIFParams(method="exact"), np.full((2999, 1), 1.8))
    times = [round(k * 0.1, 6) for k, _ in spikes]
    assert times == [44.0, 96.8, 149.6, 202.4, 255.2]
    assert [round(t - 0.1, 6) for t in times] == [43.9, 96.7, 149.5, 202.3, 255.1]
    # Each stamp is the first grid time >= the continuous crossing of the grid-restarted cell.
    assert times[0] == pytest.approx(math.ceil(20 * math.log(9) / 0.1) * 0.1)
    isi = np.diff(times)
    assert np.allclose(isi, math.ceil(20 * math.log(14) / 0.1) * 0.1)


@pytest.mark.parametrize("method", ["euler", "exact"])
@pytest.mark.parametrize("t_ref", [0.0, 2.0, 7.3])
@pytest.mark.parametrize("n", [1, 4])  # one cell and many cells take different code paths
def test_block_and_step_equal_reference_with_noisy_input(method, t_ref, n):
    rng = np.random.default_rng(5)
    p = LIFParams(method=method, t_ref_ms=t_ref)
    I = 1.8 + 1.5 * rng.standard_normal((3000 * 4 // n, n))
    ref_V, ref_spikes = reference(p, I)
    step_V, step_spikes = run_steps(p, I)
    blk_V, blk_spikes = run_runner(p, I)
    assert len(ref_spikes) >= 15
    assert step_spikes == ref_spikes
    assert blk_spikes == ref_spikes
    assert np.array_equal(step_V, ref_V)  # the same arithmetic
    assert np.max(np.abs(blk_V - ref_V)) < 1e-9  # a different summation order: rounding only


@pytest.mark.parametrize("block_len", [1, 2, 7, 100, 4096])
@pytest.mark.parametrize("n", [1, 2])
def test_block_length_does_not_change_the_dynamics(block_len, n):
    p = LIFParams(method="exact", t_ref_ms=3.0)
    I = np.full((5000, n), [1.8, 4.0][:n])
    ref_V, ref_spikes = reference(p, I)
    V, spikes = run_runner(p, I, block_len=block_len)
    assert spikes == ref_spikes
    assert np.max(np.abs(V - ref_V)) < 1e-9


def test_refractory_cells_are_clamped_at_reset():
    p = LIFParams(method="exact", t_ref_ms=2.0, dt_ms=0.1)
    V, spikes = run_runner(p, np.full((4000, 1), 10.0))
    for k, _ in spikes:
        if k + 20 <= len(V):
            assert np.all(V[k - 1:k + 20, 0] == p.V_reset_mV)  # spike step + 20 clamped updates
            if k + 21 <= len(V):
                assert V[k + 20, 0] > p.V_reset_mV  # integrates again after t_ref
    isi = np.diff([k for k, _ in spikes])
    assert np.all(isi > 20)


def test_frame_split_bit_identical():
    rng = np.random.default_rng(9)
    p = LIFParams(method="exact", t_ref_ms=1.0)
    I = 1.8 + 2.0 * rng.standard_normal((20000, 3))
    I[:, 1] = 1.5  # one cell silent, one noisy pair
    whole = run_runner(p, I)
    split = run_runner(p, I, chunks=[1, 999, 3, 4096, 5000, 1, 9900])
    assert whole[1] == split[1]
    assert np.array_equal(whole[0], split[0])


def test_invalidate_mid_block_matches_per_step_reference():
    # Changing the current mid-block: the runner recomputes from the current state.
    p = LIFParams(method="euler", t_ref_ms=2.0)
    I = np.full((6000, 2), 2.5)
    I[2345:] = 4.0
    ref_V, ref_spikes = reference(p, I)
    pop = LIFPopulation(2, p)
    src = {"I": np.full((6000, 2), 2.5)}
    runner = BlockRunner(pop, lambda s, m: src["I"][s:s + m])
    V, spikes = [], []
    for n in (1000, 1345):
        for v, st, ce in runner.step(n):
            V.append(v)
            spikes += list(zip(st.tolist(), ce.tolist()))
    src["I"] = I
    runner.invalidate()
    for v, st, ce in runner.step(3655):
        V.append(v)
        spikes += list(zip(st.tolist(), ce.tolist()))
    assert spikes == ref_spikes
    assert np.max(np.abs(np.concatenate(V) - ref_V)) < 1e-9


def test_euler_with_dt_equal_tau_uses_unit_blocks():
    p = LIFParams(method="euler", tau_m_ms=1.0, dt_ms=1.0)
    assert LIFPopulation(1, p).max_block() == 1
    I = np.full((200, 1), 2.0)
    ref_V, ref_spikes = reference(p, I)
    V, spikes = run_runner(p, I)
    assert spikes == ref_spikes and np.max(np.abs(V - ref_V)) < 1e-9


def test_block_memory_is_bounded_for_large_populations():
    pop = LIFPopulation(1000, LIFParams())
    assert pop.max_block() * 1000 <= 2**18


def test_bad_params():
    with pytest.raises(ValueError):
        LIFParams(method="rk4")
    with pytest.raises(ValueError):
        LIFParams(tau_m_ms=0.0)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), method=st.sampled_from(["euler", "exact"]),
       tau=st.floats(1.0, 100.0), dt=st.sampled_from([0.01, 0.1, 0.25, 1.0]),
       t_ref=st.floats(0.0, 10.0), n=st.integers(1, 3), mean=st.floats(0.0, 6.0),
       sd=st.floats(0.0, 3.0), block_len=st.sampled_from([None, 1, 5, 64]),
       chunks=st.lists(st.integers(1, 300), min_size=1, max_size=5))
def test_runner_equals_reference_for_random_cells(seed, method, tau, dt, t_ref, n, mean, sd, block_len, chunks):
    """Any parameters, any split: the fast path reproduces the per-update schedule."""
    rng = np.random.default_rng(seed)
    T = sum(chunks)
    # Continuous random input, so no update lands within rounding of the threshold.
    I = mean + sd * rng.standard_normal((T, n)) + 1e-3 * rng.random((T, n))
    p = LIFParams(tau_m_ms=tau, dt_ms=dt, t_ref_ms=t_ref, method=method)
    ref_V, ref_spikes = reference(p, I)
    V, spikes = run_runner(p, I, chunks=chunks, block_len=block_len)
    assert spikes == ref_spikes
    assert np.max(np.abs(V - ref_V)) < 1e-8
