"""Turn command-line/config input into a validated run plan (lab, params, seed, duration).

Shared by `hebblab run` and anything else that starts a lab from user text (sweeps, the
TUI's command line). Every check raises ParamError or UsageError with a one-line message
naming the parameter and what is allowed; nothing here runs a simulation.

Precedence: lab defaults <- preset <- config [params] <- --set. Seed: --seed, else the
config's, else the preset's, else 0. Duration: --duration, else the config's, else the
preset's, else the lab's default.

Old parameter names (docs/vocabulary.md) are accepted wherever a name is typed; the plan
keys every value by its current name and carries one notice per old name used, for the
command to print (`print_notices`) once its input is valid.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

from hebblab.sim.labs import get_lab
from hebblab.sim.labs.base import MAX_SEED, Lab, check_seed
from hebblab.sim.params import ParamError, Value, float_of, renamed
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
    notices: tuple[str, ...] = field(default=())  # "OLD is now NEW", one per old name used

    def make_lab(self) -> Lab:
        return self.lab_cls(self.params, seed=self.seed, preset=self.preset)


def parse_assignments(items: Iterable[str], option: str = "--set") -> dict[str, str]:
    """['a=1', 'b=x'] -> {'a': '1', 'b': 'x'} (the last of repeated names wins)."""
    return dict(_split(item, option) for item in items)


def _split(item: str, option: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    name = name.strip()
    if not sep or not name:
        raise UsageError(f"{option}: expected NAME=VALUE, got {item!r}")
    return name, value


def parse_sets(lab_cls: type[Lab], items: Iterable[str], option: str = "--set") -> dict[str, Value]:
    """NAME=VALUE items parsed against the lab's specs, keyed by current names: an old name
    sets the current one, and the last assignment to a parameter wins, whatever it is called."""
    out: dict[str, Value] = {}
    for item in items:
        name, text = _split(item, option)
        spec = lab_cls.spec(name)
        try:
            value = spec.parse(text)
        except ParamError as err:
            if name == spec.name:
                raise
            # name what was typed too: no notice is printed when the input is bad
            raise ParamError(f"{spec.name} (given as {name})", str(err).removeprefix(f"{spec.name}: ")) from None
        out.pop(spec.name, None)  # keep the order of the last assignments
        out[spec.name] = value
    return out


def name_notices(lab_cls: type[Lab], items: Iterable[str]) -> list[str]:
    """Notices for the old names typed in NAME=VALUE items (shapes already checked)."""
    return renamed(lab_cls.specs, [item.partition("=")[0].strip() for item in items])


def print_notices(notices: Iterable[str]) -> None:
    """One stderr line per notice, e.g. `hebblab: notice: V_t_mV is now V_thresh_mV`."""
    for line in notices:
        print(f"hebblab: notice: {line}", file=sys.stderr)


def parse_seed(text: Any) -> int:
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
        number = float_of(value, option, allowed)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(option, f"expected {allowed}, got {value!r}")
    elif isinstance(value, int) and abs(value) > MAX_DURATION_MS:  # 400 digits: float() overflows
        raise ParamError(option, f"out of range: expected {allowed}, got a {'negative ' if value < 0 else ''}{len(str(abs(value)))}-digit integer")
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

    sets = list(sets)
    overrides: dict[str, Any] = {}
    typed: dict[str, str] = {}  # current name -> the name the config used
    if cfg is not None:
        for name, value in config_overrides(lab_cls, cfg).items():
            current = lab_cls.spec(name).name
            if current in typed:
                raise UsageError(f"{cfg.where(name, 'params')}: [params] {name}: sets {current} like "
                                 f"{typed[current]} above; keep one")
            typed[current] = name
            overrides[current] = value
    assigned = parse_sets(lab_cls, sets)
    overrides.update(assigned)
    try:
        params = lab_cls.resolve_params(preset_obj.name, overrides)
    except ParamError as err:  # a cross-parameter check: point at the config line if it came from there
        if cfg is None or err.param not in typed or err.param in assigned:
            raise
        raise UsageError(f"{cfg.where(typed[err.param], 'params')}: [params] {err}") from None

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
    notices = renamed(lab_cls.specs, cfg.params) if cfg is not None else []
    notices += [n for n in name_notices(lab_cls, sets) if n not in notices]
    return RunPlan(lab_cls, preset_obj.name, params, seed_value, duration_ms, tuple(notices))
