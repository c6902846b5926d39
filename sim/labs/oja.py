"""Oja's rule vs plain Hebb: one linear neuron learning from a zero-mean Gaussian cloud.

Both rules see the same input stream and start from the same weights. Inputs have
covariance C = sigma_minor^2 I + (sigma_major^2 - sigma_minor^2) u u^T, with the
principal axis u at `angle_deg` in the plane of inputs 0 and 1; so PC1 of C is u.
One step = one input sample (1 ms). Order in each step:
  1. z ~ N(0, I) from the lab's stream (drawn in blocks; a block equals single draws, so
     frame splits are bit-identical); x = sqrt(C) z for the current cloud parameters;
  2. y = w.x for each rule's own w;
  3. unless `freeze`: Oja dw = eta*y*(x - y*w); plain Hebb dw = eta*y*x;
  4. record.
Plain Hebb grows without bound (theory): once |w_hebb| passes HEBB_CAP it stops being
updated and a note says so; that is the expected result, not an error. If Oja itself
blows up (eta too large for the input variance) the lab sets `diverged` and stops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamSpec, Pair, Preset
from hebblab.sim.plasticity.hebb import HebbRule
from hebblab.sim.plasticity.oja import OjaRule
from hebblab.sim.recording import RingBuffer
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

HEBB_CAP = 1e6  # plain Hebb stops updating beyond this norm (it would overflow otherwise)
OJA_LIMIT = 1e6  # Oja's |w| beyond this means the run diverged (theory: |w| -> 1)
CLOUD_POINTS = 400  # recent inputs kept for the scatter
RULES = ("oja", "hebb")
TRACE_CAPACITY = 5000


class OjaLab(Lab):
    name = "oja"
    title = "Oja's rule vs plain Hebb on a Gaussian input cloud"
    summary = "A linear neuron finds the principal axis of its inputs (Oja); plain Hebb blows up"
    default_duration_ms = 5000.0

    specs = (
        ParamSpec("n_inputs", 2, "inputs", 2, 32, 1, "input dimension (the cloud is drawn in inputs 0 and 1)",
                  kind="int"),
        ParamSpec("eta", 0.01, "", 0.0, 1.0, 0.005, "learning rate of both rules (per sample)", live=True),
        ParamSpec("sigma_major", 1.0, "", 0.01, 10.0, 0.1, "input s.d. along the principal axis", live=True),
        ParamSpec("sigma_minor", 0.3, "", 0.0, 10.0, 0.1, "input s.d. across the principal axis", live=True),
        ParamSpec("angle_deg", 30.0, "deg", -180.0, 180.0, 5.0,
                  "direction of the principal axis in the (input 0, input 1) plane", live=True),
        ParamSpec("w_init", 0.1, "", 0.0, 10.0, 0.05, "initial weights ~ N(0, w_init^2), same for both rules",
                  aliases=("w_init_scale",)),
        ParamSpec("rule", "oja", help="the neuron's learning rule (weight_norm, pc1_cosine): oja, or plain hebb; "
                  "a plain-Hebb neuron always learns beside it on the same inputs, for reference",
                  kind="choice", choices=RULES),
        ParamSpec("freeze", False, help="freeze plasticity: weights stop changing (key f)", live=True, kind="bool"),
    )

    presets = (
        Preset("elongated",
               "A 2-D cloud 1.0 x 0.3 at 30 deg, eta 0.01: Oja's |w| settles at 1 on the principal axis "
               "within about a thousand samples; plain Hebb, on the same inputs, grows exponentially "
               "along the same axis until the lab stops it.", {}, 5000.0),
        Preset("fast", "eta 0.04, four times the default: faster (|w| within 5 % of 1 after about 100 "
               "samples instead of 300-500), noisier (|w| wanders 5 times as much); PC1 is still found "
               "(cosine > 0.99, as it is up to about eta 0.2 in seeds 0-4).",
               {"eta": 0.04}, 5000.0),
        Preset("round",
               "A round cloud (equal variance in every direction): there is no principal axis, so |w| still "
               "goes to 1 but its direction random-walks; pc1_cosine means nothing here.",
               {"sigma_minor": 1.0}, 5000.0),
        Preset("nd", "8 inputs, principal axis in the plane of inputs 0 and 1: Oja still finds it.",
               {"n_inputs": 8}, 5000.0),
        Preset("too-fast",
               "eta 0.8 with sigma_major 2 (eta*variance = 3.2 > 1): each Oja step overshoots, so even Oja's "
               "rule blows up; the lab flags it and stops. Lower eta to fix.",
               {"eta": 0.8, "sigma_major": 2.0}, 1000.0),
    )

    pairs = (
        Pair("hebb-vs-oja", "The same neuron on the same 5000 input samples, learning by plain Hebb (A) and by "
             "Oja's rule (B). Both turn toward the principal axis (pc1_cosine near 1), but A's weight_norm grows "
             "without bound (the lab stops updating it past 1e6) while B's settles at 1: Oja's decay term "
             "-eta*y^2*w normalises the weights.",
             {"rule": "hebb"}, {"rule": "oja"}, preset="elongated"),
    )
    input_params = ("n_inputs", "sigma_major", "sigma_minor", "angle_deg", "w_init")

    readout_specs = (
        ReadoutSpec("weight_norm", "", "Oja |w| (theory: -> 1)"),
        ReadoutSpec("pc1_cosine", "", "|cos| between Oja's w and PC1 of the input covariance"),
        ReadoutSpec("hebb_weight_norm", "", "plain Hebb |w| (theory: grows without bound)"),
        ReadoutSpec("hebb_pc1_cosine", "", "|cos| between Hebb's w and PC1"),
        ReadoutSpec("samples", "", "input samples seen"),
    )

    series_specs = (
        SeriesSpec("cloud", "scatter", "Inputs (0, 1) with weight vectors and PC1", "x0 (a.u.)", "x1 (a.u.)",
                   f"last {CLOUD_POINTS} inputs; overlays: PC1 axis, Oja's w, Hebb's direction"),
        SeriesSpec("norm", "trace", "Weight norm (log10)", "time (ms)", "log10 |w| (1)",
                   "Oja's |w| -> 1 (log10 = 0); plain Hebb grows without bound until capped"),
        SeriesSpec("cosine", "trace", "Alignment with PC1", "time (ms)", "|cos| (1)",
                   "|cos| between each weight vector and the principal axis"),
    )

    # -- cloud -------------------------------------------------------------------
    def pc1(self) -> np.ndarray:
        u = np.zeros(self.n)
        a = np.deg2rad(self.params["angle_deg"])
        u[0], u[1] = np.cos(a), np.sin(a)
        return u

    def covariance(self) -> np.ndarray:
        p, u = self.params, self.pc1()
        return p["sigma_minor"] ** 2 * np.eye(self.n) + (p["sigma_major"] ** 2 - p["sigma_minor"] ** 2) * np.outer(u, u)

    def _inputs(self, z: np.ndarray) -> np.ndarray:
        """x = sqrt(C) z with sqrt(C) = minor*I + (major - minor) u u^T."""
        p, u = self.params, self.pc1()
        return p["sigma_minor"] * z + (p["sigma_major"] - p["sigma_minor"]) * (z @ u)[:, None] * u[None, :]

    # -- state -------------------------------------------------------------------
    def _reset(self) -> None:
        self.n = int(self.params["n_inputs"])
        self._rng = np.random.default_rng(self.rng_seed)
        init_rng = np.random.default_rng(np.random.SeedSequence(self.rng_seed).spawn(1)[0])
        self.w_oja = init_rng.normal(0.0, self.params["w_init"], (self.n, 1))
        self.w_hebb = self.w_oja.copy()
        self.w_init = self.w_oja.copy()
        self.oja = OjaRule(self.params["eta"]) if self.params["rule"] == "oja" else HebbRule(self.params["eta"])
        self.capped_at: int | None = None  # sample where the neuron passed HEBB_CAP (rule = hebb only)
        self.hebb = HebbRule(self.params["eta"])
        self.hebb_capped_at: int | None = None  # sample index where plain Hebb passed HEBB_CAP
        self.cloud = RingBuffer(CLOUD_POINTS, (2,))
        self.trace_norm = RingBuffer(TRACE_CAPACITY, (2,))  # row k: after sample k + 1
        self.trace_cos = RingBuffer(TRACE_CAPACITY, (2,))
        self._version = 0

    @property
    def _oja_rule(self) -> bool:
        return self.params["rule"] == "oja"

    def _apply_live(self, name: str, value) -> None:
        if name == "eta":
            self.oja.eta = self.hebb.eta = float(value)

    def _step_width(self) -> int:
        return self.n + 4  # one input sample per step, plus its norms and cosines

    def _advance(self, n: int) -> int:
        x_all = self._inputs(self._rng.standard_normal((n, self.n)))
        plastic = not self.params["freeze"]
        u = self.pc1()
        nu = np.linalg.norm(u)
        norms = np.empty((n, 2))
        coss = np.empty((n, 2))
        done = n
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(n):
                x = x_all[k]
                if plastic:
                    if self.capped_at is None:
                        self.oja.update(self.w_oja, x, x @ self.w_oja, 1.0)
                    if self.hebb_capped_at is None:
                        self.hebb.update(self.w_hebb, x, x @ self.w_hebb, 1.0)
                no, nh = np.linalg.norm(self.w_oja), np.linalg.norm(self.w_hebb)
                if self.hebb_capped_at is None and nh > HEBB_CAP:
                    self.hebb_capped_at = self.steps_done + k + 1
                if self.capped_at is None and not self._oja_rule and no > HEBB_CAP:
                    self.capped_at = self.steps_done + k + 1  # plain Hebb: runaway is the result
                norms[k] = no, nh
                coss[k] = _abs_cos(self.w_oja[:, 0], u, no, nu), _abs_cos(self.w_hebb[:, 0], u, nh, nu)
                if self._oja_rule and not no <= OJA_LIMIT:  # also catches NaN
                    done = k + 1
                    self.diverged = (
                        f"Oja's rule diverged: |w| passed {OJA_LIMIT:g} after {self.steps_done + done} samples. "
                        f"eta={self.params['eta']:g} is too large for input variance "
                        f"sigma_major^2={self.params['sigma_major'] ** 2:g} (the mean update overshoots |w| = 1 "
                        "when eta*variance > 1, large single samples earlier); lower eta")
                    break
        self.cloud.append(x_all[:done, :2])
        self.trace_norm.append(np.log10(np.maximum(norms[:done], 1e-12)))
        self.trace_cos.append(coss[:done])
        self._version += 1
        return done  # fewer than n when Oja diverged: time stops at the diverging sample

    # -- outputs -------------------------------------------------------------------
    def readouts(self) -> dict[str, float]:
        u = self.pc1()
        return {
            "weight_norm": _finite(np.linalg.norm(self.w_oja)),
            "pc1_cosine": _finite(_abs_cos(self.w_oja[:, 0], u)),
            "hebb_weight_norm": float(np.linalg.norm(self.w_hebb)),
            "hebb_pc1_cosine": float(_abs_cos(self.w_hebb[:, 0], u)),
            "samples": self.steps_done,
        }

    def series(self) -> dict[str, Series]:
        v, u = self._version, self.pc1()
        pts = self.cloud.view()
        reach = 2.5 * self.params["sigma_major"]
        overlays = {"PC1": (np.array([-reach * u[0], reach * u[0]]), np.array([-reach * u[1], reach * u[1]]))}
        if np.all(np.isfinite(self.w_oja)):
            overlays[f"{self._label} w"] = (np.array([0.0, self.w_oja[0, 0]]), np.array([0.0, self.w_oja[1, 0]]))
        nh = np.linalg.norm(self.w_hebb)
        if nh > 0:
            d = self.w_hebb[:2, 0] / nh * reach
            overlays["Hebb w (direction)"] = (np.array([0.0, d[0]]), np.array([0.0, d[1]]))
        t = (self.trace_norm.indices() + 1) * self.dt_ms
        return {
            "cloud": Series(self.series_spec("cloud"), pts[:, 1] if len(pts) else np.zeros(0),
                            x=pts[:, 0] if len(pts) else np.zeros(0), overlays=overlays, version=v,
                            extra={"aspect": "equal"}),  # geometry: drawn to scale, angles true
            "norm": Series(self.series_spec("norm"), _clean(self.trace_norm.view().T), x=t,
                           labels=(self._label, "plain Hebb"), hlines={"|w| = 1": 0.0}, version=v),
            "cosine": Series(self.series_spec("cosine"), _clean(self.trace_cos.view().T), x=t,
                             labels=(self._label, "plain Hebb"), hlines={"aligned": 1.0}, version=v),
        }

    @property
    def _label(self) -> str:
        return "Oja" if self._oja_rule else "Hebb (rule)"

    def metrics(self) -> dict[str, Any]:
        out = jsonable(self.readouts())
        out.update({
            "weights": jsonable(self.w_oja[:, 0]),
            "hebb_weights": jsonable(self.w_hebb[:, 0]),
            "pc1": jsonable(self.pc1()),
            "capped_at_sample": self.capped_at,
            "hebb_capped": self.hebb_capped_at is not None,
            "hebb_capped_at_sample": self.hebb_capped_at,
            "eigenvalues": jsonable(np.sort(np.linalg.eigvalsh(self.covariance()))[::-1]),
        })
        return out

    def notes(self) -> list[str]:
        notes = super().notes()
        p = self.params
        if p["freeze"]:
            notes.append("plasticity frozen (freeze=on): weights do not change; press f to unfreeze")
        if self.hebb_capped_at is not None:
            notes.append(f"plain Hebb diverged as theory predicts: |w| passed {HEBB_CAP:g} after "
                         f"{self.hebb_capped_at} samples and is no longer updated; Oja's decay term "
                         "-eta*y^2*w keeps its |w| near 1")
        if self.capped_at is not None:
            notes.append(f"rule = hebb: the neuron's |w| passed {HEBB_CAP:g} after {self.capped_at} samples, as "
                         "plain Hebb does, and is no longer updated; rule = oja keeps |w| near 1")
        if p["sigma_major"] == p["sigma_minor"]:
            notes.append("round cloud: every direction is a principal axis, so pc1_cosine is meaningless")
        elif p["sigma_major"] < p["sigma_minor"]:
            notes.append("sigma_minor > sigma_major: the principal axis is across `angle_deg`, so pc1_cosine "
                         "(measured against angle_deg) goes to 0")
        if p["eta"] == 0:
            notes.append("eta = 0: nothing learns")
        return notes


def _abs_cos(a: np.ndarray, b: np.ndarray, na: float | None = None, nb: float | None = None) -> float:
    """|cos| of the angle between a and b (0 if either is zero or not finite); pass the
    norms when already known (the per-sample loop has them)."""
    na = np.linalg.norm(a) if na is None else na
    nb = np.linalg.norm(b) if nb is None else nb
    if not (na > 0 and nb > 0 and np.isfinite(na)):
        return 0.0
    return float(abs(a @ b) / (na * nb))


def _finite(x: float) -> float:
    return float(x) if np.isfinite(x) else float("nan")


def _clean(a: np.ndarray) -> np.ndarray:
    """Series never carry NaN/inf: replace them (only possible in the step that diverged)."""
    return np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)


LAB = OjaLab
