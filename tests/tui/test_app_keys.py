"""Pilot tests of the live lab's keys: stepping, parameters, typing values, reset, speed.

The app runs headless with autoplay off, so every frame is driven by a key and the
numbers are exact.
"""

from __future__ import annotations

import numpy as np

from tests.tui.toylab import ToyLab
from hebblab.tui.screens.lab_screen import LabScreen
from hebblab.tui.widgets.param_panel import ParamHelp, ParamList
from hebblab.tui.widgets.status import StatusLine


def lab_of(app):
    return app.lab_screen().runners[0].lab


def status_text(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def test_n_advances_exactly_one_frame_and_nothing_runs_while_paused(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = lab_of(app)
        runner = app.lab_screen().runners[0]
        assert runner.steps_per_frame == 1  # 200 ms default duration at 20 fps -> 1 ms/frame
        await pilot.pause(0.3)
        assert lab.steps_done == 0  # paused: nothing stepped
        await pilot.press("n")
        assert lab.steps_done == 1
        await pilot.press("n", "n")
        assert lab.steps_done == 3
        assert "t=3.0 ms" in status_text(app)
        assert "paused" in status_text(app)
        from hebblab.tui.widgets.status import ReadoutsLine

        readouts = str(app.screen.query_one(ReadoutsLine).render())
        assert f"weight: {lab.readouts()['weight']:.4g}" in readouts
        # Stepping through the app gives the same numbers as the lab alone.
        ref = ToyLab(seed=0)
        for _ in range(3):  # the toy lab is not split-invariant: step it frame by frame
            ref.step(1)
        np.testing.assert_array_equal(lab.series()["v"].y, ref.series()["v"].y)


async def test_space_runs_and_pauses(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = lab_of(app)
        await pilot.press("space")
        await pilot.pause(0.4)
        assert app.lab_screen().running
        assert lab.steps_done > 0
        await pilot.press("space")
        stopped = lab.steps_done
        await pilot.pause(0.3)
        assert lab.steps_done == stopped
        assert not app.lab_screen().running


async def test_speed_keys_change_steps_per_frame(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        runner = app.lab_screen().runners[0]
        await pilot.press("plus")
        assert runner.ms_per_frame == 2.0
        await pilot.press("n")
        assert runner.lab.steps_done == 2
        await pilot.press("minus", "minus")
        assert runner.ms_per_frame == 0.5
        await pilot.press("n", "n")  # half a step per frame: one step every other frame
        assert runner.lab.steps_done == 3


async def test_arrows_adjust_live_parameter(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = lab_of(app)
        assert lab.params["rate_Hz"] == 5.0  # preset calm
        await pilot.press("right")
        assert lab.params["rate_Hz"] == 6.0
        await pilot.press("shift+right")
        assert lab.params["rate_Hz"] == 16.0
        await pilot.press("left")
        assert lab.params["rate_Hz"] == 15.0
        for _ in range(3):
            await pilot.press("shift+right", "shift+right", "shift+right", "shift+right")
        assert lab.params["rate_Hz"] == 100.0  # clamped at the spec's max


async def test_reset_parameter_waits_for_reset(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = lab_of(app)
        await pilot.press("n", "n", "down", "right")
        assert app.screen.query_one(ParamList).current.spec.name == "gain"
        assert lab.params["gain"] == 1.0 and lab.pending == {"gain": 1.1}
        assert "apply on reset" in status_text(app) or "on reset" in str(app.screen.query_one(ParamHelp).render())
        await pilot.press("r")
        assert lab.params["gain"] == 1.1 and lab.pending == {}
        assert lab.steps_done == 0


async def test_up_down_tab_move_between_parameters(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        plist = app.screen.query_one(ParamList)
        names = [s.name for s in ToyLab.specs]
        await pilot.press("down", "down")
        assert plist.current.spec.name == names[2]
        await pilot.press("tab")
        assert plist.current.spec.name == names[3]
        await pilot.press("shift+tab", "up")
        assert plist.current.spec.name == names[1]
        await pilot.press("up", "up")  # wraps to the last
        assert plist.current.spec.name == names[-1]
        assert names[-1] in str(app.screen.query_one(ParamHelp).render())


async def test_typing_a_value_sets_it(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = lab_of(app)
        await pilot.press("7", "5", "enter")
        assert lab.params["rate_Hz"] == 75.0
        # enter opens the editor with the current value; replace it
        await pilot.press("enter", "backspace", "backspace", "backspace", "backspace", "4", "2", ".", "5", "enter")
        assert lab.params["rate_Hz"] == 42.5
        assert app.screen.focused is app.screen.query_one(ParamList)


async def test_invalid_value_keeps_old_value_and_shows_inline_error(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = lab_of(app)
        await pilot.press("5", "0", "0", "enter")  # out of range [0, 100]
        assert lab.params["rate_Hz"] == 5.0
        help_text = str(app.screen.query_one(ParamHelp).render())
        assert "rate_Hz: out of range" in help_text and "100" in help_text
        await pilot.press("enter", "backspace", "x", "enter")  # not a number
        assert lab.params["rate_Hz"] == 5.0
        assert "expected a number" in str(app.screen.query_one(ParamHelp).render())
        await pilot.press("escape")
        await pilot.press("1", "escape")  # escape cancels an edit
        assert lab.params["rate_Hz"] == 5.0
        # a cross-parameter check (gain <= 4 with square) is an inline error too
        await pilot.press("down", "3", ".", "5", "enter")  # gain 3.5 pending
        await pilot.press("down", "down", "right")  # mode -> square: fine with 3.5
        assert lab.params["mode"] == "square"
        await pilot.press("up", "up", "4", ".", "5", "enter")
        assert "must be <= 4 with mode=square" in str(app.screen.query_one(ParamHelp).render())
        assert lab.value("gain") == 3.5
        await pilot.press("n")  # the app keeps working
        assert lab.steps_done == 1


async def test_choice_and_bool_cycle_with_arrows_and_freeze_key(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = lab_of(app)
        plist = app.screen.query_one(ParamList)
        plist.select("mode")
        await pilot.press("right")
        assert lab.params["mode"] == "square"
        await pilot.press("right")
        assert lab.params["mode"] == "sine"
        await pilot.press("f")
        assert lab.params["freeze"] is True
        await pilot.press("n")
        w = lab.w.copy()
        await pilot.press("n")
        np.testing.assert_array_equal(lab.w, w)  # frozen: no weight change
        await pilot.press("f")
        assert lab.params["freeze"] is False


async def test_quit_key_exits(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_mouse_click_selects_a_parameter(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        plist = app.screen.query_one(ParamList)
        await pilot.click(ParamList, offset=(3, 2))  # third line: the third parameter
        assert plist.current.spec.name == ToyLab.specs[2].name
        await pilot.press("right")
        assert lab_of(app).pending == {"n_cells": 5}
