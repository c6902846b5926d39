"""The perceptron lab against the closed forms of the LIF neuron (the chapter's section 2.1).

The perceptron sees only w.x: its output cannot depend on synchrony. The LIF cell fed the
same rates through the same weights fires along the f-I curve
1/(t_ref + tau_m ln((V_inf - V_reset)/(V_inf - V_thresh))) when the drive is steady and the
noise small, needs tau_m ln((V_inf,hi - V_lo)/(V_inf,hi - V_thresh)) to answer a step, and
fires more when a share of the same spikes comes in synchrony.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs.perceptron import N_SHOWN, TRACE_MS, PerceptronLab
from hebblab.sim.params import ParamError
from hebblab.sim.perceptron_inputs import CHUNK_STEPS
from hebblab.sim.sweep import theory_for

TAU, REST, THRESH, RESET = 20.0, -70.0, -54.0, -80.0


def closed_form_hz(drive_mV: float, t_ref_ms: float = 2.0) -> float:
    v_inf = REST + drive_mV
    if v_inf <= THRESH:
        return 0.0
    return 1000.0 / (t_ref_ms + TAU * math.log((v_inf - RESET) / (v_inf - THRESH)))


def constant(rate_hz: float, **extra) -> dict:
    return {"rate_hz": rate_hz, "rate_step_hz": 0.0, **extra}


# -- activation: the f-I curve -----------------------------------------------------------------
def test_fi_overlay_is_the_closed_form():
    lab = PerceptronLab(preset="f-I", seed=0)
    lab.run(100.0)
    x, y = lab.series()["fI"].overlays["closed form (f-I)"]
    assert len(x) > 100 and x.max() >= 40.0
    assert y == pytest.approx([closed_form_hz(d) for d in x], rel=1e-12, abs=1e-12)
    assert y[x <= 16.0].max() == 0.0 and y[-1] == pytest.approx(closed_form_hz(40.0))


def test_mean_driven_lif_fires_at_the_closed_form_rate():
    # 2000 inputs of 0.01 mV at 60 Hz: drive 20 ms * 2000 * 0.01 mV * 60 Hz = 24 mV, shot-noise
    # sd 0.35 mV: the mean-driven regime, where the f-I curve should hold.
    lab = PerceptronLab(constant(60.0, n_inputs=2000, w_mV=0.01), seed=1)
    lab.run(20_000.0)
    r = lab.readouts()
    assert r["drive_mV"] == pytest.approx(24.0)
    assert r["theory_rate_hz"] == pytest.approx(closed_form_hz(24.0))  # 32.3 Hz
    assert r["lif_mean_rate_hz"] == pytest.approx(closed_form_hz(24.0), rel=0.03)
    assert r["perceptron_output"] == 1.0


def test_below_rheobase_the_perceptron_and_the_noiseless_lif_are_silent():
    lab = PerceptronLab(constant(35.0, n_inputs=2000, w_mV=0.01), seed=2)  # 14 mV < 16 mV
    lab.run(10_000.0)
    r = lab.readouts()
    assert r["perceptron_output"] == 0.0 and r["theory_rate_hz"] == 0.0 and r["spike_count"] == 0


def test_shot_noise_makes_the_lif_fire_below_rheobase():
    # The same 14 mV drive through 10 inputs of 2 mV: sd 3.7 mV instead of 0.37 mV.
    lab = PerceptronLab(constant(35.0, n_inputs=10, w_mV=2.0), seed=2)
    lab.run(10_000.0)
    r = lab.readouts()
    assert r["drive_mV"] == pytest.approx(14.0) and r["perceptron_output"] == 0.0
    assert r["lif_mean_rate_hz"] > 2.0


# -- signal space: synchrony -----------------------------------------------------------------
@pytest.mark.parametrize("c", [0.0, 0.3, 0.7, 1.0])
def test_synchrony_keeps_the_rates_and_the_perceptron_output(c):
    lab = PerceptronLab(constant(60.0, synchrony=c), seed=3)
    T_s = 20.0
    lab.run(1000 * T_s)
    r = lab.readouts()
    assert r["perceptron_output"] == 0.0 and r["drive_mV"] == pytest.approx(12.0)
    # x at any synchrony, within 4 sd of the count: shared events (rate c*x) move all 100 inputs at once
    sd = math.sqrt(c / (60 * T_s) + (1 - c) / (100 * 60 * T_s))
    assert r["input_rate_hz"] == pytest.approx(60.0, rel=4 * sd)
    assert r["shared_fraction"] == pytest.approx(c, abs=4 * sd + 1e-9)


def test_synchrony_changes_the_lif_rate():
    rates = []
    for c in (0.0, 0.1, 0.3):
        lab = PerceptronLab(constant(60.0, synchrony=c), seed=4)
        lab.run(10_000.0)
        rates.append(lab.readouts()["lif_mean_rate_hz"])
    assert rates[0] < 0.5 and rates[1] > 1.0 and rates[2] > 5.0 and rates[2] > 2 * rates[1], rates


def test_full_synchrony_fires_the_cell_once_per_input_event():
    # c = 1: all inputs spike together; each event moves V by 100 * 0.3 = 30 mV, over threshold from
    # anywhere above -84 mV, so (t_ref = 0) the cell fires in the very step of every event.
    lab = PerceptronLab(constant(20.0, synchrony=1.0, w_mV=0.3, t_ref_ms=0.0), seed=5)
    lab.run(5000.0)
    lif, _ = lab.lif.recent()
    shown, cells = lab.shown.recent()
    events = np.unique(shown[cells == 0])  # input 0 fires only in events at c = 1
    assert np.array_equal(lif, events) and len(lif) > 50
    assert lab.readouts()["lif_mean_rate_hz"] == pytest.approx(20.0, rel=0.25)


def test_membrane_fluctuations_match_campbells_theorem():
    # A threshold out of reach: V is the free shot-noise membrane; its sd must be the readout's.
    lab = PerceptronLab(constant(60.0, synchrony=0.3, V_thresh_mV=0.0), seed=6)
    lab.run(1000.0)  # past the approach to the mean
    samples = []
    for _ in range(60):
        lab.run(TRACE_MS)
        samples.append(lab.trace.view()[1:, 0])
    V = np.concatenate(samples)
    assert V.mean() == pytest.approx(REST + 12.0, abs=0.5)
    assert V.std() == pytest.approx(lab.readouts()["fluct_sd_mV"], rel=0.1)  # 4.3 mV
    assert lab.readouts()["fluct_sd_mV"] == pytest.approx(math.sqrt(10 * 0.06 * (0.7 * 100 * 0.01 + 0.3 * 100)))


# -- time: the response to a step ---------------------------------------------------------------
def test_step_preset_latency_is_the_closed_form_of_order_tau_m():
    lab = PerceptronLab(preset="step", seed=7)
    assert lab.readouts()["latency_theory_ms"] == pytest.approx(TAU * math.log(18 / 8))  # 16.2 ms
    lab.run(20_000.0)
    r = lab.readouts()
    assert r["latency_ms"] == pytest.approx(r["latency_theory_ms"], rel=0.15)
    assert 0.3 * TAU < r["latency_ms"] < 3 * TAU
    m = lab.metrics()
    assert m["latency_samples"] == 50 and m["latency_missed"] == 0


def test_low_noise_latency_matches_the_closed_form_closely():
    lab = PerceptronLab({"n_inputs": 2000, "w_mV": 0.005, "rate_hz": 30.0, "rate_step_hz": 90.0}, seed=8)
    lab.run(20_000.0)  # drive 6 -> 24 mV, sd <= 0.24 mV
    r = lab.readouts()
    assert r["latency_ms"] == pytest.approx(TAU * math.log(18 / 8), abs=1.0)


def test_perceptron_switches_at_the_step_and_the_lif_lags():
    lab = PerceptronLab(preset="step", seed=9)
    lab.run(199.9)
    assert lab.readouts()["perceptron_output"] == 0.0
    lab.run(0.1)  # t = 200 ms: the next step is the first of the high half
    assert lab.readouts()["perceptron_output"] == 1.0
    lab.run(19_800.0)
    t, rate = lab.response()
    before = rate[(t > 100) & (t < 200)].mean()
    first_ms = rate[(t > 200) & (t < 205)].mean()
    late = rate[(t > 300) & (t < 400)].mean()
    assert before < 1.0 and first_ms < 0.2 * late
    assert late == pytest.approx(closed_form_hz(24.0), rel=0.15)


# -- sweeps, bookkeeping, errors -------------------------------------------------------------------
def test_theory_curve_for_sweeps():
    params = PerceptronLab.resolve_params("synchrony")
    y = theory_for(PerceptronLab, "lif_mean_rate_hz", "rate_hz", [40.0, 80.0, 120.0, 160.0], params)
    assert y == pytest.approx([0.0, 0.0, closed_form_hz(24.0), closed_form_hz(32.0)])
    y = theory_for(PerceptronLab, "lif_mean_rate_hz", "w_mV", [0.05, 0.2], params)
    assert y == pytest.approx([0.0, closed_form_hz(24.0)])
    assert theory_for(PerceptronLab, "lif_mean_rate_hz", "synchrony", [0.0, 0.5], params) == pytest.approx([0.0, 0.0])
    assert theory_for(PerceptronLab, "lif_mean_rate_hz", "rate_hz", [1.0], PerceptronLab.resolve_params("step")) is None


def test_frame_split_invariance_across_chunks():
    whole = PerceptronLab(preset="step", seed=10)
    whole.step(3 * CHUNK_STEPS + 126)
    split = PerceptronLab(preset="step", seed=10)
    for n in (1, 1999, 2, 1000, 1001, 17, 2106):
        split.step(n)
    assert split.steps_done == whole.steps_done
    assert whole.metrics() == split.metrics()
    for name, s in whole.series().items():
        t = split.series()[name]
        assert np.array_equal(s.y, t.y) and np.array_equal(s.x, t.x), name


def test_live_input_change_restarts_the_statistics():
    lab = PerceptronLab(constant(60.0), seed=11)
    lab.run(1000.0)
    assert lab.set_param("synchrony", 0.5) is True
    assert lab.readouts()["spike_count"] == 0 and math.isnan(lab.readouts()["lif_mean_rate_hz"])
    lab.run(5000.0)
    assert lab.readouts()["shared_fraction"] == pytest.approx(0.5, abs=0.05)


def test_memory_stays_bounded():
    lab = PerceptronLab(preset="synchrony", seed=12)
    lab.run(120_000.0)
    assert len(lab._chunks) <= 2
    assert len(lab.trace) == lab.trace.capacity == int(TRACE_MS / 0.1) + 1
    assert lab.lif.times.capacity == 20_000 and lab.shown.n_cells == N_SHOWN


def test_bad_parameters_name_themselves():
    with pytest.raises(ParamError, match="^V_reset_mV: must be below V_thresh_mV"):
        PerceptronLab({"V_reset_mV": -50.0})
    with pytest.raises(ParamError, match="^rate_step_hz: rate_hz \\+ rate_step_hz must be at most"):
        PerceptronLab({"rate_hz": 600.0, "rate_step_hz": 600.0, "dt_ms": 1.0})
    with pytest.raises(ParamError, match="^period_ms: must be at least two steps"):
        PerceptronLab({"period_ms": 1.0, "dt_ms": 1.0})
