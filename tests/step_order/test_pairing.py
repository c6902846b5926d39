"""Step order, timing, units and seeding of the pairing lab, as its docstrings state them.

Sources: sim/labs/pairing.py, sim/plasticity/stdp.py, sim/plasticity/triplet.py, sim/plasticity/base.py.

Each expectation is worked out here by hand from the docstring (the raster, the inputs the
engine drew, or a closed form), never by calling the engine's own code path a second time.
Internals are wrapped only to capture the inputs an engine drew.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs.pairing import PairingLab


def _protocol_spikes(delay, freq, n):
    """Pairing k at k/freq; delay = t_post - t_pre; the earlier spike sits at k/freq."""
    pre, post = [], []
    for k in range(n):
        t0 = k * 1000.0 / freq
        if delay >= 0:
            pre.append(t0)
            post.append(t0 + delay)
        else:
            post.append(t0)
            pre.append(t0 - delay)
    return pre, post


def _hand_pair_all_to_all(pre, post, A_plus, A_minus, tau_plus_ms, tau_minus_ms):
    Ap, Am, tp, tm = A_plus, A_minus, tau_plus_ms, tau_minus_ms
    dw = 0.0
    for tq in post:
        for tr in pre:
            d = tq - tr
            dw += Ap * math.exp(-d / tp) if d >= 0 else -Am * math.exp(d / tm)
    return dw


def _hand_pair_nearest(pre, post, A_plus, A_minus, tau_plus_ms, tau_minus_ms):
    """Traces reset at each spike: a post pairs with the latest pre at or before it (pre first at
    ties), a pre with the latest post strictly before it."""
    Ap, Am, tp, tm = A_plus, A_minus, tau_plus_ms, tau_minus_ms
    dw = 0.0
    for tq in post:
        earlier = [t for t in pre if t <= tq]
        if earlier:
            dw += Ap * math.exp(-(tq - max(earlier)) / tp)
    for tr in pre:
        earlier = [t for t in post if t < tr]
        if earlier:
            dw -= Am * math.exp(-(tr - max(earlier)) / tm)
    return dw


def _hand_triplet(pre, post, tau_plus_ms, tau_x_ms, tau_minus_ms, tau_y_ms, A2_plus, A3_plus, A2_minus,
                  A3_minus):
    """Docstring of triplet.py: post at t: w += r1(t)*(A2+ + A3+*o2(t-)); pre at t: w -= o1(t)*(A2- +
    A3-*r2(t-)); a pre at the same instant as a post is processed first (so it is in r1(t) but a
    simultaneous post is not in o1(t))."""
    dw = 0.0
    for t in post:
        r1 = sum(math.exp(-(t - s) / tau_plus_ms) for s in pre if s <= t)
        o2 = sum(math.exp(-(t - s) / tau_y_ms) for s in post if s < t)
        dw += r1 * (A2_plus + A3_plus * o2)
    for t in pre:
        o1 = sum(math.exp(-(t - s) / tau_minus_ms) for s in post if s < t)
        r2 = sum(math.exp(-(t - s) / tau_x_ms) for s in pre if s < t)
        dw -= o1 * (A2_minus + A3_minus * r2)
    return dw


PAIR = dict(A_plus=0.01, A_minus=0.0105, tau_plus_ms=20.0, tau_minus_ms=20.0)


def _run_single(params, dt=1.0, chunks=None):
    lab = PairingLab({"mode": "single", "dt_ms": dt, **params})
    total = lab.steps_for(lab.protocols[-1].end_ms) + 1
    if chunks is None:
        lab.step(total)
    else:
        for c in chunks:
            lab.step(c)
        lab.step(max(0, total - lab.steps_done))
    return lab


@pytest.mark.parametrize("delay,freq,n", [(10.0, 20.0, 6), (-7.0, 30.0, 5), (0.0, 40.0, 4), (3.0, 1.0, 3)])
def test_pairing_pair_all_to_all_dw_is_the_sum_over_every_pair(delay, freq, n):
    """pairing docstring + stdp.py: all-to-all additive pair rule, pre first at ties."""
    lab = _run_single({"rule": "pair", "delay_ms": delay, "freq_hz": freq, "n_pairs": n, **PAIR})
    pre, post = _protocol_spikes(delay, freq, n)
    expect = _hand_pair_all_to_all(pre, post, **PAIR)
    assert lab.protocols[0].dw == pytest.approx(expect, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("delay,freq,n", [(10.0, 20.0, 6), (-7.0, 30.0, 5), (0.0, 40.0, 4)])
def test_pairing_pair_nearest_pairs_with_the_latest_spike_only(delay, freq, n):
    lab = _run_single({"rule": "pair", "spike_pairing": "nearest", "delay_ms": delay, "freq_hz": freq,
                       "n_pairs": n, **PAIR})
    pre, post = _protocol_spikes(delay, freq, n)
    expect = _hand_pair_nearest(pre, post, **PAIR)
    assert lab.protocols[0].dw == pytest.approx(expect, rel=1e-9, abs=1e-15)


def test_pairing_pair_multiplicative_scales_by_current_w():
    """stdp.py: LTP scaled by (w_max - w)/w_max, LTD by w/w_max, each with w just before the event."""
    P = dict(A_plus=0.3, A_minus=0.4, tau_plus_ms=15.0, tau_minus_ms=25.0)
    lab = _run_single({"rule": "pair", "weight_dependence": "multiplicative", "delay_ms": 5.0, "freq_hz": 50.0,
                       "n_pairs": 4, "w_init": 1.0, "w_max": 2.0, **P})
    pre, post = _protocol_spikes(5.0, 50.0, 4)
    ev = sorted([(t, 0) for t in pre] + [(t, 1) for t in post])
    w, wmax = 1.0, 2.0
    for t, is_post in ev:
        if is_post:
            x = sum(P["A_plus"] * math.exp(-(t - s) / P["tau_plus_ms"]) for s in pre if s <= t)
            w = min(max(w + x * (wmax - w) / wmax, 0.0), wmax)
        else:
            x = -sum(P["A_minus"] * math.exp(-(t - s) / P["tau_minus_ms"]) for s in post if s < t)
            w = min(max(w + x * w / wmax, 0.0), wmax)
    assert lab.protocols[0].dw == pytest.approx(w - 1.0, rel=1e-9)


@pytest.mark.parametrize("model", ["full", "minimal"])
@pytest.mark.parametrize("delay,freq,n", [(10.0, 50.0, 6), (-10.0, 50.0, 6), (5.0, 100.0, 5), (0.0, 20.0, 4),
                                          (-10.0, 1.0, 3)])
def test_pairing_triplet_dw_is_the_docstring_sum(model, delay, freq, n):
    from hebblab.sim.plasticity.triplet import TRIPLET_MODELS  # constants only
    lab = _run_single({"rule": "triplet", "triplet_model": model, "delay_ms": delay, "freq_hz": freq,
                       "n_pairs": n})
    pre, post = _protocol_spikes(delay, freq, n)
    expect = _hand_triplet(pre, post, **TRIPLET_MODELS[model])
    assert lab.protocols[0].dw == pytest.approx(expect, rel=1e-9, abs=1e-15)


def test_pairing_triplet_o2_is_the_value_before_the_posts_own_jump():
    """A single isolated pre-post pair: o2(t-) = 0 at the only post, so dw = A2_plus*exp(-d/tau_plus)
    - nothing else (a bug using o2 after the jump would add A3_plus)."""
    lab = _run_single({"rule": "triplet", "delay_ms": 4.0, "freq_hz": 1.0, "n_pairs": 1})
    assert lab.protocols[0].dw == pytest.approx(5e-10 * math.exp(-4.0 / 16.8), rel=1e-9)


def test_pairing_events_fire_when_their_time_is_reached_and_pairs_done_counts_completed_pairs():
    """A spike at t is processed by the step whose end k*dt first reaches t; pairs_done counts
    pairings whose both spikes happened."""
    lab = PairingLab({"mode": "single", "rule": "pair", "delay_ms": 10.0, "freq_hz": 10.0, "n_pairs": 3,
                      "dt_ms": 1.0, **PAIR})
    seen = []
    f_pre, f_post = lab.rule.on_pre, lab.rule.on_post
    lab.rule.on_pre = lambda w, idx, t, plastic=True: (seen.append(("pre", t, lab.steps_done)), f_pre(w, idx, t, plastic))[1]
    lab.rule.on_post = lambda w, idx, t, plastic=True: (seen.append(("post", t, lab.steps_done)), f_post(w, idx, t, plastic))[1]
    lab.step(1)  # t = 1 ms: the pre at 0 happened, the post at 10 not yet
    assert lab.readouts()["pairs_done"] == 0.0
    assert seen == [("pre", 0.0, 0)]
    lab.step(9)  # t = 10 ms: the post at 10 is reached
    assert lab.readouts()["pairs_done"] == 1.0
    assert seen[-1] == ("post", 10.0, 1)  # processed during the step(9) call that started at step 1
    assert lab.readouts()["dw"] == pytest.approx(0.01 * math.exp(-10 / 20.0), rel=1e-12)
    lab.step(100)
    assert [s[:2] for s in seen] == [("pre", 0.0), ("post", 10.0), ("pre", 100.0), ("post", 110.0)]
    assert lab.readouts()["pairs_done"] == 2.0


@pytest.mark.parametrize("dt", [0.1, 1.0, 7.3, 250.0])
def test_pairing_dw_does_not_depend_on_dt_or_frames(dt):
    params = {"rule": "triplet", "delay_ms": -6.0, "freq_hz": 40.0, "n_pairs": 7}
    lab = _run_single(params, dt=dt, chunks=[1, 3, 2, 17, 5])
    pre, post = _protocol_spikes(-6.0, 40.0, 7)
    from hebblab.sim.plasticity.triplet import TRIPLET_MODELS
    assert lab.protocols[0].dw == pytest.approx(_hand_triplet(pre, post, **TRIPLET_MODELS["full"]), rel=1e-9)


def test_pairing_window_protocols_are_independent_and_laid_out_in_time():
    """Every protocol starts from w_init with empty traces; each lasts n_pairs/freq + gap_ms."""
    P = {"mode": "window", "rule": "pair", "freq_hz": 20.0, "n_pairs": 5, "delay_max_ms": 20.0,
         "delay_step_ms": 10.0, "gap_ms": 30.0, **PAIR}
    lab = PairingLab(P)
    delays = [-20.0, -10.0, 0.0, 10.0, 20.0]
    starts = [k * (5 * 50.0 + 30.0) for k in range(5)]
    assert [p.delay_ms for p in lab.protocols] == delays
    assert [p.start_ms for p in lab.protocols] == pytest.approx(starts)
    assert [p.end_ms for p in lab.protocols] == pytest.approx([s + 280.0 for s in starts])
    lab.run(lab.protocols[-1].end_ms + 1)
    m = lab.metrics()
    for d, dw in zip(m["delays_ms"], m["dw_window"]):
        pre, post = _protocol_spikes(d, 20.0, 5)
        assert dw == pytest.approx(_hand_pair_all_to_all(pre, post, **PAIR), rel=1e-9)


def test_pairing_frequency_mode_runs_highest_frequency_first_both_orders():
    lab = PairingLab({"mode": "frequency", "rule": "pair", "delay_ms": 10.0, "n_pairs": 2})
    got = [(p.freq_hz, p.delay_ms) for p in lab.protocols]
    expect = [(f, s) for f in (50.0, 40.0, 30.0, 20.0, 10.0, 5.0, 2.0, 1.0, 0.5, 0.1) for s in (10.0, -10.0)]
    assert got == expect


def test_pairing_freeze_keeps_w_but_traces_still_move():
    lab = _run_single({"rule": "pair", "delay_ms": 10.0, "freq_hz": 20.0, "n_pairs": 3, "freeze": True, **PAIR})
    assert lab.protocols[0].dw == 0.0
    log = lab.log.view()
    # after the last post (t = 110): x_pre = A+ * sum exp(-(110 - t_pre)/20), x_post = -A- * sum exp(...)
    t = 110.0
    xpre = sum(0.01 * math.exp(-(t - s) / 20.0) for s in (0.0, 50.0, 100.0))
    xpost = -sum(0.0105 * math.exp(-(t - s) / 20.0) for s in (10.0, 60.0, 110.0))
    assert log[-1, 0] == t
    assert log[-1, 2] == pytest.approx(xpre, rel=1e-12)
    assert log[-1, 3] == pytest.approx(xpost, rel=1e-12)


def test_pairing_weight_is_clipped_after_every_event():
    """LTP past w_max is clipped at each post, so later LTD starts from w_max (not from the unclipped sum)."""
    P = dict(A_plus=0.5, A_minus=0.1, tau_plus_ms=20.0, tau_minus_ms=20.0)
    lab = _run_single({"rule": "pair", "delay_ms": 1.0, "freq_hz": 10.0, "n_pairs": 3, "w_init": 0.9,
                       "w_max": 1.0, **P})
    pre, post = _protocol_spikes(1.0, 10.0, 3)
    ev = sorted([(t, 0) for t in pre] + [(t, 1) for t in post])
    w = 0.9
    for t, is_post in ev:
        if is_post:
            w += sum(0.5 * math.exp(-(t - s) / 20.0) for s in pre if s <= t)
        else:
            w -= sum(0.1 * math.exp(-(t - s) / 20.0) for s in post if s < t)
        w = min(max(w, 0.0), 1.0)
    assert lab.protocols[0].dw == pytest.approx(w - 0.9, rel=1e-12)


@pytest.mark.parametrize("rule", ["pair", "triplet"])
def test_pairing_trace_chart_is_the_hand_traces_at_each_x(rule):
    lab = PairingLab({"mode": "single", "rule": rule, "delay_ms": -8.0, "freq_hz": 25.0, "n_pairs": 6, **PAIR})
    lab.run(163.0)  # mid-protocol
    s = lab.series()["trace"]
    pre, post = _protocol_spikes(-8.0, 25.0, 6)
    if rule == "pair":
        spec = [(pre, 20.0, 0.01), (post, 20.0, -0.0105)]
    else:
        spec = [(pre, 16.8, 1.0), (pre, 101.0, 1.0), (post, 33.7, 1.0), (post, 125.0, 1.0)]
    assert len(s.y) == len(spec)
    for row, (times, tau, amp) in zip(s.y, spec):
        hand = [sum(amp * math.exp(-(x - t) / tau) for t in times if t <= x and t <= 163.0) for x in s.x]
        np.testing.assert_allclose(row, hand, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("rule", ["pair", "triplet"])
def test_event_driven_rule_dense_update_stamps_step_end_and_runs_pre_before_post(rule):
    """plasticity/base.py: update() stamps a step's spikes at t = k*dt; pre events before post ones."""
    from hebblab.sim.plasticity.stdp import PairSTDP
    from hebblab.sim.plasticity.triplet import TRIPLET_MODELS, TripletSTDP
    dt = 0.5
    pre_steps, post_steps = [3, 9, 10, 30], [5, 9, 12, 31]
    r = PairSTDP(**PAIR, w_max=10.0) if rule == "pair" else TripletSTDP(**TRIPLET_MODELS["full"], w_max=10.0)
    r.reset(1, 1)
    w = np.ones((1, 1))
    for k in range(1, 40):
        r.update(w, np.array([float(k in pre_steps)]), np.array([float(k in post_steps)]), dt)
    pre = [k * dt for k in pre_steps]
    post = [k * dt for k in post_steps]
    expect = _hand_pair_all_to_all(pre, post, **PAIR) if rule == "pair" else _hand_triplet(
        pre, post, **TRIPLET_MODELS["full"])
    assert w[0, 0] - 1.0 == pytest.approx(expect, rel=1e-9)


@pytest.mark.parametrize("rule", ["pair", "triplet"])
@pytest.mark.parametrize("delay,freq", [(10.0, 50.0), (-10.0, 50.0), (0.0, 30.0), (-3.0, 1.0)])
def test_pairing_theory_overlay_is_the_hand_sum(rule, delay, freq):
    from hebblab.sim.plasticity.triplet import TRIPLET_MODELS
    lab = PairingLab({"mode": "single", "rule": rule, "n_pairs": 7, "delay_ms": delay, "freq_hz": freq, **PAIR})
    pre, post = _protocol_spikes(delay, freq, 7)
    hand = (_hand_pair_all_to_all(pre, post, **PAIR) if rule == "pair"
            else _hand_triplet(pre, post, **TRIPLET_MODELS["full"]))
    assert lab.theory_dw(delay, freq) == pytest.approx(hand, rel=1e-9, abs=1e-15)
