"""Issue 10's loose ends in the live comparison: a preset (`p`, or the command palette)
applies to both sides with ONE notification naming both, and starting and ending a
comparison share one guard: an error on the lab thread is one notification, the screen
stays, and the key works again once the cause is gone."""

from __future__ import annotations

from textual.widgets import OptionList

from hebblab.sim.labs import get_lab
from hebblab.tui.compare_mode import open_comparison
from hebblab.tui.screens.compare_screen import CompareScreen
from hebblab.tui.screens.lab_screen import LabScreen
from hebblab.tui.screens.pair_picker import SidePicker
from hebblab.tui.screens.pickers import PresetPicker


def notes(app) -> list:
    return list(app._notifications)


class Uncopyable:
    """Put on a lab, it makes the lab thread's copy of it fail (as a lab bug would)."""

    def __deepcopy__(self, memo):
        raise RuntimeError("cannot copy this lab")


async def _comparison(app, pilot, pair="ex1") -> CompareScreen:
    open_comparison(app, "lif", pair=pair)
    await pilot.pause()
    app.clear_notifications()
    assert isinstance(app.screen, CompareScreen)
    return app.screen


async def test_p_in_a_comparison_loads_the_preset_on_both_sides_with_one_notification(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _comparison(app, pilot)
        await pilot.press("p")
        picker = app.screen
        assert isinstance(picker, PresetPicker)
        names = [p.name for p in get_lab("lif").presets]
        picker.query_one(OptionList).highlighted = names.index("refractory")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        a, b = screen.runners
        assert a.shown.preset_name == b.shown.preset_name == "refractory"
        assert a.lab.params == b.lab.params == get_lab("lif").resolve_params("refractory")
        (note,) = notes(app)  # one, not one per side
        assert note.title == "lif: preset refractory on A and B"
        assert note.message == get_lab("lif").preset("refractory").description


async def test_a_preset_asked_for_one_side_applies_to_both_with_one_notification(make_app):
    # The command palette's "Preset lif: NAME" names one runner; the sides must stay comparable.
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _comparison(app, pilot)
        a, b = screen.runners
        screen.load_preset(b, "refractory")
        await pilot.pause()
        assert a.shown.preset_name == b.shown.preset_name == "refractory"
        assert len(notes(app)) == 1


async def test_an_unknown_preset_changes_neither_side(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _comparison(app, pilot, pair="refractory")
        a, b = screen.runners
        before = dict(a.lab.params), dict(b.lab.params)
        screen.load_preset(a, "no-such-preset")
        await pilot.pause()
        assert (a.lab.params, b.lab.params) == before
        (note,) = notes(app)
        assert note.severity == "error" and "no-such-preset" in note.message


async def test_a_failed_start_is_one_error_and_b_works_again(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        single = app.screen
        single.runners[0].lab.trap = Uncopyable()
        app.clear_notifications()
        await pilot.press("b")
        await pilot.pause()
        assert app.screen is single and type(single) is LabScreen
        (note,) = notes(app)
        assert note.severity == "error"
        assert note.message == "compare failed: RuntimeError: cannot copy this lab"
        del single.runners[0].lab.trap
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)


async def test_a_failed_end_is_one_error_and_b_works_again(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _comparison(app, pilot)
        a, b = screen.runners
        b.lab.trap = Uncopyable()
        await pilot.press("b")
        assert isinstance(app.screen, SidePicker)
        await pilot.press("down", "enter")  # keep B
        await pilot.pause()
        assert app.screen is screen
        (note,) = notes(app)
        assert note.severity == "error"
        assert note.message == "ending the comparison failed: RuntimeError: cannot copy this lab"
        del b.lab.trap
        app.clear_notifications()
        await pilot.press("b", "down", "enter")
        await pilot.pause()
        assert type(app.screen) is LabScreen and app.screen.runners[0].value("tau_m_ms") == 40
        assert [n.message for n in notes(app)] == ["kept B"]


async def test_the_palette_lists_each_preset_once_in_a_comparison(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _comparison(app, pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        presets = [t for t in titles if t.startswith("Preset lif: ")]
        assert presets and len(presets) == len(set(presets)) == len(get_lab("lif").presets)
    chapter = make_app("chapter")
    async with chapter.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [c.title for c in chapter.get_system_commands(chapter.screen)]
        assert any(t.startswith("Preset lif: ") for t in titles) and any(t.startswith("Preset hebb: ") for t in titles)
