"""The per-step order of operations, tested by its consequences.

The canonical schedule is the docstring of sim/neurons.py: inputs of step k -> integrate
V (non-refractory cells) -> threshold -> spike stamped at the END of the step (t = k*dt)
-> reset + refractory -> synapses/plasticity see the spike -> record. Each test below
pins one concrete consequence for the lif lab (hebblab.sim.neurons), the ei lab (hebblab.sim.network,
which follows Brian2 where its docstring says so) and the stdp lab (hebblab.sim.conductance_lif).
"""

import math

import numpy as np
import pytest

from hebblab.sim.conductance_lif import CellParams, PlasticCondLIF
from hebblab.sim.labs.ei import EiLab
from hebblab.sim.labs.lif import LifLab
from hebblab.sim.network import Connectivity, CubaNetwork, CubaParams
from hebblab.sim.neurons import LIFParams, LIFPopulation
from hebblab.sim.plasticity.stdp import PairSTDP

# -- lif -----------------------------------------------------------------------------

# A drive so strong that one exact update from rest crosses threshold:
# V_1 = -70 + 10000 * (1 - exp(-0.1/20)) = -20.1 mV > -54 mV.
ONE_STEP = {"method": "exact", "R_m_MOhm": 1000.0, "I_ext_nA": 10.0, "draw_spikes": False}


def test_lif_spike_is_stamped_at_the_end_of_the_step_and_reset_before_record():
    lab = LifLab(ONE_STEP)
    lab.step(1)
    assert lab.metrics()["spike_times_ms"] == [0.1]  # update 1 ends at t = 1*dt, not 0
    t, V = lab.trace_data()
    assert t.tolist() == [0.0, 0.1]
    assert V[0] == -70.0  # the t = 0 sample: rest
    assert V[1] == lab.params["V_reset_mV"]  # the spike step records the reset value


def test_lif_refractory_clamps_round_t_ref_over_dt_updates_then_integrates():
    # t_ref 0.5 ms at dt 0.1 ms: R = 5 clamped updates after the spike step, so with a
    # drive that crosses in one update the cell fires every R + 1 = 6 updates.
    lab = LifLab({**ONE_STEP, "t_ref_ms": 0.5})
    lab.step(30)
    steps = np.rint(np.array(lab.metrics()["spike_times_ms"]) / 0.1).astype(int)
    assert steps.tolist() == [1, 7, 13, 19, 25]
    # The chapter's cell with t_ref 2 ms (R = 20): V sits at V_reset in the spike step and
    # the 20 updates after it, and moves in update k + 21.
    lab = LifLab({"method": "exact", "t_ref_ms": 2.0, "draw_spikes": False})
    lab.step(1000)
    k = int(round(lab.metrics()["spike_times_ms"][0] / 0.1))
    _, V = lab.trace_data()
    assert np.all(V[k:k + 21] == -80.0)
    assert V[k + 21] > -80.0


def test_lif_input_of_update_k_is_the_current_at_the_start_of_the_step():
    # A step current switched on at t_step = 10 ms first acts in update 101 (10 -> 10.1 ms):
    # V at t = 10 ms is untouched, V at 10.1 ms moves by R*I_step*(1 - exp(-dt/tau)).
    base = {"method": "exact", "I_ext_nA": 1.0, "t_step_ms": 10.0, "draw_spikes": False}
    without, with_step = LifLab(base), LifLab({**base, "I_step_nA": 0.5})
    for lab in (without, with_step):
        lab.step(120)
    _, V0 = without.trace_data()
    _, V1 = with_step.trace_data()
    assert np.array_equal(V0[:101], V1[:101])
    assert V1[101] - V0[101] == pytest.approx(10.0 * 0.5 * -math.expm1(-0.1 / 20.0), rel=1e-9)


# -- ei ------------------------------------------------------------------------------

def _pair_net(synapse: bool, params: CubaParams = CubaParams()) -> CubaNetwork:
    """Cell 0 just below threshold (it crosses in step 1), cell 1 at V_r; optionally 0 -> 1."""
    pre, post = (np.array([0]), np.array([1])) if synapse else (np.zeros(0), np.zeros(0))
    return CubaNetwork(Connectivity.from_pairs(2, 2, pre, post), params, np.array([-50.0001, -60.0]))


def test_ei_spike_in_step_k_reaches_its_target_in_step_k_plus_1():
    with_syn, without = _pair_net(True), _pair_net(False)
    s1, _ = with_syn.run(1)
    without.run(1)
    assert s1.tolist() == [1]  # cell 0 fired in step 1
    assert with_syn.ge_mV[1] == pytest.approx(CubaParams().w_e_mV)  # the jump happened at the end of step 1
    assert with_syn.v_mV[1] == without.v_mV[1]  # ... but V of step 1 did not feel it
    with_syn.run(1)
    without.run(1)
    assert with_syn.v_mV[1] > without.v_mV[1]  # step 2 does


def test_ei_spike_is_stamped_at_the_end_of_the_step_and_reset_is_visible():
    lab = EiLab({"n_cells": 10, "in_degree": 1.0})
    lab.use_network(_pair_net(True, lab.cuba_params()))
    lab.step(1)
    assert lab.spikes.first_ms[0] == pytest.approx(0.1)  # step 1 -> t = 1*dt (Brian2: 0)
    assert lab.net.v_mV[0] == lab.params["V_reset_mV"]


def test_ei_refractory_is_one_step_shorter_than_lif():
    # Brian2's convention (sim/network.py): a cell that spiked in step k integrates again in
    # step k + R. hebblab.sim.neurons clamps R updates and integrates in k + R + 1. Same t_ref, a drive
    # that crosses in one step: ISI R (ei) vs R + 1 (lif).
    p = CubaParams(tau_m_ms=0.1, E_l_mV=-30.0, refractory_ms=2.0)
    steps, _ = CubaNetwork(Connectivity.from_pairs(1, 1, [], []), p, np.array([-60.0])).run(100)
    assert np.all(np.diff(steps) == 20)
    pop = LIFPopulation(1, LIFParams(method="exact", t_ref_ms=2.0, dt_ms=0.1))
    fired = [k for k in range(1, 100) if pop.step(1000.0)[0]]
    assert np.all(np.diff(fired) == 21)


def test_threshold_is_inclusive_in_lif_and_strict_in_ei():
    # A cell sitting exactly at threshold: hebblab.sim.neurons fires (V >= V_thresh), the CUBA
    # kernel does not (v > V_t, as Brian2's `v > Vt`).
    pop = LIFPopulation(1, LIFParams(V_rest_mV=-54.0, V_thresh_mV=-54.0, method="exact"), V0=-54.0)
    assert pop.step(0.0)[0]
    p = CubaParams(E_l_mV=-50.0)  # E_l = V_t: v stays at V_t
    net = CubaNetwork(Connectivity.from_pairs(1, 1, [], []), p, np.array([-50.0]))
    steps, _ = net.run(10)
    assert steps.size == 0 and net.v_mV[0] == -50.0


# -- stdp ----------------------------------------------------------------------------

def _engine(w0: float, g_max: float, spike_steps=(0,)) -> tuple[PlasticCondLIF, PairSTDP]:
    """One input that spikes in the given (0-based, block-local) steps of block 0 only."""
    rule = PairSTDP(0.01 * g_max, 0.0105 * g_max, 20.0, 20.0, g_max)
    steps = np.array(spike_steps, dtype=np.int64)

    def blocks(j):
        return (steps, np.zeros(steps.size, dtype=np.int64)) if j == 0 else (np.zeros(0, np.int64),) * 2

    return PlasticCondLIF(CellParams(), rule, np.array([w0]), blocks, block_steps=100), rule


def test_stdp_input_spike_of_step_k_acts_on_g_and_v_in_step_k():
    c = CellParams()
    eng, _ = _engine(0.5, 1.0)
    assert eng.advance(1) == []
    eng.materialize(1)
    assert eng.g == pytest.approx(0.5, rel=1e-12)  # the weight before this spike's own update
    a = c.dt_ms / c.tau_m_ms
    assert eng.v == pytest.approx(c.E_l_mV + a * 0.5 * (c.E_e_mV - c.E_l_mV), rel=1e-12)


def test_stdp_output_spike_stamped_at_step_end_reset_then_ltp_with_same_step_input():
    # w0 = 40 g_leak fires the cell in step 1: V_1 = -74 + 0.01 * 40 * 74 = -44.4 mV > -54.
    eng, rule = _engine(40.0, 50.0)
    assert eng.advance(1) == [1]
    assert eng.v == CellParams().V_r_mV  # reset
    assert eng.t_post == pytest.approx(0.1)  # the post spike is stamped t = 1*dt
    # The input spike of the same step counts as pre-before-post: LTP by the full A_plus.
    assert eng.w[0] == pytest.approx(40.0 + rule.A_plus, rel=1e-12)
    assert eng.post_trace_at(0.1) == pytest.approx(-rule.A_minus)
