"""Triplet STDP (Pfister & Gerstner 2006), all-to-all interactions.

Presynaptic traces r1 (tau_plus) and r2 (tau_x), postsynaptic traces o1 (tau_minus)
and o2 (tau_y); each jumps by 1 at its cell's spikes and decays exponentially.
    pre spike at t:  w -= o1(t) * (A2_minus + A3_minus * r2(t-)) ; then r1 += 1, r2 += 1
    post spike at t: w += r1(t) * (A2_plus  + A3_plus  * o2(t-)) ; then o1 += 1, o2 += 1
t- means the value just before this spike's own jump. The default constants are the
paper's visual-cortex all-to-all fit, the *full* model's row (docs/science.md): tau_plus
16.8, tau_x 101, tau_minus 33.7, tau_y 125 ms, A2_plus 5e-10, A3_plus 6.2e-3, A2_minus
7e-3, A3_minus 2.3e-4. The *minimal* model of the same fit drops A2_plus and A3_minus
(TRIPLET_MODELS["minimal"]). With either, pairing at 1 Hz gives LTD for
post-before-pre and almost nothing for pre-before-post (A2_plus is tiny, so LTP needs
a recent post spike: o2), while at 50 Hz both orders potentiate.

Pre events are processed before post events at the same instant (so r1(t) includes a
simultaneous pre spike). Weights are clipped to [0, w_max] after every event.
Traces decay lazily (stored with their last-update time), so `on_pre`/`on_post` touch
only the spiking cells; the dense per-step `update` built on them comes from
`EventDrivenRule` (sim/plasticity/base.py).
"""

from __future__ import annotations

import numpy as np

from hebblab.sim.plasticity.base import EventDrivenRule, row_blocks

# Pfister & Gerstner 2006, Table 4, visual cortex data (Sjostrom et al. 2001), all-to-all.
# "full": every term free. "minimal": the fewest terms that fit the same data (no pair LTP,
# no triplet LTD; tau_x then plays no part). The minimal row is as independent sources give
# it; docs/science.md says what was and was not checked.
TRIPLET_MODELS = {
    "full": dict(tau_plus_ms=16.8, tau_x_ms=101.0, tau_minus_ms=33.7, tau_y_ms=125.0,
                 A2_plus=5e-10, A3_plus=6.2e-3, A2_minus=7e-3, A3_minus=2.3e-4),
    "minimal": dict(tau_plus_ms=16.8, tau_x_ms=101.0, tau_minus_ms=33.7, tau_y_ms=114.0,
                    A2_plus=0.0, A3_plus=6.5e-3, A2_minus=7.1e-3, A3_minus=0.0),
}


def triplet_dw_closed_form(pre_ms, post_ms, tau_plus_ms=16.8, tau_x_ms=101.0, tau_minus_ms=33.7,
                           tau_y_ms=125.0, A2_plus=5e-10, A3_plus=6.2e-3, A2_minus=7e-3,
                           A3_minus=2.3e-4) -> float:
    """Total dw of the unbounded all-to-all triplet rule, as explicit sums over spikes.

    Each trace is a sum of exponentials over earlier spikes, so the rule's total change
    is a double/triple sum that needs no simulation; used as the theory overlay.
    """
    pre = np.sort(np.asarray(pre_ms, dtype=float))
    post = np.sort(np.asarray(post_ms, dtype=float))

    def kernel(later, earlier, tau, inclusive):
        out = np.empty(later.size)
        for rows in row_blocks(later.size, earlier.size):  # each row's sum is unchanged
            d = later[rows, None] - earlier[None, :]
            ok = d >= 0 if inclusive else d > 0
            out[rows] = np.where(ok, np.exp(-np.where(ok, d, 0.0) / tau), 0.0).sum(axis=1)
        return out

    total = 0.0
    if post.size and pre.size:
        r1 = kernel(post, pre, tau_plus_ms, inclusive=True)  # pre at the same time counts
        o2 = kernel(post, post, tau_y_ms, inclusive=False)
        total += float((r1 * (A2_plus + A3_plus * o2)).sum())
        o1 = kernel(pre, post, tau_minus_ms, inclusive=False)  # post at the same time comes later
        r2 = kernel(pre, pre, tau_x_ms, inclusive=False)
        total -= float((o1 * (A2_minus + A3_minus * r2)).sum())
    return total


class TripletSTDP(EventDrivenRule):
    """Minimal all-to-all triplet rule on w of shape (n_pre, n_post)."""

    name = "triplet"

    def __init__(self, tau_plus_ms=16.8, tau_x_ms=101.0, tau_minus_ms=33.7, tau_y_ms=125.0,
                 A2_plus=5e-10, A3_plus=6.2e-3, A2_minus=7e-3, A3_minus=2.3e-4, w_max: float = 1.0):
        taus = (tau_plus_ms, tau_x_ms, tau_minus_ms, tau_y_ms)
        if min(taus) <= 0 or w_max <= 0:
            raise ValueError("time constants and w_max must be > 0")
        self.tau_plus_ms, self.tau_x_ms, self.tau_minus_ms, self.tau_y_ms = map(float, taus)
        self.A2_plus, self.A3_plus = float(A2_plus), float(A3_plus)
        self.A2_minus, self.A3_minus = float(A2_minus), float(A3_minus)
        self.w_max = float(w_max)
        self.reset(1, 1)

    def reset(self, n_pre: int, n_post: int) -> None:
        self.r1, self.r2 = np.zeros(n_pre), np.zeros(n_pre)
        self.t_pre = np.zeros(n_pre)
        self.o1, self.o2 = np.zeros(n_post), np.zeros(n_post)
        self.t_post = np.zeros(n_post)
        super().reset(n_pre, n_post)

    def pre_traces_at(self, t_ms: float, idx=slice(None)) -> tuple[np.ndarray, np.ndarray]:
        age = t_ms - self.t_pre[idx]
        return self.r1[idx] * np.exp(-age / self.tau_plus_ms), self.r2[idx] * np.exp(-age / self.tau_x_ms)

    def post_traces_at(self, t_ms: float, idx=slice(None)) -> tuple[np.ndarray, np.ndarray]:
        age = t_ms - self.t_post[idx]
        return self.o1[idx] * np.exp(-age / self.tau_minus_ms), self.o2[idx] * np.exp(-age / self.tau_y_ms)

    def on_pre(self, w: np.ndarray, idx, t_ms: float, plastic: bool = True) -> None:
        """Pre cells `idx` (distinct) spike at t_ms: LTD on their rows, then bump r1, r2."""
        idx = np.asarray(idx, dtype=np.intp)
        if idx.size == 0:
            return
        r1, r2 = self.pre_traces_at(t_ms, idx)
        if plastic:
            o1, _ = self.post_traces_at(t_ms)
            dw = -o1[None, :] * (self.A2_minus + self.A3_minus * r2[:, None])
            w[idx, :] = np.clip(w[idx, :] + dw, 0.0, self.w_max)
        self.r1[idx], self.r2[idx] = r1 + 1.0, r2 + 1.0
        self.t_pre[idx] = t_ms

    def on_post(self, w: np.ndarray, idx, t_ms: float, plastic: bool = True) -> None:
        """Post cells `idx` (distinct) spike at t_ms: LTP on their columns, then bump o1, o2."""
        idx = np.asarray(idx, dtype=np.intp)
        if idx.size == 0:
            return
        o1, o2 = self.post_traces_at(t_ms, idx)
        if plastic:
            r1, _ = self.pre_traces_at(t_ms)
            dw = r1[:, None] * (self.A2_plus + self.A3_plus * o2[None, :])
            w[:, idx] = np.clip(w[:, idx] + dw, 0.0, self.w_max)
        self.o1[idx], self.o2[idx] = o1 + 1.0, o2 + 1.0
        self.t_post[idx] = t_ms
