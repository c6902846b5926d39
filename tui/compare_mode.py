"""Comparison mode of the live lab: how a comparison opens, ends, and is chosen.

Entry point for other screens (e.g. an exercise screen), the one to call:

    open_comparison(app, lab, *, preset=None, pair=None, a=None, b=None, seed=0) -> None

opens lab `lab` as a comparison in `app` (a HebblabApp): sides A and B with the same
`seed` and `preset`, B's and A's parameters being the pair's (`pair`, a name from
`hebblab pairs LAB`; its preset is used unless `preset` is given) with `a` / `b` laid over
them (name -> value, old names accepted). Both start at t=0 on identical input. Bad input
raises ParamError before anything changes on screen. The comparison replaces the lab screen
if that is on top (under modal pickers, which close); otherwise (another screen on top,
say an exercise) it is pushed, and `b` (end) or `l` (another lab) later replace it.

Keys on a lab screen (tui/screens/lab_screen.py): `b` turns the lab (the selected one in
the chapter view) into a comparison whose B is a copy of A, state and all, copied on the
lab thread between steps; in a comparison, `b` asks which side to keep and goes back to a
single run of it, state and all. `B` opens the pair picker (the chapter view lists lif's
ex1 and hebb's ex2 and ex3 first).
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Mapping

from textual.screen import ModalScreen

from hebblab.sim.compare import get_pair
from hebblab.sim.params import ParamError
from hebblab.tui.runner import Runner
from hebblab.tui.screens.compare_screen import CompareScreen
from hebblab.tui.screens.lab_screen import LabScreen, Pane
from hebblab.tui.screens.too_small import TooSmallScreen

__all__ = ["open_comparison", "comparison_screen", "compare_current", "end_comparison", "pick_pair"]


def open_comparison(app, lab: str, *, preset: str | None = None, pair: str | None = None,
                    a: dict | None = None, b: dict | None = None, seed: int = 0) -> None:
    """Open `lab` as a comparison of A and B (see the module's docstring)."""
    screen = comparison_screen(app, lab, preset=preset, pair=pair, a=a, b=b, seed=seed)
    app.current_lab = lab
    _show(app, screen)


def comparison_screen(app, lab: str, *, preset: str | None = None, pair: str | None = None,
                      a: Mapping[str, Any] | None = None, b: Mapping[str, Any] | None = None,
                      both: Mapping[str, Any] | None = None, seed: int = 0) -> CompareScreen:
    """The comparison screen (not shown yet); ParamError for an unknown pair, preset or value.
    Precedence per side: preset <- the pair's side <- `both` <- `a` / `b`."""
    cls = app.lab_class(lab)
    chosen = get_pair(cls, pair) if pair else None
    if preset is None and chosen is not None:
        preset = chosen.preset
    sides = []
    for own, pair_side in ((a, chosen.a if chosen else {}), (b, chosen.b if chosen else {})):
        overrides = {**pair_side, **(both or {}), **(own or {})}
        # Live, the labs are built on the screen's lab thread (a big network takes seconds).
        sides.append(Runner(cls, preset=preset, seed=seed, overrides=overrides, fps=app.fps, build=app.sync))
    return CompareScreen(*sides, pair=pair, fps=app.fps, autoplay=app.autoplay, sync=app.sync)


def compare_current(screen: LabScreen) -> None:
    """`b` on a lab screen: the selected lab becomes A, and B a copy of it."""
    runner = screen.selected_runner()
    if runner.shown.error or not runner.shown.built and not screen.sync:
        screen.notify("The lab is not running yet: compare once it has been built.", severity="warning")
        return

    def copies():  # on the lab thread, between steps: nothing else touches the lab
        return copy.deepcopy(runner.lab), copy.deepcopy(runner.lab)

    def make(result, was_running: bool) -> CompareScreen:
        lab_a, lab_b = result
        a = Runner.adopt(lab_a, like=runner, fps=screen.fps)
        b = Runner.adopt(lab_b, like=runner, fps=screen.fps)
        screen.app.current_lab = runner.name
        return CompareScreen(a, b, fps=screen.fps, autoplay=was_running, sync=screen.sync)

    _replace(screen, copies, make, failed="compare failed",
             notice=dict(message="B is a copy of A: tab edits B, a parameter marked ≠ differs; "
                                 "b ends the comparison.", title="compare", timeout=5))


def end_comparison(screen: CompareScreen) -> None:
    """`b` in a comparison: ask which side to keep, then run it alone, state and all."""
    from hebblab.tui.screens.pair_picker import SidePicker

    a, b = screen.runners
    differing = {name: (a.lab_cls.spec(name).format(a.value(name)), a.lab_cls.spec(name).format(b.value(name)))
                 for name in screen.differing()}

    def chosen(side: str | None) -> None:
        if side in ("A", "B"):
            keep(screen, a if side == "A" else b)

    screen.app.push_screen(SidePicker(differing), chosen)


def keep(screen: CompareScreen, runner: Runner) -> None:
    """End the comparison, going on with `runner`'s side alone."""
    def make(result, was_running: bool) -> LabScreen:
        kept = Runner.adopt(result, like=runner, fps=screen.fps)
        cls = kept.lab_cls
        return LabScreen([Pane(kept)], title=f"{cls.name}: {cls.title or cls.summary}", fps=screen.fps,
                         autoplay=was_running, sync=screen.sync)

    side = "A" if runner is screen.runners[0] else "B"
    _replace(screen, lambda: copy.deepcopy(runner.lab), make, failed="ending the comparison failed",
             notice=dict(message=f"kept {side}", title="compare ended", timeout=3))


def _replace(screen: LabScreen, job: Callable[[], Any], make: Callable[[Any, bool], LabScreen], *,
             failed: str, notice: dict[str, Any]) -> None:
    """Starting (`b` on a lab) and ending (`b` in a comparison) alike: pause `screen`, run
    `job` on its lab thread between steps, then put `make(result, was_running)` where
    `screen` is and show `notice` (App.notify's arguments). A second key before the lab
    thread answers does nothing; an error there is a notification starting with `failed`,
    `screen` staying (paused); a screen closed meanwhile is left alone."""
    app = screen.app
    if getattr(screen, "switching", False):  # pressed again before the lab thread answered
        return
    screen.switching = True
    was_running = screen.running
    screen.set_running(False)  # a lockstep-free thread stops between chunks: copy a still lab

    def done(result) -> None:
        if isinstance(result, BaseException):
            screen.switching = False
            screen.notify(f"{failed}: {type(result).__name__}: {result}", severity="error")
            return
        if not screen.is_attached:
            return
        _show(app, make(result, was_running), old=screen)
        app.notify(**notice)

    screen.sim.submit(job, done)
    screen._answered()


def pick_pair(screen: LabScreen) -> None:
    """`B`: choose one of the screen's labs' pairs and open it as a comparison."""
    from hebblab.tui.screens.pair_picker import PairPicker

    labs = list(dict.fromkeys(r.lab_cls for r in screen.runners))
    if not any(getattr(cls, "pairs", ()) for cls in labs):
        screen.notify(f"{', '.join(c.name for c in labs)}: no comparison pairs; b compares with a copy",
                      severity="warning")
        return
    current = getattr(screen, "pair", None)
    seed = screen.runners[0].shown.rng_seed

    def chosen(key: str | None) -> None:
        if not key:
            return
        lab, _, name = key.rpartition(" ")
        lab = lab or labs[0].name
        try:
            open_comparison(screen.app, lab, pair=name, seed=seed)
        except ParamError as err:
            screen.notify(str(err), severity="error")

    screen.app.push_screen(PairPicker(labs, current), chosen)


def _show(app, screen, old: LabScreen | None = None) -> None:
    """Put `screen` where `old` (default: the lab screen on top) is, or push it."""
    stack = app.screen_stack
    if old is None:
        old = next((s for s in reversed(stack) if isinstance(s, LabScreen)), None)
    if old is not None and old in stack:
        above = stack[stack.index(old) + 1:]
        if all(isinstance(s, (ModalScreen, TooSmallScreen)) for s in above):
            while app.screen is not old:
                app.pop_screen()
            app.switch_screen(screen)
            app.check_size()
            return
    app.push_screen(screen)
    app.check_size()


def compare_app(lab: str, pair: str, **kwargs):
    """A HebblabApp that opens on the comparison `pair` of `lab` (`hebblab tui LAB --pair`);
    `overrides` apply to both sides. Keys then work as in any comparison."""
    from hebblab.tui.app import HebblabApp

    class CompareApp(HebblabApp):
        _opened = False

        def make_screen(self, lab_, preset=None, overrides=None):
            if self._opened:
                return super().make_screen(lab_, preset, overrides)
            self._opened = True  # the first screen only: `l` opens single labs as usual
            return comparison_screen(self, lab_, preset=preset, pair=pair, both=overrides, seed=self.seed)

    return CompareApp(lab, **kwargs)
