"""Step order, timing, units and seeding of the hopfield lab, as its docstrings state them.

Sources: sim/hopfield_net.py, sim/labs/hopfield.py.

Each expectation is worked out here by hand from the docstring (the raster, the inputs the
engine drew, or a closed form), never by calling the engine's own code path a second time.
Internals are wrapped only to capture the inputs an engine drew.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs.hopfield import HopfieldLab


def _hop_patterns(seed, P, N):
    """Random streams claim: patterns from (seed, 0), each bit +1 with probability 1/2."""
    return np.where(np.random.default_rng([seed, 0]).random((P, N)) < 0.5, 1, -1)


def _hop_J(pats):
    J = np.zeros((pats.shape[1], pats.shape[1]), dtype=np.int64)
    for x in pats:
        for i in range(len(x)):
            for j in range(len(x)):
                if i != j:
                    J[i, j] += int(x[i]) * int(x[j])
    return J


def test_hopfield_pattern_k_is_stored_at_step_floor_k_S_over_P():
    P, S = 7, 100
    lab = HopfieldLab({"n_cells": 16, "n_patterns": P, "store_ms": float(S)}, seed=2)
    pats = _hop_patterns(2, P, 16)
    np.testing.assert_array_equal(lab.net.patterns, pats)
    due = [k * S // P for k in range(P)]  # 0, 14, 28, 42, 57, 71, 85
    for t in range(S + 1):
        stored = sum(1 for d in due if d <= t)
        assert lab.readouts()["stored"] == stored, t
        np.testing.assert_array_equal(lab.net.J / 16, _hop_J(pats[:stored]) / 16)
        if t < S:
            assert lab.cue_step is None
            lab.step(1)


def test_hopfield_cue_at_step_S_flips_exactly_round_noise_N_cells_drawn_from_seed_1_trial():
    N, S = 64, 50
    lab = HopfieldLab({"n_cells": N, "n_patterns": 3, "store_ms": float(S), "cue_pattern": 2, "cue_noise": 0.3,
                       "update_order": "sequential"}, seed=9)
    lab.step(S - 1)
    assert lab.cue_step is None and math.isnan(lab.readouts()["overlap"])
    lab.step(1)
    assert lab.metrics()["cue_ms"] == float(S)
    pats = _hop_patterns(9, 3, N)
    k = round(0.3 * N)
    flip = np.random.default_rng([9, 1, 0]).permutation(N)[:k]
    cue = pats[2].copy()
    cue[flip] *= -1
    np.testing.assert_array_equal(lab.cue, cue)
    assert np.count_nonzero(lab.cue != pats[2]) == k
    # the cue is the state at t = S (no update yet)
    np.testing.assert_array_equal(lab.net.s, cue)


def _hop_async_reference(J, s, orders, n_updates):
    """One cell per step: s_i = sign(sum_j J_ij s_j), kept at 0. Returns states after every step
    and the flips per sweep."""
    s = s.copy()
    N = len(s)
    states, flips = [], []
    f = 0
    for r in range(n_updates):
        q, pos = divmod(r, N)
        i = orders(q)[pos]
        h = int(J[i] @ s)
        new = 1 if h > 0 else (-1 if h < 0 else s[i])
        f += int(new != s[i])
        s[i] = new
        states.append(s.copy())
        if (r + 1) % N == 0:
            flips.append(f)
            f = 0
    return states, flips


@pytest.mark.parametrize("order", ["random", "sequential"])
def test_hopfield_each_step_updates_one_cell_in_the_documented_order(order):
    N, P, S, seed = 36, 12, 12, 4  # load 0.33: many flips
    lab = HopfieldLab({"n_cells": N, "n_patterns": P, "store_ms": float(S), "cue_noise": 0.4,
                       "update_order": order}, seed=seed)
    lab.step(S)
    pats = _hop_patterns(seed, P, N)
    J = _hop_J(pats)
    cue = lab.cue.copy()

    def orders(q):
        if order == "sequential":
            return np.arange(N)
        return np.random.default_rng([seed, 2, 0, q]).permutation(N)

    n_up = 4 * N
    states, flips = _hop_async_reference(J, cue, orders, n_up)
    assert sum(flips) > 5
    for r in range(n_up):
        lab.step(1)
        np.testing.assert_array_equal(lab.net.s, states[r], err_msg=f"after update {r + 1}")
        E = -0.5 * float(states[r] @ (J / N) @ states[r])
        assert lab.readouts()["energy"] == pytest.approx(E / N, rel=1e-12, abs=1e-12)
        assert lab.readouts()["overlap"] == pytest.approx(float(pats[0] @ states[r]) / N, abs=1e-12)
        if (r + 1) % N == 0:
            q = (r + 1) // N
            assert lab.readouts()["sweeps"] == q
            assert lab.readouts()["flips_per_sweep"] == flips[q - 1]


def test_hopfield_steps_split_into_frames_give_the_same_states():
    N, P, S, seed = 36, 12, 12, 4
    kw = {"n_cells": N, "n_patterns": P, "store_ms": float(S), "cue_noise": 0.4}
    pats = _hop_patterns(seed, P, N)
    J = _hop_J(pats)
    lab = HopfieldLab(kw, seed=seed)
    for c in (5, 7, 1, 30, 11, 53):  # 107 steps: S + 95 updates
        lab.step(c)
    states, _ = _hop_async_reference(J, lab.cue, lambda q: np.random.default_rng([seed, 2, 0, q]).permutation(N),
                                     107 - S)
    np.testing.assert_array_equal(lab.net.s, states[-1])


def test_hopfield_synchronous_updates_all_cells_at_the_end_of_each_sweep():
    N, P, S, seed = 36, 12, 5, 6
    lab = HopfieldLab({"n_cells": N, "n_patterns": P, "store_ms": float(S), "cue_noise": 0.4,
                       "update_order": "synchronous"}, seed=seed)
    lab.step(S)
    J = _hop_J(_hop_patterns(seed, P, N))
    s = lab.cue.copy()
    for sweep in range(3):
        lab.step(N - 1)
        np.testing.assert_array_equal(lab.net.s, s)  # nothing moves inside a sweep
        lab.step(1)
        h = J @ s
        s = np.where(h > 0, 1, np.where(h < 0, -1, s))
        np.testing.assert_array_equal(lab.net.s, s)


def test_hopfield_live_cue_change_starts_trial_1_at_once_with_its_own_streams():
    N, P, S, seed = 36, 4, 8, 12
    lab = HopfieldLab({"n_cells": N, "n_patterns": P, "store_ms": float(S), "cue_noise": 0.25}, seed=seed)
    lab.step(S + 50)
    lab.set_param("cue_pattern", 3)
    pats = _hop_patterns(seed, P, N)
    cue = pats[3].copy()
    cue[np.random.default_rng([seed, 1, 1]).permutation(N)[: round(0.25 * N)]] *= -1
    np.testing.assert_array_equal(lab.net.s, cue)
    assert lab.metrics()["cue_ms"] == S + 50
    lab.step(N + 5)
    states, _ = _hop_async_reference(_hop_J(pats), cue,
                                     lambda q: np.random.default_rng([seed, 2, 1, q]).permutation(N), N + 5)
    np.testing.assert_array_equal(lab.net.s, states[-1])


def test_hopfield_trace_points_are_the_overlap_and_energy_at_their_stamped_times_and_settling_sweep():
    N, P, S, seed = 80, 20, 10, 1  # R = N // 40 = 2 updates per trace point
    lab = HopfieldLab({"n_cells": N, "n_patterns": P, "store_ms": float(S), "cue_noise": 0.3}, seed=seed)
    pats = _hop_patterns(seed, P, N)
    J = _hop_J(pats)
    lab.step(S)
    cue = lab.cue.copy()
    n_up = 6 * N
    for c in (3, 77, 1, 200, 199):
        lab.step(c)
    states, flips = _hop_async_reference(J, cue, lambda q: np.random.default_rng([seed, 2, 0, q]).permutation(N),
                                         n_up)
    t = lab.trace_t.view()
    tr = lab.trace.view()
    assert t[0] == S and np.allclose(np.diff(t), 2.0)  # cue, then every R = 2 updates
    for tk, row in zip(t, tr):
        r = int(tk) - S
        s = cue if r == 0 else states[r - 1]
        assert row[0] == pytest.approx(pats[0] @ s / N, abs=1e-12), tk
        assert row[2] == pytest.approx(-0.5 * float(s @ J @ s) / N / N, abs=1e-12), tk
    # the sweep (1-based) in which the state first became a fixed point
    fixed = [r for r in range(n_up) if not np.any(states[r] * (J @ states[r]) < 0)]
    assert fixed, "reference never settled: choose other parameters"
    assert lab.metrics()["settled_after_sweeps"] == fixed[0] // N + 1
    assert lab.metrics()["flips_total"] == sum(flips)
