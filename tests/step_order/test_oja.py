"""Step order, timing, units and seeding of the oja lab, as its docstrings state them.

Sources: sim/labs/oja.py, sim/plasticity/oja.py.

Each expectation is worked out here by hand from the docstring (the raster, the inputs the
engine drew, or a closed form), never by calling the engine's own code path a second time.
Internals are wrapped only to capture the inputs an engine drew.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.labs.oja import OjaLab


@pytest.mark.parametrize("extra", [{}, {"rule": "hebb"}, {"n_inputs": 5, "angle_deg": -70.0, "sigma_minor": 0.5}])
def test_oja_samples_and_updates_follow_the_documented_order(extra):
    P = {"eta": 0.01, "sigma_major": 1.3, "sigma_minor": 0.3, "angle_deg": 30.0, "w_init": 0.1, **extra}
    seed, n_steps = 17, 1200
    lab = OjaLab(P, seed=seed)
    p = lab.params
    n = p["n_inputs"]
    a = math.radians(p["angle_deg"])
    u = np.zeros(n)
    u[0], u[1] = math.cos(a), math.sin(a)
    C = p["sigma_minor"] ** 2 * np.eye(n) + (p["sigma_major"] ** 2 - p["sigma_minor"] ** 2) * np.outer(u, u)
    ev, V = np.linalg.eigh(C)
    sqrtC = V @ np.diag(np.sqrt(ev)) @ V.T  # an independent matrix square root
    w0 = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]).normal(0.0, p["w_init"], n)
    np.testing.assert_array_equal(lab.w_oja[:, 0], w0)
    z = np.random.default_rng(seed).standard_normal((n_steps, n))
    w_o, w_h = w0.copy(), w0.copy()
    norms = []
    cap_o = cap_h = None  # plain Hebb stops being updated once |w| passes 1e6
    for k in range(n_steps):
        x = sqrtC @ z[k]
        if cap_o is None:
            y = float(w_o @ x)
            w_o = w_o + p["eta"] * y * (x - y * w_o) if p["rule"] == "oja" else w_o + p["eta"] * y * x
            if p["rule"] == "hebb" and np.linalg.norm(w_o) > 1e6:
                cap_o = k + 1
        if cap_h is None:
            yh = float(w_h @ x)
            w_h = w_h + p["eta"] * yh * x
            if np.linalg.norm(w_h) > 1e6:
                cap_h = k + 1
        norms.append((np.linalg.norm(w_o), np.linalg.norm(w_h)))
    for c in (1, 600, 3, 596):
        lab.step(c)
    np.testing.assert_allclose(lab.w_oja[:, 0], w_o, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(lab.w_hebb[:, 0], w_h, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(lab.cloud.view(), (z[-400:] @ sqrtC.T)[:, :2], rtol=1e-9, atol=1e-12)
    # norm trace row k: after sample k + 1, drawn at t = (k + 1) ms
    t = (lab.trace_norm.indices() + 1) * lab.dt_ms
    assert t[0] == 1.0 and t[-1] == n_steps
    np.testing.assert_allclose(lab.trace_norm.view(), np.log10(np.array(norms)), rtol=1e-9, atol=1e-12)
    assert lab.readouts()["samples"] == n_steps
    assert lab.metrics()["hebb_capped_at_sample"] == cap_h and lab.metrics()["capped_at_sample"] == cap_o


def test_oja_live_angle_applies_to_the_next_sample():
    seed = 3
    lab = OjaLab({"eta": 0.02}, seed=seed)
    lab.step(250)
    lab.set_param("angle_deg", -45.0)
    lab.step(250)
    z = np.random.default_rng(seed).standard_normal((500, 2))
    w = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]).normal(0.0, 0.1, 2)
    for k in range(500):
        a = math.radians(30.0 if k < 250 else -45.0)
        u = np.array([math.cos(a), math.sin(a)])
        C = 0.09 * np.eye(2) + (1.0 - 0.09) * np.outer(u, u)
        ev, V = np.linalg.eigh(C)
        x = (V @ np.diag(np.sqrt(ev)) @ V.T) @ z[k]
        y = float(w @ x)
        w = w + 0.02 * y * (x - y * w)
    np.testing.assert_allclose(lab.w_oja[:, 0], w, rtol=1e-9)
