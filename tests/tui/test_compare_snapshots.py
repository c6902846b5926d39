"""Snapshot tests of the comparison screen at 80x24 and 120x40: overlaid traces (lif ex1),
side-by-side maps with their B - A map (hebb ex2), rasters and histograms side by side
(ei inhibition), and `b` on a lab with B edited. After an intended visual change,
regenerate with `pytest tests/tui/test_compare_snapshots.py --snapshot-update` and look at
the pictures (tests/tui/snapshot_png.py)."""

from __future__ import annotations

import pytest

from hebblab.tui.app import HebblabApp
from hebblab.tui.compare_mode import open_comparison

FRAMES = 30


def _pair_run(lab: str, pair: str):
    async def run(pilot) -> None:
        open_comparison(pilot.app, lab, pair=pair, seed=1)
        await pilot.pause()
        for _ in range(FRAMES):
            await pilot.press("n")
        pilot.app.clear_notifications()
        await pilot.pause()
    return run


async def _copy_then_edit_b(pilot) -> None:
    await pilot.press("n", "n", "b")
    pilot.app.screen.param_panel.param_list.select("tau_m_ms")
    await pilot.press("tab", "4", "0", "enter")
    for _ in range(FRAMES):
        await pilot.press("n")
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("lab,pair", [("lif", "ex1"), ("hebb", "ex2"), ("ei", "inhibition")])
def test_pair_snapshot_120x40(snap_compare, lab, pair):
    assert snap_compare(HebblabApp(lab, seed=1, autoplay=False), terminal_size=(120, 40),
                        run_before=_pair_run(lab, pair))


@pytest.mark.parametrize("lab,pair", [("lif", "ex1"), ("hebb", "ex2")])
def test_pair_snapshot_80x24(snap_compare, lab, pair):
    assert snap_compare(HebblabApp(lab, seed=1, autoplay=False), terminal_size=(80, 24),
                        run_before=_pair_run(lab, pair))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_b_with_b_edited_snapshot(snap_compare, size):
    assert snap_compare(HebblabApp("lif", seed=1, autoplay=False), terminal_size=size,
                        run_before=_copy_then_edit_b)
