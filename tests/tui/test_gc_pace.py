"""The app raises the young collection threshold while it runs and puts it back after."""

from __future__ import annotations

import gc

from hebblab.tui.app import HebblabApp
from hebblab.tui.gc_pace import YOUNG_THRESHOLD, GcPace


async def test_the_app_runs_at_the_gentler_pace_and_restores_it():
    before = gc.get_threshold()
    assert before[0] < YOUNG_THRESHOLD  # Python's default (700), as the test process has it
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before


def test_a_higher_threshold_is_kept_and_stop_without_start_changes_nothing():
    before = gc.get_threshold()
    try:
        gc.set_threshold(50_000, *before[1:])
        pace = GcPace()
        pace.stop()
        assert gc.get_threshold()[0] == 50_000
        pace.start()
        assert gc.get_threshold()[0] == 50_000
        pace.stop()
        assert gc.get_threshold()[0] == 50_000
    finally:
        gc.set_threshold(*before)
