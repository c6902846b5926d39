"""A key's screen update stays small: the parameter list refreshes only the lines that
changed, lines whose text did not change are not redrawn, and running notes that come and
go keep their height a while instead of moving the charts (a relayout redraws it all)."""

from __future__ import annotations

from textual.geometry import Region

from hebblab.tui.app import HebblabApp
from hebblab.tui.widgets.param_panel import ParamHelp, ParamList
from hebblab.tui.widgets.status import NotesLine, ReadoutsLine


def _spy(widget, name: str) -> list:
    calls = []
    original = getattr(widget, name)

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    setattr(widget, name, spy)
    return calls


async def test_a_value_change_refreshes_only_its_line():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        plist = app.screen.query_one(ParamList)
        plist.select("I_ext_nA")
        await pilot.pause()
        before = plist.text().plain.splitlines()
        refreshes = _spy(plist, "refresh")
        await pilot.press("right")
        await pilot.pause()
        after = plist.text().plain.splitlines()
        changed = [y for y, (a, b) in enumerate(zip(before, after)) if a != b]
        assert len(changed) == 1 and "1.85" in after[changed[0]]
        regions = [r for args, _ in refreshes for r in args]
        assert refreshes and all(args for args, _ in refreshes)  # never the whole list
        assert {(r.y, r.height) for r in regions} == {(changed[0], 1)}
        assert all(isinstance(r, Region) and r.width == plist.size.width for r in regions)
        # The screen shows it: the line as rendered carries the new value.
        assert "1.85" in plist.render_line(changed[0]).text
        # Moving the cursor redraws the two lines it leaves and reaches.
        refreshes.clear()
        await pilot.press("down")
        await pilot.pause()
        assert sorted(r.y for args, _ in refreshes for r in args) == [changed[0], changed[0] + 1]


async def test_unchanged_readouts_and_help_are_not_redrawn():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        readouts, help_box = screen.query_one(ReadoutsLine), screen.query_one(ParamHelp)
        updates, help_updates = _spy(readouts, "update"), _spy(help_box, "update")
        readouts.show(screen.runners)
        screen.param_panel.refresh_help()
        assert updates == [] and help_updates == []  # the same text: nothing to draw
        await pilot.press("n")  # time moves: the readouts change
        await pilot.pause()
        assert len(updates) == 1


def test_running_notes_keep_their_height_a_while_paused_ones_do_not():
    notes = NotesLine()

    def view(needed: int, max_lines: int = 4, hold: bool = True) -> int:
        notes._lines = notes._reserve(needed, max_lines, hold)  # as show() keeps it
        return notes._lines

    assert view(3) == 3
    # Running: shorter notes keep 3 lines for SHRINK_AFTER views in a row, then shrink.
    held = [view(1) for _ in range(NotesLine.SHRINK_AFTER)]
    assert held[:-1] == [3] * (NotesLine.SHRINK_AFTER - 1) and held[-1] == 1
    assert view(3) == 3 and view(1) == 3
    assert view(3) == 3  # as tall again: the count starts over
    assert [view(1) for _ in range(NotesLine.SHRINK_AFTER - 1)][-1] == 3
    assert view(4) == 4  # taller: at once
    assert view(1, hold=False) == 1  # paused (a step, a reset): at once
    assert view(4) == 4 and view(1, max_lines=2) == 1  # a shorter terminal allows fewer: at once
