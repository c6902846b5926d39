"""The chapter's leaky integrate-and-fire neuron, with the numbers that correct it.

Schedule per update: the canonical one in hebblab.sim.neurons (input -> integrate -> threshold ->
spike stamped at the end of the step, t = k*dt -> reset + refractory clamp -> record).
Input of update k: I_ext (+ I_step once (k-1)*dt >= t_step) + white noise.
The "+20 mV drawn spike" is display only: the recorded trace holds the true V (the reset
value on spike steps); the `membrane` series replaces the sample before each reset by
spike_peak_mV, exactly as the listing overwrites V[t-1], when draw_spikes is on.

Memory is bounded: the membrane trace keeps the last trace_ms of cell 0; spikes keep the
most recent SPIKE_CAPACITY (time, cell) pairs, while counts and ISI rates cover the
whole run exactly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hebblab.sim import theory
from hebblab.sim.inputs import GaussianNoiseCurrent, StepCurrent
from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.neurons import BlockRunner, LIFParams, LIFPopulation
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset
from hebblab.sim.recording import RingBuffer, SpikeRecorder
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

SPIKE_CAPACITY = 20_000  # also what --json lists: bounded, so an hour-long run needs no more memory
_DISPLAY_ONLY = {"draw_spikes", "spike_peak_mV"}
# The parameters of the closed forms in hebblab.sim.theory (lif_rate_hz and friends), besides I.
_THEORY_PARAMS = ("tau_m_ms", "V_rest_mV", "V_thresh_mV", "V_reset_mV", "R_m_MOhm", "t_ref_ms")

CHAPTER = {
    "tau_m_ms": 20.0, "V_rest_mV": -70.0, "V_thresh_mV": -54.0, "V_reset_mV": -80.0,
    "R_m_MOhm": 10.0, "I_ext_nA": 1.8, "t_ref_ms": 0.0, "dt_ms": 0.1, "method": "euler",
    "noise_nA": 0.0, "I_step_nA": 0.0, "draw_spikes": True, "spike_peak_mV": 20.0,
}


class LifLab(Lab):
    name = "lif"
    title = "Leaky integrate-and-fire neuron"
    summary = "The chapter's LIF neuron: Euler vs exact, refractory period, noise, f-I curve"
    default_duration_ms = 300.0

    specs = (
        ParamSpec("tau_m_ms", 20.0, "ms", 1.0, 200.0, 1.0, "membrane time constant", live=True,
                  synonyms=("tau_m",)),
        ParamSpec("V_rest_mV", -70.0, "mV", -100.0, -30.0, 1.0, "resting potential", synonyms=("V_rest",)),
        ParamSpec("V_thresh_mV", -54.0, "mV", -80.0, 0.0, 1.0, "spike threshold", synonyms=("V_thresh",)),
        ParamSpec("V_reset_mV", -80.0, "mV", -100.0, -30.0, 1.0, "potential after a spike",
                  synonyms=("V_reset",)),
        ParamSpec("R_m_MOhm", 10.0, "MOhm", 0.1, 1000.0, 1.0, "membrane resistance (R*I in mV)", live=True,
                  synonyms=("R_m",)),
        ParamSpec("I_ext_nA", 1.8, "nA", -10.0, 10.0, 0.05, "constant input current", live=True,
                  synonyms=("I_ext",)),
        ParamSpec("I_step_nA", 0.0, "nA", -10.0, 10.0, 0.1,
                  "extra current added from t_step_ms on (negative = inhibitory)", live=True),
        ParamSpec("t_step_ms", 150.0, "ms", 0.0, 1e6, 10.0, "when I_step_nA switches on", live=True),
        ParamSpec("t_ref_ms", 0.0, "ms", 0.0, 50.0, 0.5,
                  "refractory period: V held at V_reset (rounded to the dt grid)"),
        ParamSpec("noise_nA", 0.0, "nA", 0.0, 5.0, 0.05,
                  "white-noise amplitude: free V fluctuates with std R*noise/sqrt(2), any dt", live=True),
        ParamSpec("dt_ms", 0.1, "ms", 0.01, 1.0, 0.01, "time step", synonyms=("dt",)),
        ParamSpec("method", "euler", "", kind="choice", choices=("euler", "exact"),
                  help="forward Euler (the chapter) or exact exponential integration"),
        ParamSpec("n_cells", 1, "", 1, 1000, 1, "identical cells (independent noise each)", kind="int",
                  aliases=("n_neurons",)),
        ParamSpec("trace_ms", 1000.0, "ms", 10.0, 10000.0, 100.0, "membrane trace window kept (cell 0)"),
        ParamSpec("draw_spikes", True, "", kind="bool", live=True,
                  help="draw each spike as a line to spike_peak_mV (display only)"),
        ParamSpec("spike_peak_mV", 20.0, "mV", -50.0, 100.0, 5.0, "height of drawn spikes (display only)",
                  live=True),
    )

    presets = (
        Preset("chapter",
               "The listing exactly: forward Euler, dt 0.1 ms, 300 ms, no refractory period, spikes "
               "drawn at +20 mV (display only). Spikes at 43.9, 96.6, 149.3, 202.0, 254.7 ms; "
               "5 spikes in 300 ms look like 16.7 Hz, but the ISI rate is 18.98 Hz (closed form "
               "18.95 Hz; Euler fires 0.15 % early).",
               dict(CHAPTER), duration_ms=300.0),
        Preset("ex1-tau40",
               "Exercise 1, tau_m = 40 ms. The book says the rate goes up; it goes DOWN: period "
               "40 ln 14 = 105.6 ms, 9.47 Hz instead of 18.95 Hz (a slower membrane charges "
               "more slowly). Compare isi_rate_hz and theory_rate_hz.",
               {**CHAPTER, "tau_m_ms": 40.0}, duration_ms=1000.0),
        Preset("ex2-inhibitory",
               "Exercise 2 is about an inhibitory synapse (see the hebb lab); for one cell: at "
               "150 ms an inhibitory -0.6 nA joins the 1.8 nA drive, V_inf falls from -52 to "
               "-58 mV, below threshold, and the cell falls silent. Even -0.2 nA would do: the "
               "chapter drives it only 12.5 % above rheobase.",
               {**CHAPTER, "I_step_nA": -0.6, "t_step_ms": 150.0}, duration_ms=300.0),
        Preset("ex3-sigmoid",
               "Exercise 3 gives the post cell a noisy sigmoid; here is where one comes from: "
               "driven below rheobase (1.5 nA: V_inf -55 mV, 1 mV under threshold) a noiseless "
               "cell never fires, but with noise (0.2 nA: V std 1.4 mV) it fires irregularly at "
               "about 10 Hz. Sweep I_ext_nA from 1.3 to 1.8: the rate rises smoothly, a sigmoid "
               "instead of the noiseless curve's sharp corner at 1.6 nA.",
               {**CHAPTER, "method": "exact", "I_ext_nA": 1.5, "noise_nA": 0.2, "draw_spikes": False},
               duration_ms=5000.0, seed=1),
        Preset("exact",
               "The chapter's neuron with exact integration (same cost): spikes at 44.0, 96.8, "
               "149.6, 202.4, 255.2 ms (end-of-step stamps; Brian2 stamps one step earlier), ISI "
               "52.8 ms = the closed form's 52.78 ms rounded up to the grid.",
               {**CHAPTER, "method": "exact"}, duration_ms=300.0),
        Preset("refractory",
               "A 5 ms refractory period at 5 nA: the rate drops from 88 Hz to 61 Hz, as "
               "1/(t_ref + tau ln((V_inf-V_reset)/(V_inf-V_thresh))) predicts (61.1 Hz; the dt "
               "grid rounds each ISI up to 16.4 ms, 61.0 Hz); no drive can exceed 1/t_ref = 200 Hz.",
               {**CHAPTER, "method": "exact", "t_ref_ms": 5.0, "I_ext_nA": 5.0}, duration_ms=500.0),
        Preset("noisy",
               "The chapter's drive plus noise (0.3 nA: V std 2.1 mV): firing becomes irregular "
               "(see cv_isi_mean) and the rate moves off the noiseless closed form.",
               {**CHAPTER, "method": "exact", "noise_nA": 0.3, "draw_spikes": False},
               duration_ms=3000.0, seed=1),
        Preset("population",
               "100 identical cells just above rheobase (1.7 nA), each with its own noise (0.3 "
               "nA): a raster of cells that start in step and drift apart.",
               {**CHAPTER, "method": "exact", "I_ext_nA": 1.7, "noise_nA": 0.3, "n_cells": 100,
                "draw_spikes": False}, duration_ms=1000.0, seed=1),
    )

    pairs = (
        Pair("ex1", "Exercise 1: tau_m 20 ms (A) against 40 ms (B) on the same input. isi_rate_hz falls from "
             "18.98 to 9.48 Hz (closed form 18.95 to 9.47 Hz, 1/(tau_m ln 14)): a slower membrane fires LESS "
             "often, not more as the chapter says. The traces show B charging half as fast from the same reset.",
             {"tau_m_ms": 20.0}, {"tau_m_ms": 40.0}, preset="chapter", duration_ms=1000.0),
        Pair("euler-vs-exact", "Forward Euler (A, the chapter's method) against exact integration (B). Euler "
             "fires early: first_spike_ms 43.9 against 44.0 ms and an ISI 0.15 % short at dt 0.1 ms; add "
             "--set dt_ms=1 to see the error grow tenfold. Both cost the same.",
             {"method": "euler"}, {"method": "exact"}, preset="chapter"),
        Pair("refractory", "No refractory period (A) against 5 ms (B) at 5 nA. Every interspike interval grows "
             "by t_ref: 88 Hz becomes 61 Hz, and however strong the drive B can never pass 1/t_ref = 200 Hz.",
             {"t_ref_ms": 0.0}, {"t_ref_ms": 5.0}, preset="refractory"),
    )
    input_params = ("I_ext_nA", "I_step_nA", "t_step_ms", "noise_nA", "dt_ms", "n_cells")

    readout_specs = (
        ReadoutSpec("isi_rate_hz", "Hz", "rate from the mean inter-spike interval (whole run; mean over cells)"),
        ReadoutSpec("theory_rate_hz", "Hz", "closed-form rate at the present current (no noise)"),
        ReadoutSpec("grid_rate_hz", "Hz", "noise-free rate of this integrator on this dt grid"),
        ReadoutSpec("count_rate_hz", "Hz", "spikes / elapsed time: misleads (latency, window edge)"),
        ReadoutSpec("spike_count", "", "spikes so far (all cells)"),
        ReadoutSpec("V_mV", "mV", "membrane potential of cell 0 now"),
        ReadoutSpec("first_spike_ms", "ms", "time of the first spike (any cell)"),
        ReadoutSpec("latency_theory_ms", "ms", "closed-form first-spike time from rest"),
        ReadoutSpec("rheobase_nA", "nA", "smallest current that fires the cell: (V_thresh-V_rest)/R"),
        ReadoutSpec("V_inf_mV", "mV", "steady-state potential V_rest + R*I"),
        ReadoutSpec("cv_isi_mean", "", "coefficient of variation of the ISI, mean over cells (0 = clockwork)"),
    )

    series_specs = (
        SeriesSpec("membrane", "trace", "Membrane potential (cell 0)", "time (ms)", "V (mV)",
                   "V over the last trace_ms; spikes drawn to spike_peak_mV when draw_spikes is on"),
        SeriesSpec("spikes", "raster", "Spikes", "time (ms)", "cell (index)",
                   "recent spike times of every cell"),
        SeriesSpec("fI", "curve", "f-I curve", "I (nA)", "rate (Hz)",
                   "the integrator's noise-free rate on its dt grid, the closed form (theory) and "
                   "the measured ISI rate at the present current"),
    )

    @classmethod
    def check(cls, params) -> None:
        if params["V_reset_mV"] >= params["V_thresh_mV"]:
            raise ParamError("V_reset_mV", f"must be below V_thresh_mV ({params['V_thresh_mV']:g} mV), "
                             f"got {params['V_reset_mV']:g}")
        if params["V_rest_mV"] >= params["V_thresh_mV"]:
            raise ParamError("V_rest_mV", f"must be below V_thresh_mV ({params['V_thresh_mV']:g} mV), "
                             f"got {params['V_rest_mV']:g}")

    @classmethod
    def theory_curve(cls, metric: str, param: str, values, params) -> np.ndarray | None:
        """For sweeps: the closed-form rate (docs/science.md, lif) at each value of `param`,
        overlaid on isi_rate_hz / theory_rate_hz. Only for a constant, noise-free current
        (None otherwise); parameters the closed form ignores (dt_ms, method...) give a flat line."""
        if metric not in ("isi_rate_hz", "theory_rate_hz") or params["noise_nA"] != 0.0 \
                or params["I_step_nA"] != 0.0:
            return None
        x = np.asarray(values, dtype=float)
        kw = {k: params[k] for k in ("I_ext_nA", *_THEORY_PARAMS)}
        if param in kw:
            kw[param] = x
        rate = theory.lif_rate_hz(kw.pop("I_ext_nA"), **kw)
        return np.broadcast_to(np.asarray(rate, dtype=float), x.shape).copy()

    # -- life cycle ---------------------------------------------------------------------
    def _neuron_params(self) -> LIFParams:
        p = self.params
        return LIFParams(p["tau_m_ms"], p["V_rest_mV"], p["V_thresh_mV"], p["V_reset_mV"],
                         p["R_m_MOhm"], p["t_ref_ms"], p["dt_ms"], p["method"])

    def _reset(self) -> None:
        p = self.params
        n = int(p["n_cells"])
        self.n = n
        self._step_src = StepCurrent(p["I_ext_nA"], p["I_ext_nA"] + p["I_step_nA"], p["t_step_ms"], p["dt_ms"], n)
        self._noise = GaussianNoiseCurrent(p["noise_nA"], p["tau_m_ms"], p["dt_ms"], n, seed=self.rng_seed, stream=0)
        pop = LIFPopulation(n, self._neuron_params())
        self._runner = BlockRunner(pop, self._currents)
        self._trace = RingBuffer(int(round(p["trace_ms"] / p["dt_ms"])) + 1)
        self._trace.append(pop.V[:1])  # the t = 0 sample
        self._spikes = SpikeRecorder(n, SPIKE_CAPACITY)
        self._version = 0

    def _currents(self, start: int, m: int) -> np.ndarray:
        I = self._step_src.block(start, m)
        if self._noise.sigma_nA > 0.0:
            I += self._noise.block(start, m)
        return I

    def _advance(self, n: int) -> None:
        self._runner.step(n, self._record)
        self._version += 1
        if not np.all(np.isfinite(self._runner.V)):
            self.diverged = "membrane potential became non-finite: lower I_ext_nA, noise_nA or R_m_MOhm"

    def _record(self, V: np.ndarray, steps: np.ndarray, cells: np.ndarray) -> None:
        self._trace.append(V[:, 0])
        if steps.size:
            self._spikes.record(steps * self.dt_ms, cells)

    def _apply_live(self, name: str, value) -> None:
        self._version += 1
        if name in _DISPLAY_ONLY:
            return
        p = self.params
        self._step_src = StepCurrent(p["I_ext_nA"], p["I_ext_nA"] + p["I_step_nA"], p["t_step_ms"], p["dt_ms"], self.n)
        self._noise.sigma_nA = float(p["noise_nA"])
        self._noise.tau_m_ms = float(p["tau_m_ms"])
        self._runner.set_params(self._neuron_params())

    # -- what front ends see ------------------------------------------------------------
    def current_nA(self) -> float:
        """The constant current of the next update (I_ext, plus I_step once switched on)."""
        return float(self._step_src.block(self.steps_done, 1)[0, 0])

    def _theory_kw(self) -> dict[str, float]:
        return {k: self.params[k] for k in _THEORY_PARAMS}

    def readouts(self) -> dict[str, float]:
        p = self.params
        I = self.current_nA()
        kw = self._theory_kw()
        rates = self._spikes.isi_rate_hz()
        cvs = self._spikes.cv_isi()
        elapsed_s = self.t_ms / 1000.0
        count = self._spikes.total
        first = self._spikes.first_ms
        return {
            "isi_rate_hz": float(np.nanmean(rates)) if np.any(np.isfinite(rates)) else math.nan,
            "theory_rate_hz": theory.lif_rate_hz(I, **kw),
            "grid_rate_hz": theory.grid_rate_hz(I, **kw, dt_ms=p["dt_ms"], method=p["method"]),
            "count_rate_hz": count / (self.n * elapsed_s) if elapsed_s > 0 else math.nan,
            "spike_count": count,
            "V_mV": float(self._runner.V[0]),
            "first_spike_ms": float(np.nanmin(first)) if np.any(np.isfinite(first)) else math.nan,
            "latency_theory_ms": theory.first_spike_latency_ms(
                I, p["tau_m_ms"], p["V_rest_mV"], p["V_thresh_mV"], p["R_m_MOhm"]),
            "rheobase_nA": theory.rheobase_nA(p["V_rest_mV"], p["V_thresh_mV"], p["R_m_MOhm"]),
            "V_inf_mV": float(theory.v_inf(I, p["V_rest_mV"], p["R_m_MOhm"])),
            "cv_isi_mean": float(np.nanmean(cvs)) if np.any(np.isfinite(cvs)) else math.nan,
        }

    def spike_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(times_ms, cells) of the spikes still held (the last SPIKE_CAPACITY)."""
        return self._spikes.recent()

    def trace_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(t_ms, V_mV) of cell 0 over the trace window: the true V, no drawn spikes."""
        return self._trace.indices() * self.dt_ms, self._trace.view()

    def series(self) -> dict[str, Series]:
        p = self.params
        t, V = self.trace_data()
        times, cells = self.spike_data()
        if p["draw_spikes"] and times.size:
            # The listing overwrites V[t-1] (the sample before the reset) with the peak.
            own = times[cells == 0]
            idx = np.rint(own / self.dt_ms).astype(np.int64) - 1 - (self._trace.total - len(V))
            idx = idx[(idx >= 0) & (idx < len(V))]
            V[idx] = p["spike_peak_mV"]
        window = (max(0.0, self.t_ms - p["trace_ms"]), max(self.t_ms, self.dt_ms))  # the trace's span
        ver = self._version
        membrane = Series(self.series_spec("membrane"), y=V, x=t, labels=("V cell 0",),
                          hlines={"threshold": p["V_thresh_mV"], "rest": p["V_rest_mV"]},
                          x_range=window, version=ver, extra={"drawn_spikes": bool(p["draw_spikes"])})
        keep = times >= window[0]
        raster = Series(self.series_spec("spikes"), y=cells[keep].astype(float), x=times[keep],
                        y_range=(-0.5, self.n - 0.5), x_range=window, version=ver)
        return {"membrane": membrane, "spikes": raster, "fI": self._fi_series(ver)}

    def _fi_series(self, ver: int) -> Series:
        p = self.params
        kw = self._theory_kw()
        I_now = self.current_nA()
        rheo = theory.rheobase_nA(p["V_rest_mV"], p["V_thresh_mV"], p["R_m_MOhm"])
        lo = min(0.0, I_now)
        hi = max(2.0 * rheo, 1.25 * I_now, lo + 0.1)
        I, rate = theory.fi_curve(lo, hi, 201, **kw)
        grid = np.asarray(theory.grid_rate_hz(I, **kw, dt_ms=p["dt_ms"], method=p["method"]))
        r = self.readouts()
        markers = {}
        if math.isfinite(r["isi_rate_hz"]):
            markers["measured"] = (I_now, r["isi_rate_hz"])
        elif r["spike_count"] == 0 and self.steps_done > 0:
            markers["measured"] = (I_now, 0.0)
        return Series(self.series_spec("fI"), y=grid, x=I, labels=(f"{p['method']} on dt grid",),
                      overlays={"theory": (I, rate)}, markers=markers, version=ver)

    def metrics(self) -> dict[str, Any]:
        out = {k: jsonable(v) for k, v in self.readouts().items()}
        times, cells = self.spike_data()
        out["spike_times_ms"] = jsonable(np.round(times, 10))
        if self.n > 1:
            out["spike_cells"] = jsonable(cells)
        out["spike_times_truncated"] = self._spikes.total > len(times)
        out["t_ms"] = self.t_ms
        return out

    def notes(self) -> list[str]:
        out = super().notes()
        p = self.params
        r = self.readouts()
        I = self.current_nA()
        rheo = r["rheobase_nA"]
        if I > rheo:
            out.append(f"Driven {100 * (I / rheo - 1):.1f} % above rheobase ({rheo:.3g} nA): "
                       f"V_inf = {r['V_inf_mV']:.3g} mV; a {I - rheo:.3g} nA drop silences it."
                       if rheo > 0 else f"V_inf = {r['V_inf_mV']:.3g} mV is above threshold.")
        elif r["V_inf_mV"] == p["V_thresh_mV"] and p["noise_nA"] == 0:
            out.append("V_inf equals the threshold exactly (the rheobase): V approaches it forever "
                       "and the cell never fires.")
        else:
            out.append(f"V_inf = {r['V_inf_mV']:.3g} mV is not above threshold ({p['V_thresh_mV']:g} mV): "
                       "without noise the cell never fires" + (", so every spike here is noise-driven."
                                                               if p["noise_nA"] > 0 else "."))
        if math.isfinite(r["isi_rate_hz"]) and r["theory_rate_hz"] > 0:
            err = 100 * (r["isi_rate_hz"] / r["theory_rate_hz"] - 1)
            why = ("noise" if p["noise_nA"] > 0 else
                   "forward Euler fires early, the dt grid rounds each ISI up" if p["method"] == "euler"
                   else "the dt grid rounds each ISI up")
            out.append(f"Measured ISI rate {r['isi_rate_hz']:.4g} Hz vs closed form "
                       f"{r['theory_rate_hz']:.4g} Hz ({err:+.2f} %: {why}).")
        if r["spike_count"] >= 2 and math.isfinite(r["isi_rate_hz"]) and p["noise_nA"] == 0 \
                and p["I_step_nA"] == 0:
            out.append(f"Counting spikes / elapsed time gives {r['count_rate_hz']:.3g} Hz: the first spike "
                       f"needs {r['first_spike_ms']:.4g} ms from rest and the window edge cuts the last "
                       "interval. Use the ISI rate.")
        if p["tau_m_ms"] != 20.0:
            kw = {**self._theory_kw(), "tau_m_ms": 20.0}
            at20 = theory.lif_rate_hz(I, **kw)
            now = r["theory_rate_hz"]
            trend_word = "less often" if now < at20 else "more often"
            out.append(f"tau_m {p['tau_m_ms']:g} ms: closed-form rate {now:.3g} Hz vs {at20:.3g} Hz at "
                       f"20 ms: a {'slower' if p['tau_m_ms'] > 20 else 'faster'} membrane fires {trend_word}"
                       + (" (the chapter's exercise 1 wrongly says a longer tau_m raises the rate)."
                          if p["tau_m_ms"] > 20 else "."))
        if p["I_step_nA"] != 0:
            before, after = p["I_ext_nA"], p["I_ext_nA"] + p["I_step_nA"]
            kw = self._theory_kw()
            out.append(f"At {p['t_step_ms']:g} ms the current steps from {before:.3g} to {after:.3g} nA: "
                       f"closed-form rate {theory.lif_rate_hz(before, **kw):.3g} -> "
                       f"{theory.lif_rate_hz(after, **kw):.3g} Hz.")
        if p["noise_nA"] > 0 and math.isfinite(r["cv_isi_mean"]):
            out.append(f"Noise makes firing irregular: CV of the ISI {r['cv_isi_mean']:.2f} (0 without noise).")
        if p["method"] == "euler" and p["dt_ms"] / p["tau_m_ms"] > 0.02:
            out.append(f"dt/tau_m = {p['dt_ms'] / p['tau_m_ms']:.3g}: forward Euler is inaccurate here; "
                       "try method=exact.")
        ref = round(p["t_ref_ms"] / p["dt_ms"]) * p["dt_ms"]
        if abs(ref - p["t_ref_ms"]) > 1e-9:
            out.append(f"t_ref_ms {p['t_ref_ms']:g} is not a multiple of dt: {ref:g} ms is used.")
        return out


LAB = LifLab
