"""Turn `hebblab compare` input into two validated run plans that share lab, preset, seed and
duration. Nothing here runs a simulation; every check raises a one-line ParamError or
UsageError first.

Precedence for each side: lab defaults <- preset <- the pair's side <- --set <- --a / --b.
Seed and duration: --seed / --duration, else the replayed comparison's, else the pair's
(duration) or the preset's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from hebblab.cli.run_inputs import RunPlan, parse_assignments, plan_run
from hebblab.errors import UsageError
from hebblab.sim.compare import Comparison, Pair, get_pair
from hebblab.sim.labs import get_lab
from hebblab.sim.params import ParamError, Value

COMPARE_NAME = "compare.json"
MAX_COMPARE_BYTES = 16 * 2**20  # a compare.json is a few kB; refuse anything absurd


@dataclass
class ComparePlan:
    a: RunPlan
    b: RunPlan
    pair: str | None
    description: str

    @property
    def preset(self) -> str:
        return self.a.preset

    @property
    def seed(self) -> int:
        return self.a.seed

    @property
    def duration_ms(self) -> float:
        return self.a.duration_ms

    def make(self) -> Comparison:
        return Comparison(self.a.make_lab(), self.b.make_lab())

    def record(self, comparison: Comparison) -> dict[str, Any]:
        """The --json object (also compare.json)."""
        from hebblab.runfiles import run_record
        from hebblab.sim.compare import diff

        a = run_record(comparison.a, self.duration_ms)
        b = run_record(comparison.b, self.duration_ms)
        return {"lab": a["lab"], "pair": self.pair, "preset": self.preset, "seed": self.seed,
                "duration_ms": self.duration_ms,
                "a": {"params": a["params"], "metrics": a["metrics"]},
                "b": {"params": b["params"], "metrics": b["metrics"]},
                "differs": comparison.differing(),
                "input_differs": comparison.input_changing(),
                "diff": diff(a["metrics"], b["metrics"])}


def _as_text(value: Value) -> str:
    """A typed value as --set text that parses back to exactly the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _assignments(values: dict[str, Value]) -> list[str]:
    return [f"{name}={_as_text(v)}" for name, v in values.items()]


def _load_replay(path: str) -> tuple[dict[str, Any], Path]:
    """compare.json of a comparison written by --out (the directory or the file)."""
    from hebblab.runfiles import SmallFile, read_small_file

    kind = SmallFile(COMPARE_NAME, MAX_COMPARE_BYTES, "a comparison file", "a few kB")
    file, text = read_small_file(path, "--config", kind)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(f"--config: {file}: invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    except RecursionError:  # the decoder recurses once per level: [[[[...]]]] 100000 deep
        raise UsageError(f"--config: {file}: invalid JSON: arrays or objects nested too deeply") from None
    except ValueError as err:  # Python's limit on the digits of an integer (4300)
        reason = "a number has too many digits" if "digits" in str(err) else str(err)
        raise UsageError(f"--config: {file}: invalid JSON: {reason}") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), dict) and isinstance(data[k].get("params"), dict)
                                             for k in ("a", "b")):
        raise UsageError(f"--config: {file}: expected the object hebblab compare --json prints")
    return data, file.parent


def plan_compare(lab: str | None, pair_name: str | None = None, preset: str | None = None,
                 sets: Iterable[str] = (), a_sets: Iterable[str] = (), b_sets: Iterable[str] = (),
                 seed: Any = None, duration: Any = None, config: str | None = None) -> ComparePlan:
    sets, a_sets, b_sets = list(sets), list(a_sets), list(b_sets)
    for option, items in (("--set", sets), ("--a", a_sets), ("--b", b_sets)):
        parse_assignments(items, option)  # NAME=VALUE shape, named after the right option
    if config is not None:
        return _replay(lab, pair_name, preset, sets, a_sets, b_sets, seed, duration, config)
    if lab is None:
        raise UsageError("lab: give a lab name (see `hebblab labs`) or --config DIR")
    lab_cls = get_lab(lab)
    pair: Pair | None = get_pair(lab_cls, pair_name) if pair_name is not None else None
    if preset is None and pair is not None:
        preset = pair.preset
    if duration is None and pair is not None and pair.duration_ms is not None:
        duration = pair.duration_ms
    side_a = (_assignments(dict(pair.a)) if pair else []) + sets + a_sets
    side_b = (_assignments(dict(pair.b)) if pair else []) + sets + b_sets
    plan_a = plan_run(lab, preset, side_a, seed, duration)
    plan_b = plan_run(lab, preset, side_b, seed, duration)
    return ComparePlan(plan_a, plan_b, pair.name if pair else None, pair.description if pair else "")


def _replay(lab, pair_name, preset, sets, a_sets, b_sets, seed, duration, config) -> ComparePlan:
    if preset is not None or pair_name is not None:
        option = "--preset" if preset is not None else "--pair"
        raise UsageError(f"{option}: cannot be combined with --config (the comparison fixes both); "
                         "change values with --set, --a or --b")
    data, folder = _load_replay(config)
    if lab is not None and lab != data.get("lab"):
        raise UsageError(f"lab: the command line says {lab!r} but {folder / COMPARE_NAME} says {data.get('lab')!r}")
    plans = []
    for side, extra in (("a", a_sets), ("b", b_sets)):
        run_config = folder / side / "experiment.toml"
        if not run_config.is_file():
            raise UsageError(f"--config: {folder}: missing {side}/experiment.toml")
        plans.append(plan_run(None, None, sets + extra, seed, duration, str(run_config)))
    a, b = plans
    if (a.lab_cls, a.preset, a.seed, a.duration_ms) != (b.lab_cls, b.preset, b.seed, b.duration_ms):
        raise UsageError(f"--config: {folder}: a/ and b/ are not one comparison (lab, preset, seed or duration differ)")
    pair = data.get("pair") if isinstance(data.get("pair"), str) else None
    description = ""
    if pair is not None:
        try:
            description = get_pair(a.lab_cls, pair).description
        except ParamError:  # a pair renamed since: the replay still stands on its own files
            pass
    return ComparePlan(a, b, pair, description)
