"""Triplet STDP (Pfister & Gerstner 2006) against science.md section 5."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.plasticity.triplet import TRIPLET_MODELS, TripletSTDP, triplet_dw_closed_form

N_PAIRS, DELAY = 60, 10.0  # science.md: pairing at +/-10 ms, 60 pairings


def protocol(freq_hz: float, delay_ms: float):
    base = np.arange(N_PAIRS) * 1000.0 / freq_hz
    return (base, base + delay_ms) if delay_ms > 0 else (base - delay_ms, base)


def run(pre, post, w0=1.0, **kw) -> float:
    r = TripletSTDP(**{**TRIPLET_MODELS["full"], "w_max": 100.0, **kw})
    w = np.full((1, 1), w0)
    for t, is_post in sorted([(t, 0) for t in pre] + [(t, 1) for t in post]):
        (r.on_post if is_post else r.on_pre)(w, [0], t)
    return float(w[0, 0] - w0)


def test_published_constants():
    # science.md: tau_plus 16.8, tau_x 101, tau_minus 33.7, tau_y 125 ms, A2+ 5e-10, A3+ 6.2e-3,
    # A2- 7e-3, A3- 2.3e-4
    assert TRIPLET_MODELS["full"] == dict(tau_plus_ms=16.8, tau_x_ms=101.0, tau_minus_ms=33.7, tau_y_ms=125.0,
                                            A2_plus=5e-10, A3_plus=6.2e-3, A2_minus=7e-3, A3_minus=2.3e-4)


@pytest.mark.parametrize("freq", [0.1, 0.5, 1.0])
def test_low_frequency_pre_post_does_nothing_post_pre_depresses(freq):
    pre_post = run(*protocol(freq, +DELAY))
    post_pre = run(*protocol(freq, -DELAY))
    assert post_pre < -0.1  # clear depression (60 pairings)
    assert abs(pre_post) < 0.01 * abs(post_pre)  # "does nothing"


def test_50hz_both_orders_potentiate():
    pre_post = run(*protocol(50.0, +DELAY))
    post_pre = run(*protocol(50.0, -DELAY))
    assert pre_post > 0.1 and post_pre > 0.1


def test_isolated_pair_reduces_to_pair_terms():
    # One pair: no earlier spike, so the triplet terms (r2, o2 before the jump) are zero.
    p = TRIPLET_MODELS["full"]
    for d in (5.0, 20.0):
        assert run((0.0,), (d,)) == pytest.approx(p["A2_plus"] * math.exp(-d / p["tau_plus_ms"]), rel=1e-9)
        assert run((d,), (0.0,)) == pytest.approx(-p["A2_minus"] * math.exp(-d / p["tau_minus_ms"]), rel=1e-12)


def test_triplet_term_needs_a_recent_post_spike():
    # post, pre, post: the second post's LTP carries A3_plus * o2 (o2 = exp(-20/tau_y) from the first post).
    p = TRIPLET_MODELS["full"]
    dw = run((10.0,), (0.0, 20.0))
    ltd = -p["A2_minus"] * math.exp(-10.0 / p["tau_minus_ms"])
    ltp = math.exp(-10.0 / p["tau_plus_ms"]) * (p["A2_plus"] + p["A3_plus"] * math.exp(-20.0 / p["tau_y_ms"]))
    assert dw == pytest.approx(ltd + ltp, rel=1e-12)


def test_online_equals_sum_over_spikes_for_random_trains():
    rng = np.random.default_rng(2)
    for _ in range(5):
        pre = np.sort(rng.uniform(0, 400, rng.integers(1, 30)))
        post = np.sort(rng.uniform(0, 400, rng.integers(1, 30)))
        assert run(pre, post) == pytest.approx(triplet_dw_closed_form(pre, post), rel=1e-9, abs=1e-15)


def test_dense_update_equals_events_and_clips():
    rng = np.random.default_rng(5)
    steps, dt = 4000, 0.1
    pre = rng.random((steps, 3)) < 0.01
    post = rng.random((steps, 2)) < 0.01
    w_dense = rng.random((3, 2))
    w_ev = w_dense.copy()
    a, b = TripletSTDP(w_max=1.0), TripletSTDP(w_max=1.0)
    a.reset(3, 2)
    b.reset(3, 2)
    for k in range(steps):
        a.update(w_dense, pre[k], post[k], dt)
        b.on_pre(w_ev, np.flatnonzero(pre[k]), (k + 1) * dt)
        b.on_post(w_ev, np.flatnonzero(post[k]), (k + 1) * dt)
    np.testing.assert_allclose(w_dense, w_ev, rtol=0, atol=1e-15)
    assert w_dense.min() >= 0.0 and w_dense.max() <= 1.0


# Pfister & Gerstner 2006 fit Sjostrom et al. (2001): 60 pairings at +/-10 ms. The full model's
# dw at 0.1 / 10 / 20 / 40 / 50 Hz, as the paper's figure gives it (docs/science.md).
FREQS = (0.1, 10.0, 20.0, 40.0, 50.0)
FULL_DW = {+10.0: (0.0, 0.13, 0.25, 0.53, 0.74), -10.0: (-0.31, -0.33, -0.35, 0.16, 0.73)}


def closed_form(model: str, freq: float, delay: float) -> float:
    return triplet_dw_closed_form(*protocol(freq, delay), **TRIPLET_MODELS[model])


@pytest.mark.parametrize("delay", [+10.0, -10.0])
def test_full_model_reproduces_the_frequency_curve(delay):
    got = [closed_form("full", f, delay) for f in FREQS]
    assert got == pytest.approx(FULL_DW[delay], abs=0.015)


@pytest.mark.parametrize("delay", [+10.0, -10.0])
def test_minimal_model_fits_the_same_data_about_equally_well(delay):
    got = [closed_form("minimal", f, delay) for f in FREQS]
    assert got == pytest.approx(FULL_DW[delay], abs=0.03)


def test_minimal_model_has_no_pair_ltp_and_no_triplet_ltd():
    m = TRIPLET_MODELS["minimal"]
    assert (m["A2_plus"], m["A3_minus"], m["A3_plus"], m["A2_minus"], m["tau_y_ms"]) == (0.0, 0.0, 6.5e-3, 7.1e-3, 114.0)
    # One isolated pre-before-post pair: the full model's tiny A2_plus, the minimal model nothing.
    assert run([0.0], [10.0], **TRIPLET_MODELS["minimal"]) == 0.0
    assert run([0.0], [10.0]) > 0.0


@pytest.mark.parametrize("model", ["full", "minimal"])
def test_both_models_online_low_and_high_frequency(model):
    post_pre = run(*protocol(1.0, -DELAY), **TRIPLET_MODELS[model])
    pre_post = run(*protocol(1.0, +DELAY), **TRIPLET_MODELS[model])
    assert post_pre < -0.1 and abs(pre_post) < 0.01 * abs(post_pre)
    assert run(*protocol(50.0, +DELAY), **TRIPLET_MODELS[model]) > 0.1
    assert run(*protocol(50.0, -DELAY), **TRIPLET_MODELS[model]) > 0.1
