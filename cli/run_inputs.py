"""Turn command-line/config input into a validated run plan (lab, params, seed, duration).

Shared by `hebblab run` and anything else that starts a lab from user text (sweeps, the
TUI's command line). Every check raises ParamError or UsageError with a one-line message
naming the parameter and what is allowed; nothing here runs a simulation.

Precedence: lab defaults <- preset <- config [params] <- --set. Seed: --seed, else the
config's, else the preset's, else 0. Duration: --duration, else the config's, else the
preset's, else the lab's default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from hebblab.sim.labs import get_lab
from hebblab.sim.labs.base import MAX_SEED, Lab, check_seed
from hebblab.sim.params import ParamError, Value
from hebblab.errors import UsageError

# One hour of biological time: long enough for any lab here (Song 2000 needs 100 s),
# short enough that a typo (an extra 0) doesn't start a run that takes all night.
MAX_DURATION_MS = 3_600_000.0


@dataclass
class RunPlan:
    lab_cls: type[Lab]
    preset: str
    params: dict[str, Value]
    seed: int
    duration_ms: float

    def make_lab(self) -> Lab:
        return self.lab_cls(self.params, seed=self.seed, preset=self.preset)


def parse_assignments(items: Iterable[str], option: str = "--set") -> dict[str, str]:
    """['a=1', 'b=x'] -> {'a': '1', 'b': 'x'} (the last of repeated names wins)."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"{option}: expected NAME=VALUE, got {item!r}")
        out[name] = value
    return out


def parse_seed(text: Any, option: str = "--seed") -> int:
    """A seed from user text or a number: an integer in [0, MAX_SEED]."""
    if isinstance(text, str):
        try:
            value: Any = int(text.strip(), 10)
        except ValueError:
            raise ParamError("seed", f"expected an integer in [0, {MAX_SEED}], got {text!r}") from None
    else:
        value = text
    return check_seed(value)


def parse_duration(value: Any, dt_ms: float, option: str = "--duration", has_dt_param: bool = True) -> float:
    """A run length in ms: finite, > 0, <= MAX_DURATION_MS and at least one time step.
    has_dt_param: the lab has a dt_ms parameter to name (hebb and oja step 1 ms without one)."""
    allowed = f"a number of ms in (0, {MAX_DURATION_MS:.0f}]"
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ParamError(option, f"expected {allowed}, got {value!r}") from None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(option, f"expected {allowed}, got {value!r}")
    else:
        number = float(value)
    if not math.isfinite(number):
        raise ParamError(option, f"must be finite: expected {allowed}, got {value!r}")
    if number <= 0 or number > MAX_DURATION_MS:
        raise ParamError(option, f"out of range: expected {allowed} (one hour of "
                         f"biological time at most), got {number:.10g}")
    if round(number / dt_ms) < 1:
        step = f"dt_ms = {dt_ms:g}" if has_dt_param else f"this lab steps {dt_ms:g} ms at a time"
        raise ParamError(option, f"{number:g} ms is shorter than one time step ({step})")
    return number


def plan_run(lab: str | None = None, preset: str | None = None, sets: Iterable[str] = (),
             seed: Any = None, duration: Any = None, config: str | None = None) -> RunPlan:
    """Validate everything a run needs; raise before any output is written."""
    from hebblab.runfiles import config_overrides, load_config

    cfg = load_config(config) if config is not None else None
    if cfg is not None:
        if lab is not None and lab != cfg.lab:
            raise UsageError(f"lab: the command line says {lab!r} but {cfg.where('lab')} says {cfg.lab!r}; "
                             "give one")
        if preset is not None:
            raise UsageError("--preset: cannot be combined with --config (the config fixes the preset "
                             "and every parameter); change values with --set")
        lab = cfg.lab
    if lab is None:
        raise UsageError("lab: give a lab name (see `hebblab labs`) or --config FILE")
    try:
        lab_cls = get_lab(lab)
    except ParamError as err:
        if cfg is None:
            raise
        raise UsageError(f"{cfg.where('lab')}: {err}") from None

    if cfg is not None and cfg.preset is not None:
        try:
            preset_obj = lab_cls.preset(cfg.preset)
        except ParamError as err:
            raise UsageError(f"{cfg.where('preset')}: {err}") from None
    else:
        preset_obj = lab_cls.preset(preset)

    overrides: dict[str, Any] = dict(config_overrides(lab_cls, cfg)) if cfg is not None else {}
    assigned = parse_assignments(sets)
    for name, text in assigned.items():
        overrides[name] = lab_cls.spec(name).parse(text)
    try:
        params = lab_cls.resolve_params(preset_obj.name, overrides)
    except ParamError as err:  # a cross-parameter check: point at the config line if it came from there
        if cfg is None or err.param not in cfg.params or err.param in assigned:
            raise
        raise UsageError(f"{cfg.where(err.param, 'params')}: [params] {err}") from None

    if seed is not None:
        seed_value = parse_seed(seed)
    elif cfg is not None and cfg.seed is not None:
        try:
            seed_value = check_seed(cfg.seed)
        except ParamError as err:
            raise UsageError(f"{cfg.where('seed')}: {err}") from None
    else:
        seed_value = check_seed(preset_obj.seed if preset_obj.seed is not None else 0)

    dt_ms = float(params.get("dt_ms", 1.0))
    has_dt = "dt_ms" in params
    if duration is not None:
        duration_ms = parse_duration(duration, dt_ms, has_dt_param=has_dt)
    elif cfg is not None and cfg.duration_ms is not None:
        try:
            duration_ms = parse_duration(cfg.duration_ms, dt_ms, option="duration_ms", has_dt_param=has_dt)
        except ParamError as err:
            raise UsageError(f"{cfg.where('duration_ms')}: {err}") from None
    else:
        default = preset_obj.duration_ms if preset_obj.duration_ms is not None else lab_cls.default_duration_ms
        duration_ms = parse_duration(default, dt_ms, option="duration_ms", has_dt_param=has_dt)
    return RunPlan(lab_cls, preset_obj.name, params, seed_value, duration_ms)
