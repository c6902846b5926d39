"""Pilot tests of the app's screens: preset and lab pickers, help, command palette,
export and screenshot files, divergence, and the chapter view."""

from __future__ import annotations

import numpy as np

from hebblab.tui.chapter import ChapterScreen
from hebblab.tui.screens.help import HelpScreen
from hebblab.tui.screens.lab_screen import LabScreen
from hebblab.tui.screens.pickers import LabPicker, PresetPicker
from hebblab.tui.widgets.status import NotesLine, StatusLine


def lab_of(app):
    return app.lab_screen().runners[0].lab


async def test_preset_picker_loads_preset_and_escape_cancels(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        lab = lab_of(app)
        await pilot.press("n", "n", "p")
        assert isinstance(app.screen, PresetPicker)
        await pilot.press("escape")
        assert isinstance(app.screen, LabScreen)
        assert lab.preset_name == "calm" and lab.steps_done == 2
        await pilot.press("p", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        assert lab.preset_name == "busy"
        assert lab.params["rate_Hz"] == 40.0 and lab.params["gain"] == 3.0
        assert lab.steps_done == 0  # a preset starts over
        assert "toy:busy" in str(app.screen.query_one(StatusLine).render())


async def test_lab_picker_switches_lab(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("l")
        assert isinstance(app.screen, LabPicker)
        picker = app.screen
        ids = [key for key, _ in picker.options]
        assert "chapter" in ids and "lif" in ids and "hebb" in ids and "toy" in ids
        from textual.widgets import OptionList

        picker.query_one(OptionList).highlighted = ids.index("hebb")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        assert lab_of(app).name == "hebb"
        await pilot.press("n")
        assert lab_of(app).steps_done > 0


async def test_help_lists_every_binding_and_closes(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        described = {description for _, description, _ in app.screen.rows}
        svg = app.export_screenshot().replace("&#160;", " ")
        for word in ("Run/Pause", "Step", "Reset", "Faster", "Slower", "Presets", "Export", "Freeze",
                     "Help", "Labs", "Screenshot", "Commands", "Quit", "Increase", "Decrease x10",
                     "Type value", "Next param"):
            assert word in described, word
        for word in ("Run/Pause", "Reset", "Export", "Quit"):  # drawn on the screen
            assert word in svg, word
        await pilot.press("escape")
        assert isinstance(app.screen, LabScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, LabScreen)


async def test_every_binding_has_id_description_and_tooltip():
    from textual.binding import Binding

    from hebblab.tui.app import HebblabApp
    from hebblab.tui.screens.pickers import Picker
    from hebblab.tui.widgets.param_panel import ParamList

    for cls in (HebblabApp, LabScreen, ChapterScreen, ParamList, HelpScreen, Picker):
        for b in cls.__dict__["BINDINGS"]:
            assert isinstance(b, Binding)
            assert b.id and b.description and b.tooltip, (cls.__name__, b.key)


async def test_command_palette_opens_closes_and_runs_a_preset(make_app):
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        assert isinstance(app.screen, LabScreen)
        await pilot.press("ctrl+p")
        await pilot.press(*"preset toy: busy")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        assert lab_of(app).preset_name == "busy"


async def test_divergence_pauses_and_names_the_parameter(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = lab_of(app)
        screen = app.lab_screen()
        screen.query_one("ParamList").select("explode")
        await pilot.press("space")
        await pilot.pause(0.2)
        assert screen.running
        await pilot.press("right")  # explode=on: the next frame overflows
        await pilot.pause(0.3)
        assert lab.diverged and not screen.running
        steps = lab.steps_done
        notes = str(screen.query_one(NotesLine).render())
        assert "explode=off" in notes
        assert "DIVERGED" in str(screen.query_one(StatusLine).render())
        await pilot.press("space")  # refuses to run until reset
        await pilot.pause(0.2)
        assert not screen.running and lab.steps_done == steps
        await pilot.press("left", "r")  # explode off, reset: runs again
        assert not lab.diverged
        await pilot.press("n")
        assert lab.steps_done == 1 and np.all(np.isfinite(lab.w))


async def test_export_writes_run_files_and_screenshot_svg(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n", "n", "e")
        await pilot.pause()
        runs = list((tmp_path / "out").glob("toy-*"))
        assert len(runs) == 1
        files = {p.name for p in runs[0].iterdir()}
        assert {"experiment.toml", "metrics.json", "series.npz"} <= files
        assert "duration_ms = 2.0" in (runs[0] / "experiment.toml").read_text()
        await pilot.press("ctrl+s")
        await pilot.pause()
        svgs = list((tmp_path / "out").glob("*.svg"))
        assert len(svgs) == 1 and svgs[0].read_text().lstrip().startswith("<svg")


async def test_chapter_view_runs_lif_and_hebb_and_g_switches_preset(make_app):
    app = make_app(lab="chapter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChapterScreen)
        lif, hebb = (r.lab for r in screen.runners)
        assert (lif.name, hebb.name) == ("lif", "hebb")
        assert hebb.preset_name == "grow"
        kinds = sorted(w.spec.kind for _, _, w in screen.charts)
        assert kinds == ["matrix", "trace"]
        await pilot.press("n")
        # one frame = the same biological time in both labs
        assert lif.t_ms == hebb.t_ms == screen.runners[0].ms_per_frame
        await pilot.press("g")
        assert hebb.preset_name == "chapter" and hebb.steps_done == 0
        note = str(screen.query_one("#preset-note").render())
        assert "chapter" in note
        await pilot.press("g")
        assert hebb.preset_name == "grow"
        for _ in range(60):
            await pilot.press("n")
        assert np.any(hebb.w != hebb.w0)  # the growing preset learns within seconds
