"""The frame loop's state for one lab, kept free of Textual so it can be tested directly.

A `Runner` owns one lab instance plus what the live view needs around it: the sim speed
(biological milliseconds per frame, separate from the redraw rate), a frame counter, and
which series changed since they were last drawn. Speed is in ms rather than steps so labs
with different `dt_ms` (the chapter view runs lif at 0.1 ms beside hebb at 1 ms) advance
together; fractional steps carry over, so no step is lost or repeated.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from hebblab.sim.labs.base import Lab
from hebblab.sim.series import Series

# Sim speeds offered by +/- (bio ms per frame): a 1-2-5 ladder.
SPEEDS_MS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
PLAYBACK_S = 10.0  # the default speed plays a lab's default duration in about this long


def default_speed(lab: type[Lab] | Lab, fps: float) -> float:
    """The ladder speed closest (in log) to playing the default duration in PLAYBACK_S."""
    dt = lab.dt_ms if isinstance(lab, Lab) else 1.0
    target = max(float(lab.default_duration_ms) / (PLAYBACK_S * fps), dt)
    return min(SPEEDS_MS, key=lambda s: abs(math.log(s / target)) if s >= dt else math.inf)


class Runner:
    """One lab in the live view."""

    def __init__(self, lab_cls: type[Lab], preset: str | None = None, seed: int = 0,
                 overrides: Mapping[str, Any] | None = None, fps: float = 20.0):
        self.lab: Lab = lab_cls(overrides, seed=seed, preset=preset)
        self.ms_per_frame = default_speed(self.lab, fps)
        self.frames = 0
        self._owed_steps = 0.0  # fractional steps carried to the next frame
        self.generation = 0  # bumps on reset / parameter change: everything redraws
        self.edited = False  # a live parameter changed since the last reset (export says so)
        self._drawn: dict[str, tuple] = {}

    @property
    def name(self) -> str:
        return self.lab.name

    # -- speed ------------------------------------------------------------------------
    @property
    def steps_per_frame(self) -> float:
        return self.ms_per_frame / self.lab.dt_ms

    def faster(self) -> None:
        self.ms_per_frame = next((s for s in SPEEDS_MS if s > self.ms_per_frame), self.ms_per_frame)

    def slower(self) -> None:
        self.ms_per_frame = next((s for s in reversed(SPEEDS_MS) if s < self.ms_per_frame), self.ms_per_frame)

    # -- stepping ---------------------------------------------------------------------
    def frame(self) -> int:
        """Advance one frame; returns the number of steps taken."""
        self._owed_steps += self.steps_per_frame
        n = int(self._owed_steps + 1e-9)
        self._owed_steps -= n
        self.lab.step(n)
        self.frames += 1
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

    # -- drawing ----------------------------------------------------------------------
    def changed_series(self, names: set[str] | None = None) -> dict[str, Series]:
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
