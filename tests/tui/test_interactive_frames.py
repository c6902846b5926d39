"""While the user acts (a key, a resize), running frames step for a share of the frame
period only, so the screen keeps the interpreter; a frame asked for with `n` stays whole."""

from __future__ import annotations

import time

from hebblab.tui import lab_thread
from hebblab.tui.lab_thread import LabThread
from hebblab.tui.runner import Runner
from tests.tui.test_lab_thread import SlowLab, slow_lab  # noqa: F401 (fixture)


def _advance_while_running(sim: LabThread, runner: Runner, seconds: float, typing: bool) -> float:
    """Biological ms the lab advances in `seconds` of running (typing: input every 50 ms)."""
    t0 = runner.lab.t_ms
    sim.set_running(True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if typing:
            sim.defer(0.0)  # input: no pause, but the frames that follow are cut short
        time.sleep(0.05)
    sim.set_running(False)
    assert sim.settle(10)
    return runner.lab.t_ms - t0


def test_frames_are_cut_short_while_the_user_acts_and_whole_otherwise(slow_lab):  # noqa: F811
    slow_lab.delay_s = 0.001  # 1 ms a step
    runner = Runner(slow_lab, build=False)
    runner.ms_per_frame = 40.0  # 40 steps: 40 ms of a 50 ms frame period
    sim = LabThread([runner], fps=20)
    sim.start()
    try:
        assert sim.settle(10)
        free = _advance_while_running(sim, runner, 1.0, typing=False)
        typing = _advance_while_running(sim, runner, 1.0, typing=True)
        # whole frames: ~20 x 40 ms; cut to 30 % of 50 ms: ~20 x 15 ms (sleep granularity aside)
        assert free > 500.0, free
        assert typing < 0.6 * free, (typing, free)
        assert typing > 0.0  # the labs keep running, slower
        # A frame asked for (n) is stepped whole, input or not.
        sim.defer(0.0)
        before = runner.lab.t_ms
        sim.step_frame()
        assert sim.settle(10)
        assert runner.lab.t_ms - before == 40.0
    finally:
        sim.stop()


def test_the_cut_ends_interactive_s_after_the_last_input(slow_lab, monkeypatch):  # noqa: F811
    monkeypatch.setattr(lab_thread, "INTERACTIVE_S", 0.2)
    runner = Runner(slow_lab, build=False)
    sim = LabThread([runner], fps=20)
    sim.defer(0.1)
    now = time.monotonic()
    assert now < sim.quiet_until <= now + 0.1
    assert now + 0.25 < sim.interactive_until <= now + 0.31
