"""The live lab screen: parameter panel, charts, notes, status line, footer.

Generic over labs: it shows one or more `Pane`s (a runner plus which of its series to
chart, all by default), so a single lab and the chapter view (lif beside hebb) are the
same screen. The screen never calls its labs: its `LabThread` steps them (each frame
the runners' sim speed, bio ms per frame, `fps` frames a second) and runs the screen's
requests between steps; the screen draws the views the thread publishes and hands only
changed series to the visible charts. Nothing steps while another screen (help, a
picker) covers this one.

`sync` (the default when autoplay is off, as in tests): every key waits until the lab
thread has done what it asked, so what a test reads after a key is exact.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from hebblab.sim.params import ParamError
from hebblab.tui.lab_thread import LabThread
from hebblab.tui.screens.fresh_resize import FreshResize
from hebblab.tui.runner import Runner
from hebblab.tui.widgets.charts import make_chart
from hebblab.tui.widgets.keybar import KeyBar
from hebblab.tui.widgets.param_panel import ParamList, ParamPanel
from hebblab.tui.widgets.status import NotesLine, ReadoutsLine, StatusLine

UI_BUSY, UI_IDLE = 0.5, 0.25  # share of its time the screen spends drawing: fewer views above, more below
MAX_VIEW_PERIOD_S = 0.5  # the slowest the charts are redrawn while running
SYNC_TIMEOUT_S = 60.0  # sync mode: longest wait for the lab thread (a hung lab must not hang a test forever)
RESIZE_SETTLE_S = 0.05  # live: relayout this long after the last of a burst of resizes
BUSY_SHOWN_S = 0.5  # a lab call running longer than this is shown on the status line
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
        declared = tuple(s.name for s in self.runner.lab_cls.series_specs)
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

    class Relaid(Message):
        """The charts on the page changed (a resize moved some on or off it)."""

    def on_resize(self) -> None:
        if self.layout_pages():
            self.post_message(self.Relaid())

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.charts) // self.per_page))

    def layout_pages(self) -> bool:
        """Lay the page out for the current size; True if other charts are now shown."""
        width, height = self.size
        n = len(self.charts)
        if n == 0 or width == 0:
            return False
        before = [w.display for _, _, w in self.charts]
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
        return [w.display for _, _, w in self.charts] != before

    def next_page(self) -> None:
        self.page = (self.page + 1) % self.pages
        self.layout_pages()

    def visible(self) -> list[tuple[int, str, Widget]]:
        return [c for c in self.charts if c[2].display]


class LabScreen(FreshResize, Screen):
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
        Binding("c", "charts_fit", "More charts", show=False, id="lab.charts_fit",
                tooltip="Every chart is shown: c says so"),
        Binding("m", "maximize_chart", "Maximize", id="lab.maximize",
                tooltip="Fill the screen with the first chart shown; m or esc restores"),
        Binding("i", "info", "Info", id="lab.info",
                tooltip="The lab's full notes, its preset's description and every readout with its meaning"),
        Binding("b", "compare", "Compare", id="lab.compare",
                tooltip="Compare: run a copy (B) beside this lab (A) on the same input; b again keeps one side"),
        Binding("B", "pick_pair", "Pairs", id="lab.pairs", key_display="B",
                tooltip="Open one of the lab's comparison pairs (the chapter's exercises) as A beside B"),
    ]

    class LabsUpdated(Message):
        """The lab thread published new views."""

    def __init__(self, panes: list[Pane], title: str, fps: float = 20.0, autoplay: bool = True,
                 name: str | None = None, extra_help: str = "", side_by_side: bool = False,
                 sync: bool | None = None):
        super().__init__(name=name)
        self.panes = panes
        self.runners = [p.runner for p in panes]
        self.lab_title = title
        self.fps = fps
        self.autoplay = autoplay
        self.sync = not autoplay if sync is None else sync
        self.running = False
        self.extra_help = extra_help
        self.side_by_side = side_by_side
        self._measured_fps = 0.0
        self._fps_window: deque[float] = deque()
        self._notes_text = None
        self._told: dict[int, str] = {}  # errors already shown, per runner
        self._held_series: dict[tuple[int, str], object] = {}  # drawn once input has been answered
        self._flush_timer = None
        self._ui_clock = (time.perf_counter(), time.thread_time())
        self._params_shown: list = []
        self._resize_timer = None
        if len(self.runners) > 1:  # side-by-side labs advance the same biological time
            for r in self.runners[1:]:
                r.ms_per_frame = self.runners[0].ms_per_frame
        self.charts = self.make_charts()
        self._widgets = {(i, name): w for i, name, w in self.charts}
        self.sim = LabThread(self.runners, fps, lockstep=self.LOCKSTEP)
        self.param_panel = self.make_param_panel()
        self.deck = self.make_deck()
        self.status = self.make_status()
        self.readouts = self.make_readouts()
        self.notes = self.make_notes()

    # -- building (a comparison, tui/screens/compare_screen.py, makes its own) ---------------
    LOCKSTEP = False  # the lab thread keeps the runners at the same time (a comparison)

    def make_charts(self) -> list[tuple[int, str, Widget]]:
        return [(i, name, make_chart(p.runner.lab_cls.series_spec(name)))
                for i, p in enumerate(self.panes) for name in p.names()]

    def make_param_panel(self) -> ParamPanel:
        return ParamPanel(self.runners, id="param-panel")

    def make_status(self) -> StatusLine:
        return StatusLine(id="status")

    def make_notes(self) -> NotesLine:
        return NotesLine(id="notes")

    def make_readouts(self) -> Widget:
        return ReadoutsLine(id="readouts", classes="-multi" if len(self.runners) > 1 else "")

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield self.param_panel
            yield self.deck
        yield self.readouts
        yield from self.note_strips()
        yield self.status
        yield KeyBar(compact=True)  # run/pause, quit and help stay at every width

    def note_strips(self) -> ComposeResult:
        """The strips between readouts and status (the chapter view adds its preset note)."""
        yield self.notes

    def make_deck(self) -> ChartDeck:
        few = len(self.charts) <= 2
        return ChartDeck(self.charts, side_by_side=self.side_by_side,
                         min_height=7 if few else MIN_CHART_H, id="charts")

    def on_mount(self) -> None:
        self.sub_title = self.lab_title
        loop = asyncio.get_running_loop()
        self.sim.notify = lambda: loop.call_soon_threadsafe(self._post_update)
        self.sim.start()
        self.set_interval(0.25, self.update_status)  # busy / behind / fps change without frames
        self.param_panel.param_list.focus()
        self._answered()
        if self.autoplay:
            self.call_after_refresh(self.set_running, True)

    def _post_update(self) -> None:  # on the event loop, called from the lab thread
        self.post_message(self.LabsUpdated())

    def on_unmount(self) -> None:
        self.sim.stop()

    def on_screen_suspend(self) -> None:
        self.sim.hold(True)

    def on_screen_resume(self) -> None:
        self.sim.hold(False)

    # -- running ------------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        if running and any(r.shown.diverged for r in self.runners):
            self.notify("The run diverged: change the parameter named in the note, then reset (r).",
                        severity="warning")
            running = False
        self.running = running
        self.sim.set_running(running)
        self._fps_window.clear()
        self._measured_fps = 0.0
        self._answered()

    def _answered(self) -> None:
        """After a request: in sync mode wait for the lab thread and draw its answer; live,
        show what the screen knows now (the thread's view follows)."""
        if self.sync:
            self.sim.settle(SYNC_TIMEOUT_S)
            self.redraw()
        else:
            self.update_status()
            self.param_panel.refresh_help()

    def on_lab_screen_labs_updated(self, message: LabsUpdated) -> None:
        message.stop()  # it is this screen's alone: no need to travel on to the app
        if not self.sync and time.monotonic() < self.sim.quiet_until:
            # Input just now: the screen update answering it goes out first, small, and
            # this view's readouts, status and notes follow in the next one.
            self.call_after_refresh(self.redraw)
        else:
            self.redraw()

    def redraw(self) -> None:
        """Draw what the lab thread published: changed series, status, readouts, notes."""
        views, replies = self.sim.take()
        for i, (runner, view) in enumerate(zip(self.runners, views)):
            if view is not None:
                for name, series in runner.accept(view).items():
                    self._held_series[(i, name)] = series
        self._draw_charts()
        for reply, result in replies:
            reply(result)
        if self.running and any(v is not None for v in views):
            self._pace_views()
            now = time.perf_counter()
            self._fps_window.append(now)
            while self._fps_window and now - self._fps_window[0] > 1.0:
                self._fps_window.popleft()
            self._measured_fps = len(self._fps_window) - 1 if len(self._fps_window) > 1 else 0.0
        self.update_status()
        self.readouts.show(self.runners)
        self.update_notes()
        params = [(r.shown.params, r.shown.pending) for r in self.runners]
        if params != self._params_shown:  # a preset or reset applied: the panel shows the lab's values
            self._params_shown = params
            self.param_panel.refresh_help()
        self._check_trouble()

    def _draw_charts(self) -> None:
        # Live, just after a key the charts wait (the lab does too, `defer`): the screen
        # update answering the key stays small. Sync mode (tests) draws at once.
        wait = 0.0 if self.sync else self.sim.quiet_until - time.monotonic()
        if wait > 0:
            if self._flush_timer is None:
                self._flush_timer = self.set_timer(wait, self._flush_charts)
            return
        held, self._held_series = self._held_series, {}
        for key, series in held.items():
            widget = self._widgets.get(key)
            if widget is not None and widget.display:
                widget.show_series(series)

    def _flush_charts(self) -> None:
        self._flush_timer = None
        self._draw_charts()

    def _pace_views(self) -> None:
        """Ask for fewer views while drawing them takes most of the screen's time (heavy
        charts on a slow machine), so keys still find the event loop free; more again
        when it is idle."""
        wall, cpu = time.perf_counter(), time.thread_time()
        wall0, cpu0 = self._ui_clock
        if wall - wall0 < 1.0:
            return
        self._ui_clock = (wall, cpu)
        busy = (cpu - cpu0) / (wall - wall0)
        period = self.sim.publish_period
        sent = self.app.send_ratio() if hasattr(self.app, "send_ratio") else 0.0  # bytes out / budget
        if busy > UI_BUSY or sent > 1:
            self.sim.publish_period = min(MAX_VIEW_PERIOD_S, period * max(1.5, sent))
        elif busy < UI_IDLE and sent < 0.6:
            self.sim.publish_period = max(self.sim.period, period / 1.5)

    def _check_trouble(self) -> None:
        """Pause on divergence or a lab error, and say so once."""
        for k, r in enumerate(self.runners):
            error = r.shown.error or (self.sim.crashed and f"lab thread: {self.sim.crashed}")
            if error and self._told.get(k) != error:
                self._told[k] = error
                self.notify(error, title=f"{r.name} failed: paused", severity="error", timeout=15)
                if self.running:
                    self.set_running(False)
        diverged = [r for r in self.runners if r.shown.diverged]
        if diverged and self.running:
            self.set_running(False)
            for r in diverged:
                self.notify(r.shown.diverged, title=f"{r.name} diverged: paused", severity="error", timeout=10)

    def update_status(self) -> None:
        busy = self.sim.busy_for()
        self.status.show(self.runners, self.running, self._measured_fps, pace=self.sim.pace,
                         busy_s=busy if busy >= BUSY_SHOWN_S else 0.0,
                         charts=(self.deck.page + 1, self.deck.pages))

    def update_notes(self) -> None:
        notes = [n for r in self.runners for n in r.shown.notes]
        if notes != self._notes_text:
            self._notes_text = notes
            self.notes.show(self.runners, hold=self.running)

    def show_wanted(self) -> None:
        """Tell the lab thread which series the visible charts need, and have it send
        them all again (after a resize or a page change)."""
        for r, names in zip(self.runners, self.wanted_series()):
            r.wanted = frozenset(names)

        def resend() -> None:
            for r in self.runners:
                r.forget_drawn()

        self.sim.submit(resend)
        if self.sync:
            self._answered()

    def wanted_series(self) -> list[set[str]]:
        """Per runner, the series the visible charts draw."""
        wanted: list[set[str]] = [set() for _ in self.runners]
        for i, name, _ in self.deck.visible():
            wanted[i].add(name)
        return wanted

    # -- events ---------------------------------------------------------------------------
    def on_param_list_changed(self, event: ParamList.Changed) -> None:
        if not event.live:
            self.notify(f"{event.name} applies on reset: press r", timeout=3)
        self._answered()

    def on_chart_deck_relaid(self, event: ChartDeck.Relaid) -> None:
        event.stop()
        self.show_wanted()

    def on_resize(self) -> None:
        # A window being dragged resizes many times a second: re-wrap once it settles.
        if self.sync:
            self.call_after_refresh(self._after_resize)
            return
        if self._resize_timer is not None:
            self._resize_timer.stop()
        self._resize_timer = self.set_timer(RESIZE_SETTLE_S, self._after_resize)

    def _after_resize(self) -> None:
        self._resize_timer = None
        if not self.is_attached:  # switched away (another lab) before this ran
            return
        self._notes_text = None  # the notes re-wrap to the new width
        self.update_notes()
        if self.deck.layout_pages():  # the deck's own resize may not have come (same size)
            self.show_wanted()

    # -- actions ----------------------------------------------------------------------------
    def action_toggle_run(self) -> None:
        self.set_running(not self.running)

    def action_step_frame(self) -> None:
        if self.running:
            self.set_running(False)
        if any(r.shown.diverged for r in self.runners):
            self.notify("Diverged: reset (r) after changing the parameter named in the note.", severity="warning")
            return
        self.sim.step_frame()
        self._answered()

    def action_reset(self) -> None:
        for r in self.runners:
            r.request_reset()
        self._told.clear()
        self._answered()

    def action_faster(self) -> None:
        self.sim.change_speed(lambda: [r.faster() for r in self.runners])
        self.update_status()

    def action_slower(self) -> None:
        self.sim.change_speed(lambda: [r.slower() for r in self.runners])
        self.update_status()

    def action_info(self) -> None:
        from hebblab.tui.screens.info import InfoScreen

        self.app.push_screen(InfoScreen(self.runners))

    def action_next_charts(self) -> None:
        self.deck.next_page()
        self.show_wanted()
        self.update_status()  # its "charts k/n"

    def action_charts_fit(self) -> None:
        self.notify("all charts shown", timeout=2)

    def action_maximize_chart(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        shown = [w for _, _, w in self.deck.visible()]
        if shown:
            # Screen.maximize only takes focusable widgets: a chart is set directly.
            self.maximized = next((w for w in shown if w.has_focus), shown[0])

    def selected_runner(self) -> Runner:
        row = self.param_panel.param_list.current
        return row.runner if row is not None else self.runners[0]

    def action_pick_preset(self) -> None:
        from hebblab.tui.screens.pickers import PresetPicker

        runner = self.selected_runner()

        def chosen(name: str | None) -> None:
            if name:
                self.load_preset(runner, name)

        self.app.push_screen(PresetPicker(runner.lab_cls, runner.shown.preset_name), chosen)

    def load_preset(self, runner: Runner, name: str) -> None:
        try:
            runner.request_preset(name)
        except ParamError as err:
            self.notify(str(err), severity="error")
            return
        self._told.pop(self.runners.index(runner), None)
        if len(self.runners) == 1:  # side-by-side labs keep the speed they share
            self.take_preset_speed(name)
        self._answered()
        self.notify(runner.lab_cls.preset(name).description, title=f"{runner.name}: preset {name}", timeout=8)

    def take_preset_speed(self, name: str) -> None:
        """Every runner takes preset `name`'s own speed, unless the user chose one with +/-."""
        if any(r.speed_chosen for r in self.runners):
            return
        speed = self.runners[0].preset_speed(name)
        self.sim.change_speed(lambda: [setattr(r, "ms_per_frame", speed) for r in self.runners])

    def has_freeze(self) -> bool:
        return any(any(s.name == "freeze" for s in r.specs) for r in self.runners)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "freeze" and not self.has_freeze():
            return False  # hidden: this lab has nothing to freeze
        if action == "pick_pair" and not any(r.lab_cls.pairs for r in self.runners):
            return False  # hidden: no pairs to choose from
        if action == "next_charts":
            return self.deck.pages > 1
        if action == "charts_fit":
            return self.deck.pages == 1
        return True

    def action_freeze(self) -> None:
        for r in self.runners:
            if any(s.name == "freeze" for s in r.specs):
                r.request_param("freeze", not r.value("freeze"))
                state = "frozen" if r.value("freeze") else "plastic again"
                self.notify(f"{r.name}: weights {state}", timeout=3)
        self._answered()

    def action_export(self) -> None:
        from hebblab.runfiles import write_run

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = Path(getattr(self.app, "export_dir", "hebblab-runs"))

        def write() -> list[str]:  # on the lab thread: metrics and series come from the labs
            written = []
            for r in self.runners:
                out = base / f"{r.name}-{stamp}"
                n = 1
                while out.exists():
                    n += 1
                    out = base / f"{r.name}-{stamp}-{n}"
                note = "parameters changed during the run; replay uses the final values" if r.edited else None
                write_run(r.lab, out, note=note)
                written.append(str(out))
            return written

        def done(result) -> None:
            if isinstance(result, BaseException):  # never crash the live view on a disk error
                self.notify(f"export failed: {result}", severity="error", timeout=8)
            else:
                self.notify("\n".join(result), title="Exported run", timeout=8)
                if self.app.is_web:  # in a browser the files are on the server: send them
                    self.app.deliver_runs(result)

        self.sim.submit(write, done)
        self._answered()

    # -- comparison (tui/compare_mode.py) ----------------------------------------------------
    def action_compare(self) -> None:
        from hebblab.tui.compare_mode import compare_current

        compare_current(self)

    def action_pick_pair(self) -> None:
        from hebblab.tui.compare_mode import pick_pair

        pick_pair(self)
