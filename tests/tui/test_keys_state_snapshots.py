"""Snapshots of the keys-and-state changes (issue 13) at 80x24 and 120x40: the key bar with
run, quit and help at 80x24; a modified preset's `*`; each lab's clock after `g`; the chart
page indicator; a maximized chart; the light theme's readable notes."""

from __future__ import annotations

import pytest

from hebblab.tui.app import HebblabApp
from hebblab.tui.widgets.param_panel import ParamList

SIZES = [(80, 24), (120, 40)]


def _app(lab: str) -> HebblabApp:
    return HebblabApp(lab, seed=1, autoplay=False)


async def _chapter_g(pilot) -> None:
    for _ in range(10):
        await pilot.press("n")
    await pilot.press("g")  # the network restarts: two clocks
    await pilot.pause()


async def _edited(pilot) -> None:
    for _ in range(5):
        await pilot.press("n")
    pilot.app.screen.query_one(ParamList).select("tau_m_ms")
    await pilot.press("4", "0", "enter")  # lif:chapter*
    await pilot.pause()


async def _maximized(pilot) -> None:
    for _ in range(10):
        await pilot.press("n")
    await pilot.press("m")
    await pilot.pause()


async def _light(pilot) -> None:
    pilot.app.theme = "textual-light"
    for _ in range(10):
        await pilot.press("n")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_chapter_after_g(snap_compare, size):
    assert snap_compare(_app("chapter"), terminal_size=size, run_before=_chapter_g)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lif_edited_preset(snap_compare, size):
    assert snap_compare(_app("lif"), terminal_size=size, run_before=_edited)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lif_maximized_chart(snap_compare, size):
    assert snap_compare(_app("lif"), terminal_size=size, run_before=_maximized)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_chapter_light_theme(snap_compare, size):
    assert snap_compare(_app("chapter"), terminal_size=size, run_before=_light)
