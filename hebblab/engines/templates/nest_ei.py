#!/usr/bin/env python3
"""hebblab's `ei` lab in NEST: the balanced CUBA network (Vogels & Abbott 2005; Brette et
al. 2007).

n_cells LIF cells, the first (1 - inh_fraction) excitatory, each ordered pair connected
with probability p = in_degree / n_cells (autapses allowed, as in hebblab and Brian2),
exponential current synapses:
    tau_m dV/dt = (V_rest - V) + g_e + g_i,  tau_e dg_e/dt = -g_e,  tau_i dg_i/dt = -g_i  (mV)
    a spike of an E cell adds w_e_mV to its targets' g_e, of an I cell w_i_mV * inh_gain to g_i
    V > V_thresh: spike, V -> V_reset, held for t_ref;  V(0) ~ U(V_reset, V_thresh)
V_rest lies above threshold: every cell drives itself and inhibition holds the network down.

NEST's iaf_psc_exp integrates this exactly. Its synaptic current I (pA) is C_m / tau_m
times hebblab's g (mV), so the weights are w * C_m / tau_m pA. The connectivity and V(0)
come from NEST's own generator (seeded by SEED), so the spikes are not hebblab's, only
their statistics. hebblab's cell integrates again R = t_ref/dt steps after its spike step
(as Brian2's); NEST's holds V one step longer, so t_ref - dt is given to NEST. A spike
reaches its targets after one step (the smallest delay NEST has), as in hebblab.

Run:  python THIS.py [--threads N] [--seed N]
      mpirun -n 4 python THIS.py --threads 2       (NEST built with MPI)
Prints one JSON object with hebblab's metric names: rate_mean_hz, rate_exc_hz,
rate_inh_hz, cv_isi_mean, and more. Under MPI each rank records the spikes of its own
cells; the ranks swap them through files in --data-dir (shared by the ranks) and rank 0
prints.
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

C_M_PF = 250.0  # any capacitance gives the same voltages; the weights scale with it
RECENT_MS = 100.0  # window of rate_recent_hz


def simulate(p: dict, seed: int, duration_ms: float, threads: int = 1, data_dir: str = ".") -> dict:
    """Build the network, run for duration_ms, return hebblab's metrics."""
    nest.ResetKernel()
    quiet()
    dt = p["dt_ms"]
    nest.resolution = dt
    nest.local_num_threads = threads
    nest.rng_seed = seed % (2**31 - 2) + 1  # NEST takes seeds in [1, 2**31 - 1]

    n = int(p["n_cells"])
    n_exc = int(round(n * (1.0 - p["inh_fraction"])))
    t_ref = p["t_ref_ms"]
    cells = nest.Create("iaf_psc_exp", n, params={
        "C_m": C_M_PF,
        "tau_m": p["tau_m_ms"],
        "tau_syn_ex": p["tau_e_ms"],
        "tau_syn_in": p["tau_i_ms"],
        "E_L": p["V_rest_mV"],
        "V_th": p["V_thresh_mV"],
        "V_reset": p["V_reset_mV"],
        "t_ref": max(t_ref - dt, 0.0),  # see the docstring: same hold as hebblab's
        "I_e": 0.0,
    })
    cells.V_m = nest.random.uniform(p["V_reset_mV"], p["V_thresh_mV"])
    exc, inh = cells[:n_exc], cells[n_exc:]

    to_pA = C_M_PF / p["tau_m_ms"]  # pA per mV of g
    rule = {"rule": "pairwise_bernoulli", "p": p["in_degree"] / n, "allow_autapses": True}
    if n_exc:
        nest.Connect(exc, cells, rule, {"weight": p["w_e_mV"] * to_pA, "delay": dt})
    if n_exc < n:
        nest.Connect(inh, cells, rule, {"weight": p["w_i_mV"] * p["inh_gain"] * to_pA, "delay": dt})
    spikes = nest.Create("spike_recorder")
    nest.Connect(cells, spikes)

    steps = round(duration_ms / dt)
    advance(steps * dt, dt)

    ev = spikes.events
    local_synapses = nest.GetConnections(source=cells, target=cells).get("source") if n else []
    got = gather(f"ei-seed{seed}", {"times": np.asarray(ev["times"], float),
                                    "cells": np.asarray(ev["senders"], np.int64) - cells[0].global_id,
                                    "synapses": np.array([np.size(local_synapses)])}, data_dir)
    return metrics(got["times"], got["cells"], n, n_exc, int(got["synapses"].sum()), steps * dt, p)


def metrics(times, cells, n: int, n_exc: int, n_synapses: int, t_ms: float, p: dict) -> dict:
    """hebblab's ei metrics from every spike (times in ms, cell indices from 0)."""
    counts = np.bincount(cells, minlength=n)
    rates = counts / (t_ms / 1000.0)
    # CV of each cell's interspike intervals (cells with >= 3 spikes), all cells at once
    order = np.lexsort((times, cells))
    t_sorted, c_sorted = times[order], cells[order]
    same = c_sorted[1:] == c_sorted[:-1]
    isi, owner = np.diff(t_sorted)[same], c_sorted[1:][same]
    k = np.maximum(np.bincount(owner, minlength=n), 1)
    mean = np.bincount(owner, isi, minlength=n) / k
    var = np.bincount(owner, isi**2, minlength=n) / k - mean**2
    ok = counts >= 3
    cvs = np.sqrt(np.maximum(var[ok], 0.0)) / mean[ok]
    recent_ms = min(RECENT_MS, t_ms)
    recent = np.count_nonzero(times > t_ms - recent_ms)
    free = 0.0  # closed-form rate of a cell without synapses
    if p["V_rest_mV"] > p["V_thresh_mV"]:
        t_up = p["tau_m_ms"] * math.log((p["V_rest_mV"] - p["V_reset_mV"]) / (p["V_rest_mV"] - p["V_thresh_mV"]))
        free = 1000.0 / (t_up + p["t_ref_ms"])
    return {
        "rate_mean_hz": float(rates.mean()),
        "rate_exc_hz": float(rates[:n_exc].mean()) if n_exc else None,
        "rate_inh_hz": float(rates[n_exc:].mean()) if n_exc < n else None,
        "rate_recent_hz": recent / (n * recent_ms / 1000.0),
        "cv_isi_mean": float(cvs.mean()) if cvs.size else None,
        "active_fraction": float(np.mean(counts > 0)),
        "n_cells": n,
        "n_exc": n_exc,
        "n_synapses": n_synapses,
        "p_connect": n_synapses / float(n) ** 2,
        "spike_count": int(times.size),
        "unconnected_rate_hz": free,
        "t_ms": t_ms,
    }


# --- shared by the NEST scripts (templates/nest_shared.py; `hebblab export` pastes it here) ---
from hebblab.engines.templates.nest_shared import SLICE_MS, advance, gather, quiet, run_script  # noqa: E402,F401
# --- end of shared -----------------------------------------------------------------------


def main() -> None:
    run_script(simulate, PARAMS, SEED, DURATION_MS, __doc__, seed_help="random seed (connectivity, V(0))")


if __name__ == "__main__":
    main()
