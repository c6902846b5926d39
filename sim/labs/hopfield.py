"""Hopfield network: memories stored by Hebbian growth, recalled from a damaged cue.

N binary cells (+1/-1). Time is nominal: one step is one cell update and lasts 1 ms.
Timeline of a run (S = store_ms steps):
  1. storage: pattern k (k = 0..P-1) is stored at step floor(k*S/P) by the Hebbian outer
     product, w += xi xi^T / N (w_ii = 0), so the weight matrix visibly grows;
  2. at step S the state is set to the cue: the pattern `cue_pattern` with exactly
     round(cue_noise*N) cells flipped;
  3. from then on every step updates one cell, s_i = sign(sum_j w_ij s_j) (kept at 0): in a
     fresh random order each sweep of N steps (`random`), in index order (`sequential`), or,
     `synchronous`, all cells at once at the end of each sweep.
Changing cue_pattern or cue_noise during recall cues again at once (a new trial).

Random streams: patterns from (seed, 0); the cue of trial t from (seed, 1, t); the update
order of sweep q of trial t from (seed, 2, t, q). Nothing depends on how steps are split into
frames. The traces keep the last TRACE_POINTS points, 40 per sweep (bounded memory); once the
state is a fixed point the remaining steps cost nothing (the dynamics cannot leave it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hebblab.sim.hopfield_net import (ALPHA_C, FONT, HopfieldNet, letter_patterns, outer_product_sum,
                                      random_patterns, retrieval_overlap)
from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, ParamSpec, Pair, Preset
from hebblab.sim.recording import RingBuffer
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

POINTS_PER_SWEEP = 40
TRACE_POINTS = 4000  # 100 sweeps of overlap/energy history
WEIGHTS_SHOWN = 200  # larger networks show every k-th cell's weights
_CUE_PARAMS = ("cue_pattern", "cue_noise")


def _side(n_cells: int) -> int:
    return math.isqrt(n_cells - 1) + 1  # smallest square grid that holds n_cells


class HopfieldLab(Lab):
    name = "hopfield"
    title = "Hopfield network: associative memory"
    summary = "Patterns stored by Hebbian growth, recalled from a damaged cue; capacity P/N ~ 0.138"
    default_duration_ms = 4000.0

    specs = (
        ParamSpec("n_cells", 400, "cells", 16, 1600, 16,
                  "binary cells (+1/-1), drawn on a square grid; letters need a perfect square", kind="int"),
        ParamSpec("n_patterns", 20, "patterns", 1, 400, 1, "patterns P stored; load = P/N", kind="int"),
        ParamSpec("patterns", "random", kind="choice", choices=("random", "letters"),
                  help="random: each bit +/-1 with probability 1/2; letters: capitals filling the grid "
                  "(correlated, so far fewer fit)"),
        ParamSpec("cue_pattern", 0, "", 0, 399, 1, "which stored pattern the cue is made from (0 = first)",
                  kind="int", live=True),
        ParamSpec("cue_noise", 0.2, "", 0.0, 0.5, 0.05,
                  "fraction of the cue's cells flipped (exactly round(cue_noise*N) of them)", live=True),
        ParamSpec("update_order", "random", kind="choice", choices=("random", "sequential", "synchronous"),
                  help="random: one cell per step, a new random order each sweep; sequential: cells in "
                  "index order; synchronous: all cells at once once per sweep (energy may rise)"),
        ParamSpec("store_ms", 2000.0, "ms", 0.0, 60000.0, 500.0,
                  "length of the storage phase: the P patterns are stored one at a time, evenly spaced; "
                  "the cue follows (0: all at t = 0)"),
    )

    presets = (
        Preset("low-load",
               "400 cells, 20 random patterns (load 0.05), cue = pattern 0 with 20 % of its cells flipped. "
               "The weights grow pattern by pattern for 2 s, then the cue relaxes to the stored pattern "
               "within 2 sweeps: overlap 1.000 (in every seed), the energy falling at every flip.",
               {}, 6000.0),
        Preset("capacity",
               "55 patterns in 400 cells: load 0.1375, at the capacity limit alpha_c = 0.138. Recall now "
               "depends on the seed: about half recall (overlap above 0.95), the rest stop on a state that still "
               "overlaps it (0.2 to 0.95); the mean overlap over seeds is about 0.83. Takes up to 20 sweeps.",
               {"n_patterns": 55}, 12000.0),
        Preset("overload",
               "80 patterns in 400 cells (load 0.2, past capacity): the cue slides into a spurious state "
               "that mixes many patterns: the final overlap is about 0.45 (0.1 to 0.93 over 100 seeds) and the "
               "overlaps with other patterns rise. Takes up to 30 sweeps.",
               {"n_patterns": 80}, 18000.0),
        Preset("letters",
               "Five capital letters (H Z Q S Y) on a 20x20 grid, the cue a Z with 25 % of its cells "
               "flipped: it settles back to the Z. Letters are correlated, so far fewer fit than random "
               "patterns: from six letters on the Z is no longer recalled, and by eight half the letters fail, "
               "though the load is below 0.02.",
               {"patterns": "letters", "n_patterns": 5, "cue_pattern": 1, "cue_noise": 0.25}, 6000.0),
    )

    pairs = (
        Pair("capacity", "20 stored patterns (A, load 0.05) against 80 (B, load 0.2, past the capacity 0.138) "
             "in 400 cells, the same 20 % damaged cue. A settles on the cued memory (overlap 1.0); B falls "
             "into a spurious mixture (overlap well below 0.9). The patterns differ between A and B, since "
             "n_patterns draws them.", {"n_patterns": 20}, {"n_patterns": 80}, preset="low-load"),
    )
    input_params = ("n_cells", "n_patterns", "patterns", "cue_pattern", "cue_noise")

    readout_specs = (
        ReadoutSpec("overlap", "", "m = mean of xi_i s_i with the cued pattern (1 = perfect recall)"),
        ReadoutSpec("best_other_overlap", "", "largest |m| with any other stored pattern"),
        ReadoutSpec("energy", "", "E/N, E = -1/2 sum_ij w_ij s_i s_j: never rises under one-cell updates"),
        ReadoutSpec("flips_per_sweep", "", "cells flipped in the last complete sweep (0: a fixed point)"),
        ReadoutSpec("load", "", "P/N; capacity alpha_c = 0.138"),
        ReadoutSpec("error_fraction", "", "fraction of cells that differ from the cued pattern, (1 - m)/2"),
        ReadoutSpec("theory_overlap", "", "overlap of the retrieval state at this load for N -> infinity "
                    "(Amit, Gutfreund & Sompolinsky 1985); 0 past capacity"),
        ReadoutSpec("sweeps", "", "complete sweeps (N updates) since the cue"),
        ReadoutSpec("stored", "patterns", "patterns stored so far"),
    )

    series_specs = (
        SeriesSpec("images", "matrix", "Cue | network state | cued pattern", "", "",
                   "three images on the cell grid (+1 red, -1 blue): the cue, the state as it settles, the "
                   "stored original; during storage the middle image is the pattern being stored"),
        SeriesSpec("weights", "matrix", "Weights w_ij", "cell j", "cell i",
                   f"grow as each pattern is stored (colour scale fixed at the final range); networks above "
                   f"{WEIGHTS_SHOWN} cells show every k-th cell"),
        SeriesSpec("overlap", "trace", "Overlap with the cued pattern", "time (ms)", "overlap m (1)",
                   "m with the cued pattern and the largest |m| with any other, since the cue"),
        SeriesSpec("energy", "trace", "Energy E/N", "time (ms)", "E/N (1)",
                   "falls at every flip under one-cell updates"),
        SeriesSpec("capacity", "curve", "Recall vs load P/N", "load P/N", "overlap m (1)",
                   "retrieval overlap for N -> infinity (falls to 0 at alpha_c = 0.138) and this run's overlap"),
        SeriesSpec("pattern_overlaps", "bars", "Overlap with each stored pattern", "pattern", "overlap m (1)",
                   "a spurious mixture state overlaps several patterns at once"),
    )

    @classmethod
    def check(cls, params) -> None:
        n, P = params["n_cells"], params["n_patterns"]
        if params["cue_pattern"] >= P:
            raise ParamError("cue_pattern", f"must be below n_patterns ({P}), got {params['cue_pattern']}")
        if params["patterns"] == "letters":
            side = math.isqrt(n)
            if side * side != n:
                raise ParamError("n_cells", f"letters need a square grid: a perfect square such as 100, 256 or "
                                 f"400, got {n}")
            if P > len(FONT):
                raise ParamError("n_patterns", f"there are {len(FONT)} letters: at most {len(FONT)} with "
                                 f"patterns=letters, got {P}")

    @classmethod
    def theory_curve(cls, metric: str, param: str, values, params) -> np.ndarray | None:
        """Sweeps: the mean-field retrieval overlap at load P/N, against n_patterns or n_cells, for
        random patterns updated one cell at a time (the theory's assumptions)."""
        if metric not in ("overlap", "theory_overlap") or param not in ("n_patterns", "n_cells") \
                or params["patterns"] != "random" or params["update_order"] == "synchronous":
            return None
        x = np.asarray(values, dtype=float)
        P = x if param == "n_patterns" else float(params["n_patterns"])
        N = x if param == "n_cells" else float(params["n_cells"])
        alpha = np.broadcast_to(P / N, x.shape)
        return np.array([retrieval_overlap(float(a)) for a in alpha])

    # -- life cycle ----------------------------------------------------------------------
    def _reset(self) -> None:
        p = self.params
        self.N, self.P = int(p["n_cells"]), int(p["n_patterns"])
        self.side = _side(self.N)
        if p["patterns"] == "letters":
            pats, self.names = letter_patterns(self.P, self.side)
        else:
            pats = random_patterns(np.random.default_rng([self.rng_seed, 0]), self.P, self.N)
            self.names = [str(k) for k in range(self.P)]
        self.net = HopfieldNet(pats)
        self.store_steps = int(round(p["store_ms"] / self.dt_ms))
        # Pattern k is stored when steps_done reaches store_at[k]; the cue at store_steps.
        self.store_at = (np.arange(self.P) * self.store_steps) // self.P
        final_J = outer_product_sum(self.net.patterns)
        self.w_scale = max(float(np.abs(final_J).max()) / self.N, 1.0 / self.N)  # colour range of the final w
        self.load = self.P / self.N
        self.theory_m = retrieval_overlap(self.load)
        self.trial = -1  # no cue yet
        self.cue_step = None
        self.cue = None
        self.trace = RingBuffer(TRACE_POINTS, (3,))  # overlap, best other, energy
        self.trace_t = RingBuffer(TRACE_POINTS)
        self._version = 0
        self._w_cache: tuple[int, np.ndarray] | None = None
        self._events(0)

    def _apply_live(self, name: str, value) -> None:
        if name in _CUE_PARAMS and self.cue_step is not None:
            self._cue(self.steps_done)  # a new trial from the current state of the weights

    # -- events at step boundaries ---------------------------------------------------------
    def _events(self, step: int) -> None:
        """Store the patterns due at `step`, then cue if it is the cue step."""
        while self.net.stored < self.P and self.store_at[self.net.stored] <= step:
            self.net.store(self.net.stored)
            self._version += 1
        if self.cue_step is None and step >= self.store_steps:
            self._cue(step)

    def _cue(self, step: int) -> None:
        p = self.params
        self.trial += 1
        self.cue_step = step
        self.cued = int(p["cue_pattern"])
        k = int(round(p["cue_noise"] * self.N))
        rng = np.random.default_rng([self.rng_seed, 1, self.trial])
        cue = self.net.patterns[self.cued].astype(np.int64)
        cue[rng.permutation(self.N)[:k]] *= -1
        self.cue = cue
        self.net.set_state(cue)
        self.fixed = self.net.is_fixed_point()
        self.settled_sweep: int | None = 0 if self.fixed else None
        self.sweeps = 0
        self.flips_now = 0  # flips in the current sweep
        self.flips_last: float = math.nan
        self.flips_total = 0
        self._perm_for: tuple[int, np.ndarray] | None = None
        self._record(np.array([step], dtype=float))
        self._version += 1

    def _record(self, steps: np.ndarray) -> None:
        """Append the present overlap, best other overlap and energy at these steps."""
        if len(steps) == 0:
            return
        if len(steps) > TRACE_POINTS:
            steps = steps[-TRACE_POINTS:]
        r = self._now()
        row = np.array([r["overlap"], r["best_other_overlap"], r["energy"]])
        self.trace.append(np.broadcast_to(row, (len(steps), 3)))
        self.trace_t.append(steps * self.dt_ms)

    # -- dynamics --------------------------------------------------------------------------
    def _order(self, sweep: int) -> np.ndarray:
        if self._perm_for is None or self._perm_for[0] != sweep:
            if self.params["update_order"] == "random":
                perm = np.random.default_rng([self.rng_seed, 2, self.trial, sweep]).permutation(self.N)
            else:
                perm = np.arange(self.N)
            self._perm_for = (sweep, perm)
        return self._perm_for[1]

    def _advance(self, n: int) -> None:
        step, end = self.steps_done, self.steps_done + n
        while step < end:
            if self.cue_step is None:  # storage phase: jump to the next event (all earlier ones are done)
                nxt = self.store_steps if self.net.stored >= self.P else int(self.store_at[self.net.stored])
                step = min(nxt, end)
                self._events(step)
            else:
                step = self._relax(step, end)

    def _relax(self, step: int, end: int) -> int:
        """Relaxation updates from steps_done = step up to at most `end`; returns where it stopped."""
        N = self.N
        R = max(1, N // POINTS_PER_SWEEP)
        r0, r1 = step - self.cue_step, end - self.cue_step  # relaxation updates already done / wanted
        if self.fixed:
            self._skip_fixed(r0, r1)
            return end
        sweep, pos = divmod(r0, N)
        stop = min(r1, sweep * N + N, (r0 // R + 1) * R)  # the sweep's end or the next record point
        if self.params["update_order"] == "synchronous":
            if stop == sweep * N + N:  # all cells at once at the end of the sweep
                self.flips_now += self.net.update_sync()
                self._version += 1
        else:
            cells = self._order(sweep)[pos: pos + stop - r0]
            flips = len(self.net.relax_async(cells))
            if flips:
                self.flips_now += flips
                self._version += 1
        if stop % R == 0:
            self._record(np.array([self.cue_step + stop], dtype=float))
        if stop % N == 0:
            self._end_sweep()
        if self.net.is_fixed_point() and not self.fixed:
            self.fixed = True
            self.settled_sweep = self.sweeps + (1 if stop % N else 0)
        return self.cue_step + stop

    def _end_sweep(self) -> None:
        self.sweeps += 1
        self.flips_last = float(self.flips_now)
        self.flips_total += self.flips_now
        self.flips_now = 0

    def _skip_fixed(self, r0: int, r1: int) -> None:
        """Nothing can change at a fixed point: count sweeps and record, in bulk."""
        N, R = self.N, max(1, self.N // POINTS_PER_SWEEP)
        first = (r0 // R + 1) * R
        self._record(self.cue_step + np.arange(first, r1 + 1, R, dtype=float))
        ends = r1 // N - r0 // N
        if ends >= 1:
            self._end_sweep()
            self.sweeps += ends - 1
            if ends > 1:
                self.flips_last = 0.0

    # -- outputs ---------------------------------------------------------------------------
    def _now(self) -> dict[str, float]:
        if self.cue_step is None:
            return {"overlap": math.nan, "best_other_overlap": math.nan, "energy": math.nan}
        m = self.net.overlaps()
        others = np.delete(np.abs(m), self.cued)
        return {"overlap": float(m[self.cued]),
                "best_other_overlap": float(others.max()) if len(others) else math.nan,
                "energy": self.net.energy() / self.N}

    def readouts(self) -> dict[str, float]:
        now = self._now()
        load = self.load
        return {
            **now,
            "flips_per_sweep": self.flips_last if self.cue_step is not None else math.nan,
            "load": load,
            "error_fraction": (1.0 - now["overlap"]) / 2.0,
            "theory_overlap": self.theory_m,
            "sweeps": self.sweeps if self.cue_step is not None else 0,
            "stored": self.net.stored,
        }

    def _grid(self, v: np.ndarray | None) -> np.ndarray:
        img = np.full(self.side * self.side, np.nan)  # cells past N on the square grid: blank
        img[: self.N] = 0.0 if v is None else v  # nothing to show yet: neutral
        return img.reshape(self.side, self.side)

    def images(self) -> np.ndarray:
        """[cue | state | cued pattern] on the cell grid, two blank columns between them."""
        if self.cue_step is None:
            shown = self.net.patterns[self.net.stored - 1] if self.net.stored else None
            parts = [None, shown, None]
        else:
            parts = [self.cue, self.net.s, self.net.patterns[self.cued]]
        gap = np.full((self.side, 2), np.nan)  # two wide, so a narrow chart keeps it when it resamples
        blocks = []
        for k, v in enumerate(parts):
            blocks += ([gap] if k else []) + [self._grid(v)]
        return np.hstack(blocks)

    def weights_shown(self) -> np.ndarray:
        if self._w_cache is None or self._w_cache[0] != self.net.stored:
            k = -(-self.N // WEIGHTS_SHOWN)
            self._w_cache = (self.net.stored, self.net.J[::k, ::k] / self.N)
        return self._w_cache[1]

    def capacity_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(load, mean-field retrieval overlap) from 0 to past this run's load and alpha_c."""
        hi = max(0.25, 1.25 * self.load)
        alpha = np.linspace(0.0, hi, 201)
        if ALPHA_C < hi:  # the drop at alpha_c drawn vertical
            alpha = np.sort(np.append(alpha, [ALPHA_C, np.nextafter(ALPHA_C, 1.0)]))
        return alpha, np.array([retrieval_overlap(float(a)) for a in alpha])

    def series(self) -> dict[str, Series]:
        v = self._version
        t = self.trace_t.view()
        tr = self.trace.view().T
        r = self.readouts()
        load, m_th = r["load"], r["theory_overlap"]
        alpha, theory = self.capacity_curve()
        markers = {"this run": (load, r["overlap"])} if math.isfinite(r["overlap"]) else {}
        m = self.net.overlaps() if self.cue_step is not None else np.full(self.P, np.nan)
        hlines = {"theory (N -> inf)": m_th} if m_th > 0 else {}
        return {
            "images": Series(self.series_spec("images"), self.images(), vmin=-1.0, vmax=1.0, version=v),
            "weights": Series(self.series_spec("weights"), self.weights_shown(), vmin=-self.w_scale,
                              vmax=self.w_scale, version=v),
            "overlap": Series(self.series_spec("overlap"), tr[:2], x=t, labels=("cued pattern", "best other |m|"),
                              hlines=hlines, version=v),
            "energy": Series(self.series_spec("energy"), tr[2], x=t, labels=("E/N",), version=v),
            "capacity": Series(self.series_spec("capacity"), theory, x=alpha, labels=("theory (N -> inf)",),
                               overlays={f"alpha_c = {ALPHA_C:.3f}": (np.array([ALPHA_C, ALPHA_C]),
                                                                       np.array([0.0, 1.0]))},
                               markers=markers, version=v),
            "pattern_overlaps": Series(self.series_spec("pattern_overlaps"), m, labels=tuple(self.names),
                                       version=v),
        }

    def metrics(self) -> dict[str, Any]:
        out = jsonable(self.readouts())
        out.update({
            "overlaps": jsonable(self.net.overlaps()) if self.cue_step is not None else None,
            "cued_pattern": self.cued if self.cue_step is not None else None,
            "fixed_point": bool(self.cue_step is not None and self.fixed),
            "settled_after_sweeps": self.settled_sweep if self.cue_step is not None else None,
            "flips_total": self.flips_total if self.cue_step is not None else 0,
            "cue_ms": self.cue_step * self.dt_ms if self.cue_step is not None else None,
            "alpha_c": ALPHA_C,
            "pattern_names": list(self.names) if self.params["patterns"] == "letters" else None,
        })
        return out

    def notes(self) -> list[str]:
        out = super().notes()
        p = self.params
        r = self.readouts()
        load = r["load"]
        if self.cue_step is None:
            out.append(f"Storing pattern {self.net.stored} of {self.P}: each adds xi xi^T/N to the weights; "
                       f"the cue comes at {self.store_steps * self.dt_ms:g} ms.")
        else:
            what = self.names[self.cued] if p["patterns"] == "letters" else str(self.cued)
            out.append(f"Cued pattern {what} with {int(round(p['cue_noise'] * self.N))} of {self.N} cells "
                       f"flipped (overlap {1 - 2 * round(p['cue_noise'] * self.N) / self.N:.3f} at the start).")
            if self.fixed:
                kind = ("recalled: the stored pattern is a fixed point" if r["overlap"] > 0.999 else
                        f"stopped at a state with overlap {r['overlap']:.3f} ({r['error_fraction'] * 100:.1f} % "
                        "wrong cells)" + (": a spurious mixture, the best other pattern overlaps it by "
                                          f"{r['best_other_overlap']:.2f}" if r["overlap"] < 0.9 else ""))
                out.append(f"Fixed point after {self.settled_sweep} sweep(s): {kind}.")
            elif p["update_order"] == "synchronous" and self.sweeps >= 4:
                out.append("Synchronous updates: the state can cycle between two states forever and the "
                           "energy can rise; one-cell updates cannot.")
        side = "below" if load < ALPHA_C else "above"
        out.append(f"Load P/N = {load:.3f}, {side} the capacity alpha_c = {ALPHA_C:.3f} (N -> infinity: "
                   + (f"retrieval overlap {r['theory_overlap']:.3f})." if r["theory_overlap"] > 0
                      else "no retrieval state).") if p["patterns"] == "random" else
                   f"Load P/N = {load:.3f}, but letters are correlated (overlaps between letters up to 0.5): "
                   "they interfere far below alpha_c = 0.138.")
        return out


LAB = HopfieldLab
