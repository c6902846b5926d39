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

SLICE_MS = 1000.0  # longest nest.Simulate call (see advance)


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


def advance(duration_ms: float, dt: float) -> None:
    """nest.Simulate in slices of at most SLICE_MS: Ctrl-C stops a long run between slices
    (the slices give the same run as one call)."""
    steps, per_slice = round(duration_ms / dt), max(1, round(SLICE_MS / dt))
    while steps > 0:
        k = min(steps, per_slice)
        nest.Simulate(k * dt)
        steps -= k


def gather(name: str, local: dict, data_dir: str) -> dict:
    """Every rank's rows of `local` (equal-length arrays), concatenated in rank order.

    NEST keeps each cell, its spikes and its incoming synapses on one MPI rank: each rank
    writes its part to data_dir, waits for the others, and reads them all."""
    size = nest.NumProcesses()
    if size == 1:
        return local
    path = os.path.join(data_dir, f"{name}-rank{{}}.npz")
    np.savez(path.format(nest.Rank()), **local)
    nest.SyncProcesses()
    parts = [dict(np.load(path.format(r))) for r in range(size)]
    nest.SyncProcesses()  # everyone has read every file
    os.remove(path.format(nest.Rank()))
    return {k: np.concatenate([part[k] for part in parts]) for k in local}


def quiet() -> None:
    try:
        nest.verbosity = nest.VerbosityLevel.ERROR  # NEST >= 3.9
    except AttributeError:
        nest.set_verbosity("M_ERROR")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="threads per MPI rank")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (noise)")
    parser.add_argument("--data-dir", default=".", help="where MPI ranks swap spikes (shared)")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # NEST ignores Ctrl-C; take it back
    try:
        metrics = simulate(PARAMS, args.seed, DURATION_MS, args.threads, args.data_dir)
    except BaseException:
        if nest.NumProcesses() > 1:
            # Under mpirun the other ranks would wait for this one forever, and this one, in
            # NEST's shutdown, for them: say why here and end the whole job.
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        raise
    if nest.Rank() == 0:
        print(json.dumps(metrics))


if __name__ == "__main__":
    main()
