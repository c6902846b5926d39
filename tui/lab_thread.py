"""The lab thread: every call into a screen's labs runs here, off Textual's event loop.

A step of a heavy lab can take a second, building a big network ten, and the first chart
of a long protocol longer: on the event loop any of them froze keys, pause and quit.
So a screen never calls its labs. It hands this thread requests (a parameter, reset, a
preset, export, one frame), which run in order between steps, one at a time, so no lab is
ever touched by two threads; and it draws from the `LabView` copies this thread
publishes (at most `fps` a second, and after every request).

While running, a frame (each runner's sim speed worth of steps) starts every 1/fps
seconds and is stepped in chunks sized to last about CHUNK_S, so a request waits one
chunk (or one step, if a single step is longer). When frames take longer than 1/fps the
labs fall behind the set speed: `pace` says by how much (achieved / set). Input comes
first: while the user types (`defer`), running frames wait, so the thread does not take
the CPU the screen needs to answer (frames asked for with `n` do not wait); and for
INTERACTIVE_S after input a running frame steps for at most INTERACTIVE_SHARE of the frame
period, the rest of it dropped: the labs keep running while the user adjusts them, slower,
and the screen keeps most of the one interpreter lock (a lab stepping flat out halves the
speed of drawing and of answering keys). Views are
published at most every `publish_period` (1/fps unless the screen, busy drawing, asks
for fewer), and at once after a request.

`lockstep` (a comparison): every runner steps the same number of steps per chunk, and a
pause lets the frame in progress finish, so the sides are always at the same time when
a view is made (sides with different time steps finish the frame in one chunk each).

No Textual here: `notify` is called (from this thread) when views are waiting, and the
screen collects them with `take()`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable

from hebblab.tui.runner import LabView, Runner

CHUNK_S = 0.02  # a request waits about this long for the steps in progress
INTERACTIVE_S = 2.0  # after input, running frames are cut short for this long...
INTERACTIVE_SHARE = 0.3  # ...to this share of the frame period
PACE_WINDOW_S = 2.0  # pace is measured over this much wall time

Reply = Callable[[Any], None]


class LabThread:
    def __init__(self, runners: list[Runner], fps: float, notify: Callable[[], None] = lambda: None,
                 lockstep: bool = False):
        self.runners = runners
        self.lockstep = lockstep
        self.period = 1.0 / fps
        self.notify = notify
        self.cond = threading.Condition()
        self.running = False  # frames start on their own every period
        self.held = False  # the screen is covered: no new frames
        self.quiet_until = 0.0  # running frames wait until then (monotonic s): input first
        self.interactive_until = 0.0  # running frames are cut short until then (monotonic s)
        self.pace: float | None = None  # achieved / set speed while running (None: not known yet)
        self.busy_since: float | None = None  # when the lab call in progress began
        self._jobs: deque[tuple[Callable[[], Any], Reply | None]] = deque()
        self._frames_asked = 0
        self._frame: list[int] | None = None  # steps left per runner in the frame in progress
        self._frame_end = float("inf")  # monotonic s: a running frame cut short stops then
        self._frame_start = 0.0  # monotonic s: when the frame in progress began
        self._next_frame_at = 0.0
        self._working: str | None = None  # "job" or "step" while one runs
        self._stopped = False
        self.crashed = ""  # a bug in this thread (not in a lab) ended it
        self._outbox: list[LabView | None] = [None] * len(runners)
        self._replies: list[tuple[Reply, Any]] = []
        self._notified = False
        self._last_publish = 0.0
        self.publish_period = self.period
        self._dirty = False  # stepped since the last view
        self._step_s = [0.0] * len(runners)  # measured seconds per step
        self._chunk = [1] * len(runners)
        self._pace_marks: deque[tuple[float, float]] = deque()
        self._thread = threading.Thread(target=self._main, name="hebblab-lab", daemon=True)
        for r in runners:
            r.submit = self.submit

    # -- screen side ----------------------------------------------------------------
    def start(self) -> None:
        if self._thread.ident is not None:
            return
        for r in self.runners:
            self.submit(lambda r=r: self._build(r))
        self._thread.start()

    def _build(self, runner: Runner) -> None:
        try:
            runner.build()
        except Exception as err:  # e.g. a network too big for memory: say so, stay alive
            runner.error = f"{type(err).__name__}: {err}"

    def stop(self) -> None:
        """Stop after the call in progress (not waited for: quitting must not wait)."""
        with self.cond:
            self._stopped = True
            self._jobs.clear()
            self.cond.notify_all()

    def submit(self, job: Callable[[], Any], reply: Reply | None = None) -> None:
        """Run `job` on the lab thread between steps; `reply(result)` is handed back
        through `take()` (the result is the exception if the job raised)."""
        with self.cond:
            self._jobs.append((job, reply))
            self.cond.notify_all()

    def set_running(self, running: bool) -> None:
        with self.cond:
            if running and not self.running:
                self._next_frame_at = time.monotonic()
            self.running = running
            if not running and not self.lockstep:
                self._frame = None  # the frame in progress stops at the next chunk
            self._pace_marks.clear()
            self.pace = None
            self.cond.notify_all()

    def hold(self, held: bool) -> None:
        with self.cond:
            self.held = held
            self._next_frame_at = time.monotonic()
            self._pace_marks.clear()
            self.cond.notify_all()

    def defer(self, seconds: float) -> None:
        """Input arrived: hold running frames for `seconds`, leaving the CPU to the screen."""
        now = time.monotonic()
        self.quiet_until = max(self.quiet_until, now + seconds)
        self.interactive_until = now + seconds + INTERACTIVE_S

    def step_frame(self) -> None:
        with self.cond:
            self._frames_asked += 1
            self.cond.notify_all()

    def change_speed(self, change: Callable[[], None]) -> None:
        """Change runner speeds where no frame can start half-way (the chapter's labs
        must keep the same time)."""
        with self.cond:
            change()
            self._pace_marks.clear()

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until every request so far is done and, unless running, every frame."""
        with self.cond:
            return self.cond.wait_for(self._settled, timeout)

    def _settled(self) -> bool:
        if self._stopped or not self._thread.is_alive():
            return True
        if self._jobs or self._working == "job":
            return False
        if self.running or self.held:  # frames go on (or wait for the screen): requests are done
            return True
        return self._working is None and self._frame is None and self._frames_asked == 0 and not self._dirty

    def take(self) -> tuple[list[LabView | None], list[tuple[Reply, Any]]]:
        """The views published since the last call (None where nothing new), and replies."""
        with self.cond:
            views, self._outbox = self._outbox, [None] * len(self.runners)
            replies, self._replies = self._replies, []
            self._notified = False
        return views, replies

    def busy_for(self) -> float:
        """Seconds the lab call in progress has taken so far (0 when idle)."""
        since = self.busy_since
        return 0.0 if since is None else time.monotonic() - since

    # -- lab thread -----------------------------------------------------------------------
    def _main(self) -> None:
        try:
            while True:
                with self.cond:
                    work = self._next_work()
                if work is None:
                    return
                if work == "step":
                    self._step_chunk()
                elif work == "publish":
                    self._publish(force=True)
                else:
                    self._run_job(*work)
                with self.cond:
                    self._working = None
                    self.cond.notify_all()
        except BaseException as err:  # never a traceback over the screen: the screen reports it
            with self.cond:
                self.crashed = f"{type(err).__name__}: {err}"
                self._stopped = True
                self.cond.notify_all()
            self._call_notify()

    def _next_work(self):
        """Wait for something to do (the cond is held): a job, "step", or None to end."""
        while True:
            if self._stopped:
                return None
            if self._jobs:
                self._working = "job"
                return self._jobs.popleft()
            now = time.monotonic()
            if self._frame is None and not self.held:
                if self._frames_asked:
                    self._frames_asked -= 1
                    self._start_frame(cut=False)
                elif self.running and now >= self._next_frame_at:
                    self._next_frame_at = max(self._next_frame_at + self.period, now)
                    self._start_frame(cut=now < self.interactive_until)
            if self._dirty and self._frame is None and (
                    not self.running or now - self._last_publish >= self.publish_period):
                self._working = "step"
                return "publish"
            if self._frame is not None and not self.held:
                if self.running and now < self.quiet_until:
                    self._pace_marks.clear()  # a pause for input is not falling behind
                    self.pace = None
                    self.cond.wait(self.quiet_until - now)
                    continue
                self._working = "step"
                return "step"
            timeout = self._next_frame_at - now if self.running and not self.held else None
            if self._dirty:  # a view is due then
                due = self._last_publish + self.publish_period - now
                timeout = due if timeout is None else min(timeout, due)
            self.cond.wait(timeout)

    def _start_frame(self, cut: bool) -> None:
        self._frame = [r.frame_steps() if r.lab is not None else 0 for r in self.runners]
        self._frame_start = now = time.monotonic()
        self._frame_end = now + INTERACTIVE_SHARE * self.period if cut else float("inf")

    def _step_chunk(self) -> None:
        frame = self._frame
        if frame is None:
            return
        share = min(CHUNK_S, max(0.0, self._frame_end - time.monotonic())) / len(self.runners)
        sizes = []
        for i in range(len(self.runners)):
            guess = int(share / self._step_s[i]) if self._step_s[i] > 0 else 1
            sizes.append(max(1, min(frame[i], guess, 2 * self._chunk[i])))
        if self.lockstep:  # the same steps for every side (or the whole frame when time steps differ)
            sizes = [min(sizes)] * len(sizes) if len(set(frame)) == 1 else list(frame)
        for i, r in enumerate(self.runners):
            if frame[i] <= 0:
                continue
            n = sizes[i]
            start = time.monotonic()
            self.busy_since = start
            try:
                r.step(n)
            except Exception as err:  # a lab bug: stop and say so, keep the screen alive
                r.error = f"{type(err).__name__}: {err}"
                with self.cond:
                    self.running = False
                    self._frame = None
                self._publish(force=True)
                return
            finally:
                self.busy_since = None
            self._step_s[i] = (time.monotonic() - start) / n
            self._chunk[i] = n
            frame[i] -= n
        # A frame cut short (input just now) ends at its time: its other steps are dropped.
        done = all(left <= 0 for left in frame) or time.monotonic() >= self._frame_end
        with self.cond:
            if done and self._frame is frame:
                self._frame = None
            self._mark_pace()
        self._publish(force=False)

    def _run_job(self, job: Callable[[], Any], reply: Reply | None) -> None:
        self.busy_since = time.monotonic()
        try:
            result = job()
        except Exception as err:
            result = err
        finally:
            self.busy_since = None
        if reply is not None:
            with self.cond:
                self._replies.append((reply, result))
        with self.cond:
            self._pace_marks.clear()
        self._publish(force=True)

    def _mark_pace(self) -> None:
        """Record sim time against wall time (the cond is held) and update `pace`."""
        lab = self.runners[0].lab
        if not self.running or lab is None:
            return
        now = time.monotonic()
        marks = self._pace_marks
        marks.append((now, lab.t_ms))
        while len(marks) > 2 and now - marks[1][0] >= PACE_WINDOW_S:
            marks.popleft()
        (t0, sim0), (t1, sim1) = marks[0], marks[-1]
        if t1 - t0 >= min(0.5, PACE_WINDOW_S):
            set_speed = self.runners[0].ms_per_frame / self.period  # bio ms per wall second
            self.pace = (sim1 - sim0) / (t1 - t0) / set_speed

    def _publish(self, force: bool) -> None:
        now = time.monotonic()
        # A frame asked with `n` shows itself before its end only once it has run a publish
        # period (a long frame's progress): a view of its first chunk would be drawn over
        # at its end, a view made for nothing (1-2 ms of a comparison's `n` frame).
        stepping = self._frame is not None and not self.running
        since = now - (max(self._last_publish, self._frame_start) if stepping else self._last_publish)
        if not force and since < self.publish_period and (self.running or self._frame is not None):
            self._dirty = True  # at most one view per publish period; this one later
            return
        self._dirty = False
        self._last_publish = now
        self.busy_since = now
        try:
            views = [r.make_view() for r in self.runners]
        finally:
            self.busy_since = None
        with self.cond:
            for i, view in enumerate(views):
                old = self._outbox[i]
                if old is not None:  # not taken yet: keep its series that this one lacks
                    view.series = {**old.series, **view.series}
                self._outbox[i] = view
            if self._notified:
                return
            self._notified = True
        self._call_notify()

    def _call_notify(self) -> None:
        try:
            self.notify()
        except Exception:  # the screen is gone (its event loop closed): nobody to tell
            pass
