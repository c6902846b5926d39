"""The default sim speed follows the preset's duration (a one-minute preset of a 20-minute
lab plays in about 10 s, not in a few frames), and a speed the user chose with +/- stays."""

from __future__ import annotations

import pytest

from hebblab.sim.labs import get_lab
from hebblab.tui.app import HebblabApp
from hebblab.tui.compare_mode import open_comparison
from hebblab.tui.runner import PLAYBACK_S, SPEEDS_MS, Runner

FPS = 20.0


def _playback_s(lab: str, preset: str | None) -> float:
    cls = get_lab(lab)
    runner = Runner(cls, preset=preset, fps=FPS, build=False)
    duration = cls.preset(preset).duration_ms or cls.default_duration_ms
    return duration / runner.ms_per_frame / FPS


@pytest.mark.parametrize("lab", ["lif", "hebb", "pairing", "rstdp", "ei", "perceptron", "hopfield", "oja"])
def test_every_preset_plays_in_about_ten_seconds(lab):
    # The ladder is 1-2-5, so the nearest rung is within a factor 2.5 of the target;
    # a lab's smallest time step can only make it slower, never faster.
    cls = get_lab(lab)
    for preset in cls.presets:
        seconds = _playback_s(lab, preset.name)
        assert PLAYBACK_S / 2.5 <= seconds, (preset.name, seconds)
        if Runner(cls, preset=preset.name, fps=FPS, build=False).ms_per_frame < SPEEDS_MS[-1]:
            assert seconds <= PLAYBACK_S * 2.5, (preset.name, seconds)


def test_short_presets_of_long_labs():
    assert Runner(get_lab("rstdp"), preset="quick", fps=FPS, build=False).ms_per_frame == 200.0  # 60 s in 15 s
    assert Runner(get_lab("rstdp"), fps=FPS, build=False).ms_per_frame == 1000.0  # 20 min: the top rung
    assert Runner(get_lab("pairing"), preset="ltp-100hz", fps=FPS, build=False).ms_per_frame == 5.0


async def test_loading_a_preset_takes_its_speed_unless_chosen():
    app = HebblabApp("pairing", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.lab_screen()
        runner = screen.runners[0]
        assert runner.ms_per_frame == 1000.0
        screen.load_preset(runner, "ltp-100hz")
        await pilot.pause()
        assert runner.ms_per_frame == 5.0
        assert "5 ms/frame" in str(screen.status.render())
        await pilot.press("plus")  # the user's choice from now on
        assert runner.ms_per_frame == 10.0
        screen.load_preset(runner, "ltd-1hz")
        await pilot.pause()
        assert runner.ms_per_frame == 10.0


async def test_a_pair_runs_at_its_preset_speed_on_both_sides():
    app = HebblabApp("rstdp", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        open_comparison(app, "rstdp", pair="contingent-vs-random")  # preset quick
        await pilot.pause()
        a, b = app.lab_screen().runners
        assert a.ms_per_frame == b.ms_per_frame == 200.0
        await pilot.press("n")
        assert a.lab.t_ms == b.lab.t_ms == 200.0
