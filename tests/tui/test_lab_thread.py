"""The lab thread (no Textual): requests between steps, never two threads in a lab,
frames paced to the fps, the pace when the lab cannot keep up, and a prompt stop."""

from __future__ import annotations

import threading
import time

import pytest

from hebblab.sim.params import ParamError
from hebblab.tui.lab_thread import LabThread
from hebblab.tui.runner import Runner
from tests.tui.toylab import ToyLab


class SlowLab(ToyLab):
    """ToyLab whose steps take `delay_s` each and which counts overlapping calls."""

    name = "slow"
    delay_s = 0.0
    overlaps = 0
    threads: set = set()

    def _enter(self) -> None:
        if getattr(self, "_inside", False):
            type(self).overlaps += 1
        self._inside = True
        type(self).threads.add(threading.get_ident())

    def _leave(self, delay: float) -> None:
        time.sleep(delay)
        self._inside = False

    def _advance(self, n: int) -> None:
        self._enter()
        try:
            super()._advance(n)
        finally:
            self._leave(self.delay_s * n)

    def _apply_live(self, name, value) -> None:
        self._enter()
        self._leave(0.001)

    def _reset(self) -> None:
        self._enter()
        super()._reset()
        self._leave(0.001)


@pytest.fixture
def slow_lab():
    SlowLab.overlaps, SlowLab.threads, SlowLab.delay_s = 0, set(), 0.0
    yield SlowLab


def started(runner: Runner, fps: float = 20.0) -> LabThread:
    sim = LabThread([runner], fps)
    sim.start()
    assert sim.settle(10)
    return sim


def test_requests_run_between_steps_on_the_lab_thread_only(slow_lab):
    slow_lab.delay_s = 0.02
    runner = Runner(slow_lab, build=False)
    sim = started(runner)
    try:
        sim.set_running(True)
        for k in range(30):  # requests keep coming while the thread steps
            runner.request_param("rate_Hz", 10.0 + k)
            if k % 10 == 9:
                runner.request_reset()
            time.sleep(0.005)
        sim.set_running(False)
        assert sim.settle(10)
        assert slow_lab.overlaps == 0
        assert slow_lab.threads == {sim._thread.ident}  # the screen's thread never entered the lab
        assert runner.lab.params["rate_Hz"] == 39.0
        view, = sim.take()[0]
        assert runner.accept(view) is not None and runner.shown.params["rate_Hz"] == 39.0
    finally:
        sim.stop()


def test_a_request_shows_at_once_while_a_long_step_runs(slow_lab):
    slow_lab.delay_s = 1.5
    runner = Runner(slow_lab, build=False)
    sim = started(runner)
    try:
        sim.step_frame()
        time.sleep(0.2)  # the step is under way
        assert sim.busy_for() > 0.1
        t0 = time.perf_counter()
        assert runner.request_param("rate_Hz", 42.0) is True
        runner.request_param("gain", 2.0)  # a reset-only parameter: pending
        answered = time.perf_counter() - t0
        assert answered < 0.1  # did not wait for the step
        assert runner.value("rate_Hz") == 42.0 and runner.pending == {"gain": 2.0}
        with pytest.raises(ParamError):  # still checked at once
            runner.request_param("rate_Hz", -5.0)
        early, = sim.take()[0]
        if early is not None:  # made before the lab applied the request: not shown
            runner.accept(early)
            assert runner.value("rate_Hz") == 42.0
        assert sim.settle(10)
        view, = sim.take()[0]
        runner.accept(view)
        assert view.seq == 2 and runner.shown.params["rate_Hz"] == 42.0 and runner.pending == {"gain": 2.0}
        assert runner.lab.steps_done == 1
    finally:
        sim.stop()


def test_frames_are_paced_to_the_fps_and_pace_is_about_one():
    runner = Runner(ToyLab, build=False)
    sim = started(runner, fps=40)
    try:
        sim.set_running(True)
        time.sleep(1.0)
        sim.set_running(False)
        assert sim.settle(10)
        frames = runner.frames
        assert 1 <= frames <= 45  # never ahead of 40 fps (a loaded machine may lag)
        assert runner.lab.steps_done in (frames, frames - 1)  # one step a frame; pause may drop one
    finally:
        sim.stop()


def test_pace_says_how_far_behind_a_slow_lab_is(slow_lab):
    slow_lab.delay_s = 0.01  # each call: 10 ms
    runner = Runner(slow_lab, build=False)
    runner.ms_per_frame = 10.0  # 10 steps a frame, one call each at best: ~100 ms a frame
    sim = started(runner, fps=20)  # ... wanted every 50 ms
    try:
        sim.set_running(True)
        time.sleep(1.5)
        assert sim.pace is not None and sim.pace < 0.9
        sim.set_running(False)
        assert sim.pace is None
    finally:
        sim.stop()


def test_stop_ends_the_thread_after_the_step_in_progress(slow_lab):
    slow_lab.delay_s = 0.3
    runner = Runner(slow_lab, build=False)
    sim = started(runner)
    sim.set_running(True)
    time.sleep(0.1)
    t0 = time.perf_counter()
    sim.stop()  # returns at once
    assert time.perf_counter() - t0 < 0.05
    sim._thread.join(5)
    assert not sim._thread.is_alive()


def test_a_lab_error_pauses_and_is_reported(slow_lab):
    runner = Runner(slow_lab, build=False)
    sim = started(runner)
    try:
        sim.set_running(True)

        def broken(n):
            raise ValueError("lab bug")

        sim.submit(lambda: setattr(runner.lab, "_advance", broken))
        deadline = time.monotonic() + 10
        while sim.running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not sim.running
        view, = sim.take()[0]
        runner.accept(view)
        assert runner.shown.error == "ValueError: lab bug"
    finally:
        sim.stop()


def _count_views(runner: Runner) -> list[float]:
    made: list[float] = []
    make_view = runner.make_view

    def counted():
        made.append(time.monotonic())
        return make_view()

    runner.make_view = counted
    return made


def _one_frame(lab_cls, steps: int) -> tuple[Runner, list[float], float]:
    """Step one frame of `steps` steps with `n` (the last view long past): the lab after
    it, when each view was made, and when the frame was asked for."""
    runner = Runner(lab_cls, build=False)
    runner.ms_per_frame = float(steps)
    sim = started(runner, fps=20)
    try:
        time.sleep(0.1)  # the last view long past: the old rule made one after the first chunk
        made = _count_views(runner)
        t0 = time.monotonic()
        sim.step_frame()
        assert sim.settle(10)
        return runner, made, t0
    finally:
        sim.stop()


def test_a_frame_asked_with_n_makes_one_view_at_its_end(slow_lab):
    # A frame of 15 steps of 2 ms (30 ms, less than the 50-ms publish period) runs in
    # chunks of 1, 2, 4 and 8 steps; its first chunk's view would only be drawn over by
    # the frame's end.
    slow_lab.delay_s = 0.002
    runner, made, _ = _one_frame(slow_lab, 15)
    assert runner.lab.steps_done == 15
    assert len(made) == 1


def test_a_long_frame_asked_with_n_still_shows_its_progress(slow_lab):
    # 60 steps of 10 ms: 0.6 s, twelve publish periods. Views come on the way, the first a
    # period after the frame began.
    slow_lab.delay_s = 0.01
    runner, made, t0 = _one_frame(slow_lab, 60)
    assert runner.lab.steps_done == 60
    assert len(made) >= 3  # progress while it ran, then the end
    assert made[0] - t0 >= 0.05 * 0.9  # the publish period at 20 fps
