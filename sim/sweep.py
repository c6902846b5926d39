"""Parameter sweeps: one lab run per point of a grid, in parallel, metrics collected per point.

    varies = [parse_vary("I_ext_nA=1.0:3.0:0.1", LifLab)]
    result = run_sweep("lif", "chapter", {}, varies, duration_ms=1000, seed=0, jobs=2)

A range NAME=START:STOP:STEP includes STOP when it lies on the grid (1:2:0.5 -> 1, 1.5, 2);
STOP may be below START with a negative STEP. Several ranges make a cartesian grid, the
first range varying slowest. Every value is checked against the parameter's spec before
anything runs (ParamError naming the parameter). A point that fails at run time (an
exception, a cross-parameter check, or the lab setting `diverged`) is recorded with its
error; the sweep goes on.

Points run in worker processes (concurrent.futures) that import only `sim`: with the
forkserver start method the server preloads this module and nothing from the front end.
Each point gets the same seed, so the grid differs only in the varied parameters.
Pure numpy + stdlib.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from hebblab.sim.labs import get_lab
from hebblab.sim.labs.base import Lab, jsonable
from hebblab.sim.params import ParamError, Value, overflowed, text_shown

MAX_POINTS = 1000  # per sweep (all ranges together): beyond this a typo, not an experiment
FORM = "NAME=START:STOP:STEP"


@dataclass(frozen=True)
class Vary:
    """One varied parameter and its values (already validated against the spec)."""

    name: str
    start: float
    stop: float
    step: float
    values: tuple[Value, ...]


def _number(name: str, what: str, text: str, item: str) -> float:
    text = text.strip()
    try:
        x = float(text)
    except ValueError:
        raise ParamError(name, f"--vary {what} must be a number, got {text_shown(text)} in {text_shown(item)} "
                         f"(expected {FORM})") from None
    if overflowed(text, x):  # 1e400, 500 digits
        raise ParamError(name, f"--vary {what} is too large, got {text_shown(text)} in {text_shown(item)}")
    if not math.isfinite(x):
        raise ParamError(name, f"--vary {what} must be finite, got {text_shown(text)} in {text_shown(item)}")
    return x


def _decimals(x: float) -> int:
    """Decimal places of the shortest repr of x (0.1 -> 1, 1e-05 -> 5, 20.0 -> 0)."""
    return max(0, -Decimal(repr(x)).as_tuple().exponent)


def _clean(x: float, digits: int) -> float:
    """Round away float noise from start + i*step (1 + 2*0.1 = 1.2000000000000002 -> 1.2,
    -1 + 10*0.1 -> 0.0): every grid value has at most the inputs' decimal places."""
    return round(x, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def range_values(name: str, start: float, stop: float, step: float, item: str = "",
                 max_points: int = MAX_POINTS) -> list[float]:
    """start, start+step, ... up to and including stop (within float tolerance)."""
    item = item or f"{name}={start:g}:{stop:g}:{step:g}"
    if step == 0:
        raise ParamError(name, f"--vary STEP must not be 0 in {text_shown(item)}")
    span = (stop - start) / step
    if not math.isfinite(span):
        raise ParamError(name, f"--vary range too large in {text_shown(item)}")
    if span < -1e-9:
        direction = "up" if stop > start else "down"
        raise ParamError(name, f"--vary STEP {step:g} points away from STOP in {text_shown(item)}: "
                         f"to go {direction} from {start:g} to {stop:g} use a "
                         f"{'positive' if direction == 'up' else 'negative'} STEP")
    n = math.floor(max(span, 0.0) + 1e-9) + 1
    if n > max_points:
        count = f"{n}" if n < 10**9 else f"about {float(n):.1e}"  # 1e-300 steps: no 300-digit number
        raise ParamError(name, f"--vary {text_shown(item)} gives {count} points; at most {max_points} "
                         "(use a larger STEP)")
    digits = min(15, max(_decimals(start), _decimals(step)))
    return [_clean(start + i * step, digits) for i in range(n)]


def parse_vary(item: str, lab_cls: type[Lab], max_points: int = MAX_POINTS) -> Vary:
    """Parse NAME=START:STOP:STEP for a lab; ParamError naming the parameter if bad."""
    name, sep, rng = item.partition("=")
    name = name.strip()
    parts = rng.split(":")
    if not sep or not name or len(parts) != 3:
        raise ParamError("--vary", f"expected {FORM} (e.g. I_ext_nA=1.0:3.0:0.1), got {text_shown(item)}")
    spec = lab_cls.spec(name)  # unknown name -> ParamError with the closest one
    if spec.kind not in ("float", "int"):
        raise ParamError(name, f"cannot be swept: it is {spec.allowed()}, not a number "
                         "(set it with --set instead)")
    start, stop, step = (_number(name, what, text, item)
                         for what, text in zip(("START", "STOP", "STEP"), parts))
    if spec.kind == "int" and not all(float(x).is_integer() for x in (start, stop, step)):
        raise ParamError(name, f"is an integer parameter: START, STOP and STEP must be integers, got {text_shown(item)}")
    values = range_values(name, start, stop, step, item, max_points)
    checked = tuple(spec.validate(int(round(v)) if spec.kind == "int" else v) for v in values)
    return Vary(spec.name, start, stop, step, checked)  # an old name sweeps the current one


def build_grid(varies: Sequence[Vary], max_points: int = MAX_POINTS) -> list[dict[str, Value]]:
    """The cartesian product of the ranges, first range slowest; ParamError if too many points."""
    names = [v.name for v in varies]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ParamError(dup, "--vary given twice for the same parameter")
    total = math.prod(len(v.values) for v in varies) if varies else 0
    if total > max_points:
        raise ParamError("--vary", f"the grid has {total} points ("
                         + " x ".join(str(len(v.values)) for v in varies)
                         + f"); at most {max_points}")
    return [dict(zip(names, combo)) for combo in product(*(v.values for v in varies))]


# -- running ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointTask:
    lab: str
    preset: str | None
    params: dict[str, Value]  # base overrides merged with this point's values
    point: dict[str, Value]  # just the varied values
    seed: int
    duration_ms: float


def scalar_metrics(metrics: Mapping[str, Any]) -> dict[str, float | int | None]:
    """The numeric entries of lab.metrics() (lists such as spike times are left out)."""
    out: dict[str, float | int | None] = {}
    for k, v in jsonable(dict(metrics)).items():
        if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)):
            out[k] = v
    return out


def run_point(task: PointTask) -> dict[str, Any]:
    """Run one point; never raises: failures come back as {'error': message}."""
    metrics: dict[str, Any] = {}
    error = None
    try:
        lab = get_lab(task.lab)(params=task.params, seed=task.seed, preset=task.preset)
        if lab.steps_for(task.duration_ms) < 1:  # a varied dt_ms above the duration: nothing would run
            raise ParamError("dt_ms", f"{task.duration_ms:g} ms is shorter than one time step "
                             f"(dt_ms = {lab.dt_ms:g}); give a longer --duration")
        lab.run(task.duration_ms)
        metrics = scalar_metrics(lab.metrics())
        if lab.diverged:
            error = f"diverged: {lab.diverged}"
    except ParamError as err:
        error = str(err)
    except Exception as err:  # noqa: BLE001 - one bad point must not end the sweep
        error = f"{type(err).__name__}: {err}"
    return {"params": dict(task.point), "metrics": metrics, "error": error}


@dataclass
class SweepResult:
    lab: str
    preset: str | None
    seed: int
    duration_ms: float
    varies: list[Vary]
    base: dict[str, Value]
    points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [p for p in self.points if p["error"]]

    def to_json(self) -> dict[str, Any]:
        return jsonable({
            "lab": self.lab, "preset": self.preset, "seed": self.seed, "duration_ms": self.duration_ms,
            "vary": {v.name: {"start": v.start, "stop": v.stop, "step": v.step, "values": list(v.values)}
                     for v in self.varies},
            "set": dict(self.base),
            "points": self.points,
        })

    def column(self, metric: str) -> np.ndarray:
        """The metric at every point (NaN where missing or failed)."""
        out = np.full(len(self.points), np.nan)
        for i, p in enumerate(self.points):
            v = p["metrics"].get(metric)
            if isinstance(v, (int, float)) and not p["error"]:
                out[i] = float(v)
        return out


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _pool(jobs: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["hebblab.sim.sweep"])  # the server (and so every worker) has only sim
    else:
        ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers. shutdown() alone waits for every
    point already queued to a worker: Ctrl-C in a sweep of long points took minutes."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public API before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        proc.terminate()
    for proc in workers:
        proc.join(timeout=5)


def failed_point(task: PointTask, err: BaseException) -> dict[str, Any]:
    """A point whose worker failed (killed by the OS, say): its error, no metrics."""
    return {"params": dict(task.point), "metrics": {}, "error": f"worker failed: {type(err).__name__}: {err}"}


def run_in_pool(tasks: Sequence[PointTask], point: Callable[[PointTask], dict[str, Any]], jobs: int,
                done: Callable[[int, dict[str, Any]], None]) -> None:
    """`point(task)` for each task in a pool of `jobs` processes; `done(index, result)` as
    each finishes (any order). Ctrl-C (or an error) stops the workers at once."""
    pool = _pool(jobs)
    finished_ok = False
    try:
        pending: dict[Future, int] = {pool.submit(point, t): i for i, t in enumerate(tasks)}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                i = pending.pop(fut)
                try:
                    res = fut.result()
                except Exception as err:  # noqa: BLE001 - e.g. a worker killed by the OS
                    res = failed_point(tasks[i], err)
                done(i, res)
        finished_ok = True
    finally:
        if finished_ok:
            pool.shutdown(wait=True)
        else:  # Ctrl-C (or an error): stop now, not after the points already handed out
            _stop_workers(pool)


def run_sweep(lab: str, preset: str | None, base: Mapping[str, Value], varies: Sequence[Vary],
              duration_ms: float, seed: int, jobs: int | None = None,
              on_point: Callable[[int, dict[str, Any]], None] | None = None) -> SweepResult:
    """Run every grid point (in `jobs` processes; 1 = in this process), in grid order.

    `on_point(index, point)` is called as each point finishes (any order): progress bars.
    """
    grid = build_grid(varies)
    tasks = [PointTask(lab, preset, {**base, **pt}, pt, seed, duration_ms) for pt in grid]
    results: list[dict[str, Any] | None] = [None] * len(tasks)
    jobs = default_jobs() if jobs is None else max(1, int(jobs))
    jobs = min(jobs, len(tasks)) or 1

    def done(i: int, res: dict[str, Any]) -> None:
        results[i] = res
        if on_point is not None:
            on_point(i, res)

    if jobs == 1:
        for i, task in enumerate(tasks):
            done(i, run_point(task))
    else:
        run_in_pool(tasks, run_point, jobs, done)
    return SweepResult(lab, preset, seed, duration_ms, list(varies), dict(base),
                       [r for r in results if r is not None])


def theory_for(lab_cls: type[Lab], metric: str, param: str, values: Sequence[float],
               params: Mapping[str, Value]) -> np.ndarray | None:
    """The lab's closed-form curve for `metric` against `param` (None if it has none)."""
    hook = getattr(lab_cls, "theory_curve", None)
    if hook is None:
        return None
    try:
        y = hook(metric, param, np.asarray(values, dtype=float), dict(params))
        if y is None:
            return None
        y = np.asarray(y, dtype=float)
    except Exception:  # noqa: BLE001 - an overlay must never cost the user the sweep's results
        return None
    return y if y.shape == (len(values),) else None
