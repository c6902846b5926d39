"""The Lab life cycle and registry, on a tiny closed-form lab (exponential decay)."""

import math

import numpy as np
import pytest

from hebblab.sim.labs import all_labs, get_lab
from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, ParamSpec, Preset
from hebblab.sim.plasticity import WeightConstraints
from hebblab.sim.series import Series, SeriesSpec


class Decay(Lab):
    """x' = -x / tau, x(0) = x0: after t ms, x = x0 * exp(-t / tau) (exact stepping)."""

    name = "decay"
    specs = (
        ParamSpec("tau_ms", 10.0, "ms", 0.1, 1000.0, help="time constant", live=True),
        ParamSpec("x0", 1.0, "", -10.0, 10.0, help="start value"),
        ParamSpec("dt_ms", 0.5, "ms", 0.01, 5.0, help="step"),
    )
    presets = (Preset("default", "defaults"), Preset("slow", "slow decay", {"tau_ms": 100.0}))
    series_specs = (SeriesSpec("x", "trace", "x"),)

    @classmethod
    def check(cls, params):
        if params["x0"] == 0 and params["tau_ms"] > 500:
            raise ParamError("x0", "must be non-zero when tau_ms > 500")

    def _reset(self):
        self.x = self.params["x0"]

    def _advance(self, n):
        for _ in range(n):
            self.x *= math.exp(-self.dt_ms / self.params["tau_ms"])

    def readouts(self):
        return {"x": self.x}

    def series(self):
        return {"x": Series(self.series_specs[0], np.array([self.x]))}


def test_run_matches_closed_form():
    lab = Decay()
    lab.run(20.0)
    assert lab.steps_done == 40 and lab.t_ms == pytest.approx(20.0)
    assert lab.x == pytest.approx(math.exp(-2.0), rel=1e-12)


def test_live_param_applies_now_and_reset_param_waits():
    lab = Decay()
    assert lab.set_param("tau_ms", 20.0) is True
    assert lab.params["tau_ms"] == 20.0
    assert lab.set_param("x0", 2.0) is False
    assert lab.params["x0"] == 1.0 and lab.value("x0") == 2.0 and lab.pending == {"x0": 2.0}
    lab.step(3)
    lab.reset()
    assert lab.x == 2.0 and lab.steps_done == 0 and lab.pending == {}


def test_presets_and_bad_names():
    lab = Decay(preset="slow")
    assert lab.params["tau_ms"] == 100.0 and lab.preset_name == "slow"
    lab.load_preset("default")
    assert lab.params["tau_ms"] == 10.0
    with pytest.raises(ParamError, match="did you mean 'slow'"):
        Decay(preset="slo")
    with pytest.raises(ParamError, match="tau_m.*did you mean 'tau_ms'"):
        Decay(params={"tau_m": 3.0})
    with pytest.raises(ParamError, match=r"tau_ms: out of range.*\[0.1, 1000\] ms"):
        Decay().set_param("tau_ms", 0.0)


def test_cross_parameter_check_names_parameter():
    with pytest.raises(ParamError, match="^x0: must be non-zero"):
        Decay(params={"x0": 0.0, "tau_ms": 600.0})
    lab = Decay(params={"x0": 0.0})
    with pytest.raises(ParamError, match="^x0"):
        lab.set_param("tau_ms", 600.0)
    assert lab.params["tau_ms"] == 10.0  # the rejected value was not applied


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", True])
def test_bad_seed(seed):
    with pytest.raises(ParamError, match="^seed"):
        Decay(seed=seed)


def test_diverged_lab_stops_stepping():
    lab = Decay()
    lab.diverged = "x blew up: lower tau_ms"
    lab.step(10)
    assert lab.steps_done == 0 and lab.notes() == ["x blew up: lower tau_ms"]
    lab.reset()
    assert lab.diverged is None


def test_a_run_that_diverges_part_way_stops_the_clock_where_it_stopped():
    class Blowup(Decay):
        def _advance(self, n):  # diverges after 3 of the asked steps, says so
            self.diverged = "blew up"
            return 3

    lab = Blowup()
    lab.step(10)
    assert lab.steps_done == 3 and lab.t_ms == pytest.approx(1.5)
    lab.step(10)
    assert lab.steps_done == 3


def test_registry_suggests_closest_lab():
    assert all(cls.name == name for name, cls in all_labs().items())
    with pytest.raises(ParamError, match="^lab: unknown lab 'nope'"):
        get_lab("nope")
    with pytest.raises(ParamError, match="unknown lab"):
        get_lab("base")


def test_jsonable_turns_nonfinite_into_null():
    out = jsonable({"a": np.float64("nan"), "b": np.array([1.0, np.inf]), "c": np.int64(3), "d": np.bool_(True)})
    assert out == {"a": None, "b": [1.0, None], "c": 3, "d": True}


def test_weight_constraints_bounds_and_dale():
    w0 = np.array([[0.5, -0.2], [0.0, 0.1]])
    c = WeightConstraints(w_min=-1.0, w_max=1.0, dale=True).bind(w0)
    w = np.array([[2.0, 0.3], [-0.4, -3.0]])
    c.apply(w)
    # bound first (2 -> 1), then each synapse keeps its initial sign (0 counts as excitatory)
    np.testing.assert_array_equal(w, [[1.0, 0.0], [0.0, 0.0]])
