"""Pair-based STDP with traces (docs/science.md, stdp), event-driven with lazy decay.

Window, with dt = t_post - t_pre:
    dw = +A_plus  * exp(-dt / tau_plus)   for dt > 0 (pre before post: LTP)
    dw = -A_minus * exp( dt / tau_minus)  for dt < 0 (post before pre: LTD)
A pre and a post spike at the same time count as pre-before-post (dw = +A_plus):
pre events are processed before post events of the same instant.

Online form: each pre cell i has a trace x_pre[i] >= 0 and each post cell j a trace
x_post[j] <= 0, both decaying exponentially (tau_plus, tau_minus) between events.
    pre spike of i:   w[i, :] += x_post ; then x_pre[i] += A_plus
    post spike of j:  w[:, j] += x_pre  ; then x_post[j] -= A_minus
`spike_pairing`:
    "all-to-all": traces accumulate (+= / -=), every pre-post pair contributes;
    "nearest":    traces are reset to A_plus / -A_minus, so a spike pairs only with
                  the most recent spike of the other cell.
`weight_dependence`:
    "additive":       the increments above, then w clipped to [0, w_max];
    "multiplicative": LTD scaled by w / w_max, LTP by (w_max - w) / w_max (Gutig et al.
                      2003 with mu = 1; van Rossum et al. 2000 scale only LTD). Weights
                      then settle into one broad peak instead of the additive rule's
                      bimodal split. Still clipped to [0, w_max].
Clipping happens after every event (as Brian2's `clip(w + ..., 0, gmax)`).

Traces are stored with the time they were last updated and decayed only when read
("lazy" decay), so an event touches only the spiking cells' rows/columns: `on_pre`
and `on_post` are the event-driven fast paths; the dense per-step `update` comes from
`EventDrivenRule` (sim/plasticity/base.py) and calls the same two event functions, so
dense and event-driven use give identical weights.
"""

from __future__ import annotations

import numpy as np

from hebblab.sim.plasticity.base import EventDrivenRule, row_blocks

WEIGHT_DEPENDENCES = ("additive", "multiplicative")
SPIKE_PAIRINGS = ("all-to-all", "nearest")


def pair_window(delta_ms, A_plus: float, A_minus: float, tau_plus_ms: float, tau_minus_ms: float):
    """Closed-form weight change of one isolated pair, delta = t_post - t_pre (ms).

    delta >= 0 gives +A_plus*exp(-delta/tau_plus) (delta = 0 counts as pre-before-post).
    """
    d = np.asarray(delta_ms, dtype=float)
    ltp = A_plus * np.exp(-np.abs(d) / tau_plus_ms)
    ltd = -A_minus * np.exp(-np.abs(d) / tau_minus_ms)
    return np.where(d >= 0, ltp, ltd)


def all_pairs_dw(pre_ms, post_ms, A_plus: float, A_minus: float, tau_plus_ms: float, tau_minus_ms: float) -> float:
    """Additive all-to-all pair rule, unbounded: the sum of the window over every pair."""
    pre = np.asarray(pre_ms, dtype=float)
    post = np.asarray(post_ms, dtype=float)
    if pre.size == 0 or post.size == 0:
        return 0.0
    return float(sum(pair_window(post[None, :] - pre[rows, None], A_plus, A_minus, tau_plus_ms, tau_minus_ms).sum()
                     for rows in row_blocks(pre.size, post.size)))


class PairSTDP(EventDrivenRule):
    """Pair STDP on weights w of shape (n_pre, n_post); amplitudes in weight units."""

    def __init__(self, A_plus: float, A_minus: float, tau_plus_ms: float = 20.0, tau_minus_ms: float = 20.0,
                 w_max: float = 1.0, weight_dependence: str = "additive", spike_pairing: str = "all-to-all"):
        if weight_dependence not in WEIGHT_DEPENDENCES:
            raise ValueError(f"weight_dependence must be one of {WEIGHT_DEPENDENCES}, got {weight_dependence!r}")
        if spike_pairing not in SPIKE_PAIRINGS:
            raise ValueError(f"spike_pairing must be one of {SPIKE_PAIRINGS}, got {spike_pairing!r}")
        if tau_plus_ms <= 0 or tau_minus_ms <= 0 or w_max <= 0:
            raise ValueError("tau_plus_ms, tau_minus_ms and w_max must be > 0")
        self.A_plus = float(A_plus)
        self.A_minus = float(A_minus)
        self.tau_plus_ms = float(tau_plus_ms)
        self.tau_minus_ms = float(tau_minus_ms)
        self.w_max = float(w_max)
        self.multiplicative = weight_dependence == "multiplicative"
        self.nearest = spike_pairing == "nearest"
        self.reset(1, 1)

    def reset(self, n_pre: int, n_post: int) -> None:
        self.x_pre = np.zeros(n_pre)
        self.t_pre = np.zeros(n_pre)  # time (ms) x_pre was last updated
        self.x_post = np.zeros(n_post)
        self.t_post = np.zeros(n_post)
        super().reset(n_pre, n_post)

    # -- the rule's arithmetic, shared by every caller (also the Song engine) --------
    def depress(self, w: np.ndarray, x_post: np.ndarray) -> np.ndarray:
        """w after a pre spike meets the (decayed, <= 0) post trace: a new array."""
        dw = x_post * (w / self.w_max) if self.multiplicative else x_post
        return np.minimum(np.maximum(w + dw, 0.0), self.w_max)  # clip, without np.clip's overhead

    def potentiate(self, w: np.ndarray, x_pre: np.ndarray) -> np.ndarray:
        """w after a post spike meets the (decayed, >= 0) pre trace: a new array."""
        dw = x_pre * ((self.w_max - w) / self.w_max) if self.multiplicative else x_pre
        return np.minimum(np.maximum(w + dw, 0.0), self.w_max)

    def bump_pre(self, x_decayed: np.ndarray) -> np.ndarray:
        return np.full_like(x_decayed, self.A_plus) if self.nearest else x_decayed + self.A_plus

    def bump_post(self, x_decayed: np.ndarray) -> np.ndarray:
        return np.full_like(x_decayed, -self.A_minus) if self.nearest else x_decayed - self.A_minus

    # -- lazy traces ------------------------------------------------------------------
    def pre_trace_at(self, t_ms: float, idx=slice(None)) -> np.ndarray:
        return self.x_pre[idx] * np.exp(-(t_ms - self.t_pre[idx]) / self.tau_plus_ms)

    def post_trace_at(self, t_ms: float, idx=slice(None)) -> np.ndarray:
        return self.x_post[idx] * np.exp(-(t_ms - self.t_post[idx]) / self.tau_minus_ms)

    # -- event-driven fast paths --------------------------------------------------------
    def on_pre(self, w: np.ndarray, idx: np.ndarray, t_ms: float, plastic: bool = True) -> None:
        """Pre cells `idx` (distinct) spike at t_ms: LTD on their rows, then bump x_pre."""
        idx = np.asarray(idx, dtype=np.intp)
        if idx.size == 0:
            return
        if plastic:
            w[idx, :] = self.depress(w[idx, :], self.post_trace_at(t_ms)[None, :])
        self.x_pre[idx] = self.bump_pre(self.pre_trace_at(t_ms, idx))
        self.t_pre[idx] = t_ms

    def on_post(self, w: np.ndarray, idx: np.ndarray, t_ms: float, plastic: bool = True) -> None:
        """Post cells `idx` (distinct) spike at t_ms: LTP on their columns, then bump x_post."""
        idx = np.asarray(idx, dtype=np.intp)
        if idx.size == 0:
            return
        if plastic:
            w[:, idx] = self.potentiate(w[:, idx], self.pre_trace_at(t_ms)[:, None])
        self.x_post[idx] = self.bump_post(self.post_trace_at(t_ms, idx))
        self.t_post[idx] = t_ms
