"""Leaky integrate-and-fire (LIF) population, vectorised over neurons.

    tau_m dV/dt = -(V - V_rest) + R_m * I        (mV, ms, MOhm, nA: MOhm * nA = mV)

THE per-step schedule (every hebblab lab follows it; state deviations in your lab):

  update k (k = 1, 2, ...) takes the state at t = (k-1)*dt to t = k*dt:
  1. inputs:     the current I for this step (constant over the step).
  2. integrate:  non-refractory cells advance V by one step
                   euler: V <- V + dt * (-(V - V_rest) + R*I) / tau_m   (the chapter)
                   exact: V <- V_inf + (V - V_inf) * exp(-dt/tau_m),  V_inf = V_rest + R*I
                 refractory cells stay clamped at V_reset.
  3. threshold:  a non-refractory cell with V >= V_thresh spikes.
  4. spike time: stamped at the END of the step, t = k*dt (the chapter's convention:
                 the listing records t*dt for the loop index t that crossed).
                 Brian2 stamps the START of the step, (k-1)*dt: its spike times are one dt
                 earlier than ours for the same trajectory.
  5. reset:      spiking cells -> V_reset; they stay clamped for the next
                 round(t_ref/dt) updates and integrate again after that.
  6. synapses / plasticity see this step's spikes.
  7. record.

With piecewise-constant input the exact method has no integration error at all (only the
dt grid quantises spike times, always later than the continuous crossing); forward Euler
fires early (ISI -0.15 % at dt 0.1 ms, -1.5 % at 1 ms for the chapter neuron).

Two ways to advance, mathematically identical:
- `LIFPopulation.step(I)`: one update (use it when the input depends on the last spikes,
  e.g. recurrent networks or plasticity). Python loop over time, numpy over neurons.
- `LIFPopulation.advance_block(I_block)`: many updates at once for input known ahead.
  Both methods are the linear recurrence V_{k+1} = a V_k + b_k, solved in closed form
      V_k = a^(k-s) V_s + a^(k-1) * (P_k - P_s),   P_k = sum_{j<k} a^(-j) b_j
  (a cumulative sum), from the block start or from the end of each refractory period; the
  first threshold crossing cuts the segment, the cell is reset and the segment restarts.
  Agrees with `step()` to rounding (about 1e-13 mV). Rounding never decides a spike: an
  update whose V_inf = V_rest + R*I is at or below threshold cannot cross it from below,
  so neither way fires there (a cell driven exactly at rheobase stays silent, as the
  closed form says). To be frame-split invariant, a
  caller must cut blocks on a grid that does not depend on how it is asked to step:
  `BlockRunner` does that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

METHODS = ("euler", "exact")


@dataclass(frozen=True)
class LIFParams:
    """Parameters shared by a population (units in the names; t_ref lands on the dt grid)."""

    tau_m_ms: float = 20.0
    V_rest_mV: float = -70.0
    V_thresh_mV: float = -54.0
    V_reset_mV: float = -80.0
    R_m_MOhm: float = 10.0
    t_ref_ms: float = 0.0
    dt_ms: float = 0.1
    method: str = "exact"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if not (self.tau_m_ms > 0 and self.dt_ms > 0 and self.t_ref_ms >= 0):
            raise ValueError("tau_m_ms and dt_ms must be > 0, t_ref_ms >= 0")

    @property
    def ref_steps(self) -> int:
        """Updates a cell stays clamped after a spike (t_ref rounded to the dt grid)."""
        return int(round(self.t_ref_ms / self.dt_ms))

    @property
    def decay(self) -> float:
        """a in V_{k+1} = a*V_k + c*(V_rest + R*I)."""
        if self.method == "exact":
            return math.exp(-self.dt_ms / self.tau_m_ms)
        return 1.0 - self.dt_ms / self.tau_m_ms

    @property
    def gain(self) -> float:
        """c in V_{k+1} = a*V_k + c*(V_rest + R*I)."""
        if self.method == "exact":
            return -math.expm1(-self.dt_ms / self.tau_m_ms)
        return self.dt_ms / self.tau_m_ms


@dataclass
class BlockResult:
    """`advance_block` output. V[k-1] is V after update k (reset value on spike steps)."""

    V: np.ndarray  # (L, N)
    spike_steps: np.ndarray  # 1-based update index within the block, time-ordered
    spike_cells: np.ndarray


class LIFPopulation:
    """N LIF cells sharing one parameter set. State: V (mV), ref_left (updates still clamped)."""

    def __init__(self, n: int, params: LIFParams, V0: np.ndarray | float | None = None):
        if n < 1:
            raise ValueError("n must be >= 1")
        self.n = int(n)
        self.params = params
        V0 = params.V_rest_mV if V0 is None else V0
        self.V = np.array(np.broadcast_to(np.asarray(V0, dtype=float), (self.n,)))
        self.ref_left = np.zeros(self.n, dtype=np.int64)
        self._powers_for: tuple | None = None

    # -- one update (the reference) ----------------------------------------------------
    def step(self, I_nA: np.ndarray | float) -> np.ndarray:
        """One update with input I (scalar or (N,)); returns the bool spike mask."""
        p = self.params
        I = np.asarray(I_nA, dtype=float)
        active = self.ref_left == 0
        can = self._can_cross(I) | (self.V >= p.V_thresh_mV)  # (see _can_cross)
        if p.method == "euler":  # written as in the chapter's listing
            new = self.V + p.dt_ms * (-(self.V - p.V_rest_mV) + p.R_m_MOhm * I) / p.tau_m_ms
        else:
            v_inf = p.V_rest_mV + p.R_m_MOhm * I
            new = v_inf + (self.V - v_inf) * math.exp(-p.dt_ms / p.tau_m_ms)
        self.V = np.where(active, new, self.V)
        self.ref_left = np.maximum(self.ref_left - 1, 0)
        spiked = active & (self.V >= p.V_thresh_mV) & can
        np.copyto(self.V, np.nextafter(p.V_thresh_mV, -np.inf), where=~can & (self.V >= p.V_thresh_mV))
        self.V[spiked] = p.V_reset_mV
        self.ref_left[spiked] = p.ref_steps
        return spiked

    # -- many updates with known input --------------------------------------------------
    def max_block(self) -> int:
        """Longest block: powers a^(-L) stay far from overflow, memory stays bounded."""
        cap = max(1, min(4096, 2**18 // self.n))  # bounds the block's (L, N) arrays
        a = abs(self.params.decay)
        if a == 0.0:
            return 1
        if a == 1.0:
            return cap
        return max(1, min(cap, int(300.0 / abs(math.log(a)))))  # |a| > 1: unstable Euler

    def _powers(self, L: int) -> tuple[np.ndarray, np.ndarray]:
        """pw[m] = a^m (m = 0..L) and ipw[j] = a^-j (j = 0..L-1), cached for max_block()."""
        Lmax = self.max_block()
        key = (self.params.decay, Lmax)
        if self._powers_for is None or self._powers_for[0] != key:
            a = self.params.decay
            m = np.arange(Lmax + 1, dtype=float)
            pw = np.power(a, m)  # 0^0 = 1
            ipw = np.power(a, -m[:Lmax]) if Lmax > 1 else np.ones(1)
            self._powers_for = (key, pw, ipw)
        return self._powers_for[1][: L + 1], self._powers_for[2][:L]

    def advance_block(self, I_nA: np.ndarray) -> BlockResult:
        """Advance len(I_nA) updates; I_nA shape (L,) or (L, N). Equals L calls of step()."""
        p = self.params
        I = np.asarray(I_nA, dtype=float)
        L = I.shape[0]
        if L == 0:
            return BlockResult(np.empty((0, self.n)), np.empty(0, np.int64), np.empty(0, np.int64))
        if L > self.max_block():
            raise ValueError(f"block of {L} updates exceeds max_block() = {self.max_block()}")
        if I.ndim == 1:
            I = I[:, None]
        I = np.broadcast_to(I, (L, self.n))
        ok = self._crossable(I)
        pw, ipw = self._powers(L)
        # Free trajectory from the block start, ignoring threshold and refractoriness:
        # F_k = a^k V_0 + a^(k-1) P_k. A cell (re)starting at update s from V_s follows
        # F_k + a^(k-s) (V_s - F_s) (the system is linear), so restarts cost one pass.
        F = np.empty((L + 1, self.n))
        F[0] = self.V
        np.cumsum(ipw[:, None] * (p.gain * (p.V_rest_mV + p.R_m_MOhm * I)), axis=0, out=F[1:])
        F[1:] *= pw[:L, None]
        F[1:] += pw[1:, None] * self.V
        if self.n == 1:
            out, steps, start = self._segments_one(F[:, 0], pw, None if ok is None else ok[:, 0])
            cells = np.zeros(len(steps), dtype=np.int64)
            out = out[:, None]
        else:
            out, steps, cells, start = self._segments(F, pw, ipw, ok)
        if ok is not None:  # rounding put V at threshold where it cannot be: just below instead
            np.copyto(out, np.nextafter(p.V_thresh_mV, -np.inf), where=~ok & (out >= p.V_thresh_mV))
        # Carry refractoriness into the next block; cells that never spiked decrement it.
        self.ref_left = np.maximum(start - L, 0)
        self.V = out[L - 1].copy()
        return BlockResult(out, steps, cells)

    def _can_cross(self, I: np.ndarray):
        """Where an update from below threshold may reach it: V_{k+1} = a V_k + (1-a) V_inf
        with 0 < a < 1 stays below V_thresh when V_k and V_inf = V_rest + R*I do, so a cell
        at or under rheobase never fires, and the closed form's rounding (~1e-13 mV) must not
        make it fire either. True (no restriction) when a <= 0: V jumps to V_inf at once."""
        p = self.params
        if not p.decay > 0.0:
            return True
        return (p.V_rest_mV + p.R_m_MOhm * I) > p.V_thresh_mV

    def _crossable(self, I: np.ndarray) -> np.ndarray | None:
        """_can_cross for a block (L, N), or None when nothing is excluded. A cell may also
        cross in the first update it integrates from V >= V_thresh (a start state there,
        or a reset at or above threshold: then nothing is excluded)."""
        p = self.params
        if not p.decay > 0.0 or not p.V_reset_mV < p.V_thresh_mV:
            return None
        if p.V_rest_mV + p.R_m_MOhm * I.min() > p.V_thresh_mV:  # every update above rheobase (R > 0)
            return None
        ok = self._can_cross(I)
        start = self.ref_left  # the first update each cell integrates is start + 1
        high = np.flatnonzero((self.V >= p.V_thresh_mV) & (start < len(ok)))
        ok[start[high], high] = True
        return ok

    def _segments_one(self, F: np.ndarray, pw: np.ndarray, ok: np.ndarray | None):
        """One cell: walk from spike to spike with slices (few numpy calls per spike)."""
        p = self.params
        L = len(F) - 1
        ref, v_reset, v_th = p.ref_steps, p.V_reset_mV, p.V_thresh_mV
        out = F[1:].copy()
        s = int(self.ref_left[0])
        Vs = float(F[0])
        if s > 0:
            out[: min(s, L)] = Vs  # clamped at V_reset through the refractory period
        steps = []
        while s < L:
            seg = F[s + 1 :]
            corr = Vs - F[s]
            if corr != 0.0:
                seg = seg + pw[1 : L - s + 1] * corr
            cross = seg >= v_th
            if ok is not None:
                cross &= ok[s:]
            j = int(np.argmax(cross))
            if not cross[j]:  # no crossing before the block ends
                out[s:] = seg
                break
            out[s : s + j] = seg[:j]
            k = s + j + 1  # the update that crossed (1-based)
            out[k - 1 : k + ref] = v_reset
            steps.append(k)
            s, Vs = k + ref, v_reset
        return out, np.array(steps, dtype=np.int64), np.array([s], dtype=np.int64)

    def _segments(self, F: np.ndarray, pw: np.ndarray, ipw: np.ndarray, ok: np.ndarray | None):
        """Many cells: each pass handles the next spike of every cell still to be resolved."""
        p = self.params
        L = len(F) - 1
        ref, v_reset, v_th = p.ref_steps, p.V_reset_mV, p.V_thresh_mV
        karange = np.arange(1, L + 1)
        start = self.ref_left.copy()
        Vs = self.V.copy()
        steps_list, cells_list = [], []
        if not start.any():
            # Common case: nobody refractory at the block start, `out` is the free F.
            out = F[1:].copy()
            cross = out >= v_th
            if ok is not None:
                cross &= ok
            fired = cross.any(axis=0)
            f_cells = np.flatnonzero(fired)
            f_step = cross[:, f_cells].argmax(axis=0) + 1
            k = karange[:, None]
            region = out[:, f_cells]
            out[:, f_cells] = np.where((k >= f_step) & (k <= f_step + ref), v_reset, region)
            steps_list.append(f_step)
            cells_list.append(f_cells)
            Vs[f_cells] = v_reset
            start[f_cells] = f_step + ref
            cells = f_cells[start[f_cells] < L]
        else:
            out = np.where(karange[:, None] <= start, self.V, F[1:])  # refractory cells hold V
            cells = np.flatnonzero(start < L)
        while cells.size:
            s = start[cells]
            lo = int(s.min())
            k = karange[lo:, None]
            # a^(k-s) (V_s - F_s) as an outer product a^k * (a^-s (V_s - F_s)).
            corr = ipw[s] * (Vs[cells] - F[s, cells])
            later = k > s
            traj = F[lo + 1 :, cells] + pw[lo + 1 :, None] * corr
            cross = later & (traj >= v_th)
            if ok is not None:
                cross &= ok[lo:, cells]
            fired = cross.any(axis=0)
            first = np.where(fired, cross.argmax(axis=0) + lo + 1, L + 1)  # 1-based; L+1 = none
            reset = (k >= first) & (k <= first + ref)
            out[lo:, cells] = np.where(later & (k < first), traj, np.where(reset, v_reset, out[lo:, cells]))
            f_cells, f_step = cells[fired], first[fired]
            steps_list.append(f_step)
            cells_list.append(f_cells)
            Vs[f_cells] = v_reset
            start[f_cells] = f_step + ref
            cells = f_cells[start[f_cells] < L]
        st = np.concatenate(steps_list).astype(np.int64) if steps_list else np.empty(0, np.int64)
        ce = np.concatenate(cells_list).astype(np.int64) if cells_list else np.empty(0, np.int64)
        order = np.lexsort((ce, st))
        return out, st[order], ce[order], start


class BlockRunner:
    """Frame-split-invariant fast stepping of a population driven by known input.

    `currents(start_step, n_steps) -> (n_steps, N)` gives the input of updates
    start_step+1 .. start_step+n_steps and must be a pure function of that range (see
    hebblab.sim.inputs). Blocks are computed ahead on a grid fixed by the run's history
    (consecutive blocks of `block_len` from step 0, restarted only by `invalidate()` when
    a parameter changes), never by how `step(n)` is called: step(1000) and 10 x step(100)
    give bit-identical results.
    """

    def __init__(self, pop: LIFPopulation, currents: Callable[[int, int], np.ndarray],
                 block_len: int | None = None):
        self.pop = pop
        self.currents = currents
        self.block_len = block_len
        self.steps = 0  # updates delivered to the caller
        self._block: BlockResult | None = None
        self._block_start = 0  # absolute update count at the block's start
        self._ref_start = pop.ref_left.copy()
        self._pos = 0  # updates of the block already delivered
        self._spike_prob = 2e-3  # spikes per cell-update in the last block (20 Hz at 0.1 ms)

    def _auto_len(self) -> int:
        """Block length balancing per-block overhead against per-spike restarts (each
        costs a pass over the rest of the block): about sqrt(8000 / (cells * spikes per
        cell-update)), from the last block's spikes, so it depends on the run's history only."""
        return int(math.sqrt(8000.0 / (self.pop.n * max(self._spike_prob, 2e-4))))

    def _next_block(self) -> None:
        L = self._auto_len() if self.block_len is None else self.block_len
        L = max(1, min(L, self.pop.max_block()))
        self._block_start = self.steps
        self._ref_start = self.pop.ref_left.copy()
        self._block = self.pop.advance_block(self.currents(self.steps, L))
        self._spike_prob = len(self._block.spike_steps) / (L * self.pop.n)
        self._pos = 0

    def step(self, n: int, sink: Callable[[np.ndarray, np.ndarray, np.ndarray], None] | None = None):
        """Advance n updates, handing each chunk to sink(V rows (m, N), spike update
        indices (absolute), spike cells); without a sink, return the list of chunks.

        A spike at absolute update index j happened at t = j*dt (end of the step). With a
        sink, memory stays bounded however large n is."""
        chunks = [] if sink is None else None
        emit = chunks.append if sink is None else (lambda chunk: sink(*chunk))
        while n > 0:
            if self._block is None or self._pos == len(self._block.V):
                self._next_block()
            blk = self._block
            m = min(n, len(blk.V) - self._pos)
            lo, hi = self._pos, self._pos + m
            sel = (blk.spike_steps > lo) & (blk.spike_steps <= hi)
            self._pos = hi
            self.steps += m
            n -= m
            emit((blk.V[lo:hi], self._block_start + blk.spike_steps[sel], blk.spike_cells[sel]))
        return chunks

    @property
    def V(self) -> np.ndarray:
        """Membrane potentials at the current step."""
        if self._block is None:  # while a block is held, at least one update was delivered
            return self.pop.V
        return self._block.V[self._pos - 1]

    @property
    def ref_left(self) -> np.ndarray:
        """Refractory updates left for each cell at the current step."""
        if self._block is None:
            return self.pop.ref_left
        blk, pos = self._block, self._pos
        left = np.maximum(self._ref_start - pos, 0)
        ref = self.pop.params.ref_steps
        for ks, cell in zip(blk.spike_steps, blk.spike_cells):  # time-ordered: last wins
            if ks > pos:
                break
            left[cell] = max(ref - (pos - ks), 0)
        return left

    def invalidate(self) -> None:
        """Drop the precomputed rest of the block (inputs or parameters changed)."""
        if self._block is None:
            return
        V, ref = self.V.copy(), self.ref_left.copy()
        self.pop.V, self.pop.ref_left = V, ref
        self._block = None
        self._pos = 0

    def set_params(self, params: LIFParams) -> None:
        """New parameters from the current step on."""
        self.invalidate()
        self.pop.params = params
