"""BCM: K (n_patterns) input patterns shown at random to one rate neuron with a sliding threshold.

Pattern k drives its own block of inputs (n_inputs // K inputs, unit norm; inputs
left over are never active), so the patterns are independent. The neuron is linear
and rectified: y = max(0, w.x). Order in each step of dt_ms:
  1. pick a pattern at random (uniforms from the lab's stream, drawn in blocks: frame
     splits are bit-identical);
  2. y = max(0, w.x);
  3. unless `freeze`: w += dt*eta*x*y*(y - theta), then bounds (w >= w_min, <= w_max if bounded);
     theta += dt/tau_theta*(y^2/y0 - theta) (theta keeps tracking when frozen);
  4. record the response to every pattern, theta and <y^2>/y0 = mean_k (w.p_k)^2 / y0.
Theory (docs/science.md, bcm): the stable outcome is selectivity, response K*y0 to one pattern
and 0 to the others (at that point theta = <y^2>/y0 = K*y0). Linearising the averaged
dynamics there: stable iff eta*y0*tau_theta < 1; a slower threshold oscillates with
growing amplitude and the lab flags the run as diverged (never NaN).
"""

from __future__ import annotations

import math

from typing import Any

import numpy as np

from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset
from hebblab.sim.plasticity.bcm import BCMRule
from hebblab.sim.recording import RingBuffer
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

TRACE_CAPACITY = 20_000  # the whole default 20 s run at dt 1 ms
DIVERGE_FACTOR = 50.0  # a response above this * K * y0 counts as diverged


class BcmLab(Lab):
    name = "bcm"
    title = "BCM rule: selectivity from a sliding threshold"
    summary = "K random patterns, dw = eta*x*y*(y - theta), theta tracks <y^2>/y0: the neuron picks one pattern"
    default_duration_ms = 20_000.0

    specs = (
        ParamSpec("n_patterns", 2, "patterns", 2, 10, 1, "number of input patterns (K in the formulas), shown at "
                  "random", kind="int", aliases=("K",)),
        ParamSpec("n_inputs", 2, "inputs", 2, 100, 1, "input lines (>= n_patterns); pattern k drives block k", kind="int"),
        ParamSpec("eta", 0.002, "1/ms", 0.0, 1.0, 0.0005, "learning rate: dw/dt = eta*x*y*(y - theta)", live=True),
        ParamSpec("tau_theta_ms", 50.0, "ms", 0.1, 100_000.0, 10.0,
                  "time constant of the sliding threshold (stable iff eta*y0*tau_theta < 1)", live=True),
        ParamSpec("y0", 1.0, "", 0.01, 100.0, 0.1, "threshold scale: theta -> <y^2>/y0", live=True),
        ParamSpec("theta_rule", "sliding", help="sliding: theta tracks <y^2>/y0 (BCM); fixed: theta stays at its "
                  "starting value, a Hebbian rule with a fixed threshold", live=True, kind="choice",
                  choices=("sliding", "fixed")),
        ParamSpec("dt_ms", 1.0, "ms", 0.01, 10.0, 0.1, "time step; one pattern is shown per step"),
        ParamSpec("w_init", 0.5, "", 0.0, 10.0, 0.1, "initial weights ~ w_init * U(0.8, 1.2)"),
        ParamSpec("w_min", 0.0, "", -10.0, 10.0, 0.1, "lower weight bound (0: weights stay non-negative)",
                  live=True),
        ParamSpec("bounded", False, help="also clip weights at w_max", live=True, kind="bool"),
        ParamSpec("w_max", 10.0, "", -10.0, 1000.0, 0.5, "upper weight bound (when bounded)", live=True),
        ParamSpec("freeze", False, help="freeze plasticity: weights stop changing (key f)", live=True, kind="bool"),
    )

    presets = (
        Preset("selective",
               "Two patterns, eta*y0*tau_theta = 0.1: theta tracks fast, the neuron ends responding ~2 "
               "(= K*y0) to one pattern and ~0 to the other. Which one wins depends on the seed.",
               {}, 20_000.0),
        Preset("k3", "Three patterns: one response goes to ~3 (= K*y0), the other two to ~0.",
               {"n_patterns": 3, "n_inputs": 3}, 20_000.0),
        Preset("slow-threshold",
               "tau_theta 2000 ms, eta*y0*tau_theta = 4 (stable only below 1): theta lags the weights, the "
               "response overshoots far past K*y0 and runs away within ~3 s (2.6-3.2 s in seeds 0-4); the lab "
               "flags the run as diverged and stops. Lower tau_theta_ms or eta.",
               {"tau_theta_ms": 2000.0}, 20_000.0),
        Preset("oscillating",
               "tau_theta 600 ms, eta*y0*tau_theta = 1.2, just past the stability limit of 1: the neuron still "
               "picks one pattern, but its response and theta keep cycling (here the response between ~0.5 and "
               "~3.6, theta between ~0.2 and ~4.4) around K*y0 = 2 instead of settling.",
               {"tau_theta_ms": 600.0}, 20_000.0),
    )

    pairs = (
        Pair("fixed-vs-sliding", "A fixed threshold (A) against BCM's sliding one (B), on the same patterns. "
             "With theta fixed, every response above it keeps growing: max_response passes 50*K*y0 = 100 within "
             "a few seconds and the run stops as diverged, nothing holding it. With theta sliding, the winner "
             "raises theta above the loser's response: max_response settles at K*y0 = 2, the other at 0.",
             {"theta_rule": "fixed"}, {"theta_rule": "sliding"}, preset="selective"),
    )
    input_params = ("n_patterns", "n_inputs", "dt_ms", "w_init")

    readout_specs = (
        ReadoutSpec("selectivity", "", "1 - mean non-preferred / preferred response"),
        ReadoutSpec("preferred", "", "index of the pattern with the largest response"),
        ReadoutSpec("max_response", "", "largest response (theory: K*y0 when selective)"),
        ReadoutSpec("theta", "", "sliding threshold"),
        ReadoutSpec("mean_y2_over_y0", "", "<y^2>/y0 over the patterns for the current weights"),
    )

    series_specs = (
        SeriesSpec("responses", "trace", "Response to each pattern", "time (ms)", "y (a.u.)",
                   "w.p_k for every pattern k; theory: one -> K*y0, the rest -> 0"),
        SeriesSpec("theta", "trace", "Threshold theta vs <y^2>/y0", "time (ms)", "theta (a.u.)",
                   "theta lags <y^2>/y0 by ~tau_theta; too slow a threshold oscillates"),
    )

    @classmethod
    def check(cls, params) -> None:
        if params["n_inputs"] < params["n_patterns"]:
            raise ParamError("n_inputs", f"must be >= n_patterns ({params['n_patterns']}), got {params['n_inputs']}")
        if params["tau_theta_ms"] < params["dt_ms"]:
            raise ParamError("tau_theta_ms", f"must be >= dt_ms ({params['dt_ms']:g}), got {params['tau_theta_ms']:g}")
        if params["bounded"] and params["w_max"] <= params["w_min"]:
            raise ParamError("w_max", f"must be above w_min ({params['w_min']:g}), got {params['w_max']:g}")

    # -- state -------------------------------------------------------------------
    def _reset(self) -> None:
        p = self.params
        self.K, self.n = int(p["n_patterns"]), int(p["n_inputs"])
        block = self.n // self.K
        self.patterns = np.zeros((self.K, self.n))
        for k in range(self.K):
            self.patterns[k, k * block : (k + 1) * block] = 1.0 / np.sqrt(block)
        self._rng = np.random.default_rng(self.rng_seed)
        init_rng = np.random.default_rng(np.random.SeedSequence(self.rng_seed).spawn(1)[0])
        self.w = p["w_init"] * init_rng.uniform(0.8, 1.2, (self.n, 1))
        resp = self.responses()
        # Start theta at its target <y^2>/y0 for the initial weights.
        self.rule = BCMRule(p["eta"], self._tau_theta(), p["y0"], theta0=float(np.mean(resp**2) / p["y0"]))
        self.rule.reset(self.n, 1)
        # Row k of the traces: after step k (row 0: the initial state, t = 0).
        self.trace_resp = RingBuffer(TRACE_CAPACITY, (self.K,))
        self.trace_theta = RingBuffer(TRACE_CAPACITY, (2,))
        self.trace_resp.append(resp[None, :])
        self.trace_theta.append(np.array([[self.rule.theta[0], np.mean(resp**2) / p["y0"]]]))
        self.shown = np.zeros(self.K, dtype=np.int64)
        self._version = 0

    def _apply_live(self, name: str, value) -> None:
        if name == "eta":
            self.rule.eta = float(value)
        elif name in ("tau_theta_ms", "theta_rule"):
            self.rule.tau_theta_ms = self._tau_theta()
        elif name == "y0":
            self.rule.y0 = float(value)

    def _tau_theta(self) -> float:
        """A fixed threshold is one that never relaxes: an infinite time constant."""
        return math.inf if self.params["theta_rule"] == "fixed" else float(self.params["tau_theta_ms"])

    def responses(self) -> np.ndarray:
        """Response y = max(0, w.p_k) to every pattern."""
        return np.maximum(self.patterns @ self.w[:, 0], 0.0)

    def _step_width(self) -> int:
        return 2 * self.K + 4  # responses to every pattern (and their squares), theta rows

    def _advance(self, n: int) -> int:
        p = self.params
        dt = self.dt_ms
        which = np.minimum((self._rng.random(n) * self.K).astype(np.int64), self.K - 1)
        plastic = not p["freeze"]
        limit = DIVERGE_FACTOR * self.K * p["y0"]
        clip = (p["w_min"], p["w_max"] if p["bounded"] else None)
        done, resp_rows, theta_seq = self.rule.run_patterns(self.w, self.patterns, which, dt, plastic, clip, limit)
        theta_rows = np.column_stack([theta_seq, np.mean(resp_rows**2, axis=1) / p["y0"]])
        if done < n and p["theta_rule"] == "fixed":
            self.diverged = (
                f"Runaway: a response passed {limit:g} (= {DIVERGE_FACTOR:g}*K*y0) at t = "
                f"{(self.steps_done + done) * dt:g} ms. With a fixed threshold every response above theta "
                "grows without bound, as in plain Hebb; set theta_rule=sliding (BCM) or bounded=on")
        elif done < n:
            self.diverged = (
                f"BCM diverged: a response passed {limit:g} (= {DIVERGE_FACTOR:g}*K*y0) at t = "
                f"{(self.steps_done + done) * dt:g} ms. The threshold is too slow for the weights: "
                f"eta*y0*tau_theta = {p['eta'] * p['y0'] * p['tau_theta_ms']:g} (stable below 1); "
                "lower tau_theta_ms or eta, or set bounded=on")
        np.add.at(self.shown, which[:done], 1)
        self.trace_resp.append(resp_rows[:done])
        self.trace_theta.append(theta_rows[:done])
        self._version += 1
        return done  # fewer than n when the run diverged: time stops at the diverging step

    # -- outputs -------------------------------------------------------------------
    def _selectivity(self) -> tuple[float, int]:
        r = self.responses()
        k = int(np.argmax(r))
        if r[k] <= 0:
            return 0.0, k
        others = np.delete(r, k)
        return float(1.0 - others.mean() / r[k]), k

    def readouts(self) -> dict[str, float]:
        sel, k = self._selectivity()
        r = self.responses()
        return {
            "selectivity": sel,
            "preferred": k,
            "max_response": float(r.max()),
            "theta": float(self.rule.theta[0]),
            "mean_y2_over_y0": float(np.mean(r**2) / self.params["y0"]),
        }

    def series(self) -> dict[str, Series]:
        v = self._version
        t = self.trace_resp.indices() * self.dt_ms
        ky0 = self.K * self.params["y0"]
        return {
            "responses": Series(self.series_spec("responses"), self.trace_resp.view().T, x=t,
                                labels=tuple(f"pattern {k}" for k in range(self.K)),
                                hlines={"K*y0": ky0}, version=v),
            "theta": Series(self.series_spec("theta"), self.trace_theta.view().T, x=t,
                            labels=("theta", "<y^2>/y0"), hlines={"K*y0": ky0}, version=v),
        }

    def metrics(self) -> dict[str, Any]:
        out = jsonable(self.readouts())
        out.update({
            "responses": jsonable(self.responses()),
            "weights": jsonable(self.w[:, 0]),
            "theory_selective_response": self.K * self.params["y0"],
            "stability_product": self.params["eta"] * self.params["y0"] * self.params["tau_theta_ms"],
            "patterns_shown": jsonable(self.shown),
        })
        return out

    def notes(self) -> list[str]:
        notes = super().notes()
        p = self.params
        if p["freeze"]:
            notes.append("plasticity frozen (freeze=on): weights do not change, theta keeps tracking; "
                         "press f to unfreeze")
        prod = p["eta"] * p["y0"] * p["tau_theta_ms"]
        if prod >= 1 and not self.diverged:
            notes.append(f"eta*y0*tau_theta = {prod:g} >= 1: the threshold is slower than the weights, so "
                         "responses and theta oscillate instead of settling, and may run away or collapse "
                         "(theory: stable below 1)")
        sel, k = self._selectivity()
        r = self.responses()
        if r.max() < 0.1 * self.K * p["y0"] and self.steps_done > 0:
            notes.append(f"responses collapsed to ~0 (max {r.max():.3g}): dw ~ y, so a nearly silent cell "
                         "hardly learns; this follows an overshoot of a too-slow threshold or a tiny w_init")
        elif sel > 0.9 and not self.diverged and prod < 1:
            notes.append(f"selective: pattern {k} drives the cell at {r[k]:.2f} (theory K*y0 = "
                         f"{self.K * p['y0']:g}), the others at <= {np.delete(r, k).max():.2f}")
        return notes


LAB = BcmLab
