"""hebblab's distal-reward (rstdp) network and a Brian2 one, given the same network, spike for spike.

What is compared: the (step, cell) of every spike of the Izhikevich network of
sim/distal_reward.py (cells: sim/izhikevich.py), weights frozen, against a Brian2 network
built here from the same connectivity, weights, initial state and input noise, over 2 s
(2000 steps of 1 ms) for the `quick` preset's network (60 cells, out_degree 30, noise 16)
and the default preset's (200 cells, out_degree 100, noise 13).

Why they agree. Plasticity is frozen with the lab's own switch (freeze=True, so
`plast.plastic` is False): no dopamine integral accrues, a weight brought up to date stays
what it was, so both sides see constant weights (checked after the run). The Brian2 side
does not call hebblab's step: a NeuronGroup of dimensionless v, u (mV) whose update is a
`run_regularly` in the 'groups' slot at dt = 1 ms doing daspnet.m's step in the scalar form
    I = noise(t, i) + I_syn;  I_syn = 0
    v = v + 0.5*(0.04*v**2 + 5*v + 140 - u + I)   (twice)
    u = u + a*(b*v - u)
then threshold v >= 30 and reset v = c; u = u + d. The noise is a TimedArray whose row
k - 1 is hebblab's noise row of step k (`DistalRewardNetwork._noise_row(k)`), so the input
is identical. Synapses (one connect(i=pre, j=post) from `net.conn`: synapse j from cell
j // out_degree; excitatory weights `plast.w`, inhibitory `p.w_i_mV`) with on_pre
`I_syn_post += w` and no delay. Brian2's schedule per step (Network.scheduling_summary):
groups (the run_regularly; the group's own state updater has no equations), thresholds
(then the SpikeMonitor), synapses, resets: a spike found in step k's thresholds
slot is propagated in the same step's synapses slot into I_syn, after the groups slot
has already consumed and cleared I_syn, so it enters the input of step k + 1: hebblab's
1 ms delay (a delay of 1 ms on the synapses would deliver it in step k + 1's synapses slot,
after that step's update, i.e. two steps late). Brian2 stamps a spike at the START of its
step, t = (k - 1) ms, hebblab at the end, t = k ms: Brian2's stamps are shifted by one step.

The two sides compute the same step with differently ordered float operations (hebblab
writes a half step as (0.02 v + 3.5) v + (70 + 0.5 (I - u)), u as (1 - a) u + a b v, and
sums a step's synaptic input in another order). Measured: after 2 s the two sides' v and u
differ by at most ~1e-11 mV, while the closest any v came to 30 mV in a step was 0.18 mV
(quick) and 0.39 mV (200 cells): the upswing crosses 30 mV by far more than the rounding,
so no threshold decision flips and every spike matches over the 2 s of both networks. The
test requires every spike to match and reports the first mismatch. It does fail when the
timing is off: with a 1 ms delay on the Brian2 synapses (a spike two steps late) the first
mismatch comes at spike 2 (quick) and spike 10 (200 cells), the same cell one step later.

The weights all start at w_init_mV, so a third case freezes random weights, uniform in
[0, 2] mV, in the quick network (415 spikes, all matched): a synapse's weight must reach
the right target.
(eta = 0 would keep the weights constant as well; `freeze` is the lab's switch for it.)

Skips when brian2 is missing or cannot be imported (brian2 2.9.0 fails on numpy >= 2.4,
where ndarray.ptp is gone).
"""

import numpy as np
import pytest

from tests.brian2_usable import brian2_or_skip

b2 = brian2_or_skip()

from hebblab.sim.labs.rstdp import RstdpLab

DURATION_MS = 2000.0

STEP = """
I_in = noise(t, i) + I_syn
I_syn = 0
v = v + 0.5*(0.04*v**2 + 5*v + 140 - u + I_in)
v = v + 0.5*(0.04*v**2 + 5*v + 140 - u + I_in)
u = u + a*(b*v - u)
"""


def brian2_izhikevich_spikes(net, n_steps, extra_delay_ms=0.0):
    """Brian2's run of `net` (a fresh DistalRewardNetwork, weights frozen) for n_steps 1 ms
    steps: (steps, cells), 1-based steps in hebblab's end-of-step convention."""
    assert net.step_count == 0
    p, conn, cells = net.p, net.conn, net.cells
    noise_rows = np.stack([net._noise_row(k) for k in range(1, n_steps + 1)])
    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    b2.defaultclock.dt = 1 * b2.ms
    ns = {"noise": b2.TimedArray(noise_rows, dt=1 * b2.ms)}
    eqs = """
    v : 1
    u : 1
    I_syn : 1
    a : 1 (constant)
    b : 1 (constant)
    c : 1 (constant)
    d : 1 (constant)
    """
    group = b2.NeuronGroup(conn.n, eqs, threshold="v >= 30", reset="v = c; u = u + d", namespace=ns)
    group.a, group.b, group.c, group.d = cells.a, cells.b, cells.c, cells.d
    group.v, group.u = cells.v, cells.u
    group.I_syn = 0
    group.run_regularly(STEP, when="groups")
    pre = conn.pre(np.arange(conn.post.size))
    w = np.concatenate([net.plast.w, np.full(conn.post.size - conn.n_plastic, p.w_i_mV)])
    syn = b2.Synapses(group, group, model="w : 1 (constant)", on_pre="I_syn_post += w",
                      delay=extra_delay_ms * b2.ms)
    syn.connect(i=pre, j=conn.post)
    assert np.array_equal(syn.i[:], pre) and np.array_equal(syn.j[:], conn.post)
    syn.w = w
    monitor = b2.SpikeMonitor(group)
    b2.Network(group, syn, monitor).run(n_steps * b2.ms, namespace=ns)
    start_steps = np.round(np.asarray(monitor.t / b2.ms)).astype(np.int64)
    return start_steps + 1, np.asarray(monitor.i, dtype=np.int64)


def _sorted_pairs(steps, cells):
    order = np.lexsort((cells, steps))
    return np.stack([steps[order], cells[order]], axis=1)


def _first_mismatch(ours, theirs):
    n = min(len(ours), len(theirs))
    differ = np.flatnonzero(np.any(ours[:n] != theirs[:n], axis=1))
    return int(differ[0]) if differ.size else n


@pytest.mark.parametrize("preset, seed, random_weights, min_spikes", [
    ("quick", 3, False, 350),  # 60 cells, out_degree 30, noise 16: 429 spikes in 2 s
    (None, 5, False, 400),  # 200 cells, out_degree 100, noise 13: 512 spikes
    ("quick", 8, True, 350),  # the quick network, its weights frozen at random values
])
def test_rstdp_network_spikes_agree_spike_for_spike_with_brian2(preset, seed, random_weights, min_spikes):
    lab = RstdpLab({"freeze": True}, seed=seed, preset=preset)
    net = lab.net
    assert not net.plast.plastic
    if random_weights:
        net.plast.w[:] = np.random.default_rng(seed).uniform(0.0, 2.0, net.plast.w.size)
    n_steps = lab.steps_for(DURATION_MS)
    w0 = net.plast.w.copy()
    bs, bc = brian2_izhikevich_spikes(net, n_steps)
    block = net.advance(n_steps)
    assert np.array_equal(net.weights(), w0) and np.array_equal(net.plast.w, w0)  # frozen: constant weights
    ours = _sorted_pairs(block.spike_steps, block.spike_cells)
    theirs = _sorted_pairs(bs, bc)
    assert ours.shape[0] > min_spikes  # the network is active: a real comparison
    first = _first_mismatch(ours, theirs)
    where = (f"{len(ours)} hebblab spikes, {len(theirs)} Brian2; first mismatch at spike {first}: hebblab "
             f"(step, cell) {ours[first].tolist() if first < len(ours) else None}, "
             f"Brian2 {theirs[first].tolist() if first < len(theirs) else None}")
    assert first == len(ours) == len(theirs), where
