"""The frame loop's bookkeeping (no Textual): sim speed ladder, fractional steps carried
between frames, and 'redraw only what changed'."""

from __future__ import annotations

import numpy as np

from tests.tui.toylab import ToyLab
from hebblab.tui.runner import SPEEDS_MS, Runner, default_speed
from hebblab.chart_figures import describe


def test_default_speed_plays_default_duration_in_about_ten_seconds():
    lab = ToyLab()
    speed = default_speed(lab, fps=20)
    assert speed in SPEEDS_MS
    seconds = lab.default_duration_ms / speed / 20
    assert 4 <= seconds <= 25


def test_speed_ladder_and_fractional_steps():
    r = Runner(ToyLab)
    r.ms_per_frame = 1.0
    r.faster()
    assert r.ms_per_frame == 2.0 and r.steps_per_frame == 2.0
    r.slower(), r.slower(), r.slower()
    assert r.ms_per_frame == 0.2
    taken = [r.frame() for _ in range(10)]  # 0.2 steps per frame: one step every 5 frames
    assert sum(taken) == 2 and r.lab.steps_done == 2 and set(taken) <= {0, 1}
    for _ in range(20):
        r.slower()
    assert r.ms_per_frame == SPEEDS_MS[0]
    for _ in range(30):
        r.faster()
    assert r.ms_per_frame == SPEEDS_MS[-1]


def test_only_changed_series_are_handed_out():
    r = Runner(ToyLab)
    first = r.changed_series()
    assert set(first) == {s.name for s in ToyLab.series_specs}
    assert r.changed_series() == {}  # nothing stepped: nothing to redraw
    r.frame()
    changed = set(r.changed_series())
    assert "v" in changed and "fi" not in changed  # the curve's version never moves
    assert set(r.changed_series({"v"})) == set()
    r.set_param("rate_Hz", 20.0)  # a parameter change redraws everything
    assert set(r.changed_series()) == set(first)
    r.frame()
    assert set(r.changed_series({"w"})) == {"w"}
    r.reset()
    assert set(r.changed_series()) == set(first) and r.lab.steps_done == 0 and not r.edited


def test_edited_flag_marks_live_changes_mid_run():
    r = Runner(ToyLab)
    r.set_param("rate_Hz", 20.0)
    assert not r.edited  # before the run started: the run used this value throughout
    r.frame()
    r.set_param("gain", 2.0)  # waits for reset: the run so far is unaffected
    assert not r.edited
    r.set_param("rate_Hz", 30.0)
    assert r.edited


def test_trace_chart_gets_about_two_points_per_column_and_keeps_a_spike(make_app):
    from hebblab.sim.series import Series

    spec = ToyLab.series_spec("v")
    y = np.sin(np.linspace(0, 50, 200_000))
    y[123_456] = 40.0  # one-sample spike
    x = np.arange(y.size) * 0.1
    fig = describe(Series(spec, y, x=x), 80, 20)
    (layer,) = fig.layers
    assert len(layer.x) <= 160
    assert layer.y.max() == 40.0 and layer.y.min() == y.min()
