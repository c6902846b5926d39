"""Results at the edges of the parameter ranges: a LIF cell driven exactly at rheobase,
and a stdp run that diverges (it must say where it stopped)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.cli.main import main
from hebblab.sim import theory
from hebblab.sim.labs.lif import LifLab
from hebblab.sim.labs.stdp import StdpLab
from hebblab.sim.neurons import LIFParams, LIFPopulation

RHEOBASE_NA = 1.6  # the chapter's cell: (V_thresh - V_rest) / R = (-54 + 70) / 10


# -- lif at rheobase ------------------------------------------------------------------
@pytest.mark.parametrize("method", ["euler", "exact"])
@pytest.mark.parametrize("n_cells", [1, 3])
def test_rheobase_never_fires(method, n_cells):
    # V_inf = V_thresh: the closed form (theory.lif_rate_hz = 0), Brian2 and a per-step loop
    # all stay silent; the block integrator's rounding (~1e-13 mV) used to fire 3-4 times.
    assert theory.lif_rate_hz(RHEOBASE_NA, 20.0, -70.0, -54.0, -80.0, 10.0) == 0.0
    lab = LifLab({"I_ext_nA": RHEOBASE_NA, "method": method, "n_cells": n_cells}, preset="chapter")
    lab.run(3000.0)
    m = lab.metrics()
    assert m["spike_count"] == 0 and m["spike_times_ms"] == []
    assert m["V_mV"] < -54.0 and m["V_mV"] == pytest.approx(-54.0, abs=1e-9)  # right under threshold


@pytest.mark.parametrize("method", ["euler", "exact"])
@pytest.mark.parametrize("above_nA", [1e-6, 1e-3, 0.2])
def test_just_above_rheobase_fires_when_the_closed_form_says(method, above_nA):
    # The guard that keeps rheobase silent must not delay a cell that does reach threshold:
    # the first spike lands on the update the geometric closed form gives.
    I = RHEOBASE_NA + above_nA
    k = theory.steps_to_threshold(I, -70.0, 20.0, -70.0, -54.0, 10.0, 0.1, method)
    lab = LifLab({"I_ext_nA": I, "method": method}, preset="chapter")
    lab.run(k * 0.1 + 1.0)
    assert lab.metrics()["spike_times_ms"][0] == pytest.approx(k * 0.1, abs=1e-9)


@pytest.mark.parametrize("method", ["euler", "exact"])
@pytest.mark.parametrize("I", [RHEOBASE_NA - 1e-12, RHEOBASE_NA, RHEOBASE_NA + 1e-6, RHEOBASE_NA + 1e-3])
def test_block_integrator_equals_the_step_loop_near_rheobase(method, I):
    p = LIFParams(20.0, -70.0, -54.0, -80.0, 10.0, 0.0, 0.1, method)
    n_steps = 20_000
    looped = LIFPopulation(1, p)
    loop_spikes = [k for k in range(1, n_steps + 1) if looped.step(I)[0]]
    blocked = LIFPopulation(1, p)
    block_spikes, done = [], 0
    while done < n_steps:
        m = min(blocked.max_block(), n_steps - done)
        res = blocked.advance_block(np.full(m, I))
        block_spikes += (res.spike_steps + done).tolist()
        done += m
    assert block_spikes == loop_spikes
    assert blocked.V[0] == pytest.approx(looped.V[0], abs=1e-9)


def test_a_cell_starting_at_threshold_still_fires_in_a_block():
    # Threshold is inclusive (V >= V_thresh) for hebblab.sim.neurons: a start state at
    # threshold fires in its first update even when V_inf equals the threshold.
    p = LIFParams(V_rest_mV=-54.0, V_thresh_mV=-54.0, method="exact")
    for n in (1, 3):
        res = LIFPopulation(n, p, V0=-54.0).advance_block(np.zeros((5, n)))
        assert res.spike_steps.tolist() == [1] * n


# -- stdp divergence --------------------------------------------------------------------
# The case: 10000 inputs at 200 Hz into a 1 ms membrane at dt 0.4 ms: the very
# first step's conductance makes the Euler step unstable.
AT_ONCE = {"n_inputs": 10000, "rate_hz": 200.0, "g_max": 1.0, "A_plus_frac": 0.5, "A_minus_ratio": 0.0,
           "tau_e_ms": 100.0, "dt_ms": 0.4, "tau_m_ms": 1.0}
# Weights that fire the cell, then pure LTP (A_minus 0) grows them until the step is unstable.
LATER = {"g_max": 1.0, "w_init": 0.01, "A_plus_frac": 0.5, "A_minus_ratio": 0.0, "dt_ms": 0.4, "tau_m_ms": 1.0}


def test_stdp_diverging_at_the_first_step_reports_no_time_and_null_rates():
    lab = StdpLab(AT_ONCE, seed=0)
    lab.run(2000.0)
    assert lab.diverged and "stopped at t = 0 ms" in lab.diverged
    assert lab.steps_done == 0 and lab.t_ms == 0.0
    m = lab.metrics()
    assert m["t_s"] == 0.0 and m["output_spike_count"] == 0
    assert m["rate_first_10s_hz"] is None and m["rate_last_10s_hz"] is None  # never measured
    rates = [v for k, v in lab.readouts().items() if k.endswith("_hz")]
    assert rates and all(math.isnan(r) for r in rates)
    lab.step(100)  # a diverged lab stays where it stopped
    assert lab.steps_done == 0


def test_stdp_diverging_mid_run_stops_the_clock_there():
    lab = StdpLab(LATER, seed=0)
    lab.run(2000.0)
    assert lab.diverged
    assert 0 < lab.steps_done < lab.steps_for(2000.0)
    assert lab.steps_done == lab.engine.s  # time is where the engine stopped
    m = lab.metrics()
    assert m["t_s"] == pytest.approx(lab.t_ms / 1000.0)
    assert f"stopped at t = {lab.t_ms:g} ms" in lab.diverged
    # Rates are measured over the time actually simulated (under 10 s: the whole run).
    assert m["output_spike_count"] >= 1
    assert m["rate_first_10s_hz"] == pytest.approx(m["output_spike_count"] / m["t_s"])


def test_cli_says_the_diverged_stdp_run_stopped_early(capsys):
    argv = ["run", "stdp", "--duration", "2000", "--no-plot"]
    for name, value in AT_ONCE.items():
        argv += ["--set", f"{name}={value:g}"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "0 ms simulated of 2000 ms (stopped early: the run diverged)" in out
    assert "diverged" in err
