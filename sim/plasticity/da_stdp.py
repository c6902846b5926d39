"""Dopamine-gated STDP (Izhikevich 2007): STDP tags synapses, dopamine turns tags into changes.

Per synapse i an eligibility trace c_i, one dopamine level d shared by all synapses:
    dc_i/dt = -c_i / tau_c + STDP(t_post - t_pre) at each pre/post spike pair
    dd/dt   = -d / tau_d + (amount per reward) * delta(t - t_reward)
    dw_i/dt = eta * c_i * (d + d_tonic),   w_i kept in [0, w_max]
A tonic level d_tonic is added to the phasic d (Izhikevich's daspnet.m adds 0.002).

Integrated exactly, not by Euler steps. Between events c_i and d decay exponentially,
so the weight change is an integral in closed form. With one global function
    G(t) = integral from t_ref to t of exp(-(s - t_ref)/tau_c) * (d(s) + d_tonic) ds
and c_i stored as chat_i = c_i(t) * exp((t - t_ref)/tau_c) (constant between i's events):
    w_i(t) = w_i(t_i) + eta * chat_i * (G(t) - G(t_i))
where t_i is when w_i was last brought up to date. So a step costs O(1) for G and
O(touched synapses) for the spikes' events; no loop over all synapses. Between its
events a weight moves monotonically (c_i keeps its sign, d >= 0), so clipping it to
[0, w_max] when it is brought up to date is exact too. `rebase()` (every simulated
second, by the caller) moves t_ref to now so exp((t - t_ref)/tau_c) stays small.

Freezing plasticity stops G (no dopamine integral accrues): weights stay, traces run on.
"""

from __future__ import annotations

import math

import numpy as np


class DopamineSTDP:
    """Weights, eligibility traces and dopamine of n plastic synapses; time in ms."""

    def __init__(self, w0: np.ndarray, w_max: float, tau_c_ms: float, tau_d_ms: float,
                 eta_per_ms: float, d_tonic: float = 0.0):
        if w_max <= 0 or tau_c_ms <= 0 or tau_d_ms <= 0:
            raise ValueError("w_max, tau_c_ms and tau_d_ms must be > 0")
        self.w = np.clip(np.asarray(w0, dtype=np.float64), 0.0, w_max)
        self.w_max = float(w_max)
        self.tau_c, self.tau_d = float(tau_c_ms), float(tau_d_ms)
        self.tau_cd = 1.0 / (1.0 / self.tau_c + 1.0 / self.tau_d)
        self.eta = float(eta_per_ms)
        self.d_tonic = float(d_tonic)
        self.plastic = True
        n = self.w.size
        self.chat = np.zeros(n)
        self.g_seen = np.zeros(n)
        self.G = 0.0
        self.d = 0.0  # phasic dopamine now (after this instant's rewards)
        self.t = 0.0
        self.t_ref = 0.0
        self.fc = 1.0  # exp(-(t - t_ref)/tau_c)
        self._dt = None  # the step `_e` was computed for

    # -- time ---------------------------------------------------------------------------
    def advance(self, dt_ms: float) -> None:
        """Let dt_ms pass without events: G accrues, c and d decay."""
        if dt_ms != self._dt:  # a run steps one dt: its four exponentials once, not every step
            self._dt = dt_ms
            self._e = (-math.expm1(-dt_ms / self.tau_cd), -math.expm1(-dt_ms / self.tau_c),
                       math.exp(-dt_ms / self.tau_d), math.exp(-dt_ms / self.tau_c))
        e_cd, e_c, decay_d, decay_c = self._e
        if self.plastic:
            phasic = self.d * self.tau_cd * e_cd
            tonic = self.d_tonic * self.tau_c * e_c
            self.G += self.fc * (phasic + tonic)
        self.d *= decay_d
        self.fc *= decay_c
        self.t += dt_ms

    def reward(self, amount: float) -> None:
        """Dopamine released now (d jumps by amount)."""
        self.d += amount

    # -- synapses -------------------------------------------------------------------------
    def sync(self, idx) -> None:
        """Bring w[idx] up to date (the integral since each one's last update)."""
        self.w[idx] = np.minimum(np.maximum(
            self.w[idx] + self.eta * self.chat[idx] * (self.G - self.g_seen[idx]), 0.0), self.w_max)
        self.g_seen[idx] = self.G

    def tag(self, idx: np.ndarray, amount: np.ndarray | float) -> None:
        """Add `amount` to the eligibility traces of synapses idx (distinct) now."""
        self.sync(idx)
        self.chat[idx] += np.asarray(amount) / self.fc

    def eligibility(self, idx=slice(None)) -> np.ndarray:
        """c now."""
        return self.chat[idx] * self.fc

    def weights(self, idx=slice(None)) -> np.ndarray:
        """w now, computed without changing any state (so reading never alters a run)."""
        return np.minimum(np.maximum(
            self.w[idx] + self.eta * self.chat[idx] * (self.G - self.g_seen[idx]), 0.0), self.w_max)

    def set_eta(self, eta_per_ms: float) -> None:
        """Change the learning rate from now on (past changes keep the old one)."""
        self.sync(slice(None))
        self.eta = float(eta_per_ms)

    def rebase(self) -> None:
        """Move the reference time to now (all weights brought up to date)."""
        self.sync(slice(None))
        self.chat *= self.fc
        self.fc = 1.0
        self.G = 0.0
        self.g_seen[:] = 0.0
        self.t_ref = self.t
