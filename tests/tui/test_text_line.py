"""Text lines (status, readouts, notes) drawn by rich into strips: the same cells as
Textual's own path, an ellipsis where a line is cut, and readouts packed only when they
changed."""

from __future__ import annotations

from rich.text import Text
from textual.app import App
from textual.geometry import Region
from textual.widgets import Static

from hebblab.tui.app import HebblabApp
from hebblab.tui.compare_mode import open_comparison
from hebblab.tui.widgets import status as status_module
from hebblab.tui.widgets.compare_readouts import CompareReadouts
from hebblab.tui.widgets.status import ReadoutsLine, StatusLine
from hebblab.tui.widgets.text_line import TextLine

CSS = """
TextLine, Static { height: 3; padding: 0 1; background: $boost; color: $warning; }
"""


class Pair(App):
    CSS = CSS

    def compose(self):
        yield TextLine(id="fast")
        yield Static(id="textual")


def cells(widget) -> list[list[tuple[str, object]]]:
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return [[(ch, seg.style) for seg in line for ch in seg.text] for line in lines]


def sample() -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" ▶ running ", style="bold reverse green")
    text.append(" t=12.5 ms", style="bold")
    text.append(" · 5 ms/frame")
    text.append(" · 20 fps\n", style="dim")
    text.append("rate: ", style="dim")
    text.append("18.95", style="bold magenta")
    text.append(" Hz", style="italic")
    return text


async def test_rich_draws_the_cells_textual_would():
    app = Pair()
    async with app.run_test(size=(60, 6)) as pilot:
        fast, textual = app.query_one("#fast", TextLine), app.query_one("#textual", Static)
        text = sample()
        fast.show_text(text)
        textual.update(text)
        await pilot.pause()
        assert fast._laid_out is text  # drawn by rich, not by Textual's path
        assert cells(fast) == cells(textual)
        app.theme = "textual-light"  # new colours: the strips are made again
        await pilot.pause()
        assert cells(fast) == cells(textual)


async def test_a_text_to_wrap_keeps_textuals_path():
    app = Pair()
    async with app.run_test(size=(30, 6)) as pilot:
        fast, textual = app.query_one("#fast", TextLine), app.query_one("#textual", Static)
        text = Text("a parameter's help, long enough to wrap onto a second line")
        fast.show_text(text)
        textual.update(text)
        await pilot.pause()
        assert fast._laid_out is None
        assert cells(fast) == cells(textual)


async def test_a_cut_status_line_ends_in_an_ellipsis():
    # 80 columns cannot hold a comparison's status line: the preset's name is cut, and
    # says so (Textual's path dropped the words that did not fit, with no mark).
    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        open_comparison(app, "lif", pair="ex1", seed=1)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        line = app.screen.query_one(StatusLine)
        full = line._laid_out.plain
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
