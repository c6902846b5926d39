"""The chapter's 2x2 Hebbian network, generalised to n_pre x n_post.

One step is one 1 ms time bin. Order of operations in each bin:
  1. pre spikes: pre = (u < p_pre) with u from the legacy `RandomState(seed)` stream
     (one rand(n_pre) per bin, after one randn(n_pre, n_post) for the initial weights:
     exactly the listing's draws after np.random.seed(seed));
  2. post: threshold model post = (pre @ w > threshold), or sigmoid model
     post ~ Bernoulli(sigmoid(beta * (pre @ w - threshold))) with its uniforms from a
     separate stream (so the pre stream is the same for both models);
     with `teacher`, post cell j also fires whenever pre cell j % n_pre fires.
     As in the listing, a pre spike drives post in its own bin (no synaptic delay,
     unlike the ei network, where a spike of step k reaches its targets in step k+1);
  3. plasticity (unless `freeze`): w += eta * outer(pre, post), then bounds / Dale's law;
  4. record: both spike kinds stamped at the end of the bin (t = k ms after bin k).

Both streams are drawn in blocks per `step(n)` call; a block of k draws equals k
single draws, so any split of the steps into frames gives bit-identical weights.
The sigmoid model with threshold 0 is exercise 3's sigmoid(beta*input); the threshold
model is its beta -> infinity limit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset
from hebblab.sim.plasticity.base import WeightConstraints
from hebblab.sim.plasticity.hebb import HebbRule
from hebblab.sim.recording import RingBuffer, SpikeRecorder
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

TRACE_SYNAPSES = 16  # weight traces recorded for at most this many synapses
TRACE_CAPACITY = 5000  # bins of weight history kept (bounded memory)
DIVERGE_ABS = 1e12  # |w| beyond this counts as diverged (never reached with eta <= 1 in practice)


class HebbLab(Lab):
    name = "hebb"
    title = "Classical Hebbian network (n_pre x n_post)"
    summary = "The chapter's 2x2 Hebbian network: dw = eta*pre*post, threshold or sigmoid post cells"
    default_duration_ms = 200.0

    specs = (
        ParamSpec("n_pre", 2, "cells", 1, 64, 1, "number of presynaptic (input) cells", kind="int"),
        ParamSpec("n_post", 2, "cells", 1, 64, 1, "number of postsynaptic (output) cells", kind="int"),
        ParamSpec("eta", 0.01, "", 0.0, 1.0, 0.005, "learning rate: dw = eta*pre*post per bin", live=True),
        ParamSpec("p_pre", 0.05, "per ms", 0.0, 1.0, 0.01,
                  "probability that a pre cell spikes in a 1 ms bin", live=True),
        ParamSpec("threshold", 0.3, "", -2.0, 5.0, 0.05,
                  "post cell fires when the summed input pre@w exceeds this (sigmoid: its midpoint)",
                  live=True),
        ParamSpec("w_init", 0.1, "", 0.0, 2.0, 0.05,
                  "initial weights are randn * w_init (the listing: 0.1)", aliases=("w_init_scale",)),
        ParamSpec("w_inh", 0.0, "", -2.0, 0.0, 0.05,
                  "if < 0, synapse pre0->post0 starts at this value (an inhibitory synapse); 0 = off",
                  aliases=("inhib_w",)),
        ParamSpec("post_model", "threshold", help="threshold: deterministic; sigmoid: Bernoulli(sigmoid(beta*(input-threshold)))",
                  live=True, kind="choice", choices=("threshold", "sigmoid")),
        ParamSpec("beta", 10.0, "", 0.1, 1000.0, 1.0, "sigmoid gain (post_model=sigmoid only)", live=True),
        ParamSpec("teacher", False, help="post cell j is forced to fire whenever pre cell j % n_pre fires",
                  live=True, kind="bool"),
        ParamSpec("dale", False, help="Dale's law: every synapse keeps the sign it started with",
                  live=True, kind="bool"),
        ParamSpec("bounded", False, help="clip weights to [w_min, w_max] after every update",
                  live=True, kind="bool"),
        ParamSpec("w_min", -1.0, "", -100.0, 100.0, 0.1, "lower weight bound (when bounded)", live=True),
        ParamSpec("w_max", 1.0, "", -100.0, 100.0, 0.1, "upper weight bound (when bounded)", live=True),
        ParamSpec("freeze", False, help="freeze plasticity: weights stop changing (key f)", live=True, kind="bool"),
    )

    presets = (
        Preset("chapter",
               "The listing exactly (seed S gives the weights of np.random.seed(S)). With these numbers "
               "only ~2 % of seeds ever change a weight in 200 steps: a post cell fires only when an active "
               "input's weight exceeds 0.3, a 3-sigma event for randn*0.1. When growth starts it runs away "
               "(the rule only adds).", {}, 200.0),
        Preset("grow",
               "Threshold lowered to 0 and p_pre raised to 0.1: a post cell fires whenever its active inputs' "
               "weights sum above 0, true for about half the random columns, so coincidences and growth start "
               "at once (94 % of seeds learn even at the chapter's p_pre). Growth is unbounded: Hebb only adds.",
               {"threshold": 0.0, "p_pre": 0.1}, 500.0),
        Preset("teacher",
               "A teacher forces post cell j to fire whenever pre cell j fires, so w[j,j] grows by eta per "
               "pre-j spike (about eta*p_pre per ms) until it passes the threshold and the post cell fires "
               "on its own. Inputs that happen to fire together with pre j grow too, and one that passes the "
               "threshold fires the post cell by itself and runs away as well (seed 0: w[2,0] ends at 1.99, "
               "above the taught w[0,0] at 1.96; in seeds 2-4 the others stay below 0.6).",
               {"n_pre": 4, "n_post": 2, "teacher": True, "p_pre": 0.1, "eta": 0.02}, 1000.0),
        Preset("bounded",
               "Like grow, with weights clipped to [-1, 0.5]: runaway growth stops at w_max. Every synapse "
               "that keeps seeing coincidences ends at the bound, so the bound, not the data, sets the final "
               "weights.",
               {"threshold": 0.0, "p_pre": 0.2, "eta": 0.02, "bounded": True, "w_min": -1.0, "w_max": 0.5},
               1000.0),
        Preset("ex2-inhibitory",
               "Exercise 2: synapse pre0->post0 starts inhibitory (-0.3), the others at 0. A teacher makes "
               "post 0 fire with pre 0, so that synapse gains eta per pre-0 spike: classical Hebb can only add, "
               "so it drifts up and crosses zero after ~30 pre-0 spikes (~300 ms), turning excitatory. "
               "Compare ex2-dale.",
               {"w_inh": -0.3, "w_init": 0.0, "teacher": True, "p_pre": 0.1}, 1000.0),
        Preset("ex2-dale",
               "Exercise 2 with Dale's law on: the same inhibitory synapse drifts up to 0 and is clipped "
               "there; it never changes sign.",
               {"w_inh": -0.3, "w_init": 0.0, "teacher": True, "p_pre": 0.1, "dale": True}, 1000.0),
        Preset("ex3-sigmoid",
               "Exercise 3: noisy sigmoid post cells, post ~ Bernoulli(sigmoid(10*input)) (they fire half the "
               "bins with no input). Every synapse sees coincidences, so all weights grow until they saturate "
               "at the bound w_max = 1; without a bound they would grow forever.",
               {"post_model": "sigmoid", "threshold": 0.0, "beta": 10.0, "p_pre": 0.1, "eta": 0.02,
                "bounded": True, "w_min": -1.0, "w_max": 1.0}, 2000.0),
    )

    pairs = (
        Pair("ex2", "Exercise 2: synapse pre 0 -> post 0 starts at 0 (A) or inhibitory at -0.3 (B); a teacher "
             "makes the two cells fire together. Classical Hebb can only add, so both synapses climb by eta per "
             "coincidence: B's crosses zero after about 300 ms (sign_flips = 1) and ends excitatory, 0.3 below "
             "A's. Compare the pair `dale`.",
             {"w_inh": 0.0}, {"w_inh": -0.3}, preset="ex2-inhibitory"),
        Pair("ex3", "Exercise 3: the chapter's threshold cell (A: fires when its input passes 0.3) against a "
             "noisy sigmoid cell (B: fires with probability sigmoid(10*input)). A almost never fires, so "
             "nothing is learned (post_spike_count 0); B fires half the time even without input, every synapse "
             "sees coincidences and all four weights climb to the bound w_max = 1.",
             {"post_model": "threshold", "threshold": 0.3}, {"post_model": "sigmoid", "threshold": 0.0},
             preset="ex3-sigmoid"),
        Pair("dale", "An inhibitory synapse (-0.3) under classical Hebb, without (A) and with (B) Dale's law. "
             "A's synapse crosses zero and turns excitatory (sign_flips = 1); B's climbs to 0 and stays there: "
             "with Dale's law a synapse keeps its sign.",
             {"dale": False}, {"dale": True}, preset="ex2-inhibitory"),
    )
    input_params = ("n_pre", "n_post", "p_pre", "w_init", "w_inh")

    readout_specs = (
        ReadoutSpec("weight_norm", "", "Frobenius norm of the weight matrix"),
        ReadoutSpec("weight_mean", "", "mean weight"),
        ReadoutSpec("weight_min", "", "smallest weight"),
        ReadoutSpec("weight_max", "", "largest weight"),
        ReadoutSpec("post_spike_count", "spikes", "post spikes since reset"),
        ReadoutSpec("pre_spike_count", "spikes", "pre spikes since reset"),
        ReadoutSpec("weights_changed", "", "1 if any weight differs from its initial value"),
        ReadoutSpec("steps", "bins", "1 ms bins simulated"),
    )

    series_specs = (
        SeriesSpec("weights", "matrix", "Weights w[pre, post]", "post cell", "pre cell",
                   "current weight matrix"),
        SeriesSpec("weight_traces", "trace", "Weights over time", "time (ms)", "w (a.u.)",
                   f"each synapse over time (first {TRACE_SYNAPSES} synapses, last {TRACE_CAPACITY} ms)"),
        SeriesSpec("raster", "raster", "Spikes: pre (0..n_pre-1) then post", "time (ms)", "cell (index)",
                   "pre cells first, post cells after them"),
    )

    @classmethod
    def check(cls, params) -> None:
        if params["w_min"] >= params["w_max"]:
            raise ParamError("w_min", f"must be below w_max ({params['w_max']:g}), got {params['w_min']:g}")

    # -- state ---------------------------------------------------------------------
    def _reset(self) -> None:
        p = self.params
        n_pre, n_post = int(p["n_pre"]), int(p["n_post"])
        self.n_pre, self.n_post = n_pre, n_post
        # Legacy stream: the listing's np.random.seed(S); randn(2,2)*0.1; rand(2) per step.
        self._pre_rng = np.random.RandomState(self.rng_seed)
        self.w = self._pre_rng.randn(n_pre, n_post) * p["w_init"]
        if p["w_inh"] < 0:
            self.w[0, 0] = p["w_inh"]
        self.w0 = self.w.copy()
        # Separate stream for the sigmoid's Bernoulli draws (always drawn, so switching
        # post_model live never shifts either stream).
        self._post_rng = np.random.default_rng(np.random.SeedSequence(self.rng_seed).spawn(1)[0])
        self.rule = HebbRule(p["eta"])
        self.rule.reset(n_pre, n_post)
        self._sign0 = WeightConstraints().bind(self.w0).sign
        self._build_constraints()
        self.spikes = SpikeRecorder(n_pre + n_post, capacity=20_000)
        self.n_trace = min(TRACE_SYNAPSES, n_pre * n_post)
        self.trace_w = RingBuffer(TRACE_CAPACITY, (self.n_trace,))  # row k: weights after bin k (row 0: t = 0)
        self.trace_w.append(self.w.ravel()[None, : self.n_trace])
        self._version = 0

    def _build_constraints(self) -> None:
        p = self.params
        self.constraints = WeightConstraints(
            p["w_min"] if p["bounded"] else None, p["w_max"] if p["bounded"] else None, bool(p["dale"]),
            sign=self._sign0)

    def _apply_live(self, name: str, value) -> None:
        if name == "eta":
            self.rule.eta = float(value)
        elif name in ("bounded", "w_min", "w_max", "dale"):
            self._build_constraints()

    def _post_input_free(self, u_post: np.ndarray) -> np.ndarray:
        """Post activity for bins with no pre spike (input exactly 0)."""
        p = self.params
        if p["post_model"] == "threshold":
            fires = 0.0 > p["threshold"]
            return np.full(u_post.shape, 1.0 if fires else 0.0)
        return (u_post < _sigmoid(p["beta"] * (0.0 - p["threshold"]))).astype(float)

    def _step_width(self) -> int:
        return 2 * (self.n_pre + self.n_post) + self.n_trace  # draws, spikes, their stack, weight snapshots

    def _advance(self, n: int) -> None:
        p = self.params
        u_pre = self._pre_rng.rand(n, self.n_pre)
        u_post = self._post_rng.random((n, self.n_post))
        pre_all = (u_pre < p["p_pre"]).astype(float)
        post_all = self._post_input_free(u_post)
        active = np.flatnonzero(pre_all.any(axis=1))
        sigmoid = p["post_model"] == "sigmoid"
        thr, beta = p["threshold"], p["beta"]
        plastic = not p["freeze"]
        teacher_src = np.arange(self.n_post) % self.n_pre
        w = self.w
        snaps = np.empty((active.size, self.n_trace))
        for i, k in enumerate(active):
            pre = pre_all[k]
            drive = pre @ w
            if sigmoid:
                post = (u_post[k] < _sigmoid(beta * (drive - thr))).astype(float)
            else:
                post = (drive > thr).astype(float)
            if p["teacher"]:
                post = np.maximum(post, pre[teacher_src])
            post_all[k] = post
            if plastic:
                self.rule.update(w, pre, post, 1.0)
                self.constraints.apply(w)
            snaps[i] = w.ravel()[: self.n_trace]
        self._record(n, pre_all, post_all, active, snaps)
        self._version += 1
        if not np.all(np.isfinite(w)) or np.max(np.abs(w)) > DIVERGE_ABS:
            self.diverged = (f"weights passed {DIVERGE_ABS:g}: classical Hebb only adds; lower eta "
                             f"(now {p['eta']:g}) or set bounded=on with a finite w_max")

    def _record(self, n, pre_all, post_all, active, snaps) -> None:
        t_end = (self.steps_done + 1 + np.arange(n)) * self.dt_ms  # end-of-bin stamps
        k, cell = np.nonzero(np.hstack([pre_all, post_all]))  # row-major: time order
        self.spikes.record(t_end[k], cell)
        # Weight history: each bin shows the weights after its last update (forward fill).
        idx = np.full(n, -1)
        idx[active] = np.arange(active.size)
        idx = np.maximum.accumulate(idx)
        prev = self.trace_w.last()
        hist = np.where((idx >= 0)[:, None], snaps[np.maximum(idx, 0)] if active.size else prev, prev)
        self.trace_w.append(hist)

    # -- outputs ---------------------------------------------------------------------
    def _counts(self) -> tuple[int, int]:
        c = self.spikes.counts
        return int(c[: self.n_pre].sum()), int(c[self.n_pre :].sum())

    def readouts(self) -> dict[str, float]:
        w = self.w
        n_pre_sp, n_post_sp = self._counts()
        return {
            "weight_norm": float(np.linalg.norm(w)),
            "weight_mean": float(w.mean()),
            "weight_min": float(w.min()),
            "weight_max": float(w.max()),
            "post_spike_count": n_post_sp,
            "pre_spike_count": n_pre_sp,
            "weights_changed": int(np.any(w != self.w0)),
            "steps": self.steps_done,
        }

    def series(self) -> dict[str, Series]:
        v = self._version
        lim = float(max(np.max(np.abs(self.w)), 1e-12))
        times, cells = self.spikes.recent()
        labels = tuple(f"w[{i // self.n_post},{i % self.n_post}]" for i in range(self.n_trace))
        return {
            "weights": Series(self.series_spec("weights"), self.w.copy(), vmin=-lim, vmax=lim, version=v),
            "weight_traces": Series(self.series_spec("weight_traces"), self.trace_w.view().T,
                                    x=self.trace_w.indices() * self.dt_ms, labels=labels,
                                    hlines={"threshold": float(self.params["threshold"])}, version=v),
            "raster": Series(self.series_spec("raster"), cells.astype(float), x=times,
                             groups=(cells >= self.n_pre).astype(int),
                             y_range=(0.0, float(self.n_pre + self.n_post - 1)),
                             labels=("pre", "post"), version=v),
        }

    def metrics(self) -> dict[str, Any]:
        out = jsonable(self.readouts())
        out.update({
            "final_weights": jsonable(self.w),
            "initial_weights": jsonable(self.w0),
            "weights_changed": bool(np.any(self.w != self.w0)),
            "post_spike_counts": jsonable(self.spikes.counts[self.n_pre :]),
            "pre_spike_counts": jsonable(self.spikes.counts[: self.n_pre]),
            "sign_flips": int(np.sum(np.sign(self.w) * self._sign0 < 0)),
        })
        return out

    def notes(self) -> list[str]:
        p = self.params
        notes = super().notes()
        changed = bool(np.any(self.w != self.w0))
        n_pre_sp, n_post_sp = self._counts()
        if p["freeze"]:
            notes.append("plasticity frozen (freeze=on): weights do not change; press f to unfreeze")
        if self.steps_done == 0:
            return notes
        if not changed and not p["freeze"]:
            if p["eta"] == 0:
                notes.append("eta = 0: the rule adds nothing; raise eta")
            elif n_pre_sp == 0:
                notes.append(f"no pre spike yet: each pre cell spikes with probability p_pre={p['p_pre']:g} "
                             "per bin; raise p_pre")
            elif n_post_sp == 0:
                scale = p["w_init"]
                sig = f"a {p['threshold'] / scale:.1f}-sigma event" if scale > 0 else "impossible"
                what = ("fires only when" if p["post_model"] == "threshold" else "rarely fires unless")
                notes.append(
                    f"no post spike yet: a post cell {what} the weights of the inputs active in a bin sum "
                    f"above threshold {p['threshold']:g}; initial weights ~N(0, {scale:g}^2) make that {sig} "
                    "for one active input. Lower `threshold` or try preset `grow`")
            else:
                notes.append("post cells fired, but never in a bin with a pre spike, so no pre*post "
                             "coincidence has changed a weight yet")
        if not p["bounded"] and np.any(self.w > self.w0):
            notes.append("growth runs away: classical Hebb only adds (dw = eta*pre*post >= 0) and nothing "
                         "pulls weights back; set bounded=on or compare rules that normalise (lab oja)")
        if p["bounded"]:
            at_max = int(np.sum(self.w >= p["w_max"]))
            if at_max:
                notes.append(f"{at_max} of {self.w.size} weights sit at the bound w_max={p['w_max']:g}: "
                             "the bound, not the data, sets their value")
        flips = int(np.sum(np.sign(self.w) * self._sign0 < 0))
        if flips:
            notes.append(f"{flips} synapse(s) that started negative (inhibitory) are now positive: Hebb only "
                         "adds, so they drift across zero; set dale=on to keep signs")
        if p["dale"]:
            held = int(np.sum((self._sign0 < 0) & (self.w == 0) & (self.w0 < 0)))
            if held:
                notes.append(f"{held} inhibitory synapse(s) held at 0 by Dale's law")
        return notes


def _sigmoid(z):
    """Logistic function without overflow warnings."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))


LAB = HebbLab
