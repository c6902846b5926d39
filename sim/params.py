"""Parameter specs: each lab parameter is declared once, with bounds, unit and help.

Front ends (CLI tables, TUI panels, config files) are generated from these specs,
and every value that reaches a lab passes through `ParamSpec.validate`.

Names follow one vocabulary (docs/vocabulary.md). A parameter also answers to its old
names (`aliases`: accepted, and `renamed()` says what they are now called, for the front
end to show) and to documented spellings such as the chapter's `tau_m` (`synonyms`:
accepted silently). Names are resolved here, once, for every front end.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

Value = float | int | str | bool


class ParamError(ValueError):
    """A bad parameter value or name. `str(err)` is a one-line message for users."""

    def __init__(self, param: str, message: str):
        self.param = param
        shown = param if len(param) <= 60 else f"{param[:40]}... ({len(param)} characters)"  # a typo, not a name
        super().__init__(f"{shown}: {message}")


def closest(name: str, options: Iterable[str]) -> str:
    """' (did you mean X?)' for the closest option, or '' when none is close.
    Case is ignored when matching (EULER -> euler, v_rest_mv -> V_rest_mV)."""
    match = closest_option(name, options)
    return f" (did you mean {match!r}?)" if match is not None else ""


def closest_option(name: str, options: Iterable[str]) -> str | None:
    """The option closest to `name` (case ignored), or None when none is close."""
    by_lower = {o.lower(): o for o in reversed(list(options))}  # first option wins a tie
    match = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.5)
    return by_lower[match[0]] if match else None


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class ParamSpec:
    """One lab parameter.

    kind: "float", "int", "bool" or "choice". `live` parameters apply on the next
    frame; the others are stored and take effect on the next reset.
    aliases: old names, still accepted (a front end shows "OLD is now NAME").
    synonyms: other documented spellings (the chapter's listing), accepted silently.
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
    aliases: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("float", "int", "bool", "choice"):
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"{self.name}: a name repeats in {self.names}")
        if self.kind == "choice" and self.default not in self.choices:
            raise ValueError(f"{self.name}: default {self.default!r} not in choices")
        self.validate(self.default)  # a spec whose default is invalid is a programming error

    @property
    def names(self) -> tuple[str, ...]:
        """Every name this parameter answers to: its own first."""
        return (self.name, *self.aliases, *self.synonyms)

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
        return self.validate(float_of(text, self.name, self.allowed()))  # an int kind takes "3" and "3.0"

    def validate(self, value: Any) -> Value:
        """Return the value coerced to the spec's type, or raise ParamError."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise self._bad(value)
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            hint = closest(value, self.choices) if isinstance(value, str) else ""
            raise ParamError(self.name, f"expected {self.allowed()}, got {value!r}{hint}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._bad(value)
        if not math.isfinite(value):
            raise ParamError(self.name, f"must be finite: expected {self.allowed()}, got {value!r}")
        if self.kind == "int":
            if isinstance(value, float):
                if value != int(value):
                    raise self._bad(value)
                value = int(value)
        else:
            value = float(value)
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ParamError(self.name, f"out of range: expected {self.allowed()}, got {_fmt(value)}")
        return value

    def _bad(self, value: Any) -> ParamError:
        return ParamError(self.name, f"expected {self.allowed()}, got {value!r}")

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


@dataclass(frozen=True)
class Pair:
    """A named comparison (`hebblab compare --pair`): what runs A and B set on top of the
    preset, and a paragraph saying what to look for. Both run on identical input."""

    name: str
    description: str
    a: Mapping[str, Value] = field(default_factory=dict)
    b: Mapping[str, Value] = field(default_factory=dict)
    preset: str | None = None  # None: the lab's default preset
    duration_ms: float | None = None  # None: the preset's duration


def name_map(specs: Iterable[ParamSpec]) -> dict[str, ParamSpec]:
    """Every accepted name (current, old, synonym) -> spec. ValueError when two parameters
    answer to one name: an alias that collides is a programming error."""
    out: dict[str, ParamSpec] = {}
    for spec in specs:
        for name in spec.names:
            if name in out:
                raise ValueError(f"parameter name {name!r} is claimed by both {out[name].name!r} "
                                 f"and {spec.name!r}")
            out[name] = spec
    return out


def float_of(text: str, name: str, allowed: str) -> float:
    """The number a user typed, or ParamError saying what was allowed. Text that names a finite
    number too large for a float (1e400, 400 digits) is out of range, not "inf"."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        raise ParamError(name, f"expected {allowed}, got {text_shown(text)}") from None
    if overflowed(text, number):
        raise ParamError(name, f"out of range: expected {allowed}, got {text_shown(text)}")
    return number


def overflowed(text: str, number: float) -> bool:
    """float(text) is inf though the text names a finite number (1e400, 400 digits)."""
    return math.isinf(number) and text.strip().lower().lstrip("+-") not in ("inf", "infinity")


def text_shown(text: str) -> str:
    """What the user typed, quoted, or described when it is too long to print."""
    if len(text) <= 40:
        return repr(text)
    if re.fullmatch(r"[+-]?\d*\.?\d*(?:[eE][+-]?\d+)?", text):
        digits = sum(ch.isdigit() for ch in text)
        return f"a {'negative ' if text.startswith('-') else ''}{digits}-digit number"
    return f"{text[:20]!r}... ({len(text)} characters)"


def find_spec(specs: Iterable[ParamSpec], name: str, where: str = "") -> ParamSpec:
    """The spec answering to `name`, or ParamError naming the closest current name.
    `where` follows "unknown parameter", e.g. " for lab 'lif'"."""
    by_name = name_map(specs)
    if name in by_name:
        return by_name[name]
    match = closest_option(name, by_name)  # an old name may be closest: suggest its current one
    hint = f" (did you mean {by_name[match].name!r}?)" if match is not None else ""
    raise ParamError(name, "unknown parameter" + where + hint)


def renamed(specs: Iterable[ParamSpec], names: Iterable[str]) -> list[str]:
    """A notice "OLD is now NEW" for each old name among `names` (once each, in order);
    current names, synonyms and unknown names give none."""
    by_name = name_map(specs)
    out: list[str] = []
    for name in names:
        spec = by_name.get(name)
        if spec is not None and name in spec.aliases:
            line = f"{name} is now {spec.name}"
            if line not in out:
                out.append(line)
    return out


def validate_params(specs: Iterable[ParamSpec], values: Mapping[str, Any]) -> dict[str, Value]:
    """Defaults overlaid with `values`, keyed by current names (an old name or synonym sets
    the current one; when two keys name one parameter, the later wins); unknown names and
    bad values raise ParamError."""
    specs = tuple(specs)
    by_name = name_map(specs)
    out: dict[str, Value] = {s.name: s.default for s in specs}
    for name, value in values.items():
        spec = by_name.get(name) or find_spec(specs, name)  # find_spec raises, with a hint
        out[spec.name] = spec.validate(value)
    return out
