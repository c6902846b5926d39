"""The chunked Song engine equals a plain step-by-step simulation of the same model.

The reference below is the model written the obvious way (science.md section 5 and the
schedule in sim/conductance_lif.py): one Python iteration per 0.1 ms step, the dense
pair-STDP rule, forward Euler for g_e and V. Same input spikes, so output spikes must
match exactly and weights to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest

from hebblab.sim.conductance_lif import CellParams, PlasticCondLIF
from hebblab.sim.plasticity.stdp import PairSTDP
from hebblab.sim.poisson_blocks import block_rng, poisson_block

N, G_MAX, DT = 60, 0.08, 0.1
BLOCK = 2000  # 200 ms blocks: several block changes in the run


def make_rule(dep, pairing):
    a_plus = 0.02 * G_MAX
    return PairSTDP(a_plus, 1.05 * a_plus, 20.0, 20.0, G_MAX, dep, pairing)


def blocks_for(seed, rate_hz, n_corr=0, corr=0.0):
    p = rate_hz * DT / 1000.0
    return lambda j: poisson_block(block_rng(seed, 1, j), N, BLOCK, p, n_corr, corr)


def reference(cell, rule, w0, blocks, n_steps, plastic=True):
    w = w0.reshape(N, 1).copy()
    rule.reset(N, 1)
    d = 1.0 - cell.dt_ms / cell.tau_e_ms  # forward Euler, as Brian2's method='euler'
    a = cell.dt_ms / cell.tau_m_ms
    v, g, spikes = cell.E_l_mV, 0.0, []
    for j in range((n_steps + BLOCK - 1) // BLOCK):
        steps, inputs = blocks(j)
        per_step = np.split(inputs, np.searchsorted(steps, np.arange(1, BLOCK)))
        for local, pre in enumerate(per_step):
            k = j * BLOCK + local + 1
            if k > n_steps:
                break
            t = k * cell.dt_ms
            inc = w[pre, 0].sum()  # the weight before this spike's own update
            rule.on_pre(w, pre, t, plastic)
            g = d * g + inc
            drive = (cell.E_e_mV - cell.V_r_mV) if cell.fixed_drive else (cell.E_e_mV - v)
            v = v + a * ((cell.E_l_mV - v) + g * drive)
            if v > cell.V_t_mV:
                v = cell.V_r_mV
                spikes.append(k)
                rule.on_post(w, [0], t, plastic)
    return spikes, w[:, 0]


@pytest.mark.parametrize("dep,pairing,fixed,rate,n_corr", [
    ("additive", "all-to-all", True, 40.0, 0),
    ("additive", "nearest", True, 40.0, 0),
    ("multiplicative", "all-to-all", True, 40.0, 0),
    ("additive", "all-to-all", False, 60.0, 0),
    ("additive", "all-to-all", True, 30.0, 20),
])
def test_engine_matches_step_by_step_reference(dep, pairing, fixed, rate, n_corr):
    cell = CellParams(fixed_drive=fixed)
    w0 = np.random.default_rng(7).random(N) * G_MAX
    blocks = blocks_for(11, rate, n_corr, 0.3 if n_corr else 0.0)
    n_steps = 3 * BLOCK + 517
    ref_spikes, ref_w = reference(cell, make_rule(dep, pairing), w0, blocks, n_steps)
    eng = PlasticCondLIF(cell, make_rule(dep, pairing), w0, blocks, BLOCK, chunk_steps=300)
    spikes = eng.advance(n_steps)
    assert len(ref_spikes) > 20, "the reference cell must fire for the comparison to mean anything"
    assert spikes == ref_spikes
    np.testing.assert_allclose(eng.weights_at(n_steps), ref_w, rtol=0, atol=1e-12)
    assert not np.allclose(ref_w, w0), "weights must have moved"


def test_frozen_engine_keeps_weights_and_matches_reference():
    cell = CellParams()
    w0 = np.random.default_rng(3).random(N) * G_MAX
    blocks = blocks_for(5, 40.0)
    ref_spikes, ref_w = reference(cell, make_rule("additive", "all-to-all"), w0, blocks, 5000, plastic=False)
    eng = PlasticCondLIF(cell, make_rule("additive", "all-to-all"), w0, blocks, BLOCK)
    eng.plastic = False
    assert eng.advance(5000) == ref_spikes
    assert np.array_equal(eng.weights_at(5000), w0) and np.array_equal(ref_w, w0)


def test_chunk_length_does_not_change_results():
    cell = CellParams()
    w0 = np.random.default_rng(1).random(N) * G_MAX
    out = []
    for chunk in (64, 300, 2000):
        eng = PlasticCondLIF(cell, make_rule("additive", "all-to-all"), w0, blocks_for(2, 40.0), BLOCK, chunk)
        out.append((eng.advance(7000), eng.weights_at(7000)))
    for spikes, w in out[1:]:
        assert spikes == out[0][0]
        np.testing.assert_allclose(w, out[0][1], rtol=0, atol=1e-12)


def test_one_input_gives_v_the_continuous_conductance_integral():
    # tau_e dg/dt = -g after g += w: the integral of g over time is w * tau_e (closed form).
    # V's Euler step reads g once per step, so the sum of g * dt over the steps must equal
    # it; with exact exp(-dt/tau_e) decay the sum would be 1 % larger at dt 0.1, tau_e 5.
    cell, w0 = CellParams(), 0.004
    rule = PairSTDP(0.0, 0.0, 20.0, 20.0, 1.0)
    steps = np.array([0], dtype=np.int64)
    eng = PlasticCondLIF(cell, rule, np.array([w0]), lambda j: (steps, np.zeros(1, np.int64)) if j == 0
                         else (np.zeros(0, np.int64),) * 2, block_steps=2000)
    g_sum = 0.0
    for k in range(1, 1501):  # 150 ms = 30 tau_e: the tail left is 0.98**1500 ~ 7e-14
        eng.advance(k)
        eng.materialize(k)
        g_sum += eng.g
    assert g_sum * cell.dt_ms == pytest.approx(w0 * cell.tau_e_ms, rel=1e-9)
