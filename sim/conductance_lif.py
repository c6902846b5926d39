"""One LIF cell driven by many plastic excitatory synapses (Song, Miller & Abbott 2000).

    tau_m dV/dt = (E_l - V) + g_e * D,    tau_e dg_e/dt = -g_e
g_e is in units of the leak conductance; a pre spike on synapse i adds w_i to g_e.
D = E_e - V (a conductance synapse: the model of docs/science.md, whose numbers Brian2 reproduces
with `ge * (Ee-v)`) or, with `fixed_drive`, the constant E_e - V_r (what Brian2's
examples/synapses/STDP.py file now writes: `ge * (Ee-vr)`).
Spike when V > V_t, then V = V_r (no refractory period).

Order of operations in step k (from t = (k-1)*dt to k*dt):
  1. input spikes of step k: g_e += w_i (the weight before this spike's own update);
     pair STDP pre event: w_i += x_post (LTD), x_pre_i bumped;
  2. g_e decays by forward Euler, as Brian2's `method='euler'`:
     g_e(k) = d * g_e(k-1) + inputs(k), d = 1 - dt/tau_e
     (step 1 adds into the decayed value: same numbers, stated once). Why Euler, not
     exp(-dt/tau_e): step 3 sums g_e once per step, and with d = 1 - dt/tau_e one input
     of weight w gives V exactly the continuous model's conductance integral w*tau_e;
     exp(-dt/tau_e) would give w*dt/(1 - exp(-dt/tau_e)), 1 % more at dt 0.1, tau_e 5,
     which raises the Song first-10 s rate by about 3 Hz (7 %);
  3. forward Euler for V with g_e(k): V(k) = V(k-1) + dt/tau_m*((E_l - V) + g_e(k)*D);
  4. threshold V(k) > V_t: spike stamped t = k*dt, V = V_r; post event:
     w += x_pre (LTP, includes pre spikes of the same step), x_post bumped.

Why this is fast without compiled code: between two output spikes the weights only
change at pre spikes (depression by the post trace, known in closed form), and g_e and
V obey linear recurrences. So the engine computes a whole chunk of up to
`chunk_steps` steps with vector operations: per-event weights (repeated spikes of one
input in a chunk handled in rank order), g_e by a scaled cumulative sum, V by a
cumulative product/sum, then the first threshold crossing; it commits the chunk up to
that spike and starts the next chunk after it. A chunk with many input events is
computed in growing pieces that stop at the spike (each piece continues the running
sums exactly, so the numbers are those of the whole chunk): a cell firing every step
then costs a short piece per spike instead of a whole chunk, so the work grows with
steps plus events, not steps times spikes. A chunk's numbers depend only on the
state at its start, and chunk starts depend only on the state (previous spike or
chunk end), never on frame boundaries: a frame ending inside a chunk keeps the
computed chunk pending and reads the visible state from it. So any split of a run
into frames gives bit-identical results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from hebblab.sim.plasticity.stdp import PairSTDP

MAX_EXP = 200.0  # chunk length keeps the g_e decay's d**-L (and V's) below e^200 (no overflow)
MAX_BLOCK_TAUS = 600.0  # block length / STDP tau: keeps exp(+-ratio) finite and nonzero
PIECE_EVENTS = 4096  # a chunk with fewer input events is computed whole: pieces would not pay


@dataclass(frozen=True)
class CellParams:
    tau_m_ms: float = 10.0
    E_l_mV: float = -74.0
    V_t_mV: float = -54.0
    V_r_mV: float = -60.0
    E_e_mV: float = 0.0
    tau_e_ms: float = 5.0
    dt_ms: float = 0.1
    fixed_drive: bool = False  # True: g_e*(E_e - V_r) (Brian2's STDP.py file); False: g_e*(E_e - V)


class _Block:
    """One block's input spikes plus indexes computed once per block."""

    def __init__(self, j: int, n_steps: int, steps: np.ndarray, inputs: np.ndarray, dt: float,
                 tau_pre_ms: float, tau_post_ms: float):
        start = j * n_steps  # absolute step before the block's first step
        self.start = start
        self.t0 = start * dt  # block start time (ms)
        self.local = np.asarray(steps, dtype=np.int64)  # 0 .. n_steps-1: absolute step start+1+local
        self.inputs = np.asarray(inputs, dtype=np.intp)
        self.t = (self.local + (start + 1)) * dt  # spike times (ms)
        # Decay factors relative to the block start (bounded: block length / tau <= MAX_BLOCK_TAUS).
        self.e_post = np.exp((self.t0 - self.t) / tau_post_ms)
        self.e_pre = np.exp((self.t - self.t0) / tau_pre_ms)
        # ptr[m]: number of events with absolute step <= start + m.
        self.ptr = np.searchsorted(self.local, np.arange(n_steps + 1) - 1, "right")
        # occ: how many earlier spikes the same input had in this block; prev: the index of the last one.
        n = self.inputs.size
        # Stable sort by input; int16 keys let numpy use its (much faster) radix sort.
        keys = self.inputs.astype(np.int16) if self.inputs.size and self.inputs.max() < 2**15 else self.inputs
        order = np.argsort(keys, kind="stable")
        si = self.inputs[order]
        same = np.zeros(n, dtype=bool)
        same[1:] = si[1:] == si[:-1]
        pos = np.arange(n)
        occ_sorted = pos - np.maximum.accumulate(np.where(same, 0, pos))
        self.occ = np.empty(n, dtype=np.int64)
        self.occ[order] = occ_sorted
        self.prev = np.full(n, -1, dtype=np.int64)
        self.prev[order[same]] = order[np.flatnonzero(same) - 1]
        self.next = np.full(n, n, dtype=np.int64)  # index of the input's next spike (n: none)
        self.next[self.prev[order[same]]] = order[same]


@dataclass
class _Chunk:
    s0: int
    lo: int  # first event (index into the block)
    cut: int  # last step of the chunk (the spike step if spiked)
    spiked: bool
    v: np.ndarray  # V after steps s0+1 .. s0+len
    g: np.ndarray
    w_after: np.ndarray  # per event: the weight after its own LTD


class PlasticCondLIF:
    """The cell, its weights w (n,) and pair-STDP traces (the rule gives the arithmetic).

    `blocks(j)` returns the input spikes of block j as (step, input) arrays sorted by
    step, steps local to the block (0 .. block_steps-1 = absolute steps
    j*block_steps+1 .. (j+1)*block_steps).
    Traces: all-to-all keeps x_pre for every input at one common time (so an output
    spike reads all of them with one scalar decay); nearest keeps each input's last
    spike time. The post trace is one scalar with its time.
    """

    def __init__(self, cell: CellParams, rule: PairSTDP, w0: np.ndarray,
                 blocks: Callable[[int], tuple[np.ndarray, np.ndarray]], block_steps: int,
                 chunk_steps: int = 512):
        self.cell = cell
        self.rule = rule
        self.n = int(w0.size)
        self.w = np.array(w0, dtype=float).reshape(self.n)
        self.blocks = blocks
        self.block_steps = int(block_steps)
        dt, tau_e = cell.dt_ms, cell.tau_e_ms
        if self.block_steps * dt / min(rule.tau_plus_ms, rule.tau_minus_ms) > MAX_BLOCK_TAUS:
            raise ValueError("input block too long for the STDP time constants (block_steps*dt/tau > 600)")
        self.L = max(1, min(int(chunk_steps), int(MAX_EXP * tau_e / dt)))
        j = np.arange(self.L + 1)
        if not dt < tau_e:
            raise ValueError("Euler decay of g_e needs dt < tau_e")
        d = 1.0 - dt / tau_e
        self.L = min(self.L, max(1, int(MAX_EXP / -np.log(d))))  # keeps d**-L finite
        self._gpow = d ** j
        self._ginv = 1.0 / self._gpow
        self.a = dt / cell.tau_m_ms
        if cell.fixed_drive:
            self._drive = cell.E_e_mV - cell.V_r_mV
            self.L = min(self.L, max(1, int(MAX_EXP / -np.log1p(-self.a))))
            self._vpow = (1.0 - self.a) ** j
            self._vinv = 1.0 / self._vpow
        self.v = cell.E_l_mV
        self.g = 0.0
        self.s = 0  # committed steps
        self.plastic = True
        self.error: str | None = None
        # traces
        self.y_pre = np.zeros(self.n)  # all-to-all: x_pre(t) = y_pre * exp(-(t - t_ref)/tau_plus)
        self.t_ref = 0.0  # start of the current block
        self.t_last_pre = np.full(self.n, -np.inf)  # nearest: last spike time per input
        self.x_post = 0.0
        self.t_post = 0.0
        self._cnt = np.zeros(self.n, dtype=np.int64)  # committed spikes per input in this block
        self._pending: _Chunk | None = None
        self._blk: _Block | None = None
        self._piece = self.L  # steps in a chunk's first piece (adapts to the output rate)

    # -- public -------------------------------------------------------------------
    def advance(self, target: int) -> list[int]:
        """Run to step `target`; returns the output spike steps committed on the way."""
        spikes: list[int] = []
        while self.s < target and self.error is None:
            ch = self._pending if self._pending is not None else self._compute()
            if ch is None:
                break
            if ch.cut <= target:
                self._pending = None
                self._commit(ch, ch.cut)
                if ch.spiked:
                    spikes.append(ch.cut)
            else:
                self._pending = ch
                break
        return spikes

    def materialize(self, target: int) -> None:
        """Commit the pending chunk up to `target` (before a live parameter change)."""
        ch = self._pending
        self._pending = None
        if ch is not None and self.s < target:
            self._commit(ch, target)

    def weights_at(self, target: int) -> np.ndarray:
        """Weights (n,) at step `target` (>= committed), without changing the state."""
        w = self.w.copy()
        ch = self._pending
        if ch is not None and target > self.s:
            self._write_weights(ch, target, w, update_state=False)
        return w

    def v_at(self, target: int) -> float:
        ch = self._pending
        if ch is not None and target > self.s:
            return float(ch.v[target - ch.s0 - 1])
        return float(self.v)

    def pre_traces_at(self, t_ms: float) -> np.ndarray:
        rule = self.rule
        if rule.nearest:
            return rule.A_plus * np.exp((self.t_last_pre - t_ms) / rule.tau_plus_ms)
        return self.y_pre * np.exp((self.t_ref - t_ms) / rule.tau_plus_ms)

    def post_trace_at(self, t_ms):
        return self.x_post * np.exp((self.t_post - t_ms) / self.rule.tau_minus_ms)

    # -- chunks ---------------------------------------------------------------------
    def _block(self, j: int) -> _Block:
        if self._blk is None or self._blk.start != j * self.block_steps:
            self._blk = None  # nothing refers to the old block now: free it before drawing the next
            steps, inputs = self.blocks(j)
            self._blk = _Block(j, self.block_steps, steps, inputs, self.cell.dt_ms,
                               self.rule.tau_plus_ms, self.rule.tau_minus_ms)
            self._cnt[:] = 0
            self.y_pre *= np.exp((self.t_ref - self._blk.t0) / self.rule.tau_plus_ms)
            self.t_ref = self._blk.t0
        return self._blk

    def _compute(self) -> _Chunk | None:
        """The chunk from the committed step s: up to L steps (or to the block end), cut at
        the first output spike. It is computed in growing pieces that stop at the spike, each
        continuing the cumulative sums/products where the last stopped (carry added into the
        first term: the same sequential additions), so the numbers equal computing the whole
        chunk at once, and a cell that fires every step costs a short piece per spike, not a
        whole chunk: cost grows with steps plus events, not steps times spikes."""
        c, rule, s0 = self.cell, self.rule, self.s
        blk = self._block(s0 // self.block_steps)
        end = min(s0 + self.L, blk.start + self.block_steps)
        n_steps = end - s0
        base = s0 - blk.start  # chunk start, local to the block
        lo, hi = int(blk.ptr[base]), int(blk.ptr[end - blk.start])
        plastic = self.plastic
        xp0 = self.x_post * np.exp((self.t_post - blk.t0) / rule.tau_minus_ms) if plastic else 0.0
        w_after = np.empty(hi - lo)
        g = np.empty(n_steps)
        v = np.empty(n_steps)
        g_carry = v_carry = p_carry = 0.0  # running sums (and the product) at the piece start
        loop = False  # extreme conductance: plain Euler loop from here to the chunk end
        k0, size = 0, (n_steps if hi - lo <= PIECE_EVENTS else self._piece)  # few events: one piece
        while True:
            k1 = min(k0 + size, n_steps)
            e0, e1 = int(blk.ptr[base + k0]), int(blk.ptr[base + k1])
            inc = self._piece_inputs(blk, lo, e0, e1, base + k0, k1 - k0, w_after, xp0)
            terms = inc * self._ginv[k0 + 1 : k1 + 1]
            if k0:
                terms[0] += g_carry
            cs = terms.cumsum()
            g_carry = cs[-1]
            gp = g[k0:k1]
            np.multiply(self._gpow[k0 + 1 : k1 + 1], self.g + cs, out=gp)
            vp = v[k0:k1]
            if c.fixed_drive:
                terms = self.a * (c.E_l_mV + self._drive * gp) * self._vinv[k0 + 1 : k1 + 1]
                if k0:
                    terms[0] += v_carry
                cs = terms.cumsum()
                v_carry = cs[-1]
                np.multiply(self._vpow[k0 + 1 : k1 + 1], self.v + cs, out=vp)
            else:
                cf = 1.0 - self.a * (1.0 + gp)
                if cf.min() <= 0.0:
                    self.error = ("Euler step unstable: dt_ms*(1+g_e)/tau_m_ms >= 1 (input conductance too "
                                  "large); lower dt_ms, g_max or the number/rate of inputs")
                    return None
                b = self.a * (c.E_l_mV + gp * c.E_e_mV)
                if not loop:
                    head = cf[0]
                    if k0:
                        cf[0] *= p_carry
                    P = np.cumprod(cf)
                    cf[0] = head
                    p_carry = P[-1]
                    loop = not p_carry > 1e-250  # 1/P would overflow: the loop below instead
                if not loop:
                    terms = b / P
                    if k0:
                        terms[0] += v_carry
                    cs = terms.cumsum()
                    v_carry = cs[-1]
                    np.multiply(P, self.v + cs, out=vp)
                else:
                    x = v[k0 - 1] if k0 else self.v
                    for k in range(k1 - k0):
                        x = cf[k] * x + b[k]
                        vp[k] = x
            above = vp > c.V_t_mV
            first = int(above.argmax())
            spiked = bool(above[first])
            if spiked or k1 == n_steps or not np.isfinite(vp[-1]):
                break
            k0, size = k1, 2 * size
        cut = s0 + k0 + 1 + first if spiked else s0 + k1
        if not np.isfinite(v[cut - s0 - 1]):  # NaN would propagate to the chunk's last value
            self.error = "membrane potential is not finite: lower dt_ms or g_max"
            return None
        if spiked:  # next chunk's first piece: whole unless the cell fires fast, then ~2 ISIs
            isi = cut - s0
            self._piece = self.L if 4 * isi >= self.L else 2 * isi
        return _Chunk(s0, lo, cut, spiked, v, g, w_after)

    def _piece_inputs(self, blk: _Block, lo: int, e0: int, e1: int, first_step: int, n_steps: int,
                      w_after: np.ndarray, xp0: float) -> np.ndarray:
        """Input of a piece: fill w_after for its events e0..e1-1 (chunk events start at lo)
        and return the summed weights per step (g_e's increments)."""
        if e1 == e0:
            return np.zeros(n_steps)
        rule = self.rule
        ev_in = blk.inputs[e0:e1]
        w_used = self.w[ev_in]
        seg = w_after[e0 - lo : e1 - lo]  # a view: what this piece writes, later pieces read
        if self.plastic:
            xp = xp0 * blk.e_post[e0:e1]  # post trace at each spike: scalar * per-block decay
            rank = blk.occ[e0:e1] - self._cnt[ev_in]  # earlier spikes of the same input in this chunk
            seg[:] = rule.depress(w_used, xp)
            rep = rank.nonzero()[0]
            if rep.size:  # a repeat sees its input's weight after the earlier LTD, in rank order
                rep_rank = rank[rep]
                rep_prev = blk.prev[e0 + rep] - lo  # chunk-wide: may lie in an earlier piece
                for q in range(int(rep_rank.min()), int(rep_rank.max()) + 1):
                    at = rep_rank == q
                    sel = rep[at]
                    w_used[sel] = w_after[rep_prev[at]]
                    seg[sel] = rule.depress(w_used[sel], xp[sel])
        else:
            seg[:] = w_used
        return np.bincount(blk.local[e0:e1] - first_step, weights=w_used, minlength=n_steps)

    def _write_weights(self, ch: _Chunk, upto: int, w: np.ndarray, update_state: bool) -> int:
        """Write into w each input's weight after its last chunk spike with step <= upto;
        returns how many of the chunk's events that covers."""
        blk = self._blk
        end = int(blk.ptr[upto - blk.start])
        n_c = end - ch.lo
        last = (blk.next[ch.lo : end] >= end).nonzero()[0]  # each input's last spike so far
        idx = blk.inputs[ch.lo + last]
        w[idx] = ch.w_after[last]
        if update_state:
            self._cnt[idx] = blk.occ[ch.lo + last] + 1
            if self.rule.nearest:
                self.t_last_pre[idx] = blk.t[ch.lo + last]
        return n_c

    def _commit(self, ch: _Chunk, upto: int) -> None:
        rule, c, blk = self.rule, self.cell, self._blk
        n_c = self._write_weights(ch, upto, self.w, update_state=True)
        t_now = upto * c.dt_ms
        if n_c and not rule.nearest:  # all-to-all: every pre spike adds A_plus to its trace
            sl = slice(ch.lo, ch.lo + n_c)
            self.y_pre += np.bincount(blk.inputs[sl], weights=rule.A_plus * blk.e_pre[sl], minlength=self.n)
        k = upto - ch.s0 - 1
        self.g = float(ch.g[k])
        self.v = float(ch.v[k])
        self.s = upto
        if ch.spiked and upto == ch.cut:
            self.v = c.V_r_mV
            if self.plastic:
                self.w = rule.potentiate(self.w, self.pre_traces_at(t_now))
            self.x_post = float(rule.bump_post(np.array([self.post_trace_at(t_now)]))[0])
            self.t_post = t_now
