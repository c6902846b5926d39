"""Balanced E/I network: the CUBA benchmark (Vogels & Abbott 2005; Brette et al. 2007).

N = n_cells LIF cells, 80 % excitatory and 20 % inhibitory, each pair connected with
probability p = in_degree / N, current-based exponential synapses (see sim/network.py for
the model and the kernel). The resting potential V_rest_mV (the leak reversal E_l, which
stands in for external drive) sits above threshold, so every cell would fire alone at ~18.9 Hz;
recurrent inhibition holds the network in an asynchronous irregular state at ~5-6 Hz.
Turn `inh_gain` down and excitation runs away (about 125 Hz at 0: each interval is the 5 ms
refractory period plus about 3 ms back to threshold).

Order of operations per step (the project's schedule; sim/network.py has the details):
integrate v, ge, gi exactly -> hold refractory cells at V_reset -> threshold -> spikes
stamped at the END of the step (t = k*dt; Brian2 stamps (k-1)*dt) -> reset -> spikes add
w_e / w_i to their targets' ge / gi (felt from the next step) -> record.
Where it differs from the canonical schedule (sim/neurons.py), it follows Brian2 so the
cross-check compares like with like: the threshold is strict (v > V_thresh), and a cell that
spiked in step k integrates again in step k + R (R = t_ref_ms / dt), one step
sooner than hebblab.sim.neurons, which clamps R updates after the spike step
(tests/test_schedule.py pins both).

Recording is bounded: exact per-cell spike counts and ISI statistics for the whole run,
a raster of a fixed sample of cells, population rates in bins, and the probe cell's input
currents in ring buffers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hebblab.sim.labs.base import Lab
from hebblab.sim.network import CubaNetwork, CubaParams, build_network
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset
from hebblab.sim.recording import RingBuffer, SpikeRecorder
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

RASTER_CELLS = 200  # sampled cells in the raster, E and I in proportion
RASTER_WINDOW_MS = 1000.0
RATE_BIN_MS = 5.0
RATE_HISTORY_BINS = 400  # 2 s of population rate
CURRENT_WINDOW_MS = 500.0
RECENT_MS = 100.0  # window of the `rate_recent_hz` readout
PROBE_CELL = 0  # an excitatory cell (in the raster sample too)
RUNAWAY_HZ = 50.0  # recent mean rate above which notes call it runaway (balanced: ~6 Hz)


MAX_SYNAPSES = 20_000_000  # ~0.5 GB of index and weight arrays while building
# Live parameters whose CubaParams field keeps the model's symbol (as in Brian2's CUBA example).
_NETWORK_NAMES = {"V_rest_mV": "E_l_mV"}


class EiLab(Lab):
    name = "ei"
    title = "Balanced excitation and inhibition (CUBA network)"
    summary = "Recurrent LIF network, 80 % E / 20 % I: inhibition keeps it from runaway excitation"
    default_duration_ms = 1000.0

    specs = (
        ParamSpec("n_cells", 4000, "cells", 10, 50000, 500, "number of cells", kind="int", aliases=("N",)),
        ParamSpec("inh_fraction", 0.2, "", 0.0, 0.9, 0.05, "fraction of cells that are inhibitory"),
        ParamSpec("in_degree", 80.0, "inputs", 0.0, 2000.0, 10.0,
                  "mean inputs per cell; each pair connects with p = in_degree / n_cells"),
        ParamSpec("w_e_mV", 1.62, "mV", 0.0, 20.0, 0.1, "excitatory weight: jump of ge per spike", live=True),
        ParamSpec("w_i_mV", -9.0, "mV", -100.0, 0.0, 0.5, "inhibitory weight: jump of gi per spike", live=True),
        ParamSpec("inh_gain", 1.0, "", 0.0, 5.0, 0.1,
                  "multiplies w_i (and the inhibitory current in flight); 0 = no inhibition", live=True),
        ParamSpec("V_rest_mV", -49.0, "mV", -70.0, -30.0, 0.5,
                  "resting potential (leak reversal), the external drive: above V_thresh_mV every cell "
                  "drives itself", live=True, aliases=("E_l_mV",)),
        ParamSpec("V_thresh_mV", -50.0, "mV", -70.0, -30.0, 0.5, "spike threshold", aliases=("V_t_mV",)),
        ParamSpec("V_reset_mV", -60.0, "mV", -90.0, -40.0, 0.5, "reset potential", aliases=("V_r_mV",)),
        ParamSpec("tau_m_ms", 20.0, "ms", 1.0, 100.0, 1.0, "membrane time constant", live=True),
        ParamSpec("tau_e_ms", 5.0, "ms", 0.5, 50.0, 0.5, "excitatory synaptic time constant", live=True),
        ParamSpec("tau_i_ms", 10.0, "ms", 0.5, 50.0, 0.5, "inhibitory synaptic time constant", live=True),
        ParamSpec("t_ref_ms", 5.0, "ms", 0.0, 50.0, 0.5, "absolute refractory period",
                  aliases=("refractory_ms",)),
        ParamSpec("dt_ms", 0.1, "ms", 0.01, 1.0, 0.01, "time step (exact integration)"),
    )

    presets = (
        Preset("cuba", "The CUBA benchmark: 4000 cells, p = 0.02, asynchronous irregular at ~5.6 Hz",
               {}, 1000.0),
        Preset("small", "1000 cells with the same 80 inputs per cell: fast for live play",
               {"n_cells": 1000}, 1000.0),
        Preset("no-inhibition", "Inhibitory synapses off (inh_gain 0): excitation runs away",
               {"inh_gain": 0.0}, 500.0),
        Preset("weak-inhibition", "Inhibition at half strength: about twice the balanced rate, more regular "
               "(below ~0.25 excitation runs away)", {"inh_gain": 0.5}, 1000.0),
        Preset("cuba-16k", "16000 cells, in-degree kept at 80 (p = 0.005): same balanced state",
               {"n_cells": 16000}, 1000.0),
        Preset("cuba-16k-p002", "16000 cells at p = 0.02 (320 inputs): inhibition-dominated, 2.3-2.5 Hz (seeds 0-2)",
               {"n_cells": 16000, "in_degree": 320.0}, 1000.0),
    )

    pairs = (
        Pair("inhibition", "The balanced CUBA network with inhibition (A) and without it (B), the same "
             "connections and starting voltages. A fires irregularly at about 5.5 Hz, far below the 19 Hz of an "
             "unconnected cell; in B excitation runs away to well over 100 Hz, held only by the refractory "
             "period and the recharge from reset (about 123 Hz: 5 ms refractory plus about 3 ms to "
             "threshold).", {"inh_gain": 1.0}, {"inh_gain": 0.0}, preset="cuba", duration_ms=500.0),
    )
    input_params = ("n_cells", "inh_fraction", "in_degree", "dt_ms")

    readout_specs = (
        ReadoutSpec("rate_mean_hz", "Hz", "mean firing rate of all cells over the run"),
        ReadoutSpec("rate_exc_hz", "Hz", "mean rate of excitatory cells over the run"),
        ReadoutSpec("rate_inh_hz", "Hz", "mean rate of inhibitory cells over the run"),
        ReadoutSpec("rate_recent_hz", "Hz", f"mean rate of all cells in the last {RECENT_MS:g} ms"),
        ReadoutSpec("cv_isi_mean", "", "mean CV of interspike intervals (cells with >= 3 spikes); ~1 = irregular"),
        ReadoutSpec("active_fraction", "", "fraction of cells that fired at least once"),
    )

    series_specs = (
        SeriesSpec("raster", "raster", "Spike raster (sampled cells: E below, I above)", "time (ms)", "cell (index)",
                   f"{RASTER_CELLS} sampled cells, excitatory first, last {RASTER_WINDOW_MS:g} ms"),
        SeriesSpec("rates", "trace", "Population rates", "time (ms)", "rate (Hz)",
                   f"E and I population rates in {RATE_BIN_MS:g} ms bins"),
        SeriesSpec("currents", "trace", "Input currents of one E cell", "time (ms)", "input (mV)",
                   "excitatory ge and inhibitory gi of cell 0 (mV: current times membrane resistance)"),
        SeriesSpec("rate_hist", "histogram", "Firing rates of all cells", "rate (Hz)", "cells (count)",
                   "per-cell mean rate over the run"),
    )

    @classmethod
    def check(cls, params) -> None:
        if params["V_reset_mV"] >= params["V_thresh_mV"]:
            raise ParamError("V_reset_mV", f"must be below V_thresh_mV ({params['V_thresh_mV']:g}), "
                             f"got {params['V_reset_mV']:g}")
        if params["in_degree"] > params["n_cells"]:
            raise ParamError("in_degree", f"must be at most n_cells ({params['n_cells']}), "
                             f"got {params['in_degree']:g}")
        synapses = params["n_cells"] * params["in_degree"]
        if synapses > MAX_SYNAPSES:  # a typo must not try to allocate gigabytes
            raise ParamError("in_degree", f"n_cells x in_degree gives {synapses:.3g} synapses; at most "
                             f"{MAX_SYNAPSES:.0e} (in_degree <= {MAX_SYNAPSES // params['n_cells']} at "
                             f"n_cells = {params['n_cells']}) in the numpy engine; `--engine nest` "
                             "has no such cap")
        if params["t_ref_ms"] and params["t_ref_ms"] < params["dt_ms"]:
            raise ParamError("t_ref_ms", f"must be 0 or at least dt_ms ({params['dt_ms']:g})")

    # -- building -----------------------------------------------------------------------
    def cuba_params(self) -> CubaParams:
        p = self.params
        return CubaParams(
            tau_m_ms=p["tau_m_ms"], tau_e_ms=p["tau_e_ms"], tau_i_ms=p["tau_i_ms"],
            V_t_mV=p["V_thresh_mV"], V_r_mV=p["V_reset_mV"], E_l_mV=p["V_rest_mV"],
            refractory_ms=p["t_ref_ms"], w_e_mV=p["w_e_mV"], w_i_mV=p["w_i_mV"],
            inh_gain=p["inh_gain"], dt_ms=p["dt_ms"],
        )

    def _reset(self) -> None:
        p = self.params
        net = build_network(p["n_cells"], p["inh_fraction"], p["in_degree"], self.cuba_params(), self.rng_seed)
        self.use_network(net)

    def use_network(self, net: CubaNetwork) -> None:
        """Run this lab on a given network (connectivity + initial state), e.g. one shared
        with Brian2 for a cross-check. Build it from `self.cuba_params()` so the lab's
        parameters describe it. Recorders and the clock restart at 0."""
        if net.step_count:
            raise ValueError("use_network needs a fresh network (step_count 0)")
        self.net = net
        self.steps_done = 0
        n, n_exc = net.n, net.conn.n_exc
        self.n_exc = n_exc
        self.spikes = SpikeRecorder(n, capacity=1)  # totals only; the raster has its own
        n_e = min(n_exc, round(RASTER_CELLS * n_exc / n))
        n_i = min(n - n_exc, RASTER_CELLS - n_e)
        self.sample = np.concatenate([np.linspace(0, n_exc - 1, n_e).round(),
                                      np.linspace(n_exc, n - 1, n_i).round()]).astype(np.int64)
        self.sample = np.unique(self.sample)
        self.sample_pos = np.full(n, -1, dtype=np.int64)
        self.sample_pos[self.sample] = np.arange(self.sample.size)
        self.raster = SpikeRecorder(self.sample.size, capacity=100_000)
        dt = net.params.dt_ms
        self.bin_steps = max(1, int(round(RATE_BIN_MS / dt)))
        # Closed bins of (E, I) spike counts; bin b holds steps b*bs+1..(b+1)*bs, and the
        # open bin (being filled) is bin rate_bins.total.
        self.rate_bins = RingBuffer(RATE_HISTORY_BINS, (2,), dtype=np.int64)
        self._open_counts = np.zeros(2, dtype=np.int64)
        self.current_ring = RingBuffer(max(1, int(round(CURRENT_WINDOW_MS / dt))), (3,))
        self.recent_ring = RingBuffer(max(1, int(round(RECENT_MS / dt))), dtype=np.int64)
        self._version = 0

    def _apply_live(self, name: str, value) -> None:
        self.net.set_live(**{_NETWORK_NAMES.get(name, name): float(value)})

    # -- stepping ---------------------------------------------------------------------
    def _advance(self, n: int) -> None:
        self.net.advance(n, self._record, probe=PROBE_CELL)
        self._version += 1
        if not self.net.finite():
            self.diverged = ("the network state became non-finite; lower w_e_mV or raise inh_gain, "
                             "then reset")

    def _record(self, first: int, counts: np.ndarray, cells: np.ndarray, probe) -> None:
        dt = self.net.params.dt_ms
        steps = np.repeat(np.arange(first, first + counts.size), counts)
        times = steps * dt
        self.spikes.record(times, cells)
        pos = self.sample_pos[cells]
        keep = pos >= 0
        self.raster.record(times[keep], pos[keep])
        self.recent_ring.append(counts)
        if probe is not None:
            self.current_ring.append(probe)
        # Population counts per rate bin; the last bin may stay open for the next block.
        last = first + counts.size - 1
        bs = self.bin_steps
        open_bin = self.rate_bins.total
        last_bin = (last - 1) // bs
        nb = last_bin - open_bin + 1
        is_inh = (cells >= self.n_exc).astype(np.int64)
        bins = (steps - 1) // bs - open_bin
        per_bin = np.bincount(bins * 2 + is_inh, minlength=2 * nb).reshape(nb, 2)
        per_bin[0] += self._open_counts
        complete = nb if last % bs == 0 else nb - 1
        self.rate_bins.append(per_bin[:complete])
        self._open_counts = per_bin[complete].copy() if complete < nb else np.zeros(2, dtype=np.int64)

    # -- reading out --------------------------------------------------------------------
    def _cell_rates(self) -> np.ndarray:
        t_s = self.steps_done * self.dt_ms / 1000.0
        return self.spikes.counts / t_s if t_s > 0 else np.zeros(self.net.n)

    def _recent_rate(self) -> float:
        recent = self.recent_ring.view()
        recent_s = recent.size * self.dt_ms / 1000.0
        return float(recent.sum() / (self.net.n * recent_s)) if recent.size else 0.0

    def readouts(self) -> dict[str, float]:
        rates = self._cell_rates()
        n_exc = self.n_exc
        cv = self.spikes.cv_isi()
        cv = cv[~np.isnan(cv)]
        return {
            "rate_mean_hz": float(rates.mean()),
            "rate_exc_hz": float(rates[:n_exc].mean()) if n_exc else float("nan"),
            "rate_inh_hz": float(rates[n_exc:].mean()) if n_exc < rates.size else float("nan"),
            "rate_recent_hz": self._recent_rate(),
            "cv_isi_mean": float(cv.mean()) if cv.size else float("nan"),
            "active_fraction": float(np.mean(self.spikes.counts > 0)),
        }

    def metrics(self) -> dict[str, Any]:
        out = super().metrics()
        net = self.net
        out.update({
            "n_cells": net.n,
            "n_exc": self.n_exc,
            "n_synapses": net.conn.n_synapses,
            "p_connect": net.conn.n_synapses / float(net.n) ** 2,
            "spike_count": self.spikes.total,
            "unconnected_rate_hz": net.params.unconnected_rate_hz(),
            "t_ms": self.t_ms,
        })
        return out

    def series(self) -> dict[str, Series]:
        t_now = self.t_ms
        v = self._version
        times, pos = self.raster.recent()
        keep = times > t_now - RASTER_WINDOW_MS
        pos = pos[keep]
        groups = (self.sample[pos] >= self.n_exc).astype(np.int64)
        raster = Series(self.series_spec("raster"), y=pos.astype(np.float64), x=times[keep],
                        groups=groups, labels=("E", "I"), y_range=(0.0, float(self.sample.size)),
                        x_range=(max(0.0, t_now - RASTER_WINDOW_MS), max(t_now, self.dt_ms)), version=v)

        counts = self.rate_bins.view().astype(np.float64)
        bin_s = self.bin_steps * self.dt_ms / 1000.0
        x = (self.rate_bins.indices() + 0.5) * self.bin_steps * self.dt_ms
        n_inh = self.net.n - self.n_exc
        y = np.vstack([counts[:, 0] / (max(self.n_exc, 1) * bin_s), counts[:, 1] / (max(n_inh, 1) * bin_s)])
        rates = Series(self.series_spec("rates"), y=y, x=x, labels=("E", "I"), version=v)

        cur = self.current_ring.view()
        tc = (self.current_ring.indices() + 1) * self.dt_ms  # row k: after step k + 1
        currents = Series(self.series_spec("currents"), y=np.vstack([cur[:, 1], cur[:, 2]]), x=tc,
                          labels=("exc ge", "inh gi"), version=v)

        cell_rates = self._cell_rates()
        top = float(cell_rates.max()) if cell_rates.size and cell_rates.max() > 0 else 1.0
        hist = Series(self.series_spec("rate_hist"), y=cell_rates, bins=30, x_range=(0.0, top), version=v)
        return {"raster": raster, "rates": rates, "currents": currents, "rate_hist": hist}

    def notes(self) -> list[str]:
        out = super().notes()
        if self.steps_done == 0:
            return out
        rate = self._recent_rate()  # (not all the readouts: a view asks for them anyway)
        cap = 1000.0 / max(self.params["t_ref_ms"], self.dt_ms)  # one spike per refractory period
        free = self.net.params.unconnected_rate_hz()
        conn = self.net.conn
        inhibits = self.net.gi_weight_mV < 0 and conn.indptr[conn.n_exc] < conn.n_synapses
        if rate > RUNAWAY_HZ:
            out.append(f"Runaway excitation: cells fire at {rate:.0f} Hz (the refractory period caps them "
                       f"at {cap:.0f} Hz); inhibition is too weak to balance excitation: raise inh_gain "
                       f"(now {self.params['inh_gain']:g}) or lower w_e_mV.")
        elif inhibits and free > 0 and rate < 0.75 * free:
            out.append(f"Inhibition holds the cells at {rate:.1f} Hz; alone each would fire at {free:.1f} Hz.")
        if self.params["V_rest_mV"] <= self.params["V_thresh_mV"] and self.spikes.total == 0:
            out.append("V_rest_mV is at or below V_thresh_mV: nothing drives the cells, the network stays silent.")
        return out


LAB = EiLab
