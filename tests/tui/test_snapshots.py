"""Snapshot tests: each lab (and the chapter view) at a fixed size after fixed, seeded
frames. The SVGs live in tests/tui/__snapshots__/; after an intended visual change,
regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at them.
Textual is pinned exactly (pyproject `test` extra) so the rendering stays stable.
"""

from __future__ import annotations

import pytest

from hebblab.sim.labs import all_labs
from hebblab.tui.app import HebblabApp

FRAMES = 30
# Every registered lab: a new or changed lab needs its snapshot (re)generated and looked at.
LABS = ["chapter", *all_labs()]


def _app(lab: str) -> HebblabApp:
    return HebblabApp(lab, seed=1, autoplay=False)


async def _frames(pilot) -> None:
    for _ in range(FRAMES):
        await pilot.press("n")
    await pilot.pause()


@pytest.mark.parametrize("lab", LABS)
def test_lab_snapshot_120x40(snap_compare, lab):
    assert snap_compare(_app(lab), terminal_size=(120, 40), run_before=_frames)


@pytest.mark.parametrize("lab", ["chapter"])
def test_lab_snapshot_80x24(snap_compare, lab):
    assert snap_compare(_app(lab), terminal_size=(80, 24), run_before=_frames)
