"""The one small interface every plasticity rule implements, plus weight constraints.

A rule sees, once per time step, the presynaptic activity `pre` (shape (n_pre,)),
the postsynaptic activity `post` (shape (n_post,)) and the weights `w`
(shape (n_pre, n_post)), and changes `w` in place. Activity is 0/1 spikes for
spiking rules and rates/real values for rate rules; each rule's docstring says
which. Rules with internal state (traces, sliding thresholds) keep it themselves
and clear it in `reset`. Constraints (bounds, Dale's law) are applied by the lab
after the rule, through `WeightConstraints.apply`, so every rule gets them.

Spiking rules that are event-driven for speed subclass `EventDrivenRule`: they
implement on_pre / on_post for spikes at exact times, and inherit the dense per-step
`update` built on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


BLOCK_VALUES = 1 << 16  # numbers per temporary in the closed forms' spike-by-spike sums


def row_blocks(n_rows: int, n_cols: int):
    """Slices of at most BLOCK_VALUES // n_cols rows: the closed forms sum spike against
    spike in these blocks, so 1000-pair protocols need no 1000 x 1000 temporaries (~33 MB)."""
    rows = max(1, BLOCK_VALUES // max(1, n_cols))
    return (slice(i, i + rows) for i in range(0, n_rows, rows))


class PlasticityRule:
    """Base class. Subclasses implement `update`."""

    def reset(self, n_pre: int, n_post: int) -> None:
        """Clear internal state for a network of this shape."""

    def update(self, w: np.ndarray, pre: np.ndarray, post: np.ndarray, dt_ms: float) -> None:
        """Change w in place for one time step of dt_ms."""
        raise NotImplementedError


class EventDrivenRule(PlasticityRule):
    """A spiking rule whose arithmetic lives in two events at exact times.

    Subclasses implement on_pre(w, idx, t_ms, plastic) and on_post(w, idx, t_ms,
    plastic): the distinct pre (or post) cells `idx` spike at t_ms. `update` is the
    dense per-step form: it advances a clock by dt_ms (a step's spikes are stamped at
    its END, t = k*dt) and runs the step's pre events before its post events (a pre
    and a post spike in the same step count as pre-before-post), so dense and
    event-driven use give identical weights. A subclass's `reset` calls
    `super().reset(n_pre, n_post)` to restart the clock.
    """

    def reset(self, n_pre: int, n_post: int) -> None:
        self._steps = 0  # dense-mode clock: t = steps * dt_ms

    def on_pre(self, w: np.ndarray, idx: np.ndarray, t_ms: float, plastic: bool = True) -> None:
        raise NotImplementedError

    def on_post(self, w: np.ndarray, idx: np.ndarray, t_ms: float, plastic: bool = True) -> None:
        raise NotImplementedError

    def update(self, w: np.ndarray, pre: np.ndarray, post: np.ndarray, dt_ms: float) -> None:
        """One step of dt_ms; `pre`/`post` are 0/1 spikes stamped at the end of the step."""
        self._steps += 1
        t = self._steps * dt_ms
        self.on_pre(w, np.flatnonzero(pre), t)
        self.on_post(w, np.flatnonzero(post), t)


@dataclass
class WeightConstraints:
    """Optional weight bounds and Dale's law (a synapse never changes sign).

    w_min/w_max: None means unbounded on that side. With `dale`, each synapse keeps
    the sign it was created with: excitatory ones are clipped at >= 0 and
    inhibitory ones at <= 0 (a synapse that starts at exactly 0 counts as excitatory).
    """

    w_min: float | None = None
    w_max: float | None = None
    dale: bool = False
    sign: np.ndarray | None = None  # +1/-1 per synapse, fixed at creation when dale is on

    def bind(self, w0: np.ndarray) -> "WeightConstraints":
        """Record each synapse's initial sign (call once, at reset)."""
        self.sign = np.where(w0 < 0, -1.0, 1.0)
        return self

    def apply(self, w: np.ndarray) -> None:
        if self.w_min is not None or self.w_max is not None:
            np.clip(w, self.w_min, self.w_max, out=w)
        if self.dale:
            if self.sign is None:
                raise RuntimeError("WeightConstraints.bind(w0) must be called before apply with dale=True")
            np.copyto(w, np.where(self.sign > 0, np.maximum(w, 0.0), np.minimum(w, 0.0)))
