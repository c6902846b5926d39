"""HebblabApp: the live terminal lab (Textual).

Opens one lab (`LabScreen`) or the chapter view (lif beside hebb, tui/chapter.py) and
holds the app-wide keys: help, lab picker, screenshot, quit. The command palette (ctrl+p)
lists labs, presets and actions through `get_system_commands`. Below 80x24 a notice
screen covers everything until the terminal is big enough again.

Each lab screen runs its labs on its own thread (tui/lab_thread.py), so keys and quit
answer at once however heavy the lab. Tests build the app with `autoplay=False`, which
also makes it `sync` (every key waits for the lab thread): they drive frames with `n` and
read exact numbers.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

# Textual's screen-update timer skips ahead after an update it made at once (timer.py's
# skip logic): at its default 60 fps a key pressed just after a sim frame waits 17-33 ms
# before anything is drawn (measured: most of the key-to-screen p95). TEXTUAL_FPS (read
# when textual is first imported, which is here for `hebblab`) halves that wait; only
# dirty regions are redrawn, so an idle screen costs nothing more. The user's value wins.
os.environ.setdefault("TEXTUAL_FPS", "120")

from textual import events  # noqa: E402  (after TEXTUAL_FPS)
from textual.app import App, SystemCommand  # noqa: E402
from textual.await_complete import AwaitComplete  # noqa: E402
from textual.binding import Binding  # noqa: E402
from textual.command import CommandList, CommandPalette  # noqa: E402
from textual.screen import Screen  # noqa: E402

from hebblab import prefs as user_prefs
from hebblab.bandwidth import DEFAULT_BUDGET_KIB_S, LOW_BUDGET_KIB_S, Meter
from hebblab.prefs import Prefs
from hebblab.sim.labs import all_labs, get_lab
from hebblab.sim.labs.base import Lab
from hebblab.tui.partial_updates import install as install_partial_updates
from hebblab.tui.runner import Runner
from hebblab.tui.screens.fresh_resize import DefaultScreen, FreshResize
from hebblab.tui.screens.lab_screen import LabScreen, Pane
from hebblab.tui.screens.too_small import TooSmallScreen, too_small
from hebblab.tui.timer_floor import install as install_timer_floor
from hebblab.tui.gc_pace import GcPace

install_partial_updates()  # redraw only the changed cells of a line (bandwidth over SSH, serve)
install_timer_floor()  # a negative timer interval froze the app (a toast's, under load)

CHAPTER = "chapter"
EXIT_GRACE_S = 5.0  # a signal exit (TERM, HUP) still running after this is ended outright
INPUT_FIRST_S = 0.15  # after a key or a resize, running labs wait this long for the screen
PALETTE_ID = "--command-palette"  # Textual's id for its palette screen


def _end_after(seconds: float, code: int) -> None:
    """End the process if it is still alive after `seconds`. With its terminal gone,
    Textual 8.2.8 can hang on the way out: its output thread dies on the write error and
    the shutdown then waits forever to queue a last item for it."""
    import threading
    import time

    def watchdog() -> None:
        time.sleep(seconds)
        os._exit(code)

    threading.Thread(target=watchdog, name="hebblab-exit", daemon=True).start()


class Palette(FreshResize, CommandPalette):
    """Textual's command palette, guarded against fast input (Textual 8.2.8).

    PageUp/PageDown right after the options changed (fast typing, ctrl+u, Down) make
    OptionList._move_page read its line cache before the next layout has rebuilt it:
    `KeyError: 0`, which killed the app. Nothing has moved when it raises: skip the key.
    And it closes once, itself: two enters in one write selected twice and the second
    dismiss popped the lab screen under it; a choice made as the too-small notice covered
    it popped the notice instead.
    """

    _dismissed = False
    _close_on_resume = False

    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except (KeyError, IndexError):
            pass

    # Its command-gathering worker outlives a dismiss in the same write (ctrl+p, typing,
    # escape): the watchers then query children already removed, NoMatches 'CommandList'.
    def _children_gone(self) -> bool:
        return not self.query(CommandList)

    def _watch__list_visible(self) -> None:
        if not self._children_gone():
            super()._watch__list_visible()

    async def _watch__show_busy(self) -> None:
        if not self._children_gone():
            await super()._watch__show_busy()

    def _refresh_command_list(self, *args, **kwargs) -> None:
        if not self._children_gone():
            super()._refresh_command_list(*args, **kwargs)

    def dismiss(self, result=None):
        # Textual's dismiss pops whatever is on top: only when that is this palette. Covered
        # (the too-small notice), it closes once uncovered; a dismiss then must not be lost,
        # or escape could never close it. (Not `_closed`: Textual's message pump owns it.)
        if not self.is_active:
            self._close_on_resume = True
            return AwaitComplete.nothing()
        if self._dismissed:
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)

    def on_screen_resume(self) -> None:
        if self._close_on_resume and self.is_active:
            self._close_on_resume = False
            self.dismiss()


class HebblabApp(App):
    CSS_PATH = "hebblab.tcss"
    TITLE = "hebblab"
    SUB_TITLE = "spiking neurons and synaptic learning"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    ALLOW_IN_MAXIMIZED_VIEW = "Footer, StatusLine"  # a maximized chart keeps the keys and the clock

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit hebblab (ctrl+c too)"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c",
                tooltip="Quit hebblab and restore the terminal"),
        Binding("f1,question_mark", "help", "Help", id="app.help", key_display="?",
                tooltip="Show every key with what it does"),
        Binding("l", "pick_lab", "Labs", id="app.labs",
                tooltip="Open another lab (or the chapter view)"),
        Binding("x", "exercises", "Exercises", id="app.exercises",
                tooltip="Exercises: predict, run the experiment, read the measured answer"),
        Binding("ctrl+s", "save_svg", "Screenshot", show=False, id="app.screenshot",
                tooltip="Save an SVG screenshot of the screen (into the export directory)"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette",
                tooltip="Command palette: labs, presets, actions, themes"),
        Binding("ctrl+r", "toggle_recording", "Record", show=False, id="app.record",
                tooltip="Start or stop recording the screen as an asciicast (.cast, as `hebblab record` "
                        "writes; into the export directory)"),
    ]

    def __init__(self, lab: str | type[Lab] = CHAPTER, preset: str | None = None, seed: int = 0,
                 overrides: Mapping[str, Any] | None = None, autoplay: bool = True, fps: float = 20.0,
                 export_dir: str | os.PathLike | None = None, extra_labs: Iterable[type[Lab]] = (),
                 sync: bool | None = None, prefs: Prefs | None = None, prefs_path: Path | None = None,
                 notice: str | None = None, low_bandwidth: bool = False, exercises: Iterable[Any] = ()):
        super().__init__()
        self.exercise_files = tuple(exercises)  # a lecturer's exercises (--exercise-file): listed first
        self.meter = Meter(LOW_BUDGET_KIB_S if low_bandwidth else DEFAULT_BUDGET_KIB_S)
        self.recorder = None  # a ScreenRecorder while ctrl+r records
        # The user's preferences (hebblab/prefs.py): the theme is applied at mount and, with
        # `prefs_path` (the CLI's; tests give none), saved there when the user changes it.
        self.prefs = prefs or Prefs()
        self.prefs_path = prefs_path
        self.notice = notice  # a warning to show once the screen is up (a broken config file)
        self.start = (lab, preset, dict(overrides or {}))
        self.seed = seed
        self.autoplay = autoplay
        self.sync = not autoplay if sync is None else sync  # keys wait for the lab thread (tests)
        self.fps = fps
        self.export_dir = Path(export_dir) if export_dir is not None else Path("hebblab-runs")
        self.extra_labs = {cls.name: cls for cls in extra_labs}
        if not isinstance(lab, str):
            self.extra_labs.setdefault(lab.name, lab)
        self.current_lab = lab if isinstance(lab, str) else lab.name
        self.gc_pace = GcPace()

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, plus the lab's text colours made readable on it (WCAG AA,
        tui/contrast.py): `$note-text` for the notes, `$status-text` for the status line."""
        from textual.color import Color

        from hebblab.tui.contrast import readable

        variables = super().get_css_variables()
        try:
            background = Color.parse(variables["background"])
            notes_bg = background + Color.parse(variables.get("boost", "transparent"))
            panel = background + Color.parse(variables["panel"])
            extra = {"note-text": readable(Color.parse(variables["warning"]), notes_bg).hex,
                     "status-text": readable(Color.parse(variables["foreground"]), panel).hex}
        except Exception:  # an ANSI theme (colours the terminal decides) or an unusual one
            extra = {"note-text": variables.get("warning", "yellow"), "status-text": variables.get("foreground", "white")}
        variables.update(extra)
        self.theme_variables = variables
        return variables

    def get_default_screen(self) -> Screen:
        return DefaultScreen(id="_default")

    # -- labs -----------------------------------------------------------------------------
    def labs(self) -> dict[str, type[Lab]]:
        return {**all_labs(), **self.extra_labs}

    def lab_class(self, name: str) -> type[Lab]:
        return self.extra_labs[name] if name in self.extra_labs else get_lab(name)

    def chapter_available(self) -> bool:
        labs = all_labs()
        return "lif" in labs and "hebb" in labs

    def make_screen(self, lab: str | type[Lab], preset: str | None = None,
                    overrides: Mapping[str, Any] | None = None) -> Screen:
        """A screen for a lab (class or name) or the chapter view; raises ParamError."""
        if isinstance(lab, str) and lab == CHAPTER:
            from hebblab.tui.chapter import ChapterScreen

            return ChapterScreen(seed=self.seed, fps=self.fps, autoplay=self.autoplay,
                                 hebb_preset=preset, overrides=overrides, sync=self.sync)
        cls = self.lab_class(lab) if isinstance(lab, str) else lab
        # Live, the lab is built on the screen's lab thread (a big network takes seconds).
        runner = Runner(cls, preset=preset, seed=self.seed, overrides=overrides, fps=self.fps, build=self.sync)
        return LabScreen([Pane(runner)], title=f"{cls.name}: {cls.title or cls.summary}",
                         fps=self.fps, autoplay=self.autoplay, sync=self.sync)

    def run(self, *args, **kwargs):
        # Textual sizes a terminal by shutil.get_terminal_size(), which believes COLUMNS and
        # LINES before the terminal: exported by a script or a test runner they pin the
        # size and every resize is lost. textual-serve passes its size in them: kept there.
        if not os.environ.get("TEXTUAL_DRIVER"):
            os.environ.pop("COLUMNS", None)
            os.environ.pop("LINES", None)
        return super().run(*args, **kwargs)

    def exit(self, result=None, return_code: int = 0, message=None) -> None:
        super().exit(result, return_code, message)
        if return_code >= 128:  # a signal (TERM, HUP): the terminal may be gone
            _end_after(EXIT_GRACE_S, return_code)

    def on_mount(self) -> None:
        self.gc_pace.start()  # a full collection took 61 ms of a frame (tui/gc_pace.py)
        if self._driver is not None and not self.is_headless:
            self._driver.write = self._tap(self._driver.write)  # what goes to the terminal
        self._apply_prefs()
        lab, preset, overrides = self.start
        self.push_screen(self.make_screen(lab, preset, overrides))
        if self.exercise_files:  # one file: its exercise opens over its lab
            from hebblab.tui.screens.exercise_list import open_exercise_files

            open_exercise_files(self, self.exercise_files)
        self.check_size()

    def on_unmount(self) -> None:
        self.gc_pace.stop()

    def _tap(self, write):
        """The driver's write, counting bytes (bandwidth) and feeding a recording."""
        meter = self.meter

        def tapped(data: str) -> None:
            meter.add_text(data)
            recorder = self.recorder
            if recorder is not None:
                recorder.add(data)
                if recorder.full:  # stops by itself: saved once the write is done
                    self.recorder = None
                    self.call_later(self._save_recording, recorder)
            write(data)

        return tapped

    def action_toggle_recording(self) -> None:
        from hebblab.tui.recorder import ScreenRecorder

        if self.recorder is None:
            update = self.screen._compositor.render_update(full=True)
            width, height = self.size
            self.recorder = ScreenRecorder(width, height, f"hebblab {self.current_lab}",
                                           update.render_segments(self.console))
            self.notify("recording the screen: ctrl+r stops", title="Recording", timeout=4)
            return
        recorder, self.recorder = self.recorder, None
        self._save_recording(recorder)

    def _save_recording(self, recorder) -> None:
        name = f"hebblab-{self.current_lab}-{self._stamp()}.cast"
        try:
            if self.is_web:
                self.deliver_text(io.StringIO(recorder.dumps()), save_filename=name,
                                  mime_type="application/x-asciicast")
                return
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path = self.export_dir / name
            path.write_text(recorder.dumps(), encoding="utf-8")
        except OSError as err:
            self.notify(f"recording not saved: {err}", severity="error")
            return
        self.notify(f"{path} ({recorder.seconds:.0f} s)", title="Recording saved", timeout=6)

    def send_ratio(self) -> float:
        """Bytes per second written since last asked, over the budget (lab screens ask
        once a second and redraw less often above 1)."""
        return self.meter.ratio()

    def _apply_prefs(self) -> None:
        theme = self.prefs.theme
        if theme is not None:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self.notice = self.notice or f"theme {theme!r} from the preferences is not known: the default is used"
        if self.notice:
            self.call_later(self.notify, self.notice, severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme) -> None:
        if self.prefs_path is None or theme.name == self.prefs.theme:
            return
        self.prefs.theme = theme.name
        try:
            user_prefs.save(self.prefs, self.prefs_path)
        except OSError as err:
            self.notify(f"theme not saved: {err}", severity="warning")

    def open_lab(self, name: str) -> None:
        """Replace the lab screen with another lab (its default preset)."""
        current = self.lab_screen()
        if current is None:
            return
        screen = self.make_screen(name)
        self.current_lab = name
        while self.screen is not current:  # drop what covers the lab screen (modals, notices)
            self.pop_screen()
        self.switch_screen(screen)
        self.check_size()

    def lab_screen(self) -> LabScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, LabScreen):
                return screen
        return None

    # -- input and terminal size -----------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.InputEvent, events.Resize)):
            # Once quitting (q, a signal, the terminal gone), input still queued is dropped:
            # a backlog of keys must not delay the exit nor reach screens already closed.
            if self._exit or not self.screen_stack:
                if isinstance(event, events.InputEvent):
                    return
            elif (screen := self.lab_screen()) is not None:
                screen.sim.defer(INPUT_FIRST_S)  # the lab waits while the user acts
        await super().on_event(event)

    def on_resize(self, event) -> None:
        # Runs before App._on_resize records the new size: use the event's.
        if not self._exit:
            self.check_size(event.size)

    def push_screen(self, screen, callback=None, wait_for_dismiss: bool = False):
        # Nothing goes above the too-small notice: a picker or a command already on its way
        # when the terminal shrank goes below it (the notice is taken off and put back).
        stack = self.screen_stack
        small = bool(stack) and isinstance(stack[-1], TooSmallScreen) and not isinstance(screen, TooSmallScreen)
        if small:
            self.pop_screen()
        result = super().push_screen(screen, callback, wait_for_dismiss)
        if small:
            super().push_screen(TooSmallScreen())
        return result

    def check_size(self, size=None) -> None:
        small = too_small(*(size or self.size))
        covered = isinstance(self.screen, TooSmallScreen)
        if small and not covered:
            screen = self.lab_screen()
            self._resume_after_small = screen if screen is not None and screen.running else None
            if self._resume_after_small is not None:
                screen.set_running(False)
            self.push_screen(TooSmallScreen())
        elif not small and covered:
            self.pop_screen()
            screen = getattr(self, "_resume_after_small", None)
            if screen is not None and screen is self.lab_screen():
                screen.set_running(True)  # it was running before the terminal shrank
            self._resume_after_small = None

    # -- actions ------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # Below 80x24 only quit works: a screen pushed over the notice would outlive it.
        if isinstance(self.screen, TooSmallScreen) and action in ("help", "pick_lab", "command_palette", "exercises"):
            return False
        return True

    def action_command_palette(self) -> None:
        # One palette at a time: a closed one stays registered (under the same id) until
        # removed, and a too-small notice may sit above an open one.
        if any(s.id == PALETTE_ID for s in (*self.screen_stack, *self.children)) or \
                any(isinstance(s, CommandPalette) for s in self.screen_stack):
            return
        if self.use_command_palette and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(Palette(id=PALETTE_ID))

    def search_themes(self) -> None:
        # Textual's theme picker, as our palette (the same guards).
        from textual.theme import ThemeProvider

        if not any(isinstance(s, CommandPalette) for s in self.screen_stack):
            self.push_screen(Palette(providers=[ThemeProvider], placeholder="Search for themes…"))

    def action_help(self) -> None:
        from hebblab.tui.screens.help import HelpScreen
        from hebblab.tui.widgets.param_panel import ParamList

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        screen = self.lab_screen()
        sources = [type(self)]
        if screen is not None:
            sources += [type(screen), ParamList]
        intro = getattr(screen, "extra_help", "") if screen else ""
        self.push_screen(HelpScreen(sources, intro))

    def action_pick_lab(self) -> None:
        from hebblab.tui.screens.pickers import LabPicker

        def chosen(name: str | None) -> None:
            if name and name != self.current_lab:
                self.open_lab(name)

        self.push_screen(LabPicker(self.labs(), self.current_lab, chapter=self.chapter_available()), chosen)

    def action_exercises(self) -> None:
        from hebblab.tui.screens.exercise_list import open_exercise_list

        open_exercise_list(self)

    def action_save_svg(self) -> None:
        name = f"hebblab-{self.current_lab}-{self._stamp()}.svg"
        try:
            if self.is_web:
                self.deliver_screenshot(name)
                return
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(name, str(self.export_dir))
        except OSError as err:
            self.notify(f"screenshot failed: {err}", severity="error")
            return
        self.notify(path, title="Screenshot saved", timeout=6)

    def deliver_runs(self, paths: list[str]) -> None:
        """Send exported run directories to the browser as one zip (`hebblab serve`)."""
        from hebblab.tui.deliver import zip_dirs

        name = f"hebblab-{self.current_lab}-{self._stamp()}.zip"
        try:
            self.deliver_binary(zip_dirs([Path(p) for p in paths]), save_filename=name,
                                mime_type="application/zip")
        except OSError as err:
            self.notify(f"download failed: {err}", severity="error")

    @staticmethod
    def _stamp() -> str:
        from datetime import datetime

        return datetime.now().strftime("%Y%m%d-%H%M%S")

    # -- command palette ---------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Two enters in one write select the same command twice: it runs once.
        ran = []

        def once(callback):
            def run():
                if not ran:
                    ran.append(True)
                    return callback()  # may be a coroutine: the palette awaits it
            return run

        for command in self._commands(screen):
            yield command._replace(callback=once(command.callback))

    def _commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        lab_screen = self.lab_screen()
        if lab_screen is not None:
            for text, action, help_text in (
                ("Run / pause", "toggle_run", "Start or pause the simulation (space)"),
                ("Step one frame", "step_frame", "Advance exactly one frame (n)"),
                ("Reset", "reset", "Restart at t=0 with pending parameters (r)"),
                ("Faster", "faster", "More biological time per frame (+)"),
                ("Slower", "slower", "Less biological time per frame (-)"),
                ("Export run", "export", "Write experiment.toml, metrics.json and series (e)"),
                ("Choose preset", "pick_preset", "Preset picker for the selected lab (p)"),
                ("Lab info", "info", "Full notes, the preset's description and every readout (i)"),
            ):
                yield SystemCommand(text, help_text, lambda a=action: lab_screen.run_action(a))
            if lab_screen.has_freeze():
                yield SystemCommand("Freeze / unfreeze plasticity", "Toggle the freeze parameter (f)",
                                    lambda: lab_screen.run_action("freeze"))
            listed = set()  # one entry per lab and preset: a comparison's sides are one lab
            for runner in lab_screen.runners:
                if runner.lab_cls in listed:
                    continue
                listed.add(runner.lab_cls)
                for p in runner.lab_cls.presets:
                    yield SystemCommand(f"Preset {runner.name}: {p.name}", p.description,
                                        lambda r=runner, n=p.name: lab_screen.load_preset(r, n))
        yield SystemCommand("Help: keys", "Every key binding (f1 or ?)", self.action_help)
        yield SystemCommand("Screenshot (SVG)", "Save an SVG of the screen (ctrl+s)", self.action_save_svg)
        if self.chapter_available():
            yield SystemCommand("Lab: chapter", "The chapter view: lif membrane trace beside the hebb weights",
                                lambda: self.open_lab(CHAPTER))
        for name, cls in self.labs().items():
            yield SystemCommand(f"Lab: {name}", cls.summary or cls.title, lambda n=name: self.open_lab(n))
