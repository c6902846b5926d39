#!/usr/bin/env python3
"""hebblab's `lif` lab in NEST: leaky integrate-and-fire neurons driven by a current.

    tau_m dV/dt = (V_rest - V) + R_m * I(t)          (mV, ms, MOhm, nA)
    I(t) = I_ext + I_step from t_step on, plus white noise of amplitude noise_nA
    V >= V_thresh: spike, V -> V_reset, held there for t_ref

NEST's iaf_psc_delta integrates this exactly (hebblab's method=exact; NEST has no forward
Euler), with C_m = tau_m / R_m so that R_m * I is the same voltage. NEST stamps a spike at
the end of its step, as hebblab does, and holds V at V_reset for round(t_ref/dt) steps
after the spike step, as hebblab does: with method=exact the spike times are hebblab's.
The step current switches on between two Simulate() calls; the noise is a
noise_generator whose sample, held for one step, has hebblab's standard deviation
noise_nA * sqrt(tau_m / dt) (a white-noise current; each cell gets its own).

Run:  python THIS.py [--threads N] [--seed N]
      mpirun -n 4 python THIS.py --threads 2       (NEST built with MPI)
Prints one JSON object: spike_count, spike_times_ms, isi_rate_hz (hebblab's names).
Under MPI each rank records the spikes of its own cells; the ranks swap them through
files in --data-dir (shared by the ranks) and rank 0 prints.
"""

import argparse
import json
import math
import os
import signal
import sys
import traceback

os.environ.setdefault("PYNEST_QUIET", "1")  # NEST's banner would mix with the JSON on stdout
import nest  # noqa: E402
import numpy as np  # noqa: E402

# --- experiment: written by `hebblab export` ---------------------------------------------
PARAMS: dict = {}
SEED = 0
DURATION_MS = 0.0
# --- end of experiment -------------------------------------------------------------------



def simulate(p: dict, seed: int, duration_ms: float, threads: int = 1, data_dir: str = ".") -> dict:
    """Build the cells, run for duration_ms, return hebblab's metrics."""
    nest.ResetKernel()
    quiet()
    dt = p["dt_ms"]
    nest.resolution = dt
    nest.local_num_threads = threads
    nest.rng_seed = seed % (2**31 - 2) + 1  # NEST takes seeds in [1, 2**31 - 1]
    n = int(p["n_cells"])
    cells = nest.Create("iaf_psc_delta", n, params={
        "tau_m": p["tau_m_ms"],
        "C_m": p["tau_m_ms"] / p["R_m_MOhm"] * 1000.0,  # pF: tau_m / R_m, so R_m * I is in mV
        "E_L": p["V_rest_mV"],
        "V_th": p["V_thresh_mV"],
        "V_reset": p["V_reset_mV"],
        "t_ref": round(p["t_ref_ms"] / dt) * dt,  # on the dt grid, as hebblab rounds it
        "V_m": p["V_rest_mV"],
        "I_e": p["I_ext_nA"] * 1000.0,  # pA
    })
    if p["noise_nA"] > 0:
        noise = nest.Create("noise_generator", params={
            "std": p["noise_nA"] * 1000.0 * math.sqrt(p["tau_m_ms"] / dt), "dt": dt})
        nest.Connect(noise, cells, syn_spec={"delay": dt})
    spikes = nest.Create("spike_recorder")
    nest.Connect(cells, spikes)

    # hebblab: the update starting at t gets I_step when t >= t_step (on the dt grid)
    steps = round(duration_ms / dt)
    on_step = min(round(p["t_step_ms"] / dt), steps)
    if on_step > 0:
        advance(on_step * dt, dt)
    cells.I_e = (p["I_ext_nA"] + p["I_step_nA"]) * 1000.0
    if steps > on_step:
        advance((steps - on_step) * dt, dt)

    ev = spikes.events
    got = gather(f"lif-seed{seed}", {"times": np.asarray(ev["times"], float),
                         "cells": np.asarray(ev["senders"], np.int64) - cells[0].global_id}, data_dir)
    order = np.lexsort((got["cells"], got["times"]))
    times, who = got["times"][order], got["cells"][order]
    rates = []
    for c in range(n):
        t = times[who == c]
        if t.size >= 2:
            rates.append(1000.0 * (t.size - 1) / (t[-1] - t[0]))
    out = {
        "spike_count": int(times.size),
        "spike_times_ms": [round(float(t), 10) for t in times],
        "isi_rate_hz": float(np.mean(rates)) if rates else None,
    }
    if n > 1:
        out["spike_cells"] = [int(c) for c in who]
    return out


# --- shared by the NEST scripts (templates/nest_shared.py; `hebblab export` pastes it here) ---
from hebblab.engines.templates.nest_shared import SLICE_MS, advance, gather, quiet, run_script  # noqa: E402,F401
# --- end of shared -----------------------------------------------------------------------


def main() -> None:
    run_script(simulate, PARAMS, SEED, DURATION_MS, __doc__, seed_help="random seed (noise)")


if __name__ == "__main__":
    main()
