"""Step order, timing, units and seeding of the perceptron lab, as its docstrings state them.

Sources: sim/perceptron_inputs.py, sim/labs/perceptron.py.

Each expectation is worked out here by hand from the docstring (the raster, the inputs the
engine drew, or a closed form), never by calling the engine's own code path a second time.
Internals are wrapped only to capture the inputs an engine drew.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs.perceptron import PerceptronLab


def _spy_chunks(lab):
    rec = {}
    f = lab._chunk

    def spy(c):
        ch = f(c)
        rec[c] = ch
        return ch
    lab._chunk = spy
    return rec


def _perc_reference(p, jumps):
    """Update k: leak exactly, add the step's jump, threshold >=, stamp k*dt, reset, clamp
    round(t_ref/dt) updates (clamped cells ignore input)."""
    dt = p["dt_ms"]
    a = math.exp(-dt / p["tau_m_ms"])
    ref_steps = round(p["t_ref_ms"] / dt)
    V, ref = p["V_rest_mV"], 0
    Vs, stamps = [V], []
    for j, J in enumerate(jumps):
        if ref > 0:
            ref -= 1
        else:
            V = p["V_rest_mV"] + (V - p["V_rest_mV"]) * a + J
            if V >= p["V_thresh_mV"]:
                stamps.append((j + 1) * dt)
                V = p["V_reset_mV"]
                ref = ref_steps
        Vs.append(V)
    return np.array(Vs), np.array(stamps)


PERC = {"n_inputs": 30, "w_mV": 0.8, "w_spread": 0.5, "rate_hz": 40.0, "rate_step_hz": 120.0,
        "period_ms": 100.0, "synchrony": 0.1, "t_ref_ms": 2.0, "dt_ms": 0.1}


def test_perceptron_lif_follows_the_documented_update_from_the_drawn_inputs():
    lab = PerceptronLab(PERC, seed=7)
    rec = _spy_chunks(lab)
    n = 4500  # crosses the 2000-step chunk boundaries
    for c in (1, 1999, 3, 2497):
        lab.step(c)
    jumps = np.concatenate([rec[c].jump_mV for c in sorted(rec)])[:n]
    Vs, stamps = _perc_reference(lab.params, jumps)
    assert len(stamps) > 10
    times, _ = lab.lif.recent()
    np.testing.assert_allclose(times, stamps, rtol=0, atol=1e-9)
    tr = lab.trace.view()[:, 0]
    idx = lab.trace.indices()  # row index = update count: t = index * dt
    np.testing.assert_allclose(tr, Vs[idx], rtol=0, atol=1e-9)


def test_perceptron_jump_is_the_sum_of_the_spiking_inputs_weights_and_raster_is_stamped_at_step_end():
    """Delta synapses: input i moves V by w_i in the step it spikes (w_i spread evenly around w_mV);
    a shared event is every input at once. The raster shows input spikes at the end of their step."""
    lab = PerceptronLab(PERC, seed=3)
    rec = _spy_chunks(lab)
    lab.step(2000)
    ch = rec[0]
    w = 0.8 * (1.0 + 0.5 * np.linspace(-1.0, 1.0, 30))
    assert w.mean() == pytest.approx(0.8)
    times, cells = lab.shown.recent()
    steps = np.rint(times / 0.1).astype(int) - 1  # stamped (j+1)*dt
    assert np.allclose((steps + 1) * 0.1, times)
    jump = np.zeros(2000)
    np.add.at(jump, steps, w[cells])  # includes the shared events (all 30 inputs shown)
    np.testing.assert_allclose(ch.jump_mV, jump, rtol=1e-12, atol=1e-12)
    assert ch.shared.sum() > 0


def test_perceptron_input_rates_are_in_hz_and_synchrony_keeps_them():
    """Each input spikes at rate x (Hz): p = x*dt/1000 per step; shared events at c*x."""
    x, c, T = 50.0, 0.3, 5_000.0
    lab = PerceptronLab({"n_inputs": 40, "rate_hz": x, "rate_step_hz": 0.0, "synchrony": c, "w_mV": 0.01,
                         "dt_ms": 0.1}, seed=2)
    rec = _spy_chunks(lab)
    lab.run(T)
    times, cells = lab.shown.recent()
    assert lab.shown.total == len(times)  # nothing dropped
    n_shared = sum(int(ch.shared.sum()) for ch in rec.values())
    exp_sh = c * x * T / 1000.0  # 75 shared events
    assert abs(n_shared - exp_sh) < 5 * math.sqrt(exp_sh)
    n_ind = len(times) - 40 * n_shared
    exp_ind = 40 * (1 - c) * x * T / 1000.0  # 7000 independent spikes, sd ~84
    assert abs(n_ind - exp_ind) < 5 * math.sqrt(exp_ind)
    assert lab.readouts()["input_rate_hz"] == pytest.approx(len(times) / 40 / (T / 1000.0), rel=1e-12)


def test_perceptron_step_protocol_timing_and_y_switch():
    """x = rate_hz in the first half of each period, rate_hz + step in the second; y = H(drive - theta)
    with drive = tau_m * n * w * x (x in Hz -> /1000), theta = V_thresh - V_rest."""
    p = {"n_inputs": 100, "w_mV": 0.1, "rate_hz": 30.0, "rate_step_hz": 90.0, "period_ms": 400.0,
         "tau_m_ms": 20.0, "dt_ms": 0.1}
    lab = PerceptronLab(p, seed=0)
    lab.step(1999)  # t = 199.9 ms: the next step (199.9-200) still low
    r = lab.readouts()
    assert r["drive_mV"] == pytest.approx(20.0 * 100 * 0.1 * 30.0 / 1000.0)  # 6 mV
    assert r["perceptron_output"] == 0.0 and r["theta_mV"] == 16.0
    lab.step(1)  # t = 200 ms: second half begins
    r = lab.readouts()
    assert r["drive_mV"] == pytest.approx(20.0 * 100 * 0.1 * 120.0 / 1000.0)  # 24 mV
    assert r["perceptron_output"] == 1.0
    lab.step(2000)  # t = 400 ms: next period, low again
    assert lab.readouts()["perceptron_output"] == 0.0


def test_perceptron_latency_readout_is_first_spike_after_each_up_step():
    p = {"n_inputs": 100, "w_mV": 0.1, "rate_hz": 30.0, "rate_step_hz": 90.0, "period_ms": 120.0,
         "tau_m_ms": 20.0, "dt_ms": 0.1}
    lab = PerceptronLab(p, seed=4)
    lab.run(3000.0)
    times, _ = lab.lif.recent()
    lat, missed = [], 0
    for m in range(25):
        up, end = m * 120.0 + 60.0, (m + 1) * 120.0
        after = times[(times > up + 1e-9) & (times <= end + 1e-9)]
        if after.size:
            lat.append(after[0] - up)
        elif end <= 3000.0 - 1e-9:
            missed += 1
    assert len(lat) > 5
    r = lab.readouts()
    assert r["latency_ms"] == pytest.approx(np.mean(lat), abs=1e-9)
    assert lab.metrics()["latency_missed"] == missed


def test_perceptron_free_membrane_sd_matches_campbell_with_units():
    """fluct_sd_mV (Campbell) against the measured sd of the free membrane (threshold out of reach)."""
    p = {"n_inputs": 50, "w_mV": 0.2, "w_spread": 0.4, "rate_hz": 80.0, "rate_step_hz": 0.0, "synchrony": 0.2,
         "V_thresh_mV": 0.0, "V_rest_mV": -70.0, "dt_ms": 0.1, "tau_m_ms": 10.0}
    lab = PerceptronLab(p, seed=1)
    rec = _spy_chunks(lab)
    lab.run(40_000.0)
    jumps = np.concatenate([rec[c].jump_mV for c in sorted(rec)])
    Vs, stamps = _perc_reference(lab.params, jumps)
    assert stamps.size == 0
    w = 0.2 * (1.0 + 0.4 * np.linspace(-1.0, 1.0, 50))
    x = 80.0 / 1000.0
    var = 0.5 * 10.0 * x * (0.8 * (w @ w) + 0.2 * w.sum() ** 2)  # written out from the docstring
    assert lab.readouts()["fluct_sd_mV"] == pytest.approx(math.sqrt(var), rel=1e-12)
    assert np.std(Vs[2000:]) == pytest.approx(math.sqrt(var), rel=0.08)
    # and the mean: V_rest + drive
    assert np.mean(Vs[2000:]) == pytest.approx(-70.0 + 10.0 * 50 * 0.2 * 80.0 / 1000.0, abs=0.3)


def test_perceptron_lif_rate_readout_counts_spikes_in_the_last_200_ms():
    lab = PerceptronLab(PERC, seed=7)
    lab.run(731.3)
    times, _ = lab.lif.recent()
    t = lab.t_ms
    expect = np.count_nonzero((times > t - 200.0 + 1e-9) & (times <= t + 1e-9)) / 0.2
    assert lab.readouts()["lif_rate_hz"] == pytest.approx(expect)
    assert lab.readouts()["lif_mean_rate_hz"] == pytest.approx(len(times) / (t / 1000.0))


def test_perceptron_live_synchrony_change_redraws_the_inputs_from_that_step():
    """synchrony 0 -> 1 at step 1234 (mid-chunk): from then on every input event is a shared one (all
    inputs at once), so each step's jump is 0 or sum(w); stats restart there."""
    lab = PerceptronLab({**PERC, "synchrony": 0.0}, seed=9)
    used = []
    f = lab._segment
    lab._segment = lambda ch, lo, hi: (used.append((lo, ch.jump_mV[lo - ch.start: hi - ch.start].copy())),
                                       f(ch, lo, hi))[1]
    lab.step(1234)
    lab.set_param("synchrony", 1.0)
    lab.step(3000)
    before = np.concatenate([j for lo, j in used if lo < 1234])
    after = np.concatenate([j for lo, j in used if lo >= 1234])
    assert after.size == 3000 and before.size == 1234
    wsum = 0.8 * 30
    assert np.all(np.isclose(after, 0.0) | np.isclose(after, wsum))
    assert np.count_nonzero(after) > 5
    assert np.count_nonzero(~(np.isclose(before, 0.0) | np.isclose(before, wsum))) > 100
    assert lab.readouts()["shared_fraction"] == 1.0
