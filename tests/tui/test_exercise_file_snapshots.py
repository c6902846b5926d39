"""Snapshot of the exercise list (x) with a lecturer's file (`hebblab tui --exercise-file`):
its exercise first, marked with the file's name, at 80x24. The SVG lives in
tests/tui/__snapshots__/; after an intended visual change regenerate with
`pytest tests/tui/test_exercise_file_snapshots.py --snapshot-update` and look at it."""

from __future__ import annotations

import textwrap

from hebblab.exercises import load
from hebblab.tui.app import HebblabApp
from tests.exercise_texts import LECTURER


async def _list(pilot) -> None:
    """The file's exercise opened at start; x goes to the list."""
    await pilot.pause()
    await pilot.press("x")
    await pilot.pause()


def test_exercise_list_with_a_file_snapshot(snap_compare, tmp_path):
    path = tmp_path / "lecture-3.toml"
    path.write_text(textwrap.dedent(LECTURER), encoding="utf-8")
    # As `hebblab tui --exercise-file lecture-3.toml` builds it: the exercise's lab and preset.
    app = HebblabApp("lif", preset="chapter", seed=1, autoplay=False, exercises=[load(path)])
    assert snap_compare(app, terminal_size=(80, 24), run_before=_list)
