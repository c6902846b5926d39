"""Dopamine-gated STDP solves the distal-reward problem (Izhikevich 2007, Cerebral Cortex 17:2443).

STDP does not change a weight directly: each pre/post pair tags its synapse with an
eligibility trace c (decaying over tau_c ~ 1 s), and dopamine d (decaying over
tau_d ~ 0.2 s) turns tags into weight changes, dw/dt = eta*c*d. One chosen synapse is
rewarded, after a random delay of up to a second, whenever its postsynaptic cell fires
within 10 ms after its presynaptic cell; every synapse sees the same dopamine. The tag of
the chosen synapse is still there when the reward comes, so it grows to the bound while
the others do not. With as many rewards at random times the chosen synapse does not
stand out. The model and the order of one step are in sim/distal_reward.py (network:
sim/izhikevich.py; exact trace integration: sim/plasticity/da_stdp.py).

Recording is bounded: per-step dopamine and eligibility in a 20 s ring, the weight summary
once a second in a 2 h ring, the raster from a ring of recent spikes.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from hebblab.sim.distal_reward import DT_MS, REWARD_MODES, DistalRewardNetwork, DistalRewardParams
from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset
from hebblab.sim.recording import RingBuffer, SpikeRecorder
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

TRACE_WINDOW_STEPS = 20_000  # dopamine and eligibility: the last 20 s, every step
WEIGHT_ROWS_KEPT = 7200  # weight summary once a second: the last 2 h
RASTER_WINDOW_MS = 2000.0
RASTER_CAPACITY = 200_000
RECENT_STEPS = 1000  # `rate_recent_hz` is over the last second
MAX_SYNAPSES = 2_000_000
NEAR_BOUND = 0.9  # "at the bound": w_target >= this fraction of w_max_mV


class RstdpLab(Lab):
    name = "rstdp"
    title = "Dopamine-gated STDP: the distal-reward problem (Izhikevich 2007)"
    summary = "STDP tags synapses, a delayed reward's dopamine turns the tags into growth: one chosen synapse wins"
    default_duration_ms = 1_200_000.0

    specs = (
        ParamSpec("n_cells", 200, "cells", 10, 5000, 100,
                  "Izhikevich cells (inh_fraction of them fast-spiking inhibitory); Izhikevich 2007: 1000",
                  kind="int"),
        ParamSpec("inh_fraction", 0.2, "", 0.0, 0.9, 0.05, "fraction of cells that are inhibitory"),
        ParamSpec("out_degree", 100, "synapses", 1, 1000, 10,
                  "outgoing synapses per cell: E cells target any cell, I cells only E cells", kind="int"),
        ParamSpec("w_init_mV", 1.0, "mV", 0.0, 20.0, 0.1,
                  "initial weight of every excitatory synapse, the chosen one too"),
        ParamSpec("w_max_mV", 4.0, "mV", 0.1, 20.0, 0.5, "upper bound of the excitatory weights (lower bound 0)"),
        ParamSpec("w_i_mV", -1.0, "mV", -20.0, 0.0, 0.1, "weight of every inhibitory synapse (fixed)"),
        ParamSpec("noise_mV", 13.0, "mV", 0.0, 50.0, 1.0,
                  "random input to every cell each 1 ms step, uniform in [-noise_mV/2, +noise_mV/2]"),
        ParamSpec("A_plus", 1.0, "", 0.0, 10.0, 0.1,
                  "eligibility tag of a pre-before-post pair: A_plus*exp(-dt/tau_plus)"),
        ParamSpec("A_minus", 1.5, "", 0.0, 10.0, 0.1, "tag of a post-before-pre pair: -A_minus*exp(-dt/tau_minus)"),
        ParamSpec("tau_plus_ms", 20.0, "ms", 1.0, 200.0, 1.0, "STDP window, pre before post"),
        ParamSpec("tau_minus_ms", 20.0, "ms", 1.0, 200.0, 1.0, "STDP window, post before pre"),
        ParamSpec("tau_c_ms", 1000.0, "ms", 10.0, 10000.0, 100.0,
                  "eligibility trace decay: how long a tag waits for dopamine"),
        ParamSpec("tau_d_ms", 200.0, "ms", 1.0, 5000.0, 10.0, "dopamine decay"),
        ParamSpec("eta", 2.5, "mV/(uM s)", 0.0, 1000.0, 0.5,
                  "learning rate: dw/dt = eta*c*d. daspnet.m has 10 with rewards 1-3 s late; with rewards up to 1 s "
                  "late 2.5 gives about the same mean change per reward", live=True),
        ParamSpec("tonic_uM", 0.002, "uM", 0.0, 1.0, 0.001,
                  "tonic dopamine, always added to d (daspnet.m: 0.002); with LTD > LTP it slowly weakens "
                  "untagged synapses", live=True),
        ParamSpec("reward_uM", 0.5, "uM", 0.0, 10.0, 0.1, "dopamine released by one reward", live=True),
        ParamSpec("reward_mode", "contingent", kind="choice", choices=REWARD_MODES,
                  help="contingent: reward the chosen synapse's pre->post pairings; random: rewards at random times"),
        ParamSpec("reward_window_ms", 10.0, "ms", 1.0, 100.0, 1.0,
                  "a pairing: the chosen post cell fires within this after the chosen pre cell"),
        ParamSpec("reward_delay_max_ms", 1000.0, "ms", 1.0, 5000.0, 100.0,
                  "contingent: a reward follows each pairing after a random delay, uniform in 1 .. this ms"),
        ParamSpec("reward_rate_hz", 0.04, "Hz", 0.0, 10.0, 0.01, "random: mean rate of the rewards", live=True),
        ParamSpec("freeze", False, help="freeze plasticity: traces and dopamine run on, weights stay (key f)",
                  live=True, kind="bool"),
    )

    presets = (
        Preset("izhikevich2007",
               "Izhikevich (2007) Fig. 1, scaled to run live: 200 cells instead of 1000, each still with 100 "
               "synapses, so every cell gets the paper's 80 excitatory and 25 inhibitory inputs at about a third "
               "of the cost per step (no cell synapses twice onto another); rewards follow 1 ms to 1 s after each "
               "pairing (daspnet.m waits 1-3 s) with eta 2.5 instead of 10, about the same change per reward. The "
               "chosen synapse reaches 90 % of the 4 mV bound after 9-16 simulated minutes (seeds 0-3: 13, 16, 13.5 "
               "and 9; 40-54 rewards in the 20 minutes) and ends the strongest E->E synapse, while the others "
               "drift down: mean 0.72-0.77 mV, 95th percentile 1.22-1.31 mV, the largest 1.8-2.5 mV.",
               {}, 1_200_000.0),
        Preset("random-reward",
               "The control: the same network and about as many rewards (0.04 per second, 45-50 in 20 minutes) "
               "at random times. Every synapse tagged by chance when a reward comes moves a little, the chosen "
               "one no more than the others: it ends among them (seeds 0, 1, 2: 1.12, 1.23 and 1.00 mV, stronger "
               "than 89 %, 94 % and 78 % of them, the largest other 1.95-2.3 mV), nowhere near the bound.",
               {"reward_mode": "random"}, 1_200_000.0),
        Preset("quick",
               "The same experiment scaled down to a simulated minute (for a quick look and the tests): 60 cells "
               "with 30 synapses each, firing at about 3.5 Hz (noise 16 mV), every time course of the reward "
               "quartered (tau_c 250 ms, tau_d 50 ms, rewards up to 250 ms late) and eta 40. In seeds 1-5 the "
               "chosen synapse reaches the bound after 10-17 rewards, above every other E->E synapse (their 95th "
               "percentile 1.8-2 mV); pairings are a chance count, and seed 0's pair met only 4 times (it ends at "
               "2.1 mV, just below the largest other). With "
               "--set reward_mode=random (0.2 rewards per second, as many) it stays among the others.",
               {"n_cells": 60, "out_degree": 30, "noise_mV": 16.0, "tau_c_ms": 250.0, "tau_d_ms": 50.0,
                "reward_delay_max_ms": 250.0, "eta": 40.0, "reward_rate_hz": 0.2}, 60_000.0),
    )

    pairs = (
        Pair("contingent-vs-random", "Rewards that follow the chosen synapse's pre-before-post pairings (A) "
             "against the same reward rate at random times (B), the same network and noise. In A the chosen "
             "synapse's eligibility tag is usually high when dopamine arrives, so it grows toward w_max_mV while "
             "the others stay low; in B it does not stand out from the others.",
             {"reward_mode": "contingent"}, {"reward_mode": "random"}, preset="quick"),
    )
    input_params = ("n_cells", "inh_fraction", "out_degree", "noise_mV", "w_init_mV", "w_i_mV")

    readout_specs = (
        ReadoutSpec("t_s", "s", "biological time"),
        ReadoutSpec("w_target_mV", "mV", "weight of the chosen synapse"),
        ReadoutSpec("w_others_mean_mV", "mV", "mean weight of the other E->E synapses"),
        ReadoutSpec("w_others_p95_mV", "mV", "95th percentile of the other E->E weights"),
        ReadoutSpec("w_others_max_mV", "mV", "largest weight among the other E->E synapses"),
        ReadoutSpec("target_rank", "",
                    "fraction of the other E->E synapses weaker than the chosen one (1 = the strongest)"),
        ReadoutSpec("rewards", "", "rewards delivered so far"),
        ReadoutSpec("pairings", "", "the chosen synapse's pre->post pairings within reward_window_ms so far"),
        ReadoutSpec("dopamine_uM", "uM", "dopamine now (phasic + tonic)"),
        ReadoutSpec("c_target", "", "eligibility trace of the chosen synapse now"),
        ReadoutSpec("rate_recent_hz", "Hz", "mean firing rate of all cells over the last second"),
    )

    series_specs = (
        SeriesSpec("weights", "trace", "Chosen synapse against the others", "time (s)", "weight (mV)",
                   "the chosen synapse's weight and the other E->E synapses' mean, 95th percentile and maximum, "
                   "once a second"),
        SeriesSpec("dopamine", "trace", "Dopamine", "time (s)", "d (uM)",
                   "each reward adds reward_uM, which decays with tau_d; the last 20 s"),
        SeriesSpec("eligibility", "trace", "Eligibility of the chosen synapse", "time (s)", "c (a.u.)",
                   "each pre/post pair tags it (STDP), the tag decays with tau_c; the last 20 s"),
        SeriesSpec("raster", "raster", "Spike raster (E below, I above)", "time (s)", "cell (index)",
                   f"every cell, the last {RASTER_WINDOW_MS / 1000:g} s"),
        SeriesSpec("weight_hist", "histogram", "Weights of the other E->E synapses", "weight (mV)", "synapses (count)",
                   "every excitatory -> excitatory synapse but the chosen one, now"),
    )

    @classmethod
    def check(cls, params) -> None:
        n = params["n_cells"]
        n_exc = int(round(n * (1.0 - params["inh_fraction"])))
        if n_exc < 2:
            raise ParamError("inh_fraction", f"leaves {n_exc} excitatory cells of {n}; at least 2 are needed "
                             f"(inh_fraction <= {1.0 - 2.0 / n:.3g} at n_cells = {n})")
        limit = n - 1 if n_exc == n else min(n - 1, n_exc)  # distinct targets; I cells target E cells only
        if params["out_degree"] > limit:
            raise ParamError("out_degree", f"must be <= {limit} (each cell's targets are distinct cells, "
                             f"inhibitory ones target the {n_exc} excitatory cells), got {params['out_degree']}")
        synapses = n * params["out_degree"]
        if synapses > MAX_SYNAPSES:  # a typo must not allocate gigabytes
            raise ParamError("out_degree", f"n_cells x out_degree gives {synapses} synapses; at most {MAX_SYNAPSES} "
                             f"(out_degree <= {MAX_SYNAPSES // n} at n_cells = {n})")
        if params["w_init_mV"] > params["w_max_mV"]:
            raise ParamError("w_init_mV", f"must be <= w_max_mV ({params['w_max_mV']:g}), got {params['w_init_mV']:g}")

    # -- life cycle ---------------------------------------------------------------------
    def network_params(self) -> DistalRewardParams:
        """The engine's parameters: every lab parameter but `freeze`, under the same names."""
        return DistalRewardParams(**{f.name: self.params[f.name] for f in fields(DistalRewardParams)})

    def _reset(self) -> None:
        try:
            self.net = DistalRewardNetwork(self.network_params(), self.rng_seed)
        except ValueError as err:  # a tiny network drawn without a synapse to choose and compare
            raise ParamError("out_degree", f"{err}; raise out_degree or lower inh_fraction") from None
        self.net.plast.plastic = not self.params["freeze"]
        n = self.params["n_cells"]
        self.traces = RingBuffer(TRACE_WINDOW_STEPS, (2,))
        self.weight_rows = RingBuffer(WEIGHT_ROWS_KEPT, (5,))
        self.spikes = SpikeRecorder(n, capacity=RASTER_CAPACITY)
        self.recent_counts = RingBuffer(RECENT_STEPS, dtype=np.int64)
        self._version = 0

    def _step_width(self) -> int:
        # Dopamine and eligibility per step, and the spikes recorded in the chunk: two
        # numbers per spike, cells firing at up to ~10 Hz (at 5000 cells the spikes of a
        # 65536-step chunk alone took 44 MB).
        return 2 + max(1, int(0.02 * self.params["n_cells"] * self.dt_ms))

    def _apply_live(self, name: str, value) -> None:
        net = self.net
        if name == "freeze":
            net.plast.plastic = not value
        elif name == "eta":
            net.set_eta(float(value))
        elif name == "reward_rate_hz":
            net.set_rate(float(value))
        else:
            net.set_value(**{name: float(value)})

    def _advance(self, n: int) -> None:
        b = self.net.advance(n)
        self.traces.append(np.column_stack([b.dopamine, b.eligibility]))
        if b.weight_rows:
            rows = np.array(b.weight_rows, dtype=np.float64)
            rows[:, 0] *= DT_MS / 1000.0  # step -> s
            self.weight_rows.append(rows)
        self.spikes.record(b.spike_steps * DT_MS, b.spike_cells)
        self.recent_counts.append(np.bincount(b.spike_steps - b.first, minlength=n)[-RECENT_STEPS:])
        self._version += 1
        if not self.net.finite():
            self.diverged = "the network state became non-finite; lower noise_mV or w_max_mV, then reset"

    # -- reading out --------------------------------------------------------------------
    def _weights(self) -> tuple[float, np.ndarray]:
        """The chosen synapse's weight and the other E -> E weights, now."""
        w = self.net.weights()
        return float(w[self.net.target]), w[self.net.others]

    def readouts(self) -> dict[str, float]:
        w_t, others = self._weights()
        net = self.net
        counts = self.recent_counts.view()
        seconds = counts.size * DT_MS / 1000.0
        last = self.traces.last() if self.traces.total else np.array([net.plast.d_tonic, 0.0])
        return {
            "t_s": self.t_ms / 1000.0,
            "w_target_mV": w_t,
            "w_others_mean_mV": float(others.mean()),
            "w_others_p95_mV": float(np.percentile(others, 95.0)),
            "w_others_max_mV": float(others.max()),
            "target_rank": float(np.mean(others < w_t)),
            "rewards": float(net.rewards),
            "pairings": float(net.pairings),
            "dopamine_uM": float(last[0]),
            "c_target": float(last[1]),
            "rate_recent_hz": float(counts.sum() / (self.params["n_cells"] * seconds)) if seconds else 0.0,
        }

    def metrics(self) -> dict[str, Any]:
        out = dict(self.readouts())
        net = self.net
        out.update({
            "rewards": net.rewards,
            "pairings": net.pairings,
            "n_cells": net.conn.n,
            "n_exc": net.conn.n_exc,
            "n_plastic_synapses": net.conn.n_plastic,
            "target_pre": net.target_pre,
            "target_post": net.target_post,
            "rate_mean_hz": float(self.spikes.total / (net.conn.n * self.t_ms / 1000.0)) if self.t_ms else 0.0,
            "duration_ms": self.t_ms,
        })
        return jsonable(out)

    def series(self) -> dict[str, Series]:
        v = self._version
        t_now_s = self.t_ms / 1000.0
        rows = self.weight_rows.view()
        w_max = self.params["w_max_mV"]
        weights = Series(self.series_spec("weights"), x=rows[:, 0], y=rows[:, [1, 4, 3, 2]].T,
                         labels=("chosen", "others max", "others p95", "others mean"),
                         hlines={"bound": w_max}, y_range=(0.0, 1.1 * w_max), version=v)
        tr = self.traces.view()
        t_tr = (self.traces.indices() + 1) * DT_MS / 1000.0  # row k: after step k + 1
        # From 0 to at least one reward's height, so the tonic level reads as the floor it is.
        top = 1.1 * max(float(tr[:, 0].max()) if tr.size else 0.0, self.params["reward_uM"], 1e-3)
        dopamine = Series(self.series_spec("dopamine"), x=t_tr, y=tr[:, 0], labels=("d",), y_range=(0.0, top),
                          version=v)
        elig = Series(self.series_spec("eligibility"), x=t_tr, y=tr[:, 1], labels=("c",), hlines={"0": 0.0},
                      version=v)
        times, cells = self.spikes.recent()
        keep = times > self.t_ms - RASTER_WINDOW_MS
        cells = cells[keep]
        n_exc = self.net.conn.n_exc
        lo = max(0.0, t_now_s - RASTER_WINDOW_MS / 1000.0)
        raster = Series(self.series_spec("raster"), x=times[keep] / 1000.0, y=cells.astype(np.float64),
                        groups=(cells >= n_exc).astype(np.int64), labels=("E", "I"),
                        y_range=(0.0, float(self.net.conn.n)), x_range=(lo, max(t_now_s, lo + DT_MS / 1000.0)),
                        version=v)
        _, others = self._weights()
        hist = Series(self.series_spec("weight_hist"), y=others, bins=40, x_range=(0.0, w_max), version=v)
        return {"weights": weights, "dopamine": dopamine, "eligibility": elig, "raster": raster, "weight_hist": hist}

    def notes(self) -> list[str]:
        out = super().notes()
        if self.params["freeze"]:
            out.append("plasticity frozen: tags and dopamine run on, the weights stay put")
        if self.steps_done == 0:
            return out
        r = self.readouts()
        bound = self.params["w_max_mV"]
        contingent = self.params["reward_mode"] == "contingent"
        p = self.params
        if contingent and r["rewards"] == 0:
            out.append(f"no reward yet: the chosen post cell has not fired within {p['reward_window_ms']:g} ms after "
                       "the chosen pre cell (by chance that takes about a minute at ~1 Hz firing); each such "
                       f"pairing earns a reward up to {p['reward_delay_max_ms']:g} ms later")
        elif contingent and r["w_target_mV"] >= NEAR_BOUND * bound:
            out.append(f"the chosen synapse is at {r['w_target_mV']:.2f} mV, near the {bound:g} mV bound and stronger "
                       f"than {100 * r['target_rank']:.1f} % of the others (their mean {r['w_others_mean_mV']:.2f} mV): "
                       "its tag was still there each time the delayed dopamine came")
        elif contingent:
            n = int(r["rewards"])
            out.append(f"{n} reward{'s' if n > 1 else ''} so far, each at most {p['reward_delay_max_ms']:g} ms after "
                       "the pairing that earned it, when that pairing's tag has not yet faded; the chosen synapse is "
                       f"at {r['w_target_mV']:.2f} mV, stronger than {100 * r['target_rank']:.1f} % of the others")
        elif not contingent:
            out.append(f"rewards at random times ({int(r['rewards'])} so far): they reinforce whatever happens to be "
                       f"tagged; the chosen synapse ranks at {100 * r['target_rank']:.0f} % of the others")
        return out


LAB = RstdpLab
