"""The plasticity protocol bench: pre/post spike pairs at a set delay and frequency.

One synapse, one pre and one post cell whose spikes are imposed (no neuron model):
a protocol is `n_pairs` pairings at `freq_hz`, pairing k at k/freq, with
delay = t_post - t_pre (delay > 0: pre before post). Rules: pair STDP with traces
(sim/plasticity/stdp.py) or the Pfister & Gerstner 2006 triplet rule
(sim/plasticity/triplet.py, visual-cortex all-to-all fit).

Modes:
  single     one protocol; dw is its total weight change.
  window     the STDP window: one protocol per delay in -delay_max_ms..+delay_max_ms.
  frequency  dw vs pairing frequency (FREQS_HZ, highest first so the curve grows fast)
             for both orders (+|delay_ms| and -|delay_ms|).
Every protocol starts from w_init with empty traces, so the points are independent.
Protocols follow each other in biological time (each lasts n_pairs/freq plus
`gap_ms`); a step is `dt_ms` of that time. Spikes are exact events processed in time
order (a pre and a post spike at the same instant: pre first), so results do not
depend on dt_ms or on how steps are split into frames. The curves grow as protocols
finish. Theory overlays are the rules' exact sums over all spike pairs (triplets for
the triplet rule) of the protocol, unbounded and additive: for isolated pairs the pair
rule's is n_pairs * A_plus*exp(-delay/tau_plus) (delay >= 0) or
-n_pairs * A_minus*exp(delay/tau_minus) (docs/science.md, stdp and pairing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset, validate_params
from hebblab.sim.plasticity.stdp import SPIKE_PAIRINGS, WEIGHT_DEPENDENCES, PairSTDP, all_pairs_dw
from hebblab.sim.plasticity.triplet import TRIPLET_MODELS, TripletSTDP, triplet_dw_closed_form
from hebblab.sim.recording import RingBuffer
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

FREQS_HZ = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0)
LOG_CAPACITY = 4096  # events kept for the trace chart
THEORY_POINTS = 201
TRACE_POINTS = 600


@dataclass
class Protocol:
    delay_ms: float
    freq_hz: float
    n_pairs: int
    start_ms: float
    end_ms: float
    times: np.ndarray  # event times (ms, absolute), sorted, pre before post at ties
    is_post: np.ndarray  # bool per event
    dw: float | None = None  # set when finished


def pair_times(delay_ms: float, freq_hz: float, n_pairs: int, start_ms: float = 0.0):
    """Pre and post spike times of a pairing protocol (delay = t_post - t_pre)."""
    base = start_ms + np.arange(n_pairs) * (1000.0 / freq_hz)
    if delay_ms >= 0:
        return base, base + delay_ms
    return base - delay_ms, base


def window_delays(delay_max_ms: float, delay_step_ms: float) -> np.ndarray:
    k = int(np.floor(delay_max_ms / delay_step_ms + 1e-9))
    return np.arange(-k, k + 1) * delay_step_ms


def plan(params) -> list[Protocol]:
    """The protocols of a run, in order, with their absolute times."""
    mode, n = params["mode"], params["n_pairs"]
    if mode == "single":
        specs = [(params["delay_ms"], params["freq_hz"])]
    elif mode == "window":
        specs = [(float(d), params["freq_hz"]) for d in window_delays(params["delay_max_ms"], params["delay_step_ms"])]
    else:
        d = abs(params["delay_ms"])
        specs = [(sign * d, f) for f in sorted(FREQS_HZ, reverse=True) for sign in (1.0, -1.0)]
    out, t = [], 0.0
    for delay, freq in specs:
        pre, post = pair_times(delay, freq, n, t)
        times = np.concatenate([pre, post])
        is_post = np.concatenate([np.zeros(n, bool), np.ones(n, bool)])
        order = np.lexsort((is_post, times))  # by time, pre first at ties
        end = t + n * 1000.0 / freq + params["gap_ms"]
        out.append(Protocol(delay, freq, n, t, end, times[order], is_post[order]))
        t = end
    return out


SPECS = (
    ParamSpec("mode", "window", help="single: one protocol; window: sweep the delay; frequency: sweep the "
              "pairing frequency for both orders", kind="choice", choices=("single", "window", "frequency")),
    ParamSpec("rule", "pair", help="pair: pair STDP with traces; triplet: Pfister & Gerstner 2006 "
              "(visual cortex, all-to-all)", kind="choice", choices=("pair", "triplet")),
    ParamSpec("triplet_model", "full", help="triplet rule: the paper's full or minimal visual-cortex fit "
              "(minimal: no pair LTP, no triplet LTD; docs/science.md)", kind="choice",
              choices=tuple(TRIPLET_MODELS)),
    ParamSpec("delay_ms", 10.0, "ms", -100.0, 100.0, 1.0,
              "t_post - t_pre of each pairing (> 0: pre before post); frequency mode uses +/-|delay_ms|"),
    ParamSpec("freq_hz", 1.0, "Hz", 0.01, 200.0, 0.5, "pairing frequency (single and window modes)",
              aliases=("freq_Hz",)),
    ParamSpec("n_pairs", 60, "pairs", 1, 1000, 10, "pairings per protocol", kind="int"),
    ParamSpec("delay_max_ms", 50.0, "ms", 1.0, 100.0, 5.0, "window mode: delays from -this to +this"),
    ParamSpec("delay_step_ms", 5.0, "ms", 0.5, 50.0, 0.5, "window mode: delay spacing"),
    ParamSpec("gap_ms", 500.0, "ms", 0.0, 10000.0, 100.0, "pause after each protocol (sweeps)"),
    ParamSpec("A_plus", 0.01, "w", 0.0, 1.0, 0.001, "pair rule: LTP amplitude"),
    ParamSpec("A_minus", 0.0105, "w", 0.0, 1.0, 0.001, "pair rule: LTD amplitude"),
    ParamSpec("tau_plus_ms", 20.0, "ms", 0.5, 500.0, 1.0, "pair rule: LTP window time constant"),
    ParamSpec("tau_minus_ms", 20.0, "ms", 0.5, 500.0, 1.0, "pair rule: LTD window time constant"),
    ParamSpec("spike_pairing", "all-to-all", help="pair rule: all-to-all (traces add) or nearest (traces reset)",
              kind="choice", choices=SPIKE_PAIRINGS),
    ParamSpec("weight_dependence", "additive", help="pair rule: additive or multiplicative (LTP*(1-w/w_max), "
              "LTD*w/w_max)", kind="choice", choices=WEIGHT_DEPENDENCES),
    ParamSpec("w_init", 1.0, "w", 0.0, 100.0, 0.1, "weight at the start of every protocol", aliases=("w0",)),
    ParamSpec("w_max", 10.0, "w", 0.01, 1000.0, 0.5, "upper weight bound (lower bound 0)"),
    ParamSpec("dt_ms", 1.0, "ms", 0.1, 1000.0, 1.0,
              "biological time per step (spikes are exact events; this only sets the pace)"),
    ParamSpec("freeze", False, help="freeze plasticity: spikes still update the traces, w stays (key f)",
              live=True, kind="bool"),
)


def total_ms(overrides) -> float:
    """Biological time a parameter set needs to finish all its protocols."""
    return plan(validate_params(SPECS, overrides))[-1].end_ms


_FREQ = {"mode": "frequency", "rule": "triplet", "delay_ms": 10.0, "n_pairs": 60}
_LTD = {"mode": "single", "rule": "triplet", "delay_ms": -10.0, "freq_hz": 1.0, "n_pairs": 60}
_LTP = {"mode": "single", "rule": "triplet", "delay_ms": 5.0, "freq_hz": 100.0, "n_pairs": 60}


class PairingLab(Lab):
    name = "pairing"
    title = "Plasticity protocols: STDP window and frequency dependence"
    summary = "Pre/post pairings at a chosen delay and frequency, pair or triplet STDP: dw, window, dw vs frequency"
    specs = SPECS
    default_duration_ms = total_ms({})

    presets = (
        Preset("window", "The pair-rule STDP window: 60 pairings at 1 Hz for each delay from -50 to +50 ms. "
               "Measured dw matches 60*A_plus*exp(-delay/tau_plus) for pre-before-post and "
               "-60*A_minus*exp(delay/tau_minus) for post-before-pre.", {}, total_ms({})),
        Preset("frequency", "Triplet rule, 60 pairings at +/-10 ms, 0.1-50 Hz: at low frequency pre-before-post "
               "does almost nothing and post-before-pre depresses; at 50 Hz both orders potentiate "
               "(a pair rule cannot do this).", _FREQ, total_ms(_FREQ)),
        Preset("ltd-1hz", "Triplet rule, post 10 ms before pre, 60 pairings at 1 Hz: depression.",
               _LTD, total_ms(_LTD)),
        Preset("ltp-100hz", "Triplet rule, pre 5 ms before post, 60 pairings at 100 Hz (a burst): "
               "strong potentiation.", _LTP, total_ms(_LTP)),
    )

    pairs = (
        Pair("pair-vs-triplet", "Pair STDP (A) against the triplet rule (B), dw against pairing frequency for "
             "both orders at +/-10 ms. At 1 Hz the pair rule potentiates pre-before-post (+0.36) where the triplet "
             "rule does nothing, and both depress post-before-pre (-0.38, -0.31). At 50 Hz the pair rule's "
             "terms nearly cancel (-0.02, -0.04) while the triplet rule potentiates both orders (+0.74, +0.73): "
             "the frequency dependence of cortical LTP and LTD that a pair rule cannot produce.",
             {"rule": "pair"}, {"rule": "triplet"}, preset="frequency"),
    )
    input_params = ("mode", "delay_ms", "freq_hz", "n_pairs", "delay_max_ms", "delay_step_ms", "gap_ms")

    readout_specs = (
        ReadoutSpec("t_s", "s", "biological time"),
        ReadoutSpec("dw", "w", "weight change in the current (or last) protocol"),
        ReadoutSpec("pairs_done", "pairs", "pairings completed in the current protocol"),
        ReadoutSpec("protocols_done", "", "protocols finished"),
        ReadoutSpec("protocols_total", "", "protocols in this run"),
    )

    series_specs = (
        SeriesSpec("window", "curve", "STDP window", "delay t_post - t_pre (ms)", "dw (a.u.)",
                   "measured total dw per protocol; line: the rule's exact sum (unbounded, additive)"),
        SeriesSpec("frequency", "curve", "dw vs pairing frequency", "pairing frequency (Hz)", "dw (a.u.)",
                   "pre-before-post (main) and post-before-pre (overlay) at +/-|delay_ms|"),
        SeriesSpec("trace", "trace", "Traces (current protocol)", "time (ms)", "trace (a.u.)",
                   "pair: x_pre (>= 0), x_post (<= 0); triplet: r1, r2 (pre), o1, o2 (post)"),
        SeriesSpec("weight", "trace", "Weight change (current protocol)", "time in protocol (ms)", "w - w_init (a.u.)",
                   "the weight during the current protocol"),
    )

    @classmethod
    def check(cls, params) -> None:
        period = 1000.0 / params["freq_hz"]
        if params["mode"] == "single" and abs(params["delay_ms"]) >= period:
            raise ParamError("delay_ms", f"|delay_ms| must be < the pairing period 1000/freq_hz = {period:g} ms, "
                             f"got {params['delay_ms']:g}")
        if params["mode"] == "window" and params["delay_max_ms"] >= period:
            raise ParamError("delay_max_ms", f"must be < the pairing period 1000/freq_hz = {period:g} ms, "
                             f"got {params['delay_max_ms']:g}")
        if params["mode"] == "window" and params["delay_step_ms"] > params["delay_max_ms"]:
            raise ParamError("delay_step_ms", f"must be <= delay_max_ms ({params['delay_max_ms']:g}), "
                             f"got {params['delay_step_ms']:g}")
        fastest = 1000.0 / max(FREQS_HZ)
        if params["mode"] == "frequency" and abs(params["delay_ms"]) >= fastest:
            raise ParamError("delay_ms", f"frequency mode: |delay_ms| must be < {fastest:g} ms (the period at "
                             f"{max(FREQS_HZ):g} Hz), got {params['delay_ms']:g}")
        if params["w_init"] > params["w_max"]:
            raise ParamError("w_init", f"must be <= w_max ({params['w_max']:g}), got {params['w_init']:g}")

    # -- life cycle -------------------------------------------------------------
    def _make_rule(self):
        P = self.params
        if P["rule"] == "triplet":
            return TripletSTDP(**TRIPLET_MODELS[P["triplet_model"]], w_max=P["w_max"])
        return PairSTDP(P["A_plus"], P["A_minus"], P["tau_plus_ms"], P["tau_minus_ms"], P["w_max"],
                        P["weight_dependence"], P["spike_pairing"])

    def _reset(self) -> None:
        self.protocols = plan(self.params)
        self.rule = self._make_rule()
        self.current = 0
        self._start_protocol()
        self._version = 0
        self._theory_cache: dict[str, Any] = {}

    def _start_protocol(self) -> None:
        self.rule.reset(1, 1)
        self.w = np.full((1, 1), float(self.params["w_init"]))
        self.cursor = 0  # next event of the current protocol
        self.log = RingBuffer(LOG_CAPACITY, (6,))  # t, w, then up to 4 trace values after each event

    def _advance(self, n: int) -> None:
        t_new = (self.steps_done + n) * self.dt_ms
        plastic = not self.params["freeze"]
        while self.current < len(self.protocols):
            p = self.protocols[self.current]
            times, is_post = p.times, p.is_post
            stop = int(np.searchsorted(times, t_new, "right"))
            rows = []
            for i in range(self.cursor, stop):
                t = float(times[i])
                (self.rule.on_post if is_post[i] else self.rule.on_pre)(self.w, [0], t, plastic)
                rows.append(self._log_row(t))
            if rows:
                self.log.append(np.array(rows))
            self.cursor = stop
            if stop < times.size or p.end_ms > t_new:
                break
            p.dw = float(self.w[0, 0] - self.params["w_init"])
            self.current += 1
            if self.current < len(self.protocols):
                self._start_protocol()
        self._version += 1

    def _log_row(self, t: float) -> list[float]:
        r = self.rule
        if isinstance(r, TripletSTDP):
            # Stored traces were last updated at their own cell's spike: decay them to t.
            (r1, r2), (o1, o2) = r.pre_traces_at(t), r.post_traces_at(t)
            tr = [r1[0], r2[0], o1[0], o2[0]]
        else:
            tr = [r.pre_trace_at(t)[0], r.post_trace_at(t)[0], 0.0, 0.0]
        return [t, self.w[0, 0], *tr]

    # -- results ----------------------------------------------------------------
    def _active(self) -> Protocol | None:
        if self.current < len(self.protocols):
            return self.protocols[self.current]
        return None

    def current_dw(self) -> float:
        """dw of the running protocol, or of the last one when all are done."""
        if self._active() is None:
            return float(self.protocols[-1].dw)
        return float(self.w[0, 0] - self.params["w_init"])

    def _done(self) -> list[Protocol]:
        return [p for p in self.protocols if p.dw is not None]

    def theory_dw(self, delay_ms: float, freq_hz: float) -> float:
        """The rule's exact total dw for one protocol (unbounded, additive, all-to-all)."""
        P = self.params
        pre, post = pair_times(delay_ms, freq_hz, P["n_pairs"])
        if P["rule"] == "triplet":
            return triplet_dw_closed_form(pre, post, **TRIPLET_MODELS[P["triplet_model"]])
        return all_pairs_dw(pre, post, P["A_plus"], P["A_minus"], P["tau_plus_ms"], P["tau_minus_ms"])

    def _theory_window(self):
        if "window" not in self._theory_cache:
            if self.params["mode"] == "window":
                span = self.params["delay_max_ms"]
            else:
                span = max(2.0 * abs(self.params["delay_ms"]), 50.0)
            f = self.params["freq_hz"]
            span = min(span, 0.999 * 1000.0 / f)
            xs = np.linspace(-span, span, THEORY_POINTS)
            self._theory_cache["window"] = (xs, np.array([self.theory_dw(d, f) for d in xs]))
        return self._theory_cache["window"]

    def _theory_freq(self):
        if "freq" not in self._theory_cache:
            d = abs(self.params["delay_ms"])
            fs = np.array([f for f in sorted(FREQS_HZ) if 1000.0 / f > d])  # pairs still apart
            self._theory_cache["freq"] = (fs, np.array([self.theory_dw(d, f) for f in fs]),
                                          np.array([self.theory_dw(-d, f) for f in fs]))
        return self._theory_cache["freq"]

    def curves(self) -> dict[str, Any]:
        """Measured points so far: the window and the two frequency curves (sorted by x)."""
        done = self._done()
        mode = self.params["mode"]
        win = sorted((p.delay_ms, p.dw) for p in done) if mode in ("window", "single") else []
        fpp = sorted((p.freq_hz, p.dw) for p in done if p.delay_ms >= 0) if mode in ("frequency", "single") else []
        fpo = sorted((p.freq_hz, p.dw) for p in done if p.delay_ms < 0) if mode in ("frequency", "single") else []
        return {"window": win, "pre_post": fpp, "post_pre": fpo}

    def readouts(self) -> dict[str, float]:
        active = self._active()
        pairs = float(self.params["n_pairs"])  # all protocols done
        if active is not None:
            n_post_done = int(active.is_post[: self.cursor].sum())
            n_pre_done = self.cursor - n_post_done
            pairs = float(min(n_post_done, n_pre_done))
        return {
            "t_s": self.t_ms / 1000.0,
            "dw": self.current_dw(),
            "pairs_done": pairs,
            "protocols_done": float(len(self._done())),
            "protocols_total": float(len(self.protocols)),
        }

    def metrics(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.readouts())
        mode = self.params["mode"]
        c = self.curves()
        if mode == "single":
            p = self.protocols[0]
            out["dw_theory"] = self.theory_dw(p.delay_ms, p.freq_hz)
        if mode == "window":
            out["delays_ms"] = [d for d, _ in c["window"]]
            out["dw_window"] = [w for _, w in c["window"]]
            out["dw_window_theory"] = [self.theory_dw(d, self.params["freq_hz"]) for d, _ in c["window"]]
        if mode == "frequency":
            fs = sorted(FREQS_HZ)
            pp, po = dict(c["pre_post"]), dict(c["post_pre"])
            out["freqs_hz"] = list(fs)
            out["dw_pre_post"] = [pp.get(f) for f in fs]
            out["dw_post_pre"] = [po.get(f) for f in fs]
        return jsonable(out)

    def series(self) -> dict[str, Series]:
        v = self._version
        c = self.curves()
        win = np.array(c["window"], dtype=float).reshape(-1, 2)
        # The theory curves are drawn in every mode, so no chart opens empty: a mode that does
        # not measure a curve still shows what the rule predicts for it.
        overlays_w = {"theory": self._theory_window()}
        pp = np.array(c["pre_post"], dtype=float).reshape(-1, 2)
        po = np.array(c["post_pre"], dtype=float).reshape(-1, 2)
        overlays_f = {"post-before-pre": (po[:, 0], po[:, 1])}
        fs, tpp, tpo = self._theory_freq()
        overlays_f["theory pre-post"] = (fs, tpp)
        overlays_f["theory post-pre"] = (fs, tpo)
        return {
            "window": Series(self.series_spec("window"), y=win[:, 1], x=win[:, 0], overlays=overlays_w,
                             hlines={"0": 0.0}, version=v),
            "frequency": Series(self.series_spec("frequency"), y=pp[:, 1], x=pp[:, 0], overlays=overlays_f,
                                labels=("pre-before-post",), hlines={"0": 0.0}, version=v),
            "trace": self._trace_series(v),
            "weight": self._weight_series(v),
        }

    def _trace_window_ms(self) -> float:
        active = self._active() or self.protocols[-1]
        return float(min(max(3000.0 / active.freq_hz, 100.0), 3000.0))

    def _trace_series(self, version: int) -> Series:
        """Traces over the last few pairing periods, decayed exactly between logged events."""
        log = self.log.view()
        width = self._trace_window_ms()
        t_end = self.t_ms
        if log.shape[0]:  # after a protocol's last spike, hold the view on its last pairings
            t_end = min(t_end, log[-1, 0] + width / 3.0)
        xs = np.linspace(t_end - width, t_end, TRACE_POINTS)
        r = self.rule
        if isinstance(r, TripletSTDP):
            labels, taus = ("r1", "r2", "o1", "o2"), (r.tau_plus_ms, r.tau_x_ms, r.tau_minus_ms, r.tau_y_ms)
        else:
            labels, taus = ("x_pre", "x_post"), (r.tau_plus_ms, r.tau_minus_ms)
        y = np.zeros((len(labels), xs.size))
        if log.shape[0]:
            idx = np.searchsorted(log[:, 0], xs, "right") - 1
            ok = idx >= 0
            age = xs[ok] - log[idx[ok], 0]
            for row, tau in enumerate(taus):
                y[row, ok] = log[idx[ok], 2 + row] * np.exp(-age / tau)
        return Series(self.series_spec("trace"), y=y, x=xs, labels=labels, version=version)

    def _weight_series(self, version: int) -> Series:
        """w - w_init after each event of the current (or last) protocol, as a staircase."""
        active = self._active() or self.protocols[-1]
        log = self.log.view()
        t0 = active.start_ms
        tx, wy = log[:, 0] - t0, log[:, 1] - self.params["w_init"]
        t_end = float(np.clip(self.t_ms - t0, 0.0, active.end_ms - t0))
        x = np.concatenate([[0.0], tx, [t_end]])
        y = np.concatenate([[0.0], wy, [wy[-1] if wy.size else 0.0]])
        return Series(self.series_spec("weight"), y=y, x=x, labels=("w - w_init",), version=version)

    def notes(self) -> list[str]:
        out = super().notes()
        P = self.params
        done, total = len(self._done()), len(self.protocols)
        if done < total:
            remaining = self.protocols[-1].end_ms - self.t_ms
            out.append(f"{done}/{total} protocols done; {remaining / 1000.0:.1f} s of protocol time to go")
        if P["freeze"]:
            out.append("plasticity frozen: spikes still move the traces but w stays put")
        if self.log.total and (self.log.view()[:, 1].max() >= P["w_max"] or self.log.view()[:, 1].min() <= 0.0):
            out.append("the weight hit a bound (0 or w_max): measured dw is smaller than the unbounded theory")
        if P["rule"] == "pair" and P["weight_dependence"] == "multiplicative":
            out.append("theory lines assume the additive rule; multiplicative dw also depends on w")
        if P["rule"] == "pair" and P["mode"] == "frequency":
            out.append("a pair rule cannot potentiate both orders at high frequency; try rule = triplet")
        return out


LAB = PairingLab
