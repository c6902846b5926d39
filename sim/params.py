"""Parameter specs: each lab parameter is declared once, with bounds, unit and help.

Front ends (CLI tables, TUI panels, config files) are generated from these specs,
and every value that reaches a lab passes through `ParamSpec.validate`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

Value = float | int | str | bool


class ParamError(ValueError):
    """A bad parameter value or name. `str(err)` is a one-line message for users."""

    def __init__(self, param: str, message: str):
        self.param = param
        super().__init__(f"{param}: {message}")


def closest(name: str, options: Iterable[str]) -> str:
    """' (did you mean X?)' for the closest option, or '' when none is close.
    Case is ignored when matching (EULER -> euler, v_rest_mv -> V_rest_mV)."""
    by_lower = {o.lower(): o for o in reversed(list(options))}  # first option wins a tie
    match = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.5)
    return f" (did you mean {by_lower[match[0]]!r}?)" if match else ""


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class ParamSpec:
    """One lab parameter.

    kind: "float", "int", "bool" or "choice". `live` parameters apply on the next
    frame; the others are stored and take effect on the next reset.
    """

    name: str
    default: Value
    unit: str = ""
    min: float | None = None
    max: float | None = None
    step: float | None = None
    help: str = ""
    live: bool = False
    kind: str = "float"
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("float", "int", "bool", "choice"):
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.kind == "choice" and self.default not in self.choices:
            raise ValueError(f"{self.name}: default {self.default!r} not in choices")
        self.validate(self.default)  # a spec whose default is invalid is a programming error

    # -- describing -------------------------------------------------------------
    def allowed(self) -> str:
        """Human text of the allowed values, e.g. 'a number in [1, 1000] ms'."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        what = "an integer" if self.kind == "int" else "a number"
        unit = f" {self.unit}" if self.unit else ""
        if self.min is not None and self.max is not None:
            return f"{what} in [{_fmt(self.min)}, {_fmt(self.max)}]{unit}"
        if self.min is not None:
            return f"{what} >= {_fmt(self.min)}{unit}"
        if self.max is not None:
            return f"{what} <= {_fmt(self.max)}{unit}"
        return what + unit

    def format(self, value: Value) -> str:
        if self.kind == "bool":
            return "on" if value else "off"
        if self.kind == "float":
            return f"{float(value):.6g}"
        return str(value)

    # -- checking ---------------------------------------------------------------
    def parse(self, text: str) -> Value:
        """Parse user text (CLI --set, TUI input) and validate it."""
        text = text.strip()
        if self.kind == "bool":
            low = text.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ParamError(self.name, f"expected {self.allowed()}, got {text!r}")
        if self.kind == "choice":
            return self.validate(text)
        try:
            number = float(text)
        except ValueError:
            raise ParamError(self.name, f"expected {self.allowed()}, got {text!r}") from None
        if self.kind == "int" and math.isfinite(number) and number == int(number):
            return self.validate(int(number))
        return self.validate(number)

    def validate(self, value: Any) -> Value:
        """Return the value coerced to the spec's type, or raise ParamError."""
        bad = ParamError(self.name, f"expected {self.allowed()}, got {value!r}")
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise bad
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            hint = closest(value, self.choices) if isinstance(value, str) else ""
            raise ParamError(self.name, f"expected {self.allowed()}, got {value!r}{hint}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        if not math.isfinite(value):
            raise ParamError(self.name, f"must be finite: expected {self.allowed()}, got {value!r}")
        if self.kind == "int":
            if isinstance(value, float):
                if value != int(value):
                    raise bad
                value = int(value)
        else:
            value = float(value)
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ParamError(self.name, f"out of range: expected {self.allowed()}, got {_fmt(value)}")
        return value

    def nudge(self, value: Value, steps: int) -> Value:
        """The value moved by `steps` increments, clamped to the bounds (TUI arrows)."""
        if self.kind == "bool":
            return (not value) if steps % 2 else value
        if self.kind == "choice":
            i = self.choices.index(value)
            return self.choices[(i + steps) % len(self.choices)]
        step = self.step if self.step is not None else (1 if self.kind == "int" else 0.1)
        new = value + steps * step
        if self.min is not None:
            new = max(self.min, new)
        if self.max is not None:
            new = min(self.max, new)
        if self.kind == "int":
            return int(round(new))
        # Snap to the step grid so repeated nudges don't accumulate float noise.
        return float(round(new / step) * step) if step else float(new)


@dataclass(frozen=True)
class Preset:
    """A named parameter set. `params` override the specs' defaults."""

    name: str
    description: str
    params: Mapping[str, Value] = field(default_factory=dict)
    duration_ms: float | None = None
    seed: int | None = None


def spec_map(specs: Iterable[ParamSpec]) -> dict[str, ParamSpec]:
    return {s.name: s for s in specs}


def validate_params(specs: Iterable[ParamSpec], values: Mapping[str, Any]) -> dict[str, Value]:
    """Defaults overlaid with `values`; unknown names and bad values raise ParamError."""
    by_name = spec_map(specs)
    out = {name: spec.default for name, spec in by_name.items()}
    for name, value in values.items():
        if name not in by_name:
            raise ParamError(name, "unknown parameter" + closest(name, by_name))
        out[name] = by_name[name].validate(value)
    return out
