"""Snapshots of the exercise list (x) and of the exercise screen after its verdict, in the
chapter view at 80x24 and 120x40. The SVGs live in tests/tui/__snapshots__/; after an
intended visual change regenerate with
`pytest tests/tui/test_exercise_snapshots.py --snapshot-update` and look at them."""

from __future__ import annotations

import pytest

from hebblab.tui.app import HebblabApp

SIZES = [(80, 24), (120, 40)]


async def _answered(pilot) -> None:
    """ex1-tau40 answered 1 (the chapter's wrong hint): the verdict is on screen."""
    await pilot.press("x")
    await pilot.pause()
    await pilot.press("enter")  # the chapter's first exercise
    await pilot.pause()
    await pilot.press("1")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _list_after_one(pilot) -> None:
    await _answered(pilot)
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("x")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_exercise_list_snapshot(snap_compare, size):
    assert snap_compare(HebblabApp("chapter", seed=1, autoplay=False), terminal_size=size,
                        run_before=_list_after_one)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_exercise_verdict_snapshot(snap_compare, size):
    assert snap_compare(HebblabApp("chapter", seed=1, autoplay=False), terminal_size=size,
                        run_before=_answered)
