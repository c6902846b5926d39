#!/usr/bin/env python3
"""hebblab's `stdp` lab in Brian2: Song, Miller & Abbott (2000), pair STDP among Poisson
inputs, as Brian2's STDP example writes it.

n_inputs Poisson inputs at rate_hz drive one conductance-based LIF cell through plastic
excitatory synapses:
    tau_m dV/dt = (V_rest - V) + g_e * (E_e - V),   tau_e dg_e/dt = -g_e,   g_e += w per input spike
    V > V_thresh: spike, V -> V_reset (no refractory period);   V(0) = V_rest
(synapse_drive = fixed: g_e * (E_e - V_reset) instead). Pair STDP with traces: an input
spike first adds its weight to g_e, then meets the output's trace (LTD); an output spike
meets the inputs' traces (LTP); A_plus = A_plus_frac * g_max, A_minus = A_minus_ratio *
A_plus, w clipped to [0, g_max] after every update; additive or multiplicative
(weight_dependence); all-to-all traces add up, nearest ones are reset (spike_pairing).
Inputs 0..n_corr-1 (if corr > 0) copy each spike of a shared train at rate_hz / corr with
probability corr (one step after it).

Forward Euler for V and g_e, as hebblab and Brian2's example. The initial weights are
drawn with numpy exactly as hebblab draws them, so the same seed starts from the same
weights; the input spikes come from Brian2's generator. Brian2 stamps a spike at the
START of its step, hebblab at the end: this script adds dt to the output's spike times.

Run:  python THIS.py [--seed N] [--target numpy|cython]
Prints one JSON object with hebblab's metric names: frac_low, frac_high,
rate_first_10s_hz, rate_last_10s_hz, and more.
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

EDGE_MS = 10_000.0  # "first/last 10 s" rates


def simulate(p: dict, seed: int, duration_ms: float, target: str = "numpy") -> dict:
    """Build inputs, cell and synapses, run for duration_ms, return hebblab's metrics."""
    b2.prefs.codegen.target = target
    b2.start_scope()
    b2.seed(seed)
    dt = p["dt_ms"] * b2.ms
    b2.defaultclock.dt = dt
    g_max = p["g_max"]
    a_plus = p["A_plus_frac"] * g_max
    ns = {
        "tau_m": p["tau_m_ms"] * b2.ms, "tau_e": p["tau_e_ms"] * b2.ms,
        "V_rest": p["V_rest_mV"] * b2.mV, "V_thresh": p["V_thresh_mV"] * b2.mV,
        "V_reset": p["V_reset_mV"] * b2.mV, "E_e": p["E_e_mV"] * b2.mV,
        "g_max": g_max, "A_plus": a_plus, "A_minus": p["A_minus_ratio"] * a_plus,
        "tau_plus": p["tau_plus_ms"] * b2.ms, "tau_minus": p["tau_minus_ms"] * b2.ms,
    }
    drive = "(E_e - V_reset)" if p["synapse_drive"] == "fixed" else "(E_e - v)"
    cell = b2.NeuronGroup(1, f"""
        dv/dt = (V_rest - v + g_e * {drive}) / tau_m : volt
        dg_e/dt = -g_e / tau_e : 1
        """, threshold="v > V_thresh", reset="v = V_reset", method="euler", namespace=ns)
    cell.v = ns["V_rest"]

    n = int(p["n_inputs"])
    n_corr = int(p["n_corr"]) if p["corr"] > 0 else 0
    groups, objects = [], []
    if n_corr:  # a shared train; each of its spikes is copied by each input with probability corr
        shared = b2.PoissonGroup(1, rates=p["rate_hz"] / p["corr"] * b2.Hz)
        corr_inputs = b2.NeuronGroup(n_corr, "copied : boolean", threshold="copied", reset="copied = False")
        copy = b2.Synapses(shared, corr_inputs, on_pre=f"copied = rand() < {p['corr']!r}")
        copy.connect()
        groups.append(corr_inputs)
        objects += [shared, corr_inputs, copy]
    if n_corr < n:
        independent = b2.PoissonGroup(n - n_corr, rates=p["rate_hz"] * b2.Hz)
        groups.append(independent)
        objects.append(independent)

    # hebblab's initial weights: the same numpy draw, so the same seed gives the same w(0)
    w0 = np.random.default_rng([seed, 0]).random(n) * (p["w_init"] * g_max)
    # Traces as in Brian2's example: Apre >= 0 (the inputs'), Apost <= 0 (the output's)
    ltp, ltd = "Apre", "Apost"  # additive
    if p["weight_dependence"] == "multiplicative":
        ltp, ltd = "Apre * (g_max - w) / g_max", "Apost * w / g_max"
    bump = "=" if p["spike_pairing"] == "nearest" else "+="  # nearest: traces reset, not added
    learn = not p["freeze"]
    model = """
        w : 1
        dApre/dt = -Apre / tau_plus : 1 (event-driven)
        dApost/dt = -Apost / tau_minus : 1 (event-driven)
        """
    on_pre = "g_e_post += w\n" + (f"w = clip(w + {ltd}, 0, g_max)\n" if learn else "") + f"Apre {bump} A_plus"
    on_post = (f"w = clip(w + {ltp}, 0, g_max)\n" if learn else "") + \
        ("Apost = -A_minus" if bump == "=" else "Apost -= A_minus")
    plastic, first = [], 0
    for group in groups:
        syn = b2.Synapses(group, cell, model, on_pre=on_pre, on_post=on_post, namespace=ns)
        syn.connect()
        syn.w = w0[first + np.asarray(syn.i)]
        first += len(group)
        plastic.append(syn)
    spikes = b2.SpikeMonitor(cell)
    net = b2.Network(cell, spikes, *objects, *plastic)
    steps = round(duration_ms / p["dt_ms"])
    net.run(steps * dt, namespace=ns)

    w = np.empty(n)
    first = 0
    for group, syn in zip(groups, plastic):
        w[first + np.asarray(syn.i)] = np.asarray(syn.w) / g_max
        first += len(group)
    times = np.sort(np.asarray(spikes.t / b2.ms)) + p["dt_ms"]  # end of the step, as hebblab stamps
    return metrics(w, times, steps * p["dt_ms"], n_corr)


def metrics(w_frac, spike_times, t_ms: float, n_corr: int) -> dict:
    """hebblab's stdp metrics from the weights (in g_max) and the output's spike times."""
    edge = min(EDGE_MS, t_ms)
    out = {
        "t_s": t_ms / 1000.0,
        "frac_low": float(np.mean(w_frac < 0.1)),
        "frac_high": float(np.mean(w_frac > 0.9)),
        "rate_hz": float(np.count_nonzero(spike_times > t_ms - 1000.0)) if t_ms >= 1000.0 else None,  # last 1 s
        "rate_first_10s_hz": float(np.count_nonzero(spike_times <= edge) / (edge / 1000.0)) if edge else None,
        "rate_last_10s_hz": float(np.count_nonzero(spike_times > t_ms - edge) / (edge / 1000.0)) if edge else None,
        "output_spike_count": int(spike_times.size),
        "mean_w_frac": float(w_frac.mean()),
    }
    if n_corr:
        out["mean_w_corr_frac"] = float(w_frac[:n_corr].mean())
        out["mean_w_uncorr_frac"] = float(w_frac[n_corr:].mean()) if n_corr < w_frac.size else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (inputs, initial weights)")
    parser.add_argument("--target", default="numpy", choices=("numpy", "cython"),
                        help="Brian2 code generation (cython compiles first, then runs faster)")
    args = parser.parse_args()
    print(json.dumps(simulate(PARAMS, args.seed, DURATION_MS, args.target)))


if __name__ == "__main__":
    main()
