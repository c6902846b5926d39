#!/usr/bin/env python3
"""hebblab's `ei` lab in Brian2: the balanced CUBA network (Vogels & Abbott 2005; Brette et
al. 2007), as Brian2's own CUBA example writes it.

n_cells LIF cells, the first (1 - inh_fraction) excitatory, each ordered pair connected
with probability p = in_degree / n_cells (autapses allowed, as in hebblab), exponential
current synapses:
    tau_m dV/dt = (V_rest - V) + g_e + g_i,  tau_e dg_e/dt = -g_e,  tau_i dg_i/dt = -g_i  (mV)
    a spike of an E cell adds w_e_mV to its targets' g_e, of an I cell w_i_mV * inh_gain to g_i
    V > V_thresh: spike, V -> V_reset, held for t_ref;  V(0) ~ U(V_reset, V_thresh)
V_rest lies above threshold: every cell drives itself and inhibition holds the network down.

Exact integration, the same schedule as hebblab (a spike's effect is felt from the next
step). The connectivity and V(0) come from Brian2's generator (seeded by SEED), so the
spikes are not hebblab's, only their statistics. Brian2 stamps a spike at the START of
its step, hebblab at the end: this script adds dt to every spike time.

Run:  python THIS.py [--seed N] [--target numpy|cython]
Prints one JSON object with hebblab's metric names: rate_mean_hz, rate_exc_hz,
rate_inh_hz, cv_isi_mean, and more.
"""

import argparse
import json
import math

import brian2 as b2
import numpy as np

# --- experiment: written by `hebblab export` ---------------------------------------------
PARAMS: dict = {}
SEED = 0
DURATION_MS = 0.0
# --- end of experiment -------------------------------------------------------------------

EQUATIONS = """
dv/dt = (g_e + g_i - (v - V_rest)) / tau_m : volt (unless refractory)
dg_e/dt = -g_e / tau_e : volt
dg_i/dt = -g_i / tau_i : volt
"""
RECENT_MS = 100.0  # window of rate_recent_hz


def simulate(p: dict, seed: int, duration_ms: float, target: str = "numpy") -> dict:
    """Build the network, run for duration_ms, return hebblab's metrics."""
    b2.prefs.codegen.target = target
    b2.start_scope()
    b2.seed(seed)
    dt = p["dt_ms"] * b2.ms
    b2.defaultclock.dt = dt
    ns = {
        "tau_m": p["tau_m_ms"] * b2.ms, "tau_e": p["tau_e_ms"] * b2.ms, "tau_i": p["tau_i_ms"] * b2.ms,
        "V_rest": p["V_rest_mV"] * b2.mV, "V_thresh": p["V_thresh_mV"] * b2.mV,
        "V_reset": p["V_reset_mV"] * b2.mV,
        "w_e": p["w_e_mV"] * b2.mV, "w_i": p["w_i_mV"] * p["inh_gain"] * b2.mV,
    }
    n = int(p["n_cells"])
    n_exc = int(round(n * (1.0 - p["inh_fraction"])))
    cells = b2.NeuronGroup(n, EQUATIONS, threshold="v > V_thresh", reset="v = V_reset",
                           refractory=p["t_ref_ms"] * b2.ms, method="exact", namespace=ns)
    cells.v = "V_reset + rand() * (V_thresh - V_reset)"
    p_connect = p["in_degree"] / n
    synapses = []
    if n_exc:
        exc = b2.Synapses(cells[:n_exc], cells, on_pre="g_e += w_e", namespace=ns)
        exc.connect(p=p_connect)
        synapses.append(exc)
    if n_exc < n:
        inh = b2.Synapses(cells[n_exc:], cells, on_pre="g_i += w_i", namespace=ns)
        inh.connect(p=p_connect)
        synapses.append(inh)
    spikes = b2.SpikeMonitor(cells)
    net = b2.Network(cells, spikes, *synapses)
    steps = round(duration_ms / p["dt_ms"])
    net.run(steps * dt, namespace=ns)

    times = np.asarray(spikes.t / b2.ms) + p["dt_ms"]  # end of the step, as hebblab stamps
    return metrics(times, np.asarray(spikes.i, dtype=np.int64), n, n_exc,
                   sum(len(s) for s in synapses), steps * p["dt_ms"], p)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (connectivity, V(0))")
    parser.add_argument("--target", default="numpy", choices=("numpy", "cython"),
                        help="Brian2 code generation (cython compiles first, then runs faster)")
    args = parser.parse_args()
    print(json.dumps(simulate(PARAMS, args.seed, DURATION_MS, args.target)))


if __name__ == "__main__":
    main()
