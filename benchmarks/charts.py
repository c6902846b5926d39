"""Chart cost: plotext against hebblab's own renderer, and what it means for a frame.

    python benchmarks/charts.py [--repeat N] [--plotext6-python PATH] [--labs lif,ei]

1. One line chart at 120x40, its data reduced to two points per column (240 points) and
   unreduced (3000 points): plotext 5.3.2 (installed; the TUI would draw it through
   textual-plotext) build time plus the conversion of its ANSI text to Rich text; plotext 6.1
   when --plotext6-python names an interpreter that has it (a throwaway venv:
   `python -m venv /tmp/p61 && /tmp/p61/bin/pip install 'plotext==6.1.*' rich numpy`);
   hebblab's renderer (hebblab/chart_render.py: reduction, rasterising) plus the conversion
   of its rows to Rich segments, as the TUI's chart widget does.
2. Per lab at 120x40 (the TUI laid out headless): the charts on screen, the renderer's cost
   for each at its real size and data, and the estimate with plotext instead
   (charts x plotext's reduced-data cost). Goal: frame p95 <= 33 ms (benchmarks/tui.py
   measures whole frames: sim step, charts, layout, compositing).
Times are CPU time of the measuring thread (time.thread_time), median and p95 over --repeat
runs (ms): the machine is shared, and wall time there measures the other jobs. Prints; never
asserts. About a minute at the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np  # noqa: E402

WIDTH, HEIGHT = 120, 40
GOAL_FRAME_MS = 33.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def membrane(n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """A LIF-like trace: exponential charging, spikes to +20 mV, noise (deterministic)."""
    t = np.arange(n) * 0.1
    v = -70 + 25 * (1 - np.exp(-(t % 52.7) / 10)) + np.random.default_rng(0).normal(0, 0.5, n)
    v[(t % 52.7) < 0.1] = 20.0
    return t, v


def reduced(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from hebblab.reduce import minmax_decimate

    return minmax_decimate(x, y, 2 * WIDTH)


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm-up (imports, caches)
    out = []
    for _ in range(repeat):
        t0 = time.thread_time()
        fn()
        out.append((time.thread_time() - t0) * 1000)
    return out


# -- plotext -----------------------------------------------------------------------------------
def plotext_costs(x, y, repeat: int) -> dict[str, list[float]]:
    """plotext 5.x (the API textual-plotext wraps): build, then ANSI -> Rich text."""
    import plotext as plt
    from rich.text import Text

    def build() -> str:
        plt.clear_figure()
        plt.plotsize(WIDTH, HEIGHT)
        plt.title("Membrane potential (cell 0)")
        plt.plot(x.tolist(), y.tolist(), marker="braille", label="V")
        plt.horizontal_line(-50.0)
        return plt.build()

    text = build()
    return {"build": timed(build, repeat), "to_rich": timed(lambda: Text.from_ansi(text), repeat)}


def plotext6_costs(x, y, repeat: int) -> dict[str, list[float]]:
    """plotext 6.x (a new API: figure.signal / draw / build): same chart."""
    import plotext as plt
    from rich.text import Text

    fig = plt.figure

    def build() -> str:
        fig.clear()
        fig.plot_size(WIDTH, HEIGHT)
        fig.title("Membrane potential (cell 0)")
        signal = fig.signal(x.tolist(), y.tolist(), marker="braille")
        signal.lines()
        signal.label("V")
        fig.draw(signal)
        return fig.build().string()

    text = build()
    return {"build": timed(build, repeat), "to_rich": timed(lambda: Text.from_ansi(text), repeat)}


def plotext6_in(python: str, repeat: int) -> dict[str, dict[str, list[float]]] | str:
    proc = subprocess.run([python, __file__, "--worker-plotext6", "--repeat", str(repeat)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or ["failed"])[-1]
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- hebblab's renderer --------------------------------------------------------------------------
def own_costs(x, y, repeat: int) -> dict[str, list[float]]:
    from rich.segment import Segment
    from rich.style import Style

    from hebblab.chart_render import render_series
    from hebblab.sim.series import Series, SeriesSpec

    spec = SeriesSpec("membrane", "trace", "Membrane potential (cell 0)", "time (ms)", "V (mV)")
    series = Series(spec, y=y, x=x, labels=("V",), hlines={"threshold": -50.0})
    rows = render_series(series, WIDTH, HEIGHT).rows
    styles: dict = {}

    def style(ink) -> Style:
        if ink not in styles:
            styles[ink] = Style(color=None if isinstance(ink.fg, int) else ink.fg, bold=ink.bold, dim=ink.dim)
        return styles[ink]

    def to_rich() -> None:  # what the TUI widget does with the rows (styles cached per chart)
        for row in rows:
            [Segment(text, style(ink)) for text, ink in row]

    return {"build": timed(lambda: render_series(series, WIDTH, HEIGHT), repeat), "to_rich": timed(to_rich, repeat)}


async def lab_charts(lab: str, repeat: int) -> tuple[int, list[float]]:
    """Charts on screen at 120x40 and, per frame, the renderer's cost for all of them."""
    from hebblab.chart_render import render_series
    from hebblab.tui.app import HebblabApp
    from hebblab.tui.screens.lab_screen import ChartDeck

    app = HebblabApp(lab, seed=1, autoplay=False)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        for _ in range(10):
            await pilot.press("n")
        deck = app.screen.query_one(ChartDeck)
        for _ in range(200):  # the frames may be computed off the event loop: wait for their data
            await pilot.pause(0.01)
            if all(w.series is not None for _, _, w in deck.visible()):
                break
        charts = [(w.series, w.size.width, w.size.height) for _, _, w in deck.visible() if w.series is not None]

    def frame() -> None:
        for s, w, h in charts:
            render_series(s, w, h)

    return len(charts), timed(frame, repeat)


def summary(name: str, costs: dict[str, list[float]]) -> tuple[str, float]:
    total = [a + b for a, b in zip(costs["build"], costs["to_rich"])]
    line = (f"  {name:34} build {statistics.median(costs['build']):6.2f} ms (p95 {p95(costs['build']):6.2f})"
            f" + to Rich {statistics.median(costs['to_rich']):5.2f} ms = {statistics.median(total):6.2f} ms"
            f" (p95 {p95(total):6.2f})")
    return line, statistics.median(total)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plotext6-python", default=None, help="an interpreter with plotext 6.1 installed")
    parser.add_argument("--labs", default=None, help="comma-separated (default: chapter + every lab)")
    parser.add_argument("--worker-plotext6", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    x, y = membrane()
    rx, ry = reduced(x, y)
    if args.worker_plotext6:
        print(json.dumps({"reduced": plotext6_costs(rx, ry, args.repeat), "full": plotext6_costs(x, y, args.repeat)}))
        return 0

    print(f"one line chart at {WIDTH}x{HEIGHT}, median of {args.repeat} (ms); reduced = {rx.size} points "
          f"(two per column), unreduced = {x.size}")
    per_chart = {}
    for label, (cx, cy) in (("reduced", (rx, ry)), ("unreduced", (x, y))):
        print(f"{label}:")
        try:
            import plotext
        except ImportError:  # no longer a dependency: `pip install plotext==5.3.2` to compare
            print("  plotext 5: not installed (pip install 'plotext==5.3.2')")
        else:
            line, per_chart[f"plotext5 {label}"] = summary(f"plotext {plotext.__version__}",
                                                           plotext_costs(cx, cy, args.repeat))
            print(line)
        if args.plotext6_python:
            six = plotext6_in(args.plotext6_python, args.repeat)
            if isinstance(six, str):
                print(f"  plotext 6.1: not measured ({six})")
            else:
                line, per_chart[f"plotext6 {label}"] = summary("plotext 6.1", six["reduced" if label == "reduced" else "full"])
                print(line)
        line, per_chart[f"own {label}"] = summary("hebblab renderer (chart_render)", own_costs(cx, cy, args.repeat))
        print(line)

    from hebblab.sim.labs import all_labs

    labs = args.labs.split(",") if args.labs else ["chapter", *all_labs()]
    plotext_chart = per_chart.get("plotext5 reduced", per_chart.get("plotext6 reduced", float("nan")))
    print(f"\nper lab at {WIDTH}x{HEIGHT}: charts on screen; the renderer's cost for all of them per frame "
          f"(median, p95); with plotext instead: charts x {plotext_chart:.1f} ms (its reduced-data cost)")
    most, slowest = ("", 0), ("", 0.0)
    for lab in labs:
        n, costs = asyncio.run(lab_charts(lab, args.repeat))
        med, high = statistics.median(costs), p95(costs)
        print(f"  {lab:10} {n} charts: renderer {med:6.2f} ms (p95 {high:6.2f}); plotext ~{n * plotext_chart:5.1f} ms")
        most = max(most, (lab, n), key=lambda t: t[1])
        slowest = max(slowest, (lab, high), key=lambda t: t[1])
    print(f"most charts: {most[0]} ({most[1]}): with plotext ~{most[1] * plotext_chart:.1f} ms of charts alone per "
          f"frame, against the {GOAL_FRAME_MS:g} ms goal for the whole frame; slowest with the renderer: "
          f"{slowest[0]} {slowest[1]:.1f} ms (p95). benchmarks/tui.py measures whole frames and key-to-screen delays.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
