"""Show an exercise's experiment live in the lab view while its verdict is computed.

A comparison (A and B) opens in the comparison mode (`hebblab.tui.compare_mode`); until
that mode is installed, run B (the changed condition) opens alone and a note says so. A
one-run exercise opens its lab with the exercise's preset, parameters and seed.
"""

from __future__ import annotations

from typing import Any, Mapping

from hebblab.exercises import Exercise, run_setup


def compare_mode():
    """The comparison mode's `open_comparison`, or None while it is not installed."""
    try:
        from hebblab.tui.compare_mode import open_comparison
    except ImportError:
        return None
    return open_comparison


def show_run(app, ex: Exercise, seed: int | None = None) -> str:
    """Replace the lab view with the exercise's run(s); what was opened, in words."""
    preset, seed_value, a, b = run_setup(ex, seed)
    if ex.compares:
        open_comparison = compare_mode()
        if open_comparison is not None:
            open_comparison(app, ex.lab, preset=preset, pair=ex.pair, a=a, b=b, seed=seed_value)
            return f"{ex.lab}: A and B live"
        overrides = {**_pair_side(ex, "b"), **b}
        open_single(app, ex, preset, overrides, seed_value, title=f"{ex.lab}: run B of exercise {ex.name}")
        return f"{ex.lab}: run B alone (the comparison view is not available)"
    open_single(app, ex, preset, a, seed_value, title=f"{ex.lab}: exercise {ex.name}")
    return f"{ex.lab} live"


def _pair_side(ex: Exercise, side: str) -> dict[str, Any]:
    """The pair's own values for one side (run_setup leaves them to the pair's name)."""
    if ex.pair is None:
        return {}
    from hebblab.sim.compare import get_pair
    from hebblab.sim.labs import get_lab

    return dict(getattr(get_pair(get_lab(ex.lab), ex.pair), side))


def open_single(app, ex: Exercise, preset: str, overrides: Mapping[str, Any], seed: int, title: str) -> None:
    """The lab alone, as `app.open_lab` opens one, but with the exercise's preset, values and seed."""
    from hebblab.tui.runner import Runner
    from hebblab.tui.screens.lab_screen import LabScreen, Pane

    runner = Runner(app.lab_class(ex.lab), preset=preset, seed=seed, overrides=overrides, fps=app.fps,
                    build=app.sync)
    screen = LabScreen([Pane(runner)], title=title, fps=app.fps, autoplay=app.autoplay, sync=app.sync)
    current = app.lab_screen()
    app.current_lab = ex.lab
    if current is None:
        app.push_screen(screen)
    else:
        while app.screen is not current:  # drop what covers the lab view (the exercise screens)
            app.pop_screen()
        app.switch_screen(screen)
    app.check_size()
