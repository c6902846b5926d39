"""Sparse random connectivity and the fused CUBA kernel (Vogels & Abbott 2005, Brette et al. 2007).

Model (current-based exponential synapses; ge, gi are in mV):
    dv/dt  = (ge + gi - (v - E_l)) / tau_m     (held at V_r while refractory)
    dge/dt = -ge / tau_e,   dgi/dt = -gi / tau_i
A spike of an excitatory cell adds w_e to ge of each target, an inhibitory one w_i to gi.

Speed: the cost floor of a numpy kernel is the number of calls per step, so a step is
about seven calls. The state is one stacked array S = (u, c_e, c_i) with u = v - E_l and
c_e = ge / w_e, c_i = gi / w_i (synaptic "counts"). The weights live in the 3x3 exact
propagator A (S <- A @ S), so a spike just adds 1.0 to its targets' count, and one
np.add.at on a combined (row, cell) index handles E and I together. Connectivity is a
padded table: row i lists presynaptic cell i's targets as flat indices into S; padding
points at a dummy column (cell N) nobody reads.

Order of operations per step k = 1, 2, ... (the one Brian2 uses, with method='exact'):
    integrate u, c_e, c_i exactly over dt (A @ S)
    -> cells that spiked in the last R-1 steps are held at V_r (R = refractory / dt steps;
       a cell integrates again in the R-th step after its spike, as Brian2's
       `timestep(t - lastspike, dt) >= timestep(refractory, dt)`)
    -> threshold v > V_t -> spikes stamped at the END of the step, t = k*dt
       (Brian2 stamps the same spike at the start, (k-1)*dt)
    -> reset v = V_r -> spikes add to their targets' c_e / c_i, felt from step k+1 on.
Because A never feeds u into c_e/c_i and held cells are overwritten after integration,
the reset of this step's spikers is applied lazily (by the hold of the next step), which
saves a call; `advance` resets them explicitly before returning, so the visible state is
always the reset one.

Changing w_e, w_i or the inhibitory gain mid-run rescales the synaptic currents already in
flight (the weights multiply the counts), like a drug scaling receptor efficacy.

Use:
    net = build_network(4000, inh_fraction=0.2, in_degree=80, seed=1)   # the CUBA network
    steps, cells = net.run(10_000)                                        # 1 s of dt = 0.1 ms
    pre, post = net.conn.pairs(); v0 = net.v0_mV                          # to rebuild elsewhere
    same = CubaNetwork(Connectivity.from_pairs(4000, 3200, pre, post), CubaParams(), v0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

# -- connectivity -------------------------------------------------------------------


@dataclass(frozen=True)
class Connectivity:
    """Synapses in CSR form by presynaptic cell: targets[indptr[i]:indptr[i+1]] of cell i.

    Cells 0..n_exc-1 are excitatory, n_exc..n-1 inhibitory: Dale's law holds by
    construction, since a synapse's sign is the sign of its presynaptic cell.
    """

    n: int
    n_exc: int
    indptr: np.ndarray  # int64, length n + 1
    targets: np.ndarray  # int64, sorted within each row

    @property
    def n_inh(self) -> int:
        return self.n - self.n_exc

    @property
    def n_synapses(self) -> int:
        return int(self.targets.size)

    def out_degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def in_degree(self) -> np.ndarray:
        return np.bincount(self.targets, minlength=self.n)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(pre, post) arrays of every synapse, pre ascending (for Brian2's connect(i=, j=))."""
        pre = np.repeat(np.arange(self.n, dtype=np.int64), self.out_degree())
        return pre, self.targets.copy()

    @classmethod
    def from_pairs(cls, n: int, n_exc: int, pre: np.ndarray, post: np.ndarray) -> "Connectivity":
        """Build from synapse lists (any order; duplicates kept as multiple synapses)."""
        pre = np.asarray(pre, dtype=np.int64)
        post = np.asarray(post, dtype=np.int64)
        if pre.shape != post.shape:
            raise ValueError("pre and post must have the same length")
        if pre.size and (pre.min() < 0 or pre.max() >= n or post.min() < 0 or post.max() >= n):
            raise ValueError(f"cell indices must lie in [0, {n - 1}]")
        order = np.lexsort((post, pre))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(pre, minlength=n), out=indptr[1:])
        return cls(int(n), int(n_exc), indptr, post[order])

    @classmethod
    def random(cls, n: int, n_exc: int, p: float, rng: np.random.Generator) -> "Connectivity":
        """Each ordered pair (i, j), autapses included as in Brian2's CUBA example,
        is a synapse independently with probability p (Bernoulli, like connect(p=p))."""
        if not 0.0 <= p <= 1.0:
            raise ValueError("p must lie in [0, 1]")
        total = n * n
        if p == 0.0 or total == 0:
            flat = np.zeros(0, dtype=np.int64)
        else:
            # Positions of the successes of n*n Bernoulli trials via geometric gaps:
            # O(synapses) work and memory instead of O(n^2).
            chunks, last = [], -1
            expected = total * p
            while last < total - 1:
                size = int(expected + 6 * math.sqrt(expected) + 64)
                pos = last + np.cumsum(rng.geometric(p, size=size), dtype=np.int64)
                chunks.append(pos)
                last = int(pos[-1])
            flat = np.concatenate(chunks)
            flat = flat[flat < total]
        pre, post = np.divmod(flat, n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(pre, minlength=n), out=indptr[1:])
        return cls(int(n), int(n_exc), indptr, post.astype(np.int64))


# -- parameters and the exact propagator --------------------------------------------


@dataclass(frozen=True)
class CubaParams:
    """Defaults are the CUBA benchmark (docs/science.md, ei)."""

    tau_m_ms: float = 20.0
    tau_e_ms: float = 5.0
    tau_i_ms: float = 10.0
    V_t_mV: float = -50.0
    V_r_mV: float = -60.0
    E_l_mV: float = -49.0
    refractory_ms: float = 5.0
    w_e_mV: float = 1.62
    w_i_mV: float = -9.0
    inh_gain: float = 1.0
    dt_ms: float = 0.1

    @property
    def refractory_steps(self) -> int:
        """Steps R: a cell that spiked in step k integrates again in step k + R.
        Same rounding as Brian2's timestep() (multiples of dt are not lost to float error)."""
        return int((self.refractory_ms + 1e-3 * self.dt_ms) / self.dt_ms)

    def unconnected_rate_hz(self) -> float:
        """Closed-form rate of a cell without synapses (0 if E_l <= V_t: it never fires)."""
        if self.E_l_mV <= self.V_t_mV:
            return 0.0
        t = self.tau_m_ms * math.log((self.E_l_mV - self.V_r_mV) / (self.E_l_mV - self.V_t_mV))
        return 1000.0 / (t + self.refractory_ms)


def _psp_factor(dt: float, tau_m: float, tau_s: float) -> float:
    """Exact response of u after dt to a unit synaptic current decaying with tau_s:
    tau_s/(tau_s - tau_m) * (exp(-dt/tau_s) - exp(-dt/tau_m)), stable when tau_s ~ tau_m."""
    x = 1.0 / tau_m - 1.0 / tau_s
    if abs(x * dt) < 1e-9:
        return dt / tau_m * math.exp(-dt / tau_m) * (1.0 + 0.5 * x * dt)
    return math.exp(-dt / tau_m) * math.expm1(x * dt) / (tau_m * x)


def propagator(p: CubaParams) -> np.ndarray:
    """3x3 matrix A with (u, c_e, c_i) <- A @ (u, c_e, c_i) exact over one step of dt."""
    dt = p.dt_ms
    a = np.zeros((3, 3))
    a[0, 0] = math.exp(-dt / p.tau_m_ms)
    a[0, 1] = p.w_e_mV * _psp_factor(dt, p.tau_m_ms, p.tau_e_ms)
    a[0, 2] = p.w_i_mV * p.inh_gain * _psp_factor(dt, p.tau_m_ms, p.tau_i_ms)
    a[1, 1] = math.exp(-dt / p.tau_e_ms)
    a[2, 2] = math.exp(-dt / p.tau_i_ms)
    return a


# -- the network ------------------------------------------------------------------

# on_block(first_step, counts, cells, probe) receives consecutive steps
# first_step .. first_step + len(counts) - 1: counts[j] spikes in each, `cells` the spikers
# in step order (ascending within a step); probe is (steps, 3) rows (v, ge, gi) in mV of the
# probed cell after each step, or None. With a refractory hold (refractory_steps >= 2) the
# reset is lazy (see the module docstring), so in a step where the probed cell spiked its v
# is the value that crossed V_t, not V_r; the E/I lab charts only ge and gi.
BlockSink = Callable[[int, np.ndarray, np.ndarray, "np.ndarray | None"], None]


class CubaNetwork:
    """State and kernel of a CUBA network. `advance(n)` runs n steps of dt."""

    BLOCK_STEPS = 4096  # spikes go to the sink at least this often: memory stays bounded
    SPIKE_BUFFER_PER_CELL = 8  # recent-spike buffer: 8 spikes per cell (+ extra) between flushes
    SPIKE_BUFFER_EXTRA = 4096

    def __init__(self, conn: Connectivity, params: CubaParams, v0_mV: np.ndarray,
                 ge0_mV: np.ndarray | None = None, gi0_mV: np.ndarray | None = None):
        n = conn.n
        v0 = np.asarray(v0_mV, dtype=np.float64)
        if v0.shape != (n,):
            raise ValueError(f"v0_mV must have shape ({n},)")
        if params.V_r_mV >= params.V_t_mV:
            raise ValueError("V_r_mV must be below V_t_mV")
        self.conn = conn
        self.n = n
        self.params = params
        self.v0_mV = v0.copy()
        self.step_count = 0  # updates done; the last one's spikes are stamped step_count*dt
        # Column n is a dummy that absorbs the padding of the target table; rows are padded
        # to a multiple of 8 doubles, which makes the matmul ~10 % faster.
        self._m = m = (n + 1 + 7) // 8 * 8
        self._bufs = [np.zeros((3, m)), np.zeros((3, m))]
        self._cur = 0
        self._set_params(params)
        s = self._bufs[0]
        s[0, :n] = v0 - params.E_l_mV
        for row, g0, w in ((1, ge0_mV, self._w_e), (2, gi0_mV, self._w_i)):
            if g0 is not None and np.any(g0):
                if w == 0:
                    raise ValueError("a nonzero initial current needs a nonzero weight")
                s[row, :n] = np.asarray(g0, dtype=np.float64) / w
        self._table = self._target_table(conn, m)
        self._hold = max(params.refractory_steps - 1, 0)
        self._mask = np.zeros(n, dtype=bool)
        # Recent spikes, flat, with the start of each recent step: the refractory hold reads
        # the last `hold` steps' spikers as one slice. A window holds each cell at most once.
        self._spikes = np.zeros(max(self.SPIKE_BUFFER_PER_CELL, 2) * n + self.SPIKE_BUFFER_EXTRA, dtype=np.intp)
        self._end = 0
        self._starts = [0] * self._hold
        self._last_spikers = np.zeros(0, dtype=np.intp)

    @staticmethod
    def _target_table(conn: Connectivity, m: int) -> np.ndarray:
        """(n, max out-degree) flat indices into S: row 1 (c_e) for E cells, row 2 (c_i) for I."""
        n = conn.n
        deg = conn.out_degree()
        width = max(int(deg.max()) if n else 0, 1)
        table = np.full((n, width), 1 * m + n, dtype=np.intp)  # padding -> dummy column
        if conn.n_synapses:
            pre = np.repeat(np.arange(n), deg)
            rank = np.arange(pre.size) - conn.indptr[pre]
            row = np.where(pre < conn.n_exc, 1, 2)
            table[pre, rank] = row * m + conn.targets
        return table

    def _set_params(self, p: CubaParams) -> None:
        self.params = p
        self._A = propagator(p)
        self._w_e = p.w_e_mV
        self._w_i = p.w_i_mV * p.inh_gain
        self._u_t = p.V_t_mV - p.E_l_mV
        self._u_r = p.V_r_mV - p.E_l_mV

    def set_live(self, **changes: float) -> None:
        """Change weights, gain, time constants or E_l mid-run (not dt, refractory, V_t, V_r)."""
        fixed = {"dt_ms", "refractory_ms", "V_t_mV", "V_r_mV"} & set(changes)
        if fixed:
            raise ValueError(f"{sorted(fixed)} need a new network")
        old = self.params
        self._set_params(replace(old, **changes))
        self._state[0] -= self.params.E_l_mV - old.E_l_mV  # u = v - E_l: v itself is unchanged

    # -- state in physical units ------------------------------------------------------
    @property
    def _state(self) -> np.ndarray:
        return self._bufs[self._cur]

    @property
    def v_mV(self) -> np.ndarray:
        return self._state[0, : self.n] + self.params.E_l_mV

    @property
    def ge_mV(self) -> np.ndarray:
        return self._state[1, : self.n] * self._w_e

    @property
    def gi_mV(self) -> np.ndarray:
        return self._state[2, : self.n] * self._w_i

    @property
    def gi_weight_mV(self) -> float:
        """Jump of gi per inhibitory spike now (w_i * inh_gain)."""
        return self._w_i

    def synapses(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pre, post, weight_mV) of every synapse exactly as the kernel applies them now,
        decoded from its target table (not from the connectivity it was built from)."""
        m, n = self._m, self.n
        table = self._table
        real = table != 1 * m + n  # drop the padding
        pre = np.broadcast_to(np.arange(n)[:, None], table.shape)[real]
        row, post = np.divmod(table[real], m)
        weight = np.where(row == 1, self._w_e, np.where(row == 2, self._w_i, np.nan))
        return pre, post, weight

    def finite(self) -> bool:
        return bool(np.isfinite(self._state).all())

    # -- the kernel ---------------------------------------------------------------------
    def advance(self, n_steps: int, on_block: BlockSink | None = None, probe: int | None = None) -> None:
        """Run n_steps; hand spikes (and the probe cell's v, ge, gi) to on_block in blocks."""
        if probe is not None and not 0 <= probe < self.n:
            raise ValueError(f"probe must be a cell in [0, {self.n - 1}]")
        done = 0
        while done < n_steps:
            done += self._run_block(min(self.BLOCK_STEPS, n_steps - done), on_block, probe)
        if self._last_spikers.size:  # make the lazy reset visible (see module docstring)
            self._state[0, self._last_spikers] = self._u_r

    def run(self, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
        """Run n_steps and return all spikes as (steps, cells); for benchmarks and tests."""
        steps, cells = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.intp)]

        def keep(first, counts, c, _probe):
            steps.append(np.repeat(np.arange(first, first + counts.size), counts))
            cells.append(c)

        self.advance(n_steps, keep)
        return np.concatenate(steps), np.concatenate(cells)

    def _run_block(self, n_steps: int, on_block: BlockSink | None, probe: int | None) -> int:
        """Up to n_steps steps; stops early when the spike buffer could overflow."""
        n = self.n
        bufs = self._bufs
        views = [(b.reshape(-1), b[0, :n]) for b in bufs]
        cur = self._cur
        A, table, mask = self._A, self._table, self._mask
        u_t, u_r = self._u_t, self._u_r
        spikes, end, starts, hold = self._spikes, self._end, self._starts, self._hold
        room = spikes.size - n  # a step adds at most n spikes
        begin = end
        n_old = len(starts)
        probe_rows = np.empty((n_steps, 3)) if probe is not None else None
        probe_idx = np.array([probe, self._m + probe, 2 * self._m + probe]) if probe is not None else None
        matmul, greater, add_at = np.matmul, np.greater, np.add.at
        spk = self._last_spikers
        done = 0
        while done < n_steps and end <= room:
            nxt = 1 - cur
            matmul(A, bufs[cur], out=bufs[nxt])
            cur = nxt
            flat, u = views[cur]
            if hold:  # refractory cells stay at V_r (this also resets last step's spikers)
                u[spikes[starts[-hold]:end]] = u_r
            spk = greater(u, u_t, out=mask).nonzero()[0]  # (np.flatnonzero adds ~1 us)
            starts.append(end)
            if spk.size:
                if not hold:
                    u[spk] = u_r
                spikes[end:end + spk.size] = spk
                end += spk.size
                add_at(flat, table[spk], 1.0)
            if probe_rows is not None:
                flat.take(probe_idx, out=probe_rows[done])
            done += 1
        self._cur = cur
        self._last_spikers = spk
        first = self.step_count + 1
        self.step_count += done
        if on_block is not None and done:
            counts = np.diff(np.array(starts[n_old:] + [end]))
            probe_mV = None
            if probe_rows is not None:
                probe_mV = probe_rows[:done] * (1.0, self._w_e, self._w_i)
                probe_mV[:, 0] += self.params.E_l_mV
            on_block(first, counts, spikes[begin:end].copy(), probe_mV)
        # Keep only the hold window at the front of the buffer.
        lo = starts[-hold] if hold else end
        spikes[: end - lo] = spikes[lo:end]
        self._starts = [s - lo for s in starts[-hold:]] if hold else []
        self._end = end - lo
        return done


def build_network(n: int = 4000, inh_fraction: float = 0.2, in_degree: float = 80.0,
                  params: CubaParams | None = None, seed: int = 0) -> CubaNetwork:
    """A random CUBA network: Bernoulli connectivity with p = in_degree / n, V0 ~ U(V_r, V_t).

    The first round(n * (1 - inh_fraction)) cells are excitatory. Connectivity and initial
    voltages come from separate streams of SeedSequence(seed), so either can be redrawn alone.
    """
    params = params or CubaParams()
    if not 0 <= in_degree <= n:
        raise ValueError("in_degree must lie in [0, n]")
    n_exc = int(round(n * (1.0 - inh_fraction)))
    conn_rng, v_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    conn = Connectivity.random(n, n_exc, in_degree / n, conn_rng)
    v0 = v_rng.uniform(params.V_r_mV, params.V_t_mV, n)
    return CubaNetwork(conn, params, v0)
