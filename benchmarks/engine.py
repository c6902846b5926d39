"""Engine speed: `python benchmarks/engine.py` (prints figures; asserts nothing).

1. every registered lab, default preset: steps per second and biological seconds per
   wall-clock second (each run sized to take about --budget seconds of wall time);
2. `lif`, 100 s of biological time at dt 0.1 ms, against the 0.5 s goal;
3. the whole process `hebblab run lif --preset chapter --json` (median of several runs),
   against the 0.5 s goal;
4. heavy stdp: the whole process `hebblab run stdp --set rate_hz=200 --set n_inputs=10000
   --duration 2000 --json` (the cell fires every step: 2 M input events and 20,000 output
   spikes in 2 s of biology), against the 10 s goal (--no-heavy skips it).
Ratios are measured / goal: <= 1 meets the goal. Wall time is the goal's measure; CPU time
is printed beside it because on a shared, loaded machine wall time also counts waiting for
a core (the load average is printed first).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hebblab.sim.labs import all_labs  # noqa: E402

LIF_GOAL_S = 0.5
PROCESS_GOAL_S = 0.5
HEAVY_GOAL_S = 10.0
HEAVY_STDP = ["run", "stdp", "--set", "rate_hz=200", "--set", "n_inputs=10000", "--duration", "2000", "--json"]


def time_lab(lab_cls, budget_s: float) -> tuple[int, float, float]:
    """(steps, wall seconds, dt_ms) for a default-preset run of about budget_s."""
    lab = lab_cls(seed=0)
    steps = max(1, lab.steps_for(10.0))
    while True:  # grow a probe run until it is long enough to time
        lab.reset()
        t0 = time.perf_counter()
        lab.step(steps)
        wall = time.perf_counter() - t0
        if wall >= min(0.05, budget_s / 4) or steps >= 5_000_000:
            break
        steps *= 4
    steps = int(min(max(steps * budget_s / max(wall, 1e-9), 1), 5_000_000))
    lab.reset()
    t0 = time.perf_counter()
    lab.step(steps)
    return steps, time.perf_counter() - t0, lab.dt_ms


def time_lif_100s() -> tuple[float, float] | None:
    labs = all_labs()
    if "lif" not in labs:
        return None
    lab_cls = labs["lif"]
    params = {"dt_ms": 0.1} if any(s.name == "dt_ms" for s in lab_cls.specs) else {}
    lab = lab_cls(params, seed=0)
    t0, c0 = time.perf_counter(), time.process_time()
    lab.run(100_000.0)
    return time.perf_counter() - t0, time.process_time() - c0


def hebblab_command() -> list[str]:
    exe = Path(sys.executable).with_name("hebblab")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("hebblab")
    return [found] if found else [sys.executable, "-m", "hebblab"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_process(runs: int) -> tuple[list[float], list[float]] | None:
    if "lif" not in all_labs():
        return None
    cmd = hebblab_command() + ["run", "lif", "--preset", "chapter", "--json"]
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), _children_cpu()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={**os.environ})
        walls.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - c0)
    return walls, cpus


def time_heavy_stdp() -> tuple[float, float] | None:
    """(wall, CPU) seconds of the heavy stdp run as a whole process."""
    if "stdp" not in all_labs():
        return None
    t0, c0 = time.perf_counter(), _children_cpu()
    subprocess.run(hebblab_command() + HEAVY_STDP, check=True, stdout=subprocess.DEVNULL, env={**os.environ})
    return time.perf_counter() - t0, _children_cpu() - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=0.5, help="wall seconds per lab (default 0.5)")
    parser.add_argument("--runs", type=int, default=7, help="process runs for the median (default 7)")
    parser.add_argument("--no-heavy", action="store_true", help="skip the heavy stdp run")
    args = parser.parse_args()

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'lab':<10} {'dt (ms)':>8} {'steps':>10} {'wall (s)':>9} {'steps/s':>12} {'bio-s/wall-s':>13}")
    for name, lab_cls in all_labs().items():
        steps, wall, dt_ms = time_lab(lab_cls, args.budget)
        print(f"{name:<10} {dt_ms:>8g} {steps:>10d} {wall:>9.3f} {steps / wall:>12,.0f} "
              f"{steps * dt_ms / 1000 / wall:>13.1f}")

    print()
    lif = time_lif_100s()
    if lif is None:
        print("lif 100 s at dt 0.1 ms: skipped (no lif lab registered)")
    else:
        wall, cpu = lif
        print(f"lif 100 s at dt 0.1 ms: {wall:.3f} s wall ({cpu:.3f} s CPU); goal {LIF_GOAL_S} s; "
              f"ratio {wall / LIF_GOAL_S:.2f} wall, {cpu / LIF_GOAL_S:.2f} CPU")

    proc = time_process(args.runs)
    if proc is None:
        print("hebblab run lif --preset chapter --json: skipped (no lif lab registered)")
    else:
        walls, cpus = proc
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"hebblab run lif --preset chapter --json, whole process, median of {len(walls)}: "
              f"{wall:.3f} s wall ({cpu:.3f} s CPU; wall min {min(walls):.3f}, max {max(walls):.3f}); "
              f"goal {PROCESS_GOAL_S} s; ratio {wall / PROCESS_GOAL_S:.2f} wall, {cpu / PROCESS_GOAL_S:.2f} CPU")

    heavy = None if args.no_heavy else time_heavy_stdp()
    if heavy is None:
        print("heavy stdp: skipped" + ("" if args.no_heavy else " (no stdp lab registered)"))
    else:
        wall, cpu = heavy
        print(f"hebblab {' '.join(HEAVY_STDP)}, whole process: {wall:.2f} s wall ({cpu:.2f} s CPU); "
              f"goal {HEAVY_GOAL_S:g} s; ratio {wall / HEAVY_GOAL_S:.2f} wall, {cpu / HEAVY_GOAL_S:.2f} CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
