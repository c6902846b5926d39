"""hebblab.sim.inputs: currents and Poisson trains are pure functions of the update range."""

import math

import numpy as np
import pytest

from hebblab.sim.inputs import ConstantCurrent, GaussianNoiseCurrent, PoissonSpikeTrains, StepCurrent
from hebblab.sim.neurons import BlockRunner, LIFParams, LIFPopulation


def test_constant_current():
    src = ConstantCurrent([1.0, 2.0], n=2)
    blk = src.block(17, 5)
    assert blk.shape == (5, 2) and np.all(blk == [1.0, 2.0])


def test_step_current_lands_on_the_grid():
    src = StepCurrent(1.8, 1.2, t_on_ms=150.0, dt_ms=0.1, n=3)
    blk = src.block(0, 3000)
    # Update k covers [(k-1) dt, k dt): the 1501st update (row 1500) is the first at 150 ms.
    assert np.all(blk[:1500] == 1.8) and np.all(blk[1500:] == 1.2)
    assert np.array_equal(src.block(1400, 200), blk[1400:1600])


def test_noise_is_a_pure_function_of_the_range():
    g = GaussianNoiseCurrent(0.3, 20.0, 0.1, n=4, seed=7)
    whole = g.block(0, 150_000)
    parts = np.vstack([g.block(0, 1), g.block(1, 65535), g.block(65536, 10), g.block(65546, 84454)])
    assert np.array_equal(whole, parts)
    again = GaussianNoiseCurrent(0.3, 20.0, 0.1, n=4, seed=7)
    assert np.array_equal(again.block(100_000, 50), whole[100_000:100_050])
    other = GaussianNoiseCurrent(0.3, 20.0, 0.1, n=4, seed=8)
    assert not np.array_equal(other.block(0, 100), whole[:100])


def test_noise_statistics_and_scaling():
    g = GaussianNoiseCurrent(0.2, 20.0, 0.1, n=2, seed=1)
    x = g.block(0, 200_000)
    assert g.scale_nA == pytest.approx(0.2 * math.sqrt(200.0))
    assert np.std(x) == pytest.approx(g.scale_nA, rel=0.01)
    assert abs(np.mean(x)) < 0.02 * g.scale_nA
    # Cells are independent.
    assert abs(np.corrcoef(x[:, 0], x[:, 1])[0, 1]) < 0.01
    assert np.all(GaussianNoiseCurrent(0.0, 20.0, 0.1, n=2, seed=1).block(0, 10) == 0)


@pytest.mark.parametrize("dt", [0.01, 0.1, 0.5])
def test_noise_gives_the_same_membrane_fluctuations_at_any_dt(dt):
    """Free membrane (threshold out of reach): V std = R*sigma/sqrt(2) (OU process),
    independent of dt; the exact discrete OU variance is R^2 s^2 c^2/(1-a^2) with
    s = sigma sqrt(tau/dt), a = exp(-dt/tau), c = 1-a."""
    tau, R, sigma = 20.0, 10.0, 0.2
    p = LIFParams(tau_m_ms=tau, R_m_MOhm=R, V_thresh_mV=1e9, dt_ms=dt, method="exact")
    g = GaussianNoiseCurrent(sigma, tau, dt, n=50, seed=3)
    pop = LIFPopulation(50, p)
    runner = BlockRunner(pop, g.block)
    burn = int(round(100.0 / dt))
    runner.step(burn)
    samples = np.concatenate([c[0] for c in runner.step(int(round(2000.0 / dt)))])[:: max(1, int(round(5.0 / dt)))]
    a = math.exp(-dt / tau)
    discrete_sd = R * sigma * math.sqrt(tau / dt) * (1 - a) / math.sqrt(1 - a * a)
    assert discrete_sd == pytest.approx(R * sigma / math.sqrt(2), rel=0.02 * max(1.0, dt / 0.1))
    assert np.std(samples) == pytest.approx(R * sigma / math.sqrt(2), rel=0.06)
    assert np.mean(samples) == pytest.approx(-70.0, abs=0.15)


def test_poisson_rate_and_range_purity():
    pt = PoissonSpikeTrains([5.0, 50.0], dt_ms=0.1, n=2, seed=2)
    s = pt.block(0, 1_000_000)  # 100 s
    rates = s.sum(axis=0) / 100.0
    assert rates[0] == pytest.approx(5.0, rel=0.05)
    assert rates[1] == pytest.approx(50.0, rel=0.02)
    assert np.array_equal(s[123_456:123_556], pt.block(123_456, 100))
    # ISIs of a Poisson train are exponential: CV ~ 1.
    isi = np.diff(np.flatnonzero(s[:, 1])) * 0.1
    assert np.std(isi) / np.mean(isi) == pytest.approx(1.0, abs=0.05)


def test_poisson_streams_differ_and_bad_rates_rejected():
    a = PoissonSpikeTrains(20.0, 1.0, n=100, seed=2, stream=1).block(0, 1000)
    b = PoissonSpikeTrains(20.0, 1.0, n=100, seed=2, stream=2).block(0, 1000)
    assert not np.array_equal(a, b)
    with pytest.raises(ValueError):
        PoissonSpikeTrains(2000.0, 1.0, n=1, seed=0)
    with pytest.raises(ValueError):
        PoissonSpikeTrains(-1.0, 1.0, n=1, seed=0)
