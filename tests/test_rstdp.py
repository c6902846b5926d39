"""Dopamine-gated STDP (Izhikevich 2007): the traces against their closed forms, the network's
tags and rewards against the spike trains, and the paper's result (contingent reward makes
the chosen synapse win, random reward does not) over several seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.distal_reward import DistalRewardNetwork, DistalRewardParams
from hebblab.sim.izhikevich import IzhikevichCells, OutDegreeConnectivity
from hebblab.sim.labs.rstdp import RstdpLab
from hebblab.sim.plasticity.da_stdp import DopamineSTDP

TAU_C, TAU_D = 1000.0, 200.0
TAU_CD = 1.0 / (1.0 / TAU_C + 1.0 / TAU_D)  # 166.7 ms: c and d decaying together


def rule(w0=(1.0,), w_max=4.0, eta=0.01, tonic=0.0, tau_c=TAU_C, tau_d=TAU_D) -> DopamineSTDP:
    return DopamineSTDP(np.array(w0, dtype=float), w_max, tau_c, tau_d, eta, tonic)


def run(r: DopamineSTDP, ms: int, rebase_every: int | None = None) -> None:
    for k in range(1, ms + 1):
        r.advance(1.0)
        if rebase_every and k % rebase_every == 0:
            r.rebase()


# -- the trace ODEs against closed forms ----------------------------------------------------
def test_eligibility_decays_exponentially_between_events():
    r = rule()
    r.tag(np.array([0]), 0.7)
    for t in (1, 10, 250, 1000, 3000):
        run(r, t - int(round(r.t)), rebase_every=None)
        assert r.eligibility()[0] == pytest.approx(0.7 * math.exp(-t / TAU_C), rel=1e-12)


def test_eligibility_decay_survives_rebasing():
    r = rule()
    r.tag(np.array([0]), 0.7)
    run(r, 4321, rebase_every=1000)
    assert r.eligibility()[0] == pytest.approx(0.7 * math.exp(-4321 / TAU_C), rel=1e-12)


def test_dopamine_decays_exponentially_after_a_reward():
    r = rule(tonic=0.0)
    r.reward(0.5)
    for t in (1, 50, 200, 1000):
        run(r, t - int(round(r.t)))
        assert r.d == pytest.approx(0.5 * math.exp(-t / TAU_D), rel=1e-12)


def test_one_rewards_weight_change_is_the_integral_of_c_times_d():
    """Tag c0 at t = 0, reward 0.5 uM at t_r: dw = eta*c0*exp(-t_r/tau_c)*0.5*tau_cd*(1 - exp(-T/tau_cd))."""
    eta, c0, t_r, T = 0.01, 0.8, 300, 700
    r = rule(eta=eta)
    r.tag(np.array([0]), c0)
    run(r, t_r, rebase_every=250)
    r.reward(0.5)
    run(r, T, rebase_every=250)
    expected = eta * c0 * math.exp(-t_r / TAU_C) * 0.5 * TAU_CD * (1.0 - math.exp(-T / TAU_CD))
    assert r.weights()[0] - 1.0 == pytest.approx(expected, rel=1e-10)


def test_a_rewards_dopamine_integrates_to_amount_times_tau_d():
    """With a trace that does not decay (tau_c -> infinity), dw = eta*c*integral(d) = eta*c*0.5*tau_d."""
    eta, c0 = 0.01, 0.5
    r = rule(eta=eta, tau_c=1e15)
    r.tag(np.array([0]), c0)
    r.reward(0.5)
    run(r, 20 * int(TAU_D))
    assert r.weights()[0] - 1.0 == pytest.approx(eta * c0 * 0.5 * TAU_D * (1.0 - math.exp(-20.0)), rel=1e-9)


def test_tonic_dopamine_turns_a_tag_into_its_time_integral():
    eta, c0, tonic, T = 0.01, -0.4, 0.002, 2500
    r = rule(eta=eta, tonic=tonic)
    r.tag(np.array([0]), c0)
    run(r, T, rebase_every=1000)
    assert r.weights()[0] - 1.0 == pytest.approx(eta * c0 * tonic * TAU_C * (1 - math.exp(-T / TAU_C)), rel=1e-10)


def test_weights_stop_at_the_bounds_and_reading_them_changes_nothing():
    r = rule(w0=(3.9, 0.1), eta=1.0)
    r.tag(np.array([0, 1]), np.array([1.0, -1.0]))
    r.reward(0.5)
    before = r.weights().copy()
    run(r, 500)
    assert r.weights().tolist() == [4.0, 0.0]
    assert r.w.tolist() == before.tolist()  # only read, never synced: the stored w did not move


def test_frozen_plasticity_keeps_the_weights_and_runs_the_traces():
    r = rule(eta=0.01)
    r.tag(np.array([0]), 1.0)
    r.plastic = False
    r.reward(0.5)
    run(r, 300)
    assert r.weights()[0] == 1.0
    assert r.eligibility()[0] == pytest.approx(math.exp(-300 / TAU_C), rel=1e-12)


def test_exact_integration_matches_a_fine_dense_integration_with_bounds():
    """Random tags and rewards on 50 synapses, some driven into a bound: the lazy closed form
    against a plain 0.05 ms Euler integration of the three ODEs (with clipping)."""
    rng = np.random.default_rng(5)
    n, ms, eta, tonic, w_max = 50, 1200, 0.05, 0.01, 2.0
    w0 = rng.uniform(0, w_max, n)
    tags = {int(k): (rng.choice(n, 8, replace=False), rng.normal(0, 1.5, 8)) for k in rng.choice(ms, 60)}
    rewards = set(int(k) for k in rng.choice(ms, 6))
    r = rule(w0=w0, w_max=w_max, eta=eta, tonic=tonic)
    sub = 20  # Euler substeps per ms
    w, c, d = w0.copy(), np.zeros(n), 0.0
    for k in range(1, ms + 1):
        for _ in range(sub):  # reference: dense Euler over (k-1, k]
            w = np.clip(w + eta * c * (d + tonic) * (1.0 / sub), 0.0, w_max)
            c -= c / TAU_C / sub
            d -= d / TAU_D / sub
        r.advance(1.0)
        if k in tags:
            idx, amount = tags[k]
            r.tag(idx, amount)
            c[idx] += amount
        if k in rewards:
            r.reward(0.5)
            d += 0.5
        if k % 1000 == 0:
            r.rebase()
    assert np.abs(r.weights() - w).max() < 4e-4  # Euler error: 8e-5 at 0.05 ms, 2e-5 at 0.01 ms
    assert (r.weights() == w_max).sum() == (w == w_max).sum() > 0


# -- the network: tags and rewards follow the rules, read from the spike trains ------------
def test_izhikevich_cells_step_as_daspnet_does():
    """One step from many states against daspnet.m's lines, typed out: v += 0.5*((0.04v+5)v+140-u+I)
    twice, u += a(0.2v - u); v >= 30 resets v = c, u += d (there at the start of the next step).
    (Whole trajectories cannot be compared bit for bit: near threshold the model amplifies a
    rounding difference of 1e-14 mV to 1e-6 mV within 100 steps.)"""
    n, n_exc = 4000, 3200
    rng = np.random.default_rng(2)
    cells = IzhikevichCells(n, n_exc)
    v = rng.uniform(-80.0, 35.0, n)
    u = rng.uniform(-20.0, 5.0, n)
    current = rng.uniform(-10.0, 25.0, n)
    cells.v[:], cells.u[:] = v, u
    fired = cells.step(current)
    a = np.r_[np.full(n_exc, 0.02), np.full(n - n_exc, 0.1)]
    d = np.r_[np.full(n_exc, 8.0), np.full(n - n_exc, 2.0)]
    v = v + 0.5 * ((0.04 * v + 5) * v + 140 - u + current)
    v = v + 0.5 * ((0.04 * v + 5) * v + 140 - u + current)
    u = u + a * (0.2 * v - u)
    theirs = np.flatnonzero(v >= 30)
    v[theirs] = -65.0
    u[theirs] += d[theirs]
    assert fired.tolist() == theirs.tolist() and 100 < fired.size < n - 100
    np.testing.assert_allclose(cells.v, v, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(cells.u, u, rtol=1e-12, atol=1e-12)


def test_regular_and_fast_spiking_cells_fire_as_in_izhikevich_2003():
    """Constant input I = 10: the RS cell adapts (its ISI lengthens), the FS cell fires fast
    without adaptation (Izhikevich 2003, Fig. 2)."""
    cells = IzhikevichCells(2, 1)
    spikes = [[], []]
    for k in range(1, 1001):
        for c in cells.step(np.array([10.0, 10.0])):
            spikes[c].append(k)
    rs, fs = np.diff(spikes[0]), np.diff(spikes[1])
    assert rs[0] < 0.5 * rs[-1]  # spike-frequency adaptation
    assert abs(fs[-1] - fs[1]) <= 1 and len(spikes[1]) > 3 * len(spikes[0])


def test_connectivity_follows_its_rules():
    conn = OutDegreeConnectivity.random(50, 40, 20, np.random.default_rng(1))
    pre = np.repeat(np.arange(50), 20)
    assert (conn.post != pre).all()  # no cell synapses onto itself
    assert (conn.post[40 * 20:] < 40).all()  # inhibitory cells reach excitatory cells only
    assert all(len(set(row)) == 20 for row in conn.post.reshape(50, 20).tolist())  # distinct targets
    for cell in (0, 7, 45):
        got = conn.incoming_exc(np.array([cell]))
        assert sorted(got.tolist()) == np.flatnonzero(conn.post[:800] == cell).tolist()


def small_params(**kw) -> DistalRewardParams:
    base = dict(n_cells=100, out_degree=50, eta=2.0)
    base.update(kw)
    return DistalRewardParams(**base)


def nearest_pair_tags(pre_ms, post_ms, t_end, a_plus=1.0, a_minus=1.5, tau=20.0, tau_c=TAU_C) -> float:
    """The chosen synapse's eligibility at t_end, from its two spike trains (nearest-spike pairs;
    a pre and post spike at the same time count as pre before post)."""
    c = 0.0
    for t in pre_ms:  # each pre spike pairs with the latest post spike strictly before it
        before = [s for s in post_ms if s < t]
        if before:
            c += -a_minus * math.exp(-(t - before[-1]) / tau) * math.exp(-(t_end - t) / tau_c)
    for t in post_ms:  # each post spike pairs with the latest pre spike at or before it
        before = [s for s in pre_ms if s <= t]
        if before:
            c += a_plus * math.exp(-(t - before[-1]) / tau) * math.exp(-(t_end - t) / tau_c)
    return c


def test_a_spike_reaches_its_targets_input_in_the_next_step():
    """Each step's input is that step's noise plus the weights of the previous step's spikes
    (a 1 ms delay, as in daspnet.m), worked out here from the raster alone."""
    params = small_params(eta=0.0, noise_mV=16.0)  # eta 0: the weights stay w_init_mV and w_i_mV
    net = DistalRewardNetwork(params, seed=5)
    seen, step = [], net.cells.step
    net.cells.step = lambda current: (seen.append(current.copy()), step(current))[1]
    steps = 300
    block = net.advance(steps)
    conn, m = net.conn, net.conn.out_degree
    assert block.spike_cells.size > 50
    arriving = np.zeros((steps + 2, params.n_cells))
    for k, cell in zip(block.spike_steps.tolist(), block.spike_cells.tolist()):
        w = params.w_init_mV if cell < conn.n_exc else params.w_i_mV
        arriving[k + 1, conn.post[cell * m:(cell + 1) * m]] += w
    noise = DistalRewardNetwork(params, seed=5)
    for k in range(1, steps + 1):
        np.testing.assert_allclose(seen[k - 1], noise._noise_row(k) + arriving[k], rtol=0, atol=1e-12,
                                   err_msg=f"step {k}")


def _one_spike_as_documented(net, c, t):
    """Steps 4 and 5 of the documented step for one spiking cell c, call by call: its pre
    events (LTD tags, then its current weights go out), its stamp, its post events (LTP)."""
    p, conn, plast, m = net.p, net.conn, net.plast, net.conn.out_degree
    out = slice(c * m, c * m + m)
    if c < conn.n_exc:
        plast.tag(out, -p.A_minus * np.exp((net.t_last[conn.post[out]] - t) / p.tau_minus_ms))
        np.add.at(net.syn_in, conn.post[out], plast.w[out])
    else:
        np.add.at(net.syn_in, conn.post[out], p.w_i_mV)
    net.t_last[c] = t
    lo, hi = conn.in_ptr[c], conn.in_ptr[c + 1]
    if hi > lo:
        syn = conn.in_syn[lo:hi]
        plast.tag(syn, p.A_plus * np.exp((net.t_last[conn.pre(syn)] - t) / p.tau_plus_ms))


@pytest.mark.parametrize("mode", ["contingent", "random"])
def test_a_step_with_one_spike_is_bit_identical_to_the_documented_events(mode):
    """Steps with a single spike (most steps with any) take a shorter path with one tag over
    all the cell's synapses; everything must come out bit for bit as the documented order."""
    params = small_params(reward_mode=mode, reward_rate_hz=2.0, noise_mV=16.0)
    fast, slow = DistalRewardNetwork(params, seed=7), DistalRewardNetwork(params, seed=7)
    slow._one_spike = lambda c, t: _one_spike_as_documented(slow, c, t)
    a, b = fast.advance(6000), slow.advance(6000)
    counts = np.bincount(a.spike_steps)
    assert (counts == 1).sum() > 500 and (counts > 1).sum() > 20  # both paths taken
    assert np.isin(a.spike_cells, np.arange(fast.conn.n_exc, params.n_cells)).any()  # inhibitory too
    for x, y in ((a.spike_steps, b.spike_steps), (a.spike_cells, b.spike_cells), (a.dopamine, b.dopamine),
                 (a.eligibility, b.eligibility), (fast.weights(), slow.weights()),
                 (fast.plast.chat, slow.plast.chat), (fast.cells.v, slow.cells.v)):
        assert np.array_equal(x, y)
    assert a.reward_steps == b.reward_steps and a.weight_rows == b.weight_rows
    assert fast.rewards > 0 or mode == "contingent"


@pytest.mark.parametrize("mode", ["contingent", "random"])
def test_tags_pairings_and_rewards_follow_the_spike_trains(mode):
    net = DistalRewardNetwork(small_params(reward_mode=mode, reward_rate_hz=2.0, noise_mV=16.0), seed=3)
    b = net.advance(8000)
    pre = b.spike_steps[b.spike_cells == net.target_pre].astype(float).tolist()
    post = b.spike_steps[b.spike_cells == net.target_post].astype(float).tolist()
    # Eligibility: every step's value against the pair rule applied to the two trains.
    for k in (1000, 3456, 8000):
        pre_k, post_k = [t for t in pre if t <= k], [t for t in post if t <= k]
        assert b.eligibility[k - 1] == pytest.approx(nearest_pair_tags(pre_k, post_k, k), rel=1e-9, abs=1e-12)
    # Pairings: post spikes 1..10 ms after the pre cell's latest spike.
    latest_pre = [max((s for s in pre if s <= t), default=-math.inf) for t in post]
    pairings = [t for t, s in zip(post, latest_pre) if 0 < t - s <= 10]
    assert net.pairings == len(pairings) > 0
    rewards = np.array(b.reward_steps, dtype=float)
    if mode == "contingent":
        # One reward 1 .. 1000 ms after each pairing (those whose delay ran out by the end).
        assert len(rewards) <= len(pairings) and len(rewards) >= sum(t <= 8000 - 1000 for t in pairings)
        for t in rewards:
            assert any(1 <= t - p <= 1000 for p in pairings)
    else:
        assert abs(len(rewards) - 16) < 4 * math.sqrt(16)  # 2 Hz for 8 s: Poisson
    # Dopamine: the sum of the rewards' decaying pulses plus the tonic level.
    for k in (2000, 5000, 8000):
        d = sum(0.5 * math.exp(-(k - t) / TAU_D) for t in rewards if t <= k) + net.p.tonic_uM
        assert b.dopamine[k - 1] == pytest.approx(d, rel=1e-9)
    # The chosen weight: w0 + eta * integral of c*d, by the midpoint rule on a 0.01 ms grid
    # (events fall on whole ms, never on a midpoint), with c and d rebuilt from the trains.
    h = 0.01
    grid = np.arange(0.0, 8000.0, h) + h / 2
    events = np.unique(pre + post)
    after = np.array([nearest_pair_tags([s for s in pre if s <= e], [s for s in post if s <= e], e) for e in events])
    last = np.searchsorted(events, grid) - 1  # the latest event before each midpoint
    c = np.where(last >= 0, after[last] * np.exp(-(grid - events[last]) / TAU_C), 0.0)
    d = np.full_like(grid, net.p.tonic_uM)
    for r_t in rewards:
        d += np.where(grid > r_t, 0.5 * np.exp(-np.maximum(grid - r_t, 0.0) / TAU_D), 0.0)
    path = net.p.w_init_mV + net.p.eta / 1000.0 * np.cumsum(c * d) * h
    assert 0.0 < path.min() and path.max() < net.p.w_max_mV  # never clipped: the integral is the whole story
    assert net.weights()[net.target] == pytest.approx(path[-1], abs=1e-7)


# -- the paper's result -----------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_contingent_reward_makes_the_chosen_synapse_win_and_random_reward_does_not(seed):
    """Izhikevich (2007): with rewards contingent on its pre->post pairings the chosen synapse
    grows to the bound, above every other E->E synapse; as many rewards at random times leave
    it among the others. Scaled down to a simulated minute: the `quick` preset (60 cells,
    the reward's time courses quartered, eta 40)."""
    runs = {}
    for mode in ("contingent", "random"):
        lab = RstdpLab({"reward_mode": mode}, seed=seed, preset="quick")
        lab.run(60_000.0)
        runs[mode] = lab.readouts()
    won, control = runs["contingent"], runs["random"]
    bound = RstdpLab.preset("quick").params.get("w_max_mV", RstdpLab.spec("w_max_mV").default)
    assert won["w_target_mV"] >= 0.9 * bound
    assert won["w_target_mV"] > won["w_others_max_mV"] and won["target_rank"] == 1.0
    assert won["w_others_p95_mV"] < 0.6 * bound  # the others stay low
    assert 0.7 * won["rewards"] <= control["rewards"] <= 1.6 * won["rewards"]  # as many rewards
    assert control["w_target_mV"] < 0.5 * bound and control["target_rank"] < 0.95


# -- the lab --------------------------------------------------------------------------------
def test_split_runs_are_identical_through_rewards_and_rebasing():
    kw = dict(n_cells=60, out_degree=30, reward_mode="random", reward_rate_hz=3.0)
    whole = RstdpLab(kw, seed=4)
    whole.step(2600)
    split = RstdpLab(kw, seed=4)
    for n in (1, 999, 1, 3, 1200, 396):
        split.step(n)
    assert whole.readouts() == split.readouts() and whole.metrics() == split.metrics()
    assert whole.net.rewards > 3
    for name, s in whole.series().items():
        t = split.series()[name]
        assert np.array_equal(s.y, t.y) and (s.x is None or np.array_equal(s.x, t.x)), name


def test_memory_is_bounded(monkeypatch):
    """Rings smaller than the run (patched down from 20 s and 2 h so the test is short)."""
    import hebblab.sim.labs.rstdp as rstdp
    monkeypatch.setattr(rstdp, "TRACE_WINDOW_STEPS", 700)
    monkeypatch.setattr(rstdp, "WEIGHT_ROWS_KEPT", 3)
    monkeypatch.setattr(rstdp, "RASTER_CAPACITY", 50)
    lab = RstdpLab({"n_cells": 20, "out_degree": 10}, seed=1)
    lab.step(5200)
    s = lab.series()
    assert s["dopamine"].y.size == 700 and s["dopamine"].x[-1] == pytest.approx(5.2)
    assert s["weights"].x.tolist() == [3.0, 4.0, 5.0]
    assert lab.spikes.recent()[0].size == 50 and lab.spikes.total > 50
    assert lab.readouts()["t_s"] == pytest.approx(5.2)


def test_bad_parameters_are_refused_with_the_name():
    from hebblab.sim.params import ParamError
    with pytest.raises(ParamError, match="inh_fraction"):
        RstdpLab({"n_cells": 10, "inh_fraction": 0.9})
    with pytest.raises(ParamError, match="w_init_mV"):
        RstdpLab({"w_init_mV": 5.0, "w_max_mV": 4.0})
    with pytest.raises(ParamError, match="out_degree"):
        RstdpLab({"n_cells": 5000, "out_degree": 1000})
    with pytest.raises(ParamError, match="out_degree"):
        RstdpLab({"n_cells": 100, "out_degree": 90})  # I cells have only 80 E cells to target
