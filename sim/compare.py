"""Comparisons: two runs, A and B, of one lab on identical input, stepped in lock-step.

A lab declares its comparison presets ("pairs") beside its presets, as `pairs`, and the
parameters that change its input streams as `input_params` (the number of inputs, their
rates, the time step...). Every other parameter leaves the input bit-identical: each lab
seeds its input streams from the seed alone (docs/architecture.md, "How to add a lab"),
and tests/test_compare.py checks it lab by lab.

Precedence for each side: lab defaults <- preset <- the pair's side <- values for both
(--set) <- values for this side (--a / --b).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from hebblab.sim.labs.base import Lab
from hebblab.sim.params import Pair, ParamError, Value, closest


def check_pair(lab_cls: type[Lab], pair: Pair) -> None:
    """Both sides name real parameters with valid values, and the preset exists."""
    if pair.preset is not None:
        lab_cls.preset(pair.preset)
    for side in (pair.a, pair.b):
        for name, value in side.items():
            lab_cls.spec(name).validate(value)


def pairs_of(lab_cls: type[Lab]) -> tuple[Pair, ...]:
    return tuple(getattr(lab_cls, "pairs", ()))


def get_pair(lab_cls: type[Lab], name: str) -> Pair:
    """The lab's pair of that name, or ParamError listing the choices."""
    pairs = {p.name: p for p in pairs_of(lab_cls)}
    if name in pairs:
        return pairs[name]
    if not pairs:
        raise ParamError("pair", f"lab {lab_cls.name!r} has no comparison pairs")
    raise ParamError("pair", f"unknown pair {name!r} for lab {lab_cls.name}; choose one of "
                     + ", ".join(pairs) + closest(name, pairs))


@dataclass(frozen=True)
class PairText:
    """A pair described for people, in the pieces every front end shows as they are:
    `lines` ("A: tau_m_ms=20", "B: tau_m_ms=40", "preset: chapter") and `paragraph`, what to
    look for, on one line (the front end wraps it)."""

    lines: tuple[str, ...]
    paragraph: str

    @property
    def settings(self) -> str:
        """The lines on one line: "A: tau_m_ms=20 | B: tau_m_ms=40 | preset: chapter"."""
        return " | ".join(self.lines)


def pair_text(lab_cls: type[Lab], pair: Pair) -> PairText:
    """How `hebblab pairs` and the TUI's pair picker describe `pair`: each side's values
    under their current names, written as the parameter panel writes them (ParamSpec.format),
    and the preset by name (the lab's default one when the pair names none)."""
    def side(values: Mapping[str, Value]) -> str:
        specs = [(lab_cls.spec(k), v) for k, v in values.items()]
        return ", ".join(f"{spec.name}={spec.format(v)}" for spec, v in specs) or "the preset's values"

    lines = (f"A: {side(pair.a)}", f"B: {side(pair.b)}", f"preset: {lab_cls.preset(pair.preset).name}")
    return PairText(lines, " ".join(pair.description.split()))


def differing(a: Mapping[str, Value], b: Mapping[str, Value]) -> list[str]:
    """Parameter names whose values differ between two resolved parameter sets, in order."""
    return [name for name in a if a[name] != b.get(name)]


def input_changing(lab_cls: type[Lab], names: list[str]) -> list[str]:
    """Those of `names` that change the lab's input streams (so A and B see different input)."""
    declared = set(getattr(lab_cls, "input_params", ()))
    return [n for n in names if n in declared]


def numeric(value: Any) -> float | None:
    """A metric as a finite float, or None (bools, lists, NaN and text are not compared)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def diff(metrics_a: Mapping[str, Any], metrics_b: Mapping[str, Any]) -> dict[str, float | None]:
    """b - a for every metric that is numeric on at least one side (None where one is missing)."""
    out: dict[str, float | None] = {}
    for name in metrics_a.keys() | metrics_b.keys():
        x, y = numeric(metrics_a.get(name)), numeric(metrics_b.get(name))
        if x is None and y is None and not _numeric_kind(metrics_a.get(name), metrics_b.get(name)):
            continue
        out[name] = None if x is None or y is None else y - x
    order = [*metrics_a, *(k for k in metrics_b if k not in metrics_a)]
    return {k: out[k] for k in order if k in out}


def _numeric_kind(*values: Any) -> bool:
    # A metric that is a number on one side and null/NaN on the other still belongs in the table.
    return any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def relative(a: float | None, b: float | None) -> float | None:
    """(b - a) / |a|, or None when a is 0 or either is missing."""
    if a is None or b is None or a == 0:
        return None
    return (b - a) / abs(a)


class Comparison:
    """Two labs of one class with the same seed, advanced together, step for step."""

    def __init__(self, a: Lab, b: Lab):
        if type(a) is not type(b):
            raise ValueError("a comparison runs one lab twice")
        if a.rng_seed != b.rng_seed:
            raise ValueError("a comparison runs both sides with the same seed")
        self.a, self.b = a, b

    @property
    def sides(self) -> tuple[Lab, Lab]:
        return self.a, self.b

    def step(self, n: int) -> None:
        self.a.step(n)
        self.b.step(n)

    def run(self, duration_ms: float) -> None:
        self.a.run(duration_ms)
        self.b.run(duration_ms)

    def differing(self) -> list[str]:
        return differing(self.a.params, self.b.params)

    def input_changing(self) -> list[str]:
        return input_changing(type(self.a), self.differing())
