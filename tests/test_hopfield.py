"""The hopfield lab against Hopfield (1982) and Amit, Gutfreund & Sompolinsky (1985).

References (an independent script, N = 400, cue = a stored pattern with 20 % of its cells
flipped, asynchronous updates in random order): P = 20 recalls perfectly in every seed;
P = 80 (load 0.2, past alpha_c = 0.138) ends near overlap 0.4, no seed above 0.95. The energy
never rises under one-cell updates; the weights are (1/N) sum_mu xi xi^T with w_ii = 0.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim import hopfield_net
from hebblab.sim.hopfield_net import FONT, LETTER_ORDER, critical_load, letter_order, retrieval_overlap
from hebblab.sim.labs.hopfield import TRACE_POINTS, HopfieldLab
from hebblab.sim.params import ParamError
from hebblab.sim.sweep import theory_for


def recalled(P: int, seed: int, N: int = 400, noise: float = 0.2, **extra) -> HopfieldLab:
    lab = HopfieldLab({"n_cells": N, "n_patterns": P, "cue_noise": noise, "store_ms": 0.0, **extra}, seed=seed)
    lab.run(60 * N)  # 60 sweeps: every run here settles long before
    return lab


# -- theory ---------------------------------------------------------------------------------
def test_capacity_and_overlap_at_capacity_match_amit_gutfreund_sompolinsky():
    assert critical_load() == pytest.approx(0.138, abs=0.0005)
    assert hopfield_net.ALPHA_C == critical_load()
    m_c = retrieval_overlap(hopfield_net.ALPHA_C)
    assert (1 - m_c) / 2 == pytest.approx(0.016, abs=0.001)  # about 1.6 % wrong bits at alpha_c
    assert retrieval_overlap(0.05) > 0.9999
    assert retrieval_overlap(0.1) == pytest.approx(0.998, abs=0.001)
    assert retrieval_overlap(0.139) == 0.0 and retrieval_overlap(0.2) == 0.0


def test_retrieval_overlap_solves_the_mean_field_equations():
    # m = erf(y), C = sqrt(2/(pi alpha r)) exp(-y^2), r = 1/(1-C)^2, y = m / sqrt(2 alpha r):
    # substituting back must close the loop at every load below capacity.
    for alpha in (0.05, 0.08, 0.1, 0.13, 0.1379):  # (below 0.05 m rounds to 1.0)
        m = retrieval_overlap(alpha)
        y = _erfinv(m)
        C = 2.0 / math.sqrt(math.pi) * y * math.exp(-y * y) / m  # from y = m/sqrt(2 alpha r), r = 1/(1-C)^2
        r = 1.0 / (1.0 - C) ** 2
        assert m / math.sqrt(2 * alpha * r) == pytest.approx(y, rel=1e-6)


def _erfinv(m: float) -> float:
    lo, hi = 0.0, 10.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if math.erf(mid) < m else (lo, mid)
    return lo


def test_theory_curve_for_sweeps_is_the_overlap_at_load_p_over_n():
    params = HopfieldLab.resolve_params()
    P = [10, 40, 55, 56, 80]
    y = theory_for(HopfieldLab, "overlap", "n_patterns", P, params)
    assert y == pytest.approx([retrieval_overlap(p / 400) for p in P])
    assert y[2] > 0.96 and y[3] == 0.0  # 55/400 < alpha_c < 56/400: the drop
    y = theory_for(HopfieldLab, "overlap", "n_cells", [100, 400], params)
    assert y == pytest.approx([retrieval_overlap(0.2), retrieval_overlap(0.05)])
    assert theory_for(HopfieldLab, "overlap", "cue_noise", [0.1], params) is None
    assert theory_for(HopfieldLab, "overlap", "n_patterns", [5], {**params, "patterns": "letters"}) is None
    assert theory_for(HopfieldLab, "overlap", "n_patterns", [5], {**params, "update_order": "synchronous"}) is None


# -- storage ----------------------------------------------------------------------------------
def test_weights_equal_the_outer_product_sum_pattern_by_pattern():
    lab = HopfieldLab({"n_cells": 64, "n_patterns": 8, "store_ms": 800.0}, seed=3)
    xi = lab.net.patterns.astype(float)
    for k in range(1, 9):  # pattern k-1 is stored at (k-1)*100 ms
        lab.run(100.0 if k > 1 else 0.0)
        assert lab.readouts()["stored"] == k
        expected = np.zeros((64, 64))
        for mu in range(k):
            for i in range(64):
                for j in range(64):
                    if i != j:
                        expected[i, j] += xi[mu, i] * xi[mu, j] / 64
        assert np.array_equal(lab.net.weights(), expected)


def test_patterns_are_random_plus_minus_one_and_letters_are_the_font():
    lab = HopfieldLab({"n_cells": 400, "n_patterns": 50}, seed=1)
    x = lab.net.patterns
    assert set(np.unique(x)) == {-1, 1}
    assert abs(x.mean()) < 0.02  # 20000 fair bits
    lab = HopfieldLab(preset="letters")
    assert lab.names == list(LETTER_ORDER[:5])
    h = lab.net.patterns[0].reshape(20, 20)
    assert h[:, 0].min() == 1 and h[0, 8] == -1  # H: the left bar inked, the top middle blank
    assert letter_order(20) == LETTER_ORDER and sorted(LETTER_ORDER) == sorted(FONT)


def test_cue_flips_exactly_the_asked_fraction():
    lab = HopfieldLab({"n_cells": 400, "n_patterns": 20, "cue_noise": 0.2, "store_ms": 100.0}, seed=2)
    lab.run(100.0)
    xi = lab.net.patterns[0]
    assert np.count_nonzero(lab.cue != xi) == 80
    assert lab.readouts()["overlap"] == pytest.approx(1 - 2 * 80 / 400)


# -- recall ------------------------------------------------------------------------------------
def test_recall_at_low_load_n400_p20():
    overlaps = np.array([recalled(20, seed).readouts()["overlap"] for seed in range(20)])
    assert np.count_nonzero(overlaps == 1.0) >= 19, overlaps
    assert overlaps.mean() > 0.99


def test_recall_fails_past_capacity_n400_p80():
    labs = [recalled(80, seed) for seed in range(20)]
    overlaps = np.array([lab.readouts()["overlap"] for lab in labs])
    assert overlaps.mean() < 0.7, overlaps  # reference 0.43: well below 0.9
    assert np.count_nonzero(overlaps > 0.95) <= 1
    assert all(lab.fixed for lab in labs)  # it settles, but on a spurious state
    # spurious mixtures: the final states overlap other stored patterns well above chance (~0.05)
    assert np.mean([lab.readouts()["best_other_overlap"] for lab in labs]) > 0.15


def test_letters_preset_recalls_the_cued_letter():
    lab = HopfieldLab(preset="letters", seed=4)
    lab.run(HopfieldLab.preset("letters").duration_ms)
    assert lab.readouts()["overlap"] == 1.0 and lab.fixed


def test_readouts_are_the_definitions_computed_again():
    lab = HopfieldLab({"n_cells": 100, "n_patterns": 12, "store_ms": 0.0}, seed=5)
    lab.run(150.0)  # mid-recall
    s, xi, w = lab.net.s.astype(float), lab.net.patterns.astype(float), lab.net.weights()
    r = lab.readouts()
    m = xi @ s / 100
    assert r["overlap"] == pytest.approx(m[0], abs=1e-12)
    assert r["best_other_overlap"] == pytest.approx(np.abs(m[1:]).max(), abs=1e-12)
    assert r["energy"] == pytest.approx(-0.5 * s @ w @ s / 100, abs=1e-12)
    assert r["load"] == 0.12 and r["error_fraction"] == pytest.approx((1 - m[0]) / 2)


# -- energy -------------------------------------------------------------------------------------
@pytest.mark.parametrize("order", ["random", "sequential"])
def test_energy_never_rises_and_falls_at_every_flip(order):
    N = 200
    lab = HopfieldLab({"n_cells": N, "n_patterns": 40, "cue_noise": 0.3, "store_ms": 0.0,
                       "update_order": order}, seed=7)
    w = lab.net.weights()
    s_prev = lab.net.s.copy()
    E_prev = -0.5 * s_prev @ w @ s_prev
    flips = 0
    for _ in range(20 * N):
        lab.step(1)
        s = lab.net.s.copy()
        E = -0.5 * s @ w @ s  # independently of the lab's integer bookkeeping
        changed = np.count_nonzero(s != s_prev)
        assert changed <= 1
        if changed:
            assert E < E_prev - 1e-12
            flips += 1
        else:
            assert E == E_prev
        s_prev, E_prev = s, E
    assert flips > 20 and lab.fixed


def test_synchronous_updates_change_every_cell_at_once_once_per_sweep():
    N = 100
    lab = HopfieldLab({"n_cells": N, "n_patterns": 30, "cue_noise": 0.3, "store_ms": 0.0,
                       "update_order": "synchronous"}, seed=1)
    s0 = lab.net.s.copy()
    h = lab.net.J @ s0
    lab.step(N - 1)
    assert np.array_equal(lab.net.s, s0)  # nothing before the sweep ends
    lab.step(1)
    assert np.array_equal(lab.net.s, np.where(h > 0, 1, np.where(h < 0, -1, s0)))


# -- bookkeeping ----------------------------------------------------------------------------------
def test_frame_split_invariance_through_storage_cue_and_recall():
    params = {"n_cells": 144, "n_patterns": 25, "store_ms": 500.0, "cue_noise": 0.3}
    whole = HopfieldLab(params, seed=9)
    whole.run(5000.0)
    split = HopfieldLab(params, seed=9)
    for n in (1, 3, 250, 247, 37, 1000, 7, 3455):
        split.step(n)
    assert split.steps_done == whole.steps_done == 5000
    assert _same(whole.readouts(), split.readouts())
    assert whole.metrics() == split.metrics()
    for name, s in whole.series().items():
        t = split.series()[name]
        assert np.array_equal(s.y, t.y, equal_nan=True) and (s.x is None or np.array_equal(s.x, t.x)), name


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a.values(), b.values()))


def test_changing_the_cue_live_starts_a_new_trial():
    lab = HopfieldLab({"store_ms": 0.0}, seed=1)
    lab.run(2000.0)
    assert lab.readouts()["overlap"] == 1.0
    assert lab.set_param("cue_pattern", 3) is True
    assert lab.cued == 3 and np.count_nonzero(lab.net.s != lab.net.patterns[3]) == 80
    lab.run(2000.0)
    assert lab.readouts()["overlap"] == 1.0 and lab.trial == 1


def test_long_runs_stay_bounded_and_fast():
    import time

    lab = HopfieldLab(seed=0)
    start = time.perf_counter()
    lab.run(3_600_000.0)  # an hour of nominal time, mostly at the fixed point
    assert time.perf_counter() - start < 5.0
    assert len(lab.trace) == TRACE_POINTS and lab.trace.capacity == TRACE_POINTS
    r = lab.readouts()
    assert r["sweeps"] == (3_600_000 - 2000) // 400 and r["flips_per_sweep"] == 0.0


def test_bad_combinations_name_the_parameter():
    with pytest.raises(ParamError, match="^n_cells: letters need a square grid"):
        HopfieldLab({"patterns": "letters", "n_cells": 300, "n_patterns": 3})
    with pytest.raises(ParamError, match="^n_patterns: there are 26 letters"):
        HopfieldLab({"patterns": "letters", "n_patterns": 27})
    with pytest.raises(ParamError, match="^cue_pattern: must be below n_patterns"):
        HopfieldLab({"n_patterns": 5, "cue_pattern": 5})
