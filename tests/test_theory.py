"""hebblab.sim.theory against the closed forms and numbers of science.md section 1."""

import math

import numpy as np
import pytest

from hebblab.sim import theory

CH = dict(tau_m_ms=20.0, V_rest_mV=-70.0, V_thresh_mV=-54.0, V_reset_mV=-80.0, R_m_MOhm=10.0)


def test_chapter_numbers():
    assert theory.v_inf(1.8, -70.0, 10.0) == pytest.approx(-52.0)
    assert theory.rheobase_nA(-70.0, -54.0, 10.0) == pytest.approx(1.6)
    assert 1000.0 / theory.lif_rate_hz(1.8, **CH) == pytest.approx(20 * math.log(14), rel=1e-12)
    assert theory.lif_rate_hz(1.8, **CH) == pytest.approx(18.95, abs=0.005)
    assert theory.first_spike_latency_ms(1.8, 20.0, -70.0, -54.0, 10.0) == pytest.approx(20 * math.log(9))
    assert theory.first_spike_latency_ms(1.8, 20.0, -70.0, -54.0, 10.0) == pytest.approx(43.94, abs=0.005)


def test_exercise1_rate_goes_down():
    slow = theory.lif_rate_hz(1.8, **{**CH, "tau_m_ms": 40.0})
    assert 1000.0 / slow == pytest.approx(105.56, abs=0.01)
    assert slow == pytest.approx(9.47, abs=0.005)
    assert slow < theory.lif_rate_hz(1.8, **CH)


def test_silent_at_and_below_rheobase():
    assert theory.lif_rate_hz(1.6, **CH) == 0.0
    assert theory.lif_rate_hz(1.59, **CH) == 0.0
    assert theory.lif_rate_hz(-3.0, **CH) == 0.0
    assert theory.first_spike_latency_ms(1.6, 20.0, -70.0, -54.0, 10.0) == math.inf
    assert theory.lif_rate_hz(1.6001, **CH) > 0.0


def test_refractory_period_adds_to_the_period():
    for t_ref in (0.0, 1.0, 5.0, 20.0):
        rate = theory.lif_rate_hz(1.8, **CH, t_ref_ms=t_ref)
        assert 1000.0 / rate == pytest.approx(t_ref + 20 * math.log(14), rel=1e-12)
    # Strong drive saturates at 1/t_ref.
    assert 199.5 < theory.lif_rate_hz(1e4, **CH, t_ref_ms=5.0) < 200.0


def test_fi_curve_vectorised_and_monotone():
    I, rate = theory.fi_curve(0.0, 5.0, 101, **CH, t_ref_ms=2.0)
    assert I.shape == rate.shape == (101,)
    for i, r in zip(I, rate):
        assert r == pytest.approx(theory.lif_rate_hz(float(i), **CH, t_ref_ms=2.0))
    assert np.all(rate[I <= 1.6] == 0.0)
    assert np.all(np.diff(rate[I > 1.6]) > 0)


@pytest.mark.parametrize("method,dt,expected_steps", [
    # Counted by hand from the geometric solution V_k - V_inf = a^k (V0 - V_inf):
    ("euler", 0.1, 527), ("exact", 0.1, 528), ("euler", 1.0, 52), ("exact", 1.0, 53),
])
def test_grid_steps_reset_to_threshold(method, dt, expected_steps):
    k = theory.steps_to_threshold(1.8, -80.0, 20.0, -70.0, -54.0, 10.0, dt, method)
    assert k == expected_steps
    rate = theory.grid_rate_hz(1.8, **CH, t_ref_ms=0.0, dt_ms=dt, method=method)
    assert rate == pytest.approx(1000.0 / (expected_steps * dt))


def test_grid_rate_euler_error_matches_science():
    true = theory.lif_rate_hz(1.8, **CH)
    for dt, err in ((0.1, -0.0015), (1.0, -0.015)):
        grid = theory.grid_rate_hz(1.8, **CH, t_ref_ms=0.0, dt_ms=dt, method="euler")
        isi_err = true / grid - 1.0  # relative ISI error
        assert isi_err == pytest.approx(err, abs=0.0005)
