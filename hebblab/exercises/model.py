"""Exercises are data: a TOML file with a question, the runs that answer it, and options whose
conditions over the measured metrics pick the right one (docs/exercises.md has the format).

The verdict is always computed from the run, never stored: change the preset in the file
and the verdict follows the measurement. Exactly one option must hold; when none or several
do, the run says so instead of picking one.
"""

from __future__ import annotations

import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

from hebblab.exercises.evaluator import ConditionError, names, parse
from hebblab.sim.compare import Comparison
from hebblab.sim.labs import get_lab
from hebblab.sim.labs.base import Lab, check_seed
from hebblab.sim.params import ParamError, Value

MAX_FILE_BYTES = 256 * 1024  # an exercise is a few kB of text
STOP_SLICES = 200  # a stoppable run asks whether to stop this many times: it ends within 0.5 % of its length
KEYS = {"name", "title", "question", "lab", "preset", "pair", "duration_ms", "seed", "params", "a", "b",
        "options", "explanation", "chapter", "closed_form", "show"}


class ExerciseError(ValueError):
    """A bad exercise file: str() is one line naming the file, the line and the problem."""


@dataclass(frozen=True)
class Option:
    text: str
    when: str
    line: int | None
    tree: tuple = field(repr=False, compare=False, default=())


@dataclass(frozen=True)
class Exercise:
    name: str
    question: str
    lab: str
    options: tuple[Option, ...]
    explanation: str
    path: str
    title: str = ""
    preset: str | None = None
    pair: str | None = None
    duration_ms: float | None = None
    seed: int | None = None
    params: Mapping[str, Value] = field(default_factory=dict)
    a: Mapping[str, Value] = field(default_factory=dict)
    b: Mapping[str, Value] = field(default_factory=dict)
    chapter: str = ""
    closed_form: str = ""
    show: tuple[str, ...] = ()

    @property
    def compares(self) -> bool:
        return self.pair is not None or bool(self.a) or bool(self.b)


@dataclass
class Verdict:
    exercise: Exercise
    measured: dict[str, Any]  # every metric the options and `show` read
    holding: list[int]  # 1-based indices of the options whose condition holds
    runs: tuple[Lab, ...]

    @property
    def correct(self) -> int | None:
        return self.holding[0] if len(self.holding) == 1 else None

    def problem(self) -> str | None:
        """Plain words when the run does not single out one option."""
        if not self.holding:
            return "no option holds for this run"
        if len(self.holding) > 1:
            return "options " + " and ".join(map(str, self.holding)) + " all hold for this run"
        return None


def _line(text: str, needle: str) -> int | None:
    """The first line holding `needle` (TOML errors point at a line; so do ours)."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


def _where(path: str, text: str, needle: str) -> str:
    line = _line(text, needle)
    return f"{path}:{line}" if line else path


def read_text(path: str | os.PathLike) -> str:
    """The file's text, refusing what is not a regular, readable, small text file."""
    if not str(path).strip():  # Path("") is the current folder: say what was wrong instead
        raise ExerciseError(f"expected the path of an exercise file (TOML), got {str(path)!r}")
    p = Path(path)
    try:
        info = p.stat()
    except OSError as err:
        raise ExerciseError(f"{path}: cannot read: {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ExerciseError(f"{path}: not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise ExerciseError(f"{path}: {info.st_size} bytes; an exercise file is at most {MAX_FILE_BYTES // 1024} KiB")
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
        return data.decode("utf-8")
    except OSError as err:
        raise ExerciseError(f"{path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ExerciseError(f"{path}: not UTF-8 text") from None


def parse_exercise(text: str, path: str, default_name: str) -> Exercise:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ExerciseError(f"{path}: not valid TOML: {err}") from None
    except RecursionError:
        raise ExerciseError(f"{path}: nested too deeply") from None
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ExerciseError(f"{_where(path, text, unknown[0])}: unknown key {unknown[0]!r}; "
                            f"allowed: {', '.join(sorted(KEYS))}")

    def string(key: str, required: bool = False) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise ExerciseError(f"{_where(path, text, key)}: {key} must be {'non-empty ' if required else ''}text")
        return value

    def table(key: str) -> dict[str, Value]:
        value = data.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, (bool, int, float, str)) for v in value.values()):
            raise ExerciseError(f"{_where(path, text, f'[{key}]')}: [{key}] must map parameter names to values")
        return value

    raw_options = data.get("options")
    if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= 4:
        raise ExerciseError(f"{_where(path, text, 'options')}: give two to four [[options]], each with text and when")
    options = []
    for i, item in enumerate(raw_options, 1):
        extra = sorted(set(item) - {"text", "when"}) if isinstance(item, dict) else []
        if extra:
            raise ExerciseError(f"{_where(path, text, extra[0])}: option {i}: unknown key {extra[0]!r}: an option "
                                "has text and when only (keys below [[options]] belong to that option)")
        if not isinstance(item, dict) or set(item) != {"text", "when"} or not all(
                isinstance(item[k], str) and item[k].strip() for k in ("text", "when")):
            raise ExerciseError(f"{path}: option {i}: needs exactly text and when, both non-empty text")
        where = _where(path, text, item["when"])
        try:
            tree = parse(item["when"])
        except ConditionError as err:
            raise ExerciseError(f"{where}: option {i}: {err}") from None
        options.append(Option(item["text"], item["when"], _line(text, item["when"]), tree))
    duration = data.get("duration_ms")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, (int, float))
                                 or not math.isfinite(duration) or duration <= 0):
        raise ExerciseError(f"{_where(path, text, 'duration_ms')}: duration_ms must be a positive number of ms")
    seed = data.get("seed")
    if seed is not None:
        try:
            seed = check_seed(seed)
        except ParamError as err:
            raise ExerciseError(f"{_where(path, text, 'seed')}: {err}") from None
    show = data.get("show", [])
    if not isinstance(show, list) or not all(isinstance(s, str) for s in show):
        raise ExerciseError(f"{_where(path, text, 'show')}: show must be a list of metric names")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name:
        raise ExerciseError(f"{_where(path, text, 'name')}: name must be non-empty text")
    exercise = Exercise(
        name=name, title=string("title"), question=string("question", True), lab=string("lab", True),
        options=tuple(options), explanation=string("explanation", True), path=path,
        preset=data.get("preset"), pair=data.get("pair"), duration_ms=None if duration is None else float(duration),
        seed=seed, params=table("params"), a=table("a"), b=table("b"), chapter=string("chapter"),
        closed_form=string("closed_form"), show=tuple(show))
    _check_against_lab(exercise, text)
    return exercise


def _check_against_lab(ex: Exercise, text: str) -> None:
    """Lab, preset, pair and parameter names exist; conditions read only the right names."""
    from hebblab.sim.compare import get_pair

    try:
        lab_cls = get_lab(ex.lab)
        if ex.preset is not None:
            lab_cls.preset(ex.preset)
        pair = get_pair(lab_cls, ex.pair) if ex.pair is not None else None
        for key, values in (("params", ex.params), ("a", ex.a), ("b", ex.b)):
            for name, value in values.items():
                try:
                    lab_cls.spec(name).validate(value)
                except ParamError as err:
                    raise ExerciseError(f"{_where(ex.path, text, name)}: [{key}] {err}") from None
    except ParamError as err:
        raise ExerciseError(f"{ex.path}: {err}") from None
    if ex.compares and pair is None and not (ex.a or ex.b):
        raise ExerciseError(f"{ex.path}: a comparison needs pair or [a]/[b]")
    for i, option in enumerate(ex.options, 1):
        for name in names(option.tree):
            prefixed = "." in name
            if prefixed != ex.compares:
                want = "a.NAME or b.NAME (this exercise compares two runs)" if ex.compares else \
                    "plain metric names (this exercise runs once)"
                line = f":{option.line}" if option.line else ""
                raise ExerciseError(f"{ex.path}{line}: option {i}: {name!r}: use {want}")


def load(path: str | os.PathLike) -> Exercise:
    """An exercise from a file (a lecturer's copy, say)."""
    text = read_text(path)
    return parse_exercise(text, str(path), Path(path).stem)


def builtin_names() -> list[str]:
    """Built-in exercise names: the chapter's own (ex1-, ex2-, ...) first, then the rest."""
    folder = resources.files("hebblab.exercises") / "builtin"
    found = [p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")]
    return sorted(found, key=lambda n: (not re.match(r"ex\d", n), n))


def builtin(name: str) -> Exercise:
    folder = resources.files("hebblab.exercises") / "builtin"
    file = folder / f"{name}.toml"
    if not file.is_file():
        from hebblab.sim.params import closest

        names_ = builtin_names()
        raise ExerciseError(f"exercise: unknown exercise {name!r}; choose one of {', '.join(names_)}"
                            f"{closest(name, names_)} (or --file PATH)")
    return parse_exercise(file.read_text(encoding="utf-8"), f"exercises/{name}.toml", name)


def all_builtin() -> list[Exercise]:
    return [builtin(n) for n in builtin_names()]


def run_setup(ex: Exercise, seed: int | None = None) -> tuple[str, int, dict[str, Value], dict[str, Value]]:
    """What the run is, for showing it live: (preset name, seed, A's parameters, B's) with the
    file's [params] folded into each side (for one run, A's are the run's and B's are empty).
    The seed is the one given, else the file's, else the preset's, else 0; the pair's own
    sides are not included (they come with the pair's name)."""
    from hebblab.sim.compare import get_pair

    lab_cls = get_lab(ex.lab)
    pair = get_pair(lab_cls, ex.pair) if ex.pair is not None else None
    preset = lab_cls.preset(ex.preset if ex.preset is not None else (pair.preset if pair else None))
    seed_value = check_seed(seed if seed is not None else ex.seed if ex.seed is not None
                            else preset.seed if preset.seed is not None else 0)
    if not ex.compares:
        return preset.name, seed_value, dict(ex.params), {}
    return preset.name, seed_value, {**ex.params, **ex.a}, {**ex.params, **ex.b}


def make_runs(ex: Exercise, seed: int | None = None) -> tuple[tuple[Lab, ...], float]:
    """The labs an exercise runs (one, or A and B on identical input) and the duration."""
    from hebblab.sim.compare import get_pair

    lab_cls = get_lab(ex.lab)
    pair = get_pair(lab_cls, ex.pair) if ex.pair is not None else None
    preset_name, seed_value, _, _ = run_setup(ex, seed)
    preset = lab_cls.preset(preset_name)
    duration = ex.duration_ms or (pair.duration_ms if pair and pair.duration_ms else None) \
        or preset.duration_ms or lab_cls.default_duration_ms
    if not ex.compares:
        params = lab_cls.resolve_params(preset.name, dict(ex.params))
        return (lab_cls(params, seed=seed_value, preset=preset.name),), duration
    sides = []
    for pair_side, own in ((pair.a if pair else {}, ex.a), (pair.b if pair else {}, ex.b)):
        params = lab_cls.resolve_params(preset.name, {**pair_side, **ex.params, **own})
        sides.append(lab_cls(params, seed=seed_value, preset=preset.name))
    return tuple(sides), duration


def measure(ex: Exercise, runs: tuple[Lab, ...]) -> dict[str, Any]:
    """The metric values conditions and `show` refer to, by name (a./b. for comparisons)."""
    if len(runs) == 1:
        return dict(runs[0].metrics())
    a, b = (r.metrics() for r in runs)
    values = {f"a.{k}": v for k, v in a.items()}
    values.update({f"b.{k}": v for k, v in b.items()})
    return values


def grade(ex: Exercise, runs: tuple[Lab, ...]) -> Verdict:
    from hebblab.exercises.evaluator import evaluate

    values = measure(ex, runs)
    holding = []
    for i, option in enumerate(ex.options, 1):
        try:
            result = evaluate(option.tree, values)
        except ConditionError as err:
            line = f":{option.line}" if option.line else ""
            raise ExerciseError(f"{ex.path}{line}: option {i}: {err}") from None
        if not isinstance(result, bool):
            raise ExerciseError(f"{ex.path}: option {i}: the condition is a number, not true or false")
        if result:
            holding.append(i)
    wanted = set(ex.show) | set().union(*(names(o.tree) for o in ex.options))
    measured = {k: values[k] for k in values if k in wanted}
    return Verdict(ex, measured, holding, runs)


class Stopped(Exception):
    """The run was stopped before its end (the TUI's escape): no verdict."""


def run(ex: Exercise, seed: int | None = None, stop: Callable[[], bool] | None = None) -> Verdict:
    """Run the exercise's experiment and grade it. `stop`, asked between slices of the run,
    ends it early with Stopped when it returns True; labs give bit-identical results however
    a run is split into steps (tests/test_frame_split.py), so the verdict is the same."""
    runs, duration = make_runs(ex, seed)
    if stop is None:
        if len(runs) == 2:
            Comparison(*runs).run(duration)
        else:
            runs[0].run(duration)
        return grade(ex, runs)
    left = [lab.steps_for(duration) for lab in runs]  # each side its own dt, as Comparison.run does
    size = [max(1, min(lab.chunk_steps(), -(-n // STOP_SLICES))) for lab, n in zip(runs, left)]
    while any(left):
        if stop():
            raise Stopped(ex.name)
        for i, lab in enumerate(runs):
            n = min(left[i], size[i])
            lab.step(n)
            left[i] -= n
    return grade(ex, runs)


