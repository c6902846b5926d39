"""The comparison screen: two runs of one lab, A and B, on identical input, in lock-step.

A `LabScreen` whose two runners are the sides; its lab thread steps them together
(`lockstep`), so both are always at the same time. Charts follow hebblab/compare_view.py:
traces and curves are one chart with A and B overlaid (two colours, named in the legend);
heat-maps, histograms, rasters and the rest stand side by side in one cell (A left, B
right), and a weight matrix adds a B - A map beside them. The panel edits A or B (tab
switches), the readouts show A, B and B - A, the status line says "compare" and the pair.
`b` ends the comparison, keeping the side chosen; `B` opens another pair.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget

from hebblab.compare_view import display_pair, pair_specs
from hebblab.sim.params import ParamError
from hebblab.tui.runner import Runner
from hebblab.tui.screens.lab_screen import LabScreen, Pane
from hebblab.tui.widgets.charts import Chart, make_chart
from hebblab.tui.widgets.compare_notes import CompareNotes
from hebblab.tui.widgets.compare_params import CompareParamPanel
from hebblab.tui.widgets.compare_readouts import CompareReadouts
from hebblab.tui.widgets.compare_status import CompareStatusLine

A, B, DIFF = 0, 1, 2  # the deck's "pane index" of a chart: overlay or A, B, B - A
CHART_GAP_S = 0.004  # live: pause between two series' charts, time for a waiting key and a screen update


class PairCell(Horizontal):
    """A and B side by side in one cell of the chart deck."""

    DEFAULT_CSS = """
    PairCell { width: 1fr; height: 1fr; }
    PairCell > Chart { margin: 0 1 0 0; }
    """

    def __init__(self, charts: list[Chart], **kwargs):
        super().__init__(**kwargs)
        self.charts = charts

    def compose(self) -> ComposeResult:
        yield from self.charts


class CompareScreen(LabScreen):
    LOCKSTEP = True

    def __init__(self, a: Runner, b: Runner, pair: str | None = None, fps: float = 20.0,
                 autoplay: bool = True, sync: bool | None = None, name: str | None = None):
        self.pair = pair
        self._charts_of: dict[str, list[Chart]] = {}  # series name -> its charts, in display_pair's order
        self._cells_of: dict[str, list[Widget]] = {}  # series name -> the deck cells holding them
        self._latest: dict[tuple[int, str], object] = {}  # (side, series name) -> latest Series
        self._to_draw: set[str] = set()  # series whose new data is not drawn yet
        self._drawing = False  # a chart-by-chart draw is under way
        cls = a.lab_cls
        title = f"{cls.name}: compare " + (pair or "A with a copy B")
        super().__init__([Pane(a), Pane(b)], title=title, fps=fps, autoplay=autoplay, name=name, sync=sync,
                         extra_help="Comparison: A and B run the same lab on the same input, in lock-step. "
                                    "tab switches the side the parameter keys edit; a parameter marked ≠ "
                                    "differs. b ends the comparison (keep A or B); B opens another pair.")
        self.a, self.b = a, b

    # -- building ------------------------------------------------------------------------
    def make_charts(self) -> list[tuple[int, str, Widget]]:
        out: list[tuple[int, str, Widget]] = []
        cls = self.panes[0].runner.lab_cls
        for name in self.panes[0].names():
            specs = pair_specs(cls.series_spec(name))
            charts = [make_chart(spec) for spec in specs]
            self._charts_of[name] = charts
            if len(charts) == 1:
                out.append((A, name, charts[0]))
                self._cells_of[name] = [charts[0]]
                continue
            cell = PairCell(charts[:2], classes="chart-pair")
            out.append((A, name, cell))
            self._cells_of[name] = [cell, cell]
            if len(charts) == 3:  # B - A in a cell of its own: three maps in one are too narrow
                out.append((DIFF, name, charts[2]))
                self._cells_of[name].append(charts[2])
        return out

    def make_param_panel(self):
        return CompareParamPanel(self.runners[0], self.runners[1], id="param-panel")

    def make_status(self):
        return CompareStatusLine(self.pair, id="status")

    def make_notes(self):
        return CompareNotes(id="notes")

    def make_readouts(self):
        return CompareReadouts(id="readouts", classes="-multi")

    # -- drawing ---------------------------------------------------------------------------
    def wanted_series(self) -> list[set[str]]:
        names = {name for _, name, _ in self.deck.visible()}
        return [set(names), set(names)]  # every chart needs both sides

    def _draw_charts(self) -> None:
        held, self._held_series = self._held_series, {}
        self._latest.update(held)
        self._to_draw.update(name for _, name in held)
        if self.sync:  # tests: every chart at once
            while self._to_draw:
                self.draw_pair(self._to_draw.pop())
            return
        if not self._drawing:
            self._drawing = True
            self._draw_next()

    def _draw_next(self) -> None:
        """Live: one series' charts per turn of the event loop, so a key waits for one
        chart (a few ms), not for all of them (with their compositing, tens of ms); after
        a key the rest wait until the input is answered (`quiet_until`)."""
        import time

        wait = self.sim.quiet_until - time.monotonic()
        if wait > 0:
            self._drawing = False
            if self._flush_timer is None:
                self._flush_timer = self.set_timer(wait, self._flush_charts)
            return
        if not self._to_draw or not self.is_attached:
            self._drawing = False
            return
        self.draw_pair(self._to_draw.pop())
        if self._to_draw:
            self.set_timer(CHART_GAP_S, self._draw_next)
        else:
            self._drawing = False

    def draw_pair(self, name: str) -> None:
        a, b = self._latest.get((A, name)), self._latest.get((B, name))
        charts = self._charts_of.get(name)
        if a is None or b is None or not charts:
            return
        for chart, cell, series in zip(charts, self._cells_of[name], display_pair(a, b)):
            if cell.display:
                chart.show_series(series)

    def differing(self) -> list[str]:
        return self.param_panel.param_list.differing()

    # -- actions ---------------------------------------------------------------------------
    def action_pick_preset(self) -> None:
        from hebblab.tui.screens.pickers import PresetPicker

        runner = self.runners[0]

        def chosen(name: str | None) -> None:
            if name:
                self.load_preset(runner, name)

        self.app.push_screen(PresetPicker(runner.lab_cls, runner.shown.preset_name), chosen)

    def load_preset(self, runner: Runner, name: str) -> None:
        """A preset applies to both sides, whichever `runner` asks (the `p` picker, the
        command palette): A and B stay comparable. One notice for the two, naming both."""
        cls = runner.lab_cls
        try:
            preset = cls.preset(name)  # checked before either side changes: both or neither
        except ParamError as err:
            self.notify(str(err), severity="error")
            return
        for k, r in enumerate(self.runners):
            r.request_preset(name)
            self._told.pop(k, None)  # an error shown for the old settings may be shown again
        self.take_preset_speed(name)  # A and B keep one speed
        self._answered()
        self.notify(preset.description, title=f"{cls.name}: preset {name} on A and B", timeout=8)

    def action_compare(self) -> None:
        from hebblab.tui.compare_mode import end_comparison

        end_comparison(self)

    def action_export(self) -> None:
        """Write the comparison like `hebblab compare --out`: a/ and b/ (ordinary run
        directories) and compare.json, in one new directory."""
        from datetime import datetime
        from pathlib import Path

        from hebblab.runfiles import run_record, write_comparison
        from hebblab.sim.compare import Comparison, diff

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = Path(getattr(self.app, "export_dir", "hebblab-runs"))
        a, b = self.runners
        pair = self.pair

        def write() -> str:  # on the lab thread: metrics and series come from the labs
            comparison = Comparison(a.lab, b.lab)
            out, n = base / f"{a.name}-compare-{stamp}", 1
            while out.exists():
                n += 1
                out = base / f"{a.name}-compare-{stamp}-{n}"
            ra, rb = run_record(a.lab), run_record(b.lab)
            record = {"lab": ra["lab"], "pair": pair, "preset": ra["preset"], "seed": ra["seed"],
                      "duration_ms": ra["duration_ms"],
                      "a": {"params": ra["params"], "metrics": ra["metrics"]},
                      "b": {"params": rb["params"], "metrics": rb["metrics"]},
                      "differs": comparison.differing(), "input_differs": comparison.input_changing(),
                      "diff": diff(ra["metrics"], rb["metrics"])}
            write_comparison(comparison, out, a.lab.t_ms, record)
            return str(out)

        def done(result) -> None:
            if isinstance(result, BaseException):  # never crash the live view on a disk error
                self.notify(f"export failed: {result}", severity="error", timeout=8)
            else:
                self.notify(f"{result} (a/, b/, compare.json; replay: hebblab compare --config)",
                            title="Exported comparison", timeout=8)

        self.sim.submit(write, done)
        self._answered()
