"""TUI speed: frame time, key-to-screen latency under a heavy lab, launch and quit.

    python benchmarks/tui.py [--frames N] [--keys N] [--labs lif,hebb] [--load LAB:NAME=V,...]
                             [--no-launch]

- frame (per lab, and the chapter view, at 120x40 and 80x24, headless): one frame as the
  app does it (the lab thread steps every runner, then the screen hands the changed series
  to the charts and Textual lays out, composites and encodes): median and p95 of the wall
  time to the screen update, and of the process CPU time (both threads). Goal: p95 <= 33 ms
  at 120x40.
- keys under load (headless, the app live as `hebblab tui` runs it: lab thread, no sync),
  for `--load` (default: stdp at rate_hz=200 and n_inputs=10000, the heaviest the ranges
  allow, whose single steps take tens of ms and whose first takes seconds): the delay
  from a key to the screen update showing its effect, for a parameter (right/left on a
  live number), pause (space) and reset (r): median and p95. Goal: p95 <= 100 ms. Also the
  redraw rate and the pace the lab keeps (achieved / set sim speed; the status line says
  "behind" below 90 %).
- `--pair LAB:PAIR` instead: the same two measurements with that comparison open (both
  sides stepped in lock-step, their charts drawn): frames at 120x40 (goal p95 <= 33 ms) and
  keys live (goal p95 <= 50 ms). The heaviest pairs: rstdp:contingent-vs-random (two
  Izhikevich networks, 1000 ms a frame) and ei:inhibition (the most chart cells).
- launch and quit (a real `hebblab tui` in tmux; needs tmux): spawn to the first pane with
  charts and the status line, and `q` (after two seconds of running) to the process gone,
  each for the chapter view and for the load. Goals: launch <= 1 s, quit <= 100 ms past
  the process's own interpreter shutdown (reported as measured).
- bandwidth (a real `hebblab tui chapter` in a pseudo-terminal at 120x40, the default frame
  rate, then `--low-bandwidth`; benchmarks/tui_bandwidth.py): bytes per second written to
  the terminal, what an SSH link or the browser's websocket carries. Goal: < 100 KiB/s.
  `--no-bandwidth` skips it.
Ratios printed are goal / measured (>= 1 meets the goal). The machine may be shared: the
load average is printed with the results.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
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

GOAL_FRAME_MS, GOAL_KEY_MS, GOAL_LAUNCH_S = 33.0, 100.0, 1.0
GOAL_COMPARE_KEY_MS = 50.0  # issue 10: key-to-screen with a comparison running
SIZES = ((120, 40), (80, 24))
DEFAULT_LOAD = "stdp:rate_hz=200,n_inputs=10000"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] if ordered else float("nan")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


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


def send(app, key: str) -> None:
    """A key as the terminal driver hands it over (no waiting, unlike pilot.press)."""
    from textual import events

    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


async def until(check, timeout: float = 10.0) -> float:
    """The time check() first held (polled whenever the event loop is free)."""
    t0 = time.perf_counter()
    while not check():
        if time.perf_counter() - t0 > timeout:
            return float("nan")
        await asyncio.sleep(0.0005)
    return time.perf_counter()


async def next_display(displays: list[float], after: float, timeout: float = 10.0) -> float:
    t0 = time.perf_counter()
    while not (displays and displays[-1] >= after):
        if time.perf_counter() - t0 > timeout:
            return float("nan")
        await asyncio.sleep(0.0005)
    return next(t for t in displays if t >= after)


async def measure_frames(lab: str, size: tuple[int, int], frames: int,
                         pair: str | None = None) -> tuple[list[float], list[float], list[float]]:
    """Per frame: (wall ms to the screen update, process CPU ms, wall ms of the screen's
    own part: from the lab thread's answer to the update) in sync mode (`n`); with `pair`,
    of that comparison (both sides stepped, their charts drawn)."""
    from hebblab.tui.app import HebblabApp

    app = HebblabApp(lab, autoplay=False)
    wall, cpu, screen_ms = [], [], []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if pair:
            from hebblab.tui.compare_mode import open_comparison

            open_comparison(app, lab, pair=pair)
            await pilot.pause()
        screen = app.lab_screen()
        displays = record_displays(app)
        answered: list[float] = []  # when the screen starts drawing the lab thread's answer
        redraw = screen.redraw

        def timed_redraw() -> None:
            answered.append(time.perf_counter())
            redraw()

        screen.redraw = timed_redraw
        for i in range(frames + 5):
            await pilot.pause()
            t0, c0 = time.perf_counter(), time.process_time()
            screen.action_step_frame()  # sync: waits for the lab thread, then hands out the series
            shown = await next_display(displays, t0, timeout=5)
            if i >= 5:  # warm-up frames excluded
                wall.append((shown - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                drawn = [t for t in answered if t >= t0]
                screen_ms.append((shown - drawn[0]) * 1000 if drawn else float("nan"))  # the answer's redraw
    return wall, cpu, screen_ms


def parse_load(text: str) -> tuple[str, dict[str, str]]:
    lab, _, sets = text.partition(":")
    return lab, dict(item.split("=", 1) for item in sets.split(",") if item)


async def measure_live(load: str, size: tuple[int, int], presses: int,
                       pair: str | None = None) -> dict[str, list[float] | float]:
    """Key-to-screen delays (ms) with the lab running live (with `pair`: that comparison,
    the load's values on both sides, keys editing A); and fps and pace."""
    from hebblab.tui.app import HebblabApp

    lab, sets = parse_load(load)
    from hebblab.sim.labs import get_lab

    cls = get_lab(lab)
    overrides = {name: cls.spec(name).parse(value) for name, value in sets.items()}
    app = HebblabApp(lab, overrides=overrides, autoplay=True)
    out: dict[str, list[float] | float] = {"key": [], "key cpu": [], "pause": [], "reset": []}
    async with app.run_test(size=size) as pilot:
        if pair:
            from hebblab.tui.compare_mode import open_comparison

            await pilot.pause()
            open_comparison(app, lab, pair=pair, a=overrides, b=overrides)
            await pilot.pause()
        screen = app.lab_screen()
        displays = record_displays(app)
        await until(lambda: screen.running and all(r.shown.built for r in screen.runners), timeout=60)
        await asyncio.sleep(3.0)  # past the first (slow) steps
        plist = screen.param_panel.param_list
        rows = plist.rows
        live = next(i for i, r in enumerate(rows) if r.spec.live and r.spec.kind in ("float", "int"))
        plist.cursor = live
        runner, name = rows[live].runner, rows[live].spec.name
        start_frames, t_start = len(displays), time.perf_counter()
        for k in range(presses):
            before = runner.value(name)
            t0, c0 = time.perf_counter(), time.thread_time()
            send(app, "right" if k % 2 == 0 else "left")
            changed = await until(lambda: runner.value(name) != before)
            out["key"].append((await next_display(displays, changed) - t0) * 1000)
            out["key cpu"].append((time.thread_time() - c0) * 1000)  # the event loop's own work meanwhile
            await asyncio.sleep(0.1 + 0.05 * (k % 3))  # presses at varied points of the frame cycle
        out["fps keys"] = (len(displays) - start_frames) / (time.perf_counter() - t_start)
        start_frames, t_start = len(displays), time.perf_counter()
        await asyncio.sleep(4.0)  # no input: the lab runs flat out
        out["fps"] = (len(displays) - start_frames) / (time.perf_counter() - t_start)
        out["pace"] = screen.sim.pace if screen.sim.pace is not None else float("nan")
        out["status"] = str(screen.status.render())
        for k in range(max(3, presses // 3)):
            for key, wanted in (("space", False), ("space", True)):
                t0 = time.perf_counter()
                send(app, key)
                changed = await until(lambda: screen.running is wanted)
                if not wanted:
                    out["pause"].append((await next_display(displays, changed) - t0) * 1000)
                await asyncio.sleep(0.2)
            t0 = time.perf_counter()
            send(app, "r")
            changed = await until(lambda: runner.shown.t_ms == 0.0)
            out["reset"].append((await next_display(displays, changed) - t0) * 1000)
            await asyncio.sleep(0.5)
    return out


def hebblab_shell_command(args: list[str]) -> str:
    script = Path(sys.executable).with_name("hebblab")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "hebblab"]
    return shlex.join(head + args)


def measure_process(args: list[str], size: tuple[int, int], repeats: int) -> tuple[list[float], list[float]]:
    """Seconds from spawning `hebblab tui ...` in tmux to a pane with charts and status,
    and from `q` (after 2 s of running) to the process gone."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return [], []
    socket = f"hebblab-bench-{os.getpid()}-{time.monotonic_ns()}"
    cmd = hebblab_shell_command(["tui", *args]) + "; echo HEBBLAB-EXIT=$?; sleep 30"
    launch, quit_s = [], []
    # A keep-alive session: the server must not exit (and race the next spawn) between runs.
    subprocess.run([tmux, "-L", socket, "new-session", "-d", "-s", "keepalive", "sleep 3600"], check=True)

    def pane(name: str) -> str:
        return subprocess.run([tmux, "-L", socket, "capture-pane", "-p", "-t", name],
                              capture_output=True, text=True).stdout

    try:
        for i in range(repeats):
            name = f"run{i}"
            t0 = time.perf_counter()
            subprocess.run([tmux, "-L", socket, "new-session", "-d", "-s", name, "-x", str(size[0]),
                            "-y", str(size[1]), cmd], check=True, env={**os.environ, "TERM": "xterm-256color"})
            while time.perf_counter() - t0 < 30:
                text = pane(name)
                if "running" in text and ("┤" in text or "▀" in text or "█" in text):
                    launch.append(time.perf_counter() - t0)
                    break
                time.sleep(0.01)
            time.sleep(2.0)
            t_q = time.perf_counter()
            subprocess.run([tmux, "-L", socket, "send-keys", "-t", name, "q"], capture_output=True)
            while time.perf_counter() - t_q < 60:
                if "HEBBLAB-EXIT=" in pane(name):
                    quit_s.append(time.perf_counter() - t_q)
                    break
                time.sleep(0.005)
            subprocess.run([tmux, "-L", socket, "kill-session", "-t", name], capture_output=True)
    finally:
        subprocess.run([tmux, "-L", socket, "kill-server"], capture_output=True)
    return launch, quit_s


def print_live(live: dict, goal_ms: float, ratio) -> None:
    """The live measurements of one run (a lab under load, or a comparison)."""
    for what in ("key", "pause", "reset"):
        values = live[what]
        print(f"  {what:6} n={len(values):3}  median {median(values):7.1f} ms  p95 {p95(values):7.1f} ms  "
              f"ratio {ratio(goal_ms, p95(values))}")
    print(f"  key: event-loop CPU from the key to its screen update (what an idle machine would wait, "
          f"less the update timer): median {median(live['key cpu']):.1f} ms, p95 {p95(live['key cpu']):.1f} ms")
    print(f"  redraws {live['fps keys']:.1f} /s while keys were pressed, {live['fps']:.1f} /s without; the labs keep "
          f"{live['pace']:.0%} of the set sim speed")
    print(f"  status line: {live['status'].strip()}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--labs", default=None, help="comma-separated (default: chapter + every lab)")
    parser.add_argument("--load", default=DEFAULT_LOAD, help=f"LAB:NAME=VALUE,... (default {DEFAULT_LOAD})")
    parser.add_argument("--no-frames", action="store_true", help="only the live keys and launch/quit")
    parser.add_argument("--no-launch", action="store_true")
    parser.add_argument("--no-bandwidth", action="store_true")
    parser.add_argument("--pair", default=None, metavar="LAB:PAIR",
                        help="measure a comparison: frames of LAB's pair PAIR at 120x40, then keys with it live "
                             "(the --load values on both sides; goal key p95 <= 50 ms)")
    args = parser.parse_args(argv)

    from hebblab.sim.labs import all_labs

    def ratio(goal: float, value: float) -> str:
        return f"{goal / value:.2f}" if value == value and value > 0 else "n/a"

    if args.pair:
        lab, _, pair = args.pair.partition(":")
        wall, cpu, drawn = asyncio.run(measure_frames(lab, (120, 40), args.frames, pair=pair))
        print(f"comparison {lab} {pair} frames (sync, 120x40): wall median {median(wall):.1f} ms, p95 {p95(wall):.1f} ms "
              f"(ratio {ratio(GOAL_FRAME_MS, p95(wall))}); cpu median {median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms; "
              f"of it the screen (charts, compositing; the rest is the labs' steps): median {median(drawn):.1f} ms, "
              f"p95 {p95(drawn):.1f} ms", flush=True)
        live = asyncio.run(measure_live(lab + ":" + args.load.partition(":")[2] if args.load.startswith(lab + ":")
                                        else lab, (120, 40), args.keys, pair=pair))
        print_live(live, GOAL_COMPARE_KEY_MS, ratio)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"load average during the run: {load:.1f} (a shared machine inflates wall times)")
        return 0

    if not args.no_frames:
        labs = args.labs.split(",") if args.labs else ["chapter", *all_labs()]
        print(f"frames (sync, headless); goal p95 <= {GOAL_FRAME_MS:g} ms at 120x40; ratio = goal / measured")
        print(f"{'lab':10} {'size':7} {'wall med':>9} {'p95':>8} {'ratio':>6} {'cpu med':>8} {'p95':>8} "
              f"{'screen med':>10} {'p95':>8}   (screen: charts and compositing, without the lab's steps)")
        for lab in labs:
            for size in SIZES:
                wall, cpu, drawn = asyncio.run(measure_frames(lab, size, args.frames))
                print(f"{lab:10} {size[0]}x{size[1]:<4} {median(wall):7.1f}ms {p95(wall):6.1f}ms "
                      f"{ratio(GOAL_FRAME_MS, p95(wall)):>6} {median(cpu):6.1f}ms {p95(cpu):6.1f}ms "
                      f"{median(drawn):8.1f}ms {p95(drawn):6.1f}ms", flush=True)

    lab, sets = parse_load(args.load)
    print(f"\nkeys under load: hebblab tui {lab} " + " ".join(f"--set {k}={v}" for k, v in sets.items())
          + f" (live, 120x40); goal p95 <= {GOAL_KEY_MS:g} ms")
    live = asyncio.run(measure_live(args.load, (120, 40), args.keys))
    print_live(live, GOAL_KEY_MS, ratio)

    if not args.no_launch:
        extra = [f"--set={k}={v}" for k, v in sets.items()]
        for label, tui_args in (("chapter", []), (lab + " (load)", [lab, *extra])):
            launch, quit_s = measure_process(tui_args, (120, 40), 3)
            print(f"launch {label}: median {median(launch):.2f} s (ratio {ratio(GOAL_LAUNCH_S, median(launch))}); "
                  f"q to exit: median {median(quit_s) * 1000:.0f} ms, max {max(quit_s, default=float('nan')) * 1000:.0f} ms")
    if not args.no_bandwidth:
        from benchmarks.tui_bandwidth import GOAL_KIB_S, measure as measure_bandwidth

        for flags in ([], ["--low-bandwidth"]):
            bw = measure_bandwidth("chapter", (120, 40), extra=flags)
            print(f"bandwidth chapter 120x40 {' '.join(flags) or 'default fps'}: {bw['kib_s']:.1f} KiB/s "
                  f"(goal < {GOAL_KIB_S:g}, ratio {ratio(GOAL_KIB_S, bw['kib_s'])})", flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average during the run: {load:.1f} (a shared machine inflates wall times)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
