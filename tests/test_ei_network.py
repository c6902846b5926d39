"""The CUBA kernel (sim/network.py) against closed forms: single cells, single PSPs,
Bernoulli connectivity statistics, Dale's law, and frame-split invariance."""

import math

import numpy as np
import pytest

from hebblab.sim.network import Connectivity, CubaNetwork, CubaParams, build_network, propagator


def _unconnected(n, params, v0):
    conn = Connectivity.from_pairs(n, n, np.zeros(0), np.zeros(0))
    return CubaNetwork(conn, params, np.full(n, v0))


def test_unconnected_cell_rate_matches_closed_form():
    # science.md 6: alone, a cell with E_l above V_t fires at 18.9 Hz:
    # ISI = t_ref + tau_m ln((E_l - V_r) / (E_l - V_t)) = 5 + 20 ln 11 = 52.958 ms.
    p = CubaParams()
    isi_closed = p.refractory_ms + p.tau_m_ms * math.log((p.E_l_mV - p.V_r_mV) / (p.E_l_mV - p.V_t_mV))
    assert 1000.0 / isi_closed == pytest.approx(18.9, abs=0.05)
    assert p.unconnected_rate_hz() == pytest.approx(1000.0 / isi_closed)
    net = _unconnected(3, p, p.V_r_mV)
    steps, cells = net.run(20000)  # 2 s
    isi = np.diff(steps[cells == 0]) * p.dt_ms
    assert isi.size > 30 and np.all(isi == isi[0])
    # Spikes are detected at the end of the step that crosses: the ISI lies within dt of the closed form.
    assert abs(isi[0] - isi_closed) <= p.dt_ms
    assert 1000.0 / isi[0] == pytest.approx(18.9, abs=0.05)
    # The first spike from V_r needs no refractory period: tau_m ln 11 = 47.96 ms -> step 480.
    first_closed = p.tau_m_ms * math.log(11.0)
    assert 0 <= steps[cells == 0][0] * p.dt_ms - first_closed < p.dt_ms


def test_subthreshold_free_decay_is_exact():
    p = CubaParams(E_l_mV=-65.0)
    net = _unconnected(1, p, -55.0)
    net.advance(1234)
    t = 1234 * p.dt_ms
    assert net.v_mV[0] == pytest.approx(-65.0 + 10.0 * math.exp(-t / p.tau_m_ms), abs=1e-11)


def test_single_psps_match_the_closed_form():
    # Cell 0 (E) and cell 1 (I) start above threshold and spike in step 1; cell 2 sits at
    # E_l = -65 mV and then follows v = E_l + sum_w w tau_s/(tau_s - tau_m)(e^{-t/tau_s} - e^{-t/tau_m}).
    p = CubaParams(E_l_mV=-65.0, refractory_ms=1000.0)
    conn = Connectivity.from_pairs(3, 1, [0, 1], [2, 2])
    net = CubaNetwork(conn, p, np.array([-30.0, -30.0, -65.0]))
    steps, cells = net.run(1)
    assert list(cells) == [0, 1] and list(steps) == [1, 1]
    for k in (1, 10, 57, 200, 800):
        net.advance(k - (net.step_count - 1))
        t = (net.step_count - 1) * p.dt_ms  # time since the spikes arrived (end of step 1)

        def psp(w, tau_s):
            return w * tau_s / (tau_s - p.tau_m_ms) * (math.exp(-t / tau_s) - math.exp(-t / p.tau_m_ms))

        expected = p.E_l_mV + psp(p.w_e_mV, p.tau_e_ms) + psp(p.w_i_mV, p.tau_i_ms)
        assert net.v_mV[2] == pytest.approx(expected, abs=1e-11)
        assert net.ge_mV[2] == pytest.approx(p.w_e_mV * math.exp(-t / p.tau_e_ms), rel=1e-12)
        assert net.gi_mV[2] == pytest.approx(p.w_i_mV * math.exp(-t / p.tau_i_ms), rel=1e-12)


def test_propagator_is_continuous_at_equal_time_constants():
    # tau_e == tau_m is a removable singularity of the closed form: the kernel must not blow up.
    near = propagator(CubaParams(tau_e_ms=20.0 + 1e-7))
    at = propagator(CubaParams(tau_e_ms=20.0))
    assert np.all(np.isfinite(at)) and at[0, 1] == pytest.approx(near[0, 1], rel=1e-6)


def test_refractory_hold_matches_brian2_convention():
    # A cell that spiked in step k integrates again in step k + R (R = refractory / dt):
    # with tau_m = dt and E_l far above threshold, one step carries it from V_r past V_t
    # (v moves 63 % of the way to E_l = -30 mV: to -40.9 mV), so it spikes in the first step
    # it integrates.
    p = CubaParams(tau_m_ms=0.1, E_l_mV=-30.0, refractory_ms=2.0)
    net = _unconnected(1, p, -60.0)
    steps, _ = net.run(200)
    assert p.refractory_steps == 20
    assert np.all(np.diff(steps) == 20)


def test_zero_refractory_resets_at_once():
    p = CubaParams(tau_m_ms=0.1, E_l_mV=-30.0, refractory_ms=0.0)
    net = _unconnected(2, p, -60.0)
    steps, _ = net.run(50)
    assert steps.size == 100  # both cells every step: v jumps from V_r above V_t in one step
    assert np.all(net.v_mV == p.V_r_mV)


def test_bernoulli_connectivity_statistics():
    n, p = 300, 0.1
    conn = Connectivity.random(n, 240, p, np.random.default_rng(5))
    pre, post = conn.pairs()
    total = n * n
    sd = math.sqrt(total * p * (1 - p))
    assert abs(conn.n_synapses - total * p) < 5 * sd
    assert np.all((post >= 0) & (post < n))
    flat = pre * n + post
    assert np.unique(flat).size == flat.size  # each ordered pair at most once
    # Every pair equally likely: the first and second halves of the pair grid get similar counts.
    half = np.sum(flat < total // 2)
    assert abs(half - conn.n_synapses / 2) < 5 * math.sqrt(conn.n_synapses) / 2
    assert np.all(np.diff(conn.indptr) >= 0) and conn.indptr[-1] == conn.n_synapses


def test_in_degree_is_kept_when_n_scales():
    # science.md 6: to scale N keep ~80 inputs per cell, p = 80 / N.
    for n in (1000, 4000, 16000):
        net = build_network(n, 0.2, 80.0, seed=1)
        in_deg = net.conn.in_degree()
        # Mean of n binomial(n, 80/n) counts: sd ~ sqrt(80 / n) < 0.3.
        assert in_deg.mean() == pytest.approx(80.0, abs=1.5)
        assert net.conn.n_synapses / n**2 == pytest.approx(80.0 / n, rel=0.02)
        assert net.conn.n_exc == round(0.8 * n)


def test_from_pairs_round_trip():
    conn = Connectivity.random(50, 40, 0.2, np.random.default_rng(0))
    pre, post = conn.pairs()
    order = np.random.default_rng(1).permutation(pre.size)
    again = Connectivity.from_pairs(50, 40, pre[order], post[order])
    assert np.array_equal(again.indptr, conn.indptr) and np.array_equal(again.targets, conn.targets)


def test_dale_law_in_the_weights_the_kernel_applies():
    net = build_network(500, 0.2, 80.0, seed=2)
    for changes in ({}, {"inh_gain": 0.0}, {"inh_gain": 3.0, "w_i_mV": -2.0}, {"w_e_mV": 0.0}):
        net.set_live(**changes)
        pre, post, w = net.synapses()
        assert pre.size == net.conn.n_synapses and np.all(np.isfinite(w))
        exc = pre < net.conn.n_exc
        assert np.all(w[exc] >= 0) and np.all(w[~exc] <= 0)
        # Per presynaptic cell, every outgoing weight is the same value (one sign).
        lo = np.full(net.n, np.inf)
        hi = np.full(net.n, -np.inf)
        np.minimum.at(lo, pre, w)
        np.maximum.at(hi, pre, w)
        has = np.isfinite(lo)
        assert np.all(lo[has] == hi[has])
        assert np.array_equal(np.sort(pre * net.n + post), np.sort(np.repeat(np.arange(net.n), net.conn.out_degree()) * net.n + net.conn.targets))


def _spikes_in_chunks(chunks, **build):
    net = build_network(**build)
    out = []
    for k in chunks:
        s, c = net.run(k)
        out.append((s, c))
    steps = np.concatenate([s for s, _ in out])
    cells = np.concatenate([c for _, c in out])
    return steps, cells, net


@pytest.mark.parametrize("block_steps", [37, 1000])
def test_frame_split_and_buffer_flushes_are_invisible(monkeypatch, block_steps):
    build = dict(n=800, inh_fraction=0.2, in_degree=80.0, seed=4,
                 params=CubaParams(inh_gain=0.0))  # runaway: ~10 spikes per step
    s1, c1, n1 = _spikes_in_chunks([3000], **build)
    # Short blocks (37 steps) or a tiny spike buffer (full after ~80 steps) force every flush path.
    monkeypatch.setattr(CubaNetwork, "BLOCK_STEPS", block_steps)
    monkeypatch.setattr(CubaNetwork, "SPIKE_BUFFER_PER_CELL", 2)
    monkeypatch.setattr(CubaNetwork, "SPIKE_BUFFER_EXTRA", 0)
    early = []
    run_block = CubaNetwork._run_block

    def spy(self, n_steps, on_block, probe):
        done = run_block(self, n_steps, on_block, probe)
        early.append(done < n_steps)
        return done

    monkeypatch.setattr(CubaNetwork, "_run_block", spy)
    s2, c2, n2 = _spikes_in_chunks([1, 2, 500, 1, 1496, 1000], **build)
    assert s1.size > 20000
    assert any(early) or block_steps == 37  # with long blocks the buffer-full stop really ran
    assert np.array_equal(s1, s2) and np.array_equal(c1, c2)
    assert np.array_equal(n1._state, n2._state)


def test_runaway_stays_finite():
    # Strong excitation, no inhibition, no refractory period: every cell fires every step,
    # and nothing overflows.
    p = CubaParams(inh_gain=0.0, w_e_mV=20.0, refractory_ms=0.0)
    net = build_network(300, 0.2, 80.0, params=p, seed=0)
    steps, _ = net.run(2000)
    assert net.finite()
    assert steps.size > 0.9 * 300 * 2000


def test_live_leak_change_keeps_v():
    net = build_network(200, 0.2, 20.0, seed=0)
    net.advance(100)
    v = net.v_mV.copy()
    net.set_live(E_l_mV=-55.0)
    assert np.allclose(net.v_mV, v, atol=1e-12)
    with pytest.raises(ValueError):
        net.set_live(dt_ms=0.2)
