"""Weight bounds and Dale's law (hebblab.sim.plasticity.base.WeightConstraints) with the Hebb rule."""

from __future__ import annotations

import numpy as np
import pytest

from hebblab.sim.plasticity.base import WeightConstraints
from hebblab.sim.plasticity.hebb import HebbRule


def test_hebb_rule_is_the_outer_product():
    w = np.zeros((3, 2))
    HebbRule(0.5).update(w, np.array([1.0, 0.0, 1.0]), np.array([0.0, 1.0]), 1.0)
    assert w.tolist() == [[0.0, 0.5], [0.0, 0.0], [0.0, 0.5]]


def test_hebb_rule_only_adds_for_nonnegative_activity():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 3))
    rule = HebbRule(0.1)
    for _ in range(50):
        before = w.copy()
        rule.update(w, (rng.random(4) < 0.5).astype(float), (rng.random(3) < 0.5).astype(float), 1.0)
        assert np.all(w >= before)


def test_bounds_clip_both_sides():
    c = WeightConstraints(-0.2, 0.5)
    w = np.array([[-1.0, 0.1], [0.7, 0.5]])
    c.apply(w)
    assert w.tolist() == [[-0.2, 0.1], [0.5, 0.5]]


def test_unconstrained_apply_changes_nothing():
    w = np.array([[-1e9, 3.0]])
    WeightConstraints().apply(w)
    assert w.tolist() == [[-1e9, 3.0]]


@pytest.mark.parametrize("seed", range(5))
def test_dale_keeps_every_sign_under_random_updates(seed):
    rng = np.random.default_rng(seed)
    w0 = rng.normal(size=(6, 4))
    c = WeightConstraints(dale=True).bind(w0)
    w = w0.copy()
    for _ in range(200):
        w += rng.normal(scale=0.5, size=w.shape)
        c.apply(w)
        assert np.all(w[w0 < 0] <= 0) and np.all(w[w0 >= 0] >= 0)


def test_dale_with_bounds():
    w0 = np.array([[-0.5, 0.5]])
    c = WeightConstraints(-1.0, 1.0, dale=True).bind(w0)
    w = np.array([[3.0, -3.0]])
    c.apply(w)
    assert w.tolist() == [[0.0, 0.0]]
    w = np.array([[-3.0, 3.0]])
    c.apply(w)
    assert w.tolist() == [[-1.0, 1.0]]
