"""The key bar keeps run/pause, quit and help on screen at every size from 80x24 up."""

from __future__ import annotations

import pytest

from hebblab.tui.app import HebblabApp
from hebblab.tui.widgets.keybar import ESSENTIAL, fit_keys
from textual.widgets._footer import FooterKey


async def settled_keys(pilot, app, want=("Quit",)) -> dict[str, str]:
    """shown_keys once the key bar has been (re)composed (a loaded machine is slow)."""
    for _ in range(60):
        await pilot.pause(0.05)
        keys = shown_keys(app)
        if all(w in keys for w in want):
            return keys
    return shown_keys(app)


def shown_keys(app) -> dict[str, str]:
    """description -> key for the keys wholly on screen and not under the palette key."""
    keys = list(app.screen.query(FooterKey))
    palette = [k for k in keys if k.has_class("-command-palette")]
    right = palette[0].region.x if palette else app.size.width
    return {k.description: k.key_display for k in keys
            if not k.has_class("-command-palette") and k.region.width and k.region.right <= right}


@pytest.mark.parametrize("lab", ["lif", "chapter", "hebb", "stdp", "ei"])
async def test_key_bar_at_80x24_shows_run_quit_and_help(lab):
    app = HebblabApp(lab, autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = await settled_keys(pilot, app)
        assert keys.get("Run") == "space" and keys.get("Quit") == "q" and keys.get("Help") == "?"
        if lab == "chapter":
            assert "g" in keys.values()  # the chapter's own key stays too


@pytest.mark.parametrize("lab", ["lif", "chapter", "hebb", "stdp", "ei", "rstdp"])
async def test_key_bar_at_80x24_shows_compare(lab):
    # b answers the chapter's questions; 80x24 is a classroom's default terminal. Run/Pause
    # shortens to Run to make room.
    app = HebblabApp(lab, autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = await settled_keys(pilot, app, want=("Quit", "Compare"))
        assert keys.get("Compare") == "b" and keys.get("Run") == "space"


@pytest.mark.parametrize("lab", ["lif", "chapter", "rstdp"])
@pytest.mark.parametrize("size", [(100, 30), (120, 40)])
async def test_key_bar_shows_exercises_from_100_columns(lab, size):
    app = HebblabApp(lab, autoplay=False)
    async with app.run_test(size=size) as pilot:
        keys = await settled_keys(pilot, app, want=("Quit", "Exercises"))
        assert keys.get("Exercises") == "x" and keys.get("Help") == "?"


async def test_key_bar_refits_on_resize():
    app = HebblabApp("chapter", autoplay=False)
    async with app.run_test(size=(200, 40)) as pilot:
        wide = await settled_keys(pilot, app, want=("Labs",))
        assert {"Labs", "Info", "Grow/listing", "Quit", "Help"} <= set(wide)  # all, in full
        await pilot.resize_terminal(80, 24)
        narrow = await settled_keys(pilot, app, want=("Help",))
        for _ in range(40):  # until the refit after the resize
            if len(narrow) < len(wide):
                break
            await pilot.pause(0.05)
            narrow = shown_keys(app)
        assert {"Run", "Quit", "Help"} <= set(narrow) and len(narrow) < len(wide)
        await pilot.resize_terminal(200, 40)
        assert await settled_keys(pilot, app, want=("Labs", "Grow/listing")) == wide


def test_fit_keys_keeps_essentials_even_when_nothing_else_fits():
    keys = [("step_frame", "n", "Step"), ("toggle_run", "space", "Run/Pause"), ("info", "i", "Info"),
            ("quit", "q", "Quit"), ("help", "?", "Help")]
    assert fit_keys(keys, 200) == [(a, t) for a, _, t in keys]
    assert [a for a, _ in fit_keys(keys, 10)] == ["toggle_run", "quit", "help"]
    assert [a for a, _ in fit_keys(keys, 37)] == ["step_frame", "toggle_run", "quit", "help"]
    assert set(ESSENTIAL) == {"toggle_run", "quit", "help", "switch_side"}


@pytest.mark.parametrize("lab,pair", [("lif", "ex1"), ("hebb", "ex2"), ("ei", "inhibition")])
async def test_comparison_key_bar_at_80x24_shows_the_side_switch(lab, pair):
    from hebblab.tui.compare_mode import open_comparison

    app = HebblabApp(lab, autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        open_comparison(app, lab, pair=pair)
        keys = await settled_keys(pilot, app, want=("Quit", "A/B"))
        assert keys.get("A/B") == "tab" and keys.get("Run") == "space" and keys.get("Help") == "?"


def test_run_pause_shortens_only_to_make_room_for_compare_or_a_more_needed_key():
    keys = [("toggle_run", "space", "Run/Pause"), ("step_frame", "n", "Step"), ("compare", "b", "Compare"),
            ("maximize_chart", "m", "Maximize"), ("quit", "q", "Quit"), ("help", "?", "Help")]
    # cells with the gap: space Run/Pause 16 (Run 10), n Step 7, b Compare 10, m Max 6, q Quit 7, ? Help 7
    assert fit_keys(keys, 60) == [(a, t) for a, _, t in keys]  # everything fits, in full
    # 48: Max drops; shortening to Run would bring it back, a key less needed than Compare: no
    assert fit_keys(keys, 48) == [("toggle_run", "Run/Pause"), ("step_frame", "Step"), ("compare", "Compare"),
                                  ("quit", "Quit"), ("help", "Help")]
    # 46: Compare drops unless Run/Pause shortens: it does
    assert fit_keys(keys, 46) == [("toggle_run", "Run"), ("step_frame", "Step"), ("compare", "Compare"),
                                  ("quit", "Quit"), ("help", "Help")]
    # 40: Compare does not fit even then: Run/Pause stays whole
    assert fit_keys(keys, 40) == [("toggle_run", "Run/Pause"), ("step_frame", "Step"), ("quit", "Quit"),
                                  ("help", "Help")]
