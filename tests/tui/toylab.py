"""A throwaway lab for the TUI tests: every series kind, a live and a reset parameter,
a choice, a `freeze` flag and a switch that makes the run diverge. Deterministic."""

from __future__ import annotations

import numpy as np

from hebblab.sim.labs.base import Lab
from hebblab.sim.params import ParamError, ParamSpec, Preset
from hebblab.sim.recording import RingBuffer
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec


class ToyLab(Lab):
    name = "toy"
    title = "Toy lab"
    summary = "a test lab with every chart kind"
    specs = (
        ParamSpec("rate_Hz", 10.0, "Hz", 0.0, 100.0, 1.0, "oscillation rate", live=True),
        ParamSpec("gain", 1.0, "", 0.0, 5.0, 0.1, "amplitude (applies on reset)"),
        ParamSpec("n_cells", 4, "cells", 1, 32, 1, "cells in the raster", kind="int"),
        ParamSpec("mode", "sine", help="wave shape", kind="choice", choices=("sine", "square"), live=True),
        ParamSpec("freeze", False, help="freeze the weights", kind="bool", live=True),
        ParamSpec("explode", False, help="make the run diverge", kind="bool", live=True),
        ParamSpec("dt_ms", 1.0, "ms", 0.1, 5.0, 0.1, "time step"),
    )
    presets = (
        Preset("calm", "slow and small", {"rate_Hz": 5.0}),
        Preset("busy", "fast and big", {"rate_Hz": 40.0, "gain": 3.0}),
    )
    readout_specs = (ReadoutSpec("weight", "", "the toy weight"),)
    series_specs = (
        SeriesSpec("v", "trace", "Signal", "time (ms)", "v", "a noisy wave"),
        SeriesSpec("w", "matrix", "Weights", "post", "pre", "a toy weight matrix"),
        SeriesSpec("spikes", "raster", "Spikes", "time (ms)", "cell"),
        SeriesSpec("fi", "curve", "Curve", "x", "y"),
        SeriesSpec("hist", "histogram", "Histogram", "v", "count"),
        SeriesSpec("bars", "bars", "Bars", "", "w"),
        SeriesSpec("pts", "scatter", "Scatter", "x", "y"),
    )
    default_duration_ms = 200.0

    @classmethod
    def check(cls, params) -> None:
        if params["gain"] > 4.0 and params["mode"] == "square":
            raise ParamError("gain", "must be <= 4 with mode=square")

    def _reset(self) -> None:
        self.rng = np.random.default_rng(self.rng_seed)
        self.t = RingBuffer(500)
        self.v = RingBuffer(500)
        self.w = np.full((2, 3), 0.1)
        self.spike_t: list[float] = []
        self.spike_c: list[int] = []
        self._version = 0

    def _advance(self, n: int) -> None:
        p = self.params
        k = self.steps_done + 1 + np.arange(n)
        t = k * self.dt_ms
        phase = 2 * np.pi * p["rate_Hz"] * t / 1000
        wave = np.sin(phase) if p["mode"] == "sine" else np.sign(np.sin(phase))
        v = p["gain"] * wave + 0.1 * self.rng.standard_normal(n)
        self.t.append(t)
        self.v.append(v)
        if not p["freeze"]:
            self.w += 0.001 * n
        if p["explode"]:
            self.w[:] = np.inf  # what an overflowing rule leaves behind
        cells = self.rng.integers(0, p["n_cells"], n)
        fire = self.rng.random(n) < 0.2
        self.spike_t += t[fire].tolist()
        self.spike_c += cells[fire].tolist()
        self.spike_t, self.spike_c = self.spike_t[-200:], self.spike_c[-200:]
        self._version += 1
        if not np.all(np.isfinite(self.w)):
            self.diverged = "weights overflowed: set explode=off, then reset"

    def readouts(self):
        return {"weight": float(self.w.mean())}

    def series(self):
        v = self._version
        x = np.linspace(0, 10, 21)
        return {
            "v": Series(self.series_spec("v"), self.v.view(), x=self.t.view(), hlines={"zero": 0.0}, version=v),
            "w": Series(self.series_spec("w"), self.w.copy(), version=v),
            "spikes": Series(self.series_spec("spikes"), np.array(self.spike_c, float), x=np.array(self.spike_t),
                             y_range=(0, self.params["n_cells"] - 1), version=v),
            "fi": Series(self.series_spec("fi"), x ** 0.5, x=x, overlays={"theory": (x, x ** 0.5)},
                         markers={"now": (self.params["rate_Hz"] / 10, (self.params["rate_Hz"] / 10) ** 0.5)},
                         version=1),
            "hist": Series(self.series_spec("hist"), self.v.view(), version=v),
            "bars": Series(self.series_spec("bars"), self.w.ravel(), labels=tuple("abcdef"), version=v),
            "pts": Series(self.series_spec("pts"), self.v.view(), x=self.t.view(), version=v),
        }

    def notes(self):
        notes = super().notes()
        if self.params["freeze"]:
            notes.append("frozen: press f")
        return notes


LAB = ToyLab
