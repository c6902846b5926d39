"""The live app (autoplay, no sync) with a lab whose single step takes seconds: keys,
pause, reset and quit answer at once, the status line says the lab is busy, and the
screen catches up when the step ends. Before the lab thread, every key waited for the
step (`hebblab tui stdp --set rate_hz=200 --set n_inputs=10000`: 0 fps, q took 18 s)."""

from __future__ import annotations

import time

from hebblab.tui.app import HebblabApp
from hebblab.tui.widgets.param_panel import ParamList
from hebblab.tui.widgets.status import StatusLine
from tests.tui.test_lab_thread import SlowLab, slow_lab  # noqa: F401  (fixture)

STEP_S = 6.0  # one step of the slow lab


def status(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


def param_line(app, name: str) -> str:
    rendered = str(app.screen.query_one(ParamList).text())
    return next(line for line in rendered.splitlines() if name in line)


async def wait_until(pilot, check, timeout: float) -> bool:
    t0 = time.perf_counter()
    while not check() and time.perf_counter() - t0 < timeout:
        await pilot.pause(0.01)
    return check()


async def test_keys_pause_reset_and_quit_answer_during_a_long_step(slow_lab, tmp_path):
    # Judged by order, not by the clock (the test machine may be loaded): every answer must
    # be on the screen while the lab is still inside the one step it started with.
    slow_lab.delay_s = STEP_S
    app = HebblabApp(slow_lab, autoplay=True, export_dir=tmp_path)
    assert not app.sync
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.lab_screen()
        assert await wait_until(pilot, lambda: "lab busy" in status(app), 10)  # the first step is under way
        lab = screen.runners[0].lab

        def mid_step() -> bool:
            return screen.sim.busy_for() > 0 and lab.steps_done == 0

        assert " 5 Hz" in param_line(app, "rate_Hz")  # the default preset's
        await pilot.press("right")  # one step up, live
        assert await wait_until(pilot, lambda: " 6 Hz" in param_line(app, "rate_Hz"), 2) and mid_step()
        await pilot.press("space")
        assert await wait_until(pilot, lambda: "paused" in status(app), 2) and mid_step()
        await pilot.press("plus")
        assert await wait_until(pilot, lambda: "2 ms/frame" in status(app), 2) and mid_step()
        await pilot.press("r")
        assert await wait_until(pilot, lambda: "t=0.0 ms" in status(app), 2) and mid_step()
        assert lab.params["rate_Hz"] == 5.0  # not applied yet: the lab is mid-step
        # The step ends, then the queued requests apply, in order, on the lab thread.
        assert await wait_until(pilot, lambda: lab.params["rate_Hz"] == 6.0 and lab.steps_done == 0,
                                2 * STEP_S + 10)
        assert slow_lab.overlaps == 0
        await pilot.press("n")  # another slow step, and quit in the middle of it
        assert await wait_until(pilot, lambda: "lab busy" in status(app), 10)
        await pilot.press("q")
    assert screen.sim.busy_for() > 0 and lab.steps_done == 0  # the app ended mid-step: q did not wait
