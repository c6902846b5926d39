"""The pairing lab's protocols against science.md section 5 (pair window, triplet frequency story)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs import get_lab
from hebblab.sim.labs.pairing import FREQS_HZ, PairingLab
from hebblab.sim.params import ParamError


def finish(lab: PairingLab) -> PairingLab:
    lab.run(lab.protocols[-1].end_ms - lab.t_ms)
    return lab


def test_window_preset_matches_closed_form_at_every_delay():
    lab = finish(PairingLab(preset="window"))
    P = lab.params
    m = lab.metrics()
    delays = m["delays_ms"]
    assert delays == [float(d) for d in range(-50, 51, 5)]
    n = P["n_pairs"]
    for d, dw in zip(delays, m["dw_window"]):
        # science.md: A_plus exp(-dt/tau_plus) for dt > 0, -A_minus exp(dt/tau_minus) for dt < 0,
        # once per pairing (60 pairings at 1 Hz are isolated: neighbours are 1 s apart).
        if d > 0:
            expect = n * P["A_plus"] * math.exp(-d / P["tau_plus_ms"])
        elif d < 0:
            expect = -n * P["A_minus"] * math.exp(d / P["tau_minus_ms"])
        else:
            expect = n * P["A_plus"]  # simultaneous: pre processed first (documented convention)
        assert dw == pytest.approx(expect, rel=1e-9)
    assert m["dw_window_theory"] == pytest.approx(m["dw_window"], rel=1e-9)


def test_window_with_distinct_taus_and_asymmetric_amplitudes():
    params = {"A_plus": 0.004, "A_minus": 0.007, "tau_plus_ms": 12.0, "tau_minus_ms": 30.0,
              "delay_max_ms": 40.0, "delay_step_ms": 8.0, "n_pairs": 5}
    lab = finish(PairingLab(preset="window", params=params))
    m = lab.metrics()
    for d, dw in zip(m["delays_ms"], m["dw_window"]):
        expect = 5 * (0.004 * math.exp(-d / 12.0) if d >= 0 else -0.007 * math.exp(d / 30.0))
        assert dw == pytest.approx(expect, rel=1e-9)


def test_frequency_preset_reproduces_triplet_frequency_dependence():
    lab = finish(PairingLab(preset="frequency"))
    m = lab.metrics()
    assert m["freqs_hz"] == sorted(FREQS_HZ)
    by_f = {f: (pp, po) for f, pp, po in zip(m["freqs_hz"], m["dw_pre_post"], m["dw_post_pre"])}
    for f in (0.1, 0.5, 1.0):  # science.md: pre-before-post does nothing, post-before-pre depresses
        pp, po = by_f[f]
        assert po < -0.1
        assert abs(pp) < 0.01 * abs(po)
    pp, po = by_f[50.0]  # science.md: at 50 Hz both orders potentiate
    assert pp > 0.1 and po > 0.1


def test_ltd_1hz_and_ltp_100hz_presets():
    ltd = finish(PairingLab(preset="ltd-1hz")).metrics()
    ltp = finish(PairingLab(preset="ltp-100hz")).metrics()
    assert ltd["dw"] < -0.1 and ltp["dw"] > 0.5
    assert ltd["dw"] == pytest.approx(ltd["dw_theory"], rel=1e-9)  # no bound reached
    assert ltp["dw"] == pytest.approx(ltp["dw_theory"], rel=1e-9)


def test_pair_rule_cannot_potentiate_post_pre_at_50hz():
    lab = finish(PairingLab(preset="frequency", params={"rule": "pair"}))
    m = lab.metrics()
    assert all(po < 0 for po in m["dw_post_pre"])  # the contrast the triplet rule exists for


def test_curves_grow_while_the_sweep_runs_and_splits_do_not_matter():
    whole = PairingLab(preset="window")
    split = PairingLab(preset="window")
    steps = whole.steps_for(whole.protocols[10].end_ms + 1.0)
    whole.step(steps)
    for n in (1, 999, 12345, 7, 300_000):
        split.step(n)
    split.step(steps - split.steps_done)
    assert whole.steps_done == split.steps_done
    assert len(whole.metrics()["dw_window"]) == 11
    assert whole.metrics() == split.metrics()
    assert whole.series()["window"].y.shape == (11,)


def test_result_does_not_depend_on_dt():
    a = finish(PairingLab(preset="ltd-1hz", params={"dt_ms": 1.0})).metrics()["dw"]
    b = finish(PairingLab(preset="ltd-1hz", params={"dt_ms": 37.0})).metrics()["dw"]
    assert a == b


def test_freeze_keeps_w_and_is_live():
    lab = PairingLab(preset="ltd-1hz")
    lab.run(10_500.0)
    dw = lab.readouts()["dw"]
    assert dw < 0
    assert lab.set_param("freeze", True) is True
    lab.run(20_000.0)
    assert lab.readouts()["dw"] == dw


def test_series_shapes():
    lab = get_lab("pairing")(preset="frequency")
    lab.run(2_000.0)
    s = lab.series()
    assert s["trace"].y.shape[0] == 4 and s["trace"].labels == ("r1", "r2", "o1", "o2")
    assert np.all(np.isfinite(s["trace"].y)) and s["trace"].y.max() > 0
    assert s["frequency"].kind == "curve" and "post-before-pre" in s["frequency"].overlays
    assert s["weight"].x.shape == s["weight"].y.shape


def test_bad_parameters_are_rejected():
    with pytest.raises(ParamError, match="delay_ms"):
        PairingLab(params={"mode": "single", "freq_hz": 50.0, "delay_ms": 25.0})
    with pytest.raises(ParamError, match="delay_max_ms"):
        PairingLab(params={"mode": "window", "freq_hz": 20.0, "delay_max_ms": 60.0})
    with pytest.raises(ParamError, match="w_init"):
        PairingLab(params={"w_init": 20.0, "w_max": 10.0})
    with pytest.raises(ParamError, match="rule"):
        PairingLab(params={"rule": "tripplet"})


def test_triplet_trace_chart_decays_traces_to_each_event():
    """Each logged row shows r1 as the closed form gives it at that event: the sum over
    earlier-or-simultaneous pre spikes of exp(-(t - t_pre)/tau_plus) (all-to-all, r1 += 1 per
    pre spike), not the value stored at the pre cell's own last spike."""
    from hebblab.sim.labs.pairing import PairingLab

    lab = PairingLab(preset="ltd-1hz", params={"rule": "triplet"})
    proto = lab.protocols[0]
    lab.run(3500.0)
    log = lab.log.view()
    pre_times = proto.times[~proto.is_post]
    assert log.shape[0] >= 4 and (log[:, 2] < 0.5).any() and (log[:, 2] > 0.5).any()
    for t, _, r1, *_ in log:
        past = pre_times[pre_times <= t]
        expected = np.exp(-(t - past) / lab.rule.tau_plus_ms).sum()
        assert r1 == pytest.approx(expected, rel=1e-9, abs=1e-12)
