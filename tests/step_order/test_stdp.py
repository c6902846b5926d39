"""Step order, timing, units and seeding of the stdp lab, as its docstrings state them.

Sources: sim/labs/stdp.py, sim/conductance_lif.py, sim/plasticity/stdp.py.

Each expectation is worked out here by hand from the docstring (the raster, the inputs the
engine drew, or a closed form), never by calling the engine's own code path a second time.
Internals are wrapped only to capture the inputs an engine drew.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs.stdp import StdpLab


def _spy_blocks(lab):
    """Record the input blocks the engine draws: {j: (local steps, inputs)}."""
    rec = {}
    f = lab.engine.blocks
    lab.engine.blocks = lambda j: (rec.__setitem__(j, tuple(np.array(a) for a in f(j))), rec[j])[1]
    return rec


def _stdp_reference(P, w0, blocks, block_steps, n_steps, changes=None, snap_at=(), snaps=None):
    """The stdp docstring's order of one step, written out as a plain loop.

    changes: {step: callable(state)} applied before step `step` runs (after step-1).
    snaps: the reference's weights after each step in `snap_at` are stored there."""
    dt = P["dt_ms"]
    gmax = P["g_max"]
    Ap = P["A_plus_frac"] * gmax
    Am = P["A_minus_ratio"] * Ap
    tp, tm = P["tau_plus_ms"], P["tau_minus_ms"]
    mult = P.get("weight_dependence", "additive") == "multiplicative"
    nearest = P.get("spike_pairing", "all-to-all") == "nearest"
    a = dt / P["tau_m_ms"]
    d = 1.0 - dt / P["tau_e_ms"]
    El, Vt, Vr, Ee = P["V_rest_mV"], P["V_thresh_mV"], P["V_reset_mV"], P["E_e_mV"]
    st = {"w": np.array(w0, float), "Ap": Ap, "Am": Am, "plastic": not P.get("freeze", False)}
    n = st["w"].size
    x_pre = np.zeros(n)  # decayed every step
    x_post = 0.0
    g, V = 0.0, El
    spikes = []
    by_step = {}
    for j, (steps, inputs) in blocks.items():
        for s, i in zip(steps, inputs):
            by_step.setdefault(int(j * block_steps + 1 + s), []).append(int(i))
    for k in range(1, n_steps + 1):
        if changes and k in changes:
            changes[k](st)
        w = st["w"]
        x_pre *= math.exp(-dt / tp)
        x_post *= math.exp(-dt / tm)
        ev = by_step.get(k, [])
        # 1. inputs of step k: g_e += w_i (before this spike's own update); LTD; x_pre bump
        g = d * g + sum(w[i] for i in ev)
        for i in ev:
            if st["plastic"]:
                dwi = x_post * (w[i] / gmax) if mult else x_post
                w[i] = min(max(w[i] + dwi, 0.0), gmax)
            x_pre[i] = st["Ap"] if nearest else x_pre[i] + st["Ap"]
        # 3. V by forward Euler with g_e(k)
        V = V + a * ((El - V) + g * (Ee - V))
        # 4. strict threshold, stamp k, reset, LTP with x_pre including this step's inputs
        if V > Vt:
            spikes.append(k)
            V = Vr
            if st["plastic"]:
                dw = x_pre * ((gmax - w) / gmax) if mult else x_pre
                st["w"] = w = np.minimum(np.maximum(w + dw, 0.0), gmax)
            x_post = -st["Am"] if nearest else x_post - st["Am"]
        if k in snap_at:
            snaps[k] = st["w"].copy()
    return spikes, st["w"]


STDP_SMALL = {"n_inputs": 40, "rate_hz": 40.0, "g_max": 0.15, "dt_ms": 0.1, "A_plus_frac": 0.05}


# The last case has > 4096 input events per chunk (computed in pieces) and repeated spikes of
# one input inside a chunk.
@pytest.mark.parametrize("extra,n_steps", [({}, 15000), ({"spike_pairing": "nearest"}, 15000),
                                           ({"weight_dependence": "multiplicative"}, 15000),
                                           ({"n_corr": 20, "corr": 0.5}, 15000),
                                           ({"n_inputs": 10000, "rate_hz": 100.0, "g_max": 0.0002}, 4000)])
def test_stdp_engine_matches_the_documented_step_order(extra, n_steps):
    P0 = {**STDP_SMALL, **extra}
    lab = StdpLab(P0, seed=3)
    rec = _spy_blocks(lab)
    w0 = lab.engine.w.copy()
    frames = [1, 777, 400, 3, 1219]
    frames.append(n_steps - sum(frames))  # 1.5 s: crosses the 1 s block boundary
    seen = {}
    for c in frames:
        lab.step(c)
        seen[lab.steps_done] = lab.weights_frac() * lab.params["g_max"]  # mid-chunk: weights_at
    P = lab.params
    snaps = {}
    ref_spikes, ref_w = _stdp_reference(P, w0, rec, lab.block_steps, n_steps, snap_at=set(seen), snaps=snaps)
    assert len(ref_spikes) > 20  # the test is meaningful only if the cell fires
    assert list(lab.recent) == ref_spikes  # spike steps (the run is shorter than 10 s)
    for k in seen:
        np.testing.assert_allclose(seen[k], snaps[k], rtol=1e-9, atol=1e-15, err_msg=f"step {k}")
    np.testing.assert_allclose(lab.weights_frac() * P["g_max"], ref_w, rtol=1e-9, atol=1e-15)


def test_stdp_initial_weights_and_input_rate_units():
    """w0 ~ U(0, w_init*g_max) from generator (seed, 0); inputs spike with p = rate*dt/1000 per step."""
    lab = StdpLab({"n_inputs": 200, "rate_hz": 20.0, "g_max": 0.002, "w_init": 0.5}, seed=11)
    w_hand = np.random.default_rng([11, 0]).random(200) * (0.5 * 0.002)
    np.testing.assert_array_equal(lab.weights_frac() * 0.002, w_hand)
    rec = _spy_blocks(lab)
    lab.step(30000)  # 3 s, 3 blocks
    n_sp = sum(len(v[0]) for v in rec.values())
    expect = 200 * 20.0 * 3.0  # 12000 spikes
    assert abs(n_sp - expect) < 5 * math.sqrt(expect)
    for steps, inputs in rec.values():  # step-major order, local steps 0..block_steps-1
        assert steps.min() >= 0 and steps.max() < lab.block_steps
        assert np.all(np.diff(steps) >= 0)


def test_stdp_rate_bins_count_spikes_stamped_in_each_second():
    """Spike of step k is stamped k*dt; bin b holds spikes with b*1000 < t <= (b+1)*1000 ms."""
    lab = StdpLab({**STDP_SMALL, "freeze": True}, seed=0)
    lab.step(35000)
    spikes = np.array(lab.recent)  # all spikes (run < 10 s)
    assert 20000 in spikes  # seed chosen so that a spike sits exactly on a bin edge (t = 2000 ms)
    t = spikes * 0.1
    expect = [np.sum((t > b * 1000) & (t <= (b + 1) * 1000)) for b in range(3)]
    assert lab.rate_bins.view().ravel().tolist() == pytest.approx(expect)
    assert lab.readouts()["rate_recent_hz"] == expect[-1]


def test_stdp_live_A_plus_and_freeze_apply_at_the_step_they_are_set():
    # A dry run finds a step with input spikes after 4000 and an output spike after 7000, so that
    # applying a change one step late would show.
    live = {**STDP_SMALL, "A_plus_frac": 0.002}  # small steps: weights stay off their bounds
    dry = StdpLab(live, seed=8)
    drec = _spy_blocks(dry)
    dry.step(10000)
    ev_steps = sorted({int(j * dry.block_steps + 1 + s) for j, (st, _) in drec.items() for s in st})
    s_amp = next(k for k in ev_steps if k > 4000)
    dry = StdpLab(live, seed=8)  # again, with the amplitude change: its output spikes
    dry.step(s_amp - 1)
    dry.set_param("A_plus_frac", 0.004)
    dry.step(10000 - dry.steps_done)
    s_frz = next(k for k in dry.recent if k > 7000)

    lab = StdpLab(live, seed=8)
    rec = _spy_blocks(lab)
    w0 = lab.engine.w.copy()
    lab.step(s_amp - 1)
    lab.set_param("A_plus_frac", 0.004)  # applies to step s_amp (its inputs' x_pre bumps)
    lab.step(s_frz - s_amp)
    lab.set_param("freeze", True)  # applies to step s_frz (its output spike's LTP)
    lab.step(10000 - lab.steps_done)
    P = dict(lab.params)
    P["A_plus_frac"], P["freeze"] = 0.002, False

    def amp(st):
        st["Ap"] = 0.004 * P["g_max"]
        st["Am"] = P["A_minus_ratio"] * st["Ap"]

    def frz(st):
        st["plastic"] = False

    ref_spikes, ref_w = _stdp_reference(P, w0, rec, lab.block_steps, 10000, changes={s_amp: amp, s_frz: frz})
    assert list(lab.recent) == ref_spikes
    np.testing.assert_allclose(lab.weights_frac() * P["g_max"], ref_w, rtol=1e-9, atol=1e-15)


def test_stdp_first_and_last_10s_rates_use_spike_stamps():
    """rate_first_10s_hz: spikes stamped in (0, 10 s]; rate_last_10s_hz: in (t - 10 s, t]."""
    lab = StdpLab({**STDP_SMALL, "freeze": True}, seed=5)
    all_spikes = []
    f = lab.engine.advance
    lab.engine.advance = lambda target: (lambda s: (all_spikes.extend(s), s)[1])(f(target))
    lab.step(250_001)
    t = np.array(all_spikes) * 0.1
    m = lab.metrics()
    T = lab.t_ms
    assert m["rate_first_10s_hz"] == pytest.approx(np.count_nonzero(t <= 10_000.0) / 10.0)
    assert m["rate_last_10s_hz"] == pytest.approx(np.count_nonzero(t > T - 10_000.0) / 10.0)
    assert m["output_spike_count"] == len(t)


def test_stdp_correlated_group_keeps_rate_p_and_shares_spikes_with_probability_corr():
    """Group inputs copy a mother train (p/corr per step) with probability corr: rate p each, and two
    group inputs spike in the same step with probability p*corr (independent inputs: p^2)."""
    lab = StdpLab({"n_inputs": 100, "n_corr": 50, "corr": 0.25, "rate_hz": 40.0, "g_max": 1e-5}, seed=1)
    rec = _spy_blocks(lab)
    lab.step(40_000)  # 4 blocks
    p = 40.0 * 0.1 / 1000.0
    n_steps = 40_000
    X = np.zeros((n_steps, 100), dtype=bool)
    for j, (steps, inputs) in rec.items():
        X[j * lab.block_steps + steps, inputs] = True
    rates = X.mean(axis=0)
    assert rates[:50].mean() == pytest.approx(p, rel=0.05)
    assert rates[50:].mean() == pytest.approx(p, rel=0.05)
    both_g = np.mean([np.mean(X[:, i] & X[:, i + 1]) for i in range(0, 48, 2)])
    both_f = np.mean([np.mean(X[:, i] & X[:, i + 1]) for i in range(50, 98, 2)])
    assert both_g == pytest.approx(p * 0.25, rel=0.15)
    assert both_f < 0.2 * p * 0.25
