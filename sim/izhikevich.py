"""Izhikevich (2003) cells and the random network of Izhikevich (2007), vectorised over cells.

    dv/dt = 0.04 v^2 + 5 v + 140 - u + I,   du/dt = a (b v - u)     (v in mV, t in ms)
    v >= 30 mV: a spike; v <- c, u <- u + d

I is in mV/ms: a synapse of weight w mV adds w to I for one 1 ms step, so v jumps by
about w mV. Regular-spiking excitatory cells (a 0.02, b 0.2, c -65, d 8) and fast-spiking
inhibitory ones (a 0.1, b 0.2, c -65, d 2), as in Izhikevich's daspnet.m, the program
behind Fig. 1 of Izhikevich (2007), Cerebral Cortex 17:2443.

One 1 ms step, as that program does it: v takes two forward-Euler half steps of 0.5 ms
(for numerical stability), then u one step of 1 ms with the new v; a cell with v >= 30
spikes, its spike is stamped at the END of the step (t = k ms) and it is reset at once.
A spike reaches its targets' input in the next step (a 1 ms conduction delay).

Connectivity: every cell has `out_degree` outgoing synapses; excitatory cells target any
cell, inhibitory cells only excitatory ones (as in daspnet.m). A cell's targets are
distinct and never itself (daspnet.m draws with repetition; in a small dense network
that makes multi-synapse pairs, strongly causal, whose tags are positive at every reward).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

V_PEAK_MV = 30.0
RS = (0.02, 0.2, -65.0, 8.0)  # regular spiking (excitatory): a, b, c, d
FS = (0.1, 0.2, -65.0, 2.0)  # fast spiking (inhibitory)


class IzhikevichCells:
    """n cells, the first n_exc regular spiking and the rest fast spiking."""

    def __init__(self, n: int, n_exc: int):
        if not 0 <= n_exc <= n:
            raise ValueError("n_exc must lie in [0, n]")
        self.n, self.n_exc = int(n), int(n_exc)
        exc = np.arange(n) < n_exc
        self.a, self.b, self.c, self.d = (np.where(exc, e, i) for e, i in zip(RS, FS))
        self.v = np.full(n, -65.0)
        self.u = self.b * self.v
        # u <- u + a*(b*v - u) = (1 - a)*u + a*b*v; scratch arrays keep a step allocation-free.
        self._keep_u, self._ab = 1.0 - self.a, self.a * self.b
        self._half, self._tmp, self._mask = np.empty(n), np.empty(n), np.empty(n, dtype=bool)
        # The step's constants as arrays: a ufunc given a Python float converts it on every
        # call, which at 60 cells doubles the call (1.6 against 0.74 us measured).
        self._k = {x: np.full(n, x) for x in (0.5, 70.0, 0.02, 3.5, V_PEAK_MV)}

    def step(self, current: np.ndarray) -> np.ndarray:
        """One 1 ms step with input `current` (mV/ms); returns the cells that spiked.

        Each half step is v <- v + 0.5*(0.04 v^2 + 5 v + 140 - u + I), written as
        (0.02 v + 3.5) v + (70 + 0.5 (I - u)) with in-place numpy calls, positional `out`
        and constant arrays (this loop is the lab's hot path; a small network's step is
        nearly all per-call cost). The same operations in the same order as the scalar
        form, so the results are bit-identical to it."""
        v, u, h, tmp, k = self.v, self.u, self._half, self._tmp, self._k
        mul, add = np.multiply, np.add
        np.subtract(current, u, h)
        mul(h, k[0.5], h)
        add(h, k[70.0], h)
        c02, c35 = k[0.02], k[3.5]
        for _ in range(2):
            mul(v, c02, tmp)
            add(tmp, c35, tmp)
            mul(tmp, v, tmp)
            add(tmp, h, v)
        mul(u, self._keep_u, u)
        mul(v, self._ab, tmp)
        add(u, tmp, u)
        fired = np.greater_equal(v, k[V_PEAK_MV], self._mask).nonzero()[0]
        if fired.size:
            v[fired] = self.c[fired]
            u[fired] += self.d[fired]
        return fired


@dataclass(frozen=True)
class OutDegreeConnectivity:
    """Synapse k goes from pre[k] = k // out_degree to post[k]; excitatory synapses first.

    `in_ptr`/`in_syn`: the excitatory synapses onto each cell (CSR), for the events of a
    postsynaptic spike."""

    n: int
    n_exc: int
    out_degree: int
    post: np.ndarray
    in_ptr: np.ndarray
    in_syn: np.ndarray

    @classmethod
    def random(cls, n: int, n_exc: int, out_degree: int, rng: np.random.Generator) -> "OutDegreeConnectivity":
        """Each cell's targets: out_degree distinct cells, never itself (E cells: any of the
        other n - 1; I cells: any of the n_exc excitatory ones)."""
        if n < 2 or out_degree < 1:
            raise ValueError("need n >= 2 cells and out_degree >= 1")
        if out_degree > n - 1 or (n_exc < n and out_degree > n_exc):
            raise ValueError("out_degree exceeds the cells a cell may target")
        post = np.empty(n * out_degree, dtype=np.int64)
        for cell in range(n):
            if cell < n_exc:
                chosen = rng.choice(n - 1, out_degree, replace=False)
                chosen += chosen >= cell  # skip the cell itself
            else:
                chosen = rng.choice(n_exc, out_degree, replace=False)
            post[cell * out_degree:(cell + 1) * out_degree] = chosen
        n_plastic = n_exc * out_degree
        in_syn = np.argsort(post[:n_plastic], kind="stable")
        in_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(post[:n_plastic], minlength=n), out=in_ptr[1:])
        return cls(int(n), int(n_exc), int(out_degree), post, in_ptr, in_syn)

    @property
    def n_plastic(self) -> int:
        """Excitatory synapses: 0 .. n_plastic - 1."""
        return self.n_exc * self.out_degree

    def pre(self, k):
        return np.asarray(k) // self.out_degree

    def outgoing(self, cells: np.ndarray) -> np.ndarray:
        """The synapses of `cells`, cell by cell."""
        m = self.out_degree
        return (np.asarray(cells, dtype=np.int64)[:, None] * m + np.arange(m)).ravel()

    def incoming_exc(self, cells: np.ndarray) -> np.ndarray:
        """The excitatory synapses onto `cells` (distinct cells), cell by cell."""
        lo, hi = self.in_ptr[cells], self.in_ptr[np.asarray(cells) + 1]
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        # Positions lo..hi-1 of every cell, without a Python loop.
        starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        return self.in_syn[starts + np.arange(total)]
