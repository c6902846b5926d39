"""The distal-reward experiment of Izhikevich (2007): a network, one chosen synapse, dopamine.

An Izhikevich network (sim/izhikevich.py) with dopamine-gated STDP on its excitatory
synapses (sim/plasticity/da_stdp.py; inhibitory weights stay fixed). Every cell gets
random input each 1 ms step, uniform in [-noise/2, +noise/2] mV/ms (daspnet.m: 13).
One excitatory->excitatory synapse is chosen. Rewards (dopamine += reward_uM):
  contingent: whenever its postsynaptic cell fires 0 < t_post - t_pre <= window after the
              presynaptic cell's last spike, a reward follows after a random delay drawn
              uniformly from 1 .. delay_max whole ms (a pre and post spike in the same
              step do not count: a spike needs 1 ms to arrive);
  random:     rewards at random times (a Bernoulli process at rate_hz), whatever the
              network does.
Both modes count the chosen synapse's qualifying pairings.

STDP pairs each spike with the other cell's most recent spike (nearest-spike pairing,
as daspnet.m's traces, which are reset at each spike): a pre spike at t tags its synapse
with -A_minus*exp(-(t - t_post)/tau_minus), a post spike with +A_plus*exp(-(t - t_pre)/tau_plus).

One step k (t = k ms):
  1. input: noise + the synaptic input of step k-1's spikes;
  2. cells integrate; the cells with v >= 30 mV spike, stamped at t; reset;
  3. dopamine and the weights' integral advance over (t - 1, t] (before this instant's events);
  4. pre events of this step's spikes (LTD tags, using the post cells' earlier spikes),
     their current weights go out to the targets' input for step k+1;
  5. post events (LTP tags: a pre spike in the same step counts as pre-before-post, dt = 0);
  6. the reward rule looks at the chosen synapse; rewards due at t are delivered;
  7. every 1000 steps (1 s) all weights are brought up to date and the trace reference moves.
Input noise is drawn in blocks of steps aligned to the absolute step index, each from its
own generator seeded (seed, 2, block), and reward delays from one generator seeded
(seed, 3), so any split of a run into frames gives bit-identical results.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

import numpy as np

from hebblab.sim.izhikevich import IzhikevichCells, OutDegreeConnectivity
from hebblab.sim.plasticity.da_stdp import DopamineSTDP
from hebblab.sim.poisson_blocks import block_rng

DT_MS = 1.0
NOISE_BLOCK_STEPS = 250
REBASE_STEPS = 1000  # trace reference moves (and all weights are brought up to date) every second
REWARD_MODES = ("contingent", "random")
ONE_SPIKE_TABLE_MAX = 100_000  # plastic synapses (the lab's default, 200 cells x 100, has 16000)


@dataclass(frozen=True)
class DistalRewardParams:
    n_cells: int = 1000
    inh_fraction: float = 0.2
    out_degree: int = 100
    w_init_mV: float = 1.0
    w_i_mV: float = -1.0
    w_max_mV: float = 4.0
    noise_mV: float = 13.0
    A_plus: float = 1.0
    A_minus: float = 1.5
    tau_plus_ms: float = 20.0
    tau_minus_ms: float = 20.0
    tau_c_ms: float = 1000.0
    tau_d_ms: float = 200.0
    eta: float = 2.5  # mV/(uM s): dw/dt = eta*c*d
    tonic_uM: float = 0.002
    reward_uM: float = 0.5
    reward_mode: str = "contingent"
    reward_window_ms: float = 10.0
    reward_delay_max_ms: float = 1000.0
    reward_rate_hz: float = 0.04


@dataclass
class Block:
    """What happened in one call of `advance`: per step k = first .. first + n - 1."""

    first: int
    dopamine: np.ndarray  # d + tonic after the step's rewards (uM)
    eligibility: np.ndarray  # c of the chosen synapse after the step's events
    spike_steps: np.ndarray
    spike_cells: np.ndarray
    reward_steps: list[int]
    weight_rows: list[tuple[int, float, float, float, float]]  # each second: step, w_target and the
    # others' mean, 95th percentile and maximum


class DistalRewardNetwork:
    def __init__(self, p: DistalRewardParams, seed: int):
        if p.reward_mode not in REWARD_MODES:
            raise ValueError(f"reward_mode must be one of {REWARD_MODES}")
        self.p = p
        self.seed = int(seed)
        n_exc = int(round(p.n_cells * (1.0 - p.inh_fraction)))
        if n_exc < 2:
            raise ValueError("need at least 2 excitatory cells")
        conn_rng = np.random.default_rng([self.seed, 0])
        self.conn = conn = OutDegreeConnectivity.random(p.n_cells, n_exc, p.out_degree, conn_rng)
        self.cells = IzhikevichCells(p.n_cells, n_exc)
        # The chosen synapse: a random excitatory -> excitatory one.
        ee = np.flatnonzero(conn.post[: conn.n_plastic] < n_exc)
        if ee.size < 2:
            raise ValueError("the network has fewer than 2 excitatory -> excitatory synapses")
        self.target = int(ee[conn_rng.integers(ee.size)])
        self.target_pre = int(conn.pre(self.target))
        self.target_post = int(conn.post[self.target])
        w0 = np.full(conn.n_plastic, p.w_init_mV)
        self.plast = DopamineSTDP(w0, p.w_max_mV, p.tau_c_ms, p.tau_d_ms, p.eta / 1000.0, p.tonic_uM)
        # The chosen synapse is compared with its own kind: the other E -> E synapses (E -> I
        # ones sink faster, their fast-spiking targets fire more often, mostly LTD).
        self.others = conn.post[: conn.n_plastic] < n_exc
        self.others[self.target] = False
        self.t_last = np.full(p.n_cells, -np.inf)  # last spike of each cell (ms)
        self._in_pre = conn.pre(conn.in_syn)  # presynaptic cell of each entry of in_syn
        # The one-spike path's table, 32 bytes a plastic synapse: only for networks small enough
        # to have single-spike steps often (5000 cells have several spikes every step: the table
        # added 15 MB and saved no time there).
        self._events = _CellEvents(conn, self._in_pre) if conn.n_plastic <= ONE_SPIKE_TABLE_MAX else None
        self.syn_in = np.zeros(p.n_cells)  # input for the next step from this step's spikes
        self._current = np.zeros(p.n_cells)  # scratch: noise + syn_in
        self._syn_quiet = True  # syn_in is all zeros (no spike last step)
        self.step_count = 0
        self._noise_block = -1
        self._noise = np.zeros((0, p.n_cells))
        self.reward_rng = np.random.default_rng([self.seed, 3])
        self.pending: list[int] = []  # steps at which contingent rewards are due (a heap)
        self.next_random = self._draw_random(0)
        self.rewards = 0
        self.pairings = 0

    # -- settings that may change mid-run -------------------------------------------------
    def set_eta(self, eta: float) -> None:
        """eta in mV/(uM s), from now on."""
        self.plast.set_eta(eta / 1000.0)

    def set_rate(self, rate_hz: float) -> None:
        self.p = replace(self.p, reward_rate_hz=rate_hz)
        self.next_random = self._draw_random(self.step_count)

    def set_value(self, **kw) -> None:
        """tonic_uM or reward_uM: read every step, so a change applies from the next step."""
        self.p = replace(self.p, **kw)
        self.plast.d_tonic = self.p.tonic_uM

    def _draw_random(self, after: int) -> int | None:
        if self.p.reward_mode != "random" or self.p.reward_rate_hz <= 0:
            return None
        prob = min(1.0, self.p.reward_rate_hz * DT_MS / 1000.0)
        return after + int(self.reward_rng.geometric(prob))

    # -- stepping -----------------------------------------------------------------------
    def _noise_row(self, k: int) -> np.ndarray:
        block, row = divmod(k - 1, NOISE_BLOCK_STEPS)
        if block != self._noise_block:
            rng = block_rng(self.seed, 2, block)
            self._noise = self.p.noise_mV * (rng.random((NOISE_BLOCK_STEPS, self.p.n_cells)) - 0.5)
            self._noise_block = block
        return self._noise[row]

    def advance(self, n_steps: int) -> Block:
        p, conn, cells, plast = self.p, self.conn, self.cells, self.plast
        n_exc, post, m = conn.n_exc, conn.post, conn.out_degree
        in_ptr, in_syn, in_pre = conn.in_ptr.tolist(), conn.in_syn, self._in_pre
        exp, add_at = np.exp, np.add.at
        first = self.step_count + 1
        dopamine = np.empty(n_steps)
        elig = np.empty(n_steps)
        spike_steps, spike_cells, reward_steps, weight_rows = [], [], [], []
        t_last, syn_in, current = self.t_last, self.syn_in, self._current
        tp, tq, target = self.target_pre, self.target_post, self.target
        window, contingent = p.reward_window_ms, p.reward_mode == "contingent"
        delay_steps = max(1, int(round(p.reward_delay_max_ms / DT_MS)))
        for i in range(n_steps):
            k = first + i
            t = k * DT_MS
            noise = self._noise_row(k)
            if self._syn_quiet:  # nothing fired last step (most steps): the input is the noise alone
                fired = cells.step(noise)
            else:
                fired = cells.step(np.add(noise, syn_in, out=current))
                syn_in.fill(0.0)  # now collects this step's spikes for step k + 1
            plast.advance(DT_MS)
            self._syn_quiet = not fired.size
            if fired.size:
                spike_steps.append(np.full(fired.size, k))
                spike_cells.append(fired)
                listed = fired.tolist()
                if len(listed) == 1 and self._events is not None:  # most spiking steps have one spike
                    self._one_spike(listed[0], t)
                else:
                    for c in listed:  # pre events: LTD tags, then the spike goes out with today's weights
                        out = slice(c * m, c * m + m)
                        if c < n_exc:
                            plast.tag(out, -p.A_minus * exp((t_last[post[out]] - t) / p.tau_minus_ms))
                            add_at(syn_in, post[out], plast.w[out])
                        else:
                            add_at(syn_in, post[out], p.w_i_mV)
                    t_last[fired] = t
                    for c in listed:  # post events: LTP tags
                        lo, hi = in_ptr[c], in_ptr[c + 1]
                        if hi > lo:
                            plast.tag(in_syn[lo:hi], p.A_plus * exp((t_last[in_pre[lo:hi]] - t) / p.tau_plus_ms))
                if tq in listed and 0.0 < t - t_last[tp] <= window:
                    self.pairings += 1
                    if contingent:
                        heapq.heappush(self.pending, k + int(self.reward_rng.integers(1, delay_steps + 1)))
            due = 0
            while self.pending and self.pending[0] <= k:
                heapq.heappop(self.pending)
                due += 1
            if self.next_random is not None and self.next_random <= k:
                due += 1
                self.next_random = self._draw_random(k)
            if due:
                plast.reward(due * p.reward_uM)
                self.rewards += due
                reward_steps.extend([k] * due)
            dopamine[i] = plast.d + plast.d_tonic
            elig[i] = plast.chat[target] * plast.fc
            if k % REBASE_STEPS == 0:
                plast.rebase()
                w = plast.w[self.others]
                weight_rows.append((k, float(plast.w[target]), float(w.mean()), float(np.percentile(w, 95.0)),
                                    float(w.max())))
        self.step_count += n_steps
        cat = np.concatenate
        steps = cat(spike_steps) if spike_steps else np.zeros(0, dtype=np.int64)
        cells_ = cat(spike_cells) if spike_cells else np.zeros(0, dtype=np.int64)
        return Block(first, dopamine, elig, steps, cells_, reward_steps, weight_rows)

    def _one_spike(self, c: int, t: float) -> None:
        """The events of step t when cell c alone spiked: what the general path in `advance`
        does for one cell, bit for bit, with one tag over all of c's synapses. Its outgoing
        synapses (LTD) and incoming ones (LTP) are distinct (no cell targets itself), and
        neither set's other cells include c, so stamping t_last[c] first changes nothing."""
        p, plast, ev = self.p, self.plast, self._events
        lo, mid, hi = ev.bounds[c]
        syn, other = ev.syn[lo:hi], ev.other[lo:hi]
        amount = self.t_last[other]
        amount -= t
        pre, post_ = amount[: mid - lo], amount[mid - lo:]
        pre /= p.tau_minus_ms
        post_ /= p.tau_plus_ms
        np.exp(amount, out=amount)
        pre *= -p.A_minus
        post_ *= p.A_plus
        plast.tag(syn, amount)
        targets = self.conn.post[c * self.conn.out_degree:(c + 1) * self.conn.out_degree]
        if c < self.conn.n_exc:  # distinct targets; syn_in is all zeros before a step's spikes
            self.syn_in[targets] += plast.w[syn[: mid - lo]]
        else:
            self.syn_in[targets] += p.w_i_mV
        self.t_last[c] = t

    # -- reading ------------------------------------------------------------------------
    def weights(self) -> np.ndarray:
        """Every excitatory weight now (mV), without changing the run."""
        return self.plast.weights()

    def finite(self) -> bool:
        return bool(np.isfinite(self.cells.v).all() and np.isfinite(self.plast.w).all())


class _CellEvents:
    """Per cell, the plastic synapses a spike of it tags and their other cells, as one CSR
    table: cell c's entries bounds[c] = (lo, mid, hi), lo..mid its outgoing synapses (LTD,
    none for an inhibitory cell), mid..hi its incoming excitatory ones (LTP)."""

    def __init__(self, conn: OutDegreeConnectivity, in_pre: np.ndarray):
        m, n, n_exc = conn.out_degree, conn.n, conn.n_exc
        syn, other, bounds, at = [], [], [], 0
        for c in range(n):
            out = np.arange(c * m, c * m + m) if c < n_exc else np.zeros(0, dtype=np.int64)
            lo, hi = conn.in_ptr[c], conn.in_ptr[c + 1]
            syn += [out, conn.in_syn[lo:hi]]
            other += [conn.post[out], in_pre[lo:hi]]
            bounds.append((at, at + out.size, at + out.size + (hi - lo)))
            at = bounds[-1][2]
        self.syn = np.concatenate(syn).astype(np.intp)
        self.other = np.concatenate(other).astype(np.intp)
        self.bounds = bounds
