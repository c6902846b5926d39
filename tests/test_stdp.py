"""Pair STDP rule against science.md section 5 (window closed form, online trace form)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.plasticity.stdp import PairSTDP, all_pairs_dw, pair_window

A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS = 0.01, 0.0105, 16.0, 25.0  # distinct taus catch a swap


def science_window(delta_ms: float) -> float:
    """science.md: dw = A_plus exp(-dt/tau_plus) for dt > 0, -A_minus exp(dt/tau_minus) for dt < 0."""
    if delta_ms > 0:
        return A_PLUS * math.exp(-delta_ms / TAU_PLUS)
    return -A_MINUS * math.exp(delta_ms / TAU_MINUS)


def rule(**kw) -> PairSTDP:
    args = dict(A_plus=A_PLUS, A_minus=A_MINUS, tau_plus_ms=TAU_PLUS, tau_minus_ms=TAU_MINUS, w_max=10.0)
    args.update(kw)
    r = PairSTDP(**args)
    r.reset(1, 1)
    return r


def run_events(r: PairSTDP, pre, post, w0=1.0) -> float:
    """Feed spike times in time order (pre before post at ties) through the event API."""
    w = np.full((1, 1), w0)
    events = sorted([(t, 0) for t in pre] + [(t, 1) for t in post])
    for t, is_post in events:
        (r.on_post if is_post else r.on_pre)(w, [0], t)
    return float(w[0, 0])


DELAYS = (-60.0, -25.0, -10.0, -3.3, -0.5, 0.5, 2.0, 10.0, 16.0, 40.0, 80.0)


@pytest.mark.parametrize("delta", DELAYS)
def test_single_pair_equals_window_closed_form(delta):
    pre, post = (100.0,), (100.0 + delta,)
    dw = run_events(rule(), pre, post) - 1.0
    assert dw == pytest.approx(science_window(delta), rel=1e-12, abs=1e-18)
    assert pair_window(delta, A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS) == pytest.approx(science_window(delta), rel=1e-12)


@pytest.mark.parametrize("pairing", ["all-to-all", "nearest"])
def test_isolated_pairs_add_up_for_both_pairings(pairing):
    # 30 pairs 1 s apart: neighbours interact by exp(-1000/25) ~ 4e-18, i.e. not at all.
    for delta in (-20.0, 7.0):
        pre = 1000.0 * np.arange(30) + (0.0 if delta > 0 else -delta)
        post = pre + delta
        dw = run_events(rule(spike_pairing=pairing), pre, post) - 1.0
        assert dw == pytest.approx(30 * science_window(delta), rel=1e-9)


def test_all_to_all_counts_every_pair_nearest_only_the_nearest():
    # Two pre spikes then one post: all-to-all sums both pairs, nearest only the later pre.
    pre, post = (0.0, 10.0), (15.0,)
    both = science_window(15.0) + science_window(5.0)
    assert run_events(rule(), pre, post) - 1.0 == pytest.approx(both, rel=1e-12)
    assert run_events(rule(spike_pairing="nearest"), pre, post) - 1.0 == pytest.approx(science_window(5.0), rel=1e-12)
    # and the closed-form sum helper agrees with all-to-all for random trains
    rng = np.random.default_rng(0)
    pre, post = np.sort(rng.uniform(0, 500, 25)), np.sort(rng.uniform(0, 500, 20))
    assert run_events(rule(), pre, post) - 1.0 == pytest.approx(
        all_pairs_dw(pre, post, A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS), rel=1e-9)


def test_same_time_counts_as_pre_before_post():
    assert run_events(rule(), (50.0,), (50.0,)) - 1.0 == pytest.approx(A_PLUS)


def test_multiplicative_scales_ltp_by_room_left_and_ltd_by_weight():
    w_max, w0 = 2.0, 1.5
    ltp = run_events(rule(w_max=w_max, weight_dependence="multiplicative"), (0.0,), (10.0,), w0) - w0
    assert ltp == pytest.approx(science_window(10.0) * (w_max - w0) / w_max, rel=1e-12)
    ltd = run_events(rule(w_max=w_max, weight_dependence="multiplicative"), (10.0,), (0.0,), w0) - w0
    assert ltd == pytest.approx(science_window(-10.0) * w0 / w_max, rel=1e-12)


def test_weights_are_clipped_to_zero_and_w_max():
    r = rule(A_plus=0.5, A_minus=0.5, w_max=1.0)
    assert run_events(r, (0.0,), (1.0,), w0=0.9) == 1.0
    r = rule(A_plus=0.5, A_minus=0.5, w_max=1.0)
    assert run_events(r, (1.0,), (0.0,), w0=0.1) == 0.0


@pytest.mark.parametrize("dep,pairing", [("additive", "all-to-all"), ("multiplicative", "nearest")])
def test_dense_update_equals_event_driven(dep, pairing):
    """update(w, pre, post, dt) per step gives the same weights as events at the step ends."""
    rng = np.random.default_rng(4)
    n_pre, n_post, steps, dt = 7, 3, 3000, 0.1
    pre = rng.random((steps, n_pre)) < 0.004
    post = rng.random((steps, n_post)) < 0.003
    w_dense = rng.random((n_pre, n_post))
    w_event = w_dense.copy()
    dense = rule(weight_dependence=dep, spike_pairing=pairing, w_max=1.0)
    dense.reset(n_pre, n_post)
    for k in range(steps):
        dense.update(w_dense, pre[k].astype(float), post[k].astype(float), dt)
    ev = rule(weight_dependence=dep, spike_pairing=pairing, w_max=1.0)
    ev.reset(n_pre, n_post)
    for k in range(steps):
        t = (k + 1) * dt
        ev.on_pre(w_event, np.flatnonzero(pre[k]), t)
        ev.on_post(w_event, np.flatnonzero(post[k]), t)
    np.testing.assert_allclose(w_dense, w_event, rtol=0, atol=1e-15)
    # and each synapse of the additive all-to-all rule equals its pair sum (no clipping here)
    if dep == "additive":
        times = (np.arange(steps) + 1) * dt
        for i in range(n_pre):
            for j in range(n_post):
                expect = all_pairs_dw(times[pre[:, i]], times[post[:, j]], A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS)
                r = rule()
                got = run_events(r, times[pre[:, i]], times[post[:, j]], 5.0) - 5.0
                assert got == pytest.approx(expect, rel=1e-9, abs=1e-15)


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        PairSTDP(0.01, 0.01, weight_dependence="quadratic")
    with pytest.raises(ValueError):
        PairSTDP(0.01, 0.01, spike_pairing="random")
    with pytest.raises(ValueError):
        PairSTDP(0.01, 0.01, tau_plus_ms=0.0)
