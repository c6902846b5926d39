"""One lab in the live view, kept free of Textual so it can be tested directly.

A `Runner` owns one lab plus what the live view needs around it: the sim speed
(biological milliseconds per frame, separate from the redraw rate), a frame counter, and
which series changed since they were last drawn. Speed is in ms rather than steps so labs
with different `dt_ms` (the chapter view runs lif at 0.1 ms beside hebb at 1 ms) advance
together; fractional steps carry over, so no step is lost or repeated.

It has two sides, because a lab step, reset or chart may take seconds (a 50,000-cell
network builds for 10 s) and the screen must keep answering keys meanwhile:

- the lab side (`build`, `frame`, `step`, `reset`, `load_preset`, `set_param`,
  `make_view`) calls into the lab. In the app only the screen's lab thread
  (tui/lab_thread.py) calls it, one call at a time; tests may call it directly.
- the screen side (`shown`, `value`, `pending`, `request_*`) never touches the lab. `shown`
  is the latest `LabView` (a copy of the lab's state made on the lab side) with the
  screen's requests laid over it until the lab has applied them, so a key shows its
  effect at once even while the lab is in the middle of a long step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from hebblab.sim.labs.base import Lab, check_seed
from hebblab.sim.params import ParamSpec
from hebblab.sim.series import Series

# Sim speeds offered by +/- (bio ms per frame): a 1-2-5 ladder.
SPEEDS_MS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
PLAYBACK_S = 10.0  # the default speed plays a preset's duration (the lab's default) in about this long


def default_speed(lab: type[Lab] | Lab, fps: float, dt_ms: float | None = None,
                  duration_ms: float | None = None) -> float:
    """The ladder speed closest (in log) to playing `duration_ms` (default: the lab's
    default duration) in PLAYBACK_S: a one-minute preset of a 20-minute lab plays in
    about 10 s too, not in 60 frames."""
    dt = dt_ms if dt_ms is not None else (lab.dt_ms if isinstance(lab, Lab) else 1.0)
    duration = float(duration_ms if duration_ms is not None else lab.default_duration_ms)
    target = max(duration / (PLAYBACK_S * fps), dt)
    return min(SPEEDS_MS, key=lambda s: abs(math.log(s / target)) if s >= dt else math.inf)


@dataclass
class LabView:
    """What the screen shows of one lab: copies made on the lab side, safe to keep."""

    t_ms: float
    steps_done: int
    preset_name: str
    rng_seed: int
    params: dict[str, Any]
    pending: dict[str, Any]
    diverged: str | None = None
    readouts: dict[str, Any] = field(default_factory=dict)
    readouts_error: str = ""
    notes: list[str] = field(default_factory=list)
    series: dict[str, Series] = field(default_factory=dict)  # changed since the previous view
    error: str = ""  # the last lab call that failed ("TypeError: ..."); cleared by reset
    built: bool = False  # False until the lab exists (the first view comes from its class)
    seq: int = 0  # how many of the screen's requests the lab had applied


def _run_now(job: Callable[[], None]) -> None:
    job()


class Runner:
    """One lab in the live view."""

    def __init__(self, lab_cls: type[Lab], preset: str | None = None, seed: int = 0,
                 overrides: Mapping[str, Any] | None = None, fps: float = 20.0, build: bool = True):
        self.lab_cls = lab_cls
        params = lab_cls.resolve_params(preset, overrides)  # bad input fails here, at once
        self._make_lab = lambda: lab_cls(overrides, seed=seed, preset=preset)
        self.lab: Lab | None = None
        self.fps = fps
        self.ms_per_frame = default_speed(lab_cls, fps, float(params.get("dt_ms", 1.0)),
                                          lab_cls.preset(preset).duration_ms)
        self.speed_chosen = False  # set by +/-: a preset loaded later keeps the user's speed
        self.frames = 0
        self._owed_steps = 0.0  # fractional steps carried to the next frame
        self.generation = 0  # bumps on reset / parameter change: everything redraws
        self.edited = False  # a live parameter changed since the last reset (export says so)
        self.error = ""
        self._drawn: dict[str, tuple] = {}
        self.wanted: frozenset[str] | None = None  # series the screen shows (None: all)
        # screen side
        self.shown = LabView(0.0, 0, lab_cls.preset(preset).name, check_seed(seed), params, {})
        self.submit: Callable[[Callable[[], None]], None] = _run_now  # the lab thread replaces it
        self._asked = 0  # requests made (screen side)
        self._applied = 0  # requests applied (lab side)
        if build:
            self.build()

    @classmethod
    def adopt(cls, lab: Lab, like: "Runner | None" = None, fps: float = 20.0) -> "Runner":
        """A runner for a lab that already exists (a copy taken on a lab thread: a
        comparison's sides, or the side kept when it ends), with `like`'s speed and frame
        count. Only the caller may hold `lab` until a lab thread takes the runner over."""
        runner = cls(type(lab), preset=lab.preset_name, seed=lab.rng_seed, overrides=dict(lab.params), fps=fps,
                     build=False)
        runner.lab = lab
        if like is not None:
            runner.ms_per_frame, runner.frames, runner._owed_steps = like.ms_per_frame, like.frames, like._owed_steps
            runner.speed_chosen = like.speed_chosen
            runner.edited = like.edited
        runner.shown = replace(runner.make_view(), series={})
        runner.forget_drawn()  # the new screen draws everything once
        return runner

    @property
    def name(self) -> str:
        return self.lab_cls.name

    @property
    def specs(self) -> tuple[ParamSpec, ...]:
        return self.lab_cls.specs

    # -- speed ------------------------------------------------------------------------
    @property
    def steps_per_frame(self) -> float:
        return self.ms_per_frame / float(self.shown.params.get("dt_ms", 1.0))

    def faster(self) -> None:
        self.ms_per_frame = next((s for s in SPEEDS_MS if s > self.ms_per_frame), self.ms_per_frame)
        self.speed_chosen = True

    def slower(self) -> None:
        self.ms_per_frame = next((s for s in reversed(SPEEDS_MS) if s < self.ms_per_frame), self.ms_per_frame)
        self.speed_chosen = True

    def preset_speed(self, name: str) -> float:
        """The default speed of preset `name` (its duration played in about PLAYBACK_S)."""
        params = self.lab_cls.resolve_params(name)
        return default_speed(self.lab_cls, self.fps, float(params.get("dt_ms", 1.0)),
                             self.lab_cls.preset(name).duration_ms)

    # -- lab side ---------------------------------------------------------------------
    def build(self) -> None:
        if self.lab is None:
            self.lab = self._make_lab()

    def frame_steps(self) -> int:
        """The steps of the next frame (fractional steps carry over)."""
        self._owed_steps += self.ms_per_frame / self.lab.dt_ms
        n = int(self._owed_steps + 1e-9)
        self._owed_steps -= n
        self.frames += 1
        return n

    def step(self, n: int) -> None:
        self.lab.step(n)

    def frame(self) -> int:
        """Advance one frame; returns the number of steps taken."""
        n = self.frame_steps()
        self.step(n)
        return n

    def reset(self) -> None:
        self.lab.reset()
        self._restart()

    def load_preset(self, name: str) -> None:
        self.lab.load_preset(name)
        self._restart()

    def set_param(self, name: str, value: Any) -> bool:
        """Validate and set (raises ParamError); True if it applied live."""
        live = self.lab.set_param(name, value)
        self.generation += 1
        self.edited = self.edited or (live and self.lab.steps_done > 0)
        return live

    def _restart(self) -> None:
        self.frames = 0
        self._owed_steps = 0.0
        self.generation += 1
        self.edited = False
        self.error = ""

    def changed_series(self, names: set[str] | frozenset[str] | None = None) -> dict[str, Series]:
        """Series whose data changed since last asked (optionally only `names`).

        A lab bumps `Series.version` when data changes; a lab that leaves every version
        at 0 is treated as changing whenever time advanced.
        """
        out = {}
        for name, s in self.lab.series().items():
            if names is not None and name not in names:
                continue
            key = (self.generation, s.version) if s.version else (self.generation, self.lab.steps_done)
            if self._drawn.get(name) != key:
                self._drawn[name] = key
                out[name] = s
        return out

    def forget_drawn(self) -> None:
        """Make every series count as changed (after a resize or a theme change)."""
        self._drawn.clear()

    def make_view(self) -> LabView:
        """A copy of what the screen shows, with the series changed since the last view."""
        lab = self.lab
        if lab is None:
            return replace(self.shown, series={}, seq=self._applied, error=self.error)
        readouts, readouts_error = {}, ""
        try:
            readouts = dict(lab.readouts())
        except Exception as err:  # a lab bug must not stop the view
            readouts_error = type(err).__name__
        series, error = {}, self.error
        try:
            series = self.changed_series(self.wanted)
            notes = list(lab.notes())
        except Exception as err:
            notes, error = [], error or f"{type(err).__name__}: {err}"
        return LabView(lab.t_ms, lab.steps_done, lab.preset_name, lab.rng_seed, dict(lab.params), lab.pending,
                       lab.diverged, readouts, readouts_error, notes, series, error, True, self._applied)

    # -- screen side ------------------------------------------------------------------
    def value(self, name: str) -> Any:
        """The value a user sees for a parameter: pending if set, else current."""
        shown = self.shown
        return shown.pending.get(name, shown.params[name])

    @property
    def pending(self) -> dict[str, Any]:
        return self.shown.pending

    def request_param(self, name: str, value: Any) -> bool:
        """Check a new value at once (raises ParamError), show it, have the lab apply it;
        True if it applies live."""
        spec = self.lab_cls.spec(name)
        value = spec.validate(value)
        shown = self.shown
        self.lab_cls.check({**shown.params, **shown.pending, name: value})
        params, pending = dict(shown.params), dict(shown.pending)
        if spec.live:
            params[name] = value
            pending.pop(name, None)
        else:
            pending[name] = value
        self.shown = replace(shown, params=params, pending=pending)
        self._ask(lambda: self.set_param(name, value))
        return spec.live

    def request_reset(self) -> None:
        shown = self.shown
        self.shown = replace(shown, params={**shown.params, **shown.pending}, pending={}, t_ms=0.0,
                             steps_done=0, diverged=None, error="")
        self._ask(self.reset)

    def request_preset(self, name: str) -> None:
        """Switch to a preset (raises ParamError for an unknown name)."""
        params = self.lab_cls.resolve_params(name)
        self.shown = replace(self.shown, params=params, pending={}, preset_name=name, t_ms=0.0,
                             steps_done=0, diverged=None, error="")
        self._ask(lambda: self.load_preset(name))

    def _ask(self, change: Callable[[], None]) -> None:
        self._asked += 1
        seq = self._asked

        def job() -> None:
            try:
                change()
            except Exception as err:  # checked on the screen side already: a lab bug
                self.error = f"{type(err).__name__}: {err}"
            self._applied = seq

        self.submit(job)

    def accept(self, view: LabView) -> dict[str, Series]:
        """Take a view from the lab side; returns the series to redraw.

        A view made before the lab applied every request is dropped (the screen's own
        picture is newer); each request redraws everything, so no series is lost.
        """
        if view.seq < self._asked:
            return {}
        self.shown = view
        return view.series
