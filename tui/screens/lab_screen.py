"""The live lab screen: parameter panel, charts, notes, status line, footer; the frame loop.

Generic over labs: it shows one or more `Pane`s (a runner plus which of its series to
chart, all by default), so a single lab and the chapter view (lif beside hebb) are the
same screen. The frame loop is a timer at the redraw rate (`fps`); each tick advances
every runner by its sim speed (bio ms per frame) and hands only changed series to the
visible charts. The timer is paused while the sim is paused, and a tick does nothing
while another screen (help, a picker) covers this one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from hebblab.sim.params import ParamError
from hebblab.tui.runner import Runner
from hebblab.tui.widgets.charts import make_chart
from hebblab.tui.widgets.param_panel import ParamList, ParamPanel
from hebblab.tui.widgets.status import NotesLine, ReadoutsLine, StatusLine

MIN_CHART_W = 38  # a chart narrower/shorter than this is unreadable: page instead
MIN_CHART_H = 9
SIDE_MIN_W = 26  # the chapter's heat-map strip: a 2x2 matrix's values and the colour legend
SIDE_MAX_W = 40
SIDE_TRACE_MIN_W = 48  # narrower than this beside the strip, the chapter pair stacks


@dataclass
class Pane:
    runner: Runner
    series: tuple[str, ...] | None = None  # names to chart; None = all the lab declares

    def names(self) -> tuple[str, ...]:
        declared = tuple(s.name for s in self.runner.lab.series_specs)
        return declared if self.series is None else tuple(n for n in self.series if n in declared)


class ChartDeck(Container):
    """The chart area: a grid of as many charts as fit; `c` pages through the rest."""

    DEFAULT_CSS = """
    ChartDeck { layout: grid; grid-size: 1 1; grid-gutter: 0 1; }
    """

    def __init__(self, charts: list[tuple[int, str, Widget]], side_by_side: bool = False,
                 min_height: int = MIN_CHART_H, **kwargs):
        super().__init__(**kwargs)
        self.charts = charts  # (pane index, series name, widget)
        self.side_by_side = side_by_side  # the chapter view: charts beside each other when wide enough
        self.min_height = min_height
        self.page = 0
        self.per_page = max(1, len(charts))

    def compose(self) -> ComposeResult:
        for _, _, widget in self.charts:
            yield widget

    def on_resize(self) -> None:
        self.layout_pages()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.charts) // self.per_page))

    def layout_pages(self) -> None:
        width, height = self.size
        n = len(self.charts)
        if n == 0 or width == 0:
            return
        cols_fit = max(1, width // MIN_CHART_W)
        rows_fit = max(1, height // self.min_height)
        self.per_page = min(n, cols_fit * rows_fit)
        cols = min(cols_fit, self.per_page)
        rows = -(-self.per_page // cols)
        # Prefer stacking when a 2-column layout would leave charts much taller than wide.
        if not self.side_by_side and cols > 1 and rows < rows_fit and width / cols < 2.2 * height / rows:
            cols = max(1, -(-self.per_page // rows_fit))
            rows = -(-self.per_page // cols)
        columns, grid_rows = "1fr", "1fr"
        if self.side_by_side and n == 2:
            # The chapter pair: the time trace gets the width, the small matrix a fixed strip
            # wide enough for its values and legend; stacked (trace on top, taller) when the
            # strip would squeeze the trace below a readable width.
            side = min(SIDE_MAX_W, max(SIDE_MIN_W, width // 3))
            if width - side - 1 >= SIDE_TRACE_MIN_W:
                self.per_page, cols, rows, columns = 2, 2, 1, f"1fr {side}"
            elif height >= 2 * self.min_height:
                self.per_page, cols, rows, grid_rows = 2, 1, 2, "3fr 2fr"
            else:
                self.per_page, cols, rows = 1, 1, 1
        self.page %= self.pages
        self.styles.grid_size_columns = cols
        self.styles.grid_size_rows = rows
        self.styles.grid_columns = columns
        self.styles.grid_rows = grid_rows
        shown = range(self.page * self.per_page, (self.page + 1) * self.per_page)
        on_page = [i for i in shown if i < n]
        # Fill the grid: the page's first chart (a lab's main one) spans the spare cells.
        spare = cols * rows - len(on_page)
        for i, (_, _, widget) in enumerate(self.charts):
            widget.display = i in shown
            widget.styles.column_span = 1 + spare if (i == on_page[0] and spare < cols) else 1

    def next_page(self) -> None:
        self.page = (self.page + 1) % self.pages
        self.layout_pages()

    def visible(self) -> list[tuple[int, str, Widget]]:
        return [c for c in self.charts if c[2].display]


class LabScreen(Screen):
    """One or more labs, live."""

    BINDINGS = [
        Binding("space", "toggle_run", "Run/Pause", id="lab.run", key_display="space",
                tooltip="Start or pause the simulation"),
        Binding("n", "step_frame", "Step", id="lab.step",
                tooltip="Advance exactly one frame (pauses if running)"),
        Binding("r", "reset", "Reset", id="lab.reset",
                tooltip="Restart at t=0 and apply parameters that need a reset"),
        Binding("plus,equals_sign", "faster", "Faster", id="lab.faster", key_display="+",
                tooltip="More biological time per frame (sim speed up)"),
        Binding("minus", "slower", "Slower", id="lab.slower", key_display="-", show=False,
                tooltip="Less biological time per frame (sim speed down)"),
        Binding("p", "pick_preset", "Presets", id="lab.presets",
                tooltip="Choose a preset for the lab of the selected parameter"),
        Binding("e", "export", "Export", id="lab.export", show=False,
                tooltip="Write the run's files (experiment.toml, metrics.json, series) like `hebblab run --out`"),
        Binding("f", "freeze", "Freeze", id="lab.freeze",
                tooltip="Freeze or unfreeze plasticity (labs with a `freeze` parameter)"),
        Binding("c", "next_charts", "More charts", id="lab.charts",
                tooltip="Show the next page of charts when not all fit"),
        Binding("i", "info", "Info", id="lab.info",
                tooltip="The lab's full notes, its preset's description and every readout with its meaning"),
    ]

    def __init__(self, panes: list[Pane], title: str, fps: float = 20.0, autoplay: bool = True,
                 name: str | None = None, extra_help: str = "", side_by_side: bool = False):
        super().__init__(name=name)
        self.panes = panes
        self.runners = [p.runner for p in panes]
        self.lab_title = title
        self.fps = fps
        self.autoplay = autoplay
        self.running = False
        self.extra_help = extra_help
        self.side_by_side = side_by_side
        self._measured_fps = 0.0
        self._fps_window: list[float] = []
        self.last_frame_ms = 0.0
        self._notes_text = None
        self._input_seen = False
        if len(self.runners) > 1:  # side-by-side labs advance the same biological time
            for r in self.runners[1:]:
                r.ms_per_frame = self.runners[0].ms_per_frame
        self.charts = [(i, name, make_chart(p.runner.lab.series_spec(name)))
                       for i, p in enumerate(panes) for name in p.names()]

    # -- building -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield ParamPanel(self.runners, id="param-panel")
            yield self.make_deck()
        yield ReadoutsLine(id="readouts", classes="-multi" if len(self.runners) > 1 else "")
        yield from self.note_strips()
        yield StatusLine(id="status")
        yield Footer(compact=True)  # every key in one line at 120 columns

    def note_strips(self) -> ComposeResult:
        """The strips between readouts and status (the chapter view adds its preset note)."""
        yield NotesLine(id="notes")

    def make_deck(self) -> ChartDeck:
        few = len(self.charts) <= 2
        return ChartDeck(self.charts, side_by_side=self.side_by_side,
                         min_height=7 if few else MIN_CHART_H, id="charts")

    def on_mount(self) -> None:
        self.sub_title = self.lab_title
        self.timer = self.set_interval(1 / self.fps, self._tick, pause=True)
        self.query_one(ParamList).focus()
        self.redraw(force=True)
        if self.autoplay:
            self.call_after_refresh(self.set_running, True)

    # -- frame loop ---------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        if running and any(r.lab.diverged for r in self.runners):
            self.notify("The run diverged: change the parameter named in the note, then reset (r).",
                        severity="warning")
            running = False
        self.running = running
        if running:
            self.timer.resume()
        else:
            self.timer.pause()
        self._fps_window.clear()
        self.update_status()

    def _tick(self) -> None:
        if not self.running or self.app.screen is not self:
            return
        if self._input_seen:  # a key was just handled: let its screen update out first
            self._input_seen = False
            return
        self.advance_frame()

    def advance_frame(self) -> None:
        """Step every runner one frame and hand changed data to the charts."""
        start = time.perf_counter()
        for r in self.runners:
            try:
                r.frame()
            except Exception as err:  # a lab bug: stop and say so, keep the terminal usable
                self.set_running(False)
                self.notify(f"{type(err).__name__}: {err}", title=f"{r.lab.name} failed: paused",
                            severity="error", timeout=15)
                return
        self.redraw()
        now = time.perf_counter()
        self.last_frame_ms = (now - start) * 1000
        self._fps_window = [t for t in self._fps_window if now - t < 1.0] + [now]
        self._measured_fps = len(self._fps_window) - 1 if len(self._fps_window) > 1 else 0.0
        diverged = [r.lab for r in self.runners if r.lab.diverged]
        if diverged and self.running:
            self.set_running(False)
            for lab in diverged:
                self.notify(lab.diverged, title=f"{lab.name} diverged: paused", severity="error", timeout=10)

    def redraw(self, force: bool = False) -> None:
        deck = self.query_one(ChartDeck)
        if force:
            for r in self.runners:
                r.forget_drawn()
        wanted: dict[int, set[str]] = {}
        for i, name, _ in deck.visible():
            wanted.setdefault(i, set()).add(name)
        widgets = {(i, name): w for i, name, w in self.charts}
        for i, names in wanted.items():
            for name, series in self.runners[i].changed_series(names).items():
                widgets[(i, name)].show_series(series)
        self.update_status()
        self.query_one(ReadoutsLine).show(self.runners)
        self.update_notes()

    def update_status(self) -> None:
        self.query_one(StatusLine).show(self.runners, self.running, self._measured_fps)

    def update_notes(self) -> None:
        notes = [n for r in self.runners for n in r.lab.notes()]
        if notes != self._notes_text:
            self._notes_text = notes
            self.query_one(NotesLine).show(self.runners)

    # -- events ---------------------------------------------------------------------------
    def on_param_list_moved(self, _event: ParamList.Moved) -> None:
        self._input_seen = True

    def on_param_list_changed(self, event: ParamList.Changed) -> None:
        self._input_seen = True
        if not event.live:
            self.notify(f"{event.name} applies on reset: press r", timeout=3)
        if self.running:
            self.update_status()  # the next frame redraws the charts: keep the key path short
        else:
            self.redraw()

    def on_resize(self) -> None:
        self.call_after_refresh(self._after_resize)

    def _after_resize(self) -> None:
        self._notes_text = None  # the notes re-wrap to the new width
        self.query_one(ChartDeck).layout_pages()
        self.redraw(force=True)

    # -- actions ----------------------------------------------------------------------------
    def action_toggle_run(self) -> None:
        self.set_running(not self.running)

    def action_step_frame(self) -> None:
        if self.running:
            self.set_running(False)
        if any(r.lab.diverged for r in self.runners):
            self.notify("Diverged: reset (r) after changing the parameter named in the note.", severity="warning")
            return
        self.advance_frame()

    def action_reset(self) -> None:
        for r in self.runners:
            r.reset()
        self.redraw(force=True)

    def action_faster(self) -> None:
        for r in self.runners:
            r.faster()
        self.update_status()

    def action_slower(self) -> None:
        for r in self.runners:
            r.slower()
        self.update_status()

    def action_info(self) -> None:
        from hebblab.tui.screens.info import InfoScreen

        self.app.push_screen(InfoScreen(self.runners))

    def action_next_charts(self) -> None:
        self.query_one(ChartDeck).next_page()
        self.redraw(force=True)

    def selected_runner(self) -> Runner:
        row = self.query_one(ParamList).current
        return row.runner if row is not None else self.runners[0]

    def action_pick_preset(self) -> None:
        from hebblab.tui.screens.pickers import PresetPicker

        runner = self.selected_runner()

        def chosen(name: str | None) -> None:
            if name:
                self.load_preset(runner, name)

        self.app.push_screen(PresetPicker(runner.lab), chosen)

    def load_preset(self, runner: Runner, name: str) -> None:
        try:
            runner.load_preset(name)
        except ParamError as err:
            self.notify(str(err), severity="error")
            return
        self.query_one(ParamPanel).refresh_help()
        self.redraw(force=True)
        self.notify(runner.lab.preset(name).description, title=f"{runner.lab.name}: preset {name}", timeout=8)

    def has_freeze(self) -> bool:
        return any(any(s.name == "freeze" for s in r.lab.specs) for r in self.runners)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "freeze" and not self.has_freeze():
            return False  # hidden: this lab has nothing to freeze
        if action == "next_charts":
            deck = self.query(ChartDeck)
            return False if not deck or deck.first().pages <= 1 else True
        return True

    def action_freeze(self) -> None:
        for r in self.runners:
            if any(s.name == "freeze" for s in r.lab.specs):
                r.set_param("freeze", not r.lab.value("freeze"))
                state = "frozen" if r.lab.value("freeze") else "plastic again"
                self.notify(f"{r.lab.name}: weights {state}", timeout=3)
        self.query_one(ParamPanel).refresh_help()
        self.redraw()

    def action_export(self) -> None:
        from hebblab.runfiles import write_run

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = Path(getattr(self.app, "export_dir", "hebblab-runs"))
        written = []
        try:
            for r in self.runners:
                out = base / f"{r.lab.name}-{stamp}"
                n = 1
                while out.exists():
                    n += 1
                    out = base / f"{r.lab.name}-{stamp}-{n}"
                note = "parameters changed during the run; replay uses the final values" if r.edited else None
                write_run(r.lab, out, note=note)
                written.append(str(out))
        except (OSError, ParamError, Exception) as err:  # never crash the live view on a disk error
            self.notify(f"export failed: {err}", severity="error", timeout=8)
            return
        self.notify("\n".join(written), title="Exported run", timeout=8)
