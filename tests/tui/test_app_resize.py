"""Pilot tests of terminal sizes: the layout adapts down to 80x24, below that a notice
replaces the lab, and no resize (however small or large) crashes the app."""

from __future__ import annotations

from hebblab.tui.screens.lab_screen import ChartDeck, LabScreen
from hebblab.tui.screens.too_small import TooSmallScreen


async def test_below_80x24_shows_notice_and_comes_back(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, LabScreen)
        await pilot.press("space")
        await pilot.resize_terminal(79, 24)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "terminal too small, need 80x24" in str(app.screen.query_one("#too-small-message").render())
        assert not app.lab_screen().running  # nothing runs behind the notice
        await pilot.resize_terminal(80, 23)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        assert app.lab_screen().running  # it was running before: it resumes
        await pilot.press("space", "n")
        assert app.lab_screen().runners[0].lab.steps_done >= 1


async def test_starting_small_shows_notice(make_app):
    app = make_app()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)


async def test_many_resizes_never_crash_and_charts_page_at_80x24(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        deck = app.screen.query_one(ChartDeck)
        await pilot.press("n")
        assert deck.per_page >= 4  # the toy lab's 7 charts: most fit at 120x40
        for size in [(80, 24), (1, 1), (200, 60), (81, 25), (20, 80), (300, 24), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("n")
        assert isinstance(app.screen, LabScreen)
        assert deck.per_page < 7 and deck.pages > 1
        shown = [name for _, name, w in deck.charts if w.display]
        await pilot.press("c")  # next page of charts
        assert [name for _, name, w in deck.charts if w.display] != shown
        for _, _, w in deck.visible():  # every shown chart got a size to draw into
            assert w.size.width >= 30 and w.size.height >= 5


async def test_chapter_view_at_80x24_shows_both_charts(make_app):
    app = make_app(lab="chapter")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        deck = app.screen.query_one(ChartDeck)
        assert len(deck.visible()) == 2
        for _, _, w in deck.visible():
            assert w.size.height >= 6


async def test_parameter_list_scrolls_to_keep_the_cursor_visible(make_app):
    from hebblab.tui.widgets.param_panel import ParamList

    app = make_app(lab="chapter")
    async with app.run_test(size=(80, 24)) as pilot:
        plist = app.screen.query_one(ParamList)
        n = len(plist.rows)
        assert n > plist.size.height  # lif + hebb do not fit in 24 rows
        for _ in range(n - 1):
            await pilot.press("down")
            shown = str(plist.text())
            assert plist.current.spec.name in shown
        assert plist.current.runner.lab.name == "hebb"
        await pilot.press("down")  # wraps to the first
        assert plist.current.spec.name in str(plist.text()) and plist.cursor == 0
