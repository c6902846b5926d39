"""Step order, timing, units and seeding of the hebb lab, as its docstrings state them.

Sources: sim/labs/hebb.py, sim/plasticity/hebb.py.

Each expectation is worked out here by hand from the docstring (the raster, the inputs the
engine drew, or a closed form), never by calling the engine's own code path a second time.
Internals are wrapped only to capture the inputs an engine drew.
"""

from __future__ import annotations

import numpy as np
import pytest

from hebblab.sim.labs.hebb import HebbLab


def _hebb_reference(p, seed, n_bins, switch=None):
    """switch: (bin, name, value): a live change that applies from that (1-based) bin on."""
    p = dict(p)
    rs = np.random.RandomState(seed)
    w = rs.randn(p["n_pre"], p["n_post"]) * p["w_init"]
    if p["w_inh"] < 0:
        w[0, 0] = p["w_inh"]
    sign0 = np.where(w < 0, -1.0, 1.0)
    post_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    raster, trace = [], [w.ravel()[:16].copy()]
    for k in range(1, n_bins + 1):
        if switch and k == switch[0]:
            p[switch[1]] = switch[2]
        pre = (rs.rand(p["n_pre"]) < p["p_pre"]).astype(float)  # one rand(n_pre) per bin
        u_post = post_rng.random(p["n_post"])
        drive = pre @ w  # same bin: no synaptic delay
        if p["post_model"] == "threshold":
            post = (drive > p["threshold"]).astype(float)
        else:
            post = (u_post < 1.0 / (1.0 + np.exp(-p["beta"] * (drive - p["threshold"])))).astype(float)
        if p["teacher"]:
            for j in range(p["n_post"]):
                post[j] = max(post[j], pre[j % p["n_pre"]])
        if not p["freeze"]:
            w = w + p["eta"] * np.outer(pre, post)
            if p["bounded"]:
                w = np.clip(w, p["w_min"], p["w_max"])
            if p["dale"]:
                w = np.where(sign0 > 0, np.maximum(w, 0.0), np.minimum(w, 0.0))
        for i in np.flatnonzero(pre):
            raster.append((float(k), int(i)))
        for j in np.flatnonzero(post):
            raster.append((float(k), p["n_pre"] + int(j)))
        trace.append(w.ravel()[:16].copy())
    return w, sorted(raster), np.array(trace)


@pytest.mark.parametrize("preset,extra", [("grow", {}), ("teacher", {}), ("bounded", {}), ("ex2-dale", {}),
                                          ("ex3-sigmoid", {}), ("grow", {"n_pre": 5, "n_post": 3, "threshold": -0.05}),
                                          ("teacher", {"n_pre": 2, "n_post": 5})])
def test_hebb_bins_follow_the_documented_order_and_stamps(preset, extra):
    seed, n_bins = 13, 700
    lab = HebbLab(extra, seed=seed, preset=preset)
    w, raster, trace = _hebb_reference(lab.params, seed, n_bins)
    for c in (1, 250, 49, 400):
        lab.step(c)
    np.testing.assert_allclose(lab.w, w, rtol=1e-12, atol=1e-15)
    times, cells = lab.spikes.recent()
    got = sorted(zip(times.tolist(), cells.tolist()))
    assert got == raster  # stamped at the END of the bin: t = k ms after bin k
    assert len(raster) > 0
    np.testing.assert_allclose(lab.trace_w.view(), trace[:, :lab.n_trace], rtol=1e-12, atol=1e-15)
    assert lab.trace_w.indices()[-1] * lab.dt_ms == n_bins


def test_hebb_live_post_model_switch_applies_from_the_next_bin_and_keeps_both_streams():
    seed = 4
    lab = HebbLab({"threshold": 0.0, "p_pre": 0.1, "beta": 3.0}, seed=seed, preset="grow")
    w, raster, _ = _hebb_reference(lab.params, seed, 700, switch=(301, "post_model", "sigmoid"))
    lab.step(300)
    lab.set_param("post_model", "sigmoid")
    lab.step(400)
    np.testing.assert_allclose(lab.w, w, rtol=1e-12, atol=1e-15)
    times, cells = lab.spikes.recent()
    assert sorted(zip(times.tolist(), cells.tolist())) == raster
