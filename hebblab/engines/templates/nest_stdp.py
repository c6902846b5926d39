#!/usr/bin/env python3
"""hebblab's `stdp` lab in NEST: Song, Miller & Abbott (2000), pair STDP among Poisson inputs.

n_inputs Poisson inputs at rate_hz drive one conductance-based LIF cell through plastic
excitatory synapses:
    tau_m dV/dt = (V_rest - V) + g_e * (E_e - V),   tau_e dg_e/dt = -g_e,   g_e += w per input spike
    V > V_thresh: spike, V -> V_reset (no refractory period);   V(0) = V_rest
(synapse_drive = fixed: g_e * (E_e - V_reset) instead, a current). Pair STDP with traces:
an input spike meets the output's trace (LTD), an output spike the inputs' traces (LTP);
A_plus = A_plus_frac * g_max, A_minus = A_minus_ratio * A_plus, w clipped to [0, g_max];
additive or multiplicative (weight_dependence), all-to-all or nearest (spike_pairing).
Inputs 0..n_corr-1 (if corr > 0) copy each spike of a shared train at rate_hz / corr with
probability corr (NEST's mip_generator is exactly that).

In NEST: iaf_cond_exp (iaf_psc_exp for the fixed drive) with g_L = 10 nS, so a weight w
(in units of the leak conductance, as in hebblab) is w * 10 nS; inputs are parrot neurons
fed by Poisson generators, as NEST's STDP needs a neuron before the synapse. The plastic
synapse is stdp_transmit_first_synapse (stdp_nn_symm_transmit_first_synapse for nearest
pairing) from hebblab's NEST module `hebblabmodule`: NEST's pair rule (stdp_synapse's
parameters: lambda = A_plus_frac, alpha = A_minus_ratio, mu = 0 additive or 1
multiplicative) in hebblab's order: an input spike is transmitted with its synapse's
weight, then depressed. NEST's own stdp_synapse depresses first and transmits the lowered
weight, which lowers this cell's rates by ~18 %. Build the module once for your NEST:
    pip install 'hebblab[nest]' && python -m hebblab.engines.nest_module
(it goes beside NEST's Python package, in extension_modules/). Without it the script runs
NEST's stdp_synapse and says so in one line on stderr; the JSON's "synapse" names the model
that ran. NEST integrates the cell with an adaptive ODE solver where hebblab and Brian2
take Euler steps of dt, and applies a synapse's LTP only at its next input spike (so the
final weights miss the LTP of output spikes after each input's last spike: about
A_plus * exp(-67 ms / tau_plus) at 15 Hz, far below the 0.1 g_max bins of frac_low /
frac_high). NEST counts a synapse's delay (one step here, its least) as dendritic and an
input acts from the step after it arrives, so NEST pairs spikes 2 delays + 1 step (0.3 ms
at dt 0.1) later than hebblab. With hebblab's own step error, the rates at dt 0.1 ms stay
9-15 % below hebblab's; at dt 0.01 ms they agree within 4 %. The initial weights are
drawn with numpy exactly as hebblab draws them, so the same seed starts from the same
weights; the input spikes come from NEST's generator.

Run:  python THIS.py [--threads N] [--seed N]
      mpirun -n 4 python THIS.py --threads 2       (NEST built with MPI)
Prints one JSON object with hebblab's metric names: frac_low, frac_high,
rate_first_10s_hz, rate_last_10s_hz, synapse, and more. Under MPI every rank loads the
module the same way; the rank that holds the cell holds its spikes and synapses; the ranks
swap them through files in --data-dir (shared by the ranks) and rank 0 prints.
"""

import argparse
import json
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

G_LEAK_NS = 10.0  # any leak conductance gives the same voltages; weights scale with it
EDGE_MS = 10_000.0  # "first/last 10 s" rates
MODULE = "hebblabmodule"  # hebblab's NEST module: transmit-first pair STDP
TRANSMIT_FIRST = {"all-to-all": "stdp_transmit_first_synapse", "nearest": "stdp_nn_symm_transmit_first_synapse"}
NEST_ORDER = {"all-to-all": "stdp_synapse", "nearest": "stdp_nn_symm_synapse"}  # depress, then transmit
PROG = os.path.basename(sys.argv[0])  # who speaks in the warning line


def simulate(p: dict, seed: int, duration_ms: float, threads: int = 1, data_dir: str = ".") -> dict:
    """Build inputs, cell and synapses, run for duration_ms, return hebblab's metrics."""
    nest.ResetKernel()
    quiet()
    dt = p["dt_ms"]
    nest.resolution = dt
    nest.local_num_threads = threads
    nest.rng_seed = seed % (2**31 - 2) + 1  # NEST takes seeds in [1, 2**31 - 1]
    # NEST loads modules only before anything is created
    model = "static_synapse" if p["freeze"] else plastic_synapse(p["spike_pairing"])

    fixed = p["synapse_drive"] == "fixed"
    cell_params = {
        "C_m": p["tau_m_ms"] * G_LEAK_NS,  # pF: tau_m = C_m / g_L
        "E_L": p["V_rest_mV"],
        "V_th": p["V_thresh_mV"],
        "V_reset": p["V_reset_mV"],
        "V_m": p["V_rest_mV"],
        "t_ref": 0.0,
        "tau_minus": p["tau_minus_ms"],  # the output's STDP trace
    }
    if fixed:  # a current g_e * (E_e - V_reset): the weights are in pA
        cell = nest.Create("iaf_psc_exp", params={**cell_params, "tau_syn_ex": p["tau_e_ms"]})
        unit = G_LEAK_NS * (p["E_e_mV"] - p["V_reset_mV"])
    else:  # a conductance: the weights are in nS
        cell = nest.Create("iaf_cond_exp", params={**cell_params, "g_L": G_LEAK_NS, "E_ex": p["E_e_mV"],
                                                   "tau_syn_ex": p["tau_e_ms"]})
        unit = G_LEAK_NS
    w_max = p["g_max"] * unit

    n = int(p["n_inputs"])
    n_corr = int(p["n_corr"]) if p["corr"] > 0 else 0
    inputs = nest.Create("parrot_neuron", n)
    if n_corr:
        shared = nest.Create("mip_generator", params={"rate": p["rate_hz"] / p["corr"], "p_copy": p["corr"]})
        nest.Connect(shared, inputs[:n_corr], syn_spec={"delay": dt})
    if n_corr < n:
        poisson = nest.Create("poisson_generator", params={"rate": p["rate_hz"]})
        nest.Connect(poisson, inputs[n_corr:], syn_spec={"delay": dt})

    # hebblab's initial weights: the same numpy draw, so the same seed gives the same w(0)
    w0 = np.random.default_rng([seed, 0]).random(n) * (p["w_init"] * w_max)
    if p["freeze"]:
        synapse = {"synapse_model": model}
    else:
        mu = 1.0 if p["weight_dependence"] == "multiplicative" else 0.0
        synapse = {"synapse_model": model, "tau_plus": p["tau_plus_ms"], "lambda": p["A_plus_frac"],
                   "alpha": p["A_minus_ratio"], "mu_plus": mu, "mu_minus": mu, "Wmax": w_max}
    nest.Connect(inputs, cell, "all_to_all", {**synapse, "weight": w0[None, :], "delay": dt})  # (post, pre)
    spikes = nest.Create("spike_recorder")
    nest.Connect(cell, spikes)

    steps = round(duration_ms / dt)
    advance(steps * dt, dt)

    # Under MPI, a rank without the cell holds none of its synapses: get() gives () there
    # (and scalars for a single synapse).
    local = nest.GetConnections(source=inputs, target=cell)
    synapses = local.get(["source", "weight"]) if len(local) else {"source": [], "weight": []}
    got = gather(f"stdp-seed{seed}", {
        "input": np.atleast_1d(np.asarray(synapses["source"], np.int64)) - inputs[0].global_id,
        "w": np.atleast_1d(np.asarray(synapses["weight"], float)),
    }, data_dir)
    spike_times = gather(f"stdp-spikes-seed{seed}", {"t": np.asarray(spikes.events["times"], float)}, data_dir)["t"]
    w = np.empty(n)
    w[got["input"]] = got["w"] / w_max
    return {**metrics(w, np.sort(spike_times), steps * dt, n_corr), "synapse": model}


def plastic_synapse(pairing: str) -> str:
    """hebblab's transmit-first synapse from hebblabmodule; NEST's own, with one line on
    stderr, where the module does not load. Call after nest.ResetKernel (which unloads
    modules) and before nest.Create."""
    # where `python -m hebblab.engines.nest_module` puts it, else NEST's search path
    local = os.path.join(os.path.dirname(nest.__file__), "extension_modules", MODULE)
    try:
        nest.Install(local if os.path.exists(local + ".so") else MODULE)
        return TRANSMIT_FIRST[pairing]
    except getattr(nest, "NESTError", Exception) as err:
        why = str(err).strip().splitlines()[0]
    if nest.Rank() == 0:
        print(f"{PROG}: warning: NEST module {MODULE} not loaded ({why}); build it with `python -m "
              f"hebblab.engines.nest_module`. Running NEST's {NEST_ORDER[pairing]}, which depresses a synapse "
              f"before it transmits the spike: rates come out lower than hebblab's (by ~18 % in the song2000 preset)",
              file=sys.stderr)
    return NEST_ORDER[pairing]


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


# --- shared by the NEST scripts (templates/nest_shared.py; `hebblab export` pastes it here) ---
from hebblab.engines.templates.nest_shared import SLICE_MS, advance, gather, quiet, run_script  # noqa: E402,F401
# --- end of shared -----------------------------------------------------------------------


def main() -> None:
    run_script(simulate, PARAMS, SEED, DURATION_MS, __doc__, seed_help="random seed (inputs, initial weights)")


if __name__ == "__main__":
    main()
