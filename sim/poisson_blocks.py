"""Sparse Poisson (Bernoulli-per-step) input spikes, drawn in fixed blocks of steps.

Every input spikes in a step with probability p = rate * dt (Brian2's PoissonGroup
does `rand() < rate*dt`). Instead of n_inputs * n_steps uniforms, the gaps between
successive spiking (step, input) cells in step-major order are drawn as Geometric(p):
the same process, at a cost proportional to the number of spikes.

Blocks are aligned to the absolute step index and block j is drawn from its own
generator seeded (seed, stream, j), so the spikes never depend on how a run is split
into frames, nor on how many numbers earlier blocks consumed.
"""

from __future__ import annotations

import numpy as np


def block_rng(seed: int, stream: int, block: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(stream), int(block)])


def bernoulli_cells(rng: np.random.Generator, n_cells: int, p: float) -> np.ndarray:
    """Sorted indices of the cells (out of n_cells) that are 1 under Bernoulli(p)."""
    if p <= 0.0 or n_cells <= 0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n_cells, dtype=np.int64)
    expected = n_cells * p
    size = int(expected + 6.0 * np.sqrt(expected) + 16)
    cells = np.cumsum(rng.geometric(p, size=size), dtype=np.int64) - 1
    while cells[-1] < n_cells:  # rare: drew too few gaps, extend
        more = np.cumsum(rng.geometric(p, size=size), dtype=np.int64) + cells[-1]
        cells = np.concatenate([cells, more])
    return cells[: np.searchsorted(cells, n_cells)]


def poisson_block(rng: np.random.Generator, n_inputs: int, n_steps: int, p: float,
                  n_corr: int = 0, corr: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Spikes of one block as (step, input) arrays, sorted by step then input.

    Inputs [0, n_corr) form a correlated group: a shared "mother" train spikes with
    probability p / corr per step and each group input copies each mother spike with
    probability corr (so every input keeps probability p per step and any two group
    inputs have spike-count correlation corr). The rest are independent.
    """
    if corr <= 0.0:
        n_corr = 0  # uncorrelated: the group is just more independent inputs
    if n_corr > 0 and corr < p:
        raise ValueError(f"corr ({corr}) must be >= the spike probability per step ({p})")
    n_free = n_inputs - n_corr
    cells = bernoulli_cells(rng, n_free * n_steps, p)
    steps, inputs = cells // max(n_free, 1), cells % max(n_free, 1) + n_corr
    if n_corr > 0:
        mother = bernoulli_cells(rng, n_steps, p / corr)
        keep = rng.random((mother.size, n_corr)) < corr
        rows, group_inputs = np.nonzero(keep)
        steps = np.concatenate([steps, mother[rows]])
        inputs = np.concatenate([inputs, group_inputs.astype(np.int64)])
        order = np.argsort(steps * n_inputs + inputs, kind="stable")
        steps, inputs = steps[order], inputs[order]
    return steps, inputs
