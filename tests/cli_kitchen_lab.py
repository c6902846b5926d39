"""A small fake lab for CLI tests: every series kind, every parameter kind, NaN options.

Never registered in sim/labs/: tests install it with `install(monkeypatch)`, which puts it
in sys.modules as hebblab.sim.labs.kitchen so `get_lab("kitchen")` finds it for that test only.
Its numbers mean nothing; tests use it for the CLI's plumbing, and the real labs for science.
"""
import sys

import numpy as np
from hebblab.sim.labs.base import Lab
from hebblab.sim.params import ParamSpec, Preset, ParamError
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

class KitchenLab(Lab):
    name = "kitchen"
    title = "Every chart kind"
    summary = "test lab: a noisy sine and friends"
    specs = (
        ParamSpec("amp_mV", 1.0, "mV", 0.0, 100.0, 0.1, "sine amplitude", live=True),
        ParamSpec("dt_ms", 0.5, "ms", 0.01, 10.0, 0.01, "time step"),
        ParamSpec("n_cells", 5, "", 1, 50, 1, "cells", kind="int"),
        ParamSpec("mode", "a", kind="choice", choices=("a", "b"), help="mode"),
        ParamSpec("noisy", True, kind="bool", help="add noise"),
        ParamSpec("blowup", False, kind="bool", help="put NaN/inf in the series"),
    )
    presets = (Preset("basic", "the default"), Preset("big", "bigger", {"amp_mV": 5.0}, duration_ms=50.0, seed=7))
    readout_specs = (ReadoutSpec("mean_mV", "mV", "mean"), ReadoutSpec("count", "", "n"))
    series_specs = (
        SeriesSpec("v", "trace", "Membrane", "time (ms)", "V (mV)"),
        SeriesSpec("spikes", "raster", "Spikes", "time (ms)", "cell"),
        SeriesSpec("w", "matrix", "Weights", "post", "pre"),
        SeriesSpec("h", "histogram", "Values", "value", "count"),
        SeriesSpec("fi", "curve", "f-I", "I (nA)", "rate (Hz)"),
        SeriesSpec("pts", "scatter", "Points", "x1", "x2"),
        SeriesSpec("b", "bars", "Bars", "", "value"),
    )
    default_duration_ms = 100.0

    @classmethod
    def check(cls, params):
        if params["mode"] == "b" and params["n_cells"] > 10:
            raise ParamError("n_cells", "mode b allows at most 10 cells")

    def _reset(self):
        self.rng = np.random.default_rng(self.rng_seed)
        self.v = []
        self.t = []
    def _advance(self, n):
        for _ in range(n):
            k = len(self.v)
            t = (k + 1) * self.dt_ms
            self.t.append(t)
            self.v.append(self.params["amp_mV"] * np.sin(t / 10) + (self.rng.normal() if self.params["noisy"] else 0))
    def readouts(self):
        return {"mean_mV": float(np.mean(self.v)) if self.v else float("nan"), "count": len(self.v)}
    def metrics(self):
        return {**super().metrics(), "values": [float(v) for v in self.v[:20]], "nested": [[1.0, 2.0], [3.0, float("nan")]]}
    def notes(self):
        return ["this is a fake lab"]
    def series(self):
        t = np.array(self.t); v = np.array(self.v)
        if self.params["blowup"] and v.size > 3:
            v[1] = np.nan; v[2] = np.inf
        spikes_t = t[v > 0.5] if v.size else np.array([])
        return {
            "v": Series(self.series_spec("v"), y=v, x=t, hlines={"threshold": 0.5}),
            "spikes": Series(self.series_spec("spikes"), y=np.arange(spikes_t.size) % self.params["n_cells"], x=spikes_t, y_range=(0, self.params["n_cells"])),
            "w": Series(self.series_spec("w"), y=np.array([[0.1, -0.2], [0.3, np.nan if self.params["blowup"] else 0.0]])),
            "h": Series(self.series_spec("h"), y=v, bins=10),
            "fi": Series(self.series_spec("fi"), y=np.array([0, 5, 10.]), x=np.array([1, 2, 3.]), overlays={"theory": (np.linspace(1, 3, 50), np.linspace(0, 10, 50))}, markers={"now": (2.0, 5.0)}),
            "pts": Series(self.series_spec("pts"), y=v, x=np.roll(v, 1), overlays={"w": (np.array([0, 1.]), np.array([0, 1.]))}),
            "b": Series(self.series_spec("b"), y=np.array([1.0, 2.0, np.inf]), labels=("a", "b", "c")),
        }

LAB = KitchenLab

def install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "hebblab.sim.labs.kitchen", sys.modules[__name__])
