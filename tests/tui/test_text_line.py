"""Text lines: a status line too long for its width ends in an ellipsis, and readouts are
packed only when they changed."""

from __future__ import annotations

from hebblab.tui.app import HebblabApp
from hebblab.tui.compare_mode import open_comparison
from hebblab.tui.widgets import status as status_module
from hebblab.tui.widgets.compare_readouts import CompareReadouts
from hebblab.tui.widgets.status import ReadoutsLine, StatusLine


async def test_a_cut_status_line_ends_in_an_ellipsis():
    # 80 columns cannot hold a comparison's status line: the preset's name is cut, and
    # says so (without text-overflow: ellipsis, Textual dropped the words that did not fit,
    # with no mark).
    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        open_comparison(app, "lif", pair="ex1", seed=1)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        line = app.screen.query_one(StatusLine)
        full = str(line.render())
        assert len(full) > line.content_size.width  # too long for the line
        drawn = "".join(seg.text for seg in line.render_line(0))
        assert drawn.rstrip().endswith("…")
        assert drawn.rstrip()[:-1] in full


async def test_readouts_are_packed_only_when_they_changed(monkeypatch):
    packed = []
    pack = status_module.pack_readouts
    monkeypatch.setattr(status_module, "pack_readouts", lambda *a: packed.append(1) or pack(*a))
    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.lab_screen()
        line = screen.query_one(ReadoutsLine)
        before = len(packed)
        line.show(screen.runners)  # the same readouts, the same size
        assert len(packed) == before
        await pilot.press("n")  # a new view: new readouts
        await pilot.pause()
        assert len(packed) > before
        before = len(packed)
        await pilot.resize_terminal(100, 40)  # a new width: packed again
        await pilot.pause()
        line.show(screen.runners)
        assert len(packed) > before


async def test_comparison_readouts_are_packed_only_when_they_changed(monkeypatch):
    from hebblab.tui.widgets import compare_readouts

    packed = []
    pack = compare_readouts.pack_readouts
    monkeypatch.setattr(compare_readouts, "pack_readouts", lambda *a: packed.append(1) or pack(*a))
    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        open_comparison(app, "lif", pair="ex1", seed=1)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        screen = app.lab_screen()
        line = screen.query_one(CompareReadouts)
        before = len(packed)
        line.show(screen.runners)
        assert len(packed) == before
        await pilot.press("n")
        await pilot.pause()
        assert len(packed) > before
