#!/usr/bin/env python3
"""hebblab's `lif` lab in Brian2: leaky integrate-and-fire neurons driven by a current.

    tau_m dV/dt = (V_rest - V) + R_m * I(t)          (mV, ms, MOhm, nA)
    I(t) = I_ext + I_step from t_step on, plus white noise of amplitude noise_nA
    V >= V_thresh: spike, V -> V_reset, held there for t_ref;   V(0) = V_rest

Integration: method = euler (forward Euler, the chapter's) or exact, as in hebblab; with
noise Brian2 takes Euler-Maruyama steps (its exact integrator has no noise), hebblab
holds one noise sample per step (same statistics). Brian2 stamps a spike at the START of
the step that crossed (t = (k-1)*dt), hebblab at its end (k*dt): this script adds dt, so
its spike times are hebblab's. hebblab holds V at V_reset for round(t_ref/dt) steps after
the spike step; Brian2's `refractory` holds one step fewer, so dt is added to it. The step
current switches on between two runs. The noise comes from Brian2's generator (seeded by
SEED), not hebblab's.

Run:  python THIS.py [--seed N] [--target numpy|cython]
Prints one JSON object: spike_count, spike_times_ms, isi_rate_hz (hebblab's names).
"""

import argparse
import json

import brian2 as b2
import numpy as np

# --- experiment: written by `hebblab export` ---------------------------------------------
PARAMS: dict = {}
SEED = 0
DURATION_MS = 0.0
# --- end of experiment -------------------------------------------------------------------

EQUATIONS = """
dv/dt = (V_rest - v + R_m * I) / tau_m{noise} : volt (unless refractory)
I : amp  # the input current, set between runs (Brian2's exact integrator needs it constant)
"""
NOISE = " + R_m * noise * xi * tau_m**-0.5"  # white noise: V's std is R_m * noise / sqrt(2)


def simulate(p: dict, seed: int, duration_ms: float, target: str = "numpy") -> dict:
    """Build the cells, run for duration_ms, return hebblab's metrics."""
    b2.prefs.codegen.target = target
    b2.start_scope()
    b2.seed(seed)
    dt = p["dt_ms"] * b2.ms
    b2.defaultclock.dt = dt
    ns = {
        "tau_m": p["tau_m_ms"] * b2.ms, "V_rest": p["V_rest_mV"] * b2.mV,
        "V_thresh": p["V_thresh_mV"] * b2.mV, "V_reset": p["V_reset_mV"] * b2.mV,
        "R_m": p["R_m_MOhm"] * b2.Mohm, "noise": p["noise_nA"] * b2.nA,
    }
    t_ref = round(p["t_ref_ms"] / p["dt_ms"]) * dt
    method = "euler" if p["method"] == "euler" or p["noise_nA"] > 0 else "exact"
    equations = EQUATIONS.format(noise=NOISE if p["noise_nA"] > 0 else "")
    cells = b2.NeuronGroup(int(p["n_cells"]), equations, threshold="v >= V_thresh", reset="v = V_reset",
                           refractory=t_ref + dt if t_ref > 0 else 0 * b2.ms, method=method, namespace=ns)
    cells.v = ns["V_rest"]
    spikes = b2.SpikeMonitor(cells)
    net = b2.Network(cells, spikes)

    # hebblab: the update starting at t gets I_step when t >= t_step (on the dt grid)
    steps = round(duration_ms / p["dt_ms"])
    on_step = min(round(p["t_step_ms"] / p["dt_ms"]), steps)
    cells.I = p["I_ext_nA"] * b2.nA
    if on_step > 0:
        net.run(on_step * dt, namespace=ns)
    cells.I = (p["I_ext_nA"] + p["I_step_nA"]) * b2.nA
    if steps > on_step:
        net.run((steps - on_step) * dt, namespace=ns)

    times = np.asarray(spikes.t / b2.ms) + p["dt_ms"]  # end of the step, as hebblab stamps
    who = np.asarray(spikes.i, dtype=np.int64)
    order = np.lexsort((who, times))
    times, who = times[order], who[order]
    rates = []
    for c in range(int(p["n_cells"])):
        t = times[who == c]
        if t.size >= 2:
            rates.append(1000.0 * (t.size - 1) / (t[-1] - t[0]))
    out = {
        "spike_count": int(times.size),
        "spike_times_ms": [round(float(t), 10) for t in times],
        "isi_rate_hz": float(np.mean(rates)) if rates else None,
    }
    if p["n_cells"] > 1:
        out["spike_cells"] = [int(c) for c in who]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (noise)")
    parser.add_argument("--target", default="numpy", choices=("numpy", "cython"),
                        help="Brian2 code generation (cython compiles first, then runs faster)")
    args = parser.parse_args()
    print(json.dumps(simulate(PARAMS, args.seed, DURATION_MS, args.target)))


if __name__ == "__main__":
    main()
