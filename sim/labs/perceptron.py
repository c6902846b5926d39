"""The chapter's analogy: a perceptron and a LIF cell fed the same rates x through the same w.

Perceptron: y = H(w.x - theta). LIF cell: n_inputs Poisson trains at rates x (Hz) through
delta synapses (input i moves V by w_i mV per spike). Its mean drive is
    drive = tau_m * sum_i w_i x_i   (mV: the depolarisation V_inf - V_rest the inputs hold)
and the perceptron sees exactly that: y = 1 when the drive exceeds theta = V_thresh - V_rest,
the LIF's rheobase. What the perceptron leaves out, each a knob and a readout:
  time        x steps (or ramps) with period period_ms; y switches at once, the LIF's first
              spike follows after tau_m ln((V_inf,hi - V_lo)/(V_inf,hi - V_thresh));
  signal      `synchrony`: a share of every input's spikes is shared with the others; the rates
  space       (and y) stay the same, the membrane fluctuations and the LIF's rate do not;
  activation  the LIF's rate grows with the drive along the f-I curve
              1/(t_ref + tau_m ln((V_inf - V_reset)/(V_inf - V_thresh))), against y's step,
              and fluctuations make it fire below rheobase.

Schedule of update k (0-based step j = k - 1, t from j*dt to k*dt): the rates of step j; the
leak by exact integration, V <- V_rest + (V - V_rest) exp(-dt/tau_m); the step's input spikes
add their w (delta synapses, after the leak); threshold V >= V_thresh; spike stamped k*dt;
reset to V_reset and clamped for round(t_ref/dt) updates (clamped cells ignore input).
Input spikes come in fixed chunks seeded by their index (hebblab.sim.perceptron_inputs), so
any split into frames gives identical results. Live changes of the inputs restart the
statistics (rates, response, f-I points, latency) from that moment. Memory is bounded: the
traces keep the last TRACE_MS, spikes the last SPIKE_CAPACITY.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hebblab.sim import theory
from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset
from hebblab.sim.perceptron_inputs import CHUNK_STEPS, draw_chunk, fluctuation_sd_mV
from hebblab.sim.recording import RingBuffer, SpikeRecorder
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

N_SHOWN = 40  # inputs drawn in the raster
TRACE_MS = 500.0  # membrane trace and raster window
RATE_WINDOW_MS = 200.0  # lif_rate_hz: spikes in this last stretch
RESPONSE_BINS = 80  # the response over one period
DRIVE_BINS = 40  # the measured f-I points
SPIKE_CAPACITY = 20_000
_INPUT_PARAMS = ("rate_hz", "rate_step_hz", "w_mV", "synchrony")
_THEORY_PARAMS = ("tau_m_ms", "V_rest_mV", "V_thresh_mV", "V_reset_mV", "t_ref_ms")


def drive_mV(rate_hz, n_inputs: int, w_mV: float, tau_m_ms: float):
    """tau_m * sum_i w_i x_i with every input at rate x (Hz) and mean weight w_mV."""
    return tau_m_ms * n_inputs * w_mV * np.asarray(rate_hz, dtype=float) / 1000.0


def fi_rate_hz(drive, tau_m_ms: float, V_rest_mV: float, V_thresh_mV: float, V_reset_mV: float,
               t_ref_ms: float):
    """The closed-form LIF rate for a constant mean drive (V_inf = V_rest + drive): the f-I curve
    of hebblab.sim.theory with R*I = drive."""
    return theory.lif_rate_hz(drive, tau_m_ms, V_rest_mV, V_thresh_mV, V_reset_mV, 1.0, t_ref_ms)


class PerceptronLab(Lab):
    name = "perceptron"
    title = "Perceptron vs spiking neuron: the three mismatches"
    summary = "A perceptron and a LIF cell fed the same rates and weights: time, synchrony, f-I curve"
    default_duration_ms = 4000.0

    specs = (
        ParamSpec("n_inputs", 100, "inputs", 1, 5000, 10, "Poisson inputs, all at rate x", kind="int"),
        ParamSpec("rate_hz", 30.0, "Hz", 0.0, 1000.0, 5.0, "input rate x (the low level of the protocol)",
                  live=True),
        ParamSpec("rate_step_hz", 90.0, "Hz", 0.0, 1000.0, 5.0,
                  "step: x is rate_hz + this in the second half of each period; ramp: x rises by this "
                  "and falls back over each period", live=True),
        ParamSpec("protocol", "step", kind="choice", choices=("step", "ramp"),
                  help="step: x jumps between two levels (the time mismatch); ramp: x sweeps up and down "
                  "slowly (traces the f-I curve)"),
        ParamSpec("period_ms", 400.0, "ms", 1.0, 100000.0, 100.0, "period of the input protocol"),
        ParamSpec("w_mV", 0.1, "mV", 0.0, 20.0, 0.01, "mean weight: the jump of V per input spike", live=True),
        ParamSpec("w_spread", 0.0, "", 0.0, 1.0, 0.1,
                  "weights evenly spread over w_mV*(1 - spread) .. w_mV*(1 + spread) (mean unchanged)"),
        ParamSpec("synchrony", 0.0, "", 0.0, 1.0, 0.05,
                  "share c of every input's spikes that all inputs fire together (rates unchanged)", live=True),
        ParamSpec("tau_m_ms", 20.0, "ms", 1.0, 200.0, 1.0, "membrane time constant"),
        ParamSpec("V_rest_mV", -70.0, "mV", -100.0, -30.0, 1.0, "resting potential"),
        ParamSpec("V_thresh_mV", -54.0, "mV", -80.0, 0.0, 1.0, "spike threshold"),
        ParamSpec("V_reset_mV", -80.0, "mV", -100.0, -30.0, 1.0, "potential after a spike"),
        ParamSpec("t_ref_ms", 2.0, "ms", 0.0, 50.0, 0.5, "refractory period (rounded to the dt grid)"),
        ParamSpec("dt_ms", 0.1, "ms", 0.01, 1.0, 0.01, "time step"),
    )

    presets = (
        Preset("step",
               "100 inputs of 0.1 mV; x steps between 30 and 120 Hz every 200 ms, so the drive steps from "
               "6 to 24 mV across the 16 mV threshold. The perceptron switches at the step; the LIF's first "
               "spike comes about 16 ms later (closed form 20 ln(18/8) = 16.2 ms, of order tau_m) and it "
               "then fires at about 32 Hz, the f-I curve's rate, not a 0/1 output.",
               {}, 10000.0),
        Preset("synchrony",
               "x = 60 Hz constant: drive 12 mV, below the 16 mV threshold, so the perceptron says 0 at any "
               "synchrony. With 30 % of the spikes shared the rates stay 60 Hz but each shared event moves "
               "V by 10 mV: the membrane fluctuates with sd 4.3 mV instead of 0.8 and the LIF fires at "
               "10-12 Hz (depending on the seed). Set synchrony to 0 and it falls silent.",
               {"rate_hz": 60.0, "rate_step_hz": 0.0, "synchrony": 0.3}, 10000.0),
        Preset("f-I",
               "x ramps from 0 to 200 Hz and back every 8 s (drive 0 to 40 mV): the LIF's rate, measured "
               "per drive, rises from just below rheobase along the closed-form f-I curve (to 60 Hz at 40 mV), where "
               "the perceptron only steps from 0 to 1.",
               {"protocol": "ramp", "rate_hz": 0.0, "rate_step_hz": 200.0, "period_ms": 8000.0}, 16000.0),
        Preset("f-I-few-inputs",
               "The same ramp through 10 inputs of 1 mV: the same mean drive, ten times the shot-noise "
               "variance. The LIF now fires well below rheobase (from about 10 mV, fluctuation-driven) and the "
               "measured curve rounds off the closed form's sharp corner.",
               {"protocol": "ramp", "rate_hz": 0.0, "rate_step_hz": 200.0, "period_ms": 8000.0,
                "n_inputs": 10, "w_mV": 1.0}, 16000.0),
    )

    pairs = (
        Pair("synchrony", "The same input rates and weights, independent (A) or with 30 % of the spikes shared "
             "(B). The perceptron sees only rates: its output is the same. The LIF cell, driven below its "
             "threshold on average, fires far more in B: shared spikes raise the input's fluctuations.",
             {"synchrony": 0.0}, {"synchrony": 0.3}, preset="synchrony"),
    )
    input_params = ("n_inputs", "rate_hz", "rate_step_hz", "protocol", "period_ms", "synchrony", "w_spread",
                    "dt_ms")

    readout_specs = (
        ReadoutSpec("perceptron_output", "", "y = H(drive - theta): 1 when the mean drive exceeds the threshold"),
        ReadoutSpec("lif_rate_hz", "Hz", f"LIF spikes in the last {RATE_WINDOW_MS:g} ms"),
        ReadoutSpec("drive_mV", "mV", "w.x as the mean depolarisation tau_m sum_i w_i x_i it holds (V_inf - V_rest)"),
        ReadoutSpec("theta_mV", "mV", "the perceptron's threshold: the LIF's rheobase V_thresh - V_rest"),
        ReadoutSpec("theory_rate_hz", "Hz", "closed-form f-I rate at the present drive (no fluctuations)"),
        ReadoutSpec("lif_mean_rate_hz", "Hz", "LIF spikes / time since the start (or the last input change)"),
        ReadoutSpec("input_rate_hz", "Hz", "measured rate of each input (mean): x at any synchrony"),
        ReadoutSpec("shared_fraction", "", "measured share of input spikes that were synchronous events"),
        ReadoutSpec("fluct_sd_mV", "mV", "sd of the free membrane under the present inputs (shot noise): "
                    "grows with synchrony at fixed rates"),
        ReadoutSpec("latency_ms", "ms", "mean time from each up-step of x to the LIF's first spike"),
        ReadoutSpec("latency_theory_ms", "ms", "closed form: tau_m ln((V_inf,hi - V_lo)/(V_inf,hi - V_thresh))"),
        ReadoutSpec("spike_count", "", "LIF spikes since the start (or the last input change)"),
    )

    series_specs = (
        SeriesSpec("inputs", "raster", "Input spikes and the LIF's", "time (ms)", "input (index)",
                   f"the first {N_SHOWN} inputs; the LIF's spikes on the top row (synchrony: vertical stripes)"),
        SeriesSpec("membrane", "trace", "Membrane potential", "time (ms)", "V (mV)",
                   "V of the LIF cell and V_rest + drive, the mean potential the perceptron's w.x stands for"),
        SeriesSpec("response", "curve", "Response over one period (averaged)", "time in period (ms)", "rate (Hz)",
                   "LIF rate at each moment of the period, averaged over periods, against the closed-form "
                   "rate of the drive at that moment (no time) and the perceptron's output"),
        SeriesSpec("fI", "curve", "Rate vs drive", "drive (mV)", "rate (Hz)",
                   "measured LIF rate at each drive, the closed-form f-I curve and the perceptron's step"),
    )

    @classmethod
    def check(cls, params) -> None:
        for name in ("V_reset_mV", "V_rest_mV"):
            if params[name] >= params["V_thresh_mV"]:
                raise ParamError(name, f"must be below V_thresh_mV ({params['V_thresh_mV']:g} mV), "
                                 f"got {params[name]:g}")
        top = params["rate_hz"] + params["rate_step_hz"]
        if top * params["dt_ms"] / 1000.0 > 1.0:
            raise ParamError("rate_step_hz" if params["rate_step_hz"] > 0 else "rate_hz",
                             f"rate_hz + rate_step_hz must be at most 1000/dt_ms = {1000.0 / params['dt_ms']:g} Hz "
                             f"(one spike per step), got {top:g}")
        if int(round(params["period_ms"] / params["dt_ms"])) < 2:
            raise ParamError("period_ms", f"must be at least two steps (2*dt_ms = {2 * params['dt_ms']:g} ms), "
                             f"got {params['period_ms']:g}")

    @classmethod
    def theory_curve(cls, metric: str, param: str, values, params) -> np.ndarray | None:
        """Sweeps: the closed-form f-I rate of the mean drive at each value of `param`, for constant
        input (rate_step_hz = 0); parameters it ignores (synchrony, dt_ms...) give a flat line."""
        if metric not in ("lif_mean_rate_hz", "lif_rate_hz", "theory_rate_hz") or params["rate_step_hz"] != 0.0:
            return None
        x = np.asarray(values, dtype=float)
        kw = {k: params[k] for k in ("rate_hz", "n_inputs", "w_mV", *_THEORY_PARAMS)}
        if param in kw:
            kw[param] = x
        d = drive_mV(kw.pop("rate_hz"), kw.pop("n_inputs"), kw.pop("w_mV"), kw["tau_m_ms"])
        rate = fi_rate_hz(d, **kw)
        return np.broadcast_to(np.asarray(rate, dtype=float), x.shape).copy()

    # -- life cycle ----------------------------------------------------------------------
    def _reset(self) -> None:
        p = self.params
        n = int(p["n_inputs"])
        self.n = n
        spread = np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(1)
        self.unit_w = 1.0 + p["w_spread"] * spread  # mean exactly 1
        self.period_steps = int(round(p["period_ms"] / self.dt_ms))
        self.ref_steps = int(round(p["t_ref_ms"] / self.dt_ms))
        self.decay = math.exp(-self.dt_ms / p["tau_m_ms"])
        self.V = float(p["V_rest_mV"])
        self.ref_left = 0
        self._chunks: dict[int, Any] = {}
        self.trace = RingBuffer(int(round(TRACE_MS / self.dt_ms)) + 1, (2,))
        self.trace.append(np.array([[self.V, self.V + self._drive_at(np.zeros(1))[0]]]))  # t = 0
        self.lif = SpikeRecorder(1, SPIKE_CAPACITY)
        self.shown = SpikeRecorder(N_SHOWN, SPIKE_CAPACITY)
        self._version = 0
        self._restart_stats()

    def _apply_live(self, name: str, value) -> None:
        if name in _INPUT_PARAMS:
            # Chunks already drawn hold the old inputs: draw them again from here on.
            self._chunks.clear()
            self._restart_stats()
            self._version += 1

    def _restart_stats(self) -> None:
        """Statistics over the present inputs only: they restart when an input knob moves."""
        self.stats_from = self.steps_done
        self.n_lif = 0
        self.n_in = 0
        self.n_shared_in = 0
        self.resp_spikes = np.zeros(RESPONSE_BINS)
        self.resp_steps = np.zeros(RESPONSE_BINS)
        top = max(float(self._drive_of(self._rate_top())), 1e-9)
        self.drive_edges = np.linspace(0.0, top * (1 + 1e-9), DRIVE_BINS + 1)
        self.fi_spikes = np.zeros(DRIVE_BINS)
        self.fi_steps = np.zeros(DRIVE_BINS)
        self.fi_drive_sum = np.zeros(DRIVE_BINS)
        self.lat_sum, self.lat_n, self.lat_missed = 0.0, 0, 0
        self.waiting_up: int | None = None  # step of the last up-step with no LIF spike yet

    # -- the protocol ----------------------------------------------------------------------
    def _rate_top(self) -> float:
        return self.params["rate_hz"] + self.params["rate_step_hz"]

    def rates_at(self, steps: np.ndarray) -> np.ndarray:
        """x (Hz) during each 0-based step."""
        p = self.params
        phase = np.asarray(steps) % self.period_steps
        if p["protocol"] == "step":
            up = phase >= self.period_steps // 2
            return p["rate_hz"] + p["rate_step_hz"] * up
        tri = 1.0 - np.abs(2.0 * phase / self.period_steps - 1.0)  # 0 -> 1 -> 0 over the period
        return p["rate_hz"] + p["rate_step_hz"] * tri

    def _drive_of(self, rate_hz):
        p = self.params
        return drive_mV(rate_hz, self.n, p["w_mV"], p["tau_m_ms"])

    def _drive_at(self, steps: np.ndarray) -> np.ndarray:
        return self._drive_of(self.rates_at(steps))

    @property
    def theta_mV(self) -> float:
        return self.params["V_thresh_mV"] - self.params["V_rest_mV"]

    def _chunk(self, c: int):
        if c not in self._chunks:
            p = self.params
            steps = np.arange(c * CHUNK_STEPS, (c + 1) * CHUNK_STEPS)
            self._chunks = {k: v for k, v in self._chunks.items() if k >= c - 1}  # bounded memory
            self._chunks[c] = draw_chunk(self.rng_seed, c, self.rates_at(steps), p["synchrony"],
                                         p["w_mV"] * self.unit_w, self.dt_ms, N_SHOWN)
        return self._chunks[c]

    # -- stepping ------------------------------------------------------------------------
    def _advance(self, n: int) -> None:
        j, end = self.steps_done, self.steps_done + n
        while j < end:
            c = j // CHUNK_STEPS
            hi = min(end, (c + 1) * CHUNK_STEPS)
            self._segment(self._chunk(c), j, hi)
            j = hi
        self._version += 1

    def _segment(self, ch, lo: int, hi: int) -> None:
        """Steps lo .. hi-1 (0-based) of one chunk."""
        p = self.params
        a, v_rest = self.decay, p["V_rest_mV"]
        v_th, v_reset, ref_steps = p["V_thresh_mV"], p["V_reset_mV"], self.ref_steps
        jumps = ch.jump_mV[lo - ch.start: hi - ch.start].tolist()
        V, ref = self.V, self.ref_left
        Vs = []
        spikes = []
        for k, J in enumerate(jumps):
            if ref == 0:
                V = v_rest + (V - v_rest) * a + J
                if V >= v_th:
                    spikes.append(lo + k)
                    V = v_reset
                    ref = ref_steps
            else:
                ref -= 1
            Vs.append(V)
        self.V, self.ref_left = V, ref
        steps = np.arange(lo, hi)
        drive = self._drive_at(steps)
        self.trace.append(np.column_stack([Vs, v_rest + drive]))
        spk = np.asarray(spikes, dtype=np.int64)
        if len(spk):
            self.lif.record((spk + 1) * self.dt_ms, np.zeros(len(spk), dtype=np.int64))
        self._shown_inputs(ch, lo, hi)
        self._statistics(ch, lo, hi, steps, drive, spk)

    def _shown_inputs(self, ch, lo: int, hi: int) -> None:
        sel = (ch.shown_steps >= lo) & (ch.shown_steps < hi)
        st, inp = ch.shown_steps[sel], ch.shown_inputs[sel]
        shared = np.flatnonzero(ch.shared[lo - ch.start: hi - ch.start]) + lo
        if len(shared):
            n_sh = min(N_SHOWN, self.n)
            st = np.concatenate([st, np.repeat(shared, n_sh)])
            inp = np.concatenate([inp, np.tile(np.arange(n_sh), len(shared))])
            order = np.argsort(st, kind="stable")
            st, inp = st[order], inp[order]
        if len(st):
            self.shown.record((st + 1) * self.dt_ms, inp)

    def _statistics(self, ch, lo: int, hi: int, steps: np.ndarray, drive: np.ndarray, spk: np.ndarray) -> None:
        self.n_lif += len(spk)
        self.n_in += int(ch.input_spikes[lo - ch.start: hi - ch.start].sum())
        self.n_shared_in += int(ch.shared[lo - ch.start: hi - ch.start].sum()) * self.n
        P = self.period_steps
        b = (steps % P) * RESPONSE_BINS // P
        self.resp_steps += np.bincount(b, minlength=RESPONSE_BINS)
        d = np.clip(np.searchsorted(self.drive_edges, drive, side="right") - 1, 0, DRIVE_BINS - 1)
        self.fi_steps += np.bincount(d, minlength=DRIVE_BINS)
        self.fi_drive_sum += np.bincount(d, weights=drive, minlength=DRIVE_BINS)
        if len(spk):  # a spike at the end of step j belongs to step j's moment and drive
            self.resp_spikes += np.bincount((spk % P) * RESPONSE_BINS // P, minlength=RESPONSE_BINS)
            self.fi_spikes += np.bincount(d[spk - lo], minlength=DRIVE_BINS)
        if self.params["protocol"] == "step" and self.params["rate_step_hz"] > 0:
            self._latencies(lo, hi, spk)

    def _latencies(self, lo: int, hi: int, spk: np.ndarray) -> None:
        """First LIF spike after each up-step, within the high half of the period."""
        P, half = self.period_steps, self.period_steps // 2
        first_up = lo + (half - lo % P) % P  # first up-step at or after lo
        events = [(s, "up") for s in range(first_up, hi, P)]
        first_down = lo + (-lo % P)  # first period start at or after lo
        events += [(s, "down") for s in range(first_down, hi, P)]
        events += [(int(s), "spike") for s in spk]
        for s, kind in sorted(events, key=lambda e: (e[0], e[1] != "down", e[1] != "up")):
            if kind == "down":
                if self.waiting_up is not None and s > self.waiting_up:
                    self.lat_missed += 1
                    self.waiting_up = None
            elif kind == "up":
                if s >= self.stats_from:
                    self.waiting_up = s
            elif self.waiting_up is not None:
                self.lat_sum += (s + 1 - self.waiting_up) * self.dt_ms  # spike stamped at the step's end
                self.lat_n += 1
                self.waiting_up = None

    # -- outputs ---------------------------------------------------------------------------
    def _theory_kw(self) -> dict[str, float]:
        return {k: self.params[k] for k in _THEORY_PARAMS}

    def latency_theory_ms(self) -> float:
        """From the low level's mean potential to threshold under the high level's drive."""
        p = self.params
        lo, hi = float(self._drive_of(p["rate_hz"])), float(self._drive_of(self._rate_top()))
        if p["protocol"] != "step" or p["rate_step_hz"] <= 0 or lo >= self.theta_mV or hi <= self.theta_mV:
            return math.nan
        return float(theory.time_to_threshold_ms(hi, p["V_rest_mV"] + lo, p["tau_m_ms"], p["V_rest_mV"],
                                                 p["V_thresh_mV"], 1.0))

    def readouts(self) -> dict[str, float]:
        p = self.params
        drive = float(self._drive_at(np.array([self.steps_done]))[0])
        elapsed_s = (self.steps_done - self.stats_from) * self.dt_ms / 1000.0
        window_ms = min(RATE_WINDOW_MS, (self.steps_done - self.stats_from) * self.dt_ms)
        times, _ = self.lif.recent()
        recent = int(np.count_nonzero(times > self.t_ms - window_ms)) if window_ms > 0 else 0
        x_now = float(self.rates_at(np.array([self.steps_done]))[0])
        return {
            "perceptron_output": float(drive > self.theta_mV),
            "lif_rate_hz": recent / (window_ms / 1000.0) if window_ms > 0 else math.nan,
            "drive_mV": drive,
            "theta_mV": self.theta_mV,
            "theory_rate_hz": float(fi_rate_hz(drive, **self._theory_kw())),
            "lif_mean_rate_hz": self.n_lif / elapsed_s if elapsed_s > 0 else math.nan,
            "input_rate_hz": self.n_in / (self.n * elapsed_s) if elapsed_s > 0 else math.nan,
            "shared_fraction": self.n_shared_in / self.n_in if self.n_in else math.nan,
            "fluct_sd_mV": fluctuation_sd_mV(x_now, p["synchrony"], p["w_mV"] * self.unit_w, p["tau_m_ms"]),
            "latency_ms": self.lat_sum / self.lat_n if self.lat_n else math.nan,
            "latency_theory_ms": self.latency_theory_ms(),
            "spike_count": self.n_lif,
        }

    def response(self) -> tuple[np.ndarray, np.ndarray]:
        """(time in period (ms), mean LIF rate (Hz)) over the response bins visited so far."""
        centres = (np.arange(RESPONSE_BINS) + 0.5) * self.period_steps * self.dt_ms / RESPONSE_BINS
        seen = self.resp_steps > 0
        return centres[seen], self.resp_spikes[seen] / (self.resp_steps[seen] * self.dt_ms / 1000.0)

    def fi_points(self) -> tuple[np.ndarray, np.ndarray]:
        """(drive (mV), measured LIF rate (Hz)) for every drive bin with at least 50 ms in it."""
        seen = self.fi_steps * self.dt_ms >= 50.0
        mean_drive = self.fi_drive_sum[seen] / self.fi_steps[seen]  # the step protocol's two levels exactly
        return mean_drive, self.fi_spikes[seen] / (self.fi_steps[seen] * self.dt_ms / 1000.0)

    def series(self) -> dict[str, Series]:
        p = self.params
        ver = self._version
        window = (max(0.0, self.t_ms - TRACE_MS), max(self.t_ms, self.dt_ms))
        # raster: inputs 0..N_SHOWN-1, the LIF on row N_SHOWN + 1
        it, ic = self.shown.recent()
        lt, _ = self.lif.recent()
        keep_i, keep_l = it >= window[0], lt >= window[0]
        top_row = min(N_SHOWN, self.n) + 1
        x = np.concatenate([it[keep_i], lt[keep_l]])
        y = np.concatenate([ic[keep_i].astype(float), np.full(int(keep_l.sum()), float(top_row))])
        groups = np.concatenate([np.zeros(int(keep_i.sum()), dtype=int), np.ones(int(keep_l.sum()), dtype=int)])
        raster = Series(self.series_spec("inputs"), y=y, x=x, groups=groups, y_range=(-0.5, top_row + 0.5),
                        x_range=window, version=ver)
        tr = self.trace.view()
        t = self.trace.indices() * self.dt_ms
        membrane = Series(self.series_spec("membrane"), y=tr.T, x=t, labels=("V", "V_rest + drive"),
                          hlines={"threshold": p["V_thresh_mV"]}, x_range=window, version=ver)
        rx, ry = self.response()
        response = Series(self.series_spec("response"), y=ry, x=rx, labels=("LIF (measured)",),
                          overlays=self._overlays()["response"], version=ver)
        fx, fy = self.fi_points()
        r = self.readouts()
        markers = {"now": (r["drive_mV"], r["lif_rate_hz"])} if math.isfinite(r["lif_rate_hz"]) else {}
        if len(fx) <= 3:  # a few drive levels (the step protocol): points, not a line between them
            markers.update({f"measured at {d:.3g} mV": (d, v) for d, v in zip(fx, fy)})
            fx, fy = fx[:0], fy[:0]
        fI = Series(self.series_spec("fI"), y=fy, x=fx, labels=("LIF (measured)",),
                    overlays=self._overlays()["fI"], markers=markers, version=ver)
        return {"inputs": raster, "membrane": membrane, "response": response, "fI": fI}

    def _overlays(self) -> dict[str, dict]:
        """The closed-form and perceptron curves of the response and f-I charts; they depend on
        the parameters only, so they are computed once per parameter set."""
        key = tuple(self.params.values())
        if getattr(self, "_overlay_cache", (None,))[0] != key:
            kw = self._theory_kw()
            # over one period: the closed-form rate of the drive at each moment, and y
            P = self.period_steps
            grid = np.linspace(0, P - 1, min(P, 400)).astype(np.int64)
            tg = (grid + 0.5) * self.dt_ms
            dg = self._drive_at(grid)
            f_inst = np.asarray(fi_rate_hz(dg, **kw), dtype=float)
            scale = float(f_inst.max()) if f_inst.max() > 0 else 1.0
            response = {"closed form, no time": (tg, f_inst),
                        "perceptron y (scaled)": (tg, (dg > self.theta_mV) * scale)}
            # against the drive: the f-I curve (its corner at theta drawn sharp) and y
            top = max(float(self._drive_of(self._rate_top())), 1.5 * self.theta_mV)
            dgrid = np.linspace(0.0, top, 201)
            dgrid = np.sort(np.append(dgrid, [self.theta_mV, np.nextafter(self.theta_mV, np.inf)]))
            f = np.asarray(fi_rate_hz(dgrid, **kw), dtype=float)
            fscale = float(f.max()) if f.max() > 0 else 1.0
            fI = {"closed form (f-I)": (dgrid, f), "perceptron y (scaled)": (dgrid, (dgrid > self.theta_mV) * fscale)}
            self._overlay_cache = (key, {"response": response, "fI": fI})
        return self._overlay_cache[1]

    def metrics(self) -> dict[str, Any]:
        out = jsonable(self.readouts())
        times, _ = self.lif.recent()
        out["lif_spike_times_ms"] = jsonable(np.round(times, 10))
        out["lif_spike_times_truncated"] = self.lif.total > len(times)
        out["latency_samples"] = self.lat_n
        out["latency_missed"] = self.lat_missed
        fx, fy = self.fi_points()
        out["fi_drive_mV"] = jsonable(fx)
        out["fi_rate_hz"] = jsonable(fy)
        return out

    def notes(self) -> list[str]:
        out = super().notes()
        p = self.params
        r = self.readouts()
        th = r["theta_mV"]
        lo, hi = float(self._drive_of(p["rate_hz"])), float(self._drive_of(self._rate_top()))
        if p["rate_step_hz"] > 0 and p["protocol"] == "step":
            text = (f"Time: x steps {p['rate_hz']:g} -> {self._rate_top():g} Hz (drive {lo:.3g} -> {hi:.3g} mV, "
                    f"threshold {th:.3g} mV) every {p['period_ms'] / 2:g} ms; the perceptron switches at the step")
            if math.isfinite(r["latency_ms"]):
                text += (f", the LIF's first spike follows after {r['latency_ms']:.3g} ms on average (closed form "
                         f"{r['latency_theory_ms']:.3g} ms; tau_m = {p['tau_m_ms']:g} ms).")
            elif math.isfinite(r["latency_theory_ms"]):
                text += f"; the LIF needs about {r['latency_theory_ms']:.3g} ms (closed form) to follow."
            else:
                text += "."
            out.append(text)
        out.append(f"Signal space: synchrony {p['synchrony']:g}: input rates measured {r['input_rate_hz']:.4g} Hz, "
                   f"{100 * (r['shared_fraction'] if math.isfinite(r['shared_fraction']) else 0):.1f} % of input "
                   f"spikes synchronous, membrane sd {r['fluct_sd_mV']:.3g} mV; the perceptron sees only the rates."
                   if math.isfinite(r["input_rate_hz"]) else
                   f"Signal space: synchrony {p['synchrony']:g} changes the membrane's fluctuations "
                   f"(sd {r['fluct_sd_mV']:.3g} mV) but not the rates the perceptron sees.")
        y = int(r["perceptron_output"])
        text = (f"Activation: drive {r['drive_mV']:.3g} mV vs threshold {th:.3g} mV: perceptron y = {y}; "
                f"the closed-form LIF rate is {r['theory_rate_hz']:.3g} Hz")
        if math.isfinite(r["lif_rate_hz"]):
            text += f", the cell fires at {r['lif_rate_hz']:.3g} Hz now"
        out.append(text + ".")
        if p["protocol"] == "ramp" or p["rate_step_hz"] == 0:
            below = self.fi_spikes[(0.5 * (self.drive_edges[:-1] + self.drive_edges[1:])) < th].sum()
            if below > 0 and p["protocol"] == "ramp":
                out.append(f"{int(below)} LIF spikes came while the drive was below threshold: fluctuation-driven "
                           "firing, which neither the perceptron nor the f-I curve has.")
            elif p["rate_step_hz"] == 0 and r["drive_mV"] < th and self.n_lif > 0:
                out.append(f"The drive is below threshold, yet the LIF fired {self.n_lif} times: fluctuations "
                           "(more with synchrony) carry V over threshold.")
        return out


LAB = PerceptronLab
