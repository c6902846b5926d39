"""Song 2000 speed: `python benchmarks/song2000.py` (prints figures; asserts nothing).

Times the `stdp` lab, preset `song2000` (1000 Poisson inputs, one LIF cell, pair STDP,
dt 0.1 ms), for 100 s of biological time headless, against the 1.5 s goal, and prints
biological seconds per wall second plus the run's Song figures (so a reader sees the fast
run is also the right one). Also times the same run split into TUI-sized frames.
Ratios are measured / goal: <= 1 meets the goal. Wall time is the goal's measure; CPU time
is printed beside it because on a shared, loaded machine wall time also counts waiting
for a core (the load average is printed first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hebblab.sim.labs.stdp import StdpLab  # noqa: E402

GOAL_S = 1.5
BIO_MS = 100_000.0


def one_run(seed: int, frame_ms: float | None) -> tuple[float, float, dict]:
    lab = StdpLab(seed=seed, preset="song2000")
    steps = lab.steps_for(BIO_MS)
    w0, c0 = time.perf_counter(), time.process_time()
    if frame_ms is None:
        lab.step(steps)
    else:
        per = lab.steps_for(frame_ms)
        while lab.steps_done < steps:
            lab.step(min(per, steps - lab.steps_done))
            lab.readouts()  # what a front end reads every frame
    return time.perf_counter() - w0, time.process_time() - c0, lab.metrics()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--frame-ms", type=float, default=100.0,
                    help="biological time per frame for the framed run (TUI: ~10 s/s at 100 ms x 100 fps)")
    a = ap.parse_args(argv)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    walls, cpus = [], []
    for r in range(a.repeats):
        wall, cpu, m = one_run(a.seed + r, None)
        walls.append(wall)
        cpus.append(cpu)
        print(f"  seed {a.seed + r}: wall {wall:.3f} s, cpu {cpu:.3f} s | frac_low {m['frac_low']:.3f} "
              f"frac_high {m['frac_high']:.3f} rate first 10 s {m['rate_first_10s_hz']:.1f} Hz, "
              f"last 10 s {m['rate_last_10s_hz']:.1f} Hz, {m['output_spike_count']} output spikes")
    wall, cpu = min(walls), min(cpus)
    print(f"Song 2000, 100 s biological, headless: best wall {wall:.3f} s (median {statistics.median(walls):.3f}), "
          f"best cpu {cpu:.3f} s")
    print(f"  goal {GOAL_S} s: ratio wall/goal {wall / GOAL_S:.2f}, cpu/goal {cpu / GOAL_S:.2f} (<= 1 meets it)")
    print(f"  biological seconds per wall second: {BIO_MS / 1000 / wall:.0f} (per cpu second {BIO_MS / 1000 / cpu:.0f})")
    fw, fc, _ = one_run(a.seed, a.frame_ms)
    print(f"framed in {a.frame_ms:g} ms steps + readouts each frame: wall {fw:.3f} s, cpu {fc:.3f} s "
          f"({BIO_MS / 1000 / fw:.0f} bio s per wall s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
