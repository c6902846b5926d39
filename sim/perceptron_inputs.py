"""Poisson inputs with a share of synchronous spikes, drawn in fixed chunks of steps.

Every input fires at rate x(t) (Hz): a fraction `synchrony` c of each input's spikes comes
from one shared train that all inputs copy (rate c*x), the rest are independent (rate
(1-c)*x each); so each input keeps rate x at any c while the share of coincident spikes
grows with c. Spikes are Bernoulli per step (probability rate*dt), as in Brian2's
PoissonGroup. Delta synapses: input i moves the membrane by w_i mV in the step it spikes.

Chunk c (steps c*L .. c*L+L-1, 0-based, step j covering [j*dt, (j+1)*dt)) is drawn from its
own generator seeded (seed, 1, c): the spikes never depend on how a run is split into frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hebblab.sim.poisson_blocks import bernoulli_cells

CHUNK_STEPS = 2000


@dataclass
class Chunk:
    start: int  # first step (0-based)
    jump_mV: np.ndarray  # (L,) sum of w_i over the inputs that spike in each step
    input_spikes: np.ndarray  # (L,) input spikes per step (a shared event counts n_inputs)
    shared: np.ndarray  # (L,) bool: the shared train spikes in this step
    shown_steps: np.ndarray  # independent spikes of inputs < n_shown: step (0-based, absolute)
    shown_inputs: np.ndarray  # ... and input index


def draw_chunk(seed: int, c: int, rates_hz: np.ndarray, synchrony: float, weights_mV: np.ndarray,
               dt_ms: float, n_shown: int) -> Chunk:
    """The spikes of chunk c; rates_hz holds x for each of its steps."""
    L, n = len(rates_hz), len(weights_mV)
    rng = np.random.default_rng([int(seed), 1, int(c)])
    p = (1.0 - synchrony) * rates_hz * dt_ms / 1000.0  # independent spike probability per input and step
    p_max = float(p.max()) if L else 0.0
    if p_max > 0.0:
        # Draw at the chunk's largest probability, then thin each spike to its step's own.
        cells = bernoulli_cells(rng, L * n, p_max)
        steps, inputs = cells // n, cells % n
        keep = rng.random(len(cells)) * p_max < p[steps]
        steps, inputs = steps[keep], inputs[keep]
    else:
        steps = inputs = np.zeros(0, dtype=np.int64)
    shared = rng.random(L) < synchrony * rates_hz * dt_ms / 1000.0
    w_sum = float(weights_mV.sum())
    jump = np.bincount(steps, weights=weights_mV[inputs], minlength=L) + shared * w_sum
    count = np.bincount(steps, minlength=L) + shared * n
    shown = inputs < n_shown
    start = c * L
    return Chunk(start, jump, count.astype(np.int64), shared, steps[shown] + start, inputs[shown])


def fluctuation_sd_mV(rate_hz: float, synchrony: float, weights_mV: np.ndarray, tau_m_ms: float) -> float:
    """Standard deviation of the free membrane (no threshold) under this shot noise (Campbell's
    theorem): var = (tau_m/2) * x * ((1-c) sum w_i^2 + c (sum w_i)^2), x in 1/ms."""
    w = np.asarray(weights_mV, dtype=float)
    var = 0.5 * tau_m_ms * rate_hz / 1000.0 * ((1.0 - synchrony) * float(w @ w) + synchrony * float(w.sum()) ** 2)
    return float(np.sqrt(var))
