"""Text lines: a status line too long for its width ends in an ellipsis, and readouts are
packed only when they changed."""

from __future__ import annotations

from hebblab.tui.app import HebblabApp
from hebblab.tui.compare_mode import open_comparison
from hebblab.tui.widgets import status as status_module
from hebblab.tui.widgets.compare_readouts import CompareReadouts
from hebblab.tui.widgets.status import ReadoutsLine, StatusLine


def packs(monkeypatch, module) -> list[int]:
    """Count the calls of `module.pack_readouts` (one per packing of readouts into lines)."""
    packed: list[int] = []
    pack = module.pack_readouts
    monkeypatch.setattr(module, "pack_readouts", lambda *a: packed.append(1) or pack(*a))
    return packed


async def one_frame_of_ex1(app, pilot) -> None:
    """Open lif's ex1 comparison and step it one frame."""
    open_comparison(app, "lif", pair="ex1", seed=1)
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause()


async def test_a_cut_status_line_ends_in_an_ellipsis():
    # 80 columns cannot hold a comparison's status line: the preset's name is cut, and
    # says so (without text-overflow: ellipsis, Textual dropped the words that did not fit,
    # with no mark).
    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await one_frame_of_ex1(app, pilot)
        line = app.screen.query_one(StatusLine)
        full = str(line.render())
        assert len(full) > line.content_size.width  # too long for the line
        drawn = "".join(seg.text for seg in line.render_line(0))
        assert drawn.rstrip().endswith("…")
        assert drawn.rstrip()[:-1] in full


async def test_readouts_are_packed_only_when_they_changed(monkeypatch):
    packed = packs(monkeypatch, status_module)
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

    packed = packs(monkeypatch, compare_readouts)
    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await one_frame_of_ex1(app, pilot)
        screen = app.lab_screen()
        line = screen.query_one(CompareReadouts)
        before = len(packed)
        line.show(screen.runners)
        assert len(packed) == before
        await pilot.press("n")
        await pilot.pause()
        assert len(packed) > before
