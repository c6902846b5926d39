"""Peak memory against run length: `python benchmarks/memory.py` (prints figures; asserts nothing).

For every registered lab, at its defaults, with each size parameter (an integer
parameter: cells, inputs, patterns...) at the largest value that passes the lab's checks,
with all of them at their maxima, and for the issue's reproductions (EXTRA), it runs
`hebblab run LAB --set ... --duration MS --json` twice, short and long (default
400 s and 3600 s of biological time, the longest run `hebblab run` accepts), each in a
fresh process, and prints each run's peak resident memory (the child's ru_maxrss from
wait4) and the ratio long/short. The goal: within 10 % (memory does not grow with
duration).

Some configurations take far longer than an hour of wall time for an hour of biology
(`ei` at 50,000 cells). `--max-cpu S` (default 600) times a short probe run first and,
when the long run would take more than S CPU seconds, scales both durations down by the
same factor (the ratio stays long/short); the table prints the durations actually run,
marked `*`.
A configuration the lab refuses (a ParamError) is printed with the error, not run.

    python benchmarks/memory.py                          # every lab, defaults and maxima
    python benchmarks/memory.py --labs hebb bcm --configs defaults
    python benchmarks/memory.py --short 40 --long 360    # seconds of biological time
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hebblab.sim.labs import all_labs  # noqa: E402
from hebblab.sim.labs.base import Lab  # noqa: E402
from hebblab.sim.params import ParamError  # noqa: E402

GOAL_RATIO = 1.10
PROBE_S = 5.0  # biological seconds of the probe run that estimates the speed
# The reproductions (issue 9), measured beside the defaults and maxima.
EXTRA = {
    "hebb": [("issue: 64x64 all firing", {"n_pre": 64, "n_post": 64, "p_pre": 1, "threshold": -2})],
    "bcm": [("issue: dt 0.01, 100x10", {"dt_ms": 0.01, "n_inputs": 100, "n_patterns": 10})],
    "stdp": [("issue: 10000 at 200 Hz", {"n_inputs": 10000, "rate_hz": 200})],
}


@dataclass
class Run:
    peak_mb: float
    wall_s: float
    cpu_s: float
    error: str = ""


def allowed(lab_cls: type[Lab], params: dict) -> bool:
    try:
        lab_cls.resolve_params(None, params)
    except ParamError:
        return False
    return True


def largest(lab_cls: type[Lab], name: str, lo: int, hi: int, params: dict) -> int | None:
    """The largest value of integer parameter `name` in [lo, hi] the lab's checks accept
    beside `params` (checks are monotone in a size: bisect), or None."""
    if allowed(lab_cls, {**params, name: hi}):
        return hi
    if not allowed(lab_cls, {**params, name: lo}):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if allowed(lab_cls, {**params, name: mid}) else (lo, mid)
    return lo


def size_configs(lab_cls: type[Lab]) -> list[tuple[str, dict]]:
    """("defaults", {}); per size parameter (integers, and degrees) its largest allowed value (with the other
    integer parameters at their maxima when that allows more: stdp's n_corr <= n_inputs);
    all of them as large as allowed together; then the issue's reproductions."""
    configs: list[tuple[str, dict]] = [("defaults", {})]
    ints = [s for s in lab_cls.specs if s.kind == "int" or s.name.endswith("_degree")]  # ei's in_degree
    others_max = {s.name: s.max for s in ints}
    for spec in ints:
        best = None
        for params in ({}, {k: v for k, v in others_max.items() if k != spec.name}):
            value = largest(lab_cls, spec.name, int(spec.min), int(spec.max), params)
            if value is not None and (best is None or value > best[1][spec.name]):
                best = (params, {**params, spec.name: value})
        if best is None:
            configs.append((f"{spec.name}={spec.max:g}", {spec.name: spec.max}))  # reported as refused
            continue
        value = best[1][spec.name]
        label = f"{spec.name}={value}" + ("" if value == spec.max else f" (max {spec.max:g})")
        configs.append((label, best[1]))
    if len(ints) > 1:
        together: dict = {}
        for _ in range(2):  # a second pass raises what the first one's order held back
            for spec in ints:
                value = largest(lab_cls, spec.name, int(spec.min), int(spec.max), together)
                if value is not None:
                    together[spec.name] = value
        if together not in [c for _, c in configs]:
            configs.append(("all sizes together", together))
    return configs + EXTRA.get(lab_cls.name, [])


def run_child(lab: str, params: dict, seconds: float) -> Run:
    """One `hebblab run` in a fresh process: its own peak RSS (wait4), wall and CPU time."""
    cmd = [sys.executable, "-m", "hebblab", "run", lab, "--duration", f"{seconds * 1000:.10g}", "--json"]
    for name, value in params.items():
        cmd += ["--set", f"{name}={value}"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    error = "" if proc.returncode == 0 else (err.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return Run(usage.ru_maxrss / 1024.0, wall, usage.ru_utime + usage.ru_stime, error)


def refusal(lab_cls: type[Lab], params: dict) -> str:
    try:
        lab_cls.resolve_params(None, params)
    except ParamError as err:
        return str(err)
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", nargs="*", help="labs to measure (default: all)")
    parser.add_argument("--configs", choices=("all", "defaults", "maxima"), default="all")
    parser.add_argument("--short", type=float, default=400.0, help="short run, biological s (default 400)")
    parser.add_argument("--long", type=float, default=3600.0, help="long run, biological s (default 3600)")
    parser.add_argument("--max-cpu", type=float, default=600.0,
                        help="scale both durations down when the long run would take more CPU seconds "
                             "(default 600)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows to FILE")
    args = parser.parse_args()

    labs = all_labs()
    names = args.labs or list(labs)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; goal: long/short peak <= {GOAL_RATIO}")
    print(f"{'lab':<11} {'config':<22} {'short s':>8} {'long s':>8} {'peak short MB':>14} "
          f"{'peak long MB':>13} {'ratio':>6} {'CPU long s':>10}")
    rows = []
    for name in names:
        lab_cls = labs[name]
        configs = size_configs(lab_cls)
        if args.configs == "defaults":
            configs = configs[:1]
        elif args.configs == "maxima":
            configs = configs[1:]
        for label, params in configs:
            why = refusal(lab_cls, params)
            if why:
                print(f"{name:<11} {label:<22} refused: {why}")
                rows.append({"lab": name, "config": label, "params": params, "refused": why})
                continue
            short, long_ = args.short, args.long
            startup = run_child(name, params, 0.001)  # interpreter, imports, building the lab
            probe = run_child(name, params, PROBE_S)
            if probe.error:
                print(f"{name:<11} {label:<22} failed: {probe.error}")
                rows.append({"lab": name, "config": label, "params": params, "error": probe.error})
                continue
            scaled = ""
            # CPU time, not wall: on a shared machine wall time also counts waiting for a core.
            per_s = max(probe.cpu_s - startup.cpu_s, 0.0) / PROBE_S
            estimate = startup.cpu_s + per_s * long_
            if estimate > args.max_cpu:
                factor = (args.max_cpu - startup.cpu_s) / (estimate - startup.cpu_s)
                short, long_ = short * factor, long_ * factor
                scaled = "*"
            a = run_child(name, params, short)
            b = run_child(name, params, long_)
            if a.error or b.error:
                print(f"{name:<11} {label:<22} failed: {a.error or b.error}")
                rows.append({"lab": name, "config": label, "params": params, "error": a.error or b.error})
                continue
            ratio = b.peak_mb / a.peak_mb
            print(f"{name:<11} {label:<22} {short:>7.4g}{scaled} {long_:>7.4g}{scaled} {a.peak_mb:>14.1f} "
                  f"{b.peak_mb:>13.1f} {ratio:>6.3f} {b.cpu_s:>10.1f}", flush=True)
            rows.append({"lab": name, "config": label, "params": params, "short_s": short, "long_s": long_,
                         "scaled": bool(scaled), "peak_short_mb": a.peak_mb, "peak_long_mb": b.peak_mb,
                         "ratio": ratio, "wall_short_s": a.wall_s, "wall_long_s": b.wall_s,
                         "cpu_long_s": b.cpu_s})
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    print("* durations scaled down to fit --max-cpu (same long/short ratio)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
