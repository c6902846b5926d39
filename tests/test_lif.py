"""The lif lab against science.md section 1 (closed forms, the chapter's numbers)."""

import json
import math

import numpy as np
import pytest

from hebblab.sim import theory
from hebblab.sim.labs import get_lab
from hebblab.sim.labs.lif import LifLab
from hebblab.sim.params import ParamError


def closed_form_period_ms(I, tau=20.0, V_rest=-70.0, V_th=-54.0, V_reset=-80.0, R=10.0, t_ref=0.0):
    """science.md: t_ref + tau ln((V_inf - V_reset) / (V_inf - V_thresh))."""
    v_inf = V_rest + R * I
    return t_ref + tau * math.log((v_inf - V_reset) / (v_inf - V_th))


def run(preset="chapter", ms=None, seed=0, **params):
    lab = LifLab(params, seed=seed, preset=preset)
    lab.run(ms if ms is not None else lab.preset(preset).duration_ms)
    return lab


def test_registered():
    assert get_lab("lif") is LifLab
    assert LifLab.presets[0].name == "chapter"
    assert {"chapter", "ex1-tau40", "ex2-inhibitory", "ex3-sigmoid"} <= {p.name for p in LifLab.presets}


def test_chapter_spike_times_exactly():
    m = run().metrics()
    assert m["spike_times_ms"] == [43.9, 96.6, 149.3, 202.0, 254.7]
    assert m["spike_count"] == 5


def test_chapter_count_rate_misleads():
    r = run().readouts()
    assert r["count_rate_hz"] == pytest.approx(5 / 0.3)  # 16.7 Hz
    assert round(r["count_rate_hz"], 1) == 16.7
    assert r["theory_rate_hz"] == pytest.approx(18.95, abs=0.005)
    # The ISI rate is the closed form up to Euler's -0.15 % ISI error.
    assert 1000 / r["isi_rate_hz"] == pytest.approx(52.7)
    assert r["isi_rate_hz"] / r["theory_rate_hz"] - 1 == pytest.approx(0.0015, abs=0.0003)


def test_first_spike_latency():
    r = run().readouts()
    assert r["latency_theory_ms"] == pytest.approx(43.94, abs=0.005)
    assert r["first_spike_ms"] == pytest.approx(43.9)  # Euler crosses first at update 439
    exact = run("exact").readouts()
    # Exact integration: the first grid point at or after 20 ln 9 = 43.944 ms.
    assert exact["first_spike_ms"] == pytest.approx(44.0)


def test_exact_method_spike_times():
    times = run("exact").metrics()["spike_times_ms"]
    assert times == [44.0, 96.8, 149.6, 202.4, 255.2]
    # science.md's list (43.9, 96.7, ...) stamps each spike at the start of its step.
    assert [round(t - 0.1, 6) for t in times] == [43.9, 96.7, 149.5, 202.3, 255.1]


def test_exercise1_rate_falls_to_9_47():
    r = run("ex1-tau40").readouts()
    assert r["theory_rate_hz"] == pytest.approx(9.47, abs=0.005)
    assert r["isi_rate_hz"] == pytest.approx(9.47, abs=0.02)
    chapter = run().readouts()
    assert r["isi_rate_hz"] < chapter["isi_rate_hz"] / 1.9
    notes = " ".join(run("ex1-tau40").notes())
    assert "less often" in notes and "exercise 1" in notes


def test_readouts_for_the_chapter_neuron():
    r = run().readouts()
    assert r["rheobase_nA"] == pytest.approx(1.6)
    assert r["V_inf_mV"] == pytest.approx(-52.0)
    notes = " ".join(run().notes())
    assert "12.5 % above rheobase" in notes and "0.2 nA drop silences it" in notes


@pytest.mark.parametrize("I,tau,t_ref,dt", [
    (1.7, 20.0, 0.0, 0.1), (1.8, 10.0, 2.0, 0.1), (2.5, 30.0, 0.0, 0.05), (3.0, 5.0, 1.0, 0.01),
    (5.0, 20.0, 5.0, 0.1), (2.0, 50.0, 0.0, 0.5), (8.0, 15.0, 3.0, 1.0), (1.65, 20.0, 0.0, 0.1),
])
def test_exact_method_matches_closed_form(I, tau, t_ref, dt):
    """Exact integration has no error; only the grid rounds each ISI up by less than dt
    (t_ref is a multiple of dt here)."""
    T = closed_form_period_ms(I, tau=tau, t_ref=t_ref)
    lab = run("exact", ms=max(20 * T, 200.0), I_ext_nA=I, tau_m_ms=tau, t_ref_ms=t_ref, dt_ms=dt)
    r = lab.readouts()
    measured = 1000.0 / r["isi_rate_hz"]
    assert T - 1e-9 <= measured <= T + dt + 1e-9
    assert r["theory_rate_hz"] == pytest.approx(1000.0 / T)


@pytest.mark.parametrize("I,tau,t_ref,dt", [
    (1.8, 20.0, 0.0, 0.1), (1.8, 20.0, 0.0, 1.0), (2.5, 10.0, 2.0, 0.1), (4.0, 5.0, 0.0, 0.5),
    (1.7, 40.0, 1.0, 0.2),
])
def test_euler_matches_closed_form_within_its_error(I, tau, t_ref, dt):
    """Forward Euler's recurrence V_k - V_inf = (1 - h)^k (V_0 - V_inf), h = dt/tau, reaches
    threshold after T h / -ln(1 - h) instead of T: it fires early by about h/2; the grid
    then rounds up by less than dt."""
    T = closed_form_period_ms(I, tau=tau)
    h = dt / tau
    euler_T = T * h / -math.log(1 - h)
    lab = run("chapter", ms=max(20 * T, 200.0), I_ext_nA=I, tau_m_ms=tau, t_ref_ms=t_ref, dt_ms=dt)
    measured = 1000.0 / lab.readouts()["isi_rate_hz"] - t_ref
    assert euler_T - 1e-9 <= measured <= euler_T + dt + 1e-9
    assert measured < T + dt


def test_euler_isi_error_at_two_time_steps():
    true = closed_form_period_ms(1.8)
    for dt, err in ((0.1, -0.0015), (1.0, -0.015)):
        isi = 1000.0 / run("chapter", ms=1000.0, dt_ms=dt).readouts()["isi_rate_hz"]
        assert isi / true - 1 == pytest.approx(err, abs=0.0005)


def test_refractory_period_against_closed_form():
    r = run("refractory").readouts()
    T = closed_form_period_ms(5.0, t_ref=5.0)
    assert r["theory_rate_hz"] == pytest.approx(1000.0 / T)
    assert T <= 1000.0 / r["isi_rate_hz"] <= T + 0.1
    no_ref = run("refractory", t_ref_ms=0.0).readouts()
    assert no_ref["isi_rate_hz"] == pytest.approx(88.0, abs=0.5)
    assert r["isi_rate_hz"] == pytest.approx(61.1, abs=0.3)


def test_ex2_inhibitory_current_silences_the_cell():
    lab = run("ex2-inhibitory")
    times = lab.metrics()["spike_times_ms"]
    assert times == [43.9, 96.6, 149.3]  # nothing after the -0.6 nA step at 150 ms
    assert lab.readouts()["V_inf_mV"] == pytest.approx(-58.0)
    assert lab.readouts()["theory_rate_hz"] == 0.0
    # 0.2 nA less than the chapter's drive is already rheobase: silent.
    assert run("chapter", ms=1000.0, I_ext_nA=1.59).readouts()["spike_count"] == 0


def test_ex3_noise_fires_a_cell_below_rheobase():
    silent = run("ex3-sigmoid", noise_nA=0.0).readouts()
    noisy = run("ex3-sigmoid").readouts()
    assert silent["spike_count"] == 0 and noisy["theory_rate_hz"] == 0.0
    assert noisy["spike_count"] > 20 and noisy["cv_isi_mean"] > 0.2
    # The noisy rate rises smoothly with I: no sharp corner at rheobase (1.6 nA).
    below = run("ex3-sigmoid", I_ext_nA=1.4).readouts()["count_rate_hz"]
    above = run("ex3-sigmoid", I_ext_nA=1.7).readouts()["count_rate_hz"]
    assert 0 < below < noisy["count_rate_hz"] < above


def test_noise_determinism_with_seed():
    a = run("noisy", ms=500.0, seed=4).metrics()
    b = run("noisy", ms=500.0, seed=4).metrics()
    c = run("noisy", ms=500.0, seed=5).metrics()
    assert a == b
    assert a["spike_times_ms"] != c["spike_times_ms"]
    # Without noise the seed is irrelevant.
    assert run(seed=1).metrics() == run(seed=2).metrics()


@pytest.mark.parametrize("preset", ["chapter", "noisy", "population", "refractory", "ex2-inhibitory"])
def test_frame_split_bit_identical(preset):
    whole = LifLab(seed=3, preset=preset)
    whole.step(6000)
    split = LifLab(seed=3, preset=preset)
    for n in (1, 7, 100, 999, 4893):
        split.step(n)
    assert whole.metrics() == split.metrics()
    for name, s in whole.series().items():
        assert np.array_equal(s.y, split.series()[name].y)
        assert np.array_equal(s.x, split.series()[name].x)


def test_live_change_is_split_invariant_and_takes_effect():
    def go(chunks_before, chunks_after):
        lab = LifLab(seed=3, preset="noisy")
        for n in chunks_before:
            lab.step(n)
        assert lab.set_param("I_ext_nA", 3.0) is True
        for n in chunks_after:
            lab.step(n)
        return lab
    a, b = go([2000], [3000]), go([3, 1997], [1, 2998, 1])
    assert a.metrics() == b.metrics()
    times = np.array(a.metrics()["spike_times_ms"])
    rate_after = np.sum(times > 200.0) / 0.3
    rate_before = np.sum(times <= 200.0) / 0.2
    assert rate_before < 30 < 40 < rate_after  # 3 nA: closed form 47.6 Hz
    assert a.readouts()["theory_rate_hz"] == pytest.approx(1000 / closed_form_period_ms(3.0))


def test_non_live_params_wait_for_reset():
    lab = LifLab(preset="chapter")
    assert lab.set_param("dt_ms", 0.05) is False
    assert lab.dt_ms == 0.1
    lab.reset()
    assert lab.dt_ms == 0.05


def test_cross_parameter_checks_name_the_parameter():
    with pytest.raises(ParamError, match="V_reset_mV"):
        LifLab({"V_reset_mV": -50.0})
    with pytest.raises(ParamError, match="V_rest_mV"):
        LifLab({"V_rest_mV": -50.0})
    with pytest.raises(ParamError, match="I_ext_nA"):
        LifLab({"I_ext_nA": math.inf})
    with pytest.raises(ParamError, match="method"):
        LifLab({"method": "rk4"})
    lab = LifLab()
    with pytest.raises(ParamError, match="V_reset_mV"):
        lab.set_param("V_reset_mV", -40.0)


def test_series_membrane_with_drawn_spikes():
    lab = run()
    s = lab.series()
    m = s["membrane"]
    assert m.kind == "trace" and len(m.x) == len(m.y) == 3001
    assert m.x[0] == 0.0 and m.x[-1] == pytest.approx(300.0)
    # The listing overwrites the sample before each reset with +20 mV.
    for t in (43.9, 96.6, 149.3, 202.0, 254.7):
        k = int(round(t / 0.1))
        assert m.y[k - 1] == 20.0 and m.y[k] == -80.0
    assert np.sum(m.y == 20.0) == 5
    assert m.hlines["threshold"] == -54.0
    _, V = lab.trace_data()
    assert V.max() < -54.0  # the dynamics never hold the drawn peak
    lab.set_param("draw_spikes", False)
    assert lab.series()["membrane"].y.max() < -54.0


def test_series_raster_and_fi_curve():
    lab = run("population", ms=300.0)
    s = lab.series()
    assert s["spikes"].kind == "raster" and s["spikes"].y_range == (-0.5, 99.5)
    assert len(s["spikes"].x) == lab.readouts()["spike_count"]
    fi = run().series()["fI"]
    assert fi.kind == "curve"
    I_th, rate_th = fi.overlays["theory"]
    assert np.allclose(rate_th, theory.lif_rate_hz(I_th, 20.0, -70.0, -54.0, -80.0, 10.0))
    x, y = fi.markers["measured"]
    assert x == pytest.approx(1.8) and y == pytest.approx(1000 / 52.7)


def test_metrics_are_json_and_complete():
    m = run().metrics()
    json.dumps(m)
    for key in ("spike_count", "spike_times_ms", "isi_rate_hz", "theory_rate_hz"):
        assert key in m
    silent = run(I_ext_nA=0.0).metrics()
    assert silent["isi_rate_hz"] is None and silent["spike_times_ms"] == []
    json.dumps(silent)


def test_memory_is_bounded_over_long_runs():
    lab = LifLab({"trace_ms": 50.0}, preset="refractory")
    lab.run(20_000.0)  # 200 000 steps, ~1200 spikes
    t, V = lab.trace_data()
    assert len(V) == 501 and t[-1] == pytest.approx(20_000.0)
    assert lab._trace.nbytes == 501 * 8
    lab2 = LifLab({"trace_ms": 50.0}, preset="refractory")
    lab2.run(2_000.0)
    assert lab2._trace.nbytes == lab._trace.nbytes
    assert lab._spikes.times.nbytes == lab2._spikes.times.nbytes


@pytest.mark.parametrize("preset", ["noisy", "ex2-inhibitory", "refractory"])
def test_lab_equals_a_per_step_loop_of_its_inputs(preset):
    """The lab's fast path against the canonical one-update-at-a-time schedule, fed the
    documented input: I_ext (+ I_step from t_step) + noise_nA * sqrt(tau/dt) * z."""
    from hebblab.sim.inputs import GaussianNoiseCurrent
    from hebblab.sim.neurons import LIFParams, LIFPopulation

    lab = LifLab(seed=7, preset=preset)
    lab.run(400.0)
    p = lab.params
    pop = LIFPopulation(1, LIFParams(p["tau_m_ms"], p["V_rest_mV"], p["V_thresh_mV"], p["V_reset_mV"],
                                     p["R_m_MOhm"], p["t_ref_ms"], p["dt_ms"], p["method"]))
    z = GaussianNoiseCurrent(1.0, 1.0, 1.0, 1, seed=7).normals(0, 4000)[:, 0]
    spikes, V = [], [pop.V[0]]
    for k in range(1, 4001):
        I = p["I_ext_nA"] + (p["I_step_nA"] if (k - 1) * p["dt_ms"] >= p["t_step_ms"] else 0.0)
        I += p["noise_nA"] * math.sqrt(p["tau_m_ms"] / p["dt_ms"]) * z[k - 1]
        if pop.step(I)[0]:
            spikes.append(round(k * p["dt_ms"], 6))
        V.append(pop.V[0])
    assert lab.metrics()["spike_times_ms"] == spikes
    _, trace = lab.trace_data()
    assert np.max(np.abs(trace - np.array(V))) < 1e-9


def test_notes_cover_each_situation():
    assert any("noise-driven" in n for n in run("ex3-sigmoid", ms=500.0).notes())
    assert any("CV of the ISI" in n for n in run("noisy", ms=1000.0).notes())
    assert any("steps from 1.8 to 1.2 nA" in n for n in run("ex2-inhibitory").notes())
    assert any("method=exact" in n for n in run("chapter", dt_ms=1.0).notes())
    assert any("not a multiple of dt" in n for n in run("exact", t_ref_ms=0.25, dt_ms=0.1).notes())
    exact_rheobase = run("chapter", ms=10.0, I_ext_nA=1.6).notes()
    assert any("equals the threshold exactly" in n for n in exact_rheobase)
