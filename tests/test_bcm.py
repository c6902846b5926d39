"""BCM with a sliding threshold (science.md section 4).

dw = eta*x*y*(y - theta), tau_theta dtheta/dt = -theta + y^2/y0. With K independent
patterns shown at random the stable outcome is selectivity: response ~K*y0 to one pattern,
~0 to the others. Too slow a threshold (eta*tau_theta large) oscillates or diverges, and
the lab must show and flag that, never crash or produce NaN. (Linearising the averaged
dynamics at the selective state gives stability iff eta*y0*tau_theta < 1.)
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from hebblab.sim.labs.bcm import BcmLab
from hebblab.sim.params import ParamError
from hebblab.sim.plasticity.bcm import BCMRule


def run(preset="selective", seed=0, duration=None, **overrides) -> BcmLab:
    """A finished run; shared between tests (they only read it), the loop is the slow part."""
    return _run(preset, seed, duration, tuple(sorted(overrides.items())))


@functools.lru_cache(maxsize=None)
def _run(preset, seed, duration, overrides) -> BcmLab:
    lab = BcmLab(dict(overrides), seed=seed, preset=preset)
    lab.run(duration if duration is not None else BcmLab.preset(preset).duration_ms)
    return lab


def test_rule_formula_and_threshold_update():
    rule = BCMRule(eta=0.1, tau_theta_ms=10.0, y0=2.0, theta0=0.5)
    rule.reset(2, 1)
    w = np.array([[1.0], [0.0]])
    x, y = np.array([1.0, 0.5]), np.array([2.0])
    rule.update(w, x, y, dt_ms=1.0)
    # dw = eta*dt*x*y*(y - theta) with theta from before the step: 0.1*2*(2 - 0.5) = 0.3 per unit x
    assert w[:, 0] == pytest.approx([1.0 + 0.3, 0.15])
    # theta += dt/tau*(y^2/y0 - theta) = 0.5 + 0.1*(2 - 0.5)
    assert rule.theta[0] == pytest.approx(0.65)


def test_potentiation_above_theta_depression_below():
    rule = BCMRule(eta=0.1, tau_theta_ms=10.0, y0=1.0, theta0=1.0)
    rule.reset(1, 1)
    w = np.ones((1, 1))
    rule.update(w, np.ones(1), np.array([1.5]), 1.0)
    assert w[0, 0] > 1.0
    rule.theta[:] = 1.0
    w[:] = 1.0
    rule.update(w, np.ones(1), np.array([0.5]), 1.0)
    assert w[0, 0] < 1.0


def test_fast_pattern_loop_equals_the_generic_update():
    rng = np.random.default_rng(0)
    patterns = np.eye(3)
    which = (rng.random(500) * 3).astype(int)
    w_fast = rng.uniform(0.4, 0.6, (3, 1))
    w_slow = w_fast.copy()
    fast = BCMRule(0.01, 20.0, 1.0, theta0=0.3)
    slow = BCMRule(0.01, 20.0, 1.0, theta0=0.3)
    fast.reset(3, 1)
    slow.reset(3, 1)
    done, resp, theta = fast.run_patterns(w_fast, patterns, which, 1.0, True, (0.0, None), 1e9)
    assert done == 500
    for i, k in enumerate(which):
        slow.update(w_slow, patterns[k], np.maximum(patterns[k] @ w_slow[:, 0], 0.0)[None], 1.0)
        np.clip(w_slow, 0.0, None, out=w_slow)
        assert resp[i] == pytest.approx(np.maximum(patterns @ w_slow[:, 0], 0.0), rel=1e-9, abs=1e-12)
        assert theta[i] == pytest.approx(slow.theta[0], rel=1e-9)
    assert w_fast == pytest.approx(w_slow, rel=1e-9)


def mean_late_responses(lab: BcmLab, window: int = 5000) -> np.ndarray:
    """Responses averaged over the last `window` steps (theta noise makes single samples jitter)."""
    return lab.series()["responses"].y[:, -window:].mean(axis=1)


@pytest.mark.parametrize("preset, K", [("selective", 2), ("k3", 3)])
@pytest.mark.parametrize("seed", range(3))
def test_selectivity_one_response_near_K_y0_others_near_zero(preset, K, seed):
    lab = run(preset, seed=seed)
    assert lab.K == K
    assert lab.diverged is None
    m = lab.metrics()
    assert m["selectivity"] > 0.95
    late = mean_late_responses(lab)
    pref = int(np.argmax(late))
    assert pref == m["preferred"]
    assert late[pref] == pytest.approx(K * 1.0, rel=0.1)
    assert np.all(np.delete(late, pref) < 0.05)
    # At the selective state theta sits at <y^2>/y0 = K*y0 too.
    theta_late = lab.series()["theta"].y[0, -5000:].mean()
    assert theta_late == pytest.approx(K, rel=0.1)
    assert len(m["responses"]) == K


def test_selectivity_scales_with_y0():
    lab = run("selective", seed=1, y0=0.5, eta=0.008)  # keep eta*y0*tau_theta small
    late = mean_late_responses(lab)
    assert late.max() == pytest.approx(2 * 0.5, rel=0.1)


def test_preferred_pattern_depends_on_the_seed():
    winners = {run("selective", seed=s, duration=4_000).metrics()["preferred"] for s in range(10)}
    assert winners == {0, 1}


def test_slow_threshold_diverges_and_is_flagged_never_nan():
    for seed in range(3):
        lab = run("slow-threshold", seed=seed)
        assert lab.diverged is not None
        assert "tau_theta_ms" in lab.diverged and "eta" in lab.diverged
        assert lab.steps_done < 20_000
        for s in lab.series().values():
            assert np.all(np.isfinite(s.y)) and np.all(np.isfinite(s.x))
        assert all(np.isfinite(v) for v in lab.readouts().values())
        t = lab.steps_done
        lab.step(100)
        assert lab.steps_done == t
        assert lab.diverged in lab.notes()


def test_just_past_the_stability_limit_the_response_keeps_oscillating():
    for seed in range(2):
        slow = run("oscillating", seed=seed)
        fast = run("selective", seed=seed)
        assert slow.diverged is None and fast.diverged is None
        # Response to the preferred pattern over the last 10 s: cycling vs settled.
        ys = slow.series()["responses"].y[:, -10_000:].max(axis=0)
        yf = fast.series()["responses"].y[:, -10_000:].max(axis=0)
        assert ys.std() > 0.4 and ys.max() > 3.0
        assert yf.std() < 0.2
        assert any("oscillate" in n for n in slow.notes())


def test_stability_boundary_eta_y0_tau_theta_equals_one():
    # Same eta, threshold time constants on either side of eta*y0*tau_theta = 1: below it the
    # response settles at K*y0; above it it never does (it cycles or collapses after an overshoot).
    for seed in range(1):
        for tau, stable in ((300.0, True), (700.0, False)):
            late = run("selective", seed=seed, tau_theta_ms=tau).series()["responses"].y[:, -10_000:].max(axis=0)
            settled = abs(late.mean() - 2.0) < 0.2 and late.std() < 0.3
            assert settled == stable, (seed, tau, late.mean(), late.std())


def test_weights_stay_within_bounds():
    lab = BcmLab({"bounded": True, "w_max": 1.5}, seed=0)
    for _ in range(40):
        lab.step(500)
        assert lab.w.min() >= 0.0 and lab.w.max() <= 1.5
    assert lab.w.max() == 1.5  # the selective response (2) needs more than the bound allows


def test_freeze_keeps_weights_theta_keeps_tracking():
    lab = BcmLab(seed=0)
    lab.step(1000)
    lab.set_param("freeze", True)
    w = lab.w.copy()
    lab.step(2000)
    assert np.array_equal(w, lab.w)
    r = lab.readouts()
    assert r["theta"] == pytest.approx(r["mean_y2_over_y0"], rel=0.3)
    assert any("frozen" in n for n in lab.notes())


@pytest.mark.parametrize("preset", [p.name for p in BcmLab.presets])
def test_frame_split_bit_identical(preset):
    a = BcmLab(seed=3, preset=preset)
    a.step(4000)
    b = BcmLab(seed=3, preset=preset)
    rng = np.random.default_rng(0)
    while b.steps_done < a.steps_done and not b.diverged:
        b.step(min(int(rng.integers(1, 300)), a.steps_done - b.steps_done))
    assert b.steps_done == a.steps_done
    assert np.array_equal(a.w, b.w)
    assert a.metrics() == b.metrics()
    for name in ("responses", "theta"):
        assert np.array_equal(a.series()[name].y, b.series()[name].y)


def test_bad_params_rejected():
    with pytest.raises(ParamError, match="n_inputs"):
        BcmLab({"n_patterns": 4, "n_inputs": 3})
    with pytest.raises(ParamError, match="tau_theta_ms"):
        BcmLab({"tau_theta_ms": 0.5, "dt_ms": 1.0})


def test_memory_bounded():
    lab = BcmLab(seed=0)
    lab.step(25_000)
    assert lab.series()["responses"].x.size <= 20_000
