"""TUI speed: frame time, key-to-screen latency and launch-to-first-frame, per lab.

    python benchmarks/tui.py [--frames N] [--labs lif,hebb] [--charts canvas|plotext] [--no-launch]

For each lab (and the chapter view) at 120x40 and 80x24, headless (Textual's test driver):
- frame: one sim frame as the app does it (step every runner + hand changed series to the
  charts) plus Textual's screen update (layout, chart rebuild, compositing, ANSI encoding):
  median and p95 over N frames. Goal: p95 <= 33 ms at 120x40.
- key: while the lab runs (20 fps timer), the delay from a key press (right/left arrow on
  the first live numeric parameter, else the first numeric one) to the next screen update
  showing it: median and p95. Goal: p95 <= 50 ms. (The app sets TEXTUAL_FPS=120 unless set:
  at Textual's default 60 its update timer left a key 17-33 ms behind a just-drawn frame.)
- launch: a real `hebblab tui LAB` process in tmux, from spawn to the first pane showing
  drawn charts and the status line (polled every 10 ms). Goal: <= 1 s. Needs tmux.
Ratios printed are goal / measured (>= 1 meets the goal).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Run as a script, this file's folder heads sys.path and `import tui` would find this very
# file (benchmarks/tui.py): put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
sys.modules.pop("tui", None) if getattr(sys.modules.get("tui"), "__file__", "") == __file__ else None

GOAL_FRAME_MS, GOAL_KEY_MS, GOAL_LAUNCH_S = 33.0, 50.0, 1.0
SIZES = ((120, 40), (80, 24))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def record_displays(app) -> list[float]:
    """Hook the app's final display call: the returned list gets the time of each screen
    update (when a change reaches the terminal driver)."""
    displays: list[float] = []
    original = app._display

    def display(screen_, update):
        displays.append(time.perf_counter())
        return original(screen_, update)

    app._display = display
    return displays


async def measure_frames(lab: str, size: tuple[int, int], frames: int) -> tuple[list[float], list[float]]:
    """Per frame: (CPU ms of this thread, wall ms) from the step to the screen update.

    CPU time is the frame's own cost (step, chart rebuild, layout, compositing) without
    the wait for Textual's update timer or other processes on the shared machine; wall
    time includes both.
    """
    from hebblab.tui.app import HebblabApp

    app = HebblabApp(lab, autoplay=False)
    cpu, wall = [], []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.lab_screen()
        displays = record_displays(app)
        for i in range(frames + 5):
            await pilot.pause()
            t0, c0 = time.perf_counter(), time.thread_time()
            screen.advance_frame()
            while not (displays and displays[-1] >= t0) and time.perf_counter() - t0 < 2:
                await asyncio.sleep(0)
            if i >= 5:  # warm-up frames excluded
                cpu.append((time.thread_time() - c0) * 1000)
                wall.append((displays[-1] - t0) * 1000 if displays else float("nan"))
    return cpu, wall


async def measure_keys(lab: str, size: tuple[int, int], presses: int) -> list[float]:
    from hebblab.tui.app import HebblabApp
    from hebblab.tui.widgets.param_panel import ParamList

    app = HebblabApp(lab, autoplay=False)
    latencies: list[float] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.lab_screen()
        plist = screen.query_one(ParamList)
        rows = plist.rows
        numeric = [i for i, r in enumerate(rows) if r.spec.kind in ("float", "int")]
        live = next((i for i in numeric if rows[i].spec.live), numeric[0] if numeric else None)
        if live is None:
            return []
        plist.cursor = live
        row = rows[live]
        displays = record_displays(app)
        set_times: list[float] = []
        set_param = row.runner.set_param

        def timed_set(name, value):
            set_times.append(time.perf_counter())
            return set_param(name, value)

        row.runner.set_param = timed_set
        screen.set_running(True)
        await asyncio.sleep(0.3)
        for k in range(presses):
            t0 = time.perf_counter()
            await pilot.press("right" if k % 2 == 0 else "left")
            while not (set_times and set_times[-1] >= t0) and time.perf_counter() - t0 < 2:
                await asyncio.sleep(0.0005)
            changed = set_times[-1] if set_times else t0
            while not (displays and displays[-1] >= changed) and time.perf_counter() - t0 < 2:
                await asyncio.sleep(0.0005)
            shown = next((t for t in displays if t >= changed), time.perf_counter())
            latencies.append((shown - t0) * 1000)
            await asyncio.sleep(0.05 + 0.03 * (k % 3))  # presses at varied points of the frame cycle
        screen.set_running(False)
    return latencies


def measure_launch(lab: str, size: tuple[int, int], repeats: int) -> list[float]:
    """Seconds from spawning `hebblab tui LAB` in tmux to a pane with charts and status."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return []
    script = Path(sys.executable).with_name("hebblab")
    cmd = f"{script} tui {lab}" if script.exists() else f"{sys.executable} -m hebblab tui {lab}"
    socket = f"hebblab-bench-{os.getpid()}"
    out = []
    # A keep-alive session: the server must not exit (and race the next spawn) between runs.
    subprocess.run([tmux, "-L", socket, "new-session", "-d", "-s", "keepalive", "sleep 3600"], check=True)
    try:
        for i in range(repeats):
            name = f"{lab}-{size[0]}-{i}"
            t0 = time.perf_counter()
            subprocess.run([tmux, "-L", socket, "new-session", "-d", "-s", name, "-x", str(size[0]),
                            "-y", str(size[1]), cmd], check=True, env={**os.environ, "TERM": "xterm-256color"})
            seen = None
            while time.perf_counter() - t0 < 10:
                pane = subprocess.run([tmux, "-L", socket, "capture-pane", "-p", "-t", name],
                                      capture_output=True, text=True).stdout
                if "running" in pane and ("┤" in pane or "▀" in pane):
                    seen = time.perf_counter() - t0
                    break
                time.sleep(0.01)
            subprocess.run([tmux, "-L", socket, "send-keys", "-t", name, "q"], capture_output=True)
            time.sleep(0.3)
            subprocess.run([tmux, "-L", socket, "kill-session", "-t", name], capture_output=True)
            if seen is not None:
                out.append(seen)
    finally:
        subprocess.run([tmux, "-L", socket, "kill-server"], capture_output=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--labs", default=None, help="comma-separated (default: chapter + every lab)")
    parser.add_argument("--charts", choices=("canvas", "plotext"), default="canvas")
    parser.add_argument("--no-launch", action="store_true")
    args = parser.parse_args(argv)
    os.environ["HEBBLAB_CHARTS"] = args.charts

    from hebblab.sim.labs import all_labs

    labs = args.labs.split(",") if args.labs else ["chapter", *all_labs()]
    print(f"charts: {args.charts}; goals: frame p95 <= {GOAL_FRAME_MS:g} ms (120x40), key p95 <= "
          f"{GOAL_KEY_MS:g} ms, first frame <= {GOAL_LAUNCH_S:g} s; ratio = goal / measured")
    print(f"{'lab':10} {'size':7} {'frame med':>9} {'p95':>7} {'ratio':>6} {'wall p95':>8} {'key med':>8} "
          f"{'key p95':>8} {'ratio':>6} {'launch':>7} {'ratio':>6}")
    worst = {"frame": 0.0, "key": 0.0, "launch": 0.0}
    for lab in labs:
        for size in SIZES:
            frames, walls = asyncio.run(measure_frames(lab, size, args.frames))
            keys = asyncio.run(measure_keys(lab, size, args.keys))
            launch = [] if args.no_launch else measure_launch(lab, size, 3)
            f_med, f95 = statistics.median(frames), p95(frames)
            k95 = p95(keys) if keys else float("nan")
            l_med = statistics.median(launch) if launch else float("nan")
            if size == SIZES[0]:
                worst["frame"] = max(worst["frame"], f95)
            worst["key"] = max(worst["key"], k95 if keys else 0.0)
            worst["launch"] = max(worst["launch"], l_med if launch else 0.0)
            print(f"{lab:10} {size[0]}x{size[1]:<4} {f_med:8.1f}ms {f95:6.1f}ms {GOAL_FRAME_MS / f95:6.2f} "
                  f"{p95(walls):7.1f}ms {statistics.median(keys) if keys else float('nan'):7.1f}ms "
                  f"{k95:7.1f}ms {GOAL_KEY_MS / k95 if keys else float('nan'):6.2f} "
                  f"{l_med:6.2f}s {GOAL_LAUNCH_S / l_med if launch else float('nan'):6.2f}", flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average during the run: {load:.1f} (2-core machine shared with other jobs inflates wall times)")
    def ratio(goal: float, worst_value: float) -> str:
        return f"{goal / worst_value:.2f}" if worst_value > 0 else "n/a"

    print(f"worst: frame p95 {worst['frame']:.1f} ms at 120x40 (ratio {ratio(GOAL_FRAME_MS, worst['frame'])}), "
          f"key p95 {worst['key']:.1f} ms (ratio {ratio(GOAL_KEY_MS, worst['key'])}), "
          f"launch {worst['launch']:.2f} s (ratio {ratio(GOAL_LAUNCH_S, worst['launch'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
