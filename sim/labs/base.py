"""The lab interface every experiment implements; front ends are generic over it.

A lab subclass declares (as class attributes):
  name, title, summary      identity and a one-line description
  specs                     tuple[ParamSpec]: every parameter, once
  presets                   tuple[Preset]: the first is the default
  pairs                     tuple[Pair]: comparison presets (hebblab compare --pair)
  input_params              names of the parameters that change the input streams (all
                            others leave a comparison's input bit-identical)
  readout_specs             tuple[ReadoutSpec]: named scalars for status panels
  series_specs              tuple[SeriesSpec]: named arrays, each with a chart kind
  default_duration_ms       how long `hebblab run` runs without --duration
and implements:
  _reset()                  build state from self.params and self.rng_seed
  _advance(n)               advance n time steps of self.dt_ms (a run that diverges may
                            stop early and return how many steps it did); step() calls it
                            with at most chunk_steps() steps
  _step_width()             optional: numbers per step in _advance's largest array
  readouts() / series()     current values
  metrics()                 JSON-able results for `hebblab run --json` (readouts by default)
  check(params)             optional cross-parameter constraints (raise ParamError)
  theory_curve(...)         optional closed form of a metric against a parameter (sweeps)

Life cycle: Lab(params, seed) validates and resets; step(n) advances; set_param()
applies `live` parameters at once and stores the others until reset(). Given the same
params and seed, any split of the same total steps gives bit-identical state.
If a run diverges (NaN/inf or overflow), the lab sets `diverged` to a message naming
what to change, and step() does nothing until reset.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

import numpy as np

from hebblab.sim.params import Pair, ParamError, ParamSpec, Preset, Value, closest, find_spec, validate_params
from hebblab.sim.series import ReadoutSpec, Series, SeriesSpec

MAX_SEED = 2**32 - 1
# step() hands _advance at most CHUNK_STEPS steps and CHUNK_VALUES numbers per array
# (2 MB of float64; see _step_width), so an hour-long run needs no more memory than a
# short one.
CHUNK_STEPS = 1 << 16
CHUNK_VALUES = 1 << 18


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ParamError("seed", f"expected an integer in [0, {MAX_SEED}], got {seed!r}")
    return int(seed)


class Lab:
    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    specs: ClassVar[tuple[ParamSpec, ...]] = ()
    presets: ClassVar[tuple[Preset, ...]] = ()
    pairs: ClassVar[tuple[Pair, ...]] = ()
    input_params: ClassVar[tuple[str, ...]] = ()
    readout_specs: ClassVar[tuple[ReadoutSpec, ...]] = ()
    series_specs: ClassVar[tuple[SeriesSpec, ...]] = ()
    default_duration_ms: ClassVar[float] = 1000.0

    # -- declarations -------------------------------------------------------------
    @classmethod
    def spec(cls, name: str) -> ParamSpec:
        """The spec answering to `name`: its current name, an old one or a synonym."""
        return find_spec(cls.specs, name, f" for lab {cls.name!r}")

    @classmethod
    def preset(cls, name: str | None) -> Preset:
        """The named preset (the default one for None)."""
        if name is None:
            return cls.presets[0]
        for p in cls.presets:
            if p.name == name:
                return p
        names = [p.name for p in cls.presets]
        raise ParamError("preset", f"unknown preset {name!r} for lab {cls.name!r}; choose one of "
                         + ", ".join(names) + closest(name, names))

    @classmethod
    def resolve_params(cls, preset: str | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Value]:
        """Defaults <- preset <- overrides, validated (names, ranges, cross-checks)."""
        merged = dict(cls.preset(preset).params)
        merged.update(overrides or {})
        params = validate_params(cls.specs, merged)
        cls.check(params)
        return params

    @classmethod
    def check(cls, params: Mapping[str, Value]) -> None:
        """Cross-parameter constraints; override and raise ParamError naming a parameter."""

    @classmethod
    def theory_curve(cls, metric: str, param: str, values: np.ndarray,
                     params: Mapping[str, Value]) -> np.ndarray | None:
        """The closed-form value of `metric` at each of `values` of `param`, the other
        parameters as in `params`: sweep charts overlay it. None (the default) when the lab
        has no theory for this metric and parameter."""
        return None

    @classmethod
    def series_spec(cls, name: str) -> SeriesSpec:
        for s in cls.series_specs:
            if s.name == name:
                return s
        raise KeyError(name)

    # -- life cycle -----------------------------------------------------------------
    def __init__(self, params: Mapping[str, Any] | None = None, seed: int = 0, preset: str | None = None):
        self.preset_name = self.preset(preset).name
        self.params: dict[str, Value] = self.resolve_params(preset, params)
        self.rng_seed = check_seed(seed)
        self._pending: dict[str, Value] = {}
        self.reset()

    def reset(self, seed: int | None = None) -> None:
        """Apply pending parameters, restart time at 0 and rebuild state."""
        if seed is not None:
            self.rng_seed = check_seed(seed)
        self.params.update(self._pending)
        self._pending.clear()
        self.steps_done = 0
        self.diverged: str | None = None
        self._reset()

    def set_param(self, name: str, value: Any) -> bool:
        """Validate and set a parameter; True if it applied now (live), False if on reset."""
        spec = self.spec(name)
        name = spec.name  # an old name sets the current one
        value = spec.validate(value)
        trial = {**self.params, **self._pending, name: value}
        self.check(trial)
        if spec.live:
            self.params[name] = value
            self._pending.pop(name, None)
            self._apply_live(name, value)
            return True
        self._pending[name] = value
        return False

    def load_preset(self, name: str) -> None:
        """Switch to a preset: parameters from it, then reset."""
        self.params = self.resolve_params(name)
        self.preset_name = name
        self._pending.clear()
        self.reset()

    @property
    def pending(self) -> dict[str, Value]:
        return dict(self._pending)

    def value(self, name: str) -> Value:
        """The value a user sees for a parameter: pending if set, else current."""
        return self._pending.get(name, self.params[name])

    @property
    def dt_ms(self) -> float:
        return float(self.params.get("dt_ms", 1.0))

    @property
    def t_ms(self) -> float:
        return self.steps_done * self.dt_ms

    def steps_for(self, duration_ms: float) -> int:
        return int(round(duration_ms / self.dt_ms))

    def step(self, n: int = 1) -> None:
        """Advance n time steps (no-op while diverged), in chunks of at most chunk_steps():
        memory stays bounded however long the run, and, labs being split invariant, the
        result is the same as one call."""
        if n < 0:
            raise ValueError("n must be >= 0")
        n = int(n)
        chunk = self.chunk_steps()
        while n > 0 and not self.diverged:
            m = min(n, chunk)
            done = self._advance(m)
            done = m if done is None else int(done)
            self.steps_done += done
            n -= m
            if done < m:
                break

    def chunk_steps(self) -> int:
        """The most steps one _advance call gets."""
        return max(1, min(CHUNK_STEPS, CHUNK_VALUES // max(1, int(self._step_width()))))

    def run(self, duration_ms: float) -> None:
        self.step(self.steps_for(duration_ms))

    # -- for subclasses -----------------------------------------------------------
    def _reset(self) -> None:
        raise NotImplementedError

    def _step_width(self) -> int:
        """How many numbers per time step the largest array of _advance holds (cells,
        inputs...); step() sizes its chunks by it."""
        return 1

    def _advance(self, n: int) -> int | None:
        """Advance n steps. None: all n were done. A lab whose run diverges part-way (it sets
        `diverged`) may return the steps it did instead, so time stops where the run did."""
        raise NotImplementedError

    def _apply_live(self, name: str, value: Value) -> None:
        """Hook: a live parameter changed (self.params already updated)."""

    def readouts(self) -> dict[str, float]:
        raise NotImplementedError

    def series(self) -> dict[str, Series]:
        raise NotImplementedError

    def metrics(self) -> dict[str, Any]:
        """JSON-able results; readouts by default, labs add lists (spike times...)."""
        return {k: jsonable(v) for k, v in self.readouts().items()}

    def notes(self) -> list[str]:
        """Plain-language remarks about the current run (why nothing learns, ...)."""
        return [self.diverged] if self.diverged else []


def jsonable(v: Any) -> Any:
    """numpy scalars/arrays to plain Python; NaN/inf to None (JSON has neither)."""
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "iub" or (v.dtype.kind == "f" and np.isfinite(v).all()):
            return v.tolist()  # already plain Python numbers (one list, not two: long runs)
        return [jsonable(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if np.isfinite(f) else None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v
