"""Input sources for neuron populations: currents (nA) and Poisson spike trains.

Every source is a pure function of the update range it is asked for:
`source.block(start, m)` returns the input of updates start+1 .. start+m (rows) for
each of `n` cells (columns); update k covers t in [(k-1)*dt, k*dt) and its input is held
constant over the step. Asking for the same range twice, or for it in pieces, gives the
same numbers, so labs stay frame-split invariant however they step.

Randomness: each random source is one stream, `SeedSequence(seed, spawn_key=(stream,))`
(what `SeedSequence(seed).spawn(...)` produces); its numbers come in fixed chunks of rows,
chunk c drawn by its own child generator (spawn_key (stream, c)), so any range can be
regenerated without replaying the run and splitting never reorders draws.
"""

from __future__ import annotations

import math

import numpy as np


class ConstantCurrent:
    """The same current I_nA (scalar or per cell) at every update."""

    def __init__(self, I_nA: float | np.ndarray, n: int):
        self.n = int(n)
        self.I_nA = np.broadcast_to(np.asarray(I_nA, dtype=float), (self.n,))

    def block(self, start: int, m: int) -> np.ndarray:
        return np.broadcast_to(self.I_nA, (m, self.n)).copy()


class StepCurrent:
    """I_before_nA until t_on_ms, then I_after_nA (the step lands on the dt grid).

    Update k (1-based) gets I_after when its step starts at or after t_on:
    (k-1) >= round(t_on_ms / dt_ms).
    """

    def __init__(self, I_before_nA: float, I_after_nA: float, t_on_ms: float, dt_ms: float, n: int):
        self.n = int(n)
        self.I_before_nA = float(I_before_nA)
        self.I_after_nA = float(I_after_nA)
        self.on_index = int(round(t_on_ms / dt_ms))

    def block(self, start: int, m: int) -> np.ndarray:
        idx = np.arange(start, start + m)  # (k-1) for each update k in the block
        col = np.where(idx >= self.on_index, self.I_after_nA, self.I_before_nA)
        return np.repeat(col[:, None], self.n, axis=1)


class _ChunkedDraws:
    """Reproducible random rows addressed by absolute update index (see module doc)."""

    def __init__(self, seed: int, stream: int, n: int, kind: str, chunk_rows: int | None = None):
        self.seed, self.stream, self.n, self.kind = int(seed), int(stream), int(n), kind
        self.chunk_rows = chunk_rows or max(1, 65536 // self.n)
        self._cache: dict[int, np.ndarray] = {}

    def _chunk(self, c: int) -> np.ndarray:
        if c not in self._cache:
            ss = np.random.SeedSequence(self.seed, spawn_key=(self.stream, c))
            rng = np.random.Generator(np.random.PCG64(ss))
            shape = (self.chunk_rows, self.n)
            data = rng.standard_normal(shape) if self.kind == "normal" else rng.random(shape)
            if len(self._cache) >= 2:  # keep memory bounded: callers move forward in time
                self._cache.pop(min(self._cache))
            self._cache[c] = data
        return self._cache[c]

    def rows(self, start: int, m: int) -> np.ndarray:
        out = np.empty((m, self.n))
        R = self.chunk_rows
        i = 0
        while i < m:
            c, off = divmod(start + i, R)
            take = min(m - i, R - off)
            out[i : i + take] = self._chunk(c)[off : off + take]
            i += take
        return out


class GaussianNoiseCurrent:
    """White-noise current of amplitude sigma_nA, independent per cell.

    Each update gets I = sigma_nA * sqrt(tau_m_ms / dt_ms) * z, z ~ N(0, 1), held for the
    step. The sqrt(tau/dt) scaling makes it the discretisation of a white-noise current
    with the same effect at every dt (a diffusion): in
        tau_m dV/dt = -(V - V_rest) + R*I + R*sigma*sqrt(tau_m)*xi(t)
    a cell without threshold fluctuates around V_inf with standard deviation
    R_m*sigma_nA/sqrt(2) mV (e.g. 10 MOhm * 0.2 nA -> 1.41 mV), whatever dt (exact for
    small dt/tau_m; Brian2 writes the same term as sigma*sqrt(tau)*xi).
    """

    def __init__(self, sigma_nA: float, tau_m_ms: float, dt_ms: float, n: int, seed: int, stream: int = 0):
        self.n = int(n)
        self.sigma_nA = float(sigma_nA)
        self.tau_m_ms = float(tau_m_ms)
        self.dt_ms = float(dt_ms)
        self._z = _ChunkedDraws(seed, stream, self.n, "normal")

    @property
    def scale_nA(self) -> float:
        """Standard deviation of the per-update current sample."""
        return self.sigma_nA * math.sqrt(self.tau_m_ms / self.dt_ms)

    def normals(self, start: int, m: int) -> np.ndarray:
        """The unit normals z of updates start+1 .. start+m (independent of sigma)."""
        return self._z.rows(start, m)

    def block(self, start: int, m: int) -> np.ndarray:
        if self.sigma_nA == 0.0:
            return np.zeros((m, self.n))
        return self.scale_nA * self._z.rows(start, m)


class PoissonSpikeTrains:
    """Independent Poisson spike trains, one per cell: a spike in an update with
    probability rate*dt (Bernoulli per step; rate_Hz * dt_ms / 1000 must be <= 1)."""

    def __init__(self, rates_Hz: float | np.ndarray, dt_ms: float, n: int, seed: int, stream: int = 1):
        self.n = int(n)
        self.rates_Hz = np.broadcast_to(np.asarray(rates_Hz, dtype=float), (self.n,)).copy()
        self.dt_ms = float(dt_ms)
        p = self.rates_Hz * self.dt_ms / 1000.0
        if np.any(p < 0) or np.any(p > 1) or not np.all(np.isfinite(p)):
            raise ValueError("rate_Hz * dt_ms / 1000 must be in [0, 1]")
        self.p = p
        self._u = _ChunkedDraws(seed, stream, self.n, "uniform")

    def block(self, start: int, m: int) -> np.ndarray:
        """Bool (m, n): True where cell i spikes in update start+1+row."""
        return self._u.rows(start, m) < self.p
