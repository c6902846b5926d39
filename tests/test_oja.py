"""Oja's rule and plain Hebb on a Gaussian cloud (science.md section 3).

y = w.x, Oja dw = eta*y*(x - y*w): |w| -> 1 along PC1 (cosine > 0.99 for eta <= 0.04 in
5000 samples of an elongated 2-D cloud). Plain Hebb dw = eta*y*x grows without bound
along the same axis (in the mean, w <- (I + eta C) w: |w| grows like (1 + eta*lambda1)^t).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs.oja import HEBB_CAP, OjaLab
from hebblab.sim.plasticity.hebb import HebbRule
from hebblab.sim.plasticity.oja import OjaRule


def test_oja_rule_formula():
    w = np.array([[0.5], [-0.2]])
    x = np.array([1.0, 2.0])
    y = x @ w  # 0.1
    OjaRule(0.1).update(w, x, y, 1.0)
    assert w[:, 0] == pytest.approx([0.5 + 0.1 * 0.1 * (1.0 - 0.1 * 0.5), -0.2 + 0.1 * 0.1 * (2.0 + 0.1 * 0.2)])


def test_first_sample_applies_both_rules_to_the_same_input():
    lab = OjaLab({"eta": 0.1}, seed=4)
    w0 = lab.w_init[:, 0].copy()
    z = np.random.default_rng(4).standard_normal((1, 2))
    x = lab._inputs(z)[0]
    lab.step(1)
    y = x @ w0
    assert lab.w_oja[:, 0] == pytest.approx(w0 + 0.1 * y * (x - y * w0), rel=1e-12)
    assert lab.w_hebb[:, 0] == pytest.approx(w0 + 0.1 * y * x, rel=1e-12)


def test_cloud_has_the_declared_covariance():
    lab = OjaLab({"angle_deg": 60.0, "sigma_major": 2.0, "sigma_minor": 0.5, "n_inputs": 3}, seed=0)
    x = lab._inputs(np.random.default_rng(0).standard_normal((200_000, 3)))
    a = math.radians(60.0)
    u = np.array([math.cos(a), math.sin(a), 0.0])
    expected = 0.25 * np.eye(3) + (4.0 - 0.25) * np.outer(u, u)
    assert np.cov(x.T) == pytest.approx(expected, abs=0.03)


@pytest.mark.parametrize("eta", [0.005, 0.01, 0.02, 0.04])
@pytest.mark.parametrize("seed", range(3))
def test_oja_norm_goes_to_one_and_aligns_with_pc1(eta, seed):
    lab = OjaLab({"eta": eta}, seed=seed)
    lab.step(5000)
    r = lab.readouts()
    assert r["pc1_cosine"] > 0.99
    assert abs(r["weight_norm"] - 1.0) < 0.01
    assert lab.diverged is None


def test_slow_oja_still_aligns_in_5000_samples():
    for seed in range(3):
        lab = OjaLab({"eta": 0.001}, seed=seed)
        lab.step(5000)
        assert lab.readouts()["pc1_cosine"] > 0.99


@pytest.mark.parametrize("seed", range(3))
def test_plain_hebb_grows_without_bound_along_pc1_at_the_predicted_rate(seed):
    eta, lam1 = 0.01, 1.0
    lab = OjaLab({"eta": eta}, seed=seed)
    u = lab.pc1()
    lab.step(5000)
    assert lab.hebb_capped_at is not None
    assert lab.readouts()["hebb_weight_norm"] > HEBB_CAP
    assert lab.readouts()["hebb_pc1_cosine"] > 0.99
    assert np.all(np.isfinite(lab.w_hebb))
    # Mean growth: the PC1 component multiplies by (1 + eta*lambda1) per sample.
    predicted = math.log(HEBB_CAP / abs(lab.w_init[:, 0] @ u)) / math.log1p(eta * lam1)
    assert 0.85 * predicted < lab.hebb_capped_at < 1.15 * predicted
    assert any("diverged as theory predicts" in n for n in lab.notes())


def test_hebb_norm_trace_rises_monotonically_in_trend_while_oja_settles():
    lab = OjaLab(seed=1)
    lab.step(1500)
    log_norm = lab.series()["norm"].y
    oja, hebb = log_norm[0], log_norm[1]
    assert hebb[1499] - hebb[999] > 1.0  # more than 10x in 500 samples
    assert abs(oja[-500:]).max() < 0.01  # log10 |w| ~ 0


def test_oja_tracks_a_live_change_of_the_principal_axis():
    lab = OjaLab(seed=2)
    lab.step(3000)
    lab.set_param("angle_deg", 120.0)
    assert lab.readouts()["pc1_cosine"] < 0.6
    lab.step(5000)
    assert lab.readouts()["pc1_cosine"] > 0.99


def test_nd_cloud():
    lab = OjaLab(seed=0, preset="nd")
    lab.run(5000)
    assert lab.readouts()["pc1_cosine"] > 0.99


def test_too_fast_preset_is_flagged_never_nan():
    lab = OjaLab(seed=0, preset="too-fast")
    lab.run(1000)
    assert lab.diverged and "eta" in lab.diverged
    assert lab.steps_done < 1000
    t = lab.steps_done
    lab.step(10)
    assert lab.steps_done == t
    for s in lab.series().values():
        assert np.all(np.isfinite(s.y))
        assert s.x is None or np.all(np.isfinite(s.x))
    assert all(v is None or np.isfinite(v) for v in lab.readouts().values())


def test_freeze_is_live():
    lab = OjaLab(seed=0)
    lab.step(100)
    lab.set_param("freeze", True)
    w, h = lab.w_oja.copy(), lab.w_hebb.copy()
    lab.step(500)
    assert np.array_equal(w, lab.w_oja) and np.array_equal(h, lab.w_hebb)
    assert any("frozen" in n for n in lab.notes())


@pytest.mark.parametrize("preset", [p.name for p in OjaLab.presets])
def test_frame_split_bit_identical(preset):
    a = OjaLab(seed=9, preset=preset)
    a.step(3000)
    b = OjaLab(seed=9, preset=preset)
    rng = np.random.default_rng(0)
    while b.steps_done < a.steps_done and not b.diverged:
        b.step(min(int(rng.integers(1, 200)), a.steps_done - b.steps_done))
    assert b.steps_done == a.steps_done
    assert np.array_equal(a.w_oja, b.w_oja) and np.array_equal(a.w_hebb, b.w_hebb)
    assert a.metrics() == b.metrics()


def test_memory_bounded_and_series_finite():
    lab = OjaLab(seed=0)
    lab.step(12_000)
    s = lab.series()
    assert s["cloud"].x.size <= 400 and s["norm"].x.size <= 5000
    for ser in s.values():
        assert np.all(np.isfinite(ser.y))
    assert set(s["cloud"].overlays) == {"PC1", "Oja w", "Hebb w (direction)"}


def test_hebb_rule_is_plain_outer_product_for_rates():
    w = np.array([[1.0], [2.0]])
    HebbRule(0.5).update(w, np.array([2.0, -1.0]), np.array([3.0]), 1.0)
    assert w[:, 0].tolist() == [4.0, 0.5]
