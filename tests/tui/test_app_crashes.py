"""Regression tests for crashes seen in a real terminal (issue 9), each replayed headless.

A terminal driver hands the app every event of one write back to back (a fast double
press, a slow link, keys arriving with a resize); `burst` does the same, without the
pauses `pilot.press` makes between keys. Each test failed (the app raised) before its fix.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.geometry import Size

from hebblab.tui.screens.lab_screen import LabScreen
from hebblab.tui.screens.pickers import LabPicker, PresetPicker
from hebblab.tui.screens.too_small import TooSmallScreen


def burst(app, *items) -> None:
    """Queue keys (names) and resizes ((width, height)) as one write would."""
    for item in items:
        if isinstance(item, tuple):
            size = Size(*item)
            app._driver._size = size  # the headless driver reports the new size, as a terminal does
            event = events.Resize(size, size)
        else:
            event = events.Key(item, item if len(item) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot, seconds: float = 0.3) -> None:
    await pilot.pause(seconds)
    await pilot.pause()


def assert_alive(app) -> None:
    assert app._exception is None, app._exception
    assert app.is_running and app.return_code is None


async def test_two_enters_in_one_write_in_the_lab_picker_open_one_lab(make_app):
    # Was: the second enter dismissed the picker again, popping the lab screen, then
    # switch_screen raised IndexError: pop from empty list.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        assert isinstance(app.screen, LabPicker)
        burst(app, "down", "enter", "enter")
        await settle(pilot)
        assert_alive(app)
        assert isinstance(app.screen, LabScreen)
        assert [type(s).__name__ for s in app.screen_stack[1:]] == [type(app.screen).__name__]
        assert app.lab_screen().runners[0].name != "toy"  # the highlighted lab opened


async def test_lab_switch_during_a_resize():
    # Was: the new lab screen got the resize before it had composed and raised
    # NoMatches 'ParamList' (or 'ChartDeck' on the old one). stdp runs live, as in use.
    from hebblab.tui.app import HebblabApp

    app = HebblabApp("stdp", autoplay=True)
    async with app.run_test(size=(120, 40)) as pilot:
        for k, size in enumerate(((100, 30), (130, 45), (90, 26), (120, 40), (110, 33), (125, 42))):
            await settle(pilot, 0.5)
            burst(app, "l")
            await settle(pilot)
            burst(app, "down", size, "enter", (size[0] + 7, size[1] + 3)) if k % 2 else \
                burst(app, "down", size, "enter")
            await settle(pilot, 1.0)
            assert_alive(app)
            assert isinstance(app.screen, LabScreen)
            assert app.screen.query("ParamList") and app.screen.query("ChartDeck")


async def test_command_palette_twice_across_the_too_small_notice(make_app):
    # Was: with the too-small notice over an open palette, ctrl+p pushed a second one:
    # DuplicateIds '--command-palette'.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        burst(app, "ctrl+p")
        await settle(pilot)
        burst(app, (60, 20))
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        burst(app, "ctrl+p")
        await settle(pilot)
        assert_alive(app)
        burst(app, (120, 40), "escape", "ctrl+p", "escape", "ctrl+p")  # one closing while the next opens
        await settle(pilot)
        assert_alive(app)
        assert len([s for s in app.screen_stack if s.id == "--command-palette"]) <= 1
        burst(app, "escape")
        await settle(pilot)
        burst(app, "ctrl+p")
        await settle(pilot)
        assert [s.id for s in app.screen_stack].count("--command-palette") == 1
        assert app.screen.id == "--command-palette"
        burst(app, "escape")
        await settle(pilot)
        assert isinstance(app.screen, LabScreen)


async def test_two_enters_in_one_write_in_the_command_palette_run_it_once(make_app):
    # Was: the second enter dismissed again, popping the lab screen: a blank app, then
    # NoMatches 'ParamPanel' when the command ran on the removed screen.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = app.lab_screen().runners[0].lab
        await pilot.press("n", "n", "ctrl+p")
        await pilot.press(*"preset toy: busy")
        await settle(pilot, 0.5)
        burst(app, "enter", "enter")
        await settle(pilot)
        assert_alive(app)
        assert isinstance(app.screen, LabScreen) and len(app.screen_stack) == 2
        assert lab.preset_name == "busy" and lab.steps_done == 0


async def test_keys_while_too_small_push_nothing_over_the_notice(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        burst(app, (70, 20), "l", "f1", "question_mark", "ctrl+p", "i", "p")
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        burst(app, (120, 40))
        await settle(pilot)
        assert_alive(app)
        assert isinstance(app.screen, LabScreen)


async def test_command_palette_page_keys_after_fast_typing(make_app):
    # Was: PageDown right after the palette's options changed read OptionList's line
    # cache before it was rebuilt: KeyError: 0 inside Textual 8.2.8 (2 of 6 tries by hand).
    app = make_app(autoplay=True)  # a running lab keeps the event loop busy, as in use
    async with app.run_test(size=(120, 40)) as pilot:
        for trial in range(12):
            burst(app, "ctrl+p")
            await asyncio.sleep(0.05 * (trial % 3))
            for key in ["l", "a", "b", "backspace", "ctrl+u", "down", "pagedown", "pagedown", "pageup"]:
                burst(app, key)
                await asyncio.sleep((0, 0, 0.005, 0.02)[(trial + len(key)) % 4])
            await asyncio.sleep(0.05)
            assert_alive(app)
            burst(app, "escape")
            await settle(pilot, 0.05)
        assert_alive(app)


async def test_a_choice_made_as_the_too_small_notice_covers_it_waits(make_app):
    # Was: a palette or picker choice already on its way when the terminal shrank dismissed
    # "the top screen", which by then was the notice: the notice vanished at a size below
    # 80x24, the palette stayed open, and escape could no longer close it (the monkey's
    # "q did not exit": the q's went into the palette's search box).
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        lab = app.lab_screen().runners[0].lab
        await pilot.press("ctrl+p")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await pilot.resize_terminal(70, 20)
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        palette.dismiss()  # the selection, arriving late
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen) and palette in app.screen_stack
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert app.screen_stack[1:] == [app.lab_screen()]  # the palette closed once uncovered

        await pilot.press("p")
        picker = app.screen
        assert isinstance(picker, PresetPicker)
        await pilot.resize_terminal(70, 20)
        await settle(pilot)
        picker._dismiss_once("busy")  # enter, arriving late
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen) and lab.preset_name == "calm"
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert app.screen_stack[1:] == [app.lab_screen()] and lab.preset_name == "busy"
        assert_alive(app)
