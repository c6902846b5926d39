"""Step order, timing, units and seeding of the bcm lab, as its docstrings state them.

Sources: sim/labs/bcm.py, sim/plasticity/bcm.py.

Each expectation is worked out here by hand from the docstring (the raster, the inputs the
engine drew, or a closed form), never by calling the engine's own code path a second time.
Internals are wrapped only to capture the inputs an engine drew.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs.bcm import BcmLab


@pytest.mark.parametrize("extra", [{}, {"theta_rule": "fixed", "eta": 0.0005}, {"freeze": True},
                                   {"n_patterns": 3, "n_inputs": 7, "bounded": True, "w_max": 0.9, "w_min": 0.2}])
def test_bcm_step_order_weights_use_the_old_theta_then_theta_moves(extra):
    P = {"eta": 0.002, "tau_theta_ms": 50.0, "y0": 1.0, "dt_ms": 1.0, "w_init": 0.5, **extra}
    seed, n_steps = 21, 3000
    lab = BcmLab(P, seed=seed)
    p = lab.params
    K, n = p["n_patterns"], p["n_inputs"]
    block = n // K
    pats = np.zeros((K, n))
    for k in range(K):
        pats[k, k * block:(k + 1) * block] = 1.0 / math.sqrt(block)
    w = p["w_init"] * np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]).uniform(0.8, 1.2, n)
    np.testing.assert_array_equal(lab.w[:, 0], w)
    u = np.random.default_rng(seed).random(n_steps)
    which = np.minimum((u * K).astype(int), K - 1)
    theta = np.mean(np.maximum(pats @ w, 0.0) ** 2) / p["y0"]  # starts at its target
    assert lab.rule.theta[0] == pytest.approx(theta, rel=1e-12)
    tau = math.inf if p["theta_rule"] == "fixed" else p["tau_theta_ms"]
    thetas, resps = [theta], [np.maximum(pats @ w, 0.0)]
    for k in range(n_steps):
        x = pats[which[k]]
        y = max(0.0, float(w @ x))
        if not p["freeze"]:
            w = w + p["dt_ms"] * p["eta"] * x * y * (y - theta)  # theta from before this step
            w = np.maximum(w, p["w_min"])
            if p["bounded"]:
                w = np.minimum(w, p["w_max"])
        theta = theta + p["dt_ms"] / tau * (y * y / p["y0"] - theta)
        thetas.append(theta)
        resps.append(np.maximum(pats @ w, 0.0))
    for c in (1, 999, 2, 1998):
        lab.step(c)
    np.testing.assert_allclose(lab.w[:, 0], w, rtol=1e-10, atol=1e-13)
    assert lab.readouts()["theta"] == pytest.approx(theta, rel=1e-10, abs=1e-13)
    np.testing.assert_array_equal(lab.shown, np.bincount(which, minlength=K))
    # trace row k: after step k, at t = k*dt (row 0: t = 0)
    t = lab.trace_resp.indices() * lab.dt_ms
    assert t[0] == 0.0 and t[-1] == n_steps * p["dt_ms"]
    np.testing.assert_allclose(lab.trace_theta.view()[:, 0], thetas, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(lab.trace_resp.view(), np.array(resps), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(lab.trace_theta.view()[:, 1], np.mean(np.array(resps) ** 2, axis=1) / p["y0"],
                               rtol=1e-10, atol=1e-13)


def test_bcm_live_eta_applies_from_the_next_step():
    seed = 5
    lab = BcmLab({"eta": 0.002}, seed=seed)
    lab.step(500)
    lab.set_param("eta", 0.004)
    lab.step(500)
    pats = np.eye(2)
    w = 0.5 * np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]).uniform(0.8, 1.2, 2)
    theta = np.mean(w ** 2)
    which = np.minimum((np.random.default_rng(seed).random(1000) * 2).astype(int), 1)
    for k in range(1000):
        eta = 0.002 if k < 500 else 0.004
        x = pats[which[k]]
        y = max(0.0, float(w @ x))
        w = np.maximum(w + eta * x * y * (y - theta), 0.0)
        theta += (y * y - theta) / 50.0
    np.testing.assert_allclose(lab.w[:, 0], w, rtol=1e-10)


def test_bcm_run_stops_at_the_step_whose_response_passes_the_limit():
    """slow-threshold preset: time stops at the first step after which a response > 50*K*y0."""
    seed = 2
    lab = BcmLab(seed=seed, preset="slow-threshold")
    p = lab.params
    lab.run(20_000.0)
    assert lab.diverged
    pats = np.eye(2)
    w = 0.5 * np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]).uniform(0.8, 1.2, 2)
    theta = np.mean(w ** 2)
    u = np.random.default_rng(seed).random(lab.chunk_steps())  # the first block of draws
    k = 0
    while True:
        x = pats[min(int(u[k] * 2), 1)]
        y = max(0.0, float(w @ x))
        w = np.maximum(w + p["eta"] * x * y * (y - theta), 0.0)
        theta += (y * y - theta) / p["tau_theta_ms"]
        k += 1
        if np.maximum(pats @ w, 0.0).max() > 100.0:
            break
    assert lab.steps_done == k
    assert f"t = {k * 1.0:g} ms" in lab.diverged
