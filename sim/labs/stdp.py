"""Song, Miller & Abbott (2000): pair STDP makes 1000 Poisson inputs compete (docs/science.md, stdp).

1000 Poisson inputs at 15 Hz drive one conductance-based LIF cell through plastic
excitatory synapses (the model of Brian2's STDP example since brian2 2.4):
    tau_m dV/dt = (V_rest - V) + g_e * (E_e - V),   tau_e dg_e/dt = -g_e,   g_e += w at a pre spike
With `synapse_drive = fixed` the driving force is the constant E_e - V_reset instead, as
brian2 2.3's examples/synapses/STDP.py wrote it (`ge * (Ee-vr)`): the cell then fires
about 1.6x faster at first and the published rates do not apply.
Additive pair STDP with traces, A_plus = 0.01 g_max, A_minus = 1.05 A_plus, tau 20 ms,
w in [0, g_max], initial w ~ U(0, w_init * g_max) with w_init = 1. After 100 s: a U-shaped
(bimodal) weight histogram and a falling output rate.

Order of operations per 0.1 ms step (details in sim/conductance_lif.py): input spikes
of the step add their weight to g_e and get their LTD (w += x_post); g_e and V by
forward Euler, as Brian2's method='euler' (one input's conductance integral is then
exactly w*tau_e; exact exp decay of g_e would add 1 % at dt 0.1 ms, ~3 Hz early on);
threshold; output spike stamped at the END of the step (t = k*dt), V reset, LTP
(w += x_pre, counting same-step inputs as pre-before-post). Unlike the canonical
schedule (sim/neurons.py) there is no refractory period and the threshold is strict
(V > V_thresh); input spikes are the step's input, so they act on g_e and V in their own
step (tests/test_schedule.py).
Input spikes are drawn per fixed block of steps from a generator seeded (seed, 1, block)
and the initial weights from (seed, 0); the engine's chunks never depend on frame
boundaries, so any split of a run into frames gives bit-identical results.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from hebblab.sim.conductance_lif import CellParams, PlasticCondLIF
from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset
from hebblab.sim.plasticity.stdp import SPIKE_PAIRINGS, WEIGHT_DEPENDENCES, PairSTDP
from hebblab.sim.poisson_blocks import block_rng, poisson_block
from hebblab.sim.recording import RingBuffer
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

BLOCK_MS = 1000.0  # input spikes are drawn in blocks of this much biological time
RATE_BIN_MS = 1000.0  # output rate chart: one point per second
RATE_BINS_KEPT = 3600  # an hour of rate points (bounded memory)
EDGE_MS = 10_000.0  # "first/last 10 s" rates


class StdpLab(Lab):
    name = "stdp"
    title = "STDP: Song, Miller & Abbott 2000"
    summary = "1000 Poisson inputs, one LIF cell, pair STDP: weights split into a U-shaped histogram"
    default_duration_ms = 100_000.0

    specs = (
        ParamSpec("n_inputs", 1000, "inputs", 1, 10000, 100, "number of Poisson input synapses", kind="int"),
        ParamSpec("rate_hz", 15.0, "Hz", 0.0, 200.0, 1.0, "firing rate of every input", aliases=("rate_Hz",)),
        ParamSpec("n_corr", 0, "inputs", 0, 10000, 50,
                  "inputs 0..n_corr-1 form a correlated group (they share spikes)", kind="int"),
        ParamSpec("corr", 0.2, "", 0.0, 1.0, 0.05,
                  "correlation of the group: each copies a shared spike train's spikes with this probability"),
        ParamSpec("tau_m_ms", 10.0, "ms", 1.0, 100.0, 1.0, "membrane time constant"),
        ParamSpec("V_rest_mV", -74.0, "mV", -100.0, 0.0, 1.0, "resting (leak reversal) potential",
                  aliases=("E_l_mV",)),
        ParamSpec("V_thresh_mV", -54.0, "mV", -100.0, 0.0, 1.0, "spike threshold (spike when V > V_thresh)",
                  aliases=("V_t_mV",)),
        ParamSpec("V_reset_mV", -60.0, "mV", -100.0, 0.0, 1.0, "reset potential", aliases=("V_r_mV",)),
        ParamSpec("E_e_mV", 0.0, "mV", -20.0, 50.0, 1.0, "excitatory reversal potential"),
        ParamSpec("tau_e_ms", 5.0, "ms", 0.1, 100.0, 0.5, "excitatory conductance decay time"),
        ParamSpec("synapse_drive", "conductance", help="conductance: g_e*(E_e - V), Song 2000's model (and "
                  "Brian2's STDP example since brian2 2.4); fixed: g_e*(E_e - V_reset), as brian2 2.3's "
                  "example wrote it (fires faster)",
                  kind="choice", choices=("conductance", "fixed")),
        ParamSpec("g_max", 0.01, "g_leak", 1e-5, 1.0, 0.001,
                  "maximum synaptic weight, in units of the leak conductance"),
        ParamSpec("A_plus_frac", 0.01, "g_max", 0.0, 0.5, 0.001, "LTP amplitude A_plus as a fraction of g_max",
                  live=True),
        ParamSpec("A_minus_ratio", 1.05, "", 0.0, 5.0, 0.01, "A_minus / A_plus (> 1: depression wins slightly)",
                  live=True),
        ParamSpec("tau_plus_ms", 20.0, "ms", 2.0, 1000.0, 1.0, "LTP window time constant (pre trace decay)",
                  aliases=("tau_pre_ms",)),
        ParamSpec("tau_minus_ms", 20.0, "ms", 2.0, 1000.0, 1.0, "LTD window time constant (post trace decay)",
                  aliases=("tau_post_ms",)),
        ParamSpec("weight_dependence", "additive", help="additive: bimodal split; multiplicative: LTP*(1-w/g_max), "
                  "LTD*w/g_max, one peak", kind="choice", choices=WEIGHT_DEPENDENCES),
        ParamSpec("spike_pairing", "all-to-all", help="all-to-all: traces accumulate; nearest: traces reset at "
                  "each spike", kind="choice", choices=SPIKE_PAIRINGS),
        ParamSpec("w_init", 1.0, "g_max", 0.0, 1.0, 0.05, "initial weights ~ U(0, w_init * g_max)",
                  aliases=("w0_max_frac",)),
        ParamSpec("dt_ms", 0.1, "ms", 0.01, 1.0, 0.01, "time step"),
        ParamSpec("freeze", False, help="freeze plasticity: weights stop changing (key f)", live=True, kind="bool"),
    )

    presets = (
        Preset("song2000",
               "Song, Miller & Abbott 2000 as in Brian2's STDP example: 1000 inputs at 15 Hz, additive STDP. "
               "After 100 s about 23 % of weights are < 0.1 g_max and 19 % > 0.9 g_max (a U shape) and the "
               "output rate has fallen from about 38 Hz in the first 10 s (averaged over seeds; 49 Hz at seed 0) "
               "to about 20 Hz in the last 10 s.",
               {}, 100_000.0),
        Preset("correlated",
               "Inputs 0-199 share spikes (correlation 0.2, same 15 Hz rate). Correlated spikes arrive together, "
               "drive output spikes and so sit just before them: the group's synapses win and the rest lose.",
               {"n_corr": 200, "corr": 0.2}, 100_000.0),
        Preset("multiplicative",
               "Weight-dependent STDP (LTP scaled by 1 - w/g_max, LTD by w/g_max): the weights settle into one "
               "broad peak instead of splitting, and no input is driven to zero.",
               {"weight_dependence": "multiplicative"}, 100_000.0),
    )

    pairs = (
        Pair("additive-vs-multiplicative", "Additive updates (A, Song et al. 2000) against weight-dependent, "
             "multiplicative ones (B), the same 1000 input trains. A's weights split into a U shape "
             "(frac_low about 0.23, frac_high about 0.19); B's gather in one peak in the middle (both fractions "
             "near 0), and B's rate falls less.",
             {"weight_dependence": "additive"}, {"weight_dependence": "multiplicative"}, preset="song2000"),
    )
    input_params = ("n_inputs", "rate_hz", "n_corr", "corr", "dt_ms", "w_init")

    readout_specs = (
        ReadoutSpec("t_s", "s", "biological time"),
        ReadoutSpec("rate_recent_hz", "Hz", "output rate over the last complete second"),
        ReadoutSpec("frac_low", "", "fraction of weights < 0.1 g_max"),
        ReadoutSpec("frac_high", "", "fraction of weights > 0.9 g_max"),
        ReadoutSpec("mean_w_frac", "g_max", "mean weight"),
        ReadoutSpec("output_spike_count", "spikes", "output spikes so far"),
    )

    series_specs = (
        SeriesSpec("weight_hist", "histogram", "Weight histogram", "w / g_max", "synapses (count)",
                   "additive STDP splits the weights towards 0 and g_max (a U shape)"),
        SeriesSpec("weights", "scatter", "Weights by input", "input index", "w / g_max (1)",
                   "one dot per synapse; lines: the mean weight of each input group"),
        SeriesSpec("rate", "trace", "Output rate", "time (ms)", "rate (Hz)",
                   "output spikes per 1 s bin: falls as STDP weakens the drive"),
    )

    @classmethod
    def check(cls, params) -> None:
        if params["n_corr"] > params["n_inputs"]:
            raise ParamError("n_corr", f"must be <= n_inputs ({params['n_inputs']}), got {params['n_corr']}")
        p = params["rate_hz"] * params["dt_ms"] / 1000.0
        if p > 1.0:
            raise ParamError("rate_hz", f"rate_hz * dt_ms must be <= 1000 (one spike per step), got {p * 1000:g}")
        if params["n_corr"] > 0 and 0.0 < params["corr"] < p:
            raise ParamError("corr", f"must be 0 or >= rate_hz*dt_ms/1000 = {p:g} (the shared train's "
                             f"spike probability per step is p/corr <= 1), got {params['corr']:g}")
        if params["V_reset_mV"] >= params["V_thresh_mV"]:
            raise ParamError("V_reset_mV", f"must be below V_thresh_mV ({params['V_thresh_mV']:g}), "
                             f"got {params['V_reset_mV']:g}")
        if params["dt_ms"] / params["tau_m_ms"] >= 0.5:
            raise ParamError("dt_ms", f"must be < tau_m_ms/2 for a stable Euler step, got {params['dt_ms']:g}")
        if params["dt_ms"] >= params["tau_e_ms"]:
            raise ParamError("dt_ms", f"must be < tau_e_ms ({params['tau_e_ms']:g}) for the Euler decay of g_e, "
                             f"got {params['dt_ms']:g}")

    # -- life cycle -------------------------------------------------------------
    def _reset(self) -> None:
        P = self.params
        g_max = P["g_max"]
        a_plus = P["A_plus_frac"] * g_max
        self.rule = PairSTDP(a_plus, P["A_minus_ratio"] * a_plus, P["tau_plus_ms"], P["tau_minus_ms"], g_max,
                             P["weight_dependence"], P["spike_pairing"])
        n = P["n_inputs"]
        w0 = np.random.default_rng([self.rng_seed, 0]).random(n) * (P["w_init"] * g_max)
        dt = P["dt_ms"]
        self.block_steps = max(1, int(round(BLOCK_MS / dt)))
        p = P["rate_hz"] * dt / 1000.0
        seed, n_corr, corr = self.rng_seed, P["n_corr"], P["corr"]

        def blocks(j: int):
            return poisson_block(block_rng(seed, 1, j), n, self.block_steps, p, n_corr, corr)

        cell = CellParams(P["tau_m_ms"], P["V_rest_mV"], P["V_thresh_mV"], P["V_reset_mV"], P["E_e_mV"], P["tau_e_ms"], dt,
                          fixed_drive=P["synapse_drive"] == "fixed")
        self.engine = PlasticCondLIF(cell, self.rule, w0, blocks, self.block_steps)
        self.engine.plastic = not P["freeze"]
        self.bin_steps = max(1, int(round(RATE_BIN_MS / dt)))
        self.edge_steps = int(round(EDGE_MS / dt))
        self.rate_bins = RingBuffer(RATE_BINS_KEPT)
        self._bin_count = 0  # spikes in the current (unfinished) bin; rate_bins.total bins are done
        self.spike_count = 0
        self.first_edge_count = 0  # spikes with step <= edge_steps
        self.recent = deque()  # spike steps within the last EDGE_MS
        self._version = 0

    def _advance(self, n: int) -> int:
        target = self.steps_done + n
        spikes = self.engine.advance(target)
        if self.engine.error:  # the engine stopped at its last good step: so does time
            target = max(self.engine.s, self.steps_done)
            self.diverged = f"{self.engine.error} (stopped at t = {target * self.dt_ms:g} ms)"
        self._record(spikes, target)
        self._version += 1
        return target - self.steps_done

    def _apply_live(self, name: str, value) -> None:
        # The engine may hold a chunk computed ahead with the old setting: commit it up to now.
        self.engine.materialize(self.steps_done)
        if name == "freeze":
            self.engine.plastic = not value
        elif name in ("A_plus_frac", "A_minus_ratio"):
            P = self.params
            self.rule.A_plus = P["A_plus_frac"] * P["g_max"]
            self.rule.A_minus = P["A_minus_ratio"] * self.rule.A_plus

    def _record(self, spikes: list[int], target: int) -> None:
        for k in spikes:
            b = (k - 1) // self.bin_steps  # step k ends at k*dt: bin of the interval it ends
            self._close_bins(b)
            self._bin_count += 1
            self.spike_count += 1
            if k <= self.edge_steps:
                self.first_edge_count += 1
            self.recent.append(k)
        self._close_bins(target // self.bin_steps)
        while self.recent and self.recent[0] <= target - self.edge_steps:
            self.recent.popleft()

    def _close_bins(self, n_bins: int) -> None:
        """Close rate bins until n_bins are complete (a closed bin's row is its rate)."""
        while self.rate_bins.total < n_bins:
            self.rate_bins.append(np.array([self._bin_count * 1000.0 / RATE_BIN_MS]))
            self._bin_count = 0

    # -- outputs ----------------------------------------------------------------
    def weights_frac(self) -> np.ndarray:
        """Current weights / g_max (exact at the visible time, also mid-chunk)."""
        return self.engine.weights_at(self.steps_done) / self.params["g_max"]

    def _edge_rates(self) -> tuple[float, float]:
        window = min(self.steps_done, self.edge_steps)
        if window == 0:
            return float("nan"), float("nan")
        seconds = window * self.dt_ms / 1000.0
        return self.first_edge_count / seconds, len(self.recent) / seconds

    def readouts(self) -> dict[str, float]:
        w = self.weights_frac()
        last_bin = float(self.rate_bins.last()) if self.rate_bins.total else float("nan")
        return {
            "t_s": self.t_ms / 1000.0,
            "rate_recent_hz": float(last_bin),
            "frac_low": float(np.mean(w < 0.1)),
            "frac_high": float(np.mean(w > 0.9)),
            "mean_w_frac": float(w.mean()),
            "output_spike_count": float(self.spike_count),
        }

    def metrics(self) -> dict[str, Any]:
        w = self.weights_frac()
        first, last = self._edge_rates()
        out = {
            "t_s": self.t_ms / 1000.0,
            "frac_low": float(np.mean(w < 0.1)),
            "frac_high": float(np.mean(w > 0.9)),
            "rate_first_10s_hz": first,
            "rate_last_10s_hz": last,
            "output_spike_count": self.spike_count,
            "mean_w_frac": float(w.mean()),
        }
        n_corr = self.params["n_corr"] if self.params["corr"] > 0 else 0
        if n_corr:
            out["mean_w_corr_frac"] = float(w[:n_corr].mean())
            out["mean_w_uncorr_frac"] = float(w[n_corr:].mean()) if n_corr < w.size else None
        return jsonable(out)

    def series(self) -> dict[str, Series]:
        w = self.weights_frac()
        idx = np.arange(w.size, dtype=float)
        n_corr = self.params["n_corr"] if self.params["corr"] > 0 else 0
        # Mean weight of each input group, as line segments over the group's indices.
        groups = [("correlated mean", 0, n_corr), ("mean" if not n_corr else "uncorrelated mean", n_corr, w.size)]
        overlays = {name: (np.array([lo, hi - 1.0]), np.full(2, w[lo:hi].mean()))
                    for name, lo, hi in groups if hi > lo}
        rates = self.rate_bins.view()
        t_mid = (self.rate_bins.indices() + 0.5) * RATE_BIN_MS
        v = self._version
        return {
            "weight_hist": Series(self.series_spec("weight_hist"), y=w, bins=20, x_range=(0.0, 1.0), version=v),
            "weights": Series(self.series_spec("weights"), y=w, x=idx, overlays=overlays, y_range=(0.0, 1.0),
                              version=v),
            "rate": Series(self.series_spec("rate"), y=rates, x=t_mid, labels=("output rate",), version=v),
        }

    def notes(self) -> list[str]:
        out = super().notes()
        if self.params["freeze"]:
            out.append("plasticity frozen: weights stay put, the rate shows what the current weights drive")
        first, last = self._edge_rates()
        if self.steps_done * self.dt_ms >= 2 * EDGE_MS:
            out.append(f"output rate {first:.1f} Hz in the first 10 s, {last:.1f} Hz in the last 10 s")
        return out


LAB = StdpLab
