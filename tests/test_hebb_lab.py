"""The hebb lab's exercises, constraints, determinism and notes (science.md section 2)."""

from __future__ import annotations

import numpy as np
import pytest

from hebblab.sim.labs.hebb import HebbLab
from hebblab.sim.params import ParamError

PRESETS = [p.name for p in HebbLab.presets]


def run(preset: str, seed: int = 0, duration: float | None = None, **overrides) -> HebbLab:
    lab = HebbLab(overrides, seed=seed, preset=preset)
    lab.run(duration if duration is not None else HebbLab.preset(preset).duration_ms)
    return lab


def pre_counts(lab: HebbLab) -> np.ndarray:
    return lab.spikes.counts[: lab.n_pre]


@pytest.mark.parametrize("preset", PRESETS)
def test_frame_split_is_bit_identical(preset):
    whole = run(preset, seed=7)
    split = HebbLab(seed=7, preset=preset)
    rng = np.random.default_rng(1)
    while split.steps_done < whole.steps_done:
        split.step(min(int(rng.integers(0, 60)), whole.steps_done - split.steps_done))
    assert np.array_equal(split.w, whole.w)
    a, b = split.series(), whole.series()
    for name in ("weight_traces", "raster"):
        assert np.array_equal(a[name].y, b[name].y) and np.array_equal(a[name].x, b[name].x)
    assert split.metrics() == whole.metrics()


@pytest.mark.parametrize("preset", PRESETS)
def test_series_are_finite_and_shaped(preset):
    lab = run(preset, seed=3)
    s = lab.series()
    assert s["weights"].y.shape == (lab.n_pre, lab.n_post)
    assert s["weight_traces"].y.shape[0] == min(16, lab.n_pre * lab.n_post)
    assert s["weight_traces"].y.shape[1] == s["weight_traces"].x.size
    for ser in s.values():
        assert np.all(np.isfinite(ser.y))
    r = s["raster"]
    assert np.all((r.groups == 1) == (r.y >= lab.n_pre))
    assert np.all(np.diff(r.x) >= 0)


def test_ex2_inhibitory_synapse_drifts_across_zero_by_eta_per_pre_spike():
    # The teacher makes post 0 fire with every pre-0 spike, and Hebb only adds:
    # w00 = -0.3 + eta * (number of pre-0 spikes), crossing zero after 30 of them.
    for seed in range(4):
        lab = run("ex2-inhibitory", seed=seed)
        assert lab.w0[0, 0] == -0.3
        n0 = pre_counts(lab)[0]
        assert n0 > 40
        assert lab.w[0, 0] == pytest.approx(-0.3 + 0.01 * n0, abs=1e-9)
        assert lab.w[0, 0] > 0
        assert lab.metrics()["sign_flips"] == 1
        assert any("drift across zero" in n for n in lab.notes())


def test_ex2_with_dale_keeps_the_sign_clipped_at_zero():
    for seed in range(4):
        lab = run("ex2-dale", seed=seed)
        assert lab.w[0, 0] == 0.0  # drifted up to 0 and held there
        assert lab.metrics()["sign_flips"] == 0
        assert any("Dale" in n for n in lab.notes())


@pytest.mark.parametrize("seed", range(5))
def test_dale_never_violated_at_any_step(seed):
    lab = HebbLab({"dale": True, "threshold": -0.5, "p_pre": 0.3, "eta": 0.05, "w_init": 0.5,
                   "n_pre": 5, "n_post": 3}, seed=seed, preset="grow")
    neg = lab.w0 < 0
    assert neg.any()
    for _ in range(300):
        lab.step(1)
        assert np.all(lab.w[neg] <= 0) and np.all(lab.w[~neg] >= 0)
    assert np.any(lab.w[neg] == 0)  # the rule did push some inhibitory synapses to the clip


@pytest.mark.parametrize("preset", ["bounded", "ex3-sigmoid"])
def test_bounds_respected_at_every_step(preset):
    lab = HebbLab(seed=2, preset=preset)
    lo, hi = lab.params["w_min"], lab.params["w_max"]
    for _ in range(200):
        lab.step(7)
        assert lab.w.min() >= lo and lab.w.max() <= hi
    assert lab.w.max() == hi


@pytest.mark.parametrize("seed", range(4))
def test_ex3_sigmoid_weights_saturate_at_the_bound(seed):
    lab = run("ex3-sigmoid", seed=seed)
    assert np.all(lab.w == lab.params["w_max"])
    # Without the bound the same run grows past it and keeps growing.
    free = HebbLab({"bounded": False}, seed=seed, preset="ex3-sigmoid")
    free.run(2000)
    mid = free.w.copy()
    free.run(2000)
    assert np.all(mid > 1.0) and np.all(free.w > mid)


def test_sigmoid_post_fires_half_the_bins_at_zero_input():
    # post ~ Bernoulli(sigmoid(beta*input)): with zero weights every bin has input 0 -> p = 0.5.
    lab = HebbLab({"post_model": "sigmoid", "threshold": 0.0, "w_init": 0.0, "freeze": True,
                   "n_post": 4}, seed=0, preset="chapter")
    lab.run(5000)
    frac = lab.metrics()["post_spike_count"] / (4 * 5000)
    assert abs(frac - 0.5) < 0.02  # SE 0.0035


def test_sigmoid_uses_a_separate_stream_so_pre_spikes_are_unchanged():
    a = run("chapter", seed=11, duration=1000, freeze=True)
    b = run("chapter", seed=11, duration=1000, freeze=True, post_model="sigmoid", threshold=0.0)
    ra, rb = a.series()["raster"], b.series()["raster"]
    pa, pb = ra.y < 2, rb.y < 2
    assert np.array_equal(ra.x[pa], rb.x[pb]) and np.array_equal(ra.y[pa], rb.y[pb])
    assert b.metrics()["post_spike_count"] > a.metrics()["post_spike_count"]


def test_teacher_grows_the_taught_synapse_by_eta_per_pre_spike_at_least():
    lab = run("teacher", seed=5)
    n = pre_counts(lab)
    for j in range(lab.n_post):
        assert lab.w[j, j] - lab.w0[j, j] >= lab.params["eta"] * n[j] - 1e-9
    assert lab.w.max() > lab.params["threshold"]


def test_grow_preset_learns_for_most_seeds_chapter_rarely():
    grow = sum(run("grow", seed=s).metrics()["weights_changed"] for s in range(40))
    chapter = sum(run("chapter", seed=s).metrics()["weights_changed"] for s in range(40))
    assert grow >= 34 and chapter <= 4


def test_freeze_stops_learning_and_is_live():
    lab = HebbLab(seed=0, preset="grow")
    lab.run(100)
    assert lab.set_param("freeze", True) is True
    w = lab.w.copy()
    lab.run(400)
    assert np.array_equal(lab.w, w)
    assert lab.metrics()["post_spike_count"] > 0
    assert any("frozen" in n for n in lab.notes())
    lab.set_param("freeze", False)
    lab.run(400)
    assert not np.array_equal(lab.w, w)


def test_live_params_apply_and_reset_params_wait():
    lab = HebbLab(seed=0, preset="chapter")
    assert lab.set_param("eta", 0.05) and lab.rule.eta == 0.05
    assert lab.set_param("threshold", 0.0)
    assert lab.set_param("n_pre", 5) is False
    assert lab.n_pre == 2
    lab.reset()
    assert lab.w.shape == (5, 2)


def test_bad_bounds_are_rejected():
    with pytest.raises(ParamError, match="w_min"):
        HebbLab({"bounded": True, "w_min": 1.0, "w_max": 0.5})
    lab = HebbLab()
    with pytest.raises(ParamError, match="w_min"):
        lab.set_param("w_min", 2.0)


def test_chapter_note_explains_why_nothing_learns():
    lab = run("chapter", seed=1)
    assert not lab.metrics()["weights_changed"]
    text = " ".join(lab.notes())
    assert "threshold 0.3" in text and "3.0-sigma" in text and "grow" in text


def test_runaway_note_when_growth_starts():
    lab = run("grow", seed=0)
    assert lab.metrics()["weights_changed"]
    assert any("only adds" in n for n in lab.notes())


def test_divergence_is_flagged_and_stepping_stops():
    lab = HebbLab(seed=0, preset="grow")
    lab.w[0, 0] = 2e12  # as if a huge eta had run for ages
    lab.step(10)
    assert lab.diverged and "eta" in lab.diverged and "w_max" in lab.diverged
    t = lab.steps_done
    lab.step(10)
    assert lab.steps_done == t
    assert lab.diverged in lab.notes()


def test_memory_is_bounded():
    lab = HebbLab(seed=0, preset="grow")
    lab.run(20_000)
    s = lab.series()
    assert s["weight_traces"].x.size <= 5000
    assert s["raster"].x.size <= 20_000
    assert lab.metrics()["steps"] == 20_000
