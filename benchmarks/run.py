"""Time the W1-W4 workloads in hebblab and, side by side, in Brian2 (numpy and cython targets).

    python -m benchmarks                  # or: python benchmarks/run.py
    python -m benchmarks --quick          # short durations: a smoke run (a few minutes, most of
                                          # it Brian2's cold compiles; see --cython-cache)
    python -m benchmarks --only W2 --repeat 5
    python -m benchmarks --no-brian2      # hebblab alone
    python -m benchmarks --slow           # also Brian2-numpy on W1 and W4 (adds ~2 min a repeat)

Workloads (the same model in both simulators; benchmarks/brian2_models.py has the Brian2 side):
  W1  `lif` lab, the chapter's neuron (default preset), 100 s at dt 0.1 ms
  W2  `ei` lab preset `cuba`: CUBA, 4000 cells, 1 s
  W3  `ei` preset `cuba` at N = 16000, in-degree 80, 1 s
  W4  `stdp` lab preset `song2000`: Song, Miller & Abbott 2000, 100 s

Every measurement is a fresh subprocess, run in the order hebblab, brian2-numpy,
brian2-cython for each workload, and that whole round repeated (--repeat, default 3), so
load from other programs on a shared machine hits all engines alike. Two times per run:
  loop     the simulation call alone: `lab.run(ms)` for hebblab, Brian2's own timing of its
           time-step loop (`device._last_run_time`: no code generation, no compile);
  process  the whole subprocess as a user waits for it: interpreter start, imports, building
           the network, code generation / C compile, the loop.
Each is measured as wall-clock time and as CPU time (the loop's CPU time in the worker;
the process's user+sys CPU, including the C compiler's, from the parent). On a machine
shared with other work the CPU times show what an idle machine's wall times would be
(every engine here runs on one core); the goals are printed against both.
Brian2's cython target compiles C code on first use and caches it. Each workload gets an
empty cache directory under /tmp, so its first cython run is the "cold" one (reported on
its own: a new user's first run, or any run after editing a model); later runs reuse the
cache ("warm", the median is reported). --cython-cache DIR uses and keeps DIR instead
(no cold figure then: handy for repeated smoke runs). Ratios use the best loop time of
each engine (the run least disturbed by other load) and the median process time.

Defaults, chosen so a full run stays under ~10 minutes on a 2-core machine: 3 repeats;
Brian2-numpy runs W2 and W3 only (its W1 takes ~17 s and W4 ~85 s a repeat, and no goal
compares with it there: --slow includes them). Whatever is skipped is printed.
Brian2 runs in the interpreter given by --brian2-python (or $HEBBLAB_BRIAN2_PYTHON),
default this one: Brian2 2.9 (the last for Python 3.11) needs numpy < 2.4, so on 3.11 it
may live in a separate venv. Without Brian2 the hebblab columns still run.

The script never asserts: it prints times, ratios, and the goals beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `sim` and `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUN_PY = Path(__file__).resolve()
ENGINES = ("hebblab", "brian2-numpy", "brian2-cython")
TIMEOUT_S = 1200


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    lab: str
    preset: str | None
    params: dict
    duration_ms: float
    quick_ms: float
    slow_numpy: bool = False  # Brian2-numpy takes minutes here: only with --slow


WORKLOADS = {
    "W1": Workload("W1", "lif chapter neuron", "lif", None, {}, 100_000.0, 10_000.0,
                   slow_numpy=True),
    "W2": Workload("W2", "CUBA 4000 cells", "ei", "cuba", {}, 1000.0, 200.0),
    "W3": Workload("W3", "CUBA 16000, in-degree 80", "ei", "cuba",
                   {"N": 16000, "in_degree": 80}, 1000.0, 200.0),
    "W4": Workload("W4", "Song 2000 STDP", "stdp", "song2000", {}, 100_000.0, 5_000.0,
                   slow_numpy=True),
}

# Sanity figures a worker reports (whichever the lab has), shown beside the times.
CHECK_KEYS = ("isi_rate_hz", "rate_mean_hz", "rate_recent_hz", "frac_low", "frac_high")


# -- workers (one subprocess per measurement) ---------------------------------------------
def hebblab_worker(w: Workload, duration_ms: float, seed: int) -> dict:
    t0 = time.perf_counter()
    from hebblab.sim.labs import get_lab

    lab = get_lab(w.lab)(preset=w.preset, params=w.params, seed=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    lab.run(duration_ms)
    t2, c2 = time.perf_counter(), time.process_time()
    out = {"build_s": t1 - t0, "loop_s": t2 - t1, "loop_cpu_s": c2 - c1}
    if lab.diverged:
        out["error"] = f"diverged: {lab.diverged}"
    readouts = lab.readouts()
    out.update({k: float(readouts[k]) for k in CHECK_KEYS if k in readouts})
    return out


def worker_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="benchmarks worker")
    p.add_argument("engine", choices=ENGINES)
    p.add_argument("workload", choices=sorted(WORKLOADS))
    p.add_argument("duration_ms", type=float)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cache-dir")
    a = p.parse_args(argv)
    w = WORKLOADS[a.workload]
    if a.engine == "hebblab":
        out = hebblab_worker(w, a.duration_ms, a.seed)
    else:
        from benchmarks.brian2_models import run_workload

        out = run_workload(w.key, a.engine.split("-", 1)[1], a.duration_ms, a.seed, a.cache_dir)
    print(json.dumps({k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                      for k, v in out.items()}))
    return 0


# -- the harness ----------------------------------------------------------------------------
@dataclass
class Cell:
    """All runs of one engine on one workload."""

    loops: list[float] = field(default_factory=list)
    loop_cpus: list[float] = field(default_factory=list)
    processes: list[float] = field(default_factory=list)  # warm runs
    process_cpus: list[float] = field(default_factory=list)
    cold: float | None = None  # first cython run, empty cache
    cold_cpu: float | None = None
    checks: dict = field(default_factory=dict)
    error: str | None = None
    skipped: str | None = None


def last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def run_subprocess(python: str, engine: str, w: Workload, duration_ms: float, seed: int,
                   cache_dir: str | None) -> tuple[float, float, dict]:
    """(whole-process wall s, its CPU s incl. its children, the worker's JSON) or RuntimeError."""
    cmd = [python, str(RUN_PY), "--worker", engine, w.key, repr(duration_ms), "--seed", str(seed)]
    if cache_dir:
        cmd += ["--cache-dir", cache_dir]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {TIMEOUT_S} s") from None
    elapsed = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(last_line(proc.stderr) or f"exit status {proc.returncode}")
    for line in reversed(proc.stdout.strip().splitlines()):
        if line.startswith("{"):
            return elapsed, cpu, json.loads(line)
    raise RuntimeError("worker printed no result")


def probe_brian2(python: str) -> tuple[bool, bool, str]:
    """(brian2 importable, Cython importable, version or reason) in the given interpreter."""
    code = ("import brian2, sys\nprint(brian2.__version__)\n"
            "try:\n import Cython; print('cython', Cython.__version__)\n"
            "except ImportError as e:\n print('nocython', e)\n")
    try:
        proc = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        return False, False, str(err)
    if proc.returncode != 0:
        return False, False, last_line(proc.stderr)
    lines = proc.stdout.split("\n")
    return True, lines[1].startswith("cython"), lines[0]


def lab_available(w: Workload) -> str | None:
    """None if the lab accepts this workload here, else why not (one line)."""
    try:
        from hebblab.sim.labs import get_lab

        get_lab(w.lab).resolve_params(w.preset, w.params)
    except Exception as err:  # noqa: BLE001 - any failure means "not available", reported
        return f"lab {w.lab!r} not available ({err})"
    return None


def fmt_s(x: float | None) -> str:
    return "-" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def best(xs: list[float]) -> float | None:
    return min(xs) if xs else None


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b <= 0 else f"{a / b:.1f}x"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="short durations (a smoke run)")
    p.add_argument("--only", action="append", default=[], metavar="W",
                   help="run only these workloads (W1..W4; repeat or comma-separate)")
    p.add_argument("--no-brian2", action="store_true", help="time hebblab alone")
    p.add_argument("--slow", action="store_true",
                   help="also run Brian2-numpy on W1 and W4 (minutes per repeat)")
    p.add_argument("--repeat", type=int, default=3, help="rounds of measurements (default 3)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--brian2-python", default=os.environ.get("HEBBLAB_BRIAN2_PYTHON", sys.executable),
                   help="interpreter with brian2 + Cython (default: $HEBBLAB_BRIAN2_PYTHON or this one)")
    p.add_argument("--cython-cache", metavar="DIR",
                   help="reuse and keep this Brian2 cython cache (no cold-compile figure)")
    p.add_argument("--json", metavar="PATH", help="also write all measurements as JSON")
    a = p.parse_args(argv)
    keys = [k.strip().upper() for item in a.only for k in item.split(",") if k.strip()]
    bad = [k for k in keys if k not in WORKLOADS]
    if bad:
        p.error(f"--only: unknown workload {bad[0]!r}; choose from {', '.join(WORKLOADS)}")
    if a.repeat < 1:
        p.error("--repeat: expected an integer >= 1")
    a.keys = [k for k in WORKLOADS if k in keys] if keys else list(WORKLOADS)
    return a


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return worker_main(argv[1:])
    a = parse_args(argv)
    out = sys.stdout
    load0 = os.getloadavg()
    print(f"hebblab benchmarks  ({'quick' if a.quick else 'full'} durations, {a.repeat} repeat(s), "
          f"{os.cpu_count()} cores, load average {load0[0]:.2f} at start)", file=out)

    engines = ["hebblab"]
    if a.no_brian2:
        print("Brian2: skipped (--no-brian2)", file=out)
    else:
        ok, has_cython, info = probe_brian2(a.brian2_python)
        if not ok:
            print(f"Brian2: not importable with {a.brian2_python} ({info}); Brian2 columns skipped. "
                  "Install the bench extra or pass --brian2-python.", file=out)
        else:
            engines.append("brian2-numpy")
            print(f"Brian2 {info} via {a.brian2_python}", file=out)
            if has_cython and shutil.which(os.environ.get("CC", "gcc")):
                engines.append("brian2-cython")
            else:
                print("Brian2 cython target: skipped (Cython or a C compiler missing)", file=out)

    cells: dict[tuple[str, str], Cell] = {}
    durations: dict[str, float] = {}
    for key in a.keys:
        w = WORKLOADS[key]
        durations[key] = w.quick_ms if a.quick else w.duration_ms
        why_not = lab_available(w)
        for engine in engines:
            cell = cells[key, engine] = Cell()
            if engine == "hebblab" and why_not:
                cell.skipped = why_not
            elif engine == "brian2-numpy" and w.slow_numpy and not a.slow:
                cell.skipped = "skipped: slow (use --slow)"

    keep_cache = a.cython_cache is not None
    cache_root = Path(a.cython_cache) if keep_cache else Path(tempfile.mkdtemp(prefix="hebblab-bench-"))
    pythons = {"hebblab": sys.executable, "brian2-numpy": a.brian2_python, "brian2-cython": a.brian2_python}
    try:
        for rep in range(a.repeat):
            for key in a.keys:
                w = WORKLOADS[key]
                for engine in engines:
                    cell = cells[key, engine]
                    if cell.skipped or cell.error:
                        continue
                    cache = str(cache_root / key) if engine == "brian2-cython" else None
                    cold = engine == "brian2-cython" and rep == 0 and not keep_cache
                    print(f"  round {rep + 1}/{a.repeat}  {key} {engine:<14}", end="", flush=True, file=out)
                    try:
                        elapsed, cpu, res = run_subprocess(pythons[engine], engine, w, durations[key],
                                                           a.seed, cache)
                    except RuntimeError as err:
                        cell.error = str(err)
                        print(f"  failed: {err}", file=out)
                        continue
                    if res.get("error"):
                        cell.error = res["error"]
                    cell.loops.append(res["loop_s"])
                    if res.get("loop_cpu_s") is not None:
                        cell.loop_cpus.append(res["loop_cpu_s"])
                    if cold:
                        cell.cold, cell.cold_cpu = elapsed, cpu
                    else:
                        cell.processes.append(elapsed)
                        cell.process_cpus.append(cpu)
                    cell.checks = {k: res[k] for k in CHECK_KEYS if k in res}
                    print(f"  loop {fmt_s(res['loop_s'])} s (cpu {fmt_s(res.get('loop_cpu_s'))})"
                          f"  process {fmt_s(elapsed)} s (cpu {fmt_s(cpu)})"
                          + ("  (cold compile)" if cold else ""), file=out)
    finally:
        if not keep_cache:
            shutil.rmtree(cache_root, ignore_errors=True)

    load1 = os.getloadavg()
    print_table(a, engines, cells, durations, out)
    print_goals(a, cells, durations, out)
    print(f"\nload average {load0[0]:.2f} at start, {load1[0]:.2f} at end "
          "(the machine may be shared: ratios from one run are more robust than absolute times)", file=out)
    if a.json:
        data = {"quick": a.quick, "repeat": a.repeat, "load_start": load0[0], "load_end": load1[0],
                "results": [{"workload": k, "engine": e, "duration_ms": durations[k], **vars(c)}
                            for (k, e), c in cells.items()]}
        Path(a.json).write_text(json.dumps(data, indent=2))
    return 0


def print_table(a, engines, cells, durations, out) -> None:
    print("\n" + f"{'workload':<38}{'engine':<15}{'loop s best/median':>19}{'cpu':>8}"
          f"{'process s':>11}{'cpu':>8}{'cold s':>8}{'cpu':>8}  check", file=out)
    for key in a.keys:
        w = WORKLOADS[key]
        label = f"{key} {w.title}, {durations[key] / 1000:g} s"
        for engine in engines:
            c = cells[key, engine]
            if c.skipped:
                print(f"{label:<38}{engine:<15}  {c.skipped}", file=out)
            elif not c.loops:
                print(f"{label:<38}{engine:<15}  failed: {c.error}", file=out)
            else:
                loop = f"{fmt_s(best(c.loops))}/{fmt_s(median(c.loops))}"
                checks = " ".join(f"{k}={v:.3g}" for k, v in c.checks.items())
                if c.error:
                    checks = f"{c.error}; {checks}"
                print(f"{label:<38}{engine:<15}{loop:>19}{fmt_s(best(c.loop_cpus)):>8}"
                      f"{fmt_s(median(c.processes)):>11}{fmt_s(median(c.process_cpus)):>8}"
                      f"{fmt_s(c.cold):>8}{fmt_s(c.cold_cpu):>8}  {checks}", file=out)
            label = ""


def print_goals(a, cells, durations, out) -> None:
    """Each goal from the brief beside the measured figures (met / not met), never asserted.
    Loop figures: best of the repeats, wall-clock and CPU; process: median, wall and CPU."""
    print("\nGoals (loop: best of the repeats; process: median; cold: first cython run; "
          "each as wall / cpu):", file=out)
    if a.quick:
        print("  (--quick: short runs; per-second figures are scaled up and only indicative)", file=out)

    def cell(key, engine):
        c = cells.get((key, engine))
        return c if c and c.loops and not c.error else None

    def loop(key, engine):
        c = cell(key, engine)
        return (best(c.loops), best(c.loop_cpus)) if c else (None, None)

    def proc(key, engine, cold=False):
        c = cell(key, engine)
        if not c:
            return None, None
        return (c.cold, c.cold_cpu) if cold else (median(c.processes), median(c.process_cpus))

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    def both(pair, fmt, goal_ok) -> str:
        parts = []
        for what, x in zip(("wall", "cpu"), pair):
            if x is not None:
                parts.append(f"{fmt(x)} {what}" + (f" {verdict(goal_ok(x))}" if goal_ok else ""))
        return " / ".join(parts) if parts else "-"

    def per_second(key, limit_s, per_s):
        wall, cpu = loop(key, "hebblab")
        if wall is None:
            print(f"  {key}: hebblab not measured", file=out)
            return
        scale = per_s * 1000.0 / durations[key]
        pair = (wall * scale, None if cpu is None else cpu * scale)
        ok = None if limit_s is None else (lambda x: x <= limit_s)
        goal = "" if limit_s is None else f" (goal <= {limit_s:g} s)"
        print(f"  {key}: hebblab loop per {per_s:g} s simulated{goal}: "
              + both(pair, lambda x: f"{x:.3f} s", ok), file=out)

    def div(x, y):
        return None if x is None or y is None or y <= 0 else x / y

    def faster(key, engine, goal):
        h, o = loop(key, "hebblab"), loop(key, engine)
        if h[0] is None or o[0] is None:
            return
        ok = None if goal is None else (lambda r: r >= goal)
        goal_text = "" if goal is None else f" (goal >= {goal:g}x)"
        x = lambda r: f"{r:.1f}x"  # noqa: E731
        line = f"  {key}: {engine} / hebblab, loop{goal_text}: " + both(
            (div(o[0], h[0]), div(o[1], h[1])), x, ok)
        hp = proc(key, "hebblab")
        line += "; process warm: " + both((div(proc(key, engine)[0], hp[0]), div(proc(key, engine)[1], hp[1])), x, None)
        if engine == "brian2-cython":
            cold = proc(key, engine, cold=True)
            line += "; cold: " + both((div(cold[0], hp[0]), div(cold[1], hp[1])), x, None)
        print(line, file=out)

    if "W1" in a.keys:
        per_second("W1", 0.5, 100)
        faster("W1", "brian2-cython", None)
        faster("W1", "brian2-numpy", None)
    if "W2" in a.keys:
        per_second("W2", 0.15, 1)
        faster("W2", "brian2-numpy", 6)
        faster("W2", "brian2-cython", 1.5)
    if "W3" in a.keys:
        per_second("W3", 0.4, 1)
        faster("W3", "brian2-numpy", None)
        faster("W3", "brian2-cython", None)
    if "W4" in a.keys:
        per_second("W4", None, 100)
        faster("W4", "brian2-cython", 15)
        faster("W4", "brian2-numpy", None)
    skipped = [f"{k} {e}: {c.skipped}" for (k, e), c in cells.items() if c.skipped]
    if skipped:
        print("\nSkipped:\n  " + "\n  ".join(skipped), file=out)


if __name__ == "__main__":
    raise SystemExit(main())
